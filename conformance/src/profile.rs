//! Profiles: which checks a run includes and which of them are required, as data.
//!
//! A profile is a TOML file. Built-in ones live in `conformance/profiles/` and are compiled
//! in; `--profile FILE` loads any other. Format:
//!
//! ```toml
//! name = "mail"
//! description = "IMAP and SMTP submission"
//!
//! [[include]]                 # a check is in the profile if any include rule matches it
//! protocols = ["imap", "smtp"]  # any of these protocols (all when absent)
//! levels = ["MUST"]           # any of these levels (all when absent)
//! ids = ["imap.*"]            # any of these id patterns, `*` matching any run of characters
//! scopes = ["implementation"] # "implementation" or "deployment" (configuration policy)
//! member = "thunderbird"      # checks whose descriptor lists this profile name
//! required = true             # failing it fails the run (default true)
//!
//! [[exclude]]                 # ...unless an exclude rule matches (same fields, no `required`)
//! ids = ["imap.legacy.*"]
//! ```
//!
//! A top-level `fail_on_warn = true` makes a `warn` of a required check (a broken SHOULD)
//! fail the run as well, as the `strict` profile does.
//!
//! Every field of a rule must match (fields left out match everything). A check is required
//! when at least one matching include rule says `required = true`.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::{Check, Level, Protocol, Registry, Scope, Selected};

/// The profiles shipped with the harness: (name, TOML).
pub const BUILTIN: [(&str, &str); 5] = [
    ("mail", include_str!("../profiles/mail.toml")),
    ("groupware", include_str!("../profiles/groupware.toml")),
    ("thunderbird", include_str!("../profiles/thunderbird.toml")),
    ("strict", include_str!("../profiles/strict.toml")),
    ("security", include_str!("../profiles/security.toml")),
];

/// The profile used when none is named.
pub const DEFAULT: &str = "mail";

/// A profile could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError(pub String);

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProfileError {}

/// One selection rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Protocol names (`imap`, `smtp`, `discovery`, `webdav`, `caldav`, `carddav`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub protocols: Vec<String>,
    /// Levels (`MUST`, `SHOULD`, `MAY`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<String>,
    /// Id patterns with `*` wildcards.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    /// Scopes (`implementation`, `deployment`; see [`crate::engine::Scope`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// A profile name the check's descriptor must list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// Whether matching checks are required (includes only; default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
}

impl Rule {
    /// Whether the rule matches a check.
    pub fn matches(&self, check: &Check) -> bool {
        (self.protocols.is_empty()
            || self
                .protocols
                .iter()
                .any(|p| p.eq_ignore_ascii_case(check.protocol.name())))
            && (self.levels.is_empty()
                || self
                    .levels
                    .iter()
                    .any(|l| l.eq_ignore_ascii_case(check.level.name())))
            && (self.ids.is_empty() || self.ids.iter().any(|pattern| glob(pattern, check.id)))
            && (self.scopes.is_empty()
                || self
                    .scopes
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(check.scope.name())))
            && self
                .member
                .as_ref()
                .is_none_or(|name| check.profiles.iter().any(|p| p == name))
    }

    fn validate(&self) -> Result<(), ProfileError> {
        for protocol in &self.protocols {
            if Protocol::from_name(protocol).is_none() {
                return Err(ProfileError(format!("unknown protocol {protocol:?}")));
            }
        }
        for level in &self.levels {
            if Level::from_name(level).is_none() {
                return Err(ProfileError(format!(
                    "unknown level {level:?} (MUST, SHOULD or MAY)"
                )));
            }
        }
        for scope in &self.scopes {
            if Scope::from_name(scope).is_none() {
                return Err(ProfileError(format!(
                    "unknown scope {scope:?} (implementation or deployment)"
                )));
            }
        }
        Ok(())
    }
}

/// `*` matches any run of characters (including dots); everything else matches itself.
pub fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return text.is_empty();
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = rest.get(at + part.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// A loaded profile.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Its name.
    pub name: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// Include rules.
    #[serde(default)]
    pub include: Vec<Rule>,
    /// Exclude rules.
    #[serde(default)]
    pub exclude: Vec<Rule>,
    /// Whether a `warn` of a required check (a broken SHOULD) fails the run too.
    #[serde(default)]
    pub fail_on_warn: bool,
}

impl Profile {
    /// Parses profile TOML.
    pub fn from_toml(text: &str) -> Result<Profile, ProfileError> {
        let profile: Profile =
            toml::from_str(text).map_err(|error| ProfileError(error.to_string()))?;
        for rule in profile.include.iter().chain(&profile.exclude) {
            rule.validate()?;
        }
        if profile.exclude.iter().any(|rule| rule.required.is_some()) {
            return Err(ProfileError("exclude rules take no `required`".to_owned()));
        }
        Ok(profile)
    }

    /// A built-in profile by name.
    pub fn builtin(name: &str) -> Option<Profile> {
        BUILTIN
            .iter()
            .find(|(builtin, _)| *builtin == name)
            .and_then(|(_, text)| Profile::from_toml(text).ok())
    }

    /// A built-in profile's name, or else a path to a profile file.
    pub fn load(name_or_path: &str) -> Result<Profile, ProfileError> {
        if let Some(profile) = Profile::builtin(name_or_path) {
            return Ok(profile);
        }
        let path = Path::new(name_or_path);
        if !path.exists() {
            let names: Vec<&str> = BUILTIN.iter().map(|(name, _)| *name).collect();
            return Err(ProfileError(format!(
                "no profile {name_or_path:?}: not a built-in ({}) nor a file",
                names.join(", ")
            )));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|error| ProfileError(format!("cannot read {}: {error}", path.display())))?;
        Profile::from_toml(&text)
            .map_err(|error| ProfileError(format!("{}: {}", path.display(), error.0)))
    }

    /// Whether the profile includes the check, and if so whether it is required.
    pub fn classify(&self, check: &Check) -> Option<bool> {
        if self.exclude.iter().any(|rule| rule.matches(check)) {
            return None;
        }
        let mut matching = self
            .include
            .iter()
            .filter(|rule| rule.matches(check))
            .peekable();
        matching.peek()?;
        Some(matching.any(|rule| rule.required.unwrap_or(true)))
    }

    /// The checks of the registry this profile selects, in catalogue order.
    pub fn select(&self, registry: &Registry) -> Vec<Selected> {
        registry
            .checks()
            .filter_map(|check| {
                self.classify(check)
                    .map(|required| Selected { check, required })
            })
            .collect()
    }
}
