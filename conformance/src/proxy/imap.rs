//! The IMAP machine: follows the session with the codecs (`CommandDecoder` for the client's
//! stream, `ResponseDecoder` for the upstream's), relays the exact bytes, and changes only
//! what its fault says.

use std::collections::HashMap;

use groupwire_imap::command::auth::{SaslData, SaslResponse};
use groupwire_imap::command::{Command, CommandBody};
use groupwire_imap::core::{ByteStr, IString, LazyList, Quoted};
use groupwire_imap::response::{Capability, Code, Data, Response, Status};
use groupwire_imap::stream::client::ResponseDecoder;
use groupwire_imap::stream::server::{ClientMessage, CommandDecoder, ServerState, ServerStep};
use groupwire_imap::{Decoded, Encode, IntoOwned, Limits};

use super::credentials::Credentials;
use super::fault::Fault;
use super::relay::{Action, Machine};

/// The tag of the proxy's own STARTTLS (auth-before-tls).
const INTERNAL_TAG: &str = "gwproxy0";

/// What a tagged response answers, for the tags the proxy follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tagged {
    StartTls,
    InternalStartTls,
    Authenticate,
    Login,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Open,
    Hold,
    Raw,
}

/// The IMAP machine for one session.
#[derive(Debug)]
pub struct ImapMachine {
    fault: Fault,
    credentials: Credentials,
    client_in: Vec<u8>,
    upstream_in: Vec<u8>,
    commands: CommandDecoder,
    responses: ResponseDecoder,
    /// Bytes of the client's current command relayed already (before a literal's `+`).
    forwarded: usize,
    tags: HashMap<String, Tagged>,
    /// An AUTHENTICATE PLAIN exchange whose SASL message has not been seen yet.
    plain_pending: bool,
    phase: Phase,
    client_tls: bool,
    upstream_tls: bool,
    greeted: bool,
    held_greeting: Option<Vec<u8>>,
    /// The last capability list relayed before authentication (stale-capability-code).
    pre_auth_capabilities: Option<Vec<Capability<'static>>>,
    authenticated: bool,
    client_upgrade_due: bool,
}

/// What the machine needs of one client message, owned.
#[derive(Debug)]
enum Info {
    StartTls(String),
    Login(Command<'static>),
    Authenticate {
        tag: String,
        plain: bool,
        initial: Option<Command<'static>>,
    },
    Sasl(Option<String>),
    Other,
}

fn info(message: ClientMessage<'_>) -> Info {
    match message {
        ClientMessage::Command(command) => {
            let tag = command.tag.as_str().to_owned();
            match &command.body {
                CommandBody::StartTls => Info::StartTls(tag),
                CommandBody::Login { .. } => Info::Login(command.into_owned()),
                CommandBody::Authenticate(authenticate) => {
                    let plain = authenticate
                        .mechanism
                        .as_str()
                        .eq_ignore_ascii_case("PLAIN");
                    let initial = authenticate.initial_response.is_some();
                    Info::Authenticate {
                        tag,
                        plain,
                        initial: initial.then(|| command.clone().into_owned()),
                    }
                }
                _ => Info::Other,
            }
        }
        ClientMessage::SaslResponse(SaslResponse::Data(data)) => {
            Info::Sasl(std::str::from_utf8(data.as_bytes()).ok().map(str::to_owned))
        }
        _ => Info::Other,
    }
}

/// The name of a response code, as the codec writes it (`APPENDUID`).
fn code_name(code: &Code<'_>) -> String {
    let bytes = code.to_bytes();
    let name = bytes.split(|&b| b == b' ').next().unwrap_or_default();
    String::from_utf8_lossy(name).to_ascii_uppercase()
}

impl ImapMachine {
    /// A machine for a session whose legs start in plaintext (`tls` false) or TLS.
    pub fn new(fault: Fault, credentials: Credentials, tls: bool) -> ImapMachine {
        ImapMachine {
            fault,
            credentials,
            client_in: Vec::new(),
            upstream_in: Vec::new(),
            commands: CommandDecoder::new(Limits::default()),
            responses: ResponseDecoder::new(Limits::default()),
            forwarded: 0,
            tags: HashMap::new(),
            plain_pending: false,
            phase: Phase::Open,
            client_tls: tls,
            upstream_tls: tls,
            greeted: false,
            held_greeting: None,
            pre_auth_capabilities: None,
            authenticated: false,
            client_upgrade_due: false,
        }
    }

