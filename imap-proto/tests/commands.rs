//! Known-answer tests for command decoding and encoding.

use groupwire_imap::command::{
    Command, CommandBody, Fragment, LiteralPolicy, decode_command, encode_fragments, parse_command,
};
use groupwire_imap::{Decoded, Encode, ErrorKind, Expected, Limit, Limits};

fn parse(input: &[u8]) -> Command<'_> {
    match parse_command(input, Limits::default()) {
        Ok(command) => command,
        Err(e) => panic!("{:?}: {e}", String::from_utf8_lossy(input)),
    }
}

/// Commands already in canonical form: decoding then encoding gives the same bytes.
const CANONICAL: &[&str] = &[
    "a CAPABILITY\r\n",
    "a NOOP\r\n",
    "a LOGOUT\r\n",
    "a STARTTLS\r\n",
    "a UNAUTHENTICATE\r\n",
    "a IDLE\r\n",
    "a NAMESPACE\r\n",
    "a CHECK\r\n",
    "a CLOSE\r\n",
    "a UNSELECT\r\n",
    "a EXPUNGE\r\n",
    "a UID EXPUNGE 3000:3002\r\n",
    "a AUTHENTICATE PLAIN\r\n",
    "a AUTHENTICATE PLAIN AGZyZWQAdGVzdA==\r\n",
    "a AUTHENTICATE EXTERNAL =\r\n",
    "a LOGIN fred \"pass word\"\r\n",
    "a LOGIN {4}\r\nf\r\nd secret\r\n",
    "a LOGIN \"fr\\\"d\" secret\r\n",
    "a ENABLE CONDSTORE QRESYNC\r\n",
    "a ID NIL\r\n",
    "a ID (\"name\" \"sodr\" \"version\" NIL)\r\n",
    "a COMPRESS DEFLATE\r\n",
    "a SELECT INBOX\r\n",
    "a SELECT INBOX (CONDSTORE)\r\n",
    "a SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n",
    "a EXAMINE INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541 (1:20 41:60)))\r\n",
    "a SELECT blurdybloop (FOO (1 (2 3)) BAR)\r\n",
    "a CREATE owatagusiam/\r\n",
    "a CREATE MySpecialArchive (USE (\\Archive))\r\n",
    "a DELETE blurdybloop\r\n",
    "a RENAME \"old box\" new\r\n",
    "a SUBSCRIBE #news.comp.mail.mime\r\n",
    "a UNSUBSCRIBE #news.comp.mail.mime\r\n",
    "a LIST \"\" *\r\n",
    "a LIST \"\" %\r\n",
    "a LIST /usr/staff/jones \"\"\r\n",
    "a LIST (SUBSCRIBED RECURSIVEMATCH) \"\" %\r\n",
    "a LIST () \"\" (INBOX Drafts Sent/%)\r\n",
    "a LIST \"\" % RETURN (CHILDREN SPECIAL-USE MYRIGHTS STATUS (MESSAGES UNSEEN SIZE))\r\n",
    "a LIST (SPECIAL-USE) \"\" *\r\n",
    "a LSUB #news. comp.mail.*\r\n",
    "a STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ APPENDLIMIT MAILBOXID DELETED SIZE)\r\n",
    "a APPEND saved-messages (\\Seen) {5}\r\nhello\r\n",
    "a APPEND saved-messages (\\Seen) \" 7-Feb-1994 21:52:25 -0800\" {5}\r\nhello\r\n",
    "a APPEND INBOX {3}\r\none () {3}\r\ntwo\r\n",
    "a APPEND INBOX ~{3}\r\na\0b\r\n",
    "a APPEND Drafts (\\Draft) CATENATE (URL /Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER TEXT {4}\r\nbody URL /Drafts/;UID=20/;section=1.MIME)\r\n",
    "a APPEND INBOX UTF8 (~{8}\r\nSubj: \u{e9})\r\n",
    "a APPEND INBOX (\\Seen) UTF8 (~{2+}\r\nhi) UTF8 (~{1}\r\nx)\r\n",
    "a APPEND Drafts CATENATE (URL /Drafts/;UID=20/;section=HEADER UTF8 (~{3}\r\n\u{e9}\0) TEXT {1}\r\n.)\r\n",
    "a FETCH 2:4 ALL\r\n",
    "a FETCH 2:4 FAST\r\n",
    "a FETCH 2:4 FULL\r\n",
    "a FETCH 12 FLAGS\r\n",
    "a FETCH 12 (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY BODYSTRUCTURE UID)\r\n",
    "a FETCH 12 (RFC822 RFC822.HEADER RFC822.TEXT)\r\n",
    "a FETCH 1 (BODY[] BODY.PEEK[HEADER] BODY[TEXT]<0.2048> BODY[1.2.MIME] BODY[1.2.HEADER.FIELDS (From To)])\r\n",
    "a FETCH 1 BODY.PEEK[HEADER.FIELDS.NOT (Received)]\r\n",
    "a FETCH 1 (BINARY[1.2] BINARY.PEEK[]<0.10> BINARY.SIZE[3])\r\n",
    "a FETCH 1:* (FLAGS MODSEQ) (CHANGEDSINCE 12345)\r\n",
    "a UID FETCH 300:500 FLAGS (CHANGEDSINCE 12345 VANISHED)\r\n",
    "a UID FETCH 1:* FLAGS (PARTIAL -1:-100)\r\n",
    "a FETCH 1 (EMAILID THREADID SAVEDATE PREVIEW (LAZY))\r\n",
    "a FETCH $ FLAGS\r\n",
    "a STORE 2:4 +FLAGS (\\Deleted)\r\n",
    "a STORE 2:4 -FLAGS.SILENT (\\Seen $Forwarded)\r\n",
    "a UID STORE 7,5,9 (UNCHANGEDSINCE 320162338) FLAGS ()\r\n",
    "a COPY 2:4 MEETING\r\n",
    "a UID COPY 2:4 MEETING\r\n",
    "a MOVE 2:4 Archive\r\n",
    "a UID MOVE 42 foo\r\n",
    "a SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM Smith\r\n",
    "a SEARCH CHARSET UTF-8 TEXT {3}\r\na\nb\r\n",
    "a UID SEARCH OR (FROM alice TO bob) UNSEEN\r\n",
    "a SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994\r\n",
    "a SEARCH RETURN () UNDELETED\r\n",
    "a SEARCH RETURN (SAVE) DELETED\r\n",
    "a UID SEARCH RETURN (PARTIAL 1:500 COUNT) UNDELETED\r\n",
    "a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338\r\n",
    "a SEARCH MODSEQ 620162338\r\n",
    "a SEARCH YOUNGER 3600 OLDER 60 FUZZY SUBJECT hello\r\n",
    "a SEARCH HEADER Message-ID <x@y> LARGER 100 SMALLER 2000 UID 1:5 1,3,5 $\r\n",
    "a SEARCH EMAILID M6d99ac3275bb4e THREADID T64b478a75b7ea9 SAVEDSINCE 1-Jan-2020 SAVEDATESUPPORTED\r\n",
    "a SEARCH RETURN (CONTEXT UPDATE UPDATE(UID FLAGS)) KEYWORD $Junk UNKEYWORD foo NEW OLD RECENT\r\n",
    "a SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994\r\n",
    "a UID SORT (REVERSE DATE DISPLAYFROM) US-ASCII UNDELETED UNKEYWORD $Junk\r\n",
    "a SORT RETURN (MIN) (ARRIVAL) UTF-8 ALL\r\n",
    "a THREAD ORDEREDSUBJECT UTF-8 SINCE 5-Mar-2000\r\n",
    "a UID THREAD REFERENCES US-ASCII ALL\r\n",
    "a GETQUOTA \"\"\r\n",
    "a GETQUOTAROOT INBOX\r\n",
    "a SETQUOTA \"\" (STORAGE 512)\r\n",
    "a GETMETADATA \"\" /shared/comment\r\n",
    "a GETMETADATA (MAXSIZE 1024 DEPTH infinity) INBOX (/shared/comment /private/comment)\r\n",
    "a SETMETADATA INBOX (/private/comment \"My new comment\" /shared/x NIL)\r\n",
    "a GETACL INBOX\r\n",
    "a SETACL INBOX Fred +rwipslxetad\r\n",
    "a DELETEACL INBOX Fred\r\n",
    "a LISTRIGHTS ~/Mail/saved smith\r\n",
    "a MYRIGHTS INBOX\r\n",
    "a REPLACE 3 Drafts {5}\r\nhello\r\n",
    "a UID REPLACE 3 Drafts (\\Draft) {5}\r\nhello\r\n",
    "a NOTIFY NONE\r\n",
    "a NOTIFY SET STATUS (SELECTED (MessageNew (UID BODY.PEEK[HEADER.FIELDS (From To)]) MessageExpunge)) (SUBTREE Lists (MessageNew MessageExpunge FlagChange)) (MAILBOXES (INBOX Drafts) NONE)\r\n",
    "a XYZZY\r\n",
    "a XYZZY some (raw) {3}\r\nabc args\r\n",
    "a UID XYZZY 1:2\r\n",
];

