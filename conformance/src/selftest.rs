//! `groupwire selftest`: proves the catalogue can tell a broken server from a good one.
//!
//! 1. Every check runs against the clean reference deployment; all must pass.
//! 2. For every fault some check names (`Check::broken_by`), a reference with only that fault
//!    is started and the checks naming it run against it; each must fail (or warn, for a
//!    SHOULD). A check *survives* a fault when it still passes, skips or errors.
//!
//! The kill rate is the share of (check, fault) pairs where the check failed; it must be
//! 100%. Faulty references run concurrently, each on its own ephemeral ports.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::engine::{CheckOutcome, ConnSettings, Registry, RunOptions, Status};
use crate::reference::faults::{Fault, Faults};
use crate::reference::tls::ReferenceTls;
use crate::reference::{Reference, ReferenceOptions, StartError};

/// One (check, fault) pair of the second phase.
#[derive(Debug, Clone)]
pub struct Mutant {
    /// The check id.
    pub check: String,
    /// The fault name.
    pub fault: &'static str,
    /// What the check concluded against the faulty reference.
    pub status: Status,
    /// Why, when it did not fail.
    pub reason: Option<String>,
}

impl Mutant {
    /// Whether the fault was detected.
    pub fn killed(&self) -> bool {
        matches!(self.status, Status::Fail | Status::Warn)
    }
}

/// The outcome of a selftest.
#[derive(Debug, Clone)]
pub struct SelftestReport {
    /// Phase 1: every check against the clean reference.
    pub clean: Vec<CheckOutcome>,
    /// Phase 2: every (check, fault) pair.
    pub mutants: Vec<Mutant>,
}

impl SelftestReport {
    /// Clean outcomes that are not a pass.
    pub fn clean_failures(&self) -> Vec<&CheckOutcome> {
        self.clean
            .iter()
            .filter(|o| o.status != Status::Pass)
            .collect()
    }

    /// Pairs where the check did not notice the fault.
    pub fn survivors(&self) -> Vec<&Mutant> {
        self.mutants.iter().filter(|m| !m.killed()).collect()
    }

    /// Killed pairs over all pairs, in percent.
    pub fn kill_rate(&self) -> f64 {
        if self.mutants.is_empty() {
            return 0.0;
        }
        let killed = self.mutants.iter().filter(|m| m.killed()).count();
        100.0 * killed as f64 / self.mutants.len() as f64
    }

    /// Whether the selftest passed: all clean checks pass and every fault is killed.
    pub fn passed(&self) -> bool {
        self.clean_failures().is_empty() && self.survivors().is_empty() && !self.mutants.is_empty()
    }

    /// The human summary, ending with the closing line.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let clean_pass = self
            .clean
            .iter()
            .filter(|o| o.status == Status::Pass)
            .count();
        out.push_str(&format!(
            "clean reference: {clean_pass}/{} checks pass\n",
            self.clean.len()
        ));
        for outcome in self.clean_failures() {
            out.push_str(&format!(
                "  NOT PASSING {} [{}] {}\n",
                outcome.id,
                outcome.status.name(),
                outcome.reason.as_deref().unwrap_or("")
            ));
        }
        let faults: std::collections::BTreeSet<&str> =
            self.mutants.iter().map(|m| m.fault).collect();
        let killed = self.mutants.iter().filter(|m| m.killed()).count();
        out.push_str(&format!(
            "faulty references: {} faults, {killed}/{} (check, fault) pairs killed\n",
            faults.len(),
            self.mutants.len()
        ));
        for mutant in self.survivors() {
            out.push_str(&format!(
                "  SURVIVED {} under --fault {} [{}] {}\n",
                mutant.check,
                mutant.fault,
                mutant.status.name(),
                mutant.reason.as_deref().unwrap_or("")
            ));
        }
        out.push_str(&format!("kill rate: {:.1}%\n", self.kill_rate()));
        out.push_str(&format!(
            "selftest: {}\n",
            if self.passed() { "PASS" } else { "FAIL" }
        ));
        out
    }
}

