//! calendar-query with time ranges (single, recurring, EXDATE, overridden instances, all-day,
//! floating, time zones), text-match, is-not-defined, collations, partial calendar-data;
//! free-busy-query; expand and limit-recurrence-set.

use std::collections::BTreeSet;

use groupwire_dav::DavRequest;
use groupwire_dav::body::{
    CalendarDataRequest, CalendarQuery, CompFilter, CompSelect, FreeBusyQuery, PropFilter,
    PropSelect, Propfind, RequestedProp, Selection, TextMatch, TimeRange,
};
use groupwire_dav::ical::ComponentKind;
use groupwire_dav::xml::{CalDav, Dav, Name};

use super::data::{self, ALL_DAY, BERLIN, FLOATING, SINGLE, TASK, WEEKLY};
use super::fixture::{
    self, Session, calendar_data, comp, matched_names, multistatus, object_data, refused_with,
    vcalendar,
};
use super::objects::{calendar, uid};
use crate::engine::{CheckContext, CheckResult, Finding, ensure};

/// A calendar of the check holding the standard set; returns the session and its path.
async fn standard(cx: &CheckContext) -> Result<(Session, String), Finding> {
    let (mut dav, path) = calendar(cx, &[]).await?;
    for (name, body) in data::standard_set(&uid(cx, "std")) {
        dav.store(&path, name, &body).await?;
    }
    Ok((dav, path))
}

fn range(start: &str, end: &str) -> TimeRange<'static> {
    TimeRange {
        start: Some(start.to_owned().into()),
        end: Some(end.to_owned().into()),
    }
}

/// A VEVENT (or `component`) comp-filter with a time range.
fn in_range(component: &str, start: &str, end: &str) -> CompFilter<'static> {
    let mut filter = comp(component, Vec::new());
    filter.time_range = Some(range(start, end));
    filter
}

