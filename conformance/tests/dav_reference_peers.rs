//! Peer suites against the embedded reference DAV server: litmus (all five suites: basic,
//! copymove, props, locks, http) and the python `caldav` library's functional round trip
//! (discover, create a calendar, create and query events). Each prints the tool's output
//! into the test log.
//!
//! A test skips, with a message, only when its tool is not installed and `CI` is not set;
//! CI installs both from scripts/debian-packages.txt (`litmus`, `python3-caldav`).

use std::path::Path;
use std::process::Command;

use groupwire_conformance::reference::{Reference, ReferenceOptions};

const LITMUS: &str = "/usr/bin/litmus";
/// Debian's interpreter, where python3-caldav is installed (not a pyenv `python3`).
const PYTHON: &str = "/usr/bin/python3";

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true")
}

/// `false` (after saying why) when `tool` is missing outside CI; panics when it is missing
/// in CI, which installs it.
fn tool_present(tool: &str, what: &str) -> bool {
    if Path::new(tool).exists() {
        return true;
    }
    assert!(
        !in_ci(),
        "{what} ({tool}) is missing in CI: scripts/debian-packages.txt installs it"
    );
    eprintln!("skip: {what} is not installed ({tool} missing)");
    false
}

struct Running {
    runtime: tokio::runtime::Runtime,
    reference: Option<Reference>,
    ca_file: std::path::PathBuf,
}

impl Running {
    fn start(name: &str) -> Running {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let reference = runtime
            .block_on(Reference::start(ReferenceOptions::default()))
            .expect("reference starts");
        let ca_file = std::env::temp_dir().join(format!(
            "groupwire-dav-peers-{name}-{}.pem",
            std::process::id()
        ));
        std::fs::write(&ca_file, &reference.tls.certificate_pem).expect("write CA file");
        Running {
            runtime,
            reference: Some(reference),
            ca_file,
        }
    }

    fn reference(&self) -> &Reference {
        self.reference.as_ref().expect("running")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(reference) = self.reference.take() {
            self.runtime.block_on(reference.stop());
        }
        let _ = std::fs::remove_file(&self.ca_file);
    }
}

#[test]
fn litmus_passes_all_five_suites_against_the_reference() {
    if !tool_present(LITMUS, "litmus") {
        return;
    }
    let running = Running::start("litmus");
    let reference = running.reference();
    let account = reference.accounts.first().expect("an account");
    let url = reference.webdav_url();
    let output = Command::new(LITMUS)
        .arg("--keep-going")
        .arg(&url)
        .arg(&account.address)
        .arg(&account.password)
        .env("TESTS", "basic copymove props locks http")
        .output()
        .expect("litmus runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!(
        "litmus {url} (exit {:?})\n{stdout}{stderr}",
        output.status.code()
    );
    let summaries: Vec<&str> = stdout
        .lines()
        .filter(|line| line.starts_with("<- summary for"))
        .collect();
    for suite in ["basic", "copymove", "props", "locks", "http"] {
        let line = summaries
            .iter()
            .find(|line| line.contains(&format!("`{suite}'")))
            .unwrap_or_else(|| panic!("litmus did not run suite {suite}"));
        assert!(
            line.contains(" 0 failed"),
            "litmus suite {suite} failed: {line}"
        );
    }
    assert!(output.status.success(), "litmus exited {:?}", output.status);
}

#[test]
fn python_caldav_round_trip_passes_against_the_reference() {
    if !tool_present(PYTHON, "python3") {
        return;
    }
    let probe = Command::new(PYTHON)
        .args(["-c", "import caldav"])
        .output()
        .expect("python3 runs");
    if !probe.status.success() {
        assert!(
            !in_ci(),
            "python3-caldav is missing in CI: scripts/debian-packages.txt installs it"
        );
        eprintln!("skip: the python caldav library (python3-caldav) is not installed");
        return;
    }
    let running = Running::start("pycaldav");
    let reference = running.reference();
    let account = reference.accounts.first().expect("an account");
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/python_caldav_roundtrip.py");
    let output = Command::new(PYTHON)
        .arg(&script)
        .arg(reference.caldav_url())
        .arg(&account.address)
        .arg(&account.password)
        .arg(&running.ca_file)
        .output()
        .expect("the round trip runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}{stderr}");
    assert!(
        output.status.success() && stdout.contains("round trip passed"),
        "python caldav round trip failed (exit {:?})",
        output.status.code()
    );
}
