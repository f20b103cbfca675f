//! A server built on the decoder answers bad input and carries on: an over-long line, a
//! literal over the limits (synchronising: refused before its bytes arrive; `{n+}`: skipped
//! as it arrives), and a synchronising literal refused from what the command says so far
//! (`APPEND NoSuchBox {n}` gets `NO [TRYCREATE]` instead of `+`).
//!
//! The client streams are hand-written fixtures (`tests/fixtures/recovery/*.client`); each
//! test drives a tiny server loop over them, fed in chunks of every size from 1 to 17 bytes,
//! and checks the answers and the commands that survive.

use std::path::Path;

use bytes::BytesMut;
use groupwire_imap::command::CommandBody;
use groupwire_imap::stream::server::{ClientMessage, CommandDecoder, ServerStep};
use groupwire_imap::stream::server_codec::{ServerCodec, ServerEvent};
use groupwire_imap::{ErrorKind, Limit, Limits};
use tokio_util::codec::Decoder;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/recovery")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_line_length = 64;
    limits.max_literal_size = 100;
    limits
}

/// What the server loop did: one line per answer.
#[derive(Debug, Default)]
struct Server {
    answers: Vec<String>,
    /// Bytes dropped by `Skipped` steps.
    skipped: usize,
    /// The largest buffer the loop ever held.
    peak: usize,
}

/// Feeds `stream` in `chunk`-byte pieces through a server loop that refuses APPEND to any
/// mailbox but INBOX with TRYCREATE and grants every other literal.
fn serve(stream: &[u8], chunk: usize, decoder: CommandDecoder) -> Server {
    let mut decoder = decoder;
    let mut server = Server::default();
    let mut buffer = Vec::new();
    let mut fed = 0;
    loop {
        server.peak = server.peak.max(buffer.len());
        let step = decoder.decode(&buffer).unwrap();
        let drop = match step {
            ServerStep::Complete {
                value: ClientMessage::Command(command),
                consumed,
            } => {
                let name = match command.body {
                    CommandBody::Append(_) => "APPEND",
                    CommandBody::Noop => "NOOP",
                    CommandBody::Login { .. } => "LOGIN",
                    _ => "other",
                };
                server
                    .answers
                    .push(format!("{} OK {name}", command.tag.as_str()));
                consumed
            }
            ServerStep::Complete { consumed, .. } => consumed,
            ServerStep::NeedsContinuation { command, .. } => {
                let tag = command.tag.map(|t| t.to_str_lossy().into_owned());
                let tag = tag.unwrap_or_else(|| "*".into());
                let inbox = command
                    .mailbox
                    .as_ref()
                    .is_none_or(|m| m.name().as_ref() == b"INBOX");
                if inbox {
                    server.answers.push("+".into());
                    // Granted: go on once more bytes are there.
                    0
                } else {
                    server.answers.push(format!("{tag} NO [TRYCREATE]"));
                    decoder.reject_literal()
                }
            }
            ServerStep::LiteralTooLarge { command, .. } => {
                let tag = command.tag.map(|t| t.to_str_lossy().into_owned());
                server
                    .answers
                    .push(format!("{} NO [TOOBIG]", tag.unwrap_or_else(|| "*".into())));
                decoder.reject_literal()
            }
            ServerStep::Invalid {
                error,
                consumed,
                tag,
                ..
            } => {
                let tag = tag.map(|t| t.to_str_lossy().into_owned());
                let what = match error.kind() {
                    ErrorKind::LimitExceeded(Limit::LineLength) => "line too long",
                    _ => "syntax",
                };
                server
                    .answers
                    .push(format!("{} BAD {what}", tag.unwrap_or_else(|| "*".into())));
                consumed
            }
            ServerStep::Skipped { consumed } => {
                server.skipped += consumed;
                consumed
            }
            ServerStep::Incomplete { .. } => {
                if fed == stream.len() {
                    return server;
                }
                let end = (fed + chunk).min(stream.len());
                buffer.extend_from_slice(&stream[fed..end]);
                fed = end;
                0
            }
        };
        buffer.drain(..drop);
    }
}

