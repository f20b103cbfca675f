//! The probe itself: connect, optionally upgrade with the protocol's STARTTLS exchange
//! (IMAP: RFC 9051 §6.2.1 / RFC 2595; SMTP: RFC 3207 §4), send a ClientHello, read the answer
//! with a deadline, decode it, and keep every byte as evidence.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::answer::{AlertDescription, AlertLevel, DecodeError, Decoded, decode_first_flight};
use super::{ProtocolVersion, ServerAnswer};

/// Longest plaintext line accepted during the STARTTLS exchange.
const MAX_LINE: usize = 8192;

/// How the connection reaches the point where TLS starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartTls {
    /// Implicit TLS (ports 993, 465, 443): the hello is the first thing sent.
    None,
    /// IMAP: read the greeting, send `a STARTTLS`, expect `a OK`.
    Imap,
    /// SMTP: read the 220 greeting, send `EHLO <domain>`, then `STARTTLS`, expect 220.
    Smtp {
        /// The EHLO argument.
        ehlo_domain: String,
    },
}

/// Probe settings.
#[derive(Debug, Clone)]
pub struct ProbeOptions {
    /// STARTTLS before the hello, or implicit TLS.
    pub starttls: StartTls,
    /// Deadline for connecting, for the whole STARTTLS exchange, and for the TLS answer
    /// (each separately).
    pub timeout: Duration,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        Self {
            starttls: StartTls::None,
            timeout: Duration::from_secs(10),
        }
    }
}

/// What the server did with the ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// A ServerHello: the server accepted `version` with `cipher_suite`.
    Accepted {
        /// The negotiated version (`supported_versions` for TLS 1.3, else `legacy_version`).
        version: ProtocolVersion,
        /// The chosen cipher suite.
        cipher_suite: u16,
        /// The answer was a HelloRetryRequest (TLS 1.3 accepted, another key share wanted).
        hello_retry_request: bool,
    },
    /// An Alert record.
    Alert {
        /// Warning or fatal.
        level: AlertLevel,
        /// Why (e.g. `protocol_version`, `handshake_failure`, `insufficient_security`).
        description: AlertDescription,
    },
    /// The server closed (or reset) the connection without a complete answer; any partial
    /// bytes are in [`ProbeReport::received`].
    Closed {
        /// The close was a reset (RST), not an orderly FIN.
        reset: bool,
    },
    /// The server answered with something that is not TLS (e.g. a plaintext banner).
    NotTls,
    /// No complete answer before the deadline.
    Timeout,
    /// TLS records that do not decode.
    Malformed(DecodeError),
}

impl ProbeOutcome {
    /// The negotiated version when the server accepted.
    pub fn accepted_version(&self) -> Option<ProtocolVersion> {
        match self {
            ProbeOutcome::Accepted { version, .. } => Some(*version),
            _ => None,
        }
    }
}

impl std::fmt::Display for ProbeOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProbeOutcome::Accepted {
                version,
                cipher_suite,
                hello_retry_request,
            } => {
                let suite = super::cipher_suite_name(*cipher_suite)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("suite 0x{cipher_suite:04x}"));
                let retry = if *hello_retry_request {
                    " (HelloRetryRequest)"
                } else {
                    ""
                };
                write!(f, "accepted {version} with {suite}{retry}")
            }
            ProbeOutcome::Alert { level, description } => {
                write!(f, "refused with {level} alert {description}")
            }
            ProbeOutcome::Closed { reset: false } => {
                f.write_str("connection closed without an answer")
            }
            ProbeOutcome::Closed { reset: true } => {
                f.write_str("connection reset without an answer")
            }
            ProbeOutcome::NotTls => f.write_str("answer is not TLS"),
            ProbeOutcome::Timeout => f.write_str("no answer before the deadline"),
            ProbeOutcome::Malformed(error) => write!(f, "malformed TLS answer: {error}"),
        }
    }
}

/// A probe's result and its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeReport {
    /// What the server did.
    pub outcome: ProbeOutcome,
    /// The full decoded answer, when there was one.
    pub answer: Option<ServerAnswer>,
    /// The plaintext exchange before TLS (STARTTLS), both directions, as lines prefixed
    /// `C: ` / `S: `; empty for implicit TLS.
    pub plaintext: Vec<String>,
    /// The exact TLS bytes sent (the ClientHello record).
    pub sent: Vec<u8>,
    /// The exact bytes received after the hello (or after STARTTLS, including any bytes
    /// the server sent early).
    pub received: Vec<u8>,
    /// Time from sending the hello to the outcome.
    pub elapsed: Duration,
}

impl ProbeReport {
    /// [`ProbeReport::sent`] as lowercase hex.
    pub fn sent_hex(&self) -> String {
        to_hex(&self.sent)
    }

