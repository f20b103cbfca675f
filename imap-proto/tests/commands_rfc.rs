//! Every client (`C:`) stream of the RFC example fixtures decodes end to end with the
//! server-role decoder (continuations granted, AUTHENTICATE and IDLE followed), re-encodes to
//! an equal value, and representative examples decode to exactly the values the RFC means.

#[path = "support/transcript.rs"]
mod transcript;

use groupwire_imap::command::{CommandBody, parse_command};
use groupwire_imap::stream::server::{ClientMessage, CommandDecoder};
use groupwire_imap::{Decoded, Encode, Limits};
use transcript::{fixture_files, load_transcript};

/// Decodes a whole client stream; the messages, or the first failure.
pub fn decode_stream(stream: &[u8]) -> Result<Vec<ClientMessage<'static>>, String> {
    let mut decoder = CommandDecoder::new(Limits::default());
    let mut offset = 0;
    let mut messages = Vec::new();
    while offset < stream.len() {
        match decoder.decode_captured(&stream[offset..]) {
            Ok(Decoded::Complete { value, consumed }) => {
                if let ClientMessage::Command(command) = &value {
                    let wire = command.to_bytes();
                    match parse_command(&wire, Limits::default()) {
                        Ok(again) if &again == command => {}
                        other => {
                            return Err(format!(
                                "round trip of {:?}: {other:?}",
                                String::from_utf8_lossy(&wire)
                            ));
                        }
                    }
                }
                messages.push(value.into_owned());
                offset += consumed;
            }
            Ok(Decoded::Incomplete { .. }) => return Err(format!("incomplete at {offset}")),
            Err(e) => {
                let line_end = stream[offset..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(stream.len(), |p| offset + p);
                return Err(format!(
                    "{e} (message at {offset}: {:?})",
                    String::from_utf8_lossy(&stream[offset..line_end])
                ));
            }
        }
    }
    Ok(messages)
}

/// RFC examples that do not decode, and why. Each must still fail, so the list stays true.
const KNOWN_FAILURES: &[(&str, &str)] = &[
    (
        "rfc4959-4-2.txt",
        "prose note inside the example's command line",
    ),
    (
        "rfc4959-4-4.txt",
        "prose note inside the example's command line",
    ),
    (
        "rfc5257-4.5-1.txt",
        "ANNOTATE (RFC 5257, experimental) is not implemented",
    ),
    (
        "rfc5257-4.5-2.txt",
        "ANNOTATE (RFC 5257, experimental) is not implemented",
    ),
    (
        "rfc5257-4.5-3.txt",
        "ANNOTATE (RFC 5257, experimental) is not implemented",
    ),
    (
        "rfc5257-4.5-4.txt",
        "ANNOTATE (RFC 5257, experimental) is not implemented",
    ),
    (
        "rfc5257-4.8-1.txt",
        "ANNOTATE (RFC 5257, experimental) is not implemented",
    ),
    (
        "rfc5257-4.8-2.txt",
        "ANNOTATE (RFC 5257, experimental) is not implemented",
    ),
    (
        "rfc5257-4.7-2.txt",
        "extraction artifact: the client side is an empty line",
    ),
    (
        "rfc8508-4.2-2.txt",
        "extraction artifact: MIME boundary lines without their command",
    ),
    (
        "rfc5267-4.3-2.txt",
        "the example omits SORT's criteria and charset (RFC 5256 ABNF)",
    ),
    (
        "rfc5267-4.3.1-1.txt",
        "the example omits SORT's criteria (RFC 5256 ABNF)",
    ),
];

#[test]
fn known_failures_still_fail() {
    for (name, why) in KNOWN_FAILURES {
        let path = fixture_files("rfc")
            .into_iter()
            .find(|p| p.file_name().unwrap().to_string_lossy() == *name)
            .unwrap_or_else(|| panic!("{name} missing"));
        let client = load_transcript(&path).unwrap().client();
        assert!(
            decode_stream(&client).is_err(),
            "{name} now decodes ({why}): drop it from the list"
        );
    }
}

