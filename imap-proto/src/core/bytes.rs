//! [`ByteStr`]: borrowed-or-owned bytes that print as (lossy) text.

use std::borrow::Cow;
use std::fmt;

use super::IntoOwned;

/// Bytes from the wire that are usually text: borrowed from the input when decoded, owned when
/// built. `Debug` and serde show them as (lossy) UTF-8 text.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ByteStr<'a>(pub Cow<'a, [u8]>);

impl<'a> ByteStr<'a> {
    /// Borrows `bytes`.
    pub const fn borrowed(bytes: &'a [u8]) -> Self {
        Self(Cow::Borrowed(bytes))
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes as text, replacing invalid UTF-8.
    pub fn to_str_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl<'a> From<&'a [u8]> for ByteStr<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        Self::borrowed(bytes)
    }
}

impl<'a> From<&'a str> for ByteStr<'a> {
    fn from(text: &'a str) -> Self {
        Self::borrowed(text.as_bytes())
    }
}

impl From<Vec<u8>> for ByteStr<'static> {
    fn from(bytes: Vec<u8>) -> Self {
        Self(Cow::Owned(bytes))
    }
}

impl From<String> for ByteStr<'static> {
    fn from(text: String) -> Self {
        Self(Cow::Owned(text.into_bytes()))
    }
}

impl IntoOwned for ByteStr<'_> {
    type Owned = ByteStr<'static>;
    fn into_owned(self) -> Self::Owned {
        ByteStr(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for ByteStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b{:?}", self.to_str_lossy())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ByteStr<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_str_lossy())
    }
}
