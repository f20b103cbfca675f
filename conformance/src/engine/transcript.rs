//! The transcript: every byte a check sent and received, in order, per connection, with
//! credentials masked before they are stored.
//!
//! Masking happens at record time, so no report format can leak a password:
//! - the passwords of the target's accounts (and their base64 forms, and the SASL PLAIN
//!   blobs built from them) are replaced by `***` wherever they appear, in either direction;
//! - the last argument of IMAP `LOGIN`, the initial response of IMAP `AUTHENTICATE` and SMTP
//!   `AUTH`, and every client line of a SASL exchange (until the server's final reply) are
//!   replaced by `***`, whatever their content.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

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

/// Replaces credentials with `***` in the bytes the harness sends and receives.
#[derive(Debug, Clone, Default)]
pub struct Masker {
    secrets: Vec<Vec<u8>>,
}

const MASK: &[u8] = b"***";

impl Masker {
    /// A masker that hides these passwords for these users (and their base64 / SASL forms).
    pub fn new<'a>(credentials: impl IntoIterator<Item = (&'a str, &'a str)>) -> Masker {
        let mut secrets = Vec::new();
        let b64 = base64::engine::general_purpose::STANDARD;
        for (user, password) in credentials {
            if password.is_empty() {
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

    /// Replaces every occurrence of a known secret by `***`.
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

/// Splits after each `\n`, keeping the terminators.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes.split_inclusive(|&b| b == b'\n')
}

fn words(line: &[u8]) -> Vec<&[u8]> {
    line.split(|&b| b == b' ')
        .filter(|w| !w.is_empty())
        .collect()
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

/// What a client line does to the SASL state.
fn mask_client_line(line: &[u8], in_sasl: &mut bool) -> Vec<u8> {
    let (body, eol) = trim_eol(line);
    let mut out = Vec::with_capacity(line.len());
    if *in_sasl {
        out.extend_from_slice(MASK);
        out.extend_from_slice(eol);
        return out;
    }
    let w = words(body);
    let is = |index: usize, keyword: &str| {
        w.get(index)
            .is_some_and(|word| word.eq_ignore_ascii_case(keyword.as_bytes()))
    };
    // IMAP: tag LOGIN user password; everything after the user name is hidden.
    if is(1, "LOGIN")
        && w.len() >= 3
        && let Some(user_end) = login_user_end(body)
    {
        out.extend_from_slice(body.get(..user_end).unwrap_or_default());
        out.push(b' ');
        out.extend_from_slice(MASK);
        out.extend_from_slice(eol);
        return out;
    }
    // IMAP: tag AUTHENTICATE mech [initial]; SMTP: AUTH mech [initial]
    let sasl_at = if is(1, "AUTHENTICATE") {
        Some(2)
    } else if is(0, "AUTH") {
        Some(1)
    } else {
        None
    };
    if let Some(mech_index) = sasl_at {
        let keep = w.get(..=mech_index).unwrap_or(&w[..]).join(&b' ');
        out.extend_from_slice(&keep);
        if w.len() > mech_index + 1 {
            out.push(b' ');
            out.extend_from_slice(MASK);
        }
        out.extend_from_slice(eol);
        *in_sasl = true;
        return out;
    }
    line.to_vec()
}

/// Where the user argument of `tag LOGIN user ...` ends (an atom, a quoted string with
/// escapes, or a literal announcement), if the line has anything after it.
fn login_user_end(body: &[u8]) -> Option<usize> {
    let mut spaces = 0;
    let mut start = None;
    for (index, &byte) in body.iter().enumerate() {
        if byte == b' ' {
            spaces += 1;
            if spaces == 2 {
                start = Some(index + 1);
                break;
            }
        }
    }
    let start = start?;
    let rest = body.get(start..)?;
    let len = if rest.first() == Some(&b'"') {
        let mut escaped = false;
        let mut close = None;
        for (index, &byte) in rest.iter().enumerate().skip(1) {
            match byte {
                b'\\' if !escaped => escaped = true,
                b'"' if !escaped => {
                    close = Some(index + 1);
                    break;
                }
                _ => escaped = false,
            }
        }
        close?
    } else {
        rest.iter().position(|&b| b == b' ')?
    };
    let end = start + len;
    (body.len() > end).then_some(end)
}

/// A server line ends a SASL exchange unless it is a continuation (`+` or `334`).
fn server_line_ends_sasl(line: &[u8]) -> bool {
    !(line.starts_with(b"+") || line.starts_with(b"334"))
}

#[derive(Debug)]
struct State {
    entries: Vec<Entry>,
    stored: usize,
    dropped: usize,
    in_sasl: bool,
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
                in_sasl: false,
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

    /// Records bytes the harness sent on `connection`, masking credentials.
    pub fn sent(&self, connection: u32, bytes: &[u8]) {
        let masked = self.with_state(|state| {
            let mut out = Vec::with_capacity(bytes.len());
            for line in lines(bytes) {
                out.extend(mask_client_line(line, &mut state.in_sasl));
            }
            out
        });
        let masked = self.masker.mask_secrets(&masked);
        self.push(connection, Direction::Sent, masked);
    }

    /// Records bytes that must never appear (e.g. a SASL response sent without a command
    /// line): stored as `***` plus the line ending.
    pub fn sent_secret(&self, connection: u32, bytes: &[u8]) {
        let (_, eol) = trim_eol(bytes);
        let mut masked = MASK.to_vec();
        masked.extend_from_slice(eol);
        self.push(connection, Direction::Sent, masked);
    }

    /// Records bytes received on `connection`.
    pub fn received(&self, connection: u32, bytes: &[u8]) {
        self.with_state(|state| {
            if state.in_sasl && lines(bytes).any(server_line_ends_sasl) {
                state.in_sasl = false;
            }
        });
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

    fn sent_text(lines: &[&[u8]]) -> String {
        let transcript = Transcript::new(Arc::new(Masker::new([("bob", "pw x\"y")])), 4096);
        for line in lines {
            transcript.sent(1, line);
        }
        transcript
            .entries()
            .iter()
            .map(|entry| String::from_utf8_lossy(&entry.bytes).into_owned())
            .collect()
    }

    #[test]
    fn login_hides_everything_after_the_user() {
        assert_eq!(
            sent_text(&[b"a LOGIN bob secret\r\n"]),
            "a LOGIN bob ***\r\n"
        );
        assert_eq!(
            sent_text(&[b"a LOGIN \"b\\\"o b\" \"pass word\\\\\"\r\n"]),
            "a LOGIN \"b\\\"o b\" ***\r\n"
        );
        assert_eq!(sent_text(&[b"a login bob {8}\r\n"]), "a login bob ***\r\n");
        // A password with quote and space, sent as an escaped quoted string.
        assert_eq!(
            sent_text(&[b"a LOGIN \"bob\" \"pw x\\\"y\"\r\n"]),
            "a LOGIN \"bob\" ***\r\n"
        );
        // Nothing after the user: nothing to hide (the password follows as a literal line,
        // which the secret list masks).
        assert_eq!(
            sent_text(&[b"a LOGIN bob\r\n", b"pw x\"y\r\n"]),
            "a LOGIN bob\r\n***\r\n"
        );
    }

    #[test]
    fn sasl_initial_responses_and_continuations_are_hidden() {
        let transcript = Transcript::new(Arc::new(Masker::default()), 4096);
        transcript.sent(1, b"AUTH LOGIN\r\n");
        transcript.received(1, b"334 VXNlcm5hbWU6\r\n");
        transcript.sent(1, b"Ym9i\r\n");
        transcript.received(1, b"334 UGFzc3dvcmQ6\r\n");
        transcript.sent(1, b"c2VjcmV0\r\n");
        transcript.received(1, b"235 2.7.0 ok\r\n");
        transcript.sent(1, b"MAIL FROM:<bob@example.org>\r\n");
        transcript.sent(2, b"t AUTHENTICATE PLAIN AGJvYgBzZWNyZXQ=\r\n");
        let text: Vec<String> = transcript
            .entries()
            .iter()
            .map(|entry| String::from_utf8_lossy(&entry.bytes).into_owned())
            .collect();
        assert_eq!(
            text,
            [
                "AUTH LOGIN\r\n",
                "334 VXNlcm5hbWU6\r\n",
                "***\r\n",
                "334 UGFzc3dvcmQ6\r\n",
                "***\r\n",
                "235 2.7.0 ok\r\n",
                "MAIL FROM:<bob@example.org>\r\n",
                "t AUTHENTICATE PLAIN ***\r\n",
            ]
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
