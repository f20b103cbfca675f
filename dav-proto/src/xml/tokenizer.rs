//! The XML tokenizer under the body reader: one pass over a borrowed, UTF-8-checked body,
//! one token at a time, with the namespace bindings in scope and the open elements kept on
//! two stacks.
//!
//! Hand-written rather than quick-xml's `NsReader` because a DAV body needs only part of what
//! that reader does, and the rest cost more than half of decoding (`benches/README.md`): it
//! classifies each namespace once, where it is declared, instead of comparing URIs on every
//! element; it stores tokens as offsets, so nothing but a small tag leaves a call; and it
//! checks what well-formedness needs on the way (end names, attribute syntax, `<` in attribute
//! values) instead of in a second pass. DTDs are refused outright, so entity expansion and
//! external entities never reach it.
//!
//! Running out of input inside any construct is [`Fail::Incomplete`], so every prefix of a
//! well-formed body reads as incomplete, never as invalid.

use crate::decoded::Expected;
use crate::xml::names::{CALDAV_NS, CALENDARSERVER_NS, CARDDAV_NS, DAV_NS};
use crate::xml::reader::{Fail, XmlResult, expected};

/// The namespace bound to the `xml` prefix by definition (Namespaces in XML §3).
pub(crate) const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of the `xmlns` prefix, which names no element or attribute.
pub(crate) const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// What the tokenizer read; its text lives in [`Tokenizer::span`] and
/// [`Tokenizer::attributes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token {
    /// `<name ...>`: `span` is the qualified name, and the element is open.
    Start,
    /// `<name .../>`: `span` is the qualified name; its bindings stay in scope until the next
    /// token.
    Empty,
    /// `</name>`, matching the innermost open element, which is closed.
    End,
    /// Character data up to the next markup or reference (`span`).
    Text,
    /// `&name;` or `&#...;`: `span` is what is between `&` and `;`.
    Reference,
    /// `<![CDATA[...]]>`: `span` is the content.
    CData,
    /// The XML declaration, `<?xml ...?>`.
    Decl,
    /// A comment or a processing instruction.
    Ignored,
    /// The end of the input.
    Eof,
}

/// A namespace a prefix (or the default namespace) is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Namespace<'a> {
    /// `DAV:`.
    Dav,
    /// The CalDAV namespace.
    CalDav,
    /// The CardDAV namespace.
    CardDav,
    /// The CalendarServer namespace.
    CalendarServer,
    /// Any other, as written in the declaration (escaped, never empty).
    Other(&'a str),
    /// No namespace (no default declared, or `xmlns=""`).
    None,
}

impl<'a> Namespace<'a> {
    /// The namespace a declaration's (escaped) value names.
    fn classify(value: &'a str) -> Self {
        match value {
            "" => Namespace::None,
            DAV_NS => Namespace::Dav,
            CALDAV_NS => Namespace::CalDav,
            CARDDAV_NS => Namespace::CardDav,
            CALENDARSERVER_NS => Namespace::CalendarServer,
            other => Namespace::Other(other),
        }
    }
}

/// A namespace declaration in scope.
#[derive(Debug, Clone, Copy)]
struct Binding<'a> {
    /// The prefix; empty for the default namespace.
    prefix: &'a [u8],
    namespace: Namespace<'a>,
}

/// An element whose end tag has not been read yet.
#[derive(Debug, Clone, Copy)]
struct Open<'a> {
    name: &'a [u8],
    /// How many bindings were in scope before its start tag.
    bindings: usize,
}

/// Where the tokenizer stood, to read the same content again ([`Tokenizer::rewind`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Checkpoint {
    pos: usize,
    open: usize,
    bindings: usize,
    unbind: Option<usize>,
}

