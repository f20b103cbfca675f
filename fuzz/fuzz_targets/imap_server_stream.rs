//! Feeds arbitrary bytes to the server-role CommandDecoder in arbitrary chunks, granting every
//! continuation, and checks the messages equal those of decoding the whole buffer at once.
//!
//! The whole input is the client stream (seeds are plain captures of client traffic); the
//! chunk sizes come from a hash of it (see `common/chunks.rs`).
#![no_main]

#[path = "common/chunks.rs"]
mod chunks;

use chunks::Chunks;

use groupwire_imap::stream::server::{ClientMessage, CommandDecoder};
use groupwire_imap::{DecodeError, Decoded, Limits};
use libfuzzer_sys::fuzz_target;

type Outcome = (Vec<ClientMessage<'static>>, Option<DecodeError>);

fn whole(stream: &[u8], limits: Limits) -> Outcome {
    let mut decoder = CommandDecoder::new(limits);
    let mut at = 0;
    let mut out = Vec::new();
    loop {
        match decoder.decode_captured(&stream[at..]) {
            Ok(Decoded::Complete { value, consumed }) => {
                assert!(consumed > 0);
                out.push(value.into_owned());
                at += consumed;
            }
            Ok(Decoded::Incomplete { .. }) => return (out, None),
            Err(e) => return (out, Some(e)),
        }
    }
}

fn chunked(stream: &[u8], limits: Limits) -> Outcome {
    let mut decoder = CommandDecoder::new(limits);
    let mut sizes = Chunks::new(stream);
    let mut buffer = Vec::new();
    let mut out = Vec::new();
    let mut at = 0;
    while at < stream.len() {
        let size = sizes.next_size();
        let end = (at + size).min(stream.len());
        buffer.extend_from_slice(&stream[at..end]);
        at = end;
        loop {
            match decoder.decode_captured(&buffer) {
                Ok(Decoded::Complete { value, consumed }) => {
                    out.push(value.into_owned());
                    buffer.drain(..consumed);
                }
                Ok(Decoded::Incomplete { .. }) => break,
                Err(e) => return (out, Some(e)),
            }
        }
    }
    (out, None)
}

fuzz_target!(|stream: &[u8]| {
    let mut limits = Limits::default();
    limits.max_line_length = 4096;
    limits.max_literal_size = 1 << 16;
    let (whole_values, whole_error) = whole(stream, limits);
    let (chunked_values, chunked_error) = chunked(stream, limits);
    match (&whole_error, &chunked_error) {
        (None, None) => assert_eq!(whole_values, chunked_values),
        (Some(a), Some(b)) if a.kind() == b.kind() => assert_eq!(whole_values, chunked_values),
        // A line-length error can surface before the CRLF arrives when chunked: the
        // messages before it still agree.
        _ => {
            let n = whole_values.len().min(chunked_values.len());
            assert_eq!(whole_values[..n], chunked_values[..n]);
        }
    }
});
