//! The ENVELOPE structure (RFC 9051 §7.5.2 `envelope`, `address`).

use crate::Expected;
use crate::core::cursor::{Cursor, ParseResult};
use crate::core::owned::into_owned_struct;
use crate::core::string::parse_nil;
use crate::core::{Encode, IString, LazyList, ListItem, Sink};

/// An address list (`"(" 1*address ")"`): decoded lazily, see [`LazyList`].
pub type AddressList<'a> = LazyList<'a, Address<'a>>;

/// One address of an envelope. A group is an address with `host` NIL (start: `mailbox` is
/// the group name; end: `mailbox` NIL too).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Address<'a> {
    /// Display name.
    pub name: Option<IString<'a>>,
    /// Source route (obsolete).
    pub adl: Option<IString<'a>>,
    /// Local part (or group name).
    pub mailbox: Option<IString<'a>>,
    /// Domain.
    pub host: Option<IString<'a>>,
}

into_owned_struct!(Address {
    name,
    adl,
    mailbox,
    host
});

/// A message's envelope: header fields parsed by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Envelope<'a> {
    /// `Date:`.
    pub date: Option<IString<'a>>,
    /// `Subject:`.
    pub subject: Option<IString<'a>>,
    /// `From:` (`None` is NIL).
    pub from: Option<AddressList<'a>>,
    /// `Sender:`.
    pub sender: Option<AddressList<'a>>,
    /// `Reply-To:`.
    pub reply_to: Option<AddressList<'a>>,
    /// `To:`.
    pub to: Option<AddressList<'a>>,
    /// `Cc:`.
    pub cc: Option<AddressList<'a>>,
    /// `Bcc:`.
    pub bcc: Option<AddressList<'a>>,
    /// `In-Reply-To:`.
    pub in_reply_to: Option<IString<'a>>,
    /// `Message-ID:`.
    pub message_id: Option<IString<'a>>,
}

into_owned_struct!(Envelope {
    date,
    subject,
    from,
    sender,
    reply_to,
    to,
    cc,
    bcc,
    in_reply_to,
    message_id
});

impl<'a> Address<'a> {
    /// Parses `"(" nstring SP nstring SP nstring SP nstring ")"`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        Self::parse_with(c, |address| address)
    }

    /// Parses an address and hands it to `done`, which pushes it onto its list: built there
    /// rather than returned in a `Result` and moved again.
    #[inline]
    fn parse_with<T>(c: &mut Cursor<'a>, done: impl FnOnce(Self) -> T) -> ParseResult<T> {
        c.expect(b'(', Expected::Address)?;
        let name = IString::parse_nstring(c)?;
        c.sp()?;
        let adl = IString::parse_nstring(c)?;
        c.sp()?;
        let mailbox = IString::parse_nstring(c)?;
        c.sp()?;
        let host = IString::parse_nstring(c)?;
        c.expect(b')', Expected::CloseParen)?;
        Ok(done(Address {
            name,
            adl,
            mailbox,
            host,
        }))
    }
}

impl<'a> ListItem<'a> for Address<'a> {
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        Self::parse(c)
    }
}

impl Encode for Address<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(b"(");
        IString::encode_nstring(self.name.as_ref(), out);
        out.put(b" ");
        IString::encode_nstring(self.adl.as_ref(), out);
        out.put(b" ");
        IString::encode_nstring(self.mailbox.as_ref(), out);
        out.put(b" ");
        IString::encode_nstring(self.host.as_ref(), out);
        out.put(b")");
    }
}

fn addresses<'a>(c: &mut Cursor<'a>) -> ParseResult<Option<AddressList<'a>>> {
    if parse_nil(c) {
        return Ok(None);
    }
    c.expect(b'(', Expected::OpenParen)?;
    let start = c.pos();
    let mut count = 0;
    // Some servers put spaces between addresses; the grammar has none. Each address is
    // validated here and read again only when the list is iterated.
    while {
        c.eat(b' ');
        c.peek() == Some(b'(')
    } {
        count += 1;
        c.check_list_length(count)?;
        Address::parse_with(c, drop)?;
    }
    let inner = c.since(start);
    c.expect(b')', Expected::CloseParen)?;
    Ok(Some(LazyList::raw(inner)))
}

fn encode_addresses<S: Sink + ?Sized>(list: &Option<AddressList<'_>>, out: &mut S) {
    match list {
        None => out.put(b"NIL"),
        Some(list) => {
            out.put(b"(");
            list.encode_items(out, b"", |a, o| a.encode(o));
            out.put(b")");
        }
    }
}

impl<'a> Envelope<'a> {
    /// Parses `envelope`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        c.expect(b'(', Expected::Envelope)?;
        let date = IString::parse_nstring(c)?;
        c.sp()?;
        let subject = IString::parse_nstring(c)?;
        c.sp()?;
        let from = addresses(c)?;
        c.sp()?;
        let sender = addresses(c)?;
        c.sp()?;
        let reply_to = addresses(c)?;
        c.sp()?;
        let to = addresses(c)?;
        c.sp()?;
        let cc = addresses(c)?;
        c.sp()?;
        let bcc = addresses(c)?;
        c.sp()?;
        let in_reply_to = IString::parse_nstring(c)?;
        c.sp()?;
        let message_id = IString::parse_nstring(c)?;
        c.expect(b')', Expected::CloseParen)?;
        Ok(Envelope {
            date,
            subject,
            from,
            sender,
            reply_to,
            to,
            cc,
            bcc,
            in_reply_to,
            message_id,
        })
    }
}

impl Encode for Envelope<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(b"(");
        IString::encode_nstring(self.date.as_ref(), out);
        out.put(b" ");
        IString::encode_nstring(self.subject.as_ref(), out);
        for list in [
            &self.from,
            &self.sender,
            &self.reply_to,
            &self.to,
            &self.cc,
            &self.bcc,
        ] {
            out.put(b" ");
            encode_addresses(list, out);
        }
        out.put(b" ");
        IString::encode_nstring(self.in_reply_to.as_ref(), out);
        out.put(b" ");
        IString::encode_nstring(self.message_id.as_ref(), out);
        out.put(b")");
    }
}
