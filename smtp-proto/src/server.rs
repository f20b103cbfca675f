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
    /// A command or AUTH line over its length limit ([`Limit::LineLength`],
    /// [`Limit::AuthLineLength`]): answer `500 5.5.6` (line too long) and carry on. The rest of
    /// the line is discarded as it arrives ([`ClientItem::Skipped`]); an AUTH exchange ends.
    LineTooLong {
        /// Which limit, and where.
        error: DecodeError,
    },
    /// Bytes of a refused line, payload or chunk were discarded; needs no answer.
    Skipped,
    /// The DATA payload ended (its `.` line arrived) but is refused: a bare CR or LF under
    /// [`LineEndings::Strict`](crate::LineEndings::Strict), or more than
    /// [`Limits::max_message_size`] octets. From the error on, its bytes were discarded up to
    /// the real `CRLF.CRLF` (never a bare-line-end look-alike); payload handed out before it
    /// belongs to the refused message too. Answer 5xx (`554 5.6.0`, or `552 5.3.4` for the
    /// size) and carry on with commands.
    MessageRejected {
        /// Why: [`Expected::CrlfNotBareLf`](crate::Expected::CrlfNotBareLf),
        /// [`Expected::CrlfNotBareCr`](crate::Expected::CrlfNotBareCr) or
        /// [`Limit::MessageSize`] (the offset is within the input where it was found).
        error: DecodeError,
    },
    /// A BDAT chunk that would take the message over [`Limits::max_message_size`] was
    /// discarded as it arrived (its BDAT line included): answer `552 5.3.4`. Later chunks of
    /// the same transaction are refused too, until `RSET` or `MAIL` (or a chunk with LAST).
    ChunkRejected {
        /// [`Limit::MessageSize`].
        error: DecodeError,
        /// Whether the chunk was announced with LAST.
        last: bool,
    },
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
    /// What is being discarded, if anything.
    skip: Option<Skip>,
}

/// Input the decoder discards before it reports the refusal (or goes on).
#[derive(Debug, Clone, Copy)]
enum Skip {
    /// The rest of an over-long line.
    Line,
    /// A refused DATA payload, up to its terminator.
    Data {
        decoder: DataDecoder,
        error: DecodeError,
    },
    /// A refused BDAT chunk.
    Chunk {
        remaining: u64,
        last: bool,
        error: DecodeError,
    },
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
            skip: None,
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

    /// Whether the decoder is discarding refused input (the rest of an over-long line, a
    /// refused payload or chunk): the next `decode` gives [`ClientItem::Skipped`] or the
    /// refusal that ends it.
    pub const fn is_skipping(&self) -> bool {
        self.skip.is_some()
    }

    /// While a refused payload or chunk is being discarded: why it is refused (what
    /// [`ClientItem::MessageRejected`] or [`ClientItem::ChunkRejected`] will say at its end).
    pub const fn pending_refusal(&self) -> Option<DecodeError> {
        match self.skip {
            Some(Skip::Data { error, .. } | Skip::Chunk { error, .. }) => Some(error),
            Some(Skip::Line) | None => None,
        }
    }

    /// The server sent 354: message data follows, up to the `.` line.
    pub fn expect_data(&mut self) {
        self.state = ServerState::Data;
        self.data = DataDecoder::new(&self.limits);
        self.scanned = 0;
        self.skip = None;
    }

    /// The server sent 334: one continuation line follows.
    pub fn expect_auth_response(&mut self) {
        self.state = ServerState::AuthResponse;
        self.scanned = 0;
        self.skip = None;
    }

    /// Back to commands (after RSET, or when the server abandons a transfer).
    pub fn expect_commands(&mut self) {
        self.state = ServerState::Commands;
        self.scanned = 0;
        self.skip = None;
    }

