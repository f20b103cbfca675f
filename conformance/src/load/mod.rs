//! `groupwire load`: realistic client load through the codecs, with correctness checking.
//!
//! - [`mix`]: what users do (TOML data beside the profiles, `conformance/mixes/`).
//! - [`accounts`]: the users (the target's, or a pattern) and the shard's slice of them.
//! - [`imap`], [`smtp`], [`dav`]: the actions, on the codecs' client roles.
//! - [`tracker`]: delivery exactly once, UIDs never backwards, flags seen across sessions.
//! - [`stats`]: HDR histograms per action, errors by kind, the result and its merge.
//! - [`slo`]: pass/fail thresholds.
//! - [`html`]: the self-contained HTML report with plots.
//! - [`runner`]: arrivals, sessions, the drain and the verdict.
//! - [`limits`]: the file-descriptor limit and memory.
//! - [`reference`](mod@reference), [`workers`]: the reference deployment sized for load, in one process or
//!   several sharing its ports (`SO_REUSEPORT`).

pub mod accounts;
pub mod conn;
pub mod dav;
pub mod html;
pub mod imap;
pub mod limits;
pub mod mix;
pub mod reference;
pub mod runner;
pub mod slo;
pub mod smtp;
pub mod stats;
pub mod tracker;
pub mod workers;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};

use crate::engine::TlsTrust;
use crate::target::{Secret, Target};

use self::accounts::Shard;
use self::conn::Dialer;
use self::mix::{Mix, parse_duration};
use self::slo::Slo;
use self::stats::LoadResult;

/// Arguments of `groupwire load`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct LoadArgs {
    /// `merge`: combine shard results.
    #[command(subcommand)]
    pub command: Option<LoadCommand>,
    /// The run.
    #[command(flatten)]
    pub run: RunArgs,
}

/// Subcommands of `groupwire load`.
#[derive(Debug, Subcommand)]
pub enum LoadCommand {
    /// Combine shard result files (written with --output) exactly: counts and HDR
    /// histograms add; the verdict is judged again (with --slo, else the shards' SLOs).
    Merge(MergeArgs),
    /// Start the embedded reference deployment sized for load: the accounts of a pattern,
    /// the descriptor limit raised, and a target file for `groupwire load` (until Ctrl-C).
    Reference(reference::ReferenceArgs),
}

/// Arguments of `groupwire load merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Result files (JSON) of the shards.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Thresholds for the merged result (default: the first shard's).
    #[arg(long)]
    pub slo: Vec<String>,
    /// Write the merged result (JSON) to FILE.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write the HTML report (with plots) to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Print the report as text or JSON.
    #[arg(long, short, value_enum, default_value = "text")]
    pub format: LoadFormat,
}

/// Report formats of `groupwire load`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LoadFormat {
    /// Human-readable.
    Text,
    /// The result as JSON (the same as a result file).
    Json,
}

/// Arguments of a load run.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// A target TOML file (as for `check`), or URLs (imaps://host, smtps://host ...).
    #[arg(required = true, value_name = "TARGET.toml | URL")]
    pub target: Vec<String>,
    /// Simulated users (0: every account).
    #[arg(long, default_value_t = 0)]
    pub users: usize,
    /// Ramp-up: users start (closed model) or the rate grows (open model) over this time.
    #[arg(long, default_value = "0s")]
    pub ramp: String,
    /// How long load is applied, ramp included (then pending deliveries are awaited).
    #[arg(long, default_value = "60s")]
    pub duration: String,
    /// Built-in mix (thunderbird, mobile, webmail, smtp-burst, idle) or a mix TOML file.
    #[arg(long, default_value = "thunderbird")]
    pub mix: String,
    /// Open model: sessions per second (overrides the mix's rate).
    #[arg(long)]
    pub rate: Option<f64>,
    /// Accounts from a pattern, `user{0001..5000}@example.org` (login and address).
    #[arg(long, value_name = "PATTERN")]
    pub accounts: Option<String>,
    /// The environment variable holding the pattern accounts' password.
    #[arg(long, value_name = "VAR", conflicts_with = "password_file")]
    pub password_env: Option<String>,
    /// The file holding the pattern accounts' password (first line).
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Threshold, repeatable: `imap.fetch-body.p99<500ms`, `delivery.p99<5s`, `errors<0.1%`
    /// (without an `errors` SLO, `errors<1%` applies).
    #[arg(long)]
    pub slo: Vec<String>,
    /// Run the K-th (0-based) of N slices of the users; K may be `$JOB_COMPLETION_INDEX`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Write the result (JSON, with histograms; the input of `load merge`) to FILE.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write the HTML report (with plots over time) to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Print the report as text or JSON.
    #[arg(long, short, value_enum, default_value = "text")]
    pub format: LoadFormat,
    /// How long after the load an accepted message may take to appear in its recipient's INBOX.
    #[arg(long, default_value = "30s")]
    pub delivery_bound: String,
    /// How long one action may take before it counts as a timeout.
    #[arg(long, default_value = "30s")]
    pub action_timeout: String,
    /// Seed of the action choices.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// For URL targets: trust the CA certificates in this PEM file.
    #[arg(long, value_name = "PEM", conflicts_with = "insecure")]
    pub ca_file: Option<PathBuf>,
    /// For URL targets: accept any certificate.
    #[arg(long)]
    pub insecure: bool,
}

