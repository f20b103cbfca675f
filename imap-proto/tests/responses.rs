//! Known-answer tests for response decoding and encoding, limits, and chunked decoding.

use std::num::NonZeroU32;

#[path = "support/nested.rs"]
mod nested;
use nested::nested_bodystructure;

use groupwire_imap::core::{Atom, Flag, IString, Mailbox, SeqNumber};
use groupwire_imap::response::bodystructure::{BodyStructure, SinglePartKind};
use groupwire_imap::response::code::Code;
use groupwire_imap::response::continuation::Continuation;
use groupwire_imap::response::fetch::FetchAttribute;
use groupwire_imap::response::list::{ListExtendedItem, MailboxAttribute};
use groupwire_imap::response::mailbox_status::StatusItem;
use groupwire_imap::response::search::SearchReturnData;
use groupwire_imap::response::{Capability, Data, Response, Status};
use groupwire_imap::stream::client::ResponseDecoder;
use groupwire_imap::{Decoded, Encode, ErrorKind, IntoOwned, Limit, Limits};

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

fn decode(input: &[u8]) -> Response<'_> {
    match Response::decode(input, &Limits::default()) {
        Ok(Decoded::Complete { value, consumed }) => {
            assert_eq!(consumed, input.len(), "trailing bytes in {input:?}");
            // Every known answer also round-trips.
            let encoded = value.to_bytes();
            let again = Response::decode(&encoded, &Limits::default()).unwrap();
            assert_eq!(
                again.complete().unwrap().0,
                value,
                "{:?}",
                String::from_utf8_lossy(&encoded)
            );
            value
        }
        other => panic!("{:?}: {other:?}", String::from_utf8_lossy(input)),
    }
}

fn data(input: &[u8]) -> Data<'_> {
    match decode(input) {
        Response::Data(d) => d,
        other => panic!("not data: {other:?}"),
    }
}

fn error(input: &[u8], limits: Limits) -> groupwire_imap::DecodeError {
    match Response::decode(input, &limits) {
        Err(e) => e,
        other => panic!("{:?} decoded: {other:?}", String::from_utf8_lossy(input)),
    }
}

