//! Continuation requests: `+ text` (go ahead with a literal, IDLE accepted) and `+ base64`
//! (a SASL challenge) (RFC 9051 §7.5).

use super::status::ResponseText;
use crate::core::cursor::{Cursor, ParseResult};
use crate::core::{ByteStr, Encode, IntoOwned, Sink};

/// A continuation request.
///
/// The grammar cannot always tell text from base64: a line that is non-empty, a multiple of
/// four characters long and made only of base64 characters (`+ Zm9v`, but also `+ Done`) is
/// decoded as [`Continuation::Base64`]; anything else, including an empty line, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Continuation<'a> {
    /// `+ [code] text`.
    Text(ResponseText<'a>),
    /// `+ base64` (not decoded; the SASL layer does that).
    Base64(ByteStr<'a>),
}

/// Whether `data` looks like base64 (see [`Continuation`]).
pub fn is_base64(data: &[u8]) -> bool {
    if data.is_empty() || !data.len().is_multiple_of(4) {
        return false;
    }
    let body_len = data.iter().rev().take_while(|&&b| b == b'=').count();
    body_len <= 2
        && data
            .get(..data.len() - body_len)
            .unwrap_or_default()
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

impl<'a> Continuation<'a> {
    /// Parses `"+" [SP (resp-text / base64)]` up to (not including) CRLF.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        c.expect(b'+', crate::Expected::Response)?;
        let start = c.pos();
        if c.eat(b' ') {
            let rest = c.rest();
            let line = rest
                .iter()
                .position(|&b| b == b'\r' || b == b'\n')
                .map_or(rest, |end| rest.get(..end).unwrap_or_default());
            if is_base64(line) {
                c.advance(line.len());
                return Ok(Continuation::Base64(ByteStr::borrowed(line)));
            }
            c.reset_to(start);
        }
        ResponseText::parse(c).map(Continuation::Text)
    }
}

impl Encode for Continuation<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            Continuation::Text(text) => {
                out.put(b"+");
                if text.code.is_none() && text.text.is_empty() {
                    out.put(b" ");
                }
                text.encode(out);
            }
            Continuation::Base64(data) => {
                out.put(b"+ ");
                out.put(data.as_bytes());
            }
        }
        out.put(b"\r\n");
    }
}

impl IntoOwned for Continuation<'_> {
    type Owned = Continuation<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            Continuation::Text(t) => Continuation::Text(t.into_owned()),
            Continuation::Base64(d) => Continuation::Base64(d.into_owned()),
        }
    }
}
