//! SMTP smuggling: only `<CRLF>.<CRLF>` ends message data. A server that also ends it at a
//! look-alike (`<LF>.<LF>`, `<LF>.<CRLF>`, `<CRLF>.<LF>`, `<CR>.<CRLF>`, `<CRLF>.<CR>`,
//! `<CR>.<CR>`), or a BDAT chunk at a `<CRLF>.<CRLF>` inside it, executes the text after it
//! as commands, which is how a message can carry a second, forged one (CVE-2023-51764 and
//! kin). A server that takes a bare LF or CR for a line end inside the data (and so removes a
//! dot after it as dot-stuffing) shows the same misreading in the delivered message.
//!
//! Each terminator check sends one message whose body holds the fake terminator followed by
//! a NOOP, ends it properly, and QUITs, all in one write. The replies tell what happened
//! ([`judge_smuggling`]): a safe server answers the message exactly once (250, or 4xx/5xx if
//! it refuses bare line ends, possibly closing the connection) and then QUIT with 221; a
//! vulnerable one answers more than once before the 221: the message at the fake
//! terminator, then the smuggled NOOP, then the rest of the text as unknown commands.

use std::time::Duration;

use groupwire_smtp::Encode;
use groupwire_smtp::command::Command;

use super::basics::{test_message, transaction};
use super::delivery::wait_for_message;
use super::session::{SmtpSession, code, frame_reply, show};
use crate::engine::{CheckContext, CheckResult, ConnError, Finding};

/// What the replies to a message with a fake terminator (then QUIT) say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Smuggling {
    /// One answer to the message, then 221 to QUIT (or the connection closed): the text
    /// after the fake terminator stayed message data.
    Safe,
    /// More than one answer before QUIT's 221: the server ended the message early and
    /// executed what followed as commands.
    Smuggled,
    /// No answer to the message at all: nothing can be concluded.
    NoAnswer,
}

/// Judges the reply codes read after sending a message with a fake terminator and QUIT, in
/// order; the last is 221 when the server answered QUIT.
pub fn judge_smuggling(codes: &[u16]) -> Smuggling {
    let before_quit = match codes.split_last() {
        Some((221, rest)) => rest,
        _ => codes,
    };
    match before_quit.len() {
        0 => Smuggling::NoAnswer,
        1 => Smuggling::Safe,
        _ => Smuggling::Smuggled,
    }
}

/// Reads replies until 221, the end of the stream, a pause of 3 s, or 8 replies.
async fn read_codes(session: &mut SmtpSession) -> Result<Vec<u16>, Finding> {
    session.conn.set_read_timeout(Duration::from_secs(3));
    let mut codes = Vec::new();
    loop {
        match session.conn.read_until_decoded(frame_reply).await {
            Ok(reply) => {
                codes.push(code(&reply));
                if code(&reply) == 221 || codes.len() > 8 {
                    break;
                }
            }
            Err(ConnError::Closed { .. } | ConnError::Timeout { .. } | ConnError::Io(_)) => break,
            Err(error) => return Err(error.into()),
        }
    }
    Ok(codes)
}

fn verdict(codes: &[u16], fake_end: &str) -> CheckResult {
    match judge_smuggling(codes) {
        Smuggling::Safe => Ok(()),
        Smuggling::NoAnswer => Err(Finding::harness(format!(
            "no reply to the message (replies {codes:?})"
        ))),
        Smuggling::Smuggled => Err(Finding::violation(
            "one reply to the message (250, or 4xx/5xx refusing bare line ends), then 221",
            format!(
                "replies {codes:?}: {fake_end} ended the data and the text after it ran as \
                 commands"
            ),
        )),
    }
}

/// The smuggled part: a NOOP and a line that is only text.
fn smuggled_tail() -> Vec<u8> {
    let mut tail = Command::Noop {
        argument: Some("smuggled".into()),
    }
    .to_vec();
    tail.extend_from_slice(b"more text of the same message\r\n");
    tail
}

async fn smuggle(cx: CheckContext, fake_end: &[u8], name: &str) -> CheckResult {
    let mut session = transaction(&cx).await?;
    let reply = session.command(&Command::Data).await?;
    if code(&reply) != 354 {
        session.quit().await;
        return Err(Finding::harness(format!(
            "no 354 to DATA: {}",
            show(&reply)
        )));
    }
    let mut payload = test_message(&cx, "smuggling", "first part").into_bytes();
    payload.extend_from_slice(fake_end);
    payload.extend_from_slice(&smuggled_tail());
    payload.extend_from_slice(b".\r\n");
    payload.extend_from_slice(&Command::Quit.to_vec());
    session.conn.send(&payload).await?;
    let codes = read_codes(&mut session).await?;
    session.conn.close().await;
    verdict(&codes, name)
}

/// `<LF>.<LF>` must not end the data.
pub async fn lf_dot_lf(cx: CheckContext) -> CheckResult {
    smuggle(cx, b"\n.\n", "<LF>.<LF>").await
}

/// `<LF>.<CRLF>` must not end the data.
pub async fn lf_dot_crlf(cx: CheckContext) -> CheckResult {
    smuggle(cx, b"\n.\r\n", "<LF>.<CRLF>").await
}

/// `<CR><LF>.<LF>` must not end the data.
pub async fn crlf_dot_lf(cx: CheckContext) -> CheckResult {
    smuggle(cx, b"\r\n.\n", "<CRLF>.<LF>").await
}

/// `<CR>.<CR><LF>` must not end the data.
pub async fn cr_dot_crlf(cx: CheckContext) -> CheckResult {
    smuggle(cx, b"\r.\r\n", "<CR>.<CRLF>").await
}

