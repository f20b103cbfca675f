//! Property tests: for every response type, `decode(encode(v)) == v`, and decoding the
//! encoding in arbitrary chunks gives the same value as decoding it whole.

use std::num::NonZeroU32;

use groupwire_imap::command::fetch::{Section, SectionText};
use groupwire_imap::core::{
    Atom, ByteStr, Charset, Date, DateTime, Flag, IString, LazyList, Literal, Mailbox, RawValue,
    SeqNumber, SeqRange, SequenceSet,
};
use groupwire_imap::response::acl::{Acl, ListRights, MyRights};
use groupwire_imap::response::bodystructure::*;
use groupwire_imap::response::code::{Code, MetadataCode};
use groupwire_imap::response::continuation::Continuation;
use groupwire_imap::response::envelope::{Address, AddressList, Envelope};
use groupwire_imap::response::fetch::{Fetch, FetchAttribute};
use groupwire_imap::response::id::IdParameters;
use groupwire_imap::response::list::{ListExtendedItem, ListMailbox, MailboxAttribute};
use groupwire_imap::response::mailbox_status::{MailboxStatus, StatusItem};
use groupwire_imap::response::metadata::{Metadata, MetadataEntries};
use groupwire_imap::response::namespace::{Namespace, NamespaceDescription};
use groupwire_imap::response::quota::{Quota, QuotaResource, QuotaRoot};
use groupwire_imap::response::search::{
    ESearch, NumberList, PartialResultRange, Search, SearchReturnData,
};
use groupwire_imap::response::thread::Thread;
use groupwire_imap::response::{
    Capability, Data, Greeting, Response, ResponseText, Status, StatusResponse,
};
use groupwire_imap::stream::client::ResponseDecoder;
use groupwire_imap::{Decoded, Encode, IntoOwned, Limits};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

fn nz() -> impl Strategy<Value = NonZeroU32> {
    (1u32..=u32::MAX).prop_map(|n| NonZeroU32::new(n).unwrap())
}

fn n64() -> impl Strategy<Value = u64> {
    0..=i64::MAX as u64
}

fn atom(pattern: &'static str) -> impl Strategy<Value = Atom<'static>> {
    pattern.prop_map(|s| Atom::new(s).unwrap())
}

fn istring() -> impl Strategy<Value = IString<'static>> {
    prop_oneof![
        "[ -~]{0,12}".prop_map(|s| IString::from(s.as_str())),
        "[a-zA-Z0-9]{1,8}".prop_map(|s| IString::Atom(Atom::new(s).unwrap())),
        "\\PC{0,6}".prop_map(|s| IString::from(s.as_str())),
        vec(any::<u8>().prop_filter("no NUL", |b| *b != 0), 0..16)
            .prop_map(|v| IString::Literal(Literal::new(ByteStr::from(v)))),
    ]
}

fn mailbox() -> impl Strategy<Value = Mailbox<'static>> {
    prop_oneof![Just(Mailbox::Inbox), istring().prop_map(Mailbox::from_name)]
}

fn flag() -> impl Strategy<Value = Flag<'static>> {
    prop_oneof![
        Just(Flag::Answered),
        Just(Flag::Flagged),
        Just(Flag::Deleted),
        Just(Flag::Seen),
        Just(Flag::Draft),
        Just(Flag::Recent),
        Just(Flag::Wildcard),
        atom("X[a-z]{1,6}").prop_map(Flag::Extension),
        atom("[$A-Za-z][A-Za-z0-9_]{0,8}").prop_map(Flag::Keyword),
    ]
}

fn seq_set() -> impl Strategy<Value = SequenceSet<'static>> {
    let number = prop_oneof![nz().prop_map(SeqNumber::Value), Just(SeqNumber::Largest)];
    vec((number.clone(), option::of(number)), 1..5).prop_map(|ranges| {
        SequenceSet::from_ranges(ranges.into_iter().map(|(start, end)| SeqRange {
            start,
            end: end.unwrap_or(start),
        }))
        .unwrap()
    })
}

