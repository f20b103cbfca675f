//! RFC 3744 access control: principals, ACEs, privileges, the `DAV:acl` request body and
//! the `supported-privilege-set` property.

use std::borrow::Cow;

use crate::body::common::{self, Href};
use crate::body::owned::{ToStatic, owned_struct};
use crate::decoded::Expected;
use crate::xml::reader::{Element, XmlReader, XmlResult, expected};
use crate::xml::writer::XmlWriter;
use crate::xml::{Dav, Name};

/// Who an ACE or `current-user-principal` names.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Principal<'a> {
    /// A principal URL.
    Href(Href<'a>),
    /// `DAV:all`.
    All,
    /// `DAV:authenticated`.
    Authenticated,
    /// `DAV:unauthenticated`.
    Unauthenticated,
    /// `DAV:property`: the principal named by a property of the resource.
    Property(Name<'a>),
    /// `DAV:self`.
    SelfPrincipal,
}

impl Principal<'_> {
    /// A `'static` copy.
    pub fn into_owned(self) -> Principal<'static> {
        match self {
            Principal::Href(h) => Principal::Href(h.into_owned()),
            Principal::All => Principal::All,
            Principal::Authenticated => Principal::Authenticated,
            Principal::Unauthenticated => Principal::Unauthenticated,
            Principal::Property(n) => Principal::Property(n.into_owned()),
            Principal::SelfPrincipal => Principal::SelfPrincipal,
        }
    }
}

impl ToStatic for Principal<'_> {
    type Static = Principal<'static>;
    fn to_static(self) -> Principal<'static> {
        self.into_owned()
    }
}

/// Whether an ACE grants or denies, and which privileges.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum AceRule<'a> {
    /// `DAV:grant`.
    Grant(Vec<Name<'a>>),
    /// `DAV:deny`.
    Deny(Vec<Name<'a>>),
}

impl ToStatic for AceRule<'_> {
    type Static = AceRule<'static>;
    fn to_static(self) -> AceRule<'static> {
        match self {
            AceRule::Grant(p) => AceRule::Grant(p.to_static()),
            AceRule::Deny(p) => AceRule::Deny(p.to_static()),
        }
    }
}

/// One access control entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Ace<'a> {
    /// The principal.
    pub principal: Principal<'a>,
    /// `DAV:invert`: the ACE applies to every principal but this one.
    pub invert: bool,
    /// Grant or deny, with the privileges.
    pub rule: AceRule<'a>,
    /// `DAV:protected`.
    pub protected: bool,
    /// `DAV:inherited`: the resource the ACE is inherited from.
    pub inherited: Option<Href<'a>>,
}

owned_struct!(Ace {
    principal,
    invert,
    rule,
    protected,
    inherited
});

/// One node of the `supported-privilege-set` tree.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SupportedPrivilege<'a> {
    /// The privilege.
    pub privilege: Name<'a>,
    /// `DAV:abstract`.
    pub is_abstract: bool,
    /// The description text.
    pub description: Option<Cow<'a, str>>,
    /// The description's `xml:lang`.
    pub description_lang: Option<Cow<'a, str>>,
    /// Aggregated privileges.
    pub children: Vec<SupportedPrivilege<'a>>,
}

owned_struct!(SupportedPrivilege {
    privilege,
    is_abstract,
    description,
    description_lang,
    children
});

/// The `DAV:acl` request body of the ACL method.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AclRequest<'a> {
    /// The ACEs, in order.
    pub aces: Vec<Ace<'a>>,
}

owned_struct!(AclRequest { aces });

impl<'a> AclRequest<'a> {
    pub(crate) fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        Ok(AclRequest { aces: aces(r, el)? })
    }

    pub(crate) fn encode(&self, w: &mut XmlWriter) {
        let tag = w.open(&Name::Dav(Dav::Acl), &[]);
        write_aces(w, &self.aces);
        w.close(tag);
    }
}

