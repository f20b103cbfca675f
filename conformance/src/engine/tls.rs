//! TLS client configuration: which server certificates the harness trusts.
//!
//! TLS 1.2 and 1.3 only (rustls with the ring provider; never OpenSSL). `insecure` still
//! checks handshake signatures but accepts any certificate; reports say so in their header.

use std::path::{Path, PathBuf};
use std::sync::Arc;

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

/// Builds the client configuration for a trust setting.
pub fn client_config(trust: &TlsTrust) -> Result<Arc<ClientConfig>, TlsSetupError> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|error| TlsSetupError(format!("TLS setup: {error}")))?;
    let config = match trust {
        TlsTrust::System => {
            let roots = RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        TlsTrust::CaFile { path } => builder
            .with_root_certificates(load_ca_file(path)?)
            .with_no_client_auth(),
        TlsTrust::Insecure => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate { provider }))
            .with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

fn load_ca_file(path: &Path) -> Result<RootCertStore, TlsSetupError> {
    let pem = std::fs::read(path).map_err(|error| {
        TlsSetupError(format!("cannot read CA file {}: {error}", path.display()))
    })?;
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|error| {
            TlsSetupError(format!("bad PEM in CA file {}: {error}", path.display()))
        })?;
        roots.add(cert).map_err(|error| {
            TlsSetupError(format!("bad certificate in {}: {error}", path.display()))
        })?;
    }
    if roots.is_empty() {
        return Err(TlsSetupError(format!(
            "CA file {} holds no certificate",
            path.display()
        )));
    }
    Ok(roots)
}

/// The server name to verify and send as SNI: a DNS name or an IP address.
pub fn server_name(host: &str) -> Result<ServerName<'static>, TlsSetupError> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(host.to_owned())
        .map_err(|error| TlsSetupError(format!("invalid TLS server name {host:?}: {error}")))
}

#[derive(Debug)]
struct AcceptAnyCertificate {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
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
