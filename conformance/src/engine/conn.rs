//! The connection layer: one TCP or TLS connection of a check, every byte recorded into the
//! check's [`Transcript`], every read bounded in time ([`Connection::set_read_timeout`]) and
//! in memory ([`ConnSettings::max_buffer`]), so a hostile server costs an `error` outcome and
//! never a hang or a crash.
//!
//! Reading is frame-oriented: [`Connection::read_line`] for line protocols, and
//! [`Connection::read_until_decoded`] to let a codec decoder say where a frame ends (IMAP
//! literals, multi-line SMTP replies, HTTP bodies).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::finding::show_bytes;

/// How long a credential exchange may take. Servers delay authentication on purpose after
/// failures from an address (RFC 9051 §11.7; Dovecot's penalty grows to 15 s, and applies to
/// every login from that address until one succeeds), so the run's I/O timeout is too short.
pub const AUTH_PATIENCE: Duration = Duration::from_secs(30);
use super::transcript::Transcript;

/// Limits and trust shared by every connection of a run.
#[derive(Debug, Clone)]
pub struct ConnSettings {
    /// The TLS client configuration (see [`super::tls::client_config`]).
    pub tls: Arc<ClientConfig>,
    /// The most bytes buffered while waiting for one frame (a line, a literal, a body).
    pub max_buffer: usize,
    /// How long one connect, handshake or read may wait.
    pub io_timeout: Duration,
}

/// Default for [`ConnSettings::max_buffer`]: 4 MiB.
pub const DEFAULT_MAX_BUFFER: usize = 4 * 1024 * 1024;

/// What a decoder says about the bytes buffered so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framed<T> {
    /// A whole frame: its (owned) value and how many bytes it used.
    Complete {
        /// The decoded value; it must not borrow from the buffer (use `into_owned()`).
        value: T,
        /// Bytes of the buffer the frame used.
        consumed: usize,
    },
    /// More bytes are needed.
    Incomplete,
    /// The bytes cannot be a frame; the text says why (a decoder error and its offset).
    Invalid(String),
}

/// Why a connection operation failed. Converts into an `error` [`super::Finding`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnError {
    /// The TCP connection could not be made: the target is unreachable.
    Connect {
        /// `host:port`.
        address: String,
        /// The operating system's reason.
        reason: String,
    },
    /// The TLS handshake failed.
    Tls(String),
    /// Nothing arrived (or could be sent) in time.
    Timeout {
        /// What the harness was waiting for.
        waiting_for: String,
        /// How long it waited.
        after: Duration,
    },
    /// The server closed the connection.
    Closed {
        /// Bytes it had sent that did not form a frame.
        pending: usize,
    },
    /// More than `max` bytes arrived without forming a frame.
    LimitExceeded {
        /// The limit.
        max: usize,
    },
    /// The decoder rejected what arrived.
    Invalid(String),
    /// The server sent bytes after its go-ahead for STARTTLS and before the handshake.
    BytesBeforeHandshake(usize),
    /// Any other I/O failure.
    Io(String),
}

impl ConnError {
    /// Whether the target could not be reached at all (exit code 3 when nothing else ran).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, ConnError::Connect { .. })
    }
}

impl fmt::Display for ConnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnError::Connect { address, reason } => {
                write!(f, "cannot connect to {address}: {reason}")
            }
            ConnError::Tls(reason) => write!(f, "TLS handshake failed: {reason}"),
            ConnError::Timeout { waiting_for, after } => {
                write!(
                    f,
                    "timed out after {:.1}s waiting for {waiting_for}",
                    after.as_secs_f64()
                )
            }
            ConnError::Closed { pending } if *pending > 0 => write!(
                f,
                "server closed the connection in the middle of a frame ({pending} bytes pending)"
            ),
            ConnError::Closed { .. } => f.write_str("server closed the connection"),
            ConnError::LimitExceeded { max } => {
                write!(
                    f,
                    "server sent more than {max} bytes without completing a frame"
                )
            }
            ConnError::Invalid(reason) => {
                write!(f, "server sent bytes that do not decode: {reason}")
            }
            ConnError::BytesBeforeHandshake(count) => write!(
                f,
                "server sent {count} bytes after the STARTTLS go-ahead, before the TLS handshake"
            ),
            ConnError::Io(reason) => write!(f, "I/O error: {reason}"),
        }
    }
}

