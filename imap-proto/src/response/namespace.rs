//! NAMESPACE responses (RFC 2342, RFC 9051 §7.3.3).

use super::encode_spaced;
use super::list::{encode_delimiter, parse_delimiter};
use crate::Expected;
use crate::core::cursor::{Cursor, ParseResult, paren_list};
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
    /// `namespace-response-extensions`: name and values.
    pub extensions: Vec<(IString<'a>, Vec<IString<'a>>)>,
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
    pub personal: Option<Vec<NamespaceDescription<'a>>>,
    /// Other users' namespaces.
    pub other_users: Option<Vec<NamespaceDescription<'a>>>,
    /// Shared namespaces.
    pub shared: Option<Vec<NamespaceDescription<'a>>>,
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
    let mut extensions = Vec::new();
    while c.eat(b' ') {
        c.check_list_length(extensions.len() + 1)?;
        let name = IString::parse_string(c)?;
        c.sp()?;
        let values = paren_list(c, false, IString::parse_string)?;
        extensions.push((name, values));
    }
    c.expect(b')', Expected::CloseParen)?;
    c.leave();
    Ok(NamespaceDescription {
        prefix,
        delimiter,
        extensions,
    })
}

fn namespace<'a>(c: &mut Cursor<'a>) -> ParseResult<Option<Vec<NamespaceDescription<'a>>>> {
    if parse_nil(c) {
        return Ok(None);
    }
    c.expect(b'(', Expected::OpenParen)?;
    c.enter()?;
    let mut list = Vec::new();
    // RFC 2342's examples put spaces between descriptions; the grammar has none.
    while c.peek() == Some(b'(')
        || (!list.is_empty() && c.peek() == Some(b' ') && c.peek_at(1) == Some(b'('))
    {
        c.eat(b' ');
        c.check_list_length(list.len() + 1)?;
        list.push(description(c)?);
    }
    if list.is_empty() {
        return Err(c.error(Expected::OpenParen));
    }
    c.expect(b')', Expected::CloseParen)?;
    c.leave();
    Ok(Some(list))
}

fn encode_namespace<S: Sink + ?Sized>(ns: &Option<Vec<NamespaceDescription<'_>>>, out: &mut S) {
    match ns {
        None => out.put(b"NIL"),
        Some(list) => {
            out.put(b"(");
            for d in list {
                out.put(b"(");
                d.prefix.encode_string(out);
                out.put(b" ");
                encode_delimiter(d.delimiter, out);
                for (name, values) in &d.extensions {
                    out.put(b" ");
                    name.encode_string(out);
                    out.put(b" (");
                    encode_spaced(out, values, |v, o| v.encode_string(o));
                    out.put(b")");
                }
                out.put(b")");
            }
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
