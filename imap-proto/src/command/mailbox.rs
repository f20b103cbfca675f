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
pub struct StatusCommand<'a> {
    /// The mailbox.
    pub mailbox: Mailbox<'a>,
    /// The requested items.
    pub items: Vec<StatusItemName<'a>>,
}

into_owned_struct!(StatusCommand { mailbox, items });

/// A STATUS data item name (`status-att`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum StatusItemName<'a> {
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

const STATUS_ITEMS: [(&[u8], StatusItemName<'static>); 11] = [
    (b"MESSAGES", StatusItemName::Messages),
    (b"RECENT", StatusItemName::Recent),
    (b"UIDNEXT", StatusItemName::UidNext),
    (b"UIDVALIDITY", StatusItemName::UidValidity),
    (b"UNSEEN", StatusItemName::Unseen),
    (b"DELETED-STORAGE", StatusItemName::DeletedStorage),
    (b"DELETED", StatusItemName::Deleted),
    (b"SIZE", StatusItemName::Size),
    (b"HIGHESTMODSEQ", StatusItemName::HighestModSeq),
    (b"APPENDLIMIT", StatusItemName::AppendLimit),
    (b"MAILBOXID", StatusItemName::MailboxId),
];

impl IntoOwned for StatusItemName<'_> {
    type Owned = StatusItemName<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            StatusItemName::Other(atom) => StatusItemName::Other(atom.into_owned()),
            StatusItemName::Messages => StatusItemName::Messages,
            StatusItemName::Recent => StatusItemName::Recent,
            StatusItemName::UidNext => StatusItemName::UidNext,
            StatusItemName::UidValidity => StatusItemName::UidValidity,
            StatusItemName::Unseen => StatusItemName::Unseen,
            StatusItemName::Deleted => StatusItemName::Deleted,
            StatusItemName::Size => StatusItemName::Size,
            StatusItemName::HighestModSeq => StatusItemName::HighestModSeq,
            StatusItemName::AppendLimit => StatusItemName::AppendLimit,
            StatusItemName::MailboxId => StatusItemName::MailboxId,
            StatusItemName::DeletedStorage => StatusItemName::DeletedStorage,
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

impl<'a> StatusCommand<'a> {
    /// Parses the arguments after `STATUS `.
    pub fn parse_arguments(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let mailbox = Mailbox::parse(c)?;
        c.sp()?;
        let items = StatusItemName::parse_list(c)?;
        Ok(StatusCommand { mailbox, items })
    }
}

impl<'a> StatusItemName<'a> {
    /// Parses one `status-att`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        for (word, item) in STATUS_ITEMS {
            if eat_keyword(c, word) {
                return Ok(item);
            }
        }
        if c.peek().is_some_and(is_atom_char) {
            return Atom::parse(c).map(StatusItemName::Other);
        }
        Err(c.error(Expected::StatusItem))
    }

    /// Parses `"(" status-att *(SP status-att) ")"`.
    pub fn parse_list(c: &mut Cursor<'a>) -> ParseResult<Vec<Self>> {
        paren_list(c, false, StatusItemName::parse)
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

impl Encode for StatusCommand<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        super::encode::MailboxStr(&self.mailbox).encode(out);
        out.put(b" ");
        encode_list(out, &self.items);
    }
}

impl Encode for StatusItemName<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        if let StatusItemName::Other(atom) = self {
            return atom.encode(out);
        }
        if let Some((word, _)) = STATUS_ITEMS.iter().find(|(_, item)| item == self) {
            out.put(word);
        }
    }
}
