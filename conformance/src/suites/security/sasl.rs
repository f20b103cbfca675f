//! SASL beyond PLAIN (issue 12): SCRAM-SHA-256 (RFC 7677 on RFC 5802) and OAUTHBEARER
//! (RFC 7628) over IMAP `AUTHENTICATE` and SMTP `AUTH`, on the target's IMAP and submission
//! endpoints (after TLS), and which mechanisms each offers before and after TLS.
//!
//! A check whose mechanism a service does not advertise skips that service, except where
//! "never trust the advertisement" applies: a bad SCRAM proof and a bad bearer token are
//! tried all the same, and an unadvertised mechanism that lets the bad credential in fails.
//! Every exchange runs on a connection of its own; what the client sends in it is masked in
//! the transcript, what the server sends is recorded as it came.

use std::sync::atomic::{AtomicU32, Ordering};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use groupwire_imap::response::Response;
use groupwire_imap::response::continuation::Continuation;
use groupwire_imap::response::status::Status;

use super::services::{Kind, Service};
use crate::engine::{AUTH_PATIENCE, CheckContext, CheckResult, Finding, show_bytes};
use crate::sasl::oauthbearer;
use crate::sasl::scram::{Hash, ScramClient};
use crate::suites::imap::session::{ImapSession, frame_response};
use crate::suites::smtp::session::{SmtpSession, code, show};
use crate::target::{Account, Security};

/// The mechanism of the SCRAM checks.
pub const SCRAM: &str = "SCRAM-SHA-256";
/// The mechanism of the bearer-token checks.
pub const OAUTHBEARER: &str = "OAUTHBEARER";
/// Mechanisms that carry a bearer token in the clear (RFC 7628 §3: TLS MUST protect it).
const BEARER: [&str; 2] = ["OAUTHBEARER", "XOAUTH2"];

static TAGS: AtomicU32 = AtomicU32::new(1);

/// The IMAP and submission endpoints where the SASL checks run (the protocol endpoints and
/// their implicit-TLS companions, each `host:port` once; plaintext ones are left out).
fn sasl_services(cx: &CheckContext) -> Result<Vec<Service>, Finding> {
    let target = cx.target();
    let mut services: Vec<Service> = Vec::new();
    for (endpoint, kind) in [
        (&target.imap, Kind::Imap),
        (&target.imaps, Kind::Imap),
        (&target.smtp, Kind::Smtp),
        (&target.smtps, Kind::Smtp),
    ] {
        let Some(endpoint) = endpoint.as_ref() else {
            continue;
        };
        let known = services
            .iter()
            .any(|s| s.endpoint.host == endpoint.host && s.endpoint.port == endpoint.port);
        if endpoint.security != Security::Plain && !known {
            services.push(Service {
                endpoint: endpoint.clone(),
                kind,
            });
        }
    }
    if services.is_empty() {
        return Err(Finding::not_run(
            "the target names no IMAP or submission endpoint with TLS",
        ));
    }
    Ok(services)
}

/// What the server sent at one step of an exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A challenge (`+ ...` / `334 ...`), decoded from base64.
    Challenge(Vec<u8>),
    /// The end: accepted (tagged OK / 2xx) or not, and the final line as shown.
    Done {
        /// Whether the server accepted the authentication.
        accepted: bool,
        /// The final response, for evidence.
        shown: String,
    },
}

/// One authentication exchange on one connection.
enum Channel {
    Imap { session: ImapSession, tag: String },
    Smtp(SmtpSession),
}

fn decode_challenge(text: &[u8]) -> Vec<u8> {
    let trimmed = text.trim_ascii();
    if trimmed.is_empty() || trimmed == b"=" {
        return Vec::new();
    }
    STANDARD.decode(trimmed).unwrap_or_default()
}

