//! The ID response (RFC 2971).

use crate::Expected;
use crate::core::cursor::{Cursor, ParseResult};
use crate::core::string::parse_nil;
use crate::core::{Encode, IString, IntoOwned, Sink};

/// ID parameters: field/value pairs, or `None` for NIL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct IdParameters<'a>(pub Option<Vec<(IString<'a>, Option<IString<'a>>)>>);

impl<'a> IdParameters<'a> {
    /// Parses `"(" *(string SP nstring) ")" / NIL` (pairs separated by spaces).
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        if parse_nil(c) {
            return Ok(IdParameters(None));
        }
        c.expect(b'(', Expected::OpenParen)?;
        let mut pairs = Vec::new();
        if !c.eat(b')') {
            loop {
                c.check_list_length(pairs.len() + 1)?;
                let field = IString::parse_string(c)?;
                c.sp()?;
                pairs.push((field, IString::parse_nstring(c)?));
                if c.eat(b')') {
                    break;
                }
                c.sp()?;
            }
        }
        Ok(IdParameters(Some(pairs)))
    }
}

impl Encode for IdParameters<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match &self.0 {
            None => out.put(b"NIL"),
            Some(pairs) => {
                out.put(b"(");
                for (i, (field, value)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.put(b" ");
                    }
                    field.encode_string(out);
                    out.put(b" ");
                    IString::encode_nstring(value.as_ref(), out);
                }
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
