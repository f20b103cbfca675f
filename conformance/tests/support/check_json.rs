//! Runs `groupwire check --format json` on a target file written for the test and returns the
//! outcomes, for the tests that judge checks against the real servers of `scripts/servers/`.

use std::process::Command;

use serde_json::Value;

/// Writes `target` (TOML) to a temporary file, runs `groupwire check --profile PROFILE --only
/// ONLY... --format json` on it with `env` set, and returns the report.
pub fn check_report(target: &str, profile: &str, only: &[&str], env: &[(&str, &str)]) -> Value {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "gw-check-json-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("target.toml");
    std::fs::write(&path, target).expect("write target");
    let mut command = Command::new(env!("CARGO_BIN_EXE_groupwire"));
    command.args(["check", "--profile", profile, "--format", "json"]);
    for pattern in only {
        command.args(["--only", pattern]);
    }
    let output = command
        .arg(&path)
        .envs(env.iter().copied())
        .output()
        .expect("run groupwire");
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The outcome of check `id` in `report`: (status, the outcome as JSON text).
pub fn outcome(report: &Value, id: &str) -> (String, String) {
    let check = report["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no outcome for {id}: {report}"));
    (
        check["status"].as_str().unwrap_or_default().to_string(),
        check.to_string(),
    )
}
