//! Commands: what an IMAP client sends.
//!
//! A [`Command`] is a tag and a [`CommandBody`]. Each command family has its own module
//! (FETCH in [`fetch`], SEARCH in [`search`], ...), holding its types, its parser and its
//! encoder. [`parse_command`] decodes one complete command (its line and any literals, as
//! found by a framer); [`decode_command`] also finds where the command ends;
//! [`encode_fragments`] splits an encoded command at synchronising literals so a client can
//! wait for the server's `+` before sending each literal.

pub mod acl;
pub mod append;
pub mod auth;
mod build;
mod encode;
pub mod ext;
pub mod fetch;
pub mod list;
pub mod mailbox;
pub mod metadata;
pub mod notify;
mod parse;
pub mod quota;
pub mod search;
pub mod select;
pub mod sort;
pub mod store;

pub use encode::{Fragment, Fragments, LiteralPolicy, encode_fragments};
pub use parse::{decode_command, is_base64_char, parse_command};

use crate::core::owned::into_owned_struct;
use crate::core::{Atom, ByteStr, IString, IntoOwned, Mailbox, SequenceSet, Tag};

/// One client command: a tag and what the command asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Command<'a> {
    /// The tag the server's completion response will carry.
    pub tag: Tag<'a>,
    /// The command name and arguments.
    pub body: CommandBody<'a>,
}

into_owned_struct!(Command { tag, body });

