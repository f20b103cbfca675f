//! Recurrence expansion (RFC 5545 §3.3.10, §3.8.5) within a time range, as CalDAV
//! time-range filtering needs (RFC 4791 §9.9).
//!
//! Hand-written rather than on the `rrule` crate: `rrule` resolves TZIDs through the IANA
//! database (chrono-tz), whereas RFC 4791 §9.9 evaluates times with the VTIMEZONE carried in
//! the calendar object itself, and it needs owned, parsed-again rule strings where this crate
//! already holds a typed [`Recur`].
//!
//! Times are handled as "wall seconds" (seconds since 1970-01-01T00:00:00 of a clock
//! reading) and converted to UTC with [`Zone`]. Floating times and TZIDs without a VTIMEZONE
//! are taken as UTC. RANGE=THISANDFUTURE overrides are treated as single-instance overrides.

use crate::ical::component::{Component, ComponentKind};
use crate::ical::recur::{Frequency, Recur, WeekdayNum};
use crate::ical::value::{
    self, Date, DateOrDateTime, Duration, Period, PeriodEnd, UtcOffset, days_in_month, is_leap_year,
};
use crate::{DecodeError, ErrorKind, Expected, Limit, Limits};

/// A half-open UTC interval `[start, end)` in seconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    /// Inclusive start.
    pub start: i64,
    /// Exclusive end.
    pub end: i64,
}

/// One occurrence of an event, to-do or journal entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance<'c, 'a> {
    /// The component that describes this occurrence: the master, or the override whose
    /// RECURRENCE-ID matched.
    pub component: &'c Component<'a>,
    /// The original start (UTC seconds) this occurrence replaces; `None` when the component
    /// does not recur.
    pub recurrence_id: Option<i64>,
    /// Start, UTC seconds.
    pub start: i64,
    /// End, UTC seconds (equal to `start` for zero-length occurrences).
    pub end: i64,
    /// Whether DTSTART is a DATE.
    pub all_day: bool,
}

fn invalid(what: Expected) -> DecodeError {
    DecodeError::new(0, ErrorKind::Expected(what))
}

fn too_many() -> DecodeError {
    DecodeError::new(0, ErrorKind::LimitExceeded(Limit::Instances))
}

/// A time zone as a list of offset transitions, built from a VTIMEZONE.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Zone {
    /// (onset in wall seconds of the old offset, offset before, offset after), ascending.
    transitions: Vec<(i64, i32, i32)>,
}

impl Zone {
    /// UTC itself (and floating time, which this module treats as UTC).
    pub fn utc() -> Self {
        Self::default()
    }

    /// Builds the zone from a VTIMEZONE's STANDARD and DAYLIGHT observances, expanding
    /// their rules up to `until_wall`.
    pub fn from_vtimezone(
        tz: &Component<'_>,
        until_wall: i64,
        limits: &Limits,
    ) -> Result<Self, DecodeError> {
        let mut transitions = Vec::new();
        for obs in tz
            .components
            .iter()
            .filter(|c| matches!(c.kind(), ComponentKind::Standard | ComponentKind::Daylight))
        {
            let offset = |name: &str| -> Result<i32, DecodeError> {
                let p = obs
                    .property(name)
                    .ok_or_else(|| invalid(Expected::UtcOffset))?;
                Ok(UtcOffset::parse(&p.value)?.seconds)
            };
            let from = offset("TZOFFSETFROM")?;
            let to = offset("TZOFFSETTO")?;
            let Some(start) = obs.date_property("DTSTART") else {
                continue;
            };
            let (start, _) = start?;
            let mut onsets = vec![start.wall_seconds()];
            for rule in obs.properties_named("RRULE") {
                let rule = Recur::parse(&rule.value)?;
                let until = rule.until.map(|u| {
                    // UNTIL of an observance is UTC; move it to the wall clock of `from`.
                    if u.is_utc() {
                        u.wall_seconds() + i64::from(from)
                    } else {
                        u.wall_seconds()
                    }
                });
                onsets.extend(occurrences(start, &rule, until, until_wall, limits)?);
            }
            for rdate in obs.properties_named("RDATE") {
                for part in value::split_unescaped(&rdate.value, b',') {
                    onsets.push(DateOrDateTime::parse(part.1)?.wall_seconds());
                }
            }
            transitions.extend(onsets.into_iter().map(|w| (w, from, to)));
        }
        transitions.sort_unstable();
        transitions.dedup();
        Ok(Self { transitions })
    }

