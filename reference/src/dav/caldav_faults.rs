//! The fault hooks of the CalDAV, CardDAV and DAV-discovery checks (the "CalDAV/CardDAV
//! checks" block of [`faults`](crate::faults)), kept in one place around the
//! server's dispatch: [`before`] may answer a request itself or rewrite it (its body decoded
//! and re-encoded through groupwire-dav: a query with the negation dropped, a calendar object
//! with its EXDATEs removed...), [`after`] may rewrite the answer (a property moved to a 404
//! propstat, a precondition body dropped...). With no such fault active both are no-ops.

use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use groupwire_dav::body::{
    CardFilter, CompFilter, DataType, DavProperty, FilterTest, Multistatus, PropStat, PropValue,
    Propfind, RequestedProp, Status,
};
use groupwire_dav::ical::{self, Component};
use groupwire_dav::xml::{CalDav, CalendarServer, CardDav, Dav};
use groupwire_dav::{DavRequest, DavResponse, Decoded, Limits, Name};
use http::{HeaderValue, Method, StatusCode, header};
use http_body_util::Full;
use hyper::body::Body;

use super::xml::{self, Resp};
use super::{Ctx, DavService, Req, caldav, principals, webdav};
use crate::faults::Fault;

fn is_under(path: &str, root: &str) -> bool {
    path == root || path.starts_with(&format!("{root}/"))
}

fn object_path(req: &Req) -> bool {
    is_under(&req.path, principals::CALENDARS) || is_under(&req.path, principals::ADDRESSBOOKS)
}

fn with_body(req: &Req, body: Vec<u8>) -> Req {
    Req {
        method: req.method.clone(),
        path: req.path.clone(),
        trailing_slash: req.trailing_slash,
        headers: req.headers.clone(),
        body: Bytes::from(body),
    }
}

fn decode_request(req: &Req) -> Option<DavRequest<'static>> {
    match DavRequest::decode(&req.body, &Limits::default()) {
        Ok(Decoded::Complete { value, .. }) => Some(value.into_owned()),
        _ => None,
    }
}

/// Answers a request itself (`Err`), rewrites it (`Ok(Some)`) or leaves it (`Ok(None)`).
pub fn before(ctx: &Ctx, req: &Req) -> Result<Option<Req>, Resp> {
    if ctx.service.faults.iter().next().is_none() {
        return Ok(None);
    }
    match req.method.as_str() {
        "MKCALENDAR" => mkcalendar(ctx, req),
        "MKCOL" if is_under(&req.path, principals::ADDRESSBOOKS) => mkcol(ctx, req),
        "PUT" if object_path(req) => put(ctx, req),
        "REPORT" => Ok(report(ctx, req)),
        "PROPFIND" if ctx.fault(Fault::DavPropfindManyPropsHttp400) => {
            let many = matches!(
                decode_request(req),
                Some(DavRequest::Propfind(p)) if matches!(&p.selection, Propfind::Prop(props) if props.len() > 5)
            );
            if many {
                return Err(xml::plain(StatusCode::BAD_REQUEST, "too many properties\n"));
            }
            Ok(None)
        }
        _ => Ok(None),
    }
}

fn without_displayname(req: &Req) -> Option<Req> {
    let body = match decode_request(req)? {
        DavRequest::Mkcalendar(mut b) => {
            b.set.retain(|p| p.name != Name::Dav(Dav::DisplayName));
            DavRequest::Mkcalendar(b)
        }
        DavRequest::Mkcol(mut b) => {
            b.set.retain(|p| p.name != Name::Dav(Dav::DisplayName));
            DavRequest::Mkcol(b)
        }
        _ => return None,
    };
    Some(with_body(req, body.to_vec()))
}

