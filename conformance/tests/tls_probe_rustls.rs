//! The TLS probe against an in-process rustls 0.23 server (implicit TLS and behind IMAP and
//! SMTP STARTTLS) and against small misbehaving servers, all on 127.0.0.1.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use groupwire_conformance::reference::tls::ReferenceTls;
use groupwire_conformance::tls_probe::{
    AlertDescription, AlertLevel, ClientHelloBuilder, ProbeError, ProbeOptions, ProbeOutcome,
    ProbeReport, ProtocolVersion, StartTls, TlsVersion, probe,
};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// The plaintext exchange a fake server performs before handing the socket to rustls.
#[derive(Clone, Copy)]
enum Prelude {
    None,
    Imap,
    Smtp,
}

async fn imap_prelude(stream: &mut TcpStream) -> std::io::Result<()> {
    stream.write_all(b"* OK fake IMAP ready\r\n").await?;
    let mut line = String::new();
    BufReader::new(&mut *stream).read_line(&mut line).await?;
    assert_eq!(line, "a STARTTLS\r\n");
    stream
        .write_all(b"a OK Begin TLS negotiation now\r\n")
        .await
}

async fn smtp_prelude(stream: &mut TcpStream) -> std::io::Result<()> {
    stream.write_all(b"220 fake ESMTP\r\n").await?;
    let mut line = String::new();
    let mut reader = BufReader::new(&mut *stream);
    reader.read_line(&mut line).await?;
    assert_eq!(line, "EHLO probe.example\r\n");
    reader
        .get_mut()
        .write_all(b"250-fake\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
        .await?;
    line.clear();
    reader.read_line(&mut line).await?;
    assert_eq!(line, "STARTTLS\r\n");
    reader
        .get_mut()
        .write_all(b"220 2.0.0 Ready to start TLS\r\n")
        .await
}

/// A rustls server with the harness's reference configuration (TLS 1.2 and 1.3).
async fn rustls_server(prelude: Prelude) -> SocketAddr {
    let tls = ReferenceTls::generate(&["localhost".to_string()]).expect("certificate");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(&tls.server));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let ready = match prelude {
                    Prelude::None => Ok(()),
                    Prelude::Imap => imap_prelude(&mut stream).await,
                    Prelude::Smtp => smtp_prelude(&mut stream).await,
                };
                if ready.is_ok() {
                    // Fails once the probe hangs up; only what rustls wrote matters.
                    let _ = acceptor.accept(stream).await;
                }
            });
        }
    });
    address
}

async fn run(address: SocketAddr, version: TlsVersion, starttls: StartTls) -> ProbeReport {
    let hello = ClientHelloBuilder::new(version)
        .server_name("localhost")
        .build();
    let options = ProbeOptions {
        starttls,
        timeout: Duration::from_secs(5),
    };
    let report = probe(address, &hello, &options).await.expect("probe ran");
    eprintln!(
        "{version}: {}\n  sent {}\n  received {}",
        report.outcome,
        report.sent_hex(),
        report.received_hex()
    );
    assert_eq!(report.sent, hello, "evidence holds the exact hello");
    report
}

fn assert_accepted(report: &ProbeReport, version: u16, suites: &[u16]) {
    match report.outcome {
        ProbeOutcome::Accepted {
            version: got,
            cipher_suite,
            hello_retry_request,
        } => {
            assert_eq!(got, ProtocolVersion(version));
            assert!(suites.contains(&cipher_suite), "suite {cipher_suite:04x}");
            assert!(!hello_retry_request);
        }
        ref other => panic!("expected acceptance of 0x{version:04x}, got {other}"),
    }
    // The evidence starts with the ServerHello record: handshake, server_hello.
    assert_eq!(report.received[0], 22);
    assert_eq!(report.received[5], 2);
}

/// rustls 0.23 answers a realistic TLS 1.0/1.1/SSL 3.0 hello (no `signature_algorithms`,
/// which only TLS 1.2 defines) with a fatal `handshake_failure` alert: it requires that
/// extension (`PeerIncompatible::SignatureAlgorithmsExtensionRequired`) before it looks at
/// the version. The record is exactly 15 0303 0002 02 28.
fn assert_handshake_failure_alert(report: &ProbeReport) {
    assert_eq!(
        report.outcome,
        ProbeOutcome::Alert {
            level: AlertLevel::Fatal,
            description: AlertDescription::HandshakeFailure
        }
    );
    assert_eq!(report.received_hex(), "15030300020228");
}

