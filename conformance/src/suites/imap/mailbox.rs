//! Mailbox commands: SELECT/EXAMINE data, LIST/LSUB, NAMESPACE, STATUS, CREATE, DELETE,
//! RENAME, SUBSCRIBE.

use std::collections::{BTreeMap, BTreeSet};

use groupwire_imap::response::Data;
use groupwire_imap::response::code::Code;
use groupwire_imap::response::mailbox_status::StatusItem;

use super::fixture::Scratch;
use super::session::{ImapSession, Reply, quoted};
use crate::engine::{CheckContext, CheckResult, Finding};

async fn select_inbox(cx: &CheckContext) -> Result<Reply, Finding> {
    let mut session = ImapSession::ready(cx, 0).await?;
    let reply = session.run("SELECT INBOX").await?;
    session.logout().await;
    if reply.is_ok() {
        Ok(reply)
    } else {
        Err(Finding::violation(
            "OK to SELECT INBOX",
            reply.show_tagged(),
        ))
    }
}

/// SELECT sends FLAGS.
pub async fn select_flags(cx: CheckContext) -> CheckResult {
    let reply = select_inbox(&cx).await?;
    if reply.data().any(|d| matches!(d, Data::Flags(_))) {
        Ok(())
    } else {
        Err(Finding::violation(
            "an untagged FLAGS response",
            reply.show_all(),
        ))
    }
}

/// SELECT sends EXISTS.
pub async fn select_exists(cx: CheckContext) -> CheckResult {
    let reply = select_inbox(&cx).await?;
    if reply.exists().is_some() {
        Ok(())
    } else {
        Err(Finding::violation(
            "an untagged EXISTS response",
            reply.show_all(),
        ))
    }
}

/// SELECT sends UIDVALIDITY.
pub async fn select_uidvalidity(cx: CheckContext) -> CheckResult {
    let reply = select_inbox(&cx).await?;
    if reply.codes().any(|c| matches!(c, Code::UidValidity(_))) {
        Ok(())
    } else {
        Err(Finding::violation("OK [UIDVALIDITY n]", reply.show_all()))
    }
}

/// SELECT sends UIDNEXT.
pub async fn select_uidnext(cx: CheckContext) -> CheckResult {
    let reply = select_inbox(&cx).await?;
    if reply.codes().any(|c| matches!(c, Code::UidNext(_))) {
        Ok(())
    } else {
        Err(Finding::violation("OK [UIDNEXT n]", reply.show_all()))
    }
}

/// SELECT sends PERMANENTFLAGS.
pub async fn select_permanentflags(cx: CheckContext) -> CheckResult {
    let reply = select_inbox(&cx).await?;
    if reply.codes().any(|c| matches!(c, Code::PermanentFlags(_))) {
        Ok(())
    } else {
        Err(Finding::violation(
            "OK [PERMANENTFLAGS (...)]",
            reply.show_all(),
        ))
    }
}

/// SELECT of a writable mailbox completes with `[READ-WRITE]`.
pub async fn select_read_write(cx: CheckContext) -> CheckResult {
    let reply = select_inbox(&cx).await?;
    if matches!(reply.tagged.text.code, Some(Code::ReadWrite)) {
        Ok(())
    } else {
        Err(Finding::violation(
            "OK [READ-WRITE] to SELECT",
            reply.show_tagged(),
        ))
    }
}

/// EXAMINE completes with `[READ-ONLY]`.
pub async fn examine_read_only(cx: CheckContext) -> CheckResult {
    let mut session = ImapSession::ready(&cx, 0).await?;
    let reply = session.run("EXAMINE INBOX").await?;
    session.logout().await;
    if reply.is_ok() && matches!(reply.tagged.text.code, Some(Code::ReadOnly)) {
        Ok(())
    } else {
        Err(Finding::violation(
            "OK [READ-ONLY] to EXAMINE",
            reply.show_tagged(),
        ))
    }
}

/// SELECT of a mailbox that does not exist is NO (and creates nothing).
pub async fn select_missing(cx: CheckContext) -> CheckResult {
    let name = cx.scratch_name("missing");
    let mut session = ImapSession::ready(&cx, 0).await?;
    let reply = session.run(&format!("SELECT {}", quoted(&name))).await?;
    if reply.is_ok() {
        let _ = session.run("UNSELECT").await;
        let _ = session.run(&format!("DELETE {}", quoted(&name))).await;
    }
    session.logout().await;
    if reply.is_ok() {
        Err(Finding::violation(
            "NO to SELECT of a missing mailbox",
            reply.show_tagged(),
        ))
    } else {
        Ok(())
    }
}

