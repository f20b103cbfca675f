//! Mailbox names and listing in depth: CREATE with a trailing hierarchy separator, names in
//! modified UTF-7, LSUB's `\Noselect` parents, and the LIST-EXTENDED details (BAD for unknown
//! options and a lone RECURSIVEMATCH, `\NonExistent` for a subscribed deleted mailbox,
//! CHILDINFO, RETURN (SUBSCRIBED)).

use groupwire_imap::response::Data;
use groupwire_imap::response::list::{ListExtendedItem, ListMailbox, MailboxAttribute};
use groupwire_imap::response::status::Status;

use super::fixture::create;
use super::session::{ImapSession, Reply, quoted};
use crate::engine::{CheckContext, CheckResult, Finding};

/// The LIST/LSUB responses of a reply.
fn entries(reply: &Reply) -> Vec<&ListMailbox<'static>> {
    reply
        .data()
        .filter_map(|d| match d {
            Data::List(list) | Data::Lsub(list) => Some(list),
            _ => None,
        })
        .collect()
}

/// The entry for `name` (compared after modified UTF-7 decoding).
fn entry<'r>(reply: &'r Reply, name: &str) -> Option<&'r ListMailbox<'static>> {
    entries(reply)
        .into_iter()
        .find(|l| l.mailbox.decode_utf7().is_ok_and(|n| n == name))
}

fn has(list: &ListMailbox<'static>, attribute: &MailboxAttribute<'static>) -> bool {
    list.attributes.contains(attribute)
}

/// The hierarchy delimiter (LIST "" ""), `/` when the server names none.
async fn delimiter(session: &mut ImapSession) -> Result<char, Finding> {
    let reply = session.run("LIST \"\" \"\"").await?;
    Ok(entries(&reply)
        .first()
        .and_then(|l| l.delimiter)
        .map_or('/', char::from))
}

/// Deletes `names` (children first) and drops their subscriptions, ignoring failures.
async fn tidy(session: &mut ImapSession, names: &[String]) {
    for name in names.iter().rev() {
        let _ = session.run(&format!("UNSUBSCRIBE {}", quoted(name))).await;
        let _ = session.run(&format!("DELETE {}", quoted(name))).await;
    }
}

/// CREATE "name/" creates "name": LIST shows it without the separator.
pub async fn create_trailing_separator(cx: CheckContext) -> CheckResult {
    let name = cx.scratch_name("parent");
    let mut session = ImapSession::ready(&cx, 0).await?;
    let sep = delimiter(&mut session).await?;
    let created = session
        .run(&format!("CREATE {}", quoted(&format!("{name}{sep}"))))
        .await?;
    let listed = session
        .run(&format!("LIST \"\" {}", quoted(&format!("{name}*"))))
        .await?;
    tidy(&mut session, &[name.clone(), format!("{name}{sep}")]).await;
    session.logout().await;
    if !created.is_ok() {
        return Err(Finding::harness(format!(
            "CREATE with a trailing separator failed: {}",
            created.show_tagged()
        )));
    }
    let names: Vec<String> = entries(&listed)
        .iter()
        .filter_map(|l| l.mailbox.decode_utf7().ok())
        .collect();
    if names == [name.clone()] {
        Ok(())
    } else {
        Err(Finding::violation(
            format!("LIST shows exactly {name} (created as \"{name}{sep}\")"),
            listed.show_all(),
        ))
    }
}

/// A name with a non-ASCII character, CREATEd in modified UTF-7, comes back in LIST in the
/// same modified UTF-7 form, and LIST by that form finds it.
pub async fn utf7_name(cx: CheckContext) -> CheckResult {
    // "ärger" (U+00E4 encoded as &AOQ-) and "日本" (&ZeVnLA-).
    let wire = format!("{}-&AOQ-rger-&ZeVnLA-", cx.scratch_name("intl"));
    let mut session = ImapSession::ready(&cx, 0).await?;
    create(&mut session, &wire).await?;
    let by_prefix = session
        .run(&format!(
            "LIST \"\" {}",
            quoted(&format!("{}*", cx.scratch_name("intl")))
        ))
        .await?;
    let by_name = session.run(&format!("LIST \"\" {}", quoted(&wire))).await?;
    tidy(&mut session, std::slice::from_ref(&wire)).await;
    session.logout().await;
    let exact = |reply: &Reply| {
        entries(reply)
            .iter()
            .any(|l| l.mailbox.name().as_ref() == wire.as_bytes())
    };
    if exact(&by_prefix) && exact(&by_name) {
        Ok(())
    } else {
        Err(Finding::violation(
            format!("{wire} exactly as created, from LIST by a prefix pattern and by the name"),
            format!("{} | {}", by_prefix.show_all(), by_name.show_all()),
        ))
    }
}

/// A parent, its child, with only the child subscribed (the parent's own subscription, if
/// the server made one, removed).
async fn subscribed_child(
    cx: &CheckContext,
    session: &mut ImapSession,
) -> Result<(String, String), Finding> {
    let sep = delimiter(session).await?;
    let parent = cx.scratch_name("p");
    let child = format!("{parent}{sep}child");
    create(session, &parent).await?;
    create(session, &child).await?;
    session
        .must(&format!("SUBSCRIBE {}", quoted(&child)))
        .await?;
    let _ = session
        .run(&format!("UNSUBSCRIBE {}", quoted(&parent)))
        .await?;
    Ok((parent, child))
}

