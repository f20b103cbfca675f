//! CalDAV (RFC 4791): MKCALENDAR, calendar object validation on PUT (§5.3.2.1), the
//! calendar-query (§7.8, filters of §9.7 with the time-range rules of §9.9), calendar-multiget
//! (§7.9) and free-busy-query (§7.10) reports, and `calendar-data` with component
//! selection, `expand` and `limit-recurrence-set` (§9.6). Recurrence goes through
//! groupwire-dav's expansion (overrides, EXDATE, all-day, floating time, VTIMEZONE).

use std::collections::HashSet;

use bytes::Bytes;
use groupwire_dav::body::{
    CalendarDataRequest, CalendarQuery, CompFilter, CompSelect, DataValue, FreeBusyQuery, Multiget,
    ParamFilter, PropFilter, PropValue, Propfind, Selection, TextMatch, TimeRange,
};
use groupwire_dav::ical::expand::{self, Expansion};
use groupwire_dav::ical::value::{Date, DateOrDateTime, DateTime};
use groupwire_dav::ical::{self, Component, ComponentKind, DecodeOptions};
use groupwire_dav::xml::CalDav;
use groupwire_dav::{DavRequest, Decoded, Limits, Name};
use http::StatusCode;

use super::store::{self, CollectionKind, Content, Node, Tree, encode_href};
use super::xml::{self, Resp};
use super::{Ctx, Req, principals, props, webdav};
use crate::faults::Fault;

/// MKCALENDAR (RFC 4791 §5.3.1).
pub fn mkcalendar(ctx: &Ctx, req: &Req) -> Resp {
    let body = if req.body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        match xml::decode_body(ctx, &req.body) {
            Ok(DavRequest::Mkcalendar(body)) => Some(body),
            Ok(_) => return xml::plain(StatusCode::BAD_REQUEST, "expected CALDAV:mkcalendar\n"),
            Err(resp) => return resp,
        }
    };
    let kind = CollectionKind::Calendar {
        components: principals::default_components(),
    };
    webdav::create_collection(ctx, req, kind, body, true)
}

/// Decodes a whole iCalendar object (trailing white space allowed).
pub fn parse_calendar<'a>(body: &'a [u8], limits: &Limits) -> Option<Component<'a>> {
    whole_object(body, limits, ical::decode_calendar)
}

/// A decoder of one iCalendar or vCard object (`ical::decode_calendar`, `vcard::decode_vcard`).
pub type ObjectDecoder<'a, T, E> =
    fn(&'a [u8], &DecodeOptions) -> Result<Decoded<ical::Parsed<T>>, E>;

/// Decodes `body` with `decode` (lenient, under `limits`) when it is one whole object: nothing
/// but white space may follow it. Shared by PUT of iCalendar and of vCard data.
pub fn whole_object<'a, T, E>(
    body: &'a [u8],
    limits: &Limits,
    decode: ObjectDecoder<'a, T, E>,
) -> Option<T> {
    let options = DecodeOptions {
        limits: *limits,
        ..DecodeOptions::lenient()
    };
    match decode(body, &options) {
        Ok(Decoded::Complete { value, consumed })
            if body
                .get(consumed..)
                .is_some_and(|rest| rest.iter().all(u8::is_ascii_whitespace)) =>
        {
            Some(value.value)
        }
        _ => None,
    }
}

/// The components of a calendar object that are not time zones.
fn objects<'c, 'a>(calendar: &'c Component<'a>) -> Vec<&'c Component<'a>> {
    calendar
        .components
        .iter()
        .filter(|c| c.kind() != ComponentKind::Timezone)
        .collect()
}

