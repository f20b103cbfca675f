//! The reference submission server (RFC 6409 on RFC 5321), on `groupwire-smtp`: commands and
//! AUTH lines are read with its server role (`ServerDecoder`, whose recovery items say when a
//! line is malformed or over-long and discard the rest of it), replies built and encoded with
//! its types, message data un-stuffed by its `DataDecoder`. Mail for local accounts is delivered into the
//! [`Store`]'s INBOX.
//!
//! Listens in two modes: STARTTLS (the role of port 587) and implicit TLS (port 465). AUTH is
//! offered only over TLS; MAIL needs AUTH. Every [`Fault`] starting with `smtp-` is a
//! deliberate deviation implemented here.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use groupwire_smtp::auth::{AuthResponse, Mechanism, parse_plain_message};
use groupwire_smtp::capability::{Capabilities, Capability};
use groupwire_smtp::command::Command;
use groupwire_smtp::data::{DataDecoder, DataEvent};
use groupwire_smtp::limits::LineEndings;
use groupwire_smtp::reply::{EnhancedCode, Reply, ReplyCode};
use groupwire_smtp::server::{ClientItem, ServerDecoder, ServerState};
use groupwire_smtp::{Decoded, Encode, Limits};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::faults::{Fault, Faults};
use super::store::Store;

/// The SIZE limit the reference advertises and enforces (RFC 1870).
pub const MAX_MESSAGE_SIZE: u64 = 2 * 1024 * 1024;

/// The longest command line accepted (RFC 5321 §4.5.3.1.4), CRLF included.
pub const MAX_COMMAND_LINE: usize = 512;

/// What every session of one submission listener shares.
#[derive(Debug)]
pub struct SmtpService {
    /// The mail store deliveries go into.
    pub store: Arc<Store>,
    /// TLS for STARTTLS and implicit TLS.
    pub tls: Arc<rustls::ServerConfig>,
    /// Deviations to perform.
    pub faults: Faults,
    /// The server's domain, in the greeting and EHLO.
    pub domain: String,
    /// Connection cap, timeouts and buffer accounting shared with the other listeners.
    pub guard: Arc<super::Guard>,
}

/// Serves submission on `listener` until the task is aborted; `implicit_tls` for the 465 role.
pub async fn serve(listener: TcpListener, service: Arc<SmtpService>, implicit_tls: bool) {
    serve_as(listener, service, implicit_tls, false).await
}

/// Serves the MX role (port 25) on `listener`: STARTTLS offered, MAIL accepted without
/// AUTH, RCPT only for the local domain unless the client has logged in (no open relay,
/// unless `mx-open-relay`).
pub async fn serve_mx(listener: TcpListener, service: Arc<SmtpService>) {
    serve_as(listener, service, false, true).await
}

async fn serve_as(listener: TcpListener, service: Arc<SmtpService>, implicit_tls: bool, mx: bool) {
    let guard = Arc::clone(&service.guard);
    super::serve_connections(listener, guard, move |socket, slot| {
        let service = Arc::clone(&service);
        async move {
            match slot {
                Some(slot) => {
                    let _ = handle(socket, service, implicit_tls, mx, slot).await;
                }
                None => refuse(socket, &service, implicit_tls).await,
            }
        }
    })
    .await
}

/// The answer past the connection cap: `421` as the greeting (RFC 5321 §3.8; over TLS on the
/// implicit-TLS port, the handshake bounded by a few seconds), then close.
async fn refuse(socket: TcpStream, service: &SmtpService, implicit_tls: bool) {
    let text = format!("{} too many connections, try again later", service.domain);
    let busy = reply(421, Some((4, 7, 0)), &[text.as_str()]);
    super::security::refuse_connection(socket, &service.tls, implicit_tls, &busy).await;
}

async fn handle(
    socket: TcpStream,
    service: Arc<SmtpService>,
    implicit_tls: bool,
    mx: bool,
    slot: super::Slot,
) -> std::io::Result<()> {
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(&service.tls));
    let mut session = Session::new(service, slot);
    session.implicit = implicit_tls;
    session.mx = mx;
    if implicit_tls && !session.fault(Fault::SmtpNoImplicitTls) {
        let Some(mut stream) = super::security::accept_by(
            session.deadline(),
            &acceptor,
            socket,
            &session.service.faults,
        )
        .await?
        else {
            return Ok(());
        };
        session.tls = true;
        session.greet(&mut stream).await?;
        session.run(&mut stream).await?;
        return session.goodbye(&mut stream).await;
    }
    let mut socket = socket;
    session.greet(&mut socket).await?;
    if session.run(&mut socket).await? == Next::StartTls {
        if !session.fault(Fault::SmtpStarttlsKeepsBuffer) {
            // RFC 3207 §4.2: what the client sent before the handshake is discarded.
            session.buffer.clear();
        }
        let Some(mut stream) = super::security::accept_by(
            session.deadline(),
            &acceptor,
            socket,
            &session.service.faults,
        )
        .await?
        else {
            return Ok(());
        };
        session.tls = true;
        if !session.fault(Fault::SmtpStarttlsKeepsState) {
            session.helo = None;
        }
        session.reset_transaction();
        session.run(&mut stream).await?;
        return session.goodbye(&mut stream).await;
    }
    session.goodbye(&mut socket).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Close,
    StartTls,
}

#[derive(Debug, Default)]
struct Transaction {
    from: Option<String>,
    recipients: Vec<String>,
    declared_size: Option<u64>,
    chunks: Vec<u8>,
}

