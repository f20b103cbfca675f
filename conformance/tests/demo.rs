//! `groupwire demo` end to end: runs the binary, which starts the reference servers on
//! loopback, runs every suite, prints the report and writes the HTML report.

use std::process::Command;

#[test]
fn demo_prints_a_full_pass_and_writes_the_html_report() {
    let dir = std::env::temp_dir().join(format!("groupwire-demo-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("report.html");
    let output = Command::new(env!("CARGO_BIN_EXE_groupwire"))
        .arg("demo")
        .arg("--output")
        .arg(&html)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "exit {:?}\n{stdout}\n{stderr}",
        output.status
    );
    // The closing line: every check passed, none failed.
    let closing = stdout
        .lines()
        .find(|line| line.contains(" passed, ") && line.contains(" failed, "))
        .unwrap_or_else(|| panic!("no closing line in\n{stdout}"));
    let numbers: Vec<usize> = closing
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    assert!(numbers.len() >= 3, "{closing}");
    let (passed, failed, skipped) = (numbers[0], numbers[1], numbers[2]);
    let catalogue = groupwire_conformance::suites::registry().checks().count();
    assert_eq!(failed, 0, "{stdout}");
    assert_eq!(passed + skipped, catalogue, "{stdout}");
    assert!(passed >= catalogue * 9 / 10, "too many skips: {stdout}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("<html") || page.contains("<!DOCTYPE"),
        "not HTML"
    );
    assert!(
        page.contains("smtp.greeting.code-220"),
        "the HTML lacks the checks"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn demo_writes_a_machine_readable_report_with_format() {
    let output = Command::new(env!("CARGO_BIN_EXE_groupwire"))
        .args(["demo", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "exit {:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    // Standard output is the JSON report and nothing else.
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["schema"], "groupwire-report");
    assert_eq!(report["verdict"], "pass");
    let catalogue = groupwire_conformance::suites::registry().checks().count();
    assert_eq!(report["checks"].as_array().unwrap().len(), catalogue);
    assert_eq!(report["summary"]["not_run"], 0);
}
