//! `date` and `date-time` (RFC 9051 §9), e.g. `1-Feb-1994` and `"17-Jul-1996 02:44:25 -0700"`.

use super::cursor::{Cursor, ParseResult};
use super::encode::put_number;
use super::{Encode, IntoOwned, Sink};
use crate::Expected;

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// A calendar date as IMAP writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Date {
    /// Four-digit year.
    pub year: u16,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of month, 1 to 31.
    pub day: u8,
}

/// A date, time of day and UTC offset (`date-time`, as in INTERNALDATE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DateTime {
    /// The date.
    pub date: Date,
    /// Hour, 0 to 23.
    pub hour: u8,
    /// Minute, 0 to 59.
    pub minute: u8,
    /// Second, 0 to 60.
    pub second: u8,
    /// Offset from UTC in minutes (`-0700` is -420).
    pub zone_minutes: i16,
}

fn digits(c: &mut Cursor<'_>, min: usize, max: usize, expected: Expected) -> ParseResult<u16> {
    let available = c
        .rest()
        .iter()
        .take(max)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if available < min {
        return Err(c.error(expected));
    }
    let run = c.take(available, expected)?;
    Ok(run.iter().fold(0u16, |v, d| v * 10 + u16::from(d - b'0')))
}

fn month(c: &mut Cursor<'_>) -> ParseResult<u8> {
    for (i, name) in MONTHS.iter().enumerate() {
        if c.eat_ci(&name[..]) {
            return Ok(i as u8 + 1);
        }
    }
    Err(c.error(Expected::Month))
}

fn date_text(c: &mut Cursor<'_>, fixed_day: bool) -> ParseResult<Date> {
    let day = if fixed_day && c.eat(b' ') {
        digits(c, 1, 1, Expected::Date)?
    } else {
        digits(c, 1, 2, Expected::Date)?
    };
    c.expect(b'-', Expected::Date)?;
    let month = month(c)?;
    c.expect(b'-', Expected::Date)?;
    let year = digits(c, 4, 4, Expected::Date)?;
    if !(1..=31).contains(&day) {
        return Err(c.error(Expected::Date));
    }
    Ok(Date {
        year,
        month,
        day: day as u8,
    })
}

impl Date {
    /// Parses `date`: `date-text`, optionally quoted.
    pub fn parse(c: &mut Cursor<'_>) -> ParseResult<Self> {
        let quoted = c.eat(b'"');
        let date = date_text(c, false)?;
        if quoted {
            c.expect(b'"', Expected::Quote)?;
        }
        Ok(date)
    }

    fn put<S: Sink + ?Sized>(&self, out: &mut S, fixed: bool) {
        if fixed && self.day < 10 {
            out.put(b" ");
        }
        put_number(out, u64::from(self.day));
        out.put(b"-");
        let month = MONTHS
            .get(usize::from(self.month).wrapping_sub(1))
            .map_or(&b"Jan"[..], |m| &m[..]);
        out.put(month);
        out.put(b"-");
        put_padded(out, u64::from(self.year), 4);
    }
}

fn put_padded<S: Sink + ?Sized>(out: &mut S, value: u64, width: usize) {
    let mut text = Vec::with_capacity(width);
    put_number(&mut text, value);
    for _ in text.len()..width {
        out.put(b"0");
    }
    out.put(&text);
}

impl Encode for Date {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        self.put(out, false);
    }
}

/// The month `name` (any case) names, 1 to 12. `| 0x20` maps only the two cases of a letter
/// onto the lowercase letter, so the match is exact.
fn month_number(name: [u8; 3]) -> Option<u8> {
    Some(match name.map(|b| b | 0x20) {
        [b'j', b'a', b'n'] => 1,
        [b'f', b'e', b'b'] => 2,
        [b'm', b'a', b'r'] => 3,
        [b'a', b'p', b'r'] => 4,
        [b'm', b'a', b'y'] => 5,
        [b'j', b'u', b'n'] => 6,
        [b'j', b'u', b'l'] => 7,
        [b'a', b'u', b'g'] => 8,
        [b's', b'e', b'p'] => 9,
        [b'o', b'c', b't'] => 10,
        [b'n', b'o', b'v'] => 11,
        [b'd', b'e', b'c'] => 12,
        _ => return None,
    })
}