/// The tokenizer. Closing an element shortens the stacks' logical lengths and leaves the
/// entries in place, so a [`Checkpoint`] taken inside an element restores it exactly.
#[derive(Debug)]
pub(crate) struct Tokenizer<'a> {
    input: &'a str,
    pos: usize,
    /// Where the last token starts.
    start: usize,
    span: (usize, usize),
    attributes: (usize, usize),
    open: Vec<Open<'a>>,
    open_len: usize,
    bindings: Vec<Binding<'a>>,
    bindings_len: usize,
    /// After an empty-element tag: the bindings to drop before the next token.
    unbind: Option<usize>,
}

impl<'a> Tokenizer<'a> {
    /// A tokenizer over `input`, starting at byte `pos`.
    pub fn new(input: &'a str, pos: usize) -> Self {
        Self {
            input,
            pos,
            start: pos,
            span: (pos, pos),
            attributes: (pos, pos),
            open: Vec::new(),
            open_len: 0,
            bindings: Vec::new(),
            bindings_len: 0,
            unbind: None,
        }
    }

    /// The input.
    pub fn input(&self) -> &'a str {
        self.input
    }

    /// The input not read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.input.as_bytes().get(self.pos..).unwrap_or_default()
    }

    /// The byte offset the next token starts at.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The byte offset the last token started at.
    pub fn token_start(&self) -> usize {
        self.start
    }

    /// The last token's text (see [`Token`]).
    pub fn span(&self) -> &'a str {
        self.input.get(self.span.0..self.span.1).unwrap_or_default()
    }

    /// The attribute section of the last start or empty-element tag: everything between its
    /// name and `>` or `/>`, syntax already checked (read it with [`attributes`]).
    pub fn attributes(&self) -> &'a str {
        self.input
            .get(self.attributes.0..self.attributes.1)
            .unwrap_or_default()
    }

    /// How many elements are open.
    pub fn depth(&self) -> usize {
        self.open_len
    }

    /// The current state, to [`rewind`](Self::rewind) to.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            pos: self.pos,
            open: self.open_len,
            bindings: self.bindings_len,
            unbind: self.unbind,
        }
    }

    /// Goes back to `checkpoint`. Valid while everything read since has stayed inside the
    /// element that was innermost there (its own end tag included): no entry it relies on
    /// has been overwritten.
    pub fn rewind(&mut self, checkpoint: Checkpoint) {
        self.pos = checkpoint.pos;
        self.open_len = checkpoint.open;
        self.bindings_len = checkpoint.bindings;
        self.unbind = checkpoint.unbind;
    }

    /// The namespace `prefix` is bound to (empty: the default namespace), or `None` if it is
    /// not declared. `xml` is bound by definition; `xmlns` is bound to [`XMLNS_NS`].
    pub fn resolve(&self, prefix: &[u8]) -> Option<Namespace<'a>> {
        let bound = self
            .bindings
            .get(..self.bindings_len)
            .unwrap_or_default()
            .iter()
            .rev()
            .find(|b| same(b.prefix, prefix));
        match (bound, prefix) {
            (Some(binding), _) => Some(binding.namespace),
            (None, b"") => Some(Namespace::None),
            (None, b"xml") => Some(Namespace::Other(XML_NS)),
            (None, b"xmlns") => Some(Namespace::Other(XMLNS_NS)),
            (None, _) => None,
        }
    }

    /// Reads the next token.
    pub fn next_token(&mut self) -> XmlResult<Token> {
        if let Some(len) = self.unbind.take() {
            self.bindings_len = len;
        }
        let bytes = self.input.as_bytes();
        let at = self.pos;
        self.start = at;
        let Some(&first) = bytes.get(at) else {
            return Ok(Token::Eof);
        };
        match first {
            b'<' => self.markup(at),
            b'&' => {
                // A reference ends at `;`; markup before it means there is none.
                let rest = bytes.get(at + 1..).unwrap_or_default();
                match memchr::memchr2(b';', b'<', rest) {
                    Some(i) if rest.get(i) == Some(&b';') => {
                        self.span = (at + 1, at + 1 + i);
                        self.pos = at + 2 + i;
                        Ok(Token::Reference)
                    }
                    Some(_) => Err(expected(at, Expected::KnownEntity)),
                    None => Err(Fail::Incomplete),
                }
            }
            _ => {
                let end = next_markup(bytes, at + 1);
                self.span = (at, end);
                self.pos = end;
                Ok(Token::Text)
            }
        }
    }

    /// The construct at `<`.
    fn markup(&mut self, at: usize) -> XmlResult<Token> {
        let bytes = self.input.as_bytes();
        match bytes.get(at + 1) {
            None => Err(Fail::Incomplete),
            Some(b'/') => self.end_tag(at),
            Some(b'!') => self.bang(at),
            Some(b'?') => self.processing_instruction(at),
            Some(_) => self.start_tag(at),
        }
    }

    fn start_tag(&mut self, at: usize) -> XmlResult<Token> {
        let bytes = self.input.as_bytes();
        let name_start = at + 1;
        let name_end = name_start + name_len(bytes.get(name_start..).unwrap_or_default());
        if name_end >= bytes.len() {
            return Err(Fail::Incomplete);
        }
        if name_end == name_start {
            return Err(expected(at, Expected::WellFormedXml));
        }
        let outer_bindings = self.bindings_len;
        let mut i = name_end;
        let empty = loop {
            let gap = i;
            i = skip_whitespace(bytes, i);
            match bytes.get(i) {
                None => return Err(Fail::Incomplete),
                Some(b'>') => break false,
                Some(b'/') => match bytes.get(i + 1) {
                    None => return Err(Fail::Incomplete),
                    Some(b'>') => break true,
                    Some(_) => return Err(expected(i, Expected::WellFormedXml)),
                },
                // Attributes are separated from the name and each other by whitespace.
                Some(_) if i == gap => return Err(expected(i, Expected::WellFormedXml)),
                Some(_) => i = self.attribute(at, i)?,
            }
        };
        self.span = (name_start, name_end);
        self.attributes = (name_end, i);
        let name = bytes.get(name_start..name_end).unwrap_or_default();
        if empty {
            self.pos = i + 2;
            self.unbind = Some(outer_bindings);
            Ok(Token::Empty)
        } else {
            self.pos = i + 1;
            let open = Open {
                name,
                bindings: outer_bindings,
            };
            match self.open.get_mut(self.open_len) {
                Some(slot) => *slot = open,
                None => self.open.push(open),
            }
            self.open_len += 1;
            Ok(Token::Start)
        }
    }

    /// One `name="value"` at `i`, declaring a namespace if it is one; returns the offset after
    /// it.
    fn attribute(&mut self, tag: usize, i: usize) -> XmlResult<usize> {
        let bytes = self.input.as_bytes();
        let key_end = i + attribute_name_len(bytes.get(i..).unwrap_or_default());
        if key_end == i {
            return Err(expected(i, Expected::WellFormedXml));
        }
        let mut j = skip_whitespace(bytes, key_end);
        match bytes.get(j) {
            None => return Err(Fail::Incomplete),
            Some(b'=') => {}
            Some(_) => return Err(expected(j, Expected::AttributeValue)),
        }
        j = skip_whitespace(bytes, j + 1);
        let quote = match bytes.get(j) {
            None => return Err(Fail::Incomplete),
            Some(&q @ (b'"' | b'\'')) => q,
            Some(_) => return Err(expected(j, Expected::AttributeValue)),
        };
        let rest = bytes.get(j + 1..).unwrap_or_default();
        let value_end = match memchr::memchr2(quote, b'<', rest) {
            Some(k) if rest.get(k) == Some(&quote) => j + 1 + k,
            // `<` may not appear in an attribute value (XML 1.0 §3.1, WFC: No < in Attribute
            // Values).
            Some(k) => return Err(expected(j + 1 + k, Expected::AttributeValue)),
            None => return Err(Fail::Incomplete),
        };
        let key = bytes.get(i..key_end).unwrap_or_default();
        if key.starts_with(b"xmlns") {
            let value = self.input.get(j + 1..value_end).unwrap_or_default();
            self.declare(tag, key, value)?;
        }
        Ok(value_end + 1)
    }

    /// Records `xmlns="value"` or `xmlns:prefix="value"`.
    fn declare(&mut self, tag: usize, key: &'a [u8], value: &'a str) -> XmlResult<()> {
        let prefix = match key {
            b"xmlns" => key.get(..0).unwrap_or_default(),
            [b'x', b'm', b'l', b'n', b's', b':', prefix @ ..] => prefix,
            // `xmlnsfoo="..."` is an ordinary attribute.
            _ => return Ok(()),
        };
        let namespace = Namespace::classify(value);
        let refused = match prefix {
            // A prefix cannot be undeclared (Namespaces in XML §5), nor `xmlns` declared,
            // nor `xml` bound elsewhere, nor anything bound to their namespaces (§3).
            b"" => value == XMLNS_NS || value == XML_NS,
            b"xmlns" => true,
            b"xml" => value != XML_NS,
            _ => value.is_empty() || value == XMLNS_NS || value == XML_NS,
        };
        if refused {
            return Err(expected(tag, Expected::WellFormedXml));
        }
        let binding = Binding { prefix, namespace };
        match self.bindings.get_mut(self.bindings_len) {
            Some(slot) => *slot = binding,
            None => self.bindings.push(binding),
        }
        self.bindings_len += 1;
        Ok(())
    }

    fn end_tag(&mut self, at: usize) -> XmlResult<Token> {
        let bytes = self.input.as_bytes();
        let name_start = at + 2;
        let name_end = name_start + name_len(bytes.get(name_start..).unwrap_or_default());
        let close = skip_whitespace(bytes, name_end);
        match bytes.get(close) {
            None => return Err(Fail::Incomplete),
            Some(b'>') => {}
            Some(_) => return Err(expected(close, Expected::WellFormedXml)),
        }
        let name = bytes.get(name_start..name_end).unwrap_or_default();
        let Some(innermost) = self.open_len.checked_sub(1) else {
            return Err(expected(at, Expected::WellFormedXml));
        };
        match self.open.get(innermost) {
            Some(open) if same(open.name, name) => {
                self.bindings_len = open.bindings;
                self.open_len = innermost;
            }
            _ => return Err(expected(at, Expected::WellFormedXml)),
        }
        self.span = (name_start, name_end);
        self.pos = close + 1;
        Ok(Token::End)
    }

    /// `<!--`, `<![CDATA[` or `<!DOCTYPE`.
    fn bang(&mut self, at: usize) -> XmlResult<Token> {
        let bytes = self.input.as_bytes();
        let rest = bytes.get(at..).unwrap_or_default();
        let (token, open, close): (Token, &[u8], &[u8]) = if rest.starts_with(b"<!--") {
            (Token::Ignored, b"<!--", b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            (Token::CData, b"<![CDATA[", b"]]>")
        } else if rest
            .get(2..9)
            .is_some_and(|word| word.eq_ignore_ascii_case(b"DOCTYPE"))
        {
            return Err(expected(at, Expected::NoDoctype));
        } else if [&b"<!--"[..], b"<![CDATA[", b"<!DOCTYPE"]
            .iter()
            .any(|construct| {
                construct
                    .get(..rest.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(rest))
            })
        {
            return Err(Fail::Incomplete);
        } else {
            return Err(expected(at, Expected::WellFormedXml));
        };
        let content = at + open.len();
        let after = bytes.get(content..).unwrap_or_default();
        let Some(len) = memchr::memmem::find(after, close) else {
            return Err(Fail::Incomplete);
        };
        self.span = (content, content + len);
        self.pos = content + len + close.len();
        Ok(token)
    }

    /// `<?target ...?>`; the target `xml` makes it the XML declaration.
    fn processing_instruction(&mut self, at: usize) -> XmlResult<Token> {
        let bytes = self.input.as_bytes();
        let content = at + 2;
        let after = bytes.get(content..).unwrap_or_default();
        let Some(len) = memchr::memmem::find(after, b"?>") else {
            return Err(Fail::Incomplete);
        };
        let body = after.get(..len).unwrap_or_default();
        let target = body
            .iter()
            .position(|&b| is_whitespace(b))
            .map_or(body, |end| body.get(..end).unwrap_or_default());
        if target.is_empty() {
            return Err(expected(at, Expected::WellFormedXml));
        }
        self.span = (content, content + len);
        self.pos = content + len + 2;
        Ok(if target == b"xml" {
            Token::Decl
        } else {
            Token::Ignored
        })
    }
}

