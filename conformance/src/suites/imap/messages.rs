//! Message commands: APPEND, FETCH of every attribute (BODYSTRUCTURE of a multipart message
//! the check appends), STORE, SEARCH, COPY, MOVE, EXPUNGE, CLOSE and UNSELECT.

use groupwire_imap::Encode;
use groupwire_imap::response::Data;
use groupwire_imap::response::bodystructure::BodyStructure;
use groupwire_imap::response::code::Code;
use groupwire_imap::response::fetch::FetchAttribute;

use super::fixture::{Scratch, append, multipart_message, plain_message};
use super::session::{Reply, attribute, fetch_flags, fetch_section, fetch_uid, quoted};
use crate::engine::{CheckContext, CheckResult, Finding};

fn first_fetch(reply: &Reply) -> Result<&groupwire_imap::response::fetch::Fetch<'static>, Finding> {
    reply
        .fetches()
        .next()
        .ok_or_else(|| Finding::violation("an untagged FETCH response", reply.show_all()))
}

async fn fetch_one(
    cx: &CheckContext,
    items: &str,
    multipart: bool,
) -> Result<(Scratch, Reply), Finding> {
    let mut scratch = Scratch::new(cx, 1, multipart, true).await?;
    let number = if multipart { 2 } else { 1 };
    let reply = scratch
        .session
        .run(&format!("FETCH {number} {items}"))
        .await?;
    Ok((scratch, reply))
}

/// FETCH FLAGS returns the flags.
pub async fn fetch_flags_check(cx: CheckContext) -> CheckResult {
    let (scratch, reply) = fetch_one(&cx, "(FLAGS)", false).await?;
    let result = first_fetch(&reply).and_then(|f| {
        fetch_flags(f)
            .map(|_| ())
            .ok_or_else(|| Finding::violation("FLAGS in the FETCH response", reply.show_all()))
    });
    scratch.finish(result).await
}

/// UID FETCH returns the UID the APPEND said.
pub async fn fetch_uid_check(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 0, false, false).await?;
    let appended = append(
        &mut scratch.session,
        &scratch.mailbox,
        "",
        &plain_message(&cx, 1),
    )
    .await?;
    let _ = scratch
        .session
        .must(&format!("SELECT {}", quoted(&scratch.mailbox)))
        .await?;
    let reply = scratch.session.run("FETCH 1 (UID)").await?;
    let expected = appended.codes().find_map(|c| match c {
        Code::AppendUid { uids, .. } => uids.numbers(u32::MAX).next(),
        _ => None,
    });
    let status = scratch
        .session
        .run(&format!("STATUS {} (UIDNEXT)", quoted(&scratch.mailbox)))
        .await?;
    let result = first_fetch(&reply).and_then(|f| {
        let uid = fetch_uid(f)
            .ok_or_else(|| Finding::violation("UID in the FETCH response", reply.show_all()))?;
        match expected {
            Some(expected) if expected != uid => Err(Finding::violation(
                format!("UID {expected} (from APPENDUID)"),
                format!("UID {uid}"),
            )),
            _ => {
                let next = status.data().find_map(|d| match d {
                    Data::MailboxStatus(s) => s.items.iter().find_map(|i| match *i {
                        groupwire_imap::response::mailbox_status::StatusItem::UidNext(n) => Some(n),
                        _ => None,
                    }),
                    _ => None,
                });
                match next {
                    Some(next) if uid >= next => Err(Finding::violation(
                        format!("a UID below UIDNEXT {next}"),
                        format!("UID {uid}"),
                    )),
                    _ => Ok(()),
                }
            }
        }
    });
    scratch.finish(result).await
}

