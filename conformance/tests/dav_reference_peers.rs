//! Peer suites against the embedded reference DAV server: litmus (all five suites: basic,
//! copymove, props, locks, http) and the python `caldav` library's functional round trip
//! (discover, create a calendar, create and query events). Each prints the tool's output
//! into the test log.
//!
//! A test skips, with a message, only when its tool is not installed and `CI` is not set;
//! CI installs both from scripts/debian-packages.txt (`litmus`, `python3-caldav`).

use std::path::Path;
use std::process::Command;

use groupwire_conformance::reference::faults::{Fault, Faults};
use groupwire_conformance::reference::{Reference, ReferenceOptions};

const LITMUS: &str = "/usr/bin/litmus";
/// Debian's interpreter, where python3-caldav is installed (not a pyenv `python3`).
const PYTHON: &str = "/usr/bin/python3";

/// Writes to the test log even when the test passes (libtest captures `println!` of
/// passing tests; a write to the stderr handle is not captured).
fn log(text: &str) {
    use std::io::Write as _;
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.write_all(b"\n");
}

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
    log(&format!("skip: {what} is not installed ({tool} missing)"));
    false
}

struct Running {
    runtime: tokio::runtime::Runtime,
    reference: Option<Reference>,
    ca_file: std::path::PathBuf,
}

impl Running {
    fn start(name: &str) -> Running {
        Running::start_with(name, Faults::none())
    }

    fn start_with(name: &str, faults: Faults) -> Running {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let reference = runtime
            .block_on(Reference::start(ReferenceOptions {
                faults,
                ..ReferenceOptions::default()
            }))
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

/// Runs litmus `suites` against the reference's WebDAV URL; its summary lines by suite,
/// after printing the whole output.
fn litmus(running: &Running, suites: &str) -> (Vec<String>, bool) {
    let reference = running.reference();
    let account = reference.accounts.first().expect("an account");
    let url = reference.webdav_url();
    // litmus writes debug.log and child.log into its working directory.
    let workdir = std::env::temp_dir().join(format!(
        "groupwire-litmus-{}-{}",
        std::process::id(),
        suites.replace(' ', "-")
    ));
    std::fs::create_dir_all(&workdir).expect("litmus work directory");
    let output = Command::new(LITMUS)
        .current_dir(&workdir)
        .arg("--keep-going")
        .arg(&url)
        .arg(&account.address)
        .arg(&account.password)
        .env("TESTS", suites)
        .output()
        .expect("litmus runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    log(&format!(
        "litmus {url} (exit {:?})\n{stdout}{stderr}",
        output.status.code()
    ));
    let _ = std::fs::remove_dir_all(&workdir);
    let summaries = stdout
        .lines()
        .filter(|line| line.starts_with("<- summary for"))
        .map(str::to_string)
        .collect();
    (summaries, output.status.success())
}

#[test]
fn litmus_passes_all_five_suites_against_the_reference() {
    if !tool_present(LITMUS, "litmus") {
        return;
    }
    let running = Running::start("litmus");
    let (summaries, success) = litmus(&running, "basic copymove props locks http");
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
    assert!(success, "litmus exited with failure");
}

/// The second opinion can tell a broken server too: with locks not enforced, litmus's
/// locks suite fails.
#[test]
fn litmus_fails_the_locks_suite_when_locks_are_not_enforced() {
    if !tool_present(LITMUS, "litmus") {
        return;
    }
    let running = Running::start_with("litmus-fault", Faults::one(Fault::DavLockIgnored));
    let (summaries, success) = litmus(&running, "locks");
    let line = summaries
        .iter()
        .find(|line| line.contains("`locks'"))
        .expect("litmus ran the locks suite");
    assert!(
        !line.contains(" 0 failed"),
        "locks passed despite dav-lock-ignored: {line}"
    );
    // litmus --keep-going exits 0 whatever the suites found: the summary is the verdict.
    let _ = success;
}

/// Whether Debian's python3 with python3-caldav is there (see [`tool_present`]).
fn python_caldav_present() -> bool {
    if !tool_present(PYTHON, "python3") {
        return false;
    }
    let probe = Command::new(PYTHON)
        .args(["-c", "import caldav"])
        .output()
        .expect("python3 runs");
    if probe.status.success() {
        return true;
    }
    assert!(
        !in_ci(),
        "python3-caldav is missing in CI: scripts/debian-packages.txt installs it"
    );
    log("skip: the python caldav library (python3-caldav) is not installed");
    false
}

/// Runs the round trip script; its output and whether it passed.
fn python_round_trip(running: &Running) -> (String, bool) {
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
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    log(&text);
    let passed = output.status.success() && text.contains("round trip passed");
    (text, passed)
}

#[test]
fn python_caldav_round_trip_passes_against_the_reference() {
    if !python_caldav_present() {
        return;
    }
    let running = Running::start("pycaldav");
    let (_, passed) = python_round_trip(&running);
    assert!(passed, "python caldav round trip failed");
}

/// With time ranges ignored, the round trip's queries find too much and it fails.
#[test]
fn python_caldav_round_trip_fails_when_time_ranges_are_ignored() {
    if !python_caldav_present() {
        return;
    }
    let running = Running::start_with("pycaldav-fault", Faults::one(Fault::DavTimeRangeIgnored));
    let (text, passed) = python_round_trip(&running);
    assert!(!passed, "round trip passed despite dav-time-range-ignored");
    assert!(text.contains("FAILED: "), "{text}");
}
