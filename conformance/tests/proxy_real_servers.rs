//! The fault proxy in front of real Dovecot and Postfix: every row of the kill table
//! (`groupwire_conformance::proxy::KILLS`) runs its checks through a `none` proxy (the
//! control) and through a proxy with the row's fault, and every pair whose control passes
//! must be killed. Prints the kill table.
//!
//! The servers are the repository's hardened variants (`HARDENED=1`: Dovecot on 127.0.0.2
//! with plaintext authentication disabled; Postfix with AUTH only over TLS and bare newlines
//! refused), so the deployment-policy checks pass bare and a fault that breaks the policy is
//! measurable. Skips (with a message) when the servers are not installed, except under
//! `CI=true`, where a missing server is a failure. Postfix starts are serialised by the
//! support module's lock.

#[path = "support/servers.rs"]
mod servers;

use groupwire_conformance::engine::{Status, TlsTrust};
use groupwire_conformance::proxy::kill::{KillOptions, KillTable, Upstream, measure};
use groupwire_conformance::proxy::{Fault, KILLS};
use groupwire_conformance::target::{Account, Endpoint, Secret};
use servers::RealServer;

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn start(name: &str) -> Option<RealServer> {
    let server = RealServer::start_with(name, &[("HARDENED", "1")]);
    assert!(
        server.is_some() || !in_ci(),
        "{name} must be installed under CI"
    );
    if let Some(server) = &server {
        assert_eq!(
            server.get("HARDENED"),
            Some("1"),
            "{name}: not the hardened variant"
        );
    }
    server
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

fn measure_on(server: &RealServer, url: &str, domain: Option<&str>) -> KillTable {
    let upstream = Upstream {
        endpoint: Endpoint::parse(url).unwrap(),
        accounts: accounts(server, domain),
        domain: domain.map(str::to_owned),
        trust: TlsTrust::Insecure,
        source: None,
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
        let host = dovecot.get("HOST").unwrap_or("127.0.0.1");
        let url = format!("imap://{host}:{}", dovecot.port("IMAP_PORT").unwrap());
        let table = measure_on(&dovecot, &url, None);
        assert_all_killed("Dovecot (imap, STARTTLS, plaintext auth disabled)", &table);
        tables.push(table);
        let url = format!("imaps://{host}:{}", dovecot.port("IMAPS_PORT").unwrap());
        let table = measure_on(&dovecot, &url, None);
        assert_all_killed("Dovecot (imaps, implicit TLS)", &table);
        tables.push(table);
    } else {
        eprintln!("skip: Dovecot is not installed; the IMAP half of the kill table did not run");
    }
    if let Some(postfix) = start("postfix") {
        let host = postfix.get("HOST").unwrap_or("127.0.0.1");
        let url = format!("smtp://{host}:{}", postfix.port("SUBMISSION_PORT").unwrap());
        let table = measure_on(&postfix, &url, postfix.get("DOMAIN"));
        assert_all_killed(
            "Postfix (submission, STARTTLS, AUTH only over TLS, no bare newlines)",
            &table,
        );
        tables.push(table);
        let url = format!(
            "smtps://{host}:{}",
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
