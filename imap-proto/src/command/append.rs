//! APPEND with MULTIAPPEND (RFC 3502), CATENATE (RFC 4469) and binary `literal8` data
//! (RFC 3516), UTF8=ACCEPT's `UTF8 (literal8)` data (RFC 6855 §4), and REPLACE (RFC 8508),
//! which carries the same message syntax.

use std::num::NonZeroU32;

use crate::Expected;
use crate::core::cursor::{Cursor, ParseResult, paren_list};
use crate::core::encode::put_number;
use crate::core::number::nz_number;
use crate::core::owned::into_owned_struct;
use crate::core::{DateTime, Encode, Flag, IString, IntoOwned, Literal, Mailbox, Sink};

use super::fetch::{eat_keyword, encode_spaced};

/// `APPEND mailbox message...` (several messages with MULTIAPPEND).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Append<'a> {
    /// The destination mailbox.
    pub mailbox: Mailbox<'a>,
    /// The messages (at least one).
    pub messages: Vec<AppendMessage<'a>>,
}

into_owned_struct!(Append { mailbox, messages });

/// One message of an APPEND: options and data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AppendMessage<'a> {
    /// The flag list, when sent (`()` is `Some(vec![])`).
    pub flags: Option<Vec<Flag<'a>>>,
    /// The internal date, when sent.
    pub date: Option<DateTime>,
    /// The message.
    pub data: AppendData<'a>,
}

into_owned_struct!(AppendMessage { flags, date, data });

/// The message data of an APPEND.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum AppendData<'a> {
    /// A literal (`{n}`) or, with BINARY, a `literal8` (`~{n}`).
    Literal(
        #[cfg_attr(feature = "serde", serde(serialize_with = "serialize_literal"))] Literal<'a>,
    ),
    /// `CATENATE (parts)` (RFC 4469).
    Catenate(Vec<CatenatePart<'a>>),
    /// `UTF8 (literal8)` (RFC 6855 §4): a message with UTF-8 header fields. Always a
    /// `literal8`: the encoder writes `~{n}` even if `binary` is false.
    Utf8(#[cfg_attr(feature = "serde", serde(serialize_with = "serialize_literal"))] Literal<'a>),
}

/// One part of a CATENATE.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum CatenatePart<'a> {
    /// `URL astring`: an IMAP URL naming existing message data.
    Url(IString<'a>),
    /// `TEXT literal` (or `literal8`).
    Text(#[cfg_attr(feature = "serde", serde(serialize_with = "serialize_literal"))] Literal<'a>),
    /// `UTF8 (literal8)` (RFC 6855 §4): message text with UTF-8 header fields. Always a
    /// `literal8`: the encoder writes `~{n}` even if `binary` is false.
    Utf8(#[cfg_attr(feature = "serde", serde(serialize_with = "serialize_literal"))] Literal<'a>),
}

/// Parses `"(" literal8 ")"`, the rest of `utf8-literal` after `UTF8 SP` (RFC 6855 §4).
fn parse_utf8_literal<'a>(c: &mut Cursor<'a>) -> ParseResult<Literal<'a>> {
    c.expect(b'(', Expected::OpenParen)?;
    if c.peek() != Some(b'~') {
        return Err(c.error(Expected::LiteralAnnouncement));
    }
    let literal = Literal::parse(c, true)?;
    c.expect(b')', Expected::CloseParen)?;
    Ok(literal)
}

/// Writes `UTF8 (~{n}` data `)`; the literal is always announced as a `literal8`.
fn encode_utf8_literal<S: Sink + ?Sized>(literal: &Literal<'_>, out: &mut S) {
    out.put(b"UTF8 (");
    if !literal.binary {
        out.put(b"~");
    }
    literal.encode(out);
    out.put(b")");
}

#[cfg(feature = "serde")]
fn serialize_literal<S: serde::Serializer>(
    literal: &Literal<'_>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    literal.data.serialize(serializer)
}

#[cfg(feature = "serde")]
use serde::Serialize as _;

/// `[UID] REPLACE number mailbox message` (RFC 8508).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Replace<'a> {
    /// Whether this is `UID REPLACE`.
    pub uid: bool,
    /// The message number (or UID) replaced.
    pub number: NonZeroU32,
    /// Where the new message goes.
    pub mailbox: Mailbox<'a>,
    /// The new message.
    pub message: AppendMessage<'a>,
}

into_owned_struct!(Replace {
    uid,
    number,
    mailbox,
    message
});

impl IntoOwned for AppendData<'_> {
    type Owned = AppendData<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            AppendData::Literal(l) => AppendData::Literal(l.into_owned()),
            AppendData::Catenate(parts) => AppendData::Catenate(parts.into_owned()),
            AppendData::Utf8(l) => AppendData::Utf8(l.into_owned()),
        }
    }
}

