//! Feeds arbitrary bytes to the client-role ResponseDecoder in arbitrary chunks and checks
//! the result equals decoding the whole buffer at once (same responses, same final outcome).
//!
//! The whole input is the server stream (seeds are plain captures of server traffic); the
//! chunk sizes come from a hash of it (see `common/chunks.rs`).
#![no_main]

#[path = "common/chunks.rs"]
mod chunks;

use chunks::Chunks;

use groupwire_imap::stream::client::ResponseDecoder;
use groupwire_imap::{Decoded, IntoOwned, Limits};
use libfuzzer_sys::fuzz_target;

type Outcome = (
    Vec<groupwire_imap::response::Response<'static>>,
    Option<groupwire_imap::DecodeError>,
);

fn whole(stream: &[u8], limits: Limits) -> Outcome {
    let mut decoder = ResponseDecoder::new(limits);
    let mut at = 0;
    let mut out = Vec::new();
    loop {
        match decoder.decode(&stream[at..]) {
            Ok(Decoded::Complete { value, consumed }) => {
                out.push(value.into_owned());
                at += consumed;
            }
            Ok(Decoded::Incomplete { .. }) => return (out, None),
            Err(e) => return (out, Some(e)),
        }
    }
}

fn chunked(stream: &[u8], limits: Limits) -> Outcome {
    let mut decoder = ResponseDecoder::new(limits);
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
            match decoder.decode(&buffer) {
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
    let (whole_values, whole_error) = whole(stream, limits);
    let (chunked_values, chunked_error) = chunked(stream, limits);
    assert_eq!(whole_values, chunked_values);
    // A line-length error can surface earlier while chunked (before the CRLF arrives) but
    // must be the same kind of failure.
    assert_eq!(
        whole_error.map(|e| e.kind()),
        chunked_error.map(|e| e.kind())
    );
});
