//! The faults the `webdav.*` checks need (the "WebDAV checks" block of
//! [`faults`](crate::faults)), kept out of the method handlers: [`before`]
//! rewrites or answers a request before dispatch, [`after`] rewrites the response. With no
//! `webdav-*` fault on, both do nothing.

use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use groupwire_dav::body::{
    DavProperty, Multistatus, PropValue, PropertyUpdate, PropertyUpdateItem, Propfind, Status,
};
use groupwire_dav::headers::{DEPTH, IF, IfHeader, IfState, LOCK_TOKEN, LockToken, TypedHeader};
use groupwire_dav::xml::Dav;
use groupwire_dav::{DavRequest, DavResponse, Decoded, Name};
use http::{HeaderValue, Method, StatusCode, header};
use http_body_util::Full;
use hyper::body::Body as _;

use super::store::{self, CollectionKind, Content};
use super::xml::{self, Resp};
use super::{Ctx, Req, locks, props};
use crate::faults::Fault;

fn on(ctx: &Ctx, fault: Fault) -> bool {
    ctx.fault(fault)
}

fn method_is(req: &Req, name: &str) -> bool {
    req.method.as_str() == name
}

fn depth_header(req: &Req) -> Option<&str> {
    req.headers.get(DEPTH).and_then(|v| v.to_str().ok())
}

fn set_depth(req: &mut Req, depth: &'static str) {
    req.headers.insert(DEPTH, HeaderValue::from_static(depth));
}

fn decode_request(ctx: &Ctx, body: &[u8]) -> Option<DavRequest<'static>> {
    match DavRequest::decode(body, &ctx.limits) {
        Ok(Decoded::Complete { value, .. }) => Some(value.into_owned()),
        _ => None,
    }
}

fn destination(req: &Req) -> Option<String> {
    req.headers
        .get(groupwire_dav::headers::DESTINATION)
        .and_then(|v| v.to_str().ok())
        .and_then(locks::reference_path)
}

/// Creates every missing ancestor of `path` as a plain collection.
fn create_parents(ctx: &Ctx, path: &str) {
    let mut tree = ctx.tree();
    let mut missing = Vec::new();
    let mut current = store::parent(path);
    while let Some(parent) = current {
        if tree.exists(parent) {
            break;
        }
        missing.push(parent.to_string());
        current = store::parent(parent);
    }
    for parent in missing.into_iter().rev() {
        tree.put(&parent, Content::Collection(CollectionKind::Plain));
    }
}

fn rewrite_update(req: &mut Req, update: PropertyUpdate<'static>) {
    req.body = Bytes::from(DavRequest::PropertyUpdate(update).to_vec());
}