/// Reads the principal inside `el` (`DAV:principal`, `current-user-principal`).
pub(crate) fn principal_content<'a>(
    r: &mut XmlReader<'a>,
    el: &Element<'a>,
) -> XmlResult<Option<Principal<'a>>> {
    let mut found = None;
    while let Some(child) = r.next_child(el)? {
        let principal = match child.name {
            Name::Dav(Dav::Href) => Some(Principal::Href(common::href(r, &child)?)),
            Name::Dav(Dav::All) => Some(Principal::All),
            Name::Dav(Dav::Authenticated) => Some(Principal::Authenticated),
            Name::Dav(Dav::Unauthenticated) => Some(Principal::Unauthenticated),
            Name::Dav(Dav::SelfPrincipal) => Some(Principal::SelfPrincipal),
            Name::Dav(Dav::Property) => {
                Some(Principal::Property(common::single_child_name(r, &child)?))
            }
            _ => None,
        };
        if !matches!(child.name, Name::Dav(Dav::Href | Dav::Property)) {
            r.skip(&child)?;
        }
        if found.is_none() {
            found = principal;
        }
    }
    Ok(found)
}

/// Writes the content of a principal element.
pub(crate) fn write_principal_content(w: &mut XmlWriter, p: &Principal<'_>) {
    match p {
        Principal::Href(h) => common::write_hrefs(w, std::slice::from_ref(h)),
        Principal::All => w.empty(&Name::Dav(Dav::All), &[]),
        Principal::Authenticated => w.empty(&Name::Dav(Dav::Authenticated), &[]),
        Principal::Unauthenticated => w.empty(&Name::Dav(Dav::Unauthenticated), &[]),
        Principal::SelfPrincipal => w.empty(&Name::Dav(Dav::SelfPrincipal), &[]),
        Principal::Property(n) => {
            let tag = w.open(&Name::Dav(Dav::Property), &[]);
            w.empty(n, &[]);
            w.close(tag);
        }
    }
}

/// Reads `<privilege><x/></privilege>` children.
pub(crate) fn privileges<'a>(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Vec<Name<'a>>> {
    let mut out = Vec::new();
    while let Some(child) = r.next_child(el)? {
        if child.name == Name::Dav(Dav::Privilege) {
            r.check_list(out.len(), child.offset)?;
            out.extend(common::child_names(r, &child)?);
        } else {
            r.skip(&child)?;
        }
    }
    Ok(out)
}

/// Reads the `DAV:ace` children of `el`.
pub(crate) fn aces<'a>(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Vec<Ace<'a>>> {
    let mut out = Vec::new();
    while let Some(child) = r.next_child(el)? {
        if child.name == Name::Dav(Dav::Ace) {
            r.check_list(out.len(), child.offset)?;
            out.push(ace(r, &child)?);
        } else {
            r.skip(&child)?;
        }
    }
    Ok(out)
}

fn ace<'a>(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Ace<'a>> {
    let mut principal = None;
    let mut invert = false;
    let mut rule = None;
    let mut protected = false;
    let mut inherited = None;
    while let Some(child) = r.next_child(el)? {
        match child.name {
            Name::Dav(Dav::Principal) => principal = principal_content(r, &child)?,
            Name::Dav(Dav::Invert) => {
                invert = true;
                while let Some(inner) = r.next_child(&child)? {
                    if inner.name == Name::Dav(Dav::Principal) {
                        principal = principal_content(r, &inner)?;
                    } else {
                        r.skip(&inner)?;
                    }
                }
            }
            Name::Dav(Dav::Grant) => rule = Some(AceRule::Grant(privileges(r, &child)?)),
            Name::Dav(Dav::Deny) => rule = Some(AceRule::Deny(privileges(r, &child)?)),
            Name::Dav(Dav::Protected) => {
                protected = true;
                r.skip(&child)?;
            }
            Name::Dav(Dav::Inherited) => inherited = common::hrefs(r, &child)?.into_iter().next(),
            _ => r.skip(&child)?,
        }
    }
    Ok(Ace {
        principal: principal.ok_or(expected(el.offset, Expected::RequiredElement))?,
        invert,
        rule: rule.ok_or(expected(el.offset, Expected::RequiredElement))?,
        protected,
        inherited,
    })
}

