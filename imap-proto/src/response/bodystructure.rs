//! BODY and BODYSTRUCTURE (RFC 9051 §7.5.2 `body`, with all extension data).
//!
//! Recursion (multipart parts, `message/rfc822` bodies) is bounded by
//! [`Limits::max_nesting_depth`](crate::Limits::max_nesting_depth): a 2,000-deep structure
//! is a [`Limit::NestingDepth`](crate::Limit::NestingDepth) error, never a stack overflow.
//!
//! The optional extension data nests (`md5 [dsp [lang [loc ext*]]]`), so it is modelled as
//! nested optional tails: what was sent is exactly what is encoded again.

use super::envelope::Envelope;
use crate::Expected;
use crate::core::cursor::{Cursor, ParseResult};
use crate::core::encode::put_number;
use crate::core::lazy::{self, LazyList, ListItem};
use crate::core::number::{number, number64};
use crate::core::owned::into_owned_struct;
use crate::core::string::parse_nil;
use crate::core::{Encode, IString, IntoOwned, RawValue, Sink};

/// Parameters (`body-fld-param`): attribute/value pairs; NIL is an empty list. Decoded
/// lazily, see [`LazyList`].
pub type BodyParams<'a> = LazyList<'a, (IString<'a>, IString<'a>)>;

impl<'a> ListItem<'a> for (IString<'a>, IString<'a>) {
    /// Parses one `astring SP astring` pair, which both lists of pairs in the grammar are a
    /// subset of: `body-fld-param` (`string SP string`) and an ACL's identifiers and rights.
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let name = IString::parse_astring(c)?;
        c.sp()?;
        Ok((name, IString::parse_astring(c)?))
    }
}

impl<'a> ListItem<'a> for BodyStructure<'a> {
    /// Parses one `body` (with extension data, which a part decoded from BODY lacks).
    fn parse_item(c: &mut Cursor<'a>) -> ParseResult<Self> {
        Self::parse(c, true)
    }
}

/// `body-fields`: what every non-multipart part has.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BodyFields<'a> {
    /// Content-Type parameters (`charset`, ...).
    pub params: BodyParams<'a>,
    /// Content-ID.
    pub id: Option<IString<'a>>,
    /// Content-Description.
    pub description: Option<IString<'a>>,
    /// Content-Transfer-Encoding.
    pub encoding: IString<'a>,
    /// Size in octets (encoded).
    pub octets: u32,
}

into_owned_struct!(BodyFields {
    params,
    id,
    description,
    encoding,
    octets
});

/// What kind of non-multipart part this is (decided by its media type).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SinglePartKind<'a> {
    /// Any type but `TEXT/*` and `MESSAGE/RFC822` / `MESSAGE/GLOBAL`.
    Basic,
    /// `TEXT/*`, with its size in lines.
    Text {
        /// Lines.
        lines: u64,
    },
    /// `MESSAGE/RFC822` or `MESSAGE/GLOBAL`: the enclosed message's envelope and structure.
    Message {
        /// The enclosed message's envelope.
        envelope: Box<Envelope<'a>>,
        /// The enclosed message's structure.
        body: Box<BodyStructure<'a>>,
        /// Lines.
        lines: u64,
    },
}

/// `body-fld-dsp`: Content-Disposition.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Disposition<'a> {
    /// `inline`, `attachment`, ...
    pub kind: IString<'a>,
    /// Parameters (`filename`, ...).
    pub params: BodyParams<'a>,
}

into_owned_struct!(Disposition { kind, params });

/// Location and further extension data (`body-fld-loc *(SP body-extension)`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LocationTail<'a> {
    /// Content-Location.
    pub location: Option<IString<'a>>,
    /// Future extension data, kept raw (decoded lazily, see [`LazyList`]).
    pub extensions: LazyList<'a, RawValue<'a>>,
}

into_owned_struct!(LocationTail {
    location,
    extensions
});

/// Language and what follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LanguageTail<'a> {
    /// Content-Language tags (NIL is empty; decoded lazily, see [`LazyList`]).
    pub languages: LazyList<'a, IString<'a>>,
    /// Location and beyond, when sent.
    pub location: Option<LocationTail<'a>>,
}

into_owned_struct!(LanguageTail {
    languages,
    location
});

/// Disposition and what follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ExtensionTail<'a> {
    /// Content-Disposition (NIL is `None`).
    pub disposition: Option<Disposition<'a>>,
    /// Language and beyond, when sent.
    pub language: Option<LanguageTail<'a>>,
}

