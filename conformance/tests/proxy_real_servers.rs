//! The fault proxy in front of real Dovecot and Postfix: every row of the kill table
//! (`groupwire_conformance::proxy::KILLS`) runs its checks through a `none` proxy (the
//! control) and through a proxy with the row's fault, and every pair whose control passes
//! must be killed. Prints the kill table.
//!
//! Skips (with a message) when the servers are not installed, except under `CI=true`, where
//! a missing server is a failure. Postfix has one system-wide configuration, so its start is
//! retried while another Postfix runs on the machine.

#[path = "support/servers.rs"]
mod servers;

use std::time::{Duration, Instant};

use groupwire_conformance::engine::{Status, TlsTrust};
use groupwire_conformance::proxy::kill::{KillOptions, KillTable, Upstream, measure};
use groupwire_conformance::proxy::{Fault, KILLS};
use groupwire_conformance::target::{Account, Endpoint, Secret};
use servers::RealServer;

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn start(name: &str) -> Option<RealServer> {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        match std::panic::catch_unwind(|| RealServer::start(name)) {
            Ok(Some(server)) => return Some(server),
            Ok(None) => {
                assert!(!in_ci(), "{name} must be installed under CI");
                return None;
            }
            // Another Postfix (system-wide configuration) may be running: wait and retry.
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_secs(10)),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}

fn accounts(server: &RealServer, domain: Option<&str>) -> Vec<Account> {
    ["1", "2"]
        .iter()
        .filter_map(|n| {
            let user = server.get(&format!("USER{n}"))?;
            let password = server.get(&format!("PASS{n}"))?;
            Some(Account::new(user, Secret::new(password), None, domain))
        })
        .collect()
}

/// Hardens the running server's configuration so the deployment-policy checks pass bare
/// (and so a proxy fault that breaks the policy is measurable): Dovecot refuses plaintext
/// authentication (the proxy then connects from 127.0.0.2, since Dovecot takes a connection
/// whose two ends have the same address for a local, secure one); Postfix offers AUTH only
/// over TLS and refuses bare newlines in DATA from every client.
fn harden(name: &str, server: &RealServer) {
    let pid = server.get("PID").unwrap();
    match name {
        "dovecot" => {
            let config = server.get("CONFIG").unwrap();
            let text = std::fs::read_to_string(config).unwrap();
            let hardened = text.replace(
                "disable_plaintext_auth = no",
                "disable_plaintext_auth = yes",
            );
            assert_ne!(
                text, hardened,
                "the Dovecot starter's config changed: update harden()"
            );
            std::fs::write(config, hardened).unwrap();
        }
        _ => {
            let status = std::process::Command::new("postconf")
                .args(["-c", server.get("CONFIG_DIR").unwrap(), "-e"])
                .args([
                    "smtpd_tls_auth_only=yes",
                    "smtpd_forbid_bare_newline=yes",
                    "smtpd_forbid_bare_newline_exclusions=",
                ])
                .status()
                .unwrap();
            assert!(status.success(), "postconf failed");
        }
    }
    // Both masters re-read their configuration on SIGHUP.
    let status = std::process::Command::new("kill")
        .args(["-HUP", pid])
        .status()
        .unwrap();
    assert!(status.success());
    std::thread::sleep(Duration::from_secs(2));
}

fn measure_on(server: &RealServer, url: &str, domain: Option<&str>) -> KillTable {
    let upstream = Upstream {
        endpoint: Endpoint::parse(url).unwrap(),
        accounts: accounts(server, domain),
        domain: domain.map(str::to_owned),
        trust: TlsTrust::Insecure,
        source: Some(std::net::IpAddr::from([127, 0, 0, 2])),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let registry = groupwire_conformance::suites::registry();
    runtime
        .block_on(measure(&registry, KILLS, &upstream, KillOptions::default()))
        .unwrap()
}

fn assert_all_killed(server: &str, table: &KillTable) {
    println!("kill table against {server}:\n{}", table.render());
    for row in &table.rows {
        assert!(
            row.control.is_some(),
            "{} (fault {}) is not in the catalogue: update proxy::KILLS",
            row.check,
            row.fault
        );
        assert!(
            !row.measurable() || row.killed(),
            "{} survived --fault {} on {server}: {:?} {}",
            row.check,
            row.fault,
            row.faulty,
            row.reason.as_deref().unwrap_or("")
        );
    }
}

#[test]
fn every_fault_is_killed_on_real_dovecot_and_postfix() {
    let mut tables = Vec::new();
    if let Some(dovecot) = start("dovecot") {
        harden("dovecot", &dovecot);
        let url = format!("imap://127.0.0.1:{}", dovecot.port("IMAP_PORT").unwrap());
        let table = measure_on(&dovecot, &url, None);
        assert_all_killed("Dovecot (imap, STARTTLS, plaintext auth disabled)", &table);
        tables.push(table);
        let url = format!("imaps://127.0.0.1:{}", dovecot.port("IMAPS_PORT").unwrap());
        let table = measure_on(&dovecot, &url, None);
        assert_all_killed("Dovecot (imaps, implicit TLS)", &table);
        tables.push(table);
    } else {
        eprintln!("skip: Dovecot is not installed; the IMAP half of the kill table did not run");
    }
    if let Some(postfix) = start("postfix") {
        harden("postfix", &postfix);
        let url = format!(
            "smtp://127.0.0.1:{}",
            postfix.port("SUBMISSION_PORT").unwrap()
        );
        let table = measure_on(&postfix, &url, postfix.get("DOMAIN"));
        assert_all_killed(
            "Postfix (submission, STARTTLS, AUTH only over TLS, no bare newlines)",
            &table,
        );
        tables.push(table);
        let url = format!(
            "smtps://127.0.0.1:{}",
            postfix.port("SUBMISSIONS_PORT").unwrap()
        );
        let table = measure_on(&postfix, &url, postfix.get("DOMAIN"));
        assert_all_killed("Postfix (submissions, implicit TLS)", &table);
        tables.push(table);
    } else {
        eprintln!("skip: Postfix is not installed; the SMTP half of the kill table did not run");
    }
    if tables.is_empty() {
        return;
    }
    let rows: Vec<_> = tables.iter().flat_map(|t| &t.rows).collect();
    let measurable = rows.iter().filter(|r| r.measurable()).count();
    let killed = rows.iter().filter(|r| r.killed()).count();
    println!("overall: {killed}/{measurable} measurable pairs killed");
    assert!(measurable > 0, "no pair was measurable");
    assert_eq!(killed, measurable);
    // With both servers (both endpoints each) hardened, every fault must be proven by at least one pair.
    if tables.len() == 4 {
        for kill in KILLS {
            let fault = Fault::parse(kill.fault).unwrap();
            assert!(
                rows.iter()
                    .any(|r| r.fault == kill.fault && r.control == Some(Status::Pass)),
                "--fault {fault} has no measurable pair on Dovecot or Postfix"
            );
        }
    }
}