/// FETCH INTERNALDATE returns a date-time.
pub async fn fetch_internaldate(cx: CheckContext) -> CheckResult {
    let (scratch, reply) = fetch_one(&cx, "(INTERNALDATE)", false).await?;
    let result = first_fetch(&reply).and_then(|f| {
        attribute(f, |a| {
            matches!(a, FetchAttribute::InternalDate(_)).then_some(())
        })
        .ok_or_else(|| Finding::violation("INTERNALDATE in the FETCH response", reply.show_all()))
    });
    scratch.finish(result).await
}

/// RFC822.SIZE equals the appended octets.
pub async fn fetch_size(cx: CheckContext) -> CheckResult {
    let size = plain_message(&cx, 0).len() as u64;
    let (scratch, reply) = fetch_one(&cx, "(RFC822.SIZE)", false).await?;
    let result = first_fetch(&reply).and_then(|f| {
        match attribute(f, |a| match a {
            FetchAttribute::Rfc822Size(n) => Some(*n),
            _ => None,
        }) {
            Some(n) if n == size => Ok(()),
            other => Err(Finding::violation(
                format!("RFC822.SIZE {size}"),
                format!("{other:?}"),
            )),
        }
    });
    scratch.finish(result).await
}

/// `BODY.PEEK[]` returns exactly the appended message.
pub async fn fetch_body(cx: CheckContext) -> CheckResult {
    let expected = plain_message(&cx, 0);
    let (scratch, reply) = fetch_one(&cx, "(BODY.PEEK[])", false).await?;
    let result = first_fetch(&reply).and_then(|f| match fetch_section(f) {
        Some(data) if data == expected => Ok(()),
        Some(data) => Err(Finding::violation(
            format!("the {} appended octets", expected.len()),
            format!("{} octets that differ", data.len()),
        )),
        None => Err(Finding::violation(
            "BODY[] in the FETCH response",
            reply.show_all(),
        )),
    });
    scratch.finish(result).await
}

/// `BODY.PEEK[HEADER]` returns the header ending with the blank line.
pub async fn fetch_header(cx: CheckContext) -> CheckResult {
    let message = plain_message(&cx, 0);
    let end = crate::reference::mime::header_end(&message);
    let expected = message.get(..end).unwrap_or_default().to_vec();
    let (scratch, reply) = fetch_one(&cx, "(BODY.PEEK[HEADER])", false).await?;
    let result = first_fetch(&reply).and_then(|f| match fetch_section(f) {
        Some(data) if data == expected => Ok(()),
        other => Err(Finding::violation(
            "the message header",
            format!(
                "{:?}",
                other.map(|d| String::from_utf8_lossy(&d).into_owned())
            ),
        )),
    });
    scratch.finish(result).await
}

/// `BODY.PEEK[TEXT]` returns the body.
pub async fn fetch_text(cx: CheckContext) -> CheckResult {
    let message = plain_message(&cx, 0);
    let end = crate::reference::mime::header_end(&message);
    let expected = message.get(end..).unwrap_or_default().to_vec();
    let (scratch, reply) = fetch_one(&cx, "(BODY.PEEK[TEXT])", false).await?;
    let result = first_fetch(&reply).and_then(|f| match fetch_section(f) {
        Some(data) if data == expected => Ok(()),
        other => Err(Finding::violation(
            "the message body",
            format!(
                "{:?}",
                other.map(|d| String::from_utf8_lossy(&d).into_owned())
            ),
        )),
    });
    scratch.finish(result).await
}

/// `BODY.PEEK[HEADER.FIELDS (SUBJECT)]` returns only the Subject field.
pub async fn fetch_header_fields(cx: CheckContext) -> CheckResult {
    let (scratch, reply) = fetch_one(&cx, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])", false).await?;
    let result = first_fetch(&reply).and_then(|f| match fetch_section(f) {
        Some(data) => {
            let text = String::from_utf8_lossy(&data).to_ascii_lowercase();
            if text.starts_with("subject:") && !text.contains("from:") {
                Ok(())
            } else {
                Err(Finding::violation("only the Subject field", text))
            }
        }
        None => Err(Finding::violation(
            "BODY[HEADER.FIELDS (SUBJECT)]",
            reply.show_all(),
        )),
    });
    scratch.finish(result).await
}

