//! The sans-IO client session: literals wait for `+`, refusals drop the rest, IDLE and
//! AUTHENTICATE exchanges, completion matching, and order of pipelined commands.

use groupwire_imap::command::append::{Append, AppendData, AppendMessage};
use groupwire_imap::command::auth::Authenticate;
use groupwire_imap::command::{CommandBody, LiteralPolicy};
use groupwire_imap::core::{Atom, ByteStr, IString, Literal, Mailbox, Tag};
use groupwire_imap::response::Status;
use groupwire_imap::stream::session::{ClientSession, Event, SessionError};

fn greeted() -> ClientSession {
    let mut session = ClientSession::default();
    session.receive(b"* OK [CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN] ready\r\n");
    assert!(matches!(
        session.next_event().unwrap(),
        Some(Event::Greeting(_))
    ));
    session
}

/// APPEND of `message` to INBOX: message data is always a literal.
fn append(message: &str) -> CommandBody<'static> {
    CommandBody::Append(Append {
        mailbox: Mailbox::from_name(IString::from("INBOX")),
        messages: vec![AppendMessage {
            flags: None,
            date: None,
            data: AppendData::Literal(Literal::new(ByteStr::from(message.as_bytes().to_vec()))),
        }],
    })
}

const MESSAGE: &str = "Subject: cześć\r\n\r\nhi\r\n";

fn completed(session: &mut ClientSession) -> (Tag<'static>, Status) {
    match session.next_event().unwrap() {
        Some(Event::Completed { tag, response }) => (tag, response.status()),
        other => panic!("expected a completion, got {other:?}"),
    }
}

#[test]
fn a_literal_waits_for_the_continuation() {
    let mut session = greeted();
    let tag = session.send(append(MESSAGE));
    // Up to the literal announcement only: the message waits for `+`.
    assert_eq!(&session.output()[..], b"A1 APPEND INBOX {24}\r\n");
    assert!(!session.has_output());
    session.receive(b"+ go ahead\r\n");
    assert_eq!(
        session.next_event().unwrap(),
        None,
        "a literal `+` is no event"
    );
    assert_eq!(&session.output()[..], format!("{MESSAGE}\r\n").as_bytes());
    session.receive(b"A1 OK APPEND completed\r\n");
    assert_eq!(completed(&mut session), (tag, Status::Ok));
    assert!(session.in_flight().is_empty());
}

#[test]
fn a_refusal_before_the_literal_drops_the_rest_and_releases_the_queue() {
    let mut session = greeted();
    let append_tag = session.send(append(MESSAGE));
    let noop_tag = session.send(CommandBody::Noop);
    // NOOP must not overtake the waiting literal.
    assert_eq!(&session.output()[..], b"A1 APPEND INBOX {24}\r\n");
    session.receive(b"A1 NO [TOOBIG] no room for it\r\n");
    assert_eq!(completed(&mut session), (append_tag, Status::No));
    // The message is never sent; NOOP goes out now.
    assert_eq!(&session.output()[..], b"A2 NOOP\r\n");
    session.receive(b"A2 OK\r\n");
    assert_eq!(completed(&mut session), (noop_tag, Status::Ok));
}

#[test]
fn literal_plus_writes_everything_at_once() {
    let mut session = greeted();
    session.set_literal_policy(LiteralPolicy::LiteralPlus);
    session.send(append(MESSAGE));
    assert_eq!(
        &session.output()[..],
        format!("A1 APPEND INBOX {{24+}}\r\n{MESSAGE}\r\n").as_bytes()
    );
}

#[test]
fn pipelined_commands_complete_in_any_order() {
    let mut session = greeted();
    let first = session.send(CommandBody::Noop);
    let second = session.send(CommandBody::Capability);
    assert_eq!(&session.output()[..], b"A1 NOOP\r\nA2 CAPABILITY\r\n");
    assert_eq!(session.in_flight(), &[first.clone(), second.clone()]);
    session.receive(b"* CAPABILITY IMAP4rev1\r\nA2 OK\r\nA1 OK\r\n");
    assert!(matches!(
        session.next_event().unwrap(),
        Some(Event::Data(_))
    ));
    assert_eq!(completed(&mut session), (second, Status::Ok));
    assert_eq!(completed(&mut session), (first, Status::Ok));
}

