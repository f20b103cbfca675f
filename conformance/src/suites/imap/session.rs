//! An IMAP client session for checks, on `groupwire-imap`: commands are written as IMAP text,
//! parsed by the codec's command parser (so a check cannot send what the grammar forbids) and
//! sent as the fragments its encoder produces, waiting for `+` before each synchronising
//! literal; every server response is decoded by its client-role `ResponseDecoder`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use groupwire_imap::command::{Fragment, LiteralPolicy, encode_fragments, parse_command};
use groupwire_imap::response::code::Code;
use groupwire_imap::response::fetch::{Fetch, FetchAttribute};
use groupwire_imap::response::status::{Status, StatusResponse};
use groupwire_imap::response::{Data, Response};
use groupwire_imap::stream::client::ResponseDecoder;
use groupwire_imap::{Decoded, Encode, IntoOwned, Limits};

use crate::engine::{
    AUTH_PATIENCE, CheckContext, ConnError, Connection, Finding, Framed, UntaggedLimit, show_bytes,
};
use crate::target::{Account, Endpoint, Security};

/// An owned response.
pub type OwnedResponse = Response<'static>;

/// Decodes one response from the front of the buffer for the connection layer.
pub fn frame_response(buffer: &[u8]) -> Framed<OwnedResponse> {
    let mut decoder = ResponseDecoder::new(Limits::default());
    match decoder.decode(buffer) {
        Ok(Decoded::Complete { value, consumed }) => Framed::Complete {
            value: value.into_owned(),
            consumed,
        },
        Ok(Decoded::Incomplete { .. }) => Framed::Incomplete,
        Err(error) => Framed::Invalid(format!("not an IMAP response: {error}")),
    }
}

/// A response as text (re-encoded by the codec), for findings.
pub fn show(response: &OwnedResponse) -> String {
    show_bytes(&response.to_bytes(), 300)
}

/// What one command got back.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Untagged responses (data and untagged status), in order.
    pub untagged: Vec<OwnedResponse>,
    /// Continuation requests received.
    pub continuations: usize,
    /// The tagged completion.
    pub tagged: StatusResponse<'static>,
}

impl Reply {
    /// Whether the completion is OK.
    pub fn is_ok(&self) -> bool {
        self.tagged.status == Status::Ok
    }

    /// The completion status.
    pub fn status(&self) -> Status {
        self.tagged.status
    }

    /// The tagged completion as text.
    pub fn show_tagged(&self) -> String {
        show_bytes(&Response::Status(self.tagged.clone()).to_bytes(), 300)
    }

    /// Everything received, as text.
    pub fn show_all(&self) -> String {
        let mut out = String::new();
        for response in &self.untagged {
            out.push_str(&show(response));
        }
        out.push_str(&self.show_tagged());
        out
    }

    /// Untagged data responses.
    pub fn data(&self) -> impl Iterator<Item = &Data<'static>> {
        self.untagged.iter().filter_map(|r| match r {
            Response::Data(data) => Some(data),
            _ => None,
        })
    }

    /// Response codes of untagged status responses and of the completion.
    pub fn codes(&self) -> impl Iterator<Item = &Code<'static>> {
        self.untagged
            .iter()
            .filter_map(|r| match r {
                Response::Status(status) => status.text.code.as_ref(),
                _ => None,
            })
            .chain(self.tagged.text.code.as_ref())
    }

    /// The last `n EXISTS`.
    pub fn exists(&self) -> Option<u32> {
        self.data()
            .filter_map(|d| match d {
                Data::Exists(n) => Some(*n),
                _ => None,
            })
            .last()
    }

    /// FETCH responses.
    pub fn fetches(&self) -> impl Iterator<Item = &Fetch<'static>> {
        self.data().filter_map(|d| match d {
            Data::Fetch(fetch) => Some(fetch),
            _ => None,
        })
    }

    /// Capability names from CAPABILITY data or a CAPABILITY code, upper-cased.
    pub fn capabilities(&self) -> Vec<String> {
        let mut names = Vec::new();
        for data in self.data() {
            if let Data::Capability(caps) = data {
                names.extend(
                    caps.iter()
                        .map(|c| String::from_utf8_lossy(&c.to_bytes()).to_ascii_uppercase()),
                );
            }
        }
        for code in self.codes() {
            if let Code::Capability(caps) = code {
                names.extend(
                    caps.iter()
                        .map(|c| String::from_utf8_lossy(&c.to_bytes()).to_ascii_uppercase()),
                );
            }
        }
        names
    }

    /// SEARCH (or SORT) numbers.
    pub fn search(&self) -> Option<Vec<u32>> {
        self.data().find_map(|d| match d {
            Data::Search(search) | Data::Sort(search) => Some(search.numbers.iter().collect()),
            _ => None,
        })
    }
}