impl std::error::Error for ConnError {}

enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

/// One connection of a check.
pub struct Connection {
    id: u32,
    stream: Option<Stream>,
    /// Received bytes; those before `front` are consumed (compacted before the next read, so
    /// taking many small frames out of one big read costs no copying per frame).
    buffer: Vec<u8>,
    front: usize,
    /// Bytes consumed by read helpers since the connection opened.
    consumed_total: u64,
    /// How far into the pending bytes `read_line` already looked for a line feed.
    line_scanned: usize,
    transcript: Transcript,
    settings: ConnSettings,
    read_timeout: Duration,
    host: String,
    tls_version: Option<String>,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("id", &self.id)
            .field("host", &self.host)
            .field("tls", &self.tls_version)
            .field("buffered", &self.buffered().len())
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Connects to `host:port`, with TLS from the first byte when `implicit_tls`; recorded as
    /// connection number `id` in `transcript`.
    pub async fn connect(
        host: &str,
        port: u16,
        implicit_tls: bool,
        settings: &ConnSettings,
        transcript: Transcript,
        id: u32,
    ) -> Result<Connection, ConnError> {
        let address = format!("{}:{port}", bracket_ipv6(host));
        transcript.note(id, format!("connecting to {address}"));
        let timeout = settings.io_timeout;
        let tcp = match tokio::time::timeout(timeout, TcpStream::connect(address.as_str())).await {
            Ok(Ok(tcp)) => tcp,
            Ok(Err(error)) => {
                let error = ConnError::Connect {
                    address,
                    reason: error.to_string(),
                };
                transcript.note(id, error.to_string());
                return Err(error);
            }
            Err(_) => {
                let error = ConnError::Connect {
                    address,
                    reason: format!("no answer within {:.1}s", timeout.as_secs_f64()),
                };
                transcript.note(id, error.to_string());
                return Err(error);
            }
        };
        let _ = tcp.set_nodelay(true);
        let mut connection = Connection {
            id,
            stream: Some(Stream::Plain(tcp)),
            buffer: Vec::new(),
            front: 0,
            consumed_total: 0,
            line_scanned: 0,
            transcript,
            settings: settings.clone(),
            read_timeout: settings.io_timeout,
            host: host.to_owned(),
            tls_version: None,
        };
        if implicit_tls {
            connection.handshake().await?;
        }
        Ok(connection)
    }

    /// The number of this connection in the transcript.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The negotiated TLS version (`TLSv1.3`), once TLS is up.
    pub fn tls_version(&self) -> Option<&str> {
        self.tls_version.as_deref()
    }

    /// Whether the connection is encrypted.
    pub fn is_tls(&self) -> bool {
        matches!(self.stream, Some(Stream::Tls(_)))
    }

    /// How long each later read may wait (the default is the run's I/O timeout).
    pub fn set_read_timeout(&mut self, timeout: Duration) {
        self.read_timeout = timeout;
    }

    /// How long each read may wait now.
    pub fn read_timeout(&self) -> Duration {
        self.read_timeout
    }

    /// Adds a remark to the transcript.
    pub fn note(&self, text: impl AsRef<str>) {
        self.transcript.note(self.id, text);
    }

    /// Upgrades to TLS after the protocol's STARTTLS go-ahead. Fails with
    /// [`ConnError::BytesBeforeHandshake`] if the server already sent more bytes (a response
    /// injection risk, RFC 3207 §4.2 / RFC 9051 §6.2.1), without starting the handshake.
    pub async fn start_tls(&mut self) -> Result<(), ConnError> {
        if !self.buffered().is_empty() {
            let error = ConnError::BytesBeforeHandshake(self.buffered().len());
            self.note(error.to_string());
            return Err(error);
        }
        self.handshake().await
    }

