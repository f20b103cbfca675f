//! FETCH and UID FETCH: fetch attributes (RFC 9051 §6.4.5, BINARY RFC 3516, CONDSTORE
//! RFC 7162, OBJECTID RFC 8474, SAVEDATE RFC 8514, PREVIEW RFC 8970) and fetch modifiers
//! (CHANGEDSINCE, VANISHED, PARTIAL RFC 9394).

use std::num::NonZeroU32;

use crate::Expected;
use crate::core::atom::{class, class_run, in_class, lower_key};
use crate::core::cursor::{Cursor, ParseResult, paren_list};
use crate::core::encode::put_number;
use crate::core::lazy::{self, LazyList};
use crate::core::number::{number, number64, nz_number};
use crate::core::owned::into_owned_struct;
use crate::core::{ByteStr, Encode, IString, IntoOwned, RawValue, SequenceSet, Sink};

use super::encode::AStr;
use super::ext::TaggedExt;

/// `[UID] FETCH set items [(modifiers)]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FetchCommand<'a> {
    /// Whether this is `UID FETCH`.
    pub uid: bool,
    /// The messages.
    pub set: SequenceSet<'a>,
    /// What to fetch.
    pub items: FetchItems<'a>,
    /// Fetch modifiers (empty when none were sent).
    pub modifiers: Vec<FetchModifier<'a>>,
}

into_owned_struct!(FetchCommand {
    uid,
    set,
    items,
    modifiers
});

/// What a FETCH asks for: a macro or a list of attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum FetchItems<'a> {
    /// `ALL`: FLAGS INTERNALDATE RFC822.SIZE ENVELOPE.
    All,
    /// `FULL`: ALL plus BODY.
    Full,
    /// `FAST`: FLAGS INTERNALDATE RFC822.SIZE.
    Fast,
    /// One attribute (sent bare) or several (sent in parentheses).
    Attributes(Vec<FetchAttributeName<'a>>),
}

/// One `fetch-att`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum FetchAttributeName<'a> {
    /// `ENVELOPE`.
    Envelope,
    /// `FLAGS`.
    Flags,
    /// `INTERNALDATE`.
    InternalDate,
    /// `RFC822` (RFC 3501).
    Rfc822,
    /// `RFC822.HEADER` (RFC 3501).
    Rfc822Header,
    /// `RFC822.SIZE`.
    Rfc822Size,
    /// `RFC822.TEXT` (RFC 3501).
    Rfc822Text,
    /// `BODY` (the non-extensible body structure).
    Body,
    /// `BODYSTRUCTURE`.
    BodyStructure,
    /// `UID`.
    Uid,
    /// `BODY[section]<partial>` or `BODY.PEEK[...]`.
    BodySection {
        /// Whether `.PEEK` was given (the `\Seen` flag is not set).
        peek: bool,
        /// The section.
        section: Section<'a>,
        /// `<origin.length>`, when given.
        partial: Option<(u32, NonZeroU32)>,
    },
    /// `BINARY[part]<partial>` or `BINARY.PEEK[...]` (RFC 3516).
    Binary {
        /// Whether `.PEEK` was given.
        peek: bool,
        /// The part numbers (empty for the whole message).
        part: Vec<NonZeroU32>,
        /// `<origin.length>`, when given.
        partial: Option<(u32, NonZeroU32)>,
    },
    /// `BINARY.SIZE[part]` (RFC 3516).
    BinarySize {
        /// The part numbers.
        part: Vec<NonZeroU32>,
    },
    /// `MODSEQ` (RFC 7162).
    ModSeq,
    /// `EMAILID` (RFC 8474).
    EmailId,
    /// `THREADID` (RFC 8474).
    ThreadId,
    /// `SAVEDATE` (RFC 8514).
    SaveDate,
    /// `PREVIEW` or `PREVIEW (LAZY)` (RFC 8970).
    Preview {
        /// Whether `(LAZY)` was given.
        lazy: bool,
    },
    /// An attribute this crate does not know (vendor ones such as `X-GM-MSGID`,
    /// `DIGEST.SHA1` or `SNIPPET (FUZZY)`), kept as sent so it round-trips. The response side
    /// keeps unknown attributes the same way.
    Other {
        /// The name as sent, with any `[...]` and `<...>` suffix (`X-GM-MSGID`, `DIGEST.SHA1`).
        name: ByteStr<'a>,
        /// A parenthesised argument list after the name, verbatim (`(FUZZY)`). Only read
        /// inside a parenthesised attribute list: after a lone attribute, `(` starts the
        /// fetch modifiers.
        arguments: Option<RawValue<'a>>,
    },
}

