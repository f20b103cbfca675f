//! Clients as they really behave: the PROPFIND property sets of Thunderbird, DAVx5, Apple
//! Calendar/Contacts and Evolution (modelled on their public sources), conditional updates
//! with `If-Match` and creation with `If-None-Match: *`, large multigets, UTF-8 names,
//! non-ASCII UIDs. Shared by the CalDAV and CardDAV suites through [`Kind`].

use groupwire_dav::xml::{CalDav, CalendarServer, CardDav, Dav, Name};

use super::fixture::{Kind, Session, found, multistatus, object_data, prop_status, response_for};
use super::sync::object;
use crate::engine::http::{HttpRequest, encode_segment};
use crate::engine::{CheckContext, CheckResult, Finding, ensure};

/// Apple's namespace for calendar colour and order.
const APPLE_ICAL: &str = "http://apple.com/ns/ical/";

fn apple(local: &'static str) -> Name<'static> {
    Name::new(APPLE_ICAL, local)
}

/// A client whose discovery PROPFIND is replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// Mozilla Thunderbird (calDavCalendar, CardDAV address books since 102).
    Thunderbird,
    /// DAVx5 on Android (DavResourceFinder).
    Davx5,
    /// Apple Calendar and Contacts (macOS/iOS accountsd).
    Apple,
    /// GNOME Evolution (evolution-data-server's WebDAV backends).
    Evolution,
}

impl Client {
    fn label(self) -> &'static str {
        match self {
            Client::Thunderbird => "Thunderbird",
            Client::Davx5 => "DAVx5",
            Client::Apple => "Apple Calendar/Contacts",
            Client::Evolution => "Evolution",
        }
    }

    /// The properties the client asks for when it lists the collections of a home.
    fn home_listing(self, kind: Kind) -> Vec<Name<'static>> {
        let mut props = vec![
            Name::Dav(Dav::ResourceType),
            Name::Dav(Dav::DisplayName),
            Name::Dav(Dav::CurrentUserPrivilegeSet),
        ];
        let calendar = kind == Kind::Calendar;
        match self {
            Client::Thunderbird => {
                props.extend([
                    Name::Dav(Dav::Owner),
                    Name::Dav(Dav::CurrentUserPrincipal),
                    Name::Dav(Dav::SupportedReportSet),
                    Name::CalendarServer(CalendarServer::GetCtag),
                    Name::Dav(Dav::SyncToken),
                ]);
                if calendar {
                    props.push(Name::CalDav(CalDav::SupportedCalendarComponentSet));
                    props.push(apple("calendar-color"));
                }
            }
            Client::Davx5 => {
                props.extend([
                    Name::Dav(Dav::Owner),
                    Name::new("http://calendarserver.org/ns/", "source"),
                    Name::CalendarServer(CalendarServer::GetCtag),
                    Name::Dav(Dav::SyncToken),
                ]);
                if calendar {
                    props.extend([
                        apple("calendar-color"),
                        Name::CalDav(CalDav::CalendarDescription),
                        Name::CalDav(CalDav::CalendarTimezone),
                        Name::CalDav(CalDav::SupportedCalendarComponentSet),
                    ]);
                } else {
                    props.push(Name::CardDav(CardDav::AddressbookDescription));
                }
            }
            Client::Apple => {
                props.extend([
                    Name::CalendarServer(CalendarServer::GetCtag),
                    Name::Dav(Dav::SyncToken),
                    Name::Dav(Dav::QuotaAvailableBytes),
                    Name::Dav(Dav::QuotaUsedBytes),
                    Name::new("http://calendarserver.org/ns/", "pushkey"),
                ]);
                if calendar {
                    props.extend([
                        apple("calendar-color"),
                        apple("calendar-order"),
                        Name::CalDav(CalDav::SupportedCalendarComponentSet),
                        Name::CalDav(CalDav::ScheduleCalendarTransp),
                        Name::CalDav(CalDav::CalendarTimezone),
                        Name::new("http://calendarserver.org/ns/", "source"),
                    ]);
                } else {
                    props.push(Name::new("http://calendarserver.org/ns/", "me-card"));
                }
            }
            Client::Evolution => {
                props.extend([
                    Name::CalendarServer(CalendarServer::GetCtag),
                    Name::Dav(Dav::GetEtag),
                ]);
                if calendar {
                    props.extend([
                        apple("calendar-color"),
                        Name::CalDav(CalDav::CalendarDescription),
                        Name::CalDav(CalDav::SupportedCalendarComponentSet),
                    ]);
                } else {
                    props.push(Name::CardDav(CardDav::AddressbookDescription));
                }
            }
        }
        props
    }
}

