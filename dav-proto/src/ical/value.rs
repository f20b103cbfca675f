//! Typed property values (RFC 5545 §3.3): DATE, DATE-TIME, TIME, DURATION, PERIOD,
//! UTC-OFFSET, TEXT escapes, numbers and booleans; each parses from and formats to its
//! wire text.

use std::borrow::Cow;
use std::fmt;

use crate::ical::recur::Recur;
use crate::{DecodeError, ErrorKind, Expected};

fn err(at: usize, what: Expected) -> DecodeError {
    DecodeError::new(at, ErrorKind::Expected(what))
}

/// The value types of RFC 5545 §3.3 and RFC 6350 §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ValueType {
    /// BINARY (base64 text).
    Binary,
    /// BOOLEAN.
    Boolean,
    /// CAL-ADDRESS (a URI).
    CalAddress,
    /// DATE.
    Date,
    /// DATE-TIME.
    DateTime,
    /// DURATION.
    Duration,
    /// FLOAT.
    Float,
    /// INTEGER.
    Integer,
    /// PERIOD.
    Period,
    /// RECUR.
    Recur,
    /// TEXT.
    Text,
    /// TIME.
    Time,
    /// URI.
    Uri,
    /// UTC-OFFSET.
    UtcOffset,
    /// vCard 4 DATE-AND-OR-TIME (and DATE, TIME, DATE-TIME in their vCard forms): raw text.
    DateAndOrTime,
    /// vCard 4 TIMESTAMP: raw text.
    Timestamp,
    /// vCard 4 LANGUAGE-TAG: raw text.
    LanguageTag,
    /// Any other type (x-types): kept as raw text.
    Unknown,
}

impl ValueType {
    /// The type named by a `VALUE` parameter (case-insensitive).
    pub fn from_name(name: &str) -> Self {
        const NAMES: [(&str, ValueType); 17] = [
            ("DATE-AND-OR-TIME", ValueType::DateAndOrTime),
            ("TIMESTAMP", ValueType::Timestamp),
            ("LANGUAGE-TAG", ValueType::LanguageTag),
            ("BINARY", ValueType::Binary),
            ("BOOLEAN", ValueType::Boolean),
            ("CAL-ADDRESS", ValueType::CalAddress),
            ("DATE", ValueType::Date),
            ("DATE-TIME", ValueType::DateTime),
            ("DURATION", ValueType::Duration),
            ("FLOAT", ValueType::Float),
            ("INTEGER", ValueType::Integer),
            ("PERIOD", ValueType::Period),
            ("RECUR", ValueType::Recur),
            ("TEXT", ValueType::Text),
            ("TIME", ValueType::Time),
            ("URI", ValueType::Uri),
            ("UTC-OFFSET", ValueType::UtcOffset),
        ];
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or(ValueType::Unknown, |(_, t)| *t)
    }

