//! The DAV session the CalDAV and CardDAV checks share: an authenticated [`HttpClient`] to the
//! protocol's endpoint, request bodies built with `groupwire-dav`, responses read through its
//! decoders, principal and home-set discovery (each step owned by one check, so a broken step
//! is reported once), and the scratch collections every check creates under the run prefix.

use std::collections::BTreeSet;

use groupwire_dav::body::{
    CalendarDataRequest, CompFilter, CompSelect, DavProperty, Multistatus, PropStat, PropValue,
    Propfind, RequestedProp, Response, SyncCollection, SyncLevel,
};
use groupwire_dav::xml::{CalDav, CalendarServer, CardDav, Dav, Name};
use groupwire_dav::{DavRequest, Decoded};

use crate::engine::http::{HttpClient, HttpRequest, HttpResponse, decode_path, encode_segment};
use crate::engine::{CheckContext, Finding, Protocol};
use crate::suites::dav::session::{DavReply, expect_condition, href_path};
use crate::target::Endpoint;

/// The check that owns "the context path names the current user's principal".
pub const CALDAV_PRINCIPAL_OWNER: &str = "caldav.principal.current-user-principal";
/// The check that owns "the principal names a calendar home".
pub const CALDAV_HOME_OWNER: &str = "caldav.principal.calendar-home-set";
/// The check that owns "MKCALENDAR creates a calendar".
pub const CALDAV_MKCALENDAR_OWNER: &str = "caldav.mkcalendar.created";
/// The check that owns "a calendar object resource can be stored".
pub const CALDAV_PUT_OWNER: &str = "caldav.put.event";
/// The CardDAV principal owner.
pub const CARDDAV_PRINCIPAL_OWNER: &str = "carddav.principal.current-user-principal";
/// The CardDAV home owner.
pub const CARDDAV_HOME_OWNER: &str = "carddav.principal.addressbook-home-set";
/// The check that owns "extended MKCOL creates an address book".
pub const CARDDAV_MKCOL_OWNER: &str = "carddav.mkcol.created";
/// The check that owns "a vCard 3 can be stored".
pub const CARDDAV_PUT_OWNER: &str = "carddav.put.vcard3";

/// Which home a session looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// CalDAV: `calendar-home-set`, MKCALENDAR.
    Calendar,
    /// CardDAV: `addressbook-home-set`, extended MKCOL.
    Addressbook,
}

impl Kind {
    fn protocol(self) -> Protocol {
        match self {
            Kind::Calendar => Protocol::Caldav,
            Kind::Addressbook => Protocol::Carddav,
        }
    }

    fn principal_owner(self) -> &'static str {
        match self {
            Kind::Calendar => CALDAV_PRINCIPAL_OWNER,
            Kind::Addressbook => CARDDAV_PRINCIPAL_OWNER,
        }
    }

    fn home_owner(self) -> &'static str {
        match self {
            Kind::Calendar => CALDAV_HOME_OWNER,
            Kind::Addressbook => CARDDAV_HOME_OWNER,
        }
    }

    fn home_property(self) -> Name<'static> {
        match self {
            Kind::Calendar => Name::CalDav(CalDav::CalendarHomeSet),
            Kind::Addressbook => Name::CardDav(CardDav::AddressbookHomeSet),
        }
    }

    /// The media type of the objects.
    pub fn media_type(self) -> &'static str {
        match self {
            Kind::Calendar => "text/calendar; charset=utf-8",
            Kind::Addressbook => "text/vcard; charset=utf-8",
        }
    }

    /// The file extension of the objects.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Calendar => "ics",
            Kind::Addressbook => "vcf",
        }
    }
}

/// An authenticated DAV session of one account to the CalDAV or CardDAV endpoint.
#[derive(Debug)]
pub struct Session {
    /// The HTTP client (keep-alive, recording into the check's transcript).
    pub http: HttpClient,
    /// The endpoint (its path is the context path).
    pub endpoint: Endpoint,
    /// Calendars or address books.
    pub kind: Kind,
    cx: CheckContext,
}

