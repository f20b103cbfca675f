//! jCal (RFC 7265): the RFC example both ways, typed value mapping, and the round trip
//! iCalendar -> jCal -> iCalendar.

use std::path::Path;

use groupwire_dav::ical::{Component, DecodeOptions, decode_calendar};
use groupwire_dav::jcal::{component_from_json, component_to_json};
use serde_json::json;

fn read(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/rfc")
            .join(name),
    )
    .unwrap()
}

fn decode(text: &str) -> Component<'_> {
    decode_calendar(text.as_bytes(), &DecodeOptions::lenient())
        .unwrap()
        .complete()
        .unwrap()
        .0
        .value
}

#[test]
fn rfc7265_example_matches_both_ways() {
    let ics = read("rfc7265-B.1-1-from-memory.ics");
    let expected: serde_json::Value =
        serde_json::from_str(&read("rfc7265-B.1-1-from-memory.json")).unwrap();
    let cal = decode(&ics);
    assert_eq!(component_to_json(&cal).unwrap(), expected);
    let back = component_from_json(&expected).unwrap();
    assert_eq!(back, cal);
}

#[test]
fn typed_values_map_to_json_types() {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\n\
        DTSTART;TZID=Europe/Berlin:20240311T093000\r\nDURATION:PT15M\r\n\
        RRULE:FREQ=WEEKLY;UNTIL=20241231T000000Z;BYDAY=MO,WE;BYMONTH=3\r\n\
        PRIORITY:5\r\nGEO:37.386013;-122.082932\r\nCATEGORIES:A,B\\,C\r\n\
        FREEBUSY:19970308T160000Z/PT3H\r\nEXDATE:20240313T093000,20240315T093000\r\n\
        X-FLAG;VALUE=BOOLEAN:TRUE\r\nEND:VEVENT\r\nBEGIN:VTIMEZONE\r\nTZID:X\r\nBEGIN:STANDARD\r\n\
        DTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:-053045\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n";
    let cal = decode(ics);
    let j = component_to_json(&cal).unwrap();
    let event = &j[2][0][1];
    assert_eq!(
        event[0],
        json!(["dtstart", {"tzid": "Europe/Berlin"}, "date-time", "2024-03-11T09:30:00"])
    );
    assert_eq!(event[1], json!(["duration", {}, "duration", "PT15M"]));
    assert_eq!(
        event[2],
        json!(["rrule", {}, "recur", {"freq": "WEEKLY", "until": "2024-12-31T00:00:00Z", "byday": ["MO", "WE"], "bymonth": 3}])
    );
    assert_eq!(event[3], json!(["priority", {}, "integer", 5]));
    assert_eq!(
        event[4],
        json!(["geo", {}, "float", [37.386013, -122.082932]])
    );
    assert_eq!(event[5], json!(["categories", {}, "text", "A", "B,C"]));
    assert_eq!(
        event[6],
        json!(["freebusy", {}, "period", ["1997-03-08T16:00:00Z", "PT3H"]])
    );
    assert_eq!(
        event[7],
        json!([
            "exdate",
            {},
            "date-time",
            "2024-03-13T09:30:00",
            "2024-03-15T09:30:00"
        ])
    );
    assert_eq!(event[8], json!(["x-flag", {}, "boolean", true]));
    assert_eq!(
        j[2][1][2][0][1][2],
        json!(["tzoffsetto", {}, "utc-offset", "-05:30:45"])
    );
    // GEO comes back as FLOAT text, the rest exactly.
    let back = component_from_json(&j).unwrap();
    assert_eq!(back, cal);
}

#[test]
fn real_world_samples_round_trip_through_jcal() {
    for name in ["thunderbird.ics", "google.ics", "apple.ics", "outlook.ics"] {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/real")
                .join(name),
        )
        .unwrap();
        let cal = decode(&text);
        let j = component_to_json(&cal).unwrap();
        let back = component_from_json(&j).unwrap();
        // Names are upper case in these samples, and text escapes canonical, so the
        // round trip is exact apart from the RRULE part order, which jCal normalises.
        assert_eq!(back.components.len(), cal.components.len(), "{name}");
        for (a, b) in back.components.iter().zip(&cal.components) {
            for (pa, pb) in a.properties.iter().zip(&b.properties) {
                if pb.is("RRULE") {
                    assert_eq!(
                        groupwire_dav::ical::recur::Recur::parse(&pa.value).unwrap(),
                        groupwire_dav::ical::recur::Recur::parse(&pb.value).unwrap()
                    );
                } else {
                    // JSON objects are unordered, so parameters may come back re-ordered.
                    let mut pa = pa.clone();
                    let mut pb = pb.clone();
                    pa.params.sort_by(|x, y| x.name.cmp(&y.name));
                    pb.params.sort_by(|x, y| x.name.cmp(&y.name));
                    assert_eq!(pa, pb, "{name}");
                }
            }
        }
    }
}

#[test]
fn malformed_json_is_an_error_not_a_panic() {
    for bad in [
        json!(null),
        json!([]),
        json!(["vcalendar"]),
        json!(["vcalendar", [[1]], []]),
        json!(["x", [["a", {}, "integer", "z"]], []]),
    ] {
        let _ = component_from_json(&bad);
    }
    assert!(component_from_json(&json!(["vcalendar", [["a"]], []])).is_err());
}