struct Session {
    service: Arc<SmtpService>,
    /// This connection's place under the connection cap and its buffer accounting.
    slot: super::Slot,
    /// When the connection was accepted (the pre-authentication timer runs from here).
    connected: tokio::time::Instant,
    /// The last complete command (or DATA bytes): the command timer runs from here.
    active: tokio::time::Instant,
    /// Why the server is ending the session (sent as a `421` reply when the stream allows).
    ending: Option<((u8, u16, u16), String)>,
    buffer: Vec<u8>,
    tls: bool,
    /// Whether this is the implicit-TLS listener (port 465 role).
    implicit: bool,
    /// Whether this is the MX listener (port 25 role).
    mx: bool,
    /// Failed AUTH attempts on this connection (from the third on, each is answered after a
    /// delay, unless `smtp-no-login-throttle`).
    failed_logins: u32,
    helo: Option<String>,
    extended: bool,
    user: Option<String>,
    transaction: Transaction,
    /// Reads command and AUTH lines. Message data and BDAT chunks are read by the session
    /// itself (the smuggling faults work on the raw bytes); it puts the decoder back to
    /// commands after them.
    decoder: ServerDecoder,
}

/// Build a reply; `text` lines become a multi-line reply.
fn reply(code: u16, enhanced: Option<(u8, u16, u16)>, lines: &[&str]) -> Vec<u8> {
    let code = ReplyCode::new(code).unwrap_or(ReplyCode::UNRECOGNISED);
    let enhanced = enhanced.and_then(|(c, s, d)| EnhancedCode::new(c, s, d));
    match Reply::new(code, enhanced, lines) {
        Ok(reply) => reply.to_vec(),
        Err(_) => b"451 4.3.0 internal error\r\n".to_vec(),
    }
}

impl Session {
    fn new(service: Arc<SmtpService>, slot: super::Slot) -> Session {
        let line = if service.faults.has(Fault::SmtpLongLinesAccepted) {
            64 * 1024
        } else {
            MAX_COMMAND_LINE
        };
        let limits = Limits::default()
            .with_line_endings(LineEndings::Strict)
            .with_max_line_length(line);
        let now = tokio::time::Instant::now();
        Session {
            service,
            slot,
            connected: now,
            active: now,
            ending: None,
            buffer: Vec::with_capacity(4096),
            tls: false,
            implicit: false,
            mx: false,
            failed_logins: 0,
            helo: None,
            extended: false,
            user: None,
            transaction: Transaction::default(),
            // SIZE and the BDAT total are the session's to judge (with their faults).
            decoder: ServerDecoder::new(limits.with_max_message_size(u64::MAX)),
        }
    }

    fn fault(&self, fault: Fault) -> bool {
        self.service.faults.has(fault)
    }

    fn reset_transaction(&mut self) {
        if !self.fault(Fault::SmtpRsetKeepsTransaction) {
            self.transaction = Transaction::default();
        }
    }

    /// A reply with an enhanced code unless the fault removes them.
    fn say(&self, code: u16, enhanced: (u8, u16, u16), text: &str) -> Vec<u8> {
        let enhanced = (!self.fault(Fault::SmtpNoEnhancedCodes)).then_some(enhanced);
        reply(code, enhanced, &[text])
    }

    async fn greet<S: AsyncWrite + Unpin>(&self, stream: &mut S) -> std::io::Result<()> {
        let code = if self.fault(Fault::SmtpGreetingWrongCode) {
            200
        } else {
            220
        };
        let text = format!("{} ESMTP groupwire reference", self.service.domain);
        stream
            .write_all(&reply(code, None, &[text.as_str()]))
            .await?;
        stream.flush().await
    }

    /// When the session ends unless a command (or DATA bytes) arrives: the command timer
    /// (RFC 5321 §4.5.3.2.7), and before AUTH the pre-authentication timer too.
    fn deadline(&self) -> tokio::time::Instant {
        let limits = self.slot.limits();
        let command = self.active + limits.smtp_command_timeout;
        if self.user.is_none() {
            command.min(self.connected + limits.preauth_timeout)
        } else {
            command
        }
    }

    /// Reads more input; `false` at end of stream, when a timer ran out or the buffer would
    /// exceed its limit (`ending` then says why).
    async fn fill<S: AsyncRead + Unpin>(&mut self, stream: &mut S) -> std::io::Result<bool> {
        if self.ending.is_some() {
            return Ok(false);
        }
        let mut chunk = [0u8; 16 * 1024];
        let read = match tokio::time::timeout_at(self.deadline(), stream.read(&mut chunk)).await {
            Ok(read) => read?,
            Err(_) => {
                self.ending = Some((
                    (4, 4, 2),
                    format!(
                        "{} timeout waiting for the client, closing",
                        self.service.domain
                    ),
                ));
                return Ok(false);
            }
        };
        self.buffer
            .extend_from_slice(chunk.get(..read).unwrap_or_default());
        if let Err(over) = self.slot.account(self.buffer.len(), self.user.is_some()) {
            self.ending = Some(((4, 3, 2), format!("{over}, closing")));
            self.buffer.clear();
            return Ok(false);
        }
        Ok(read > 0)
    }

    /// After the command loop: the `421` saying why the server ends the session, if it does.
    async fn goodbye<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> std::io::Result<()> {
        if let Some((enhanced, reason)) = self.ending.take() {
            let line = reply(421, Some(enhanced), &[reason.as_str()]);
            super::say_goodbye(stream, &line).await;
        }
        Ok(())
    }

