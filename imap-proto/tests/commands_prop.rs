//! Property tests: for every command type, `decode(encode(v)) == v`; the fragment encoder's
//! output, with every continuation granted, decodes to the same command; truncations are
//! incomplete, never a wrong value; arbitrary bytes never panic.

use std::num::NonZeroU32;

use groupwire_imap::command::acl::AclCommand;
use groupwire_imap::command::append::{Append, AppendData, AppendMessage, CatenatePart, Replace};
use groupwire_imap::command::auth::{Authenticate, SaslData};
use groupwire_imap::command::ext::{TaggedExt, TaggedExtComp, TaggedExtValue};
use groupwire_imap::command::fetch::{
    FetchAttributeName, FetchCommand, FetchItems, FetchModifier, PartialRange, Section, SectionText,
};
use groupwire_imap::command::list::{List, ListReturnOption, ListSelectOption, MailboxPattern};
use groupwire_imap::command::mailbox::{Create, CreateParam, StatusCommand, StatusItemName};
use groupwire_imap::command::metadata::{GetMetadataOption, MetadataCommand};
use groupwire_imap::command::notify::{EventGroup, MailboxFilter, Notify, NotifyEvent};
use groupwire_imap::command::quota::QuotaCommand;
use groupwire_imap::command::search::{EntryType, SearchCommand, SearchKey, SearchReturnOption};
use groupwire_imap::command::select::{Qresync, Select, SelectParam};
use groupwire_imap::command::sort::{Sort, SortCriterion, SortKey, ThreadCommand};
use groupwire_imap::command::store::{Store, StoreAction, StoreModifier};
use groupwire_imap::command::{
    Command, CommandBody, Fragment, LiteralPolicy, Unknown, decode_command, encode_fragments,
    parse_command,
};
use groupwire_imap::core::{
    Atom, ByteStr, Charset, Date, DateTime, Flag, IString, Literal, LiteralMode, Mailbox,
    SeqNumber, SeqRange, SequenceSet, Tag,
};
use groupwire_imap::stream::server::{ClientMessage, CommandDecoder, ServerStep};
use groupwire_imap::{Decoded, Encode, IntoOwned, Limits};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

fn nz() -> BoxedStrategy<NonZeroU32> {
    (1u32..=u32::MAX)
        .prop_map(|n| NonZeroU32::new(n).unwrap())
        .boxed()
}

fn small_nz() -> BoxedStrategy<NonZeroU32> {
    (1u32..50).prop_map(|n| NonZeroU32::new(n).unwrap()).boxed()
}

fn tag() -> BoxedStrategy<Tag<'static>> {
    "[A-Za-z0-9.]{1,8}"
        .prop_map(|s| Tag::new(s).unwrap())
        .boxed()
}

fn atom() -> BoxedStrategy<Atom<'static>> {
    "[A-Za-z][A-Za-z0-9$.-]{0,8}"
        .prop_map(|s| Atom::new(s).unwrap())
        .boxed()
}

/// An atom that is no keyword of the grammar (extension names, unknown items).
fn x_atom() -> BoxedStrategy<Atom<'static>> {
    "X-[A-Za-z0-9]{1,6}"
        .prop_map(|s| Atom::new(s).unwrap())
        .boxed()
}

fn istring() -> BoxedStrategy<IString<'static>> {
    prop_oneof![
        "[a-zA-Z0-9]{1,8}".prop_map(|s| IString::from(s.as_str())),
        vec(any::<u8>(), 0..12).prop_map(|b| IString::from_bytes(&b)),
        "[ -~]{0,10}".prop_map(|s| IString::from(s.as_str())),
    ]
    .boxed()
}

fn mailbox() -> BoxedStrategy<Mailbox<'static>> {
    prop_oneof![Just(Mailbox::Inbox), istring().prop_map(Mailbox::from_name)].boxed()
}

fn flag() -> BoxedStrategy<Flag<'static>> {
    prop_oneof![
        Just(Flag::Answered),
        Just(Flag::Flagged),
        Just(Flag::Deleted),
        Just(Flag::Seen),
        Just(Flag::Draft),
        x_atom().prop_map(Flag::Extension),
        atom().prop_map(Flag::Keyword),
    ]
    .boxed()
}

