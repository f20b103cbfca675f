//! Atoms and tags (RFC 9051 §9 `atom`, `ASTRING-CHAR`, `tag`), and the character classes
//! other productions share.

use std::borrow::Cow;
use std::fmt;

use super::cursor::{Cursor, ParseResult};
use super::{Encode, IntoOwned, Sink};
use crate::Expected;

/// `ATOM-CHAR`: any 7-bit character except controls, space and `( ) { % * " \ ]`.
pub const fn is_atom_char(b: u8) -> bool {
    matches!(b, 0x21..=0x7e) && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']')
}

/// `ASTRING-CHAR`: `ATOM-CHAR` or `]`.
pub const fn is_astring_char(b: u8) -> bool {
    is_atom_char(b) || b == b']'
}

/// A character of a `tag`: `ASTRING-CHAR` except `+`.
pub const fn is_tag_char(b: u8) -> bool {
    is_astring_char(b) && b != b'+'
}

/// `list-char`: `ATOM-CHAR`, `%`, `*` or `]` (LIST patterns).
pub const fn is_list_char(b: u8) -> bool {
    is_astring_char(b) || b == b'%' || b == b'*'
}

/// `TEXT-CHAR`: any byte but NUL, CR and LF (8-bit allowed for UTF8=ACCEPT and lenient peers).
pub const fn is_text_char(b: u8) -> bool {
    !matches!(b, 0 | b'\r' | b'\n')
}

/// Character classes for the table-driven scanners: one bit per class.
pub(crate) mod class {
    /// `ATOM-CHAR`.
    pub const ATOM: u8 = 1;
    /// `ASTRING-CHAR`.
    pub const ASTRING: u8 = 2;
    /// A `tag` character.
    pub const TAG: u8 = 4;
    /// `ATOM-CHAR` but `[`: response keywords, FETCH attribute and response code names.
    pub const NAME: u8 = 8;
}

/// Each byte's classes ([`class`]), so a scan costs one load and test per byte.
// Indexing in a const initialiser cannot panic at run time: out of bounds does not compile.
#[allow(clippy::indexing_slicing)]
const CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        let mut bits = 0;
        if is_atom_char(byte) {
            bits |= class::ATOM;
            if byte != b'[' {
                bits |= class::NAME;
            }
        }
        if is_astring_char(byte) {
            bits |= class::ASTRING;
        }
        if is_tag_char(byte) {
            bits |= class::TAG;
        }
        table[b] = bits;
        b += 1;
    }
    table
};

/// Whether `b` is in `class` (a `u8` always indexes the table: the check compiles away).
#[inline]
pub(crate) fn in_class(b: u8, class: u8) -> bool {
    CLASSES
        .get(usize::from(b))
        .is_some_and(|bits| bits & class != 0)
}

/// The length of the run of `class` bytes at the start of `bytes`.
#[inline]
pub(crate) fn class_run(bytes: &[u8], class: u8) -> usize {
    bytes
        .iter()
        .position(|&b| !in_class(b, class))
        .unwrap_or(bytes.len())
}

/// Takes a non-empty run of `class` bytes as text (the classes hold only ASCII, so the UTF-8
/// check cannot fail).
#[inline]
pub(crate) fn take_class<'a>(
    c: &mut Cursor<'a>,
    class: u8,
    expected: Expected,
) -> ParseResult<&'a str> {
    let rest = c.rest();
    let len = class_run(rest, class);
    let bytes = rest.get(..len).unwrap_or_default();
    if bytes.is_empty() {
        return Err(c.error(expected));
    }
    let text = core::str::from_utf8(bytes).map_err(|_| c.error(expected))?;
    c.skip(len);
    Ok(text)
}

/// `name` lowercased into `buf` for matching against lowercase keywords (empty when longer
/// than `buf`). For atom characters `| 0x20` is exact: it maps only the two cases of a
/// letter onto the lowercase letter, and leaves digits, `.` and `-` as they are.
#[inline]
pub(crate) fn lower_key<'k, const N: usize>(name: &[u8], buf: &'k mut [u8; N]) -> &'k [u8] {
    match buf.get_mut(..name.len()) {
        Some(key) => {
            for (to, from) in key.iter_mut().zip(name) {
                *to = from | 0x20;
            }
            &*key
        }
        None => &[],
    }
}

/// Takes a run of ASCII bytes accepted by `accept` as text (always valid UTF-8 since
/// `accept` only admits ASCII).
pub(crate) fn take_ascii<'a>(
    c: &mut Cursor<'a>,
    accept: impl Fn(u8) -> bool,
    expected: Expected,
) -> ParseResult<&'a str> {
    let start = c.pos();
    let bytes = c.take_while1(|b| b.is_ascii() && accept(b), expected)?;
    core::str::from_utf8(bytes).map_err(|_| {
        let mut at = c.clone();
        at.reset_to(start);
        at.error(expected)
    })
}

