//! `groupwire parse imap-client` and `imap-server`, on `groupwire-imap`.

use groupwire_imap::command::{CommandBody, parse_command};
use groupwire_imap::response::Response;
use groupwire_imap::stream::client::ResponseDecoder;
use groupwire_imap::stream::server::{ClientMessage, CommandDecoder, ServerStep, parse_sasl_line};
use groupwire_imap::{Decoded, Encode, Limits};

use super::StreamParser;

/// The adapter for bytes an IMAP client sends: commands with their literals (every
/// synchronising literal taken as granted), AUTHENTICATE response lines and IDLE's `DONE`,
/// decoded by the server-role [`CommandDecoder`].
pub fn client() -> Box<dyn StreamParser> {
    Box::new(ImapClientStream {
        decoder: CommandDecoder::new(Limits::default()),
        peer: None,
    })
}

/// [`client`], with the server's stream of the same session deciding each synchronising
/// literal: a tagged answer to the command where `+` would be means the server refused it, and
/// the client never sent its data.
pub fn client_with_peer(server: &[u8]) -> Box<dyn StreamParser> {
    Box::new(ImapClientStream {
        decoder: CommandDecoder::new(Limits::default()),
        peer: Some(Peer::new(server)),
    })
}

/// What of the server's stream decides how the client's is framed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PeerEvent {
    /// A continuation request (`+ ...`).
    Continue,
    /// A tagged status response.
    Tagged(Vec<u8>),
}

/// The server's side of the session, read in order as the client's is.
struct Peer {
    events: Vec<PeerEvent>,
    next: usize,
}

impl Peer {
    /// Decodes `server` as far as it decodes (a capture may be cut anywhere).
    fn new(server: &[u8]) -> Self {
        let mut decoder = ResponseDecoder::new(Limits::client());
        let mut events = Vec::new();
        let mut at = 0;
        while let Ok(Decoded::Complete { value, consumed }) =
            decoder.decode(server.get(at..).unwrap_or_default())
        {
            at += consumed;
            match value {
                Response::Continuation(_) => events.push(PeerEvent::Continue),
                Response::Status(status) => {
                    if let Some(tag) = status.tag {
                        events.push(PeerEvent::Tagged(tag.as_str().as_bytes().to_vec()));
                    }
                }
                Response::Data(_) => {}
            }
        }
        Self { events, next: 0 }
    }

    /// Whether the server granted the literal the command tagged `tag` waits on: the first
    /// continuation or tagged answer to `tag` from here on decides (none: granted).
    fn granted(&mut self, tag: &[u8]) -> bool {
        while let Some(event) = self.events.get(self.next) {
            self.next += 1;
            match event {
                PeerEvent::Continue => return true,
                PeerEvent::Tagged(t) if t.as_slice() == tag => return false,
                PeerEvent::Tagged(_) => {}
            }
        }
        true
    }

    /// Steps past the exchange of an AUTHENTICATE (its challenges and tagged answer) or the
    /// `+` of an IDLE, so they are not taken for a literal's go-ahead.
    fn command_done(&mut self, tag: &[u8], body: &CommandBody<'_>) {
        match body {
            CommandBody::Authenticate(_) => {
                while let Some(event) = self.events.get(self.next) {
                    self.next += 1;
                    if *event == PeerEvent::Tagged(tag.to_vec()) {
                        break;
                    }
                }
            }
            CommandBody::Idle if self.events.get(self.next) == Some(&PeerEvent::Continue) => {
                self.next += 1;
            }
            _ => {}
        }
    }
}

/// Client bytes, decoded as a server would see them.
struct ImapClientStream {
    decoder: CommandDecoder,
    peer: Option<Peer>,
}

impl ImapClientStream {
    /// After a refused message: skip what the decoder discards of the rest of it, as far as
    /// the input goes.
    fn skip_rest(&mut self, input: &[u8], from: usize) -> usize {
        let mut at = from;
        while self.decoder.is_skipping() && at < input.len() {
            match self.decoder.decode(input.get(at..).unwrap_or_default()) {
                Ok(ServerStep::Skipped { consumed }) if consumed > 0 => at += consumed,
                _ => break,
            }
        }
        at
    }
}

