//! `groupwire load reference`: the embedded reference deployment sized for a load test: the
//! accounts of a pattern, the descriptor limit raised, a connection cap to match, and a
//! target file for `groupwire load` written beside it. Runs until Ctrl-C or SIGTERM.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

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
    let result: Result<(), String> = runtime.block_on(async {
        let reference = Reference::start(ReferenceOptions {
            faults,
            bind: args.serve.bind,
            tls: None,
            limits,
            ..ReferenceOptions::default()
        })
        .await
        .map_err(|e| e.to_string())?;
        add_accounts(&reference, &logins, &password);
        let dir = args
            .write_target
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default();
        let ca = dir.join(format!("groupwire-load-ca-{}.pem", std::process::id()));
        std::fs::write(&ca, &reference.tls.certificate_pem)
            .map_err(|e| format!("cannot write {}: {e}", ca.display()))?;
        let ca_path = std::fs::canonicalize(&ca).unwrap_or(ca.clone());
        let target = format!(
            "name = \"groupwire reference\"\nimap = \"imaps://{}\"\nsmtp = \"smtps://{}\"\n\
             caldav = \"{}\"\ncarddav = \"{}\"\n\
             [tls]\ntrust = \"ca-file\"\nca_file = \"{}\"\n",
            reference.imaps,
            reference.submissions,
            reference.caldav_url(),
            reference.carddav_url(),
            ca_path.display()
        );
        std::fs::write(&args.write_target, target)
            .map_err(|e| format!("cannot write {}: {e}", args.write_target.display()))?;
        println!(
            "groupwire load reference: {} accounts, IMAPS {}, submissions {}, target {} (Ctrl-C to stop)",
            logins.len(),
            reference.imaps,
            reference.submissions,
            args.write_target.display()
        );
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        stop_signal().await;
        reference.stop().await;
        let _ = std::fs::remove_file(&ca);
        Ok(())
    });
    match result {
        Ok(()) => crate::exit::code(crate::exit::SUCCESS),
        Err(error) => fail(error),
    }
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
