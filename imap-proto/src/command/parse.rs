//! Decoding a whole command: tag, name, arguments, final CRLF.

use crate::core::atom::is_atom_char;
use crate::core::cursor::{Cursor, ParseResult};
use crate::core::string::parse_nil;
use crate::core::{Atom, ByteStr, IString, Mailbox, SequenceSet, Tag};
use crate::frame::{FrameStatus, Framer};
use crate::{DecodeError, Decoded, Expected, Limits};

use super::acl::{AclCommand, mailbox_and_identifier};
use super::append::{Append, Replace};
use super::auth::{Authenticate, SaslData};
use super::fetch::FetchCommand;
use super::list::{List, MailboxPattern};
use super::mailbox::{Create, StatusCommand};
use super::metadata::MetadataCommand;
use super::notify::Notify;
use super::quota::QuotaCommand;
use super::search::SearchCommand;
use super::select::Select;
use super::sort::{Sort, ThreadCommand};
use super::store::Store;
use super::{Command, CommandBody, Unknown};

/// Decodes the command at the start of `input`, which may hold only part of it (or more than
/// one command). All literals are taken to be present in `input`: a server that must grant
/// synchronising literals uses the server-role `CommandDecoder`.
pub fn decode_command(input: &[u8], limits: Limits) -> Result<Decoded<Command<'_>>, DecodeError> {
    match Framer::new(limits).frame(input)? {
        FrameStatus::Complete { len } => {
            let frame = input.get(..len).unwrap_or_default();
            let value = parse_command(frame, limits)?;
            Ok(Decoded::Complete {
                value,
                consumed: len,
            })
        }
        FrameStatus::Incomplete { needed } => Ok(Decoded::Incomplete { needed }),
        // `frame` never returns a literal announcement.
        FrameStatus::Literal(_) => Ok(Decoded::Incomplete { needed: None }),
    }
}

/// Parses one complete command (`frame` ends with the command's final CRLF and holds all its
/// literals).
pub fn parse_command(frame: &[u8], limits: Limits) -> Result<Command<'_>, DecodeError> {
    let mut c = Cursor::new(frame, limits);
    let tag = Tag::parse(&mut c)?;
    c.sp()?;
    let body = parse_body(&mut c)?;
    c.crlf()?;
    c.finish()?;
    Ok(Command { tag, body })
}

/// Takes a command name (letters, digits, `-`, `_`, `.`).
fn command_name<'a>(c: &mut Cursor<'a>) -> ParseResult<&'a [u8]> {
    c.take_while1(
        |b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'),
        Expected::CommandName,
    )
}