impl StreamParser for ImapClientStream {
    fn next_message(&mut self, input: &[u8], roundtrip: bool) -> super::Step {
        use super::{Message, Step};

        let (value, len) = loop {
            match self.decoder.decode_captured_step(input) {
                Ok(ServerStep::Complete { value, consumed }) => break (value, consumed),
                Ok(ServerStep::Incomplete { .. }) => return Step::Incomplete,
                Ok(ServerStep::NeedsContinuation { size, command, .. }) => {
                    let tag = command.tag.as_ref().map(|t| t.as_bytes().to_vec());
                    let granted = match (&mut self.peer, &tag) {
                        (Some(peer), Some(tag)) => peer.granted(tag),
                        _ => true,
                    };
                    if granted {
                        continue;
                    }
                    let value = serde_json::json!({
                        "tag": command.tag.map(|t| t.to_str_lossy().into_owned()),
                        "name": command.name.map(|n| n.to_str_lossy().into_owned()),
                        "literal_size": size,
                    });
                    let len = self.decoder.reject_literal();
                    return Step::Message(Message {
                        len,
                        kind: "refused-command",
                        value,
                    });
                }
                Ok(ServerStep::LiteralTooLarge { size, .. }) => {
                    let data_start = self.decoder.reject_literal();
                    let len = self.skip_rest(input, data_start);
                    return Step::Skip {
                        reason: format!(
                            "a literal of {size} octets is over max_literal_size (skipped)"
                        ),
                        offset: data_start.saturating_sub(3),
                        len,
                    };
                }
                Ok(ServerStep::Invalid {
                    error, consumed, ..
                }) => {
                    let len = self.skip_rest(input, consumed);
                    return Step::Skip {
                        reason: error.kind().to_string(),
                        offset: error.offset(),
                        len,
                    };
                }
                Ok(ServerStep::Skipped { consumed }) => {
                    let len = self.skip_rest(input, consumed);
                    return Step::Skip {
                        reason: "the rest of a refused message".into(),
                        offset: 0,
                        len,
                    };
                }
                Err(error) => {
                    return Step::Invalid {
                        reason: error.kind().to_string(),
                        offset: error.offset(),
                    };
                }
            }
        };
        if let (Some(peer), ClientMessage::Command(command)) = (&mut self.peer, &value) {
            peer.command_done(command.tag.as_str().as_bytes(), &command.body);
        }
        let (kind, same) = match &value {
            ClientMessage::Command(command) => {
                let wire = command.to_bytes();
                let again = parse_command(&wire, Limits::default());
                ("command", again.as_ref() == Ok(command))
            }
            ClientMessage::SaslResponse(response) => {
                let line = input.get(..len.saturating_sub(2)).unwrap_or_default();
                (
                    "sasl-response",
                    parse_sasl_line(line).as_ref() == Ok(response),
                )
            }
            ClientMessage::IdleDone => ("idle-done", true),
        };
        if roundtrip && !same {
            return Step::Invalid {
                reason: "round-trip mismatch".into(),
                offset: 0,
            };
        }
        let json = match &value {
            ClientMessage::Command(command) => serde_json::to_value(command),
            ClientMessage::SaslResponse(response) => serde_json::to_value(response),
            ClientMessage::IdleDone => Ok(serde_json::Value::Null),
        };
        Step::Message(Message {
            len,
            kind,
            value: json.unwrap_or(serde_json::Value::Null),
        })
    }
}

/// The adapter for bytes an IMAP server sends: greeting, status and data responses and
/// continuation requests, decoded by the client-role
/// [`ResponseDecoder`].
pub fn server() -> Box<dyn StreamParser> {
    Box::new(ImapServerStream {
        decoder: groupwire_imap::stream::client::ResponseDecoder::new(
            groupwire_imap::Limits::default(),
        ),
    })
}

/// Server bytes, decoded as a client would see them.
struct ImapServerStream {
    decoder: groupwire_imap::stream::client::ResponseDecoder,
}

impl StreamParser for ImapServerStream {
    fn next_message(&mut self, input: &[u8], roundtrip: bool) -> super::Step {
        use super::{Message, Step};

        let (value, len) = match self.decoder.decode(input) {
            Ok(Decoded::Complete { value, consumed }) => (value, consumed),
            Ok(Decoded::Incomplete { .. }) => return Step::Incomplete,
            Err(error) => {
                return Step::Invalid {
                    reason: error.kind().to_string(),
                    offset: error.offset(),
                };
            }
        };
        if roundtrip {
            let wire = value.to_bytes();
            let same = matches!(
                Response::decode(&wire, &Limits::default()),
                Ok(Decoded::Complete { value: ref again, consumed }) if *again == value && consumed == wire.len()
            );
            if !same {
                return Step::Invalid {
                    reason: "round-trip mismatch".into(),
                    offset: 0,
                };
            }
        }
        let kind = match &value {
            Response::Status(_) => "status",
            Response::Data(_) => "data",
            Response::Continuation(_) => "continuation",
        };
        Step::Message(Message {
            len,
            kind,
            value: serde_json::to_value(&value).unwrap_or(serde_json::Value::Null),
        })
    }
}
