//! Hostile input: SMTP smuggling terminators, over-long lines, endless continuations, many
//! recipients, NUL bytes. Nothing panics; each case has the documented outcome.

use groupwire_smtp::{
    ClientItem, Command, DataDecoder, Decoded, Encode, ErrorKind, Expected, Limit, Limits,
    LineEndings, ReplyDecoder, ServerDecoder, decode_auth_response, decode_command, decode_reply,
};

/// Runs a server decoder over `input` (accepting DATA), returning the items as debug strings
/// and the error that stopped it, if any.
fn serve(input: &[u8], limits: Limits) -> (Vec<String>, Option<groupwire_smtp::DecodeError>) {
    let mut decoder = ServerDecoder::new(limits);
    let mut items = Vec::new();
    let mut rest = input;
    loop {
        match decoder.decode(rest) {
            Ok(Decoded::Complete { value, consumed }) => {
                if value == ClientItem::Command(Command::Data) {
                    decoder.expect_data();
                }
                items.push(format!("{value:?}"));
                rest = &rest[consumed..];
            }
            Ok(Decoded::Incomplete { .. }) => return (items, None),
            Err(error) => return (items, Some(error)),
        }
    }
}

/// Every terminator a smuggling attack has used in place of `CRLF.CRLF`.
const SMUGGLED_ENDS: &[&[u8]] = &[
    b"\n.\n",
    b"\r.\r",
    b"\n.\r\n",
    b"\r\n.\n",
    b"\r.\r\n",
    b"\r\n.\r",
    b"\n.\r",
    b"\r.\n",
    b"\n\n.\n\n",
    b"\r\n\n.\n",
];

#[test]
fn smuggled_terminators_are_errors_when_strict() {
    for end in SMUGGLED_ENDS {
        let mut input = b"DATA\r\nSubject: x\r\n\r\nbody".to_vec();
        input.extend_from_slice(end);
        input.extend_from_slice(b"MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\nforged\r\n.\r\n");
        let (items, error) = serve(&input, Limits::default());
        assert_eq!(error, None, "{end:?}");
        // Refused at the real CRLF.CRLF (the server answers 5xx and carries on), never
        // accepted.
        let rejected = items
            .iter()
            .find(|i| i.starts_with("MessageRejected"))
            .unwrap_or_else(|| panic!("{end:?} accepted: {items:?}"));
        assert!(
            rejected.contains("CrlfNotBareCr") || rejected.contains("CrlfNotBareLf"),
            "{end:?}: {rejected}"
        );
        assert!(
            !items.iter().any(|i| i == "MessageEnd"),
            "{end:?}: {items:?}"
        );
        // Nothing after the DATA command was taken for a command.
        assert!(
            !items.iter().any(|i| i.contains("evil")),
            "{end:?}: {items:?}"
        );
    }
}

#[test]
fn smuggled_terminators_are_payload_when_lenient() {
    let lenient = Limits::default().with_line_endings(LineEndings::Lenient);
    for end in SMUGGLED_ENDS {
        let mut input = b"DATA\r\nbody".to_vec();
        input.extend_from_slice(end);
        input.extend_from_slice(b"MAIL FROM:<evil@example.com>\r\n.\r\nQUIT\r\n");
        let (items, error) = serve(&input, lenient);
        assert_eq!(error, None, "{end:?}");
        let commands: Vec<&String> = items.iter().filter(|i| i.starts_with("Command")).collect();
        assert_eq!(
            commands,
            ["Command(Data)", "Command(Quit)"],
            "{end:?}: {items:?}"
        );
        assert!(items.contains(&"MessageEnd".to_string()));
    }
}

