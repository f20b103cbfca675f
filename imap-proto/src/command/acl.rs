//! GETACL, SETACL, DELETEACL, LISTRIGHTS and MYRIGHTS (RFC 4314).

use crate::core::cursor::{Cursor, ParseResult};
use crate::core::{Encode, IString, IntoOwned, Mailbox, Sink};

/// An ACL command.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum AclCommand<'a> {
    /// `GETACL mailbox`.
    GetAcl(Mailbox<'a>),
    /// `SETACL mailbox identifier rights` (rights may start with `+` or `-`).
    SetAcl {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Whom the rights are for.
        identifier: IString<'a>,
        /// The rights (`lrswipkxtea`, with an optional leading `+` or `-`).
        rights: IString<'a>,
    },
    /// `DELETEACL mailbox identifier`.
    DeleteAcl {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Whose rights are removed.
        identifier: IString<'a>,
    },
    /// `LISTRIGHTS mailbox identifier`.
    ListRights {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Whose possible rights are listed.
        identifier: IString<'a>,
    },
    /// `MYRIGHTS mailbox`.
    MyRights(Mailbox<'a>),
}

impl IntoOwned for AclCommand<'_> {
    type Owned = AclCommand<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            AclCommand::GetAcl(m) => AclCommand::GetAcl(m.into_owned()),
            AclCommand::SetAcl {
                mailbox,
                identifier,
                rights,
            } => AclCommand::SetAcl {
                mailbox: mailbox.into_owned(),
                identifier: identifier.into_owned(),
                rights: rights.into_owned(),
            },
            AclCommand::DeleteAcl {
                mailbox,
                identifier,
            } => AclCommand::DeleteAcl {
                mailbox: mailbox.into_owned(),
                identifier: identifier.into_owned(),
            },
            AclCommand::ListRights {
                mailbox,
                identifier,
            } => AclCommand::ListRights {
                mailbox: mailbox.into_owned(),
                identifier: identifier.into_owned(),
            },
            AclCommand::MyRights(m) => AclCommand::MyRights(m.into_owned()),
        }
    }
}

/// Parses `mailbox SP identifier`.
pub(crate) fn mailbox_and_identifier<'a>(
    c: &mut Cursor<'a>,
) -> ParseResult<(Mailbox<'a>, IString<'a>)> {
    let mailbox = Mailbox::parse(c)?;
    c.sp()?;
    Ok((mailbox, IString::parse_astring(c)?))
}

impl Encode for AclCommand<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        let (word, mailbox, identifier, rights): (&[u8], _, _, _) = match self {
            AclCommand::GetAcl(m) => (b"GETACL ", m, None, None),
            AclCommand::SetAcl {
                mailbox,
                identifier,
                rights,
            } => (b"SETACL ", mailbox, Some(identifier), Some(rights)),
            AclCommand::DeleteAcl {
                mailbox,
                identifier,
            } => (b"DELETEACL ", mailbox, Some(identifier), None),
            AclCommand::ListRights {
                mailbox,
                identifier,
            } => (b"LISTRIGHTS ", mailbox, Some(identifier), None),
            AclCommand::MyRights(m) => (b"MYRIGHTS ", m, None, None),
        };
        out.put(word);
        super::encode::MailboxStr(mailbox).encode(out);
        for arg in [identifier, rights].into_iter().flatten() {
            out.put(b" ");
            super::encode::AStr(arg).encode(out);
        }
    }
}