/// The client's home listing (Depth 1 PROPFIND with its property set) answers every
/// property of every collection, each in a propstat (200 when known, 404 when not): a 400 or
/// a missing property stops the client's account setup.
pub async fn discovery_propfind(cx: CheckContext, kind: Kind, client: Client) -> CheckResult {
    let mut dav = Session::open(&cx, kind, 0)?;
    let path = dav.scratch("listed", Some("groupwire listed"), &[]).await?;
    let home = dav.home().await?;
    let props = client.home_listing(kind);
    let response = dav.propfind(&home, "1", &props).await?;
    let ms = multistatus(&response).map_err(|f| match f {
        Finding::Violation { expected, actual } => Finding::violation(
            format!("{expected} to {}'s discovery PROPFIND", client.label()),
            actual,
        ),
        other => other,
    })?;
    let Some(entry) = response_for(&ms, &path) else {
        return Err(Finding::violation(
            format!("{path} in the Depth 1 listing {} relies on", client.label()),
            format!("{} responses without it", ms.responses.len()),
        ));
    };
    let unanswered: Vec<String> = props
        .iter()
        .filter(|p| prop_status(entry, p).is_none())
        .map(ToString::to_string)
        .collect();
    ensure(
        unanswered.is_empty(),
        format!(
            "every property {} asks for in a propstat (RFC 4918 §9.1: 404 for unknown ones)",
            client.label()
        ),
        || format!("no propstat for {unanswered:?}"),
    )?;
    let marker = match kind {
        Kind::Calendar => Name::CalDav(CalDav::Calendar),
        Kind::Addressbook => Name::CardDav(CardDav::Addressbook),
    };
    let typed = found(entry, &Name::Dav(Dav::ResourceType)).is_some_and(
        |v| matches!(v, groupwire_dav::body::PropValue::Markers(m) if m.contains(&marker)),
    );
    ensure(
        typed,
        format!("{path} typed {marker} so {} lists it", client.label()),
        || "another resourcetype".to_owned(),
    )
}

/// DAVx5, Thunderbird and Evolution update with `If-Match: <etag>`: the current tag
/// succeeds, a stale one is refused with 412 and changes nothing.
pub async fn if_match(cx: CheckContext, kind: Kind) -> CheckResult {
    let mut dav = Session::open(&cx, kind, 0)?;
    let path = dav.scratch("ifmatch", None, &[]).await?;
    let target = dav
        .store(&path, "o", &object(&cx, kind, "o", "Original"))
        .await?;
    let Some(etag) = dav.etag(&target).await? else {
        return Err(Finding::violation(
            format!("a DAV:getetag for {target}"),
            "none",
        ));
    };
    let response = dav
        .put(
            &target,
            &object(&cx, kind, "o", "Updated"),
            &[("If-Match", etag.as_str())],
        )
        .await?;
    ensure(
        matches!(response.status, 200 | 201 | 204),
        format!("2xx to PUT with If-Match: {etag} (the current tag)"),
        || response.summary(),
    )?;
    let response = dav
        .put(
            &target,
            &object(&cx, kind, "o", "Lost update"),
            &[("If-Match", etag.as_str())],
        )
        .await?;
    ensure(
        response.status == 412,
        format!("412 to PUT with If-Match: {etag} (stale)"),
        || response.summary(),
    )?;
    let current = dav.get(&target).await?;
    ensure(
        !current.text().contains("Lost update"),
        "the object unchanged by the refused PUT",
        || "the stale update was stored".to_owned(),
    )
}

/// DAVx5 and Apple create with `If-None-Match: *`: refused with 412 when the name exists.
pub async fn if_none_match(cx: CheckContext, kind: Kind) -> CheckResult {
    let mut dav = Session::open(&cx, kind, 0)?;
    let path = dav.scratch("ifnone", None, &[]).await?;
    let target = dav
        .store(&path, "o", &object(&cx, kind, "o", "Original"))
        .await?;
    let response = dav
        .put(
            &target,
            &object(&cx, kind, "o", "Overwritten"),
            &[("If-None-Match", "*")],
        )
        .await?;
    ensure(
        response.status == 412,
        format!("412 to PUT {target} with If-None-Match: * (it exists)"),
        || response.summary(),
    )
}

