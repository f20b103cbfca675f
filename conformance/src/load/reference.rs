//! `groupwire load reference`: the embedded reference deployment sized for a load test: the
//! accounts of a pattern, the descriptor limit raised, a connection cap to match, and a
//! target file for `groupwire load` written beside it. Runs until Ctrl-C or SIGTERM.
//!
//! With `--workers N`, N processes share the IMAPS, submissions and DAV ports through
//! `SO_REUSEPORT` (see [`super::workers`]): this process is the first and starts the others.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::workers::{SharedCertificate, SharedListeners, SharedPorts, worker_args};
use crate::reference::faults::{Fault, Faults};
use crate::reference::{Reference, ReferenceOptions};

/// Arguments of `groupwire load reference`.
#[derive(Debug, Args)]
pub struct ReferenceArgs {
    /// The accounts to create, `user{00001..15000}@example.test`.
    #[arg(long, value_name = "PATTERN")]
    pub accounts: String,
    /// The environment variable holding their password.
    #[arg(long, value_name = "VAR")]
    pub password_env: String,
    /// Write a target file for `groupwire load` (implicit-TLS endpoints, the CA file) here.
    #[arg(long, value_name = "FILE")]
    pub write_target: PathBuf,
    /// Worker processes sharing the IMAPS, submissions and DAV ports (`SO_REUSEPORT`), so
    /// that together they hold more sessions than one process's descriptor limit allows.
    /// Each keeps its own mail store: use more than one for capacity runs (the idle mix),
    /// not for mixes that check delivery across sessions.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub workers: usize,
    /// Internal: run as a further worker on these shared ports (`IMAPS,SUBMISSIONS,DAV`).
    #[arg(long, value_name = "PORTS", hide = true)]
    pub worker_ports: Option<String>,
    /// Internal: the workers' shared certificate, written by the first worker.
    #[arg(long, value_name = "FILE", hide = true)]
    pub worker_tls: Option<PathBuf>,
    /// The reference's options (faults, bind address, limits) as for `groupwire serve`;
    /// `--max-connections` defaults to what the descriptor limit allows.
    #[command(flatten)]
    pub serve: crate::demo::ServeArgs,
}

/// Adds `logins` (all with `password`) to a running reference: mail accounts and DAV homes
/// (a calendar and an address book named `default` each).
pub fn add_accounts(reference: &Reference, logins: &[String], password: &str) {
    use crate::reference::dav::principals;
    let mut tree = reference
        .dav_service
        .tree
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    for login in logins {
        reference.store.add_account(login, password);
        principals::provision(&mut tree, principals::user_of(login));
    }
}

/// `groupwire load reference`.
pub fn cli_reference(args: &ReferenceArgs) -> ExitCode {
    let fail = |message: String| {
        eprintln!("groupwire load reference: {message}");
        crate::exit::code(crate::exit::USAGE)
    };
    if args.serve.list_faults {
        for fault in Fault::ALL {
            println!("{:<36} {}", fault.name(), fault.description());
        }
        return crate::exit::code(crate::exit::SUCCESS);
    }
    let Ok(password) = std::env::var(&args.password_env) else {
        return fail(format!("{} is not set", args.password_env));
    };
    let logins = match super::accounts::expand_pattern(&args.accounts) {
        Ok(logins) => logins,
        Err(error) => return fail(error.to_string()),
    };
    let mut faults = Faults::none();
    for name in &args.serve.fault {
        match Fault::from_name(name) {
            Some(fault) => faults.insert(fault),
            None => return fail(format!("unknown fault {name:?}")),
        }
    }
    let mut limits = match args.serve.limits() {
        Ok(limits) => limits,
        Err(error) => return fail(error.to_string()),
    };
    let fds = super::limits::raise_nofile();
    // The default cap (1024) is for a shared test server; under load, the descriptor limit
    // is the cap unless the flag asked for less.
    if limits.max_connections == crate::reference::ServerLimits::default().max_connections {
        limits.max_connections = usize::try_from(fds.sessions()).unwrap_or(usize::MAX);
    }
    eprintln!(
        "groupwire load reference: {}; serving at most {} connections",
        fds.describe(),
        limits.max_connections
    );
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(error.to_string()),
    };
    if args.workers == 0 {
        return fail("--workers must be at least 1".into());
    }
    let worker = match (&args.worker_ports, &args.worker_tls) {
        (Some(ports), Some(tls)) => match SharedPorts::parse(ports) {
            Some(ports) => Some((ports, tls.clone())),
            None => {
                return fail(format!(
                    "--worker-ports {ports:?}: expected IMAPS,SUBMISSIONS,DAV"
                ));
            }
        },
        (None, None) => None,
        _ => return fail("--worker-ports and --worker-tls go together".into()),
    };
    let result: Result<(), String> = runtime.block_on(async {
        let stop = crate::shutdown::StopSignal::install();
        if let Some((ports, tls)) = worker {
            return run_worker(args, faults, limits, &logins, &password, ports, &tls).await;
        }
        let dir = args
            .write_target
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default();
        // More than one worker: one certificate for all, and the shared ports bound first.
        let shared = if args.workers > 1 {
            let certificate = SharedCertificate::generate()?;
            let listeners = SharedListeners::bind(args.serve.bind, None)
                .map_err(|e| format!("cannot bind the shared ports: {e}"))?;
            Some((certificate, listeners))
        } else {
            None
        };
        let reference = Reference::start(ReferenceOptions {
            faults,
            bind: args.serve.bind,
            tls: match &shared {
                Some((certificate, _)) => Some(certificate.tls()?),
                None => None,
            },
            limits,
            ..ReferenceOptions::default()
        })
        .await
        .map_err(|e| e.to_string())?;
        add_accounts(&reference, &logins, &password);
        let mut imaps = reference.imaps;
        let mut submissions = reference.submissions;
        let mut dav = reference.dav;
        let mut children = Vec::new();
        let certificate_file = dir.join(format!("groupwire-load-tls-{}.key", std::process::id()));
        if let Some((certificate, listeners)) = shared {
            let ports = listeners.ports().map_err(|e| e.to_string())?;
            imaps.set_port(ports.imaps);
            submissions.set_port(ports.submissions);
            dav.set_port(ports.dav);
            listeners.serve(&reference)?;
            certificate.write(&certificate_file)?;
            let started = start_workers(args.workers - 1, ports, &certificate_file).await;
            // The others have read the certificate (or failed): it is not needed any more.
            let _ = std::fs::remove_file(&certificate_file);
            children = started?;
        }
        let ca = dir.join(format!("groupwire-load-ca-{}.pem", std::process::id()));
        std::fs::write(&ca, &reference.tls.certificate_pem)
            .map_err(|e| format!("cannot write {}: {e}", ca.display()))?;
        let ca_path = std::fs::canonicalize(&ca).unwrap_or(ca.clone());
        let dav_base = |url: String| url.replace(&reference.dav.to_string(), &dav.to_string());
        let target = format!(
            "name = \"groupwire reference\"\nimap = \"imaps://{imaps}\"\nsmtp = \"smtps://{submissions}\"\n\
             caldav = \"{}\"\ncarddav = \"{}\"\n\
             [tls]\ntrust = \"ca-file\"\nca_file = \"{}\"\n",
            dav_base(reference.caldav_url()),
            dav_base(reference.carddav_url()),
            ca_path.display()
        );
        std::fs::write(&args.write_target, target)
            .map_err(|e| format!("cannot write {}: {e}", args.write_target.display()))?;
        let pids: Vec<String> = std::iter::once(std::process::id())
            .chain(children.iter().map(std::process::Child::id))
            .map(|pid| pid.to_string())
            .collect();
        println!(
            "groupwire load reference: {} accounts, IMAPS {imaps}, submissions {submissions}, target {} (Ctrl-C to stop)",
            logins.len(),
            args.write_target.display()
        );
        if args.workers > 1 {
            println!(
                "groupwire load reference: {} workers share these ports (SO_REUSEPORT), pids {}",
                args.workers,
                pids.join(" ")
            );
        }
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        stop.wait().await;
        for child in &mut children {
            let _ = child.kill();
            let _ = child.wait();
        }
        reference.stop().await;
        let _ = std::fs::remove_file(&ca);
        Ok(())
    });
    match result {
        Ok(()) => crate::exit::code(crate::exit::SUCCESS),
        Err(error) => fail(error),
    }
}