/// A body section specification, `[...]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Section<'a> {
    /// The part numbers (`1.2.3`; empty for the top level).
    pub part: Vec<NonZeroU32>,
    /// What of the part, when given.
    pub text: Option<SectionText<'a>>,
}

into_owned_struct!(Section { part, text });

/// `section-msgtext` or `MIME`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SectionText<'a> {
    /// `HEADER`.
    Header,
    /// `HEADER.FIELDS (names)` (decoded lazily, see [`LazyList`]).
    HeaderFields(LazyList<'a, IString<'a>>),
    /// `HEADER.FIELDS.NOT (names)` (decoded lazily, see [`LazyList`]).
    HeaderFieldsNot(LazyList<'a, IString<'a>>),
    /// `TEXT`.
    Text,
    /// `MIME` (only after a part number).
    Mime,
}

/// One fetch modifier.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum FetchModifier<'a> {
    /// `CHANGEDSINCE modseq` (RFC 7162).
    ChangedSince(u64),
    /// `VANISHED` (RFC 7162, UID FETCH only).
    Vanished,
    /// `PARTIAL range` (RFC 9394).
    Partial(PartialRange),
    /// Any other modifier.
    Other(TaggedExt<'a>),
}

/// A PARTIAL range (RFC 9394): `first:last` counted from the start, or `-first:-last` from
/// the end of the result. Numbers are 1-based; `from <= to` is not enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum PartialRange {
    /// `n:m`, counted from the first result.
    First(NonZeroU32, NonZeroU32),
    /// `-n:-m`, counted from the last result.
    Last(NonZeroU32, NonZeroU32),
}

impl IntoOwned for FetchItems<'_> {
    type Owned = FetchItems<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            FetchItems::All => FetchItems::All,
            FetchItems::Full => FetchItems::Full,
            FetchItems::Fast => FetchItems::Fast,
            FetchItems::Attributes(a) => FetchItems::Attributes(a.into_owned()),
        }
    }
}

impl IntoOwned for FetchAttributeName<'_> {
    type Owned = FetchAttributeName<'static>;
    fn into_owned(self) -> Self::Owned {
        use FetchAttributeName as F;
        match self {
            F::Envelope => F::Envelope,
            F::Flags => F::Flags,
            F::InternalDate => F::InternalDate,
            F::Rfc822 => F::Rfc822,
            F::Rfc822Header => F::Rfc822Header,
            F::Rfc822Size => F::Rfc822Size,
            F::Rfc822Text => F::Rfc822Text,
            F::Body => F::Body,
            F::BodyStructure => F::BodyStructure,
            F::Uid => F::Uid,
            F::BodySection {
                peek,
                section,
                partial,
            } => F::BodySection {
                peek,
                section: section.into_owned(),
                partial,
            },
            F::Binary {
                peek,
                part,
                partial,
            } => F::Binary {
                peek,
                part,
                partial,
            },
            F::BinarySize { part } => F::BinarySize { part },
            F::ModSeq => F::ModSeq,
            F::EmailId => F::EmailId,
            F::ThreadId => F::ThreadId,
            F::SaveDate => F::SaveDate,
            F::Preview { lazy } => F::Preview { lazy },
            F::Other { name, arguments } => F::Other {
                name: name.into_owned(),
                arguments: arguments.into_owned(),
            },
        }
    }
}

impl IntoOwned for SectionText<'_> {
    type Owned = SectionText<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            SectionText::Header => SectionText::Header,
            SectionText::HeaderFields(f) => SectionText::HeaderFields(f.into_owned()),
            SectionText::HeaderFieldsNot(f) => SectionText::HeaderFieldsNot(f.into_owned()),
            SectionText::Text => SectionText::Text,
            SectionText::Mime => SectionText::Mime,
        }
    }
}

impl IntoOwned for FetchModifier<'_> {
    type Owned = FetchModifier<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            FetchModifier::ChangedSince(m) => FetchModifier::ChangedSince(m),
            FetchModifier::Vanished => FetchModifier::Vanished,
            FetchModifier::Partial(r) => FetchModifier::Partial(r),
            FetchModifier::Other(ext) => FetchModifier::Other(ext.into_owned()),
        }
    }
}

