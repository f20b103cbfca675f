//! Streaming roles with `tokio_util::codec` adapters: [`client`] decodes what a server sends,
//! [`server`] decodes what a client sends (keeping the protocol state that changes how its
//! bytes are read) and `server_codec` adapts it to `tokio_util::codec` (with the `tokio`
//! feature, on by default).

#[cfg(feature = "tokio")]
pub mod async_client;
pub mod client;
pub mod server;
#[cfg(feature = "tokio")]
pub mod server_codec;
pub mod session;

use std::fmt;
use std::io;

use crate::DecodeError;

/// The error type of the `tokio_util::codec` adapters: an I/O error from the transport, or
/// bytes that do not decode.
#[derive(Debug)]
pub enum CodecError {
    /// Reading or writing the transport failed.
    Io(io::Error),
    /// The peer sent bytes that do not decode.
    Decode(DecodeError),
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodecError::Io(error) => write!(f, "i/o error: {error}"),
            CodecError::Decode(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for CodecError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CodecError::Io(error) => Some(error),
            CodecError::Decode(error) => Some(error),
        }
    }
}

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
