//! ESMTP extensions a submission client relies on: ENHANCEDSTATUSCODES, SIZE, 8BITMIME,
//! SMTPUTF8, PIPELINING and CHUNKING.

use std::time::Duration;

use groupwire_smtp::Encode;
use groupwire_smtp::command::Command;

use super::basics::{test_message, transaction};
use super::session::{OwnedReply, SmtpSession, code, expect_code, mail_from, rcpt_to, show};
use crate::engine::{CheckContext, CheckResult, Finding};

/// Replies to NOOP, MAIL and RSET must carry an enhanced status code.
pub async fn enhanced_codes(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut session = SmtpSession::ready(&cx, &account).await?;
    let mut replies = vec![session.command(&Command::Noop { argument: None }).await?];
    replies.push(
        session
            .command(&mail_from(Some(&account.address), ""))
            .await?,
    );
    replies.push(session.command(&Command::Rset).await?);
    session.quit().await;
    for reply in &replies {
        let Some(enhanced) = reply.enhanced_code() else {
            return Err(Finding::violation(
                "an enhanced status code after the reply code",
                show(reply),
            ));
        };
        if u16::from(enhanced.class) != code(reply) / 100 {
            return Err(Finding::violation(
                "an enhanced status code whose class matches the reply code",
                show(reply),
            ));
        }
    }
    Ok(())
}

/// MAIL FROM with a SIZE above the advertised limit must give 552.
pub async fn size_declared(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut session = SmtpSession::ready(&cx, &account).await?;
    let Some(limit) = session.size_limit() else {
        session.quit().await;
        return Err(Finding::skip("SIZE is advertised without a limit"));
    };
    let reply = session
        .command(&mail_from(
            Some(&account.address),
            &format!("SIZE={}", limit + 1),
        ))
        .await?;
    session.quit().await;
    expect_code(&reply, 552, "552 to MAIL FROM with SIZE above the limit")
}

/// Message data above the SIZE limit (with no SIZE declared) must be refused with 552.
pub async fn size_data(cx: CheckContext) -> CheckResult {
    let mut session = transaction(&cx).await?;
    let Some(limit) = session.size_limit() else {
        session.quit().await;
        return Err(Finding::skip("SIZE is advertised without a limit"));
    };
    if limit > 24 * 1024 * 1024 {
        session.quit().await;
        return Err(Finding::skip(format!(
            "the SIZE limit {limit} is too large to exceed in a test"
        )));
    }
    let line = format!("{}\r\n", "x".repeat(998));
    let lines = usize::try_from(limit / 1000 + 2).unwrap_or(usize::MAX);
    let mut message = test_message(&cx, "size-data", "");
    message.reserve(lines * 1000);
    for _ in 0..lines {
        message.push_str(&line);
    }
    session.conn.set_read_timeout(Duration::from_secs(20));
    let reply = session.data(message.as_bytes()).await?;
    session.quit().await;
    expect_code(&reply, 552, "552 after message data above the SIZE limit")
}

/// BODY=8BITMIME and a message with 8-bit text must be accepted.
pub async fn eight_bit_mime(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut session = SmtpSession::ready(&cx, &account).await?;
    let reply = session
        .command(&mail_from(Some(&account.address), "BODY=8BITMIME"))
        .await?;
    expect_code(&reply, 250, "250 to MAIL FROM with BODY=8BITMIME")?;
    let reply = session.command(&rcpt_to(&account.address)).await?;
    expect_code(&reply, 250, "250 to RCPT").map_err(|f| Finding::harness(f.to_string()))?;
    let message = test_message(
        &cx,
        "8bitmime",
        "Gr\u{fc}\u{df}e aus K\u{f6}ln, \u{20ac}5.\r\n",
    );
    let reply = session.data(message.as_bytes()).await?;
    session.quit().await;
    expect_code(&reply, 250, "250 to an 8-bit message")
}

/// With SMTPUTF8, a sender mailbox with a UTF-8 local part must be accepted.
pub async fn smtputf8(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let Some((_, domain)) = account.address.rsplit_once('@') else {
        return Err(Finding::skip(
            "the account has no mail address (give `address` or the domain in the target)",
        ));
    };
    let sender = format!("gw-\u{e9}l\u{e8}ve-\u{43c}\u{438}\u{440}@{domain}");
    let mut session = SmtpSession::ready(&cx, &account).await?;
    let reply = session
        .command(&mail_from(Some(&sender), "SMTPUTF8"))
        .await?;
    session.quit().await;
    if let Some(enhanced) = reply.enhanced_code()
        && enhanced.subject == 7
    {
        return Err(Finding::skip(format!(
            "the server's policy refuses this sender ({})",
            show(&reply)
        )));
    }
    expect_code(
        &reply,
        250,
        "250 to MAIL FROM a UTF-8 mailbox with SMTPUTF8",
    )
}

/// MAIL, RCPT, RCPT, NOOP in one write must get four replies in that order.
pub async fn pipelining(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut session = SmtpSession::ready(&cx, &account).await?;
    let commands = [
        mail_from(Some(&account.address), ""),
        rcpt_to(&account.address),
        rcpt_to(&account.address),
        Command::Noop {
            argument: Some("last".into()),
        },
    ];
    let mut batch = Vec::new();
    for command in &commands {
        batch.extend_from_slice(&command.to_vec());
    }
    session.conn.send(&batch).await?;
    session.conn.set_read_timeout(Duration::from_secs(3));
    let mut replies: Vec<OwnedReply> = Vec::new();
    for _ in &commands {
        match session.read_reply().await {
            Ok(reply) => replies.push(reply),
            Err(_) => break,
        }
    }
    session.quit().await;
    if replies.len() != commands.len() {
        return Err(Finding::violation(
            "4 replies to 4 pipelined commands",
            format!("{} replies", replies.len()),
        ));
    }
    let codes: Vec<u16> = replies.iter().map(code).collect();
    if codes.iter().all(|&c| c == 250) {
        Ok(())
    } else {
        Err(Finding::violation(
            "250 250 250 250, in order",
            format!("{codes:?}"),
        ))
    }
}

/// `BDAT n LAST` with the whole message must give 250.
pub async fn bdat_last(cx: CheckContext) -> CheckResult {
    let mut session = transaction(&cx).await?;
    let message = test_message(&cx, "bdat-last", "");
    let reply = send_bdat(&mut session, message.as_bytes(), true).await?;
    session.quit().await;
    expect_code(&reply, 250, "250 to BDAT LAST")
}

/// Sends one BDAT chunk and reads its reply.
pub async fn send_bdat(
    session: &mut SmtpSession,
    chunk: &[u8],
    last: bool,
) -> Result<OwnedReply, Finding> {
    let mut bytes = Command::Bdat {
        size: chunk.len() as u64,
        last,
    }
    .to_vec();
    bytes.extend_from_slice(chunk);
    session.conn.send(&bytes).await?;
    session.read_reply().await
}
