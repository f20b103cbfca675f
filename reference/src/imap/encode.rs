//! Helpers turning the store's values (flags, names, dates) into codec values and responses.

use std::collections::BTreeSet;

use groupwire_imap::Encode;
use groupwire_imap::core::{Flag, Mailbox as MailboxName};
use groupwire_imap::response::Data;

use crate::mime;

pub(super) fn flag_text(flag: &Flag<'_>) -> String {
    String::from_utf8_lossy(&flag.to_bytes()).into_owned()
}

pub(super) fn mailbox_text(name: &MailboxName<'_>) -> String {
    match name {
        MailboxName::Inbox => "INBOX".to_string(),
        other => other
            .decode_utf7()
            .unwrap_or_else(|_| String::from_utf8_lossy(&other.name()).into_owned()),
    }
}

/// A mailbox name as it goes on the wire: modified UTF-7 (RFC 3501 §5.1.3), quoted; raw
/// UTF-8 with `utf8` (fault `imap-mailbox-names-utf8`).
pub(super) fn wire_name(name: &str, utf8: bool) -> String {
    if utf8 {
        mime::string(name)
    } else {
        mime::string(&groupwire_imap::core::utf7::encode(name))
    }
}

/// A message's flags for FLAGS, `\Recent` added when it is recent in the session.
pub(super) fn flags_text(flags: &BTreeSet<String>, recent: bool) -> String {
    let mut list: Vec<&str> = flags.iter().map(String::as_str).collect();
    if recent {
        list.push("\\Recent");
    }
    list.join(" ")
}

pub(super) fn date_time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .format("%d-%b-%Y %H:%M:%S +0000")
        .to_string()
}

/// A stored flag as a codec [`Flag`] (`None` for text no flag can carry).
pub(super) fn flag_of(text: &str) -> Option<Flag<'static>> {
    use groupwire_imap::core::Atom;
    let flag = match text.strip_prefix('\\') {
        Some(name) => match name.to_ascii_lowercase().as_str() {
            "answered" => Flag::Answered,
            "flagged" => Flag::Flagged,
            "deleted" => Flag::Deleted,
            "seen" => Flag::Seen,
            "draft" => Flag::Draft,
            "recent" => Flag::Recent,
            "*" => Flag::Wildcard,
            _ => Flag::Extension(Atom::new(name.to_string())?),
        },
        None => Flag::Keyword(Atom::new(text.to_string())?),
    };
    Some(flag)
}

/// The system flags every mailbox has.
pub(super) const SYSTEM_FLAGS: [&str; 5] =
    ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"];

/// The system flags and `keywords` as codec flags, `\*` added when `wildcard`.
pub(super) fn flag_list<'k>(
    keywords: impl IntoIterator<Item = &'k String>,
    wildcard: bool,
) -> Vec<Flag<'static>> {
    let mut flags: Vec<Flag<'static>> = SYSTEM_FLAGS.iter().filter_map(|f| flag_of(f)).collect();
    flags.extend(keywords.into_iter().filter_map(|k| flag_of(k)));
    if wildcard {
        flags.push(Flag::Wildcard);
    }
    flags
}

/// `* n FETCH ([UID u] FLAGS (...) [MODSEQ (m)])`, encoded by the codec; `\Recent` added
/// when the message is recent in the session.
pub(super) fn flags_fetch(
    seq: usize,
    uid: Option<u32>,
    flags: &BTreeSet<String>,
    recent: bool,
    modseq: Option<u64>,
) -> Vec<u8> {
    use groupwire_imap::response::fetch::{Fetch, FetchAttribute as Item};
    let Some(seq) = u32::try_from(seq).ok().and_then(std::num::NonZeroU32::new) else {
        return Vec::new();
    };
    let mut attributes = Vec::new();
    if let Some(uid) = uid.and_then(std::num::NonZeroU32::new) {
        attributes.push(Item::Uid(uid));
    }
    let mut list: Vec<Flag<'static>> = flags.iter().filter_map(|f| flag_of(f)).collect();
    if recent {
        list.push(Flag::Recent);
    }
    attributes.push(Item::Flags(list));
    if let Some(modseq) = modseq {
        attributes.push(Item::ModSeq(modseq));
    }
    Data::Fetch(Fetch { seq, attributes }).to_bytes()
}

/// `* OK [code] text`, encoded by the codec.
pub(super) fn untagged_ok(
    code: groupwire_imap::response::code::Code<'static>,
    text: &str,
) -> Vec<u8> {
    use groupwire_imap::response::status::{ResponseText, Status, StatusResponse};
    groupwire_imap::response::Response::Status(StatusResponse {
        tag: None,
        status: Status::Ok,
        text: ResponseText {
            code: Some(code),
            text: groupwire_imap::core::ByteStr::from(text.to_string()),
        },
    })
    .to_bytes()
}

/// Seconds since the epoch of an IMAP date-time (APPEND's internal date).
pub(super) fn date_time_seconds(value: &groupwire_imap::core::DateTime) -> Option<i64> {
    let date = chrono::NaiveDate::from_ymd_opt(
        i32::from(value.date.year),
        u32::from(value.date.month),
        u32::from(value.date.day),
    )?;
    let time = date.and_hms_opt(
        u32::from(value.hour),
        u32::from(value.minute),
        u32::from(value.second.min(59)),
    )?;
    Some(time.and_utc().timestamp() - i64::from(value.zone_minutes) * 60)
}
