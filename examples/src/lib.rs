//! Helpers shared by the runnable examples in this folder (run one with
//! `cargo run -p groupwire-examples --example NAME -- --help`).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod imap_idle;

use std::io;
use std::path::Path;
use std::sync::Arc;

use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

/// A TLS connector trusting the certificates in the PEM file `ca_file`, or the Mozilla root
/// set (webpki-roots) when `None`. TLS 1.2 and 1.3 only, as rustls allows nothing older.
pub fn tls_connector(ca_file: Option<&Path>) -> io::Result<TlsConnector> {
    let mut roots = RootCertStore::empty();
    match ca_file {
        Some(path) => {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect())
                .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))?;
            let (added, _ignored) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: no certificate found", path.display()),
                ));
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let config = ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// Reads a secret from the environment variable `name`; examples never take passwords on the
/// command line, where other users could see them.
pub fn secret_from_env(name: &str) -> io::Result<String> {
    std::env::var(name).map_err(|_| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("set the password in ${name}"),
        )
    })
}