impl Channel {
    /// A TLS-protected connection to `service` (STARTTLS done where needed), and the SASL
    /// mechanisms it advertises there.
    async fn open(cx: &CheckContext, service: &Service) -> Result<(Channel, Vec<String>), Finding> {
        match service.kind {
            Kind::Imap => {
                let mut session = ImapSession::connect_to(cx, &service.endpoint).await?;
                if service.endpoint.security == Security::StartTls {
                    session.starttls().await.map_err(|finding| match finding {
                        Finding::Violation { actual, .. } => Finding::harness(format!(
                            "STARTTLS on {} failed: {actual}",
                            service.label()
                        )),
                        other => other,
                    })?;
                }
                let reply = session.run("CAPABILITY").await?;
                let mechanisms = imap_mechanisms(&reply.capabilities());
                // The channel only authenticates: servers may delay that on purpose.
                let timeout = session.conn.read_timeout().max(AUTH_PATIENCE);
                session.conn.set_read_timeout(timeout);
                Ok((
                    Channel::Imap {
                        session,
                        tag: String::new(),
                    },
                    mechanisms,
                ))
            }
            _ => {
                let mut session = SmtpSession::secure_to(cx, &service.endpoint).await?;
                let mechanisms = session.auth_mechanisms();
                let timeout = session.conn.read_timeout().max(AUTH_PATIENCE);
                session.conn.set_read_timeout(timeout);
                Ok((Channel::Smtp(session), mechanisms))
            }
        }
    }

    /// Starts `mechanism`; `initial` is sent as the initial response (SMTP) or in answer to
    /// the first, empty challenge (IMAP, which needs no SASL-IR that way).
    async fn start(&mut self, mechanism: &str, initial: Option<&[u8]>) -> Result<Step, Finding> {
        match self {
            Channel::Imap { session, tag } => {
                *tag = format!("s{}", TAGS.fetch_add(1, Ordering::Relaxed));
                session
                    .conn
                    .send(format!("{tag} AUTHENTICATE {mechanism}\r\n").as_bytes())
                    .await?;
                let step = self.read().await?;
                match (step, initial) {
                    (Step::Challenge(data), Some(initial)) if data.is_empty() => {
                        self.respond(initial).await
                    }
                    (step, _) => Ok(step),
                }
            }
            Channel::Smtp(session) => {
                let line = match initial {
                    Some(initial) => format!("AUTH {mechanism} {}\r\n", encode(initial)),
                    None => format!("AUTH {mechanism}\r\n"),
                };
                session.conn.send_secret(line.as_bytes()).await?;
                self.read().await
            }
        }
    }

    /// Answers a challenge with `data` (base64-encoded here).
    async fn respond(&mut self, data: &[u8]) -> Result<Step, Finding> {
        let line = format!("{}\r\n", encode(data));
        match self {
            Channel::Imap { session, .. } => session.conn.send_secret(line.as_bytes()).await?,
            Channel::Smtp(session) => session.conn.send_secret(line.as_bytes()).await?,
        }
        self.read().await
    }

    /// Cancels the exchange with `*`.
    async fn abort(&mut self) -> Result<Step, Finding> {
        match self {
            Channel::Imap { session, .. } => session.conn.send(b"*\r\n").await?,
            Channel::Smtp(session) => session.conn.send(b"*\r\n").await?,
        }
        self.read().await
    }

    async fn read(&mut self) -> Result<Step, Finding> {
        match self {
            Channel::Imap { session, tag } => {
                for _ in 0..MAX_UNTAGGED {
                    if let Some(step) = imap_step(session, tag).await? {
                        return Ok(step);
                    }
                }
                Err(Finding::harness(format!(
                    "more than {MAX_UNTAGGED} untagged responses during AUTHENTICATE"
                )))
            }
            Channel::Smtp(session) => {
                let reply = session.read_reply().await?;
                if code(&reply) == 334 {
                    let text = reply
                        .challenge()
                        .map(|payload| payload.0.as_bytes().to_vec())
                        .unwrap_or_default();
                    return Ok(Step::Challenge(decode_challenge(&text)));
                }
                Ok(Step::Done {
                    accepted: code(&reply) / 100 == 2,
                    shown: show(&reply),
                })
            }
        }
    }

    async fn close(self) {
        match self {
            Channel::Imap { session, .. } => session.logout().await,
            Channel::Smtp(session) => session.quit().await,
        }
    }
}

/// Untagged responses tolerated in one AUTHENTICATE exchange before the harness gives up.
const MAX_UNTAGGED: usize = 1000;

