//! The reference IMAP server (RFC 9051 with IMAP4rev1 compatibility), on `groupwire-imap`:
//! every client message is decoded by its server-role `CommandDecoder` (synchronising
//! literals answered with `+`, AUTHENTICATE lines, IDLE's DONE). Responses are written as
//! protocol text; the harness's checks decode every one of them with the codec's client-role
//! decoder, so a malformed response fails the suite.
//!
//! Listens in two modes: STARTTLS (the role of port 143, LOGINDISABLED before TLS) and
//! implicit TLS (993). Every [`Fault`] starting with `imap-` is a deviation implemented here.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use groupwire_imap::IntoOwned;
use groupwire_imap::command::auth::SaslResponse;
use groupwire_imap::command::fetch::{FetchAttributeName, FetchItems, SectionText};
use groupwire_imap::command::mailbox::StatusItemName;
use groupwire_imap::command::search::SearchKey;
use groupwire_imap::command::sort::SortKey;
use groupwire_imap::command::store::StoreAction;
use groupwire_imap::command::{Command, CommandBody};
use groupwire_imap::core::{Flag, Mailbox as MailboxName, SequenceSet};
use groupwire_imap::response::Data;
use groupwire_imap::response::code::Code;
use groupwire_imap::stream::server::{ClientMessage, CommandDecoder, ServerState, ServerStep};
use groupwire_imap::{Encode, Limits};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::faults::{Fault, Faults};
use super::message_keys;
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
    /// Connection cap, timeouts and buffer accounting shared with the other listeners.
    pub guard: Arc<super::Guard>,
}

/// Serves IMAP on `listener` until the task is aborted; `implicit_tls` for the 993 role.
pub async fn serve(listener: TcpListener, service: Arc<ImapService>, implicit_tls: bool) {
    let guard = Arc::clone(&service.guard);
    super::serve_connections(listener, guard, move |socket, slot| {
        let service = Arc::clone(&service);
        async move {
            match slot {
                Some(slot) => {
                    let _ = handle(socket, service, implicit_tls, slot).await;
                }
                None => refuse(socket, &service, implicit_tls).await,
            }
        }
    })
    .await
}

/// The answer past the connection cap: `* BYE` (over TLS on the implicit-TLS port, the
/// handshake bounded by a few seconds), then close.
async fn refuse(socket: TcpStream, service: &ImapService, implicit_tls: bool) {
    const BYE: &[u8] = b"* BYE [UNAVAILABLE] too many connections, try again later\r\n";
    let within = Duration::from_secs(3);
    if implicit_tls {
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(&service.tls));
        if let Ok(Ok(mut stream)) = tokio::time::timeout(within, acceptor.accept(socket)).await {
            let _ = tokio::time::timeout(within, async {
                stream.write_all(BYE).await?;
                stream.shutdown().await
            })
            .await;
        }
    } else {
        let mut socket = socket;
        let _ = tokio::time::timeout(within, socket.write_all(BYE)).await;
    }
}

async fn handle(
    socket: TcpStream,
    service: Arc<ImapService>,
    implicit_tls: bool,
    slot: super::Slot,
) -> std::io::Result<()> {
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(&service.tls));
    let mut session = Session::new(service, slot);
    session.implicit = implicit_tls;
    if implicit_tls && session.fault(Fault::ImapImplicitTlsPlaintext) {
        let mut socket = socket;
        session.greet(&mut socket).await?;
        session.run(&mut socket).await?;
        return session.goodbye(&mut socket).await;
    }
    if implicit_tls {
        let Some(mut stream) = super::security::accept_by(
            session.deadline,
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
        if !session.fault(Fault::ImapStarttlsKeepsBuffer) {
            session.buffer.clear();
        }
        let Some(mut stream) = super::security::accept_by(
            session.deadline,
            &acceptor,
            socket,
            &session.service.faults,
        )
        .await?
        else {
            return Ok(());
        };
        session.tls = true;
        session.run(&mut stream).await?;
        return session.goodbye(&mut stream).await;
    }
    session.goodbye(&mut socket).await
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
    /// `RECURSIVEMATCH` selection (RFC 5258 §3.1): parents of matching children, with
    /// CHILDINFO.
    recursive_match: bool,
    /// `RETURN (SUBSCRIBED)`.
    subscribed_returned: bool,
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
    /// The UIDs that are `\Recent` in this session (RFC 3501 §2.3.2).
    recent: BTreeSet<u32>,
    /// The keywords the last FLAGS response announced.
    keywords: BTreeSet<String>,
}

struct Session {
    service: Arc<ImapService>,
    /// This connection's place under the connection cap and its buffer accounting.
    slot: super::Slot,
    /// When the session ends unless a command completes first: the pre-authentication timer
    /// (from the connect), then the autologout timer (from the last command).
    deadline: tokio::time::Instant,
    /// Why the server is ending the session (sent as `* BYE` when the stream allows).
    ending: Option<String>,
    /// The last SASL response line was not base64 (not a `*` cancel).
    sasl_invalid: bool,
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

/// A LIST/LSUB pattern as a UTF-8 name pattern: modified UTF-7 decoded (RFC 3501 §5.1.3),
/// or, with `raw` (fault `imap-mailbox-names-utf8`), taken as it is.
fn pattern_text(pattern: &str, raw: bool) -> String {
    if raw {
        return pattern.to_string();
    }
    groupwire_imap::core::utf7::decode(pattern.as_bytes()).unwrap_or_else(|_| pattern.to_string())
}

/// A mailbox name as it goes on the wire: modified UTF-7 (RFC 3501 §5.1.3), quoted; raw
/// UTF-8 with `utf8` (fault `imap-mailbox-names-utf8`).
fn wire_name(name: &str, utf8: bool) -> String {
    if utf8 {
        mime::string(name)
    } else {
        mime::string(&groupwire_imap::core::utf7::encode(name))
    }
}

/// A message's flags for FLAGS, `\Recent` added when it is recent in the session.
fn flags_text(flags: &BTreeSet<String>, recent: bool) -> String {
    let mut list: Vec<&str> = flags.iter().map(String::as_str).collect();
    if recent {
        list.push("\\Recent");
    }
    list.join(" ")
}

fn date_time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .format("%d-%b-%Y %H:%M:%S +0000")
        .to_string()
}

/// A stored flag as a codec [`Flag`] (`None` for text no flag can carry).
fn flag_of(text: &str) -> Option<Flag<'static>> {
    use groupwire_imap::core::Atom;
    let flag = match text.strip_prefix('\\') {
        Some(name) => match name.to_ascii_lowercase().as_str() {
            "answered" => Flag::Answered,
            "flagged" => Flag::Flagged,
            "deleted" => Flag::Deleted,
            "seen" => Flag::Seen,
            "draft" => Flag::Draft,
            "recent" => Flag::Recent,
            "*" => Flag::Wildcard,
            _ => Flag::Extension(Atom::new(name.to_string())?),
        },
        None => Flag::Keyword(Atom::new(text.to_string())?),
    };
    Some(flag)
}

/// The system flags every mailbox has.
const SYSTEM_FLAGS: [&str; 5] = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"];

/// The system flags and `keywords` as codec flags, `\*` added when `wildcard`.
fn flag_list<'k>(
    keywords: impl IntoIterator<Item = &'k String>,
    wildcard: bool,
) -> Vec<Flag<'static>> {
    let mut flags: Vec<Flag<'static>> = SYSTEM_FLAGS.iter().filter_map(|f| flag_of(f)).collect();
    flags.extend(keywords.into_iter().filter_map(|k| flag_of(k)));
    if wildcard {
        flags.push(Flag::Wildcard);
    }
    flags
}

