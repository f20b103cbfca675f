//! Recurrence expansion against hostile calendars (issue 14): the limits bound the whole call,
//! the lazy [`Expansion`] stops when the caller does, instances come in time order, and the
//! work grows linearly with the number of components. Memory is asserted through instance
//! counts and time through the expansion's work counter, never the wall clock.

use std::fmt::Write as _;
use std::path::Path;

use groupwire_dav::ical::expand::{Expansion, Timestamp, UtcRange, expand_calendar};
use groupwire_dav::ical::{Component, DecodeOptions, decode_calendar};
use groupwire_dav::{ErrorKind, Limit, Limits};

fn utc(text: &str) -> Timestamp {
    Timestamp::parse(&format!("{text}Z")).unwrap()
}

fn parse(text: &str) -> Component<'_> {
    let mut options = DecodeOptions::lenient();
    options.limits.max_list_length = 1_000_000;
    decode_calendar(text.as_bytes(), &options)
        .unwrap()
        .complete()
        .unwrap()
        .0
        .value
}

fn calendar(events: &str) -> String {
    format!("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:t\n{events}END:VCALENDAR\n")
}

fn new_york_zone() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/rfc/rfc5545-3.6.5-1-component.ics"),
    )
    .unwrap()
}

/// The calendar of the report: 400 events, each every minute for 60 days (43 KB).
fn minutely_flood() -> (String, UtcRange) {
    let mut events = String::new();
    for n in 0..400 {
        write!(
            events,
            "BEGIN:VEVENT\nUID:flood-{n}\nDTSTART:20240101T000000Z\n\
             RRULE:FREQ=MINUTELY;UNTIL=20240301T000000Z\nEND:VEVENT\n"
        )
        .unwrap();
    }
    let range = UtcRange {
        start: utc("20240101T000000"),
        end: utc("20240301T000000"),
    };
    (calendar(&events), range)
}

#[test]
fn the_instance_limit_bounds_the_whole_call_not_each_event() {
    let (text, range) = minutely_flood();
    assert!(text.len() > 40_000 && text.len() < 50_000);
    let cal = parse(&text);
    let limits = Limits::default();
    // Each event alone stays under the limit (86,400 < 100,000, see the next test): a
    // per-event bound let this calendar produce 34.6 million instances.
    let error = expand_calendar(&cal, range, &limits).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::LimitExceeded(Limit::Instances));
    assert!(error.to_string().contains("max_instances"), "{error}");

    let mut expansion = Expansion::new(&cal, range, &limits).unwrap();
    let mut produced = 0;
    let mut most_buffered = 0;
    let error = loop {
        match expansion.next() {
            Some(Ok(_)) => produced += 1,
            Some(Err(error)) => break error,
            None => panic!("the flood ended without hitting the limit"),
        }
        most_buffered = most_buffered.max(expansion.buffered());
    };
    assert_eq!(error.kind(), ErrorKind::LimitExceeded(Limit::Instances));
    assert_eq!(produced, limits.max_instances);
    assert!(
        expansion.next().is_none(),
        "the iterator ends after its error"
    );
    // Memory: one lookahead instance per event, not 86,400.
    assert!(most_buffered <= 400, "{most_buffered} instances buffered");
    // Time: a few steps per instance produced.
    assert!(
        expansion.work() < 5 * limits.max_instances as u64,
        "{} steps",
        expansion.work()
    );
}

#[test]
fn the_single_event_of_the_flood_still_expands_in_full() {
    let text = calendar(
        "BEGIN:VEVENT\nUID:one\nDTSTART:20240101T000000Z\n\
         RRULE:FREQ=MINUTELY;UNTIL=20240301T000000Z\nEND:VEVENT\n",
    );
    let cal = parse(&text);
    let range = UtcRange {
        start: utc("20240101T000000"),
        end: utc("20240301T000000"),
    };
    let all = expand_calendar(&cal, range, &Limits::default()).unwrap();
    assert_eq!(all.len(), 60 * 24 * 60);
}

