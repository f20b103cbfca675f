//! `groupwire parse imap-client` and `imap-server`, on `groupwire-imap`.

use super::StreamParser;

/// The adapter for bytes an IMAP client sends; `None` until the IMAP codec lands.
pub fn client() -> Option<Box<dyn StreamParser>> {
    None
}

/// The adapter for bytes an IMAP server sends: greeting, status and data responses and
/// continuation requests, decoded by the client-role
/// [`ResponseDecoder`](groupwire_imap::stream::client::ResponseDecoder).
pub fn server() -> Option<Box<dyn StreamParser>> {
    Some(Box::new(ImapServerStream {
        decoder: groupwire_imap::stream::client::ResponseDecoder::new(
            groupwire_imap::Limits::default(),
        ),
    }))
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
