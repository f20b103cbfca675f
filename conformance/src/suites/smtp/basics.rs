//! Session basics: greeting, EHLO/HELO, NOOP, QUIT, RSET, unknown commands, command order,
//! line limits, and the reply codes of the mail transaction.

use groupwire_smtp::Encode;
use groupwire_smtp::command::Command;

use super::session::{SmtpSession, code, expect_code, frame_reply, mail_from, rcpt_to, show};
use crate::engine::{CheckContext, CheckResult, ConnError, Finding};

/// The greeting must be 220.
pub async fn greeting(cx: CheckContext) -> CheckResult {
    let session = SmtpSession::connect(&cx).await?;
    let result = expect_code(&session.greeting, 220, "a 220 greeting");
    session.quit().await;
    result
}

/// `EHLO` must be answered 250.
pub async fn ehlo(cx: CheckContext) -> CheckResult {
    let mut session = SmtpSession::connect(&cx).await?;
    let reply = session.ehlo().await?;
    session.quit().await;
    expect_code(&reply, 250, "250 to EHLO")
}

/// `HELO` must be answered 250.
pub async fn helo(cx: CheckContext) -> CheckResult {
    let mut session = SmtpSession::connect(&cx).await?;
    let reply = session
        .command(&Command::Helo {
            domain: super::session::CLIENT_NAME.into(),
        })
        .await?;
    session.quit().await;
    expect_code(&reply, 250, "250 to HELO")
}

/// `NOOP` must be answered 250.
pub async fn noop(cx: CheckContext) -> CheckResult {
    let mut session = SmtpSession::connect(&cx).await?;
    session.ehlo().await?;
    let reply = session.command(&Command::Noop { argument: None }).await?;
    session.quit().await;
    expect_code(&reply, 250, "250 to NOOP")
}

/// `QUIT` must be answered 221, then the connection closes.
pub async fn quit(cx: CheckContext) -> CheckResult {
    let mut session = SmtpSession::connect(&cx).await?;
    session.ehlo().await?;
    session.send(&Command::Quit).await?;
    match session
        .conn
        .read_until_decoded(super::session::frame_reply)
        .await
    {
        Ok(reply) => {
            expect_code(&reply, 221, "221 to QUIT")?;
            let closed = session
                .conn
                .closed_within(std::time::Duration::from_secs(2))
                .await?;
            if closed {
                Ok(())
            } else {
                Err(Finding::violation(
                    "the connection closed after 221",
                    "it stayed open",
                ))
            }
        }
        Err(ConnError::Closed { .. }) => Err(Finding::violation(
            "a 221 reply before the connection closes",
            "the connection closed without a reply",
        )),
        Err(error) => Err(error.into()),
    }
}

/// A verb nobody defines must be answered 500.
pub async fn unknown_command(cx: CheckContext) -> CheckResult {
    let mut session = SmtpSession::connect(&cx).await?;
    session.ehlo().await?;
    let reply = session
        .command(&Command::Unknown {
            verb: b"XGROUPWIREUNKNOWN".as_slice().into(),
            arguments: None,
        })
        .await?;
    session.quit().await;
    expect_code(&reply, 500, "500 to an unrecognised command")
}

/// RCPT with no MAIL before it must be answered 503.
pub async fn rcpt_before_mail(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut session = SmtpSession::ready(&cx, &account).await?;
    let reply = session.command(&rcpt_to(&account.address)).await?;
    session.quit().await;
    expect_code(&reply, 503, "503 to RCPT before MAIL")
}

/// DATA with no accepted RCPT must be refused with 503 or 554.
pub async fn data_before_rcpt(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut session = SmtpSession::ready(&cx, &account).await?;
    let reply = session
        .command(&mail_from(Some(&account.address), ""))
        .await?;
    expect_code(&reply, 250, "250 to MAIL")
        .map_err(|finding| Finding::harness(finding.to_string()))?;
    let reply = session.command(&Command::Data).await?;
    if code(&reply) == 354 {
        // Close the accidental message without content.
        let _ = session.raw(b".\r\n").await;
    }
    session.quit().await;
    match code(&reply) {
        503 | 554 => Ok(()),
        _ => Err(Finding::violation(
            "503 or 554 to DATA without RCPT",
            show(&reply),
        )),
    }
}

/// RSET must be answered 250 and forget the sender: a RCPT after it is out of sequence.
pub async fn rset(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut session = SmtpSession::ready(&cx, &account).await?;
    let reply = session
        .command(&mail_from(Some(&account.address), ""))
        .await?;
    expect_code(&reply, 250, "250 to MAIL").map_err(|f| Finding::harness(f.to_string()))?;
    let reply = session.command(&Command::Rset).await?;
    expect_code(&reply, 250, "250 to RSET")?;
    let reply = session.command(&rcpt_to(&account.address)).await?;
    session.quit().await;
    expect_code(
        &reply,
        503,
        "503 to RCPT after RSET (the sender must be forgotten)",
    )
}

/// A second EHLO must reset the transaction: RCPT after it is out of sequence.
pub async fn ehlo_resets(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut session = SmtpSession::ready(&cx, &account).await?;
    let reply = session
        .command(&mail_from(Some(&account.address), ""))
        .await?;
    expect_code(&reply, 250, "250 to MAIL").map_err(|f| Finding::harness(f.to_string()))?;
    let reply = session.ehlo().await?;
    expect_code(&reply, 250, "250 to the second EHLO")?;
    let reply = session.command(&rcpt_to(&account.address)).await?;
    session.quit().await;
    expect_code(
        &reply,
        503,
        "503 to RCPT after a second EHLO (the transaction must be reset)",
    )
}

