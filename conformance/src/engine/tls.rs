//! TLS client configuration: which server certificates the harness trusts.
//!
//! TLS 1.2 and 1.3 only (rustls with the ring provider; never OpenSSL). `insecure` still
//! checks handshake signatures but accepts any certificate; reports say so in their header.
//!
//! With a CA file, a server certificate is trusted when it chains to a certificate of the file
//! (webpki), or, failing that, when it *is* one of the file's certificates, byte for byte
//! (pinning): a self-signed certificate made by `openssl req -x509` carries `CA:TRUE`, which
//! webpki refuses as an end-entity certificate (`CaUsedAsEndEntity`) although the user named
//! exactly that certificate. A pinned certificate's name and validity are not checked (the
//! user vouched for those very bytes); the handshake signature still is, with its key. Every
//! pinned or rejected certificate is written to a [`TrustLog`], so the preflight can say
//! which certificate failed and reports can say that trust came from pinning.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use serde::Serialize;

/// Which certificates the harness accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "trust", rename_all = "kebab-case")]
pub enum TlsTrust {
    /// The Mozilla root programme (webpki-roots).
    System,
    /// Only certificates chaining to the CA certificates in this PEM file.
    CaFile {
        /// The PEM file.
        path: PathBuf,
    },
    /// Any certificate (stamped on every report).
    Insecure,
}

impl TlsTrust {
    /// `system`, `ca-file` or `insecure`.
    pub fn name(&self) -> &'static str {
        match self {
            TlsTrust::System => "system",
            TlsTrust::CaFile { .. } => "ca-file",
            TlsTrust::Insecure => "insecure",
        }
    }
}

/// Why a TLS configuration could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSetupError(pub String);

impl std::fmt::Display for TlsSetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsSetupError {}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A server certificate the verifier refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedCertificate {
    /// The name the harness expected (`mail.example.org`, `127.0.0.1`).
    pub server_name: String,
    /// The end-entity certificate the server presented (DER).
    pub certificate: Vec<u8>,
    /// Why webpki refused it (`invalid peer certificate: UnknownIssuer`).
    pub error: String,
}

/// A server certificate trusted because the CA file holds exactly that certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedCertificate {
    /// The name the harness connected to.
    pub server_name: String,
    /// The certificate (DER).
    pub certificate: Vec<u8>,
    /// Why webpki alone refused it (`CaUsedAsEndEntity` for a self-signed `CA:TRUE` one).
    pub webpki_error: String,
}

#[derive(Debug, Default)]
struct TrustLogState {
    pinned: Vec<PinnedCertificate>,
    rejected: Option<RejectedCertificate>,
}

/// What the certificate verifier decided beyond a plain webpki success: certificates trusted by
/// pinning, and the last certificate it refused. Shared by every connection of a run.
#[derive(Debug, Default)]
pub struct TrustLog {
    state: Mutex<TrustLogState>,
}

impl TrustLog {
    fn with<R>(&self, f: impl FnOnce(&mut TrustLogState) -> R) -> R {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The certificates trusted by pinning so far, each (server name, certificate) once.
    pub fn pinned(&self) -> Vec<PinnedCertificate> {
        self.with(|state| state.pinned.clone())
    }

    /// The last certificate refused since the previous call, if any.
    pub fn take_rejection(&self) -> Option<RejectedCertificate> {
        self.with(|state| state.rejected.take())
    }

    fn pin(&self, pinned: PinnedCertificate) {
        self.with(|state| {
            let known = state.pinned.iter().any(|p| {
                p.server_name == pinned.server_name && p.certificate == pinned.certificate
            });
            if !known {
                state.pinned.push(pinned);
            }
        });
    }

    fn reject(&self, rejected: RejectedCertificate) {
        self.with(|state| state.rejected = Some(rejected));
    }
}

/// Builds the client configuration for a trust setting.
pub fn client_config(trust: &TlsTrust) -> Result<Arc<ClientConfig>, TlsSetupError> {
    client_config_with_log(trust).map(|(config, _)| config)
}

/// Builds the client configuration for a trust setting, and the [`TrustLog`] its certificate
/// verifier writes to.
pub fn client_config_with_log(
    trust: &TlsTrust,
) -> Result<(Arc<ClientConfig>, Arc<TrustLog>), TlsSetupError> {
    let provider = provider();
    let log = Arc::new(TrustLog::default());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|error| TlsSetupError(format!("TLS setup: {error}")))?;
    let (roots, pins) = match trust {
        TlsTrust::System => (
            RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            },
            Vec::new(),
        ),
        TlsTrust::CaFile { path } => load_ca_file(path)?,
        TlsTrust::Insecure => {
            let config = builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate::new(provider)))
                .with_no_client_auth();
            return Ok((Arc::new(config), log));
        }
    };
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map_err(|error| TlsSetupError(format!("TLS setup: {error}")))?;
    let verifier = LoggingVerifier {
        webpki,
        pins,
        log: log.clone(),
    };
    let config = builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok((Arc::new(config), log))
}

/// The CA file's certificates as trust anchors, and the same certificates for pinning.
fn load_ca_file(
    path: &Path,
) -> Result<(RootCertStore, Vec<CertificateDer<'static>>), TlsSetupError> {
    let pem = std::fs::read(path).map_err(|error| {
        TlsSetupError(format!("cannot read CA file {}: {error}", path.display()))
    })?;
    let mut roots = RootCertStore::empty();
    let mut pins = Vec::new();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|error| {
            TlsSetupError(format!("bad PEM in CA file {}: {error}", path.display()))
        })?;
        roots.add(cert.clone()).map_err(|error| {
            TlsSetupError(format!("bad certificate in {}: {error}", path.display()))
        })?;
        pins.push(cert);
    }
    if roots.is_empty() {
        return Err(TlsSetupError(format!(
            "CA file {} holds no certificate",
            path.display()
        )));
    }
    Ok((roots, pins))
}

