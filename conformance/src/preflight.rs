//! The preflight: before any check runs, reach every endpoint the run will use once, complete
//! its TLS handshake, and log in once per account and protocol (IMAP `LOGIN` and SMTP
//! `AUTH PLAIN`, over TLS, through the suites' own session code).
//!
//! Three problems stop the run here, reported once with exit code 3, because every check
//! would otherwise repeat them and blame the server: the endpoint cannot be reached; its TLS
//! certificate is not trusted (the message names the certificate: subject, issuer, SANs,
//! validity, and how to trust it); the credentials are rejected. Anything else the preflight
//! meets (STARTTLS refused, no AUTH advertised, a garbled greeting) is the server's behaviour,
//! which the checks that own it judge: the preflight notes it and lets the run go on.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::engine::{
    CertificateInfo, CheckContext, Finding, HookOutcome, Protocol, RunEnv, Status, TlsTrust,
    TrustLog,
};
use crate::suites::imap::session::ImapSession;
use crate::suites::smtp::session::{SmtpSession, code, show};

/// What stopped the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Problem {
    /// The endpoint could not be reached (connection refused, no route, no answer).
    Unreachable,
    /// The server's TLS certificate is not trusted.
    Certificate,
    /// The TLS handshake failed for another reason (no common version or cipher suite).
    Tls,
    /// The server rejected an account's credentials.
    Credentials,
}

/// Why the preflight stopped the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreflightFailure {
    /// What went wrong.
    pub problem: Problem,
    /// The protocol of the endpoint.
    pub protocol: Protocol,
    /// The endpoint's URL.
    pub endpoint: String,
    /// The account, for rejected credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// One line saying what happened.
    pub message: String,
    /// The refused certificate, for certificate problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateInfo>,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl PreflightFailure {
    /// The message, then the certificate and the hint on indented lines.
    pub fn render(&self) -> String {
        let mut out = self.message.clone();
        if let Some(certificate) = &self.certificate {
            let _ = write!(out, "\n{}", certificate.describe("  "));
        }
        if let Some(hint) = &self.hint {
            let _ = write!(out, "\n  {hint}");
        }
        out
    }
}

/// What the preflight found: a hook outcome per protocol it tried (transcripts included), and
/// the problem that stops the run, if any.
#[derive(Debug, Clone)]
pub struct Preflight {
    /// One `preflight` hook per protocol.
    pub hooks: Vec<HookOutcome>,
    /// The problem that stops the run.
    pub failure: Option<PreflightFailure>,
}

/// What one attempt led to.
enum Step {
    /// The run cannot go on.
    Stop(Box<PreflightFailure>),
    /// A server behaviour the checks judge; noted, the run goes on.
    Note(String),
}

/// The `Display` prefix of a TLS handshake failure ([`crate::engine::ConnError::Tls`]).
const TLS_FAILED: &str = "TLS handshake failed";

/// Runs the preflight for the endpoints of `protocols` (those with selected checks).
pub async fn run(
    env: &Arc<RunEnv>,
    protocols: &BTreeSet<Protocol>,
    log: &TrustLog,
    timeout: Duration,
) -> Preflight {
    let mut hooks = Vec::new();
    for &protocol in protocols {
        let Some(endpoint) = env.target.endpoint(protocol).cloned() else {
            continue;
        };
        let cx = CheckContext::new(env.clone(), protocol, None, None);
        let attempt = tokio::time::timeout(timeout, endpoint_preflight(&cx, log));
        let result = match attempt.await {
            Ok(result) => result,
            Err(_) => Err(Step::Note(format!(
                "the preflight did not finish within {:.1}s",
                timeout.as_secs_f64()
            ))),
        };
        let (status, reason, failure) = match result {
            Ok(()) => (Status::Pass, None, None),
            Err(Step::Note(reason)) => (Status::Skip, Some(reason), None),
            Err(Step::Stop(failure)) => {
                let mut failure = *failure;
                // The server's reply could echo what it was sent: never keep a password, in
                // the hook's reason (reports) nor in the failure (stderr).
                failure.message =
                    String::from_utf8_lossy(&env.masker.mask_secrets(failure.message.as_bytes()))
                        .into_owned();
                failure.endpoint.clone_from(&endpoint.url);
                failure.protocol = protocol;
                (Status::Error, Some(failure.message.clone()), Some(failure))
            }
        };
        hooks.push(HookOutcome {
            protocol,
            hook: "preflight",
            status,
            reason,
            capabilities: Vec::new(),
            transcript: cx.transcript().entries(),
        });
        if let Some(mut failure) = failure {
            // The server's reply could echo what it was sent: never print a password.
            failure.message =
                String::from_utf8_lossy(&env.masker.mask_secrets(failure.message.as_bytes()))
                    .into_owned();
            return Preflight {
                hooks,
                failure: Some(failure),
            };
        }
    }
    Preflight {
        hooks,
        failure: None,
    }
}

