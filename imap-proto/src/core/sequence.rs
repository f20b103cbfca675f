//! Sequence sets (`sequence-set`, RFC 9051 §9; `$` from SEARCHRES, RFC 5182).
//!
//! A decoded set keeps its validated wire form and yields ranges lazily, so decoding one costs
//! no allocation however many ranges it holds.

use std::fmt;
use std::num::NonZeroU32;

use super::cursor::{Cursor, ParseResult};
use super::encode::put_number;
use super::number::nz_number;
use super::{ByteStr, Encode, IntoOwned, Sink};
use crate::{Expected, Limits};

/// One end of a range: a number or `*` (the largest number in use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SeqNumber {
    /// A message sequence number or UID.
    Value(NonZeroU32),
    /// `*`.
    Largest,
}

/// `seq-number` or `seq-range`: a single number has `start == end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SeqRange {
    /// The first end as written.
    pub start: SeqNumber,
    /// The second end as written (equal to `start` for a single number).
    pub end: SeqNumber,
}

impl SeqRange {
    /// A single number.
    pub const fn single(n: NonZeroU32) -> Self {
        SeqRange {
            start: SeqNumber::Value(n),
            end: SeqNumber::Value(n),
        }
    }
}

/// A sequence set such as `1:4,7,9:*`, or `$` (the saved SEARCH result).
#[derive(Clone, Eq, Hash)]
pub struct SequenceSet<'a> {
    wire: ByteStr<'a>,
}

fn seq_number(c: &mut Cursor<'_>) -> ParseResult<SeqNumber> {
    if c.eat(b'*') {
        Ok(SeqNumber::Largest)
    } else {
        nz_number(c).map(SeqNumber::Value)
    }
}

fn seq_range(c: &mut Cursor<'_>) -> ParseResult<SeqRange> {
    let start = seq_number(c)?;
    let end = if c.eat(b':') { seq_number(c)? } else { start };
    Ok(SeqRange { start, end })
}

impl<'a> SequenceSet<'a> {
    /// Parses a `sequence-set`, or `$` when `allow_saved` (SEARCHRES).
    pub fn parse(c: &mut Cursor<'a>, allow_saved: bool) -> ParseResult<Self> {
        let start = c.pos();
        if allow_saved && c.eat(b'$') {
            return Ok(SequenceSet {
                wire: ByteStr::borrowed(c.since(start)),
            });
        }
        let mut count = 0usize;
        loop {
            count += 1;
            c.check_list_length(count)?;
            seq_range(c).map_err(|_| c.error(Expected::SequenceSet))?;
            if !c.eat(b',') {
                break;
            }
        }
        Ok(SequenceSet {
            wire: ByteStr::borrowed(c.since(start)),
        })
    }

    /// A set of the given ranges, or `None` when there are none.
    pub fn from_ranges(ranges: impl IntoIterator<Item = SeqRange>) -> Option<SequenceSet<'static>> {
        let mut wire = Vec::new();
        for range in ranges {
            if !wire.is_empty() {
                wire.push(b',');
            }
            put_seq_number(&mut wire, range.start);
            if range.end != range.start {
                wire.push(b':');
                put_seq_number(&mut wire, range.end);
            }
        }
        (!wire.is_empty()).then(|| SequenceSet {
            wire: ByteStr::from(wire),
        })
    }

    /// `$`, the saved search result (RFC 5182).
    pub fn saved_result() -> SequenceSet<'static> {
        SequenceSet {
            wire: ByteStr::borrowed(b"$"),
        }
    }

    /// Whether this is `$`.
    pub fn is_saved_result(&self) -> bool {
        self.wire.as_bytes() == b"$"
    }

    /// The wire form.
    pub fn as_bytes(&self) -> &[u8] {
        self.wire.as_bytes()
    }

    /// The ranges, in the order written (none for `$`).
    pub fn iter(&self) -> impl Iterator<Item = SeqRange> + '_ {
        let mut c = Cursor::new(self.wire.as_bytes(), Limits::default());
        let saved = self.is_saved_result();
        std::iter::from_fn(move || {
            if saved || c.is_at_end() {
                return None;
            }
            let range = seq_range(&mut c).ok()?;
            c.eat(b',');
            Some(range)
        })
    }

    /// Every number in the set, with `*` standing for `largest` (ranges in either order).
    pub fn numbers(&self, largest: u32) -> impl Iterator<Item = u32> + '_ {
        let resolve = move |n: SeqNumber| match n {
            SeqNumber::Value(v) => v.get(),
            SeqNumber::Largest => largest,
        };
        self.iter().flat_map(move |r| {
            let (a, b) = (resolve(r.start), resolve(r.end));
            a.min(b)..=a.max(b)
        })
    }
}

fn put_seq_number(out: &mut Vec<u8>, n: SeqNumber) {
    match n {
        SeqNumber::Value(v) => put_number(out, u64::from(v.get())),
        SeqNumber::Largest => out.push(b'*'),
    }
}

impl PartialEq for SequenceSet<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.is_saved_result() == other.is_saved_result() && self.iter().eq(other.iter())
    }
}

impl fmt::Debug for SequenceSet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SequenceSet({})", self.wire.to_str_lossy())
    }
}

impl Encode for SequenceSet<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(self.wire.as_bytes());
    }
}

impl IntoOwned for SequenceSet<'_> {
    type Owned = SequenceSet<'static>;
    fn into_owned(self) -> Self::Owned {
        SequenceSet {
            wire: self.wire.into_owned(),
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for SequenceSet<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.wire.to_str_lossy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &[u8]) -> ParseResult<SequenceSet<'_>> {
        SequenceSet::parse(&mut Cursor::new(input, Limits::default()), true)
    }

    #[test]
    fn known_answers() {
        let set = parse(b"1:4,7,9:* ").unwrap();
        assert_eq!(set.as_bytes(), b"1:4,7,9:*");
        let ranges: Vec<_> = set.iter().collect();
        assert_eq!(ranges.len(), 3);
        assert_eq!(ranges[2].end, SeqNumber::Largest);
        assert_eq!(set.numbers(10).collect::<Vec<_>>(), [1, 2, 3, 4, 7, 9, 10]);
        assert!(parse(b"$").unwrap().is_saved_result());
        assert!(parse(b"0").is_err());
        assert!(parse(b",1").is_err());
        assert_eq!(
            SequenceSet::from_ranges(set.iter()).unwrap().as_bytes(),
            b"1:4,7,9:*"
        );
        let tight = Limits {
            max_list_length: 2,
            ..Limits::default()
        };
        assert!(SequenceSet::parse(&mut Cursor::new(b"1,2,3", tight), false).is_err());
    }
}
