//! IMAP verdicts proven both ways against the reference server: each check passes against the
//! clean reference and gives the verdict its level demands (fail for a MUST, never a mere
//! warn) against the reference with its fault; a broken precondition is reported once, by the
//! check that owns it.

use std::collections::BTreeMap;
use std::sync::Arc;

use groupwire_conformance::engine::{
    CheckOutcome, ConnSettings, NoProgress, RunEnv, RunOptions, Selected, Status, TlsTrust,
};
use groupwire_conformance::reference::faults::{Fault, Faults};
use groupwire_conformance::reference::tls::ReferenceTls;
use groupwire_conformance::reference::{Reference, ReferenceOptions};
use groupwire_conformance::selftest::{Endpoints, SelftestOptions, run_against};
use groupwire_conformance::target::{Account, Secret, Target};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn imap_checks(ids: &[&str]) -> Vec<&'static groupwire_conformance::engine::Check> {
    let registry = groupwire_conformance::suites::registry();
    let checks: Vec<_> = registry.checks().filter(|c| ids.contains(&c.id)).collect();
    assert_eq!(checks.len(), ids.len(), "unknown check among {ids:?}");
    checks
}

/// Status of each check in `ids` against the reference with `fault` (clean when `None`).
async fn statuses(
    tls: &ReferenceTls,
    ids: &[&str],
    fault: Option<&str>,
    endpoints: Endpoints,
) -> BTreeMap<String, (Status, String)> {
    let registry = groupwire_conformance::suites::registry();
    let faults = match fault {
        Some(name) => Faults::one(Fault::from_name(name).unwrap()),
        None => Faults::none(),
    };
    let outcomes = run_against(
        &registry,
        &imap_checks(ids),
        faults,
        tls,
        &SelftestOptions::default(),
        endpoints,
    )
    .await
    .unwrap();
    outcomes
        .into_iter()
        .map(|o| (o.id, (o.status, o.reason.unwrap_or_default())))
        .collect()
}

/// Runs the whole IMAP suite against `reference` as `target`.
async fn run_suite(reference: &Reference, target: Target) -> Vec<CheckOutcome> {
    let registry = groupwire_conformance::suites::registry();
    let settings = ConnSettings {
        tls: Arc::clone(&reference.tls.client),
        max_buffer: groupwire_conformance::engine::DEFAULT_MAX_BUFFER,
        io_timeout: std::time::Duration::from_secs(5),
    };
    let env = Arc::new(RunEnv::new(target, settings));
    let selected: Vec<Selected> = registry
        .checks()
        .filter(|c| c.id.starts_with("imap."))
        .map(|check| Selected {
            check,
            required: true,
        })
        .collect();
    let result = groupwire_conformance::engine::run(
        &registry,
        &selected,
        env,
        RunOptions {
            concurrency: 16,
            ..RunOptions::default()
        },
        Arc::new(NoProgress),
    )
    .await;
    result.outcomes
}

fn imap_only(reference: &Reference) -> Target {
    let mut target =
        groupwire_conformance::reference_target::reference_target(reference, TlsTrust::Insecure);
    target.smtp = None;
    target.autoconfig = None;
    target
}

fn assert_verdict(
    results: &BTreeMap<String, (Status, String)>,
    id: &str,
    expected: Status,
    context: &str,
) {
    let (status, reason) = results.get(id).unwrap();
    assert_eq!(*status, expected, "{id} {context}: {reason}");
}

#[test]
fn a_wrong_password_accepted_by_login_or_authenticate_is_a_fail() {
    runtime().block_on(async {
        let tls = groupwire_conformance::reference::generate_tls().unwrap();
        let ids = ["imap.login.bad-password", "imap.authenticate.bad-password"];
        let clean = statuses(&tls, &ids, None, Endpoints::StartTls).await;
        for id in ids {
            assert_verdict(&clean, id, Status::Pass, "on the clean reference");
        }
        let login = statuses(
            &tls,
            &ids,
            Some("imap-login-accepts-any-password"),
            Endpoints::StartTls,
        )
        .await;
        assert_verdict(
            &login,
            "imap.login.bad-password",
            Status::Fail,
            "LOGIN bypass",
        );
        assert!(login["imap.login.bad-password"].1.contains("bypass"));
        assert_verdict(
            &login,
            "imap.authenticate.bad-password",
            Status::Pass,
            "LOGIN bypass",
        );
        let auth = statuses(
            &tls,
            &ids,
            Some("imap-authenticate-accepts-any-password"),
            Endpoints::StartTls,
        )
        .await;
        assert_verdict(
            &auth,
            "imap.authenticate.bad-password",
            Status::Fail,
            "AUTHENTICATE bypass",
        );
        assert_verdict(
            &auth,
            "imap.login.bad-password",
            Status::Pass,
            "AUTHENTICATE bypass",
        );
    });
}

