//! Measures the kill table ([`KILLS`](super::KILLS)) against real servers: every check of a
//! row runs through a `none` proxy (the control) and through a proxy with the row's fault.
//! A pair is *killed* when the check passes in the control and fails (or warns, for a
//! SHOULD) with the fault; it is *not measurable* when the control itself does not pass
//! (the bare server already fails it, e.g. a deployment-policy check on a permissive
//! configuration); else it *survived*.

use std::collections::BTreeMap;
use std::time::Duration;

use super::{Credentials, Fault, Kill, Proxy, ProxyError, ProxyOptions};
use crate::engine::{CheckOutcome, ConnSettings, Protocol, Registry, RunOptions, Status, TlsTrust};
use crate::target::{Account, Endpoint, Target};

/// One (fault, check) pair.
#[derive(Debug, Clone)]
pub struct KillRow {
    /// The fault as written (`strip-response-code=APPENDUID`).
    pub fault: String,
    /// The check id.
    pub check: String,
    /// Through the `none` proxy; `None` when the check is not in the catalogue or the
    /// target has no endpoint for its protocol.
    pub control: Option<Status>,
    /// Through the faulty proxy.
    pub faulty: Option<Status>,
    /// Why the faulty run did not fail, or why the control did not pass.
    pub reason: Option<String>,
}

impl KillRow {
    /// The check noticed the fault.
    pub fn killed(&self) -> bool {
        self.control == Some(Status::Pass)
            && matches!(self.faulty, Some(Status::Fail | Status::Warn))
    }

    /// The control did not pass, so the pair proves nothing.
    pub fn measurable(&self) -> bool {
        self.control == Some(Status::Pass)
    }

    /// `killed`, `SURVIVED`, `n/a (control: fail)`, ...
    pub fn verdict(&self) -> String {
        match (self.control, self.faulty) {
            _ if self.killed() => "killed".to_owned(),
            (Some(Status::Pass), _) => "SURVIVED".to_owned(),
            (Some(control), _) => format!("n/a (control: {})", control.name()),
            (None, _) => "n/a (not run)".to_owned(),
        }
    }
}

/// The measured table.
#[derive(Debug, Clone, Default)]
pub struct KillTable {
    /// One row per (fault, check) pair whose protocol the target serves.
    pub rows: Vec<KillRow>,
}

impl KillTable {
    /// Killed over measurable pairs, in percent (0 when nothing was measurable).
    pub fn kill_rate(&self) -> f64 {
        let measurable = self.rows.iter().filter(|r| r.measurable()).count();
        if measurable == 0 {
            return 0.0;
        }
        let killed = self.rows.iter().filter(|r| r.killed()).count();
        100.0 * killed as f64 / measurable as f64
    }

    /// A plain-text table: fault, check, control, with fault, verdict.
    pub fn render(&self) -> String {
        let mut out = format!(
            "{:<32} {:<38} {:<8} {:<8} {}\n",
            "fault", "check", "none", "fault", "verdict"
        );
        let show = |s: Option<Status>| s.map_or("-", Status::name);
        for row in &self.rows {
            out.push_str(&format!(
                "{:<32} {:<38} {:<8} {:<8} {}\n",
                row.fault,
                row.check,
                show(row.control),
                show(row.faulty),
                row.verdict()
            ));
            if !row.killed()
                && let Some(reason) = &row.reason
            {
                out.push_str(&format!("    {reason}\n"));
            }
        }
        let measurable = self.rows.iter().filter(|r| r.measurable()).count();
        let killed = self.rows.iter().filter(|r| r.killed()).count();
        out.push_str(&format!(
            "killed {killed}/{measurable} measurable pairs ({:.1}%), {} not measurable\n",
            self.kill_rate(),
            self.rows.len() - measurable
        ));
        out
    }
}

/// The real deployment behind the proxies.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// The server's endpoint (one protocol).
    pub endpoint: Endpoint,
    /// Its test accounts (the checks log in with them; the proxy knows their passwords).
    pub accounts: Vec<Account>,
    /// The mail domain, when the checks need addresses.
    pub domain: Option<String>,
    /// How the proxy trusts the upstream's certificate.
    pub trust: TlsTrust,
    /// The proxy's local address towards the upstream (see
    /// [`ProxyOptions::upstream_source`]).
    pub source: Option<std::net::IpAddr>,
}

/// Options of a measurement.
#[derive(Debug, Clone, Copy)]
pub struct KillOptions {
    /// Checks running at once through one proxy.
    pub concurrency: usize,
    /// Time one check may take.
    pub check_timeout: Duration,
    /// One I/O wait at most.
    pub io_timeout: Duration,
}

impl Default for KillOptions {
    fn default() -> Self {
        KillOptions {
            concurrency: 4,
            check_timeout: Duration::from_secs(30),
            io_timeout: Duration::from_secs(10),
        }
    }
}