/// Issue 9: the fuzz smoke found an unknown command of 999 octets ended by a bare LF that
/// decoded in lenient mode and re-encoded (with CRLF) to 1,001 octets, which the same decoder
/// then refused. The limit now counts every line as content plus CRLF.
#[test]
fn lenient_bare_lf_line_at_the_limit_round_trips_or_is_refused() {
    let limits = Limits::default().with_line_endings(LineEndings::Lenient);
    let reproducer = include_bytes!("fixtures/hostile/bare-lf-999-octets");
    assert_eq!(reproducer.len(), 1_000);
    assert_eq!(reproducer.last(), Some(&b'\n'));
    let error = decode_command(reproducer, &limits).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::LimitExceeded(Limit::LineLength));
    assert_eq!(error.offset(), 999);
    // One octet shorter fits, and its CRLF form is exactly the 1,000-octet maximum.
    let fits = &reproducer[1..];
    let Decoded::Complete { value, consumed } = decode_command(fits, &limits).unwrap() else {
        panic!("a complete line decodes completely");
    };
    assert_eq!(consumed, 999);
    let wire = value.to_vec();
    assert_eq!(wire.len(), 1_000);
    assert_eq!(
        decode_command(&wire, &limits).unwrap(),
        Decoded::Complete {
            value,
            consumed: 1_000
        }
    );
    // Replies and AUTH continuation lines share the rule.
    let mut reply = b"250 ".to_vec();
    reply.resize(999, b'x');
    reply.push(b'\n');
    assert_eq!(
        decode_reply(&reply, &limits).unwrap_err().kind(),
        ErrorKind::LimitExceeded(Limit::LineLength)
    );
    let mut reply_that_fits = b"250 ".to_vec();
    reply_that_fits.resize(998, b'x');
    reply_that_fits.push(b'\n');
    assert!(
        decode_reply(&reply_that_fits, &limits)
            .unwrap()
            .is_complete()
    );
    let mut auth = vec![b'A'; 12_287];
    auth.push(b'\n');
    assert_eq!(
        decode_auth_response(&auth, &limits).unwrap_err().kind(),
        ErrorKind::LimitExceeded(Limit::AuthLineLength)
    );
}

#[test]
fn over_long_lines_hit_the_limit() {
    let limits = Limits::default();
    let mut line = b"NOOP ".to_vec();
    line.resize(998, b'x');
    line.extend_from_slice(b"\r\n");
    // 1000 octets with the CRLF is the RFC 5321 §4.5.3.1.4 maximum.
    assert!(decode_command(&line, &limits).unwrap().is_complete());
    let mut long = b"NOOP ".to_vec();
    long.resize(1_000, b'x');
    long.extend_from_slice(b"\r\n");
    let error = decode_command(&long, &limits).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::LimitExceeded(Limit::LineLength));
    // A line that never ends is refused as soon as the limit is passed, not buffered forever.
    let endless = vec![b'A'; 1_000];
    assert_eq!(
        decode_command(&endless, &limits).unwrap_err().kind(),
        ErrorKind::LimitExceeded(Limit::LineLength)
    );
    // Real-world leniency is a configuration away.
    let relaxed = limits.with_max_line_length(4_096);
    assert!(decode_command(&long, &relaxed).unwrap().is_complete());
    // AUTH lines may reach 12288 octets (RFC 4954 §4), no more.
    let mut auth = b"AUTH PLAIN ".to_vec();
    auth.resize(12_000, b'A');
    auth.extend_from_slice(b"\r\n");
    assert!(
        matches!(decode_command(&auth, &limits), Err(e) if e.kind() == ErrorKind::Expected(Expected::Base64))
    );
    let mut auth = b"AUTH PLAIN ".to_vec();
    auth.resize(13_000, b'A');
    assert_eq!(
        decode_command(&auth, &limits).unwrap_err().kind(),
        ErrorKind::LimitExceeded(Limit::AuthLineLength)
    );
    let long_reply = [b"250 ".as_slice(), &[b'x'; 2000], b"\r\n"].concat();
    assert_eq!(
        decode_reply(&long_reply, &limits).unwrap_err().kind(),
        ErrorKind::LimitExceeded(Limit::LineLength)
    );
}

#[test]
fn endless_continuation_lines_hit_the_reply_limit() {
    let limits = Limits::default();
    let mut decoder = ReplyDecoder::new(limits);
    let mut input = Vec::new();
    let mut outcome = None;
    for _ in 0..10_000 {
        input.extend_from_slice(b"250-still going\r\n");
        match decoder.decode(&input) {
            Ok(Decoded::Incomplete { .. }) => {}
            other => {
                outcome = Some(other.map(|decoded| decoded.is_complete()));
                break;
            }
        }
    }
    let Some(Err(error)) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(error.kind(), ErrorKind::LimitExceeded(Limit::ReplyLines));
    assert_eq!(input.len(), 17 * limits.max_reply_lines);
}