// ---- parsing ----

impl<'a> FetchCommand<'a> {
    /// Parses the arguments after `FETCH ` (`uid` says whether `UID` preceded it).
    pub fn parse_arguments(c: &mut Cursor<'a>, uid: bool) -> ParseResult<Self> {
        let set = SequenceSet::parse(c, true)?;
        c.sp()?;
        let items = FetchItems::parse(c)?;
        let mut modifiers = Vec::new();
        if c.peek() == Some(b' ') && c.peek_at(1) == Some(b'(') {
            c.sp()?;
            modifiers = paren_list(c, false, FetchModifier::parse)?;
        }
        Ok(FetchCommand {
            uid,
            set,
            items,
            modifiers,
        })
    }
}

impl<'a> FetchItems<'a> {
    /// Parses a fetch macro, one attribute, or a parenthesised attribute list.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        if c.peek() == Some(b'(') {
            return paren_list(c, false, |c| FetchAttributeName::parse_item(c, true))
                .map(FetchItems::Attributes);
        }
        for (word, items) in [
            (&b"ALL"[..], FetchItems::All),
            (b"FULL", FetchItems::Full),
            (b"FAST", FetchItems::Fast),
        ] {
            if c.starts_with_ci(word) && !next_is_atom_char(c, word.len()) {
                c.advance(word.len());
                return Ok(items);
            }
        }
        FetchAttributeName::parse(c).map(|a| FetchItems::Attributes(vec![a]))
    }
}

/// Whether the byte `n` ahead continues an atom (so a keyword match there is only a prefix).
pub(crate) fn next_is_atom_char(c: &Cursor<'_>, n: usize) -> bool {
    c.peek_at(n)
        .is_some_and(|b| crate::core::atom::is_atom_char(b) && b != b'[' && b != b'.')
}

/// Consumes `word` when it is next and is not the prefix of a longer atom.
pub(crate) fn eat_keyword(c: &mut Cursor<'_>, word: &[u8]) -> bool {
    if c.starts_with_ci(word)
        && !c
            .peek_at(word.len())
            .is_some_and(crate::core::atom::is_atom_char)
    {
        c.advance(word.len());
        true
    } else {
        false
    }
}

