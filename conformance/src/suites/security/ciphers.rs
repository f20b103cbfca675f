//! TLS 1.2 cipher suites (RFC 7525 §4.1, §4.2). Each class is offered alone in a TLS 1.2
//! ClientHello: a ServerHello choosing one of them means the server negotiates that class.
//! What a sound server accepts is what Mozilla's "intermediate" profile lists for TLS 1.2:
//! ECDHE (or DHE) key exchange with AES-GCM or ChaCha20-Poly1305.

use super::services::{Service, Verdicts, probe, services_of, unclear};
use crate::engine::{CheckContext, CheckResult};
use crate::tls_probe::{ClientHelloBuilder, ProbeOutcome, TlsVersion, ciphers};

fn hello(service: &Service, version: TlsVersion, suites: &[u16]) -> Vec<u8> {
    ClientHelloBuilder::new(version)
        .server_name(&service.endpoint.host)
        .cipher_suites(suites)
        .build()
}

/// Every service refuses a TLS 1.2 hello offering only `suites` (`class` names them).
async fn refused(cx: CheckContext, suites: &[u16], class: &str) -> CheckResult {
    let mut verdicts = Verdicts::default();
    for service in services_of(&cx)? {
        let what = format!("TLS 1.2 ClientHello offering only {class} suites");
        let bytes = hello(&service, TlsVersion::Tls1_2, suites);
        match probe(&cx, &service, &what, &bytes).await {
            Ok(report) => match &report.outcome {
                ProbeOutcome::Accepted { cipher_suite, .. } if suites.contains(cipher_suite) => {
                    verdicts.bad(&service, report.outcome.to_string());
                }
                outcome => {
                    if let Some(finding) = unclear(&service, outcome) {
                        verdicts.error(finding);
                    }
                }
            },
            Err(finding) => verdicts.error(finding),
        }
    }
    verdicts.finish(&format!(
        "every TLS service to refuse a ClientHello offering only {class} suites"
    ))
}

/// `security.tls.cipher-null-refused`.
pub async fn null_refused(cx: CheckContext) -> CheckResult {
    refused(cx, &ciphers::NULL, "NULL-encryption").await
}

/// `security.tls.cipher-export-refused`.
pub async fn export_refused(cx: CheckContext) -> CheckResult {
    refused(cx, &ciphers::EXPORT, "export-grade and DES").await
}

/// `security.tls.cipher-rc4-refused`.
pub async fn rc4_refused(cx: CheckContext) -> CheckResult {
    refused(cx, &ciphers::RC4, "RC4").await
}

/// `security.tls.cipher-3des-refused`.
pub async fn triple_des_refused(cx: CheckContext) -> CheckResult {
    refused(cx, &ciphers::TRIPLE_DES, "3DES").await
}

/// `security.tls.cipher-static-rsa-refused`.
pub async fn static_rsa_refused(cx: CheckContext) -> CheckResult {
    refused(cx, &ciphers::STATIC_RSA, "static-RSA").await
}

/// Every service accepts a TLS 1.2 hello offering only `suites`, or (a TLS 1.3-only
/// service, whose suites all are AEAD with forward secrecy) a TLS 1.3 hello.
async fn accepted(cx: CheckContext, suites: &[u16], class: &str) -> CheckResult {
    let mut verdicts = Verdicts::default();
    'services: for service in services_of(&cx)? {
        let mut answers = Vec::new();
        let attempts = [
            (
                TlsVersion::Tls1_2,
                suites.to_vec(),
                format!("TLS 1.2 ClientHello offering only {class} suites"),
            ),
            (
                TlsVersion::Tls1_3,
                crate::tls_probe::default_cipher_suites(TlsVersion::Tls1_3),
                "TLS 1.3 ClientHello (every TLS 1.3 suite is AEAD with forward secrecy)"
                    .to_string(),
            ),
        ];
        for (version, offer, what) in attempts {
            match probe(&cx, &service, &what, &hello(&service, version, &offer)).await {
                Ok(report) => {
                    if let ProbeOutcome::Accepted {
                        version: got,
                        cipher_suite,
                        ..
                    } = report.outcome
                        && got >= TlsVersion::Tls1_2.wire()
                        && offer.contains(&cipher_suite)
                    {
                        continue 'services;
                    }
                    answers.push(format!("{version}: {}", report.outcome));
                }
                Err(finding) => {
                    verdicts.error(finding);
                    continue 'services;
                }
            }
        }
        verdicts.bad(&service, answers.join(", "));
    }
    verdicts.finish(&format!(
        "every TLS service to accept a client offering only {class} suites"
    ))
}

/// `security.tls.cipher-forward-secrecy`.
pub async fn forward_secrecy(cx: CheckContext) -> CheckResult {
    let mut suites = ciphers::AEAD_FORWARD_SECRET.to_vec();
    suites.extend_from_slice(&ciphers::CBC_FORWARD_SECRET);
    accepted(cx, &suites, "forward-secret (ECDHE/DHE)").await
}

/// `security.tls.cipher-aead`.
pub async fn aead(cx: CheckContext) -> CheckResult {
    accepted(
        cx,
        &ciphers::AEAD_FORWARD_SECRET,
        "AEAD (ECDHE/DHE with AES-GCM or ChaCha20-Poly1305)",
    )
    .await
}
