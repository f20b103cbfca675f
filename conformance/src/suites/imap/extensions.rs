//! Extensions of the profile: ENABLE, CONDSTORE, QRESYNC, ID, OBJECTID, ESEARCH, SORT,
//! THREAD, APPENDLIMIT and LITERAL+.

use groupwire_imap::command::LiteralPolicy;
use groupwire_imap::response::code::Code;
use groupwire_imap::response::fetch::FetchAttribute;
use groupwire_imap::response::search::SearchReturnData;
use groupwire_imap::response::{Data, Response};

use super::fixture::{Scratch, plain_message};
use super::session::{ImapSession, attribute, literal, quoted};
use crate::engine::{CheckContext, CheckResult, Finding};

/// ENABLE CONDSTORE answers ENABLED CONDSTORE.
pub async fn enable(cx: CheckContext) -> CheckResult {
    let mut session = ImapSession::ready(&cx, 0).await?;
    let reply = session.run("ENABLE CONDSTORE").await?;
    session.logout().await;
    let enabled = reply.data().any(|d| {
        matches!(d, Data::Enabled(caps) if caps.iter().any(|c| String::from_utf8_lossy(&groupwire_imap::Encode::to_bytes(&*c)).eq_ignore_ascii_case("CONDSTORE")))
    });
    if reply.is_ok() && enabled {
        Ok(())
    } else {
        Err(Finding::violation("* ENABLED CONDSTORE", reply.show_all()))
    }
}

/// SELECT (CONDSTORE) reports HIGHESTMODSEQ.
pub async fn highestmodseq(cx: CheckContext) -> CheckResult {
    let mut session = ImapSession::ready(&cx, 0).await?;
    let reply = session.run("SELECT INBOX (CONDSTORE)").await?;
    session.logout().await;
    if reply.codes().any(|c| matches!(c, Code::HighestModSeq(_))) {
        Ok(())
    } else {
        Err(Finding::violation("OK [HIGHESTMODSEQ n]", reply.show_all()))
    }
}

fn modseq(reply: &super::session::Reply) -> Option<u64> {
    reply.fetches().find_map(|f| {
        attribute(f, |a| match a {
            FetchAttribute::ModSeq(n) => Some(*n),
            _ => None,
        })
    })
}

/// STORE raises the message's MODSEQ.
pub async fn modseq_increases(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 1, false, false).await?;
    scratch.session.must("ENABLE CONDSTORE").await?;
    scratch
        .session
        .must(&format!("SELECT {} (CONDSTORE)", quoted(&scratch.mailbox)))
        .await?;
    let before = modseq(&scratch.session.must("FETCH 1 (MODSEQ)").await?);
    scratch.session.must("STORE 1 +FLAGS (\\Flagged)").await?;
    let after = modseq(&scratch.session.must("FETCH 1 (MODSEQ)").await?);
    let result = match (before, after) {
        (Some(a), Some(b)) if b > a => Ok(()),
        other => Err(Finding::violation(
            "a higher MODSEQ after STORE",
            format!("{other:?}"),
        )),
    };
    scratch.finish(result).await
}

/// SELECT (QRESYNC ...) reports messages expunged since the given modseq as VANISHED (EARLIER).
pub async fn qresync_vanished(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 2, false, false).await?;
    scratch.session.must("ENABLE QRESYNC").await?;
    let select = scratch
        .session
        .must(&format!("SELECT {} (CONDSTORE)", quoted(&scratch.mailbox)))
        .await?;
    let validity = select.codes().find_map(|c| match c {
        Code::UidValidity(n) => Some(n.get()),
        _ => None,
    });
    let highest = select.codes().find_map(|c| match c {
        Code::HighestModSeq(n) => Some(*n),
        _ => None,
    });
    let (Some(validity), Some(highest)) = (validity, highest) else {
        return scratch
            .finish(Err(Finding::harness(
                "SELECT gave no UIDVALIDITY or HIGHESTMODSEQ",
            )))
            .await;
    };
    scratch
        .session
        .must("STORE 1 +FLAGS.SILENT (\\Deleted)")
        .await?;
    scratch.session.must("EXPUNGE").await?;
    scratch.session.must("UNSELECT").await?;
    let reply = scratch
        .session
        .must(&format!(
            "SELECT {} (QRESYNC ({validity} {highest}))",
            quoted(&scratch.mailbox)
        ))
        .await?;
    let vanished = reply
        .data()
        .any(|d| matches!(d, Data::Vanished { earlier: true, .. }));
    let result = if vanished {
        Ok(())
    } else {
        Err(Finding::violation(
            "* VANISHED (EARLIER) <uid>",
            reply.show_all(),
        ))
    };
    scratch.finish(result).await
}

/// ID answers with an untagged ID response.
pub async fn id(cx: CheckContext) -> CheckResult {
    let mut session = ImapSession::ready(&cx, 0).await?;
    let reply = session.run("ID (\"name\" \"groupwire\")").await?;
    session.logout().await;
    if reply.data().any(|d| matches!(d, Data::Id(_))) {
        Ok(())
    } else {
        Err(Finding::violation(
            "an untagged ID response",
            reply.show_all(),
        ))
    }
}

