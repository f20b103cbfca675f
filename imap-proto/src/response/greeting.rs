//! The server greeting (RFC 9051 §7.1: `* OK`, `* PREAUTH` or `* BYE` as the first line).

use super::status::{ResponseText, Status, parse_status};
use crate::core::cursor::{Cursor, ParseResult};
use crate::core::owned::into_owned_struct;
use crate::core::{Encode, Sink};
use crate::{DecodeError, Decoded, Expected, Limits};

/// The first line a server sends.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Greeting<'a> {
    /// `Ok` (not authenticated), `PreAuth` (already authenticated) or `Bye` (rejected).
    pub status: Status,
    /// Code (often `CAPABILITY`) and text.
    pub text: ResponseText<'a>,
}

into_owned_struct!(Greeting { status, text });

impl<'a> Greeting<'a> {
    /// Parses `"*" SP (resp-cond-auth / resp-cond-bye) CRLF`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        c.expect(b'*', Expected::Response)?;
        c.sp()?;
        let at = c.pos();
        let status = parse_status(c)?;
        if !matches!(status, Status::Ok | Status::PreAuth | Status::Bye) {
            let mut here = c.clone();
            here.reset_to(at);
            return Err(here.error(Expected::StatusCondition));
        }
        let text = ResponseText::parse(c)?;
        c.crlf()?;
        Ok(Greeting { status, text })
    }

    /// Decodes a greeting from the start of `input`.
    pub fn decode(input: &'a [u8], limits: &Limits) -> Result<Decoded<Self>, DecodeError> {
        super::decode_framed(input, limits, Self::parse)
    }
}

impl Encode for Greeting<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(b"* ");
        out.put(self.status.as_str().as_bytes());
        self.text.encode(out);
        out.put(b"\r\n");
    }
}
