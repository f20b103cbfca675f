//! The WebDAV methods (RFC 4918 §9): GET/HEAD, PUT, DELETE, MKCOL (and extended MKCOL, RFC
//! 5689), PROPFIND, PROPPATCH, COPY and MOVE, with conditional requests (RFC 9110 §13) and
//! the lock checks of [`locks`].

use groupwire_dav::body::{
    DavProperty, MkcolRequest, Multistatus, PropStat, PropValue, PropertyUpdateItem, Propfind,
    Status,
};
use groupwire_dav::headers::{Depth, Destination, EntityTagList, Overwrite, TypedHeader};
use groupwire_dav::xml::{CalDav, CardDav, Dav};
use groupwire_dav::{DavRequest, Name};
use http::{HeaderValue, StatusCode, header};

use super::store::{self, CollectionKind, Content, Node, Tree, encode_href};
use super::xml::{self, Resp};
use super::{Ctx, Req, caldav, carddav, locks, principals, props, scheduling};
use crate::faults::Fault;

/// Adds `ETag` (unless the `dav-no-etag` fault is on).
pub fn set_etag(ctx: &Ctx, resp: &mut Resp, etag: &str) {
    if ctx.fault(Fault::DavNoEtag) {
        return;
    }
    if let Ok(value) = HeaderValue::from_str(etag) {
        resp.headers_mut().insert(header::ETAG, value);
    }
}

fn etag_matches(list: &EntityTagList<'_>, etag: &str) -> bool {
    match list {
        EntityTagList::Any => true,
        EntityTagList::Tags(tags) => tags
            .iter()
            .any(|t| !t.weak && format!("\"{}\"", t.tag) == etag),
    }
}

/// `If-Match` and `If-None-Match` (RFC 9110 §13.1.1, §13.1.2) for a write to `node`: 412
/// when one fails.
pub fn check_preconditions(ctx: &Ctx, req: &Req, node: Option<&Node>) -> Result<(), Resp> {
    if ctx.fault(Fault::DavIfMatchIgnored) {
        return Ok(());
    }
    let failed = || xml::plain(StatusCode::PRECONDITION_FAILED, "precondition failed\n");
    if let Some(value) = req.headers.get(header::IF_MATCH) {
        let list = EntityTagList::parse(value.as_bytes()).map_err(|_| failed())?;
        match node {
            Some(node) if etag_matches(&list, &node.etag()) => {}
            _ => return Err(failed()),
        }
    }
    if let Some(value) = req.headers.get(header::IF_NONE_MATCH) {
        let list = EntityTagList::parse(value.as_bytes()).map_err(|_| failed())?;
        if let Some(node) = node
            && etag_matches(&list, &node.etag())
        {
            return Err(failed());
        }
    }
    Ok(())
}

/// `Schedule-Tag` on responses for a scheduling object resource (RFC 6638 §3.2.10).
fn set_schedule_tag(resp: &mut Resp, tag: Option<String>) {
    if let Some(value) = tag.and_then(|t| HeaderValue::from_str(&t).ok()) {
        resp.headers_mut().insert("schedule-tag", value);
    }
}

