//! Several sessions on one mailbox, the way imaptest's stress mode checks state (issue 10):
//! keywords in FLAGS (on SELECT and when first used), and flag changes, new keywords,
//! expunges, MODSEQ and UIDs made in one session observed by the others (RFC 9051 §5.2,
//! §7.3.5, §7.5.1; RFC 7162 §3.1).

use groupwire_imap::Encode;
use groupwire_imap::response::fetch::FetchAttribute;
use groupwire_imap::response::{Data, Response};

use super::fixture::Scratch;
use super::session::{ImapSession, Reply, attribute, fetch_flags, fetch_uid, quoted};
use crate::engine::{CheckContext, CheckResult, Finding};

/// A keyword unique to this check run and short (Dovecot refuses keywords above 50
/// characters): `gw` and a hash of the check's scratch name.
fn keyword(cx: &CheckContext, what: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    cx.scratch_name(what).hash(&mut hasher);
    format!("gw{:016x}", hasher.finish())
}

/// The flags of the last untagged FLAGS response, as text.
fn flags_response(reply: &Reply) -> Option<Vec<String>> {
    reply
        .data()
        .filter_map(|d| match d {
            Data::Flags(flags) => Some(
                flags
                    .iter()
                    .map(|f| String::from_utf8_lossy(&f.to_bytes()).into_owned())
                    .collect(),
            ),
            _ => None,
        })
        .last()
}

/// Whether an untagged FLAGS listing `keyword` comes before every FETCH that shows it.
fn announced_before_use(reply: &Reply, keyword: &str) -> bool {
    let names = |flags: &[String]| flags.iter().any(|f| f.eq_ignore_ascii_case(keyword));
    let mut announced = false;
    for response in &reply.untagged {
        match response {
            Response::Data(Data::Flags(flags)) => {
                let flags: Vec<String> = flags
                    .iter()
                    .map(|f| String::from_utf8_lossy(&f.to_bytes()).into_owned())
                    .collect();
                announced |= names(&flags);
            }
            Response::Data(Data::Fetch(fetch))
                if !announced && fetch_flags(fetch).is_some_and(|flags| names(&flags)) =>
            {
                return false;
            }
            _ => {}
        }
    }
    announced
}

/// A second session with the scratch mailbox selected.
async fn other(cx: &CheckContext, mailbox: &str, condstore: bool) -> Result<ImapSession, Finding> {
    let mut session = ImapSession::ready(cx, 0).await?;
    let params = if condstore { " (CONDSTORE)" } else { "" };
    session
        .must(&format!("SELECT {}{params}", quoted(mailbox)))
        .await?;
    Ok(session)
}

/// A keyword set on a message is in the FLAGS (and PERMANENTFLAGS keeps `\*`) of a later
/// SELECT.
pub async fn select_flags_keywords(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 1, false, true).await?;
    let word = keyword(&cx, "kw");
    scratch
        .session
        .must(&format!("STORE 1 +FLAGS.SILENT ({word})"))
        .await?;
    scratch.session.must("UNSELECT").await?;
    let reply = scratch
        .session
        .must(&format!("SELECT {}", quoted(&scratch.mailbox)))
        .await?;
    let flags = flags_response(&reply).unwrap_or_default();
    let result = if flags.iter().any(|f| f.eq_ignore_ascii_case(&word)) {
        Ok(())
    } else {
        Err(Finding::violation(
            format!("* FLAGS (... {word}) on SELECT"),
            reply.show_all(),
        ))
    };
    scratch.finish(result).await
}

/// Storing a keyword new to the mailbox sends an untagged FLAGS listing it, before the FETCH
/// that shows it.
pub async fn new_keyword_flags(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 1, false, true).await?;
    let word = keyword(&cx, "new");
    let reply = scratch
        .session
        .must(&format!("STORE 1 +FLAGS ({word})"))
        .await?;
    let result = if announced_before_use(&reply, &word) {
        Ok(())
    } else {
        Err(Finding::violation(
            format!("* FLAGS (... {word}) before * 1 FETCH (FLAGS (... {word}))"),
            reply.show_all(),
        ))
    };
    scratch.finish(result).await
}