fn parse_body<'a>(c: &mut Cursor<'a>) -> ParseResult<CommandBody<'a>> {
    let start = c.pos();
    let name = command_name(c)?;
    let upper = name.to_ascii_uppercase();
    if upper == b"UID" && c.peek() == Some(b' ') {
        c.advance(1);
        let sub = command_name(c)?;
        let body = match sub.to_ascii_uppercase().as_slice() {
            b"FETCH" => Some(with_sp(c, |c| FetchCommand::parse_arguments(c, true))?.into()),
            b"STORE" => Some(with_sp(c, |c| Store::parse_arguments(c, true))?.into()),
            b"COPY" => Some(copy_move(c, true, false)?),
            b"MOVE" => Some(copy_move(c, true, true)?),
            b"SEARCH" => Some(CommandBody::Search(SearchCommand::parse_arguments(
                c, true,
            )?)),
            b"SORT" => Some(CommandBody::Sort(Sort::parse_arguments(c, true)?)),
            b"THREAD" => Some(CommandBody::Thread(with_sp(c, |c| {
                ThreadCommand::parse_arguments(c, true)
            })?)),
            b"EXPUNGE" => Some(CommandBody::UidExpunge(with_sp(c, |c| {
                SequenceSet::parse(c, true)
            })?)),
            b"REPLACE" => Some(CommandBody::Replace(with_sp(c, |c| {
                Replace::parse_arguments(c, true)
            })?)),
            _ => None,
        };
        return match body {
            Some(body) => Ok(body),
            None => unknown(c, start),
        };
    }
    let body = match upper.as_slice() {
        b"CAPABILITY" => CommandBody::Capability,
        b"NOOP" => CommandBody::Noop,
        b"LOGOUT" => CommandBody::Logout,
        b"STARTTLS" => CommandBody::StartTls,
        b"UNAUTHENTICATE" => CommandBody::Unauthenticate,
        b"IDLE" => CommandBody::Idle,
        b"NAMESPACE" => CommandBody::Namespace,
        b"CHECK" => CommandBody::Check,
        b"CLOSE" => CommandBody::Close,
        b"UNSELECT" => CommandBody::Unselect,
        b"EXPUNGE" => CommandBody::Expunge,
        b"AUTHENTICATE" => CommandBody::Authenticate(with_sp(c, authenticate)?),
        b"LOGIN" => with_sp(c, |c| {
            let username = IString::parse_astring(c)?;
            c.sp()?;
            let password = IString::parse_astring(c)?;
            Ok(CommandBody::Login { username, password })
        })?,
        b"ENABLE" => {
            let mut caps = Vec::new();
            while c.eat(b' ') {
                c.check_list_length(caps.len() + 1)?;
                caps.push(Atom::parse(c)?);
            }
            if caps.is_empty() {
                return Err(c.error(Expected::Space));
            }
            CommandBody::Enable(caps)
        }
        b"ID" => CommandBody::Id(with_sp(c, id_params)?),
        b"COMPRESS" => CommandBody::Compress(with_sp(c, Atom::parse)?),
        b"SELECT" => CommandBody::Select(with_sp(c, Select::parse_arguments)?),
        b"EXAMINE" => CommandBody::Examine(with_sp(c, Select::parse_arguments)?),
        b"CREATE" => CommandBody::Create(with_sp(c, Create::parse_arguments)?),
        b"DELETE" => CommandBody::Delete(with_sp(c, Mailbox::parse)?),
        b"RENAME" => with_sp(c, |c| {
            let from = Mailbox::parse(c)?;
            c.sp()?;
            let to = Mailbox::parse(c)?;
            Ok(CommandBody::Rename { from, to })
        })?,
        b"SUBSCRIBE" => CommandBody::Subscribe(with_sp(c, Mailbox::parse)?),
        b"UNSUBSCRIBE" => CommandBody::Unsubscribe(with_sp(c, Mailbox::parse)?),
        b"LIST" => CommandBody::List(with_sp(c, List::parse_arguments)?),
        b"LSUB" => with_sp(c, |c| {
            let reference = Mailbox::parse(c)?;
            c.sp()?;
            let pattern = MailboxPattern::parse(c)?;
            Ok(CommandBody::Lsub { reference, pattern })
        })?,
        b"STATUS" => CommandBody::Status(with_sp(c, StatusCommand::parse_arguments)?),
        b"APPEND" => CommandBody::Append(with_sp(c, Append::parse_arguments)?),
        b"FETCH" => with_sp(c, |c| FetchCommand::parse_arguments(c, false))?.into(),
        b"STORE" => with_sp(c, |c| Store::parse_arguments(c, false))?.into(),
        b"COPY" => copy_move(c, false, false)?,
        b"MOVE" => copy_move(c, false, true)?,
        b"SEARCH" => CommandBody::Search(SearchCommand::parse_arguments(c, false)?),
        b"SORT" => CommandBody::Sort(Sort::parse_arguments(c, false)?),
        b"THREAD" => CommandBody::Thread(with_sp(c, |c| ThreadCommand::parse_arguments(c, false))?),
        b"REPLACE" => CommandBody::Replace(with_sp(c, |c| Replace::parse_arguments(c, false))?),
        b"GETQUOTA" => {
            CommandBody::Quota(QuotaCommand::GetQuota(with_sp(c, IString::parse_astring)?))
        }
        b"GETQUOTAROOT" => {
            CommandBody::Quota(QuotaCommand::GetQuotaRoot(with_sp(c, Mailbox::parse)?))
        }
        b"SETQUOTA" => CommandBody::Quota(with_sp(c, QuotaCommand::parse_setquota)?),
        b"GETMETADATA" => CommandBody::Metadata(with_sp(c, MetadataCommand::parse_get)?),
        b"SETMETADATA" => CommandBody::Metadata(with_sp(c, MetadataCommand::parse_set)?),
        b"GETACL" => CommandBody::Acl(AclCommand::GetAcl(with_sp(c, Mailbox::parse)?)),
        b"MYRIGHTS" => CommandBody::Acl(AclCommand::MyRights(with_sp(c, Mailbox::parse)?)),
        b"SETACL" => with_sp(c, |c| {
            let (mailbox, identifier) = mailbox_and_identifier(c)?;
            c.sp()?;
            let rights = IString::parse_astring(c)?;
            Ok(CommandBody::Acl(AclCommand::SetAcl {
                mailbox,
                identifier,
                rights,
            }))
        })?,
        b"DELETEACL" => with_sp(c, |c| {
            let (mailbox, identifier) = mailbox_and_identifier(c)?;
            Ok(CommandBody::Acl(AclCommand::DeleteAcl {
                mailbox,
                identifier,
            }))
        })?,
        b"LISTRIGHTS" => with_sp(c, |c| {
            let (mailbox, identifier) = mailbox_and_identifier(c)?;
            Ok(CommandBody::Acl(AclCommand::ListRights {
                mailbox,
                identifier,
            }))
        })?,
        b"NOTIFY" => CommandBody::Notify(with_sp(c, Notify::parse_arguments)?),
        _ => return unknown(c, start),
    };
    Ok(body)
}

