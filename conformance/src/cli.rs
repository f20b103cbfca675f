//! Command-line interface of `groupwire`.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::engine::{CheckOutcome, Progress, Registry, RunOptions, TlsTrust};
use crate::exit;
use crate::parse::{self, Protocol};
use crate::profile::Profile;
use crate::report::{self, Format};
use crate::run::RunPlan;
use crate::target::Target;
use crate::waiver::Waivers;

/// Conformance harness for open groupware protocols (IMAP, SMTP, CalDAV, CardDAV, WebDAV).
#[derive(Debug, Parser)]
#[command(name = "groupwire", version, about, after_help = exit::HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands of `groupwire`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode captured protocol bytes and print one JSON object per message.
    ///
    /// Each decoded message is printed as {"offset":N,"len":N,"kind":"...","value":{...}}.
    /// On failure it prints {"error":"...","offset":N} and exits 1; input that ends inside a
    /// message is an error ("incomplete at offset N").
    Parse(ParseArgs),
    /// Run the conformance checks against a deployment and report.
    ///
    /// The target is a TOML file (see the README) or URLs: imap://user@host (STARTTLS, 143),
    /// imaps://user@host:993, smtp://user@host:587 (STARTTLS), smtps://user@host:465.
    /// Passwords never go on the command line: for URLs, GROUPWIRE_PASSWORD holds the password
    /// of the user in the URLs; GROUPWIRE_USER2 and GROUPWIRE_PASSWORD2 name a second account.
    /// Before any check, each endpoint is reached once, its certificate verified and each
    /// account logged in once; a failure there is reported once (exit 3) and nothing runs.
    /// A run in which a required check did not run (no endpoint or account for it) is
    /// INCOMPLETE (exit 4), never PASS.
    /// The text report ends with the line "N passed, N failed, N skipped".
    #[command(after_help = exit::HELP)]
    Check(CheckArgs),
    /// List the check catalogue with RFC references (optionally as a profile selects it).
    Checks(ChecksArgs),
    /// Start the embedded reference servers, run every suite against them, print the report
    /// and write an HTML report (groupwire-report.html); with --format/--output, write one
    /// report as `check` does.
    Demo(crate::demo::DemoArgs),
    /// Start the embedded reference servers (optionally with faults) until Ctrl-C, printing
    /// their URLs and test accounts.
    Serve(crate::demo::ServeArgs),
    /// Prove the checks work: all pass against the clean reference, and each fails against
    /// the reference with the faults it names; prints the kill rate.
    Selftest(crate::selftest::SelftestArgs),
    /// Put JSON reports side by side: servers as columns, checks as rows grouped by protocol.
    Matrix(crate::matrix::MatrixArgs),
    /// Relay a real IMAP/SMTP server changing one behaviour (a fault), to prove checks
    /// against real servers; prints the proxy URL and writes its CA certificate.
    Proxy(crate::proxy::cli::ProxyArgs),
    /// Apply realistic client load (IMAP, submission) through the codecs while checking that
    /// nothing is lost: every accepted message delivered exactly once, UIDs never backwards,
    /// flags seen across sessions; latencies per action in HDR histograms, SLO thresholds,
    /// `--shard K/N` and `load merge` to scale out. Exit 0 when the run passed, 1 when not.
    Load(Box<crate::load::LoadArgs>),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(crate::manual::CompletionsArgs),
    /// Print the man page, or write one per subcommand with --out-dir.
    Man(crate::manual::ManArgs),
}