fn query(filter: CompFilter<'static>, timezone: Option<&str>) -> DavRequest<'static> {
    DavRequest::CalendarQuery(CalendarQuery {
        selection: Some(Propfind::Prop(vec![RequestedProp::Name(Name::Dav(
            Dav::GetEtag,
        ))])),
        filter: vcalendar(vec![filter]),
        timezone: timezone.map(|t| t.to_owned().into()),
    })
}

/// Runs a calendar-query (Depth 1) and returns the names of the matched objects.
async fn names(
    dav: &mut Session,
    path: &str,
    body: &DavRequest<'static>,
) -> Result<BTreeSet<String>, Finding> {
    let response = dav.report(path, Some("1"), body).await?;
    let ms = multistatus(&response)?;
    Ok(matched_names(&ms, path))
}

/// Requires `got` to contain every name of `want` and none of `not`.
fn judge(what: &str, got: &BTreeSet<String>, want: &[&str], not: &[&str]) -> CheckResult {
    let missing: Vec<&str> = want.iter().copied().filter(|n| !got.contains(*n)).collect();
    let extra: Vec<&str> = not.iter().copied().filter(|n| got.contains(*n)).collect();
    ensure(
        missing.is_empty() && extra.is_empty(),
        format!("{what}: {want:?} matched, {not:?} not"),
        || format!("matched {got:?}"),
    )
}

/// RFC 4791 §9.9: a single event matches a range it overlaps and not one it does not.
pub async fn time_range_single(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = standard(&cx).await?;
    let hit = names(
        &mut dav,
        &path,
        &query(
            in_range("VEVENT", "20270104T103000Z", "20270104T104500Z"),
            None,
        ),
    )
    .await?;
    judge(
        "VEVENT in 2027-01-04 10:30–10:45Z",
        &hit,
        &[SINGLE],
        &[WEEKLY, ALL_DAY, FLOATING, BERLIN, TASK],
    )?;
    let miss = names(
        &mut dav,
        &path,
        &query(
            in_range("VEVENT", "20270104T110000Z", "20270104T120000Z"),
            None,
        ),
    )
    .await?;
    judge(
        "VEVENT in 2027-01-04 11:00–12:00Z (the event ends at 11:00, end exclusive)",
        &miss,
        &[],
        &[SINGLE],
    )
}

/// RFC 4791 §7.4: a recurring event matches a range only a later instance overlaps.
pub async fn time_range_recurring(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = standard(&cx).await?;
    let got = names(
        &mut dav,
        &path,
        &query(
            in_range("VEVENT", "20270111T000000Z", "20270112T000000Z"),
            None,
        ),
    )
    .await?;
    judge(
        "VEVENT on 2027-01-11 (the weekly series' second instance)",
        &got,
        &[WEEKLY],
        &[SINGLE],
    )
}

/// RFC 4791 §7.4 with RFC 5545 EXDATE: an excluded instance does not match.
pub async fn time_range_exdate(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = standard(&cx).await?;
    let got = names(
        &mut dav,
        &path,
        &query(
            in_range("VEVENT", "20270118T000000Z", "20270119T000000Z"),
            None,
        ),
    )
    .await?;
    judge(
        "VEVENT on 2027-01-18 (the instance the EXDATE removes)",
        &got,
        &[],
        &[WEEKLY],
    )
}

/// RFC 4791 §7.4: an overridden instance matches where it was moved to, not where it was.
pub async fn time_range_override(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = standard(&cx).await?;
    let moved = names(
        &mut dav,
        &path,
        &query(
            in_range("VEVENT", "20270126T143000Z", "20270126T153000Z"),
            None,
        ),
    )
    .await?;
    judge(
        "VEVENT on 2027-01-26 15:00Z (the instance of 01-25 moved there)",
        &moved,
        &[WEEKLY],
        &[],
    )?;
    let original = names(
        &mut dav,
        &path,
        &query(
            in_range("VEVENT", "20270125T080000Z", "20270125T100000Z"),
            None,
        ),
    )
    .await?;
    judge(
        "VEVENT on 2027-01-25 09:00Z (the instance moved away)",
        &original,
        &[],
        &[WEEKLY],
    )
}

/// RFC 4791 §9.9: an all-day (DATE) event covers its whole day.
pub async fn time_range_all_day(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = standard(&cx).await?;
    let got = names(
        &mut dav,
        &path,
        &query(
            in_range("VEVENT", "20270210T120000Z", "20270210T130000Z"),
            None,
        ),
    )
    .await?;
    judge("VEVENT at noon on 2027-02-10", &got, &[ALL_DAY], &[])?;
    let after = names(
        &mut dav,
        &path,
        &query(
            in_range("VEVENT", "20270212T120000Z", "20270212T130000Z"),
            None,
        ),
    )
    .await?;
    judge("VEVENT at noon on 2027-02-12", &after, &[], &[ALL_DAY])
}

/// RFC 4791 §7.3: floating times are read in the query's CALDAV:timezone.
pub async fn time_range_floating(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = standard(&cx).await?;
    // Floating 12:00 in UTC+5 is 07:00Z.
    let got = names(
        &mut dav,
        &path,
        &query(
            in_range("VEVENT", "20270301T064500Z", "20270301T071500Z"),
            Some(data::PLUS_FIVE),
        ),
    )
    .await?;
    judge(
        "VEVENT at 07:00Z on 2027-03-01 with CALDAV:timezone UTC+5 (floating 12:00)",
        &got,
        &[FLOATING],
        &[],
    )?;
    let utc = names(
        &mut dav,
        &path,
        &query(
            in_range("VEVENT", "20270301T120000Z", "20270301T123000Z"),
            Some(data::PLUS_FIVE),
        ),
    )
    .await?;
    judge(
        "VEVENT at 12:00Z with CALDAV:timezone UTC+5 (17:00 there)",
        &utc,
        &[],
        &[FLOATING],
    )
}

/// RFC 4791 §9.9 with RFC 5545 TZID: a zoned time is compared in UTC.
pub async fn time_range_timezone(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = standard(&cx).await?;
    let got = names(
        &mut dav,
        &path,
        &query(
            in_range("VEVENT", "20270705T081500Z", "20270705T084500Z"),
            None,
        ),
    )
    .await?;
    judge(
        "VEVENT at 08:15Z on 2027-07-05 (10:15 in Berlin)",
        &got,
        &[BERLIN],
        &[],
    )?;
    let wrong = names(
        &mut dav,
        &path,
        &query(
            in_range("VEVENT", "20270705T100000Z", "20270705T110000Z"),
            None,
        ),
    )
    .await?;
    judge(
        "VEVENT at 10:00Z (12:00 in Berlin, after the event)",
        &wrong,
        &[],
        &[BERLIN],
    )
}

/// RFC 4791 §9.7.1: a VTODO comp-filter returns tasks only.
pub async fn component_filter(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = standard(&cx).await?;
    let got = names(&mut dav, &path, &query(comp("VTODO", Vec::new()), None)).await?;
    judge(
        "VTODO",
        &got,
        &[TASK],
        &[SINGLE, WEEKLY, ALL_DAY, FLOATING, BERLIN],
    )
}

fn summary_filter(text: &str, negate: bool, collation: Option<&str>) -> CompFilter<'static> {
    let mut filter = comp("VEVENT", Vec::new());
    filter.prop_filters.push(PropFilter {
        name: "SUMMARY".into(),
        is_not_defined: false,
        time_range: None,
        text_match: Some(TextMatch {
            collation: collation.map(|c| c.to_owned().into()),
            negate,
            text: text.to_owned().into(),
        }),
        param_filters: Vec::new(),
    });
    filter
}

