//! Every recorded real fixture goes through `groupwire parse --roundtrip`: the binary must exit 0
//! and print one JSON line per message, with consecutive offsets that cover the whole file.
//!
//! Fixture families (see each `tests/fixtures/real/README.md`):
//! - `imap-proto/tests/fixtures/real/*.client` / `*.server` -> `imap-client` / `imap-server`;
//! - `smtp-proto/tests/fixtures/real/*.client` / `*.server` -> `smtp-client` / `smtp-server`;
//! - `dav-proto/tests/fixtures/real/**/*-request.xml` / `*-response.xml` -> `dav-request` /
//!   `dav-response`; `**/*.ics` -> `ical`; `**/*.vcf` -> `vcard`.
//!
//! A fixture that fails because of a codec bug is listed in [`KNOWN_FAILURES`] with its reason,
//! and the test asserts it still fails, so a fix forces the entry out. Details for the codec
//! owners go to /work/coord/NOTE-parse-real-fixtures.md.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Fixtures (path relative to the workspace root) that fail today, with the reason.
/// Empty: every recorded fixture decodes and round-trips.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

/// The smallest number of fixtures each family must have, so that a moved or renamed fixture
/// folder makes this test fail instead of silently checking nothing.
const MIN_FIXTURES: &[(&str, usize)] = &[
    ("imap-client", 8),
    ("imap-server", 8),
    ("smtp-client", 10),
    ("smtp-server", 10),
    ("dav-request", 10),
    ("dav-response", 10),
    ("ical", 5),
    ("vcard", 1),
];

fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Every file under `dir`, recursively, sorted for stable output.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", current.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Every fixture with the `groupwire parse` protocol it is decoded as.
fn fixtures() -> Vec<(&'static str, PathBuf)> {
    let root = workspace_root();
    let mut list = Vec::new();
    for (crate_dir, client, server) in [
        ("imap-proto", "imap-client", "imap-server"),
        ("smtp-proto", "smtp-client", "smtp-server"),
    ] {
        for path in files_under(&root.join(crate_dir).join("tests/fixtures/real")) {
            match path.extension().and_then(|e| e.to_str()) {
                Some("client") => list.push((client, path)),
                Some("server") => list.push((server, path)),
                _ => {}
            }
        }
    }
    for path in files_under(&root.join("dav-proto/tests/fixtures/real")) {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let protocol = if name.ends_with("-request.xml") {
            "dav-request"
        } else if name.ends_with("-response.xml") {
            "dav-response"
        } else if name.ends_with(".ics") {
            "ical"
        } else if name.ends_with(".vcf") {
            "vcard"
        } else {
            continue;
        };
        list.push((protocol, path));
    }
    list
}

/// Runs `groupwire parse PROTOCOL FILE --roundtrip` and checks the output contract.
/// Returns a description of what went wrong, or `None` when the fixture passes.
fn check_fixture(protocol: &str, path: &Path) -> Option<String> {
    let file_len = std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("cannot stat {}: {e}", path.display()))
        .len();
    let output = Command::new(env!("CARGO_BIN_EXE_groupwire"))
        .arg("parse")
        .arg(protocol)
        .arg(path)
        .arg("--roundtrip")
        .output()
        .expect("run groupwire");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last_line = stdout.lines().last().unwrap_or("").to_string();
    if !output.status.success() {
        return Some(format!(
            "exit {:?}; last line: {last_line}; stderr: {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let mut next_offset = 0u64;
    let mut messages = 0usize;
    for line in stdout.lines() {
        let value: serde_json::Value = match serde_json::from_str(line) {
            Ok(value) => value,
            Err(e) => return Some(format!("not JSON ({e}): {line}")),
        };
        if value.get("error").is_some() {
            return Some(format!("error line despite exit 0: {line}"));
        }
        let (Some(offset), Some(len)) = (
            value.get("offset").and_then(|v| v.as_u64()),
            value.get("len").and_then(|v| v.as_u64()),
        ) else {
            return Some(format!("line without offset/len: {line}"));
        };
        if value.get("kind").and_then(|v| v.as_str()).is_none() || value.get("value").is_none() {
            return Some(format!("line without kind/value: {line}"));
        }
        if offset != next_offset {
            return Some(format!("offset {offset}, expected {next_offset}: {line}"));
        }
        if len == 0 {
            return Some(format!("empty message at offset {offset}"));
        }
        next_offset = offset + len;
        messages += 1;
    }
    if next_offset != file_len {
        return Some(format!(
            "messages cover {next_offset} of {file_len} bytes ({messages} messages)"
        ));
    }
    None
}

fn relative(path: &Path) -> String {
    let root = workspace_root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn every_real_fixture_decodes_and_round_trips() {
    let fixtures = fixtures();
    for (protocol, minimum) in MIN_FIXTURES {
        let count = fixtures.iter().filter(|(p, _)| p == protocol).count();
        assert!(
            count >= *minimum,
            "only {count} {protocol} fixtures found (expected at least {minimum})"
        );
    }

    let mut unexpected = Vec::new();
    let mut fixed = Vec::new();
    for (protocol, path) in &fixtures {
        let name = relative(path);
        let known = KNOWN_FAILURES.iter().find(|(known, _)| *known == name);
        match (check_fixture(protocol, path), known) {
            (Some(problem), None) => unexpected.push(format!(
                "groupwire parse {protocol} {name} --roundtrip: {problem}"
            )),
            (None, Some((_, reason))) => fixed.push(format!(
                "{name} now passes; remove it from KNOWN_FAILURES (was: {reason})"
            )),
            _ => {}
        }
    }
    for (known, _) in KNOWN_FAILURES {
        assert!(
            fixtures.iter().any(|(_, path)| relative(path) == *known),
            "KNOWN_FAILURES names {known}, which is not a fixture"
        );
    }
    assert!(
        unexpected.is_empty() && fixed.is_empty(),
        "{} fixture(s) fail, {} known failure(s) now pass:\n{}",
        unexpected.len(),
        fixed.len(),
        unexpected
            .iter()
            .chain(fixed.iter())
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
