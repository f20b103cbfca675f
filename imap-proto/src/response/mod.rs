//! Responses: what an IMAP server sends (RFC 9051 §7 and extensions), decoded zero-copy and
//! encoded back.
//!
//! One file per family: [`greeting`], [`status`] (OK/NO/BAD/PREAUTH/BYE) with every response
//! [`code`], [`continuation`] requests, [`capability`] (also ENABLED), [`list`] (LIST/LSUB),
//! [`mailbox_status`] (STATUS), [`search`] (SEARCH, SORT, ESEARCH), [`thread`], [`namespace`],
//! [`id`], [`quota`], [`metadata`], [`acl`], and [`fetch`] with [`envelope`] and
//! [`bodystructure`].
//!
//! ## Allocation strategy
//!
//! Values borrow every string, atom and literal from the input, so text is never copied.
//! Sequence sets and SEARCH/SORT number lists (which can be megabytes long) are validated
//! once and kept as their wire bytes, yielding numbers lazily. A FETCH response's attributes,
//! and every list inside them (flags, ENVELOPE address lists, BODYSTRUCTURE parts and
//! parameters, header-field names), are [`LazyList`]s: checked
//! completely when decoded, kept as their bytes, and typed item by item when iterated (an
//! ENVELOPE or BODYSTRUCTURE is boxed then, when it is read). So is every list of the other
//! responses: capabilities (CAPABILITY, ENABLED and the `[CAPABILITY]` code), FLAGS and
//! PERMANENTFLAGS, LIST attributes and extended items, STATUS items, ESEARCH return data,
//! THREAD, NAMESPACE, ID, QUOTA, QUOTAROOT, ACL, LISTRIGHTS and METADATA. Decoding any
//! response allocates nothing; reading a list types its items (`Cow`s that still borrow the
//! input) and allocates only what an item holds by value (a THREAD's `Vec`s, a boxed
//! ENVELOPE). Gmail labels and BINARY part numbers inside a FETCH attribute are `Vec`s, built
//! only when that attribute is read. `benches/README.md` counts the allocations.

pub mod acl;
pub mod bodystructure;
pub mod capability;
pub mod code;
pub mod continuation;
pub mod envelope;
pub mod fetch;
pub mod greeting;
pub mod id;
pub mod list;
pub mod mailbox_status;
pub mod metadata;
pub mod namespace;
pub mod quota;
pub mod search;
pub mod status;
pub mod thread;

use std::num::NonZeroU32;

pub use acl::{Acl, ListRights, MyRights};
pub use bodystructure::BodyStructure;
pub use capability::Capability;
pub use code::Code;
pub use continuation::Continuation;
pub use envelope::{Address, Envelope};
pub use fetch::{Fetch, FetchAttribute};
pub use greeting::Greeting;
pub use id::IdParameters;
pub use list::{ListMailbox, MailboxAttribute};
pub use mailbox_status::{MailboxStatus, StatusItem};
pub use metadata::Metadata;
pub use namespace::Namespace;
pub use quota::{Quota, QuotaRoot};
pub use search::{ESearch, NumberList, Search};
pub use status::{ResponseText, Status, StatusResponse};
pub use thread::Thread;

use crate::core::atom::{class, class_run, is_atom_char, lower_key};
use crate::core::cursor::{Cursor, ParseResult};
use crate::core::encode::put_number;
use crate::core::number::number;
use crate::core::{Atom, ByteStr, Encode, Flag, IntoOwned, LazyList, SequenceSet, Sink, Tag};
use crate::frame::{FrameStatus, Framer};
use crate::{DecodeError, Decoded, Expected, Limits};

