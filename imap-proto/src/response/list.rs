//! LIST and LSUB responses (RFC 9051 §7.3.1; LIST-EXTENDED RFC 5258 with CHILDINFO and
//! OLDNAME; SPECIAL-USE RFC 6154; CHILDREN RFC 3348).

use crate::Expected;
use crate::core::atom::{class, take_class};
use crate::core::cursor::{Cursor, ParseResult};
use crate::core::lazy::{self, LazyList, ListItem};
use crate::core::owned::into_owned_struct;
use crate::core::string::{Quoted, parse_nil};
use crate::core::{Atom, Encode, IString, IntoOwned, Mailbox, RawValue, Sink};

macro_rules! attributes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, )*) => {
        /// A mailbox attribute (`\Noselect`, `\HasChildren`, `\Sent`, ...), matched
        /// case-insensitively; unknown ones are kept.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub enum MailboxAttribute<'a> {
            $( $(#[$doc])* $variant, )*
            /// Another `\Name` attribute (name without the backslash).
            Extension(Atom<'a>),
        }

        impl<'a> MailboxAttribute<'a> {
            /// Parses `"\" atom`.
            pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
                c.expect(b'\\', Expected::MailboxAttribute)?;
                let name = take_class(c, class::ATOM, Expected::MailboxAttribute)?;
                $( if name.eq_ignore_ascii_case($name) { return Ok(MailboxAttribute::$variant); } )*
                Ok(MailboxAttribute::Extension(Atom::unchecked(name)))
            }

            fn name(&self) -> &str {
                match self {
                    $( MailboxAttribute::$variant => $name, )*
                    MailboxAttribute::Extension(name) => name.as_str(),
                }
            }
        }

        impl IntoOwned for MailboxAttribute<'_> {
            type Owned = MailboxAttribute<'static>;
            fn into_owned(self) -> Self::Owned {
                match self {
                    $( MailboxAttribute::$variant => MailboxAttribute::$variant, )*
                    MailboxAttribute::Extension(name) => MailboxAttribute::Extension(name.into_owned()),
                }
            }
        }
    };
}

attributes! {
    /// `\Noinferiors`.
    NoInferiors = "Noinferiors",
    /// `\Noselect`.
    NoSelect = "Noselect",
    /// `\Marked`.
    Marked = "Marked",
    /// `\Unmarked`.
    Unmarked = "Unmarked",
    /// `\HasChildren`.
    HasChildren = "HasChildren",
    /// `\HasNoChildren`.
    HasNoChildren = "HasNoChildren",
    /// `\NonExistent`.
    NonExistent = "NonExistent",
    /// `\Subscribed`.
    Subscribed = "Subscribed",
    /// `\Remote`.
    Remote = "Remote",
    /// `\All` (SPECIAL-USE).
    All = "All",
    /// `\Archive` (SPECIAL-USE).
    Archive = "Archive",
    /// `\Drafts` (SPECIAL-USE).
    Drafts = "Drafts",
    /// `\Flagged` (SPECIAL-USE).
    Flagged = "Flagged",
    /// `\Junk` (SPECIAL-USE).
    Junk = "Junk",
    /// `\Sent` (SPECIAL-USE).
    Sent = "Sent",
    /// `\Trash` (SPECIAL-USE).
    Trash = "Trash",
    /// `\Important` (RFC 8457).
    Important = "Important",
}

impl<'a> ListItem<'a> for MailboxAttribute<'a> {
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        Self::parse(c)
    }
}

impl<'a> ListItem<'a> for ListExtendedItem<'a> {
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        Self::parse(c)
    }
}

impl Encode for MailboxAttribute<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(b"\\");
        out.put(self.name().as_bytes());
    }
}

/// One item of `mbox-list-extended` (RFC 5258).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ListExtendedItem<'a> {
    /// `CHILDINFO (...)`: why a non-matching parent is listed (e.g. `SUBSCRIBED`).
    ChildInfo(LazyList<'a, IString<'a>>),
    /// `OLDNAME (mailbox)` (RFC 9051 §6.3.9, after RENAME).
    OldName(Mailbox<'a>),
    /// Any other item: its tag and raw value.
    Other {
        /// The item tag.
        tag: IString<'a>,
        /// The raw value.
        value: RawValue<'a>,
    },
}

