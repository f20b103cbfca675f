//! The server role: decoding what a client sends, with the protocol state that changes how
//! bytes are read.
//!
//! [`CommandDecoder`] reads commands; a synchronising literal `{n}` stops decoding with
//! [`ServerStep::NeedsContinuation`] so the server can answer `+ ...` (then call
//! [`CommandDecoder::decode`] again, which goes on without rescanning) or reject the command
//! ([`CommandDecoder::reject_literal`]). LITERAL+ `{n+}` literals need no answer. After
//! `AUTHENTICATE` it reads SASL response lines (base64 or `*`) until the server calls
//! [`CommandDecoder::finish_authentication`]; after `IDLE` it expects `DONE`.

use std::num::NonZeroUsize;

use crate::command::auth::SaslResponse;
use crate::command::{Command, CommandBody, parse_command};
use crate::core::{ByteStr, LiteralMode};
use crate::frame::{FrameStatus, Framer};
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
    },
    /// A whole message was framed but does not parse: the server answers `BAD` (the tag, when
    /// readable, is in `tag`) and drops `consumed` bytes.
    Invalid {
        /// Why.
        error: DecodeError,
        /// The message's length.
        consumed: usize,
        /// The command's tag, when the message starts with one.
        tag: Option<ByteStr<'a>>,
    },
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
    /// The `{n+}` announcement last refused by `max_non_sync_literal`.
    refused: Option<RefusedLiteral>,
}

/// A non-synchronising literal refused by [`CommandDecoder::with_max_non_sync_literal`]: the
/// client sends its data anyway, so a server that wants to keep the connection reads and
/// discards `size` octets from `data_start` (RFC 7888 §4, choice 1) instead of buffering them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefusedLiteral {
    /// The announced size in octets.
    pub size: u64,
    /// Offset (from the start of the buffer passed to `decode`) where the literal data begins.
    pub data_start: usize,
}

impl CommandDecoder {
    /// A decoder in the [`ServerState::Command`] state.
    pub fn new(limits: Limits) -> Self {
        Self {
            framer: Framer::new(limits),
            limits,
            state: ServerState::Command,
            pending_literal: None,
            max_non_sync_literal: None,
            refused: None,
        }
    }

    /// Accept non-synchronising literals only up to `size` octets (LITERAL- servers pass
    /// 4096); a larger `{n+}` is a [`Limit::LiteralSize`] error.
    pub fn with_max_non_sync_literal(mut self, size: Option<u64>) -> Self {
        self.max_non_sync_literal = size;
        self
    }

    /// The bound set by [`CommandDecoder::with_max_non_sync_literal`].
    pub fn max_non_sync_literal(&self) -> Option<u64> {
        self.max_non_sync_literal
    }

    /// After `decode` failed with [`Limit::LiteralSize`] because a `{n+}` literal exceeded
    /// the bound of [`CommandDecoder::with_max_non_sync_literal`]: that literal (once; the
    /// decoder has forgotten the message, the next call starts a new one).
    pub fn take_refused_literal(&mut self) -> Option<RefusedLiteral> {
        self.refused.take()
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
    }

    /// Ends an AUTHENTICATE exchange (the server sent its tagged response).
    pub fn finish_authentication(&mut self) {
        self.set_state(ServerState::Command);
    }

    /// The server refused a synchronising literal: the client will not send it, so the
    /// command ends at the announcement. Returns how many bytes (from the start of the
    /// buffer) to drop.
    pub fn reject_literal(&mut self) -> usize {
        let len = self.pending_literal.take().unwrap_or(0);
        self.framer.reset();
        len
    }

    /// Decodes the message at the start of `buf`. `buf` must start where the previous
    /// message ended and only grow between calls that return `Incomplete` or
    /// `NeedsContinuation`.
    pub fn decode<'b>(&mut self, buf: &'b [u8]) -> Result<ServerStep<'b>, DecodeError> {
        self.refused = None;
        match self.state {
            ServerState::Command => self.decode_command(buf),
            ServerState::Authenticate | ServerState::Idle => self.decode_line(buf),
        }
    }

    fn decode_command<'b>(&mut self, buf: &'b [u8]) -> Result<ServerStep<'b>, DecodeError> {
        loop {
            match self.framer.poll(buf)? {
                FrameStatus::Incomplete { needed } => return Ok(ServerStep::Incomplete { needed }),
                FrameStatus::Literal(announcement) => {
                    if announcement.mode == LiteralMode::Sync {
                        self.pending_literal = Some(announcement.data_start);
                        return Ok(ServerStep::NeedsContinuation {
                            size: announcement.size,
                            binary: announcement.binary,
                        });
                    }
                    if self
                        .max_non_sync_literal
                        .is_some_and(|max| announcement.size > max)
                    {
                        self.framer.reset();
                        self.refused = Some(RefusedLiteral {
                            size: announcement.size,
                            data_start: announcement.data_start,
                        });
                        return Err(DecodeError::new(
                            announcement.data_start.saturating_sub(3),
                            ErrorKind::LimitExceeded(Limit::LiteralSize),
                        ));
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
        let Some(lf) = memchr::memchr(b'\n', buf) else {
            if buf.len() > self.limits.max_line_length {
                return Err(DecodeError::new(
                    self.limits.max_line_length,
                    ErrorKind::LimitExceeded(Limit::LineLength),
                ));
            }
            return Ok(ServerStep::Incomplete { needed: None });
        };
        let consumed = lf + 1;
        if consumed > self.limits.max_line_length {
            return Err(DecodeError::new(
                self.limits.max_line_length,
                ErrorKind::LimitExceeded(Limit::LineLength),
            ));
        }
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
        if self.state != ServerState::Command
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
        if self.state == ServerState::Command
            && buf.len() >= 6
            && buf
                .get(..6)
                .is_some_and(|line| line.eq_ignore_ascii_case(b"DONE\r\n"))
        {
            // The IDLE this ends is before the capture started.
            return Ok(Decoded::Complete {
                value: ClientMessage::IdleDone,
                consumed: 6,
            });
        }
        loop {
            match self.decode(buf)? {
                ServerStep::NeedsContinuation { .. } => continue,
                ServerStep::Complete { value, consumed } => {
                    return Ok(Decoded::Complete { value, consumed });
                }
                ServerStep::Incomplete { needed } => return Ok(Decoded::Incomplete { needed }),
                ServerStep::Invalid { error, .. } => return Err(error),
            }
        }
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
