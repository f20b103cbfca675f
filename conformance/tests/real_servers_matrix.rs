//! `groupwire matrix`: JSON reports side by side, in markdown and HTML, from fixture reports
//! (`tests/support/matrix/`): a mail deployment with a pass, a waived fail and a skip, and a
//! DAV-only deployment with a status the matrix does not know (`incomplete`).

use std::path::PathBuf;
use std::process::Command;

use groupwire_conformance::matrix::{
    Matrix, MatrixFormat, cell_label, column_from_json, render, render_html, render_markdown,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support/matrix")
        .join(name)
}

fn fixtures() -> Vec<PathBuf> {
    vec![fixture("mailserver.json"), fixture("davserver.json")]
}

fn matrix() -> Matrix {
    Matrix::from_files(&fixtures()).expect("fixtures load")
}

const EXPECTED_MARKDOWN: &str = "\
| run | Mail &lt;server&gt; \\| one | DAV server |
| --- | --- | --- |
| verdict | pass | incomplete |
| IMAP | 1 pass, 1 waived (fail) | 1 n/a, 1 — |
| SMTP submission | 1 pass, 1 skip | 1 n/a, 1 — |
| CalDAV | 1 — | 1 incomplete |

**IMAP** (2 checks)

| check | Mail &lt;server&gt; \\| one | DAV server |
| --- | --- | --- |
| `imap.greeting.ok` MUST RFC 9051 §7.1 | pass | n/a |
| `imap.login.refused-before-tls` MUST RFC 9051 §6.2.3 | **waived (fail)** | — |

**SMTP submission** (2 checks)

| check | Mail &lt;server&gt; \\| one | DAV server |
| --- | --- | --- |
| `smtp.ehlo.ok` MUST RFC 5321 §4.1.1.1 | pass | n/a |
| `smtp.chunking.bdat` SHOULD RFC 3030 §2 | **skip** | — |

**CalDAV** (1 check)

| check | Mail &lt;server&gt; \\| one | DAV server |
| --- | --- | --- |
| `caldav.options.dav-header` MUST RFC 4791 §5.1 | — | **incomplete** |
";

#[test]
fn markdown_matrix_has_servers_as_columns_and_checks_grouped_by_protocol() {
    assert_eq!(render_markdown(&matrix()), EXPECTED_MARKDOWN);
}

#[test]
fn cells_say_waived_with_the_covered_status_na_without_endpoint_and_dash_when_absent() {
    let matrix = matrix();
    let (mail, dav) = (&matrix.columns[0], &matrix.columns[1]);
    let imap = &matrix.groups[0].1;
    assert_eq!(matrix.groups[0].0, "imap");
    assert_eq!(cell_label(mail, &imap[1]), "waived (fail)");
    assert_eq!(cell_label(dav, &imap[0]), "n/a");
    assert_eq!(cell_label(dav, &imap[1]), "—");
    // A skip on a protocol the target has an endpoint for stays a skip.
    assert_eq!(cell_label(mail, &matrix.groups[1].1[1]), "skip");
}

#[test]
fn the_matrix_ignores_timestamps_ports_durations_and_run_prefixes() {
    let original = std::fs::read_to_string(fixture("mailserver.json")).unwrap();
    let moved = original
        .replace("2026-12-06T01:02", "2027-01-01T23:59")
        .replace("40001", "51234")
        .replace("40002", "51235")
        .replace("\"duration_ms\": 8000", "\"duration_ms\": 9123")
        .replace("gw-20261206T010203-aaaa", "gw-20270101T235959-cccc");
    assert_ne!(original, moved);
    let a = Matrix::new(vec![column_from_json(&original).unwrap()]);
    let b = Matrix::new(vec![column_from_json(&moved).unwrap()]);
    assert_eq!(render_markdown(&a), render_markdown(&b));
    // The HTML form carries the evidence, whose transcripts name ports: only that differs.
    assert_eq!(render_html(&a), render_html(&b).replace("51234", "40001"));
}