#[test]
fn status_responses_with_codes() {
    let r = decode(b"A142 OK [READ-WRITE] SELECT completed\r\n");
    let Response::Status(s) = r else { panic!() };
    assert_eq!(s.tag.unwrap().as_str(), "A142");
    assert_eq!(s.status, Status::Ok);
    assert_eq!(s.text.code, Some(Code::ReadWrite));
    assert_eq!(s.text.text.as_bytes(), b"SELECT completed");

    let cases: Vec<(&[u8], Code)> = vec![
        (
            b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n",
            Code::UidValidity(nz(3857529045)),
        ),
        (
            b"* OK [UIDNEXT 4392] Predicted next UID\r\n",
            Code::UidNext(nz(4392)),
        ),
        (
            b"* NO [ALERT] System shutdown in 10 minutes\r\n",
            Code::Alert,
        ),
        (
            b"* OK [HIGHESTMODSEQ 715194045007] Highest\r\n",
            Code::HighestModSeq(715194045007),
        ),
        (b"* OK [NOMODSEQ] Sorry\r\n", Code::NoModSeq),
        (b"* OK [CLOSED] Previous mailbox closed\r\n", Code::Closed),
        (b"A1 NO [TRYCREATE] no such mailbox\r\n", Code::TryCreate),
        (b"A1 NO [OVERQUOTA] full\r\n", Code::OverQuota),
        (b"A1 NO [TOOBIG] too big\r\n", Code::TooBig),
        (
            b"A1 NO [AUTHENTICATIONFAILED] bad\r\n",
            Code::AuthenticationFailed,
        ),
        (b"A1 NO [UNKNOWN-CTE] cannot\r\n", Code::UnknownCte),
        (
            b"* OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Ok\r\n",
            Code::MailboxId(Atom::new("F2212ea87-6097-4256-9d51-71338625").unwrap()),
        ),
    ];
    for (input, code) in cases {
        let Response::Status(s) = decode(input) else {
            panic!()
        };
        assert_eq!(
            s.text.code,
            Some(code),
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }

    let Response::Status(s) = decode(b"A003 OK [APPENDUID 38505 3955] APPEND completed\r\n") else {
        panic!()
    };
    let Some(Code::AppendUid { uid_validity, uids }) = s.text.code else {
        panic!()
    };
    assert_eq!(uid_validity.get(), 38505);
    assert_eq!(uids.numbers(0).collect::<Vec<_>>(), [3955]);

    let Response::Status(s) = decode(b"A004 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n")
    else {
        panic!()
    };
    let Some(Code::CopyUid {
        source,
        destination,
        ..
    }) = s.text.code
    else {
        panic!()
    };
    assert_eq!(source.numbers(0).collect::<Vec<_>>(), [304, 319, 320]);
    assert_eq!(
        destination.numbers(0).collect::<Vec<_>>(),
        [3956, 3957, 3958]
    );

    let Response::Status(s) = decode(b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n")
    else {
        panic!()
    };
    assert_eq!(
        s.text.code,
        Some(Code::PermanentFlags(
            vec![Flag::Deleted, Flag::Seen, Flag::Wildcard].into()
        ))
    );

    let Response::Status(s) = decode(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN X-FOO] ready\r\n")
    else {
        panic!()
    };
    let Some(Code::Capability(caps)) = s.text.code else {
        panic!()
    };
    assert_eq!(caps.to_vec()[0], Capability::Imap4rev1);
    assert_eq!(
        caps.to_vec()[1],
        Capability::Auth(Atom::new("PLAIN").unwrap())
    );
    assert_eq!(
        caps.to_vec()[2],
        Capability::Other(Atom::new("X-FOO").unwrap())
    );
}

#[test]
fn unknown_codes_round_trip_raw() {
    let input = b"* OK [X-VENDOR-THING 12 (a b)] hello\r\n";
    let Response::Status(s) = decode(input) else {
        panic!()
    };
    let Some(Code::Other { name, arguments }) = &s.text.code else {
        panic!()
    };
    assert_eq!(name.as_str(), "X-VENDOR-THING");
    assert_eq!(arguments.as_ref().unwrap().as_bytes(), b"12 (a b)");
    assert_eq!(Response::Status(s.clone()).to_bytes(), input);
}

#[test]
fn greeting_bye_and_text_without_code() {
    let Response::Status(s) = decode(b"* BYE Autologout; idle for too long\r\n") else {
        panic!()
    };
    assert_eq!((s.tag, s.status), (None, Status::Bye));
    let Response::Status(s) = decode(b"* PREAUTH IMAP4rev2 server logged in as Smith\r\n") else {
        panic!()
    };
    assert_eq!(s.status, Status::PreAuth);
    let Response::Status(s) = decode(b"a1 OK\r\n") else {
        panic!()
    };
    assert!(s.text.text.is_empty());
}

#[test]
fn continuations() {
    assert!(matches!(
        decode(b"+ Ready for literal data\r\n"),
        Response::Continuation(Continuation::Text(_))
    ));
    let Response::Continuation(Continuation::Base64(b)) =
        decode(b"+ YGgGCSqGSIb3EgECAgIBAAD/////6jcyG4GE3KkTzBeBiVHeceP2CWY0SR0fAQAgAAQEBAQ=\r\n")
    else {
        panic!()
    };
    assert!(b.as_bytes().ends_with(b"BAQ="));
    assert!(matches!(
        decode(b"+ \r\n"),
        Response::Continuation(Continuation::Text(_))
    ));
    assert!(matches!(
        decode(b"+\r\n"),
        Response::Continuation(Continuation::Text(_))
    ));
}

#[test]
fn mailbox_data() {
    assert_eq!(data(b"* 172 EXISTS\r\n"), Data::Exists(172));
    assert_eq!(data(b"* 1 RECENT\r\n"), Data::Recent(1));
    assert_eq!(data(b"* 44 EXPUNGE\r\n"), Data::Expunge(nz(44)));
    assert!(Response::decode(b"* 0 EXPUNGE\r\n", &Limits::default()).is_err());
    assert_eq!(
        data(b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"),
        Data::Flags(
            vec![
                Flag::Answered,
                Flag::Flagged,
                Flag::Deleted,
                Flag::Seen,
                Flag::Draft
            ]
            .into()
        )
    );
    let Data::List(list) = data(b"* LIST (\\Noselect \\HasChildren) \"/\" ~/Mail/foo\r\n") else {
        panic!()
    };
    assert_eq!(
        list.attributes,
        [MailboxAttribute::NoSelect, MailboxAttribute::HasChildren]
    );
    assert_eq!(list.delimiter, Some(b'/'));
    assert_eq!(&*list.mailbox.name(), b"~/Mail/foo");
    let Data::List(list) = data(
        b"* LIST (\\Sent \\X-Custom) NIL inbox (CHILDINFO (\"SUBSCRIBED\") OLDNAME (\"Old\"))\r\n",
    ) else {
        panic!()
    };
    assert_eq!(list.attributes.to_vec()[0], MailboxAttribute::Sent);
    assert_eq!(list.delimiter, None);
    assert_eq!(list.mailbox, Mailbox::Inbox);
    assert_eq!(
        list.extended.to_vec()[0],
        ListExtendedItem::ChildInfo(vec![IString::from("SUBSCRIBED")].into())
    );
    let Data::List(list) = data(b"* LIST () \"\\\\\" Foo\r\n") else {
        panic!()
    };
    assert_eq!(list.delimiter, Some(b'\\'));
    let Data::MailboxStatus(st) = data(b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292 SIZE 123456789012 HIGHESTMODSEQ 7 APPENDLIMIT NIL MAILBOXID (Fx) DELETED 3 X-NEW (1 2))\r\n") else { panic!() };
    assert_eq!(st.items.to_vec()[0], StatusItem::Messages(231));
    assert_eq!(st.items.to_vec()[2], StatusItem::Size(123456789012));
    assert_eq!(st.items.to_vec()[4], StatusItem::AppendLimit(None));
    assert_eq!(st.items.to_vec()[6], StatusItem::Deleted(3));
    assert!(
        matches!(&st.items.to_vec()[7], StatusItem::Other { value, .. } if value.as_bytes() == b"(1 2)")
    );
    let Data::Capability(caps) = data(b"* CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED APPENDLIMIT=1000 COMPRESS=DEFLATE\r\n") else { panic!() };
    assert_eq!(caps.to_vec()[4], Capability::AppendLimit(Some(1000)));
    assert_eq!(
        caps.to_vec()[5],
        Capability::Compress(Atom::new("DEFLATE").unwrap())
    );
    assert_eq!(data(b"* ENABLED\r\n"), Data::Enabled(vec![].into()));
    assert_eq!(
        data(b"* ENABLED CONDSTORE QRESYNC\r\n"),
        Data::Enabled(vec![Capability::CondStore, Capability::QResync].into())
    );
}

#[test]
fn search_sort_esearch_thread() {
    let Data::Search(s) = data(b"* SEARCH 2 84 882\r\n") else {
        panic!()
    };
    assert_eq!(s.numbers.iter().collect::<Vec<_>>(), [2, 84, 882]);
    let Data::Search(s) = data(b"* SEARCH\r\n") else {
        panic!()
    };
    assert!(s.numbers.is_empty());
    let Data::Search(s) = data(b"* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n") else {
        panic!()
    };
    assert_eq!(s.numbers.len(), 10);
    assert_eq!(s.modseq, Some(917162500));
    let Data::ESearch(e) = data(b"* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800 COUNT 4 ALL 7,3800 PARTIAL (-1:-100 NIL) ADDTO (0 3) X-FOO 5\r\n") else { panic!() };
    assert!(e.uid);
    assert_eq!(&*e.tag.unwrap().bytes(), b"A285");
    assert_eq!(e.data.to_vec()[0], SearchReturnData::Min(nz(7)));
    assert_eq!(e.data.to_vec()[2], SearchReturnData::Count(4));
    assert!(
        matches!(&e.data.to_vec()[4], SearchReturnData::Partial { range, results: None } if range.first == -1 && range.last == -100)
    );
    assert!(matches!(&e.data.to_vec()[5], SearchReturnData::AddTo(v) if v.len() == 1));
    assert!(matches!(
        &e.data.to_vec()[6],
        SearchReturnData::Other { .. }
    ));
    let Data::ESearch(e) = data(b"* ESEARCH\r\n") else {
        panic!()
    };
    assert!(e.data.is_empty() && !e.uid && e.tag.is_none());
    let Data::Thread(t) = data(b"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n") else {
        panic!()
    };
    assert_eq!(t.len(), 2);
    let Data::Vanished { earlier, uids } = data(b"* VANISHED (EARLIER) 300:310,405,411\r\n") else {
        panic!()
    };
    assert!(earlier);
    assert_eq!(uids.iter().next().unwrap().start, SeqNumber::Value(nz(300)));
}

#[test]
fn other_untagged_data() {
    let Data::Namespace(ns) = data(b"* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\")))\r\n") else { panic!() };
    assert_eq!(ns.shared.as_ref().unwrap().len(), 2);
    assert_eq!(ns.shared.unwrap().to_vec()[1].extensions.len(), 1);
    let Data::Namespace(ns) = data(b"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n") else {
        panic!()
    };
    assert!(ns.other_users.is_none());
    let Data::Id(id) = data(b"* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" NIL)\r\n") else {
        panic!()
    };
    assert_eq!(id.0.as_ref().unwrap().len(), 3);
    assert_eq!(id.0.unwrap().to_vec()[2].1, None);
    let Data::Quota(q) = data(b"* QUOTA \"\" (STORAGE 10 512 MESSAGE 1 100)\r\n") else {
        panic!()
    };
    assert_eq!(q.resources.to_vec()[1].limit, 100);
    let Data::QuotaRoot(q) = data(b"* QUOTAROOT INBOX \"\"\r\n") else {
        panic!()
    };
    assert_eq!(q.roots.len(), 1);
    let Data::Metadata(m) =
        data(b"* METADATA \"\" (/shared/comment \"Shared comment\" /private/x NIL)\r\n")
    else {
        panic!()
    };
    let _ = m;
    let Data::Metadata(_) = data(b"* METADATA INBOX /shared/comment /private/comment\r\n") else {
        panic!()
    };
    let Data::Acl(acl) = data(b"* ACL INBOX Fred rwipsldexta owner lrswipkxtecda\r\n") else {
        panic!()
    };
    assert_eq!(acl.entries.len(), 2);
    let Data::ListRights(lr) = data(b"* LISTRIGHTS ~/Mail/saved smith la r swicdkxte\r\n") else {
        panic!()
    };
    assert_eq!(lr.optional.len(), 2);
    let Data::MyRights(_) = data(b"* MYRIGHTS INBOX rwiptsldaex\r\n") else {
        panic!()
    };
    let Data::Other { name, rest, number } = data(b"* 3 XFOO bar {3}\r\nabc baz\r\n") else {
        panic!()
    };
    assert_eq!((number, name.as_str()), (Some(3), "XFOO"));
    assert_eq!(rest.unwrap().as_bytes(), b"bar {3}\r\nabc baz");
}

#[test]
fn fetch_attributes() {
    let input = b"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev2 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n";
    let Data::Fetch(f) = data(input) else {
        panic!()
    };
    let fa = f.attributes.to_vec();
    assert_eq!(f.seq.get(), 12);
    assert_eq!(f.attributes.len(), 5);
    let FetchAttribute::Envelope(env) = &fa[3] else {
        panic!()
    };
    assert_eq!(env.cc.as_ref().unwrap().len(), 2);
    assert_eq!(env.bcc, None);
    let FetchAttribute::Body(body) = &fa[4] else {
        panic!()
    };
    let BodyStructure::Single(part) = &**body else {
        panic!()
    };
    assert_eq!(part.kind, SinglePartKind::Text { lines: 92 });
    assert_eq!(part.fields.octets, 3028);

    let Data::Fetch(f) = data(b"* 2 FETCH (UID 7 MODSEQ (12121231000) BODY[HEADER.FIELDS (DATE FROM)] {9}\r\nDate: x\r\n BODY[1.2]<0> \"ab\" BINARY[1] ~{3}\r\na\x00b BINARY.SIZE[2.1] 88 EMAILID (M6d9) THREADID NIL SAVEDATE NIL PREVIEW \"Hi\" X-GM-MSGID 1278455344230334865 X-GM-LABELS (\\Inbox \"Work Stuff\" foo) X-UNKNOWN[1]<2> (a (b \"c\")))\r\n") else { panic!() };
    let fa = f.attributes.to_vec();
    assert_eq!(f.uid(), Some(nz(7)));
    assert_eq!(fa[1], FetchAttribute::ModSeq(12121231000));
    let FetchAttribute::BodySection {
        data: Some(d),
        section,
        origin: None,
    } = &fa[2]
    else {
        panic!()
    };
    assert_eq!(&*d.bytes(), b"Date: x\r\n");
    assert!(section.part.is_empty());
    let FetchAttribute::BodySection {
        origin: Some(0),
        section,
        ..
    } = &fa[3]
    else {
        panic!()
    };
    assert_eq!(section.part, [nz(1), nz(2)]);
    let FetchAttribute::Binary { data: Some(d), .. } = &fa[4] else {
        panic!()
    };
    assert_eq!(&*d.bytes(), b"a\0b");
    assert_eq!(
        fa[5],
        FetchAttribute::BinarySize {
            part: vec![nz(2), nz(1)],
            size: 88
        }
    );
    assert_eq!(fa[7], FetchAttribute::ThreadId(None));
    let FetchAttribute::GmailLabels(labels) = &fa[11] else {
        panic!()
    };
    assert_eq!(&*labels[0].bytes(), b"\\Inbox");
    let FetchAttribute::Other { name, value } = &fa[12] else {
        panic!()
    };
    assert_eq!(name.as_bytes(), b"X-UNKNOWN[1]<2>");
    assert_eq!(value.as_bytes(), b"(a (b \"c\"))");
}

#[test]
fn bodystructure_with_extension_data() {
    let input = b"* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 120 5 NIL (\"inline\" NIL) NIL NIL)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 300 (NIL \"sub\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"application\" \"pdf\" (\"name\" \"a.pdf\") NIL NIL \"base64\" 80 \"md5\" (\"attachment\" (\"filename\" \"a.pdf\")) (\"en\" \"de\") \"loc\" 1 (2 \"x\")) 10) \"mixed\" (\"boundary\" \"xyz\") NIL \"en\"))\r\n";
    let Data::Fetch(f) = data(input) else {
        panic!()
    };
    let fa = f.attributes.to_vec();
    let FetchAttribute::BodyStructure(b) = &fa[0] else {
        panic!()
    };
    let BodyStructure::Multi(m) = &**b else {
        panic!()
    };
    assert_eq!(m.parts.len(), 2);
    let ext = m.extension.as_ref().unwrap();
    assert_eq!(ext.params.len(), 1);
    let tail = ext.tail.as_ref().unwrap();
    assert!(tail.disposition.is_none());
    assert_eq!(tail.language.as_ref().unwrap().languages.len(), 1);
    let parts = m.parts.to_vec();
    let BodyStructure::Single(msg) = &parts[1] else {
        panic!()
    };
    let SinglePartKind::Message { body, lines, .. } = &msg.kind else {
        panic!()
    };
    assert_eq!(*lines, 10);
    let BodyStructure::Single(pdf) = &**body else {
        panic!()
    };
    let loc = pdf
        .extension
        .as_ref()
        .unwrap()
        .tail
        .as_ref()
        .unwrap()
        .language
        .as_ref()
        .unwrap();
    assert_eq!(loc.languages.len(), 2);
    assert_eq!(loc.location.as_ref().unwrap().extensions.len(), 2);
    // Re-encoding reproduces the bytes exactly (canonical input).
    assert_eq!(decode(input).to_bytes(), input);
}

#[test]
fn deep_bodystructure_is_a_limit_error_not_a_stack_overflow() {
    let input = nested_bodystructure(2000);
    let e = error(&input, Limits::default());
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::NestingDepth));
    // Generous limits still terminate (no recursion without bound in the framer).
    let mut deep_ok = Limits::default();
    deep_ok.max_nesting_depth = 5000;
    let std_thread = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || Response::decode(&input, &deep_ok).map(|d| d.is_complete()));
    assert!(std_thread.unwrap().join().unwrap().unwrap());
}

