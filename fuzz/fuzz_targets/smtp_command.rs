//! SMTP command decoder (strict and lenient line endings): whatever decodes re-encodes to
//! bytes that decode to the same command.
#![no_main]

use groupwire_smtp::{Decoded, Encode, Limits, LineEndings, decode_command};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for endings in [LineEndings::Strict, LineEndings::Lenient] {
        let limits = Limits::default().with_line_endings(endings);
        if let Ok(Decoded::Complete { value, consumed }) = decode_command(data, &limits) {
            assert!(consumed > 0 && consumed <= data.len());
            let wire = value.to_vec();
            let again = decode_command(&wire, &limits);
            assert_eq!(
                again,
                Ok(Decoded::Complete {
                    value: value.clone(),
                    consumed: wire.len()
                }),
                "round trip of {:?}",
                String::from_utf8_lossy(&wire)
            );
            let _ = value.into_owned();
        }
    }
});
