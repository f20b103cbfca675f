//! The `DAV:multistatus` response body (RFC 4918 §13, with RFC 6578's `sync-token`), and the
//! `mkcol-response` / `mkcalendar-response` bodies made of the same `propstat`s.

use std::borrow::Cow;

use crate::body::common::{self, Href, Status};
use crate::body::error::ErrorBody;
use crate::body::owned::owned_struct;
use crate::body::property::{self, DavProperty};
use crate::decoded::Expected;
use crate::xml::reader::{Element, XmlReader, XmlResult, expected};
use crate::xml::writer::XmlWriter;
use crate::xml::{Dav, Name};

/// One `DAV:propstat`: properties sharing one status.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PropStat<'a> {
    /// The properties.
    pub props: Vec<DavProperty<'a>>,
    /// Their status.
    pub status: Status<'a>,
    /// `DAV:error`.
    pub error: Option<ErrorBody<'a>>,
    /// `DAV:responsedescription`.
    pub description: Option<Cow<'a, str>>,
}

owned_struct!(PropStat {
    props,
    status,
    error,
    description
});

/// One `DAV:response`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Response<'a> {
    /// The resources (one with propstats; one or more with a status).
    pub hrefs: Vec<Href<'a>>,
    /// The status, for a response without propstats.
    pub status: Option<Status<'a>>,
    /// The propstats.
    pub propstats: Vec<PropStat<'a>>,
    /// `DAV:error`.
    pub error: Option<ErrorBody<'a>>,
    /// `DAV:responsedescription`.
    pub description: Option<Cow<'a, str>>,
    /// `DAV:location`.
    pub location: Option<Href<'a>>,
}

owned_struct!(Response {
    hrefs,
    status,
    propstats,
    error,
    description,
    location
});

/// The `DAV:multistatus` body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Multistatus<'a> {
    /// The responses.
    pub responses: Vec<Response<'a>>,
    /// `DAV:responsedescription`.
    pub description: Option<Cow<'a, str>>,
    /// `DAV:sync-token` (RFC 6578).
    pub sync_token: Option<Cow<'a, str>>,
}

owned_struct!(Multistatus {
    responses,
    description,
    sync_token
});

impl<'a> PropStat<'a> {
    /// The property called `name` in this propstat.
    pub fn prop<'n>(&self, name: impl Into<Name<'n>>) -> Option<&DavProperty<'a>> {
        let name = name.into();
        self.props.iter().find(|p| p.name == name)
    }

    /// Whether the status is 2xx (the properties were found or set).
    pub fn is_success(&self) -> bool {
        self.status.code().is_some_and(|c| (200..300).contains(&c))
    }
}

impl<'a> Response<'a> {
    /// The first href: the resource this response is about.
    pub fn href(&self) -> Option<&str> {
        self.hrefs.first().map(Href::as_str)
    }

    /// The property called `name` from a 2xx propstat (the server returned its value), as in
    /// `response.prop(Dav::GetEtag)`.
    pub fn prop<'n>(&self, name: impl Into<Name<'n>>) -> Option<&DavProperty<'a>> {
        let name = name.into();
        self.propstats
            .iter()
            .filter(|ps| ps.is_success())
            .find_map(|ps| ps.props.iter().find(|p| p.name == name))
    }

    /// The status code of the propstat that lists `name` (404 for a property the resource
    /// does not have, say), or `None` when no propstat lists it.
    pub fn prop_status<'n>(&self, name: impl Into<Name<'n>>) -> Option<u16> {
        let name = name.into();
        self.propstats
            .iter()
            .find(|ps| ps.props.iter().any(|p| p.name == name))
            .and_then(|ps| ps.status.code())
    }

    /// Every property from a 2xx propstat.
    pub fn props(&self) -> impl Iterator<Item = &DavProperty<'a>> {
        self.propstats
            .iter()
            .filter(|ps| ps.is_success())
            .flat_map(|ps| ps.props.iter())
    }
}

impl<'a> Multistatus<'a> {
    /// The response about `href` (compared as written).
    pub fn response(&self, href: &str) -> Option<&Response<'a>> {
        self.responses
            .iter()
            .find(|r| r.hrefs.iter().any(|h| h.as_str() == href))
    }
}

fn status<'a>(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Status<'a>> {
    common::trimmed_text(r, el).map(|line| Status { line })
}

/// Reads the content of a `propstat`.
fn propstat<'a>(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<PropStat<'a>> {
    let mut props = Vec::new();
    let mut st = None;
    let mut error = None;
    let mut description = None;
    while let Some(child) = r.next_child(el)? {
        match child.name {
            Name::Dav(Dav::Prop) => {
                let mut more = property::decode_prop(r, &child)?;
                r.check_list(props.len().saturating_add(more.len()), child.offset)?;
                if props.is_empty() {
                    props = more;
                } else {
                    props.append(&mut more);
                }
            }
            Name::Dav(Dav::Status) => st = Some(status(r, &child)?),
            Name::Dav(Dav::Error) => error = Some(ErrorBody::decode(r, &child)?),
            Name::Dav(Dav::ResponseDescription) => {
                description = Some(common::description(r, &child)?);
            }
            _ => r.skip(&child)?,
        }
    }
    Ok(PropStat {
        props,
        status: st.ok_or(expected(el.offset, Expected::RequiredElement))?,
        error,
        description,
    })
}

