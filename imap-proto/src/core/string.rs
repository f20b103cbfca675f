//! Strings: `quoted`, `literal`, `literal8`, and the `string` / `astring` / `nstring`
//! alternatives built from them (RFC 9051 §4.3, §9; RFC 3516 `literal8`; RFC 7888 `{n+}`).
//!
//! An [`IString`] remembers its wire form (atom, quoted or literal) so a re-encoder can keep
//! it, but compares by content: `"abc"`, `abc` and `{3}\r\nabc` are equal.

use std::borrow::Cow;
use std::fmt;

use super::atom::{Atom, is_astring_char};
use super::cursor::{Cursor, ParseResult};
use super::encode::put_number;
use super::number::number64;
use super::{ByteStr, Encode, IntoOwned, Sink};
use crate::{Expected, Limit};

/// The content of a quoted string in its escaped wire form (without the surrounding quotes),
/// so decoding never copies; [`Quoted::unescaped`] removes the backslashes.
#[derive(Clone, Eq, Hash)]
pub struct Quoted<'a> {
    escaped: ByteStr<'a>,
}

/// The bytes that end a plain run inside a quoted string: `"` and `\` (end or escape), and
/// NUL, CR and LF, which no quoted string may carry.
// Indexing in a const initialiser cannot panic at run time: out of bounds does not compile.
#[allow(clippy::indexing_slicing)]
const QUOTED_STOP: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table[0] = true;
    table[b'\r' as usize] = true;
    table[b'\n' as usize] = true;
    table
};

/// Whether `b` ends a plain run inside a quoted string (a `u8` is always within the table,
/// so the bounds check compiles away).
#[inline]
fn is_quoted_stop(b: u8) -> bool {
    QUOTED_STOP.get(usize::from(b)).copied().unwrap_or(true)
}

