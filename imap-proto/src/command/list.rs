//! LIST with LIST-EXTENDED selection and return options (RFC 5258, RFC 9051), SPECIAL-USE
//! (RFC 6154), LIST-STATUS (RFC 5819) and LIST-MYRIGHTS (RFC 8440); the LIST pattern type
//! LSUB shares.

use crate::Expected;
use crate::core::atom::{Atom, is_list_char};
use crate::core::cursor::{Cursor, ParseResult, paren_list};
use crate::core::owned::into_owned_struct;
use crate::core::{Encode, IString, IntoOwned, Mailbox, Sink};

use super::ext::TaggedExt;
use super::fetch::{eat_keyword, encode_list};
use super::mailbox::StatusItemName;

/// `LIST [(selection)] reference pattern(s) [RETURN (options)]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct List<'a> {
    /// Selection options; `None` when no parenthesised list was sent (an empty list `()` is
    /// `Some(vec![])`).
    pub selection: Option<Vec<ListSelectOption<'a>>>,
    /// The reference name.
    pub reference: Mailbox<'a>,
    /// The pattern, or several in parentheses (LIST-EXTENDED).
    pub patterns: Vec<MailboxPattern<'a>>,
    /// Return options; `None` when no `RETURN` was sent.
    pub return_options: Option<Vec<ListReturnOption<'a>>>,
}

into_owned_struct!(List {
    selection,
    reference,
    patterns,
    return_options
});

/// A LIST pattern (`list-mailbox`): list characters including the wildcards `*` and `%`, or
/// a string.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MailboxPattern<'a>(pub IString<'a>);

impl IntoOwned for MailboxPattern<'_> {
    type Owned = MailboxPattern<'static>;
    fn into_owned(self) -> Self::Owned {
        MailboxPattern(self.0.into_owned())
    }
}

/// A LIST selection option.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ListSelectOption<'a> {
    /// `SUBSCRIBED`.
    Subscribed,
    /// `REMOTE`.
    Remote,
    /// `RECURSIVEMATCH`.
    RecursiveMatch,
    /// `SPECIAL-USE` (RFC 6154).
    SpecialUse,
    /// Another option, with its value.
    Other(TaggedExt<'a>),
}

/// A LIST return option.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ListReturnOption<'a> {
    /// `SUBSCRIBED`.
    Subscribed,
    /// `CHILDREN`.
    Children,
    /// `SPECIAL-USE` (RFC 6154).
    SpecialUse,
    /// `MYRIGHTS` (RFC 8440).
    MyRights,
    /// `STATUS (items)` (RFC 5819).
    Status(Vec<StatusItemName<'a>>),
    /// Another option, with its value.
    Other(TaggedExt<'a>),
}

impl IntoOwned for ListSelectOption<'_> {
    type Owned = ListSelectOption<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            ListSelectOption::Subscribed => ListSelectOption::Subscribed,
            ListSelectOption::Remote => ListSelectOption::Remote,
            ListSelectOption::RecursiveMatch => ListSelectOption::RecursiveMatch,
            ListSelectOption::SpecialUse => ListSelectOption::SpecialUse,
            ListSelectOption::Other(ext) => ListSelectOption::Other(ext.into_owned()),
        }
    }
}

impl IntoOwned for ListReturnOption<'_> {
    type Owned = ListReturnOption<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            ListReturnOption::Subscribed => ListReturnOption::Subscribed,
            ListReturnOption::Children => ListReturnOption::Children,
            ListReturnOption::SpecialUse => ListReturnOption::SpecialUse,
            ListReturnOption::MyRights => ListReturnOption::MyRights,
            ListReturnOption::Status(items) => ListReturnOption::Status(items.into_owned()),
            ListReturnOption::Other(ext) => ListReturnOption::Other(ext.into_owned()),
        }
    }
}

