//! RFC 3253 / RFC 3744 REPORT bodies: `expand-property` and `principal-property-search`.

use std::borrow::Cow;

use crate::body::carddav::FilterTest;
use crate::body::common;
use crate::body::owned::owned_struct;
use crate::xml::names::DAV_NS;
use crate::xml::reader::{Element, XmlReader, XmlResult};
use crate::xml::writer::XmlWriter;
use crate::xml::{Dav, Name};

/// One `DAV:property` of an `expand-property` report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ExpandItem<'a> {
    /// The property (`name` and `namespace` attributes; namespace `DAV:` by default).
    pub name: Name<'a>,
    /// Properties to return of the resources the property's hrefs name.
    pub children: Vec<ExpandItem<'a>>,
}

owned_struct!(ExpandItem { name, children });

/// The `DAV:expand-property` REPORT body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ExpandProperty<'a> {
    /// The properties to expand.
    pub properties: Vec<ExpandItem<'a>>,
}

owned_struct!(ExpandProperty { properties });

fn expand_items<'a>(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Vec<ExpandItem<'a>>> {
    let mut out = Vec::new();
    while let Some(child) = r.next_child(el)? {
        if child.name != Name::Dav(Dav::Property) {
            r.skip(&child)?;
            continue;
        }
        r.check_list(out.len(), child.offset)?;
        let local = r.attr(&child, "name")?.unwrap_or_default();
        let namespace = r
            .attr(&child, "namespace")?
            .unwrap_or(Cow::Borrowed(DAV_NS));
        let children = expand_items(r, &child)?;
        out.push(ExpandItem {
            name: Name::new(namespace, local),
            children,
        });
    }
    Ok(out)
}

fn write_expand_items(w: &mut XmlWriter, items: &[ExpandItem<'_>]) {
    for item in items {
        let attrs = [
            ("name", item.name.local_name()),
            ("namespace", item.name.namespace()),
        ];
        let element = Name::Dav(Dav::Property);
        if item.children.is_empty() {
            w.empty(&element, &attrs);
        } else {
            let tag = w.open(&element, &attrs);
            write_expand_items(w, &item.children);
            w.close(tag);
        }
    }
}

impl<'a> ExpandProperty<'a> {
    pub(crate) fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        Ok(ExpandProperty {
            properties: expand_items(r, el)?,
        })
    }

    pub(crate) fn encode(&self, w: &mut XmlWriter) {
        let tag = w.open(&Name::Dav(Dav::ExpandProperty), &[]);
        write_expand_items(w, &self.properties);
        w.close(tag);
    }
}

/// One `DAV:property-search`: properties to search and the text to match.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PropertySearch<'a> {
    /// The properties searched.
    pub props: Vec<Name<'a>>,
    /// `DAV:match` text.
    pub match_text: Cow<'a, str>,
}

owned_struct!(PropertySearch { props, match_text });

/// The `DAV:principal-property-search` REPORT body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PrincipalPropertySearch<'a> {
    /// The `test` attribute (RFC 5397 extension; `anyof`/`allof`).
    pub test: Option<FilterTest>,
    /// The searches.
    pub searches: Vec<PropertySearch<'a>>,
    /// The properties to return.
    pub props: Vec<Name<'a>>,
    /// `DAV:apply-to-principal-collection-set`.
    pub apply_to_principal_collection_set: bool,
}

owned_struct!(PrincipalPropertySearch {
    test,
    searches,
    props,
    apply_to_principal_collection_set
});

impl<'a> PrincipalPropertySearch<'a> {
    pub(crate) fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let test = match r.attr(el, "test")?.as_deref() {
            Some("allof") => Some(FilterTest::AllOf),
            Some("anyof") => Some(FilterTest::AnyOf),
            _ => None,
        };
        let mut out = PrincipalPropertySearch {
            test,
            searches: Vec::new(),
            props: Vec::new(),
            apply_to_principal_collection_set: false,
        };
        while let Some(child) = r.next_child(el)? {
            match child.name {
                Name::Dav(Dav::PropertySearch) => {
                    r.check_list(out.searches.len(), child.offset)?;
                    let mut props = Vec::new();
                    let mut match_text = Cow::Borrowed("");
                    while let Some(part) = r.next_child(&child)? {
                        match part.name {
                            Name::Dav(Dav::Prop) => props = common::child_names(r, &part)?,
                            Name::Dav(Dav::Match) => match_text = r.text(&part)?,
                            _ => r.skip(&part)?,
                        }
                    }
                    out.searches.push(PropertySearch { props, match_text });
                }
                Name::Dav(Dav::Prop) => out.props = common::child_names(r, &child)?,
                Name::Dav(Dav::ApplyToPrincipalCollectionSet) => {
                    out.apply_to_principal_collection_set = true;
                    r.skip(&child)?;
                }
                _ => r.skip(&child)?,
            }
        }
        Ok(out)
    }

    pub(crate) fn encode(&self, w: &mut XmlWriter) {
        let attrs: Vec<(&str, &str)> = self
            .test
            .map(|t| {
                (
                    "test",
                    match t {
                        FilterTest::AnyOf => "anyof",
                        FilterTest::AllOf => "allof",
                    },
                )
            })
            .into_iter()
            .collect();
        let tag = w.open(&Name::Dav(Dav::PrincipalPropertySearch), &attrs);
        for s in &self.searches {
            let search = w.open(&Name::Dav(Dav::PropertySearch), &[]);
            let prop = w.open(&Name::Dav(Dav::Prop), &[]);
            w.markers(&s.props);
            w.close(prop);
            w.text_element(&Name::Dav(Dav::Match), &s.match_text);
            w.close(search);
        }
        let prop = w.open(&Name::Dav(Dav::Prop), &[]);
        w.markers(&self.props);
        w.close(prop);
        if self.apply_to_principal_collection_set {
            w.empty(&Name::Dav(Dav::ApplyToPrincipalCollectionSet), &[]);
        }
        w.close(tag);
    }
}
