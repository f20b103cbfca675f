//! RFC 4918 locking bodies: `lockinfo` (the LOCK request), `activelock` inside
//! `lockdiscovery`, and `lockentry` inside `supportedlock`.

use std::borrow::Cow;

use crate::body::common::{self, Href};
use crate::body::owned::{ToStatic, owned_struct};
use crate::decoded::Expected;
use crate::headers::{Depth, TypedHeader};
use crate::xml::reader::{Element, XmlReader, XmlResult, expected};
use crate::xml::writer::XmlWriter;
use crate::xml::{Dav, Name, RawXml};

/// `DAV:lockscope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum LockScope {
    /// `DAV:exclusive`.
    Exclusive,
    /// `DAV:shared`.
    Shared,
}

plain_copy!(LockScope, Depth);

macro_rules! plain_copy {
    ($($t:ty),*) => {
        $(impl ToStatic for $t {
            type Static = $t;
            fn to_static(self) -> $t {
                self
            }
        })*
    };
}
use plain_copy;

/// The `DAV:lockinfo` body of a LOCK request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LockInfo<'a> {
    /// Exclusive or shared.
    pub scope: LockScope,
    /// The lock type (`DAV:write`).
    pub kind: Name<'a>,
    /// `DAV:owner`, any XML, kept verbatim.
    pub owner: Option<RawXml<'a>>,
}

owned_struct!(LockInfo { scope, kind, owner });

/// One `DAV:activelock`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ActiveLock<'a> {
    /// Exclusive or shared.
    pub scope: LockScope,
    /// The lock type (`DAV:write`).
    pub kind: Name<'a>,
    /// `DAV:depth`.
    pub depth: Depth,
    /// `DAV:owner`, verbatim.
    pub owner: Option<RawXml<'a>>,
    /// `DAV:timeout` text (`Second-3600`, `Infinite`).
    pub timeout: Option<Cow<'a, str>>,
    /// `DAV:locktoken` href.
    pub lock_token: Option<Href<'a>>,
    /// `DAV:lockroot` href.
    pub lock_root: Option<Href<'a>>,
}

owned_struct!(ActiveLock {
    scope,
    kind,
    depth,
    owner,
    timeout,
    lock_token,
    lock_root
});

/// One `DAV:lockentry` of `supportedlock`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LockEntry<'a> {
    /// Exclusive or shared.
    pub scope: LockScope,
    /// The lock type.
    pub kind: Name<'a>,
}

owned_struct!(LockEntry { scope, kind });

fn scope<'a>(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<LockScope> {
    match common::single_child_name(r, el)? {
        Name::Dav(Dav::Exclusive) => Ok(LockScope::Exclusive),
        Name::Dav(Dav::Shared) => Ok(LockScope::Shared),
        _ => Err(expected(el.offset, Expected::RequiredElement)),
    }
}

fn write_scope_and_type(w: &mut XmlWriter, scope: LockScope, kind: &Name<'_>) {
    let tag = w.open(&Name::Dav(Dav::LockScope), &[]);
    w.empty(
        &Name::Dav(match scope {
            LockScope::Exclusive => Dav::Exclusive,
            LockScope::Shared => Dav::Shared,
        }),
        &[],
    );
    w.close(tag);
    let tag = w.open(&Name::Dav(Dav::LockType), &[]);
    w.empty(kind, &[]);
    w.close(tag);
}

impl<'a> LockInfo<'a> {
    pub(crate) fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut lock_scope = None;
        let mut kind = None;
        let mut owner = None;
        while let Some(child) = r.next_child(el)? {
            match child.name {
                Name::Dav(Dav::LockScope) => lock_scope = Some(scope(r, &child)?),
                Name::Dav(Dav::LockType) => kind = Some(common::single_child_name(r, &child)?),
                Name::Dav(Dav::Owner) => owner = Some(r.raw(&child)?),
                _ => r.skip(&child)?,
            }
        }
        Ok(LockInfo {
            scope: lock_scope.ok_or(expected(el.offset, Expected::RequiredElement))?,
            kind: kind.ok_or(expected(el.offset, Expected::RequiredElement))?,
            owner,
        })
    }

    pub(crate) fn encode(&self, w: &mut XmlWriter) {
        let tag = w.open(&Name::Dav(Dav::LockInfo), &[]);
        write_scope_and_type(w, self.scope, &self.kind);
        if let Some(owner) = &self.owner {
            w.raw_element(&Name::Dav(Dav::Owner), &[], owner);
        }
        w.close(tag);
    }
}

