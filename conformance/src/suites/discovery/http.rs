//! HTTPS GET for discovery checks, through the engine's HTTP client
//! ([`crate::engine::http`]), so the exchange is recorded like every other.

use crate::engine::http::{HttpClient, HttpRequest};
use crate::engine::{CheckContext, Finding};
use crate::target::Endpoint;

pub use crate::engine::http::HttpResponse;

/// GETs `path` from `endpoint` (HTTPS when the endpoint is implicit TLS), anonymously, on a
/// connection of its own.
pub async fn get(
    cx: &CheckContext,
    endpoint: &Endpoint,
    path: &str,
) -> Result<HttpResponse, Finding> {
    let mut client = HttpClient::new(cx, endpoint);
    let response = client
        .send(HttpRequest::get(path).header("Accept", "*/*"))
        .await;
    client.close().await;
    response
}