fn seq_number() -> BoxedStrategy<SeqNumber> {
    prop_oneof![Just(SeqNumber::Largest), nz().prop_map(SeqNumber::Value)].boxed()
}

fn plain_set() -> BoxedStrategy<SequenceSet<'static>> {
    vec((seq_number(), seq_number()), 1..4)
        .prop_map(|ranges| {
            SequenceSet::from_ranges(
                ranges
                    .into_iter()
                    .map(|(start, end)| SeqRange { start, end }),
            )
            .unwrap()
        })
        .boxed()
}

fn set() -> BoxedStrategy<SequenceSet<'static>> {
    prop_oneof![4 => plain_set(), 1 => Just(SequenceSet::saved_result())].boxed()
}

fn date() -> BoxedStrategy<Date> {
    (1000u16..9999, 1u8..=12, 1u8..=28)
        .prop_map(|(year, month, day)| Date { year, month, day })
        .boxed()
}

fn date_time() -> BoxedStrategy<DateTime> {
    (
        date(),
        0u8..24,
        0u8..60,
        0u8..60,
        -23i16..=23,
        prop_oneof![Just(0i16), Just(30)],
    )
        .prop_map(|(date, hour, minute, second, zh, zm)| DateTime {
            date,
            hour,
            minute,
            second,
            zone_minutes: zh * 60 + zh.signum() * zm,
        })
        .boxed()
}

fn literal() -> BoxedStrategy<Literal<'static>> {
    (vec(any::<u8>(), 0..20), any::<bool>())
        .prop_map(|(data, binary)| Literal {
            data: ByteStr::from(data),
            mode: LiteralMode::Sync,
            binary,
        })
        .boxed()
}

/// A `literal8` (`~{n}`), the only form RFC 6855's `UTF8 (...)` data takes.
fn literal8() -> BoxedStrategy<Literal<'static>> {
    vec(any::<u8>(), 0..20)
        .prop_map(|data| Literal {
            data: ByteStr::from(data),
            mode: LiteralMode::Sync,
            binary: true,
        })
        .boxed()
}

fn tagged_ext_comp() -> BoxedStrategy<TaggedExtComp<'static>> {
    let leaf = istring().prop_map(TaggedExtComp::String);
    leaf.prop_recursive(2, 8, 3, |inner| {
        vec(inner, 0..3).prop_map(TaggedExtComp::List)
    })
    .boxed()
}

fn tagged_ext() -> BoxedStrategy<TaggedExt<'static>> {
    (
        x_atom(),
        option::of(prop_oneof![
            plain_set().prop_map(TaggedExtValue::Simple),
            vec(tagged_ext_comp(), 0..3).prop_map(TaggedExtValue::Comp),
        ]),
    )
        .prop_map(|(name, value)| TaggedExt {
            name: ByteStr::from(name.as_str().to_string()),
            value,
        })
        .boxed()
}

fn partial_range() -> BoxedStrategy<PartialRange> {
    prop_oneof![
        (nz(), nz()).prop_map(|(a, b)| PartialRange::First(a, b)),
        (nz(), nz()).prop_map(|(a, b)| PartialRange::Last(a, b)),
    ]
    .boxed()
}

fn section() -> BoxedStrategy<Section<'static>> {
    let text = prop_oneof![
        Just(SectionText::Header),
        Just(SectionText::Text),
        vec(istring(), 1..3).prop_map(|names| SectionText::HeaderFields(names.into())),
        vec(istring(), 1..3).prop_map(|names| SectionText::HeaderFieldsNot(names.into())),
    ];
    (vec(small_nz(), 0..3), option::of(text), any::<bool>())
        .prop_map(|(part, text, mime)| {
            let text = if mime && !part.is_empty() {
                Some(SectionText::Mime)
            } else {
                text
            };
            Section { part, text }
        })
        .boxed()
}

