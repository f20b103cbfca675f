//! The SMTP machine: follows the session with the codecs (`ServerDecoder` for the client's
//! stream, `ReplyDecoder` for the upstream's), relays the exact bytes, and changes only what
//! its fault says.

use std::collections::VecDeque;

use groupwire_smtp::command::Command;
use groupwire_smtp::{
    AuthResponse, Capability, ClientItem, Decoded, Encode, Limits, LineEndings, Mechanism, Reply,
    ReplyDecoder, SaslPayload, ServerDecoder,
};

use super::credentials::Credentials;
use super::fault::Fault;
use super::relay::{Action, Machine};

/// What the next upstream reply answers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pending {
    /// The greeting.
    Greeting,
    /// EHLO (or HELO, LHLO).
    Ehlo,
    /// The client's STARTTLS.
    StartTls,
    /// DATA: a 354 means payload follows.
    Data,
    /// AUTH, at this stage of the exchange.
    Auth(AuthStage),
    /// Anything else.
    Other,
    /// The proxy's own EHLO (auth-before-tls).
    InternalEhlo,
    /// The proxy's own STARTTLS (auth-before-tls).
    InternalStartTls,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum AuthStage {
    /// The next response is a SASL PLAIN message.
    Plain,
    /// The next response is the SASL LOGIN user name.
    LoginUser,
    /// The next response is the SASL LOGIN password of this user.
    LoginPassword(Vec<u8>),
    /// Nothing to rewrite.
    Opaque,
}

/// Where the session is, as far as the proxy is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Relaying.
    Open,
    /// Client bytes wait (a reply decides how they are read: STARTTLS, DATA, setup).
    Hold,
    /// The stream no longer decodes: relay raw bytes both ways.
    Raw,
}

/// The SMTP machine for one session.
#[derive(Debug)]
pub struct SmtpMachine {
    fault: Fault,
    credentials: Credentials,
    client_in: Vec<u8>,
    upstream_in: Vec<u8>,
    commands: ServerDecoder,
    replies: ReplyDecoder,
    pending: VecDeque<Pending>,
    phase: Phase,
    client_tls: bool,
    upstream_tls: bool,
    /// The greeting, held while the proxy sets up upstream TLS (auth-before-tls).
    held_greeting: Option<Vec<u8>>,
    /// The client's STARTTLS was accepted: its leg upgrades after the upstream's.
    client_upgrade_due: bool,
    /// The last two DATA bytes already relayed (to classify a line end split across reads).
    data_history: Vec<u8>,
    /// After a faked end of data, client commands go upstream one at a time, each after the
    /// previous reply: a server that hangs up on the smuggled text then has nothing unread
    /// (no TCP reset that would discard the replies it sent before).
    lockstep: bool,
    /// bdat-ends-at-dot: a BDAT command line and its chunk so far.
    held_chunk: Option<Vec<u8>>,
}

fn limits() -> Limits {
    Limits::default()
        .with_line_endings(LineEndings::Lenient)
        .with_max_message_size(u64::MAX)
}

impl SmtpMachine {
    /// A machine for a session whose legs start in plaintext (`tls` false) or TLS.
    pub fn new(fault: Fault, credentials: Credentials, tls: bool) -> SmtpMachine {
        SmtpMachine {
            fault,
            credentials,
            client_in: Vec::new(),
            upstream_in: Vec::new(),
            commands: ServerDecoder::new(limits()),
            replies: ReplyDecoder::new(limits()),
            pending: VecDeque::from([Pending::Greeting]),
            phase: Phase::Open,
            client_tls: tls,
            upstream_tls: tls,
            held_greeting: None,
            client_upgrade_due: false,
            data_history: Vec::new(),
            lockstep: false,
            held_chunk: None,
        }
    }

    fn smuggling_bare(&self) -> Option<u8> {
        match self.fault {
            Fault::DataEndsOnBareLf => Some(b'\n'),
            Fault::DataEndsOnBareCr => Some(b'\r'),
            _ => None,
        }
    }