    fn capabilities(&self) -> Vec<Capability<'static>> {
        let mut list = vec![
            Capability::Pipelining,
            Capability::Size(Some(MAX_MESSAGE_SIZE)),
            Capability::EightBitMime,
            Capability::Other {
                keyword: "SMTPUTF8".into(),
                parameters: None,
            },
            Capability::EnhancedStatusCodes,
            Capability::Chunking,
        ];
        let offer_starttls = !self.fault(Fault::SmtpNoStarttls)
            && (!self.tls
                || self.fault(Fault::SmtpStarttlsReadvertised)
                || (self.implicit && self.fault(Fault::SmtpImplicitTlsOffersStarttls)));
        if offer_starttls {
            list.push(Capability::StartTls);
        }
        for (fault, keyword, parameters) in [
            (Fault::SmtpXclientOffered, "XCLIENT", "NAME ADDR PROTO HELO"),
            (
                Fault::SmtpXforwardOffered,
                "XFORWARD",
                "NAME ADDR PROTO HELO",
            ),
        ] {
            if self.fault(fault) {
                list.push(Capability::Other {
                    keyword: keyword.into(),
                    parameters: Some(parameters.into()),
                });
            }
        }
        if (self.tls || self.fault(Fault::SmtpAuthBeforeTls)) && !self.fault(Fault::SmtpNoAuth) {
            let mut mechanisms = String::from("PLAIN LOGIN");
            if self.tls {
                for mechanism in super::sasl::MECHANISMS {
                    mechanisms.push(' ');
                    mechanisms.push_str(mechanism);
                }
            }
            list.push(Capability::Auth(groupwire_smtp::capability::MechanismList(
                mechanisms.into(),
            )));
        } else if !self.tls && self.fault(Fault::OauthBeforeTls) {
            list.push(Capability::Auth(groupwire_smtp::capability::MechanismList(
                "OAUTHBEARER".into(),
            )));
        }
        list
    }

    /// Runs commands until QUIT, end of stream, or STARTTLS.
    async fn run<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> std::io::Result<Next> {
        loop {
            let (consumed, step) = match self.decoder.decode(&self.buffer) {
                Ok(Decoded::Complete { value, consumed }) => (consumed, Step::of(value)),
                Ok(Decoded::Incomplete { .. }) => {
                    if !self.fill(stream).await? {
                        return Ok(Next::Close);
                    }
                    continue;
                }
                // A bare CR or LF in a command line: its end is in doubt; the reference answers
                // 501 for the line up to the LF and goes on.
                Err(_) => {
                    self.decoder.expect_commands();
                    self.skip_line(stream).await?;
                    let out = self.say(501, (5, 5, 4), "syntax error in parameters");
                    stream.write_all(&out).await?;
                    stream.flush().await?;
                    continue;
                }
            };
            let command = match step {
                Step::Command(command) => command,
                Step::LineTooLong if self.fault(Fault::SmtpLongLineSplit) => {
                    // Cut the line where the limit is and read the rest as a new line.
                    self.decoder.expect_commands();
                    let cut = MAX_COMMAND_LINE.saturating_sub(2).min(self.buffer.len());
                    self.buffer.splice(cut..cut, *b"\r\n");
                    continue;
                }
                Step::Skipped | Step::Other => {
                    self.buffer.drain(..consumed);
                    continue;
                }
                Step::LineTooLong | Step::Malformed => {
                    self.buffer.drain(..consumed);
                    let out = if step == Step::LineTooLong {
                        self.say(500, (5, 5, 6), "line too long")
                    } else {
                        self.say(501, (5, 5, 4), "syntax error in parameters")
                    };
                    stream.write_all(&out).await?;
                    stream.flush().await?;
                    continue;
                }
            };
            self.buffer.drain(..consumed);
            self.active = tokio::time::Instant::now();
            if self.fault(Fault::SmtpPipeliningDropsCommands) {
                self.buffer.clear();
            }
            let next = self.execute(command, stream).await?;
            // After BDAT the decoder expects the chunk, which `execute` has read itself.
            if self.decoder.state() != ServerState::Commands {
                self.decoder.expect_commands();
            }
            match next {
                Some(next) => return Ok(next),
                None => stream.flush().await?,
            }
        }
    }

    /// Drops the rest of an unusable command line, reading until its LF arrives.
    async fn skip_line<S: AsyncRead + Unpin>(&mut self, stream: &mut S) -> std::io::Result<()> {
        loop {
            if let Some(lf) = self.buffer.iter().position(|&b| b == b'\n') {
                self.buffer.drain(..=lf);
                return Ok(());
            }
            self.buffer.clear();
            if !self.fill(stream).await? {
                return Ok(());
            }
        }
    }

    async fn execute<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        command: Command<'static>,
        stream: &mut S,
    ) -> std::io::Result<Option<Next>> {
        let out = match command {
            Command::Ehlo { domain } => {
                if self.fault(Fault::SmtpEhloRejected) {
                    self.say(502, (5, 5, 1), "EHLO not implemented")
                } else {
                    self.helo = Some(domain.into_owned());
                    self.extended = true;
                    if !self.fault(Fault::SmtpEhloKeepsTransaction) {
                        self.transaction = Transaction::default();
                    }
                    let caps = self.capabilities();
                    match Capabilities::reply(&self.service.domain, Some("greets you"), &caps) {
                        Ok(reply) => reply.to_vec(),
                        Err(_) => self.say(451, (4, 3, 0), "internal error"),
                    }
                }
            }
            Command::Helo { domain } => {
                if self.fault(Fault::SmtpHeloRejected) {
                    self.say(502, (5, 5, 1), "HELO not implemented")
                } else {
                    self.helo = Some(domain.into_owned());
                    self.extended = false;
                    self.transaction = Transaction::default();
                    reply(250, None, &[self.service.domain.as_str()])
                }
            }
            Command::StartTls => {
                if self.fault(Fault::SmtpNoStarttls) {
                    self.say(502, (5, 5, 1), "STARTTLS not available")
                } else if self.tls {
                    self.say(503, (5, 5, 1), "TLS already active")
                } else if self.fault(Fault::SmtpStarttlsRefused) {
                    self.say(454, (4, 7, 0), "TLS not available due to temporary reason")
                } else {
                    stream
                        .write_all(&self.say(220, (2, 0, 0), "ready to start TLS"))
                        .await?;
                    stream.flush().await?;
                    return Ok(Some(Next::StartTls));
                }
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                let out = self
                    .auth(
                        mechanism,
                        initial_response.map(|r| r.0.into_owned()),
                        stream,
                    )
                    .await?;
                if out.starts_with(b"535") {
                    // RFC 4954 §9 lets a server limit failed attempts: from the third on this
                    // connection, each failure is answered after a delay.
                    self.failed_logins += 1;
                    if self.failed_logins >= 3 && !self.fault(Fault::SmtpNoLoginThrottle) {
                        tokio::time::sleep(Duration::from_millis(1200)).await;
                    }
                }
                out
            }
            Command::Mail { from, parameters } => {
                let size = parameters.size();
                let body_8bit = matches!(
                    parameters.body(),
                    Some(groupwire_smtp::parameters::Body::EightBitMime)
                );
                let utf8 = parameters.smtputf8();
                let address = match &from {
                    groupwire_smtp::address::ReversePath::Null => String::new(),
                    groupwire_smtp::address::ReversePath::Path(path) => mailbox_text(&path.mailbox),
                };
                if self.helo.is_none() {
                    self.say(503, (5, 5, 1), "send EHLO first")
                } else if self.user.is_none() && !self.mx && !self.fault(Fault::SmtpNoAuthRequired)
                {
                    self.say(530, (5, 7, 0), "authentication required")
                } else if self.transaction.from.is_some() {
                    self.say(503, (5, 5, 1), "nested MAIL command")
                } else if self.user.as_ref().is_some_and(|user| {
                    !user.eq_ignore_ascii_case(&address) && self.service.store.has_account(&address)
                }) && !self.fault(Fault::SmtpSenderNotChecked)
                {
                    // RFC 6409 §6.1: another user's address is not this login's to use.
                    self.say(550, (5, 7, 1), "sender address not owned by this login")
                } else if self.fault(Fault::SmtpMailRejected) {
                    self.say(451, (4, 3, 0), "try again later")
                } else if address.is_empty() && self.fault(Fault::SmtpNullSenderRejected) {
                    self.say(553, (5, 1, 7), "null sender refused")
                } else if size.is_some_and(|s| s > MAX_MESSAGE_SIZE)
                    && !self.fault(Fault::SmtpSizeNotEnforced)
                {
                    self.say(552, (5, 3, 4), "message size exceeds fixed limit")
                } else if body_8bit && self.fault(Fault::Smtp8bitmimeRejected) {
                    self.say(555, (5, 5, 4), "BODY parameter not supported")
                } else if (utf8 || !address.is_ascii()) && self.fault(Fault::SmtpUtf8Rejected) {
                    self.say(553, (5, 6, 7), "internationalised addresses not supported")
                } else if !address.is_ascii() && !utf8 {
                    self.say(553, (5, 6, 7), "non-ASCII address needs SMTPUTF8")
                } else {
                    self.transaction.from = Some(address);
                    self.transaction.declared_size = size;
                    self.say(250, (2, 1, 0), "sender ok")
                }
            }
            Command::Rcpt { to, .. } => {
                let address = mailbox_text(&to.mailbox);
                if self.transaction.from.is_none() && !self.fault(Fault::SmtpNoSequenceCheck) {
                    self.say(503, (5, 5, 1), "need MAIL before RCPT")
                } else if self.fault(Fault::SmtpRcptRejected) {
                    self.say(550, (5, 7, 1), "recipients refused")
                } else if self.mx
                    && self.user.is_none()
                    && !self.is_local(&address)
                    && !self.fault(Fault::MxOpenRelay)
                {
                    self.say(550, (5, 7, 1), "relay access denied")
                } else if self.is_local(&address)
                    && !self.service.store.has_account(&address)
                    && !self.fault(Fault::SmtpAcceptsUnknownRecipients)
                {
                    self.say(550, (5, 1, 1), "no such user")
                } else if self.transaction.recipients.len() >= 100 {
                    self.say(452, (4, 5, 3), "too many recipients")
                } else {
                    self.transaction.recipients.push(address);
                    self.say(250, (2, 1, 5), "recipient ok")
                }
            }
            Command::Data => {
                if self.transaction.recipients.is_empty() && !self.fault(Fault::SmtpNoSequenceCheck)
                {
                    self.say(503, (5, 5, 1), "need RCPT before DATA")
                } else if self.fault(Fault::SmtpDataNo354) {
                    self.say(250, (2, 0, 0), "ok")
                } else {
                    stream
                        .write_all(&reply(354, None, &["end data with <CR><LF>.<CR><LF>"]))
                        .await?;
                    stream.flush().await?;
                    let Some(message) = self.read_data(stream).await? else {
                        return Ok(Some(Next::Close));
                    };
                    self.finish_message(message)
                }
            }
            Command::Bdat { size, last } => {
                if self.fault(Fault::SmtpBdatBroken) {
                    reply(500, None, &["unrecognised command"])
                } else {
                    let Some(chunk) = self.read_exact(stream, size).await? else {
                        return Ok(Some(Next::Close));
                    };
                    let mut chunk = chunk;
                    let mut last = last;
                    if self.fault(Fault::SmtpBdatDotEnds)
                        && let Some(at) = chunk.windows(5).position(|w| w == b"\r\n.\r\n")
                    {
                        // The fault: a DATA terminator inside the chunk ends the message, and
                        // what follows it is read as commands.
                        let rest = chunk.split_off(at + 5);
                        chunk.truncate(at + 2);
                        self.buffer.splice(0..0, rest);
                        last = true;
                    }
                    if self.transaction.recipients.is_empty() {
                        self.say(503, (5, 5, 1), "need RCPT before BDAT")
                    } else {
                        if self.fault(Fault::SmtpBdatLosesChunks) {
                            self.transaction.chunks.clear();
                        }
                        self.transaction.chunks.extend_from_slice(&chunk);
                        if last {
                            let message = std::mem::take(&mut self.transaction.chunks);
                            self.finish_message(Ok(message))
                        } else {
                            self.say(250, (2, 0, 0), "chunk received")
                        }
                    }
                }
            }
            Command::Rset => {
                self.reset_transaction();
                self.say(250, (2, 0, 0), "reset")
            }
            Command::Noop { .. } => {
                if self.fault(Fault::SmtpNoopError) {
                    self.say(502, (5, 5, 1), "NOOP not implemented")
                } else {
                    self.say(250, (2, 0, 0), "OK")
                }
            }
            Command::Vrfy { .. } if self.fault(Fault::SmtpVrfyConfirms) => {
                self.say(250, (2, 1, 5), &format!("<alice@{}>", super::DOMAIN))
            }
            Command::Vrfy { .. } => {
                self.say(252, (2, 5, 0), "cannot verify, will attempt delivery")
            }
            Command::Help { .. } => reply(214, None, &["see RFC 5321"]),
            Command::Expn { .. } if self.fault(Fault::SmtpExpnExpands) => {
                self.say(250, (2, 1, 5), &format!("<alice@{}>", super::DOMAIN))
            }
            Command::Unknown { verb, .. }
                if verb.eq_ignore_ascii_case(b"XCLIENT")
                    && self.fault(Fault::SmtpXclientOffered) =>
            {
                reply(
                    220,
                    None,
                    &[&format!("{} ESMTP (XCLIENT)", self.service.domain)],
                )
            }
            Command::Unknown { verb, .. }
                if verb.eq_ignore_ascii_case(b"XFORWARD")
                    && self.fault(Fault::SmtpXforwardOffered) =>
            {
                self.say(250, (2, 0, 0), "OK")
            }
            Command::Quit => {
                if !self.fault(Fault::SmtpQuitNo221) {
                    stream.write_all(&self.say(221, (2, 0, 0), "bye")).await?;
                }
                stream.flush().await?;
                let _ = stream.shutdown().await;
                return Ok(Some(Next::Close));
            }
            Command::Unknown { .. } => {
                if self.fault(Fault::SmtpUnknownCommandAccepted) {
                    self.say(250, (2, 0, 0), "OK")
                } else {
                    self.say(500, (5, 5, 1), "command unrecognised")
                }
            }
            _ => self.say(502, (5, 5, 1), "command not implemented"),
        };
        stream.write_all(&out).await?;
        Ok(None)
    }

    fn is_local(&self, address: &str) -> bool {
        address
            .rsplit_once('@')
            .is_some_and(|(_, domain)| domain.eq_ignore_ascii_case(&self.service.domain))
    }

    /// Reads exactly `size` octets (a BDAT chunk); `None` at end of stream.
    async fn read_exact<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
        size: u64,
    ) -> std::io::Result<Option<Vec<u8>>> {
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        while self.buffer.len() < size {
            if size > MAX_MESSAGE_SIZE as usize * 4 {
                return Ok(None);
            }
            if !self.fill(stream).await? {
                return Ok(None);
            }
            self.active = tokio::time::Instant::now();
        }
        Ok(Some(self.buffer.drain(..size).collect()))
    }

    /// Reads DATA up to its terminator. `Ok(Err(reply))` when the message is refused but the
    /// session goes on; `None` at end of stream.
    async fn read_data<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> std::io::Result<Option<Result<Vec<u8>, Vec<u8>>>> {
        // Bare CR and LF are payload, never a terminator: only CRLF.CRLF ends the data.
        let limits = Limits::default()
            .with_line_endings(LineEndings::Lenient)
            .with_max_message_size(u64::MAX);
        let mut decoder = DataDecoder::new(&limits);
        let mut message = Vec::new();
        let mut oversized = false;
        loop {
            if let Some((payload_end, consumed)) = self.faulty_terminator() {
                let mut head: Vec<u8> = self.buffer.drain(..consumed).collect();
                head.truncate(payload_end);
                head.extend_from_slice(b"\r\n.\r\n");
                let mut offset = 0;
                while let Ok(Decoded::Complete { value, consumed }) =
                    decoder.decode(head.get(offset..).unwrap_or_default())
                {
                    offset += consumed;
                    match value {
                        DataEvent::Bytes(bytes) => message.extend_from_slice(bytes),
                        DataEvent::End => break,
                    }
                }
                return Ok(Some(Ok(message)));
            }
            match decoder.decode(&self.buffer) {
                Ok(Decoded::Complete { value, consumed }) => {
                    match value {
                        DataEvent::Bytes(bytes) => {
                            if self.fault(Fault::SmtpNoDotUnstuffing) && consumed == bytes.len() + 1
                            {
                                // The decoder dropped a stuffed dot; the fault keeps it.
                                message.push(b'.');
                            }
                            if (message.len() as u64) + (bytes.len() as u64) <= MAX_MESSAGE_SIZE
                                || self.fault(Fault::SmtpSizeDataUnchecked)
                            {
                                message.extend_from_slice(bytes);
                            } else {
                                oversized = true;
                            }
                        }
                        DataEvent::End => {
                            self.buffer.drain(..consumed);
                            let message = self.unstuff_after_bare_line_ends(message);
                            if oversized {
                                return Ok(Some(Err(self.say(
                                    552,
                                    (5, 3, 4),
                                    "message size exceeds fixed limit",
                                ))));
                            }
                            return Ok(Some(Ok(message)));
                        }
                    }
                    self.buffer.drain(..consumed);
                }
                Ok(Decoded::Incomplete { .. }) => {
                    if !self.fill(stream).await? {
                        return Ok(None);
                    }
                    self.active = tokio::time::Instant::now();
                }
                Err(_) => {
                    // Lenient decoding does not fail on line endings; anything else ends the session.
                    return Ok(None);
                }
            }
        }
    }

    /// The smuggling faults: where a non-CRLF "terminator" ends the data, as
    /// `(payload end, bytes consumed)`.
    fn faulty_terminator(&self) -> Option<(usize, usize)> {
        let patterns: [(Fault, &[u8]); 6] = [
            (Fault::SmtpBareLfDot, b"\n.\n"),
            (Fault::SmtpBareCrDot, b"\r.\r"),
            (Fault::SmtpCrlfDotLf, b"\r\n.\n"),
            (Fault::SmtpLfDotCrlf, b"\n.\r\n"),
            (Fault::SmtpCrDotCrlf, b"\r.\r\n"),
            (Fault::SmtpCrlfDotCr, b"\r\n.\r"),
        ];
        let buffer = &self.buffer;
        patterns
            .iter()
            .filter(|(fault, _)| self.fault(*fault))
            .filter_map(|(_, pattern)| {
                let starts_with_lf = pattern.first() == Some(&b'\n');
                // `\r\n.\r` followed by `\n` is the real terminator.
                let ends_with_cr = *pattern == b"\r\n.\r";
                let mut at = 0;
                // The first match that is not part of the real `\r\n.\r\n`.
                while let Some(found) = buffer
                    .get(at..)
                    .and_then(|rest| rest.windows(pattern.len()).position(|w| w == *pattern))
                {
                    let start = at + found;
                    let end = start + pattern.len();
                    let after_cr = start > 0 && buffer.get(start - 1) == Some(&b'\r');
                    let next = buffer.get(end);
                    let real =
                        (starts_with_lf && after_cr) || (ends_with_cr && next == Some(&b'\n'));
                    // A trailing CR may yet turn out to be the real terminator's.
                    if ends_with_cr && next.is_none() {
                        return None;
                    }
                    if !real {
                        return Some((start, end));
                    }
                    at = start + 1;
                }
                None
            })
            .min()
    }

    /// The bare-line-end faults: a dot after a bare LF (or bare CR) is removed as if it were
    /// dot-stuffing at the start of a line.
    fn unstuff_after_bare_line_ends(&self, message: Vec<u8>) -> Vec<u8> {
        let lf = self.fault(Fault::SmtpBareLfLineEnd);
        let cr = self.fault(Fault::SmtpBareCrLineEnd);
        if !lf && !cr {
            return message;
        }
        let mut out = Vec::with_capacity(message.len());
        for (index, &byte) in message.iter().enumerate() {
            let previous = index.checked_sub(1).and_then(|i| message.get(i)).copied();
            let before = index.checked_sub(2).and_then(|i| message.get(i)).copied();
            let after_bare_lf = previous == Some(b'\n') && before != Some(b'\r');
            let after_bare_cr = previous == Some(b'\r') && byte != b'\n';
            if byte == b'.' && ((lf && after_bare_lf) || (cr && after_bare_cr)) {
                continue;
            }
            out.push(byte);
        }
        out
    }

    fn finish_message(&mut self, message: Result<Vec<u8>, Vec<u8>>) -> Vec<u8> {
        let message = match message {
            Ok(message) => message,
            Err(refusal) => {
                self.transaction = Transaction::default();
                return refusal;
            }
        };
        if message.len() as u64 > MAX_MESSAGE_SIZE && !self.fault(Fault::SmtpSizeDataUnchecked) {
            self.transaction = Transaction::default();
            return self.say(552, (5, 3, 4), "message size exceeds fixed limit");
        }
        let transaction = std::mem::take(&mut self.transaction);
        if self.fault(Fault::SmtpDataTempfail) {
            return self.say(451, (4, 3, 0), "local error in processing");
        }
        self.deliver(&transaction, message);
        self.say(250, (2, 0, 0), "message accepted for delivery")
    }

    fn deliver(&self, transaction: &Transaction, message: Vec<u8>) {
        if self.fault(Fault::SmtpDropsDelivery) {
            return;
        }
        if self.fault(Fault::SmtpDropsOneIn1000) && drop_one_in_1000() {
            return;
        }
        let mut message = message;
        if self.fault(Fault::SmtpMangledHeaders) {
            message = drop_header(&message, b"subject:");
        }
        let received = format!(
            "Received: from {} by {} with ESMTP{}{}; {}\r\n",
            self.helo.as_deref().unwrap_or("unknown"),
            self.service.domain,
            if self.tls { "S" } else { "" },
            if self.user.is_some() { "A" } else { "" },
            chrono::Utc::now().to_rfc2822()
        );
        let mut raw = received.into_bytes();
        raw.extend_from_slice(&message);
        let raw: Arc<[u8]> = Arc::from(raw);
        for recipient in &transaction.recipients {
            if self.service.store.has_account(recipient) {
                let _ = self.service.store.append(
                    recipient,
                    "INBOX",
                    Arc::clone(&raw),
                    BTreeSet::new(),
                    None,
                );
            }
        }
    }

    async fn auth<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        mechanism: Mechanism<'static>,
        initial: Option<String>,
        stream: &mut S,
    ) -> std::io::Result<Vec<u8>> {
        let hidden_oauth =
            mechanism == Mechanism::OAuthBearer && self.fault(Fault::OauthHiddenBeforeTls);
        let offered = (self.tls
            || hidden_oauth
            || self.fault(Fault::SmtpAuthBeforeTls)
            || self.fault(Fault::SmtpAuthHiddenBeforeTls))
            && !self.fault(Fault::SmtpNoAuth);
        if !offered {
            return Ok(self.say(538, (5, 7, 11), "encryption required for authentication"));
        }
        if self.helo.is_none() {
            return Ok(self.say(503, (5, 5, 1), "send EHLO first"));
        }
        if self.user.is_some() && !self.fault(Fault::SmtpAuthTwiceAccepted) {
            return Ok(self.say(503, (5, 5, 1), "already authenticated"));
        }
        let login = matches!(mechanism, Mechanism::Login);
        if (self.tls || hidden_oauth)
            && matches!(mechanism, Mechanism::ScramSha256 | Mechanism::OAuthBearer)
        {
            return self.auth_sasl(mechanism, initial, stream).await;
        }
        let credentials = match mechanism {
            Mechanism::Plain => {
                let message = match initial {
                    Some(text) => Some(text),
                    None => self.challenge(stream, "").await?,
                };
                let Some(message) = message else {
                    return Ok(self.cancelled());
                };
                let Some(octets) = groupwire_smtp::SaslPayload(message.into()).decode() else {
                    return Ok(self.say(501, (5, 5, 2), "invalid base64"));
                };
                parse_plain_message(&octets).map(|(_, user, password)| {
                    (
                        String::from_utf8_lossy(user).into_owned(),
                        String::from_utf8_lossy(password).into_owned(),
                    )
                })
            }
            Mechanism::Login => {
                if self.fault(Fault::SmtpAuthLoginBroken) {
                    return Ok(self.say(504, (5, 5, 4), "mechanism not supported"));
                }
                let user = match initial {
                    Some(text) => Some(text),
                    None => self.challenge(stream, "VXNlcm5hbWU6").await?,
                };
                let Some(user) = user else {
                    return Ok(self.cancelled());
                };
                let Some(password) = self.challenge(stream, "UGFzc3dvcmQ6").await? else {
                    return Ok(self.cancelled());
                };
                let decode = |text: String| groupwire_smtp::SaslPayload(text.into()).decode();
                match (decode(user), decode(password)) {
                    (Some(user), Some(password)) => Some((
                        String::from_utf8_lossy(&user).into_owned(),
                        String::from_utf8_lossy(&password).into_owned(),
                    )),
                    _ => return Ok(self.say(501, (5, 5, 2), "invalid base64")),
                }
            }
            _ if self.fault(Fault::SmtpAuthUnknownMechanism535) => {
                return Ok(self.say(535, (5, 7, 8), "authentication credentials invalid"));
            }
            _ => return Ok(self.say(504, (5, 5, 4), "mechanism not supported")),
        };
        let Some((user, password)) = credentials else {
            return Ok(self.say(535, (5, 7, 8), "authentication credentials invalid"));
        };
        let any_password = self.fault(Fault::SmtpAuthAcceptsAnyPassword)
            || (login && self.fault(Fault::SmtpAuthLoginAcceptsAnyPassword));
        let accepted = self.service.store.authenticate(&user, &password)
            || (any_password && self.service.store.has_account(&user));
        if accepted {
            self.user = Some(user);
            if self.fault(Fault::SmtpAuthSuccessCode) {
                Ok(self.say(250, (2, 7, 0), "authenticated"))
            } else {
                Ok(self.say(235, (2, 7, 0), "authentication successful"))
            }
        } else if self.fault(Fault::SmtpAuthFailure454) {
            Ok(self.say(454, (4, 7, 0), "temporary authentication failure"))
        } else {
            Ok(self.say(535, (5, 7, 8), "authentication credentials invalid"))
        }
    }

    /// AUTH SCRAM-SHA-256 and OAUTHBEARER (over TLS).
    async fn auth_sasl<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        mechanism: Mechanism<'static>,
        initial: Option<String>,
        stream: &mut S,
    ) -> std::io::Result<Vec<u8>> {
        let decode = |text: String| groupwire_smtp::SaslPayload(text.into()).decode();
        let first = match initial {
            Some(text) => Some(text),
            None => self.challenge(stream, "").await?,
        };
        let Some(first) = first else {
            return Ok(self.cancelled());
        };
        let Some(first) = decode(first) else {
            return Ok(self.say(501, (5, 5, 2), "invalid base64"));
        };
        let store = Arc::clone(&self.service.store);
        let faults = self.service.faults.clone();
        let invalid =
            |session: &Self| session.say(535, (5, 7, 8), "authentication credentials invalid");
        if mechanism == Mechanism::OAuthBearer {
            return Ok(match super::sasl::oauth_user(&store, &first, &faults) {
                Some(user) => self.authenticated(user),
                None => {
                    if !faults.has(Fault::OauthNoErrorResult) {
                        // RFC 7628 §3.2.2: the error result as a challenge; whatever the
                        // client answers (%x01 or `*`), the exchange fails.
                        let error = groupwire_smtp::SaslPayload::encode(
                            &crate::sasl::oauthbearer::error_result(),
                        );
                        let _ = self.challenge(stream, &error.0).await?;
                    }
                    invalid(self)
                }
            });
        }
        let Ok((server, server_first)) = super::sasl::scram_start(&store, &first) else {
            return Ok(invalid(self));
        };
        let payload = groupwire_smtp::SaslPayload::encode(server_first.as_bytes());
        let Some(client_final) = self.challenge(stream, &payload.0).await? else {
            return Ok(self.cancelled());
        };
        let Some(client_final) = decode(client_final) else {
            return Ok(self.say(501, (5, 5, 2), "invalid base64"));
        };
        match super::sasl::scram_finish(&server, &client_final, &faults) {
            Ok(server_final) => {
                let payload = groupwire_smtp::SaslPayload::encode(server_final.as_bytes());
                // The client answers the server-final message with an empty line, or `*`
                // when the signature does not verify.
                match self.challenge(stream, &payload.0).await? {
                    Some(_) => {
                        let user = super::sasl::resolve_user(&store, server.user());
                        Ok(self.authenticated(user))
                    }
                    None => Ok(self.cancelled()),
                }
            }
            Err(_) => Ok(invalid(self)),
        }
    }

    /// Logs `user` in: 235 (250 under `smtp-auth-success-code`).
    fn authenticated(&mut self, user: String) -> Vec<u8> {
        self.user = Some(user);
        if self.fault(Fault::SmtpAuthSuccessCode) {
            self.say(250, (2, 7, 0), "authenticated")
        } else {
            self.say(235, (2, 7, 0), "authentication successful")
        }
    }

    fn cancelled(&self) -> Vec<u8> {
        if self.fault(Fault::SmtpAuthCancelIgnored) {
            self.say(535, (5, 7, 8), "authentication credentials invalid")
        } else {
            self.say(501, (5, 7, 0), "authentication cancelled")
        }
    }

    /// Sends a 334 challenge and reads the client's line; `None` when the client cancels
    /// with `*` (or the stream ends).
    async fn challenge<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
        text: &str,
    ) -> std::io::Result<Option<String>> {
        stream.write_all(&reply(334, None, &[text])).await?;
        stream.flush().await?;
        self.decoder.expect_auth_response();
        loop {
            let (consumed, answer) = match self.decoder.decode(&self.buffer) {
                Ok(Decoded::Complete {
                    value: ClientItem::AuthResponse(response),
                    consumed,
                }) => (
                    consumed,
                    Some(match response {
                        AuthResponse::Data(data) => Some(data.0.into_owned()),
                        AuthResponse::Cancel => None,
                    }),
                ),
                Ok(Decoded::Complete {
                    value: ClientItem::Skipped,
                    consumed,
                }) => (consumed, None),
                // A malformed or over-long line (the decoder discards the rest of it while
                // commands resume): an answer no mechanism accepts.
                Ok(Decoded::Complete { consumed, .. }) => (consumed, Some(Some("!".to_string()))),
                Ok(Decoded::Incomplete { .. }) => {
                    if !self.fill(stream).await? {
                        return Ok(None);
                    }
                    continue;
                }
                Err(_) => {
                    self.decoder.expect_commands();
                    self.skip_line(stream).await?;
                    return Ok(Some(String::from("!")));
                }
            };
            self.buffer.drain(..consumed);
            if let Some(answer) = answer {
                return Ok(answer);
            }
        }
    }
}