impl<'a> FetchAttributeName<'a> {
    /// Parses one `fetch-att` standing alone (an unknown attribute takes no arguments: a
    /// `(` after it starts the fetch modifiers).
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        Self::parse_item(c, false)
    }

    /// Parses one `fetch-att`; `in_list` says whether it is inside a parenthesised list,
    /// where an unknown attribute may carry a parenthesised argument list.
    pub fn parse_item(c: &mut Cursor<'a>, in_list: bool) -> ParseResult<Self> {
        use FetchAttributeName as F;
        // The name is the run of atom characters up to a `[` (a section follows) or a
        // delimiter, lower-cased once into a stack buffer so one `match` dispatches it
        // (a chain of case-insensitive prefix tests was a third of command decoding). A name
        // too long for the buffer matches nothing and is read as an unknown attribute.
        let start = c.pos();
        let rest = c.rest();
        let len = class_run(rest, class::NAME);
        let mut lower = [0u8; 16];
        let key = lower_key(rest.get(..len).unwrap_or_default(), &mut lower);
        if c.peek_at(len) == Some(b'[') {
            // Leaves the cursor on the `[`.
            c.advance(len);
            let parsed = match key {
                b"body.peek" => return Self::body_section(c, true),
                b"body" => return Self::body_section(c, false),
                b"binary.peek" => Self::binary(c, true),
                b"binary" => Self::binary(c, false),
                b"binary.size" => section_binary(c).map(|part| F::BinarySize { part }),
                _ => Err(c.error(Expected::FetchAttribute)),
            };
            // A BINARY section that is not `section-binary` (`BINARY[1.MIME]`, sent by real
            // clients) is kept raw as an unknown attribute, like any other name.
            if let Ok(attribute) = parsed {
                return Ok(attribute);
            }
            c.reset_to(start);
            return Self::other(c, in_list);
        }
        let attribute = match key {
            b"envelope" => F::Envelope,
            b"flags" => F::Flags,
            b"internaldate" => F::InternalDate,
            b"rfc822.header" => F::Rfc822Header,
            b"rfc822.size" => F::Rfc822Size,
            b"rfc822.text" => F::Rfc822Text,
            b"rfc822" => F::Rfc822,
            b"bodystructure" => F::BodyStructure,
            b"body" => F::Body,
            b"uid" => F::Uid,
            b"modseq" => F::ModSeq,
            b"emailid" => F::EmailId,
            b"threadid" => F::ThreadId,
            b"savedate" => F::SaveDate,
            b"preview" => {
                c.advance(len);
                let lazy = c.eat_ci(b" (LAZY)");
                return Ok(F::Preview { lazy });
            }
            _ => return Self::other(c, in_list),
        };
        c.advance(len);
        Ok(attribute)
    }

    /// An unknown attribute: an atom (with any `[...]<...>` suffix), then, inside a list, an
    /// optional ` (...)` argument list.
    fn other(c: &mut Cursor<'a>, in_list: bool) -> ParseResult<Self> {
        let start = c.pos();
        c.advance(class_run(c.rest(), class::NAME));
        if c.pos() == start {
            return Err(c.error(Expected::FetchAttribute));
        }
        if c.eat(b'[') {
            c.take_while(|b| b != b']' && b != b'\r' && b != b'\n');
            c.expect(b']', Expected::CloseBracket)?;
            if c.eat(b'<') {
                c.take_while(|b| b.is_ascii_digit() || b == b'.');
                c.expect(b'>', Expected::Partial)?;
            }
        }
        let name = ByteStr::borrowed(c.since(start));
        let mut arguments = None;
        if in_list && c.peek() == Some(b' ') && c.peek_at(1) == Some(b'(') {
            c.advance(1);
            arguments = Some(RawValue::parse(c)?);
        }
        Ok(FetchAttributeName::Other { name, arguments })
    }

    fn body_section(c: &mut Cursor<'a>, peek: bool) -> ParseResult<Self> {
        let section = Section::parse(c)?;
        let partial = partial(c)?;
        Ok(FetchAttributeName::BodySection {
            peek,
            section,
            partial,
        })
    }

    fn binary(c: &mut Cursor<'a>, peek: bool) -> ParseResult<Self> {
        let part = section_binary(c)?;
        let partial = partial(c)?;
        Ok(FetchAttributeName::Binary {
            peek,
            part,
            partial,
        })
    }
}

/// `"[" [section-part] "]"`.
fn section_binary(c: &mut Cursor<'_>) -> ParseResult<Vec<NonZeroU32>> {
    c.expect(b'[', Expected::OpenBracket)?;
    let mut part = Vec::new();
    if c.peek() != Some(b']') {
        part = section_part(c)?;
    }
    c.expect(b']', Expected::CloseBracket)?;
    Ok(part)
}

/// `nz-number *("." nz-number)`, stopping before a `.` that does not precede a digit.
fn section_part(c: &mut Cursor<'_>) -> ParseResult<Vec<NonZeroU32>> {
    let mut part = vec![nz_number(c)?];
    while c.peek() == Some(b'.') && c.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
        c.advance(1);
        c.check_list_length(part.len() + 1)?;
        part.push(nz_number(c)?);
    }
    Ok(part)
}

/// `["<" number "." nz-number ">"]`.
fn partial(c: &mut Cursor<'_>) -> ParseResult<Option<(u32, NonZeroU32)>> {
    if !c.eat(b'<') {
        return Ok(None);
    }
    let origin = number(c)?;
    c.expect(b'.', Expected::Partial)?;
    let length = nz_number(c)?;
    c.expect(b'>', Expected::Partial)?;
    Ok(Some((origin, length)))
}

impl<'a> Section<'a> {
    /// Parses `"[" [section-spec] "]"`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        c.expect(b'[', Expected::OpenBracket)?;
        let mut section = Section::default();
        if c.peek() == Some(b']') {
            c.advance(1);
            return Ok(section);
        }
        if c.peek().is_some_and(|b| b.is_ascii_digit()) {
            section.part = section_part(c)?;
            if c.eat(b'.') {
                if c.eat_ci(b"MIME") {
                    section.text = Some(SectionText::Mime);
                } else {
                    section.text = Some(SectionText::parse(c)?);
                }
            }
        } else {
            section.text = Some(SectionText::parse(c)?);
        }
        c.expect(b']', Expected::CloseBracket)?;
        Ok(section)
    }
}

