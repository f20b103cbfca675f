//! `groupwire proxy`: a fault proxy in front of a real IMAP or SMTP server.
//!
//! The proxy listens on loopback, connects each client to the upstream server, and relays
//! the session while changing exactly one behaviour (a [`Fault`]), so the harness's
//! security checks can be proven against real Dovecot and Postfix with that fault, not only
//! against the embedded reference. To see inside TLS it terminates TLS on both legs: towards
//! the client with its own certificate (a throw-away CA, [`ProxyTls`]; give the harness its
//! PEM with `--ca-file`), towards the upstream with rustls. When the client does STARTTLS,
//! the proxy does STARTTLS on both legs itself.
//!
//! Traffic is followed with the codecs (groupwire-imap, groupwire-smtp): the client's stream
//! with the server-role decoders, the upstream's with the client-role ones. Bytes the fault
//! does not touch are relayed exactly as received. The protocol logic lives in synchronous
//! [`Machine`]s ([`smtp::SmtpMachine`], [`imap::ImapMachine`]) that do no I/O, so every
//! fault's rewriting is unit-tested on byte buffers; [`relay::relay`] drives them over any
//! transport.
//!
//! [`kill`] measures the [`KILLS`] table: each fault's checks must pass through a `none`
//! proxy and fail through the faulty one.

pub mod cli;
pub mod credentials;
pub mod fault;
pub mod imap;
pub mod kill;
pub mod relay;
pub mod smtp;
pub mod tls;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};

pub use credentials::Credentials;
pub use fault::{FAULTS, Fault, KILLS, Kill, UnknownFault};
pub use relay::{Action, Machine};
pub use tls::ProxyTls;

use crate::engine::{Protocol, TlsTrust};
use crate::target::{Endpoint, Security};

/// What a proxy is started with.
#[derive(Debug, Clone)]
pub struct ProxyOptions {
    /// The real server (`imap://`, `imaps://`, `smtp://`, `smtps://`, or the `+plain` forms).
    pub upstream: Endpoint,
    /// The one behaviour to change.
    pub fault: Fault,
    /// The test accounts (for `accept-any-password`).
    pub credentials: Credentials,
    /// Which certificates the upstream may present.
    pub upstream_trust: TlsTrust,
    /// Where to listen; port 0 lets the OS choose.
    pub listen: SocketAddr,
    /// The local address of the upstream connections (e.g. 127.0.0.2, so a server on
    /// 127.0.0.1 does not take the connection for a local, secure one); the OS picks when
    /// absent.
    pub upstream_source: Option<std::net::IpAddr>,
    /// The proxy's certificate material; generated when absent.
    pub tls: Option<ProxyTls>,
}

impl ProxyOptions {
    /// Options for `upstream` with `fault`, listening on an ephemeral loopback port.
    pub fn new(upstream: Endpoint, fault: Fault) -> ProxyOptions {
        ProxyOptions {
            upstream,
            fault,
            credentials: Credentials::default(),
            upstream_trust: TlsTrust::Insecure,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            upstream_source: None,
            tls: None,
        }
    }
}

/// Why the proxy could not start.
#[derive(Debug)]
pub enum ProxyError {
    /// The upstream URL names no IMAP or SMTP endpoint.
    Protocol(String),
    /// TLS material or configuration.
    Tls(String),
    /// Binding the listener.
    Io(std::io::Error),
}

impl std::fmt::Display for ProxyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProxyError::Protocol(url) => write!(f, "{url}: the proxy relays IMAP and SMTP only"),
            ProxyError::Tls(error) => write!(f, "proxy TLS setup: {error}"),
            ProxyError::Io(error) => write!(f, "proxy listener: {error}"),
        }
    }
}

impl std::error::Error for ProxyError {}