fn listed(reply: &Reply) -> Vec<(String, Vec<String>, Option<u8>)> {
    reply
        .data()
        .filter_map(|d| match d {
            Data::List(list) | Data::Lsub(list) => Some((
                list.mailbox
                    .decode_utf7()
                    .unwrap_or_else(|_| String::from_utf8_lossy(&list.mailbox.name()).into_owned()),
                list.attributes
                    .iter()
                    .map(|a| {
                        String::from_utf8_lossy(&groupwire_imap::Encode::to_bytes(&*a))
                            .to_ascii_lowercase()
                    })
                    .collect(),
                list.delimiter,
            )),
            _ => None,
        })
        .collect()
}

/// LIST "" "*" includes INBOX.
pub async fn list_inbox(cx: CheckContext) -> CheckResult {
    let mut session = ImapSession::ready(&cx, 0).await?;
    let reply = session.run("LIST \"\" \"*\"").await?;
    session.logout().await;
    if listed(&reply)
        .iter()
        .any(|(name, _, _)| name.eq_ignore_ascii_case("INBOX"))
    {
        Ok(())
    } else {
        Err(Finding::violation(
            "INBOX among the LIST responses",
            reply.show_all(),
        ))
    }
}

/// LIST "" "" returns the hierarchy delimiter.
pub async fn list_delimiter(cx: CheckContext) -> CheckResult {
    let mut session = ImapSession::ready(&cx, 0).await?;
    let reply = session.run("LIST \"\" \"\"").await?;
    session.logout().await;
    match listed(&reply).first() {
        Some((_, _, Some(_))) => Ok(()),
        _ => Err(Finding::violation(
            "one LIST response with the hierarchy delimiter",
            reply.show_all(),
        )),
    }
}

/// LIST shows special-use attributes.
pub async fn special_use(cx: CheckContext) -> CheckResult {
    if !(cx.advertises("LIST-EXTENDED") || cx.advertises("IMAP4rev2")) {
        return Err(Finding::skip(
            "RETURN (SPECIAL-USE) belongs to the extended LIST (LIST-EXTENDED or IMAP4rev2), which is not advertised",
        ));
    }
    let mut session = ImapSession::ready(&cx, 0).await?;
    let returned = session.run("LIST \"\" \"*\" RETURN (SPECIAL-USE)").await?;
    // Which mailboxes have a special use, asked two other ways: the SPECIAL-USE selection
    // option (only those mailboxes) and the plain LIST (where the attributes MAY appear).
    let selection = session.run("LIST (SPECIAL-USE) \"\" \"*\"").await?;
    let plain = session.run("LIST \"\" \"*\"").await?;
    session.logout().await;
    if !returned.is_ok() {
        return Err(Finding::violation(
            "OK to LIST \"\" \"*\" RETURN (SPECIAL-USE)",
            returned.show_tagged(),
        ));
    }
    let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, attributes, _) in listed(&selection).into_iter().chain(listed(&plain)) {
        let uses: BTreeSet<String> = attributes
            .into_iter()
            .filter(|a| SPECIAL_USES.contains(&a.as_str()))
            .collect();
        if !uses.is_empty() {
            expected.entry(name).or_default().extend(uses);
        }
    }
    if expected.is_empty() {
        return Err(Finding::skip(
            "no mailbox of the account has a special use (neither the SPECIAL-USE selection nor a plain LIST shows one)",
        ));
    }
    let got: BTreeMap<String, BTreeSet<String>> = listed(&returned)
        .into_iter()
        .map(|(name, attributes, _)| (name, attributes.into_iter().collect()))
        .collect();
    let missing: Vec<String> = expected
        .iter()
        .filter(|(name, uses)| !got.get(*name).is_some_and(|attrs| uses.is_subset(attrs)))
        .map(|(name, uses)| format!("{name} {uses:?}"))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Finding::violation(
            format!("the special-use attributes of {}", missing.join(", ")),
            returned.show_all(),
        ))
    }
}

/// The special-use attributes of RFC 6154, lower-cased.
const SPECIAL_USES: &[&str] = &[
    "\\all",
    "\\archive",
    "\\drafts",
    "\\flagged",
    "\\junk",
    "\\sent",
    "\\trash",
];