fn mkcalendar(ctx: &Ctx, req: &Req) -> Result<Option<Req>, Resp> {
    if ctx.fault(Fault::CaldavMkcalendarRefused) {
        return Err(xml::plain(StatusCode::FORBIDDEN, "no calendars here\n"));
    }
    if ctx.fault(Fault::CaldavMkcalendarOverwrites) && ctx.tree().exists(&req.path) {
        let delete = Req {
            method: Method::DELETE,
            ..with_body(req, Vec::new())
        };
        let _ = webdav::delete(ctx, &delete);
    }
    if ctx.fault(Fault::CaldavMkcalendarIgnoresProperties) {
        return Ok(without_displayname(req));
    }
    Ok(None)
}

fn mkcol(ctx: &Ctx, req: &Req) -> Result<Option<Req>, Resp> {
    if ctx.fault(Fault::CarddavMkcolRefused) && !req.body.is_empty() {
        return Err(xml::plain(StatusCode::FORBIDDEN, "no address books here\n"));
    }
    if ctx.fault(Fault::CarddavMkcolIgnoresProperties) {
        return Ok(without_displayname(req));
    }
    Ok(None)
}

fn lenient(limits: &Limits) -> ical::DecodeOptions {
    ical::DecodeOptions {
        limits: *limits,
        ..ical::DecodeOptions::lenient()
    }
}

fn mangle(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii() { c } else { '?' })
        .collect()
}

fn put(ctx: &Ctx, req: &Req) -> Result<Option<Req>, Resp> {
    if ctx.fault(Fault::DavPutLost) {
        return Err(xml::empty(StatusCode::CREATED));
    }
    if is_under(&req.path, principals::ADDRESSBOOKS) {
        return put_card(ctx, req);
    }
    let Some(mut calendar) =
        caldav::parse_calendar(&req.body, &ctx.limits).map(Component::into_owned)
    else {
        return Ok(None);
    };
    let items = || {
        calendar
            .components
            .iter()
            .filter(|c| c.kind() != ical::ComponentKind::Timezone)
    };
    if ctx.fault(Fault::CaldavTodoRefused) && items().any(|c| c.kind() == ical::ComponentKind::Todo)
    {
        return Err(xml::plain(StatusCode::FORBIDDEN, "no tasks here\n"));
    }
    let uids: std::collections::BTreeSet<String> = items()
        .filter_map(|c| c.uid().map(|u| u.into_owned()))
        .collect();
    if ctx.fault(Fault::CaldavMultiUidAccepted) && uids.len() > 1 {
        return Err(xml::empty(StatusCode::CREATED));
    }
    let mut changed = false;
    if ctx.fault(Fault::CaldavQueryIgnoresOverrides) || ctx.fault(Fault::CaldavQueryNoRecurrence) {
        calendar
            .components
            .retain(|c| c.property("RECURRENCE-ID").is_none());
        changed = true;
    }
    for component in &mut calendar.components {
        let props = &mut component.properties;
        if ctx.fault(Fault::CaldavQueryIgnoresExdate) || ctx.fault(Fault::CaldavQueryNoRecurrence) {
            props.retain(|p| !p.is("EXDATE"));
            changed = true;
        }
        if ctx.fault(Fault::CaldavQueryNoRecurrence) {
            props.retain(|p| !p.is("RRULE") && !p.is("RDATE"));
        }
        if ctx.fault(Fault::CaldavQueryTzidAsUtc) {
            for p in props.iter_mut() {
                if (p.is("DTSTART") || p.is("DTEND")) && p.param("TZID").is_some() {
                    p.params
                        .retain(|param| !param.name.eq_ignore_ascii_case("TZID"));
                    p.value = format!("{}Z", p.value).into();
                    changed = true;
                }
            }
        }
        if ctx.fault(Fault::CaldavQueryAllDayInstant)
            && props
                .iter()
                .any(|p| p.is("DTSTART") && p.param_value("VALUE") == Some("DATE"))
        {
            props.retain(|p| !p.is("DTEND"));
            for p in props.iter_mut().filter(|p| p.is("DTSTART")) {
                p.params.clear();
                p.value = format!("{}T000000Z", p.value).into();
            }
            changed = true;
        }
        if ctx.fault(Fault::DavUidMangled) {
            for p in props.iter_mut().filter(|p| p.is("UID")) {
                p.value = mangle(&p.value).into();
                changed = true;
            }
        }
    }
    Ok(changed.then(|| with_body(req, calendar.to_bytes())))
}

