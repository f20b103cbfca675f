//! Typed instants in the expansion API: [`Timestamp`], [`UtcRange`], and each instance's
//! start read on the component's own clock; conversions to `chrono` and `jiff` behind their
//! features.

use groupwire_dav::Limits;
use groupwire_dav::ical::expand::expand_calendar;
use groupwire_dav::ical::value::{Date, DateOrDateTime, DateTime};
use groupwire_dav::ical::{DecodeOptions, Timestamp, UtcRange, decode_calendar};

const BERLIN: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//groupwire//typed time//EN\r\n\
BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n\
BEGIN:DAYLIGHT\r\nDTSTART:19810329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
BEGIN:STANDARD\r\nDTSTART:19961027T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
END:VTIMEZONE\r\n\
BEGIN:VEVENT\r\nUID:weekly@groupwire.test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20260323T090000\r\nDTEND;TZID=Europe/Berlin:20260323T093000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Weekly\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:holiday@groupwire.test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260403\r\nSUMMARY:Holiday\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

#[test]
fn instances_carry_instants_and_their_local_start() {
    let calendar = decode_calendar(BERLIN.as_bytes(), &DecodeOptions::strict().whole_body())
        .unwrap()
        .complete()
        .unwrap()
        .0
        .value;
    let march = UtcRange::parse("20260301T000000Z", "20260501T000000Z").unwrap();
    let instances = expand_calendar(&calendar, march, &Limits::default()).unwrap();
    let got: Vec<(String, String)> = instances
        .iter()
        .map(|i| (i.start.to_string(), i.local_start().unwrap().to_string()))
        .collect();
    // 09:00 Berlin is 08:00Z before the switch on 29 March, 07:00Z after it.
    assert_eq!(
        got,
        [
            ("20260323T080000Z".into(), "20260323T090000".into()),
            ("20260330T070000Z".into(), "20260330T090000".into()),
            ("20260403T000000Z".into(), "20260403".into()),
            ("20260406T070000Z".into(), "20260406T090000".into()),
        ]
    );
    let first = &instances[0];
    assert_eq!(first.duration_seconds(), 30 * 60);
    assert_eq!(first.recurrence_id, Some(first.start));
    assert_eq!(
        first.local_end(),
        Some(DateOrDateTime::DateTime(
            DateTime::parse("20260323T093000").unwrap()
        ))
    );
    assert_eq!(
        instances[2].local_start(),
        Some(DateOrDateTime::Date(Date::new(2026, 4, 3).unwrap()))
    );
    assert!(march.contains(first.start));
    assert!(!march.contains(march.end));
}

#[test]
fn timestamps_parse_print_and_count_seconds() {
    let t = Timestamp::parse("20260323T080000Z").unwrap();
    assert_eq!(t.unix_seconds(), 1_774_252_800);
    assert_eq!(Timestamp::from_unix_seconds(1_774_252_800), t);
    assert_eq!((t + 3600).to_string(), "20260323T090000Z");
    assert_eq!((t + 3600) - t, 3600);
    // A floating or zoned reading is not an instant.
    assert!(Timestamp::parse("20260323T080000").is_err());
    assert_eq!(
        Timestamp::from_utc(DateTime::parse("20260323T080000Z").unwrap()),
        Some(t)
    );
    assert_eq!(
        Timestamp::from_utc(DateTime::parse("20260323T080000").unwrap()),
        None
    );
}

#[cfg(feature = "chrono")]
#[test]
fn timestamps_convert_to_and_from_chrono() {
    let t = Timestamp::parse("20260323T080000Z").unwrap();
    let c: chrono::DateTime<chrono::Utc> = t.try_into().unwrap();
    assert_eq!(c.to_rfc3339(), "2026-03-23T08:00:00+00:00");
    assert_eq!(Timestamp::from(c), t);
}

#[cfg(feature = "jiff")]
#[test]
fn timestamps_convert_to_and_from_jiff() {
    let t = Timestamp::parse("20260323T080000Z").unwrap();
    let j: jiff::Timestamp = t.try_into().unwrap();
    assert_eq!(j.to_string(), "2026-03-23T08:00:00Z");
    assert_eq!(Timestamp::from(j), t);
    assert!(jiff::Timestamp::try_from(Timestamp::from_unix_seconds(i64::MAX)).is_err());
}