    /// The name used in `VALUE=` and in jCal/jCard (lower case there).
    pub const fn name(self) -> &'static str {
        match self {
            ValueType::Binary => "BINARY",
            ValueType::Boolean => "BOOLEAN",
            ValueType::CalAddress => "CAL-ADDRESS",
            ValueType::Date => "DATE",
            ValueType::DateTime => "DATE-TIME",
            ValueType::Duration => "DURATION",
            ValueType::Float => "FLOAT",
            ValueType::Integer => "INTEGER",
            ValueType::Period => "PERIOD",
            ValueType::Recur => "RECUR",
            ValueType::Text => "TEXT",
            ValueType::Time => "TIME",
            ValueType::Uri => "URI",
            ValueType::UtcOffset => "UTC-OFFSET",
            ValueType::DateAndOrTime => "DATE-AND-OR-TIME",
            ValueType::Timestamp => "TIMESTAMP",
            ValueType::LanguageTag => "LANGUAGE-TAG",
            ValueType::Unknown => "UNKNOWN",
        }
    }

    /// The default type of vCard property `name` (RFC 6350 §6; RFC 2426 §3 for 3.0, where
    /// the same names default the same way or to TEXT).
    pub fn default_for_vcard(name: &str) -> Self {
        const DEFAULTS: [(&str, ValueType); 19] = [
            ("BDAY", ValueType::DateAndOrTime),
            ("ANNIVERSARY", ValueType::DateAndOrTime),
            ("REV", ValueType::Timestamp),
            ("LANG", ValueType::LanguageTag),
            ("URL", ValueType::Uri),
            ("PHOTO", ValueType::Uri),
            ("LOGO", ValueType::Uri),
            ("SOUND", ValueType::Uri),
            ("KEY", ValueType::Uri),
            ("GEO", ValueType::Uri),
            ("SOURCE", ValueType::Uri),
            ("MEMBER", ValueType::Uri),
            ("RELATED", ValueType::Uri),
            ("FBURL", ValueType::Uri),
            ("CALADRURI", ValueType::Uri),
            ("CALURI", ValueType::Uri),
            ("IMPP", ValueType::Uri),
            ("UID", ValueType::Uri),
            ("CLIENTPIDMAP", ValueType::Text),
        ];
        DEFAULTS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or(ValueType::Text, |(_, t)| *t)
    }

    /// The default type of property `name` (RFC 5545 §3.7–3.8; vCard properties that are
    /// not TEXT are mapped to URI or left [`ValueType::Unknown`]).
    pub fn default_for(name: &str) -> Self {
        const DEFAULTS: [(&str, ValueType); 31] = [
            ("GEO", ValueType::Float),
            ("DTSTART", ValueType::DateTime),
            ("DTEND", ValueType::DateTime),
            ("DUE", ValueType::DateTime),
            ("RECURRENCE-ID", ValueType::DateTime),
            ("EXDATE", ValueType::DateTime),
            ("RDATE", ValueType::DateTime),
            ("DTSTAMP", ValueType::DateTime),
            ("CREATED", ValueType::DateTime),
            ("LAST-MODIFIED", ValueType::DateTime),
            ("COMPLETED", ValueType::DateTime),
            ("ACKNOWLEDGED", ValueType::DateTime),
            ("DURATION", ValueType::Duration),
            ("TRIGGER", ValueType::Duration),
            ("FREEBUSY", ValueType::Period),
            ("RRULE", ValueType::Recur),
            ("EXRULE", ValueType::Recur),
            ("TZOFFSETFROM", ValueType::UtcOffset),
            ("TZOFFSETTO", ValueType::UtcOffset),
            ("PRIORITY", ValueType::Integer),
            ("SEQUENCE", ValueType::Integer),
            ("PERCENT-COMPLETE", ValueType::Integer),
            ("REPEAT", ValueType::Integer),
            ("ATTENDEE", ValueType::CalAddress),
            ("ORGANIZER", ValueType::CalAddress),
            ("URL", ValueType::Uri),
            ("TZURL", ValueType::Uri),
            ("ATTACH", ValueType::Uri),
            ("SOURCE", ValueType::Uri),
            ("BDAY", ValueType::Unknown),
            ("REV", ValueType::Unknown),
        ];
        DEFAULTS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or(ValueType::Text, |(_, t)| *t)
    }

    /// Whether values of this type may be comma-separated lists.
    pub const fn is_list(self) -> bool {
        matches!(
            self,
            ValueType::Date
                | ValueType::DateTime
                | ValueType::Time
                | ValueType::Period
                | ValueType::Float
                | ValueType::Integer
        )
    }
}

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Date {
    /// Year, 0–9999.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of month, 1–31 (valid for the month).
    pub day: u8,
}