/// Thunderbird and Apple fetch in large batches: a multiget of 60 objects returns all 60.
pub async fn large_multiget(cx: CheckContext, kind: Kind) -> CheckResult {
    const COUNT: usize = 60;
    let mut dav = Session::open(&cx, kind, 0)?;
    let path = dav.scratch("many", None, &[]).await?;
    let mut paths = Vec::with_capacity(COUNT);
    for index in 0..COUNT {
        let name = format!("o{index:03}");
        paths.push(
            dav.store(
                &path,
                &name,
                &object(&cx, kind, &name, &format!("Object {index}")),
            )
            .await?,
        );
    }
    let response = dav.multiget(&path, &paths).await?;
    let ms = multistatus(&response)?;
    let with_data = paths
        .iter()
        .filter(|p| response_for(&ms, p).and_then(object_data).is_some())
        .count();
    ensure(
        with_data == COUNT,
        format!("data for all {COUNT} objects of one multiget"),
        || format!("data for {with_data}"),
    )
}

/// Every client shows display names as typed: a UTF-8 display name and a non-ASCII resource
/// name (percent-encoded) round-trip.
pub async fn utf8_names(cx: CheckContext, kind: Kind) -> CheckResult {
    let mut dav = Session::open(&cx, kind, 0)?;
    let display = "Gemeinde Bürgerbüro – 日程 ✓";
    let path = dav.scratch("utf8", Some(display), &[]).await?;
    let value = dav.property(&path, Name::Dav(Dav::DisplayName)).await?;
    ensure(
        matches!(&value, Some(groupwire_dav::body::PropValue::Text(t)) if t == display),
        format!("DAV:displayname {display:?}"),
        || format!("{value:?}"),
    )?;
    let name = "Termin für Jürgen";
    let target = format!("{path}{}.{}", encode_segment(name), kind.extension());
    let response = dav
        .put(&target, &object(&cx, kind, "utf8", "UTF-8 name"), &[])
        .await?;
    ensure(
        matches!(response.status, 201 | 204),
        format!("201 to PUT {target}"),
        || response.summary(),
    )?;
    let response = dav.propfind(&path, "1", &[Name::Dav(Dav::GetEtag)]).await?;
    let ms = multistatus(&response)?;
    ensure(
        response_for(&ms, &target).is_some(),
        format!("{target} listed under its name"),
        || {
            format!(
                "hrefs {:?}",
                ms.responses
                    .iter()
                    .flat_map(|r| r.hrefs.iter().map(|h| h.as_str().to_owned()))
                    .collect::<Vec<_>>()
            )
        },
    )
}

/// DAVx5 and Apple keep the UIDs other clients made: a non-ASCII UID is stored and returned
/// unchanged.
pub async fn non_ascii_uid(cx: CheckContext, kind: Kind) -> CheckResult {
    let mut dav = Session::open(&cx, kind, 0)?;
    let path = dav.scratch("uid", None, &[]).await?;
    let uid = format!("{}-ÜmlautUID-日本", cx.scratch_name("u"));
    let body = match kind {
        Kind::Calendar => {
            super::data::event(&uid, "20270104T100000Z", "20270104T110000Z", "UID test")
        }
        Kind::Addressbook => crate::suites::carddav::data::card3(&uid, "UID Test", "Test"),
    };
    let target = dav.store(&path, "uid", &body).await?;
    let response = dav.multiget(&path, std::slice::from_ref(&target)).await?;
    let ms = multistatus(&response)?;
    let data = response_for(&ms, &target).and_then(object_data);
    ensure(
        data.as_deref()
            .is_some_and(|d| d.contains(&format!("UID:{uid}"))),
        format!("the data with UID:{uid}"),
        || format!("{data:?}"),
    )
}

/// Unused: a request with arbitrary headers (kept for the CardDAV photo check).
pub async fn raw(
    dav: &mut Session,
    request: HttpRequest,
) -> Result<crate::engine::http::HttpResponse, Finding> {
    dav.send(request).await
}
