//! SEARCH and SORT results (RFC 9051 §7.3.4 with CONDSTORE `(MODSEQ n)`, RFC 5256) and
//! ESEARCH (RFC 4731, CONTEXT RFC 5267, MULTISEARCH RFC 7377, PARTIAL RFC 9394).

use std::fmt;
use std::num::NonZeroU32;

use crate::Expected;
use crate::core::atom::{class, is_atom_char, take_class};
use crate::core::cursor::{Cursor, ParseResult};
use crate::core::encode::put_number;
use crate::core::lazy::{self, LazyList, ListItem};
use crate::core::number::{number, number64, nz_number};
use crate::core::owned::into_owned_struct;
use crate::core::string::parse_nil;
use crate::core::{
    Atom, ByteStr, Encode, IString, IntoOwned, Mailbox, RawValue, SequenceSet, Sink,
};

/// A space-separated list of numbers kept as its validated wire bytes: decoding a
/// megabyte-long SEARCH result allocates nothing; [`NumberList::iter`] yields the numbers.
#[derive(Clone, Eq, Default)]
pub struct NumberList<'a> {
    wire: ByteStr<'a>,
}

impl<'a> NumberList<'a> {
    /// The numbers, in order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.wire
            .as_bytes()
            .split(|&b| b == b' ')
            .filter(|s| !s.is_empty())
            .map(|digits| {
                digits.iter().fold(0u32, |n, d| {
                    n.wrapping_mul(10).wrapping_add(u32::from(d - b'0'))
                })
            })
    }

    /// How many numbers there are.
    pub fn len(&self) -> usize {
        if self.wire.is_empty() {
            0
        } else {
            memchr::memchr_iter(b' ', self.wire.as_bytes()).count() + 1
        }
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.wire.is_empty()
    }

    /// A list of `numbers`.
    pub fn from_numbers(numbers: impl IntoIterator<Item = NonZeroU32>) -> NumberList<'static> {
        let mut wire = Vec::new();
        for n in numbers {
            if !wire.is_empty() {
                wire.push(b' ');
            }
            put_number(&mut wire, u64::from(n.get()));
        }
        NumberList {
            wire: ByteStr::from(wire),
        }
    }

    /// The wire bytes (numbers separated by single spaces).
    pub fn as_bytes(&self) -> &[u8] {
        self.wire.as_bytes()
    }
}

impl PartialEq for NumberList<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl fmt::Debug for NumberList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl IntoOwned for NumberList<'_> {
    type Owned = NumberList<'static>;
    fn into_owned(self) -> Self::Owned {
        NumberList {
            wire: self.wire.into_owned(),
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for NumberList<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// A SEARCH or SORT result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Search<'a> {
    /// The matching message numbers or UIDs.
    pub numbers: NumberList<'a>,
    /// CONDSTORE's `(MODSEQ n)`: the highest mod-sequence of the matches.
    pub modseq: Option<u64>,
}

into_owned_struct!(Search { numbers, modseq });

impl<'a> Search<'a> {
    /// Parses what follows `SEARCH` / `SORT`: `*(SP nz-number) [SP "(MODSEQ" SP n ")"]`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let start = c.pos() + 1;
        let mut end = c.pos();
        let mut count = 0usize;
        let mut modseq = None;
        while c.eat(b' ') {
            if c.peek() == Some(b'(') {
                c.expect_ci(b"(MODSEQ ", Expected::Keyword)?;
                modseq = Some(number64(c)?);
                c.expect(b')', Expected::CloseParen)?;
                break;
            }
            count += 1;
            if count > c.limits().max_list_length {
                return Err(c.limit_error(crate::Limit::ListLength));
            }
            nz_number(c)?;
            end = c.pos();
        }
        let wire = c.input().get(start..end).unwrap_or_default();
        Ok(Search {
            numbers: NumberList {
                wire: ByteStr::borrowed(wire),
            },
            modseq,
        })
    }
}

impl Encode for Search<'_> {
    /// Writes ` n n n [(MODSEQ m)]` (each part with its leading space).
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        for n in self.numbers.iter() {
            out.put(b" ");
            put_number(out, u64::from(n));
        }
        if let Some(modseq) = self.modseq {
            out.put(b" (MODSEQ ");
            put_number(out, modseq);
            out.put(b")");
        }
    }
}

/// The range of a PARTIAL result (RFC 9394): negative numbers count from the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PartialResultRange {
    /// First position (non-zero; negative counts from the end).
    pub first: i64,
    /// Last position.
    pub last: i64,
}

