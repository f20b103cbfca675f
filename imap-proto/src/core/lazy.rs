//! [`LazyList`]: a list inside a decoded value that is parsed item by item only when read.
//!
//! Decoding validates such a list completely (its grammar, [`Limits::max_list_length`] and
//! [`Limits::max_nesting_depth`], with the same typed errors and offsets as any list) but
//! keeps only the bytes between its delimiters (or, for a list without delimiters such as a
//! capability list, its items' bytes), so no list of a response costs an allocation: a
//! FETCH response's attributes, address lists, body parameters, body parts, flags and
//! header-field names, and the lists of CAPABILITY, LIST, STATUS, ESEARCH, THREAD,
//! NAMESPACE and the other responses. Reading the list
//! ([`LazyList::iter`]) parses those bytes again, one item at a time; they were valid when
//! the enclosing value was decoded, so iterating cannot fail.
//!
//! A program that encodes builds lists from items instead (`From<Vec<T>>`,
//! [`FromIterator`]); both forms compare, hash, print and serialise by their items.

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};

use super::cursor::{Cursor, ParseResult};
use super::{IntoOwned, Sink};
use crate::Limits;

/// An item of a [`LazyList`]: how it is read back from the bytes its list was validated with.
///
/// Implemented by the crate's list items ([`Flag`](super::Flag), [`IString`](super::IString),
/// [`RawValue`](super::RawValue), [`Address`](crate::response::envelope::Address),
/// [`BodyStructure`](crate::response::bodystructure::BodyStructure), body parameters).
pub trait ListItem<'a>: Sized {
    /// Parses one item at `c`, which holds bytes a decoder has validated as a list of them.
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self>;
}

/// A list of `T`: either the validated wire bytes of a decoded list, parsed on demand, or
/// items built by a program (see the [module documentation](self)).
///
/// Equality, hashing, [`Debug`](fmt::Debug) and serialisation look at the items only: a
/// decoded list equals a built list holding the same items.
pub struct LazyList<'a, T> {
    repr: Repr<'a, T>,
}

enum Repr<'a, T> {
    /// The bytes between the list's delimiters, as decoded (valid, never re-checked).
    Raw(&'a [u8]),
    /// Items built by a program (or copied by [`IntoOwned`]).
    Built(Vec<T>),
}

/// Limits for re-reading bytes already checked against the decoder's own limits.
fn unbounded() -> Limits {
    Limits {
        max_line_length: usize::MAX,
        max_literal_size: u64::MAX,
        max_nesting_depth: usize::MAX,
        max_list_length: usize::MAX,
    }
}

impl<'a, T> LazyList<'a, T> {
    /// An empty list.
    pub const fn new() -> Self {
        Self {
            repr: Repr::Built(Vec::new()),
        }
    }

    /// A list over `bytes`, the content between a list's delimiters that the caller has just
    /// validated as items of `T`.
    pub(crate) fn raw(bytes: &'a [u8]) -> Self {
        Self {
            repr: Repr::Raw(bytes),
        }
    }

    /// The wire bytes between the list's delimiters, when it was decoded (not built).
    pub fn as_raw(&self) -> Option<&'a [u8]> {
        match self.repr {
            Repr::Raw(bytes) => Some(bytes),
            Repr::Built(_) => None,
        }
    }

    /// The items, when the list was built (not decoded).
    pub fn as_built(&self) -> Option<&[T]> {
        match &self.repr {
            Repr::Raw(_) => None,
            Repr::Built(items) => Some(items),
        }
    }

    /// Writes the list's content (without delimiters): decoded bytes verbatim, built items
    /// with `each`, separated by `separator`.
    pub(crate) fn encode_items<S: Sink + ?Sized>(
        &self,
        out: &mut S,
        separator: &[u8],
        mut each: impl FnMut(&T, &mut S),
    ) {
        match &self.repr {
            Repr::Raw(bytes) => out.put(bytes),
            Repr::Built(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.put(separator);
                    }
                    each(item, out);
                }
            }
        }
    }
}

