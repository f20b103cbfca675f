//! SORT and THREAD in depth (RFC 5256, issue 10): DATE as the sent date in UTC with time
//! zones and the INTERNALDATE fallback, ARRIVAL, REVERSE and its tie-break, FROM/TO/CC as the
//! first address's mailbox, the base subject of §2.1, and ORDEREDSUBJECT's thread shape.

use std::num::NonZeroU32;

use groupwire_imap::response::Data;
use groupwire_imap::response::thread::Thread;

use super::search::{basic_headers, expect_numbers, filled, mail};
use crate::engine::{CheckContext, CheckResult, Finding};

/// SORT (DATE) orders by the Date header converted to UTC, a message without Date by its
/// INTERNALDATE.
pub async fn sort_date(cx: CheckContext) -> CheckResult {
    let dates = [
        Some("Mon, 1 Jan 2024 23:00:00 -0500"),
        Some("Tue, 2 Jan 2024 02:00:00 +0000"),
        Some("Tue, 2 Jan 2024 10:00:00 +0900"),
        None,
    ];
    let messages: Vec<(String, Vec<u8>)> = dates
        .iter()
        .enumerate()
        .map(|(n, date)| {
            let mut headers = basic_headers(&cx, &format!("date {n}"));
            if let Some(date) = date {
                headers.push(format!("Date: {date}"));
            }
            let arguments = if date.is_none() {
                "\"02-Jan-2024 01:30:00 +0000\"".to_string()
            } else {
                format!("\"0{}-Jan-2020 12:00:00 +0000\"", n + 1)
            };
            (arguments, mail(&cx, n, &headers))
        })
        .collect();
    let scratch = filled(&cx, &messages).await?;
    // UTC: 3 at 01:00, 4 (no Date, INTERNALDATE) at 01:30, 2 at 02:00, 1 at 04:00.
    expect_numbers(
        scratch,
        &[
            ("SORT (DATE) UTF-8 ALL", &[3, 4, 2, 1]),
            ("SORT (REVERSE DATE) UTF-8 ALL", &[1, 2, 4, 3]),
        ],
    )
    .await
}

/// SORT (ARRIVAL) orders by INTERNALDATE (as APPEND set it), not by the order of APPEND.
pub async fn sort_arrival(cx: CheckContext) -> CheckResult {
    let internal = [
        "10-Feb-2020 12:00:00 +0000",
        "08-Feb-2020 12:00:00 +0000",
        "10-Feb-2020 09:00:00 -0500",
    ];
    let messages: Vec<(String, Vec<u8>)> = internal
        .iter()
        .enumerate()
        .map(|(n, date)| {
            (
                format!("\"{date}\""),
                mail(&cx, n, &basic_headers(&cx, &format!("arrival {n}"))),
            )
        })
        .collect();
    let scratch = filled(&cx, &messages).await?;
    // UTC: 2 on 8 Feb, 1 at 12:00 on 10 Feb, 3 at 14:00 on 10 Feb.
    expect_numbers(scratch, &[("SORT (ARRIVAL) UTF-8 ALL", &[2, 1, 3])]).await
}

/// REVERSE reverses its criterion only: equal keys stay in ascending sequence order.
pub async fn sort_reverse_tiebreak(cx: CheckContext) -> CheckResult {
    let messages: Vec<(String, Vec<u8>)> = ["beta", "alpha", "beta"]
        .iter()
        .enumerate()
        .map(|(n, subject)| (String::new(), mail(&cx, n, &basic_headers(&cx, subject))))
        .collect();
    let scratch = filled(&cx, &messages).await?;
    expect_numbers(
        scratch,
        &[
            ("SORT (SUBJECT) UTF-8 ALL", &[2, 1, 3]),
            ("SORT (REVERSE SUBJECT) UTF-8 ALL", &[1, 3, 2]),
        ],
    )
    .await
}

/// Messages whose `field` is `Name <local@groupwire.invalid>` for each (name, local).
fn address_messages(
    cx: &CheckContext,
    field: &str,
    people: &[(&str, &str)],
) -> Vec<(String, Vec<u8>)> {
    people
        .iter()
        .enumerate()
        .map(|(n, (name, local))| {
            let mut headers = basic_headers(cx, &format!("{field} {n}"));
            let line = format!("{field}: {name} <{local}@groupwire.invalid>");
            match headers
                .iter_mut()
                .find(|h| h.starts_with(&format!("{field}:")))
            {
                Some(existing) => *existing = line,
                None => headers.push(line),
            }
            (String::new(), mail(cx, n, &headers))
        })
        .collect()
}

/// SORT (FROM) compares the first From address's mailbox, not the display name.
pub async fn sort_from(cx: CheckContext) -> CheckResult {
    let messages = address_messages(
        &cx,
        "From",
        &[
            ("Anna", "gw-zulu"),
            ("Zoe", "gw-alpha"),
            ("Mike", "gw-mike"),
        ],
    );
    let scratch = filled(&cx, &messages).await?;
    expect_numbers(scratch, &[("SORT (FROM) UTF-8 ALL", &[2, 3, 1])]).await
}