    fn go_raw(&mut self, out: &mut Vec<Action>) {
        self.phase = Phase::Raw;
        if !self.client_in.is_empty() {
            out.push(Action::ToUpstream(std::mem::take(&mut self.client_in)));
        }
        if !self.upstream_in.is_empty() {
            out.push(Action::ToClient(std::mem::take(&mut self.upstream_in)));
        }
    }

    fn process_client(&mut self, out: &mut Vec<Action>) {
        while self.phase == Phase::Open && !self.client_in.is_empty() {
            if self.lockstep && !self.pending.is_empty() {
                return;
            }
            let in_data = self.commands.state() == groupwire_smtp::ServerState::Data;
            let mut feed = self.client_in.len();
            if in_data && let Some(bare) = self.smuggling_bare() {
                if rewrite_fake_end(&self.data_history, &mut self.client_in, bare) {
                    self.lockstep = true;
                }
                feed = safe_length(&self.data_history, &self.client_in, bare);
            }
            let input = self.client_in.get(..feed).unwrap_or_default();
            let (item, consumed) = match self.commands.decode(input) {
                Ok(Decoded::Complete { value, consumed }) => match owned_item(value) {
                    Some(item) => (item, consumed),
                    // Input the decoder refuses and steps over: relayed unframed, as on an error.
                    None => return self.go_raw(out),
                },
                Ok(Decoded::Incomplete { .. }) => return,
                Err(_) => return self.go_raw(out),
            };
            let raw: Vec<u8> = self.client_in.drain(..consumed).collect();
            if in_data {
                let mut tail = std::mem::take(&mut self.data_history);
                tail.extend_from_slice(&raw);
                let keep = tail.len().saturating_sub(2);
                self.data_history = tail.split_off(keep);
            }
            self.client_item(item, raw, out);
        }
    }