fn put_card(ctx: &Ctx, req: &Req) -> Result<Option<Req>, Resp> {
    let mut card = match ical::decode_component(&req.body, &lenient(&ctx.limits)) {
        Ok(Decoded::Complete { value, .. }) => value.value.into_owned(),
        _ => return Ok(None),
    };
    if ctx.fault(Fault::CarddavVcard4Refused)
        && card
            .property("VERSION")
            .is_some_and(|v| v.value.trim() == "4.0")
    {
        return Err(xml::plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "vCard 3.0 only\n",
        ));
    }
    let mut changed = false;
    for p in &mut card.properties {
        if ctx.fault(Fault::CarddavPhotoTruncated) && p.is("PHOTO") && p.value.len() > 65_536 {
            p.value = p.value.get(..65_536).unwrap_or_default().to_owned().into();
            changed = true;
        }
        if ctx.fault(Fault::DavUidMangled) && p.is("UID") {
            p.value = mangle(&p.value).into();
            changed = true;
        }
    }
    Ok(changed.then(|| with_body(req, card.to_bytes())))
}

fn each_comp_filter(
    filter: &mut CompFilter<'static>,
    f: &mut impl FnMut(&mut CompFilter<'static>),
) {
    f(filter);
    for inner in &mut filter.comp_filters {
        each_comp_filter(inner, f);
    }
}

fn calendar_query_faults(ctx: &Ctx, query: &mut groupwire_dav::body::CalendarQuery<'static>) {
    if ctx.fault(Fault::CaldavQueryIgnoresTimezone) {
        query.timezone = None;
    }
    if ctx.fault(Fault::CaldavQueryIgnoresComponent) {
        query.filter.comp_filters.clear();
    }
    each_comp_filter(&mut query.filter, &mut |cf| {
        if ctx.fault(Fault::CaldavQueryIgnoresIsNotDefined) {
            cf.prop_filters.retain(|pf| !pf.is_not_defined);
        }
        for pf in &mut cf.prop_filters {
            if let Some(tm) = pf.text_match.as_mut() {
                if ctx.fault(Fault::CaldavQueryIgnoresNegate) {
                    tm.negate = false;
                }
                if ctx.fault(Fault::DavQueryAnyCollation) {
                    tm.collation = None;
                }
            }
        }
    });
    if let Some(Propfind::Prop(props)) = query.selection.as_mut() {
        for prop in props {
            if let RequestedProp::CalendarData(data) = prop {
                if ctx.fault(Fault::CaldavCalendarDataUnfiltered) {
                    data.comp = None;
                }
                if ctx.fault(Fault::CaldavLimitRecurrenceSetIgnored) {
                    data.limit_recurrence_set = None;
                }
            }
        }
    }
}

fn card_filter_faults(ctx: &Ctx, filter: &mut CardFilter<'static>) {
    let anyof = matches!(filter.test, None | Some(FilterTest::AnyOf));
    if ctx.fault(Fault::CarddavQueryAnyofAsAllof) && anyof {
        filter.test = Some(FilterTest::AllOf);
    } else if ctx.fault(Fault::CarddavQueryAllofAsAnyof) && !anyof {
        filter.test = Some(FilterTest::AnyOf);
    }
    if ctx.fault(Fault::CarddavQueryIgnoresIsNotDefined) {
        filter.prop_filters.retain(|pf| !pf.is_not_defined);
    }
    for pf in &mut filter.prop_filters {
        if ctx.fault(Fault::CarddavQueryIgnoresParamFilter) {
            pf.param_filters.clear();
        }
        for tm in &mut pf.text_matches {
            if ctx.fault(Fault::CarddavQueryIgnoresNegate) {
                tm.negate = false;
            }
            if ctx.fault(Fault::CarddavQueryMatchTypeIgnored) {
                tm.match_type = None;
            }
            if ctx.fault(Fault::DavQueryAnyCollation) {
                tm.collation = None;
            }
        }
    }
}

fn report(ctx: &Ctx, req: &Req) -> Option<Req> {
    let body = match decode_request(req)? {
        DavRequest::CalendarQuery(mut query) => {
            calendar_query_faults(ctx, &mut query);
            DavRequest::CalendarQuery(query)
        }
        DavRequest::AddressbookQuery(mut query) => {
            card_filter_faults(ctx, &mut query.filter);
            DavRequest::AddressbookQuery(query)
        }
        DavRequest::CalendarMultiget(mut multiget) if ctx.fault(Fault::DavMultigetTruncated) => {
            multiget.hrefs.truncate(50);
            DavRequest::CalendarMultiget(multiget)
        }
        DavRequest::AddressbookMultiget(mut multiget) if ctx.fault(Fault::DavMultigetTruncated) => {
            multiget.hrefs.truncate(50);
            DavRequest::AddressbookMultiget(multiget)
        }
        _ => return None,
    };
    Some(with_body(req, body.to_vec()))
}

/// The bytes of a response body (a `Full` body is ready at once).
fn body_bytes(resp: &mut Resp) -> Bytes {
    let mut cx = Context::from_waker(Waker::noop());
    let body: &mut Full<Bytes> = resp.body_mut();
    match Pin::new(body).poll_frame(&mut cx) {
        Poll::Ready(Some(Ok(frame))) => frame.into_data().unwrap_or_default(),
        _ => Bytes::new(),
    }
}

fn replace_body(resp: http::Response<Full<Bytes>>, body: Vec<u8>) -> Resp {
    let (mut parts, _) = resp.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    Box::new(http::Response::from_parts(
        parts,
        Full::new(Bytes::from(body)),
    ))
}

/// Rewrites the server's answer to `req` as the active faults say.
pub fn after(ctx: &Ctx, req: &Req, mut resp: Resp) -> Resp {
    if ctx.service.faults.iter().next().is_none() {
        return resp;
    }
    if req.method == Method::OPTIONS {
        options(ctx, &mut resp);
        return resp;
    }
    if let Some(etag) = resp.headers().get(header::ETAG).cloned() {
        let text = etag.to_str().unwrap_or_default().to_owned();
        let value = if ctx.fault(Fault::DavEtagStatic) {
            Some("\"static\"".to_owned())
        } else if ctx.fault(Fault::DavWeakEtag) && !text.starts_with("W/") {
            Some(format!("W/{text}"))
        } else {
            None
        };
        if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            resp.headers_mut().insert(header::ETAG, value);
        }
    }
    let status = resp.status();
    let bytes = body_bytes(&mut resp);
    let decoded = match DavResponse::decode(&bytes, &Limits::default()) {
        Ok(Decoded::Complete { value, .. }) => Some(value.into_owned()),
        _ => None,
    };
    match decoded {
        Some(DavResponse::Error(_))
            if ctx.fault(Fault::DavErrorBodyMissing)
                && matches!(status, StatusCode::FORBIDDEN | StatusCode::CONFLICT) =>
        {
            let mut bare = replace_body(*resp, Vec::new());
            bare.headers_mut().remove(header::CONTENT_TYPE);
            bare
        }
        Some(DavResponse::Multistatus(mut ms)) if status == StatusCode::MULTI_STATUS => {
            let changed = match req.method.as_str() {
                "PROPFIND" => propfind(ctx, &mut ms),
                "REPORT" => report_answer(ctx, req, &mut ms),
                _ => false,
            };
            if changed {
                replace_body(*resp, DavResponse::Multistatus(ms).to_vec())
            } else {
                replace_body(*resp, bytes.to_vec())
            }
        }
        _ if ctx.fault(Fault::CaldavFreeBusyEmpty)
            && req.method.as_str() == "REPORT"
            && status == StatusCode::OK =>
        {
            match caldav::parse_calendar(&bytes, &ctx.limits).map(Component::into_owned) {
                Some(mut calendar) => {
                    for c in &mut calendar.components {
                        c.properties.retain(|p| !p.is("FREEBUSY"));
                    }
                    replace_body(*resp, calendar.to_bytes())
                }
                None => replace_body(*resp, bytes.to_vec()),
            }
        }
        _ => replace_body(*resp, bytes.to_vec()),
    }
}