fn uid_set() -> impl Strategy<Value = SequenceSet<'static>> {
    vec(nz(), 1..5)
        .prop_map(|v| SequenceSet::from_ranges(v.into_iter().map(SeqRange::single)).unwrap())
}

fn date_time() -> impl Strategy<Value = DateTime> {
    (
        1000u16..=9999,
        1u8..=12,
        1u8..=31,
        0u8..=23,
        0u8..=59,
        0u8..=60,
        -1439i16..=1439,
    )
        .prop_map(
            |(year, month, day, hour, minute, second, zone_minutes)| DateTime {
                date: Date { year, month, day },
                hour,
                minute,
                second,
                zone_minutes,
            },
        )
}

fn capability() -> impl Strategy<Value = Capability<'static>> {
    prop_oneof![
        Just(Capability::Imap4rev1),
        Just(Capability::Imap4rev2),
        Just(Capability::Idle),
        Just(Capability::LiteralPlus),
        Just(Capability::CondStore),
        Just(Capability::SearchFuzzy),
        Just(Capability::StatusSize),
        Just(Capability::GmailExt1),
        atom("[A-Z]{1,8}").prop_map(Capability::Auth),
        atom("[A-Z]{1,8}").prop_map(Capability::Compress),
        atom("[A-Z]{1,8}").prop_map(Capability::Thread),
        atom("[A-Z]{1,8}").prop_map(Capability::QuotaResource),
        option::of(n64()).prop_map(Capability::AppendLimit),
        atom("X-[A-Z0-9]{1,6}").prop_map(Capability::Other),
    ]
}

fn raw_value() -> impl Strategy<Value = RawValue<'static>> {
    prop_oneof![
        Just(RawValue::new(b"1").unwrap()),
        Just(RawValue::new(b"\"x y\"").unwrap()),
        Just(RawValue::new(b"(1 \"a\" NIL (b))").unwrap()),
        Just(RawValue::new(b"{3}\r\nabc").unwrap()),
        Just(RawValue::new(b"1:4,7").unwrap()),
    ]
}

fn code() -> impl Strategy<Value = Code<'static>> {
    prop_oneof![
        Just(Code::Alert),
        Just(Code::Parse),
        Just(Code::ReadOnly),
        Just(Code::ReadWrite),
        Just(Code::TryCreate),
        Just(Code::UidNotSticky),
        Just(Code::NoModSeq),
        Just(Code::Closed),
        Just(Code::Unavailable),
        Just(Code::ServerBug),
        Just(Code::NonExistent),
        Just(Code::HasChildren),
        Just(Code::TooBig),
        Just(Code::NotificationOverflow),
        Just(Code::CompressionActive),
        Just(Code::UseAttr),
        Just(Code::UnknownCte),
        vec("[A-Z0-9-]{1,8}", 0..3).prop_map(|v| Code::BadCharset(
            v.into_iter()
                .map(|s| Charset(IString::from(s.as_str())))
                .collect()
        )),
        vec(capability(), 1..4).prop_map(|v| Code::Capability(v.into())),
        vec(flag(), 0..4).prop_map(|v| Code::PermanentFlags(v.into())),
        nz().prop_map(Code::UidNext),
        nz().prop_map(Code::UidValidity),
        nz().prop_map(Code::Unseen),
        (nz(), uid_set()).prop_map(|(uid_validity, uids)| Code::AppendUid { uid_validity, uids }),
        (nz(), uid_set(), uid_set()).prop_map(|(uid_validity, source, destination)| {
            Code::CopyUid {
                uid_validity,
                source,
                destination,
            }
        }),
        n64().prop_map(Code::HighestModSeq),
        seq_set().prop_map(Code::Modified),
        atom("[A-Za-z0-9_-]{1,12}").prop_map(Code::MailboxId),
        prop_oneof![
            n64().prop_map(MetadataCode::LongEntries),
            n64().prop_map(MetadataCode::MaxSize),
            Just(MetadataCode::TooMany),
            Just(MetadataCode::NoPrivate),
        ]
        .prop_map(Code::Metadata),
        vec(atom("[A-Za-z]{1,8}"), 1..3).prop_map(|v| Code::BadEvent(v.into())),
        atom("TOO[A-Z]{1,4}").prop_map(Code::Annotate),
        "imap://[a-z]{1,8}/[A-Za-z]{1,6}".prop_map(|u| Code::Referral(ByteStr::from(u))),
        istring().prop_map(Code::NoUpdate),
        (atom("X-[A-Z]{1,8}"), option::of("[a-z0-9 ()]{0,10}")).prop_map(|(name, arguments)| {
            Code::Other {
                name,
                arguments: arguments.map(ByteStr::from),
            }
        }),
    ]
}

