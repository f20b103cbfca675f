//! Typed instants for recurrence expansion: a [`Timestamp`] is a point in time (UTC), a
//! [`UtcRange`] a half-open interval of them. The iCalendar value types
//! ([`DateTime`], [`DateOrDateTime`]) are clock readings, which need a zone to become one.
//!
//! With the `chrono` or `jiff` feature, [`Timestamp`] converts to and from
//! `chrono::DateTime<Utc>` and `jiff::Timestamp`.

use std::fmt;

use crate::ical::value::{Date, DateOrDateTime, DateTime};
use crate::{DecodeError, ErrorKind, Expected};

/// A point in time: whole seconds since 1970-01-01T00:00:00Z (leap seconds not counted, as
/// in Unix time), between the years 0 and 9999 when it came from iCalendar text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Timestamp(i64);

impl Timestamp {
    /// 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: Timestamp = Timestamp(0);

    /// The instant `seconds` after 1970-01-01T00:00:00Z (before it when negative).
    pub const fn from_unix_seconds(seconds: i64) -> Self {
        Self(seconds)
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub const fn unix_seconds(self) -> i64 {
        self.0
    }

    /// The instant a UTC DATE-TIME (`…Z`) names, or `None` for a floating or zoned one
    /// (which needs its zone: see [`crate::ical::expand::Zone`]).
    pub const fn from_utc(datetime: DateTime) -> Option<Self> {
        if datetime.time.utc {
            Some(Self(datetime.wall_seconds()))
        } else {
            None
        }
    }

    /// Parses a UTC DATE-TIME, `YYYYMMDDTHHMMSSZ` (as in a CalDAV `time-range`).
    pub fn parse(text: &str) -> Result<Self, DecodeError> {
        let datetime = DateTime::parse(text)?;
        Self::from_utc(datetime)
            .ok_or_else(|| DecodeError::new(text.len(), ErrorKind::Expected(Expected::DateTime)))
    }

    /// The UTC DATE-TIME of this instant (`utc` flag set), or `None` outside the years
    /// iCalendar can write.
    pub fn to_utc_datetime(self) -> Option<DateTime> {
        DateTime::from_wall_seconds(self.0, true)
    }

    /// The instant `seconds` later (earlier when negative), saturating.
    pub const fn add_seconds(self, seconds: i64) -> Self {
        Self(self.0.saturating_add(seconds))
    }

    /// Seconds from `earlier` to `self`.
    pub const fn seconds_since(self, earlier: Timestamp) -> i64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for Timestamp {
    /// `YYYYMMDDTHHMMSSZ`, or the raw seconds outside the years iCalendar can write.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_utc_datetime() {
            Some(dt) => dt.fmt(f),
            None => write!(f, "@{}", self.0),
        }
    }
}

impl std::ops::Add<i64> for Timestamp {
    type Output = Timestamp;

    /// The instant `seconds` later (saturating).
    fn add(self, seconds: i64) -> Timestamp {
        self.add_seconds(seconds)
    }
}

impl std::ops::Sub<i64> for Timestamp {
    type Output = Timestamp;

    /// The instant `seconds` earlier (saturating).
    fn sub(self, seconds: i64) -> Timestamp {
        self.add_seconds(seconds.saturating_neg())
    }
}

impl std::ops::Sub for Timestamp {
    type Output = i64;

    /// Seconds between two instants.
    fn sub(self, earlier: Timestamp) -> i64 {
        self.seconds_since(earlier)
    }
}

/// A half-open interval of instants, `[start, end)`: the range of an expansion or of a
/// CalDAV `time-range` (RFC 4791 §9.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UtcRange {
    /// Inclusive start.
    pub start: Timestamp,
    /// Exclusive end.
    pub end: Timestamp,
}

impl UtcRange {
    /// `[start, end)`.
    pub const fn new(start: Timestamp, end: Timestamp) -> Self {
        Self { start, end }
    }

    /// `[start, end)` from Unix seconds.
    pub const fn from_unix_seconds(start: i64, end: i64) -> Self {
        Self::new(
            Timestamp::from_unix_seconds(start),
            Timestamp::from_unix_seconds(end),
        )
    }

    /// Parses the two UTC DATE-TIMEs of a CalDAV `time-range` (`20260101T000000Z`).
    pub fn parse(start: &str, end: &str) -> Result<Self, DecodeError> {
        Ok(Self::new(Timestamp::parse(start)?, Timestamp::parse(end)?))
    }

    /// Whether `at` lies inside.
    pub fn contains(&self, at: Timestamp) -> bool {
        self.start <= at && at < self.end
    }
}

/// The clock reading `wall` seconds after 1970-01-01T00:00:00 as a DATE (when `all_day`) or
/// a DATE-TIME with its `utc` flag.
pub(crate) fn reading(wall: i64, all_day: bool, utc: bool) -> Option<DateOrDateTime> {
    if all_day {
        Date::from_days_since_epoch(wall.div_euclid(86_400)).map(DateOrDateTime::Date)
    } else {
        DateTime::from_wall_seconds(wall, utc).map(DateOrDateTime::DateTime)
    }
}

#[cfg(feature = "chrono")]
mod chrono_conversions {
    use super::Timestamp;

    impl From<chrono::DateTime<chrono::Utc>> for Timestamp {
        /// The instant, truncated to whole seconds.
        fn from(value: chrono::DateTime<chrono::Utc>) -> Self {
            Timestamp::from_unix_seconds(value.timestamp())
        }
    }

    impl TryFrom<Timestamp> for chrono::DateTime<chrono::Utc> {
        type Error = Timestamp;

        /// Fails (handing the value back) outside chrono's range.
        fn try_from(value: Timestamp) -> Result<Self, Timestamp> {
            chrono::DateTime::from_timestamp(value.unix_seconds(), 0).ok_or(value)
        }
    }
}

#[cfg(feature = "jiff")]
mod jiff_conversions {
    use super::Timestamp;

    impl From<jiff::Timestamp> for Timestamp {
        /// The instant, truncated to whole seconds.
        fn from(value: jiff::Timestamp) -> Self {
            Timestamp::from_unix_seconds(value.as_second())
        }
    }

    impl TryFrom<Timestamp> for jiff::Timestamp {
        type Error = Timestamp;

        /// Fails (handing the value back) outside jiff's range (years -9999 to 9999).
        fn try_from(value: Timestamp) -> Result<Self, Timestamp> {
            jiff::Timestamp::from_second(value.unix_seconds()).map_err(|_| value)
        }
    }
}
