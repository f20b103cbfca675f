//! METADATA responses (RFC 5464 §4.4).

use crate::Expected;
use crate::core::cursor::{Cursor, ParseResult};
use crate::core::{Encode, IString, IntoOwned, Mailbox, Sink};

/// What a METADATA response carries.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MetadataEntries<'a> {
    /// `(entry value ...)`: values (`None` for NIL), in answer to GETMETADATA.
    Values(Vec<(IString<'a>, Option<IString<'a>>)>),
    /// `entry entry ...`: unsolicited change notices.
    Names(Vec<IString<'a>>),
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
            let mut values = Vec::new();
            loop {
                c.check_list_length(values.len() + 1)?;
                let entry = IString::parse_astring(c)?;
                c.sp()?;
                values.push((entry, IString::parse_nstring8(c)?));
                if c.eat(b')') {
                    break;
                }
                c.sp().map_err(|_| c.error(Expected::CloseParen))?;
            }
            MetadataEntries::Values(values)
        } else {
            let mut names = vec![IString::parse_astring(c)?];
            while c.eat(b' ') {
                c.check_list_length(names.len() + 1)?;
                names.push(IString::parse_astring(c)?);
            }
            MetadataEntries::Names(names)
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
                for (i, (entry, value)) in values.iter().enumerate() {
                    if i > 0 {
                        out.put(b" ");
                    }
                    entry.encode_astring(out);
                    out.put(b" ");
                    IString::encode_nstring(value.as_ref(), out);
                }
                out.put(b")");
            }
            MetadataEntries::Names(names) => {
                for (i, name) in names.iter().enumerate() {
                    if i > 0 {
                        out.put(b" ");
                    }
                    name.encode_astring(out);
                }
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