fn response_text() -> impl Strategy<Value = ResponseText<'static>> {
    (option::of(code()), "([A-Za-z0-9][A-Za-z0-9 ,.]{0,20})?").prop_map(|(code, text)| {
        ResponseText {
            code,
            text: ByteStr::from(text),
        }
    })
}

fn status_response() -> impl Strategy<Value = StatusResponse<'static>> {
    let tagged = (
        "[A-Za-z0-9.]{1,6}",
        prop_oneof![Just(Status::Ok), Just(Status::No), Just(Status::Bad)],
    )
        .prop_map(|(tag, status)| (Some(groupwire_imap::core::Tag::new(tag).unwrap()), status));
    let untagged = prop_oneof![
        Just(Status::Ok),
        Just(Status::No),
        Just(Status::Bad),
        Just(Status::PreAuth),
        Just(Status::Bye)
    ]
    .prop_map(|status| (None, status));
    (prop_oneof![tagged, untagged], response_text())
        .prop_map(|((tag, status), text)| StatusResponse { tag, status, text })
}

fn continuation() -> impl Strategy<Value = Continuation<'static>> {
    prop_oneof![
        (option::of(code()), "([a-z]{1,5} [a-z ]{0,10})?").prop_map(|(code, text)| {
            Continuation::Text(ResponseText {
                code,
                text: ByteStr::from(text),
            })
        }),
        "([A-Za-z0-9+/]{4}){1,5}".prop_map(|s| Continuation::Base64(ByteStr::from(s))),
    ]
}

fn list_mailbox() -> impl Strategy<Value = ListMailbox<'static>> {
    let attribute = prop_oneof![
        Just(MailboxAttribute::NoSelect),
        Just(MailboxAttribute::HasChildren),
        Just(MailboxAttribute::Sent),
        Just(MailboxAttribute::Trash),
        Just(MailboxAttribute::Important),
        atom("X[a-z]{1,6}").prop_map(MailboxAttribute::Extension),
    ];
    let item = prop_oneof![
        vec(istring(), 1..3).prop_map(|v| ListExtendedItem::ChildInfo(v.into())),
        mailbox().prop_map(ListExtendedItem::OldName),
        (atom("X[A-Z]{2,6}"), raw_value()).prop_map(|(tag, value)| ListExtendedItem::Other {
            tag: IString::Atom(tag),
            value
        }),
    ];
    (
        vec(attribute, 0..4),
        option::of(0x20u8..=0x7e),
        mailbox(),
        vec(item, 0..3),
    )
        .prop_map(|(attributes, delimiter, mailbox, extended)| ListMailbox {
            attributes: attributes.into(),
            delimiter,
            mailbox,
            extended: extended.into(),
        })
}

