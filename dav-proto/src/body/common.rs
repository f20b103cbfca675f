//! Small values many bodies share: `href`, `status`, and the decode helpers for lists of them.

use std::borrow::Cow;

use crate::body::owned::{ToStatic, owned_struct};
use crate::decoded::Expected;
use crate::xml::reader::{Element, XmlReader, XmlResult, expected};
use crate::xml::writer::XmlWriter;
use crate::xml::{Dav, Name};

/// A `DAV:href` value: a URI or absolute path, whitespace around it trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Href<'a>(pub Cow<'a, str>);

impl<'a> Href<'a> {
    /// An href.
    pub fn new(href: impl Into<Cow<'a, str>>) -> Self {
        Href(href.into())
    }

    /// The href text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A `'static` copy.
    pub fn into_owned(self) -> Href<'static> {
        Href(self.0.to_static())
    }
}

impl ToStatic for Href<'_> {
    type Static = Href<'static>;
    fn to_static(self) -> Href<'static> {
        self.into_owned()
    }
}

/// A `DAV:status` value: an HTTP status line such as `HTTP/1.1 404 Not Found`, kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Status<'a> {
    /// The whole status line, trimmed.
    pub line: Cow<'a, str>,
}

owned_struct!(Status { line });

impl<'a> Status<'a> {
    /// The status line for `code` with its usual reason phrase.
    pub fn from_code(code: u16) -> Status<'static> {
        let reason = http::StatusCode::from_u16(code)
            .ok()
            .and_then(|c| c.canonical_reason())
            .unwrap_or("");
        Status {
            line: Cow::Owned(format!("HTTP/1.1 {code} {reason}").trim_end().to_owned()),
        }
    }

    /// A status line as given.
    pub fn new(line: impl Into<Cow<'a, str>>) -> Self {
        Status { line: line.into() }
    }

    /// The numeric status code, when the line has one.
    pub fn code(&self) -> Option<u16> {
        let mut parts = self.line.split_ascii_whitespace();
        let _version = parts.next()?;
        let code = parts.next()?;
        if code.len() == 3 {
            code.parse().ok()
        } else {
            None
        }
    }
}

/// Reads text content, trimmed of surrounding whitespace, borrowing when possible.
pub(crate) fn trimmed_text<'a>(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Cow<'a, str>> {
    Ok(trim_cow(r.text(el)?))
}

/// Reads a `responsedescription`: its text, trimmed, any markup inside skipped.
pub(crate) fn description<'a>(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Cow<'a, str>> {
    Ok(trim_cow(r.text_skipping_elements(el)?))
}

/// Trims a `Cow<str>` without copying a borrowed one.
pub(crate) fn trim_cow(text: Cow<'_, str>) -> Cow<'_, str> {
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) if s.trim().len() == s.len() => Cow::Owned(s),
        Cow::Owned(s) => Cow::Owned(s.trim().to_owned()),
    }
}

/// Reads a decimal number.
pub(crate) fn number<'a>(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<u64> {
    let text = trimmed_text(r, el)?;
    text.parse()
        .map_err(|_| expected(el.offset, Expected::Number))
}

/// Reads an `href` element's value.
pub(crate) fn href<'a>(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Href<'a>> {
    trimmed_text(r, el).map(Href)
}

/// Reads every `DAV:href` child of `el`, skipping anything else.
pub(crate) fn hrefs<'a>(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Vec<Href<'a>>> {
    let mut out = Vec::new();
    while let Some(child) = r.next_child(el)? {
        if child.name == Name::Dav(Dav::Href) {
            r.check_list(out.len(), child.offset)?;
            out.push(href(r, &child)?);
        } else {
            r.skip(&child)?;
        }
    }
    Ok(out)
}

/// Reads the names of `el`'s child elements (marker lists such as `resourcetype`).
pub(crate) fn child_names<'a>(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Vec<Name<'a>>> {
    let mut out = Vec::new();
    while let Some(child) = r.next_child(el)? {
        r.check_list(out.len(), child.offset)?;
        r.skip(&child)?;
        out.push(child.name);
    }
    Ok(out)
}

/// Reads the single child element name of `el` (`lockscope`, `locktype`, `privilege`...).
pub(crate) fn single_child_name<'a>(
    r: &mut XmlReader<'a>,
    el: &Element<'a>,
) -> XmlResult<Name<'a>> {
    child_names(r, el)?
        .into_iter()
        .next()
        .ok_or(expected(el.offset, Expected::RequiredElement))
}

/// Writes `<D:href>` elements.
pub(crate) fn write_hrefs(w: &mut XmlWriter, hrefs: &[Href<'_>]) {
    for h in hrefs {
        w.text_element(&Name::Dav(Dav::Href), &h.0);
    }
}

/// Writes `<wrapper><child/></wrapper>` for each name (privilege lists, report lists).
pub(crate) fn write_wrapped_names(w: &mut XmlWriter, wrapper: Dav, names: &[Name<'_>]) {
    for n in names {
        let tag = w.open(&Name::Dav(wrapper), &[]);
        w.empty(n, &[]);
        w.close(tag);
    }
}
