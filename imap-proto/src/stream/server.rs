//! The server role: decoding what a client sends, with the protocol state that changes how
//! bytes are read.
//!
//! [`CommandDecoder`] reads commands; a synchronising literal `{n}` stops decoding with
//! [`ServerStep::NeedsContinuation`] so the server can answer `+ ...` (then call
//! [`CommandDecoder::decode`] again, which goes on without rescanning) or reject the command
//! ([`CommandDecoder::reject_literal`]). The step carries the command so far
//! ([`CommandStart`]: tag, name, mailbox), so a server can refuse `APPEND NoSuchBox {n}` with
//! `NO [TRYCREATE]` before the client sends the message. LITERAL+ `{n+}` literals need no
//! answer. After `AUTHENTICATE` it reads SASL response lines (base64 or `*`) until the server
//! calls [`CommandDecoder::finish_authentication`]; after `IDLE` it expects `DONE`.
//!
//! ## Recovery
//!
//! A server answers and carries on after bad input; the decoder never leaves it stuck:
//!
//! - a message that does not parse is [`ServerStep::Invalid`] (answer `BAD`);
//! - a line over [`Limits::max_line_length`] is [`ServerStep::Invalid`] with
//!   [`Limit::LineLength`] as soon as the limit is passed (answer `BAD`); the rest of the line
//!   is then discarded as it arrives ([`ServerStep::Skipped`]), never buffered;
//! - a literal over [`Limits::max_literal_size`] (or a `{n+}` over
//!   [`CommandDecoder::with_max_non_sync_literal`]) is [`ServerStep::LiteralTooLarge`] before
//!   any of its data is read: answer `NO [TOOBIG]` and call [`CommandDecoder::reject_literal`].
//!   A synchronising literal is then never sent; a non-synchronising one is discarded as it
//!   arrives, with the rest of its command ([`ServerStep::Skipped`]).
//!
//! ```
//! use groupwire_imap::Limits;
//! use groupwire_imap::stream::server::{CommandDecoder, ServerStep};
//!
//! let mut decoder = CommandDecoder::new(Limits::default());
//! let mut input: &[u8] = b"a1 APPEND NoSuchBox {310}\r\na2 NOOP\r\n";
//! let ServerStep::NeedsContinuation { size: 310, command, .. } = decoder.decode(input)? else {
//!     unreachable!()
//! };
//! assert_eq!(command.name.as_ref().map(|n| n.as_bytes()), Some(&b"APPEND"[..]));
//! assert_eq!(command.mailbox.as_ref().map(|m| m.name().into_owned()), Some(b"NoSuchBox".to_vec()));
//! // The mailbox does not exist: `a1 NO [TRYCREATE]` instead of `+`, and the client will not
//! // send the literal.
//! input = &input[decoder.reject_literal()..];
//! assert!(matches!(decoder.decode(input)?, ServerStep::Complete { consumed: 9, .. }));
//! # Ok::<(), groupwire_imap::DecodeError>(())
//! ```

use std::num::NonZeroUsize;

use crate::command::auth::SaslResponse;
use crate::command::{Command, CommandBody, parse_command};
use crate::core::cursor::Cursor;
use crate::core::{ByteStr, LiteralMode, Mailbox};
use crate::frame::{FrameStatus, Framer, announced_literal};
use crate::{DecodeError, Decoded, ErrorKind, Expected, Limit, Limits};

/// What the decoder expects next from the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ServerState {
    /// Commands.
    #[default]
    Command,
    /// SASL response lines of an AUTHENTICATE exchange.
    Authenticate,
    /// `DONE`, ending IDLE.
    Idle,
}

/// One thing decoded from the client.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ClientMessage<'a> {
    /// A command.
    Command(Command<'a>),
    /// A line of an AUTHENTICATE exchange.
    SaslResponse(SaslResponse<'a>),
    /// `DONE`: the client ends IDLE.
    IdleDone,
}

impl ClientMessage<'_> {
    /// A `'static` copy.
    pub fn into_owned(self) -> ClientMessage<'static> {
        use crate::IntoOwned;
        match self {
            ClientMessage::Command(c) => ClientMessage::Command(c.into_owned()),
            ClientMessage::SaslResponse(r) => ClientMessage::SaslResponse(r.into_owned()),
            ClientMessage::IdleDone => ClientMessage::IdleDone,
        }
    }
}

