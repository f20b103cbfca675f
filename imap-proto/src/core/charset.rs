//! Charset names (RFC 9051 §9 `charset`: atom or quoted).

use super::cursor::{Cursor, ParseResult};
use super::string::{IString, Quoted};
use super::{Atom, Encode, IntoOwned, Sink};
use crate::Expected;

/// A charset name such as `UTF-8`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Charset<'a>(pub IString<'a>);

impl<'a> Charset<'a> {
    /// Parses `atom / quoted`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        match c.peek() {
            Some(b'"') => Quoted::parse(c).map(|q| Charset(IString::Quoted(q))),
            _ => Atom::parse(c)
                .map(|a| Charset(IString::Atom(a)))
                .map_err(|_| c.error(Expected::Charset)),
        }
    }
}

impl<'a> super::ListItem<'a> for Charset<'a> {
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        Self::parse(c)
    }
}

impl Encode for Charset<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match &self.0 {
            IString::Atom(atom)
                if Atom::new(atom.as_str()).is_some() && !atom.as_str().contains(']') =>
            {
                atom.encode(out)
            }
            other => match Quoted::new(&other.bytes()) {
                Some(q) => q.encode(out),
                None => out.put(b"\"\""),
            },
        }
    }
}

impl IntoOwned for Charset<'_> {
    type Owned = Charset<'static>;
    fn into_owned(self) -> Self::Owned {
        Charset(self.0.into_owned())
    }
}
