//! The process exit codes of `groupwire`, one meaning each.

use std::process::ExitCode;

/// Every required check passed, or a `parse` input decoded completely.
pub const SUCCESS: u8 = 0;
/// Some required check failed, or a `parse` input did not decode (or round-trip).
pub const FAILURE: u8 = 1;
/// Usage or target error: bad arguments, an unreadable file, an unusable target, `--only`
/// matching no check.
pub const USAGE: u8 = 2;
/// The target could not be used, so nothing was judged: it could not be reached, its TLS
/// certificate is not trusted, or it rejected the credentials (the preflight says which, once).
pub const UNREACHABLE: u8 = 3;
/// No required check failed, but some required check did not run (no endpoint or account for
/// it in the target, or blocked by a failed precondition), or nothing was verified at all: the
/// run is incomplete, not a pass.
pub const INCOMPLETE: u8 = 4;

/// The text `--help` shows for the exit codes.
pub const HELP: &str = "Exit codes:
  0  all required checks passed (parse: the whole input decoded)
  1  some required check failed (parse: the input did not decode or round-trip)
  2  usage or target error (also: --only matches no check)
  3  the target could not be used: unreachable, certificate not trusted, or credentials
     rejected (checked once before any check runs; nothing else ran)
  4  incomplete: nothing failed, but a required check did not run (no endpoint or account
     for it, or blocked by another check's failure), or nothing was verified at all";

/// Converts one of the codes above into an [`ExitCode`].
pub fn code(value: u8) -> ExitCode {
    ExitCode::from(value)
}
