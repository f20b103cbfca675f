//! RFC 6352 CardDAV REPORT bodies (`addressbook-query`, `addressbook-multiget`), their
//! filters, and the `address-data` request selection.

use std::borrow::Cow;

use crate::body::caldav::{self, PropSelect, Selection};
use crate::body::common;
use crate::body::owned::{ToStatic, owned_struct};
use crate::body::propfind::{self, Propfind};
use crate::decoded::Expected;
use crate::xml::reader::{Element, XmlReader, XmlResult, expected};
use crate::xml::writer::XmlWriter;
use crate::xml::{CardDav, Name};

/// The `test` attribute of `filter` and `prop-filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum FilterTest {
    /// `anyof` (the default).
    AnyOf,
    /// `allof`.
    AllOf,
}

impl ToStatic for FilterTest {
    type Static = FilterTest;
    fn to_static(self) -> FilterTest {
        self
    }
}

fn test_attr<'a>(r: &XmlReader<'a>, el: &Element<'a>) -> XmlResult<Option<FilterTest>> {
    Ok(match r.attr(el, "test")?.as_deref().map(str::trim) {
        Some("allof") => Some(FilterTest::AllOf),
        Some("anyof") => Some(FilterTest::AnyOf),
        Some(_) => return Err(expected(el.offset, Expected::AttributeValue)),
        None => None,
    })
}

fn test_value(test: Option<FilterTest>) -> Option<(&'static str, &'static str)> {
    test.map(|t| {
        (
            "test",
            match t {
                FilterTest::AnyOf => "anyof",
                FilterTest::AllOf => "allof",
            },
        )
    })
}

/// `CARDDAV:text-match`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CardTextMatch<'a> {
    /// The `collation` attribute.
    pub collation: Option<Cow<'a, str>>,
    /// `negate-condition="yes"`.
    pub negate: bool,
    /// The `match-type` attribute (`equals`, `contains`, `starts-with`, `ends-with`).
    pub match_type: Option<Cow<'a, str>>,
    /// The text to match.
    pub text: Cow<'a, str>,
}

owned_struct!(CardTextMatch {
    collation,
    negate,
    match_type,
    text
});

impl<'a> CardTextMatch<'a> {
    fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        Ok(CardTextMatch {
            collation: r.attr(el, "collation")?,
            negate: caldav::yes(r, el, "negate-condition")?,
            match_type: r.attr(el, "match-type")?,
            text: r.text(el)?,
        })
    }

    fn encode(&self, w: &mut XmlWriter) {
        let mut attrs = Vec::new();
        if let Some(c) = &self.collation {
            attrs.push(("collation", &**c));
        }
        if self.negate {
            attrs.push(("negate-condition", "yes"));
        }
        if let Some(m) = &self.match_type {
            attrs.push(("match-type", &**m));
        }
        let name = Name::CardDav(CardDav::TextMatch);
        if self.text.is_empty() {
            w.empty(&name, &attrs);
        } else {
            let tag = w.open(&name, &attrs);
            w.text(&self.text);
            w.close(tag);
        }
    }
}

/// `CARDDAV:param-filter`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CardParamFilter<'a> {
    /// The parameter name.
    pub name: Cow<'a, str>,
    /// `is-not-defined`.
    pub is_not_defined: bool,
    /// `text-match`.
    pub text_match: Option<CardTextMatch<'a>>,
}

owned_struct!(CardParamFilter {
    name,
    is_not_defined,
    text_match
});

/// `CARDDAV:prop-filter`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CardPropFilter<'a> {
    /// The vCard property name (`FN`, `EMAIL`).
    pub name: Cow<'a, str>,
    /// The `test` attribute.
    pub test: Option<FilterTest>,
    /// `is-not-defined`.
    pub is_not_defined: bool,
    /// `text-match`es.
    pub text_matches: Vec<CardTextMatch<'a>>,
    /// `param-filter`s.
    pub param_filters: Vec<CardParamFilter<'a>>,
}