    async fn handshake(&mut self) -> Result<(), ConnError> {
        let tcp = match self.stream.take() {
            Some(Stream::Plain(tcp)) => tcp,
            Some(tls @ Stream::Tls(_)) => {
                self.stream = Some(tls);
                return Err(ConnError::Tls("TLS is already active".to_owned()));
            }
            None => return Err(ConnError::Closed { pending: 0 }),
        };
        let name: ServerName<'static> = super::tls::server_name(&self.host)
            .map_err(|error| ConnError::Tls(error.to_string()))?;
        let connector = TlsConnector::from(self.settings.tls.clone());
        let timeout = self.read_timeout;
        match tokio::time::timeout(timeout, connector.connect(name, tcp)).await {
            Ok(Ok(tls)) => {
                let (_, session) = tls.get_ref();
                let version = session
                    .protocol_version()
                    .and_then(|v| v.as_str())
                    .unwrap_or("unknown")
                    .replace('_', "v")
                    .replace("TLSv1v", "TLSv1.");
                let suite = session
                    .negotiated_cipher_suite()
                    .map(|suite| format!("{:?}", suite.suite()))
                    .unwrap_or_default();
                self.note(format!("TLS established: {version} {suite}"));
                self.tls_version = Some(version);
                self.stream = Some(Stream::Tls(Box::new(tls)));
                Ok(())
            }
            Ok(Err(error)) => {
                let error = ConnError::Tls(error.to_string());
                self.note(error.to_string());
                Err(error)
            }
            Err(_) => {
                let error = ConnError::Timeout {
                    waiting_for: "the TLS handshake".to_owned(),
                    after: timeout,
                };
                self.note(error.to_string());
                Err(error)
            }
        }
    }

    /// Sends bytes (recorded, with credentials masked).
    pub async fn send(&mut self, bytes: &[u8]) -> Result<(), ConnError> {
        self.transcript.sent(self.id, bytes);
        self.write_all(bytes).await
    }

    /// Sends bytes that are a credential in their own right (a SASL response line); the
    /// transcript shows only `***`.
    pub async fn send_secret(&mut self, bytes: &[u8]) -> Result<(), ConnError> {
        self.transcript.sent_secret(self.id, bytes);
        self.write_all(bytes).await
    }