fn fetch_attribute() -> BoxedStrategy<FetchAttributeName<'static>> {
    use FetchAttributeName as F;
    prop_oneof![
        prop_oneof![
            Just(F::Envelope),
            Just(F::Flags),
            Just(F::InternalDate),
            Just(F::Rfc822),
            Just(F::Rfc822Header),
            Just(F::Rfc822Size),
            Just(F::Rfc822Text),
            Just(F::Body),
            Just(F::BodyStructure),
            Just(F::Uid),
            Just(F::ModSeq),
            Just(F::EmailId),
            Just(F::ThreadId),
            Just(F::SaveDate),
            any::<bool>().prop_map(|lazy| F::Preview { lazy }),
        ],
        (any::<bool>(), section(), option::of((any::<u32>(), nz()))).prop_map(
            |(peek, section, partial)| F::BodySection {
                peek,
                section,
                partial
            }
        ),
        (
            any::<bool>(),
            vec(small_nz(), 0..3),
            option::of((any::<u32>(), nz()))
        )
            .prop_map(|(peek, part, partial)| F::Binary {
                peek,
                part,
                partial
            }),
        vec(small_nz(), 0..3).prop_map(|part| F::BinarySize { part }),
        (
            prop_oneof!["X-[A-Z]{1,6}", Just("DIGEST.SHA1".to_string())],
            option::of(prop_oneof![Just("(FUZZY)"), Just("(A \"b c\" (d))")]),
        )
            .prop_map(|(name, arguments)| F::Other {
                name: groupwire_imap::core::ByteStr::from(name),
                arguments: arguments
                    .and_then(|a| groupwire_imap::core::RawValue::new(a.as_bytes())),
            }),
    ]
    .boxed()
}

fn fetch() -> BoxedStrategy<FetchCommand<'static>> {
    let items = prop_oneof![
        Just(FetchItems::All),
        Just(FetchItems::Fast),
        Just(FetchItems::Full),
        vec(fetch_attribute(), 1..4).prop_map(FetchItems::Attributes),
    ];
    let modifier = prop_oneof![
        (0..=i64::MAX as u64).prop_map(FetchModifier::ChangedSince),
        Just(FetchModifier::Vanished),
        partial_range().prop_map(FetchModifier::Partial),
        tagged_ext().prop_map(FetchModifier::Other),
    ];
    (any::<bool>(), set(), items, vec(modifier, 0..3))
        .prop_map(|(uid, set, items, modifiers)| FetchCommand {
            uid,
            set,
            items,
            modifiers,
        })
        .boxed()
}

fn search_key() -> BoxedStrategy<SearchKey<'static>> {
    use SearchKey as K;
    let leaf = prop_oneof![
        prop_oneof![
            Just(K::All),
            Just(K::Answered),
            Just(K::Deleted),
            Just(K::Draft),
            Just(K::Flagged),
            Just(K::New),
            Just(K::Old),
            Just(K::Recent),
            Just(K::Seen),
            Just(K::Unanswered),
            Just(K::Undeleted),
            Just(K::Undraft),
            Just(K::Unflagged),
            Just(K::Unseen),
            Just(K::SaveDateSupported),
        ],
        istring().prop_map(K::Bcc),
        istring().prop_map(K::Body),
        istring().prop_map(K::Cc),
        istring().prop_map(K::From),
        istring().prop_map(K::Subject),
        istring().prop_map(K::Text),
        istring().prop_map(K::To),
        (istring(), istring()).prop_map(|(a, b)| K::Header(a, b)),
        date().prop_map(K::Before),
        date().prop_map(K::On),
        date().prop_map(K::Since),
        date().prop_map(K::SentBefore),
        date().prop_map(K::SentOn),
        date().prop_map(K::SentSince),
        date().prop_map(K::SavedBefore),
        date().prop_map(K::SavedOn),
        date().prop_map(K::SavedSince),
        atom().prop_map(K::Keyword),
        atom().prop_map(K::Unkeyword),
        atom().prop_map(K::EmailId),
        atom().prop_map(K::ThreadId),
        atom().prop_map(K::Filter),
        (0..=i64::MAX as u64).prop_map(K::Larger),
        (0..=i64::MAX as u64).prop_map(K::Smaller),
        nz().prop_map(|n| K::Older(n.get())),
        nz().prop_map(|n| K::Younger(n.get())),
        set().prop_map(K::Uid),
        set().prop_map(K::SequenceSet),
        (
            option::of((
                istring(),
                prop_oneof![
                    Just(EntryType::Private),
                    Just(EntryType::Shared),
                    Just(EntryType::All)
                ]
            )),
            (0..=i64::MAX as u64)
        )
            .prop_map(|(entry, mod_seq)| K::ModSeq { entry, mod_seq }),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|k| K::Not(Box::new(k))),
            inner.clone().prop_map(|k| K::Fuzzy(Box::new(k))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| K::Or(Box::new(a), Box::new(b))),
            vec(inner, 1..3).prop_map(K::And),
        ]
    })
    .boxed()
}

