//! Implicit TLS (RFC 8314 §4.1): IMAP on 993 and submission on 465 beside (or instead of) the
//! STARTTLS ports. The target's `imaps`/`smtps` endpoints are tried; when the target names
//! none, the standard port on the same host is tried, and the evidence says so.

use super::services::capturing;
use crate::engine::{CheckContext, CheckResult, Finding, Protocol};
use crate::target::Endpoint;

/// `security.implicit-tls.offered`.
pub async fn offered(cx: CheckContext) -> CheckResult {
    let mut missing = Vec::new();
    let mut tried = 0;
    for (protocol, scheme, port) in [
        (Protocol::Imap, "imaps", 993),
        (Protocol::Smtp, "smtps", 465),
    ] {
        let target = cx.target();
        let Some(main) = target.endpoint(protocol) else {
            continue;
        };
        tried += 1;
        let endpoint = match target.implicit_endpoint(protocol) {
            Some(endpoint) => endpoint.clone(),
            None => {
                let host = if main.host.contains(':') {
                    format!("[{}]", main.host)
                } else {
                    main.host.clone()
                };
                let url = format!("{scheme}://{host}:{port}");
                cx.note(format!(
                    "the target names no implicit-TLS {} endpoint; trying {url}",
                    protocol.label()
                ));
                Endpoint::parse(&url).map_err(|e| Finding::harness(e.to_string()))?
            }
        };
        let (tls_cx, _) = capturing(&cx, protocol)?;
        match tls_cx.connect_to(&endpoint).await {
            Ok(conn) => {
                cx.note(format!(
                    "{}: TLS handshake as the connection opens: works",
                    endpoint.url
                ));
                conn.close().await;
            }
            Err(finding) => missing.push(format!("{}: {}", endpoint.url, finding.reason())),
        }
    }
    if tried == 0 {
        return Err(Finding::not_run(
            "the target names neither IMAP nor submission",
        ));
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Finding::violation(
            "implicit TLS offered for IMAP (993) and submission (465)",
            missing.join("; "),
        ))
    }
}
