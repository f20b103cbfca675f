//! DAV XML response bodies: decode, and whatever decodes must re-encode to the same value.
#![no_main]

use groupwire_dav::{DavResponse, Decoded, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(Decoded::Complete { value, .. }) = DavResponse::decode(data, &limits) {
        let bytes = value.to_vec();
        let again = DavResponse::decode(&bytes, &limits)
            .ok()
            .and_then(|d| d.complete());
        assert_eq!(again.map(|(v, _)| v).as_ref(), Some(&value), "round trip");
    }
});