/// RFC 4791 §9.7.5: text-match is a case-insensitive substring match by default.
pub async fn text_match(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = standard(&cx).await?;
    let got = names(
        &mut dav,
        &path,
        &query(summary_filter("bUdGeT", false, None), None),
    )
    .await?;
    judge(
        "SUMMARY containing \"bUdGeT\" (i;ascii-casemap)",
        &got,
        &[SINGLE],
        &[WEEKLY, BERLIN],
    )
}

/// RFC 4791 §9.7.5: negate-condition inverts the match.
pub async fn text_match_negate(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = standard(&cx).await?;
    let got = names(
        &mut dav,
        &path,
        &query(summary_filter("budget", true, None), None),
    )
    .await?;
    judge(
        "SUMMARY not containing \"budget\"",
        &got,
        &[WEEKLY, BERLIN],
        &[SINGLE],
    )
}

/// RFC 4791 §9.7.4: is-not-defined matches objects without the property.
pub async fn is_not_defined(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = standard(&cx).await?;
    let mut filter = comp("VEVENT", Vec::new());
    filter.prop_filters.push(PropFilter {
        name: "LOCATION".into(),
        is_not_defined: true,
        time_range: None,
        text_match: None,
        param_filters: Vec::new(),
    });
    let got = names(&mut dav, &path, &query(filter, None)).await?;
    judge(
        "VEVENT without LOCATION",
        &got,
        &[WEEKLY, BERLIN],
        &[SINGLE],
    )
}

/// RFC 4791 §7.5: an unsupported collation is refused with supported-collation.
pub async fn unsupported_collation(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = standard(&cx).await?;
    let body = query(
        summary_filter("budget", false, Some("x-groupwire;no-such-collation")),
        None,
    );
    let response = dav.report(&path, Some("1"), &body).await?;
    refused_with(&response, Name::CalDav(CalDav::SupportedCollation))
}

/// RFC 4791 §9.6.4: calendar-data with a property selection returns only those properties.
pub async fn partial_calendar_data(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = standard(&cx).await?;
    let selection = CompSelect {
        name: "VCALENDAR".into(),
        props: Selection::All,
        comps: Selection::Listed(vec![CompSelect {
            name: "VEVENT".into(),
            props: Selection::Listed(vec![
                PropSelect {
                    name: "UID".into(),
                    novalue: false,
                },
                PropSelect {
                    name: "SUMMARY".into(),
                    novalue: false,
                },
            ]),
            comps: Selection::Listed(Vec::new()),
        }]),
    };
    let body = DavRequest::CalendarQuery(CalendarQuery {
        selection: Some(Propfind::Prop(vec![RequestedProp::CalendarData(
            CalendarDataRequest {
                comp: Some(selection),
                ..calendar_data()
            },
        )])),
        filter: vcalendar(vec![in_range(
            "VEVENT",
            "20270104T103000Z",
            "20270104T104500Z",
        )]),
        timezone: None,
    });
    let response = dav.report(&path, Some("1"), &body).await?;
    let ms = multistatus(&response)?;
    let text = ms
        .responses
        .iter()
        .find_map(object_data)
        .ok_or_else(|| Finding::violation("calendar-data for the single event", "none"))?;
    let calendar = fixture::parse_calendar(&text)?;
    let event = calendar
        .components_of(ComponentKind::Event)
        .next()
        .ok_or_else(|| Finding::violation("a VEVENT in the calendar-data", text.clone()))?;
    let extra: Vec<String> = event
        .properties
        .iter()
        .map(|p| p.name.to_ascii_uppercase())
        .filter(|n| n != "UID" && n != "SUMMARY")
        .collect();
    ensure(
        extra.is_empty() && event.summary().is_some(),
        "a VEVENT with only UID and SUMMARY",
        || format!("also {extra:?}"),
    )
}