/// `"dd-Mon-yyyy hh:mm:ss +zzzz"` in its full 28-byte form (the day padded with a space or
/// a zero), as every server writes INTERNALDATE: read at fixed offsets. `None` for any
/// other form or an out-of-range field, which the general parser then reads or reports.
fn fixed_date_time(bytes: &[u8]) -> Option<DateTime> {
    let b: [u8; 28] = bytes.get(..28)?.try_into().ok()?;
    let [
        q0,
        d0,
        d1,
        h0,
        m0,
        m1,
        m2,
        h1,
        y0,
        y1,
        y2,
        y3,
        s0,
        t0,
        t1,
        k0,
        t2,
        t3,
        k1,
        t4,
        t5,
        s1,
        sign,
        z0,
        z1,
        z2,
        z3,
        q1,
    ] = b;
    if [q0, h0, h1, s0, k0, k1, s1, q1] != *b"\"-- :: \"" {
        return None;
    }
    let digit = |b: u8| b.is_ascii_digit().then(|| u16::from(b - b'0'));
    let two = |hi: u8, lo: u8| Some(digit(hi)? * 10 + digit(lo)?);
    let day = if d0 == b' ' { digit(d1)? } else { two(d0, d1)? };
    let month = month_number([m0, m1, m2])?;
    let year = two(y0, y1)? * 100 + two(y2, y3)?;
    let (hour, minute, second) = (two(t0, t1)?, two(t2, t3)?, two(t4, t5)?);
    let (hh, mm) = (two(z0, z1)?, two(z2, z3)?);
    let sign: i16 = match sign {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 || mm > 59 {
        return None;
    }
    Some(DateTime {
        date: Date {
            year,
            month,
            day: day as u8,
        },
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
        zone_minutes: sign * (hh as i16 * 60 + mm as i16),
    })
}

impl DateTime {
    /// Parses `date-time` (quoted). A single-digit day without the padding space is
    /// accepted too, since servers send it.
    pub fn parse(c: &mut Cursor<'_>) -> ParseResult<Self> {
        if let Some(value) = fixed_date_time(c.rest()) {
            c.skip(28);
            return Ok(value);
        }
        c.expect(b'"', Expected::DateTime)?;
        let date = date_text(c, true)?;
        c.sp()?;
        let hour = digits(c, 2, 2, Expected::Time)?;
        c.expect(b':', Expected::Time)?;
        let minute = digits(c, 2, 2, Expected::Time)?;
        c.expect(b':', Expected::Time)?;
        let second = digits(c, 2, 2, Expected::Time)?;
        c.sp()?;
        let sign: i16 = if c.eat(b'+') {
            1
        } else if c.eat(b'-') {
            -1
        } else {
            return Err(c.error(Expected::Zone));
        };
        let hh = digits(c, 2, 2, Expected::Zone)?;
        let mm = digits(c, 2, 2, Expected::Zone)?;
        c.expect(b'"', Expected::Quote)?;
        if hour > 23 || minute > 59 || second > 60 || mm > 59 {
            return Err(c.error(Expected::Time));
        }
        Ok(DateTime {
            date,
            hour: hour as u8,
            minute: minute as u8,
            second: second as u8,
            zone_minutes: sign * (hh as i16 * 60 + mm as i16),
        })
    }
}

impl Encode for DateTime {
    fn encode<S: Sink + ?Sized>(&self, out: &mut S) {
        out.put(b"\"");
        self.date.put(out, true);
        out.put(b" ");
        put_padded(out, u64::from(self.hour), 2);
        out.put(b":");
        put_padded(out, u64::from(self.minute), 2);
        out.put(b":");
        put_padded(out, u64::from(self.second), 2);
        out.put(if self.zone_minutes < 0 { b" -" } else { b" +" });
        let zone = self.zone_minutes.unsigned_abs();
        put_padded(out, u64::from(zone / 60), 2);
        put_padded(out, u64::from(zone % 60), 2);
        out.put(b"\"");
    }
}

impl IntoOwned for Date {
    type Owned = Date;
    fn into_owned(self) -> Self {
        self
    }
}

impl IntoOwned for DateTime {
    type Owned = DateTime;
    fn into_owned(self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;

    #[test]
    fn known_answers() {
        let dt = DateTime::parse(&mut Cursor::new(
            b"\"17-Jul-1996 02:44:25 -0700\"",
            Limits::default(),
        ))
        .unwrap();
        assert_eq!(
            dt.date,
            Date {
                year: 1996,
                month: 7,
                day: 17
            }
        );
        assert_eq!(
            (dt.hour, dt.minute, dt.second, dt.zone_minutes),
            (2, 44, 25, -420)
        );
        assert_eq!(dt.to_bytes(), b"\"17-Jul-1996 02:44:25 -0700\"");
        let dt = DateTime::parse(&mut Cursor::new(
            b"\" 1-feb-2020 00:00:00 +0130\"",
            Limits::default(),
        ))
        .unwrap();
        assert_eq!(dt.zone_minutes, 90);
        assert_eq!(dt.to_bytes(), b"\" 1-Feb-2020 00:00:00 +0130\"");
        let d = Date::parse(&mut Cursor::new(b"1-Feb-1994", Limits::default())).unwrap();
        assert_eq!(d.to_bytes(), b"1-Feb-1994");
        assert!(Date::parse(&mut Cursor::new(b"1-Foo-1994", Limits::default())).is_err());
        assert!(
            DateTime::parse(&mut Cursor::new(
                b"\"17-Jul-1996 25:44:25 -0700\"",
                Limits::default()
            ))
            .is_err()
        );
    }

    #[test]
    fn fixed_form_and_general_form_agree() {
        let parse = |s: &[u8]| {
            let mut c = Cursor::new(s, Limits::default());
            DateTime::parse(&mut c).map(|dt| (dt, c.pos()))
        };
        // The 28-byte form (day padded with a zero or a space) and the 27-byte unpadded form
        // the general parser reads give the same value.
        let (padded, used) = parse(b"\"05-Dec-2026 11:52:40 +0000\" x").unwrap();
        assert_eq!(used, 28);
        let (spaced, _) = parse(b"\" 5-dEC-2026 11:52:40 +0000\"").unwrap();
        let (bare, used) = parse(b"\"5-Dec-2026 11:52:40 +0000\"").unwrap();
        assert_eq!(used, 27);
        assert_eq!(padded, spaced);
        assert_eq!(padded, bare);
        assert_eq!(padded.date.day, 5);
        // Out-of-range fields in the fixed form are refused as before, with the general
        // parser's offsets.
        for bad in [
            &b"\"00-Dec-2026 11:52:40 +0000\""[..],
            b"\"32-Dec-2026 11:52:40 +0000\"",
            b"\"05-Dez-2026 11:52:40 +0000\"",
            b"\"05-Dec-2026 11:60:40 +0000\"",
            b"\"05-Dec-2026 11:52:40 *0000\"",
            b"\"05-Dec-2026 11:52:40 +0060\"",
            b"\"05-Dec-2026 11:52:4x +0000\"",
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        let err = parse(b"\"05-Dec-2026 24:00:00 +0000\"").unwrap_err();
        assert_eq!(err.offset(), 28);
    }
}