impl<'a> SectionText<'a> {
    /// Parses `section-msgtext` (not `MIME`).
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        // The usual forms, matched once as a lowercased word; anything else (a prefix such
        // as `HEADERX`, a list without its space) takes the general path below.
        let rest = c.rest();
        let len = class_run(rest, class::ATOM);
        let mut lower = [0u8; 17];
        let spaced = rest.get(len) == Some(&b' ');
        match (
            lower_key(rest.get(..len).unwrap_or_default(), &mut lower),
            spaced,
        ) {
            (b"header.fields", true) => {
                c.advance(len + 1);
                return header_list(c).map(SectionText::HeaderFields);
            }
            (b"header.fields.not", true) => {
                c.advance(len + 1);
                return header_list(c).map(SectionText::HeaderFieldsNot);
            }
            (b"header", _) => {
                c.advance(len);
                return Ok(SectionText::Header);
            }
            (b"text", _) => {
                c.advance(len);
                return Ok(SectionText::Text);
            }
            _ => {}
        }
        if c.eat_ci(b"HEADER.FIELDS.NOT ") {
            return header_list(c).map(SectionText::HeaderFieldsNot);
        }
        if c.eat_ci(b"HEADER.FIELDS ") {
            return header_list(c).map(SectionText::HeaderFields);
        }
        if c.eat_ci(b"HEADER") {
            return Ok(SectionText::Header);
        }
        if c.eat_ci(b"TEXT") {
            return Ok(SectionText::Text);
        }
        Err(c.error(Expected::Section))
    }
}

fn header_list<'a>(c: &mut Cursor<'a>) -> ParseResult<LazyList<'a, IString<'a>>> {
    if let Some(list) = plain_header_list(c) {
        return Ok(list);
    }
    lazy::paren_list(c, false, |c| IString::parse_astring(c).map(drop))
}

/// The usual header list, `(` names of `ASTRING-CHAR`s separated by single spaces `)`,
/// validated in one pass (no UTF-8 check is needed: `ASTRING-CHAR`s are ASCII). `None`
/// (nothing consumed) for anything else (quoted names, literals, a malformed list), which the
/// general parser reads or reports.
fn plain_header_list<'a>(c: &mut Cursor<'a>) -> Option<LazyList<'a, IString<'a>>> {
    let rest = c.rest();
    if rest.first() != Some(&b'(') {
        return None;
    }
    let inner = rest.get(1..).unwrap_or_default();
    // No name holds `)`: the first one ends the list (a `)` inside a quoted name or a
    // literal comes after a byte that is no `ASTRING-CHAR`, which sends the list to the
    // general parser below). Found by memchr, the names are classified in one pass.
    let len = memchr::memchr(b')', inner)?;
    let names = inner.get(..len)?;
    // The nesting limit applies as in any list; at the limit the general parser reports it.
    if c.enter().is_err() {
        return None;
    }
    c.leave();
    let mut count = 0usize;
    let mut start = 0;
    for (i, &b) in names.iter().enumerate() {
        if b == b' ' {
            // A leading or double space (an empty name), or a name over the list limit.
            if i == start || count >= c.limits().max_list_length {
                return None;
            }
            count += 1;
            start = i + 1;
        } else if !in_class(b, class::ASTRING) {
            return None;
        }
    }
    // `()` or a trailing space (an empty name), or a name over the list limit.
    if start == names.len() || count >= c.limits().max_list_length {
        return None;
    }
    c.advance(len + 2);
    Some(LazyList::raw(names))
}

impl<'a> FetchModifier<'a> {
    /// Parses one fetch modifier.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        if c.eat_ci(b"CHANGEDSINCE ") {
            return number64(c).map(FetchModifier::ChangedSince);
        }
        if eat_keyword(c, b"VANISHED") {
            return Ok(FetchModifier::Vanished);
        }
        if c.eat_ci(b"PARTIAL ") {
            return PartialRange::parse(c).map(FetchModifier::Partial);
        }
        TaggedExt::parse(c).map(FetchModifier::Other)
    }
}