into_owned_struct!(ExtensionTail {
    disposition,
    language
});

/// `body-ext-1part`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SinglePartExtension<'a> {
    /// Content-MD5.
    pub md5: Option<IString<'a>>,
    /// Disposition and beyond, when sent.
    pub tail: Option<ExtensionTail<'a>>,
}

into_owned_struct!(SinglePartExtension { md5, tail });

/// `body-ext-mpart`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MultipartExtension<'a> {
    /// Content-Type parameters (`boundary`, ...).
    pub params: BodyParams<'a>,
    /// Disposition and beyond, when sent.
    pub tail: Option<ExtensionTail<'a>>,
}

into_owned_struct!(MultipartExtension { params, tail });

/// A non-multipart part.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SinglePart<'a> {
    /// Media type (`TEXT`, `IMAGE`, ...).
    pub media_type: IString<'a>,
    /// Media subtype (`PLAIN`, ...).
    pub subtype: IString<'a>,
    /// The common fields.
    pub fields: BodyFields<'a>,
    /// Type-specific data.
    pub kind: SinglePartKind<'a>,
    /// Extension data (BODYSTRUCTURE only).
    pub extension: Option<SinglePartExtension<'a>>,
}

into_owned_struct!(SinglePart {
    media_type,
    subtype,
    fields,
    kind,
    extension
});

/// A multipart part.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Multipart<'a> {
    /// The parts (at least one; decoded lazily, see [`LazyList`]).
    pub parts: LazyList<'a, BodyStructure<'a>>,
    /// The subtype (`MIXED`, `ALTERNATIVE`, ...).
    pub subtype: IString<'a>,
    /// Extension data (BODYSTRUCTURE only).
    pub extension: Option<MultipartExtension<'a>>,
}

into_owned_struct!(Multipart {
    parts,
    subtype,
    extension
});

/// A message's MIME structure.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum BodyStructure<'a> {
    /// A non-multipart part.
    Single(SinglePart<'a>),
    /// A multipart.
    Multi(Multipart<'a>),
}

impl IntoOwned for SinglePartKind<'_> {
    type Owned = SinglePartKind<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            SinglePartKind::Basic => SinglePartKind::Basic,
            SinglePartKind::Text { lines } => SinglePartKind::Text { lines },
            SinglePartKind::Message {
                envelope,
                body,
                lines,
            } => SinglePartKind::Message {
                envelope: envelope.into_owned(),
                body: body.into_owned(),
                lines,
            },
        }
    }
}

impl IntoOwned for BodyStructure<'_> {
    type Owned = BodyStructure<'static>;
    fn into_owned(self) -> Self::Owned {
        match self {
            BodyStructure::Single(s) => BodyStructure::Single(s.into_owned()),
            BodyStructure::Multi(m) => BodyStructure::Multi(m.into_owned()),
        }
    }
}

fn params<'a>(c: &mut Cursor<'a>) -> ParseResult<BodyParams<'a>> {
    if parse_nil(c) {
        return Ok(LazyList::new());
    }
    c.expect(b'(', Expected::OpenParen)?;
    let start = c.pos();
    let mut count = 0;
    loop {
        count += 1;
        c.check_list_length(count)?;
        IString::parse_string(c)?;
        c.sp()?;
        IString::parse_string(c)?;
        if c.peek() == Some(b')') {
            let inner = c.since(start);
            c.advance(1);
            return Ok(LazyList::raw(inner));
        }
        c.sp()?;
    }
}

fn encode_params<S: Sink + ?Sized>(params: &BodyParams<'_>, out: &mut S) {
    let empty = match params.as_raw() {
        Some(raw) => raw.is_empty(),
        None => params.as_built().is_none_or(<[_]>::is_empty),
    };
    if empty {
        return out.put(b"NIL");
    }
    out.put(b"(");
    params.encode_items(out, b" ", |(name, value), o| {
        name.encode_string(o);
        o.put(b" ");
        value.encode_string(o);
    });
    out.put(b")");
}

fn disposition<'a>(c: &mut Cursor<'a>) -> ParseResult<Option<Disposition<'a>>> {
    if parse_nil(c) {
        return Ok(None);
    }
    c.expect(b'(', Expected::OpenParen)?;
    let kind = IString::parse_string(c)?;
    c.sp()?;
    let params = params(c)?;
    c.expect(b')', Expected::CloseParen)?;
    Ok(Some(Disposition { kind, params }))
}

