//! `groupwire parse` goes on past a bad message (an error record, the message skipped, exit 1
//! at the end), and with `--peer` frames a client stream as the server did: a refused literal
//! ends its command, a DATA answered 503 is followed by commands. Fixtures are hand-written
//! (`tests/fixtures/parse/`); the recorded real sessions decode the same with their peer.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/parse")
        .join(name)
}

/// Runs `groupwire parse` with `args`; the exit code and the JSON lines.
fn parse(args: &[&Path]) -> (Option<i32>, Vec<serde_json::Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_groupwire"))
        .arg("parse")
        .args(args)
        .output()
        .expect("groupwire runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}")))
        .collect();
    (out.status.code(), lines)
}

fn kinds(lines: &[serde_json::Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| match l["kind"].as_str() {
            Some(kind) => kind.to_string(),
            None => format!("error: {}", l["error"].as_str().unwrap_or_default()),
        })
        .collect()
}

#[test]
fn a_bad_command_is_reported_and_skipped() {
    let (code, lines) = parse(&[
        Path::new("imap-client"),
        &fixture("bad-message.client"),
        Path::new("--roundtrip"),
    ]);
    assert_eq!(code, Some(1), "{lines:?}");
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0]["kind"], "command");
    // The error record says where it went wrong and how much was skipped.
    assert_eq!(lines[1]["offset"], 9 + 17);
    assert_eq!(lines[1]["len"], 19);
    assert!(!lines[1]["error"].as_str().unwrap().is_empty(), "{lines:?}");
    assert_eq!(lines[2]["offset"], 28);
    assert_eq!(lines[2]["value"]["tag"], "a3");
}

#[test]
fn a_refused_literal_is_framed_as_the_server_framed_it() {
    let client = fixture("refused-append.client");
    let server = fixture("refused-append.server");
    let (code, lines) = parse(&[
        Path::new("imap-client"),
        &client,
        Path::new("--roundtrip"),
        Path::new("--peer"),
        &server,
    ]);
    assert_eq!(code, Some(0), "{lines:?}");
    assert_eq!(
        kinds(&lines),
        ["command", "refused-command", "command", "command"]
    );
    assert_eq!(lines[1]["value"]["tag"], "a2");
    assert_eq!(lines[1]["value"]["literal_size"], 5);
    assert_eq!(lines[1]["len"], 25);
    assert_eq!(lines[2]["value"]["tag"], "a3");
    // Without the peer the refused literal is taken as sent, and the stream misframes.
    let (code, lines) = parse(&[Path::new("imap-client"), &client]);
    assert_eq!(code, Some(1), "{lines:?}");
}

#[test]
fn a_data_answered_503_is_followed_by_commands() {
    let client = fixture("data-503.client");
    let server = fixture("data-503.server");
    let (code, lines) = parse(&[
        Path::new("smtp-client"),
        &client,
        Path::new("--peer"),
        &server,
    ]);
    assert_eq!(code, Some(0), "{lines:?}");
    assert_eq!(kinds(&lines), ["command"; 6]);
    assert_eq!(lines[4]["value"]["command"], "RSET");
    // Without the peer RSET and QUIT are read as message data that never ends.
    let (code, lines) = parse(&[Path::new("smtp-client"), &client]);
    assert_eq!(code, Some(1), "{lines:?}");
    assert!(
        lines.last().unwrap()["error"]
            .as_str()
            .unwrap()
            .starts_with("incomplete")
    );
}

#[test]
fn peer_applies_to_client_streams_only() {
    let out = Command::new(env!("CARGO_BIN_EXE_groupwire"))
        .arg("parse")
        .arg("imap-server")
        .arg(fixture("refused-append.server"))
        .arg("--peer")
        .arg(fixture("refused-append.client"))
        .output()
        .expect("groupwire runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--peer"));
}

/// The recorded real sessions, every literal granted and every DATA answered 354, decode the
/// same with their server's stream as peer.
#[test]
fn recorded_sessions_decode_the_same_with_their_peer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut pairs = 0;
    for (protocol, dir) in [
        ("imap-client", "imap-proto/tests/fixtures/real"),
        ("smtp-client", "smtp-proto/tests/fixtures/real"),
    ] {
        let mut clients: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "client"))
            .collect();
        clients.sort();
        for client in clients {
            let server = client.with_extension("server");
            if !server.exists() {
                continue;
            }
            let alone = parse(&[Path::new(protocol), &client]);
            let paired = parse(&[Path::new(protocol), &client, Path::new("--peer"), &server]);
            assert_eq!(alone.0, Some(0), "{}", client.display());
            assert_eq!(paired, alone, "{}", client.display());
            pairs += 1;
        }
    }
    assert!(pairs >= 18, "only {pairs} recorded pairs");
}
