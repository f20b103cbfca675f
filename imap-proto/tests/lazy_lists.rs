//! The lists of FETCH data decoded lazily ([`LazyList`]): validated when the response is
//! decoded (limits and errors as for any list), read item by item when iterated, equal to the
//! same list built by a program, and encoded back verbatim.

use std::path::Path;

#[path = "support/nested.rs"]
mod nested;
use nested::nested_bodystructure;

use groupwire_imap::command::fetch::{Section, SectionText};
use groupwire_imap::core::{Atom, Flag, IString, LazyList};
use groupwire_imap::response::bodystructure::{BodyParams, BodyStructure, SinglePartKind};
use groupwire_imap::response::envelope::{Address, AddressList, Envelope};
use groupwire_imap::response::{Data, Fetch, FetchAttribute, Response};
use groupwire_imap::stream::client::ResponseDecoder;
use groupwire_imap::{Decoded, Encode, ErrorKind, IntoOwned, Limit, Limits};

fn fetch(input: &[u8]) -> Fetch<'_> {
    match Response::decode(input, &Limits::default()) {
        Ok(Decoded::Complete {
            value: Response::Data(Data::Fetch(fetch)),
            consumed,
        }) => {
            assert_eq!(consumed, input.len());
            fetch
        }
        other => panic!("{other:?}"),
    }
}

fn atom(s: &'static str) -> IString<'static> {
    IString::Atom(Atom::new(s).unwrap())
}

fn quoted(s: &str) -> IString<'static> {
    IString::from(s)
}

fn address(name: Option<&str>, mailbox: &str, host: &str) -> Address<'static> {
    Address {
        name: name.map(quoted),
        adl: None,
        mailbox: Some(quoted(mailbox)),
        host: Some(quoted(host)),
    }
}

const FETCH: &[u8] = b"* 7 FETCH (UID 9 FLAGS (\\Seen $Forwarded) ENVELOPE (\"Mon, 2 Jan 2024\" \"hi\" ((\"Al\" NIL \"al\" \"a.example\")) NIL NIL ((NIL NIL \"bo\" \"b.example\") (NIL NIL \"cy\" \"c.example\")) () NIL NIL \"<1@x>\") BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\" \"FORMAT\" \"flowed\") NIL NIL \"7BIT\" 10 1 NIL NIL (\"en\" \"de\") NIL 1 (2 \"x\"))(\"APPLICATION\" \"PDF\" NIL NIL NIL \"BASE64\" 20 NIL NIL \"fr\") \"MIXED\" (\"BOUNDARY\" \"b1\") NIL NIL) BODY[HEADER.FIELDS (FROM \"SUBJECT\")] NIL)\r\n";

