//! Recurrence expansion: known answers from RFC 5545 §3.8.5.3 (evaluated in the
//! America/New_York VTIMEZONE of RFC 5545 §3.6.5, so every EDT/EST switch is checked), plus
//! EXDATE, RDATE, overrides moving in and out of the range, and client-style samples.

use std::path::Path;

use groupwire_dav::ical::expand::{Timestamp, UtcRange, expand_calendar, occurrences};
use groupwire_dav::ical::recur::Recur;
use groupwire_dav::ical::value::{DateOrDateTime, DateTime};
use groupwire_dav::ical::{Component, DecodeOptions, decode_calendar};
use groupwire_dav::{ErrorKind, Limit, Limits};

fn fixture(path: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(path),
    )
    .unwrap()
}

fn utc(text: &str) -> Timestamp {
    Timestamp::parse(&format!("{text}Z")).unwrap()
}

fn parse(text: &str) -> Component<'_> {
    decode_calendar(text.as_bytes(), &DecodeOptions::lenient())
        .unwrap()
        .complete()
        .unwrap()
        .0
        .value
}

/// Expands an event in America/New_York and returns each start as `YYYYMMDDTHHMMSS EDT|EST`.
fn new_york(dtstart: &str, rules: &str, until_utc: &str) -> Vec<String> {
    let text = format!(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:test\n{}BEGIN:VEVENT\nUID:kat\nDTSTAMP:19970901T000000Z\n\
         DTSTART;TZID=America/New_York:{dtstart}\nDURATION:PT1H\n{rules}\nEND:VEVENT\nEND:VCALENDAR\n",
        fixture("rfc/rfc5545-3.6.5-1-component.ics")
    );
    let cal = parse(&text);
    let range = UtcRange {
        start: utc("19960101T000000"),
        end: utc(until_utc),
    };
    expand_calendar(&cal, range, &Limits::default())
        .unwrap()
        .iter()
        .map(|i| {
            // EDT is UTC-4, EST UTC-5: label by the US rules of the time, independently of
            // the VTIMEZONE under test.
            let edt =
                DateTime::from_wall_seconds(i.start.unix_seconds() - 4 * 3600, false).unwrap();
            let est =
                DateTime::from_wall_seconds(i.start.unix_seconds() - 5 * 3600, false).unwrap();
            if is_dst(DateOrDateTime::DateTime(edt)) {
                format!("{edt} EDT")
            } else {
                format!("{est} EST")
            }
        })
        .collect()
}

/// US daylight time in 1996–2007 rules: first Sunday in April to last Sunday in October.
fn is_dst(local: DateOrDateTime) -> bool {
    let d = local.date();
    let first_sunday_april = (1..=7).find(|day| {
        groupwire_dav::ical::value::Date::new(d.year, 4, *day)
            .unwrap()
            .weekday_index()
            == 6
    });
    let last_sunday_october = (25..=31).rev().find(|day| {
        groupwire_dav::ical::value::Date::new(d.year, 10, *day)
            .unwrap()
            .weekday_index()
            == 6
    });
    let md = (d.month, d.day);
    md >= (4, first_sunday_april.unwrap()) && md < (10, last_sunday_october.unwrap())
}

fn days(year: u16, month: u8, list: &[u8], zone: &str) -> Vec<String> {
    list.iter()
        .map(|d| format!("{year:04}{month:02}{d:02}T090000 {zone}"))
        .collect()
}

fn concat(parts: &[Vec<String>]) -> Vec<String> {
    parts.concat()
}