/// Whether `year` is a Gregorian leap year.
pub const fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` (1–12) of `year`; 0 for an invalid month.
pub const fn days_in_month(year: i64, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub const fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month as i64;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date `days` after 1970-01-01, as (year, month, day).
pub const fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

impl Date {
    /// A date, if it exists in the calendar.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        (year <= 9999 && (1..=days_in_month(i64::from(year), month)).contains(&day))
            .then_some(Self { year, month, day })
    }

    /// Days since 1970-01-01.
    pub const fn days_since_epoch(self) -> i64 {
        days_from_civil(self.year as i64, self.month, self.day)
    }

    /// The date `days` after 1970-01-01, if its year is within 0–9999.
    pub fn from_days_since_epoch(days: i64) -> Option<Self> {
        let (y, m, d) = civil_from_days(days);
        u16::try_from(y)
            .ok()
            .filter(|y| *y <= 9999)
            .map(|year| Self {
                year,
                month: m,
                day: d,
            })
    }

    /// ISO weekday, Monday = 0 … Sunday = 6.
    pub const fn weekday_index(self) -> u8 {
        (self.days_since_epoch() + 3).rem_euclid(7) as u8
    }

    /// Parses `YYYYMMDD`.
    pub fn parse(text: &str) -> Result<Self, DecodeError> {
        let b = text.as_bytes();
        if b.len() != 8 {
            return Err(err(0, Expected::Date));
        }
        let year = digits(b, 0, 4).ok_or_else(|| err(0, Expected::Date))?;
        let month = digits(b, 4, 2).ok_or_else(|| err(4, Expected::Date))?;
        let day = digits(b, 6, 2).ok_or_else(|| err(6, Expected::Date))?;
        Date::new(year as u16, month as u8, day as u8).ok_or_else(|| err(4, Expected::Date))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}{:02}{:02}", self.year, self.month, self.day)
    }
}

fn digits(b: &[u8], from: usize, n: usize) -> Option<u32> {
    let slice = b.get(from..from + n)?;
    slice.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// A time of day, with or without the UTC designator `Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Time {
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–60 (60 is a leap second).
    pub second: u8,
    /// Whether the time is UTC (`Z`); otherwise floating or relative to a TZID.
    pub utc: bool,
}

impl Time {
    /// Parses `HHMMSS[Z]`.
    pub fn parse(text: &str) -> Result<Self, DecodeError> {
        let b = text.as_bytes();
        let utc = match b.len() {
            6 => false,
            7 if b.get(6) == Some(&b'Z') => true,
            _ => return Err(err(0, Expected::Time)),
        };
        let hour = digits(b, 0, 2).filter(|h| *h < 24);
        let minute = digits(b, 2, 2).filter(|m| *m < 60);
        let second = digits(b, 4, 2).filter(|s| *s <= 60);
        match (hour, minute, second) {
            (Some(h), Some(m), Some(s)) => Ok(Self {
                hour: h as u8,
                minute: m as u8,
                second: s as u8,
                utc,
            }),
            _ => Err(err(0, Expected::Time)),
        }
    }

    /// Seconds since midnight.
    pub const fn seconds_of_day(self) -> i64 {
        self.hour as i64 * 3600 + self.minute as i64 * 60 + self.second as i64
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}{:02}{:02}", self.hour, self.minute, self.second)?;
        if self.utc {
            f.write_str("Z")?;
        }
        Ok(())
    }
}

/// A DATE-TIME: a date and a time of day. A `TZID` parameter, when present, lives on the
/// property, not here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DateTime {
    /// The date.
    pub date: Date,
    /// The time (its `utc` flag marks UTC).
    pub time: Time,
}

impl DateTime {
    /// Parses `YYYYMMDDTHHMMSS[Z]`.
    pub fn parse(text: &str) -> Result<Self, DecodeError> {
        let (d, t) = text
            .split_once(['T', 't'])
            .ok_or_else(|| err(0, Expected::DateTime))?;
        let date = Date::parse(d)?;
        let time = Time::parse(t).map_err(|e| e.shifted(9))?;
        Ok(Self { date, time })
    }

    /// Seconds since 1970-01-01T00:00:00 of the wall-clock reading (ignoring any zone).
    pub const fn wall_seconds(self) -> i64 {
        self.date.days_since_epoch() * 86_400 + self.time.seconds_of_day()
    }

    /// The wall-clock reading `seconds` after 1970-01-01T00:00:00, with `utc` set as given.
    pub fn from_wall_seconds(seconds: i64, utc: bool) -> Option<Self> {
        let date = Date::from_days_since_epoch(seconds.div_euclid(86_400))?;
        let sod = seconds.rem_euclid(86_400);
        Some(Self {
            date,
            time: Time {
                hour: (sod / 3600) as u8,
                minute: (sod / 60 % 60) as u8,
                second: (sod % 60) as u8,
                utc,
            },
        })
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}T{}", self.date, self.time)
    }
}

/// A DATE or a DATE-TIME, as DTSTART, UNTIL, EXDATE and RDATE allow either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum DateOrDateTime {
    /// An all-day value.
    Date(Date),
    /// A date with time.
    DateTime(DateTime),
}

impl DateOrDateTime {
    /// Parses either form, told apart by the `T`.
    pub fn parse(text: &str) -> Result<Self, DecodeError> {
        if text.len() == 8 {
            Date::parse(text).map(Self::Date)
        } else {
            DateTime::parse(text).map(Self::DateTime)
        }
    }

