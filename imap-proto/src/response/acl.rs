//! ACL, LISTRIGHTS and MYRIGHTS responses (RFC 4314 §3.6-3.8).

use crate::core::cursor::{Cursor, ParseResult};
use crate::core::lazy::{self, LazyList};
use crate::core::owned::into_owned_struct;
use crate::core::{Encode, IString, Mailbox, Sink};

/// `ACL mailbox (identifier rights)*`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Acl<'a> {
    /// The mailbox.
    pub mailbox: Mailbox<'a>,
    /// Identifier and rights pairs (decoded lazily, see [`LazyList`]).
    pub entries: LazyList<'a, (IString<'a>, IString<'a>)>,
}

into_owned_struct!(Acl { mailbox, entries });

/// `LISTRIGHTS mailbox identifier required optional*`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ListRights<'a> {
    /// The mailbox.
    pub mailbox: Mailbox<'a>,
    /// Whose rights.
    pub identifier: IString<'a>,
    /// Rights always granted.
    pub required: IString<'a>,
    /// Groups of rights that may be granted (decoded lazily, see [`LazyList`]).
    pub optional: LazyList<'a, IString<'a>>,
}

into_owned_struct!(ListRights {
    mailbox,
    identifier,
    required,
    optional
});

/// `MYRIGHTS mailbox rights`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MyRights<'a> {
    /// The mailbox.
    pub mailbox: Mailbox<'a>,
    /// The rights.
    pub rights: IString<'a>,
}

into_owned_struct!(MyRights { mailbox, rights });

impl<'a> Acl<'a> {
    /// Parses the arguments of ACL.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let mailbox = Mailbox::parse(c)?;
        let entries = lazy::spaced(c, true, lazy::at_space, |c| {
            IString::parse_astring(c)?;
            c.sp()?;
            IString::parse_astring(c).map(drop)
        })?;
        Ok(Acl { mailbox, entries })
    }
}

impl Encode for Acl<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        self.mailbox.encode(out);
        self.entries
            .encode_each_after_space(out, |(identifier, rights), out| {
                identifier.encode_astring(out);
                out.put(b" ");
                rights.encode_astring(out);
            });
    }
}

impl<'a> ListRights<'a> {
    /// Parses the arguments of LISTRIGHTS.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let mailbox = Mailbox::parse(c)?;
        c.sp()?;
        let identifier = IString::parse_astring(c)?;
        c.sp()?;
        let required = IString::parse_astring(c)?;
        let optional = lazy::spaced(c, true, lazy::at_space, |c| {
            IString::parse_astring(c).map(drop)
        })?;
        Ok(ListRights {
            mailbox,
            identifier,
            required,
            optional,
        })
    }
}

impl Encode for ListRights<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        self.mailbox.encode(out);
        out.put(b" ");
        self.identifier.encode_astring(out);
        out.put(b" ");
        self.required.encode_astring(out);
        self.optional
            .encode_each_after_space(out, |o, out| o.encode_astring(out));
    }
}

impl<'a> MyRights<'a> {
    /// Parses the arguments of MYRIGHTS.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let mailbox = Mailbox::parse(c)?;
        c.sp()?;
        let rights = IString::parse_astring(c)?;
        Ok(MyRights { mailbox, rights })
    }
}

impl Encode for MyRights<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        self.mailbox.encode(out);
        out.put(b" ");
        self.rights.encode_astring(out);
    }
}
