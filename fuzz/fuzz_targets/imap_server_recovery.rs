//! Drives the server-role CommandDecoder the way a server does, through every recovery step:
//! over-long lines, literals over the limit (always refused), synchronising literals granted
//! or refused (by a bit of the input's hash), invalid commands answered BAD, AUTHENTICATE and
//! IDLE. The property: the decoder never panics and never gets stuck, so the loop ends within
//! a bound proportional to the input.
//!
//! The whole input is the client stream (seeds are plain captures of client traffic); the
//! chunk sizes come from a hash of it (see `common/chunks.rs`).
#![no_main]

#[path = "common/chunks.rs"]
mod chunks;

use chunks::Chunks;

use groupwire_imap::Limits;
use groupwire_imap::stream::server::{ClientMessage, CommandDecoder, ServerStep};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|stream: &[u8]| {
    let mut limits = Limits::default();
    limits.max_line_length = 512;
    limits.max_literal_size = 1 << 12;
    let mut decoder = CommandDecoder::new(limits).with_max_non_sync_literal(Some(1 << 10));
    let mut sizes = Chunks::new(stream);
    // Whether to grant synchronising literals: a bit of the same hash, so one input always
    // takes one path.
    let grant = sizes.next_size() % 2 == 0;
    let mut buffer = Vec::new();
    let mut at = 0;
    // Every step either consumes bytes, waits for more, or changes the decoder's state once
    // (a continuation or a refusal); anything beyond this bound is a decoder that is stuck.
    let bound = 4 * (stream.len() + 1) + 64;
    let mut steps = 0;
    loop {
        if at < stream.len() {
            let end = (at + sizes.next_size()).min(stream.len());
            buffer.extend_from_slice(&stream[at..end]);
            at = end;
        }
        loop {
            steps += 1;
            assert!(steps <= bound, "decoder stuck after {steps} steps");
            match decoder.decode(&buffer) {
                Ok(ServerStep::Complete { value, consumed }) => {
                    assert!(consumed > 0 && consumed <= buffer.len());
                    let authenticating = matches!(value, ClientMessage::SaslResponse(_));
                    buffer.drain(..consumed);
                    if authenticating {
                        decoder.finish_authentication();
                    }
                }
                Ok(ServerStep::Incomplete { .. }) => break,
                Ok(ServerStep::NeedsContinuation { .. }) => {
                    if !grant {
                        let consumed = decoder.reject_literal();
                        assert!(consumed <= buffer.len());
                        buffer.drain(..consumed);
                    } else {
                        // Granted: decoding goes on once the data arrives in later chunks.
                        break;
                    }
                }
                Ok(ServerStep::LiteralTooLarge { .. }) => {
                    let consumed = decoder.reject_literal();
                    assert!(consumed <= buffer.len());
                    buffer.drain(..consumed);
                }
                Ok(ServerStep::Invalid { consumed, .. }) | Ok(ServerStep::Skipped { consumed }) => {
                    assert!(consumed <= buffer.len());
                    buffer.drain(..consumed);
                }
                // A decode error ends the connection: the server answers BYE.
                Err(_) => return,
            }
        }
        if at >= stream.len() {
            return;
        }
    }
});
