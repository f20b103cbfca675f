//! Property tests: decode(encode(v)) == v for component trees and every typed value, and
//! jCal conversion both ways.

use groupwire_dav::ical::recur::{Frequency, Recur, Weekday, WeekdayNum};
use groupwire_dav::ical::value::{
    Date, DateOrDateTime, DateTime, Duration, Period, PeriodEnd, Time, UtcOffset, escape_text,
    unescape_text,
};
use groupwire_dav::ical::{Component, DecodeOptions, Parameter, Property, decode_component};
use groupwire_dav::jcal::{component_from_json, component_to_json};
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    "X-[A-Z0-9-]{1,12}"
}

prop_compose! {
    fn property()(name in name(),
                  // Unique names in sorted order: jCal parameters are a JSON object.
                  params in proptest::collection::btree_map(name(), proptest::collection::vec("[^\"\\x00-\\x1f\\x7f]{0,16}", 1..3), 0..3),
                  text in "[^\\x00-\\x08\\x0a-\\x1f\\x7f]{0,120}") -> Property<'static> {
        // Values are escaped TEXT, the canonical form jCal reproduces.
        let mut p = Property::new(name, escape_text(&text).into_owned());
        for (n, vs) in params {
            p.params.push(Parameter { name: n.into(), values: vs.into_iter().map(Into::into).collect() });
        }
        p
    }
}

fn component() -> impl Strategy<Value = Component<'static>> {
    let leaf =
        ("X-[A-Z]{1,8}", proptest::collection::vec(property(), 0..5)).prop_map(|(n, props)| {
            let mut c = Component::new(n);
            c.properties = props;
            c
        });
    leaf.prop_recursive(3, 24, 4, |inner| {
        (
            "X-[A-Z]{1,8}",
            proptest::collection::vec(property(), 0..4),
            proptest::collection::vec(inner, 0..4),
        )
            .prop_map(|(n, props, subs)| {
                let mut c = Component::new(n);
                c.properties = props;
                c.components = subs;
                c
            })
    })
}

fn date() -> impl Strategy<Value = Date> {
    (0u16..=9999, 1u8..=12, 1u8..=31).prop_filter_map("valid date", |(y, m, d)| Date::new(y, m, d))
}

fn date_time() -> impl Strategy<Value = DateTime> {
    (date(), 0u8..24, 0u8..60, 0u8..=60, any::<bool>()).prop_map(
        |(date, hour, minute, second, utc)| DateTime {
            date,
            time: Time {
                hour,
                minute,
                second,
                utc,
            },
        },
    )
}

fn duration() -> impl Strategy<Value = Duration> {
    (
        any::<bool>(),
        0u32..100,
        0u32..1000,
        0u32..100,
        0u32..100,
        0u32..100,
    )
        .prop_map(
            |(negative, weeks, days, hours, minutes, seconds)| Duration {
                negative,
                weeks,
                days,
                hours,
                minutes,
                seconds,
            },
        )
}

fn weekday() -> impl Strategy<Value = Weekday> {
    (0u8..7).prop_map(Weekday::from_index)
}

fn recur() -> impl Strategy<Value = Recur> {
    let freq = (0usize..7).prop_map(|i| {
        [
            Frequency::Secondly,
            Frequency::Minutely,
            Frequency::Hourly,
            Frequency::Daily,
            Frequency::Weekly,
            Frequency::Monthly,
            Frequency::Yearly,
        ][i]
    });
    let nonzero = |max: i32| (1..=max).prop_flat_map(move |n| prop_oneof![Just(n), Just(-n)]);
    (
        freq,
        proptest::option::of(prop_oneof![
            date().prop_map(DateOrDateTime::Date),
            date_time().prop_map(DateOrDateTime::DateTime)
        ]),
        proptest::option::of(0u32..1000),
        proptest::option::of(1u32..100),
        proptest::collection::vec(0u8..=60, 0..3),
        proptest::collection::vec(
            (
                proptest::option::of(nonzero(53).prop_map(|n| n as i8)),
                weekday(),
            )
                .prop_map(|(ordinal, weekday)| WeekdayNum { ordinal, weekday }),
            0..4,
        ),
        proptest::collection::vec(nonzero(31).prop_map(|n| n as i8), 0..3),
        proptest::collection::vec(nonzero(366).prop_map(|n| n as i16), 0..3),
        proptest::collection::vec(1u8..=12, 0..3),
        proptest::option::of(weekday()),
    )
        .prop_map(
            |(
                freq,
                until,
                count,
                interval,
                by_second,
                by_day,
                by_month_day,
                by_set_pos,
                by_month,
                week_start,
            )| {
                let mut r = Recur::new(freq);
                r.until = until;
                r.count = count;
                r.interval = interval;
                r.by_second = by_second;
                r.by_day = by_day;
                r.by_month_day = by_month_day;
                r.by_set_pos = by_set_pos;
                r.by_month = by_month;
                r.week_start = week_start;
                r
            },
        )
}

