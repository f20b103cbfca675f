//! Real-world input the decoders once rejected (hand-written fixtures in
//! `tests/fixtures/quirks/`): an empty QUOTA resource list, vendor FETCH attributes in
//! commands, and a `BINARY[1.MIME]` section in a FETCH response. Each decodes, and each value
//! round-trips: `parse(serialise(v)) == v`.

use std::path::Path;

use groupwire_imap::command::fetch::{FetchAttributeName, FetchItems, FetchModifier};
use groupwire_imap::command::{Command, CommandBody, parse_command};
use groupwire_imap::response::fetch::FetchAttribute;
use groupwire_imap::response::{Data, Response};
use groupwire_imap::stream::client::ResponseDecoder;
use groupwire_imap::stream::server::{ClientMessage, CommandDecoder, ServerStep};
use groupwire_imap::{Decoded, Encode, IntoOwned, Limits};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/quirks")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn commands(stream: &[u8]) -> Vec<Command<'static>> {
    let mut decoder = CommandDecoder::new(Limits::default());
    let mut at = 0;
    let mut out = Vec::new();
    while at < stream.len() {
        match decoder.decode(&stream[at..]).unwrap() {
            ServerStep::Complete {
                value: ClientMessage::Command(command),
                consumed,
            } => {
                let wire = command.to_bytes();
                assert_eq!(parse_command(&wire, Limits::default()).unwrap(), command);
                out.push(command.into_owned());
                at += consumed;
            }
            other => panic!("at {at}: {other:?}"),
        }
    }
    out
}

fn responses(stream: &[u8]) -> Vec<Response<'static>> {
    let mut decoder = ResponseDecoder::new(Limits::client());
    let mut at = 0;
    let mut out = Vec::new();
    while at < stream.len() {
        match decoder.decode(&stream[at..]).unwrap() {
            Decoded::Complete { value, consumed } => {
                let wire = value.to_bytes();
                let again = Response::decode(&wire, &Limits::client()).unwrap();
                assert_eq!(again.complete().unwrap().0, value);
                out.push(value.into_owned());
                at += consumed;
            }
            other => panic!("at {at}: {other:?}"),
        }
    }
    out
}

fn attributes(command: &Command<'_>) -> Vec<FetchAttributeName<'static>> {
    let CommandBody::Fetch(fetch) = &command.body else {
        panic!("{command:?}")
    };
    let FetchItems::Attributes(attributes) = &fetch.items else {
        panic!("{fetch:?}")
    };
    attributes
        .iter()
        .cloned()
        .map(IntoOwned::into_owned)
        .collect()
}

fn other(name: &str, arguments: Option<&str>) -> FetchAttributeName<'static> {
    FetchAttributeName::Other {
        name: name.to_string().into(),
        arguments: arguments.map(|a| groupwire_imap::core::RawValue::new(a.as_bytes()).unwrap()),
    }
}

#[test]
fn vendor_fetch_attributes_in_commands_are_kept_raw() {
    let commands = commands(&fixture("vendor.client"));
    assert_eq!(commands.len(), 4);
    assert_eq!(
        attributes(&commands[1]),
        vec![
            FetchAttributeName::Uid,
            other("DIGEST.SHA1", None),
            other("SNIPPET", Some("(FUZZY)")),
            other("X-GM-MSGID", None),
            FetchAttributeName::Flags,
        ]
    );
    // Alone, an unknown attribute takes no arguments: the list after it is the modifiers.
    assert_eq!(attributes(&commands[2]), vec![other("X-GM-MSGID", None)]);
    let CommandBody::Fetch(fetch) = &commands[2].body else {
        panic!()
    };
    assert_eq!(fetch.modifiers, vec![FetchModifier::ChangedSince(12)]);
    assert_eq!(
        attributes(&commands[3]),
        vec![other("BINARY.PEEK[1.MIME]", None)]
    );
}

#[test]
fn a_lone_unknown_attribute_with_arguments_is_sent_in_parentheses() {
    let command = parse_command(b"a FETCH 1 (SNIPPET (FUZZY))\r\n", Limits::default()).unwrap();
    assert_eq!(command.to_bytes(), b"a FETCH 1 (SNIPPET (FUZZY))\r\n");
    let command = parse_command(b"a FETCH 1 (X-GM-MSGID)\r\n", Limits::default()).unwrap();
    assert_eq!(command.to_bytes(), b"a FETCH 1 X-GM-MSGID\r\n");
}

#[test]
fn empty_quota_list_vendor_answers_and_binary_mime_decode() {
    let responses = responses(&fixture("vendor.server"));
    assert_eq!(responses.len(), 9);
    let Response::Data(Data::Quota(quota)) = &responses[1] else {
        panic!("{:?}", responses[1])
    };
    assert!(quota.root.bytes().is_empty());
    assert!(quota.resources.is_empty());
    let Response::Data(Data::Fetch(fetch)) = &responses[3] else {
        panic!("{:?}", responses[3])
    };
    let names: Vec<String> = fetch
        .attributes
        .iter()
        .filter_map(|a| match &*a {
            FetchAttribute::Other { name, .. } => Some(name.to_str_lossy().into_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["DIGEST.SHA1", "SNIPPET"]);
    assert!(
        fetch
            .attributes
            .contains(&FetchAttribute::GmailMessageId(1278455344230334865))
    );
    let Response::Data(Data::Fetch(fetch)) = &responses[7] else {
        panic!("{:?}", responses[7])
    };
    let attributes = fetch.attributes.to_vec();
    let FetchAttribute::Other { name, value } = &attributes[1] else {
        panic!("{:?}", fetch.attributes)
    };
    assert_eq!(name.as_bytes(), b"BINARY[1.MIME]");
    assert!(value.0.as_bytes().ends_with(b"charset=us-ascii\r\n\r\n"));
    // A well-formed BINARY section still decodes as such.
    let typed = Response::decode(b"* 2 FETCH (BINARY[1] \"x\")\r\n", &Limits::default())
        .unwrap()
        .complete()
        .unwrap()
        .0;
    let Response::Data(Data::Fetch(fetch)) = typed else {
        panic!()
    };
    assert!(matches!(
        fetch.attributes.first().as_deref(),
        Some(FetchAttribute::Binary { .. })
    ));
}
