//! `groupwire demo` and `groupwire serve`: the embedded reference deployment put to use.
//!
//! `demo` starts the reference servers on 127.0.0.1 ephemeral ports, runs every suite against
//! them with the `strict` profile, prints the text report and writes an HTML report (or, with
//! `--format`/`--output`, writes one report in any format, as `check` does).
//! `serve` starts them (optionally with faults) and prints where they are and how to log in,
//! until Ctrl-C.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::engine::{Progress, TlsTrust};
use crate::profile::Profile;
use crate::reference::faults::Faults;
use crate::reference::{Reference, ReferenceOptions, ServerLimits};
use crate::report::Report;
use crate::run::RunPlan;

/// Where `demo` writes its HTML report unless told otherwise.
pub const DEFAULT_HTML: &str = "groupwire-report.html";

/// Why `demo` or `serve` could not run.
#[derive(Debug)]
pub struct DemoError(pub String);

impl std::fmt::Display for DemoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DemoError {}

/// Writes the reference certificate where clients can be pointed at it; returns the path.
pub fn write_certificate(reference: &Reference, dir: &Path) -> Result<PathBuf, DemoError> {
    let path = dir.join(format!("groupwire-reference-{}.pem", std::process::id()));
    std::fs::write(&path, &reference.tls.certificate_pem)
        .map_err(|error| DemoError(format!("cannot write {}: {error}", path.display())))?;
    Ok(path)
}

/// Starts a clean reference, runs `profile` against it and returns the report.
pub async fn run_demo(profile: &str, progress: Arc<dyn Progress>) -> Result<Report, DemoError> {
    let reference = Reference::start(ReferenceOptions::default())
        .await
        .map_err(|error| DemoError(error.to_string()))?;
    let certificate = write_certificate(&reference, &std::env::temp_dir())?;
    let target = crate::reference_target::reference_target(
        &reference,
        TlsTrust::CaFile {
            path: certificate.clone(),
        },
    );
    let profile = Profile::load(profile).map_err(|error| DemoError(error.to_string()))?;
    let mut plan = RunPlan::new(target, profile);
    plan.options.concurrency = 8;
    plan.options.check_timeout = Duration::from_secs(30);
    plan.options.io_timeout = Duration::from_secs(10);
    let registry = crate::suites::registry();
    let report = plan
        .run(&registry, progress)
        .await
        .map_err(|error| DemoError(error.to_string()));
    reference.stop().await;
    let _ = std::fs::remove_file(&certificate);
    report
}

/// What `serve` prints: every endpoint, account and the certificate to trust.
pub fn describe(reference: &Reference, certificate: &Path) -> String {
    let mut out = String::new();
    out.push_str("groupwire reference servers (Ctrl-C to stop)\n");
    let faults: Vec<&str> = reference.faults.iter().map(|f| f.name()).collect();
    if faults.is_empty() {
        out.push_str("  faults:      none (clean reference)\n");
    } else {
        out.push_str(&format!("  faults:      {}\n", faults.join(", ")));
    }
    out.push_str(&format!(
        "  IMAP:        imap://{}   (STARTTLS)\n",
        reference.imap
    ));
    out.push_str(&format!(
        "  IMAPS:       imaps://{}  (implicit TLS)\n",
        reference.imaps
    ));
    out.push_str(&format!(
        "  Submission:  smtp://{}   (STARTTLS)\n",
        reference.submission
    ));
    out.push_str(&format!(
        "  Submissions: smtps://{}  (implicit TLS)\n",
        reference.submissions
    ));
    out.push_str(&format!(
        "  MX:          smtp://{}   (port 25 role: local mail without AUTH, no relaying)\n",
        reference.mx
    ));
    out.push_str(&format!(
        "  Autoconfig:  https://{}/mail/config-v1.1.xml\n",
        reference.autoconfig
    ));
    out.push_str(&format!("  CalDAV:      {}\n", reference.caldav_url()));
    out.push_str(&format!("  CardDAV:     {}\n", reference.carddav_url()));
    out.push_str(&format!("  WebDAV:      {}\n", reference.webdav_url()));
    out.push_str(&format!(
        "  well-known:  https://{}/.well-known/caldav, https://{}/.well-known/carddav\n",
        reference.dav, reference.dav
    ));
    out.push_str(&format!(
        "  DNS:         {} (UDP and TCP; the zone of {}: --dns-server {})\n",
        reference.dns,
        crate::reference::DOMAIN,
        reference.dns
    ));
    out.push_str(&format!("  CA file:     {}\n", certificate.display()));
    for account in &reference.accounts {
        out.push_str(&format!(
            "  account:     {}  password {}  OAuth token {}\n",
            account.address,
            account.password,
            crate::reference::sasl::oauth_token(&account.address)
        ));
    }
    let first = reference.accounts.first();
    let second = reference
        .accounts
        .get(1)
        .map(|a| {
            format!(
                "GROUPWIRE_USER2={} GROUPWIRE_PASSWORD2={} ",
                a.address, a.password
            )
        })
        .unwrap_or_default();
    out.push_str(&format!(
        "try: {second}GROUPWIRE_PASSWORD={} groupwire check --ca-file {} imap://{user}@{} imaps://{user}@{} smtp://{user}@{} smtps://{user}@{} {}\n",
        first.map_or("", |a| a.password.as_str()),
        certificate.display(),
        reference.imap,
        reference.imaps,
        reference.submission,
        reference.submissions,
        reference
            .caldav_url()
            .replacen("https://", &format!("https://{}@", first.map_or("", |a| a.address.as_str()).replace('@', "%40")), 1),
        user = first.map_or("", |a| a.address.as_str()).replace('@', "%40"),
    ));
    out
}

