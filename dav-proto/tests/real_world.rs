//! Real-world input classes (issue 13), each with a fixture written for it in
//! `tests/fixtures/lenient/`: what a lenient decoder accepts and reports, what a strict one
//! refuses, and how a whole body differs from a prefix of a stream.

use groupwire_dav::ical::{
    Component, ComponentKind, DecodeOptions, Defect, ObjectFramer, Parsed, decode_calendar,
    decode_component,
};
use groupwire_dav::vcard::{VCard, decode_vcard};
use groupwire_dav::xml::{CalendarServer, Dav};
use groupwire_dav::{DavResponse, DecodeError, Decoded, ErrorKind, Expected, Limit, Limits};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/lenient/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn complete<T>(decoded: Result<Decoded<T>, DecodeError>) -> (T, usize) {
    match decoded {
        Ok(Decoded::Complete { value, consumed }) => (value, consumed),
        other => panic!("not complete: {other:?}", other = other.map(|_| ())),
    }
}

fn defects<T>(parsed: &Parsed<T>) -> Vec<Defect> {
    parsed.warnings.iter().map(|w| w.defect).collect()
}

fn lenient_calendar(bytes: &[u8]) -> Parsed<Component<'_>> {
    complete(decode_calendar(
        bytes,
        &DecodeOptions::lenient().whole_body(),
    ))
    .0
}

fn strict_calendar_error(bytes: &[u8]) -> ErrorKind {
    decode_calendar(bytes, &DecodeOptions::strict().whole_body())
        .unwrap_err()
        .kind()
}

#[test]
fn a_body_without_a_final_line_break_is_complete_once_the_input_has_ended() {
    let body = fixture("no-final-newline.ics");
    // As a prefix of a stream: wait for more, in both modes.
    for options in [DecodeOptions::strict(), DecodeOptions::lenient()] {
        assert!(matches!(
            decode_calendar(&body, &options),
            Ok(Decoded::Incomplete { .. })
        ));
    }
    // As a whole body: complete, in both modes, with no warning.
    for options in [DecodeOptions::strict(), DecodeOptions::lenient()] {
        let (parsed, consumed) = complete(decode_calendar(&body, &options.whole_body()));
        assert_eq!(consumed, body.len());
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        assert_eq!(parsed.value.components[0].summary().unwrap(), "Standup");
    }
    // A truncated body can never parse: an error, not Incomplete.
    let cut = &body[..body.len() - "END:VCALENDAR".len()];
    assert_eq!(
        strict_calendar_error(cut),
        ErrorKind::Expected(Expected::MatchingEnd)
    );
    assert_eq!(defects(&lenient_calendar(cut)), [Defect::MissingEnd]);

    let card = fixture("no-final-newline.vcf");
    assert!(matches!(
        decode_vcard(&card, &DecodeOptions::strict()),
        Ok(Decoded::Incomplete { .. })
    ));
    let (parsed, _) = complete(decode_vcard(&card, &DecodeOptions::strict().whole_body()));
    assert_eq!(parsed.value.formatted_name().unwrap(), "Ada Lovelace");
}

#[test]
fn the_framer_finds_the_object_end_when_told_the_input_ended() {
    let body = fixture("no-final-newline.ics");
    let mut framer = ObjectFramer::new();
    let (head, _) = body.split_at(40);
    assert_eq!(framer.end_of_object(head), None);
    assert_eq!(
        framer.end_of_object(&body),
        None,
        "END line has no line break yet"
    );
    assert_eq!(framer.finish(&body), Some(body.len()));
    // A truncated object never completes.
    let mut framer = ObjectFramer::new();
    assert_eq!(framer.finish(&body[..body.len() - 20]), None);
    // A terminated object is found as before.
    let mut framer = ObjectFramer::new();
    let mut terminated = body.clone();
    terminated.extend_from_slice(b"\r\nBEGIN:VCALENDAR\r\n");
    assert_eq!(framer.finish(&terminated), Some(body.len() + 2));
}

#[test]
fn a_byte_order_mark_is_skipped_leniently() {
    let body = fixture("byte-order-mark.ics");
    let parsed = lenient_calendar(&body);
    assert_eq!(defects(&parsed), [Defect::ByteOrderMark]);
    assert_eq!(parsed.value.kind(), ComponentKind::Calendar);
    assert_eq!(
        strict_calendar_error(&body),
        ErrorKind::Expected(Expected::Begin)
    );
}

#[test]
fn an_escaped_semicolon_in_a_parameter_value_does_not_end_it() {
    let body = fixture("escaped-parameter.ics");
    let parsed = lenient_calendar(&body);
    assert_eq!(
        defects(&parsed),
        [Defect::EscapedParameterChar, Defect::EscapedParameterChar]
    );
    let organizer = parsed.value.components[0].property("ORGANIZER").unwrap();
    assert_eq!(
        organizer.param_value("CN"),
        Some("Doe\\; John\\, Jr."),
        "kept as written"
    );
    assert_eq!(organizer.value, "mailto:john@example.com");
    assert!(decode_calendar(&body, &DecodeOptions::strict().whole_body()).is_err());
}