/// `* n FETCH ([UID u] FLAGS (...) [MODSEQ (m)])`, encoded by the codec; `\Recent` added
/// when the message is recent in the session.
fn flags_fetch(
    seq: usize,
    uid: Option<u32>,
    flags: &BTreeSet<String>,
    recent: bool,
    modseq: Option<u64>,
) -> Vec<u8> {
    use groupwire_imap::response::fetch::{Fetch, FetchAttribute as Item};
    let Some(seq) = u32::try_from(seq).ok().and_then(std::num::NonZeroU32::new) else {
        return Vec::new();
    };
    let mut attributes = Vec::new();
    if let Some(uid) = uid.and_then(std::num::NonZeroU32::new) {
        attributes.push(Item::Uid(uid));
    }
    let mut list: Vec<Flag<'static>> = flags.iter().filter_map(|f| flag_of(f)).collect();
    if recent {
        list.push(Flag::Recent);
    }
    attributes.push(Item::Flags(list));
    if let Some(modseq) = modseq {
        attributes.push(Item::ModSeq(modseq));
    }
    Data::Fetch(Fetch { seq, attributes }).to_bytes()
}

/// `* OK [code] text`, encoded by the codec.
fn untagged_ok(code: groupwire_imap::response::code::Code<'static>, text: &str) -> Vec<u8> {
    use groupwire_imap::response::status::{ResponseText, Status, StatusResponse};
    groupwire_imap::response::Response::Status(StatusResponse {
        tag: None,
        status: Status::Ok,
        text: ResponseText {
            code: Some(code),
            text: groupwire_imap::core::ByteStr::from(text.to_string()),
        },
    })
    .to_bytes()
}

/// Seconds since the epoch of an IMAP date-time (APPEND's internal date).
fn date_time_seconds(value: &groupwire_imap::core::DateTime) -> Option<i64> {
    let date = chrono::NaiveDate::from_ymd_opt(
        i32::from(value.date.year),
        u32::from(value.date.month),
        u32::from(value.date.day),
    )?;
    let time = date.and_hms_opt(
        u32::from(value.hour),
        u32::from(value.minute),
        u32::from(value.second.min(59)),
    )?;
    Some(time.and_utc().timestamp() - i64::from(value.zone_minutes) * 60)
}

/// The day of `seconds` in the server's time zone (UTC), for BEFORE/ON/SINCE.
fn internal_day(seconds: i64) -> (u16, u8, u8) {
    use chrono::Datelike;
    let date = chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .date_naive();
    (
        u16::try_from(date.year()).unwrap_or(0),
        u8::try_from(date.month()).unwrap_or(0),
        u8::try_from(date.day()).unwrap_or(0),
    )
}

/// The sequence set covering `numbers` (sorted ascending), compacted into ranges.
fn compact_set(numbers: &[u32]) -> Option<SequenceSet<'static>> {
    use groupwire_imap::core::{SeqNumber, SeqRange};
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for &n in numbers {
        match ranges.last_mut() {
            Some((_, end)) if *end + 1 == n => *end = n,
            _ => ranges.push((n, n)),
        }
    }
    SequenceSet::from_ranges(ranges.into_iter().filter_map(|(a, b)| {
        Some(SeqRange {
            start: SeqNumber::Value(std::num::NonZeroU32::new(a)?),
            end: SeqNumber::Value(std::num::NonZeroU32::new(b)?),
        })
    }))
}