/// ENVELOPE carries the subject and the From address.
pub async fn fetch_envelope(cx: CheckContext) -> CheckResult {
    let (scratch, reply) = fetch_one(&cx, "(ENVELOPE)", false).await?;
    let prefix = cx.run_prefix().to_string();
    let result = first_fetch(&reply).and_then(|f| {
        let envelope = attribute(f, |a| match a {
            FetchAttribute::Envelope(e) => Some(e.clone()),
            _ => None,
        })
        .ok_or_else(|| Finding::violation("ENVELOPE in the FETCH response", reply.show_all()))?;
        let subject = envelope
            .subject
            .as_ref()
            .map(|s| s.to_str_lossy())
            .unwrap_or_default();
        let from = envelope
            .from
            .iter()
            .flatten()
            .map(|a| {
                let mailbox = a.mailbox.as_ref().map(|m| m.to_str_lossy());
                let host = a.host.as_ref().map(|h| h.to_str_lossy());
                format!(
                    "{}@{}",
                    mailbox.unwrap_or_default(),
                    host.unwrap_or_default()
                )
            })
            .collect::<Vec<_>>();
        let sender = super::fixture::address(&cx, 0);
        if subject.contains(&prefix) && from.iter().any(|a| a.eq_ignore_ascii_case(&sender)) {
            Ok(())
        } else {
            Err(Finding::violation(
                format!("the subject and From {sender} in ENVELOPE"),
                reply.show_all(),
            ))
        }
    });
    scratch.finish(result).await
}

/// BODYSTRUCTURE of the appended multipart/mixed message lists both parts.
pub async fn fetch_bodystructure(cx: CheckContext) -> CheckResult {
    let (scratch, reply) = fetch_one(&cx, "(BODYSTRUCTURE)", true).await?;
    let result = first_fetch(&reply).and_then(|f| {
        let structure = attribute(f, |a| match a {
            FetchAttribute::BodyStructure(b) => Some(b.clone()),
            _ => None,
        })
        .ok_or_else(|| {
            Finding::violation("BODYSTRUCTURE in the FETCH response", reply.show_all())
        })?;
        match *structure {
            BodyStructure::Multi(ref multi)
                if multi.parts.len() == 2
                    && multi.subtype.to_str_lossy().eq_ignore_ascii_case("mixed") =>
            {
                Ok(())
            }
            _ => Err(Finding::violation(
                "a multipart/mixed BODYSTRUCTURE with 2 parts",
                reply.show_all(),
            )),
        }
    });
    scratch.finish(result).await
}

/// `BODY.PEEK[1]` of the multipart message returns its first part.
pub async fn fetch_part(cx: CheckContext) -> CheckResult {
    let (scratch, reply) = fetch_one(&cx, "(BODY.PEEK[1])", true).await?;
    let result = first_fetch(&reply).and_then(|f| match fetch_section(f) {
        Some(data) if String::from_utf8_lossy(&data).trim_end() == "first part text" => Ok(()),
        other => Err(Finding::violation(
            "\"first part text\"",
            format!(
                "{:?}",
                other.map(|d| String::from_utf8_lossy(&d).into_owned())
            ),
        )),
    });
    scratch.finish(result).await
}

async fn seen_after(cx: &CheckContext, item: &str) -> Result<(Scratch, bool), Finding> {
    let (mut scratch, _) = fetch_one(cx, item, false).await?;
    let reply = scratch.session.run("FETCH 1 (FLAGS)").await?;
    let seen = reply
        .fetches()
        .filter_map(fetch_flags)
        .any(|flags| flags.iter().any(|f| f.eq_ignore_ascii_case("\\Seen")));
    Ok((scratch, seen))
}

