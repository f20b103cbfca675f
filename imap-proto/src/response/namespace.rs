//! NAMESPACE responses (RFC 2342, RFC 9051 §7.3.3).

use super::list::{encode_delimiter, parse_delimiter};
use crate::Expected;
use crate::core::cursor::{Cursor, ParseResult};
use crate::core::lazy::{self, LazyList, ListItem};
use crate::core::owned::into_owned_struct;
use crate::core::string::parse_nil;
use crate::core::{Encode, IString, Sink};

/// One namespace: a prefix, its delimiter and extension data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NamespaceDescription<'a> {
    /// The prefix (e.g. `""`, `"Other Users/"`).
    pub prefix: IString<'a>,
    /// The hierarchy delimiter, `None` for NIL.
    pub delimiter: Option<u8>,
    /// `namespace-response-extensions`: name and values (decoded lazily, see [`LazyList`]).
    pub extensions: LazyList<'a, (IString<'a>, LazyList<'a, IString<'a>>)>,
}

into_owned_struct!(NamespaceDescription {
    prefix,
    delimiter,
    extensions
});

/// The three namespace lists; `None` is NIL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Namespace<'a> {
    /// Personal namespaces.
    pub personal: Option<LazyList<'a, NamespaceDescription<'a>>>,
    /// Other users' namespaces.
    pub other_users: Option<LazyList<'a, NamespaceDescription<'a>>>,
    /// Shared namespaces.
    pub shared: Option<LazyList<'a, NamespaceDescription<'a>>>,
}

into_owned_struct!(Namespace {
    personal,
    other_users,
    shared
});

fn description<'a>(c: &mut Cursor<'a>) -> ParseResult<NamespaceDescription<'a>> {
    c.expect(b'(', Expected::OpenParen)?;
    c.enter()?;
    let prefix = IString::parse_string(c)?;
    c.sp()?;
    let delimiter = parse_delimiter(c)?;
    let extensions = lazy::spaced(c, true, lazy::at_space, |c| {
        IString::parse_string(c)?;
        c.sp()?;
        lazy::paren_list::<IString<'_>>(c, false, |c| IString::parse_string(c).map(drop)).map(drop)
    })?;
    c.expect(b')', Expected::CloseParen)?;
    c.leave();
    Ok(NamespaceDescription {
        prefix,
        delimiter,
        extensions,
    })
}

impl<'a> ListItem<'a> for NamespaceDescription<'a> {
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        description(c)
    }
}

impl<'a> ListItem<'a> for (IString<'a>, LazyList<'a, IString<'a>>) {
    /// Parses one `string SP "(" string *(SP string) ")"` namespace extension.
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let name = IString::parse_string(c)?;
        c.sp()?;
        let values = lazy::paren_list(c, false, |c| IString::parse_string(c).map(drop))?;
        Ok((name, values))
    }
}

type Descriptions<'a> = Option<LazyList<'a, NamespaceDescription<'a>>>;

fn namespace<'a>(c: &mut Cursor<'a>) -> ParseResult<Descriptions<'a>> {
    if parse_nil(c) {
        return Ok(None);
    }
    c.expect(b'(', Expected::OpenParen)?;
    c.enter()?;
    let start = c.pos();
    let mut count = 0;
    // RFC 2342's examples put spaces between descriptions; the grammar has none.
    while c.peek() == Some(b'(')
        || (count > 0 && c.peek() == Some(b' ') && c.peek_at(1) == Some(b'('))
    {
        c.eat(b' ');
        count += 1;
        c.check_list_length(count)?;
        description(c)?;
    }
    if count == 0 {
        return Err(c.error(Expected::OpenParen));
    }
    let list = LazyList::raw(c.since(start));
    c.expect(b')', Expected::CloseParen)?;
    c.leave();
    Ok(Some(list))
}

fn encode_namespace<S: Sink + ?Sized>(ns: &Descriptions<'_>, out: &mut S) {
    match ns {
        None => out.put(b"NIL"),
        Some(list) => {
            out.put(b"(");
            list.encode_items(out, b"", |d, out| {
                out.put(b"(");
                d.prefix.encode_string(out);
                out.put(b" ");
                encode_delimiter(d.delimiter, out);
                d.extensions
                    .encode_each_after_space(out, |(name, values), out| {
                        name.encode_string(out);
                        out.put(b" (");
                        values.encode_items(out, b" ", |v, o| v.encode_string(o));
                        out.put(b")");
                    });
                out.put(b")");
            });
            out.put(b")");
        }
    }
}

impl<'a> Namespace<'a> {
    /// Parses the three namespaces.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let personal = namespace(c)?;
        c.sp()?;
        let other_users = namespace(c)?;
        c.sp()?;
        let shared = namespace(c)?;
        Ok(Namespace {
            personal,
            other_users,
            shared,
        })
    }
}

impl Encode for Namespace<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        encode_namespace(&self.personal, out);
        out.put(b" ");
        encode_namespace(&self.other_users, out);
        out.put(b" ");
        encode_namespace(&self.shared, out);
    }
}