/// Arguments of `groupwire check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A target TOML file, or one URL per protocol (imap://, imaps://, smtp://, smtps://).
    #[arg(required = true, value_name = "TARGET.toml | URL")]
    pub target: Vec<String>,
    /// Built-in profile (mail, groupware, thunderbird, strict) or a profile TOML file.
    #[arg(long, short, default_value = crate::profile::DEFAULT)]
    pub profile: String,
    /// TOML file of accepted failures, each with a reason.
    #[arg(long, short, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Report format.
    #[arg(long, short, value_enum, default_value = "text")]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// For URL targets: trust only the CA certificates in this PEM file; a certificate in it
    /// that is exactly the server's is trusted as is (pinning, noted in the report).
    #[arg(long, value_name = "PEM", conflicts_with = "insecure")]
    pub ca_file: Option<PathBuf>,
    /// For URL targets: accept any certificate (stamped on the report).
    #[arg(long)]
    pub insecure: bool,
    /// Run only checks whose id matches this pattern (`*` wildcard); repeatable.
    #[arg(long, value_name = "PATTERN")]
    pub only: Vec<String>,
    /// The nameserver the DNS checks ask (`IP:PORT`), instead of the system resolver; for a
    /// target file it replaces the file's `dns`.
    #[arg(long, value_name = "IP:PORT")]
    pub dns_server: Option<String>,
    /// How many checks run at once.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Seconds one check may take.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Seconds one connect, handshake or read may wait.
    #[arg(long, default_value_t = 10)]
    pub io_timeout: u64,
}

/// Arguments of `groupwire checks`.
#[derive(Debug, Args)]
pub struct ChecksArgs {
    /// Show only the checks of this profile (built-in name or TOML file), marking required ones.
    #[arg(long, short)]
    pub profile: Option<String>,
    /// Output format: text or json.
    #[arg(long, short, value_enum, default_value = "text")]
    pub format: CatalogueFormat,
}

/// Formats of `groupwire checks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CatalogueFormat {
    /// One check per line block.
    Text,
    /// A JSON array.
    Json,
}

/// Arguments of `groupwire parse`.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Which protocol and direction the bytes are.
    #[arg(value_enum)]
    pub protocol: Protocol,
    /// File to read; standard input when absent.
    pub file: Option<PathBuf>,
    /// Also serialise each decoded message, decode that again and require the same value.
    #[arg(long)]
    pub roundtrip: bool,
    /// The other direction of the same session (the server's bytes, for `imap-client` and
    /// `smtp-client`): frames the stream as the server did (refused literals, DATA without 354).
    #[arg(long, value_name = "FILE")]
    pub peer: Option<PathBuf>,
}

/// Parses the process arguments and runs the chosen subcommand.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse(args) => run_parse(&args),
        Command::Check(args) => run_check(&args),
        Command::Checks(args) => run_checks(&args),
        Command::Demo(args) => crate::demo::cli_demo(&args),
        Command::Serve(args) => crate::demo::cli_serve(&args),
        Command::Selftest(args) => crate::selftest::cli_selftest(&args),
        Command::Matrix(args) => crate::matrix::cli_matrix(&args),
        Command::Proxy(args) => crate::proxy::cli::cli_proxy(&args),
        Command::Load(args) => crate::load::cli_load(&args),
        Command::Completions(args) => crate::manual::cli_completions(&args),
        Command::Man(args) => crate::manual::cli_man(&args),
    }
}

/// The catalogue the `check` and `checks` subcommands use.
pub fn catalogue() -> Registry {
    crate::suites::registry()
}

fn usage_error(message: impl std::fmt::Display) -> ExitCode {
    // Whatever produced the message, a password in a URL is not printed.
    let message = crate::target::redact_urls(&message.to_string());
    eprintln!("groupwire: {message}");
    exit::code(exit::USAGE)
}

