//! FETCH responses (RFC 9051 §7.5.2 `msg-att`, with BINARY, CONDSTORE `MODSEQ`, OBJECTID,
//! SAVEDATE, PREVIEW and Gmail's `X-GM-*`). Unknown attributes are kept raw and round-trip.

use std::num::NonZeroU32;

use super::bodystructure::BodyStructure;
use super::encode_spaced;
use super::envelope::Envelope;
use crate::Expected;
use crate::command::fetch::Section;
use crate::core::atom::{class, in_class, lower_key, take_class};
use crate::core::cursor::{Cursor, ParseResult, paren_list};
use crate::core::encode::put_number;
use crate::core::number::{number, number64, nz_number};
use crate::core::owned::into_owned_struct;
use crate::core::string::parse_nil;
use crate::core::{
    Atom, ByteStr, DateTime, Encode, Flag, IString, IntoOwned, LazyList, ListItem, RawValue, Sink,
};

/// One FETCH response attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum FetchAttribute<'a> {
    /// `FLAGS (...)` (decoded lazily, see [`LazyList`]).
    Flags(LazyList<'a, Flag<'a>>),
    /// `INTERNALDATE "..."`.
    InternalDate(DateTime),
    /// `RFC822.SIZE n`.
    Rfc822Size(u64),
    /// `RFC822 nstring` (IMAP4rev1).
    Rfc822(Option<IString<'a>>),
    /// `RFC822.HEADER nstring` (IMAP4rev1).
    Rfc822Header(Option<IString<'a>>),
    /// `RFC822.TEXT nstring` (IMAP4rev1).
    Rfc822Text(Option<IString<'a>>),
    /// `ENVELOPE (...)`.
    Envelope(Box<Envelope<'a>>),
    /// `BODY (...)`: the structure without extension data.
    Body(Box<BodyStructure<'a>>),
    /// `BODYSTRUCTURE (...)`.
    BodyStructure(Box<BodyStructure<'a>>),
    /// `BODY[section]<origin> nstring`.
    BodySection {
        /// The section.
        section: Section<'a>,
        /// The origin octet, for a partial fetch.
        origin: Option<u32>,
        /// The data (`None` for NIL).
        data: Option<IString<'a>>,
    },
    /// `BINARY[part]<origin> (nstring / literal8)` (RFC 3516).
    Binary {
        /// The part numbers.
        part: Vec<NonZeroU32>,
        /// The origin octet, for a partial fetch.
        origin: Option<u32>,
        /// The decoded data (`None` for NIL).
        data: Option<IString<'a>>,
    },
    /// `BINARY.SIZE[part] n` (RFC 3516).
    BinarySize {
        /// The part numbers.
        part: Vec<NonZeroU32>,
        /// Decoded size.
        size: u64,
    },
    /// `UID n`.
    Uid(NonZeroU32),
    /// `MODSEQ (n)` (RFC 7162).
    ModSeq(u64),
    /// `EMAILID (id)` (RFC 8474).
    EmailId(Atom<'a>),
    /// `THREADID (id)` or `THREADID NIL` (RFC 8474).
    ThreadId(Option<Atom<'a>>),
    /// `SAVEDATE "..."` or `SAVEDATE NIL` (RFC 8514).
    SaveDate(Option<DateTime>),
    /// `PREVIEW nstring` (RFC 8970).
    Preview(Option<IString<'a>>),
    /// `X-GM-MSGID n` (Gmail).
    GmailMessageId(u64),
    /// `X-GM-THRID n` (Gmail).
    GmailThreadId(u64),
    /// `X-GM-LABELS (...)` (Gmail; system labels such as `\Inbox` keep their backslash).
    GmailLabels(Vec<IString<'a>>),
    /// Any other attribute: its name as sent (with any `[...]<...>`) and raw value. This
    /// includes known names with a section this crate does not model, such as
    /// `BINARY[1.MIME]` (not `section-binary`, but echoed by real servers).
    Other {
        /// The attribute name.
        name: ByteStr<'a>,
        /// The raw value.
        value: RawValue<'a>,
    },
}

/// `n FETCH (attributes)`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Fetch<'a> {
    /// The message sequence number.
    pub seq: NonZeroU32,
    /// The attributes. Decoding checks every one of them and keeps their bytes; each is typed
    /// when iterated (see [`LazyList`]), so decoding a FETCH allocates nothing. Build one with
    /// `vec![...].into()`.
    pub attributes: LazyList<'a, FetchAttribute<'a>>,
}

into_owned_struct!(Fetch { seq, attributes });

fn origin(c: &mut Cursor<'_>) -> ParseResult<Option<u32>> {
    if !c.eat(b'<') {
        return Ok(None);
    }
    let n = number(c)?;
    c.expect(b'>', Expected::Partial)?;
    Ok(Some(n))
}

fn section_part(c: &mut Cursor<'_>) -> ParseResult<Vec<NonZeroU32>> {
    c.expect(b'[', Expected::Section)?;
    let mut part = Vec::new();
    if !c.eat(b']') {
        loop {
            c.check_list_length(part.len() + 1)?;
            part.push(nz_number(c)?);
            if c.eat(b']') {
                break;
            }
            c.expect(b'.', Expected::Section)?;
        }
    }
    Ok(part)
}

fn put_part<S: Sink + ?Sized>(out: &mut S, part: &[NonZeroU32]) {
    out.put(b"[");
    for (i, n) in part.iter().enumerate() {
        if i > 0 {
            out.put(b".");
        }
        put_number(out, u64::from(n.get()));
    }
    out.put(b"]");
}

fn put_origin<S: Sink + ?Sized>(out: &mut S, origin: Option<u32>) {
    if let Some(o) = origin {
        out.put(b"<");
        put_number(out, u64::from(o));
        out.put(b">");
    }
}

fn paren_atom<'a>(c: &mut Cursor<'a>) -> ParseResult<Atom<'a>> {
    c.expect(b'(', Expected::OpenParen)?;
    let atom = Atom::parse(c)?;
    c.expect(b')', Expected::CloseParen)?;
    Ok(atom)
}

fn gmail_label<'a>(c: &mut Cursor<'a>) -> ParseResult<IString<'a>> {
    if c.peek() == Some(b'\\') {
        let start = c.pos();
        c.advance(1);
        take_class(c, class::ATOM, Expected::Atom)?;
        let text = core::str::from_utf8(c.since(start)).map_err(|_| c.error(Expected::Atom))?;
        return Ok(IString::Atom(Atom::unchecked(text)));
    }
    IString::parse_astring(c)
}

/// The attribute names [`FetchAttribute::parse`] knows (without a section).
#[derive(Clone, Copy)]
enum Name {
    Flags,
    InternalDate,
    Rfc822Size,
    Rfc822,
    Rfc822Header,
    Rfc822Text,
    Envelope,
    Body,
    BodyStructure,
    Uid,
    ModSeq,
    EmailId,
    ThreadId,
    SaveDate,
    Preview,
    GmailMessageId,
    GmailThreadId,
    GmailLabels,
    Other,
}

impl<'a> FetchAttribute<'a> {
    /// Parses one `msg-att` item.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        // With BUILD, every attribute reaches `done`: `None` cannot come back.
        Self::parse_with::<_, true>(c, |attribute| attribute)?
            .ok_or_else(|| c.error(Expected::FetchAttribute))
    }

    /// Checks one `msg-att` item as [`parse`](Self::parse) reads it (same errors at the same
    /// offsets) without keeping it: ENVELOPE, BODY and BODYSTRUCTURE are parsed but not
    /// boxed, so checking allocates nothing.
    fn check(c: &mut Cursor<'a>) -> ParseResult<()> {
        Self::parse_with::<_, false>(c, drop).map(drop)
    }

    /// Parses one `msg-att` item and hands it to `done`. Without `BUILD` (checking only) an
    /// ENVELOPE, BODY or BODYSTRUCTURE is parsed and dropped instead of boxed, and `None`
    /// comes back for it.
    fn parse_with<T, const BUILD: bool>(
        c: &mut Cursor<'a>,
        done: impl FnOnce(Self) -> T,
    ) -> ParseResult<Option<T>> {
        let start = c.pos();
        // Atom characters are ASCII: the name is compared as bytes, never checked as UTF-8.
        let name = c.take_while1(|b| in_class(b, class::NAME), Expected::FetchAttribute)?;
        let is = |w: &str| name.eq_ignore_ascii_case(w.as_bytes());
        if c.peek() == Some(b'[') {
            if is("BODY") {
                let section = Section::parse(c)?;
                let origin = origin(c)?;
                c.sp()?;
                let data = IString::parse_nstring(c)?;
                return Ok(Some(done(FetchAttribute::BodySection {
                    section,
                    origin,
                    data,
                })));
            }
            // A section that is not `section-binary` (a server echoing `BINARY[1.MIME]`)
            // is kept raw below, like any unknown attribute.
            let bracket = c.pos();
            if is("BINARY") {
                if let Ok(part) = section_part(c) {
                    let origin = origin(c)?;
                    c.sp()?;
                    let data = IString::parse_nstring8(c)?;
                    return Ok(Some(done(FetchAttribute::Binary { part, origin, data })));
                }
                c.reset_to(bracket);
            }
            if is("BINARY.SIZE") {
                if let Ok(part) = section_part(c) {
                    c.sp()?;
                    let size = number64(c)?;
                    return Ok(Some(done(FetchAttribute::BinarySize { part, size })));
                }
                c.reset_to(bracket);
            }
            c.advance(1);
            c.take_while(|b| b != b']' && b != b'\r' && b != b'\n');
            c.expect(b']', Expected::CloseBracket)?;
            if c.eat(b'<') {
                c.take_while(|b| b.is_ascii_digit() || b == b'.');
                c.expect(b'>', Expected::Partial)?;
            }
            let name = ByteStr::borrowed(c.since(start));
            c.sp()?;
            let value = RawValue::parse(c)?;
            return Ok(Some(done(FetchAttribute::Other { name, value })));
        }
        c.sp()?;
        // Lowercase the name once, then one match on bytes.
        let mut lower = [0u8; 16];
        let key = lower_key(name, &mut lower);
        let known = match key {
            b"uid" => Name::Uid,
            b"body" => Name::Body,
            b"flags" => Name::Flags,
            b"rfc822" => Name::Rfc822,
            b"modseq" => Name::ModSeq,
            b"emailid" => Name::EmailId,
            b"preview" => Name::Preview,
            b"envelope" => Name::Envelope,
            b"threadid" => Name::ThreadId,
            b"savedate" => Name::SaveDate,
            b"x-gm-msgid" => Name::GmailMessageId,
            b"x-gm-thrid" => Name::GmailThreadId,
            b"rfc822.size" => Name::Rfc822Size,
            b"rfc822.text" => Name::Rfc822Text,
            b"x-gm-labels" => Name::GmailLabels,
            b"internaldate" => Name::InternalDate,
            b"rfc822.header" => Name::Rfc822Header,
            b"bodystructure" => Name::BodyStructure,
            _ => Name::Other,
        };
        if !BUILD {
            match known {
                Name::Envelope => return Envelope::parse(c).map(|_| None),
                Name::Body => return BodyStructure::parse(c, false).map(|_| None),
                Name::BodyStructure => return BodyStructure::parse(c, true).map(|_| None),
                _ => {}
            }
        }
        let attribute = match known {
            Name::Flags => FetchAttribute::Flags(Flag::parse_lazy_list(c)?),
            Name::InternalDate => FetchAttribute::InternalDate(DateTime::parse(c)?),
            Name::Rfc822Size => FetchAttribute::Rfc822Size(number64(c)?),
            Name::Rfc822 => FetchAttribute::Rfc822(IString::parse_nstring(c)?),
            Name::Rfc822Header => FetchAttribute::Rfc822Header(IString::parse_nstring(c)?),
            Name::Rfc822Text => FetchAttribute::Rfc822Text(IString::parse_nstring(c)?),
            Name::Envelope => FetchAttribute::Envelope(Box::new(Envelope::parse(c)?)),
            Name::Body => FetchAttribute::Body(BodyStructure::parse_boxed(c, false)?),
            Name::BodyStructure => {
                FetchAttribute::BodyStructure(BodyStructure::parse_boxed(c, true)?)
            }
            Name::Uid => FetchAttribute::Uid(nz_number(c)?),
            Name::ModSeq => {
                c.expect(b'(', Expected::OpenParen)?;
                let n = number64(c)?;
                c.expect(b')', Expected::CloseParen)?;
                FetchAttribute::ModSeq(n)
            }
            Name::EmailId => FetchAttribute::EmailId(paren_atom(c)?),
            Name::ThreadId => FetchAttribute::ThreadId(if parse_nil(c) {
                None
            } else {
                Some(paren_atom(c)?)
            }),
            Name::SaveDate => FetchAttribute::SaveDate(if parse_nil(c) {
                None
            } else {
                Some(DateTime::parse(c)?)
            }),
            Name::Preview => FetchAttribute::Preview(IString::parse_nstring(c)?),
            Name::GmailMessageId => FetchAttribute::GmailMessageId(number64(c)?),
            Name::GmailThreadId => FetchAttribute::GmailThreadId(number64(c)?),
            Name::GmailLabels => FetchAttribute::GmailLabels(paren_list(c, true, gmail_label)?),
            Name::Other => FetchAttribute::Other {
                name: ByteStr::borrowed(name),
                value: RawValue::parse(c)?,
            },
        };
        Ok(Some(done(attribute)))
    }
}

impl<'a> ListItem<'a> for FetchAttribute<'a> {
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        Self::parse(c)
    }
}

impl<'a> Fetch<'a> {
    /// Parses `"(" msg-att *(SP msg-att) ")"` for message `seq`: every attribute is checked,
    /// and kept as the bytes of the list (see [`Fetch::attributes`]).
    pub fn parse_attributes(c: &mut Cursor<'a>, seq: NonZeroU32) -> ParseResult<Self> {
        let attributes = crate::core::lazy::paren_list(c, true, FetchAttribute::check)?;
        Ok(Fetch { seq, attributes })
    }

    /// The UID attribute, if present.
    pub fn uid(&self) -> Option<NonZeroU32> {
        self.attributes.iter().find_map(|a| match *a {
            FetchAttribute::Uid(uid) => Some(uid),
            _ => None,
        })
    }
}

impl Encode for FetchAttribute<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            FetchAttribute::Flags(flags) => {
                out.put(b"FLAGS (");
                flags.encode_items(out, b" ", |f, o| f.encode(o));
                out.put(b")");
            }
            FetchAttribute::InternalDate(d) => {
                out.put(b"INTERNALDATE ");
                d.encode(out);
            }
            FetchAttribute::Rfc822Size(n) => {
                out.put(b"RFC822.SIZE ");
                put_number(out, *n);
            }
            FetchAttribute::Rfc822(data) => {
                out.put(b"RFC822 ");
                IString::encode_nstring(data.as_ref(), out);
            }
            FetchAttribute::Rfc822Header(data) => {
                out.put(b"RFC822.HEADER ");
                IString::encode_nstring(data.as_ref(), out);
            }
            FetchAttribute::Rfc822Text(data) => {
                out.put(b"RFC822.TEXT ");
                IString::encode_nstring(data.as_ref(), out);
            }
            FetchAttribute::Envelope(e) => {
                out.put(b"ENVELOPE ");
                e.encode(out);
            }
            FetchAttribute::Body(b) => {
                out.put(b"BODY ");
                b.encode(out);
            }
            FetchAttribute::BodyStructure(b) => {
                out.put(b"BODYSTRUCTURE ");
                b.encode(out);
            }
            FetchAttribute::BodySection {
                section,
                origin,
                data,
            } => {
                out.put(b"BODY");
                section.encode(out);
                put_origin(out, *origin);
                out.put(b" ");
                IString::encode_nstring(data.as_ref(), out);
            }
            FetchAttribute::Binary { part, origin, data } => {
                out.put(b"BINARY");
                put_part(out, part);
                put_origin(out, *origin);
                out.put(b" ");
                IString::encode_nstring(data.as_ref(), out);
            }
            FetchAttribute::BinarySize { part, size } => {
                out.put(b"BINARY.SIZE");
                put_part(out, part);
                out.put(b" ");
                put_number(out, *size);
            }
            FetchAttribute::Uid(uid) => {
                out.put(b"UID ");
                put_number(out, u64::from(uid.get()));
            }
            FetchAttribute::ModSeq(n) => {
                out.put(b"MODSEQ (");
                put_number(out, *n);
                out.put(b")");
            }
            FetchAttribute::EmailId(id) => {
                out.put(b"EMAILID (");
                id.encode(out);
                out.put(b")");
            }
            FetchAttribute::ThreadId(id) => {
                out.put(b"THREADID ");
                match id {
                    Some(id) => {
                        out.put(b"(");
                        id.encode(out);
                        out.put(b")");
                    }
                    None => out.put(b"NIL"),
                }
            }
            FetchAttribute::SaveDate(d) => {
                out.put(b"SAVEDATE ");
                match d {
                    Some(d) => d.encode(out),
                    None => out.put(b"NIL"),
                }
            }
            FetchAttribute::Preview(p) => {
                out.put(b"PREVIEW ");
                IString::encode_nstring(p.as_ref(), out);
            }
            FetchAttribute::GmailMessageId(n) => {
                out.put(b"X-GM-MSGID ");
                put_number(out, *n);
            }
            FetchAttribute::GmailThreadId(n) => {
                out.put(b"X-GM-THRID ");
                put_number(out, *n);
            }
            FetchAttribute::GmailLabels(labels) => {
                out.put(b"X-GM-LABELS (");
                encode_spaced(out, labels, |l, o| match l {
                    IString::Atom(a) if a.as_str().starts_with('\\') => a.encode(o),
                    other => other.encode_astring(o),
                });
                out.put(b")");
            }
            FetchAttribute::Other { name, value } => {
                out.put(name.as_bytes());
                out.put(b" ");
                value.encode(out);
            }
        }
    }
}