    /// The UTC offset in force at wall-clock reading `wall`. A reading skipped by a forward
    /// jump takes the offset before the jump, and a repeated reading its first occurrence
    /// (RFC 5545 §3.3.5).
    pub fn offset_at_wall(&self, wall: i64) -> i32 {
        let idx = self.transitions.partition_point(|t| t.0 <= wall);
        match idx.checked_sub(1).and_then(|i| self.transitions.get(i)) {
            Some(&(onset, from, to)) => {
                if to > from && wall < onset + i64::from(to - from) {
                    from
                } else {
                    to
                }
            }
            None => self.transitions.first().map_or(0, |t| t.1),
        }
    }

    /// Wall-clock reading to UTC seconds.
    pub fn to_utc(&self, wall: i64) -> i64 {
        wall - i64::from(self.offset_at_wall(wall))
    }

    /// UTC seconds to the wall-clock reading.
    pub fn to_wall(&self, utc: i64) -> i64 {
        let idx = self
            .transitions
            .partition_point(|t| t.0 - i64::from(t.1) <= utc);
        let offset = match idx.checked_sub(1).and_then(|i| self.transitions.get(i)) {
            Some(t) => t.2,
            None => self.transitions.first().map_or(0, |t| t.1),
        };
        utc + i64::from(offset)
    }
}