#[test]
fn login_and_authenticate_before_tls_are_tried_not_read_from_the_advertisement() {
    runtime().block_on(async {
        let tls = groupwire_conformance::reference::generate_tls().unwrap();
        let ids = [
            "imap.capability.logindisabled",
            "imap.login.refused-before-tls",
            "imap.login.logindisabled-honoured",
            "imap.authenticate.refused-before-tls",
        ];
        let clean = statuses(&tls, &ids, None, Endpoints::StartTls).await;
        for id in ids {
            assert_verdict(&clean, id, Status::Pass, "on the clean reference");
        }
        // LOGINDISABLED advertised, yet LOGIN checks the credentials.
        let login = statuses(
            &tls,
            &ids,
            Some("imap-logindisabled-ignored"),
            Endpoints::StartTls,
        )
        .await;
        assert_verdict(
            &login,
            "imap.capability.logindisabled",
            Status::Pass,
            "advertised",
        );
        assert_verdict(
            &login,
            "imap.login.refused-before-tls",
            Status::Fail,
            "LOGIN processed",
        );
        assert_verdict(
            &login,
            "imap.login.logindisabled-honoured",
            Status::Fail,
            "LOGIN processed",
        );
        assert_verdict(
            &login,
            "imap.authenticate.refused-before-tls",
            Status::Pass,
            "only LOGIN",
        );
        // Same for AUTHENTICATE PLAIN, which is not even advertised before TLS.
        let auth = statuses(
            &tls,
            &ids,
            Some("imap-authenticate-in-plaintext"),
            Endpoints::StartTls,
        )
        .await;
        assert_verdict(
            &auth,
            "imap.capability.logindisabled",
            Status::Pass,
            "advertised",
        );
        assert_verdict(
            &auth,
            "imap.login.refused-before-tls",
            Status::Pass,
            "only AUTHENTICATE",
        );
        assert_verdict(
            &auth,
            "imap.authenticate.refused-before-tls",
            Status::Fail,
            "AUTHENTICATE processed",
        );
    });
}

/// A cleartext IMAP server that advertises `caps`, refuses STARTTLS and every login, and
/// records every byte it receives.
async fn recording_server(caps: &'static str) -> (u16, Arc<std::sync::Mutex<Vec<u8>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = Arc::clone(&received);
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let record = Arc::clone(&record);
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read);
                let greeting = format!("* OK [CAPABILITY {caps}] recorder\r\n");
                let _ = write.write_all(greeting.as_bytes()).await;
                let mut line = String::new();
                while lines.read_line(&mut line).await.unwrap_or(0) > 0 {
                    record.lock().unwrap().extend_from_slice(line.as_bytes());
                    let tag = line.split(' ').next().unwrap_or("*").to_string();
                    let upper = line.to_ascii_uppercase();
                    let answer = if upper.contains(" CAPABILITY") {
                        format!("* CAPABILITY {caps}\r\n{tag} OK done\r\n")
                    } else if upper.contains(" LOGOUT") {
                        format!("* BYE bye\r\n{tag} OK done\r\n")
                    } else if upper.contains(" AUTHENTICATE") {
                        // Invite the credentials, to see which password the client sends.
                        let _ = write.write_all(b"+ \r\n").await;
                        line.clear();
                        let _ = lines.read_line(&mut line).await;
                        record.lock().unwrap().extend_from_slice(line.as_bytes());
                        format!("{tag} NO [PRIVACYREQUIRED] not before TLS\r\n")
                    } else {
                        format!("{tag} NO [PRIVACYREQUIRED] not before TLS\r\n")
                    };
                    let _ = write.write_all(answer.as_bytes()).await;
                    line.clear();
                }
            });
        }
    });
    (port, received)
}