#[test]
fn decoded_lists_equal_the_built_lists() {
    let f = fetch(FETCH);
    let fa = f.attributes.to_vec();
    let FetchAttribute::Flags(flags) = &fa[1] else {
        panic!("{:?}", fa[1])
    };
    assert!(
        flags.as_raw().is_some(),
        "decoded lists keep the wire bytes"
    );
    let built: LazyList<'_, Flag<'_>> =
        vec![Flag::Seen, Flag::Keyword(Atom::new("$Forwarded").unwrap())].into();
    assert!(built.as_raw().is_none());
    assert_eq!(*flags, built);
    assert_eq!(built, *flags);
    assert_eq!(flags.len(), 2);
    assert!(flags.contains(&Flag::Seen));
    assert!(!flags.contains(&Flag::Deleted));
    assert_eq!(format!("{flags:?}"), format!("{built:?}"));

    let FetchAttribute::Envelope(envelope) = &fa[2] else {
        panic!()
    };
    let built = Envelope {
        date: Some(quoted("Mon, 2 Jan 2024")),
        subject: Some(quoted("hi")),
        from: Some(vec![address(Some("Al"), "al", "a.example")].into()),
        sender: None,
        reply_to: None,
        to: Some(AddressList::from_iter([
            address(None, "bo", "b.example"),
            address(None, "cy", "c.example"),
        ])),
        cc: Some(AddressList::new()),
        bcc: None,
        in_reply_to: None,
        message_id: Some(quoted("<1@x>")),
    };
    assert_eq!(**envelope, built);
    let to = envelope.to.as_ref().unwrap();
    assert_eq!(to.len(), 2);
    let mailboxes: Vec<_> = to
        .iter()
        .map(|a| a.mailbox.as_ref().unwrap().to_str_lossy())
        .collect();
    assert_eq!(mailboxes, ["bo", "cy"]);
    assert!(envelope.cc.as_ref().unwrap().is_empty());
    // The built envelope encodes canonically; the decoded one verbatim, with the space a
    // lenient server put between two addresses.
    let wire = built.to_bytes();
    assert_eq!(
        String::from_utf8_lossy(&wire),
        "(\"Mon, 2 Jan 2024\" \"hi\" ((\"Al\" NIL \"al\" \"a.example\")) NIL NIL \
         ((NIL NIL \"bo\" \"b.example\")(NIL NIL \"cy\" \"c.example\")) () NIL NIL \"<1@x>\")"
    );
    assert!(envelope.to_bytes().windows(3).any(|w| w == b") ("));

    let FetchAttribute::BodyStructure(body) = &fa[3] else {
        panic!()
    };
    let BodyStructure::Multi(multi) = &**body else {
        panic!()
    };
    let parts = multi.parts.to_vec();
    assert_eq!(parts.len(), 2);
    let BodyStructure::Single(text) = &parts[0] else {
        panic!()
    };
    let params: BodyParams<'_> = vec![
        (quoted("CHARSET"), quoted("UTF-8")),
        (quoted("FORMAT"), quoted("flowed")),
    ]
    .into();
    assert_eq!(text.fields.params, params);
    assert!(matches!(text.kind, SinglePartKind::Text { lines: 1 }));
    let language = text.extension.as_ref().unwrap().tail.as_ref().unwrap();
    let language = language.language.as_ref().unwrap();
    assert_eq!(language.languages, vec![quoted("en"), quoted("de")]);
    let location = language.location.as_ref().unwrap();
    assert_eq!(location.extensions.len(), 2);
    let BodyStructure::Single(pdf) = &parts[1] else {
        panic!()
    };
    assert!(pdf.fields.params.is_empty());
    let tail = pdf.extension.as_ref().unwrap().tail.as_ref().unwrap();
    // A single language sent bare is a list of one.
    assert_eq!(tail.language.as_ref().unwrap().languages, [quoted("fr")]);
    let ext = multi.extension.as_ref().unwrap();
    assert_eq!(
        ext.params,
        BodyParams::from(vec![(quoted("BOUNDARY"), quoted("b1"))])
    );

    let FetchAttribute::BodySection {
        section:
            Section {
                text: Some(SectionText::HeaderFields(names)),
                ..
            },
        ..
    } = &fa[4]
    else {
        panic!()
    };
    assert_eq!(*names, vec![atom("FROM"), quoted("SUBJECT")]);

    // Equal, and equal once owned; the owned copy is built, and encodes (canonically) to
    // a response that decodes equal.
    let owned = f.clone().into_owned();
    let owned_fa = owned.attributes.to_vec();
    assert_eq!(owned, f);
    let FetchAttribute::Flags(owned_flags) = &owned_fa[1] else {
        panic!()
    };
    assert!(owned_flags.as_built().is_some());
    let wire = [b"* ".as_slice(), &owned.to_bytes(), b"\r\n"].concat();
    assert_ne!(wire, FETCH);
    assert_eq!(fetch(&wire), f);
    // Decoded lists are written back verbatim.
    assert_eq!(
        [b"* ".as_slice(), &f.to_bytes(), b"\r\n"].concat(),
        FETCH.to_vec()
    );
}

#[test]
fn hashing_and_cloning_look_at_the_items() {
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};
    let hash = |list: &LazyList<'_, Flag<'_>>| {
        let mut h = DefaultHasher::new();
        list.hash(&mut h);
        h.finish()
    };
    let f = fetch(b"* 1 FETCH (FLAGS (\\Seen \\Deleted))\r\n");
    let fa = f.attributes.to_vec();
    let FetchAttribute::Flags(flags) = &fa[0] else {
        panic!()
    };
    let built = LazyList::from(vec![Flag::Seen, Flag::Deleted]);
    assert_eq!(hash(flags), hash(&built));
    assert_eq!(flags.clone(), built.clone());
    assert_ne!(*flags, LazyList::from(vec![Flag::Seen]));
    assert_ne!(*flags, LazyList::from(vec![Flag::Deleted, Flag::Seen]));
    assert_eq!(flags.first().as_deref(), Some(&Flag::Seen));
    assert_eq!(flags.to_vec(), [Flag::Seen, Flag::Deleted]);
}

/// Every FETCH of the recorded sessions: each lazy list reads back to as many items as it
/// holds, owned copies compare equal, and built copies encode to the same wire form.
#[test]
fn recorded_fetch_responses_iterate() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
    let (mut fetches, mut lists) = (0, 0);
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "server") {
            continue;
        }
        let stream = std::fs::read(&path).unwrap();
        let mut decoder = ResponseDecoder::default();
        let mut at = 0;
        while at < stream.len() {
            let Ok(Decoded::Complete { value, consumed }) = decoder.decode(&stream[at..]) else {
                panic!("{}: at {at}", path.display())
            };
            at += consumed;
            let Response::Data(Data::Fetch(f)) = value else {
                continue;
            };
            fetches += 1;
            for attribute in &f.attributes {
                lists += check_attribute(&attribute);
            }
        }
    }
    assert!(fetches >= 10, "{fetches} FETCH responses");
    assert!(lists >= 10, "{lists} lists");
}