/// The wall-clock start times (ascending, deduplicated) that `rule` generates from `dtstart`,
/// stopping after `until_wall` (UNTIL, already moved to dtstart's wall clock), COUNT, or the
/// first period that starts after `horizon_wall`.
pub fn occurrences(
    dtstart: DateOrDateTime,
    rule: &Recur,
    until_wall: Option<i64>,
    horizon_wall: i64,
    limits: &Limits,
) -> Result<Vec<i64>, DecodeError> {
    let start_wall = dtstart.wall_seconds();
    let d0 = dtstart.date();
    let (h0, m0, s0) = match dtstart {
        DateOrDateTime::Date(_) => (0, 0, 0),
        DateOrDateTime::DateTime(dt) => (dt.time.hour, dt.time.minute, dt.time.second),
    };
    let all_day = matches!(dtstart, DateOrDateTime::Date(_));
    let interval = i64::from(rule.interval());
    let mut out: Vec<i64> = Vec::new();
    let max_periods = limits.max_instances.saturating_mul(20).max(10_000);
    let mut candidates: Vec<i64> = Vec::new();
    let ctx = Ctx {
        rule,
        d0,
        limit: limits.max_instances,
    };
    for k in 0..max_periods as i64 {
        candidates.clear();
        let period_start: i64;
        match rule.freq {
            Frequency::Yearly => {
                let year = i64::from(d0.year) + k * interval;
                if year > 9999 {
                    break;
                }
                period_start = value::days_from_civil(year, 1, 1) * 86_400;
                if period_start > horizon_wall {
                    break;
                }
                let (first, last) = if rule.by_week_no.is_empty() {
                    (
                        value::days_from_civil(year, 1, 1),
                        value::days_from_civil(year, 12, 31),
                    )
                } else {
                    (
                        week_one_start(year, rule),
                        week_one_start(year + 1, rule) - 1,
                    )
                };
                for day in first..=last {
                    ctx.push_day(day, Some(year), &mut candidates, (h0, m0, s0), all_day);
                }
            }
            Frequency::Monthly => {
                let index = (i64::from(d0.year) * 12 + i64::from(d0.month) - 1) + k * interval;
                let (year, month) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u8);
                if year > 9999 {
                    break;
                }
                let first = value::days_from_civil(year, month, 1);
                period_start = first * 86_400;
                if period_start > horizon_wall {
                    break;
                }
                for day in first..first + i64::from(days_in_month(year, month)) {
                    ctx.push_day(day, None, &mut candidates, (h0, m0, s0), all_day);
                }
            }
            Frequency::Weekly => {
                let d = d0.days_since_epoch();
                let back =
                    (i64::from(weekday_of(d)) - i64::from(rule.week_start().index())).rem_euclid(7);
                let first = d - back + 7 * k * interval;
                period_start = first * 86_400;
                if period_start > horizon_wall {
                    break;
                }
                for day in first..first + 7 {
                    ctx.push_day(day, None, &mut candidates, (h0, m0, s0), all_day);
                }
            }
            Frequency::Daily => {
                let day = d0.days_since_epoch() + k * interval;
                period_start = day * 86_400;
                if period_start > horizon_wall {
                    break;
                }
                ctx.push_day(day, None, &mut candidates, (h0, m0, s0), all_day);
            }
            Frequency::Hourly | Frequency::Minutely | Frequency::Secondly => {
                let unit = match rule.freq {
                    Frequency::Hourly => 3600,
                    Frequency::Minutely => 60,
                    _ => 1,
                };
                let base =
                    start_wall.saturating_add(k.saturating_mul(interval).saturating_mul(unit));
                period_start = base;
                if period_start > horizon_wall {
                    break;
                }
                ctx.push_sub_daily(base, &mut candidates);
            }
        }
        if period_start > horizon_wall {
            break;
        }
        if candidates.len() > limits.max_instances {
            return Err(too_many());
        }
        candidates.sort_unstable();
        candidates.dedup();
        let selected: Vec<i64> = if rule.by_set_pos.is_empty() {
            std::mem::take(&mut candidates)
        } else {
            let mut picked: Vec<i64> = rule
                .by_set_pos
                .iter()
                .filter_map(|&p| {
                    let len = candidates.len() as i64;
                    let idx = if p > 0 {
                        i64::from(p) - 1
                    } else {
                        len + i64::from(p)
                    };
                    usize::try_from(idx)
                        .ok()
                        .and_then(|i| candidates.get(i).copied())
                })
                .collect();
            picked.sort_unstable();
            picked.dedup();
            picked
        };
        for c in selected {
            if c < start_wall {
                continue;
            }
            if until_wall.is_some_and(|u| c > u) {
                return Ok(out);
            }
            if c > horizon_wall {
                return Ok(out);
            }
            out.push(c);
            if out.len() > limits.max_instances {
                return Err(too_many());
            }
            if rule.count.is_some_and(|n| out.len() >= n as usize) {
                return Ok(out);
            }
        }
    }
    Ok(out)
}

/// Monday = 0 weekday of a day number.
fn weekday_of(day: i64) -> u8 {
    (day + 3).rem_euclid(7) as u8
}

/// First day of week 1 of `year`: the week (starting on WKST) that holds January 4th.
fn week_one_start(year: i64, rule: &Recur) -> i64 {
    let jan4 = value::days_from_civil(year, 1, 4);
    jan4 - (i64::from(weekday_of(jan4)) - i64::from(rule.week_start().index())).rem_euclid(7)
}

struct Ctx<'r> {
    rule: &'r Recur,
    d0: Date,
    /// Candidates beyond this many in one period are not generated (the caller then fails
    /// with the instance limit), so BYHOUR x BYMINUTE x BYSECOND cannot exhaust memory.
    limit: usize,
}