/// GET and HEAD.
pub fn get(ctx: &Ctx, req: &Req, head: bool) -> Resp {
    let tree = ctx.tree();
    let Some(node) = tree.get(&req.path) else {
        return xml::plain(StatusCode::NOT_FOUND, "not found\n");
    };
    let etag = node.etag();
    if let Some(value) = req.headers.get(header::IF_NONE_MATCH)
        && let Ok(list) = EntityTagList::parse(value.as_bytes())
        && !node.is_collection()
        && etag_matches(&list, &etag)
    {
        let mut resp = xml::empty(StatusCode::NOT_MODIFIED);
        set_etag(ctx, &mut resp, &etag);
        return resp;
    }
    let (body, content_type) = match &node.content {
        Content::Resource {
            body, content_type, ..
        } => (body.clone(), content_type.clone()),
        Content::Collection(_) => {
            let mut listing = format!("Index of {}\n", req.path);
            for (path, child) in tree.children(&req.path) {
                if principals::visible(ctx, path) {
                    listing.push_str(&encode_href(path, child.is_collection()));
                    listing.push('\n');
                }
            }
            (
                listing.into_bytes(),
                "text/plain; charset=utf-8".to_string(),
            )
        }
    };
    let length = body.len();
    let mut resp = xml::with_body(
        StatusCode::OK,
        &content_type,
        if head { Vec::new() } else { body },
    );
    if !node.is_collection() {
        set_etag(ctx, &mut resp, &etag);
        set_schedule_tag(&mut resp, scheduling::schedule_tag(ctx, node));
    }
    if let Ok(value) = HeaderValue::from_str(&length.to_string()) {
        resp.headers_mut().insert(header::CONTENT_LENGTH, value);
    }
    if let Some(date) = chrono::DateTime::from_timestamp(node.modified, 0)
        && let Ok(value) =
            HeaderValue::from_str(&date.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
    {
        resp.headers_mut().insert(header::LAST_MODIFIED, value);
    }
    resp
}

/// PUT: a new or replaced resource; calendar and address book members are validated by
/// [`caldav`] and [`carddav`].
pub fn put(ctx: &Ctx, req: &Req) -> Resp {
    let mut tree = ctx.tree();
    tree.locks.expire();
    let path = req.path.as_str();
    let existing = tree.get(path);
    if existing.is_some_and(Node::is_collection) {
        return xml::plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "cannot PUT to a collection\n",
        );
    }
    let Some(parent_path) = store::parent(path) else {
        return xml::plain(StatusCode::METHOD_NOT_ALLOWED, "cannot PUT to the root\n");
    };
    let Some(parent_kind) = tree.get(parent_path).and_then(|p| p.collection()).cloned() else {
        return xml::plain(
            StatusCode::CONFLICT,
            "the parent collection does not exist\n",
        );
    };
    if principals::access(ctx, parent_path) != principals::Access::Write {
        return xml::error(StatusCode::FORBIDDEN, Name::Dav(Dav::NeedPrivileges));
    }
    if let Err(resp) = check_preconditions(ctx, req, existing) {
        return resp;
    }
    if let Err(resp) = locks::check_write(ctx, &tree, req, path, false, existing.is_none()) {
        return resp;
    }
    let content_type = req
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_string();
    let content = match &parent_kind {
        CollectionKind::Calendar { components } => {
            match caldav::validate_object(ctx, &tree, path, components, &content_type, &req.body) {
                Ok(content) => content,
                Err(resp) => return resp,
            }
        }
        CollectionKind::Addressbook => {
            match carddav::validate_card(ctx, &tree, path, &content_type, &req.body) {
                Ok(content) => content,
                Err(resp) => return resp,
            }
        }
        CollectionKind::Plain | CollectionKind::Principal => Content::Resource {
            body: req.body.to_vec(),
            content_type,
            uid: None,
        },
    };
    let created = existing.is_none();
    let node = tree.put(path, content);
    let etag = node.etag();
    let schedule_tag = scheduling::schedule_tag(ctx, node);
    if matches!(parent_kind, CollectionKind::Calendar { .. })
        && scheduling::is_scheduling_object(ctx, node)
    {
        scheduling::deliver(ctx, &mut tree, &req.body);
    }
    let mut resp = xml::empty(if created {
        StatusCode::CREATED
    } else {
        StatusCode::NO_CONTENT
    });
    set_etag(ctx, &mut resp, &etag);
    set_schedule_tag(&mut resp, schedule_tag);
    resp
}

/// DELETE.
pub fn delete(ctx: &Ctx, req: &Req) -> Resp {
    let mut tree = ctx.tree();
    tree.locks.expire();
    let path = req.path.as_str();
    let Some(node) = tree.get(path) else {
        return xml::plain(StatusCode::NOT_FOUND, "not found\n");
    };
    if principals::is_protected_collection(path) {
        return xml::error(StatusCode::FORBIDDEN, Name::Dav(Dav::NeedPrivileges));
    }
    if let Err(resp) = check_preconditions(ctx, req, Some(node)) {
        return resp;
    }
    if let Err(resp) = locks::check_write(ctx, &tree, req, path, true, true) {
        return resp;
    }
    tree.remove(path);
    xml::empty(StatusCode::NO_CONTENT)
}

