//! The HTTP/1.1 client of the DAV suites and of discovery: hyper's client connection over the
//! engine's recorded [`super::Connection`], so the exact request and response bytes of every
//! exchange land in the check's transcript as evidence (the `Authorization` value masked by
//! field, like the mail suites' credentials).
//!
//! - Any method, any header, any body: [`HttpRequest`] is plain data, converted to hyper's
//!   types only when sent (an invalid method or header is a harness error, never a panic).
//! - Keep-alive: one [`HttpClient`] keeps its connection open across the requests of a check
//!   and opens a new one (a new connection number in the transcript) when the server closed
//!   it.
//! - Authentication: with credentials, Basic is sent from the first request; when the server
//!   answers 401 offering only Digest (RFC 7616), the client answers the Digest challenge
//!   (with `http-auth`) and keeps using Digest for later requests of the client.
//! - Redirects are returned, never followed: checks judge them.
//! - Every exchange is bounded: the response head by the run's I/O timeout, the body by the
//!   run's buffer limit ([`super::ConnSettings::max_buffer`]) and the timeout.

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::task::JoinHandle;

use super::context::CheckContext;
use super::finding::Finding;
use crate::target::{Account, Endpoint, Security};

/// One HTTP request, as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method (`PROPFIND`, any token).
    pub method: String,
    /// The request target in origin form (`/dav/a%20b.txt`), sent as is.
    pub target: String,
    /// Header fields in order (`Host` and `User-Agent` are added unless present here;
    /// `Content-Length` is computed).
    pub headers: Vec<(String, String)>,
    /// The body (empty for none).
    pub body: Vec<u8>,
    /// Whether to send the client's credentials (default `true`).
    pub authenticate: bool,
}

impl HttpRequest {
    /// A request without headers or body.
    pub fn new(method: impl Into<String>, target: impl Into<String>) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            target: target.into(),
            headers: Vec::new(),
            body: Vec::new(),
            authenticate: true,
        }
    }

    /// A GET.
    pub fn get(target: impl Into<String>) -> HttpRequest {
        HttpRequest::new("GET", target)
    }

    /// Adds a header field.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> HttpRequest {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body and its `Content-Type`.
    pub fn body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> HttpRequest {
        self.headers
            .push(("Content-Type".to_owned(), content_type.to_owned()));
        self.body = body.into();
        self
    }

    /// Sets an XML body (`application/xml; charset=utf-8`).
    pub fn xml(self, body: impl Into<Vec<u8>>) -> HttpRequest {
        self.body("application/xml; charset=utf-8", body)
    }

    /// Sends no credentials (to see what an anonymous client gets).
    pub fn anonymous(mut self) -> HttpRequest {
        self.authenticate = false;
        self
    }

    /// The first value of a header field of this request (name case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Header fields in order, names lowercased, values as text (invalid UTF-8 replaced).
    pub headers: Vec<(String, String)>,
    /// The body (decoded from chunked transfer coding, not from content coding).
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header field with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of header fields with this name, in order.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The comma-separated list elements of every field with this name, trimmed
    /// (`Allow: GET, PUT` and `Allow: PROPFIND` give `[GET, PUT, PROPFIND]`).
    pub fn header_list(&self, name: &str) -> Vec<String> {
        self.header_values(name)
            .flat_map(|value| value.split(','))
            .map(|item| item.trim().to_owned())
            .filter(|item| !item.is_empty())
            .collect()
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// `status` plus the start of the body, for a finding's "actual" text.
    pub fn summary(&self) -> String {
        if self.body.is_empty() {
            format!("{}", self.status)
        } else {
            format!(
                "{} with body \"{}\"",
                self.status,
                super::show_bytes(&self.body, 200)
            )
        }
    }
}

/// A keep-alive HTTP/1.1 client to one endpoint, recording into one check's transcript.
/// Dropping it closes its connection.
pub struct HttpClient {
    cx: CheckContext,
    endpoint: Endpoint,
    credentials: Option<(String, String)>,
    digest: Option<http_auth::digest::DigestClient>,
    sender: Option<http1::SendRequest<Full<Bytes>>>,
    driver: Option<JoinHandle<()>>,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("endpoint", &self.endpoint.url)
            .field(
                "user",
                &self.credentials.as_ref().map(|(user, _)| user.as_str()),
            )
            .field("digest", &self.digest.is_some())
            .field("connected", &self.sender.is_some())
            .finish_non_exhaustive()
    }
}