    fn client_item(&mut self, item: Item, raw: Vec<u8>, out: &mut Vec<Action>) {
        match item {
            Item::Command(Command::StartTls) if self.upstream_tls && !self.client_tls => {
                // auth-before-tls: the upstream is TLS already; only the client leg upgrades.
                out.push(Action::ToClient(
                    b"220 2.0.0 Ready to start TLS\r\n".to_vec(),
                ));
                out.push(Action::SecureClient);
                self.phase = Phase::Hold;
            }
            Item::Command(Command::StartTls) => {
                let mut raw = raw;
                if self.fault != Fault::KeepPretlsBytes {
                    // What a pass-through does: the upstream gets the pipelined plaintext in
                    // the same write and decides what to do with it.
                    raw.append(&mut self.client_in);
                }
                out.push(Action::ToUpstream(raw));
                self.pending.push_back(Pending::StartTls);
                self.phase = Phase::Hold;
            }
            Item::Command(Command::Data) => {
                out.push(Action::ToUpstream(raw));
                self.pending.push_back(Pending::Data);
                self.phase = Phase::Hold;
            }
            Item::Command(Command::Auth {
                mechanism,
                initial_response,
            }) => {
                let rewrite = self.fault == Fault::AcceptAnyPassword;
                let stage = match (&mechanism, &initial_response) {
                    (Mechanism::Plain, None) => AuthStage::Plain,
                    (Mechanism::Login, None) => AuthStage::LoginUser,
                    (Mechanism::Login, Some(user)) => match user.decode() {
                        Some(user) => AuthStage::LoginPassword(user),
                        None => AuthStage::Opaque,
                    },
                    _ => AuthStage::Opaque,
                };
                let corrected = match (&mechanism, &initial_response) {
                    (Mechanism::Plain, Some(payload)) if rewrite => {
                        self.credentials.correct_plain(&payload.0)
                    }
                    _ => None,
                };
                match corrected {
                    Some(payload) => out.push(Action::ToUpstream(
                        Command::Auth {
                            mechanism,
                            initial_response: Some(SaslPayload(payload.into())),
                        }
                        .to_vec(),
                    )),
                    None => out.push(Action::ToUpstream(raw)),
                }
                self.pending.push_back(Pending::Auth(stage));
            }
            Item::AuthResponse(response) => {
                let stage = match self.pending.back_mut() {
                    Some(Pending::Auth(stage)) => stage,
                    _ => {
                        out.push(Action::ToUpstream(raw));
                        return;
                    }
                };
                let rewrite = self.fault == Fault::AcceptAnyPassword;
                let corrected = match (&*stage, &response) {
                    (AuthStage::Plain, AuthResponse::Data(payload)) if rewrite => {
                        self.credentials.correct_plain(&payload.0)
                    }
                    (AuthStage::LoginPassword(user), AuthResponse::Data(payload)) if rewrite => {
                        self.credentials.correct_login_password(user, &payload.0)
                    }
                    _ => None,
                };
                *stage = match (&*stage, &response) {
                    (AuthStage::LoginUser, AuthResponse::Data(payload)) => payload
                        .decode()
                        .map_or(AuthStage::Opaque, AuthStage::LoginPassword),
                    _ => AuthStage::Opaque,
                };
                match corrected {
                    Some(payload) => out.push(Action::ToUpstream(
                        AuthResponse::Data(SaslPayload(payload.into())).to_vec(),
                    )),
                    None => out.push(Action::ToUpstream(raw)),
                }
            }
            Item::Command(Command::Bdat { size, .. })
                if self.fault == Fault::BdatEndsAtDot && size > 0 =>
            {
                // Held with its data until the chunk is complete: the command may change.
                self.held_chunk = Some(raw);
                self.pending.push_back(Pending::Other);
            }
            Item::Command(Command::Ehlo { .. } | Command::Helo { .. } | Command::Lhlo { .. }) => {
                out.push(Action::ToUpstream(raw));
                self.pending.push_back(Pending::Ehlo);
            }
            Item::Command(_) | Item::Malformed | Item::MessageEnd => {
                out.push(Action::ToUpstream(raw));
                self.pending.push_back(Pending::Other);
            }
            Item::Payload => out.push(Action::ToUpstream(raw)),
            Item::Chunk { complete } => match self.held_chunk.as_mut() {
                Some(held) => {
                    held.extend_from_slice(&raw);
                    if complete && let Some(chunk) = self.held_chunk.take() {
                        self.release_chunk(chunk, out);
                    }
                }
                None => out.push(Action::ToUpstream(raw)),
            },
        }
    }