/// Validates a calendar object PUT into a calendar accepting `components` (RFC 4791
/// §5.3.2.1 preconditions); the resource to store, or the 403 naming the precondition.
pub fn validate_object(
    ctx: &Ctx,
    tree: &Tree,
    path: &str,
    components: &[String],
    content_type: &str,
    body: &Bytes,
) -> Result<Content, Resp> {
    let forbidden = |name: CalDav| xml::error(StatusCode::FORBIDDEN, Name::CalDav(name));
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("text/calendar") && !ctx.fault(Fault::DavInvalidDataAccepted) {
        return Err(forbidden(CalDav::SupportedCalendarData));
    }
    let stored = |uid: Option<String>| Content::Resource {
        body: body.to_vec(),
        content_type: "text/calendar; charset=utf-8".to_string(),
        uid,
    };
    let Some(calendar) = parse_calendar(body, &ctx.limits) else {
        if ctx.fault(Fault::DavInvalidDataAccepted) {
            return Ok(stored(None));
        }
        return Err(forbidden(CalDav::ValidCalendarData));
    };
    let items = objects(&calendar);
    let uid = items.first().and_then(|c| c.uid()).map(|u| u.into_owned());
    let kind = items.first().map(|c| c.name.to_ascii_uppercase());
    let consistent = !items.is_empty()
        && uid.is_some()
        && items.iter().all(|c| {
            c.uid().map(|u| u.into_owned()) == uid && Some(c.name.to_ascii_uppercase()) == kind
        });
    if !consistent && !ctx.fault(Fault::DavInvalidDataAccepted) {
        return Err(forbidden(CalDav::ValidCalendarObjectResource));
    }
    if let Some(kind) = &kind
        && !components.iter().any(|c| c.eq_ignore_ascii_case(kind))
        && !ctx.fault(Fault::DavComponentSetIgnored)
    {
        return Err(forbidden(CalDav::SupportedCalendarComponent));
    }
    if let Some(conflict) = uid_conflict(tree, path, uid.as_deref())
        && !ctx.fault(Fault::DavUidConflictAccepted)
    {
        return Err(xml::error_hrefs(
            StatusCode::FORBIDDEN,
            Name::CalDav(CalDav::NoUidConflict),
            vec![encode_href(&conflict, false)],
        ));
    }
    Ok(stored(uid))
}

/// Another member of `path`'s collection with the same UID (calendar objects and vCards).
pub fn uid_conflict(tree: &Tree, path: &str, uid: Option<&str>) -> Option<String> {
    let uid = uid?;
    let parent = store::parent(path)?;
    tree.children(parent)
        .into_iter()
        .find(|(other, node)| other.as_str() != path && node.uid() == Some(uid))
        .map(|(other, _)| other.clone())
}

/// A `CALDAV:time-range` as instants; `Err` when a bound is not a UTC date-time.
fn range_of(range: &TimeRange<'_>) -> Result<expand::UtcRange, ()> {
    let bound = |text: &Option<std::borrow::Cow<'_, str>>, default: i64| match text {
        None => Ok(expand::Timestamp::from_unix_seconds(default)),
        Some(t) => expand::Timestamp::parse(t.trim()).map_err(|_| ()),
    };
    Ok(expand::UtcRange::new(
        bound(&range.start, i64::MIN / 4)?,
        bound(&range.end, i64::MAX / 4)?,
    ))
}

/// A `text-match` (RFC 4791 §9.7.5) with `i;ascii-casemap` (default) or `i;octet`.
fn text_matches(value: &str, tm: &TextMatch<'_>) -> bool {
    let found = match tm.collation.as_deref() {
        Some("i;octet") => value.contains(tm.text.as_ref()),
        _ => value
            .to_ascii_lowercase()
            .contains(&tm.text.to_ascii_lowercase()),
    };
    found != tm.negate
}

fn collations_supported(filter: &CompFilter<'_>) -> bool {
    let ok = |tm: &Option<TextMatch<'_>>| {
        tm.as_ref().is_none_or(|tm| {
            matches!(
                tm.collation.as_deref(),
                None | Some("i;ascii-casemap") | Some("i;octet")
            )
        })
    };
    filter
        .prop_filters
        .iter()
        .all(|pf| ok(&pf.text_match) && pf.param_filters.iter().all(|p| ok(&p.text_match)))
        && filter.comp_filters.iter().all(collations_supported)
}