impl<'a> From<FetchCommand<'a>> for CommandBody<'a> {
    fn from(fetch: FetchCommand<'a>) -> Self {
        CommandBody::Fetch(fetch)
    }
}

impl<'a> From<Store<'a>> for CommandBody<'a> {
    fn from(store: Store<'a>) -> Self {
        CommandBody::Store(store)
    }
}

/// Consumes a space, then runs `parse`.
fn with_sp<'a, T>(
    c: &mut Cursor<'a>,
    parse: impl FnOnce(&mut Cursor<'a>) -> ParseResult<T>,
) -> ParseResult<T> {
    c.sp()?;
    parse(c)
}

fn copy_move<'a>(c: &mut Cursor<'a>, uid: bool, is_move: bool) -> ParseResult<CommandBody<'a>> {
    c.sp()?;
    let set = SequenceSet::parse(c, true)?;
    c.sp()?;
    let mailbox = Mailbox::parse(c)?;
    Ok(if is_move {
        CommandBody::Move { uid, set, mailbox }
    } else {
        CommandBody::Copy { uid, set, mailbox }
    })
}

fn authenticate<'a>(c: &mut Cursor<'a>) -> ParseResult<Authenticate<'a>> {
    let mechanism = Atom::parse(c)?;
    let mut initial_response = None;
    if c.eat(b' ') {
        initial_response = Some(if c.eat(b'=') {
            SaslData::Empty
        } else {
            SaslData::Base64(ByteStr::borrowed(
                c.take_while1(is_base64_char, Expected::Base64)?,
            ))
        });
    }
    Ok(Authenticate {
        mechanism,
        initial_response,
    })
}

/// A character of base64 text (RFC 4648 alphabet and padding).
pub const fn is_base64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

type IdParams<'a> = Option<Vec<(IString<'a>, Option<IString<'a>>)>>;

fn id_params<'a>(c: &mut Cursor<'a>) -> ParseResult<IdParams<'a>> {
    if parse_nil(c) {
        return Ok(None);
    }
    crate::core::cursor::paren_list(c, true, |c| {
        let field = IString::parse_string(c)?;
        c.sp()?;
        Ok((field, IString::parse_nstring(c)?))
    })
    .map(Some)
}

/// Keeps an unknown command raw: the name (with `UID ` when it came after UID) and the
/// arguments up to the final CRLF.
fn unknown<'a>(c: &mut Cursor<'a>, start: usize) -> ParseResult<CommandBody<'a>> {
    c.reset_to(start);
    let uid_prefixed = c.starts_with_ci(b"UID ");
    if uid_prefixed {
        c.advance(4);
    }
    c.take_while1(is_atom_char, Expected::CommandName)?;
    let name = c.since(start);
    let rest = c.rest();
    let body_len = rest.len().saturating_sub(2);
    let mut arguments: &[u8] = b"";
    if body_len > 0 {
        c.sp()?;
        arguments = c.take(body_len - 1, Expected::Crlf)?;
    }
    Ok(CommandBody::Unknown(Unknown {
        name: ByteStr::borrowed(name),
        arguments: ByteStr::borrowed(arguments),
    }))
}
