//! Property values: the live properties of WebDAV, ACL (the few clients read), CalDAV,
//! CardDAV, sync-collection and CalendarServer's `getctag`, dead properties, and the
//! `DAV:response` a PROPFIND or REPORT gives for one resource.

use groupwire_dav::Name;
use groupwire_dav::body::acl::Principal;
use groupwire_dav::body::{
    DataType, DavProperty, Href, LockEntry, LockScope, PropValue, Propfind, RequestedProp,
    Response, SupportedPrivilege,
};
use groupwire_dav::xml::{CalDav, CalendarServer, CardDav, Dav};

use super::principals;
use super::store::{CollectionKind, Content, Node, Tree, encode_href};
use super::{Ctx, MAX_BODY, caldav, carddav, locks, scheduling, xml};
use crate::faults::Fault;

/// Every live property this server computes, in the order `propname` lists them.
pub const LIVE: &[Name<'static>] = &[
    Name::Dav(Dav::ResourceType),
    Name::Dav(Dav::CreationDate),
    Name::Dav(Dav::GetLastModified),
    Name::Dav(Dav::GetEtag),
    Name::Dav(Dav::GetContentLength),
    Name::Dav(Dav::GetContentType),
    Name::Dav(Dav::SupportedLock),
    Name::Dav(Dav::LockDiscovery),
    Name::Dav(Dav::CurrentUserPrincipal),
    Name::Dav(Dav::PrincipalUrl),
    Name::Dav(Dav::PrincipalCollectionSet),
    Name::Dav(Dav::Owner),
    Name::Dav(Dav::SupportedReportSet),
    Name::Dav(Dav::CurrentUserPrivilegeSet),
    Name::Dav(Dav::SupportedPrivilegeSet),
    Name::Dav(Dav::SyncToken),
    Name::CalendarServer(CalendarServer::GetCtag),
    Name::CalDav(CalDav::CalendarHomeSet),
    Name::CalDav(CalDav::CalendarUserAddressSet),
    Name::CalDav(CalDav::ScheduleInboxUrl),
    Name::CalDav(CalDav::ScheduleOutboxUrl),
    Name::CalDav(CalDav::ScheduleTag),
    Name::CalDav(CalDav::SupportedCalendarComponentSet),
    Name::CalDav(CalDav::SupportedCalendarData),
    Name::CalDav(CalDav::SupportedCollationSet),
    Name::CalDav(CalDav::MaxResourceSize),
    Name::CardDav(CardDav::AddressbookHomeSet),
    Name::CardDav(CardDav::SupportedAddressData),
    Name::CardDav(CardDav::SupportedCollationSet),
    Name::CardDav(CardDav::MaxResourceSize),
];

/// The live properties `allprop` returns (RFC 4918 §9.1: those defined there).
const ALLPROP: &[Name<'static>] = &[
    Name::Dav(Dav::ResourceType),
    Name::Dav(Dav::CreationDate),
    Name::Dav(Dav::GetLastModified),
    Name::Dav(Dav::GetEtag),
    Name::Dav(Dav::GetContentLength),
    Name::Dav(Dav::GetContentType),
    Name::Dav(Dav::SupportedLock),
    Name::Dav(Dav::LockDiscovery),
];

/// Whether a client may not set or remove `name` (a live property).
pub fn is_protected(name: &Name<'_>) -> bool {
    LIVE.iter().any(|live| live == name)
}

/// The dead-property key of `name`.
pub fn key(name: &Name<'_>) -> (String, String) {
    (name.namespace().to_string(), name.local_name().to_string())
}

fn http_date(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|d| d.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or_default()
}

fn rfc3339(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn hrefs(paths: &[String]) -> PropValue<'static> {
    PropValue::Hrefs(
        paths
            .iter()
            .map(|p| Href::new(encode_href(p, true)))
            .collect(),
    )
}