/// Reads one IMAP response of an exchange: a step, or `None` for an untagged response that
/// is not the end (skipped).
async fn imap_step(session: &mut ImapSession, tag: &str) -> Result<Option<Step>, Finding> {
    Ok(
        match session.conn.read_until_decoded(frame_response).await? {
            Response::Continuation(Continuation::Base64(data)) => {
                Some(Step::Challenge(decode_challenge(data.as_bytes())))
            }
            Response::Continuation(Continuation::Text(text)) => {
                Some(Step::Challenge(decode_challenge(text.text.as_bytes())))
            }
            Response::Status(status) if status.tag.as_ref().is_some_and(|t| t.as_str() == tag) => {
                let accepted = status.status == Status::Ok;
                Some(Step::Done {
                    accepted,
                    shown: crate::suites::imap::session::show(&Response::Status(status)),
                })
            }
            Response::Status(status) if status.tag.is_none() && status.status == Status::Bye => {
                Some(Step::Done {
                    accepted: false,
                    shown: crate::suites::imap::session::show(&Response::Status(status)),
                })
            }
            _ => None,
        },
    )
}

/// A client response line: base64, or an empty line for an empty response (RFC 9051
/// §6.2.2, RFC 4954 §4: `=` stands for an empty *initial* response only, never sent here).
fn encode(data: &[u8]) -> String {
    STANDARD.encode(data)
}

/// The `AUTH=` mechanisms of an IMAP capability list, upper-cased.
pub fn imap_mechanisms(capabilities: &[String]) -> Vec<String> {
    capabilities
        .iter()
        .filter_map(|c| c.strip_prefix("AUTH="))
        .map(str::to_ascii_uppercase)
        .collect()
}

/// How one service fared in a check.
enum Outcome {
    Pass(String),
    Bad(String),
    Skip(String),
}

/// Gathers per-service outcomes into the check's result: any breach fails, else any error
/// is the result, else a pass when at least one service passed, else a skip.
fn conclude(
    cx: &CheckContext,
    results: Vec<(Service, Result<Outcome, Finding>)>,
    expected: &str,
) -> CheckResult {
    let mut bad = Vec::new();
    let mut errors = Vec::new();
    let mut passed = false;
    let mut skipped = Vec::new();
    for (service, result) in results {
        match result {
            Ok(Outcome::Pass(note)) => {
                passed = true;
                cx.note(format!("{}: {note}", service.label()));
            }
            Ok(Outcome::Bad(what)) => bad.push(format!("{}: {what}", service.label())),
            Ok(Outcome::Skip(why)) => {
                cx.note(format!("{}: {why}", service.label()));
                skipped.push(format!("{}: {why}", service.label()));
            }
            Err(finding) => errors.push(finding),
        }
    }
    if !bad.is_empty() {
        return Err(Finding::violation(expected, bad.join("; ")));
    }
    if let Some(error) = errors.into_iter().next() {
        return Err(error);
    }
    if passed {
        Ok(())
    } else {
        Err(Finding::skip(skipped.join("; ")))
    }
}

/// What a SCRAM exchange came to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ScramEnd {
    /// Accepted, after a server signature that verified.
    Verified { iterations: u32, shown: String },
    /// Accepted without the server-final message (no `v=` to verify).
    AcceptedUnverified(String),
    /// The server's `v=` did not verify (the client cancelled, as RFC 5802 §5 says).
    BadSignature(String),
    /// Refused (at any step).
    Refused(String),
}

