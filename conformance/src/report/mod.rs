//! Reports: one [`Report`] value per run, rendered as text ([`text`]), JSON ([`json`], schema
//! in `conformance/REPORT-SCHEMA.md`), JUnit XML ([`junit`]) or a self-contained HTML page
//! ([`html`]).

pub mod html;
pub mod json;
pub mod junit;
pub mod security;
pub mod text;

use serde::Serialize;

use crate::engine::{CheckOutcome, HookOutcome, Protocol, RunResult, Status, TlsTrust};
use crate::exit;
use crate::profile::Profile;
use crate::target::{Security, Target};
use crate::waiver::{WaiverReport, WaiverUse, Waivers};

/// The JSON schema identifier.
pub const SCHEMA: &str = "groupwire-report";
/// The JSON schema version; bumped on any incompatible change (see REPORT-SCHEMA.md).
pub const SCHEMA_VERSION: u32 = 1;

/// What reports say about a deployment-scope check that did not pass.
pub const DEPLOYMENT_NOTE: &str = "deployment policy: servers must support this configuration; whether this deployment uses it is the operator's choice (required only by profiles that set that policy)";

/// The tool that wrote the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tool {
    /// `groupwire`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

/// One endpoint of the target, as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointSummary {
    /// The protocol.
    pub protocol: Protocol,
    /// The URL.
    pub url: String,
    /// How TLS is obtained.
    pub security: Security,
}

/// The target, as reported (never passwords).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetSummary {
    /// Its name.
    pub name: String,
    /// The mail domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Its endpoints.
    pub endpoints: Vec<EndpointSummary>,
    /// The account names used.
    pub accounts: Vec<String>,
    /// `system`, `ca-file` or `insecure`.
    pub tls_trust: String,
    /// True when certificates were not verified: the report proves nothing about TLS.
    pub tls_insecure: bool,
    /// Every TLS version negotiated during the run.
    pub tls_versions: Vec<String>,
    /// Server certificates trusted because the CA file holds exactly that certificate
    /// (pinning), not because they chain to a CA: `127.0.0.1: CN=localhost (...)`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tls_pinned: Vec<String>,
}

/// The profile, as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileSummary {
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Whether warnings of required checks fail the run.
    pub fail_on_warn: bool,
}

/// Counts per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Checks in the run.
    pub total: usize,
    /// Passed.
    pub pass: usize,
    /// Failed (a MUST broken).
    pub fail: usize,
    /// Warned.
    pub warn: usize,
    /// Skipped.
    pub skip: usize,
    /// Could not run.
    pub error: usize,
    /// Did not pass, waived.
    pub waived: usize,
    /// Passed despite a waiver.
    pub stale_waiver: usize,
    /// Required checks whose status fails the run.
    pub required_failures: usize,
    /// Required checks that did not run (a `skip` marked `not_run`: no endpoint or account for
    /// them, or blocked by another check): the run is then `incomplete` at best.
    pub not_run: usize,
}

impl Summary {
    /// Counts the outcomes.
    pub fn of<'a>(
        outcomes: impl IntoIterator<Item = &'a CheckOutcome>,
        fail_on_warn: bool,
    ) -> Summary {
        let mut summary = Summary::default();
        for outcome in outcomes {
            summary.total += 1;
            match outcome.status {
                Status::Pass => summary.pass += 1,
                Status::Fail => summary.fail += 1,
                Status::Warn => summary.warn += 1,
                Status::Skip => summary.skip += 1,
                Status::Error => summary.error += 1,
                Status::Waived => summary.waived += 1,
                Status::StaleWaiver => summary.stale_waiver += 1,
            }
            if fails_run(outcome, fail_on_warn) {
                summary.required_failures += 1;
            }
            if outcome.required && outcome.status == Status::Skip && outcome.not_run {
                summary.not_run += 1;
            }
        }
        summary
    }

    /// The closing line's counts: passed = pass + warn + waived, failed = fail + error +
    /// stale-waiver, skipped = skip.
    pub fn closing_line(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.pass + self.warn + self.waived,
            self.fail + self.error + self.stale_waiver,
            self.skip
        )
    }
}

/// Whether this outcome makes the run fail.
pub fn fails_run(outcome: &CheckOutcome, fail_on_warn: bool) -> bool {
    outcome.status == Status::StaleWaiver
        || (outcome.required
            && (outcome.status.fails_run() || (fail_on_warn && outcome.status == Status::Warn)))
}

