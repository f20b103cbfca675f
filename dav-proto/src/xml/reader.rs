//! A namespace-aware pull reader over a borrowed body, on quick-xml's `NsReader`: it hands out
//! child elements one level at a time, with their names resolved to [`Name`], and enforces the
//! [`Limits`]. DTDs are refused outright, so entity expansion attacks and external entities
//! never reach a parser.

use std::borrow::Cow;

use quick_xml::NsReader;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{QName, ResolveResult};

use crate::decoded::{DecodeError, ErrorKind, Expected};
use crate::limits::{Limit, Limits};
use crate::xml::names::{CalDav, CalendarServer, CardDav, Dav, Name};
use crate::xml::raw::RawXml;

/// Why a body decoder stopped: the input ended early, or it is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fail {
    /// The body ends before its root element does.
    Incomplete,
    /// The body is invalid.
    Invalid(DecodeError),
}

impl From<DecodeError> for Fail {
    fn from(e: DecodeError) -> Self {
        Fail::Invalid(e)
    }
}

/// Results inside the body decoders.
pub(crate) type XmlResult<T> = Result<T, Fail>;

/// An element start the reader handed out; its content is read next.
#[derive(Debug, Clone)]
pub(crate) struct Element<'a> {
    /// The resolved name.
    pub name: Name<'a>,
    /// Whether it was `<x/>`, with no content and no end tag.
    pub empty: bool,
    start: BytesStart<'a>,
    /// Byte offset of the start tag.
    pub offset: usize,
}

/// The pull reader.
#[derive(Clone)]
pub(crate) struct XmlReader<'a> {
    inner: NsReader<&'a [u8]>,
    input: &'a str,
    /// Bytes before what `inner` reads (a UTF-8 byte order mark), added to its positions.
    base: usize,
    limits: Limits,
    depth: usize,
}

impl<'a> XmlReader<'a> {
    /// A reader over `input`, which must be the whole body (or a prefix of it).
    pub fn new(input: &'a [u8], limits: &Limits) -> XmlResult<Self> {
        if input.len() > limits.max_body_size {
            return Err(invalid(
                limits.max_body_size,
                ErrorKind::LimitExceeded(Limit::BodySize),
            ));
        }
        // The whole body is checked once, with SIMD where the CPU has it (a tenth of decoding
        // went into the standard library's check); the error details come from the standard
        // check, run only on failure.
        let text = match simdutf8::basic::from_utf8(input) {
            Ok(text) => text,
            Err(_) => match std::str::from_utf8(input) {
                Ok(text) => text,
                // A multi-byte sequence cut by the end of the input: wait for the rest.
                Err(e) if e.error_len().is_none() => return Err(Fail::Incomplete),
                Err(e) => return Err(expected(e.valid_up_to(), Expected::Utf8)),
            },
        };
        // quick-xml skips a byte order mark itself, which would shift every position we take
        // from it; strip it here and count it instead.
        let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let mut inner = NsReader::from_str(text.get(base..).unwrap_or_default());
        let config = inner.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        Ok(Self {
            inner,
            input: text,
            base,
            limits: *limits,
            depth: 0,
        })
    }

    /// Whether the content from the current position up to the next tag is plain text
    /// followed by an end tag (no child element, comment or CDATA): then reading it as text
    /// cannot fail on its structure.
    pub fn at_plain_text(&self) -> bool {
        let rest = self
            .input
            .as_bytes()
            .get(self.position()..)
            .unwrap_or_default();
        memchr::memchr(b'<', rest).is_some_and(|lt| rest.get(lt + 1) == Some(&b'/'))
    }

    /// Current byte offset.
    pub fn position(&self) -> usize {
        usize::try_from(self.inner.buffer_position())
            .unwrap_or(usize::MAX)
            .saturating_add(self.base)
    }