/// Reads the `activelock` children of `lockdiscovery`.
pub(crate) fn active_locks<'a>(
    r: &mut XmlReader<'a>,
    el: &Element<'a>,
) -> XmlResult<Vec<ActiveLock<'a>>> {
    let mut out = Vec::new();
    while let Some(child) = r.next_child(el)? {
        if child.name != Name::Dav(Dav::ActiveLock) {
            r.skip(&child)?;
            continue;
        }
        r.check_list(out.len(), child.offset)?;
        let mut lock_scope = None;
        let mut kind = None;
        let mut depth = None;
        let mut owner = None;
        let mut timeout = None;
        let mut lock_token = None;
        let mut lock_root = None;
        while let Some(part) = r.next_child(&child)? {
            match part.name {
                Name::Dav(Dav::LockScope) => lock_scope = Some(scope(r, &part)?),
                Name::Dav(Dav::LockType) => kind = Some(common::single_child_name(r, &part)?),
                Name::Dav(Dav::Depth) => {
                    let text = common::trimmed_text(r, &part)?;
                    depth =
                        Some(Depth::parse(text.as_bytes()).map_err(|e| e.shifted(part.offset))?);
                }
                Name::Dav(Dav::Owner) => owner = Some(r.raw(&part)?),
                Name::Dav(Dav::Timeout) => timeout = Some(common::trimmed_text(r, &part)?),
                Name::Dav(Dav::LockToken) => {
                    lock_token = common::hrefs(r, &part)?.into_iter().next()
                }
                Name::Dav(Dav::LockRoot) => lock_root = common::hrefs(r, &part)?.into_iter().next(),
                _ => r.skip(&part)?,
            }
        }
        out.push(ActiveLock {
            scope: lock_scope.ok_or(expected(child.offset, Expected::RequiredElement))?,
            kind: kind.ok_or(expected(child.offset, Expected::RequiredElement))?,
            depth: depth.ok_or(expected(child.offset, Expected::RequiredElement))?,
            owner,
            timeout,
            lock_token,
            lock_root,
        });
    }
    Ok(out)
}

/// Writes `activelock` elements.
pub(crate) fn write_active_locks(w: &mut XmlWriter, locks: &[ActiveLock<'_>]) {
    for lock in locks {
        let tag = w.open(&Name::Dav(Dav::ActiveLock), &[]);
        write_scope_and_type(w, lock.scope, &lock.kind);
        w.text_element(&Name::Dav(Dav::Depth), lock.depth.as_str());
        if let Some(owner) = &lock.owner {
            w.raw_element(&Name::Dav(Dav::Owner), &[], owner);
        }
        if let Some(t) = &lock.timeout {
            w.text_element(&Name::Dav(Dav::Timeout), t);
        }
        for (element, href) in [
            (Dav::LockToken, &lock.lock_token),
            (Dav::LockRoot, &lock.lock_root),
        ] {
            if let Some(h) = href {
                let inner = w.open(&Name::Dav(element), &[]);
                common::write_hrefs(w, std::slice::from_ref(h));
                w.close(inner);
            }
        }
        w.close(tag);
    }
}

/// Reads the `lockentry` children of `supportedlock`.
pub(crate) fn lock_entries<'a>(
    r: &mut XmlReader<'a>,
    el: &Element<'a>,
) -> XmlResult<Vec<LockEntry<'a>>> {
    let mut out = Vec::new();
    while let Some(child) = r.next_child(el)? {
        if child.name != Name::Dav(Dav::LockEntry) {
            r.skip(&child)?;
            continue;
        }
        r.check_list(out.len(), child.offset)?;
        let mut lock_scope = None;
        let mut kind = None;
        while let Some(part) = r.next_child(&child)? {
            match part.name {
                Name::Dav(Dav::LockScope) => lock_scope = Some(scope(r, &part)?),
                Name::Dav(Dav::LockType) => kind = Some(common::single_child_name(r, &part)?),
                _ => r.skip(&part)?,
            }
        }
        out.push(LockEntry {
            scope: lock_scope.ok_or(expected(child.offset, Expected::RequiredElement))?,
            kind: kind.ok_or(expected(child.offset, Expected::RequiredElement))?,
        });
    }
    Ok(out)
}

/// Writes `lockentry` elements.
pub(crate) fn write_lock_entries(w: &mut XmlWriter, entries: &[LockEntry<'_>]) {
    for entry in entries {
        let tag = w.open(&Name::Dav(Dav::LockEntry), &[]);
        write_scope_and_type(w, entry.scope, &entry.kind);
        w.close(tag);
    }
}