/// Loads the target of `groupwire check`: one TOML file, or URLs.
pub fn load_target(args: &CheckArgs) -> Result<Target, String> {
    let env = |name: &str| std::env::var(name).ok();
    let first = args.target.first().map(String::as_str).unwrap_or_default();
    if args.target.len() == 1 && !first.contains("://") {
        if args.ca_file.is_some() || args.insecure {
            return Err(
                "--ca-file and --insecure apply to URL targets; set [tls] in the TOML".into(),
            );
        }
        let mut target =
            Target::from_file(std::path::Path::new(first), env).map_err(|e| e.to_string())?;
        if let Some(server) = &args.dns_server {
            target.dns = Some(crate::target::parse_dns_server(server).map_err(|e| e.to_string())?);
        }
        return Ok(target);
    }
    let trust = match (&args.ca_file, args.insecure) {
        (Some(path), _) => TlsTrust::CaFile { path: path.clone() },
        (None, true) => TlsTrust::Insecure,
        (None, false) => TlsTrust::System,
    };
    let mut target = Target::from_urls(&args.target, trust, env).map_err(|e| e.to_string())?;
    if let Some(server) = &args.dns_server {
        target.dns = Some(crate::target::parse_dns_server(server).map_err(|e| e.to_string())?);
    }
    Ok(target)
}

struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn started(&self, total: usize) {
        self.0.set_length(u64::try_from(total).unwrap_or(u64::MAX));
    }
    fn finished(&self, outcome: &CheckOutcome) {
        self.0
            .set_message(format!("{} {}", outcome.status, outcome.id));
        self.0.inc(1);
    }
}

fn progress_bar() -> Bar {
    use std::io::IsTerminal;
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {wide_msg}")
        {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    Bar(bar)
}

fn run_check(args: &CheckArgs) -> ExitCode {
    use std::io::IsTerminal;
    let target = match load_target(args) {
        Ok(target) => target,
        Err(error) => return usage_error(error),
    };
    let profile = match Profile::load(&args.profile) {
        Ok(profile) => profile,
        Err(error) => return usage_error(error),
    };
    let waivers = match &args.waivers {
        Some(path) => match Waivers::from_file(path) {
            Ok(waivers) => waivers,
            Err(error) => return usage_error(error),
        },
        None => Waivers::default(),
    };
    let mut plan = RunPlan::new(target, profile);
    plan.waivers = waivers;
    plan.only.clone_from(&args.only);
    plan.options = RunOptions {
        concurrency: args.concurrency.max(1),
        check_timeout: Duration::from_secs(args.timeout.max(1)),
        io_timeout: Duration::from_secs(args.io_timeout.max(1)),
    };
    let registry = catalogue();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return usage_error(format!("cannot start the async runtime: {error}")),
    };
    let bar = std::sync::Arc::new(progress_bar());
    let report = runtime.block_on(plan.run(&registry, bar.clone()));
    bar.0.finish_and_clear();
    let report = match report {
        Ok(report) => report,
        Err(error) => return usage_error(error),
    };
    if let Some(failure) = &report.preflight {
        eprintln!("groupwire: {}", failure.render());
        // Machines still get a report saying why nothing ran; a person reading text on the
        // terminal has the message above.
        if args.output.is_none() && args.format == Format::Text {
            return exit::code(report.exit_code());
        }
    }
    let colour = args.output.is_none()
        && args.format == Format::Text
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let rendered = report::render(&report, args.format, colour);
    let written = match &args.output {
        Some(path) => std::fs::write(path, rendered.as_bytes()),
        None => std::io::stdout().lock().write_all(rendered.as_bytes()),
    };
    if let Err(error) = written {
        eprintln!("groupwire: cannot write the report: {error}");
        return exit::code(exit::USAGE);
    }
    if args.output.is_some() {
        // The plain closing line also goes to the terminal when the report goes to a file.
        println!("{}", report.summary.closing_line());
    }
    exit::code(report.exit_code())
}

/// One catalogue entry of `groupwire checks --format json`.
#[derive(Debug, serde::Serialize)]
pub struct CatalogueEntry {
    /// Check id.
    pub id: &'static str,
    /// Protocol.
    pub protocol: crate::engine::Protocol,
    /// Title.
    pub title: &'static str,
    /// RFC reference, `RFC 9051 §6.3.2`.
    pub rfc: String,
    /// Link to it.
    pub rfc_url: String,
    /// Level.
    pub level: crate::engine::Level,
    /// Whether it binds the implementation or the deployment's configuration.
    pub scope: crate::engine::Scope,
    /// The quoted sentence.
    pub quote: &'static str,
    /// Profiles listing it by membership.
    pub profiles: &'static [&'static str],
    /// Capabilities it needs.
    pub needs: &'static [&'static str],
    /// Faults that break it.
    pub broken_by: &'static [&'static str],
    /// With `--profile`: whether the profile requires it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
}

