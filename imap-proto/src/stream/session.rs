//! A sans-IO IMAP client session: tags, synchronising literals, AUTHENTICATE, IDLE and
//! tagged-completion matching, with no I/O of its own.
//!
//! The caller moves bytes: [`ClientSession::output`] gives what to write to the server now,
//! [`ClientSession::receive`] takes what was read, and [`ClientSession::next_event`] turns it
//! into [`Event`]s. Everything protocol-shaped is done here:
//!
//! - each command gets a fresh tag ([`TagGenerator`]) unless the caller names one;
//! - a command with a synchronising literal (a non-ASCII password, an APPEND) is written up to
//!   the literal, and the rest only after the server's `+`; a tagged `NO`/`BAD` instead ends
//!   the command and drops its remaining fragments. Commands queued behind it wait, so the byte
//!   stream stays in order;
//! - `IDLE` is acknowledged by [`Event::Idling`] and ended with [`ClientSession::idle_done`];
//! - `AUTHENTICATE` challenges arrive as [`Event::Challenge`], answered with
//!   [`ClientSession::authenticate_respond`] (raw bytes, base64-encoded here) or
//!   [`ClientSession::authenticate_cancel`];
//! - every tagged status response is matched to its command ([`Event::Completed`]).
//!
//! ```
//! use groupwire_imap::command::CommandBody;
//! use groupwire_imap::stream::session::{ClientSession, Event};
//!
//! let mut session = ClientSession::default();
//! session.receive(b"* OK [CAPABILITY IMAP4rev1] ready\r\n");
//! assert!(matches!(session.next_event().unwrap(), Some(Event::Greeting(_))));
//!
//! let tag = session.send(CommandBody::Noop);
//! assert_eq!(&session.output()[..], b"A1 NOOP\r\n");
//! session.receive(b"* 3 EXISTS\r\nA1 OK done\r\n");
//! assert!(matches!(session.next_event().unwrap(), Some(Event::Data(_))));
//! let Some(Event::Completed { tag: done, response }) = session.next_event().unwrap() else {
//!     panic!("expected the completion")
//! };
//! assert_eq!(done, tag);
//! assert!(response.is_ok());
//! ```

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};

use super::client::{ResponseDecoder, ResponseFrame};
use crate::command::{Command, CommandBody, Fragment, LiteralPolicy, encode_fragments};
use crate::core::{LiteralMode, Tag};
use crate::response::{Continuation, Response, Status};
use crate::{DecodeError, Limits};

/// Makes tags `A1`, `A2`, ... (or with another prefix), never repeating within a session.
#[derive(Debug, Clone)]
pub struct TagGenerator {
    prefix: String,
    next: u64,
}

impl Default for TagGenerator {
    fn default() -> Self {
        Self::new("A")
    }
}

impl TagGenerator {
    /// Tags `<prefix>1`, `<prefix>2`, ...; a prefix that is not tag characters falls back to `A`.
    pub fn new(prefix: &str) -> Self {
        let valid = Tag::new(prefix).is_some();
        Self {
            prefix: if valid {
                prefix.to_string()
            } else {
                "A".into()
            },
            next: 1,
        }
    }

    /// The next tag.
    pub fn next_tag(&mut self) -> Tag<'static> {
        let tag = Tag::numbered(&self.prefix, self.next);
        self.next = self.next.saturating_add(1);
        tag
    }
}

/// What the server said, as the session understood it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The greeting (`* OK`, `* PREAUTH` or `* BYE`), always the first event.
    Greeting(ResponseFrame),
    /// Untagged data or an untagged status response (`* 3 EXISTS`, `* OK [ALERT] ...`,
    /// `* BYE`), outside IDLE or during it.
    Data(ResponseFrame),
    /// The server accepted IDLE (its `+`): untagged updates follow as [`Event::Data`] until
    /// [`ClientSession::idle_done`].
    Idling {
        /// The IDLE command's tag.
        tag: Tag<'static>,
    },
    /// An AUTHENTICATE challenge (`+ base64`), decoded; answer it with
    /// [`ClientSession::authenticate_respond`] or [`ClientSession::authenticate_cancel`].
    Challenge {
        /// The AUTHENTICATE command's tag.
        tag: Tag<'static>,
        /// The decoded challenge (empty for `+ ` or a text continuation).
        data: Vec<u8>,
    },
    /// A command finished: its tagged `OK`, `NO` or `BAD`.
    Completed {
        /// The command's tag.
        tag: Tag<'static>,
        /// The tagged status response.
        response: Completion,
    },
}