impl Session {
    /// A session of account `account` (0 or 1) to the endpoint of `kind`.
    pub fn open(cx: &CheckContext, kind: Kind, account: usize) -> Result<Session, Finding> {
        let endpoint = cx
            .target()
            .endpoint(kind.protocol())
            .cloned()
            .ok_or_else(|| {
                Finding::not_run(format!(
                    "the target has no {} endpoint",
                    kind.protocol().label()
                ))
            })?;
        let account = cx.account(account)?.clone();
        Ok(Session {
            http: HttpClient::for_account(cx, &endpoint, &account),
            endpoint,
            kind,
            cx: cx.clone(),
        })
    }

    /// The check context.
    pub fn cx(&self) -> &CheckContext {
        &self.cx
    }

    fn current(&self) -> Option<&str> {
        self.cx.check().map(|check| check.id)
    }

    /// Sends any request.
    pub async fn send(&mut self, request: HttpRequest) -> Result<HttpResponse, Finding> {
        self.http.send(request).await
    }

    /// PROPFIND `path` at `depth` for the named properties.
    pub async fn propfind(
        &mut self,
        path: &str,
        depth: &str,
        props: &[Name<'static>],
    ) -> Result<HttpResponse, Finding> {
        let body = DavRequest::Propfind(groupwire_dav::body::PropfindRequest {
            selection: Propfind::Prop(props.iter().cloned().map(RequestedProp::Name).collect()),
        });
        self.send(
            HttpRequest::new("PROPFIND", path)
                .header("Depth", depth)
                .xml(body.to_vec()),
        )
        .await
    }

    /// REPORT on `path` with `body` (a `Depth` header only when given).
    pub async fn report(
        &mut self,
        path: &str,
        depth: Option<&str>,
        body: &DavRequest<'_>,
    ) -> Result<HttpResponse, Finding> {
        let mut request = HttpRequest::new("REPORT", path);
        if let Some(depth) = depth {
            request = request.header("Depth", depth);
        }
        self.send(request.xml(body.to_vec())).await
    }

    /// PUT `body` at `path` with the kind's media type and extra headers.
    pub async fn put(
        &mut self,
        path: &str,
        body: &str,
        headers: &[(&str, &str)],
    ) -> Result<HttpResponse, Finding> {
        let mut request = HttpRequest::new("PUT", path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(self.kind.media_type(), body.as_bytes().to_vec()))
            .await
    }

    /// GET `path`.
    pub async fn get(&mut self, path: &str) -> Result<HttpResponse, Finding> {
        self.send(HttpRequest::get(path)).await
    }

    /// DELETE `path`.
    pub async fn delete(&mut self, path: &str) -> Result<HttpResponse, Finding> {
        self.send(HttpRequest::new("DELETE", path)).await
    }

    /// One property of `path` (Depth 0), `None` when the server has no value for it.
    pub async fn property(
        &mut self,
        path: &str,
        name: Name<'static>,
    ) -> Result<Option<PropValue<'static>>, Finding> {
        let response = self
            .propfind(path, "0", std::slice::from_ref(&name))
            .await?;
        let multistatus = multistatus(&response)?;
        Ok(multistatus
            .responses
            .iter()
            .find_map(|r| found(r, &name).cloned()))
    }

    /// The principal of the current user, from `current-user-principal` on the context path.
    pub async fn principal(&mut self) -> Result<String, Finding> {
        let owner = self.kind.principal_owner();
        let current = self.current().map(str::to_owned);
        let path = self.endpoint.path.clone();
        let name = Name::Dav(Dav::CurrentUserPrincipal);
        let response = self
            .propfind(&path, "0", std::slice::from_ref(&name))
            .await?;
        if response.status != 207 {
            return Err(Finding::blocked(
                owner,
                current.as_deref(),
                format!("207 to PROPFIND current-user-principal on {path}"),
                response.summary(),
            ));
        }
        let ms = multistatus(&response)?;
        let value = ms.responses.iter().find_map(|r| found(r, &name).cloned());
        match value {
            Some(PropValue::Principal(groupwire_dav::body::Principal::Href(href)))
            | Some(PropValue::Href(href)) => Ok(path_of(href.as_str())),
            other => Err(Finding::blocked(
                owner,
                current.as_deref(),
                "a DAV:href in DAV:current-user-principal",
                format!("{other:?}"),
            )),
        }
    }

