//! The RECUR value type (RFC 5545 §3.3.10): parsing and formatting an RRULE.

use std::fmt;

use crate::ical::value::DateOrDateTime;
use crate::{DecodeError, ErrorKind, Expected};

fn err(at: usize) -> DecodeError {
    DecodeError::new(at, ErrorKind::Expected(Expected::Recur))
}

/// FREQ values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Frequency {
    /// SECONDLY.
    Secondly,
    /// MINUTELY.
    Minutely,
    /// HOURLY.
    Hourly,
    /// DAILY.
    Daily,
    /// WEEKLY.
    Weekly,
    /// MONTHLY.
    Monthly,
    /// YEARLY.
    Yearly,
}

const FREQ_NAMES: [(&str, Frequency); 7] = [
    ("SECONDLY", Frequency::Secondly),
    ("MINUTELY", Frequency::Minutely),
    ("HOURLY", Frequency::Hourly),
    ("DAILY", Frequency::Daily),
    ("WEEKLY", Frequency::Weekly),
    ("MONTHLY", Frequency::Monthly),
    ("YEARLY", Frequency::Yearly),
];

impl Frequency {
    /// The wire name.
    pub fn name(self) -> &'static str {
        FREQ_NAMES
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("YEARLY", |(n, _)| n)
    }
}

/// Days of the week, Monday first as in ISO 8601.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Weekday {
    /// MO.
    Monday,
    /// TU.
    Tuesday,
    /// WE.
    Wednesday,
    /// TH.
    Thursday,
    /// FR.
    Friday,
    /// SA.
    Saturday,
    /// SU.
    Sunday,
}

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("MO", Weekday::Monday),
    ("TU", Weekday::Tuesday),
    ("WE", Weekday::Wednesday),
    ("TH", Weekday::Thursday),
    ("FR", Weekday::Friday),
    ("SA", Weekday::Saturday),
    ("SU", Weekday::Sunday),
];

impl Weekday {
    /// Monday = 0 … Sunday = 6.
    pub const fn index(self) -> u8 {
        self as u8
    }

    /// The weekday with [`Weekday::index`] `i % 7`.
    pub fn from_index(i: u8) -> Self {
        WEEKDAYS
            .get(usize::from(i % 7))
            .map_or(Weekday::Monday, |(_, d)| *d)
    }

    /// The two-letter wire name.
    pub fn code(self) -> &'static str {
        WEEKDAYS
            .get(usize::from(self.index()))
            .map_or("MO", |(n, _)| n)
    }

    fn parse(text: &str) -> Option<Self> {
        WEEKDAYS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(text))
            .map(|(_, d)| *d)
    }
}

/// A BYDAY entry: a weekday with an optional ordinal (`-1SU`, `2MO`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct WeekdayNum {
    /// The ordinal, 1–53 or -53–-1; `None` for every such weekday.
    pub ordinal: Option<i8>,
    /// The weekday.
    pub weekday: Weekday,
}

/// A recurrence rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Recur {
    /// FREQ (required).
    pub freq: Frequency,
    /// UNTIL.
    pub until: Option<DateOrDateTime>,
    /// COUNT.
    pub count: Option<u32>,
    /// INTERVAL (default 1).
    pub interval: Option<u32>,
    /// BYSECOND (0–60).
    pub by_second: Vec<u8>,
    /// BYMINUTE (0–59).
    pub by_minute: Vec<u8>,
    /// BYHOUR (0–23).
    pub by_hour: Vec<u8>,
    /// BYDAY.
    pub by_day: Vec<WeekdayNum>,
    /// BYMONTHDAY (±1–31).
    pub by_month_day: Vec<i8>,
    /// BYYEARDAY (±1–366).
    pub by_year_day: Vec<i16>,
    /// BYWEEKNO (±1–53).
    pub by_week_no: Vec<i8>,
    /// BYMONTH (1–12).
    pub by_month: Vec<u8>,
    /// BYSETPOS (±1–366).
    pub by_set_pos: Vec<i16>,
    /// WKST (default Monday).
    pub week_start: Option<Weekday>,
}

impl Recur {
    /// A rule with only FREQ set.
    pub fn new(freq: Frequency) -> Self {
        Self {
            freq,
            until: None,
            count: None,
            interval: None,
            by_second: Vec::new(),
            by_minute: Vec::new(),
            by_hour: Vec::new(),
            by_day: Vec::new(),
            by_month_day: Vec::new(),
            by_year_day: Vec::new(),
            by_week_no: Vec::new(),
            by_month: Vec::new(),
            by_set_pos: Vec::new(),
            week_start: None,
        }
    }

