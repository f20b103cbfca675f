//! vCard 3.0/4.0: RFC fixtures, exact values, groups, version conversion, jCard, and the
//! round-trip property.

use std::path::{Path, PathBuf};

use groupwire_dav::ical::{DecodeOptions, Defect, Property};
use groupwire_dav::jcard;
use groupwire_dav::vcard::{VCard, Version, decode_vcard, structured};
use groupwire_dav::{Decoded, ErrorKind, Expected};
use proptest::prelude::*;

fn rfc_fixture(name: &str) -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/rfc")
            .join(name),
    )
    .unwrap();
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

fn card(input: &str) -> VCard<'_> {
    let (parsed, used) = decode_vcard(input.as_bytes(), &DecodeOptions::lenient())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(used, input.len());
    parsed.value
}

fn roundtrip(c: &VCard<'_>) {
    let bytes = c.to_bytes();
    let again = decode_vcard(&bytes, &DecodeOptions::lenient())
        .unwrap()
        .complete()
        .unwrap()
        .0
        .value;
    assert_eq!(&again, c, "{}", String::from_utf8_lossy(&bytes));
}

#[test]
fn every_rfc_vcf_fixture_decodes_and_round_trips() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rfc");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "vcf"))
        .collect();
    files.sort();
    assert!(files.len() >= 8);
    for path in files {
        let text = rfc_fixture(path.file_name().unwrap().to_str().unwrap());
        let c = card(&text);
        assert!(c.version().is_some(), "{}", path.display());
        assert!(c.formatted_name().is_some(), "{}", path.display());
        roundtrip(&c);
    }
}

#[test]
fn rfc6350_example_has_exact_values() {
    let text = rfc_fixture("rfc6350-8-1-from-memory.vcf");
    let parsed = decode_vcard(text.as_bytes(), &DecodeOptions::strict())
        .unwrap()
        .complete()
        .unwrap()
        .0;
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let c = parsed.value;
    assert_eq!(c.version(), Some(Version::V4));
    assert_eq!(c.formatted_name().unwrap(), "Simon Perreault");
    let n = structured(&c.property("N").unwrap().value);
    assert_eq!(n.len(), 5);
    assert_eq!(n[0], vec!["Perreault"]);
    assert_eq!(n[4], vec!["ing. jr", "M.Sc."]);
    let adr = structured(&c.property("ADR").unwrap().value);
    assert_eq!(adr[2], vec!["2875 Laurier"]);
    assert_eq!(adr[3], vec!["Quebec"]);
    assert_eq!(adr[6], vec!["Canada"]);
    let tel = c.property("TEL").unwrap();
    assert_eq!(tel.param_value("TYPE"), Some("work,voice"));
    assert_eq!(tel.param_value("PREF"), Some("1"));
    assert_eq!(tel.value, "tel:+1-418-656-9254;ext=102");
    assert_eq!(c.properties_named("LANG").count(), 2);
    assert_eq!(
        c.property("KEY").unwrap().value,
        "http://www.viagenie.ca/simon.perreault/simon.asc"
    );
}

#[test]
fn groups_and_escapes() {
    let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\\, B\r\nN:B;A;;;\r\nitem1.TEL;type=pref:+1 555 0100\r\nitem1.X-ABLabel:_$!<Mobile>!$_\r\nEND:VCARD\r\n";
    let c = card(text);
    let tel = c.property("TEL").unwrap();
    assert_eq!(tel.group.as_deref(), Some("item1"));
    assert_eq!(
        c.property("X-ABLABEL").unwrap().group.as_deref(),
        Some("item1")
    );
    assert_eq!(c.formatted_name().unwrap(), "A, B");
    roundtrip(&c);
}

#[test]
fn defects_in_lenient_and_strict_mode() {
    let no_version = "BEGIN:VCARD\nFN:X\nEND:VCARD\n";
    let parsed = decode_vcard(no_version.as_bytes(), &DecodeOptions::lenient())
        .unwrap()
        .complete()
        .unwrap()
        .0;
    let defects: Vec<Defect> = parsed.warnings.iter().map(|w| w.defect).collect();
    assert!(defects.contains(&Defect::MissingVersion));
    assert!(defects.contains(&Defect::BareLineFeed));
    let strict_input = no_version.replace('\n', "\r\n");
    let e = decode_vcard(strict_input.as_bytes(), &DecodeOptions::strict()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Expected(Expected::VersionProperty));

    let v21 = "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:X\r\nTEL;HOME:1\r\nEND:VCARD\r\n";
    let parsed = decode_vcard(v21.as_bytes(), &DecodeOptions::lenient())
        .unwrap()
        .complete()
        .unwrap()
        .0;
    let defects: Vec<Defect> = parsed.warnings.iter().map(|w| w.defect).collect();
    assert_eq!(
        defects,
        vec![Defect::ParameterWithoutValue, Defect::UnsupportedVersion]
    );
    let e = decode_vcard(v21.as_bytes(), &DecodeOptions::strict()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Expected(Expected::ParameterEquals));
    assert_eq!(e.offset(), 36, "where the bare HOME parameter starts");

    assert_eq!(
        decode_vcard(b"BEGIN:VCARD\r\nVERSION:4.0\r\n", &DecodeOptions::strict()).unwrap(),
        Decoded::Incomplete { needed: None }
    );
}

