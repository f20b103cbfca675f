//! WebDAV locking (RFC 4918 §6, §7, §9.10, §9.11, §10.4): the lock table, LOCK (new locks,
//! refresh, locks on unmapped URLs), UNLOCK, the `If` header and the lock-token check every
//! modifying method runs.

use std::time::{Duration, Instant};

use groupwire_dav::body::{ActiveLock, DavProperty, LockInfo, LockScope, PropValue};
use groupwire_dav::headers::{
    Depth, IfCondition, IfHeader, IfList, IfState, LockToken, Timeout, TimeoutValue, TypedHeader,
};
use groupwire_dav::xml::{Dav, RawXml};
use groupwire_dav::{DavRequest, DavResponse, Name};
use http::StatusCode;

use super::store::{self, Content, Tree, encode_href, is_within};
use super::xml::{self, Resp};
use super::{Ctx, Req};
use crate::faults::Fault;

/// Longest lock lifetime granted, in seconds.
pub const MAX_TIMEOUT: u32 = 3600;

/// One active lock.
#[derive(Debug, Clone)]
pub struct Lock {
    /// The lock token (`urn:uuid:...`).
    pub token: String,
    /// The path the lock was taken on.
    pub root: String,
    /// Whether it covers everything below the root.
    pub infinite: bool,
    /// Exclusive or shared.
    pub scope: LockScope,
    /// The `DAV:owner` the client gave.
    pub owner: Option<RawXml<'static>>,
    /// Granted lifetime in seconds.
    pub timeout: u32,
    /// When it lapses.
    pub expires: Instant,
}

impl Lock {
    /// Whether the lock covers `path`.
    pub fn covers(&self, path: &str) -> bool {
        self.root == path || (self.infinite && is_within(path, &self.root))
    }

    /// The `DAV:activelock` element describing it.
    pub fn active(&self, collection_root: bool) -> ActiveLock<'static> {
        ActiveLock {
            scope: self.scope,
            kind: Name::Dav(Dav::Write),
            depth: if self.infinite {
                Depth::Infinity
            } else {
                Depth::Zero
            },
            owner: self.owner.clone(),
            timeout: Some(format!("Second-{}", self.timeout).into()),
            lock_token: Some(groupwire_dav::body::Href::new(self.token.clone())),
            lock_root: Some(groupwire_dav::body::Href::new(encode_href(
                &self.root,
                collection_root,
            ))),
        }
    }
}

/// Every active lock.
#[derive(Debug, Default)]
pub struct LockTable {
    locks: Vec<Lock>,
    counter: u64,
}

impl LockTable {
    /// Drops lapsed locks.
    pub fn expire(&mut self) {
        let now = Instant::now();
        self.locks.retain(|lock| lock.expires > now);
    }

    /// The locks covering `path`.
    pub fn covering(&self, path: &str) -> Vec<&Lock> {
        self.locks.iter().filter(|l| l.covers(path)).collect()
    }

    /// The locks rooted at `path` or below it.
    pub fn within(&self, path: &str) -> Vec<&Lock> {
        self.locks
            .iter()
            .filter(|l| is_within(&l.root, path))
            .collect()
    }

    /// Removes the locks rooted at `path` or below it (the resource is gone).
    pub fn remove_within(&mut self, path: &str) {
        self.locks.retain(|l| !is_within(&l.root, path));
    }

    /// Removes the lock with `token` (the `webdav-unlock-any-token` fault).
    pub fn remove_token(&mut self, token: &str) {
        self.locks.retain(|l| l.token != token);
    }

    /// Puts back a lock removed along with its resource (the
    /// `webdav-lock-unmapped-no-resource` fault).
    pub fn restore(&mut self, lock: Lock) {
        self.locks.push(lock);
    }

    /// The lock with `token`.
    pub fn by_token(&self, token: &str) -> Option<&Lock> {
        self.locks.iter().find(|l| l.token == token)
    }