/// The overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every required check passed (exit 0).
    Pass,
    /// Some required check failed or errored, or a waiver is stale (exit 1).
    Fail,
    /// Nothing failed, but a required check did not run, or nothing was verified at all
    /// (exit 4).
    Incomplete,
    /// Nothing could reach the target (exit 3).
    Unreachable,
    /// The preflight found the target unusable (certificate not trusted, credentials
    /// rejected, TLS handshake impossible); no check ran (exit 3).
    PreflightFailed,
}

impl Verdict {
    /// `PASS`, `FAIL`, `INCOMPLETE`, `UNREACHABLE`, `PREFLIGHT FAILED`.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Incomplete => "INCOMPLETE",
            Verdict::Unreachable => "UNREACHABLE",
            Verdict::PreflightFailed => "PREFLIGHT FAILED",
        }
    }
}

/// A whole run, ready to render.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The tool.
    pub tool: Tool,
    /// What was tested.
    pub target: TargetSummary,
    /// With which profile.
    pub profile: ProfileSummary,
    /// The run prefix of everything the run created.
    pub run_prefix: String,
    /// RFC 3339 UTC start time.
    pub started_at: String,
    /// RFC 3339 UTC end time.
    pub finished_at: String,
    /// Wall-clock duration in milliseconds.
    pub duration_ms: u64,
    /// The overall verdict.
    pub verdict: Verdict,
    /// Counts.
    pub summary: Summary,
    /// One entry per check, in catalogue order.
    pub checks: Vec<CheckOutcome>,
    /// Probes and cleanups of the suites.
    pub hooks: Vec<HookOutcome>,
    /// The waivers and what each did.
    pub waivers: Vec<WaiverReport>,
    /// Why the preflight stopped the run before any check (verdict `unreachable` or
    /// `preflight-failed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preflight: Option<crate::preflight::PreflightFailure>,
}

/// When a run happened.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Start.
    pub started: chrono::DateTime<chrono::Utc>,
    /// End.
    pub finished: chrono::DateTime<chrono::Utc>,
}

impl Report {
    /// Builds the report of a run, applying the waivers.
    pub fn build(
        target: &Target,
        profile: &Profile,
        waivers: &Waivers,
        mut result: RunResult,
        timing: Timing,
    ) -> Report {
        let waiver_reports = waivers.apply(&mut result.outcomes);
        let summary = Summary::of(&result.outcomes, profile.fail_on_warn);
        let mut tls_versions: Vec<String> = result
            .outcomes
            .iter()
            .filter_map(|outcome| outcome.evidence.tls_version.clone())
            .collect();
        tls_versions.sort();
        tls_versions.dedup();
        let reachable = result.outcomes.iter().any(|outcome| {
            !(outcome.status == Status::Error && outcome.unreachable
                || outcome.status == Status::Skip)
        });
        let any_unreachable = result.outcomes.iter().any(|outcome| outcome.unreachable);
        // Something was verified: a check reached a verdict about the server.
        let verified = result
            .outcomes
            .iter()
            .any(|outcome| !matches!(outcome.status, Status::Skip | Status::Error));
        let verdict = if summary.required_failures == 0
            && waiver_reports.iter().all(|w| w.status != WaiverUse::Stale)
        {
            if summary.not_run > 0 || !verified {
                Verdict::Incomplete
            } else {
                Verdict::Pass
            }
        } else if any_unreachable && !reachable {
            Verdict::Unreachable
        } else {
            Verdict::Fail
        };
        // Each protocol's endpoint, then its implicit-TLS companion when the target names one.
        let endpoints = Protocol::ALL
            .into_iter()
            .flat_map(|protocol| {
                let main = target.endpoint(protocol);
                let implicit = target
                    .implicit_endpoint(protocol)
                    .filter(|implicit| Some(*implicit) != main);
                main.into_iter()
                    .chain(implicit)
                    .map(move |endpoint| EndpointSummary {
                        protocol,
                        url: endpoint.url.clone(),
                        security: endpoint.security,
                    })
            })
            .collect();
        Report {
            schema: SCHEMA,
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "groupwire".to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            target: TargetSummary {
                name: target.name.clone(),
                domain: target.domain.clone(),
                endpoints,
                accounts: target.accounts.iter().map(|a| a.user.clone()).collect(),
                tls_trust: target.tls.name().to_owned(),
                tls_insecure: target.tls == TlsTrust::Insecure,
                tls_versions,
                tls_pinned: Vec::new(),
            },
            profile: ProfileSummary {
                name: profile.name.clone(),
                description: profile.description.clone(),
                fail_on_warn: profile.fail_on_warn,
            },
            run_prefix: result.run_prefix,
            started_at: timing
                .started
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            finished_at: timing
                .finished
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            duration_ms: u64::try_from((timing.finished - timing.started).num_milliseconds())
                .unwrap_or(0),
            verdict,
            summary,
            checks: result.outcomes,
            hooks: result.hooks,
            waivers: waiver_reports,
            preflight: None,
        }
    }