#[test]
fn version_3_to_4_and_back() {
    let v3 = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane Roe\r\nN:Roe;Jane;;;\r\nEMAIL;TYPE=INTERNET,PREF:jane@example.com\r\n\
        PHOTO;ENCODING=b;TYPE=JPEG:AAEC\r\nGEO:37.386013;-122.082932\r\nBDAY:1996-04-15\r\nMAILER:Foo\r\n\
        X-ADDRESSBOOKSERVER-KIND:group\r\nEND:VCARD\r\n";
    let c3 = card(v3);
    let c4 = c3.convert(Version::V4);
    assert_eq!(c4.version(), Some(Version::V4));
    let email = c4.property("EMAIL").unwrap();
    assert_eq!(email.param("TYPE").unwrap().values, vec!["internet"]);
    assert_eq!(email.param_value("PREF"), Some("1"));
    assert_eq!(
        c4.property("PHOTO").unwrap().value,
        "data:image/jpeg;base64,AAEC"
    );
    assert!(c4.property("PHOTO").unwrap().param("ENCODING").is_none());
    assert_eq!(
        c4.property("GEO").unwrap().value,
        "geo:37.386013,-122.082932"
    );
    assert_eq!(c4.property("BDAY").unwrap().value, "19960415");
    assert!(c4.property("MAILER").is_none());
    assert_eq!(c4.property("KIND").unwrap().value, "group");

    let back = c4.convert(Version::V3);
    assert_eq!(back.version(), Some(Version::V3));
    let email = back.property("EMAIL").unwrap();
    assert_eq!(
        email.param("TYPE").unwrap().values,
        vec!["INTERNET", "PREF"]
    );
    let photo = back.property("PHOTO").unwrap();
    assert_eq!(photo.value, "AAEC");
    assert_eq!(photo.param_value("ENCODING"), Some("b"));
    assert_eq!(photo.param_value("TYPE"), Some("JPEG"));
    assert_eq!(back.property("GEO").unwrap().value, "37.386013;-122.082932");
    assert_eq!(back.property("BDAY").unwrap().value, "1996-04-15");
    assert_eq!(
        back.property("X-ADDRESSBOOKSERVER-KIND").unwrap().value,
        "group"
    );
    roundtrip(&back);
}

#[test]
fn jcard_of_the_rfc6350_example_matches_rfc7095() {
    let text = rfc_fixture("rfc6350-8-1-from-memory.vcf");
    let c = card(&text);
    let ours = jcard::to_json(&c).unwrap();
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/rfc/rfc7095-B.1-1-from-memory.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let ours_props = ours[1].as_array().unwrap();
    let expected_props = expected[1].as_array().unwrap();
    assert_eq!(ours_props.len(), expected_props.len());
    for (o, e) in ours_props.iter().zip(expected_props) {
        match e[0].as_str().unwrap() {
            // RFC 7095 writes 14:30 as 14:30:00, and types TZ as utc-offset though the vCard
            // has no VALUE parameter (RFC 6350 TZ defaults to text).
            "anniversary" => assert_eq!(o[3], "2009-08-08T14:30-05:00"),
            "tz" => assert_eq!(o[3], "-0500"),
            _ => assert_eq!(o, e),
        }
    }
    // And back: the same card, but TYPE lists now as separate values.
    let again = jcard::from_json(&ours).unwrap();
    assert_eq!(again.properties.len(), c.properties.len());
    assert_eq!(
        again.property("N").unwrap().value,
        c.property("N").unwrap().value
    );
    assert_eq!(
        again.property("ADR").unwrap().value,
        c.property("ADR").unwrap().value
    );
    assert_eq!(again.property("BDAY").unwrap().value, "--0203");
    assert_eq!(
        again.property("TEL").unwrap().param("TYPE").unwrap().values,
        vec!["work", "voice"]
    );
    assert_eq!(
        again.property("TEL").unwrap().param_value("VALUE"),
        Some("URI")
    );
}

fn name() -> impl Strategy<Value = String> {
    "X-[A-Z0-9-]{1,12}"
}