fn options(ctx: &Ctx, resp: &mut Resp) {
    let mut drop = Vec::new();
    if ctx.fault(Fault::CaldavNoCalendarAccess) {
        drop.push("calendar-access");
    }
    if ctx.fault(Fault::CarddavNoAddressbookClass) {
        drop.push("addressbook");
    }
    if drop.is_empty() {
        return;
    }
    let dav = groupwire_dav::headers::DAV;
    let current = resp
        .headers()
        .get(&dav)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let kept: Vec<&str> = current
        .split(',')
        .map(str::trim)
        .filter(|c| !drop.contains(c))
        .collect();
    if let Ok(value) = HeaderValue::from_str(&kept.join(", ")) {
        resp.headers_mut().insert(dav, value);
    }
}

/// Moves the properties `gone` says to a 404 propstat and rewrites the values `rewrite`
/// returns; whether anything changed.
fn propfind(ctx: &Ctx, ms: &mut Multistatus<'static>) -> bool {
    let gone = |name: &Name<'_>| match name {
        Name::Dav(Dav::CurrentUserPrincipal) => ctx.fault(Fault::DavNoCurrentUserPrincipal),
        Name::CalDav(CalDav::CalendarHomeSet) => ctx.fault(Fault::CaldavNoCalendarHomeSet),
        Name::CardDav(CardDav::AddressbookHomeSet) => ctx.fault(Fault::CarddavNoAddressbookHomeSet),
        _ => false,
    };
    let mut changed = false;
    for response in &mut ms.responses {
        let mut missing = Vec::new();
        for propstat in &mut response.propstats {
            if propstat.status.code() != Some(200) {
                continue;
            }
            let (out, kept): (Vec<_>, Vec<_>) =
                propstat.props.drain(..).partition(|p| gone(&p.name));
            propstat.props = kept;
            missing.extend(out.into_iter().map(|p| DavProperty::empty(p.name)));
            for prop in &mut propstat.props {
                changed |= rewrite(ctx, prop);
            }
        }
        if !missing.is_empty() {
            changed = true;
            response.propstats.retain(|ps| !ps.props.is_empty());
            response.propstats.push(PropStat {
                props: missing,
                status: Status::from_code(404),
                error: None,
                description: None,
            });
        }
    }
    changed
}