    /// The first home collection of the current user (`calendar-home-set` or
    /// `addressbook-home-set` on the principal), with a trailing slash.
    pub async fn home(&mut self) -> Result<String, Finding> {
        let principal = self.principal().await?;
        let owner = self.kind.home_owner();
        let current = self.current().map(str::to_owned);
        let name = self.kind.home_property();
        let value = self.property(&principal, name.clone()).await?;
        let href = match value {
            Some(PropValue::Hrefs(hrefs)) => hrefs.first().map(|h| h.as_str().to_owned()),
            Some(PropValue::Href(href)) => Some(href.as_str().to_owned()),
            _ => None,
        };
        match href {
            Some(href) => Ok(with_slash(path_of(&href))),
            None => Err(Finding::blocked(
                owner,
                current.as_deref(),
                format!("a DAV:href in {name} on the principal {principal}"),
                "none",
            )),
        }
    }

    /// Creates a scratch calendar (MKCALENDAR, optionally restricted to `components`) or
    /// address book (extended MKCOL) under the home, named after the check and `suffix`,
    /// with `displayname`; returns its path (trailing slash).
    pub async fn scratch(
        &mut self,
        suffix: &str,
        displayname: Option<&str>,
        components: &[&str],
    ) -> Result<String, Finding> {
        let home = self.home().await?;
        let path = format!("{home}{}/", encode_segment(&self.cx.scratch_name(suffix)));
        let response = self.make_collection(&path, displayname, components).await?;
        if response.status != 201 {
            let owner = match self.kind {
                Kind::Calendar => CALDAV_MKCALENDAR_OWNER,
                Kind::Addressbook => CARDDAV_MKCOL_OWNER,
            };
            let what = match self.kind {
                Kind::Calendar => "MKCALENDAR",
                Kind::Addressbook => "extended MKCOL",
            };
            return Err(Finding::blocked(
                owner,
                self.current(),
                format!("201 to {what} {path}"),
                response.summary(),
            ));
        }
        Ok(path)
    }

    /// Sends MKCALENDAR or extended MKCOL for `path` and returns the response as is.
    pub async fn make_collection(
        &mut self,
        path: &str,
        displayname: Option<&str>,
        components: &[&str],
    ) -> Result<HttpResponse, Finding> {
        let mut set = Vec::new();
        if let Some(name) = displayname {
            set.push(DavProperty::new(
                Dav::DisplayName,
                PropValue::Text(name.to_owned().into()),
            ));
        }
        let body = match self.kind {
            Kind::Calendar => {
                if !components.is_empty() {
                    set.push(DavProperty::new(
                        CalDav::SupportedCalendarComponentSet,
                        PropValue::Components(
                            components.iter().map(|c| (*c).to_owned().into()).collect(),
                        ),
                    ));
                }
                DavRequest::Mkcalendar(groupwire_dav::body::MkcolRequest { set })
            }
            Kind::Addressbook => {
                set.insert(
                    0,
                    DavProperty::new(
                        Dav::ResourceType,
                        PropValue::Markers(vec![
                            Name::Dav(Dav::Collection),
                            Name::CardDav(CardDav::Addressbook),
                        ]),
                    ),
                );
                DavRequest::Mkcol(groupwire_dav::body::MkcolRequest { set })
            }
        };
        let method = match self.kind {
            Kind::Calendar => "MKCALENDAR",
            Kind::Addressbook => "MKCOL",
        };
        self.send(HttpRequest::new(method, path).xml(body.to_vec()))
            .await
    }