fn search_return() -> BoxedStrategy<SearchReturnOption<'static>> {
    use SearchReturnOption as R;
    prop_oneof![
        Just(R::Min),
        Just(R::Max),
        Just(R::All),
        Just(R::Count),
        Just(R::Save),
        Just(R::Context),
        vec(fetch_attribute(), 0..2).prop_map(R::Update),
        Just(R::Relevancy),
        partial_range().prop_map(R::Partial),
        tagged_ext().prop_map(R::Other),
    ]
    .boxed()
}

fn charset() -> BoxedStrategy<Charset<'static>> {
    prop_oneof![
        Just(Charset(IString::from("UTF-8"))),
        "[a-z0-9 ]{1,6}".prop_map(|s| Charset(IString::from(s.as_str()))),
    ]
    .boxed()
}

fn status_item() -> BoxedStrategy<StatusItemName<'static>> {
    use StatusItemName as S;
    prop_oneof![
        Just(S::Messages),
        Just(S::Recent),
        Just(S::UidNext),
        Just(S::UidValidity),
        Just(S::Unseen),
        Just(S::Deleted),
        Just(S::Size),
        Just(S::HighestModSeq),
        Just(S::AppendLimit),
        Just(S::MailboxId),
        Just(S::DeletedStorage),
        x_atom().prop_map(S::Other),
    ]
    .boxed()
}

fn append_message() -> BoxedStrategy<AppendMessage<'static>> {
    let data = prop_oneof![
        literal().prop_map(AppendData::Literal),
        literal8().prop_map(AppendData::Utf8),
        vec(
            prop_oneof![
                istring().prop_map(CatenatePart::Url),
                literal().prop_map(CatenatePart::Text),
                literal8().prop_map(CatenatePart::Utf8)
            ],
            1..3
        )
        .prop_map(AppendData::Catenate),
    ];
    (option::of(vec(flag(), 0..3)), option::of(date_time()), data)
        .prop_map(|(flags, date, data)| AppendMessage { flags, date, data })
        .boxed()
}

fn list() -> BoxedStrategy<List<'static>> {
    let select = prop_oneof![
        Just(ListSelectOption::Subscribed),
        Just(ListSelectOption::Remote),
        Just(ListSelectOption::RecursiveMatch),
        Just(ListSelectOption::SpecialUse),
        tagged_ext().prop_map(ListSelectOption::Other),
    ];
    let ret = prop_oneof![
        Just(ListReturnOption::Subscribed),
        Just(ListReturnOption::Children),
        Just(ListReturnOption::SpecialUse),
        Just(ListReturnOption::MyRights),
        vec(status_item(), 1..3).prop_map(ListReturnOption::Status),
        tagged_ext().prop_map(ListReturnOption::Other),
    ];
    let pattern = prop_oneof![
        "[a-z%*/]{1,6}".prop_map(|s| MailboxPattern(IString::from(s.as_str()))),
        istring().prop_map(MailboxPattern),
    ];
    (
        option::of(vec(select, 0..3)),
        mailbox(),
        vec(pattern, 1..3),
        option::of(vec(ret, 0..3)),
    )
        .prop_map(|(selection, reference, patterns, return_options)| List {
            selection,
            reference,
            patterns,
            return_options,
        })
        .boxed()
}

