//! The server role over a whole client stream: DATA accepted, AUTH continuations after AUTH,
//! BDAT chunks; every step makes progress and nothing panics.
#![no_main]

use groupwire_smtp::{ClientItem, Command, Decoded, Limits, LineEndings, ServerDecoder};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for endings in [LineEndings::Strict, LineEndings::Lenient] {
        let limits = Limits::default()
            .with_line_endings(endings)
            .with_max_message_size(1 << 20);
        let mut decoder = ServerDecoder::new(limits);
        let mut rest = data;
        while let Ok(Decoded::Complete { value, consumed }) = decoder.decode(rest) {
            assert!(consumed > 0 || value == ClientItem::MessageEnd || consumed <= rest.len());
            assert!(consumed <= rest.len());
            match value {
                ClientItem::Command(Command::Data) => decoder.expect_data(),
                ClientItem::Command(Command::Auth {
                    initial_response: None,
                    ..
                }) => decoder.expect_auth_response(),
                _ => {}
            }
            if consumed == 0 {
                break;
            }
            rest = &rest[consumed..];
        }
    }
});
