//! The text report: a summary per protocol and level, then every non-passing check with its
//! evidence, then the plain closing line `N passed, N failed, N skipped`.

use std::fmt::Write as _;

use super::{Report, Verdict, transcript_lines};
use crate::engine::{CheckOutcome, Status};

/// The most transcript lines shown per check in text (JSON and HTML keep them all).
pub const MAX_TRANSCRIPT_LINES: usize = 40;

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn status(&self, status: Status) -> String {
        let code = match status {
            Status::Pass => "32",
            Status::Fail | Status::StaleWaiver => "1;31",
            Status::Warn => "33",
            Status::Error => "35",
            Status::Skip | Status::Waived => "36",
        };
        self.wrap(code, &format!("{:<12}", status.name()))
    }
}

/// Renders the report; `colour` adds ANSI colours (only use it on a terminal).
pub fn render(report: &Report, colour: bool) -> String {
    let paint = Paint { on: colour };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}: target {}, profile {}",
        report.tool.name, report.tool.version, report.target.name, report.profile.name
    );
    for endpoint in &report.target.endpoints {
        let _ = writeln!(out, "  {:<10} {}", endpoint.protocol.label(), endpoint.url);
    }
    let versions = if report.target.tls_versions.is_empty() {
        "none negotiated".to_owned()
    } else {
        report.target.tls_versions.join(", ")
    };
    let _ = writeln!(out, "  TLS trust: {} ({versions})", report.target.tls_trust);
    for pinned in &report.target.tls_pinned {
        let _ = writeln!(out, "  TLS pinned: {pinned}");
    }
    for hook in &report.hooks {
        if hook.hook == "preflight" && hook.status == Status::Skip {
            let _ = writeln!(
                out,
                "  {} preflight: {}",
                hook.protocol.label(),
                hook.reason.as_deref().unwrap_or("")
            );
        }
        if hook.hook == "probe" && !hook.capabilities.is_empty() {
            let _ = writeln!(
                out,
                "  {} advertises: {}",
                hook.protocol.label(),
                hook.capabilities.join(" ")
            );
        }
    }
    if report.target.tls_insecure {
        let _ = writeln!(
            out,
            "  {}",
            paint.wrap(
                "1;33",
                "WARNING: certificates were not verified (insecure); TLS results prove nothing"
            )
        );
    }
    let _ = writeln!(
        out,
        "  run prefix {}, {} checks in {:.1}s\n",
        report.run_prefix,
        report.summary.total,
        report.duration_ms as f64 / 1000.0
    );

    let _ = writeln!(
        out,
        "{:<10} {:<7} {:>5} {:>5} {:>5} {:>5} {:>6} {:>7}",
        "protocol", "level", "pass", "fail", "warn", "skip", "error", "waived"
    );
    for (protocol, level, summary) in report.breakdown() {
        let fail = format!("{:>5}", summary.fail + summary.stale_waiver);
        let fail = if summary.fail + summary.stale_waiver > 0 {
            paint.wrap("1;31", &fail)
        } else {
            fail
        };
        let _ = writeln!(
            out,
            "{:<10} {:<7} {} {} {:>5} {:>5} {:>6} {:>7}",
            protocol.label(),
            level.name(),
            paint.wrap("32", &format!("{:>5}", summary.pass)),
            fail,
            summary.warn,
            summary.skip,
            summary.error,
            summary.waived
        );
    }

    let noteworthy: Vec<&CheckOutcome> = report
        .checks
        .iter()
        .filter(|o| !matches!(o.status, Status::Pass | Status::Skip))
        .collect();
    if !noteworthy.is_empty() {
        let _ = writeln!(out, "\nNot passed:");
    }
    for outcome in noteworthy {
        write_outcome(&mut out, &paint, outcome);
    }
    let skipped: Vec<&CheckOutcome> = report
        .checks
        .iter()
        .filter(|o| o.status == Status::Skip)
        .collect();
    if !skipped.is_empty() {
        let _ = writeln!(out, "\nSkipped:");
        for outcome in skipped {
            let not_run = match (outcome.not_run, outcome.required) {
                (true, true) => "not run, required: ",
                (true, false) => "not run: ",
                _ => "",
            };
            let _ = writeln!(
                out,
                "  {} {}: {not_run}{}",
                paint.status(Status::Skip),
                outcome.id,
                outcome.reason.as_deref().unwrap_or("")
            );
        }
    }
    for hook in &report.hooks {
        if hook.status == Status::Error {
            let _ = writeln!(
                out,
                "\n{} {} {}: {}",
                hook.protocol.label(),
                hook.hook,
                paint.status(Status::Error),
                hook.reason.as_deref().unwrap_or("")
            );
        }
    }
    if let Some(failure) = &report.preflight {
        let _ = writeln!(out, "\npreflight: {}", failure.render());
    }
    let code = match report.verdict {
        Verdict::Pass => "1;32",
        Verdict::Fail => "1;31",
        Verdict::Incomplete => "1;33",
        Verdict::Unreachable | Verdict::PreflightFailed => "1;35",
    };
    let verdict = paint.wrap(code, report.verdict.label());
    let _ = writeln!(
        out,
        "\nverdict: {verdict} ({} required check(s) not passed, {} required check(s) not run; {} warn, {} error, {} waived, {} stale waiver)",
        report.summary.required_failures,
        report.summary.not_run,
        report.summary.warn,
        report.summary.error,
        report.summary.waived,
        report.summary.stale_waiver
    );
    match report.verdict {
        Verdict::Incomplete if report.summary.not_run > 0 => {
            let _ = writeln!(
                out,
                "INCOMPLETE, not PASS: required checks did not run; give the target what they need, narrow the run (--only) or choose a profile that does not require them:"
            );
            let mut reasons: Vec<(usize, &str)> = Vec::new();
            for outcome in report.checks.iter().filter(|o| o.required && o.not_run) {
                let reason = outcome.reason.as_deref().unwrap_or("");
                match reasons.iter_mut().find(|(_, r)| *r == reason) {
                    Some((count, _)) => *count += 1,
                    None => reasons.push((1, reason)),
                }
            }
            reasons.sort_by_key(|(count, _)| std::cmp::Reverse(*count));
            for (count, reason) in reasons.iter().take(5) {
                let _ = writeln!(out, "  {count:>4} x {reason}");
            }
        }
        Verdict::Incomplete => {
            let _ = writeln!(
                out,
                "INCOMPLETE, not PASS: no check reached a verdict about the server"
            );
        }
        Verdict::PreflightFailed | Verdict::Unreachable if report.preflight.is_some() => {
            let _ = writeln!(out, "no check was run");
        }
        _ => {}
    }
    let _ = writeln!(out, "{}", report.summary.closing_line());
    out
}