fn every_chunking(stream: &[u8], decoder: impl Fn() -> CommandDecoder) -> Vec<Server> {
    let servers: Vec<Server> = (1..=17)
        .map(|chunk| serve(stream, chunk, decoder()))
        .collect();
    for server in &servers[1..] {
        assert_eq!(server.answers, servers[0].answers);
    }
    servers
}

#[test]
fn an_over_long_line_is_answered_then_skipped_without_buffering_it() {
    let stream = fixture("long-line.client");
    for server in every_chunking(&stream, || CommandDecoder::new(limits())) {
        assert_eq!(
            server.answers,
            [
                "a1 OK NOOP",
                "a2 BAD line too long",
                "a3 OK NOOP",
                "a4 OK LOGIN"
            ]
        );
        // The 300-byte line is never held whole: the buffer stays near the line limit.
        assert!(server.peak <= 64 + 17, "peak {}", server.peak);
        assert!(server.skipped > 200);
    }
}

#[test]
fn literals_over_the_limit_are_refused_before_their_data() {
    let stream = fixture("big-literals.client");
    for server in every_chunking(&stream, || CommandDecoder::new(limits())) {
        assert_eq!(
            server.answers,
            [
                // {500}: the client waits, gets NO, never sends the data.
                "b1 NO [TOOBIG]",
                // {500+}: the data comes anyway and is skipped, with the rest of the command
                // (another {3+} literal on the line after it).
                "b2 NO [TOOBIG]",
                "b3 OK NOOP",
                // {99999999999999999999999+}: too large to represent, still refused.
                "b4 NO [TOOBIG]",
            ]
        );
        assert!(server.peak <= 64 + 17, "peak {}", server.peak);
    }
}

#[test]
fn an_append_to_a_missing_mailbox_is_refused_before_the_literal() {
    let stream = fixture("trycreate.client");
    for server in every_chunking(&stream, || CommandDecoder::new(Limits::default())) {
        assert_eq!(
            server.answers,
            [
                "c1 NO [TRYCREATE]",
                "+",
                "c2 OK APPEND",
                // A mailbox sent as a literal is known at the second continuation.
                "+",
                "c3 NO [TRYCREATE]",
                "c4 OK NOOP",
            ]
        );
    }
}

#[test]
fn the_tokio_codec_recovers_the_same_way() {
    let mut codec = ServerCodec::new(limits());
    let mut buf = BytesMut::from(&fixture("long-line.client")[..]);
    let mut events = Vec::new();
    while let Some(event) = codec.decode(&mut buf).unwrap() {
        events.push(match event {
            ServerEvent::Message(frame) => format!("{:?}", frame.kind()),
            ServerEvent::Invalid { tag, error, .. } => format!(
                "invalid {} {:?}",
                String::from_utf8_lossy(&tag.unwrap_or_default()),
                error.kind()
            ),
            other => format!("{other:?}"),
        });
    }
    assert_eq!(
        events,
        [
            "Command",
            "invalid a2 LimitExceeded(LineLength)",
            "Command",
            "Command"
        ]
    );
    let mut codec = ServerCodec::new(limits());
    let mut buf = BytesMut::from(&b"b2 APPEND INBOX {500+}\r\n"[..]);
    let Some(ServerEvent::LiteralTooLarge {
        size: 500,
        synchronizing: false,
        command,
    }) = codec.decode(&mut buf).unwrap()
    else {
        panic!()
    };
    assert_eq!(command.tag.unwrap().as_bytes(), b"b2");
    codec.reject_literal();
    buf.extend_from_slice(&[b'x'; 500]);
    buf.extend_from_slice(b"\r\nb3 NOOP\r\n");
    let Some(ServerEvent::Message(frame)) = codec.decode(&mut buf).unwrap() else {
        panic!()
    };
    assert_eq!(&frame.bytes()[..], b"b3 NOOP\r\n");
}

