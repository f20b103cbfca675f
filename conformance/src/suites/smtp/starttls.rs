//! STARTTLS (RFC 3207): advertised, answered 220, and a clean reset afterwards — nothing
//! sent in plaintext survives the handshake (the CVE-2011-0411 class), the EHLO is
//! forgotten, and STARTTLS is not offered again.

use std::time::Duration;

use groupwire_smtp::Encode;
use groupwire_smtp::command::Command;

use super::session::{SmtpSession, code, expect_code, frame_reply, show};
use crate::engine::{CheckContext, CheckResult, ConnError, Finding};
use crate::target::Security;

fn starttls_endpoint(cx: &CheckContext) -> Result<(), Finding> {
    if cx.endpoint()?.security == Security::StartTls {
        Ok(())
    } else {
        Err(Finding::skip(
            "the SMTP endpoint is not a STARTTLS endpoint",
        ))
    }
}

/// STARTTLS must be in the plaintext EHLO.
pub async fn advertised(cx: CheckContext) -> CheckResult {
    starttls_endpoint(&cx)?;
    let mut session = SmtpSession::connect(&cx).await?;
    session.ehlo().await?;
    let advertised = session.advertises("STARTTLS");
    session.quit().await;
    if advertised {
        Ok(())
    } else {
        Err(Finding::violation(
            "STARTTLS in the EHLO reply",
            "not listed",
        ))
    }
}

/// STARTTLS must be answered 220, and the handshake must succeed.
pub async fn handshake(cx: CheckContext) -> CheckResult {
    starttls_endpoint(&cx)?;
    let mut session = SmtpSession::connect(&cx).await?;
    session.ehlo().await?;
    let reply = session.command(&Command::StartTls).await?;
    expect_code(&reply, 220, "220 to STARTTLS")?;
    session.conn.start_tls().await?;
    let reply = session.ehlo().await?;
    session.quit().await;
    expect_code(&reply, 250, "250 to EHLO over TLS")
}

/// A command sent in plaintext right behind STARTTLS must not be executed over TLS.
pub async fn discards_plaintext(cx: CheckContext) -> CheckResult {
    starttls_endpoint(&cx)?;
    let mut session = SmtpSession::connect(&cx).await?;
    session.ehlo().await?;
    // STARTTLS and an injected NOOP in one TCP segment, as the attacker of CVE-2011-0411 does.
    let mut injected = Command::StartTls.to_vec();
    injected.extend_from_slice(
        &Command::Noop {
            argument: Some("injected".into()),
        }
        .to_vec(),
    );
    session.conn.send(&injected).await?;
    let reply = session.read_reply().await?;
    expect_code(&reply, 220, "220 to STARTTLS").map_err(|f| Finding::harness(f.to_string()))?;
    // A server may refuse the handshake when bytes follow STARTTLS; that is safe too.
    if let Err(error) = session.conn.start_tls().await {
        session
            .conn
            .note(format!("handshake refused after injected bytes: {error}"));
        return Ok(());
    }
    session.send(&Command::Quit).await?;
    session.conn.set_read_timeout(Duration::from_secs(3));
    let mut replies = Vec::new();
    loop {
        match session.conn.read_until_decoded(frame_reply).await {
            Ok(reply) => {
                let done = code(&reply) == 221;
                replies.push(reply);
                if done {
                    break;
                }
            }
            Err(ConnError::Closed { .. } | ConnError::Timeout { .. } | ConnError::Io(_)) => break,
            Err(error) => return Err(error.into()),
        }
    }
    match replies.as_slice() {
        [only] if code(only) == 221 => Ok(()),
        [] => Err(Finding::harness("no reply to QUIT over TLS")),
        [first, ..] => Err(Finding::violation(
            "only the 221 to our QUIT over TLS (the plaintext NOOP must be discarded)",
            format!("{} replies, the first: {}", replies.len(), show(first)),
        )),
    }
}

/// After the handshake the EHLO is forgotten: MAIL before a new EHLO is out of sequence (503).
pub async fn forgets_ehlo(cx: CheckContext) -> CheckResult {
    starttls_endpoint(&cx)?;
    let account = cx.account(0)?.clone();
    let mut session = SmtpSession::connect(&cx).await?;
    session.ehlo().await?;
    session.starttls().await?;
    let reply = session
        .command(&super::session::mail_from(Some(&account.user), ""))
        .await?;
    session.quit().await;
    expect_code(
        &reply,
        503,
        "503 (send EHLO first) to MAIL before the post-TLS EHLO",
    )
}

/// The EHLO reply after the handshake must not list STARTTLS.
pub async fn not_readvertised(cx: CheckContext) -> CheckResult {
    starttls_endpoint(&cx)?;
    let mut session = SmtpSession::connect(&cx).await?;
    session.ehlo().await?;
    session.starttls().await?;
    session.ehlo().await?;
    let again = session.advertises("STARTTLS");
    session.quit().await;
    if again {
        Err(Finding::violation(
            "no STARTTLS in the EHLO reply over TLS",
            "STARTTLS listed",
        ))
    } else {
        Ok(())
    }
}