/// Text content of escaped XML (the tags dropped).
fn text_only(content: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in content.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Rewrites or answers the request before dispatch.
pub fn before(ctx: &Ctx, req: &mut Req) -> Option<Resp> {
    match req.method.as_str() {
        "PROPFIND" => {
            if on(ctx, Fault::WebdavPropfindEmptyBodyRejected)
                && req.body.iter().all(u8::is_ascii_whitespace)
            {
                return Some(xml::plain(StatusCode::BAD_REQUEST, "a body is required\n"));
            }
            if on(ctx, Fault::WebdavAcceptsMalformedXml)
                && !req.body.is_empty()
                && decode_request(ctx, &req.body).is_none()
            {
                req.body = Bytes::new();
            }
            let depth = depth_header(req).map(str::to_ascii_lowercase);
            match depth.as_deref() {
                None if on(ctx, Fault::WebdavPropfindNoDepthAs0) => set_depth(req, "0"),
                None | Some("infinity") if on(ctx, Fault::WebdavPropfindInfinityBare403) => {
                    return Some(xml::plain(StatusCode::FORBIDDEN, "forbidden\n"));
                }
                Some("infinity") if on(ctx, Fault::WebdavPropfindInfinityShallow) => {
                    set_depth(req, "1");
                }
                Some("0") if on(ctx, Fault::WebdavPropfindDepth0ListsMembers) => {
                    set_depth(req, "1");
                }
                Some("1") if on(ctx, Fault::WebdavPropfindDepth1NoMembers) => {
                    set_depth(req, "0");
                }
                _ => {}
            }
        }
        "PROPPATCH" => return before_proppatch(ctx, req),
        "MKCOL" => {
            if on(ctx, Fault::WebdavMkcolRefused) {
                return Some(xml::plain(StatusCode::FORBIDDEN, "refused\n"));
            }
            if on(ctx, Fault::WebdavMkcolExisting201) && ctx.tree().exists(&req.path) {
                return Some(xml::empty(StatusCode::CREATED));
            }
            if on(ctx, Fault::WebdavMkcolCreatesParents) {
                create_parents(ctx, &req.path);
            }
            if on(ctx, Fault::WebdavMkcolIgnoresBody)
                && !req
                    .headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|t| t.contains("xml"))
            {
                req.body = Bytes::new();
            }
            if on(ctx, Fault::WebdavMkcolPlainResource) && req.body.is_empty() {
                let mut tree = ctx.tree();
                if !tree.exists(&req.path) {
                    tree.put(
                        &req.path,
                        Content::Resource {
                            body: Vec::new(),
                            content_type: "application/octet-stream".into(),
                            uid: None,
                        },
                    );
                    return Some(xml::empty(StatusCode::CREATED));
                }
            }
        }
        "PUT" => {
            if on(ctx, Fault::WebdavHrefDoubleDecoded)
                && req.path.contains('%')
                && let Ok((path, _)) = store::decode_path(&req.path)
            {
                req.path = path;
            }
            if on(ctx, Fault::WebdavPutCreatesParents) {
                create_parents(ctx, &req.path);
            }
            if on(ctx, Fault::WebdavPutTruncates) && req.body.len() > 65_536 {
                req.body = req.body.slice(..65_536);
            }
            if on(ctx, Fault::WebdavLockRejectsToken)
                && req.headers.contains_key(IF)
                && !ctx.tree().locks.covering(&req.path).is_empty()
            {
                return Some(xml::error(
                    StatusCode::LOCKED,
                    Name::Dav(Dav::LockTokenSubmitted),
                ));
            }
        }
        "GET" | "HEAD" if on(ctx, Fault::WebdavIgnoresIfNoneMatch) => {
            req.headers.remove(header::IF_NONE_MATCH);
        }
        "DELETE" => {
            if on(ctx, Fault::WebdavDeleteKeeps) && ctx.tree().exists(&req.path) {
                return Some(xml::empty(StatusCode::NO_CONTENT));
            }
            if on(ctx, Fault::WebdavDeleteCollectionKeepsMembers) {
                let mut tree = ctx.tree();
                if tree.get(&req.path).is_some_and(|n| n.is_collection()) {
                    let members: Vec<(String, Content)> = tree
                        .descendants(&req.path)
                        .into_iter()
                        .map(|(path, node)| (path.clone(), node.content.clone()))
                        .collect();
                    tree.remove(&req.path);
                    for (path, content) in members {
                        tree.put(&path, content);
                    }
                    return Some(xml::empty(StatusCode::NO_CONTENT));
                }
            }
        }
        "COPY" | "MOVE" => {
            let moving = method_is(req, "MOVE");
            if moving && on(ctx, Fault::WebdavMoveKeepsSource) {
                req.method = Method::from_bytes(b"COPY").unwrap_or(Method::GET);
            }
            let creates = if moving {
                on(ctx, Fault::WebdavMoveCreatesParents)
            } else {
                on(ctx, Fault::WebdavCopyCreatesParents)
            };
            if creates && let Some(destination) = destination(req) {
                create_parents(ctx, &destination);
            }
            if !moving {
                match depth_header(req) {
                    Some("0") if on(ctx, Fault::WebdavCopyDepth0CopiesMembers) => {
                        req.headers.remove(DEPTH);
                    }
                    None if on(ctx, Fault::WebdavCopyShallow) => set_depth(req, "0"),
                    _ => {}
                }
            }
        }
        "LOCK" => {
            if on(ctx, Fault::WebdavLockRefused) {
                return Some(xml::plain(StatusCode::METHOD_NOT_ALLOWED, "no locking\n"));
            }
            if on(ctx, Fault::WebdavLockRefreshFails) && req.body.is_empty() {
                return Some(xml::plain(StatusCode::BAD_REQUEST, "no refresh\n"));
            }
            if on(ctx, Fault::WebdavLockSharedRefused)
                && let Some(DavRequest::LockInfo(info)) = decode_request(ctx, &req.body)
                && info.scope == groupwire_dav::body::LockScope::Shared
                && !ctx.tree().locks.covering(&req.path).is_empty()
            {
                return Some(xml::error(
                    StatusCode::LOCKED,
                    Name::Dav(Dav::NoConflictingLock),
                ));
            }
        }
        "UNLOCK" => {
            if on(ctx, Fault::WebdavUnlockKeepsLock) {
                return Some(xml::empty(StatusCode::NO_CONTENT));
            }
            if on(ctx, Fault::WebdavUnlockAnyToken)
                && let Some(token) = req
                    .headers
                    .get(LOCK_TOKEN)
                    .and_then(|v| LockToken::from_header_value(v).ok())
                    .map(|t| t.0.into_owned())
            {
                let mut tree = ctx.tree();
                if tree.locks.by_token(&token).is_some() {
                    tree.locks.remove_token(&token);
                    return Some(xml::empty(StatusCode::NO_CONTENT));
                }
            }
        }
        _ => {}
    }
    if req.headers.contains_key(header::IF_MATCH)
        && on(ctx, Fault::WebdavIfMatchAlwaysFails)
        && !matches!(req.method.as_str(), "GET" | "HEAD")
    {
        return Some(xml::plain(
            StatusCode::PRECONDITION_FAILED,
            "precondition failed\n",
        ));
    }
    if let Some(value) = req.headers.get(IF).cloned() {
        if on(ctx, Fault::WebdavIfHeaderIgnored) && ctx.tree().locks.covering(&req.path).is_empty()
        {
            req.headers.remove(IF);
        } else if on(ctx, Fault::WebdavIfEtagIgnored)
            && let Ok(parsed) = IfHeader::from_header_value(&value)
        {
            let strip = |lists: &mut Vec<groupwire_dav::headers::IfList<'_>>| {
                for list in lists.iter_mut() {
                    if list
                        .conditions
                        .iter()
                        .any(|c| matches!(c.state, IfState::Token(_)))
                    {
                        list.conditions
                            .retain(|c| !matches!(c.state, IfState::ETag(_)));
                    }
                }
            };
            let mut parsed = parsed.into_owned();
            match &mut parsed {
                IfHeader::Untagged(lists) => strip(lists),
                IfHeader::Tagged(tagged) => tagged.iter_mut().for_each(|t| strip(&mut t.lists)),
            }
            if let Ok(value) = parsed.to_header_value() {
                req.headers.insert(IF, value);
            }
        }
    }
    None
}

