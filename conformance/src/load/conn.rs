//! Connections of the load generator: TCP, then implicit TLS, STARTTLS (done by the protocol
//! modules) or none, as the target's endpoint says. Unlike the check engine's connections
//! nothing is recorded: a load run holds thousands of sessions.

use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::target::Endpoint;

/// Any stream a session runs on.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A boxed stream.
pub type BoxIo = Box<dyn Io>;

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct Dialer {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// The TLS client configuration.
    pub tls: Arc<rustls::ClientConfig>,
}

/// A connection failed (the error kind names the step: `connect`, `tls`).
#[derive(Debug)]
pub struct DialError {
    /// `connect` or `tls`.
    pub kind: &'static str,
    /// What happened.
    pub detail: String,
}

impl Dialer {
    /// Opens TCP to the endpoint.
    pub async fn tcp(&self) -> Result<TcpStream, DialError> {
        let stream = TcpStream::connect((self.endpoint.host.as_str(), self.endpoint.port))
            .await
            .map_err(|error| DialError {
                kind: "connect",
                detail: format!("{}:{}: {error}", self.endpoint.host, self.endpoint.port),
            })?;
        let _ = stream.set_nodelay(true);
        Ok(stream)
    }

    /// Wraps `io` in TLS to the endpoint's host.
    pub async fn tls<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
        &self,
        io: S,
    ) -> Result<BoxIo, DialError> {
        let name = crate::engine::server_name(&self.endpoint.host).map_err(|error| DialError {
            kind: "tls",
            detail: error.to_string(),
        })?;
        let stream = TlsConnector::from(Arc::clone(&self.tls))
            .connect(name, io)
            .await
            .map_err(|error| DialError {
                kind: "tls",
                detail: error.to_string(),
            })?;
        Ok(Box::new(stream))
    }

    /// Whether the endpoint is implicit TLS.
    pub fn implicit_tls(&self) -> bool {
        self.endpoint.security == crate::target::Security::Implicit
    }

    /// Whether the endpoint upgrades with STARTTLS.
    pub fn starttls(&self) -> bool {
        self.endpoint.security == crate::target::Security::StartTls
    }
}