const RUSTLS_TLS12_SUITES: [u16; 6] = [0xc02b, 0xc02c, 0xcca9, 0xc02f, 0xc030, 0xcca8];
const TLS13_SUITES: [u16; 3] = [0x1301, 0x1302, 0x1303];

#[tokio::test]
async fn rustls_accepts_tls12_and_tls13() {
    let address = rustls_server(Prelude::None).await;
    let report = run(address, TlsVersion::Tls1_2, StartTls::None).await;
    assert_accepted(&report, 0x0303, &RUSTLS_TLS12_SUITES);
    let report = run(address, TlsVersion::Tls1_3, StartTls::None).await;
    assert_accepted(&report, 0x0304, &TLS13_SUITES);
    assert!(report.plaintext.is_empty());
}

#[tokio::test]
async fn rustls_refuses_tls10_tls11_and_ssl3_with_handshake_failure() {
    let address = rustls_server(Prelude::None).await;
    for version in [TlsVersion::Tls1_0, TlsVersion::Tls1_1, TlsVersion::Ssl3_0] {
        let report = run(address, version, StartTls::None).await;
        assert_handshake_failure_alert(&report);
    }
}

/// With `signature_algorithms` present, rustls reaches its version check and answers
/// `protocol_version` (`PeerIncompatible::Tls12NotOffered`), even for suites it supports.
#[tokio::test]
async fn rustls_answers_protocol_version_once_signature_algorithms_are_sent() {
    let address = rustls_server(Prelude::None).await;
    for version in [TlsVersion::Tls1_0, TlsVersion::Tls1_1] {
        let hello = ClientHelloBuilder::new(version)
            .cipher_suites(&[0xc02b, 0xc02f, 0xc013])
            .with_signature_algorithms_below_tls12()
            .build();
        let report = probe(address, &hello, &ProbeOptions::default())
            .await
            .expect("probe ran");
        eprintln!(
            "{version} + signature_algorithms: {} ({})",
            report.outcome,
            report.received_hex()
        );
        assert_eq!(
            report.outcome,
            ProbeOutcome::Alert {
                level: AlertLevel::Fatal,
                description: AlertDescription::ProtocolVersion
            }
        );
        assert_eq!(report.received_hex(), "15030300020246");
    }
}

#[tokio::test]
async fn rustls_refuses_a_tls12_offer_of_only_cbc_suites() {
    let address = rustls_server(Prelude::None).await;
    let hello = ClientHelloBuilder::new(TlsVersion::Tls1_2)
        .cipher_suites(&[0x002f, 0xc013, 0xc009, 0x000a])
        .build();
    let report = probe(address, &hello, &ProbeOptions::default())
        .await
        .expect("probe ran");
    eprintln!("CBC only: {} ({})", report.outcome, report.received_hex());
    assert_eq!(
        report.outcome,
        ProbeOutcome::Alert {
            level: AlertLevel::Fatal,
            description: AlertDescription::HandshakeFailure
        }
    );
    // One suite rustls supports is enough.
    let hello = ClientHelloBuilder::new(TlsVersion::Tls1_2)
        .cipher_suites(&[0x002f, 0xc02b])
        .build();
    let report = probe(address, &hello, &ProbeOptions::default())
        .await
        .expect("probe ran");
    assert_accepted(&report, 0x0303, &[0xc02b]);
}

#[tokio::test]
async fn probes_after_imap_starttls() {
    let address = rustls_server(Prelude::Imap).await;
    let report = run(address, TlsVersion::Tls1_2, StartTls::Imap).await;
    assert_accepted(&report, 0x0303, &RUSTLS_TLS12_SUITES);
    assert_eq!(
        report.plaintext,
        vec![
            "S: * OK fake IMAP ready",
            "C: a STARTTLS",
            "S: a OK Begin TLS negotiation now"
        ]
    );
    let report = run(address, TlsVersion::Tls1_1, StartTls::Imap).await;
    assert_handshake_failure_alert(&report);
}

#[tokio::test]
async fn probes_after_smtp_starttls() {
    let address = rustls_server(Prelude::Smtp).await;
    let smtp = StartTls::Smtp {
        ehlo_domain: "probe.example".to_string(),
    };
    let report = run(address, TlsVersion::Tls1_3, smtp.clone()).await;
    assert_accepted(&report, 0x0304, &TLS13_SUITES);
    assert_eq!(report.plaintext.len(), 7, "{:?}", report.plaintext);
    let report = run(address, TlsVersion::Tls1_0, smtp).await;
    assert_handshake_failure_alert(&report);
}