    /// The report of a run the preflight stopped: no check ran.
    pub fn preflight_failed(
        target: &Target,
        profile: &Profile,
        failure: crate::preflight::PreflightFailure,
        hooks: Vec<HookOutcome>,
        run_prefix: String,
        timing: Timing,
    ) -> Report {
        let result = RunResult {
            outcomes: Vec::new(),
            hooks,
            run_prefix,
        };
        let mut report = Report::build(target, profile, &Waivers::default(), result, timing);
        report.verdict = if failure.problem == crate::preflight::Problem::Unreachable {
            Verdict::Unreachable
        } else {
            Verdict::PreflightFailed
        };
        report.preflight = Some(failure);
        report
    }

    /// The process exit code for this report (see [`crate::exit`]).
    pub fn exit_code(&self) -> u8 {
        match self.verdict {
            Verdict::Pass => exit::SUCCESS,
            Verdict::Fail => exit::FAILURE,
            Verdict::Incomplete => exit::INCOMPLETE,
            Verdict::Unreachable | Verdict::PreflightFailed => exit::UNREACHABLE,
        }
    }

    /// Counts per protocol and level, in report order, for summaries.
    pub fn breakdown(&self) -> Vec<(Protocol, crate::engine::Level, Summary)> {
        let mut rows = Vec::new();
        for protocol in Protocol::ALL {
            for level in crate::engine::Level::ALL {
                let outcomes: Vec<&CheckOutcome> = self
                    .checks
                    .iter()
                    .filter(|o| o.protocol == protocol && o.level == level)
                    .collect();
                if !outcomes.is_empty() {
                    rows.push((
                        protocol,
                        level,
                        Summary::of(outcomes, self.profile.fail_on_warn),
                    ));
                }
            }
        }
        rows
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable text (colour on a terminal).
    Text,
    /// JSON, schema in REPORT-SCHEMA.md.
    Json,
    /// JUnit XML, one testcase per check.
    Junit,
    /// One self-contained HTML page.
    Html,
}

/// Renders a report in a format; `colour` only affects text.
pub fn render(report: &Report, format: Format, colour: bool) -> String {
    match format {
        Format::Text => text::render(report, colour),
        Format::Json => json::render(report),
        Format::Junit => junit::render(report),
        Format::Html => html::render(report),
    }
}

/// One rendered transcript line: `C1: ...` (sent on connection 1), `S1: ...` (received),
/// `-- ...` (a note of the harness).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptLine {
    /// Who.
    pub direction: crate::engine::Direction,
    /// `C1`, `S1` or `--`.
    pub prefix: String,
    /// The text without its line ending (non-printable bytes escaped).
    pub text: String,
}

impl TranscriptLine {
    /// `C1: text`, `S1: text` or `-- note`.
    pub fn display(&self) -> String {
        match self.direction {
            crate::engine::Direction::Note => format!("-- {}", self.text),
            _ => format!("{}: {}", self.prefix, self.text),
        }
    }
}

/// Splits a transcript into display lines.
pub fn transcript_lines(entries: &[crate::engine::Entry]) -> Vec<TranscriptLine> {
    use crate::engine::Direction;
    let mut lines = Vec::new();
    for entry in entries {
        let prefix = match entry.direction {
            Direction::Sent => format!("C{}", entry.connection),
            Direction::Received => format!("S{}", entry.connection),
            Direction::Note => "--".to_owned(),
        };
        let text = crate::engine::render_text(&entry.bytes);
        let mut parts: Vec<&str> = text.split('\n').collect();
        if parts.len() > 1 && parts.last().is_some_and(|last| last.is_empty()) {
            parts.pop();
        }
        for part in parts {
            lines.push(TranscriptLine {
                direction: entry.direction,
                prefix: prefix.clone(),
                text: part.strip_suffix('\r').unwrap_or(part).to_owned(),
            });
        }
    }
    lines
}
