//! Explicit bounds on what a decoder accepts, so hostile input costs bounded memory and time.

/// Bounds a decoder enforces. Exceeding one yields [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded).
///
/// The defaults are safe for a server facing the open Internet; raise them per connection for
/// trusted peers.
///
/// What they bound and what they do not: a decoder holds no bytes itself, the caller's buffer
/// does, so the most a caller buffers for one message is `max_line_length` per line plus
/// `max_literal_size` per literal. A message may carry several literals; a caller facing
/// hostile peers also caps its buffer per connection (the reference server does: 128 KiB
/// before authentication, 10 MiB after). A server should lower the literal bound before
/// authentication (RFC 9051 §5.4 lets it protect itself, RFC 7888 §4 describes the choices):
/// answer `NO [TOOBIG]` instead of `+` to a synchronising literal over its bound
/// ([`ServerStep::NeedsContinuation`](crate::stream::server::ServerStep::NeedsContinuation)
/// carries the size before any data is read), and bound `{n+}` literals with
/// [`CommandDecoder::with_max_non_sync_literal`](crate::stream::server::CommandDecoder::with_max_non_sync_literal).
/// A literal over `max_literal_size` (or that bound) is
/// [`ServerStep::LiteralTooLarge`](crate::stream::server::ServerStep::LiteralTooLarge), and
/// once refused a `{n+}` literal's data is discarded as it arrives. A client facing a
/// hostile server bounds the number of untagged responses it keeps per command; that is the caller's too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest line (between literals) accepted, in octets, CRLF included. Default 64 KiB.
    pub max_line_length: usize,
    /// Largest literal (`{n}` / `~{n}`) accepted, in octets. Default 64 MiB: the decoder
    /// refuses larger announcements at once, before any literal data is buffered.
    pub max_literal_size: u64,
    /// Deepest nesting of parenthesised lists (BODYSTRUCTURE, SEARCH keys, THREAD) accepted.
    pub max_nesting_depth: usize,
    /// Most elements accepted in one list (flags, sequence sets, SEARCH results, FETCH items).
    pub max_list_length: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_line_length: 64 * 1024,
            max_literal_size: 64 * 1024 * 1024,
            max_nesting_depth: 64,
            max_list_length: 100_000,
        }
    }
}

impl Limits {
    /// The defaults for a server reading commands from untrusted clients (the same as
    /// [`Limits::default`]): 64 KiB lines, 64 MiB literals, nesting 64, 100,000 list elements.
    pub fn server() -> Self {
        Self::default()
    }

    /// Defaults for a client reading a server's responses. Number lists and literals are not
    /// the attack surface there that they are for a server: a `SEARCH` answer of 20,000 UIDs is
    /// a 109 KB line and a message body is a literal of any size a mailbox holds. 16 MiB lines,
    /// 1 GiB literals, nesting 64, 10 million list elements.
    pub fn client() -> Self {
        Self {
            max_line_length: 16 * 1024 * 1024,
            max_literal_size: 1024 * 1024 * 1024,
            max_nesting_depth: 64,
            max_list_length: 10_000_000,
        }
    }
}

/// Which of the [`Limits`] was exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// [`Limits::max_line_length`] was exceeded.
    LineLength,
    /// [`Limits::max_literal_size`] was exceeded.
    LiteralSize,
    /// [`Limits::max_nesting_depth`] was exceeded.
    NestingDepth,
    /// [`Limits::max_list_length`] was exceeded.
    ListLength,
}

impl Limit {
    /// The name of the [`Limits`] field, for messages.
    pub const fn field_name(self) -> &'static str {
        match self {
            Limit::LineLength => "max_line_length",
            Limit::LiteralSize => "max_literal_size",
            Limit::NestingDepth => "max_nesting_depth",
            Limit::ListLength => "max_list_length",
        }
    }
}
