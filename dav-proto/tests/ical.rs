//! iCalendar decoding and encoding: RFC fixtures, exact values, lenient/strict defects,
//! streaming, limits, hostile input.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use groupwire_dav::ical::value::{
    Date, DateOrDateTime, DateTime, Duration, Period, PeriodEnd, Time, UtcOffset, Value,
};
use groupwire_dav::ical::{
    Component, ComponentKind, DecodeOptions, Defect, decode_calendar, decode_component,
};
use groupwire_dav::{Decoded, ErrorKind, Expected, Limit, Limits};

fn fixture_files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

fn calendar(input: &[u8]) -> Component<'_> {
    match decode_calendar(input, &DecodeOptions::strict()).unwrap() {
        Decoded::Complete { value, consumed } => {
            assert_eq!(consumed, input.len());
            value.value
        }
        Decoded::Incomplete { .. } => panic!("incomplete"),
    }
}

fn roundtrip(c: &Component<'_>) {
    let bytes = c.to_bytes();
    let again = match decode_component(&bytes, &DecodeOptions::strict()).unwrap() {
        Decoded::Complete { value, consumed } => {
            assert_eq!(consumed, bytes.len());
            value.value
        }
        Decoded::Incomplete { .. } => panic!("re-encoded object is incomplete"),
    };
    assert_eq!(
        &again,
        c,
        "round trip changed:\n{}",
        String::from_utf8_lossy(&bytes)
    );
}

#[test]
fn every_rfc_ics_fixture_decodes_and_round_trips() {
    let files = fixture_files("rfc", "ics");
    assert!(files.len() >= 30, "only {} fixtures", files.len());
    for path in files {
        let text = crlf(&std::fs::read_to_string(&path).unwrap());
        let mut rest = text.as_bytes();
        let mut objects = 0;
        while !rest.is_empty() {
            let decoded = decode_component(rest, &DecodeOptions::lenient())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let (parsed, used) = decoded
                .complete()
                .unwrap_or_else(|| panic!("{}: incomplete", path.display()));
            roundtrip(&parsed.value);
            // A VCALENDAR fixture from RFC 5545 itself also passes strict decoding.
            if parsed.value.kind() == ComponentKind::Calendar
                && path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("rfc5545")
            {
                let _ = decode_calendar(rest, &DecodeOptions::strict())
                    .unwrap_or_else(|e| panic!("{} strict: {e}", path.display()));
            }
            rest = &rest[used..];
            objects += 1;
        }
        assert!(objects >= 1, "{}", path.display());
    }
}

#[test]
fn rfc5545_section_4_first_example_has_exact_values() {
    let text = crlf(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rfc/rfc5545-4-1.ics"),
        )
        .unwrap(),
    );
    let cal = calendar(text.as_bytes());
    assert_eq!(cal.kind(), ComponentKind::Calendar);
    assert_eq!(cal.property("VERSION").unwrap().value, "2.0");
    let [event] = cal.components.as_slice() else {
        panic!("one VEVENT")
    };
    assert_eq!(event.kind(), ComponentKind::Event);
    assert_eq!(event.uid().unwrap(), "uid1@example.com");
    // Unfolded lines borrow; the folded DESCRIPTION is owned.
    assert!(matches!(
        event.property("SUMMARY").unwrap().value,
        Cow::Borrowed(_)
    ));
    let description = event.property("DESCRIPTION").unwrap();
    assert!(matches!(description.value, Cow::Owned(_)));
    assert_eq!(
        description.text(),
        "Networld+Interop Conference and Exhibit\nAtlanta World Congress Center\nAtlanta, Georgia"
    );
    let (start, tzid) = event.date_property("DTSTART").unwrap().unwrap();
    assert_eq!(tzid, None);
    assert_eq!(
        start,
        DateOrDateTime::DateTime(DateTime {
            date: Date::new(1996, 9, 18).unwrap(),
            time: Time {
                hour: 14,
                minute: 30,
                second: 0,
                utc: true
            },
        })
    );
    assert_eq!(
        event.property("ORGANIZER").unwrap().typed_values().unwrap(),
        vec![Value::CalAddress("mailto:jsmith@example.com")]
    );
}

