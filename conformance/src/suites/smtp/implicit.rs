//! Implicit TLS submission (RFC 8314 §3.3, the `submissions` service on port 465): the TLS
//! handshake starts with the connection and the greeting arrives over TLS, and STARTTLS,
//! meaningless there, is not offered (RFC 3207 §4.2). These replace the STARTTLS checks,
//! which do not apply to such an endpoint.

use super::session::SmtpSession;
use crate::engine::{CheckContext, CheckResult, Finding, Protocol};
use crate::target::Endpoint;

/// The submission endpoint's implicit-TLS port: the endpoint itself, or its `smtps` companion.
fn implicit_endpoint(cx: &CheckContext) -> Result<Endpoint, Finding> {
    cx.endpoint()?;
    cx.target()
        .implicit_endpoint(Protocol::Smtp)
        .cloned()
        .ok_or_else(|| {
            Finding::skip(
                "the target names no implicit-TLS submission endpoint (smtps://, port 465)",
            )
        })
}

/// The handshake succeeds at once and an SMTP greeting follows over TLS.
pub async fn handshake(cx: CheckContext) -> CheckResult {
    let endpoint = implicit_endpoint(&cx)?;
    // The session's own precondition is this check's requirement: a failed handshake or no
    // greeting over TLS comes back as this check's violation.
    let session = SmtpSession::connect_to(&cx, &endpoint).await?;
    let encrypted = session.conn.is_tls();
    session.quit().await;
    if encrypted {
        Ok(())
    } else {
        Err(Finding::violation(
            "the greeting over TLS",
            "the connection is not encrypted",
        ))
    }
}

/// The EHLO reply over implicit TLS does not list STARTTLS.
pub async fn no_starttls(cx: CheckContext) -> CheckResult {
    let endpoint = implicit_endpoint(&cx)?;
    let mut session = SmtpSession::connect_to(&cx, &endpoint).await?;
    session.ehlo().await?;
    let offered = session.advertises("STARTTLS");
    session.quit().await;
    if offered {
        Err(Finding::violation(
            "no STARTTLS in the EHLO reply over implicit TLS",
            "STARTTLS listed",
        ))
    } else {
        Ok(())
    }
}
