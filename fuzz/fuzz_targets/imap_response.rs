//! Decodes arbitrary bytes as one IMAP server response: never panics, whatever decodes
//! re-encodes to bytes that decode to the same value, and its lazy lists, typed, equal it.
#![no_main]

use groupwire_imap::response::Response;
use groupwire_imap::{Decoded, Encode, IntoOwned, Limits};
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
        // The owned copy types every lazy list (the FETCH attributes and the lists inside
        // them) from its checked bytes; it equals the decoded value item by item, and its own
        // encoding, built item by item, decodes back to it.
        let owned = value.clone().into_owned();
        assert_eq!(owned, value);
        let built = owned.to_bytes();
        match Response::decode(&built, &limits) {
            Ok(Decoded::Complete { value: again, .. }) => assert_eq!(again, owned),
            other => panic!(
                "built {:?} gave {other:?}",
                String::from_utf8_lossy(&built)
            ),
        }
    }
});
