//! `groupwire check` and `groupwire checks` as a user runs them: exit codes 2 (usage or
//! target error) and 3 (unreachable), reports written to a file, the catalogue as JSON.

use std::process::{Command, Output};

fn groupwire(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_groupwire"));
    command
        .args(args)
        .env_remove("GROUPWIRE_PASSWORD")
        .env_remove("GROUPWIRE_USER2")
        .env_remove("GROUPWIRE_PASSWORD2");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn usage_and_target_errors_exit_2() {
    let output = groupwire(&["check", "imap://alice@127.0.0.1:1"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("GROUPWIRE_PASSWORD"),
        "{}",
        stderr(&output)
    );

    let output = groupwire(
        &["check", "imap://alice:pw@127.0.0.1:1"],
        &[("GROUPWIRE_PASSWORD", "x")],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("passwords do not belong in URLs"));

    let output = groupwire(
        &["check", "--profile", "nope", "imap://alice@127.0.0.1:1"],
        &[("GROUPWIRE_PASSWORD", "x")],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no profile \"nope\""));

    let output = groupwire(&["check", "/nonexistent/target.toml"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot read /nonexistent/target.toml"));

    let dir = std::env::temp_dir().join(format!("gw-engine-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let waivers = dir.join("waivers.toml");
    std::fs::write(
        &waivers,
        "[[waiver]]\ncheck = \"smtp.no-such-check\"\nreason = \"r\"\n",
    )
    .unwrap();
    let output = groupwire(
        &[
            "check",
            "--waivers",
            waivers.to_str().unwrap(),
            "smtp://alice@127.0.0.1:1",
        ],
        &[("GROUPWIRE_PASSWORD", "x")],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown check \"smtp.no-such-check\""));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unreachable_target_exits_3_once_with_a_report() {
    let url = format!("smtp+plain://alice@127.0.0.1:{}", closed_port());
    let dir = std::env::temp_dir().join(format!("gw-engine-cli-u-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let report = dir.join("report.xml");
    let output = groupwire(
        &[
            "check",
            &url,
            "--format",
            "junit",
            "--output",
            report.to_str().unwrap(),
            "--timeout",
            "5",
        ],
        &[("GROUPWIRE_PASSWORD", "pw")],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    // Said once, before any check: not once per check.
    let err = stderr(&output);
    assert_eq!(
        err.matches("cannot connect to 127.0.0.1").count(),
        1,
        "{err}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout.lines().find(|l| l.contains(" passed, ")).unwrap();
    assert_eq!(last, "0 passed, 0 failed, 0 skipped", "{stdout}");
    let xml = std::fs::read_to_string(&report).unwrap();
    assert!(
        xml.contains("<error message=\"SMTP smtp+plain://alice@127.0.0.1:")
            && xml.contains("cannot connect to 127.0.0.1"),
        "{xml}"
    );
    assert!(!xml.contains("pw\""));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn catalogue_lists_rfc_references_and_profile_requirements() {
    let output = groupwire(&["checks", "--format", "json"], &[]);
    assert_eq!(output.status.code(), Some(0));
    let all: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let all = all.as_array().unwrap();
    assert!(!all.is_empty());
    for entry in all {
        // An RFC, or a document that says it is none (the autoconfig draft).
        let rfc = entry["rfc"].as_str().unwrap();
        assert!(
            rfc.starts_with("RFC ") || (rfc.starts_with("draft-") && rfc.ends_with("(no RFC)")),
            "{entry}"
        );
        assert!(["MUST", "SHOULD", "MAY"].contains(&entry["level"].as_str().unwrap()));
        assert!(entry.get("required").is_none());
    }
    let output = groupwire(&["checks", "--profile", "strict", "--format", "json"], &[]);
    let strict: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for entry in strict.as_array().unwrap() {
        let required = entry["required"].as_bool().unwrap();
        assert_eq!(required, entry["level"] != "MAY", "{entry}");
    }
    let output = groupwire(&["checks"], &[]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.trim_end().ends_with(&format!("{} checks", all.len())),
        "{text}"
    );
}