/// RFC 4791 §7.10: free-busy-query reports the busy time of the events in the range.
pub async fn free_busy(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = standard(&cx).await?;
    let body = DavRequest::FreeBusyQuery(FreeBusyQuery {
        time_range: range("20270104T000000Z", "20270105T000000Z"),
    });
    let response = dav.report(&path, Some("1"), &body).await?;
    ensure(response.status == 200, "200 with a VFREEBUSY", || {
        response.summary()
    })?;
    let calendar = fixture::parse_calendar(&response.text())?;
    let freebusy: Vec<_> = calendar.components_of(ComponentKind::FreeBusy).collect();
    let [component] = freebusy.as_slice() else {
        return Err(Finding::violation(
            "exactly one VFREEBUSY",
            format!("{} of them", freebusy.len()),
        ));
    };
    let periods: Vec<String> = component
        .properties_named("FREEBUSY")
        .flat_map(|p| p.text().split(',').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    let busy = |start: &str| periods.iter().any(|p| p.starts_with(start));
    ensure(
        busy("20270104T090000Z") && busy("20270104T100000Z"),
        "FREEBUSY periods starting 20270104T090000Z (weekly) and 20270104T100000Z (single)",
        || format!("FREEBUSY {periods:?}"),
    )
}

fn expand_query(expand: bool, start: &str, end: &str) -> DavRequest<'static> {
    let data = if expand {
        CalendarDataRequest {
            expand: Some(range(start, end)),
            ..calendar_data()
        }
    } else {
        CalendarDataRequest {
            limit_recurrence_set: Some(range(start, end)),
            ..calendar_data()
        }
    };
    let mut event = comp("VEVENT", Vec::new());
    event.prop_filters.push(PropFilter {
        name: "SUMMARY".into(),
        is_not_defined: false,
        time_range: None,
        text_match: Some(TextMatch {
            collation: None,
            negate: false,
            text: "Weekly standup".into(),
        }),
        param_filters: Vec::new(),
    });
    DavRequest::CalendarQuery(CalendarQuery {
        selection: Some(Propfind::Prop(vec![RequestedProp::CalendarData(data)])),
        filter: vcalendar(vec![event]),
        timezone: None,
    })
}

async fn weekly_data(
    dav: &mut Session,
    path: &str,
    body: &DavRequest<'static>,
) -> Result<groupwire_dav::ical::Component<'static>, Finding> {
    let response = dav.report(path, Some("1"), body).await?;
    let ms = multistatus(&response)?;
    let text = ms
        .responses
        .iter()
        .find_map(object_data)
        .ok_or_else(|| Finding::violation("calendar-data for the weekly series", "none"))?;
    fixture::parse_calendar(&text)
}

/// RFC 4791 §9.6.5: expand returns one component per instance in the range, without
/// recurrence properties.
pub async fn expand(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = standard(&cx).await?;
    let calendar = weekly_data(
        &mut dav,
        &path,
        &expand_query(true, "20270101T000000Z", "20270201T000000Z"),
    )
    .await?;
    let events: Vec<_> = calendar.components_of(ComponentKind::Event).collect();
    let starts: Vec<String> = events
        .iter()
        .filter_map(|e| e.property("DTSTART").map(|p| p.text().into_owned()))
        .collect();
    let recurrence = events.iter().any(|e| {
        e.property("RRULE").is_some()
            || e.property("EXDATE").is_some()
            || e.property("RDATE").is_some()
    });
    ensure(
        !recurrence
            && starts.len() == 3
            && ["20270104T090000Z", "20270111T090000Z", "20270126T150000Z"]
                .iter()
                .all(|s| starts.iter().any(|d| d == s)),
        "three VEVENTs without RRULE/EXDATE starting 20270104T090000Z, 20270111T090000Z, \
         20270126T150000Z",
        || format!("DTSTARTs {starts:?}, recurrence properties left: {recurrence}"),
    )
}

/// RFC 4791 §9.6.6: limit-recurrence-set returns the master and only the overridden
/// instances that touch the range.
pub async fn limit_recurrence_set(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = standard(&cx).await?;
    let calendar = weekly_data(
        &mut dav,
        &path,
        &expand_query(false, "20270201T000000Z", "20270301T000000Z"),
    )
    .await?;
    let events: Vec<_> = calendar.components_of(ComponentKind::Event).collect();
    let master = events
        .iter()
        .filter(|e| e.property("RECURRENCE-ID").is_none())
        .count();
    let overrides = events.len() - master;
    ensure(
        master == 1 && overrides == 0,
        "the master VEVENT and no overridden instance (the moved one is in January)",
        || format!("{master} master(s), {overrides} overridden instance(s)"),
    )
}
