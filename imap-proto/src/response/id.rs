//! The ID response (RFC 2971).

use crate::Expected;
use crate::core::cursor::{Cursor, ParseResult};
use crate::core::lazy::{self, LazyList};
use crate::core::string::parse_nil;
use crate::core::{Encode, IString, IntoOwned, Sink};

/// ID parameters: field/value pairs, or `None` for NIL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct IdParameters<'a>(pub Option<LazyList<'a, (IString<'a>, Option<IString<'a>>)>>);

impl<'a> IdParameters<'a> {
    /// Parses `"(" *(string SP nstring) ")" / NIL` (pairs separated by spaces).
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        if parse_nil(c) {
            return Ok(IdParameters(None));
        }
        c.expect(b'(', Expected::OpenParen)?;
        let pairs = lazy::until_close(c, true, Cursor::sp, |c| {
            IString::parse_string(c)?;
            c.sp()?;
            IString::parse_nstring(c).map(drop)
        })?;
        Ok(IdParameters(Some(pairs)))
    }
}

impl Encode for IdParameters<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match &self.0 {
            None => out.put(b"NIL"),
            Some(pairs) => {
                out.put(b"(");
                pairs.encode_items(out, b" ", |(field, value), out| {
                    field.encode_string(out);
                    out.put(b" ");
                    IString::encode_nstring(value.as_ref(), out);
                });
                out.put(b")");
            }
        }
    }
}

impl IntoOwned for IdParameters<'_> {
    type Owned = IdParameters<'static>;
    fn into_owned(self) -> Self::Owned {
        IdParameters(self.0.into_owned())
    }
}