/// Evaluates calendar-query filters against one calendar object.
struct Filter<'q> {
    limits: &'q Limits,
    ignore_time: bool,
    ignore_text: bool,
    /// The UTC offset of the query's CALDAV:timezone, in seconds: floating times are read in
    /// it (RFC 4791 §7.3); 0 reads them as UTC.
    floating_offset: i64,
}

/// The start of the first time range in a filter (when the query's time zone is read).
fn first_range_start(filter: &CompFilter<'_>) -> i64 {
    filter
        .time_range
        .as_ref()
        .and_then(|r| range_of(r).ok())
        .map(|r| r.start.unix_seconds())
        .or_else(|| {
            filter
                .comp_filters
                .iter()
                .map(first_range_start)
                .find(|s| *s != 0)
        })
        .unwrap_or(0)
}

/// Whether the calendar's events and tasks start at a floating date or time (no TZID, no Z).
fn is_floating(calendar: &Component<'_>) -> bool {
    objects(calendar).iter().any(|c| {
        c.property("DTSTART")
            .is_some_and(|p| p.param("TZID").is_none() && !p.value.trim().ends_with('Z'))
    })
}

/// The UTC offset (seconds) of the VTIMEZONE in a CALDAV:timezone value at `utc`.
fn query_offset(timezone: &str, utc: i64, limits: &Limits) -> i64 {
    let Some(calendar) = parse_calendar(timezone.as_bytes(), limits) else {
        return 0;
    };
    let Some(tz) = calendar.components_of(ComponentKind::Timezone).next() else {
        return 0;
    };
    match expand::Zone::from_vtimezone(tz, utc.saturating_add(400 * 86_400), limits) {
        Ok(zone) => zone.to_wall(utc) - utc,
        Err(_) => 0,
    }
}

impl Filter<'_> {
    fn calendar(&self, calendar: &Component<'_>, filter: &CompFilter<'_>) -> bool {
        if !filter.name.eq_ignore_ascii_case("VCALENDAR") || filter.is_not_defined {
            return false;
        }
        filter.prop_filters.iter().all(|pf| self.prop(calendar, pf))
            && filter
                .comp_filters
                .iter()
                .all(|cf| self.component(calendar, calendar, cf))
    }

    fn component(
        &self,
        calendar: &Component<'_>,
        parent: &Component<'_>,
        filter: &CompFilter<'_>,
    ) -> bool {
        let mut candidates: Vec<&Component<'_>> = parent
            .components
            .iter()
            .filter(|c| c.name.eq_ignore_ascii_case(&filter.name))
            .collect();
        if filter.is_not_defined {
            return candidates.is_empty();
        }
        if let Some(range) = filter.time_range.as_ref().filter(|_| !self.ignore_time) {
            let Ok(mut range) = range_of(range) else {
                return false;
            };
            if self.floating_offset != 0 && is_floating(calendar) {
                range.start = range.start + self.floating_offset;
                range.end = range.end + self.floating_offset;
            }
            let kind = ComponentKind::from_name(&filter.name);
            if matches!(
                kind,
                ComponentKind::Event | ComponentKind::Todo | ComponentKind::Journal
            ) && std::ptr::eq(parent, calendar)
            {
                candidates = self.occurring(calendar, kind, range);
            } else if kind == ComponentKind::FreeBusy {
                candidates.retain(|c| overlaps_own_dates(c, range));
            }
            // VALARM time ranges (§9.9 alarm triggers) are not evaluated: an alarm matches.
        }
        candidates.iter().any(|c| {
            filter.prop_filters.iter().all(|pf| self.prop(c, pf))
                && filter
                    .comp_filters
                    .iter()
                    .all(|cf| self.component(calendar, c, cf))
        })
    }

    /// The components of `kind` with an occurrence overlapping `range` (overrides for
    /// overridden occurrences).
    fn occurring<'c, 'a>(
        &self,
        calendar: &'c Component<'a>,
        kind: ComponentKind,
        range: expand::UtcRange,
    ) -> Vec<&'c Component<'a>> {
        let total = calendar.components_of(kind).count();
        let Ok(expansion) = Expansion::new(calendar, range, self.limits) else {
            return Vec::new();
        };
        let mut seen: Vec<&'c Component<'a>> = Vec::new();
        for instance in expansion {
            let Ok(instance) = instance else {
                break;
            };
            if instance.component.kind() == kind
                && !seen.iter().any(|c| std::ptr::eq(*c, instance.component))
            {
                seen.push(instance.component);
                if seen.len() >= total {
                    break;
                }
            }
        }
        seen
    }

    fn prop(&self, component: &Component<'_>, filter: &PropFilter<'_>) -> bool {
        let props: Vec<&ical::Property<'_>> = component.properties_named(&filter.name).collect();
        if filter.is_not_defined {
            return props.is_empty();
        }
        props.iter().any(|p| {
            let in_range = match filter.time_range.as_ref().filter(|_| !self.ignore_time) {
                None => true,
                Some(range) => match (range_of(range), DateOrDateTime::parse(p.value.trim())) {
                    (Ok(range), Ok(value)) => {
                        let at = value.wall_seconds();
                        at >= range.start.unix_seconds() && at < range.end.unix_seconds()
                    }
                    _ => false,
                },
            };
            in_range
                && filter
                    .text_match
                    .as_ref()
                    .is_none_or(|tm| self.ignore_text || text_matches(&p.text(), tm))
                && filter
                    .param_filters
                    .iter()
                    .all(|pf| self.ignore_text || param_matches(p, pf))
        })
    }
}

