//! The HTML report: one self-contained page (inline CSS, no scripts, no external assets)
//! that a jury can read offline: the verdict and summary, one table per protocol, each check
//! with its RFC reference and quoted sentence, and its evidence in an expandable `<details>`.
//! Everything that comes from the server or the target is HTML-escaped.

use std::fmt::Write as _;

use super::{Report, Verdict, transcript_lines};
use crate::engine::{CheckOutcome, Direction, Protocol, Status};

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:70em}
h1{font-size:1.5em}table{border-collapse:collapse;width:100%;margin-bottom:1.5em}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.pass{color:#0a6b0a}.fail,.stale-waiver{color:#b00;font-weight:bold}
.warn{color:#a66300}.skip,.waived{color:#236}.error{color:#80a}
.verdict{font-size:1.3em;font-weight:bold}.insecure{background:#fff3cd;padding:.5em}
pre{background:#f7f7f7;padding:.5em;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.sent{color:#035}.received{color:#222}.note{color:#777;font-style:italic}
blockquote{margin:.3em 0 .3em 1em;color:#444}";

/// Renders the report as one HTML page.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let title = format!(
        "groupwire conformance report: {} ({})",
        report.target.name, report.profile.name
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n",
        escape(&title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", escape(&title));
    let (verdict_class, verdict_text) = match report.verdict {
        Verdict::Pass => ("pass", "PASS: every required check passed"),
        Verdict::Fail => ("fail", "FAIL: some required check did not pass"),
        Verdict::Incomplete if report.summary.not_run > 0 => (
            "warn",
            "INCOMPLETE (not a pass): nothing failed, but required checks did not run",
        ),
        Verdict::Incomplete => (
            "warn",
            "INCOMPLETE (not a pass): no check reached a verdict about the server",
        ),
        Verdict::Unreachable => ("error", "UNREACHABLE: the target could not be reached"),
        Verdict::PreflightFailed => (
            "error",
            "PREFLIGHT FAILED: the target could not be used; no check ran",
        ),
    };
    let _ = writeln!(
        out,
        "<p class=\"verdict {verdict_class}\" id=\"verdict\">{verdict_text}</p>"
    );
    if let Some(failure) = &report.preflight {
        let _ = writeln!(
            out,
            "<pre id=\"preflight\">{}</pre>",
            escape(&failure.render())
        );
    }
    if report.target.tls_insecure {
        out.push_str("<p class=\"insecure\">Warning: TLS certificates were not verified (trust = insecure); this report proves nothing about the certificates.</p>\n");
    }
    out.push_str("<table><tbody>\n");
    let mut row = |key: &str, value: String| {
        let _ = writeln!(out, "<tr><th>{}</th><td>{}</td></tr>", escape(key), value);
    };
    row("Target", escape(&report.target.name));
    for endpoint in &report.target.endpoints {
        row(endpoint.protocol.label(), escape(&endpoint.url));
    }
    row(
        "Profile",
        format!(
            "{}: {}",
            escape(&report.profile.name),
            escape(&report.profile.description)
        ),
    );
    row(
        "TLS",
        format!(
            "trust {}; negotiated {}",
            escape(&report.target.tls_trust),
            escape(&report.target.tls_versions.join(", "))
        ),
    );
    for pinned in &report.target.tls_pinned {
        row("TLS pinned", escape(pinned));
    }
    for hook in &report.hooks {
        let label = format!("{} {}", hook.protocol.label(), hook.hook);
        match (hook.hook, hook.status) {
            ("probe", Status::Pass) => row(
                &format!("{} capabilities", hook.protocol.label()),
                escape(&hook.capabilities.join(" ")),
            ),
            (_, Status::Pass) => {}
            (_, status) => row(
                &label,
                format!(
                    "<span class=\"{}\">{}</span>: {}",
                    status.name(),
                    status.name(),
                    escape(hook.reason.as_deref().unwrap_or(""))
                ),
            ),
        }
    }
    row(
        "Run",
        format!(
            "{} to {} ({:.1}s), prefix {}",
            escape(&report.started_at),
            escape(&report.finished_at),
            report.duration_ms as f64 / 1000.0,
            escape(&report.run_prefix)
        ),
    );
    row(
        "Tool",
        format!(
            "{} {} (report schema {})",
            escape(&report.tool.name),
            escape(&report.tool.version),
            report.schema_version
        ),
    );
    out.push_str("</tbody></table>\n<h2>Summary</h2>\n<table id=\"summary\"><thead><tr><th>Protocol</th><th>Level</th><th>pass</th><th>fail</th><th>warn</th><th>skip</th><th>error</th><th>waived</th></tr></thead><tbody>\n");
    for (protocol, level, s) in report.breakdown() {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            protocol.label(),
            level,
            s.pass,
            s.fail + s.stale_waiver,
            s.warn,
            s.skip,
            s.error,
            s.waived
        );
    }
    let _ = writeln!(
        out,
        "</tbody></table>\n<p id=\"closing\">{}</p>",
        escape(&report.summary.closing_line())
    );
    let not_passed: Vec<&CheckOutcome> = report
        .checks
        .iter()
        .filter(|o| !matches!(o.status, Status::Pass | Status::Skip))
        .collect();
    if !not_passed.is_empty() {
        out.push_str("<h2>Not passed</h2>\n<ul id=\"not-passed\">\n");
        for outcome in not_passed {
            let _ = writeln!(
                out,
                "<li><span class=\"{status}\">{status}</span> <a href=\"#{id}\"><code>{id}</code></a> ({rfc} {level}, {scope}): {reason}</li>",
                status = outcome.status.name(),
                id = escape(&outcome.id),
                rfc = escape(&outcome.rfc),
                level = outcome.level,
                scope = scope_label(outcome),
                reason = escape(outcome.reason.as_deref().unwrap_or(""))
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str(&super::security::render_section(report));
    for protocol in Protocol::ALL {
        let outcomes: Vec<&CheckOutcome> = report
            .checks
            .iter()
            .filter(|o| o.protocol == protocol)
            .collect();
        if outcomes.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "<h2 id=\"{}\">{}</h2>\n<table><thead><tr><th>Check</th><th>Status</th><th>Requirement</th><th>Evidence</th></tr></thead><tbody>",
            protocol.name(),
            protocol.label()
        );
        for outcome in outcomes {
            write_row(&mut out, outcome);
        }
        out.push_str("</tbody></table>\n");
    }
    if !report.waivers.is_empty() {
        out.push_str("<h2>Waivers</h2>\n<table><thead><tr><th>Check</th><th>Use</th><th>Reason</th></tr></thead><tbody>\n");
        for waiver in &report.waivers {
            let status = serde_json::to_value(waiver.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&waiver.check),
                escape(&status),
                escape(&waiver.reason)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</body></html>\n");
    out
}

/// `implementation`, or `deployment policy` with the explanation as a tooltip.
fn scope_label(outcome: &CheckOutcome) -> String {
    match outcome.scope {
        crate::engine::Scope::Implementation => "implementation".to_owned(),
        crate::engine::Scope::Deployment => format!(
            "<span title=\"{}\">deployment policy</span>",
            escape(super::DEPLOYMENT_NOTE)
        ),
    }
}

fn write_row(out: &mut String, outcome: &CheckOutcome) {
    let status = outcome.status.name();
    let required = if outcome.required {
        "required"
    } else {
        "optional"
    };
    let _ = write!(
        out,
        "<tr id=\"{id}\"><td><code>{id}</code><br>{title}</td><td class=\"{status}\">{status}<br><small>{required}</small></td>",
        id = escape(&outcome.id),
        title = escape(&outcome.title),
    );
    let reference = if outcome.rfc_url.is_empty() {
        escape(&outcome.rfc)
    } else {
        format!(
            "<a href=\"{}\">{}</a>",
            escape(&outcome.rfc_url),
            escape(&outcome.rfc)
        )
    };
    let _ = write!(
        out,
        "<td>{reference} {} <small>{}</small><blockquote>{}</blockquote></td><td>",
        outcome.level,
        scope_label(outcome),
        escape(&outcome.quote)
    );
    if let Some(reason) = &outcome.reason {
        let not_run = if outcome.not_run { "Not run: " } else { "" };
        let _ = write!(out, "<p>{not_run}{}</p>", escape(reason));
    }
    if let Some(waiver) = &outcome.waiver {
        let _ = write!(out, "<p>Waiver: {}</p>", escape(waiver));
    }
    if let Some(expected) = &outcome.evidence.expected {
        let _ = write!(out, "<p>Expected: {}</p>", escape(expected));
    }
    if let Some(actual) = &outcome.evidence.actual {
        let _ = write!(out, "<p>Got: {}</p>", escape(actual));
    }
    let lines = transcript_lines(&outcome.evidence.transcript);
    if !lines.is_empty() {
        let open = if matches!(outcome.status, Status::Fail | Status::Error) {
            " open"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<details{open}><summary>Transcript ({} lines)</summary><pre>",
            lines.len()
        );
        for line in lines {
            let class = match line.direction {
                Direction::Sent => "sent",
                Direction::Received => "received",
                Direction::Note => "note",
            };
            let _ = writeln!(
                out,
                "<span class=\"{class}\">{}</span>",
                escape(&line.display())
            );
        }
        out.push_str("</pre></details>");
    }
    out.push_str("</td></tr>\n");
}
