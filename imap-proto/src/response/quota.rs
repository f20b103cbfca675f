//! QUOTA and QUOTAROOT responses (RFC 9208 §5).

use crate::core::cursor::{Cursor, ParseResult};
use crate::core::encode::put_number;
use crate::core::lazy::{self, LazyList, ListItem};
use crate::core::number::number64;
use crate::core::owned::into_owned_struct;
use crate::core::{Atom, Encode, IString, Mailbox, Sink};

/// One resource's usage and limit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QuotaResource<'a> {
    /// `STORAGE`, `MESSAGE`, `MAILBOX`, `ANNOTATION-STORAGE` or another resource.
    pub name: Atom<'a>,
    /// Current usage.
    pub usage: u64,
    /// The limit.
    pub limit: u64,
}

into_owned_struct!(QuotaResource { name, usage, limit });

impl<'a> QuotaResource<'a> {
    /// Parses `resource-name SP resource-usage SP resource-limit`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let name = Atom::parse(c)?;
        c.sp()?;
        let usage = number64(c)?;
        c.sp()?;
        let limit = number64(c)?;
        Ok(QuotaResource { name, usage, limit })
    }
}

impl<'a> ListItem<'a> for QuotaResource<'a> {
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        Self::parse(c)
    }
}

/// `QUOTA root (resources)`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Quota<'a> {
    /// The quota root.
    pub root: IString<'a>,
    /// The resources; empty (`()`) when the root has no limits (RFC 9208 §4.2.1: "an empty
    /// list means there are no administrative resource limits").
    pub resources: LazyList<'a, QuotaResource<'a>>,
}

into_owned_struct!(Quota { root, resources });

/// `QUOTAROOT mailbox roots...`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QuotaRoot<'a> {
    /// The mailbox asked about.
    pub mailbox: Mailbox<'a>,
    /// Its quota roots (decoded lazily, see [`LazyList`]).
    pub roots: LazyList<'a, IString<'a>>,
}

into_owned_struct!(QuotaRoot { mailbox, roots });

impl<'a> Quota<'a> {
    /// Parses the arguments of QUOTA.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let root = IString::parse_astring(c)?;
        c.sp()?;
        let resources = lazy::paren_list(c, true, |c| QuotaResource::parse(c).map(drop))?;
        Ok(Quota { root, resources })
    }
}

impl Encode for Quota<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        self.root.encode_astring(out);
        out.put(b" (");
        self.resources.encode_items(out, b" ", |r, out| {
            r.name.encode(out);
            out.put(b" ");
            put_number(out, r.usage);
            out.put(b" ");
            put_number(out, r.limit);
        });
        out.put(b")");
    }
}

impl<'a> QuotaRoot<'a> {
    /// Parses the arguments of QUOTAROOT.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let mailbox = Mailbox::parse(c)?;
        let roots = lazy::spaced(c, true, lazy::at_space, |c| {
            IString::parse_astring(c).map(drop)
        })?;
        Ok(QuotaRoot { mailbox, roots })
    }
}

impl Encode for QuotaRoot<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        self.mailbox.encode(out);
        self.roots
            .encode_each_after_space(out, |root, out| root.encode_astring(out));
    }
}
