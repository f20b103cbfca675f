//! The TLS probe's codec: the ClientHello builder's bytes, and the first-flight decoder on
//! valid, truncated, malformed and random input.

use groupwire_conformance::tls_probe::{
    AlertDescription, AlertLevel, ClientHelloBuilder, DecodeErrorKind, Decoded, MAX_FIRST_FLIGHT,
    MAX_RECORD_LENGTH, ProtocolVersion, ServerAnswer, TlsVersion, decode_first_flight,
};

// ---------------------------------------------------------------------------------------
// A small independent parser for the hello the builder makes.

struct ParsedHello {
    record_version: u16,
    client_version: u16,
    session_id_len: usize,
    suites: Vec<u16>,
    compression: Vec<u8>,
    /// None when the hello has no extensions block at all.
    extensions: Option<Vec<(u16, Vec<u8>)>>,
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([bytes[at], bytes[at + 1]])
}

fn parse_hello(bytes: &[u8]) -> ParsedHello {
    assert_eq!(bytes[0], 22, "handshake record");
    let record_len = usize::from(u16_at(bytes, 3));
    assert_eq!(bytes.len(), 5 + record_len, "record length matches");
    let hs = &bytes[5..];
    assert_eq!(hs[0], 1, "client_hello");
    let hs_len = usize::from(hs[1]) << 16 | usize::from(hs[2]) << 8 | usize::from(hs[3]);
    assert_eq!(hs.len(), 4 + hs_len, "handshake length matches");
    let body = &hs[4..];
    let client_version = u16_at(body, 0);
    let mut at = 34;
    let session_id_len = usize::from(body[at]);
    at += 1 + session_id_len;
    let suites_len = usize::from(u16_at(body, at));
    at += 2;
    let suites = (0..suites_len / 2)
        .map(|i| u16_at(body, at + 2 * i))
        .collect();
    at += suites_len;
    let compression_len = usize::from(body[at]);
    let compression = body[at + 1..at + 1 + compression_len].to_vec();
    at += 1 + compression_len;
    let extensions = if at == body.len() {
        None
    } else {
        let ext_len = usize::from(u16_at(body, at));
        at += 2;
        assert_eq!(body.len(), at + ext_len, "extensions length matches");
        let mut list = Vec::new();
        while at < body.len() {
            let ty = u16_at(body, at);
            let len = usize::from(u16_at(body, at + 2));
            list.push((ty, body[at + 4..at + 4 + len].to_vec()));
            at += 4 + len;
        }
        assert_eq!(at, body.len());
        Some(list)
    };
    ParsedHello {
        record_version: u16_at(bytes, 1),
        client_version,
        session_id_len,
        suites,
        compression,
        extensions,
    }
}

fn extension_types(hello: &ParsedHello) -> Vec<u16> {
    hello
        .extensions
        .as_ref()
        .map(|list| list.iter().map(|(ty, _)| *ty).collect())
        .unwrap_or_default()
}

#[test]
fn hello_versions_and_extensions_follow_each_protocol_version() {
    let ssl3 = parse_hello(
        &ClientHelloBuilder::new(TlsVersion::Ssl3_0)
            .server_name("mail.example")
            .build(),
    );
    assert_eq!((ssl3.record_version, ssl3.client_version), (0x0300, 0x0300));
    assert!(ssl3.extensions.is_none(), "SSL 3.0 predates extensions");
    assert!(ssl3.suites.contains(&0x002f) && ssl3.suites.contains(&0x00ff));

    for (version, wire) in [(TlsVersion::Tls1_0, 0x0301), (TlsVersion::Tls1_1, 0x0302)] {
        let hello = parse_hello(
            &ClientHelloBuilder::new(version)
                .server_name("mail.example")
                .build(),
        );
        assert_eq!((hello.record_version, hello.client_version), (0x0301, wire));
        let types = extension_types(&hello);
        for expected in [0u16, 10, 11, 0xff01] {
            assert!(
                types.contains(&expected),
                "{version}: extension {expected} in {types:?}"
            );
        }
        assert!(
            !types.contains(&13),
            "{version}: no signature_algorithms before TLS 1.2"
        );
        assert!(!types.contains(&43), "{version}: no supported_versions");
        for suite in [0x002f, 0xc013, 0xc009, 0xc014] {
            assert!(
                hello.suites.contains(&suite),
                "{version} offers {suite:04x}"
            );
        }
    }

    let tls12 = parse_hello(
        &ClientHelloBuilder::new(TlsVersion::Tls1_2)
            .server_name("mail.example")
            .build(),
    );
    assert_eq!(tls12.client_version, 0x0303);
    let types = extension_types(&tls12);
    assert!(types.contains(&13) && types.contains(&10) && types.contains(&11));
    assert!(!types.contains(&43));
    assert!(tls12.suites.contains(&0xc02f) && tls12.suites.contains(&0x002f));
    assert_eq!(tls12.compression, vec![0]);
    assert_eq!(tls12.session_id_len, 0);

    let tls13 = parse_hello(
        &ClientHelloBuilder::new(TlsVersion::Tls1_3)
            .server_name("mail.example")
            .build(),
    );
    assert_eq!(
        (tls13.record_version, tls13.client_version),
        (0x0301, 0x0303)
    );
    assert_eq!(tls13.suites, vec![0x1301, 0x1302, 0x1303]);
    let extensions = tls13.extensions.expect("extensions");
    let supported = extensions
        .iter()
        .find(|(ty, _)| *ty == 43)
        .expect("supported_versions");
    assert_eq!(supported.1, vec![2, 3, 4], "offers TLS 1.3 only");
    let share = extensions
        .iter()
        .find(|(ty, _)| *ty == 51)
        .expect("key_share");
    assert_eq!(&share.1[..6], &[0, 36, 0, 0x1d, 0, 32], "one x25519 share");
    assert_eq!(tls13.session_id_len, 32);
}

