//! The `DAV:error` body: precondition and postcondition codes (RFC 4918 §16 and the
//! preconditions of RFC 3744, 4791, 6352, 6578, 6638, 5689, 4331).

use crate::body::common::{self, Href};
use crate::body::owned::{ToStatic, owned_struct};
use crate::xml::reader::{Element, XmlReader, XmlResult};
use crate::xml::writer::XmlWriter;
use crate::xml::{Dav, Name, RawXml};

/// What a condition element holds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ConditionDetail<'a> {
    /// Nothing (`<C:valid-calendar-data/>`).
    Empty,
    /// Hrefs (`lock-token-submitted`, `no-conflicting-lock`).
    Hrefs(Vec<Href<'a>>),
    /// Anything else, verbatim (`need-privileges`, `supported-filter`...).
    Raw(RawXml<'a>),
}

impl ToStatic for ConditionDetail<'_> {
    type Static = ConditionDetail<'static>;
    fn to_static(self) -> ConditionDetail<'static> {
        match self {
            ConditionDetail::Empty => ConditionDetail::Empty,
            ConditionDetail::Hrefs(h) => ConditionDetail::Hrefs(h.to_static()),
            ConditionDetail::Raw(r) => ConditionDetail::Raw(r.to_static()),
        }
    }
}

/// One precondition or postcondition code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Condition<'a> {
    /// The condition element (`Name::Dav(Dav::LockTokenSubmitted)`,
    /// `Name::CalDav(CalDav::ValidCalendarData)`, ...).
    pub name: Name<'a>,
    /// Its content.
    pub detail: ConditionDetail<'a>,
}

owned_struct!(Condition { name, detail });

/// The `DAV:error` body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ErrorBody<'a> {
    /// The conditions, in order.
    pub conditions: Vec<Condition<'a>>,
}

owned_struct!(ErrorBody { conditions });

impl<'a> ErrorBody<'a> {
    pub(crate) fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut conditions = Vec::new();
        while let Some(child) = r.next_child(el)? {
            r.check_list(conditions.len(), child.offset)?;
            let detail = match child.name {
                Name::Dav(Dav::LockTokenSubmitted | Dav::NoConflictingLock) => {
                    let hrefs = common::hrefs(r, &child)?;
                    if hrefs.is_empty() {
                        ConditionDetail::Empty
                    } else {
                        ConditionDetail::Hrefs(hrefs)
                    }
                }
                _ => {
                    let raw = r.raw(&child)?;
                    if raw.content.trim().is_empty() {
                        ConditionDetail::Empty
                    } else {
                        ConditionDetail::Raw(raw)
                    }
                }
            };
            conditions.push(Condition {
                name: child.name,
                detail,
            });
        }
        Ok(ErrorBody { conditions })
    }

    pub(crate) fn encode(&self, w: &mut XmlWriter) {
        let tag = w.open(&Name::Dav(Dav::Error), &[]);
        for c in &self.conditions {
            match &c.detail {
                ConditionDetail::Empty => w.empty(&c.name, &[]),
                ConditionDetail::Hrefs(h) => {
                    let inner = w.open(&c.name, &[]);
                    common::write_hrefs(w, h);
                    w.close(inner);
                }
                ConditionDetail::Raw(raw) => w.raw_element(&c.name, &[], raw),
            }
        }
        w.close(tag);
    }
}