/// The catalogue as `groupwire checks` lists it.
pub fn catalogue_entries(registry: &Registry, profile: Option<&Profile>) -> Vec<CatalogueEntry> {
    registry
        .checks()
        .filter_map(|check| {
            let required = match profile {
                Some(profile) => Some(profile.classify(check)?),
                None => None,
            };
            Some(CatalogueEntry {
                id: check.id,
                protocol: check.protocol,
                title: check.title,
                rfc: check.rfc.to_string(),
                rfc_url: check.rfc.url(),
                level: check.level,
                scope: check.scope,
                quote: check.quote,
                profiles: check.profiles,
                needs: check.needs,
                broken_by: check.broken_by,
                required,
            })
        })
        .collect()
}

/// Renders the catalogue as text.
pub fn render_catalogue(entries: &[CatalogueEntry]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for entry in entries {
        let required = match entry.required {
            Some(true) => " required",
            Some(false) => " optional",
            None => "",
        };
        let _ = writeln!(
            out,
            "{:<44} {:<6} {:<18}{required}\n    {}",
            entry.id, entry.level, entry.rfc, entry.title
        );
        if !entry.needs.is_empty() {
            let _ = writeln!(out, "    needs: {}", entry.needs.join(", "));
        }
    }
    let _ = writeln!(out, "{} checks", entries.len());
    out
}

fn run_checks(args: &ChecksArgs) -> ExitCode {
    let profile = match args.profile.as_deref().map(Profile::load).transpose() {
        Ok(profile) => profile,
        Err(error) => return usage_error(error),
    };
    let registry = catalogue();
    let entries = catalogue_entries(&registry, profile.as_ref());
    let text = match args.format {
        CatalogueFormat::Text => render_catalogue(&entries),
        CatalogueFormat::Json => match serde_json::to_string_pretty(&entries) {
            Ok(json) => json + "\n",
            Err(error) => return usage_error(error),
        },
    };
    if let Err(error) = std::io::stdout().lock().write_all(text.as_bytes()) {
        eprintln!("groupwire: cannot write output: {error}");
        return exit::code(exit::FAILURE);
    }
    exit::code(exit::SUCCESS)
}

fn run_parse(args: &ParseArgs) -> ExitCode {
    let input = match read_input(args.file.as_deref()) {
        Ok(input) => input,
        Err(error) => {
            eprintln!("groupwire: cannot read input: {error}");
            return exit::code(exit::USAGE);
        }
    };
    let mut parser = match &args.peer {
        None => parse::parser_for(args.protocol),
        Some(path) => {
            let peer = match std::fs::read(path) {
                Ok(peer) => peer,
                Err(error) => {
                    eprintln!("groupwire: cannot read {}: {error}", path.display());
                    return exit::code(exit::USAGE);
                }
            };
            match parse::parser_with_peer(args.protocol, &peer) {
                Ok(parser) => parser,
                Err(why) => {
                    eprintln!("groupwire: {why}");
                    return exit::code(exit::USAGE);
                }
            }
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match parse::decode_all(parser.as_mut(), &input, args.roundtrip, &mut out) {
        Ok(outcome) => exit::code(outcome.exit_code()),
        Err(error) => {
            eprintln!("groupwire: cannot write output: {error}");
            exit::code(exit::FAILURE)
        }
    }
}

fn read_input(file: Option<&std::path::Path>) -> std::io::Result<Vec<u8>> {
    match file {
        Some(path) => std::fs::read(path),
        None => {
            let mut input = Vec::new();
            std::io::stdin().lock().read_to_end(&mut input)?;
            Ok(input)
        }
    }
}