/// FETCH EMAILID returns an object id.
pub async fn objectid(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 1, false, true).await?;
    let reply = scratch.session.must("FETCH 1 (EMAILID)").await?;
    let found = reply
        .fetches()
        .any(|f| attribute(f, |a| matches!(a, FetchAttribute::EmailId(_)).then_some(())).is_some());
    let result = if found {
        Ok(())
    } else {
        Err(Finding::violation(
            "EMAILID (...) in FETCH",
            reply.show_all(),
        ))
    };
    scratch.finish(result).await
}

/// SEARCH RETURN (MIN MAX COUNT) answers with ESEARCH.
pub async fn esearch(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 3, false, true).await?;
    let reply = scratch
        .session
        .must("SEARCH RETURN (MIN MAX COUNT) ALL")
        .await?;
    let data: Vec<SearchReturnData<'static>> = reply
        .data()
        .filter_map(|d| match d {
            Data::ESearch(e) => Some(e.data.to_vec()),
            _ => None,
        })
        .flatten()
        .collect();
    let min = data
        .iter()
        .any(|d| matches!(d, SearchReturnData::Min(n) if n.get() == 1));
    let max = data
        .iter()
        .any(|d| matches!(d, SearchReturnData::Max(n) if n.get() == 3));
    let count = data.iter().any(|d| matches!(d, SearchReturnData::Count(3)));
    let result = if min && max && count {
        Ok(())
    } else {
        Err(Finding::violation(
            "* ESEARCH (TAG ...) MIN 1 MAX 3 COUNT 3",
            reply.show_all(),
        ))
    };
    scratch.finish(result).await
}

/// SORT (REVERSE ARRIVAL) reverses the order.
pub async fn sort(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 3, false, true).await?;
    let reply = scratch.session.must("SORT (SUBJECT) UTF-8 ALL").await?;
    let reverse = scratch
        .session
        .must("SORT (REVERSE SUBJECT) UTF-8 ALL")
        .await?;
    let result = match (reply.search(), reverse.search()) {
        (Some(a), Some(b)) if a == [1, 2, 3] && b == [3, 2, 1] => Ok(()),
        other => Err(Finding::violation(
            "SORT 1 2 3 and REVERSE 3 2 1 (subjects ... plain 0/1/2)",
            format!("{other:?}"),
        )),
    };
    scratch.finish(result).await
}

/// THREAD ORDEREDSUBJECT groups messages with the same base subject.
pub async fn thread(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 0, false, false).await?;
    let mailbox = scratch.mailbox.clone();
    let base = plain_message(&cx, 0);
    let reply_text = String::from_utf8_lossy(&base)
        .replace("Subject: ", "Subject: Re: ")
        .into_bytes();
    super::fixture::append(&mut scratch.session, &mailbox, "", &base).await?;
    super::fixture::append(&mut scratch.session, &mailbox, "", &plain_message(&cx, 1)).await?;
    super::fixture::append(&mut scratch.session, &mailbox, "", &reply_text).await?;
    scratch
        .session
        .must(&format!("SELECT {}", quoted(&mailbox)))
        .await?;
    let reply = scratch
        .session
        .must("THREAD ORDEREDSUBJECT UTF-8 ALL")
        .await?;
    let threads: Vec<usize> = reply
        .data()
        .filter_map(|d| match d {
            Data::Thread(threads) => Some(threads.len()),
            _ => None,
        })
        .collect();
    let result = if threads == [2] {
        Ok(())
    } else {
        Err(Finding::violation(
            "2 threads (1 with its Re:, and 2)",
            reply.show_all(),
        ))
    };
    scratch.finish(result).await
}

/// APPEND of a message above APPENDLIMIT is refused (TOOBIG) before the data is sent.
pub async fn appendlimit(cx: CheckContext) -> CheckResult {
    let mut session = ImapSession::ready(&cx, 0).await?;
    let caps = session.run("CAPABILITY").await?.capabilities();
    let limit = caps.iter().find_map(|c| {
        c.strip_prefix("APPENDLIMIT=")
            .and_then(|n| n.parse::<u64>().ok())
    });
    let Some(limit) = limit else {
        session.logout().await;
        return Err(Finding::skip("APPENDLIMIT has no global value"));
    };
    let tag = "gbig";
    session
        .conn
        .send(format!("{tag} APPEND INBOX {{{}}}\r\n", limit + 1).as_bytes())
        .await?;
    let response = session.read().await?;
    let result = match &response {
        Response::Status(s)
            if s.tag.as_ref().is_some_and(|t| t.as_str() == tag)
                && s.status != groupwire_imap::response::status::Status::Ok =>
        {
            Ok(())
        }
        _ => Err(Finding::violation(
            "a tagged NO ([TOOBIG]) instead of a continuation",
            super::session::show(&response),
        )),
    };
    session.conn.close().await;
    result
}

/// A LITERAL+ literal needs no continuation and is accepted.
pub async fn literal_plus(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 0, false, false).await?;
    let mut text = format!("APPEND {} ", quoted(&scratch.mailbox)).into_bytes();
    text.extend_from_slice(&literal(&plain_message(&cx, 0)));
    let reply = scratch
        .session
        .run_with(&text, LiteralPolicy::LiteralPlus, false)
        .await?;
    let result = if reply.is_ok() && reply.continuations == 0 {
        Ok(())
    } else {
        Err(Finding::violation(
            "OK without a continuation request",
            reply.show_all(),
        ))
    };
    scratch.finish(result).await
}
