//! SEARCH (with ESEARCH and CONDSTORE), SORT and THREAD (RFC 5256).

use groupwire_imap::command::search::{SearchCommand, SearchKey};
use groupwire_imap::command::sort::{Sort, SortKey, ThreadCommand};
use groupwire_imap::core::{IString, SequenceSet, Tag};
use groupwire_imap::response::{Data, Status};

use super::Session;
use super::messages::set_contains;
use crate::faults::{Fault, Faults};
use crate::store::StoredMessage;
use crate::{message_keys, mime};

impl Session {
    /// The SORT key values (RFC 5256 §3) of each of `hits`, one per key.
    pub(super) fn sort_values(
        &self,
        name: &str,
        hits: &[u32],
        by_uid: bool,
        keys: &[(bool, SortKey<'static>)],
    ) -> Vec<Vec<SortValue>> {
        let Some(mailbox) = self
            .with_account(|view| view.mailbox(name).cloned())
            .ok()
            .flatten()
        else {
            return Vec::new();
        };
        let selected_uids = self
            .selected
            .as_ref()
            .map(|s| s.uids.clone())
            .unwrap_or_default();
        hits.iter()
            .map(|&n| {
                let uid = if by_uid {
                    n
                } else {
                    selected_uids
                        .get((n as usize).saturating_sub(1))
                        .copied()
                        .unwrap_or(0)
                };
                let message = mailbox
                    .position_of(uid)
                    .and_then(|p| mailbox.messages.get(p));
                keys.iter()
                    .map(|(_, key)| match message {
                        Some(message) => self.sort_value(message, key),
                        None => SortValue::Number(0),
                    })
                    .collect()
            })
            .collect()
    }

    pub(super) fn sort_value(&self, message: &StoredMessage, key: &SortKey<'static>) -> SortValue {
        let raw = &message.raw;
        match key {
            SortKey::Arrival if self.fault(Fault::ImapSortArrivalUid) => {
                SortValue::Number(i64::from(message.uid))
            }
            SortKey::Arrival => SortValue::Number(message.internal_date),
            SortKey::Date if self.fault(Fault::ImapSortDateArrival) => {
                SortValue::Number(message.internal_date)
            }
            SortKey::Date => {
                let sent = if self.fault(Fault::ImapSortDateIgnoresZone) {
                    message_keys::sent_wall_clock(raw)
                } else {
                    message_keys::sent_timestamp(raw)
                };
                SortValue::Number(sent.unwrap_or(message.internal_date))
            }
            SortKey::From if self.fault(Fault::ImapSortFromWholeAddress) => SortValue::Text(
                message_keys::header_values(raw, "From")
                    .first()
                    .cloned()
                    .unwrap_or_default()
                    .to_ascii_lowercase(),
            ),
            SortKey::To | SortKey::Cc if self.fault(Fault::ImapSortToCcIgnored) => {
                SortValue::Text(String::new())
            }
            SortKey::From => SortValue::Text(message_keys::first_mailbox(raw, "From")),
            SortKey::To => SortValue::Text(message_keys::first_mailbox(raw, "To")),
            SortKey::Cc => SortValue::Text(message_keys::first_mailbox(raw, "Cc")),
            SortKey::Size => SortValue::Number(i64::try_from(raw.len()).unwrap_or(i64::MAX)),
            SortKey::Subject if self.fault(Fault::ImapBaseSubjectSimple) => {
                SortValue::Text(base_subject(raw))
            }
            SortKey::Subject => SortValue::Text(message_keys::base_subject(raw)),
            _ => SortValue::Number(0),
        }
    }

    pub(super) fn search(
        &self,
        name: &str,
        criteria: &[SearchKey<'static>],
        uid: bool,
    ) -> Vec<u32> {
        self.search_modseq(name, criteria, uid)
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    }

    /// The matching message numbers (or UIDs) with each message's modseq.
    pub(super) fn search_modseq(
        &self,
        name: &str,
        criteria: &[SearchKey<'static>],
        uid: bool,
    ) -> Vec<(u32, u64)> {
        let Some(mailbox) = self
            .with_account(|view| view.mailbox(name).cloned())
            .ok()
            .flatten()
        else {
            return Vec::new();
        };
        let Some(selected) = self.selected.as_ref() else {
            return Vec::new();
        };
        let mut hits = Vec::new();
        for (index, message_uid) in selected.uids.iter().enumerate() {
            let Some(message) = mailbox
                .position_of(*message_uid)
                .and_then(|p| mailbox.messages.get(p))
            else {
                continue;
            };
            let seq = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let context = SearchContext {
                seq,
                recent: selected.recent.contains(message_uid),
                largest_seq: u32::try_from(selected.uids.len()).unwrap_or(u32::MAX),
                largest_uid: selected.uids.last().copied().unwrap_or(0),
                faults: &self.service.faults,
            };
            if criteria.iter().all(|key| context.matches(key, message)) {
                let number = if uid && !self.fault(Fault::ImapUidSearchReturnsSeq) {
                    *message_uid
                } else {
                    seq
                };
                hits.push((number, message.modseq));
            }
        }
        if self.fault(Fault::ImapSearchEmpty) {
            hits.clear();
        }
        hits
    }
}

/// One SORT key value: numbers (dates, sizes) or case-mapped text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum SortValue {
    Number(i64),
    Text(String),
}

/// An ORDEREDSUBJECT thread (RFC 5256 §3): the first message at the root, the second its
/// child, the others siblings of the second.
pub(super) fn ordered_subject_thread(
    numbers: &[std::num::NonZeroU32],
) -> groupwire_imap::response::thread::Thread {
    use groupwire_imap::response::thread::Thread;
    match numbers {
        [] => Thread::default(),
        [one] => Thread {
            messages: vec![*one],
            children: Vec::new(),
        },
        [first, second] => Thread {
            messages: vec![*first, *second],
            children: Vec::new(),
        },
        [first, rest @ ..] => Thread {
            messages: vec![*first],
            children: rest
                .iter()
                .map(|n| Thread {
                    messages: vec![*n],
                    children: Vec::new(),
                })
                .collect(),
        },
    }
}

/// Whether a search program holds a MODSEQ criterion (a CONDSTORE enabling command).
pub(super) fn has_modseq_key(key: &SearchKey<'_>) -> bool {
    match key {
        SearchKey::ModSeq { .. } => true,
        SearchKey::Not(inner) | SearchKey::Fuzzy(inner) => has_modseq_key(inner),
        SearchKey::Or(a, b) => has_modseq_key(a) || has_modseq_key(b),
        SearchKey::And(keys) => keys.iter().any(has_modseq_key),
        _ => false,
    }
}

pub(super) struct SearchContext<'f> {
    seq: u32,
    /// Whether the message is `\Recent` in the session.
    recent: bool,
    largest_seq: u32,
    largest_uid: u32,
    faults: &'f Faults,
}

pub(super) fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

impl SearchContext<'_> {
    pub(super) fn matches(&self, key: &SearchKey<'static>, message: &StoredMessage) -> bool {
        let ignore_flags = self.faults.has(Fault::ImapSearchIgnoresFlags);
        let ignore_headers = self.faults.has(Fault::ImapSearchIgnoresHeaders);
        let flag = |name: &str| ignore_flags || message.flags.contains(name);
        let no_flag = |name: &str| ignore_flags || !message.flags.contains(name);
        let header = |name: &str, value: &str| {
            let values = message_keys::header_values(&message.raw, name);
            ignore_headers
                || if value.is_empty() && !self.faults.has(Fault::ImapSearchHeaderEmptyAll) {
                    // RFC 9051 §6.4.4: "" matches every message that has the field.
                    !values.is_empty()
                } else {
                    value.is_empty() || values.iter().any(|v| contains_ci(v, value))
                }
        };
        let address = |name: &str, value: &str| {
            if ignore_headers {
                return true;
            }
            let texts = if self.faults.has(Fault::ImapSearchAddressRaw) {
                message_keys::header_values(&message.raw, name)
            } else {
                message_keys::address_texts(&message.raw, name)
            };
            texts.iter().any(|t| contains_ci(t, value))
        };
        let ignore_dates = self.faults.has(Fault::ImapSearchDatesIgnored);
        let day = |date: &groupwire_imap::core::Date| (date.year, date.month, date.day);
        let internal = internal_day(message.internal_date);
        let sent = if self.faults.has(Fault::ImapSearchSentdateUtc) {
            message_keys::sent_timestamp(&message.raw).map(internal_day)
        } else {
            message_keys::sent_day(&message.raw)
        }
        .unwrap_or(internal);
        match key {
            SearchKey::All => true,
            SearchKey::Answered => flag("\\Answered"),
            SearchKey::Deleted => flag("\\Deleted"),
            SearchKey::Draft => flag("\\Draft"),
            SearchKey::Flagged => flag("\\Flagged"),
            SearchKey::Seen => flag("\\Seen"),
            SearchKey::Unanswered => no_flag("\\Answered"),
            SearchKey::Undeleted => no_flag("\\Deleted"),
            SearchKey::Undraft => no_flag("\\Draft"),
            SearchKey::Unflagged => no_flag("\\Flagged"),
            SearchKey::Unseen => no_flag("\\Seen"),
            SearchKey::Recent => self.recent,
            SearchKey::New => self.recent && !message.flags.contains("\\Seen"),
            SearchKey::Old => !self.recent,
            SearchKey::Keyword(atom) => flag(atom.as_str()),
            SearchKey::Unkeyword(atom) => no_flag(atom.as_str()),
            SearchKey::Subject(value) => header("Subject", &value.to_str_lossy()),
            SearchKey::From(value) => address("From", &value.to_str_lossy()),
            SearchKey::To(value) => address("To", &value.to_str_lossy()),
            SearchKey::Cc(value) => address("Cc", &value.to_str_lossy()),
            SearchKey::Bcc(value) => address("Bcc", &value.to_str_lossy()),
            SearchKey::Before(date) => ignore_dates || internal < day(date),
            SearchKey::On(date) => ignore_dates || internal == day(date),
            SearchKey::Since(date) => ignore_dates || internal >= day(date),
            SearchKey::SentBefore(date) => ignore_dates || sent < day(date),
            SearchKey::SentOn(date) => ignore_dates || sent == day(date),
            SearchKey::SentSince(date) => ignore_dates || sent >= day(date),
            SearchKey::Header(name, value) => header(&name.to_str_lossy(), &value.to_str_lossy()),
            SearchKey::Body(value) => contains_ci(
                &String::from_utf8_lossy(&mime::section(&message.raw, &[], Some("TEXT"))),
                &value.to_str_lossy(),
            ),
            SearchKey::Text(value) => contains_ci(
                &String::from_utf8_lossy(&message.raw),
                &value.to_str_lossy(),
            ),
            SearchKey::Larger(n) => message.raw.len() as u64 > *n,
            SearchKey::Smaller(n) => (message.raw.len() as u64) < *n,
            SearchKey::Uid(set) => set_contains(set, message.uid, self.largest_uid),
            SearchKey::SequenceSet(set) => set_contains(set, self.seq, self.largest_seq),
            SearchKey::Not(inner) => !self.matches(inner, message),
            SearchKey::Or(a, b) => self.matches(a, message) || self.matches(b, message),
            SearchKey::And(keys) => keys.iter().all(|k| self.matches(k, message)),
            SearchKey::ModSeq { mod_seq, .. } => message.modseq >= *mod_seq,
            SearchKey::EmailId(id) => id.as_str() == message.email_id,
            _ => true,
        }
    }
}

/// The unfolded value of the first header field `name`.
pub(super) fn header_value(raw: &[u8], name: &str) -> String {
    let header = mime::header_fields(raw, &[name.to_string()], false);
    let text = String::from_utf8_lossy(&header).into_owned();
    text.split_once(':')
        .map(|(_, v)| v.replace("\r\n", "").trim().to_string())
        .unwrap_or_default()
}

/// The old simplified base subject (the `imap-base-subject-simple` fault): leading
/// `Re:`/`Fwd:` removed, nothing else.
pub(super) fn base_subject(raw: &[u8]) -> String {
    let mut subject = header_value(raw, "Subject").to_lowercase();
    loop {
        let trimmed = subject.trim_start();
        let next = ["re:", "fwd:", "fw:"]
            .iter()
            .find_map(|p| trimmed.strip_prefix(p))
            .map(str::to_string);
        match next {
            Some(rest) => subject = rest,
            None => return trimmed.trim_end().to_string(),
        }
    }
}

/// The day of `seconds` in the server's time zone (UTC), for BEFORE/ON/SINCE.
pub(super) fn internal_day(seconds: i64) -> (u16, u8, u8) {
    use chrono::Datelike;
    let date = chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .date_naive();
    (
        u16::try_from(date.year()).unwrap_or(0),
        u8::try_from(date.month()).unwrap_or(0),
        u8::try_from(date.day()).unwrap_or(0),
    )
}

/// The sequence set covering `numbers` (sorted ascending), compacted into ranges.
pub(super) fn compact_set(numbers: &[u32]) -> Option<SequenceSet<'static>> {
    use groupwire_imap::core::{SeqNumber, SeqRange};
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for &n in numbers {
        match ranges.last_mut() {
            Some((_, end)) if *end + 1 == n => *end = n,
            _ => ranges.push((n, n)),
        }
    }
    SequenceSet::from_ranges(ranges.into_iter().filter_map(|(a, b)| {
        Some(SeqRange {
            start: SeqNumber::Value(std::num::NonZeroU32::new(a)?),
            end: SeqNumber::Value(std::num::NonZeroU32::new(b)?),
        })
    }))
}