async fn endpoint_preflight(cx: &CheckContext, log: &TrustLog) -> Result<(), Step> {
    let _ = log.take_rejection();
    match cx.protocol() {
        Protocol::Imap => imap(cx, log).await,
        Protocol::Smtp => smtp(cx, log).await,
        _ => {
            let endpoint = cx.endpoint().map_err(|f| Step::Note(f.reason()))?.clone();
            let connection = cx
                .connect_to(&endpoint)
                .await
                .map_err(|finding| classify(cx, log, finding))?;
            connection.close().await;
            Ok(())
        }
    }
}

async fn imap(cx: &CheckContext, log: &TrustLog) -> Result<(), Step> {
    let accounts = cx.target().accounts.clone();
    if accounts.is_empty() {
        let session = ImapSession::secure(cx)
            .await
            .map_err(|finding| classify(cx, log, finding))?;
        session.logout().await;
        return Ok(());
    }
    for account in &accounts {
        let mut session = ImapSession::secure(cx)
            .await
            .map_err(|finding| classify(cx, log, finding))?;
        let reply = session
            .login(account)
            .await
            .map_err(|finding| classify(cx, log, finding))?;
        if !reply.is_ok() {
            let answer = without_tag(&reply.show_tagged());
            session.logout().await;
            // NO is a failed login (RFC 9051 §6.2.3); BAD says the command itself was refused,
            // which the LOGIN checks judge.
            if answer.starts_with("NO") {
                return Err(rejected(cx, &account.user, &answer));
            }
            return Err(Step::Note(format!(
                "LOGIN answered {answer}: credentials not checked"
            )));
        }
        session.logout().await;
    }
    Ok(())
}

async fn smtp(cx: &CheckContext, log: &TrustLog) -> Result<(), Step> {
    let accounts = cx.target().accounts.clone();
    let mut first = Some(
        SmtpSession::secure(cx)
            .await
            .map_err(|finding| classify(cx, log, finding))?,
    );
    for account in &accounts {
        let mut session = match first.take() {
            Some(session) => session,
            None => SmtpSession::secure(cx)
                .await
                .map_err(|finding| classify(cx, log, finding))?,
        };
        if !session.advertises("AUTH") {
            session.quit().await;
            return Err(Step::Note(
                "AUTH is not advertised: credentials not checked".to_owned(),
            ));
        }
        let reply = session
            .auth_plain(&account.user, account.password.expose())
            .await
            .map_err(|finding| classify(cx, log, finding))?;
        let answer = trim_crlf(&show(&reply));
        session.quit().await;
        match code(&reply) {
            235 => {}
            // 535: authentication credentials invalid (RFC 4954 §6).
            535 => return Err(rejected(cx, &account.user, &answer)),
            // Not implemented, temporary failure, policy: the AUTH checks judge it.
            _ => {
                return Err(Step::Note(format!(
                    "AUTH PLAIN answered {answer}: credentials not checked"
                )));
            }
        }
    }
    if let Some(session) = first {
        session.quit().await;
    }
    Ok(())
}