fn languages<'a>(c: &mut Cursor<'a>) -> ParseResult<LazyList<'a, IString<'a>>> {
    if c.peek() == Some(b'(') {
        c.advance(1);
        return lazy::until_close(c, false, Cursor::sp, |c| IString::parse_string(c).map(drop));
    }
    // A single tag is the list of that tag, NIL the empty list.
    let start = c.pos();
    Ok(match IString::parse_nstring(c)? {
        Some(_) => LazyList::raw(c.since(start)),
        None => LazyList::new(),
    })
}

fn extension_tail<'a>(c: &mut Cursor<'a>) -> ParseResult<Option<ExtensionTail<'a>>> {
    if !c.eat(b' ') {
        return Ok(None);
    }
    let disposition = disposition(c)?;
    let language = if c.eat(b' ') {
        let languages = languages(c)?;
        let location = if c.eat(b' ') {
            let location = IString::parse_nstring(c)?;
            let mut extensions = LazyList::new();
            if c.eat(b' ') {
                let start = c.pos();
                let mut count = 1;
                c.check_list_length(count)?;
                RawValue::parse(c)?;
                while c.eat(b' ') {
                    count += 1;
                    c.check_list_length(count)?;
                    RawValue::parse(c)?;
                }
                extensions = LazyList::raw(c.since(start));
            }
            Some(LocationTail {
                location,
                extensions,
            })
        } else {
            None
        };
        Some(LanguageTail {
            languages,
            location,
        })
    } else {
        None
    };
    Ok(Some(ExtensionTail {
        disposition,
        language,
    }))
}

fn encode_tail<S: Sink + ?Sized>(tail: &Option<ExtensionTail<'_>>, out: &mut S) {
    let Some(tail) = tail else { return };
    out.put(b" ");
    match &tail.disposition {
        None => out.put(b"NIL"),
        Some(d) => {
            out.put(b"(");
            d.kind.encode_string(out);
            out.put(b" ");
            encode_params(&d.params, out);
            out.put(b")");
        }
    }
    let Some(language) = &tail.language else {
        return;
    };
    out.put(b" ");
    // One tag is sent bare, as it was decoded (or built), more in parentheses.
    let mut tags = language.languages.iter();
    match (tags.next(), tags.next()) {
        (None, _) => out.put(b"NIL"),
        (Some(one), None) => one.encode_string(out),
        _ => {
            out.put(b"(");
            language
                .languages
                .encode_items(out, b" ", |l, o| l.encode_string(o));
            out.put(b")");
        }
    }
    let Some(location) = &language.location else {
        return;
    };
    out.put(b" ");
    IString::encode_nstring(location.location.as_ref(), out);
    let raw_empty = location.extensions.as_raw().is_some_and(<[u8]>::is_empty);
    if !raw_empty && location.extensions.as_built().is_none_or(|e| !e.is_empty()) {
        out.put(b" ");
        location
            .extensions
            .encode_items(out, b" ", |e, o| e.encode(o));
    }
}

impl<'a> BodyStructure<'a> {
    /// Parses `body`. With `extensible` (BODYSTRUCTURE) extension data is accepted;
    /// without (BODY), it is not.
    pub fn parse(c: &mut Cursor<'a>, extensible: bool) -> ParseResult<Self> {
        Self::parse_with(c, extensible, |body| body)
    }

    /// [`parse`](Self::parse) into a new box.
    pub(crate) fn parse_boxed(c: &mut Cursor<'a>, extensible: bool) -> ParseResult<Box<Self>> {
        Self::parse_with(c, extensible, Box::new)
    }

    /// Parses `body` and hands the value to `done` (which boxes it, or pushes it onto a
    /// multipart's parts). Each arm reads the closing parenthesis itself and builds its value
    /// where `done` puts it: a part is almost 400 bytes, and every move of it was a copy
    /// (returning it in a `Result`, then moving it into a box or a `Vec`, was two).
    #[inline]
    fn parse_with<T>(
        c: &mut Cursor<'a>,
        extensible: bool,
        done: impl FnOnce(Self) -> T,
    ) -> ParseResult<T> {
        c.expect(b'(', Expected::BodyStructure)?;
        c.enter()?;
        if c.peek() == Some(b'(') {
            Self::multipart(c, extensible, done)
        } else {
            Self::single(c, extensible, done)
        }
    }

    /// Reads the `)` that closes a body and leaves its nesting level.
    fn close(c: &mut Cursor<'a>) -> ParseResult<()> {
        c.expect(b')', Expected::CloseParen)?;
        c.leave();
        Ok(())
    }

