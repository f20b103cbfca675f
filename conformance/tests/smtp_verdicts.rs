//! Regression tests for the SMTP verdicts of issue 9: each check is run against the reference
//! server (clean, and with the fault it must catch) or against a small scripted server that
//! behaves like a real one (Postfix answers MAIL without EHLO; Cyrus logins are not addresses),
//! and the outcome is asserted.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use groupwire_conformance::engine::{
    Check, CheckOutcome, ConnSettings, Document, Level, NoProgress, RunEnv, RunOptions, Scope,
    Selected, Status, TlsTrust,
};
use groupwire_conformance::profile::Profile;
use groupwire_conformance::reference::faults::{Fault, Faults};
use groupwire_conformance::reference::tls::ReferenceTls;
use groupwire_conformance::selftest::{Endpoints, SelftestOptions, run_against};
use groupwire_conformance::target::{Account, Endpoint, Secret, Target};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn check(id: &str) -> &'static Check {
    groupwire_conformance::suites::registry()
        .checks()
        .find(|check| check.id == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

/// Runs the checks `ids` against the reference with `fault` (or clean), on `listeners`.
fn run(ids: &[&str], fault: Option<&str>, listeners: Endpoints) -> Vec<CheckOutcome> {
    let registry = groupwire_conformance::suites::registry();
    let checks: Vec<&'static Check> = ids.iter().map(|id| check(id)).collect();
    let faults = match fault {
        Some(name) => Faults::one(Fault::from_name(name).unwrap()),
        None => Faults::none(),
    };
    let runtime = runtime();
    runtime.block_on(async {
        let tls = groupwire_conformance::reference::generate_tls().unwrap();
        run_against(
            &registry,
            &checks,
            faults,
            &tls,
            &SelftestOptions::default(),
            listeners,
        )
        .await
        .unwrap()
    })
}

fn status_of<'a>(outcomes: &'a [CheckOutcome], id: &str) -> &'a CheckOutcome {
    outcomes.iter().find(|o| o.id == id).unwrap()
}

fn assert_status(outcomes: &[CheckOutcome], id: &str, status: Status) {
    let outcome = status_of(outcomes, id);
    assert_eq!(
        outcome.status, status,
        "{id}: {:?} ({:?})",
        outcome.status, outcome.reason
    );
}

#[test]
fn a_wrong_password_accepted_is_a_must_fail_in_every_profile() {
    let ids = [
        "smtp.auth.plain-wrong-password",
        "smtp.auth.login-wrong-password",
        "smtp.auth.plain-failure",
    ];
    let clean = run(&ids, None, Endpoints::StartTls);
    for id in ids {
        assert_status(&clean, id, Status::Pass);
    }
    let any = run(
        &ids,
        Some("smtp-auth-accepts-any-password"),
        Endpoints::StartTls,
    );
    assert_status(&any, "smtp.auth.plain-wrong-password", Status::Fail);
    assert_status(&any, "smtp.auth.login-wrong-password", Status::Fail);
    // The reply-code SHOULD does not report the bypass a second time.
    let failure = status_of(&any, "smtp.auth.plain-failure");
    assert_eq!(failure.status, Status::Skip);
    assert!(
        failure
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains("blocked by smtp.auth.plain-wrong-password"),
        "{failure:?}"
    );
    let login_only = run(
        &ids,
        Some("smtp-auth-login-accepts-any-password"),
        Endpoints::StartTls,
    );
    assert_status(&login_only, "smtp.auth.plain-wrong-password", Status::Pass);
    assert_status(&login_only, "smtp.auth.login-wrong-password", Status::Fail);
    let code = run(&ids, Some("smtp-auth-failure-454"), Endpoints::StartTls);
    assert_status(&code, "smtp.auth.plain-wrong-password", Status::Pass);
    assert_status(&code, "smtp.auth.plain-failure", Status::Warn);

    for id in [
        "smtp.auth.plain-wrong-password",
        "smtp.auth.login-wrong-password",
    ] {
        let check = check(id);
        assert_eq!(check.level, Level::Must);
        assert_eq!(check.scope, Scope::Implementation);
        for profile in ["mail", "thunderbird", "groupware", "strict"] {
            let profile = Profile::builtin(profile).unwrap();
            assert_eq!(profile.classify(check), Some(true), "{id} in {profile:?}");
        }
    }
}

