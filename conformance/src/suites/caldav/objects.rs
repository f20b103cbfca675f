//! Principal discovery, calendar collections and calendar object resources: OPTIONS,
//! current-user-principal and calendar-home-set, MKCALENDAR, PUT with its preconditions,
//! ETags, calendar-multiget.

use groupwire_dav::body::PropValue;
use groupwire_dav::xml::{CalDav, Dav, Name};

use super::data;
use super::fixture::{
    self, Kind, Session, found, multistatus, object_data, refused, refused_with, response_for,
};
use crate::engine::http::HttpRequest;
use crate::engine::{CheckContext, CheckResult, Finding, ensure};

fn session(cx: &CheckContext) -> Result<Session, Finding> {
    Session::open(cx, Kind::Calendar, 0)
}

/// A fresh calendar of the check, optionally restricted to `components`.
pub async fn calendar(
    cx: &CheckContext,
    components: &[&str],
) -> Result<(Session, String), Finding> {
    let mut dav = session(cx)?;
    let path = dav
        .scratch("cal", Some("groupwire scratch"), components)
        .await?;
    Ok((dav, path))
}

/// The UID prefix of this check (unique per run and check).
pub fn uid(cx: &CheckContext, suffix: &str) -> String {
    cx.scratch_name(suffix)
}

/// RFC 4791 §5.1: OPTIONS lists `calendar-access` in the DAV header.
pub async fn options_calendar_access(cx: CheckContext) -> CheckResult {
    let mut dav = session(&cx)?;
    let home = dav.home().await?;
    let response = dav.send(HttpRequest::new("OPTIONS", home.clone())).await?;
    let classes = response.header_list("dav");
    ensure(
        classes
            .iter()
            .any(|c| c.eq_ignore_ascii_case("calendar-access")),
        format!("calendar-access in the DAV header of OPTIONS {home}"),
        || format!("DAV: {}", classes.join(", ")),
    )
}

/// RFC 5397 §3: current-user-principal names the user's principal.
pub async fn current_user_principal(cx: CheckContext) -> CheckResult {
    let mut dav = session(&cx)?;
    let principal = dav.principal().await?;
    let response = dav
        .propfind(&principal, "0", &[Name::Dav(Dav::ResourceType)])
        .await?;
    let ms = multistatus(&response)?;
    let principal_type = ms
        .responses
        .iter()
        .find_map(|r| found(r, &Name::Dav(Dav::ResourceType)));
    ensure(
        matches!(principal_type, Some(PropValue::Markers(m)) if m.contains(&Name::Dav(Dav::Principal))),
        format!("{principal} to be a principal (DAV:principal in its resourcetype)"),
        || format!("resourcetype {principal_type:?}"),
    )
}

/// RFC 4791 §6.2.1: the principal names a calendar home that answers PROPFIND.
pub async fn calendar_home_set(cx: CheckContext) -> CheckResult {
    let mut dav = session(&cx)?;
    let home = dav.home().await?;
    let response = dav
        .propfind(&home, "0", &[Name::Dav(Dav::ResourceType)])
        .await?;
    multistatus(&response).map(|_| ())
}

/// RFC 4791 §6.2.1 with §4.2: a Depth 1 PROPFIND of the home lists the calendars in it.
pub async fn home_lists_calendars(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = calendar(&cx, &[]).await?;
    let home = dav.home().await?;
    let response = dav
        .propfind(&home, "1", &[Name::Dav(Dav::ResourceType)])
        .await?;
    let ms = multistatus(&response)?;
    let listed = response_for(&ms, &path)
        .and_then(|r| found(r, &Name::Dav(Dav::ResourceType)))
        .is_some_and(
            |v| matches!(v, PropValue::Markers(m) if m.contains(&Name::CalDav(CalDav::Calendar))),
        );
    ensure(
        listed,
        format!("{path} listed with CALDAV:calendar in its resourcetype"),
        || format!("{} responses without it", ms.responses.len()),
    )
}

/// RFC 4791 §5.3.1: MKCALENDAR creates a calendar collection (201).
pub async fn mkcalendar_created(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = calendar(&cx, &[]).await?;
    let response = dav
        .propfind(&path, "0", &[Name::Dav(Dav::ResourceType)])
        .await?;
    multistatus(&response).map(|_| ())
}

/// RFC 4791 §5.3.1: the new collection's resourcetype has collection and calendar.
pub async fn mkcalendar_resourcetype(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = calendar(&cx, &[]).await?;
    let value = dav.property(&path, Name::Dav(Dav::ResourceType)).await?;
    ensure(
        matches!(&value, Some(PropValue::Markers(m))
            if m.contains(&Name::Dav(Dav::Collection)) && m.contains(&Name::CalDav(CalDav::Calendar))),
        "DAV:resourcetype with DAV:collection and CALDAV:calendar",
        || format!("{value:?}"),
    )
}