fn before_proppatch(ctx: &Ctx, req: &mut Req) -> Option<Resp> {
    let Some(DavRequest::PropertyUpdate(mut update)) = decode_request(ctx, &req.body) else {
        return None;
    };
    let is_dead = |p: &DavProperty<'_>| !props::is_protected(&p.name);
    if on(ctx, Fault::WebdavProppatchDeadRefused)
        && update.items.iter().any(|item| match item {
            PropertyUpdateItem::Set(list) => list.iter().any(is_dead),
            PropertyUpdateItem::Remove(_) => false,
        })
    {
        return Some(xml::plain(StatusCode::FORBIDDEN, "no dead properties\n"));
    }
    if on(ctx, Fault::WebdavProppatchRemoveAbsent404) {
        let tree = ctx.tree();
        let dead = tree
            .get(&req.path)
            .map(|n| n.dead.clone())
            .unwrap_or_default();
        let absent = update.items.iter().any(|item| match item {
            PropertyUpdateItem::Remove(list) => list
                .iter()
                .any(|p| !dead.contains_key(&props::key(&p.name))),
            PropertyUpdateItem::Set(_) => false,
        });
        if absent {
            return Some(xml::plain(StatusCode::NOT_FOUND, "no such property\n"));
        }
    }
    let mut changed = false;
    if on(ctx, Fault::WebdavDeadValueFlattened) {
        for item in &mut update.items {
            if let PropertyUpdateItem::Set(list) = item {
                for prop in list.iter_mut() {
                    if let PropValue::Raw(raw) = &prop.value {
                        prop.value = PropValue::Text(text_only(&raw.content).into());
                        prop.lang = None;
                        changed = true;
                    }
                }
            }
        }
    }
    if on(ctx, Fault::WebdavProppatchKeepsOldValue) {
        let dead = ctx
            .tree()
            .get(&req.path)
            .map(|n| n.dead.clone())
            .unwrap_or_default();
        for item in &mut update.items {
            if let PropertyUpdateItem::Set(list) = item {
                list.retain(|p| !dead.contains_key(&props::key(&p.name)));
            }
        }
        changed = true;
    }
    if on(ctx, Fault::WebdavProppatchRemoveIgnored) {
        update
            .items
            .retain(|item| matches!(item, PropertyUpdateItem::Set(_)));
        changed = true;
    }
    if on(ctx, Fault::WebdavProppatchRemovesFirst) {
        update
            .items
            .sort_by_key(|item| matches!(item, PropertyUpdateItem::Set(_)));
        changed = true;
    }
    if changed {
        rewrite_update(req, update);
    }
    None
}