/// Checks the lazy lists of one attribute; returns how many it held.
fn check_attribute(attribute: &FetchAttribute<'_>) -> usize {
    match attribute {
        FetchAttribute::Flags(flags) => check(flags),
        FetchAttribute::Envelope(e) => check_envelope(e),
        FetchAttribute::Body(b) | FetchAttribute::BodyStructure(b) => check_body(b),
        FetchAttribute::BodySection {
            section:
                Section {
                    text:
                        Some(SectionText::HeaderFields(names) | SectionText::HeaderFieldsNot(names)),
                    ..
                },
            ..
        } => {
            assert!(names.iter().all(|n| !n.bytes().is_empty()));
            check(names)
        }
        _ => 0,
    }
}

fn check_envelope(e: &Envelope<'_>) -> usize {
    [&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc]
        .into_iter()
        .flatten()
        .map(check)
        .sum()
}

fn check_body(b: &BodyStructure<'_>) -> usize {
    match b {
        BodyStructure::Multi(m) => {
            let mut n = check(&m.parts);
            for part in &m.parts {
                n += check_body(&part);
            }
            if let Some(ext) = &m.extension {
                n += check(&ext.params);
            }
            n
        }
        BodyStructure::Single(s) => {
            let mut n = check(&s.fields.params);
            if let SinglePartKind::Message { envelope, body, .. } = &s.kind {
                n += check_envelope(envelope) + check_body(body);
            }
            n
        }
    }
}

/// One list: iterated, counted, copied and rebuilt consistently.
fn check<'a, T>(list: &LazyList<'a, T>) -> usize
where
    T: groupwire_imap::core::ListItem<'a> + Clone + PartialEq + std::fmt::Debug + IntoOwned,
    T::Owned: groupwire_imap::core::ListItem<'static> + Clone + PartialEq + std::fmt::Debug,
{
    assert!(list.as_raw().is_some(), "decoded lists stay raw");
    let items = list.to_vec();
    assert_eq!(list.iter().count(), items.len());
    assert_eq!(list.len(), items.len());
    assert_eq!(list.is_empty(), items.is_empty());
    assert_eq!(*list, LazyList::from(items.clone()));
    let owned = list.clone().into_owned();
    assert_eq!(owned.len(), items.len());
    items.len()
}

fn limit_error(input: &[u8], max_list_length: usize) -> (ErrorKind, usize) {
    let mut limits = Limits::default();
    limits.max_list_length = max_list_length;
    match Response::decode(input, &limits) {
        Err(e) => (e.kind(), e.offset()),
        other => panic!("{other:?}"),
    }
}

fn offset_of(input: &[u8], needle: &[u8]) -> usize {
    input
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap()
}

