//! The reference DAV server over the network: a body over the limit is refused with 413
//! before it is read, garbage is refused, and the server keeps answering afterwards.

use std::sync::Arc;

use base64::Engine as _;
use groupwire_conformance::reference::dav::MAX_BODY;
use groupwire_conformance::reference::{Reference, ReferenceOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn exchange(reference: &Reference, request: &[u8]) -> String {
    let connector = tokio_rustls::TlsConnector::from(Arc::clone(&reference.tls.client));
    let socket = tokio::net::TcpStream::connect(reference.dav).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let mut stream = connector.connect(name, socket).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stream.read(&mut buf).await {
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
            if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
    })
    .await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn oversized_and_garbage_requests_are_refused_and_the_server_survives() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let reference = Reference::start(ReferenceOptions::default()).await.unwrap();
        let account = &reference.accounts[0];
        let auth = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", account.address, account.password));
        let big = format!(
            "PUT /dav/files/alice/big HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY + 1
        );
        let answer = exchange(&reference, big.as_bytes()).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        let answer = exchange(&reference, b"\x00\x01\x02 garbage\r\n\r\n").await;
        assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 400"), "{answer}");
        let options = format!("OPTIONS /dav/ HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\n\r\n");
        let answer = exchange(&reference, options.as_bytes()).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.to_ascii_lowercase().contains("dav: 1, 2"), "{answer}");
        let anonymous = exchange(&reference, b"PROPFIND /dav/ HTTP/1.1\r\nHost: x\r\nDepth: 0\r\n\r\n").await;
        assert!(anonymous.starts_with("HTTP/1.1 401"), "{anonymous}");
        reference.stop().await;
    });
}
