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
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Expected {
    /// A line terminator (CRLF).
    Crlf,
    /// CRLF, where a bare CR (not followed by LF) was found.
    CrlfNotBareCr,
    /// CRLF, where a bare LF (not preceded by CR) was found.
    CrlfNotBareLf,
    /// A single space.
    Space,
    /// The end of the line: the command takes no (more) arguments.
    EndOfLine,
    /// Valid UTF-8 text.
    Utf8,
    /// A printable character (no NUL or other control character).
    PrintableText,
    /// `FROM:` after `MAIL`.
    FromKeyword,
    /// `TO:` after `RCPT`.
    ToKeyword,
    /// `<` opening a path.
    OpenAngle,
    /// `>` closing a path.
    CloseAngle,
    /// A source route `@domain,@domain:`.
    SourceRoute,
    /// The local part of a mailbox (dot-string or quoted string).
    LocalPart,
    /// `@` between local part and domain.
    At,
    /// A domain name.
    Domain,
    /// An address literal `[...]`.
    AddressLiteral,
    /// A domain or an address literal.
    DomainOrAddressLiteral,
    /// An ESMTP parameter `keyword[=value]`.
    Parameter,
    /// A valid value for this ESMTP parameter.
    ParameterValue,
    /// xtext (RFC 3461 §4): printable ASCII with `+XX` escapes.
    Xtext,
    /// A decimal number that fits its field.
    Number,
    /// An argument to the command.
    Argument,
    /// `LAST`.
    LastKeyword,
    /// A SASL mechanism name.
    Mechanism,
    /// Base64 text, or `=` for an empty response.
    Base64,
    /// A three-digit reply code (2-5, 0-5, 0-9).
    ReplyCode,
    /// ` ` or `-` after the reply code.
    ReplySeparator,
    /// The same reply code as the first line of a multi-line reply.
    SameReplyCode,
}

impl Expected {
    /// A short human-readable description, for messages.
    pub const fn description(self) -> &'static str {
        match self {
            Expected::Crlf => "CRLF",
            Expected::CrlfNotBareCr => "CRLF, not a bare CR",
            Expected::CrlfNotBareLf => "CRLF, not a bare LF",
            Expected::Space => "a space",
            Expected::EndOfLine => "end of line",
            Expected::Utf8 => "UTF-8 text",
            Expected::PrintableText => "printable text",
            Expected::FromKeyword => "FROM:",
            Expected::ToKeyword => "TO:",
            Expected::OpenAngle => "<",
            Expected::CloseAngle => ">",
            Expected::SourceRoute => "a source route",
            Expected::LocalPart => "a local part",
            Expected::At => "@",
            Expected::Domain => "a domain",
            Expected::AddressLiteral => "an address literal",
            Expected::DomainOrAddressLiteral => "a domain or address literal",
            Expected::Parameter => "an ESMTP parameter",
            Expected::ParameterValue => "a valid parameter value",
            Expected::Xtext => "xtext",
            Expected::Number => "a number",
            Expected::Argument => "an argument",
            Expected::LastKeyword => "LAST",
            Expected::Mechanism => "a SASL mechanism",
            Expected::Base64 => "base64 or =",
            Expected::ReplyCode => "a reply code",
            Expected::ReplySeparator => "a space or - after the reply code",
            Expected::SameReplyCode => "the same reply code on every line",
        }
    }
}