/// One server response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Response<'a> {
    /// A tagged or untagged status response (OK, NO, BAD, PREAUTH, BYE); the greeting is an
    /// untagged one.
    Status(StatusResponse<'a>),
    /// Untagged data (`* ...`).
    Data(Data<'a>),
    /// A continuation request (`+ ...`).
    Continuation(Continuation<'a>),
}

/// Untagged data responses.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Data<'a> {
    /// `CAPABILITY ...`.
    Capability(LazyList<'a, Capability<'a>>),
    /// `ENABLED ...` (RFC 5161).
    Enabled(LazyList<'a, Capability<'a>>),
    /// `LIST ...`.
    List(ListMailbox<'a>),
    /// `LSUB ...` (IMAP4rev1).
    Lsub(ListMailbox<'a>),
    /// `STATUS mailbox (...)`.
    MailboxStatus(MailboxStatus<'a>),
    /// `FLAGS (...)`.
    Flags(LazyList<'a, Flag<'a>>),
    /// `n EXISTS`.
    Exists(u32),
    /// `n RECENT` (IMAP4rev1).
    Recent(u32),
    /// `n EXPUNGE`.
    Expunge(NonZeroU32),
    /// `SEARCH ...` (with CONDSTORE's `(MODSEQ n)`).
    Search(Search<'a>),
    /// `SORT ...` (RFC 5256).
    Sort(Search<'a>),
    /// `ESEARCH ...` (RFC 4731, 5267, 9394).
    ESearch(ESearch<'a>),
    /// `THREAD ...` (RFC 5256).
    Thread(LazyList<'a, Thread>),
    /// `NAMESPACE ...` (RFC 2342).
    Namespace(Namespace<'a>),
    /// `ID ...` (RFC 2971).
    Id(IdParameters<'a>),
    /// `QUOTA ...` (RFC 9208).
    Quota(Quota<'a>),
    /// `QUOTAROOT ...` (RFC 9208).
    QuotaRoot(QuotaRoot<'a>),
    /// `METADATA ...` (RFC 5464).
    Metadata(Metadata<'a>),
    /// `ACL ...` (RFC 4314).
    Acl(Acl<'a>),
    /// `LISTRIGHTS ...` (RFC 4314).
    ListRights(ListRights<'a>),
    /// `MYRIGHTS ...` (RFC 4314).
    MyRights(MyRights<'a>),
    /// `VANISHED [(EARLIER)] uids` (RFC 7162).
    Vanished {
        /// Whether `(EARLIER)` was given.
        earlier: bool,
        /// The expunged UIDs.
        uids: SequenceSet<'a>,
    },
    /// `n FETCH (...)`.
    Fetch(Fetch<'a>),
    /// Any other untagged response, kept raw.
    Other {
        /// The leading number (`* 3 XYZ`), if any.
        number: Option<u32>,
        /// The response name.
        name: Atom<'a>,
        /// Everything after the name and a space, up to the final CRLF (literals included).
        rest: Option<ByteStr<'a>>,
    },
}

/// Decodes the message at the start of `input` with `parse`, after framing it: incomplete
/// input is [`Decoded::Incomplete`], never an error.
pub(crate) fn decode_framed<'a, T>(
    input: &'a [u8],
    limits: &Limits,
    parse: impl FnOnce(&mut Cursor<'a>) -> ParseResult<T>,
) -> Result<Decoded<T>, DecodeError> {
    match Framer::new(*limits).frame(input)? {
        FrameStatus::Complete { len } => {
            let frame = input.get(..len).unwrap_or_default();
            parse_frame(frame, limits, parse).map(|value| Decoded::Complete {
                value,
                consumed: len,
            })
        }
        FrameStatus::Incomplete { needed } => Ok(Decoded::Incomplete { needed }),
        FrameStatus::Literal(_) => Ok(Decoded::Incomplete { needed: None }),
    }
}

/// Parses one complete framed message with `parse`, requiring it to use every byte.
pub(crate) fn parse_frame<'a, T>(
    frame: &'a [u8],
    limits: &Limits,
    parse: impl FnOnce(&mut Cursor<'a>) -> ParseResult<T>,
) -> Result<T, DecodeError> {
    let mut c = Cursor::new(frame, *limits);
    let value = parse(&mut c)?;
    c.finish()?;
    Ok(value)
}

impl<'a> Response<'a> {
    /// Decodes the response at the start of `input`.
    pub fn decode(input: &'a [u8], limits: &Limits) -> Result<Decoded<Self>, DecodeError> {
        decode_framed(input, limits, Self::parse)
    }

    /// Decodes one complete framed response (as found by the [`Framer`]).
    pub fn from_frame(frame: &'a [u8], limits: &Limits) -> Result<Self, DecodeError> {
        parse_frame(frame, limits, Self::parse)
    }

    /// Parses one response including its CRLF.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let response = match c.peek() {
            Some(b'+') => Response::Continuation(Continuation::parse(c)?),
            Some(b'*') => {
                c.advance(1);
                c.sp()?;
                parse_untagged(c)?
            }
            _ => {
                let tag = Tag::parse(c)?;
                c.sp()?;
                let status = status::parse_status(c)?;
                let text = ResponseText::parse(c)?;
                Response::Status(StatusResponse {
                    tag: Some(tag),
                    status,
                    text,
                })
            }
        };
        c.crlf()?;
        Ok(response)
    }

    /// The tag of a tagged status response.
    pub fn tag(&self) -> Option<&Tag<'a>> {
        match self {
            Response::Status(status) => status.tag.as_ref(),
            _ => None,
        }
    }
}

/// The response keyword: its bytes (atom characters but `[`, so ASCII), not yet text, since
/// only an unknown keyword is kept as an [`Atom`].
fn keyword<'a>(c: &mut Cursor<'a>) -> ParseResult<&'a [u8]> {
    let rest = c.rest();
    let len = class_run(rest, class::NAME);
    let word = rest.get(..len).unwrap_or_default();
    if word.is_empty() {
        return Err(c.error(Expected::Response));
    }
    c.skip(len);
    Ok(word)
}

fn parse_untagged<'a>(c: &mut Cursor<'a>) -> ParseResult<Response<'a>> {
    let mut lower = [0u8; 16];
    if c.peek().is_some_and(|b| b.is_ascii_digit()) {
        let start = c.pos();
        let n = number(c)?;
        c.sp()?;
        let word = keyword(c)?;
        let key = lower_key(word, &mut lower);
        let data = match key {
            b"fetch" | b"expunge" => {
                let seq = NonZeroU32::new(n).ok_or_else(|| {
                    let mut at = c.clone();
                    at.reset_to(start);
                    at.error(Expected::NonZeroNumber)
                })?;
                if key == b"fetch" {
                    c.sp()?;
                    Data::Fetch(Fetch::parse_attributes(c, seq)?)
                } else {
                    Data::Expunge(seq)
                }
            }
            b"exists" => Data::Exists(n),
            b"recent" => Data::Recent(n),
            _ => other(c, Some(n), word)?,
        };
        return Ok(Response::Data(data));
    }
    let word = keyword(c)?;
    if let Some(status) = Status::from_keyword(word) {
        let text = ResponseText::parse(c)?;
        return Ok(Response::Status(StatusResponse {
            tag: None,
            status,
            text,
        }));
    }
    let data = match lower_key(word, &mut lower) {
        b"capability" => {
            c.sp()?;
            Data::Capability(Capability::parse_list(c)?)
        }
        b"enabled" => {
            if c.eat(b' ') && c.peek().is_some_and(is_atom_char) {
                Data::Enabled(Capability::parse_list(c)?)
            } else {
                Data::Enabled(LazyList::new())
            }
        }
        b"list" => {
            c.sp()?;
            Data::List(ListMailbox::parse(c)?)
        }
        b"lsub" => {
            c.sp()?;
            Data::Lsub(ListMailbox::parse(c)?)
        }
        b"status" => {
            c.sp()?;
            Data::MailboxStatus(MailboxStatus::parse(c)?)
        }
        b"flags" => {
            c.sp()?;
            Data::Flags(Flag::parse_lazy_list(c)?)
        }
        b"search" => Data::Search(Search::parse(c)?),
        b"sort" => Data::Sort(Search::parse(c)?),
        b"esearch" => Data::ESearch(ESearch::parse(c)?),
        b"thread" => Data::Thread(Thread::parse_list(c)?),
        b"namespace" => {
            c.sp()?;
            Data::Namespace(Namespace::parse(c)?)
        }
        b"id" => {
            c.sp()?;
            Data::Id(IdParameters::parse(c)?)
        }
        b"quota" => {
            c.sp()?;
            Data::Quota(Quota::parse(c)?)
        }
        b"quotaroot" => {
            c.sp()?;
            Data::QuotaRoot(QuotaRoot::parse(c)?)
        }
        b"metadata" => {
            c.sp()?;
            Data::Metadata(Metadata::parse(c)?)
        }
        b"acl" => {
            c.sp()?;
            Data::Acl(Acl::parse(c)?)
        }
        b"listrights" => {
            c.sp()?;
            Data::ListRights(ListRights::parse(c)?)
        }
        b"myrights" => {
            c.sp()?;
            Data::MyRights(MyRights::parse(c)?)
        }
        b"vanished" => {
            c.sp()?;
            let earlier = c.eat_ci(b"(EARLIER) ");
            Data::Vanished {
                earlier,
                uids: SequenceSet::parse(c, false)?,
            }
        }
        _ => other(c, None, word)?,
    };
    Ok(Response::Data(data))
}

fn other<'a>(c: &mut Cursor<'a>, number: Option<u32>, name: &'a [u8]) -> ParseResult<Data<'a>> {
    let at = c.pos() - name.len();
    let name = core::str::from_utf8(name).map_err(|_| {
        let mut start = c.clone();
        start.reset_to(at);
        start.error(Expected::Response)
    })?;
    let rest = if c.eat(b' ') {
        let rest = c.rest();
        let body = rest.strip_suffix(b"\r\n").unwrap_or(rest);
        c.advance(body.len());
        Some(ByteStr::borrowed(body))
    } else {
        None
    };
    Ok(Data::Other {
        number,
        name: Atom::unchecked(name),
        rest,
    })
}

impl Encode for Response<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            Response::Status(status) => status.encode(out),
            Response::Data(data) => data.encode(out),
            Response::Continuation(cont) => cont.encode(out),
        }
    }
}

pub(crate) fn encode_spaced<S: Sink + ?Sized, T>(
    out: &mut S,
    items: &[T],
    mut each: impl FnMut(&T, &mut S),
) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.put(b" ");
        }
        each(item, out);
    }
}

impl Encode for Data<'_> {
    /// Writes `* ...\r\n`.
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(b"* ");
        match self {
            Data::Capability(caps) => {
                out.put(b"CAPABILITY ");
                Capability::encode_list(caps, out);
            }
            Data::Enabled(caps) => {
                out.put(b"ENABLED");
                if !caps.is_empty() {
                    out.put(b" ");
                    Capability::encode_list(caps, out);
                }
            }
            Data::List(list) => {
                out.put(b"LIST ");
                list.encode(out);
            }
            Data::Lsub(list) => {
                out.put(b"LSUB ");
                list.encode(out);
            }
            Data::MailboxStatus(status) => {
                out.put(b"STATUS ");
                status.encode(out);
            }
            Data::Flags(flags) => {
                out.put(b"FLAGS (");
                flags.encode_items(out, b" ", Encode::encode);
                out.put(b")");
            }
            Data::Exists(n) => {
                put_number(out, u64::from(*n));
                out.put(b" EXISTS");
            }
            Data::Recent(n) => {
                put_number(out, u64::from(*n));
                out.put(b" RECENT");
            }
            Data::Expunge(n) => {
                put_number(out, u64::from(n.get()));
                out.put(b" EXPUNGE");
            }
            Data::Search(search) => {
                out.put(b"SEARCH");
                search.encode(out);
            }
            Data::Sort(search) => {
                out.put(b"SORT");
                search.encode(out);
            }
            Data::ESearch(esearch) => {
                out.put(b"ESEARCH");
                esearch.encode(out);
            }
            Data::Thread(threads) => {
                out.put(b"THREAD");
                if !threads.is_empty() {
                    out.put(b" ");
                }
                // Thread lists follow each other without spaces.
                threads.encode_items(out, b"", Encode::encode);
            }
            Data::Namespace(ns) => {
                out.put(b"NAMESPACE ");
                ns.encode(out);
            }
            Data::Id(id) => {
                out.put(b"ID ");
                id.encode(out);
            }
            Data::Quota(q) => {
                out.put(b"QUOTA ");
                q.encode(out);
            }
            Data::QuotaRoot(q) => {
                out.put(b"QUOTAROOT ");
                q.encode(out);
            }
            Data::Metadata(m) => {
                out.put(b"METADATA ");
                m.encode(out);
            }
            Data::Acl(a) => {
                out.put(b"ACL ");
                a.encode(out);
            }
            Data::ListRights(a) => {
                out.put(b"LISTRIGHTS ");
                a.encode(out);
            }
            Data::MyRights(a) => {
                out.put(b"MYRIGHTS ");
                a.encode(out);
            }
            Data::Vanished { earlier, uids } => {
                out.put(if *earlier {
                    b"VANISHED (EARLIER) "
                } else {
                    b"VANISHED "
                });
                uids.encode(out);
            }
            Data::Fetch(fetch) => fetch.encode(out),
            Data::Other { number, name, rest } => {
                if let Some(n) = number {
                    put_number(out, u64::from(*n));
                    out.put(b" ");
                }
                name.encode(out);
                if let Some(rest) = rest {
                    out.put(b" ");
                    out.put(rest.as_bytes());
                }
            }
        }
        out.put(b"\r\n");
    }
}

impl IntoOwned for Response<'_> {
    type Owned = Response<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            Response::Status(s) => Response::Status(s.into_owned()),
            Response::Data(d) => Response::Data(d.into_owned()),
            Response::Continuation(c) => Response::Continuation(c.into_owned()),
        }
    }
}