#[test]
fn parameters_with_quotes_colons_and_lists() {
    let input = crlf(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\n\
        ATTENDEE;DELEGATED-FROM=\"mailto:a@example.com\",\"mailto:b@ex\n ample.com\";CN=\"Doe; John, Jr.\";ROLE=REQ-PARTIC\n IPANT:mailto:c@example.com\n\
        END:VEVENT\nEND:VCALENDAR\n",
    );
    let cal = calendar(input.as_bytes());
    let p = cal.components[0].property("ATTENDEE").unwrap();
    assert_eq!(p.value, "mailto:c@example.com");
    assert_eq!(
        p.param("DELEGATED-FROM").unwrap().values,
        vec!["mailto:a@example.com", "mailto:b@example.com"]
    );
    assert_eq!(p.param_value("cn"), Some("Doe; John, Jr."));
    assert_eq!(p.param_value("ROLE"), Some("REQ-PARTICIPANT"));
    roundtrip(&cal);
    let encoded = String::from_utf8(cal.to_bytes())
        .unwrap()
        .replace("\r\n ", "");
    assert!(encoded.contains("CN=\"Doe; John, Jr.\""), "{encoded}");
}

#[test]
fn typed_values_parse_exactly() {
    assert_eq!(
        Duration::parse("P15DT5H0M20S").unwrap(),
        Duration {
            negative: false,
            weeks: 0,
            days: 15,
            hours: 5,
            minutes: 0,
            seconds: 20
        }
    );
    assert_eq!(
        Duration::parse("P7W").unwrap().total_seconds(),
        7 * 7 * 86_400
    );
    assert_eq!(Duration::parse("-PT15M").unwrap().total_seconds(), -900);
    assert!(Duration::parse("P").is_err());
    assert!(Duration::parse("PT5D").is_err());
    assert_eq!(UtcOffset::parse("-0500").unwrap().seconds, -18_000);
    assert_eq!(UtcOffset::parse("+013045").unwrap().seconds, 5445);
    assert!(UtcOffset::parse("0500").is_err());
    let p = Period::parse("19970101T180000Z/PT5H30M").unwrap();
    assert_eq!(
        p.end,
        PeriodEnd::Duration(Duration {
            hours: 5,
            minutes: 30,
            ..Duration::default()
        })
    );
    assert!(Date::parse("20230229").is_err());
    assert!(Date::parse("20240229").is_ok());
    assert!(DateTime::parse("19980118T230000").is_ok());
    assert!(DateTime::parse("19980118T250000").is_err());
    let e = DateTime::parse("19980118T2300x0").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Expected(Expected::Time));
}

