//! End-to-end delivery: what submission accepts must arrive, intact, in the recipient's
//! INBOX, read back over IMAP (both through the codecs).

use std::time::Duration;

use groupwire_smtp::command::Command;

use super::basics::test_message;
use super::extensions::send_bdat;
use super::session::{SmtpSession, expect_code, mail_from, rcpt_to};
use crate::engine::{CheckContext, CheckResult, Finding};
use crate::suites::imap::session::{ImapSession, fetch_section, quoted};

/// Waits up to 10 s for a message whose Subject contains `marker` in the INBOX of account
/// `index`; returns its raw octets.
pub async fn wait_for_message(
    cx: &CheckContext,
    index: usize,
    marker: &str,
) -> Result<Option<Vec<u8>>, Finding> {
    let mut session = ImapSession::ready(cx, index).await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let found = loop {
        session.must("SELECT INBOX").await?;
        let reply = session
            .must(&format!("UID SEARCH HEADER SUBJECT {}", quoted(marker)))
            .await?;
        if let Some(uid) = reply.search().and_then(|uids| uids.last().copied()) {
            let fetched = session
                .must(&format!("UID FETCH {uid} (BODY.PEEK[])"))
                .await?;
            break fetched.fetches().find_map(fetch_section);
        }
        if tokio::time::Instant::now() >= deadline {
            break None;
        }
        session.must("UNSELECT").await?;
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    session.logout().await;
    Ok(found)
}

fn header_lines(message: &[u8]) -> Vec<String> {
    let end = crate::reference::mime::header_end(message);
    String::from_utf8_lossy(message.get(..end).unwrap_or_default())
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// A message for account B arrives in B's INBOX with every header line intact.
pub async fn end_to_end(cx: CheckContext) -> CheckResult {
    let sender = cx.account(0)?.clone();
    let recipient = cx.account(1)?.clone();
    let marker = cx.scratch_name("e2e");
    let message = format!(
        "From: <{}>\r\nTo: <{}>\r\nSubject: {marker}\r\nMessage-ID: <{marker}@groupwire.invalid>\r\n\
         Date: {}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         X-Groupwire-Check: end-to-end\r\n\r\nHello from the groupwire harness.\r\n",
        sender.address,
        recipient.address,
        chrono::Utc::now().to_rfc2822()
    );
    let mut session = SmtpSession::ready(&cx, &sender).await?;
    expect_code(
        &session
            .command(&mail_from(Some(&sender.address), ""))
            .await?,
        250,
        "250 to MAIL",
    )
    .map_err(|f| Finding::harness(f.to_string()))?;
    expect_code(
        &session.command(&rcpt_to(&recipient.address)).await?,
        250,
        "250 to RCPT",
    )
    .map_err(|f| Finding::harness(f.to_string()))?;
    let reply = session.data(message.as_bytes()).await?;
    session.quit().await;
    expect_code(&reply, 250, "250 after the message")
        .map_err(|f| Finding::harness(f.to_string()))?;
    let Some(delivered) = wait_for_message(&cx, 1, &marker).await? else {
        return Err(Finding::violation(
            format!("the message in {}'s INBOX within 10 s", recipient.address),
            "not delivered",
        ));
    };
    let delivered_headers = header_lines(&delivered);
    let missing: Vec<String> = header_lines(message.as_bytes())
        .into_iter()
        .filter(|line| !delivered_headers.contains(line))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Finding::violation(
            "every submitted header line in the delivered message",
            format!("missing {missing:?}"),
        ))
    }
}

/// Lines starting with a dot arrive with the stuffing dot removed.
pub async fn transparency(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut session = super::basics::transaction(&cx).await?;
    let body = ".hidden line\r\n..two dots\r\nend\r\n";
    let message = test_message(&cx, "dots", body);
    let reply = session.data(message.as_bytes()).await?;
    session.quit().await;
    expect_code(&reply, 250, "250 after the message")
        .map_err(|f| Finding::harness(f.to_string()))?;
    let marker = cx.scratch_name("dots");
    let Some(delivered) = wait_for_message(&cx, 0, &marker).await? else {
        return Err(Finding::harness(format!(
            "the message did not arrive in {}'s INBOX",
            account.address
        )));
    };
    let text = String::from_utf8_lossy(&delivered);
    if text.contains("\r\n.hidden line\r\n..two dots\r\n") {
        Ok(())
    } else {
        Err(Finding::violation(
            ".hidden line and ..two dots as sent",
            text.chars()
                .rev()
                .take(120)
                .collect::<String>()
                .chars()
                .rev()
                .collect::<String>(),
        ))
    }
}

/// Two BDAT chunks and an empty BDAT LAST make one whole message.
pub async fn bdat_chunks(cx: CheckContext) -> CheckResult {
    let mut session = super::basics::transaction(&cx).await?;
    let message = test_message(&cx, "bdat-chunks", "second chunk arrives too\r\n");
    let (first, second) = message.as_bytes().split_at(message.len() / 2);
    let reply = send_bdat(&mut session, first, false).await?;
    expect_code(&reply, 250, "250 to the first BDAT chunk")?;
    let reply = send_bdat(&mut session, second, false).await?;
    expect_code(&reply, 250, "250 to the second BDAT chunk")?;
    let reply = send_bdat(&mut session, b"", true).await?;
    expect_code(&reply, 250, "250 to BDAT 0 LAST")?;
    session.send(&Command::Quit).await?;
    session.conn.close().await;
    let marker = cx.scratch_name("bdat-chunks");
    let Some(delivered) = wait_for_message(&cx, 0, &marker).await? else {
        return Err(Finding::violation(
            "the chunked message in the INBOX",
            "not delivered",
        ));
    };
    let text = String::from_utf8_lossy(&delivered);
    if text.contains(&marker) && text.contains("second chunk arrives too") {
        Ok(())
    } else {
        Err(Finding::violation(
            "both chunks in the delivered message",
            text.into_owned(),
        ))
    }
}
