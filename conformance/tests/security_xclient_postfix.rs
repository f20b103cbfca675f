//! `security.smtp.xclient-not-offered` and `security.smtp.xforward-not-offered` on a real
//! Postfix's submission ports (scripts/servers/postfix.sh): with Postfix's default (XCLIENT
//! and XFORWARD authorised for nobody) both pass, Postfix answering `550 5.7.0 Error:
//! insufficient authorization`; with `XCLIENT_HOSTS=127.0.0.0/8` (the harness on loopback is
//! authorised, as a careless `smtpd_authorized_xclient_hosts = $mynetworks` makes it) both
//! warn, with the EHLO keyword and the executed command as evidence.
//!
//! Skips with a message when Postfix is not installed; fails instead under `CI=true`.

#[path = "support/check_json.rs"]
mod check_json;
#[path = "support/servers.rs"]
mod servers;

use servers::RealServer;

const CHECKS: [&str; 2] = [
    "security.smtp.xclient-not-offered",
    "security.smtp.xforward-not-offered",
];

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true")
}

/// Runs both checks against `server`'s submission ports: (id, status, the check's JSON).
fn check(server: &RealServer) -> Vec<(String, String, String)> {
    let host = server.get("HOST").unwrap_or("127.0.0.1");
    let submission = server.port("SUBMISSION_PORT").expect("SUBMISSION_PORT");
    let submissions = server.port("SUBMISSIONS_PORT").expect("SUBMISSIONS_PORT");
    let target = format!(
        "name = \"postfix submission\"\ndomain = \"example.test\"\n\
         smtp = \"smtp://{host}:{submission}\"\nsmtps = \"smtps://{host}:{submissions}\"\n\
         [tls]\ntrust = \"ca-file\"\nca_file = {:?}\n\
         [[account]]\nuser = \"alice@example.test\"\npassword_env = \"GW_XCLIENT_PASSWORD\"\n",
        server.get("CERT").expect("CERT printed")
    );
    let report = check_json::check_report(
        &target,
        "security",
        &["security.smtp.x*"],
        &[("GW_XCLIENT_PASSWORD", "alice-password")],
    );
    CHECKS
        .iter()
        .map(|id| {
            let (status, json) = check_json::outcome(&report, id);
            (id.to_string(), status, json)
        })
        .collect()
}

#[test]
fn postfix_refuses_xclient_and_xforward_unless_the_client_is_authorised() {
    let Some(default) = RealServer::start("postfix") else {
        assert!(!in_ci(), "CI=true: postfix must be installed for this test");
        eprintln!("skip: postfix is not installed; XCLIENT/XFORWARD checks not run against it");
        return;
    };
    let outcomes = check(&default);
    drop(default);
    for (id, status, evidence) in outcomes {
        assert_eq!(status, "pass", "{id} on Postfix's default: {evidence}");
        assert!(
            evidence.contains("insufficient authorization"),
            "{id}: {evidence}"
        );
    }

    let careless = RealServer::start_with("postfix", &[("XCLIENT_HOSTS", "127.0.0.0/8")])
        .expect("postfix started once, so it starts again");
    let outcomes = check(&careless);
    drop(careless);
    for ((id, status, evidence), verb) in outcomes.into_iter().zip(["XCLIENT", "XFORWARD"]) {
        assert_eq!(status, "warn", "{id} with XCLIENT_HOSTS: {evidence}");
        assert!(
            evidence.contains(&format!("EHLO advertises {verb}")),
            "{id}: {evidence}"
        );
    }
}