/// Options of a selftest run.
#[derive(Debug, Clone)]
pub struct SelftestOptions {
    /// How many faulty references run at once.
    pub parallel_faults: usize,
    /// Checks run at once within one reference.
    pub concurrency: usize,
    /// Time one check may take.
    pub check_timeout: Duration,
    /// One I/O wait at most (loopback: short).
    pub io_timeout: Duration,
    /// Only checks whose id matches one of these `*` patterns (all when empty).
    pub only: Vec<String>,
}

impl Default for SelftestOptions {
    fn default() -> Self {
        Self {
            parallel_faults: 6,
            concurrency: 16,
            check_timeout: Duration::from_secs(20),
            io_timeout: Duration::from_secs(5),
            only: Vec::new(),
        }
    }
}

/// Which endpoints of the reference a run talks to: the STARTTLS ones (143, 587), or the
/// implicit-TLS ones (993, 465) for the checks that apply only there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Endpoints {
    /// IMAP and submission with STARTTLS.
    StartTls,
    /// IMAP and submission with implicit TLS.
    Implicit,
}

/// Runs `checks` against a reference with `faults`; outcomes in the order given.
pub async fn run_against(
    registry: &Registry,
    checks: &[&'static crate::engine::Check],
    faults: Faults,
    tls: &ReferenceTls,
    options: &SelftestOptions,
    endpoints: Endpoints,
) -> Result<Vec<CheckOutcome>, StartError> {
    let reference = Reference::start(ReferenceOptions {
        faults,
        tls: Some(tls.clone()),
        ..ReferenceOptions::default()
    })
    .await?;
    // The certificate as a CA file, so that checks judging trust (the security suite) have
    // the anchors the connections below use; one file per reference, removed at the end.
    let ca_file = selftest_ca_file(&reference);
    let trust = match &ca_file {
        Some(path) => crate::engine::TlsTrust::CaFile { path: path.clone() },
        None => crate::engine::TlsTrust::Insecure,
    };
    let mut target = crate::reference_target::reference_target(&reference, trust);
    if endpoints == Endpoints::Implicit {
        let endpoint = |url: String| crate::target::Endpoint::parse(&url).ok();
        target.imap = endpoint(format!("imaps://{}", reference.imaps));
        target.smtp = endpoint(format!("smtps://{}", reference.submissions));
    }
    let settings = ConnSettings {
        tls: Arc::clone(&reference.tls.client),
        max_buffer: crate::engine::DEFAULT_MAX_BUFFER,
        io_timeout: options.io_timeout,
    };
    let run_options = RunOptions {
        concurrency: options.concurrency,
        check_timeout: options.check_timeout,
        ..RunOptions::default()
    };
    let outcomes = crate::engine::run_checks(registry, checks, target, settings, run_options).await;
    reference.stop().await;
    if let Some(path) = ca_file {
        let _ = std::fs::remove_file(path);
    }
    Ok(outcomes)
}

/// Writes the reference certificate to a file of its own under the temporary directory.
fn selftest_ca_file(reference: &Reference) -> Option<std::path::PathBuf> {
    static FILES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let number = FILES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!(
        "groupwire-selftest-{}-{number}.pem",
        std::process::id()
    ));
    std::fs::write(&path, &reference.tls.certificate_pem)
        .ok()
        .map(|()| path)
}

fn selected_checks(registry: &Registry, only: &[String]) -> Vec<&'static crate::engine::Check> {
    registry
        .checks()
        .filter(|check| only.is_empty() || only.iter().any(|p| crate::profile::glob(p, check.id)))
        .collect()
}