impl Session {
    fn new(service: Arc<ImapService>, slot: super::Slot) -> Session {
        let limits = slot.limits();
        let decoder = CommandDecoder::new(Limits::default())
            .with_max_non_sync_literal(Some(limits.preauth_literal));
        let deadline = tokio::time::Instant::now() + limits.preauth_timeout;
        Session {
            service,
            slot,
            deadline,
            ending: None,
            sasl_invalid: false,
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

    /// Whether `uid` is `\Recent` in this session's selected mailbox.
    fn is_recent(&self, uid: u32) -> bool {
        self.selected
            .as_ref()
            .is_some_and(|s| s.recent.contains(&uid))
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
            if self.tls {
                caps.extend(["AUTH=SCRAM-SHA-256", "AUTH=OAUTHBEARER"]);
            }
            caps.push("SASL-IR");
        }
        if plaintext && self.user.is_none() && self.fault(Fault::OauthBeforeTls) {
            caps.push("AUTH=OAUTHBEARER");
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

    /// Reads more input; `false` at end of stream, when the session's timer ran out or its
    /// buffer would exceed its limit (`ending` then says why).
    async fn fill<S: AsyncRead + Unpin>(&mut self, stream: &mut S) -> std::io::Result<bool> {
        if self.ending.is_some() {
            return Ok(false);
        }
        let mut chunk = [0u8; 16 * 1024];
        let read = match tokio::time::timeout_at(self.deadline, stream.read(&mut chunk)).await {
            Ok(read) => read?,
            Err(_) => {
                self.ending = Some(self.timer_expired());
                return Ok(false);
            }
        };
        self.buffer
            .extend_from_slice(chunk.get(..read).unwrap_or_default());
        self.account()?;
        Ok(read > 0 && self.ending.is_none())
    }

    /// Accounts the input buffer; over its limit, the session ends.
    fn account(&mut self) -> std::io::Result<()> {
        if let Err(over) = self.slot.account(self.buffer.len(), self.user.is_some()) {
            self.ending = Some(format!("[ALERT] {over}"));
            self.buffer.clear();
        }
        Ok(())
    }

    fn timer_expired(&self) -> String {
        if self.user.is_some() {
            "autologout: idle for too long".to_string()
        } else {
            "[UNAVAILABLE] not authenticated in time".to_string()
        }
    }

    /// After the command loop: the `* BYE` saying why the server ends the session, if it does.
    async fn goodbye<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> std::io::Result<()> {
        if let Some(reason) = self.ending.take() {
            let bye = format!("* BYE {reason}\r\n");
            super::say_goodbye(stream, bye.as_bytes()).await;
        }
        Ok(())
    }

    /// After a command: an authenticated session's autologout timer restarts (RFC 9051 §5.4)
    /// and its literals may be as large as APPENDLIMIT.
    fn command_done(&mut self) {
        if self.user.is_some() {
            let limits = self.slot.limits();
            self.deadline = tokio::time::Instant::now() + limits.autologout;
            let bound = (!self.fault(Fault::ImapAppendlimitIgnored)).then_some(APPEND_LIMIT);
            if self.decoder.max_non_sync_literal() != bound {
                self.decoder = self.decoder.clone().with_max_non_sync_literal(bound);
            }
        }
    }

    /// A literal over the bounds was announced (the decoder read none of its data): before
    /// authentication a `{n+}` literal ends the session (`* BYE`, RFC 7888 §4 choice 2);
    /// otherwise the command gets `NO [TOOBIG]` at once and the decoder discards a `{n+}`
    /// literal's bytes as they arrive, never buffering them (choice 1). `false` when the
    /// session ends.
    fn refuse_literal(&mut self, tag: &str, size: u64, synchronizing: bool) -> bool {
        let preauth = self.slot.limits().preauth_literal;
        if self.user.is_none() && !synchronizing {
            self.ending = Some(format!(
                "[TOOBIG] a literal of {size} octets before authentication (at most {preauth})"
            ));
            return false;
        }
        let drop = self.decoder.reject_literal();
        self.buffer.drain(..drop.min(self.buffer.len()));
        if self.user.is_none() {
            self.line(&format!(
                "{tag} NO [TOOBIG] literal too large before authentication (at most {preauth} octets)"
            ));
        } else {
            self.line(&format!("{tag} NO [TOOBIG] message exceeds APPENDLIMIT"));
        }
        true
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
                Ok(ServerStep::NeedsContinuation { size, command, .. }) => {
                    let tag = command
                        .tag
                        .map(|t| t.to_str_lossy().into_owned())
                        .unwrap_or_else(|| "*".to_string());
                    let preauth = self.user.is_none() && size > self.slot.limits().preauth_literal;
                    let over_appendlimit =
                        size > APPEND_LIMIT && !self.fault(Fault::ImapAppendlimitIgnored);
                    if preauth || over_appendlimit {
                        self.refuse_literal(&tag, size, true);
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
                Ok(ServerStep::LiteralTooLarge {
                    size,
                    synchronizing,
                    command,
                    ..
                }) => {
                    let tag = command
                        .tag
                        .map(|t| t.to_str_lossy().into_owned())
                        .unwrap_or_else(|| "*".to_string());
                    if !self.refuse_literal(&tag, size, synchronizing) {
                        return Ok(Next::Close);
                    }
                    self.flush(stream).await?;
                    continue;
                }
                Ok(ServerStep::Skipped { consumed }) => {
                    self.buffer.drain(..consumed.min(self.buffer.len()));
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
                    self.command_done();
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
                let hidden_oauth =
                    mechanism == "OAUTHBEARER" && self.fault(Fault::OauthHiddenBeforeTls);
                if !self.tls
                    && !self.fault(Fault::ImapLoginInPlaintext)
                    && !self.fault(Fault::ImapAuthenticateInPlaintext)
                    && !hidden_oauth
                {
                    self.tagged(
                        tag,
                        "NO",
                        "[PRIVACYREQUIRED] authentication is disabled before STARTTLS",
                    );
                } else if authenticated {
                    self.tagged(tag, "BAD", "already authenticated");
                } else if super::sasl::MECHANISMS.contains(&mechanism.as_str())
                    && (self.tls || hidden_oauth)
                {
                    let initial = auth.initial_response.map(|data| match data {
                        groupwire_imap::command::auth::SaslData::Empty => Vec::new(),
                        groupwire_imap::command::auth::SaslData::Base64(text) => {
                            text.as_bytes().to_vec()
                        }
                    });
                    self.authenticate_sasl(tag, &mechanism, initial, stream)
                        .await?;
                    self.throttle_failed_logins().await;
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
                        None if std::mem::take(&mut self.sasl_invalid) => self.tagged(
                            tag,
                            "BAD",
                            "the AUTHENTICATE response is not base64 (RFC 9051 §6.2.2)",
                        ),
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
                            self.enable_condstore();
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
                let mut name = mailbox_text(&create.mailbox);
                // A trailing hierarchy separator only declares the intent to create names
                // below (RFC 9051 §6.3.4): the mailbox is created without it.
                if !self.fault(Fault::ImapCreateKeepsSeparator) {
                    while name.len() > 1 && name.ends_with('/') {
                        name.pop();
                    }
                }
                let result = if self.fault(Fault::ImapCreateIgnored) {
                    Ok(())
                } else {
                    self.with_account(|view| {
                        // The superior names the new one needs are created too (RFC 3501
                        // §6.3.3: the server SHOULD create them).
                        let mut at = 0;
                        while let Some(slash) = name.get(at + 1..).and_then(|r| r.find('/')) {
                            let superior = name.get(..at + 1 + slash).unwrap_or_default();
                            if superior.len() + 1 < name.len() && view.mailbox(superior).is_none() {
                                let _ = view.create(superior);
                            }
                            at += slash + 1;
                        }
                        view.create(&name)
                    })
                    .and_then(|r| r)
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
                let utf8_names = self.fault(Fault::ImapMailboxNamesUtf8);
                let patterns: Vec<String> = list
                    .patterns
                    .iter()
                    .map(|p| pattern_text(&p.0.to_str_lossy(), utf8_names))
                    .collect();
                use groupwire_imap::command::list::{ListReturnOption, ListSelectOption};
                let selected = |option: ListSelectOption<'static>| {
                    list.selection.as_ref().is_some_and(|s| s.contains(&option))
                };
                let returned = |option: ListReturnOption<'static>| {
                    list.return_options
                        .as_ref()
                        .is_some_and(|r| r.contains(&option))
                };
                let selection = list.selection.as_deref().unwrap_or_default();
                // Unknown options, selection or return, are BAD (RFC 5258 §3).
                let unknown = selection
                    .iter()
                    .any(|o| matches!(o, ListSelectOption::Other(_)))
                    || list
                        .return_options
                        .as_deref()
                        .unwrap_or_default()
                        .iter()
                        .any(|o| matches!(o, ListReturnOption::Other(_)));
                // RECURSIVEMATCH alone (or with REMOTE only) is BAD (RFC 5258 §3.1).
                let lone_recursive = selected(ListSelectOption::RecursiveMatch)
                    && selection.iter().all(|o| {
                        matches!(
                            o,
                            ListSelectOption::RecursiveMatch | ListSelectOption::Remote
                        )
                    });
                if (unknown || lone_recursive) && !self.fault(Fault::ImapListSelectionLenient) {
                    self.tagged(
                        tag,
                        "BAD",
                        if unknown {
                            "unknown LIST option"
                        } else {
                            "RECURSIVEMATCH needs another selection option"
                        },
                    );
                    return Ok(None);
                }
                let options = ListOptions {
                    subscribed_only: selected(ListSelectOption::Subscribed),
                    special_use_only: selected(ListSelectOption::SpecialUse),
                    special_use_returned: returned(ListReturnOption::SpecialUse),
                    recursive_match: selected(ListSelectOption::RecursiveMatch),
                    subscribed_returned: returned(ListReturnOption::Subscribed),
                };
                self.list(tag, &reference, &patterns, options, "LIST");
            }
            CommandBody::Lsub { reference, pattern } => {
                let reference = mailbox_text(&reference);
                let pattern = pattern_text(
                    &pattern.0.to_str_lossy(),
                    self.fault(Fault::ImapMailboxNamesUtf8),
                );
                let options = ListOptions {
                    subscribed_only: true,
                    ..ListOptions::default()
                };
                self.list(tag, &reference, &[pattern], options, "LSUB");
            }
            CommandBody::Status(status) => {
                let name = mailbox_text(&status.mailbox);
                let items: Vec<StatusItemName<'static>> = status
                    .items
                    .into_iter()
                    .map(IntoOwned::into_owned)
                    .collect();
                let wrong = self.fault(Fault::ImapStatusWrongCount);
                let utf8_names = self.fault(Fault::ImapMailboxNamesUtf8);
                let recent_never = self.fault(Fault::ImapRecentNever);
                if items.contains(&StatusItemName::HighestModSeq) {
                    self.enable_condstore();
                }
                let line = self.with_account(|view| {
                    view.mailbox(&name).map(|mailbox| {
                        let mut parts = Vec::new();
                        for item in &items {
                            match item {
                                StatusItemName::Messages => parts.push(format!(
                                    "MESSAGES {}",
                                    mailbox.messages.len() + usize::from(wrong)
                                )),
                                StatusItemName::UidNext => {
                                    parts.push(format!("UIDNEXT {}", mailbox.uid_next))
                                }
                                StatusItemName::UidValidity => {
                                    parts.push(format!("UIDVALIDITY {}", mailbox.uid_validity))
                                }
                                StatusItemName::Unseen => {
                                    parts.push(format!("UNSEEN {}", mailbox.unseen()))
                                }
                                StatusItemName::Recent => parts.push(format!(
                                    "RECENT {}",
                                    if recent_never {
                                        0
                                    } else {
                                        mailbox
                                            .messages
                                            .iter()
                                            .filter(|m| m.uid > mailbox.recent_claimed)
                                            .count()
                                    }
                                )),
                                StatusItemName::Deleted => parts.push(format!(
                                    "DELETED {}",
                                    mailbox
                                        .messages
                                        .iter()
                                        .filter(|m| m.flags.contains("\\Deleted"))
                                        .count()
                                )),
                                StatusItemName::Size => {
                                    parts.push(format!("SIZE {}", mailbox.size()))
                                }
                                StatusItemName::HighestModSeq => {
                                    parts.push(format!("HIGHESTMODSEQ {}", mailbox.highest_modseq))
                                }
                                StatusItemName::AppendLimit => {
                                    parts.push(format!("APPENDLIMIT {APPEND_LIMIT}"))
                                }
                                StatusItemName::MailboxId => {
                                    parts.push(format!("MAILBOXID ({})", mailbox.mailbox_id))
                                }
                                _ => {}
                            }
                        }
                        format!(
                            "* STATUS {} ({})",
                            wire_name(&mailbox.name, utf8_names),
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
                    let date = message
                        .date
                        .as_ref()
                        .and_then(date_time_seconds)
                        .filter(|_| !self.fault(Fault::ImapAppendDateIgnored));
                    match self
                        .service
                        .store
                        .append(&user, &name, Arc::from(data), flags, date)
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
            self.accept(tag, user);
        } else {
            self.failed_logins += 1;
            self.tagged(tag, "NO", "[AUTHENTICATIONFAILED] invalid credentials");
        }
    }

    /// Logs `user` in and completes `tag` with the new capabilities.
    fn accept(&mut self, tag: &str, user: &str) {
        {
            let before = self.capabilities();
            self.user = Some(user.to_string());
            let caps = if self.fault(Fault::ImapLoginCapabilityStale) {
                before
            } else {
                self.capabilities()
            };
            self.tagged(tag, "OK", &format!("[CAPABILITY {caps}] logged in"));
        }
    }

    /// Sends a `+ base64` challenge and reads the client's answer, decoded; `None` when the
    /// client cancels (or sends what is not base64).
    async fn sasl_round<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
        challenge: &[u8],
    ) -> std::io::Result<Option<Vec<u8>>> {
        use base64::Engine;
        let engine = base64::engine::general_purpose::STANDARD;
        self.line(&format!("+ {}", engine.encode(challenge)));
        self.flush(stream).await?;
        self.decoder.set_state(ServerState::Authenticate);
        let response = self.read_sasl(stream).await?;
        self.decoder.finish_authentication();
        self.sasl_invalid = false;
        Ok(response.and_then(|data| engine.decode(data.trim_ascii()).ok()))
    }

    /// AUTHENTICATE SCRAM-SHA-256 and OAUTHBEARER (over TLS), with `initial` the SASL-IR
    /// initial response (base64) if any.
    async fn authenticate_sasl<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        tag: &str,
        mechanism: &str,
        initial: Option<Vec<u8>>,
        stream: &mut S,
    ) -> std::io::Result<()> {
        use base64::Engine;
        let engine = base64::engine::general_purpose::STANDARD;
        let first = match initial {
            Some(data) => engine.decode(data.trim_ascii()).ok(),
            None => self.sasl_round(stream, b"").await?,
        };
        let Some(first) = first else {
            self.tagged(tag, "BAD", "authentication cancelled");
            return Ok(());
        };
        let store = Arc::clone(&self.service.store);
        let faults = self.service.faults.clone();
        if mechanism == "OAUTHBEARER" {
            match super::sasl::oauth_user(&store, &first, &faults) {
                Some(user) => self.accept(tag, &user),
                None => {
                    self.failed_logins += 1;
                    if !faults.has(Fault::OauthNoErrorResult) {
                        // RFC 7628 §3.2.2: the error result, then failure whatever the client
                        // answers (%x01 or `*`).
                        let _ = self
                            .sasl_round(stream, &crate::sasl::oauthbearer::error_result())
                            .await?;
                    }
                    self.tagged(tag, "NO", "[AUTHENTICATIONFAILED] invalid token");
                }
            }
            return Ok(());
        }
        let (server, server_first) = match super::sasl::scram_start(&store, &first) {
            Ok(started) => started,
            Err(_) => {
                self.failed_logins += 1;
                self.tagged(tag, "NO", "[AUTHENTICATIONFAILED] invalid credentials");
                return Ok(());
            }
        };
        let Some(client_final) = self.sasl_round(stream, server_first.as_bytes()).await? else {
            self.tagged(tag, "BAD", "authentication cancelled");
            return Ok(());
        };
        match super::sasl::scram_finish(&server, &client_final, &faults) {
            Ok(server_final) => {
                // The client answers the server-final message with an empty line, or `*`
                // when the signature does not verify.
                match self.sasl_round(stream, server_final.as_bytes()).await? {
                    Some(_) => {
                        let user = super::sasl::resolve_user(&store, server.user());
                        self.accept(tag, &user);
                    }
                    None => self.tagged(tag, "BAD", "authentication cancelled"),
                }
            }
            Err(_) => {
                self.failed_logins += 1;
                self.tagged(tag, "NO", "[AUTHENTICATIONFAILED] invalid credentials");
            }
        }
        Ok(())
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
                    self.sasl_invalid = true;
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
        let utf8_names = self.fault(Fault::ImapMailboxNamesUtf8);
        let keep_subscription = !self.fault(Fault::ImapDeleteUnsubscribes);
        let childinfo = options.subscribed_only
            && options.recursive_match
            && !self.fault(Fault::ImapListNoChildinfo);
        let show_subscribed = (options.subscribed_only && verb == "LIST")
            || (options.subscribed_returned && !self.fault(Fault::ImapListReturnSubscribedIgnored));
        let lsub_parents = verb == "LSUB" && !self.fault(Fault::ImapLsubNoParent);
        let matches = |name: &str| {
            patterns
                .iter()
                .any(|p| matches_pattern(&format!("{reference}{p}"), name))
        };
        let lines = self
            .with_account(|view| {
                let account = view.account();
                let subscribed = |name: &str| {
                    account.mailboxes.get(name).is_some_and(|m| m.subscribed)
                        || (keep_subscription && account.orphan_subscriptions.contains(name))
                };
                // Every name LIST may talk about: the mailboxes and, for the subscription
                // views, subscribed names without a mailbox.
                let mut names: BTreeSet<String> = account.mailboxes.keys().cloned().collect();
                if keep_subscription && (options.subscribed_only || show_subscribed) {
                    names.extend(account.orphan_subscriptions.iter().cloned());
                }
                // Unlisted names that are parents of subscribed names (LSUB's \Noselect
                // parents, RFC 3501 §6.3.9; RECURSIVEMATCH's CHILDINFO, RFC 5258 §3.5).
                let mut parents: BTreeSet<String> = BTreeSet::new();
                if options.subscribed_only && (lsub_parents || childinfo) {
                    for name in names.iter().filter(|n| subscribed(n)) {
                        let mut at = 0;
                        while let Some(slash) = name.get(at..).and_then(|r| r.find('/')) {
                            let parent = name.get(..at + slash).unwrap_or_default();
                            at += slash + 1;
                            if matches(parent) && !matches(name) {
                                parents.insert(parent.to_string());
                            }
                        }
                    }
                }
                let mut lines = Vec::new();
                let all: BTreeSet<String> = names.union(&parents).cloned().collect();
                for full in &all {
                    let is_parent = parents.contains(full);
                    if !matches(full) || (no_inbox && full == "INBOX") {
                        continue;
                    }
                    let mailbox = account.mailboxes.get(full);
                    if options.subscribed_only && !subscribed(full) {
                        if !is_parent {
                            continue;
                        }
                        if verb == "LSUB" {
                            lines.push(format!(
                                "* LSUB (\\Noselect) \"/\" {}",
                                wire_name(full, utf8_names)
                            ));
                            continue;
                        }
                    }
                    if options.special_use_only && mailbox.and_then(|m| m.special_use).is_none() {
                        continue;
                    }
                    let mut attributes = Vec::new();
                    if mailbox.is_none() && verb == "LIST" {
                        attributes.push("\\NonExistent");
                    } else if mailbox.is_none() {
                        attributes.push("\\Noselect");
                    } else {
                        let children = account
                            .mailboxes
                            .keys()
                            .any(|k| k.starts_with(&format!("{full}/")));
                        attributes.push(if children {
                            "\\HasChildren"
                        } else {
                            "\\HasNoChildren"
                        });
                    }
                    if special && let Some(use_) = mailbox.and_then(|m| m.special_use) {
                        attributes.push(use_.attribute());
                    }
                    if show_subscribed && subscribed(full) {
                        attributes.push("\\Subscribed");
                    }
                    let mut line = format!(
                        "* {verb} ({}) \"/\" {}",
                        attributes.join(" "),
                        wire_name(full, utf8_names)
                    );
                    if childinfo && verb == "LIST" && is_parent {
                        line.push_str(" (\"CHILDINFO\" (\"SUBSCRIBED\"))");
                    }
                    lines.push(line);
                }
                lines
            })
            .unwrap_or_default();
        for line in lines {
            self.line(&line);
        }
        self.tagged(tag, "OK", &format!("{verb} completed"));
    }

    /// The UIDs of `name` no session has been told of as `\Recent` yet; with `claim` they
    /// become this session's (no other session will see them recent).
    fn claim_recent(&self, name: &str, claim: bool) -> BTreeSet<u32> {
        self.with_account(|view| {
            let mailbox = view.mailbox_mut(name)?;
            let recent: BTreeSet<u32> = mailbox
                .messages
                .iter()
                .map(|m| m.uid)
                .filter(|uid| *uid > mailbox.recent_claimed)
                .collect();
            if claim && let Some(last) = recent.last() {
                mailbox.recent_claimed = *last;
            }
            Some(recent)
        })
        .ok()
        .flatten()
        .unwrap_or_default()
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
        let keywords = if self.fault(Fault::ImapKeywordsNotInFlags) {
            BTreeSet::new()
        } else {
            mailbox.keywords.clone()
        };
        if !self.fault(Fault::ImapSelectNoFlags) {
            self.out
                .extend_from_slice(&Data::Flags(flag_list(&keywords, false)).to_bytes());
        }
        if !self.fault(Fault::ImapSelectNoExists) {
            self.line(&format!("* {} EXISTS", mailbox.messages.len()));
        }
        // \Recent (RFC 3501 §2.3.2): the messages no session has been told of are recent
        // here; SELECT claims them for this session, EXAMINE leaves them recent.
        let recent: BTreeSet<u32> = if self.fault(Fault::ImapRecentNever) {
            BTreeSet::new()
        } else {
            self.claim_recent(&mailbox.name, !read_only)
        };
        self.line(&format!("* {} RECENT", recent.len()));
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
        // The first unseen message (RFC 3501 §6.3.1, dropped by RFC 9051 but harmless).
        if let Some(first) = mailbox
            .messages
            .iter()
            .position(|m| !m.flags.contains("\\Seen"))
        {
            self.line(&format!("* OK [UNSEEN {}] first unseen", first + 1));
        }
        if !self.fault(Fault::ImapSelectNoUidnext) {
            self.line(&format!(
                "* OK [UIDNEXT {}] predicted next UID",
                mailbox.uid_next
            ));
        }
        if !self.fault(Fault::ImapSelectNoPermanentflags) {
            self.out.extend_from_slice(&untagged_ok(
                Code::PermanentFlags(self.permanent_flags(&keywords)),
                "flags permitted",
            ));
        }
        if self.condstore && !self.fault(Fault::ImapNoHighestmodseq) {
            self.out.extend_from_slice(&untagged_ok(
                Code::HighestModSeq(mailbox.highest_modseq),
                "highest",
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
        // RFC 7162 §3.2.5.1: the flag changes since the client's MODSEQ, as FETCH with UIDs.
        if let Some((validity, modseq)) = qresync
            && self.qresync
            && validity == mailbox.uid_validity
        {
            for (index, message) in mailbox.messages.iter().enumerate() {
                if message.modseq > modseq {
                    self.out.extend_from_slice(&flags_fetch(
                        index + 1,
                        Some(message.uid),
                        &message.flags,
                        recent.contains(&message.uid),
                        Some(message.modseq),
                    ));
                }
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
            recent,
            keywords,
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

    /// PERMANENTFLAGS: the system flags, the mailbox's keywords and `\*`.
    fn permanent_flags(&self, keywords: &BTreeSet<String>) -> Vec<Flag<'static>> {
        if self.fault(Fault::ImapPermanentflagsNoKeywords) {
            flag_list(&BTreeSet::new(), false)
        } else {
            flag_list(keywords, true)
        }
    }

    /// Announces keywords new to this session with an untagged FLAGS (and PERMANENTFLAGS),
    /// before any FETCH that shows them (RFC 9051 §7.3.5).
    fn announce_keywords(&mut self, keywords: &BTreeSet<String>) {
        if self.fault(Fault::ImapNewKeywordNoFlags) || self.fault(Fault::ImapKeywordsNotInFlags) {
            return;
        }
        let Some(selected) = self.selected.as_mut() else {
            return;
        };
        if keywords.is_subset(&selected.keywords) {
            return;
        }
        selected.keywords.extend(keywords.iter().cloned());
        let known = selected.keywords.clone();
        self.out
            .extend_from_slice(&Data::Flags(flag_list(&known, false)).to_bytes());
        if !self.fault(Fault::ImapSelectNoPermanentflags) {
            self.out.extend_from_slice(&untagged_ok(
                Code::PermanentFlags(self.permanent_flags(&known)),
                "flags permitted",
            ));
        }
    }

    /// Enables CONDSTORE on a CONDSTORE enabling command (RFC 7162 §3.1): the first one with
    /// a mailbox selected reports its HIGHESTMODSEQ.
    fn enable_condstore(&mut self) {
        if self.condstore {
            return;
        }
        self.condstore = true;
        let Some(name) = self.selected.as_ref().map(|s| s.name.clone()) else {
            return;
        };
        let highest = self
            .with_account(|view| view.mailbox(&name).map(|m| m.highest_modseq))
            .ok()
            .flatten();
        if let Some(highest) = highest
            && !self.fault(Fault::ImapNoHighestmodseq)
        {
            self.out
                .extend_from_slice(&untagged_ok(Code::HighestModSeq(highest), "highest"));
        }
    }

    /// Reports what changed in the selected mailbox since this session last looked:
    /// EXPUNGE, EXISTS, FLAGS for new keywords, and FETCH FLAGS (with UID, and MODSEQ once
    /// CONDSTORE is enabled) of changed messages.
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
        // New messages: the first session told of them (a read-write one) keeps them
        // \Recent (RFC 3501 §2.3.2).
        let arrived = mailbox
            .messages
            .iter()
            .any(|m| !selected.known.contains_key(&m.uid));
        let newly_recent = if arrived && !self.fault(Fault::ImapRecentNever) {
            self.claim_recent(&name, !selected.read_only)
        } else {
            BTreeSet::new()
        };
        let hide_expunges = self.fault(Fault::ImapOtherSessionExpungeUnseen);
        let hide_flags = self.fault(Fault::ImapOtherSessionFlagsUnseen);
        let with_modseq = self.condstore && !self.fault(Fault::ImapUnsolicitedFetchNoModseq);
        let mut lines = Vec::new();
        let Some(selected) = self.selected.as_mut() else {
            return;
        };
        let current: BTreeSet<u32> = mailbox.messages.iter().map(|m| m.uid).collect();
        let mut index = selected.uids.len();
        while index > 0 && !hide_expunges {
            index -= 1;
            let uid = selected.uids.get(index).copied().unwrap_or(0);
            if !current.contains(&uid) {
                selected.uids.remove(index);
                selected.known.remove(&uid);
                selected.recent.remove(&uid);
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
            selected.recent.extend(newly_recent);
            lines.push(format!("* {} RECENT", selected.recent.len()));
        }
        let mut fetches = Vec::new();
        for (seq, uid) in selected.uids.iter().enumerate() {
            let Some(message) = mailbox
                .position_of(*uid)
                .and_then(|p| mailbox.messages.get(p))
            else {
                continue;
            };
            if let Some(known) = selected.known.get_mut(uid)
                && known.0 != message.flags
                && !hide_flags
            {
                *known = (message.flags.clone(), message.modseq);
                fetches.push(flags_fetch(
                    seq + 1,
                    Some(*uid),
                    &message.flags,
                    selected.recent.contains(uid),
                    with_modseq.then_some(message.modseq),
                ));
            }
        }
        for line in lines {
            self.line(&line);
        }
        if !hide_flags {
            self.announce_keywords(&mailbox.keywords);
        }
        for fetch in fetches {
            self.out.extend_from_slice(&fetch);
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
        self.deadline = tokio::time::Instant::now() + self.slot.limits().autologout;
        // `imap-idle-delayed`: when the changes seen meanwhile are reported.
        let mut delayed: Option<tokio::time::Instant> = None;
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
                    self.account()?;
                    if self.ending.is_some() {
                        return Ok(());
                    }
                }
                () = tokio::time::sleep_until(self.deadline) => {
                    self.ending = Some(self.timer_expired());
                    return Ok(());
                }
                changed = changes.changed() => {
                    if changed.is_err() {
                        return Ok(());
                    }
                    if self.fault(Fault::ImapIdleDelayed) {
                        delayed.get_or_insert(tokio::time::Instant::now() + Duration::from_secs(5));
                    } else if !self.fault(Fault::ImapIdleNeverWakes) {
                        self.updates();
                        self.flush(stream).await?;
                    }
                }
                () = tokio::time::sleep_until(delayed.unwrap_or(self.deadline)), if delayed.is_some() => {
                    delayed = None;
                    self.updates();
                    self.flush(stream).await?;
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
            selected
                .uids
                .iter()
                .enumerate()
                .filter(|(_, u)| set_contains(set, **u, largest))
                .map(|(i, u)| (i + 1, *u))
                .collect()
        } else {
            let largest = u32::try_from(selected.uids.len()).unwrap_or(u32::MAX);
            (1..=largest)
                .filter(|n| set_contains(set, *n, largest))
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
                        FetchAttributeName::Flags,
                        FetchAttributeName::InternalDate,
                        FetchAttributeName::Rfc822Size,
                        FetchAttributeName::Envelope,
                    ],
                    FetchItems::Fast => vec![
                        FetchAttributeName::Flags,
                        FetchAttributeName::InternalDate,
                        FetchAttributeName::Rfc822Size,
                    ],
                    FetchItems::Full => vec![
                        FetchAttributeName::Flags,
                        FetchAttributeName::InternalDate,
                        FetchAttributeName::Rfc822Size,
                        FetchAttributeName::Envelope,
                        FetchAttributeName::Body,
                    ],
                    FetchItems::Attributes(items) => items,
                };
                let changed_since = fetch.modifiers.iter().find_map(|m| match m {
                    groupwire_imap::command::fetch::FetchModifier::ChangedSince(n) => Some(*n),
                    _ => None,
                });
                if (changed_since.is_some()
                    || items
                        .iter()
                        .any(|i| matches!(i, FetchAttributeName::ModSeq)))
                    && !self.fault(Fault::ImapCondstoreNotEnabledByFetch)
                {
                    self.enable_condstore();
                }
                // Keywords another session set since this one last looked are announced before
                // a FETCH shows them (RFC 9051 §7.3.5).
                let keywords = self
                    .with_account(|view| view.mailbox(&name).map(|m| m.keywords.clone()))
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                self.announce_keywords(&keywords);
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
                if !store.modifiers.is_empty() {
                    self.enable_condstore();
                }
                let mut results = Vec::new();
                let mut keywords = BTreeSet::new();
                let _ = self.with_account(|view| {
                    if let Some(mailbox) = view.mailbox_mut(&name) {
                        if !ignored && action != StoreAction::Remove {
                            mailbox.learn_keywords(&flags);
                        }
                        keywords = mailbox.keywords.clone();
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
                self.announce_keywords(&keywords);
                for (seq, uid, flags, modseq) in results {
                    if let Some(selected) = self.selected.as_mut() {
                        selected.known.insert(uid, (flags.clone(), modseq));
                    }
                    if !silent {
                        let fetch = flags_fetch(
                            seq,
                            store.uid.then_some(uid),
                            &flags,
                            self.is_recent(uid),
                            self.condstore.then_some(modseq),
                        );
                        self.out.extend_from_slice(&fetch);
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
                let found = self.search_modseq(&name, &search.criteria, search.uid);
                let hits: Vec<u32> = found.iter().map(|(n, _)| *n).collect();
                let by_modseq = search.criteria.iter().any(has_modseq_key);
                if by_modseq && !self.fault(Fault::ImapCondstoreNotEnabledByFetch) {
                    self.enable_condstore();
                }
                let modseq = if by_modseq && !self.fault(Fault::ImapSearchModseqNoModseq) {
                    Some(found.iter().map(|(_, m)| *m))
                } else {
                    None
                };
                match search.return_options {
                    Some(options) if !self.fault(Fault::ImapEsearchPlain) => {
                        use groupwire_imap::command::search::SearchReturnOption as Opt;
                        use groupwire_imap::response::search::{ESearch, SearchReturnData};
                        let all_by_default =
                            options.is_empty() && !self.fault(Fault::ImapEsearchEmptyReturnNotAll);
                        let min_max_count = options.is_empty() && !all_by_default;
                        let want = |o: &Opt<'_>| {
                            min_max_count && !matches!(o, Opt::All)
                                || all_by_default && matches!(o, Opt::All)
                                || options.contains(o)
                        };
                        let mut data = Vec::new();
                        let min = hits
                            .iter()
                            .min()
                            .and_then(|n| std::num::NonZeroU32::new(*n));
                        let max = hits
                            .iter()
                            .max()
                            .and_then(|n| std::num::NonZeroU32::new(*n));
                        // RFC 4731 §3.2: the modseq of what is returned.
                        let mut returned: Vec<u32> = Vec::new();
                        if want(&Opt::Min)
                            && let Some(min) = min
                        {
                            data.push(SearchReturnData::Min(min));
                            returned.push(min.get());
                        }
                        if want(&Opt::Max)
                            && let Some(max) = max
                        {
                            data.push(SearchReturnData::Max(max));
                            returned.push(max.get());
                        }
                        if want(&Opt::All) {
                            let mut sorted = hits.clone();
                            sorted.sort_unstable();
                            if let Some(set) = compact_set(&sorted) {
                                data.push(SearchReturnData::All(set));
                            }
                            returned.clone_from(&hits);
                        }
                        if want(&Opt::Count) {
                            data.push(SearchReturnData::Count(
                                u32::try_from(hits.len()).unwrap_or(u32::MAX),
                            ));
                            returned.clone_from(&hits);
                        }
                        if modseq.is_some()
                            && let Some(highest) = found
                                .iter()
                                .filter(|(n, _)| returned.contains(n))
                                .map(|(_, m)| *m)
                                .max()
                        {
                            data.push(SearchReturnData::ModSeq(highest));
                        }
                        let response = Data::ESearch(ESearch {
                            tag: Some(groupwire_imap::core::IString::from(tag)),
                            mailbox: None,
                            uid: search.uid,
                            data,
                        });
                        self.out.extend_from_slice(&response.to_bytes());
                    }
                    _ => {
                        let numbers = groupwire_imap::response::search::NumberList::from_numbers(
                            hits.iter().filter_map(|n| std::num::NonZeroU32::new(*n)),
                        );
                        let response = Data::Search(groupwire_imap::response::search::Search {
                            numbers,
                            modseq: modseq.and_then(Iterator::max),
                        });
                        self.out.extend_from_slice(&response.to_bytes());
                    }
                }
                self.tagged(tag, "OK", "SEARCH completed");
            }
            CommandBody::Sort(sort) => {
                let mut hits = self.search(&name, &sort.search, sort.uid);
                if self.fault(Fault::ImapSortUnsorted) {
                    hits.reverse();
                } else {
                    let keys: Vec<(bool, SortKey<'static>)> = sort
                        .criteria
                        .iter()
                        .map(|c| (c.reverse, c.key.clone()))
                        .collect();
                    let values = self.sort_values(&name, &hits, sort.uid, &keys);
                    let reverse_ties =
                        self.fault(Fault::ImapSortReverseTiebreak) && keys.iter().any(|k| k.0);
                    let mut order: Vec<usize> = (0..hits.len()).collect();
                    order.sort_by(|&a, &b| {
                        for (i, (reverse, _)) in keys.iter().enumerate() {
                            let ka = values.get(a).and_then(|v| v.get(i));
                            let kb = values.get(b).and_then(|v| v.get(i));
                            let ordering = ka.cmp(&kb);
                            let ordering = if *reverse {
                                ordering.reverse()
                            } else {
                                ordering
                            };
                            if ordering != std::cmp::Ordering::Equal {
                                return ordering;
                            }
                        }
                        // RFC 5256 §3: equal keys are ordered by sequence number, whatever
                        // REVERSE says (UIDs ascend with sequence numbers).
                        let ordering = hits.get(a).cmp(&hits.get(b));
                        if reverse_ties {
                            ordering.reverse()
                        } else {
                            ordering
                        }
                    });
                    hits = order
                        .into_iter()
                        .filter_map(|i| hits.get(i).copied())
                        .collect();
                }
                let numbers = groupwire_imap::response::search::NumberList::from_numbers(
                    hits.iter().filter_map(|n| std::num::NonZeroU32::new(*n)),
                );
                let response = Data::Sort(groupwire_imap::response::search::Search {
                    numbers,
                    modseq: None,
                });
                self.out.extend_from_slice(&response.to_bytes());
                self.tagged(tag, "OK", "SORT completed");
            }
            CommandBody::Thread(thread) => {
                let hits = self.search(&name, &thread.search, thread.uid);
                let keys = [(false, SortKey::Subject), (false, SortKey::Date)];
                let values = self.sort_values(&name, &hits, thread.uid, &keys);
                // RFC 5256 §2.1 ORDEREDSUBJECT: messages grouped by base subject, each group
                // sorted by sent date, groups by their first message's sent date.
                let mut groups: Vec<(String, Vec<(SortValue, u32)>)> = Vec::new();
                for (index, n) in hits.iter().enumerate() {
                    let row = values.get(index);
                    let subject = match row.and_then(|r| r.first()) {
                        Some(SortValue::Text(text)) => text.clone(),
                        _ => String::new(),
                    };
                    let date = row
                        .and_then(|r| r.get(1))
                        .cloned()
                        .unwrap_or(SortValue::Number(0));
                    let flat = self.fault(Fault::ImapThreadFlat);
                    match groups.iter_mut().find(|(s, _)| *s == subject && !flat) {
                        Some((_, members)) => members.push((date, *n)),
                        None => groups.push((subject, vec![(date, *n)])),
                    }
                }
                for (_, members) in &mut groups {
                    members.sort();
                }
                groups.sort_by(|a, b| a.1.first().cmp(&b.1.first()));
                let threads: Vec<groupwire_imap::response::thread::Thread> = groups
                    .iter()
                    .map(|(_, members)| {
                        let numbers: Vec<std::num::NonZeroU32> = members
                            .iter()
                            .filter_map(|(_, n)| std::num::NonZeroU32::new(*n))
                            .collect();
                        ordered_subject_thread(&numbers)
                    })
                    .collect();
                self.out
                    .extend_from_slice(&Data::Thread(threads).to_bytes());
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
        items: &[FetchAttributeName<'static>],
        by_uid: bool,
        read_only: bool,
        changed_since: Option<u64>,
    ) -> Option<Vec<u8>> {
        let sets_seen = !read_only
            && items.iter().any(|i| {
                matches!(
                    i,
                    FetchAttributeName::BodySection { peek: false, .. }
                        | FetchAttributeName::Rfc822
                        | FetchAttributeName::Rfc822Text
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
                FetchAttributeName::Uid => {
                    has_uid = true;
                    let uid = if self.fault(Fault::ImapFetchWrongUid) {
                        uid + 1000
                    } else {
                        uid
                    };
                    parts.push(text(format!("UID {uid}")));
                }
                FetchAttributeName::Flags if !self.fault(Fault::ImapFetchNoFlags) => {
                    parts.push(text(format!(
                        "FLAGS ({})",
                        flags_text(&message.flags, self.is_recent(uid))
                    )));
                }
                FetchAttributeName::InternalDate if !self.fault(Fault::ImapFetchNoInternaldate) => {
                    parts.push(text(format!(
                        "INTERNALDATE \"{}\"",
                        date_time(message.internal_date)
                    )));
                }
                FetchAttributeName::Rfc822Size => {
                    let size = raw.len() + usize::from(self.fault(Fault::ImapFetchWrongSize)) * 7;
                    parts.push(text(format!("RFC822.SIZE {size}")));
                }
                FetchAttributeName::Envelope => {
                    let envelope = if self.fault(Fault::ImapEnvelopeWrong) {
                        "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)".to_string()
                    } else {
                        mime::envelope_with(raw, self.fault(Fault::ImapEnvelopeFlatAddresses))
                    };
                    parts.push(text(format!("ENVELOPE {envelope}")));
                }
                FetchAttributeName::BodyStructure | FetchAttributeName::Body => {
                    let structure = if self.fault(Fault::ImapBodystructureFlat) {
                        format!(
                            "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" {} 0 NIL NIL NIL NIL)",
                            raw.len()
                        )
                    } else if matches!(item, FetchAttributeName::Body)
                        && !self.fault(Fault::ImapBodyExtensionData)
                    {
                        mime::body(raw)
                    } else {
                        mime::bodystructure(raw)
                    };
                    let name = if matches!(item, FetchAttributeName::Body) {
                        "BODY"
                    } else {
                        "BODYSTRUCTURE"
                    };
                    parts.push(text(format!("{name} {structure}")));
                }
                FetchAttributeName::ModSeq => {
                    parts.push(text(format!("MODSEQ ({})", message.modseq)));
                }
                FetchAttributeName::EmailId if !self.fault(Fault::ImapNoObjectid) => {
                    parts.push(text(format!("EMAILID ({})", message.email_id)));
                }
                FetchAttributeName::ThreadId => parts.push(text("THREADID NIL".to_string())),
                FetchAttributeName::Rfc822
                | FetchAttributeName::Rfc822Header
                | FetchAttributeName::Rfc822Text => {
                    let (label, data) = match item {
                        FetchAttributeName::Rfc822 => ("RFC822", raw.to_vec()),
                        FetchAttributeName::Rfc822Header => {
                            ("RFC822.HEADER", mime::section(raw, &[], Some("HEADER")))
                        }
                        _ => ("RFC822.TEXT", mime::section(raw, &[], Some("TEXT"))),
                    };
                    let mut part = format!("{label} {{{}}}\r\n", data.len()).into_bytes();
                    part.extend_from_slice(&data);
                    parts.push(part);
                }
                FetchAttributeName::BodySection {
                    section, partial, ..
                } => {
                    let numbers: Vec<u32> = section.part.iter().map(|n| n.get()).collect();
                    let flat = self.fault(Fault::ImapRfc822PartsFlat);
                    let cut = |text: Option<&str>| {
                        if flat {
                            mime::section_flat(raw, &numbers, text)
                        } else {
                            mime::section(raw, &numbers, text)
                        }
                    };
                    let (label_text, mut data) = match &section.text {
                        None => (String::new(), cut(None)),
                        Some(SectionText::Header) => ("HEADER".to_string(), cut(Some("HEADER"))),
                        Some(SectionText::Text) => ("TEXT".to_string(), cut(Some("TEXT"))),
                        Some(SectionText::Mime) => ("MIME".to_string(), cut(Some("MIME"))),
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
                                let holder = if flat {
                                    raw.to_vec()
                                } else {
                                    mime::section_message(raw, &numbers)
                                };
                                mime::header_fields(&holder, &names, not)
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
        if sets_seen && !items.iter().any(|i| matches!(i, FetchAttributeName::Flags)) {
            parts.push(text(format!(
                "FLAGS ({})",
                flags_text(&message.flags, self.is_recent(uid))
            )));
        }
        if self.condstore
            && !items
                .iter()
                .any(|i| matches!(i, FetchAttributeName::ModSeq))
        {
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

    /// The SORT key values (RFC 5256 §3) of each of `hits`, one per key.
    fn sort_values(
        &self,
        name: &str,
        hits: &[u32],
        by_uid: bool,
        keys: &[(bool, SortKey<'static>)],
    ) -> Vec<Vec<SortValue>> {
        let Some(mailbox) = self
            .with_account(|view| view.mailbox(name).cloned())
            .ok()
            .flatten()
        else {
            return Vec::new();
        };
        let selected_uids = self
            .selected
            .as_ref()
            .map(|s| s.uids.clone())
            .unwrap_or_default();
        hits.iter()
            .map(|&n| {
                let uid = if by_uid {
                    n
                } else {
                    selected_uids
                        .get((n as usize).saturating_sub(1))
                        .copied()
                        .unwrap_or(0)
                };
                let message = mailbox
                    .position_of(uid)
                    .and_then(|p| mailbox.messages.get(p));
                keys.iter()
                    .map(|(_, key)| match message {
                        Some(message) => self.sort_value(message, key),
                        None => SortValue::Number(0),
                    })
                    .collect()
            })
            .collect()
    }

    fn sort_value(&self, message: &StoredMessage, key: &SortKey<'static>) -> SortValue {
        let raw = &message.raw;
        match key {
            SortKey::Arrival if self.fault(Fault::ImapSortArrivalUid) => {
                SortValue::Number(i64::from(message.uid))
            }
            SortKey::Arrival => SortValue::Number(message.internal_date),
            SortKey::Date if self.fault(Fault::ImapSortDateArrival) => {
                SortValue::Number(message.internal_date)
            }
            SortKey::Date => {
                let sent = if self.fault(Fault::ImapSortDateIgnoresZone) {
                    message_keys::sent_wall_clock(raw)
                } else {
                    message_keys::sent_timestamp(raw)
                };
                SortValue::Number(sent.unwrap_or(message.internal_date))
            }
            SortKey::From if self.fault(Fault::ImapSortFromWholeAddress) => SortValue::Text(
                message_keys::header_values(raw, "From")
                    .first()
                    .cloned()
                    .unwrap_or_default()
                    .to_ascii_lowercase(),
            ),
            SortKey::To | SortKey::Cc if self.fault(Fault::ImapSortToCcIgnored) => {
                SortValue::Text(String::new())
            }
            SortKey::From => SortValue::Text(message_keys::first_mailbox(raw, "From")),
            SortKey::To => SortValue::Text(message_keys::first_mailbox(raw, "To")),
            SortKey::Cc => SortValue::Text(message_keys::first_mailbox(raw, "Cc")),
            SortKey::Size => SortValue::Number(i64::try_from(raw.len()).unwrap_or(i64::MAX)),
            SortKey::Subject if self.fault(Fault::ImapBaseSubjectSimple) => {
                SortValue::Text(base_subject(raw))
            }
            SortKey::Subject => SortValue::Text(message_keys::base_subject(raw)),
            _ => SortValue::Number(0),
        }
    }

    fn search(&self, name: &str, criteria: &[SearchKey<'static>], uid: bool) -> Vec<u32> {
        self.search_modseq(name, criteria, uid)
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    }

    /// The matching message numbers (or UIDs) with each message's modseq.
    fn search_modseq(
        &self,
        name: &str,
        criteria: &[SearchKey<'static>],
        uid: bool,
    ) -> Vec<(u32, u64)> {
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
                recent: selected.recent.contains(message_uid),
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
                hits.push((number, message.modseq));
            }
        }
        if self.fault(Fault::ImapSearchEmpty) {
            hits.clear();
        }
        hits
    }
}

/// One SORT key value: numbers (dates, sizes) or case-mapped text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SortValue {
    Number(i64),
    Text(String),
}

/// An ORDEREDSUBJECT thread (RFC 5256 §3): the first message at the root, the second its
/// child, the others siblings of the second.
fn ordered_subject_thread(
    numbers: &[std::num::NonZeroU32],
) -> groupwire_imap::response::thread::Thread {
    use groupwire_imap::response::thread::Thread;
    match numbers {
        [] => Thread::default(),
        [one] => Thread {
            messages: vec![*one],
            children: Vec::new(),
        },
        [first, second] => Thread {
            messages: vec![*first, *second],
            children: Vec::new(),
        },
        [first, rest @ ..] => Thread {
            messages: vec![*first],
            children: rest
                .iter()
                .map(|n| Thread {
                    messages: vec![*n],
                    children: Vec::new(),
                })
                .collect(),
        },
    }
}

/// Whether `n` is in `set`, `*` standing for `largest` (ranges in either order), without
/// enumerating the set (`1:4294967295` is one comparison, not four billion).
fn set_contains(set: &SequenceSet<'_>, n: u32, largest: u32) -> bool {
    use groupwire_imap::core::SeqNumber;
    let resolve = |end: SeqNumber| match end {
        SeqNumber::Value(v) => v.get(),
        SeqNumber::Largest => largest,
    };
    set.iter().any(|range| {
        let (a, b) = (resolve(range.start), resolve(range.end));
        a.min(b) <= n && n <= a.max(b)
    })
}

/// Whether a search program holds a MODSEQ criterion (a CONDSTORE enabling command).
fn has_modseq_key(key: &SearchKey<'_>) -> bool {
    match key {
        SearchKey::ModSeq { .. } => true,
        SearchKey::Not(inner) | SearchKey::Fuzzy(inner) => has_modseq_key(inner),
        SearchKey::Or(a, b) => has_modseq_key(a) || has_modseq_key(b),
        SearchKey::And(keys) => keys.iter().any(has_modseq_key),
        _ => false,
    }
}

struct SearchContext<'f> {
    seq: u32,
    /// Whether the message is `\Recent` in the session.
    recent: bool,
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

/// The old simplified base subject (the `imap-base-subject-simple` fault): leading
/// `Re:`/`Fwd:` removed, nothing else.
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
            let values = message_keys::header_values(&message.raw, name);
            ignore_headers
                || if value.is_empty() && !self.faults.has(Fault::ImapSearchHeaderEmptyAll) {
                    // RFC 9051 §6.4.4: "" matches every message that has the field.
                    !values.is_empty()
                } else {
                    value.is_empty() || values.iter().any(|v| contains_ci(v, value))
                }
        };
        let address = |name: &str, value: &str| {
            if ignore_headers {
                return true;
            }
            let texts = if self.faults.has(Fault::ImapSearchAddressRaw) {
                message_keys::header_values(&message.raw, name)
            } else {
                message_keys::address_texts(&message.raw, name)
            };
            texts.iter().any(|t| contains_ci(t, value))
        };
        let ignore_dates = self.faults.has(Fault::ImapSearchDatesIgnored);
        let day = |date: &groupwire_imap::core::Date| (date.year, date.month, date.day);
        let internal = internal_day(message.internal_date);
        let sent = if self.faults.has(Fault::ImapSearchSentdateUtc) {
            message_keys::sent_timestamp(&message.raw).map(internal_day)
        } else {
            message_keys::sent_day(&message.raw)
        }
        .unwrap_or(internal);
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
            SearchKey::Recent => self.recent,
            SearchKey::New => self.recent && !message.flags.contains("\\Seen"),
            SearchKey::Old => !self.recent,
            SearchKey::Keyword(atom) => flag(atom.as_str()),
            SearchKey::Unkeyword(atom) => no_flag(atom.as_str()),
            SearchKey::Subject(value) => header("Subject", &value.to_str_lossy()),
            SearchKey::From(value) => address("From", &value.to_str_lossy()),
            SearchKey::To(value) => address("To", &value.to_str_lossy()),
            SearchKey::Cc(value) => address("Cc", &value.to_str_lossy()),
            SearchKey::Bcc(value) => address("Bcc", &value.to_str_lossy()),
            SearchKey::Before(date) => ignore_dates || internal < day(date),
            SearchKey::On(date) => ignore_dates || internal == day(date),
            SearchKey::Since(date) => ignore_dates || internal >= day(date),
            SearchKey::SentBefore(date) => ignore_dates || sent < day(date),
            SearchKey::SentOn(date) => ignore_dates || sent == day(date),
            SearchKey::SentSince(date) => ignore_dates || sent >= day(date),
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
            SearchKey::Uid(set) => set_contains(set, message.uid, self.largest_uid),
            SearchKey::SequenceSet(set) => set_contains(set, self.seq, self.largest_seq),
            SearchKey::Not(inner) => !self.matches(inner, message),
            SearchKey::Or(a, b) => self.matches(a, message) || self.matches(b, message),
            SearchKey::And(keys) => keys.iter().all(|k| self.matches(k, message)),
            SearchKey::ModSeq { mod_seq, .. } => message.modseq >= *mod_seq,
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