#[test]
fn canonical_commands_decode_and_encode_back_identically() {
    for input in CANONICAL {
        let command = parse(input.as_bytes());
        let encoded = command.to_bytes();
        assert_eq!(String::from_utf8_lossy(&encoded), *input, "{command:#?}");
        // Whole-buffer decoding agrees and reports the length.
        let mut longer = input.as_bytes().to_vec();
        longer.extend_from_slice(b"b NOOP\r\n");
        match decode_command(&longer, Limits::default()).unwrap() {
            Decoded::Complete { value, consumed } => {
                assert_eq!(consumed, input.len());
                assert_eq!(value, command);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn case_and_forms_are_normalised() {
    let cases: &[(&str, &str)] = &[
        ("a uid fetch 1 flags\r\n", "a UID FETCH 1 FLAGS\r\n"),
        ("a login \"fred\" \"secret\"\r\n", "a LOGIN fred secret\r\n"),
        ("a select \"inbox\"\r\n", "a SELECT INBOX\r\n"),
        ("a fetch 1 (flags)\r\n", "a FETCH 1 FLAGS\r\n"),
        (
            "a store 1 +flags \\Seen \\Deleted\r\n",
            "a STORE 1 +FLAGS (\\Seen \\Deleted)\r\n",
        ),
        ("a list \"\" \"*\"\r\n", "a LIST \"\" *\r\n"),
        (
            "a search since \"1-Feb-1994\"\r\n",
            "a SEARCH SINCE 1-Feb-1994\r\n",
        ),
    ];
    for (input, canonical) in cases {
        let command = parse(input.as_bytes());
        assert_eq!(String::from_utf8_lossy(&command.to_bytes()), *canonical);
        assert_eq!(parse(canonical.as_bytes()), command);
    }
}

#[test]
fn malformed_commands_fail_with_offsets() {
    let cases: &[(&str, usize, Expected)] = &[
        ("a FETCH\r\n", 7, Expected::Space),
        ("a FETCH 1 \"FLAGS\"\r\n", 10, Expected::FetchAttribute),
        ("a FETCH 0 FLAGS\r\n", 9, Expected::SequenceSet),
        ("a SEARCH FOO\r\n", 9, Expected::SearchKey),
        ("a LOGIN fred\r\n", 12, Expected::Space),
        ("a NOOP extra\r\n", 6, Expected::Crlf),
        ("+ NOOP\r\n", 0, Expected::Tag),
        ("a STORE 1 FLAG (\\Seen)\r\n", 10, Expected::Keyword),
    ];
    for (input, offset, expected) in cases {
        let error = parse_command(input.as_bytes(), Limits::default()).unwrap_err();
        assert_eq!(
            (error.offset(), error.kind()),
            (*offset, ErrorKind::Expected(*expected)),
            "{input:?}"
        );
    }
}

#[test]
fn structure_of_representative_commands() {
    use groupwire_imap::command::fetch::{FetchAttributeName, FetchItems, Section, SectionText};
    let command = parse(b"A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n");
    assert_eq!(command.tag.as_str(), "A654");
    let CommandBody::Fetch(fetch) = command.body else {
        panic!()
    };
    assert!(!fetch.uid);
    assert_eq!(fetch.set.as_bytes(), b"2:4");
    let FetchItems::Attributes(attrs) = fetch.items else {
        panic!()
    };
    assert_eq!(attrs.len(), 2);
    assert_eq!(attrs[0], FetchAttributeName::Flags);
    let FetchAttributeName::BodySection {
        peek: false,
        section:
            Section {
                part,
                text: Some(SectionText::HeaderFields(names)),
            },
        partial: None,
    } = &attrs[1]
    else {
        panic!("{:?}", attrs[1])
    };
    assert!(part.is_empty());
    assert_eq!(names.len(), 2);
    assert_eq!(&*names.to_vec()[1].bytes(), b"FROM");

    let command = parse(b"a LOGIN {4}\r\nfred {6}\r\nsecret\r\n");
    let CommandBody::Login { username, password } = command.body else {
        panic!()
    };
    assert_eq!(&*username.bytes(), b"fred");
    assert_eq!(&*password.bytes(), b"secret");
}

#[test]
fn fragments_split_at_synchronising_literals() {
    let command = parse(b"a LOGIN {4}\r\nfr\nd {6}\r\nse\0ret\r\n");
    let fragments: Vec<_> = encode_fragments(&command, LiteralPolicy::Synchronizing).collect();
    assert_eq!(
        fragments,
        vec![
            Fragment::Line(b"a LOGIN {4}\r\n".to_vec()),
            Fragment::Literal {
                data: b"fr\nd".to_vec(),
                mode: groupwire_imap::core::LiteralMode::Sync
            },
            Fragment::Line(b" {6}\r\n".to_vec()),
            Fragment::Literal {
                data: b"se\0ret".to_vec(),
                mode: groupwire_imap::core::LiteralMode::Sync
            },
            Fragment::Line(b"\r\n".to_vec()),
        ]
    );
    let plus: Vec<_> = encode_fragments(&command, LiteralPolicy::LiteralPlus).collect();
    assert_eq!(plus[0], Fragment::Line(b"a LOGIN {4+}\r\n".to_vec()));
    assert_eq!(plus[2], Fragment::Line(b" {6+}\r\n".to_vec()));
}

#[test]
fn literal_minus_synchronises_only_large_literals() {
    let mut input = b"a APPEND INBOX {5000}\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 5000));
    input.extend_from_slice(b" {3}\r\nabc\r\n");
    let command = parse(&input);
    let fragments: Vec<_> = encode_fragments(&command, LiteralPolicy::LiteralMinus).collect();
    assert_eq!(
        fragments[0],
        Fragment::Line(b"a APPEND INBOX {5000}\r\n".to_vec())
    );
    assert!(
        matches!(&fragments[1], Fragment::Literal { data, mode: groupwire_imap::core::LiteralMode::Sync } if data.len() == 5000)
    );
    assert_eq!(fragments[2], Fragment::Line(b" {3+}\r\n".to_vec()));
}

#[test]
fn literal_size_limit() {
    let mut limits = Limits::default();
    limits.max_literal_size = 10;
    let error = decode_command(b"a LOGIN {11}\r\n", limits).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::LimitExceeded(Limit::LiteralSize));
}

#[test]
fn truncation_is_incomplete_at_every_offset() {
    for input in CANONICAL {
        let bytes = input.as_bytes();
        for end in 0..bytes.len() {
            match decode_command(&bytes[..end], Limits::default()) {
                Ok(Decoded::Incomplete { .. }) => {}
                other => panic!("{input:?} cut at {end}: {other:?}"),
            }
        }
    }
}

#[test]
fn nesting_list_and_line_limits() {
    let deep_not = format!("a SEARCH {}ALL\r\n", "NOT ".repeat(100));
    let error = parse_command(deep_not.as_bytes(), Limits::default()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::LimitExceeded(Limit::NestingDepth));
    let deep_paren = format!("a SEARCH {}ALL{}\r\n", "(".repeat(100), ")".repeat(100));
    let error = parse_command(deep_paren.as_bytes(), Limits::default()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::LimitExceeded(Limit::NestingDepth));
    // Just inside the limit is fine.
    let ok = format!("a SEARCH {}ALL\r\n", "NOT ".repeat(60));
    assert!(parse_command(ok.as_bytes(), Limits::default()).is_ok());

    let mut limits = Limits::default();
    limits.max_list_length = 3;
    let error = parse_command(b"a FETCH 1 (FLAGS UID ENVELOPE BODY)\r\n", limits).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::LimitExceeded(Limit::ListLength));
    assert!(parse_command(b"a FETCH 1 (FLAGS UID ENVELOPE)\r\n", limits).is_ok());
    let error = parse_command(b"a SEARCH 1 2 3 4\r\n", limits).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::LimitExceeded(Limit::ListLength));

    let mut limits = Limits::default();
    limits.max_line_length = 16;
    let error = decode_command(b"a SELECT averyveryverylongname\r\n", limits).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::LimitExceeded(Limit::LineLength));
    // Without a line end yet, a line already past the limit is an error, not incomplete.
    let error = decode_command(b"a SELECT averyveryverylong", limits).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::LimitExceeded(Limit::LineLength));
}

