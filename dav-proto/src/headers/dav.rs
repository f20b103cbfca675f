//! The `DAV` response header (RFC 4918 §10.1): compliance classes and extensions
//! (`1, 2, 3, access-control, calendar-access, addressbook, <http://...>`).

use std::borrow::Cow;

use http::header::HeaderName;

use super::TypedHeader;
use super::lexer::{Lexer, err, text};
use crate::decoded::{DecodeError, Expected};

/// The `DAV` header: compliance class tokens and Coded-URL extensions, in order. A Coded-URL
/// entry is kept with its angle brackets so it round-trips distinct from a token.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DavCompliance<'a>(pub Vec<Cow<'a, str>>);

impl DavCompliance<'_> {
    /// Whether `class` (`"1"`, `"calendar-access"`, `"<http://...>"`) is listed, ignoring
    /// ASCII case.
    pub fn supports(&self, class: &str) -> bool {
        self.0.iter().any(|c| c.eq_ignore_ascii_case(class))
    }

    /// A `'static` copy.
    pub fn into_owned(self) -> DavCompliance<'static> {
        DavCompliance(
            self.0
                .into_iter()
                .map(|c| Cow::Owned(c.into_owned()))
                .collect(),
        )
    }
}

impl<'a> TypedHeader<'a> for DavCompliance<'a> {
    fn name() -> HeaderName {
        super::DAV
    }

    fn parse(value: &'a [u8]) -> Result<Self, DecodeError> {
        let t = text(value)?;
        let mut lx = Lexer::new(t);
        let mut out = Vec::new();
        loop {
            while lx.comma() {}
            if lx.at_end() {
                break;
            }
            let start = lx.pos();
            if lx.peek() == Some(b'<') {
                lx.coded_url()?;
            } else {
                lx.token()?;
            }
            out.push(Cow::Borrowed(t.get(start..lx.pos()).unwrap_or_default()));
            lx.ws();
            if !lx.at_end() && lx.peek() != Some(b',') {
                return Err(err(lx.pos(), Expected::Token));
            }
        }
        if out.is_empty() {
            return Err(err(0, Expected::Token));
        }
        Ok(DavCompliance(out))
    }

    fn write(&self, out: &mut String) {
        for (i, c) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(c);
        }
    }
}