/// A flag another session stores is reported to this one on NOOP.
pub async fn flags_from_other(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 2, false, true).await?;
    let mut second = other(&cx, &scratch.mailbox, false).await?;
    second.must("STORE 2 +FLAGS.SILENT (\\Flagged)").await?;
    second.logout().await;
    let reply = scratch.session.must("NOOP").await?;
    let seen = reply.fetches().any(|f| {
        f.seq.get() == 2
            && fetch_flags(f).is_some_and(|flags| flags.iter().any(|x| x == "\\Flagged"))
    });
    let result = if seen {
        Ok(())
    } else {
        Err(Finding::violation(
            "* 2 FETCH (FLAGS (\\Flagged ...)) in answer to NOOP",
            reply.show_all(),
        ))
    };
    scratch.finish(result).await
}

/// A keyword another session uses first is announced with FLAGS before the FETCH showing it.
pub async fn keyword_from_other(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 1, false, true).await?;
    let word = keyword(&cx, "other");
    let mut second = other(&cx, &scratch.mailbox, false).await?;
    second
        .must(&format!("STORE 1 +FLAGS.SILENT ({word})"))
        .await?;
    second.logout().await;
    let reply = scratch.session.must("NOOP").await?;
    let result = if announced_before_use(&reply, &word) {
        Ok(())
    } else {
        Err(Finding::violation(
            format!("* FLAGS (... {word}) (before any FETCH showing it) in answer to NOOP"),
            reply.show_all(),
        ))
    };
    scratch.finish(result).await
}

/// An expunge in one session is reported to two others with the right sequence number, and
/// all three then agree on the UIDs.
pub async fn expunge_seen_by_all(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 3, false, true).await?;
    let mut watcher = other(&cx, &scratch.mailbox, false).await?;
    let mut actor = other(&cx, &scratch.mailbox, false).await?;
    actor.must("STORE 2 +FLAGS.SILENT (\\Deleted)").await?;
    actor.must("EXPUNGE").await?;
    let truth: Vec<u32> = actor
        .must("FETCH 1:* (UID)")
        .await?
        .fetches()
        .filter_map(fetch_uid)
        .collect();
    actor.logout().await;
    let mut problems = Vec::new();
    for (name, session) in [("first", &mut scratch.session), ("second", &mut watcher)] {
        let noop = session.must("NOOP").await?;
        let expunged = noop
            .data()
            .any(|d| matches!(d, Data::Expunge(n) if n.get() == 2));
        let uids: Vec<u32> = session
            .must("FETCH 1:* (UID)")
            .await?
            .fetches()
            .filter_map(fetch_uid)
            .collect();
        if !expunged || uids != truth {
            problems.push(format!(
                "{name} session: NOOP gave {}; then UIDs {uids:?}",
                noop.show_all().trim_end()
            ));
        }
    }
    watcher.logout().await;
    let result = if problems.is_empty() && truth.len() == 2 {
        Ok(())
    } else {
        Err(Finding::violation(
            format!(
                "* 2 EXPUNGE in both sessions, then the UIDs {truth:?} the expunging session has"
            ),
            problems.join("; "),
        ))
    };
    scratch.finish(result).await
}

/// With CONDSTORE enabled, the unsolicited FETCH for another session's flag change carries
/// the new MODSEQ, the one the changing session saw.
pub async fn modseq_from_other(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 1, false, false).await?;
    scratch
        .session
        .must(&format!("SELECT {} (CONDSTORE)", quoted(&scratch.mailbox)))
        .await?;
    let mut second = other(&cx, &scratch.mailbox, true).await?;
    let store = second.must("STORE 1 +FLAGS (\\Flagged)").await?;
    second.logout().await;
    let modseq_of = |reply: &Reply| {
        reply.fetches().find_map(|f| {
            attribute(f, |a| match a {
                FetchAttribute::ModSeq(n) => Some(*n),
                _ => None,
            })
        })
    };
    let expected = modseq_of(&store);
    let reply = scratch.session.must("NOOP").await?;
    let got = modseq_of(&reply);
    let result = if expected.is_some() && got == expected {
        Ok(())
    } else {
        Err(Finding::violation(
            format!("* 1 FETCH (... MODSEQ ({expected:?}) ...) in answer to NOOP"),
            reply.show_all(),
        ))
    };
    scratch.finish(result).await
}