    /// Decodes the next item from the start of `input` (the unconsumed client bytes).
    ///
    /// Bad input the stream can be resynchronised after is an item the server answers:
    /// [`ClientItem::Malformed`], [`ClientItem::LineTooLong`], [`ClientItem::MessageRejected`],
    /// [`ClientItem::ChunkRejected`]. Errors are returned only when it cannot: a bare CR or LF
    /// in a command line under [`LineEndings::Strict`](crate::LineEndings::Strict), where
    /// the line's end is in doubt; the server should answer and close.
    pub fn decode<'a>(&mut self, input: &'a [u8]) -> Result<Decoded<ClientItem<'a>>, DecodeError> {
        if let Some(skip) = self.skip {
            return Ok(self.discard(skip, input));
        }
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
                    Err(error) => Ok(self.line_too_long(input, error)),
                }
            }
            ServerState::Data => {
                let decoded = match self.data.decode(input) {
                    Ok(decoded) => decoded,
                    Err(error) => {
                        // Refused: discard up to the real terminator, then say so.
                        let decoder = self.data.for_discarding();
                        return Ok(self.discard(Skip::Data { decoder, error }, input));
                    }
                };
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
                            let error = DecodeError::new(
                                consumed,
                                ErrorKind::LimitExceeded(Limit::MessageSize),
                            );
                            if *last {
                                self.message_size = 0;
                            }
                            if *size == 0 {
                                return Ok(Decoded::Complete {
                                    value: ClientItem::ChunkRejected { error, last: *last },
                                    consumed,
                                });
                            }
                            self.skip = Some(Skip::Chunk {
                                remaining: *size,
                                last: *last,
                                error,
                            });
                            return Ok(Decoded::Complete {
                                value: ClientItem::Skipped,
                                consumed,
                            });
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
            Err(error) => Ok(self.line_too_long(input, error)),
        }
    }

    /// A line over its limit: consumed up to its LF if that is here, else all of `input` and
    /// the rest is discarded as it comes.
    fn line_too_long<'a>(
        &mut self,
        input: &'a [u8],
        error: DecodeError,
    ) -> Decoded<ClientItem<'a>> {
        self.scanned = 0;
        self.state = ServerState::Commands;
        let consumed = match memchr::memchr(b'\n', input) {
            Some(lf) => lf + 1,
            None => {
                self.skip = Some(Skip::Line);
                input.len()
            }
        };
        Decoded::Complete {
            value: ClientItem::LineTooLong { error },
            consumed,
        }
    }

    /// Discards what `skip` says, as far as `input` goes.
    fn discard<'a>(&mut self, skip: Skip, input: &'a [u8]) -> Decoded<ClientItem<'a>> {
        match skip {
            Skip::Line => {
                if input.is_empty() {
                    return Decoded::Incomplete { needed: None };
                }
                let consumed = match memchr::memchr(b'\n', input) {
                    Some(lf) => {
                        self.skip = None;
                        lf + 1
                    }
                    None => input.len(),
                };
                Decoded::Complete {
                    value: ClientItem::Skipped,
                    consumed,
                }
            }
            Skip::Data { mut decoder, error } => {
                // Lenient and unbounded: this cannot fail, and only CRLF.CRLF ends it.
                let decoded = decoder
                    .decode(input)
                    .unwrap_or(Decoded::Incomplete { needed: None });
                match decoded {
                    Decoded::Incomplete { needed } => {
                        self.skip = Some(Skip::Data { decoder, error });
                        Decoded::Incomplete { needed }
                    }
                    Decoded::Complete {
                        value: DataEvent::Bytes(_),
                        consumed,
                    } => {
                        self.skip = Some(Skip::Data { decoder, error });
                        Decoded::Complete {
                            value: ClientItem::Skipped,
                            consumed,
                        }
                    }
                    Decoded::Complete {
                        value: DataEvent::End,
                        consumed,
                    } => {
                        self.skip = None;
                        self.state = ServerState::Commands;
                        self.scanned = 0;
                        Decoded::Complete {
                            value: ClientItem::MessageRejected { error },
                            consumed,
                        }
                    }
                }
            }
            Skip::Chunk {
                remaining,
                last,
                error,
            } => {
                if input.is_empty() {
                    return Decoded::Incomplete {
                        needed: usize::try_from(remaining)
                            .ok()
                            .and_then(core::num::NonZeroUsize::new),
                    };
                }
                let take = usize::try_from(remaining).map_or(input.len(), |r| r.min(input.len()));
                let remaining = remaining - take as u64;
                if remaining > 0 {
                    self.skip = Some(Skip::Chunk {
                        remaining,
                        last,
                        error,
                    });
                    return Decoded::Complete {
                        value: ClientItem::Skipped,
                        consumed: take,
                    };
                }
                self.skip = None;
                self.state = ServerState::Commands;
                self.scanned = 0;
                Decoded::Complete {
                    value: ClientItem::ChunkRejected { error, last },
                    consumed: take,
                }
            }
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
    fn over_long_lines_are_items_and_the_rest_is_skipped() {
        let mut decoder = ServerDecoder::new(Limits::default());
        let line = vec![b'A'; 2000];
        let (item, used) = decoder.decode(&line).unwrap().complete().unwrap();
        let ClientItem::LineTooLong { error } = item else {
            panic!("{item:?}")
        };
        assert_eq!(error.kind(), ErrorKind::LimitExceeded(Limit::LineLength));
        assert_eq!(used, 2000);
        let (item, used) = decoder
            .decode(b"AAA\r\nQUIT\r\n")
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!((item, used), (ClientItem::Skipped, 5));
        let (item, _) = decoder.decode(b"QUIT\r\n").unwrap().complete().unwrap();
        assert_eq!(item, ClientItem::Command(Command::Quit));
    }
}
