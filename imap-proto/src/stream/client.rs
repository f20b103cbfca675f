//! The client role: decoding what a server sends.
//!
//! [`ResponseDecoder`] frames and parses responses from a growing buffer, remembering how far
//! it has scanned so chunked input is examined once. [`ResponseCodec`] adapts it to
//! `tokio_util::codec`: each item is a [`ResponseFrame`] holding the message's bytes as a
//! `bytes::Bytes` slice of the read buffer (literal data is not copied), from which
//! [`ResponseFrame::response`] borrows the decoded [`Response`].

use std::num::NonZeroUsize;

use bytes::Bytes;

use crate::frame::{FrameStatus, Framer};
use crate::response::Response;
use crate::{DecodeError, Decoded, Limits};

#[cfg(feature = "tokio")]
pub use self::tokio_adapter::ResponseCodec;

/// Decodes responses one at a time from a buffer that starts at the next response.
///
/// Between calls the caller may only append to the buffer; after a `Complete` result it
/// drops `consumed` bytes from the front. The decoder is otherwise stateless: responses are
/// the same in every connection state.
#[derive(Debug, Clone)]
pub struct ResponseDecoder {
    framer: Framer,
    limits: Limits,
}

impl Default for ResponseDecoder {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

impl ResponseDecoder {
    /// A decoder enforcing `limits`.
    pub fn new(limits: Limits) -> Self {
        Self {
            framer: Framer::new(limits),
            limits,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Total bytes the framer has examined (see [`Framer::bytes_examined`]).
    pub fn bytes_examined(&self) -> u64 {
        self.framer.bytes_examined()
    }

    /// Finds where the response at the start of `buf` ends, without parsing it.
    pub fn frame(&mut self, buf: &[u8]) -> Result<Option<usize>, DecodeError> {
        match self.framer.frame(buf) {
            Ok(FrameStatus::Complete { len }) => Ok(Some(len)),
            Ok(_) => Ok(None),
            Err(e) => {
                self.framer.reset();
                Err(e)
            }
        }
    }

    /// Decodes the response at the start of `buf`.
    pub fn decode<'b>(&mut self, buf: &'b [u8]) -> Result<Decoded<Response<'b>>, DecodeError> {
        let status = self
            .framer
            .frame(buf)
            .inspect_err(|_| self.framer.reset())?;
        match status {
            FrameStatus::Complete { len } => {
                let frame = buf.get(..len).unwrap_or_default();
                let value = Response::from_frame(frame, &self.limits)?;
                Ok(Decoded::Complete {
                    value,
                    consumed: len,
                })
            }
            FrameStatus::Incomplete { needed } => Ok(Decoded::Incomplete { needed }),
            FrameStatus::Literal(_) => Ok(Decoded::Incomplete {
                needed: NonZeroUsize::new(1),
            }),
        }
    }
}

/// One framed, validated response, owning its bytes (a zero-copy slice of the read buffer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseFrame {
    bytes: Bytes,
    limits: Limits,
}

impl ResponseFrame {
    /// A frame the caller has already validated against `limits`.
    pub(crate) fn from_parts(bytes: Bytes, limits: Limits) -> Self {
        Self { bytes, limits }
    }

    /// The response's wire bytes (CRLF included).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The wire bytes as `Bytes`.
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }

    /// The decoded response, borrowing from this frame. It parses the frame again (the codec
    /// validated it when it was framed), which allocates nothing beyond the response's lists.
    pub fn response(&self) -> Result<Response<'_>, DecodeError> {
        Response::from_frame(&self.bytes, &self.limits)
    }
}

/// The `tokio_util::codec` adapter (the `tokio` feature, on by default).
#[cfg(feature = "tokio")]
mod tokio_adapter {
    use bytes::BytesMut;
    use tokio_util::codec;

    use super::{ResponseDecoder, ResponseFrame};
    use crate::response::Response;
    use crate::stream::CodecError;
    use crate::{Encode, Limits};

    /// A `tokio_util::codec` decoder of responses (client side) and encoder of responses
    /// (server side). Needs the `tokio` feature (on by default).
    #[derive(Debug, Clone, Default)]
    pub struct ResponseCodec {
        decoder: ResponseDecoder,
    }

    impl ResponseCodec {
        /// A codec enforcing `limits`.
        pub fn new(limits: Limits) -> Self {
            Self {
                decoder: ResponseDecoder::new(limits),
            }
        }
    }

    impl codec::Decoder for ResponseCodec {
        type Item = ResponseFrame;
        type Error = CodecError;

        fn decode(&mut self, src: &mut BytesMut) -> Result<Option<ResponseFrame>, CodecError> {
            let Some(len) = self.decoder.frame(src)? else {
                return Ok(None);
            };
            let limits = *self.decoder.limits();
            let bytes = src.split_to(len).freeze();
            Response::from_frame(&bytes, &limits)?;
            Ok(Some(ResponseFrame { bytes, limits }))
        }
    }

    impl codec::Encoder<&Response<'_>> for ResponseCodec {
        type Error = CodecError;

        fn encode(&mut self, item: &Response<'_>, dst: &mut BytesMut) -> Result<(), CodecError> {
            item.encode(dst);
            Ok(())
        }
    }

    impl codec::Encoder<Response<'_>> for ResponseCodec {
        type Error = CodecError;

        fn encode(&mut self, item: Response<'_>, dst: &mut BytesMut) -> Result<(), CodecError> {
            item.encode(dst);
            Ok(())
        }
    }
}