/// A server that runs `behaviour` on every connection.
async fn fake_server<F, Fut>(behaviour: F) -> SocketAddr
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(behaviour(stream));
        }
    });
    address
}

/// Reads the whole ClientHello record, so that closing afterwards is an orderly FIN (closing
/// with unread bytes makes the kernel send a reset).
async fn read_hello(stream: &mut TcpStream) {
    let mut header = [0u8; 5];
    if stream.read_exact(&mut header).await.is_ok() {
        let mut body = vec![0u8; usize::from(u16::from_be_bytes([header[3], header[4]]))];
        let _ = stream.read_exact(&mut body).await;
    }
}

async fn probe_fake(address: SocketAddr, timeout: Duration) -> ProbeReport {
    let hello = ClientHelloBuilder::new(TlsVersion::Tls1_0).build();
    let options = ProbeOptions {
        starttls: StartTls::None,
        timeout,
    };
    probe(address, &hello, &options).await.expect("probe ran")
}

#[tokio::test]
async fn a_plaintext_banner_is_not_tls() {
    let address = fake_server(|mut stream| async move {
        let _ = stream
            .write_all(b"* OK plaintext IMAP on the TLS port\r\n")
            .await;
        read_hello(&mut stream).await;
    })
    .await;
    let report = probe_fake(address, Duration::from_secs(5)).await;
    assert_eq!(report.outcome, ProbeOutcome::NotTls);
    assert!(report.received.starts_with(b"* OK"));
}

#[tokio::test]
async fn a_silent_close_is_closed_and_silence_is_a_timeout() {
    let address = fake_server(|mut stream| async move {
        read_hello(&mut stream).await;
    })
    .await;
    let report = probe_fake(address, Duration::from_secs(5)).await;
    assert_eq!(report.outcome, ProbeOutcome::Closed { reset: false });
    assert!(report.received.is_empty());

    let address = fake_server(|mut stream| async move {
        read_hello(&mut stream).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;
    let report = probe_fake(address, Duration::from_millis(300)).await;
    assert_eq!(report.outcome, ProbeOutcome::Timeout);
}

/// Closing with the hello unread makes the kernel answer with a reset (RST), not a FIN.
#[tokio::test]
async fn a_close_with_the_hello_unread_is_a_reset() {
    let address = fake_server(|stream| async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        drop(stream);
    })
    .await;
    let report = probe_fake(address, Duration::from_secs(5)).await;
    assert_eq!(report.outcome, ProbeOutcome::Closed { reset: true });
}

#[tokio::test]
async fn a_half_record_then_close_is_closed_with_the_bytes_kept() {
    let address = fake_server(|mut stream| async move {
        read_hello(&mut stream).await;
        let _ = stream
            .write_all(&[0x16, 0x03, 0x01, 0x00, 0x30, 0x02])
            .await;
    })
    .await;
    let report = probe_fake(address, Duration::from_secs(5)).await;
    assert_eq!(report.outcome, ProbeOutcome::Closed { reset: false });
    assert_eq!(report.received_hex(), "160301003002");
}

#[tokio::test]
async fn garbage_records_are_malformed() {
    let address = fake_server(|mut stream| async move {
        read_hello(&mut stream).await;
        let _ = stream.write_all(&[0x16, 0x03, 0x01, 0xff, 0xff]).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;
    let report = probe_fake(address, Duration::from_secs(5)).await;
    assert!(
        matches!(report.outcome, ProbeOutcome::Malformed(ref e) if e.offset == 3),
        "{}",
        report.outcome
    );
}

#[tokio::test]
async fn a_refused_starttls_is_a_probe_error_with_the_transcript() {
    let address = fake_server(|mut stream| async move {
        let _ = stream.write_all(b"* OK ready\r\n").await;
        let mut line = String::new();
        let _ = BufReader::new(&mut stream).read_line(&mut line).await;
        let _ = stream.write_all(b"a BAD STARTTLS not available\r\n").await;
    })
    .await;
    let hello = ClientHelloBuilder::new(TlsVersion::Tls1_2).build();
    let options = ProbeOptions {
        starttls: StartTls::Imap,
        timeout: Duration::from_secs(5),
    };
    match probe(address, &hello, &options).await {
        Err(ProbeError::StartTls { transcript, .. }) => assert_eq!(
            transcript,
            vec![
                "S: * OK ready",
                "C: a STARTTLS",
                "S: a BAD STARTTLS not available"
            ]
        ),
        other => panic!("expected a STARTTLS error, got {other:?}"),
    }
}
