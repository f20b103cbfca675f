//! The server role: decoding what a client sends, knowing when message data or AUTH
//! continuation lines follow instead of commands.

use crate::auth::{AuthResponse, decode_auth_response_from};
use crate::command::{Command, decode_command_from};
use crate::data::{DataDecoder, DataEvent};
use crate::limits::Limit;
use crate::{DecodeError, Decoded, ErrorKind, Limits};

/// One item of the client's stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientItem<'a> {
    /// A command line.
    Command(Command<'a>),
    /// A complete command line that does not parse: the server answers 501 (or 500) and
    /// carries on, the line having been consumed.
    Malformed {
        /// The line, without its terminator.
        line: &'a [u8],
        /// Why it does not parse; the offset is within `line`.
        error: DecodeError,
    },
    /// A line answering a 334 challenge.
    AuthResponse(AuthResponse<'a>),
    /// Un-stuffed DATA payload bytes.
    MessageData(&'a [u8]),
    /// The `.` line ending DATA.
    MessageEnd,
    /// Bytes of a BDAT chunk.
    ChunkData {
        /// The bytes.
        data: &'a [u8],
        /// Whether these are the chunk's final bytes (the next item is a command).
        chunk_complete: bool,
        /// Whether the chunk was announced with LAST.
        last: bool,
    },
}

/// What the decoder expects next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerState {
    /// Command lines.
    Commands,
    /// One AUTH continuation line (after the server sent 334).
    AuthResponse,
    /// DATA payload up to the `.` line (after the server sent 354).
    Data,
    /// The rest of a BDAT chunk.
    Chunk {
        /// Octets still to come.
        remaining: u64,
        /// Whether the chunk was announced with LAST.
        last: bool,
    },
}

/// Streaming decoder of the client's byte stream, for a server.
///
/// After a `BDAT n` command the next `n` octets are chunk data whatever the server replies
/// (RFC 3030 §2), so the decoder switches by itself. DATA payload and AUTH responses follow
/// only if the server accepted (354, 334): call [`ServerDecoder::expect_data`] or
/// [`ServerDecoder::expect_auth_response`] when sending those replies.
#[derive(Debug, Clone)]
pub struct ServerDecoder {
    limits: Limits,
    state: ServerState,
    data: DataDecoder,
    /// How far the pending line has been searched for its end.
    scanned: usize,
    message_size: u64,
}

impl ServerDecoder {
    /// A decoder expecting commands.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            state: ServerState::Commands,
            data: DataDecoder::new(&limits),
            scanned: 0,
            message_size: 0,
        }
    }

    /// The limits in force.
    pub const fn limits(&self) -> &Limits {
        &self.limits
    }

    /// What is expected next.
    pub const fn state(&self) -> ServerState {
        self.state
    }

    /// The server sent 354: message data follows, up to the `.` line.
    pub fn expect_data(&mut self) {
        self.state = ServerState::Data;
        self.data = DataDecoder::new(&self.limits);
        self.scanned = 0;
    }

    /// The server sent 334: one continuation line follows.
    pub fn expect_auth_response(&mut self) {
        self.state = ServerState::AuthResponse;
        self.scanned = 0;
    }

    /// Back to commands (after RSET, or when the server abandons a transfer).
    pub fn expect_commands(&mut self) {
        self.state = ServerState::Commands;
        self.scanned = 0;
    }

    /// Decodes the next item from the start of `input` (the unconsumed client bytes).
    ///
    /// Errors are returned only when the stream cannot be resynchronised: a line over the
    /// length limit, or invalid message data; the server should answer and close.
    pub fn decode<'a>(&mut self, input: &'a [u8]) -> Result<Decoded<ClientItem<'a>>, DecodeError> {
        match self.state {
            ServerState::Commands => self.decode_command(input),
            ServerState::AuthResponse => {
                match decode_auth_response_from(input, self.scanned.min(input.len()), &self.limits)
                {
                    Ok(Decoded::Complete { value, consumed }) => {
                        self.expect_commands();
                        Ok(Decoded::Complete {
                            value: ClientItem::AuthResponse(value),
                            consumed,
                        })
                    }
                    Ok(Decoded::Incomplete { needed }) => {
                        self.scanned = input.len();
                        Ok(Decoded::Incomplete { needed })
                    }
                    Err(error) if matches!(error.kind(), ErrorKind::Expected(_)) => {
                        self.malformed_line(input, error)
                    }
                    Err(error) => Err(error),
                }
            }
            ServerState::Data => {
                let decoded = self.data.decode(input)?;
                Ok(decoded.map(|event| match event {
                    DataEvent::Bytes(bytes) => ClientItem::MessageData(bytes),
                    DataEvent::End => {
                        self.state = ServerState::Commands;
                        self.scanned = 0;
                        ClientItem::MessageEnd
                    }
                }))
            }
            ServerState::Chunk { remaining, last } => {
                if input.is_empty() {
                    let needed = usize::try_from(remaining)
                        .ok()
                        .and_then(core::num::NonZeroUsize::new);
                    return Ok(Decoded::Incomplete { needed });
                }
                let take = usize::try_from(remaining).map_or(input.len(), |r| r.min(input.len()));
                let data = input.get(..take).unwrap_or_default();
                let remaining = remaining - take as u64;
                let chunk_complete = remaining == 0;
                self.state = if chunk_complete {
                    if last {
                        self.message_size = 0;
                    }
                    ServerState::Commands
                } else {
                    ServerState::Chunk { remaining, last }
                };
                Ok(Decoded::Complete {
                    value: ClientItem::ChunkData {
                        data,
                        chunk_complete,
                        last,
                    },
                    consumed: take,
                })
            }
        }
    }

    fn decode_command<'a>(
        &mut self,
        input: &'a [u8],
    ) -> Result<Decoded<ClientItem<'a>>, DecodeError> {
        match decode_command_from(input, self.scanned.min(input.len()), &self.limits) {
            Ok(Decoded::Complete { value, consumed }) => {
                self.scanned = 0;
                match &value {
                    Command::Bdat { size, last } => {
                        self.message_size = self.message_size.saturating_add(*size);
                        if self.message_size > self.limits.max_message_size {
                            return Err(DecodeError::new(
                                consumed,
                                ErrorKind::LimitExceeded(Limit::MessageSize),
                            ));
                        }
                        if *size > 0 {
                            self.state = ServerState::Chunk {
                                remaining: *size,
                                last: *last,
                            };
                        } else if *last {
                            self.message_size = 0;
                        }
                    }
                    Command::Rset | Command::Mail { .. } => self.message_size = 0,
                    _ => {}
                }
                Ok(Decoded::Complete {
                    value: ClientItem::Command(value),
                    consumed,
                })
            }
            Ok(Decoded::Incomplete { needed }) => {
                // No LF in what we have: resume the search at its end.
                self.scanned = input.len();
                Ok(Decoded::Incomplete { needed })
            }
            Err(error) if matches!(error.kind(), ErrorKind::Expected(_)) => {
                self.malformed_line(input, error)
            }
            Err(error) => Err(error),
        }
    }

    /// Turns a grammar error on a complete line into a [`ClientItem::Malformed`] that consumes
    /// the line. Bare line ends under the strict policy are not resynchronisable and stay errors.
    fn malformed_line<'a>(
        &mut self,
        input: &'a [u8],
        error: DecodeError,
    ) -> Result<Decoded<ClientItem<'a>>, DecodeError> {
        use crate::Expected;
        if matches!(
            error.kind(),
            ErrorKind::Expected(Expected::CrlfNotBareCr | Expected::CrlfNotBareLf)
        ) {
            return Err(error);
        }
        let Some(lf) = memchr::memchr(b'\n', input) else {
            return Err(error);
        };
        let line = input.get(..lf).unwrap_or_default();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        self.scanned = 0;
        if self.state == ServerState::AuthResponse {
            self.state = ServerState::Commands;
        }
        Ok(Decoded::Complete {
            value: ClientItem::Malformed { line, error },
            consumed: lf + 1,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Expected;

    fn drain<'a>(decoder: &mut ServerDecoder, mut input: &'a [u8]) -> Vec<ClientItem<'a>> {
        let mut items = Vec::new();
        while let Decoded::Complete { value, consumed } = decoder.decode(input).unwrap() {
            if value == ClientItem::Command(Command::Data) {
                decoder.expect_data();
            }
            items.push(value);
            input = &input[consumed..];
        }
        items
    }

    #[test]
    fn follows_data_and_bdat() {
        let mut decoder = ServerDecoder::new(Limits::default());
        let items = drain(
            &mut decoder,
            b"DATA\r\nhi\r\n.\r\nBDAT 5 LAST\r\nab\r\nQUIT\r\n",
        );
        assert_eq!(
            items,
            vec![
                ClientItem::Command(Command::Data),
                ClientItem::MessageData(b"hi\r\n"),
                ClientItem::MessageEnd,
                ClientItem::Command(Command::Bdat {
                    size: 5,
                    last: true
                }),
                ClientItem::ChunkData {
                    data: b"ab\r\nQ",
                    chunk_complete: true,
                    last: true
                },
                ClientItem::Command(Command::Unknown {
                    verb: std::borrow::Cow::Borrowed(b"UIT"),
                    arguments: None
                }),
            ]
        );
    }

    #[test]
    fn malformed_lines_are_items_and_auth_lines_follow_334() {
        let mut decoder = ServerDecoder::new(Limits::default());
        let input = b"MAIL FROM:bad\r\nAUTH LOGIN\r\ndXNlcg==\r\n";
        let (item, used) = decoder.decode(input).unwrap().complete().unwrap();
        let ClientItem::Malformed { line, error } = item else {
            panic!("{item:?}")
        };
        assert_eq!((line, used), (&b"MAIL FROM:bad"[..], 15));
        assert_eq!(error.kind(), ErrorKind::Expected(Expected::OpenAngle));
        let (_, used2) = decoder.decode(&input[used..]).unwrap().complete().unwrap();
        decoder.expect_auth_response();
        let (item, _) = decoder
            .decode(&input[used + used2..])
            .unwrap()
            .complete()
            .unwrap();
        assert!(matches!(
            item,
            ClientItem::AuthResponse(AuthResponse::Data(_))
        ));
        assert_eq!(decoder.state(), ServerState::Commands);
    }

    #[test]
    fn over_long_lines_are_errors() {
        let mut decoder = ServerDecoder::new(Limits::default());
        let line = vec![b'A'; 2000];
        let err = decoder.decode(&line).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LimitExceeded(Limit::LineLength));
    }
}