/// A running proxy; stopped on [`Proxy::stop`] or drop.
#[derive(Debug)]
pub struct Proxy {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The URL to give the harness: the upstream's scheme, the proxy's address.
    pub url: String,
    /// The CA certificate (PEM) the harness must trust (`--ca-file`).
    pub ca_pem: String,
    /// The fault in force.
    pub fault: Fault,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Binds the listener and starts accepting; each connection is relayed on its own task.
    pub async fn start(options: ProxyOptions) -> Result<Proxy, ProxyError> {
        let protocol = options
            .upstream
            .protocol()
            .ok_or_else(|| ProxyError::Protocol(options.upstream.url.clone()))?;
        let proxy_tls = match options.tls.clone() {
            Some(tls) => tls,
            None => ProxyTls::generate().map_err(|e| ProxyError::Tls(e.to_string()))?,
        };
        let client = crate::engine::client_config(&options.upstream_trust)
            .map_err(|e| ProxyError::Tls(e.to_string()))?;
        let upstream_name = crate::engine::server_name(&options.upstream.host)
            .map_err(|e| ProxyError::Tls(e.to_string()))?;
        let legs = relay::LegTls {
            server: Arc::clone(&proxy_tls.server),
            client,
            upstream_name,
        };
        let listener = TcpListener::bind(options.listen)
            .await
            .map_err(ProxyError::Io)?;
        let addr = listener.local_addr().map_err(ProxyError::Io)?;
        let host = match addr.ip() {
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            std::net::IpAddr::V4(ip) => ip.to_string(),
        };
        let url = format!("{}://{host}:{}", options.upstream.scheme, addr.port());
        let fault = options.fault.clone();
        let task = tokio::spawn(accept_loop(listener, options, protocol, legs));
        Ok(Proxy {
            addr,
            url,
            ca_pem: proxy_tls.ca_pem,
            fault,
            task,
        })
    }

    /// Writes the CA certificate to `path` (for `--ca-file`).
    pub fn write_ca(&self, path: &std::path::Path) -> std::io::Result<()> {
        std::fs::write(path, self.ca_pem.as_bytes())
    }

    /// Stops accepting (sessions in progress end with their connections).
    pub fn stop(self) {
        self.task.abort();
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The machine for one session.
pub fn machine_for(
    protocol: Protocol,
    fault: &Fault,
    credentials: &Credentials,
    tls: bool,
) -> Box<dyn Machine> {
    match protocol {
        Protocol::Smtp => Box::new(smtp::SmtpMachine::new(
            fault.clone(),
            credentials.clone(),
            tls,
        )),
        _ => Box::new(imap::ImapMachine::new(
            fault.clone(),
            credentials.clone(),
            tls,
        )),
    }
}

async fn accept_loop(
    listener: TcpListener,
    options: ProxyOptions,
    protocol: Protocol,
    legs: relay::LegTls,
) {
    let start = match options.upstream.security {
        Security::Implicit => relay::Start::Tls,
        Security::StartTls | Security::Plain => relay::Start::Plain,
    };
    let upstream_addr = (options.upstream.host.clone(), options.upstream.port);
    let source = options.upstream_source;
    let mut sessions = tokio::task::JoinSet::new();
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        let machine = machine_for(
            protocol,
            &options.fault,
            &options.credentials,
            start == relay::Start::Tls,
        );
        let legs = legs.clone();
        let upstream_addr = upstream_addr.clone();
        sessions.spawn(async move {
            let upstream = match connect_upstream(upstream_addr, source).await {
                Ok(upstream) => upstream,
                Err(error) => {
                    eprintln!("groupwire proxy: cannot reach the upstream: {error}");
                    return;
                }
            };
            let _ = client.set_nodelay(true);
            let _ = upstream.set_nodelay(true);
            if let Err(error) = relay::relay(client, upstream, machine, legs, start).await {
                eprintln!("groupwire proxy: session ended: {error}");
            }
        });
        while sessions.try_join_next().is_some() {}
    }
}

async fn connect_upstream(
    addr: (String, u16),
    source: Option<std::net::IpAddr>,
) -> std::io::Result<TcpStream> {
    let Some(source) = source else {
        return TcpStream::connect(addr).await;
    };
    let mut last = std::io::Error::other(format!("{}: no address", addr.0));
    for target in tokio::net::lookup_host(addr).await? {
        if target.is_ipv4() != source.is_ipv4() {
            continue;
        }
        let socket = if source.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        socket.bind(SocketAddr::new(source, 0))?;
        match socket.connect(target).await {
            Ok(stream) => return Ok(stream),
            Err(error) => last = error,
        }
    }
    Err(last)
}