    /// [`ProbeReport::received`] as lowercase hex.
    pub fn received_hex(&self) -> String {
        to_hex(&self.received)
    }
}

/// Lowercase hex, two digits a byte, no separators.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// Why a probe could not be made (a precondition, not the server's answer to the hello).
#[derive(Debug)]
pub enum ProbeError {
    /// Connecting failed or timed out.
    Connect(std::io::Error),
    /// Reading or writing failed during the STARTTLS exchange or while sending the hello.
    Io(std::io::Error),
    /// The STARTTLS exchange did not reach the point where TLS starts.
    StartTls {
        /// What went wrong.
        reason: String,
        /// The plaintext exchange so far (`C: ` / `S: ` lines).
        transcript: Vec<String>,
    },
}

impl std::fmt::Display for ProbeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProbeError::Connect(error) => write!(f, "cannot connect: {error}"),
            ProbeError::Io(error) => write!(f, "I/O error before the TLS answer: {error}"),
            ProbeError::StartTls { reason, .. } => write!(f, "STARTTLS failed: {reason}"),
        }
    }
}

impl std::error::Error for ProbeError {}

/// Connects to `address` and probes it with `hello` (a record from
/// [`super::ClientHelloBuilder::build`]).
pub async fn probe(
    address: SocketAddr,
    hello: &[u8],
    options: &ProbeOptions,
) -> Result<ProbeReport, ProbeError> {
    let stream = tokio::time::timeout(options.timeout, TcpStream::connect(address))
        .await
        .map_err(|_| {
            ProbeError::Connect(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "connect timed out",
            ))
        })?
        .map_err(ProbeError::Connect)?;
    let _ = stream.set_nodelay(true);
    probe_stream(stream, hello, options).await
}

/// Probes over an already connected stream.
pub async fn probe_stream<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    hello: &[u8],
    options: &ProbeOptions,
) -> Result<ProbeReport, ProbeError> {
    let mut transcript = Vec::new();
    let mut buffer = Vec::new();
    let deadline = Instant::now() + options.timeout;
    match &options.starttls {
        StartTls::None => {}
        StartTls::Imap => {
            imap_starttls(&mut stream, &mut buffer, &mut transcript, deadline).await?
        }
        StartTls::Smtp { ehlo_domain } => {
            smtp_starttls(
                &mut stream,
                &mut buffer,
                &mut transcript,
                deadline,
                ehlo_domain,
            )
            .await?
        }
    }

    let started = Instant::now();
    stream.write_all(hello).await.map_err(ProbeError::Io)?;
    stream.flush().await.map_err(ProbeError::Io)?;
    let deadline = started + options.timeout;
    let (outcome, answer) = read_answer(&mut stream, &mut buffer, deadline).await;
    Ok(ProbeReport {
        outcome,
        answer,
        plaintext: transcript,
        sent: hello.to_vec(),
        received: buffer,
        elapsed: started.elapsed(),
    })
}

async fn read_answer<S: AsyncRead + Unpin>(
    stream: &mut S,
    buffer: &mut Vec<u8>,
    deadline: Instant,
) -> (ProbeOutcome, Option<ServerAnswer>) {
    loop {
        match decode_first_flight(buffer) {
            Err(error) => return (ProbeOutcome::Malformed(error), None),
            Ok(Decoded::Complete { answer, .. }) => {
                let outcome = match &answer {
                    ServerAnswer::ServerHello(hello) => ProbeOutcome::Accepted {
                        version: hello.negotiated_version(),
                        cipher_suite: hello.cipher_suite,
                        hello_retry_request: hello.is_hello_retry_request(),
                    },
                    ServerAnswer::Alert { level, description } => ProbeOutcome::Alert {
                        level: *level,
                        description: *description,
                    },
                    ServerAnswer::NotTls => ProbeOutcome::NotTls,
                };
                return (outcome, Some(answer));
            }
            Ok(Decoded::NeedMore) => {}
        }
        match read_some(stream, buffer, deadline).await {
            ReadResult::Data => {}
            ReadResult::Eof => return (ProbeOutcome::Closed { reset: false }, None),
            ReadResult::Reset => return (ProbeOutcome::Closed { reset: true }, None),
            ReadResult::Timeout => return (ProbeOutcome::Timeout, None),
        }
    }
}

enum ReadResult {
    Data,
    Eof,
    Reset,
    Timeout,
}

async fn read_some<S: AsyncRead + Unpin>(
    stream: &mut S,
    buffer: &mut Vec<u8>,
    deadline: Instant,
) -> ReadResult {
    let mut chunk = [0u8; 4096];
    let remaining = deadline.saturating_duration_since(Instant::now());
    match tokio::time::timeout(remaining, stream.read(&mut chunk)).await {
        Err(_) => ReadResult::Timeout,
        Ok(Ok(0)) => ReadResult::Eof,
        Ok(Ok(n)) => {
            buffer.extend_from_slice(&chunk[..n]);
            ReadResult::Data
        }
        Ok(Err(error)) => match error.kind() {
            std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => {
                ReadResult::Reset
            }
            _ => ReadResult::Eof,
        },
    }
}