/// `<CR><LF>.<CR>` must not end the data.
pub async fn crlf_dot_cr(cx: CheckContext) -> CheckResult {
    smuggle(cx, b"\r\n.\r", "<CRLF>.<CR>").await
}

/// `<CR>.<CR>` must not end the data.
pub async fn cr_dot_cr(cx: CheckContext) -> CheckResult {
    smuggle(cx, b"\r.\r", "<CR>.<CR>").await
}

/// A BDAT chunk is exactly its declared octets: a `<CRLF>.<CRLF>` inside it neither ends it
/// nor lets the octets after it run as commands.
pub async fn bdat_dot_in_chunk(cx: CheckContext) -> CheckResult {
    let mut session = transaction(&cx).await?;
    let mut chunk = test_message(&cx, "smuggling-bdat", "first part\r\n.\r\n").into_bytes();
    chunk.extend_from_slice(&smuggled_tail());
    let mut payload = Command::Bdat {
        size: chunk.len() as u64,
        last: true,
    }
    .to_vec();
    payload.extend_from_slice(&chunk);
    payload.extend_from_slice(&Command::Quit.to_vec());
    session.conn.send(&payload).await?;
    let codes = read_codes(&mut session).await?;
    session.conn.close().await;
    verdict(&codes, "<CRLF>.<CRLF> inside the BDAT chunk")
}

/// Sends a message whose body has `line_end` (a bare LF or CR) right before a line that
/// starts with two dots; the delivered message must keep both dots (a server that took the
/// bare octet for a line end removes one as dot-stuffing). Refusing the message (5xx) is
/// also safe.
async fn bare_line_end(cx: CheckContext, line_end: &[u8], name: &str, tag: &str) -> CheckResult {
    // The verdict is read from the delivered message: no IMAP endpoint, no check.
    crate::suites::imap::session::imap_endpoint(&cx)?;
    let marker_text = format!("..{tag}-two-dots");
    let mut body = b"text before a bare line end".to_vec();
    body.extend_from_slice(line_end);
    body.extend_from_slice(marker_text.as_bytes());
    body.extend_from_slice(b"\r\n");
    let mut message = test_message(&cx, tag, "").into_bytes();
    message.extend_from_slice(&body);
    let mut session = transaction(&cx).await?;
    let reply = session.command(&Command::Data).await?;
    if code(&reply) != 354 {
        session.quit().await;
        return Err(Finding::harness(format!(
            "no 354 to DATA: {}",
            show(&reply)
        )));
    }
    // Sent as is: the codec's dot-stuffer would be right to touch nothing here, but the
    // point is the exact octets.
    message.extend_from_slice(b".\r\n");
    let reply = session.raw(&message).await?;
    session.quit().await;
    match code(&reply) / 100 {
        2 => {}
        5 => {
            cx.note(format!(
                "the message with a bare {name} was refused: {}",
                show(&reply)
            ));
            return Ok(());
        }
        _ => {
            return Err(Finding::harness(format!(
                "the message was not accepted: {}",
                show(&reply)
            )));
        }
    }
    let marker = cx.scratch_name(tag);
    let Some(delivered) = wait_for_message(&cx, 0, &marker).await? else {
        return Err(Finding::harness(format!(
            "the message with a bare {name} did not arrive in the INBOX within 10 s"
        )));
    };
    let text = String::from_utf8_lossy(&delivered);
    let single = &marker_text[1..];
    if text.contains(&marker_text) {
        Ok(())
    } else if text.contains(single) {
        Err(Finding::violation(
            format!("{marker_text:?} delivered as sent (a bare {name} is not a line end)"),
            format!("{single:?}: a dot was removed as if the bare {name} had ended a line"),
        ))
    } else {
        Err(Finding::harness(format!(
            "{marker_text:?} is not in the delivered message"
        )))
    }
}

/// A bare LF inside the data is not a line end.
pub async fn bare_lf(cx: CheckContext) -> CheckResult {
    bare_line_end(cx, b"\n", "LF", "bare-lf").await
}

/// A bare CR inside the data is not a line end.
pub async fn bare_cr(cx: CheckContext) -> CheckResult {
    bare_line_end(cx, b"\r", "CR", "bare-cr").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_answer_then_quit_is_safe() {
        assert_eq!(judge_smuggling(&[250, 221]), Smuggling::Safe);
        assert_eq!(judge_smuggling(&[554, 221]), Smuggling::Safe);
        // Postfix with smtpd_forbid_bare_newline = yes: 521 and the connection closes.
        assert_eq!(judge_smuggling(&[521]), Smuggling::Safe);
        assert_eq!(judge_smuggling(&[250]), Smuggling::Safe);
    }

    #[test]
    fn more_answers_before_quit_mean_the_tail_ran_as_commands() {
        // Postfix 3.7 with default settings and `<LF>.<CRLF>`: the message, the NOOP, the
        // text line; then its 221.
        assert_eq!(judge_smuggling(&[250, 250, 500, 221]), Smuggling::Smuggled);
        // A refusal mid-data that goes back to command mode runs the NOOP all the same.
        assert_eq!(judge_smuggling(&[550, 250, 500, 221]), Smuggling::Smuggled);
        assert_eq!(judge_smuggling(&[250, 250]), Smuggling::Smuggled);
    }

    #[test]
    fn no_answer_to_the_message_is_no_verdict() {
        assert_eq!(judge_smuggling(&[]), Smuggling::NoAnswer);
        assert_eq!(judge_smuggling(&[221]), Smuggling::NoAnswer);
    }
}