    /// PUTs `body` as `<collection><name>.<ext>` and requires 201/204 (the PUT owner reports
    /// anything else); returns the object's path.
    pub async fn store(
        &mut self,
        collection: &str,
        name: &str,
        body: &str,
    ) -> Result<String, Finding> {
        let path = format!(
            "{collection}{}.{}",
            encode_segment(name),
            self.kind.extension()
        );
        let response = self.put(&path, body, &[]).await?;
        if !matches!(response.status, 200 | 201 | 204) {
            let owner = match self.kind {
                Kind::Calendar => CALDAV_PUT_OWNER,
                Kind::Addressbook => CARDDAV_PUT_OWNER,
            };
            return Err(Finding::blocked(
                owner,
                self.current(),
                format!("201 to PUT {path}"),
                response.summary(),
            ));
        }
        Ok(path)
    }

    /// The `getetag` of `path` (Depth 0 PROPFIND).
    pub async fn etag(&mut self, path: &str) -> Result<Option<String>, Finding> {
        Ok(match self.property(path, Name::Dav(Dav::GetEtag)).await? {
            Some(PropValue::Text(text)) => Some(text.into_owned()),
            _ => None,
        })
    }

    /// The `getctag` of `path`.
    pub async fn ctag(&mut self, path: &str) -> Result<Option<String>, Finding> {
        Ok(
            match self
                .property(path, Name::CalendarServer(CalendarServer::GetCtag))
                .await?
            {
                Some(PropValue::Text(text)) => Some(text.into_owned()),
                Some(PropValue::Raw(raw)) => Some(format!("{raw:?}")),
                _ => None,
            },
        )
    }

    /// A sync-collection REPORT (sync-level 1, `getetag`) with `token` (empty: initial).
    pub async fn sync(
        &mut self,
        path: &str,
        token: &str,
        depth: Option<&str>,
    ) -> Result<HttpResponse, Finding> {
        let body = DavRequest::SyncCollection(SyncCollection {
            sync_token: token.to_owned().into(),
            sync_level: SyncLevel::One,
            limit: None,
            props: vec![RequestedProp::Name(Name::Dav(Dav::GetEtag))],
        });
        self.report(path, depth, &body).await
    }

    /// A calendar-multiget or addressbook-multiget of `paths` asking for `getetag` and the
    /// object data.
    pub async fn multiget(
        &mut self,
        collection: &str,
        paths: &[String],
    ) -> Result<HttpResponse, Finding> {
        let hrefs = paths
            .iter()
            .map(|p| groupwire_dav::body::Href::new(p.clone()))
            .collect();
        let body = match self.kind {
            Kind::Calendar => DavRequest::CalendarMultiget(groupwire_dav::body::Multiget {
                selection: Some(Propfind::Prop(vec![
                    RequestedProp::Name(Name::Dav(Dav::GetEtag)),
                    RequestedProp::CalendarData(calendar_data()),
                ])),
                hrefs,
            }),
            Kind::Addressbook => DavRequest::AddressbookMultiget(groupwire_dav::body::Multiget {
                selection: Some(Propfind::Prop(vec![
                    RequestedProp::Name(Name::Dav(Dav::GetEtag)),
                    RequestedProp::AddressData(groupwire_dav::body::AddressDataRequest {
                        content_type: None,
                        version: None,
                        props: groupwire_dav::body::Selection::Listed(Vec::new()),
                    }),
                ])),
                hrefs,
            }),
        };
        self.report(collection, Some("0"), &body).await
    }

    /// Deletes every member of the home that this suite's checks created (named with the run
    /// prefix and the protocol: the suite cleanup).
    pub async fn cleanup(&mut self) -> Result<(), Finding> {
        let home = self.home().await?;
        let response = self
            .propfind(&home, "1", &[Name::Dav(Dav::ResourceType)])
            .await?;
        let ms = multistatus(&response)?;
        // Only this suite's collections: CalDAV and CardDAV homes may be one collection
        // (Radicale), and the other suite may still be running.
        let prefix = format!("{}-{}-", self.cx.run_prefix(), self.kind.protocol().name());
        for response in &ms.responses {
            for href in &response.hrefs {
                let path = path_of(href.as_str());
                let last = decode_path(path.trim_end_matches('/'));
                let last = last.rsplit('/').next().unwrap_or("");
                if last.starts_with(&prefix) {
                    let _ = self.delete(&path).await?;
                }
            }
        }
        Ok(())
    }
}

