//! The reference IMAP server (RFC 9051 with IMAP4rev1 compatibility), on `groupwire-imap`:
//! every client message is decoded by its server-role `CommandDecoder` (synchronising
//! literals answered with `+`, AUTHENTICATE lines, IDLE's DONE). Responses are written as
//! protocol text; the harness's checks decode every one of them with the codec's client-role
//! decoder, so a malformed response fails the suite.
//!
//! Listens in two modes: STARTTLS (the role of port 143, LOGINDISABLED before TLS) and
//! implicit TLS (993). Every [`Fault`] starting with `imap-` is a deviation implemented here.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;

use groupwire_imap::IntoOwned;
use groupwire_imap::command::auth::SaslResponse;
use groupwire_imap::command::fetch::{FetchAttribute, FetchItems, SectionText};
use groupwire_imap::command::mailbox::StatusItem;
use groupwire_imap::command::search::SearchKey;
use groupwire_imap::command::store::StoreAction;
use groupwire_imap::command::{Command, CommandBody};
use groupwire_imap::core::{Flag, Mailbox as MailboxName, SequenceSet};
use groupwire_imap::stream::server::{ClientMessage, CommandDecoder, ServerState, ServerStep};
use groupwire_imap::{Encode, Limits};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::faults::{Fault, Faults};
use super::mime;
use super::store::{Mailbox, Store, StoredMessage};

/// The APPENDLIMIT the reference advertises and enforces (RFC 7889).
pub const APPEND_LIMIT: u64 = 2 * 1024 * 1024;

/// What every session of one IMAP listener shares.
#[derive(Debug)]
pub struct ImapService {
    /// The mail store.
    pub store: Arc<Store>,
    /// TLS for STARTTLS and implicit TLS.
    pub tls: Arc<rustls::ServerConfig>,
    /// Deviations to perform.
    pub faults: Faults,
}

/// Serves IMAP on `listener` until the task is aborted; `implicit_tls` for the 993 role.
pub async fn serve(listener: TcpListener, service: Arc<ImapService>, implicit_tls: bool) {
    super::serve_connections(listener, move |socket| {
        let service = Arc::clone(&service);
        async move {
            let _ = handle(socket, service, implicit_tls).await;
        }
    })
    .await
}

async fn handle(
    socket: TcpStream,
    service: Arc<ImapService>,
    implicit_tls: bool,
) -> std::io::Result<()> {
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(&service.tls));
    let mut session = Session::new(service);
    session.implicit = implicit_tls;
    if implicit_tls && session.fault(Fault::ImapImplicitTlsPlaintext) {
        let mut socket = socket;
        session.greet(&mut socket).await?;
        session.run(&mut socket).await?;
        return Ok(());
    }
    if implicit_tls {
        let mut stream =
            super::security::accept(&acceptor, socket, &session.service.faults).await?;
        session.tls = true;
        session.greet(&mut stream).await?;
        session.run(&mut stream).await?;
        return Ok(());
    }
    let mut socket = socket;
    session.greet(&mut socket).await?;
    if session.run(&mut socket).await? == Next::StartTls {
        if !session.fault(Fault::ImapStarttlsKeepsBuffer) {
            session.buffer.clear();
        }
        let mut stream =
            super::security::accept(&acceptor, socket, &session.service.faults).await?;
        session.tls = true;
        session.run(&mut stream).await?;
    }
    Ok(())
}

/// What a LIST (or LSUB) asked for beyond its patterns.
#[derive(Debug, Clone, Copy, Default)]
struct ListOptions {
    /// `SUBSCRIBED` selection (and LSUB).
    subscribed_only: bool,
    /// `SPECIAL-USE` selection (RFC 6154): only mailboxes with a special use.
    special_use_only: bool,
    /// `RETURN (SPECIAL-USE)`.
    special_use_returned: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Close,
    StartTls,
}

struct Selected {
    name: String,
    read_only: bool,
    /// UIDs in sequence order, as this session knows them.
    uids: Vec<u32>,
    /// Flags and modseq of each UID as last reported.
    known: HashMap<u32, (BTreeSet<String>, u64)>,
}

struct Session {
    service: Arc<ImapService>,
    buffer: Vec<u8>,
    decoder: CommandDecoder,
    tls: bool,
    /// Whether this is the implicit-TLS listener (the role of port 993).
    implicit: bool,
    /// Failed LOGIN/AUTHENTICATE attempts on this connection (issue 12: from the third on,
    /// each failure is answered after a delay, unless `imap-no-login-throttle`).
    failed_logins: u32,
    user: Option<String>,
    selected: Option<Selected>,
    condstore: bool,
    qresync: bool,
    out: Vec<u8>,
}

fn flag_text(flag: &Flag<'_>) -> String {
    String::from_utf8_lossy(&flag.to_bytes()).into_owned()
}

fn mailbox_text(name: &MailboxName<'_>) -> String {
    match name {
        MailboxName::Inbox => "INBOX".to_string(),
        other => other
            .decode_utf7()
            .unwrap_or_else(|_| String::from_utf8_lossy(&other.name()).into_owned()),
    }
}

fn date_time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .format("%d-%b-%Y %H:%M:%S +0000")
        .to_string()
}

impl Session {
    fn new(service: Arc<ImapService>) -> Session {
        let decoder = CommandDecoder::new(Limits::default());
        Session {
            service,
            buffer: Vec::with_capacity(4096),
            decoder,
            tls: false,
            implicit: false,
            failed_logins: 0,
            user: None,
            selected: None,
            condstore: false,
            qresync: false,
            out: Vec::new(),
        }
    }

    fn fault(&self, fault: Fault) -> bool {
        self.service.faults.has(fault)
    }

    fn capabilities(&self) -> String {
        let mut caps = vec!["IMAP4rev1", "IMAP4rev2"];
        if self.fault(Fault::ImapCapabilityNoRev) {
            caps.clear();
        }
        let plaintext = !self.tls;
        if plaintext && !self.fault(Fault::ImapNoStarttls) {
            caps.push("STARTTLS");
        }
        if (self.tls && self.fault(Fault::ImapStarttlsStaleCapability))
            || (self.implicit && self.fault(Fault::ImapImplicitTlsStarttlsAdvertised))
        {
            caps.push("STARTTLS");
        }
        let login_disabled = plaintext && !self.fault(Fault::ImapLoginInPlaintext);
        if login_disabled || (self.tls && self.fault(Fault::ImapStarttlsStaleCapability)) {
            caps.push("LOGINDISABLED");
        }
        if !login_disabled && self.user.is_none() {
            caps.push("AUTH=PLAIN");
            caps.push("SASL-IR");
        }
        caps.extend([
            "LITERAL+",
            "ID",
            "ENABLE",
            "IDLE",
            "NAMESPACE",
            "UNSELECT",
            "UIDPLUS",
            "MOVE",
            "CONDSTORE",
            "QRESYNC",
            "SPECIAL-USE",
            "LIST-EXTENDED",
            "OBJECTID",
            "ESEARCH",
            "SORT",
            "THREAD=ORDEREDSUBJECT",
        ]);
        let mut text = caps.join(" ");
        text.push_str(&format!(" APPENDLIMIT={APPEND_LIMIT}"));
        text
    }

    async fn greet<S: AsyncWrite + Unpin>(&mut self, stream: &mut S) -> std::io::Result<()> {
        let greeting = if self.fault(Fault::ImapGreetingBad) {
            "* BAD groupwire reference not ready\r\n".to_string()
        } else {
            format!(
                "* OK [CAPABILITY {}] groupwire reference IMAP ready\r\n",
                self.capabilities()
            )
        };
        stream.write_all(greeting.as_bytes()).await?;
        stream.flush().await
    }

    async fn fill<S: AsyncRead + Unpin>(&mut self, stream: &mut S) -> std::io::Result<bool> {
        let mut chunk = [0u8; 16 * 1024];
        let read = stream.read(&mut chunk).await?;
        self.buffer
            .extend_from_slice(chunk.get(..read).unwrap_or_default());
        Ok(read > 0)
    }

    async fn flush<S: AsyncWrite + Unpin>(&mut self, stream: &mut S) -> std::io::Result<()> {
        if !self.out.is_empty() {
            stream.write_all(&self.out).await?;
            self.out.clear();
        }
        stream.flush().await
    }

    fn line(&mut self, text: &str) {
        self.out.extend_from_slice(text.as_bytes());
        self.out.extend_from_slice(b"\r\n");
    }

