//! `groupwire parse smtp-client` and `smtp-server`, on `groupwire-smtp`.
//!
//! The client stream follows the session as a server would see it if it accepted every
//! command: after `DATA` the bytes up to the `.` line are message data (the 354 is assumed);
//! after `BDAT n` the next n octets are a chunk; after `AUTH` the mechanism's continuation
//! lines follow (as many as a successful exchange of that mechanism has; a line that is a
//! known command ends the exchange early). With the server's stream as a peer, its replies
//! decide instead: DATA is followed by message data only if the server answered 354, and AUTH
//! by as many lines as the server sent 334 challenges.

use groupwire_smtp::{
    AuthResponse, ClientItem, Command, DataDecoder, DataEvent, Decoded, Encode, Limits, Mechanism,
    Reply, ReplyDecoder, ServerDecoder, ServerState, command::parse_command_line, decode_command,
    decode_reply,
};
use serde_json::json;

use super::{Message, Step, StreamParser};

/// The adapter for bytes an SMTP client sends.
pub fn client() -> Box<dyn StreamParser> {
    Box::new(ClientStream::default())
}

/// [`client`], framed by the replies in `server`, the same session's other direction.
pub fn client_with_peer(server: &[u8]) -> Box<dyn StreamParser> {
    let mut decoder = ReplyDecoder::new(limits().with_max_reply_lines(100_000));
    let mut codes = Vec::new();
    let mut at = 0;
    while let Ok(Decoded::Complete { value, consumed }) =
        decoder.decode(server.get(at..).unwrap_or_default())
    {
        at += consumed;
        codes.push(value.code().get());
    }
    // The greeting answers no command.
    let next = usize::from(codes.first() == Some(&220));
    Box::new(ClientStream {
        replies: Some(Replies { codes, next }),
        ..ClientStream::default()
    })
}

/// The server's replies, one per command (and one after message data), read in order.
struct Replies {
    codes: Vec<u16>,
    next: usize,
}

impl Replies {
    fn take(&mut self) -> Option<u16> {
        let code = self.codes.get(self.next).copied();
        self.next += usize::from(code.is_some());
        code
    }
}

/// The adapter for bytes an SMTP server sends.
pub fn server() -> Box<dyn StreamParser> {
    Box::new(ServerStream {
        decoder: ReplyDecoder::new(Limits::default()),
    })
}

fn limits() -> Limits {
    Limits::default()
}

fn invalid(error: groupwire_smtp::DecodeError) -> Step {
    Step::Invalid {
        reason: error.kind().to_string(),
        offset: error.offset(),
    }
}