#[test]
fn every_rfc_client_stream_decodes() {
    let files = fixture_files("rfc");
    assert!(files.len() > 500, "fixtures missing: {}", files.len());
    let mut failures = Vec::new();
    let mut decoded = 0;
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if KNOWN_FAILURES.iter().any(|(known, _)| *known == name) {
            continue;
        }
        let transcript = load_transcript(file).unwrap();
        let client = transcript.client();
        match decode_stream(&client) {
            Ok(messages) => decoded += messages.len(),
            Err(e) => failures.push(format!(
                "{}: {e}",
                file.file_name().unwrap().to_string_lossy()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(decoded > 500, "{decoded}");
}

fn fixture(name: &str) -> Vec<ClientMessage<'static>> {
    let path = fixture_files("rfc")
        .into_iter()
        .find(|p| p.file_name().unwrap().to_string_lossy() == name)
        .unwrap_or_else(|| panic!("{name} missing"));
    decode_stream(&load_transcript(&path).unwrap().client()).unwrap()
}

fn command<'m>(
    message: &'m ClientMessage<'static>,
) -> &'m groupwire_imap::command::Command<'static> {
    match message {
        ClientMessage::Command(command) => command,
        other => panic!("{other:?}"),
    }
}

#[test]
fn rfc9051_append_example_has_the_whole_message() {
    use groupwire_imap::command::append::AppendData;
    use groupwire_imap::core::{Flag, Mailbox};
    let messages = fixture("rfc9051-6.3.12-1.txt");
    assert_eq!(messages.len(), 1);
    let c = command(&messages[0]);
    assert_eq!(c.tag.as_str(), "A003");
    let CommandBody::Append(append) = &c.body else {
        panic!()
    };
    assert_eq!(append.mailbox, Mailbox::from_name("saved-messages".into()));
    assert_eq!(append.messages.len(), 1);
    assert_eq!(append.messages[0].flags, Some(vec![Flag::Seen]));
    let AppendData::Literal(literal) = &append.messages[0].data else {
        panic!()
    };
    assert_eq!(literal.data.len(), 326);
    assert!(
        literal
            .data
            .as_bytes()
            .starts_with(b"Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n")
    );
    assert!(literal.data.as_bytes().ends_with(b"3:30 tomorrow?\r\n"));
}

#[test]
fn rfc9051_authenticate_example_follows_the_sasl_exchange() {
    use groupwire_imap::command::auth::SaslResponse;
    let messages = fixture("rfc9051-6.2.2-1.txt");
    assert_eq!(messages.len(), 4);
    let CommandBody::Authenticate(auth) = &command(&messages[0]).body else {
        panic!()
    };
    assert_eq!(auth.mechanism.as_str(), "GSSAPI");
    assert_eq!(auth.initial_response, None);
    let ClientMessage::SaslResponse(SaslResponse::Data(first)) = &messages[1] else {
        panic!()
    };
    assert!(
        first
            .as_bytes()
            .starts_with(b"YIIB+wYJKoZIhvcSAQICAQBuggHq")
    );
    assert_eq!(
        messages[2],
        ClientMessage::SaslResponse(SaslResponse::Data(Default::default()))
    );
    let ClientMessage::SaslResponse(SaslResponse::Data(last)) = &messages[3] else {
        panic!()
    };
    assert!(last.as_bytes().ends_with(b"AQAgAG1yYwE="));
}

#[test]
fn rfc7162_qresync_select_parameters() {
    use groupwire_imap::command::select::SelectParam;
    let messages = fixture("rfc7162-3.2.5.1-1.txt");
    let CommandBody::Select(select) = &command(&messages[0]).body else {
        panic!()
    };
    let [SelectParam::Qresync(q)] = select.params.as_slice() else {
        panic!("{select:?}")
    };
    assert_eq!(q.uid_validity, 67890007);
    assert_eq!(q.mod_seq, 90060115194045000);
    assert_eq!(q.known_uids.as_ref().unwrap().as_bytes(), b"41:211,214:541");
    assert_eq!(q.seq_match, None);
}

#[test]
fn rfc4469_catenate_parts() {
    use groupwire_imap::command::append::{AppendData, CatenatePart};
    let messages = fixture("rfc4469-A-1.txt");
    let CommandBody::Append(append) = &command(&messages[0]).body else {
        panic!()
    };
    let AppendData::Catenate(parts) = &append.messages[0].data else {
        panic!()
    };
    let CatenatePart::Url(url) = &parts[0] else {
        panic!()
    };
    assert_eq!(
        &*url.bytes(),
        b"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER"
    );
    let CatenatePart::Text(text) = &parts[1] else {
        panic!()
    };
    assert_eq!(text.data.len(), 42);
    assert!(parts.len() >= 3, "{parts:?}");
}

#[test]
fn rfc5258_list_extended_selection() {
    use groupwire_imap::command::list::ListSelectOption;
    let messages = fixture("rfc5258-5-1.txt");
    assert!(matches!(&command(&messages[0]).body, CommandBody::List(l) if l.selection.is_none()));
    let all: Vec<_> = (1..=22)
        .flat_map(|n| fixture(&format!("rfc5258-5-{n}.txt")))
        .collect();
    let recursive = all.iter().any(|m| {
        matches!(&command(m).body, CommandBody::List(l)
            if l.selection.as_deref() == Some(&[ListSelectOption::Subscribed, ListSelectOption::RecursiveMatch][..]))
    });
    assert!(recursive);
}

/// Real client captures (curl, Python imaplib, mbsync, fetchmail against Dovecot) decode end to
/// end, every command round-trips, and each holds commands beyond the greeting dance.
#[test]
fn every_real_client_capture_decodes() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "client"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "real captures missing: {}", files.len());
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let messages = decode_stream(&bytes).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let commands = messages
            .iter()
            .filter(|m| matches!(m, ClientMessage::Command(_)))
            .count();
        assert!(commands >= 2, "{}: {commands} commands", file.display());
        // Every capture ends the session properly.
        assert!(
            messages
                .iter()
                .any(|m| matches!(m, ClientMessage::Command(c) if c.body == CommandBody::Logout)),
            "{}: no LOGOUT",
            file.display()
        );
    }
}
