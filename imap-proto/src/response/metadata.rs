//! METADATA responses (RFC 5464 §4.4).

use crate::Expected;
use crate::core::cursor::{Cursor, ParseResult};
use crate::core::lazy::{self, LazyList};
use crate::core::{Encode, IString, IntoOwned, Mailbox, Sink};

/// What a METADATA response carries.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MetadataEntries<'a> {
    /// `(entry value ...)`: values (`None` for NIL), in answer to GETMETADATA.
    Values(LazyList<'a, (IString<'a>, Option<IString<'a>>)>),
    /// `entry entry ...`: unsolicited change notices.
    Names(LazyList<'a, IString<'a>>),
}

/// `METADATA mailbox ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Metadata<'a> {
    /// The mailbox (`""` for server metadata).
    pub mailbox: Mailbox<'a>,
    /// The entries.
    pub entries: MetadataEntries<'a>,
}

impl<'a> Metadata<'a> {
    /// Parses the arguments of METADATA.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let mailbox = Mailbox::parse(c)?;
        c.sp()?;
        let entries = if c.eat(b'(') {
            let values = lazy::until_close(
                c,
                false,
                |c| c.sp().map_err(|_| c.error(Expected::CloseParen)),
                |c| {
                    IString::parse_astring(c)?;
                    c.sp()?;
                    IString::parse_nstring8(c).map(drop)
                },
            )?;
            MetadataEntries::Values(values)
        } else {
            MetadataEntries::Names(lazy::spaced(c, false, lazy::at_space, |c| {
                IString::parse_astring(c).map(drop)
            })?)
        };
        Ok(Metadata { mailbox, entries })
    }
}

impl Encode for Metadata<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        self.mailbox.encode(out);
        out.put(b" ");
        match &self.entries {
            MetadataEntries::Values(values) => {
                out.put(b"(");
                values.encode_items(out, b" ", |(entry, value), out| {
                    entry.encode_astring(out);
                    out.put(b" ");
                    IString::encode_nstring(value.as_ref(), out);
                });
                out.put(b")");
            }
            MetadataEntries::Names(names) => {
                names.encode_items(out, b" ", |name, out| name.encode_astring(out));
            }
        }
    }
}

impl IntoOwned for Metadata<'_> {
    type Owned = Metadata<'static>;
    fn into_owned(self) -> Self::Owned {
        Metadata {
            mailbox: self.mailbox.into_owned(),
            entries: match self.entries {
                MetadataEntries::Values(v) => MetadataEntries::Values(v.into_owned()),
                MetadataEntries::Names(v) => MetadataEntries::Names(v.into_owned()),
            },
        }
    }
}
