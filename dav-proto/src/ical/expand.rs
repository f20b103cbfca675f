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
//!
//! Hostile calendars cost bounded time and memory: one call (an [`Expansion`], or
//! [`expand_calendar`] which collects one) produces at most [`Limits::max_instances`]
//! instances and does at most [`Limits::max_expansion_work`] steps of work, over all its
//! components together; past either it fails with an error naming the limit. Indexing is
//! O(n log n) in the number of components, and instances are generated lazily in time order,
//! so a caller that reads the first 50 pays for about 50.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::sync::Arc;

use crate::ical::component::{Component, ComponentKind};
use crate::ical::recur::{Frequency, Recur, WeekdayNum};
use crate::ical::time::reading;
pub use crate::ical::time::{Timestamp, UtcRange};
use crate::ical::value::{
    self, Date, DateOrDateTime, Duration, Period, PeriodEnd, UtcOffset, days_in_month, is_leap_year,
};
use crate::{DecodeError, ErrorKind, Expected, Limit, Limits};

/// A half-open UTC interval `[start, end)` in seconds since the Unix epoch (inside the
/// expansion; the public API takes a [`UtcRange`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: i64,
    end: i64,
}

impl From<UtcRange> for Span {
    fn from(range: UtcRange) -> Self {
        Span {
            start: range.start.unix_seconds(),
            end: range.end.unix_seconds(),
        }
    }
}

/// One occurrence of an event, to-do or journal entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance<'c, 'a> {
    /// The component that describes this occurrence: the master, or the override whose
    /// RECURRENCE-ID matched.
    pub component: &'c Component<'a>,
    /// The original start this occurrence replaces; `None` when the component does not
    /// recur.
    pub recurrence_id: Option<Timestamp>,
    /// Start.
    pub start: Timestamp,
    /// End (equal to `start` for zero-length occurrences).
    pub end: Timestamp,
    /// Whether DTSTART is a DATE.
    pub all_day: bool,
    /// Seconds the component's own clock (DTSTART's zone) is ahead of UTC at `start`.
    offset: i64,
    /// Whether DTSTART is a UTC DATE-TIME.
    utc: bool,
}

impl Instance<'_, '_> {
    /// The start as the component's own clock reads it (in DTSTART's time zone): a DATE for
    /// an all-day occurrence, a DATE-TIME otherwise (its `utc` flag set when DTSTART is UTC).
    /// `None` only outside the years iCalendar can write.
    pub fn local_start(&self) -> Option<DateOrDateTime> {
        reading(
            self.start.unix_seconds().saturating_add(self.offset),
            self.all_day,
            self.utc,
        )
    }

    /// The end as the component's own clock reads it, with the offset at the start (an
    /// occurrence across a DST change reads one hour off; use [`Zone`] for exact readings).
    pub fn local_end(&self) -> Option<DateOrDateTime> {
        reading(
            self.end.unix_seconds().saturating_add(self.offset),
            self.all_day,
            self.utc,
        )
    }