impl Ctx<'_> {
    /// Adds the times of `day` when it passes the rule's day-level parts. `week_year` is the
    /// period's year for YEARLY rules.
    fn push_day(
        &self,
        day: i64,
        week_year: Option<i64>,
        out: &mut Vec<i64>,
        t0: (u8, u8, u8),
        all_day: bool,
    ) {
        if out.len() > self.limit || !self.day_matches(day, week_year) {
            return;
        }
        if all_day {
            out.push(day * 86_400);
            return;
        }
        let r = self.rule;
        let hours = if r.by_hour.is_empty() {
            vec![t0.0]
        } else {
            r.by_hour.clone()
        };
        let minutes = if r.by_minute.is_empty() {
            vec![t0.1]
        } else {
            r.by_minute.clone()
        };
        let seconds = if r.by_second.is_empty() {
            vec![t0.2]
        } else {
            r.by_second.clone()
        };
        for h in &hours {
            for m in &minutes {
                if out.len() > self.limit {
                    return;
                }
                for s in &seconds {
                    out.push(
                        day * 86_400 + i64::from(*h) * 3600 + i64::from(*m) * 60 + i64::from(*s),
                    );
                }
            }
        }
    }

    /// HOURLY/MINUTELY/SECONDLY: the period's own time, with finer parts expanded.
    fn push_sub_daily(&self, base: i64, out: &mut Vec<i64>) {
        let r = self.rule;
        let day = base.div_euclid(86_400);
        if !self.day_matches(day, None) {
            return;
        }
        let sod = base.rem_euclid(86_400);
        let (h, m, s) = ((sod / 3600) as u8, (sod / 60 % 60) as u8, (sod % 60) as u8);
        if !r.by_hour.is_empty() && !r.by_hour.contains(&h) {
            return;
        }
        let minutes = match r.freq {
            Frequency::Hourly if !r.by_minute.is_empty() => r.by_minute.clone(),
            _ if !r.by_minute.is_empty() && !r.by_minute.contains(&m) => return,
            _ => vec![m],
        };
        let seconds = match r.freq {
            Frequency::Hourly | Frequency::Minutely if !r.by_second.is_empty() => {
                r.by_second.clone()
            }
            _ if !r.by_second.is_empty() && !r.by_second.contains(&s) => return,
            _ => vec![s],
        };
        for mm in &minutes {
            for ss in &seconds {
                out.push(day * 86_400 + i64::from(h) * 3600 + i64::from(*mm) * 60 + i64::from(*ss));
            }
        }
    }

    fn day_matches(&self, day: i64, week_year: Option<i64>) -> bool {
        let r = self.rule;
        let (y, m, d) = value::civil_from_days(day);
        let wd = weekday_of(day);
        let dim = i64::from(days_in_month(y, m));
        let year_len = if is_leap_year(y) { 366 } else { 365 };
        let yday = day - value::days_from_civil(y, 1, 1) + 1;
        if !r.by_month.is_empty() && !r.by_month.contains(&m) {
            return false;
        }
        if let Some(wy) = week_year.filter(|_| !r.by_week_no.is_empty()) {
            let first = week_one_start(wy, r);
            let weeks = (week_one_start(wy + 1, r) - first) / 7;
            let n = (day - first) / 7 + 1;
            let ok = r.by_week_no.iter().any(|&w| {
                let w = i64::from(w);
                if w > 0 { w == n } else { weeks + 1 + w == n }
            });
            if !ok {
                return false;
            }
        }
        if !r.by_year_day.is_empty()
            && !r.by_year_day.iter().any(|&n| {
                let n = i64::from(n);
                if n > 0 {
                    n == yday
                } else {
                    year_len + 1 + n == yday
                }
            })
        {
            return false;
        }
        if !r.by_month_day.is_empty()
            && !r.by_month_day.iter().any(|&n| {
                let n = i64::from(n);
                if n > 0 {
                    n == i64::from(d)
                } else {
                    dim + 1 + n == i64::from(d)
                }
            })
        {
            return false;
        }
        if !r.by_day.is_empty() {
            // Ordinals count within the month for MONTHLY and YEARLY+BYMONTH, else the year.
            let in_month = r.freq == Frequency::Monthly || !r.by_month.is_empty();
            let (pos, len) = if in_month {
                (i64::from(d), dim)
            } else {
                (yday, year_len)
            };
            let nth = (pos - 1) / 7 + 1;
            let nth_from_end = -((len - pos) / 7 + 1);
            let ok = r.by_day.iter().any(|WeekdayNum { ordinal, weekday }| {
                weekday.index() == wd
                    && match ordinal {
                        None => true,
                        Some(_) if !matches!(r.freq, Frequency::Monthly | Frequency::Yearly) => {
                            true
                        }
                        Some(n) => i64::from(*n) == nth || i64::from(*n) == nth_from_end,
                    }
            });
            if !ok {
                return false;
            }
        }
        // Defaults taken from DTSTART when the rule names no day (RFC 5545 §3.3.10).
        let no_day_parts =
            r.by_day.is_empty() && r.by_month_day.is_empty() && r.by_year_day.is_empty();
        match r.freq {
            Frequency::Yearly if no_day_parts && r.by_week_no.is_empty() => {
                d == self.d0.day && (!r.by_month.is_empty() || m == self.d0.month)
            }
            Frequency::Yearly if no_day_parts => wd == self.d0.weekday_index(),
            Frequency::Monthly if no_day_parts => d == self.d0.day,
            Frequency::Weekly if r.by_day.is_empty() => wd == self.d0.weekday_index(),
            _ => true,
        }
    }
}

