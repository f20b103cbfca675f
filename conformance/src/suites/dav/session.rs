//! The DAV session layer: see the [module docs](super).
//!
//! Stable API for the DAV suites (WebDAV, CalDAV, CardDAV, discovery):
//!
//! - [`DavSession`]: `open(&cx)` / `open_as(&cx, account)` / `anonymous(&cx)` /
//!   `on_endpoint(&cx, endpoint, account)`; `send(HttpRequest)` for anything, and
//!   `options`, `get`, `head`, `put`, `delete`, `mkcol`, `propfind`, `proppatch`, `report`,
//!   `copy`, `move_to`, `lock`, `unlock`; the `*_request` builders return the
//!   [`HttpRequest`] so a check can add headers (`If`, `If-Match`, `Depth`...) before
//!   sending it with `send`. `current_user_principal`, `href_property` for discovery.
//! - [`DavReply`]: the HTTP response plus its body decoded through `groupwire-dav`
//!   (`multistatus()`, `error_body()`, `has_condition()`, `etag()`, `summary()`).
//! - [`MultistatusExt`] on `Multistatus`: `response_for(path)`, `prop(path, name)`,
//!   `prop_status(path, name)`, `paths()`.
//! - [`expect_condition`]: status + precondition element of the `DAV:error` body.
//! - [`TestCollection`]: a collection named with the run prefix, created under a parent and
//!   removed at the end of the check (the suite's cleanup removes leftovers:
//!   [`cleanup_under`]).
//! - Paths: [`join`], [`href_path`], [`same_path`]; property lists: [`props`],
//!   [`prop_names`]; the probe helper [`dav_classes`].

use std::borrow::Cow;

use groupwire_dav::body::{
    DavProperty, DavRequest, DavResponse, ErrorBody, LockInfo, LockScope, Multistatus, PropStat,
    PropertyUpdate, Propfind, PropfindRequest, RequestedProp, Response,
};
use groupwire_dav::headers::{DavCompliance, Depth, TypedHeader};
use groupwire_dav::xml::{Dav, Name, RawXml};
use groupwire_dav::{Decoded, Limits};

use crate::engine::http::{HttpClient, HttpRequest, HttpResponse, decode_path, encode_segment};
use crate::engine::{CheckContext, CheckResult, Finding};
use crate::target::Endpoint;

/// A response with its DAV body decoded.
#[derive(Debug, Clone)]
pub struct DavReply {
    /// The HTTP response as received.
    pub http: HttpResponse,
    /// The XML body decoded by `groupwire-dav`: `None` when the body is empty or not XML,
    /// `Some(Err(reason))` when it is XML that does not decode.
    pub body: Option<Result<DavResponse<'static>, String>>,
}