/// LSUB with `%` lists the unsubscribed parent of a subscribed child, flagged `\Noselect`.
pub async fn lsub_noselect_parent(cx: CheckContext) -> CheckResult {
    let mut session = ImapSession::ready(&cx, 0).await?;
    let (parent, child) = subscribed_child(&cx, &mut session).await?;
    let reply = session
        .run(&format!("LSUB \"\" {}", quoted(&format!("{parent}%"))))
        .await?;
    tidy(&mut session, &[parent.clone(), child]).await;
    session.logout().await;
    match entry(&reply, &parent) {
        Some(list) if has(list, &MailboxAttribute::NoSelect) => Ok(()),
        _ => Err(Finding::violation(
            format!("* LSUB (\\Noselect) for {parent}, whose child alone is subscribed"),
            reply.show_all(),
        )),
    }
}

/// LIST with an unknown selection option and with an unknown return option is BAD.
pub async fn unknown_option_bad(cx: CheckContext) -> CheckResult {
    let mut session = ImapSession::ready(&cx, 0).await?;
    let selection = session.run("LIST (XGROUPWIRE-UNKNOWN) \"\" \"*\"").await?;
    let returned = session
        .run("LIST \"\" \"*\" RETURN (XGROUPWIRE-UNKNOWN)")
        .await?;
    session.logout().await;
    for reply in [&selection, &returned] {
        if reply.status() != Status::Bad {
            return Err(Finding::violation(
                "BAD to LIST with an option the server does not know",
                reply.show_tagged(),
            ));
        }
    }
    Ok(())
}

/// LIST (RECURSIVEMATCH) alone, and with REMOTE only, is BAD.
pub async fn recursivematch_alone_bad(cx: CheckContext) -> CheckResult {
    let mut session = ImapSession::ready(&cx, 0).await?;
    let alone = session.run("LIST (RECURSIVEMATCH) \"\" \"*\"").await?;
    let remote = session
        .run("LIST (RECURSIVEMATCH REMOTE) \"\" \"*\"")
        .await?;
    session.logout().await;
    for reply in [&alone, &remote] {
        if reply.status() != Status::Bad {
            return Err(Finding::violation(
                "BAD to LIST with RECURSIVEMATCH as the only selection option",
                reply.show_tagged(),
            ));
        }
    }
    Ok(())
}

/// A subscribed mailbox that is deleted stays subscribed: LIST (SUBSCRIBED) shows it
/// `\Subscribed \NonExistent`.
pub async fn deleted_stays_subscribed(cx: CheckContext) -> CheckResult {
    let name = cx.scratch_name("gone");
    let mut session = ImapSession::ready(&cx, 0).await?;
    create(&mut session, &name).await?;
    session
        .must(&format!("SUBSCRIBE {}", quoted(&name)))
        .await?;
    session.must(&format!("DELETE {}", quoted(&name))).await?;
    let reply = session
        .run(&format!("LIST (SUBSCRIBED) \"\" {}", quoted(&name)))
        .await?;
    let _ = session.run(&format!("UNSUBSCRIBE {}", quoted(&name))).await;
    session.logout().await;
    match entry(&reply, &name) {
        Some(list)
            if has(list, &MailboxAttribute::Subscribed)
                && has(list, &MailboxAttribute::NonExistent) =>
        {
            Ok(())
        }
        _ => Err(Finding::violation(
            format!("* LIST (\\Subscribed \\NonExistent) for {name}, subscribed then deleted"),
            reply.show_all(),
        )),
    }
}

/// LIST (SUBSCRIBED RECURSIVEMATCH) with a pattern matching only the parent lists the
/// parent, not `\Subscribed`, with CHILDINFO ("SUBSCRIBED").
pub async fn childinfo(cx: CheckContext) -> CheckResult {
    let mut session = ImapSession::ready(&cx, 0).await?;
    let (parent, child) = subscribed_child(&cx, &mut session).await?;
    let reply = session
        .run(&format!(
            "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" {}",
            quoted(&parent)
        ))
        .await?;
    tidy(&mut session, &[parent.clone(), child]).await;
    session.logout().await;
    let childinfo = |list: &ListMailbox<'static>| {
        list.extended.iter().any(|item| match &*item {
            ListExtendedItem::ChildInfo(reasons) => reasons
                .iter()
                .any(|r| r.to_str_lossy().eq_ignore_ascii_case("SUBSCRIBED")),
            _ => false,
        })
    };
    match entry(&reply, &parent) {
        Some(list) if childinfo(list) && !has(list, &MailboxAttribute::Subscribed) => Ok(()),
        _ => Err(Finding::violation(
            format!(
                "{parent} listed with (\"CHILDINFO\" (\"SUBSCRIBED\")) and without \\Subscribed"
            ),
            reply.show_all(),
        )),
    }
}

/// LIST ... RETURN (SUBSCRIBED) marks the subscribed mailbox `\Subscribed` and not the other.
pub async fn return_subscribed(cx: CheckContext) -> CheckResult {
    let on = cx.scratch_name("on");
    let off = cx.scratch_name("off");
    let mut session = ImapSession::ready(&cx, 0).await?;
    create(&mut session, &on).await?;
    create(&mut session, &off).await?;
    session.must(&format!("SUBSCRIBE {}", quoted(&on))).await?;
    let _ = session
        .run(&format!("UNSUBSCRIBE {}", quoted(&off)))
        .await?;
    let reply = session
        .run(&format!(
            "LIST \"\" ({} {}) RETURN (CHILDREN SUBSCRIBED)",
            quoted(&on),
            quoted(&off)
        ))
        .await?;
    tidy(&mut session, &[on.clone(), off.clone()]).await;
    session.logout().await;
    let subscribed =
        |name: &str| entry(&reply, name).map(|l| has(l, &MailboxAttribute::Subscribed));
    if subscribed(&on) == Some(true) && subscribed(&off) == Some(false) {
        Ok(())
    } else {
        Err(Finding::violation(
            format!("{on} with \\Subscribed and {off} without it"),
            reply.show_all(),
        ))
    }
}