/// Zones of a calendar, looked up by TZID.
struct Zones<'c, 'a> {
    calendar: &'c Component<'a>,
    until_wall: i64,
    cache: Vec<(String, Zone)>,
}

impl Zones<'_, '_> {
    fn get(&mut self, tzid: Option<&str>, utc: bool, limits: &Limits) -> Result<Zone, DecodeError> {
        let Some(tzid) = tzid.filter(|_| !utc) else {
            return Ok(Zone::utc());
        };
        if let Some((_, z)) = self.cache.iter().find(|(id, _)| id == tzid) {
            return Ok(z.clone());
        }
        let zone = match self
            .calendar
            .components_of(ComponentKind::Timezone)
            .find(|tz| tz.property("TZID").is_some_and(|p| p.value == tzid))
        {
            Some(tz) => Zone::from_vtimezone(tz, self.until_wall, limits)?,
            None => Zone::utc(),
        };
        self.cache.push((tzid.to_owned(), zone.clone()));
        Ok(zone)
    }
}

/// Every occurrence of the VEVENT, VTODO and VJOURNAL components of `calendar` that
/// overlaps `range` by the rules of RFC 4791 §9.9, sorted by start.
pub fn expand_calendar<'c, 'a>(
    calendar: &'c Component<'a>,
    range: TimeRange,
    limits: &Limits,
) -> Result<Vec<Instance<'c, 'a>>, DecodeError> {
    // Slack for time-zone offsets (at most ±26 h between wall clock and UTC).
    let horizon_wall = range.end.saturating_add(2 * 86_400);
    let mut zones = Zones {
        calendar,
        until_wall: horizon_wall,
        cache: Vec::new(),
    };
    let items: Vec<&Component<'a>> = calendar
        .components
        .iter()
        .filter(|c| {
            matches!(
                c.kind(),
                ComponentKind::Event | ComponentKind::Todo | ComponentKind::Journal
            )
        })
        .collect();
    let mut out = Vec::new();
    for master in items
        .iter()
        .filter(|c| c.property("RECURRENCE-ID").is_none())
    {
        let uid = master.uid();
        let overrides: Vec<&Component<'a>> = items
            .iter()
            .filter(|c| c.property("RECURRENCE-ID").is_some() && c.uid() == uid)
            .copied()
            .collect();
        expand_master(
            master,
            &overrides,
            range,
            horizon_wall,
            &mut zones,
            limits,
            &mut out,
        )?;
    }
    // Overrides without a master stand alone.
    for orphan in items.iter().filter(|c| {
        c.property("RECURRENCE-ID").is_some()
            && !items
                .iter()
                .any(|m| m.property("RECURRENCE-ID").is_none() && m.uid() == c.uid())
    }) {
        if let Some(inst) = single(orphan, None, &mut zones, limits)?
            && overlaps(&inst, range)
        {
            out.push(inst);
        }
    }
    out.sort_by_key(|i| (i.start, i.end));
    Ok(out)
}

/// Start/end of a component by itself, or `None` when it has no DTSTART (nor DUE).
fn single<'c, 'a>(
    c: &'c Component<'a>,
    recurrence_id: Option<i64>,
    zones: &mut Zones<'_, '_>,
    limits: &Limits,
) -> Result<Option<Instance<'c, 'a>>, DecodeError> {
    let Some(start) = c
        .date_property("DTSTART")
        .or_else(|| c.date_property("DUE"))
    else {
        return Ok(None);
    };
    let (start, tzid) = start?;
    let zone = zones.get(tzid, start.is_utc(), limits)?;
    let wall = start.wall_seconds();
    let (s, e) = span(c, start, wall, &zone, zones, limits)?;
    Ok(Some(Instance {
        component: c,
        recurrence_id,
        start: s,
        end: e,
        all_day: matches!(start, DateOrDateTime::Date(_)),
    }))
}

