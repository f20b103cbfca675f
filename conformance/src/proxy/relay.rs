//! The connection driver: moves bytes between the client leg and the upstream leg through a
//! protocol [`Machine`], and performs the TLS upgrades the machine asks for.
//!
//! Machines are synchronous and do no I/O (so their rewriting is unit-tested on byte
//! buffers); the driver is generic over the transport (TCP in the proxy, in-memory duplex
//! pipes in tests).

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// What a machine wants done, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Write these bytes to the client.
    ToClient(Vec<u8>),
    /// Write these bytes to the upstream.
    ToUpstream(Vec<u8>),
    /// Start TLS as a client on the upstream leg, then call [`Machine::upstream_secured`].
    SecureUpstream,
    /// Accept TLS from the client, then call [`Machine::client_secured`].
    SecureClient,
}

/// A protocol state machine between the two legs.
pub trait Machine: Send {
    /// Bytes arrived from the client.
    fn client_sent(&mut self, bytes: &[u8]) -> Vec<Action>;
    /// Bytes arrived from the upstream.
    fn upstream_sent(&mut self, bytes: &[u8]) -> Vec<Action>;
    /// The upstream leg is now TLS.
    fn upstream_secured(&mut self) -> Vec<Action>;
    /// The client leg is now TLS.
    fn client_secured(&mut self) -> Vec<Action>;
}

/// Anything the driver can read and write.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A leg: plaintext until upgraded.
enum Leg<S> {
    Plain(S),
    Tls(Box<dyn Io>),
    Gone,
}

impl<S: Io + 'static> Leg<S> {
    fn io(&mut self) -> std::io::Result<&mut (dyn Io + '_)> {
        match self {
            Leg::Plain(stream) => Ok(stream),
            Leg::Tls(stream) => Ok(stream.as_mut()),
            Leg::Gone => Err(std::io::Error::other("the leg failed a TLS upgrade")),
        }
    }
}

/// TLS settings of both legs.
#[derive(Clone)]
pub struct LegTls {
    /// The client-facing server configuration.
    pub server: Arc<rustls::ServerConfig>,
    /// The upstream-facing client configuration.
    pub client: Arc<rustls::ClientConfig>,
    /// The name to verify the upstream's certificate against (and send as SNI).
    pub upstream_name: rustls::pki_types::ServerName<'static>,
}

impl std::fmt::Debug for LegTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegTls")
            .field("upstream_name", &self.upstream_name)
            .finish_non_exhaustive()
    }
}

async fn secure_upstream<S: Io + 'static>(leg: &mut Leg<S>, tls: &LegTls) -> std::io::Result<()> {
    let Leg::Plain(stream) = std::mem::replace(leg, Leg::Gone) else {
        return Err(std::io::Error::other("upstream leg is already TLS"));
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::clone(&tls.client));
    let stream = connector
        .connect(tls.upstream_name.clone(), stream)
        .await
        .map_err(|error| std::io::Error::other(format!("TLS to the upstream: {error}")))?;
    *leg = Leg::Tls(Box::new(stream));
    Ok(())
}

async fn secure_client<S: Io + 'static>(leg: &mut Leg<S>, tls: &LegTls) -> std::io::Result<()> {
    let Leg::Plain(stream) = std::mem::replace(leg, Leg::Gone) else {
        return Err(std::io::Error::other("client leg is already TLS"));
    };
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(&tls.server));
    let stream = acceptor
        .accept(stream)
        .await
        .map_err(|error| std::io::Error::other(format!("TLS from the client: {error}")))?;
    *leg = Leg::Tls(Box::new(stream));
    Ok(())
}

/// How the session starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// Both legs begin in plaintext (STARTTLS endpoints, or no TLS at all).
    Plain,
    /// Both legs begin with TLS (implicit-TLS endpoints).
    Tls,
}

/// Relays one session until either side closes or fails. Returns why it ended.
pub async fn relay<C, U>(
    client: C,
    upstream: U,
    mut machine: Box<dyn Machine>,
    tls: LegTls,
    start: Start,
) -> std::io::Result<()>
where
    C: Io + 'static,
    U: Io + 'static,
{
    let mut client = Leg::Plain(client);
    let mut upstream = Leg::Plain(upstream);
    if start == Start::Tls {
        secure_upstream(&mut upstream, &tls).await?;
        secure_client(&mut client, &tls).await?;
    }
    let mut queue: VecDeque<Action> = VecDeque::new();
    let mut client_buf = vec![0u8; 16 * 1024];
    let mut upstream_buf = vec![0u8; 16 * 1024];
    loop {
        while let Some(action) = queue.pop_front() {
            match action {
                Action::ToClient(bytes) => {
                    let io = client.io()?;
                    io.write_all(&bytes).await?;
                    io.flush().await?;
                }
                Action::ToUpstream(bytes) => {
                    let io = upstream.io()?;
                    io.write_all(&bytes).await?;
                    io.flush().await?;
                }
                Action::SecureUpstream => {
                    secure_upstream(&mut upstream, &tls).await?;
                    queue.extend(machine.upstream_secured());
                }
                Action::SecureClient => {
                    secure_client(&mut client, &tls).await?;
                    queue.extend(machine.client_secured());
                }
            }
        }
        let client_io = client.io()?;
        let upstream_io = upstream.io()?;
        tokio::select! {
            read = client_io.read(&mut client_buf) => {
                let n = read?;
                if n == 0 {
                    let _ = upstream_io.shutdown().await;
                    return Ok(());
                }
                queue.extend(machine.client_sent(client_buf.get(..n).unwrap_or_default()));
            }
            read = upstream_io.read(&mut upstream_buf) => {
                let n = read?;
                if n == 0 {
                    let _ = client_io.shutdown().await;
                    return Ok(());
                }
                queue.extend(machine.upstream_sent(upstream_buf.get(..n).unwrap_or_default()));
            }
        }
    }
}