/// webpki first; on failure, a certificate of the CA file that is byte-for-byte the server's
/// (pinning). Handshake signatures are always verified with the presented certificate's key.
#[derive(Debug)]
struct LoggingVerifier {
    webpki: Arc<WebPkiServerVerifier>,
    pins: Vec<CertificateDer<'static>>,
    log: Arc<TrustLog>,
}

impl ServerCertVerifier for LoggingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let error = match self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(verified) => return Ok(verified),
            Err(error) => error,
        };
        let name = server_name.to_str().into_owned();
        if self
            .pins
            .iter()
            .any(|pin| pin.as_ref() == end_entity.as_ref())
        {
            self.log.pin(PinnedCertificate {
                server_name: name,
                certificate: end_entity.to_vec(),
                webpki_error: error.to_string(),
            });
            return Ok(ServerCertVerified::assertion());
        }
        self.log.reject(RejectedCertificate {
            server_name: name,
            certificate: end_entity.to_vec(),
            error: error.to_string(),
        });
        Err(error)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// What a certificate says about itself, for messages and reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateInfo {
    /// The subject (`CN=localhost`).
    pub subject: String,
    /// The issuer.
    pub issuer: String,
    /// Subject alternative names (`DNS:localhost`, `IP:127.0.0.1`).
    pub sans: Vec<String>,
    /// Start of validity.
    pub not_before: String,
    /// End of validity.
    pub not_after: String,
    /// Whether basic constraints say `CA:TRUE`.
    pub ca: bool,
    /// Whether subject and issuer are the same.
    pub self_signed: bool,
}

impl CertificateInfo {
    /// Parses a DER certificate (x509-parser); `None` when it does not parse.
    pub fn parse(der: &[u8]) -> Option<CertificateInfo> {
        use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};
        let (_, cert) = X509Certificate::from_der(der).ok()?;
        let mut sans = Vec::new();
        if let Ok(Some(extension)) = cert.subject_alternative_name() {
            for name in &extension.value.general_names {
                sans.push(match name {
                    GeneralName::DNSName(dns) => format!("DNS:{dns}"),
                    GeneralName::IPAddress(bytes) => format!("IP:{}", show_ip(bytes)),
                    GeneralName::RFC822Name(mail) => format!("email:{mail}"),
                    GeneralName::URI(uri) => format!("URI:{uri}"),
                    other => other.to_string(),
                });
            }
        }
        let ca = matches!(cert.basic_constraints(), Ok(Some(constraints)) if constraints.value.ca);
        let subject = cert.subject().to_string();
        let issuer = cert.issuer().to_string();
        Some(CertificateInfo {
            self_signed: subject == issuer,
            subject,
            issuer,
            sans,
            not_before: cert.validity().not_before.to_string(),
            not_after: cert.validity().not_after.to_string(),
            ca,
        })
    }

    /// `subject CN=x, issuer CN=y (self-signed), SANs DNS:x, valid a to b` on several lines,
    /// each indented by `indent`.
    pub fn describe(&self, indent: &str) -> String {
        let issuer = if self.self_signed {
            format!(
                "{} (self-signed{})",
                self.issuer,
                if self.ca { ", CA:TRUE" } else { "" }
            )
        } else {
            self.issuer.clone()
        };
        let sans = if self.sans.is_empty() {
            "none".to_owned()
        } else {
            self.sans.join(", ")
        };
        format!(
            "{indent}subject: {}\n{indent}issuer:  {issuer}\n{indent}SANs:    {sans}\n{indent}valid:   {} to {}",
            self.subject, self.not_before, self.not_after
        )
    }
}

fn show_ip(bytes: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
        std::net::Ipv4Addr::from(v4).to_string()
    } else if let Ok(v6) = <[u8; 16]>::try_from(bytes) {
        std::net::Ipv6Addr::from(v6).to_string()
    } else {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The server name to verify and send as SNI: a DNS name or an IP address.
pub fn server_name(host: &str) -> Result<ServerName<'static>, TlsSetupError> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(host.to_owned())
        .map_err(|error| TlsSetupError(format!("invalid TLS server name {host:?}: {error}")))
}

/// Where a recording [`AcceptAnyCertificate`] leaves the chain it was shown (end entity
/// first).
pub type SharedChain = Arc<Mutex<Option<Vec<CertificateDer<'static>>>>>;

/// Accepts any certificate (`--insecure`, and the security checks that must see a chain
/// whatever it is); the handshake signatures are still verified with the presented key.
#[derive(Debug)]
pub struct AcceptAnyCertificate {
    provider: Arc<CryptoProvider>,
    record: Option<SharedChain>,
}

impl AcceptAnyCertificate {
    /// A verifier that accepts any certificate.
    pub fn new(provider: Arc<CryptoProvider>) -> Self {
        Self {
            provider,
            record: None,
        }
    }

    /// A verifier that accepts any certificate and keeps the chain it was shown in `chain`.
    pub fn recording(provider: Arc<CryptoProvider>, chain: SharedChain) -> Self {
        Self {
            provider,
            record: Some(chain),
        }
    }
}

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Some(record) = &self.record {
            let mut chain = vec![end_entity.clone().into_owned()];
            chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
            *record.lock().unwrap_or_else(PoisonError::into_inner) = Some(chain);
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
