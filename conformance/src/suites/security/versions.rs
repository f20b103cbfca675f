//! Protocol versions: SSL 3.0, TLS 1.0 and TLS 1.1 refused (RFC 7525 §3.1.1, RFC 8314 §4.1),
//! TLS 1.2 or TLS 1.3 spoken (RFC 8314 §4.1). Each old version is offered alone in a
//! hand-built ClientHello, the way a client of that era would (its cipher suites, and the
//! `signature_algorithms` extension so that a modern server reaches its version check); a
//! ServerHello at that version is the breach, an alert or a hang-up the refusal.

use super::services::{Service, Verdicts, accepted_legacy, probe, services_of, unclear};
use crate::engine::{CheckContext, CheckResult};
use crate::tls_probe::{ClientHelloBuilder, ProbeOutcome, TlsVersion};

/// The hello a probe of `version` sends to `service`.
pub fn hello(service: &Service, version: TlsVersion) -> Vec<u8> {
    ClientHelloBuilder::new(version)
        .server_name(&service.endpoint.host)
        .with_signature_algorithms_below_tls12()
        .build()
}

async fn refused(cx: CheckContext, version: TlsVersion) -> CheckResult {
    let mut verdicts = Verdicts::default();
    for service in services_of(&cx)? {
        let what = format!("ClientHello offering only {version}");
        let report = match probe(&cx, &service, &what, &hello(&service, version)).await {
            Ok(report) => report,
            Err(finding) => {
                verdicts.error(finding);
                continue;
            }
        };
        if accepted_legacy(&report.outcome) {
            verdicts.bad(&service, report.outcome.to_string());
        } else if let Some(finding) = unclear(&service, &report.outcome) {
            verdicts.error(finding);
        }
    }
    verdicts.finish(&format!(
        "every TLS service to refuse a {version} ClientHello (alert or hang-up)"
    ))
}

/// `security.tls.ssl3-refused`.
pub async fn ssl3_refused(cx: CheckContext) -> CheckResult {
    refused(cx, TlsVersion::Ssl3_0).await
}

/// `security.tls.tls10-refused`.
pub async fn tls10_refused(cx: CheckContext) -> CheckResult {
    refused(cx, TlsVersion::Tls1_0).await
}

/// `security.tls.tls11-refused`.
pub async fn tls11_refused(cx: CheckContext) -> CheckResult {
    refused(cx, TlsVersion::Tls1_1).await
}

/// `security.tls.tls12-supported`: a TLS 1.2 hello, then (when refused) a TLS 1.3 hello.
pub async fn modern_supported(cx: CheckContext) -> CheckResult {
    let mut verdicts = Verdicts::default();
    'services: for service in services_of(&cx)? {
        let mut answers = Vec::new();
        for version in [TlsVersion::Tls1_2, TlsVersion::Tls1_3] {
            let what = format!("ClientHello offering only {version}");
            let report = match probe(&cx, &service, &what, &hello(&service, version)).await {
                Ok(report) => report,
                Err(finding) => {
                    verdicts.error(finding);
                    continue 'services;
                }
            };
            if let ProbeOutcome::Accepted { version: got, .. } = report.outcome
                && got >= TlsVersion::Tls1_2.wire()
            {
                continue 'services;
            }
            answers.push(format!("{version}: {}", report.outcome));
        }
        verdicts.bad(&service, answers.join(", "));
    }
    verdicts.finish("every TLS service to accept TLS 1.2 or TLS 1.3")
}