#[test]
fn limits_on_lines_and_literals() {
    let mut small = Limits::default();
    small.max_line_length = 100;
    small.max_literal_size = 10;
    let long = [b"* OK ".to_vec(), vec![b'x'; 200], b"\r\n".to_vec()].concat();
    let e = error(&long, small);
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::LineLength));
    assert_eq!(e.offset(), 100);
    // The line limit triggers before the CRLF arrives.
    let e = error(&long[..150], small);
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::LineLength));
    let e = error(b"* 1 FETCH (BODY[] {11}\r\n", small);
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::LiteralSize));
    assert_eq!(e.offset(), 18);
    let mut few = Limits::default();
    few.max_list_length = 3;
    let e = error(b"* SEARCH 1 2 3 4\r\n", few);
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::ListLength));
}

#[test]
fn grammar_errors_have_offsets() {
    let e = error(b"* LIST (\\Noselect) \"/\r\n", Limits::default());
    assert_eq!(e.offset(), 21);
    let e = error(b"A1 MAYBE done\r\n", Limits::default());
    assert_eq!(e.offset(), 3);
    let e = error(b"* 1 FETCH (UID 0)\r\n", Limits::default());
    assert_eq!(e.offset(), 15);
}

#[test]
fn chunked_decoding_matches_whole_buffer_and_scans_once() {
    let mut stream = Vec::new();
    stream.extend_from_slice(
        b"* OK [CAPABILITY IMAP4rev2] hi\r\n* 1 FETCH (UID 5 BODY[] {1048576}\r\n",
    );
    stream.extend(std::iter::repeat_n(b'a', 1 << 20));
    stream.extend_from_slice(b")\r\n* 2 EXISTS\r\nA1 OK done\r\n");
    let whole: Vec<_> = {
        let mut d = ResponseDecoder::default();
        let mut at = 0;
        let mut out = Vec::new();
        while at < stream.len() {
            let (v, n) = d.decode(&stream[at..]).unwrap().complete().unwrap();
            out.push(v.into_owned());
            at += n;
        }
        out
    };
    assert_eq!(whole.len(), 4);
    let mut d = ResponseDecoder::default();
    let mut buffer = Vec::new();
    let mut chunked = Vec::new();
    for chunk in stream.chunks(4096) {
        buffer.extend_from_slice(chunk);
        while let Decoded::Complete { value, consumed } = d.decode(&buffer).unwrap() {
            chunked.push(value.into_owned());
            buffer.drain(..consumed);
        }
    }
    assert_eq!(chunked, whole);
    assert!(d.bytes_examined() < 1000, "examined {}", d.bytes_examined());
}

