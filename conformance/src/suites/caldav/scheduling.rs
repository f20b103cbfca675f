//! CalDAV scheduling (RFC 6638), when the server advertises `calendar-auto-schedule`: the
//! scheduling Inbox and Outbox of the principal, `calendar-user-address-set`, `Schedule-Tag`
//! on a scheduling object resource, and delivery of an organizer's invitation to a second
//! account. A server that does not advertise scheduling skips them all.

use std::time::Duration;

use groupwire_dav::body::PropValue;
use groupwire_dav::xml::{CalDav, Dav, Name};

use super::fixture::{Kind, Session, multistatus, object_data, path_of};
use crate::engine::http::HttpRequest;
use crate::engine::{CheckContext, CheckResult, Finding, ensure};

/// How long delivery to the attendee may take (servers may deliver asynchronously).
const DELIVERY_WAIT: Duration = Duration::from_secs(5);

/// Account `index`'s session, once OPTIONS on its calendar home lists
/// `calendar-auto-schedule` (RFC 6638 §2); a skip otherwise.
async fn scheduling_session(cx: &CheckContext, index: usize) -> Result<Session, Finding> {
    let mut dav = Session::open(cx, Kind::Calendar, index)?;
    let home = dav.home().await?;
    let response = dav.send(HttpRequest::new("OPTIONS", home.clone())).await?;
    let classes = response.header_list("dav");
    if !classes
        .iter()
        .any(|c| c.eq_ignore_ascii_case("calendar-auto-schedule"))
    {
        return Err(Finding::skip(format!(
            "scheduling is not advertised: no calendar-auto-schedule in the DAV header of OPTIONS {home} (DAV: {})",
            classes.join(", ")
        )));
    }
    Ok(dav)
}

/// The href of a single-href principal property, `None` when absent.
fn href_of(value: Option<PropValue<'static>>) -> Option<String> {
    match value {
        Some(PropValue::Href(href)) => Some(path_of(href.as_str())),
        Some(PropValue::Hrefs(hrefs)) => hrefs.first().map(|h| path_of(h.as_str())),
        _ => None,
    }
}

/// RFC 6638 §2.1 and §2.2: the principal's box URL names a collection whose resourcetype
/// has DAV:collection and the box's own element.
async fn mailbox_typed(cx: CheckContext, url: CalDav, marker: CalDav) -> CheckResult {
    let mut dav = scheduling_session(&cx, 0).await?;
    let principal = dav.principal().await?;
    let url_name = Name::CalDav(url);
    let Some(path) = href_of(dav.property(&principal, url_name.clone()).await?) else {
        // §2.1.1/§2.2.1: "If not present, then the associated calendar user is not enabled".
        return Err(Finding::skip(format!(
            "the principal {principal} has no {url_name}: the user is not enabled for scheduling"
        )));
    };
    let value = dav.property(&path, Name::Dav(Dav::ResourceType)).await?;
    let markers = match &value {
        Some(PropValue::Markers(markers)) => markers.clone(),
        _ => Vec::new(),
    };
    let marker = Name::CalDav(marker);
    ensure(
        markers.contains(&Name::Dav(Dav::Collection)) && markers.contains(&marker),
        format!("DAV:collection and {marker} in the resourcetype of {path}"),
        || format!("resourcetype {value:?}"),
    )
}

/// `caldav.scheduling.inbox`.
pub async fn inbox(cx: CheckContext) -> CheckResult {
    mailbox_typed(cx, CalDav::ScheduleInboxUrl, CalDav::ScheduleInbox).await
}

/// `caldav.scheduling.outbox`.
pub async fn outbox(cx: CheckContext) -> CheckResult {
    mailbox_typed(cx, CalDav::ScheduleOutboxUrl, CalDav::ScheduleOutbox).await
}

/// The calendar user addresses of the session's principal.
async fn addresses(dav: &mut Session) -> Result<(String, Vec<String>), Finding> {
    let principal = dav.principal().await?;
    let value = dav
        .property(&principal, Name::CalDav(CalDav::CalendarUserAddressSet))
        .await?;
    let addresses = match value {
        Some(PropValue::Hrefs(hrefs)) => hrefs.iter().map(|h| h.as_str().to_owned()).collect(),
        Some(PropValue::Href(href)) => vec![href.as_str().to_owned()],
        _ => Vec::new(),
    };
    Ok((principal, addresses))
}

/// RFC 6638 §2.4.1: the principal has a calendar-user-address-set.
pub async fn user_address_set(cx: CheckContext) -> CheckResult {
    let mut dav = scheduling_session(&cx, 0).await?;
    let (principal, addresses) = addresses(&mut dav).await?;
    ensure(
        !addresses.is_empty(),
        format!("at least one href in calendar-user-address-set of {principal}"),
        || "none".to_owned(),
    )
}

/// A calendar user address of the session's account: its `mailto:` one if listed, else the
/// account's address.
async fn mailto(dav: &mut Session, account: &str) -> Result<String, Finding> {
    let (_, addresses) = addresses(dav).await?;
    Ok(addresses
        .into_iter()
        .find(|a| {
            a.get(..7)
                .is_some_and(|s| s.eq_ignore_ascii_case("mailto:"))
        })
        .unwrap_or_else(|| format!("mailto:{account}")))
}

