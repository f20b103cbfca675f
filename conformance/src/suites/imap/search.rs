//! SEARCH in depth (issue 10): `RETURN ()` (RFC 4731), the date keys on INTERNALDATE and on
//! the Date header with time zones, the APPEND date-time, `HEADER field ""`, FROM with a
//! comment inside the address, and CONDSTORE enabled by FETCH/SEARCH MODSEQ (RFC 7162).

use groupwire_imap::response::Data;
use groupwire_imap::response::code::Code;
use groupwire_imap::response::fetch::FetchAttribute;
use groupwire_imap::response::search::SearchReturnData;

use super::fixture::{Scratch, address, append};
use super::session::{Reply, attribute, quoted};
use crate::engine::{CheckContext, CheckResult, Finding};

/// A message with the given header lines (each without CRLF) before a generated
/// Message-ID and MIME header, and body text `n`.
pub fn mail(cx: &CheckContext, n: usize, headers: &[String]) -> Vec<u8> {
    let mut text = String::new();
    for header in headers {
        text.push_str(header);
        text.push_str("\r\n");
    }
    text.push_str(&format!(
        "Message-ID: <{}-{n}@groupwire.invalid>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\r\nbody {n}\r\n",
        cx.scratch_name("m")
    ));
    text.into_bytes()
}

/// `From:`, `To:` and `Subject:` lines of account 0 with `subject`.
pub fn basic_headers(cx: &CheckContext, subject: &str) -> Vec<String> {
    vec![
        format!("From: Groupwire Sender <{}>", address(cx, 0)),
        format!("To: Groupwire Sender <{}>", address(cx, 0)),
        format!("Subject: {subject}"),
    ]
}

/// A scratch mailbox holding `messages`, each APPENDed with its APPEND arguments (flags,
/// date-time, or empty), then selected. On failure the mailbox is removed again.
pub async fn filled(cx: &CheckContext, messages: &[(String, Vec<u8>)]) -> Result<Scratch, Finding> {
    let mut scratch = Scratch::new(cx, 0, false, false).await?;
    match fill(&mut scratch, messages).await {
        Ok(()) => Ok(scratch),
        Err(finding) => Err(scratch
            .finish(Err(finding.clone()))
            .await
            .err()
            .unwrap_or(finding)),
    }
}

async fn fill(scratch: &mut Scratch, messages: &[(String, Vec<u8>)]) -> Result<(), Finding> {
    let mailbox = scratch.mailbox.clone();
    for (arguments, message) in messages {
        append(&mut scratch.session, &mailbox, arguments, message).await?;
    }
    scratch.selected = Some(
        scratch
            .session
            .must(&format!("SELECT {}", quoted(&mailbox)))
            .await?,
    );
    Ok(())
}

/// Runs each command of `cases` in the scratch mailbox and compares its SEARCH/SORT result
/// with the expected numbers; removes the mailbox.
pub async fn expect_numbers(mut scratch: Scratch, cases: &[(&str, &[u32])]) -> CheckResult {
    let mut wrong = Vec::new();
    for (command, expected) in cases {
        let reply = match scratch.session.must(command).await {
            Ok(reply) => reply,
            Err(finding) => return scratch.finish(Err(finding)).await,
        };
        let got = reply.search();
        if got.as_deref() != Some(*expected) {
            wrong.push(format!("{command} → {}", reply.show_all().trim_end()));
        }
    }
    let result = if wrong.is_empty() {
        Ok(())
    } else {
        let expected: Vec<String> = cases.iter().map(|(c, e)| format!("{c} → {e:?}")).collect();
        Err(Finding::violation(expected.join("; "), wrong.join("; ")))
    };
    scratch.finish(result).await
}