/// `BODY.PEEK[]` does not set \Seen.
pub async fn peek_keeps_unseen(cx: CheckContext) -> CheckResult {
    let (scratch, seen) = seen_after(&cx, "(BODY.PEEK[])").await?;
    let result = if seen {
        Err(Finding::violation(
            "no \\Seen after BODY.PEEK[]",
            "\\Seen set",
        ))
    } else {
        Ok(())
    };
    scratch.finish(result).await
}

/// `BODY[]` sets \Seen.
pub async fn body_sets_seen(cx: CheckContext) -> CheckResult {
    let (scratch, seen) = seen_after(&cx, "(BODY[])").await?;
    let result = if seen {
        Ok(())
    } else {
        Err(Finding::violation("\\Seen after BODY[]", "not set"))
    };
    scratch.finish(result).await
}

async fn flags_now(scratch: &mut Scratch) -> Result<Vec<String>, Finding> {
    let reply = scratch.session.run("FETCH 1 (FLAGS)").await?;
    Ok(reply
        .fetches()
        .filter_map(fetch_flags)
        .next()
        .unwrap_or_default())
}

/// STORE +FLAGS adds a flag.
pub async fn store_add(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 1, false, true).await?;
    scratch.session.must("STORE 1 +FLAGS (\\Flagged)").await?;
    let flags = flags_now(&mut scratch).await?;
    let result = if flags.iter().any(|f| f.eq_ignore_ascii_case("\\Flagged")) {
        Ok(())
    } else {
        Err(Finding::violation(
            "\\Flagged after STORE +FLAGS",
            format!("{flags:?}"),
        ))
    };
    scratch.finish(result).await
}

/// STORE -FLAGS removes a flag.
pub async fn store_remove(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 1, false, true).await?;
    scratch
        .session
        .must("STORE 1 +FLAGS (\\Flagged \\Seen)")
        .await?;
    scratch.session.must("STORE 1 -FLAGS (\\Flagged)").await?;
    let flags = flags_now(&mut scratch).await?;
    let result = if !flags.iter().any(|f| f.eq_ignore_ascii_case("\\Flagged"))
        && flags.iter().any(|f| f.eq_ignore_ascii_case("\\Seen"))
    {
        Ok(())
    } else {
        Err(Finding::violation(
            "\\Seen without \\Flagged after STORE -FLAGS",
            format!("{flags:?}"),
        ))
    };
    scratch.finish(result).await
}

/// STORE .SILENT sends no FETCH for the change.
pub async fn store_silent(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 1, false, true).await?;
    let reply = scratch
        .session
        .must("STORE 1 +FLAGS.SILENT (\\Answered)")
        .await?;
    let result = if reply.fetches().next().is_none() {
        Ok(())
    } else {
        Err(Finding::violation(
            "no untagged FETCH after STORE ... .SILENT",
            reply.show_all(),
        ))
    };
    scratch.finish(result).await
}

/// A keyword set with STORE is kept.
pub async fn store_keyword(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 1, false, true).await?;
    let permanent: Vec<String> = scratch
        .selected
        .iter()
        .flat_map(|reply| reply.codes())
        .filter_map(|code| match code {
            Code::PermanentFlags(flags) => Some(flags),
            _ => None,
        })
        .flatten()
        .map(|flag| String::from_utf8_lossy(&flag.to_bytes()).to_ascii_lowercase())
        .collect();
    if !permanent.iter().any(|f| f == "\\*" || f == "$forwarded") {
        // Without \* (or the keyword itself) the server said up front it keeps no new keyword.
        return scratch
            .finish(Err(Finding::skip(format!(
                "PERMANENTFLAGS allows no new keywords: {permanent:?}"
            ))))
            .await;
    }
    scratch.session.must("STORE 1 +FLAGS ($Forwarded)").await?;
    let flags = flags_now(&mut scratch).await?;
    let result = if flags.iter().any(|f| f.eq_ignore_ascii_case("$Forwarded")) {
        Ok(())
    } else {
        Err(Finding::violation(
            "$Forwarded after STORE",
            format!("{flags:?}"),
        ))
    };
    scratch.finish(result).await
}