#[test]
fn repeated_target_names_get_numbered_columns() {
    let json = std::fs::read_to_string(fixture("davserver.json")).unwrap();
    let matrix = Matrix::new(vec![
        column_from_json(&json).unwrap(),
        column_from_json(&json).unwrap(),
    ]);
    assert_eq!(matrix.columns[0].name, "DAV server");
    assert_eq!(matrix.columns[1].name, "DAV server (2)");
}

#[test]
fn html_matrix_escapes_report_text_and_puts_each_cells_evidence_in_details() {
    let html = render_html(&matrix());
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.trim_end().ends_with("</html>"));
    // Hostile text from the reports is escaped, never markup.
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("<th>Mail &lt;server&gt; | one</th>"));
    // Group rows per protocol, a row per check with its RFC link.
    assert!(html.contains("colspan=\"3\">IMAP (2 checks)</th>"));
    assert!(html.contains("colspan=\"3\">CalDAV (1 check)</th>"));
    assert!(html.contains(
        "<a href=\"https://www.rfc-editor.org/rfc/rfc9051#section-6.2.3\">RFC 9051 §6.2.3</a>"
    ));
    // The waived cell links its evidence inline: reason, expected/actual, waiver, transcript.
    let row_start = html
        .find("<tr id=\"imap.login.refused-before-tls\">")
        .expect("row");
    let row = &html[row_start..row_start + html[row_start..].find("</tr>").unwrap()];
    assert!(
        row.contains("<td class=\"waived\"><details><summary>waived (fail)</summary>"),
        "{row}"
    );
    assert!(row.contains("<b>waiver</b>: Dovecot 2.3.19.1 allows plaintext on loopback"));
    assert!(row.contains("<b>expected</b>: NO or BAD"));
    assert!(row.contains("1 C: a1 LOGIN alice ***\n1 S: a1 OK Logged in"));
    assert!(row.contains("<td class=\"absent\">—</td>"), "{row}");
    // n/a cells carry no evidence; unknown statuses get their own class.
    assert!(html.contains("<td class=\"na\">n/a</td>"));
    assert!(html.contains("<td class=\"other\"><details><summary>incomplete</summary>"));
    // Every cell with an outcome (not n/a, not absent) has its details.
    assert_eq!(html.matches("<details>").count(), 5, "{html}");
}

#[test]
fn cli_writes_the_same_matrix_as_the_library_in_both_formats() {
    let dir = std::env::temp_dir().join(format!("groupwire-matrix-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (flag, format) in [
        ("markdown", MatrixFormat::Markdown),
        ("html", MatrixFormat::Html),
    ] {
        let output = dir.join(format!("matrix.{flag}"));
        let status = Command::new(env!("CARGO_BIN_EXE_groupwire"))
            .arg("matrix")
            .args(fixtures())
            .args(["--format", flag, "--output"])
            .arg(&output)
            .status()
            .expect("run groupwire");
        assert!(status.success(), "{flag}: {status}");
        let written = std::fs::read_to_string(&output).unwrap();
        assert_eq!(written, render(&matrix(), format), "{flag}");
    }
    // Markdown on standard output by default.
    let stdout = Command::new(env!("CARGO_BIN_EXE_groupwire"))
        .arg("matrix")
        .args(fixtures())
        .output()
        .unwrap();
    assert!(stdout.status.success());
    assert_eq!(String::from_utf8(stdout.stdout).unwrap(), EXPECTED_MARKDOWN);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_refuses_a_file_that_is_not_a_report_with_exit_2() {
    let not_a_report = std::env::temp_dir().join(format!(
        "groupwire-matrix-not-a-report-{}.json",
        std::process::id()
    ));
    std::fs::write(&not_a_report, "{\"checks\": []}").unwrap();
    for path in [
        not_a_report.clone(),
        PathBuf::from("/nonexistent/report.json"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_groupwire"))
            .arg("matrix")
            .arg(fixture("mailserver.json"))
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{}", path.display());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&path.display().to_string()),
            "the error names the file: {stderr}"
        );
        assert!(output.stdout.is_empty());
    }
    let _ = std::fs::remove_file(&not_a_report);
}