#[test]
fn auth_hidden_before_tls_is_tried_not_just_read() {
    let id = "smtp.auth.not-before-tls";
    assert_status(&run(&[id], None, Endpoints::StartTls), id, Status::Pass);
    for fault in ["smtp-auth-hidden-before-tls", "smtp-auth-before-tls"] {
        let outcomes = run(&[id], Some(fault), Endpoints::StartTls);
        assert_status(&outcomes, id, Status::Fail);
    }
    let check = check(id);
    assert_eq!(check.rfc.document, Document::Rfc(4954));
    assert_eq!(check.scope, Scope::Deployment);
    // Reported, not required, except where policy is the point.
    for (profile, required) in [
        ("mail", Some(false)),
        ("thunderbird", Some(false)),
        ("groupware", Some(false)),
        ("strict", Some(true)),
    ] {
        let loaded = Profile::builtin(profile).unwrap();
        assert_eq!(loaded.classify(check), required, "{profile}");
    }
}

#[test]
fn a_server_that_refuses_plaintext_auth_and_hangs_up_passes() {
    let id = "smtp.auth.not-before-tls";
    let server =
        ScriptedServer::start_with("alice@example.test", "554 5.7.1 Access denied\r\n", true);
    assert_status(
        &server.check(&[id], "alice", "alice@example.test"),
        id,
        Status::Pass,
    );
}

#[test]
fn every_smuggling_variant_is_its_own_check_killed_by_its_own_fault() {
    let variants = [
        ("smtp.data.smuggling-lf-dot-lf", "smtp-bare-lf-dot"),
        ("smtp.data.smuggling-lf-dot-crlf", "smtp-lf-dot-crlf"),
        ("smtp.data.smuggling-crlf-dot-lf", "smtp-crlf-dot-lf"),
        ("smtp.data.smuggling-cr-dot-crlf", "smtp-cr-dot-crlf"),
        ("smtp.data.smuggling-crlf-dot-cr", "smtp-crlf-dot-cr"),
        ("smtp.data.smuggling-cr-dot-cr", "smtp-bare-cr-dot"),
        ("smtp.data.bare-lf-not-line-end", "smtp-bare-lf-line-end"),
        ("smtp.data.bare-cr-not-line-end", "smtp-bare-cr-line-end"),
        ("smtp.chunking.smuggling-dot-in-chunk", "smtp-bdat-dot-ends"),
    ];
    let ids: Vec<&str> = variants.iter().map(|(id, _)| *id).collect();
    let clean = run(&ids, None, Endpoints::StartTls);
    for id in &ids {
        assert_status(&clean, id, Status::Pass);
    }
    for (id, fault) in variants {
        let check = check(id);
        assert_eq!(check.broken_by, &[fault], "{id}");
        assert_status(
            &run(&[id], Some(fault), Endpoints::StartTls),
            id,
            Status::Fail,
        );
    }
}

#[test]
fn an_implicit_tls_endpoint_gets_its_own_tls_checks() {
    let ids = [
        "smtp.implicit-tls.handshake",
        "smtp.implicit-tls.no-starttls",
        "smtp.greeting.code-220",
        "smtp.starttls.not-readvertised",
    ];
    let clean = run(&ids, None, Endpoints::Implicit);
    assert_status(&clean, "smtp.implicit-tls.handshake", Status::Pass);
    assert_status(&clean, "smtp.implicit-tls.no-starttls", Status::Pass);
    assert_status(&clean, "smtp.greeting.code-220", Status::Pass);
    assert_status(&clean, "smtp.starttls.not-readvertised", Status::Skip);
    // Beside a STARTTLS endpoint the implicit-TLS checks run on the target's `smtps`
    // companion, and its faults show there.
    let starttls = run(&ids[..2], None, Endpoints::StartTls);
    assert_status(&starttls, "smtp.implicit-tls.handshake", Status::Pass);
    let companion = run(&ids[..1], Some("smtp-no-implicit-tls"), Endpoints::StartTls);
    assert_status(&companion, "smtp.implicit-tls.handshake", Status::Fail);

    let plaintext = run(&ids, Some("smtp-no-implicit-tls"), Endpoints::Implicit);
    assert_status(&plaintext, "smtp.implicit-tls.handshake", Status::Fail);
    let greeting = status_of(&plaintext, "smtp.greeting.code-220");
    assert_eq!(greeting.status, Status::Skip, "{greeting:?}");
    assert!(
        greeting
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains("blocked by smtp.implicit-tls.handshake"),
        "{greeting:?}"
    );
    let offered = run(
        &ids,
        Some("smtp-implicit-tls-offers-starttls"),
        Endpoints::Implicit,
    );
    assert_status(&offered, "smtp.implicit-tls.no-starttls", Status::Fail);
}