    /// Parses `FREQ=...;...` (parts in any order, names case-insensitive).
    pub fn parse(text: &str) -> Result<Self, DecodeError> {
        let mut freq = None;
        let mut r = Recur::new(Frequency::Yearly);
        let mut at = 0usize;
        for part in text.split(';') {
            let here = at;
            at += part.len() + 1;
            if part.is_empty() {
                continue;
            }
            let (name, value) = part.split_once('=').ok_or_else(|| err(here))?;
            let vat = here + name.len() + 1;
            let upper = name.to_ascii_uppercase();
            match upper.as_str() {
                "FREQ" => {
                    freq = Some(
                        FREQ_NAMES
                            .iter()
                            .find(|(n, _)| n.eq_ignore_ascii_case(value))
                            .map(|(_, f)| *f)
                            .ok_or_else(|| err(vat))?,
                    );
                }
                "UNTIL" => {
                    r.until = Some(DateOrDateTime::parse(value).map_err(|e| e.shifted(vat))?)
                }
                "COUNT" => r.count = Some(value.parse().map_err(|_| err(vat))?),
                "INTERVAL" => {
                    r.interval = Some(
                        value
                            .parse()
                            .ok()
                            .filter(|i| *i > 0)
                            .ok_or_else(|| err(vat))?,
                    )
                }
                "BYSECOND" => r.by_second = list(value, vat, 0, 60)?,
                "BYMINUTE" => r.by_minute = list(value, vat, 0, 59)?,
                "BYHOUR" => r.by_hour = list(value, vat, 0, 23)?,
                "BYMONTHDAY" => r.by_month_day = signed_list(value, vat, 31)?,
                "BYYEARDAY" => r.by_year_day = signed_list(value, vat, 366)?,
                "BYWEEKNO" => r.by_week_no = signed_list(value, vat, 53)?,
                "BYMONTH" => r.by_month = list(value, vat, 1, 12)?,
                "BYSETPOS" => r.by_set_pos = signed_list(value, vat, 366)?,
                "WKST" => r.week_start = Some(Weekday::parse(value).ok_or_else(|| err(vat))?),
                "BYDAY" => {
                    r.by_day = value
                        .split(',')
                        .map(|d| parse_weekday_num(d).ok_or_else(|| err(vat)))
                        .collect::<Result<_, _>>()?
                }
                _ => return Err(err(here)),
            }
        }
        r.freq = freq.ok_or_else(|| err(0))?;
        Ok(r)
    }

    /// INTERVAL, defaulting to 1.
    pub fn interval(&self) -> u32 {
        self.interval.unwrap_or(1)
    }

    /// WKST, defaulting to Monday.
    pub fn week_start(&self) -> Weekday {
        self.week_start.unwrap_or(Weekday::Monday)
    }
}

fn parse_weekday_num(text: &str) -> Option<WeekdayNum> {
    let split = text.len().checked_sub(2)?;
    let (num, day) = (text.get(..split)?, text.get(split..)?);
    let weekday = Weekday::parse(day)?;
    let ordinal = if num.is_empty() {
        None
    } else {
        let n: i8 = num.parse().ok()?;
        if n == 0 || !(-53..=53).contains(&n) {
            return None;
        }
        Some(n)
    };
    Some(WeekdayNum { ordinal, weekday })
}

fn list<T: TryFrom<u32>>(text: &str, at: usize, min: u32, max: u32) -> Result<Vec<T>, DecodeError> {
    text.split(',')
        .map(|n| {
            n.parse::<u32>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .and_then(|n| T::try_from(n).ok())
                .ok_or_else(|| err(at))
        })
        .collect()
}

fn signed_list<T: TryFrom<i32>>(text: &str, at: usize, max: i32) -> Result<Vec<T>, DecodeError> {
    text.split(',')
        .map(|n| {
            n.parse::<i32>()
                .ok()
                .filter(|n| *n != 0 && (-max..=max).contains(n))
                .and_then(|n| T::try_from(n).ok())
                .ok_or_else(|| err(at))
        })
        .collect()
}

fn write_list<T: fmt::Display>(f: &mut fmt::Formatter<'_>, name: &str, items: &[T]) -> fmt::Result {
    if items.is_empty() {
        return Ok(());
    }
    write!(f, ";{name}=")?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        item.fmt(f)?;
    }
    Ok(())
}

impl fmt::Display for WeekdayNum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(n) = self.ordinal {
            write!(f, "{n}")?;
        }
        f.write_str(self.weekday.code())
    }
}

impl fmt::Display for Recur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FREQ={}", self.freq.name())?;
        if let Some(u) = &self.until {
            write!(f, ";UNTIL={u}")?;
        }
        if let Some(c) = self.count {
            write!(f, ";COUNT={c}")?;
        }
        if let Some(i) = self.interval {
            write!(f, ";INTERVAL={i}")?;
        }
        write_list(f, "BYSECOND", &self.by_second)?;
        write_list(f, "BYMINUTE", &self.by_minute)?;
        write_list(f, "BYHOUR", &self.by_hour)?;
        write_list(f, "BYDAY", &self.by_day)?;
        write_list(f, "BYMONTHDAY", &self.by_month_day)?;
        write_list(f, "BYYEARDAY", &self.by_year_day)?;
        write_list(f, "BYWEEKNO", &self.by_week_no)?;
        write_list(f, "BYMONTH", &self.by_month)?;
        write_list(f, "BYSETPOS", &self.by_set_pos)?;
        if let Some(w) = self.week_start {
            write!(f, ";WKST={}", w.code())?;
        }
        Ok(())
    }
}
