//! Properties: a name and a value. Known DAV, CalDAV, CardDAV and CalendarServer properties
//! decode to typed values; any other property keeps its content raw and round-trips.

use std::borrow::Cow;

use crate::ErrorKind;
use crate::body::acl::{self, Ace, Principal, SupportedPrivilege};
use crate::body::common::{self, Href};
use crate::body::lock::{self, ActiveLock, LockEntry};
use crate::body::owned::{ToStatic, owned_struct};
use crate::xml::reader::{Element, Fail, XmlReader, XmlResult};
use crate::xml::writer::XmlWriter;
use crate::xml::{CalDav, CalendarServer, CardDav, Dav, Name, RawXml};

/// One property with its value, as in `DAV:prop` of a PROPPATCH or a multistatus.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DavProperty<'a> {
    /// The property name.
    pub name: Name<'a>,
    /// The value; [`PropValue::Empty`] for an empty element (a name-only listing, a 404).
    pub value: PropValue<'a>,
    /// The `xml:lang` of the property element, which RFC 4918 §4.3 says to keep.
    pub lang: Option<Cow<'a, str>>,
}

owned_struct!(DavProperty { name, value, lang });

impl<'a> DavProperty<'a> {
    /// A property with a value.
    pub fn new(name: impl Into<Name<'a>>, value: PropValue<'a>) -> Self {
        DavProperty {
            name: name.into(),
            value,
            lang: None,
        }
    }

    /// A name-only property (`<D:getetag/>`).
    pub fn empty(name: impl Into<Name<'a>>) -> Self {
        DavProperty::new(name, PropValue::Empty)
    }
}

/// Calendar or address data with its media type attributes (`calendar-data`,
/// `address-data`). Line ends are kept exactly as sent: CR LF in the body stays CR LF, and
/// the encoder writes CR as `&#13;` so it survives any XML parser.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DataValue<'a> {
    /// The `content-type` attribute.
    pub content_type: Option<Cow<'a, str>>,
    /// The `version` attribute.
    pub version: Option<Cow<'a, str>>,
    /// The iCalendar or vCard text.
    pub data: Cow<'a, str>,
}

owned_struct!(DataValue {
    content_type,
    version,
    data
});

/// A media type a collection supports (`supported-calendar-data`, `supported-address-data`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DataType<'a> {
    /// The `content-type` attribute.
    pub content_type: Option<Cow<'a, str>>,
    /// The `version` attribute.
    pub version: Option<Cow<'a, str>>,
}

owned_struct!(DataType {
    content_type,
    version
});