/// The value of live property `name` of `node` at `path`, `None` when it has none.
pub fn live(
    ctx: &Ctx,
    tree: &Tree,
    path: &str,
    node: &Node,
    name: &Name<'_>,
) -> Option<PropValue<'static>> {
    let collection = node.collection();
    let owner = principals::owner_of(path).map(|(_, user, _)| user.to_string());
    let principal_user = match (collection, &owner) {
        (Some(CollectionKind::Principal), Some(user)) => Some(user.clone()),
        _ => None,
    };
    let value = match name {
        Name::Dav(Dav::ResourceType) => {
            let mut markers = Vec::new();
            if let Some(kind) = collection {
                markers.push(Name::Dav(Dav::Collection));
                match kind {
                    CollectionKind::Calendar { .. } => markers.push(Name::CalDav(CalDav::Calendar)),
                    CollectionKind::Addressbook => {
                        markers.push(Name::CardDav(CardDav::Addressbook));
                    }
                    CollectionKind::Principal => markers.push(Name::Dav(Dav::Principal)),
                    CollectionKind::Plain => match scheduling::Mailbox::of(path) {
                        Some(scheduling::Mailbox::Inbox)
                            if !ctx.fault(Fault::CaldavScheduleInboxUntyped) =>
                        {
                            markers.push(Name::CalDav(CalDav::ScheduleInbox));
                        }
                        Some(scheduling::Mailbox::Outbox)
                            if !ctx.fault(Fault::CaldavScheduleOutboxUntyped) =>
                        {
                            markers.push(Name::CalDav(CalDav::ScheduleOutbox));
                        }
                        _ => {}
                    },
                }
            }
            PropValue::Markers(markers)
        }
        Name::Dav(Dav::CreationDate) => PropValue::Text(rfc3339(node.created).into()),
        Name::Dav(Dav::GetLastModified) => PropValue::Text(http_date(node.modified).into()),
        Name::Dav(Dav::GetEtag) if collection.is_none() && !ctx.fault(Fault::DavNoEtag) => {
            PropValue::Text(node.etag().into())
        }
        Name::Dav(Dav::GetContentLength) if collection.is_none() => {
            PropValue::Number(node.body().len() as u64)
        }
        Name::Dav(Dav::GetContentType) => match &node.content {
            Content::Resource { content_type, .. } => PropValue::Text(content_type.clone().into()),
            Content::Collection(_) => return None,
        },
        Name::Dav(Dav::SupportedLock) => PropValue::SupportedLock(vec![
            LockEntry {
                scope: LockScope::Exclusive,
                kind: Name::Dav(Dav::Write),
            },
            LockEntry {
                scope: LockScope::Shared,
                kind: Name::Dav(Dav::Write),
            },
        ]),
        Name::Dav(Dav::LockDiscovery) => locks::discovery(tree, path),
        Name::Dav(Dav::CurrentUserPrincipal) => PropValue::Principal(Principal::Href(Href::new(
            encode_href(&principals::principal(&ctx.user), true),
        ))),
        Name::Dav(Dav::PrincipalUrl) => PropValue::Href(Href::new(encode_href(
            &principals::principal(principal_user.as_deref()?),
            true,
        ))),
        Name::Dav(Dav::PrincipalCollectionSet) => hrefs(&[principals::PRINCIPALS.to_string()]),
        Name::Dav(Dav::Owner) => PropValue::Href(Href::new(encode_href(
            &principals::principal(owner.as_deref()?),
            true,
        ))),
        Name::Dav(Dav::SupportedReportSet) => {
            let mut reports = Vec::new();
            match collection? {
                CollectionKind::Calendar { .. } => reports.extend([
                    Name::CalDav(CalDav::CalendarQuery),
                    Name::CalDav(CalDav::CalendarMultiget),
                    Name::CalDav(CalDav::FreeBusyQuery),
                ]),
                CollectionKind::Addressbook => reports.extend([
                    Name::CardDav(CardDav::AddressbookQuery),
                    Name::CardDav(CardDav::AddressbookMultiget),
                ]),
                CollectionKind::Plain | CollectionKind::Principal => {}
            }
            reports.push(Name::Dav(Dav::SyncCollection));
            PropValue::Reports(reports)
        }
        Name::Dav(Dav::CurrentUserPrivilegeSet) => {
            let privileges = match principals::access(ctx, path) {
                principals::Access::Write => vec![
                    Name::Dav(Dav::Read),
                    Name::Dav(Dav::Write),
                    Name::Dav(Dav::WriteProperties),
                    Name::Dav(Dav::WriteContent),
                    Name::Dav(Dav::Bind),
                    Name::Dav(Dav::Unbind),
                    Name::Dav(Dav::Unlock),
                    Name::Dav(Dav::ReadCurrentUserPrivilegeSet),
                ],
                principals::Access::Read => vec![
                    Name::Dav(Dav::Read),
                    Name::Dav(Dav::ReadCurrentUserPrivilegeSet),
                ],
                principals::Access::Denied => Vec::new(),
            };
            PropValue::Privileges(privileges)
        }
        Name::Dav(Dav::SupportedPrivilegeSet) => {
            // RFC 3744 §5.3, with CALDAV:read-free-busy under DAV:read on calendars
            // (RFC 4791 §6.1.1).
            let calendar = matches!(collection, Some(CollectionKind::Calendar { .. }));
            let leaf = |name: Name<'static>| SupportedPrivilege {
                privilege: name,
                is_abstract: false,
                description: None,
                description_lang: None,
                children: Vec::new(),
            };
            let mut read = vec![leaf(Name::Dav(Dav::ReadCurrentUserPrivilegeSet))];
            if calendar && !ctx.fault(Fault::CaldavNoReadFreeBusy) {
                read.push(leaf(Name::CalDav(CalDav::ReadFreeBusy)));
            }
            let write = [
                Dav::WriteProperties,
                Dav::WriteContent,
                Dav::Bind,
                Dav::Unbind,
            ]
            .into_iter()
            .map(|p| leaf(Name::Dav(p)))
            .collect();
            PropValue::SupportedPrivileges(vec![SupportedPrivilege {
                privilege: Name::Dav(Dav::All),
                is_abstract: true,
                description: None,
                description_lang: None,
                children: vec![
                    SupportedPrivilege {
                        children: read,
                        ..leaf(Name::Dav(Dav::Read))
                    },
                    SupportedPrivilege {
                        children: write,
                        ..leaf(Name::Dav(Dav::Write))
                    },
                    leaf(Name::Dav(Dav::Unlock)),
                ],
            }])
        }
        Name::Dav(Dav::SyncToken) => {
            collection?;
            PropValue::Text(tree.sync_token(path).into())
        }
        Name::CalendarServer(CalendarServer::GetCtag) => match collection? {
            CollectionKind::Calendar { .. } | CollectionKind::Addressbook => {
                PropValue::Text(tree.sync_token(path).into())
            }
            _ => return None,
        },
        Name::CalDav(CalDav::CalendarHomeSet) => {
            hrefs(&[principals::calendar_home(principal_user.as_deref()?)])
        }
        Name::CardDav(CardDav::AddressbookHomeSet) => {
            hrefs(&[principals::addressbook_home(principal_user.as_deref()?)])
        }
        Name::CalDav(CalDav::CalendarUserAddressSet) => {
            let user = principal_user.as_deref()?;
            if ctx.fault(Fault::CaldavNoCalendarUserAddressSet) {
                return None;
            }
            PropValue::Hrefs(vec![
                Href::new(scheduling::address_of(user)),
                Href::new(encode_href(&principals::principal(user), true)),
            ])
        }
        Name::CalDav(CalDav::ScheduleInboxUrl) => PropValue::Href(Href::new(encode_href(
            &scheduling::Mailbox::Inbox.path(principal_user.as_deref()?),
            true,
        ))),
        Name::CalDav(CalDav::ScheduleOutboxUrl) => PropValue::Href(Href::new(encode_href(
            &scheduling::Mailbox::Outbox.path(principal_user.as_deref()?),
            true,
        ))),
        Name::CalDav(CalDav::ScheduleTag) => {
            PropValue::Text(scheduling::schedule_tag(ctx, node)?.into())
        }
        Name::CalDav(CalDav::SupportedCalendarComponentSet) => match collection? {
            CollectionKind::Calendar { components } => {
                PropValue::Components(components.iter().map(|c| c.clone().into()).collect())
            }
            _ => return None,
        },
        Name::CalDav(CalDav::SupportedCalendarData) => match collection? {
            CollectionKind::Calendar { .. } => PropValue::DataTypes(vec![DataType {
                content_type: Some("text/calendar".into()),
                version: Some("2.0".into()),
            }]),
            _ => return None,
        },
        Name::CalDav(CalDav::SupportedCollationSet) => match collection? {
            CollectionKind::Calendar { .. } => {
                PropValue::Collations(vec!["i;ascii-casemap".into(), "i;octet".into()])
            }
            _ => return None,
        },
        Name::CalDav(CalDav::MaxResourceSize) => match collection? {
            CollectionKind::Calendar { .. } => PropValue::Number(MAX_BODY as u64),
            _ => return None,
        },
        Name::CardDav(CardDav::SupportedAddressData) => match collection? {
            CollectionKind::Addressbook => PropValue::DataTypes(vec![
                DataType {
                    content_type: Some("text/vcard".into()),
                    version: Some("3.0".into()),
                },
                DataType {
                    content_type: Some("text/vcard".into()),
                    version: Some("4.0".into()),
                },
            ]),
            _ => return None,
        },
        Name::CardDav(CardDav::SupportedCollationSet) => match collection? {
            CollectionKind::Addressbook => PropValue::Collations(vec![
                "i;ascii-casemap".into(),
                "i;octet".into(),
                "i;unicode-casemap".into(),
            ]),
            _ => return None,
        },
        Name::CardDav(CardDav::MaxResourceSize) => match collection? {
            CollectionKind::Addressbook => PropValue::Number(MAX_BODY as u64),
            _ => return None,
        },
        _ => return None,
    };
    Some(value)
}