impl<'a, T> LazyList<'a, T> {
    /// Writes each item with a space before it (`*(SP item)`): decoded bytes verbatim after
    /// one space, built items with `each`.
    pub(crate) fn encode_each_after_space<S: Sink + ?Sized>(
        &self,
        out: &mut S,
        mut each: impl FnMut(&T, &mut S),
    ) {
        match &self.repr {
            Repr::Raw([]) => {}
            Repr::Raw(bytes) => {
                out.put(b" ");
                out.put(bytes);
            }
            Repr::Built(items) => {
                for item in items {
                    out.put(b" ");
                    each(item, out);
                }
            }
        }
    }
}

impl<'a, T: ListItem<'a> + Clone> LazyList<'a, T> {
    /// The items in order: parsed from the wire bytes one at a time for a decoded list
    /// ([`Cow::Owned`], borrowing from the input), borrowed for a built one.
    pub fn iter(&self) -> Iter<'_, 'a, T> {
        Iter {
            inner: match &self.repr {
                Repr::Raw(bytes) => IterInner::Raw(Cursor::new(bytes, unbounded())),
                Repr::Built(items) => IterInner::Built(items.iter()),
            },
        }
    }

    /// The number of items (a decoded list counts them by parsing).
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Raw(_) => self.iter().count(),
            Repr::Built(items) => items.len(),
        }
    }

    /// Whether the list has no items.
    pub fn is_empty(&self) -> bool {
        match &self.repr {
            Repr::Raw(bytes) => bytes.is_empty() || self.iter().next().is_none(),
            Repr::Built(items) => items.is_empty(),
        }
    }

    /// The first item.
    pub fn first(&self) -> Option<Cow<'_, T>> {
        self.iter().next()
    }

    /// The items in a new vector (each parsed, or cloned).
    pub fn to_vec(&self) -> Vec<T> {
        self.iter().map(Cow::into_owned).collect()
    }

    /// Whether `item` is one of the items.
    pub fn contains(&self, item: &T) -> bool
    where
        T: PartialEq,
    {
        self.iter().any(|i| *i == *item)
    }
}

impl<T> Default for LazyList<'_, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> From<Vec<T>> for LazyList<'_, T> {
    fn from(items: Vec<T>) -> Self {
        Self {
            repr: Repr::Built(items),
        }
    }
}

impl<T> FromIterator<T> for LazyList<'_, T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        Self::from(items.into_iter().collect::<Vec<T>>())
    }
}

impl<T: Clone> Clone for LazyList<'_, T> {
    fn clone(&self) -> Self {
        Self {
            repr: match &self.repr {
                Repr::Raw(bytes) => Repr::Raw(bytes),
                Repr::Built(items) => Repr::Built(items.clone()),
            },
        }
    }
}

impl<'a, T: ListItem<'a> + Clone + fmt::Debug> fmt::Debug for LazyList<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, T: ListItem<'a> + Clone + PartialEq> PartialEq for LazyList<'a, T> {
    fn eq(&self, other: &Self) -> bool {
        if let (Repr::Raw(a), Repr::Raw(b)) = (&self.repr, &other.repr)
            && a.len() == b.len()
            && a.iter().zip(b.iter()).all(|(x, y)| x == y)
        {
            return true;
        }
        self.iter().eq(other.iter())
    }
}

impl<'a, T: ListItem<'a> + Clone + Eq> Eq for LazyList<'a, T> {}

impl<'a, T: ListItem<'a> + Clone + PartialEq> PartialEq<[T]> for LazyList<'a, T> {
    fn eq(&self, other: &[T]) -> bool {
        self.iter().eq(other.iter().map(Cow::Borrowed))
    }
}

impl<'a, T: ListItem<'a> + Clone + PartialEq, const N: usize> PartialEq<[T; N]>
    for LazyList<'a, T>
{
    fn eq(&self, other: &[T; N]) -> bool {
        *self == other[..]
    }
}