/// A property value. Which variant a known property decodes to is fixed by its name (see
/// [`PropValue`] variant docs); unknown properties are [`PropValue::Raw`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum PropValue<'a> {
    /// No content at all.
    Empty,
    /// Text: `getetag`, `displayname`, `getcontenttype`, `sync-token`, `schedule-tag`...
    /// (trimmed).
    Text(Cow<'a, str>),
    /// A number: `getcontentlength`, quota, `max-resource-size`, `max-instances`...
    Number(u64),
    /// One href: `principal-URL`, `owner`, `schedule-inbox-URL`...
    Href(Href<'a>),
    /// A list of hrefs: `calendar-home-set`, `calendar-user-address-set`...
    Hrefs(Vec<Href<'a>>),
    /// A principal: `current-user-principal`.
    Principal(Principal<'a>),
    /// Marker element names: `resourcetype`, `schedule-calendar-transp`.
    Markers(Vec<Name<'a>>),
    /// Component names: `supported-calendar-component-set`.
    Components(Vec<Cow<'a, str>>),
    /// Media types: `supported-calendar-data`, `supported-address-data`.
    DataTypes(Vec<DataType<'a>>),
    /// Collations: `supported-collation-set`.
    Collations(Vec<Cow<'a, str>>),
    /// `calendar-data` or `address-data`.
    Data(DataValue<'a>),
    /// `lockdiscovery`.
    LockDiscovery(Vec<ActiveLock<'a>>),
    /// `supportedlock`.
    SupportedLock(Vec<LockEntry<'a>>),
    /// Privileges: `current-user-privilege-set`.
    Privileges(Vec<Name<'a>>),
    /// `acl`.
    Acl(Vec<Ace<'a>>),
    /// `supported-privilege-set`.
    SupportedPrivileges(Vec<SupportedPrivilege<'a>>),
    /// Report names: `supported-report-set`.
    Reports(Vec<Name<'a>>),
    /// Anything else, verbatim.
    Raw(RawXml<'a>),
}

impl PropValue<'_> {
    /// A `'static` copy.
    pub fn into_owned(self) -> PropValue<'static> {
        match self {
            PropValue::Empty => PropValue::Empty,
            PropValue::Text(t) => PropValue::Text(t.to_static()),
            PropValue::Number(n) => PropValue::Number(n),
            PropValue::Href(h) => PropValue::Href(h.to_static()),
            PropValue::Hrefs(h) => PropValue::Hrefs(h.to_static()),
            PropValue::Principal(p) => PropValue::Principal(p.to_static()),
            PropValue::Markers(m) => PropValue::Markers(m.to_static()),
            PropValue::Components(c) => PropValue::Components(c.to_static()),
            PropValue::DataTypes(d) => PropValue::DataTypes(d.to_static()),
            PropValue::Collations(c) => PropValue::Collations(c.to_static()),
            PropValue::Data(d) => PropValue::Data(d.to_static()),
            PropValue::LockDiscovery(l) => PropValue::LockDiscovery(l.to_static()),
            PropValue::SupportedLock(l) => PropValue::SupportedLock(l.to_static()),
            PropValue::Privileges(p) => PropValue::Privileges(p.to_static()),
            PropValue::Acl(a) => PropValue::Acl(a.to_static()),
            PropValue::SupportedPrivileges(s) => PropValue::SupportedPrivileges(s.to_static()),
            PropValue::Reports(r) => PropValue::Reports(r.to_static()),
            PropValue::Raw(r) => PropValue::Raw(r.to_static()),
        }
    }

    /// Whether the value has no content, so it encodes as an empty element.
    fn is_vacant(&self) -> bool {
        match self {
            PropValue::Empty => true,
            PropValue::Text(t) => t.is_empty(),
            PropValue::Hrefs(v) => v.is_empty(),
            PropValue::Markers(v) | PropValue::Privileges(v) | PropValue::Reports(v) => {
                v.is_empty()
            }
            PropValue::Components(v) | PropValue::Collations(v) => v.is_empty(),
            PropValue::DataTypes(v) => v.is_empty(),
            PropValue::LockDiscovery(v) => v.is_empty(),
            PropValue::SupportedLock(v) => v.is_empty(),
            PropValue::Acl(v) => v.is_empty(),
            PropValue::SupportedPrivileges(v) => v.is_empty(),
            PropValue::Raw(r) => r.is_empty(),
            PropValue::Number(_)
            | PropValue::Href(_)
            | PropValue::Principal(_)
            | PropValue::Data(_) => false,
        }
    }
}

impl<'a> PropValue<'a> {
    /// The text of a [`PropValue::Text`] (`getetag`, `displayname`…).
    pub fn as_text(&self) -> Option<&str> {
        match self {
            PropValue::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The number of a [`PropValue::Number`], or of a text that is a signed number: a
    /// negative `quota-available-bytes` (-1, -2, -3, which some servers send) decodes as
    /// [`PropValue::Text`] and reads back here.
    pub fn as_number(&self) -> Option<i64> {
        match self {
            PropValue::Number(n) => i64::try_from(*n).ok(),
            PropValue::Text(t) => t.parse().ok(),
            _ => None,
        }
    }

    /// The href of a [`PropValue::Href`], the first of [`PropValue::Hrefs`], or the href of
    /// a [`PropValue::Principal`].
    pub fn as_href(&self) -> Option<&str> {
        match self {
            PropValue::Href(h) | PropValue::Principal(Principal::Href(h)) => Some(h.as_str()),
            PropValue::Hrefs(h) => h.first().map(Href::as_str),
            _ => None,
        }
    }

    /// Every href of a [`PropValue::Hrefs`] (or the one of a [`PropValue::Href`]).
    pub fn hrefs(&self) -> &[Href<'a>] {
        match self {
            PropValue::Hrefs(h) => h,
            PropValue::Href(h) => std::slice::from_ref(h),
            _ => &[],
        }
    }

    /// The calendar or address data of a [`PropValue::Data`].
    pub fn as_data(&self) -> Option<&DataValue<'a>> {
        match self {
            PropValue::Data(d) => Some(d),
            _ => None,
        }
    }

    /// Whether a [`PropValue::Markers`] (`resourcetype`) holds `name`, as in
    /// `value.has_marker(CalDav::Calendar)`.
    pub fn has_marker<'n>(&self, name: impl Into<Name<'n>>) -> bool {
        let name = name.into();
        matches!(self, PropValue::Markers(m) if m.contains(&name))
    }
}

impl ToStatic for PropValue<'_> {
    type Static = PropValue<'static>;
    fn to_static(self) -> PropValue<'static> {
        self.into_owned()
    }
}

/// The value shape of a known property.
#[derive(Clone, Copy)]
enum Shape {
    Text,
    Number,
    Href,
    Hrefs,
    Principal,
    Markers,
    Components,
    DataTypes,
    Collations,
    Data,
    LockDiscovery,
    SupportedLock,
    Privileges,
    Acl,
    SupportedPrivileges,
    Reports,
    Raw,
}

fn shape(name: &Name<'_>) -> Shape {
    match name {
        Name::Dav(d) => match d {
            Dav::CreationDate
            | Dav::DisplayName
            | Dav::GetContentLanguage
            | Dav::GetContentType
            | Dav::GetEtag
            | Dav::GetLastModified
            | Dav::SyncToken => Shape::Text,
            Dav::GetContentLength | Dav::QuotaAvailableBytes | Dav::QuotaUsedBytes => Shape::Number,
            Dav::Owner | Dav::Group | Dav::PrincipalUrl => Shape::Href,
            Dav::AlternateUriSet
            | Dav::GroupMemberSet
            | Dav::GroupMembership
            | Dav::PrincipalCollectionSet
            | Dav::InheritedAclSet => Shape::Hrefs,
            Dav::CurrentUserPrincipal => Shape::Principal,
            Dav::ResourceType => Shape::Markers,
            Dav::LockDiscovery => Shape::LockDiscovery,
            Dav::SupportedLock => Shape::SupportedLock,
            Dav::CurrentUserPrivilegeSet => Shape::Privileges,
            Dav::Acl => Shape::Acl,
            Dav::SupportedPrivilegeSet => Shape::SupportedPrivileges,
            Dav::SupportedReportSet => Shape::Reports,
            _ => Shape::Raw,
        },
        Name::CalDav(c) => match c {
            CalDav::CalendarDescription
            | CalDav::CalendarTimezone
            | CalDav::MinDateTime
            | CalDav::MaxDateTime
            | CalDav::ScheduleTag
            | CalDav::CalendarUserType => Shape::Text,
            CalDav::MaxResourceSize | CalDav::MaxInstances | CalDav::MaxAttendeesPerInstance => {
                Shape::Number
            }
            CalDav::ScheduleInboxUrl
            | CalDav::ScheduleOutboxUrl
            | CalDav::ScheduleDefaultCalendarUrl => Shape::Href,
            CalDav::CalendarHomeSet | CalDav::CalendarUserAddressSet => Shape::Hrefs,
            CalDav::ScheduleCalendarTransp => Shape::Markers,
            CalDav::SupportedCalendarComponentSet => Shape::Components,
            CalDav::SupportedCalendarData => Shape::DataTypes,
            CalDav::SupportedCollationSet => Shape::Collations,
            CalDav::CalendarData => Shape::Data,
            _ => Shape::Raw,
        },
        Name::CardDav(c) => match c {
            CardDav::AddressbookDescription => Shape::Text,
            CardDav::MaxResourceSize => Shape::Number,
            CardDav::PrincipalAddress => Shape::Href,
            CardDav::AddressbookHomeSet => Shape::Hrefs,
            CardDav::SupportedAddressData => Shape::DataTypes,
            CardDav::SupportedCollationSet => Shape::Collations,
            CardDav::AddressData => Shape::Data,
            _ => Shape::Raw,
        },
        Name::CalendarServer(CalendarServer::GetCtag) => Shape::Text,
        Name::CalendarServer(_) | Name::Other(_) => Shape::Raw,
    }
}

/// Decodes the property element `el`.
pub(crate) fn decode<'a>(r: &mut XmlReader<'a>, el: Element<'a>) -> XmlResult<DavProperty<'a>> {
    let lang = r.attr(&el, "xml:lang")?;
    if el.empty {
        return Ok(DavProperty {
            name: el.name,
            value: PropValue::Empty,
            lang,
        });
    }
    let shape = shape(&el.name);
    // One property whose content does not have its known shape must not fail the whole
    // body: read it again as raw XML (the reader is rewound to the property's content). Plain
    // text content read as text cannot fail, so the common case keeps no copy of the reader.
    let textual = matches!(shape, Shape::Text | Shape::Number | Shape::Data);
    let cannot_fail = matches!(shape, Shape::Raw) || (textual && r.at_plain_text());
    let saved = (!cannot_fail).then(|| r.mark());
    let value = match typed(r, &el, shape) {
        Err(Fail::Invalid(e)) if matches!(e.kind(), ErrorKind::Expected(_)) => match saved {
            Some(saved) => {
                r.rewind(saved);
                PropValue::Raw(r.raw(&el)?)
            }
            None => return Err(Fail::Invalid(e)),
        },
        other => other?,
    };
    let value = if value.is_vacant() {
        PropValue::Empty
    } else {
        value
    };
    Ok(DavProperty {
        name: el.name,
        value,
        lang,
    })
}

/// The value of property element `el` as its known `shape`.
fn typed<'a>(r: &mut XmlReader<'a>, el: &Element<'a>, shape: Shape) -> XmlResult<PropValue<'a>> {
    let el = el.clone();
    Ok(match shape {
        Shape::Text => PropValue::Text(common::trimmed_text(r, &el)?),
        Shape::Number => {
            let text = common::trimmed_text(r, &el)?;
            if text.is_empty() {
                PropValue::Empty
            } else if let Ok(n) = text.parse() {
                PropValue::Number(n)
            } else {
                // Not an unsigned number: negative quotas (-1, -2, -3: "unlimited",
                // "unknown", over quota) are what several servers send. Keep the text
                // ([`PropValue::as_number`] reads a signed one back).
                PropValue::Text(text)
            }
        }
        Shape::Href => match common::hrefs(r, &el)?.into_iter().next() {
            Some(h) => PropValue::Href(h),
            None => PropValue::Empty,
        },
        Shape::Hrefs => PropValue::Hrefs(common::hrefs(r, &el)?),
        Shape::Principal => match acl::principal_content(r, &el)? {
            Some(p) => PropValue::Principal(p),
            None => PropValue::Empty,
        },
        Shape::Markers => PropValue::Markers(common::child_names(r, &el)?),
        Shape::Components => {
            let mut out = Vec::new();
            while let Some(child) = r.next_child(&el)? {
                if child.name == Name::CalDav(CalDav::Comp) {
                    r.check_list(out.len(), child.offset)?;
                    out.push(r.attr(&child, "name")?.unwrap_or_default());
                }
                r.skip(&child)?;
            }
            PropValue::Components(out)
        }
        Shape::DataTypes => {
            let mut out = Vec::new();
            while let Some(child) = r.next_child(&el)? {
                r.check_list(out.len(), child.offset)?;
                out.push(DataType {
                    content_type: r.attr(&child, "content-type")?,
                    version: r.attr(&child, "version")?,
                });
                r.skip(&child)?;
            }
            PropValue::DataTypes(out)
        }
        Shape::Collations => {
            let mut out = Vec::new();
            while let Some(child) = r.next_child(&el)? {
                r.check_list(out.len(), child.offset)?;
                out.push(common::trimmed_text(r, &child)?);
            }
            PropValue::Collations(out)
        }
        Shape::Data => PropValue::Data(DataValue {
            content_type: r.attr(&el, "content-type")?,
            version: r.attr(&el, "version")?,
            data: r.text(&el)?,
        }),
        Shape::LockDiscovery => PropValue::LockDiscovery(lock::active_locks(r, &el)?),
        Shape::SupportedLock => PropValue::SupportedLock(lock::lock_entries(r, &el)?),
        Shape::Privileges => PropValue::Privileges(acl::privileges(r, &el)?),
        Shape::Acl => PropValue::Acl(acl::aces(r, &el)?),
        Shape::SupportedPrivileges => {
            PropValue::SupportedPrivileges(acl::supported_privileges(r, &el)?)
        }
        Shape::Reports => PropValue::Reports(report_names(r, &el)?),
        Shape::Raw => PropValue::Raw(r.raw(&el)?),
    })
}

fn report_names<'a>(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Vec<Name<'a>>> {
    let mut out = Vec::new();
    while let Some(supported) = r.next_child(el)? {
        while let Some(report) = r.next_child(&supported)? {
            if report.name == Name::Dav(Dav::Report) {
                r.check_list(out.len(), report.offset)?;
                out.push(common::single_child_name(r, &report)?);
            } else {
                r.skip(&report)?;
            }
        }
    }
    Ok(out)
}

/// Decodes every property child of a `DAV:prop` element.
pub(crate) fn decode_prop<'a>(
    r: &mut XmlReader<'a>,
    el: &Element<'a>,
) -> XmlResult<Vec<DavProperty<'a>>> {
    let mut out = Vec::new();
    while let Some(child) = r.next_child(el)? {
        r.check_list(out.len(), child.offset)?;
        out.push(decode(r, child)?);
    }
    Ok(out)
}

/// Writes one property element.
pub(crate) fn encode(w: &mut XmlWriter, p: &DavProperty<'_>) {
    let name = &p.name;
    let mut attrs: Vec<(&str, &str)> = Vec::new();
    if let Some(lang) = &p.lang {
        attrs.push(("xml:lang", lang));
    }
    match &p.value {
        PropValue::Empty => w.empty(name, &attrs),
        PropValue::Raw(raw) => w.raw_element(name, &attrs, raw),
        PropValue::Data(d) => {
            if let Some(ct) = &d.content_type {
                attrs.push(("content-type", &**ct));
            }
            if let Some(v) = &d.version {
                attrs.push(("version", &**v));
            }
            if d.data.is_empty() {
                w.empty(name, &attrs);
            } else {
                let tag = w.open(name, &attrs);
                w.text(&d.data);
                w.close(tag);
            }
        }
        value => {
            let tag = w.open(name, &attrs);
            encode_content(w, name, value);
            w.close(tag);
        }
    }
}

fn encode_content(w: &mut XmlWriter, name: &Name<'_>, value: &PropValue<'_>) {
    let carddav = matches!(name, Name::CardDav(_));
    match value {
        PropValue::Empty | PropValue::Raw(_) | PropValue::Data(_) => {}
        PropValue::Text(t) => w.text(t),
        PropValue::Number(n) => w.text(&n.to_string()),
        PropValue::Href(h) => common::write_hrefs(w, std::slice::from_ref(h)),
        PropValue::Hrefs(h) => common::write_hrefs(w, h),
        PropValue::Principal(p) => acl::write_principal_content(w, p),
        PropValue::Markers(m) => w.markers(m),
        PropValue::Components(c) => {
            for comp in c {
                w.empty(&Name::CalDav(CalDav::Comp), &[("name", comp)]);
            }
        }
        PropValue::DataTypes(types) => {
            for t in types {
                let mut attrs = Vec::new();
                if let Some(ct) = &t.content_type {
                    attrs.push(("content-type", &**ct));
                }
                if let Some(v) = &t.version {
                    attrs.push(("version", &**v));
                }
                // CalDAV lists calendar-data elements, CardDAV address-data-type elements.
                let element = if carddav {
                    Name::CardDav(CardDav::AddressDataType)
                } else {
                    Name::CalDav(CalDav::CalendarData)
                };
                w.empty(&element, &attrs);
            }
        }
        PropValue::Collations(c) => {
            for collation in c {
                let element = if carddav {
                    Name::CardDav(CardDav::SupportedCollation)
                } else {
                    Name::CalDav(CalDav::SupportedCollation)
                };
                w.text_element(&element, collation);
            }
        }
        PropValue::LockDiscovery(locks) => lock::write_active_locks(w, locks),
        PropValue::SupportedLock(entries) => lock::write_lock_entries(w, entries),
        PropValue::Privileges(p) => common::write_wrapped_names(w, Dav::Privilege, p),
        PropValue::Acl(aces) => acl::write_aces(w, aces),
        PropValue::SupportedPrivileges(s) => acl::write_supported_privileges(w, s),
        PropValue::Reports(reports) => {
            for report in reports {
                let outer = w.open(&Name::Dav(Dav::SupportedReport), &[]);
                let inner = w.open(&Name::Dav(Dav::Report), &[]);
                w.empty(report, &[]);
                w.close(inner);
                w.close(outer);
            }
        }
    }
}

/// Writes a `DAV:prop` holding `props`.
pub(crate) fn encode_prop(w: &mut XmlWriter, props: &[DavProperty<'_>]) {
    let tag = w.open(&Name::Dav(Dav::Prop), &[]);
    for p in props {
        encode(w, p);
    }
    w.close(tag);
}