/// Writes `DAV:ace` elements.
pub(crate) fn write_aces(w: &mut XmlWriter, aces: &[Ace<'_>]) {
    for ace in aces {
        let tag = w.open(&Name::Dav(Dav::Ace), &[]);
        let invert = ace.invert.then(|| w.open(&Name::Dav(Dav::Invert), &[]));
        let principal = w.open(&Name::Dav(Dav::Principal), &[]);
        write_principal_content(w, &ace.principal);
        w.close(principal);
        if let Some(invert) = invert {
            w.close(invert);
        }
        let (element, privileges) = match &ace.rule {
            AceRule::Grant(p) => (Dav::Grant, p),
            AceRule::Deny(p) => (Dav::Deny, p),
        };
        let rule = w.open(&Name::Dav(element), &[]);
        common::write_wrapped_names(w, Dav::Privilege, privileges);
        w.close(rule);
        if ace.protected {
            w.empty(&Name::Dav(Dav::Protected), &[]);
        }
        if let Some(h) = &ace.inherited {
            let tag = w.open(&Name::Dav(Dav::Inherited), &[]);
            common::write_hrefs(w, std::slice::from_ref(h));
            w.close(tag);
        }
        w.close(tag);
    }
}

/// Reads `DAV:supported-privilege` children.
pub(crate) fn supported_privileges<'a>(
    r: &mut XmlReader<'a>,
    el: &Element<'a>,
) -> XmlResult<Vec<SupportedPrivilege<'a>>> {
    let mut out = Vec::new();
    while let Some(child) = r.next_child(el)? {
        if child.name == Name::Dav(Dav::SupportedPrivilege) {
            r.check_list(out.len(), child.offset)?;
            let at = child.offset;
            let sp = supported_privilege_subtree(r, child)?;
            out.push(sp.ok_or(expected(at, Expected::RequiredElement))?);
        } else {
            r.skip(&child)?;
        }
    }
    Ok(out)
}

fn supported_privilege_subtree<'a>(
    r: &mut XmlReader<'a>,
    el: Element<'a>,
) -> XmlResult<Option<SupportedPrivilege<'a>>> {
    let mut privilege = None;
    let mut is_abstract = false;
    let mut description = None;
    let mut description_lang = None;
    let mut children = Vec::new();
    while let Some(part) = r.next_child(&el)? {
        match part.name {
            Name::Dav(Dav::Privilege) => privilege = Some(common::single_child_name(r, &part)?),
            Name::Dav(Dav::Abstract) => {
                is_abstract = true;
                r.skip(&part)?;
            }
            Name::Dav(Dav::Description) => {
                description_lang = r.attr(&part, "xml:lang")?;
                description = Some(common::trimmed_text(r, &part)?);
            }
            Name::Dav(Dav::SupportedPrivilege) => {
                r.check_list(children.len(), part.offset)?;
                children.extend(supported_privilege_subtree(r, part)?);
            }
            _ => r.skip(&part)?,
        }
    }
    Ok(privilege.map(|privilege| SupportedPrivilege {
        privilege,
        is_abstract,
        description,
        description_lang,
        children,
    }))
}

/// Writes `DAV:supported-privilege` elements.
pub(crate) fn write_supported_privileges(w: &mut XmlWriter, list: &[SupportedPrivilege<'_>]) {
    for sp in list {
        let tag = w.open(&Name::Dav(Dav::SupportedPrivilege), &[]);
        common::write_wrapped_names(w, Dav::Privilege, std::slice::from_ref(&sp.privilege));
        if sp.is_abstract {
            w.empty(&Name::Dav(Dav::Abstract), &[]);
        }
        if let Some(d) = &sp.description {
            let attrs: Vec<(&str, &str)> = sp
                .description_lang
                .iter()
                .map(|l| ("xml:lang", &**l))
                .collect();
            let tag = w.open(&Name::Dav(Dav::Description), &attrs);
            w.text(d);
            w.close(tag);
        }
        write_supported_privileges(w, &sp.children);
        w.close(tag);
    }
}
