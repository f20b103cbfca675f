//! The STATUS response (RFC 9051 §7.3.2), with CONDSTORE `HIGHESTMODSEQ`, STATUS=SIZE,
//! APPENDLIMIT, OBJECTID `MAILBOXID` and IMAP4rev2 `DELETED`.

use crate::Expected;
use crate::core::atom::{class, take_class};
use crate::core::cursor::{Cursor, ParseResult};
use crate::core::encode::put_number;
use crate::core::lazy::{self, LazyList, ListItem};
use crate::core::number::number64;
use crate::core::owned::into_owned_struct;
use crate::core::string::parse_nil;
use crate::core::{Atom, Encode, IntoOwned, Mailbox, RawValue, Sink};

/// One `status-att-val`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum StatusItem<'a> {
    /// `MESSAGES n`.
    Messages(u32),
    /// `RECENT n` (IMAP4rev1).
    Recent(u32),
    /// `UIDNEXT n`.
    UidNext(u32),
    /// `UIDVALIDITY n`.
    UidValidity(u32),
    /// `UNSEEN n`.
    Unseen(u32),
    /// `DELETED n` (IMAP4rev2).
    Deleted(u32),
    /// `SIZE n` (RFC 8438).
    Size(u64),
    /// `HIGHESTMODSEQ n` (RFC 7162).
    HighestModSeq(u64),
    /// `APPENDLIMIT n` or `APPENDLIMIT NIL` (RFC 7889).
    AppendLimit(Option<u64>),
    /// `MAILBOXID (id)` (RFC 8474).
    MailboxId(Atom<'a>),
    /// Any other item, kept raw.
    Other {
        /// The item name.
        name: Atom<'a>,
        /// Its raw value.
        value: RawValue<'a>,
    },
}

fn small(c: &mut Cursor<'_>) -> ParseResult<u32> {
    let at = c.pos();
    let n = number64(c)?;
    u32::try_from(n).map_err(|_| {
        let mut here = c.clone();
        here.reset_to(at);
        here.error(Expected::Number)
    })
}

impl<'a> StatusItem<'a> {
    /// Parses one `status-att-val`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let name = take_class(c, class::ATOM, Expected::StatusItem)?;
        c.sp()?;
        let is = |w: &str| name.eq_ignore_ascii_case(w);
        Ok(if is("MESSAGES") {
            StatusItem::Messages(small(c)?)
        } else if is("RECENT") {
            StatusItem::Recent(small(c)?)
        } else if is("UIDNEXT") {
            StatusItem::UidNext(small(c)?)
        } else if is("UIDVALIDITY") {
            StatusItem::UidValidity(small(c)?)
        } else if is("UNSEEN") {
            StatusItem::Unseen(small(c)?)
        } else if is("DELETED") {
            StatusItem::Deleted(small(c)?)
        } else if is("SIZE") {
            StatusItem::Size(number64(c)?)
        } else if is("HIGHESTMODSEQ") {
            StatusItem::HighestModSeq(number64(c)?)
        } else if is("APPENDLIMIT") {
            StatusItem::AppendLimit(if parse_nil(c) {
                None
            } else {
                Some(number64(c)?)
            })
        } else if is("MAILBOXID") {
            c.expect(b'(', Expected::OpenParen)?;
            let id = Atom::parse(c)?;
            c.expect(b')', Expected::CloseParen)?;
            StatusItem::MailboxId(id)
        } else {
            StatusItem::Other {
                name: Atom::unchecked(name),
                value: RawValue::parse(c)?,
            }
        })
    }
}

impl<'a> ListItem<'a> for StatusItem<'a> {
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        Self::parse(c)
    }
}

impl Encode for StatusItem<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        let (name, value): (&[u8], u64) = match self {
            StatusItem::Messages(n) => (b"MESSAGES ", u64::from(*n)),
            StatusItem::Recent(n) => (b"RECENT ", u64::from(*n)),
            StatusItem::UidNext(n) => (b"UIDNEXT ", u64::from(*n)),
            StatusItem::UidValidity(n) => (b"UIDVALIDITY ", u64::from(*n)),
            StatusItem::Unseen(n) => (b"UNSEEN ", u64::from(*n)),
            StatusItem::Deleted(n) => (b"DELETED ", u64::from(*n)),
            StatusItem::Size(n) => (b"SIZE ", *n),
            StatusItem::HighestModSeq(n) => (b"HIGHESTMODSEQ ", *n),
            StatusItem::AppendLimit(Some(n)) => (b"APPENDLIMIT ", *n),
            StatusItem::AppendLimit(None) => return out.put(b"APPENDLIMIT NIL"),
            StatusItem::MailboxId(id) => {
                out.put(b"MAILBOXID (");
                id.encode(out);
                return out.put(b")");
            }
            StatusItem::Other { name, value } => {
                name.encode(out);
                out.put(b" ");
                return value.encode(out);
            }
        };
        out.put(name);
        put_number(out, value);
    }
}

impl IntoOwned for StatusItem<'_> {
    type Owned = StatusItem<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            StatusItem::Messages(n) => StatusItem::Messages(n),
            StatusItem::Recent(n) => StatusItem::Recent(n),
            StatusItem::UidNext(n) => StatusItem::UidNext(n),
            StatusItem::UidValidity(n) => StatusItem::UidValidity(n),
            StatusItem::Unseen(n) => StatusItem::Unseen(n),
            StatusItem::Deleted(n) => StatusItem::Deleted(n),
            StatusItem::Size(n) => StatusItem::Size(n),
            StatusItem::HighestModSeq(n) => StatusItem::HighestModSeq(n),
            StatusItem::AppendLimit(n) => StatusItem::AppendLimit(n),
            StatusItem::MailboxId(a) => StatusItem::MailboxId(a.into_owned()),
            StatusItem::Other { name, value } => StatusItem::Other {
                name: name.into_owned(),
                value: value.into_owned(),
            },
        }
    }
}

/// The data of a STATUS response: `mailbox SP "(" [items] ")"`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MailboxStatus<'a> {
    /// The mailbox.
    pub mailbox: Mailbox<'a>,
    /// The items (decoded lazily, see [`LazyList`]).
    pub items: LazyList<'a, StatusItem<'a>>,
}

into_owned_struct!(MailboxStatus { mailbox, items });

impl<'a> MailboxStatus<'a> {
    /// Parses the arguments of STATUS.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let mailbox = Mailbox::parse(c)?;
        c.sp()?;
        let items = lazy::paren_list(c, true, |c| StatusItem::parse(c).map(drop))?;
        Ok(MailboxStatus { mailbox, items })
    }
}

impl Encode for MailboxStatus<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        self.mailbox.encode(out);
        out.put(b" (");
        self.items.encode_items(out, b" ", Encode::encode);
        out.put(b")");
    }
}
