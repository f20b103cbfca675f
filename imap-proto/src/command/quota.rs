//! GETQUOTA, GETQUOTAROOT and SETQUOTA (RFC 9208).

use crate::core::cursor::{Cursor, ParseResult, paren_list};
use crate::core::encode::put_number;
use crate::core::number::number64;
use crate::core::{Atom, Encode, IString, IntoOwned, Mailbox, Sink};

/// A QUOTA command.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum QuotaCommand<'a> {
    /// `GETQUOTA root`.
    GetQuota(IString<'a>),
    /// `GETQUOTAROOT mailbox`.
    GetQuotaRoot(Mailbox<'a>),
    /// `SETQUOTA root (resource limit ...)`.
    SetQuota {
        /// The quota root.
        root: IString<'a>,
        /// Resource names (`STORAGE`, `MESSAGE`, ...) and their limits.
        limits: Vec<(Atom<'a>, u64)>,
    },
}

impl IntoOwned for QuotaCommand<'_> {
    type Owned = QuotaCommand<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            QuotaCommand::GetQuota(root) => QuotaCommand::GetQuota(root.into_owned()),
            QuotaCommand::GetQuotaRoot(m) => QuotaCommand::GetQuotaRoot(m.into_owned()),
            QuotaCommand::SetQuota { root, limits } => QuotaCommand::SetQuota {
                root: root.into_owned(),
                limits: limits.into_owned(),
            },
        }
    }
}

impl<'a> QuotaCommand<'a> {
    /// Parses the arguments after `SETQUOTA `.
    pub fn parse_setquota(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let root = IString::parse_astring(c)?;
        c.sp()?;
        let limits = paren_list(c, true, |c| {
            let name = Atom::parse(c)?;
            c.sp()?;
            Ok((name, number64(c)?))
        })?;
        Ok(QuotaCommand::SetQuota { root, limits })
    }
}

impl Encode for QuotaCommand<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            QuotaCommand::GetQuota(root) => {
                out.put(b"GETQUOTA ");
                super::encode::AStr(root).encode(out);
            }
            QuotaCommand::GetQuotaRoot(mailbox) => {
                out.put(b"GETQUOTAROOT ");
                super::encode::MailboxStr(mailbox).encode(out);
            }
            QuotaCommand::SetQuota { root, limits } => {
                out.put(b"SETQUOTA ");
                super::encode::AStr(root).encode(out);
                out.put(b" (");
                for (i, (name, limit)) in limits.iter().enumerate() {
                    if i > 0 {
                        out.put(b" ");
                    }
                    name.encode(out);
                    out.put(b" ");
                    put_number(out, *limit);
                }
                out.put(b")");
            }
        }
    }
}
