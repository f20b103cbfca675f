//! XML request and response bodies, one module per body family, and the two entry points
//! [`DavRequest`] and [`DavResponse`], which pick the body by its root element.

pub mod acl;
mod builders;
pub mod caldav;
pub mod carddav;
pub mod common;
pub mod error;
pub mod lock;
pub mod multistatus;
pub(crate) mod owned;
pub mod property;
pub mod propfind;
pub mod proppatch;
pub mod report;
pub mod sync;

use std::io;

use crate::decoded::{DecodeError, Decoded};
use crate::limits::Limits;
use crate::xml::reader::{Element, Fail, XmlReader, XmlResult};
use crate::xml::writer::XmlWriter;
use crate::xml::{CalDav, CardDav, Dav, Name, RawXml};

pub use acl::{Ace, AceRule, AclRequest, Principal, SupportedPrivilege};
pub use caldav::{
    CalendarDataRequest, CalendarQuery, CompFilter, CompSelect, FreeBusyQuery, Multiget,
    ParamFilter, PropFilter, PropSelect, Selection, TextMatch, TimeRange,
};
pub use carddav::{
    AddressDataRequest, AddressbookQuery, CardFilter, CardParamFilter, CardPropFilter,
    CardTextMatch, FilterTest,
};
pub use common::{Href, Status};
pub use error::{Condition, ConditionDetail, ErrorBody};
pub use lock::{ActiveLock, LockEntry, LockInfo, LockScope};
pub use multistatus::{Multistatus, PropStat, Response};
pub use property::{DataType, DataValue, DavProperty, PropValue};
pub use propfind::{Propfind, PropfindRequest, RequestedProp};
pub use proppatch::{MkcolRequest, PropertyUpdate, PropertyUpdateItem};
pub use report::{ExpandItem, ExpandProperty, PrincipalPropertySearch, PropertySearch};
pub use sync::{SyncCollection, SyncLevel};

use owned::ToStatic;

/// Runs a body decoder over a whole body, mapping the reader's outcome to the contract.
fn decode_body<'a, T>(
    input: &'a [u8],
    limits: &Limits,
    body: impl FnOnce(&mut XmlReader<'a>, Element<'a>) -> XmlResult<T>,
) -> Result<Decoded<T>, DecodeError> {
    let run = || -> XmlResult<(T, usize)> {
        let mut reader = XmlReader::new(input, limits)?;
        let root = reader.root()?;
        let value = body(&mut reader, root)?;
        let consumed = reader.finish()?;
        Ok((value, consumed))
    };
    match run() {
        Ok((value, consumed)) => Ok(Decoded::Complete { value, consumed }),
        Err(Fail::Incomplete) => Ok(Decoded::Incomplete { needed: None }),
        Err(Fail::Invalid(e)) => Err(e),
    }
}

/// Encoding entry points shared by both body enums.
macro_rules! encoding_api {
    () => {
        /// The body as XML bytes (UTF-8, with an XML declaration).
        pub fn to_vec(&self) -> Vec<u8> {
            let mut w = XmlWriter::new();
            self.write_xml(&mut w);
            w.into_bytes()
        }

        /// Appends the encoded body to `out`.
        pub fn encode_into(&self, out: &mut bytes::BytesMut) {
            out.extend_from_slice(&self.to_vec());
        }

        /// Writes the encoded body to `out`.
        pub fn write_to<W: io::Write>(&self, mut out: W) -> io::Result<()> {
            out.write_all(&self.to_vec())
        }
    };
}