#[test]
fn fuzz_regressions() {
    // Found by fuzz/imap_response: a code without the space before it was taken as text,
    // which re-encoded as a (bad) code.
    let input = b"d NO[ EXPIRED] That password isn't valid any mo5\0\0\0\r\n";
    assert!(Response::decode(input, &Limits::default()).is_err());
    let Response::Status(s) = decode(b"d NO\r\n") else {
        panic!()
    };
    assert!(s.text.code.is_none() && s.text.text.is_empty());
}

#[test]
fn fast_paths_agree_with_the_general_grammar() {
    // Keywords and FETCH names in any case; a keyword longer than any known one is kept raw.
    assert_eq!(
        data(b"* 3 fEtCh (uid 7)\r\n"),
        data(b"* 3 FETCH (UID 7)\r\n")
    );
    assert_eq!(data(b"* 4 Exists\r\n"), Data::Exists(4));
    assert!(matches!(
        data(b"* CAPABILITYANDSOMEMORE x\r\n"),
        Data::Other { name, .. } if name.as_str() == "CAPABILITYANDSOMEMORE"
    ));
    assert_eq!(
        error(b"* 0 FETCH (UID 7)\r\n", Limits::default()).offset(),
        2
    );
    // A plain header list and one the general parser reads (a quoted name) give the same
    // names; malformed lists are refused where the general parser refuses them.
    let names = |input: &[u8]| match data(input) {
        Data::Fetch(fetch) => match &fetch.attributes.to_vec()[0] {
            FetchAttribute::BodySection { section, .. } => section.clone().into_owned(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    assert_eq!(
        names(b"* 1 FETCH (BODY[HEADER.FIELDS (FROM SUBJECT)] NIL)\r\n"),
        names(b"* 1 FETCH (BODY[HEADER.FIELDS (FROM \"SUBJECT\")] NIL)\r\n")
    );
    for bad in [
        &b"* 1 FETCH (BODY[HEADER.FIELDS (FROM  SUBJECT)] NIL)\r\n"[..],
        b"* 1 FETCH (BODY[HEADER.FIELDS ( FROM)] NIL)\r\n",
        b"* 1 FETCH (BODY[HEADER.FIELDS (FROM )] NIL)\r\n",
        b"* 1 FETCH (BODY[HEADER.FIELDS ()] NIL)\r\n",
    ] {
        assert!(Response::decode(bad, &Limits::default()).is_err());
    }
    let mut few = Limits::default();
    few.max_list_length = 1;
    assert_eq!(
        error(
            b"* 1 FETCH (BODY[HEADER.FIELDS (FROM SUBJECT)] NIL)\r\n",
            few
        )
        .kind(),
        ErrorKind::LimitExceeded(Limit::ListLength)
    );
    // NIL in any case, and not as the start of a longer atom; quoted strings with escapes.
    let envelope = b"* 1 FETCH (ENVELOPE (nil \"a\\\"b\" NIL NIL NIL NIL NIL NIL Nil NIL))\r\n";
    match data(envelope) {
        Data::Fetch(fetch) => match &fetch.attributes.to_vec()[0] {
            FetchAttribute::Envelope(e) => {
                assert_eq!(e.date, None);
                assert_eq!(e.subject.as_ref().unwrap().bytes().as_ref(), b"a\"b");
                assert_eq!(e.in_reply_to, None);
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    assert!(Response::decode(b"* 1 FETCH (RFC822 NILS)\r\n", &Limits::default()).is_err());
}