#[test]
fn a_broken_starttls_is_reported_once_by_its_owner() {
    let ids: Vec<&'static str> = groupwire_conformance::suites::registry()
        .checks()
        .filter(|check| check.id.starts_with("smtp."))
        .map(|check| check.id)
        .collect();
    let outcomes = run(&ids, Some("smtp-starttls-refused"), Endpoints::StartTls);
    let bad: Vec<String> = outcomes
        .iter()
        .filter(|o| matches!(o.status, Status::Fail | Status::Error | Status::Warn))
        .map(|o| format!("{} {:?} {:?}", o.id, o.status, o.reason))
        .collect();
    assert_eq!(
        bad,
        vec![format!(
            "smtp.starttls.code-220 Fail {:?}",
            status_of(&outcomes, "smtp.starttls.code-220").reason
        )]
    );
    let blocked = outcomes
        .iter()
        .filter(|o| {
            o.reason
                .as_deref()
                .unwrap_or_default()
                .contains("blocked by smtp.starttls.code-220")
        })
        .count();
    assert!(blocked > 20, "{blocked} checks blocked: {outcomes:#?}");
    // Checks needing AUTH or CHUNKING are blocked too, not "not advertised": the keywords over
    // TLS are unknown when TLS cannot be set up.
    for outcome in &outcomes {
        if outcome.status == Status::Skip && !outcome.id.starts_with("smtp.implicit-tls.") {
            let reason = outcome.reason.as_deref().unwrap_or_default();
            assert!(
                reason.contains("blocked by smtp.starttls.code-220"),
                "{}: {reason}",
                outcome.id
            );
        }
    }
}

#[test]
fn a_broken_auth_is_reported_by_the_auth_checks_only() {
    let ids: Vec<&'static str> = groupwire_conformance::suites::registry()
        .checks()
        .filter(|check| check.id.starts_with("smtp."))
        .map(|check| check.id)
        .collect();
    let outcomes = run(&ids, Some("smtp-auth-success-code"), Endpoints::StartTls);
    let bad: Vec<&str> = outcomes
        .iter()
        .filter(|o| matches!(o.status, Status::Fail | Status::Error | Status::Warn))
        .map(|o| o.id.as_str())
        .collect();
    // 250 instead of 235: both success checks see it; nothing else fails or errs.
    assert_eq!(
        bad,
        vec!["smtp.auth.plain-success", "smtp.auth.login-success"]
    );
    let blocked = outcomes
        .iter()
        .filter(|o| {
            o.reason
                .as_deref()
                .unwrap_or_default()
                .contains("blocked by smtp.auth.plain-success")
        })
        .count();
    assert!(blocked > 10, "{blocked}: {outcomes:#?}");
}

#[test]
fn long_command_lines_may_be_accepted_but_not_split() {
    let id = "smtp.limits.line-too-long";
    assert_status(&run(&[id], None, Endpoints::StartTls), id, Status::Pass);
    // RFC 5321 §4.5.3.1 encourages accepting long lines: that is no fault.
    assert_status(
        &run(&[id], Some("smtp-long-lines-accepted"), Endpoints::StartTls),
        id,
        Status::Pass,
    );
    assert_status(
        &run(&[id], Some("smtp-long-line-split"), Endpoints::StartTls),
        id,
        Status::Fail,
    );
}

#[test]
fn a_server_that_refuses_a_long_line_and_hangs_up_passes() {
    let id = "smtp.limits.line-too-long";
    let server = ScriptedServer::postfix_like("alice@example.test");
    let outcomes = server.check(&[id], "alice", "alice@example.test");
    assert_status(&outcomes, id, Status::Pass);
}

#[test]
fn forgets_ehlo_fails_only_a_server_that_remembers_the_pre_tls_ehlo() {
    let id = "smtp.starttls.forgets-ehlo";
    assert_status(&run(&[id], None, Endpoints::StartTls), id, Status::Pass);
    assert_status(
        &run(
            &[id],
            Some("smtp-starttls-keeps-state"),
            Endpoints::StartTls,
        ),
        id,
        Status::Fail,
    );
    // A server like Postfix, which answers MAIL without any EHLO with 250, is conforming.
    let server = ScriptedServer::postfix_like("alice@example.test");
    let outcomes = server.check(&[id], "alice@example.test", "alice@example.test");
    assert_status(&outcomes, id, Status::Pass);
}