/// One ESEARCH return data item.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum SearchReturnData<'a> {
    /// `MIN n`.
    Min(NonZeroU32),
    /// `MAX n`.
    Max(NonZeroU32),
    /// `ALL set`.
    All(SequenceSet<'a>),
    /// `COUNT n`.
    Count(u32),
    /// `MODSEQ n` (RFC 7162).
    ModSeq(u64),
    /// `PARTIAL (range set-or-NIL)` (RFC 9394).
    Partial {
        /// The requested range.
        range: PartialResultRange,
        /// The results in it, `None` for NIL.
        results: Option<SequenceSet<'a>>,
    },
    /// `ADDTO (position set ...)` (RFC 5267).
    AddTo(LazyList<'a, (u32, SequenceSet<'a>)>),
    /// `REMOVETO (position set ...)` (RFC 5267).
    RemoveTo(LazyList<'a, (u32, SequenceSet<'a>)>),
    /// Any other item, kept raw.
    Other {
        /// Item name.
        name: Atom<'a>,
        /// Raw value.
        value: RawValue<'a>,
    },
}

/// An ESEARCH response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ESearch<'a> {
    /// `(TAG "...")`: the command this answers.
    pub tag: Option<IString<'a>>,
    /// MULTISEARCH's `MAILBOX name UIDVALIDITY n` in the correlator.
    pub mailbox: Option<(Mailbox<'a>, NonZeroU32)>,
    /// Whether results are UIDs.
    pub uid: bool,
    /// The return data (decoded lazily, see [`LazyList`]).
    pub data: LazyList<'a, SearchReturnData<'a>>,
}

into_owned_struct!(ESearch {
    tag,
    mailbox,
    uid,
    data
});

impl IntoOwned for SearchReturnData<'_> {
    type Owned = SearchReturnData<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            SearchReturnData::Min(n) => SearchReturnData::Min(n),
            SearchReturnData::Max(n) => SearchReturnData::Max(n),
            SearchReturnData::All(s) => SearchReturnData::All(s.into_owned()),
            SearchReturnData::Count(n) => SearchReturnData::Count(n),
            SearchReturnData::ModSeq(n) => SearchReturnData::ModSeq(n),
            SearchReturnData::Partial { range, results } => SearchReturnData::Partial {
                range,
                results: results.into_owned(),
            },
            SearchReturnData::AddTo(v) => SearchReturnData::AddTo(v.into_owned()),
            SearchReturnData::RemoveTo(v) => SearchReturnData::RemoveTo(v.into_owned()),
            SearchReturnData::Other { name, value } => SearchReturnData::Other {
                name: name.into_owned(),
                value: value.into_owned(),
            },
        }
    }
}

fn signed(c: &mut Cursor<'_>) -> ParseResult<i64> {
    let negative = c.eat(b'-');
    let n = i64::from(nz_number(c)?.get());
    Ok(if negative { -n } else { n })
}

type Updates<'a> = LazyList<'a, (u32, SequenceSet<'a>)>;

fn context_updates<'a>(c: &mut Cursor<'a>) -> ParseResult<Updates<'a>> {
    c.expect(b'(', Expected::OpenParen)?;
    lazy::until_close(c, true, Cursor::sp, |c| {
        <(u32, SequenceSet<'a>)>::parse_item(c).map(drop)
    })
}

impl<'a> ListItem<'a> for (u32, SequenceSet<'a>) {
    /// Parses one `position SP sequence-set` of a context update.
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let position = number(c)?;
        c.sp()?;
        Ok((position, SequenceSet::parse(c, false)?))
    }
}

impl<'a> ListItem<'a> for SearchReturnData<'a> {
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        Self::parse(c)
    }
}

