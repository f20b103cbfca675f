//! The values of a property parameter, with the first one kept inline.

use std::borrow::Cow;
use std::fmt;
use std::ops::{Deref, DerefMut};

/// The values of a [`Parameter`](crate::ical::Parameter) (`ROLE=CHAIR`, `TYPE=work,voice`).
///
/// Nearly every parameter has one value, so one is held inline and decoding a parameter
/// allocates nothing; a second value moves them to the heap. It reads as a slice
/// (`values[0]`, `values.iter()`, `values.first()`), grows with [`ParamValues::push`], and is
/// built with `collect()` or from a `Vec` with `.into()`.
#[derive(Clone, Default)]
pub struct ParamValues<'a>(Repr<'a>);

#[derive(Clone)]
enum Repr<'a> {
    /// None or one value.
    Inline(Option<Cow<'a, str>>),
    /// Two or more (or any number, when built from a `Vec`).
    Heap(Vec<Cow<'a, str>>),
}

impl Default for Repr<'_> {
    fn default() -> Self {
        Repr::Inline(None)
    }
}

impl<'a> ParamValues<'a> {
    /// No values.
    pub const fn new() -> Self {
        Self(Repr::Inline(None))
    }

    /// One value.
    pub const fn one(value: Cow<'a, str>) -> Self {
        Self(Repr::Inline(Some(value)))
    }

    /// Appends a value.
    pub fn push(&mut self, value: Cow<'a, str>) {
        match &mut self.0 {
            Repr::Inline(slot @ None) => *slot = Some(value),
            Repr::Inline(slot @ Some(_)) => {
                let mut values = Vec::with_capacity(4);
                values.extend(slot.take());
                values.push(value);
                self.0 = Repr::Heap(values);
            }
            Repr::Heap(values) => values.push(value),
        }
    }

    /// Keeps the values for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&Cow<'a, str>) -> bool) {
        match &mut self.0 {
            Repr::Inline(slot) => {
                if slot.as_ref().is_some_and(|value| !keep(value)) {
                    *slot = None;
                }
            }
            Repr::Heap(values) => values.retain(keep),
        }
    }

    /// A `'static` copy.
    pub fn into_owned(self) -> ParamValues<'static> {
        self.into_iter()
            .map(|value| Cow::Owned(value.into_owned()))
            .collect()
    }
}

impl<'a> Deref for ParamValues<'a> {
    type Target = [Cow<'a, str>];

    fn deref(&self) -> &Self::Target {
        match &self.0 {
            Repr::Inline(slot) => slot.as_slice(),
            Repr::Heap(values) => values,
        }
    }
}

impl DerefMut for ParamValues<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match &mut self.0 {
            Repr::Inline(slot) => slot.as_mut_slice(),
            Repr::Heap(values) => values,
        }
    }
}

impl<'a> From<Vec<Cow<'a, str>>> for ParamValues<'a> {
    fn from(values: Vec<Cow<'a, str>>) -> Self {
        Self(Repr::Heap(values))
    }
}

impl<'a> FromIterator<Cow<'a, str>> for ParamValues<'a> {
    fn from_iter<I: IntoIterator<Item = Cow<'a, str>>>(iter: I) -> Self {
        let mut values = Self::new();
        for value in iter {
            values.push(value);
        }
        values
    }
}

impl<'a> IntoIterator for ParamValues<'a> {
    type Item = Cow<'a, str>;
    type IntoIter =
        std::iter::Chain<std::option::IntoIter<Cow<'a, str>>, std::vec::IntoIter<Cow<'a, str>>>;

    /// The values in order; an inline value is not moved to the heap for it.
    fn into_iter(self) -> Self::IntoIter {
        let (inline, heap) = match self.0 {
            Repr::Inline(slot) => (slot, Vec::new()),
            Repr::Heap(values) => (None, values),
        };
        inline.into_iter().chain(heap)
    }
}

impl<'s, 'a> IntoIterator for &'s ParamValues<'a> {
    type Item = &'s Cow<'a, str>;
    type IntoIter = std::slice::Iter<'s, Cow<'a, str>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'s, 'a> IntoIterator for &'s mut ParamValues<'a> {
    type Item = &'s mut Cow<'a, str>;
    type IntoIter = std::slice::IterMut<'s, Cow<'a, str>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl fmt::Debug for ParamValues<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Equal when they hold the same values, however stored.
impl PartialEq for ParamValues<'_> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for ParamValues<'_> {}

impl<'a, T> PartialEq<Vec<T>> for ParamValues<'a>
where
    Cow<'a, str>: PartialEq<T>,
{
    fn eq(&self, other: &Vec<T>) -> bool {
        **self == **other
    }
}

impl<'a, T, const N: usize> PartialEq<[T; N]> for ParamValues<'a>
where
    Cow<'a, str>: PartialEq<T>,
{
    fn eq(&self, other: &[T; N]) -> bool {
        **self == other[..]
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ParamValues<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_from_inline_to_heap_and_reads_as_a_slice() {
        let mut values = ParamValues::new();
        assert!(values.is_empty());
        values.push("a".into());
        assert!(matches!(values.0, Repr::Inline(Some(_))));
        assert_eq!(values, ["a"]);
        values.push("b".into());
        values.push("c".into());
        assert!(matches!(values.0, Repr::Heap(_)));
        assert_eq!(values, vec!["a", "b", "c"]);
        assert_eq!(values.first().map(|v| v.as_ref()), Some("a"));
        values.retain(|v| v != "b");
        assert_eq!(values, ["a", "c"]);
        for value in &mut values {
            *value = Cow::Owned(value.to_uppercase());
        }
        assert_eq!(values.clone().into_iter().collect::<Vec<_>>(), ["A", "C"]);
        let mut one: ParamValues<'_> = std::iter::once(Cow::from("x")).collect();
        one.retain(|_| false);
        assert!(one.is_empty());
        // Equal however stored.
        let heap: ParamValues<'_> = vec![Cow::from("x")].into();
        let inline: ParamValues<'_> = std::iter::once(Cow::from("x")).collect();
        assert_eq!(heap, inline);
        assert_eq!(format!("{heap:?}"), r#"["x"]"#);
    }
}
