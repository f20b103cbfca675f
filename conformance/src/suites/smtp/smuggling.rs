//! SMTP smuggling: only `<CRLF>.<CRLF>` ends message data. A server that also ends it at
//! `<LF>.<LF>`, `<CR>.<CR>` or `<CRLF>.<LF>` executes the text after it as commands, which is
//! how a message can carry a second, forged one (CVE-2023-51764 and kin).
//!
//! Each check sends one message whose body holds the fake terminator followed by a NOOP, ends
//! it properly, and QUITs: a safe server answers the message once (250, or 5xx if it refuses
//! bare line ends) and then 221; a vulnerable one answers the smuggled NOOP too.

use std::time::Duration;

use groupwire_smtp::Encode;
use groupwire_smtp::command::Command;

use super::basics::{test_message, transaction};
use super::session::{code, frame_reply, show};
use crate::engine::{CheckContext, CheckResult, ConnError, Finding};

async fn smuggle(cx: CheckContext, fake_end: &[u8]) -> CheckResult {
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
    payload.extend_from_slice(
        &Command::Noop {
            argument: Some("smuggled".into()),
        }
        .to_vec(),
    );
    payload.extend_from_slice(b"more text of the same message\r\n.\r\n");
    payload.extend_from_slice(&Command::Quit.to_vec());
    session.conn.send(&payload).await?;
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
    session.conn.close().await;
    match codes.as_slice() {
        [first, 221] if *first == 250 || *first / 100 == 5 => Ok(()),
        _ => Err(Finding::violation(
            "one reply to the message (250, or 5xx for bare line ends), then 221",
            format!("replies {codes:?}: the fake terminator ended the data"),
        )),
    }
}

/// `<LF>.<LF>` must not end the data.
pub async fn lf_dot_lf(cx: CheckContext) -> CheckResult {
    smuggle(cx, b"\n.\n").await
}

/// `<CR>.<CR>` must not end the data.
pub async fn cr_dot_cr(cx: CheckContext) -> CheckResult {
    smuggle(cx, b"\r.\r").await
}

/// `<CR><LF>.<LF>` must not end the data.
pub async fn crlf_dot_lf(cx: CheckContext) -> CheckResult {
    smuggle(cx, b"\r\n.\n").await
}
