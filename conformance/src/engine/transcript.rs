//! The transcript: every byte a check sent and received, in order, per connection, with
//! credentials masked before they are stored.
//!
//! Masking happens at record time, so no report format can leak a password. It works on the
//! protocol's credential fields, per connection and protocol ([`Wire`], see
//! [`super::mask`]): the password of IMAP `LOGIN` (atom, quoted or literal), the initial
//! response of IMAP `AUTHENTICATE` and SMTP `AUTH` and every client line of the SASL exchange
//! that follows, HTTP `Authorization` values; whatever their content, never other bytes. As a
//! second line of defence, an account's password of at least 8 bytes (and the base64 and SASL
//! PLAIN forms built from it) is masked wherever it still appears, e.g. echoed by a server;
//! shorter passwords are not searched for, since they would match ordinary evidence.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use super::mask::{FieldMasker, MASK, Wire};

use base64::Engine as _;
use serde::Serialize;

/// Who produced an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Bytes the harness (client) sent.
    Sent,
    /// Bytes the server sent.
    Received,
    /// A remark of the harness: connected, TLS negotiated, timed out, closed...
    Note,
}

/// One entry: a run of bytes in one direction on one connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Milliseconds since the check started.
    pub at_ms: u64,
    /// Which connection of the check (1 for the first).
    pub connection: u32,
    /// Sent, received or a note.
    pub direction: Direction,
    /// The bytes (masked), serialised as readable text (see [`render_text`]).
    #[serde(serialize_with = "serialize_bytes_as_text")]
    pub bytes: Vec<u8>,
}

fn serialize_bytes_as_text<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&render_text(bytes))
}

/// Renders bytes as text that keeps lines readable: valid UTF-8 and CR, LF, TAB stay as they
/// are; other control bytes and invalid UTF-8 become `\xNN`, and a backslash becomes `\\`.
pub fn render_text(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for ch in chunk.valid().chars() {
            match ch {
                '\\' => out.push_str("\\\\"),
                '\r' | '\n' | '\t' => out.push(ch),
                c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
                c => out.push(c),
            }
        }
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out
}

/// The most bytes one check's transcript keeps: the first half and the last half of what
/// was recorded, with a note saying how many bytes were cut between them.
pub const DEFAULT_MAX_TRANSCRIPT_BYTES: usize = 256 * 1024;

/// The most bytes all transcripts of one run keep together (beyond
/// [`MIN_TRANSCRIPT_BYTES`] per check, which every check keeps whatever the others took).
pub const DEFAULT_MAX_RUN_TRANSCRIPT_BYTES: usize = 8 * 1024 * 1024;

/// What every transcript may keep even when the run's budget is spent: its first and last
/// 2 KiB.
pub const MIN_TRANSCRIPT_BYTES: usize = 4 * 1024;

/// The bytes all transcripts of a run may still keep ([`DEFAULT_MAX_RUN_TRANSCRIPT_BYTES`]
/// unless set), shared by the run's transcripts.
#[derive(Debug)]
pub struct TranscriptBudget {
    left: AtomicUsize,
    max: usize,
}

impl TranscriptBudget {
    /// A budget of `max` bytes for one run.
    pub fn new(max: usize) -> Arc<TranscriptBudget> {
        Arc::new(TranscriptBudget {
            left: AtomicUsize::new(max),
            max,
        })
    }

    /// The budget it started with.
    pub fn max(&self) -> usize {
        self.max
    }

    /// Bytes not yet taken.
    pub fn left(&self) -> usize {
        self.left.load(Ordering::Relaxed)
    }

    /// Takes up to `want` bytes; returns how many were granted.
    fn take(&self, want: usize) -> usize {
        let mut granted = 0;
        let _ = self
            .left
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                granted = want.min(left);
                Some(left - granted)
            });
        granted
    }
}

/// Passwords shorter than this are not searched for in evidence (they would match ordinary
/// bytes); the field masking hides them where the protocol carries them.
pub const MIN_SEARCHED_SECRET: usize = 8;

/// Knows the run's credentials, to mask them where they appear outside a credential field
/// (the field masking itself needs no credentials).
#[derive(Debug, Clone, Default)]
pub struct Masker {
    secrets: Vec<Vec<u8>>,
}