fn esearch_data(reply: &Reply) -> Vec<SearchReturnData<'static>> {
    reply
        .data()
        .filter_map(|d| match d {
            Data::ESearch(e) => Some(e.data.to_vec()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// `SEARCH RETURN ()` is `RETURN (ALL)`: an ESEARCH with ALL and nothing else.
pub async fn esearch_empty_return(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 3, false, true).await?;
    let reply = scratch.session.must("SEARCH RETURN () ALL").await?;
    let data = esearch_data(&reply);
    let all: Option<Vec<u32>> = data.iter().find_map(|d| match d {
        SearchReturnData::All(set) => Some(set.numbers(3).collect()),
        _ => None,
    });
    let others = data.iter().any(|d| {
        matches!(
            d,
            SearchReturnData::Min(_) | SearchReturnData::Max(_) | SearchReturnData::Count(_)
        )
    });
    let result = if all.as_deref() == Some(&[1, 2, 3]) && !others {
        Ok(())
    } else {
        Err(Finding::violation(
            "* ESEARCH (TAG ...) ALL 1:3 (and no MIN, MAX or COUNT)",
            reply.show_all(),
        ))
    };
    scratch.finish(result).await
}

/// The date-time given with APPEND becomes the INTERNALDATE (the same instant).
pub async fn append_internaldate(cx: CheckContext) -> CheckResult {
    let message = mail(&cx, 0, &basic_headers(&cx, "append date"));
    let scratch = filled(
        &cx,
        &[("\"15-Mar-2021 23:30:00 -0500\"".to_string(), message)],
    )
    .await?;
    let mut scratch = scratch;
    let reply = scratch.session.must("FETCH 1 (INTERNALDATE)").await?;
    let date = reply.fetches().find_map(|f| {
        attribute(f, |a| match a {
            FetchAttribute::InternalDate(d) => Some(*d),
            _ => None,
        })
    });
    // 2021-03-16 04:30:00 UTC.
    let instant = date.and_then(|d| {
        let day = chrono::NaiveDate::from_ymd_opt(
            i32::from(d.date.year),
            u32::from(d.date.month),
            u32::from(d.date.day),
        )?;
        let time = day.and_hms_opt(u32::from(d.hour), u32::from(d.minute), u32::from(d.second))?;
        Some(time.and_utc().timestamp() - i64::from(d.zone_minutes) * 60)
    });
    let result = if instant == Some(1_615_869_000) {
        Ok(())
    } else {
        Err(Finding::violation(
            "INTERNALDATE of the instant 15-Mar-2021 23:30:00 -0500",
            reply.show_all(),
        ))
    };
    scratch.finish(result).await
}

/// BEFORE, ON and SINCE compare the internal date's day.
pub async fn search_internal_dates(cx: CheckContext) -> CheckResult {
    let messages: Vec<(String, Vec<u8>)> = ["10-Feb-2020", "12-Feb-2020", "14-Feb-2020"]
        .iter()
        .enumerate()
        .map(|(n, day)| {
            (
                format!("\"{day} 12:00:00 +0000\""),
                mail(&cx, n, &basic_headers(&cx, &format!("internal {n}"))),
            )
        })
        .collect();
    let scratch = filled(&cx, &messages).await?;
    expect_numbers(
        scratch,
        &[
            ("SEARCH BEFORE 12-Feb-2020", &[1]),
            ("SEARCH ON 12-Feb-2020", &[2]),
            ("SEARCH SINCE 12-Feb-2020", &[2, 3]),
            ("SEARCH SINCE 11-Feb-2020 BEFORE 13-Feb-2020", &[2]),
        ],
    )
    .await
}

/// SENTBEFORE, SENTON and SENTSINCE compare the Date header's own day, its time zone
/// disregarded (not converted to UTC).
pub async fn search_sent_dates(cx: CheckContext) -> CheckResult {
    let dates = [
        "Sat, 24 Mar 2007 23:00:00 +0200",
        "Sun, 25 Mar 2007 00:30:00 +0300",
        "Sun, 25 Mar 2007 23:00:00 -0500",
        "Mon, 26 Mar 2007 10:00:00 +0000",
    ];
    let messages: Vec<(String, Vec<u8>)> = dates
        .iter()
        .enumerate()
        .map(|(n, date)| {
            let mut headers = basic_headers(&cx, &format!("sent {n}"));
            headers.push(format!("Date: {date}"));
            (String::new(), mail(&cx, n, &headers))
        })
        .collect();
    let scratch = filled(&cx, &messages).await?;
    expect_numbers(
        scratch,
        &[
            ("SEARCH SENTBEFORE 25-Mar-2007", &[1]),
            ("SEARCH SENTON 25-Mar-2007", &[2, 3]),
            ("SEARCH SENTSINCE 26-Mar-2007", &[4]),
            ("SEARCH SENTSINCE 25-Mar-2007", &[2, 3, 4]),
        ],
    )
    .await
}

/// `HEADER field ""` matches the messages that have the field, and only those.
pub async fn search_header_empty(cx: CheckContext) -> CheckResult {
    let mut with = basic_headers(&cx, "with the field");
    with.push("X-Groupwire-Probe: present".to_string());
    let without = basic_headers(&cx, "without the field");
    let scratch = filled(
        &cx,
        &[
            (String::new(), mail(&cx, 0, &with)),
            (String::new(), mail(&cx, 1, &without)),
        ],
    )
    .await?;
    expect_numbers(
        scratch,
        &[
            ("SEARCH HEADER X-Groupwire-Probe \"\"", &[1]),
            ("SEARCH NOT HEADER X-Groupwire-Probe \"\"", &[2]),
        ],
    )
    .await
}

/// FROM finds an address written with comments inside it (`<user (c)@ (c) host>` is the
/// ENVELOPE address user@host).
pub async fn search_from_comment(cx: CheckContext) -> CheckResult {
    let mut commented = basic_headers(&cx, "commented");
    commented[0] = "From: <gw-commented (a comment)@ (another) groupwire.invalid>".to_string();
    let plain = basic_headers(&cx, "plain");
    let scratch = filled(
        &cx,
        &[
            (String::new(), mail(&cx, 0, &commented)),
            (String::new(), mail(&cx, 1, &plain)),
        ],
    )
    .await?;
    expect_numbers(
        scratch,
        &[("SEARCH FROM \"gw-commented@groupwire.invalid\"", &[1])],
    )
    .await
}

fn highestmodseq(reply: &Reply) -> bool {
    reply.codes().any(|c| matches!(c, Code::HighestModSeq(_)))
}

fn fetch_has_modseq(reply: &Reply) -> bool {
    reply.fetches().next().is_some()
        && reply.fetches().all(|f| {
            attribute(f, |a| matches!(a, FetchAttribute::ModSeq(_)).then_some(())).is_some()
        })
}

/// A first FETCH MODSEQ with a mailbox selected (no CONDSTORE before) reports HIGHESTMODSEQ.
pub async fn fetch_modseq_highestmodseq(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 1, false, true).await?;
    let reply = scratch.session.must("FETCH 1 (MODSEQ)").await?;
    let result = if highestmodseq(&reply) {
        Ok(())
    } else {
        Err(Finding::violation(
            "* OK [HIGHESTMODSEQ n] in answer to the first FETCH (MODSEQ)",
            reply.show_all(),
        ))
    };
    scratch.finish(result).await
}

/// After FETCH MODSEQ, the FETCH responses of a later STORE carry MODSEQ.
pub async fn fetch_modseq_later_fetches(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 1, false, true).await?;
    scratch.session.must("FETCH 1 (MODSEQ)").await?;
    let store = scratch.session.must("STORE 1 +FLAGS (\\Flagged)").await?;
    let result = if fetch_has_modseq(&store) {
        Ok(())
    } else {
        Err(Finding::violation(
            "MODSEQ (n) in the FETCH response of the STORE",
            store.show_all(),
        ))
    };
    scratch.finish(result).await
}

