//! STARTTLS (RFC 3207): advertised, answered 220, and a clean reset afterwards — nothing
//! sent in plaintext survives the handshake (the CVE-2011-0411 class), a pre-TLS EHLO makes
//! no difference, and STARTTLS is not offered again.

use std::time::Duration;

use groupwire_smtp::Encode;
use groupwire_smtp::command::Command;

use super::session::{OWNER_STARTTLS, SmtpSession, code, current, expect_code, frame_reply, show};
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
    if code(&reply) != 220 {
        return Err(Finding::blocked(
            OWNER_STARTTLS,
            current(&cx),
            "220 to STARTTLS",
            show(&reply),
        ));
    }
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

/// After the handshake the server is back in the state that follows its greeting, whatever
/// the client said before TLS: two sessions that differ only in an EHLO before STARTTLS must
/// be answered alike after the handshake. Each sends, over TLS and with no new EHLO, a
/// command whose answer depends on a remembered EHLO (MAIL: 503 "send EHLO first", or the
/// same 250/530/554 both times on a server that does not require EHLO).
///
/// RFC 3207 §4.2 lets a server answer MAIL without EHLO either way (Postfix says 250 on a
/// fresh connection too), so no particular code is demanded: only that the pre-TLS EHLO
/// makes no difference.
pub async fn forgets_ehlo(cx: CheckContext) -> CheckResult {
    starttls_endpoint(&cx)?;
    let account = cx.account(0)?.clone();
    let mail = super::session::mail_from(Some(&account.address), "");
    let mut replies = Vec::new();
    for ehlo_before_tls in [true, false] {
        let mut session = SmtpSession::connect(&cx).await?;
        if ehlo_before_tls {
            session.ehlo().await?;
            session.starttls(&cx).await?;
        } else {
            let reply = session.command(&Command::StartTls).await?;
            if code(&reply) != 220 {
                session.quit().await;
                return Err(Finding::skip(format!(
                    "STARTTLS without a preceding EHLO is refused ({}), so there is no \
                     session to compare with",
                    show(&reply)
                )));
            }
            session.conn.start_tls().await?;
        }
        let reply = session.command(&mail).await?;
        session.quit().await;
        replies.push(reply);
    }
    let [after_ehlo, without_ehlo] = replies.as_slice() else {
        return Err(Finding::harness("two sessions did not give two replies"));
    };
    if code(after_ehlo) / 100 == 4 || code(without_ehlo) / 100 == 4 {
        // A temporary failure (421 too many connections, 451 ...) says nothing about state.
        return Err(Finding::harness(format!(
            "a temporary failure spoils the comparison: {} / {}",
            show(after_ehlo),
            show(without_ehlo)
        )));
    }
    if code(after_ehlo) == code(without_ehlo) {
        Ok(())
    } else {
        Err(Finding::violation(
            format!(
                "the same answer to MAIL over TLS as a session that sent no EHLO before \
                 STARTTLS ({})",
                show(without_ehlo)
            ),
            format!(
                "{} after an EHLO before STARTTLS: the pre-TLS EHLO was remembered",
                show(after_ehlo)
            ),
        ))
    }
}

/// The EHLO reply after the handshake must not list STARTTLS.
pub async fn not_readvertised(cx: CheckContext) -> CheckResult {
    starttls_endpoint(&cx)?;
    let mut session = SmtpSession::connect(&cx).await?;
    session.ehlo().await?;
    session.starttls(&cx).await?;
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
