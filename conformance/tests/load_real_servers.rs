//! `groupwire load` against a real Postfix (submission) delivering over LMTP into a real
//! Dovecot (IMAP), started by `scripts/servers/postfix.sh`: the smtp-burst, mobile and
//! thunderbird (its DAV actions left out: no DAV server) mixes
//! at a small size (the two test accounts, a few seconds) lose nothing and pass. Skips when
//! Postfix or Dovecot is not installed (CI installs both).

#[path = "support/servers.rs"]
mod servers;

use std::process::Command;
use std::time::{Duration, Instant};

use groupwire_conformance::load::stats::LoadResult;

fn run(
    target: &std::path::Path,
    mix: &str,
    output: &std::path::Path,
) -> (bool, LoadResult, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_groupwire"))
        .arg("load")
        .arg(target)
        .args(["--mix", mix, "--duration", "4s", "--delivery-bound", "20s"])
        .arg("--output")
        .arg(output)
        .env("LOAD_REAL_PASS1", "alice-password")
        .env("LOAD_REAL_PASS2", "bob-password")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("groupwire load starts");
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("groupwire load did not finish in time");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut report = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        use std::io::Read;
        let _ = stdout.read_to_string(&mut report);
    }
    let result = serde_json::from_str(&std::fs::read_to_string(output).unwrap()).unwrap();
    (status.success(), result, report)
}

#[test]
fn postfix_and_dovecot_lose_nothing_under_load() {
    let Some(server) = servers::RealServer::start("postfix") else {
        return;
    };
    let dir = server.dir().to_path_buf();
    let host = server.get("IMAP_HOST").unwrap_or("127.0.0.1");
    let target = dir.join("load-target.toml");
    std::fs::write(
        &target,
        format!(
            "name = \"postfix + dovecot\"\nimap = \"imaps://{host}:{}\"\nsmtp = \"smtps://{}:{}\"\n\
             [tls]\ntrust = \"ca-file\"\nca_file = \"{}\"\n\
             [[account]]\nuser = \"{}\"\naddress = \"{}@example.test\"\npassword_env = \"LOAD_REAL_PASS1\"\n\
             [[account]]\nuser = \"{}\"\naddress = \"{}@example.test\"\npassword_env = \"LOAD_REAL_PASS2\"\n",
            server.get("IMAPS_PORT").unwrap(),
            server.get("HOST").unwrap_or("127.0.0.1"),
            server.get("SUBMISSIONS_PORT").unwrap(),
            server.get("CERT").unwrap(),
            server.get("USER1").unwrap(),
            server.get("USER1").unwrap(),
            server.get("USER2").unwrap(),
            server.get("USER2").unwrap(),
        ),
    )
    .unwrap();
    for mix in ["smtp-burst", "mobile", "thunderbird"] {
        let (passed, result, report) = run(&target, mix, &dir.join(format!("{mix}.json")));
        assert!(passed, "{mix}: {report}");
        assert_eq!(result.delivery.lost, 0, "{mix}: {report}");
        assert_eq!(result.delivery.duplicated, 0, "{mix}: {report}");
        assert_eq!(result.correctness.grammar_violations, 0, "{mix}: {report}");
        if mix == "smtp-burst" {
            assert!(result.delivery.submitted > 0, "{mix}: {report}");
        }
    }
}
