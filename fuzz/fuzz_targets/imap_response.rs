//! Decodes arbitrary bytes as one IMAP server response: never panics, and whatever decodes
//! re-encodes to bytes that decode to the same value.
#![no_main]

use groupwire_imap::response::Response;
use groupwire_imap::{Decoded, Encode, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(Decoded::Complete { value, consumed }) = Response::decode(data, &limits) {
        assert!(consumed <= data.len());
        let wire = value.to_bytes();
        match Response::decode(&wire, &limits) {
            Ok(Decoded::Complete {
                value: again,
                consumed,
            }) => {
                assert_eq!(consumed, wire.len());
                assert_eq!(again, value, "{:?}", String::from_utf8_lossy(&wire));
            }
            other => panic!(
                "re-encoded {:?} gave {other:?}",
                String::from_utf8_lossy(&wire)
            ),
        }
    }
});
