//! The runner: probes each suite's capabilities, runs the selected checks concurrently
//! (bounded), each under its own timeout, then runs the suite's cleanup.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::check::{Check, Protocol, Registry};
use super::context::{CheckContext, RunEnv};
use super::finding::Finding;
use super::outcome::{CheckOutcome, Status};
use super::transcript::Entry;

/// One check chosen for the run, and whether the profile requires it.
#[derive(Debug, Clone, Copy)]
pub struct Selected {
    /// The check.
    pub check: &'static Check,
    /// Whether its failure fails the run.
    pub required: bool,
}

/// How a run is executed.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// How many checks run at the same time.
    pub concurrency: usize,
    /// The most one check (or probe, or cleanup) may take, connections included.
    pub check_timeout: Duration,
    /// The most one connect, TLS handshake, read or write may wait.
    pub io_timeout: Duration,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            concurrency: 8,
            check_timeout: Duration::from_secs(30),
            io_timeout: Duration::from_secs(10),
        }
    }
}

/// Told about progress (the CLI draws a progress bar with it).
pub trait Progress: Send + Sync {
    /// The run starts with `total` checks.
    fn started(&self, total: usize);
    /// One check finished.
    fn finished(&self, outcome: &CheckOutcome);
}

/// A [`Progress`] that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn started(&self, _total: usize) {}
    fn finished(&self, _outcome: &CheckOutcome) {}
}

/// What a suite's probe or cleanup did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HookOutcome {
    /// The protocol of the suite.
    pub protocol: Protocol,
    /// `probe` or `cleanup`.
    pub hook: &'static str,
    /// `pass` or `error` (or `skip`).
    pub status: Status,
    /// Why it did not pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the probe saw.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    /// Its transcript.
    pub transcript: Vec<Entry>,
}

/// Everything a run produced, before waivers and reporting.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// One outcome per selected check, in catalogue order.
    pub outcomes: Vec<CheckOutcome>,
    /// Probes and cleanups.
    pub hooks: Vec<HookOutcome>,
    /// The run prefix used.
    pub run_prefix: String,
}