    /// The parts of a multipart, each validated and read again only when the list is
    /// iterated.
    fn parts(c: &mut Cursor<'a>, extensible: bool) -> ParseResult<LazyList<'a, Self>> {
        // The caller saw the first part's parenthesis.
        let start = c.pos();
        let mut count = 0;
        while c.peek() == Some(b'(') {
            count += 1;
            c.check_list_length(count)?;
            Self::parse_with(c, extensible, drop)?;
        }
        Ok(LazyList::raw(c.since(start)))
    }

    fn multipart<T>(
        c: &mut Cursor<'a>,
        extensible: bool,
        done: impl FnOnce(Self) -> T,
    ) -> ParseResult<T> {
        let parts = Self::parts(c, extensible)?;
        c.sp()?;
        let subtype = IString::parse_string(c)?;
        let extension = if extensible && c.eat(b' ') {
            let params = params(c)?;
            let tail = extension_tail(c)?;
            Some(MultipartExtension { params, tail })
        } else {
            None
        };
        Self::close(c)?;
        Ok(done(BodyStructure::Multi(Multipart {
            parts,
            subtype,
            extension,
        })))
    }

    fn single<T>(
        c: &mut Cursor<'a>,
        extensible: bool,
        done: impl FnOnce(Self) -> T,
    ) -> ParseResult<T> {
        let media_type = IString::parse_string(c)?;
        c.sp()?;
        let subtype = IString::parse_string(c)?;
        c.sp()?;
        let params = params(c)?;
        c.sp()?;
        let id = IString::parse_nstring(c)?;
        c.sp()?;
        let description = IString::parse_nstring(c)?;
        c.sp()?;
        let encoding = IString::parse_string(c)?;
        c.sp()?;
        let octets = number(c)?;
        let fields = BodyFields {
            params,
            id,
            description,
            encoding,
            octets,
        };
        let kind = if media_type.eq_ignore_case(b"TEXT") {
            c.sp()?;
            SinglePartKind::Text {
                lines: number64(c)?,
            }
        } else if media_type.eq_ignore_case(b"MESSAGE")
            && (subtype.eq_ignore_case(b"RFC822") || subtype.eq_ignore_case(b"GLOBAL"))
        {
            c.sp()?;
            let envelope = Box::new(Envelope::parse(c)?);
            c.sp()?;
            let body = Self::parse_boxed(c, extensible)?;
            c.sp()?;
            SinglePartKind::Message {
                envelope,
                body,
                lines: number64(c)?,
            }
        } else {
            SinglePartKind::Basic
        };
        let extension = if extensible && c.eat(b' ') {
            let md5 = IString::parse_nstring(c)?;
            let tail = extension_tail(c)?;
            Some(SinglePartExtension { md5, tail })
        } else {
            None
        };
        Self::close(c)?;
        Ok(done(BodyStructure::Single(SinglePart {
            media_type,
            subtype,
            fields,
            kind,
            extension,
        })))
    }
}

impl Encode for BodyStructure<'_> {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(b"(");
        match self {
            BodyStructure::Multi(m) => {
                m.parts.encode_items(out, b"", |part, o| part.encode(o));
                out.put(b" ");
                m.subtype.encode_string(out);
                if let Some(ext) = &m.extension {
                    out.put(b" ");
                    encode_params(&ext.params, out);
                    encode_tail(&ext.tail, out);
                }
            }
            BodyStructure::Single(s) => {
                s.media_type.encode_string(out);
                out.put(b" ");
                s.subtype.encode_string(out);
                out.put(b" ");
                encode_params(&s.fields.params, out);
                out.put(b" ");
                IString::encode_nstring(s.fields.id.as_ref(), out);
                out.put(b" ");
                IString::encode_nstring(s.fields.description.as_ref(), out);
                out.put(b" ");
                s.fields.encoding.encode_string(out);
                out.put(b" ");
                put_number(out, u64::from(s.fields.octets));
                match &s.kind {
                    SinglePartKind::Basic => {}
                    SinglePartKind::Text { lines } => {
                        out.put(b" ");
                        put_number(out, *lines);
                    }
                    SinglePartKind::Message {
                        envelope,
                        body,
                        lines,
                    } => {
                        out.put(b" ");
                        envelope.encode(out);
                        out.put(b" ");
                        body.encode(out);
                        out.put(b" ");
                        put_number(out, *lines);
                    }
                }
                if let Some(ext) = &s.extension {
                    out.put(b" ");
                    IString::encode_nstring(ext.md5.as_ref(), out);
                    encode_tail(&ext.tail, out);
                }
            }
        }
        out.put(b")");
    }
}