/// RFC 4791 §5.3.1: properties set in the MKCALENDAR body are applied.
pub async fn mkcalendar_properties(cx: CheckContext) -> CheckResult {
    let mut dav = session(&cx)?;
    let name = "groupwire MKCALENDAR displayname";
    let path = dav.scratch("named", Some(name), &[]).await?;
    let value = dav.property(&path, Name::Dav(Dav::DisplayName)).await?;
    ensure(
        matches!(&value, Some(PropValue::Text(t)) if t == name),
        format!("DAV:displayname {name:?} as set by MKCALENDAR"),
        || format!("{value:?}"),
    )
}

/// RFC 4791 §5.3.1: MKCALENDAR on an existing resource fails (resource-must-be-null).
pub async fn mkcalendar_existing(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = calendar(&cx, &[]).await?;
    let response = dav.make_collection(&path, None, &[]).await?;
    ensure(
        (400..500).contains(&response.status),
        format!("MKCALENDAR {path} (which exists) refused with 403, 405 or 409"),
        || response.summary(),
    )
}

/// RFC 4791 §5.2.3: an object with a component outside supported-calendar-component-set
/// is refused with supported-calendar-component.
pub async fn component_set_honoured(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = calendar(&cx, &["VTODO"]).await?;
    let value = dav
        .property(&path, Name::CalDav(CalDav::SupportedCalendarComponentSet))
        .await?;
    if let Some(PropValue::Components(components)) = &value
        && components.iter().any(|c| c.eq_ignore_ascii_case("VEVENT"))
    {
        return Err(Finding::violation(
            "supported-calendar-component-set VTODO as given in MKCALENDAR",
            format!("{components:?}"),
        ));
    }
    let uid = uid(&cx, "event");
    let target = format!("{path}event.ics");
    let response = dav
        .put(
            &target,
            &data::event(&uid, "20270104T100000Z", "20270104T110000Z", "Event"),
            &[],
        )
        .await?;
    refused_with(&response, Name::CalDav(CalDav::SupportedCalendarComponent))
}

/// RFC 4791 §5.3.2: a VEVENT is stored and read back.
pub async fn put_event(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = calendar(&cx, &[]).await?;
    let uid = uid(&cx, "e");
    let target = format!("{path}event.ics");
    let body = data::event(&uid, "20270104T100000Z", "20270104T110000Z", "Event");
    let response = dav.put(&target, &body, &[]).await?;
    ensure(
        matches!(response.status, 201 | 204),
        format!("201 to PUT {target}"),
        || response.summary(),
    )?;
    read_back(&mut dav, &target, &uid).await
}

async fn read_back(dav: &mut Session, target: &str, uid: &str) -> CheckResult {
    let response = dav.get(target).await?;
    ensure(
        response.status == 200,
        format!("200 to GET {target}"),
        || response.summary(),
    )?;
    let calendar = fixture::parse_calendar(&response.text())?;
    let uids: Vec<String> = calendar
        .components
        .iter()
        .filter_map(|c| c.uid().map(|u| u.into_owned()))
        .collect();
    ensure(
        uids.iter().any(|u| u == uid),
        format!("the stored object with UID {uid}"),
        || format!("UIDs {uids:?}"),
    )
}

/// RFC 4791 §5.3.2: a VTODO is stored and read back.
pub async fn put_task(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = calendar(&cx, &[]).await?;
    let uid = uid(&cx, "t");
    let target = format!("{path}task.ics");
    let response = dav.put(&target, &data::task(&uid), &[]).await?;
    ensure(
        matches!(response.status, 201 | 204),
        format!("201 to PUT {target}"),
        || response.summary(),
    )?;
    read_back(&mut dav, &target, &uid).await
}

/// RFC 4791 §5.3.2.1: invalid iCalendar is refused with valid-calendar-data.
pub async fn put_invalid(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = calendar(&cx, &[]).await?;
    let response = dav
        .put(&format!("{path}invalid.ics"), data::INVALID, &[])
        .await?;
    refused_with(&response, Name::CalDav(CalDav::ValidCalendarData))
}

/// RFC 4791 §5.3.2.1: a second object with a UID already in use is refused with
/// no-uid-conflict.
pub async fn put_uid_conflict(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = calendar(&cx, &[]).await?;
    let uid = uid(&cx, "dup");
    let body = data::event(&uid, "20270104T100000Z", "20270104T110000Z", "First");
    dav.store(&path, "first", &body).await?;
    let again = data::event(&uid, "20270105T100000Z", "20270105T110000Z", "Second");
    let response = dav.put(&format!("{path}second.ics"), &again, &[]).await?;
    refused_with(&response, Name::CalDav(CalDav::NoUidConflict))
}

