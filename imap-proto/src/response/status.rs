//! Status responses: `OK`, `NO`, `BAD` (tagged or untagged), `PREAUTH` and `BYE`
//! (RFC 9051 §7.1), with their optional response code and text.

use super::code::Code;
use crate::Expected;
use crate::core::cursor::{Cursor, ParseResult};
use crate::core::owned::into_owned_struct;
use crate::core::{ByteStr, Encode, IntoOwned, Sink, Tag};

/// The status condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Status {
    /// `OK`.
    Ok,
    /// `NO`.
    No,
    /// `BAD`.
    Bad,
    /// `PREAUTH` (greeting only).
    PreAuth,
    /// `BYE`.
    Bye,
}

impl Status {
    /// The keyword.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::No => "NO",
            Status::Bad => "BAD",
            Status::PreAuth => "PREAUTH",
            Status::Bye => "BYE",
        }
    }

    /// Recognises a status keyword (case-insensitive).
    pub fn from_keyword(word: &[u8]) -> Option<Self> {
        [
            Status::Ok,
            Status::No,
            Status::Bad,
            Status::PreAuth,
            Status::Bye,
        ]
        .into_iter()
        .find(|s| s.as_str().as_bytes().eq_ignore_ascii_case(word))
    }
}

/// `resp-text`: an optional response code and human-readable text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ResponseText<'a> {
    /// The `[...]` code, if any.
    pub code: Option<Code<'a>>,
    /// The text (may be empty; servers often omit it).
    pub text: ByteStr<'a>,
}

into_owned_struct!(ResponseText { code, text });

impl<'a> ResponseText<'a> {
    /// Parses what follows a status keyword: `[SP ["[" code "]" [SP]] text]`, up to (not
    /// including) CRLF.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let mut code = None;
        if !c.eat(b' ') {
            // Servers may omit the text entirely, but then nothing else may follow.
            if c.peek() != Some(b'\r') {
                return Err(c.error(Expected::Space));
            }
        } else if c.peek() == Some(b'[') {
            code = Some(Code::parse_bracketed(c)?);
            c.eat(b' ');
        }
        let text = c.take_while(|b| b != b'\r' && b != b'\n');
        Ok(ResponseText {
            code,
            text: ByteStr::borrowed(text),
        })
    }

    /// Plain text without a code.
    pub fn text(text: &'a str) -> Self {
        ResponseText {
            code: None,
            text: ByteStr::from(text),
        }
    }
}

impl Encode for ResponseText<'_> {
    /// Writes ` [code] text` (each part only when present), without CRLF.
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        if let Some(code) = &self.code {
            out.put(b" [");
            code.encode(out);
            out.put(b"]");
        }
        if !self.text.is_empty() {
            out.put(b" ");
            out.put(self.text.as_bytes());
        }
    }
}

/// A status response: `tag SP cond SP resp-text` or `* cond SP resp-text`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct StatusResponse<'a> {
    /// The tag, or `None` for an untagged response.
    pub tag: Option<Tag<'a>>,
    /// The condition.
    pub status: Status,
    /// Code and text.
    pub text: ResponseText<'a>,
}

into_owned_struct!(StatusResponse { tag, status, text });

impl IntoOwned for Status {
    type Owned = Status;
    fn into_owned(self) -> Self {
        self
    }
}

/// Parses a status keyword.
pub(crate) fn parse_status(c: &mut Cursor<'_>) -> ParseResult<Status> {
    let start = c.pos();
    let word = c.take_while(|b| b.is_ascii_alphabetic());
    Status::from_keyword(word).ok_or_else(|| {
        let mut at = c.clone();
        at.reset_to(start);
        at.error(Expected::StatusCondition)
    })
}

impl Encode for StatusResponse<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match &self.tag {
            Some(tag) => tag.encode(out),
            None => out.put(b"*"),
        }
        out.put(b" ");
        out.put(self.status.as_str().as_bytes());
        self.text.encode(out);
        out.put(b"\r\n");
    }
}