impl IntoOwned for Data<'_> {
    type Owned = Data<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            Data::Capability(v) => Data::Capability(v.into_owned()),
            Data::Enabled(v) => Data::Enabled(v.into_owned()),
            Data::List(v) => Data::List(v.into_owned()),
            Data::Lsub(v) => Data::Lsub(v.into_owned()),
            Data::MailboxStatus(v) => Data::MailboxStatus(v.into_owned()),
            Data::Flags(v) => Data::Flags(v.into_owned()),
            Data::Exists(n) => Data::Exists(n),
            Data::Recent(n) => Data::Recent(n),
            Data::Expunge(n) => Data::Expunge(n),
            Data::Search(v) => Data::Search(v.into_owned()),
            Data::Sort(v) => Data::Sort(v.into_owned()),
            Data::ESearch(v) => Data::ESearch(v.into_owned()),
            Data::Thread(v) => Data::Thread(v.into_owned()),
            Data::Namespace(v) => Data::Namespace(v.into_owned()),
            Data::Id(v) => Data::Id(v.into_owned()),
            Data::Quota(v) => Data::Quota(v.into_owned()),
            Data::QuotaRoot(v) => Data::QuotaRoot(v.into_owned()),
            Data::Metadata(v) => Data::Metadata(v.into_owned()),
            Data::Acl(v) => Data::Acl(v.into_owned()),
            Data::ListRights(v) => Data::ListRights(v.into_owned()),
            Data::MyRights(v) => Data::MyRights(v.into_owned()),
            Data::Vanished { earlier, uids } => Data::Vanished {
                earlier,
                uids: uids.into_owned(),
            },
            Data::Fetch(v) => Data::Fetch(v.into_owned()),
            Data::Other { number, name, rest } => Data::Other {
                number,
                name: name.into_owned(),
                rest: rest.into_owned(),
            },
        }
    }
}