fn param_matches(p: &ical::Property<'_>, filter: &ParamFilter<'_>) -> bool {
    match p.param(&filter.name) {
        None => filter.is_not_defined,
        Some(_) if filter.is_not_defined => false,
        Some(param) => filter
            .text_match
            .as_ref()
            .is_none_or(|tm| param.values.iter().any(|v| text_matches(v, tm))),
    }
}

fn overlaps_own_dates(c: &Component<'_>, range: expand::UtcRange) -> bool {
    let at = |name: &str| {
        c.date_property(name)
            .and_then(Result::ok)
            .map(|(v, _)| v.wall_seconds())
    };
    match (at("DTSTART"), at("DTEND")) {
        (Some(start), Some(end)) => {
            start < range.end.unix_seconds() && end > range.start.unix_seconds()
        }
        _ => true,
    }
}

/// The members a calendar REPORT looks at: the calendar's objects (Depth 1, also when the
/// header is absent) or the one object addressed.
fn report_members<'t>(tree: &'t Tree, req: &Req) -> Result<Vec<(&'t String, &'t Node)>, Resp> {
    let depth = xml::depth(req)?;
    let Some(node) = tree.get(&req.path) else {
        return Err(xml::plain(StatusCode::NOT_FOUND, "not found\n"));
    };
    match node.collection() {
        Some(_) if depth == Some(groupwire_dav::headers::Depth::Zero) => Ok(Vec::new()),
        Some(_) => Ok(tree
            .children(&req.path)
            .into_iter()
            .filter(|(_, n)| !n.is_collection())
            .collect()),
        None => Ok(tree.get_key_value(&req.path).into_iter().collect()),
    }
}

/// calendar-query (RFC 4791 §7.8).
pub fn calendar_query(ctx: &Ctx, req: &Req, query: &CalendarQuery<'_>) -> Resp {
    if !collations_supported(&query.filter) {
        return xml::error(
            StatusCode::FORBIDDEN,
            Name::CalDav(CalDav::SupportedCollation),
        );
    }
    if !query.filter.name.eq_ignore_ascii_case("VCALENDAR") {
        return xml::error(StatusCode::FORBIDDEN, Name::CalDav(CalDav::ValidFilter));
    }
    let tree = ctx.tree();
    let members = match report_members(&tree, req) {
        Ok(m) => m,
        Err(resp) => return resp,
    };
    let filter = Filter {
        limits: &ctx.limits,
        ignore_time: ctx.fault(Fault::DavTimeRangeIgnored),
        ignore_text: ctx.fault(Fault::DavTextMatchIgnored),
        floating_offset: query.timezone.as_deref().map_or(0, |tz| {
            query_offset(tz, first_range_start(&query.filter), &ctx.limits)
        }),
    };
    let selection = selection_or_all(query.selection.as_ref());
    let mut responses = Vec::new();
    for (path, node) in members {
        let Some(calendar) = parse_calendar(node.body(), &ctx.limits) else {
            continue;
        };
        if filter.calendar(&calendar, &query.filter) {
            responses.push(props::response(ctx, &tree, path, node, &selection));
        }
    }
    xml::multistatus(groupwire_dav::body::Multistatus {
        responses,
        description: None,
        sync_token: None,
    })
}

