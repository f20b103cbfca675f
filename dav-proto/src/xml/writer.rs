//! The XML writer every body encoder uses: fixed prefixes for the known namespaces, declared
//! once on the root element, and a locally declared prefix for any other namespace.

use std::borrow::Cow;

use crate::xml::names::{CALDAV_NS, CALENDARSERVER_NS, CARDDAV_NS, DAV_NS, Name};
use crate::xml::raw::RawXml;

/// The namespace the `xml` prefix is bound to by definition (Namespaces in XML §3): it is
/// never declared, and no other prefix may be bound to it.
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

const ROOT_DECLARATIONS: &str = concat!(
    " xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\"",
    " xmlns:CR=\"urn:ietf:params:xml:ns:carddav\" xmlns:CS=\"http://calendarserver.org/ns/\""
);

/// An open element, to be closed with [`XmlWriter::close`].
#[must_use]
pub(crate) struct Tag(String);

/// Writes XML into a byte buffer.
#[derive(Default)]
pub(crate) struct XmlWriter {
    out: Vec<u8>,
    started: bool,
}

impl XmlWriter {
    /// A writer that starts with the XML declaration.
    pub fn new() -> Self {
        Self {
            out: b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n".to_vec(),
            started: false,
        }
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }

    fn start_tag(
        &mut self,
        name: &Name<'_>,
        attrs: &[(&str, &str)],
        raw_ns: &[(Cow<'_, str>, Cow<'_, str>)],
    ) -> String {
        let prefix = match name {
            Name::Dav(_) => Some("D".to_owned()),
            Name::CalDav(_) => Some("C".to_owned()),
            Name::CardDav(_) => Some("CR".to_owned()),
            Name::CalendarServer(_) => Some("CS".to_owned()),
            Name::Other(q) if q.namespace.is_empty() => None,
            Name::Other(q) => Some(match &*q.namespace {
                DAV_NS => "D".to_owned(),
                CALDAV_NS => "C".to_owned(),
                CARDDAV_NS => "CR".to_owned(),
                CALENDARSERVER_NS => "CS".to_owned(),
                XML_NS => "xml".to_owned(),
                _ => free_prefix(raw_ns),
            }),
        };
        // Raw content may rebind the prefix this element would use: pick a free one.
        let prefix = match prefix {
            Some(p) if p != "xml" && raw_ns.iter().any(|(rp, _)| *rp == p) => {
                Some(free_prefix(raw_ns))
            }
            other => other,
        };
        let qualified = match &prefix {
            Some(p) => format!("{p}:{}", name.local_name()),
            None => name.local_name().to_owned(),
        };
        self.out.push(b'<');
        self.out.extend_from_slice(qualified.as_bytes());
        if !self.started {
            self.started = true;
            self.out.extend_from_slice(ROOT_DECLARATIONS.as_bytes());
        }
        let known_prefix = matches!(prefix.as_deref(), Some("D" | "C" | "CR" | "CS" | "xml"));
        if let (Some(p), false) = (&prefix, known_prefix) {
            self.declare(p, name.namespace());
        }
        for (p, ns) in raw_ns {
            if p.is_empty() && prefix.is_none() {
                // The element itself needs "no namespace"; the content cannot also have a
                // default namespace here.
                continue;
            }
            self.declare(p, ns);
        }
        for (key, value) in attrs {
            self.out.push(b' ');
            self.out.extend_from_slice(key.as_bytes());
            self.out.extend_from_slice(b"=\"");
            escape_into(&mut self.out, value, true);
            self.out.push(b'"');
        }
        qualified
    }

    fn declare(&mut self, prefix: &str, namespace: &str) {
        if prefix.is_empty() {
            self.out.extend_from_slice(b" xmlns=\"");
        } else {
            self.out.extend_from_slice(b" xmlns:");
            self.out.extend_from_slice(prefix.as_bytes());
            self.out.extend_from_slice(b"=\"");
        }
        escape_into(&mut self.out, namespace, true);
        self.out.push(b'"');
    }

    /// Opens `name` with `attrs`.
    pub fn open(&mut self, name: &Name<'_>, attrs: &[(&str, &str)]) -> Tag {
        let qualified = self.start_tag(name, attrs, &[]);
        self.out.push(b'>');
        Tag(qualified)
    }

    /// Writes `<name/>`.
    pub fn empty(&mut self, name: &Name<'_>, attrs: &[(&str, &str)]) {
        let _ = self.start_tag(name, attrs, &[]);
        self.out.extend_from_slice(b"/>");
    }

    /// Closes an element.
    pub fn close(&mut self, tag: Tag) {
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(tag.0.as_bytes());
        self.out.push(b'>');
    }

    /// Writes escaped text. CR is written as `&#13;` so it survives XML line-end handling.
    pub fn text(&mut self, text: &str) {
        escape_into(&mut self.out, text, false);
    }

    /// Writes `<name>text</name>`, or `<name/>` for empty text.
    pub fn text_element(&mut self, name: &Name<'_>, text: &str) {
        if text.is_empty() {
            self.empty(name, &[]);
        } else {
            let tag = self.open(name, &[]);
            self.text(text);
            self.close(tag);
        }
    }

    /// Writes `name` around raw content, declaring the bindings the content needs.
    pub fn raw_element(&mut self, name: &Name<'_>, attrs: &[(&str, &str)], raw: &RawXml<'_>) {
        let qualified = self.start_tag(name, attrs, &raw.namespaces);
        if raw.content.is_empty() {
            self.out.extend_from_slice(b"/>");
        } else {
            self.out.push(b'>');
            self.out.extend_from_slice(raw.content.as_bytes());
            self.close(Tag(qualified));
        }
    }

    /// Writes a single `<name/>` for each marker name.
    pub fn markers<'n>(&mut self, names: impl IntoIterator<Item = &'n Name<'n>>) {
        for name in names {
            self.empty(name, &[]);
        }
    }
}

fn free_prefix(raw_ns: &[(Cow<'_, str>, Cow<'_, str>)]) -> String {
    let mut candidate = "X".to_owned();
    let mut n = 0u32;
    while raw_ns.iter().any(|(p, _)| *p == candidate) {
        candidate = format!("X{n}");
        n += 1;
    }
    candidate
}

fn escape_into(out: &mut Vec<u8>, text: &str, attribute: bool) {
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        let replacement: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\r' => b"&#13;",
            b'"' if attribute => b"&quot;",
            b'\n' if attribute => b"&#10;",
            b'\t' if attribute => b"&#9;",
            _ => continue,
        };
        out.extend_from_slice(text.as_bytes().get(last..i).unwrap_or_default());
        out.extend_from_slice(replacement);
        last = i + 1;
    }
    out.extend_from_slice(text.as_bytes().get(last..).unwrap_or_default());
}