fn to_json(value: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// Client bytes: commands, message data, chunks and AUTH lines.
struct ClientStream {
    decoder: ServerDecoder,
    /// AUTH continuation lines still expected.
    auth_lines: usize,
    /// The server's replies, when its stream is the peer.
    replies: Option<Replies>,
}

impl Default for ClientStream {
    fn default() -> Self {
        Self {
            decoder: ServerDecoder::new(limits()),
            auth_lines: 0,
            replies: None,
        }
    }
}

impl ClientStream {
    /// The next reply of the peer, if there is one.
    fn reply(&mut self) -> Option<u16> {
        self.replies.as_mut().and_then(Replies::take)
    }

    /// After a refusal: skips what the decoder discards, as far as the input goes, through
    /// the refusal that ends it; returns where it stopped and the refusal's error, if seen.
    fn skip_rest(
        &mut self,
        input: &[u8],
        from: usize,
    ) -> (usize, Option<groupwire_smtp::DecodeError>) {
        let mut at = from;
        while self.decoder.is_skipping() && at < input.len() {
            match self.decoder.decode(input.get(at..).unwrap_or_default()) {
                Ok(Decoded::Complete {
                    value: ClientItem::Skipped,
                    consumed,
                }) if consumed > 0 => at += consumed,
                Ok(Decoded::Complete {
                    value:
                        ClientItem::ChunkRejected { error, .. } | ClientItem::MessageRejected { error },
                    consumed,
                }) => return (at + consumed, Some(error)),
                _ => break,
            }
        }
        (at, None)
    }

    fn command(&mut self, command: Command<'_>, len: usize, roundtrip: bool) -> Step {
        if roundtrip {
            let wire = command.to_vec();
            match decode_command(&wire, &limits()) {
                Ok(Decoded::Complete { value, .. }) if value == command => {}
                _ => {
                    return Step::Invalid {
                        reason: "round-trip mismatch".into(),
                        offset: 0,
                    };
                }
            }
        }
        match &command {
            Command::Data => {
                // Message data follows only a 354 (assumed without a peer).
                if self.reply().is_none_or(|code| code == 354) {
                    self.decoder.expect_data();
                }
            }
            Command::Auth { .. } if self.replies.is_some() => {
                // One client line per 334 challenge, then the final reply.
                self.auth_lines = 0;
                while self.reply() == Some(334) {
                    self.auth_lines += 1;
                }
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                let ir = initial_response.is_some();
                self.auth_lines = mechanism.client_responses(ir).unwrap_or(usize::from(!ir));
                if matches!(mechanism, Mechanism::Other(_)) && ir {
                    self.auth_lines = 0;
                }
            }
            _ => {
                self.reply();
            }
        }
        if self.auth_lines > 0 && !matches!(command, Command::Auth { .. }) {
            self.auth_lines = 0;
        }
        if self.auth_lines > 0 {
            self.decoder.expect_auth_response();
        }
        Step::Message(Message {
            len,
            kind: "command",
            value: to_json(&command),
        })
    }

    fn message_data(&mut self, input: &[u8], roundtrip: bool) -> Step {
        let mut payload = Vec::new();
        let mut offset = 0;
        // Where the decoder began discarding a refused payload.
        let mut refused_at = None;
        loop {
            let rest = input.get(offset..).unwrap_or_default();
            match self.decoder.decode(rest) {
                Ok(Decoded::Complete {
                    value: ClientItem::Skipped,
                    consumed,
                }) => {
                    refused_at.get_or_insert(offset);
                    offset += consumed;
                }
                Ok(Decoded::Complete {
                    value: ClientItem::MessageRejected { error },
                    consumed,
                }) => {
                    let at = *refused_at.get_or_insert(offset);
                    self.reply();
                    return Step::Skip {
                        reason: format!("{} (the payload is refused)", error.kind()),
                        offset: at + error.offset(),
                        len: offset + consumed,
                    };
                }
                Ok(Decoded::Complete {
                    value: ClientItem::MessageData(bytes),
                    consumed,
                }) => {
                    payload.extend_from_slice(bytes);
                    offset += consumed;
                }
                Ok(Decoded::Complete {
                    value: ClientItem::MessageEnd,
                    consumed,
                }) => {
                    offset += consumed;
                    self.reply();
                    break;
                }
                Ok(Decoded::Complete { .. }) => break,
                Ok(Decoded::Incomplete { .. }) => {
                    // A refused payload whose terminator never comes: say why it is refused.
                    if let (Some(at), Some(error)) = (refused_at, self.decoder.pending_refusal()) {
                        return Step::Invalid {
                            reason: format!(
                                "{} (the payload is refused; the input ends before its CRLF.CRLF)",
                                error.kind()
                            ),
                            offset: at + error.offset(),
                        };
                    }
                    // Start over at this message next time.
                    self.decoder.expect_data();
                    return Step::Incomplete;
                }
                Err(error) => return invalid(error.shifted(offset)),
            }
        }
        if roundtrip {
            let mut wire = bytes::BytesMut::new();
            groupwire_smtp::encode_data(&payload, &mut wire);
            let mut decoder = DataDecoder::new(&limits());
            let mut again = Vec::new();
            let mut at = 0;
            let same = loop {
                match decoder.decode(wire.get(at..).unwrap_or_default()) {
                    Ok(Decoded::Complete {
                        value: DataEvent::Bytes(bytes),
                        consumed,
                    }) => {
                        again.extend_from_slice(bytes);
                        at += consumed;
                    }
                    Ok(Decoded::Complete {
                        value: DataEvent::End,
                        ..
                    }) => break again == payload,
                    _ => break false,
                }
            };
            if !same {
                return Step::Invalid {
                    reason: "round-trip mismatch".into(),
                    offset: 0,
                };
            }
        }
        Step::Message(Message {
            len: offset,
            kind: "message-data",
            value: json!({
                "size": payload.len(),
                "text": String::from_utf8_lossy(&payload),
            }),
        })
    }
}

impl StreamParser for ClientStream {
    fn next_message(&mut self, input: &[u8], roundtrip: bool) -> Step {
        match self.decoder.state() {
            ServerState::Data => return self.message_data(input, roundtrip),
            ServerState::AuthResponse => {
                // A known command ends the exchange (the server must have said 235 or 535).
                if let Some(lf) = memchr_lf(input) {
                    let line = input.get(..lf).unwrap_or_default();
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    if let Ok(command) = parse_command_line(line, &limits())
                        && !matches!(command, Command::Unknown { .. })
                    {
                        self.auth_lines = 0;
                        self.decoder.expect_commands();
                    }
                }
            }
            ServerState::Chunk { remaining, last } => {
                let Ok(size) = usize::try_from(remaining) else {
                    return Step::Incomplete;
                };
                let Some(chunk) = input.get(..size) else {
                    return Step::Incomplete;
                };
                // Consume the whole chunk through the decoder, which hands it out at once.
                match self.decoder.decode(chunk) {
                    Ok(Decoded::Complete { consumed, .. }) if consumed == size => {}
                    _ => return Step::Incomplete,
                }
                return Step::Message(Message {
                    len: size,
                    kind: "chunk-data",
                    value: json!({
                        "size": size,
                        "last": last,
                        "text": String::from_utf8_lossy(chunk),
                    }),
                });
            }
            ServerState::Commands => {}
        }
        match self.decoder.decode(input) {
            Ok(Decoded::Incomplete { .. }) => Step::Incomplete,
            Err(error) => invalid(error),
            Ok(Decoded::Complete { value, consumed }) => match value {
                ClientItem::Command(command) => self.command(command, consumed, roundtrip),
                ClientItem::Malformed { error, .. } => {
                    self.reply();
                    Step::Skip {
                        reason: error.kind().to_string(),
                        offset: error.offset(),
                        len: consumed,
                    }
                }
                ClientItem::LineTooLong { error } => {
                    self.reply();
                    let (len, _) = self.skip_rest(input, consumed);
                    Step::Skip {
                        reason: error.kind().to_string(),
                        offset: error.offset(),
                        len,
                    }
                }
                // A BDAT over the size: its line, then its data.
                ClientItem::Skipped => {
                    let (len, error) = self.skip_rest(input, consumed);
                    if error.is_some() {
                        self.reply();
                    }
                    Step::Skip {
                        reason: error.map_or_else(
                            || "refused input".to_string(),
                            |e| format!("{} (the BDAT chunk is refused)", e.kind()),
                        ),
                        offset: 0,
                        len,
                    }
                }
                ClientItem::ChunkRejected { error, .. } | ClientItem::MessageRejected { error } => {
                    self.reply();
                    Step::Skip {
                        reason: error.kind().to_string(),
                        offset: 0,
                        len: consumed,
                    }
                }
                ClientItem::AuthResponse(response) => {
                    self.auth_lines = match response {
                        AuthResponse::Cancel => 0,
                        AuthResponse::Data(_) => self.auth_lines.saturating_sub(1),
                    };
                    if self.auth_lines > 0 {
                        self.decoder.expect_auth_response();
                    }
                    if roundtrip {
                        let wire = response.to_vec();
                        let again = groupwire_smtp::decode_auth_response(&wire, &limits());
                        if !matches!(again, Ok(Decoded::Complete { ref value, .. }) if *value == response)
                        {
                            return Step::Invalid {
                                reason: "round-trip mismatch".into(),
                                offset: 0,
                            };
                        }
                    }
                    Step::Message(Message {
                        len: consumed,
                        kind: "auth-response",
                        value: to_json(&response),
                    })
                }
                // Data and chunks are handled above, before decoding.
                ClientItem::MessageData(_)
                | ClientItem::MessageEnd
                | ClientItem::ChunkData { .. } => Step::Invalid {
                    reason: "unexpected message data".into(),
                    offset: 0,
                },
            },
        }
    }
}

fn memchr_lf(input: &[u8]) -> Option<usize> {
    input.iter().position(|&b| b == b'\n')
}

/// Server bytes: replies.
struct ServerStream {
    decoder: ReplyDecoder,
}

fn typed_parts(reply: &Reply<'_>) -> (u16, Option<String>, Vec<Vec<u8>>) {
    (
        reply.code().get(),
        reply.enhanced_code().map(|code| code.to_string()),
        reply.lines().map(<[u8]>::to_vec).collect(),
    )
}

impl StreamParser for ServerStream {
    fn next_message(&mut self, input: &[u8], roundtrip: bool) -> Step {
        match self.decoder.decode(input) {
            Ok(Decoded::Incomplete { .. }) => Step::Incomplete,
            Err(error) => invalid(error),
            Ok(Decoded::Complete { value, consumed }) => {
                if roundtrip {
                    let lines: Vec<&[u8]> = value.lines().collect();
                    let rebuilt = Reply::new(value.code(), value.enhanced_code(), &lines);
                    let same = rebuilt.ok().is_some_and(|rebuilt| {
                        let wire = rebuilt.to_vec();
                        let limits = limits().with_max_reply_lines(lines.len().max(1));
                        matches!(decode_reply(&wire, &limits),
                            Ok(Decoded::Complete { value: again, .. }) if typed_parts(&again) == typed_parts(&value))
                    });
                    if !same {
                        return Step::Invalid {
                            reason: "round-trip mismatch".into(),
                            offset: 0,
                        };
                    }
                }
                Step::Message(Message {
                    len: consumed,
                    kind: "reply",
                    value: to_json(&value),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{Outcome, decode_all};

    fn run(parser: &mut dyn StreamParser, input: &[u8]) -> (Outcome, Vec<serde_json::Value>) {
        let mut out = Vec::new();
        let outcome = decode_all(parser, input, true, &mut out).unwrap();
        let lines = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        (outcome, lines)
    }

    #[test]
    fn client_stream_follows_data_bdat_and_auth() {
        let input = b"EHLO a.example\r\nAUTH LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\nMAIL FROM:<a@b.example> SIZE=10\r\nRCPT TO:<c@d.example>\r\nDATA\r\nHi\r\n..x\r\n.\r\nBDAT 3 LAST\r\nabcQUIT\r\n";
        let mut parser = ClientStream::default();
        let (outcome, lines) = run(&mut parser, input);
        assert_eq!(outcome, Outcome::Decoded { messages: 11 }, "{lines:?}");
        let kinds: Vec<&str> = lines.iter().map(|l| l["kind"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            [
                "command",
                "command",
                "auth-response",
                "auth-response",
                "command",
                "command",
                "command",
                "message-data",
                "command",
                "chunk-data",
                "command"
            ]
        );
        assert_eq!(lines[7]["value"]["text"], "Hi\r\n.x\r\n");
        assert_eq!(lines[4]["value"]["parameters"][0]["Size"], 10);
        assert_eq!(lines[9]["value"]["text"], "abc");
    }

    #[test]
    fn server_stream_decodes_replies() {
        let mut parser = ServerStream {
            decoder: ReplyDecoder::new(Limits::default()),
        };
        let (outcome, lines) = run(&mut parser, b"220 hi\r\n250-x\r\n250 2.0.0 y\r\n");
        assert_eq!(outcome, Outcome::Decoded { messages: 2 });
        assert_eq!(lines[1]["value"]["lines"], json!(["x", "2.0.0 y"]));
    }

    #[test]
    fn smuggling_is_an_error_and_decoding_goes_on_after_the_real_terminator() {
        let mut parser = ClientStream::default();
        let (outcome, lines) = run(&mut parser, b"DATA\r\na\n.\nQUIT\r\n.\r\nNOOP\r\n");
        assert_eq!(outcome, Outcome::Failed);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            lines[1]["error"].as_str().unwrap().contains("bare LF"),
            "{lines:?}"
        );
        // The smuggled QUIT stayed payload; the skip ends at CRLF.CRLF.
        assert_eq!(
            (lines[1]["offset"].as_u64(), lines[1]["len"].as_u64()),
            (Some(7), Some(13))
        );
        assert_eq!(lines[2]["value"]["command"], "NOOP");
    }

    #[test]
    fn a_peer_decides_whether_data_and_auth_lines_follow() {
        // DATA refused with 503: what follows is commands, not message data.
        let client = b"EHLO a\r\nDATA\r\nNOOP\r\nAUTH PLAIN\r\nAGEAYg==\r\nQUIT\r\n";
        let server =
            b"220 hi\r\n250 a\r\n503 5.5.1 no RCPT\r\n250 ok\r\n334 \r\n235 ok\r\n221 bye\r\n";
        let mut parser = client_with_peer(server);
        let (outcome, lines) = run(parser.as_mut(), client);
        assert_eq!(outcome, Outcome::Decoded { messages: 6 }, "{lines:?}");
        let kinds: Vec<&str> = lines.iter().map(|l| l["kind"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            [
                "command",
                "command",
                "command",
                "command",
                "auth-response",
                "command"
            ]
        );
        // Without the peer what follows DATA is taken for message data, which never ends.
        let mut parser = ClientStream::default();
        let (outcome, lines) = run(&mut parser, client);
        assert_eq!(outcome, Outcome::Failed);
        assert_eq!(lines[2]["error"], "incomplete at offset 14", "{lines:?}");
    }

    #[test]
    fn malformed_and_over_long_lines_are_skipped() {
        let mut input = b"MAIL FROM:bad\r\nNOOP ".to_vec();
        input.extend_from_slice(&[b'x'; 1200]);
        input.extend_from_slice(b"\r\nQUIT\r\n");
        let mut parser = ClientStream::default();
        let (outcome, lines) = run(&mut parser, &input);
        assert_eq!(outcome, Outcome::Failed);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[0]["len"], 15);
        assert_eq!(lines[1]["len"], 1207);
        assert_eq!(lines[2]["kind"], "command");
    }
}
