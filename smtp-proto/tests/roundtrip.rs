//! Property tests: every value decodes back from its encoding, and dot-stuffing round-trips
//! any payload, however it is chunked.

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use bytes::BytesMut;
use groupwire_smtp::{
    AddressLiteral, AuthResponse, Body, ByMode, Capabilities, Capability, Command, DataDecoder,
    DataEvent, Decoded, Domain, Encode, EnhancedCode, Limits, LineEndings, Mailbox, Mechanism,
    MechanismList, Notify, Parameter, Parameters, Path, Reply, ReplyCode, Ret, ReversePath,
    RrvsAction, SaslPayload, Xtext, decode_auth_response, decode_command, decode_reply,
    encode_data,
};
use proptest::prelude::*;

fn text(re: &str) -> impl Strategy<Value = Cow<'static, str>> {
    proptest::string::string_regex(re)
        .unwrap()
        .prop_map(Cow::Owned)
}

fn domain_name() -> impl Strategy<Value = Cow<'static, str>> {
    text("[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,4})?(\\.[a-z][a-z0-9]{0,8}){0,3}|例子\\.广告")
}

fn domain() -> impl Strategy<Value = Domain<'static>> {
    prop_oneof![
        4 => domain_name().prop_map(Domain::Name),
        1 => any::<u32>().prop_map(|ip| Domain::Literal(AddressLiteral::Ipv4(Ipv4Addr::from(ip)))),
        1 => any::<u128>().prop_map(|ip| Domain::Literal(AddressLiteral::Ipv6(Ipv6Addr::from(ip)))),
        1 => (text("x-[a-z]{1,5}"), text("[!-Z^-~]{1,10}"))
            .prop_map(|(tag, content)| Domain::Literal(AddressLiteral::General { tag, content })),
    ]
}

fn mailbox() -> impl Strategy<Value = Mailbox<'static>> {
    let local = prop_oneof![
        text("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,10}(\\.[A-Za-z0-9_-]{1,6}){0,2}"),
        text("\"[ a-z@,<>]{0,8}(\\\\\"[a-z]{0,3})?\""),
        text("用户[a-z]{0,3}"),
    ];
    (local, domain()).prop_map(|(local, domain)| Mailbox::new(local, domain))
}

fn path() -> impl Strategy<Value = Path<'static>> {
    let route = proptest::option::of(text(
        "@[a-z]{1,6}\\.[a-z]{2,3}(,@[a-z]{1,6}\\.[a-z]{2,3}){0,2}",
    ));
    (route, mailbox()).prop_map(|(source_route, mailbox)| Path {
        source_route,
        mailbox,
    })
}

fn xtext() -> impl Strategy<Value = Xtext<'static>> {
    proptest::collection::vec(any::<u8>(), 1..12).prop_map(|bytes| Xtext::encode(&bytes))
}

fn parameter() -> impl Strategy<Value = Parameter<'static>> {
    prop_oneof![
        any::<u64>().prop_map(Parameter::Size),
        prop_oneof![
            Just(Body::SevenBit),
            Just(Body::EightBitMime),
            Just(Body::BinaryMime)
        ]
        .prop_map(Parameter::Body),
        Just(Parameter::SmtpUtf8),
        prop_oneof![Just(Ret::Full), Just(Ret::Headers)].prop_map(Parameter::Ret),
        xtext().prop_map(Parameter::EnvId),
        (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(success, failure, delay)| {
            Parameter::Notify(Notify {
                success,
                failure,
                delay,
            })
        }),
        (text("rfc822|utf-8"), xtext())
            .prop_map(|(addr_type, address)| Parameter::Orcpt { addr_type, address }),
        Just(Parameter::RequireTls),
        prop_oneof![Just(Xtext(Cow::Borrowed("<>"))).boxed(), xtext().boxed()]
            .prop_map(Parameter::Auth),
        (
            -999_999_999i64..=999_999_999,
            prop_oneof![Just(ByMode::Return), Just(ByMode::Notify)],
            any::<bool>()
        )
            .prop_map(|(time, mode, trace)| Parameter::DeliverBy { time, mode, trace }),
        (-9i8..=9).prop_map(Parameter::MtPriority),
        any::<u64>().prop_map(Parameter::HoldFor),
        text("20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z")
            .prop_map(Parameter::HoldUntil),
        (
            text("20[0-9]{2}-[01][0-9]-[0-3][0-9]T00:00:00(Z|\\+01:00)"),
            proptest::option::of(prop_oneof![
                Just(RrvsAction::Continue),
                Just(RrvsAction::Reject)
            ])
        )
            .prop_map(|(time, action)| Parameter::Rrvs { time, action }),
        (
            text("X-[A-Z]{1,6}"),
            proptest::option::of(text("[a-z0-9.:+]{1,8}"))
        )
            .prop_map(|(keyword, value)| Parameter::Other { keyword, value }),
    ]
}