/// SORT (TO) compares the first To address's mailbox.
pub async fn sort_to(cx: CheckContext) -> CheckResult {
    let messages = address_messages(
        &cx,
        "To",
        &[
            ("Anna", "gw-zulu"),
            ("Zoe", "gw-alpha"),
            ("Mike", "gw-mike"),
        ],
    );
    let scratch = filled(&cx, &messages).await?;
    expect_numbers(scratch, &[("SORT (TO) UTF-8 ALL", &[2, 3, 1])]).await
}

/// SORT (CC) compares the first Cc address's mailbox.
pub async fn sort_cc(cx: CheckContext) -> CheckResult {
    let messages = address_messages(
        &cx,
        "Cc",
        &[
            ("Anna", "gw-zulu"),
            ("Zoe", "gw-alpha"),
            ("Mike", "gw-mike"),
        ],
    );
    let scratch = filled(&cx, &messages).await?;
    expect_numbers(scratch, &[("SORT (CC) UTF-8 ALL", &[2, 3, 1])]).await
}

/// The subjects of the base-subject check, each with its base subject per RFC 5256 §2.1.
const SUBJECTS: [(&str, &str); 6] = [
    // (1) an encoded word holding "Re: zebra".
    ("=?UTF-8?Q?Re=3A_zebra?=", "zebra"),
    // (3) a subj-leader with a blob, (2) a "(fwd)" trailer.
    ("[list] Re: apple (fwd)", "apple"),
    // (6) subj-fwd-hdr and subj-fwd-trl around a subj-refwd.
    ("[fwd: Re: mango]", "mango"),
    // (3) then (4): a blob after the leader is removed when text remains.
    ("Fwd: [x] banana", "banana"),
    // (5) leaders repeated, (1) multiple spaces.
    ("Re: RE:   lemon", "lemon"),
    // subj-refwd with a blob before its colon.
    ("Fw[tag]: cherry", "cherry"),
];

/// SORT (SUBJECT) orders by the base subject of RFC 5256 §2.1.
pub async fn sort_base_subject(cx: CheckContext) -> CheckResult {
    let messages: Vec<(String, Vec<u8>)> = SUBJECTS
        .iter()
        .enumerate()
        .map(|(n, (subject, _))| (String::new(), mail(&cx, n, &basic_headers(&cx, subject))))
        .collect();
    let scratch = filled(&cx, &messages).await?;
    // apple 2, banana 4, cherry 6, lemon 5, mango 3, zebra 1.
    expect_numbers(
        scratch,
        &[("SORT (SUBJECT) UTF-8 ALL", &[2, 4, 6, 5, 3, 1])],
    )
    .await
}

fn thread(messages: &[u32], children: Vec<Thread>) -> Thread {
    Thread {
        messages: messages
            .iter()
            .filter_map(|n| NonZeroU32::new(*n))
            .collect(),
        children,
    }
}

/// THREAD ORDEREDSUBJECT: threads of one base subject, sorted by sent date; the first
/// message at the root, the others its children.
pub async fn thread_orderedsubject(cx: CheckContext) -> CheckResult {
    let cases = [
        ("apple", "Wed, 3 Jan 2024 10:00:00 +0000"),
        ("banana", "Mon, 1 Jan 2024 10:00:00 +0000"),
        ("[list] Re: apple (fwd)", "Tue, 2 Jan 2024 10:00:00 +0000"),
        ("Fwd: apple", "Thu, 4 Jan 2024 10:00:00 +0000"),
    ];
    let messages: Vec<(String, Vec<u8>)> = cases
        .iter()
        .enumerate()
        .map(|(n, (subject, date))| {
            let mut headers = basic_headers(&cx, subject);
            headers.push(format!("Date: {date}"));
            (String::new(), mail(&cx, n, &headers))
        })
        .collect();
    let mut scratch = filled(&cx, &messages).await?;
    let reply = scratch
        .session
        .must("THREAD ORDEREDSUBJECT UTF-8 ALL")
        .await?;
    let threads: Option<Vec<Thread>> = reply.data().find_map(|d| match d {
        Data::Thread(threads) => Some(threads.to_vec()),
        _ => None,
    });
    let expected = vec![
        thread(&[2], Vec::new()),
        thread(
            &[3],
            vec![thread(&[1], Vec::new()), thread(&[4], Vec::new())],
        ),
    ];
    let result = if threads.as_ref() == Some(&expected) {
        Ok(())
    } else {
        Err(Finding::violation(
            "* THREAD (2)(3 (1)(4))",
            reply.show_all(),
        ))
    };
    scratch.finish(result).await
}