#[test]
fn a_blank_line_inside_a_fold_is_skipped() {
    let body = fixture("blank-line-in-fold.ics");
    let parsed = lenient_calendar(&body);
    assert_eq!(defects(&parsed), [Defect::BlankLineInFold]);
    let event = &parsed.value.components[0];
    assert_eq!(
        event.property("DESCRIPTION").unwrap().text(),
        "first half of the text,second half"
    );
    assert_eq!(event.summary().unwrap(), "Planning");
    // Strict: the blank line and its continuation make a line without a name.
    assert_eq!(
        strict_calendar_error(&body),
        ErrorKind::Expected(Expected::Colon)
    );
}

#[test]
fn trailing_lines_after_the_end_are_skipped_in_a_whole_body() {
    let body = fixture("trailing-lines.ics");
    let (parsed, consumed) = complete(decode_calendar(
        &body,
        &DecodeOptions::lenient().whole_body(),
    ));
    assert_eq!(consumed, body.len());
    assert_eq!(defects(&parsed), [Defect::TrailingData]);
    // Strict: the object ends at its END line; the caller sees what is left.
    let (_, consumed) = complete(decode_calendar(
        &body,
        &DecodeOptions::strict().whole_body(),
    ));
    assert!(body[consumed..].starts_with(b"\r\n-- "));
    // A second object after the first is left for the next call, not skipped.
    let mut two = fixture("no-final-newline.ics");
    two.extend_from_slice(b"\r\n\r\n");
    let first_len = two.len();
    two.extend_from_slice(&fixture("byte-order-mark.ics")[3..]);
    let (_, consumed) = complete(decode_calendar(
        &two,
        &DecodeOptions::lenient().whole_body(),
    ));
    assert_eq!(consumed, first_len);
}

#[test]
fn a_malformed_content_line_is_skipped_and_reported() {
    let body = fixture("malformed-line.ics");
    let parsed = lenient_calendar(&body);
    let malformed: Vec<_> = parsed
        .warnings
        .iter()
        .filter(|w| w.defect == Defect::MalformedLine)
        .collect();
    assert_eq!(malformed.len(), 1);
    assert!(body[malformed[0].offset..].starts_with(b"this line is not"));
    assert_eq!(parsed.value.components[0].summary().unwrap(), "Still here");
    assert_eq!(
        strict_calendar_error(&body),
        ErrorKind::Expected(Expected::Colon)
    );
}

#[test]
fn an_end_naming_another_component_closes_the_open_one_leniently() {
    let body =
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nEND:VCALENDAR\r\n";
    let parsed = lenient_calendar(body);
    assert_eq!(defects(&parsed), [Defect::MismatchedEnd]);
    assert_eq!(parsed.value.components[0].uid().unwrap(), "1");
    assert_eq!(
        strict_calendar_error(body),
        ErrorKind::Expected(Expected::MatchingEnd)
    );
}

fn lenient_card(bytes: &[u8]) -> Parsed<VCard<'_>> {
    complete(decode_vcard(bytes, &DecodeOptions::lenient().whole_body())).0
}

#[test]
fn vcard_2_1_quoted_printable_soft_line_breaks_join_lines() {
    let body = fixture("vcard21-quoted-printable.vcf");
    let parsed = lenient_card(&body);
    assert_eq!(
        defects(&parsed),
        [
            Defect::SoftLineBreak,
            Defect::ParameterWithoutValue,
            Defect::UnsupportedVersion
        ]
    );
    assert_eq!(
        parsed.value.property("NOTE").unwrap().value,
        "Analytical engine, first program, notes =C3=A9dited"
    );
    assert_eq!(
        parsed.value.property("TEL").unwrap().value,
        "+44 20 7946 0000"
    );
    assert!(decode_vcard(&body, &DecodeOptions::strict().whole_body()).is_err());
}

#[test]
fn vcard_2_1_empty_parameters_are_dropped() {
    let body = fixture("vcard21-empty-parameter.vcf");
    let parsed = lenient_card(&body);
    assert_eq!(
        defects(&parsed),
        [
            Defect::EmptyParameter,
            Defect::ParameterWithoutValue,
            Defect::ParameterWithoutValue,
            Defect::EmptyParameter,
            Defect::UnsupportedVersion,
        ]
    );
    let tel = parsed.value.property("TEL").unwrap();
    assert_eq!(tel.params.len(), 1);
    assert_eq!(tel.params[0].name, "CELL");
    let email = parsed.value.property("EMAIL").unwrap();
    assert_eq!(email.param_value("TYPE"), Some(""));
    assert_eq!(email.value, "charles@example.com");
}