    /// The date part.
    pub const fn date(self) -> Date {
        match self {
            Self::Date(d) => d,
            Self::DateTime(dt) => dt.date,
        }
    }

    /// Wall-clock seconds since the epoch (midnight for a DATE).
    pub const fn wall_seconds(self) -> i64 {
        match self {
            Self::Date(d) => d.days_since_epoch() * 86_400,
            Self::DateTime(dt) => dt.wall_seconds(),
        }
    }

    /// Whether this is a UTC DATE-TIME.
    pub const fn is_utc(self) -> bool {
        matches!(self, Self::DateTime(dt) if dt.time.utc)
    }
}

impl fmt::Display for DateOrDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Date(d) => d.fmt(f),
            Self::DateTime(dt) => dt.fmt(f),
        }
    }
}

/// A DURATION (RFC 5545 §3.3.6), keeping its components as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Duration {
    /// A leading `-`.
    pub negative: bool,
    /// Weeks (`nW`).
    pub weeks: u32,
    /// Days (`nD`).
    pub days: u32,
    /// Hours (`nH`).
    pub hours: u32,
    /// Minutes (`nM`).
    pub minutes: u32,
    /// Seconds (`nS`).
    pub seconds: u32,
}

impl Duration {
    /// Parses `[+-]P...`. Components may appear in any subset, in order W, D, T, H, M, S.
    pub fn parse(text: &str) -> Result<Self, DecodeError> {
        let b = text.as_bytes();
        let mut d = Duration::default();
        let mut pos = 0;
        match b.first() {
            Some(b'-') => {
                d.negative = true;
                pos = 1;
            }
            Some(b'+') => pos = 1,
            _ => {}
        }
        if !matches!(b.get(pos), Some(b'P' | b'p')) {
            return Err(err(pos, Expected::Duration));
        }
        pos += 1;
        let mut in_time = false;
        let mut seen_any = false;
        let mut last_rank = 0u8;
        while pos < b.len() {
            if matches!(b.get(pos), Some(b'T' | b't')) && !in_time {
                in_time = true;
                pos += 1;
                continue;
            }
            let start = pos;
            let mut n: u32 = 0;
            while let Some(c) = b.get(pos).filter(|c| c.is_ascii_digit()) {
                n = n
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(u32::from(c - b'0')))
                    .ok_or_else(|| err(pos, Expected::Duration))?;
                pos += 1;
            }
            if pos == start {
                return Err(err(pos, Expected::Duration));
            }
            let unit = b.get(pos).map(u8::to_ascii_uppercase);
            let rank = match (in_time, unit) {
                (false, Some(b'W')) => 1,
                (false, Some(b'D')) => 2,
                (true, Some(b'H')) => 3,
                (true, Some(b'M')) => 4,
                (true, Some(b'S')) => 5,
                _ => return Err(err(pos, Expected::Duration)),
            };
            if rank <= last_rank {
                return Err(err(pos, Expected::Duration));
            }
            last_rank = rank;
            match rank {
                1 => d.weeks = n,
                2 => d.days = n,
                3 => d.hours = n,
                4 => d.minutes = n,
                _ => d.seconds = n,
            }
            seen_any = true;
            pos += 1;
        }
        if !seen_any {
            return Err(err(pos, Expected::Duration));
        }
        Ok(d)
    }

    /// Total signed length in seconds, treating a day as 86 400 s (nominal days are
    /// handled by the caller when crossing DST matters).
    pub fn total_seconds(self) -> i64 {
        let s = i64::from(self.weeks) * 604_800
            + i64::from(self.days) * 86_400
            + i64::from(self.hours) * 3600
            + i64::from(self.minutes) * 60
            + i64::from(self.seconds);
        if self.negative { -s } else { s }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        f.write_str("P")?;
        if self.weeks > 0 {
            write!(f, "{}W", self.weeks)?;
        }
        if self.days > 0 {
            write!(f, "{}D", self.days)?;
        }
        let time = self.hours > 0 || self.minutes > 0 || self.seconds > 0;
        if time {
            f.write_str("T")?;
            if self.hours > 0 {
                write!(f, "{}H", self.hours)?;
            }
            if self.minutes > 0 {
                write!(f, "{}M", self.minutes)?;
            }
            if self.seconds > 0 {
                write!(f, "{}S", self.seconds)?;
            }
        } else if self.weeks == 0 && self.days == 0 {
            f.write_str("T0S")?;
        }
        Ok(())
    }
}