/// Runs the whole selftest.
pub async fn run(
    registry: &Registry,
    options: SelftestOptions,
) -> Result<SelftestReport, StartError> {
    let tls = crate::reference::generate_tls().map_err(StartError::Tls)?;
    let checks = selected_checks(registry, &options.only);
    let mut clean = run_against(
        registry,
        &checks,
        Faults::none(),
        &tls,
        &options,
        Endpoints::StartTls,
    )
    .await?;
    // A check skipped on the STARTTLS endpoints (one that applies only to implicit TLS) gets
    // its chance on the implicit-TLS ones; where it passes is where its faults are tried. A
    // check that fails or errors there stays a clean failure.
    let retry: Vec<&'static crate::engine::Check> = checks
        .iter()
        .zip(&clean)
        .filter(|(_, outcome)| outcome.status == Status::Skip)
        .map(|(check, _)| *check)
        .collect();
    let mut endpoints_of: BTreeMap<&'static str, Endpoints> = BTreeMap::new();
    if !retry.is_empty() {
        let implicit = run_against(
            registry,
            &retry,
            Faults::none(),
            &tls,
            &options,
            Endpoints::Implicit,
        )
        .await?;
        for (check, outcome) in retry.iter().zip(implicit) {
            if outcome.status == Status::Pass
                && let Some(slot) = clean.iter_mut().find(|o| o.id == check.id)
            {
                *slot = outcome;
                endpoints_of.insert(check.id, Endpoints::Implicit);
            }
        }
    }

    type FaultRun = (&'static str, Endpoints);
    let mut by_fault: BTreeMap<FaultRun, Vec<&'static crate::engine::Check>> = BTreeMap::new();
    for check in &checks {
        let endpoints = endpoints_of
            .get(check.id)
            .copied()
            .unwrap_or(Endpoints::StartTls);
        for fault in check.broken_by {
            by_fault.entry((fault, endpoints)).or_default().push(check);
        }
    }
    let semaphore = Arc::new(tokio::sync::Semaphore::new(options.parallel_faults.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for ((fault_name, endpoints), fault_checks) in by_fault {
        let registry = registry.clone();
        let tls = tls.clone();
        let options = options.clone();
        let semaphore = Arc::clone(&semaphore);
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let Some(fault) = Fault::from_name(fault_name) else {
                return fault_checks
                    .iter()
                    .map(|check| Mutant {
                        check: check.id.to_string(),
                        fault: fault_name,
                        status: Status::Error,
                        reason: Some("no such fault in the reference".to_string()),
                    })
                    .collect::<Vec<_>>();
            };
            match run_against(
                &registry,
                &fault_checks,
                Faults::one(fault),
                &tls,
                &options,
                endpoints,
            )
            .await
            {
                Ok(outcomes) => outcomes
                    .into_iter()
                    .map(|outcome| Mutant {
                        check: outcome.id.clone(),
                        fault: fault_name,
                        status: outcome.status,
                        reason: outcome.reason.clone(),
                    })
                    .collect(),
                Err(error) => fault_checks
                    .iter()
                    .map(|check| Mutant {
                        check: check.id.to_string(),
                        fault: fault_name,
                        status: Status::Error,
                        reason: Some(error.to_string()),
                    })
                    .collect(),
            }
        });
    }
    let mut mutants = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(batch) = joined {
            mutants.extend(batch);
        }
    }
    mutants.sort_by(|a, b| (&a.check, a.fault).cmp(&(&b.check, b.fault)));
    Ok(SelftestReport { clean, mutants })
}

/// Arguments of `groupwire selftest`.
#[derive(Debug, clap::Args)]
pub struct SelftestArgs {
    /// Only checks whose id matches this pattern (`*` wildcard); repeatable.
    #[arg(long, value_name = "PATTERN")]
    pub only: Vec<String>,
    /// How many faulty references run at once.
    #[arg(long, default_value_t = 6)]
    pub parallel: usize,
}

/// `groupwire selftest`: exit 0 only when every clean check passes and every fault is killed.
pub fn cli_selftest(args: &SelftestArgs) -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("groupwire selftest: cannot start the async runtime: {error}");
            return crate::exit::code(crate::exit::USAGE);
        }
    };
    let options = SelftestOptions {
        only: args.only.clone(),
        parallel_faults: args.parallel.max(1),
        ..SelftestOptions::default()
    };
    let registry = crate::suites::registry();
    match runtime.block_on(run(&registry, options)) {
        Ok(report) => {
            print!("{}", report.render());
            if report.passed() {
                crate::exit::code(crate::exit::SUCCESS)
            } else {
                crate::exit::code(crate::exit::FAILURE)
            }
        }
        Err(error) => {
            eprintln!("groupwire selftest: cannot start the reference: {error}");
            crate::exit::code(crate::exit::USAGE)
        }
    }
}
