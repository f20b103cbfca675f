//! The TLS services of a target, and the two ways the security checks talk to them: a
//! hand-built ClientHello ([`probe`], evidence in hex) and a rustls handshake that records the
//! certificate chain whatever it is ([`fetch_chain`]).

use std::sync::{Arc, Mutex, PoisonError};

use rustls::pki_types::CertificateDer;

use crate::engine::{
    AcceptAnyCertificate, CheckContext, CheckResult, ConnSettings, Finding, Protocol,
};
use crate::suites::imap::session::ImapSession;
use crate::suites::smtp::session::{CLIENT_NAME, SmtpSession};
use crate::target::{Endpoint, Security, Target};
use crate::tls_probe::{ProbeError, ProbeOptions, ProbeOutcome, ProbeReport, StartTls};

/// What speaks over a TLS service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// IMAP (STARTTLS on 143, implicit on 993).
    Imap,
    /// Submission (STARTTLS on 587, implicit on 465).
    Smtp,
    /// HTTPS (autoconfig, WebDAV, CalDAV, CardDAV).
    Https,
}

/// One TLS service of the target.
#[derive(Debug, Clone)]
pub struct Service {
    /// Where it listens.
    pub endpoint: Endpoint,
    /// What it speaks.
    pub kind: Kind,
}

impl Service {
    /// `imap://host:143 (STARTTLS)` for messages.
    pub fn label(&self) -> String {
        let how = match self.endpoint.security {
            Security::StartTls => "STARTTLS",
            _ => "implicit TLS",
        };
        format!(
            "{}://{}:{} ({how})",
            self.endpoint.scheme, self.endpoint.host, self.endpoint.port
        )
    }

    fn starttls(&self) -> StartTls {
        match (self.endpoint.security, self.kind) {
            (Security::StartTls, Kind::Imap) => StartTls::Imap,
            (Security::StartTls, Kind::Smtp) => StartTls::Smtp {
                ehlo_domain: CLIENT_NAME.to_string(),
            },
            _ => StartTls::None,
        }
    }

    /// The check that owns this service's STARTTLS (blocks a probe whose STARTTLS failed).
    fn starttls_owner(&self) -> &'static str {
        match self.kind {
            Kind::Imap => "imap.starttls.ok",
            _ => crate::suites::smtp::session::OWNER_STARTTLS,
        }
    }
}

/// Every TLS service the target names, each `host:port` once: IMAP and submission (both
/// ports when named), then the HTTPS endpoints (autoconfig, WebDAV, CalDAV, CardDAV).
/// Plaintext endpoints (`imap+plain`, `http`) are left out: there is no TLS to judge.
pub fn services(target: &Target) -> Vec<Service> {
    let candidates = [
        (&target.imap, Kind::Imap),
        (&target.imaps, Kind::Imap),
        (&target.smtp, Kind::Smtp),
        (&target.smtps, Kind::Smtp),
        (&target.autoconfig, Kind::Https),
        (&target.webdav, Kind::Https),
        (&target.caldav, Kind::Https),
        (&target.carddav, Kind::Https),
    ];
    let mut out: Vec<Service> = Vec::new();
    for (endpoint, kind) in candidates {
        let Some(endpoint) = endpoint else { continue };
        if endpoint.security == Security::Plain {
            continue;
        }
        let known = out
            .iter()
            .any(|s| s.endpoint.host == endpoint.host && s.endpoint.port == endpoint.port);
        if !known {
            out.push(Service {
                endpoint: endpoint.clone(),
                kind,
            });
        }
    }
    out
}

/// [`services`], or [`Finding::NotRun`] when the target names none.
pub fn services_of(cx: &CheckContext) -> Result<Vec<Service>, Finding> {
    let found = services(cx.target());
    if found.is_empty() {
        return Err(Finding::not_run(
            "the target names no TLS service (IMAP, submission or HTTPS endpoint)",
        ));
    }
    Ok(found)
}

/// Sends `hello` to `service` (after its STARTTLS) and records what was sent and answered in
/// the check's transcript.
pub async fn probe(
    cx: &CheckContext,
    service: &Service,
    what: &str,
    hello: &[u8],
) -> Result<ProbeReport, Finding> {
    let endpoint = &service.endpoint;
    let host = endpoint.host.trim_start_matches('[').trim_end_matches(']');
    let address = tokio::net::lookup_host((host, endpoint.port))
        .await
        .map_err(|e| Finding::Unreachable(format!("cannot resolve {host}: {e}")))?
        .next()
        .ok_or_else(|| Finding::Unreachable(format!("{host} has no address")))?;
    let options = ProbeOptions {
        starttls: service.starttls(),
        timeout: cx.io_timeout(),
    };
    cx.note(format!("{}: {what}", service.label()));
    match crate::tls_probe::probe(address, hello, &options).await {
        Ok(report) => {
            for line in &report.plaintext {
                cx.note(format!("  {line}"));
            }
            cx.note(format!(
                "  C: ClientHello ({} bytes) {}",
                report.sent.len(),
                report.sent_hex()
            ));
            cx.note(format!(
                "  S: ({} bytes) {}",
                report.received.len(),
                crate::tls_probe::to_hex(&report.received[..report.received.len().min(512)])
            ));
            cx.note(format!("  => {}", report.outcome));
            Ok(report)
        }
        Err(ProbeError::Connect(error)) => Err(Finding::Unreachable(format!(
            "cannot connect to {}: {error}",
            service.label()
        ))),
        Err(ProbeError::StartTls { reason, transcript }) => {
            for line in &transcript {
                cx.note(format!("  {line}"));
            }
            Err(Finding::blocked(
                service.starttls_owner(),
                cx.check().map(|c| c.id),
                format!("STARTTLS to succeed on {}", service.label()),
                reason,
            ))
        }
        Err(error @ ProbeError::Io(_)) => {
            Err(Finding::harness(format!("{}: {error}", service.label())))
        }
    }
}