#[test]
fn unknown_commands_keep_their_arguments_raw() {
    let command =
        parse(b"t1 XAPPLEPUSHSERVICE aps-version 2 aps-subtopic com.apple.mobilemail\r\n");
    let CommandBody::Unknown(unknown) = &command.body else {
        panic!("{command:?}")
    };
    assert_eq!(unknown.name.as_bytes(), b"XAPPLEPUSHSERVICE");
    assert_eq!(
        unknown.arguments.as_bytes(),
        b"aps-version 2 aps-subtopic com.apple.mobilemail"
    );
    // A known command with bad arguments is an error, not an unknown command.
    assert!(parse_command(b"a SELECT\r\n", Limits::default()).is_err());
}

/// RFC 6855 §4: `append-data =/ "UTF8" SP "(" literal8 ")"` and the same as a `cat-part`.
#[test]
fn utf8_append_data_decodes_and_splits_at_its_literal8() {
    use groupwire_imap::command::append::{AppendData, CatenatePart};
    let input = "a APPEND INBOX UTF8 (~{14}\r\nSubject: \u{e9}t\u{e9})\r\n".as_bytes();
    let command = parse(input);
    let CommandBody::Append(append) = &command.body else {
        panic!("{:?}", command.body)
    };
    let AppendData::Utf8(literal) = &append.messages[0].data else {
        panic!("{:?}", append.messages[0].data)
    };
    assert_eq!(literal.data.as_bytes(), "Subject: \u{e9}t\u{e9}".as_bytes());
    assert!(literal.binary);
    assert_eq!(command.to_bytes(), input);

    let fragments: Vec<_> = encode_fragments(&command, LiteralPolicy::Synchronizing).collect();
    assert_eq!(
        fragments,
        vec![
            Fragment::Line(b"a APPEND INBOX UTF8 (~{14}\r\n".to_vec()),
            Fragment::Literal {
                data: "Subject: \u{e9}t\u{e9}".as_bytes().to_vec(),
                mode: groupwire_imap::core::LiteralMode::Sync
            },
            Fragment::Line(b")\r\n".to_vec()),
        ]
    );
    let plus: Vec<_> = encode_fragments(&command, LiteralPolicy::LiteralPlus).collect();
    assert_eq!(
        plus[0],
        Fragment::Line(b"a APPEND INBOX UTF8 (~{14+}\r\n".to_vec())
    );

    let input = b"a APPEND Drafts CATENATE (URL /Drafts/;UID=20/;section=HEADER UTF8 (~{2}\r\n\xc3\xa9) TEXT {1}\r\n.)\r\n";
    let command = parse(input);
    let CommandBody::Append(append) = &command.body else {
        panic!()
    };
    let AppendData::Catenate(parts) = &append.messages[0].data else {
        panic!("{:?}", append.messages[0].data)
    };
    assert!(matches!(&parts[0], CatenatePart::Url(_)));
    let CatenatePart::Utf8(utf8) = &parts[1] else {
        panic!("{:?}", parts[1])
    };
    assert_eq!(utf8.data.as_bytes(), b"\xc3\xa9");
    assert!(matches!(&parts[2], CatenatePart::Text(text) if text.data.as_bytes() == b"."));
    assert_eq!(command.to_bytes(), input);
    let fragments: Vec<_> = encode_fragments(&command, LiteralPolicy::Synchronizing).collect();
    assert_eq!(
        fragments[0],
        Fragment::Line(
            b"a APPEND Drafts CATENATE (URL /Drafts/;UID=20/;section=HEADER UTF8 (~{2}\r\n"
                .to_vec()
        )
    );
    assert_eq!(fragments[2], Fragment::Line(b") TEXT {1}\r\n".to_vec()));
}