proptest! {
    #[test]
    fn component_trees_round_trip(c in component()) {
        let bytes = c.to_bytes();
        let (parsed, used) = decode_component(&bytes, &DecodeOptions::strict()).unwrap().complete().unwrap();
        prop_assert_eq!(used, bytes.len());
        prop_assert_eq!(&parsed.value, &c);
        prop_assert!(parsed.warnings.is_empty());
        // And through jCal.
        let json = component_to_json(&c).unwrap();
        prop_assert_eq!(component_from_json(&json).unwrap(), c);
    }

    #[test]
    fn text_escaping_round_trips(text in "\\PC*") {
        let escaped = escape_text(&text);
        prop_assert_eq!(unescape_text(&escaped), text.replace("\r\n", "\n").replace('\r', "\n"));
    }

    #[test]
    fn dates_round_trip(d in date()) {
        prop_assert_eq!(Date::parse(&d.to_string()).unwrap(), d);
        prop_assert_eq!(Date::from_days_since_epoch(d.days_since_epoch()), Some(d));
    }

    #[test]
    fn date_times_round_trip(dt in date_time()) {
        prop_assert_eq!(DateTime::parse(&dt.to_string()).unwrap(), dt);
    }

    #[test]
    fn durations_round_trip(d in duration()) {
        let again = Duration::parse(&d.to_string()).unwrap();
        prop_assert_eq!(again.total_seconds(), d.total_seconds());
        if d.total_seconds() != 0 {
            prop_assert_eq!(again, d);
        }
    }

    #[test]
    fn offsets_round_trip(s in -86_399i32..86_400) {
        let o = UtcOffset { seconds: s };
        prop_assert_eq!(UtcOffset::parse(&o.to_string()).unwrap(), o);
    }

    #[test]
    fn periods_round_trip(start in date_time(), end in prop_oneof![date_time().prop_map(PeriodEnd::End), duration().prop_filter("positive", |d| !d.negative && d.total_seconds() > 0).prop_map(PeriodEnd::Duration)]) {
        let p = Period { start, end };
        prop_assert_eq!(Period::parse(&p.to_string()).unwrap(), p);
    }

    #[test]
    fn recurrence_rules_round_trip(r in recur()) {
        prop_assert_eq!(Recur::parse(&r.to_string()).unwrap(), r);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = decode_component(&bytes, &DecodeOptions::lenient());
        let _ = decode_component(&bytes, &DecodeOptions::strict());
    }
}

/// A CR in a value (lenient decoding keeps a lone CR) must not end up just before a fold:
/// `CR CRLF SPACE` reads as a CR CR LF line end, which lenient decoding repairs by dropping the
/// CR (found by the `ical` fuzz target).
#[test]
fn a_carriage_return_never_precedes_a_fold() {
    let options = DecodeOptions::lenient();
    let cases = (60..80).flat_map(|at| [1, 2, 16, 73, 74, 80, 200].map(move |run| (at, run)));
    for (at, run) in cases {
        let value = format!("{}{}{}", "a".repeat(at), "\r".repeat(run), "b".repeat(40));
        let component = Component {
            name: "VEVENT".into(),
            properties: vec![Property::new("X-TEXT", value.clone())],
            components: Vec::new(),
        };
        let bytes = component.to_bytes();
        assert!(
            !bytes.windows(3).any(|w| w == b"\r\r\n"),
            "CR before a fold at {at} (run of {run})"
        );
        let decoded = decode_component(&bytes, &options)
            .expect("decodes")
            .complete()
            .expect("complete")
            .0
            .value;
        assert_eq!(
            decoded.properties[0].value, value,
            "value with {run} CRs at {at}"
        );
    }
}