    fn process_upstream(&mut self, out: &mut Vec<Action>) {
        while self.phase != Phase::Raw && !self.upstream_in.is_empty() {
            let (reply, consumed) = match self.replies.decode(&self.upstream_in) {
                Ok(Decoded::Complete { value, consumed }) => (value.into_owned(), consumed),
                Ok(Decoded::Incomplete { .. }) => return,
                Err(_) => return self.go_raw(out),
            };
            let raw: Vec<u8> = self.upstream_in.drain(..consumed).collect();
            let code = reply.code().get();
            let answered = match self.pending.front() {
                Some(Pending::Auth(_)) if code == 334 => {
                    self.commands.expect_auth_response();
                    out.push(Action::ToClient(raw));
                    continue;
                }
                Some(_) => self.pending.pop_front(),
                None => None,
            };
            let resume = self.lockstep && self.pending.is_empty();
            match answered {
                Some(Pending::Greeting)
                    if self.fault.is_auth_before_tls() && !self.upstream_tls =>
                {
                    self.held_greeting = Some(raw);
                    self.phase = Phase::Hold;
                    out.push(Action::ToUpstream(
                        Command::Ehlo {
                            domain: "groupwire-proxy".into(),
                        }
                        .to_vec(),
                    ));
                    self.pending.push_back(Pending::InternalEhlo);
                }
                Some(Pending::InternalEhlo) => {
                    out.push(Action::ToUpstream(Command::StartTls.to_vec()));
                    self.pending.push_back(Pending::InternalStartTls);
                }
                Some(Pending::InternalStartTls) if code == 220 => {
                    self.upstream_in.clear();
                    out.push(Action::SecureUpstream);
                    return;
                }
                Some(Pending::InternalStartTls) => {
                    // The upstream refused; the fault cannot apply: relay as is.
                    if let Some(greeting) = self.held_greeting.take() {
                        out.push(Action::ToClient(greeting));
                    }
                    self.phase = Phase::Open;
                    self.process_client(out);
                }
                Some(Pending::StartTls) if code == 220 => {
                    // Whatever the upstream sent in plaintext after its 220 cannot be TLS.
                    self.upstream_in.clear();
                    // The client learns at once, as from the bare server; if the upstream's
                    // handshake then fails, the client's fails too (the session closes).
                    out.push(Action::ToClient(raw));
                    self.client_upgrade_due = true;
                    out.push(Action::SecureUpstream);
                    return;
                }
                Some(Pending::StartTls) => {
                    out.push(Action::ToClient(raw));
                    self.phase = Phase::Open;
                    self.process_client(out);
                }
                Some(Pending::Data) => {
                    if code == 354 {
                        self.commands.expect_data();
                        self.data_history = b"\r\n".to_vec();
                    }
                    out.push(Action::ToClient(raw));
                    self.phase = Phase::Open;
                    self.process_client(out);
                }
                Some(Pending::Ehlo) => out.push(Action::ToClient(self.ehlo_reply(&reply, raw))),
                Some(Pending::Auth(_)) => {
                    self.commands.expect_commands();
                    out.push(Action::ToClient(raw));
                }
                _ => out.push(Action::ToClient(raw)),
            }
            if resume && self.phase == Phase::Open {
                self.process_client(out);
            }
        }
    }

    /// bdat-ends-at-dot: `held` is a BDAT command line and its whole chunk. A chunk holding
    /// `<CRLF>.<CRLF>` goes upstream cut there, as `BDAT n LAST`; the octets after the dot
    /// line are read as the client's next commands.
    fn release_chunk(&mut self, held: Vec<u8>, out: &mut Vec<Action>) {
        let line_end = held
            .windows(2)
            .position(|w| w == b"\r\n")
            .map_or(held.len(), |at| at + 2);
        let chunk = held.get(line_end..).unwrap_or_default();
        let Some(dot) = chunk.windows(5).position(|w| w == b"\r\n.\r\n") else {
            out.push(Action::ToUpstream(held));
            return;
        };
        let kept = chunk.get(..dot + 2).unwrap_or_default();
        let rest = chunk.get(dot + 5..).unwrap_or_default().to_vec();
        let mut forwarded = Command::Bdat {
            size: kept.len() as u64,
            last: true,
        }
        .to_vec();
        forwarded.extend_from_slice(kept);
        out.push(Action::ToUpstream(forwarded));
        let mut client_in = rest;
        client_in.append(&mut self.client_in);
        self.client_in = client_in;
        self.lockstep = true;
    }