/// The bytes of a response body (a `Full` yields them at the first poll).
fn take_body(resp: &mut Resp) -> Bytes {
    let mut cx = Context::from_waker(Waker::noop());
    match Pin::new(resp.body_mut()).poll_frame(&mut cx) {
        Poll::Ready(Some(Ok(frame))) => frame.into_data().unwrap_or_default(),
        _ => Bytes::new(),
    }
}

fn set_body(resp: &mut Resp, body: Vec<u8>) {
    resp.headers_mut().remove(header::CONTENT_LENGTH);
    *resp.body_mut() = Full::new(Bytes::from(body));
}

/// Applies `edit` to a multistatus body.
fn edit_multistatus(resp: &mut Resp, edit: impl FnOnce(&mut Multistatus<'static>)) {
    let bytes = take_body(resp);
    let decoded = match DavResponse::decode(&bytes, &groupwire_dav::Limits::default()) {
        Ok(Decoded::Complete { value, .. }) => Some(value.into_owned()),
        _ => None,
    };
    match decoded {
        Some(DavResponse::Multistatus(mut ms)) => {
            edit(&mut ms);
            set_body(resp, DavResponse::Multistatus(ms).to_vec());
        }
        _ => set_body(resp, bytes.to_vec()),
    }
}

fn each_prop(ms: &mut Multistatus<'static>, mut edit: impl FnMut(&mut Vec<DavProperty<'static>>)) {
    for response in &mut ms.responses {
        for propstat in &mut response.propstats {
            edit(&mut propstat.props);
        }
    }
}

fn selection_of(ctx: &Ctx, req: &Req) -> Propfind<'static> {
    match decode_request(ctx, &req.body) {
        Some(DavRequest::Propfind(body)) => body.selection,
        _ => Propfind::AllProp {
            include: Vec::new(),
        },
    }
}

fn set_status(resp: &mut Resp, from: u16, to: StatusCode) {
    if resp.status().as_u16() == from {
        *resp.status_mut() = to;
    }
}