/// The default `displayname` of provisioned collections.
fn default_display_name(node: &Node, path: &str) -> Option<String> {
    match node.collection()? {
        CollectionKind::Principal => {
            principals::owner_of(path).map(|(_, user, _)| format!("{user}@{}", crate::DOMAIN))
        }
        CollectionKind::Calendar { .. } if path.ends_with("/default") => Some("Calendar".into()),
        CollectionKind::Addressbook if path.ends_with("/default") => Some("Contacts".into()),
        _ => None,
    }
}

/// The value of any property (live, dead, or a default display name).
pub fn value(
    ctx: &Ctx,
    tree: &Tree,
    path: &str,
    node: &Node,
    name: &Name<'_>,
) -> Option<DavProperty<'static>> {
    if let Some(dead) = node.dead.get(&key(name)) {
        return Some(dead.clone());
    }
    if let Some(value) = live(ctx, tree, path, node, name) {
        return Some(DavProperty::new(name.clone().into_owned(), value));
    }
    if *name == Name::Dav(Dav::DisplayName) {
        return default_display_name(node, path)
            .map(|n| DavProperty::new(Dav::DisplayName, PropValue::Text(n.into())));
    }
    None
}

/// The `DAV:response` for `path` with the properties `selection` asks for.
pub fn response(
    ctx: &Ctx,
    tree: &Tree,
    path: &str,
    node: &Node,
    selection: &Propfind<'_>,
) -> Response<'static> {
    let href = encode_href(path, node.is_collection());
    let mut found = Vec::new();
    let mut missing = Vec::new();
    let mut forbidden = Vec::new();
    let mut ask = |requested: &RequestedProp<'_>,
                   found: &mut Vec<DavProperty<'static>>,
                   missing: &mut Vec<DavProperty<'static>>| {
        match requested {
            RequestedProp::CalendarData(request) => match caldav::calendar_data(ctx, node, request)
            {
                Ok(Some(value)) => found.push(DavProperty::new(CalDav::CalendarData, value)),
                Ok(None) => missing.push(DavProperty::empty(CalDav::CalendarData)),
                Err(xml::Unsupported) => forbidden.push(DavProperty::empty(CalDav::CalendarData)),
            },
            RequestedProp::AddressData(request) => {
                match carddav::address_data(ctx, node, request) {
                    Ok(Some(value)) => found.push(DavProperty::new(CardDav::AddressData, value)),
                    Ok(None) => missing.push(DavProperty::empty(CardDav::AddressData)),
                    Err(xml::Unsupported) => {
                        forbidden.push(DavProperty::empty(CardDav::AddressData))
                    }
                }
            }
            RequestedProp::Name(name) => match value(ctx, tree, path, node, name) {
                Some(p) => found.push(p),
                None => missing.push(DavProperty::empty(name.clone().into_owned())),
            },
        }
    };
    match selection {
        Propfind::Prop(requested) => {
            for r in requested {
                ask(r, &mut found, &mut missing);
            }
        }
        Propfind::AllProp { include } => {
            for dead in node.dead.values() {
                found.push(dead.clone());
            }
            for name in ALLPROP {
                if let Some(v) = live(ctx, tree, path, node, name) {
                    found.push(DavProperty::new(name.clone(), v));
                }
            }
            if !node.dead.contains_key(&key(&Name::Dav(Dav::DisplayName)))
                && let Some(p) = value(ctx, tree, path, node, &Name::Dav(Dav::DisplayName))
            {
                found.push(p);
            }
            for r in include {
                if !found.iter().any(|p| p.name == r.name()) {
                    ask(r, &mut found, &mut missing);
                }
            }
        }
        Propfind::PropName => {
            for dead in node.dead.values() {
                found.push(DavProperty::empty(dead.name.clone()));
            }
            for name in LIVE {
                if live(ctx, tree, path, node, name).is_some() {
                    found.push(DavProperty::empty(name.clone()));
                }
            }
        }
    }
    xml::props_response(href, vec![(200, found), (403, forbidden), (404, missing)])
}
