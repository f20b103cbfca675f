//! SMTP AUTH (RFC 4954): no plaintext password mechanism before TLS (advertised or not), 235
//! on success, a wrong password never accepted (PLAIN and LOGIN), 535 for bad credentials,
//! 501 on cancel, 503 on a second AUTH, 504 for unknown mechanisms, and 530 when a
//! transaction is attempted without it.

use groupwire_smtp::Encode;
use groupwire_smtp::auth::{AuthResponse, Mechanism};
use groupwire_smtp::command::Command;

use super::session::{SmtpSession, code, current, expect_code, mail_from, rcpt_to, show};
use crate::engine::{CheckContext, CheckResult, Finding};
use crate::target::{Account, Secret, Security};

const CLEARTEXT: [&str; 2] = ["PLAIN", "LOGIN"];

/// The id of the check that owns "a wrong AUTH PLAIN password is not accepted".
pub const OWNER_PLAIN_WRONG_PASSWORD: &str = "smtp.auth.plain-wrong-password";

/// How a server answered an AUTH command it should not have processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaintextAuth {
    /// Refused without looking at credentials (502, 503, 504, 530, 538, ...).
    Refused,
    /// Processed: it asked for credentials (334), judged them (535, 454, 432, 534) or
    /// accepted them (2xx).
    Processed,
}

/// What a reply to `AUTH` sent before TLS says about the server: refusing the command is the
/// only safe answer; a 334 challenge, a verdict on the credentials (535 invalid, 454
/// temporary failure, 432 transition needed, 534 too weak) or a success all mean the
/// mechanism runs in plaintext.
pub fn judge_plaintext_auth(reply_code: u16) -> PlaintextAuth {
    match reply_code {
        334 | 432 | 454 | 534 | 535 => PlaintextAuth::Processed,
        code if code / 100 == 2 || code / 100 == 3 => PlaintextAuth::Processed,
        _ => PlaintextAuth::Refused,
    }
}

/// Before STARTTLS, PLAIN and LOGIN must be neither offered nor accepted: the EHLO reply is
/// read, and then AUTH PLAIN (a wrong password) and AUTH LOGIN are tried all the same, since a
/// server may hide AUTH and still run it.
pub async fn not_before_tls(cx: CheckContext) -> CheckResult {
    if cx.endpoint()?.security != Security::StartTls {
        return Err(Finding::skip(
            "the SMTP endpoint is not a STARTTLS endpoint",
        ));
    }
    // Never the real password: this may be sent in plaintext.
    let wrong = match cx.account(0) {
        Ok(account) => account.with_wrong_password(),
        Err(_) => Account::new("nobody@groupwire.invalid", Secret::new(""), None, None)
            .with_wrong_password(),
    };
    let mut session = SmtpSession::connect(&cx).await?;
    session.ehlo().await?;
    let offered: Vec<String> = session
        .auth_mechanisms()
        .into_iter()
        .filter(|m| CLEARTEXT.contains(&m.as_str()))
        .collect();
    if !offered.is_empty() {
        session.quit().await;
        return Err(Finding::violation(
            "no PLAIN or LOGIN before TLS",
            format!("AUTH {} offered in plaintext", offered.join(" ")),
        ));
    }
    // Hidden is not refused: try it, with a password that is wrong on purpose.
    let reply = session
        .auth_plain(&wrong.user, wrong.password.expose())
        .await?;
    if judge_plaintext_auth(code(&reply)) == PlaintextAuth::Processed {
        cancel_if_challenged(&mut session, code(&reply)).await;
        session.quit().await;
        return Err(Finding::violation(
            "AUTH PLAIN refused before TLS (e.g. 538, 530, 503, 502)",
            format!(
                "AUTH PLAIN processed in plaintext although not advertised: {}",
                show(&reply)
            ),
        ));
    }
    let reply = match session
        .command(&Command::Auth {
            mechanism: Mechanism::Login,
            initial_response: None,
        })
        .await
    {
        Ok(reply) => reply,
        // Refusing PLAIN and then hanging up refuses LOGIN too.
        Err(Finding::Harness(reason)) if is_hang_up(&reason) => {
            cx.note(format!(
                "the server closed the connection after refusing AUTH PLAIN: {reason}"
            ));
            return Ok(());
        }
        Err(finding) => return Err(finding),
    };
    cancel_if_challenged(&mut session, code(&reply)).await;
    session.quit().await;
    if judge_plaintext_auth(code(&reply)) == PlaintextAuth::Processed {
        return Err(Finding::violation(
            "AUTH LOGIN refused before TLS (e.g. 538, 530, 503, 502)",
            format!(
                "AUTH LOGIN processed in plaintext although not advertised: {}",
                show(&reply)
            ),
        ));
    }
    Ok(())
}

/// Whether a harness error says the server hung up (closed, reset, broken pipe).
fn is_hang_up(reason: &str) -> bool {
    let reason = reason.to_ascii_lowercase();
    ["closed", "reset", "broken pipe"]
        .iter()
        .any(|word| reason.contains(word))
}

