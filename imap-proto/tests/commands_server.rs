//! The server role: continuation flow, LITERAL+, AUTHENTICATE and IDLE states, chunking,
//! and the tokio codec.

use bytes::BytesMut;
use groupwire_imap::command::CommandBody;
use groupwire_imap::command::auth::SaslResponse;
use groupwire_imap::stream::server::{ClientMessage, CommandDecoder, ServerState, ServerStep};
use groupwire_imap::stream::server_codec::{ClientFrameKind, ServerCodec, ServerEvent};
use groupwire_imap::{ErrorKind, Expected, Limits};
use tokio_util::codec::Decoder;

fn decoder() -> CommandDecoder {
    CommandDecoder::new(Limits::default())
}

#[test]
fn synchronising_literals_stop_for_a_continuation() {
    let mut d = decoder();
    let full = b"a LOGIN {4}\r\nfred {6}\r\nsecret\r\n";
    assert_eq!(
        d.decode(&full[..5]).unwrap(),
        ServerStep::Incomplete { needed: None }
    );
    assert!(matches!(
        d.decode(&full[..13]).unwrap(),
        ServerStep::NeedsContinuation {
            size: 4,
            binary: false,
            ..
        }
    ));
    // Granted: the decoder goes on into the literal.
    assert!(
        matches!(d.decode(&full[..15]).unwrap(), ServerStep::Incomplete { needed: Some(n) } if n.get() == 2)
    );
    assert!(matches!(
        d.decode(&full[..24]).unwrap(),
        ServerStep::NeedsContinuation {
            size: 6,
            binary: false,
            ..
        }
    ));
    let ServerStep::Complete {
        value: ClientMessage::Command(command),
        consumed,
    } = d.decode(full).unwrap()
    else {
        panic!()
    };
    assert_eq!(consumed, full.len());
    let CommandBody::Login { username, password } = command.body else {
        panic!()
    };
    assert_eq!(
        (&*username.bytes(), &*password.bytes()),
        (&b"fred"[..], &b"secret"[..])
    );
}

#[test]
fn non_synchronising_literals_need_no_continuation() {
    let mut d = decoder();
    let full = b"a APPEND INBOX {5+}\r\nhello\r\n";
    assert!(matches!(
        d.decode(&full[..21]).unwrap(),
        ServerStep::Incomplete { .. }
    ));
    assert!(matches!(
        d.decode(full).unwrap(),
        ServerStep::Complete { consumed: 28, .. }
    ));

    // LITERAL-: {n+} above the bound is refused before its data is read.
    let mut d = decoder().with_max_non_sync_literal(Some(4096));
    let ServerStep::LiteralTooLarge {
        size: 4097,
        synchronizing: false,
        command,
        ..
    } = d.decode(b"a APPEND INBOX {4097+}\r\n").unwrap()
    else {
        panic!()
    };
    assert_eq!(command.tag.unwrap().as_bytes(), b"a");
    assert_eq!(d.max_non_sync_literal(), Some(4096));
    // Rejecting it drops the line; the data that follows anyway is skipped (RFC 7888 §4).
    assert_eq!(d.reject_literal(), 24);
}

#[test]
fn rejected_literal_drops_the_command() {
    let mut d = decoder();
    let buf = b"a APPEND INBOX {99999}\r\nb NOOP\r\n";
    assert!(matches!(
        d.decode(buf).unwrap(),
        ServerStep::NeedsContinuation { size: 99999, .. }
    ));
    let drop = d.reject_literal();
    assert_eq!(drop, 24);
    let ServerStep::Complete {
        value: ClientMessage::Command(command),
        ..
    } = d.decode(&buf[drop..]).unwrap()
    else {
        panic!()
    };
    assert_eq!(command.body, CommandBody::Noop);
}

