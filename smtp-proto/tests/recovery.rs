//! A receiver built on [`ServerDecoder`] answers bad input and carries on: a DATA payload with
//! a bare LF under the strict policy (5xx after its real terminator, the smuggled command
//! inside it never read as one), an over-long command line (500), a DATA payload over the
//! size limit and a BDAT chunk over it (552, the bytes discarded as they arrive).
//!
//! The client stream is a hand-written fixture (`tests/fixtures/recovery/refusals.client`),
//! fed in chunks of every size from 1 to 23 octets.

use std::path::Path;

use groupwire_smtp::{
    ClientItem, Command, Decoded, ErrorKind, Expected, Limit, Limits, ServerDecoder,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/recovery")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[derive(Debug, Default)]
struct Receiver {
    replies: Vec<String>,
    /// Messages delivered (DATA or BDAT).
    delivered: Vec<Vec<u8>>,
    peak: usize,
}

fn receive(stream: &[u8], chunk: usize) -> Receiver {
    let limits = Limits::default().with_max_message_size(1000);
    let mut decoder = ServerDecoder::new(limits);
    let mut receiver = Receiver::default();
    let mut buffer = Vec::new();
    let mut message = Vec::new();
    let mut fed = 0;
    loop {
        receiver.peak = receiver.peak.max(buffer.len());
        let (item, consumed) = match decoder.decode(&buffer).unwrap() {
            Decoded::Complete { value, consumed } => (value, consumed),
            Decoded::Incomplete { .. } => {
                if fed == stream.len() {
                    return receiver;
                }
                let end = (fed + chunk).min(stream.len());
                buffer.extend_from_slice(&stream[fed..end]);
                fed = end;
                continue;
            }
        };
        let reply = match item {
            ClientItem::Command(Command::Data) => {
                decoder.expect_data();
                message.clear();
                Some("354".to_string())
            }
            ClientItem::Command(Command::Mail { .. }) => Some("250 mail".into()),
            ClientItem::Command(Command::Quit) => Some("221".into()),
            // Answered when its chunk is in.
            ClientItem::Command(Command::Bdat { .. }) => None,
            ClientItem::Command(_) => Some("250".into()),
            ClientItem::MessageData(bytes) => {
                message.extend_from_slice(bytes);
                None
            }
            ClientItem::ChunkData {
                data,
                chunk_complete,
                ..
            } => {
                message.extend_from_slice(data);
                chunk_complete.then(|| {
                    receiver.delivered.push(std::mem::take(&mut message));
                    "250 chunk".to_string()
                })
            }
            ClientItem::MessageEnd => {
                receiver.delivered.push(std::mem::take(&mut message));
                Some("250 queued".into())
            }
            ClientItem::LineTooLong { error } => Some(format!("500 {:?}", error.kind())),
            ClientItem::MessageRejected { error } => {
                message.clear();
                Some(match error.kind() {
                    ErrorKind::LimitExceeded(Limit::MessageSize) => "552 message".to_string(),
                    kind => format!("554 {kind:?}"),
                })
            }
            ClientItem::ChunkRejected { error, last } => {
                assert_eq!(error.kind(), ErrorKind::LimitExceeded(Limit::MessageSize));
                Some(format!("552 chunk last={last}"))
            }
            ClientItem::Skipped => None,
            other => panic!("{other:?}"),
        };
        receiver.replies.extend(reply);
        buffer.drain(..consumed);
    }
}

#[test]
fn a_receiver_answers_each_refusal_and_carries_on() {
    let stream = fixture("refusals.client");
    let expected = [
        "250",
        "250 mail",
        "250",
        "354",
        // The bare LF: refused once the real CRLF.CRLF arrives; `.\n` and the MAIL command
        // after it were payload.
        "554 Expected(CrlfNotBareLf)",
        "250",
        "500 LimitExceeded(LineLength)",
        "250",
        "250 mail",
        "250",
        "354",
        "552 message",
        "250 mail",
        "250",
        "552 chunk last=true",
        "250 mail",
        "250",
        "250 chunk",
        "221",
    ];
    for chunk in 1..=23 {
        let receiver = receive(&stream, chunk);
        assert_eq!(receiver.replies, expected, "chunk {chunk}");
        assert_eq!(receiver.delivered, [b"hello".to_vec()], "chunk {chunk}");
        // Nothing refused was ever held whole: the buffer stays within a line and a chunk.
        assert!(
            receiver.peak <= 1000 + 23,
            "chunk {chunk}: peak {}",
            receiver.peak
        );
    }
}

#[test]
fn a_bdat_over_the_limit_refuses_the_rest_of_the_transaction() {
    let limits = Limits::default().with_max_message_size(10);
    let mut decoder = ServerDecoder::new(limits);
    let mut input: &[u8] = b"BDAT 8\r\n12345678BDAT 8\r\n12345678BDAT 0 LAST\r\nNOOP\r\n";
    let mut items = Vec::new();
    while let Decoded::Complete { value, consumed } = decoder.decode(input).unwrap() {
        items.push(format!("{value:?}"));
        input = &input[consumed..];
    }
    assert!(input.is_empty());
    assert_eq!(items.len(), 6, "{items:#?}");
    assert!(items[1].starts_with("ChunkData"));
    assert_eq!(items[2], "Skipped");
    assert!(items[3].starts_with("ChunkRejected") && items[3].contains("last: false"));
    assert!(items[4].starts_with("ChunkRejected") && items[4].contains("last: true"));
    assert_eq!(items[5], "Command(Noop { argument: None })");
}

#[test]
fn a_bare_cr_in_data_is_refused_at_the_terminator() {
    let mut decoder = ServerDecoder::new(Limits::default());
    decoder.expect_data();
    let input = b"a\rb\r\n.\r\nQUIT\r\n";
    let mut used = 0;
    let error = loop {
        let (item, n) = decoder.decode(&input[used..]).unwrap().complete().unwrap();
        used += n;
        match item {
            ClientItem::Skipped => {}
            ClientItem::MessageRejected { error } => break error,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(error.kind(), ErrorKind::Expected(Expected::CrlfNotBareCr));
    assert_eq!(used, 8);
    let (item, _) = decoder.decode(&input[used..]).unwrap().complete().unwrap();
    assert_eq!(item, ClientItem::Command(Command::Quit));
}

#[cfg(feature = "tokio")]
#[test]
fn the_tokio_codec_recovers_the_same_way() {
    use bytes::BytesMut;
    use groupwire_smtp::{ServerCodec, ServerEvent};
    use tokio_util::codec::Decoder;

    let mut codec = ServerCodec::new(Limits::default().with_max_message_size(4));
    let mut buffer = BytesMut::from(&b"NOOP "[..]);
    buffer.extend_from_slice(&[b'z'; 1200]);
    buffer.extend_from_slice(b"\r\nDATA\r\n12345678\r\n.\r\nBDAT 9\r\n123456789QUIT\r\n");
    let mut events = Vec::new();
    while let Some(event) = codec.decode(&mut buffer).unwrap() {
        if event == ServerEvent::Command(Command::Data) {
            codec.expect_data();
        }
        events.push(match event {
            ServerEvent::LineTooLong { error }
            | ServerEvent::MessageRejected { error }
            | ServerEvent::ChunkRejected { error, .. } => format!("{:?}", error.kind()),
            other => format!("{other:?}"),
        });
    }
    assert_eq!(
        events,
        [
            "LimitExceeded(LineLength)",
            "Command(Data)",
            "LimitExceeded(MessageSize)",
            "LimitExceeded(MessageSize)",
            "Command(Quit)"
        ]
    );
}

/// The answers a receiver gives over `stream` fed in `chunk`-byte pieces (data bytes and
/// skips are not answers). Every step makes progress or asks for bytes.
fn answers(stream: &[u8], chunk: usize) -> Vec<String> {
    let limits = Limits::default()
        .with_max_line_length(40)
        .with_max_message_size(30);
    let mut decoder = ServerDecoder::new(limits);
    let (mut buffer, mut fed, mut out) = (Vec::new(), 0, Vec::new());
    loop {
        match decoder.decode(&buffer) {
            Ok(Decoded::Complete { value, consumed }) => {
                assert!(consumed > 0 || value == ClientItem::MessageEnd, "{value:?}");
                match value {
                    ClientItem::Command(command) => {
                        if command == Command::Data {
                            decoder.expect_data();
                        }
                        out.push(format!("{command:?}"));
                    }
                    ClientItem::MessageData(_) | ClientItem::Skipped => {}
                    ClientItem::ChunkData { chunk_complete, .. } => {
                        if chunk_complete {
                            out.push("chunk".into());
                        }
                    }
                    ClientItem::Malformed { error, .. }
                    | ClientItem::LineTooLong { error }
                    | ClientItem::MessageRejected { error }
                    | ClientItem::ChunkRejected { error, .. } => {
                        out.push(format!("refused {:?}", error.kind()));
                    }
                    other => out.push(format!("{other:?}")),
                }
                buffer.drain(..consumed);
            }
            Ok(Decoded::Incomplete { .. }) => {
                if fed == stream.len() {
                    return out;
                }
                let end = (fed + chunk).min(stream.len());
                buffer.extend_from_slice(&stream[fed..end]);
                fed = end;
            }
            Err(error) => {
                out.push(format!("error {:?}", error.kind()));
                return out;
            }
        }
    }
}

proptest::proptest! {
    /// Commands, DATA payloads with bare line ends, BDAT chunks and long lines in any order:
    /// a receiver answers the same whole or byte by byte, and never stalls or panics.
    #[test]
    fn a_recovering_receiver_answers_the_same_however_chunked(
        pieces in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("NOOP\r\n".to_string()),
                proptest::strategy::Just("DATA\r\n".to_string()),
                proptest::strategy::Just("RSET\r\n".to_string()),
                proptest::strategy::Just("\r\n.\r\n".to_string()),
                proptest::string::string_regex("BDAT [0-9]{1,2}( LAST)?\r\n").unwrap(),
                proptest::string::string_regex("[x.\n]{0,50}").unwrap(),
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