impl Drop for HttpClient {
    fn drop(&mut self) {
        if let Some(driver) = self.driver.take() {
            driver.abort();
        }
    }
}

/// Why one exchange failed, and whether a fresh connection may help.
enum ExchangeError {
    /// The kept-alive connection was closed by the server before it answered.
    Stale(String),
    /// Anything else.
    Fatal(Finding),
}

impl HttpClient {
    /// An anonymous client for `endpoint` (no request is sent yet).
    pub fn new(cx: &CheckContext, endpoint: &Endpoint) -> HttpClient {
        HttpClient {
            cx: cx.clone(),
            endpoint: endpoint.clone(),
            credentials: None,
            digest: None,
            sender: None,
            driver: None,
        }
    }

    /// A client that authenticates as `account`.
    pub fn for_account(cx: &CheckContext, endpoint: &Endpoint, account: &Account) -> HttpClient {
        HttpClient::new(cx, endpoint).with_credentials(&account.user, account.password.expose())
    }

    /// Sets the credentials sent with every request (Basic, or Digest once the server asked
    /// for it).
    pub fn with_credentials(mut self, user: &str, password: &str) -> HttpClient {
        self.credentials = Some((user.to_owned(), password.to_owned()));
        self.digest = None;
        self
    }

    /// The endpoint this client talks to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The check context whose transcript records this client.
    pub fn context(&self) -> &CheckContext {
        &self.cx
    }

    /// Whether the client answers Digest challenges (the server offered only Digest).
    pub fn uses_digest(&self) -> bool {
        self.digest.is_some()
    }

    /// The `Host` header value: the host, with the port when it is not the scheme's default.
    pub fn authority(&self) -> String {
        let host = if self.endpoint.host.contains(':') {
            format!("[{}]", self.endpoint.host)
        } else {
            self.endpoint.host.clone()
        };
        let default = match self.endpoint.security {
            Security::Implicit => 443,
            _ => 80,
        };
        if self.endpoint.port == default {
            host
        } else {
            format!("{host}:{}", self.endpoint.port)
        }
    }

    /// `https://host[:port]` (or `http://`), to build absolute URLs such as `Destination`.
    pub fn origin(&self) -> String {
        let scheme = match self.endpoint.security {
            Security::Implicit => "https",
            _ => "http",
        };
        format!("{scheme}://{}", self.authority())
    }

    /// Sends `request` and returns the response (redirects included). Authentication as
    /// described in the module docs; a kept-alive connection the server closed meanwhile is
    /// replaced once.
    pub async fn send(&mut self, request: HttpRequest) -> Result<HttpResponse, Finding> {
        let response = self.send_authorized(&request).await?;
        if response.status == 401
            && request.authenticate
            && self.credentials.is_some()
            && self.adopt_challenge(&response)
        {
            return self.send_authorized(&request).await;
        }
        Ok(response)
    }

    async fn send_authorized(&mut self, request: &HttpRequest) -> Result<HttpResponse, Finding> {
        let authorization = self.authorization(request)?;
        match self.exchange(request, authorization.as_deref()).await {
            Ok(response) => Ok(response),
            Err(ExchangeError::Fatal(finding)) => Err(finding),
            Err(ExchangeError::Stale(reason)) => {
                self.cx.note(format!(
                    "the kept-alive connection ended before a response ({reason}); sending again on a new connection"
                ));
                self.disconnect();
                let authorization = self.authorization(request)?;
                match self.exchange(request, authorization.as_deref()).await {
                    Ok(response) => Ok(response),
                    Err(ExchangeError::Fatal(finding)) => Err(finding),
                    Err(ExchangeError::Stale(reason)) => Err(Finding::harness(format!(
                        "the server closed the connection without answering: {reason}"
                    ))),
                }
            }
        }
    }

