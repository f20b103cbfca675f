//! Responses go out through `groupwire-imap`: the helpers here turn the store's values
//! (flags, names, dates, UID lists) into codec values, and the [`Session`] methods encode
//! status responses, untagged data and continuation requests into the output buffer.

use std::collections::BTreeSet;
use std::num::NonZeroU32;

use groupwire_imap::core::{
    Atom, ByteStr, Date, DateTime, Encode, Flag, Mailbox as MailboxName, SeqNumber, SeqRange,
    SequenceSet, Tag,
};
use groupwire_imap::response::fetch::{Fetch, FetchAttribute};
use groupwire_imap::response::{Code, Continuation, Data, ResponseText, Status, StatusResponse};

use super::Session;
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
/// UTF-8 with `utf8` (fault `imap-mailbox-names-utf8`, then a literal). Always a string,
/// INBOX too (`"INBOX"`), so the name is written as the store spells it.
pub(super) fn wire_name(name: &str, utf8: bool) -> MailboxName<'static> {
    if utf8 {
        MailboxName::Other(mime::string(name))
    } else {
        MailboxName::Other(mime::string(&groupwire_imap::core::utf7::encode(name)))
    }
}

/// A message's flags for FLAGS, `\Recent` added when it is recent in the session.
pub(super) fn message_flags(flags: &BTreeSet<String>, recent: bool) -> Vec<Flag<'static>> {
    let mut list: Vec<Flag<'static>> = flags.iter().filter_map(|f| flag_of(f)).collect();
    if recent {
        list.push(Flag::Recent);
    }
    list
}

/// An INTERNALDATE (seconds since the epoch) as an IMAP date-time in UTC.
pub(super) fn internal_date(seconds: i64) -> DateTime {
    use chrono::{Datelike, Timelike};
    let at = chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default();
    let small = |n: u32| u8::try_from(n).unwrap_or(0);
    DateTime {
        date: Date {
            year: u16::try_from(at.year()).unwrap_or(0),
            month: small(at.month()),
            day: small(at.day()),
        },
        hour: small(at.hour()),
        minute: small(at.minute()),
        second: small(at.second()),
        zone_minutes: 0,
    }
}

/// A stored flag as a codec [`Flag`] (`None` for text no flag can carry).
pub(super) fn flag_of(text: &str) -> Option<Flag<'static>> {
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

/// `n FETCH ([UID u] FLAGS (...) [MODSEQ (m)])`; `\Recent` added when the message is recent
/// in the session.
pub(super) fn flags_fetch(
    seq: usize,
    uid: Option<u32>,
    flags: &BTreeSet<String>,
    recent: bool,
    modseq: Option<u64>,
) -> Option<Data<'static>> {
    let seq = nz(seq)?;
    let mut attributes = Vec::new();
    if let Some(uid) = uid.and_then(NonZeroU32::new) {
        attributes.push(FetchAttribute::Uid(uid));
    }
    attributes.push(FetchAttribute::Flags(message_flags(flags, recent).into()));
    if let Some(modseq) = modseq {
        attributes.push(FetchAttribute::ModSeq(modseq));
    }
    Some(Data::Fetch(Fetch {
        seq,
        attributes: attributes.into(),
    }))
}

/// A count or number as a non-zero `nz-number` (`None` for 0 or beyond `u32`).
pub(super) fn nz(n: impl TryInto<u32>) -> Option<NonZeroU32> {
    n.try_into().ok().and_then(NonZeroU32::new)
}

/// A count as a `number` (saturating at `u32::MAX`).
pub(super) fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `uids` in the order given, one element each (`5,6,9`; no ranges), as APPENDUID, COPYUID
/// and VANISHED carry them; `None` when there are none.
pub(super) fn uid_list(uids: impl IntoIterator<Item = u32>) -> Option<SequenceSet<'static>> {
    SequenceSet::from_ranges(
        uids.into_iter()
            .filter_map(NonZeroU32::new)
            .map(|uid| SeqRange {
                start: SeqNumber::Value(uid),
                end: SeqNumber::Value(uid),
            }),
    )
}