fn notify() -> BoxedStrategy<Notify<'static>> {
    use MailboxFilter as F;
    let filter = prop_oneof![
        Just(F::Selected),
        Just(F::SelectedDelayed),
        Just(F::Inboxes),
        Just(F::Personal),
        Just(F::Subscribed),
        vec(mailbox(), 1..3).prop_map(F::Subtree),
        vec(mailbox(), 1..3).prop_map(F::Mailboxes),
    ];
    let event = prop_oneof![
        vec(fetch_attribute(), 0..2).prop_map(NotifyEvent::MessageNew),
        Just(NotifyEvent::MessageExpunge),
        Just(NotifyEvent::FlagChange),
        Just(NotifyEvent::AnnotationChange),
        Just(NotifyEvent::MailboxName),
        Just(NotifyEvent::SubscriptionChange),
        Just(NotifyEvent::MailboxMetadataChange),
        Just(NotifyEvent::ServerMetadataChange),
        x_atom().prop_map(NotifyEvent::Other),
    ];
    prop_oneof![
        Just(Notify::None),
        (
            any::<bool>(),
            vec((filter, option::of(vec(event, 1..3))), 1..3)
        )
            .prop_map(|(status, groups)| Notify::Set {
                status,
                groups: groups
                    .into_iter()
                    .map(|(filter, events)| EventGroup { filter, events })
                    .collect(),
            }),
    ]
    .boxed()
}

