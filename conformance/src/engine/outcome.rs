//! Outcomes: what the runner concluded for each check, with its evidence.

use std::fmt;

use serde::Serialize;

use super::check::{Check, Level, Protocol, Scope};
use super::finding::Finding;
use super::transcript::{Entry, Transcript};

/// The verdict of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The server met the requirement.
    Pass,
    /// A MUST was broken.
    Fail,
    /// A SHOULD or MAY was broken, or a client-relevant quirk was seen.
    Warn,
    /// The check does not apply (the reason says why: not advertised, no endpoint...).
    Skip,
    /// The harness could not run the check (connection refused, timeout, garbage).
    Error,
    /// It did not pass, and a waiver accepts that.
    Waived,
    /// It passed although a waiver says it fails: the waiver is stale, and that fails the run.
    StaleWaiver,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: [Status; 7] = [
        Status::Pass,
        Status::Fail,
        Status::Warn,
        Status::Skip,
        Status::Error,
        Status::Waived,
        Status::StaleWaiver,
    ];

    /// `pass`, `fail`, `warn`, `skip`, `error`, `waived`, `stale-waiver`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::Skip => "skip",
            Status::Error => "error",
            Status::Waived => "waived",
            Status::StaleWaiver => "stale-waiver",
        }
    }

    /// Whether a required check with this status makes the run fail.
    pub fn fails_run(self) -> bool {
        matches!(self, Status::Fail | Status::Error | Status::StaleWaiver)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The evidence behind an outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// What the requirement demands (failures and warnings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What the server did instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// Bytes sent and received, credentials masked.
    pub transcript: Vec<Entry>,
    /// Bytes left out of the transcript because it reached its size limit.
    pub transcript_dropped_bytes: usize,
    /// The TLS version negotiated by the check's last TLS connection, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_version: Option<String>,
}

/// The result of one check in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckOutcome {
    /// The check id.
    pub id: String,
    /// Its protocol.
    pub protocol: Protocol,
    /// Its title.
    pub title: String,
    /// The requirement level.
    pub level: Level,
    /// Whether the requirement binds the implementation or the deployment's configuration.
    pub scope: Scope,
    /// `RFC 9051 §6.3.2`.
    pub rfc: String,
    /// Link to the RFC section.
    pub rfc_url: String,
    /// The RFC sentence.
    pub quote: String,
    /// Whether the profile requires it (a required failure fails the run).
    pub required: bool,
    /// The verdict.
    pub status: Status,
    /// For anything but a pass: why, in one sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Whether an `error` came from the target being unreachable.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unreachable: bool,
    /// Whether a `skip` means the check did not run (no endpoint, too few accounts, blocked
    /// by another check) rather than that it does not apply to the server. A required check
    /// that did not run makes the run `incomplete`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_run: bool,
    /// The status before a waiver was applied (for `waived` and `stale-waiver`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_status: Option<Status>,
    /// The waiver's reason, when one applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<String>,
    /// How long it ran, in milliseconds.
    pub duration_ms: u64,
    /// The evidence.
    pub evidence: Evidence,
}

impl CheckOutcome {
    /// Builds the outcome of `check` from what its procedure returned and its transcript.
    pub fn from_result(
        check: &Check,
        required: bool,
        result: Result<(), Finding>,
        transcript: Option<&Transcript>,
        duration_ms: u64,
    ) -> CheckOutcome {
        let mut evidence = Evidence::default();
        if let Some(transcript) = transcript {
            evidence.transcript = transcript.entries();
            evidence.transcript_dropped_bytes = transcript.dropped_bytes();
            evidence.tls_version = evidence
                .transcript
                .iter()
                .rev()
                .filter_map(|entry| {
                    std::str::from_utf8(&entry.bytes)
                        .ok()?
                        .strip_prefix("TLS established: ")
                        .and_then(|rest| rest.split(' ').next())
                        .map(str::to_owned)
                })
                .next();
        }
        let mut unreachable = false;
        let not_run = result.as_ref().err().is_some_and(Finding::is_not_run);
        let (status, reason) = match result {
            Ok(()) => (Status::Pass, None),
            Err(Finding::Violation { expected, actual }) => {
                let status = if check.level == Level::Must {
                    Status::Fail
                } else {
                    Status::Warn
                };
                let reason = format!("expected {expected}; got {actual}");
                evidence.expected = Some(expected);
                evidence.actual = Some(actual);
                (status, Some(reason))
            }
            Err(Finding::Quirk { expected, actual }) => {
                let reason = format!("quirk: expected {expected}; got {actual}");
                evidence.expected = Some(expected);
                evidence.actual = Some(actual);
                (Status::Warn, Some(reason))
            }
            Err(Finding::Skip(reason) | Finding::NotRun(reason)) => (Status::Skip, Some(reason)),
            Err(blocked @ Finding::Blocked { .. }) => (Status::Skip, Some(blocked.reason())),
            Err(Finding::Harness(reason)) => (Status::Error, Some(reason)),
            Err(Finding::Unreachable(reason)) => {
                unreachable = true;
                (Status::Error, Some(reason))
            }
        };
        CheckOutcome {
            id: check.id.to_owned(),
            protocol: check.protocol,
            title: check.title.to_owned(),
            level: check.level,
            scope: check.scope,
            rfc: check.rfc.to_string(),
            rfc_url: check.rfc.url(),
            quote: check.quote.to_owned(),
            required,
            status,
            reason,
            unreachable,
            not_run,
            original_status: None,
            waiver: None,
            duration_ms,
            evidence,
        }
    }
}