/// The property selection of a REPORT, `allprop` when it has none.
pub fn selection_or_all(selection: Option<&Propfind<'_>>) -> Propfind<'static> {
    selection.map_or(
        Propfind::AllProp {
            include: Vec::new(),
        },
        |s| s.clone().into_owned(),
    )
}

/// The members a multiget names: each href's response, 404 for those that are not members
/// of the addressed collection.
pub fn multiget(ctx: &Ctx, req: &Req, query: &Multiget<'_>) -> Resp {
    let tree = ctx.tree();
    if !tree.exists(&req.path) {
        return xml::plain(StatusCode::NOT_FOUND, "not found\n");
    }
    let selection = selection_or_all(query.selection.as_ref());
    let mut responses = Vec::new();
    for href in &query.hrefs {
        let target = super::locks::reference_path(href.as_str());
        match target.as_deref().and_then(|p| tree.get_key_value(p)) {
            Some((path, node))
                if store::is_within(path, &req.path) && principals::visible(ctx, path) =>
            {
                responses.push(props::response(ctx, &tree, path, node, &selection));
            }
            _ => responses.push(xml::status_response(href.as_str().to_string(), 404)),
        }
    }
    xml::multistatus(groupwire_dav::body::Multistatus {
        responses,
        description: None,
        sync_token: None,
    })
}

/// calendar-multiget (RFC 4791 §7.9).
pub fn calendar_multiget(ctx: &Ctx, req: &Req, query: &Multiget<'_>) -> Resp {
    multiget(ctx, req, query)
}

fn utc_text(seconds: i64) -> String {
    DateTime::from_wall_seconds(seconds, true).map_or_else(String::new, |d| d.to_string())
}

fn date_property(name: &str, seconds: i64, all_day: bool) -> ical::Property<'static> {
    if all_day {
        let date = Date::from_days_since_epoch(seconds.div_euclid(86_400))
            .map_or_else(String::new, |d| d.to_string());
        ical::Property::new(name.to_string(), date).with_param("VALUE", "DATE")
    } else {
        ical::Property::new(name.to_string(), utc_text(seconds))
    }
}

/// The recurrence set expanded over `range` (RFC 4791 §9.6.5): one component per
/// occurrence, in UTC, with RECURRENCE-ID, and no VTIMEZONE.
fn expanded(
    calendar: &Component<'_>,
    range: expand::UtcRange,
    limits: &Limits,
) -> Option<Component<'static>> {
    let instances = expand::expand_calendar(calendar, range, limits).ok()?;
    let mut out = Component::new("VCALENDAR");
    out.properties = calendar
        .properties
        .iter()
        .cloned()
        .map(ical::Property::into_owned)
        .collect();
    for instance in instances {
        let mut c = instance.component.clone().into_owned();
        let end_name = if c.kind() == ComponentKind::Todo {
            "DUE"
        } else {
            "DTEND"
        };
        c.properties.retain(|p| {
            ![
                "DTSTART",
                "DTEND",
                "DUE",
                "DURATION",
                "RRULE",
                "RDATE",
                "EXDATE",
                "EXRULE",
                "RECURRENCE-ID",
            ]
            .iter()
            .any(|n| p.is(n))
        });
        let (start, end) = (instance.start.unix_seconds(), instance.end.unix_seconds());
        let mut dates = vec![date_property("DTSTART", start, instance.all_day)];
        if end > start {
            dates.push(date_property(end_name, end, instance.all_day));
        }
        if let Some(rid) = instance.recurrence_id {
            dates.push(date_property(
                "RECURRENCE-ID",
                rid.unix_seconds(),
                instance.all_day,
            ));
        }
        let at = c
            .properties
            .iter()
            .position(|p| p.is("UID"))
            .map_or(0, |i| i + 1);
        for (offset, p) in dates.into_iter().enumerate() {
            c.properties.insert(at + offset, p);
        }
        out.components.push(c);
    }
    Some(out)
}