impl<'a, T: ListItem<'a> + Clone + PartialEq> PartialEq<Vec<T>> for LazyList<'a, T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        *self == other[..]
    }
}

impl<'a, T: ListItem<'a> + Clone + Hash> Hash for LazyList<'a, T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut count = 0usize;
        for item in self.iter() {
            item.hash(state);
            count += 1;
        }
        state.write_usize(count);
    }
}

impl<'a, T> IntoOwned for LazyList<'a, T>
where
    T: ListItem<'a> + Clone + IntoOwned,
{
    type Owned = LazyList<'static, T::Owned>;
    fn into_owned(self) -> Self::Owned {
        match self.repr {
            Repr::Raw(_) => self.iter().map(|i| i.into_owned().into_owned()).collect(),
            Repr::Built(items) => items.into_iter().map(IntoOwned::into_owned).collect(),
        }
    }
}

#[cfg(feature = "serde")]
impl<'a, T: ListItem<'a> + Clone + serde::Serialize> serde::Serialize for LazyList<'a, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'s, 'a, T: ListItem<'a> + Clone> IntoIterator for &'s LazyList<'a, T> {
    type Item = Cow<'s, T>;
    type IntoIter = Iter<'s, 'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The items of a [`LazyList`] ([`LazyList::iter`]).
pub struct Iter<'s, 'a, T> {
    inner: IterInner<'s, 'a, T>,
}

enum IterInner<'s, 'a, T> {
    Raw(Cursor<'a>),
    Built(std::slice::Iter<'s, T>),
}

impl<'s, 'a, T: ListItem<'a> + Clone> Iterator for Iter<'s, 'a, T> {
    type Item = Cow<'s, T>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            IterInner::Built(items) => items.next().map(Cow::Borrowed),
            IterInner::Raw(c) => {
                // Items are separated by spaces (or by nothing, as body parts are).
                while c.eat(b' ') {}
                if c.is_at_end() {
                    return None;
                }
                let start = c.pos();
                match T::parse_item(c) {
                    Ok(item) if c.pos() > start => Some(Cow::Owned(item)),
                    // Unreachable for bytes the decoder validated; the iteration ends
                    // rather than panics or loops.
                    _ => {
                        let end = c.input().len();
                        c.reset_to(end);
                        None
                    }
                }
            }
        }
    }
}

impl<'s, 'a, T: ListItem<'a> + Clone> std::iter::FusedIterator for Iter<'s, 'a, T> {}

impl<T> fmt::Debug for Iter<'_, '_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Iter { .. }")
    }
}

/// Validates `"(" [item *(SP item)] ")"` as [`paren_list`](super::cursor::paren_list) reads
/// it (same limits, same errors at the same offsets), keeping only the bytes inside.
pub(crate) fn paren_list<'a, T>(
    c: &mut Cursor<'a>,
    allow_empty: bool,
    mut item: impl FnMut(&mut Cursor<'a>) -> ParseResult<()>,
) -> ParseResult<LazyList<'a, T>> {
    c.expect(b'(', crate::Expected::OpenParen)?;
    c.enter()?;
    let start = c.pos();
    if !(allow_empty && c.peek() == Some(b')')) {
        c.check_list_length(1)?;
        item(c)?;
        let mut count = 1;
        while c.eat(b' ') {
            count += 1;
            c.check_list_length(count)?;
            item(c)?;
        }
    }
    let inner = c.since(start);
    c.expect(b')', crate::Expected::CloseParen)?;
    c.leave();
    Ok(LazyList::raw(inner))
}