fn body() -> BoxedStrategy<CommandBody<'static>> {
    use CommandBody as B;
    let simple = prop_oneof![
        Just(B::Capability),
        Just(B::Noop),
        Just(B::Logout),
        Just(B::StartTls),
        Just(B::Unauthenticate),
        Just(B::Idle),
        Just(B::Namespace),
        Just(B::Check),
        Just(B::Close),
        Just(B::Unselect),
        Just(B::Expunge),
    ];
    let auth = (
        atom(),
        option::of(prop_oneof![
            Just(SaslData::Empty),
            "[A-Za-z0-9][A-Za-z0-9+/]{0,10}={0,2}".prop_map(|s| SaslData::Base64(ByteStr::from(s)))
        ]),
    )
        .prop_map(|(mechanism, initial_response)| {
            B::Authenticate(Authenticate {
                mechanism,
                initial_response,
            })
        });
    let select_param = prop_oneof![
        Just(SelectParam::Condstore),
        (
            nz(),
            (0..=i64::MAX as u64),
            option::of(plain_set()),
            option::of((plain_set(), plain_set()))
        )
            .prop_map(
                |(v, m, known_uids, seq_match)| SelectParam::Qresync(Qresync {
                    uid_validity: v.get(),
                    mod_seq: m,
                    known_uids,
                    seq_match,
                })
            ),
        tagged_ext().prop_map(SelectParam::Other),
    ];
    let select = (mailbox(), vec(select_param, 0..3), any::<bool>()).prop_map(
        |(mailbox, params, examine)| {
            let select = Select { mailbox, params };
            if examine {
                B::Examine(select)
            } else {
                B::Select(select)
            }
        },
    );
    let create_param = prop_oneof![
        vec(flag(), 1..3).prop_map(CreateParam::Use),
        tagged_ext().prop_map(CreateParam::Other),
    ];
    let mailbox_commands = prop_oneof![
        (mailbox(), vec(create_param, 0..2))
            .prop_map(|(mailbox, params)| B::Create(Create { mailbox, params })),
        mailbox().prop_map(B::Delete),
        (mailbox(), mailbox()).prop_map(|(from, to)| B::Rename { from, to }),
        mailbox().prop_map(B::Subscribe),
        mailbox().prop_map(B::Unsubscribe),
        (mailbox(), istring()).prop_map(|(reference, p)| B::Lsub {
            reference,
            pattern: MailboxPattern(p)
        }),
        (mailbox(), vec(status_item(), 1..4))
            .prop_map(|(mailbox, items)| B::Status(StatusCommand { mailbox, items })),
        list().prop_map(B::List),
        (mailbox(), vec(append_message(), 1..3))
            .prop_map(|(mailbox, messages)| B::Append(Append { mailbox, messages })),
        (any::<bool>(), nz(), mailbox(), append_message()).prop_map(
            |(uid, number, mailbox, message)| B::Replace(Replace {
                uid,
                number,
                mailbox,
                message
            })
        ),
    ];
    let store_modifier = prop_oneof![
        (0..=i64::MAX as u64).prop_map(StoreModifier::UnchangedSince),
        tagged_ext().prop_map(StoreModifier::Other),
    ];
    let message_commands = prop_oneof![
        fetch().prop_map(B::Fetch),
        (
            any::<bool>(),
            set(),
            vec(store_modifier, 0..2),
            prop_oneof![
                Just(StoreAction::Replace),
                Just(StoreAction::Add),
                Just(StoreAction::Remove)
            ],
            any::<bool>(),
            vec(flag(), 0..3)
        )
            .prop_map(
                |(uid, set, modifiers, action, silent, flags)| B::Store(Store {
                    uid,
                    set,
                    modifiers,
                    action,
                    silent,
                    flags
                })
            ),
        (any::<bool>(), set(), mailbox()).prop_map(|(uid, set, mailbox)| B::Copy {
            uid,
            set,
            mailbox
        }),
        (any::<bool>(), set(), mailbox()).prop_map(|(uid, set, mailbox)| B::Move {
            uid,
            set,
            mailbox
        }),
        set().prop_map(B::UidExpunge),
        (
            any::<bool>(),
            option::of(vec(search_return(), 0..3)),
            option::of(charset()),
            vec(search_key(), 1..3)
        )
            .prop_map(|(uid, return_options, charset, criteria)| B::Search(
                SearchCommand {
                    uid,
                    return_options,
                    charset,
                    criteria
                }
            )),
        (
            any::<bool>(),
            option::of(vec(search_return(), 0..2)),
            vec(
                (
                    any::<bool>(),
                    prop_oneof![
                        Just(SortKey::Arrival),
                        Just(SortKey::Cc),
                        Just(SortKey::Date),
                        Just(SortKey::From),
                        Just(SortKey::Size),
                        Just(SortKey::Subject),
                        Just(SortKey::To),
                        Just(SortKey::DisplayFrom),
                        Just(SortKey::DisplayTo),
                        x_atom().prop_map(SortKey::Other),
                    ]
                )
                    .prop_map(|(reverse, key)| SortCriterion { reverse, key }),
                1..3
            ),
            charset(),
            vec(search_key(), 1..3)
        )
            .prop_map(
                |(uid, return_options, criteria, charset, search)| B::Sort(Sort {
                    uid,
                    return_options,
                    criteria,
                    charset,
                    search
                })
            ),
        (any::<bool>(), atom(), charset(), vec(search_key(), 1..3)).prop_map(
            |(uid, algorithm, charset, search)| B::Thread(ThreadCommand {
                uid,
                algorithm,
                charset,
                search
            })
        ),
    ];
    let other = prop_oneof![
        auth,
        (istring(), istring()).prop_map(|(username, password)| B::Login { username, password }),
        vec(atom(), 1..3).prop_map(B::Enable),
        option::of(vec((istring(), option::of(istring())), 0..3)).prop_map(B::Id),
        atom().prop_map(B::Compress),
        istring().prop_map(|r| B::Quota(QuotaCommand::GetQuota(r))),
        mailbox().prop_map(|m| B::Quota(QuotaCommand::GetQuotaRoot(m))),
        (istring(), vec((atom(), (0..=i64::MAX as u64)), 0..3))
            .prop_map(|(root, limits)| B::Quota(QuotaCommand::SetQuota { root, limits })),
        (
            vec(
                prop_oneof![
                    any::<u32>().prop_map(GetMetadataOption::MaxSize),
                    prop_oneof![Just(None), Just(Some(0u8)), Just(Some(1u8))]
                        .prop_map(GetMetadataOption::Depth)
                ],
                0..2
            ),
            mailbox(),
            vec(istring(), 1..3)
        )
            .prop_map(|(options, mailbox, entries)| B::Metadata(
                MetadataCommand::GetMetadata {
                    options,
                    mailbox,
                    entries
                }
            )),
        (mailbox(), vec((istring(), option::of(istring())), 1..3)).prop_map(
            |(mailbox, entries)| B::Metadata(MetadataCommand::SetMetadata { mailbox, entries })
        ),
        mailbox().prop_map(|m| B::Acl(AclCommand::GetAcl(m))),
        mailbox().prop_map(|m| B::Acl(AclCommand::MyRights(m))),
        (mailbox(), istring(), istring()).prop_map(|(mailbox, identifier, rights)| B::Acl(
            AclCommand::SetAcl {
                mailbox,
                identifier,
                rights
            }
        )),
        (mailbox(), istring()).prop_map(|(mailbox, identifier)| B::Acl(AclCommand::DeleteAcl {
            mailbox,
            identifier
        })),
        (mailbox(), istring()).prop_map(|(mailbox, identifier)| B::Acl(AclCommand::ListRights {
            mailbox,
            identifier
        })),
        notify().prop_map(B::Notify),
        ("X[A-Z]{1,6}", "[ -z|~]{0,12}").prop_map(|(name, args)| B::Unknown(Unknown {
            name: ByteStr::from(name),
            arguments: ByteStr::from(args),
        })),
    ];
    prop_oneof![
        simple.boxed(),
        select.boxed(),
        mailbox_commands.boxed(),
        message_commands.boxed(),
        other.boxed()
    ]
    .boxed()
}