    fn new_token(&mut self) -> String {
        self.counter += 1;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mixed = nanos ^ (u128::from(self.counter) << 64);
        format!(
            "urn:uuid:{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            (mixed >> 96) as u32,
            (mixed >> 80) as u16,
            (mixed >> 68) as u16 & 0xfff,
            (self.counter as u16) & 0xfff,
            (mixed as u64) & 0xffff_ffff_ffff
        )
    }
}

/// What an `If` header says, once evaluated.
#[derive(Debug, Default)]
pub struct Submitted {
    /// The lock tokens the header names (negated or not): the tokens the client submits.
    pub tokens: Vec<String>,
}

/// The store path of a Coded-URL / Destination style reference (absolute URI or path).
pub fn reference_path(reference: &str) -> Option<String> {
    let path = match reference.find("://") {
        Some(i) => {
            let rest = reference.get(i + 3..)?;
            match rest.find('/') {
                Some(j) => rest.get(j..)?,
                None => "/",
            }
        }
        None => reference,
    };
    store::decode_path(path).ok().map(|(p, _)| p)
}

fn condition_holds(tree: &Tree, path: &str, condition: &IfCondition<'_>) -> bool {
    let holds = match &condition.state {
        IfState::Token(token) => tree
            .locks
            .by_token(token)
            .is_some_and(|lock| lock.covers(path)),
        IfState::ETag(tag) => tree
            .get(path)
            .is_some_and(|node| !tag.weak && node.etag() == format!("\"{}\"", tag.tag)),
    };
    holds != condition.not
}

fn list_holds(tree: &Tree, path: &str, list: &IfList<'_>) -> bool {
    list.conditions
        .iter()
        .all(|c| condition_holds(tree, path, c))
}

/// Evaluates the `If` header of `req` (RFC 4918 §10.4) for `path`: `Err` with 412 when it
/// is false, 400 when it does not parse.
pub fn evaluate_if(tree: &Tree, req: &Req, path: &str) -> Result<Submitted, Resp> {
    let Some(value) = req.headers.get(groupwire_dav::headers::IF) else {
        return Ok(Submitted::default());
    };
    let header = IfHeader::from_header_value(value)
        .map_err(|_| xml::plain(StatusCode::BAD_REQUEST, "malformed If header\n"))?;
    let tokens = header
        .state_tokens()
        .into_iter()
        .map(str::to_string)
        .collect();
    let holds = match &header {
        IfHeader::Untagged(lists) => lists.iter().any(|l| list_holds(tree, path, l)),
        IfHeader::Tagged(tagged) => tagged.iter().all(|t| {
            let resource = reference_path(&t.resource).unwrap_or_default();
            t.lists.iter().any(|l| list_holds(tree, &resource, l))
        }),
    };
    if holds {
        Ok(Submitted { tokens })
    } else {
        Err(xml::plain(
            StatusCode::PRECONDITION_FAILED,
            "the If header evaluated to false\n",
        ))
    }
}

/// Refuses (423 with `lock-token-submitted`) a change to `path` (and, when `deep`, below
/// it) that a lock protects unless its token was submitted.
pub fn require_tokens(
    ctx: &Ctx,
    tree: &Tree,
    path: &str,
    deep: bool,
    submitted: &Submitted,
) -> Result<(), Resp> {
    if ctx.fault(Fault::DavLockIgnored) {
        return Ok(());
    }
    let mut protecting: Vec<&Lock> = tree.locks.covering(path);
    if deep {
        protecting.extend(tree.locks.within(path));
    }
    let missing: Vec<&Lock> = protecting
        .into_iter()
        .filter(|lock| !submitted.tokens.contains(&lock.token))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let roots = missing
        .iter()
        .map(|lock| {
            let collection = tree.get(&lock.root).is_some_and(|n| n.is_collection());
            encode_href(&lock.root, collection)
        })
        .collect();
    Err(xml::error_hrefs(
        StatusCode::LOCKED,
        Name::Dav(Dav::LockTokenSubmitted),
        roots,
    ))
}