#[test]
fn sni_carries_the_name_and_is_left_out_for_ip_literals() {
    let hello = parse_hello(
        &ClientHelloBuilder::new(TlsVersion::Tls1_2)
            .server_name("imap.example.org")
            .build(),
    );
    let sni = hello
        .extensions
        .unwrap()
        .into_iter()
        .find(|(ty, _)| *ty == 0)
        .expect("SNI");
    assert_eq!(&sni.1[..5], &[0, 19, 0, 0, 16]);
    assert_eq!(&sni.1[5..], b"imap.example.org");
    let hello = parse_hello(
        &ClientHelloBuilder::new(TlsVersion::Tls1_2)
            .server_name("127.0.0.1")
            .build(),
    );
    assert!(!extension_types(&hello).contains(&0));
}

#[test]
fn caller_chosen_suites_are_offered_exactly() {
    let hello = parse_hello(
        &ClientHelloBuilder::new(TlsVersion::Tls1_2)
            .cipher_suites(&[0x000a, 0x002f])
            .build(),
    );
    assert_eq!(hello.suites, vec![0x000a, 0x002f]);
}

#[test]
fn fixed_random_makes_the_hello_reproducible_and_fresh_random_does_not() {
    let a = ClientHelloBuilder::new(TlsVersion::Tls1_0)
        .random([7; 32])
        .build();
    let b = ClientHelloBuilder::new(TlsVersion::Tls1_0)
        .random([7; 32])
        .build();
    assert_eq!(a, b);
    assert_eq!(&a[11..43], &[7; 32]);
    let c = ClientHelloBuilder::new(TlsVersion::Tls1_0).build();
    let d = ClientHelloBuilder::new(TlsVersion::Tls1_0).build();
    assert_ne!(c[11..43], d[11..43]);
}

// ---------------------------------------------------------------------------------------
// ServerHello / Alert fixtures.

fn server_hello_body(version: u16, suite: u16, extensions: Option<&[(u16, &[u8])]>) -> Vec<u8> {
    let mut body = version.to_be_bytes().to_vec();
    body.extend_from_slice(&[0x5a; 32]);
    body.push(32);
    body.extend_from_slice(&[0x11; 32]);
    body.extend_from_slice(&suite.to_be_bytes());
    body.push(0);
    if let Some(extensions) = extensions {
        let mut list = Vec::new();
        for (ty, data) in extensions {
            list.extend_from_slice(&ty.to_be_bytes());
            list.extend_from_slice(&(data.len() as u16).to_be_bytes());
            list.extend_from_slice(data);
        }
        body.extend_from_slice(&(list.len() as u16).to_be_bytes());
        body.extend_from_slice(&list);
    }
    body
}

fn handshake(msg_type: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![msg_type];
    out.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    out.extend_from_slice(body);
    out
}