/// The outcome of [`CommandDecoder::decode`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum ServerStep<'a> {
    /// A message occupying the first `consumed` bytes.
    Complete {
        /// The message.
        value: ClientMessage<'a>,
        /// Its length; the caller drops these bytes before the next call.
        consumed: usize,
    },
    /// More bytes are needed; nothing was consumed.
    Incomplete {
        /// A lower bound on the bytes still missing, when known.
        needed: Option<NonZeroUsize>,
    },
    /// The command announced a synchronising literal of `size` octets: the client waits for
    /// a continuation request. Send `+ ...` and call `decode` again, or reject the command
    /// (tagged `NO`/`BAD`) and call [`CommandDecoder::reject_literal`].
    NeedsContinuation {
        /// The announced size.
        size: u64,
        /// Whether it is a `literal8` (`~{n}`).
        binary: bool,
        /// The command so far (tag, name, mailbox), to decide without its data.
        command: CommandStart<'a>,
    },
    /// The command announced a literal larger than the decoder accepts
    /// ([`Limits::max_literal_size`], or for `{n+}` the bound of
    /// [`CommandDecoder::with_max_non_sync_literal`]); none of its data has been read. Answer
    /// `NO [TOOBIG]` (RFC 9051 §7.1, RFC 7888 §4) with the command's tag and call
    /// [`CommandDecoder::reject_literal`]: a synchronising literal is then never sent, a
    /// non-synchronising one is discarded as it arrives ([`ServerStep::Skipped`]). Calling
    /// `decode` without rejecting is a [`Limit::LiteralSize`] error.
    LiteralTooLarge {
        /// The announced size (`u64::MAX` when too large to represent).
        size: u64,
        /// Whether it is a `literal8` (`~{n}`).
        binary: bool,
        /// Whether it is synchronising (`{n}`: the client waits) or not (`{n+}`: the data
        /// follows anyway).
        synchronizing: bool,
        /// The command so far.
        command: CommandStart<'a>,
    },
    /// A whole message was framed but does not parse, or a line went over
    /// [`Limits::max_line_length`]: the server answers `BAD` (the tag, when readable, is in
    /// `tag`) and drops `consumed` bytes. After an over-long line the decoder discards the
    /// rest of it as it arrives ([`ServerStep::Skipped`]).
    Invalid {
        /// Why.
        error: DecodeError,
        /// The message's length (for an over-long line: the bytes of the message before that
        /// line).
        consumed: usize,
        /// The command's tag, when the message starts with one.
        tag: Option<ByteStr<'a>>,
    },
    /// Bytes of a refused message (an over-long line, a refused `{n+}` literal and the rest of
    /// its command) were discarded: drop `consumed` bytes and call `decode` again. Needs no
    /// answer.
    Skipped {
        /// How many bytes to drop.
        consumed: usize,
    },
}

/// What a command says before a literal it announces: enough for a server to refuse it
/// without its data (`NO [TRYCREATE]` for `APPEND` into a mailbox that does not exist,
/// `NO [TOOBIG]`, a command not allowed in this state).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommandStart<'a> {
    /// The tag.
    pub tag: Option<ByteStr<'a>>,
    /// The command name as sent (`APPEND`; `UID` for the UID commands).
    pub name: Option<ByteStr<'a>>,
    /// The mailbox, for commands whose first argument is one (`APPEND`, `SELECT`, `EXAMINE`,
    /// `CREATE`, `DELETE`, `RENAME`, `SUBSCRIBE`, `UNSUBSCRIBE`, `STATUS`), once it is whole
    /// (not when the literal announced is the mailbox name itself).
    pub mailbox: Option<Mailbox<'a>>,
}