#[test]
fn a_caller_taking_the_next_50_pays_for_about_50() {
    let (text, range) = minutely_flood();
    let cal = parse(&text);
    let mut expansion = Expansion::new(&cal, range, &Limits::default()).unwrap();
    let first: Vec<(Timestamp, String)> = expansion
        .by_ref()
        .take(50)
        .map(|i| {
            let i = i.unwrap();
            (i.start, i.component.uid().unwrap().into_owned())
        })
        .collect();
    assert_eq!(first.len(), 50);
    assert_eq!(expansion.produced(), 50);
    // All 400 events start at midnight: the first 50 are their first occurrences, in the
    // calendar's order.
    assert!(first.iter().all(|(start, _)| *start == range.start));
    assert_eq!(first[49].1, "flood-49");
    // Indexing 400 events plus a lookahead each, not 34.6 million occurrences.
    assert!(expansion.work() < 5_000, "{} steps", expansion.work());
}

#[test]
fn a_rule_that_searches_without_finding_hits_the_work_limit() {
    // February never has a 30th: every second of the year is examined, none kept.
    let text = calendar(
        "BEGIN:VEVENT\nUID:never\nDTSTART:20240101T000000Z\n\
         RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30\nEND:VEVENT\n",
    );
    let cal = parse(&text);
    let range = UtcRange {
        start: utc("20240101T000000"),
        end: utc("20250101T000000"),
    };
    let mut limits = Limits::default();
    limits.max_expansion_work = 1_000_000;
    let mut expansion = Expansion::new(&cal, range, &limits).unwrap();
    // DTSTART is always the first occurrence; the search for the second one is what fails.
    let first = expansion.next().unwrap().unwrap();
    assert_eq!(first.start, range.start);
    let error = expansion.next().unwrap().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::LimitExceeded(Limit::ExpansionWork));
    assert!(error.to_string().contains("max_expansion_work"), "{error}");
    assert!(expansion.work() <= limits.max_expansion_work + 10);
    // The same rule over one day is cheap: DTSTART alone.
    let day = UtcRange {
        start: range.start,
        end: range.start + 86_400,
    };
    assert_eq!(expand_calendar(&cal, day, &limits).unwrap().len(), 1);
}

#[test]
fn generation_starts_near_the_range_not_at_dtstart() {
    // A daily event since 1970: a one-week query must not walk 20,000 days first.
    let text = calendar(
        "BEGIN:VEVENT\nUID:old\nDTSTART:19700101T090000Z\nDURATION:PT1H\n\
         RRULE:FREQ=DAILY\nEND:VEVENT\n",
    );
    let cal = parse(&text);
    let range = UtcRange {
        start: utc("20240101T000000"),
        end: utc("20240108T000000"),
    };
    let mut expansion = Expansion::new(&cal, range, &Limits::default()).unwrap();
    let starts: Vec<Timestamp> = expansion.by_ref().map(|i| i.unwrap().start).collect();
    assert_eq!(starts.len(), 7);
    assert_eq!(starts[0], utc("20240101T090000"));
    assert!(expansion.work() < 100, "{} steps", expansion.work());
    // With COUNT the rule must be counted from DTSTART, and still gives the right answer.
    let counted = calendar(
        "BEGIN:VEVENT\nUID:old\nDTSTART:19700101T090000Z\nDURATION:PT1H\n\
         RRULE:FREQ=DAILY;COUNT=19725\nEND:VEVENT\n",
    );
    let cal = parse(&counted);
    let got = expand_calendar(&cal, range, &Limits::default()).unwrap();
    // 19725 occurrences from 1970-01-01 (day 0) end on day 19724, 2024-01-02.
    assert_eq!(got.len(), 2);
}