/// Starts the reference with `faults` on `bind` and serves until Ctrl-C or SIGTERM (both
/// remove the certificate file it wrote).
pub async fn serve(
    faults: Faults,
    bind: std::net::IpAddr,
    limits: ServerLimits,
) -> Result<(), DemoError> {
    // Caught from before the first line is printed: whoever reads that line and stops the
    // process must not kill it before the certificate file is removed.
    let stop = crate::shutdown::StopSignal::install();
    let reference = Reference::start(ReferenceOptions {
        faults,
        bind,
        tls: None,
        limits,
        ..ReferenceOptions::default()
    })
    .await
    .map_err(|error| DemoError(error.to_string()))?;
    let certificate = write_certificate(&reference, &std::env::temp_dir())?;
    print!("{}", describe(&reference, &certificate));
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    stop.wait().await;
    reference.stop().await;
    let _ = std::fs::remove_file(&certificate);
    println!("stopped");
    Ok(())
}

/// Arguments of `groupwire demo`.
///
/// Without `--format` and `--output`: the text report on standard output and the HTML report
/// in `groupwire-report.html`. With either, like `check`: the report in `--format` (when
/// absent, from the `--output` file's extension: `.html`, `.json`, `.xml` for JUnit, else
/// text) to `--output` or standard output; with `--output`, the closing line still goes to
/// standard output.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Report format (text, json, junit, html).
    #[arg(long, short, value_enum)]
    pub format: Option<crate::report::Format>,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Built-in profile or profile TOML file to run.
    #[arg(long, short, default_value = "strict")]
    pub profile: String,
}

/// The format `demo` writes: `--format`, else guessed from the `--output` extension.
pub fn demo_format(args: &DemoArgs) -> crate::report::Format {
    use crate::report::Format;
    if let Some(format) = args.format {
        return format;
    }
    let extension = args
        .output
        .as_deref()
        .and_then(Path::extension)
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("html" | "htm") => Format::Html,
        Some("json") => Format::Json,
        Some("xml") => Format::Junit,
        _ => Format::Text,
    }
}

/// Arguments of `groupwire serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Start with this deviation (repeatable); `--list-faults` shows them.
    #[arg(long, value_name = "NAME")]
    pub fault: Vec<String>,
    /// List the fault names and exit.
    #[arg(long)]
    pub list_faults: bool,
    /// The address to listen on (ports are chosen by the system).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Connections served at once (all listeners); one more gets `* BYE` / `421`.
    #[arg(long, value_name = "N", default_value_t = ServerLimits::default().max_connections)]
    pub max_connections: usize,
    /// Seconds a connection may stay unauthenticated (IMAP login, SMTP AUTH).
    #[arg(long, value_name = "SECONDS", default_value_t = ServerLimits::default().preauth_timeout.as_secs_f64())]
    pub preauth_timeout: f64,
    /// IMAP autologout: seconds without a command once authenticated (RFC 9051 §5.4: ≥ 1800).
    #[arg(long, value_name = "SECONDS", default_value_t = ServerLimits::default().autologout.as_secs_f64())]
    pub autologout: f64,
    /// Submission: seconds to wait for the next command (RFC 5321 §4.5.3.2.7: ≥ 300).
    #[arg(long, value_name = "SECONDS", default_value_t = ServerLimits::default().smtp_command_timeout.as_secs_f64())]
    pub smtp_timeout: f64,
    /// Largest IMAP literal accepted before authentication, in octets.
    #[arg(long, value_name = "OCTETS", default_value_t = ServerLimits::default().preauth_literal)]
    pub preauth_literal: u64,
    /// Most input bytes one connection buffers before authentication.
    #[arg(long, value_name = "BYTES", default_value_t = ServerLimits::default().preauth_buffer)]
    pub preauth_buffer: usize,
    /// Most input bytes one authenticated connection buffers.
    #[arg(long, value_name = "BYTES", default_value_t = ServerLimits::default().session_buffer)]
    pub session_buffer: usize,
    /// Most input bytes all connections buffer together.
    #[arg(long, value_name = "BYTES", default_value_t = ServerLimits::default().total_buffer)]
    pub total_buffer: usize,
}