/// The offset of the first byte in `body` that may end a plain run of a quoted string: `"`,
/// `\` or a byte below 0x0E (NUL, CR and LF among them; the others, such as TAB, are
/// quoted characters, which the caller's full parser then accepts). `body.len()` if none.
///
/// Eight bytes at a time in a `u64`: for each test, `(v - 0x01..) & !v & 0x80..` flags the
/// bytes of `v` that are zero (or, with `0x0E..`, below 0x0E). A borrow can flag a byte
/// wrongly, but only above a byte flagged rightly, so the lowest flag is exact.
#[inline(always)]
fn plain_run(body: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut at = 0;
    while let Some(word) = body.get(at..at + 8) {
        let Ok(word) = <[u8; 8]>::try_from(word) else {
            break;
        };
        let x = u64::from_le_bytes(word);
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        let flags = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (x.wrapping_sub(ONES * 0x0e) & !x))
            & HIGH;
        if flags != 0 {
            return at + (flags.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    let tail = body.get(at..).unwrap_or_default();
    at + tail
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x0e)
        .unwrap_or(tail.len())
}

impl<'a> Quoted<'a> {
    /// The common case of [`Quoted::parse`], inlined where strings are read: a quoted string
    /// without escapes, whose first special byte is its closing quote. `None` (nothing
    /// consumed) sends the caller to the full parser, which also reports the errors.
    #[inline(always)]
    fn parse_plain(c: &mut Cursor<'a>) -> Option<Self> {
        let body = c.rest().get(1..)?;
        let len = plain_run(body);
        if body.get(len) != Some(&b'"') {
            return None;
        }
        let escaped = body.get(..len)?;
        c.skip(len + 2);
        Some(Quoted {
            escaped: ByteStr::borrowed(escaped),
        })
    }

    /// Parses `DQUOTE *QUOTED-CHAR DQUOTE`. Any byte but NUL, CR and LF may appear (8-bit
    /// text for UTF8=ACCEPT); `"` and `\` must be escaped.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        c.expect(b'"', Expected::Quote)?;
        let start = c.pos();
        let rest = c.rest();
        let mut at = 0;
        loop {
            // One pass, a table lookup per byte: quoted strings are short (envelope fields,
            // names), where two memchr calls cost more in setup than they save.
            let Some(found) = rest
                .get(at..)
                .and_then(|tail| tail.iter().position(|&b| is_quoted_stop(b)))
                .map(|found| at + found)
            else {
                c.advance(rest.len());
                return Err(c.error(Expected::Quote));
            };
            match rest.get(found) {
                Some(b'"') => {
                    c.advance(found + 1);
                    let escaped = c.input().get(start..start + found).unwrap_or_default();
                    return Ok(Quoted {
                        escaped: ByteStr::borrowed(escaped),
                    });
                }
                Some(b'\\') if matches!(rest.get(found + 1), Some(b'"' | b'\\')) => {
                    at = found + 2;
                }
                // NUL, CR, LF, or a backslash escaping anything else.
                _ => {
                    c.advance(found);
                    return Err(c.error(Expected::QuotedChar));
                }
            }
        }
    }

    /// A quoted string holding `content`, or `None` if it has a byte a quoted string cannot
    /// carry (NUL, CR, LF).
    pub fn new(content: &[u8]) -> Option<Quoted<'static>> {
        if content.iter().any(|&b| matches!(b, 0 | b'\r' | b'\n')) {
            return None;
        }
        let mut escaped = Vec::with_capacity(content.len() + 2);
        for &b in content {
            if b == b'"' || b == b'\\' {
                escaped.push(b'\\');
            }
            escaped.push(b);
        }
        Some(Quoted {
            escaped: ByteStr::from(escaped),
        })
    }

    /// The escaped wire form, without the quotes.
    pub fn escaped(&self) -> &[u8] {
        self.escaped.as_bytes()
    }

    /// The content with escapes removed (borrowed when there were none).
    pub fn unescaped(&self) -> Cow<'_, [u8]> {
        let raw = self.escaped.as_bytes();
        if memchr::memchr(b'\\', raw).is_none() {
            return Cow::Borrowed(raw);
        }
        Cow::Owned(unescape_iter(raw).collect())
    }
}

fn unescape_iter(raw: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let mut escaped = false;
    raw.iter().filter_map(move |&b| {
        if b == b'\\' && !escaped {
            escaped = true;
            None
        } else {
            escaped = false;
            Some(b)
        }
    })
}

impl PartialEq for Quoted<'_> {
    fn eq(&self, other: &Self) -> bool {
        unescape_iter(self.escaped()).eq(unescape_iter(other.escaped()))
    }
}

impl fmt::Debug for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(&self.unescaped()))
    }
}

impl Encode for Quoted<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(b"\"");
        out.put(self.escaped());
        out.put(b"\"");
    }
}

impl IntoOwned for Quoted<'_> {
    type Owned = Quoted<'static>;
    fn into_owned(self) -> Self::Owned {
        Quoted {
            escaped: self.escaped.into_owned(),
        }
    }
}

/// How a literal was announced: synchronising `{n}` (the client waits for `+`) or
/// non-synchronising `{n+}` (LITERAL+ / LITERAL-).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum LiteralMode {
    /// `{n}`: the sender waits for a continuation request.
    Sync,
    /// `{n+}`: the data follows at once.
    NonSync,
}

/// A literal: `{n}\r\n` (or `{n+}`, or `~{n}` for binary `literal8`) followed by n octets.
#[derive(Clone, Eq, Hash)]
pub struct Literal<'a> {
    /// The octets.
    pub data: ByteStr<'a>,
    /// How it was (or will be) announced.
    pub mode: LiteralMode,
    /// Whether it is a `literal8` (`~{n}`, RFC 3516), which may hold NUL.
    pub binary: bool,
}