async fn scram_exchange(
    channel: &mut Channel,
    account: &Account,
    spoil_proof: bool,
) -> Result<ScramEnd, Finding> {
    let mut client = ScramClient::new(Hash::Sha256, &account.user, account.password.expose());
    let first = client.client_first();
    let server_first = match channel.start(SCRAM, Some(first.as_bytes())).await? {
        Step::Challenge(data) => data,
        Step::Done {
            accepted: true,
            shown,
        } => return Ok(ScramEnd::AcceptedUnverified(shown)),
        Step::Done { shown, .. } => return Ok(ScramEnd::Refused(shown)),
    };
    let last = match client.client_final(&server_first, spoil_proof) {
        Ok(last) => last,
        Err(error) => {
            let _ = channel.abort().await;
            return Err(Finding::violation(
                "an RFC 5802 server-first message (r=<client nonce + server nonce>,s=,i=)",
                format!("{error}: {}", show_bytes(&server_first, 200)),
            ));
        }
    };
    let iterations = client.server_first().map_or(0, |s| s.iterations);
    match channel.respond(last.as_bytes()).await? {
        Step::Challenge(server_final) => match client.verify_server_final(&server_final) {
            Ok(()) => match channel.respond(b"").await? {
                Step::Done {
                    accepted: true,
                    shown,
                } => Ok(ScramEnd::Verified { iterations, shown }),
                Step::Done { shown, .. } => Ok(ScramEnd::Refused(shown)),
                Step::Challenge(more) => {
                    let _ = channel.abort().await;
                    Ok(ScramEnd::Refused(format!(
                        "a further challenge after the server-final message: {}",
                        show_bytes(&more, 100)
                    )))
                }
            },
            Err(crate::sasl::scram::ScramError::ServerError(error)) => {
                let end = channel.abort().await?;
                Ok(ScramEnd::Refused(format!(
                    "e={error}, then {}",
                    shown(&end)
                )))
            }
            Err(error) => {
                let end = channel.abort().await?;
                Ok(ScramEnd::BadSignature(format!(
                    "{error} ({}); the client cancelled: {}",
                    show_bytes(&server_final, 100),
                    shown(&end)
                )))
            }
        },
        Step::Done {
            accepted: true,
            shown,
        } => Ok(ScramEnd::AcceptedUnverified(shown)),
        Step::Done { shown, .. } => Ok(ScramEnd::Refused(shown)),
    }
}

fn shown(step: &Step) -> String {
    match step {
        Step::Challenge(data) => format!("a challenge {}", show_bytes(data, 100)),
        Step::Done { shown, .. } => shown.clone(),
    }
}

/// `security.sasl.scram-sha-256`: where SCRAM-SHA-256 is advertised, the account logs in
/// with it and the server's signature (`v=`) verifies.
pub async fn scram_sha256(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut results = Vec::new();
    for service in sasl_services(&cx)? {
        let result = async {
            let (mut channel, mechanisms) = Channel::open(&cx, &service).await?;
            if !mechanisms.iter().any(|m| m == SCRAM) {
                channel.close().await;
                return Ok(Outcome::Skip(format!(
                    "{SCRAM} not advertised (mechanisms: {})",
                    mechanisms.join(" ")
                )));
            }
            let end = scram_exchange(&mut channel, &account, false).await?;
            channel.close().await;
            Ok(match end {
                ScramEnd::Verified { iterations, shown } => {
                    if iterations < 4096 {
                        cx.note(format!(
                            "{}: iteration count {iterations} (RFC 7677 §3: SHOULD be at least 4096)",
                            service.label()
                        ));
                    }
                    Outcome::Pass(format!(
                        "{SCRAM} login as {} with a verified server signature, i={iterations}: {shown}",
                        account.user
                    ))
                }
                ScramEnd::BadSignature(what) => {
                    Outcome::Bad(format!("the server signature does not verify: {what}"))
                }
                ScramEnd::AcceptedUnverified(shown) => Outcome::Bad(format!(
                    "success without a server-final message (no v= to verify): {shown}"
                )),
                ScramEnd::Refused(shown) => Outcome::Bad(format!(
                    "{SCRAM} advertised but the account's login refused: {shown}"
                )),
            })
        }
        .await;
        results.push((service, result));
    }
    conclude(
        &cx,
        results,
        "SCRAM-SHA-256 login accepted, with a server signature that verifies",
    )
}

