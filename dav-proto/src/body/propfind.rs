//! The PROPFIND request body (`DAV:propfind`: `prop`, `allprop` with `include`, `propname`),
//! whose property selection the REPORT bodies reuse.

use crate::body::caldav::CalendarDataRequest;
use crate::body::carddav::AddressDataRequest;
use crate::body::owned::{ToStatic, owned_struct};
use crate::xml::reader::{Element, XmlReader, XmlResult};
use crate::xml::writer::XmlWriter;
use crate::xml::{CalDav, CardDav, Dav, Name};

/// One property asked for by name; `calendar-data` and `address-data` may carry a selection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum RequestedProp<'a> {
    /// A property by name.
    Name(Name<'a>),
    /// `CALDAV:calendar-data`, with what to return of the calendar data.
    CalendarData(CalendarDataRequest<'a>),
    /// `CARDDAV:address-data`, with what to return of the vCard.
    AddressData(AddressDataRequest<'a>),
}

impl RequestedProp<'_> {
    /// A `'static` copy.
    pub fn into_owned(self) -> RequestedProp<'static> {
        match self {
            RequestedProp::Name(n) => RequestedProp::Name(n.into_owned()),
            RequestedProp::CalendarData(c) => RequestedProp::CalendarData(c.into_owned()),
            RequestedProp::AddressData(a) => RequestedProp::AddressData(a.into_owned()),
        }
    }

    /// The property name.
    pub fn name(&self) -> Name<'_> {
        match self {
            RequestedProp::Name(n) => n.clone(),
            RequestedProp::CalendarData(_) => Name::CalDav(CalDav::CalendarData),
            RequestedProp::AddressData(_) => Name::CardDav(CardDav::AddressData),
        }
    }
}

impl ToStatic for RequestedProp<'_> {
    type Static = RequestedProp<'static>;
    fn to_static(self) -> RequestedProp<'static> {
        self.into_owned()
    }
}

/// What a PROPFIND (or a REPORT's property part) asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Propfind<'a> {
    /// `DAV:propname`: the names only.
    PropName,
    /// `DAV:allprop`, with the `DAV:include` extras.
    AllProp {
        /// Properties to include beyond the default set.
        include: Vec<RequestedProp<'a>>,
    },
    /// `DAV:prop`: these properties.
    Prop(Vec<RequestedProp<'a>>),
}

impl Propfind<'_> {
    /// A `'static` copy.
    pub fn into_owned(self) -> Propfind<'static> {
        match self {
            Propfind::PropName => Propfind::PropName,
            Propfind::AllProp { include } => Propfind::AllProp {
                include: include.to_static(),
            },
            Propfind::Prop(p) => Propfind::Prop(p.to_static()),
        }
    }
}

impl ToStatic for Propfind<'_> {
    type Static = Propfind<'static>;
    fn to_static(self) -> Propfind<'static> {
        self.into_owned()
    }
}

/// The `DAV:propfind` body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PropfindRequest<'a> {
    /// What is asked for.
    pub selection: Propfind<'a>,
}

owned_struct!(PropfindRequest { selection });

impl<'a> PropfindRequest<'a> {
    pub(crate) fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut selection = None;
        while let Some(child) = r.next_child(el)? {
            selection_part(r, child, &mut selection)?;
        }
        Ok(PropfindRequest {
            // An empty propfind asks for allprop (RFC 4918 §9.1).
            selection: selection.unwrap_or(Propfind::AllProp {
                include: Vec::new(),
            }),
        })
    }

    pub(crate) fn encode(&self, w: &mut XmlWriter) {
        let tag = w.open(&Name::Dav(Dav::Propfind), &[]);
        encode_selection(w, &self.selection);
        w.close(tag);
    }
}

/// Reads one child that may be `prop`, `allprop`, `include` or `propname` into `slot`;
/// skips anything else. Returns whether the child was one of those.
pub(crate) fn selection_part<'a>(
    r: &mut XmlReader<'a>,
    child: Element<'a>,
    slot: &mut Option<Propfind<'a>>,
) -> XmlResult<bool> {
    let part = match child.name {
        Name::Dav(Dav::Prop) => Propfind::Prop(requested_props(r, &child)?),
        Name::Dav(Dav::Include) => Propfind::AllProp {
            include: requested_props(r, &child)?,
        },
        Name::Dav(Dav::AllProp) => {
            r.skip(&child)?;
            Propfind::AllProp {
                include: Vec::new(),
            }
        }
        Name::Dav(Dav::PropName) => {
            r.skip(&child)?;
            Propfind::PropName
        }
        _ => {
            r.skip(&child)?;
            return Ok(false);
        }
    };
    // `allprop` and `include` combine, in either order.
    match (slot.as_mut(), part) {
        (Some(Propfind::AllProp { include }), Propfind::AllProp { include: mut more }) => {
            include.append(&mut more);
        }
        (_, part) => *slot = Some(part),
    }
    Ok(true)
}

/// Reads the property names in a `prop` or `include`.
pub(crate) fn requested_props<'a>(
    r: &mut XmlReader<'a>,
    el: &Element<'a>,
) -> XmlResult<Vec<RequestedProp<'a>>> {
    let mut out = Vec::new();
    while let Some(child) = r.next_child(el)? {
        r.check_list(out.len(), child.offset)?;
        let prop = match child.name {
            Name::CalDav(CalDav::CalendarData) => {
                RequestedProp::CalendarData(CalendarDataRequest::decode(r, &child)?)
            }
            Name::CardDav(CardDav::AddressData) => {
                RequestedProp::AddressData(AddressDataRequest::decode(r, &child)?)
            }
            _ => {
                r.skip(&child)?;
                RequestedProp::Name(child.name)
            }
        };
        out.push(prop);
    }
    Ok(out)
}

/// Writes the requested properties as children of the current element.
pub(crate) fn encode_requested(w: &mut XmlWriter, props: &[RequestedProp<'_>]) {
    for p in props {
        match p {
            RequestedProp::Name(n) => w.empty(n, &[]),
            RequestedProp::CalendarData(c) => c.encode(w),
            RequestedProp::AddressData(a) => a.encode(w),
        }
    }
}

/// Writes `prop`, `allprop` (+ `include`) or `propname`.
pub(crate) fn encode_selection(w: &mut XmlWriter, selection: &Propfind<'_>) {
    match selection {
        Propfind::PropName => w.empty(&Name::Dav(Dav::PropName), &[]),
        Propfind::AllProp { include } => {
            w.empty(&Name::Dav(Dav::AllProp), &[]);
            if !include.is_empty() {
                let tag = w.open(&Name::Dav(Dav::Include), &[]);
                encode_requested(w, include);
                w.close(tag);
            }
        }
        Propfind::Prop(props) => {
            let tag = w.open(&Name::Dav(Dav::Prop), &[]);
            encode_requested(w, props);
            w.close(tag);
        }
    }
}