fn parameters() -> impl Strategy<Value = Vec<Parameter<'static>>> {
    proptest::collection::vec(parameter(), 0..6)
}

fn mechanism() -> impl Strategy<Value = Mechanism<'static>> {
    prop_oneof![
        Just(Mechanism::Plain),
        Just(Mechanism::Login),
        Just(Mechanism::CramMd5),
        Just(Mechanism::ScramSha1),
        Just(Mechanism::ScramSha256),
        Just(Mechanism::XOAuth2),
        Just(Mechanism::OAuthBearer),
        text("X-[A-Z0-9]{1,8}").prop_map(Mechanism::Other),
    ]
}

fn sasl() -> impl Strategy<Value = SaslPayload<'static>> {
    proptest::collection::vec(any::<u8>(), 0..40).prop_map(|bytes| SaslPayload::encode(&bytes))
}

fn command() -> impl Strategy<Value = Command<'static>> {
    let hello_domain = prop_oneof![
        domain_name(),
        any::<u32>().prop_map(|ip| Cow::Owned(format!("[{}]", Ipv4Addr::from(ip))))
    ];
    prop_oneof![
        hello_domain
            .clone()
            .prop_map(|domain| Command::Helo { domain }),
        hello_domain
            .clone()
            .prop_map(|domain| Command::Ehlo { domain }),
        hello_domain.prop_map(|domain| Command::Lhlo { domain }),
        (proptest::option::of(path()), parameters()).prop_map(|(path, params)| Command::Mail {
            from: path.map_or(ReversePath::Null, ReversePath::Path),
            parameters: Parameters::from_list(&params),
        }),
        (path(), parameters()).prop_map(|(to, params)| Command::Rcpt {
            to,
            parameters: Parameters::from_list(&params)
        }),
        text("[pP]ost[mM]aster").prop_map(|local| Command::Rcpt {
            to: Path::new(Mailbox {
                local_part: local,
                domain: None
            }),
            parameters: Parameters::none(),
        }),
        Just(Command::Data),
        (any::<u64>(), any::<bool>()).prop_map(|(size, last)| Command::Bdat { size, last }),
        Just(Command::Rset),
        text("[!-~][ -~]{0,20}").prop_map(|argument| Command::Vrfy { argument }),
        text("[!-~][ -~]{0,20}").prop_map(|argument| Command::Expn { argument }),
        proptest::option::of(text("[a-zA-Z0-9]{1,10}")).prop_map(|topic| Command::Help { topic }),
        proptest::option::of(text("[!-~][ -~]{0,10}"))
            .prop_map(|argument| Command::Noop { argument }),
        Just(Command::Quit),
        Just(Command::StartTls),
        (mechanism(), proptest::option::of(sasl())).prop_map(|(mechanism, initial_response)| {
            Command::Auth {
                mechanism,
                initial_response,
            }
        }),
        text("[@#]?[a-z]{1,8}(\\.[a-z]{2,3})?").prop_map(|node| Command::Etrn { node }),
        proptest::option::of(text(
            "[a-z]{1,8}\\.[a-z]{2,3}(,[a-z]{1,8}\\.[a-z]{2,3}){0,2}"
        ))
        .prop_map(|domains| Command::Atrn { domains }),
        (
            text("imap://[a-z]{1,6}@[a-z.]{1,8}/[A-Za-z0-9;=/]{1,12}"),
            any::<bool>()
        )
            .prop_map(|(url, last)| Command::Burl { url, last }),
        (
            text("X[A-Z]{2,8}"),
            proptest::option::of(text("[ -~]{0,20}"))
        )
            .prop_map(|(verb, arguments)| Command::Unknown {
                verb: Cow::Owned(verb.into_owned().into_bytes()),
                arguments: arguments.map(|a| Cow::Owned(a.into_owned().into_bytes())),
            }),
    ]
}

