//! Waivers: failures the operator knowingly accepts, each with a written reason.
//!
//! ```toml
//! [[waiver]]
//! check = "imap.select.uidvalidity"
//! reason = "UIDVALIDITY resets on failover; fixed in release 4.2 (ticket OPS-123)"
//! ```
//!
//! A waived check that does not pass (fail, warn or error) is reported as `waived` with the
//! reason; a waived check that passes is a `stale-waiver`, which fails the run so the waiver
//! gets removed. A waiver naming a check the catalogue does not know is a usage error.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::{CheckOutcome, Registry, Status};

/// A waiver file could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverError(pub String);

impl fmt::Display for WaiverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WaiverError {}

/// One accepted failure.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// The check id.
    pub check: String,
    /// Why the failure is accepted (required, not empty).
    pub reason: String,
}

/// What became of a waiver in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaiverUse {
    /// The check did not pass; the waiver covered it.
    Applied,
    /// The check passed: the waiver is stale.
    Stale,
    /// The check was skipped or not selected by the profile.
    Unused,
}

/// A waiver and what it did, for reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverReport {
    /// The check id.
    pub check: String,
    /// The written reason.
    pub reason: String,
    /// What it did.
    pub status: WaiverUse,
}

/// A set of waivers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Waivers {
    /// The waivers, in file order.
    #[serde(default)]
    pub waiver: Vec<Waiver>,
}

impl Waivers {
    /// Parses waiver TOML; every waiver needs a non-empty reason and ids may appear once.
    pub fn from_toml(text: &str) -> Result<Waivers, WaiverError> {
        let waivers: Waivers =
            toml::from_str(text).map_err(|error| WaiverError(error.to_string()))?;
        let mut seen = std::collections::HashSet::new();
        for waiver in &waivers.waiver {
            if waiver.reason.trim().is_empty() {
                return Err(WaiverError(format!(
                    "the waiver for {} has no reason; write why the failure is accepted",
                    waiver.check
                )));
            }
            if !seen.insert(waiver.check.as_str()) {
                return Err(WaiverError(format!("{} is waived twice", waiver.check)));
            }
        }
        Ok(waivers)
    }

    /// Reads a waiver file.
    pub fn from_file(path: &Path) -> Result<Waivers, WaiverError> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| WaiverError(format!("cannot read {}: {error}", path.display())))?;
        Waivers::from_toml(&text)
            .map_err(|error| WaiverError(format!("{}: {}", path.display(), error.0)))
    }

    /// Fails on a waiver for a check id the catalogue does not have (a typo would otherwise
    /// silently waive nothing).
    pub fn validate(&self, registry: &Registry) -> Result<(), WaiverError> {
        for waiver in &self.waiver {
            if registry.find(&waiver.check).is_none() {
                return Err(WaiverError(format!(
                    "waiver for unknown check {:?} (see `groupwire checks`)",
                    waiver.check
                )));
            }
        }
        Ok(())
    }

    /// Applies the waivers to the outcomes and says what each one did.
    pub fn apply(&self, outcomes: &mut [CheckOutcome]) -> Vec<WaiverReport> {
        self.waiver
            .iter()
            .map(|waiver| {
                let outcome = outcomes
                    .iter_mut()
                    .find(|outcome| outcome.id == waiver.check);
                let status = match outcome {
                    Some(outcome) => match outcome.status {
                        Status::Fail | Status::Warn | Status::Error => {
                            outcome.original_status = Some(outcome.status);
                            outcome.status = Status::Waived;
                            outcome.waiver = Some(waiver.reason.clone());
                            WaiverUse::Applied
                        }
                        Status::Pass => {
                            outcome.original_status = Some(Status::Pass);
                            outcome.status = Status::StaleWaiver;
                            outcome.waiver = Some(waiver.reason.clone());
                            outcome.reason = Some(
                                "the check passes but a waiver says it fails: remove the waiver"
                                    .to_owned(),
                            );
                            WaiverUse::Stale
                        }
                        Status::Skip | Status::Waived | Status::StaleWaiver => WaiverUse::Unused,
                    },
                    None => WaiverUse::Unused,
                };
                WaiverReport {
                    check: waiver.check.clone(),
                    reason: waiver.reason.clone(),
                    status,
                }
            })
            .collect()
    }
}