/// UTC start and end of an occurrence of `c` starting at wall-clock `wall`.
fn span(
    c: &Component<'_>,
    dtstart: DateOrDateTime,
    wall: i64,
    zone: &Zone,
    zones: &mut Zones<'_, '_>,
    limits: &Limits,
) -> Result<(i64, i64), DecodeError> {
    let start = zone.to_utc(wall);
    let end_name = if c.kind() == ComponentKind::Todo {
        "DUE"
    } else {
        "DTEND"
    };
    let end = if let Some(end) = c
        .date_property(end_name)
        .filter(|_| c.property("DTSTART").is_some())
    {
        let (end, tzid) = end?;
        let end_zone = zones.get(tzid, end.is_utc(), limits)?;
        let exact = end_zone.to_utc(end.wall_seconds()) - zone.to_utc(dtstart.wall_seconds());
        start + exact.max(0)
    } else if let Some(d) = c.duration() {
        let d = d?;
        add_duration(start, wall, d, zone)
    } else if matches!(dtstart, DateOrDateTime::Date(_)) {
        zone.to_utc(wall + 86_400)
    } else {
        start
    };
    Ok((start, end))
}

/// Adds a DURATION: days and weeks are nominal (wall clock), the rest exact (RFC 5545 §3.3.6).
fn add_duration(start_utc: i64, wall: i64, d: Duration, zone: &Zone) -> i64 {
    let nominal = (i64::from(d.weeks) * 7 + i64::from(d.days)) * 86_400;
    let exact = i64::from(d.hours) * 3600 + i64::from(d.minutes) * 60 + i64::from(d.seconds);
    let sign = if d.negative { -1 } else { 1 };
    if nominal == 0 {
        start_utc + sign * exact
    } else {
        zone.to_utc(wall + sign * nominal) + sign * exact
    }
}

fn overlaps(i: &Instance<'_, '_>, range: TimeRange) -> bool {
    if i.end > i.start {
        i.start < range.end && i.end > range.start
    } else {
        range.start <= i.start && i.start < range.end
    }
}