fn usage(message: impl std::fmt::Display) -> ExitCode {
    eprintln!(
        "groupwire load: {}",
        crate::target::redact_urls(&message.to_string())
    );
    crate::exit::code(crate::exit::USAGE)
}

/// `groupwire load`.
pub fn cli_load(args: &LoadArgs) -> ExitCode {
    match &args.command {
        Some(LoadCommand::Merge(merge)) => cli_merge(merge),
        Some(LoadCommand::Reference(args)) => reference::cli_reference(args),
        None => cli_run(&args.run),
    }
}

/// The SLOs of a run: those given, plus `errors<1%` unless an overall error SLO was given, so
/// that a run whose actions fail (or none ran) never passes by default.
pub fn default_slos(mut slos: Vec<Slo>) -> Vec<Slo> {
    if !slos
        .iter()
        .any(|s| s.text.trim_start().starts_with("errors"))
        && let Ok(slo) = Slo::parse(DEFAULT_ERROR_SLO)
    {
        slos.push(slo);
    }
    slos
}

/// The error-rate SLO a run has unless it names its own.
pub const DEFAULT_ERROR_SLO: &str = "errors<1%";

fn parse_slos(texts: &[String]) -> Result<Vec<Slo>, String> {
    texts.iter().map(|t| Slo::parse(t)).collect()
}

fn load_target(args: &RunArgs) -> Result<Target, String> {
    let env = |name: &str| std::env::var(name).ok();
    let first = args.target.first().map(String::as_str).unwrap_or_default();
    if args.target.len() == 1 && !first.contains("://") {
        return Target::from_file(std::path::Path::new(first), env).map_err(|e| e.to_string());
    }
    let trust = match (&args.ca_file, args.insecure) {
        (Some(path), _) => TlsTrust::CaFile { path: path.clone() },
        (None, true) => TlsTrust::Insecure,
        (None, false) => TlsTrust::System,
    };
    // URL targets name their accounts only through the pattern (or GROUPWIRE_PASSWORD).
    Target::from_urls(&args.target, trust, env).map_err(|e| e.to_string())
}

/// Builds the plan of a run from its arguments.
pub fn plan(args: &RunArgs) -> Result<runner::Plan, String> {
    let target = load_target(args)?;
    let mut mix = Mix::load(&args.mix).map_err(|e| e.to_string())?;
    if let Some(rate) = args.rate {
        match &mut mix.arrival {
            mix::Arrival::Open { rate: r } if rate > 0.0 => *r = rate,
            _ => return Err("--rate applies to an open-model mix (rate > 0)".into()),
        }
    }
    let password = match (&args.password_env, &args.password_file) {
        (Some(var), _) => Some(Secret::new(
            std::env::var(var).map_err(|_| format!("--password-env: {var} is not set"))?,
        )),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("--password-file {}: {e}", path.display()))?;
            Some(Secret::new(text.lines().next().unwrap_or_default()))
        }
        (None, None) => None,
    };
    let users = accounts::users(
        args.accounts.as_deref(),
        password,
        &target.accounts,
        args.users,
    )
    .map_err(|e| e.to_string())?;
    let shard = match &args.shard {
        Some(text) => Shard::parse(text).map_err(|e| e.to_string())?,
        None => Shard::WHOLE,
    };
    let tls = crate::engine::client_config(&target.tls).map_err(|e| e.to_string())?;
    // Implicit TLS when the target has it (one round trip less than STARTTLS).
    let pick = |implicit: &Option<crate::target::Endpoint>,
                main: &Option<crate::target::Endpoint>| {
        implicit
            .clone()
            .or_else(|| main.clone())
            .map(|endpoint| Dialer {
                endpoint,
                tls: std::sync::Arc::clone(&tls),
            })
    };
    let caldav = pick(&None, &target.caldav);
    let carddav = pick(&None, &target.carddav);
    // A mix written for a groupware deployment still runs against a mail-only target: its
    // DAV actions are left out, and the operator is told.
    for (kind, present, key) in [
        (mix::ActionKind::CaldavSync, caldav.is_some(), "caldav"),
        (mix::ActionKind::CarddavSync, carddav.is_some(), "carddav"),
    ] {
        if !present && mix.actions.iter().any(|a| a.kind == kind && a.weight > 0) {
            mix = mix.without(kind).ok_or_else(|| {
                format!(
                    "the mix uses {} but the target names no {key} URL",
                    kind.name()
                )
            })?;
            eprintln!(
                "groupwire load: the target names no {key} URL: {} is left out of the mix",
                kind.name()
            );
        }
    }
    Ok(runner::Plan {
        target: target.name.clone(),
        imap: pick(&target.imaps, &target.imap),
        smtp: pick(&target.smtps, &target.smtp),
        caldav,
        carddav,
        users,
        shard,
        mix,
        ramp: parse_duration(&args.ramp).map_err(|e| e.to_string())?,
        duration: parse_duration(&args.duration).map_err(|e| e.to_string())?,
        delivery_bound: parse_duration(&args.delivery_bound).map_err(|e| e.to_string())?,
        action_timeout: parse_duration(&args.action_timeout)
            .map_err(|e| e.to_string())?
            .max(Duration::from_millis(100)),
        slos: default_slos(parse_slos(&args.slo)?),
        seed: args.seed,
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

fn progress_bar() -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {elapsed} {wide_msg}") {
        bar.set_style(style);
    }
    Some(bar)
}