/// A PERIOD: a start and either an end or a duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Period {
    /// Start.
    pub start: DateTime,
    /// End or length.
    pub end: PeriodEnd,
}

/// The second half of a [`Period`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum PeriodEnd {
    /// An explicit end.
    End(DateTime),
    /// A positive duration.
    Duration(Duration),
}

impl Period {
    /// Parses `start/end` or `start/duration`.
    pub fn parse(text: &str) -> Result<Self, DecodeError> {
        let (s, e) = text
            .split_once('/')
            .ok_or_else(|| err(0, Expected::Period))?;
        let start = DateTime::parse(s)?;
        let at = s.len() + 1;
        let end = if e.starts_with(['P', 'p', '+', '-']) {
            PeriodEnd::Duration(Duration::parse(e).map_err(|x| x.shifted(at))?)
        } else {
            PeriodEnd::End(DateTime::parse(e).map_err(|x| x.shifted(at))?)
        };
        Ok(Self { start, end })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.end {
            PeriodEnd::End(e) => write!(f, "{}/{}", self.start, e),
            PeriodEnd::Duration(d) => write!(f, "{}/{}", self.start, d),
        }
    }
}

/// A UTC-OFFSET, in seconds east of UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct UtcOffset {
    /// Seconds east of UTC.
    pub seconds: i32,
}

impl UtcOffset {
    /// Parses `(+|-)HHMM[SS]`.
    pub fn parse(text: &str) -> Result<Self, DecodeError> {
        let b = text.as_bytes();
        let sign = match b.first() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return Err(err(0, Expected::UtcOffset)),
        };
        let secs = match b.len() {
            5 => Some(0),
            7 => digits(b, 5, 2).filter(|s| *s < 60),
            _ => None,
        };
        let h = digits(b, 1, 2).filter(|h| *h < 24);
        let m = digits(b, 3, 2).filter(|m| *m < 60);
        match (h, m, secs) {
            (Some(h), Some(m), Some(s)) => Ok(Self {
                seconds: sign * (h * 3600 + m * 60 + s) as i32,
            }),
            _ => Err(err(1, Expected::UtcOffset)),
        }
    }
}

impl fmt::Display for UtcOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.seconds < 0 { '-' } else { '+' };
        let a = self.seconds.unsigned_abs();
        write!(f, "{sign}{:02}{:02}", a / 3600, a / 60 % 60)?;
        if !a.is_multiple_of(60) {
            write!(f, "{:02}", a % 60)?;
        }
        Ok(())
    }
}