/// Rewrites the response.
pub fn after(ctx: &Ctx, req: &Req, mut resp: Resp) -> Resp {
    match req.method.as_str() {
        "OPTIONS" if on(ctx, Fault::WebdavNoDavHeader) => {
            resp.headers_mut().remove(groupwire_dav::headers::DAV);
        }
        "PROPFIND" if resp.status().as_u16() == 207 => after_propfind(ctx, req, &mut resp),
        "PROPPATCH" if resp.status().as_u16() == 207 => {
            if on(ctx, Fault::WebdavProppatchNo424) || on(ctx, Fault::WebdavProtectedNoPrecondition)
            {
                let no_424 = on(ctx, Fault::WebdavProppatchNo424);
                let no_error = on(ctx, Fault::WebdavProtectedNoPrecondition);
                edit_multistatus(&mut resp, |ms| {
                    for response in &mut ms.responses {
                        if no_error {
                            response.error = None;
                        }
                        for propstat in &mut response.propstats {
                            if no_424 && propstat.status.code() == Some(424) {
                                propstat.status = Status::from_code(409);
                            }
                            if no_error {
                                propstat.error = None;
                            }
                        }
                    }
                });
            }
            if on(ctx, Fault::WebdavProppatchChangesEtag) {
                ctx.tree().touch(&req.path);
            }
        }
        "PUT" if on(ctx, Fault::WebdavPut200OnCreate) => {
            set_status(&mut resp, 201, StatusCode::OK);
        }
        "COPY" => {
            if on(ctx, Fault::WebdavCopy204OnCreate) {
                set_status(&mut resp, 201, StatusCode::NO_CONTENT);
            } else if on(ctx, Fault::WebdavCopyOverwrite201) {
                set_status(&mut resp, 204, StatusCode::CREATED);
            }
            if on(ctx, Fault::WebdavCopyDropsDeadProps) && resp.status().is_success() {
                drop_dead(ctx, req);
            }
        }
        "MOVE" => {
            if on(ctx, Fault::WebdavMoveOverwrite201) {
                set_status(&mut resp, 204, StatusCode::CREATED);
            }
            if resp.status().is_success() {
                if on(ctx, Fault::WebdavMoveDropsDeadProps) {
                    drop_dead(ctx, req);
                }
                if on(ctx, Fault::WebdavMoveCollectionDropsMembers)
                    && let Some(destination) = destination(req)
                {
                    let mut tree = ctx.tree();
                    let members: Vec<String> = tree
                        .children(&destination)
                        .into_iter()
                        .map(|(path, _)| path.clone())
                        .collect();
                    for member in members {
                        tree.remove(&member);
                    }
                }
            }
        }
        "LOCK" => after_lock(ctx, req, &mut resp),
        _ => {}
    }
    if on(ctx, Fault::WebdavEtagNeverChanges) && resp.headers().contains_key(header::ETAG) {
        resp.headers_mut()
            .insert(header::ETAG, HeaderValue::from_static("\"gw-constant\""));
    }
    if on(ctx, Fault::WebdavLock423NoPrecondition) && resp.status() == StatusCode::LOCKED {
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        set_body(&mut resp, b"locked\n".to_vec());
    }
    resp
}

fn drop_dead(ctx: &Ctx, req: &Req) {
    if let Some(destination) = destination(req)
        && let Some(node) = ctx.tree().get_mut(&destination)
    {
        node.dead.clear();
    }
}

fn after_lock(ctx: &Ctx, req: &Req, resp: &mut Resp) {
    if !resp.status().is_success() {
        return;
    }
    if on(ctx, Fault::WebdavLockNoTokenHeader) {
        resp.headers_mut().remove(LOCK_TOKEN);
    }
    if on(ctx, Fault::WebdavLockNoBody) {
        resp.headers_mut().remove(header::CONTENT_TYPE);
        set_body(resp, Vec::new());
    }
    if on(ctx, Fault::WebdavLockSameToken)
        && let Some(new) = resp
            .headers()
            .get(LOCK_TOKEN)
            .and_then(|v| LockToken::from_header_value(v).ok())
            .map(|t| t.0.into_owned())
    {
        let older = ctx
            .tree()
            .locks
            .covering(&req.path)
            .into_iter()
            .map(|l| l.token.clone())
            .find(|t| *t != new);
        if let Some(older) = older
            && let Ok(value) = HeaderValue::from_str(&format!("<{older}>"))
        {
            resp.headers_mut().insert(LOCK_TOKEN, value);
        }
    }
    if on(ctx, Fault::WebdavLockUnmappedNoResource) && resp.status() == StatusCode::CREATED {
        *resp.status_mut() = StatusCode::OK;
        let mut tree = ctx.tree();
        let locks: Vec<locks::Lock> = tree
            .locks
            .covering(&req.path)
            .into_iter()
            .cloned()
            .collect();
        tree.remove(&req.path);
        for lock in locks {
            tree.locks.restore(lock);
        }
    }
}