#[test]
fn transactions_use_the_accounts_address_not_its_login() {
    // A Cyrus-style login that is not an address, with the address given separately.
    let server = ScriptedServer::postfix_like("alice@example.test");
    let outcomes = server.check(
        &["smtp.mail.code-250", "smtp.rcpt.code-250"],
        "alice",
        "alice@example.test",
    );
    assert_status(&outcomes, "smtp.mail.code-250", Status::Pass);
    assert_status(&outcomes, "smtp.rcpt.code-250", Status::Pass);
    let seen = server.paths.lock().unwrap().clone();
    assert!(!seen.is_empty());
    assert!(
        seen.iter().all(|path| path == "<alice@example.test>"),
        "{seen:?}"
    );
    // The login went into AUTH, where it belongs.
    assert!(
        server
            .logins
            .lock()
            .unwrap()
            .iter()
            .all(|login| login == "alice"),
        "{:?}",
        server.logins.lock().unwrap()
    );
}

#[test]
fn authentication_may_be_required_at_rcpt_but_with_530() {
    let id = "smtp.auth.required";
    assert_status(&run(&[id], None, Endpoints::StartTls), id, Status::Pass);
    assert_status(
        &run(&[id], Some("smtp-no-auth-required"), Endpoints::StartTls),
        id,
        Status::Warn,
    );
    // MAIL accepted, RCPT refused with 530: the policy is applied at RCPT, with the right code.
    let at_rcpt = ScriptedServer::start(
        "alice@example.test",
        "530 5.7.0 Authentication required\r\n",
    );
    assert_status(
        &at_rcpt.check(&[id], "alice", "alice@example.test"),
        id,
        Status::Pass,
    );
    // Postfix's answer: 554 at RCPT, not 530.
    let postfix = ScriptedServer::postfix_like("alice@example.test");
    let outcomes = postfix.check(&[id], "alice", "alice@example.test");
    assert_status(&outcomes, id, Status::Warn);
    assert_eq!(postfix.rcpt_without_auth.get(..3), Some("554"));
}

/// A scripted submission server on 127.0.0.1 with STARTTLS: Postfix-like in that MAIL needs no
/// EHLO and is answered 250 when the sender is the expected address (553 otherwise), and
/// AUTH PLAIN accepts any credentials (recording the login).
struct ScriptedServer {
    port: u16,
    /// The reply to RCPT in a session that did not authenticate.
    rcpt_without_auth: &'static str,
    tls: ReferenceTls,
    paths: Arc<Mutex<Vec<String>>>,
    logins: Arc<Mutex<Vec<String>>>,
    runtime: tokio::runtime::Runtime,
}

impl ScriptedServer {
    fn postfix_like(address: &str) -> ScriptedServer {
        Self::start(address, "554 5.7.1 Client host rejected: Access denied\r\n")
    }

    fn start(address: &str, rcpt_without_auth: &'static str) -> ScriptedServer {
        Self::start_with(address, rcpt_without_auth, false)
    }

    fn start_with(
        address: &str,
        rcpt_without_auth: &'static str,
        hang_up_on_plaintext_auth: bool,
    ) -> ScriptedServer {
        let runtime = runtime();
        let tls = groupwire_conformance::reference::generate_tls().unwrap();
        let paths = Arc::new(Mutex::new(Vec::new()));
        let logins = Arc::new(Mutex::new(Vec::new()));
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let port = listener.local_addr().unwrap().port();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(&tls.server));
        let expected = format!("<{address}>");
        let (paths2, logins2) = (Arc::clone(&paths), Arc::clone(&logins));
        runtime.spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let expected = expected.clone();
                let (paths, logins) = (Arc::clone(&paths2), Arc::clone(&logins2));
                tokio::spawn(async move {
                    let mut plain = BufReader::new(socket);
                    let mut script = Script {
                        expected,
                        paths,
                        logins,
                        rcpt_without_auth,
                        authenticated: false,
                        hang_up_on_plaintext_auth,
                    };
                    if script.serve(&mut plain, false).await {
                        let socket = plain.into_inner();
                        if let Ok(stream) = acceptor.accept(socket).await {
                            let mut tls = BufReader::new(stream);
                            script.serve(&mut tls, true).await;
                        }
                    }
                });
            }
        });
        ScriptedServer {
            port,
            rcpt_without_auth,
            tls,
            paths,
            logins,
            runtime,
        }
    }

    fn check(&self, ids: &[&str], login: &str, address: &str) -> Vec<CheckOutcome> {
        let registry = groupwire_conformance::suites::registry();
        let mut target = Target::empty("scripted");
        target.smtp = Endpoint::parse(&format!("smtp://127.0.0.1:{}", self.port)).ok();
        target.accounts = vec![Account::new(
            login,
            Secret::new("password"),
            Some(address.to_string()),
            None,
        )];
        target.tls = TlsTrust::Insecure;
        let settings = ConnSettings {
            tls: Arc::clone(&self.tls.client),
            max_buffer: 1 << 20,
            io_timeout: Duration::from_secs(5),
        };
        let env = Arc::new(RunEnv::new(target, settings));
        let selected: Vec<Selected> = ids
            .iter()
            .map(|id| Selected {
                check: check(id),
                required: true,
            })
            .collect();
        self.runtime
            .block_on(groupwire_conformance::engine::run(
                &registry,
                &selected,
                env,
                RunOptions::default(),
                Arc::new(NoProgress),
            ))
            .outcomes
    }
}

