//! The embedded reference DAV server: WebDAV class 1 and 2 (RFC 4918), CalDAV (RFC 4791,
//! 6578, 5397), CardDAV (RFC 6352) and the well-known redirects (RFC 6764), over HTTPS on
//! hyper, with the reference deployment's accounts and an in-memory [`store`].
//!
//! Every XML body, header, iCalendar object and vCard goes through `groupwire-dav`; the
//! server never parses protocol text by hand.
//!
//! ## URL layout (user = the local part of the account's address)
//!
//! | what | path |
//! | --- | --- |
//! | context path (well-known target) | `/dav/` |
//! | principal | `/dav/principals/<user>/` |
//! | calendar home | `/dav/calendars/<user>/` |
//! | default calendar (VEVENT, VTODO, VJOURNAL) | `/dav/calendars/<user>/default/` |
//! | address book home | `/dav/addressbooks/<user>/` |
//! | default address book | `/dav/addressbooks/<user>/default/` |
//! | WebDAV files | `/dav/files/<user>/` |
//!
//! A user reads and writes below its own homes only; other users' homes answer 403, their
//! principals are readable.
//!
//! ## Adding a fault hook
//!
//! 1. Add a variant to the "DAV reference server" block of
//!    [`faults`](crate::faults) (`DavSomething => "dav-something", "What the
//!    server does wrong.";`).
//! 2. Where the behaviour lives (one module per concept: [`webdav`] for the methods,
//!    [`locks`], [`caldav`], [`carddav`], [`sync`], [`principals`], [`props`] for property
//!    values), branch on `ctx.fault(Fault::DavSomething)` and deviate, e.g.
//!    `if ctx.fault(Fault::DavNoEtag) { resp.headers_mut().remove(ETAG); }`.
//! 3. Name the fault in the check's `broken_by`; `groupwire selftest` then proves the check
//!    catches it.

pub mod caldav;
pub mod caldav_faults;
pub mod carddav;
pub mod locks;
pub mod principals;
pub mod props;
pub mod scheduling;
pub mod store;
pub mod sync;
#[cfg(test)]
mod tests;
pub mod webdav;
pub mod webdav_faults;
pub mod xml;

use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};

use base64::Engine as _;
use bytes::Bytes;
use groupwire_dav::Limits;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use self::store::Tree;
use self::xml::Resp;
use super::TestAccount;
use super::faults::{Fault, Faults};
use super::store::Store;

/// Largest request body accepted, in octets (also the XML/iCalendar/vCard size limit).
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// The DAV service shared by every connection.
#[derive(Debug)]
pub struct DavService {
    /// Accounts and passwords (the mail store's).
    pub accounts: Arc<Store>,
    /// The DAV tree.
    pub tree: Mutex<Tree>,
    /// Active faults.
    pub faults: Faults,
    /// Decoder limits for bodies.
    pub limits: Limits,
}

impl DavService {
    /// A service with the homes of `accounts` provisioned.
    pub fn new(accounts: Arc<Store>, users: &[TestAccount], faults: Faults) -> DavService {
        let mut tree = Tree::new();
        for account in users {
            principals::provision(&mut tree, principals::user_of(&account.address));
        }
        let mut limits = Limits::default();
        limits.max_body_size = MAX_BODY;
        limits.max_nesting_depth = 32;
        limits.max_list_length = 10_000;
        // A vCard PHOTO or an iCalendar ATTACH is one logical line (RFC 6352 clients store
        // 100 KB photos inline).
        limits.max_line_length = MAX_BODY;
        DavService {
            accounts,
            tree: Mutex::new(tree),
            faults,
            limits,
        }
    }
}

/// One request's context: the service and who is asking.
#[derive(Debug)]
pub struct Ctx<'s> {
    /// The service.
    pub service: &'s DavService,
    /// The user (local part of the address).
    pub user: String,
    /// The account's address.
    pub address: String,
    /// The decoder limits.
    pub limits: Limits,
}