/// `CALDAV:calendar-data` asking for the whole object.
pub fn calendar_data() -> CalendarDataRequest<'static> {
    CalendarDataRequest {
        content_type: None,
        version: None,
        comp: None,
        expand: None,
        limit_recurrence_set: None,
        limit_freebusy_set: None,
    }
}

/// A `comp-filter` on VCALENDAR around `inner`.
pub fn vcalendar(inner: Vec<CompFilter<'static>>) -> CompFilter<'static> {
    comp("VCALENDAR", inner)
}

/// A `comp-filter` named `name` with nested comp-filters.
pub fn comp(name: &str, inner: Vec<CompFilter<'static>>) -> CompFilter<'static> {
    CompFilter {
        name: name.to_owned().into(),
        is_not_defined: false,
        time_range: None,
        prop_filters: Vec::new(),
        comp_filters: inner,
    }
}

/// `comp` selection (`<C:comp name=..><C:allprop/><C:allcomp/></C:comp>`) helper.
pub fn comp_select(name: &str) -> CompSelect<'static> {
    CompSelect {
        name: name.to_owned().into(),
        props: groupwire_dav::body::Selection::All,
        comps: groupwire_dav::body::Selection::All,
    }
}

/// The response decoded as a multistatus (through the shared DAV layer,
/// [`DavReply::multistatus`]): a violation naming the status and body when it is not a 207
/// with a `DAV:multistatus` body.
pub fn multistatus(response: &HttpResponse) -> Result<Multistatus<'static>, Finding> {
    DavReply::new(response.clone()).multistatus().cloned()
}

/// `Ok` when the response is a 403 or 409 whose `DAV:error` body names `condition`
/// ([`expect_condition`] of the shared DAV layer).
pub fn refused_with(response: &HttpResponse, condition: Name<'static>) -> Result<(), Finding> {
    expect_condition(&DavReply::new(response.clone()), &[403, 409], &condition)
}

/// `Ok` when a request was refused with 4xx (any body), for requirements that name no
/// precondition.
pub fn refused(response: &HttpResponse, what: &str) -> Result<(), Finding> {
    if (400..500).contains(&response.status) {
        return Ok(());
    }
    Err(Finding::violation(
        format!("{what} refused with a 4xx status"),
        response.summary(),
    ))
}

/// The value of `name` in a 200 propstat of `response`.
pub fn found<'m>(
    response: &'m Response<'static>,
    name: &Name<'static>,
) -> Option<&'m PropValue<'static>> {
    response
        .propstats
        .iter()
        .filter(|ps| ps.status.code() == Some(200))
        .flat_map(|ps| ps.props.iter())
        .find(|p| &p.name == name)
        .map(|p| &p.value)
}

/// The status a property got in `response` (the code of the propstat naming it).
pub fn prop_status(response: &Response<'static>, name: &Name<'static>) -> Option<u16> {
    response
        .propstats
        .iter()
        .find(|ps: &&PropStat<'static>| ps.props.iter().any(|p| &p.name == name))
        .and_then(|ps| ps.status.code())
}

/// The path of an href (absolute URLs lose scheme and authority), percent-decoding left to
/// comparisons.
pub fn path_of(href: &str) -> String {
    let href = href.trim();
    if let Some((_, rest)) = href.split_once("://") {
        match rest.find('/') {
            Some(at) => rest.get(at..).unwrap_or("/").to_owned(),
            None => "/".to_owned(),
        }
    } else {
        href.to_owned()
    }
}

fn with_slash(path: String) -> String {
    if path.ends_with('/') {
        path
    } else {
        format!("{path}/")
    }
}

/// A path in canonical form for comparison: decoded, without a trailing slash.
pub fn canonical(path: &str) -> String {
    href_path(path).trim_end_matches('/').to_owned()
}

/// The response of a multistatus for `path`.
pub fn response_for<'m>(ms: &'m Multistatus<'static>, path: &str) -> Option<&'m Response<'static>> {
    let wanted = canonical(path);
    ms.responses
        .iter()
        .find(|r| r.hrefs.iter().any(|h| canonical(h.as_str()) == wanted))
}