#[test]
fn credentials_tried_before_tls_are_never_the_real_ones() {
    use base64::Engine as _;
    runtime().block_on(async {
        let (port, received) = recording_server("IMAP4rev1 STARTTLS LOGINDISABLED").await;
        let reference = Reference::start(ReferenceOptions::default()).await.unwrap();
        let mut target = imap_only(&reference);
        target.imap = Some(
            groupwire_conformance::target::Endpoint::parse(&format!("imap://127.0.0.1:{port}"))
                .unwrap(),
        );
        let real = "the-real-secret-1";
        target.accounts[0].password = Secret::new(real);
        let registry = groupwire_conformance::suites::registry();
        let settings = ConnSettings {
            tls: Arc::clone(&reference.tls.client),
            max_buffer: groupwire_conformance::engine::DEFAULT_MAX_BUFFER,
            io_timeout: std::time::Duration::from_secs(5),
        };
        let env = Arc::new(RunEnv::new(target, settings));
        let ids = [
            "imap.login.refused-before-tls",
            "imap.login.logindisabled-honoured",
            "imap.authenticate.refused-before-tls",
        ];
        let selected: Vec<Selected> = imap_checks(&ids)
            .into_iter()
            .map(|check| Selected {
                check,
                required: true,
            })
            .collect();
        let result = groupwire_conformance::engine::run(
            &registry,
            &selected,
            env,
            RunOptions::default(),
            Arc::new(NoProgress),
        )
        .await;
        reference.stop().await;
        for outcome in &result.outcomes {
            assert_eq!(
                outcome.status,
                Status::Pass,
                "{}: {:?}",
                outcome.id,
                outcome.reason
            );
        }
        let received = String::from_utf8_lossy(&received.lock().unwrap()).into_owned();
        assert!(received.contains(" LOGIN "), "{received}");
        assert!(received.contains(" AUTHENTICATE PLAIN"), "{received}");
        let decoded: Vec<String> = received
            .lines()
            .filter_map(|line| {
                base64::engine::general_purpose::STANDARD
                    .decode(line.trim())
                    .ok()
            })
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .collect();
        assert!(
            decoded
                .iter()
                .any(|text| text.contains("alice@example.test")),
            "no AUTHENTICATE PLAIN payload seen: {received}"
        );
        assert!(
            !received.contains(real),
            "the real password in plaintext: {received}"
        );
        assert!(
            !decoded.iter().any(|text| text.contains(real)),
            "the real password in a plaintext SASL payload: {decoded:?}"
        );
    });
}

#[test]
fn implicit_tls_endpoints_have_their_own_checks() {
    runtime().block_on(async {
        let tls = groupwire_conformance::reference::generate_tls().unwrap();
        let ids = [
            "imap.implicit-tls.handshake",
            "imap.implicit-tls.starttls-not-advertised",
            "imap.implicit-tls.starttls-bad",
        ];
        let clean = statuses(&tls, &ids, None, Endpoints::Implicit).await;
        for id in ids {
            assert_verdict(
                &clean,
                id,
                Status::Pass,
                "on the clean implicit-TLS reference",
            );
        }
        // Beside a STARTTLS endpoint they run on the target's implicit-TLS port (its `imaps`
        // companion)...
        let starttls = statuses(&tls, &ids, None, Endpoints::StartTls).await;
        for id in ids {
            assert_verdict(
                &starttls,
                id,
                Status::Pass,
                "beside a STARTTLS endpoint with an imaps companion",
            );
        }
        // ...and a target naming only the STARTTLS port skips them.
        let reference = Reference::start(ReferenceOptions::default()).await.unwrap();
        let mut target = imap_only(&reference);
        target.imaps = None;
        let outcomes = run_suite(&reference, target).await;
        reference.stop().await;
        for id in ids {
            let outcome = outcomes.iter().find(|o| o.id == id).unwrap();
            assert_eq!(
                outcome.status,
                Status::Skip,
                "{id} with no implicit-TLS port"
            );
        }
        for (fault, id, expected) in [
            ("imap-implicit-tls-plaintext", ids[0], Status::Fail),
            (
                "imap-implicit-tls-starttls-advertised",
                ids[1],
                Status::Warn,
            ),
            ("imap-implicit-tls-starttls-ok", ids[2], Status::Fail),
        ] {
            let broken = statuses(&tls, &[id], Some(fault), Endpoints::Implicit).await;
            assert_verdict(&broken, id, expected, fault);
        }
        // And the STARTTLS checks do not run on 993.
        let skipped = statuses(
            &tls,
            &["imap.starttls.ok", "imap.capability.starttls"],
            None,
            Endpoints::Implicit,
        )
        .await;
        assert_verdict(&skipped, "imap.starttls.ok", Status::Skip, "on 993");
    });
}