#[test]
fn idle_is_accepted_updates_flow_and_done_ends_it() {
    let mut session = greeted();
    let tag = session.send(CommandBody::Idle);
    assert_eq!(&session.output()[..], b"A1 IDLE\r\n");
    assert_eq!(session.idle_done(), Err(SessionError::NotIdling));
    // A command sent during IDLE waits until DONE.
    let noop = session.send(CommandBody::Noop);
    assert!(!session.has_output());

    session.receive(b"+ idling\r\n* 4 EXISTS\r\n");
    assert_eq!(
        session.next_event().unwrap(),
        Some(Event::Idling { tag: tag.clone() })
    );
    assert!(session.is_idling());
    let Some(Event::Data(update)) = session.next_event().unwrap() else {
        panic!("expected the EXISTS update")
    };
    assert_eq!(update.as_bytes(), b"* 4 EXISTS\r\n");

    session.idle_done().unwrap();
    assert_eq!(&session.output()[..], b"DONE\r\nA2 NOOP\r\n");
    session.receive(b"A1 OK IDLE terminated\r\nA2 OK\r\n");
    assert_eq!(completed(&mut session), (tag, Status::Ok));
    assert_eq!(completed(&mut session), (noop, Status::Ok));
}

#[test]
fn idle_refused_by_the_server_is_just_a_completion() {
    let mut session = greeted();
    let tag = session.send(CommandBody::Idle);
    session.output();
    session.receive(b"A1 BAD unknown command\r\n");
    assert_eq!(completed(&mut session), (tag, Status::Bad));
    assert!(!session.is_idling());
    session.send(CommandBody::Noop);
    assert_eq!(&session.output()[..], b"A2 NOOP\r\n");
}

#[test]
fn authenticate_challenges_are_decoded_and_answers_encoded() {
    let mut session = greeted();
    let tag = session.send(CommandBody::Authenticate(Authenticate {
        mechanism: Atom::new("PLAIN").unwrap(),
        initial_response: None,
    }));
    assert_eq!(&session.output()[..], b"A1 AUTHENTICATE PLAIN\r\n");
    assert_eq!(
        session.authenticate_cancel(),
        Err(SessionError::NoChallenge)
    );
    session.receive(b"+ \r\n");
    assert_eq!(
        session.next_event().unwrap(),
        Some(Event::Challenge {
            tag: tag.clone(),
            data: Vec::new()
        })
    );
    session.authenticate_respond(b"\0alice\0secret").unwrap();
    assert_eq!(&session.output()[..], b"AGFsaWNlAHNlY3JldA==\r\n");
    session.receive(b"A1 OK [CAPABILITY IMAP4rev1] logged in\r\n");
    assert_eq!(completed(&mut session), (tag, Status::Ok));
    assert_eq!(
        session.authenticate_cancel(),
        Err(SessionError::NoChallenge)
    );
}

#[test]
fn a_challenge_with_data_and_a_cancel() {
    let mut session = greeted();
    let tag = session.send(CommandBody::Authenticate(Authenticate {
        mechanism: Atom::new("X-CHALLENGE").unwrap(),
        initial_response: None,
    }));
    session.output();
    session.receive(b"+ aGVsbG8=\r\n");
    assert_eq!(
        session.next_event().unwrap(),
        Some(Event::Challenge {
            tag: tag.clone(),
            data: b"hello".to_vec()
        })
    );
    session.authenticate_cancel().unwrap();
    assert_eq!(&session.output()[..], b"*\r\n");
    session.receive(b"A1 BAD cancelled\r\n");
    assert_eq!(completed(&mut session), (tag, Status::Bad));
}

#[test]
fn partial_input_waits_without_losing_state() {
    let mut session = ClientSession::default();
    let greeting = b"* OK ready\r\n* 1 EXISTS\r\n";
    for byte in &greeting[..greeting.len() - 1] {
        session.receive(&[*byte]);
        if let Some(event) = session.next_event().unwrap() {
            assert!(matches!(event, Event::Greeting(_)));
        }
    }
    session.receive(b"\n");
    assert!(matches!(
        session.next_event().unwrap(),
        Some(Event::Data(_))
    ));
    assert_eq!(session.next_event().unwrap(), None);
}

#[test]
fn a_long_search_answer_fits_the_client_defaults() {
    // Issue 13: 20,000 UIDs make a 109 KB line, over the server-side 64 KiB line limit.
    let mut session = greeted();
    let mut line = b"* SEARCH".to_vec();
    for uid in 100_000..120_000u32 {
        line.extend_from_slice(format!(" {uid}").as_bytes());
    }
    line.extend_from_slice(b"\r\n");
    assert!(line.len() > 64 * 1024);
    session.receive(&line);
    assert!(matches!(
        session.next_event().unwrap(),
        Some(Event::Data(_))
    ));
}

#[test]
fn garbage_from_the_server_is_an_error_not_a_panic() {
    let mut session = greeted();
    session.receive(b"HTTP/1.1 400 Bad Request\r\n");
    assert!(session.next_event().is_err());
}