impl Ctx<'_> {
    /// Whether `fault` is active.
    pub fn fault(&self, fault: Fault) -> bool {
        self.service.faults.has(fault)
    }

    /// The tree, locked for this request.
    pub fn tree(&self) -> MutexGuard<'_, Tree> {
        self.service
            .tree
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A request with its body read and its path decoded.
#[derive(Debug)]
pub struct Req {
    /// The method.
    pub method: Method,
    /// The decoded path, without trailing slash.
    pub path: String,
    /// Whether the request path ended in a slash.
    pub trailing_slash: bool,
    /// The headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

/// The `DAV` header value: compliance classes (RFC 4918 §10.1, RFC 4791 §5.1, RFC 6352
/// §6.1, RFC 5689 §3.1, RFC 6638 §2).
pub const DAV_COMPLIANCE: &str =
    "1, 2, 3, access-control, calendar-access, calendar-auto-schedule, addressbook, extended-mkcol";

/// The methods OPTIONS lists in `Allow`.
pub const ALLOW: &str = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, MKCALENDAR, COPY, MOVE, LOCK, UNLOCK, REPORT";

/// Most connections served at once; more are closed as they arrive.
pub const MAX_CONNECTIONS: usize = 256;

/// How long a client may take to send a request's header block.
pub const HEADER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Serves HTTPS on `listener` until the task is aborted.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    service: Arc<DavService>,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    let mut connections = JoinSet::new();
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        while connections.try_join_next().is_some() {}
        if connections.len() >= MAX_CONNECTIONS {
            drop(socket);
            continue;
        }
        let _ = socket.set_nodelay(true);
        let acceptor = acceptor.clone();
        let service = Arc::clone(&service);
        connections.spawn(async move {
            let Ok(Ok(stream)) =
                tokio::time::timeout(HEADER_TIMEOUT, acceptor.accept(socket)).await
            else {
                return;
            };
            let handler = hyper::service::service_fn(move |request| {
                let service = Arc::clone(&service);
                async move { Ok::<_, Infallible>(handle(&service, request).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .max_buf_size(64 * 1024)
                .serve_connection(TokioIo::new(stream), handler)
                .await;
        });
    }
}

/// Answers one request.
pub async fn handle(
    service: &DavService,
    request: http::Request<Incoming>,
) -> http::Response<http_body_util::Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return *xml::plain(StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n");
    }
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return *xml::plain(StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n");
        }
    };
    let mut resp = respond(service, parts.method, parts.uri, parts.headers, body);
    resp.headers_mut().insert(
        header::SERVER,
        HeaderValue::from_static("groupwire-reference"),
    );
    *resp
}

/// Answers a request whose body has been read (the synchronous core, also used by tests).
pub fn respond(
    service: &DavService,
    method: Method,
    uri: http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Resp {
    let raw_path = uri.path();
    if let Some(resp) = principals::well_known(service, raw_path, &headers) {
        return resp;
    }
    let (path, trailing_slash) = match store::decode_path(raw_path) {
        Ok(decoded) => decoded,
        Err(store::BadPath) => return xml::plain(StatusCode::BAD_REQUEST, "malformed path\n"),
    };
    let Some((user, address)) = authenticate(service, &headers) else {
        if let Some(resp) = caldav_faults::anonymous(service, &method, raw_path) {
            return resp;
        }
        let mut resp = xml::plain(StatusCode::UNAUTHORIZED, "authentication required\n");
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"groupwire reference\", charset=\"UTF-8\""),
        );
        return resp;
    };
    let ctx = Ctx {
        service,
        user,
        address,
        limits: service.limits,
    };
    let mut req = Req {
        method,
        path,
        trailing_slash,
        headers,
        body,
    };
    // Fault hooks of the WebDAV checks and of the CalDAV/CardDAV checks (no-ops without
    // faults).
    if let Some(resp) = webdav_faults::before(&ctx, &mut req) {
        return resp;
    }
    let req = match caldav_faults::before(&ctx, &req) {
        Err(resp) => return resp,
        Ok(Some(rewritten)) => rewritten,
        Ok(None) => req,
    };
    let resp = dispatch(&ctx, &req);
    let resp = webdav_faults::after(&ctx, &req, resp);
    caldav_faults::after(&ctx, &req, resp)
}