/// Ends a SASL exchange the server opened with 334, so the session can go on.
async fn cancel_if_challenged(session: &mut SmtpSession, reply_code: u16) {
    if reply_code == 334
        && session
            .conn
            .send(&AuthResponse::Cancel.to_vec())
            .await
            .is_ok()
    {
        let _ = session.read_reply().await;
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

/// Whether a reply accepts the credentials it answers (any 2xx: 235, or 250 from a server
/// that gets the code wrong too).
fn accepts(reply_code: u16) -> bool {
    reply_code / 100 == 2
}

/// Authenticates over TLS with the first account's login and a wrong password, and returns
/// the server's answer (a challenge in its place is cancelled). `skip` when the mechanism is
/// LOGIN and the server does not offer it.
async fn answer_to_wrong_password(
    cx: &CheckContext,
    mechanism: Mechanism<'static>,
) -> Result<super::session::OwnedReply, Finding> {
    let wrong = cx.account(0)?.with_wrong_password();
    let mut session = SmtpSession::secure(cx).await?;
    let reply = match mechanism {
        Mechanism::Login => {
            if !session.auth_mechanisms().iter().any(|m| m == "LOGIN") {
                session.quit().await;
                return Err(Finding::skip("AUTH LOGIN is not offered"));
            }
            session
                .auth_login(&wrong.user, wrong.password.expose())
                .await?
        }
        _ => {
            session
                .auth_plain(&wrong.user, wrong.password.expose())
                .await?
        }
    };
    cancel_if_challenged(&mut session, code(&reply)).await;
    session.quit().await;
    Ok(reply)
}

/// A refusal of any kind passes; an accepting reply is an authentication bypass.
fn refused(mechanism: &str, reply: &super::session::OwnedReply) -> CheckResult {
    if accepts(code(reply)) {
        Err(Finding::violation(
            format!("AUTH {mechanism} with a wrong password refused"),
            format!("accepted (authentication bypass): {}", show(reply)),
        ))
    } else {
        Ok(())
    }
}

/// A wrong password with AUTH PLAIN must not authenticate (any refusal will do; the code is
/// `smtp.auth.plain-failure`'s business).
pub async fn plain_wrong_password(cx: CheckContext) -> CheckResult {
    let reply = answer_to_wrong_password(&cx, Mechanism::Plain).await?;
    refused("PLAIN", &reply)
}

/// A wrong password with AUTH PLAIN should be answered 535.
pub async fn plain_failure(cx: CheckContext) -> CheckResult {
    let reply = answer_to_wrong_password(&cx, Mechanism::Plain).await?;
    if accepts(code(&reply)) {
        // Accepting it at all is reported once, at MUST level, by its own check.
        return Err(Finding::blocked(
            OWNER_PLAIN_WRONG_PASSWORD,
            current(&cx),
            "AUTH PLAIN with a wrong password refused",
            show(&reply),
        ));
    }
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

/// A wrong password with AUTH LOGIN must not authenticate.
pub async fn login_wrong_password(cx: CheckContext) -> CheckResult {
    let reply = answer_to_wrong_password(&cx, Mechanism::Login).await?;
    refused("LOGIN", &reply)
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

/// A transaction without AUTH over TLS must be refused with 530 by the first command the
/// server's policy refuses: MAIL, or RCPT for servers that accept MAIL and apply the policy
/// to recipients (Postfix's `smtpd_delay_reject`).
pub async fn required(cx: CheckContext) -> CheckResult {
    let mut session = SmtpSession::secure(&cx).await?;
    let address = cx
        .account(0)
        .map(|a| a.address.clone())
        .unwrap_or_else(|_| "someone@groupwire.invalid".to_string());
    let mail = session.command(&mail_from(Some(&address), "")).await?;
    if code(&mail) / 100 != 2 {
        session.quit().await;
        return expect_code(&mail, 530, "530 to MAIL without authentication");
    }
    let rcpt = session.command(&rcpt_to(&address)).await?;
    session.quit().await;
    match code(&rcpt) {
        530 => Ok(()),
        code if code / 100 == 2 => Err(Finding::violation(
            "530 to MAIL or RCPT without authentication",
            format!(
                "MAIL {} and RCPT {}: a transaction without authentication",
                show(&mail),
                show(&rcpt)
            ),
        )),
        _ => Err(Finding::violation(
            "530 to the first command refused for want of authentication",
            format!("MAIL {}, then RCPT {}", show(&mail), show(&rcpt)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plaintext_auth_is_processed_unless_refused_outright() {
        for refused in [500, 502, 503, 504, 530, 538, 554, 421] {
            assert_eq!(
                judge_plaintext_auth(refused),
                PlaintextAuth::Refused,
                "{refused}"
            );
        }
        for processed in [235, 250, 334, 535, 454, 432, 534] {
            assert_eq!(
                judge_plaintext_auth(processed),
                PlaintextAuth::Processed,
                "{processed}"
            );
        }
    }

    #[test]
    fn any_success_code_accepts_credentials() {
        assert!(accepts(235));
        assert!(accepts(250));
        assert!(!accepts(535));
        assert!(!accepts(454));
        assert!(!accepts(334));
    }
}