#[test]
fn ten_thousand_recipients_decode_one_by_one() {
    let mut input = b"EHLO client.example\r\nMAIL FROM:<a@example.com>\r\n".to_vec();
    for n in 0..10_000 {
        input.extend_from_slice(
            format!("RCPT TO:<user{n}@example.org> NOTIFY=FAILURE\r\n").as_bytes(),
        );
    }
    input.extend_from_slice(b"DATA\r\nhi\r\n.\r\nQUIT\r\n");
    let (items, error) = serve(&input, Limits::default());
    assert_eq!(error, None);
    // The codec does not cap recipients: that is server policy (RFC 5321 §4.5.3.1.8 asks for
    // at least 100, and a 452 reply refuses more).
    assert_eq!(
        items
            .iter()
            .filter(|i| i.starts_with("Command(Rcpt"))
            .count(),
        10_000
    );
    assert_eq!(items.last().map(String::as_str), Some("Command(Quit)"));
}

#[test]
fn nul_bytes() {
    let limits = Limits::default();
    // In arguments of a known verb: a malformed line the server answers with 501.
    let (items, error) = serve(
        b"MAIL FROM:<a\0b@example.com>\r\nNOOP x\0\r\nQUIT\r\n",
        limits,
    );
    assert_eq!(error, None);
    assert!(items[0].starts_with("Malformed"), "{items:?}");
    assert!(
        items[1].starts_with("Malformed") && items[1].contains("PrintableText"),
        "{items:?}"
    );
    assert_eq!(items[2], "Command(Quit)");
    // In a verb: an unknown command (500).
    let (value, _) = decode_command(b"QU\0T\r\n", &limits)
        .unwrap()
        .complete()
        .unwrap();
    assert!(matches!(value, Command::Unknown { .. }));
    // In message data: payload (RFC 5321 leaves content to the message format).
    let mut data = DataDecoder::new(&limits);
    assert_eq!(
        data.decode(b"a\0b\r\n.\r\n").unwrap(),
        Decoded::Complete {
            value: groupwire_smtp::DataEvent::Bytes(b"a\0b\r\n"),
            consumed: 5
        }
    );
    // In a reply: an error.
    let error = decode_reply(b"250 o\0k\r\n", &limits).unwrap_err();
    assert_eq!(
        (error.offset(), error.kind()),
        (5, ErrorKind::Expected(Expected::PrintableText))
    );
}

#[test]
fn bdat_beyond_the_message_size_is_refused() {
    let limits = Limits::default().with_max_message_size(1_000);
    let (items, error) = serve(b"BDAT 600\r\n", limits);
    assert_eq!(items.len(), 1);
    assert_eq!(error, None);
    let mut input = b"BDAT 600\r\n".to_vec();
    input.extend_from_slice(&[b'x'; 600]);
    input.extend_from_slice(b"BDAT 600 LAST\r\n");
    input.extend_from_slice(&[b'y'; 600]);
    input.extend_from_slice(b"NOOP\r\n");
    let (items, error) = serve(&input, limits);
    assert_eq!(error, None);
    // The chunk that goes over is discarded and refused; the session goes on.
    let rejected = items
        .iter()
        .find(|i| i.starts_with("ChunkRejected"))
        .unwrap_or_else(|| panic!("{items:?}"));
    assert!(
        rejected.contains(&format!(
            "{:?}",
            ErrorKind::LimitExceeded(Limit::MessageSize)
        )),
        "{rejected}"
    );
    assert_eq!(
        items.last().map(String::as_str),
        Some("Command(Noop { argument: None })")
    );
}

#[test]
fn garbage_never_panics() {
    // A cheap deterministic generator; the fuzz targets go much further.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let alphabet = b"\r\n.-0123456789 MAILFROM:<>@RCPTDATABDATAUTH=\0\xff";
    for _ in 0..20_000 {
        let len = (state % 64) as usize;
        let mut input = Vec::with_capacity(len);
        for _ in 0..len {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            input.push(alphabet[(state % alphabet.len() as u64) as usize]);
        }
        for endings in [LineEndings::Strict, LineEndings::Lenient] {
            let limits = Limits::default().with_line_endings(endings);
            let _ = decode_command(&input, &limits);
            let _ = decode_reply(&input, &limits);
            let _ = DataDecoder::new(&limits).decode(&input);
            let _ = serve(&input, limits);
        }
    }
}