owned_struct!(CardPropFilter {
    name,
    test,
    is_not_defined,
    text_matches,
    param_filters
});

/// `CARDDAV:filter`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CardFilter<'a> {
    /// The `test` attribute.
    pub test: Option<FilterTest>,
    /// `prop-filter`s.
    pub prop_filters: Vec<CardPropFilter<'a>>,
}

owned_struct!(CardFilter { test, prop_filters });

fn name_attr<'a>(r: &XmlReader<'a>, el: &Element<'a>) -> XmlResult<Cow<'a, str>> {
    r.attr(el, "name")?
        .ok_or(expected(el.offset, Expected::AttributeValue))
}

impl<'a> CardParamFilter<'a> {
    fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut f = CardParamFilter {
            name: name_attr(r, el)?,
            is_not_defined: false,
            text_match: None,
        };
        while let Some(child) = r.next_child(el)? {
            match child.name {
                Name::CardDav(CardDav::IsNotDefined) => {
                    f.is_not_defined = true;
                    r.skip(&child)?;
                }
                Name::CardDav(CardDav::TextMatch) => {
                    f.text_match = Some(CardTextMatch::decode(r, &child)?);
                }
                _ => r.skip(&child)?,
            }
        }
        Ok(f)
    }

    fn encode(&self, w: &mut XmlWriter) {
        let tag = w.open(
            &Name::CardDav(CardDav::ParamFilter),
            &[("name", &self.name)],
        );
        if self.is_not_defined {
            w.empty(&Name::CardDav(CardDav::IsNotDefined), &[]);
        }
        if let Some(t) = &self.text_match {
            t.encode(w);
        }
        w.close(tag);
    }
}

impl<'a> CardPropFilter<'a> {
    fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut f = CardPropFilter {
            name: name_attr(r, el)?,
            test: test_attr(r, el)?,
            is_not_defined: false,
            text_matches: Vec::new(),
            param_filters: Vec::new(),
        };
        while let Some(child) = r.next_child(el)? {
            match child.name {
                Name::CardDav(CardDav::IsNotDefined) => {
                    f.is_not_defined = true;
                    r.skip(&child)?;
                }
                Name::CardDav(CardDav::TextMatch) => {
                    r.check_list(f.text_matches.len(), child.offset)?;
                    f.text_matches.push(CardTextMatch::decode(r, &child)?);
                }
                Name::CardDav(CardDav::ParamFilter) => {
                    r.check_list(f.param_filters.len(), child.offset)?;
                    f.param_filters.push(CardParamFilter::decode(r, &child)?);
                }
                _ => r.skip(&child)?,
            }
        }
        Ok(f)
    }

    fn encode(&self, w: &mut XmlWriter) {
        let mut attrs = vec![("name", &*self.name)];
        attrs.extend(test_value(self.test));
        let tag = w.open(&Name::CardDav(CardDav::PropFilter), &attrs);
        if self.is_not_defined {
            w.empty(&Name::CardDav(CardDav::IsNotDefined), &[]);
        }
        for t in &self.text_matches {
            t.encode(w);
        }
        for p in &self.param_filters {
            p.encode(w);
        }
        w.close(tag);
    }
}

/// `CARDDAV:address-data` in a request: which vCard properties to return.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AddressDataRequest<'a> {
    /// The `content-type` attribute.
    pub content_type: Option<Cow<'a, str>>,
    /// The `version` attribute.
    pub version: Option<Cow<'a, str>>,
    /// `allprop` or the listed `prop`s (none listed: the whole vCard).
    pub props: Selection<PropSelect<'a>>,
}

owned_struct!(AddressDataRequest {
    content_type,
    version,
    props
});

