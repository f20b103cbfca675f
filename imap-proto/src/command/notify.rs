//! NOTIFY (RFC 5465): which mailbox events the server reports unsolicited.

use crate::Expected;
use crate::core::atom::is_atom_char;
use crate::core::cursor::{Cursor, ParseResult, paren_list};
use crate::core::owned::into_owned_struct;
use crate::core::{Atom, Encode, IntoOwned, Mailbox, Sink};

use super::fetch::{FetchAttributeName, eat_keyword, encode_list};

/// `NOTIFY NONE` or `NOTIFY SET [STATUS] (filter events)...`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Notify<'a> {
    /// `NONE`: no notifications.
    None,
    /// `SET`: replace the registered events.
    Set {
        /// Whether `STATUS` was given (send STATUS for the mailboxes now).
        status: bool,
        /// The event groups (at least one).
        groups: Vec<EventGroup<'a>>,
    },
}

/// `(filter-mailboxes events)`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct EventGroup<'a> {
    /// Which mailboxes.
    pub filter: MailboxFilter<'a>,
    /// The events; `None` for `NONE`.
    pub events: Option<Vec<NotifyEvent<'a>>>,
}

into_owned_struct!(EventGroup { filter, events });

/// A NOTIFY mailbox filter.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MailboxFilter<'a> {
    /// `SELECTED`.
    Selected,
    /// `SELECTED-DELAYED`.
    SelectedDelayed,
    /// `INBOXES`.
    Inboxes,
    /// `PERSONAL`.
    Personal,
    /// `SUBSCRIBED`.
    Subscribed,
    /// `SUBTREE mailbox(es)`.
    Subtree(Vec<Mailbox<'a>>),
    /// `MAILBOXES mailbox(es)`.
    Mailboxes(Vec<Mailbox<'a>>),
}

/// A NOTIFY event.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum NotifyEvent<'a> {
    /// `MessageNew [(fetch-att ...)]`.
    MessageNew(Vec<FetchAttributeName<'a>>),
    /// `MessageExpunge`.
    MessageExpunge,
    /// `FlagChange`.
    FlagChange,
    /// `AnnotationChange`.
    AnnotationChange,
    /// `MailboxName`.
    MailboxName,
    /// `SubscriptionChange`.
    SubscriptionChange,
    /// `MailboxMetadataChange`.
    MailboxMetadataChange,
    /// `ServerMetadataChange`.
    ServerMetadataChange,
    /// Another event.
    Other(Atom<'a>),
}

const SIMPLE_EVENTS: [(&[u8], NotifyEvent<'static>); 7] = [
    (b"MessageExpunge", NotifyEvent::MessageExpunge),
    (b"FlagChange", NotifyEvent::FlagChange),
    (b"AnnotationChange", NotifyEvent::AnnotationChange),
    (b"MailboxName", NotifyEvent::MailboxName),
    (b"SubscriptionChange", NotifyEvent::SubscriptionChange),
    (b"MailboxMetadataChange", NotifyEvent::MailboxMetadataChange),
    (b"ServerMetadataChange", NotifyEvent::ServerMetadataChange),
];

impl IntoOwned for Notify<'_> {
    type Owned = Notify<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            Notify::None => Notify::None,
            Notify::Set { status, groups } => Notify::Set {
                status,
                groups: groups.into_owned(),
            },
        }
    }
}

impl IntoOwned for MailboxFilter<'_> {
    type Owned = MailboxFilter<'static>;
    fn into_owned(self) -> Self::Owned {
        use MailboxFilter as F;
        match self {
            F::Selected => F::Selected,
            F::SelectedDelayed => F::SelectedDelayed,
            F::Inboxes => F::Inboxes,
            F::Personal => F::Personal,
            F::Subscribed => F::Subscribed,
            F::Subtree(m) => F::Subtree(m.into_owned()),
            F::Mailboxes(m) => F::Mailboxes(m.into_owned()),
        }
    }
}

impl IntoOwned for NotifyEvent<'_> {
    type Owned = NotifyEvent<'static>;
    fn into_owned(self) -> Self::Owned {
        use NotifyEvent as E;
        match self {
            E::MessageNew(a) => E::MessageNew(a.into_owned()),
            E::MessageExpunge => E::MessageExpunge,
            E::FlagChange => E::FlagChange,
            E::AnnotationChange => E::AnnotationChange,
            E::MailboxName => E::MailboxName,
            E::SubscriptionChange => E::SubscriptionChange,
            E::MailboxMetadataChange => E::MailboxMetadataChange,
            E::ServerMetadataChange => E::ServerMetadataChange,
            E::Other(a) => E::Other(a.into_owned()),
        }
    }
}