/// What the command loop does with one item of the decoder.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    Command(Command<'static>),
    /// Answer 500 (the decoder discards the rest of the line).
    LineTooLong,
    /// Answer 501 (the line was consumed).
    Malformed,
    /// Discarded input, nothing to answer.
    Skipped,
    /// An item that does not occur between commands.
    Other,
}

impl Step {
    fn of(item: ClientItem<'_>) -> Step {
        match item {
            ClientItem::Command(command) => Step::Command(command.into_owned()),
            ClientItem::LineTooLong { .. } => Step::LineTooLong,
            ClientItem::Malformed { .. } => Step::Malformed,
            ClientItem::Skipped => Step::Skipped,
            _ => Step::Other,
        }
    }
}

fn mailbox_text(mailbox: &groupwire_smtp::address::Mailbox<'_>) -> String {
    match &mailbox.domain {
        Some(domain) => format!("{}@{}", mailbox.unquoted_local_part(), domain_text(domain)),
        None => mailbox.unquoted_local_part().into_owned(),
    }
}

fn domain_text(domain: &groupwire_smtp::address::Domain<'_>) -> String {
    use groupwire_smtp::address::{AddressLiteral, Domain};
    match domain {
        Domain::Name(name) => name.to_string(),
        Domain::Literal(AddressLiteral::Ipv4(ip)) => format!("[{ip}]"),
        Domain::Literal(AddressLiteral::Ipv6(ip)) => format!("[IPv6:{ip}]"),
        Domain::Literal(AddressLiteral::General { tag, content }) => format!("[{tag}:{content}]"),
    }
}

/// The message without the header field `name` (lowercase, with colon), continuation lines
/// included.
fn drop_header(message: &[u8], name: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len());
    let mut dropping = false;
    let mut in_header = true;
    for line in message.split_inclusive(|&b| b == b'\n') {
        if in_header {
            if line == b"\r\n" || line == b"\n" {
                in_header = false;
            } else if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
                if dropping {
                    continue;
                }
            } else {
                dropping = line.len() >= name.len()
                    && line
                        .get(..name.len())
                        .is_some_and(|p| p.eq_ignore_ascii_case(name));
                if dropping {
                    continue;
                }
            }
        }
        out.extend_from_slice(line);
    }
    out
}

/// `smtp-drops-one-in-1000`: whether this delivery is the one in 1,000 to drop (the first of
/// each thousand deliveries made under the fault in this process).
fn drop_one_in_1000() -> bool {
    use std::sync::atomic::{AtomicU64, Ordering};
    static DELIVERIES: AtomicU64 = AtomicU64::new(0);
    DELIVERIES
        .fetch_add(1, Ordering::Relaxed)
        .is_multiple_of(1000)
}