/// SEARCH ALL finds every message.
pub async fn search_all(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 3, false, true).await?;
    let reply = scratch.session.must("SEARCH ALL").await?;
    let result = match reply.search() {
        Some(numbers) if numbers == [1, 2, 3] => Ok(()),
        other => Err(Finding::violation("SEARCH 1 2 3", format!("{other:?}"))),
    };
    scratch.finish(result).await
}

/// SEARCH SEEN / UNSEEN follow the flags.
pub async fn search_flags(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 3, false, true).await?;
    scratch.session.must("STORE 2 +FLAGS (\\Seen)").await?;
    let seen = scratch.session.must("SEARCH SEEN").await?;
    let unseen = scratch.session.must("SEARCH UNSEEN").await?;
    let result = match (seen.search(), unseen.search()) {
        (Some(a), Some(b)) if a == [2] && b == [1, 3] => Ok(()),
        other => Err(Finding::violation(
            "SEEN 2, UNSEEN 1 3",
            format!("{other:?}"),
        )),
    };
    scratch.finish(result).await
}

/// SEARCH SUBJECT matches a header substring.
pub async fn search_subject(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 3, false, true).await?;
    let reply = scratch.session.must("SEARCH SUBJECT \"plain 1\"").await?;
    let result = match reply.search() {
        Some(numbers) if numbers == [2] => Ok(()),
        other => Err(Finding::violation("SEARCH 2", format!("{other:?}"))),
    };
    scratch.finish(result).await
}

/// UID SEARCH returns UIDs, not sequence numbers.
pub async fn uid_search(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 3, false, true).await?;
    scratch.session.must("STORE 1 +FLAGS (\\Deleted)").await?;
    scratch.session.must("EXPUNGE").await?;
    let uids = scratch.session.must("UID FETCH 1:* (UID)").await?;
    let expected: Vec<u32> = uids.fetches().filter_map(fetch_uid).collect();
    let reply = scratch.session.must("UID SEARCH ALL").await?;
    let result = match reply.search() {
        Some(found) if found == expected && !expected.is_empty() => Ok(()),
        other => Err(Finding::violation(
            format!("UIDs {expected:?}"),
            format!("{other:?}"),
        )),
    };
    scratch.finish(result).await
}

async fn count_in(scratch: &mut Scratch, mailbox: &str) -> Result<Option<u32>, Finding> {
    let reply = scratch
        .session
        .run(&format!("STATUS {} (MESSAGES)", quoted(mailbox)))
        .await?;
    Ok(reply.data().find_map(|d| match d {
        Data::MailboxStatus(s) => s.items.iter().find_map(|i| match *i {
            groupwire_imap::response::mailbox_status::StatusItem::Messages(n) => Some(n),
            _ => None,
        }),
        _ => None,
    }))
}

async fn with_target(cx: &CheckContext) -> Result<(Scratch, String), Finding> {
    with_target_rev(cx, false).await
}

async fn with_target_rev(cx: &CheckContext, rev2: bool) -> Result<(Scratch, String), Finding> {
    let mut scratch = Scratch::new_with(cx, 2, false, true, rev2).await?;
    let target = cx.scratch_name("target");
    super::fixture::create(&mut scratch.session, &target).await?;
    Ok((scratch, target))
}

async fn finish_target(mut scratch: Scratch, target: &str, result: CheckResult) -> CheckResult {
    let _ = scratch
        .session
        .run(&format!("DELETE {}", quoted(target)))
        .await;
    scratch.finish(result).await
}