impl CommandStart<'_> {
    /// A `'static` copy.
    pub fn into_owned(self) -> CommandStart<'static> {
        use crate::IntoOwned;
        CommandStart {
            tag: self.tag.map(IntoOwned::into_owned),
            name: self.name.map(IntoOwned::into_owned),
            mailbox: self.mailbox.map(IntoOwned::into_owned),
        }
    }

    /// Reads the start of the message `head` (everything before the announced literal's data).
    fn parse(head: &[u8], limits: Limits) -> CommandStart<'_> {
        let mut start = CommandStart::default();
        let Some(tag) = leading_tag(head) else {
            return start;
        };
        let mut c = Cursor::new(head, limits);
        c.advance(tag.len());
        start.tag = Some(tag);
        if !c.eat(b' ') {
            return start;
        }
        let name = c.take_while(crate::core::atom::is_atom_char);
        if name.is_empty() {
            return start;
        }
        start.name = Some(ByteStr::borrowed(name));
        const WITH_MAILBOX: [&[u8]; 9] = [
            b"APPEND",
            b"SELECT",
            b"EXAMINE",
            b"CREATE",
            b"DELETE",
            b"RENAME",
            b"SUBSCRIBE",
            b"UNSUBSCRIBE",
            b"STATUS",
        ];
        if WITH_MAILBOX.iter().any(|w| w.eq_ignore_ascii_case(name)) && c.eat(b' ') {
            start.mailbox = Mailbox::parse(&mut c).ok();
        }
        start
    }
}

/// The server-role decoder. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct CommandDecoder {
    framer: Framer,
    limits: Limits,
    state: ServerState,
    /// The announcing line ends here: bytes from the message start up to this offset belong
    /// to the command whose literal awaits a continuation.
    pending_literal: Option<usize>,
    /// Largest `{n+}` literal accepted (4096 under LITERAL-, RFC 7888 §4); `None` for no
    /// bound beyond [`Limits::max_literal_size`].
    max_non_sync_literal: Option<u64>,
    /// The literal reported by [`ServerStep::LiteralTooLarge`], until it is rejected.
    oversized: Option<Oversized>,
    /// Bytes being discarded (the rest of a refused message).
    skip: Option<Skip>,
}

/// A literal over the limits, announced and not yet rejected.
#[derive(Debug, Clone, Copy)]
struct Oversized {
    /// Where its data would begin (the end of the announcing line).
    data_start: usize,
    size: u64,
    synchronizing: bool,
}

/// How many bytes of a discarded line are kept to see whether it announces a literal.
const TAIL: usize = 32;

/// What the decoder is discarding.
#[derive(Debug, Clone, Copy)]
enum Skip {
    /// Literal data, this many octets still to come.
    Literal(u64),
    /// The rest of a line; `tail` holds its last `len` bytes.
    Line { tail: [u8; TAIL], len: usize },
}

impl Skip {
    fn line() -> Self {
        Skip::Line {
            tail: [0; TAIL],
            len: 0,
        }
    }
}

/// Keeps the last [`TAIL`] bytes of a line as its pieces go by.
fn push_tail(tail: &mut [u8; TAIL], len: &mut usize, bytes: &[u8]) {
    if bytes.len() >= TAIL {
        tail.copy_from_slice(bytes.get(bytes.len() - TAIL..).unwrap_or_default());
        *len = TAIL;
        return;
    }
    let keep = (TAIL - bytes.len()).min(*len);
    tail.copy_within(*len - keep..*len, 0);
    if let Some(dst) = tail.get_mut(keep..keep + bytes.len()) {
        dst.copy_from_slice(bytes);
    }
    *len = keep + bytes.len();
}

impl CommandDecoder {
    /// A decoder in the [`ServerState::Command`] state.
    pub fn new(limits: Limits) -> Self {
        Self {
            framer: Framer::new(limits).deferring_literal_limit(),
            limits,
            state: ServerState::Command,
            pending_literal: None,
            max_non_sync_literal: None,
            oversized: None,
            skip: None,
        }
    }

    /// Accept non-synchronising literals only up to `size` octets (LITERAL- servers pass
    /// 4096); a larger `{n+}` is [`ServerStep::LiteralTooLarge`].
    pub fn with_max_non_sync_literal(mut self, size: Option<u64>) -> Self {
        self.max_non_sync_literal = size;
        self
    }

    /// The bound set by [`CommandDecoder::with_max_non_sync_literal`].
    pub fn max_non_sync_literal(&self) -> Option<u64> {
        self.max_non_sync_literal
    }