/// Logs in with SCRAM and the right password after a refused wrong proof, so the delay a
/// server puts on every login from this address after a failure (Dovecot: 4, 8, then 15 s,
/// growing with each failure it cannot tell from the last, as a SCRAM proof) ends here
/// instead of reaching the checks running beside this one. What came of it is noted; it is
/// not part of the verdict.
async fn forgive_scram_failure(cx: &CheckContext, service: &Service, account: &Account) {
    let outcome = match Channel::open(cx, service).await {
        Ok((mut channel, _)) => {
            let end = scram_exchange(&mut channel, account, false).await;
            channel.close().await;
            match end {
                Ok(ScramEnd::Verified { shown, .. } | ScramEnd::AcceptedUnverified(shown)) => {
                    format!("logged in: {shown}")
                }
                Ok(ScramEnd::Refused(shown) | ScramEnd::BadSignature(shown)) => {
                    format!("not logged in: {shown}")
                }
                Err(finding) => format!("not logged in: {}", finding.reason()),
            }
        }
        Err(finding) => format!("no connection: {}", finding.reason()),
    };
    cx.note(format!(
        "{}: a {SCRAM} login with the right password after the refusal, to end the server's \
         failed-login delay: {outcome}",
        service.label()
    ));
}

/// `security.sasl.scram-bad-proof-refused`: a client-final message whose proof is wrong
/// (the client does not know the password) is refused; tried where SCRAM-SHA-256 is not
/// advertised too.
pub async fn scram_bad_proof_refused(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut results = Vec::new();
    for service in sasl_services(&cx)? {
        let result = async {
            let (mut channel, mechanisms) = Channel::open(&cx, &service).await?;
            let advertised = mechanisms.iter().any(|m| m == SCRAM);
            let end = scram_exchange(&mut channel, &account, true).await?;
            channel.close().await;
            if advertised && matches!(end, ScramEnd::Refused(_)) {
                forgive_scram_failure(&cx, &service, &account).await;
            }
            let hidden = if advertised { "" } else { " (not advertised)" };
            Ok(match end {
                ScramEnd::Verified { shown, .. } | ScramEnd::AcceptedUnverified(shown) => {
                    Outcome::Bad(format!(
                        "{SCRAM}{hidden} accepted a wrong client proof (authentication bypass): {shown}"
                    ))
                }
                ScramEnd::Refused(shown) if advertised => {
                    Outcome::Pass(format!("a wrong client proof refused: {shown}"))
                }
                ScramEnd::Refused(shown) => Outcome::Skip(format!(
                    "{SCRAM} not advertised; tried all the same with a wrong proof and refused: {shown}"
                )),
                ScramEnd::BadSignature(what) => Outcome::Skip(format!(
                    "the server signature did not verify, so the client gave up: {what}"
                )),
            })
        }
        .await;
        results.push((service, result));
    }
    conclude(&cx, results, "a wrong SCRAM client proof refused")
}

/// `security.sasl.oauthbearer`: where OAUTHBEARER is advertised and the target gives the
/// account's token (`oauth_token`), the login works.
pub async fn oauthbearer_login(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut results = Vec::new();
    for service in sasl_services(&cx)? {
        let result = async {
            let (mut channel, mechanisms) = Channel::open(&cx, &service).await?;
            if !mechanisms.iter().any(|m| m == OAUTHBEARER) {
                channel.close().await;
                return Ok(Outcome::Skip(format!(
                    "{OAUTHBEARER} not advertised (mechanisms: {})",
                    mechanisms.join(" ")
                )));
            }
            let Some(token) = account.oauth_token.clone() else {
                channel.close().await;
                return Ok(Outcome::Skip(format!(
                    "{OAUTHBEARER} advertised, but the target gives no oauth_token for {}",
                    account.user
                )));
            };
            let message = oauthbearer::initial_response(
                &account.user,
                token.expose(),
                Some((&service.endpoint.host, service.endpoint.port)),
            );
            let outcome = match channel.start(OAUTHBEARER, Some(&message)).await? {
                Step::Done {
                    accepted: true,
                    shown,
                } => Outcome::Pass(format!(
                    "{OAUTHBEARER} login as {} with its token: {shown}",
                    account.user
                )),
                Step::Done { shown, .. } => {
                    Outcome::Bad(format!("the account's token refused: {shown}"))
                }
                Step::Challenge(error) => {
                    let end = channel.respond(oauthbearer::DUMMY_RESPONSE).await?;
                    Outcome::Bad(format!(
                        "the account's token refused with {}, then {}",
                        show_bytes(&error, 200),
                        shown(&end)
                    ))
                }
            };
            channel.close().await;
            Ok(outcome)
        }
        .await;
        results.push((service, result));
    }
    conclude(
        &cx,
        results,
        "OAUTHBEARER login with the account's token accepted",
    )
}