    async fn write_all(&mut self, bytes: &[u8]) -> Result<(), ConnError> {
        let timeout = self.read_timeout;
        let result = match self.stream.as_mut() {
            Some(Stream::Plain(tcp)) => {
                tokio::time::timeout(timeout, async {
                    tcp.write_all(bytes).await?;
                    tcp.flush().await
                })
                .await
            }
            Some(Stream::Tls(tls)) => {
                tokio::time::timeout(timeout, async {
                    tls.write_all(bytes).await?;
                    tls.flush().await
                })
                .await
            }
            None => return Err(ConnError::Closed { pending: 0 }),
        };
        let error = match result {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(error)) => ConnError::Io(error.to_string()),
            Err(_) => ConnError::Timeout {
                waiting_for: "the server to accept our bytes".to_owned(),
                after: timeout,
            },
        };
        self.note(error.to_string());
        Err(error)
    }

    /// Bytes received and not yet consumed by a read helper.
    pub fn buffered(&self) -> &[u8] {
        self.buffer.get(self.front..).unwrap_or_default()
    }

    /// How many received bytes the read helpers have consumed since the connection opened
    /// (the difference between two calls is the size of the frames read in between).
    pub fn consumed_total(&self) -> u64 {
        self.consumed_total
    }

    /// Drops the first `count` buffered bytes.
    pub fn consume(&mut self, count: usize) {
        let count = count.min(self.buffered().len());
        self.front += count;
        self.consumed_total += count as u64;
        self.line_scanned = self.line_scanned.saturating_sub(count);
    }

    /// Reads whatever arrives next into the buffer; returns how many bytes (0 at end of
    /// stream). Fails when the buffer would exceed the limit or nothing arrives in time.
    pub async fn read_more(&mut self) -> Result<usize, ConnError> {
        if self.front > 0 {
            self.buffer.drain(..self.front);
            self.front = 0;
        }
        if self.buffer.len() >= self.settings.max_buffer {
            let error = ConnError::LimitExceeded {
                max: self.settings.max_buffer,
            };
            self.note(error.to_string());
            return Err(error);
        }
        let room = (self.settings.max_buffer - self.buffer.len()).min(64 * 1024);
        let before = self.buffer.len();
        self.buffer.reserve(room);
        let timeout = self.read_timeout;
        let mut limited = bytes::BufMut::limit(&mut self.buffer, room);
        let result = match self.stream.as_mut() {
            Some(Stream::Plain(tcp)) => {
                tokio::time::timeout(timeout, tcp.read_buf(&mut limited)).await
            }
            Some(Stream::Tls(tls)) => {
                tokio::time::timeout(timeout, tls.read_buf(&mut limited)).await
            }
            None => {
                return Err(ConnError::Closed {
                    pending: self.buffer.len(),
                });
            }
        };
        match result {
            Ok(Ok(count)) => {
                if let Some(data) = self.buffer.get(before..)
                    && !data.is_empty()
                {
                    self.transcript.received(self.id, data);
                }
                Ok(count)
            }
            Ok(Err(error)) => {
                let error = ConnError::Io(error.to_string());
                self.note(error.to_string());
                Err(error)
            }
            Err(_) => {
                let error = ConnError::Timeout {
                    waiting_for: "the server's next bytes".to_owned(),
                    after: timeout,
                };
                self.note(error.to_string());
                Err(error)
            }
        }
    }

    async fn read_more_or_closed(&mut self, waiting_for: &str) -> Result<(), ConnError> {
        match self.read_more().await {
            Ok(0) => {
                let error = ConnError::Closed {
                    pending: self.buffered().len(),
                };
                self.note(error.to_string());
                Err(error)
            }
            Ok(_) => Ok(()),
            Err(ConnError::Timeout { after, .. }) => Err(ConnError::Timeout {
                waiting_for: waiting_for.to_owned(),
                after,
            }),
            Err(error) => Err(error),
        }
    }

    /// Reads one line, returned with its `\n` (and `\r` if any). An endless line is a
    /// [`ConnError::LimitExceeded`].
    pub async fn read_line(&mut self) -> Result<Vec<u8>, ConnError> {
        loop {
            let pending = self.buffered();
            let unscanned = pending.get(self.line_scanned..).unwrap_or_default();
            if let Some(position) = unscanned.iter().position(|&b| b == b'\n') {
                let end = self.line_scanned + position + 1;
                let line = pending.get(..end).unwrap_or_default().to_vec();
                self.consume(end);
                self.line_scanned = 0;
                return Ok(line);
            }
            self.line_scanned = pending.len();
            self.read_more_or_closed("a line from the server").await?;
        }
    }

    /// Reads until `decode` finds a whole frame in the buffered bytes, and returns its value.
    /// `decode` sees all unconsumed bytes each time (it may keep scan state across calls);
    /// it must return owned values. A frame that never ends is a [`ConnError::LimitExceeded`];
    /// [`Framed::Invalid`] becomes [`ConnError::Invalid`] naming the bytes.
    pub async fn read_until_decoded<T, F>(&mut self, mut decode: F) -> Result<T, ConnError>
    where
        F: FnMut(&[u8]) -> Framed<T>,
    {
        loop {
            if !self.buffered().is_empty() {
                match decode(self.buffered()) {
                    Framed::Complete { value, consumed } => {
                        self.consume(consumed);
                        return Ok(value);
                    }
                    Framed::Incomplete => {}
                    Framed::Invalid(reason) => {
                        let error = ConnError::Invalid(format!(
                            "{reason} (in \"{}\")",
                            show_bytes(self.buffered(), 120)
                        ));
                        self.note(error.to_string());
                        return Err(error);
                    }
                }
            }
            self.read_more_or_closed("a complete response").await?;
        }
    }

    /// Waits up to `within` for the server to close the connection; `Ok(true)` if it did
    /// (bytes that arrive meanwhile are recorded and kept in the buffer).
    pub async fn closed_within(&mut self, within: Duration) -> Result<bool, ConnError> {
        let saved = self.read_timeout;
        let deadline = tokio::time::Instant::now() + within;
        let result = loop {
            self.read_timeout = deadline.saturating_duration_since(tokio::time::Instant::now());
            if self.read_timeout.is_zero() {
                break Ok(false);
            }
            match self.read_more().await {
                Ok(0) => break Ok(true),
                Ok(_) if tokio::time::Instant::now() < deadline => continue,
                Ok(_) | Err(ConnError::Timeout { .. }) => break Ok(false),
                Err(ConnError::Io(_)) => break Ok(true),
                Err(error) => break Err(error),
            }
        };
        self.read_timeout = saved;
        result
    }

    /// Turns the connection into a byte stream for a protocol library that frames its own
    /// messages (hyper for HTTP): every byte written or read through it is still recorded in
    /// the transcript under this connection's number, with the same masking. Bytes already
    /// buffered come out first. Reads and writes are not timed here: the caller bounds each
    /// exchange (see `engine::http`).
    pub fn into_io(mut self) -> RecordedIo {
        let pending = self.buffered().to_vec();
        RecordedIo {
            id: self.id,
            stream: self.stream.take(),
            pending,
            transcript: self.transcript.clone(),
        }
    }

    /// Closes the connection (TLS close_notify first when encrypted).
    pub async fn close(mut self) {
        let timeout = Duration::from_secs(1).min(self.read_timeout);
        match self.stream.take() {
            Some(Stream::Plain(mut tcp)) => {
                let _ = tokio::time::timeout(timeout, tcp.shutdown()).await;
            }
            Some(Stream::Tls(mut tls)) => {
                let _ = tokio::time::timeout(timeout, tls.shutdown()).await;
            }
            None => {}
        }
        self.note("closed by the harness");
    }
}

