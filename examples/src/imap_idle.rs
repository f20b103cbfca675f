//! Watching a mailbox with IMAP IDLE (RFC 2177): connect (implicit TLS or STARTTLS), LOGIN,
//! SELECT, then IDLE, reporting EXISTS, EXPUNGE and FETCH FLAGS as the server pushes them.
//! IDLE is ended with `DONE` and issued again every [`IdleOptions::reidle_after`] (RFC 2177
//! asks clients to do so at least every 29 minutes); when `shutdown` completes the session
//! ends with `DONE` and `LOGOUT`.
//!
//! Commands are built as `groupwire_imap` values and written with [`encode_fragments`]
//! (waiting for `+` before synchronising literals); responses are read with the client-role
//! [`ResponseCodec`], never parsed by hand.

use std::fmt;
use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use bytes::BytesMut;
use groupwire_imap::Encode;
use groupwire_imap::command::{
    Command, CommandBody, Fragment, LiteralPolicy, encode_fragments, select::Select,
};
use groupwire_imap::core::{IString, LiteralMode, Mailbox, Tag};
use groupwire_imap::response::{Data, FetchAttribute, Response, Status, StatusResponse};
use groupwire_imap::stream::client::{ResponseCodec, ResponseFrame};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_util::codec::Decoder;

use crate::tls_connector;

/// RFC 2177: servers may log out a client idle for 30 minutes, so re-issue IDLE before that.
pub const DEFAULT_REIDLE_AFTER: Duration = Duration::from_secs(29 * 60);

/// Where the IMAP server is: `imaps://host[:993]` (implicit TLS) or `imap://host[:143]`
/// (STARTTLS, required before LOGIN).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerUrl {
    /// Host name or IP address (also the TLS server name).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// `true` for `imaps://`.
    pub implicit_tls: bool,
}

impl ServerUrl {
    /// Parses `imaps://host[:port]` or `imap://host[:port]` (IPv6 hosts in brackets).
    pub fn parse(text: &str) -> io::Result<Self> {
        let invalid = |why: &str| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{text}: {why} (expected imaps://host[:port] or imap://host[:port])"),
            )
        };
        let (implicit_tls, rest) = if let Some(rest) = text.strip_prefix("imaps://") {
            (true, rest)
        } else if let Some(rest) = text.strip_prefix("imap://") {
            (false, rest)
        } else {
            return Err(invalid("unknown scheme"));
        };
        let authority = rest.trim_end_matches('/');
        let default_port = if implicit_tls { 993 } else { 143 };
        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            let (host, after) = bracketed
                .split_once(']')
                .ok_or_else(|| invalid("unclosed '['"))?;
            match after.strip_prefix(':') {
                Some(port) => (host, port.parse().map_err(|_| invalid("bad port"))?),
                None if after.is_empty() => (host, default_port),
                None => return Err(invalid("junk after host")),
            }
        } else {
            match authority.rsplit_once(':') {
                Some((host, port)) => (host, port.parse().map_err(|_| invalid("bad port"))?),
                None => (authority, default_port),
            }
        };
        if host.is_empty() || host.contains(['/', '@', '?', '#']) {
            return Err(invalid("bad host"));
        }
        Ok(Self {
            host: host.to_string(),
            port,
            implicit_tls,
        })
    }
}

/// What [`watch_mailbox`] needs.
#[derive(Debug, Clone)]
pub struct IdleOptions {
    /// The server.
    pub url: ServerUrl,
    /// PEM file with the certificates to trust; `None` for the Mozilla roots.
    pub ca_file: Option<PathBuf>,
    /// LOGIN user name.
    pub user: String,
    /// LOGIN password.
    pub password: String,
    /// Mailbox to SELECT (`INBOX` by default in the example).
    pub mailbox: String,
    /// How long one IDLE lasts before `DONE` and a new `IDLE`.
    pub reidle_after: Duration,
}

/// Something [`watch_mailbox`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdleEvent {
    /// The mailbox was selected and holds this many messages.
    Selected {
        /// Message count from the SELECT's EXISTS.
        exists: u32,
    },
    /// The server accepted IDLE (sent `+`); events follow as they happen.
    Idling,
    /// `* n EXISTS`: the mailbox now holds `n` messages.
    Exists(u32),
    /// `* n EXPUNGE`: message `n` was removed.
    Expunge(u32),
    /// `* n FETCH (FLAGS (...))`: message `n`'s flags changed.
    Flags {
        /// Message sequence number.
        seq: u32,
        /// The flags, as on the wire (`\Seen`, `$Forwarded`, ...).
        flags: Vec<String>,
    },
}

impl fmt::Display for IdleEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdleEvent::Selected { exists } => write!(f, "selected: {exists} messages"),
            IdleEvent::Idling => write!(f, "idling"),
            IdleEvent::Exists(n) => write!(f, "exists: {n} messages"),
            IdleEvent::Expunge(n) => write!(f, "expunged: message {n}"),
            IdleEvent::Flags { seq, flags } => {
                write!(f, "flags: message {seq} ({})", flags.join(" "))
            }
        }
    }
}