/// `security.sasl.oauthbearer-bad-token-refused`: a made-up bearer token is answered with an
/// RFC 7628 error result (a JSON challenge with `status`), and after the client's `%x01`
/// the authentication fails; tried where OAUTHBEARER is not advertised too.
pub async fn oauthbearer_bad_token_refused(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let token = format!("{}-not-a-token", cx.run_prefix());
    let mut results = Vec::new();
    for service in sasl_services(&cx)? {
        let result = async {
            let (mut channel, mechanisms) = Channel::open(&cx, &service).await?;
            let advertised = mechanisms.iter().any(|m| m == OAUTHBEARER);
            let message = oauthbearer::initial_response(
                &account.user,
                &token,
                Some((&service.endpoint.host, service.endpoint.port)),
            );
            let first = channel.start(OAUTHBEARER, Some(&message)).await?;
            let outcome = match first {
                Step::Done {
                    accepted: true,
                    shown,
                } => Outcome::Bad(format!(
                    "a made-up bearer token accepted (authentication bypass){}: {shown}",
                    if advertised { "" } else { ", OAUTHBEARER not even advertised" }
                )),
                Step::Done { shown, .. } if !advertised => Outcome::Skip(format!(
                    "{OAUTHBEARER} not advertised; tried all the same and refused: {shown}"
                )),
                Step::Done { shown, .. } => Outcome::Bad(format!(
                    "refused without the RFC 7628 error result (a JSON challenge with status): {shown}"
                )),
                Step::Challenge(error) => {
                    let status = oauthbearer::error_status(&error);
                    let end = channel.respond(oauthbearer::DUMMY_RESPONSE).await?;
                    match (status, end) {
                        (_, Step::Done {
                            accepted: true,
                            shown,
                        }) => Outcome::Bad(format!(
                            "a made-up bearer token accepted after the error challenge: {shown}"
                        )),
                        (Some(status), Step::Done { shown, .. }) => Outcome::Pass(format!(
                            "error result status {status:?}, then after %x01: {shown}"
                        )),
                        (None, end) => Outcome::Bad(format!(
                            "the error challenge is not a JSON object with status: {}; then {}",
                            show_bytes(&error, 200),
                            shown(&end)
                        )),
                        (Some(_), Step::Challenge(more)) => {
                            let _ = channel.abort().await;
                            Outcome::Bad(format!(
                                "another challenge after %x01 instead of failure: {}",
                                show_bytes(&more, 100)
                            ))
                        }
                    }
                }
            };
            channel.close().await;
            Ok(outcome)
        }
        .await;
        results.push((service, result));
    }
    conclude(
        &cx,
        results,
        "a made-up bearer token answered with an error result in JSON, then refused",
    )
}

/// What a service offers before TLS (`None` for an implicit-TLS endpoint, which has no
/// "before") and after, and what became of a made-up bearer token tried before TLS whatever
/// was advertised (`Some(evidence)` when the server read and judged it: an error challenge
/// or an acceptance; a plain refusal cannot be told from "not offered" and counts as one).
struct Offered {
    before: Option<Vec<String>>,
    after: Vec<String>,
    bearer_in_clear: Option<String>,
}

