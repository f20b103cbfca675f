//! A run: what to check ([`RunPlan`]: target, profile, waivers, filters, bounds) and its
//! execution, between the CLI and the engine. [`RunPlan::run`] validates the waivers, builds
//! the TLS trust, runs the preflight and then the selected checks on the engine, and hands the
//! outcomes to [`Report::build`]; `report/` only turns that finished [`Report`] into text,
//! JSON, JUnit or HTML.

use std::sync::Arc;

use crate::engine;
use crate::profile::Profile;
use crate::report::{Report, Timing};
use crate::target::Target;
use crate::waiver::Waivers;

/// Why a run could not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupError(pub String);

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SetupError {}

/// Everything a run needs besides the catalogue.
#[derive(Debug, Clone)]
pub struct RunPlan {
    /// The deployment under test.
    pub target: Target,
    /// The profile selecting the checks.
    pub profile: Profile,
    /// Accepted failures.
    pub waivers: Waivers,
    /// Concurrency and timeouts.
    pub options: engine::RunOptions,
    /// Only checks whose id matches one of these `*` patterns (all when empty).
    pub only: Vec<String>,
    /// Bytes buffered per frame at most.
    pub max_buffer: usize,
    /// What one IMAP command may bring in untagged responses (see [`engine::RunEnv`]).
    pub max_untagged: engine::UntaggedLimit,
    /// Transcript bytes kept per check (head and tail).
    pub max_transcript: usize,
    /// Transcript bytes kept by the whole run, beyond a small floor per check.
    pub max_run_transcript: usize,
}

impl RunPlan {
    /// A plan with default options, no waivers and no filter.
    pub fn new(target: Target, profile: Profile) -> RunPlan {
        RunPlan {
            target,
            profile,
            waivers: Waivers::default(),
            options: engine::RunOptions::default(),
            only: Vec::new(),
            max_buffer: engine::DEFAULT_MAX_BUFFER,
            max_untagged: engine::UntaggedLimit::default(),
            max_transcript: engine::DEFAULT_MAX_TRANSCRIPT_BYTES,
            max_run_transcript: engine::DEFAULT_MAX_RUN_TRANSCRIPT_BYTES,
        }
    }

    /// The checks the plan runs.
    pub fn selection(&self, registry: &engine::Registry) -> Vec<engine::Selected> {
        self.profile
            .select(registry)
            .into_iter()
            .filter(|selected| {
                self.only.is_empty()
                    || self
                        .only
                        .iter()
                        .any(|pattern| crate::profile::glob(pattern, selected.check.id))
            })
            .collect()
    }

    /// Runs the plan against the target and builds the report (waivers applied).
    pub async fn run(
        self,
        registry: &engine::Registry,
        progress: Arc<dyn engine::Progress>,
    ) -> Result<Report, SetupError> {
        self.waivers
            .validate(registry)
            .map_err(|error| SetupError(error.to_string()))?;
        let (tls, trust_log) = engine::client_config_with_log(&self.target.tls)
            .map_err(|error| SetupError(error.to_string()))?;
        let selected = self.selection(registry);
        if selected.is_empty() && !self.only.is_empty() {
            return Err(SetupError(format!(
                "--only {} matches no check of profile {} (see `groupwire checks --profile {}`)",
                self.only.join(" --only "),
                self.profile.name,
                self.profile.name
            )));
        }
        let settings = engine::ConnSettings {
            tls,
            max_buffer: self.max_buffer,
            io_timeout: self.options.io_timeout.min(self.options.check_timeout),
        };
        let mut env = engine::RunEnv::new(self.target.clone(), settings);
        env.max_untagged = self.max_untagged;
        env.max_transcript = self.max_transcript;
        env.run_transcript = engine::TranscriptBudget::new(self.max_run_transcript);
        let env = Arc::new(env);
        let started = chrono::Utc::now();
        let protocols = selected.iter().map(|s| s.check.protocol).collect();
        let preflight =
            crate::preflight::run(&env, &protocols, &trust_log, self.options.check_timeout).await;
        if let Some(failure) = preflight.failure {
            let finished = chrono::Utc::now();
            let mut report = Report::preflight_failed(
                &self.target,
                &self.profile,
                failure,
                preflight.hooks,
                env.run_prefix.clone(),
                Timing { started, finished },
            );
            report.target.tls_pinned = pinned_summaries(&trust_log);
            return Ok(report);
        }
        let mut result = engine::run(registry, &selected, env, self.options, progress).await;
        let mut hooks = preflight.hooks;
        hooks.append(&mut result.hooks);
        result.hooks = hooks;
        let finished = chrono::Utc::now();
        let mut report = Report::build(
            &self.target,
            &self.profile,
            &self.waivers,
            result,
            Timing { started, finished },
        );
        report.target.tls_pinned = pinned_summaries(&trust_log);
        Ok(report)
    }
}

/// One line per certificate trusted by pinning.
fn pinned_summaries(log: &engine::TrustLog) -> Vec<String> {
    log.pinned()
        .iter()
        .map(|pinned| {
            let what = engine::CertificateInfo::parse(&pinned.certificate).map_or_else(
                || "a certificate".to_owned(),
                |info| {
                    format!(
                        "{} (issuer {}{})",
                        info.subject,
                        info.issuer,
                        if info.ca { ", CA:TRUE" } else { "" }
                    )
                },
            );
            format!(
                "{}: {what} is byte-for-byte a certificate of the CA file (pinned; webpki alone: {})",
                pinned.server_name, pinned.webpki_error
            )
        })
        .collect()
}
