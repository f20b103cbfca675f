//! `into_owned()` plumbing: one trait every borrowed body type implements, so composite types
//! convert field by field.

use std::borrow::Cow;

use crate::xml::{Name, RawXml};

/// Converts a borrowed value into its `'static` form.
pub(crate) trait ToStatic {
    /// The `'static` form.
    type Static;
    /// Converts, copying borrowed data.
    fn to_static(self) -> Self::Static;
}

impl ToStatic for Cow<'_, str> {
    type Static = Cow<'static, str>;
    fn to_static(self) -> Cow<'static, str> {
        Cow::Owned(self.into_owned())
    }
}

impl<T: ToStatic> ToStatic for Vec<T> {
    type Static = Vec<T::Static>;
    fn to_static(self) -> Self::Static {
        self.into_iter().map(ToStatic::to_static).collect()
    }
}

impl<T: ToStatic> ToStatic for Option<T> {
    type Static = Option<T::Static>;
    fn to_static(self) -> Self::Static {
        self.map(ToStatic::to_static)
    }
}

impl<T: ToStatic> ToStatic for Box<T> {
    type Static = Box<T::Static>;
    fn to_static(self) -> Self::Static {
        Box::new((*self).to_static())
    }
}

impl ToStatic for Name<'_> {
    type Static = Name<'static>;
    fn to_static(self) -> Name<'static> {
        self.into_owned()
    }
}

impl ToStatic for RawXml<'_> {
    type Static = RawXml<'static>;
    fn to_static(self) -> RawXml<'static> {
        self.into_owned()
    }
}

macro_rules! plain_static {
    ($($t:ty),*) => {
        $(impl ToStatic for $t {
            type Static = $t;
            fn to_static(self) -> $t {
                self
            }
        })*
    };
}

plain_static!(bool, u16, u32, u64);

/// Implements `into_owned()` (and [`ToStatic`]) for a struct with a `'a` lifetime, field by
/// field.
macro_rules! owned_struct {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        impl $ty<'_> {
            /// A `'static` copy.
            pub fn into_owned(self) -> $ty<'static> {
                $ty { $($field: $crate::body::owned::ToStatic::to_static(self.$field)),* }
            }
        }

        impl $crate::body::owned::ToStatic for $ty<'_> {
            type Static = $ty<'static>;
            fn to_static(self) -> $ty<'static> {
                self.into_owned()
            }
        }
    };
}

pub(crate) use owned_struct;