/// SEARCH MODSEQ enables CONDSTORE: HIGHESTMODSEQ is reported and a later STORE's FETCH
/// carries MODSEQ.
pub async fn search_modseq_enables(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 1, false, true).await?;
    let search = scratch.session.must("SEARCH MODSEQ 1").await?;
    let store = scratch.session.must("STORE 1 +FLAGS (\\Flagged)").await?;
    let result = if highestmodseq(&search) && fetch_has_modseq(&store) {
        Ok(())
    } else {
        Err(Finding::violation(
            "* OK [HIGHESTMODSEQ n] to SEARCH MODSEQ, then MODSEQ in STORE's FETCH",
            format!("{} / {}", search.show_all(), store.show_all()),
        ))
    };
    scratch.finish(result).await
}

/// A non-empty SEARCH MODSEQ result ends with `(MODSEQ n)`.
pub async fn search_modseq_result(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 2, false, true).await?;
    let reply = scratch.session.must("SEARCH MODSEQ 1").await?;
    let found = reply
        .data()
        .any(|d| matches!(d, Data::Search(s) if s.modseq.is_some() && s.numbers.len() == 2));
    let result = if found {
        Ok(())
    } else {
        Err(Finding::violation(
            "* SEARCH 1 2 (MODSEQ n)",
            reply.show_all(),
        ))
    };
    scratch.finish(result).await
}

/// SEARCH RETURN (...) with a MODSEQ criterion answers ESEARCH with the MODSEQ result.
pub async fn esearch_modseq(cx: CheckContext) -> CheckResult {
    let mut scratch = Scratch::new(&cx, 2, false, true).await?;
    let reply = scratch.session.must("SEARCH RETURN (ALL) MODSEQ 1").await?;
    let data = esearch_data(&reply);
    let result = if data
        .iter()
        .any(|d| matches!(d, SearchReturnData::ModSeq(_)))
        && data.iter().any(|d| matches!(d, SearchReturnData::All(_)))
    {
        Ok(())
    } else {
        Err(Finding::violation(
            "* ESEARCH (TAG ...) ALL 1:2 MODSEQ n",
            reply.show_all(),
        ))
    };
    scratch.finish(result).await
}
