//! `security.smtp.mx-open-relay-refused` on a real Postfix's MX-style port (scripts/servers/
//! postfix.sh, SMTP_PORT): with the starter's default `mynetworks = 127.0.0.0/8` the harness
//! on loopback is a trusted network, so Postfix relays for it and the check must warn with
//! the open relay as evidence; with `MYNETWORKS=127.0.0.2/32` the harness is a stranger and
//! `reject_unauth_destination` refuses the outside recipient, so the check passes.
//!
//! Skips with a message when Postfix is not installed; fails instead under `CI=true`.

#[path = "support/check_json.rs"]
mod check_json;
#[path = "support/servers.rs"]
mod servers;

use servers::RealServer;

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true")
}

/// Runs the check against `server`'s SMTP_PORT: (status, the check's JSON).
fn check(server: &RealServer) -> (String, String) {
    let host = server.get("HOST").unwrap_or("127.0.0.1");
    let port = server.port("SMTP_PORT").expect("SMTP_PORT printed");
    let target = format!(
        "name = \"postfix mx\"\ndomain = \"example.test\"\nmx = \"smtp://{host}:{port}\"\n\
         [tls]\ntrust = \"ca-file\"\nca_file = {:?}\n\
         [[account]]\nuser = \"alice@example.test\"\npassword_env = \"GW_MX_PASSWORD\"\n",
        server.get("CERT").expect("CERT printed")
    );
    let report = check_json::check_report(
        &target,
        "security",
        &["security.smtp.mx-open-relay-refused"],
        &[("GW_MX_PASSWORD", "alice-password")],
    );
    check_json::outcome(&report, "security.smtp.mx-open-relay-refused")
}

#[test]
fn postfix_mx_relays_for_its_mynetworks_and_refuses_strangers() {
    let Some(trusting) = RealServer::start("postfix") else {
        assert!(!in_ci(), "CI=true: postfix must be installed for this test");
        eprintln!("skip: postfix is not installed; MX relay check not run against it");
        return;
    };
    let (status, evidence) = check(&trusting);
    drop(trusting);
    assert_eq!(status, "warn", "loopback is in mynetworks: {evidence}");
    assert!(evidence.contains("open relay"), "{evidence}");

    let strict = RealServer::start_with("postfix", &[("MYNETWORKS", "127.0.0.2/32")])
        .expect("postfix started once, so it starts again");
    let (status, evidence) = check(&strict);
    drop(strict);
    assert_eq!(status, "pass", "{evidence}");
    assert!(evidence.contains("Relay access denied"), "{evidence}");
}