/// `n` components of every kind the index must handle: plain events, weekly events with an
/// override (of the first week) and an EXDATE (of the second), orphan overrides, and TZIDs
/// without a VTIMEZONE.
fn mixed_calendar(n: usize) -> String {
    let mut events = String::new();
    for i in 0..n {
        let day = 1 + i % 21;
        let next_week = day + 7;
        match i % 4 {
            0 => write!(
                events,
                "BEGIN:VEVENT\nUID:plain-{i}\nDTSTART:202403{day:02}T100000Z\nDURATION:PT1H\nEND:VEVENT\n"
            ),
            1 => write!(
                events,
                "BEGIN:VEVENT\nUID:weekly-{i}\nDTSTART:202403{day:02}T120000Z\nDURATION:PT1H\n\
                 RRULE:FREQ=WEEKLY;COUNT=10\nEXDATE:202403{next_week:02}T120000Z\nEND:VEVENT\n\
                 BEGIN:VEVENT\nUID:weekly-{i}\nRECURRENCE-ID:202403{day:02}T120000Z\n\
                 DTSTART:202403{day:02}T150000Z\nDURATION:PT1H\nEND:VEVENT\n"
            ),
            2 => write!(
                events,
                "BEGIN:VEVENT\nUID:orphan-{i}\nRECURRENCE-ID:202403{day:02}T080000Z\n\
                 DTSTART:202403{day:02}T080000Z\nEND:VEVENT\n"
            ),
            _ => write!(
                events,
                "BEGIN:VEVENT\nUID:zoned-{i}\nDTSTART;TZID=Nowhere/Zone-{i}:202403{day:02}T070000\n\
                 END:VEVENT\n"
            ),
        }
        .unwrap();
    }
    calendar(&events)
}

#[test]
fn work_grows_linearly_with_the_number_of_components() {
    let range = UtcRange {
        start: utc("20240101T000000"),
        end: utc("20250101T000000"),
    };
    let mut limits = Limits::default();
    limits.max_instances = 10_000_000;
    let mut per_component = Vec::new();
    for n in [1_000, 3_000, 9_000] {
        let text = mixed_calendar(n);
        let cal = parse(&text);
        let mut expansion = Expansion::new(&cal, range, &limits).unwrap();
        let instances: Vec<_> = expansion.by_ref().map(Result::unwrap).collect();
        // Per 4 components: plain 1, weekly 10 less the excluded one (the overridden one is
        // replaced by its override), orphan 1, zoned 1.
        assert_eq!(instances.len(), n / 4 * 12, "n = {n}");
        let moved = instances
            .iter()
            .filter(|i| i.component.property("RECURRENCE-ID").is_some())
            .count();
        assert_eq!(moved, n / 4 * 2, "overrides and orphans, n = {n}");
        assert!(instances.windows(2).all(|w| w[0].start <= w[1].start));
        per_component.push(expansion.work() as f64 / n as f64);
    }
    let (least, most) = per_component
        .iter()
        .fold((f64::MAX, 0f64), |(lo, hi), &w| (lo.min(w), hi.max(w)));
    assert!(
        most / least < 1.1,
        "work per component should not grow with n: {per_component:?}"
    );
}

#[test]
fn instances_come_in_time_order_across_events_and_zones() {
    // Every 20 minutes across the 1998 spring-forward gap in New York: wall times in the gap
    // take the offset before it, so wall order and UTC order differ (02:50 EST is 07:50Z,
    // 03:10 EDT is 07:10Z). Mixed with events in UTC and overrides that move instances.
    let events = format!(
        "{zone}BEGIN:VEVENT\nUID:ny\nDTSTART;TZID=America/New_York:19980405T015000\n\
         RRULE:FREQ=MINUTELY;INTERVAL=20;COUNT=12\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:z\nDTSTART:19980405T071500Z\nDURATION:PT5M\n\
         RRULE:FREQ=MINUTELY;INTERVAL=15;COUNT=8\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:z\nRECURRENCE-ID:19980405T074500Z\nDTSTART:19980405T060000Z\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:plain\nDTSTART:19980405T073000Z\nEND:VEVENT\n",
        zone = new_york_zone()
    );
    let text = calendar(&events);
    let cal = parse(&text);
    let range = UtcRange {
        start: utc("19980405T000000"),
        end: utc("19980406T000000"),
    };
    let merged: Vec<(Timestamp, String)> = Expansion::new(&cal, range, &Limits::default())
        .unwrap()
        .map(|i| {
            let i = i.unwrap();
            (i.start, i.component.uid().unwrap().into_owned())
        })
        .collect();
    assert!(
        merged.windows(2).all(|w| w[0].0 <= w[1].0),
        "not in time order: {merged:?}"
    );
    // The same instances as expanding each event on its own and sorting.
    let mut separate = Vec::new();
    for uid in ["ny", "z", "plain"] {
        let own: String = text
            .split_inclusive("END:VEVENT\n")
            .filter(|chunk| chunk.contains(&format!("UID:{uid}\n")))
            .map(|chunk| chunk[chunk.find("BEGIN:VEVENT").unwrap()..].to_owned())
            .collect();
        let one = calendar(&format!("{}{own}", new_york_zone()));
        let one = parse(&one);
        separate.extend(
            expand_calendar(&one, range, &Limits::default())
                .unwrap()
                .iter()
                .map(|i| (i.start, i.component.uid().unwrap().into_owned())),
        );
    }
    separate.sort();
    let mut sorted = merged.clone();
    sorted.sort();
    assert_eq!(sorted, separate);
    assert_eq!(merged.len(), 12 + 8 + 1);
}

