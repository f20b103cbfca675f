//! `tokio_util::codec` adapters for both roles.
//!
//! Framed items must outlive the read buffer, so they are owned: commands and replies are
//! copied with `into_owned()`, while message and chunk data are handed out as
//! [`Bytes`] split off the buffer without copying.

use std::io;

use bytes::{Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::auth::AuthResponse;
use crate::client::ReplyDecoder;
use crate::command::Command;
use crate::reply::Reply;
use crate::server::{ClientItem, ServerDecoder, ServerState};
use crate::{DecodeError, Decoded, Encode, Limits};

/// An error of the codecs: the transport's, or the decoder's.
#[derive(Debug)]
pub enum CodecError {
    /// Reading or writing failed.
    Io(io::Error),
    /// The peer sent bytes that cannot be decoded.
    Decode(DecodeError),
}

impl std::fmt::Display for CodecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CodecError::Io(error) => write!(f, "i/o error: {error}"),
            CodecError::Decode(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for CodecError {}

impl From<io::Error> for CodecError {
    fn from(error: io::Error) -> Self {
        CodecError::Io(error)
    }
}

impl From<DecodeError> for CodecError {
    fn from(error: DecodeError) -> Self {
        CodecError::Decode(error)
    }
}

/// An owned [`ClientItem`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerEvent {
    /// A command line.
    Command(Command<'static>),
    /// A line that does not parse (answer 500/501 and go on).
    Malformed {
        /// The line without its terminator.
        line: Bytes,
        /// Why it does not parse.
        error: DecodeError,
    },
    /// A line answering a 334 challenge.
    AuthResponse(AuthResponse<'static>),
    /// Un-stuffed DATA payload.
    MessageData(Bytes),
    /// The end of the DATA payload.
    MessageEnd,
    /// A line over its length limit: answer `500 5.5.6` (the rest of it is discarded).
    LineTooLong {
        /// Which limit.
        error: DecodeError,
    },
    /// A DATA payload refused at its end (bare CR/LF under the strict policy, or over the size
    /// limit): answer 5xx. See [`ClientItem::MessageRejected`].
    MessageRejected {
        /// Why.
        error: DecodeError,
    },
    /// A BDAT chunk over the size limit, discarded: answer `552 5.3.4`.
    ChunkRejected {
        /// Why.
        error: DecodeError,
        /// Whether it was announced with LAST.
        last: bool,
    },
    /// BDAT chunk bytes.
    ChunkData {
        /// The bytes.
        data: Bytes,
        /// Whether the chunk is complete.
        chunk_complete: bool,
        /// Whether the chunk was announced with LAST.
        last: bool,
    },
}

/// The server side of a connection: decodes [`ServerEvent`]s, encodes [`Reply`]s.
#[derive(Debug, Clone)]
pub struct ServerCodec {
    decoder: ServerDecoder,
}

impl ServerCodec {
    /// A codec under `limits`.
    pub fn new(limits: Limits) -> Self {
        Self {
            decoder: ServerDecoder::new(limits),
        }
    }

    /// See [`ServerDecoder::expect_data`].
    pub fn expect_data(&mut self) {
        self.decoder.expect_data();
    }

    /// See [`ServerDecoder::expect_auth_response`].
    pub fn expect_auth_response(&mut self) {
        self.decoder.expect_auth_response();
    }

    /// What is expected next.
    pub fn state(&self) -> ServerState {
        self.decoder.state()
    }
}

impl Default for ServerCodec {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

/// Where `part` starts inside `whole` (it must be a sub-slice of it).
fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

impl Decoder for ServerCodec {
    type Item = ServerEvent;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<ServerEvent>, CodecError> {
        enum Plan {
            Owned(ServerEvent),
            Slice {
                start: usize,
                len: usize,
                kind: Option<(bool, bool)>,
            },
            Malformed {
                len: usize,
                error: DecodeError,
            },
        }
        let decoded = loop {
            match self.decoder.decode(src)? {
                Decoded::Complete {
                    value: ClientItem::Skipped,
                    consumed,
                } => {
                    let _ = src.split_to(consumed.min(src.len()));
                }
                decoded => break decoded,
            }
        };
        let (plan, consumed) = match decoded {
            Decoded::Incomplete { .. } => return Ok(None),
            Decoded::Complete { value, consumed } => {
                let plan = match value {
                    ClientItem::Skipped => return Ok(None),
                    ClientItem::LineTooLong { error } => {
                        Plan::Owned(ServerEvent::LineTooLong { error })
                    }
                    ClientItem::MessageRejected { error } => {
                        Plan::Owned(ServerEvent::MessageRejected { error })
                    }
                    ClientItem::ChunkRejected { error, last } => {
                        Plan::Owned(ServerEvent::ChunkRejected { error, last })
                    }
                    ClientItem::Command(command) => {
                        Plan::Owned(ServerEvent::Command(command.into_owned()))
                    }
                    ClientItem::AuthResponse(response) => {
                        Plan::Owned(ServerEvent::AuthResponse(response.into_owned()))
                    }
                    ClientItem::MessageEnd => Plan::Owned(ServerEvent::MessageEnd),
                    ClientItem::Malformed { line, error } => Plan::Malformed {
                        len: line.len(),
                        error,
                    },
                    ClientItem::MessageData(bytes) => Plan::Slice {
                        start: offset_in(src, bytes),
                        len: bytes.len(),
                        kind: None,
                    },
                    ClientItem::ChunkData {
                        data,
                        chunk_complete,
                        last,
                    } => Plan::Slice {
                        start: offset_in(src, data),
                        len: data.len(),
                        kind: Some((chunk_complete, last)),
                    },
                };
                (plan, consumed)
            }
        };
        let frame = src.split_to(consumed).freeze();
        let event = match plan {
            Plan::Owned(event) => event,
            Plan::Malformed { len, error } => ServerEvent::Malformed {
                line: frame.slice(..len.min(frame.len())),
                error,
            },
            Plan::Slice { start, len, kind } => {
                let data = frame.slice(start.min(frame.len())..(start + len).min(frame.len()));
                match kind {
                    None => ServerEvent::MessageData(data),
                    Some((chunk_complete, last)) => ServerEvent::ChunkData {
                        data,
                        chunk_complete,
                        last,
                    },
                }
            }
        };
        Ok(Some(event))
    }
}

impl Encoder<Reply<'_>> for ServerCodec {
    type Error = CodecError;

    fn encode(&mut self, reply: Reply<'_>, dst: &mut BytesMut) -> Result<(), CodecError> {
        reply.encode(dst);
        Ok(())
    }
}

/// The client side of a connection: decodes [`Reply`]s, encodes commands and AUTH lines.
/// Message data is written with [`crate::DotStuffer`] or [`crate::encode_data`].
#[derive(Debug, Clone)]
pub struct ClientCodec {
    decoder: ReplyDecoder,
}

impl ClientCodec {
    /// A codec under `limits`.
    pub fn new(limits: Limits) -> Self {
        Self {
            decoder: ReplyDecoder::new(limits),
        }
    }
}

impl Default for ClientCodec {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

impl Decoder for ClientCodec {
    type Item = Reply<'static>;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Reply<'static>>, CodecError> {
        match self.decoder.decode(src)? {
            Decoded::Incomplete { .. } => Ok(None),
            Decoded::Complete { value, consumed } => {
                let reply = value.into_owned();
                let _ = src.split_to(consumed);
                Ok(Some(reply))
            }
        }
    }
}

impl Encoder<Command<'_>> for ClientCodec {
    type Error = CodecError;

    fn encode(&mut self, command: Command<'_>, dst: &mut BytesMut) -> Result<(), CodecError> {
        command.encode(dst);
        Ok(())
    }
}

impl Encoder<AuthResponse<'_>> for ClientCodec {
    type Error = CodecError;

    fn encode(&mut self, response: AuthResponse<'_>, dst: &mut BytesMut) -> Result<(), CodecError> {
        response.encode(dst);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_codec_splits_data_without_copying_semantics() {
        let mut codec = ServerCodec::default();
        let mut buffer = BytesMut::from(&b"DATA\r\nab\r\n..c\r\n.\r\nQUIT\r\n"[..]);
        assert_eq!(
            codec.decode(&mut buffer).unwrap(),
            Some(ServerEvent::Command(Command::Data))
        );
        codec.expect_data();
        let mut payload = Vec::new();
        loop {
            match codec.decode(&mut buffer).unwrap() {
                Some(ServerEvent::MessageData(bytes)) => payload.extend_from_slice(&bytes),
                Some(ServerEvent::MessageEnd) => break,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(payload, b"ab\r\n.c\r\n");
        assert_eq!(
            codec.decode(&mut buffer).unwrap(),
            Some(ServerEvent::Command(Command::Quit))
        );
        assert!(buffer.is_empty());
    }

    #[test]
    fn client_codec_reads_pipelined_replies() {
        let mut codec = ClientCodec::default();
        let mut buffer = BytesMut::from(&b"250 ok\r\n550 no\r\n25"[..]);
        assert_eq!(
            codec.decode(&mut buffer).unwrap().unwrap().code().get(),
            250
        );
        assert_eq!(
            codec.decode(&mut buffer).unwrap().unwrap().code().get(),
            550
        );
        assert_eq!(codec.decode(&mut buffer).unwrap(), None);
        assert_eq!(&buffer[..], b"25");
    }
}