impl<'a> Literal<'a> {
    /// Parses `literal` or, when `allow_binary`, also `literal8`.
    pub fn parse(c: &mut Cursor<'a>, allow_binary: bool) -> ParseResult<Self> {
        let binary = allow_binary && c.eat(b'~');
        let announcement = c.pos();
        c.expect(b'{', Expected::LiteralAnnouncement)?;
        let size = number64(c)?;
        let mode = if c.eat(b'+') {
            LiteralMode::NonSync
        } else {
            LiteralMode::Sync
        };
        c.expect(b'}', Expected::LiteralAnnouncement)?;
        c.crlf()?;
        if size > c.limits().max_literal_size {
            let mut at = c.clone();
            at.reset_to(announcement);
            return Err(at.limit_error(Limit::LiteralSize));
        }
        let size = usize::try_from(size).map_err(|_| c.limit_error(Limit::LiteralSize))?;
        let data = c.take(size, Expected::LiteralAnnouncement)?;
        Ok(Literal {
            data: ByteStr::borrowed(data),
            mode,
            binary,
        })
    }

    /// A synchronising literal holding `data`.
    pub fn new(data: impl Into<ByteStr<'a>>) -> Self {
        Literal {
            data: data.into(),
            mode: LiteralMode::Sync,
            binary: false,
        }
    }
}

impl PartialEq for Literal<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.data == other.data && self.binary == other.binary
    }
}

impl fmt::Debug for Literal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Literal{}{:?}",
            if self.binary { "8" } else { "" },
            self.data
        )
    }
}

impl Encode for Literal<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        if self.binary {
            out.put(b"~");
        }
        out.put(b"{");
        put_number(out, self.data.len() as u64);
        if self.mode == LiteralMode::NonSync {
            out.put(b"+");
        }
        out.put(b"}\r\n");
        out.literal_follows(self.mode == LiteralMode::Sync);
        out.put(self.data.as_bytes());
    }
}

impl IntoOwned for Literal<'_> {
    type Owned = Literal<'static>;
    fn into_owned(self) -> Self::Owned {
        Literal {
            data: self.data.into_owned(),
            mode: self.mode,
            binary: self.binary,
        }
    }
}