fn record(content_type: u8, version: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![content_type];
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

fn tls12_server_hello() -> Vec<u8> {
    let body = server_hello_body(0x0303, 0xc02f, Some(&[(0xff01, &[0]), (11, &[1, 0])]));
    let mut bytes = record(22, 0x0303, &handshake(2, &body));
    // A Certificate message follows in the same flight; it must not matter.
    bytes.extend(record(22, 0x0303, &handshake(11, &[0, 0, 0])));
    bytes
}

fn tls13_server_hello() -> Vec<u8> {
    let key_share: &[u8] = &[0, 0x1d, 0, 4, 1, 2, 3, 4];
    let body = server_hello_body(0x0303, 0x1301, Some(&[(43, &[3, 4]), (51, key_share)]));
    record(22, 0x0303, &handshake(2, &body))
}

fn fragmented_tls10_server_hello() -> Vec<u8> {
    let message = handshake(2, &server_hello_body(0x0301, 0x002f, None));
    let (first, second) = message.split_at(3);
    let mut bytes = record(22, 0x0301, first);
    bytes.extend(record(22, 0x0301, second));
    bytes
}

fn alert(level: u8, description: u8) -> Vec<u8> {
    record(21, 0x0303, &[level, description])
}

fn complete(bytes: &[u8]) -> (ServerAnswer, usize) {
    match decode_first_flight(bytes) {
        Ok(Decoded::Complete { answer, consumed }) => (answer, consumed),
        other => panic!("expected a complete answer, got {other:?}"),
    }
}

fn hello_of(answer: ServerAnswer) -> groupwire_conformance::tls_probe::ServerHello {
    match answer {
        ServerAnswer::ServerHello(hello) => hello,
        other => panic!("expected a ServerHello, got {other:?}"),
    }
}

#[test]
fn decodes_a_tls12_server_hello_and_stops_after_its_record() {
    let bytes = tls12_server_hello();
    let (answer, consumed) = complete(&bytes);
    let hello = hello_of(answer);
    assert_eq!(hello.legacy_version, ProtocolVersion(0x0303));
    assert_eq!(hello.negotiated_version(), ProtocolVersion(0x0303));
    assert_eq!(hello.selected_version, None);
    assert_eq!(hello.cipher_suite, 0xc02f);
    assert_eq!(hello.session_id, vec![0x11; 32]);
    assert_eq!(hello.extensions.len(), 2);
    assert!(!hello.is_hello_retry_request());
    assert_eq!(
        consumed,
        bytes.len() - 12,
        "the Certificate record is not consumed"
    );
}

#[test]
fn tls13_version_comes_from_supported_versions() {
    let hello = hello_of(complete(&tls13_server_hello()).0);
    assert_eq!(hello.legacy_version, ProtocolVersion(0x0303));
    assert_eq!(hello.selected_version, Some(ProtocolVersion(0x0304)));
    assert_eq!(hello.negotiated_version().known(), Some(TlsVersion::Tls1_3));
}

#[test]
fn the_tls13_downgrade_sentinel_is_recognised() {
    let hello = hello_of(complete(&tls12_server_hello()).0);
    assert_eq!(hello.downgrade_sentinel(), None);
    for last in [0u8, 1] {
        let mut body = server_hello_body(0x0303, 0xc02f, None);
        body[26..34].copy_from_slice(&[b'D', b'O', b'W', b'N', b'G', b'R', b'D', last]);
        let hello = hello_of(complete(&record(22, 0x0303, &handshake(2, &body))).0);
        assert_eq!(hello.downgrade_sentinel(), Some(last));
    }
    let mut body = server_hello_body(0x0303, 0xc02f, None);
    body[26..34].copy_from_slice(b"DOWNGRD\x02");
    assert_eq!(
        hello_of(complete(&record(22, 0x0303, &handshake(2, &body))).0).downgrade_sentinel(),
        None
    );
}

#[test]
fn hello_retry_request_is_recognised() {
    let mut body = server_hello_body(0x0303, 0x1301, Some(&[(43, &[3, 4])]));
    body[2..34]
        .copy_from_slice(&groupwire_conformance::tls_probe::answer::HELLO_RETRY_REQUEST_RANDOM);
    let hello = hello_of(complete(&record(22, 0x0303, &handshake(2, &body))).0);
    assert!(hello.is_hello_retry_request());
}

#[test]
fn an_ssl3_style_hello_without_extensions_split_over_records_decodes() {
    let bytes = fragmented_tls10_server_hello();
    let (answer, consumed) = complete(&bytes);
    let hello = hello_of(answer);
    assert_eq!(hello.negotiated_version(), ProtocolVersion(0x0301));
    assert_eq!(hello.cipher_suite, 0x002f);
    assert!(hello.extensions.is_empty());
    assert_eq!(consumed, bytes.len());
}

#[test]
fn alerts_are_named() {
    let (answer, consumed) = complete(&alert(2, 70));
    assert_eq!(
        answer,
        ServerAnswer::Alert {
            level: AlertLevel::Fatal,
            description: AlertDescription::ProtocolVersion
        }
    );
    assert_eq!(consumed, 7);
    assert_eq!(
        AlertDescription::from_u8(40).name(),
        Some("handshake_failure")
    );
    assert_eq!(
        AlertDescription::from_u8(71).name(),
        Some("insufficient_security")
    );
    assert_eq!(
        AlertDescription::from_u8(86).name(),
        Some("inappropriate_fallback")
    );
    assert_eq!(
        AlertDescription::from_u8(200),
        AlertDescription::Unknown(200)
    );
    assert_eq!(AlertDescription::from_u8(200).code(), 200);
    assert_eq!(
        AlertDescription::ProtocolVersion.to_string(),
        "protocol_version (70)"
    );
    assert_eq!(AlertLevel::from_u8(1), AlertLevel::Warning);
}

#[test]
fn plaintext_banners_are_not_tls() {
    for banner in [
        &b"* OK [CAPABILITY IMAP4rev1] ready\r\n"[..],
        b"220 mx ESMTP\r\n",
        b"HTTP/1.1 400",
    ] {
        assert_eq!(complete(banner), (ServerAnswer::NotTls, 0), "{banner:?}");
    }
    // SSL 2.0-style reply (high bit set) and a TLS content type with a wrong major version.
    assert_eq!(complete(&[0x80, 0x2e, 0x04]).0, ServerAnswer::NotTls);
    assert_eq!(complete(&[0x16, 0x02]).0, ServerAnswer::NotTls);
}

#[test]
fn every_truncation_of_a_valid_answer_needs_more() {
    for (name, bytes) in [
        ("tls12", tls12_server_hello()),
        ("tls13", tls13_server_hello()),
        ("fragmented", fragmented_tls10_server_hello()),
        ("alert", alert(2, 70)),
    ] {
        let (_, consumed) = complete(&bytes);
        for cut in 0..consumed {
            assert_eq!(
                decode_first_flight(&bytes[..cut]),
                Ok(Decoded::NeedMore),
                "{name}: prefix of {cut} of {consumed} bytes"
            );
        }
    }
}

fn error_of(bytes: &[u8]) -> (usize, DecodeErrorKind) {
    match decode_first_flight(bytes) {
        Err(error) => (error.offset, error.kind),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn malformed_answers_are_typed_errors_with_offsets() {
    // Declared record length over the limit, before any payload arrives.
    let too_long = (MAX_RECORD_LENGTH + 1) as u16;
    let mut bytes = vec![22, 3, 3];
    bytes.extend_from_slice(&too_long.to_be_bytes());
    assert_eq!(
        error_of(&bytes),
        (
            3,
            DecodeErrorKind::RecordTooLong {
                length: MAX_RECORD_LENGTH + 1
            }
        )
    );
    // Empty record, alert too short, application data first.
    assert_eq!(
        error_of(&[22, 3, 3, 0, 0]),
        (3, DecodeErrorKind::EmptyRecord)
    );
    assert_eq!(
        error_of(&[21, 3, 3, 0, 1, 2]),
        (5, DecodeErrorKind::AlertTooShort)
    );
    assert_eq!(
        error_of(&record(23, 0x0303, b"data")),
        (
            0,
            DecodeErrorKind::UnexpectedContentType { content_type: 23 }
        )
    );
    // Our own ClientHello echoed back is not a ServerHello.
    let echoed = ClientHelloBuilder::new(TlsVersion::Tls1_2).build();
    assert_eq!(
        error_of(&echoed),
        (
            5,
            DecodeErrorKind::UnexpectedHandshakeType { handshake_type: 1 }
        )
    );
    // Handshake length over the limit, known from the first 4 bytes.
    assert_eq!(
        error_of(&record(22, 0x0303, &[2, 0x10, 0, 0])),
        (6, DecodeErrorKind::HandshakeTooLong { length: 0x100000 })
    );
    // session_id longer than 32 bytes: offset of the length byte (5 + 4 + 34).
    let mut body = server_hello_body(0x0303, 0x002f, None);
    body[34] = 33;
    assert_eq!(
        error_of(&record(22, 0x0303, &handshake(2, &body))),
        (
            43,
            DecodeErrorKind::InvalidLength {
                field: "session_id"
            }
        )
    );
    // supported_versions of the wrong length; duplicate extensions.
    let body = server_hello_body(0x0303, 0x1301, Some(&[(43, &[3])]));
    assert!(matches!(
        error_of(&record(22, 0x0303, &handshake(2, &body))).1,
        DecodeErrorKind::InvalidLength {
            field: "supported_versions"
        }
    ));
    let body = server_hello_body(0x0303, 0x1301, Some(&[(43, &[3, 4]), (43, &[3, 4])]));
    assert!(matches!(
        error_of(&record(22, 0x0303, &handshake(2, &body))).1,
        DecodeErrorKind::DuplicateExtension { extension_type: 43 }
    ));
    // Extensions length larger than what follows; a field cut by the message length.
    let mut body = server_hello_body(0x0303, 0x002f, Some(&[(0xff01, &[0])]));
    let at = body.len() - 7;
    body[at + 1] += 1;
    assert_eq!(
        error_of(&record(22, 0x0303, &handshake(2, &body))),
        (
            9 + at,
            DecodeErrorKind::Truncated {
                field: "extensions"
            }
        )
    );
    let body = server_hello_body(0x0303, 0x002f, None);
    assert!(matches!(
        error_of(&record(22, 0x0303, &handshake(2, &body[..36]))).1,
        DecodeErrorKind::Truncated {
            field: "session_id"
        }
    ));
    // A second record with another major version.
    let mut bytes = record(22, 0x0303, &[2]);
    bytes.extend_from_slice(&[22, 4, 0, 0, 1, 0]);
    assert_eq!(
        error_of(&bytes),
        (7, DecodeErrorKind::BadRecordVersion { version: 0x0400 })
    );
}

#[test]
fn one_byte_fragments_decode_and_an_endless_trickle_is_bounded() {
    let message = handshake(2, &server_hello_body(0x0303, 0xc02f, None));
    let bytes: Vec<u8> = message
        .iter()
        .flat_map(|b| record(22, 0x0303, &[*b]))
        .collect();
    let (answer, consumed) = complete(&bytes);
    assert_eq!(hello_of(answer).cipher_suite, 0xc02f);
    assert_eq!(consumed, bytes.len());
    // A ServerHello declared at the size limit, sent one byte a record: the decoder gives up
    // after MAX_FIRST_FLIGHT bytes instead of asking for more forever.
    let mut trickle = record(22, 0x0303, &[2]);
    for b in [1u8, 0, 0] {
        trickle.extend(record(22, 0x0303, &[b]));
    }
    while trickle.len() <= MAX_FIRST_FLIGHT + 6 {
        trickle.extend(record(22, 0x0303, &[0]));
    }
    assert_eq!(error_of(&trickle).1, DecodeErrorKind::FlightTooLong);
}

// ---------------------------------------------------------------------------------------
// Fuzz-style: arbitrary and mutated bytes never panic, and results stay consistent.

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn check_consistent(bytes: &[u8]) {
    match decode_first_flight(bytes) {
        Ok(Decoded::Complete { consumed, .. }) => assert!(consumed <= bytes.len()),
        Ok(Decoded::NeedMore) => {}
        Err(error) => assert!(
            error.offset <= bytes.len(),
            "{error} beyond {}",
            bytes.len()
        ),
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for round in 0..100_000 {
        let len = rng.below(400);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Most rounds start like a handshake or alert record so the fuzz reaches the parser.
        if round % 4 != 0 && bytes.len() >= 9 {
            bytes[0] = [21, 22, 22, 22][rng.below(4)];
            bytes[1] = 3;
            bytes[5] = 2;
            let body = (len - 5) as u16;
            bytes[3..5].copy_from_slice(&body.to_be_bytes());
        }
        check_consistent(&bytes);
    }
}

#[test]
fn mutated_valid_answers_never_panic() {
    let mut rng = XorShift(0x0123_4567_89ab_cdef);
    let seeds = [
        tls12_server_hello(),
        tls13_server_hello(),
        fragmented_tls10_server_hello(),
        alert(2, 40),
    ];
    for _ in 0..50_000 {
        let mut bytes = seeds[rng.below(seeds.len())].clone();
        for _ in 0..1 + rng.below(4) {
            match rng.below(3) {
                0 => {
                    let at = rng.below(bytes.len());
                    bytes[at] = rng.next() as u8;
                }
                1 => bytes.truncate(rng.below(bytes.len() + 1)),
                _ => {
                    let at = rng.below(bytes.len() + 1);
                    bytes.insert(at, rng.next() as u8);
                }
            }
            if bytes.is_empty() {
                break;
            }
        }
        for cut in [bytes.len(), bytes.len() / 2, rng.below(bytes.len() + 1)] {
            check_consistent(&bytes[..cut]);
        }
    }
}