    /// The EHLO reply the client sees.
    fn ehlo_reply(&self, reply: &Reply<'_>, raw: Vec<u8>) -> Vec<u8> {
        let add_starttls = match self.fault {
            Fault::ReadvertiseStarttls => self.client_tls,
            // The upstream, seeing TLS, no longer offers STARTTLS; the plaintext client
            // still may.
            Fault::AuthBeforeTls | Fault::AuthBeforeTlsHidden => {
                !self.client_tls && self.upstream_tls
            }
            _ => false,
        };
        // auth-before-tls-hidden: the plaintext client sees no AUTH, as from a server that
        // refuses it before TLS.
        let hide_auth =
            self.fault == Fault::AuthBeforeTlsHidden && !self.client_tls && self.upstream_tls;
        let Some(capabilities) = reply.capabilities() else {
            return raw;
        };
        let hide_auth = hide_auth && capabilities.has("AUTH");
        let add_starttls = add_starttls && !capabilities.has("STARTTLS");
        if !add_starttls && !hide_auth {
            return raw;
        }
        let mut lines: Vec<Vec<u8>> = reply.lines().map(<[u8]>::to_vec).collect();
        if hide_auth {
            // The first line is the greeting, never a keyword.
            let mut index = 0;
            lines.retain(|line| {
                index += 1;
                let is_auth = std::str::from_utf8(line)
                    .is_ok_and(|text| matches!(Capability::parse(text), Capability::Auth(_)));
                index == 1 || !is_auth
            });
        }
        if add_starttls {
            lines.push(b"STARTTLS".to_vec());
        }
        Reply::new(reply.code(), reply.enhanced_code(), &lines)
            .map_or(raw, |rewritten| rewritten.as_bytes().to_vec())
    }
}

