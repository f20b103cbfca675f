//! What a check procedure returns: `Ok(())` when the server met the requirement, or a
//! [`Finding`] saying why not. Use `?` freely: connection errors become harness errors.

use std::fmt;

use super::conn::ConnError;

/// The result of a check procedure. `Ok(())` is a pass.
pub type CheckResult = Result<(), Finding>;

/// Why a check did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The server broke the requirement: `fail` for a MUST, `warn` for a SHOULD or MAY.
    Violation {
        /// What the RFC sentence demands, in words or bytes.
        expected: String,
        /// What the server did instead (server bytes are shown escaped).
        actual: String,
    },
    /// A client-relevant quirk that no RFC forbids: always `warn`.
    Quirk {
        /// What clients expect.
        expected: String,
        /// What the server did.
        actual: String,
    },
    /// The check does not apply to this server (an extension it does not advertise, an
    /// endpoint of another kind): `skip` with the reason. A legitimate skip: it does not keep
    /// a run from passing.
    Skip(String),
    /// The check could not run because the target description lacks what it needs (no
    /// endpoint for its protocol, too few accounts, no mail domain): `skip` with the reason,
    /// marked not run. A required check that did not run makes the run `incomplete`, never
    /// `pass`.
    NotRun(String),
    /// The check could not run because a precondition that another check owns failed (STARTTLS
    /// refused, the accounts' credentials rejected): `skip: blocked by <id>`. The owning check
    /// reports the fault once; every check it blocks says so instead of failing too.
    Blocked {
        /// The id of the check that owns the failed precondition.
        by: &'static str,
        /// What failed, in one sentence.
        reason: String,
    },
    /// The harness could not run the check (timeout, garbage, limit, TLS failure): `error`.
    Harness(String),
    /// The endpoint could not be reached at all (connection refused, no route): `error`, and
    /// exit code 3 when no check could reach the target.
    Unreachable(String),
}

impl Finding {
    /// A broken requirement.
    pub fn violation(expected: impl Into<String>, actual: impl Into<String>) -> Finding {
        Finding::Violation {
            expected: expected.into(),
            actual: actual.into(),
        }
    }

    /// A quirk worth a warning whatever the level.
    pub fn quirk(expected: impl Into<String>, actual: impl Into<String>) -> Finding {
        Finding::Quirk {
            expected: expected.into(),
            actual: actual.into(),
        }
    }

    /// The check does not apply.
    pub fn skip(reason: impl Into<String>) -> Finding {
        Finding::Skip(reason.into())
    }

    /// The check could not run: the target lacks what it needs (see [`Finding::NotRun`]).
    pub fn not_run(reason: impl Into<String>) -> Finding {
        Finding::NotRun(reason.into())
    }

    /// Whether this finding means the check did not run (not run, or blocked by another
    /// check), as opposed to not applying to the server.
    pub fn is_not_run(&self) -> bool {
        matches!(self, Finding::NotRun(_) | Finding::Blocked { .. })
    }

    /// A precondition owned by check `by` failed. When `current` is that very check (it is
    /// judging its own precondition), the failure is its `violation` instead.
    pub fn blocked(
        by: &'static str,
        current: Option<&str>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Finding {
        let expected = expected.into();
        let actual = actual.into();
        if current == Some(by) {
            Finding::violation(expected, actual)
        } else {
            Finding::Blocked {
                by,
                reason: format!("expected {expected}, got {actual}"),
            }
        }
    }

    /// The harness could not run the check.
    pub fn harness(reason: impl Into<String>) -> Finding {
        Finding::Harness(reason.into())
    }
}

impl Finding {
    /// The text of the finding without its kind prefix (the reason of a skip or error).
    pub fn reason(&self) -> String {
        match self {
            Finding::Violation { expected, actual } | Finding::Quirk { expected, actual } => {
                format!("expected {expected}, got {actual}")
            }
            Finding::Skip(reason)
            | Finding::NotRun(reason)
            | Finding::Harness(reason)
            | Finding::Unreachable(reason) => reason.clone(),
            Finding::Blocked { by, reason } => format!("blocked by {by}: {reason}"),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Violation { expected, actual } => {
                write!(f, "expected {expected}, got {actual}")
            }
            Finding::Quirk { expected, actual } => {
                write!(f, "quirk: expected {expected}, got {actual}")
            }
            Finding::Skip(reason) => write!(f, "skipped: {reason}"),
            Finding::NotRun(reason) => write!(f, "skipped (not run): {reason}"),
            Finding::Blocked { by, reason } => write!(f, "skipped: blocked by {by}: {reason}"),
            Finding::Harness(reason) | Finding::Unreachable(reason) => write!(f, "error: {reason}"),
        }
    }
}

impl From<ConnError> for Finding {
    fn from(error: ConnError) -> Finding {
        if error.is_unreachable() {
            Finding::Unreachable(error.to_string())
        } else {
            Finding::Harness(error.to_string())
        }
    }
}

impl From<std::io::Error> for Finding {
    fn from(error: std::io::Error) -> Finding {
        Finding::Harness(format!("I/O error: {error}"))
    }
}

/// `Ok(())` when `condition` holds, else a [`Finding::Violation`]; `actual` is only built on
/// failure.
pub fn ensure(
    condition: bool,
    expected: impl Into<String>,
    actual: impl FnOnce() -> String,
) -> CheckResult {
    if condition {
        Ok(())
    } else {
        Err(Finding::violation(expected, actual()))
    }
}

/// Shows server bytes as readable text: printable ASCII as is, CR/LF as `\r`/`\n`, anything
/// else as `\xNN`; cut after `max` bytes with a marker saying how many were left out.
pub fn show_bytes(bytes: &[u8], max: usize) -> String {
    let mut out = String::with_capacity(bytes.len().min(max) + 8);
    for &byte in bytes.iter().take(max) {
        match byte {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(byte)),
            _ => out.push_str(&format!("\\x{byte:02x}")),
        }
    }
    if bytes.len() > max {
        out.push_str(&format!("... ({} more bytes)", bytes.len() - max));
    }
    out
}