fn command() -> BoxedStrategy<Command<'static>> {
    (tag(), body())
        .prop_map(|(tag, body)| Command { tag, body })
        .boxed()
}

/// Replays fragments as a client would, granting every continuation, into one server
/// decoder; returns the command it decoded.
fn replay(fragments: Vec<Fragment>) -> (Vec<u8>, Command<'static>) {
    let mut decoder = CommandDecoder::new(Limits::default());
    let mut wire = Vec::new();
    for fragment in fragments {
        let waits = matches!(
            fragment,
            Fragment::Literal {
                mode: LiteralMode::Sync,
                ..
            }
        );
        if waits {
            // The client waits here: the server must have asked for a continuation.
            assert!(
                matches!(
                    decoder.decode(&wire).unwrap(),
                    ServerStep::NeedsContinuation { .. }
                ),
                "client would wait but server did not ask: {:?}",
                String::from_utf8_lossy(&wire)
            );
        }
        match fragment {
            Fragment::Line(line) => wire.extend_from_slice(&line),
            Fragment::Literal { data, .. } => wire.extend_from_slice(&data),
        }
    }
    loop {
        match decoder.decode(&wire).unwrap() {
            ServerStep::NeedsContinuation { .. } => continue,
            ServerStep::Complete {
                value: ClientMessage::Command(c),
                consumed,
            } => {
                assert_eq!(consumed, wire.len());
                let command = c.into_owned();
                return (wire, command);
            }
            other => panic!("{other:?}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn decode_encode_roundtrip(command in command()) {
        let wire = command.to_bytes();
        let decoded = parse_command(&wire, Limits::default())
            .map_err(|e| format!("{e} in {:?}", String::from_utf8_lossy(&wire)));
        prop_assert_eq!(decoded.clone(), Ok(command.clone()), "{:?}", String::from_utf8_lossy(&wire));
        // Encoding is canonical: re-encoding the decoded value gives the same bytes.
        prop_assert_eq!(decoded.unwrap().to_bytes(), wire);
    }

    #[test]
    fn fragments_decode_with_continuations(command in command(), policy in prop_oneof![
        Just(LiteralPolicy::Synchronizing), Just(LiteralPolicy::LiteralPlus), Just(LiteralPolicy::LiteralMinus)
    ]) {
        let (wire, decoded) = replay(encode_fragments(&command, policy).collect());
        prop_assert_eq!(decoded, command.clone());
        if policy == LiteralPolicy::Synchronizing {
            prop_assert_eq!(wire, command.to_bytes());
        }
    }

    #[test]
    fn truncation_is_incomplete(command in command()) {
        let wire = command.to_bytes();
        for end in 0..wire.len() {
            let result = decode_command(&wire[..end], Limits::default());
            prop_assert!(matches!(result, Ok(Decoded::Incomplete { .. })), "cut at {}: {:?}", end, result);
        }
    }

    #[test]
    fn server_decoder_truncation_is_incomplete_or_continuation(command in command()) {
        let wire = command.to_bytes();
        for end in 0..wire.len() {
            let mut decoder = CommandDecoder::new(Limits::default());
            loop {
                match decoder.decode(&wire[..end]) {
                    Ok(ServerStep::NeedsContinuation { .. }) => continue,
                    Ok(ServerStep::Incomplete { .. }) => break,
                    other => prop_assert!(false, "cut at {}: {:?}", end, other),
                }
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..200)) {
        let _ = decode_command(&bytes, Limits::default());
        let mut decoder = CommandDecoder::new(Limits::default());
        let _ = decoder.decode_captured(&bytes);
    }

    #[test]
    fn mutated_commands_never_panic(command in command(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut wire = command.to_bytes();
        let i = at.index(wire.len());
        wire[i] = byte;
        let _ = decode_command(&wire, Limits::default());
    }
}
