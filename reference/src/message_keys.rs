//! What SEARCH, SORT and THREAD of the reference IMAP server compare, taken from the message
//! `mail-parser` parses (no header, date or address parsing of our own): header fields, the
//! sent date (RFC 5256 §2.2), the first address's mailbox (RFC 5256 §3), the address forms
//! SEARCH FROM/TO/CC/BCC match, and the base subject (RFC 5256 §2.1).

use mail_parser::{Address, HeaderValue, Message, MessageParser};

/// The parsed message, headers only needed.
fn parse(raw: &[u8]) -> Option<Message<'_>> {
    MessageParser::default().parse_headers(raw)
}

/// The values of every top-level header field called `name` (case-insensitively), unfolded
/// and trimmed, in order; empty when the message has no such field.
pub fn header_values(raw: &[u8], name: &str) -> Vec<String> {
    let Some(message) = parse(raw) else {
        return Vec::new();
    };
    message
        .headers()
        .iter()
        .filter(|h| h.name.as_str().eq_ignore_ascii_case(name))
        .map(|h| {
            let start = h.offset_start as usize;
            let end = h.offset_end as usize;
            let value = raw.get(start..end).unwrap_or_default();
            String::from_utf8_lossy(value)
                .replace("\r\n", "")
                .replace('\n', "")
                .trim()
                .to_string()
        })
        .collect()
}

/// The sent date as seconds since the epoch (UTC), `None` when there is no parseable Date.
pub fn sent_timestamp(raw: &[u8]) -> Option<i64> {
    parse(raw)?
        .date()
        .filter(|d| d.is_valid())
        .map(|d| d.to_timestamp())
}

/// The Date header's wall-clock time read as if it were UTC (its zone ignored): what the
/// `imap-sort-date-ignores-zone` fault compares.
pub fn sent_wall_clock(raw: &[u8]) -> Option<i64> {
    parse(raw)?
        .date()
        .filter(|d| d.is_valid())
        .map(|d| d.to_timestamp_local())
}

/// The day of the Date header in its own time zone (RFC 9051 §6.4.4: SENTBEFORE, SENTON and
/// SENTSINCE disregard time and timezone), as (year, month, day).
pub fn sent_day(raw: &[u8]) -> Option<(u16, u8, u8)> {
    parse(raw)?
        .date()
        .filter(|d| d.is_valid())
        .map(|d| (d.year, d.month, d.day))
}