impl DavReply {
    /// Decodes the body of `http` when it looks like XML (an XML media type, or a body
    /// starting with `<`).
    pub fn new(http: HttpResponse) -> DavReply {
        let xml_type = http
            .header("content-type")
            .is_some_and(|t| t.to_ascii_lowercase().contains("xml"));
        let looks_xml = http
            .body
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|&b| b == b'<');
        let body = if http.body.is_empty() || !(xml_type || looks_xml) {
            None
        } else {
            Some(match DavResponse::decode(&http.body, &Limits::default()) {
                Ok(Decoded::Complete { value, .. }) => Ok(value.into_owned()),
                Ok(Decoded::Incomplete { .. }) => Err("the XML body ends early".to_owned()),
                Err(error) => Err(error.to_string()),
            })
        };
        DavReply { http, body }
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.http.status
    }

    /// The first header field with this name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.http.header(name)
    }

    /// The `ETag` header.
    pub fn etag(&self) -> Option<&str> {
        self.http.header("etag")
    }

    /// Status and the start of the body, for a finding.
    pub fn summary(&self) -> String {
        self.http.summary()
    }

    /// The decoded body, if it decoded.
    pub fn decoded(&self) -> Option<&DavResponse<'static>> {
        self.body.as_ref().and_then(|body| body.as_ref().ok())
    }

    /// The multistatus body of a 207: a violation when the status is not 207 or the body is
    /// not a well-formed `DAV:multistatus` (RFC 4918 §13).
    pub fn multistatus(&self) -> Result<&Multistatus<'static>, Finding> {
        if self.status() != 207 {
            return Err(Finding::violation("207 Multi-Status", self.summary()));
        }
        match &self.body {
            Some(Ok(DavResponse::Multistatus(ms))) => Ok(ms),
            Some(Ok(other)) => Err(Finding::violation(
                "a DAV:multistatus body",
                format!("a DAV:{} body", other.kind()),
            )),
            Some(Err(reason)) => Err(Finding::violation(
                "a well-formed DAV:multistatus body",
                format!("a body that does not decode: {reason}"),
            )),
            None => Err(Finding::violation(
                "a DAV:multistatus body",
                "no XML body".to_owned(),
            )),
        }
    }

    /// The `DAV:error` body, if the response has one.
    pub fn error_body(&self) -> Option<&ErrorBody<'static>> {
        match self.decoded() {
            Some(DavResponse::Error(error)) => Some(error),
            _ => None,
        }
    }

    /// The condition element names of the `DAV:error` body (empty without one).
    pub fn conditions(&self) -> Vec<Name<'static>> {
        self.error_body()
            .map(|error| error.conditions.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default()
    }

    /// Whether the `DAV:error` body names `condition`.
    pub fn has_condition(&self, condition: &Name<'_>) -> bool {
        self.error_body()
            .is_some_and(|error| error.conditions.iter().any(|c| &c.name == condition))
    }

    /// The properties of a `DAV:prop` body (the LOCK response).
    pub fn prop_body(&self) -> Option<&[DavProperty<'static>]> {
        match self.decoded() {
            Some(DavResponse::Prop(props)) => Some(props),
            _ => None,
        }
    }
}