/// Validates items separated by single spaces, without delimiters (a capability list,
/// QUOTAROOT's roots, ESEARCH's return data), as the `Vec`-building loops read them (same
/// limits, same errors at the same offsets), keeping only the items' bytes.
///
/// With `leading_space`, every item follows a space (`*(SP item)`, possibly none);
/// otherwise the first item is at `c` (`item *(SP item)`). Another item follows while
/// `continues` holds at a space.
pub(crate) fn spaced<'a, T>(
    c: &mut Cursor<'a>,
    leading_space: bool,
    continues: impl Fn(&Cursor<'a>) -> bool,
    mut item: impl FnMut(&mut Cursor<'a>) -> ParseResult<()>,
) -> ParseResult<LazyList<'a, T>> {
    if leading_space {
        if !continues(c) {
            return Ok(LazyList::new());
        }
        c.advance(1);
    }
    let start = c.pos();
    let mut count = 0;
    loop {
        count += 1;
        c.check_list_length(count)?;
        item(c)?;
        if !continues(c) {
            break;
        }
        c.advance(1);
    }
    Ok(LazyList::raw(c.since(start)))
}

/// Validates the items of a parenthesised list whose `(` the caller has read, through its
/// `)`: `[item *(SP item)]`, each item followed by the `)` or by what `separator` reads (a
/// space, or the error the grammar reports there), keeping only the items' bytes. With
/// `allow_empty` off, `()` is the first item's error. Unlike [`paren_list`] it opens no
/// nesting level: the lists read this way (ID, METADATA values, ESEARCH context updates, body
/// languages) never did.
pub(crate) fn until_close<'a, T>(
    c: &mut Cursor<'a>,
    allow_empty: bool,
    mut separator: impl FnMut(&mut Cursor<'a>) -> ParseResult<()>,
    mut item: impl FnMut(&mut Cursor<'a>) -> ParseResult<()>,
) -> ParseResult<LazyList<'a, T>> {
    let start = c.pos();
    if !(allow_empty && c.peek() == Some(b')')) {
        let mut count = 0;
        loop {
            count += 1;
            c.check_list_length(count)?;
            item(c)?;
            if c.peek() == Some(b')') {
                break;
            }
            separator(c)?;
        }
    }
    let list = LazyList::raw(c.since(start));
    c.advance(1);
    Ok(list)
}

/// `continues` for [`spaced`] lists that go on at every space.
pub(crate) fn at_space(c: &Cursor<'_>) -> bool {
    c.peek() == Some(b' ')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Flag;

    #[test]
    fn bytes_that_stop_parsing_end_the_iteration() {
        // Never produced by a decoder; iterating must still neither panic nor loop.
        for raw in [&b"\\Seen ("[..], b"\\Seen \x01", b"\\Seen )", b"  "] {
            let list = LazyList::<Flag<'_>>::raw(raw);
            let items = list.to_vec();
            assert!(items.len() <= 1, "{raw:?}");
            assert!(items.iter().all(|f| *f == Flag::Seen));
            assert_eq!(list.len(), items.len());
        }
        assert!(LazyList::<Flag<'_>>::raw(b"  ").is_empty());
    }

    #[test]
    fn raw_and_built_forms_compare_by_items() {
        let raw = LazyList::<Flag<'_>>::raw(b"\\Seen  \\Draft");
        let built = LazyList::from(vec![Flag::Seen, Flag::Draft]);
        assert_eq!(raw, built);
        assert_eq!(raw, LazyList::raw(b"\\seen \\DRAFT"));
        assert_ne!(raw, LazyList::raw(b"\\Seen"));
        assert_eq!(format!("{raw:?}"), "[Seen, Draft]");
        let mut out = Vec::new();
        raw.encode_items(&mut out, b" ", crate::core::Encode::encode);
        assert_eq!(out, b"\\Seen  \\Draft");
        out.clear();
        built.encode_items(&mut out, b" ", crate::core::Encode::encode);
        assert_eq!(out, b"\\Seen \\Draft");
        let owned: LazyList<'static, Flag<'static>> = raw.clone().into_owned();
        assert_eq!(owned.as_built().map(<[_]>::len), Some(2));
        assert_eq!(LazyList::<Flag<'_>>::default(), LazyList::new());
    }
}