/// Applies the properties of an (extended) MKCOL or MKCALENDAR body to a new collection's
/// kind and dead properties; `Err` with the first property refused.
pub fn apply_initial_props(
    kind: &mut CollectionKind,
    dead: &mut Vec<DavProperty<'static>>,
    request: &MkcolRequest<'static>,
) -> Result<(), Name<'static>> {
    for prop in &request.set {
        match (&prop.name, &prop.value) {
            (Name::Dav(Dav::ResourceType), PropValue::Markers(markers)) => {
                let calendar = markers.contains(&Name::CalDav(CalDav::Calendar));
                let addressbook = markers.contains(&Name::CardDav(CardDav::Addressbook));
                let unknown = markers.iter().any(|m| {
                    !matches!(
                        m,
                        Name::Dav(Dav::Collection)
                            | Name::CalDav(CalDav::Calendar)
                            | Name::CardDav(CardDav::Addressbook)
                    )
                });
                if unknown || (calendar && addressbook) {
                    return Err(prop.name.clone());
                }
                if calendar && !matches!(kind, CollectionKind::Calendar { .. }) {
                    *kind = CollectionKind::Calendar {
                        components: principals::default_components(),
                    };
                } else if addressbook {
                    *kind = CollectionKind::Addressbook;
                }
            }
            (Name::CalDav(CalDav::SupportedCalendarComponentSet), PropValue::Components(c)) => {
                let components: Vec<String> = c.iter().map(|n| n.to_ascii_uppercase()).collect();
                if components.is_empty() {
                    return Err(prop.name.clone());
                }
                *kind = CollectionKind::Calendar { components };
            }
            (name, _) if props::is_protected(name) => return Err(prop.name.clone()),
            _ => dead.push(prop.clone()),
        }
    }
    Ok(())
}

/// Creates a collection of `kind` at `req.path` with the properties of `body` (MKCOL and
/// MKCALENDAR share it).
pub fn create_collection(
    ctx: &Ctx,
    req: &Req,
    mut kind: CollectionKind,
    body: Option<MkcolRequest<'static>>,
    calendar: bool,
) -> Resp {
    let mut tree = ctx.tree();
    tree.locks.expire();
    let path = req.path.as_str();
    if tree.exists(path) {
        return if calendar {
            xml::error(
                StatusCode::METHOD_NOT_ALLOWED,
                Name::Dav(Dav::ResourceMustBeNull),
            )
        } else {
            xml::plain(StatusCode::METHOD_NOT_ALLOWED, "the resource exists\n")
        };
    }
    let Some(parent_path) = store::parent(path) else {
        return xml::plain(StatusCode::METHOD_NOT_ALLOWED, "the resource exists\n");
    };
    match tree.get(parent_path).and_then(|p| p.collection()) {
        Some(CollectionKind::Plain) => {}
        Some(_) => {
            let condition = if calendar {
                Name::CalDav(CalDav::CalendarCollectionLocationOk)
            } else {
                Name::Dav(Dav::NeedPrivileges)
            };
            return xml::error(StatusCode::FORBIDDEN, condition);
        }
        None => {
            return xml::plain(
                StatusCode::CONFLICT,
                "the parent collection does not exist\n",
            );
        }
    }
    if principals::access(ctx, parent_path) != principals::Access::Write {
        return xml::error(StatusCode::FORBIDDEN, Name::Dav(Dav::NeedPrivileges));
    }
    if let Err(resp) = locks::check_write(ctx, &tree, req, path, false, true) {
        return resp;
    }
    let mut dead = Vec::new();
    if let Some(body) = &body
        && let Err(refused) = apply_initial_props(&mut kind, &mut dead, body)
    {
        // RFC 5689 §3 / RFC 4791 §5.3.1: nothing is created; the refused property fails,
        // the others are not applied (424).
        let mut failed = Vec::new();
        let mut dependent = Vec::new();
        for prop in &body.set {
            if prop.name == refused {
                failed.push(DavProperty::empty(prop.name.clone()));
            } else {
                dependent.push(DavProperty::empty(prop.name.clone()));
            }
        }
        let propstats = vec![(403, failed), (424, dependent)]
            .into_iter()
            .filter(|(_, p)| !p.is_empty())
            .map(|(code, props)| PropStat {
                props,
                status: Status::from_code(code),
                error: None,
                description: None,
            })
            .collect();
        let body = if calendar {
            groupwire_dav::DavResponse::MkcalendarResponse(propstats)
        } else {
            groupwire_dav::DavResponse::MkcolResponse(propstats)
        };
        return xml::xml_response(StatusCode::FORBIDDEN, &body);
    }
    tree.put(path, Content::Collection(kind));
    if let Some(node) = tree.get_mut(path) {
        for prop in dead {
            node.dead.insert(props::key(&prop.name), prop);
        }
    }
    let mut resp = xml::empty(StatusCode::CREATED);
    resp.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    resp
}