fn rewrite(ctx: &Ctx, prop: &mut DavProperty<'static>) -> bool {
    match (&prop.name, &mut prop.value) {
        (Name::Dav(Dav::SupportedReportSet), PropValue::Reports(reports)) => {
            let before = reports.len();
            if ctx.fault(Fault::CaldavNoSupportedReportSet) {
                reports.retain(|r| !matches!(r, Name::CalDav(_)));
            }
            if ctx.fault(Fault::CarddavNoSupportedReportSet) {
                reports.retain(|r| !matches!(r, Name::CardDav(_)));
            }
            reports.len() != before
        }
        (Name::Dav(Dav::ResourceType), PropValue::Markers(markers)) => {
            let before = markers.len();
            if ctx.fault(Fault::CaldavMkcalendarPlainCollection) {
                markers.retain(|m| *m != Name::CalDav(CalDav::Calendar));
            }
            if ctx.fault(Fault::CarddavMkcolPlainCollection) {
                markers.retain(|m| *m != Name::CardDav(CardDav::Addressbook));
            }
            markers.len() != before
        }
        (Name::Dav(Dav::CurrentUserPrivilegeSet), value)
            if ctx.fault(Fault::DavPrivilegeSetWrong) =>
        {
            *value = PropValue::Privileges(vec![Name::Dav(Dav::Read)]);
            true
        }
        (Name::Dav(Dav::SyncToken), value) if ctx.fault(Fault::DavSyncTokenPropertyStale) => {
            *value = PropValue::Text("http://groupwire.test/sync/stale".into());
            true
        }
        (Name::CalendarServer(CalendarServer::GetCtag), value)
            if ctx.fault(Fault::DavCtagStatic) =>
        {
            *value = PropValue::Text("static".into());
            true
        }
        (Name::Dav(Dav::GetEtag), value) if ctx.fault(Fault::DavEtagStatic) => {
            *value = PropValue::Text("\"static\"".into());
            true
        }
        (Name::Dav(Dav::DisplayName), PropValue::Text(text))
            if ctx.fault(Fault::DavUtf8Mangled) && !text.is_ascii() =>
        {
            *text = mangle(text).into();
            true
        }
        (Name::CardDav(CardDav::SupportedAddressData), value)
            if ctx.fault(Fault::CarddavSupportedAddressDataWrong) =>
        {
            *value = PropValue::DataTypes(vec![DataType {
                content_type: Some("text/x-vcard".into()),
                version: Some("2.1".into()),
            }]);
            true
        }
        _ => false,
    }
}

