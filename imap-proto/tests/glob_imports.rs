//! Every public module of the crate glob-imported together (as `use groupwire_imap::command::*;
//! use groupwire_imap::response::*;` and the rest): no two of them define the same name, so
//! each name resolves. Names that once collided: `FetchCommand` / `Fetch`,
//! `FetchAttributeName` / `FetchAttribute`, `SearchCommand` / `Search`, `StatusCommand` /
//! `Status`, `StatusItemName` / `StatusItem`, `ThreadCommand` / `Thread`, `MailboxPattern` /
//! `ListMailbox`, `PartialRange` / `PartialResultRange`, and `Data::MailboxStatus` next to
//! `Status`.

#![allow(unused_imports)]
#![deny(ambiguous_glob_imports)]

use groupwire_imap::command::acl::*;
use groupwire_imap::command::append::*;
use groupwire_imap::command::auth::*;
use groupwire_imap::command::ext::*;
use groupwire_imap::command::fetch::*;
use groupwire_imap::command::list::*;
use groupwire_imap::command::mailbox::*;
use groupwire_imap::command::metadata::*;
use groupwire_imap::command::notify::*;
use groupwire_imap::command::quota::*;
use groupwire_imap::command::search::*;
use groupwire_imap::command::select::*;
use groupwire_imap::command::sort::*;
use groupwire_imap::command::store::*;
use groupwire_imap::command::*;
use groupwire_imap::core::atom::*;
use groupwire_imap::core::bytes::*;
use groupwire_imap::core::charset::*;
use groupwire_imap::core::cursor::*;
use groupwire_imap::core::datetime::*;
use groupwire_imap::core::encode::*;
use groupwire_imap::core::flag::*;
use groupwire_imap::core::mailbox::*;
use groupwire_imap::core::number::*;
use groupwire_imap::core::owned::*;
use groupwire_imap::core::raw::*;
use groupwire_imap::core::sequence::*;
use groupwire_imap::core::string::*;
use groupwire_imap::core::utf7::*;
use groupwire_imap::core::*;
use groupwire_imap::frame::*;
use groupwire_imap::limits::*;
use groupwire_imap::response::acl::*;
use groupwire_imap::response::bodystructure::*;
use groupwire_imap::response::capability::*;
use groupwire_imap::response::code::*;
use groupwire_imap::response::continuation::*;
use groupwire_imap::response::envelope::*;
use groupwire_imap::response::fetch::*;
use groupwire_imap::response::greeting::*;
use groupwire_imap::response::id::*;
use groupwire_imap::response::list::*;
use groupwire_imap::response::mailbox_status::*;
use groupwire_imap::response::metadata::*;
use groupwire_imap::response::namespace::*;
use groupwire_imap::response::quota::*;
use groupwire_imap::response::search::*;
use groupwire_imap::response::status::*;
use groupwire_imap::response::thread::*;
use groupwire_imap::response::*;
use groupwire_imap::stream::async_client::*;
use groupwire_imap::stream::client::*;
use groupwire_imap::stream::server::*;
use groupwire_imap::stream::server_codec::*;
use groupwire_imap::stream::session::*;
use groupwire_imap::stream::*;
use groupwire_imap::*;

/// Every public name, each resolved through the glob imports above: an ambiguous one
/// (defined in two glob-imported modules) fails to compile here.
mod every_public_name {
    use super::{
        Acl, AclCommand, Address, Append, AppendData, AppendMessage, AsyncClient, Atom,
        Authenticate, BodyFields, BodyParams, BodyStructure, ByteStr, CatenatePart, Charset,
        ClientError, ClientFrame, ClientFrameKind, ClientMessage, ClientSession, Code, CodecError,
        Command, CommandBody, CommandDecoder, CommandStart, Completion, Continuation, Create,
        CreateParam, Cursor, Data, Date, DateTime, Disposition, ESearch, Encode, EntryType,
        Envelope, Event, EventGroup, ExtensionTail, Fetch, FetchAttribute, FetchAttributeName,
        FetchCommand, FetchItems, FetchModifier, Flag, FrameStatus, Framer, GetMetadataOption,
        Greeting, IString, IdField, IdParameters, Idle, LanguageTail, Limit, Limits, List,
        ListExtendedItem, ListMailbox, ListReturnOption, ListRights, ListSelectOption, Literal,
        LiteralAnnouncement, LiteralMode, LocationTail, Mailbox, MailboxFilter, MailboxPattern,
        MailboxStatus, Metadata, MetadataCode, MetadataCommand, MetadataEntries, Multipart,
        MultipartExtension, MyRights, Namespace, NamespaceDescription, Notify, NotifyEvent,
        NumberList, ParseResult, PartialRange, PartialResultRange, Qresync, Quota, QuotaCommand,
        QuotaResource, QuotaRoot, Quoted, RawValue, Replace, Reply, Response, ResponseDecoder,
        ResponseFrame, ResponseText, SaslData, SaslResponse, Search, SearchCommand, SearchKey,
        SearchReturnData, SearchReturnOption, Section, SectionText, Select, SelectParam, SeqNumber,
        SeqRange, SequenceSet, ServerCodec, ServerEvent, ServerState, ServerStep, SessionError,
        SinglePart, SinglePartExtension, SinglePartKind, Sink, Sort, SortCriterion, SortKey,
        Status, StatusCommand, StatusItem, StatusItemName, StatusResponse, Store, StoreAction,
        StoreModifier, Tag, TagGenerator, TaggedExt, TaggedExtComp, TaggedExtValue, Thread,
        ThreadCommand, Unknown, decode, encode, is_astring_char, is_atom_char, is_base64,
        is_list_char, is_tag_char, is_text_char, number, number64, nz_number, paren_list,
        parse_nil, parse_sasl_line, put_number,
    };
}

#[test]
fn renamed_names_are_distinct_types() {
    // The command side names what to fetch; the response side carries the values.
    let asked = FetchAttributeName::Flags;
    let got = FetchAttribute::Flags(Vec::new().into());
    assert_eq!(asked.to_bytes(), b"FLAGS");
    assert_eq!(got.to_bytes(), b"FLAGS ()");
    // `Status` is OK/NO/BAD...; the STATUS response is `Data::MailboxStatus`.
    assert_eq!(Status::Ok, Status::Ok);
    let decoded = Response::decode(b"* STATUS INBOX (MESSAGES 2)\r\n", &Limits::default())
        .unwrap()
        .complete()
        .unwrap()
        .0;
    let Response::Data(Data::MailboxStatus(status)) = decoded else {
        panic!("{decoded:?}")
    };
    assert_eq!(status.items, [StatusItem::Messages(2)]);
    assert_eq!(StatusItemName::Messages.to_bytes(), b"MESSAGES");
}
