//! `--ca-file` with the server's own self-signed certificate carrying `CA:TRUE` (what
//! `openssl req -x509` makes by default): webpki refuses it as an end-entity certificate
//! (`CaUsedAsEndEntity`), but the user named exactly that certificate, so it is trusted by
//! pinning, and the report says so. A different certificate in the file is still refused.

use std::sync::Arc;
use std::time::Duration;

use groupwire_conformance::engine::{
    Check, CheckContext, CheckResult, ConnSettings, Connection, Level, Masker, NoProgress,
    Protocol, Registry, RfcRef, Scope, Suite, TlsTrust, Transcript, client_config_with_log,
};
use groupwire_conformance::profile::Profile;
use groupwire_conformance::report::{self, Format};
use groupwire_conformance::run::RunPlan;
use groupwire_conformance::target::{Endpoint, Target};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// A self-signed certificate for 127.0.0.1 with `CA:TRUE`: (PEM, DER, key DER).
fn ca_true_certificate() -> (String, Vec<u8>, Vec<u8>) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "pinning test");
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), cert.der().to_vec(), key.serialize_der())
}

/// The same kind of certificate made by `openssl req -x509` (CA:TRUE by default), when the
/// openssl command is installed: (PEM, DER, key DER).
fn openssl_certificate(dir: &std::path::Path) -> Option<(String, Vec<u8>, Vec<u8>)> {
    let cert = dir.join("openssl-cert.pem");
    let key = dir.join("openssl-key.pem");
    let status = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .ok()?;
    if !status.status.success() {
        return None;
    }
    let pem = std::fs::read_to_string(&cert).ok()?;
    let der = rustls::pki_types::pem::PemObject::from_pem_slice(pem.as_bytes())
        .map(|c: CertificateDer<'static>| c.to_vec())
        .ok()?;
    let key_pem = std::fs::read(&key).ok()?;
    let key_der: PrivateKeyDer<'static> =
        rustls::pki_types::pem::PemObject::from_pem_slice(&key_pem).ok()?;
    Some((pem, der, key_der.secret_der().to_vec()))
}

async fn tls_server(der: Vec<u8>, key: Vec<u8>) -> u16 {
    let key = PrivateKeyDer::try_from(key)
        .unwrap_or_else(|_| PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(Vec::new())));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![CertificateDer::from(der)], key)
    .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(socket).await {
                    let _ = tls.write_all(b"* OK secure\r\n").await;
                    let _ = tls.flush().await;
                    let mut buf = [0u8; 64];
                    let _ = tokio::io::AsyncReadExt::read(&mut tls, &mut buf).await;
                }
            });
        }
    });
    port
}

fn dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gw-pinning-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn connect(port: u16, ca_file: &std::path::Path) -> (Result<(), String>, Vec<String>) {
    let (tls, log) = client_config_with_log(&TlsTrust::CaFile {
        path: ca_file.to_owned(),
    })
    .unwrap();
    let settings = ConnSettings {
        tls,
        max_buffer: 1 << 16,
        io_timeout: Duration::from_secs(5),
    };
    let transcript = Transcript::new(Arc::new(Masker::default()), 1 << 16);
    let result = match Connection::connect("127.0.0.1", port, true, &settings, transcript, 1).await
    {
        Ok(mut conn) => conn
            .read_line()
            .await
            .map(|_| ())
            .map_err(|error| error.to_string()),
        Err(error) => Err(error.to_string()),
    };
    let pinned = log
        .pinned()
        .iter()
        .map(|p| format!("{} {}", p.server_name, p.webpki_error))
        .collect();
    (result, pinned)
}

#[tokio::test]
async fn a_ca_true_self_signed_certificate_named_in_the_ca_file_is_pinned() {
    let dir = dir("rcgen");
    let (pem, der, key) = ca_true_certificate();
    let ca_file = dir.join("server.pem");
    std::fs::write(&ca_file, &pem).unwrap();
    let port = tls_server(der, key).await;
    let (result, pinned) = connect(port, &ca_file).await;
    assert_eq!(result, Ok(()));
    assert_eq!(pinned.len(), 1, "{pinned:?}");
    assert!(pinned[0].contains("CaUsedAsEndEntity"), "{pinned:?}");

    // Another CA:TRUE certificate in the file: not the server's, not its issuer: refused.
    let (other, _, _) = ca_true_certificate();
    let other_file = dir.join("other.pem");
    std::fs::write(&other_file, other).unwrap();
    let (result, pinned) = connect(port, &other_file).await;
    assert!(result.unwrap_err().contains("TLS handshake failed"));
    assert!(pinned.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_openssl_req_x509_certificate_is_pinned() {
    let dir = dir("openssl");
    let Some((pem, der, key)) = openssl_certificate(&dir) else {
        eprintln!("openssl is not installed: nothing to compare with");
        return;
    };
    let info = groupwire_conformance::engine::CertificateInfo::parse(&der).unwrap();
    assert!(
        info.ca,
        "openssl req -x509 makes CA:TRUE certificates: {info:?}"
    );
    let ca_file = dir.join("cert.pem");
    std::fs::write(&ca_file, &pem).unwrap();
    let port = tls_server(der, key).await;
    let (result, pinned) = connect(port, &ca_file).await;
    assert_eq!(result, Ok(()));
    assert_eq!(pinned.len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

static PINNED_CHECK: [Check; 1] = [Check {
    id: "imap.t.tls",
    protocol: Protocol::Imap,
    title: "title",
    rfc: RfcRef::new(8314, "3"),
    level: Level::Must,
    scope: Scope::Implementation,
    quote: "q",
    profiles: &[],
    needs: &[],
    broken_by: &[],
    accounts: 0,
    run: |cx| Box::pin(greets(cx)),
}];

async fn greets(cx: CheckContext) -> CheckResult {
    let mut conn = cx.connect().await?;
    conn.read_line().await?;
    Ok(())
}

#[tokio::test]
async fn the_report_says_trust_came_from_pinning() {
    let dir = dir("report");
    let (pem, der, key) = ca_true_certificate();
    let ca_file = dir.join("server.pem");
    std::fs::write(&ca_file, &pem).unwrap();
    let port = tls_server(der, key).await;
    let registry = Registry::new().with(Suite {
        protocol: Protocol::Imap,
        probe: None,
        cleanup: None,
        checks: &PINNED_CHECK,
    });
    let mut target = Target::empty("pinned");
    target.imap = Some(Endpoint::parse(&format!("imaps://127.0.0.1:{port}")).unwrap());
    target.tls = TlsTrust::CaFile { path: ca_file };
    let report = RunPlan::new(target, Profile::builtin("mail").unwrap())
        .run(&registry, Arc::new(NoProgress))
        .await
        .unwrap();
    assert_eq!(
        report.exit_code(),
        0,
        "{}",
        report::render(&report, Format::Text, false)
    );
    assert_eq!(report.target.tls_pinned.len(), 1);
    let text = report::render(&report, Format::Text, false);
    assert!(
        text.contains("TLS pinned: 127.0.0.1: CN=pinning test"),
        "{text}"
    );
    assert!(text.contains("CaUsedAsEndEntity"), "{text}");
    let json = report::render(&report, Format::Json, false);
    assert!(json.contains("\"tls_pinned\""), "{json}");
    assert!(report::render(&report, Format::Html, false).contains("TLS pinned"));
    let _ = std::fs::remove_dir_all(&dir);
}