impl PartialRange {
    /// Parses `n:m` or `-n:-m`.
    pub fn parse(c: &mut Cursor<'_>) -> ParseResult<Self> {
        if c.eat(b'-') {
            let first = nz_number(c)?;
            c.expect(b':', Expected::Partial)?;
            c.expect(b'-', Expected::Partial)?;
            let last = nz_number(c)?;
            Ok(PartialRange::Last(first, last))
        } else {
            let first = nz_number(c)?;
            c.expect(b':', Expected::Partial)?;
            let last = nz_number(c)?;
            Ok(PartialRange::First(first, last))
        }
    }
}

// ---- encoding ----

impl Encode for FetchCommand<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(if self.uid { b"UID FETCH " } else { b"FETCH " });
        self.set.encode(out);
        out.put(b" ");
        self.items.encode(out);
        if !self.modifiers.is_empty() {
            out.put(b" ");
            encode_list(out, &self.modifiers);
        }
    }
}

/// Writes `(a b c)`.
pub(crate) fn encode_list<S: Sink + ?Sized, T: Encode>(out: &mut S, items: &[T]) {
    out.put(b"(");
    encode_spaced(out, items);
    out.put(b")");
}

/// Writes `(a b c)` for astrings, each in its cheapest form.
pub(crate) fn encode_astring_list<S: Sink + ?Sized>(out: &mut S, items: &[IString<'_>]) {
    let wrapped: Vec<_> = items.iter().map(super::encode::AStr).collect();
    encode_list(out, &wrapped);
}

/// Writes `a b c`.
pub(crate) fn encode_spaced<S: Sink + ?Sized, T: Encode>(out: &mut S, items: &[T]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.put(b" ");
        }
        item.encode(out);
    }
}

impl Encode for FetchItems<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            FetchItems::All => out.put(b"ALL"),
            FetchItems::Full => out.put(b"FULL"),
            FetchItems::Fast => out.put(b"FAST"),
            FetchItems::Attributes(attrs) => match attrs.as_slice() {
                // An unknown attribute with arguments alone would read back as modifiers.
                [
                    FetchAttributeName::Other {
                        arguments: Some(_), ..
                    },
                ] => encode_list(out, attrs),
                [one] => one.encode(out),
                many => encode_list(out, many),
            },
        }
    }
}

impl Encode for FetchAttributeName<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        use FetchAttributeName as F;
        match self {
            F::Envelope => out.put(b"ENVELOPE"),
            F::Flags => out.put(b"FLAGS"),
            F::InternalDate => out.put(b"INTERNALDATE"),
            F::Rfc822 => out.put(b"RFC822"),
            F::Rfc822Header => out.put(b"RFC822.HEADER"),
            F::Rfc822Size => out.put(b"RFC822.SIZE"),
            F::Rfc822Text => out.put(b"RFC822.TEXT"),
            F::Body => out.put(b"BODY"),
            F::BodyStructure => out.put(b"BODYSTRUCTURE"),
            F::Uid => out.put(b"UID"),
            F::BodySection {
                peek,
                section,
                partial,
            } => {
                out.put(if *peek { b"BODY.PEEK" } else { b"BODY" });
                section.encode(out);
                encode_partial(out, *partial);
            }
            F::Binary {
                peek,
                part,
                partial,
            } => {
                out.put(if *peek { b"BINARY.PEEK[" } else { b"BINARY[" });
                encode_part(out, part);
                out.put(b"]");
                encode_partial(out, *partial);
            }
            F::BinarySize { part } => {
                out.put(b"BINARY.SIZE[");
                encode_part(out, part);
                out.put(b"]");
            }
            F::ModSeq => out.put(b"MODSEQ"),
            F::EmailId => out.put(b"EMAILID"),
            F::ThreadId => out.put(b"THREADID"),
            F::SaveDate => out.put(b"SAVEDATE"),
            F::Preview { lazy } => out.put(if *lazy { b"PREVIEW (LAZY)" } else { b"PREVIEW" }),
            F::Other { name, arguments } => {
                out.put(name.as_bytes());
                if let Some(arguments) = arguments {
                    out.put(b" ");
                    arguments.encode(out);
                }
            }
        }
    }
}

fn encode_partial<S: Sink + ?Sized>(out: &mut S, partial: Option<(u32, NonZeroU32)>) {
    if let Some((origin, length)) = partial {
        out.put(b"<");
        put_number(out, u64::from(origin));
        out.put(b".");
        put_number(out, u64::from(length.get()));
        out.put(b">");
    }
}

fn encode_part<S: Sink + ?Sized>(out: &mut S, part: &[NonZeroU32]) {
    for (i, n) in part.iter().enumerate() {
        if i > 0 {
            out.put(b".");
        }
        put_number(out, u64::from(n.get()));
    }
}

