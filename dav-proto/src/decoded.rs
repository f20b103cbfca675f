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
    /// Valid UTF-8.
    Utf8,
    /// Well-formed XML.
    WellFormedXml,
    /// No document type declaration (DTDs and entity declarations are refused).
    NoDoctype,
    /// A declared namespace prefix.
    DeclaredNamespace,
    /// A known or predefined entity reference.
    KnownEntity,
    /// A root element this decoder handles.
    KnownRootElement,
    /// A required child element.
    RequiredElement,
    /// Text content, not child elements.
    TextContent,
    /// A decimal number.
    Number,
    /// An XML attribute value.
    AttributeValue,
    /// A DAV header value of the right grammar.
    HeaderValue,
    /// A `Depth` value (`0`, `1` or `infinity`).
    DepthValue,
    /// A `T` or `F` flag (`Overwrite`).
    OverwriteFlag,
    /// A Coded-URL `<...>`.
    CodedUrl,
    /// An entity tag (`"..."` or `W/"..."`).
    EntityTag,
    /// A `Timeout` value (`Second-N` or `Infinite`).
    TimeoutValue,
    /// An `If` header list `( ... )`.
    IfList,
    /// An HTTP token.
    Token,
    /// A quoted string.
    QuotedString,
    /// iCalendar/vCard: a content line of at most 75 octets (folded).
    FoldedLine,
    /// iCalendar/vCard: a VERSION property.
    VersionProperty,
    /// iCalendar/vCard: a PRODID property.
    ProdIdProperty,
    /// iCalendar/vCard: a content line.
    ContentLine,
    /// iCalendar/vCard: a property name.
    PropertyName,
    /// iCalendar/vCard: a parameter name.
    ParameterName,
    /// iCalendar/vCard: `=` and a parameter value.
    ParameterEquals,
    /// iCalendar/vCard: a closing double quote.
    ClosingQuote,
    /// iCalendar/vCard: `:` before the property value.
    Colon,
    /// iCalendar/vCard: BEGIN of the expected component.
    Begin,
    /// iCalendar/vCard: an END matching the open BEGIN.
    MatchingEnd,
    /// iCalendar/vCard: a DATE (YYYYMMDD).
    Date,
    /// iCalendar/vCard: a TIME (`HHMMSS[Z]`).
    Time,
    /// iCalendar/vCard: a DATE-TIME (`YYYYMMDDTHHMMSS[Z]`).
    DateTime,
    /// iCalendar/vCard: a DURATION.
    Duration,
    /// iCalendar/vCard: a PERIOD (start/end or start/duration).
    Period,
    /// iCalendar/vCard: a UTC-OFFSET (`+HHMM[SS]`).
    UtcOffset,
    /// iCalendar/vCard: a RECUR rule.
    Recur,
    /// iCalendar/vCard: TRUE or FALSE.
    Boolean,
    /// iCalendar/vCard: a FLOAT.
    Float,
    /// iCalendar/vCard: an INTEGER.
    Integer,
    /// iCalendar/vCard: VERSION 3.0 or 4.0.
    VcardVersion,
    /// iCalendar/vCard: jCal/jCard JSON of the RFC 7265/7095 shape.
    JsonShape,
}

impl Expected {
    /// A short human-readable description, for messages.
    pub const fn description(self) -> &'static str {
        match self {
            Expected::Crlf => "CRLF",
            Expected::Utf8 => "valid UTF-8",
            Expected::WellFormedXml => "well-formed XML",
            Expected::NoDoctype => "no DOCTYPE (DTDs are refused)",
            Expected::DeclaredNamespace => "a declared namespace prefix",
            Expected::KnownEntity => "a predefined entity or character reference",
            Expected::KnownRootElement => "a known root element",
            Expected::RequiredElement => "a required child element",
            Expected::TextContent => "text content",
            Expected::Number => "a decimal number",
            Expected::AttributeValue => "an attribute value",
            Expected::HeaderValue => "a header value",
            Expected::DepthValue => "0, 1 or infinity",
            Expected::OverwriteFlag => "T or F",
            Expected::CodedUrl => "a Coded-URL <...>",
            Expected::EntityTag => "an entity tag",
            Expected::TimeoutValue => "Second-N or Infinite",
            Expected::IfList => "an If list ( ... )",
            Expected::Token => "a token",
            Expected::QuotedString => "a quoted string",
            Expected::FoldedLine => "a content line of at most 75 octets (folded)",
            Expected::VersionProperty => "a VERSION property",
            Expected::ProdIdProperty => "a PRODID property",
            Expected::ContentLine => "a content line",
            Expected::PropertyName => "a property name",
            Expected::ParameterName => "a parameter name",
            Expected::ParameterEquals => "`=` and a parameter value",
            Expected::ClosingQuote => "a closing double quote",
            Expected::Colon => "`:` before the property value",
            Expected::Begin => "BEGIN of the expected component",
            Expected::MatchingEnd => "an END matching the open BEGIN",
            Expected::Date => "a DATE (YYYYMMDD)",
            Expected::Time => "a TIME (HHMMSS[Z])",
            Expected::DateTime => "a DATE-TIME (YYYYMMDDTHHMMSS[Z])",
            Expected::Duration => "a DURATION",
            Expected::Period => "a PERIOD (start/end or start/duration)",
            Expected::UtcOffset => "a UTC-OFFSET (+HHMM[SS])",
            Expected::Recur => "a RECUR rule",
            Expected::Boolean => "TRUE or FALSE",
            Expected::Float => "a FLOAT",
            Expected::Integer => "an INTEGER",
            Expected::VcardVersion => "VERSION 3.0 or 4.0",
            Expected::JsonShape => "jCal/jCard JSON of the RFC 7265/7095 shape",
        }
    }
}
