//! The implicit-TLS endpoint (`imaps://`, port 993, RFC 8314): the handshake comes first and
//! the greeting arrives over TLS; STARTTLS is neither advertised nor accepted inside TLS. These
//! checks replace the STARTTLS ones, which do not apply there.

use std::time::Duration;

use groupwire_imap::response::Response;
use groupwire_imap::response::status::Status;

use super::session::{ImapSession, imap_endpoint, show};
use crate::engine::{CheckContext, CheckResult, ConnError, Finding, show_bytes};
use crate::target::{Endpoint, Security};

/// How long the handshake check listens on a plain connection for a server that talks first:
/// a TLS server waits for the client's hello, a plaintext IMAP server greets at once.
const PLAINTEXT_GREETING_WAIT: Duration = Duration::from_millis(1500);

/// The endpoint's implicit-TLS port: the IMAP endpoint itself, or its `imaps` companion.
fn implicit_endpoint(cx: &CheckContext) -> Result<Endpoint, Finding> {
    imap_endpoint(cx)?;
    cx.target()
        .implicit_endpoint(crate::engine::Protocol::Imap)
        .cloned()
        .ok_or_else(|| {
            Finding::skip("the target names no implicit-TLS IMAP endpoint (imaps://, port 993)")
        })
}

/// What the server sends on a plain connection to `endpoint` before the client says anything
/// (`None`: nothing, as a TLS server waiting for the client hello). A server that speaks first
/// on a TLS port speaks plaintext there.
pub async fn plaintext_first(
    cx: &CheckContext,
    endpoint: &Endpoint,
) -> Result<Option<String>, Finding> {
    let plain = Endpoint {
        security: Security::Plain,
        ..endpoint.clone()
    };
    let mut probe = cx.connect_to(&plain).await?;
    probe.set_read_timeout(PLAINTEXT_GREETING_WAIT);
    let spoke_first = match probe.read_more().await {
        Ok(0) | Err(ConnError::Timeout { .. }) | Err(ConnError::Closed { .. }) => None,
        Ok(_) => Some(show_bytes(probe.buffered(), 200)),
        Err(error) => return Err(error.into()),
    };
    probe.close().await;
    Ok(spoke_first)
}

/// The handshake comes first and the greeting arrives over TLS.
pub async fn handshake(cx: CheckContext) -> CheckResult {
    let endpoint = implicit_endpoint(&cx)?;
    let spoke_first = plaintext_first(&cx, &endpoint).await?;
    if let Some(bytes) = spoke_first {
        return Err(Finding::violation(
            "a TLS handshake before any IMAP data (the server waits for the client hello)",
            format!("plaintext before any handshake: {bytes}"),
        ));
    }
    let session = ImapSession::connect_to(&cx, &endpoint).await?;
    let tls = session.conn.is_tls();
    let greeting_ok = matches!(&session.greeting, Response::Status(s)
        if s.tag.is_none() && matches!(s.status, Status::Ok | Status::PreAuth));
    let shown = show(&session.greeting);
    session.logout().await;
    if tls && greeting_ok {
        Ok(())
    } else {
        Err(Finding::violation(
            "an untagged OK (or PREAUTH) greeting over TLS",
            shown,
        ))
    }
}

/// CAPABILITY inside implicit TLS does not list STARTTLS.
pub async fn starttls_not_advertised(cx: CheckContext) -> CheckResult {
    let endpoint = implicit_endpoint(&cx)?;
    let mut session = ImapSession::connect_to(&cx, &endpoint).await?;
    let reply = session.run("CAPABILITY").await?;
    session.logout().await;
    let caps = reply.capabilities();
    if caps.iter().any(|c| c == "STARTTLS") {
        Err(Finding::violation(
            "no STARTTLS in CAPABILITY on the implicit-TLS port",
            format!("{caps:?}"),
        ))
    } else {
        Ok(())
    }
}

/// STARTTLS inside implicit TLS is answered with a tagged BAD.
pub async fn starttls_bad(cx: CheckContext) -> CheckResult {
    let endpoint = implicit_endpoint(&cx)?;
    let mut session = ImapSession::connect_to(&cx, &endpoint).await?;
    let reply = session.run("STARTTLS").await?;
    let status = reply.status();
    let shown = reply.show_tagged();
    if status == Status::Ok {
        // The server now expects a second handshake; there is nothing more to say to it.
        session.conn.close().await;
    } else {
        session.logout().await;
    }
    if status == Status::Bad {
        Ok(())
    } else {
        Err(Finding::violation(
            "a tagged BAD to STARTTLS on the implicit-TLS port",
            shown,
        ))
    }
}