/// The object limited to the master components and the overrides that occur in `range`
/// (RFC 4791 §9.6.6).
fn limited(
    calendar: &Component<'_>,
    range: expand::UtcRange,
    limits: &Limits,
) -> Option<Component<'static>> {
    let instances = expand::expand_calendar(calendar, range, limits).ok()?;
    let keep: HashSet<*const Component<'_>> = instances
        .iter()
        .map(|i| std::ptr::from_ref(i.component))
        .collect();
    let mut out = calendar.clone().into_owned();
    out.components = calendar
        .components
        .iter()
        .filter(|c| c.property("RECURRENCE-ID").is_none() || keep.contains(&std::ptr::from_ref(*c)))
        .cloned()
        .map(Component::into_owned)
        .collect();
    Some(out)
}

/// Applies a `CALDAV:comp` selection (RFC 4791 §9.6.1).
fn select(component: &Component<'_>, selection: &CompSelect<'_>) -> Component<'static> {
    let mut out = Component::new(component.name.to_string());
    out.properties = match &selection.props {
        Selection::All => component
            .properties
            .iter()
            .cloned()
            .map(ical::Property::into_owned)
            .collect(),
        Selection::Listed(wanted) => component
            .properties
            .iter()
            .filter_map(|p| {
                let w = wanted.iter().find(|w| p.is(&w.name))?;
                let mut p = p.clone().into_owned();
                if w.novalue {
                    p.value = "".into();
                }
                Some(p)
            })
            .collect(),
    };
    out.components = match &selection.comps {
        Selection::All => component
            .components
            .iter()
            .cloned()
            .map(Component::into_owned)
            .collect(),
        Selection::Listed(wanted) => component
            .components
            .iter()
            .filter_map(|c| {
                let w = wanted
                    .iter()
                    .find(|w| c.name.eq_ignore_ascii_case(&w.name))?;
                Some(select(c, w))
            })
            .collect(),
    };
    out
}

/// The `calendar-data` value of `node` as `request` asks for it; `Ok(None)` when the node
/// is not a calendar object.
pub fn calendar_data(
    ctx: &Ctx,
    node: &Node,
    request: &CalendarDataRequest<'_>,
) -> Result<Option<PropValue<'static>>, xml::Unsupported> {
    let Content::Resource { content_type, .. } = &node.content else {
        return Ok(None);
    };
    if !content_type.starts_with("text/calendar") {
        return Ok(None);
    }
    if request
        .content_type
        .as_deref()
        .is_some_and(|t| !t.eq_ignore_ascii_case("text/calendar"))
        || request.version.as_deref().is_some_and(|v| v != "2.0")
    {
        return Err(xml::Unsupported);
    }
    let value = |data: String| {
        Ok(Some(PropValue::Data(DataValue {
            content_type: None,
            version: None,
            data: data.into(),
        })))
    };
    let plain = request.comp.is_none()
        && request.expand.is_none()
        && request.limit_recurrence_set.is_none();
    if plain {
        return value(String::from_utf8_lossy(node.body()).into_owned());
    }
    let Some(calendar) = parse_calendar(node.body(), &ctx.limits) else {
        return value(String::from_utf8_lossy(node.body()).into_owned());
    };
    let mut calendar = calendar.into_owned();
    if let Some(range) = &request.expand {
        let range = range_of(range).map_err(|()| xml::Unsupported)?;
        if !ctx.fault(Fault::DavExpandIgnored) {
            calendar = expanded(&calendar, range, &ctx.limits).ok_or(xml::Unsupported)?;
        }
    } else if let Some(range) = &request.limit_recurrence_set {
        let range = range_of(range).map_err(|()| xml::Unsupported)?;
        calendar = limited(&calendar, range, &ctx.limits).ok_or(xml::Unsupported)?;
    }
    if let Some(selection) = &request.comp {
        calendar = select(&calendar, selection);
    }
    value(String::from_utf8_lossy(&calendar.to_bytes()).into_owned())
}

