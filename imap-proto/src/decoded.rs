//! The outcome types every decoder in this crate returns.

use core::fmt;
use core::num::NonZeroUsize;

use crate::limits::Limit;

/// The outcome of decoding from a buffer that may hold only the start of a message.
///
/// "Need more bytes" is a value, not an error: a decoder that returns
/// [`Decoded::Incomplete`] has consumed nothing, and the caller retries with the same bytes
/// plus whatever arrives next.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Decoded<T> {
    /// A whole value was decoded from the first `consumed` bytes of the input.
    Complete {
        /// The decoded value, borrowing from the input.
        value: T,
        /// How many input bytes the value occupied.
        consumed: usize,
    },
    /// The input ends before the value does. Nothing was consumed.
    Incomplete {
        /// A lower bound on how many more bytes are needed, when the grammar tells
        /// (a literal's announced size, say).
        needed: Option<NonZeroUsize>,
    },
}

impl<T> Decoded<T> {
    /// Applies `f` to a complete value, keeping `consumed`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Decoded<U> {
        match self {
            Decoded::Complete { value, consumed } => Decoded::Complete {
                value: f(value),
                consumed,
            },
            Decoded::Incomplete { needed } => Decoded::Incomplete { needed },
        }
    }

    /// The value and the bytes it consumed, or `None` when more input is needed.
    pub fn complete(self) -> Option<(T, usize)> {
        match self {
            Decoded::Complete { value, consumed } => Some((value, consumed)),
            Decoded::Incomplete { .. } => None,
        }
    }

    /// Whether a whole value was decoded.
    pub const fn is_complete(&self) -> bool {
        matches!(self, Decoded::Complete { .. })
    }
}

/// Why input could not be decoded: what went wrong, and at which byte offset.
///
/// The offset counts from the start of the input handed to the decoding call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError {
    offset: usize,
    kind: ErrorKind,
}

impl DecodeError {
    /// An error of `kind` at byte `offset` of the input.
    pub const fn new(offset: usize, kind: ErrorKind) -> Self {
        Self { offset, kind }
    }

    /// The byte offset, from the start of the input, where decoding failed.
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// What went wrong.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The same error with its offset moved by `base` bytes, for callers that decoded a
    /// sub-slice.
    pub const fn shifted(self, base: usize) -> Self {
        Self {
            offset: self.offset + base,
            kind: self.kind,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at offset {}", self.kind, self.offset)
    }
}

impl std::error::Error for DecodeError {}

/// The kinds of [`DecodeError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The grammar required something else here.
    Expected(Expected),
    /// One of the decoder's [`Limits`](crate::Limits) was exceeded.
    LimitExceeded(Limit),
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Expected(what) => write!(f, "expected {}", what.description()),
            ErrorKind::LimitExceeded(limit) => write!(f, "limit {} exceeded", limit.field_name()),
        }
    }
}