#[allow(clippy::too_many_arguments)]
fn expand_master<'c, 'a>(
    master: &'c Component<'a>,
    overrides: &[&'c Component<'a>],
    range: TimeRange,
    horizon_wall: i64,
    zones: &mut Zones<'_, '_>,
    limits: &Limits,
    out: &mut Vec<Instance<'c, 'a>>,
) -> Result<(), DecodeError> {
    let recurs = master.property("RRULE").is_some() || master.property("RDATE").is_some();
    if !recurs {
        if let Some(inst) = single(master, None, zones, limits)?
            && overlaps(&inst, range)
        {
            out.push(inst);
        }
        return Ok(());
    }
    let Some(start) = master.date_property("DTSTART") else {
        return Ok(());
    };
    let (dtstart, tzid) = start?;
    let zone = zones.get(tzid, dtstart.is_utc(), limits)?;
    let all_day = matches!(dtstart, DateOrDateTime::Date(_));
    // (wall start, explicit UTC end for RDATE periods)
    let mut walls: Vec<(i64, Option<i64>)> = vec![(dtstart.wall_seconds(), None)];
    for rule in master.properties_named("RRULE") {
        let rule = Recur::parse(&rule.value)?;
        let until = rule.until.map(|u| {
            if u.is_utc() {
                zone.to_wall(u.wall_seconds())
            } else {
                u.wall_seconds()
            }
        });
        let horizon = zone.to_wall(horizon_wall);
        walls.extend(
            occurrences(dtstart, &rule, until, horizon, limits)?
                .into_iter()
                .map(|w| (w, None)),
        );
    }
    for rdate in master.properties_named("RDATE") {
        let is_period = rdate
            .param_value("VALUE")
            .is_some_and(|v| v.eq_ignore_ascii_case("PERIOD"));
        // Floating RDATE/EXDATE values of a zoned event are read in DTSTART's zone, as
        // clients that omit the TZID mean.
        let rzone = match rdate.param_value("TZID") {
            Some(t) => zones.get(Some(t), false, limits)?,
            None => zone.clone(),
        };
        for (_, part) in value::split_unescaped(&rdate.value, b',') {
            if is_period {
                let Period { start, end } = Period::parse(part)?;
                let s = if start.time.utc {
                    start.wall_seconds()
                } else {
                    rzone.to_utc(start.wall_seconds())
                };
                let e = match end {
                    PeriodEnd::End(e) if e.time.utc => e.wall_seconds(),
                    PeriodEnd::End(e) => rzone.to_utc(e.wall_seconds()),
                    PeriodEnd::Duration(d) => s + d.total_seconds(),
                };
                walls.push((zone.to_wall(s), Some(e)));
            } else {
                let v = DateOrDateTime::parse(part)?;
                let utc = if v.is_utc() {
                    v.wall_seconds()
                } else {
                    rzone.to_utc(v.wall_seconds())
                };
                walls.push((zone.to_wall(utc), None));
            }
        }
    }
    if walls.len() > limits.max_instances {
        return Err(too_many());
    }
    walls.sort_unstable();
    walls.dedup_by_key(|w| w.0);
    // EXDATE: matched by UTC instant, or by date for DATE values.
    let mut ex_instants = Vec::new();
    let mut ex_dates = Vec::new();
    for ex in master.properties_named("EXDATE") {
        let ezone = match ex.param_value("TZID") {
            Some(t) => zones.get(Some(t), false, limits)?,
            None => zone.clone(),
        };
        for (_, part) in value::split_unescaped(&ex.value, b',') {
            match DateOrDateTime::parse(part)? {
                DateOrDateTime::Date(d) => ex_dates.push(d),
                v if v.is_utc() => ex_instants.push(v.wall_seconds()),
                v => ex_instants.push(ezone.to_utc(v.wall_seconds())),
            }
        }
    }
    let mut rids: Vec<(i64, &'c Component<'a>)> = Vec::new();
    for o in overrides {
        let Some(rid) = o.date_property("RECURRENCE-ID") else {
            continue;
        };
        let (rid, rtz) = rid?;
        let rzone = zones.get(rtz, rid.is_utc(), limits)?;
        let utc = if all_day {
            zone.to_utc(rid.wall_seconds())
        } else {
            rzone.to_utc(rid.wall_seconds())
        };
        rids.push((utc, o));
    }
    let mut used = vec![false; rids.len()];
    for (wall, period_end) in walls {
        let utc = zone.to_utc(wall);
        let excluded = ex_instants.contains(&utc)
            || Date::from_days_since_epoch(wall.div_euclid(86_400))
                .is_some_and(|d| ex_dates.contains(&d));
        if excluded {
            continue;
        }
        let inst = if let Some(i) = rids.iter().position(|(r, _)| *r == utc) {
            if let Some(u) = used.get_mut(i) {
                *u = true;
            }
            rids.get(i)
                .map(|(_, o)| single(o, Some(utc), zones, limits))
                .transpose()?
                .flatten()
        } else {
            let (s, e) = span(master, dtstart, wall, &zone, zones, limits)?;
            Some(Instance {
                component: master,
                recurrence_id: Some(utc),
                start: s,
                end: period_end.unwrap_or(e),
                all_day,
            })
        };
        if let Some(inst) = inst.filter(|i| overlaps(i, range)) {
            out.push(inst);
        }
    }
    // Overrides of instances beyond the generated horizon may still move into the range.
    for ((rid, o), _) in rids.iter().zip(&used).filter(|(_, u)| !**u) {
        if *rid <= horizon_wall || ex_instants.contains(rid) {
            continue;
        }
        if let Some(inst) = single(o, Some(*rid), zones, limits)?.filter(|i| overlaps(i, range)) {
            out.push(inst);
        }
    }
    Ok(())
}
