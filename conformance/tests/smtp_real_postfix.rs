//! The SMTP suite against a real Postfix 3.7 (Debian 12, `scripts/servers/postfix.sh`: SASL
//! and LMTP delivery through Dovecot), on the submission port (STARTTLS) and the
//! submissions port (implicit TLS), with logins that are not addresses (`alice`, as on Cyrus)
//! and the addresses derived from the domain.
//!
//! Every outcome that is not a pass is pinned with its reason: each is a real Postfix
//! deviation seen in the transcript (listed in [`KNOWN`]), never a harness error. A check that
//! starts failing here is a new false fail (or a changed Postfix) and must be explained.
//! Skips when Postfix or Dovecot is not installed.

#[path = "support/servers.rs"]
mod servers;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use groupwire_conformance::engine::{
    CheckOutcome, ConnSettings, NoProgress, RunEnv, RunOptions, Selected, Status, TlsTrust,
    client_config,
};
use groupwire_conformance::target::{Account, Endpoint, Secret, Target};

/// Non-passing outcomes of Postfix 3.7.11 with the starter's (Debian-default-like)
/// configuration, and why.
const KNOWN: &[(&str, Status, &str)] = &[
    // smtpd_tls_auth_only = no in the starter: "250-AUTH PLAIN LOGIN" before STARTTLS.
    // Deployment policy: reported, not required, by the default profiles.
    ("smtp.auth.not-before-tls", Status::Fail, "587"),
    // "AUTH X-GROUPWIRE-NONE" -> "535 5.7.8 Error: authentication failed: Invalid
    // authentication mechanism" (RFC 4954 §4: 504).
    ("smtp.auth.unknown-mechanism", Status::Fail, "both"),
    // MAIL without AUTH -> 250, RCPT -> "554 5.7.1 ... Client host rejected: Access denied"
    // (RFC 4954 §6: 530 SHOULD).
    ("smtp.auth.required", Status::Warn, "both"),
    // smtpd_forbid_bare_newline = no (the 3.7 default): <LF>.<LF>, <LF>.<CRLF> and
    // <CRLF>.<LF> end DATA; replies [250, 250, 500, 221] (CVE-2023-51764).
    ("smtp.data.smuggling-lf-dot-lf", Status::Fail, "both"),
    ("smtp.data.smuggling-lf-dot-crlf", Status::Fail, "both"),
    ("smtp.data.smuggling-crlf-dot-lf", Status::Fail, "both"),
    // Lines ending in a bare LF are accepted and dot-unstuffed: "..x" after a bare LF is
    // delivered as ".x" (RFC 5321 §4.1.1.4).
    ("smtp.data.bare-lf-not-line-end", Status::Fail, "both"),
];

fn run_suite(server: &servers::RealServer, smtp_url: &str) -> BTreeMap<String, CheckOutcome> {
    // Postfix and its Dovecot have one self-signed certificate each: trust exactly those.
    let mut pem = std::fs::read(server.get("CERT").unwrap()).unwrap();
    let dovecot = server.get("DOVECOT_DIR").unwrap();
    pem.extend(std::fs::read(PathBuf::from(dovecot).join("tls/cert.pem")).unwrap());
    let ca_file = server.dir().join("both-certs.pem");
    std::fs::write(&ca_file, pem).unwrap();
    let trust = TlsTrust::CaFile { path: ca_file };

    let mut target = Target::empty("postfix");
    target.domain = Some("example.test".into());
    target.smtp = Some(Endpoint::parse(smtp_url).unwrap());
    target.imap = Some(
        Endpoint::parse(&format!(
            "imaps://127.0.0.1:{}",
            server.port("IMAPS_PORT").unwrap()
        ))
        .unwrap(),
    );
    target.accounts = [("USER1", "PASS1"), ("USER2", "PASS2")]
        .iter()
        .map(|(user, pass)| {
            Account::new(
                server.get(user).unwrap(),
                Secret::new(server.get(pass).unwrap()),
                None,
                Some("example.test"),
            )
        })
        .collect();
    let settings = ConnSettings {
        tls: client_config(&trust).unwrap(),
        max_buffer: 4 << 20,
        io_timeout: Duration::from_secs(10),
    };
    target.tls = trust;
    let env = Arc::new(RunEnv::new(target, settings));
    let registry = groupwire_conformance::suites::registry();
    let selected: Vec<Selected> = registry
        .checks()
        .filter(|check| check.id.starts_with("smtp."))
        .map(|check| Selected {
            check,
            required: true,
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(groupwire_conformance::engine::run(
            &registry,
            &selected,
            env,
            RunOptions::default(),
            Arc::new(NoProgress),
        ))
        .outcomes
        .into_iter()
        .map(|outcome| (outcome.id.clone(), outcome))
        .collect()
}

fn assert_only_known_deviations(
    outcomes: &BTreeMap<String, CheckOutcome>,
    port: &str,
    not_applicable: &[&str],
) {
    let mut wrong = Vec::new();
    for (id, outcome) in outcomes {
        let known = KNOWN
            .iter()
            .find(|(known, _, ports)| known == id && (*ports == "both" || *ports == port));
        let expected = if not_applicable.iter().any(|prefix| id.starts_with(prefix)) {
            Status::Skip
        } else {
            known.map(|(_, status, _)| *status).unwrap_or(Status::Pass)
        };
        if outcome.status != expected {
            wrong.push(format!(
                "{id}: expected {expected:?}, got {:?} ({})",
                outcome.status,
                outcome.reason.as_deref().unwrap_or("")
            ));
        }
    }
    assert!(wrong.is_empty(), "on {port}:\n{}", wrong.join("\n"));
}

#[test]
fn postfix_fails_only_where_it_really_deviates() {
    let Some(server) = servers::RealServer::start("postfix") else {
        return;
    };
    let submission = format!(
        "smtp://127.0.0.1:{}",
        server.port("SUBMISSION_PORT").unwrap()
    );
    let outcomes = run_suite(&server, &submission);
    assert_only_known_deviations(&outcomes, "587", &["smtp.implicit-tls."]);

    let submissions = format!(
        "smtps://127.0.0.1:{}",
        server.port("SUBMISSIONS_PORT").unwrap()
    );
    let outcomes = run_suite(&server, &submissions);
    assert_only_known_deviations(
        &outcomes,
        "465",
        &["smtp.starttls.", "smtp.auth.not-before-tls"],
    );
}