/// What the grammar expected where decoding failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expected {
    /// A line terminator (CRLF).
    Crlf,
    /// A single space.
    Space,
    /// A decimal number (number / number64).
    Number,
    /// A non-zero number (nz-number).
    NonZeroNumber,
    /// An atom.
    Atom,
    /// A command tag.
    Tag,
    /// A character allowed inside a quoted string (or a valid escape).
    QuotedChar,
    /// A double quote.
    Quote,
    /// A literal announcement `{n}`, `{n+}` or `~{n}`.
    LiteralAnnouncement,
    /// A string: quoted or literal.
    String,
    /// An astring: atom, quoted or literal.
    AString,
    /// NIL or a string.
    NString,
    /// The atom NIL.
    Nil,
    /// An opening parenthesis.
    OpenParen,
    /// A closing parenthesis.
    CloseParen,
    /// An opening square bracket.
    OpenBracket,
    /// A closing square bracket.
    CloseBracket,
    /// A sequence set.
    SequenceSet,
    /// A flag or keyword.
    Flag,
    /// A mailbox name.
    Mailbox,
    /// A date (dd-Mon-yyyy).
    Date,
    /// A quoted date-time.
    DateTime,
    /// A time (hh:mm:ss).
    Time,
    /// A time zone (+hhmm / -hhmm).
    Zone,
    /// A three-letter month name.
    Month,
    /// A charset name.
    Charset,
    /// Human-readable text (at least one character).
    Text,
    /// Base64 data.
    Base64,
    /// A mailbox name in modified UTF-7.
    Utf7,
    /// Valid UTF-8.
    Utf8,
    /// A specific keyword (given by the context).
    Keyword,
    /// A server response (greeting, untagged, tagged or continuation).
    Response,
    /// A response code.
    ResponseCode,
    /// A status condition (OK, NO, BAD, PREAUTH, BYE).
    StatusCondition,
    /// A capability name.
    Capability,
    /// A mailbox (LIST) attribute.
    MailboxAttribute,
    /// A quoted hierarchy delimiter or NIL.
    Delimiter,
    /// A STATUS response item.
    StatusItem,
    /// An ESEARCH return data item.
    SearchReturnData,
    /// A THREAD response list.
    Thread,
    /// A FETCH response attribute.
    FetchAttribute,
    /// A FETCH ENVELOPE structure.
    Envelope,
    /// An envelope address structure.
    Address,
    /// A BODY / BODYSTRUCTURE structure.
    BodyStructure,
    /// A BODY[...] / BINARY[...] section specification.
    Section,
    /// A `<origin>` or `<first.size>` partial range.
    Partial,
    /// ACL rights.
    Rights,
    /// A METADATA entry name or value.
    MetadataEntry,
    /// Nothing more: the message had trailing bytes.
    EndOfInput,
    /// A command name.
    CommandName,
    /// A SEARCH key.
    SearchKey,
    /// A SORT key.
    SortKey,
    /// `DONE`, ending IDLE.
    Done,
}

impl Expected {
    /// A short human-readable description, for messages.
    pub const fn description(self) -> &'static str {
        match self {
            Expected::Crlf => "CRLF",
            Expected::Space => "a space",
            Expected::Number => "a number",
            Expected::NonZeroNumber => "a non-zero number",
            Expected::Atom => "an atom",
            Expected::Tag => "a tag",
            Expected::QuotedChar => "a quoted-string character",
            Expected::Quote => "a double quote",
            Expected::LiteralAnnouncement => "a literal announcement",
            Expected::String => "a string",
            Expected::AString => "an astring",
            Expected::NString => "NIL or a string",
            Expected::Nil => "NIL",
            Expected::OpenParen => "'('",
            Expected::CloseParen => "')'",
            Expected::OpenBracket => "'['",
            Expected::CloseBracket => "']'",
            Expected::SequenceSet => "a sequence set",
            Expected::Flag => "a flag",
            Expected::Mailbox => "a mailbox name",
            Expected::Date => "a date",
            Expected::DateTime => "a date-time",
            Expected::Time => "a time",
            Expected::Zone => "a time zone",
            Expected::Month => "a month name",
            Expected::Charset => "a charset",
            Expected::Text => "text",
            Expected::Base64 => "base64 data",
            Expected::Utf7 => "modified UTF-7",
            Expected::Utf8 => "UTF-8 text",
            Expected::Keyword => "a keyword",
            Expected::Response => "a response",
            Expected::ResponseCode => "a response code",
            Expected::StatusCondition => "OK, NO, BAD, PREAUTH or BYE",
            Expected::Capability => "a capability",
            Expected::MailboxAttribute => "a mailbox attribute",
            Expected::Delimiter => "a hierarchy delimiter",
            Expected::StatusItem => "a STATUS item",
            Expected::SearchReturnData => "ESEARCH return data",
            Expected::Thread => "a thread list",
            Expected::FetchAttribute => "a FETCH attribute",
            Expected::Envelope => "an envelope",
            Expected::Address => "an address",
            Expected::BodyStructure => "a body structure",
            Expected::Section => "a section specification",
            Expected::Partial => "a partial range",
            Expected::Rights => "access rights",
            Expected::MetadataEntry => "a metadata entry",
            Expected::EndOfInput => "the end of the message",
            Expected::CommandName => "a command name",
            Expected::SearchKey => "a search key",
            Expected::SortKey => "a sort key",
            Expected::Done => "DONE",
        }
    }
}