/// An IMAP string value in the form it came in (or should go out): an atom (only where the
/// grammar allows `astring`), a quoted string or a literal. Equality compares content only.
#[derive(Clone, Eq, Hash)]
pub enum IString<'a> {
    /// `1*ASTRING-CHAR`, as in `astring`.
    Atom(Atom<'a>),
    /// A quoted string.
    Quoted(Quoted<'a>),
    /// A literal or literal8.
    Literal(Literal<'a>),
}

impl<'a> IString<'a> {
    /// Parses `string`: quoted or literal.
    ///
    /// The common case, a quoted string without escapes, is inlined where strings are read;
    /// the rest (literals, escapes, errors) is one call away, so the inlined part needs few
    /// registers and no call saves any.
    #[inline(always)]
    pub fn parse_string(c: &mut Cursor<'a>) -> ParseResult<Self> {
        if c.peek() == Some(b'"')
            && let Some(quoted) = Quoted::parse_plain(c)
        {
            return Ok(IString::Quoted(quoted));
        }
        Self::parse_string_other(c)
    }

    /// [`parse_string`](Self::parse_string) but for a plain quoted string.
    #[inline(never)]
    fn parse_string_other(c: &mut Cursor<'a>) -> ParseResult<Self> {
        match c.peek() {
            Some(b'"') => Quoted::parse(c).map(IString::Quoted),
            Some(b'{') => Literal::parse(c, false).map(IString::Literal),
            _ => Err(c.error(Expected::String)),
        }
    }

    /// Parses `string` or `literal8` (where RFC 3516 allows binary data).
    pub fn parse_string8(c: &mut Cursor<'a>) -> ParseResult<Self> {
        match c.peek() {
            Some(b'~') => Literal::parse(c, true).map(IString::Literal),
            _ => Self::parse_string(c),
        }
    }

    /// Parses `astring`: `1*ASTRING-CHAR` or `string`.
    pub fn parse_astring(c: &mut Cursor<'a>) -> ParseResult<Self> {
        match c.peek() {
            Some(b'"' | b'{') => Self::parse_string(c),
            Some(b) if is_astring_char(b) => Atom::parse_astring_chars(c).map(IString::Atom),
            _ => Err(c.error(Expected::AString)),
        }
    }

    /// Parses `nstring`: `NIL` or `string`.
    ///
    /// Inlined like [`parse_string`](Self::parse_string): a plain quoted string or `NIL`
    /// here, the rest one call away.
    #[inline(always)]
    pub fn parse_nstring(c: &mut Cursor<'a>) -> ParseResult<Option<Self>> {
        match c.peek() {
            Some(b'"') => {
                if let Some(quoted) = Quoted::parse_plain(c) {
                    return Ok(Some(IString::Quoted(quoted)));
                }
            }
            _ if parse_nil(c) => return Ok(None),
            _ => {}
        }
        Self::parse_nstring_other(c)
    }

    /// [`parse_nstring`](Self::parse_nstring) but for a plain quoted string or `NIL`.
    #[inline(never)]
    fn parse_nstring_other(c: &mut Cursor<'a>) -> ParseResult<Option<Self>> {
        // One dispatch on the first byte; a failure is reported where it happened.
        let parsed = match c.peek() {
            Some(b'"') => Quoted::parse(c).map(IString::Quoted),
            Some(b'{') => Literal::parse(c, false).map(IString::Literal),
            _ if parse_nil(c) => return Ok(None),
            _ => return Err(c.error(Expected::NString)),
        };
        parsed.map(Some).map_err(|_| c.error(Expected::NString))
    }

    /// Parses `nstring` or `literal8`.
    pub fn parse_nstring8(c: &mut Cursor<'a>) -> ParseResult<Option<Self>> {
        if parse_nil(c) {
            Ok(None)
        } else {
            Self::parse_string8(c)
                .map_err(|_| c.error(Expected::NString))
                .map(Some)
        }
    }

    /// A value holding `bytes`, encoded quoted when possible, else as a literal.
    pub fn from_bytes(bytes: &[u8]) -> IString<'static> {
        match Quoted::new(bytes) {
            Some(quoted) => IString::Quoted(quoted),
            None => IString::Literal(Literal::new(ByteStr::from(bytes.to_vec()))),
        }
    }

    /// The content (unescaped; borrowed unless a quoted string had escapes).
    pub fn bytes(&self) -> Cow<'_, [u8]> {
        match self {
            IString::Atom(atom) => Cow::Borrowed(atom.as_str().as_bytes()),
            IString::Quoted(quoted) => quoted.unescaped(),
            IString::Literal(literal) => Cow::Borrowed(literal.data.as_bytes()),
        }
    }

    /// The content as text, replacing invalid UTF-8.
    pub fn to_str_lossy(&self) -> String {
        String::from_utf8_lossy(&self.bytes()).into_owned()
    }

    /// Whether the content equals `other`, ignoring ASCII case.
    #[inline]
    pub fn eq_ignore_case(&self, other: &[u8]) -> bool {
        // Inlined for keywords, which hold neither `\` nor `"`: such a word equals the content
        // exactly when it equals the wire bytes, since an escape in a quoted string is a `\`
        // standing for one of the two (the test folds away for a constant word).
        if !other.iter().any(|&b| b == b'\\' || b == b'"') {
            let raw = match self {
                IString::Atom(atom) => atom.as_str().as_bytes(),
                IString::Quoted(quoted) => quoted.escaped(),
                IString::Literal(literal) => literal.data.as_bytes(),
            };
            return raw.eq_ignore_ascii_case(other);
        }
        self.eq_ignore_case_escaped(other)
    }

    /// [`eq_ignore_case`](Self::eq_ignore_case) for a word holding `\` or `"`.
    #[inline(never)]
    fn eq_ignore_case_escaped(&self, other: &[u8]) -> bool {
        match self {
            // Escaped and content are the same when they are as long as `other`, unless an
            // escape is among them; no comparison needs to unescape a copy.
            IString::Quoted(quoted) if quoted.escaped().len() == other.len() => {
                quoted.escaped().eq_ignore_ascii_case(other) && !quoted.escaped().contains(&b'\\')
            }
            IString::Quoted(quoted) if quoted.escaped().len() < other.len() => false,
            IString::Atom(atom) => atom.as_str().as_bytes().eq_ignore_ascii_case(other),
            IString::Literal(literal) => literal.data.as_bytes().eq_ignore_ascii_case(other),
            IString::Quoted(_) => self.bytes().eq_ignore_ascii_case(other),
        }
    }

    /// Encodes as `string` (quoted or literal): an atom becomes a quoted string, and a quoted
    /// value that cannot be quoted becomes a literal.
    pub fn encode_string<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            IString::Literal(literal) => literal.encode(out),
            IString::Quoted(quoted) => quoted.encode(out),
            IString::Atom(atom) => match Quoted::new(atom.as_str().as_bytes()) {
                Some(quoted) => quoted.encode(out),
                None => Literal::new(atom.as_str().as_bytes()).encode(out),
            },
        }
    }

    /// Encodes as `astring`: atoms stay atoms.
    pub fn encode_astring<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            IString::Atom(atom) if Atom::new(atom.as_str()).is_some() => atom.encode(out),
            other => other.encode_string(out),
        }
    }

    /// Encodes an `nstring`.
    pub fn encode_nstring<S: Sink + ?Sized>(value: Option<&Self>, out: &mut S) {
        match value {
            Some(value) => value.encode_string(out),
            None => out.put(b"NIL"),
        }
    }
}

