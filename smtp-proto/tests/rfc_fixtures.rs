//! Every RFC transcript in `tests/fixtures/rfc/` decodes end to end, in both directions, and
//! representative ones decode to exactly the values the RFC describes.

// One loader for the transcript format both crates' fixtures use.
#[path = "support/transcript.rs"]
mod transcript;

use std::borrow::Cow;

use groupwire_smtp::command::parse_command_line;
use groupwire_smtp::{
    AuthResponse, Body, Capability, ClientItem, Command, Decoded, Domain, Encode, EnhancedCode,
    Limits, Mailbox, Mechanism, Notify, Parameter, Path, Reply, ReplyDecoder, Ret, ReversePath,
    ServerDecoder, Xtext,
};
use transcript::{fixture_files, load};

/// What the client stream held, owned.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Command(Command<'static>),
    Auth(AuthResponse<'static>),
    Message(Vec<u8>),
    Chunk(Vec<u8>),
}

/// Decodes a client stream as a server that accepts DATA `accepted_data` times would.
fn client_items(stream: &[u8], mut accepted_data: usize) -> Vec<Item> {
    let limits = Limits::default();
    let mut decoder = ServerDecoder::new(limits);
    let mut items = Vec::new();
    let mut rest = stream;
    let mut in_auth = false;
    let mut message = Vec::new();
    while !rest.is_empty() {
        if in_auth {
            let line = rest.split(|&b| b == b'\n').next().unwrap_or_default();
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            match parse_command_line(line, &limits) {
                Ok(Command::Unknown { .. }) | Err(_) => decoder.expect_auth_response(),
                Ok(_) => in_auth = false,
            }
        }
        let (item, used) = match decoder.decode(rest) {
            Ok(Decoded::Complete { value, consumed }) => (value, consumed),
            other => panic!(
                "client stream stuck at {:?}: {other:?}",
                String::from_utf8_lossy(rest)
            ),
        };
        rest = &rest[used..];
        match item {
            ClientItem::Command(command) => {
                match &command {
                    Command::Data if accepted_data > 0 => {
                        accepted_data -= 1;
                        decoder.expect_data();
                    }
                    Command::Auth { .. } => in_auth = true,
                    _ => in_auth = false,
                }
                // Every command round-trips through its encoding.
                let wire = command.to_vec();
                let (again, _) = groupwire_smtp::decode_command(&wire, &limits)
                    .unwrap()
                    .complete()
                    .unwrap();
                assert_eq!(again, command);
                items.push(Item::Command(command.into_owned()));
            }
            ClientItem::AuthResponse(response) => {
                if response == AuthResponse::Cancel {
                    in_auth = false;
                }
                items.push(Item::Auth(response.into_owned()));
            }
            ClientItem::MessageData(bytes) => message.extend_from_slice(bytes),
            ClientItem::MessageEnd => items.push(Item::Message(std::mem::take(&mut message))),
            ClientItem::ChunkData { data, .. } => items.push(Item::Chunk(data.to_vec())),
            ClientItem::Malformed { line, error } => {
                panic!("malformed {:?}: {error}", String::from_utf8_lossy(line))
            }
            other => panic!("refused: {other:?}"),
        }
    }
    items
}

fn replies(stream: &[u8]) -> Vec<Reply<'static>> {
    let mut decoder = ReplyDecoder::new(Limits::default());
    let mut rest = stream;
    let mut replies = Vec::new();
    while !rest.is_empty() {
        let (reply, used) = decoder
            .decode(rest)
            .unwrap()
            .complete()
            .expect("complete reply");
        // Rebuilt from its parts, a reply decodes to the same parts.
        let lines: Vec<&[u8]> = reply.lines().collect();
        let rebuilt = Reply::new(reply.code(), reply.enhanced_code(), &lines).unwrap();
        assert_eq!(rebuilt.lines().collect::<Vec<_>>(), lines);
        replies.push(reply.into_owned());
        rest = &rest[used..];
    }
    replies
}

fn session(name: &str) -> (Vec<Item>, Vec<Reply<'static>>) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rfc")
        .join(name);
    let (_, client, server) = load(&path).unwrap();
    let replies = replies(&server);
    let accepted = replies.iter().filter(|r| r.code().get() == 354).count();
    (client_items(&client, accepted), replies)
}

fn mailbox(local: &'static str, domain: &'static str) -> Path<'static> {
    Path::new(Mailbox::new(local, Domain::Name(Cow::Borrowed(domain))))
}