    /// Reads one event, mapping quick-xml failures, the end of input and DTDs.
    fn event(&mut self) -> XmlResult<Event<'a>> {
        match self.inner.read_event() {
            Ok(Event::Eof) => Err(Fail::Incomplete),
            Ok(Event::DocType(_)) => Err(expected(self.position(), Expected::NoDoctype)),
            Ok(event) => Ok(event),
            Err(quick_xml::Error::Syntax(_)) => Err(Fail::Incomplete),
            Err(_) => {
                let at = usize::try_from(self.inner.error_position())
                    .unwrap_or(usize::MAX)
                    .saturating_add(self.base);
                Err(expected(at, Expected::WellFormedXml))
            }
        }
    }

    /// The root element, after any XML declaration, comments and whitespace.
    pub fn root(&mut self) -> XmlResult<Element<'a>> {
        loop {
            let at = self.position();
            match self.event()? {
                Event::Start(start) => return self.element(start, false, at),
                Event::Empty(start) => return self.element(start, true, at),
                Event::Text(text) if is_blank(&text) => {}
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
                _ => return Err(expected(at, Expected::WellFormedXml)),
            }
        }
    }

    /// After the root element: only whitespace, comments and PIs may follow. Returns the
    /// body length.
    pub fn finish(&mut self) -> XmlResult<usize> {
        loop {
            let at = self.position();
            match self.inner.read_event() {
                Ok(Event::Eof) => return Ok(self.input.len()),
                Ok(Event::Text(text)) if is_blank(&text) => {}
                Ok(Event::Comment(_) | Event::PI(_)) => {}
                Ok(_) | Err(_) => return Err(expected(at, Expected::WellFormedXml)),
            }
        }
    }

    fn element(
        &mut self,
        start: BytesStart<'a>,
        empty: bool,
        offset: usize,
    ) -> XmlResult<Element<'a>> {
        let depth = self.depth + 1;
        if depth > self.limits.max_nesting_depth {
            return Err(invalid(
                offset,
                ErrorKind::LimitExceeded(Limit::NestingDepth),
            ));
        }
        if !empty {
            self.depth = depth;
        }
        let name = self.resolve(&start, offset)?;
        Ok(Element {
            name,
            empty,
            start,
            offset,
        })
    }

    fn resolve(&self, start: &BytesStart<'a>, offset: usize) -> XmlResult<Name<'a>> {
        let (ns, local) = self.inner.resolve_element(start.name());
        let local = self
            .reborrow(local.into_inner())
            .ok_or(expected(offset, Expected::WellFormedXml))?;
        // A known name is well-formed by construction; only the others are checked.
        let unknown = |namespace: Cow<'a, str>| {
            if is_xml_name(local) {
                Ok(Name::new(namespace, local))
            } else {
                Err(expected(offset, Expected::WellFormedXml))
            }
        };
        match ns {
            ResolveResult::Bound(ns) => {
                let ns = ns.into_inner();
                // The known namespaces are matched on bytes, so resolving them allocates nothing.
                let known = match ns {
                    b"DAV:" => Dav::from_local(local).map(Name::Dav),
                    b"urn:ietf:params:xml:ns:caldav" => CalDav::from_local(local).map(Name::CalDav),
                    b"urn:ietf:params:xml:ns:carddav" => {
                        CardDav::from_local(local).map(Name::CardDav)
                    }
                    b"http://calendarserver.org/ns/" => {
                        CalendarServer::from_local(local).map(Name::CalendarServer)
                    }
                    _ => None,
                };
                match known {
                    Some(name) => Ok(name),
                    None => unknown(Cow::Owned(namespace_uri(ns, offset)?)),
                }
            }
            ResolveResult::Unbound => unknown(Cow::Borrowed("")),
            ResolveResult::Unknown(_) => Err(expected(offset, Expected::DeclaredNamespace)),
        }
    }

    /// The slice of the input `piece` points into, with the input's lifetime.
    fn reborrow(&self, piece: &[u8]) -> Option<&'a str> {
        let base = self.input.as_ptr() as usize;
        let start = (piece.as_ptr() as usize).checked_sub(base)?;
        let end = start.checked_add(piece.len())?;
        self.input.get(start..end)
    }

    /// The next child element of `parent`, or `None` at its end tag. Text between child
    /// elements is ignored.
    pub fn next_child(&mut self, parent: &Element<'a>) -> XmlResult<Option<Element<'a>>> {
        if parent.empty {
            return Ok(None);
        }
        loop {
            let at = self.position();
            match self.event()? {
                Event::Start(start) => return self.element(start, false, at).map(Some),
                Event::Empty(start) => return self.element(start, true, at).map(Some),
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(None);
                }
                Event::GeneralRef(r) => {
                    self.resolve_ref(&r, at)?;
                }
                Event::Decl(_) => return Err(expected(at, Expected::WellFormedXml)),
                _ => {}
            }
        }
    }

    /// The text content of `element` (entity and character references resolved, line ends
    /// kept as they are in the input), up to its end tag.
    pub fn text(&mut self, element: &Element<'a>) -> XmlResult<Cow<'a, str>> {
        self.text_inner(element, false)
    }

    /// Like [`XmlReader::text`], but child elements are skipped instead of refused (for
    /// `responsedescription`, which servers and RFC 3744 examples fill with markup).
    pub fn text_skipping_elements(&mut self, element: &Element<'a>) -> XmlResult<Cow<'a, str>> {
        self.text_inner(element, true)
    }

    fn text_inner(
        &mut self,
        element: &Element<'a>,
        skip_elements: bool,
    ) -> XmlResult<Cow<'a, str>> {
        let mut acc: Option<Cow<'a, str>> = None;
        if element.empty {
            return Ok(Cow::Borrowed(""));
        }
        loop {
            let at = self.position();
            match self.event()? {
                // The body was checked as UTF-8 as a whole: text is borrowed from it as it is.
                Event::Text(text) => {
                    let piece = match self.reborrow(&text) {
                        Some(piece) => Cow::Borrowed(piece),
                        None => text.decode().map_err(|_| expected(at, Expected::Utf8))?,
                    };
                    append(&mut acc, piece);
                }
                Event::CData(data) => {
                    let piece = match self.reborrow(&data) {
                        Some(piece) => Cow::Borrowed(piece),
                        None => data.decode().map_err(|_| expected(at, Expected::Utf8))?,
                    };
                    append(&mut acc, piece);
                }
                Event::GeneralRef(r) => {
                    let c = self.resolve_ref(&r, at)?;
                    let text = acc.get_or_insert(Cow::Borrowed(""));
                    if let Cow::Borrowed(so_far) = text {
                        // The text ends at the next tag at the latest: one allocation holds
                        // it all (calendar data has a `&#13;` on every line).
                        let rest = self.input.get(self.position()..).unwrap_or_default();
                        let ahead = memchr::memchr(b'<', rest.as_bytes()).unwrap_or(rest.len());
                        let mut owned = String::with_capacity(so_far.len() + ahead);
                        owned.push_str(so_far);
                        *text = Cow::Owned(owned);
                    }
                    text.to_mut().push(c);
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(acc.unwrap_or(Cow::Borrowed("")));
                }
                Event::Start(start) if skip_elements => {
                    let child = self.element(start, false, at)?;
                    self.skip(&child)?;
                }
                Event::Empty(_) if skip_elements => {}
                Event::Start(_) | Event::Empty(_) | Event::Decl(_) => {
                    return Err(expected(at, Expected::TextContent));
                }
                _ => {}
            }
        }
    }

    /// The character an entity or character reference stands for. Read from the bytes: a
    /// CalDAV body escapes every CR of its calendar data as `&#13;`.
    fn resolve_ref(&self, r: &BytesRef<'a>, at: usize) -> XmlResult<char> {
        let resolved = match &**r {
            b"amp" => Some('&'),
            b"lt" => Some('<'),
            b"gt" => Some('>'),
            b"apos" => Some('\''),
            b"quot" => Some('"'),
            [b'#', b'x', hex @ ..] => char_reference(hex, 16),
            [b'#', decimal @ ..] => char_reference(decimal, 10),
            _ => None,
        };
        resolved.ok_or(expected(at, Expected::KnownEntity))
    }

    /// Skips `element`'s content up to its end tag (iteratively: no recursion on depth).
    pub fn skip(&mut self, element: &Element<'a>) -> XmlResult<()> {
        if element.empty {
            return Ok(());
        }
        let mut level = 0usize;
        loop {
            let at = self.position();
            match self.event()? {
                Event::Start(_) => {
                    self.enter(at)?;
                    level += 1;
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    if level == 0 {
                        return Ok(());
                    }
                    level -= 1;
                }
                Event::GeneralRef(r) => {
                    self.resolve_ref(&r, at)?;
                }
                Event::Decl(_) => return Err(expected(at, Expected::WellFormedXml)),
                _ => {}
            }
        }
    }

    /// Goes one element deeper, within the depth limit.
    fn enter(&mut self, at: usize) -> XmlResult<()> {
        let depth = self.depth + 1;
        if depth > self.limits.max_nesting_depth {
            return Err(invalid(at, ErrorKind::LimitExceeded(Limit::NestingDepth)));
        }
        self.depth = depth;
        Ok(())
    }

    /// The content of `element` kept verbatim, with the namespace bindings it uses from
    /// outside itself.
    pub fn raw(&mut self, element: &Element<'a>) -> XmlResult<RawXml<'a>> {
        if element.empty {
            return Ok(RawXml::default());
        }
        let start = self.position();
        let mut used: Vec<(Cow<'a, str>, Cow<'a, str>)> = Vec::new();
        // Prefixes declared inside the content, with the nesting level they apply from.
        let mut declared: Vec<(usize, &'a str)> = Vec::new();
        let mut level = 0usize;
        loop {
            let at = self.position();
            match self.event()? {
                Event::Start(s) => {
                    self.element(s.clone(), false, at)?;
                    level += 1;
                    self.note_bindings(&s, at, level, &mut used, &mut declared)?;
                }
                Event::Empty(s) => {
                    self.element(s.clone(), true, at)?;
                    self.note_bindings(&s, at, level + 1, &mut used, &mut declared)?;
                    declared.retain(|(l, _)| *l <= level);
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    if level == 0 {
                        let content = self.input.get(start..at).unwrap_or_default();
                        // quick-xml tolerates some malformed markup; content kept verbatim
                        // must stand on its own when written back.
                        if !is_balanced_fragment(content) {
                            return Err(expected(element.offset, Expected::WellFormedXml));
                        }
                        used.sort();
                        used.dedup();
                        return Ok(RawXml {
                            content: Cow::Borrowed(content),
                            namespaces: used,
                        });
                    }
                    declared.retain(|(l, _)| *l < level);
                    level -= 1;
                }
                Event::GeneralRef(r) => {
                    self.resolve_ref(&r, at)?;
                }
                Event::Decl(_) => return Err(expected(at, Expected::WellFormedXml)),
                _ => {}
            }
        }
    }

    /// Records the prefixes an element inside raw content uses that are bound outside it.
    fn note_bindings(
        &self,
        start: &BytesStart<'a>,
        at: usize,
        level: usize,
        used: &mut Vec<(Cow<'a, str>, Cow<'a, str>)>,
        declared: &mut Vec<(usize, &'a str)>,
    ) -> XmlResult<()> {
        let element_name = start.name();
        let mut names: Vec<QName<'_>> = vec![element_name];
        for attr in start.attributes().with_checks(false) {
            let attr = attr.map_err(|_| expected(at, Expected::AttributeValue))?;
            let Some(key) = self.reborrow(attr.key.as_ref()) else {
                continue;
            };
            if key == "xmlns" {
                declared.push((level, ""));
            } else if let Some(prefix) = key.strip_prefix("xmlns:") {
                declared.push((level, prefix));
            } else if key.contains(':') && !key.starts_with("xml:") {
                names.push(QName(key.as_bytes()));
            }
        }
        for (i, name) in names.into_iter().enumerate() {
            let prefix = name.prefix().map(|p| p.into_inner()).unwrap_or_default();
            let Some(prefix) = self
                .reborrow(prefix)
                .or(Some(""))
                .filter(|p| !declared.iter().any(|(_, d)| d == p))
            else {
                continue;
            };
            if prefix == "xml" {
                continue;
            }
            let resolved = if i == 0 {
                self.inner.resolve_element(name).0
            } else {
                self.inner.resolve_attribute(name).0
            };
            match resolved {
                ResolveResult::Bound(ns) => {
                    let ns = namespace_uri(ns.into_inner(), at)?;
                    used.push((Cow::Borrowed(prefix), Cow::Owned(ns)));
                }
                ResolveResult::Unbound => {}
                ResolveResult::Unknown(_) => {
                    return Err(expected(at, Expected::DeclaredNamespace));
                }
            }
        }
        Ok(())
    }

    /// The value of the unprefixed attribute `key` of `element`.
    pub fn attr(&self, element: &Element<'a>, key: &str) -> XmlResult<Option<Cow<'a, str>>> {
        for attr in element.start.attributes().with_checks(false) {
            let attr = attr.map_err(|_| expected(element.offset, Expected::AttributeValue))?;
            if attr.key.as_ref() != key.as_bytes() {
                continue;
            }
            let raw = self
                .reborrow(&attr.value)
                .ok_or(expected(element.offset, Expected::AttributeValue))?;
            if !raw.contains('&') {
                return Ok(Some(Cow::Borrowed(raw)));
            }
            let value = quick_xml::escape::unescape(raw)
                .map_err(|_| expected(element.offset, Expected::KnownEntity))?;
            return Ok(Some(Cow::Owned(value.into_owned())));
        }
        Ok(None)
    }

    /// Checks a list about to grow past `len` items against the list limit.
    pub fn check_list(&self, len: usize, at: usize) -> XmlResult<()> {
        if len >= self.limits.max_list_length {
            return Err(invalid(at, ErrorKind::LimitExceeded(Limit::ListLength)));
        }
        Ok(())
    }
}

/// Whether `content` parses on its own as balanced XML content (no DTD, every element closed).
fn is_balanced_fragment(content: &str) -> bool {
    let mut reader = quick_xml::Reader::from_str(content);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => depth += 1,
            Ok(Event::End(_)) => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            Ok(Event::Eof) => return depth == 0,
            Ok(Event::DocType(_) | Event::Decl(_)) | Err(_) => return false,
            Ok(_) => {}
        }
    }
}

/// A namespace URI as declared: the `xmlns` attribute value, unescaped.
/// The namespace of an element or attribute name, unescaped. The namespace of the `xmlns`
/// prefix names no element or attribute (Namespaces in XML §3: "Element names MUST NOT have
/// the prefix xmlns"); such a name is not well-formed.
fn namespace_uri(raw: &[u8], at: usize) -> XmlResult<String> {
    let text = std::str::from_utf8(raw).map_err(|_| expected(at, Expected::Utf8))?;
    let text = if text.contains('&') {
        quick_xml::escape::unescape(text)
            .map(Cow::into_owned)
            .map_err(|_| expected(at, Expected::KnownEntity))?
    } else {
        text.to_owned()
    };
    if text == XMLNS_NS {
        return Err(expected(at, Expected::WellFormedXml));
    }
    Ok(text)
}

/// The namespace the `xmlns` prefix is bound to by definition.
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// The character of a numeric reference's digits (`13` of `&#13;`, `1F600` of `&#x1F600;`):
/// digits only (no sign), not NUL, a Unicode scalar value (XML 1.0 §4.1).
fn char_reference(digits: &[u8], radix: u32) -> Option<char> {
    let mut code = 0u32;
    for &b in digits {
        let digit = char::from(b).to_digit(radix)?;
        code = code.checked_mul(radix)?.checked_add(digit)?;
    }
    if digits.is_empty() || code == 0 {
        return None;
    }
    char::from_u32(code)
}

fn append<'a>(acc: &mut Option<Cow<'a, str>>, piece: Cow<'a, str>) {
    match acc {
        None => *acc = Some(piece),
        Some(existing) => existing.to_mut().push_str(&piece),
    }
}

/// Whether `name` is a plausible XML NCName (what quick-xml does not check for us).
fn is_xml_name(name: &str) -> bool {
    // ASCII names (nearly all) are checked bytewise, without the Unicode tables.
    let bytes = name.as_bytes();
    if bytes.is_ascii() {
        return bytes
            .first()
            .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_')
            && bytes
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    }
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || !c.is_ascii())
        && chars.all(|c| {
            c.is_alphanumeric()
                || matches!(c, '_' | '-' | '.')
                || (!c.is_ascii() && !c.is_whitespace())
        })
}

fn is_blank(text: &[u8]) -> bool {
    text.iter().all(u8::is_ascii_whitespace)
}

/// An invalid-input failure at `offset`.
pub(crate) fn invalid(offset: usize, kind: ErrorKind) -> Fail {
    Fail::Invalid(DecodeError::new(offset, kind))
}

/// An `Expected` failure at `offset`.
pub(crate) fn expected(offset: usize, what: Expected) -> Fail {
    invalid(offset, ErrorKind::Expected(what))
}
