//! Every public module glob-imported together: no two types share a name (the iCalendar
//! `Property` and the WebDAV `DavProperty`, the CalDAV `TimeRange` of text and the
//! expansion's `UtcRange` of instants), so one `use …::*` per module works. Also the
//! builders and accessors a client reaches for.

#![allow(unused_imports)]

use groupwire_dav::body::*;
use groupwire_dav::headers::*;
use groupwire_dav::ical::expand::*;
use groupwire_dav::ical::*;
use groupwire_dav::limits::*;
use groupwire_dav::method::*;
use groupwire_dav::vcard::*;
use groupwire_dav::xml::*;
use groupwire_dav::*;

#[test]
fn one_glob_import_names_every_type_once() {
    // Each name below resolves to exactly one item, or this does not compile.
    let ical_property = Property::new("SUMMARY", "Standup");
    let dav_property = DavProperty::new(Dav::DisplayName, PropValue::Text("Work".into()));
    let text_range = TimeRange::new("20260101T000000Z", "20260201T000000Z");
    let range: UtcRange = text_range.to_utc_range().unwrap();
    let _: (Timestamp, Limits, Option<Limit>, Option<DavMethod>) =
        (range.start, Limits::default(), None, None);
    let _: (Option<Depth>, Option<Status<'_>>, Option<Response<'_>>) = (None, None, None);
    let _: (Option<Component<'_>>, Option<VCard<'_>>, Option<Version>) = (None, None, None);
    let _: (
        Option<Instance<'_, '_>>,
        Option<Parameter<'_>>,
        Option<Name<'_>>,
    ) = (None, None, None);
    let _: (DecodeOptions, Option<Decoded<()>>) = (DecodeOptions::strict(), None);
    assert_eq!(ical_property.value, "Standup");
    assert_eq!(dav_property.value.as_text(), Some("Work"));
    assert_eq!(TimeRange::from(range), text_range);
}

#[test]
fn filters_build_with_defaults_and_builders() {
    let range = UtcRange::parse("20260105T000000Z", "20260112T000000Z").unwrap();
    let built = CalendarQuery::new(
        CompFilter::new("VCALENDAR").with_comp(
            CompFilter::new("VEVENT").with_time_range(range).with_prop(
                PropFilter::new("ATTENDEE")
                    .with_text_match(TextMatch::new("mailto:ada@example.com"))
                    .with_param(ParamFilter::new("PARTSTAT").not_defined()),
            ),
        ),
    )
    .with_props([RequestedProp::Name(Dav::GetEtag.into())]);
    // The same body spelled out field by field.
    let spelled = CalendarQuery {
        selection: Some(Propfind::Prop(vec![RequestedProp::Name(Name::Dav(
            Dav::GetEtag,
        ))])),
        filter: CompFilter {
            name: "VCALENDAR".into(),
            comp_filters: vec![CompFilter {
                name: "VEVENT".into(),
                time_range: Some(TimeRange {
                    start: Some("20260105T000000Z".into()),
                    end: Some("20260112T000000Z".into()),
                }),
                prop_filters: vec![PropFilter {
                    name: "ATTENDEE".into(),
                    text_match: Some(TextMatch {
                        text: "mailto:ada@example.com".into(),
                        ..TextMatch::default()
                    }),
                    param_filters: vec![ParamFilter {
                        name: "PARTSTAT".into(),
                        is_not_defined: true,
                        text_match: None,
                    }],
                    ..PropFilter::default()
                }],
                ..CompFilter::default()
            }],
            ..CompFilter::default()
        },
        timezone: None,
    };
    assert_eq!(built, spelled);
    // It encodes and decodes back to itself.
    let request = DavRequest::CalendarQuery(built);
    let bytes = request.to_vec();
    let (decoded, _) = DavRequest::decode(&bytes, &Limits::default())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(decoded, request);

    let cards = AddressbookQuery::new(
        CardFilter::new([CardPropFilter::new("EMAIL")
            .with_text_match(CardTextMatch::new("example.com").with_match_type("ends-with"))])
        .with_test(FilterTest::AllOf),
    )
    .with_limit(10);
    let request = DavRequest::AddressbookQuery(cards);
    let bytes = request.to_vec();
    let (decoded, _) = DavRequest::decode(&bytes, &Limits::default())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(decoded, request);
}