impl Session {
    /// SEARCH (RFC 9051 §6.4.4), as ESEARCH when RETURN options are given (RFC 4731).
    pub(super) fn search_command(
        &mut self,
        tag: &Tag<'_>,
        name: &str,
        search: SearchCommand<'static>,
    ) {
        let found = self.search_modseq(name, &search.criteria, search.uid);
        let hits: Vec<u32> = found.iter().map(|(n, _)| *n).collect();
        let by_modseq = search.criteria.iter().any(has_modseq_key);
        if by_modseq && !self.fault(Fault::ImapCondstoreNotEnabledByFetch) {
            self.enable_condstore();
        }
        let modseq = if by_modseq && !self.fault(Fault::ImapSearchModseqNoModseq) {
            Some(found.iter().map(|(_, m)| *m))
        } else {
            None
        };
        match search.return_options {
            Some(options) if !self.fault(Fault::ImapEsearchPlain) => {
                use groupwire_imap::command::search::SearchReturnOption as Opt;
                use groupwire_imap::response::search::{ESearch, SearchReturnData};
                let all_by_default =
                    options.is_empty() && !self.fault(Fault::ImapEsearchEmptyReturnNotAll);
                let min_max_count = options.is_empty() && !all_by_default;
                let want = |o: &Opt<'_>| {
                    min_max_count && !matches!(o, Opt::All)
                        || all_by_default && matches!(o, Opt::All)
                        || options.contains(o)
                };
                let mut data = Vec::new();
                let min = hits
                    .iter()
                    .min()
                    .and_then(|n| std::num::NonZeroU32::new(*n));
                let max = hits
                    .iter()
                    .max()
                    .and_then(|n| std::num::NonZeroU32::new(*n));
                // RFC 4731 §3.2: the modseq of what is returned.
                let mut returned: Vec<u32> = Vec::new();
                if want(&Opt::Min)
                    && let Some(min) = min
                {
                    data.push(SearchReturnData::Min(min));
                    returned.push(min.get());
                }
                if want(&Opt::Max)
                    && let Some(max) = max
                {
                    data.push(SearchReturnData::Max(max));
                    returned.push(max.get());
                }
                if want(&Opt::All) {
                    let mut sorted = hits.clone();
                    sorted.sort_unstable();
                    if let Some(set) = compact_set(&sorted) {
                        data.push(SearchReturnData::All(set));
                    }
                    returned.clone_from(&hits);
                }
                if want(&Opt::Count) {
                    data.push(SearchReturnData::Count(
                        u32::try_from(hits.len()).unwrap_or(u32::MAX),
                    ));
                    returned.clone_from(&hits);
                }
                if modseq.is_some()
                    && let Some(highest) = found
                        .iter()
                        .filter(|(n, _)| returned.contains(n))
                        .map(|(_, m)| *m)
                        .max()
                {
                    data.push(SearchReturnData::ModSeq(highest));
                }
                let response = Data::ESearch(ESearch {
                    tag: Some(IString::from(tag.as_str())),
                    mailbox: None,
                    uid: search.uid,
                    data: data.into(),
                });
                self.data(response);
            }
            _ => {
                let numbers = groupwire_imap::response::search::NumberList::from_numbers(
                    hits.iter().filter_map(|n| std::num::NonZeroU32::new(*n)),
                );
                let response = Data::Search(groupwire_imap::response::search::Search {
                    numbers,
                    modseq: modseq.and_then(Iterator::max),
                });
                self.data(response);
            }
        }
        self.tagged(tag, Status::Ok, "SEARCH completed");
    }

    /// SORT (RFC 5256 §3).
    pub(super) fn sort(&mut self, tag: &Tag<'_>, name: &str, sort: Sort<'static>) {
        let mut hits = self.search(name, &sort.search, sort.uid);
        if self.fault(Fault::ImapSortUnsorted) {
            hits.reverse();
        } else {
            let keys: Vec<(bool, SortKey<'static>)> = sort
                .criteria
                .iter()
                .map(|c| (c.reverse, c.key.clone()))
                .collect();
            let values = self.sort_values(name, &hits, sort.uid, &keys);
            let reverse_ties =
                self.fault(Fault::ImapSortReverseTiebreak) && keys.iter().any(|k| k.0);
            let mut order: Vec<usize> = (0..hits.len()).collect();
            order.sort_by(|&a, &b| {
                for (i, (reverse, _)) in keys.iter().enumerate() {
                    let ka = values.get(a).and_then(|v| v.get(i));
                    let kb = values.get(b).and_then(|v| v.get(i));
                    let ordering = ka.cmp(&kb);
                    let ordering = if *reverse {
                        ordering.reverse()
                    } else {
                        ordering
                    };
                    if ordering != std::cmp::Ordering::Equal {
                        return ordering;
                    }
                }
                // RFC 5256 §3: equal keys are ordered by sequence number, whatever
                // REVERSE says (UIDs ascend with sequence numbers).
                let ordering = hits.get(a).cmp(&hits.get(b));
                if reverse_ties {
                    ordering.reverse()
                } else {
                    ordering
                }
            });
            hits = order
                .into_iter()
                .filter_map(|i| hits.get(i).copied())
                .collect();
        }
        let numbers = groupwire_imap::response::search::NumberList::from_numbers(
            hits.iter().filter_map(|n| std::num::NonZeroU32::new(*n)),
        );
        let response = Data::Sort(groupwire_imap::response::search::Search {
            numbers,
            modseq: None,
        });
        self.data(response);
        self.tagged(tag, Status::Ok, "SORT completed");
    }

    /// THREAD=ORDEREDSUBJECT (RFC 5256 §3).
    pub(super) fn thread(&mut self, tag: &Tag<'_>, name: &str, thread: ThreadCommand<'static>) {
        let hits = self.search(name, &thread.search, thread.uid);
        let keys = [(false, SortKey::Subject), (false, SortKey::Date)];
        let values = self.sort_values(name, &hits, thread.uid, &keys);
        // RFC 5256 §2.1 ORDEREDSUBJECT: messages grouped by base subject, each group
        // sorted by sent date, groups by their first message's sent date.
        let mut groups: Vec<(String, Vec<(SortValue, u32)>)> = Vec::new();
        for (index, n) in hits.iter().enumerate() {
            let row = values.get(index);
            let subject = match row.and_then(|r| r.first()) {
                Some(SortValue::Text(text)) => text.clone(),
                _ => String::new(),
            };
            let date = row
                .and_then(|r| r.get(1))
                .cloned()
                .unwrap_or(SortValue::Number(0));
            let flat = self.fault(Fault::ImapThreadFlat);
            match groups.iter_mut().find(|(s, _)| *s == subject && !flat) {
                Some((_, members)) => members.push((date, *n)),
                None => groups.push((subject, vec![(date, *n)])),
            }
        }
        for (_, members) in &mut groups {
            members.sort();
        }
        groups.sort_by(|a, b| a.1.first().cmp(&b.1.first()));
        let threads: Vec<groupwire_imap::response::thread::Thread> = groups
            .iter()
            .map(|(_, members)| {
                let numbers: Vec<std::num::NonZeroU32> = members
                    .iter()
                    .filter_map(|(_, n)| std::num::NonZeroU32::new(*n))
                    .collect();
                ordered_subject_thread(&numbers)
            })
            .collect();
        self.data(Data::Thread(threads.into()));
        self.tagged(tag, Status::Ok, "THREAD completed");
    }
}