/// Checks that `reply` has status `status` and a `DAV:error` body naming `condition`
/// (RFC 4918 §16): a violation naming what came instead.
pub fn expect_condition(reply: &DavReply, status: &[u16], condition: &Name<'_>) -> CheckResult {
    let wanted = format!(
        "{} with a DAV:error body containing <{} xmlns=\"{}\"/>",
        status
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(" or "),
        condition.local_name(),
        condition.namespace()
    );
    if !status.contains(&reply.status()) {
        return Err(Finding::violation(wanted, reply.summary()));
    }
    if reply.has_condition(condition) {
        return Ok(());
    }
    let actual = match &reply.body {
        None => format!("{} without an XML error body", reply.status()),
        Some(Err(reason)) => format!(
            "{} with an error body that does not decode: {reason}",
            reply.status()
        ),
        Some(Ok(DavResponse::Error(error))) => format!(
            "{} with DAV:error containing [{}]",
            reply.status(),
            error
                .conditions
                .iter()
                .map(|c| c.name.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Some(Ok(other)) => format!("{} with a DAV:{} body", reply.status(), other.kind()),
    };
    Err(Finding::violation(wanted, actual))
}

/// A property's status in a multistatus and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropOutcome<'m> {
    /// The propstat status code (0 when the status line does not parse).
    pub status: u16,
    /// The property.
    pub property: &'m DavProperty<'static>,
    /// The propstat it came in.
    pub propstat: &'m PropStat<'static>,
}

/// Navigation in a decoded multistatus.
pub trait MultistatusExt {
    /// The response whose href names `path` (compared with [`same_path`]).
    fn response_for(&self, path: &str) -> Option<&Response<'static>>;
    /// Property `name` of the resource at `path`, with its propstat status.
    fn prop(&self, path: &str, name: &Name<'_>) -> Option<PropOutcome<'_>>;
    /// The propstat status of property `name` at `path`.
    fn prop_status(&self, path: &str, name: &Name<'_>) -> Option<u16>;
    /// The paths of every response (decoded hrefs, see [`href_path`]).
    fn paths(&self) -> Vec<String>;
}

impl MultistatusExt for Multistatus<'static> {
    fn response_for(&self, path: &str) -> Option<&Response<'static>> {
        self.responses
            .iter()
            .find(|r| r.hrefs.iter().any(|h| same_path(h.as_str(), path)))
    }

    fn prop(&self, path: &str, name: &Name<'_>) -> Option<PropOutcome<'_>> {
        let response = self.response_for(path)?;
        response.propstats.iter().find_map(|propstat| {
            propstat
                .props
                .iter()
                .find(|p| &p.name == name)
                .map(|property| PropOutcome {
                    status: propstat.status.code().unwrap_or(0),
                    property,
                    propstat,
                })
        })
    }

    fn prop_status(&self, path: &str, name: &Name<'_>) -> Option<u16> {
        self.prop(path, name).map(|p| p.status)
    }

    fn paths(&self) -> Vec<String> {
        self.responses
            .iter()
            .flat_map(|r| r.hrefs.iter().map(|h| href_path(h.as_str())))
            .collect()
    }
}

/// The decoded path of an href: scheme and authority dropped, `%XX` decoded
/// (`https://h/a%20b/` gives `/a b/`).
pub fn href_path(href: &str) -> String {
    let href = href.trim();
    let path = match href.find("://") {
        Some(scheme_end) => {
            let rest = href.get(scheme_end + 3..).unwrap_or_default();
            rest.find('/')
                .and_then(|slash| rest.get(slash..))
                .unwrap_or("/")
        }
        None => href,
    };
    decode_path(path)
}

/// Whether two hrefs or paths name the same resource: decoded paths equal, ignoring one
/// trailing slash.
pub fn same_path(a: &str, b: &str) -> bool {
    let a = href_path(a);
    let b = href_path(b);
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// `parent` (a collection path) joined with one percent-encoded segment; a trailing `/` in
/// `name` is kept (`join("/dav/", "a b/")` is `/dav/a%20b/`).
pub fn join(parent: &str, name: &str) -> String {
    let (name, slash) = match name.strip_suffix('/') {
        Some(stripped) => (stripped, "/"),
        None => (name, ""),
    };
    let separator = if parent.ends_with('/') { "" } else { "/" };
    format!("{parent}{separator}{}{slash}", encode_segment(name))
}

/// A `DAV:prop` selection of these property names.
pub fn props(names: &[Name<'static>]) -> Propfind<'static> {
    Propfind::Prop(names.iter().cloned().map(RequestedProp::Name).collect())
}

/// The property names listed under `path` in a multistatus (any propstat status).
pub fn prop_names(ms: &Multistatus<'static>, path: &str) -> Vec<Name<'static>> {
    ms.response_for(path)
        .map(|r| {
            r.propstats
                .iter()
                .flat_map(|ps| ps.props.iter().map(|p| p.name.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// An authenticated DAV client on one endpoint, recording into the check's transcript.
#[derive(Debug)]
pub struct DavSession {
    client: HttpClient,
    base: String,
}

impl DavSession {
    /// A session on the check's endpoint as account 0.
    pub fn open(cx: &CheckContext) -> Result<DavSession, Finding> {
        DavSession::open_as(cx, 0)
    }

    /// A session on the check's endpoint as account `index`.
    pub fn open_as(cx: &CheckContext, index: usize) -> Result<DavSession, Finding> {
        let endpoint = cx.endpoint()?.clone();
        DavSession::on_endpoint(cx, &endpoint, Some(index))
    }

    /// A session on the check's endpoint without credentials.
    pub fn anonymous(cx: &CheckContext) -> Result<DavSession, Finding> {
        let endpoint = cx.endpoint()?.clone();
        DavSession::on_endpoint(cx, &endpoint, None)
    }

    /// A session on any endpoint, as account `index` (or anonymous).
    pub fn on_endpoint(
        cx: &CheckContext,
        endpoint: &Endpoint,
        account: Option<usize>,
    ) -> Result<DavSession, Finding> {
        let client = match account {
            Some(index) => HttpClient::for_account(cx, endpoint, cx.account(index)?),
            None => HttpClient::new(cx, endpoint),
        };
        let mut base = endpoint.path.clone();
        if !base.ends_with('/') {
            base.push('/');
        }
        Ok(DavSession { client, base })
    }

    /// The endpoint's path, ending in `/` (the collection the target URL names).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The check context.
    pub fn cx(&self) -> &CheckContext {
        self.client.context()
    }

    /// The HTTP client underneath.
    pub fn client(&mut self) -> &mut HttpClient {
        &mut self.client
    }

    /// The absolute URL of `path` on this endpoint (for `Destination` and `If` tags).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.client.origin())
    }

    /// Sends any request and decodes the reply.
    pub async fn send(&mut self, request: HttpRequest) -> Result<DavReply, Finding> {
        self.client.send(request).await.map(DavReply::new)
    }

    /// OPTIONS.
    pub async fn options(&mut self, path: &str) -> Result<DavReply, Finding> {
        self.send(HttpRequest::new("OPTIONS", path)).await
    }

    /// GET.
    pub async fn get(&mut self, path: &str) -> Result<DavReply, Finding> {
        self.send(HttpRequest::get(path)).await
    }

    /// HEAD.
    pub async fn head(&mut self, path: &str) -> Result<DavReply, Finding> {
        self.send(HttpRequest::new("HEAD", path)).await
    }

    /// A PUT request (send it with [`DavSession::send`] after adding conditions).
    pub fn put_request(path: &str, content_type: &str, body: impl Into<Vec<u8>>) -> HttpRequest {
        HttpRequest::new("PUT", path).body(content_type, body)
    }

    /// PUT.
    pub async fn put(
        &mut self,
        path: &str,
        content_type: &str,
        body: impl Into<Vec<u8>>,
    ) -> Result<DavReply, Finding> {
        self.send(DavSession::put_request(path, content_type, body))
            .await
    }

    /// DELETE.
    pub async fn delete(&mut self, path: &str) -> Result<DavReply, Finding> {
        self.send(HttpRequest::new("DELETE", path)).await
    }

    /// MKCOL without a body.
    pub async fn mkcol(&mut self, path: &str) -> Result<DavReply, Finding> {
        self.send(HttpRequest::new("MKCOL", path)).await
    }

    /// A PROPFIND request with `Depth` and a `DAV:propfind` body.
    pub fn propfind_request(path: &str, depth: Depth, selection: &Propfind<'_>) -> HttpRequest {
        let body = DavRequest::Propfind(PropfindRequest {
            selection: selection.clone(),
        })
        .to_vec();
        HttpRequest::new("PROPFIND", path)
            .header("Depth", depth.as_str())
            .xml(body)
    }

    /// PROPFIND.
    pub async fn propfind(
        &mut self,
        path: &str,
        depth: Depth,
        selection: &Propfind<'_>,
    ) -> Result<DavReply, Finding> {
        self.send(DavSession::propfind_request(path, depth, selection))
            .await
    }

    /// A PROPPATCH request.
    pub fn proppatch_request(path: &str, update: &PropertyUpdate<'_>) -> HttpRequest {
        let body = DavRequest::PropertyUpdate(update.clone()).to_vec();
        HttpRequest::new("PROPPATCH", path).xml(body)
    }

    /// PROPPATCH.
    pub async fn proppatch(
        &mut self,
        path: &str,
        update: &PropertyUpdate<'_>,
    ) -> Result<DavReply, Finding> {
        self.send(DavSession::proppatch_request(path, update)).await
    }

    /// A REPORT request (`Depth` only when given).
    pub fn report_request(path: &str, depth: Option<Depth>, body: &DavRequest<'_>) -> HttpRequest {
        let mut request = HttpRequest::new("REPORT", path);
        if let Some(depth) = depth {
            request = request.header("Depth", depth.as_str());
        }
        request.xml(body.to_vec())
    }

    /// REPORT.
    pub async fn report(
        &mut self,
        path: &str,
        depth: Option<Depth>,
        body: &DavRequest<'_>,
    ) -> Result<DavReply, Finding> {
        self.send(DavSession::report_request(path, depth, body))
            .await
    }

    /// A COPY or MOVE request to the absolute URL of `destination` (a path on this
    /// endpoint), with `Overwrite` and `Depth` when given.
    pub fn transfer_request(
        &self,
        method: &str,
        from: &str,
        destination: &str,
        overwrite: Option<bool>,
        depth: Option<Depth>,
    ) -> HttpRequest {
        let mut request =
            HttpRequest::new(method, from).header("Destination", self.url(destination));
        if let Some(overwrite) = overwrite {
            request = request.header("Overwrite", if overwrite { "T" } else { "F" });
        }
        if let Some(depth) = depth {
            request = request.header("Depth", depth.as_str());
        }
        request
    }

    /// COPY.
    pub async fn copy(
        &mut self,
        from: &str,
        destination: &str,
        overwrite: Option<bool>,
        depth: Option<Depth>,
    ) -> Result<DavReply, Finding> {
        let request = self.transfer_request("COPY", from, destination, overwrite, depth);
        self.send(request).await
    }

    /// MOVE.
    pub async fn move_to(
        &mut self,
        from: &str,
        destination: &str,
        overwrite: Option<bool>,
    ) -> Result<DavReply, Finding> {
        let request = self.transfer_request("MOVE", from, destination, overwrite, None);
        self.send(request).await
    }

    /// A LOCK request creating a write lock of `scope` (`Depth` when given, `Timeout:
    /// Second-600`), with a `DAV:owner` naming the harness.
    pub fn lock_request(path: &str, scope: LockScope, depth: Option<Depth>) -> HttpRequest {
        let body = DavRequest::LockInfo(LockInfo {
            scope,
            kind: Name::Dav(Dav::Write),
            owner: Some(RawXml::new(Cow::Borrowed("groupwire"))),
        })
        .to_vec();
        let mut request = HttpRequest::new("LOCK", path).header("Timeout", "Second-600");
        if let Some(depth) = depth {
            request = request.header("Depth", depth.as_str());
        }
        request.xml(body)
    }

    /// LOCK; on success also returns the lock token (the `Lock-Token` header without its
    /// angle brackets).
    pub async fn lock(
        &mut self,
        path: &str,
        scope: LockScope,
        depth: Option<Depth>,
    ) -> Result<(DavReply, Option<String>), Finding> {
        let reply = self
            .send(DavSession::lock_request(path, scope, depth))
            .await?;
        let token = reply.header("lock-token").map(|t| {
            t.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned()
        });
        Ok((reply, token))
    }

    /// UNLOCK with `token` (without angle brackets).
    pub async fn unlock(&mut self, path: &str, token: &str) -> Result<DavReply, Finding> {
        self.send(HttpRequest::new("UNLOCK", path).header("Lock-Token", format!("<{token}>")))
            .await
    }

    /// The `DAV:current-user-principal` href (RFC 5397) of `path` (the base when `None`), or
    /// `None` when the server has none or does not answer with a multistatus.
    pub async fn current_user_principal(
        &mut self,
        path: Option<&str>,
    ) -> Result<Option<String>, Finding> {
        let path = path.map_or_else(|| self.base.clone(), str::to_owned);
        let name = Name::Dav(Dav::CurrentUserPrincipal);
        let hrefs = self.href_property(&path, &name).await?;
        Ok(hrefs.into_iter().next())
    }

    /// The hrefs of property `name` of `path` (PROPFIND Depth 0): `DAV:href` children of any
    /// href-valued property (`calendar-home-set`, `principal-URL`, `current-user-principal`),
    /// as decoded paths. Empty when the property is missing or the answer is no multistatus.
    pub async fn href_property(
        &mut self,
        path: &str,
        name: &Name<'static>,
    ) -> Result<Vec<String>, Finding> {
        let reply = self
            .propfind(path, Depth::Zero, &props(std::slice::from_ref(name)))
            .await?;
        let Ok(ms) = reply.multistatus() else {
            return Ok(Vec::new());
        };
        let Some(found) = ms.responses.iter().find_map(|r| {
            r.propstats
                .iter()
                .filter(|ps| ps.status.code() == Some(200))
                .flat_map(|ps| ps.props.iter())
                .find(|p| &p.name == name)
        }) else {
            return Ok(Vec::new());
        };
        use groupwire_dav::body::{Principal, PropValue};
        Ok(match &found.value {
            PropValue::Href(href) => vec![href_path(href.as_str())],
            PropValue::Hrefs(hrefs) => hrefs.iter().map(|h| href_path(h.as_str())).collect(),
            PropValue::Principal(Principal::Href(href)) => vec![href_path(href.as_str())],
            _ => Vec::new(),
        })
    }

    /// Closes the connection.
    pub async fn close(self) {
        self.client.close().await;
    }
}

/// What a [`TestCollection`] is, and so what its members may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CollectionKind {
    /// A plain WebDAV collection (plain MKCOL): members hold any bytes.
    #[default]
    Plain,
    /// A CardDAV address book (extended MKCOL, RFC 5689), made where plain MKCOL is refused
    /// (Radicale): members hold vCards.
    Addressbook,
}

/// A collection a check creates for itself, named `<run prefix>-<check id>-<suffix>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestCollection {
    /// Its path, ending in `/`.
    pub path: String,
    /// Plain, or an address book where the server stores only contacts and calendars.
    pub kind: CollectionKind,
}

impl TestCollection {
    /// MKCOLs a fresh collection under the session's base. When the server refuses, the
    /// check is blocked by `owner` (the check that judges MKCOL itself); see
    /// [`TestCollection::create_in`].
    pub async fn create(
        dav: &mut DavSession,
        owner: &'static str,
        suffix: &str,
    ) -> Result<TestCollection, Finding> {
        let parent = dav.base().to_owned();
        TestCollection::create_in(dav, &parent, owner, suffix).await
    }

    /// MKCOLs a fresh collection under `parent`; anything but 201 is
    /// [`Finding::blocked`] by `owner`.
    pub async fn create_in(
        dav: &mut DavSession,
        parent: &str,
        owner: &'static str,
        suffix: &str,
    ) -> Result<TestCollection, Finding> {
        let name = dav.cx().scratch_name(suffix);
        let path = join(parent, &format!("{name}/"));
        let reply = dav.mkcol(&path).await?;
        if reply.status() != 201 {
            let current = dav.cx().check().map(|check| check.id);
            return Err(Finding::blocked(
                owner,
                current,
                format!("MKCOL {path} to answer 201 Created"),
                reply.summary(),
            ));
        }
        Ok(TestCollection {
            path,
            kind: CollectionKind::Plain,
        })
    }

    /// Like [`TestCollection::create`], but where the server refuses a plain collection
    /// (403, 405, 409), makes an address book with extended MKCOL (RFC 5689) instead, noted in
    /// the transcript: servers that store only contacts and calendars (Radicale) still get
    /// their WebDAV methods checked, on vCard members ([`TestCollection::content`]).
    pub async fn create_flexible(
        dav: &mut DavSession,
        owner: &'static str,
        suffix: &str,
    ) -> Result<TestCollection, Finding> {
        let parent = dav.base().to_owned();
        let name = dav.cx().scratch_name(suffix);
        let path = join(&parent, &format!("{name}/"));
        let reply = dav.mkcol(&path).await?;
        if reply.status() == 201 {
            return Ok(TestCollection {
                path,
                kind: CollectionKind::Plain,
            });
        }
        if matches!(reply.status(), 403 | 405 | 409) {
            dav.cx().note(format!(
                "plain MKCOL refused ({}): trying an address book (extended MKCOL)",
                reply.status()
            ));
            let body = br#"<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" xmlns:R="urn:ietf:params:xml:ns:carddav"><D:set><D:prop><D:resourcetype><D:collection/><R:addressbook/></D:resourcetype></D:prop></D:set></D:mkcol>"#;
            let extended = dav
                .send(HttpRequest::new("MKCOL", &path).xml(body.to_vec()))
                .await?;
            if extended.status() == 201 {
                return Ok(TestCollection {
                    path,
                    kind: CollectionKind::Addressbook,
                });
            }
        }
        let current = dav.cx().check().map(|check| check.id);
        Err(Finding::blocked(
            owner,
            current,
            format!("MKCOL {path} to answer 201 Created"),
            reply.summary(),
        ))
    }

    /// The media type and bytes a member at `path` holds for the text `text`: the text itself
    /// (`text/plain`) in a plain collection, in an address book a vCard 3.0 whose `FN` is the
    /// text and whose `UID` is made from the member's name (stable across versions).
    pub fn content(&self, path: &str, text: &str) -> (&'static str, Vec<u8>) {
        match self.kind {
            CollectionKind::Plain => ("text/plain", text.as_bytes().to_vec()),
            CollectionKind::Addressbook => {
                let name = href_path(path);
                let name = name.trim_end_matches('/').rsplit('/').next().unwrap_or("x");
                let uid: String = name.bytes().map(|b| format!("{b:02x}")).collect();
                let mut fn_value = String::new();
                for ch in text.trim_end().chars() {
                    match ch {
                        '\\' => fn_value.push_str("\\\\"),
                        ',' => fn_value.push_str("\\,"),
                        ';' => fn_value.push_str("\\;"),
                        '\n' => fn_value.push_str("\\n"),
                        '\r' => {}
                        c => fn_value.push(c),
                    }
                }
                let card = format!(
                    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:gw-{uid}\r\nFN:{fn_value}\r\nN:{fn_value};;;;\r\nEND:VCARD\r\n"
                );
                ("text/vcard", card.into_bytes())
            }
        }
    }

    /// The bytes of [`TestCollection::content`].
    pub fn body(&self, path: &str, text: &str) -> Vec<u8> {
        self.content(path, text).1
    }

    /// A PUT of [`TestCollection::content`] to `path`.
    pub fn put_request(&self, path: &str, text: &str) -> HttpRequest {
        let (content_type, body) = self.content(path, text);
        DavSession::put_request(path, content_type, body)
    }

    /// The path of a member (one percent-encoded segment; end `name` with `/` for a
    /// collection).
    pub fn child(&self, name: &str) -> String {
        join(&self.path, name)
    }

    /// DELETEs the collection (errors are noted, not reported: cleanup runs again after the
    /// suite).
    pub async fn remove(self, dav: &mut DavSession) {
        match dav.delete(&self.path).await {
            Ok(reply) if reply.http.is_success() => {}
            Ok(reply) => dav.cx().note(format!(
                "cleanup: DELETE {} answered {}",
                self.path,
                reply.status()
            )),
            Err(finding) => dav
                .cx()
                .note(format!("cleanup: DELETE {} failed: {finding}", self.path)),
        }
    }
}

/// Deletes every member of `parent` whose name starts with the run prefix (a suite's
/// cleanup). Members are found with PROPFIND Depth 1.
pub async fn cleanup_under(dav: &mut DavSession, parent: &str) -> CheckResult {
    let prefix = dav.cx().run_prefix().to_owned();
    let reply = dav
        .propfind(parent, Depth::One, &props(&[Name::Dav(Dav::ResourceType)]))
        .await?;
    let Ok(ms) = reply.multistatus() else {
        return Err(Finding::harness(format!(
            "cleanup: PROPFIND {parent} answered {}",
            reply.summary()
        )));
    };
    let mut leftovers: Vec<String> = Vec::new();
    for response in &ms.responses {
        for href in &response.hrefs {
            let path = href_path(href.as_str());
            let name = path
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default();
            if name.starts_with(&prefix) && !same_path(&path, parent) {
                leftovers.push(href.as_str().to_owned());
            }
        }
    }
    for href in leftovers {
        // Delete by the href as the server spelled it (already percent-encoded), path only.
        let path = match href.find("://") {
            Some(index) => {
                let rest = href.get(index + 3..).unwrap_or_default();
                rest.find('/')
                    .and_then(|slash| rest.get(slash..))
                    .unwrap_or("/")
                    .to_owned()
            }
            None => href.clone(),
        };
        let reply = dav.delete(&path).await?;
        if !reply.http.is_success() {
            dav.cx().note(format!(
                "cleanup: DELETE {path} answered {}",
                reply.status()
            ));
        }
    }
    Ok(())
}

/// The compliance classes of the `DAV` header of an OPTIONS on the session's base, for a
/// suite's probe (`["1", "2", "3", "calendar-access", ...]`). A response without a `DAV`
/// header gives an empty list.
pub async fn dav_classes(dav: &mut DavSession) -> Result<Vec<String>, Finding> {
    let base = dav.base().to_owned();
    let reply = dav.options(&base).await?;
    let mut classes = Vec::new();
    for value in reply.http.header_values("dav") {
        match DavCompliance::parse(value.as_bytes()) {
            Ok(parsed) => classes.extend(parsed.0.into_iter().map(Cow::into_owned)),
            Err(_) => classes.extend(value.split(',').map(|c| c.trim().to_owned())),
        }
    }
    Ok(classes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_compare_decoded_and_without_trailing_slash() {
        assert!(same_path("https://h:8443/dav/a%20b/", "/dav/a b"));
        assert!(same_path("/dav/%C3%BC", "/dav/ü/"));
        assert!(!same_path("/dav/a", "/dav/b"));
        assert_eq!(join("/dav/", "a b/"), "/dav/a%20b/");
        assert_eq!(join("/dav", "ü"), "/dav/%C3%BC");
    }

    #[test]
    fn error_bodies_are_decoded_and_conditions_found() {
        let reply = DavReply::new(HttpResponse {
            status: 403,
            headers: vec![("content-type".into(), "application/xml".into())],
            body: br#"<?xml version="1.0"?><D:error xmlns:D="DAV:"><D:propfind-finite-depth/></D:error>"#.to_vec(),
        });
        assert!(reply.has_condition(&Name::Dav(Dav::PropfindFiniteDepth)));
        assert!(expect_condition(&reply, &[403], &Name::Dav(Dav::PropfindFiniteDepth)).is_ok());
        assert!(expect_condition(&reply, &[409], &Name::Dav(Dav::PropfindFiniteDepth)).is_err());
        assert!(expect_condition(&reply, &[403], &Name::Dav(Dav::LockTokenSubmitted)).is_err());
    }

    #[test]
    fn multistatus_properties_are_found_by_path() {
        let reply = DavReply::new(HttpResponse {
            status: 207,
            headers: vec![("content-type".into(), "text/xml".into())],
            body: br#"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/dav/a%20b</D:href>
<D:propstat><D:prop><D:getetag>"x"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
<D:propstat><D:prop><Z:foo xmlns:Z="urn:z"/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>
</D:response></D:multistatus>"#
                .to_vec(),
        });
        let ms = reply.multistatus().unwrap();
        assert_eq!(
            ms.prop_status("/dav/a b", &Name::Dav(Dav::GetEtag)),
            Some(200)
        );
        assert_eq!(
            ms.prop_status("/dav/a b", &Name::new("urn:z", "foo")),
            Some(404)
        );
        assert_eq!(ms.paths(), ["/dav/a b"]);
    }
}