/// The object names (last path segment without extension, decoded) of every response with a
/// 200 propstat, for comparing query results with the fixtures.
pub fn matched_names(ms: &Multistatus<'static>, collection: &str) -> BTreeSet<String> {
    let base = canonical(collection);
    ms.responses
        .iter()
        .filter(|r| r.propstats.iter().any(|ps| ps.status.code() == Some(200)))
        .flat_map(|r| r.hrefs.iter())
        .map(|h| canonical(h.as_str()))
        .filter(|p| *p != base)
        .map(|p| {
            let last = p.rsplit('/').next().unwrap_or("").to_owned();
            match last.rsplit_once('.') {
                Some((stem, _)) => stem.to_owned(),
                None => last,
            }
        })
        .collect()
}

/// The object data (`calendar-data` or `address-data`) of `response`.
pub fn object_data(response: &Response<'static>) -> Option<String> {
    response
        .propstats
        .iter()
        .filter(|ps| ps.status.code() == Some(200))
        .flat_map(|ps| ps.props.iter())
        .find_map(|p| match (&p.name, &p.value) {
            (Name::CalDav(CalDav::CalendarData), PropValue::Data(d))
            | (Name::CardDav(CardDav::AddressData), PropValue::Data(d)) => {
                Some(d.data.clone().into_owned())
            }
            (Name::CalDav(CalDav::CalendarData), PropValue::Text(t))
            | (Name::CardDav(CardDav::AddressData), PropValue::Text(t)) => {
                Some(t.clone().into_owned())
            }
            _ => None,
        })
}

/// Lenient decoding (the default limits leave room for unfolded lines: a server may return a
/// 100 KB PHOTO on one line; folding is a SHOULD of RFC 6350 and not what these checks
/// judge).
fn object_options() -> groupwire_dav::ical::DecodeOptions {
    groupwire_dav::ical::DecodeOptions::default()
}

/// The calendar (VCALENDAR) in `text`, decoded leniently (servers' own formatting is judged
/// by other checks).
pub fn parse_calendar(text: &str) -> Result<groupwire_dav::ical::Component<'static>, Finding> {
    let options = object_options();
    match groupwire_dav::ical::decode_calendar(text.as_bytes(), &options) {
        Ok(Decoded::Complete { value, .. }) => Ok(value.value.into_owned()),
        Ok(Decoded::Incomplete { .. }) => Err(Finding::violation(
            "a complete iCalendar object",
            crate::engine::show_bytes(text.as_bytes(), 200),
        )),
        Err(error) => Err(Finding::violation(
            "a valid iCalendar object",
            format!(
                "{error:?} in {}",
                crate::engine::show_bytes(text.as_bytes(), 200)
            ),
        )),
    }
}

/// The vCard in `text`, decoded leniently.
pub fn parse_vcard(text: &str) -> Result<groupwire_dav::vcard::VCard<'static>, Finding> {
    let options = object_options();
    match groupwire_dav::vcard::decode_vcard(text.as_bytes(), &options) {
        Ok(Decoded::Complete { value, .. }) => Ok(value.value.into_owned()),
        Ok(Decoded::Incomplete { .. }) => Err(Finding::violation(
            "a complete vCard",
            crate::engine::show_bytes(text.as_bytes(), 200),
        )),
        Err(error) => Err(Finding::violation(
            "a valid vCard",
            format!(
                "{error:?} in {}",
                crate::engine::show_bytes(text.as_bytes(), 200)
            ),
        )),
    }
}