/// A response's code and text.
pub(super) fn response_text(code: Option<Code<'static>>, text: &str) -> ResponseText<'static> {
    ResponseText {
        code,
        text: ByteStr::from(text.to_string()),
    }
}

/// A tag as the codec's [`Tag`] (`None` when the bytes are none or not a valid tag: the
/// answer is then untagged).
pub(super) fn tag_of(bytes: Option<&ByteStr<'_>>) -> Option<Tag<'static>> {
    Tag::new(bytes?.to_str_lossy().into_owned())
}

/// Seconds since the epoch of an IMAP date-time (APPEND's internal date).
pub(super) fn date_time_seconds(value: &DateTime) -> Option<i64> {
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

impl Session {
    /// Queues `response` (a status response, untagged data, a continuation request),
    /// encoded by the codec, for the next flush.
    pub(super) fn send(&mut self, response: &impl Encode) {
        response.encode(&mut self.out);
    }

    /// Queues untagged data (`* ...`).
    pub(super) fn data(&mut self, data: Data<'_>) {
        self.send(&data);
    }

    /// Queues a status response: tagged with `tag`, untagged (`*`) without one.
    pub(super) fn status(
        &mut self,
        tag: Option<&Tag<'_>>,
        status: Status,
        code: Option<Code<'static>>,
        text: &str,
    ) {
        self.send(&StatusResponse {
            tag: tag.cloned(),
            status,
            text: response_text(code, text),
        });
    }

    /// Queues the tagged completion `tag status text`.
    pub(super) fn tagged(&mut self, tag: &Tag<'_>, status: Status, text: &str) {
        self.status(Some(tag), status, None, text);
    }

    /// Queues the tagged completion `tag status [code] text`.
    pub(super) fn tagged_code(
        &mut self,
        tag: &Tag<'_>,
        status: Status,
        code: Code<'static>,
        text: &str,
    ) {
        self.status(Some(tag), status, Some(code), text);
    }

    /// Queues `* OK [code] text`.
    pub(super) fn untagged_ok(&mut self, code: Code<'static>, text: &str) {
        self.status(None, Status::Ok, Some(code), text);
    }

    /// Queues the continuation request `+ text`.
    pub(super) fn continuation(&mut self, text: &str) {
        self.send(&Continuation::Text(response_text(None, text)));
    }

    /// Queues the SASL challenge `+ base64` (`+ ` for an empty one).
    pub(super) fn challenge(&mut self, data: &[u8]) {
        use base64::Engine;
        let encoded = base64::engine::general_purpose::STANDARD.encode(data);
        self.send(&Continuation::Base64(ByteStr::from(encoded.into_bytes())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &impl Encode) -> String {
        String::from_utf8(value.to_bytes()).unwrap_or_default()
    }

    #[test]
    fn uid_lists_keep_the_order_and_one_element_per_uid() {
        let set = uid_list([7, 5, 6]).map(|s| text(&s));
        assert_eq!(set.as_deref(), Some("7,5,6"));
        assert!(uid_list([]).is_none());
    }

    #[test]
    fn mailbox_names_are_quoted_or_literals() {
        assert_eq!(text(&wire_name("INBOX", false)), "\"INBOX\"");
        assert_eq!(text(&wire_name("Entwürfe", false)), "\"Entw&APw-rfe\"");
        assert_eq!(text(&wire_name("Entwürfe", true)), "{9}\r\nEntwürfe");
    }

    #[test]
    fn internal_dates_are_utc_date_times() {
        assert_eq!(text(&internal_date(0)), "\" 1-Jan-1970 00:00:00 +0000\"");
        let date = internal_date(1_796_558_400);
        assert_eq!(date_time_seconds(&date), Some(1_796_558_400));
    }

    #[test]
    fn flags_fetch_carries_uid_flags_and_modseq() {
        let flags: BTreeSet<String> = ["\\Seen".to_string(), "$Work".to_string()].into();
        let fetch = flags_fetch(3, Some(9), &flags, true, Some(12));
        assert_eq!(
            fetch.map(|f| text(&f)).as_deref(),
            Some("* 3 FETCH (UID 9 FLAGS ($Work \\Seen \\Recent) MODSEQ (12))\r\n")
        );
        assert!(flags_fetch(0, None, &flags, false, None).is_none());
    }
}
