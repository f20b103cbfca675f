//! The JUnit XML report: one `<testsuite>` per protocol, one `<testcase>` per check.
//!
//! Mapping: `fail`, `stale-waiver` → `<failure>`; `error` → `<error>`; `skip` and `waived`
//! → `<skipped>`; `pass` and `warn` → a passing testcase (a warning is written in its
//! `<system-out>`). The evidence (RFC sentence, expected/actual, transcript) is in
//! `<system-out>`.

use std::fmt::Write as _;

use super::{Report, transcript_lines};
use crate::engine::{CheckOutcome, Protocol, Status};

/// Escapes text for XML content and attributes, replacing characters XML 1.0 forbids.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn seconds(ms: u64) -> String {
    format!("{:.3}", ms as f64 / 1000.0)
}

/// The evidence of one outcome as plain text.
pub fn evidence_text(outcome: &CheckOutcome) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} ({}): {}",
        outcome.id, outcome.rfc, outcome.level, outcome.title
    );
    let _ = writeln!(out, "status: {}", outcome.status);
    let _ = writeln!(
        out,
        "scope: {}",
        match outcome.scope {
            crate::engine::Scope::Implementation => "implementation",
            crate::engine::Scope::Deployment => super::DEPLOYMENT_NOTE,
        }
    );
    if outcome.not_run {
        let _ = writeln!(out, "not run: the check did not run against the server");
    }
    let _ = writeln!(out, "RFC: \"{}\"", outcome.quote);
    if let Some(reason) = &outcome.reason {
        let _ = writeln!(out, "reason: {reason}");
    }
    if let Some(waiver) = &outcome.waiver {
        let _ = writeln!(out, "waiver: {waiver}");
    }
    if let Some(expected) = &outcome.evidence.expected {
        let _ = writeln!(out, "expected: {expected}");
    }
    if let Some(actual) = &outcome.evidence.actual {
        let _ = writeln!(out, "got: {actual}");
    }
    for line in transcript_lines(&outcome.evidence.transcript) {
        let _ = writeln!(out, "{}", line.display());
    }
    out
}

/// Renders the report as JUnit XML.
pub fn render(report: &Report) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let s = &report.summary;
    let _ = writeln!(
        out,
        "<testsuites name=\"groupwire {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\" timestamp=\"{}\">",
        escape(&report.profile.name),
        s.total,
        s.fail + s.stale_waiver,
        s.error,
        s.skip + s.waived,
        seconds(report.duration_ms),
        escape(&report.started_at)
    );
    if let Some(failure) = &report.preflight {
        // Nothing ran: one failing testcase says why, so CI does not see an empty success.
        let _ = writeln!(
            out,
            "  <testsuite name=\"preflight\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0.000\">\n    <testcase classname=\"groupwire.preflight\" name=\"preflight.{}\" time=\"0.000\">\n      <error message=\"{}\" type=\"preflight\"/>\n      <system-out>{}</system-out>\n    </testcase>\n  </testsuite>",
            failure.protocol.name(),
            escape(&failure.message),
            escape(&failure.render())
        );
    }
    for protocol in Protocol::ALL {
        let outcomes: Vec<&CheckOutcome> = report
            .checks
            .iter()
            .filter(|o| o.protocol == protocol)
            .collect();
        if outcomes.is_empty() {
            continue;
        }
        let count = |pred: fn(Status) -> bool| outcomes.iter().filter(|o| pred(o.status)).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">",
            protocol.name(),
            outcomes.len(),
            count(|s| matches!(s, Status::Fail | Status::StaleWaiver)),
            count(|s| s == Status::Error),
            count(|s| matches!(s, Status::Skip | Status::Waived)),
            seconds(outcomes.iter().map(|o| o.duration_ms).sum())
        );
        for outcome in outcomes {
            write_case(&mut out, outcome);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn write_case(out: &mut String, outcome: &CheckOutcome) {
    let _ = writeln!(
        out,
        "    <testcase classname=\"groupwire.{}\" name=\"{}\" time=\"{}\">",
        outcome.protocol.name(),
        escape(&outcome.id),
        seconds(outcome.duration_ms)
    );
    let message = escape(outcome.reason.as_deref().unwrap_or(""));
    let kind = format!("{} {}", outcome.level, escape(&outcome.rfc));
    match outcome.status {
        Status::Fail | Status::StaleWaiver => {
            let _ = writeln!(
                out,
                "      <failure message=\"{message}\" type=\"{kind}\">{}</failure>",
                escape(&outcome.quote)
            );
        }
        Status::Error => {
            let _ = writeln!(out, "      <error message=\"{message}\" type=\"harness\"/>");
        }
        Status::Skip => {
            let _ = writeln!(out, "      <skipped message=\"{message}\"/>");
        }
        Status::Waived => {
            let _ = writeln!(
                out,
                "      <skipped message=\"waived: {}\"/>",
                escape(outcome.waiver.as_deref().unwrap_or(""))
            );
        }
        Status::Pass | Status::Warn => {}
    }
    let _ = writeln!(
        out,
        "      <system-out>{}</system-out>",
        escape(&evidence_text(outcome))
    );
    out.push_str("    </testcase>\n");
}