    /// Whether the decoder is discarding the rest of a refused message (an over-long line, a
    /// refused `{n+}` literal): the next `decode` with bytes gives [`ServerStep::Skipped`].
    pub fn is_skipping(&self) -> bool {
        self.skip.is_some()
    }

    /// What the decoder expects next.
    pub fn state(&self) -> ServerState {
        self.state
    }

    /// Sets what the decoder expects next (a server that refused IDLE or AUTHENTICATE goes
    /// back to [`ServerState::Command`]). Forgets any message in progress.
    pub fn set_state(&mut self, state: ServerState) {
        self.state = state;
        self.framer.reset();
        self.pending_literal = None;
        self.oversized = None;
        self.skip = None;
    }

    /// Ends an AUTHENTICATE exchange (the server sent its tagged response).
    pub fn finish_authentication(&mut self) {
        self.set_state(ServerState::Command);
    }

    /// The server refused the literal of the last [`ServerStep::NeedsContinuation`] or
    /// [`ServerStep::LiteralTooLarge`]: the command ends at the announcement. Returns how many
    /// bytes (from the start of the buffer) to drop. After a refused `{n+}` literal the
    /// decoder discards its data and the rest of its command as they arrive
    /// ([`ServerStep::Skipped`]).
    pub fn reject_literal(&mut self) -> usize {
        self.framer.reset();
        if let Some(oversized) = self.oversized.take() {
            self.pending_literal = None;
            if !oversized.synchronizing {
                self.skip = Some(Skip::Literal(oversized.size));
            }
            return oversized.data_start;
        }
        self.pending_literal.take().unwrap_or(0)
    }

