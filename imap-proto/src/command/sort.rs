//! SORT and THREAD (RFC 5256), with DISPLAYFROM/DISPLAYTO (RFC 5957) and ESORT return
//! options (RFC 5267).

use crate::Expected;
use crate::core::atom::is_atom_char;
use crate::core::cursor::{Cursor, ParseResult, paren_list};
use crate::core::owned::into_owned_struct;
use crate::core::{Atom, Charset, Encode, IntoOwned, Sink};

use super::fetch::{eat_keyword, encode_list};
use super::search::{
    SearchKey, SearchReturnOption, encode_program, encode_return, parse_program, parse_return,
};

/// `[UID] SORT [RETURN (options)] (criteria) charset keys`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Sort<'a> {
    /// Whether this is `UID SORT`.
    pub uid: bool,
    /// ESORT return options, when sent.
    pub return_options: Option<Vec<SearchReturnOption<'a>>>,
    /// The sort criteria, most significant first.
    pub criteria: Vec<SortCriterion<'a>>,
    /// The charset of string search criteria.
    pub charset: Charset<'a>,
    /// The search criteria (at least one).
    pub search: Vec<SearchKey<'a>>,
}

into_owned_struct!(Sort {
    uid,
    return_options,
    criteria,
    charset,
    search
});

/// One sort criterion: a key, possibly reversed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SortCriterion<'a> {
    /// Whether `REVERSE` preceded the key.
    pub reverse: bool,
    /// The key.
    pub key: SortKey<'a>,
}

into_owned_struct!(SortCriterion { reverse, key });

/// A sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SortKey<'a> {
    /// `ARRIVAL`.
    Arrival,
    /// `CC`.
    Cc,
    /// `DATE`.
    Date,
    /// `FROM`.
    From,
    /// `SIZE`.
    Size,
    /// `SUBJECT`.
    Subject,
    /// `TO`.
    To,
    /// `DISPLAYFROM` (RFC 5957).
    DisplayFrom,
    /// `DISPLAYTO` (RFC 5957).
    DisplayTo,
    /// Another key.
    Other(Atom<'a>),
}

const SORT_KEYS: [(&[u8], SortKey<'static>); 9] = [
    (b"ARRIVAL", SortKey::Arrival),
    (b"CC", SortKey::Cc),
    (b"DATE", SortKey::Date),
    (b"FROM", SortKey::From),
    (b"SIZE", SortKey::Size),
    (b"SUBJECT", SortKey::Subject),
    (b"TO", SortKey::To),
    (b"DISPLAYFROM", SortKey::DisplayFrom),
    (b"DISPLAYTO", SortKey::DisplayTo),
];

impl IntoOwned for SortKey<'_> {
    type Owned = SortKey<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            SortKey::Arrival => SortKey::Arrival,
            SortKey::Cc => SortKey::Cc,
            SortKey::Date => SortKey::Date,
            SortKey::From => SortKey::From,
            SortKey::Size => SortKey::Size,
            SortKey::Subject => SortKey::Subject,
            SortKey::To => SortKey::To,
            SortKey::DisplayFrom => SortKey::DisplayFrom,
            SortKey::DisplayTo => SortKey::DisplayTo,
            SortKey::Other(atom) => SortKey::Other(atom.into_owned()),
        }
    }
}

/// `[UID] THREAD algorithm charset keys`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ThreadCommand<'a> {
    /// Whether this is `UID THREAD`.
    pub uid: bool,
    /// The threading algorithm (`ORDEREDSUBJECT`, `REFERENCES`, ...).
    pub algorithm: Atom<'a>,
    /// The charset of string search criteria.
    pub charset: Charset<'a>,
    /// The search criteria (at least one).
    pub search: Vec<SearchKey<'a>>,
}

into_owned_struct!(ThreadCommand {
    uid,
    algorithm,
    charset,
    search
});

/// Parses `charset 1*(SP search-key)`.
fn search_criteria<'a>(c: &mut Cursor<'a>) -> ParseResult<(Charset<'a>, Vec<SearchKey<'a>>)> {
    let charset = Charset::parse(c)?;
    c.sp()?;
    let (_, search) = parse_program(c, false)?;
    Ok((charset, search))
}

impl<'a> Sort<'a> {
    /// Parses the arguments after `SORT` (starting at the space after the name).
    pub fn parse_arguments(c: &mut Cursor<'a>, uid: bool) -> ParseResult<Self> {
        let return_options = parse_return(c)?;
        c.sp()?;
        let criteria = paren_list(c, false, SortCriterion::parse)?;
        c.sp()?;
        let (charset, search) = search_criteria(c)?;
        Ok(Sort {
            uid,
            return_options,
            criteria,
            charset,
            search,
        })
    }
}

impl<'a> SortCriterion<'a> {
    /// Parses `["REVERSE" SP] sort-key`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let reverse = c.eat_ci(b"REVERSE ");
        Ok(SortCriterion {
            reverse,
            key: SortKey::parse(c)?,
        })
    }
}

impl<'a> SortKey<'a> {
    /// Parses a sort key.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        for (word, key) in SORT_KEYS {
            if eat_keyword(c, word) {
                return Ok(key);
            }
        }
        if c.peek().is_some_and(is_atom_char) {
            return Atom::parse(c).map(SortKey::Other);
        }
        Err(c.error(Expected::SortKey))
    }
}

impl<'a> ThreadCommand<'a> {
    /// Parses the arguments after `THREAD `.
    pub fn parse_arguments(c: &mut Cursor<'a>, uid: bool) -> ParseResult<Self> {
        let algorithm = Atom::parse(c)?;
        c.sp()?;
        let (charset, search) = search_criteria(c)?;
        Ok(ThreadCommand {
            uid,
            algorithm,
            charset,
            search,
        })
    }
}

impl Encode for Sort<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(if self.uid { b"UID SORT" } else { b"SORT" });
        encode_return(out, self.return_options.as_deref());
        out.put(b" ");
        encode_list(out, &self.criteria);
        out.put(b" ");
        self.charset.encode(out);
        out.put(b" ");
        encode_program(out, None, &self.search);
    }
}

impl Encode for SortCriterion<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        if self.reverse {
            out.put(b"REVERSE ");
        }
        self.key.encode(out);
    }
}

impl Encode for SortKey<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        if let SortKey::Other(atom) = self {
            return atom.encode(out);
        }
        if let Some((word, _)) = SORT_KEYS.iter().find(|(_, key)| key == self) {
            out.put(word);
        }
    }
}

impl Encode for ThreadCommand<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(if self.uid { b"UID THREAD " } else { b"THREAD " });
        self.algorithm.encode(out);
        out.put(b" ");
        self.charset.encode(out);
        out.put(b" ");
        encode_program(out, None, &self.search);
    }
}