/// Reads the `propstat` children of `el`.
pub(crate) fn propstats<'a>(
    r: &mut XmlReader<'a>,
    el: &Element<'a>,
) -> XmlResult<Vec<PropStat<'a>>> {
    let mut out = Vec::new();
    while let Some(child) = r.next_child(el)? {
        if child.name == Name::Dav(Dav::PropStat) {
            r.check_list(out.len(), child.offset)?;
            out.push(propstat(r, &child)?);
        } else {
            r.skip(&child)?;
        }
    }
    Ok(out)
}

fn write_propstat(w: &mut XmlWriter, ps: &PropStat<'_>) {
    let tag = w.open(&Name::Dav(Dav::PropStat), &[]);
    property::encode_prop(w, &ps.props);
    w.text_element(&Name::Dav(Dav::Status), &ps.status.line);
    if let Some(e) = &ps.error {
        e.encode(w);
    }
    if let Some(d) = &ps.description {
        w.text_element(&Name::Dav(Dav::ResponseDescription), d);
    }
    w.close(tag);
}

/// Writes `propstat` elements.
pub(crate) fn write_propstats(w: &mut XmlWriter, list: &[PropStat<'_>]) {
    for ps in list {
        write_propstat(w, ps);
    }
}

impl<'a> Response<'a> {
    fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut resp = Response {
            hrefs: Vec::new(),
            status: None,
            propstats: Vec::new(),
            error: None,
            description: None,
            location: None,
        };
        while let Some(child) = r.next_child(el)? {
            match child.name {
                Name::Dav(Dav::Href) => {
                    r.check_list(resp.hrefs.len(), child.offset)?;
                    resp.hrefs.push(common::href(r, &child)?);
                }
                Name::Dav(Dav::Status) => resp.status = Some(status(r, &child)?),
                Name::Dav(Dav::PropStat) => {
                    r.check_list(resp.propstats.len(), child.offset)?;
                    resp.propstats.push(propstat(r, &child)?);
                }
                Name::Dav(Dav::Error) => resp.error = Some(ErrorBody::decode(r, &child)?),
                Name::Dav(Dav::ResponseDescription) => {
                    resp.description = Some(common::description(r, &child)?);
                }
                Name::Dav(Dav::Location) => {
                    resp.location = common::hrefs(r, &child)?.into_iter().next();
                }
                _ => r.skip(&child)?,
            }
        }
        if resp.hrefs.is_empty() {
            return Err(expected(el.offset, Expected::RequiredElement));
        }
        Ok(resp)
    }

    fn encode(&self, w: &mut XmlWriter) {
        let tag = w.open(&Name::Dav(Dav::Response), &[]);
        common::write_hrefs(w, &self.hrefs);
        if let Some(s) = &self.status {
            w.text_element(&Name::Dav(Dav::Status), &s.line);
        }
        write_propstats(w, &self.propstats);
        if let Some(e) = &self.error {
            e.encode(w);
        }
        if let Some(d) = &self.description {
            w.text_element(&Name::Dav(Dav::ResponseDescription), d);
        }
        if let Some(l) = &self.location {
            let inner = w.open(&Name::Dav(Dav::Location), &[]);
            common::write_hrefs(w, std::slice::from_ref(l));
            w.close(inner);
        }
        w.close(tag);
    }
}

impl<'a> Multistatus<'a> {
    pub(crate) fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut ms = Multistatus::default();
        while let Some(child) = r.next_child(el)? {
            match child.name {
                Name::Dav(Dav::Response) => {
                    r.check_list(ms.responses.len(), child.offset)?;
                    ms.responses.push(Response::decode(r, &child)?);
                }
                Name::Dav(Dav::ResponseDescription) => {
                    ms.description = Some(common::description(r, &child)?);
                }
                Name::Dav(Dav::SyncToken) => {
                    ms.sync_token = Some(common::trimmed_text(r, &child)?);
                }
                _ => r.skip(&child)?,
            }
        }
        Ok(ms)
    }

    pub(crate) fn encode(&self, w: &mut XmlWriter) {
        let tag = w.open(&Name::Dav(Dav::Multistatus), &[]);
        for resp in &self.responses {
            resp.encode(w);
        }
        if let Some(d) = &self.description {
            w.text_element(&Name::Dav(Dav::ResponseDescription), d);
        }
        if let Some(t) = &self.sync_token {
            w.text_element(&Name::Dav(Dav::SyncToken), t);
        }
        w.close(tag);
    }
}
