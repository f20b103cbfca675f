//! Correctness while loading, in the manner of imaptest's state tracking.
//!
//! - Every submitted message carries a Message-ID naming the run and a sequence number
//!   (`<load-RUN-SEQ@groupwire.load>`). IMAP sessions fetch each new INBOX message's
//!   ENVELOPE; the tracker counts where and how often each one is seen. A message the server
//!   accepted (250 after DATA) must be seen exactly once, in its recipient's INBOX, within the
//!   delivery bound; the delay from the end of DATA to the first sighting is the delivery
//!   latency.
//! - UIDs never go backwards: a message new to the tracker must come with a UID above every
//!   UID already seen in that mailbox, and UIDNEXT (same UIDVALIDITY) never decreases.
//! - Flags set by one session are seen by the next: after `UID STORE` completes, a later
//!   FETCH FLAGS (in that session or another) must show the flag as set or cleared.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use super::stats::{
    Correctness, Delivery, MAX_SAMPLES, Percentiles, encode_histogram, new_histogram,
};

/// The Message-ID domain of load messages.
pub const ID_DOMAIN: &str = "groupwire.load";

/// The tracker of one run (or shard).
#[derive(Debug)]
pub struct Tracker {
    run: String,
    inner: Mutex<State>,
}

#[derive(Debug)]
struct State {
    next_seq: u64,
    messages: HashMap<u64, Sent>,
    mailboxes: HashMap<usize, MailboxState>,
    delivery: Histogram<u64>,
    correctness: Correctness,
}

#[derive(Debug)]
struct Sent {
    from: usize,
    to: usize,
    /// When DATA ended, once the server accepted the message.
    accepted: Option<Instant>,
    sent: Instant,
    seen: u32,
    uids: Vec<u32>,
}

#[derive(Debug, Default)]
struct MailboxState {
    uid_validity: u32,
    uid_next: u32,
    last_uid: u32,
    /// UIDs known to be in INBOX.
    live: BTreeSet<u32>,
    /// `\Flagged` as last set by a session: (set, session, when the STORE completed).
    flags: HashMap<u32, (bool, u64, Instant)>,
    /// CONDSTORE: the highest MODSEQ the last resync saw, and when that resync completed.
    modseq: Option<(u64, Instant)>,
}

