//! A namespace-aware pull reader over a borrowed body, on the crate's own [`Tokenizer`]: it
//! hands out child elements one level at a time, with their names resolved to [`Name`], and
//! enforces the [`Limits`]. DTDs are refused outright, so entity expansion attacks and external
//! entities never reach a parser.

use std::borrow::Cow;

use crate::decoded::{DecodeError, ErrorKind, Expected};
use crate::limits::{Limit, Limits};
use crate::xml::names::{
    CALDAV_NS, CALENDARSERVER_NS, CARDDAV_NS, CalDav, CalendarServer, CardDav, DAV_NS, Dav, Name,
    QualifiedName,
};
use crate::xml::raw::RawXml;
use crate::xml::tokenizer::{self, Checkpoint, Namespace, Token, Tokenizer, XMLNS_NS};

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
    /// The start tag's attribute section, checked, values escaped.
    attributes: &'a str,
    /// Byte offset of the start tag.
    pub offset: usize,
}

/// The pull reader.
pub(crate) struct XmlReader<'a> {
    tokens: Tokenizer<'a>,
    limits: Limits,
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
        // A byte order mark is not part of the document.
        let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
        Ok(Self {
            tokens: Tokenizer::new(text, start),
            limits: *limits,
        })
    }

    /// Whether the content from the current position up to the next tag is plain text
    /// followed by an end tag (no child element, comment or CDATA): then reading it as text
    /// cannot fail on its structure.
    pub fn at_plain_text(&self) -> bool {
        let rest = self.tokens.rest();
        memchr::memchr(b'<', rest).is_some_and(|lt| rest.get(lt + 1) == Some(&b'/'))
    }

    /// Current byte offset.
    pub fn position(&self) -> usize {
        self.tokens.position()
    }

    /// The current state, to [`rewind`](Self::rewind) to after reading an element's content.
    pub fn mark(&self) -> Checkpoint {
        self.tokens.checkpoint()
    }

    /// Goes back to `mark`, taken inside the element whose content has been read since.
    pub fn rewind(&mut self, mark: Checkpoint) {
        self.tokens.rewind(mark);
    }

    /// The next token inside the root element; the end of input there means more is needed.
    fn token(&mut self) -> XmlResult<Token> {
        match self.tokens.next_token()? {
            Token::Eof => Err(Fail::Incomplete),
            token => Ok(token),
        }
    }

    /// The root element, after any XML declaration, comments and whitespace.
    pub fn root(&mut self) -> XmlResult<Element<'a>> {
        loop {
            match self.token()? {
                Token::Start => return self.element(false),
                Token::Empty => return self.element(true),
                Token::Text if is_blank(self.tokens.span()) => {}
                Token::Decl | Token::Ignored => {}
                _ => return Err(expected(self.tokens.token_start(), Expected::WellFormedXml)),
            }
        }
    }

    /// After the root element: only whitespace, comments and PIs may follow. Returns the
    /// body length.
    pub fn finish(&mut self) -> XmlResult<usize> {
        loop {
            let at = self.position();
            match self.tokens.next_token() {
                Ok(Token::Eof) => return Ok(self.tokens.input().len()),
                Ok(Token::Text) if is_blank(self.tokens.span()) => {}
                Ok(Token::Ignored) => {}
                Ok(_) | Err(_) => return Err(expected(at, Expected::WellFormedXml)),
            }
        }
    }

    /// The element of the start tag just read, within the depth limit.
    // Inlined with `resolve`: the element is built in its caller's frame, not returned through
    // memory and read back in wider loads than it was written with (a store-forwarding stall).
    #[inline(always)]
    fn element(&mut self, empty: bool) -> XmlResult<Element<'a>> {
        let offset = self.tokens.token_start();
        self.check_depth(usize::from(empty), offset)?;
        Ok(Element {
            name: self.resolve(offset)?,
            empty,
            attributes: self.tokens.attributes(),
            offset,
        })
    }

    /// Refuses nesting deeper than the limit (`extra`: an empty element not counted yet).
    fn check_depth(&self, extra: usize, at: usize) -> XmlResult<()> {
        if self.tokens.depth() + extra > self.limits.max_nesting_depth {
            return Err(invalid(at, ErrorKind::LimitExceeded(Limit::NestingDepth)));
        }
        Ok(())
    }

    /// The name of the start tag just read, resolved.
    #[inline(always)]
    fn resolve(&self, offset: usize) -> XmlResult<Name<'a>> {
        let qname = self.tokens.span();
        // Names are short: a plain loop finds the colon faster than a string search.
        let (prefix, local) = match qname.bytes().position(|b| b == b':') {
            Some(0) => return Err(expected(offset, Expected::WellFormedXml)),
            Some(colon) => (
                qname.get(..colon).unwrap_or_default(),
                qname.get(colon + 1..).unwrap_or_default(),
            ),
            None => ("", qname),
        };
        let namespace = self
            .tokens
            .resolve(prefix.as_bytes())
            .ok_or(expected(offset, Expected::DeclaredNamespace))?;
        // Known names are matched without building anything; only the others are checked.
        let known = match namespace {
            Namespace::Dav => Dav::from_local(local).map(Name::Dav),
            Namespace::CalDav => CalDav::from_local(local).map(Name::CalDav),
            Namespace::CardDav => CardDav::from_local(local).map(Name::CardDav),
            Namespace::CalendarServer => {
                CalendarServer::from_local(local).map(Name::CalendarServer)
            }
            Namespace::Other(_) | Namespace::None => None,
        };
        if let Some(name) = known {
            return Ok(name);
        }
        if !is_xml_name(local) {
            return Err(expected(offset, Expected::WellFormedXml));
        }
        // The namespace was classified when declared, and a known one's local name was just
        // looked up: only a URI that had to be unescaped can still name a known element.
        Ok(match namespace_uri(namespace, offset)? {
            Cow::Owned(unescaped) => Name::new(unescaped, local),
            namespace => Name::Other(QualifiedName {
                namespace,
                local: Cow::Borrowed(local),
            }),
        })
    }

    /// The next child element of `parent`, or `None` at its end tag. Text between child
    /// elements is ignored.
    pub fn next_child(&mut self, parent: &Element<'a>) -> XmlResult<Option<Element<'a>>> {
        if parent.empty {
            return Ok(None);
        }
        loop {
            match self.token()? {
                Token::Start => return self.element(false).map(Some),
                Token::Empty => return self.element(true).map(Some),
                Token::End => return Ok(None),
                Token::Reference => {
                    self.reference()?;
                }
                Token::Decl => {
                    return Err(expected(self.tokens.token_start(), Expected::WellFormedXml));
                }
                Token::Text | Token::CData | Token::Ignored | Token::Eof => {}
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
            match self.token()? {
                // The body was checked as UTF-8 as a whole: text is borrowed from it as it is.
                Token::Text | Token::CData => append(&mut acc, self.tokens.span()),
                Token::Reference => {
                    let c = self.reference()?;
                    let text = acc.get_or_insert(Cow::Borrowed(""));
                    if let Cow::Borrowed(so_far) = text {
                        // The text ends at the next tag at the latest: one allocation holds
                        // it all (calendar data has a `&#13;` on every line).
                        let rest = self.tokens.rest();
                        let ahead = memchr::memchr(b'<', rest).unwrap_or(rest.len());
                        let mut owned = String::with_capacity(so_far.len() + ahead + 1);
                        owned.push_str(so_far);
                        *text = Cow::Owned(owned);
                    }
                    text.to_mut().push(c);
                }
                Token::End => return Ok(acc.unwrap_or(Cow::Borrowed(""))),
                Token::Start if skip_elements => {
                    let child = self.element(false)?;
                    self.skip(&child)?;
                }
                Token::Empty if skip_elements => {}
                Token::Start | Token::Empty | Token::Decl => {
                    return Err(expected(self.tokens.token_start(), Expected::TextContent));
                }
                Token::Ignored | Token::Eof => {}
            }
        }
    }

    /// The character the reference just read stands for. A CalDAV body escapes every CR of
    /// its calendar data as `&#13;`.
    fn reference(&self) -> XmlResult<char> {
        let resolved = match self.tokens.span().as_bytes() {
            b"amp" => Some('&'),
            b"lt" => Some('<'),
            b"gt" => Some('>'),
            b"apos" => Some('\''),
            b"quot" => Some('"'),
            [b'#', b'x', hex @ ..] => char_reference(hex, 16),
            [b'#', decimal @ ..] => char_reference(decimal, 10),
            _ => None,
        };
        resolved.ok_or(expected(self.tokens.token_start(), Expected::KnownEntity))
    }

    /// Skips `element`'s content up to its end tag (iteratively: no recursion on depth).
    pub fn skip(&mut self, element: &Element<'a>) -> XmlResult<()> {
        if element.empty {
            return Ok(());
        }
        // `element` is open; its own end tag closes it.
        let outer = self.tokens.depth();
        loop {
            match self.token()? {
                Token::Start => self.check_depth(0, self.tokens.token_start())?,
                Token::End if self.tokens.depth() < outer => return Ok(()),
                Token::End => {}
                Token::Reference => {
                    self.reference()?;
                }
                Token::Decl => {
                    return Err(expected(self.tokens.token_start(), Expected::WellFormedXml));
                }
                Token::Empty | Token::Text | Token::CData | Token::Ignored | Token::Eof => {}
            }
        }
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
        // `element` is open; the level inside it is the depth beyond that.
        let outer = self.tokens.depth();
        loop {
            match self.token()? {
                Token::Start => {
                    self.element(false)?;
                    let level = self.tokens.depth() - outer;
                    self.note_bindings(level, &mut used, &mut declared)?;
                }
                Token::Empty => {
                    self.element(true)?;
                    let level = self.tokens.depth() - outer;
                    self.note_bindings(level + 1, &mut used, &mut declared)?;
                    declared.retain(|(l, _)| *l <= level);
                }
                Token::End => {
                    if self.tokens.depth() < outer {
                        let at = self.tokens.token_start();
                        // Balanced, every end tag matched: it stands on its own when written
                        // back.
                        let content = self.tokens.input().get(start..at).unwrap_or_default();
                        used.sort();
                        used.dedup();
                        return Ok(RawXml {
                            content: Cow::Borrowed(content),
                            namespaces: used,
                        });
                    }
                    // The closed element's declarations end with it.
                    let level = self.tokens.depth() - outer;
                    declared.retain(|(l, _)| *l <= level);
                }
                Token::Reference => {
                    self.reference()?;
                }
                Token::Decl => {
                    return Err(expected(self.tokens.token_start(), Expected::WellFormedXml));
                }
                Token::Text | Token::CData | Token::Ignored | Token::Eof => {}
            }
        }
    }

    /// Records the prefixes the start tag just read (inside raw content) uses that are bound
    /// outside the content.
    fn note_bindings(
        &self,
        level: usize,
        used: &mut Vec<(Cow<'a, str>, Cow<'a, str>)>,
        declared: &mut Vec<(usize, &'a str)>,
    ) -> XmlResult<()> {
        let at = self.tokens.token_start();
        let qname = self.tokens.span();
        let mut prefixes: Vec<&'a str> = vec![qname.split_once(':').map_or("", |(p, _)| p)];
        for (key, _) in tokenizer::attributes(self.tokens.attributes()) {
            if key == "xmlns" {
                declared.push((level, ""));
            } else if let Some(prefix) = key.strip_prefix("xmlns:") {
                declared.push((level, prefix));
            } else if let Some((prefix, _)) = key.split_once(':') {
                // Unprefixed attributes are in no namespace; `xml:` is bound by definition.
                if prefix != "xml" {
                    prefixes.push(prefix);
                }
            }
        }
        for prefix in prefixes {
            if prefix == "xml" || declared.iter().any(|(_, d)| *d == prefix) {
                continue;
            }
            match self.tokens.resolve(prefix.as_bytes()) {
                Some(Namespace::None) => {}
                Some(namespace) => {
                    used.push((Cow::Borrowed(prefix), namespace_uri(namespace, at)?));
                }
                None => return Err(expected(at, Expected::DeclaredNamespace)),
            }
        }
        Ok(())
    }

    /// The value of the attribute `key` of `element`, as written (`xml:lang` with its
    /// prefix).
    pub fn attr(&self, element: &Element<'a>, key: &str) -> XmlResult<Option<Cow<'a, str>>> {
        if element.attributes.is_empty() {
            return Ok(None);
        }
        for (name, raw) in tokenizer::attributes(element.attributes) {
            if name != key {
                continue;
            }
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

/// The URI of a namespace a name resolved to, unescaped. The namespace of the `xmlns` prefix
/// names no element or attribute (Namespaces in XML §3: "Element names MUST NOT have the
/// prefix xmlns"); such a name is not well-formed.
fn namespace_uri<'a>(namespace: Namespace<'a>, at: usize) -> XmlResult<Cow<'a, str>> {
    Ok(Cow::Borrowed(match namespace {
        Namespace::Dav => DAV_NS,
        Namespace::CalDav => CALDAV_NS,
        Namespace::CardDav => CARDDAV_NS,
        Namespace::CalendarServer => CALENDARSERVER_NS,
        Namespace::None => "",
        Namespace::Other(XMLNS_NS) => return Err(expected(at, Expected::WellFormedXml)),
        Namespace::Other(raw) if raw.contains('&') => {
            let text = quick_xml::escape::unescape(raw)
                .map_err(|_| expected(at, Expected::KnownEntity))?;
            if text == XMLNS_NS {
                return Err(expected(at, Expected::WellFormedXml));
            }
            return Ok(Cow::Owned(text.into_owned()));
        }
        Namespace::Other(raw) => raw,
    }))
}

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

fn append<'a>(acc: &mut Option<Cow<'a, str>>, piece: &'a str) {
    match acc {
        None => *acc = Some(Cow::Borrowed(piece)),
        Some(existing) => existing.to_mut().push_str(piece),
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

fn is_blank(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_whitespace())
}

/// An invalid-input failure at `offset`.
pub(crate) fn invalid(offset: usize, kind: ErrorKind) -> Fail {
    Fail::Invalid(DecodeError::new(offset, kind))
}

/// An `Expected` failure at `offset`.
pub(crate) fn expected(offset: usize, what: Expected) -> Fail {
    invalid(offset, ErrorKind::Expected(what))
}
