//! DAV XML request bodies: decode, and whatever decodes must re-encode to the same value.
#![no_main]

use groupwire_dav::{DavRequest, Decoded, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(Decoded::Complete { value, .. }) = DavRequest::decode(data, &limits) {
        let bytes = value.to_vec();
        let again = DavRequest::decode(&bytes, &limits)
            .ok()
            .and_then(|d| d.complete());
        assert_eq!(again.map(|(v, _)| v).as_ref(), Some(&value), "round trip");
    }
});