/// The `(name, value)` pairs of an attribute section the tokenizer has checked, values still
/// escaped.
pub(crate) fn attributes(section: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = section;
    std::iter::from_fn(move || {
        let start = rest.trim_start_matches(|c: char| c.is_ascii() && is_whitespace(c as u8));
        let eq = start.find('=')?;
        let key = start.get(..eq)?.trim_end();
        let after = start.get(eq + 1..)?.trim_start();
        let quote = after.chars().next()?;
        let value_and_rest = after.get(1..)?;
        let end = value_and_rest.find(quote)?;
        rest = value_and_rest.get(end + 1..)?;
        Some((key, value_and_rest.get(..end)?))
    })
}

/// Whether two (short) names are equal. A loop rather than `==`: the library `memcmp` behind
/// `==` loads through a mask, and an empty slice's dangling pointer made every default-namespace
/// lookup a fault-suppression assist, 40 % of decoding time in a profile.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// XML's white space (XML 1.0 §2.3, `S`).
const fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn skip_whitespace(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(|&b| is_whitespace(b)) {
        i += 1;
    }
    i
}

/// The length of the tag name at the start of `bytes`: up to white space, `/` or `>`.
fn name_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| is_whitespace(b) || b == b'/' || b == b'>')
        .unwrap_or(bytes.len())
}

