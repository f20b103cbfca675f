//! The DAV suites' HTTP client (`engine::http`) against small hyper servers on 127.0.0.1:
//! Basic first, Digest when the server offers only Digest, keep-alive, redirects returned,
//! and the exact bytes in the transcript with the Authorization value masked.

use std::convert::Infallible;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use groupwire_conformance::engine::http::{HttpClient, HttpRequest};
use groupwire_conformance::engine::{
    CheckContext, ConnSettings, Direction, Protocol, RunEnv, TlsTrust, client_config,
};
use groupwire_conformance::target::Target;
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// A canned answer: status and header fields.
type Answer = (u16, Vec<(&'static str, &'static str)>);

/// Serves `answer` (given the request's Authorization value and path) on 127.0.0.1; returns
/// the port and a counter of accepted connections.
async fn server(answer: fn(Option<&str>, &str) -> Answer) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&connections);
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request: http::Request<_>| {
                    let authorization = request
                        .headers()
                        .get(http::header::AUTHORIZATION)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let (status, headers) = answer(authorization.as_deref(), request.uri().path());
                    let mut response = http::Response::new(Full::new(Bytes::from_static(b"body")));
                    *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
                    for (name, value) in headers {
                        response.headers_mut().append(
                            http::HeaderName::from_static(name),
                            http::HeaderValue::from_static(value),
                        );
                    }
                    async move { Ok::<_, Infallible>(response) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(socket), service)
                    .await;
            });
        }
    });
    (port, connections)
}

fn context(port: u16) -> CheckContext {
    let target = Target::from_toml(
        &format!(
            "webdav = \"http://127.0.0.1:{port}/dav/\"\n[[account]]\nuser = \"alice\"\npassword_env = \"P\"\n"
        ),
        Path::new("."),
        |_| Some("correct-horse-battery".to_owned()),
    )
    .unwrap();
    let settings = ConnSettings {
        tls: client_config(&TlsTrust::System).unwrap(),
        max_buffer: 1 << 20,
        io_timeout: Duration::from_secs(3),
    };
    CheckContext::new(
        Arc::new(RunEnv::new(target, settings)),
        Protocol::Webdav,
        None,
        None,
    )
}

fn sent_text(cx: &CheckContext) -> String {
    cx.transcript()
        .entries()
        .iter()
        .filter(|e| e.direction == Direction::Sent)
        .map(|e| String::from_utf8_lossy(&e.bytes).into_owned())
        .collect()
}

fn digest_only(authorization: Option<&str>, _: &str) -> Answer {
    match authorization {
        Some(value)
            if value.starts_with("Digest ")
                && value.contains("username=\"alice\"")
                && value.contains("uri=\"/dav/x\"")
                && value.contains("response=\"") =>
        {
            (200, vec![])
        }
        _ => (
            401,
            vec![(
                "www-authenticate",
                "Digest realm=\"t\", nonce=\"abc123\", qop=\"auth\", algorithm=MD5",
            )],
        ),
    }
}

#[tokio::test]
async fn digest_is_answered_when_the_server_offers_only_digest() {
    let (port, _) = server(digest_only).await;
    let cx = context(port);
    let endpoint = cx.endpoint().unwrap().clone();
    let account = cx.account(0).unwrap().clone();
    let mut client = HttpClient::for_account(&cx, &endpoint, &account);
    let response = client
        .send(HttpRequest::new("PROPFIND", "/dav/x"))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert!(client.uses_digest());
    // Later requests answer Digest directly.
    let again = client.send(HttpRequest::get("/dav/x")).await.unwrap();
    assert_eq!(again.status, 200);
    let sent = sent_text(&cx);
    assert!(sent.contains("PROPFIND /dav/x HTTP/1.1\r\n"), "{sent}");
    assert!(sent.contains("Authorization: ***\r\n"), "{sent}");
    assert!(
        !sent.contains("Digest "),
        "the Digest answer is masked: {sent}"
    );
    assert!(
        !sent.contains("Basic "),
        "the Basic attempt is masked: {sent}"
    );
    assert!(!sent.contains("correct-horse-battery"), "{sent}");
}

fn basic_and_digest(authorization: Option<&str>, path: &str) -> Answer {
    match authorization {
        // alice:correct-horse-battery
        Some("Basic YWxpY2U6Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5") if path == "/moved" => {
            (301, vec![("location", "/elsewhere")])
        }
        Some("Basic YWxpY2U6Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5") => (204, vec![]),
        _ => (
            401,
            vec![
                ("www-authenticate", "Basic realm=\"t\""),
                ("www-authenticate", "Digest realm=\"t\", nonce=\"n\""),
            ],
        ),
    }
}

#[tokio::test]
async fn basic_is_kept_when_offered_and_redirects_are_returned_on_one_connection() {
    let (port, connections) = server(basic_and_digest).await;
    let cx = context(port);
    let endpoint = cx.endpoint().unwrap().clone();
    let account = cx.account(0).unwrap().clone();
    let mut client = HttpClient::for_account(&cx, &endpoint, &account);
    let first = client
        .send(HttpRequest::new("OPTIONS", "/dav/"))
        .await
        .unwrap();
    assert_eq!(first.status, 204);
    let redirect = client.send(HttpRequest::get("/moved")).await.unwrap();
    assert_eq!(redirect.status, 301, "redirects are not followed");
    assert_eq!(redirect.header("location"), Some("/elsewhere"));
    assert!(!client.uses_digest());
    let anonymous = client
        .send(HttpRequest::get("/dav/").anonymous())
        .await
        .unwrap();
    assert_eq!(
        anonymous.status, 401,
        "anonymous requests carry no credentials"
    );
    assert_eq!(connections.load(Ordering::SeqCst), 1, "keep-alive");
    let sent = sent_text(&cx);
    assert!(sent.contains("Authorization: ***\r\n"), "{sent}");
    assert!(!sent.contains("YWxpY2U6"), "{sent}");
}