#[test]
fn decoding_again_without_rejecting_is_an_error() {
    let mut decoder = CommandDecoder::new(limits());
    assert!(matches!(
        decoder.decode(b"x APPEND INBOX {101}\r\n").unwrap(),
        ServerStep::LiteralTooLarge { size: 101, .. }
    ));
    let error = decoder.decode(b"x APPEND INBOX {101}\r\n").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::LimitExceeded(Limit::LiteralSize));
}

/// What a recovering server loop answers over `stream` fed in `chunk`-byte pieces: one entry
/// per answer (`+`, `OK tag`, `BAD`, `TOOBIG`). Every step makes progress or asks for bytes.
fn answers(stream: &[u8], chunk: usize) -> Vec<String> {
    let mut limits = Limits::default();
    limits.max_line_length = 32;
    limits.max_literal_size = 16;
    let mut decoder = CommandDecoder::new(limits);
    let mut buffer = Vec::new();
    let mut fed = 0;
    let mut out = Vec::new();
    let mut idle_steps = 0;
    // Each granted literal moves the decoder on inside the same bytes: at most one per byte.
    let mut grants_here = 0;
    loop {
        let before = (buffer.len(), fed);
        let mut granted = false;
        let drop = match decoder.decode(&buffer) {
            Ok(ServerStep::Complete { value, consumed }) => {
                out.push(match value {
                    ClientMessage::Command(c) => format!("OK {}", c.tag.as_str()),
                    other => format!("{other:?}"),
                });
                consumed
            }
            Ok(ServerStep::NeedsContinuation { .. }) => {
                out.push("+".into());
                granted = true;
                0
            }
            Ok(ServerStep::LiteralTooLarge { .. }) => {
                out.push("TOOBIG".into());
                decoder.reject_literal()
            }
            Ok(ServerStep::Invalid { consumed, .. }) => {
                out.push("BAD".into());
                consumed
            }
            Ok(ServerStep::Skipped { consumed }) => consumed,
            Ok(ServerStep::Incomplete { .. }) => {
                if fed == stream.len() {
                    return out;
                }
                let end = (fed + chunk).min(stream.len());
                buffer.extend_from_slice(&stream[fed..end]);
                fed = end;
                0
            }
            Err(error) => {
                out.push(format!("error {:?}", error.kind()));
                return out;
            }
        };
        buffer.drain(..drop.min(buffer.len()));
        let moved = (buffer.len(), fed) != before;
        grants_here = if moved {
            0
        } else {
            grants_here + usize::from(granted)
        };
        idle_steps = if moved || granted { 0 } else { idle_steps + 1 };
        assert!(idle_steps < 3, "no progress: {out:?}");
        assert!(grants_here <= buffer.len() + 1, "endless grants: {out:?}");
    }
}

proptest::proptest! {
    /// Hostile bytes (short lines, literals of every kind, over the limits) never panic,
    /// never stall a server loop, and get the same answers whole or byte by byte.
    #[test]
    fn a_recovering_server_loop_always_progresses(
        pieces in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::string::string_regex("[a-c]{1,3} (NOOP|LOGIN a b|APPEND INBOX) ?").unwrap(),
                proptest::string::string_regex("\\{[0-9]{1,2}\\+?\\}\r\n").unwrap(),
                proptest::string::string_regex("[x ]{0,40}").unwrap(),
                proptest::strategy::Just("\r\n".to_string()),
            ],
            0..12,
        )
    ) {
        let stream = pieces.concat().into_bytes();
        let whole = answers(&stream, stream.len().max(1));
        let bytewise = answers(&stream, 1);
        proptest::prop_assert_eq!(whole, bytewise);
    }
}
