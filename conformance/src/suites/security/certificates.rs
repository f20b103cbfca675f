//! The certificate each TLS service presents (RFC 8314 §4.4: "MSPs MUST maintain valid server
//! certificates for all servers"; RFC 7525 §4.3 for key size and signature hash). The chain is
//! read once per service with a handshake that accepts any certificate (so that a bad one can
//! be described rather than only refused), shown in the evidence, then judged here: trust
//! with webpki against the run's roots (system roots or the target's CA file), the name with
//! webpki's RFC 9525 matching, the dates, key and signature with x509-parser.

use std::time::Duration;

use rustls::RootCertStore;
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::ParsedCertificate;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::services::{Service, Verdicts, fetch_chain, services_of};
use crate::engine::{CheckContext, CheckResult, Finding, TlsTrust};

/// Certificates expiring sooner than this are reported (`warn`).
pub const EXPIRY_WARNING: Duration = Duration::from_secs(30 * 24 * 3600);

/// Runs `judge` on the chain of every service.
async fn each_chain(
    cx: &CheckContext,
    mut judge: impl FnMut(&Service, &[CertificateDer<'static>]) -> Result<(), Finding>,
) -> Result<Verdicts, Finding> {
    let mut verdicts = Verdicts::default();
    for service in services_of(cx)? {
        match fetch_chain(cx, &service).await {
            Ok(chain) => {
                let result = judge(&service, &chain);
                verdicts.record(result, &service);
            }
            Err(finding) => verdicts.error(finding),
        }
    }
    Ok(verdicts)
}

fn parsed<'a>(der: &'a CertificateDer<'_>) -> Result<X509Certificate<'a>, Finding> {
    X509Certificate::from_der(der.as_ref())
        .map(|(_, cert)| cert)
        .map_err(|e| Finding::violation("an X.509 certificate", format!("unparsable: {e}")))
}

/// Trust anchors, and the DER of the certificates a CA file names (for pinning).
type Anchors = (RootCertStore, Vec<Vec<u8>>);

/// The trust anchors of the run, or `None` for `--insecure`; with the CA file's certificates
/// themselves, for pinning.
fn anchors(trust: &TlsTrust) -> Result<Option<Anchors>, Finding> {
    match trust {
        TlsTrust::Insecure => Ok(None),
        TlsTrust::System => Ok(Some((
            RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            },
            Vec::new(),
        ))),
        TlsTrust::CaFile { path } => {
            let mut roots = RootCertStore::empty();
            let mut pins = Vec::new();
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| Finding::harness(format!("CA file {}: {e}", path.display())))?;
            for cert in certs {
                let cert =
                    cert.map_err(|e| Finding::harness(format!("CA file {}: {e}", path.display())))?;
                pins.push(cert.to_vec());
                let _ = roots.add(cert);
            }
            Ok(Some((roots, pins)))
        }
    }
}

/// `security.tls.certificate-trusted`: the chain builds to a trust anchor of the run. An
/// expired certificate is judged at a moment inside its validity (expiry is another check's);
/// a certificate the CA file holds byte for byte is trusted by pinning, and the evidence says
/// so.
pub async fn trusted(cx: CheckContext) -> CheckResult {
    let Some((roots, pins)) = anchors(&cx.target().tls)? else {
        return Err(Finding::not_run(
            "the run trusts any certificate (insecure): name a CA file or use the system roots",
        ));
    };
    let algorithms = rustls::crypto::ring::default_provider().signature_verification_algorithms;
    let note = cx.clone();
    let verdicts = each_chain(&cx, |service, chain| {
        let Some((end_entity, intermediates)) = chain.split_first() else {
            return Err(Finding::violation("a certificate", "none"));
        };
        if pins.iter().any(|pin| pin.as_slice() == end_entity.as_ref()) {
            note.note(format!(
                "{}: the CA file holds this very certificate (trusted by pinning)",
                service.label()
            ));
            return Ok(());
        }
        let parsed_cert = ParsedCertificate::try_from(end_entity)
            .map_err(|e| Finding::violation("a certificate webpki can parse", e.to_string()))?;
        let not_before = parsed(end_entity)?.validity().not_before.timestamp();
        let now = UnixTime::now();
        let inside = UnixTime::since_unix_epoch(Duration::from_secs(
            u64::try_from(not_before).unwrap_or(0).saturating_add(1),
        ));
        let result = verify_server_cert_signed_by_trust_anchor(
            &parsed_cert,
            &roots,
            intermediates,
            now,
            algorithms.all,
        );
        let result = match result {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::Expired
                | rustls::CertificateError::ExpiredContext { .. }
                | rustls::CertificateError::NotValidYet
                | rustls::CertificateError::NotValidYetContext { .. },
            )) => verify_server_cert_signed_by_trust_anchor(
                &parsed_cert,
                &roots,
                intermediates,
                inside,
                algorithms.all,
            ),
            other => other,
        };
        result.map_err(|e| {
            Finding::violation(
                "a chain to a trusted root",
                format!("{e} (issuer {})", issuer(end_entity)),
            )
        })
    })
    .await?;
    verdicts.finish("every service's certificate to chain to a trusted root")
}

fn issuer(der: &CertificateDer<'_>) -> String {
    parsed(der)
        .map(|cert| cert.issuer().to_string())
        .unwrap_or_default()
}

