//! TLS for the reference servers: a self-signed certificate generated at start (rcgen), a
//! rustls server configuration, and a client configuration that trusts exactly that
//! certificate, for the harness's own connections to the reference.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The reference deployment's TLS material.
#[derive(Debug, Clone)]
pub struct ReferenceTls {
    /// The server configuration every reference listener uses.
    pub server: Arc<rustls::ServerConfig>,
    /// A client configuration trusting only the generated certificate.
    pub client: Arc<rustls::ClientConfig>,
    /// The generated certificate, DER.
    pub certificate: CertificateDer<'static>,
    /// The generated certificate, PEM, for tools such as curl (`--cacert`).
    pub certificate_pem: String,
}

/// Why TLS setup failed.
#[derive(Debug)]
pub enum TlsSetupError {
    /// Certificate generation failed.
    Certificate(rcgen::Error),
    /// rustls refused the configuration.
    Rustls(rustls::Error),
}

impl std::fmt::Display for TlsSetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TlsSetupError::Certificate(e) => write!(f, "certificate generation failed: {e}"),
            TlsSetupError::Rustls(e) => write!(f, "TLS configuration failed: {e}"),
        }
    }
}

impl std::error::Error for TlsSetupError {}

/// The crypto provider used throughout the harness (ring; never OpenSSL).
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl ReferenceTls {
    /// Generates a certificate valid for `names` (DNS names or IP addresses) and the
    /// configurations around it.
    pub fn generate(names: &[String]) -> Result<Self, TlsSetupError> {
        let certified = rcgen::generate_simple_self_signed(names.to_vec())
            .map_err(TlsSetupError::Certificate)?;
        let certificate = certified.cert.der().clone();
        let certificate_pem = certified.cert.pem();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            certified.signing_key.serialize_der(),
        ));
        let server = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(TlsSetupError::Rustls)?
            .with_no_client_auth()
            .with_single_cert(vec![certificate.clone()], key)
            .map_err(TlsSetupError::Rustls)?;
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(certificate.clone())
            .map_err(TlsSetupError::Rustls)?;
        let client = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(TlsSetupError::Rustls)?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Self {
            server: Arc::new(server),
            client: Arc::new(client),
            certificate,
            certificate_pem,
        })
    }
}