/// A further worker: the accounts, the shared certificate, the shared ports; says `ready` on
/// stdout once it serves, then runs until stopped.
async fn run_worker(
    args: &ReferenceArgs,
    faults: Faults,
    limits: crate::reference::ServerLimits,
    logins: &[String],
    password: &str,
    ports: SharedPorts,
    certificate: &std::path::Path,
) -> Result<(), String> {
    let stop = crate::shutdown::StopSignal::install();
    let tls = SharedCertificate::read(certificate)?.tls()?;
    let listeners = SharedListeners::bind(args.serve.bind, Some(ports))
        .map_err(|e| format!("cannot bind the shared ports {}: {e}", ports.to_arg()))?;
    let reference = Reference::start(ReferenceOptions {
        faults,
        bind: args.serve.bind,
        tls: Some(tls),
        limits,
        ..ReferenceOptions::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    add_accounts(&reference, logins, password);
    listeners.serve(&reference)?;
    println!("ready {}", std::process::id());
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    tokio::select! {
        () = stop.wait() => {}
        () = first_worker_gone() => {}
    }
    reference.stop().await;
    Ok(())
}

/// Returns once the first worker (this process's parent) has gone, however it ended.
async fn first_worker_gone() {
    #[cfg(unix)]
    {
        let parent = std::os::unix::process::parent_id();
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            if std::os::unix::process::parent_id() != parent {
                return;
            }
        }
    }
    #[cfg(not(unix))]
    std::future::pending::<()>().await
}

/// Starts `count` further workers and waits until each says it is ready (or fails).
async fn start_workers(
    count: usize,
    ports: SharedPorts,
    certificate: &std::path::Path,
) -> Result<Vec<std::process::Child>, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let args = worker_args(std::env::args(), ports, certificate);
    let mut children = Vec::new();
    for _ in 0..count {
        let spawned = std::process::Command::new(&exe)
            .args(&args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .spawn();
        match spawned {
            Ok(child) => children.push(child),
            Err(error) => {
                stop_children(&mut children);
                return Err(format!("cannot start a worker: {error}"));
            }
        }
    }
    let mut outputs: Vec<_> = children
        .iter_mut()
        .filter_map(|child| child.stdout.take())
        .collect();
    let waited = tokio::task::spawn_blocking(move || {
        use std::io::BufRead as _;
        outputs.iter_mut().all(|stdout| {
            let mut line = String::new();
            std::io::BufReader::new(stdout).read_line(&mut line).is_ok()
                && line.starts_with("ready")
        })
    });
    let ready = matches!(
        tokio::time::timeout(std::time::Duration::from_secs(60), waited).await,
        Ok(Ok(true))
    );
    if !ready {
        stop_children(&mut children);
        return Err("a worker did not start (its error is above)".into());
    }
    Ok(children)
}

fn stop_children(children: &mut [std::process::Child]) {
    for child in children {
        let _ = child.kill();
        let _ = child.wait();
    }
}