struct Script {
    expected: String,
    paths: Arc<Mutex<Vec<String>>>,
    logins: Arc<Mutex<Vec<String>>>,
    rcpt_without_auth: &'static str,
    authenticated: bool,
    hang_up_on_plaintext_auth: bool,
}

impl Script {
    /// Serves until QUIT or the end of the stream (false), or STARTTLS (true).
    async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        stream: &mut BufReader<S>,
        tls: bool,
    ) -> bool {
        if !tls
            && stream
                .get_mut()
                .write_all(b"220 scripted ESMTP\r\n")
                .await
                .is_err()
        {
            return false;
        }
        let mut line = String::new();
        loop {
            line.clear();
            if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                return false;
            }
            if line.len() > 1000 {
                // Refuse an over-long line and hang up, as some servers do.
                let _ = stream
                    .get_mut()
                    .write_all(b"500 5.5.6 line too long\r\n")
                    .await;
                return false;
            }
            let upper = line.trim_end().to_ascii_uppercase();
            let reply: String = if upper.starts_with("EHLO") {
                let starttls = if tls { "" } else { "250-STARTTLS\r\n" };
                if tls || !self.hang_up_on_plaintext_auth {
                    format!("250-scripted\r\n{starttls}250 AUTH PLAIN\r\n")
                } else {
                    format!("250-scripted\r\n{starttls}250 8BITMIME\r\n")
                }
            } else if upper == "STARTTLS" && !tls {
                let _ = stream.get_mut().write_all(b"220 go ahead\r\n").await;
                return true;
            } else if upper.starts_with("AUTH") && !tls && self.hang_up_on_plaintext_auth {
                let _ = stream
                    .get_mut()
                    .write_all(b"538 5.7.11 Encryption required for requested authentication mechanism\r\n")
                    .await;
                return false;
            } else if let Some(payload) = line.trim_end().strip_prefix("AUTH PLAIN ") {
                let decoded = base64_decode(payload);
                let login = decoded
                    .split(|&b| b == 0)
                    .nth(1)
                    .map(|l| String::from_utf8_lossy(l).into_owned())
                    .unwrap_or_default();
                self.logins.lock().unwrap().push(login);
                self.authenticated = true;
                "235 ok\r\n".into()
            } else if let Some(path) = upper.strip_prefix("MAIL FROM:") {
                let path = path
                    .split(' ')
                    .next()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                self.paths.lock().unwrap().push(path.clone());
                if path == self.expected {
                    "250 ok\r\n".into()
                } else {
                    "553 not your address\r\n".into()
                }
            } else if let Some(path) = upper.strip_prefix("RCPT TO:") {
                let path = path
                    .split(' ')
                    .next()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                self.paths.lock().unwrap().push(path.clone());
                if !self.authenticated {
                    self.rcpt_without_auth.into()
                } else if path == self.expected {
                    "250 ok\r\n".into()
                } else {
                    "550 no such user\r\n".into()
                }
            } else if upper == "QUIT" {
                let _ = stream.get_mut().write_all(b"221 bye\r\n").await;
                return false;
            } else if upper.starts_with("NOOP") || upper == "RSET" {
                "250 ok\r\n".into()
            } else {
                "500 unrecognised\r\n".into()
            };
            if stream.get_mut().write_all(reply.as_bytes()).await.is_err() {
                return false;
            }
        }
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    groupwire_smtp::SaslPayload(text.into())
        .decode()
        .unwrap_or_default()
}