async fn offered(cx: &CheckContext, service: &Service) -> Result<Offered, Finding> {
    let mut bearer_in_clear = None;
    let before = if service.endpoint.security == Security::StartTls {
        let (mut channel, mechanisms) = match service.kind {
            Kind::Imap => {
                let mut session = ImapSession::connect_to(cx, &service.endpoint).await?;
                let reply = session.run("CAPABILITY").await?;
                let mechanisms = imap_mechanisms(&reply.capabilities());
                (
                    Channel::Imap {
                        session,
                        tag: String::new(),
                    },
                    mechanisms,
                )
            }
            _ => {
                let mut session = SmtpSession::connect_to(cx, &service.endpoint).await?;
                session.ehlo().await?;
                let mechanisms = session.auth_mechanisms();
                (Channel::Smtp(session), mechanisms)
            }
        };
        // Never trust the advertisement: a made-up token, in the clear.
        let token = format!("{}-not-a-token", cx.run_prefix());
        let message = oauthbearer::initial_response("nobody@groupwire.invalid", &token, None);
        match channel.start(OAUTHBEARER, Some(&message)).await {
            Ok(Step::Challenge(error)) => {
                let end = channel.respond(oauthbearer::DUMMY_RESPONSE).await;
                bearer_in_clear = Some(format!(
                    "a bearer token read before TLS: error challenge {}, then {}",
                    show_bytes(&error, 120),
                    end.map(|end| shown(&end)).unwrap_or_else(|f| f.reason())
                ));
            }
            Ok(Step::Done {
                accepted: true,
                shown,
            }) => {
                bearer_in_clear = Some(format!(
                    "a made-up bearer token accepted before TLS: {shown}"
                ));
            }
            Ok(Step::Done { shown, .. }) => {
                cx.note(format!(
                    "{}: OAUTHBEARER tried before TLS: refused ({shown})",
                    service.label()
                ));
            }
            // A server that hangs up on it refuses it.
            Err(finding) => cx.note(format!(
                "{}: OAUTHBEARER tried before TLS: {}",
                service.label(),
                finding.reason()
            )),
        }
        channel.close().await;
        Some(mechanisms)
    } else {
        None
    };
    let (channel, after) = Channel::open(cx, service).await?;
    channel.close().await;
    Ok(Offered {
        before,
        after,
        bearer_in_clear,
    })
}

/// `security.sasl.mechanisms`: reports the mechanisms each IMAP and submission endpoint
/// offers before and after TLS (PLAIN and LOGIN before TLS are judged by
/// `imap.login.refused-before-tls` and `smtp.auth.not-before-tls`); fails when a bearer-token
/// mechanism (OAUTHBEARER, XOAUTH2) is offered before TLS, or OAUTHBEARER, tried there with
/// a made-up token whatever was advertised, is run in the clear.
pub async fn mechanisms(cx: CheckContext) -> CheckResult {
    let mut results = Vec::new();
    for service in sasl_services(&cx)? {
        let result = async {
            let Offered {
                before,
                after,
                bearer_in_clear,
            } = offered(&cx, &service).await?;
            let list = |m: &[String]| {
                if m.is_empty() {
                    "none".to_string()
                } else {
                    m.join(" ")
                }
            };
            let report = match &before {
                Some(before) => {
                    format!("before TLS: {}; after TLS: {}", list(before), list(&after))
                }
                None => format!("implicit TLS: {}", list(&after)),
            };
            let bearer: Vec<&String> = before
                .iter()
                .flatten()
                .filter(|m| BEARER.contains(&m.as_str()))
                .collect();
            Ok(if let Some(evidence) = bearer_in_clear {
                Outcome::Bad(format!("{evidence} ({report})"))
            } else if bearer.is_empty() {
                Outcome::Pass(report)
            } else {
                Outcome::Bad(format!(
                    "{} offered before TLS ({report})",
                    bearer
                        .iter()
                        .map(|m| m.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                ))
            })
        }
        .await;
        results.push((service, result));
    }
    conclude(
        &cx,
        results,
        "no bearer-token mechanism (OAUTHBEARER, XOAUTH2) offered before TLS",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imap_auth_capabilities_are_mechanisms() {
        let caps = vec![
            "IMAP4REV1".to_string(),
            "AUTH=PLAIN".to_string(),
            "AUTH=SCRAM-SHA-256".to_string(),
            "SASL-IR".to_string(),
        ];
        assert_eq!(imap_mechanisms(&caps), vec!["PLAIN", SCRAM]);
    }

    #[test]
    fn challenges_decode_leniently() {
        assert_eq!(decode_challenge(b""), Vec::<u8>::new());
        assert_eq!(decode_challenge(b"="), Vec::<u8>::new());
        assert_eq!(decode_challenge(b"djE="), b"v1".to_vec());
        assert_eq!(decode_challenge(b"Ready for it"), Vec::<u8>::new());
    }
}