    fn go_raw(&mut self, out: &mut Vec<Action>) {
        self.phase = Phase::Raw;
        let unsent = self
            .client_in
            .split_off(self.forwarded.min(self.client_in.len()));
        self.client_in.clear();
        if !unsent.is_empty() {
            out.push(Action::ToUpstream(unsent));
        }
        if !self.upstream_in.is_empty() {
            out.push(Action::ToClient(std::mem::take(&mut self.upstream_in)));
        }
    }

    /// Drops the first `consumed` client bytes; returns those not relayed yet.
    fn take_message(&mut self, consumed: usize) -> (Vec<u8>, bool) {
        let consumed = consumed.min(self.client_in.len());
        let raw: Vec<u8> = self.client_in.drain(..consumed).collect();
        let already = self.forwarded.min(consumed);
        self.forwarded -= already;
        let whole = already == 0;
        (raw.get(already..).unwrap_or_default().to_vec(), whole)
    }

    fn process_client(&mut self, out: &mut Vec<Action>) {
        while self.phase == Phase::Open && self.client_in.len() > self.forwarded {
            let step = match self.commands.decode(&self.client_in) {
                Ok(ServerStep::Complete { value, consumed }) => Ok((info(value), consumed)),
                // Over a limit: the proxy relays the rest unframed, as on a decode error.
                Ok(ServerStep::Invalid { error, .. })
                    if matches!(error.kind(), groupwire_imap::ErrorKind::LimitExceeded(_)) =>
                {
                    return self.go_raw(out);
                }
                Ok(ServerStep::LiteralTooLarge { .. } | ServerStep::Skipped { .. }) => {
                    return self.go_raw(out);
                }
                Ok(ServerStep::Invalid { consumed, .. }) => Ok((Info::Other, consumed)),
                Ok(ServerStep::NeedsContinuation { .. }) => Err(true),
                Ok(ServerStep::Incomplete { .. }) => Err(false),
                Err(_) => return self.go_raw(out),
            };
            let (info, consumed) = match step {
                Ok(found) => found,
                Err(literal) => {
                    if literal {
                        // The upstream answers the literal's announcement; the client waits
                        // for its `+`.
                        let unsent = self.client_in.get(self.forwarded..).unwrap_or_default();
                        out.push(Action::ToUpstream(unsent.to_vec()));
                        self.forwarded = self.client_in.len();
                        continue;
                    }
                    return;
                }
            };
            let (raw, whole) = self.take_message(consumed);
            self.client_message(info, raw, whole, out);
        }
    }

    fn client_message(&mut self, info: Info, raw: Vec<u8>, whole: bool, out: &mut Vec<Action>) {
        let rewrite = self.fault == Fault::AcceptAnyPassword && whole;
        match info {
            Info::StartTls(tag) if self.upstream_tls && !self.client_tls => {
                // auth-before-tls: the upstream is TLS already; only the client leg upgrades.
                out.push(Action::ToClient(
                    format!("{tag} OK Begin TLS negotiation now\r\n").into_bytes(),
                ));
                out.push(Action::SecureClient);
                self.phase = Phase::Hold;
            }
            Info::StartTls(tag) => {
                let mut raw = raw;
                if self.fault != Fault::KeepPretlsBytes {
                    // What a pass-through does: the upstream gets the pipelined plaintext in
                    // the same write and decides what to do with it.
                    raw.append(&mut self.client_in);
                }
                out.push(Action::ToUpstream(raw));
                self.tags.insert(tag, Tagged::StartTls);
                self.phase = Phase::Hold;
            }
            Info::Login(command) if self.fault == Fault::StaleCapabilityCode => {
                self.tags
                    .insert(command.tag.as_str().to_owned(), Tagged::Login);
                out.push(Action::ToUpstream(raw));
            }
            Info::Login(mut command) if rewrite => {
                if let CommandBody::Login { username, password } = &mut command.body
                    && let Some(good) = self
                        .credentials
                        .correction(&username.bytes(), &password.bytes())
                    && let Some(quoted) = Quoted::new(good.expose().as_bytes())
                {
                    *password = IString::Quoted(quoted);
                    out.push(Action::ToUpstream(command.to_bytes()));
                } else {
                    out.push(Action::ToUpstream(raw));
                }
            }
            Info::Authenticate {
                tag,
                plain,
                initial,
            } => {
                self.tags.insert(tag, Tagged::Authenticate);
                self.plain_pending = plain && initial.is_none();
                let corrected = initial
                    .filter(|_| plain && rewrite)
                    .and_then(|mut command| {
                        let CommandBody::Authenticate(authenticate) = &mut command.body else {
                            return None;
                        };
                        let Some(SaslData::Base64(payload)) = &authenticate.initial_response else {
                            return None;
                        };
                        let payload = std::str::from_utf8(payload.as_bytes()).ok()?;
                        let fixed = self.credentials.correct_plain(payload)?;
                        authenticate.initial_response =
                            Some(SaslData::Base64(ByteStr::from(fixed)));
                        Some(command.to_bytes())
                    });
                out.push(Action::ToUpstream(corrected.unwrap_or(raw)));
            }
            Info::Sasl(payload) => {
                let corrected = payload
                    .filter(|_| self.plain_pending && rewrite)
                    .and_then(|payload| self.credentials.correct_plain(&payload));
                self.plain_pending = false;
                match corrected {
                    Some(fixed) => {
                        out.push(Action::ToUpstream(format!("{fixed}\r\n").into_bytes()))
                    }
                    None => out.push(Action::ToUpstream(raw)),
                }
            }
            Info::Login(_) | Info::Other => out.push(Action::ToUpstream(raw)),
        }
    }