fn param_value() -> impl Strategy<Value = String> {
    // Anything but DQUOTE and controls (RFC 5545 QSAFE-CHAR).
    "[^\"\\x00-\\x1f\\x7f]{0,20}"
}

fn value() -> impl Strategy<Value = String> {
    "[^\\x00-\\x08\\x0a-\\x1f\\x7f]{0,120}"
}

prop_compose! {
    fn property()(group in proptest::option::of("[a-z0-9]{1,6}"), name in name(),
                  params in proptest::collection::vec((name(), proptest::collection::vec(param_value(), 1..3)), 0..3),
                  value in value()) -> Property<'static> {
        let mut p = Property::new(name, value);
        p.group = group.map(Into::into);
        for (n, vs) in params {
            p.params.push(groupwire_dav::ical::Parameter { name: n.into(), values: vs.into_iter().map(Into::into).collect() });
        }
        p
    }
}

proptest! {
    #[test]
    fn decode_of_encode_is_identity(props in proptest::collection::vec(property(), 0..8)) {
        let mut properties = vec![Property::new("VERSION", "4.0")];
        properties.extend(props);
        let c = VCard { properties };
        let bytes = c.to_bytes();
        let (parsed, used) = decode_vcard(&bytes, &DecodeOptions::strict()).unwrap().complete().unwrap();
        prop_assert_eq!(used, bytes.len());
        prop_assert_eq!(parsed.value, c);
    }
}

prop_compose! {
    fn canonical_property()(group in proptest::option::of("[a-z0-9]{1,6}"), name in name(),
                  params in proptest::collection::btree_map(name(), proptest::collection::vec(param_value(), 1..3), 0..3),
                  text in value()) -> Property<'static> {
        // Escaped TEXT and unique, sorted parameter names: the form jCard reproduces.
        let mut p = Property::new(name, groupwire_dav::ical::value::escape_text(&text).into_owned());
        p.group = group.map(Into::into);
        for (n, vs) in params {
            p.params.push(groupwire_dav::ical::Parameter { name: n.into(), values: vs.into_iter().map(Into::into).collect() });
        }
        p
    }
}

proptest! {
    #[test]
    fn jcard_round_trips(props in proptest::collection::vec(canonical_property(), 0..8)) {
        let mut properties = vec![Property::new("VERSION", "4.0")];
        properties.extend(props);
        let c = VCard { properties };
        let json = jcard::to_json(&c).unwrap();
        prop_assert_eq!(jcard::from_json(&json).unwrap(), c);
    }
}

/// Fuzz find (kept as `fixtures/fuzz/vcard-jcard-date-char-boundary.vcf`): a lenient
/// date value that is not all ASCII digits (`2009\r` plus a replaced invalid byte) reached
/// jCard's date reshaping, which split it inside a character and panicked. Such a value
/// must pass through unchanged.
#[test]
fn jcard_of_a_non_digit_date_passes_it_through() {
    let input = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/fuzz/vcard-jcard-date-char-boundary.vcf"),
    )
    .unwrap();
    let card = decode_vcard(&input, &DecodeOptions::lenient())
        .unwrap()
        .complete()
        .unwrap()
        .0
        .value;
    let anniversary = card
        .properties
        .iter()
        .find(|p| p.is("ANNIVERSARY"))
        .unwrap();
    assert!(!anniversary.value.bytes().all(|b| b.is_ascii_digit()));
    let text = jcard::to_json(&card).unwrap().to_string();
    let expected = serde_json::Value::String(anniversary.value.to_string()).to_string();
    assert!(text.contains(&expected), "{text}");
}

/// A quoted parameter value that ends in a backslash (`E="\"`, found by the fuzz campaign)
/// is written quoted again: unquoted, `\` and the `:` after it read as an escaped colon in
/// lenient decoding, and the value swallowed the separator.
#[test]
fn a_parameter_value_ending_in_a_backslash_round_trips_in_lenient_mode() {
    use groupwire_dav::ical::DecodeOptions;
    use groupwire_dav::vcard::decode_vcard;
    let input = b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\r\nTEL;E=x,\"\\\":tel:+1\r\nEND:VCARD\r\n";
    fn decode(bytes: &[u8]) -> groupwire_dav::vcard::VCard<'_> {
        decode_vcard(bytes, &DecodeOptions::lenient())
            .unwrap()
            .complete()
            .unwrap()
            .0
            .value
    }
    let card = decode(input);
    let tel = card.properties.iter().find(|p| p.name == "TEL").unwrap();
    assert_eq!(tel.params[0].values, ["x", "\\"]);
    assert_eq!(tel.value, "tel:+1");
    let bytes = card.to_bytes();
    assert!(
        String::from_utf8_lossy(&bytes).contains("TEL;E=x,\"\\\":tel:+1"),
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(decode(&bytes), card);
}
