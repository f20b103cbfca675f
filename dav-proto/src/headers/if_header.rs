//! The `If` header (RFC 4918 §10.4): untagged or tagged lists of conditions on state tokens
//! and entity tags, each possibly negated with `Not`.

use std::borrow::Cow;

use http::header::HeaderName;

use super::TypedHeader;
use super::etag::EntityTag;
use super::lexer::{Lexer, err, text};
use crate::decoded::{DecodeError, Expected};

/// What a condition tests.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum IfState<'a> {
    /// A state token (a lock token), the Coded-URL without angle brackets.
    Token(Cow<'a, str>),
    /// `[entity-tag]`.
    ETag(EntityTag<'a>),
}

/// One condition: `["Not"] (State-token | "[" entity-tag "]")`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct IfCondition<'a> {
    /// `Not`.
    pub not: bool,
    /// What is tested.
    pub state: IfState<'a>,
}

/// `( Condition+ )`: every condition must hold.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct IfList<'a> {
    /// The conditions (at least one).
    pub conditions: Vec<IfCondition<'a>>,
}

/// `<Resource-Tag> List+`: lists applying to one resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TaggedList<'a> {
    /// The resource the lists apply to, without angle brackets.
    pub resource: Cow<'a, str>,
    /// The lists (at least one); any one holding suffices.
    pub lists: Vec<IfList<'a>>,
}

/// The `If` header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum IfHeader<'a> {
    /// No-tag lists, applying to the request URI.
    Untagged(Vec<IfList<'a>>),
    /// Tagged lists.
    Tagged(Vec<TaggedList<'a>>),
}

impl IfHeader<'_> {
    /// A `'static` copy.
    pub fn into_owned(self) -> IfHeader<'static> {
        fn list(l: IfList<'_>) -> IfList<'static> {
            IfList {
                conditions: l
                    .conditions
                    .into_iter()
                    .map(|c| IfCondition {
                        not: c.not,
                        state: match c.state {
                            IfState::Token(t) => IfState::Token(Cow::Owned(t.into_owned())),
                            IfState::ETag(e) => IfState::ETag(e.into_owned()),
                        },
                    })
                    .collect(),
            }
        }
        match self {
            IfHeader::Untagged(lists) => IfHeader::Untagged(lists.into_iter().map(list).collect()),
            IfHeader::Tagged(tagged) => IfHeader::Tagged(
                tagged
                    .into_iter()
                    .map(|t| TaggedList {
                        resource: Cow::Owned(t.resource.into_owned()),
                        lists: t.lists.into_iter().map(list).collect(),
                    })
                    .collect(),
            ),
        }
    }

    /// Every state token the header mentions (negated or not), in order: the lock tokens a
    /// client submits.
    pub fn state_tokens(&self) -> Vec<&str> {
        let lists: Vec<&IfList<'_>> = match self {
            IfHeader::Untagged(lists) => lists.iter().collect(),
            IfHeader::Tagged(tagged) => tagged.iter().flat_map(|t| t.lists.iter()).collect(),
        };
        lists
            .into_iter()
            .flat_map(|l| l.conditions.iter())
            .filter_map(|c| match &c.state {
                IfState::Token(t) => Some(&**t),
                IfState::ETag(_) => None,
            })
            .collect()
    }
}

fn list<'a>(lx: &mut Lexer<'a>) -> Result<IfList<'a>, DecodeError> {
    lx.expect(b'(', Expected::IfList)?;
    let mut conditions = Vec::new();
    loop {
        lx.ws();
        if lx.eat(b')') {
            break;
        }
        let not = if lx.eat_word("Not") {
            // "Not" must be followed by whitespace or the condition itself.
            lx.ws();
            true
        } else {
            false
        };
        let state = match lx.peek() {
            Some(b'<') => IfState::Token(Cow::Borrowed(lx.coded_url()?)),
            Some(b'[') => {
                lx.eat(b'[');
                lx.ws();
                let tag = lx.entity_tag()?;
                lx.ws();
                lx.expect(b']', Expected::EntityTag)?;
                IfState::ETag(tag)
            }
            _ => return Err(err(lx.pos(), Expected::IfList)),
        };
        conditions.push(IfCondition { not, state });
    }
    if conditions.is_empty() {
        return Err(err(lx.pos(), Expected::IfList));
    }
    Ok(IfList { conditions })
}

impl<'a> TypedHeader<'a> for IfHeader<'a> {
    fn name() -> HeaderName {
        super::IF
    }

    fn parse(value: &'a [u8]) -> Result<Self, DecodeError> {
        let mut lx = Lexer::new(text(value)?);
        lx.ws();
        match lx.peek() {
            Some(b'(') => {
                let mut lists = Vec::new();
                while lx.peek() == Some(b'(') {
                    lists.push(list(&mut lx)?);
                    lx.ws();
                }
                if !lx.at_end() {
                    return Err(err(lx.pos(), Expected::IfList));
                }
                Ok(IfHeader::Untagged(lists))
            }
            Some(b'<') => {
                let mut tagged: Vec<TaggedList<'a>> = Vec::new();
                while lx.peek() == Some(b'<') {
                    let resource = Cow::Borrowed(lx.coded_url()?);
                    lx.ws();
                    let mut lists = Vec::new();
                    while lx.peek() == Some(b'(') {
                        lists.push(list(&mut lx)?);
                        lx.ws();
                    }
                    if lists.is_empty() {
                        return Err(err(lx.pos(), Expected::IfList));
                    }
                    tagged.push(TaggedList { resource, lists });
                }
                if !lx.at_end() {
                    return Err(err(lx.pos(), Expected::IfList));
                }
                Ok(IfHeader::Tagged(tagged))
            }
            _ => Err(err(lx.pos(), Expected::IfList)),
        }
    }

    fn write(&self, out: &mut String) {
        fn write_list(out: &mut String, l: &IfList<'_>) {
            out.push('(');
            for (i, c) in l.conditions.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                if c.not {
                    out.push_str("Not ");
                }
                match &c.state {
                    IfState::Token(t) => {
                        out.push('<');
                        out.push_str(t);
                        out.push('>');
                    }
                    IfState::ETag(e) => {
                        out.push('[');
                        e.write(out);
                        out.push(']');
                    }
                }
            }
            out.push(')');
        }
        match self {
            IfHeader::Untagged(lists) => {
                for (i, l) in lists.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    write_list(out, l);
                }
            }
            IfHeader::Tagged(tagged) => {
                for (i, t) in tagged.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push('<');
                    out.push_str(&t.resource);
                    out.push('>');
                    for l in &t.lists {
                        out.push(' ');
                        write_list(out, l);
                    }
                }
            }
        }
    }
}