#[test]
fn daily_for_10_occurrences() {
    assert_eq!(
        new_york(
            "19970902T090000",
            "RRULE:FREQ=DAILY;COUNT=10",
            "19980101T000000"
        ),
        days(1997, 9, &[2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "EDT")
    );
}

#[test]
fn daily_until_crosses_dst_end() {
    let got = new_york(
        "19970902T090000",
        "RRULE:FREQ=DAILY;UNTIL=19971224T000000Z",
        "19980101T000000",
    );
    let expected = concat(&[
        days(1997, 9, &(2..=30).collect::<Vec<_>>(), "EDT"),
        days(1997, 10, &(1..=25).collect::<Vec<_>>(), "EDT"),
        days(1997, 10, &(26..=31).collect::<Vec<_>>(), "EST"),
        days(1997, 11, &(1..=30).collect::<Vec<_>>(), "EST"),
        days(1997, 12, &(1..=23).collect::<Vec<_>>(), "EST"),
    ]);
    assert_eq!(got, expected);
}

#[test]
fn every_10_days_5_occurrences() {
    assert_eq!(
        new_york(
            "19970902T090000",
            "RRULE:FREQ=DAILY;INTERVAL=10;COUNT=5",
            "19980101T000000"
        ),
        concat(&[
            days(1997, 9, &[2, 12, 22], "EDT"),
            days(1997, 10, &[2, 12], "EDT")
        ])
    );
}

#[test]
fn every_day_in_january_for_3_years_both_forms() {
    let expected = concat(&[
        days(1998, 1, &(1..=31).collect::<Vec<_>>(), "EST"),
        days(1999, 1, &(1..=31).collect::<Vec<_>>(), "EST"),
        days(2000, 1, &(1..=31).collect::<Vec<_>>(), "EST"),
    ]);
    for rule in [
        "RRULE:FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
        "RRULE:FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1",
    ] {
        assert_eq!(
            new_york("19980101T090000", rule, "20010101T000000"),
            expected,
            "{rule}"
        );
    }
}

#[test]
fn weekly_rules() {
    assert_eq!(
        new_york(
            "19970902T090000",
            "RRULE:FREQ=WEEKLY;COUNT=10",
            "19980101T000000"
        ),
        concat(&[
            days(1997, 9, &[2, 9, 16, 23, 30], "EDT"),
            days(1997, 10, &[7, 14, 21], "EDT"),
            days(1997, 10, &[28], "EST"),
            days(1997, 11, &[4], "EST"),
        ])
    );
    assert_eq!(
        new_york(
            "19970902T090000",
            "RRULE:FREQ=WEEKLY;INTERVAL=2;WKST=SU",
            "19980218T000000"
        ),
        concat(&[
            days(1997, 9, &[2, 16, 30], "EDT"),
            days(1997, 10, &[14], "EDT"),
            days(1997, 10, &[28], "EST"),
            days(1997, 11, &[11, 25], "EST"),
            days(1997, 12, &[9, 23], "EST"),
            days(1998, 1, &[6, 20], "EST"),
            days(1998, 2, &[3, 17], "EST"),
        ])
    );
    let tu_th = concat(&[
        days(1997, 9, &[2, 4, 9, 11, 16, 18, 23, 25, 30], "EDT"),
        days(1997, 10, &[2], "EDT"),
    ]);
    for rule in [
        "RRULE:FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH",
        "RRULE:FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH",
    ] {
        assert_eq!(
            new_york("19970902T090000", rule, "19980101T000000"),
            tu_th,
            "{rule}"
        );
    }
    assert_eq!(
        new_york(
            "19970901T090000",
            "RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
            "19980101T000000"
        ),
        concat(&[
            days(1997, 9, &[1, 3, 5, 15, 17, 19, 29], "EDT"),
            days(1997, 10, &[1, 3, 13, 15, 17], "EDT"),
            days(1997, 10, &[27, 29, 31], "EST"),
            days(1997, 11, &[10, 12, 14, 24, 26, 28], "EST"),
            days(1997, 12, &[8, 10, 12, 22], "EST"),
        ])
    );
}

#[test]
fn monthly_rules() {
    assert_eq!(
        new_york(
            "19970905T090000",
            "RRULE:FREQ=MONTHLY;COUNT=10;BYDAY=1FR",
            "19990101T000000"
        ),
        concat(&[
            days(1997, 9, &[5], "EDT"),
            days(1997, 10, &[3], "EDT"),
            days(1997, 11, &[7], "EST"),
            days(1997, 12, &[5], "EST"),
            days(1998, 1, &[2], "EST"),
            days(1998, 2, &[6], "EST"),
            days(1998, 3, &[6], "EST"),
            days(1998, 4, &[3], "EST"),
            days(1998, 5, &[1], "EDT"),
            days(1998, 6, &[5], "EDT"),
        ])
    );
    assert_eq!(
        new_york(
            "19970907T090000",
            "RRULE:FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU",
            "19990101T000000"
        ),
        concat(&[
            days(1997, 9, &[7, 28], "EDT"),
            days(1997, 11, &[2, 30], "EST"),
            days(1998, 1, &[4, 25], "EST"),
            days(1998, 3, &[1, 29], "EST"),
            days(1998, 5, &[3, 31], "EDT"),
        ])
    );
    assert_eq!(
        new_york(
            "19970922T090000",
            "RRULE:FREQ=MONTHLY;COUNT=6;BYDAY=-2MO",
            "19990101T000000"
        ),
        concat(&[
            days(1997, 9, &[22], "EDT"),
            days(1997, 10, &[20], "EDT"),
            days(1997, 11, &[17], "EST"),
            days(1997, 12, &[22], "EST"),
            days(1998, 1, &[19], "EST"),
            days(1998, 2, &[16], "EST"),
        ])
    );
    assert_eq!(
        new_york(
            "19970928T090000",
            "RRULE:FREQ=MONTHLY;BYMONTHDAY=-3",
            "19980227T000000"
        ),
        concat(&[
            days(1997, 9, &[28], "EDT"),
            days(1997, 10, &[29], "EST"),
            days(1997, 11, &[28], "EST"),
            days(1997, 12, &[29], "EST"),
            days(1998, 1, &[29], "EST"),
            days(1998, 2, &[26], "EST"),
        ])
    );
    assert_eq!(
        new_york(
            "19970930T090000",
            "RRULE:FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1",
            "19990101T000000"
        ),
        concat(&[
            days(1997, 9, &[30], "EDT"),
            days(1997, 10, &[1], "EDT"),
            days(1997, 10, &[31], "EST"),
            days(1997, 11, &[1, 30], "EST"),
            days(1997, 12, &[1, 31], "EST"),
            days(1998, 1, &[1, 31], "EST"),
            days(1998, 2, &[1], "EST"),
        ])
    );
    assert_eq!(
        new_york(
            "19970910T090000",
            "RRULE:FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15",
            "20010101T000000"
        ),
        concat(&[
            days(1997, 9, &[10, 11, 12, 13, 14, 15], "EDT"),
            days(1999, 3, &[10, 11, 12, 13], "EST")
        ])
    );
    // Friday the 13th, with DTSTART excluded.
    assert_eq!(
        new_york(
            "19970902T090000",
            "EXDATE;TZID=America/New_York:19970902T090000\nRRULE:FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
            "20001014T000000"
        ),
        concat(&[
            days(1998, 2, &[13], "EST"),
            days(1998, 3, &[13], "EST"),
            days(1998, 11, &[13], "EST"),
            days(1999, 8, &[13], "EDT"),
            days(2000, 10, &[13], "EDT"),
        ])
    );
    assert_eq!(
        new_york(
            "19970904T090000",
            "RRULE:FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3",
            "19990101T000000"
        ),
        concat(&[
            days(1997, 9, &[4], "EDT"),
            days(1997, 10, &[7], "EDT"),
            days(1997, 11, &[6], "EST")
        ])
    );
    assert_eq!(
        new_york(
            "19970929T090000",
            "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
            "19980331T000000"
        ),
        concat(&[
            days(1997, 9, &[29], "EDT"),
            days(1997, 10, &[30], "EST"),
            days(1997, 11, &[27], "EST"),
            days(1997, 12, &[30], "EST"),
            days(1998, 1, &[29], "EST"),
            days(1998, 2, &[26], "EST"),
            days(1998, 3, &[30], "EST"),
        ])
    );
}

#[test]
fn yearly_rules() {
    assert_eq!(
        new_york(
            "19970310T090000",
            "RRULE:FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3",
            "20050101T000000"
        ),
        concat(&[
            days(1997, 3, &[10], "EST"),
            days(1999, 1, &[10], "EST"),
            days(1999, 2, &[10], "EST"),
            days(1999, 3, &[10], "EST"),
            days(2001, 1, &[10], "EST"),
            days(2001, 2, &[10], "EST"),
            days(2001, 3, &[10], "EST"),
            days(2003, 1, &[10], "EST"),
            days(2003, 2, &[10], "EST"),
            days(2003, 3, &[10], "EST"),
        ])
    );
    assert_eq!(
        new_york(
            "19970101T090000",
            "RRULE:FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200",
            "20070101T000000"
        ),
        concat(&[
            days(1997, 1, &[1], "EST"),
            days(1997, 4, &[10], "EDT"),
            days(1997, 7, &[19], "EDT"),
            days(2000, 1, &[1], "EST"),
            days(2000, 4, &[9], "EDT"),
            days(2000, 7, &[18], "EDT"),
            days(2003, 1, &[1], "EST"),
            days(2003, 4, &[10], "EDT"),
            days(2003, 7, &[19], "EDT"),
            days(2006, 1, &[1], "EST"),
        ])
    );
    assert_eq!(
        new_york(
            "19970519T090000",
            "RRULE:FREQ=YEARLY;BYDAY=20MO",
            "19991231T000000"
        ),
        concat(&[
            days(1997, 5, &[19], "EDT"),
            days(1998, 5, &[18], "EDT"),
            days(1999, 5, &[17], "EDT")
        ])
    );
    assert_eq!(
        new_york(
            "19970512T090000",
            "RRULE:FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO",
            "19991231T000000"
        ),
        concat(&[
            days(1997, 5, &[12], "EDT"),
            days(1998, 5, &[11], "EDT"),
            days(1999, 5, &[17], "EDT")
        ])
    );
    assert_eq!(
        new_york(
            "19970313T090000",
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=TH",
            "19991231T000000"
        ),
        concat(&[
            days(1997, 3, &[13, 20, 27], "EST"),
            days(1998, 3, &[5, 12, 19, 26], "EST"),
            days(1999, 3, &[4, 11, 18, 25], "EST"),
        ])
    );
    assert_eq!(
        new_york(
            "19961105T090000",
            "RRULE:FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
            "20050101T000000"
        ),
        concat(&[
            days(1996, 11, &[5], "EST"),
            days(2000, 11, &[7], "EST"),
            days(2004, 11, &[2], "EST")
        ])
    );
}

#[test]
fn sub_daily_rules() {
    // RFC 5545 lists 15:00 too, but 15:00 EDT is 19:00Z, after its own UNTIL of 17:00Z (a
    // known mistake in the example); UNTIL=19970902T210000Z gives the listed three.
    assert_eq!(
        new_york(
            "19970902T090000",
            "RRULE:FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z",
            "19980101T000000"
        ),
        vec!["19970902T090000 EDT", "19970902T120000 EDT"]
    );
    assert_eq!(
        new_york(
            "19970902T090000",
            "RRULE:FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T210000Z",
            "19980101T000000"
        ),
        vec![
            "19970902T090000 EDT",
            "19970902T120000 EDT",
            "19970902T150000 EDT"
        ]
    );
    assert_eq!(
        new_york(
            "19970902T090000",
            "RRULE:FREQ=MINUTELY;INTERVAL=90;COUNT=4",
            "19980101T000000"
        ),
        vec![
            "19970902T090000 EDT",
            "19970902T103000 EDT",
            "19970902T120000 EDT",
            "19970902T133000 EDT"
        ]
    );
    // Every 20 minutes from 9:00 to 16:40, both forms, first two days.
    let rules = [
        "RRULE:FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40",
        "RRULE:FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16",
    ];
    let a = new_york("19970902T090000", rules[0], "19970904T000000");
    let b = new_york("19970902T090000", rules[1], "19970904T000000");
    assert_eq!(a.len(), 2 * 24);
    assert_eq!(a.first().unwrap(), "19970902T090000 EDT");
    assert_eq!(a.last().unwrap(), "19970903T164000 EDT");
    assert_eq!(a, b);
}

#[test]
fn occurrences_of_a_floating_rule_are_wall_clock() {
    let start = DateOrDateTime::parse("20240131T100000").unwrap();
    let rule = Recur::parse("FREQ=MONTHLY;COUNT=4").unwrap();
    let got = occurrences(start, &rule, None, i64::MAX / 2, &Limits::default()).unwrap();
    // Months without a 31st are skipped (RFC 5545 §3.3.10).
    let expected: Vec<i64> = [
        "20240131T100000",
        "20240331T100000",
        "20240531T100000",
        "20240731T100000",
    ]
    .iter()
    .map(|s| DateTime::parse(s).unwrap().wall_seconds())
    .collect();
    assert_eq!(got, expected);
}

#[test]
fn exdate_rdate_and_overrides_in_and_out_of_the_range() {
    let text = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:t\n\
        BEGIN:VEVENT\nUID:a\nDTSTART:20240101T100000Z\nDTEND:20240101T110000Z\nRRULE:FREQ=DAILY;COUNT=5\n\
        EXDATE:20240102T100000Z\nRDATE:20240110T100000Z\nEND:VEVENT\n\
        BEGIN:VEVENT\nUID:a\nRECURRENCE-ID:20240103T100000Z\nDTSTART:20240120T100000Z\nDTEND:20240120T110000Z\nSUMMARY:moved out\nEND:VEVENT\n\
        BEGIN:VEVENT\nUID:a\nRECURRENCE-ID:20240104T100000Z\nDTSTART:20240104T150000Z\nDTEND:20240104T160000Z\nSUMMARY:moved later\nEND:VEVENT\n\
        END:VCALENDAR\n";
    let cal = parse(text);
    let range = UtcRange {
        start: utc("20240101T000000"),
        end: utc("20240111T000000"),
    };
    let got: Vec<(Timestamp, Option<String>)> = expand_calendar(&cal, range, &Limits::default())
        .unwrap()
        .iter()
        .map(|i| (i.start, i.component.summary().map(|s| s.into_owned())))
        .collect();
    assert_eq!(
        got,
        vec![
            (utc("20240101T100000"), None),
            (utc("20240104T150000"), Some("moved later".into())),
            (utc("20240105T100000"), None),
            (utc("20240110T100000"), None),
        ]
    );
    // The instance moved to the 20th shows up in a range around its new time only.
    let later = UtcRange {
        start: utc("20240120T000000"),
        end: utc("20240121T000000"),
    };
    let got = expand_calendar(&cal, later, &Limits::default()).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].recurrence_id, Some(utc("20240103T100000")));
    assert_eq!(got[0].summary_for_test(), "moved out");
}