fn status_item() -> impl Strategy<Value = StatusItem<'static>> {
    prop_oneof![
        any::<u32>().prop_map(StatusItem::Messages),
        any::<u32>().prop_map(StatusItem::Recent),
        any::<u32>().prop_map(StatusItem::UidNext),
        any::<u32>().prop_map(StatusItem::UidValidity),
        any::<u32>().prop_map(StatusItem::Unseen),
        any::<u32>().prop_map(StatusItem::Deleted),
        n64().prop_map(StatusItem::Size),
        n64().prop_map(StatusItem::HighestModSeq),
        option::of(n64()).prop_map(StatusItem::AppendLimit),
        atom("[A-Za-z0-9_-]{1,12}").prop_map(StatusItem::MailboxId),
        (atom("X[A-Z]{2,6}"), raw_value())
            .prop_map(|(name, value)| StatusItem::Other { name, value }),
    ]
}

fn search() -> impl Strategy<Value = Search<'static>> {
    (vec(nz(), 0..20), option::of(n64())).prop_map(|(numbers, modseq)| Search {
        numbers: NumberList::from_numbers(numbers),
        modseq,
    })
}

fn esearch() -> impl Strategy<Value = ESearch<'static>> {
    let signed = prop_oneof![
        nz().prop_map(|n| i64::from(n.get())),
        nz().prop_map(|n| -i64::from(n.get()))
    ];
    let updates = || vec((any::<u32>(), seq_set()), 0..3);
    let item = prop_oneof![
        nz().prop_map(SearchReturnData::Min),
        nz().prop_map(SearchReturnData::Max),
        seq_set().prop_map(SearchReturnData::All),
        any::<u32>().prop_map(SearchReturnData::Count),
        n64().prop_map(SearchReturnData::ModSeq),
        (signed.clone(), signed, option::of(seq_set())).prop_map(|(first, last, results)| {
            SearchReturnData::Partial {
                range: PartialResultRange { first, last },
                results,
            }
        }),
        updates().prop_map(|v| SearchReturnData::AddTo(v.into())),
        updates().prop_map(|v| SearchReturnData::RemoveTo(v.into())),
        (atom("X[A-Z]{2,6}"), raw_value())
            .prop_map(|(name, value)| SearchReturnData::Other { name, value }),
    ];
    let correlator = option::of((istring(), option::of((mailbox(), nz()))));
    (correlator, any::<bool>(), vec(item, 0..4)).prop_map(|(correlator, uid, data)| {
        let (tag, mailbox) = match correlator {
            Some((tag, mailbox)) => (Some(tag), mailbox),
            None => (None, None),
        };
        ESearch {
            tag,
            mailbox,
            uid,
            data: data.into(),
        }
    })
}

fn thread() -> impl Strategy<Value = Thread> {
    let leaf = vec(nz(), 1..4).prop_map(|messages| Thread {
        messages,
        children: vec![],
    });
    leaf.prop_recursive(4, 24, 3, |inner| {
        (vec(nz(), 0..3), vec(inner, 1..3))
            .prop_map(|(messages, children)| Thread { messages, children })
    })
}

fn namespace_list()
-> impl Strategy<Value = Option<LazyList<'static, NamespaceDescription<'static>>>> {
    let ext = (istring(), vec(istring(), 1..3)).prop_map(|(name, values)| (name, values.into()));
    option::of(
        vec(
            (istring(), option::of(0x20u8..=0x7e), vec(ext, 0..2)).prop_map(
                |(prefix, delimiter, extensions)| NamespaceDescription {
                    prefix,
                    delimiter,
                    extensions: extensions.into(),
                },
            ),
            1..3,
        )
        .prop_map(LazyList::from),
    )
}

fn address() -> impl Strategy<Value = Address<'static>> {
    (
        option::of(istring()),
        option::of(istring()),
        option::of(istring()),
        option::of(istring()),
    )
        .prop_map(|(name, adl, mailbox, host)| Address {
            name,
            adl,
            mailbox,
            host,
        })
}