/// One daily event over `n` days whose even days are moved by an override and odd days
/// excluded by EXDATE: matching each occurrence against overrides and exclusions used to
/// scan them all.
fn overridden_daily(n: usize) -> String {
    let start = utc("20200101T090000");
    let stamp = |t: Timestamp| t.to_string();
    let mut master = format!(
        "BEGIN:VEVENT\nUID:daily\nDTSTART:{}\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT={n}\n",
        stamp(start)
    );
    let mut overrides = String::new();
    for day in 0..n as i64 {
        let at = start + day * 86_400;
        if day % 2 == 1 {
            writeln!(master, "EXDATE:{}", stamp(at)).unwrap();
        } else {
            write!(
                overrides,
                "BEGIN:VEVENT\nUID:daily\nRECURRENCE-ID:{}\nDTSTART:{}\nDURATION:PT1H\nEND:VEVENT\n",
                stamp(at),
                stamp(at + 3600)
            )
            .unwrap();
        }
    }
    master.push_str("END:VEVENT\n");
    calendar(&format!("{master}{overrides}"))
}

#[test]
fn overrides_and_exclusions_are_looked_up_not_scanned() {
    let range = UtcRange {
        start: utc("20200101T000000"),
        end: utc("20400101T000000"),
    };
    let mut per_day = Vec::new();
    for n in [2_000, 6_000] {
        let text = overridden_daily(n);
        let cal = parse(&text);
        let mut expansion = Expansion::new(&cal, range, &Limits::default()).unwrap();
        let instances: Vec<_> = expansion.by_ref().map(Result::unwrap).collect();
        // Odd days excluded, even days moved to 10:00 by their override.
        assert_eq!(instances.len(), n / 2);
        assert!(instances.iter().all(|i| {
            i.component.property("RECURRENCE-ID").is_some()
                && i.start.unix_seconds().rem_euclid(86_400) == 10 * 3600
                && i.recurrence_id == Some(i.start - 3600)
        }));
        per_day.push(expansion.work() as f64 / n as f64);
    }
    assert!(
        per_day[1] / per_day[0] < 1.1,
        "work per day should not grow with n: {per_day:?}"
    );
}

#[test]
fn a_runaway_time_zone_rule_is_bounded_too() {
    let text = calendar(
        "BEGIN:VTIMEZONE\nTZID:Hostile\nBEGIN:STANDARD\nDTSTART:19700101T000000\n\
         RRULE:FREQ=SECONDLY\nTZOFFSETFROM:+0000\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n\
         BEGIN:VEVENT\nUID:z\nDTSTART;TZID=Hostile:20240101T090000\nEND:VEVENT\n",
    );
    let cal = parse(&text);
    let range = UtcRange {
        start: utc("20240101T000000"),
        end: utc("20240102T000000"),
    };
    let limits = Limits::default();
    let error = match Expansion::new(&cal, range, &limits) {
        Err(error) => error,
        Ok(expansion) => expansion
            .filter_map(Result::err)
            .next()
            .expect("a limit error"),
    };
    assert!(
        matches!(
            error.kind(),
            ErrorKind::LimitExceeded(Limit::Instances | Limit::ExpansionWork)
        ),
        "{error}"
    );
}