/// Connects, logs in, selects the mailbox and IDLEs, calling `on_event` for each
/// [`IdleEvent`], until `shutdown` completes; then sends `DONE` and `LOGOUT` and returns.
///
/// Errors: connection and TLS failures, a server that refuses a command (the error carries
/// its response text), a server that closes the connection, and responses that do not
/// decode.
pub async fn watch_mailbox<F, S>(
    options: &IdleOptions,
    mut on_event: F,
    shutdown: S,
) -> io::Result<()>
where
    F: FnMut(&IdleEvent),
    S: Future<Output = ()>,
{
    let url = &options.url;
    let tcp = TcpStream::connect((url.host.as_str(), url.port))
        .await
        .map_err(|e| io::Error::new(e.kind(), format!("connect {}:{}: {e}", url.host, url.port)))?;
    let connector = tls_connector(options.ca_file.as_deref())?;
    let server_name = ServerName::try_from(url.host.clone())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{}: {e}", url.host)))?;
    let tls = if url.implicit_tls {
        connector.connect(server_name, tcp).await?
    } else {
        let mut plain = Session::new(tcp);
        plain.greeting().await?;
        plain.run(CommandBody::StartTls, &mut |_| {}).await?;
        // Bytes after the STARTTLS OK would have been sent before TLS: refuse them (RFC 9051
        // §6.2.1, command injection).
        if !plain.buffer.is_empty() {
            return Err(protocol_error("server sent data after the STARTTLS OK"));
        }
        connector.connect(server_name, plain.stream).await?
    };
    let mut session = Session::new(tls);
    if url.implicit_tls {
        session.greeting().await?;
    }
    session
        .run(
            CommandBody::Login {
                username: IString::from_bytes(options.user.as_bytes()),
                password: IString::from_bytes(options.password.as_bytes()),
            },
            &mut |_| {},
        )
        .await?;
    let mailbox = if options.mailbox.eq_ignore_ascii_case("INBOX") {
        Mailbox::Inbox
    } else {
        Mailbox::Other(IString::from_bytes(options.mailbox.as_bytes()))
    };
    let mut exists = 0;
    session
        .run(
            CommandBody::Select(Select {
                mailbox,
                params: Vec::new(),
            }),
            &mut |response| {
                if let Response::Data(Data::Exists(n)) = response {
                    exists = *n;
                }
            },
        )
        .await?;
    on_event(&IdleEvent::Selected { exists });

    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let tag = session.send(CommandBody::Idle).await?;
        // Until `+`, the server may still send updates; a tagged reply means IDLE was refused.
        loop {
            let frame = session.read_frame().await?;
            let response = decoded(&frame)?;
            if let Response::Continuation(_) = response {
                break;
            }
            check_completion(&response, &tag)?;
            report(&response, &mut on_event)?;
        }
        on_event(&IdleEvent::Idling);
        let deadline = tokio::time::Instant::now() + options.reidle_after;
        let stop = loop {
            tokio::select! {
                () = &mut shutdown => break true,
                () = tokio::time::sleep_until(deadline) => break false,
                frame = session.read_frame() => {
                    let frame = frame?;
                    let response = decoded(&frame)?;
                    check_completion(&response, &tag)?;
                    report(&response, &mut on_event)?;
                }
            }
        };
        // `DONE` is not a command (no tag, no grammar to encode): RFC 2177 defines it as
        // this literal line.
        session.write_all(b"DONE\r\n").await?;
        session
            .complete(&tag, &mut |response| report(response, &mut on_event))
            .await
            .map_err(|e| io::Error::new(e.kind(), format!("IDLE: {e}")))?;
        if stop {
            session.run(CommandBody::Logout, &mut |_| {}).await?;
            return Ok(());
        }
    }
}

/// Turns untagged updates into events; a BYE is an error (the server is closing).
fn report(response: &Response<'_>, on_event: &mut impl FnMut(&IdleEvent)) -> io::Result<()> {
    match response {
        Response::Data(Data::Exists(n)) => on_event(&IdleEvent::Exists(*n)),
        Response::Data(Data::Expunge(n)) => on_event(&IdleEvent::Expunge(n.get())),
        Response::Data(Data::Fetch(fetch)) => {
            for attribute in &fetch.attributes {
                if let FetchAttribute::Flags(flags) = &*attribute {
                    let flags = flags
                        .iter()
                        .map(|flag| {
                            let mut wire = Vec::new();
                            flag.encode(&mut wire);
                            String::from_utf8_lossy(&wire).into_owned()
                        })
                        .collect();
                    on_event(&IdleEvent::Flags {
                        seq: fetch.seq.get(),
                        flags,
                    });
                }
            }
        }
        Response::Status(status) if status.tag.is_none() && status.status == Status::Bye => {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                format!(
                    "server said BYE: {}",
                    String::from_utf8_lossy(status.text.text.as_bytes())
                ),
            ));
        }
        _ => {}
    }
    Ok(())
}