    /// Length in seconds.
    pub fn duration_seconds(&self) -> i64 {
        self.end.seconds_since(self.start)
    }
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
        Self::build(tz, until_wall, limits, &mut Budget::new(limits))
    }

    fn build(
        tz: &Component<'_>,
        until_wall: i64,
        limits: &Limits,
        budget: &mut Budget,
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
                onsets.extend(occurrences_within(
                    start, &rule, until, until_wall, limits, budget,
                )?);
            }
            for rdate in obs.properties_named("RDATE") {
                for part in value::split_unescaped(&rdate.value, b',') {
                    budget.spend(1)?;
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

    /// The largest UTC offset the zone uses (0 for UTC): no wall-clock reading `w` is
    /// earlier than `w - max_offset()` in UTC.
    fn max_offset(&self) -> i64 {
        self.transitions
            .iter()
            .map(|t| i64::from(t.1.max(t.2)))
            .max()
            .unwrap_or(0)
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

/// The work one expansion call may still do, counted against [`Limits::max_expansion_work`].
///
/// One unit is one step of the generator: a recurrence period visited, a day or time
/// examined, a candidate kept, an occurrence produced, a component indexed.
#[derive(Debug, Clone, Copy)]
struct Budget {
    spent: u64,
    max: u64,
}

impl Budget {
    fn new(limits: &Limits) -> Self {
        Self {
            spent: 0,
            max: limits.max_expansion_work,
        }
    }

    fn spend(&mut self, units: u64) -> Result<(), DecodeError> {
        self.spent = self.spent.saturating_add(units);
        if self.spent > self.max {
            return Err(DecodeError::new(
                0,
                ErrorKind::LimitExceeded(Limit::ExpansionWork),
            ));
        }
        Ok(())
    }
}

/// The wall-clock start times (ascending, deduplicated) that `rule` generates from `dtstart`,
/// stopping after `until_wall` (UNTIL, already moved to dtstart's wall clock), COUNT, or the
/// first period that starts after `horizon_wall`.
///
/// Fails with [`Limit::Instances`] past [`Limits::max_instances`] occurrences (or candidates
/// in one period) and with [`Limit::ExpansionWork`] past [`Limits::max_expansion_work`]
/// steps (a rule that matches nothing for millions of periods).
pub fn occurrences(
    dtstart: DateOrDateTime,
    rule: &Recur,
    until_wall: Option<i64>,
    horizon_wall: i64,
    limits: &Limits,
) -> Result<Vec<i64>, DecodeError> {
    occurrences_within(
        dtstart,
        rule,
        until_wall,
        horizon_wall,
        limits,
        &mut Budget::new(limits),
    )
}

fn occurrences_within(
    dtstart: DateOrDateTime,
    rule: &Recur,
    until_wall: Option<i64>,
    horizon_wall: i64,
    limits: &Limits,
    budget: &mut Budget,
) -> Result<Vec<i64>, DecodeError> {
    let mut rule = RuleIter::new(dtstart, rule.clone(), until_wall, horizon_wall, limits);
    rule.per_rule_cap = Some(limits.max_instances);
    let mut out = Vec::new();
    while let Some(wall) = rule.next(budget)? {
        out.push(wall);
    }
    Ok(out)
}

/// The occurrences of one RRULE, generated a period at a time, in ascending wall-clock order.
#[derive(Debug, Clone)]
struct RuleIter {
    rule: Recur,
    d0: Date,
    t0: (u8, u8, u8),
    all_day: bool,
    start_wall: i64,
    until_wall: Option<i64>,
    horizon_wall: i64,
    /// Candidates beyond this many in one period are an error.
    candidate_cap: usize,
    /// Occurrences beyond this many are an error (for [`occurrences`]; expansions bound the
    /// whole call instead).
    per_rule_cap: Option<usize>,
    /// The next period to generate.
    k: i64,
    /// The current period's selected times, ascending, and how many were taken.
    period: Vec<i64>,
    taken: usize,
    produced: usize,
    done: bool,
}

impl RuleIter {
    fn new(
        dtstart: DateOrDateTime,
        rule: Recur,
        until_wall: Option<i64>,
        horizon_wall: i64,
        limits: &Limits,
    ) -> Self {
        let t0 = match dtstart {
            DateOrDateTime::Date(_) => (0, 0, 0),
            DateOrDateTime::DateTime(dt) => (dt.time.hour, dt.time.minute, dt.time.second),
        };
        Self {
            rule,
            d0: dtstart.date(),
            t0,
            all_day: matches!(dtstart, DateOrDateTime::Date(_)),
            start_wall: dtstart.wall_seconds(),
            until_wall,
            horizon_wall,
            candidate_cap: limits.max_instances,
            per_rule_cap: None,
            k: 0,
            period: Vec::new(),
            taken: 0,
            produced: 0,
            done: false,
        }
    }

    /// Skips whole periods that end before `from_wall`. Only without COUNT: COUNT counts
    /// from DTSTART, so every earlier occurrence must be generated to know where it ends.
    /// Each period's selection depends on that period alone, so the rest is unchanged.
    fn skip_to(&mut self, from_wall: i64) {
        if self.rule.count.is_some() || from_wall <= self.start_wall {
            return;
        }
        let interval = i64::from(self.rule.interval().max(1));
        let from_day = from_wall.div_euclid(86_400);
        let d0 = self.d0.days_since_epoch();
        let periods = match self.rule.freq {
            Frequency::Yearly => {
                let (year, _, _) = value::civil_from_days(from_day);
                (year - i64::from(self.d0.year)).div_euclid(interval)
            }
            Frequency::Monthly => {
                let (year, month, _) = value::civil_from_days(from_day);
                let index = year * 12 + i64::from(month) - 1;
                let first = i64::from(self.d0.year) * 12 + i64::from(self.d0.month) - 1;
                (index - first).div_euclid(interval)
            }
            Frequency::Weekly => {
                let back = (i64::from(weekday_of(d0)) - i64::from(self.rule.week_start().index()))
                    .rem_euclid(7);
                (from_day - (d0 - back)).div_euclid(7 * interval)
            }
            Frequency::Daily => (from_day - d0).div_euclid(interval),
            Frequency::Hourly | Frequency::Minutely | Frequency::Secondly => {
                let unit = match self.rule.freq {
                    Frequency::Hourly => 3600,
                    Frequency::Minutely => 60,
                    _ => 1,
                };
                (from_wall - self.start_wall).div_euclid(interval.saturating_mul(unit))
            }
        };
        // One period of margin: ISO weeks of a YEARLY rule reach into the previous year.
        self.k = self.k.max(periods.saturating_sub(1));
    }

    /// The next occurrence, or `None` when the rule has ended.
    fn next(&mut self, budget: &mut Budget) -> Result<Option<i64>, DecodeError> {
        loop {
            if self.done {
                return Ok(None);
            }
            if let Some(&time) = self.period.get(self.taken) {
                self.taken += 1;
                if time < self.start_wall {
                    continue;
                }
                if self.until_wall.is_some_and(|u| time > u) || time > self.horizon_wall {
                    self.done = true;
                    return Ok(None);
                }
                self.produced += 1;
                if self.per_rule_cap.is_some_and(|cap| self.produced > cap) {
                    return Err(too_many());
                }
                if self.rule.count.is_some_and(|n| self.produced >= n as usize) {
                    self.done = true;
                }
                return Ok(Some(time));
            }
            if !self.next_period(budget)? {
                self.done = true;
            }
        }
    }

    /// Generates period `k` into `self.period`; `false` when it starts past the horizon.
    fn next_period(&mut self, budget: &mut Budget) -> Result<bool, DecodeError> {
        let k = self.k;
        self.k = self.k.saturating_add(1);
        self.period.clear();
        self.taken = 0;
        let rule = &self.rule;
        let ctx = Ctx {
            rule,
            d0: self.d0,
            limit: self.candidate_cap,
        };
        let (t0, all_day, horizon) = (self.t0, self.all_day, self.horizon_wall);
        let interval = i64::from(rule.interval());
        let candidates = &mut self.period;
        let mut days_examined: u64 = 0;
        let mut push_days = |days: std::ops::Range<i64>, week_year: Option<i64>| {
            days_examined += u64::try_from(days.end - days.start).unwrap_or(0);
            for day in days {
                ctx.push_day(day, week_year, candidates, t0, all_day);
            }
        };
        match rule.freq {
            Frequency::Yearly => {
                let year = i64::from(self.d0.year).saturating_add(k.saturating_mul(interval));
                if year > 9999 || value::days_from_civil(year, 1, 1) * 86_400 > horizon {
                    return Ok(false);
                }
                if rule.by_week_no.is_empty() && !rule.by_month.is_empty() {
                    // Only the months named: a twelfth of the days for a yearly VTIMEZONE rule.
                    let mut months: Vec<u8> = rule
                        .by_month
                        .iter()
                        .copied()
                        .filter(|m| (1..=12).contains(m))
                        .collect();
                    months.sort_unstable();
                    months.dedup();
                    for month in months {
                        let first = value::days_from_civil(year, month, 1);
                        push_days(
                            first..first + i64::from(days_in_month(year, month)),
                            Some(year),
                        );
                    }
                } else if rule.by_week_no.is_empty() {
                    let first = value::days_from_civil(year, 1, 1);
                    push_days(first..value::days_from_civil(year, 12, 31) + 1, Some(year));
                } else {
                    push_days(
                        week_one_start(year, rule)..week_one_start(year + 1, rule),
                        Some(year),
                    );
                }
            }
            Frequency::Monthly => {
                let index = (i64::from(self.d0.year) * 12 + i64::from(self.d0.month) - 1)
                    .saturating_add(k.saturating_mul(interval));
                let (year, month) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u8);
                if year > 9999 {
                    return Ok(false);
                }
                let first = value::days_from_civil(year, month, 1);
                if first * 86_400 > horizon {
                    return Ok(false);
                }
                push_days(first..first + i64::from(days_in_month(year, month)), None);
            }
            Frequency::Weekly => {
                let d = self.d0.days_since_epoch();
                let back =
                    (i64::from(weekday_of(d)) - i64::from(rule.week_start().index())).rem_euclid(7);
                let first = (d - back).saturating_add(k.saturating_mul(7).saturating_mul(interval));
                if first > 9999 * 366 || first * 86_400 > horizon {
                    return Ok(false);
                }
                push_days(first..first + 7, None);
            }
            Frequency::Daily => {
                let day = self
                    .d0
                    .days_since_epoch()
                    .saturating_add(k.saturating_mul(interval));
                if day > 9999 * 366 || day * 86_400 > horizon {
                    return Ok(false);
                }
                push_days(day..day + 1, None);
            }
            Frequency::Hourly | Frequency::Minutely | Frequency::Secondly => {
                let unit = match rule.freq {
                    Frequency::Hourly => 3600,
                    Frequency::Minutely => 60,
                    _ => 1,
                };
                let base = self
                    .start_wall
                    .saturating_add(k.saturating_mul(interval).saturating_mul(unit));
                if base > horizon {
                    return Ok(false);
                }
                days_examined = 1;
                ctx.push_sub_daily(base, candidates);
            }
        }
        budget.spend(1 + days_examined + self.period.len() as u64)?;
        if self.period.len() > self.candidate_cap {
            return Err(too_many());
        }
        self.period.sort_unstable();
        self.period.dedup();
        if !self.rule.by_set_pos.is_empty() {
            let len = self.period.len() as i64;
            let mut picked: Vec<i64> = self
                .rule
                .by_set_pos
                .iter()
                .filter_map(|&p| {
                    let idx = if p > 0 {
                        i64::from(p) - 1
                    } else {
                        len + i64::from(p)
                    };
                    usize::try_from(idx)
                        .ok()
                        .and_then(|i| self.period.get(i).copied())
                })
                .collect();
            picked.sort_unstable();
            picked.dedup();
            self.period = picked;
        }
        Ok(true)
    }
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

/// Zones of a calendar: VTIMEZONEs indexed by TZID once, each built at most once.
struct Zones<'c, 'a> {
    /// (TZID, VTIMEZONE), sorted by TZID, document order among equal TZIDs.
    by_tzid: Vec<(&'c str, &'c Component<'a>)>,
    until_wall: i64,
    cache: BTreeMap<String, Arc<Zone>>,
}

impl<'c, 'a> Zones<'c, 'a> {
    fn new(
        calendar: &'c Component<'a>,
        until_wall: i64,
        budget: &mut Budget,
    ) -> Result<Self, DecodeError> {
        let mut by_tzid: Vec<(&'c str, &'c Component<'a>)> = Vec::new();
        for tz in calendar.components_of(ComponentKind::Timezone) {
            budget.spend(1)?;
            if let Some(id) = tz.property("TZID") {
                by_tzid.push((id.value.as_ref(), tz));
            }
        }
        by_tzid.sort_by(|a, b| a.0.cmp(b.0));
        Ok(Self {
            by_tzid,
            until_wall,
            cache: BTreeMap::new(),
        })
    }

    fn get(
        &mut self,
        tzid: Option<&str>,
        utc: bool,
        limits: &Limits,
        budget: &mut Budget,
    ) -> Result<Arc<Zone>, DecodeError> {
        let Some(tzid) = tzid.filter(|_| !utc) else {
            return Ok(Arc::new(Zone::utc()));
        };
        if let Some(zone) = self.cache.get(tzid) {
            return Ok(Arc::clone(zone));
        }
        let first = self.by_tzid.partition_point(|(id, _)| *id < tzid);
        let zone = match self.by_tzid.get(first).filter(|(id, _)| *id == tzid) {
            Some((_, tz)) => Zone::build(tz, self.until_wall, limits, budget)?,
            None => Zone::utc(),
        };
        let zone = Arc::new(zone);
        self.cache.insert(tzid.to_owned(), Arc::clone(&zone));
        Ok(zone)
    }
}

/// Every occurrence of the VEVENT, VTODO and VJOURNAL components of `calendar` that
/// overlaps `range` by the rules of RFC 4791 §9.9, sorted by start.
///
/// The whole call is bounded: more than [`Limits::max_instances`] occurrences in the range
/// fail with [`Limit::Instances`], more than [`Limits::max_expansion_work`] steps with
/// [`Limit::ExpansionWork`]. To read only the first few, use [`Expansion`], which stops as
/// soon as the caller does.
pub fn expand_calendar<'c, 'a>(
    calendar: &'c Component<'a>,
    range: UtcRange,
    limits: &Limits,
) -> Result<Vec<Instance<'c, 'a>>, DecodeError> {
    Expansion::new(calendar, range, limits)?.collect()
}

/// How the end of an occurrence follows from its start.
#[derive(Debug, Clone, Copy)]
enum EndRule {
    /// DTEND (or DUE): the same exact length for every occurrence.
    Exact(i64),
    /// DURATION: days and weeks nominal, the rest exact.
    Nominal(Duration),
    /// A DATE start without end: one day.
    NextDay,
    /// A DATE-TIME start without end: a point.
    Point,
}

impl EndRule {
    fn of(
        c: &Component<'_>,
        dtstart: DateOrDateTime,
        zone: &Zone,
        zones: &mut Zones<'_, '_>,
        limits: &Limits,
        budget: &mut Budget,
    ) -> Result<Self, DecodeError> {
        let end_name = if c.kind() == ComponentKind::Todo {
            "DUE"
        } else {
            "DTEND"
        };
        if let Some(end) = c
            .date_property(end_name)
            .filter(|_| c.property("DTSTART").is_some())
        {
            let (end, tzid) = end?;
            let end_zone = zones.get(tzid, end.is_utc(), limits, budget)?;
            let exact = end_zone.to_utc(end.wall_seconds()) - zone.to_utc(dtstart.wall_seconds());
            Ok(Self::Exact(exact.max(0)))
        } else if let Some(d) = c.duration() {
            Ok(Self::Nominal(d?))
        } else if matches!(dtstart, DateOrDateTime::Date(_)) {
            Ok(Self::NextDay)
        } else {
            Ok(Self::Point)
        }
    }

    fn end(self, start_utc: i64, wall: i64, zone: &Zone) -> i64 {
        match self {
            Self::Exact(length) => start_utc.saturating_add(length),
            Self::Nominal(d) => add_duration(start_utc, wall, d, zone),
            Self::NextDay => zone.to_utc(wall.saturating_add(86_400)),
            Self::Point => start_utc,
        }
    }

    /// An upper bound on the length of any occurrence, so generation may start that much
    /// before the range (plus the 26 h any zone offset can add).
    fn longest(self) -> i64 {
        match self {
            Self::Exact(length) => length,
            Self::Nominal(d) if !d.negative => {
                (i64::from(d.weeks) * 7 + i64::from(d.days) + 1) * 86_400
                    + i64::from(d.hours) * 3600
                    + i64::from(d.minutes) * 60
                    + i64::from(d.seconds)
            }
            Self::Nominal(_) | Self::Point => 0,
            Self::NextDay => 2 * 86_400,
        }
    }
}

/// Start/end of a component by itself, or `None` when it has no DTSTART (nor DUE).
fn single<'c, 'a>(
    c: &'c Component<'a>,
    recurrence_id: Option<i64>,
    zones: &mut Zones<'_, '_>,
    limits: &Limits,
    budget: &mut Budget,
) -> Result<Option<Instance<'c, 'a>>, DecodeError> {
    let Some(start) = c
        .date_property("DTSTART")
        .or_else(|| c.date_property("DUE"))
    else {
        return Ok(None);
    };
    let (start, tzid) = start?;
    let zone = zones.get(tzid, start.is_utc(), limits, budget)?;
    let wall = start.wall_seconds();
    let begin = zone.to_utc(wall);
    let end = EndRule::of(c, start, &zone, zones, limits, budget)?.end(begin, wall, &zone);
    Ok(Some(Instance {
        component: c,
        recurrence_id: recurrence_id.map(Timestamp::from_unix_seconds),
        start: Timestamp::from_unix_seconds(begin),
        end: Timestamp::from_unix_seconds(end),
        all_day: matches!(start, DateOrDateTime::Date(_)),
        offset: wall.saturating_sub(begin),
        utc: start.is_utc(),
    }))
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

fn overlaps(start: i64, end: i64, range: Span) -> bool {
    if end > start {
        start < range.end && end > range.start
    } else {
        range.start <= start && start < range.end
    }
}

/// The wall-clock starts of one recurring component: DTSTART, its RRULEs and RDATEs merged
/// in ascending order without duplicates. An RDATE PERIOD carries its own UTC end.
#[derive(Debug)]
struct Walls {
    dtstart: Option<i64>,
    /// (wall start, UTC end of an RDATE PERIOD), ascending; `rdate_at` is the next one.
    rdates: Vec<(i64, Option<i64>)>,
    rdate_at: usize,
    rules: Vec<(RuleIter, Option<Option<i64>>)>,
    ahead: Option<Option<(i64, Option<i64>)>>,
    /// The last wall returned: anything not after it is a duplicate.
    last: Option<i64>,
}

impl Walls {
    fn skip_to(&mut self, from_wall: i64) {
        for (rule, _) in &mut self.rules {
            rule.skip_to(from_wall);
        }
    }

    fn peek(&mut self, budget: &mut Budget) -> Result<Option<i64>, DecodeError> {
        if self.ahead.is_none() {
            self.ahead = Some(self.advance(budget)?);
        }
        Ok(self.ahead.flatten().map(|(wall, _)| wall))
    }

    fn next(&mut self, budget: &mut Budget) -> Result<Option<(i64, Option<i64>)>, DecodeError> {
        match self.ahead.take() {
            Some(ahead) => Ok(ahead),
            None => self.advance(budget),
        }
    }

    fn advance(&mut self, budget: &mut Budget) -> Result<Option<(i64, Option<i64>)>, DecodeError> {
        loop {
            let cheap = self
                .dtstart
                .map(|w| (w, None))
                .into_iter()
                .chain(self.rdates.get(self.rdate_at).copied())
                .min();
            // A rule never generates before DTSTART: while DTSTART is the smallest of the
            // rest, its rules need not be searched yet (a rule's equal first occurrence is
            // dropped later as a duplicate).
            let dtstart_first = cheap.is_some_and(|c| Some(c.0) == self.dtstart);
            if !dtstart_first {
                for (rule, head) in &mut self.rules {
                    if head.is_none() {
                        *head = Some(rule.next(budget)?);
                    }
                }
            }
            // `None` ends sort first, so a rule's or DTSTART's occurrence wins over an RDATE
            // PERIOD at the same time.
            let best = if dtstart_first {
                cheap
            } else {
                cheap
                    .into_iter()
                    .chain(
                        self.rules
                            .iter()
                            .filter_map(|(_, head)| head.flatten().map(|w| (w, None))),
                    )
                    .min()
            };
            let Some((wall, _)) = best else {
                return Ok(None);
            };
            if self.dtstart == Some(wall) {
                self.dtstart = None;
            }
            while self.rdates.get(self.rdate_at).is_some_and(|r| r.0 == wall) {
                self.rdate_at += 1;
            }
            for (_, head) in &mut self.rules {
                if *head == Some(Some(wall)) {
                    *head = None;
                }
            }
            if self.last.is_some_and(|last| wall <= last) {
                continue;
            }
            self.last = Some(wall);
            return Ok(best);
        }
    }
}

/// The occurrences of one recurring component that the expansion still has to merge.
#[derive(Debug)]
struct Recurring<'c, 'a> {
    master: &'c Component<'a>,
    order: usize,
    zone: Arc<Zone>,
    all_day: bool,
    /// Whether DTSTART is a UTC DATE-TIME.
    utc: bool,
    end_rule: EndRule,
    walls: Walls,
    /// EXDATE instants (UTC) and days (DATE values), sorted.
    excluded_instants: Vec<i64>,
    excluded_days: Vec<i64>,
    /// RECURRENCE-IDs (UTC) of this component's overrides, sorted.
    overridden: Vec<i64>,
    /// Occurrences generated but not yet merged: (start, end, sequence number).
    pending: BinaryHeap<Reverse<(i64, i64, u64)>>,
    sequence: u64,
    /// The largest UTC offset of the zone: no wall time `w` starts before `w - max_offset`.
    max_offset: i64,
    range: Span,
    /// The last wall time taken from `walls`.
    last_wall: Option<i64>,
    exhausted: bool,
}

impl Recurring<'_, '_> {
    fn is_excluded(&self, utc: i64, wall: i64) -> bool {
        self.excluded_instants.binary_search(&utc).is_ok()
            || self
                .excluded_days
                .binary_search(&wall.div_euclid(86_400))
                .is_ok()
    }

    /// Generates until the earliest pending occurrence can no longer be preceded by a later
    /// one (starts are ascending in wall time, not always in UTC: a skipped wall time keeps
    /// the offset before the jump), or the range is passed.
    fn refill(&mut self, budget: &mut Budget) -> Result<(), DecodeError> {
        while !self.exhausted {
            // Walls only grow: when even the next possible one cannot come first, stop
            // before searching for it.
            if let (Some(last), Some(Reverse(first))) = (self.last_wall, self.pending.peek())
                && last.saturating_add(1).saturating_sub(self.max_offset) > first.0
            {
                break;
            }
            let Some(wall) = self.walls.peek(budget)? else {
                self.exhausted = true;
                break;
            };
            let earliest = wall.saturating_sub(self.max_offset);
            if earliest >= self.range.end {
                self.exhausted = true;
                break;
            }
            if self
                .pending
                .peek()
                .is_some_and(|Reverse(first)| earliest > first.0)
            {
                break;
            }
            let Some((wall, period_end)) = self.walls.next(budget)? else {
                continue;
            };
            self.last_wall = Some(wall);
            budget.spend(1)?;
            let utc = self.zone.to_utc(wall);
            if self.is_excluded(utc, wall) || self.overridden.binary_search(&utc).is_ok() {
                continue;
            }
            let end = period_end.unwrap_or_else(|| self.end_rule.end(utc, wall, &self.zone));
            if overlaps(utc, end, self.range) {
                self.pending.push(Reverse((utc, end, self.sequence)));
                self.sequence += 1;
            }
        }
        Ok(())
    }

    fn head(&self) -> Option<Key> {
        self.pending
            .peek()
            .map(|Reverse((start, end, seq))| (*start, *end, self.order, *seq))
    }
}

/// Merge order: start, end, the component's place in the calendar, generation order.
type Key = (i64, i64, usize, u64);

/// The occurrences of a calendar within a range, produced lazily in time order (start, then
/// end), as [`expand_calendar`] returns them.
///
/// Building it indexes the calendar (components by UID, overrides by UID and RECURRENCE-ID,
/// time zones by TZID) in O(n log n) and places every non-recurring component; recurring
/// ones are generated only as far as the caller reads, merged through a heap. A caller that
/// takes 50 instances pays for about 50 (plus one lookahead per recurring component).
///
/// Each item is an instance or, once, the error that ended the expansion:
/// [`Limit::Instances`] when more than [`Limits::max_instances`] instances would be
/// produced, [`Limit::ExpansionWork`] past [`Limits::max_expansion_work`] steps. After an
/// error the iterator ends.
#[derive(Debug)]
pub struct Expansion<'c, 'a> {
    recurring: Vec<Recurring<'c, 'a>>,
    /// Heads of `recurring`, by key, with the index of their source.
    heads: BinaryHeap<Reverse<(Key, usize)>>,
    /// Whether every recurring source has generated its first instance (done on the first
    /// read, so that building the expansion searches nothing).
    primed: bool,
    /// The source whose instance was handed out last, to refill on the next read.
    drained: Option<usize>,
    /// Non-recurring components, overrides and orphans, sorted by key; `next_single` is next.
    singles: Vec<(Key, Instance<'c, 'a>)>,
    next_single: usize,
    budget: Budget,
    max_instances: usize,
    produced: usize,
    ended: bool,
}

impl<'c, 'a> Expansion<'c, 'a> {
    /// Indexes `calendar` and prepares the expansion of its VEVENT, VTODO and VJOURNAL
    /// components over `range` (RFC 4791 §9.9 overlap). Fails on a malformed date, rule or
    /// zone of any component, or when indexing alone passes a limit.
    pub fn new(
        calendar: &'c Component<'a>,
        range: UtcRange,
        limits: &Limits,
    ) -> Result<Self, DecodeError> {
        let range = Span::from(range);
        let mut budget = Budget::new(limits);
        // Slack for time-zone offsets (at most ±26 h between wall clock and UTC).
        let horizon_wall = range.end.saturating_add(2 * 86_400);
        let mut zones = Zones::new(calendar, horizon_wall, &mut budget)?;
        let mut masters: Vec<(Option<Cow<'c, str>>, usize)> = Vec::new();
        let mut overrides: Vec<(Option<Cow<'c, str>>, usize, &'c Component<'a>)> = Vec::new();
        let items: Vec<&'c Component<'a>> = calendar
            .components
            .iter()
            .filter(|c| {
                matches!(
                    c.kind(),
                    ComponentKind::Event | ComponentKind::Todo | ComponentKind::Journal
                )
            })
            .collect();
        for (order, item) in items.iter().enumerate() {
            budget.spend(1)?;
            if item.property("RECURRENCE-ID").is_some() {
                overrides.push((item.uid(), order, item));
            } else {
                masters.push((item.uid(), order));
            }
        }
        // Sorted once: every lookup below is a binary search, so n components cost n log n.
        budget.spend((masters.len() + overrides.len()) as u64)?;
        let mut master_uids: Vec<&Option<Cow<'c, str>>> = masters.iter().map(|m| &m.0).collect();
        master_uids.sort_unstable();
        overrides.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));

        let mut singles: Vec<(Key, Instance<'c, 'a>)> = Vec::new();
        let mut recurring = Vec::new();
        let mut keep = |instance: Instance<'c, 'a>, order: usize| {
            let (start, end) = (instance.start.unix_seconds(), instance.end.unix_seconds());
            if overlaps(start, end, range) {
                singles.push(((start, end, order, 0), instance));
            }
        };
        for (uid, order) in &masters {
            let Some(&master) = items.get(*order) else {
                continue;
            };
            let first = overrides.partition_point(|o| &o.0 < uid);
            let rest = overrides.get(first..).unwrap_or_default();
            let own = rest.iter().take_while(|o| &o.0 == uid).map(|o| o.2);
            let recurs = master.property("RRULE").is_some() || master.property("RDATE").is_some();
            if !recurs {
                if let Some(instance) = single(master, None, &mut zones, limits, &mut budget)? {
                    keep(instance, *order);
                }
                continue;
            }
            let Some(source) = Recurring::new(
                master,
                *order,
                own,
                range,
                horizon_wall,
                &mut zones,
                limits,
                &mut budget,
                &mut keep,
            )?
            else {
                continue;
            };
            recurring.push(source);
        }
        // Overrides without a master stand alone, after every component with one.
        for (uid, order, orphan) in &overrides {
            if master_uids.binary_search(&uid).is_err()
                && let Some(instance) = single(orphan, None, &mut zones, limits, &mut budget)?
            {
                keep(instance, items.len() + order);
            }
        }
        singles.sort_by_key(|(key, _)| *key);
        Ok(Self {
            recurring,
            heads: BinaryHeap::new(),
            primed: false,
            drained: None,
            singles,
            next_single: 0,
            budget,
            max_instances: limits.max_instances,
            produced: 0,
            ended: false,
        })
    }

    /// Steps of work done so far (counted against [`Limits::max_expansion_work`]).
    pub fn work(&self) -> u64 {
        self.budget.spent
    }

    /// Instances produced so far (counted against [`Limits::max_instances`]).
    pub fn produced(&self) -> usize {
        self.produced
    }

    /// Instances held in memory and not yet produced: the non-recurring components still
    /// to come plus the lookahead of the recurring ones.
    pub fn buffered(&self) -> usize {
        self.singles.len() - self.next_single
            + self
                .recurring
                .iter()
                .map(|r| r.pending.len())
                .sum::<usize>()
    }

    fn next_instance(&mut self) -> Result<Option<Instance<'c, 'a>>, DecodeError> {
        if !self.primed {
            self.primed = true;
            for (index, source) in self.recurring.iter_mut().enumerate() {
                source.refill(&mut self.budget)?;
                if let Some(key) = source.head() {
                    self.heads.push(Reverse((key, index)));
                }
            }
        }
        if let Some(index) = self.drained.take()
            && let Some(source) = self.recurring.get_mut(index)
        {
            source.refill(&mut self.budget)?;
            if let Some(key) = source.head() {
                self.heads.push(Reverse((key, index)));
            }
        }
        let single = self.singles.get(self.next_single).map(|(key, _)| *key);
        let head = self.heads.peek().map(|Reverse(h)| *h);
        let take_single = match (single, head) {
            (None, None) => return Ok(None),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(single), Some((head, _))) => single <= head,
        };
        if self.produced >= self.max_instances {
            return Err(too_many());
        }
        self.produced += 1;
        if take_single {
            let instance = self.singles.get(self.next_single).map(|(_, i)| i.clone());
            self.next_single += 1;
            return Ok(instance);
        }
        let Some(Reverse((_, index))) = self.heads.pop() else {
            return Ok(None);
        };
        let Some(source) = self.recurring.get_mut(index) else {
            return Ok(None);
        };
        let Some(Reverse((start, end, _))) = source.pending.pop() else {
            return Ok(None);
        };
        // The source's next instance is searched on the next read, not before this one is
        // handed out.
        self.drained = Some(index);
        Ok(Some(Instance {
            component: source.master,
            recurrence_id: Some(Timestamp::from_unix_seconds(start)),
            start: Timestamp::from_unix_seconds(start),
            end: Timestamp::from_unix_seconds(end),
            all_day: source.all_day,
            offset: source.zone.to_wall(start).saturating_sub(start),
            utc: source.utc,
        }))
    }
}

impl<'c, 'a> Iterator for Expansion<'c, 'a> {
    type Item = Result<Instance<'c, 'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.ended {
            return None;
        }
        match self.next_instance() {
            Ok(Some(instance)) => Some(Ok(instance)),
            Ok(None) => {
                self.ended = true;
                None
            }
            Err(error) => {
                self.ended = true;
                Some(Err(error))
            }
        }
    }
}

impl std::iter::FusedIterator for Expansion<'_, '_> {}

impl<'c, 'a> Recurring<'c, 'a> {
    /// Prepares a recurring component; its valid overrides go to `keep` as single
    /// instances. `None` when it has no DTSTART.
    #[allow(clippy::too_many_arguments)]
    fn new(
        master: &'c Component<'a>,
        order: usize,
        overrides: impl Iterator<Item = &'c Component<'a>>,
        range: Span,
        horizon_wall: i64,
        zones: &mut Zones<'_, '_>,
        limits: &Limits,
        budget: &mut Budget,
        keep: &mut impl FnMut(Instance<'c, 'a>, usize),
    ) -> Result<Option<Self>, DecodeError> {
        let Some(start) = master.date_property("DTSTART") else {
            return Ok(None);
        };
        let (dtstart, tzid) = start?;
        let zone = zones.get(tzid, dtstart.is_utc(), limits, budget)?;
        let all_day = matches!(dtstart, DateOrDateTime::Date(_));
        let horizon = zone.to_wall(horizon_wall);
        let mut rules = Vec::new();
        for rule in master.properties_named("RRULE") {
            budget.spend(1)?;
            let rule = Recur::parse(&rule.value)?;
            let until = rule.until.map(|u| {
                if u.is_utc() {
                    zone.to_wall(u.wall_seconds())
                } else {
                    u.wall_seconds()
                }
            });
            rules.push((RuleIter::new(dtstart, rule, until, horizon, limits), None));
        }
        let mut rdates = Vec::new();
        for rdate in master.properties_named("RDATE") {
            let is_period = rdate
                .param_value("VALUE")
                .is_some_and(|v| v.eq_ignore_ascii_case("PERIOD"));
            // Floating RDATE/EXDATE values of a zoned event are read in DTSTART's zone, as
            // clients that omit the TZID mean.
            let rzone = match rdate.param_value("TZID") {
                Some(t) => zones.get(Some(t), false, limits, budget)?,
                None => Arc::clone(&zone),
            };
            for (_, part) in value::split_unescaped(&rdate.value, b',') {
                budget.spend(1)?;
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
                    rdates.push((zone.to_wall(s), Some(e)));
                } else {
                    let v = DateOrDateTime::parse(part)?;
                    let utc = if v.is_utc() {
                        v.wall_seconds()
                    } else {
                        rzone.to_utc(v.wall_seconds())
                    };
                    rdates.push((zone.to_wall(utc), None));
                }
            }
        }
        rdates.sort_unstable();
        rdates.dedup_by_key(|r| r.0);
        // EXDATE: matched by UTC instant, or by date for DATE values.
        let mut excluded_instants = Vec::new();
        let mut excluded_days = Vec::new();
        for ex in master.properties_named("EXDATE") {
            let ezone = match ex.param_value("TZID") {
                Some(t) => zones.get(Some(t), false, limits, budget)?,
                None => Arc::clone(&zone),
            };
            for (_, part) in value::split_unescaped(&ex.value, b',') {
                budget.spend(1)?;
                match DateOrDateTime::parse(part)? {
                    DateOrDateTime::Date(d) => excluded_days.push(d.days_since_epoch()),
                    v if v.is_utc() => excluded_instants.push(v.wall_seconds()),
                    v => excluded_instants.push(ezone.to_utc(v.wall_seconds())),
                }
            }
        }
        excluded_instants.sort_unstable();
        excluded_days.sort_unstable();
        // Overrides by RECURRENCE-ID (UTC); the first in the calendar wins a tie.
        let mut rids: Vec<(i64, &'c Component<'a>)> = Vec::new();
        for o in overrides {
            budget.spend(1)?;
            let Some(rid) = o.date_property("RECURRENCE-ID") else {
                continue;
            };
            let (rid, rtz) = rid?;
            let rzone = zones.get(rtz, rid.is_utc(), limits, budget)?;
            let utc = if all_day {
                zone.to_utc(rid.wall_seconds())
            } else {
                rzone.to_utc(rid.wall_seconds())
            };
            rids.push((utc, o));
        }
        rids.sort_by_key(|r| r.0);
        rids.dedup_by_key(|r| r.0);
        let end_rule = EndRule::of(master, dtstart, &zone, zones, limits, budget)?;
        let max_offset = zone.max_offset();
        let mut source = Self {
            master,
            order,
            zone,
            all_day,
            utc: dtstart.is_utc(),
            end_rule,
            walls: Walls {
                dtstart: Some(dtstart.wall_seconds()),
                rdates,
                rdate_at: 0,
                rules,
                ahead: None,
                last: None,
            },
            excluded_instants,
            excluded_days,
            overridden: rids.iter().map(|r| r.0).collect(),
            pending: BinaryHeap::new(),
            sequence: 0,
            max_offset,
            range,
            last_wall: None,
            exhausted: false,
        };
        source.place_overrides(&rids, horizon_wall, zones, limits, budget, keep)?;
        // Occurrences ending before the range are never generated (when COUNT allows).
        let longest = source.end_rule.longest().max(0);
        source.walls.skip_to(
            source
                .zone
                .to_wall(range.start)
                .saturating_sub(longest)
                .saturating_sub(2 * 86_400),
        );
        Ok(Some(source))
    }

    /// An override replaces the occurrence its RECURRENCE-ID names, when that occurrence
    /// exists and is not excluded (one generation pass over the overridden span, before
    /// the horizon); past the horizon it is taken as is.
    fn place_overrides(
        &self,
        rids: &[(i64, &'c Component<'a>)],
        horizon_wall: i64,
        zones: &mut Zones<'_, '_>,
        limits: &Limits,
        budget: &mut Budget,
        keep: &mut impl FnMut(Instance<'c, 'a>, usize),
    ) -> Result<(), DecodeError> {
        let (Some(first), Some(last)) = (rids.first(), rids.last()) else {
            return Ok(());
        };
        let mut valid = vec![false; rids.len()];
        for (rid, slot) in rids.iter().zip(valid.iter_mut()) {
            *slot = rid.0 > horizon_wall && self.excluded_instants.binary_search(&rid.0).is_err();
        }
        if first.0 <= horizon_wall {
            let mut walls = Walls {
                dtstart: self.walls.dtstart,
                rdates: self.walls.rdates.clone(),
                rdate_at: 0,
                rules: self
                    .walls
                    .rules
                    .iter()
                    .map(|(rule, _)| {
                        let mut rule = rule.clone();
                        rule.skip_to(self.zone.to_wall(first.0).saturating_sub(2 * 86_400));
                        (rule, None)
                    })
                    .collect(),
                ahead: None,
                last: None,
            };
            let stop = self
                .zone
                .to_wall(last.0.min(horizon_wall))
                .saturating_add(2 * 86_400);
            while let Some((wall, _)) = walls.next(budget)? {
                if wall > stop {
                    break;
                }
                budget.spend(1)?;
                let utc = self.zone.to_utc(wall);
                if self.is_excluded(utc, wall) {
                    continue;
                }
                if let Ok(i) = rids.binary_search_by_key(&utc, |r| r.0)
                    && let Some(slot) = valid.get_mut(i)
                {
                    *slot = true;
                }
            }
        }
        for ((rid, o), ok) in rids.iter().zip(valid) {
            if ok && let Some(instance) = single(o, Some(*rid), zones, limits, budget)? {
                keep(instance, self.order);
            }
        }
        Ok(())
    }
}