#[test]
fn authenticate_exchange_lines() {
    let mut d = decoder();
    let step = d.decode(b"a AUTHENTICATE PLAIN\r\n").unwrap();
    assert!(matches!(step, ServerStep::Complete { consumed: 22, .. }));
    assert_eq!(d.state(), ServerState::Authenticate);
    let step = d.decode(b"AGZyZWQAc2VjcmV0\r\n").unwrap();
    let ServerStep::Complete {
        value: ClientMessage::SaslResponse(SaslResponse::Data(data)),
        ..
    } = step
    else {
        panic!("{step:?}")
    };
    assert_eq!(data.as_bytes(), b"AGZyZWQAc2VjcmV0");
    // An empty response is empty data.
    assert!(matches!(
        d.decode(b"\r\n").unwrap(),
        ServerStep::Complete {
            value: ClientMessage::SaslResponse(SaslResponse::Data(_)),
            consumed: 2
        }
    ));
    // Not base64: invalid, still in the exchange.
    let ServerStep::Invalid {
        error, consumed: 5, ..
    } = d.decode(b"a b\r\n").unwrap()
    else {
        panic!()
    };
    assert_eq!(error.kind(), ErrorKind::Expected(Expected::Base64));
    assert_eq!(d.state(), ServerState::Authenticate);
    d.finish_authentication();
    assert_eq!(d.state(), ServerState::Command);

    // `*` cancels and returns to commands.
    let mut d = decoder();
    let _ = d.decode(b"a AUTHENTICATE SCRAM-SHA-256\r\n").unwrap();
    assert!(matches!(
        d.decode(b"*\r\n").unwrap(),
        ServerStep::Complete {
            value: ClientMessage::SaslResponse(SaslResponse::Cancel),
            ..
        }
    ));
    assert_eq!(d.state(), ServerState::Command);
}

#[test]
fn idle_expects_done() {
    let mut d = decoder();
    let _ = d.decode(b"a IDLE\r\n").unwrap();
    assert_eq!(d.state(), ServerState::Idle);
    assert!(matches!(
        d.decode(b"DON").unwrap(),
        ServerStep::Incomplete { .. }
    ));
    let ServerStep::Invalid { error, .. } = d.decode(b"NOOP\r\n").unwrap() else {
        panic!()
    };
    assert_eq!(error.kind(), ErrorKind::Expected(Expected::Done));
    assert!(matches!(
        d.decode(b"done\r\n").unwrap(),
        ServerStep::Complete {
            value: ClientMessage::IdleDone,
            consumed: 6
        }
    ));
    assert_eq!(d.state(), ServerState::Command);
}

#[test]
fn invalid_commands_report_their_tag_and_length() {
    let mut d = decoder();
    let ServerStep::Invalid {
        error,
        consumed,
        tag,
    } = d.decode(b"x17 FETCH 1 \"OGUS\r\nb NOOP\r\n").unwrap()
    else {
        panic!()
    };
    assert_eq!(consumed, 19);
    assert_eq!(tag.unwrap().as_bytes(), b"x17");
    assert_eq!(error.offset(), 12);
}

/// A session decoded in one piece and byte by byte (granting every continuation) gives the
/// same messages.
#[test]
fn chunking_does_not_change_the_result() {
    let session: &[u8] =
        b"a1 CAPABILITY\r\na2 AUTHENTICATE PLAIN\r\nAGZyZWQAc2VjcmV0\r\na3 SELECT INBOX\r\n\
a4 APPEND INBOX (\\Seen) {11}\r\nhello world\r\na5 IDLE\r\nDONE\r\n\
a6 APPEND Drafts CATENATE (URL \"/INBOX;UID=1\" TEXT {3+}\r\nabc TEXT {2}\r\nde)\r\na7 LOGOUT\r\n";
    let whole = run(session, session.len());
    assert_eq!(whole.len(), 9);
    for chunk in [1, 2, 3, 7, 13] {
        assert_eq!(run(session, chunk), whole, "chunk {chunk}");
    }
}

fn run(session: &[u8], chunk: usize) -> Vec<ClientMessage<'static>> {
    let mut d = decoder();
    let mut out = Vec::new();
    let mut start = 0;
    let mut end = 0;
    while start < session.len() {
        match d.decode(&session[start..end]).unwrap() {
            ServerStep::Complete { value, consumed } => {
                let sasl = matches!(value, ClientMessage::SaslResponse(_));
                out.push(value.into_owned());
                start += consumed;
                end = end.max(start);
                if sasl {
                    d.finish_authentication();
                }
            }
            ServerStep::NeedsContinuation { .. } => {}
            ServerStep::Incomplete { .. } => end = (end + chunk).min(session.len()),
            ServerStep::Invalid { error, .. } => panic!("{error}"),
            other => panic!("{other:?}"),
        }
    }
    out
}