fn elapsed_ms(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Runs `checks`, each one required, against `target` with no progress display: the shared
/// core of `selftest` (against the reference) and the proxy's kill measurement (against a
/// real server behind a fault). Outcomes in the order of `checks`.
pub async fn run_checks(
    registry: &Registry,
    checks: &[&'static Check],
    target: crate::target::Target,
    settings: super::conn::ConnSettings,
    options: RunOptions,
) -> Vec<CheckOutcome> {
    let selected: Vec<Selected> = checks
        .iter()
        .map(|check| Selected {
            check,
            required: true,
        })
        .collect();
    let env = Arc::new(RunEnv::new(target, settings));
    run(registry, &selected, env, options, Arc::new(NoProgress))
        .await
        .outcomes
}

/// Runs `selected` against the environment's target.
pub async fn run(
    registry: &Registry,
    selected: &[Selected],
    env: Arc<RunEnv>,
    options: RunOptions,
    progress: Arc<dyn Progress>,
) -> RunResult {
    progress.started(selected.len());
    let semaphore = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut by_protocol: BTreeMap<Protocol, Vec<(usize, Selected)>> = BTreeMap::new();
    for (index, item) in selected.iter().enumerate() {
        by_protocol
            .entry(item.check.protocol)
            .or_default()
            .push((index, *item));
    }
    let mut suites = JoinSet::new();
    for (protocol, items) in by_protocol {
        let suite = registry.suite(protocol).copied();
        let env = env.clone();
        let semaphore = semaphore.clone();
        let progress = progress.clone();
        suites.spawn(async move {
            run_suite(protocol, suite, items, env, options, semaphore, progress).await
        });
    }
    let mut outcomes: Vec<(usize, CheckOutcome)> = Vec::with_capacity(selected.len());
    let mut hooks = Vec::new();
    while let Some(joined) = suites.join_next().await {
        if let Ok((suite_outcomes, suite_hooks)) = joined {
            outcomes.extend(suite_outcomes);
            hooks.extend(suite_hooks);
        }
    }
    outcomes.sort_by_key(|(index, _)| *index);
    RunResult {
        outcomes: outcomes.into_iter().map(|(_, outcome)| outcome).collect(),
        hooks,
        run_prefix: env.run_prefix.clone(),
    }
}

async fn run_hook(
    protocol: Protocol,
    name: &'static str,
    cx: CheckContext,
    timeout: Duration,
    future: super::check::BoxFuture<Result<Vec<String>, Finding>>,
) -> (HookOutcome, Result<Vec<String>, Finding>) {
    let result = match tokio::time::timeout(timeout, future).await {
        Ok(result) => result,
        Err(_) => Err(Finding::harness(format!(
            "{name} timed out after {:.1}s",
            timeout.as_secs_f64()
        ))),
    };
    let (status, reason) = match &result {
        Ok(_) => (Status::Pass, None),
        Err(Finding::Skip(reason) | Finding::NotRun(reason)) => {
            (Status::Skip, Some(reason.clone()))
        }
        Err(other) => (Status::Error, Some(other.to_string())),
    };
    let hook = HookOutcome {
        protocol,
        hook: name,
        status,
        reason,
        capabilities: result.clone().unwrap_or_default(),
        transcript: cx.transcript().entries(),
    };
    (hook, result)
}

async fn run_suite(
    protocol: Protocol,
    suite: Option<super::check::Suite>,
    items: Vec<(usize, Selected)>,
    env: Arc<RunEnv>,
    options: RunOptions,
    semaphore: Arc<Semaphore>,
    progress: Arc<dyn Progress>,
) -> (Vec<(usize, CheckOutcome)>, Vec<HookOutcome>) {
    let mut outcomes = Vec::with_capacity(items.len());
    let mut hooks = Vec::new();
    let finish = |outcomes: &mut Vec<(usize, CheckOutcome)>, index, outcome: CheckOutcome| {
        progress.finished(&outcome);
        outcomes.push((index, outcome));
    };

    // No endpoint: every check is skipped without touching the network. (Discovery derives its
    // URL from the domain; the security checks visit every TLS endpoint the target names.)
    if env.target.endpoint(protocol).is_none()
        && protocol != Protocol::Discovery
        && protocol != Protocol::Security
    {
        let reason = format!("the target has no {} endpoint", protocol.label());
        for (index, item) in items {
            let outcome = CheckOutcome::from_result(
                item.check,
                item.required,
                Err(Finding::not_run(reason.clone())),
                None,
                0,
            );
            finish(&mut outcomes, index, outcome);
        }
        return (outcomes, hooks);
    }

    // Probe once; if it cannot run, no check of the suite can either.
    let mut capabilities = None;
    let mut probe_failure: Option<(Finding, CheckContext)> = None;
    if let Some(probe) = suite.and_then(|suite| suite.probe) {
        let cx = CheckContext::new(env.clone(), protocol, None, None);
        let permit = semaphore.clone().acquire_owned().await;
        let (hook, result) = run_hook(
            protocol,
            "probe",
            cx.clone(),
            options.check_timeout,
            probe(cx.clone()),
        )
        .await;
        drop(permit);
        hooks.push(hook);
        match result {
            Ok(caps) => capabilities = Some(Arc::new(caps)),
            // A precondition another check owns failed (STARTTLS refused...): run the checks
            // without capability gating, so the owner reports it once and the rest say they
            // are blocked by it.
            Err(Finding::Blocked { .. }) => {}
            Err(finding) => probe_failure = Some((finding, cx)),
        }
    }
    if let Some((finding, cx)) = probe_failure {
        let finding = match finding {
            // The suite could not start: none of its checks ran.
            Finding::Skip(reason) | Finding::NotRun(reason) => Finding::NotRun(reason),
            Finding::Unreachable(reason) => Finding::Unreachable(reason),
            other => Finding::harness(format!("the capability probe failed: {}", other.reason())),
        };
        for (index, item) in items {
            let outcome = CheckOutcome::from_result(
                item.check,
                item.required,
                Err(finding.clone()),
                Some(cx.transcript()),
                0,
            );
            finish(&mut outcomes, index, outcome);
        }
        return (outcomes, hooks);
    }

    let mut tasks = JoinSet::new();
    let mut task_checks = std::collections::HashMap::new();
    for (index, item) in items {
        if let Some(finding) = precondition(item.check, &env, capabilities.as_deref()) {
            let outcome =
                CheckOutcome::from_result(item.check, item.required, Err(finding), None, 0);
            finish(&mut outcomes, index, outcome);
            continue;
        }
        let cx = CheckContext::new(
            env.clone(),
            protocol,
            Some(item.check),
            capabilities.clone(),
        );
        let semaphore = semaphore.clone();
        let timeout = options.check_timeout;
        let handle = tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let start = Instant::now();
            let transcript = cx.transcript().clone();
            // The procedure runs in its own task so a panic in it is an `error`, not a crash.
            let procedure = tokio::spawn((item.check.run)(cx));
            let abort = procedure.abort_handle();
            let result = match tokio::time::timeout(timeout, procedure).await {
                Ok(Ok(result)) => result,
                Ok(Err(join_error)) => Err(Finding::harness(format!(
                    "the check itself failed ({join_error}); this is a harness bug"
                ))),
                Err(_) => {
                    abort.abort();
                    transcript.note(
                        0,
                        format!("check timed out after {:.1}s", timeout.as_secs_f64()),
                    );
                    Err(Finding::harness(format!(
                        "the check did not finish within {:.1}s",
                        timeout.as_secs_f64()
                    )))
                }
            };
            let outcome = CheckOutcome::from_result(
                item.check,
                item.required,
                result,
                Some(&transcript),
                elapsed_ms(start),
            );
            (index, outcome)
        });
        task_checks.insert(handle.id(), (index, item));
    }
    while let Some(joined) = tasks.join_next_with_id().await {
        match joined {
            Ok((_, (index, outcome))) => finish(&mut outcomes, index, outcome),
            Err(join_error) => {
                if let Some((index, item)) = task_checks.get(&join_error.id()).copied() {
                    let outcome = CheckOutcome::from_result(
                        item.check,
                        item.required,
                        Err(Finding::harness(format!(
                            "the runner lost the check: {join_error}"
                        ))),
                        None,
                        0,
                    );
                    finish(&mut outcomes, index, outcome);
                }
            }
        }
    }

    if let Some(cleanup) = suite.and_then(|suite| suite.cleanup) {
        let cx = CheckContext::new(env.clone(), protocol, None, capabilities.clone());
        let future: super::check::BoxFuture<Result<Vec<String>, Finding>> = {
            let run = cleanup(cx.clone());
            Box::pin(async move { run.await.map(|()| Vec::new()) })
        };
        let (hook, _) = run_hook(protocol, "cleanup", cx, options.check_timeout, future).await;
        hooks.push(hook);
    }
    (outcomes, hooks)
}

/// Why a check cannot run before it starts: too few accounts, or a needed capability the
/// probe did not see.
fn precondition(
    check: &Check,
    env: &RunEnv,
    capabilities: Option<&Vec<String>>,
) -> Option<Finding> {
    if usize::from(check.accounts) > env.target.accounts.len() {
        return Some(Finding::not_run(format!(
            "needs {} account(s), the target lists {}",
            check.accounts,
            env.target.accounts.len()
        )));
    }
    let capabilities = capabilities?;
    let missing: Vec<&str> = check
        .needs
        .iter()
        .copied()
        .filter(|need| {
            !capabilities
                .iter()
                .any(|cap| cap.eq_ignore_ascii_case(need))
        })
        .collect();
    if missing.is_empty() {
        None
    } else {
        Some(Finding::skip(format!(
            "not advertised: {}",
            missing.join(", ")
        )))
    }
}