    /// Looks at a 401's challenges: switches to Digest when the server offers Digest and not
    /// Basic (or renews a stale Digest nonce). Returns whether to send again.
    fn adopt_challenge(&mut self, response: &HttpResponse) -> bool {
        let mut basic = false;
        let mut digest = None;
        for value in response.header_values("www-authenticate") {
            let Ok(challenges) = http_auth::parse_challenges(value) else {
                continue;
            };
            for challenge in &challenges {
                if challenge.scheme.eq_ignore_ascii_case("basic") {
                    basic = true;
                } else if challenge.scheme.eq_ignore_ascii_case("digest") && digest.is_none() {
                    digest = http_auth::digest::DigestClient::try_from(challenge).ok();
                }
            }
        }
        let Some(digest) = digest else {
            return false;
        };
        if self.digest.is_none() && !basic {
            self.cx
                .note("the server offers only Digest authentication: answering its challenge");
            self.digest = Some(digest);
            true
        } else if self.digest.is_some() && digest.stale() {
            self.cx
                .note("the Digest nonce is stale: answering the new challenge");
            self.digest = Some(digest);
            true
        } else {
            false
        }
    }

    fn authorization(&mut self, request: &HttpRequest) -> Result<Option<String>, Finding> {
        if !request.authenticate {
            return Ok(None);
        }
        let Some((user, password)) = &self.credentials else {
            return Ok(None);
        };
        if let Some(digest) = self.digest.as_mut() {
            let params = http_auth::PasswordParams {
                username: user,
                password,
                uri: &request.target,
                method: &request.method,
                body: Some(&request.body),
            };
            return digest
                .respond(&params)
                .map(Some)
                .map_err(|error| Finding::harness(format!("cannot answer Digest: {error}")));
        }
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        Ok(Some(format!("Basic {token}")))
    }

    fn build(
        &self,
        request: &HttpRequest,
        authorization: Option<&str>,
    ) -> Result<hyper::Request<Full<Bytes>>, Finding> {
        let invalid = |what: String| Finding::harness(format!("invalid request: {what}"));
        let method = http::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| invalid(format!("method {:?}", request.method)))?;
        let mut builder = hyper::Request::builder()
            .method(method)
            .uri(request.target.as_str());
        let has = |name: &str| request.header_value(name).is_some();
        if !has("host") {
            builder = builder.header(http::header::HOST, self.authority());
        }
        if !has("user-agent") {
            builder = builder.header(http::header::USER_AGENT, "groupwire");
        }
        for (name, value) in &request.headers {
            let name = http::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| invalid(format!("header name {name:?}")))?;
            let value = http::HeaderValue::from_bytes(value.as_bytes())
                .map_err(|_| invalid(format!("value of {name}: {value:?}")))?;
            builder = builder.header(name, value);
        }
        if let Some(authorization) = authorization {
            builder = builder.header(http::header::AUTHORIZATION, authorization);
        }
        let body = Bytes::from(request.body.clone());
        if !body.is_empty() && !has("content-length") {
            builder = builder.header(http::header::CONTENT_LENGTH, body.len());
        }
        builder
            .body(Full::new(body))
            .map_err(|error| invalid(error.to_string()))
    }

    async fn connect(&mut self) -> Result<(), Finding> {
        self.disconnect();
        let connection = self.cx.connect_to(&self.endpoint).await?;
        let io = TokioIo::new(connection.into_io());
        let settings = &self.cx.env().settings;
        let mut builder = http1::Builder::new();
        builder
            .title_case_headers(true)
            .max_buf_size(settings.max_buffer.max(8192));
        let handshake =
            tokio::time::timeout(settings.io_timeout, builder.handshake::<_, Full<Bytes>>(io))
                .await;
        let (sender, driver) = match handshake {
            Ok(Ok(pair)) => pair,
            Ok(Err(error)) => return Err(Finding::harness(format!("HTTP setup: {error}"))),
            Err(_) => return Err(Finding::harness("HTTP setup timed out")),
        };
        self.sender = Some(sender);
        self.driver = Some(tokio::spawn(async move {
            let _ = driver.await;
        }));
        Ok(())
    }

    fn disconnect(&mut self) {
        self.sender = None;
        if let Some(driver) = self.driver.take() {
            driver.abort();
        }
    }

    async fn exchange(
        &mut self,
        request: &HttpRequest,
        authorization: Option<&str>,
    ) -> Result<HttpResponse, ExchangeError> {
        let hyper_request = self
            .build(request, authorization)
            .map_err(ExchangeError::Fatal)?;
        let reused = self.sender.as_ref().is_some_and(|s| !s.is_closed());
        if !reused {
            self.connect().await.map_err(ExchangeError::Fatal)?;
        }
        let timeout = self.cx.io_timeout();
        let max_body = self.cx.env().settings.max_buffer;
        let Some(sender) = self.sender.as_mut() else {
            return Err(ExchangeError::Fatal(Finding::harness("no HTTP connection")));
        };
        match tokio::time::timeout(timeout, sender.ready()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) if reused => return Err(ExchangeError::Stale(error.to_string())),
            Ok(Err(error)) => {
                return Err(ExchangeError::Fatal(Finding::harness(format!(
                    "HTTP connection failed: {error}"
                ))));
            }
            Err(_) => {
                return Err(ExchangeError::Fatal(Finding::harness(format!(
                    "the HTTP connection was not ready within {:.1}s",
                    timeout.as_secs_f64()
                ))));
            }
        }
        let response = match tokio::time::timeout(timeout, sender.send_request(hyper_request)).await
        {
            Ok(Ok(response)) => response,
            Ok(Err(error)) if reused && (error.is_canceled() || error.is_incomplete_message()) => {
                return Err(ExchangeError::Stale(error.to_string()));
            }
            Ok(Err(error)) => {
                self.disconnect();
                return Err(ExchangeError::Fatal(Finding::harness(format!(
                    "no valid HTTP response: {error}"
                ))));
            }
            Err(_) => {
                self.disconnect();
                return Err(ExchangeError::Fatal(Finding::harness(format!(
                    "no HTTP response within {:.1}s",
                    timeout.as_secs_f64()
                ))));
            }
        };
        let (head, body) = response.into_parts();
        let collected = tokio::time::timeout(timeout, Limited::new(body, max_body).collect()).await;
        let body = match collected {
            Ok(Ok(collected)) => collected.to_bytes().to_vec(),
            Ok(Err(error)) => {
                self.disconnect();
                return Err(ExchangeError::Fatal(Finding::harness(format!(
                    "cannot read the response body: {error}"
                ))));
            }
            Err(_) => {
                self.disconnect();
                return Err(ExchangeError::Fatal(Finding::harness(format!(
                    "the response body did not arrive within {:.1}s",
                    timeout.as_secs_f64()
                ))));
            }
        };
        let headers = head
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).trim().to_owned(),
                )
            })
            .collect();
        Ok(HttpResponse {
            status: head.status.as_u16(),
            headers,
            body,
        })
    }

    /// Closes the connection.
    pub async fn close(mut self) {
        self.disconnect();
    }
}