    /// The response the client sees for one upstream frame; `authenticated` when it is the
    /// tagged OK completing LOGIN or AUTHENTICATE.
    fn rewrite(&mut self, frame: &[u8], authenticated: bool) -> Vec<u8> {
        let Ok(mut response) = Response::from_frame(frame, self.responses.limits()) else {
            return frame.to_vec();
        };
        self.authenticated |= authenticated;
        let changed = match &self.fault {
            Fault::StaleCapabilityCode if authenticated => {
                match (capabilities_of(&mut response), &self.pre_auth_capabilities) {
                    (Some(caps), Some(stale)) if *caps != *stale => {
                        *caps = stale.clone().into();
                        true
                    }
                    _ => false,
                }
            }
            Fault::StaleCapabilityCode if !self.authenticated => {
                if let Some(caps) = capabilities_of(&mut response) {
                    self.pre_auth_capabilities =
                        Some(caps.iter().map(|c| c.into_owned().into_owned()).collect());
                }
                false
            }
            Fault::StripResponseCode(name) => match &mut response {
                Response::Status(status)
                    if status.tag.is_some()
                        && status.status == Status::Ok
                        && status
                            .text
                            .code
                            .as_ref()
                            .is_some_and(|c| &code_name(c) == name) =>
                {
                    status.text.code = None;
                    true
                }
                _ => false,
            },
            Fault::ReadvertiseStarttls if self.client_tls => capabilities_of(&mut response)
                .is_some_and(|caps| {
                    edit(caps, |caps| {
                        if !caps.contains(&Capability::StartTls) {
                            caps.push(Capability::StartTls);
                        }
                    })
                }),
            Fault::AuthBeforeTls if !self.client_tls => {
                capabilities_of(&mut response).is_some_and(|caps| {
                    edit(caps, |caps| {
                        caps.retain(|c| *c != Capability::LoginDisabled);
                        if !caps.contains(&Capability::StartTls) {
                            caps.push(Capability::StartTls);
                        }
                    })
                })
            }
            Fault::AuthBeforeTlsHidden if !self.client_tls => {
                // What a server refusing plaintext authentication advertises.
                capabilities_of(&mut response).is_some_and(|caps| {
                    edit(caps, |caps| {
                        caps.retain(|c| !matches!(c, Capability::Auth(_)));
                        for wanted in [Capability::StartTls, Capability::LoginDisabled] {
                            if !caps.contains(&wanted) {
                                caps.push(wanted);
                            }
                        }
                    })
                })
            }
            _ => false,
        };
        if changed {
            response.to_bytes()
        } else {
            frame.to_vec()
        }
    }