impl Tracker {
    /// A tracker for run `run` (a short id unique to the run and shard).
    pub fn new(run: impl Into<String>) -> Tracker {
        Tracker {
            run: run.into(),
            inner: Mutex::new(State {
                next_seq: 1,
                messages: HashMap::new(),
                mailboxes: HashMap::new(),
                delivery: new_histogram(),
                correctness: Correctness::default(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The run id in Message-IDs.
    pub fn run(&self) -> &str {
        &self.run
    }

    /// Registers a message from user `from` to user `to` about to be submitted; returns its
    /// sequence number and Message-ID.
    pub fn new_message(&self, from: usize, to: usize) -> (u64, String) {
        let mut state = self.lock();
        let seq = state.next_seq;
        state.next_seq += 1;
        state.messages.insert(
            seq,
            Sent {
                from,
                to,
                accepted: None,
                sent: Instant::now(),
                seen: 0,
                uids: Vec::new(),
            },
        );
        (seq, format!("<load-{}-{seq}@{ID_DOMAIN}>", self.run))
    }

    /// The message's data was just sent in full (its end-of-data mark).
    pub fn data_sent(&self, seq: u64) {
        if let Some(sent) = self.lock().messages.get_mut(&seq) {
            sent.sent = Instant::now();
        }
    }

    /// The server accepted the message: it must now be delivered.
    pub fn accepted(&self, seq: u64) {
        let mut state = self.lock();
        let Some(sent) = state.messages.get_mut(&seq) else {
            return;
        };
        sent.accepted = Some(sent.sent);
        // Seen before the 250 arrived: its latency was not recorded then.
        if sent.seen > 0 {
            let latency = Duration::ZERO;
            let _ = state
                .delivery
                .record(u64::try_from(latency.as_micros()).unwrap_or(1).max(1));
        }
    }

    /// The server refused the message (or the session failed before its 250): nothing is
    /// expected of it.
    pub fn abandoned(&self, seq: u64) {
        let mut state = self.lock();
        if state.messages.get(&seq).is_some_and(|m| m.seen == 0) {
            state.messages.remove(&seq);
        }
    }

    fn evidence(state: &mut State, line: String) {
        if state.correctness.evidence.len() < MAX_SAMPLES {
            state.correctness.evidence.push(line);
        }
    }

    /// SELECT reported UIDVALIDITY and UIDNEXT for `user`'s INBOX.
    pub fn selected(&self, user: usize, address: &str, uid_validity: u32, uid_next: u32) {
        let mut state = self.lock();
        let mailbox = state.mailboxes.entry(user).or_default();
        if mailbox.uid_validity != uid_validity {
            // A new UIDVALIDITY starts the mailbox's UID history afresh.
            *mailbox = MailboxState {
                uid_validity,
                uid_next,
                ..MailboxState::default()
            };
            return;
        }
        if uid_next < mailbox.uid_next {
            let line = format!(
                "{address} INBOX: UIDNEXT went from {} to {uid_next} with UIDVALIDITY {uid_validity} unchanged",
                mailbox.uid_next
            );
            state.correctness.uid_regressions += 1;
            Self::evidence(&mut state, line);
        } else {
            mailbox.uid_next = uid_next;
        }
    }

    /// The first UID a sync of `user`'s INBOX should fetch (1 when nothing was seen yet).
    pub fn sync_from(&self, user: usize) -> u32 {
        self.lock()
            .mailboxes
            .get(&user)
            .map_or(1, |m| m.last_uid.saturating_add(1))
    }

    /// A sync of `user`'s INBOX fetched `uid` with `message_id` (from its ENVELOPE).
    pub fn seen(&self, user: usize, address: &str, uid: u32, message_id: Option<&[u8]>) {
        let now = Instant::now();
        let mut state = self.lock();
        let mailbox = state.mailboxes.entry(user).or_default();
        let known = mailbox.live.contains(&uid);
        if known {
            return;
        }
        let regression = uid <= mailbox.last_uid;
        let previous_last = mailbox.last_uid;
        mailbox.last_uid = mailbox.last_uid.max(uid);
        mailbox.live.insert(uid);
        if regression {
            state.correctness.uid_regressions += 1;
            Self::evidence(
                &mut state,
                format!(
                    "{address} INBOX: a new message came with UID {uid}, not above UID {previous_last} seen before"
                ),
            );
        }
        let Some(seq) = message_id.and_then(|id| self.parse_id(id)) else {
            return;
        };
        let Some(sent) = state.messages.get_mut(&seq) else {
            return;
        };
        sent.seen += 1;
        sent.uids.push(uid);
        let (to, seen, accepted, uids) = (sent.to, sent.seen, sent.accepted, sent.uids.clone());
        if to != user {
            Self::evidence(
                &mut state,
                format!("message {seq} for user #{to} found in {address}'s INBOX (UID {uid})"),
            );
        }
        if seen == 2 {
            Self::evidence(
                &mut state,
                format!("message {seq} found twice in {address}'s INBOX (UIDs {uids:?})"),
            );
        }
        if seen == 1
            && let Some(at) = accepted
        {
            let micros = u64::try_from(now.duration_since(at).as_micros()).unwrap_or(u64::MAX);
            let _ = state.delivery.record(micros.max(1));
        }
    }

    fn parse_id(&self, id: &[u8]) -> Option<u64> {
        let id = std::str::from_utf8(id).ok()?.trim();
        let id = id.strip_prefix('<').unwrap_or(id);
        let rest = id.strip_prefix("load-")?.strip_prefix(self.run.as_str())?;
        let rest = rest.strip_prefix('-')?;
        let (seq, domain) = rest.split_once('@')?;
        if domain.trim_end_matches('>') != ID_DOMAIN {
            return None;
        }
        seq.parse().ok()
    }

    /// A UID known to be in `user`'s INBOX, picked by `random` (the newest when `newest`).
    pub fn known_uid(&self, user: usize, random: u64, newest: bool) -> Option<u32> {
        let state = self.lock();
        let mailbox = state.mailboxes.get(&user)?;
        if newest {
            return mailbox.live.iter().next_back().copied();
        }
        let len = mailbox.live.len();
        if len == 0 {
            return None;
        }
        let at = usize::try_from(random % len as u64).unwrap_or(0);
        mailbox.live.iter().nth(at).copied()
    }

    /// The oldest UID known in `user`'s INBOX.
    pub fn oldest_uid(&self, user: usize) -> Option<u32> {
        self.lock()
            .mailboxes
            .get(&user)
            .and_then(|m| m.live.iter().next().copied())
    }

    /// Whether `uid` in `user`'s INBOX was last set `\Flagged` by a session.
    pub fn flagged(&self, user: usize, uid: u32) -> bool {
        self.lock()
            .mailboxes
            .get(&user)
            .and_then(|m| m.flags.get(&uid))
            .is_some_and(|f| f.0)
    }

    /// Session `session` completed a STORE setting (`flagged`) or clearing `\Flagged`.
    pub fn flag_set(&self, user: usize, uid: u32, flagged: bool, session: u64) {
        let mut state = self.lock();
        let mailbox = state.mailboxes.entry(user).or_default();
        mailbox
            .flags
            .insert(uid, (flagged, session, Instant::now()));
    }

    /// A FETCH that started at `started` in `session` showed `uid` with `\Flagged` or not.
    pub fn flags_seen(
        &self,
        user: usize,
        address: &str,
        uid: u32,
        flagged: bool,
        session: u64,
        started: Instant,
    ) {
        let mut state = self.lock();
        let Some(mailbox) = state.mailboxes.get(&user) else {
            return;
        };
        let Some(&(expected, setter, set_at)) = mailbox.flags.get(&uid) else {
            return;
        };
        if set_at > started {
            return;
        }
        state.correctness.flag_checks += 1;
        if setter != session {
            state.correctness.flag_checks_cross_session += 1;
        }
        if expected != flagged {
            state.correctness.flag_mismatches += 1;
            let line = format!(
                "{address} INBOX UID {uid}: session {setter} {} \\Flagged, session {session} then read it {}",
                if expected { "set" } else { "cleared" },
                if flagged { "set" } else { "not set" }
            );
            Self::evidence(&mut state, line);
        }
    }

    /// The MODSEQ a CONDSTORE resync of `user`'s INBOX can ask changes since.
    pub fn modseq(&self, user: usize) -> Option<u64> {
        self.lock()
            .mailboxes
            .get(&user)
            .and_then(|m| m.modseq.map(|(modseq, _)| modseq))
    }

    /// A CONDSTORE resync completed: with `since` (CHANGEDSINCE) it returned `returned`; the
    /// highest MODSEQ among them was `highest`. Every known message whose `\Flagged` a session
    /// changed after the previous resync completed must be among them.
    pub fn condstore_resync(
        &self,
        user: usize,
        address: &str,
        since: Option<u64>,
        returned: &BTreeSet<u32>,
        highest: u64,
    ) {
        let now = Instant::now();
        let mut state = self.lock();
        let Some(mailbox) = state.mailboxes.get_mut(&user) else {
            return;
        };
        let previous = mailbox.modseq;
        let base = since.unwrap_or(0);
        mailbox.modseq = Some((highest.max(base), now));
        let (Some(since), Some((_, completed))) = (since, previous) else {
            return;
        };
        let missing: Vec<u32> = mailbox
            .flags
            .iter()
            .filter(|(uid, (_, _, set_at))| {
                *set_at > completed && mailbox.live.contains(uid) && !returned.contains(uid)
            })
            .map(|(uid, _)| *uid)
            .collect();
        state.correctness.flag_checks += 1;
        if !missing.is_empty() {
            state.correctness.flag_mismatches += 1;
            let line = format!(
                "{address} INBOX: UID FETCH (CHANGEDSINCE {since}) left out UIDs {missing:?}, whose \\Flagged a session changed after the previous resync"
            );
            Self::evidence(&mut state, line);
        }
    }

    /// `uid` left `user`'s INBOX (MOVE).
    pub fn moved(&self, user: usize, uid: u32) {
        let mut state = self.lock();
        if let Some(mailbox) = state.mailboxes.get_mut(&user) {
            mailbox.live.remove(&uid);
            mailbox.flags.remove(&uid);
        }
    }

    /// The UIDs of `user`'s INBOX a full resync did not return: gone (MOVEd or expunged by
    /// another client); they are forgotten.
    pub fn forget_missing(&self, user: usize, present: &BTreeSet<u32>) {
        let mut state = self.lock();
        if let Some(mailbox) = state.mailboxes.get_mut(&user) {
            mailbox.live.retain(|uid| present.contains(uid));
            mailbox.flags.retain(|uid, _| present.contains(uid));
        }
    }

    /// Users with accepted messages not yet seen, each with how many.
    pub fn pending(&self) -> Vec<(usize, u64)> {
        let state = self.lock();
        let mut by_user: HashMap<usize, u64> = HashMap::new();
        for sent in state.messages.values() {
            if sent.accepted.is_some() && sent.seen == 0 {
                *by_user.entry(sent.to).or_insert(0) += 1;
            }
        }
        let mut pending: Vec<(usize, u64)> = by_user.into_iter().collect();
        pending.sort_unstable();
        pending
    }

    /// Users who were sent an accepted message (where a late duplicate could show up).
    pub fn recipients(&self) -> Vec<usize> {
        let state = self.lock();
        let mut users: Vec<usize> = state
            .messages
            .values()
            .filter(|m| m.accepted.is_some())
            .map(|m| m.to)
            .collect();
        users.sort_unstable();
        users.dedup();
        users
    }

    /// Counts a response that violated the grammar (or a limit).
    pub fn grammar_violation(&self, detail: String) {
        let mut state = self.lock();
        state.correctness.grammar_violations += 1;
        Self::evidence(&mut state, detail);
    }

    /// The delivery and correctness totals; `names` gives each user's address for evidence.
    pub fn finish(
        &self,
        names: &dyn Fn(usize) -> String,
        bound: Duration,
    ) -> (Delivery, Correctness) {
        let mut state = self.lock();
        let (mut submitted, mut delivered, mut lost, mut duplicated) = (0, 0, 0, 0);
        let mut lines = Vec::new();
        let mut seqs: Vec<&u64> = state.messages.keys().collect();
        seqs.sort_unstable();
        for seq in seqs {
            let sent = &state.messages[seq];
            if sent.accepted.is_none() {
                continue;
            }
            submitted += 1;
            if sent.seen == 0 {
                lost += 1;
                lines.push(format!(
                    "message {seq} from {} to {} accepted (250) but not in the recipient's INBOX after the {:.0} s bound: lost",
                    names(sent.from),
                    names(sent.to),
                    bound.as_secs_f64()
                ));
            } else {
                delivered += 1;
                if sent.seen > 1 {
                    duplicated += 1;
                }
            }
        }
        for line in lines {
            Self::evidence(&mut state, line);
        }
        let delivery = Delivery {
            submitted,
            delivered,
            lost,
            duplicated,
            latency_ms: Percentiles::of(&state.delivery),
            histogram: encode_histogram(&state.delivery),
        };
        (delivery, state.correctness.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_seen_once_is_delivered_twice_duplicated_never_lost() {
        let tracker = Tracker::new("t1");
        let (a, id_a) = tracker.new_message(0, 1);
        let (b, id_b) = tracker.new_message(0, 1);
        let (c, _) = tracker.new_message(0, 1);
        let (d, _) = tracker.new_message(0, 1);
        for seq in [a, b, c] {
            tracker.data_sent(seq);
            tracker.accepted(seq);
        }
        tracker.abandoned(d);
        tracker.selected(1, "u1", 7, 1);
        tracker.seen(1, "u1", 1, Some(id_a.as_bytes()));
        tracker.seen(1, "u1", 2, Some(id_b.as_bytes()));
        tracker.seen(1, "u1", 3, Some(id_b.as_bytes()));
        assert_eq!(tracker.pending(), vec![(1, 1)]);
        assert_eq!(tracker.recipients(), vec![1]);
        let (delivery, correctness) = tracker.finish(&|u| format!("u{u}"), Duration::from_secs(1));
        assert_eq!(
            (
                delivery.submitted,
                delivery.delivered,
                delivery.lost,
                delivery.duplicated
            ),
            (3, 2, 1, 1)
        );
        assert!(
            correctness.evidence.iter().any(|e| e.contains("lost")),
            "{correctness:?}"
        );
        assert!(
            correctness.evidence.iter().any(|e| e.contains("twice")),
            "{correctness:?}"
        );
    }

    #[test]
    fn uids_going_backwards_and_flags_not_seen_are_violations() {
        let tracker = Tracker::new("t2");
        tracker.selected(0, "u0", 9, 5);
        tracker.seen(0, "u0", 4, None);
        tracker.seen(0, "u0", 3, None);
        tracker.selected(0, "u0", 9, 2);
        tracker.flag_set(0, 4, true, 1);
        let later = Instant::now();
        tracker.flags_seen(0, "u0", 4, false, 2, later);
        tracker.flags_seen(0, "u0", 4, true, 1, later);
        let (_, correctness) = tracker.finish(&|u| format!("u{u}"), Duration::from_secs(1));
        assert_eq!(correctness.uid_regressions, 2);
        assert_eq!(correctness.flag_checks, 2);
        assert_eq!(correctness.flag_checks_cross_session, 1);
        assert_eq!(correctness.flag_mismatches, 1);
    }

    #[test]
    fn a_flag_change_left_out_of_changedsince_is_a_violation() {
        let tracker = Tracker::new("t5");
        tracker.selected(0, "u0", 9, 10);
        for uid in [1, 2, 3] {
            tracker.seen(0, "u0", uid, None);
        }
        let all: BTreeSet<u32> = [1, 2, 3].into();
        tracker.condstore_resync(0, "u0", None, &all, 40);
        assert_eq!(tracker.modseq(0), Some(40));
        std::thread::sleep(Duration::from_millis(2));
        tracker.flag_set(0, 2, true, 7);
        tracker.flag_set(0, 3, true, 7);
        // The server listed UID 2 but not UID 3.
        tracker.condstore_resync(0, "u0", Some(40), &[2].into(), 41);
        let (_, correctness) = tracker.finish(&|u| format!("u{u}"), Duration::from_secs(1));
        assert_eq!(correctness.flag_mismatches, 1, "{correctness:?}");
        assert!(
            correctness
                .evidence
                .iter()
                .any(|e| e.contains("CHANGEDSINCE 40") && e.contains("[3]"))
        );
    }

    #[test]
    fn foreign_message_ids_are_ignored() {
        let tracker = Tracker::new("t3");
        assert_eq!(tracker.parse_id(b"<load-t3-17@groupwire.load>"), Some(17));
        assert_eq!(tracker.parse_id(b"<load-t4-17@groupwire.load>"), None);
        assert_eq!(tracker.parse_id(b"<load-t3-17@example.org>"), None);
        assert_eq!(tracker.parse_id(b"<abc@example.org>"), None);
    }
}