/// The `If` check and the lock check for a change to `path` and the membership of its
/// parent (creating or removing `path`).
pub fn check_write(
    ctx: &Ctx,
    tree: &Tree,
    req: &Req,
    path: &str,
    deep: bool,
    binding: bool,
) -> Result<Submitted, Resp> {
    let submitted = evaluate_if(tree, req, path)?;
    require_tokens(ctx, tree, path, deep, &submitted)?;
    if binding && let Some(parent) = store::parent(path) {
        require_tokens(ctx, tree, parent, false, &submitted)?;
    }
    Ok(submitted)
}

fn timeout_of(req: &Req) -> u32 {
    req.headers
        .get(groupwire_dav::headers::TIMEOUT)
        .and_then(|v| Timeout::from_header_value(v).ok())
        .and_then(|t| t.0.first().copied())
        .map_or(MAX_TIMEOUT, |t| match t {
            TimeoutValue::Infinite => MAX_TIMEOUT,
            TimeoutValue::Seconds(n) => n.clamp(1, MAX_TIMEOUT),
        })
}

fn lock_response(status: StatusCode, lock: &Lock, collection: bool) -> Resp {
    let body = DavResponse::Prop(vec![DavProperty::new(
        Dav::LockDiscovery,
        PropValue::LockDiscovery(vec![lock.active(collection)]),
    )]);
    let mut resp = xml::xml_response(status, &body);
    if let Ok(value) = http::HeaderValue::from_str(&format!("<{}>", lock.token)) {
        resp.headers_mut()
            .insert(groupwire_dav::headers::LOCK_TOKEN, value);
    }
    resp
}