fn report_answer(ctx: &Ctx, req: &Req, ms: &mut Multistatus<'static>) -> bool {
    match decode_request(req) {
        Some(DavRequest::CalendarMultiget(_) | DavRequest::AddressbookMultiget(_)) => {
            let mut changed = false;
            if ctx.fault(Fault::DavMultigetDropsMissing) {
                let before = ms.responses.len();
                ms.responses
                    .retain(|r| r.status.as_ref().and_then(Status::code) != Some(404));
                changed |= ms.responses.len() != before;
            }
            if ctx.fault(Fault::DavMultigetNoData) {
                for ps in ms.responses.iter_mut().flat_map(|r| r.propstats.iter_mut()) {
                    ps.props.retain(|p| {
                        !matches!(
                            p.name,
                            Name::CalDav(CalDav::CalendarData)
                                | Name::CardDav(CardDav::AddressData)
                        )
                    });
                }
                changed = true;
            }
            changed
        }
        Some(DavRequest::SyncCollection(sync)) => {
            let mut changed = false;
            if ctx.fault(Fault::DavSyncNoToken) {
                ms.sync_token = None;
                changed = true;
            }
            if ctx.fault(Fault::DavSyncInitialEmpty) && sync.sync_token.is_empty() {
                ms.responses.clear();
                changed = true;
            }
            if ctx.fault(Fault::DavSyncMissesChanges) && !sync.sync_token.is_empty() {
                ms.responses.retain(|r| r.propstats.is_empty());
                changed = true;
            }
            changed
        }
        _ => false,
    }
}

/// An anonymous request the faults answer instead of the 401 challenge.
pub fn anonymous(service: &DavService, method: &Method, path: &str) -> Option<Resp> {
    if !service.faults.has(Fault::DavAnonymousPrincipal) || method.as_str() != "PROPFIND" {
        return None;
    }
    let response = xml::props_response(
        path.to_owned(),
        vec![(
            200,
            vec![DavProperty::new(
                Dav::CurrentUserPrincipal,
                PropValue::Principal(groupwire_dav::body::Principal::Unauthenticated),
            )],
        )],
    );
    Some(xml::multistatus(Multistatus {
        responses: vec![response],
        description: None,
        sync_token: None,
    }))
}

/// The well-known answer the faults give instead of the redirect (`None`: no such fault).
pub fn well_known(service: &DavService) -> Option<Resp> {
    if service.faults.has(Fault::DavWellKnownServed) {
        return Some(xml::multistatus(Multistatus {
            responses: vec![xml::status_response("/.well-known/caldav".to_owned(), 200)],
            description: None,
            sync_token: None,
        }));
    }
    None
}

/// Where the well-known redirect points under the faults (`None`: the context path).
pub fn well_known_target(service: &DavService) -> Option<&'static str> {
    service
        .faults
        .has(Fault::DavWellKnownWrongTarget)
        .then_some("/nowhere/")
}