#[test]
fn text_escapes_and_lists() {
    let input = crlf(
        "BEGIN:VEVENT\nCATEGORIES:APPOINTMENT,EDUCATION\\, ADULT\nSUMMARY:a\\;b\\\\c\\nd\nEXDATE:19960402T010000Z,19960403T010000Z\nEND:VEVENT\n",
    );
    let parsed = decode_component(input.as_bytes(), &DecodeOptions::strict())
        .unwrap()
        .complete()
        .unwrap()
        .0
        .value;
    assert_eq!(
        parsed
            .property("CATEGORIES")
            .unwrap()
            .typed_values()
            .unwrap(),
        vec![
            Value::Text("APPOINTMENT".into()),
            Value::Text("EDUCATION, ADULT".into())
        ]
    );
    assert_eq!(parsed.summary().unwrap(), "a;b\\c\nd");
    assert_eq!(
        parsed
            .property("EXDATE")
            .unwrap()
            .typed_values()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn lenient_mode_warns_where_strict_mode_fails() {
    // Bare LF, missing VERSION, lowercase names, an over-long line.
    let long = "x".repeat(100);
    let input = format!(
        "BEGIN:VCALENDAR\nprodid:x\nBEGIN:VEVENT\nSUMMARY:{long}\nEND:VEVENT\nEND:VCALENDAR\n"
    );
    let parsed = decode_calendar(input.as_bytes(), &DecodeOptions::lenient())
        .unwrap()
        .complete()
        .unwrap()
        .0;
    let defects: Vec<Defect> = parsed.warnings.iter().map(|w| w.defect).collect();
    assert!(defects.contains(&Defect::BareLineFeed));
    assert!(defects.contains(&Defect::LowercaseName));
    assert!(defects.contains(&Defect::LongLine));
    assert!(defects.contains(&Defect::MissingVersion));
    assert_eq!(parsed.warnings[0].offset, 15, "first LF");
    assert_eq!(parsed.value.components[0].summary().unwrap(), long);

    let err = decode_calendar(input.as_bytes(), &DecodeOptions::strict()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Expected(Expected::Crlf));
    assert_eq!(err.offset(), 15);

    let crlf_input = crlf(&input);
    let err = decode_calendar(crlf_input.as_bytes(), &DecodeOptions::strict()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Expected(Expected::FoldedLine));
    let short = crlf("BEGIN:VCALENDAR\nPRODID:x\nEND:VCALENDAR\n");
    let err = decode_calendar(short.as_bytes(), &DecodeOptions::strict()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Expected(Expected::VersionProperty));
}

#[test]
fn every_prefix_is_incomplete_and_never_an_error() {
    let input = crlf(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:1\nDESCRIPTION:folded\n  here\nEND:VEVENT\nEND:VCALENDAR\n",
    );
    let bytes = input.as_bytes();
    for cut in 0..bytes.len() {
        let d = decode_calendar(&bytes[..cut], &DecodeOptions::strict())
            .unwrap_or_else(|e| panic!("prefix {cut}: {e}"));
        assert_eq!(d, Decoded::Incomplete { needed: None }, "prefix {cut}");
    }
    let (_, used) = decode_calendar(bytes, &DecodeOptions::strict())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(used, bytes.len());
    // Trailing bytes after the object are left for the next call.
    let two = format!("{input}{input}");
    let (_, used) = decode_calendar(two.as_bytes(), &DecodeOptions::strict())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(used, input.len());
}

#[test]
fn folding_at_every_byte_position_unfolds_to_the_same_value() {
    let value = "Grüße aus Zürich — 東京 🎉 and a long tail of ASCII text to pass 75 octets";
    let line = format!("DESCRIPTION:{value}");
    for at in 1..line.len() {
        let mut folded = line.as_bytes()[..at].to_vec();
        folded.extend_from_slice(b"\r\n ");
        folded.extend_from_slice(&line.as_bytes()[at..]);
        let mut input = b"BEGIN:VEVENT\r\n".to_vec();
        input.extend_from_slice(&folded);
        input.extend_from_slice(b"\r\nEND:VEVENT\r\n");
        let c = decode_component(&input, &DecodeOptions::lenient())
            .unwrap_or_else(|e| panic!("fold at {at}: {e}"))
            .complete()
            .unwrap()
            .0
            .value;
        assert_eq!(
            c.property("DESCRIPTION").unwrap().value,
            value,
            "fold at {at}"
        );
    }
}

#[test]
fn encoder_folds_at_75_octets_without_splitting_characters() {
    let mut c = Component::new("VEVENT");
    c.properties.push(groupwire_dav::ical::Property::new(
        "SUMMARY",
        "é".repeat(200),
    ));
    let bytes = c.to_bytes();
    for line in bytes.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        assert!(line.len() <= 75, "{} octets", line.len());
        let line = line.strip_prefix(b" ").unwrap_or(line);
        assert!(
            std::str::from_utf8(line).is_ok(),
            "split inside a character"
        );
    }
    roundtrip(&c);
}

#[test]
fn invalid_utf8_is_an_error_in_strict_mode_and_replaced_in_lenient_mode() {
    let input = b"BEGIN:VEVENT\r\nSUMMARY:caf\xe9\r\nEND:VEVENT\r\n";
    let e = decode_component(input, &DecodeOptions::strict()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Expected(Expected::Utf8));
    assert_eq!(e.offset(), 25);
    let parsed = decode_component(input, &DecodeOptions::lenient())
        .unwrap()
        .complete()
        .unwrap()
        .0;
    assert_eq!(parsed.value.summary().unwrap(), "caf\u{fffd}");
    assert_eq!(parsed.warnings[0].defect, Defect::InvalidUtf8);
}

#[test]
fn structural_errors_have_offsets() {
    let e = decode_calendar(b"BEGIN:VCARD\r\nEND:VCARD\r\n", &DecodeOptions::strict()).unwrap_err();
    assert_eq!(
        (e.offset(), e.kind()),
        (0, ErrorKind::Expected(Expected::Begin))
    );
    let e = decode_calendar(
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VTODO\r\n",
        &DecodeOptions::strict(),
    )
    .unwrap_err();
    assert_eq!(
        (e.offset(), e.kind()),
        (31, ErrorKind::Expected(Expected::MatchingEnd))
    );
    let e =
        decode_calendar(b"BEGIN:VCALENDAR\r\nSUMMARY\r\n", &DecodeOptions::strict()).unwrap_err();
    assert_eq!(
        (e.offset(), e.kind()),
        (24, ErrorKind::Expected(Expected::Colon))
    );
    let e = decode_calendar(
        b"BEGIN:VCALENDAR\r\nX;A=\"open:x\r\n",
        &DecodeOptions::strict(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Expected(Expected::ClosingQuote));
}

#[test]
fn limits_are_enforced() {
    let mut deep = String::new();
    for _ in 0..100 {
        deep.push_str("BEGIN:X-A\r\n");
    }
    let e = decode_component(deep.as_bytes(), &DecodeOptions::lenient()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::NestingDepth));

    let mut short_lines = DecodeOptions::lenient();
    short_lines.limits.max_line_length = 64 * 1024;
    let long = format!("BEGIN:VEVENT\r\nX-A:{}\r\n", "a".repeat(70_000));
    let e = decode_component(long.as_bytes(), &short_lines).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::LineLength));
    // An unterminated over-long line fails without waiting for more input.
    let e = decode_component(&long.as_bytes()[..long.len() - 2], &short_lines).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::LineLength));

    let mut options = DecodeOptions::lenient();
    options.limits.max_list_length = 10;
    let many = format!("BEGIN:VEVENT\r\n{}END:VEVENT\r\n", "X-A:1\r\n".repeat(11));
    let e = decode_component(many.as_bytes(), &options).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::ListLength));

    options.limits = Limits::default();
    options.limits.max_body_size = 1000;
    let big = format!("BEGIN:VEVENT\r\n{}", "X-A:1\r\n".repeat(200));
    let e = decode_component(big.as_bytes(), &options).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::BodySize));
}