/// The data of a LIST or LSUB response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ListMailbox<'a> {
    /// The mailbox's attributes (decoded lazily, see [`LazyList`]).
    pub attributes: LazyList<'a, MailboxAttribute<'a>>,
    /// The hierarchy delimiter, or `None` (NIL) for a flat namespace.
    pub delimiter: Option<u8>,
    /// The mailbox name.
    pub mailbox: Mailbox<'a>,
    /// LIST-EXTENDED items, when sent (decoded lazily, see [`LazyList`]).
    pub extended: LazyList<'a, ListExtendedItem<'a>>,
}

into_owned_struct!(ListMailbox {
    attributes,
    delimiter,
    mailbox,
    extended
});

impl IntoOwned for ListExtendedItem<'_> {
    type Owned = ListExtendedItem<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            ListExtendedItem::ChildInfo(v) => ListExtendedItem::ChildInfo(v.into_owned()),
            ListExtendedItem::OldName(m) => ListExtendedItem::OldName(m.into_owned()),
            ListExtendedItem::Other { tag, value } => ListExtendedItem::Other {
                tag: tag.into_owned(),
                value: value.into_owned(),
            },
        }
    }
}

/// Parses a hierarchy delimiter: `DQUOTE QUOTED-CHAR DQUOTE / NIL`.
pub(crate) fn parse_delimiter(c: &mut Cursor<'_>) -> ParseResult<Option<u8>> {
    if parse_nil(c) {
        return Ok(None);
    }
    let at = c.pos();
    let quoted = Quoted::parse(c)?;
    match *quoted.unescaped() {
        [byte] => Ok(Some(byte)),
        _ => {
            let mut here = c.clone();
            here.reset_to(at);
            Err(here.error(Expected::Delimiter))
        }
    }
}

/// Encodes a hierarchy delimiter.
pub(crate) fn encode_delimiter<S: Sink + ?Sized>(delimiter: Option<u8>, out: &mut S) {
    match delimiter {
        None => out.put(b"NIL"),
        Some(b) if b == b'"' || b == b'\\' => {
            out.put(b"\"\\");
            out.put(&[b]);
            out.put(b"\"");
        }
        Some(b) => {
            out.put(b"\"");
            out.put(&[b]);
            out.put(b"\"");
        }
    }
}

impl<'a> ListExtendedItem<'a> {
    fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let tag = IString::parse_astring(c)?;
        c.sp()?;
        if tag.eq_ignore_case(b"CHILDINFO") {
            return lazy::paren_list(c, false, |c| IString::parse_astring(c).map(drop))
                .map(ListExtendedItem::ChildInfo);
        }
        if tag.eq_ignore_case(b"OLDNAME") {
            c.expect(b'(', Expected::OpenParen)?;
            let name = Mailbox::parse(c)?;
            c.expect(b')', Expected::CloseParen)?;
            return Ok(ListExtendedItem::OldName(name));
        }
        Ok(ListExtendedItem::Other {
            tag,
            value: RawValue::parse(c)?,
        })
    }
}

impl Encode for ListExtendedItem<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            ListExtendedItem::ChildInfo(items) => {
                out.put(b"CHILDINFO (");
                items.encode_items(out, b" ", |i, o| i.encode_astring(o));
                out.put(b")");
            }
            ListExtendedItem::OldName(name) => {
                out.put(b"OLDNAME (");
                name.encode(out);
                out.put(b")");
            }
            ListExtendedItem::Other { tag, value } => {
                tag.encode_astring(out);
                out.put(b" ");
                value.encode(out);
            }
        }
    }
}

impl<'a> ListMailbox<'a> {
    /// Parses `mailbox-list`: `"(" [attributes] ")" SP delimiter SP mailbox [SP extended]`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let attributes = lazy::paren_list(c, true, |c| MailboxAttribute::parse(c).map(drop))?;
        c.sp()?;
        let delimiter = parse_delimiter(c)?;
        c.sp()?;
        let mailbox = Mailbox::parse(c)?;
        let extended = if c.eat(b' ') {
            lazy::paren_list(c, true, |c| ListExtendedItem::parse(c).map(drop))?
        } else {
            LazyList::new()
        };
        Ok(ListMailbox {
            attributes,
            delimiter,
            mailbox,
            extended,
        })
    }
}

impl Encode for ListMailbox<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(b"(");
        self.attributes.encode_items(out, b" ", Encode::encode);
        out.put(b") ");
        encode_delimiter(self.delimiter, out);
        out.put(b" ");
        self.mailbox.encode(out);
        if !self.extended.is_empty() {
            out.put(b" (");
            self.extended.encode_items(out, b" ", Encode::encode);
            out.put(b")");
        }
    }
}