/// Fails if `response` is the tagged completion of `tag` (which, mid-IDLE, means the server
/// ended or refused IDLE on its own).
fn check_completion(response: &Response<'_>, tag: &str) -> io::Result<()> {
    match response {
        Response::Status(status) if status.tag.as_ref().is_some_and(|t| t.as_str() == tag) => {
            Err(refused("IDLE", status.status, &text_of(status)))
        }
        _ => Ok(()),
    }
}

fn text_of(status: &StatusResponse<'_>) -> String {
    String::from_utf8_lossy(status.text.text.as_bytes()).into_owned()
}

fn decoded(frame: &ResponseFrame) -> io::Result<Response<'_>> {
    frame.response().map_err(io::Error::other)
}

fn protocol_error(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_string())
}

fn refused(command: &str, status: Status, text: &str) -> io::Error {
    io::Error::other(format!(
        "{command}: server answered {} {text}",
        status.as_str()
    ))
}

/// One connection: the stream, the read buffer, the response codec, the tag counter.
struct Session<S> {
    stream: S,
    buffer: BytesMut,
    codec: ResponseCodec,
    next_tag: u32,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Session<S> {
    fn new(stream: S) -> Self {
        Self {
            stream,
            buffer: BytesMut::with_capacity(8192),
            codec: ResponseCodec::default(),
            next_tag: 1,
        }
    }

    /// Reads the next response. Cancel-safe: bytes read stay in the buffer.
    async fn read_frame(&mut self) -> io::Result<ResponseFrame> {
        loop {
            if let Some(frame) = self
                .codec
                .decode(&mut self.buffer)
                .map_err(io::Error::other)?
            {
                return Ok(frame);
            }
            if self.stream.read_buf(&mut self.buffer).await? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "server closed the connection",
                ));
            }
        }
    }

    async fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes).await?;
        self.stream.flush().await
    }

    /// The greeting must be an untagged OK (PREAUTH would skip LOGIN, which this example
    /// does not expect; BYE means the server refuses us).
    async fn greeting(&mut self) -> io::Result<()> {
        let frame = self.read_frame().await?;
        match decoded(&frame)? {
            Response::Status(status) if status.tag.is_none() && status.status == Status::Ok => {
                Ok(())
            }
            Response::Status(status) => Err(refused("greeting", status.status, &text_of(&status))),
            _ => Err(protocol_error("greeting is not a status response")),
        }
    }

    /// Sends `body` with a fresh tag, writing synchronising literals only after the server's
    /// `+`. Returns the tag.
    async fn send(&mut self, body: CommandBody<'_>) -> io::Result<String> {
        let tag_text = format!("A{:03}", self.next_tag);
        self.next_tag += 1;
        let tag = Tag::new(tag_text.clone()).ok_or_else(|| protocol_error("bad tag"))?;
        let name = command_name(&body);
        let command = Command { tag, body };
        for fragment in encode_fragments(&command, LiteralPolicy::Synchronizing) {
            match fragment {
                Fragment::Line(line) => self.write_all(&line).await?,
                Fragment::Literal { data, mode } => {
                    if mode == LiteralMode::Sync {
                        let frame = self.read_frame().await?;
                        match decoded(&frame)? {
                            Response::Continuation(_) => {}
                            Response::Status(status) => {
                                return Err(refused(name, status.status, &text_of(&status)));
                            }
                            Response::Data(_) => {
                                return Err(protocol_error(
                                    "expected '+' before literal data, got untagged data",
                                ));
                            }
                        }
                    }
                    self.write_all(&data).await?;
                }
            }
        }
        Ok(tag_text)
    }

    /// Reads responses until the tagged completion of `tag`, passing untagged ones to
    /// `on_untagged`; a completion other than OK is an error.
    async fn complete(
        &mut self,
        tag: &str,
        on_untagged: &mut impl FnMut(&Response<'_>) -> io::Result<()>,
    ) -> io::Result<()> {
        loop {
            let frame = self.read_frame().await?;
            let response = decoded(&frame)?;
            if let Response::Status(status) = &response
                && status.tag.as_ref().is_some_and(|t| t.as_str() == tag)
            {
                return match status.status {
                    Status::Ok => Ok(()),
                    other => Err(io::Error::other(format!(
                        "server answered {} {}",
                        other.as_str(),
                        text_of(status)
                    ))),
                };
            }
            on_untagged(&response)?;
        }
    }

    /// Sends `body` and waits for its completion (see [`complete`](Self::complete)).
    async fn run(
        &mut self,
        body: CommandBody<'_>,
        on_untagged: &mut impl FnMut(&Response<'_>),
    ) -> io::Result<()> {
        let name = command_name(&body);
        let tag = self.send(body).await?;
        self.complete(&tag, &mut |response| {
            on_untagged(response);
            Ok(())
        })
        .await
        .map_err(|e| io::Error::new(e.kind(), format!("{name}: {e}")))
    }
}

fn command_name(body: &CommandBody<'_>) -> &'static str {
    match body {
        CommandBody::StartTls => "STARTTLS",
        CommandBody::Login { .. } => "LOGIN",
        CommandBody::Select(_) => "SELECT",
        CommandBody::Idle => "IDLE",
        CommandBody::Logout => "LOGOUT",
        _ => "command",
    }
}
