//! `groupwire proxy`: runs a fault proxy until Ctrl-C.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Credentials, FAULTS, Fault, Proxy, ProxyOptions};
use crate::engine::TlsTrust;
use crate::target::{Endpoint, PASSWORD_ENV, PASSWORD2_ENV, Secret, USER2_ENV};

/// Arguments of `groupwire proxy`.
#[derive(Debug, clap::Args)]
pub struct ProxyArgs {
    /// The real server: imap://host:143, imaps://host:993, smtp://host:587, smtps://host:465.
    /// The URL's user (password in GROUPWIRE_PASSWORD) and GROUPWIRE_USER2 /
    /// GROUPWIRE_PASSWORD2 are the accounts `accept-any-password` knows.
    #[arg(required_unless_present = "list_faults", value_name = "UPSTREAM")]
    pub upstream: Option<String>,
    /// The behaviour to change: NAME or NAME=ARGUMENT (see --list-faults).
    #[arg(long, default_value = "none")]
    pub fault: String,
    /// List the faults and exit.
    #[arg(long)]
    pub list_faults: bool,
    /// Address to listen on (port 0: the OS picks one; the URL is printed).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,
    /// Write the proxy's CA certificate here (give it to `groupwire check --ca-file`).
    #[arg(long, value_name = "PEM", default_value = "groupwire-proxy-ca.pem")]
    pub ca_out: PathBuf,
    /// Trust only the CA certificates in this PEM file for the upstream.
    #[arg(long, value_name = "PEM", conflicts_with = "upstream_insecure")]
    pub upstream_ca_file: Option<PathBuf>,
    /// Accept any certificate from the upstream (test servers on loopback).
    #[arg(long)]
    pub upstream_insecure: bool,
    /// Connect to the upstream from this local address (e.g. 127.0.0.2, so a server on
    /// 127.0.0.1 does not treat the proxy's connections as local and secure).
    #[arg(long, value_name = "IP")]
    pub upstream_source: Option<std::net::IpAddr>,
}

/// The text of `--list-faults`.
pub fn fault_list() -> String {
    FAULTS
        .iter()
        .map(|(name, about)| format!("{name:<26} {about}\n"))
        .collect()
}

/// `groupwire proxy`.
pub fn cli_proxy(args: &ProxyArgs) -> ExitCode {
    if args.list_faults {
        print!("{}", fault_list());
        return crate::exit::code(crate::exit::SUCCESS);
    }
    let usage = |message: String| {
        // Never echo a password given in a URL.
        let message = crate::target::redact_urls(&message);
        eprintln!("groupwire proxy: {message}");
        crate::exit::code(crate::exit::USAGE)
    };
    let fault = match Fault::parse(&args.fault) {
        Ok(fault) => fault,
        Err(error) => return usage(error.to_string()),
    };
    let upstream = match Endpoint::parse(args.upstream.as_deref().unwrap_or_default()) {
        Ok(endpoint) => endpoint,
        Err(error) => return usage(error.to_string()),
    };
    let mut accounts = Vec::new();
    if let (Some(user), Ok(password)) = (&upstream.user, std::env::var(PASSWORD_ENV)) {
        accounts.push((user.clone(), Secret::new(password)));
    }
    if let (Ok(user), Ok(password)) = (std::env::var(USER2_ENV), std::env::var(PASSWORD2_ENV)) {
        accounts.push((user, Secret::new(password)));
    }
    let upstream_trust = match (&args.upstream_ca_file, args.upstream_insecure) {
        (Some(path), _) => TlsTrust::CaFile { path: path.clone() },
        (None, true) => TlsTrust::Insecure,
        (None, false) => TlsTrust::System,
    };
    let options = ProxyOptions {
        credentials: Credentials::new(accounts),
        upstream_trust,
        listen: args.listen,
        upstream_source: args.upstream_source,
        ..ProxyOptions::new(upstream, fault)
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return usage(format!("cannot start the async runtime: {error}")),
    };
    runtime.block_on(async {
        let proxy = match Proxy::start(options).await {
            Ok(proxy) => proxy,
            Err(error) => return usage(error.to_string()),
        };
        if let Err(error) = proxy.write_ca(&args.ca_out) {
            return usage(format!("cannot write {}: {error}", args.ca_out.display()));
        }
        println!("PROXY_URL={}", proxy.url);
        println!("CA_FILE={}", args.ca_out.display());
        println!("FAULT={}", proxy.fault);
        let _ = tokio::signal::ctrl_c().await;
        proxy.stop();
        crate::exit::code(crate::exit::SUCCESS)
    })
}