impl<'a> Notify<'a> {
    /// Parses the arguments after `NOTIFY `.
    pub fn parse_arguments(c: &mut Cursor<'a>) -> ParseResult<Self> {
        if eat_keyword(c, b"NONE") {
            return Ok(Notify::None);
        }
        c.expect_ci(b"SET", Expected::Keyword)?;
        let status = c.eat_ci(b" STATUS");
        let mut groups = Vec::new();
        while c.eat(b' ') {
            c.check_list_length(groups.len() + 1)?;
            groups.push(EventGroup::parse(c)?);
        }
        if groups.is_empty() {
            return Err(c.error(Expected::Space));
        }
        Ok(Notify::Set { status, groups })
    }
}

fn one_or_more_mailbox<'a>(c: &mut Cursor<'a>) -> ParseResult<Vec<Mailbox<'a>>> {
    c.sp()?;
    if c.peek() == Some(b'(') {
        paren_list(c, false, Mailbox::parse)
    } else {
        Ok(vec![Mailbox::parse(c)?])
    }
}

impl<'a> EventGroup<'a> {
    /// Parses `"(" filter-mailboxes SP events ")"`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        c.expect(b'(', Expected::OpenParen)?;
        c.enter()?;
        let filter = MailboxFilter::parse(c)?;
        c.sp()?;
        let events = if eat_keyword(c, b"NONE") {
            None
        } else {
            Some(paren_list(c, false, NotifyEvent::parse)?)
        };
        c.expect(b')', Expected::CloseParen)?;
        c.leave();
        Ok(EventGroup { filter, events })
    }
}

impl<'a> MailboxFilter<'a> {
    /// Parses `filter-mailboxes`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        use MailboxFilter as F;
        if eat_keyword(c, b"SELECTED-DELAYED") {
            return Ok(F::SelectedDelayed);
        }
        for (word, filter) in [
            (&b"SELECTED"[..], F::Selected),
            (b"INBOXES", F::Inboxes),
            (b"PERSONAL", F::Personal),
            (b"SUBSCRIBED", F::Subscribed),
        ] {
            if eat_keyword(c, word) {
                return Ok(filter);
            }
        }
        if eat_keyword(c, b"SUBTREE") {
            return one_or_more_mailbox(c).map(F::Subtree);
        }
        if eat_keyword(c, b"MAILBOXES") {
            return one_or_more_mailbox(c).map(F::Mailboxes);
        }
        Err(c.error(Expected::Keyword))
    }
}

impl<'a> NotifyEvent<'a> {
    /// Parses one event.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        if eat_keyword(c, b"MessageNew") {
            if c.peek() == Some(b' ') && c.peek_at(1) == Some(b'(') {
                c.advance(1);
                return paren_list(c, false, |c| FetchAttributeName::parse_item(c, true))
                    .map(NotifyEvent::MessageNew);
            }
            return Ok(NotifyEvent::MessageNew(Vec::new()));
        }
        for (word, event) in SIMPLE_EVENTS {
            if eat_keyword(c, word) {
                return Ok(event);
            }
        }
        if c.peek().is_some_and(is_atom_char) {
            return Atom::parse(c).map(NotifyEvent::Other);
        }
        Err(c.error(Expected::Keyword))
    }
}

impl Encode for Notify<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            Notify::None => out.put(b"NONE"),
            Notify::Set { status, groups } => {
                out.put(if *status { b"SET STATUS" } else { b"SET" });
                for group in groups {
                    out.put(b" ");
                    group.encode(out);
                }
            }
        }
    }
}

impl Encode for EventGroup<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(b"(");
        self.filter.encode(out);
        out.put(b" ");
        match &self.events {
            None => out.put(b"NONE"),
            Some(events) => encode_list(out, events),
        }
        out.put(b")");
    }
}

fn encode_mailboxes<S: Sink + ?Sized>(out: &mut S, word: &[u8], mailboxes: &[Mailbox<'_>]) {
    out.put(word);
    out.put(b" ");
    match mailboxes {
        [one] => super::encode::MailboxStr(one).encode(out),
        many => {
            let wrapped: Vec<_> = many.iter().map(super::encode::MailboxStr).collect();
            encode_list(out, &wrapped);
        }
    }
}

impl Encode for MailboxFilter<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        use MailboxFilter as F;
        match self {
            F::Selected => out.put(b"SELECTED"),
            F::SelectedDelayed => out.put(b"SELECTED-DELAYED"),
            F::Inboxes => out.put(b"INBOXES"),
            F::Personal => out.put(b"PERSONAL"),
            F::Subscribed => out.put(b"SUBSCRIBED"),
            F::Subtree(m) => encode_mailboxes(out, b"SUBTREE", m),
            F::Mailboxes(m) => encode_mailboxes(out, b"MAILBOXES", m),
        }
    }
}

impl Encode for NotifyEvent<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            NotifyEvent::MessageNew(attrs) => {
                out.put(b"MessageNew");
                if !attrs.is_empty() {
                    out.put(b" ");
                    encode_list(out, attrs);
                }
            }
            NotifyEvent::Other(atom) => atom.encode(out),
            other => {
                if let Some((word, _)) = SIMPLE_EVENTS.iter().find(|(_, e)| e == other) {
                    out.put(word);
                }
            }
        }
    }
}