/// A 2000-octet command line is one line: the server may execute it or refuse it (RFC 5321
/// §4.5.3.1 encourages accepting long lines; 500 "Line too long" is the usual refusal), but
/// it answers it once and stays in step, so the next NOOP gets its own 250. A server that
/// cuts the line at its limit and runs the rest as another command is out of step by one
/// reply from then on (the SMTP analogue of smuggling by line length).
pub async fn line_too_long(cx: CheckContext) -> CheckResult {
    let mut session = SmtpSession::connect(&cx).await?;
    session.ehlo().await?;
    let long = Command::Noop {
        argument: Some("x".repeat(2000).into()),
    };
    let reply = session.command(&long).await?;
    if code(&reply) / 100 != 2 && code(&reply) / 100 != 5 && code(&reply) != 421 {
        session.quit().await;
        return Err(Finding::violation(
            "250 (executed) or 5xx (refused, e.g. 500 Line too long) to a 2000-octet command line",
            show(&reply),
        ));
    }
    if code(&reply) == 421 {
        // Refused and closing: nothing was misread.
        session.quit().await;
        return Ok(());
    }
    let noop = Command::Noop {
        argument: Some("after-long-line".into()),
    };
    let after = match session.conn.send(&noop.to_vec()).await {
        Ok(()) => session.conn.read_until_decoded(frame_reply).await,
        Err(error) => Err(error),
    };
    let after = match after {
        Ok(after) => after,
        // A server may refuse the line and hang up; then nothing after it ran either.
        Err(ConnError::Closed { .. } | ConnError::Io(_)) if code(&reply) / 100 == 5 => {
            cx.note(format!(
                "the server closed the connection after {}",
                show(&reply)
            ));
            return Ok(());
        }
        Err(error) => return Err(error.into()),
    };
    session.quit().await;
    expect_code(
        &after,
        250,
        "250 to the next NOOP (one reply to the long line, the session in step)",
    )
    .map_err(|finding| match finding {
        Finding::Violation { expected, actual } => Finding::violation(
            expected,
            format!("{actual}: a second reply to the long line (it was split into two commands)"),
        ),
        other => other,
    })
}

/// MAIL FROM the authenticated account must be answered 250.
pub async fn mail_accepted(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut session = SmtpSession::ready(&cx, &account).await?;
    let reply = session
        .command(&mail_from(Some(&account.address), ""))
        .await?;
    session.quit().await;
    expect_code(&reply, 250, "250 to MAIL FROM the authenticated address")
}

/// RCPT TO a local account must be answered 250.
pub async fn rcpt_accepted(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut session = SmtpSession::ready(&cx, &account).await?;
    let reply = session
        .command(&mail_from(Some(&account.address), ""))
        .await?;
    expect_code(&reply, 250, "250 to MAIL").map_err(|f| Finding::harness(f.to_string()))?;
    let reply = session.command(&rcpt_to(&account.address)).await?;
    session.quit().await;
    expect_code(&reply, 250, "250 to RCPT TO a local account")
}

/// RCPT TO a local address that does not exist must be answered 550.
pub async fn rcpt_unknown(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let Some((_, domain)) = account.address.rsplit_once('@') else {
        return Err(Finding::skip(
            "the account has no mail address (give `address` or the domain in the target)",
        ));
    };
    let nobody = format!("{}@{domain}", cx.scratch_name("nobody"));
    let mut session = SmtpSession::ready(&cx, &account).await?;
    let reply = session
        .command(&mail_from(Some(&account.address), ""))
        .await?;
    expect_code(&reply, 250, "250 to MAIL").map_err(|f| Finding::harness(f.to_string()))?;
    let reply = session.command(&rcpt_to(&nobody)).await?;
    session.quit().await;
    expect_code(&reply, 550, "550 to RCPT TO an unknown local user")
}

/// Opens a transaction from and to the first account; returns the session.
pub async fn transaction(cx: &CheckContext) -> Result<SmtpSession, Finding> {
    let account = cx.account(0)?.clone();
    let mut session = SmtpSession::ready(cx, &account).await?;
    let reply = session
        .command(&mail_from(Some(&account.address), ""))
        .await?;
    expect_code(&reply, 250, "250 to MAIL").map_err(|f| Finding::harness(f.to_string()))?;
    let reply = session.command(&rcpt_to(&account.address)).await?;
    expect_code(&reply, 250, "250 to RCPT").map_err(|f| Finding::harness(f.to_string()))?;
    Ok(session)
}

/// DATA after a recipient must be answered 354.
pub async fn data_354(cx: CheckContext) -> CheckResult {
    let mut session = transaction(&cx).await?;
    let reply = session.command(&Command::Data).await?;
    if code(&reply) == 354 {
        let _ = session
            .raw(b"Subject: groupwire\r\n\r\nbody\r\n.\r\n")
            .await;
    }
    session.quit().await;
    expect_code(&reply, 354, "354 to DATA")
}

/// The end of data must be answered 250.
pub async fn data_250(cx: CheckContext) -> CheckResult {
    let mut session = transaction(&cx).await?;
    let message = test_message(&cx, "data-250", "");
    let reply = session.data(message.as_bytes()).await?;
    session.quit().await;
    expect_code(&reply, 250, "250 after <CRLF>.<CRLF>")
}

/// A small RFC 5322 message from the first account to itself.
pub fn test_message(cx: &CheckContext, tag: &str, body: &str) -> String {
    let address = cx.account(0).map(|a| a.address.clone()).unwrap_or_default();
    format!(
        "From: <{address}>\r\nTo: <{address}>\r\nSubject: {}\r\nMessage-ID: <{}@groupwire.invalid>\r\n\
         Date: {}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         groupwire conformance test message.\r\n{body}",
        cx.scratch_name(tag),
        cx.scratch_name(tag),
        chrono::Utc::now().to_rfc2822(),
    )
}