#[test]
fn special_use_uidplus_and_capability_code_faults_fail() {
    runtime().block_on(async {
        let tls = groupwire_conformance::reference::generate_tls().unwrap();
        let ids = [
            "imap.special-use.attributes",
            "imap.copy.copyuid",
            "imap.append.appenduid",
            "imap.uidplus.copyuid",
            "imap.uidplus.appenduid",
            "imap.login.capability-code",
        ];
        let clean = statuses(&tls, &ids, None, Endpoints::StartTls).await;
        for id in ids {
            assert_verdict(&clean, id, Status::Pass, "on the clean reference");
        }
        for (fault, id, expected) in [
            (
                "imap-special-use-return-ignored",
                "imap.special-use.attributes",
                Status::Fail,
            ),
            ("imap-no-copyuid", "imap.copy.copyuid", Status::Fail),
            ("imap-no-copyuid", "imap.uidplus.copyuid", Status::Warn),
            ("imap-no-appenduid", "imap.append.appenduid", Status::Fail),
            ("imap-no-appenduid", "imap.uidplus.appenduid", Status::Warn),
            (
                "imap-login-capability-stale",
                "imap.login.capability-code",
                Status::Fail,
            ),
        ] {
            let broken = statuses(&tls, &[id], Some(fault), Endpoints::StartTls).await;
            assert_verdict(&broken, id, expected, fault);
        }
    });
}

#[test]
fn a_refused_starttls_is_one_fail_and_everything_else_is_blocked_by_it() {
    runtime().block_on(async {
        let reference = Reference::start(ReferenceOptions {
            faults: Faults::one(Fault::ImapStarttlsRefused),
            ..ReferenceOptions::default()
        })
        .await
        .unwrap();
        let outcomes = run_suite(&reference, imap_only(&reference)).await;
        reference.stop().await;
        let failed: Vec<&str> = outcomes
            .iter()
            .filter(|o| o.status == Status::Fail)
            .map(|o| o.id.as_str())
            .collect();
        assert_eq!(failed, ["imap.starttls.ok"], "{outcomes:#?}");
        assert!(
            !outcomes.iter().any(|o| o.status == Status::Error),
            "{outcomes:#?}"
        );
        let blocked = outcomes
            .iter()
            .filter(|o| {
                o.status == Status::Skip
                    && o.reason
                        .as_deref()
                        .is_some_and(|r| r.contains("blocked by imap.starttls.ok"))
            })
            .count();
        assert!(blocked > 50, "only {blocked} checks blocked: {outcomes:#?}");
    });
}

#[test]
fn wrong_target_credentials_block_everything_behind_imap_login_ok() {
    runtime().block_on(async {
        let reference = Reference::start(ReferenceOptions::default()).await.unwrap();
        let mut target = imap_only(&reference);
        for account in &mut target.accounts {
            account.password = Secret::new("not-the-password");
        }
        let outcomes = run_suite(&reference, target).await;
        reference.stop().await;
        let failed: Vec<&str> = outcomes
            .iter()
            .filter(|o| matches!(o.status, Status::Fail | Status::Warn | Status::Error))
            .map(|o| o.id.as_str())
            .collect();
        assert_eq!(failed, ["imap.login.ok"], "{outcomes:#?}");
    });
}

#[test]
fn logins_that_are_not_addresses_work_and_messages_carry_the_address() {
    runtime().block_on(async {
        let reference = Reference::start(ReferenceOptions::default()).await.unwrap();
        let mut target = imap_only(&reference);
        target.domain = None;
        target.accounts = reference
            .accounts
            .iter()
            .map(|account| {
                let login = account.address.split('@').next().unwrap().to_string();
                Account::new(
                    login,
                    Secret::new(account.password.clone()),
                    Some(account.address.clone()),
                    None,
                )
            })
            .collect();
        assert_eq!(target.accounts[0].user, "alice");
        let outcomes = run_suite(&reference, target).await;
        reference.stop().await;
        let not_passing: Vec<String> = outcomes
            .iter()
            .filter(|o| o.status != Status::Pass)
            .map(|o| format!("{} {:?} {:?}", o.id, o.status, o.reason))
            .collect();
        // Implicit-TLS checks skip on the STARTTLS endpoint; nothing else may be off.
        assert!(
            not_passing
                .iter()
                .all(|line| line.starts_with("imap.implicit-tls.")),
            "{not_passing:#?}"
        );
        let envelope = outcomes
            .iter()
            .find(|o| o.id == "imap.fetch.envelope")
            .unwrap();
        let sent: String = envelope
            .evidence
            .transcript
            .iter()
            .map(|e| String::from_utf8_lossy(&e.bytes).into_owned())
            .collect();
        assert!(
            sent.contains("From: Groupwire Sender <alice@example.test>"),
            "{sent}"
        );
    });
}