/// Reads one CRLF-terminated line (returned without the line ending); bytes after it stay
/// in `buffer`.
async fn read_line<S: AsyncRead + Unpin>(
    stream: &mut S,
    buffer: &mut Vec<u8>,
    transcript: &mut Vec<String>,
    deadline: Instant,
) -> Result<String, ProbeError> {
    loop {
        if let Some(end) = buffer.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = buffer.drain(..=end).collect();
            let text = String::from_utf8_lossy(&line)
                .trim_end_matches(['\r', '\n'])
                .to_string();
            transcript.push(format!("S: {text}"));
            return Ok(text);
        }
        if buffer.len() > MAX_LINE {
            return Err(starttls_error("line longer than 8192 bytes", transcript));
        }
        match read_some(stream, buffer, deadline).await {
            ReadResult::Data => {}
            ReadResult::Eof | ReadResult::Reset => {
                return Err(starttls_error("connection closed", transcript));
            }
            ReadResult::Timeout => return Err(starttls_error("timed out", transcript)),
        }
    }
}

fn starttls_error(reason: &str, transcript: &[String]) -> ProbeError {
    ProbeError::StartTls {
        reason: reason.to_string(),
        transcript: transcript.to_vec(),
    }
}

async fn send_line<S: AsyncWrite + Unpin>(
    stream: &mut S,
    line: &str,
    transcript: &mut Vec<String>,
) -> Result<(), ProbeError> {
    transcript.push(format!("C: {line}"));
    stream
        .write_all(format!("{line}\r\n").as_bytes())
        .await
        .map_err(ProbeError::Io)?;
    stream.flush().await.map_err(ProbeError::Io)
}

/// IMAP STARTTLS (RFC 9051 §6.2.1): greeting `* OK`, then `a STARTTLS` answered `a OK`.
async fn imap_starttls<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    buffer: &mut Vec<u8>,
    transcript: &mut Vec<String>,
    deadline: Instant,
) -> Result<(), ProbeError> {
    let greeting = read_line(stream, buffer, transcript, deadline).await?;
    if !greeting.to_ascii_uppercase().starts_with("* OK") {
        return Err(starttls_error(
            "the greeting is not `* OK` (STARTTLS is only valid in the not-authenticated state)",
            transcript,
        ));
    }
    send_line(stream, "a STARTTLS", transcript).await?;
    loop {
        let line = read_line(stream, buffer, transcript, deadline).await?;
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("A OK") {
            return Ok(());
        }
        if upper.starts_with("A ") || upper.starts_with("* BYE") {
            return Err(starttls_error("STARTTLS refused", transcript));
        }
    }
}

/// Reads an SMTP reply (possibly multi-line, RFC 5321 §4.2.1) and returns its code.
async fn smtp_reply<S: AsyncRead + Unpin>(
    stream: &mut S,
    buffer: &mut Vec<u8>,
    transcript: &mut Vec<String>,
    deadline: Instant,
) -> Result<u16, ProbeError> {
    for _ in 0..1000 {
        let line = read_line(stream, buffer, transcript, deadline).await?;
        let code = line
            .get(..3)
            .and_then(|code| code.parse::<u16>().ok())
            .ok_or_else(|| starttls_error("reply without a three-digit code", transcript))?;
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(code);
        }
    }
    Err(starttls_error("reply longer than 1000 lines", transcript))
}

/// SMTP STARTTLS (RFC 3207 §4): greeting 220, `EHLO`, `STARTTLS` answered 220. STARTTLS is
/// sent even when EHLO did not advertise it: the probe tries the behaviour.
async fn smtp_starttls<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    buffer: &mut Vec<u8>,
    transcript: &mut Vec<String>,
    deadline: Instant,
    ehlo_domain: &str,
) -> Result<(), ProbeError> {
    if smtp_reply(stream, buffer, transcript, deadline).await? != 220 {
        return Err(starttls_error("greeting is not 220", transcript));
    }
    send_line(stream, &format!("EHLO {ehlo_domain}"), transcript).await?;
    if smtp_reply(stream, buffer, transcript, deadline).await? != 250 {
        return Err(starttls_error("EHLO refused", transcript));
    }
    send_line(stream, "STARTTLS", transcript).await?;
    if smtp_reply(stream, buffer, transcript, deadline).await? != 220 {
        return Err(starttls_error("STARTTLS refused", transcript));
    }
    Ok(())
}
