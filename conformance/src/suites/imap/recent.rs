//! `\Recent` for IMAP4rev1 sessions (RFC 3501 §2.3.2): the first session told of a message
//! sees it recent (SELECT's RECENT count, FETCH FLAGS, SEARCH RECENT/NEW/OLD), a later one
//! does not.

use groupwire_imap::response::Data;

use super::fixture::{Scratch, append, plain_message};
use super::session::{ImapSession, Reply, fetch_flags, quoted};
use crate::engine::{CheckContext, CheckResult, Finding};

/// The RECENT count of a SELECT/EXAMINE reply.
fn recent(reply: &Reply) -> Option<u32> {
    reply.data().find_map(|d| match d {
        Data::Recent(n) => Some(*n),
        _ => None,
    })
}

/// A scratch mailbox with `count` messages appended by a session that never selected it,
/// and a second session (account 0 too) that selects it first.
async fn first_selector(
    cx: &CheckContext,
    count: usize,
) -> Result<(Scratch, ImapSession, Reply), Finding> {
    let mut scratch = Scratch::new(cx, 0, false, false).await?;
    for n in 0..count {
        append(
            &mut scratch.session,
            &scratch.mailbox,
            "",
            &plain_message(cx, n),
        )
        .await?;
    }
    let mut second = ImapSession::ready(cx, 0).await?;
    let selected = second
        .must(&format!("SELECT {}", quoted(&scratch.mailbox)))
        .await?;
    Ok((scratch, second, selected))
}

/// The first session to select a mailbox after two APPENDs sees `* 2 RECENT` and `\Recent`
/// in FETCH FLAGS; a session selecting after it sees `* 0 RECENT`.
pub async fn first_session(cx: CheckContext) -> CheckResult {
    let (mut scratch, mut second, selected) = first_selector(&cx, 2).await?;
    let flags = second.run("FETCH 1:* (FLAGS)").await?;
    let _ = second.run("UNSELECT").await;
    second.logout().await;
    let third = scratch
        .session
        .run(&format!("SELECT {}", quoted(&scratch.mailbox)))
        .await?;
    let result = (|| {
        if recent(&selected) != Some(2) {
            return Err(Finding::violation(
                "* 2 RECENT from the first SELECT after two APPENDs",
                selected.show_all(),
            ));
        }
        let all_recent = flags.fetches().count() == 2
            && flags.fetches().all(|f| {
                fetch_flags(f)
                    .is_some_and(|list| list.iter().any(|x| x.eq_ignore_ascii_case("\\Recent")))
            });
        if !all_recent {
            return Err(Finding::violation(
                "\\Recent in the FLAGS of both messages in the first selecting session",
                flags.show_all(),
            ));
        }
        if recent(&third) != Some(0) {
            return Err(Finding::violation(
                "* 0 RECENT for a session selecting after the first one",
                third.show_all(),
            ));
        }
        Ok(())
    })();
    scratch.finish(result).await
}

/// In the first selecting session SEARCH RECENT and NEW find both new messages, OLD none;
/// after `\Seen` is set on one, NEW finds only the other.
pub async fn search(cx: CheckContext) -> CheckResult {
    let (scratch, mut second, _) = first_selector(&cx, 2).await?;
    let recent_hits = second.run("SEARCH RECENT").await?;
    let old_hits = second.run("SEARCH OLD").await?;
    let _ = second.run("STORE 1 +FLAGS.SILENT (\\Seen)").await?;
    let new_hits = second.run("SEARCH NEW").await?;
    let _ = second.run("UNSELECT").await;
    second.logout().await;
    let result = match (recent_hits.search(), old_hits.search(), new_hits.search()) {
        (Some(r), Some(o), Some(n)) if r == [1, 2] && o.is_empty() && n == [2] => Ok(()),
        _ => Err(Finding::violation(
            "SEARCH RECENT: 1 2, SEARCH OLD: nothing, then (1 \\Seen) SEARCH NEW: 2",
            format!(
                "{} | {} | {}",
                recent_hits.show_all(),
                old_hits.show_all(),
                new_hits.show_all()
            ),
        )),
    };
    scratch.finish(result).await
}