fn envelope() -> impl Strategy<Value = Envelope<'static>> {
    let addresses = || option::of(vec(address(), 0..3).prop_map(AddressList::from));
    (
        (
            option::of(istring()),
            option::of(istring()),
            addresses(),
            addresses(),
        ),
        (addresses(), addresses(), addresses(), addresses()),
        (option::of(istring()), option::of(istring())),
    )
        .prop_map(
            |(
                (date, subject, from, sender),
                (reply_to, to, cc, bcc),
                (in_reply_to, message_id),
            )| {
                Envelope {
                    date,
                    subject,
                    from,
                    sender,
                    reply_to,
                    to,
                    cc,
                    bcc,
                    in_reply_to,
                    message_id,
                }
            },
        )
}

fn params() -> impl Strategy<Value = BodyParams<'static>> {
    vec((istring(), istring()), 0..3).prop_map(BodyParams::from)
}

fn extension_tail() -> impl Strategy<Value = Option<ExtensionTail<'static>>> {
    let location =
        (option::of(istring()), vec(raw_value(), 0..3)).prop_map(|(location, extensions)| {
            LocationTail {
                location,
                extensions: extensions.into(),
            }
        });
    let language =
        (vec(istring(), 0..3), option::of(location)).prop_map(|(languages, location)| {
            LanguageTail {
                languages: languages.into(),
                location,
            }
        });
    let disposition =
        option::of((istring(), params()).prop_map(|(kind, params)| Disposition { kind, params }));
    option::of(
        (disposition, option::of(language)).prop_map(|(disposition, language)| ExtensionTail {
            disposition,
            language,
        }),
    )
}

fn body_fields() -> impl Strategy<Value = BodyFields<'static>> {
    (
        params(),
        option::of(istring()),
        option::of(istring()),
        istring(),
        any::<u32>(),
    )
        .prop_map(|(params, id, description, encoding, octets)| BodyFields {
            params,
            id,
            description,
            encoding,
            octets,
        })
}

fn body(extensible: bool) -> impl Strategy<Value = BodyStructure<'static>> {
    let single_ext = move || {
        let ext = (option::of(istring()), extension_tail())
            .prop_map(|(md5, tail)| SinglePartExtension { md5, tail });
        if extensible {
            option::of(ext).boxed()
        } else {
            Just(None).boxed()
        }
    };
    let basic = (
        prop_oneof![Just("APPLICATION"), Just("image"), Just("X-Type")],
        istring(),
        body_fields(),
        single_ext(),
    )
        .prop_map(|(t, subtype, fields, extension)| {
            BodyStructure::Single(SinglePart {
                media_type: IString::from(t),
                subtype,
                fields,
                kind: SinglePartKind::Basic,
                extension,
            })
        });
    let text = (istring(), body_fields(), n64(), single_ext()).prop_map(
        |(subtype, fields, lines, extension)| {
            BodyStructure::Single(SinglePart {
                media_type: IString::from("TEXT"),
                subtype,
                fields,
                kind: SinglePartKind::Text { lines },
                extension,
            })
        },
    );
    prop_oneof![basic, text].prop_recursive(3, 12, 3, move |inner| {
        let multi_ext = (params(), extension_tail())
            .prop_map(|(params, tail)| MultipartExtension { params, tail });
        let multi_ext = if extensible {
            option::of(multi_ext).boxed()
        } else {
            Just(None).boxed()
        };
        let single_ext = {
            let ext = (option::of(istring()), extension_tail())
                .prop_map(|(md5, tail)| SinglePartExtension { md5, tail });
            if extensible {
                option::of(ext).boxed()
            } else {
                Just(None).boxed()
            }
        };
        prop_oneof![
            (vec(inner.clone(), 1..3), istring(), multi_ext).prop_map(
                |(parts, subtype, extension)| {
                    BodyStructure::Multi(Multipart {
                        parts: parts.into(),
                        subtype,
                        extension,
                    })
                }
            ),
            (body_fields(), envelope(), inner, n64(), single_ext).prop_map(
                |(fields, envelope, body, lines, extension)| {
                    BodyStructure::Single(SinglePart {
                        media_type: IString::from("MESSAGE"),
                        subtype: IString::from("RFC822"),
                        fields,
                        kind: SinglePartKind::Message {
                            envelope: Box::new(envelope),
                            body: Box::new(body),
                            lines,
                        },
                        extension,
                    })
                }
            ),
        ]
    })
}

