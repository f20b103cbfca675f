//! AUTHENTICATE (with the SASL-IR initial response, RFC 4959), the SASL exchange lines that
//! follow it, and ID (RFC 2971). LOGIN, STARTTLS and UNAUTHENTICATE carry no structure beyond
//! [`CommandBody`](super::CommandBody).

use crate::core::owned::into_owned_struct;
use crate::core::{Atom, ByteStr, IString, IntoOwned};

/// `AUTHENTICATE mechanism [initial-response]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Authenticate<'a> {
    /// The SASL mechanism name (`PLAIN`, `SCRAM-SHA-256`, ...).
    pub mechanism: Atom<'a>,
    /// The SASL-IR initial response, when sent with the command.
    pub initial_response: Option<SaslData<'a>>,
}

into_owned_struct!(Authenticate {
    mechanism,
    initial_response
});

/// A client's SASL-IR initial response: base64 text (kept as sent), or `=` for an empty one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SaslData<'a> {
    /// `=`: an empty initial response.
    Empty,
    /// Base64 text, as sent.
    Base64(ByteStr<'a>),
}

/// One line a client sends during an AUTHENTICATE exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SaslResponse<'a> {
    /// Base64 data answering a server challenge, as sent (an empty line is empty data).
    Data(ByteStr<'a>),
    /// `*`: the client cancels the exchange.
    Cancel,
}

/// A field name in an ID parameter list.
pub type IdField<'a> = IString<'a>;

impl IntoOwned for SaslData<'_> {
    type Owned = SaslData<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            SaslData::Empty => SaslData::Empty,
            SaslData::Base64(b) => SaslData::Base64(b.into_owned()),
        }
    }
}

impl IntoOwned for SaslResponse<'_> {
    type Owned = SaslResponse<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            SaslResponse::Cancel => SaslResponse::Cancel,
            SaslResponse::Data(b) => SaslResponse::Data(b.into_owned()),
        }
    }
}