/// The length of the attribute name at the start of `bytes`: up to white space, `=`, `/`,
/// `>` or a quote.
fn attribute_name_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| is_whitespace(b) || matches!(b, b'=' | b'/' | b'>' | b'"' | b'\''))
        .unwrap_or(bytes.len())
}

/// The offset of the next `<` or `&` at or after `from`, or the input's length. White space
/// between tags is short: a few bytes are looked at one by one before a vector search.
fn next_markup(bytes: &[u8], from: usize) -> usize {
    let rest = bytes.get(from..).unwrap_or_default();
    for (i, &b) in rest.iter().take(16).enumerate() {
        if b == b'<' || b == b'&' {
            return from + i;
        }
    }
    let skipped = rest.len().min(16);
    memchr::memchr2(b'<', b'&', rest.get(skipped..).unwrap_or_default())
        .map_or(bytes.len(), |i| from + skipped + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(input: &str) -> Result<Vec<(Token, String)>, Fail> {
        let mut t = Tokenizer::new(input, 0);
        let mut out = Vec::new();
        loop {
            let token = t.next_token()?;
            if token == Token::Eof {
                return Ok(out);
            }
            out.push((token, t.span().to_owned()));
        }
    }

    #[test]
    fn reads_every_kind_of_token() {
        let got = tokens(
            "<?xml version=\"1.0\"?><!-- c --><a x='1' y = \"2\">t&amp;<![CDATA[<d>]]><b/>\
             <?pi x?></a>",
        )
        .unwrap();
        let kinds: Vec<Token> = got.iter().map(|(t, _)| *t).collect();
        assert_eq!(
            kinds,
            [
                Token::Decl,
                Token::Ignored,
                Token::Start,
                Token::Text,
                Token::Reference,
                Token::CData,
                Token::Empty,
                Token::Ignored,
                Token::End,
            ]
        );
        assert_eq!(got[2].1, "a");
        assert_eq!(got[3].1, "t");
        assert_eq!(got[4].1, "amp");
        assert_eq!(got[5].1, "<d>");
        assert_eq!(got[6].1, "b");
    }

    #[test]
    fn every_prefix_is_incomplete() {
        let body = "<?xml version=\"1.0\"?><!-- c --><D:a xmlns:D=\"DAV:\" x='1'>t&#13;\
                    <![CDATA[x]]><b/></D:a>";
        for cut in 0..body.len() {
            let mut t = Tokenizer::new(&body[..cut], 0);
            let outcome = loop {
                match t.next_token() {
                    Ok(Token::Eof) => break Ok(()),
                    Ok(_) => {}
                    Err(e) => break Err(e),
                }
            };
            assert!(
                matches!(outcome, Ok(()) | Err(Fail::Incomplete)),
                "cut at {cut}: {outcome:?}"
            );
        }
    }

    #[test]
    fn a_cut_doctype_in_any_case_waits_for_the_rest_then_is_refused() {
        for cut in ["<!d", "<!doc", "<!DOC", "<!docTYP"] {
            assert_eq!(tokens(cut), Err(Fail::Incomplete), "{cut}");
        }
        assert!(matches!(tokens("<!doctype a>"), Err(Fail::Invalid(_))));
    }

    #[test]
    fn refuses_what_is_not_well_formed() {
        for bad in [
            "<a></b>",
            "</a>",
            "<a x></a>",
            "<a x=1></a>",
            "<a x='<'></a>",
            "<a x='1'y='2'></a>",
            "<a/ >",
            "< a/>",
            "<!DOCTYPE a><a/>",
            "<!doctype a><a/>",
            "<!ELEMENT a><a/>",
            "<a>&amp<b/></a>",
            "<a xmlns:p=''/>",
            "<a xmlns:xmlns='urn:x'/>",
            "<a xmlns:xml='urn:x'/>",
            "<? x?>",
        ] {
            assert!(
                matches!(tokens(bad), Err(Fail::Invalid(_))),
                "{bad}: {:?}",
                tokens(bad)
            );
        }
    }

    #[test]
    fn bindings_are_scoped_to_their_element() {
        let mut t = Tokenizer::new(
            "<a xmlns='DAV:' xmlns:c='urn:c'><b xmlns:c='urn:ietf:params:xml:ns:caldav'/><d/></a>",
            0,
        );
        assert_eq!(t.next_token().unwrap(), Token::Start);
        assert_eq!(t.resolve(b""), Some(Namespace::Dav));
        assert_eq!(t.next_token().unwrap(), Token::Empty);
        assert_eq!(t.resolve(b"c"), Some(Namespace::CalDav));
        assert_eq!(t.next_token().unwrap(), Token::Empty);
        assert_eq!(t.resolve(b"c"), Some(Namespace::Other("urn:c")));
        assert_eq!(t.next_token().unwrap(), Token::End);
        assert_eq!(t.resolve(b"c"), None);
        assert_eq!(t.resolve(b""), Some(Namespace::None));
        assert_eq!(t.resolve(b"xml"), Some(Namespace::Other(XML_NS)));
    }

    #[test]
    fn rewind_reads_the_same_content_again() {
        let mut t = Tokenizer::new("<a xmlns:p='urn:p'><p:b><c/></p:b></a>", 0);
        assert_eq!(t.next_token().unwrap(), Token::Start);
        assert_eq!(t.next_token().unwrap(), Token::Start);
        let mark = t.checkpoint();
        let first: Vec<Token> = (0..2).map(|_| t.next_token().unwrap()).collect();
        assert_eq!(first, [Token::Empty, Token::End]);
        assert_eq!(t.depth(), 1);
        t.rewind(mark);
        assert_eq!(t.depth(), 2);
        assert_eq!(t.next_token().unwrap(), Token::Empty);
        assert_eq!(t.next_token().unwrap(), Token::End);
        assert_eq!(t.span(), "p:b");
        assert_eq!(t.next_token().unwrap(), Token::End);
    }

    #[test]
    fn attribute_sections_split_into_pairs() {
        let pairs: Vec<(&str, &str)> = attributes(" a='1' b = \"x'y\"\n c=''").collect();
        assert_eq!(pairs, [("a", "1"), ("b", "x'y"), ("c", "")]);
    }
}