#[test]
fn list_limits_are_enforced_when_decoding() {
    let too_long = ErrorKind::LimitExceeded(Limit::ListLength);
    // Each list's second item is over a limit of one, reported where it starts.
    for (input, second) in [
        (
            &b"* 1 FETCH (FLAGS (\\Seen \\Draft))\r\n"[..],
            &b"\\Draft"[..],
        ),
        (
            b"* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"a\" \"b\")(NIL NIL \"c\" \"d\")) NIL NIL NIL NIL NIL NIL NIL))\r\n",
            b"(NIL NIL \"c\"",
        ),
        (
            b"* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)(\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 1 1) \"ALTERNATIVE\"))\r\n",
            b"(\"TEXT\" \"HTML\"",
        ),
        (
            b"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"A\" \"1\" \"B\" \"2\") NIL NIL \"7BIT\" 1 1))\r\n",
            b"\"B\"",
        ),
        (
            b"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL (\"en\" \"de\")))\r\n",
            b"\"de\"",
        ),
        (
            b"* 1 FETCH (BODY[HEADER.FIELDS (FROM SUBJECT)] NIL)\r\n",
            b"SUBJECT",
        ),
        // The lists of the other responses are lazy too, with the same checks.
        (b"* CAPABILITY IMAP4rev2 IDLE\r\n", b"IDLE"),
        (b"* OK [CAPABILITY IMAP4rev2 IDLE] hi\r\n", b"IDLE"),
        (b"* ENABLED CONDSTORE QRESYNC\r\n", b"QRESYNC"),
        (b"* FLAGS (\\Seen \\Draft)\r\n", b"\\Draft"),
        (b"* OK [PERMANENTFLAGS (\\Seen \\*)] ok\r\n", b"\\*"),
        (b"A1 NO [BADCHARSET (UTF-8 KOI8-R)] no\r\n", b"KOI8-R"),
        (b"A1 NO [BADCHARSET UTF-8 KOI8-R] no\r\n", b"KOI8-R"),
        (b"* NO [BADEVENT (MessageNew FlagChange)] no\r\n", b"FlagChange"),
        (b"* LIST (\\Noselect \\Marked) \"/\" a\r\n", b"\\Marked"),
        (
            b"* LIST () \"/\" a (CHILDINFO (\"SUBSCRIBED\") OLDNAME (\"b\"))\r\n",
            b"OLDNAME",
        ),
        (
            b"* LIST () \"/\" a (CHILDINFO (\"SUBSCRIBED\" \"X\"))\r\n",
            b"\"X\"",
        ),
        (b"* STATUS a (MESSAGES 1 UIDNEXT 2)\r\n", b"UIDNEXT"),
        (b"* ESEARCH (TAG \"A1\") MIN 1 MAX 2\r\n", b"MAX"),
        (b"* ESEARCH ADDTO (1 5 2 6)\r\n", b"2 6"),
        (b"* THREAD (1)(2)\r\n", b"(2)"),
        (b"* NAMESPACE ((\"\" \"/\")(\"b\" \"/\")) NIL NIL\r\n", b"(\"b\""),
        (
            b"* NAMESPACE ((\"\" \"/\" \"X-A\" (\"1\") \"X-B\" (\"2\"))) NIL NIL\r\n",
            b"\"X-B\"",
        ),
        (
            b"* NAMESPACE ((\"\" \"/\" \"X-A\" (\"1\" \"2\"))) NIL NIL\r\n",
            b"\"2\"",
        ),
        (b"* ID (\"name\" \"x\" \"os\" NIL)\r\n", b"\"os\""),
        (b"* QUOTA r (STORAGE 1 2 MESSAGE 3 4)\r\n", b"MESSAGE"),
        (b"* QUOTAROOT INBOX r1 r2\r\n", b"r2"),
        (b"* ACL INBOX fred rwipsldexta bob lr\r\n", b"bob"),
        (b"* LISTRIGHTS INBOX fred lr x k\r\n", b"k"),
        (b"* METADATA \"\" (/a \"1\" /b \"2\")\r\n", b"/b"),
        (b"* METADATA INBOX /a /b\r\n", b"/b"),
    ] {
        assert_eq!(
            limit_error(input, 1),
            (too_long, offset_of(input, second)),
            "{}",
            String::from_utf8_lossy(input)
        );
        // Within the limits the same response decodes.
        assert!(Response::decode(input, &Limits::default()).is_ok());
    }
    // Nesting inside a multipart's parts is checked when decoding too.
    let deep = nested_bodystructure(80);
    let e = Response::decode(&deep, &Limits::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::NestingDepth));
    // The attribute list is one level, 63 bodies the rest: the 64th body's `(` is read,
    // then entering its level fails.
    assert_eq!(e.offset(), offset_of(&deep, b"(((") + 64);
}

/// What follows an item of a parenthesised list that is neither a space nor `)` is reported
/// where it stands, as each list's grammar names it: METADATA values expect the `)`, the
/// others a space. A `()` METADATA list is its first entry's error.
#[test]
fn a_bad_separator_is_reported_where_it_stands() {
    for (input, at, expected) in [
        (
            &b"* METADATA INBOX (/a \"1\"x)\r\n"[..],
            &b"x)"[..],
            groupwire_imap::Expected::CloseParen,
        ),
        (
            b"* ID (\"name\" \"x\"y)\r\n",
            b"y)",
            groupwire_imap::Expected::Space,
        ),
        (
            b"* ESEARCH ADDTO (1 5y)\r\n",
            b"y)",
            groupwire_imap::Expected::Space,
        ),
        (
            b"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL (\"en\"x)))\r\n",
            b"x)))",
            groupwire_imap::Expected::Space,
        ),
    ] {
        let e = Response::decode(input, &Limits::default()).unwrap_err();
        assert_eq!(
            (e.kind(), e.offset()),
            (ErrorKind::Expected(expected), offset_of(input, at)),
            "{}",
            String::from_utf8_lossy(input)
        );
    }
    let e = Response::decode(b"* METADATA INBOX ()\r\n", &Limits::default()).unwrap_err();
    assert_eq!(e.offset(), offset_of(b"* METADATA INBOX ()\r\n", b")"));
}