fn rejected(cx: &CheckContext, user: &str, answer: &str) -> Step {
    Step::Stop(Box::new(PreflightFailure {
        problem: Problem::Credentials,
        protocol: cx.protocol(),
        endpoint: String::new(),
        account: Some(user.to_owned()),
        message: format!(
            "credentials for {user} rejected by {}: {answer}",
            cx.protocol().label()
        ),
        certificate: None,
        hint: Some(match cx.protocol() {
            Protocol::Imap => "check the login name and password (nothing else was run)",
            _ => "check the login name and password; an SMTP login may differ from the IMAP one (nothing else was run)",
        }
        .to_owned()),
    }))
}

/// Decides whether a failed attempt stops the run.
fn classify(cx: &CheckContext, log: &TrustLog, finding: Finding) -> Step {
    let protocol = cx.protocol();
    let label = protocol.label();
    let url = cx
        .target()
        .endpoint(protocol)
        .map(|e| e.url.clone())
        .unwrap_or_default();
    if let Some(rejected) = log.take_rejection() {
        return Step::Stop(Box::new(PreflightFailure {
            problem: Problem::Certificate,
            protocol,
            endpoint: url.clone(),
            account: None,
            message: format!(
                "the TLS certificate of {label} {url} is not trusted for {}: {}",
                rejected.server_name,
                explain_certificate_error(&rejected.error)
            ),
            certificate: CertificateInfo::parse(&rejected.certificate),
            hint: Some(certificate_hint(&cx.target().tls)),
        }));
    }
    match finding {
        Finding::Unreachable(reason) => Step::Stop(Box::new(PreflightFailure {
            problem: Problem::Unreachable,
            protocol,
            endpoint: url.clone(),
            account: None,
            message: format!("{label} {url}: {reason}"),
            certificate: None,
            hint: None,
        })),
        Finding::Harness(reason) if reason.starts_with(TLS_FAILED) => {
            Step::Stop(Box::new(PreflightFailure {
                problem: Problem::Tls,
                protocol,
                endpoint: url.clone(),
                account: None,
                message: format!("{label} {url}: {reason}"),
                certificate: None,
                hint: None,
            }))
        }
        other => Step::Note(format!("preflight stopped early: {}", other.reason())),
    }
}

/// rustls' reason, with what it means in words for the common cases.
fn explain_certificate_error(error: &str) -> String {
    const MEANINGS: [(&str, &str); 6] = [
        (
            "CaUsedAsEndEntity",
            "the server presents a CA certificate (CA:TRUE) as its own",
        ),
        ("UnknownIssuer", "it is not issued by a trusted CA"),
        ("NotValidForName", "it is not valid for this name"),
        ("Expired", "it has expired"),
        ("NotValidYet", "it is not valid yet"),
        ("BadSignature", "its signature does not verify"),
    ];
    MEANINGS
        .iter()
        .find(|(code, _)| error.contains(code))
        .map_or_else(
            || error.to_owned(),
            |(_, meaning)| format!("{meaning} ({error})"),
        )
}

fn certificate_hint(trust: &TlsTrust) -> String {
    match trust {
        TlsTrust::CaFile { path } => format!(
            "{} holds neither the CA that issued it nor this very certificate: add one of them \
             (a certificate named there is trusted by pinning), or use --insecure (stamped on the \
             report)",
            path.display()
        ),
        _ => {
            "trust it with --ca-file FILE (the CA that issued it, or this very certificate, which \
              is then pinned) or skip verification with --insecure (stamped on the report); in a \
              target file: [tls] trust = \"ca-file\", ca_file = \"FILE\""
                .to_owned()
        }
    }
}

fn trim_crlf(text: &str) -> String {
    text.trim_end_matches("\\n")
        .trim_end_matches("\\r")
        .replace("\\r\\n", " ")
}

/// `g3 NO [AUTHENTICATIONFAILED] ...` without the tag.
fn without_tag(tagged: &str) -> String {
    let text = trim_crlf(tagged);
    text.split_once(' ')
        .map_or(text.clone(), |(_, rest)| rest.to_owned())
}
