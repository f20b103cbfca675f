//! The generic extension syntax of RFC 4466 (`tagged-ext-val`), used for parameters this crate
//! does not interpret (unknown SELECT, FETCH, STORE, SEARCH, CREATE or APPEND parameters, and
//! LIST option values).

use crate::core::owned::into_owned_struct;
use crate::core::{ByteStr, IString, IntoOwned, SequenceSet};

/// A `tagged-ext-val` (RFC 4466 §2.1): a simple value or a parenthesised list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum TaggedExtValue<'a> {
    /// `tagged-ext-simple`: a number or sequence set (a bare number is a one-element set).
    Simple(SequenceSet<'a>),
    /// `"(" [tagged-ext-comp] ")"`: the space-separated items inside the parentheses.
    Comp(Vec<TaggedExtComp<'a>>),
}

/// One element of a `tagged-ext-comp`: a string or a nested list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum TaggedExtComp<'a> {
    /// An astring.
    String(IString<'a>),
    /// A parenthesised, space-separated list.
    List(Vec<TaggedExtComp<'a>>),
}

/// A named extension parameter: `tagged-ext-label [SP tagged-ext-val]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TaggedExt<'a> {
    /// The parameter name (`tagged-ext-label`), as sent.
    pub name: ByteStr<'a>,
    /// The value, when one was given.
    pub value: Option<TaggedExtValue<'a>>,
}

into_owned_struct!(TaggedExt { name, value });

impl IntoOwned for TaggedExtValue<'_> {
    type Owned = TaggedExtValue<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            TaggedExtValue::Simple(set) => TaggedExtValue::Simple(set.into_owned()),
            TaggedExtValue::Comp(items) => TaggedExtValue::Comp(items.into_owned()),
        }
    }
}

impl IntoOwned for TaggedExtComp<'_> {
    type Owned = TaggedExtComp<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            TaggedExtComp::String(s) => TaggedExtComp::String(s.into_owned()),
            TaggedExtComp::List(items) => TaggedExtComp::List(items.into_owned()),
        }
    }
}

// ---- parsing ----

use crate::Expected;
use crate::core::atom::is_atom_char;
use crate::core::cursor::{Cursor, ParseResult, paren_list};
use crate::core::{Encode, Sink};

/// Takes a `tagged-ext-label` (an atom) as bytes.
pub(crate) fn label<'a>(c: &mut Cursor<'a>) -> ParseResult<ByteStr<'a>> {
    c.take_while1(is_atom_char, Expected::Atom)
        .map(ByteStr::borrowed)
}

impl<'a> TaggedExt<'a> {
    /// Parses `tagged-ext-label [SP tagged-ext-val]`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let name = label(c)?;
        let mut value = None;
        // A value follows only when the next token starts like one; otherwise the space
        // separates this parameter from the next.
        if c.peek() == Some(b' ')
            && c.peek_at(1)
                .is_some_and(|b| b == b'(' || b.is_ascii_digit() || b == b'$' || b == b'*')
        {
            let save = c.pos();
            c.advance(1);
            match TaggedExtValue::parse(c) {
                Ok(v) => value = Some(v),
                Err(_) => c.reset_to(save),
            }
        }
        Ok(TaggedExt { name, value })
    }
}

impl<'a> TaggedExtValue<'a> {
    /// Parses a `tagged-ext-val`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        if c.peek() == Some(b'(') {
            paren_list(c, true, TaggedExtComp::parse).map(TaggedExtValue::Comp)
        } else {
            SequenceSet::parse(c, true).map(TaggedExtValue::Simple)
        }
    }
}

impl<'a> TaggedExtComp<'a> {
    /// Parses one element: an astring or a parenthesised list.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        if c.peek() == Some(b'(') {
            paren_list(c, true, TaggedExtComp::parse).map(TaggedExtComp::List)
        } else {
            IString::parse_astring(c).map(TaggedExtComp::String)
        }
    }
}

impl Encode for TaggedExt<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(self.name.as_bytes());
        if let Some(value) = &self.value {
            out.put(b" ");
            value.encode(out);
        }
    }
}

impl Encode for TaggedExtValue<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            TaggedExtValue::Simple(set) => set.encode(out),
            TaggedExtValue::Comp(items) => super::fetch::encode_list(out, items),
        }
    }
}

impl Encode for TaggedExtComp<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            TaggedExtComp::String(s) => super::encode::AStr(s).encode(out),
            TaggedExtComp::List(items) => super::fetch::encode_list(out, items),
        }
    }
}