fn capability() -> impl Strategy<Value = Capability<'static>> {
    prop_oneof![
        proptest::option::of(any::<u64>()).prop_map(Capability::Size),
        Just(Capability::EightBitMime),
        Just(Capability::Pipelining),
        Just(Capability::Chunking),
        Just(Capability::BinaryMime),
        Just(Capability::Dsn),
        Just(Capability::EnhancedStatusCodes),
        Just(Capability::SmtpUtf8),
        Just(Capability::StartTls),
        Just(Capability::RequireTls),
        text(
            "(PLAIN|LOGIN|CRAM-MD5|SCRAM-SHA-256|XOAUTH2|OAUTHBEARER)( (PLAIN|GSSAPI|LOGIN)){0,3}"
        )
        .prop_map(|list| Capability::Auth(MechanismList(list))),
        proptest::option::of(any::<u64>()).prop_map(Capability::DeliverBy),
        proptest::option::of(text("MIXER|STANAG4406|NSEP")).prop_map(Capability::MtPriority),
        (any::<u64>(), text("20[0-9]{2}-01-01T00:00:00Z")).prop_map(
            |(max_interval, max_datetime)| Capability::FutureRelease {
                max_interval,
                max_datetime
            }
        ),
        text("RCPTMAX=[0-9]{1,4}( MAILMAX=[0-9]{1,3})?").prop_map(Capability::Limits),
        Just(Capability::Etrn),
        Just(Capability::Atrn),
        proptest::option::of(text("imap")).prop_map(Capability::Burl),
        Just(Capability::Rrvs),
        (
            text("X-[A-Z]{1,8}"),
            proptest::option::of(text("[a-z0-9=]{1,8}( [a-z0-9]{1,5})?"))
        )
            .prop_map(|(keyword, parameters)| Capability::Other {
                keyword,
                parameters
            }),
    ]
}