fn authenticate(service: &DavService, headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (login, password) = decoded.split_once(':')?;
    let address = if login.contains('@') {
        login.to_string()
    } else {
        format!("{login}@{}", super::DOMAIN)
    };
    if !service.accounts.authenticate(&address, password) {
        return None;
    }
    Some((principals::user_of(&address).to_string(), address))
}

fn dispatch(ctx: &Ctx, req: &Req) -> Resp {
    let access = principals::access(ctx, &req.path);
    let read_only = matches!(
        req.method.as_str(),
        "OPTIONS" | "GET" | "HEAD" | "PROPFIND" | "REPORT"
    );
    match access {
        principals::Access::Denied => {
            return xml::error(
                StatusCode::FORBIDDEN,
                groupwire_dav::Name::Dav(groupwire_dav::xml::Dav::NeedPrivileges),
            );
        }
        principals::Access::Read if !read_only => {
            return xml::error(
                StatusCode::FORBIDDEN,
                groupwire_dav::Name::Dav(groupwire_dav::xml::Dav::NeedPrivileges),
            );
        }
        _ => {}
    }
    match req.method.as_str() {
        "OPTIONS" => options(ctx),
        "GET" => webdav::get(ctx, req, false),
        "HEAD" => webdav::get(ctx, req, true),
        "PUT" => webdav::put(ctx, req),
        "DELETE" => webdav::delete(ctx, req),
        "MKCOL" => webdav::mkcol(ctx, req),
        "MKCALENDAR" => caldav::mkcalendar(ctx, req),
        "PROPFIND" => webdav::propfind(ctx, req),
        "PROPPATCH" => webdav::proppatch(ctx, req),
        "COPY" => webdav::copy_move(ctx, req, false),
        "MOVE" => webdav::copy_move(ctx, req, true),
        "LOCK" => locks::lock(ctx, req),
        "UNLOCK" => locks::unlock(ctx, req),
        "REPORT" => report(ctx, req),
        _ => {
            let mut resp = xml::plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
            resp.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(ALLOW));
            resp
        }
    }
}

fn options(ctx: &Ctx) -> Resp {
    let mut resp = xml::empty(StatusCode::OK);
    let dav = if ctx.fault(Fault::DavNoClass2) {
        "1, 3, access-control, calendar-access, calendar-auto-schedule, addressbook, extended-mkcol"
    } else {
        DAV_COMPLIANCE
    };
    let headers = resp.headers_mut();
    headers.insert(groupwire_dav::headers::DAV, HeaderValue::from_static(dav));
    headers.insert(header::ALLOW, HeaderValue::from_static(ALLOW));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    resp
}

fn report(ctx: &Ctx, req: &Req) -> Resp {
    let body = match xml::decode_body(ctx, &req.body) {
        Ok(body) => body,
        Err(resp) => return resp,
    };
    match body {
        groupwire_dav::DavRequest::CalendarQuery(query) => caldav::calendar_query(ctx, req, &query),
        groupwire_dav::DavRequest::CalendarMultiget(multiget) => {
            caldav::calendar_multiget(ctx, req, &multiget)
        }
        groupwire_dav::DavRequest::FreeBusyQuery(query) => caldav::free_busy(ctx, req, &query),
        groupwire_dav::DavRequest::AddressbookQuery(query) => {
            carddav::addressbook_query(ctx, req, &query)
        }
        groupwire_dav::DavRequest::AddressbookMultiget(multiget) => {
            carddav::addressbook_multiget(ctx, req, &multiget)
        }
        groupwire_dav::DavRequest::SyncCollection(sync) => sync::sync_collection(ctx, req, &sync),
        _ => xml::error(
            StatusCode::FORBIDDEN,
            groupwire_dav::Name::Dav(groupwire_dav::xml::Dav::SupportedReport),
        ),
    }
}