/// A tagged status response, with accessors for what callers branch on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    status: Status,
    frame: ResponseFrame,
}

impl Completion {
    /// `OK`, `NO` or `BAD`.
    pub fn status(&self) -> Status {
        self.status
    }

    /// Whether the command succeeded (`OK`).
    pub fn is_ok(&self) -> bool {
        self.status == Status::Ok
    }

    /// The response's frame (parse it again with [`ResponseFrame::response`] for the code and
    /// text).
    pub fn frame(&self) -> &ResponseFrame {
        &self.frame
    }
}

/// A command not yet completely written.
#[derive(Debug)]
struct Pending {
    tag: Tag<'static>,
    /// What is still to be written, in order.
    rest: VecDeque<Fragment>,
    /// What the server's `+` after the command line means.
    kind: Kind,
}

/// What the server's next `+` means.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Waiting {
    /// Nothing is waiting for a continuation.
    Nothing,
    /// A synchronising literal of the command with this tag.
    Literal(Tag<'static>),
    /// The server's acceptance of IDLE.
    IdleStart(Tag<'static>),
    /// The next challenge (or the tagged reply) of the AUTHENTICATE with this tag.
    Authenticating(Tag<'static>),
    /// A challenge of the AUTHENTICATE with this tag, not yet answered.
    Challenge(Tag<'static>),
}

/// Why a call on the session was refused (the session itself stays usable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionError {
    /// [`ClientSession::idle_done`] without an accepted IDLE.
    NotIdling,
    /// An AUTHENTICATE answer without a pending challenge.
    NoChallenge,
}

impl std::fmt::Display for SessionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SessionError::NotIdling => "DONE without an accepted IDLE",
            SessionError::NoChallenge => "an AUTHENTICATE answer without a challenge",
        })
    }
}

impl std::error::Error for SessionError {}

/// The client side of one IMAP connection, without I/O. See the [module docs](self).
#[derive(Debug)]
pub struct ClientSession {
    decoder: ResponseDecoder,
    input: BytesMut,
    output: BytesMut,
    tags: TagGenerator,
    policy: LiteralPolicy,
    greeted: bool,
    /// Commands not yet completely written, in order; only the first may be waiting.
    pending: VecDeque<Pending>,
    waiting: Waiting,
    /// The tag of the accepted IDLE, until DONE is written.
    idling: Option<Tag<'static>>,
    /// Tags written and not yet completed.
    in_flight: Vec<Tag<'static>>,
}

impl Default for ClientSession {
    fn default() -> Self {
        Self::new(Limits::client())
    }
}

impl ClientSession {
    /// A session decoding responses within `limits` ([`Limits::client`] suits most clients).
    pub fn new(limits: Limits) -> Self {
        Self {
            decoder: ResponseDecoder::new(limits),
            input: BytesMut::new(),
            output: BytesMut::new(),
            tags: TagGenerator::default(),
            policy: LiteralPolicy::Synchronizing,
            greeted: false,
            pending: VecDeque::new(),
            waiting: Waiting::Nothing,
            idling: None,
            in_flight: Vec::new(),
        }
    }

    /// Uses `policy` for literals from now on: [`LiteralPolicy::LiteralPlus`] or
    /// [`LiteralPolicy::LiteralMinus`] once the server advertised LITERAL+ / LITERAL-.
    pub fn set_literal_policy(&mut self, policy: LiteralPolicy) {
        self.policy = policy;
    }

    /// Uses `tags` to name commands sent with [`ClientSession::send`].
    pub fn set_tag_generator(&mut self, tags: TagGenerator) {
        self.tags = tags;
    }