impl Encode for Fetch<'_> {
    /// Writes `n FETCH (...)` (without `* ` and CRLF).
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        put_number(out, u64::from(self.seq.get()));
        out.put(b" FETCH (");
        self.attributes.encode_items(out, b" ", |a, o| a.encode(o));
        out.put(b")");
    }
}

impl IntoOwned for FetchAttribute<'_> {
    type Owned = FetchAttribute<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            FetchAttribute::Flags(v) => FetchAttribute::Flags(v.into_owned()),
            FetchAttribute::InternalDate(d) => FetchAttribute::InternalDate(d),
            FetchAttribute::Rfc822Size(n) => FetchAttribute::Rfc822Size(n),
            FetchAttribute::Rfc822(d) => FetchAttribute::Rfc822(d.into_owned()),
            FetchAttribute::Rfc822Header(d) => FetchAttribute::Rfc822Header(d.into_owned()),
            FetchAttribute::Rfc822Text(d) => FetchAttribute::Rfc822Text(d.into_owned()),
            FetchAttribute::Envelope(e) => FetchAttribute::Envelope(e.into_owned()),
            FetchAttribute::Body(b) => FetchAttribute::Body(b.into_owned()),
            FetchAttribute::BodyStructure(b) => FetchAttribute::BodyStructure(b.into_owned()),
            FetchAttribute::BodySection {
                section,
                origin,
                data,
            } => FetchAttribute::BodySection {
                section: section.into_owned(),
                origin,
                data: data.into_owned(),
            },
            FetchAttribute::Binary { part, origin, data } => FetchAttribute::Binary {
                part,
                origin,
                data: data.into_owned(),
            },
            FetchAttribute::BinarySize { part, size } => FetchAttribute::BinarySize { part, size },
            FetchAttribute::Uid(n) => FetchAttribute::Uid(n),
            FetchAttribute::ModSeq(n) => FetchAttribute::ModSeq(n),
            FetchAttribute::EmailId(a) => FetchAttribute::EmailId(a.into_owned()),
            FetchAttribute::ThreadId(a) => FetchAttribute::ThreadId(a.into_owned()),
            FetchAttribute::SaveDate(d) => FetchAttribute::SaveDate(d),
            FetchAttribute::Preview(p) => FetchAttribute::Preview(p.into_owned()),
            FetchAttribute::GmailMessageId(n) => FetchAttribute::GmailMessageId(n),
            FetchAttribute::GmailThreadId(n) => FetchAttribute::GmailThreadId(n),
            FetchAttribute::GmailLabels(v) => FetchAttribute::GmailLabels(v.into_owned()),
            FetchAttribute::Other { name, value } => FetchAttribute::Other {
                name: name.into_owned(),
                value: value.into_owned(),
            },
        }
    }
}
