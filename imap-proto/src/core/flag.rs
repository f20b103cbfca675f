//! Flags (RFC 9051 §2.3.2, §9 `flag`, `flag-fetch`, `flag-perm`, `flag-list`).

use super::atom::{Atom, class, class_run, lower_key, take_class};
use super::cursor::{Cursor, ParseResult, paren_list};
use super::{Encode, IntoOwned, Sink};
use crate::Expected;

/// A message flag: a system flag, `\*` (PERMANENTFLAGS), an unknown `\Extension` flag or a
/// keyword. System flags are matched case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Flag<'a> {
    /// `\Answered`.
    Answered,
    /// `\Flagged`.
    Flagged,
    /// `\Deleted`.
    Deleted,
    /// `\Seen`.
    Seen,
    /// `\Draft`.
    Draft,
    /// `\Recent` (IMAP4rev1; only in FETCH and FLAGS responses).
    Recent,
    /// `\*`: clients may create new keywords (PERMANENTFLAGS only).
    Wildcard,
    /// Another `\Name` flag (the name without the backslash).
    Extension(Atom<'a>),
    /// A keyword such as `$Forwarded` or `Junk`.
    Keyword(Atom<'a>),
}

impl<'a> Flag<'a> {
    /// Parses any flag form (`flag`, `flag-fetch` and `flag-perm` together).
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        if c.eat(b'\\') {
            if c.eat(b'*') {
                return Ok(Flag::Wildcard);
            }
            // System flags are matched as lowercased bytes; only other names are checked as
            // text (for the Atom).
            let rest = c.rest();
            let len = class_run(rest, class::ATOM);
            let mut lower = [0u8; 8];
            let system = match lower_key(rest.get(..len).unwrap_or_default(), &mut lower) {
                b"answered" => Some(Flag::Answered),
                b"flagged" => Some(Flag::Flagged),
                b"deleted" => Some(Flag::Deleted),
                b"seen" => Some(Flag::Seen),
                b"draft" => Some(Flag::Draft),
                b"recent" => Some(Flag::Recent),
                _ => None,
            };
            if let Some(flag) = system {
                c.skip(len);
                return Ok(flag);
            }
            let name = take_class(c, class::ATOM, Expected::Flag)?;
            Ok(Flag::Extension(Atom::unchecked(name)))
        } else {
            Atom::parse(c)
                .map(Flag::Keyword)
                .map_err(|_| c.error(Expected::Flag))
        }
    }

    /// Parses `"(" [flag *(SP flag)] ")"`.
    pub fn parse_list(c: &mut Cursor<'a>) -> ParseResult<Vec<Self>> {
        paren_list(c, true, Flag::parse)
    }

    /// Parses `"(" [flag *(SP flag)] ")"` into a [`LazyList`](super::LazyList): validated
    /// now, read again when iterated.
    pub fn parse_lazy_list(c: &mut Cursor<'a>) -> ParseResult<super::LazyList<'a, Self>> {
        super::lazy::paren_list(c, true, |c| Flag::parse(c).map(drop))
    }

    /// Encodes `"(" flags ")"`.
    pub fn encode_list<S: Sink + ?Sized>(flags: &[Self], out: &mut S) {
        out.put(b"(");
        for (i, flag) in flags.iter().enumerate() {
            if i > 0 {
                out.put(b" ");
            }
            flag.encode(out);
        }
        out.put(b")");
    }
}

impl<'a> super::ListItem<'a> for Flag<'a> {
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        Self::parse(c)
    }
}

impl Encode for Flag<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            Flag::Answered => out.put(b"\\Answered"),
            Flag::Flagged => out.put(b"\\Flagged"),
            Flag::Deleted => out.put(b"\\Deleted"),
            Flag::Seen => out.put(b"\\Seen"),
            Flag::Draft => out.put(b"\\Draft"),
            Flag::Recent => out.put(b"\\Recent"),
            Flag::Wildcard => out.put(b"\\*"),
            Flag::Extension(name) => {
                out.put(b"\\");
                name.encode(out);
            }
            Flag::Keyword(name) => name.encode(out),
        }
    }
}

impl IntoOwned for Flag<'_> {
    type Owned = Flag<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            Flag::Answered => Flag::Answered,
            Flag::Flagged => Flag::Flagged,
            Flag::Deleted => Flag::Deleted,
            Flag::Seen => Flag::Seen,
            Flag::Draft => Flag::Draft,
            Flag::Recent => Flag::Recent,
            Flag::Wildcard => Flag::Wildcard,
            Flag::Extension(name) => Flag::Extension(name.into_owned()),
            Flag::Keyword(name) => Flag::Keyword(name.into_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;

    #[test]
    fn known_answers() {
        let mut c = Cursor::new(
            b"(\\Seen \\answered $Forwarded \\* \\X-Foo)",
            Limits::default(),
        );
        let flags = Flag::parse_list(&mut c).unwrap();
        assert_eq!(
            flags,
            [
                Flag::Seen,
                Flag::Answered,
                Flag::Keyword(Atom::new("$Forwarded").unwrap()),
                Flag::Wildcard,
                Flag::Extension(Atom::new("X-Foo").unwrap()),
            ]
        );
        assert!(c.is_at_end());
        let mut out = Vec::new();
        Flag::encode_list(&flags, &mut out);
        assert_eq!(out, b"(\\Seen \\Answered $Forwarded \\* \\X-Foo)");
        assert!(Flag::parse_list(&mut Cursor::new(b"(\\Seen", Limits::default())).is_err());
        assert!(
            Flag::parse_list(&mut Cursor::new(b"()", Limits::default()))
                .unwrap()
                .is_empty()
        );
    }
}
