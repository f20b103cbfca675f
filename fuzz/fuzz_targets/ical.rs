//! iCalendar decoder (lenient and strict), with the round-trip and jCal properties checked
//! on whatever decodes, plus recurrence expansion over a bounded range (the lazy expansion
//! agrees with the collected one and both are in time order).
#![no_main]

use groupwire_dav::Decoded;
use groupwire_dav::ical::expand::{Expansion, UtcRange, expand_calendar};
use groupwire_dav::ical::{DecodeOptions, decode_calendar, decode_component};
use groupwire_dav::jcal::{component_from_json, component_to_json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = decode_calendar(data, &DecodeOptions::strict());
    let _ = decode_calendar(data, &DecodeOptions::strict().whole_body());
    let _ = decode_component(data, &DecodeOptions::lenient().whole_body());
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
        let range = UtcRange::from_unix_seconds(1_700_000_000, 1_700_000_000 + 30 * 86_400);
        // The lazy expansion yields the same instances, in time order, as the collected one.
        if let Ok(all) = expand_calendar(&c, range, &options.limits) {
            assert!(
                all.windows(2)
                    .all(|w| (w[0].start, w[0].end) <= (w[1].start, w[1].end))
            );
            let lazy: Vec<_> = Expansion::new(&c, range, &options.limits)
                .expect("built once already")
                .take(10)
                .collect::<Result<_, _>>()
                .expect("a prefix of a successful expansion");
            assert_eq!(lazy.as_slice(), &all[..all.len().min(10)]);
        }
    }
});
