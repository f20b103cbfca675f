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

use std::collections::HashMap;
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

/// The most bytes one check's transcript keeps; the rest is counted, not stored.
pub const DEFAULT_MAX_TRANSCRIPT_BYTES: usize = 256 * 1024;

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
    entries: Vec<Entry>,
    stored: usize,
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
}

impl Transcript {
    /// An empty transcript that masks with `masker` and keeps at most `max_bytes`.
    pub fn new(masker: Arc<Masker>, max_bytes: usize) -> Transcript {
        Transcript {
            state: Arc::new(Mutex::new(State {
                entries: Vec::new(),
                stored: 0,
                dropped: 0,
                fields: HashMap::new(),
            })),
            masker,
            started: Instant::now(),
            max_bytes,
        }
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
        let max = self.max_bytes;
        self.with_state(|state| {
            let room = max.saturating_sub(state.stored);
            if room == 0 {
                state.dropped += bytes.len();
                return;
            }
            let mut bytes = bytes;
            if bytes.len() > room {
                state.dropped += bytes.len() - room;
                bytes.truncate(room);
            }
            state.stored += bytes.len();
            if direction != Direction::Note
                && let Some(last) = state.entries.last_mut()
                && last.direction == direction
                && last.connection == connection
            {
                last.bytes.extend_from_slice(&bytes);
                return;
            }
            state.entries.push(Entry {
                at_ms,
                connection,
                direction,
                bytes,
            });
        });
    }

    /// A copy of the entries so far.
    pub fn entries(&self) -> Vec<Entry> {
        self.with_state(|state| state.entries.clone())
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
    fn transcript_size_is_bounded() {
        let transcript = Transcript::new(Arc::new(Masker::default()), 10);
        transcript.received(1, b"0123456789abcdef");
        transcript.received(1, b"more");
        let entries = transcript.entries();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].bytes, b"0123456789");
        assert_eq!(transcript.dropped_bytes(), 10);
    }
}