/// A typed property value.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Value<'a> {
    /// BINARY: the base64 text, not decoded.
    Binary(&'a str),
    /// BOOLEAN.
    Boolean(bool),
    /// CAL-ADDRESS.
    CalAddress(&'a str),
    /// DATE.
    Date(Date),
    /// DATE-TIME.
    DateTime(DateTime),
    /// DURATION.
    Duration(Duration),
    /// FLOAT.
    Float(f64),
    /// INTEGER.
    Integer(i32),
    /// PERIOD.
    Period(Period),
    /// RECUR.
    Recur(Box<Recur>),
    /// TEXT, unescaped.
    Text(Cow<'a, str>),
    /// TIME.
    Time(Time),
    /// URI.
    Uri(&'a str),
    /// UTC-OFFSET.
    UtcOffset(UtcOffset),
    /// A value of an unknown type, as written.
    Unknown(&'a str),
}

impl Value<'_> {
    /// The value's type.
    pub const fn value_type(&self) -> ValueType {
        match self {
            Value::Binary(_) => ValueType::Binary,
            Value::Boolean(_) => ValueType::Boolean,
            Value::CalAddress(_) => ValueType::CalAddress,
            Value::Date(_) => ValueType::Date,
            Value::DateTime(_) => ValueType::DateTime,
            Value::Duration(_) => ValueType::Duration,
            Value::Float(_) => ValueType::Float,
            Value::Integer(_) => ValueType::Integer,
            Value::Period(_) => ValueType::Period,
            Value::Recur(_) => ValueType::Recur,
            Value::Text(_) => ValueType::Text,
            Value::Time(_) => ValueType::Time,
            Value::Uri(_) => ValueType::Uri,
            Value::UtcOffset(_) => ValueType::UtcOffset,
            Value::Unknown(_) => ValueType::Unknown,
        }
    }

    /// The wire text of the value (TEXT escaped).
    pub fn to_wire(&self) -> String {
        match self {
            Value::Binary(s) | Value::CalAddress(s) | Value::Uri(s) | Value::Unknown(s) => {
                (*s).to_owned()
            }
            Value::Boolean(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
            Value::Date(d) => d.to_string(),
            Value::DateTime(d) => d.to_string(),
            Value::Duration(d) => d.to_string(),
            Value::Float(x) => x.to_string(),
            Value::Integer(i) => i.to_string(),
            Value::Period(p) => p.to_string(),
            Value::Recur(r) => r.to_string(),
            Value::Text(t) => escape_text(t).into_owned(),
            Value::Time(t) => t.to_string(),
            Value::UtcOffset(o) => o.to_string(),
        }
    }
}

/// Parses one value of type `ty` from `text`.
pub fn parse_value(text: &str, ty: ValueType) -> Result<Value<'_>, DecodeError> {
    Ok(match ty {
        ValueType::Binary => Value::Binary(text),
        ValueType::Boolean => {
            if text.eq_ignore_ascii_case("TRUE") {
                Value::Boolean(true)
            } else if text.eq_ignore_ascii_case("FALSE") {
                Value::Boolean(false)
            } else {
                return Err(err(0, Expected::Boolean));
            }
        }
        ValueType::CalAddress => Value::CalAddress(text),
        ValueType::Date => Value::Date(Date::parse(text)?),
        ValueType::DateTime => Value::DateTime(DateTime::parse(text)?),
        ValueType::Duration => Value::Duration(Duration::parse(text)?),
        ValueType::Float => Value::Float(
            text.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite() && !text.contains(['e', 'E', 'i', 'n', 'N', 'I']))
                .ok_or_else(|| err(0, Expected::Float))?,
        ),
        ValueType::Integer => {
            Value::Integer(text.parse::<i32>().map_err(|_| err(0, Expected::Integer))?)
        }
        ValueType::Period => Value::Period(Period::parse(text)?),
        ValueType::Recur => Value::Recur(Box::new(Recur::parse(text)?)),
        ValueType::Text => Value::Text(unescape_text(text)),
        ValueType::Time => Value::Time(Time::parse(text)?),
        ValueType::Uri => Value::Uri(text),
        ValueType::UtcOffset => Value::UtcOffset(UtcOffset::parse(text)?),
        ValueType::DateAndOrTime
        | ValueType::Timestamp
        | ValueType::LanguageTag
        | ValueType::Unknown => Value::Unknown(text),
    })
}

/// Parses `text` as `ty`, splitting at unescaped commas when `list` is set.
pub fn parse_values(text: &str, ty: ValueType, list: bool) -> Result<Vec<Value<'_>>, DecodeError> {
    if !list {
        return parse_value(text, ty).map(|v| vec![v]);
    }
    split_unescaped(text, b',')
        .map(|(at, part)| parse_value(part, ty).map_err(|e| e.shifted(at)))
        .collect()
}

/// Splits at `sep` bytes not preceded by a backslash escape, yielding (offset, part).
pub fn split_unescaped(text: &str, sep: u8) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut pos = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        while let Some(&b) = bytes.get(pos) {
            if b == b'\\' {
                pos += 2;
                continue;
            }
            if b == sep {
                let part = (start, text.get(start..pos).unwrap_or_default());
                pos += 1;
                start = pos;
                return Some(part);
            }
            pos += 1;
        }
        done = true;
        Some((start, text.get(start..).unwrap_or_default()))
    })
}

/// Resolves TEXT escapes (`\\` `\;` `\,` `\n` `\N`); an unknown escape keeps the character
/// after the backslash. Borrowed when there is nothing to resolve.
pub fn unescape_text(text: &str) -> Cow<'_, str> {
    if !text.contains('\\') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

/// Escapes TEXT for the wire (`\` `;` `,` and newlines). Borrowed when nothing needs it.
pub fn escape_text(text: &str) -> Cow<'_, str> {
    if !text.contains(['\\', ';', ',', '\n', '\r']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}