/// MKCOL (RFC 4918 §9.3) and extended MKCOL (RFC 5689).
pub fn mkcol(ctx: &Ctx, req: &Req) -> Resp {
    let body = if req.body.is_empty() {
        None
    } else {
        let is_xml = req
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|t| t.contains("xml"));
        match is_xml.then(|| groupwire_dav::DavRequest::decode(&req.body, &ctx.limits)) {
            Some(Ok(groupwire_dav::Decoded::Complete {
                value: DavRequest::Mkcol(body),
                ..
            })) => Some(body.into_owned()),
            _ => {
                return xml::plain(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "MKCOL accepts no body but an extended-MKCOL DAV:mkcol\n",
                );
            }
        }
    };
    create_collection(ctx, req, CollectionKind::Plain, body, false)
}

/// PROPFIND (RFC 4918 §9.1).
pub fn propfind(ctx: &Ctx, req: &Req) -> Resp {
    let depth = match xml::depth(req) {
        Ok(depth) => depth.unwrap_or(Depth::Infinity),
        Err(resp) => return resp,
    };
    let depth = if ctx.fault(Fault::DavPropfindDepthIgnored) {
        Depth::Zero
    } else {
        depth
    };
    let selection = if req.body.iter().all(u8::is_ascii_whitespace) {
        Propfind::AllProp {
            include: Vec::new(),
        }
    } else {
        match xml::decode_body(ctx, &req.body) {
            Ok(DavRequest::Propfind(body)) => body.selection,
            Ok(_) => return xml::plain(StatusCode::BAD_REQUEST, "expected a DAV:propfind body\n"),
            Err(resp) => return resp,
        }
    };
    if depth == Depth::Infinity {
        return xml::error(StatusCode::FORBIDDEN, Name::Dav(Dav::PropfindFiniteDepth));
    }
    let mut tree = ctx.tree();
    tree.locks.expire();
    let tree: &Tree = &tree;
    let Some(node) = tree.get(&req.path) else {
        return xml::plain(StatusCode::NOT_FOUND, "not found\n");
    };
    let mut responses = vec![props::response(ctx, tree, &req.path, node, &selection)];
    if depth == Depth::One && node.is_collection() {
        for (path, child) in tree.children(&req.path) {
            if principals::visible(ctx, path) {
                responses.push(props::response(ctx, tree, path, child, &selection));
            }
        }
    }
    xml::multistatus(Multistatus {
        responses,
        description: None,
        sync_token: None,
    })
}

/// PROPPATCH (RFC 4918 §9.2): all instructions in order, or none (424 for the others).
pub fn proppatch(ctx: &Ctx, req: &Req) -> Resp {
    let update = match xml::decode_body(ctx, &req.body) {
        Ok(DavRequest::PropertyUpdate(update)) => update,
        Ok(_) => return xml::plain(StatusCode::BAD_REQUEST, "expected a DAV:propertyupdate\n"),
        Err(resp) => return resp,
    };
    let mut tree = ctx.tree();
    tree.locks.expire();
    let path = req.path.as_str();
    let Some(node) = tree.get(path) else {
        return xml::plain(StatusCode::NOT_FOUND, "not found\n");
    };
    if let Err(resp) = check_preconditions(ctx, req, Some(node)) {
        return resp;
    }
    if let Err(resp) = locks::check_write(ctx, &tree, req, path, false, false) {
        return resp;
    }
    let href = encode_href(path, node.is_collection());
    let mut all: Vec<DavProperty<'static>> = Vec::new();
    let mut refused: Vec<DavProperty<'static>> = Vec::new();
    for item in &update.items {
        let (PropertyUpdateItem::Set(list) | PropertyUpdateItem::Remove(list)) = item;
        for prop in list {
            let protected =
                props::is_protected(&prop.name) && !ctx.fault(Fault::DavProtectedWritable);
            if protected {
                refused.push(DavProperty::empty(prop.name.clone()));
            } else {
                all.push(DavProperty::empty(prop.name.clone()));
            }
        }
    }
    if !refused.is_empty() && !ctx.fault(Fault::DavProppatchNotAtomic) {
        let mut failed = PropStat {
            props: refused.clone(),
            status: Status::from_code(403),
            error: Some(xml::error_body(Name::Dav(
                Dav::CannotModifyProtectedProperty,
            ))),
            description: None,
        };
        failed.props.dedup();
        let mut propstats = vec![failed];
        if !all.is_empty() {
            propstats.push(PropStat {
                props: all,
                status: Status::from_code(424),
                error: None,
                description: None,
            });
        }
        return xml::multistatus(Multistatus {
            responses: vec![groupwire_dav::body::Response {
                hrefs: vec![groupwire_dav::body::Href::new(href)],
                status: None,
                propstats,
                error: None,
                description: None,
                location: None,
            }],
            description: None,
            sync_token: None,
        });
    }
    let Some(node) = tree.get_mut(path) else {
        return xml::plain(StatusCode::NOT_FOUND, "not found\n");
    };
    for item in update.items {
        match item {
            PropertyUpdateItem::Set(list) => {
                for prop in list {
                    if !props::is_protected(&prop.name) {
                        node.dead.insert(props::key(&prop.name), prop);
                    }
                }
            }
            PropertyUpdateItem::Remove(list) => {
                for prop in list {
                    node.dead.remove(&props::key(&prop.name));
                }
            }
        }
    }
    all.dedup();
    xml::multistatus(Multistatus {
        responses: vec![xml::props_response(href, vec![(200, all), (403, refused)])],
        description: None,
        sync_token: None,
    })
}