impl<'a> SearchReturnData<'a> {
    /// Parses one `search-return-data`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let name = take_class(c, class::ATOM, Expected::SearchReturnData)?;
        c.sp()?;
        let is = |w: &str| name.eq_ignore_ascii_case(w);
        Ok(if is("MIN") {
            SearchReturnData::Min(nz_number(c)?)
        } else if is("MAX") {
            SearchReturnData::Max(nz_number(c)?)
        } else if is("ALL") {
            SearchReturnData::All(SequenceSet::parse(c, false)?)
        } else if is("COUNT") {
            SearchReturnData::Count(number(c)?)
        } else if is("MODSEQ") {
            SearchReturnData::ModSeq(number64(c)?)
        } else if is("PARTIAL") {
            c.expect(b'(', Expected::OpenParen)?;
            let first = signed(c)?;
            c.expect(b':', Expected::Partial)?;
            let last = signed(c)?;
            c.sp()?;
            let results = if parse_nil(c) {
                None
            } else {
                Some(SequenceSet::parse(c, false)?)
            };
            c.expect(b')', Expected::CloseParen)?;
            SearchReturnData::Partial {
                range: PartialResultRange { first, last },
                results,
            }
        } else if is("ADDTO") {
            SearchReturnData::AddTo(context_updates(c)?)
        } else if is("REMOVETO") {
            SearchReturnData::RemoveTo(context_updates(c)?)
        } else {
            SearchReturnData::Other {
                name: Atom::unchecked(name),
                value: RawValue::parse(c)?,
            }
        })
    }
}

fn put_signed<S: Sink + ?Sized>(out: &mut S, n: i64) {
    if n < 0 {
        out.put(b"-");
    }
    put_number(out, n.unsigned_abs());
}

fn put_updates<S: Sink + ?Sized>(out: &mut S, updates: &Updates<'_>) {
    out.put(b"(");
    updates.encode_items(out, b" ", |(position, set), o| {
        put_number(o, u64::from(*position));
        o.put(b" ");
        set.encode(o);
    });
    out.put(b")");
}

impl Encode for SearchReturnData<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            SearchReturnData::Min(n) => {
                out.put(b"MIN ");
                put_number(out, u64::from(n.get()));
            }
            SearchReturnData::Max(n) => {
                out.put(b"MAX ");
                put_number(out, u64::from(n.get()));
            }
            SearchReturnData::All(set) => {
                out.put(b"ALL ");
                set.encode(out);
            }
            SearchReturnData::Count(n) => {
                out.put(b"COUNT ");
                put_number(out, u64::from(*n));
            }
            SearchReturnData::ModSeq(n) => {
                out.put(b"MODSEQ ");
                put_number(out, *n);
            }
            SearchReturnData::Partial { range, results } => {
                out.put(b"PARTIAL (");
                put_signed(out, range.first);
                out.put(b":");
                put_signed(out, range.last);
                out.put(b" ");
                match results {
                    Some(set) => set.encode(out),
                    None => out.put(b"NIL"),
                }
                out.put(b")");
            }
            SearchReturnData::AddTo(updates) => {
                out.put(b"ADDTO ");
                put_updates(out, updates);
            }
            SearchReturnData::RemoveTo(updates) => {
                out.put(b"REMOVETO ");
                put_updates(out, updates);
            }
            SearchReturnData::Other { name, value } => {
                name.encode(out);
                out.put(b" ");
                value.encode(out);
            }
        }
    }
}

impl<'a> ESearch<'a> {
    /// Parses what follows `ESEARCH`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let mut tag = None;
        let mut mailbox = None;
        if c.starts_with_ci(b" (TAG ") {
            c.advance(6);
            tag = Some(IString::parse_astring(c)?);
            if c.eat_ci(b" MAILBOX ") {
                let name = Mailbox::parse(c)?;
                c.expect_ci(b" UIDVALIDITY ", Expected::Keyword)?;
                mailbox = Some((name, nz_number(c)?));
            }
            c.expect(b')', Expected::CloseParen)?;
        }
        let uid = c.starts_with_ci(b" UID")
            && !c.peek_at(4).is_some_and(|b| is_atom_char(b) && b != b' ');
        if uid {
            c.advance(4);
        }
        let data = lazy::spaced(c, true, lazy::at_space, |c| {
            SearchReturnData::parse(c).map(drop)
        })?;
        Ok(ESearch {
            tag,
            mailbox,
            uid,
            data,
        })
    }
}

impl Encode for ESearch<'_> {
    /// Writes everything after `ESEARCH`, each part with its leading space.
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        if let Some(tag) = &self.tag {
            out.put(b" (TAG ");
            tag.encode_string(out);
            if let Some((mailbox, uid_validity)) = &self.mailbox {
                out.put(b" MAILBOX ");
                mailbox.encode(out);
                out.put(b" UIDVALIDITY ");
                put_number(out, u64::from(uid_validity.get()));
            }
            out.put(b")");
        }
        if self.uid {
            out.put(b" UID");
        }
        self.data
            .encode_each_after_space(out, |item, out| item.encode(out));
    }
}