fn section() -> impl Strategy<Value = Section<'static>> {
    let headers = || vec(istring(), 1..3);
    (vec(nz(), 0..3), 0..6u8, headers()).prop_map(|(part, which, names)| {
        let text = match which {
            0 => None,
            1 => Some(SectionText::Header),
            2 => Some(SectionText::HeaderFields(names.into())),
            3 => Some(SectionText::HeaderFieldsNot(names.into())),
            4 => Some(SectionText::Text),
            _ if !part.is_empty() => Some(SectionText::Mime),
            _ => None,
        };
        Section { part, text }
    })
}

fn fetch_attribute() -> impl Strategy<Value = FetchAttribute<'static>> {
    let binary_data = prop_oneof![
        istring(),
        vec(any::<u8>(), 0..10).prop_map(|v| {
            let mut l = Literal::new(ByteStr::from(v));
            l.binary = true;
            IString::Literal(l)
        }),
    ];
    prop_oneof![
        vec(flag(), 0..4).prop_map(|flags| FetchAttribute::Flags(flags.into())),
        date_time().prop_map(FetchAttribute::InternalDate),
        n64().prop_map(FetchAttribute::Rfc822Size),
        option::of(istring()).prop_map(FetchAttribute::Rfc822),
        option::of(istring()).prop_map(FetchAttribute::Rfc822Header),
        option::of(istring()).prop_map(FetchAttribute::Rfc822Text),
        envelope().prop_map(|e| FetchAttribute::Envelope(Box::new(e))),
        body(false).prop_map(|b| FetchAttribute::Body(Box::new(b))),
        body(true).prop_map(|b| FetchAttribute::BodyStructure(Box::new(b))),
        (section(), option::of(any::<u32>()), option::of(istring())).prop_map(
            |(section, origin, data)| FetchAttribute::BodySection {
                section,
                origin,
                data
            }
        ),
        (
            vec(nz(), 0..3),
            option::of(any::<u32>()),
            option::of(binary_data)
        )
            .prop_map(|(part, origin, data)| FetchAttribute::Binary { part, origin, data }),
        (vec(nz(), 0..3), n64()).prop_map(|(part, size)| FetchAttribute::BinarySize { part, size }),
        nz().prop_map(FetchAttribute::Uid),
        n64().prop_map(FetchAttribute::ModSeq),
        atom("[A-Za-z0-9_-]{1,12}").prop_map(FetchAttribute::EmailId),
        option::of(atom("[A-Za-z0-9_-]{1,12}")).prop_map(FetchAttribute::ThreadId),
        option::of(date_time()).prop_map(FetchAttribute::SaveDate),
        option::of(istring()).prop_map(FetchAttribute::Preview),
        n64().prop_map(FetchAttribute::GmailMessageId),
        n64().prop_map(FetchAttribute::GmailThreadId),
        vec(istring(), 0..3).prop_map(FetchAttribute::GmailLabels),
        ("X-[A-Z]{2,6}(\\[[0-9.]{0,4}\\])?", raw_value()).prop_map(|(name, value)| {
            FetchAttribute::Other {
                name: ByteStr::from(name),
                value,
            }
        }),
    ]
}