trait SummaryForTest {
    fn summary_for_test(&self) -> String;
}

impl SummaryForTest for groupwire_dav::ical::expand::Instance<'_, '_> {
    fn summary_for_test(&self) -> String {
        self.component.summary().unwrap().into_owned()
    }
}

#[test]
fn an_override_moved_into_the_range_from_beyond_the_horizon_is_found() {
    let text = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:t\n\
        BEGIN:VEVENT\nUID:b\nDTSTART:20240101T100000Z\nRRULE:FREQ=YEARLY\nEND:VEVENT\n\
        BEGIN:VEVENT\nUID:b\nRECURRENCE-ID:20300101T100000Z\nDTSTART:20240615T100000Z\nSUMMARY:early\nEND:VEVENT\n\
        END:VCALENDAR\n";
    let cal = parse(text);
    let range = UtcRange {
        start: utc("20240601T000000"),
        end: utc("20240701T000000"),
    };
    let got = expand_calendar(&cal, range, &Limits::default()).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].start, utc("20240615T100000"));
}

#[test]
fn time_range_overlap_follows_rfc4791() {
    let text = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:t\n\
        BEGIN:VEVENT\nUID:c\nDTSTART:20240101T230000Z\nDURATION:PT2H\nEND:VEVENT\n\
        BEGIN:VEVENT\nUID:d\nDTSTART:20240102T000000Z\nEND:VEVENT\n\
        BEGIN:VEVENT\nUID:e\nDTSTART;VALUE=DATE:20240101\nEND:VEVENT\n\
        END:VCALENDAR\n";
    let cal = parse(text);
    let uids = |s: &str, e: &str| -> Vec<String> {
        expand_calendar(
            &cal,
            UtcRange {
                start: utc(s),
                end: utc(e),
            },
            &Limits::default(),
        )
        .unwrap()
        .iter()
        .map(|i| i.component.uid().unwrap().into_owned())
        .collect()
    };
    // c overlaps into the 2nd; d is a point at midnight; e covers the 1st.
    assert_eq!(uids("20240102T000000", "20240102T010000"), vec!["c", "d"]);
    assert_eq!(uids("20240101T120000", "20240101T230000"), vec!["e"]);
    assert_eq!(
        uids("20240102T010000", "20240103T000000"),
        Vec::<String>::new()
    );
}