    /// Decodes the message at the start of `buf`. `buf` must start where the previous
    /// message ended and only grow between calls that return `Incomplete` or
    /// `NeedsContinuation`.
    pub fn decode<'b>(&mut self, buf: &'b [u8]) -> Result<ServerStep<'b>, DecodeError> {
        if self.skip.is_some() {
            return Ok(self.discard(buf));
        }
        if let Some(oversized) = self.oversized.take() {
            self.framer.reset();
            self.pending_literal = None;
            return Err(DecodeError::new(
                oversized.data_start.saturating_sub(3),
                ErrorKind::LimitExceeded(Limit::LiteralSize),
            ));
        }
        match self.state {
            ServerState::Command => self.decode_command(buf),
            ServerState::Authenticate | ServerState::Idle => self.decode_line(buf),
        }
    }

    /// Discards what [`Skip`] says, as far as `buf` goes.
    fn discard<'b>(&mut self, buf: &'b [u8]) -> ServerStep<'b> {
        let mut at = 0;
        while let Some(skip) = self.skip {
            let rest = buf.get(at..).unwrap_or_default();
            match skip {
                Skip::Literal(left) => {
                    let available = rest.len() as u64;
                    if available < left {
                        at = buf.len();
                        self.skip = Some(Skip::Literal(left - available));
                        break;
                    }
                    at += usize::try_from(left).unwrap_or(rest.len());
                    self.skip = Some(Skip::line());
                }
                Skip::Line { mut tail, mut len } => {
                    let Some(lf) = memchr::memchr(b'\n', rest) else {
                        push_tail(&mut tail, &mut len, rest);
                        at = buf.len();
                        self.skip = Some(Skip::Line { tail, len });
                        break;
                    };
                    push_tail(&mut tail, &mut len, rest.get(..lf).unwrap_or_default());
                    at += lf + 1;
                    let line = tail.get(..len).unwrap_or_default();
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    // A `{n+}` literal's data follows anyway; after `{n}` the client waits
                    // for a `+` that will not come (the command was answered).
                    self.skip = match announced_literal(line) {
                        Ok(Some((size, LiteralMode::NonSync, _))) => Some(Skip::Literal(size)),
                        _ => None,
                    };
                }
            }
        }
        if at == 0 {
            return ServerStep::Incomplete { needed: None };
        }
        ServerStep::Skipped { consumed: at }
    }

    fn decode_command<'b>(&mut self, buf: &'b [u8]) -> Result<ServerStep<'b>, DecodeError> {
        loop {
            let status = match self.framer.poll(buf) {
                Ok(status) => status,
                Err(error) if error.kind() == ErrorKind::LimitExceeded(Limit::LineLength) => {
                    let consumed = self.framer.line_start().min(buf.len());
                    self.framer.reset();
                    self.pending_literal = None;
                    self.skip = Some(Skip::line());
                    return Ok(ServerStep::Invalid {
                        error,
                        consumed,
                        tag: leading_tag(buf).filter(|tag| buf.get(tag.len()) == Some(&b' ')),
                    });
                }
                Err(error) => {
                    self.framer.reset();
                    self.pending_literal = None;
                    return Err(error);
                }
            };
            match status {
                FrameStatus::Incomplete { needed } => return Ok(ServerStep::Incomplete { needed }),
                FrameStatus::Literal(announcement) => {
                    let synchronizing = announcement.mode == LiteralMode::Sync;
                    let too_large = announcement.size > self.limits.max_literal_size
                        || (!synchronizing
                            && self
                                .max_non_sync_literal
                                .is_some_and(|max| announcement.size > max));
                    let head = buf.get(..announcement.data_start).unwrap_or_default();
                    if too_large {
                        self.oversized = Some(Oversized {
                            data_start: announcement.data_start,
                            size: announcement.size,
                            synchronizing,
                        });
                        return Ok(ServerStep::LiteralTooLarge {
                            size: announcement.size,
                            binary: announcement.binary,
                            synchronizing,
                            command: CommandStart::parse(head, self.limits),
                        });
                    }
                    if synchronizing {
                        self.pending_literal = Some(announcement.data_start);
                        return Ok(ServerStep::NeedsContinuation {
                            size: announcement.size,
                            binary: announcement.binary,
                            command: CommandStart::parse(head, self.limits),
                        });
                    }
                }
                FrameStatus::Complete { len } => {
                    self.pending_literal = None;
                    let frame = buf.get(..len).unwrap_or_default();
                    return Ok(match parse_command(frame, self.limits) {
                        Ok(command) => {
                            match command.body {
                                CommandBody::Authenticate(_) => {
                                    self.state = ServerState::Authenticate;
                                }
                                CommandBody::Idle => self.state = ServerState::Idle,
                                _ => {}
                            }
                            ServerStep::Complete {
                                value: ClientMessage::Command(command),
                                consumed: len,
                            }
                        }
                        Err(error) => ServerStep::Invalid {
                            error,
                            consumed: len,
                            tag: leading_tag(frame),
                        },
                    });
                }
            }
        }
    }

    fn decode_line<'b>(&mut self, buf: &'b [u8]) -> Result<ServerStep<'b>, DecodeError> {
        let lf = memchr::memchr(b'\n', buf);
        if lf.map_or(buf.len(), |lf| lf + 1) > self.limits.max_line_length {
            // Answer it, then discard the rest of the line as it arrives.
            self.skip = Some(Skip::line());
            return Ok(ServerStep::Invalid {
                error: DecodeError::new(
                    self.limits.max_line_length,
                    ErrorKind::LimitExceeded(Limit::LineLength),
                ),
                consumed: 0,
                tag: None,
            });
        }
        let Some(lf) = lf else {
            return Ok(ServerStep::Incomplete { needed: None });
        };
        let consumed = lf + 1;
        let line = buf.get(..lf).unwrap_or_default();
        let Some(line) = line.strip_suffix(b"\r") else {
            return Ok(ServerStep::Invalid {
                error: DecodeError::new(lf, ErrorKind::Expected(Expected::Crlf)),
                consumed,
                tag: None,
            });
        };
        let value = match self.state {
            ServerState::Idle => {
                if !line.eq_ignore_ascii_case(b"DONE") {
                    return Ok(ServerStep::Invalid {
                        error: DecodeError::new(0, ErrorKind::Expected(Expected::Done)),
                        consumed,
                        tag: None,
                    });
                }
                self.state = ServerState::Command;
                ClientMessage::IdleDone
            }
            _ => match parse_sasl_line(line) {
                Ok(SaslResponse::Cancel) => {
                    self.state = ServerState::Command;
                    ClientMessage::SaslResponse(SaslResponse::Cancel)
                }
                Ok(response) => ClientMessage::SaslResponse(response),
                Err(error) => {
                    return Ok(ServerStep::Invalid {
                        error,
                        consumed,
                        tag: None,
                    });
                }
            },
        };
        Ok(ServerStep::Complete { value, consumed })
    }
}

