//! Behaviour across sessions: UID stability, another session's APPEND showing up as EXISTS,
//! and IDLE waking on it.

use std::time::Duration;

use groupwire_imap::response::code::Code;
use groupwire_imap::response::status::Status;
use groupwire_imap::response::{Data, Response};

use super::fixture::{Scratch, append, plain_message};
use super::session::{ImapSession, fetch_uid, quoted, show};
use crate::engine::{CheckContext, CheckResult, Finding};

fn uidvalidity(reply: &super::session::Reply) -> Option<u32> {
    reply.codes().find_map(|c| match c {
        Code::UidValidity(n) => Some(n.get()),
        _ => None,
    })
}

/// UIDs and UIDVALIDITY are the same in a second session.
pub async fn uid_stability(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 3, false, true).await?;
    let first_validity = scratch.selected.as_ref().and_then(uidvalidity);
    let first = scratch.session.must("FETCH 1:* (UID)").await?;
    let first_uids: Vec<u32> = first.fetches().filter_map(fetch_uid).collect();
    let mut other = ImapSession::ready(&cx, 0).await?;
    let second_select = other
        .must(&format!("SELECT {}", quoted(&scratch.mailbox)))
        .await?;
    let second = other.must("FETCH 1:* (UID)").await?;
    let second_uids: Vec<u32> = second.fetches().filter_map(fetch_uid).collect();
    other.logout().await;
    let result = if first_validity.is_some()
        && first_validity == uidvalidity(&second_select)
        && first_uids == second_uids
        && first_uids.len() == 3
    {
        Ok(())
    } else {
        Err(Finding::violation(
            format!("UIDVALIDITY {first_validity:?} and UIDs {first_uids:?} again"),
            format!(
                "UIDVALIDITY {:?} and UIDs {second_uids:?}",
                uidvalidity(&second_select)
            ),
        ))
    };
    scratch.finish(result).await
}

/// A message APPENDed in session B is announced as EXISTS in session A on NOOP.
pub async fn exists_from_other_session(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 1, false, true).await?;
    let mut other = ImapSession::ready(&cx, 0).await?;
    append(
        &mut other,
        &scratch.mailbox.clone(),
        "",
        &plain_message(&cx, 7),
    )
    .await?;
    other.logout().await;
    let reply = scratch.session.must("NOOP").await?;
    let result = match reply.exists() {
        Some(2) => Ok(()),
        _ => Err(Finding::violation(
            "* 2 EXISTS in answer to NOOP",
            reply.show_all(),
        )),
    };
    scratch.finish(result).await
}

async fn start_idle(scratch: &mut Scratch) -> Result<(), Finding> {
    scratch.session.conn.send(b"gidle IDLE\r\n").await?;
    loop {
        match scratch.session.read().await? {
            Response::Continuation(_) => return Ok(()),
            Response::Status(s) if s.tag.is_some() => {
                return Err(Finding::violation(
                    "a `+` continuation to IDLE",
                    format!("{:?}", s.status),
                ));
            }
            _ => {}
        }
    }
}

/// IDLE reports a message appended by another session, without being asked.
pub async fn idle_wakes(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 1, false, true).await?;
    start_idle(&mut scratch).await?;
    let mut other = ImapSession::ready(&cx, 0).await?;
    append(
        &mut other,
        &scratch.mailbox.clone(),
        "",
        &plain_message(&cx, 8),
    )
    .await?;
    other.logout().await;
    let mut woke = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while tokio::time::Instant::now() < deadline {
        if let Some(Response::Data(Data::Exists(2))) = scratch
            .session
            .read_within(Duration::from_millis(500))
            .await?
        {
            woke = true;
            break;
        }
    }
    scratch.session.conn.send(b"DONE\r\n").await?;
    let _ = scratch.session.read_within(Duration::from_secs(2)).await;
    let result = if woke {
        Ok(())
    } else {
        Err(Finding::violation(
            "* 2 EXISTS during IDLE within 5 s",
            "nothing",
        ))
    };
    scratch.finish(result).await
}

/// DONE ends IDLE with the tagged OK.
pub async fn idle_done(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 0, false, true).await?;
    start_idle(&mut scratch).await?;
    scratch.session.conn.send(b"DONE\r\n").await?;
    let mut ended = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while tokio::time::Instant::now() < deadline {
        match scratch
            .session
            .read_within(Duration::from_millis(500))
            .await?
        {
            Some(Response::Status(s)) if s.tag.as_ref().is_some_and(|t| t.as_str() == "gidle") => {
                ended = Some(s.status);
                break;
            }
            Some(other) => scratch
                .session
                .conn
                .note(format!("while waiting: {}", show(&other))),
            None => {}
        }
    }
    let result = match ended {
        Some(Status::Ok) => Ok(()),
        other => Err(Finding::violation(
            "the tagged OK to IDLE after DONE",
            format!("{other:?}"),
        )),
    };
    scratch.finish(result).await
}