#[test]
fn client_samples_expand_across_dst() {
    // Thunderbird: Mon/Wed/Fri 09:30 Europe/Berlin, EXDATE 8 April, 5 April moved to 14:00.
    let tb = fixture("real/thunderbird.ics");
    let cal = parse(&tb);
    let range = UtcRange {
        start: utc("20240325T000000"),
        end: utc("20240410T000000"),
    };
    let starts: Vec<Timestamp> = expand_calendar(&cal, range, &Limits::default())
        .unwrap()
        .iter()
        .map(|i| i.start)
        .collect();
    assert_eq!(
        starts,
        vec![
            utc("20240325T083000"), // CET, UTC+1
            utc("20240327T083000"),
            utc("20240329T083000"),
            utc("20240401T073000"), // CEST, UTC+2
            utc("20240403T073000"),
            utc("20240405T120000"), // the override
        ]
    );
    // Outlook: quarterly on the 15th, 10:00 W. Europe, zone rules from 1601.
    let ol = fixture("real/outlook.ics");
    let cal = parse(&ol);
    let range = UtcRange {
        start: utc("20240101T000000"),
        end: utc("20250101T000000"),
    };
    let starts: Vec<Timestamp> = expand_calendar(&cal, range, &Limits::default())
        .unwrap()
        .iter()
        .map(|i| i.start)
        .collect();
    assert_eq!(
        starts,
        vec![
            utc("20240115T090000"),
            utc("20240415T080000"),
            utc("20240715T080000"),
            utc("20241015T080000")
        ]
    );
    // Apple: yearly COUNT=5 from 2024, Los Angeles (PDT in March after the 10th).
    let ap = fixture("real/apple.ics");
    let cal = parse(&ap);
    let range = UtcRange {
        start: utc("20200101T000000"),
        end: utc("20400101T000000"),
    };
    let events: Vec<Timestamp> = expand_calendar(&cal, range, &Limits::default())
        .unwrap()
        .iter()
        .filter(|i| i.component.summary().as_deref() == Some("Picnic"))
        .map(|i| i.start)
        .collect();
    assert_eq!(
        events,
        vec![
            utc("20240316T000000"),
            utc("20250316T000000"),
            utc("20260316T000000"),
            utc("20270316T000000"),
            utc("20280316T000000"),
        ]
    );
    // Google: first Thursday monthly 15:00 New York, 4 July excluded, until end of 2024.
    let g = fixture("real/google.ics");
    let cal = parse(&g);
    let range = UtcRange {
        start: utc("20240601T000000"),
        end: utc("20240901T000000"),
    };
    let got: Vec<(Timestamp, bool)> = expand_calendar(&cal, range, &Limits::default())
        .unwrap()
        .iter()
        .map(|i| (i.start, i.all_day))
        .collect();
    assert_eq!(
        got,
        vec![
            (utc("20240606T190000"), false),
            (utc("20240801T190000"), false)
        ]
    );
}

