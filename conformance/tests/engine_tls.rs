//! TLS in the connection layer: implicit TLS and STARTTLS upgrades with a CA file, the
//! negotiated version reported, untrusted certificates refused under `system` trust and
//! accepted under `insecure`, and bytes injected before the handshake detected.

use std::sync::Arc;
use std::time::Duration;

use groupwire_conformance::engine::{
    ConnError, ConnSettings, Connection, Masker, TlsTrust, Transcript, client_config,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

struct Pki {
    acceptor: TlsAcceptor,
    ca_file: std::path::PathBuf,
}

fn pki(name: &str) -> Pki {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert = CertificateDer::from(certified.cert.der().to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    let dir = std::env::temp_dir().join(format!("gw-engine-tls-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, certified.cert.pem()).unwrap();
    Pki {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        ca_file,
    }
}

/// `implicit`: TLS first, then greeting. Otherwise a STARTTLS dialogue first; `inject` adds a
/// line after the go-ahead, before the handshake (the attack RFC 3207 §4.2 warns about).
async fn server(acceptor: TlsAcceptor, implicit: bool, inject: bool) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if !implicit {
                    socket.write_all(b"* OK plain\r\n").await.unwrap();
                    let mut reader = BufReader::new(&mut socket);
                    let mut line = String::new();
                    reader.read_line(&mut line).await.unwrap();
                    let reply: &[u8] = if inject {
                        b"a OK begin TLS\r\n* OK injected\r\n"
                    } else {
                        b"a OK begin TLS\r\n"
                    };
                    socket.write_all(reply).await.unwrap();
                }
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let _ = tls.write_all(b"* OK secure\r\n").await;
                let _ = tls.flush().await;
                let mut buf = [0u8; 64];
                let _ = tokio::io::AsyncReadExt::read(&mut tls, &mut buf).await;
            });
        }
    });
    port
}

fn settings(trust: &TlsTrust) -> ConnSettings {
    ConnSettings {
        tls: client_config(trust).unwrap(),
        max_buffer: 1 << 16,
        io_timeout: Duration::from_secs(5),
    }
}

fn transcript() -> Transcript {
    Transcript::new(Arc::new(Masker::default()), 1 << 16)
}

#[tokio::test]
async fn implicit_tls_with_ca_file_reports_the_version() {
    let pki = pki("implicit");
    let port = server(pki.acceptor.clone(), true, false).await;
    let trust = TlsTrust::CaFile {
        path: pki.ca_file.clone(),
    };
    let log = transcript();
    let mut conn = Connection::connect("127.0.0.1", port, true, &settings(&trust), log.clone(), 1)
        .await
        .unwrap();
    assert!(conn.is_tls());
    assert_eq!(conn.tls_version(), Some("TLSv1.3"));
    assert_eq!(conn.read_line().await.unwrap(), b"* OK secure\r\n");
    let notes: Vec<String> = log
        .entries()
        .iter()
        .map(|e| String::from_utf8_lossy(&e.bytes).into_owned())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("TLS established: TLSv1.3")),
        "{notes:?}"
    );
}

#[tokio::test]
async fn untrusted_certificate_is_refused_by_system_trust_and_accepted_when_insecure() {
    let pki = pki("untrusted");
    let port = server(pki.acceptor.clone(), true, false).await;
    let error = Connection::connect(
        "127.0.0.1",
        port,
        true,
        &settings(&TlsTrust::System),
        transcript(),
        1,
    )
    .await
    .unwrap_err();
    match error {
        ConnError::Tls(reason) => assert!(reason.contains("certificate"), "{reason}"),
        other => panic!("expected a TLS error, got {other:?}"),
    }
    let mut conn = Connection::connect(
        "127.0.0.1",
        port,
        true,
        &settings(&TlsTrust::Insecure),
        transcript(),
        1,
    )
    .await
    .unwrap();
    assert_eq!(conn.read_line().await.unwrap(), b"* OK secure\r\n");
}

#[tokio::test]
async fn starttls_upgrade_and_injection_detection() {
    let pki = pki("starttls");
    let trust = TlsTrust::CaFile {
        path: pki.ca_file.clone(),
    };
    let port = server(pki.acceptor.clone(), false, false).await;
    let mut conn =
        Connection::connect("127.0.0.1", port, false, &settings(&trust), transcript(), 1)
            .await
            .unwrap();
    assert!(!conn.is_tls());
    assert_eq!(conn.read_line().await.unwrap(), b"* OK plain\r\n");
    conn.send(b"a STARTTLS\r\n").await.unwrap();
    assert_eq!(conn.read_line().await.unwrap(), b"a OK begin TLS\r\n");
    conn.start_tls().await.unwrap();
    assert!(conn.is_tls());
    assert_eq!(conn.read_line().await.unwrap(), b"* OK secure\r\n");

    let port = server(pki.acceptor.clone(), false, true).await;
    let mut conn =
        Connection::connect("127.0.0.1", port, false, &settings(&trust), transcript(), 1)
            .await
            .unwrap();
    conn.read_line().await.unwrap();
    conn.send(b"a STARTTLS\r\n").await.unwrap();
    // Wait until the injected line has arrived with the go-ahead.
    while !conn.buffered().ends_with(b"injected\r\n") {
        conn.read_more().await.unwrap();
    }
    assert_eq!(conn.read_line().await.unwrap(), b"a OK begin TLS\r\n");
    assert_eq!(
        conn.start_tls().await,
        Err(ConnError::BytesBeforeHandshake(15))
    );
}