#[test]
fn hostile_inputs_do_not_panic() {
    let seeds: [&[u8]; 8] = [
        b"",
        b"\r\n\r\n",
        b"BEGIN:\r\n",
        b":\r\n",
        b"BEGIN:VCALENDAR\r\n;\r\n",
        b"BEGIN:VCALENDAR\r\nA;B=\"\"\"\r\n",
        b"BEGIN:VCALENDAR\r\n \r\n \r\nEND:VCALENDAR\r\n",
        b"\xff\xfe\x00BEGIN:VCALENDAR\r\n",
    ];
    for s in seeds {
        let _ = decode_calendar(s, &DecodeOptions::lenient());
        let _ = decode_calendar(s, &DecodeOptions::strict());
    }
}

#[test]
fn real_world_client_exports_decode_and_round_trip() {
    let files = fixture_files("real", "ics");
    assert!(files.len() >= 4, "real-world samples missing");
    for path in files {
        let text = std::fs::read(&path).unwrap();
        let parsed = decode_calendar(&text, &DecodeOptions::lenient())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .complete()
            .unwrap_or_else(|| panic!("{}: incomplete", path.display()))
            .0;
        assert!(parsed.value.components_of(ComponentKind::Event).count() >= 1);
        roundtrip(&parsed.value);
        for c in &parsed.value.components {
            for p in &c.properties {
                if !p.is("X-LIC-ERROR") {
                    p.typed_values()
                        .unwrap_or_else(|e| panic!("{}: {} {e}", path.display(), p.name));
                }
            }
        }
    }
}

#[test]
fn framer_finds_object_ends_across_chunks_scanning_each_byte_once() {
    use groupwire_dav::ical::ObjectFramer;
    let one = crlf(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:1\nEND:VEVENT\nEND:VCALENDAR\n",
    );
    let stream = format!("{one}{one}");
    for chunk in [1, 3, 7, 64] {
        let mut framer = ObjectFramer::new();
        let mut buffer: Vec<u8> = Vec::new();
        let mut ends = Vec::new();
        let mut base = 0;
        for piece in stream.as_bytes().chunks(chunk) {
            buffer.extend_from_slice(piece);
            while let Some(end) = framer.end_of_object(&buffer) {
                let parsed = decode_calendar(&buffer[..end], &DecodeOptions::strict()).unwrap();
                assert!(parsed.is_complete());
                ends.push(base + end);
                base += end;
                buffer.drain(..end);
                framer.reset();
            }
        }
        assert_eq!(ends, vec![one.len(), 2 * one.len()], "chunk {chunk}");
    }
}