#[test]
fn runaway_rules_hit_the_instance_limit() {
    let text = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:t\nBEGIN:VEVENT\nUID:f\nDTSTART:20240101T000000Z\n\
        RRULE:FREQ=SECONDLY\nEND:VEVENT\nEND:VCALENDAR\n";
    let cal = parse(text);
    let mut limits = Limits::default();
    limits.max_instances = 1000;
    let range = UtcRange {
        start: utc("20240101T000000"),
        end: utc("20250101T000000"),
    };
    let e = expand_calendar(&cal, range, &limits).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::Instances));
}

#[test]
fn a_period_with_millions_of_candidates_hits_the_limit_without_building_them() {
    let hours: Vec<String> = (0..24).map(|h| h.to_string()).collect();
    let minutes: Vec<String> = (0..60).map(|m| m.to_string()).collect();
    let rule = format!(
        "FREQ=YEARLY;BYHOUR={};BYMINUTE={};BYSECOND={}",
        hours.join(","),
        minutes.join(","),
        minutes.join(",")
    );
    let rule = Recur::parse(&rule).unwrap();
    let start = DateOrDateTime::parse("20240101T000000Z").unwrap();
    let e = occurrences(
        start,
        &rule,
        None,
        utc("20300101T000000").unix_seconds(),
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::Instances));
    // A huge INTERVAL on a sub-daily rule with an unbounded horizon ends instead of
    // overflowing the clock arithmetic.
    let rule = Recur::parse("FREQ=HOURLY;INTERVAL=4000000000;BYMINUTE=0,59").unwrap();
    let mut limits = Limits::default();
    limits.max_instances = 2_000_000;
    let got = occurrences(start, &rule, None, i64::MAX - 1, &limits).unwrap();
    assert!(got.len() >= 2 && got.windows(2).all(|w| w[0] < w[1]));
}