#[test]
fn a_ca_file_without_certificates_is_a_setup_error() {
    let dir = std::env::temp_dir().join(format!("gw-engine-tls-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("empty.pem");
    std::fs::write(&path, "not a certificate\n").unwrap();
    let error = client_config(&TlsTrust::CaFile { path }).unwrap_err();
    assert!(error.0.contains("holds no certificate"), "{error}");
}

#[tokio::test]
async fn plain_text_on_an_implicit_tls_port_is_a_tls_error_not_a_hang() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let _ = socket
            .write_all(b"* OK IMAP4rev2 plain text here\r\n")
            .await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    });
    let started = std::time::Instant::now();
    let log = transcript();
    let error = Connection::connect(
        "127.0.0.1",
        port,
        true,
        &settings(&TlsTrust::Insecure),
        log.clone(),
        1,
    )
    .await
    .unwrap_err();
    assert!(matches!(error, ConnError::Tls(_)), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    let notes: Vec<String> = log
        .entries()
        .iter()
        .map(|e| String::from_utf8_lossy(&e.bytes).into_owned())
        .collect();
    assert!(
        notes.iter().any(|n| n.starts_with("TLS handshake failed")),
        "{notes:?}"
    );
}

static TLS_CHECKS: [groupwire_conformance::engine::Check; 1] =
    [groupwire_conformance::engine::Check {
        id: "imap.tls.greeting",
        protocol: groupwire_conformance::engine::Protocol::Imap,
        title: "greets over TLS",
        rfc: groupwire_conformance::engine::RfcRef::new(9051, "7.1"),
        level: groupwire_conformance::engine::Level::Must,
        scope: groupwire_conformance::engine::Scope::Implementation,
        quote: "q",
        profiles: &[],
        needs: &[],
        broken_by: &[],
        accounts: 0,
        run: |cx| {
            Box::pin(async move {
                let mut conn = cx.connect().await?;
                let line = conn.read_line().await?;
                groupwire_conformance::engine::ensure(
                    line == b"* OK secure\r\n",
                    "* OK secure",
                    || String::from_utf8_lossy(&line).into_owned(),
                )
            })
        },
    }];

#[tokio::test]
async fn a_whole_run_reports_the_tls_version_and_stamps_insecure_trust() {
    use groupwire_conformance::engine::{NoProgress, Protocol, Registry, Status, Suite};
    use groupwire_conformance::profile::Profile;
    use groupwire_conformance::report::{self, Format};
    use groupwire_conformance::run::RunPlan;
    use groupwire_conformance::target::{Endpoint, Target};

    let pki = pki("run");
    let port = server(pki.acceptor.clone(), true, false).await;
    let registry = Registry::new().with(Suite {
        protocol: Protocol::Imap,
        probe: None,
        cleanup: None,
        checks: &TLS_CHECKS,
    });
    let mut target = Target::empty("tls run");
    target.imap = Some(Endpoint::parse(&format!("imaps://127.0.0.1:{port}")).unwrap());
    target.tls = TlsTrust::Insecure;
    let plan = RunPlan::new(target, Profile::builtin("mail").unwrap());
    let report = plan.run(&registry, Arc::new(NoProgress)).await.unwrap();
    assert_eq!(report.checks[0].status, Status::Pass);
    assert_eq!(
        report.checks[0].evidence.tls_version.as_deref(),
        Some("TLSv1.3")
    );
    assert_eq!(report.target.tls_versions, ["TLSv1.3"]);
    assert!(report.target.tls_insecure);
    assert_eq!(report.exit_code(), 0);
    let text = report::render(&report, Format::Text, false);
    assert!(text.contains("TLS trust: insecure (TLSv1.3)"), "{text}");
    assert!(text.contains("WARNING: certificates were not verified"));
    assert_eq!(text.lines().last(), Some("1 passed, 0 failed, 0 skipped"));

    // The same server under system trust: the preflight refuses the certificate once, names
    // it, and no check runs (exit 3).
    let mut target = Target::empty("tls run");
    target.imap = Some(Endpoint::parse(&format!("imaps://127.0.0.1:{port}")).unwrap());
    let plan = RunPlan::new(target, Profile::builtin("mail").unwrap());
    let report = plan.run(&registry, Arc::new(NoProgress)).await.unwrap();
    assert!(report.checks.is_empty());
    assert_eq!(report.exit_code(), 3);
    let failure = report.preflight.as_ref().unwrap();
    let message = failure.render();
    assert!(message.contains("is not trusted"), "{message}");
    assert!(
        message.contains("--ca-file") && message.contains("--insecure"),
        "{message}"
    );
    let certificate = failure.certificate.as_ref().unwrap();
    assert!(
        certificate.sans.iter().any(|san| san == "IP:127.0.0.1"),
        "{certificate:?}"
    );
    assert!(message.contains("subject:"), "{message}");
}