/// An invitation from `organizer` to `attendee`.
fn invitation(uid: &str, organizer: &str, attendee: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//groupwire//conformance//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20270301T100000Z\r\nDTEND:20270301T110000Z\r\nSUMMARY:Scheduling check\r\nORGANIZER:{organizer}\r\nATTENDEE;PARTSTAT=ACCEPTED:{organizer}\r\nATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:{attendee}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// The first account (organizer) stores an invitation to the second in a scratch calendar;
/// returns both sessions, the UID, the object's path and the PUT's Schedule-Tag.
async fn invite(
    cx: &CheckContext,
) -> Result<(Session, Session, String, String, Option<String>), Finding> {
    let mut organizer = scheduling_session(cx, 0).await?;
    let mut attendee = Session::open(cx, Kind::Calendar, 1)?;
    let organizer_address = mailto(&mut organizer, &cx.account(0)?.address).await?;
    let attendee_address = mailto(&mut attendee, &cx.account(1)?.address).await?;
    let calendar = organizer
        .scratch("sched", Some("groupwire scheduling"), &[])
        .await?;
    let uid = cx.scratch_name("invitation");
    let path = format!("{calendar}invitation.ics");
    let response = organizer
        .put(
            &path,
            &invitation(&uid, &organizer_address, &attendee_address),
            &[],
        )
        .await?;
    if !matches!(response.status, 201 | 204) {
        return Err(Finding::harness(format!(
            "PUT of the invitation {path} was not stored: {}",
            response.summary()
        )));
    }
    let tag = response.header("schedule-tag").map(str::to_owned);
    Ok((organizer, attendee, uid, path, tag))
}

/// RFC 6638 §3.2.10: PUT and GET of a scheduling object resource carry Schedule-Tag.
pub async fn schedule_tag(cx: CheckContext) -> CheckResult {
    let (mut organizer, mut attendee, uid, path, put_tag) = invite(&cx).await?;
    let get = organizer.get(&path).await?;
    let get_tag = get.header("schedule-tag").map(str::to_owned);
    remove_delivered(&mut attendee, &uid).await;
    ensure(
        put_tag.is_some() && get_tag.is_some(),
        format!("a Schedule-Tag header on the 2xx to PUT and to GET {path}"),
        || format!("PUT: {put_tag:?}, GET: {get_tag:?}"),
    )
}

/// The paths of the attendee's objects (in every calendar and the Inbox of the home) whose
/// data has `uid`, from a Depth 1 listing of the home and a calendar-query of each calendar.
async fn delivered(attendee: &mut Session, uid: &str) -> Result<Vec<String>, Finding> {
    let home = attendee.home().await?;
    let listing = attendee
        .propfind(&home, "1", &[Name::Dav(Dav::ResourceType)])
        .await?;
    let ms = multistatus(&listing)?;
    let mut found = Vec::new();
    let needle = format!("UID:{uid}");
    for response in &ms.responses {
        let Some(href) = response.hrefs.first() else {
            continue;
        };
        let collection = path_of(href.as_str());
        if collection.trim_end_matches('/') == home.trim_end_matches('/') {
            continue;
        }
        let members = attendee
            .propfind(&collection, "1", &[Name::Dav(Dav::GetEtag)])
            .await?;
        let Ok(members) = multistatus(&members) else {
            continue;
        };
        let paths: Vec<String> = members
            .responses
            .iter()
            .filter_map(|r| r.hrefs.first().map(|h| path_of(h.as_str())))
            .filter(|p| p.trim_end_matches('/') != collection.trim_end_matches('/'))
            .collect();
        if paths.is_empty() {
            continue;
        }
        let response = attendee.multiget(&collection, &paths).await?;
        if let Ok(data) = multistatus(&response) {
            for r in &data.responses {
                if object_data(r).is_some_and(|d| d.contains(&needle))
                    && let Some(href) = r.hrefs.first()
                {
                    found.push(path_of(href.as_str()));
                }
            }
        }
    }
    Ok(found)
}

/// Removes what the invitation left in the attendee's calendars and Inbox.
async fn remove_delivered(attendee: &mut Session, uid: &str) {
    if let Ok(paths) = delivered(attendee, uid).await {
        for path in paths {
            let _ = attendee.delete(&path).await;
        }
    }
}

/// RFC 6638 §4: the invitation reaches the attendee as a scheduling object resource on one
/// of the attendee's calendars (the Inbox copy alone does not count).
pub async fn delivered_to_attendee(cx: CheckContext) -> CheckResult {
    let (_, mut attendee, uid, _, _) = invite(&cx).await?;
    let principal = attendee.principal().await?;
    let inbox = href_of(
        attendee
            .property(&principal, Name::CalDav(CalDav::ScheduleInboxUrl))
            .await?,
    );
    // The Inbox copy alone does not count: the invitation must be on a calendar.
    let on_calendar = |path: &String| {
        inbox
            .as_deref()
            .is_none_or(|i| !path.starts_with(i.trim_end_matches('/')))
    };
    let deadline = tokio::time::Instant::now() + DELIVERY_WAIT;
    let mut paths;
    loop {
        paths = delivered(&mut attendee, &uid).await?;
        if paths.iter().any(on_calendar) || tokio::time::Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    cx.note(format!("the attendee's objects with UID {uid}: {paths:?}"));
    let on_calendar: Vec<&String> = paths.iter().filter(|p| on_calendar(p)).collect();
    let result = ensure(
        !on_calendar.is_empty(),
        format!(
            "the invitation {uid} on one of the second account's calendars within {} s",
            DELIVERY_WAIT.as_secs()
        ),
        || format!("found only {paths:?}"),
    );
    for path in &paths {
        let _ = attendee.delete(path).await;
    }
    result
}
