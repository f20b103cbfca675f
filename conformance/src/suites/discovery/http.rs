//! A minimal HTTPS GET for discovery checks, over the engine's recorded connections; the
//! response head is parsed with httparse, the body framed by Content-Length or connection close.

use crate::engine::{CheckContext, Finding, Framed};
use crate::target::Endpoint;

/// One HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Header fields, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header field with this (lowercase) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

struct Head {
    status: u16,
    headers: Vec<(String, String)>,
    length: Option<usize>,
}

fn parse_head(buffer: &[u8]) -> Framed<Head> {
    let mut fields = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut fields);
    match response.parse(buffer) {
        Ok(httparse::Status::Complete(consumed)) => {
            let headers: Vec<(String, String)> = response
                .headers
                .iter()
                .map(|h| {
                    (
                        h.name.to_ascii_lowercase(),
                        String::from_utf8_lossy(h.value).trim().to_string(),
                    )
                })
                .collect();
            let length = headers
                .iter()
                .find(|(n, _)| n == "content-length")
                .and_then(|(_, v)| v.parse().ok());
            Framed::Complete {
                value: Head {
                    status: response.code.unwrap_or(0),
                    headers,
                    length,
                },
                consumed,
            }
        }
        Ok(httparse::Status::Partial) => Framed::Incomplete,
        Err(error) => Framed::Invalid(format!("not an HTTP response head: {error}")),
    }
}

/// GETs `path` from `endpoint` (HTTPS when the endpoint is implicit TLS).
pub async fn get(
    cx: &CheckContext,
    endpoint: &Endpoint,
    path: &str,
) -> Result<HttpResponse, Finding> {
    let mut connection = cx.connect_to(endpoint).await?;
    let host = if endpoint.host.contains(':') {
        format!("[{}]", endpoint.host)
    } else {
        endpoint.host.clone()
    };
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: groupwire\r\nAccept: */*\r\n\
         Connection: close\r\n\r\n"
    );
    connection.send(request.as_bytes()).await?;
    let head = connection.read_until_decoded(parse_head).await?;
    let body = match head.length {
        Some(length) => {
            connection
                .read_until_decoded(|buffer| {
                    if buffer.len() >= length {
                        Framed::Complete {
                            value: buffer.get(..length).unwrap_or_default().to_vec(),
                            consumed: length,
                        }
                    } else {
                        Framed::Incomplete
                    }
                })
                .await?
        }
        None => {
            // Body until the server closes the connection.
            while connection.read_more().await? > 0 {}
            connection.buffered().to_vec()
        }
    };
    connection.close().await;
    Ok(HttpResponse {
        status: head.status,
        headers: head.headers,
        body,
    })
}