/// Consumes `NIL` (case-insensitive) when it is next and not the start of a longer atom.
/// Always inlined: a few instructions, called where a call's saves would cost more.
#[inline(always)]
pub fn parse_nil(c: &mut Cursor<'_>) -> bool {
    // Most values are strings or lists: their first byte rules NIL out at once.
    if !matches!(c.peek(), Some(b'N' | b'n')) {
        return false;
    }
    let rest = c.rest();
    // `| 0x20` lowercases the three letters and maps nothing else onto them.
    let nil = match rest {
        [n, i, l, ..] => [n | 0x20, i | 0x20, l | 0x20] == *b"nil",
        _ => false,
    };
    if nil
        && !rest
            .get(3)
            .is_some_and(|&b| super::atom::in_class(b, super::atom::class::ATOM))
    {
        c.skip(3);
        true
    } else {
        false
    }
}

impl<'a> super::ListItem<'a> for IString<'a> {
    /// Parses an `astring` (which every list of strings in the grammar is a subset of:
    /// header-field names, body languages).
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        Self::parse_astring(c)
    }
}

impl<'a> super::ListItem<'a> for (IString<'a>, Option<IString<'a>>) {
    /// Parses an `astring SP nstring8` pair, which both lists of such pairs in the grammar
    /// are a subset of: ID's `string SP nstring` and METADATA's `entry SP value`.
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let name = IString::parse_astring(c)?;
        c.sp()?;
        Ok((name, IString::parse_nstring8(c)?))
    }
}

impl PartialEq for IString<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (IString::Literal(a), IString::Literal(b)) => a == b,
            (IString::Literal(a), _) | (_, IString::Literal(a)) if a.binary => false,
            _ => self.bytes() == other.bytes(),
        }
    }
}

impl fmt::Debug for IString<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IString::Atom(atom) => write!(f, "Atom({atom:?})"),
            IString::Quoted(quoted) => write!(f, "Quoted({quoted:?})"),
            IString::Literal(literal) => literal.fmt(f),
        }
    }
}