/// CREATE makes a mailbox LIST shows; DELETE removes it.
pub async fn create_delete(cx: CheckContext) -> CheckResult {
    let name = cx.scratch_name("created");
    let mut session = ImapSession::ready(&cx, 0).await?;
    super::fixture::create(&mut session, &name).await?;
    let after_create = session.run(&format!("LIST \"\" {}", quoted(&name))).await?;
    let _ = session.run(&format!("DELETE {}", quoted(&name))).await?;
    let after_delete = session.run(&format!("LIST \"\" {}", quoted(&name))).await?;
    session.logout().await;
    if listed(&after_create).len() != 1 {
        return Err(Finding::violation(
            "the created mailbox in LIST",
            after_create.show_all(),
        ));
    }
    if !listed(&after_delete).is_empty() {
        return Err(Finding::violation(
            "the deleted mailbox gone from LIST",
            after_delete.show_all(),
        ));
    }
    Ok(())
}

/// RENAME moves the mailbox to its new name.
pub async fn rename(cx: CheckContext) -> CheckResult {
    let from = cx.scratch_name("old");
    let to = cx.scratch_name("new");
    let mut session = ImapSession::ready(&cx, 0).await?;
    super::fixture::create(&mut session, &from).await?;
    let reply = session
        .run(&format!("RENAME {} {}", quoted(&from), quoted(&to)))
        .await?;
    let new = session.run(&format!("LIST \"\" {}", quoted(&to))).await?;
    let _ = session.run(&format!("DELETE {}", quoted(&to))).await;
    let _ = session.run(&format!("DELETE {}", quoted(&from))).await;
    session.logout().await;
    if reply.is_ok() && listed(&new).len() == 1 {
        Ok(())
    } else {
        Err(Finding::violation(
            "OK to RENAME and the new name in LIST",
            new.show_all(),
        ))
    }
}

/// SUBSCRIBE makes LSUB list the mailbox.
pub async fn subscribe_lsub(cx: CheckContext) -> CheckResult {
    let name = cx.scratch_name("sub");
    let mut session = ImapSession::ready(&cx, 0).await?;
    super::fixture::create(&mut session, &name).await?;
    session
        .must(&format!("SUBSCRIBE {}", quoted(&name)))
        .await?;
    let reply = session.run(&format!("LSUB \"\" {}", quoted(&name))).await?;
    let _ = session.run(&format!("UNSUBSCRIBE {}", quoted(&name))).await;
    let _ = session.run(&format!("DELETE {}", quoted(&name))).await;
    session.logout().await;
    if listed(&reply).iter().any(|(n, _, _)| *n == name) {
        Ok(())
    } else {
        Err(Finding::violation(
            "the subscribed mailbox in LSUB",
            reply.show_all(),
        ))
    }
}

/// NAMESPACE returns a personal namespace.
pub async fn namespace(cx: CheckContext) -> CheckResult {
    let mut session = ImapSession::ready(&cx, 0).await?;
    let reply = session.run("NAMESPACE").await?;
    session.logout().await;
    let personal = reply.data().any(
        |d| matches!(d, Data::Namespace(ns) if ns.personal.as_ref().is_some_and(|p| !p.is_empty())),
    );
    if personal {
        Ok(())
    } else {
        Err(Finding::violation(
            "a NAMESPACE response with a personal namespace",
            reply.show_all(),
        ))
    }
}

/// STATUS reports MESSAGES and UIDNEXT matching the mailbox.
pub async fn status(cx: CheckContext) -> CheckResult {
    let scratch = Scratch::new(&cx, 3, false, false).await?;
    let mut scratch = scratch;
    let reply = scratch
        .session
        .run(&format!(
            "STATUS {} (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)",
            quoted(&scratch.mailbox)
        ))
        .await?;
    let items: Vec<StatusItem<'static>> = reply
        .data()
        .filter_map(|d| match d {
            Data::MailboxStatus(status) => Some(status.items.to_vec()),
            _ => None,
        })
        .flatten()
        .collect();
    let messages = items.iter().find_map(|i| match i {
        StatusItem::Messages(n) => Some(*n),
        _ => None,
    });
    let uidnext = items.iter().find_map(|i| match i {
        StatusItem::UidNext(n) => Some(*n),
        _ => None,
    });
    let result = match (messages, uidnext) {
        (Some(3), Some(n)) if n >= 4 => Ok(()),
        _ => Err(Finding::violation(
            "STATUS (MESSAGES 3 UIDNEXT >= 4 ...)",
            reply.show_all(),
        )),
    };
    scratch.finish(result).await
}