/// What a set of per-service verdicts adds up to: a violation naming every offending service,
/// else the first error (a service the check could not judge), else a pass.
#[derive(Debug, Default)]
pub struct Verdicts {
    bad: Vec<String>,
    errors: Vec<Finding>,
}

impl Verdicts {
    /// A service broke the requirement (`what` says how).
    pub fn bad(&mut self, service: &Service, what: impl AsRef<str>) {
        self.bad
            .push(format!("{}: {}", service.label(), what.as_ref()));
    }

    /// A service could not be judged.
    pub fn error(&mut self, finding: Finding) {
        self.errors.push(finding);
    }

    /// Records the result of judging one service.
    pub fn record(&mut self, result: Result<(), Finding>, service: &Service) {
        match result {
            Ok(()) => {}
            Err(Finding::Violation { actual, .. }) => self.bad(service, actual),
            Err(other) => self.errors.push(other),
        }
    }

    /// The check's result: `expected` is what every service should have done.
    pub fn finish(self, expected: &str) -> CheckResult {
        if !self.bad.is_empty() {
            return Err(Finding::violation(expected, self.bad.join("; ")));
        }
        match self.errors.into_iter().next() {
            Some(finding) => Err(finding),
            None => Ok(()),
        }
    }

    /// Like [`Verdicts::finish`], but a breach is a quirk (`warn` whatever the level).
    pub fn finish_as_quirk(self, expected: &str) -> CheckResult {
        match self.finish(expected) {
            Err(Finding::Violation { expected, actual }) => Err(Finding::quirk(expected, actual)),
            other => other,
        }
    }
}

/// Whether `outcome` is an accepted handshake at a version below TLS 1.2.
pub fn accepted_legacy(outcome: &ProbeOutcome) -> bool {
    outcome
        .accepted_version()
        .is_some_and(|version| version < crate::tls_probe::TlsVersion::Tls1_2.wire())
}

/// A finding for an answer that is neither an acceptance nor a refusal.
pub fn unclear(service: &Service, outcome: &ProbeOutcome) -> Option<Finding> {
    match outcome {
        ProbeOutcome::NotTls | ProbeOutcome::Timeout | ProbeOutcome::Malformed(_) => {
            Some(Finding::harness(format!(
                "{}: the answer to the ClientHello is neither a ServerHello nor a refusal: {outcome}",
                service.label()
            )))
        }
        _ => None,
    }
}

pub use crate::engine::SharedChain;

/// A context whose connections accept any certificate and record the chain into `chain`.
pub fn capturing(
    cx: &CheckContext,
    protocol: Protocol,
) -> Result<(CheckContext, SharedChain), Finding> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = Arc::new(Mutex::new(None));
    let verifier = AcceptAnyCertificate::recording(provider.clone(), chain.clone());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| Finding::harness(format!("TLS setup: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    let settings = ConnSettings {
        tls: Arc::new(config),
        max_buffer: cx.env().settings.max_buffer,
        io_timeout: cx.io_timeout(),
    };
    Ok((cx.with_settings(settings, protocol), chain))
}

/// The certificate chain `service` presents (end entity first), through the protocol's
/// STARTTLS where there is one. The chain is returned even when the handshake then fails (a
/// certificate whose key did not sign the handshake).
pub async fn fetch_chain(
    cx: &CheckContext,
    service: &Service,
) -> Result<Vec<CertificateDer<'static>>, Finding> {
    let protocol = match service.kind {
        Kind::Imap => Protocol::Imap,
        Kind::Smtp => Protocol::Smtp,
        Kind::Https => Protocol::Discovery,
    };
    let (tls_cx, chain) = capturing(cx, protocol)?;
    let endpoint = &service.endpoint;
    tls_cx.note(format!(
        "{}: TLS handshake to read the certificate chain",
        service.label()
    ));
    let result: Result<(), Finding> = match service.kind {
        Kind::Imap => {
            async {
                let mut session = ImapSession::connect_to(&tls_cx, endpoint).await?;
                if endpoint.security == Security::StartTls {
                    session.starttls().await.map_err(|finding| match finding {
                        Finding::Violation { expected, actual } => Finding::blocked(
                            service.starttls_owner(),
                            cx.check().map(|c| c.id),
                            expected,
                            actual,
                        ),
                        other => other,
                    })?;
                }
                session.logout().await;
                Ok(())
            }
            .await
        }
        Kind::Smtp => {
            async {
                let session = SmtpSession::secure_to(&tls_cx, endpoint).await?;
                session.quit().await;
                Ok(())
            }
            .await
        }
        Kind::Https => {
            async {
                let conn = tls_cx.connect_to(endpoint).await?;
                conn.close().await;
                Ok(())
            }
            .await
        }
    };
    let seen = chain.lock().unwrap_or_else(PoisonError::into_inner).take();
    match (seen, result) {
        (Some(chain), _) if !chain.is_empty() => {
            for (index, der) in chain.iter().enumerate() {
                let text = crate::engine::CertificateInfo::parse(der)
                    .map(|info| info.describe("    "))
                    .unwrap_or_else(|| "    (does not parse as X.509)".to_string());
                cx.note(format!("  certificate {index}:\n{text}"));
            }
            Ok(chain)
        }
        (_, Err(finding)) => Err(finding),
        (_, Ok(())) => Err(Finding::harness(format!(
            "{}: the handshake completed without a certificate",
            service.label()
        ))),
    }
}
