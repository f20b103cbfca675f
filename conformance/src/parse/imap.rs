//! `groupwire parse imap-client` and `imap-server`, on `groupwire-imap`.

use super::StreamParser;

/// The adapter for bytes an IMAP client sends: commands with their literals (every
/// synchronising literal taken as granted), AUTHENTICATE response lines and IDLE's `DONE`,
/// decoded by the server-role [`CommandDecoder`](groupwire_imap::stream::server::CommandDecoder).
pub fn client() -> Box<dyn StreamParser> {
    Box::new(ImapClientStream {
        decoder: groupwire_imap::stream::server::CommandDecoder::new(
            groupwire_imap::Limits::default(),
        ),
    })
}

/// Client bytes, decoded as a server would see them.
struct ImapClientStream {
    decoder: groupwire_imap::stream::server::CommandDecoder,
}

impl StreamParser for ImapClientStream {
    fn next_message(&mut self, input: &[u8], roundtrip: bool) -> super::Step {
        use super::{Message, Step};
        use groupwire_imap::stream::server::{ClientMessage, parse_sasl_line};
        use groupwire_imap::{Decoded, Encode, Limits, command::parse_command};

        let (value, len) = match self.decoder.decode_captured(input) {
            Ok(Decoded::Complete { value, consumed }) => (value, consumed),
            Ok(Decoded::Incomplete { .. }) => return Step::Incomplete,
            Err(error) => {
                return Step::Invalid {
                    reason: error.kind().to_string(),
                    offset: error.offset(),
                };
            }
        };
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
/// [`ResponseDecoder`](groupwire_imap::stream::client::ResponseDecoder).
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
        use groupwire_imap::response::Response;
        use groupwire_imap::{Decoded, Encode, Limits};

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