fn write_outcome(out: &mut String, paint: &Paint, outcome: &CheckOutcome) {
    let required = if outcome.required {
        "required"
    } else {
        "optional"
    };
    let _ = writeln!(
        out,
        "\n  {} {}  {} {} {} ({required})",
        paint.status(outcome.status),
        outcome.id,
        outcome.rfc,
        outcome.level,
        outcome.scope.name()
    );
    let _ = writeln!(out, "    {}", outcome.title);
    if outcome.scope == crate::engine::Scope::Deployment {
        let _ = writeln!(out, "    scope: {}", super::DEPLOYMENT_NOTE);
    }
    let _ = writeln!(out, "    RFC: \"{}\"", outcome.quote);
    if let Some(original) = outcome.original_status {
        let _ = writeln!(out, "    was: {original}");
    }
    if let Some(waiver) = &outcome.waiver {
        let _ = writeln!(out, "    waiver: {waiver}");
    }
    if let Some(expected) = &outcome.evidence.expected {
        let _ = writeln!(out, "    expected: {expected}");
    }
    if let Some(actual) = &outcome.evidence.actual {
        let _ = writeln!(out, "    got:      {actual}");
    } else if let Some(reason) = &outcome.reason {
        let _ = writeln!(out, "    reason:   {reason}");
    }
    let lines = transcript_lines(&outcome.evidence.transcript);
    if !lines.is_empty() {
        let _ = writeln!(out, "    transcript:");
        let skip = lines.len().saturating_sub(MAX_TRANSCRIPT_LINES);
        if skip > 0 {
            let _ = writeln!(
                out,
                "      ... {skip} earlier line(s) in the JSON/HTML report"
            );
        }
        for line in lines.iter().skip(skip) {
            let _ = writeln!(out, "      {}", line.display());
        }
    }
    if outcome.evidence.transcript_dropped_bytes > 0 {
        let _ = writeln!(
            out,
            "      ... {} more byte(s) not recorded",
            outcome.evidence.transcript_dropped_bytes
        );
    }
}