/// An atom: one or more `ATOM-CHAR`s (or, where the grammar says so, `ASTRING-CHAR`s).
/// Comparisons of atoms that are keywords are case-insensitive in IMAP; this type compares
/// exactly, and callers that mean keywords use [`Atom::eq_ignore_case`].
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Atom<'a>(Cow<'a, str>);

impl<'a> Atom<'a> {
    /// Parses an atom (`1*ATOM-CHAR`).
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        take_class(c, class::ATOM, Expected::Atom).map(|s| Atom(Cow::Borrowed(s)))
    }

    /// Parses `1*ASTRING-CHAR` (an atom that may contain `]`).
    pub fn parse_astring_chars(c: &mut Cursor<'a>) -> ParseResult<Self> {
        take_class(c, class::ASTRING, Expected::Atom).map(|s| Atom(Cow::Borrowed(s)))
    }

    /// An atom from `text`, or `None` if `text` is empty or has a character atoms cannot hold.
    pub fn new(text: impl Into<Cow<'a, str>>) -> Option<Self> {
        let text = text.into();
        (!text.is_empty() && text.bytes().all(is_astring_char)).then_some(Atom(text))
    }

    /// An atom the caller guarantees is valid (crate-internal).
    pub(crate) fn unchecked(text: impl Into<Cow<'a, str>>) -> Self {
        Atom(text.into())
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The atom's text from byte `start` on (borrowing when this atom borrows).
    pub(crate) fn tail(&self, start: usize) -> Atom<'a> {
        match &self.0 {
            Cow::Borrowed(s) => Atom(Cow::Borrowed(s.get(start..).unwrap_or_default())),
            Cow::Owned(s) => Atom(Cow::Owned(s.get(start..).unwrap_or_default().to_owned())),
        }
    }

    /// Whether this atom equals `other` ignoring ASCII case.
    pub fn eq_ignore_case(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl fmt::Debug for Atom<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl fmt::Display for Atom<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'a> super::ListItem<'a> for Atom<'a> {
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        Self::parse(c)
    }
}

impl Encode for Atom<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(self.0.as_bytes());
    }
}

impl IntoOwned for Atom<'_> {
    type Owned = Atom<'static>;
    fn into_owned(self) -> Self::Owned {
        Atom(Cow::Owned(self.0.into_owned()))
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Atom<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// A command tag: one or more `ASTRING-CHAR`s other than `+`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag<'a>(Cow<'a, str>);

impl<'a> Tag<'a> {
    /// Parses a tag.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        take_class(c, class::TAG, Expected::Tag).map(|s| Tag(Cow::Borrowed(s)))
    }

    /// A tag from `text`, or `None` if it is empty or holds a character tags cannot hold.
    pub fn new(text: impl Into<Cow<'a, str>>) -> Option<Self> {
        let text = text.into();
        (!text.is_empty() && text.bytes().all(is_tag_char)).then_some(Tag(text))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `prefix` followed by `number`; the caller has checked that `prefix` is tag text.
    pub(crate) fn numbered(prefix: &str, number: u64) -> Tag<'static> {
        Tag(Cow::Owned(format!("{prefix}{number}")))
    }
}

impl fmt::Debug for Tag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl fmt::Display for Tag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Encode for Tag<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(self.0.as_bytes());
    }
}

impl IntoOwned for Tag<'_> {
    type Owned = Tag<'static>;
    fn into_owned(self) -> Self::Owned {
        Tag(Cow::Owned(self.0.into_owned()))
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Tag<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;

    #[test]
    fn atoms_stop_at_specials() {
        for (input, atom, rest) in [
            (&b"abc def"[..], "abc", &b" def"[..]),
            (b"a]b", "a", b"]b"),
            (b"x(y", "x", b"(y"),
            (b"\\Seen)", "\\Seen", b")"),
        ] {
            let mut c = Cursor::new(input, Limits::default());
            let parsed = if input.starts_with(b"\\") {
                c.advance(0);
                take_ascii(&mut c, |b| b == b'\\' || is_atom_char(b), Expected::Atom).unwrap()
            } else {
                Atom::parse(&mut c).unwrap().0.into_owned().leak()
            };
            assert_eq!(parsed, atom);
            assert_eq!(c.rest(), rest);
        }
    }

    #[test]
    fn tags_exclude_plus() {
        let mut c = Cursor::new(b"a+1", Limits::default());
        assert_eq!(Tag::parse(&mut c).unwrap().as_str(), "a");
        assert!(Tag::new("a+").is_none());
        assert!(Tag::new("A001").is_some());
        let mut c = Cursor::new(b"+", Limits::default());
        assert!(Tag::parse(&mut c).is_err());
    }
}