/// COPY puts a copy in the target mailbox.
pub async fn copy(cx: CheckContext) -> CheckResult {
    let (mut scratch, target) = with_target(&cx).await?;
    let reply = scratch
        .session
        .run(&format!("COPY 1 {}", quoted(&target)))
        .await?;
    let count = count_in(&mut scratch, &target).await?;
    let source = {
        let own = scratch.mailbox.clone();
        count_in(&mut scratch, &own).await?
    };
    let result = if reply.is_ok() && count == Some(1) && source == Some(2) {
        Ok(())
    } else {
        Err(Finding::violation(
            "OK, 1 message in the target, 2 left in the source",
            format!("{} target {count:?} source {source:?}", reply.show_tagged()),
        ))
    };
    finish_target(scratch, &target, result).await
}

/// COPY answers with COPYUID.
pub async fn copyuid(cx: CheckContext) -> CheckResult {
    copyuid_with(cx, false).await
}

/// COPY answers with COPYUID, as IMAP4rev2 requires of every server.
pub async fn copyuid_rev2(cx: CheckContext) -> CheckResult {
    copyuid_with(cx, true).await
}

async fn copyuid_with(cx: CheckContext, rev2: bool) -> CheckResult {
    let (mut scratch, target) = with_target_rev(&cx, rev2).await?;
    let reply = scratch
        .session
        .run(&format!("COPY 1:2 {}", quoted(&target)))
        .await?;
    let result = if !reply.is_ok() {
        Err(Finding::harness(format!(
            "COPY failed: {}",
            reply.show_tagged()
        )))
    } else if reply.codes().any(|c| matches!(c, Code::CopyUid { .. })) {
        Ok(())
    } else {
        Err(Finding::violation("OK [COPYUID ...]", reply.show_all()))
    };
    finish_target(scratch, &target, result).await
}

/// APPEND answers with APPENDUID.
pub async fn appenduid(cx: CheckContext) -> CheckResult {
    appenduid_with(cx, false).await
}

/// APPEND answers with APPENDUID, as IMAP4rev2 requires of every server.
pub async fn appenduid_rev2(cx: CheckContext) -> CheckResult {
    appenduid_with(cx, true).await
}

async fn appenduid_with(cx: CheckContext, rev2: bool) -> CheckResult {
    let mut scratch = Scratch::new_with(&cx, 0, false, false, rev2).await?;
    let reply = {
        let own = scratch.mailbox.clone();
        append(&mut scratch.session, &own, "", &plain_message(&cx, 0)).await?
    };
    let result = if reply.codes().any(|c| matches!(c, Code::AppendUid { .. })) {
        Ok(())
    } else {
        Err(Finding::violation("OK [APPENDUID ...]", reply.show_all()))
    };
    scratch.finish(result).await
}

/// MOVE puts the message in the target and removes it from the source.
pub async fn move_message(cx: CheckContext) -> CheckResult {
    let (mut scratch, target) = with_target(&cx).await?;
    let reply = scratch
        .session
        .run(&format!("MOVE 1 {}", quoted(&target)))
        .await?;
    let expunged = reply
        .data()
        .any(|d| matches!(d, Data::Expunge(_) | Data::Vanished { .. }));
    let count = count_in(&mut scratch, &target).await?;
    let source = {
        let own = scratch.mailbox.clone();
        count_in(&mut scratch, &own).await?
    };
    let result = if reply.is_ok() && expunged && count == Some(1) && source == Some(1) {
        Ok(())
    } else {
        Err(Finding::violation(
            "an EXPUNGE, 1 message moved, 1 left",
            format!("{} target {count:?} source {source:?}", reply.show_all()),
        ))
    };
    finish_target(scratch, &target, result).await
}

/// EXPUNGE removes \Deleted messages with an EXPUNGE response each.
pub async fn expunge(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 3, false, true).await?;
    scratch
        .session
        .must("STORE 2 +FLAGS.SILENT (\\Deleted)")
        .await?;
    let reply = scratch.session.must("EXPUNGE").await?;
    let expunges: Vec<u32> = reply
        .data()
        .filter_map(|d| match d {
            Data::Expunge(n) => Some(n.get()),
            _ => None,
        })
        .collect();
    let left = scratch.session.must("SEARCH ALL").await?;
    let result = if expunges == [2] && left.search().is_some_and(|n| n.len() == 2) {
        Ok(())
    } else {
        Err(Finding::violation(
            "* 2 EXPUNGE and 2 messages left",
            reply.show_all(),
        ))
    };
    scratch.finish(result).await
}

