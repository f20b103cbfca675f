//! [`RawValue`]: one syntactically valid value kept as its wire bytes, for extensions this
//! crate does not know (unknown FETCH attributes, ESEARCH return data, STATUS items, LIST
//! extended items), so they survive a decode/encode round trip unchanged.

use std::fmt;

use super::atom::is_astring_char;
use super::cursor::{Cursor, ParseResult};
use super::string::{Literal, Quoted};
use super::{ByteStr, Encode, IntoOwned, Sink};
use crate::Expected;

/// One value: an atom-like token (numbers, sequence sets, `NIL`, `BODY[...]`-style names), a
/// quoted string, a literal (or literal8), or a parenthesised list of values; kept verbatim.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RawValue<'a>(pub ByteStr<'a>);

fn token_char(b: u8) -> bool {
    is_astring_char(b) || matches!(b, b'*' | b'%' | b'[' | b'<' | b'>' | b'\\') || b >= 0x80
}

fn skip_one(c: &mut Cursor<'_>) -> ParseResult<()> {
    match c.peek() {
        Some(b'(') => {
            c.advance(1);
            c.enter()?;
            let mut count = 0usize;
            if !c.eat(b')') {
                loop {
                    count += 1;
                    c.check_list_length(count)?;
                    skip_one(c)?;
                    if c.eat(b')') {
                        break;
                    }
                    c.sp()?;
                }
            }
            c.leave();
            Ok(())
        }
        Some(b'"') => Quoted::parse(c).map(drop),
        Some(b'{' | b'~') => Literal::parse(c, true).map(drop),
        _ => {
            // Tokens may carry a bracketed part with spaces, as in BODY[HEADER.FIELDS (A B)].
            let start = c.pos();
            loop {
                c.take_while(|b| token_char(b) && b != b'[');
                if c.eat(b'[') {
                    c.take_while(|b| b != b']' && b != b'\r' && b != b'\n');
                    c.expect(b']', Expected::CloseBracket)?;
                } else {
                    break;
                }
            }
            if c.pos() == start {
                Err(c.error(Expected::Atom))
            } else {
                Ok(())
            }
        }
    }
}

impl<'a> RawValue<'a> {
    /// Parses one value and keeps its bytes.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let start = c.pos();
        skip_one(c)?;
        Ok(RawValue(ByteStr::borrowed(c.since(start))))
    }

    /// A value from wire bytes, if they parse as exactly one value.
    pub fn new(wire: &[u8]) -> Option<RawValue<'static>> {
        let mut c = Cursor::new(wire, crate::Limits::default());
        skip_one(&mut c).ok()?;
        c.is_at_end()
            .then(|| RawValue(ByteStr::from(wire.to_vec())))
    }

    /// The wire bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl<'a> super::ListItem<'a> for RawValue<'a> {
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        Self::parse(c)
    }
}

impl fmt::Debug for RawValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Raw({:?})", self.0.to_str_lossy())
    }
}

impl Encode for RawValue<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(self.0.as_bytes());
    }
}

impl IntoOwned for RawValue<'_> {
    type Owned = RawValue<'static>;
    fn into_owned(self) -> Self::Owned {
        RawValue(self.0.into_owned())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for RawValue<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;

    #[test]
    fn known_answers() {
        for (input, raw) in [
            (
                &b"(1 \"a b\" (x {2}\r\nyz)) rest"[..],
                &b"(1 \"a b\" (x {2}\r\nyz))"[..],
            ),
            (b"123:45,7 rest", b"123:45,7"),
            (b"NIL)", b"NIL"),
            (b"X[A (B C)]<1> y", b"X[A (B C)]<1>"),
        ] {
            let mut c = Cursor::new(input, Limits::default());
            assert_eq!(RawValue::parse(&mut c).unwrap().as_bytes(), raw);
        }
        assert!(RawValue::new(b"(a").is_none());
        let deep = [b"(".repeat(100), b")".repeat(100)].concat();
        assert!(RawValue::parse(&mut Cursor::new(&deep, Limits::default())).is_err());
    }
}