fn data() -> impl Strategy<Value = Data<'static>> {
    let metadata_entries = prop_oneof![
        vec((istring(), option::of(istring())), 1..3)
            .prop_map(|v| MetadataEntries::Values(v.into())),
        vec(istring(), 1..3).prop_map(|v| MetadataEntries::Names(v.into())),
    ];
    prop_oneof![
        vec(capability(), 1..5).prop_map(|v| Data::Capability(v.into())),
        vec(capability(), 0..3).prop_map(|v| Data::Enabled(v.into())),
        list_mailbox().prop_map(Data::List),
        list_mailbox().prop_map(Data::Lsub),
        (mailbox(), vec(status_item(), 0..4)).prop_map(|(mailbox, items)| Data::MailboxStatus(
            MailboxStatus {
                mailbox,
                items: items.into()
            }
        )),
        vec(flag(), 0..5).prop_map(|v| Data::Flags(v.into())),
        any::<u32>().prop_map(Data::Exists),
        any::<u32>().prop_map(Data::Recent),
        nz().prop_map(Data::Expunge),
        search().prop_map(Data::Search),
        search().prop_map(Data::Sort),
        esearch().prop_map(Data::ESearch),
        vec(thread(), 0..3).prop_map(|v| Data::Thread(v.into())),
        (namespace_list(), namespace_list(), namespace_list()).prop_map(
            |(personal, other_users, shared)| Data::Namespace(Namespace {
                personal,
                other_users,
                shared
            })
        ),
        option::of(vec((istring(), option::of(istring())), 0..3))
            .prop_map(|p| Data::Id(IdParameters(p.map(LazyList::from)))),
        (istring(), vec((atom("[A-Z]{1,8}"), n64(), n64()), 0..3)).prop_map(|(root, r)| {
            Data::Quota(Quota {
                root,
                resources: r
                    .into_iter()
                    .map(|(name, usage, limit)| QuotaResource { name, usage, limit })
                    .collect(),
            })
        }),
        (mailbox(), vec(istring(), 0..3)).prop_map(|(mailbox, roots)| Data::QuotaRoot(QuotaRoot {
            mailbox,
            roots: roots.into()
        })),
        (mailbox(), metadata_entries)
            .prop_map(|(mailbox, entries)| Data::Metadata(Metadata { mailbox, entries })),
        (mailbox(), vec((istring(), istring()), 0..3)).prop_map(|(mailbox, entries)| Data::Acl(
            Acl {
                mailbox,
                entries: entries.into()
            }
        )),
        (mailbox(), istring(), istring(), vec(istring(), 0..3)).prop_map(
            |(mailbox, identifier, required, optional)| {
                Data::ListRights(ListRights {
                    mailbox,
                    identifier,
                    required,
                    optional: optional.into(),
                })
            }
        ),
        (mailbox(), istring())
            .prop_map(|(mailbox, rights)| Data::MyRights(MyRights { mailbox, rights })),
        (any::<bool>(), uid_set()).prop_map(|(earlier, uids)| Data::Vanished { earlier, uids }),
        (nz(), vec(fetch_attribute(), 0..4)).prop_map(|(seq, attributes)| Data::Fetch(Fetch {
            seq,
            attributes: attributes.into()
        })),
        (
            option::of(any::<u32>()),
            atom("X[A-Z]{2,6}"),
            option::of("[a-z0-9 ]{0,10}")
        )
            .prop_map(|(number, name, rest)| Data::Other {
                number,
                name,
                rest: rest.map(ByteStr::from)
            }),
    ]
}

fn response() -> impl Strategy<Value = Response<'static>> {
    prop_oneof![
        status_response().prop_map(Response::Status),
        data().prop_map(Response::Data),
        continuation().prop_map(Response::Continuation),
    ]
}

fn round_trip(value: &Response<'_>) -> Result<(), TestCaseError> {
    let wire = value.to_bytes();
    match Response::decode(&wire, &Limits::default()) {
        Ok(Decoded::Complete {
            value: again,
            consumed,
        }) => {
            prop_assert_eq!(consumed, wire.len(), "{:?}", String::from_utf8_lossy(&wire));
            prop_assert_eq!(&again, value, "{:?}", String::from_utf8_lossy(&wire));
            prop_assert_eq!(again.into_owned(), value.clone().into_owned());
        }
        other => prop_assert!(
            false,
            "{:?} gave {:?}",
            String::from_utf8_lossy(&wire),
            other
        ),
    }
    Ok(())
}

