//! Single-value headers: `Destination` (RFC 4918 §10.3), `Overwrite` (§10.6) and
//! `Lock-Token` (§10.5).

use std::borrow::Cow;

use http::header::HeaderName;

use super::TypedHeader;
use super::lexer::{Lexer, err, text};
use crate::decoded::{DecodeError, Expected};

/// The `Destination` header: the target URI of COPY or MOVE (absolute URI or absolute
/// path, kept as sent).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Destination<'a>(pub Cow<'a, str>);

impl Destination<'_> {
    /// A `'static` copy.
    pub fn into_owned(self) -> Destination<'static> {
        Destination(Cow::Owned(self.0.into_owned()))
    }
}

impl<'a> TypedHeader<'a> for Destination<'a> {
    fn name() -> HeaderName {
        super::DESTINATION
    }

    fn parse(value: &'a [u8]) -> Result<Self, DecodeError> {
        let t = text(value)?.trim_matches([' ', '\t']);
        if t.is_empty()
            || t.bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return Err(err(0, Expected::HeaderValue));
        }
        Ok(Destination(Cow::Borrowed(t)))
    }

    fn write(&self, out: &mut String) {
        out.push_str(&self.0);
    }
}

/// The `Overwrite` header: `T` or `F`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Overwrite(pub bool);

impl TypedHeader<'_> for Overwrite {
    fn name() -> HeaderName {
        super::OVERWRITE
    }

    fn parse(value: &[u8]) -> Result<Self, DecodeError> {
        match text(value)?.trim_matches([' ', '\t']) {
            "T" | "t" => Ok(Overwrite(true)),
            "F" | "f" => Ok(Overwrite(false)),
            _ => Err(err(0, Expected::OverwriteFlag)),
        }
    }

    fn write(&self, out: &mut String) {
        out.push(if self.0 { 'T' } else { 'F' });
    }
}

/// The `Lock-Token` header: a Coded-URL (the token without its angle brackets).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LockToken<'a>(pub Cow<'a, str>);

impl LockToken<'_> {
    /// A `'static` copy.
    pub fn into_owned(self) -> LockToken<'static> {
        LockToken(Cow::Owned(self.0.into_owned()))
    }
}

impl<'a> TypedHeader<'a> for LockToken<'a> {
    fn name() -> HeaderName {
        super::LOCK_TOKEN
    }

    fn parse(value: &'a [u8]) -> Result<Self, DecodeError> {
        let mut lx = Lexer::new(text(value)?);
        lx.ws();
        let url = lx.coded_url()?;
        lx.ws();
        if !lx.at_end() {
            return Err(err(lx.pos(), Expected::CodedUrl));
        }
        Ok(LockToken(Cow::Borrowed(url)))
    }

    fn write(&self, out: &mut String) {
        out.push('<');
        out.push_str(&self.0);
        out.push('>');
    }
}
