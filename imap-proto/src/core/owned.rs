//! [`IntoOwned`]: turning a value that borrows from the input into a `'static` one.

use std::borrow::Cow;

/// Converts a borrowed value into one that owns its data (`'static`).
pub trait IntoOwned {
    /// The same type with a `'static` lifetime.
    type Owned: 'static;
    /// Copies whatever is borrowed.
    fn into_owned(self) -> Self::Owned;
}

impl<T: ?Sized + ToOwned + 'static> IntoOwned for Cow<'_, T> {
    type Owned = Cow<'static, T>;
    fn into_owned(self) -> Cow<'static, T> {
        Cow::Owned(Cow::into_owned(self))
    }
}

impl<T: IntoOwned> IntoOwned for Option<T> {
    type Owned = Option<T::Owned>;
    fn into_owned(self) -> Self::Owned {
        self.map(IntoOwned::into_owned)
    }
}

impl<T: IntoOwned> IntoOwned for Vec<T> {
    type Owned = Vec<T::Owned>;
    fn into_owned(self) -> Self::Owned {
        self.into_iter().map(IntoOwned::into_owned).collect()
    }
}

impl<T: IntoOwned> IntoOwned for Box<T> {
    type Owned = Box<T::Owned>;
    fn into_owned(self) -> Self::Owned {
        Box::new((*self).into_owned())
    }
}

impl<A: IntoOwned, B: IntoOwned> IntoOwned for (A, B) {
    type Owned = (A::Owned, B::Owned);
    fn into_owned(self) -> Self::Owned {
        (self.0.into_owned(), self.1.into_owned())
    }
}

macro_rules! owned_by_copy {
    ($($t:ty),*) => {$(
        impl IntoOwned for $t {
            type Owned = $t;
            fn into_owned(self) -> Self::Owned { self }
        }
    )*};
}
owned_by_copy!(
    u8,
    u16,
    u32,
    u64,
    i32,
    i64,
    bool,
    usize,
    std::num::NonZeroU32,
    std::num::NonZeroU64
);

#[allow(unused_macros)]
/// Implements [`IntoOwned`] for a struct with a lifetime by converting every field.
macro_rules! into_owned_struct {
    ($name:ident { $($field:ident),* $(,)? }) => {
        impl<'a> $crate::core::IntoOwned for $name<'a> {
            type Owned = $name<'static>;
            fn into_owned(self) -> Self::Owned {
                $name { $($field: $crate::core::IntoOwned::into_owned(self.$field)),* }
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use into_owned_struct;