fn bracket_ipv6(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

/// A connection as a plain byte stream ([`tokio::io::AsyncRead`] + [`tokio::io::AsyncWrite`])
/// that records what passes through it: see [`Connection::into_io`].
pub struct RecordedIo {
    id: u32,
    stream: Option<Stream>,
    pending: Vec<u8>,
    transcript: Transcript,
}

impl fmt::Debug for RecordedIo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordedIo")
            .field("id", &self.id)
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

fn no_stream() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::NotConnected,
        "connection already closed",
    )
}

impl tokio::io::AsyncRead for RecordedIo {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        use std::task::Poll;
        let this = self.get_mut();
        if !this.pending.is_empty() {
            let count = this.pending.len().min(buf.remaining());
            buf.put_slice(this.pending.get(..count).unwrap_or_default());
            this.pending.drain(..count);
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        let poll = match this.stream.as_mut() {
            Some(Stream::Plain(tcp)) => std::pin::Pin::new(tcp).poll_read(cx, buf),
            Some(Stream::Tls(tls)) => std::pin::Pin::new(tls.as_mut()).poll_read(cx, buf),
            None => return Poll::Ready(Err(no_stream())),
        };
        if let Poll::Ready(Ok(())) = &poll
            && let Some(data) = buf.filled().get(before..)
            && !data.is_empty()
        {
            this.transcript.received(this.id, data);
        }
        poll
    }
}

impl tokio::io::AsyncWrite for RecordedIo {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        use std::task::Poll;
        let this = self.get_mut();
        let poll = match this.stream.as_mut() {
            Some(Stream::Plain(tcp)) => std::pin::Pin::new(tcp).poll_write(cx, buf),
            Some(Stream::Tls(tls)) => std::pin::Pin::new(tls.as_mut()).poll_write(cx, buf),
            None => return Poll::Ready(Err(no_stream())),
        };
        if let Poll::Ready(Ok(count)) = &poll
            && let Some(data) = buf.get(..*count)
            && !data.is_empty()
        {
            this.transcript.sent(this.id, data);
        }
        poll
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut().stream.as_mut() {
            Some(Stream::Plain(tcp)) => std::pin::Pin::new(tcp).poll_flush(cx),
            Some(Stream::Tls(tls)) => std::pin::Pin::new(tls.as_mut()).poll_flush(cx),
            None => std::task::Poll::Ready(Err(no_stream())),
        }
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let poll = match this.stream.as_mut() {
            Some(Stream::Plain(tcp)) => std::pin::Pin::new(tcp).poll_shutdown(cx),
            Some(Stream::Tls(tls)) => std::pin::Pin::new(tls.as_mut()).poll_shutdown(cx),
            None => return std::task::Poll::Ready(Ok(())),
        };
        if poll.is_ready() {
            this.transcript.note(this.id, "closed by the harness");
        }
        poll
    }
}