fn cli_run(args: &RunArgs) -> ExitCode {
    let plan = match plan(args) {
        Ok(plan) => plan,
        Err(error) => return usage(error),
    };
    let fds = limits::raise_nofile();
    eprintln!("groupwire load: {}", fds.describe());
    let slice = plan.shard.range(plan.users.len()).len();
    if slice as u64 > fds.sessions() {
        eprintln!(
            "groupwire load: warning: {slice} users but the descriptor limit allows about {} sessions",
            fds.sessions()
        );
    }
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(error) => return usage(error),
    };
    let result = match runtime.block_on(runner::run(plan, progress_bar())) {
        Ok(result) => result,
        Err(error) => return usage(error),
    };
    if result.rss_peak_bytes > 0 {
        let grown = result.rss_peak_bytes.saturating_sub(result.rss_start_bytes);
        eprintln!(
            "groupwire load: resident memory {:.1} MiB at start, {:.1} MiB at peak; {} sessions at peak: {:.1} KiB per session",
            result.rss_start_bytes as f64 / 1048576.0,
            result.rss_peak_bytes as f64 / 1048576.0,
            result.sessions_peak,
            grown as f64 / 1024.0 / result.sessions_peak.max(1) as f64
        );
    }
    if result.cpu_secs > 0.0 {
        eprintln!(
            "groupwire load: {:.1} CPU seconds, {:.0} actions per CPU second",
            result.cpu_secs,
            result.total_actions() as f64 / result.cpu_secs
        );
    }
    finish(
        &result,
        args.output.as_deref(),
        args.html.as_deref(),
        args.format,
    )
}

fn finish(
    result: &LoadResult,
    output: Option<&std::path::Path>,
    html_path: Option<&std::path::Path>,
    format: LoadFormat,
) -> ExitCode {
    let json = match serde_json::to_string_pretty(result) {
        Ok(json) => json + "\n",
        Err(error) => return usage(error),
    };
    if let Some(path) = output
        && let Err(error) = std::fs::write(path, &json)
    {
        return usage(format!("cannot write {}: {error}", path.display()));
    }
    if let Some(path) = html_path
        && let Err(error) = std::fs::write(path, html::render(result))
    {
        return usage(format!("cannot write {}: {error}", path.display()));
    }
    match format {
        LoadFormat::Text => print!("{}", result.render_text()),
        LoadFormat::Json => print!("{json}"),
    }
    crate::exit::code(if result.passed {
        crate::exit::SUCCESS
    } else {
        crate::exit::FAILURE
    })
}

/// Reads result files and merges them with `slos` (default: the first file's SLOs).
pub fn merge_files(files: &[PathBuf], slos: &[String]) -> Result<LoadResult, String> {
    let mut results = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let result: LoadResult = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a load result: {e}", path.display()))?;
        results.push(result);
    }
    let texts: Vec<String> = if slos.is_empty() {
        results
            .first()
            .map(|r| r.slos.iter().map(|s| s.slo.clone()).collect())
            .unwrap_or_default()
    } else {
        slos.to_vec()
    };
    LoadResult::merge(&results, &parse_slos(&texts)?)
}

fn cli_merge(args: &MergeArgs) -> ExitCode {
    match merge_files(&args.files, &args.slo) {
        Ok(result) => finish(
            &result,
            args.output.as_deref(),
            args.html.as_deref(),
            args.format,
        ),
        Err(error) => usage(error),
    }
}