/// A client item with what the machine needs of it, owned (the buffer is drained after).
#[derive(Debug)]
enum Item {
    Command(Command<'static>),
    AuthResponse(AuthResponse<'static>),
    Malformed,
    Payload,
    Chunk { complete: bool },
    MessageEnd,
}

fn owned_item(item: ClientItem<'_>) -> Option<Item> {
    Some(match item {
        ClientItem::Command(command) => Item::Command(command.into_owned()),
        ClientItem::Malformed { .. } => Item::Malformed,
        ClientItem::AuthResponse(response) => Item::AuthResponse(response.into_owned()),
        ClientItem::MessageData(_) => Item::Payload,
        ClientItem::ChunkData { chunk_complete, .. } => Item::Chunk {
            complete: chunk_complete,
        },
        ClientItem::MessageEnd => Item::MessageEnd,
        ClientItem::LineTooLong { .. }
        | ClientItem::Skipped
        | ClientItem::MessageRejected { .. }
        | ClientItem::ChunkRejected { .. } => return None,
    })
}

impl Machine for SmtpMachine {
    fn client_sent(&mut self, bytes: &[u8]) -> Vec<Action> {
        let mut out = Vec::new();
        match self.phase {
            Phase::Raw => out.push(Action::ToUpstream(bytes.to_vec())),
            Phase::Hold
                if self.pending.back() == Some(&Pending::StartTls)
                    && self.fault != Fault::KeepPretlsBytes =>
            {
                out.push(Action::ToUpstream(bytes.to_vec()));
            }
            Phase::Hold => self.client_in.extend_from_slice(bytes),
            Phase::Open => {
                self.client_in.extend_from_slice(bytes);
                self.process_client(&mut out);
            }
        }
        out
    }

    fn upstream_sent(&mut self, bytes: &[u8]) -> Vec<Action> {
        let mut out = Vec::new();
        if self.phase == Phase::Raw {
            out.push(Action::ToClient(bytes.to_vec()));
            return out;
        }
        self.upstream_in.extend_from_slice(bytes);
        self.process_upstream(&mut out);
        out
    }

    fn upstream_secured(&mut self) -> Vec<Action> {
        self.upstream_tls = true;
        self.replies = ReplyDecoder::new(limits());
        let mut out = Vec::new();
        if std::mem::take(&mut self.client_upgrade_due) {
            out.push(Action::SecureClient);
        } else if let Some(greeting) = self.held_greeting.take() {
            out.push(Action::ToClient(greeting));
            self.phase = Phase::Open;
            self.process_client(&mut out);
        }
        out
    }

    fn client_secured(&mut self) -> Vec<Action> {
        self.client_tls = true;
        self.commands = ServerDecoder::new(limits());
        self.phase = Phase::Open;
        let mut out = Vec::new();
        // Only keep-pretls-bytes leaves plaintext bytes here: they now count as sent over TLS.
        self.process_client(&mut out);
        self.process_upstream(&mut out);
        out
    }
}

/// A line end next to a `.` line in DATA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineEnd {
    Crlf,
    Bare,
}

/// Classifies the line end that ends right before `at` in `joined`: `(kind, start)`.
fn end_before(joined: &[u8], at: usize, bare: u8) -> Option<(LineEnd, usize)> {
    let last = at.checked_sub(1)?;
    match joined.get(last)? {
        b'\n' if last > 0 && joined.get(last - 1) == Some(&b'\r') => {
            Some((LineEnd::Crlf, last - 1))
        }
        &byte if byte == bare && (byte == b'\n' || joined.get(at) != Some(&b'\n')) => {
            Some((LineEnd::Bare, last))
        }
        _ => None,
    }
}

/// Classifies the line end starting at `at`: `Ok(Some((kind, end)))`, `Ok(None)` for none,
/// `Err(())` when the bytes so far cannot tell yet.
#[allow(clippy::result_unit_err)]
fn end_after(joined: &[u8], at: usize, bare: u8) -> Result<Option<(LineEnd, usize)>, ()> {
    match joined.get(at) {
        None => Err(()),
        Some(b'\r') => match joined.get(at + 1) {
            Some(b'\n') => Ok(Some((LineEnd::Crlf, at + 2))),
            None => Err(()),
            Some(_) if bare == b'\r' => Ok(Some((LineEnd::Bare, at + 1))),
            Some(_) => Ok(None),
        },
        Some(b'\n') if bare == b'\n' => Ok(Some((LineEnd::Bare, at + 1))),
        Some(_) => Ok(None),
    }
}

/// The data-ends-on-bare-* fault: the first `.` line in `data` delimited by a bare `bare`
/// on either side (and CRLF or that bare end on the other) is rewritten into `CRLF.CRLF`,
/// the real end of data. `history` holds the (at most two) DATA bytes already relayed.
/// Returns whether it rewrote one.
fn rewrite_fake_end(history: &[u8], data: &mut Vec<u8>, bare: u8) -> bool {
    let offset = history.len();
    let joined: Vec<u8> = history.iter().chain(data.iter()).copied().collect();
    let dots = joined
        .iter()
        .enumerate()
        .filter(|&(at, &byte)| byte == b'.' && at >= offset)
        .map(|(at, _)| at);
    for dot in dots {
        let Some((before, start)) = end_before(&joined, dot, bare) else {
            continue;
        };
        let Ok(Some((after, end))) = end_after(&joined, dot + 1, bare) else {
            continue;
        };
        if before == LineEnd::Crlf && after == LineEnd::Crlf {
            // The real end of data: nothing to fake, and nothing after it is data.
            return false;
        }
        let (from, replacement): (usize, &[u8]) = if start >= offset {
            (start - offset, b"\r\n.\r\n")
        } else if before == LineEnd::Crlf {
            // The CRLF before the dot was relayed already.
            (0, b".\r\n")
        } else {
            continue;
        };
        data.splice(from..end - offset, replacement.iter().copied());
        return true;
    }
    false
}

/// How many bytes of `data` may go to the decoder (and on to the upstream) now: a trailing
/// bare line end, alone or followed by `.` or `.CR`, waits until the next bytes tell whether
/// it starts a fake end of data.
fn safe_length(history: &[u8], data: &[u8], bare: u8) -> usize {
    let offset = history.len();
    let joined: Vec<u8> = history.iter().chain(data.iter()).copied().collect();
    let first = joined.len().saturating_sub(3).max(offset);
    for start in first..joined.len() {
        let Some(&byte) = joined.get(start) else {
            break;
        };
        let is_bare = byte == bare
            && match byte {
                b'\n' => start == 0 || joined.get(start - 1) != Some(&b'\r'),
                _ => joined.get(start + 1) != Some(&b'\n'),
            };
        let rest = joined.get(start + 1..).unwrap_or_default();
        if is_bare && matches!(rest, [] | [b'.'] | [b'.', b'\r']) {
            return start - offset;
        }
    }
    data.len()
}