    async fn run<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> std::io::Result<Next> {
        loop {
            let step = self.decoder.decode(&self.buffer);
            let message = match step {
                Ok(ServerStep::Complete { value, consumed }) => {
                    let value = value.into_owned();
                    self.buffer.drain(..consumed);
                    value
                }
                Ok(ServerStep::Incomplete { .. }) => {
                    if !self.fill(stream).await? {
                        return Ok(Next::Close);
                    }
                    continue;
                }
                Ok(ServerStep::NeedsContinuation { size, .. }) => {
                    if size > APPEND_LIMIT && !self.fault(Fault::ImapAppendlimitIgnored) {
                        let drop = self.decoder.reject_literal();
                        let tag = self
                            .buffer
                            .split(|&b| b == b' ')
                            .next()
                            .map(|t| String::from_utf8_lossy(t).into_owned())
                            .unwrap_or_else(|| "*".to_string());
                        self.buffer.drain(..drop.min(self.buffer.len()));
                        self.line(&format!("{tag} NO [TOOBIG] message exceeds APPENDLIMIT"));
                        self.flush(stream).await?;
                        continue;
                    }
                    if !self.fault(Fault::ImapAppendNoContinuation) {
                        self.line("+ Ready for literal data");
                        self.flush(stream).await?;
                    }
                    if !self.fill(stream).await? {
                        return Ok(Next::Close);
                    }
                    continue;
                }
                Ok(ServerStep::Invalid {
                    tag,
                    consumed,
                    error,
                }) => {
                    let tag = tag
                        .map(|t| t.to_str_lossy().into_owned())
                        .unwrap_or_else(|| "*".to_string());
                    self.buffer.drain(..consumed.min(self.buffer.len()));
                    self.line(&format!(
                        "{tag} BAD syntax error: {}",
                        error.kind().to_string().replace(['\r', '\n'], " ")
                    ));
                    self.flush(stream).await?;
                    continue;
                }
                Err(error) => {
                    self.line(&format!("* BYE unrecoverable input: {error}"));
                    self.flush(stream).await?;
                    return Ok(Next::Close);
                }
            };
            match message {
                ClientMessage::Command(command) => {
                    let next = self.execute(command, stream).await?;
                    self.flush(stream).await?;
                    if let Some(next) = next {
                        return Ok(next);
                    }
                }
                ClientMessage::SaslResponse(_) | ClientMessage::IdleDone => {
                    self.decoder.set_state(ServerState::Command);
                    self.line("* BAD unexpected continuation data");
                    self.flush(stream).await?;
                }
            }
        }
    }

    fn tagged(&mut self, tag: &str, status: &str, text: &str) {
        self.line(&format!("{tag} {status} {text}"));
    }