impl CommandDecoder {
    /// Decodes a *captured* client stream, where the server's answers are not at hand:
    /// every synchronising literal is taken as granted, and during AUTHENTICATE or IDLE a
    /// line that starts like a command (`tag SP ...`) ends the exchange (the server must have
    /// answered), and a `DONE` line where a command is expected ends an IDLE that began
    /// before the capture. A message that does not parse is an error at its offset.
    pub fn decode_captured<'b>(
        &mut self,
        buf: &'b [u8],
    ) -> Result<Decoded<ClientMessage<'b>>, DecodeError> {
        loop {
            match self.decode_captured_step(buf)? {
                ServerStep::NeedsContinuation { .. } => continue,
                ServerStep::Complete { value, consumed } => {
                    return Ok(Decoded::Complete { value, consumed });
                }
                ServerStep::Incomplete { needed } => return Ok(Decoded::Incomplete { needed }),
                ServerStep::Invalid { error, .. } => {
                    // The caller decides what to skip in a capture.
                    self.skip = None;
                    return Err(error);
                }
                ServerStep::LiteralTooLarge { .. } => {
                    let data_start = self.reject_literal();
                    self.skip = None;
                    return Err(DecodeError::new(
                        data_start.saturating_sub(3),
                        ErrorKind::LimitExceeded(Limit::LiteralSize),
                    ));
                }
                ServerStep::Skipped { .. } => {
                    self.skip = None;
                }
            }
        }
    }

    /// [`decode`](Self::decode) for a *captured* client stream, with the exchange guesses of
    /// [`decode_captured`](Self::decode_captured) (AUTHENTICATE and IDLE end where a command
    /// line starts; a leading `DONE` ends an IDLE begun before the capture), but leaving each
    /// synchronising literal to the caller: call again to take it as granted, or
    /// [`reject_literal`](Self::reject_literal) when the server's side of the capture shows it
    /// refused. Recovery is as in `decode` ([`ServerStep::Invalid`], [`ServerStep::Skipped`]).
    pub fn decode_captured_step<'b>(
        &mut self,
        buf: &'b [u8],
    ) -> Result<ServerStep<'b>, DecodeError> {
        if self.skip.is_none()
            && self.state != ServerState::Command
            && let Some(line_end) = memchr::memchr(b'\n', buf)
        {
            let line = buf.get(..line_end).unwrap_or_default();
            let is_exchange_line = match self.state {
                ServerState::Idle => line
                    .strip_suffix(b"\r")
                    .unwrap_or(line)
                    .eq_ignore_ascii_case(b"DONE"),
                _ => !line.contains(&b' '),
            };
            if !is_exchange_line {
                self.set_state(ServerState::Command);
            }
        }
        if self.skip.is_none()
            && self.state == ServerState::Command
            && self.pending_literal.is_none()
            && buf
                .get(..6)
                .is_some_and(|line| line.eq_ignore_ascii_case(b"DONE\r\n"))
        {
            // The IDLE this ends is before the capture started.
            return Ok(ServerStep::Complete {
                value: ClientMessage::IdleDone,
                consumed: 6,
            });
        }
        self.decode(buf)
    }
}

/// Parses one SASL response line (without CRLF): `*` or base64 text (possibly empty).
pub fn parse_sasl_line(line: &[u8]) -> Result<SaslResponse<'_>, DecodeError> {
    if line == b"*" {
        return Ok(SaslResponse::Cancel);
    }
    match line
        .iter()
        .position(|&b| !crate::command::is_base64_char(b))
    {
        Some(bad) => Err(DecodeError::new(bad, ErrorKind::Expected(Expected::Base64))),
        None => Ok(SaslResponse::Data(ByteStr::borrowed(line))),
    }
}

/// The tag at the start of `frame`, when there is one.
fn leading_tag(frame: &[u8]) -> Option<ByteStr<'_>> {
    let len = frame
        .iter()
        .take_while(|&&b| crate::core::atom::is_tag_char(b))
        .count();
    (len > 0).then(|| ByteStr::borrowed(frame.get(..len).unwrap_or_default()))
}