/// RFC 4791 §4.1 and §5.3.2.1: an object with two UIDs is refused with
/// valid-calendar-object-resource.
pub async fn put_two_uids(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = calendar(&cx, &[]).await?;
    let response = dav
        .put(
            &format!("{path}two.ics"),
            &data::two_uids(&uid(&cx, "two")),
            &[],
        )
        .await?;
    refused_with(&response, Name::CalDav(CalDav::ValidCalendarObjectResource))
}

/// RFC 4791 §5.3.2.1: data of another media type is refused with supported-calendar-data.
pub async fn put_unsupported_media(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = calendar(&cx, &[]).await?;
    let vcard = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:not-a-calendar\r\nFN:Not A Calendar\r\nN:Calendar;Not;;;\r\nEND:VCARD\r\n";
    let response = dav
        .send(
            HttpRequest::new("PUT", format!("{path}card.ics"))
                .body("text/vcard", vcard.as_bytes().to_vec()),
        )
        .await?;
    refused_with(&response, Name::CalDav(CalDav::SupportedCalendarData))
}

/// RFC 4791 §7.9: calendar-multiget returns the data and ETag of each object asked for.
pub async fn multiget_data(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = calendar(&cx, &[]).await?;
    let a = dav.store(&path, "a", &data::single(&uid(&cx, "a"))).await?;
    let b = dav.store(&path, "b", &data::task(&uid(&cx, "b"))).await?;
    let response = dav.multiget(&path, &[a.clone(), b.clone()]).await?;
    let ms = multistatus(&response)?;
    for target in [&a, &b] {
        let Some(entry) = response_for(&ms, target) else {
            return Err(Finding::violation(
                format!("a DAV:response for {target}"),
                format!("{} responses, none for it", ms.responses.len()),
            ));
        };
        let data = object_data(entry);
        ensure(
            data.as_deref()
                .is_some_and(|d| d.contains("BEGIN:VCALENDAR")),
            format!("calendar-data for {target}"),
            || format!("{data:?}"),
        )?;
        ensure(
            found(entry, &Name::Dav(Dav::GetEtag)).is_some(),
            format!("getetag for {target}"),
            || "none".to_owned(),
        )?;
    }
    Ok(())
}

/// RFC 4791 §7.1 (RFC 3253 §3.1.5): supported-report-set of a calendar lists the three
/// calendaring reports.
pub async fn supported_reports(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = calendar(&cx, &[]).await?;
    let value = dav
        .property(&path, Name::Dav(Dav::SupportedReportSet))
        .await?;
    let reports = match &value {
        Some(PropValue::Reports(reports)) => reports.clone(),
        _ => Vec::new(),
    };
    let wanted = [
        Name::CalDav(CalDav::CalendarQuery),
        Name::CalDav(CalDav::CalendarMultiget),
        Name::CalDav(CalDav::FreeBusyQuery),
    ];
    let missing: Vec<String> = wanted
        .iter()
        .filter(|w| !reports.contains(w))
        .map(ToString::to_string)
        .collect();
    ensure(
        missing.is_empty(),
        "calendar-query, calendar-multiget and free-busy-query in DAV:supported-report-set",
        || format!("missing {missing:?} (got {value:?})"),
    )
}

/// RFC 4791 §6.1.1: the privilege read-free-busy is supported on calendars.
pub async fn read_free_busy_privilege(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = calendar(&cx, &[]).await?;
    let value = dav
        .property(&path, Name::Dav(Dav::SupportedPrivilegeSet))
        .await?;
    fn has(privileges: &[groupwire_dav::body::SupportedPrivilege<'static>]) -> bool {
        privileges
            .iter()
            .any(|p| p.privilege == Name::CalDav(CalDav::ReadFreeBusy) || has(&p.children))
    }
    ensure(
        matches!(&value, Some(PropValue::SupportedPrivileges(p)) if has(p)),
        "CALDAV:read-free-busy in DAV:supported-privilege-set of the calendar",
        || format!("{value:?}").chars().take(400).collect(),
    )
}

/// Helper: 403/404 expected (never 2xx) for another account's request.
pub fn denied(response: &crate::engine::http::HttpResponse, what: &str) -> CheckResult {
    ensure(
        matches!(response.status, 401 | 403 | 404),
        format!("{what} refused with 403 or 404"),
        || response.summary(),
    )
}

/// Unused-refusal helper kept for the CardDAV suite's symmetric checks.
pub fn any_refusal(response: &crate::engine::http::HttpResponse, what: &str) -> CheckResult {
    refused(response, what)
}