/// The name and arguments of a [`Command`].
///
/// Variants carrying `uid: bool` stand for both the plain command and its `UID` form.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum CommandBody<'a> {
    /// `CAPABILITY`.
    Capability,
    /// `NOOP`.
    Noop,
    /// `LOGOUT`.
    Logout,
    /// `STARTTLS` (RFC 9051 §6.2.1).
    StartTls,
    /// `AUTHENTICATE` with an optional SASL-IR initial response (RFC 4959).
    Authenticate(auth::Authenticate<'a>),
    /// `LOGIN user password`.
    Login {
        /// The user name.
        username: IString<'a>,
        /// The password.
        password: IString<'a>,
    },
    /// `UNAUTHENTICATE` (RFC 8437).
    Unauthenticate,
    /// `ENABLE cap...` (RFC 5161).
    Enable(Vec<Atom<'a>>),
    /// `ID (field value ...)` or `ID NIL` (RFC 2971).
    Id(Option<Vec<(auth::IdField<'a>, Option<IString<'a>>)>>),
    /// `IDLE` (RFC 2177); the client then sends `DONE`.
    Idle,
    /// `NAMESPACE` (RFC 2342).
    Namespace,
    /// `COMPRESS mechanism` (RFC 4978).
    Compress(Atom<'a>),
    /// `SELECT mailbox [(params)]`.
    Select(select::Select<'a>),
    /// `EXAMINE mailbox [(params)]`.
    Examine(select::Select<'a>),
    /// `CREATE mailbox [(USE (...) ...)]`.
    Create(mailbox::Create<'a>),
    /// `DELETE mailbox`.
    Delete(Mailbox<'a>),
    /// `RENAME from to`.
    Rename {
        /// The existing name.
        from: Mailbox<'a>,
        /// The new name.
        to: Mailbox<'a>,
    },
    /// `SUBSCRIBE mailbox`.
    Subscribe(Mailbox<'a>),
    /// `UNSUBSCRIBE mailbox`.
    Unsubscribe(Mailbox<'a>),
    /// `LIST` with LIST-EXTENDED selection and return options (RFC 5258, 9051).
    List(list::List<'a>),
    /// `LSUB reference pattern` (RFC 3501).
    Lsub {
        /// The reference name.
        reference: Mailbox<'a>,
        /// The mailbox pattern (may hold `*` and `%`).
        pattern: list::MailboxPattern<'a>,
    },
    /// `STATUS mailbox (items)`.
    Status(mailbox::StatusCommand<'a>),
    /// `APPEND` of one or more messages (MULTIAPPEND, CATENATE, BINARY).
    Append(append::Append<'a>),
    /// `CHECK` (RFC 3501).
    Check,
    /// `CLOSE`.
    Close,
    /// `UNSELECT` (RFC 3691).
    Unselect,
    /// `EXPUNGE`.
    Expunge,
    /// `UID EXPUNGE set` (RFC 4315).
    UidExpunge(SequenceSet<'a>),
    /// `[UID] FETCH`.
    Fetch(fetch::FetchCommand<'a>),
    /// `[UID] STORE`.
    Store(store::Store<'a>),
    /// `[UID] COPY set mailbox`.
    Copy {
        /// Whether this is `UID COPY`.
        uid: bool,
        /// The messages.
        set: SequenceSet<'a>,
        /// The destination.
        mailbox: Mailbox<'a>,
    },
    /// `[UID] MOVE set mailbox` (RFC 6851).
    Move {
        /// Whether this is `UID MOVE`.
        uid: bool,
        /// The messages.
        set: SequenceSet<'a>,
        /// The destination.
        mailbox: Mailbox<'a>,
    },
    /// `[UID] SEARCH`.
    Search(search::SearchCommand<'a>),
    /// `[UID] SORT` (RFC 5256, 5957).
    Sort(sort::Sort<'a>),
    /// `[UID] THREAD` (RFC 5256).
    Thread(sort::ThreadCommand<'a>),
    /// `GETQUOTA root`, `GETQUOTAROOT`, `SETQUOTA` (RFC 9208).
    Quota(quota::QuotaCommand<'a>),
    /// `GETMETADATA`, `SETMETADATA` (RFC 5464).
    Metadata(metadata::MetadataCommand<'a>),
    /// `GETACL`, `SETACL`, `DELETEACL`, `LISTRIGHTS`, `MYRIGHTS` (RFC 4314).
    Acl(acl::AclCommand<'a>),
    /// `[UID] REPLACE` (RFC 8508).
    Replace(append::Replace<'a>),
    /// `NOTIFY` (RFC 5465).
    Notify(notify::Notify<'a>),
    /// A command this crate does not know, kept raw so a server can answer `BAD` precisely.
    Unknown(Unknown<'a>),
}

/// A command whose name is not one this crate knows.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Unknown<'a> {
    /// The command name as sent (for `UID X`, the whole `UID X`).
    pub name: ByteStr<'a>,
    /// Everything after the name up to the final CRLF, literals included, without the
    /// separating space (empty when the command had no arguments).
    pub arguments: ByteStr<'a>,
}

into_owned_struct!(Unknown { name, arguments });

impl IntoOwned for CommandBody<'_> {
    type Owned = CommandBody<'static>;
    fn into_owned(self) -> Self::Owned {
        use CommandBody as B;
        match self {
            B::Capability => B::Capability,
            B::Noop => B::Noop,
            B::Logout => B::Logout,
            B::StartTls => B::StartTls,
            B::Authenticate(a) => B::Authenticate(a.into_owned()),
            B::Login { username, password } => B::Login {
                username: username.into_owned(),
                password: password.into_owned(),
            },
            B::Unauthenticate => B::Unauthenticate,
            B::Enable(caps) => B::Enable(caps.into_owned()),
            B::Id(params) => B::Id(params.into_owned()),
            B::Idle => B::Idle,
            B::Namespace => B::Namespace,
            B::Compress(m) => B::Compress(m.into_owned()),
            B::Select(s) => B::Select(s.into_owned()),
            B::Examine(s) => B::Examine(s.into_owned()),
            B::Create(c) => B::Create(c.into_owned()),
            B::Delete(m) => B::Delete(m.into_owned()),
            B::Rename { from, to } => B::Rename {
                from: from.into_owned(),
                to: to.into_owned(),
            },
            B::Subscribe(m) => B::Subscribe(m.into_owned()),
            B::Unsubscribe(m) => B::Unsubscribe(m.into_owned()),
            B::List(l) => B::List(l.into_owned()),
            B::Lsub { reference, pattern } => B::Lsub {
                reference: reference.into_owned(),
                pattern: pattern.into_owned(),
            },
            B::Status(s) => B::Status(s.into_owned()),
            B::Append(a) => B::Append(a.into_owned()),
            B::Check => B::Check,
            B::Close => B::Close,
            B::Unselect => B::Unselect,
            B::Expunge => B::Expunge,
            B::UidExpunge(set) => B::UidExpunge(set.into_owned()),
            B::Fetch(f) => B::Fetch(f.into_owned()),
            B::Store(s) => B::Store(s.into_owned()),
            B::Copy { uid, set, mailbox } => B::Copy {
                uid,
                set: set.into_owned(),
                mailbox: mailbox.into_owned(),
            },
            B::Move { uid, set, mailbox } => B::Move {
                uid,
                set: set.into_owned(),
                mailbox: mailbox.into_owned(),
            },
            B::Search(s) => B::Search(s.into_owned()),
            B::Sort(s) => B::Sort(s.into_owned()),
            B::Thread(t) => B::Thread(t.into_owned()),
            B::Quota(q) => B::Quota(q.into_owned()),
            B::Metadata(m) => B::Metadata(m.into_owned()),
            B::Acl(a) => B::Acl(a.into_owned()),
            B::Replace(r) => B::Replace(r.into_owned()),
            B::Notify(n) => B::Notify(n.into_owned()),
            B::Unknown(u) => B::Unknown(u.into_owned()),
        }
    }
}