impl Masker {
    /// A masker for these (user, password) pairs: each password of at least
    /// [`MIN_SEARCHED_SECRET`] bytes, its base64 form and the SASL PLAIN blobs built from it.
    pub fn new<'a>(credentials: impl IntoIterator<Item = (&'a str, &'a str)>) -> Masker {
        let mut secrets = Vec::new();
        let b64 = base64::engine::general_purpose::STANDARD;
        for (user, password) in credentials {
            if password.len() < MIN_SEARCHED_SECRET {
                continue;
            }
            secrets.push(b64.encode(format!("\0{user}\0{password}")).into_bytes());
            secrets.push(
                b64.encode(format!("{user}\0{user}\0{password}"))
                    .into_bytes(),
            );
            secrets.push(b64.encode(password).into_bytes());
            secrets.push(password.as_bytes().to_vec());
        }
        // Longest first, so a password inside a blob does not break the blob's match.
        secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        secrets.dedup();
        Masker { secrets }
    }

    /// Replaces every occurrence of a known (long enough) secret by `***`.
    pub fn mask_secrets(&self, bytes: &[u8]) -> Vec<u8> {
        let mut out = bytes.to_vec();
        for secret in &self.secrets {
            out = replace_all(&out, secret, MASK);
        }
        out
    }
}

fn replace_all(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return haystack.to_vec();
    }
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while !rest.is_empty() {
        if rest.starts_with(needle) {
            out.extend_from_slice(with);
            rest = rest.get(needle.len()..).unwrap_or_default();
        } else if let Some((first, tail)) = rest.split_first() {
            out.push(*first);
            rest = tail;
        }
    }
    out
}

/// Appends `bytes` to the last entry when it is the same connection and direction (notes
/// stay separate), else as a new entry.
fn append(
    entries: &mut Vec<Entry>,
    at_ms: u64,
    connection: u32,
    direction: Direction,
    bytes: &[u8],
) {
    if direction != Direction::Note
        && let Some(last) = entries.last_mut()
        && last.direction == direction
        && last.connection == connection
    {
        last.bytes.extend_from_slice(bytes);
        return;
    }
    entries.push(Entry {
        at_ms,
        connection,
        direction,
        bytes: bytes.to_vec(),
    });
}

fn trim_eol(line: &[u8]) -> (&[u8], &[u8]) {
    let end = line
        .iter()
        .rposition(|&b| b != b'\r' && b != b'\n')
        .map_or(0, |p| p + 1);
    (
        line.get(..end).unwrap_or_default(),
        line.get(end..).unwrap_or_default(),
    )
}

#[derive(Debug)]
struct State {
    /// The first entries, up to half the limit; closed for good once full.
    head: Vec<Entry>,
    head_bytes: usize,
    head_closed: bool,
    /// The latest entries after the head, at most `tail_room` bytes (older ones are cut).
    tail: VecDeque<Entry>,
    tail_bytes: usize,
    tail_room: usize,
    /// What the head and the tail may still keep without drawing on the run's budget (half
    /// of [`MIN_TRANSCRIPT_BYTES`] each).
    head_free: usize,
    tail_free: usize,
    /// Bytes recorded but not kept.
    dropped: usize,
    /// Masking state per connection.
    fields: HashMap<u32, FieldMasker>,
}

impl State {
    fn fields(&mut self, connection: u32) -> &mut FieldMasker {
        self.fields
            .entry(connection)
            .or_insert_with(|| FieldMasker::new(Wire::Unknown))
    }
}

/// The shared, append-only transcript of one check. Cloning gives another handle to the same
/// transcript, so it survives the check's future being dropped at a timeout.
#[derive(Debug, Clone)]
pub struct Transcript {
    state: Arc<Mutex<State>>,
    masker: Arc<Masker>,
    started: Instant,
    max_bytes: usize,
    budget: Option<Arc<TranscriptBudget>>,
}

