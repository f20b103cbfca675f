//! vCard decoder (lenient and strict), with round trip, version conversion and jCard
//! checked on whatever decodes.
#![no_main]

use groupwire_dav::Decoded;
use groupwire_dav::ical::DecodeOptions;
use groupwire_dav::jcard;
use groupwire_dav::vcard::{Version, decode_vcard};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = decode_vcard(data, &DecodeOptions::strict());
    let _ = decode_vcard(data, &DecodeOptions::strict().whole_body());
    let _ = decode_vcard(data, &DecodeOptions::lenient().whole_body());
    if let Ok(Decoded::Complete { value, .. }) = decode_vcard(data, &DecodeOptions::lenient()) {
        let card = value.value;
        let bytes = card.to_bytes();
        let again = decode_vcard(&bytes, &DecodeOptions::lenient())
            .ok()
            .and_then(|d| d.complete());
        assert_eq!(
            again.map(|(p, _)| p.value).as_ref(),
            Some(&card),
            "round trip"
        );
        let _ = card.convert(Version::V3).convert(Version::V4);
        if let Ok(json) = jcard::to_json(&card) {
            let _ = jcard::from_json(&json);
        }
    }
});