    /// Sends a command under a fresh tag, which is returned.
    pub fn send(&mut self, body: CommandBody<'_>) -> Tag<'static> {
        let tag = self.tags.next_tag();
        self.send_tagged(&Command {
            tag: tag.clone(),
            body,
        });
        tag
    }

    /// Sends a command under the caller's tag.
    ///
    /// It is written at once unless an earlier command waits for a continuation (a literal,
    /// an AUTHENTICATE exchange) or an IDLE is in progress; then it waits its turn.
    pub fn send_tagged(&mut self, command: &Command<'_>) {
        let tag = command.tag.clone().into_owned_tag();
        let kind = match command.body {
            CommandBody::Idle => Kind::Idle,
            CommandBody::Authenticate(_) => Kind::Authenticate,
            _ => Kind::Plain,
        };
        self.pending.push_back(Pending {
            tag: tag.clone(),
            rest: encode_fragments(command, self.policy).collect(),
            kind,
        });
        self.in_flight.push(tag);
        self.pump();
    }

    /// Ends an accepted IDLE (writes `DONE`); its tagged completion follows as an event.
    pub fn idle_done(&mut self) -> Result<(), SessionError> {
        if self.idling.take().is_none() {
            return Err(SessionError::NotIdling);
        }
        self.output.extend_from_slice(b"DONE\r\n");
        // Commands queued during IDLE may follow DONE at once.
        self.pump();
        Ok(())
    }

    /// Answers the pending AUTHENTICATE challenge with `data` (base64-encoded here).
    pub fn authenticate_respond(&mut self, data: &[u8]) -> Result<(), SessionError> {
        let Waiting::Challenge(tag) = &self.waiting else {
            return Err(SessionError::NoChallenge);
        };
        self.waiting = Waiting::Authenticating(tag.clone());
        encode_base64(data, &mut self.output);
        self.output.extend_from_slice(b"\r\n");
        Ok(())
    }

    /// Cancels the pending AUTHENTICATE (`*`); the server answers with a tagged `BAD`.
    pub fn authenticate_cancel(&mut self) -> Result<(), SessionError> {
        let Waiting::Challenge(tag) = &self.waiting else {
            return Err(SessionError::NoChallenge);
        };
        self.waiting = Waiting::Authenticating(tag.clone());
        self.output.extend_from_slice(b"*\r\n");
        Ok(())
    }

    /// The bytes to write to the server now (empty when nothing is due).
    pub fn output(&mut self) -> Bytes {
        self.output.split().freeze()
    }

    /// Whether [`ClientSession::output`] has bytes to write.
    pub fn has_output(&self) -> bool {
        !self.output.is_empty()
    }

    /// Appends bytes read from the server.
    pub fn receive(&mut self, bytes: &[u8]) {
        self.input.extend_from_slice(bytes);
    }

    /// The read buffer, for callers that read straight into it (then call
    /// [`ClientSession::next_event`]).
    pub fn input_buffer(&mut self) -> &mut BytesMut {
        &mut self.input
    }

    /// Tags of the commands written and not yet completed, oldest first.
    pub fn in_flight(&self) -> &[Tag<'static>] {
        &self.in_flight
    }

    /// Whether the session is inside an accepted IDLE.
    pub fn is_idling(&self) -> bool {
        self.idling.is_some()
    }

    /// The next event from the bytes received so far, or `None` when more bytes are needed.
    ///
    /// An error means the server sent something that is not IMAP (or exceeds the limits); the
    /// connection cannot be resynchronised and should be closed.
    pub fn next_event(&mut self) -> Result<Option<Event>, DecodeError> {
        loop {
            let Some(len) = self.decoder.frame(&self.input)? else {
                return Ok(None);
            };
            let bytes = self.input.split_to(len).freeze();
            let limits = *self.decoder.limits();
            let response = Response::from_frame(&bytes, &limits)?;
            let frame = ResponseFrame::from_parts(bytes.clone(), limits);
            if !self.greeted {
                self.greeted = true;
                return Ok(Some(Event::Greeting(frame)));
            }
            match response {
                Response::Continuation(continuation) => {
                    let challenge = match &continuation {
                        Continuation::Base64(data) => decode_base64(data.as_bytes()),
                        Continuation::Text(_) => Vec::new(),
                    };
                    if let Some(event) = self.on_continuation(challenge, frame) {
                        return Ok(Some(event));
                    }
                    // A literal continuation: its data is now in the output; read on.
                }
                Response::Status(status) => match status.tag {
                    Some(tag) => {
                        let tag = tag.into_owned_tag();
                        let completion = Completion {
                            status: status.status,
                            frame,
                        };
                        self.on_completion(&tag);
                        return Ok(Some(Event::Completed {
                            tag,
                            response: completion,
                        }));
                    }
                    None => return Ok(Some(Event::Data(frame))),
                },
                Response::Data(_) => return Ok(Some(Event::Data(frame))),
            }
        }
    }

    /// Handles a `+`: continues a literal (no event), accepts IDLE, or relays a challenge.
    fn on_continuation(&mut self, challenge: Vec<u8>, frame: ResponseFrame) -> Option<Event> {
        match std::mem::replace(&mut self.waiting, Waiting::Nothing) {
            Waiting::Literal(_) => {
                self.pump();
                None
            }
            Waiting::IdleStart(tag) => {
                self.idling = Some(tag.clone());
                Some(Event::Idling { tag })
            }
            Waiting::Authenticating(tag) | Waiting::Challenge(tag) => {
                self.waiting = Waiting::Challenge(tag.clone());
                Some(Event::Challenge {
                    tag,
                    data: challenge,
                })
            }
            // An unexpected `+` is reported as data rather than dropped.
            Waiting::Nothing => Some(Event::Data(frame)),
        }
    }

    /// A tagged reply ends its command, whatever it was waiting for.
    fn on_completion(&mut self, tag: &Tag<'static>) {
        self.in_flight.retain(|t| t != tag);
        let ends_waiting = match &self.waiting {
            Waiting::Literal(t)
            | Waiting::IdleStart(t)
            | Waiting::Authenticating(t)
            | Waiting::Challenge(t) => t == tag,
            Waiting::Nothing => false,
        };
        if self.idling.as_ref() == Some(tag) {
            self.idling = None;
        }
        if ends_waiting {
            self.waiting = Waiting::Nothing;
            // A command refused before its literal: drop what it did not send.
            if self.pending.front().is_some_and(|p| &p.tag == tag) {
                self.pending.pop_front();
            }
        }
        self.pump();
    }

    /// Writes queued fragments until one must wait for a continuation.
    fn pump(&mut self) {
        if self.waiting != Waiting::Nothing || self.idling.is_some() {
            return;
        }
        while let Some(front) = self.pending.front_mut() {
            while let Some(fragment) = front.rest.pop_front() {
                match fragment {
                    Fragment::Line(line) => self.output.extend_from_slice(&line),
                    Fragment::Literal {
                        data,
                        mode: LiteralMode::Sync,
                    } => {
                        // Written after the `+`.
                        front.rest.push_front(Fragment::Literal {
                            data,
                            mode: LiteralMode::NonSync,
                        });
                        self.waiting = Waiting::Literal(front.tag.clone());
                        return;
                    }
                    Fragment::Literal { data, .. } => self.output.extend_from_slice(&data),
                }
            }
            let tag = front.tag.clone();
            let kind = front.kind;
            self.pending.pop_front();
            // The command line is out: IDLE and AUTHENTICATE now wait for their `+`.
            match kind {
                Kind::Idle => {
                    self.waiting = Waiting::IdleStart(tag);
                    return;
                }
                Kind::Authenticate => {
                    self.waiting = Waiting::Authenticating(tag);
                    return;
                }
                Kind::Plain => {}
            }
        }
    }
}

/// What a newly written command expects from the server's next `+`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    Idle,
    Authenticate,
}