/// Percent-encodes one path segment (RFC 3986 `pchar` kept, everything else as `%XX` of its
/// UTF-8 bytes): `a b/ü` becomes `a%20b%2F%C3%BC`.
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b':'
            | b'@' => out.push(char::from(byte)),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Decodes `%XX` escapes of a URL path (invalid escapes are kept as they are; the result is
/// UTF-8 with invalid sequences replaced).
pub fn decode_path(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if byte == b'%'
            && let Some(hex) = path.get(index + 1..index + 3)
            && let Ok(value) = u8::from_str_radix(hex, 16)
        {
            out.push(value);
            index += 3;
        } else {
            out.push(byte);
            index += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_round_trip_through_percent_encoding() {
        for name in ["a b", "ü €", "50%", "x/y", "plain-name.txt", "a?b#c"] {
            let encoded = encode_segment(name);
            assert!(encoded.is_ascii() && !encoded.contains(['/', ' ', '?', '#']));
            assert_eq!(decode_path(&encoded), name);
        }
        assert_eq!(encode_segment("a b/ü"), "a%20b%2F%C3%BC");
        assert_eq!(decode_path("%zz%4"), "%zz%4");
    }

    #[test]
    fn header_lists_split_every_field() {
        let response = HttpResponse {
            status: 200,
            headers: vec![
                ("allow".into(), "GET, PUT".into()),
                ("Allow".into(), "PROPFIND".into()),
            ],
            body: Vec::new(),
        };
        assert_eq!(response.header_list("allow"), ["GET", "PUT", "PROPFIND"]);
        assert_eq!(response.header("ALLOW"), Some("GET, PUT"));
    }
}
