//! Response codes: the bracketed `[...]` at the start of a status response's text
//! (RFC 9051 §7.1, UIDPLUS, CONDSTORE/QRESYNC, RFC 5530, APPENDLIMIT, OBJECTID, METADATA,
//! NOTIFY, CONTEXT, BINARY, COMPRESS, referrals). Unknown codes are kept raw.

use std::num::NonZeroU32;

use super::capability::Capability;
use crate::Expected;
use crate::core::atom::{class, take_class};
use crate::core::cursor::{Cursor, ParseResult};
use crate::core::encode::put_number;
use crate::core::lazy::{self, LazyList};
use crate::core::number::{number64, nz_number};
use crate::core::{Atom, ByteStr, Charset, Encode, Flag, IString, IntoOwned, SequenceSet, Sink};

/// `[METADATA ...]` response code details (RFC 5464 §4.2, §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MetadataCode {
    /// `LONGENTRIES n`: the longest value omitted by MAXSIZE.
    LongEntries(u64),
    /// `MAXSIZE n`: the largest value the server accepts.
    MaxSize(u64),
    /// `TOOMANY`.
    TooMany,
    /// `NOPRIVATE`.
    NoPrivate,
}

/// A response code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Code<'a> {
    /// `ALERT`: show the text to the user.
    Alert,
    /// `BADCHARSET [(charsets)]`.
    BadCharset(LazyList<'a, Charset<'a>>),
    /// `CAPABILITY caps`.
    Capability(LazyList<'a, Capability<'a>>),
    /// `PARSE`: a message's headers could not be parsed.
    Parse,
    /// `PERMANENTFLAGS (flags)`.
    PermanentFlags(LazyList<'a, Flag<'a>>),
    /// `READ-ONLY`.
    ReadOnly,
    /// `READ-WRITE`.
    ReadWrite,
    /// `TRYCREATE`.
    TryCreate,
    /// `UIDNEXT n`.
    UidNext(NonZeroU32),
    /// `UIDVALIDITY n`.
    UidValidity(NonZeroU32),
    /// `UNSEEN n` (IMAP4rev1).
    Unseen(NonZeroU32),
    /// `UIDNOTSTICKY` (RFC 4315).
    UidNotSticky,
    /// `APPENDUID uidvalidity uids` (RFC 4315; a set with MULTIAPPEND).
    AppendUid {
        /// The destination's UIDVALIDITY.
        uid_validity: NonZeroU32,
        /// The UIDs assigned.
        uids: SequenceSet<'a>,
    },
    /// `COPYUID uidvalidity source-uids destination-uids` (RFC 4315).
    CopyUid {
        /// The destination's UIDVALIDITY.
        uid_validity: NonZeroU32,
        /// The UIDs copied.
        source: SequenceSet<'a>,
        /// The UIDs they got, in the same order.
        destination: SequenceSet<'a>,
    },
    /// `HIGHESTMODSEQ n` (RFC 7162).
    HighestModSeq(u64),
    /// `NOMODSEQ` (RFC 7162).
    NoModSeq,
    /// `MODIFIED set` (RFC 7162).
    Modified(SequenceSet<'a>),
    /// `CLOSED` (RFC 7162).
    Closed,
    /// `UNAVAILABLE` (RFC 5530).
    Unavailable,
    /// `AUTHENTICATIONFAILED` (RFC 5530).
    AuthenticationFailed,
    /// `AUTHORIZATIONFAILED` (RFC 5530).
    AuthorizationFailed,
    /// `EXPIRED` (RFC 5530).
    Expired,
    /// `PRIVACYREQUIRED` (RFC 5530).
    PrivacyRequired,
    /// `CONTACTADMIN` (RFC 5530).
    ContactAdmin,
    /// `NOPERM` (RFC 5530).
    NoPerm,
    /// `INUSE` (RFC 5530).
    InUse,
    /// `EXPUNGEISSUED` (RFC 5530).
    ExpungeIssued,
    /// `CORRUPTION` (RFC 5530).
    Corruption,
    /// `SERVERBUG` (RFC 5530).
    ServerBug,
    /// `CLIENTBUG` (RFC 5530).
    ClientBug,
    /// `CANNOT` (RFC 5530).
    Cannot,
    /// `LIMIT` (RFC 5530).
    Limit,
    /// `OVERQUOTA` (RFC 5530).
    OverQuota,
    /// `ALREADYEXISTS` (RFC 5530).
    AlreadyExists,
    /// `NONEXISTENT` (RFC 5530).
    NonExistent,
    /// `HASCHILDREN` (RFC 9051).
    HasChildren,
    /// `TOOBIG` (RFC 7889 APPENDLIMIT).
    TooBig,
    /// `MAILBOXID (id)` (RFC 8474).
    MailboxId(Atom<'a>),
    /// `METADATA ...` (RFC 5464).
    Metadata(MetadataCode),
    /// `NOTIFICATIONOVERFLOW` (RFC 5465).
    NotificationOverflow,
    /// `BADEVENT (events)` (RFC 5465).
    BadEvent(LazyList<'a, Atom<'a>>),
    /// `ANNOTATE TOOBIG` / `ANNOTATE TOOMANY` (RFC 5257).
    Annotate(Atom<'a>),
    /// `REFERRAL url` (RFC 2221).
    Referral(ByteStr<'a>),
    /// `COMPRESSIONACTIVE` (RFC 4978).
    CompressionActive,
    /// `USEATTR` (RFC 6154).
    UseAttr,
    /// `NOUPDATE "tag"` (RFC 5267).
    NoUpdate(IString<'a>),
    /// `UNKNOWN-CTE` (RFC 3516).
    UnknownCte,
    /// Any other code: its name and the raw text after it (up to `]`).
    Other {
        /// The code's name.
        name: Atom<'a>,
        /// What followed the name and a space, if anything.
        arguments: Option<ByteStr<'a>>,
    },
}

const SIMPLE: [(&str, Code<'static>); 30] = [
    ("ALERT", Code::Alert),
    ("PARSE", Code::Parse),
    ("READ-ONLY", Code::ReadOnly),
    ("READ-WRITE", Code::ReadWrite),
    ("TRYCREATE", Code::TryCreate),
    ("UIDNOTSTICKY", Code::UidNotSticky),
    ("NOMODSEQ", Code::NoModSeq),
    ("CLOSED", Code::Closed),
    ("UNAVAILABLE", Code::Unavailable),
    ("AUTHENTICATIONFAILED", Code::AuthenticationFailed),
    ("AUTHORIZATIONFAILED", Code::AuthorizationFailed),
    ("EXPIRED", Code::Expired),
    ("PRIVACYREQUIRED", Code::PrivacyRequired),
    ("CONTACTADMIN", Code::ContactAdmin),
    ("NOPERM", Code::NoPerm),
    ("INUSE", Code::InUse),
    ("EXPUNGEISSUED", Code::ExpungeIssued),
    ("CORRUPTION", Code::Corruption),
    ("SERVERBUG", Code::ServerBug),
    ("CLIENTBUG", Code::ClientBug),
    ("CANNOT", Code::Cannot),
    ("LIMIT", Code::Limit),
    ("OVERQUOTA", Code::OverQuota),
    ("ALREADYEXISTS", Code::AlreadyExists),
    ("NONEXISTENT", Code::NonExistent),
    ("HASCHILDREN", Code::HasChildren),
    ("TOOBIG", Code::TooBig),
    ("NOTIFICATIONOVERFLOW", Code::NotificationOverflow),
    ("COMPRESSIONACTIVE", Code::CompressionActive),
    ("USEATTR", Code::UseAttr),
];

impl<'a> Code<'a> {
    /// Parses `"[" resp-text-code "]"`.
    pub fn parse_bracketed(c: &mut Cursor<'a>) -> ParseResult<Self> {
        c.expect(b'[', Expected::OpenBracket)?;
        let code = Self::parse(c)?;
        c.expect(b']', Expected::CloseBracket)?;
        Ok(code)
    }

    /// Parses `resp-text-code` (without the brackets).
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let name = take_class(c, class::ATOM, Expected::ResponseCode)?;
        let is = |word: &str| name.eq_ignore_ascii_case(word);
        if let Some((_, code)) = SIMPLE.iter().find(|(word, _)| is(word)) {
            return Ok(code.clone());
        }
        let code = if is("UNKNOWN-CTE") {
            Code::UnknownCte
        } else if is("BADCHARSET") {
            if c.eat(b' ') {
                if c.peek() == Some(b'(') {
                    Code::BadCharset(lazy::paren_list(c, false, |c| Charset::parse(c).map(drop))?)
                } else {
                    // RFC 9051 §6.4.4.4's own example omits the parentheses.
                    Code::BadCharset(lazy::spaced(c, false, lazy::at_space, |c| {
                        Charset::parse(c).map(drop)
                    })?)
                }
            } else {
                Code::BadCharset(LazyList::new())
            }
        } else if is("CAPABILITY") {
            c.sp()?;
            Code::Capability(Capability::parse_list(c)?)
        } else if is("PERMANENTFLAGS") {
            c.sp()?;
            Code::PermanentFlags(Flag::parse_lazy_list(c)?)
        } else if is("UIDNEXT") {
            c.sp()?;
            Code::UidNext(nz_number(c)?)
        } else if is("UIDVALIDITY") {
            c.sp()?;
            Code::UidValidity(nz_number(c)?)
        } else if is("UNSEEN") {
            c.sp()?;
            Code::Unseen(nz_number(c)?)
        } else if is("APPENDUID") {
            c.sp()?;
            let uid_validity = nz_number(c)?;
            c.sp()?;
            Code::AppendUid {
                uid_validity,
                uids: SequenceSet::parse(c, false)?,
            }
        } else if is("COPYUID") {
            c.sp()?;
            let uid_validity = nz_number(c)?;
            c.sp()?;
            let source = SequenceSet::parse(c, false)?;
            c.sp()?;
            Code::CopyUid {
                uid_validity,
                source,
                destination: SequenceSet::parse(c, false)?,
            }
        } else if is("HIGHESTMODSEQ") {
            c.sp()?;
            Code::HighestModSeq(number64(c)?)
        } else if is("MODIFIED") {
            c.sp()?;
            Code::Modified(SequenceSet::parse(c, false)?)
        } else if is("MAILBOXID") {
            c.sp()?;
            c.expect(b'(', Expected::OpenParen)?;
            let id = Atom::parse(c)?;
            c.expect(b')', Expected::CloseParen)?;
            Code::MailboxId(id)
        } else if is("METADATA") {
            c.sp()?;
            let what = take_class(c, class::ATOM, Expected::ResponseCode)?;
            let word = |w: &str| what.eq_ignore_ascii_case(w);
            Code::Metadata(if word("LONGENTRIES") {
                c.sp()?;
                MetadataCode::LongEntries(number64(c)?)
            } else if word("MAXSIZE") {
                c.sp()?;
                MetadataCode::MaxSize(number64(c)?)
            } else if word("TOOMANY") {
                MetadataCode::TooMany
            } else if word("NOPRIVATE") {
                MetadataCode::NoPrivate
            } else {
                return Err(c.error(Expected::ResponseCode));
            })
        } else if is("BADEVENT") {
            c.sp()?;
            Code::BadEvent(lazy::paren_list(c, false, |c| Atom::parse(c).map(drop))?)
        } else if is("ANNOTATE") {
            c.sp()?;
            Code::Annotate(Atom::parse(c)?)
        } else if is("REFERRAL") {
            c.sp()?;
            let url = c.take_while1(|b| b != b']' && b != b'\r' && b != b'\n', Expected::Text)?;
            Code::Referral(ByteStr::borrowed(url))
        } else if is("NOUPDATE") {
            c.sp()?;
            Code::NoUpdate(IString::parse_string(c)?)
        } else {
            let arguments = if c.eat(b' ') {
                let text = c.take_while(|b| b != b']' && b != b'\r' && b != b'\n');
                Some(ByteStr::borrowed(text))
            } else {
                None
            };
            Code::Other {
                name: Atom::unchecked(name),
                arguments,
            }
        };
        Ok(code)
    }
}

impl Encode for Code<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        if let Some((name, _)) = SIMPLE.iter().find(|(_, code)| code == self) {
            return out.put(name.as_bytes());
        }
        match self {
            Code::UnknownCte => out.put(b"UNKNOWN-CTE"),
            Code::BadCharset(charsets) => {
                out.put(b"BADCHARSET");
                if !charsets.is_empty() {
                    out.put(b" (");
                    charsets.encode_items(out, b" ", Encode::encode);
                    out.put(b")");
                }
            }
            Code::Capability(caps) => {
                out.put(b"CAPABILITY ");
                Capability::encode_list(caps, out);
            }
            Code::PermanentFlags(flags) => {
                out.put(b"PERMANENTFLAGS ");
                out.put(b"(");
                flags.encode_items(out, b" ", Encode::encode);
                out.put(b")");
            }
            Code::UidNext(n) => {
                out.put(b"UIDNEXT ");
                put_number(out, u64::from(n.get()));
            }
            Code::UidValidity(n) => {
                out.put(b"UIDVALIDITY ");
                put_number(out, u64::from(n.get()));
            }
            Code::Unseen(n) => {
                out.put(b"UNSEEN ");
                put_number(out, u64::from(n.get()));
            }
            Code::AppendUid { uid_validity, uids } => {
                out.put(b"APPENDUID ");
                put_number(out, u64::from(uid_validity.get()));
                out.put(b" ");
                uids.encode(out);
            }
            Code::CopyUid {
                uid_validity,
                source,
                destination,
            } => {
                out.put(b"COPYUID ");
                put_number(out, u64::from(uid_validity.get()));
                out.put(b" ");
                source.encode(out);
                out.put(b" ");
                destination.encode(out);
            }
            Code::HighestModSeq(n) => {
                out.put(b"HIGHESTMODSEQ ");
                put_number(out, *n);
            }
            Code::Modified(set) => {
                out.put(b"MODIFIED ");
                set.encode(out);
            }
            Code::MailboxId(id) => {
                out.put(b"MAILBOXID (");
                id.encode(out);
                out.put(b")");
            }
            Code::Metadata(m) => {
                out.put(b"METADATA ");
                match m {
                    MetadataCode::LongEntries(n) => {
                        out.put(b"LONGENTRIES ");
                        put_number(out, *n);
                    }
                    MetadataCode::MaxSize(n) => {
                        out.put(b"MAXSIZE ");
                        put_number(out, *n);
                    }
                    MetadataCode::TooMany => out.put(b"TOOMANY"),
                    MetadataCode::NoPrivate => out.put(b"NOPRIVATE"),
                }
            }
            Code::BadEvent(events) => {
                out.put(b"BADEVENT (");
                events.encode_items(out, b" ", Encode::encode);
                out.put(b")");
            }
            Code::Annotate(what) => {
                out.put(b"ANNOTATE ");
                what.encode(out);
            }
            Code::Referral(url) => {
                out.put(b"REFERRAL ");
                out.put(url.as_bytes());
            }
            Code::NoUpdate(tag) => {
                out.put(b"NOUPDATE ");
                tag.encode_string(out);
            }
            Code::Other { name, arguments } => {
                name.encode(out);
                if let Some(arguments) = arguments {
                    out.put(b" ");
                    out.put(arguments.as_bytes());
                }
            }
            _ => {}
        }
    }
}

impl IntoOwned for Code<'_> {
    type Owned = Code<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            Code::BadCharset(v) => Code::BadCharset(v.into_owned()),
            Code::Capability(v) => Code::Capability(v.into_owned()),
            Code::PermanentFlags(v) => Code::PermanentFlags(v.into_owned()),
            Code::UidNext(n) => Code::UidNext(n),
            Code::UidValidity(n) => Code::UidValidity(n),
            Code::Unseen(n) => Code::Unseen(n),
            Code::AppendUid { uid_validity, uids } => Code::AppendUid {
                uid_validity,
                uids: uids.into_owned(),
            },
            Code::CopyUid {
                uid_validity,
                source,
                destination,
            } => Code::CopyUid {
                uid_validity,
                source: source.into_owned(),
                destination: destination.into_owned(),
            },
            Code::HighestModSeq(n) => Code::HighestModSeq(n),
            Code::Modified(s) => Code::Modified(s.into_owned()),
            Code::MailboxId(a) => Code::MailboxId(a.into_owned()),
            Code::Metadata(m) => Code::Metadata(m),
            Code::BadEvent(v) => Code::BadEvent(v.into_owned()),
            Code::Annotate(a) => Code::Annotate(a.into_owned()),
            Code::Referral(u) => Code::Referral(u.into_owned()),
            Code::NoUpdate(t) => Code::NoUpdate(t.into_owned()),
            Code::Other { name, arguments } => Code::Other {
                name: name.into_owned(),
                arguments: arguments.into_owned(),
            },
            Code::UnknownCte => Code::UnknownCte,
            simple => SIMPLE
                .iter()
                .find(|(_, code)| *code == simple)
                .map_or(Code::Alert, |(_, code)| code.clone()),
        }
    }
}
