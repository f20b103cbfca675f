//! GETMETADATA and SETMETADATA (RFC 5464).

use crate::Expected;
use crate::core::cursor::{Cursor, ParseResult, paren_list};
use crate::core::encode::put_number;
use crate::core::number::number;
use crate::core::{Encode, IString, IntoOwned, Mailbox, Sink};

use super::fetch::{eat_keyword, encode_list};

/// A METADATA command. The mailbox is empty (`""`) for server annotations.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MetadataCommand<'a> {
    /// `GETMETADATA [(options)] mailbox entries`.
    GetMetadata {
        /// `MAXSIZE` and `DEPTH` options.
        options: Vec<GetMetadataOption>,
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The entry names (sent bare when there is one).
        entries: Vec<IString<'a>>,
    },
    /// `SETMETADATA mailbox (entry value ...)`; a `None` value (NIL) removes the entry.
    SetMetadata {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Entry names and values.
        entries: Vec<(IString<'a>, Option<IString<'a>>)>,
    },
}

/// A GETMETADATA option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum GetMetadataOption {
    /// `MAXSIZE n`.
    MaxSize(u32),
    /// `DEPTH 0`, `DEPTH 1` (`Some(n)`) or `DEPTH infinity` (`None`).
    Depth(Option<u8>),
}

impl IntoOwned for MetadataCommand<'_> {
    type Owned = MetadataCommand<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            MetadataCommand::GetMetadata {
                options,
                mailbox,
                entries,
            } => MetadataCommand::GetMetadata {
                options,
                mailbox: mailbox.into_owned(),
                entries: entries.into_owned(),
            },
            MetadataCommand::SetMetadata { mailbox, entries } => MetadataCommand::SetMetadata {
                mailbox: mailbox.into_owned(),
                entries: entries.into_owned(),
            },
        }
    }
}

impl<'a> MetadataCommand<'a> {
    /// Parses the arguments after `GETMETADATA `.
    pub fn parse_get(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let mut options = Vec::new();
        if c.peek() == Some(b'(') {
            options = paren_list(c, false, GetMetadataOption::parse)?;
            c.sp()?;
        }
        let mailbox = Mailbox::parse(c)?;
        c.sp()?;
        // RFC 5464's own examples put the options after the mailbox: accept that order too.
        if options.is_empty() && c.peek() == Some(b'(') && starts_with_option(c) {
            options = paren_list(c, false, GetMetadataOption::parse)?;
            c.sp()?;
        }
        let entries = if c.peek() == Some(b'(') {
            paren_list(c, false, IString::parse_astring)?
        } else {
            // Several bare entries (RFC 5464 §4.4.1 example) are accepted as a list.
            let mut entries = vec![IString::parse_astring(c)?];
            while c.eat(b' ') {
                c.check_list_length(entries.len() + 1)?;
                entries.push(IString::parse_astring(c)?);
            }
            entries
        };
        Ok(MetadataCommand::GetMetadata {
            options,
            mailbox,
            entries,
        })
    }

    /// Parses the arguments after `SETMETADATA `.
    pub fn parse_set(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let mailbox = Mailbox::parse(c)?;
        c.sp()?;
        let entries = paren_list(c, false, |c| {
            let name = IString::parse_astring(c)?;
            c.sp()?;
            Ok((name, IString::parse_nstring8(c)?))
        })?;
        Ok(MetadataCommand::SetMetadata { mailbox, entries })
    }
}

/// Whether a `(` opens GETMETADATA options rather than the entry list.
fn starts_with_option(c: &Cursor<'_>) -> bool {
    let rest = c.rest().get(1..).unwrap_or_default();
    let upper: Vec<u8> = rest.iter().take(8).map(u8::to_ascii_uppercase).collect();
    upper.starts_with(b"MAXSIZE ") || upper.starts_with(b"DEPTH ")
}

impl GetMetadataOption {
    /// Parses `MAXSIZE n` or `DEPTH (0 / 1 / infinity)`.
    pub fn parse(c: &mut Cursor<'_>) -> ParseResult<Self> {
        if c.eat_ci(b"MAXSIZE ") {
            return number(c).map(GetMetadataOption::MaxSize);
        }
        if c.eat_ci(b"DEPTH ") {
            if eat_keyword(c, b"infinity") {
                return Ok(GetMetadataOption::Depth(None));
            }
            if c.eat(b'0') {
                return Ok(GetMetadataOption::Depth(Some(0)));
            }
            if c.eat(b'1') {
                return Ok(GetMetadataOption::Depth(Some(1)));
            }
        }
        Err(c.error(Expected::MetadataEntry))
    }
}

impl Encode for GetMetadataOption {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            GetMetadataOption::MaxSize(n) => {
                out.put(b"MAXSIZE ");
                put_number(out, u64::from(*n));
            }
            GetMetadataOption::Depth(None) => out.put(b"DEPTH infinity"),
            GetMetadataOption::Depth(Some(n)) => {
                out.put(b"DEPTH ");
                put_number(out, u64::from(*n));
            }
        }
    }
}

impl Encode for MetadataCommand<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            MetadataCommand::GetMetadata {
                options,
                mailbox,
                entries,
            } => {
                out.put(b"GETMETADATA ");
                if !options.is_empty() {
                    encode_list(out, options);
                    out.put(b" ");
                }
                super::encode::MailboxStr(mailbox).encode(out);
                out.put(b" ");
                match entries.as_slice() {
                    [one] => super::encode::AStr(one).encode(out),
                    many => super::fetch::encode_astring_list(out, many),
                }
            }
            MetadataCommand::SetMetadata { mailbox, entries } => {
                out.put(b"SETMETADATA ");
                super::encode::MailboxStr(mailbox).encode(out);
                out.put(b" (");
                for (i, (name, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.put(b" ");
                    }
                    super::encode::AStr(name).encode(out);
                    out.put(b" ");
                    super::encode::put_nstring(out, value.as_ref());
                }
                out.put(b")");
            }
        }
    }
}
