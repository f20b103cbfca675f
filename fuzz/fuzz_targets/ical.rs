//! iCalendar decoder (lenient and strict), with the round-trip and jCal properties checked
//! on whatever decodes, plus recurrence expansion over a bounded range.
#![no_main]

use groupwire_dav::Decoded;
use groupwire_dav::ical::expand::{TimeRange, expand_calendar};
use groupwire_dav::ical::{DecodeOptions, decode_calendar, decode_component};
use groupwire_dav::jcal::{component_from_json, component_to_json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = decode_calendar(data, &DecodeOptions::strict());
    let mut options = DecodeOptions::lenient();
    options.limits.max_instances = 2_000;
    if let Ok(Decoded::Complete { value, .. }) = decode_component(data, &options) {
        let c = value.value;
        let bytes = c.to_bytes();
        let again = decode_component(&bytes, &options)
            .ok()
            .and_then(|d| d.complete());
        assert_eq!(again.map(|(p, _)| p.value).as_ref(), Some(&c), "round trip");
        if let Ok(json) = component_to_json(&c) {
            let _ = component_from_json(&json);
        }
        let range = TimeRange {
            start: 1_700_000_000,
            end: 1_700_000_000 + 30 * 86_400,
        };
        let _ = expand_calendar(&c, range, &options.limits);
    }
});
