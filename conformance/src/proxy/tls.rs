//! The proxy's own TLS towards the client: a throw-away CA and a leaf certificate for
//! `localhost` / `127.0.0.1` / `::1` signed by it (rcgen). The harness trusts the proxy with
//! `--ca-file` pointing at the CA's PEM.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::reference::tls::{TlsSetupError, provider};

/// The proxy's certificate material.
#[derive(Debug, Clone)]
pub struct ProxyTls {
    /// The server configuration of the client-facing leg.
    pub server: Arc<rustls::ServerConfig>,
    /// The CA certificate (PEM) that signed the leaf: what the harness's `--ca-file` names.
    pub ca_pem: String,
}

impl ProxyTls {
    /// Generates a CA and a leaf for the loopback names.
    pub fn generate() -> Result<ProxyTls, TlsSetupError> {
        let ca_key = KeyPair::generate().map_err(TlsSetupError::Certificate)?;
        let mut ca_params =
            CertificateParams::new(Vec::<String>::new()).map_err(TlsSetupError::Certificate)?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "groupwire proxy test CA");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key)
            .map_err(TlsSetupError::Certificate)?;

        let names = vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "::1".to_owned(),
        ];
        let leaf_key = KeyPair::generate().map_err(TlsSetupError::Certificate)?;
        let mut leaf_params = CertificateParams::new(names).map_err(TlsSetupError::Certificate)?;
        leaf_params
            .distinguished_name
            .push(DnType::CommonName, "groupwire proxy");
        let leaf = leaf_params
            .signed_by(&leaf_key, &ca)
            .map_err(TlsSetupError::Certificate)?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let server = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(TlsSetupError::Rustls)?
            .with_no_client_auth()
            .with_single_cert(vec![leaf.der().clone(), ca.der().clone()], key)
            .map_err(TlsSetupError::Rustls)?;
        Ok(ProxyTls {
            server: Arc::new(server),
            ca_pem: ca.pem(),
        })
    }
}