fn reply_code() -> impl Strategy<Value = ReplyCode> {
    (2u16..=5, 0u16..=5, 0u16..=9)
        .prop_map(|(a, b, c)| ReplyCode::new(a * 100 + b * 10 + c).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn commands_round_trip(command in command()) {
        let wire = command.to_vec();
        let decoded = decode_command(&wire, &Limits::default());
        prop_assert_eq!(decoded, Ok(Decoded::Complete { value: command.clone(), consumed: wire.len() }), "{:?}", String::from_utf8_lossy(&wire));
    }

    #[test]
    fn parameters_keep_their_types(params in parameters(), path in path()) {
        let command = Command::Mail { from: ReversePath::Path(path), parameters: Parameters::from_list(&params) };
        let wire = command.to_vec();
        let (decoded, _) = decode_command(&wire, &Limits::default()).unwrap().complete().unwrap();
        let Command::Mail { parameters, .. } = decoded else { panic!() };
        let typed: Vec<Parameter<'static>> = parameters.iter().map(Parameter::into_owned).collect();
        prop_assert_eq!(typed, params);
    }

    #[test]
    fn auth_responses_round_trip(payload in sasl(), cancel in any::<bool>()) {
        let response = if cancel { AuthResponse::Cancel } else { AuthResponse::Data(payload) };
        let wire = response.to_vec();
        let (decoded, used) = decode_auth_response(&wire, &Limits::default()).unwrap().complete().unwrap();
        prop_assert_eq!((decoded, used), (response, wire.len()));
    }

    #[test]
    fn replies_round_trip(
        code in reply_code(),
        enhanced in proptest::option::of((prop_oneof![Just(2u8), Just(4), Just(5)], 0u16..1000, 0u16..1000)),
        lines in proptest::collection::vec("[A-Za-z][ -~]{0,40}", 1..6),
    ) {
        // An enhanced code's class is the reply code's first digit (RFC 3463 §2).
        let enhanced = enhanced.and_then(|(_, subject, detail)| {
            EnhancedCode::new(u8::try_from(code.get() / 100).unwrap(), subject, detail)
        });
        let reply = Reply::new(code, enhanced, &lines).unwrap();
        let wire = reply.to_vec();
        let (decoded, used) = decode_reply(&wire, &Limits::default()).unwrap().complete().unwrap();
        prop_assert_eq!(used, wire.len());
        prop_assert_eq!(decoded.code(), code);
        prop_assert_eq!(decoded.enhanced_code(), enhanced);
        let decoded_lines: Vec<&[u8]> = decoded.lines().collect();
        let expected: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
        prop_assert_eq!(decoded_lines, expected);
        prop_assert_eq!(&decoded, &reply);
    }

    #[test]
    fn capabilities_round_trip(caps in proptest::collection::vec(capability(), 0..12)) {
        let reply = Capabilities::reply("mx.example.org", Some("hello"), &caps).unwrap();
        let wire = reply.to_vec();
        let (decoded, _) = decode_reply(&wire, &Limits::default()).unwrap().complete().unwrap();
        let capabilities = decoded.capabilities().unwrap();
        prop_assert_eq!(capabilities.domain(), b"mx.example.org");
        let typed: Vec<Capability<'_>> = capabilities.iter().collect();
        prop_assert_eq!(typed, caps);
    }

    #[test]
    fn dot_stuffing_round_trips_any_payload(
        pieces in proptest::collection::vec(prop_oneof![
            Just(&b"."[..]), Just(&b"\r"[..]), Just(&b"\n"[..]), Just(&b"\r\n"[..]),
            Just(&b".\r\n"[..]), Just(&b"\r\n.\r\n"[..]), Just(&b"a"[..]), Just(&b"xyz"[..]),
        ], 0..60),
        chunk in 1usize..17,
    ) {
        let payload: Vec<u8> = pieces.concat();
        let mut wire = BytesMut::new();
        encode_data(&payload, &mut wire);
        let limits = Limits::default().with_line_endings(LineEndings::Lenient);
        let decoded = decode_chunked(&wire, chunk, &limits).expect("lenient decode");
        let mut expected = payload.clone();
        if !expected.is_empty() && !expected.ends_with(b"\r\n") {
            expected.extend_from_slice(b"\r\n");
        }
        prop_assert_eq!(decoded, expected);
    }

    #[test]
    fn strict_mode_accepts_exactly_the_clean_payloads(
        pieces in proptest::collection::vec(prop_oneof![
            Just(&b"."[..]), Just(&b"\r"[..]), Just(&b"\n"[..]), Just(&b"\r\n"[..]), Just(&b".."[..]), Just(&b"a"[..]),
        ], 0..40),
        chunk in 1usize..9,
    ) {
        let payload: Vec<u8> = pieces.concat();
        let mut wire = BytesMut::new();
        encode_data(&payload, &mut wire);
        let clean = {
            let mut normalised = payload.clone();
            if !normalised.is_empty() && !normalised.ends_with(b"\r\n") {
                normalised.extend_from_slice(b"\r\n");
            }
            let crlf = normalised.windows(2).filter(|w| w == b"\r\n").count();
            let cr = normalised.iter().filter(|&&b| b == b'\r').count();
            let lf = normalised.iter().filter(|&&b| b == b'\n').count();
            (cr == crlf && lf == crlf).then_some(normalised)
        };
        let decoded = decode_chunked(&wire, chunk, &Limits::default());
        prop_assert_eq!(decoded, clean);
    }
}

/// Feeds `wire` to a [`DataDecoder`] `chunk` bytes at a time; the payload, or `None` on error.
fn decode_chunked(wire: &[u8], chunk: usize, limits: &Limits) -> Option<Vec<u8>> {
    let mut decoder = DataDecoder::new(limits);
    let mut buffer = Vec::new();
    let mut payload = Vec::new();
    let mut fed = 0;
    loop {
        let feed = (fed + chunk).min(wire.len());
        buffer.extend_from_slice(&wire[fed..feed]);
        fed = feed;
        loop {
            match decoder.decode(&buffer).ok()? {
                Decoded::Complete {
                    value: DataEvent::Bytes(bytes),
                    consumed,
                } => {
                    payload.extend_from_slice(bytes);
                    buffer.drain(..consumed);
                }
                Decoded::Complete {
                    value: DataEvent::End,
                    consumed,
                } => {
                    assert_eq!(fed, wire.len(), "ended before the terminator");
                    assert_eq!(consumed, buffer.len());
                    return Some(payload);
                }
                Decoded::Incomplete { .. } => break,
            }
        }
        if fed == wire.len() {
            panic!("no terminator found in {:?}", String::from_utf8_lossy(wire));
        }
    }
}