impl Transcript {
    /// An empty transcript that masks with `masker` and keeps at most `max_bytes`.
    pub fn new(masker: Arc<Masker>, max_bytes: usize) -> Transcript {
        Transcript {
            state: Arc::new(Mutex::new(State {
                head: Vec::new(),
                head_bytes: 0,
                head_closed: false,
                tail: VecDeque::new(),
                tail_bytes: 0,
                tail_room: 0,
                head_free: MIN_TRANSCRIPT_BYTES.min(max_bytes) / 2,
                tail_free: MIN_TRANSCRIPT_BYTES.min(max_bytes)
                    - MIN_TRANSCRIPT_BYTES.min(max_bytes) / 2,
                dropped: 0,
                fields: HashMap::new(),
            })),
            masker,
            started: Instant::now(),
            max_bytes,
            budget: None,
        }
    }

    /// The same, also drawing on the run's `budget` (beyond [`MIN_TRANSCRIPT_BYTES`]).
    pub fn with_budget(
        masker: Arc<Masker>,
        max_bytes: usize,
        budget: Arc<TranscriptBudget>,
    ) -> Transcript {
        let mut transcript = Transcript::new(masker, max_bytes);
        transcript.budget = Some(budget);
        transcript
    }

    /// Grants up to `want` more bytes: from `free` (the part's share of the floor), then
    /// from the run's budget.
    fn grant(&self, free: &mut usize, want: usize) -> usize {
        let own = (*free).min(want);
        *free -= own;
        let rest = want - own;
        let from_budget = match &self.budget {
            Some(budget) => budget.take(rest),
            None => rest,
        };
        own + from_budget
    }

    fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }

    /// Says which protocol `connection` speaks, so its credential fields are found (before
    /// anything is recorded on it; connections not declared get every protocol's rules).
    pub fn set_wire(&self, connection: u32, wire: Wire) {
        self.with_state(|state| {
            state.fields.insert(connection, FieldMasker::new(wire));
        });
    }

    /// Records bytes the harness sent on `connection`, masking credentials.
    pub fn sent(&self, connection: u32, bytes: &[u8]) {
        let masked = self.with_state(|state| state.fields(connection).client(bytes));
        let masked = self.masker.mask_secrets(&masked);
        self.push(connection, Direction::Sent, masked);
    }

    /// Records bytes that are a credential in their own right (a SASL response, a LOGIN
    /// command): masked by field like [`Transcript::sent`], and if no field was found in
    /// them, stored as `***` plus the line ending.
    pub fn sent_secret(&self, connection: u32, bytes: &[u8]) {
        let masked = self.with_state(|state| state.fields(connection).client(bytes));
        let masked = if masked == bytes {
            let (_, eol) = trim_eol(bytes);
            let mut hidden = MASK.to_vec();
            hidden.extend_from_slice(eol);
            hidden
        } else {
            self.masker.mask_secrets(&masked)
        };
        self.push(connection, Direction::Sent, masked);
    }

    /// Records bytes received on `connection`.
    pub fn received(&self, connection: u32, bytes: &[u8]) {
        self.with_state(|state| state.fields(connection).server(bytes));
        let masked = self.masker.mask_secrets(bytes);
        self.push(connection, Direction::Received, masked);
    }

    /// Records a remark of the harness.
    pub fn note(&self, connection: u32, text: impl AsRef<str>) {
        self.push(
            connection,
            Direction::Note,
            text.as_ref().as_bytes().to_vec(),
        );
    }

    fn push(&self, connection: u32, direction: Direction, bytes: Vec<u8>) {
        let at_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let head_max = self.max_bytes / 2;
        let tail_max = self.max_bytes - head_max;
        self.with_state(|state| {
            let mut rest = bytes.as_slice();
            // The head, while it has room and nothing was cut yet.
            if !state.head_closed {
                let want = head_max.saturating_sub(state.head_bytes).min(rest.len());
                let granted = self.grant(&mut state.head_free, want);
                let (kept, after) = rest.split_at(granted);
                if !kept.is_empty() {
                    state.head_bytes += kept.len();
                    append(&mut state.head, at_ms, connection, direction, kept);
                }
                rest = after;
                if rest.is_empty() {
                    return;
                }
                state.head_closed = true;
            }
            // The tail keeps the latest bytes, growing up to its half while granted.
            let grow = tail_max.saturating_sub(state.tail_room).min(
                rest.len()
                    .saturating_sub(state.tail_room - state.tail_bytes),
            );
            let granted = self.grant(&mut state.tail_free, grow);
            state.tail_room += granted;
            let room = state.tail_room;
            if rest.len() > room {
                state.dropped += rest.len() - room;
                rest = rest.get(rest.len() - room..).unwrap_or_default();
            }
            if rest.is_empty() {
                return;
            }
            state.tail_bytes += rest.len();
            let tail = &mut state.tail;
            if direction != Direction::Note
                && let Some(last) = tail.back_mut()
                && last.direction == direction
                && last.connection == connection
            {
                last.bytes.extend_from_slice(rest);
            } else {
                tail.push_back(Entry {
                    at_ms,
                    connection,
                    direction,
                    bytes: rest.to_vec(),
                });
            }
            // Cut the oldest tail bytes beyond its room.
            while state.tail_bytes > room {
                let excess = state.tail_bytes - room;
                let Some(front) = state.tail.front_mut() else {
                    break;
                };
                if front.bytes.len() <= excess {
                    let removed = front.bytes.len();
                    state.tail.pop_front();
                    state.tail_bytes -= removed;
                    state.dropped += removed;
                } else {
                    front.bytes.drain(..excess);
                    state.tail_bytes -= excess;
                    state.dropped += excess;
                }
            }
        });
    }

    /// A copy of the entries so far: the head, a note saying how many bytes were cut (when
    /// any were), and the tail.
    pub fn entries(&self) -> Vec<Entry> {
        self.with_state(|state| {
            let mut entries = state.head.clone();
            if state.dropped > 0 {
                let first = state.tail.front();
                entries.push(Entry {
                    at_ms: first.map_or(0, |e| e.at_ms),
                    connection: first.map_or(0, |e| e.connection),
                    direction: Direction::Note,
                    bytes: format!(
                        "[{} bytes cut here: the transcript keeps the first and the last of what \
                         was exchanged]",
                        state.dropped
                    )
                    .into_bytes(),
                });
            }
            entries.extend(state.tail.iter().cloned());
            entries
        })
    }

    /// How many bytes were not stored because the transcript was full.
    pub fn dropped_bytes(&self) -> usize {
        self.with_state(|state| state.dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(transcript: &Transcript) -> Vec<String> {
        transcript
            .entries()
            .iter()
            .map(|entry| String::from_utf8_lossy(&entry.bytes).into_owned())
            .collect()
    }

    #[test]
    fn a_short_password_leaves_evidence_alone() {
        let transcript = Transcript::new(Arc::new(Masker::new([("bob", "x")])), 4096);
        transcript.set_wire(1, Wire::Imap);
        transcript.sent(1, b"a LOGIN bob x\r\n");
        transcript.received(
            1,
            b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\")) text/plain x\r\n",
        );
        assert_eq!(
            texts(&transcript),
            [
                "a LOGIN bob ***\r\n",
                "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\")) text/plain x\r\n"
            ]
        );
    }

    #[test]
    fn sasl_initial_responses_and_continuations_are_hidden() {
        let transcript = Transcript::new(Arc::new(Masker::default()), 4096);
        transcript.set_wire(1, Wire::Smtp);
        transcript.set_wire(2, Wire::Imap);
        transcript.sent(1, b"AUTH LOGIN\r\n");
        transcript.received(1, b"334 VXNlcm5hbWU6\r\n");
        transcript.sent(1, b"Ym9i\r\n");
        transcript.received(1, b"334 UGFzc3dvcmQ6\r\n");
        transcript.sent(1, b"c2VjcmV0\r\n");
        transcript.received(1, b"235 2.7.0 ok\r\n");
        transcript.sent(1, b"MAIL FROM:<bob@example.org>\r\n");
        transcript.sent(2, b"t AUTHENTICATE PLAIN AGJvYgBzZWNyZXQ=\r\n");
        transcript.received(2, b"t OK done\r\n");
        transcript.sent(2, b"u AUTHENTICATE PLAIN\r\n");
        transcript.received(2, b"+ \r\n");
        transcript.sent(2, b"AGJvYgBzZWNyZXQ=\r\n");
        transcript.received(2, b"u OK done\r\n");
        transcript.sent(2, b"v SELECT INBOX\r\n");
        assert_eq!(
            texts(&transcript),
            [
                "AUTH LOGIN\r\n",
                "334 VXNlcm5hbWU6\r\n",
                "***\r\n",
                "334 UGFzc3dvcmQ6\r\n",
                "***\r\n",
                "235 2.7.0 ok\r\n",
                "MAIL FROM:<bob@example.org>\r\n",
                "t AUTHENTICATE PLAIN ***\r\n",
                "t OK done\r\n",
                "u AUTHENTICATE PLAIN\r\n",
                "+ \r\n",
                "***\r\n",
                "u OK done\r\n",
                "v SELECT INBOX\r\n",
            ]
        );
    }

    #[test]
    fn smtp_auth_plain_and_http_authorization_are_masked_by_field() {
        let transcript = Transcript::new(Arc::new(Masker::default()), 4096);
        transcript.set_wire(1, Wire::Smtp);
        transcript.set_wire(2, Wire::Http);
        transcript.sent_secret(1, b"AUTH PLAIN AGJvYgB4\r\n");
        transcript.received(1, b"535 5.7.8 no\r\n");
        transcript.sent(1, b"RCPT TO:<auth@example.org>\r\n");
        transcript.sent(
            2,
            b"GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Basic Ym9iOng=\r\nAccept: */*\r\n\r\n",
        );
        assert_eq!(
            texts(&transcript),
            [
                "AUTH PLAIN ***\r\n",
                "535 5.7.8 no\r\n",
                "RCPT TO:<auth@example.org>\r\n",
                "GET / HTTP/1.1\r\nHost: h\r\nAuthorization: ***\r\nAccept: */*\r\n\r\n",
            ]
        );
    }

    #[test]
    fn a_long_password_is_masked_wherever_it_still_appears() {
        let transcript = Transcript::new(Arc::new(Masker::new([("bob", "correct-horse")])), 4096);
        transcript.received(1, b"a BAD unknown command LOGIN bob correct-horse\r\n");
        assert_eq!(
            texts(&transcript),
            ["a BAD unknown command LOGIN bob ***\r\n"]
        );
    }

    #[test]
    fn transcript_keeps_head_and_tail_with_a_marker() {
        let transcript = Transcript::new(Arc::new(Masker::default()), 10);
        transcript.sent(1, b"0123456789abcdef");
        transcript.received(1, b"more");
        transcript.received(1, b"xyz");
        let entries = transcript.entries();
        let texts: Vec<String> = texts(&transcript);
        assert_eq!(texts[0], "01234");
        assert!(texts[1].starts_with("[13 bytes cut here"), "{texts:?}");
        assert_eq!(entries[1].direction, Direction::Note);
        assert_eq!(texts[2], "rexyz");
        assert_eq!(entries[2].direction, Direction::Received);
        assert_eq!(transcript.dropped_bytes(), 13);
        let kept: usize = entries
            .iter()
            .filter(|e| e.direction != Direction::Note)
            .map(|e| e.bytes.len())
            .sum();
        assert_eq!(kept, 10);
    }

    #[test]
    fn nothing_is_cut_below_the_limit() {
        let transcript = Transcript::new(Arc::new(Masker::default()), 100);
        transcript.sent(1, b"a NOOP\r\n");
        transcript.received(1, b"a OK done\r\n");
        assert_eq!(texts(&transcript), ["a NOOP\r\n", "a OK done\r\n"]);
        assert_eq!(transcript.dropped_bytes(), 0);
    }

    #[test]
    fn the_run_budget_bounds_all_transcripts_together_above_the_floor() {
        let budget = TranscriptBudget::new(3 * MIN_TRANSCRIPT_BYTES);
        let masker = Arc::new(Masker::default());
        let mut kept = 0;
        for _ in 0..10 {
            let transcript = Transcript::with_budget(masker.clone(), 64 * 1024, budget.clone());
            for _ in 0..100 {
                transcript.received(1, &[b'x'; 1000]);
            }
            let entries = transcript.entries();
            let own: usize = entries
                .iter()
                .filter(|e| e.direction != Direction::Note)
                .map(|e| e.bytes.len())
                .sum();
            assert!(own >= MIN_TRANSCRIPT_BYTES, "{own}");
            assert!(entries.iter().any(|e| e.direction == Direction::Note));
            kept += own;
        }
        assert_eq!(budget.left(), 0);
        assert!(
            kept <= 3 * MIN_TRANSCRIPT_BYTES + 10 * MIN_TRANSCRIPT_BYTES,
            "{kept}"
        );
    }
}