impl<'a> List<'a> {
    /// Parses the arguments after `LIST `.
    pub fn parse_arguments(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let mut selection = None;
        if c.peek() == Some(b'(') {
            selection = Some(paren_list(c, true, ListSelectOption::parse)?);
            c.sp()?;
        }
        let reference = Mailbox::parse(c)?;
        c.sp()?;
        let patterns = if c.peek() == Some(b'(') {
            paren_list(c, false, MailboxPattern::parse)?
        } else {
            vec![MailboxPattern::parse(c)?]
        };
        let mut return_options = None;
        if c.eat_ci(b" RETURN ") {
            return_options = Some(paren_list(c, true, ListReturnOption::parse)?);
        }
        Ok(List {
            selection,
            reference,
            patterns,
            return_options,
        })
    }
}

impl<'a> MailboxPattern<'a> {
    /// Parses `list-mailbox`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        match c.peek() {
            Some(b'"' | b'{') => IString::parse_string(c).map(MailboxPattern),
            _ => {
                let chars = crate::core::atom::take_ascii(c, is_list_char, Expected::Mailbox)?;
                Ok(MailboxPattern(IString::Atom(Atom::unchecked(chars))))
            }
        }
    }
}

impl<'a> ListSelectOption<'a> {
    /// Parses one selection option.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        for (word, option) in [
            (&b"SUBSCRIBED"[..], ListSelectOption::Subscribed),
            (b"REMOTE", ListSelectOption::Remote),
            (b"RECURSIVEMATCH", ListSelectOption::RecursiveMatch),
            (b"SPECIAL-USE", ListSelectOption::SpecialUse),
        ] {
            if eat_keyword(c, word) {
                return Ok(option);
            }
        }
        TaggedExt::parse(c).map(ListSelectOption::Other)
    }
}

impl<'a> ListReturnOption<'a> {
    /// Parses one return option.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        for (word, option) in [
            (&b"SUBSCRIBED"[..], ListReturnOption::Subscribed),
            (b"CHILDREN", ListReturnOption::Children),
            (b"SPECIAL-USE", ListReturnOption::SpecialUse),
            (b"MYRIGHTS", ListReturnOption::MyRights),
        ] {
            if eat_keyword(c, word) {
                return Ok(option);
            }
        }
        if c.eat_ci(b"STATUS ") {
            return StatusItemName::parse_list(c).map(ListReturnOption::Status);
        }
        TaggedExt::parse(c).map(ListReturnOption::Other)
    }
}

impl Encode for List<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        if let Some(selection) = &self.selection {
            encode_list(out, selection);
            out.put(b" ");
        }
        super::encode::MailboxStr(&self.reference).encode(out);
        out.put(b" ");
        match self.patterns.as_slice() {
            [one] => one.encode(out),
            many => encode_list(out, many),
        }
        if let Some(options) = &self.return_options {
            out.put(b" RETURN ");
            encode_list(out, options);
        }
    }
}

impl Encode for MailboxPattern<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        let bytes = self.0.bytes();
        if !bytes.is_empty() && bytes.iter().all(|&b| is_list_char(b)) {
            out.put(&bytes);
        } else {
            super::encode::Str(&self.0).encode(out);
        }
    }
}

impl Encode for ListSelectOption<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            ListSelectOption::Subscribed => out.put(b"SUBSCRIBED"),
            ListSelectOption::Remote => out.put(b"REMOTE"),
            ListSelectOption::RecursiveMatch => out.put(b"RECURSIVEMATCH"),
            ListSelectOption::SpecialUse => out.put(b"SPECIAL-USE"),
            ListSelectOption::Other(ext) => ext.encode(out),
        }
    }
}

impl Encode for ListReturnOption<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            ListReturnOption::Subscribed => out.put(b"SUBSCRIBED"),
            ListReturnOption::Children => out.put(b"CHILDREN"),
            ListReturnOption::SpecialUse => out.put(b"SPECIAL-USE"),
            ListReturnOption::MyRights => out.put(b"MYRIGHTS"),
            ListReturnOption::Status(items) => {
                out.put(b"STATUS ");
                encode_list(out, items);
            }
            ListReturnOption::Other(ext) => ext.encode(out),
        }
    }
}