impl<'a> AddressDataRequest<'a> {
    pub(crate) fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut props = Selection::Listed(Vec::new());
        let content_type = r.attr(el, "content-type")?;
        let version = r.attr(el, "version")?;
        while let Some(child) = r.next_child(el)? {
            match child.name {
                Name::CardDav(CardDav::AllProp) => props = Selection::All,
                Name::CardDav(CardDav::Prop) => {
                    if let Selection::Listed(list) = &mut props {
                        r.check_list(list.len(), child.offset)?;
                        list.push(PropSelect {
                            name: name_attr(r, &child)?,
                            novalue: caldav::yes(r, &child, "novalue")?,
                        });
                    }
                }
                _ => {}
            }
            r.skip(&child)?;
        }
        Ok(AddressDataRequest {
            content_type,
            version,
            props,
        })
    }

    pub(crate) fn encode(&self, w: &mut XmlWriter) {
        let mut attrs = Vec::new();
        if let Some(ct) = &self.content_type {
            attrs.push(("content-type", &**ct));
        }
        if let Some(v) = &self.version {
            attrs.push(("version", &**v));
        }
        let name = Name::CardDav(CardDav::AddressData);
        if self.props == Selection::Listed(Vec::new()) {
            w.empty(&name, &attrs);
            return;
        }
        let tag = w.open(&name, &attrs);
        caldav::write_prop_selection(
            w,
            &self.props,
            Name::CardDav(CardDav::AllProp),
            Name::CardDav(CardDav::Prop),
        );
        w.close(tag);
    }
}

/// The `CARDDAV:addressbook-query` REPORT body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AddressbookQuery<'a> {
    /// The properties to return.
    pub selection: Option<Propfind<'a>>,
    /// The filter.
    pub filter: CardFilter<'a>,
    /// `limit/nresults`.
    pub limit: Option<u64>,
}

owned_struct!(AddressbookQuery {
    selection,
    filter,
    limit
});

impl<'a> AddressbookQuery<'a> {
    pub(crate) fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut selection = None;
        let mut filter = None;
        let mut limit = None;
        while let Some(child) = r.next_child(el)? {
            match child.name {
                Name::CardDav(CardDav::Filter) => {
                    let mut f = CardFilter {
                        test: test_attr(r, &child)?,
                        prop_filters: Vec::new(),
                    };
                    while let Some(inner) = r.next_child(&child)? {
                        if inner.name == Name::CardDav(CardDav::PropFilter) {
                            r.check_list(f.prop_filters.len(), inner.offset)?;
                            f.prop_filters.push(CardPropFilter::decode(r, &inner)?);
                        } else {
                            r.skip(&inner)?;
                        }
                    }
                    filter = Some(f);
                }
                Name::CardDav(CardDav::Limit) => {
                    while let Some(inner) = r.next_child(&child)? {
                        if inner.name == Name::CardDav(CardDav::NResults) {
                            limit = Some(common::number(r, &inner)?);
                        } else {
                            r.skip(&inner)?;
                        }
                    }
                }
                _ => {
                    propfind::selection_part(r, child, &mut selection)?;
                }
            }
        }
        Ok(AddressbookQuery {
            selection,
            filter: filter.ok_or(expected(el.offset, Expected::RequiredElement))?,
            limit,
        })
    }

    pub(crate) fn encode(&self, w: &mut XmlWriter) {
        let tag = w.open(&Name::CardDav(CardDav::AddressbookQuery), &[]);
        if let Some(s) = &self.selection {
            propfind::encode_selection(w, s);
        }
        let attrs: Vec<(&str, &str)> = test_value(self.filter.test).into_iter().collect();
        let filter = w.open(&Name::CardDav(CardDav::Filter), &attrs);
        for p in &self.filter.prop_filters {
            p.encode(w);
        }
        w.close(filter);
        if let Some(n) = self.limit {
            let limit = w.open(&Name::CardDav(CardDav::Limit), &[]);
            w.text_element(&Name::CardDav(CardDav::NResults), &n.to_string());
            w.close(limit);
        }
        w.close(tag);
    }
}
