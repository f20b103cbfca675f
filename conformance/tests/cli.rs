//! The `groupwire` binary's command-line contract, run as a user would.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn groupwire(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_groupwire"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("groupwire starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("stdin written");
    child.wait_with_output().expect("groupwire ends")
}

#[test]
fn version_names_the_package_version() {
    let out = groupwire(&["--version"], b"");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.trim(),
        format!("groupwire {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_lists_parse_and_exit_codes() {
    let out = groupwire(&["--help"], b"");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("parse"), "{text}");
    assert!(text.contains("Exit codes:"), "{text}");
}

#[test]
fn parse_rejects_an_unknown_protocol_as_usage_error() {
    let out = groupwire(&["parse", "gopher"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn parse_help_names_every_protocol() {
    let out = groupwire(&["parse", "--help"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    for protocol in [
        "imap-client",
        "imap-server",
        "smtp-client",
        "smtp-server",
        "dav-request",
        "dav-response",
        "ical",
        "vcard",
    ] {
        assert!(text.contains(protocol), "{protocol} missing from:\n{text}");
    }
}

#[test]
fn parse_of_a_missing_file_is_a_usage_error() {
    let out = groupwire(&["parse", "imap-server", "/nonexistent/capture"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read input"));
}

#[test]
fn parse_of_empty_input_is_not_implemented_or_a_clean_result() {
    for protocol in [
        "imap-client",
        "imap-server",
        "smtp-client",
        "smtp-server",
        "ical",
        "vcard",
    ] {
        let out = groupwire(&["parse", protocol], b"");
        let stderr = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(2) => assert!(
                stderr.contains("not implemented yet"),
                "{protocol}: {stderr}"
            ),
            // An empty stream holds no message: success with no output.
            Some(0) => assert!(out.stdout.is_empty(), "{protocol}"),
            other => panic!("{protocol}: unexpected exit {other:?}: {stderr}"),
        }
    }
    for protocol in ["dav-request", "dav-response"] {
        let out = groupwire(&["parse", protocol], b"");
        let stdout = String::from_utf8_lossy(&out.stdout);
        match out.status.code() {
            Some(2) => {
                assert!(String::from_utf8_lossy(&out.stderr).contains("not implemented yet"))
            }
            // A body is one message: empty input is incomplete.
            Some(1) => assert!(
                stdout.contains("incomplete at offset 0"),
                "{protocol}: {stdout}"
            ),
            other => panic!("{protocol}: unexpected exit {other:?}"),
        }
    }
}