    fn process_upstream(&mut self, out: &mut Vec<Action>) {
        while self.phase != Phase::Raw && !self.upstream_in.is_empty() {
            let (tagged, consumed) = match self.responses.decode(&self.upstream_in) {
                Ok(Decoded::Complete { value, consumed }) => {
                    let tagged = match &value {
                        Response::Status(status) => status
                            .tag
                            .as_ref()
                            .map(|tag| (tag.as_str().to_owned(), status.status == Status::Ok)),
                        _ => None,
                    };
                    (tagged, consumed)
                }
                Ok(Decoded::Incomplete { .. }) => return,
                Err(_) => return self.go_raw(out),
            };
            let raw: Vec<u8> = self.upstream_in.drain(..consumed).collect();
            if !self.greeted {
                self.greeted = true;
                if self.fault.is_auth_before_tls() && !self.upstream_tls {
                    self.held_greeting = Some(raw);
                    self.phase = Phase::Hold;
                    self.tags
                        .insert(INTERNAL_TAG.to_owned(), Tagged::InternalStartTls);
                    out.push(Action::ToUpstream(
                        format!("{INTERNAL_TAG} STARTTLS\r\n").into_bytes(),
                    ));
                } else {
                    out.push(Action::ToClient(self.rewrite(&raw, false)));
                }
                continue;
            }
            let Some((tag, ok)) = tagged else {
                out.push(Action::ToClient(self.rewrite(&raw, false)));
                continue;
            };
            match self.tags.remove(&tag) {
                Some(Tagged::StartTls) if ok => {
                    self.upstream_in.clear();
                    // The client learns at once, as from the bare server; if the upstream's
                    // handshake then fails, the client's fails too (the session closes).
                    out.push(Action::ToClient(raw));
                    self.client_upgrade_due = true;
                    out.push(Action::SecureUpstream);
                    return;
                }
                Some(Tagged::InternalStartTls) if ok => {
                    self.upstream_in.clear();
                    out.push(Action::SecureUpstream);
                    return;
                }
                Some(Tagged::InternalStartTls) => {
                    if let Some(greeting) = self.held_greeting.take() {
                        out.push(Action::ToClient(greeting));
                    }
                    self.phase = Phase::Open;
                    self.process_client(out);
                }
                Some(Tagged::StartTls) => {
                    out.push(Action::ToClient(self.rewrite(&raw, false)));
                    self.phase = Phase::Open;
                    self.process_client(out);
                }
                Some(Tagged::Authenticate) => {
                    if self.commands.state() == ServerState::Authenticate {
                        self.commands.finish_authentication();
                    }
                    self.plain_pending = false;
                    out.push(Action::ToClient(self.rewrite(&raw, ok)));
                }
                Some(Tagged::Login) => out.push(Action::ToClient(self.rewrite(&raw, ok))),
                None => out.push(Action::ToClient(self.rewrite(&raw, false))),
            }
        }
    }
}

/// The capability list a response carries: untagged CAPABILITY data or a CAPABILITY code.
fn capabilities_of<'r, 'a>(
    response: &'r mut Response<'a>,
) -> Option<&'r mut LazyList<'a, Capability<'a>>> {
    match response {
        Response::Data(Data::Capability(caps)) => Some(caps),
        Response::Status(status) => match &mut status.text.code {
            Some(Code::Capability(caps)) => Some(caps),
            _ => None,
        },
        _ => None,
    }
}

/// Applies `change` to a copy of `caps` and keeps the result; whether the list changed.
fn edit<'a>(
    caps: &mut LazyList<'a, Capability<'a>>,
    change: impl FnOnce(&mut Vec<Capability<'a>>),
) -> bool {
    let before = caps.to_vec();
    let mut after = before.clone();
    change(&mut after);
    let changed = after != before;
    if changed {
        *caps = after.into();
    }
    changed
}

impl Machine for ImapMachine {
    fn client_sent(&mut self, bytes: &[u8]) -> Vec<Action> {
        let mut out = Vec::new();
        let awaiting_starttls = self.tags.values().any(|t| *t == Tagged::StartTls);
        match self.phase {
            Phase::Raw => out.push(Action::ToUpstream(bytes.to_vec())),
            Phase::Hold if awaiting_starttls && self.fault != Fault::KeepPretlsBytes => {
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
        self.responses = ResponseDecoder::new(Limits::default());
        let mut out = Vec::new();
        if std::mem::take(&mut self.client_upgrade_due) {
            out.push(Action::SecureClient);
        } else if let Some(greeting) = self.held_greeting.take() {
            out.push(Action::ToClient(self.rewrite(&greeting, false)));
            self.phase = Phase::Open;
            self.process_client(&mut out);
        }
        out
    }

    fn client_secured(&mut self) -> Vec<Action> {
        self.client_tls = true;
        self.commands = CommandDecoder::new(Limits::default());
        self.forwarded = 0;
        self.phase = Phase::Open;
        let mut out = Vec::new();
        self.process_client(&mut out);
        self.process_upstream(&mut out);
        out
    }
}
