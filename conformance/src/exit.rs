//! The process exit codes of `groupwire`, one meaning each.

use std::process::ExitCode;

/// Every required check passed, or a `parse` input decoded completely.
pub const SUCCESS: u8 = 0;
/// Some required check failed, or a `parse` input did not decode (or round-trip).
pub const FAILURE: u8 = 1;
/// Usage or target error: bad arguments, an unreadable file, an unusable target.
pub const USAGE: u8 = 2;
/// The target could not be reached at all.
pub const UNREACHABLE: u8 = 3;

/// The text `--help` shows for the exit codes.
pub const HELP: &str = "Exit codes:
  0  all required checks passed (parse: the whole input decoded)
  1  some required check failed (parse: the input did not decode or round-trip)
  2  usage or target error
  3  the target could not be reached";

/// Converts one of the codes above into an [`ExitCode`].
pub fn code(value: u8) -> ExitCode {
    ExitCode::from(value)
}