/// Runs `test` over `strategy` on a thread with a large stack: the nested strategies
/// (BODYSTRUCTURE inside FETCH inside a response) need more than the test thread's default
/// in debug builds.
fn check<S: Strategy + 'static>(
    cases: u32,
    make: impl FnOnce() -> S + Send + 'static,
    test: impl Fn(S::Value) -> Result<(), TestCaseError> + Send + 'static,
) where
    S::Value: std::fmt::Debug,
{
    let handle = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let strategy = make();
            let mut runner =
                proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(cases));
            runner.run(&strategy, test).map_err(|e| e.to_string())
        })
        .unwrap();
    if let Err(e) = handle.join().unwrap() {
        panic!("{e}");
    }
}

#[test]
fn responses_round_trip() {
    check(600, response, |value| round_trip(&value));
}

#[test]
fn fetch_responses_round_trip() {
    check(
        300,
        || (nz(), vec(fetch_attribute(), 1..6)),
        |(seq, attributes)| {
            round_trip(&Response::Data(Data::Fetch(Fetch {
                seq,
                attributes: attributes.into(),
            })))
        },
    );
}

#[test]
fn greetings_round_trip() {
    let status = || prop_oneof![Just(Status::Ok), Just(Status::PreAuth), Just(Status::Bye)];
    check(
        300,
        move || (status(), response_text()),
        |(status, text)| {
            let greeting = Greeting { status, text };
            let wire = greeting.to_bytes();
            let decoded = Greeting::decode(&wire, &Limits::default())
                .unwrap()
                .complete()
                .unwrap();
            prop_assert_eq!(decoded, (greeting, wire.len()));
            Ok(())
        },
    );
}

#[test]
fn chunked_stream_equals_whole() {
    check(
        200,
        || (vec(response(), 1..6), 1usize..64),
        |(values, chunk)| {
            let mut stream = Vec::new();
            for v in &values {
                v.encode(&mut stream);
            }
            let mut decoder = ResponseDecoder::default();
            let mut buffer = Vec::new();
            let mut decoded = Vec::new();
            for piece in stream.chunks(chunk) {
                buffer.extend_from_slice(piece);
                while let Decoded::Complete { value, consumed } = decoder.decode(&buffer).unwrap() {
                    decoded.push(value.into_owned());
                    buffer.drain(..consumed);
                }
            }
            prop_assert!(buffer.is_empty());
            prop_assert_eq!(decoded, values);
            Ok(())
        },
    );
}

#[test]
fn bodystructures_round_trip() {
    check(
        500,
        || {
            prop_oneof![
                body(true).prop_map(|b| (true, b)),
                body(false).prop_map(|b| (false, b))
            ]
        },
        |(structure, body)| {
            let attribute = if structure {
                FetchAttribute::BodyStructure(Box::new(body))
            } else {
                FetchAttribute::Body(Box::new(body))
            };
            let seq = NonZeroU32::new(1).unwrap();
            round_trip(&Response::Data(Data::Fetch(Fetch {
                seq,
                attributes: vec![attribute].into(),
            })))
        },
    );
}

#[test]
fn codes_round_trip() {
    check(
        500,
        || (code(), any::<bool>()),
        |(code, tagged)| {
            let tag = tagged.then(|| groupwire_imap::core::Tag::new("A1").unwrap());
            let text = ResponseText {
                code: Some(code),
                text: ByteStr::from("done"),
            };
            round_trip(&Response::Status(StatusResponse {
                tag,
                status: Status::No,
                text,
            }))
        },
    );
}