/// COPY and MOVE (RFC 4918 §9.8, §9.9).
pub fn copy_move(ctx: &Ctx, req: &Req, moving: bool) -> Resp {
    let Some(destination) = req
        .headers
        .get(groupwire_dav::headers::DESTINATION)
        .and_then(|v| Destination::from_header_value(v).ok())
        .and_then(|d| locks::reference_path(&d.0))
    else {
        return xml::plain(
            StatusCode::BAD_REQUEST,
            "missing or malformed Destination\n",
        );
    };
    let overwrite = match req.headers.get(groupwire_dav::headers::OVERWRITE) {
        None => true,
        Some(v) => match Overwrite::from_header_value(v) {
            Ok(Overwrite(o)) => o,
            Err(_) => return xml::plain(StatusCode::BAD_REQUEST, "malformed Overwrite\n"),
        },
    };
    let depth = match xml::depth(req) {
        Ok(d) => d.unwrap_or(Depth::Infinity),
        Err(resp) => return resp,
    };
    let source = req.path.as_str();
    let mut tree = ctx.tree();
    tree.locks.expire();
    let Some(node) = tree.get(source) else {
        return xml::plain(StatusCode::NOT_FOUND, "not found\n");
    };
    let collection = node.is_collection();
    if collection && (depth == Depth::One || (moving && depth != Depth::Infinity)) {
        return xml::plain(StatusCode::BAD_REQUEST, "invalid Depth for a collection\n");
    }
    if destination == source || store::is_within(&destination, source) {
        return xml::plain(
            StatusCode::FORBIDDEN,
            "the destination is the source or inside it\n",
        );
    }
    if principals::access(ctx, &destination) != principals::Access::Write
        || principals::is_protected_collection(&destination)
        || (moving && principals::is_protected_collection(source))
    {
        return xml::error(StatusCode::FORBIDDEN, Name::Dav(Dav::NeedPrivileges));
    }
    match store::parent(&destination).and_then(|p| tree.get(p)) {
        Some(parent) if parent.is_collection() => {}
        _ => {
            return xml::plain(
                StatusCode::CONFLICT,
                "the destination's parent does not exist\n",
            );
        }
    }
    let exists = tree.exists(&destination);
    if exists && !overwrite && !ctx.fault(Fault::DavOverwriteIgnored) {
        return xml::plain(StatusCode::PRECONDITION_FAILED, "the destination exists\n");
    }
    let submitted = match locks::evaluate_if(&tree, req, source) {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    if moving {
        if let Err(resp) = locks::require_tokens(ctx, &tree, source, true, &submitted) {
            return resp;
        }
        if let Some(parent) = store::parent(source)
            && let Err(resp) = locks::require_tokens(ctx, &tree, parent, false, &submitted)
        {
            return resp;
        }
    }
    if let Err(resp) = locks::require_tokens(ctx, &tree, &destination, true, &submitted) {
        return resp;
    }
    if let Some(parent) = store::parent(&destination)
        && let Err(resp) = locks::require_tokens(ctx, &tree, parent, false, &submitted)
    {
        return resp;
    }
    if exists {
        tree.remove(&destination);
    }
    if moving {
        tree.rename(source, &destination);
    } else {
        tree.copy(source, &destination, depth == Depth::Infinity);
    }
    let mut resp = xml::empty(if exists {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::CREATED
    });
    if let Ok(value) = HeaderValue::from_str(&encode_href(&destination, collection)) {
        resp.headers_mut().insert(header::LOCATION, value);
    }
    resp
}