impl ServeArgs {
    /// The limits the flags describe (a timeout that is not a positive number of seconds is
    /// an error).
    pub fn limits(&self) -> Result<ServerLimits, DemoError> {
        let seconds = |name: &str, value: f64| {
            Duration::try_from_secs_f64(value)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or_else(|| DemoError(format!("--{name} wants a positive number of seconds")))
        };
        Ok(ServerLimits {
            max_connections: self.max_connections,
            preauth_timeout: seconds("preauth-timeout", self.preauth_timeout)?,
            autologout: seconds("autologout", self.autologout)?,
            smtp_command_timeout: seconds("smtp-timeout", self.smtp_timeout)?,
            preauth_literal: self.preauth_literal,
            preauth_buffer: self.preauth_buffer,
            session_buffer: self.session_buffer,
            total_buffer: self.total_buffer,
        })
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, DemoError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| DemoError(format!("cannot start the async runtime: {error}")))
}

/// `groupwire demo`.
pub fn cli_demo(args: &DemoArgs) -> std::process::ExitCode {
    let result = runtime().and_then(|runtime| {
        runtime.block_on(run_demo(&args.profile, Arc::new(crate::engine::NoProgress)))
    });
    let report = match result {
        Ok(report) => report,
        Err(error) => {
            eprintln!("groupwire demo: {error}");
            return crate::exit::code(crate::exit::USAGE);
        }
    };
    if args.format.is_none() && args.output.is_none() {
        // Today's default: text for the person at the terminal, HTML for the jury.
        print!(
            "{}",
            crate::report::render(&report, crate::report::Format::Text, false)
        );
        let html = crate::report::render(&report, crate::report::Format::Html, false);
        if let Err(error) = std::fs::write(DEFAULT_HTML, html) {
            eprintln!("groupwire demo: cannot write {DEFAULT_HTML}: {error}");
            return crate::exit::code(crate::exit::USAGE);
        }
        println!("HTML report written to {DEFAULT_HTML}");
        return crate::exit::code(report.exit_code());
    }
    let rendered = crate::report::render(&report, demo_format(args), false);
    let written = match &args.output {
        Some(path) => std::fs::write(path, rendered.as_bytes()),
        None => {
            use std::io::Write as _;
            std::io::stdout().lock().write_all(rendered.as_bytes())
        }
    };
    if let Err(error) = written {
        eprintln!("groupwire demo: cannot write the report: {error}");
        return crate::exit::code(crate::exit::USAGE);
    }
    if let Some(path) = &args.output {
        println!("{}", report.summary.closing_line());
        println!("report written to {}", path.display());
    }
    crate::exit::code(report.exit_code())
}

/// `groupwire serve`.
pub fn cli_serve(args: &ServeArgs) -> std::process::ExitCode {
    use crate::reference::faults::Fault;
    if args.list_faults {
        for fault in Fault::ALL {
            println!("{:<36} {}", fault.name(), fault.description());
        }
        return crate::exit::code(crate::exit::SUCCESS);
    }
    let mut faults = Faults::none();
    for name in &args.fault {
        match Fault::from_name(name) {
            Some(fault) => faults.insert(fault),
            None => {
                eprintln!("groupwire serve: unknown fault {name:?} (see --list-faults)");
                return crate::exit::code(crate::exit::USAGE);
            }
        }
    }
    let limits = match args.limits() {
        Ok(limits) => limits,
        Err(error) => {
            eprintln!("groupwire serve: {error}");
            return crate::exit::code(crate::exit::USAGE);
        }
    };
    match runtime().and_then(|runtime| runtime.block_on(serve(faults, args.bind, limits))) {
        Ok(()) => crate::exit::code(crate::exit::SUCCESS),
        Err(error) => {
            eprintln!("groupwire serve: {error}");
            crate::exit::code(crate::exit::USAGE)
        }
    }
}
