//! The proxy's driver over in-memory pipes (no network): real TLS on both legs through
//! STARTTLS, a scripted upstream, and the keep-pretls-bytes fault visible end to end.

use std::sync::Arc;

use groupwire_conformance::engine::Protocol;
use groupwire_conformance::engine::{TlsTrust, client_config, server_name};
use groupwire_conformance::proxy::relay::{LegTls, Start, relay};
use groupwire_conformance::proxy::{Credentials, Fault, ProxyTls, machine_for};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, duplex};

async fn line<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> String {
    let mut text = String::new();
    reader.read_line(&mut text).await.unwrap();
    text
}

/// A STARTTLS submission server that answers whatever arrives first over TLS with 250 and
/// QUIT with 221; returns the lines it read over TLS.
async fn upstream(stream: DuplexStream) -> Vec<String> {
    let tls = groupwire_conformance::reference::generate_tls().unwrap();
    let mut plain = BufReader::new(stream);
    plain
        .get_mut()
        .write_all(b"220 up ESMTP\r\n")
        .await
        .unwrap();
    assert!(line(&mut plain).await.starts_with("EHLO"));
    plain
        .get_mut()
        .write_all(b"250-up\r\n250 STARTTLS\r\n")
        .await
        .unwrap();
    assert_eq!(line(&mut plain).await, "STARTTLS\r\n");
    plain.get_mut().write_all(b"220 go\r\n").await.unwrap();
    // A conforming server: whatever followed STARTTLS in the plaintext buffer is dropped.
    let stream = plain.into_inner();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(&tls.server));
    let mut secure = BufReader::new(acceptor.accept(stream).await.unwrap());
    let mut seen = Vec::new();
    loop {
        let text = line(&mut secure).await;
        if text.is_empty() {
            return seen;
        }
        seen.push(text.clone());
        let reply: &[u8] = if text.starts_with("QUIT") {
            b"221 bye\r\n"
        } else {
            b"250 ok\r\n"
        };
        secure.get_mut().write_all(reply).await.unwrap();
        if text.starts_with("QUIT") {
            let _ = secure.get_mut().shutdown().await;
            return seen;
        }
    }
}

/// Runs a client that pipelines `NOOP injected` behind STARTTLS through a proxy with
/// `fault`; returns (lines the upstream read over TLS, replies the client got over TLS).
async fn session(fault: &str) -> (Vec<String>, Vec<String>) {
    let proxy_tls = ProxyTls::generate().unwrap();
    let (client_end, proxy_client_end) = duplex(64 * 1024);
    let (proxy_upstream_end, upstream_end) = duplex(64 * 1024);
    let legs = LegTls {
        server: Arc::clone(&proxy_tls.server),
        client: client_config(&TlsTrust::Insecure).unwrap(),
        upstream_name: server_name("localhost").unwrap(),
    };
    let machine = machine_for(
        Protocol::Smtp,
        &Fault::parse(fault).unwrap(),
        &Credentials::default(),
        false,
    );
    let proxy = tokio::spawn(relay(
        proxy_client_end,
        proxy_upstream_end,
        machine,
        legs,
        Start::Plain,
    ));
    let server = tokio::spawn(upstream(upstream_end));

    let mut client = BufReader::new(client_end);
    assert_eq!(line(&mut client).await, "220 up ESMTP\r\n");
    client.get_mut().write_all(b"EHLO c\r\n").await.unwrap();
    assert_eq!(line(&mut client).await, "250-up\r\n");
    assert_eq!(line(&mut client).await, "250 STARTTLS\r\n");
    client
        .get_mut()
        .write_all(b"STARTTLS\r\nNOOP injected\r\n")
        .await
        .unwrap();
    assert_eq!(line(&mut client).await, "220 go\r\n");
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(proxy_tls.ca_pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let mut secure = BufReader::new(
        connector
            .connect(server_name("127.0.0.1").unwrap(), client.into_inner())
            .await
            .expect("the proxy's certificate chains to its CA"),
    );
    secure.get_mut().write_all(b"QUIT\r\n").await.unwrap();
    let mut replies = Vec::new();
    loop {
        let text = line(&mut secure).await;
        if text.is_empty() {
            break;
        }
        let done = text.starts_with("221");
        replies.push(text);
        if done {
            break;
        }
    }
    let seen = server.await.unwrap();
    proxy.abort();
    (seen, replies)
}

#[tokio::test]
async fn none_relays_through_tls_on_both_legs_and_the_upstream_drops_the_plaintext() {
    let (seen, replies) = session("none").await;
    assert_eq!(seen, ["QUIT\r\n"]);
    assert_eq!(replies, ["221 bye\r\n"]);
}

#[tokio::test]
async fn keep_pretls_bytes_makes_the_upstream_execute_the_injected_command_over_tls() {
    let (seen, replies) = session("keep-pretls-bytes").await;
    assert_eq!(seen, ["NOOP injected\r\n", "QUIT\r\n"]);
    assert_eq!(replies, ["250 ok\r\n", "221 bye\r\n"]);
}
