//! CREATE (with CREATE-SPECIAL-USE `USE`, RFC 6154) and STATUS with its items (RFC 9051,
//! CONDSTORE, STATUS=SIZE RFC 8438, APPENDLIMIT RFC 7889, OBJECTID RFC 8474, QUOTA RFC 9208).
//! DELETE, RENAME, SUBSCRIBE and UNSUBSCRIBE take only mailbox names.

use crate::Expected;
use crate::core::atom::is_atom_char;
use crate::core::cursor::{Cursor, ParseResult, paren_list};
use crate::core::owned::into_owned_struct;
use crate::core::{Atom, Encode, Flag, IntoOwned, Mailbox, Sink};

use super::ext::TaggedExt;
use super::fetch::{eat_keyword, encode_list};

/// `CREATE mailbox [(params)]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Create<'a> {
    /// The mailbox to create.
    pub mailbox: Mailbox<'a>,
    /// Parameters (empty when none were sent).
    pub params: Vec<CreateParam<'a>>,
}

into_owned_struct!(Create { mailbox, params });

/// One `create-param`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum CreateParam<'a> {
    /// `USE (\Drafts \Sent ...)`: the special uses of the new mailbox (RFC 6154 §3).
    Use(Vec<Flag<'a>>),
    /// Any other parameter.
    Other(TaggedExt<'a>),
}

impl IntoOwned for CreateParam<'_> {
    type Owned = CreateParam<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            CreateParam::Use(uses) => CreateParam::Use(uses.into_owned()),
            CreateParam::Other(ext) => CreateParam::Other(ext.into_owned()),
        }
    }
}

/// `STATUS mailbox (items)`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Status<'a> {
    /// The mailbox.
    pub mailbox: Mailbox<'a>,
    /// The requested items.
    pub items: Vec<StatusItem<'a>>,
}

into_owned_struct!(Status { mailbox, items });

/// A STATUS data item name (`status-att`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum StatusItem<'a> {
    /// `MESSAGES`.
    Messages,
    /// `RECENT` (IMAP4rev1).
    Recent,
    /// `UIDNEXT`.
    UidNext,
    /// `UIDVALIDITY`.
    UidValidity,
    /// `UNSEEN`.
    Unseen,
    /// `DELETED` (IMAP4rev2).
    Deleted,
    /// `SIZE` (RFC 8438, IMAP4rev2).
    Size,
    /// `HIGHESTMODSEQ` (RFC 7162).
    HighestModSeq,
    /// `APPENDLIMIT` (RFC 7889).
    AppendLimit,
    /// `MAILBOXID` (RFC 8474).
    MailboxId,
    /// `DELETED-STORAGE` (RFC 9208).
    DeletedStorage,
    /// Another item name.
    Other(Atom<'a>),
}

const STATUS_ITEMS: [(&[u8], StatusItem<'static>); 11] = [
    (b"MESSAGES", StatusItem::Messages),
    (b"RECENT", StatusItem::Recent),
    (b"UIDNEXT", StatusItem::UidNext),
    (b"UIDVALIDITY", StatusItem::UidValidity),
    (b"UNSEEN", StatusItem::Unseen),
    (b"DELETED-STORAGE", StatusItem::DeletedStorage),
    (b"DELETED", StatusItem::Deleted),
    (b"SIZE", StatusItem::Size),
    (b"HIGHESTMODSEQ", StatusItem::HighestModSeq),
    (b"APPENDLIMIT", StatusItem::AppendLimit),
    (b"MAILBOXID", StatusItem::MailboxId),
];

impl IntoOwned for StatusItem<'_> {
    type Owned = StatusItem<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            StatusItem::Other(atom) => StatusItem::Other(atom.into_owned()),
            StatusItem::Messages => StatusItem::Messages,
            StatusItem::Recent => StatusItem::Recent,
            StatusItem::UidNext => StatusItem::UidNext,
            StatusItem::UidValidity => StatusItem::UidValidity,
            StatusItem::Unseen => StatusItem::Unseen,
            StatusItem::Deleted => StatusItem::Deleted,
            StatusItem::Size => StatusItem::Size,
            StatusItem::HighestModSeq => StatusItem::HighestModSeq,
            StatusItem::AppendLimit => StatusItem::AppendLimit,
            StatusItem::MailboxId => StatusItem::MailboxId,
            StatusItem::DeletedStorage => StatusItem::DeletedStorage,
        }
    }
}

impl<'a> Create<'a> {
    /// Parses the arguments after `CREATE `.
    pub fn parse_arguments(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let mailbox = Mailbox::parse(c)?;
        let mut params = Vec::new();
        if c.peek() == Some(b' ') {
            c.sp()?;
            params = paren_list(c, false, CreateParam::parse)?;
        }
        Ok(Create { mailbox, params })
    }
}

impl<'a> CreateParam<'a> {
    /// Parses one `create-param`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        if c.eat_ci(b"USE ") {
            return paren_list(c, false, Flag::parse).map(CreateParam::Use);
        }
        TaggedExt::parse(c).map(CreateParam::Other)
    }
}

impl<'a> Status<'a> {
    /// Parses the arguments after `STATUS `.
    pub fn parse_arguments(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let mailbox = Mailbox::parse(c)?;
        c.sp()?;
        let items = StatusItem::parse_list(c)?;
        Ok(Status { mailbox, items })
    }
}

impl<'a> StatusItem<'a> {
    /// Parses one `status-att`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        for (word, item) in STATUS_ITEMS {
            if eat_keyword(c, word) {
                return Ok(item);
            }
        }
        if c.peek().is_some_and(is_atom_char) {
            return Atom::parse(c).map(StatusItem::Other);
        }
        Err(c.error(Expected::StatusItem))
    }

    /// Parses `"(" status-att *(SP status-att) ")"`.
    pub fn parse_list(c: &mut Cursor<'a>) -> ParseResult<Vec<Self>> {
        paren_list(c, false, StatusItem::parse)
    }
}

impl Encode for Create<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        super::encode::MailboxStr(&self.mailbox).encode(out);
        if !self.params.is_empty() {
            out.put(b" ");
            encode_list(out, &self.params);
        }
    }
}

impl Encode for CreateParam<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            CreateParam::Use(uses) => {
                out.put(b"USE ");
                encode_list(out, uses);
            }
            CreateParam::Other(ext) => ext.encode(out),
        }
    }
}

impl Encode for Status<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        super::encode::MailboxStr(&self.mailbox).encode(out);
        out.put(b" ");
        encode_list(out, &self.items);
    }
}

impl Encode for StatusItem<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        if let StatusItem::Other(atom) = self {
            return atom.encode(out);
        }
        if let Some((word, _)) = STATUS_ITEMS.iter().find(|(_, item)| item == self) {
            out.put(word);
        }
    }
}
