//! The PROPPATCH body (`DAV:propertyupdate` with `set` and `remove`), and the extended MKCOL
//! (RFC 5689 `DAV:mkcol`) and MKCALENDAR (RFC 4791 `CALDAV:mkcalendar`) bodies, which set
//! properties the same way.

use crate::body::owned::{ToStatic, owned_struct};
use crate::body::property::{self, DavProperty};
use crate::xml::reader::{Element, XmlReader, XmlResult};
use crate::xml::writer::XmlWriter;
use crate::xml::{Dav, Name};

/// One instruction of a PROPPATCH, applied in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum PropertyUpdateItem<'a> {
    /// `DAV:set`: these properties with these values.
    Set(Vec<DavProperty<'a>>),
    /// `DAV:remove`: these properties (values, if any, are ignored by servers but kept).
    Remove(Vec<DavProperty<'a>>),
}

impl ToStatic for PropertyUpdateItem<'_> {
    type Static = PropertyUpdateItem<'static>;
    fn to_static(self) -> PropertyUpdateItem<'static> {
        match self {
            PropertyUpdateItem::Set(p) => PropertyUpdateItem::Set(p.to_static()),
            PropertyUpdateItem::Remove(p) => PropertyUpdateItem::Remove(p.to_static()),
        }
    }
}

/// The `DAV:propertyupdate` body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PropertyUpdate<'a> {
    /// The instructions, in order.
    pub items: Vec<PropertyUpdateItem<'a>>,
}

owned_struct!(PropertyUpdate { items });

/// Reads the `prop` children of a `set` or `remove`.
fn prop_children<'a>(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Vec<DavProperty<'a>>> {
    let mut out = Vec::new();
    while let Some(child) = r.next_child(el)? {
        if child.name == Name::Dav(Dav::Prop) {
            let mut props = property::decode_prop(r, &child)?;
            r.check_list(out.len().saturating_add(props.len()), child.offset)?;
            out.append(&mut props);
        } else {
            r.skip(&child)?;
        }
    }
    Ok(out)
}

impl<'a> PropertyUpdate<'a> {
    pub(crate) fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut items = Vec::new();
        while let Some(child) = r.next_child(el)? {
            r.check_list(items.len(), child.offset)?;
            match child.name {
                Name::Dav(Dav::Set) => {
                    items.push(PropertyUpdateItem::Set(prop_children(r, &child)?))
                }
                Name::Dav(Dav::Remove) => {
                    items.push(PropertyUpdateItem::Remove(prop_children(r, &child)?));
                }
                _ => r.skip(&child)?,
            }
        }
        Ok(PropertyUpdate { items })
    }

    pub(crate) fn encode(&self, w: &mut XmlWriter) {
        let tag = w.open(&Name::Dav(Dav::PropertyUpdate), &[]);
        for item in &self.items {
            let (element, props) = match item {
                PropertyUpdateItem::Set(p) => (Dav::Set, p),
                PropertyUpdateItem::Remove(p) => (Dav::Remove, p),
            };
            let inner = w.open(&Name::Dav(element), &[]);
            property::encode_prop(w, props);
            w.close(inner);
        }
        w.close(tag);
    }
}

/// The extended MKCOL (`DAV:mkcol`) or MKCALENDAR (`CALDAV:mkcalendar`) body: properties to
/// set on the new collection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MkcolRequest<'a> {
    /// The properties of every `DAV:set`, in order.
    pub set: Vec<DavProperty<'a>>,
}

owned_struct!(MkcolRequest { set });

impl<'a> MkcolRequest<'a> {
    pub(crate) fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut set = Vec::new();
        while let Some(child) = r.next_child(el)? {
            if child.name == Name::Dav(Dav::Set) {
                let mut props = prop_children(r, &child)?;
                r.check_list(set.len().saturating_add(props.len()), child.offset)?;
                set.append(&mut props);
            } else {
                r.skip(&child)?;
            }
        }
        Ok(MkcolRequest { set })
    }

    pub(crate) fn encode(&self, w: &mut XmlWriter, root: Name<'_>) {
        if self.set.is_empty() {
            w.empty(&root, &[]);
            return;
        }
        let tag = w.open(&root, &[]);
        let set = w.open(&Name::Dav(Dav::Set), &[]);
        property::encode_prop(w, &self.set);
        w.close(set);
        w.close(tag);
    }
}