/// One attribute of a FETCH response, by predicate.
pub fn attribute<T>(
    fetch: &Fetch<'static>,
    pick: impl Fn(&FetchAttribute<'static>) -> Option<T>,
) -> Option<T> {
    fetch.attributes.iter().find_map(|a| pick(&a))
}

/// The UID of a FETCH response.
pub fn fetch_uid(fetch: &Fetch<'static>) -> Option<u32> {
    attribute(fetch, |a| match a {
        FetchAttribute::Uid(uid) => Some(uid.get()),
        _ => None,
    })
}

/// The flags of a FETCH response, as text.
pub fn fetch_flags(fetch: &Fetch<'static>) -> Option<Vec<String>> {
    attribute(fetch, |a| match a {
        FetchAttribute::Flags(flags) => Some(
            flags
                .iter()
                .map(|f| String::from_utf8_lossy(&f.to_bytes()).into_owned())
                .collect(),
        ),
        _ => None,
    })
}

/// The data of the first `BODY[...]` section of a FETCH response.
pub fn fetch_section(fetch: &Fetch<'static>) -> Option<Vec<u8>> {
    attribute(fetch, |a| match a {
        FetchAttribute::BodySection { data, .. } => Some(
            data.as_ref()
                .map(|d| d.bytes().into_owned())
                .unwrap_or_default(),
        ),
        _ => None,
    })
}

/// The untagged responses of one command, kept within the run's [`UntaggedLimit`]: a server
/// that floods them ends the check as an error instead of growing the harness.
struct Untagged {
    responses: Vec<OwnedResponse>,
    start: u64,
    limit: UntaggedLimit,
}

impl Untagged {
    fn new(session: &ImapSession) -> Untagged {
        Untagged {
            responses: Vec::new(),
            start: session.conn.consumed_total(),
            limit: session.max_untagged,
        }
    }

    fn push(&mut self, response: OwnedResponse, conn: &Connection) -> Result<(), Finding> {
        let bytes = conn.consumed_total().saturating_sub(self.start);
        if self.responses.len() >= self.limit.responses
            || bytes > u64::try_from(self.limit.bytes).unwrap_or(u64::MAX)
        {
            let error = format!(
                "server flooded untagged responses: more than {} responses or {} bytes before \
                 the tagged completion ({} responses, {bytes} bytes received; the last: {})",
                self.limit.responses,
                self.limit.bytes,
                self.responses.len() + 1,
                show(&response)
            );
            conn.note(&error);
            return Err(Finding::harness(error));
        }
        self.responses.push(response);
        Ok(())
    }
}

static TAGS: AtomicU32 = AtomicU32::new(1);

/// One IMAP connection of a check.
#[derive(Debug)]
pub struct ImapSession {
    /// The recorded connection.
    pub conn: Connection,
    /// The greeting.
    pub greeting: OwnedResponse,
    io_timeout: Duration,
    max_untagged: UntaggedLimit,
}

impl ImapSession {
    /// Connects to the check's IMAP endpoint and reads the greeting.
    pub async fn connect(cx: &CheckContext) -> Result<ImapSession, Finding> {
        let endpoint = imap_endpoint(cx)?;
        Self::connect_to(cx, &endpoint).await
    }

    /// Connects to `endpoint` and reads the greeting.
    pub async fn connect_to(
        cx: &CheckContext,
        endpoint: &Endpoint,
    ) -> Result<ImapSession, Finding> {
        let mut conn = match cx.connect_to(endpoint).await {
            Ok(conn) => conn,
            Err(Finding::Harness(reason))
                if endpoint.security == Security::Implicit && not_tls(&reason) =>
            {
                return Err(Finding::blocked(
                    IMPLICIT_TLS_OWNER,
                    cx.check().map(|c| c.id),
                    "a TLS handshake on the implicit-TLS port",
                    reason,
                ));
            }
            Err(other) => return Err(other),
        };
        let greeting = conn.read_until_decoded(frame_response).await?;
        Ok(ImapSession {
            conn,
            greeting,
            io_timeout: cx.io_timeout(),
            max_untagged: cx.env().max_untagged,
        })
    }

    /// Reads one response.
    pub async fn read(&mut self) -> Result<OwnedResponse, Finding> {
        Ok(self.conn.read_until_decoded(frame_response).await?)
    }

    /// Reads one response, `None` on timeout (for "nothing more should arrive").
    pub async fn read_within(
        &mut self,
        within: Duration,
    ) -> Result<Option<OwnedResponse>, Finding> {
        let saved = self.io_timeout;
        self.conn.set_read_timeout(within);
        let result = self.conn.read_until_decoded(frame_response).await;
        self.conn.set_read_timeout(saved);
        match result {
            Ok(response) => Ok(Some(response)),
            Err(ConnError::Timeout { .. }) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Runs one command given as IMAP text without tag and CRLF (literals written inline as
    /// `{n}\r\n<data>`), with synchronising literals unless `policy` says otherwise.
    pub async fn run_with(
        &mut self,
        text: &[u8],
        policy: LiteralPolicy,
        secret: bool,
    ) -> Result<Reply, Finding> {
        let tag = format!("g{}", TAGS.fetch_add(1, Ordering::Relaxed));
        let mut line = Vec::with_capacity(text.len() + 16);
        line.extend_from_slice(tag.as_bytes());
        line.push(b' ');
        line.extend_from_slice(text);
        line.extend_from_slice(b"\r\n");
        let command = parse_command(&line, Limits::default()).map_err(|error| {
            Finding::harness(format!(
                "the harness wrote an invalid command ({error}): {}",
                show_bytes(&line, 200)
            ))
        })?;
        let fragments: Vec<Fragment> = encode_fragments(&command, policy).collect();
        let mut untagged = Untagged::new(self);
        let mut continuations = 0;
        let count = fragments.len();
        for (index, fragment) in fragments.into_iter().enumerate() {
            let bytes = match fragment {
                Fragment::Line(bytes) => bytes,
                Fragment::Literal { data, .. } => data,
            };
            if secret {
                self.conn.send_secret(&bytes).await?;
            } else {
                self.conn.send(&bytes).await?;
            }
            // The codec splits at literals: a fragment followed by another one ended with a
            // literal announcement; a synchronising one waits for `+`.
            let next_is_sync =
                index + 1 < count && bytes.ends_with(b"}\r\n") && !bytes.ends_with(b"+}\r\n");
            if next_is_sync {
                loop {
                    let response = self.read().await?;
                    match response {
                        Response::Continuation(_) => {
                            continuations += 1;
                            break;
                        }
                        Response::Status(status)
                            if status.tag.as_ref().is_some_and(|t| t.as_str() == tag) =>
                        {
                            return Ok(Reply {
                                untagged: untagged.responses,
                                continuations,
                                tagged: status,
                            });
                        }
                        other => untagged.push(other, &self.conn)?,
                    }
                }
            }
        }
        loop {
            let response = self.read().await?;
            match response {
                Response::Status(status)
                    if status.tag.as_ref().is_some_and(|t| t.as_str() == tag) =>
                {
                    return Ok(Reply {
                        untagged: untagged.responses,
                        continuations,
                        tagged: status,
                    });
                }
                Response::Continuation(_) => continuations += 1,
                other => untagged.push(other, &self.conn)?,
            }
        }
    }

    /// Runs one command (see [`ImapSession::run_with`]).
    pub async fn run(&mut self, text: &str) -> Result<Reply, Finding> {
        self.run_with(text.as_bytes(), LiteralPolicy::Synchronizing, false)
            .await
    }

    /// Runs a command that must complete OK; anything else is a harness problem (the check
    /// is about something else).
    pub async fn must(&mut self, text: &str) -> Result<Reply, Finding> {
        let reply = self.run(text).await?;
        if reply.is_ok() {
            Ok(reply)
        } else {
            Err(Finding::harness(format!(
                "{text} failed: {}",
                reply.show_tagged()
            )))
        }
    }

    /// `STARTTLS` then the handshake.
    pub async fn starttls(&mut self) -> Result<(), Finding> {
        let reply = self.run("STARTTLS").await?;
        if !reply.is_ok() {
            return Err(Finding::violation("OK to STARTTLS", reply.show_tagged()));
        }
        self.conn.start_tls().await?;
        Ok(())
    }

    /// Connects and, for a STARTTLS endpoint, upgrades to TLS.
    pub async fn secure(cx: &CheckContext) -> Result<ImapSession, Finding> {
        let endpoint = imap_endpoint(cx)?;
        let mut session = Self::connect_to(cx, &endpoint).await?;
        if endpoint.security == Security::StartTls {
            session
                .starttls()
                .await
                .map_err(|finding| starttls_blocked(cx, finding))?;
        }
        Ok(session)
    }

    /// `LOGIN` as `account`.
    pub async fn login(&mut self, account: &Account) -> Result<Reply, Finding> {
        let text = format!(
            "LOGIN {} {}",
            quoted(&account.user),
            quoted(account.password.expose())
        );
        let saved = self.conn.read_timeout();
        self.conn.set_read_timeout(saved.max(AUTH_PATIENCE));
        let reply = self
            .run_with(text.as_bytes(), LiteralPolicy::Synchronizing, true)
            .await;
        self.conn.set_read_timeout(saved);
        reply
    }

    /// `AUTHENTICATE PLAIN` for `account` in the continuation form (no initial response, so
    /// no SASL-IR needed): the tagged completion, with `continuations` counting the `+`.
    pub async fn authenticate_plain(&mut self, account: &Account) -> Result<Reply, Finding> {
        let saved = self.conn.read_timeout();
        self.conn.set_read_timeout(saved.max(AUTH_PATIENCE));
        let reply = self.authenticate_plain_exchange(account).await;
        self.conn.set_read_timeout(saved);
        reply
    }

    async fn authenticate_plain_exchange(&mut self, account: &Account) -> Result<Reply, Finding> {
        let tag = format!("g{}", TAGS.fetch_add(1, Ordering::Relaxed));
        self.conn
            .send(format!("{tag} AUTHENTICATE PLAIN\r\n").as_bytes())
            .await?;
        let mut untagged = Untagged::new(self);
        let mut continuations = 0;
        loop {
            match self.read().await? {
                Response::Status(status)
                    if status.tag.as_ref().is_some_and(|t| t.as_str() == tag) =>
                {
                    return Ok(Reply {
                        untagged: untagged.responses,
                        continuations,
                        tagged: status,
                    });
                }
                Response::Continuation(_) if continuations == 0 => {
                    continuations += 1;
                    let message = groupwire_smtp::auth::plain_message(
                        "",
                        &account.user,
                        account.password.expose(),
                    );
                    let line = format!("{}\r\n", groupwire_smtp::auth::base64_encode(&message));
                    self.conn.send_secret(line.as_bytes()).await?;
                }
                Response::Continuation(_) => {
                    // PLAIN is one message; a second challenge is answered by cancelling.
                    continuations += 1;
                    self.conn.send(b"*\r\n").await?;
                }
                other => untagged.push(other, &self.conn)?,
            }
        }
    }

    /// A secure session logged in as account `index`.
    pub async fn ready(cx: &CheckContext, index: usize) -> Result<ImapSession, Finding> {
        let account = cx.account(index)?.clone();
        let mut session = Self::secure(cx).await?;
        let reply = session.login(&account).await?;
        if !reply.is_ok() {
            return Err(Finding::blocked(
                LOGIN_OWNER,
                cx.check().map(|c| c.id),
                format!("OK to LOGIN as {}", account.user),
                reply.show_tagged(),
            ));
        }
        Ok(session)
    }

    /// Asks for IMAP4rev2 semantics where they are not the default: a server that advertises
    /// both IMAP4rev1 and IMAP4rev2 answers as RFC 3501 says until `ENABLE IMAP4rev2`
    /// (RFC 9051 §7.2.2). Call in the authenticated state.
    pub async fn enable_rev2(&mut self, cx: &CheckContext) -> Result<(), Finding> {
        if cx.advertises("IMAP4rev1") && cx.advertises("IMAP4rev2") {
            self.must("ENABLE IMAP4rev2").await?;
        }
        Ok(())
    }

    /// `LOGOUT` and close.
    pub async fn logout(mut self) {
        let _ = self.run("LOGOUT").await;
        self.conn.close().await;
    }
}

/// The check that owns "the implicit-TLS port speaks TLS": every other check is blocked by it
/// when the handshake fails because the server does not speak TLS at all.
pub const IMPLICIT_TLS_OWNER: &str = "imap.implicit-tls.handshake";

/// Whether a handshake failure says the peer sent something that is not TLS (rustls: "received
/// corrupt message of type InvalidContentType"), as opposed to a certificate or version
/// problem, which stays a harness error for the run to report once.
fn not_tls(reason: &str) -> bool {
    reason.contains("InvalidContentType")
}

/// The check that owns "LOGIN with the target's credentials works": every other check that
/// needs a logged-in session is blocked by it, not failed, when the login is refused.
pub const LOGIN_OWNER: &str = "imap.login.ok";

/// A failed STARTTLS as a precondition: blocked by the check that owns it, which is
/// `imap.capability.starttls` when the probe saw no STARTTLS at all, else `imap.starttls.ok`.
pub fn starttls_blocked(cx: &CheckContext, finding: Finding) -> Finding {
    let owner = if cx.capabilities().is_some() && !cx.advertises("STARTTLS") {
        "imap.capability.starttls"
    } else {
        "imap.starttls.ok"
    };
    match finding {
        Finding::Violation { expected, actual } => {
            Finding::blocked(owner, cx.check().map(|c| c.id), expected, actual)
        }
        other => other,
    }
}

/// The IMAP endpoint of the target (the check may belong to another protocol's suite).
pub fn imap_endpoint(cx: &CheckContext) -> Result<Endpoint, Finding> {
    cx.target()
        .imap
        .clone()
        .ok_or_else(|| Finding::not_run("the target has no IMAP endpoint"))
}

/// An IMAP quoted string.
pub fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// An IMAP literal holding `data`, as command text: `{n}\r\n<data>`.
pub fn literal(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{{{}}}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out
}
