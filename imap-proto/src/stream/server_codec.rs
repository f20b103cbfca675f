//! [`ServerCodec`]: the server role as a `tokio_util::codec` Decoder/Encoder.
//!
//! Decoded items own their bytes as `bytes::Bytes` slices of the read buffer (literal data
//! is never copied); [`ClientFrame::message`] borrows the decoded value from them. Anything
//! that implements [`Encode`] (responses, continuation requests) can be sent.

use bytes::{Bytes, BytesMut};
use tokio_util::codec;

use super::CodecError;
use super::server::{
    ClientMessage, CommandDecoder, CommandStart, ServerState, ServerStep, parse_sasl_line,
};
use crate::command::parse_command;
use crate::{DecodeError, Encode, Limits};

/// What a [`ClientFrame`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientFrameKind {
    /// A command (line and literals, final CRLF included).
    Command,
    /// An AUTHENTICATE response line (CRLF included).
    SaslResponse,
    /// `DONE` ending IDLE (CRLF included).
    IdleDone,
}

/// A decoded client message, owning its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientFrame {
    bytes: Bytes,
    kind: ClientFrameKind,
    limits: Limits,
}

impl ClientFrame {
    /// The message's bytes as received.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// What kind of message it is.
    pub fn kind(&self) -> ClientFrameKind {
        self.kind
    }

    /// The decoded message, borrowing from [`bytes`](Self::bytes). It was validated when
    /// decoded, so this only fails if the limits changed.
    pub fn message(&self) -> Result<ClientMessage<'_>, DecodeError> {
        match self.kind {
            ClientFrameKind::Command => {
                parse_command(&self.bytes, self.limits).map(ClientMessage::Command)
            }
            ClientFrameKind::SaslResponse => {
                let line = self.bytes.strip_suffix(b"\r\n").unwrap_or(&self.bytes);
                parse_sasl_line(line).map(ClientMessage::SaslResponse)
            }
            ClientFrameKind::IdleDone => Ok(ClientMessage::IdleDone),
        }
    }
}

/// One item of [`ServerCodec`]'s decoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerEvent {
    /// A complete message.
    Message(ClientFrame),
    /// The client announced a synchronising literal and waits: send a continuation request
    /// (`+ ...`), or a tagged `NO`/`BAD` followed by [`ServerCodec::reject_literal`].
    NeedsContinuation {
        /// The announced size.
        size: u64,
        /// The command so far (tag, name, mailbox).
        command: CommandStart<'static>,
    },
    /// The client announced a literal over the limits (see
    /// [`ServerStep::LiteralTooLarge`]): answer `NO [TOOBIG]` and call
    /// [`ServerCodec::reject_literal`]; a non-synchronising literal's data is then discarded as
    /// it arrives.
    LiteralTooLarge {
        /// The announced size.
        size: u64,
        /// Whether the client waits for a continuation (`{n}`) or sends the data anyway.
        synchronizing: bool,
        /// The command so far.
        command: CommandStart<'static>,
    },
    /// A framed message that does not parse, or a line over the length limit (the rest of
    /// it is discarded as it arrives): answer `BAD` (with `tag` when there is one).
    Invalid {
        /// Why it does not parse.
        error: DecodeError,
        /// The message's tag, when it starts with one.
        tag: Option<Bytes>,
        /// The message's bytes.
        bytes: Bytes,
    },
}

/// The server role for `tokio_util::codec::Framed`. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct ServerCodec {
    decoder: CommandDecoder,
    limits: Limits,
    /// Bytes to drop before decoding again (a rejected literal's command).
    discard: usize,
}

impl Default for ServerCodec {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

impl ServerCodec {
    /// A codec enforcing `limits`.
    pub fn new(limits: Limits) -> Self {
        Self {
            decoder: CommandDecoder::new(limits),
            limits,
            discard: 0,
        }
    }

    /// What the decoder expects next.
    pub fn state(&self) -> ServerState {
        self.decoder.state()
    }

    /// Sets what the decoder expects next (see [`CommandDecoder::set_state`]).
    pub fn set_state(&mut self, state: ServerState) {
        self.decoder.set_state(state);
    }

    /// Ends an AUTHENTICATE exchange.
    pub fn finish_authentication(&mut self) {
        self.decoder.finish_authentication();
    }

    /// The server refused the literal announced by the last
    /// [`ServerEvent::NeedsContinuation`] or [`ServerEvent::LiteralTooLarge`]: that command's
    /// bytes are dropped.
    pub fn reject_literal(&mut self) {
        self.discard = self.decoder.reject_literal();
    }
}

impl codec::Decoder for ServerCodec {
    type Item = ServerEvent;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<ServerEvent>, CodecError> {
        if self.discard > 0 {
            let drop = self.discard.min(src.len());
            let _ = src.split_to(drop);
            self.discard -= drop;
            if self.discard > 0 {
                return Ok(None);
            }
        }
        let step = loop {
            match self.decoder.decode(src)? {
                ServerStep::Skipped { consumed } => {
                    let _ = src.split_to(consumed.min(src.len()));
                }
                step => break step,
            }
        };
        let (consumed, event) = match step {
            ServerStep::Incomplete { .. } | ServerStep::Skipped { .. } => return Ok(None),
            ServerStep::NeedsContinuation { size, command, .. } => {
                return Ok(Some(ServerEvent::NeedsContinuation {
                    size,
                    command: command.into_owned(),
                }));
            }
            ServerStep::LiteralTooLarge {
                size,
                synchronizing,
                command,
                ..
            } => {
                return Ok(Some(ServerEvent::LiteralTooLarge {
                    size,
                    synchronizing,
                    command: command.into_owned(),
                }));
            }
            ServerStep::Complete { value, consumed } => {
                let kind = match value {
                    ClientMessage::Command(_) => ClientFrameKind::Command,
                    ClientMessage::SaslResponse(_) => ClientFrameKind::SaslResponse,
                    ClientMessage::IdleDone => ClientFrameKind::IdleDone,
                };
                (consumed, Ok(kind))
            }
            ServerStep::Invalid {
                error,
                consumed,
                tag,
            } => (consumed, Err((error, tag.map(|t| t.len())))),
        };
        let bytes = src.split_to(consumed).freeze();
        Ok(Some(match event {
            Ok(kind) => ServerEvent::Message(ClientFrame {
                bytes,
                kind,
                limits: self.limits,
            }),
            Err((error, tag_len)) => ServerEvent::Invalid {
                error,
                // After an over-long line `bytes` may stop before the tag's line: the tag
                // is then still at the start of `src`.
                tag: tag_len.map(|len| {
                    if len <= bytes.len() {
                        bytes.slice(..len)
                    } else {
                        Bytes::copy_from_slice(src.get(..len).unwrap_or_default())
                    }
                }),
                bytes,
            },
        }))
    }
}

impl<T: Encode> codec::Encoder<T> for ServerCodec {
    type Error = CodecError;

    fn encode(&mut self, item: T, dst: &mut BytesMut) -> Result<(), CodecError> {
        item.encode(dst);
        Ok(())
    }
}
