//! Mailbox names (RFC 9051 §5.1, §9 `mailbox`): `INBOX` in any case is the inbox.

use std::borrow::Cow;

use super::cursor::{Cursor, ParseResult};
use super::string::IString;
use super::{Encode, IntoOwned, Sink, utf7};
use crate::{DecodeError, Expected};

/// A mailbox name. `INBOX` is recognised case-insensitively; other names are kept as sent
/// (UTF-8 for IMAP4rev2 and UTF8=ACCEPT, modified UTF-7 for IMAP4rev1: see
/// [`Mailbox::decode_utf7`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Mailbox<'a> {
    /// The inbox.
    Inbox,
    /// Any other name.
    Other(IString<'a>),
}

impl<'a> Mailbox<'a> {
    /// Parses `mailbox` (an astring).
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let name = IString::parse_astring(c).map_err(|e| {
            if matches!(e.kind(), crate::ErrorKind::LimitExceeded(_)) {
                e
            } else {
                c.error(Expected::Mailbox)
            }
        })?;
        Ok(Self::from_name(name))
    }

    /// Classifies a decoded name.
    pub fn from_name(name: IString<'a>) -> Self {
        if name.eq_ignore_case(b"INBOX") {
            Mailbox::Inbox
        } else {
            Mailbox::Other(name)
        }
    }

    /// The name's bytes (`INBOX` for the inbox).
    pub fn name(&self) -> Cow<'_, [u8]> {
        match self {
            Mailbox::Inbox => Cow::Borrowed(b"INBOX"),
            Mailbox::Other(name) => name.bytes(),
        }
    }

    /// The name decoded from modified UTF-7 (IMAP4rev1 §5.1.3).
    pub fn decode_utf7(&self) -> Result<String, DecodeError> {
        utf7::decode(&self.name())
    }
}

impl Encode for Mailbox<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            Mailbox::Inbox => out.put(b"INBOX"),
            Mailbox::Other(name) => name.encode_astring(out),
        }
    }
}

impl IntoOwned for Mailbox<'_> {
    type Owned = Mailbox<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            Mailbox::Inbox => Mailbox::Inbox,
            Mailbox::Other(name) => Mailbox::Other(name.into_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;

    #[test]
    fn inbox_is_case_insensitive() {
        for input in [&b"inbox"[..], b"\"InBox\"", b"{5}\r\nINBOX"] {
            let mut c = Cursor::new(input, Limits::default());
            assert_eq!(Mailbox::parse(&mut c).unwrap(), Mailbox::Inbox);
        }
        let mut c = Cursor::new(b"INBOX.Sent", Limits::default());
        let m = Mailbox::parse(&mut c).unwrap();
        assert_eq!(&*m.name(), b"INBOX.Sent");
        let mut c = Cursor::new(b"&ZeVnLIqe-", Limits::default());
        assert_eq!(
            Mailbox::parse(&mut c).unwrap().decode_utf7().unwrap(),
            "日本語"
        );
    }
}