/// LOCK: a new lock (with a `lockinfo` body) or a refresh (without one).
pub fn lock(ctx: &Ctx, req: &Req) -> Resp {
    let mut tree = ctx.tree();
    tree.locks.expire();
    let path = req.path.as_str();
    if req.body.is_empty() {
        return refresh(&mut tree, req, path);
    }
    let info: LockInfo<'static> = match xml::decode_body(ctx, &req.body) {
        Ok(DavRequest::LockInfo(info)) => info,
        Ok(_) => return xml::plain(StatusCode::BAD_REQUEST, "expected a DAV:lockinfo body\n"),
        Err(resp) => return resp,
    };
    let infinite = match xml::depth(req) {
        Ok(None | Some(Depth::Infinity)) => true,
        Ok(Some(Depth::Zero)) => false,
        Err(resp) => return resp,
        Ok(Some(Depth::One)) => {
            return xml::plain(
                StatusCode::BAD_REQUEST,
                "LOCK Depth must be 0 or infinity\n",
            );
        }
    };
    let exists = tree.exists(path);
    if !exists {
        match store::parent(path).and_then(|p| tree.get(p)) {
            Some(parent) if parent.is_collection() => {}
            _ => {
                return xml::plain(
                    StatusCode::CONFLICT,
                    "the parent collection does not exist\n",
                );
            }
        }
    }
    let submitted = match evaluate_if(&tree, req, path) {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    if !ctx.fault(Fault::DavLockIgnored) {
        let mut conflicting: Vec<&Lock> = tree.locks.covering(path);
        if infinite {
            conflicting.extend(tree.locks.within(path));
        }
        let conflict: Vec<String> = conflicting
            .into_iter()
            .filter(|l| l.scope == LockScope::Exclusive || info.scope == LockScope::Exclusive)
            .map(|l| {
                let collection = tree.get(&l.root).is_some_and(|n| n.is_collection());
                encode_href(&l.root, collection)
            })
            .collect();
        if !conflict.is_empty() {
            return xml::error_hrefs(
                StatusCode::LOCKED,
                Name::Dav(Dav::NoConflictingLock),
                conflict,
            );
        }
    }
    if !exists {
        if let Err(resp) = check_write(ctx, &tree, req, path, false, true) {
            return resp;
        }
        tree.put(
            path,
            Content::Resource {
                body: Vec::new(),
                content_type: "application/octet-stream".into(),
                uid: None,
            },
        );
    }
    let _ = submitted;
    let timeout = timeout_of(req);
    let token = tree.locks.new_token();
    let lock = Lock {
        token,
        root: path.to_string(),
        infinite,
        scope: info.scope,
        owner: info.owner,
        timeout,
        expires: Instant::now() + Duration::from_secs(u64::from(timeout)),
    };
    let collection = tree.get(path).is_some_and(|n| n.is_collection());
    let status = if exists {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let resp = lock_response(status, &lock, collection);
    tree.locks.locks.push(lock);
    resp
}

fn refresh(tree: &mut Tree, req: &Req, path: &str) -> Resp {
    let submitted = match evaluate_if(tree, req, path) {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let timeout = timeout_of(req);
    let Some(lock) = tree
        .locks
        .locks
        .iter_mut()
        .find(|l| submitted.tokens.contains(&l.token) && l.covers(path))
    else {
        return xml::error(
            StatusCode::PRECONDITION_FAILED,
            Name::Dav(Dav::LockTokenMatchesRequestUri),
        );
    };
    lock.timeout = timeout;
    lock.expires = Instant::now() + Duration::from_secs(u64::from(timeout));
    let lock = lock.clone();
    let collection = tree.get(&lock.root).is_some_and(|n| n.is_collection());
    lock_response(StatusCode::OK, &lock, collection)
}

/// UNLOCK (RFC 4918 §9.11).
pub fn unlock(ctx: &Ctx, req: &Req) -> Resp {
    let mut tree = ctx.tree();
    tree.locks.expire();
    let Some(token) = req
        .headers
        .get(groupwire_dav::headers::LOCK_TOKEN)
        .and_then(|v| LockToken::from_header_value(v).ok())
        .map(|t| t.0.into_owned())
    else {
        return xml::plain(
            StatusCode::BAD_REQUEST,
            "UNLOCK needs a Lock-Token header\n",
        );
    };
    let path = req.path.as_str();
    match tree.locks.by_token(&token) {
        Some(lock) if lock.covers(path) => {
            tree.locks.locks.retain(|l| l.token != token);
            xml::empty(StatusCode::NO_CONTENT)
        }
        _ => xml::error(
            StatusCode::CONFLICT,
            Name::Dav(Dav::LockTokenMatchesRequestUri),
        ),
    }
}

/// The `lockdiscovery` value of `path`.
pub fn discovery(tree: &Tree, path: &str) -> PropValue<'static> {
    PropValue::LockDiscovery(
        tree.locks
            .covering(path)
            .into_iter()
            .map(|l| {
                let collection = tree.get(&l.root).is_some_and(|n| n.is_collection());
                l.active(collection)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_to_store_paths() {
        assert_eq!(
            reference_path("https://127.0.0.1:8443/dav/files/alice/a%20b/"),
            Some("/dav/files/alice/a b".to_string())
        );
        assert_eq!(reference_path("/x/y"), Some("/x/y".to_string()));
        assert_eq!(reference_path("https://host"), Some("/".to_string()));
    }

    #[test]
    fn locks_cover_their_scope() {
        let lock = Lock {
            token: "urn:uuid:1".into(),
            root: "/a".into(),
            infinite: true,
            scope: LockScope::Exclusive,
            owner: None,
            timeout: 10,
            expires: Instant::now() + Duration::from_secs(10),
        };
        assert!(lock.covers("/a") && lock.covers("/a/b/c") && !lock.covers("/ab"));
        let shallow = Lock {
            infinite: false,
            ..lock
        };
        assert!(shallow.covers("/a") && !shallow.covers("/a/b"));
    }

    #[test]
    fn tokens_are_unique() {
        let mut table = LockTable::default();
        let a = table.new_token();
        let b = table.new_token();
        assert_ne!(a, b);
        assert!(a.starts_with("urn:uuid:"));
    }
}
