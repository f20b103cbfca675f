//! Explicit bounds on what a decoder accepts, so hostile input costs bounded memory and time.

/// Bounds a decoder enforces. Exceeding one yields [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded).
///
/// The defaults are safe for a server facing the open Internet; raise them per connection for
/// trusted peers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest command or reply line accepted, in octets, CRLF included (RFC 5321 §4.5.3.1.4-6).
    pub max_line_length: usize,
    /// Largest message payload (DATA after un-stuffing, or the sum of BDAT chunks) accepted, in octets.
    pub max_message_size: u64,
    /// Most lines accepted in one multi-line reply.
    pub max_reply_lines: usize,
    /// Most elements accepted in one list (ESMTP parameters, capability arguments).
    pub max_list_length: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_line_length: 1000,
            max_message_size: 64 * 1024 * 1024,
            max_reply_lines: 128,
            max_list_length: 1_000,
        }
    }
}

/// Which of the [`Limits`] was exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
}

impl Limit {
    /// The name of the [`Limits`] field, for messages.
    pub const fn field_name(self) -> &'static str {
        match self {
            Limit::LineLength => "max_line_length",
            Limit::MessageSize => "max_message_size",
            Limit::ReplyLines => "max_reply_lines",
            Limit::ListLength => "max_list_length",
        }
    }
}