impl Encode for Section<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(b"[");
        encode_part(out, &self.part);
        if let Some(text) = &self.text {
            if !self.part.is_empty() {
                out.put(b".");
            }
            text.encode(out);
        }
        out.put(b"]");
    }
}

impl Encode for SectionText<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            SectionText::Header => out.put(b"HEADER"),
            SectionText::HeaderFields(names) => {
                out.put(b"HEADER.FIELDS (");
                names.encode_items(out, b" ", |n, o| AStr(n).encode(o));
                out.put(b")");
            }
            SectionText::HeaderFieldsNot(names) => {
                out.put(b"HEADER.FIELDS.NOT (");
                names.encode_items(out, b" ", |n, o| AStr(n).encode(o));
                out.put(b")");
            }
            SectionText::Text => out.put(b"TEXT"),
            SectionText::Mime => out.put(b"MIME"),
        }
    }
}

impl Encode for FetchModifier<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        match self {
            FetchModifier::ChangedSince(modseq) => {
                out.put(b"CHANGEDSINCE ");
                put_number(out, *modseq);
            }
            FetchModifier::Vanished => out.put(b"VANISHED"),
            FetchModifier::Partial(range) => {
                out.put(b"PARTIAL ");
                range.encode(out);
            }
            FetchModifier::Other(ext) => ext.encode(out),
        }
    }
}

impl Encode for PartialRange {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        let (minus, first, last): (&[u8], _, _) = match self {
            PartialRange::First(a, b) => (b"", a, b),
            PartialRange::Last(a, b) => (b"-", a, b),
        };
        out.put(minus);
        put_number(out, u64::from(first.get()));
        out.put(b":");
        out.put(minus);
        put_number(out, u64::from(last.get()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;

    #[test]
    fn plain_header_lists_read_as_the_general_parser_does() {
        for input in [
            &b"(FROM)]"[..],
            b"(FROM SUBJECT)]",
            b"(From To Cc Bcc Subject Date Message-ID Priority X-Priority References)]",
            b"(A])]",
            b"()]",
            b"( FROM)]",
            b"(FROM )]",
            b"(FROM  TO)]",
            b"(FROM \"TO\")]",
            b"(\"X)\" TO)]",
            b"(FROM {2}\r\nTO)]",
            b"(FROM\r\n",
            b"(FROM",
            b"(FR\xc3\xa9M)]",
            b"(FR\x01M)]",
            b"FROM)]",
        ] {
            let mut plain = Cursor::new(input, Limits::default());
            let mut general = plain.clone();
            let expected =
                crate::core::cursor::paren_list(&mut general, false, IString::parse_astring);
            match plain_header_list(&mut plain) {
                Some(list) => {
                    assert_eq!(list, *expected.as_ref().unwrap(), "{input:?}");
                    assert_eq!(plain.pos(), general.pos(), "{input:?}");
                    assert!(list.iter().all(|n| matches!(*n, IString::Atom(_))));
                    // `header_list`, which the decoder calls, reads the same list.
                    let mut lazy = Cursor::new(input, Limits::default());
                    assert_eq!(header_list(&mut lazy).unwrap(), list, "{input:?}");
                    assert_eq!(lazy.pos(), general.pos(), "{input:?}");
                }
                None => {
                    assert_eq!(plain.pos(), 0, "{input:?}");
                    // The general parser gets what the plain one cannot read: quoted names,
                    // literals, and every malformed list.
                    assert!(
                        expected.is_err() || input.contains(&b'"') || input.contains(&b'{'),
                        "{input:?}"
                    );
                }
            }
        }
        for (max, input, ok) in [
            (0, &b"(FROM)]"[..], false),
            (1, b"(FROM)]", true),
            (1, b"(FROM TO)]", false),
            (2, b"(FROM TO)]", true),
            (2, b"(FROM TO CC)]", false),
        ] {
            let limits = Limits {
                max_list_length: max,
                ..Limits::default()
            };
            let mut c = Cursor::new(input, limits);
            assert_eq!(
                plain_header_list(&mut c.clone()).is_some(),
                ok,
                "{max} {input:?}"
            );
            assert_eq!(header_list(&mut c).is_ok(), ok, "{max} {input:?}");
        }
    }
}