impl Encode for IString<'_> {
    /// Encodes as `astring` (see [`IString::encode_astring`]).
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        self.encode_astring(out);
    }
}

impl IntoOwned for IString<'_> {
    type Owned = IString<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            IString::Atom(atom) => IString::Atom(atom.into_owned()),
            IString::Quoted(quoted) => IString::Quoted(quoted.into_owned()),
            IString::Literal(literal) => IString::Literal(literal.into_owned()),
        }
    }
}

impl From<&str> for IString<'static> {
    fn from(text: &str) -> Self {
        IString::from_bytes(text.as_bytes())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for IString<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&String::from_utf8_lossy(&self.bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorKind, Limits};

    #[test]
    fn eq_ignore_case_compares_content() {
        let values = [
            IString::Quoted(Quoted::new(b"Text").unwrap()),
            IString::Quoted(Quoted::new(b"a\"b").unwrap()),
            IString::Quoted(Quoted::new(b"a\\b").unwrap()),
            IString::Quoted(Quoted::new(b"\"\"").unwrap()),
            IString::Quoted(Quoted::new(b"").unwrap()),
            IString::Atom(Atom::new("TEXT").unwrap()),
            IString::Literal(Literal::new(&b"te\"t"[..])),
        ];
        let words: [&[u8]; 11] = [
            b"TEXT",
            b"text",
            b"tex",
            b"texts",
            b"A\"B",
            b"a\\b",
            b"a\\\"b",
            b"\"\"",
            b"\\\"\\\"",
            b"",
            b"TE\"T",
        ];
        for value in &values {
            for word in words {
                assert_eq!(
                    value.eq_ignore_case(word),
                    value.bytes().eq_ignore_ascii_case(word),
                    "{value:?} {word:?}"
                );
            }
        }
    }

    #[test]
    fn plain_run_finds_the_first_stop_candidate() {
        let naive = |body: &[u8]| {
            body.iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x0e)
                .unwrap_or(body.len())
        };
        // Every special byte (and its neighbours across the 0x0E and 0x80 edges) at every
        // offset of bodies around the word size, over plain bytes of both halves.
        let specials = [
            0u8, 1, b'\t', b'\n', 0x0c, b'\r', 0x0e, 0x0f, b'"', b'\\', 0x7f, 0x80, 0xff,
        ];
        for len in 0..=26 {
            for filler in [b'a', 0x21, 0x23, 0x5b, 0x5d, 0x8e, 0xa2, 0xdc, 0xff] {
                let body = vec![filler; len];
                assert_eq!(plain_run(&body), naive(&body));
                for at in 0..len {
                    for special in specials {
                        for second in [None, Some(0u8), Some(b'"'), Some(0x01)] {
                            let mut body = body.clone();
                            body[at] = special;
                            if let Some(second) = second.filter(|_| at + 1 < len) {
                                body[at + 1] = second;
                            }
                            assert_eq!(plain_run(&body), naive(&body), "{body:?}");
                        }
                    }
                }
            }
        }
    }

    fn cursor(input: &[u8]) -> Cursor<'_> {
        Cursor::new(input, Limits::default())
    }

    #[test]
    fn quoted_known_answers() {
        let mut c = cursor(br#""a\"b\\c" x"#);
        let q = Quoted::parse(&mut c).unwrap();
        assert_eq!(q.escaped(), br#"a\"b\\c"#);
        assert_eq!(&*q.unescaped(), br#"a"b\c"#);
        assert_eq!(c.rest(), b" x");
        assert_eq!(
            Quoted::parse(&mut cursor(b"\"a\\x\""))
                .unwrap_err()
                .offset(),
            2
        );
        assert_eq!(Quoted::parse(&mut cursor(b"\"ab")).unwrap_err().offset(), 3);
        assert!(Quoted::parse(&mut cursor(b"\"a\r\n\"")).is_err());
        // NUL, CR and LF are refused where they stand, before or after an escape; a string
        // that has not ended is a missing quote at the end of the input.
        for (input, offset, expected) in [
            (&b"\"ab\0c\""[..], 3, Expected::QuotedChar),
            (b"\"a\\\"b\nc\"", 5, Expected::QuotedChar),
            (b"\"abc\rd\"", 4, Expected::QuotedChar),
            (b"\"a\\\\bc", 6, Expected::Quote),
        ] {
            let error = Quoted::parse(&mut cursor(input)).unwrap_err();
            assert_eq!(
                (error.offset(), error.kind()),
                (offset, ErrorKind::Expected(expected)),
                "{input:?}"
            );
        }
        let utf8 = "\"Entwürfe\"";
        assert_eq!(
            &*Quoted::parse(&mut cursor(utf8.as_bytes()))
                .unwrap()
                .unescaped(),
            "Entwürfe".as_bytes()
        );
    }

    #[test]
    fn literal_forms() {
        let mut c = cursor(b"{5}\r\nhello rest");
        let l = Literal::parse(&mut c, false).unwrap();
        assert_eq!(l.data.as_bytes(), b"hello");
        assert_eq!(l.mode, LiteralMode::Sync);
        assert_eq!(c.rest(), b" rest");
        let l = Literal::parse(&mut cursor(b"{2+}\r\nab"), false).unwrap();
        assert_eq!(l.mode, LiteralMode::NonSync);
        let l = Literal::parse(&mut cursor(b"~{3}\r\na\0b"), true).unwrap();
        assert!(l.binary);
        assert_eq!(l.data.as_bytes(), b"a\0b");
        assert!(Literal::parse(&mut cursor(b"{5}\r\nab"), false).is_err());
        let small = Limits {
            max_literal_size: 4,
            ..Limits::default()
        };
        let err = Literal::parse(&mut Cursor::new(b"x{5}\r\nhello", small).clone(), false);
        assert!(err.is_err());
        let mut c = Cursor::new(b"{5}\r\nhello", small);
        let err = Literal::parse(&mut c, false).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LimitExceeded(Limit::LiteralSize));
        assert_eq!(err.offset(), 0);
    }

    #[test]
    fn astring_and_nstring() {
        let a = IString::parse_astring(&mut cursor(b"INBOX]x")).unwrap();
        assert_eq!(&*a.bytes(), b"INBOX]x");
        assert_eq!(IString::parse_nstring(&mut cursor(b"NIL ")).unwrap(), None);
        assert_eq!(
            IString::parse_nstring(&mut cursor(b"\"NIL\"")).unwrap(),
            Some(IString::from("NIL"))
        );
        assert!(IString::parse_nstring(&mut cursor(b"NILS")).is_err());
        assert_eq!(
            IString::parse_astring(&mut cursor(b"{3}\r\nabc")).unwrap(),
            IString::parse_astring(&mut cursor(b"abc")).unwrap()
        );
    }

    #[test]
    fn encoding_picks_a_valid_form() {
        let atom = IString::Atom(Atom::new("a b").unwrap_or(Atom::unchecked("a b")));
        assert_eq!(atom.to_bytes(), b"\"a b\"");
        let ok = IString::Atom(Atom::new("ab").unwrap());
        assert_eq!(ok.to_bytes(), b"ab");
        let mut out = Vec::new();
        ok.encode_string(&mut out);
        assert_eq!(out, b"\"ab\"");
        assert_eq!(IString::from("x\r\ny").to_bytes(), b"{4}\r\nx\r\ny");
        assert_eq!(IString::from("a\"b").to_bytes(), b"\"a\\\"b\"");
        let mut out = Vec::new();
        IString::encode_nstring(None, &mut out);
        assert_eq!(out, b"NIL");
    }
}
