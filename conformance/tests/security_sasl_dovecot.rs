//! The SASL checks of the security suite on a real Dovecot (scripts/servers/dovecot.sh, which
//! offers SCRAM-SHA-256 besides PLAIN and LOGIN from its plain-text passdb): SCRAM-SHA-256
//! logs in with a server signature that verifies, a wrong proof is refused, OAUTHBEARER (not
//! configured) is skipped and a made-up token tried all the same is refused, and the
//! mechanisms before and after TLS are reported. Default and hardened configurations.
//!
//! Skips with a message when Dovecot is not installed; fails instead under `CI=true`.

#[path = "support/servers.rs"]
mod servers;

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;
use servers::RealServer;

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true")
}

/// Runs `groupwire check --profile security --only 'security.sasl.*'` against both IMAP
/// ports of `server`: (status of each check, the JSON report).
fn check(server: &RealServer) -> (BTreeMap<String, String>, String) {
    let port = |key: &str| {
        server
            .port(key)
            .unwrap_or_else(|| panic!("{key} not printed"))
    };
    let host = server.get("HOST").unwrap_or("127.0.0.1");
    let output = Command::new(env!("CARGO_BIN_EXE_groupwire"))
        .args([
            "check",
            "--profile",
            "security",
            "--only",
            "security.sasl.*",
        ])
        .args(["--format", "json", "--ca-file"])
        .arg(server.get("CERT").expect("CERT printed"))
        .arg(format!("imap://alice@{host}:{}", port("IMAP_PORT")))
        .arg(format!("imaps://alice@{host}:{}", port("IMAPS_PORT")))
        .env("GROUPWIRE_PASSWORD", "alice-password")
        .output()
        .expect("run groupwire");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let statuses = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().to_string(),
                c["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    (statuses, stdout)
}

#[test]
fn dovecot_scram_sha_256_works_and_refuses_a_wrong_proof() {
    for hardened in ["0", "1"] {
        let Some(server) = RealServer::start_with("dovecot", &[("HARDENED", hardened)]) else {
            assert!(!in_ci(), "CI=true: dovecot must be installed for this test");
            eprintln!("skip: dovecot is not installed; SASL checks not run against it");
            return;
        };
        let (statuses, report) = check(&server);
        drop(server);
        let status = |id: &str| statuses.get(id).map(String::as_str);
        assert_eq!(
            status("security.sasl.scram-sha-256"),
            Some("pass"),
            "hardened={hardened}: {report}"
        );
        assert!(
            report.contains("with a verified server signature, i=4096"),
            "{report}"
        );
        assert_eq!(
            status("security.sasl.scram-bad-proof-refused"),
            Some("pass"),
            "{report}"
        );
        assert!(report.contains("AUTHENTICATIONFAILED"), "{report}");
        // OAUTHBEARER is not configured: skipped, and the made-up token tried anyway refused.
        assert_eq!(
            status("security.sasl.oauthbearer"),
            Some("skip"),
            "{report}"
        );
        assert_eq!(
            status("security.sasl.oauthbearer-bad-token-refused"),
            Some("skip"),
            "{report}"
        );
        assert!(
            report.contains("OAUTHBEARER not advertised; tried all the same and refused"),
            "{report}"
        );
        assert_eq!(status("security.sasl.mechanisms"), Some("pass"), "{report}");
        assert!(
            report.contains("after TLS: PLAIN LOGIN SCRAM-SHA-256"),
            "{report}"
        );
    }
}