impl IntoOwned for CatenatePart<'_> {
    type Owned = CatenatePart<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            CatenatePart::Url(url) => CatenatePart::Url(url.into_owned()),
            CatenatePart::Text(l) => CatenatePart::Text(l.into_owned()),
            CatenatePart::Utf8(l) => CatenatePart::Utf8(l.into_owned()),
        }
    }
}

impl<'a> Append<'a> {
    /// Parses the arguments after `APPEND `.
    pub fn parse_arguments(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let mailbox = Mailbox::parse(c)?;
        let mut messages = Vec::new();
        while c.peek() == Some(b' ') {
            c.check_list_length(messages.len() + 1)?;
            messages.push(AppendMessage::parse(c)?);
        }
        if messages.is_empty() {
            return Err(c.error(Expected::Space));
        }
        Ok(Append { mailbox, messages })
    }
}

impl<'a> AppendMessage<'a> {
    /// Parses `append-opts SP append-data`, starting at the space before the options.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        c.sp()?;
        let mut flags = None;
        if c.peek() == Some(b'(') {
            flags = Some(Flag::parse_list(c)?);
            c.sp()?;
        }
        let mut date = None;
        if c.peek() == Some(b'"') {
            date = Some(DateTime::parse(c)?);
            c.sp()?;
        }
        let data = AppendData::parse(c)?;
        Ok(AppendMessage { flags, date, data })
    }
}

impl<'a> AppendData<'a> {
    /// Parses a literal, a literal8, `CATENATE (...)` or `UTF8 (literal8)`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        if eat_keyword(c, b"CATENATE") {
            c.sp()?;
            return paren_list(c, false, CatenatePart::parse).map(AppendData::Catenate);
        }
        if eat_keyword(c, b"UTF8") {
            c.sp()?;
            return parse_utf8_literal(c).map(AppendData::Utf8);
        }
        Literal::parse(c, true).map(AppendData::Literal)
    }
}

impl<'a> CatenatePart<'a> {
    /// Parses `URL astring`, `TEXT literal` or `UTF8 (literal8)`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        if c.eat_ci(b"UTF8 ") {
            return parse_utf8_literal(c).map(CatenatePart::Utf8);
        }
        if c.eat_ci(b"URL ") {
            return IString::parse_astring(c).map(CatenatePart::Url);
        }
        if c.eat_ci(b"TEXT ") {
            return Literal::parse(c, true).map(CatenatePart::Text);
        }
        Err(c.error(Expected::Keyword))
    }
}

impl<'a> Replace<'a> {
    /// Parses the arguments after `REPLACE `.
    pub fn parse_arguments(c: &mut Cursor<'a>, uid: bool) -> ParseResult<Self> {
        let number = nz_number(c)?;
        c.sp()?;
        let mailbox = Mailbox::parse(c)?;
        let message = AppendMessage::parse(c)?;
        Ok(Replace {
            uid,
            number,
            mailbox,
            message,
        })
    }
}

impl Encode for Append<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(b"APPEND ");
        super::encode::MailboxStr(&self.mailbox).encode(out);
        for message in &self.messages {
            message.encode(out);
        }
    }
}

impl Encode for AppendMessage<'_> {
    /// Writes ` [flags] [date] data` (with the leading space).
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(b" ");
        if let Some(flags) = &self.flags {
            Flag::encode_list(flags, out);
            out.put(b" ");
        }
        if let Some(date) = &self.date {
            date.encode(out);
            out.put(b" ");
        }
        self.data.encode(out);
    }
}

impl Encode for AppendData<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            AppendData::Literal(l) => l.encode(out),
            AppendData::Catenate(parts) => {
                out.put(b"CATENATE (");
                encode_spaced(out, parts);
                out.put(b")");
            }
            AppendData::Utf8(l) => encode_utf8_literal(l, out),
        }
    }
}

impl Encode for CatenatePart<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            CatenatePart::Url(url) => {
                out.put(b"URL ");
                super::encode::AStr(url).encode(out);
            }
            CatenatePart::Text(l) => {
                out.put(b"TEXT ");
                l.encode(out);
            }
            CatenatePart::Utf8(l) => encode_utf8_literal(l, out),
        }
    }
}

impl Encode for Replace<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(if self.uid {
            b"UID REPLACE "
        } else {
            b"REPLACE "
        });
        put_number(out, u64::from(self.number.get()));
        out.put(b" ");
        super::encode::MailboxStr(&self.mailbox).encode(out);
        self.message.encode(out);
    }
}