fn address_of(message: &Message<'_>, field: &str) -> Option<Address<'static>> {
    let value = match field {
        "From" => message.from(),
        "To" => message.to(),
        "Cc" => message.cc(),
        "Bcc" => message.bcc(),
        _ => None,
    }?;
    Some(value.clone().into_owned())
}

/// The `addr-mailbox` of the first address of `field` (RFC 5256 §3 SORT FROM/TO/CC),
/// lower-cased for i;ascii-casemap; empty when there is none. A group comes first as its
/// ENVELOPE start marker, whose mailbox is the group name (RFC 9051 §7.5.2).
pub fn first_mailbox(raw: &[u8], field: &str) -> String {
    let Some(message) = parse(raw) else {
        return String::new();
    };
    let first = match address_of(&message, field) {
        Some(Address::Group(groups)) => groups.first().and_then(|group| match &group.name {
            Some(name) => Some(name.to_string()),
            None => group
                .addresses
                .iter()
                .find_map(|a| a.address.as_deref().map(str::to_string)),
        }),
        Some(address) => address
            .iter()
            .find_map(|a| a.address.as_deref().map(str::to_string)),
        None => None,
    };
    first
        .map(|a| {
            a.rsplit_once('@')
                .map_or(a.as_str(), |(local, _)| local)
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

/// Texts SEARCH FROM/TO/CC/BCC match against: the raw field values, and each address as
/// `name <mailbox@host>` with comments and folding gone (so an address written with a
/// comment inside it, `<user (comment)@ host>`, is found as `user@host`), plus group names.
pub fn address_texts(raw: &[u8], field: &str) -> Vec<String> {
    let mut texts = header_values(raw, field);
    let Some(message) = parse(raw) else {
        return texts;
    };
    if let Some(address) = address_of(&message, field) {
        if let Address::Group(groups) = &address {
            texts.extend(
                groups
                    .iter()
                    .filter_map(|g| g.name.as_deref().map(str::to_string)),
            );
        }
        for addr in address.iter() {
            let name = addr.name.as_deref().unwrap_or_default();
            let mailbox = addr.address.as_deref().unwrap_or_default();
            texts.push(format!("{name} <{mailbox}>"));
        }
    }
    texts
}

/// The decoded Subject (encoded words decoded by mail-parser), or empty.
fn subject(raw: &[u8]) -> String {
    let Some(message) = parse(raw) else {
        return String::new();
    };
    match message.header("Subject") {
        Some(HeaderValue::Text(text)) => text.to_string(),
        Some(HeaderValue::TextList(list)) => list.join(" "),
        _ => String::new(),
    }
}

/// The base subject of RFC 5256 §2.1, upper-cased for comparison.
pub fn base_subject(raw: &[u8]) -> String {
    base_subject_of(&subject(raw))
}

fn is_wsp(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// `subj-blob` at the start of `s`: `"[" *BLOBCHAR "]" *WSP`; the rest after it.
fn strip_blob(s: &str) -> Option<&str> {
    let rest = s.strip_prefix('[')?;
    let end = rest.find(['[', ']'])?;
    let rest = rest.get(end..)?.strip_prefix(']')?;
    Some(rest.trim_start_matches(is_wsp))
}

/// `subj-refwd` at the start of `s`: `("re" / ("fw" ["d"])) *WSP [subj-blob] ":"`.
fn strip_refwd(s: &str) -> Option<&str> {
    let lower = s.to_ascii_lowercase();
    let skip = if lower.starts_with("re") {
        2
    } else if lower.starts_with("fwd") {
        3
    } else if lower.starts_with("fw") {
        2
    } else {
        return None;
    };
    let rest = s.get(skip..)?.trim_start_matches(is_wsp);
    let rest = strip_blob(rest).unwrap_or(rest);
    rest.strip_prefix(':')
}

/// `subj-leader`: `(*subj-blob subj-refwd) / WSP`.
fn strip_leader(s: &str) -> Option<&str> {
    if s.starts_with(is_wsp) {
        return Some(s.trim_start_matches(is_wsp));
    }
    let mut rest = s;
    loop {
        if let Some(after) = strip_refwd(rest) {
            return Some(after);
        }
        rest = strip_blob(rest)?;
    }
}

/// RFC 5256 §2.1 on an already decoded subject.
pub fn base_subject_of(decoded: &str) -> String {
    // (1) whitespace runs (tabs, folding) become one space.
    let mut s: String = decoded
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    loop {
        // (2) trailing "(fwd)" and WSP.
        loop {
            let lower = s.to_ascii_lowercase();
            if lower.ends_with("(fwd)") {
                s.truncate(s.len() - 5);
            } else if s.ends_with(is_wsp) {
                s.truncate(s.trim_end_matches(is_wsp).len());
            } else {
                break;
            }
        }
        // (3)-(5) leaders, and blobs that leave something behind.
        loop {
            let mut changed = false;
            while let Some(rest) = strip_leader(&s) {
                s = rest.to_string();
                changed = true;
            }
            if let Some(rest) = strip_blob(&s)
                && !rest.is_empty()
            {
                s = rest.to_string();
                changed = true;
            }
            if !changed {
                break;
            }
        }
        // (6) "[fwd:" ... "]".
        let lower = s.to_ascii_lowercase();
        if lower.starts_with("[fwd:") && s.ends_with(']') {
            s = s.get(5..s.len() - 1).unwrap_or_default().to_string();
            continue;
        }
        return s.to_uppercase();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_subjects() {
        for (subject, base) in [
            ("Re: test", "TEST"),
            ("re: Re: test", "TEST"),
            ("Fwd: test", "TEST"),
            ("test (fwd)", "TEST"),
            ("[tag] test", "TEST"),
            ("[tag] Re: [list] test (fwd)", "TEST"),
            ("[fwd: Re: test]", "TEST"),
            ("Re: [fwd: test] (fwd)", "TEST"),
            ("[only]", "[ONLY]"),
            ("Re:   spaced\t\tout ", "SPACED OUT"),
            ("Fw[x]: test", "TEST"),
            ("", ""),
        ] {
            assert_eq!(base_subject_of(subject), base, "{subject}");
        }
    }

    #[test]
    fn encoded_words_are_decoded() {
        let raw = b"Subject: =?utf-8?q?Re=3A_caf=C3=A9?=\r\n\r\nx\r\n";
        assert_eq!(base_subject(raw), "CAFÉ");
    }

    #[test]
    fn addresses_and_dates() {
        let raw = b"From: <user-from (comment)@ (comment) domain.org>\r\n\
                    Date: Sun, 25 Mar 2007 23:00:00 +0300\r\nTo: Real <x@y>\r\n\r\nb\r\n";
        assert!(
            address_texts(raw, "From")
                .iter()
                .any(|t| t.contains("user-from@domain.org"))
        );
        assert_eq!(first_mailbox(raw, "To"), "x");
        let group = b"Cc: Team: blah@domain1.org;\r\n\r\nb\r\n";
        assert_eq!(first_mailbox(group, "Cc"), "team");
        assert_eq!(sent_day(raw), Some((2007, 3, 25)));
        assert_eq!(sent_timestamp(raw), Some(1_174_852_800));
        assert!(header_values(raw, "Cc").is_empty());
        assert_eq!(header_values(raw, "to"), vec!["Real <x@y>".to_string()]);
    }
}