/// A WebDAV/CalDAV/CardDAV request body, by root element.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum DavRequest<'a> {
    /// `DAV:propfind` (PROPFIND).
    Propfind(PropfindRequest<'a>),
    /// `DAV:propertyupdate` (PROPPATCH).
    PropertyUpdate(PropertyUpdate<'a>),
    /// `DAV:lockinfo` (LOCK).
    LockInfo(LockInfo<'a>),
    /// `DAV:mkcol` (extended MKCOL, RFC 5689).
    Mkcol(MkcolRequest<'a>),
    /// `CALDAV:mkcalendar` (MKCALENDAR).
    Mkcalendar(MkcolRequest<'a>),
    /// `CALDAV:calendar-query` (REPORT).
    CalendarQuery(CalendarQuery<'a>),
    /// `CALDAV:calendar-multiget` (REPORT).
    CalendarMultiget(Multiget<'a>),
    /// `CALDAV:free-busy-query` (REPORT).
    FreeBusyQuery(FreeBusyQuery<'a>),
    /// `CARDDAV:addressbook-query` (REPORT).
    AddressbookQuery(AddressbookQuery<'a>),
    /// `CARDDAV:addressbook-multiget` (REPORT).
    AddressbookMultiget(Multiget<'a>),
    /// `DAV:sync-collection` (REPORT, RFC 6578).
    SyncCollection(SyncCollection<'a>),
    /// `DAV:expand-property` (REPORT, RFC 3253).
    ExpandProperty(ExpandProperty<'a>),
    /// `DAV:principal-property-search` (REPORT, RFC 3744).
    PrincipalPropertySearch(PrincipalPropertySearch<'a>),
    /// `DAV:acl` (ACL).
    Acl(AclRequest<'a>),
    /// Any other root element, its content verbatim.
    Other {
        /// The root element.
        name: Name<'a>,
        /// Its content.
        content: RawXml<'a>,
    },
}

impl<'a> DavRequest<'a> {
    /// Decodes a whole request body. A prefix of a body is [`Decoded::Incomplete`].
    pub fn decode(input: &'a [u8], limits: &Limits) -> Result<Decoded<Self>, DecodeError> {
        decode_body(input, limits, |r, root| {
            Ok(match root.name {
                Name::Dav(Dav::Propfind) => {
                    DavRequest::Propfind(PropfindRequest::decode(r, &root)?)
                }
                Name::Dav(Dav::PropertyUpdate) => {
                    DavRequest::PropertyUpdate(PropertyUpdate::decode(r, &root)?)
                }
                Name::Dav(Dav::LockInfo) => DavRequest::LockInfo(LockInfo::decode(r, &root)?),
                Name::Dav(Dav::Mkcol) => DavRequest::Mkcol(MkcolRequest::decode(r, &root)?),
                Name::CalDav(CalDav::Mkcalendar) => {
                    DavRequest::Mkcalendar(MkcolRequest::decode(r, &root)?)
                }
                Name::CalDav(CalDav::CalendarQuery) => {
                    DavRequest::CalendarQuery(CalendarQuery::decode(r, &root)?)
                }
                Name::CalDav(CalDav::CalendarMultiget) => {
                    DavRequest::CalendarMultiget(Multiget::decode(r, &root)?)
                }
                Name::CalDav(CalDav::FreeBusyQuery) => {
                    DavRequest::FreeBusyQuery(FreeBusyQuery::decode(r, &root)?)
                }
                Name::CardDav(CardDav::AddressbookQuery) => {
                    DavRequest::AddressbookQuery(AddressbookQuery::decode(r, &root)?)
                }
                Name::CardDav(CardDav::AddressbookMultiget) => {
                    DavRequest::AddressbookMultiget(Multiget::decode(r, &root)?)
                }
                Name::Dav(Dav::SyncCollection) => {
                    DavRequest::SyncCollection(SyncCollection::decode(r, &root)?)
                }
                Name::Dav(Dav::ExpandProperty) => {
                    DavRequest::ExpandProperty(ExpandProperty::decode(r, &root)?)
                }
                Name::Dav(Dav::PrincipalPropertySearch) => {
                    DavRequest::PrincipalPropertySearch(PrincipalPropertySearch::decode(r, &root)?)
                }
                Name::Dav(Dav::Acl) => DavRequest::Acl(AclRequest::decode(r, &root)?),
                _ => {
                    let content = r.raw(&root)?;
                    DavRequest::Other {
                        name: root.name,
                        content,
                    }
                }
            })
        })
    }

    /// The body's root element local name (`propfind`, `calendar-query`, ...; `other` for
    /// an unknown root), for display.
    pub fn kind(&self) -> &'static str {
        match self {
            DavRequest::Propfind(_) => "propfind",
            DavRequest::PropertyUpdate(_) => "propertyupdate",
            DavRequest::LockInfo(_) => "lockinfo",
            DavRequest::Mkcol(_) => "mkcol",
            DavRequest::Mkcalendar(_) => "mkcalendar",
            DavRequest::CalendarQuery(_) => "calendar-query",
            DavRequest::CalendarMultiget(_) => "calendar-multiget",
            DavRequest::FreeBusyQuery(_) => "free-busy-query",
            DavRequest::AddressbookQuery(_) => "addressbook-query",
            DavRequest::AddressbookMultiget(_) => "addressbook-multiget",
            DavRequest::SyncCollection(_) => "sync-collection",
            DavRequest::ExpandProperty(_) => "expand-property",
            DavRequest::PrincipalPropertySearch(_) => "principal-property-search",
            DavRequest::Acl(_) => "acl",
            DavRequest::Other { .. } => "other",
        }
    }

    fn write_xml(&self, w: &mut XmlWriter) {
        match self {
            DavRequest::Propfind(b) => b.encode(w),
            DavRequest::PropertyUpdate(b) => b.encode(w),
            DavRequest::LockInfo(b) => b.encode(w),
            DavRequest::Mkcol(b) => b.encode(w, Name::Dav(Dav::Mkcol)),
            DavRequest::Mkcalendar(b) => b.encode(w, Name::CalDav(CalDav::Mkcalendar)),
            DavRequest::CalendarQuery(b) => b.encode(w),
            DavRequest::CalendarMultiget(b) => b.encode(w, Name::CalDav(CalDav::CalendarMultiget)),
            DavRequest::FreeBusyQuery(b) => b.encode(w),
            DavRequest::AddressbookQuery(b) => b.encode(w),
            DavRequest::AddressbookMultiget(b) => {
                b.encode(w, Name::CardDav(CardDav::AddressbookMultiget));
            }
            DavRequest::SyncCollection(b) => b.encode(w),
            DavRequest::ExpandProperty(b) => b.encode(w),
            DavRequest::PrincipalPropertySearch(b) => b.encode(w),
            DavRequest::Acl(b) => b.encode(w),
            DavRequest::Other { name, content } => w.raw_element(name, &[], content),
        }
    }

    encoding_api!();

    /// A `'static` copy.
    pub fn into_owned(self) -> DavRequest<'static> {
        match self {
            DavRequest::Propfind(b) => DavRequest::Propfind(b.into_owned()),
            DavRequest::PropertyUpdate(b) => DavRequest::PropertyUpdate(b.into_owned()),
            DavRequest::LockInfo(b) => DavRequest::LockInfo(b.into_owned()),
            DavRequest::Mkcol(b) => DavRequest::Mkcol(b.into_owned()),
            DavRequest::Mkcalendar(b) => DavRequest::Mkcalendar(b.into_owned()),
            DavRequest::CalendarQuery(b) => DavRequest::CalendarQuery(b.into_owned()),
            DavRequest::CalendarMultiget(b) => DavRequest::CalendarMultiget(b.into_owned()),
            DavRequest::FreeBusyQuery(b) => DavRequest::FreeBusyQuery(b.into_owned()),
            DavRequest::AddressbookQuery(b) => DavRequest::AddressbookQuery(b.into_owned()),
            DavRequest::AddressbookMultiget(b) => DavRequest::AddressbookMultiget(b.into_owned()),
            DavRequest::SyncCollection(b) => DavRequest::SyncCollection(b.into_owned()),
            DavRequest::ExpandProperty(b) => DavRequest::ExpandProperty(b.into_owned()),
            DavRequest::PrincipalPropertySearch(b) => {
                DavRequest::PrincipalPropertySearch(b.into_owned())
            }
            DavRequest::Acl(b) => DavRequest::Acl(b.into_owned()),
            DavRequest::Other { name, content } => DavRequest::Other {
                name: name.into_owned(),
                content: content.into_owned(),
            },
        }
    }
}

/// A WebDAV/CalDAV/CardDAV response body, by root element.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum DavResponse<'a> {
    /// `DAV:multistatus` (207).
    Multistatus(Multistatus<'a>),
    /// `DAV:error` (a failed precondition or postcondition).
    Error(ErrorBody<'a>),
    /// `DAV:prop` (the LOCK response: `lockdiscovery`).
    Prop(Vec<DavProperty<'a>>),
    /// `DAV:mkcol-response` (RFC 5689).
    MkcolResponse(Vec<PropStat<'a>>),
    /// `CALDAV:mkcalendar-response`.
    MkcalendarResponse(Vec<PropStat<'a>>),
    /// Any other root element, its content verbatim.
    Other {
        /// The root element.
        name: Name<'a>,
        /// Its content.
        content: RawXml<'a>,
    },
}

impl<'a> DavResponse<'a> {
    /// Decodes a whole response body. A prefix of a body is [`Decoded::Incomplete`].
    pub fn decode(input: &'a [u8], limits: &Limits) -> Result<Decoded<Self>, DecodeError> {
        decode_body(input, limits, |r, root| {
            Ok(match root.name {
                Name::Dav(Dav::Multistatus) => {
                    DavResponse::Multistatus(Multistatus::decode(r, &root)?)
                }
                Name::Dav(Dav::Error) => DavResponse::Error(ErrorBody::decode(r, &root)?),
                Name::Dav(Dav::Prop) => DavResponse::Prop(property::decode_prop(r, &root)?),
                Name::Dav(Dav::MkcolResponse) => {
                    DavResponse::MkcolResponse(multistatus::propstats(r, &root)?)
                }
                Name::CalDav(CalDav::MkcalendarResponse) => {
                    DavResponse::MkcalendarResponse(multistatus::propstats(r, &root)?)
                }
                _ => {
                    let content = r.raw(&root)?;
                    DavResponse::Other {
                        name: root.name,
                        content,
                    }
                }
            })
        })
    }

    /// The body's root element local name (`multistatus`, `error`, ...; `other` for an
    /// unknown root), for display.
    pub fn kind(&self) -> &'static str {
        match self {
            DavResponse::Multistatus(_) => "multistatus",
            DavResponse::Error(_) => "error",
            DavResponse::Prop(_) => "prop",
            DavResponse::MkcolResponse(_) => "mkcol-response",
            DavResponse::MkcalendarResponse(_) => "mkcalendar-response",
            DavResponse::Other { .. } => "other",
        }
    }

    fn write_xml(&self, w: &mut XmlWriter) {
        match self {
            DavResponse::Multistatus(b) => b.encode(w),
            DavResponse::Error(b) => b.encode(w),
            DavResponse::Prop(props) => property::encode_prop(w, props),
            DavResponse::MkcolResponse(p) | DavResponse::MkcalendarResponse(p) => {
                let root = if matches!(self, DavResponse::MkcolResponse(_)) {
                    Name::Dav(Dav::MkcolResponse)
                } else {
                    Name::CalDav(CalDav::MkcalendarResponse)
                };
                let tag = w.open(&root, &[]);
                multistatus::write_propstats(w, p);
                w.close(tag);
            }
            DavResponse::Other { name, content } => w.raw_element(name, &[], content),
        }
    }

    encoding_api!();

    /// A `'static` copy.
    pub fn into_owned(self) -> DavResponse<'static> {
        match self {
            DavResponse::Multistatus(b) => DavResponse::Multistatus(b.into_owned()),
            DavResponse::Error(b) => DavResponse::Error(b.into_owned()),
            DavResponse::Prop(p) => DavResponse::Prop(p.to_static()),
            DavResponse::MkcolResponse(p) => DavResponse::MkcolResponse(p.to_static()),
            DavResponse::MkcalendarResponse(p) => DavResponse::MkcalendarResponse(p.to_static()),
            DavResponse::Other { name, content } => DavResponse::Other {
                name: name.into_owned(),
                content: content.into_owned(),
            },
        }
    }
}