#[test]
fn without_starttls_the_real_password_is_never_sent() {
    runtime().block_on(async {
        // Like Dovecot with `ssl = no`: no STARTTLS, AUTH=PLAIN offered in plaintext.
        let (port, received) = recording_server("IMAP4rev1 AUTH=PLAIN SASL-IR").await;
        let reference = Reference::start(ReferenceOptions::default()).await.unwrap();
        let mut target = imap_only(&reference);
        target.imap = Some(
            groupwire_conformance::target::Endpoint::parse(&format!("imap://127.0.0.1:{port}"))
                .unwrap(),
        );
        let real = "the-real-secret-2";
        for account in &mut target.accounts {
            account.password = Secret::new(real);
        }
        let outcomes = run_suite(&reference, target).await;
        reference.stop().await;
        let received = String::from_utf8_lossy(&received.lock().unwrap()).into_owned();
        assert!(received.contains(" LOGIN "), "{received}");
        let decoded: Vec<String> = received
            .lines()
            .filter_map(|line| {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(line.trim())
                    .ok()
            })
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .collect();
        assert!(
            !received.contains(real),
            "the real password in plaintext: {received}"
        );
        assert!(
            !decoded.iter().any(|text| text.contains(real)),
            "the real password in a plaintext SASL payload: {decoded:?}"
        );
        let blocked = outcomes
            .iter()
            .filter(|o| {
                o.reason
                    .as_deref()
                    .is_some_and(|r| r.contains("blocked by imap.capability.starttls"))
            })
            .count();
        assert!(blocked > 50, "{outcomes:#?}");
        let fails: Vec<&str> = outcomes
            .iter()
            .filter(|o| o.status == Status::Fail)
            .map(|o| o.id.as_str())
            .collect();
        assert!(fails.contains(&"imap.capability.starttls"), "{fails:?}");
        assert!(
            fails.iter().all(|id| [
                "imap.capability.starttls",
                "imap.capability.logindisabled",
                "imap.login.refused-before-tls",
                "imap.authenticate.refused-before-tls",
            ]
            .contains(id)),
            "{fails:?}"
        );
    });
}

#[test]
fn a_login_without_address_or_domain_still_writes_valid_addresses() {
    runtime().block_on(async {
        let reference = Reference::start(ReferenceOptions::default()).await.unwrap();
        let mut target = imap_only(&reference);
        target.domain = None;
        target.accounts = reference
            .accounts
            .iter()
            .map(|account| {
                let login = account.address.split('@').next().unwrap().to_string();
                Account::new(login, Secret::new(account.password.clone()), None, None)
            })
            .collect();
        assert_eq!(target.accounts[0].address, "alice");
        let outcomes = run_suite(&reference, target).await;
        reference.stop().await;
        let envelope = outcomes
            .iter()
            .find(|o| o.id == "imap.fetch.envelope")
            .unwrap();
        assert_eq!(envelope.status, Status::Pass, "{:?}", envelope.reason);
        let sent: String = envelope
            .evidence
            .transcript
            .iter()
            .map(|e| String::from_utf8_lossy(&e.bytes).into_owned())
            .collect();
        assert!(
            sent.contains("From: Groupwire Sender <alice@groupwire.invalid>"),
            "{sent}"
        );
    });
}

#[test]
fn a_plaintext_implicit_tls_port_is_one_fail_and_everything_else_is_blocked_by_it() {
    runtime().block_on(async {
        let reference = Reference::start(ReferenceOptions {
            faults: Faults::one(Fault::ImapImplicitTlsPlaintext),
            ..ReferenceOptions::default()
        })
        .await
        .unwrap();
        let mut target = imap_only(&reference);
        target.imap = Some(
            groupwire_conformance::target::Endpoint::parse(&format!("imaps://{}", reference.imaps))
                .unwrap(),
        );
        let outcomes = run_suite(&reference, target).await;
        reference.stop().await;
        let not_skipped: Vec<(&str, Status)> = outcomes
            .iter()
            .filter(|o| o.status != Status::Skip)
            .map(|o| (o.id.as_str(), o.status))
            .collect();
        assert_eq!(
            not_skipped,
            [("imap.implicit-tls.handshake", Status::Fail)],
            "{outcomes:#?}"
        );
        let blocked = outcomes
            .iter()
            .filter(|o| {
                o.reason
                    .as_deref()
                    .is_some_and(|r| r.contains("blocked by imap.implicit-tls.handshake"))
            })
            .count();
        assert!(blocked > 30, "{outcomes:#?}");
    });
}