/// Runs `checks` against `upstream` through a proxy with `fault`.
pub async fn run_through(
    registry: &Registry,
    checks: &[&'static crate::engine::Check],
    upstream: &Upstream,
    fault: Fault,
    options: KillOptions,
) -> Result<Vec<CheckOutcome>, ProxyError> {
    let credentials = Credentials::new(
        upstream
            .accounts
            .iter()
            .map(|a| (a.user.clone(), a.password.clone())),
    );
    let proxy = Proxy::start(ProxyOptions {
        credentials,
        upstream_trust: upstream.trust.clone(),
        upstream_source: upstream.source,
        ..ProxyOptions::new(upstream.endpoint.clone(), fault)
    })
    .await?;
    let ca_dir = std::env::temp_dir().join(format!(
        "groupwire-proxy-ca-{}-{}",
        std::process::id(),
        proxy.addr.port()
    ));
    std::fs::create_dir_all(&ca_dir).map_err(ProxyError::Io)?;
    let ca_file = ca_dir.join("ca.pem");
    proxy.write_ca(&ca_file).map_err(ProxyError::Io)?;
    let endpoint = Endpoint::parse(&proxy.url).map_err(|e| ProxyError::Protocol(e.to_string()))?;
    let protocol = endpoint
        .protocol()
        .ok_or_else(|| ProxyError::Protocol(proxy.url.clone()))?;
    let mut target = Target::empty(format!(
        "{} through proxy {}",
        upstream.endpoint.url, proxy.fault
    ));
    target.domain.clone_from(&upstream.domain);
    target.accounts.clone_from(&upstream.accounts);
    match protocol {
        Protocol::Smtp => target.smtp = Some(endpoint),
        _ => target.imap = Some(endpoint),
    }
    target.tls = TlsTrust::CaFile {
        path: ca_file.clone(),
    };
    let tls =
        crate::engine::client_config(&target.tls).map_err(|e| ProxyError::Tls(e.to_string()))?;
    let settings = ConnSettings {
        tls,
        max_buffer: crate::engine::DEFAULT_MAX_BUFFER,
        io_timeout: options.io_timeout,
    };
    let run_options = RunOptions {
        concurrency: options.concurrency.max(1),
        check_timeout: options.check_timeout,
        io_timeout: options.io_timeout,
    };
    let outcomes = crate::engine::run_checks(registry, checks, target, settings, run_options).await;
    proxy.stop();
    let _ = std::fs::remove_dir_all(&ca_dir);
    Ok(outcomes)
}

/// Measures `kills` against one upstream: the rows whose checks speak its protocol.
pub async fn measure(
    registry: &Registry,
    kills: &[Kill],
    upstream: &Upstream,
    options: KillOptions,
) -> Result<KillTable, ProxyError> {
    let protocol = upstream
        .endpoint
        .protocol()
        .ok_or_else(|| ProxyError::Protocol(upstream.endpoint.url.clone()))?;
    let in_protocol = |id: &str| {
        registry
            .checks()
            .find(|check| check.id == id)
            .filter(|check| check.protocol == protocol)
    };
    let mut control_checks: Vec<&'static crate::engine::Check> = Vec::new();
    for kill in kills {
        for id in kill.checks {
            if let Some(check) = in_protocol(id)
                && !control_checks.iter().any(|c| c.id == check.id)
            {
                control_checks.push(check);
            }
        }
    }
    let outcome_map = |outcomes: Vec<CheckOutcome>| -> BTreeMap<String, CheckOutcome> {
        outcomes.into_iter().map(|o| (o.id.clone(), o)).collect()
    };
    let control =
        outcome_map(run_through(registry, &control_checks, upstream, Fault::None, options).await?);
    let mut table = KillTable::default();
    for kill in kills {
        let checks: Vec<&'static crate::engine::Check> = kill
            .checks
            .iter()
            .filter_map(|id| in_protocol(id))
            .collect();
        let fault = Fault::parse(kill.fault).map_err(|e| ProxyError::Protocol(e.to_string()))?;
        let faulty = if checks.is_empty() {
            BTreeMap::new()
        } else {
            outcome_map(run_through(registry, &checks, upstream, fault, options).await?)
        };
        for id in kill.checks {
            let known = registry.checks().find(|check| check.id == *id);
            if known.is_some_and(|check| check.protocol != protocol) {
                continue;
            }
            let control = control.get(*id);
            let faulty = faulty.get(*id);
            let reason = match (control, faulty) {
                (None, _) => Some(format!("{id} is not in the catalogue")),
                (Some(c), _) if c.status != Status::Pass => c.reason.clone(),
                (_, Some(f)) => f.reason.clone(),
                _ => None,
            };
            table.rows.push(KillRow {
                fault: kill.fault.to_owned(),
                check: (*id).to_owned(),
                control: control.map(|o| o.status),
                faulty: faulty.map(|o| o.status),
                reason,
            });
        }
    }
    Ok(table)
}
