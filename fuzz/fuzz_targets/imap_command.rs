//! Decodes arbitrary bytes as one IMAP command; whatever decodes must re-encode to bytes that
//! decode to the same command (and encode identically: encoding is canonical).
#![no_main]

use groupwire_imap::command::{decode_command, parse_command};
use groupwire_imap::{Decoded, Encode, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut limits = Limits::default();
    limits.max_line_length = 4096;
    limits.max_literal_size = 4096;
    if let Ok(Decoded::Complete { value, consumed }) = decode_command(data, limits) {
        assert!(consumed <= data.len());
        let wire = value.to_bytes();
        let again = parse_command(&wire, Limits::default())
            .unwrap_or_else(|e| panic!("{e} re-decoding {:?}", String::from_utf8_lossy(&wire)));
        assert_eq!(again, value);
        assert_eq!(again.to_bytes(), wire);
    }
});
