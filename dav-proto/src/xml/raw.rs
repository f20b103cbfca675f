//! Raw XML content kept verbatim: the value of an unknown (dead) property, a lock owner, an
//! unknown body.

use std::borrow::Cow;

/// XML content kept as it was written, with the namespace bindings it needs from outside.
///
/// `content` is the escaped XML between the element's start and end tags, byte for byte
/// (mixed content, comments and line ends included). `namespaces` lists the
/// (prefix, namespace URI) pairs that `content` uses but does not declare itself, sorted by
/// prefix (`""` is the default namespace); the encoder declares them again so the content
/// means the same wherever it is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RawXml<'a> {
    /// The escaped XML content.
    pub content: Cow<'a, str>,
    /// Namespace bindings `content` relies on, sorted by prefix.
    pub namespaces: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> RawXml<'a> {
    /// Raw content that needs no outside namespace bindings.
    pub fn new(content: impl Into<Cow<'a, str>>) -> Self {
        Self {
            content: content.into(),
            namespaces: Vec::new(),
        }
    }

    /// Whether there is no content at all.
    pub fn is_empty(&self) -> bool {
        self.content.is_empty()
    }

    /// A `'static` copy.
    pub fn into_owned(self) -> RawXml<'static> {
        RawXml {
            content: Cow::Owned(self.content.into_owned()),
            namespaces: self
                .namespaces
                .into_iter()
                .map(|(p, n)| (Cow::Owned(p.into_owned()), Cow::Owned(n.into_owned())))
                .collect(),
        }
    }
}