/// free-busy-query (RFC 4791 §7.10): the busy time of the events in the calendar.
pub fn free_busy(ctx: &Ctx, req: &Req, query: &FreeBusyQuery<'_>) -> Resp {
    let Ok(range) = range_of(&query.time_range) else {
        return xml::plain(StatusCode::BAD_REQUEST, "the time-range is not in UTC\n");
    };
    if query.time_range.start.is_none() {
        return xml::plain(StatusCode::BAD_REQUEST, "free-busy-query needs a start\n");
    }
    let tree = ctx.tree();
    let members = match report_members(&tree, req) {
        Ok(m) => m,
        Err(resp) => return resp,
    };
    let mut busy: Vec<(i64, i64, bool)> = Vec::new();
    for (_, node) in members {
        let Some(calendar) = parse_calendar(node.body(), &ctx.limits) else {
            continue;
        };
        let Ok(instances) = expand::expand_calendar(&calendar, range, &ctx.limits) else {
            continue;
        };
        for instance in instances {
            let c = instance.component;
            let text = |name: &str| c.property(name).map(|p| p.text().to_ascii_uppercase());
            if c.kind() != ComponentKind::Event
                || text("TRANSP").as_deref() == Some("TRANSPARENT")
                || text("STATUS").as_deref() == Some("CANCELLED")
            {
                continue;
            }
            let tentative = text("STATUS").as_deref() == Some("TENTATIVE");
            let start = instance.start.max(range.start).unix_seconds();
            let end = instance.end.min(range.end).unix_seconds();
            if end > start {
                busy.push((start, end, tentative));
            }
        }
    }
    busy.sort_unstable();
    let mut merged: Vec<(i64, i64, bool)> = Vec::new();
    for period in busy {
        match merged.iter_mut().rev().find(|m| m.2 == period.2) {
            Some(last) if period.0 <= last.1 => last.1 = last.1.max(period.1),
            _ => merged.push(period),
        }
    }
    let mut fb = Component::new("VFREEBUSY");
    fb.properties.push(ical::Property::new(
        "DTSTAMP",
        utc_text(crate::store::now_seconds()),
    ));
    fb.properties.push(ical::Property::new(
        "DTSTART",
        utc_text(range.start.unix_seconds()),
    ));
    if query.time_range.end.is_some() {
        fb.properties.push(ical::Property::new(
            "DTEND",
            utc_text(range.end.unix_seconds()),
        ));
    }
    for (start, end, tentative) in merged {
        let fbtype = if tentative { "BUSY-TENTATIVE" } else { "BUSY" };
        fb.properties.push(
            ical::Property::new("FREEBUSY", format!("{}/{}", utc_text(start), utc_text(end)))
                .with_param("FBTYPE", fbtype),
        );
    }
    let mut calendar = Component::new("VCALENDAR");
    calendar
        .properties
        .push(ical::Property::new("VERSION", "2.0"));
    calendar
        .properties
        .push(ical::Property::new("PRODID", "-//groupwire//reference//EN"));
    calendar.components.push(fb);
    xml::with_body(
        StatusCode::OK,
        "text/calendar; charset=utf-8",
        calendar.to_bytes(),
    )
}

/// Whether a calendar collection exists at `path` (for other modules' tests).
pub fn is_calendar(tree: &Tree, path: &str) -> bool {
    matches!(
        tree.get(path).and_then(Node::collection),
        Some(CollectionKind::Calendar { .. })
    )
}