fn params(command: &Item) -> Vec<Parameter<'static>> {
    match command {
        Item::Command(Command::Mail { parameters, .. } | Command::Rcpt { parameters, .. }) => {
            parameters.iter().map(Parameter::into_owned).collect()
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_rfc_transcript_decodes_in_both_directions() {
    let files = fixture_files("rfc");
    assert!(files.len() >= 29, "only {} fixtures", files.len());
    for file in files {
        let name = file.file_name().unwrap().to_str().unwrap();
        let (items, replies) = session(name);
        assert!(!items.is_empty() || !replies.is_empty(), "{name}");
    }
}

#[test]
fn rfc5321_d1_typical_transaction() {
    let (items, replies) = session("rfc5321-D.1-1.txt");
    assert_eq!(
        items,
        vec![
            Item::Command(Command::Ehlo {
                domain: "bar.com".into()
            }),
            Item::Command(Command::Mail {
                from: ReversePath::Path(mailbox("Smith", "bar.com")),
                parameters: Default::default()
            }),
            Item::Command(Command::Rcpt {
                to: mailbox("Jones", "foo.com"),
                parameters: Default::default()
            }),
            Item::Command(Command::Rcpt {
                to: mailbox("Green", "foo.com"),
                parameters: Default::default()
            }),
            Item::Command(Command::Rcpt {
                to: mailbox("Brown", "foo.com"),
                parameters: Default::default()
            }),
            Item::Command(Command::Data),
            // The RFC's "...etc." line starts with a dot, so on the wire it is stuffed: one
            // dot goes (RFC 5321 §4.5.2).
            Item::Message(b"Blah blah blah...\r\n..etc. etc. etc.\r\n".to_vec()),
            Item::Command(Command::Quit),
        ]
    );
    let codes: Vec<u16> = replies.iter().map(|r| r.code().get()).collect();
    assert_eq!(codes, [220, 250, 250, 250, 550, 250, 354, 250, 221]);
    let caps: Vec<Capability<'_>> = replies[1].capabilities().unwrap().iter().collect();
    assert_eq!(
        caps,
        vec![
            Capability::EightBitMime,
            Capability::Size(None),
            Capability::Dsn,
            Capability::Other {
                keyword: "HELP".into(),
                parameters: None
            }
        ]
    );
    assert_eq!(replies[4].first_line(), b"No such user here");
}

#[test]
fn rfc5321_d2_and_d3_relay_and_source_routes() {
    for name in [
        "rfc5321-D.2-1.txt",
        "rfc5321-D.3-1.txt",
        "rfc5321-D.3-2.txt",
        "rfc5321-D.4-1.txt",
    ] {
        let (items, _) = session(name);
        assert!(
            items
                .iter()
                .any(|i| matches!(i, Item::Command(Command::Mail { .. }))),
            "{name}"
        );
    }
}

#[test]
fn rfc3461_dsn_parameters() {
    let (items, _) = session("rfc3461-10.1-1.txt");
    assert_eq!(
        params(&items[1]),
        vec![
            Parameter::Ret(Ret::Headers),
            Parameter::EnvId(Xtext("QQ314159".into()))
        ]
    );
    assert_eq!(
        params(&items[4]),
        vec![
            Parameter::Notify(Notify {
                success: true,
                failure: true,
                delay: false
            }),
            Parameter::Orcpt {
                addr_type: "rfc822".into(),
                address: Xtext("Dana@Ivory.EDU".into())
            }
        ]
    );
    assert_eq!(params(&items[6]), vec![Parameter::Notify(Notify::NEVER)]);
    assert_eq!(items[9], Item::Message(b"(message goes here)\r\n".to_vec()));
}

#[test]
fn rfc3030_chunks_and_binarymime() {
    let (items, replies) = session("rfc3030-4.2-1.txt");
    assert_eq!(params(&items[1]), vec![Parameter::Body(Body::BinaryMime)]);
    assert_eq!(
        items[4],
        Item::Command(Command::Bdat {
            size: 96,
            last: false
        })
    );
    let Item::Chunk(chunk) = &items[5] else {
        panic!("{:?}", items[5])
    };
    assert_eq!(chunk.len(), 96);
    assert!(chunk.starts_with(b"MIME-Version: 1.0\r\n"));
    assert_eq!(
        items[6],
        Item::Command(Command::Bdat {
            size: 25,
            last: false
        })
    );
    assert_eq!(
        items[7],
        Item::Chunk(b"binary data stands here\r\n".to_vec())
    );
    assert_eq!(
        items[8],
        Item::Command(Command::Bdat {
            size: 0,
            last: true
        })
    );
    let caps = replies[1].capabilities().unwrap();
    assert!(caps.iter().any(|c| c == Capability::Chunking));
    assert!(caps.iter().any(|c| c == Capability::BinaryMime));
}

#[test]
fn rfc4954_auth_plain_with_and_without_initial_response() {
    let (items, replies) = session("rfc4954-4-2.txt");
    assert_eq!(
        items[1],
        Item::Command(Command::Auth {
            mechanism: Mechanism::Plain,
            initial_response: Some(groupwire_smtp::SaslPayload("dGVzdAB0ZXN0ADEyMzQ=".into()))
        })
    );
    assert_eq!(replies[1].enhanced_code(), EnhancedCode::new(2, 7, 0));
    assert_eq!(replies[1].first_line(), b"Authentication successful");

    let (items, replies) = session("rfc4954-4-3.txt");
    assert_eq!(
        items[1],
        Item::Command(Command::Auth {
            mechanism: Mechanism::Plain,
            initial_response: None
        })
    );
    let Item::Auth(AuthResponse::Data(payload)) = &items[2] else {
        panic!("{:?}", items[2])
    };
    assert_eq!(payload.decode().unwrap(), b"test\0test\x001234");
    assert_eq!(replies[2].challenge().unwrap().0, "");
}

#[test]
fn rfc2554_cram_md5_and_auth_parameter() {
    let (items, replies) = session("rfc2554-4-1.txt");
    assert_eq!(
        items[1],
        Item::Command(Command::Auth {
            mechanism: Mechanism::Other("FOOBAR".into()),
            initial_response: None
        })
    );
    assert_eq!(
        items[2],
        Item::Command(Command::Auth {
            mechanism: Mechanism::CramMd5,
            initial_response: None
        })
    );
    let Item::Auth(AuthResponse::Data(payload)) = &items[3] else {
        panic!("{:?}", items[3])
    };
    let response = payload.decode().unwrap();
    let (user, digest) = groupwire_smtp::auth::parse_cram_md5_response(&response).unwrap();
    assert_eq!(
        (user, digest),
        (&b"fred"[..], &b"9e95aee09c40af2b84a0c2b3bbae786e"[..])
    );
    let challenge = replies[3].challenge().unwrap().decode().unwrap();
    assert_eq!(challenge, b"<CByLEDBhSCgnhMZ+N23F6w@elwood.innosoft.com>");

    let (items, _) = session("rfc2554-5-1.txt");
    let Some(Parameter::Auth(submitter)) = params(&items[0]).into_iter().next() else {
        panic!()
    };
    assert_eq!(submitter.decode().as_ref(), b"e=mc2@example.com");
}

#[test]
fn rfc2920_pipelined_replies_and_rfc2034_enhanced_codes() {
    let (items, replies) = session("rfc2920-4-2.txt");
    assert_eq!(
        items
            .iter()
            .filter(|i| matches!(i, Item::Command(Command::Rcpt { .. })))
            .count(),
        3
    );
    let codes: Vec<u16> = replies.iter().map(|r| r.code().get()).collect();
    assert_eq!(codes, [220, 250, 250, 250, 250, 250, 354, 250, 221]);

    let (_, replies) = session("rfc2034-6-1.txt");
    let multi = &replies[5];
    assert_eq!(multi.code().get(), 551);
    assert_eq!(multi.enhanced_code(), EnhancedCode::new(5, 7, 1));
    assert_eq!(
        multi.lines().collect::<Vec<_>>(),
        vec![
            &b"Forwarding to remote hosts disabled"[..],
            b"Select another host to act as your forwarder"
        ]
    );
}

#[test]
fn rfc8689_requiretls_and_rfc1870_size() {
    let (items, replies) = session("rfc8689-A.1-2.txt");
    assert_eq!(params(&items[1]), vec![Parameter::RequireTls]);
    let caps = replies[1].capabilities().unwrap();
    assert_eq!(caps.size_limit(), Some(52_428_800));
    assert!(caps.iter().any(|c| c == Capability::RequireTls));

    let (items, replies) = session("rfc1870-8-1.txt");
    assert_eq!(params(&items[1]), vec![Parameter::Size(500_000)]);
    assert_eq!(
        replies[1].capabilities().unwrap().size_limit(),
        Some(1_000_000)
    );
}