/// UID EXPUNGE removes only the given \Deleted messages.
pub async fn uid_expunge(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 3, false, true).await?;
    scratch
        .session
        .must("STORE 1:2 +FLAGS.SILENT (\\Deleted)")
        .await?;
    let uids = scratch.session.must("FETCH 1 (UID)").await?;
    let uid = uids.fetches().find_map(fetch_uid).unwrap_or(0);
    scratch.session.must(&format!("UID EXPUNGE {uid}")).await?;
    let left = scratch.session.must("SEARCH ALL").await?;
    let result = if left.search().is_some_and(|n| n.len() == 2) {
        Ok(())
    } else {
        Err(Finding::violation(
            "2 messages left (only the given UID expunged)",
            left.show_all(),
        ))
    };
    scratch.finish(result).await
}

/// CLOSE expunges \Deleted messages silently.
pub async fn close(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 2, false, true).await?;
    scratch
        .session
        .must("STORE 1 +FLAGS.SILENT (\\Deleted)")
        .await?;
    let reply = scratch.session.must("CLOSE").await?;
    let count = {
        let own = scratch.mailbox.clone();
        count_in(&mut scratch, &own).await?
    };
    let silent = !reply.data().any(|d| matches!(d, Data::Expunge(_)));
    let result = if count == Some(1) && silent {
        Ok(())
    } else {
        Err(Finding::violation(
            "1 message left and no EXPUNGE response",
            format!("{count:?} {}", reply.show_all()),
        ))
    };
    scratch.finish(result).await
}

/// UNSELECT leaves \Deleted messages in place.
pub async fn unselect(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 2, false, true).await?;
    scratch
        .session
        .must("STORE 1 +FLAGS.SILENT (\\Deleted)")
        .await?;
    scratch.session.must("UNSELECT").await?;
    let count = {
        let own = scratch.mailbox.clone();
        count_in(&mut scratch, &own).await?
    };
    let result = if count == Some(2) {
        Ok(())
    } else {
        Err(Finding::violation(
            "2 messages after UNSELECT",
            format!("{count:?}"),
        ))
    };
    scratch.finish(result).await
}

/// APPEND with a synchronising literal stores the message.
pub async fn append_stored(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 0, false, false).await?;
    {
        let own = scratch.mailbox.clone();
        append(&mut scratch.session, &own, "", &multipart_message(&cx)).await?
    };
    let count = {
        let own = scratch.mailbox.clone();
        count_in(&mut scratch, &own).await?
    };
    let result = if count == Some(1) {
        Ok(())
    } else {
        Err(Finding::violation(
            "1 message after APPEND",
            format!("{count:?}"),
        ))
    };
    scratch.finish(result).await
}

/// APPEND with a flag list stores the flags.
pub async fn append_flags(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 0, false, false).await?;
    {
        let own = scratch.mailbox.clone();
        append(
            &mut scratch.session,
            &own,
            "(\\Seen $Label1)",
            &plain_message(&cx, 0),
        )
        .await?
    };
    scratch
        .session
        .must(&format!("SELECT {}", quoted(&scratch.mailbox)))
        .await?;
    let flags = flags_now(&mut scratch).await?;
    let result = if flags.iter().any(|f| f.eq_ignore_ascii_case("\\Seen"))
        && flags.iter().any(|f| f.eq_ignore_ascii_case("$Label1"))
    {
        Ok(())
    } else {
        Err(Finding::violation(
            "\\Seen and $Label1",
            format!("{flags:?}"),
        ))
    };
    scratch.finish(result).await
}