    async fn execute<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        command: Command<'static>,
        stream: &mut S,
    ) -> std::io::Result<Option<Next>> {
        let tag = command.tag.as_str().to_string();
        let tag = tag.as_str();
        let authenticated = self.user.is_some();
        let auth_check = !self.fault(Fault::ImapNoAuthCheck);
        match command.body {
            CommandBody::Capability => {
                let caps = self.capabilities();
                self.line(&format!("* CAPABILITY {caps}"));
                self.tagged(tag, "OK", "CAPABILITY completed");
            }
            CommandBody::Noop | CommandBody::Check => {
                if self.fault(Fault::ImapNoopBad) {
                    self.tagged(tag, "BAD", "NOOP not supported");
                } else {
                    self.updates();
                    self.tagged(tag, "OK", "NOOP completed");
                }
            }
            CommandBody::Logout => {
                if !self.fault(Fault::ImapLogoutNoBye) {
                    self.line("* BYE logging out");
                }
                self.tagged(tag, "OK", "LOGOUT completed");
                self.flush(stream).await?;
                let _ = stream.shutdown().await;
                return Ok(Some(Next::Close));
            }
            CommandBody::StartTls => {
                if self.implicit && self.fault(Fault::ImapImplicitTlsStarttlsOk) {
                    // Says OK, then has no second handshake to offer.
                    self.tagged(tag, "OK", "begin TLS negotiation now");
                    self.flush(stream).await?;
                    return Ok(Some(Next::Close));
                } else if self.tls || self.fault(Fault::ImapNoStarttls) {
                    self.tagged(tag, "BAD", "STARTTLS not available");
                } else if self.fault(Fault::ImapStarttlsRefused) {
                    self.tagged(tag, "NO", "TLS not available right now");
                } else {
                    self.tagged(tag, "OK", "begin TLS negotiation now");
                    self.flush(stream).await?;
                    return Ok(Some(Next::StartTls));
                }
            }
            CommandBody::Login { username, password } => {
                let user = username.to_str_lossy();
                let password = password.to_str_lossy();
                if !self.tls
                    && !self.fault(Fault::ImapLoginInPlaintext)
                    && !self.fault(Fault::ImapLogindisabledIgnored)
                {
                    self.tagged(
                        tag,
                        "NO",
                        "[PRIVACYREQUIRED] LOGIN is disabled before STARTTLS",
                    );
                } else if authenticated {
                    self.tagged(tag, "BAD", "already authenticated");
                } else if self.fault(Fault::ImapLoginBroken) {
                    self.tagged(tag, "NO", "[UNAVAILABLE] login service down");
                } else {
                    self.login(tag, &user, &password, false);
                    self.throttle_failed_logins().await;
                }
            }
            CommandBody::Authenticate(auth) => {
                // The decoder enters its AUTHENTICATE state on the command; whatever happens
                // here (initial response, refusal, completed exchange) ends it.
                self.decoder.finish_authentication();
                let mechanism = auth.mechanism.as_str().to_ascii_uppercase();
                if !self.tls
                    && !self.fault(Fault::ImapLoginInPlaintext)
                    && !self.fault(Fault::ImapAuthenticateInPlaintext)
                {
                    self.tagged(
                        tag,
                        "NO",
                        "[PRIVACYREQUIRED] authentication is disabled before STARTTLS",
                    );
                } else if authenticated {
                    self.tagged(tag, "BAD", "already authenticated");
                } else if mechanism != "PLAIN" || self.fault(Fault::ImapAuthenticateBroken) {
                    self.tagged(tag, "NO", "unsupported mechanism");
                } else {
                    let initial = auth
                        .initial_response
                        .filter(|_| !self.fault(Fault::ImapSaslIrIgnored))
                        .map(|data| match data {
                            groupwire_imap::command::auth::SaslData::Empty => Vec::new(),
                            groupwire_imap::command::auth::SaslData::Base64(text) => {
                                text.as_bytes().to_vec()
                            }
                        });
                    let data = match initial {
                        Some(data) => Some(data),
                        None => {
                            self.line("+ ");
                            self.flush(stream).await?;
                            self.decoder.set_state(ServerState::Authenticate);
                            let response = self.read_sasl(stream).await?;
                            self.decoder.finish_authentication();
                            response
                        }
                    };
                    match data {
                        None => self.tagged(tag, "BAD", "authentication cancelled"),
                        Some(base64) => {
                            let decoded = groupwire_smtp::SaslPayload(
                                String::from_utf8_lossy(&base64).into_owned().into(),
                            )
                            .decode();
                            let parsed = decoded
                                .as_deref()
                                .and_then(groupwire_smtp::auth::parse_plain_message);
                            match parsed {
                                Some((_, user, password)) => {
                                    let user = String::from_utf8_lossy(user).into_owned();
                                    let password = String::from_utf8_lossy(password).into_owned();
                                    self.login(tag, &user, &password, true);
                                    self.throttle_failed_logins().await;
                                }
                                None => self.tagged(tag, "BAD", "invalid SASL PLAIN message"),
                            }
                        }
                    }
                }
            }
            CommandBody::Id(_) => {
                if !self.fault(Fault::ImapIdNoResponse) {
                    self.line("* ID (\"name\" \"groupwire reference\" \"version\" \"0.1\")");
                }
                self.tagged(tag, "OK", "ID completed");
            }
            CommandBody::Enable(caps) => {
                if !authenticated && auth_check {
                    self.tagged(tag, "BAD", "log in first");
                } else {
                    let mut enabled = Vec::new();
                    for cap in caps {
                        let name = cap.as_str().to_ascii_uppercase();
                        if name == "CONDSTORE" || name == "QRESYNC" {
                            self.condstore = true;
                            if name == "QRESYNC" {
                                self.qresync = true;
                            }
                            enabled.push(name);
                        }
                    }
                    if !self.fault(Fault::ImapEnableSilent) {
                        self.line(format!("* ENABLED {}", enabled.join(" ")).trim_end());
                    }
                    self.tagged(tag, "OK", "ENABLE completed");
                }
            }
            _ if !authenticated && auth_check => {
                self.tagged(
                    tag,
                    "BAD",
                    "command not valid in the not-authenticated state",
                );
            }
            CommandBody::Namespace => {
                if self.fault(Fault::ImapNamespaceEmpty) {
                    self.line("* NAMESPACE NIL NIL NIL");
                } else {
                    self.line("* NAMESPACE ((\"\" \"/\")) NIL NIL");
                }
                self.tagged(tag, "OK", "NAMESPACE completed");
            }
            CommandBody::Select(select) | CommandBody::Examine(select) if false => {
                let _ = select;
            }
            CommandBody::Select(select) => {
                let condstore = select
                    .params
                    .iter()
                    .any(|p| !matches!(p, groupwire_imap::command::select::SelectParam::Other(_)));
                let qresync = select.params.iter().find_map(|p| match p {
                    groupwire_imap::command::select::SelectParam::Qresync(q) => {
                        Some((q.uid_validity, q.mod_seq))
                    }
                    _ => None,
                });
                self.select(
                    tag,
                    &mailbox_text(&select.mailbox),
                    false,
                    condstore,
                    qresync,
                );
            }
            CommandBody::Examine(select) => {
                let condstore = !select.params.is_empty();
                self.select(tag, &mailbox_text(&select.mailbox), true, condstore, None);
            }
            CommandBody::Create(create) => {
                let name = mailbox_text(&create.mailbox);
                let result = if self.fault(Fault::ImapCreateIgnored) {
                    Ok(())
                } else {
                    self.with_account(|view| view.create(&name)).and_then(|r| r)
                };
                match result {
                    Ok(()) => self.tagged(tag, "OK", "CREATE completed"),
                    Err(error) => self.tagged(tag, "NO", &format!("[ALREADYEXISTS] {error}")),
                }
            }
            CommandBody::Delete(name) => {
                let name = mailbox_text(&name);
                match self.with_account(|view| view.delete(&name)).and_then(|r| r) {
                    Ok(()) => self.tagged(tag, "OK", "DELETE completed"),
                    Err(error) => self.tagged(tag, "NO", &format!("[NONEXISTENT] {error}")),
                }
            }
            CommandBody::Rename { from, to } => {
                let (from, to) = (mailbox_text(&from), mailbox_text(&to));
                let result = if self.fault(Fault::ImapRenameIgnored) {
                    Ok(())
                } else {
                    self.with_account(|view| view.rename(&from, &to))
                        .and_then(|r| r)
                };
                match result {
                    Ok(()) => self.tagged(tag, "OK", "RENAME completed"),
                    Err(error) => self.tagged(tag, "NO", &error.to_string()),
                }
            }
            CommandBody::Subscribe(name) | CommandBody::Unsubscribe(name) if false => {
                let _ = name;
            }
            CommandBody::Subscribe(name) => {
                let name = mailbox_text(&name);
                let ignored = self.fault(Fault::ImapSubscribeIgnored);
                let found = self
                    .with_account(|view| {
                        view.mailbox_mut(&name)
                            .map(|m| m.subscribed |= !ignored)
                            .is_some()
                    })
                    .unwrap_or(false);
                if found {
                    self.tagged(tag, "OK", "SUBSCRIBE completed");
                } else {
                    self.tagged(tag, "NO", "[NONEXISTENT] no such mailbox");
                }
            }
            CommandBody::Unsubscribe(name) => {
                let name = mailbox_text(&name);
                let _ =
                    self.with_account(|view| view.mailbox_mut(&name).map(|m| m.subscribed = false));
                self.tagged(tag, "OK", "UNSUBSCRIBE completed");
            }
            CommandBody::List(list) => {
                let reference = mailbox_text(&list.reference);
                let patterns: Vec<String> =
                    list.patterns.iter().map(|p| p.0.to_str_lossy()).collect();
                use groupwire_imap::command::list::{ListReturnOption, ListSelectOption};
                let selected = |option: ListSelectOption<'static>| {
                    list.selection.as_ref().is_some_and(|s| s.contains(&option))
                };
                let options = ListOptions {
                    subscribed_only: selected(ListSelectOption::Subscribed),
                    special_use_only: selected(ListSelectOption::SpecialUse),
                    special_use_returned: list
                        .return_options
                        .as_ref()
                        .is_some_and(|r| r.contains(&ListReturnOption::SpecialUse)),
                };
                self.list(tag, &reference, &patterns, options, "LIST");
            }
            CommandBody::Lsub { reference, pattern } => {
                let reference = mailbox_text(&reference);
                let pattern = pattern.0.to_str_lossy();
                let options = ListOptions {
                    subscribed_only: true,
                    ..ListOptions::default()
                };
                self.list(tag, &reference, &[pattern], options, "LSUB");
            }
            CommandBody::Status(status) => {
                let name = mailbox_text(&status.mailbox);
                let items: Vec<StatusItem<'static>> = status
                    .items
                    .into_iter()
                    .map(IntoOwned::into_owned)
                    .collect();
                let wrong = self.fault(Fault::ImapStatusWrongCount);
                let line = self.with_account(|view| {
                    view.mailbox(&name).map(|mailbox| {
                        let mut parts = Vec::new();
                        for item in &items {
                            match item {
                                StatusItem::Messages => parts.push(format!(
                                    "MESSAGES {}",
                                    mailbox.messages.len() + usize::from(wrong)
                                )),
                                StatusItem::UidNext => {
                                    parts.push(format!("UIDNEXT {}", mailbox.uid_next))
                                }
                                StatusItem::UidValidity => {
                                    parts.push(format!("UIDVALIDITY {}", mailbox.uid_validity))
                                }
                                StatusItem::Unseen => {
                                    parts.push(format!("UNSEEN {}", mailbox.unseen()))
                                }
                                StatusItem::Recent => parts.push("RECENT 0".to_string()),
                                StatusItem::Deleted => parts.push(format!(
                                    "DELETED {}",
                                    mailbox
                                        .messages
                                        .iter()
                                        .filter(|m| m.flags.contains("\\Deleted"))
                                        .count()
                                )),
                                StatusItem::Size => parts.push(format!("SIZE {}", mailbox.size())),
                                StatusItem::HighestModSeq => {
                                    parts.push(format!("HIGHESTMODSEQ {}", mailbox.highest_modseq))
                                }
                                StatusItem::AppendLimit => {
                                    parts.push(format!("APPENDLIMIT {APPEND_LIMIT}"))
                                }
                                StatusItem::MailboxId => {
                                    parts.push(format!("MAILBOXID ({})", mailbox.mailbox_id))
                                }
                                _ => {}
                            }
                        }
                        format!(
                            "* STATUS {} ({})",
                            mime::string(&mailbox.name),
                            parts.join(" ")
                        )
                    })
                });
                match line.ok().flatten() {
                    Some(line) => {
                        self.line(&line);
                        self.tagged(tag, "OK", "STATUS completed");
                    }
                    None => self.tagged(tag, "NO", "[NONEXISTENT] no such mailbox"),
                }
            }
            CommandBody::Append(append) => {
                let name = mailbox_text(&append.mailbox);
                let mut uids = Vec::new();
                let mut validity = 0;
                let mut error = None;
                for message in append.messages {
                    let groupwire_imap::command::append::AppendData::Literal(literal) =
                        message.data
                    else {
                        error = Some("CATENATE is not supported");
                        break;
                    };
                    if literal.mode == groupwire_imap::core::LiteralMode::NonSync
                        && self.fault(Fault::ImapLiteralPlusRejected)
                    {
                        error = Some("non-synchronising literals are not supported");
                        break;
                    }
                    let data = literal.data.as_bytes().to_vec();
                    if data.len() as u64 > APPEND_LIMIT
                        && !self.fault(Fault::ImapAppendlimitIgnored)
                    {
                        error = Some("[TOOBIG] message exceeds APPENDLIMIT");
                        break;
                    }
                    let flags: BTreeSet<String> = if self.fault(Fault::ImapAppendDropsFlags) {
                        BTreeSet::new()
                    } else {
                        message
                            .flags
                            .unwrap_or_default()
                            .iter()
                            .map(flag_text)
                            .collect()
                    };
                    if self.fault(Fault::ImapAppendLost) {
                        continue;
                    }
                    let user = self.user.clone().unwrap_or_default();
                    match self
                        .service
                        .store
                        .append(&user, &name, Arc::from(data), flags, None)
                    {
                        Ok((v, uid)) => {
                            validity = v;
                            uids.push(uid);
                        }
                        Err(_) => {
                            error = Some("[TRYCREATE] no such mailbox");
                            break;
                        }
                    }
                }
                match error {
                    Some(text) => self.tagged(tag, "NO", text),
                    None => {
                        self.updates();
                        if self.fault(Fault::ImapNoAppenduid) || uids.is_empty() {
                            self.tagged(tag, "OK", "APPEND completed");
                        } else {
                            let set = uids
                                .iter()
                                .map(u32::to_string)
                                .collect::<Vec<_>>()
                                .join(",");
                            self.tagged(
                                tag,
                                "OK",
                                &format!("[APPENDUID {validity} {set}] APPEND completed"),
                            );
                        }
                    }
                }
            }
            CommandBody::Idle => {
                if !self.tls && auth_check && !authenticated {
                    self.tagged(tag, "BAD", "log in first");
                } else {
                    self.idle(tag, stream).await?;
                }
            }
            CommandBody::Unknown(unknown) => {
                if self.fault(Fault::ImapUnknownCommandOk) {
                    self.tagged(tag, "OK", "done");
                } else {
                    self.tagged(
                        tag,
                        "BAD",
                        &format!("unknown command {}", unknown.name.to_str_lossy()),
                    );
                }
            }
            body => self.selected_command(tag, body),
        }
        Ok(None)
    }

    /// Checks the credentials of LOGIN (`authenticate` false) or AUTHENTICATE PLAIN.
    fn login(&mut self, tag: &str, user: &str, password: &str, authenticate: bool) {
        let store = &self.service.store;
        // Logins need not be addresses (Dovecot's `%n`, Cyrus): `alice` is alice@DOMAIN.
        let full = format!("{user}@{}", super::DOMAIN);
        let user = if !user.contains('@') && store.has_account(&full) {
            full.as_str()
        } else {
            user
        };
        let any_password = if authenticate {
            self.fault(Fault::ImapAuthenticateAcceptsAnyPassword)
        } else {
            self.fault(Fault::ImapLoginAcceptsAnyPassword)
        };
        let accepted =
            store.authenticate(user, password) || (any_password && store.has_account(user));
        if accepted {
            let before = self.capabilities();
            self.user = Some(user.to_string());
            let caps = if self.fault(Fault::ImapLoginCapabilityStale) {
                before
            } else {
                self.capabilities()
            };
            self.tagged(tag, "OK", &format!("[CAPABILITY {caps}] logged in"));
        } else {
            self.failed_logins += 1;
            self.tagged(tag, "NO", "[AUTHENTICATIONFAILED] invalid credentials");
        }
    }

    /// RFC 9051 §11.7: failed logins are delayed from the third on this connection.
    async fn throttle_failed_logins(&self) {
        if self.failed_logins >= 3 && !self.fault(Fault::ImapNoLoginThrottle) {
            tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
        }
    }

    async fn read_sasl<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> std::io::Result<Option<Vec<u8>>> {
        loop {
            match self.decoder.decode(&self.buffer) {
                Ok(ServerStep::Complete { value, consumed }) => {
                    let result = match value {
                        ClientMessage::SaslResponse(SaslResponse::Data(data)) => {
                            Some(data.as_bytes().to_vec())
                        }
                        _ => None,
                    };
                    self.buffer.drain(..consumed);
                    return Ok(result);
                }
                Ok(ServerStep::Incomplete { .. }) => {
                    if !self.fill(stream).await? {
                        return Ok(None);
                    }
                }
                Ok(ServerStep::Invalid { consumed, .. }) => {
                    self.buffer.drain(..consumed.min(self.buffer.len()));
                    return Ok(None);
                }
                _ => return Ok(None),
            }
        }
    }

    fn with_account<T>(
        &self,
        f: impl FnOnce(&mut super::store::AccountView<'_>) -> T,
    ) -> Result<T, super::store::StoreError> {
        let user = self.user.clone().unwrap_or_default();
        self.service.store.with_account(&user, f)
    }

    fn list(
        &mut self,
        tag: &str,
        reference: &str,
        patterns: &[String],
        options: ListOptions,
        verb: &str,
    ) {
        let subscribed_only = options.subscribed_only;
        if patterns.iter().all(String::is_empty) {
            if self.fault(Fault::ImapListNoDelimiterRoot) {
                self.line(&format!("* {verb} (\\Noselect) NIL \"\""));
            } else {
                self.line(&format!("* {verb} (\\Noselect) \"/\" \"\""));
            }
            self.tagged(tag, "OK", &format!("{verb} completed"));
            return;
        }
        let special =
            !(options.special_use_returned && self.fault(Fault::ImapSpecialUseReturnIgnored));
        let no_inbox = self.fault(Fault::ImapListNoInbox);
        let lines = self
            .with_account(|view| {
                let mut lines = Vec::new();
                for mailbox in view.account().mailboxes.values() {
                    let full = mailbox.name.clone();
                    let matched = patterns
                        .iter()
                        .any(|p| matches_pattern(&format!("{reference}{p}"), &full));
                    if !matched
                        || (subscribed_only && !mailbox.subscribed)
                        || (options.special_use_only && mailbox.special_use.is_none())
                        || (no_inbox && full == "INBOX")
                    {
                        continue;
                    }
                    let mut attributes = Vec::new();
                    let children = view
                        .account()
                        .mailboxes
                        .keys()
                        .any(|k| k.starts_with(&format!("{full}/")));
                    attributes.push(if children {
                        "\\HasChildren"
                    } else {
                        "\\HasNoChildren"
                    });
                    if special && let Some(use_) = mailbox.special_use {
                        attributes.push(use_.attribute());
                    }
                    if subscribed_only && verb == "LIST" {
                        attributes.push("\\Subscribed");
                    }
                    lines.push(format!(
                        "* {verb} ({}) \"/\" {}",
                        attributes.join(" "),
                        mime::string(&full)
                    ));
                }
                lines
            })
            .unwrap_or_default();
        for line in lines {
            self.line(&line);
        }
        self.tagged(tag, "OK", &format!("{verb} completed"));
    }

    fn select(
        &mut self,
        tag: &str,
        name: &str,
        read_only: bool,
        condstore: bool,
        qresync: Option<(u32, u64)>,
    ) {
        self.selected = None;
        if condstore {
            self.condstore = true;
        }
        let mailbox = self
            .with_account(|view| view.mailbox(name).cloned())
            .ok()
            .flatten();
        let mailbox = match mailbox {
            Some(mailbox) => mailbox,
            None if self.fault(Fault::ImapSelectCreates) => {
                let _ = self.with_account(|view| view.create(name));
                match self
                    .with_account(|view| view.mailbox(name).cloned())
                    .ok()
                    .flatten()
                {
                    Some(m) => m,
                    None => {
                        self.tagged(tag, "NO", "[NONEXISTENT] no such mailbox");
                        return;
                    }
                }
            }
            None => {
                self.tagged(tag, "NO", "[NONEXISTENT] no such mailbox");
                return;
            }
        };
        if !self.fault(Fault::ImapSelectNoFlags) {
            self.line("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
        }
        if !self.fault(Fault::ImapSelectNoExists) {
            self.line(&format!("* {} EXISTS", mailbox.messages.len()));
        }
        self.line("* 0 RECENT");
        if !self.fault(Fault::ImapSelectNoUidvalidity) {
            let validity = if self.fault(Fault::ImapUidvalidityChanges) {
                static SELECTS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
                let bump = SELECTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                mailbox.uid_validity.wrapping_add(bump).max(1)
            } else {
                mailbox.uid_validity
            };
            self.line(&format!("* OK [UIDVALIDITY {validity}] UIDs valid"));
        }
        if !self.fault(Fault::ImapSelectNoUidnext) {
            self.line(&format!(
                "* OK [UIDNEXT {}] predicted next UID",
                mailbox.uid_next
            ));
        }
        if !self.fault(Fault::ImapSelectNoPermanentflags) {
            self.line("* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] flags permitted");
        }
        if self.condstore && !self.fault(Fault::ImapNoHighestmodseq) {
            self.line(&format!(
                "* OK [HIGHESTMODSEQ {}] highest",
                mailbox.highest_modseq
            ));
        }
        if !self.fault(Fault::ImapNoObjectid) {
            self.line(&format!(
                "* OK [MAILBOXID ({})] mailbox id",
                mailbox.mailbox_id
            ));
        }
        if let Some((validity, modseq)) = qresync
            && self.qresync
            && validity == mailbox.uid_validity
            && !self.fault(Fault::ImapQresyncNoVanished)
        {
            let vanished: Vec<String> = mailbox
                .expunged
                .iter()
                .filter(|(_, at)| *at > modseq)
                .map(|(uid, _)| uid.to_string())
                .collect();
            if !vanished.is_empty() {
                self.line(&format!("* VANISHED (EARLIER) {}", vanished.join(",")));
            }
        }
        let code = match (
            read_only,
            self.fault(Fault::ImapExamineReadWrite),
            self.fault(Fault::ImapSelectNoReadWrite),
        ) {
            (true, false, _) | (false, _, true) => "READ-ONLY",
            _ => "READ-WRITE",
        };
        self.selected = Some(Selected {
            name: mailbox.name.clone(),
            read_only,
            uids: mailbox.messages.iter().map(|m| m.uid).collect(),
            known: mailbox
                .messages
                .iter()
                .map(|m| (m.uid, (m.flags.clone(), m.modseq)))
                .collect(),
        });
        self.tagged(
            tag,
            "OK",
            &format!(
                "[{code}] {} completed",
                if read_only { "EXAMINE" } else { "SELECT" }
            ),
        );
    }

    /// Reports what changed in the selected mailbox since this session last looked:
    /// EXPUNGE (or VANISHED), EXISTS, and FETCH FLAGS of changed messages.
    fn updates(&mut self) {
        if self.fault(Fault::ImapNoExistsUpdates) {
            return;
        }
        let Some(selected) = self.selected.as_ref() else {
            return;
        };
        let name = selected.name.clone();
        let Some(mailbox) = self
            .with_account(|view| view.mailbox(&name).cloned())
            .ok()
            .flatten()
        else {
            return;
        };
        let mut lines = Vec::new();
        let Some(selected) = self.selected.as_mut() else {
            return;
        };
        let current: BTreeSet<u32> = mailbox.messages.iter().map(|m| m.uid).collect();
        let mut index = selected.uids.len();
        while index > 0 {
            index -= 1;
            let uid = selected.uids.get(index).copied().unwrap_or(0);
            if !current.contains(&uid) {
                selected.uids.remove(index);
                selected.known.remove(&uid);
                lines.push(format!("* {} EXPUNGE", index + 1));
            }
        }
        let before = selected.uids.len();
        for message in &mailbox.messages {
            if !selected.known.contains_key(&message.uid) {
                selected.uids.push(message.uid);
                selected
                    .known
                    .insert(message.uid, (message.flags.clone(), message.modseq));
            }
        }
        if selected.uids.len() != before {
            lines.push(format!("* {} EXISTS", selected.uids.len()));
        }
        for (seq, uid) in selected.uids.iter().enumerate() {
            let Some(message) = mailbox
                .position_of(*uid)
                .and_then(|p| mailbox.messages.get(p))
            else {
                continue;
            };
            if let Some(known) = selected.known.get_mut(uid)
                && known.0 != message.flags
            {
                *known = (message.flags.clone(), message.modseq);
                lines.push(format!(
                    "* {} FETCH (UID {} FLAGS ({}))",
                    seq + 1,
                    uid,
                    message.flags.iter().cloned().collect::<Vec<_>>().join(" ")
                ));
            }
        }
        for line in lines {
            self.line(&line);
        }
    }

    async fn idle<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        tag: &str,
        stream: &mut S,
    ) -> std::io::Result<()> {
        let mut changes = self.service.store.subscribe();
        changes.borrow_and_update();
        self.line("+ idling");
        self.updates();
        self.flush(stream).await?;
        self.decoder.set_state(ServerState::Idle);
        loop {
            match self.decoder.decode(&self.buffer) {
                Ok(ServerStep::Complete { value, consumed }) => {
                    let done = matches!(value, ClientMessage::IdleDone);
                    self.buffer.drain(..consumed);
                    self.decoder.set_state(ServerState::Command);
                    if done && !self.fault(Fault::ImapIdleDoneIgnored) {
                        self.tagged(tag, "OK", "IDLE terminated");
                    } else if !done {
                        self.tagged(tag, "BAD", "expected DONE");
                    }
                    return self.flush(stream).await;
                }
                Ok(ServerStep::Invalid { consumed, .. }) => {
                    self.buffer.drain(..consumed.min(self.buffer.len()));
                    self.decoder.set_state(ServerState::Command);
                    self.tagged(tag, "BAD", "expected DONE");
                    return self.flush(stream).await;
                }
                Err(_) => {
                    self.decoder.set_state(ServerState::Command);
                    self.tagged(tag, "BAD", "expected DONE");
                    return self.flush(stream).await;
                }
                _ => {}
            }
            let mut chunk = [0u8; 4096];
            tokio::select! {
                read = stream.read(&mut chunk) => {
                    let read = read?;
                    if read == 0 {
                        return Ok(());
                    }
                    self.buffer.extend_from_slice(chunk.get(..read).unwrap_or_default());
                }
                changed = changes.changed() => {
                    if changed.is_err() {
                        return Ok(());
                    }
                    if !self.fault(Fault::ImapIdleNeverWakes) {
                        self.updates();
                        self.flush(stream).await?;
                    }
                }
            }
        }
    }

    /// Resolves a sequence set (or UID set) to UIDs present in the session's view.
    fn resolve(&self, set: &SequenceSet<'_>, uid: bool) -> Vec<(usize, u32)> {
        let Some(selected) = self.selected.as_ref() else {
            return Vec::new();
        };
        if uid {
            let largest = selected.uids.last().copied().unwrap_or(0);
            let wanted: BTreeSet<u32> = set.numbers(largest).collect();
            selected
                .uids
                .iter()
                .enumerate()
                .filter(|(_, u)| wanted.contains(u))
                .map(|(i, u)| (i + 1, *u))
                .collect()
        } else {
            let largest = u32::try_from(selected.uids.len()).unwrap_or(u32::MAX);
            let mut numbers: Vec<u32> = set
                .numbers(largest)
                .filter(|n| *n >= 1 && *n <= largest)
                .collect();
            numbers.sort_unstable();
            numbers.dedup();
            numbers
                .into_iter()
                .filter_map(|n| selected.uids.get(n as usize - 1).map(|u| (n as usize, *u)))
                .collect()
        }
    }

    fn selected_command(&mut self, tag: &str, body: CommandBody<'static>) {
        let Some(selected) = self.selected.as_ref() else {
            if self.fault(Fault::ImapNoSelectedCheck) {
                self.tagged(tag, "OK", "nothing selected, nothing done");
            } else {
                self.tagged(tag, "BAD", "no mailbox selected");
            }
            return;
        };
        let name = selected.name.clone();
        let read_only = selected.read_only;
        match body {
            CommandBody::Fetch(fetch) => {
                let targets = self.resolve(&fetch.set, fetch.uid);
                let items = match fetch.items {
                    FetchItems::All => vec![
                        FetchAttribute::Flags,
                        FetchAttribute::InternalDate,
                        FetchAttribute::Rfc822Size,
                        FetchAttribute::Envelope,
                    ],
                    FetchItems::Fast => vec![
                        FetchAttribute::Flags,
                        FetchAttribute::InternalDate,
                        FetchAttribute::Rfc822Size,
                    ],
                    FetchItems::Full => vec![
                        FetchAttribute::Flags,
                        FetchAttribute::InternalDate,
                        FetchAttribute::Rfc822Size,
                        FetchAttribute::Envelope,
                        FetchAttribute::Body,
                    ],
                    FetchItems::Attributes(items) => items,
                };
                let changed_since = fetch.modifiers.iter().find_map(|m| match m {
                    groupwire_imap::command::fetch::FetchModifier::ChangedSince(n) => Some(*n),
                    _ => None,
                });
                for (seq, uid) in targets {
                    let line = self.fetch_one(
                        &name,
                        seq,
                        uid,
                        &items,
                        fetch.uid,
                        read_only,
                        changed_since,
                    );
                    if let Some(line) = line {
                        self.out.extend_from_slice(&line);
                    }
                }
                self.tagged(tag, "OK", "FETCH completed");
            }
            CommandBody::Store(store) => {
                if read_only {
                    self.tagged(tag, "NO", "mailbox is read-only");
                    return;
                }
                let targets = self.resolve(&store.set, store.uid);
                let flags: BTreeSet<String> = if self.fault(Fault::ImapKeywordsDropped) {
                    store
                        .flags
                        .iter()
                        .map(flag_text)
                        .filter(|f| f.starts_with('\\'))
                        .collect()
                } else {
                    store.flags.iter().map(flag_text).collect()
                };
                let action = store.action;
                let ignored = self.fault(Fault::ImapStoreIgnored)
                    || (action == StoreAction::Remove && self.fault(Fault::ImapStoreRemoveIgnored));
                let static_modseq = self.fault(Fault::ImapModseqStatic);
                let mut results = Vec::new();
                let _ = self.with_account(|view| {
                    if let Some(mailbox) = view.mailbox_mut(&name) {
                        for (seq, uid) in &targets {
                            let Some(position) = mailbox.position_of(*uid) else {
                                continue;
                            };
                            if !ignored {
                                if !static_modseq {
                                    mailbox.highest_modseq += 1;
                                }
                                let modseq = mailbox.highest_modseq;
                                if let Some(message) = mailbox.messages.get_mut(position) {
                                    match action {
                                        StoreAction::Replace => message.flags = flags.clone(),
                                        StoreAction::Add => {
                                            message.flags.extend(flags.iter().cloned())
                                        }
                                        StoreAction::Remove => {
                                            message.flags.retain(|f| !flags.contains(f))
                                        }
                                    }
                                    message.modseq = modseq;
                                }
                            }
                            if let Some(message) = mailbox.messages.get(position) {
                                results.push((*seq, *uid, message.flags.clone(), message.modseq));
                            }
                        }
                    }
                });
                let silent = store.silent && !self.fault(Fault::ImapStoreSilentNoisy);
                for (seq, uid, flags, modseq) in results {
                    if let Some(selected) = self.selected.as_mut() {
                        selected.known.insert(uid, (flags.clone(), modseq));
                    }
                    if !silent {
                        let flags = flags.into_iter().collect::<Vec<_>>().join(" ");
                        let uid_part = if store.uid {
                            format!("UID {uid} ")
                        } else {
                            String::new()
                        };
                        let modseq_part = if self.condstore {
                            format!(" MODSEQ ({modseq})")
                        } else {
                            String::new()
                        };
                        self.line(&format!(
                            "* {seq} FETCH ({uid_part}FLAGS ({flags}){modseq_part})"
                        ));
                    }
                }
                self.tagged(tag, "OK", "STORE completed");
            }
            CommandBody::Copy { uid, set, mailbox } | CommandBody::Move { uid, set, mailbox }
                if false =>
            {
                let _ = (uid, set, mailbox);
            }
            CommandBody::Copy { uid, set, mailbox } => {
                self.copy(tag, &name, uid, &set, &mailbox_text(&mailbox), false)
            }
            CommandBody::Move { uid, set, mailbox } => {
                self.copy(tag, &name, uid, &set, &mailbox_text(&mailbox), true)
            }
            CommandBody::Expunge => {
                if read_only {
                    self.tagged(tag, "NO", "mailbox is read-only");
                    return;
                }
                if !self.fault(Fault::ImapExpungeIgnored) {
                    self.expunge(&name, None);
                }
                self.updates();
                self.tagged(tag, "OK", "EXPUNGE completed");
            }
            CommandBody::UidExpunge(set) => {
                let uids: Vec<u32> = if self.fault(Fault::ImapUidExpungeAll) {
                    self.selected
                        .as_ref()
                        .map(|s| s.uids.clone())
                        .unwrap_or_default()
                } else {
                    self.resolve(&set, true)
                        .into_iter()
                        .map(|(_, u)| u)
                        .collect()
                };
                self.expunge(&name, Some(&uids));
                self.updates();
                self.tagged(tag, "OK", "UID EXPUNGE completed");
            }
            CommandBody::Close => {
                if !read_only && !self.fault(Fault::ImapCloseNoExpunge) {
                    self.expunge(&name, None);
                }
                self.selected = None;
                self.tagged(tag, "OK", "CLOSE completed");
            }
            CommandBody::Unselect => {
                if self.fault(Fault::ImapUnselectExpunges) {
                    self.expunge(&name, None);
                }
                self.selected = None;
                self.tagged(tag, "OK", "UNSELECT completed");
            }
            CommandBody::Search(search) => {
                let hits = self.search(&name, &search.criteria, search.uid);
                match search.return_options {
                    Some(options) if !self.fault(Fault::ImapEsearchPlain) => {
                        let names: Vec<String> = options
                            .iter()
                            .map(|o| format!("{o:?}").to_ascii_uppercase())
                            .collect();
                        let mut parts = vec![format!("(TAG \"{tag}\")")];
                        if search.uid {
                            parts.push("UID".to_string());
                        }
                        let want =
                            |n: &str| names.is_empty() || names.iter().any(|x| x.starts_with(n));
                        if want("MIN")
                            && let Some(min) = hits.iter().min()
                        {
                            parts.push(format!("MIN {min}"));
                        }
                        if want("MAX")
                            && let Some(max) = hits.iter().max()
                        {
                            parts.push(format!("MAX {max}"));
                        }
                        if want("COUNT") {
                            parts.push(format!("COUNT {}", hits.len()));
                        }
                        if want("ALL")
                            && !hits.is_empty()
                            && names.iter().any(|x| x.starts_with("ALL"))
                        {
                            parts.push(format!(
                                "ALL {}",
                                hits.iter()
                                    .map(u32::to_string)
                                    .collect::<Vec<_>>()
                                    .join(",")
                            ));
                        }
                        self.line(&format!("* ESEARCH {}", parts.join(" ")));
                    }
                    _ => {
                        let list: Vec<String> = hits.iter().map(u32::to_string).collect();
                        self.line(format!("* SEARCH {}", list.join(" ")).trim_end());
                    }
                }
                self.tagged(tag, "OK", "SEARCH completed");
            }
            CommandBody::Sort(sort) => {
                let mut hits = self.search(&name, &sort.search, sort.uid);
                if !self.fault(Fault::ImapSortUnsorted) {
                    let keys: Vec<(bool, String)> = sort
                        .criteria
                        .iter()
                        .map(|c| (c.reverse, format!("{:?}", c.key).to_ascii_uppercase()))
                        .collect();
                    let mailbox = self
                        .with_account(|view| view.mailbox(&name).cloned())
                        .ok()
                        .flatten();
                    if let Some(mailbox) = mailbox {
                        let selected_uids = self
                            .selected
                            .as_ref()
                            .map(|s| s.uids.clone())
                            .unwrap_or_default();
                        let uid_of = |n: u32| {
                            if sort.uid {
                                n
                            } else {
                                selected_uids.get(n as usize - 1).copied().unwrap_or(0)
                            }
                        };
                        let key_of = |n: u32, key: &str| -> String {
                            let message = mailbox
                                .position_of(uid_of(n))
                                .and_then(|p| mailbox.messages.get(p));
                            let Some(message) = message else {
                                return String::new();
                            };
                            match key {
                                "SUBJECT" => base_subject(&message.raw),
                                "SIZE" => format!("{:020}", message.raw.len()),
                                "FROM" => header_value(&message.raw, "From").to_ascii_lowercase(),
                                _ => format!("{:020}", message.uid),
                            }
                        };
                        hits.sort_by(|a, b| {
                            for (reverse, key) in &keys {
                                let order = key_of(*a, key).cmp(&key_of(*b, key));
                                let order = if *reverse { order.reverse() } else { order };
                                if order != std::cmp::Ordering::Equal {
                                    return order;
                                }
                            }
                            a.cmp(b)
                        });
                    }
                } else {
                    hits.reverse();
                }
                let list: Vec<String> = hits.iter().map(u32::to_string).collect();
                self.line(format!("* SORT {}", list.join(" ")).trim_end());
                self.tagged(tag, "OK", "SORT completed");
            }
            CommandBody::Thread(thread) => {
                let hits = self.search(&name, &thread.search, thread.uid);
                let mailbox = self
                    .with_account(|view| view.mailbox(&name).cloned())
                    .ok()
                    .flatten();
                let selected_uids = self
                    .selected
                    .as_ref()
                    .map(|s| s.uids.clone())
                    .unwrap_or_default();
                let mut groups: Vec<(String, Vec<u32>)> = Vec::new();
                if let Some(mailbox) = mailbox {
                    for n in hits {
                        let uid = if thread.uid {
                            n
                        } else {
                            selected_uids.get(n as usize - 1).copied().unwrap_or(0)
                        };
                        let subject = mailbox
                            .position_of(uid)
                            .and_then(|p| mailbox.messages.get(p))
                            .map(|m| base_subject(&m.raw))
                            .unwrap_or_default();
                        match groups.iter_mut().find(|(s, _)| {
                            *s == subject && !self.service.faults.has(Fault::ImapThreadFlat)
                        }) {
                            Some((_, members)) => members.push(n),
                            None => groups.push((subject, vec![n])),
                        }
                    }
                }
                let mut text = String::from("* THREAD");
                for (_, members) in &groups {
                    text.push_str(" (");
                    let parts: Vec<String> = members.iter().map(u32::to_string).collect();
                    if parts.len() <= 1 {
                        text.push_str(&parts.join(""));
                    } else {
                        // ORDEREDSUBJECT: first message, then the others as its children.
                        let first = parts.first().cloned().unwrap_or_default();
                        let _ = write!(text, "{first} ");
                        let children: Vec<String> =
                            parts.iter().skip(1).map(|p| format!("({p})")).collect();
                        text.push_str(&children.join(""));
                    }
                    text.push(')');
                }
                self.line(&text);
                self.tagged(tag, "OK", "THREAD completed");
            }
            CommandBody::Unknown(unknown) => {
                if self.fault(Fault::ImapUnknownCommandOk) {
                    self.tagged(tag, "OK", "done");
                } else {
                    self.tagged(
                        tag,
                        "BAD",
                        &format!("unknown command {}", unknown.name.to_str_lossy()),
                    );
                }
            }
            _ => self.tagged(tag, "BAD", "command not supported"),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn fetch_one(
        &mut self,
        name: &str,
        seq: usize,
        uid: u32,
        items: &[FetchAttribute<'static>],
        by_uid: bool,
        read_only: bool,
        changed_since: Option<u64>,
    ) -> Option<Vec<u8>> {
        let sets_seen = !read_only
            && items.iter().any(|i| {
                matches!(
                    i,
                    FetchAttribute::BodySection { peek: false, .. }
                        | FetchAttribute::Rfc822
                        | FetchAttribute::Rfc822Text
                )
            })
            && !self.fault(Fault::ImapBodyNoSeen)
            || self.fault(Fault::ImapPeekSetsSeen) && !read_only;
        let message: StoredMessage = self
            .with_account(|view| {
                let mailbox: &mut Mailbox = view.mailbox_mut(name)?;
                let position = mailbox.position_of(uid)?;
                if sets_seen && !mailbox.messages.get(position)?.flags.contains("\\Seen") {
                    mailbox.highest_modseq += 1;
                    let modseq = mailbox.highest_modseq;
                    let message = mailbox.messages.get_mut(position)?;
                    message.flags.insert("\\Seen".to_string());
                    message.modseq = modseq;
                }
                mailbox.messages.get(position).cloned()
            })
            .ok()
            .flatten()?;
        if changed_since.is_some_and(|since| message.modseq <= since) {
            return None;
        }
        if let Some(selected) = self.selected.as_mut() {
            selected
                .known
                .insert(uid, (message.flags.clone(), message.modseq));
        }
        let raw = &message.raw;
        let mut parts: Vec<Vec<u8>> = Vec::new();
        let text = |s: String| s.into_bytes();
        let mut has_uid = false;
        for item in items {
            match item {
                FetchAttribute::Uid => {
                    has_uid = true;
                    let uid = if self.fault(Fault::ImapFetchWrongUid) {
                        uid + 1000
                    } else {
                        uid
                    };
                    parts.push(text(format!("UID {uid}")));
                }
                FetchAttribute::Flags if !self.fault(Fault::ImapFetchNoFlags) => {
                    parts.push(text(format!(
                        "FLAGS ({})",
                        message.flags.iter().cloned().collect::<Vec<_>>().join(" ")
                    )));
                }
                FetchAttribute::InternalDate if !self.fault(Fault::ImapFetchNoInternaldate) => {
                    parts.push(text(format!(
                        "INTERNALDATE \"{}\"",
                        date_time(message.internal_date)
                    )));
                }
                FetchAttribute::Rfc822Size => {
                    let size = raw.len() + usize::from(self.fault(Fault::ImapFetchWrongSize)) * 7;
                    parts.push(text(format!("RFC822.SIZE {size}")));
                }
                FetchAttribute::Envelope => {
                    let envelope = if self.fault(Fault::ImapEnvelopeWrong) {
                        "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)".to_string()
                    } else {
                        mime::envelope(raw)
                    };
                    parts.push(text(format!("ENVELOPE {envelope}")));
                }
                FetchAttribute::BodyStructure | FetchAttribute::Body => {
                    let structure = if self.fault(Fault::ImapBodystructureFlat) {
                        format!(
                            "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" {} 0 NIL NIL NIL NIL)",
                            raw.len()
                        )
                    } else {
                        mime::bodystructure(raw)
                    };
                    let name = if matches!(item, FetchAttribute::Body) {
                        "BODY"
                    } else {
                        "BODYSTRUCTURE"
                    };
                    parts.push(text(format!("{name} {structure}")));
                }
                FetchAttribute::ModSeq => {
                    parts.push(text(format!("MODSEQ ({})", message.modseq)));
                }
                FetchAttribute::EmailId if !self.fault(Fault::ImapNoObjectid) => {
                    parts.push(text(format!("EMAILID ({})", message.email_id)));
                }
                FetchAttribute::ThreadId => parts.push(text("THREADID NIL".to_string())),
                FetchAttribute::Rfc822
                | FetchAttribute::Rfc822Header
                | FetchAttribute::Rfc822Text => {
                    let (label, data) = match item {
                        FetchAttribute::Rfc822 => ("RFC822", raw.to_vec()),
                        FetchAttribute::Rfc822Header => {
                            ("RFC822.HEADER", mime::section(raw, &[], Some("HEADER")))
                        }
                        _ => ("RFC822.TEXT", mime::section(raw, &[], Some("TEXT"))),
                    };
                    let mut part = format!("{label} {{{}}}\r\n", data.len()).into_bytes();
                    part.extend_from_slice(&data);
                    parts.push(part);
                }
                FetchAttribute::BodySection {
                    section, partial, ..
                } => {
                    let numbers: Vec<u32> = section.part.iter().map(|n| n.get()).collect();
                    let (label_text, mut data) = match &section.text {
                        None => (String::new(), mime::section(raw, &numbers, None)),
                        Some(SectionText::Header) => (
                            "HEADER".to_string(),
                            mime::section(raw, &numbers, Some("HEADER")),
                        ),
                        Some(SectionText::Text) => (
                            "TEXT".to_string(),
                            mime::section(raw, &numbers, Some("TEXT")),
                        ),
                        Some(SectionText::Mime) => (
                            "MIME".to_string(),
                            mime::section(raw, &numbers, Some("MIME")),
                        ),
                        Some(SectionText::HeaderFields(names))
                        | Some(SectionText::HeaderFieldsNot(names)) => {
                            let not = matches!(section.text, Some(SectionText::HeaderFieldsNot(_)));
                            let names: Vec<String> = names
                                .iter()
                                .map(|n| n.to_str_lossy().to_ascii_uppercase())
                                .collect();
                            let data = if self.fault(Fault::ImapFetchHeaderFieldsAll) {
                                mime::section(raw, &[], Some("HEADER"))
                            } else {
                                mime::header_fields(raw, &names, not)
                            };
                            (
                                format!(
                                    "HEADER.FIELDS{} ({})",
                                    if not { ".NOT" } else { "" },
                                    names.join(" ")
                                ),
                                data,
                            )
                        }
                    };
                    if numbers.is_empty()
                        && section.text.is_none()
                        && self.fault(Fault::ImapFetchBodyTruncated)
                    {
                        data.truncate(data.len() / 2);
                    }
                    if matches!(section.text, Some(SectionText::Header))
                        && numbers.is_empty()
                        && self.fault(Fault::ImapFetchHeaderWrong)
                    {
                        data = b"X-Nothing: here\r\n\r\n".to_vec();
                    }
                    if matches!(section.text, Some(SectionText::Text))
                        && self.fault(Fault::ImapFetchTextWrong)
                    {
                        data = raw.to_vec();
                    }
                    if !numbers.is_empty() && self.fault(Fault::ImapFetchPartWrong) {
                        data = raw.to_vec();
                    }
                    let mut label = numbers
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(".");
                    if !label_text.is_empty() {
                        if !label.is_empty() {
                            label.push('.');
                        }
                        label.push_str(&label_text);
                    }
                    let origin = match partial {
                        Some((start, length)) => {
                            let start = (*start as usize).min(data.len());
                            let end = (start + length.get() as usize).min(data.len());
                            data = data.get(start..end).unwrap_or_default().to_vec();
                            format!("<{start}>")
                        }
                        None => String::new(),
                    };
                    let mut part =
                        format!("BODY[{label}]{origin} {{{}}}\r\n", data.len()).into_bytes();
                    part.extend_from_slice(&data);
                    parts.push(part);
                }
                _ => {}
            }
        }
        if by_uid && !has_uid {
            parts.insert(0, text(format!("UID {uid}")));
        }
        if sets_seen && !items.iter().any(|i| matches!(i, FetchAttribute::Flags)) {
            parts.push(text(format!(
                "FLAGS ({})",
                message.flags.iter().cloned().collect::<Vec<_>>().join(" ")
            )));
        }
        if self.condstore && !items.iter().any(|i| matches!(i, FetchAttribute::ModSeq)) {
            parts.push(text(format!("MODSEQ ({})", message.modseq)));
        }
        let mut line = format!("* {seq} FETCH (").into_bytes();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                line.push(b' ');
            }
            line.extend_from_slice(part);
        }
        line.extend_from_slice(b")\r\n");
        Some(line)
    }

    fn copy(
        &mut self,
        tag: &str,
        source: &str,
        uid: bool,
        set: &SequenceSet<'_>,
        target: &str,
        is_move: bool,
    ) {
        let targets = self.resolve(set, uid);
        let keep_source = self.fault(Fault::ImapMoveKeepsSource);
        let lost = self.fault(Fault::ImapCopyLost);
        let result = self.with_account(|view| {
            let Some(messages) = view.mailbox(source).map(|m| {
                targets
                    .iter()
                    .filter_map(|(_, u)| m.position_of(*u).and_then(|p| m.messages.get(p)).cloned())
                    .collect::<Vec<StoredMessage>>()
            }) else {
                return Err("[NONEXISTENT] source mailbox vanished");
            };
            if view.mailbox(target).is_none() {
                return Err("[TRYCREATE] no such mailbox");
            }
            let mut pairs = Vec::new();
            let mut validity = 0;
            for message in &messages {
                if lost {
                    continue;
                }
                if let Ok((v, new_uid)) = view.append_with_id(
                    target,
                    Arc::clone(&message.raw),
                    message.flags.clone(),
                    Some(message.internal_date),
                    message.email_id.clone(),
                ) {
                    validity = v;
                    pairs.push((message.uid, new_uid));
                }
            }
            if is_move
                && !keep_source
                && let Some(mailbox) = view.mailbox_mut(source)
            {
                mailbox.highest_modseq += 1;
                let modseq = mailbox.highest_modseq;
                let moved: BTreeSet<u32> = messages.iter().map(|m| m.uid).collect();
                mailbox.messages.retain(|m| !moved.contains(&m.uid));
                mailbox.expunged.extend(moved.iter().map(|u| (*u, modseq)));
            }
            Ok((validity, pairs))
        });
        match result {
            Ok(Ok((validity, pairs))) => {
                let code = if pairs.is_empty() || self.fault(Fault::ImapNoCopyuid) {
                    String::new()
                } else {
                    let from: Vec<String> = pairs.iter().map(|(a, _)| a.to_string()).collect();
                    let to: Vec<String> = pairs.iter().map(|(_, b)| b.to_string()).collect();
                    format!("[COPYUID {validity} {} {}] ", from.join(","), to.join(","))
                };
                if is_move {
                    if !code.is_empty() {
                        self.line(&format!("* OK {}moved", code));
                    }
                    self.updates();
                    self.tagged(tag, "OK", "MOVE completed");
                } else {
                    self.tagged(tag, "OK", &format!("{code}COPY completed"));
                }
            }
            Ok(Err(text)) => self.tagged(tag, "NO", text),
            Err(error) => self.tagged(tag, "NO", &error.to_string()),
        }
    }

    fn expunge(&mut self, name: &str, only: Option<&[u32]>) {
        let _ = self.with_account(|view| {
            if let Some(mailbox) = view.mailbox_mut(name) {
                mailbox.highest_modseq += 1;
                let modseq = mailbox.highest_modseq;
                let mut gone = Vec::new();
                mailbox.messages.retain(|m| {
                    let remove = m.flags.contains("\\Deleted")
                        && only.is_none_or(|uids| uids.contains(&m.uid));
                    if remove {
                        gone.push(m.uid);
                    }
                    !remove
                });
                mailbox
                    .expunged
                    .extend(gone.into_iter().map(|u| (u, modseq)));
            }
        });
    }

    fn search(&self, name: &str, criteria: &[SearchKey<'static>], uid: bool) -> Vec<u32> {
        let Some(mailbox) = self
            .with_account(|view| view.mailbox(name).cloned())
            .ok()
            .flatten()
        else {
            return Vec::new();
        };
        let Some(selected) = self.selected.as_ref() else {
            return Vec::new();
        };
        let mut hits = Vec::new();
        for (index, message_uid) in selected.uids.iter().enumerate() {
            let Some(message) = mailbox
                .position_of(*message_uid)
                .and_then(|p| mailbox.messages.get(p))
            else {
                continue;
            };
            let seq = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let context = SearchContext {
                seq,
                largest_seq: u32::try_from(selected.uids.len()).unwrap_or(u32::MAX),
                largest_uid: selected.uids.last().copied().unwrap_or(0),
                faults: &self.service.faults,
            };
            if criteria.iter().all(|key| context.matches(key, message)) {
                let number = if uid && !self.fault(Fault::ImapUidSearchReturnsSeq) {
                    *message_uid
                } else {
                    seq
                };
                hits.push(number);
            }
        }
        if self.fault(Fault::ImapSearchEmpty) {
            hits.clear();
        }
        hits
    }
}

struct SearchContext<'f> {
    seq: u32,
    largest_seq: u32,
    largest_uid: u32,
    faults: &'f Faults,
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// The unfolded value of the first header field `name`.
fn header_value(raw: &[u8], name: &str) -> String {
    let header = mime::header_fields(raw, &[name.to_string()], false);
    let text = String::from_utf8_lossy(&header).into_owned();
    text.split_once(':')
        .map(|(_, v)| v.replace("\r\n", "").trim().to_string())
        .unwrap_or_default()
}

/// The base subject of RFC 5256 §2.1, simplified: leading `Re:`/`Fwd:` and `[tags]` removed.
fn base_subject(raw: &[u8]) -> String {
    let mut subject = header_value(raw, "Subject").to_lowercase();
    loop {
        let trimmed = subject.trim_start();
        let next = ["re:", "fwd:", "fw:"]
            .iter()
            .find_map(|p| trimmed.strip_prefix(p))
            .map(str::to_string);
        match next {
            Some(rest) => subject = rest,
            None => return trimmed.trim_end().to_string(),
        }
    }
}

impl SearchContext<'_> {
    fn matches(&self, key: &SearchKey<'static>, message: &StoredMessage) -> bool {
        let ignore_flags = self.faults.has(Fault::ImapSearchIgnoresFlags);
        let ignore_headers = self.faults.has(Fault::ImapSearchIgnoresHeaders);
        let flag = |name: &str| ignore_flags || message.flags.contains(name);
        let no_flag = |name: &str| ignore_flags || !message.flags.contains(name);
        let header = |name: &str, value: &str| {
            ignore_headers || contains_ci(&header_value(&message.raw, name), value)
        };
        match key {
            SearchKey::All => true,
            SearchKey::Answered => flag("\\Answered"),
            SearchKey::Deleted => flag("\\Deleted"),
            SearchKey::Draft => flag("\\Draft"),
            SearchKey::Flagged => flag("\\Flagged"),
            SearchKey::Seen => flag("\\Seen"),
            SearchKey::Unanswered => no_flag("\\Answered"),
            SearchKey::Undeleted => no_flag("\\Deleted"),
            SearchKey::Undraft => no_flag("\\Draft"),
            SearchKey::Unflagged => no_flag("\\Flagged"),
            SearchKey::Unseen => no_flag("\\Seen"),
            SearchKey::New | SearchKey::Recent => false,
            SearchKey::Old => true,
            SearchKey::Keyword(atom) => flag(atom.as_str()),
            SearchKey::Unkeyword(atom) => no_flag(atom.as_str()),
            SearchKey::Subject(value) => header("Subject", &value.to_str_lossy()),
            SearchKey::From(value) => header("From", &value.to_str_lossy()),
            SearchKey::To(value) => header("To", &value.to_str_lossy()),
            SearchKey::Cc(value) => header("Cc", &value.to_str_lossy()),
            SearchKey::Bcc(value) => header("Bcc", &value.to_str_lossy()),
            SearchKey::Header(name, value) => header(&name.to_str_lossy(), &value.to_str_lossy()),
            SearchKey::Body(value) => contains_ci(
                &String::from_utf8_lossy(&mime::section(&message.raw, &[], Some("TEXT"))),
                &value.to_str_lossy(),
            ),
            SearchKey::Text(value) => contains_ci(
                &String::from_utf8_lossy(&message.raw),
                &value.to_str_lossy(),
            ),
            SearchKey::Larger(n) => message.raw.len() as u64 > *n,
            SearchKey::Smaller(n) => (message.raw.len() as u64) < *n,
            SearchKey::Uid(set) => set.numbers(self.largest_uid).any(|u| u == message.uid),
            SearchKey::SequenceSet(set) => set.numbers(self.largest_seq).any(|s| s == self.seq),
            SearchKey::Not(inner) => !self.matches(inner, message),
            SearchKey::Or(a, b) => self.matches(a, message) || self.matches(b, message),
            SearchKey::And(keys) => keys.iter().all(|k| self.matches(k, message)),
            SearchKey::ModSeq { .. } => true,
            SearchKey::EmailId(id) => id.as_str() == message.email_id,
            _ => true,
        }
    }
}

/// Whether LIST `pattern` (with `*` and `%`) matches `name`.
pub fn matches_pattern(pattern: &str, name: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some((b'*', rest)) => (0..=n.len()).any(|i| go(rest, n.get(i..).unwrap_or_default())),
            Some((b'%', rest)) => (0..=n.len())
                .take_while(|&i| i == 0 || n.get(i - 1) != Some(&b'/'))
                .any(|i| go(rest, n.get(i..).unwrap_or_default())),
            Some((c, rest)) => n.first() == Some(c) && go(rest, n.get(1..).unwrap_or_default()),
        }
    }
    if pattern.eq_ignore_ascii_case("INBOX") && name == "INBOX" {
        return true;
    }
    go(pattern.as_bytes(), name.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_patterns() {
        assert!(matches_pattern("*", "INBOX"));
        assert!(matches_pattern("*", "a/b"));
        assert!(matches_pattern("%", "Sent"));
        assert!(!matches_pattern("%", "a/b"));
        assert!(matches_pattern("a/%", "a/b"));
        assert!(matches_pattern("inbox", "INBOX"));
        assert!(!matches_pattern("Se", "Sent"));
    }
}
