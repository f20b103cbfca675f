//! The RFC 6578 `DAV:sync-collection` REPORT body. The answer is a
//! [`Multistatus`](crate::body::Multistatus) with a `sync-token`; a truncated answer carries a
//! response for the collection with status 507.

use std::borrow::Cow;

use crate::body::common;
use crate::body::owned::{ToStatic, owned_struct};
use crate::body::propfind::{self, RequestedProp};
use crate::decoded::Expected;
use crate::xml::reader::{Element, XmlReader, XmlResult, expected};
use crate::xml::writer::XmlWriter;
use crate::xml::{Dav, Name};

/// `DAV:sync-level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SyncLevel {
    /// `1`: immediate members.
    One,
    /// `infinite`: all descendants.
    Infinite,
}

impl ToStatic for SyncLevel {
    type Static = SyncLevel;
    fn to_static(self) -> SyncLevel {
        self
    }
}

/// The `DAV:sync-collection` body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SyncCollection<'a> {
    /// The token from the last sync; empty for an initial sync.
    pub sync_token: Cow<'a, str>,
    /// How deep.
    pub sync_level: SyncLevel,
    /// `DAV:limit/DAV:nresults`.
    pub limit: Option<u64>,
    /// The properties to return.
    pub props: Vec<RequestedProp<'a>>,
}

owned_struct!(SyncCollection {
    sync_token,
    sync_level,
    limit,
    props
});

impl<'a> SyncCollection<'a> {
    pub(crate) fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut sync_token = None;
        let mut sync_level = None;
        let mut limit = None;
        let mut props = Vec::new();
        while let Some(child) = r.next_child(el)? {
            match child.name {
                Name::Dav(Dav::SyncToken) => sync_token = Some(common::trimmed_text(r, &child)?),
                Name::Dav(Dav::SyncLevel) => {
                    let text = common::trimmed_text(r, &child)?;
                    sync_level = Some(match &*text {
                        "1" => SyncLevel::One,
                        "infinite" | "infinity" => SyncLevel::Infinite,
                        _ => return Err(expected(child.offset, Expected::DepthValue)),
                    });
                }
                Name::Dav(Dav::Limit) => {
                    while let Some(inner) = r.next_child(&child)? {
                        if inner.name == Name::Dav(Dav::NResults) {
                            limit = Some(common::number(r, &inner)?);
                        } else {
                            r.skip(&inner)?;
                        }
                    }
                }
                Name::Dav(Dav::Prop) => props = propfind::requested_props(r, &child)?,
                _ => r.skip(&child)?,
            }
        }
        Ok(SyncCollection {
            sync_token: sync_token.ok_or(expected(el.offset, Expected::RequiredElement))?,
            sync_level: sync_level.ok_or(expected(el.offset, Expected::RequiredElement))?,
            limit,
            props,
        })
    }

    pub(crate) fn encode(&self, w: &mut XmlWriter) {
        let tag = w.open(&Name::Dav(Dav::SyncCollection), &[]);
        w.text_element(&Name::Dav(Dav::SyncToken), &self.sync_token);
        w.text_element(
            &Name::Dav(Dav::SyncLevel),
            match self.sync_level {
                SyncLevel::One => "1",
                SyncLevel::Infinite => "infinite",
            },
        );
        if let Some(n) = self.limit {
            let limit = w.open(&Name::Dav(Dav::Limit), &[]);
            w.text_element(&Name::Dav(Dav::NResults), &n.to_string());
            w.close(limit);
        }
        let prop = w.open(&Name::Dav(Dav::Prop), &[]);
        propfind::encode_requested(w, &self.props);
        w.close(prop);
        w.close(tag);
    }
}
