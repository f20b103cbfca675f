//! Serialising byte strings as (lossy) UTF-8 text, for `groupwire parse` output.

use std::borrow::Cow;

/// Serialises bytes as lossy UTF-8.
#[allow(clippy::ptr_arg)] // serde's `serialize_with` passes `&Field`.
pub(crate) fn lossy<S: serde::Serializer>(
    bytes: &Cow<'_, [u8]>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&String::from_utf8_lossy(bytes))
}

/// Serialises optional bytes as lossy UTF-8 or null.
pub(crate) fn lossy_option<S: serde::Serializer>(
    bytes: &Option<Cow<'_, [u8]>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match bytes {
        Some(bytes) => serializer.serialize_some(&String::from_utf8_lossy(bytes)),
        None => serializer.serialize_none(),
    }
}
