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

/// What one resync of a folder returned (see [`Tracker::resynced`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resync {
    /// The folder.
    pub folder: String,
    /// The UIDVALIDITY its SELECT reported.
    pub uid_validity: u32,
    /// The EXISTS its SELECT reported (checked for a QRESYNC SELECT only).
    pub exists: Option<u32>,
    /// The HIGHESTMODSEQ its SELECT reported.
    pub highest_modseq: Option<u64>,
    /// QRESYNC: the MODSEQ changes were asked since; `None` for a full `UID FETCH 1:*`.
    pub since: Option<u64>,
    /// QRESYNC: the UID ranges `VANISHED (EARLIER)` named (inclusive; a server may name
    /// UIDs that never existed, so they stay ranges).
    pub vanished: Vec<(u32, u32)>,
    /// The UIDs FETCH responses reported.
    pub fetched: BTreeSet<u32>,
    /// The highest MODSEQ among the FETCH responses (0: none came).
    pub fetched_modseq: u64,
}

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
    /// Per user and folder.
    mailboxes: HashMap<(usize, String), MailboxState>,
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

/// The folder every delivery lands in.
pub const INBOX: &str = "INBOX";

fn key(user: usize, folder: &str) -> (usize, String) {
    (user, folder.to_string())
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
    /// Whether a full listing taught the session every UID of the folder.
    learned: bool,
    /// The UIDs the folder held at the last resync (what a QRESYNC SELECT reports against).
    held: BTreeSet<u32>,
    /// The UIDs the session moved away since the last resync.
    removed: BTreeSet<u32>,
    /// Changes (APPEND, MOVE) into or out of the folder whose outcome is unknown (no answer):
    /// until a full resync relearns the folder, what the session knew is not checked.
    in_flight: u32,
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

    /// SELECT reported UIDVALIDITY and UIDNEXT for `user`'s `folder`.
    pub fn selected(
        &self,
        user: usize,
        address: &str,
        folder: &str,
        uid_validity: u32,
        uid_next: u32,
    ) {
        let mut state = self.lock();
        let mailbox = state.mailboxes.entry(key(user, folder)).or_default();
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
                "{address} {folder}: UIDNEXT went from {} to {uid_next} with UIDVALIDITY {uid_validity} unchanged",
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
            .get(&key(user, INBOX))
            .map_or(1, |m| m.last_uid.saturating_add(1))
    }

    /// A sync of `user`'s INBOX fetched `uid` with `message_id` (from its ENVELOPE).
    pub fn seen(&self, user: usize, address: &str, uid: u32, message_id: Option<&[u8]>) {
        let now = Instant::now();
        let mut state = self.lock();
        let mailbox = state.mailboxes.entry(key(user, INBOX)).or_default();
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
        let mailbox = state.mailboxes.get(&key(user, INBOX))?;
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
            .get(&key(user, INBOX))
            .and_then(|m| m.live.iter().next().copied())
    }

    /// Whether `uid` in `user`'s INBOX was last set `\Flagged` by a session.
    pub fn flagged(&self, user: usize, uid: u32) -> bool {
        self.lock()
            .mailboxes
            .get(&key(user, INBOX))
            .and_then(|m| m.flags.get(&uid))
            .is_some_and(|f| f.0)
    }

    /// Session `session` completed a STORE setting (`flagged`) or clearing `\Flagged`.
    pub fn flag_set(&self, user: usize, uid: u32, flagged: bool, session: u64) {
        let mut state = self.lock();
        let mailbox = state.mailboxes.entry(key(user, INBOX)).or_default();
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
        let Some(mailbox) = state.mailboxes.get(&key(user, INBOX)) else {
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
            .get(&key(user, INBOX))
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
        let Some(mailbox) = state.mailboxes.get_mut(&key(user, INBOX)) else {
            return;
        };
        let previous = mailbox.modseq;
        let base = since.unwrap_or(0);
        if since.is_some() {
            // Changes only: what the folder holds is not relearned, so a later QRESYNC
            // SELECT starts from a full listing again.
            mailbox.learned = false;
        }
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
        if let Some(mailbox) = state.mailboxes.get_mut(&key(user, INBOX)) {
            mailbox.live.remove(&uid);
            mailbox.flags.remove(&uid);
            mailbox.removed.insert(uid);
        }
    }

    /// A change into or out of `user`'s `folder` (APPEND, MOVE) is about to be sent: until
    /// [`Tracker::change_done`], or a full resync if no answer ever comes, what the session
    /// knows of the folder is not trusted.
    pub fn change_started(&self, user: usize, folder: &str) {
        let mut state = self.lock();
        let mailbox = state.mailboxes.entry(key(user, folder)).or_default();
        mailbox.in_flight = mailbox.in_flight.saturating_add(1);
    }

    /// The change [`Tracker::change_started`] announced was answered with OK.
    pub fn change_done(&self, user: usize, folder: &str) {
        let mut state = self.lock();
        if let Some(mailbox) = state.mailboxes.get_mut(&key(user, folder)) {
            mailbox.in_flight = mailbox.in_flight.saturating_sub(1);
        }
    }

    /// An APPEND (APPENDUID) or MOVE (COPYUID) put a message into `user`'s `folder` with
    /// `uid` under `uid_validity` (RFC 4315): it must be there at the next resync, and, once
    /// the folder was listed in full, its UID must be above every UID known there.
    pub fn arrived(&self, user: usize, address: &str, folder: &str, uid_validity: u32, uid: u32) {
        let mut state = self.lock();
        let mailbox = state.mailboxes.entry(key(user, folder)).or_default();
        if mailbox.uid_validity != uid_validity {
            let in_flight = mailbox.in_flight;
            *mailbox = MailboxState {
                uid_validity,
                in_flight,
                ..MailboxState::default()
            };
        }
        let previous_last = mailbox.last_uid;
        let regression = mailbox.learned && (uid <= previous_last || mailbox.live.contains(&uid));
        mailbox.live.insert(uid);
        if mailbox.learned {
            mailbox.last_uid = mailbox.last_uid.max(uid);
        }
        if regression {
            state.correctness.uid_regressions += 1;
            Self::evidence(
                &mut state,
                format!(
                    "{address} {folder}: a message put there got UID {uid}, not above UID {previous_last} known before"
                ),
            );
        }
    }

    /// The UIDVALIDITY last seen for `user`'s `folder`.
    pub fn uid_validity(&self, user: usize, folder: &str) -> Option<u32> {
        let state = self.lock();
        let mailbox = state.mailboxes.get(&key(user, folder))?;
        (mailbox.uid_validity != 0).then_some(mailbox.uid_validity)
    }

    /// What a QRESYNC SELECT of `user`'s `folder` can send (RFC 7162 §3.2.5): the
    /// UIDVALIDITY and MODSEQ of the last resync; `None` when the folder was never listed
    /// in full, or a change's outcome is unknown (then a full listing relearns it).
    pub fn qresync_from(&self, user: usize, folder: &str) -> Option<(u32, u64)> {
        let state = self.lock();
        let mailbox = state.mailboxes.get(&key(user, folder))?;
        if !mailbox.learned || mailbox.in_flight > 0 || mailbox.uid_validity == 0 {
            return None;
        }
        mailbox
            .modseq
            .map(|(modseq, _)| (mailbox.uid_validity, modseq))
    }

    /// A resync of `user`'s `resync.folder` completed (after [`Tracker::selected`] for its
    /// SELECT). What the session knew plus what it got must be what the folder holds:
    ///
    /// - a full listing (`since` is `None`) must hold every UID known there (nothing but the
    ///   session removes messages, and it forgets what it moves), and a UID not known before
    ///   must be above every known UID;
    /// - a QRESYNC SELECT reports everything since the previous resync's MODSEQ, whoever
    ///   made the change: the UIDs the folder held then, less those named in
    ///   `VANISHED (EARLIER)`, plus those FETCH reported, must number exactly EXISTS; a UID
    ///   held then may vanish only if the session removed it; every UID that came in since
    ///   (APPEND, MOVE, delivery) must be among the FETCHes, and so must every INBOX message
    ///   whose `\Flagged` a session changed since.
    ///
    /// In INBOX, UIDs new to the session are left to the sync that follows (it reads their
    /// Message-IDs); elsewhere they become known at once.
    pub fn resynced(&self, user: usize, address: &str, resync: &Resync) {
        let now = Instant::now();
        let mut state = self.lock();
        let folder = resync.folder.as_str();
        let inbox = folder == INBOX;
        let mailbox = state.mailboxes.entry(key(user, folder)).or_default();
        if mailbox.uid_validity != resync.uid_validity {
            *mailbox = MailboxState {
                uid_validity: resync.uid_validity,
                ..MailboxState::default()
            };
        }
        let trusted = mailbox.in_flight == 0;
        let learned = mailbox.learned;
        let last = mailbox.last_uid;
        let known = std::mem::take(&mut mailbox.live);
        let removed = std::mem::take(&mut mailbox.removed);
        let fetched = &resync.fetched;
        let mut lines = Vec::new();
        let (mut mismatch, mut regression, mut flag_check, mut flag_mismatch) =
            (false, false, false, false);
        let appeared: Vec<u32> = fetched
            .iter()
            .filter(|uid| **uid <= last && !known.contains(uid) && !mailbox.held.contains(uid))
            .copied()
            .collect();
        if trusted && learned && !appeared.is_empty() {
            regression = true;
            lines.push(format!(
                "{address} {folder}: UIDs {appeared:?} came up in a resync, not known before and not above UID {last}"
            ));
        }
        let (live, held): (BTreeSet<u32>, BTreeSet<u32>) = match resync.since {
            None => {
                let gone: Vec<u32> = known.difference(fetched).copied().collect();
                if trusted && !gone.is_empty() {
                    mismatch = true;
                    lines.push(format!(
                        "{address} {folder}: UIDs {gone:?}, known from before, are missing from a full UID FETCH 1:*, and no client removed them"
                    ));
                }
                mailbox.in_flight = 0;
                mailbox.learned = true;
                let live = if inbox {
                    known.intersection(fetched).copied().collect()
                } else {
                    fetched.clone()
                };
                (live, fetched.clone())
            }
            Some(since) => {
                let command = format!(
                    "SELECT {folder} (QRESYNC ({} {since}))",
                    resync.uid_validity
                );
                let vanished = |uid: &u32| {
                    resync
                        .vanished
                        .iter()
                        .any(|(low, high)| (*low..=*high).contains(uid))
                };
                let then = &mailbox.held;
                let lost: Vec<u32> = then
                    .iter()
                    .filter(|u| vanished(u) && !removed.contains(u))
                    .copied()
                    .collect();
                if trusted && !lost.is_empty() {
                    mismatch = true;
                    lines.push(format!(
                        "{address} {folder}: {command} named UIDs {lost:?} in VANISHED (EARLIER), held at the previous resync, and no client removed them"
                    ));
                }
                let unreported: Vec<u32> = removed
                    .iter()
                    .filter(|u| then.contains(u) && !vanished(u))
                    .copied()
                    .collect();
                if trusted && !unreported.is_empty() {
                    mismatch = true;
                    lines.push(format!(
                        "{address} {folder}: {command} left UIDs {unreported:?} out of VANISHED (EARLIER), which the session moved away since"
                    ));
                }
                let kept: BTreeSet<u32> = then.iter().filter(|u| !vanished(u)).copied().collect();
                let came: Vec<u32> = known
                    .iter()
                    .filter(|u| !vanished(u) && !kept.contains(u) && !fetched.contains(u))
                    .copied()
                    .collect();
                if trusted && !came.is_empty() {
                    mismatch = true;
                    lines.push(format!(
                        "{address} {folder}: {command} left out UIDs {came:?}, which came in after the previous resync"
                    ));
                }
                let after: BTreeSet<u32> = kept.union(fetched).copied().collect();
                if trusted
                    && let Some(exists) = resync.exists
                    && usize::try_from(exists).ok() != Some(after.len())
                {
                    mismatch = true;
                    lines.push(format!(
                        "{address} {folder}: {command} does not add up: {} UIDs held at the previous resync, {} of them named in VANISHED (EARLIER), {} reported by FETCH ({} of them new): {} messages, but EXISTS is {exists}",
                        then.len(),
                        then.len() - kept.len(),
                        fetched.len(),
                        fetched.difference(then).count(),
                        after.len(),
                    ));
                }
                if inbox && let Some((_, completed)) = mailbox.modseq {
                    flag_check = true;
                    let missing: Vec<u32> = mailbox
                        .flags
                        .iter()
                        .filter(|(uid, (_, _, set_at))| {
                            *set_at > completed && kept.contains(uid) && !fetched.contains(uid)
                        })
                        .map(|(uid, _)| *uid)
                        .collect();
                    if !missing.is_empty() {
                        flag_mismatch = true;
                        lines.push(format!(
                            "{address} {folder}: {command} left out UIDs {missing:?}, whose \\Flagged a session changed after the previous resync"
                        ));
                    }
                }
                let live = if inbox {
                    known.iter().filter(|u| !vanished(u)).copied().collect()
                } else {
                    after.clone()
                };
                (live, after)
            }
        };
        if !inbox && let Some(max) = live.iter().next_back() {
            mailbox.last_uid = mailbox.last_uid.max(*max);
        }
        mailbox.flags.retain(|uid, _| live.contains(uid));
        mailbox.live = live;
        mailbox.held = held;
        let highest = resync
            .highest_modseq
            .or((resync.fetched_modseq > 0).then_some(resync.fetched_modseq));
        if let Some(highest) = highest {
            mailbox.modseq = Some((highest.max(resync.since.unwrap_or(0)), now));
        }
        let c = &mut state.correctness;
        c.resync_checks += 1;
        c.qresync_checks += u64::from(resync.since.is_some());
        c.resync_mismatches += u64::from(mismatch);
        c.uid_regressions += u64::from(regression);
        c.flag_checks += u64::from(flag_check);
        c.flag_mismatches += u64::from(flag_mismatch);
        for line in lines {
            Self::evidence(&mut state, line);
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
        tracker.selected(1, "u1", INBOX, 7, 1);
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
        tracker.selected(0, "u0", INBOX, 9, 5);
        tracker.seen(0, "u0", 4, None);
        tracker.seen(0, "u0", 3, None);
        tracker.selected(0, "u0", INBOX, 9, 2);
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
        tracker.selected(0, "u0", INBOX, 9, 10);
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

    fn full(folder: &str, uids: &[u32], highest: u64) -> Resync {
        Resync {
            folder: folder.into(),
            uid_validity: 9,
            exists: Some(uids.len() as u32),
            highest_modseq: Some(highest),
            fetched: uids.iter().copied().collect(),
            ..Resync::default()
        }
    }

    fn qresync(
        folder: &str,
        since: u64,
        vanished: &[(u32, u32)],
        fetched: &[u32],
        exists: u32,
    ) -> Resync {
        Resync {
            folder: folder.into(),
            uid_validity: 9,
            exists: Some(exists),
            highest_modseq: Some(since + 10),
            since: Some(since),
            vanished: vanished.to_vec(),
            fetched: fetched.iter().copied().collect(),
            ..Resync::default()
        }
    }

    fn totals(tracker: &Tracker) -> Correctness {
        tracker
            .finish(&|u| format!("u{u}"), Duration::from_secs(1))
            .1
    }

    #[test]
    fn a_qresync_that_adds_up_passes_and_moves_count_as_removed() {
        let tracker = Tracker::new("q1");
        tracker.selected(0, "u0", INBOX, 9, 6);
        for uid in 1..=5 {
            tracker.seen(0, "u0", uid, None);
        }
        tracker.resynced(0, "u0", &full(INBOX, &[1, 2, 3, 4, 5], 50));
        assert_eq!(tracker.qresync_from(0, INBOX), Some((9, 50)));
        // The session moves UID 1 away, flags UID 3; UID 6 arrives and is synced, UID 7
        // arrives unsynced.
        tracker.moved(0, 1);
        std::thread::sleep(Duration::from_millis(2));
        tracker.flag_set(0, 3, true, 1);
        tracker.seen(0, "u0", 6, None);
        tracker.resynced(0, "u0", &qresync(INBOX, 50, &[(1, 1)], &[3, 6, 7], 6));
        let c = totals(&tracker);
        assert_eq!((c.resync_checks, c.resync_mismatches), (2, 0), "{c:?}");
        assert_eq!(c.qresync_checks, 1, "{c:?}");
        assert_eq!((c.flag_checks, c.flag_mismatches), (1, 0), "{c:?}");
        // UID 7 is left to the sync; the next QRESYNC starts from 2..=7.
        assert_eq!(tracker.sync_from(0), 7);
        assert_eq!(tracker.qresync_from(0, INBOX), Some((9, 60)));
        tracker.resynced(0, "u0", &qresync(INBOX, 60, &[], &[], 6));
        assert_eq!(totals(&tracker).resync_mismatches, 0);
    }

    #[test]
    fn a_qresync_that_does_not_add_up_is_a_mismatch_with_evidence() {
        let tracker = Tracker::new("q2");
        tracker.selected(0, "u0", INBOX, 9, 6);
        for uid in 1..=5 {
            tracker.seen(0, "u0", uid, None);
        }
        tracker.resynced(0, "u0", &full(INBOX, &[1, 2, 3, 4, 5], 50));
        // The server leaves the moved UID 2 out of VANISHED (EXISTS says 4).
        tracker.moved(0, 2);
        tracker.resynced(0, "u0", &qresync(INBOX, 50, &[], &[], 4));
        let c = totals(&tracker);
        assert_eq!(c.resync_mismatches, 1, "{c:?}");
        assert!(
            c.evidence
                .iter()
                .any(|e| e.contains("left UIDs [2] out of VANISHED (EARLIER)")),
            "{c:?}"
        );
        assert!(
            c.evidence
                .iter()
                .any(|e| e.contains("does not add up") && e.contains("EXISTS is 4")),
            "{c:?}"
        );
        // A known UID vanishing though nobody removed it.
        tracker.resynced(0, "u0", &qresync(INBOX, 60, &[(4, 5)], &[], 2));
        let c = totals(&tracker);
        assert_eq!(c.resync_mismatches, 2, "{c:?}");
        assert!(
            c.evidence
                .iter()
                .any(|e| e.contains("named UIDs [4, 5] in VANISHED")),
            "{c:?}"
        );
    }

    #[test]
    fn messages_filed_in_other_folders_must_show_up_there() {
        let tracker = Tracker::new("q3");
        tracker.selected(0, "u0", "Sent", 9, 3);
        tracker.resynced(0, "u0", &full("Sent", &[1, 2], 20));
        // APPENDUID 3 and 4: the server lists 3 but lost 4.
        tracker.change_started(0, "Sent");
        tracker.arrived(0, "u0", "Sent", 9, 3);
        tracker.change_done(0, "Sent");
        tracker.arrived(0, "u0", "Sent", 9, 4);
        tracker.resynced(0, "u0", &qresync("Sent", 20, &[], &[3], 3));
        let c = totals(&tracker);
        assert_eq!(c.resync_mismatches, 1, "{c:?}");
        assert!(
            c.evidence
                .iter()
                .any(|e| e.contains("Sent") && e.contains("left out UIDs [4]")),
            "{c:?}"
        );
        // A UID handed out twice is a regression.
        tracker.arrived(0, "u0", "Sent", 9, 2);
        assert_eq!(totals(&tracker).uid_regressions, 1);
        // Trash, never listed: a full listing must hold what MOVE put there.
        tracker.arrived(0, "u0", "Trash", 5, 8);
        tracker.selected(0, "u0", "Trash", 5, 9);
        tracker.resynced(
            0,
            "u0",
            &Resync {
                uid_validity: 5,
                ..full("Trash", &[1, 2], 30)
            },
        );
        let c = totals(&tracker);
        assert!(
            c.evidence
                .iter()
                .any(|e| e.contains("Trash: UIDs [8]") && e.contains("missing")),
            "{c:?}"
        );
    }

    #[test]
    fn a_change_without_an_answer_suspends_the_checks_until_a_full_listing() {
        let tracker = Tracker::new("q4");
        tracker.selected(0, "u0", "Trash", 9, 3);
        tracker.resynced(0, "u0", &full("Trash", &[1, 2], 20));
        // A MOVE to Trash timed out: its outcome is unknown.
        tracker.change_started(0, "Trash");
        assert_eq!(tracker.qresync_from(0, "Trash"), None);
        tracker.resynced(0, "u0", &full("Trash", &[1, 2, 3], 25));
        assert_eq!(totals(&tracker).resync_mismatches, 0);
        assert_eq!(tracker.qresync_from(0, "Trash"), Some((9, 25)));
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