fn after_propfind(ctx: &Ctx, req: &Req, resp: &mut Resp) {
    let wanted = [
        Fault::WebdavPropfindDepth1Recurses,
        Fault::WebdavAllpropOmitsDead,
        Fault::WebdavPropnameValues,
        Fault::WebdavMissingProp200,
        Fault::WebdavWrongGetcontentlength,
        Fault::WebdavNoGetcontenttype,
        Fault::WebdavGetetagMismatch,
        Fault::WebdavNoGetlastmodified,
        Fault::WebdavResourcetypeEmpty,
        Fault::WebdavHrefMixedFormat,
        Fault::WebdavCollectionHrefNoSlash,
        Fault::WebdavHrefUnescaped,
        Fault::WebdavLockdiscoveryEmpty,
        Fault::WebdavNoSupportedlock,
    ];
    if !wanted.iter().any(|f| on(ctx, *f)) {
        return;
    }
    let selection = selection_of(ctx, req);
    let host = req
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost")
        .to_string();
    edit_multistatus(resp, |ms| {
        if on(ctx, Fault::WebdavPropfindDepth1Recurses) && depth_header(req) == Some("1") {
            let tree = ctx.tree();
            for (path, node) in tree.descendants(&req.path) {
                if store::parent(path) != Some(req.path.as_str()) {
                    ms.responses
                        .push(props::response(ctx, &tree, path, node, &selection));
                }
            }
        }
        if on(ctx, Fault::WebdavAllpropOmitsDead) && matches!(selection, Propfind::AllProp { .. }) {
            each_prop(ms, |list| list.retain(|p| props::is_protected(&p.name)));
        }
        if on(ctx, Fault::WebdavPropnameValues) && selection == Propfind::PropName {
            let tree = ctx.tree();
            for response in &mut ms.responses {
                let path = response
                    .hrefs
                    .first()
                    .and_then(|h| locks::reference_path(h.as_str()))
                    .unwrap_or_default();
                let Some(node) = tree.get(&path) else {
                    continue;
                };
                for propstat in &mut response.propstats {
                    for prop in &mut propstat.props {
                        if let Some(value) = props::value(ctx, &tree, &path, node, &prop.name) {
                            *prop = value;
                        }
                    }
                }
            }
        }
        if on(ctx, Fault::WebdavMissingProp200) {
            for response in &mut ms.responses {
                for propstat in &mut response.propstats {
                    if propstat.status.code() == Some(404) {
                        propstat.status = Status::from_code(200);
                    }
                }
            }
        }
        each_prop(ms, |list| {
            for prop in list.iter_mut() {
                match (&prop.name, &mut prop.value) {
                    (Name::Dav(Dav::GetContentLength), PropValue::Number(n))
                        if on(ctx, Fault::WebdavWrongGetcontentlength) =>
                    {
                        *n += 1;
                    }
                    (Name::Dav(Dav::GetEtag), PropValue::Text(text))
                        if on(ctx, Fault::WebdavGetetagMismatch) =>
                    {
                        *text = format!("\"x{}", text.trim_start_matches('"')).into();
                    }
                    (Name::Dav(Dav::ResourceType), PropValue::Markers(markers))
                        if on(ctx, Fault::WebdavResourcetypeEmpty) =>
                    {
                        markers.clear();
                    }
                    (Name::Dav(Dav::LockDiscovery), PropValue::LockDiscovery(locks))
                        if on(ctx, Fault::WebdavLockdiscoveryEmpty) =>
                    {
                        locks.clear();
                    }
                    _ => {}
                }
            }
            list.retain(|p| {
                !(on(ctx, Fault::WebdavNoGetcontenttype)
                    && p.name == Name::Dav(Dav::GetContentType)
                    || on(ctx, Fault::WebdavNoGetlastmodified)
                        && p.name == Name::Dav(Dav::GetLastModified)
                    || on(ctx, Fault::WebdavNoSupportedlock)
                        && p.name == Name::Dav(Dav::SupportedLock))
            });
        });
        for (index, response) in ms.responses.iter_mut().enumerate() {
            for href in &mut response.hrefs {
                let mut text = href.as_str().to_string();
                if on(ctx, Fault::WebdavCollectionHrefNoSlash) && text.len() > 1 {
                    text = text.trim_end_matches('/').to_string();
                }
                if on(ctx, Fault::WebdavHrefUnescaped) {
                    text = store::decode_path(&text)
                        .map(|(path, slash)| if slash { format!("{path}/") } else { path })
                        .unwrap_or(text);
                }
                if on(ctx, Fault::WebdavHrefMixedFormat) && index == 0 {
                    text = format!("https://{host}{text}");
                }
                *href = groupwire_dav::body::Href::new(text);
            }
        }
    });
}