/// `security.tls.certificate-name`: the end-entity certificate is valid for the host name (or
/// IP address) the target names.
pub async fn name(cx: CheckContext) -> CheckResult {
    let verdicts = each_chain(&cx, |service, chain| {
        let end_entity = chain
            .first()
            .ok_or_else(|| Finding::violation("a certificate", "none"))?;
        let host = &service.endpoint.host;
        let name = crate::engine::server_name(host).map_err(|e| Finding::harness(e.to_string()))?;
        let parsed_cert = ParsedCertificate::try_from(end_entity)
            .map_err(|e| Finding::violation("a certificate webpki can parse", e.to_string()))?;
        verify_server_name(&parsed_cert, &name).map_err(|_| {
            let sans = crate::engine::CertificateInfo::parse(end_entity)
                .map(|info| info.sans.join(", "))
                .unwrap_or_default();
            Finding::violation(
                format!("a certificate for {host}"),
                format!("a certificate for [{sans}]"),
            )
        })
    })
    .await?;
    verdicts.finish("every service's certificate to name the host connected to")
}

/// Seconds from now until the end-entity certificate's notAfter (negative: expired).
fn remaining(chain: &[CertificateDer<'_>]) -> Result<(i64, String), Finding> {
    let end_entity = chain
        .first()
        .ok_or_else(|| Finding::violation("a certificate", "none"))?;
    let cert = parsed(end_entity)?;
    let now = chrono::Utc::now().timestamp();
    let validity = cert.validity();
    if validity.not_before.timestamp() > now {
        return Ok((-1, format!("not valid before {}", validity.not_before)));
    }
    Ok((
        validity.not_after.timestamp() - now,
        validity.not_after.to_string(),
    ))
}

/// `security.tls.certificate-not-expired`.
pub async fn not_expired(cx: CheckContext) -> CheckResult {
    let verdicts = each_chain(&cx, |_, chain| {
        let (left, until) = remaining(chain)?;
        if left < 0 {
            return Err(Finding::violation(
                "a certificate within its validity period",
                format!("expired or not yet valid: {until}"),
            ));
        }
        Ok(())
    })
    .await?;
    verdicts.finish("every service's certificate to be within its validity period")
}

/// `security.tls.certificate-not-expiring`: warns when a certificate has less than 30 days
/// left; an expired one is `security.tls.certificate-not-expired`'s to report.
pub async fn not_expiring(cx: CheckContext) -> CheckResult {
    let current = cx.check().map(|c| c.id);
    let verdicts = each_chain(&cx, |_, chain| {
        let (left, until) = remaining(chain)?;
        if left < 0 {
            return Err(Finding::blocked(
                "security.tls.certificate-not-expired",
                current,
                "a certificate within its validity period",
                until,
            ));
        }
        if left < EXPIRY_WARNING.as_secs() as i64 {
            return Err(Finding::violation(
                "at least 30 days before the certificate expires",
                format!("expires {until}, in {} days", left / 86400),
            ));
        }
        Ok(())
    })
    .await?;
    verdicts.finish_as_quirk("every service's certificate to have at least 30 days left")
}

/// `security.tls.certificate-key`: RSA keys of at least 2048 bits, elliptic-curve keys of at
/// least 256 bits (Ed25519 and Ed448 are fine).
pub async fn key(cx: CheckContext) -> CheckResult {
    use x509_parser::public_key::PublicKey;
    let verdicts = each_chain(&cx, |_, chain| {
        let end_entity = chain
            .first()
            .ok_or_else(|| Finding::violation("a certificate", "none"))?;
        let cert = parsed(end_entity)?;
        let spki = cert.public_key();
        let algorithm = spki.algorithm.algorithm.to_id_string();
        let (kind, bits, minimum) = match spki.parsed() {
            Ok(PublicKey::RSA(rsa)) => ("RSA", rsa.key_size(), 2048),
            Ok(PublicKey::EC(ec)) => ("EC", ec.key_size(), 256),
            Ok(PublicKey::DSA(_)) => ("DSA", 0, usize::MAX),
            _ if algorithm == "1.3.101.112" || algorithm == "1.3.101.113" => ("EdDSA", 256, 0),
            _ => ("unknown", 0, usize::MAX),
        };
        if bits < minimum {
            return Err(Finding::violation(
                "an RSA key of at least 2048 bits or an elliptic-curve key of at least 256 bits",
                format!("a {bits}-bit {kind} key (algorithm {algorithm})"),
            ));
        }
        Ok(())
    })
    .await?;
    verdicts.finish("every service's certificate key to be RSA >= 2048 bits or EC >= 256 bits")
}

/// Signature algorithms with a broken hash (MD2, MD5, SHA-1), by OID.
const WEAK_SIGNATURES: [(&str, &str); 6] = [
    ("1.2.840.113549.1.1.2", "md2WithRSAEncryption"),
    ("1.2.840.113549.1.1.4", "md5WithRSAEncryption"),
    ("1.2.840.113549.1.1.5", "sha1WithRSAEncryption"),
    ("1.2.840.10045.4.1", "ecdsa-with-SHA1"),
    ("1.2.840.10040.4.3", "dsa-with-sha1"),
    ("1.3.14.3.2.29", "sha1WithRSASignature"),
];

/// `security.tls.certificate-signature`: the end-entity certificate is not signed with MD2,
/// MD5 or SHA-1 (a trust anchor's self-signature is not judged: nobody verifies it).
pub async fn signature(cx: CheckContext) -> CheckResult {
    let verdicts = each_chain(&cx, |_, chain| {
        let end_entity = chain
            .first()
            .ok_or_else(|| Finding::violation("a certificate", "none"))?;
        let cert = parsed(end_entity)?;
        let oid = cert.signature_algorithm.algorithm.to_id_string();
        if let Some((_, name)) = WEAK_SIGNATURES.iter().find(|(weak, _)| *weak == oid) {
            return Err(Finding::violation(
                "a signature with SHA-256 or stronger",
                format!("{name} ({oid})"),
            ));
        }
        Ok(())
    })
    .await?;
    verdicts.finish("every service's certificate to be signed with SHA-256 or stronger")
}
