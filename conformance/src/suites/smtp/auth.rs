//! SMTP AUTH (RFC 4954, formerly RFC 2554): not offered in plaintext, 235 on success, 535 on
//! bad credentials, 501 on cancel, 503 on a second AUTH, 504 for unknown mechanisms, and
//! 530 when a transaction is attempted without it.

use groupwire_smtp::Encode;
use groupwire_smtp::auth::{AuthResponse, Mechanism};
use groupwire_smtp::command::Command;

use super::session::{SmtpSession, code, expect_code, mail_from, show};
use crate::engine::{CheckContext, CheckResult, Finding};
use crate::target::Security;

const CLEARTEXT: [&str; 2] = ["PLAIN", "LOGIN"];

/// Before STARTTLS, the EHLO reply must not offer PLAIN or LOGIN.
pub async fn not_before_tls(cx: CheckContext) -> CheckResult {
    if cx.endpoint()?.security != Security::StartTls {
        return Err(Finding::skip(
            "the SMTP endpoint is not a STARTTLS endpoint",
        ));
    }
    let mut session = SmtpSession::connect(&cx).await?;
    session.ehlo().await?;
    let offered: Vec<String> = session
        .auth_mechanisms()
        .into_iter()
        .filter(|m| CLEARTEXT.contains(&m.as_str()))
        .collect();
    session.quit().await;
    if offered.is_empty() {
        Ok(())
    } else {
        Err(Finding::violation(
            "no PLAIN or LOGIN before TLS",
            format!("AUTH {} offered in plaintext", offered.join(" ")),
        ))
    }
}

/// Over TLS, AUTH PLAIN must be offered.
pub async fn advertised(cx: CheckContext) -> CheckResult {
    let session = SmtpSession::secure(&cx).await?;
    let mechanisms = session.auth_mechanisms();
    session.quit().await;
    if mechanisms.iter().any(|m| m == "PLAIN") {
        Ok(())
    } else {
        Err(Finding::violation(
            "AUTH PLAIN in the EHLO reply over TLS",
            format!("mechanisms {mechanisms:?}"),
        ))
    }
}

/// Good credentials with AUTH PLAIN must give 235.
pub async fn plain_success(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut session = SmtpSession::secure(&cx).await?;
    let reply = session
        .auth_plain(&account.user, account.password.expose())
        .await?;
    session.quit().await;
    expect_code(&reply, 235, "235 to AUTH PLAIN with good credentials")
}

/// A wrong password must give 535.
pub async fn plain_failure(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut session = SmtpSession::secure(&cx).await?;
    let wrong = format!("{}-wrong", account.password.expose());
    let reply = session.auth_plain(&account.user, &wrong).await?;
    session.quit().await;
    expect_code(&reply, 535, "535 to AUTH PLAIN with a wrong password")
}

/// Good credentials with AUTH LOGIN must give 235.
pub async fn login_success(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut session = SmtpSession::secure(&cx).await?;
    if !session.auth_mechanisms().iter().any(|m| m == "LOGIN") {
        session.quit().await;
        return Err(Finding::skip("AUTH LOGIN is not offered"));
    }
    let reply = session
        .auth_login(&account.user, account.password.expose())
        .await?;
    session.quit().await;
    expect_code(&reply, 235, "235 to AUTH LOGIN with good credentials")
}

/// `*` in answer to a 334 challenge must give 501.
pub async fn cancel(cx: CheckContext) -> CheckResult {
    let mut session = SmtpSession::secure(&cx).await?;
    let reply = session
        .command(&Command::Auth {
            mechanism: Mechanism::Plain,
            initial_response: None,
        })
        .await?;
    if code(&reply) != 334 {
        session.quit().await;
        return Err(Finding::harness(format!(
            "no 334 to AUTH PLAIN: {}",
            show(&reply)
        )));
    }
    session.conn.send(&AuthResponse::Cancel.to_vec()).await?;
    let reply = session.read_reply().await?;
    session.quit().await;
    expect_code(&reply, 501, "501 to a cancelled AUTH")
}

/// A second AUTH after success must give 503.
pub async fn second_auth(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut session = SmtpSession::ready(&cx, &account).await?;
    let reply = session
        .auth_plain(&account.user, account.password.expose())
        .await?;
    session.quit().await;
    expect_code(&reply, 503, "503 to a second AUTH")
}

/// A mechanism nobody implements must give 504.
pub async fn unknown_mechanism(cx: CheckContext) -> CheckResult {
    let mut session = SmtpSession::secure(&cx).await?;
    let reply = session
        .command(&Command::Auth {
            mechanism: Mechanism::Other("X-GROUPWIRE-NONE".into()),
            initial_response: None,
        })
        .await?;
    session.quit().await;
    expect_code(&reply, 504, "504 to AUTH with an unsupported mechanism")
}

/// MAIL without AUTH over TLS must be refused with 530.
pub async fn required(cx: CheckContext) -> CheckResult {
    let mut session = SmtpSession::secure(&cx).await?;
    let address = cx
        .account(0)
        .map(|a| a.user.clone())
        .unwrap_or_else(|_| "someone@groupwire.invalid".to_string());
    let reply = session.command(&mail_from(Some(&address), "")).await?;
    session.quit().await;
    expect_code(&reply, 530, "530 to MAIL without authentication")
}