trait IntoOwnedTag {
    fn into_owned_tag(self) -> Tag<'static>;
}

impl IntoOwnedTag for Tag<'_> {
    fn into_owned_tag(self) -> Tag<'static> {
        crate::IntoOwned::into_owned(self)
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (RFC 4648 §4), as AUTHENTICATE answers are sent.
fn encode_base64(data: &[u8], out: &mut BytesMut) {
    let symbol = |index: u32| BASE64.get((index & 63) as usize).copied().unwrap_or(b'=');
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.extend_from_slice(&[symbol(n >> 18), symbol(n >> 12)]);
        out.extend_from_slice(&[
            if chunk.len() > 1 {
                symbol(n >> 6)
            } else {
                b'='
            },
            if chunk.len() > 2 { symbol(n) } else { b'=' },
        ]);
    }
}

/// Decodes a server challenge; anything that is not base64 decodes to what could be read.
fn decode_base64(text: &[u8]) -> Vec<u8> {
    let value = |c: u8| BASE64.iter().position(|&s| s == c).map(|p| p as u32);
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for &c in text {
        let Some(v) = value(c) else { break };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            let mut out = BytesMut::new();
            encode_base64(plain.as_bytes(), &mut out);
            assert_eq!(&out[..], encoded.as_bytes(), "{plain}");
            assert_eq!(decode_base64(encoded.as_bytes()), plain.as_bytes());
        }
    }

    #[test]
    fn tags_count_up_and_reject_bad_prefixes() {
        let mut tags = TagGenerator::new("gw");
        assert_eq!(tags.next_tag().as_str(), "gw1");
        assert_eq!(tags.next_tag().as_str(), "gw2");
        assert_eq!(TagGenerator::new("a b").next_tag().as_str(), "A1");
        assert_eq!(TagGenerator::new("").next_tag().as_str(), "A1");
    }
}