#[test]
fn codec_yields_owned_frames_and_continuation_events() {
    let mut codec = ServerCodec::default();
    let mut buf = BytesMut::from(&b"a1 LOGIN {4}\r\n"[..]);
    assert!(matches!(
        codec.decode(&mut buf).unwrap(),
        Some(ServerEvent::NeedsContinuation { size: 4, .. })
    ));
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(b"fred x\r\na2 IDLE\r\nDONE\r\na3 FETCH 1 (FLAGS\r\n");
    let Some(ServerEvent::Message(frame)) = codec.decode(&mut buf).unwrap() else {
        panic!()
    };
    assert_eq!(frame.kind(), ClientFrameKind::Command);
    assert_eq!(&frame.bytes()[..], b"a1 LOGIN {4}\r\nfred x\r\n");
    let ClientMessage::Command(command) = frame.message().unwrap() else {
        panic!()
    };
    assert_eq!(command.tag.as_str(), "a1");
    let Some(ServerEvent::Message(idle)) = codec.decode(&mut buf).unwrap() else {
        panic!()
    };
    assert_eq!(idle.kind(), ClientFrameKind::Command);
    assert_eq!(codec.state(), ServerState::Idle);
    let Some(ServerEvent::Message(done)) = codec.decode(&mut buf).unwrap() else {
        panic!()
    };
    assert_eq!(done.kind(), ClientFrameKind::IdleDone);
    let Some(ServerEvent::Invalid { tag, error, .. }) = codec.decode(&mut buf).unwrap() else {
        panic!()
    };
    assert_eq!(tag.as_deref(), Some(&b"a3"[..]));
    assert_eq!(error.kind(), ErrorKind::Expected(Expected::CloseParen));
    assert!(buf.is_empty());

    // Rejecting a literal drops its command once the bytes are there.
    let mut buf = BytesMut::from(&b"a1 APPEND INBOX {100000}\r\n"[..]);
    assert!(matches!(
        codec.decode(&mut buf).unwrap(),
        Some(ServerEvent::NeedsContinuation { .. })
    ));
    codec.reject_literal();
    buf.extend_from_slice(b"a2 NOOP\r\n");
    let Some(ServerEvent::Message(frame)) = codec.decode(&mut buf).unwrap() else {
        panic!()
    };
    assert_eq!(&frame.bytes()[..], b"a2 NOOP\r\n");
}

/// A synchronising `~{n}` inside `UTF8 (...)` (RFC 6855 §4) stops for a continuation, and the
/// decoder goes on to the closing parenthesis once it is granted.
#[test]
fn utf8_append_literal8_asks_for_a_continuation() {
    use groupwire_imap::command::append::AppendData;
    let mut d = decoder();
    let full = b"a APPEND INBOX UTF8 (~{4}\r\n\xc3\xa9\0x)\r\n";
    let announced = b"a APPEND INBOX UTF8 (~{4}\r\n".len();
    assert!(matches!(
        d.decode(&full[..announced]).unwrap(),
        ServerStep::NeedsContinuation {
            size: 4,
            binary: true,
            ..
        }
    ));
    assert!(matches!(
        d.decode(&full[..announced + 2]).unwrap(),
        ServerStep::Incomplete { .. }
    ));
    assert!(matches!(
        d.decode(&full[..full.len() - 1]).unwrap(),
        ServerStep::Incomplete { .. }
    ));
    let ServerStep::Complete {
        value: ClientMessage::Command(command),
        consumed,
    } = d.decode(full).unwrap()
    else {
        panic!()
    };
    assert_eq!(consumed, full.len());
    let CommandBody::Append(append) = command.body else {
        panic!("{:?}", command.body)
    };
    let AppendData::Utf8(literal) = &append.messages[0].data else {
        panic!("{:?}", append.messages[0].data)
    };
    assert_eq!(literal.data.as_bytes(), b"\xc3\xa9\0x");
}
