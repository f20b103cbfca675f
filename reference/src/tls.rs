//! TLS for the reference servers: a certificate generated at start (rcgen), either
//! self-signed ([`ReferenceTls::generate`], what the harness uses) or issued by a CA generated
//! with it ([`ReferenceTls::generate_with_ca`], what the [`builder`](crate::ReferenceBuilder)
//! uses), a rustls server configuration, and a client configuration that trusts exactly that
//! certificate or CA, for connections to the reference.

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
    /// What a client must trust, DER: the generated CA, or the certificate itself when it is
    /// self-signed.
    pub ca_certificate: CertificateDer<'static>,
    /// What a client must trust, PEM.
    pub ca_certificate_pem: String,
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
        Self::assemble(
            certificate.clone(),
            certificate_pem.clone(),
            key,
            certificate,
            certificate_pem,
        )
    }

    /// Generates a CA (a self-signed certificate allowed to issue, no intermediate) and a
    /// server certificate valid for `names` (DNS names or IP addresses) issued by it. Clients
    /// trust [`ca_certificate_pem`](Self::ca_certificate_pem), as they would a private CA.
    pub fn generate_with_ca(names: &[String]) -> Result<Self, TlsSetupError> {
        let ca_key = rcgen::KeyPair::generate().map_err(TlsSetupError::Certificate)?;
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new())
            .map_err(TlsSetupError::Certificate)?;
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "groupwire reference test CA");
        ca_params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let ca = ca_params
            .self_signed(&ca_key)
            .map_err(TlsSetupError::Certificate)?;
        let issuer = rcgen::Issuer::new(ca_params, ca_key);
        let key = rcgen::KeyPair::generate().map_err(TlsSetupError::Certificate)?;
        let mut params =
            rcgen::CertificateParams::new(names.to_vec()).map_err(TlsSetupError::Certificate)?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "groupwire reference");
        params.use_authority_key_identifier_extension = true;
        let leaf = params
            .signed_by(&key, &issuer)
            .map_err(TlsSetupError::Certificate)?;
        Self::assemble(
            leaf.der().clone(),
            leaf.pem(),
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            ca.der().clone(),
            ca.pem(),
        )
    }

    fn assemble(
        certificate: CertificateDer<'static>,
        certificate_pem: String,
        key: PrivateKeyDer<'static>,
        ca_certificate: CertificateDer<'static>,
        ca_certificate_pem: String,
    ) -> Result<Self, TlsSetupError> {
        let server = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(TlsSetupError::Rustls)?
            .with_no_client_auth()
            .with_single_cert(vec![certificate.clone()], key)
            .map_err(TlsSetupError::Rustls)?;
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(ca_certificate.clone())
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
            ca_certificate,
            ca_certificate_pem,
        })
    }
}
