//! Explicit bounds on what a decoder accepts, so hostile input costs bounded memory and time.

/// Bounds a decoder enforces. Exceeding one yields [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded).
///
/// The defaults are safe for a server facing the open Internet; raise them per connection for
/// trusted peers.
///
/// A decoder holds no bytes itself: the caller's buffer does, so one command or reply line
/// costs at most `max_line_length` (or `max_auth_line_length`) buffered octets, and message
/// data is decoded line by line as it arrives (the caller decides whether to keep it up to
/// `max_message_size`). Time is the caller's: RFC 5321 §4.5.3.2.7 asks a server to wait at
/// least 5 minutes for the next command, and a server facing hostile clients also caps
/// connections and each connection's buffer (the reference server's bounds are in the
/// README's "Reliability" section).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest command or reply line accepted, in octets, CRLF included (RFC 5321 §4.5.3.1.4-6).
    ///
    /// A line is counted as it would be re-sent: content plus CRLF. Under
    /// [`LineEndings::Lenient`] a line ended by a bare LF is counted with two terminator octets,
    /// not one, so the default admits at most 998 content octets however the line ends, and
    /// everything that decodes re-encodes within this limit.
    pub max_line_length: usize,
    /// Largest message payload (DATA after un-stuffing, or the sum of BDAT chunks) accepted, in octets.
    pub max_message_size: u64,
    /// Most lines accepted in one multi-line reply.
    pub max_reply_lines: usize,
    /// Most elements accepted in one list (ESMTP parameters, capability arguments).
    pub max_list_length: usize,
    /// Longest AUTH command or AUTH continuation line accepted, in octets, CRLF included
    /// (counted like [`Limits::max_line_length`]). RFC 4954 §4 raises the command-line limit for
    /// AUTH to 12288 octets.
    pub max_auth_line_length: usize,
    /// What to do with a CR or LF that is not part of a CRLF pair, in command lines, replies
    /// and message data.
    pub line_endings: LineEndings,
}

/// Policy for bare CR and bare LF (a CR not followed by LF, an LF not preceded by CR).
///
/// RFC 5321 §2.3.8 forbids them; receivers that accept them differently from the next hop are
/// what SMTP smuggling (CVE-2023-51764 and kin) exploits. In **both** modes only `CRLF.CRLF`
/// ends DATA: `LF.LF`, `CR.CR`, `LF.CRLF` and the like never do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum LineEndings {
    /// A bare CR or bare LF is an error ([`Expected::CrlfNotBareCr`](crate::Expected::CrlfNotBareCr),
    /// [`Expected::CrlfNotBareLf`](crate::Expected::CrlfNotBareLf)). The default: a receiving
    /// server must be able to refuse smuggling attempts outright, and RFC 5321 never allows
    /// bare line ends on the wire.
    #[default]
    Strict,
    /// A bare LF ends a command or reply line (as sent by hand-typed sessions and some old
    /// software); in message data bare CR and bare LF are ordinary payload bytes.
    Lenient,
}

impl Limits {
    /// The same limits with `line_endings` set.
    pub const fn with_line_endings(mut self, line_endings: LineEndings) -> Self {
        self.line_endings = line_endings;
        self
    }

    /// The same limits with `max_line_length` set.
    pub const fn with_max_line_length(mut self, max_line_length: usize) -> Self {
        self.max_line_length = max_line_length;
        self
    }

    /// The same limits with `max_reply_lines` set.
    pub const fn with_max_reply_lines(mut self, max_reply_lines: usize) -> Self {
        self.max_reply_lines = max_reply_lines;
        self
    }

    /// The same limits with `max_message_size` set.
    pub const fn with_max_message_size(mut self, max_message_size: u64) -> Self {
        self.max_message_size = max_message_size;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_line_length: 1000,
            max_message_size: 64 * 1024 * 1024,
            max_reply_lines: 128,
            max_list_length: 1_000,
            max_auth_line_length: 12_288,
            line_endings: LineEndings::Strict,
        }
    }
}

/// Which of the [`Limits`] was exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Limit {
    /// [`Limits::max_line_length`] was exceeded.
    LineLength,
    /// [`Limits::max_message_size`] was exceeded.
    MessageSize,
    /// [`Limits::max_reply_lines`] was exceeded.
    ReplyLines,
    /// [`Limits::max_list_length`] was exceeded.
    ListLength,
    /// [`Limits::max_auth_line_length`] was exceeded.
    AuthLineLength,
}

impl Limit {
    /// The name of the [`Limits`] field, for messages.
    pub const fn field_name(self) -> &'static str {
        match self {
            Limit::LineLength => "max_line_length",
            Limit::MessageSize => "max_message_size",
            Limit::ReplyLines => "max_reply_lines",
            Limit::ListLength => "max_list_length",
            Limit::AuthLineLength => "max_auth_line_length",
        }
    }
}