#[test]
fn a_standalone_component_decodes() {
    let body = fixture("standalone-vtodo.ics");
    let (parsed, _) = complete(decode_component(&body, &DecodeOptions::strict()));
    assert_eq!(parsed.value.kind(), ComponentKind::Todo);
    assert_eq!(parsed.value.summary().unwrap(), "File the report");
}

/// A correctly folded 446 KB DESCRIPTION and a 274 KB base64 PHOTO: ordinary objects the
/// old 64 KiB unfolded-line limit refused. The body size bounds them now.
#[test]
fn long_folded_values_fit_the_default_limits() {
    let mut cal =
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:long\r\n".to_vec();
    let description = format!(
        "DESCRIPTION:{}",
        "minutes of the meeting. ".repeat(446_000 / 24)
    );
    groupwire_dav::ical::contentline::write_folded(&description, &mut cal);
    cal.extend_from_slice(b"END:VEVENT\r\nEND:VCALENDAR\r\n");
    let (parsed, _) = complete(decode_calendar(&cal, &DecodeOptions::strict()));
    let text = parsed.value.components[0]
        .property("DESCRIPTION")
        .unwrap()
        .text()
        .len();
    assert!(text > 440_000, "{text}");

    let mut card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Photo\r\n".to_vec();
    let photo = format!("PHOTO;ENCODING=b;TYPE=JPEG:{}", "QUJD".repeat(274_000 / 4));
    groupwire_dav::ical::contentline::write_folded(&photo, &mut card);
    card.extend_from_slice(b"END:VCARD\r\n");
    let (parsed, _) = complete(decode_vcard(&card, &DecodeOptions::strict()));
    assert_eq!(parsed.value.property("PHOTO").unwrap().value.len(), 274_000);

    // The limit is still there: the body bound, and the line bound when set lower.
    let mut small = Limits::default();
    small.max_body_size = 100_000;
    let e = decode_vcard(&card, &DecodeOptions::strict().with_limits(small)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::BodySize));
    let mut short = Limits::default();
    short.max_line_length = 64 * 1024;
    let e = decode_vcard(&card, &DecodeOptions::strict().with_limits(short)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::LineLength));
}

#[test]
fn negative_quota_and_one_bad_property_do_not_fail_a_multistatus() {
    let body = fixture("quota-negative.xml");
    let (response, _) = complete(DavResponse::decode(&body, &Limits::default()));
    let DavResponse::Multistatus(ms) = response else {
        panic!("not a multistatus: {response:?}");
    };
    let alice = ms.response("/dav/calendars/alice/").unwrap();
    let available = alice.prop(Dav::QuotaAvailableBytes).unwrap();
    assert_eq!(available.value.as_number(), Some(-3));
    assert_eq!(
        alice.prop(Dav::QuotaUsedBytes).unwrap().value.as_number(),
        Some(1_048_576)
    );
    assert_eq!(
        alice.prop(Dav::DisplayName).unwrap().value.as_text(),
        Some("Alice")
    );
    // The bad number is kept as text; the properties after it still decode.
    let length = alice.prop(Dav::GetContentLength).unwrap();
    assert_eq!(length.value.as_text(), Some("not a number"));
    assert_eq!(length.value.as_number(), None);
    assert_eq!(
        alice
            .prop(Dav::CurrentUserPrincipal)
            .unwrap()
            .value
            .as_href(),
        Some("/dav/principals/alice/")
    );
    let bob = ms.response("/dav/calendars/bob/").unwrap();
    assert_eq!(
        bob.prop(Dav::QuotaAvailableBytes)
            .unwrap()
            .value
            .as_number(),
        Some(-1)
    );
    assert_eq!(
        bob.prop(CalendarServer::GetCtag).unwrap().value.as_text(),
        Some("\"ctag-7\"")
    );
    assert_eq!(bob.prop_status(CalendarServer::GetCtag), Some(200));
    // Markup where text belongs is kept as raw XML.
    let name = bob.prop(Dav::DisplayName).unwrap();
    assert!(
        matches!(&name.value, groupwire_dav::body::PropValue::Raw(raw) if raw.content == "<b>Bob</b>"),
        "{name:?}"
    );
}

#[test]
fn a_quoted_printable_value_ending_in_equals_round_trips() {
    let body = b"BEGIN:VCARD\r\nVERSION:2.1\r\nNOTE;ENCODING=QUOTED-PRINTABLE:ends in =\r\n \r\nFN:X\r\nEND:VCARD\r\n";
    let card = lenient_card(body).value;
    assert_eq!(card.property("NOTE").unwrap().value, "ends in =");
    let bytes = card.to_bytes();
    assert_eq!(lenient_card(&bytes).value, card);
}

#[test]
fn a_blank_line_after_the_end_does_not_make_a_stream_wait() {
    let mut body = fixture("byte-order-mark.ics")[3..].to_vec();
    let object_len = body.len();
    body.extend_from_slice(b"\r\n");
    let (_, consumed) = complete(decode_calendar(&body, &DecodeOptions::lenient()));
    assert_eq!(consumed, object_len);
}