/// The UTF8 data extension takes only a `literal8`, inside parentheses.
#[test]
fn utf8_append_data_requires_a_parenthesised_literal8() {
    let cases: &[(&[u8], usize, Expected)] = &[
        (
            b"a APPEND INBOX UTF8 ({2}\r\nhi)\r\n",
            21,
            Expected::LiteralAnnouncement,
        ),
        (
            b"a APPEND INBOX UTF8 ~{2}\r\nhi\r\n",
            20,
            Expected::OpenParen,
        ),
        (
            b"a APPEND INBOX UTF8 (~{2}\r\nhi\r\n",
            29,
            Expected::CloseParen,
        ),
        (
            b"a APPEND INBOX CATENATE (UTF8 {2}\r\nhi)\r\n",
            30,
            Expected::OpenParen,
        ),
    ];
    for (input, offset, expected) in cases {
        let error = parse_command(input, Limits::default()).unwrap_err();
        assert_eq!(
            (error.offset(), error.kind()),
            (*offset, ErrorKind::Expected(*expected)),
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

/// The encoder announces the UTF8 extension's literal as `literal8` even if built as a plain
/// literal, so what it writes always decodes.
#[test]
fn utf8_append_data_always_encodes_a_literal8() {
    use groupwire_imap::command::append::{Append, AppendData, AppendMessage};
    use groupwire_imap::core::{Literal, Mailbox};
    let append = Append {
        mailbox: Mailbox::Inbox,
        messages: vec![AppendMessage {
            flags: None,
            date: None,
            data: AppendData::Utf8(Literal::new(&b"hi"[..])),
        }],
    };
    assert_eq!(append.to_bytes(), b"APPEND INBOX UTF8 (~{2}\r\nhi)");
}

/// FETCH attribute names are dispatched in one `match` on the upper-cased name: every case
/// spelling types the same, a name that only starts like a known one stays unknown, and a
/// section that is not `section-binary` keeps the attribute raw.
#[test]
fn fetch_attribute_names_in_any_case() {
    use groupwire_imap::IntoOwned;
    use groupwire_imap::command::fetch::{FetchAttributeName as F, FetchItems};
    let items = |list: &str| -> Vec<F<'static>> {
        let line = format!("a FETCH 1 ({list})\r\n");
        let command = parse(line.as_bytes()).into_owned();
        let CommandBody::Fetch(fetch) = command.body else {
            panic!("{list}: not a FETCH");
        };
        let FetchItems::Attributes(items) = fetch.items else {
            panic!("{list}: not a list");
        };
        items
    };
    let typed = items(
        "envelope Flags internaldate rfc822.header RFC822.size Rfc822.Text rfc822 \
         bodystructure body uid modseq emailid threadid savedate",
    );
    assert_eq!(
        typed,
        [
            F::Envelope,
            F::Flags,
            F::InternalDate,
            F::Rfc822Header,
            F::Rfc822Size,
            F::Rfc822Text,
            F::Rfc822,
            F::BodyStructure,
            F::Body,
            F::Uid,
            F::ModSeq,
            F::EmailId,
            F::ThreadId,
            F::SaveDate,
        ]
    );
    assert_eq!(items("preview (lazy)"), [F::Preview { lazy: true }]);
    assert_eq!(items("Preview uid"), [F::Preview { lazy: false }, F::Uid]);
    let sections = items("body.peek[header] Body[] binary.peek[1] BINARY[2] binary.size[1]");
    assert!(matches!(sections[0], F::BodySection { peek: true, .. }));
    assert!(matches!(sections[1], F::BodySection { peek: false, .. }));
    assert!(matches!(sections[2], F::Binary { peek: true, .. }));
    assert!(matches!(sections[3], F::Binary { peek: false, .. }));
    assert!(matches!(sections[4], F::BinarySize { .. }));
    // Only exact names type: a longer name, a name with a section it does not take, and a
    // BINARY section that is not `section-binary` are kept as sent.
    for raw in [
        "FLAGSX",
        "UID[1]",
        "BODY.PEEKX[1]",
        "BINARY[1.MIME]",
        "X-GM-MSGID",
    ] {
        let kept = items(raw);
        match kept.as_slice() {
            [F::Other { name, .. }] => assert_eq!(name.as_bytes(), raw.as_bytes(), "{raw}"),
            other => panic!("{raw}: {other:?}"),
        }
    }
}
