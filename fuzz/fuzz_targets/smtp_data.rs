//! DATA decoder: any chunking gives the same payload as one call, re-stuffing the payload
//! decodes to it again, and under strict line endings the outcome is that of a line-by-line
//! reading of RFC 5321 §4.5.2 written here (the decoder's own scan runs in vector blocks).
//!
//! The whole input is the DATA stream (seeds are plain captures); the chunk sizes come from a
//! hash of it (see `common/chunks.rs`).
#![no_main]

#[path = "common/chunks.rs"]
mod chunks;

use chunks::Chunks;

use bytes::BytesMut;
use groupwire_smtp::{DataDecoder, DataEvent, Decoded, Limits, LineEndings, encode_data};
use libfuzzer_sys::fuzz_target;

/// The payload and bytes used, `Ok(None)` when the terminator never came, or the error.
fn decode(
    input: &[u8],
    next_chunk: &mut dyn FnMut() -> usize,
    limits: &Limits,
) -> Result<Option<(Vec<u8>, usize)>, groupwire_smtp::DecodeError> {
    let mut decoder = DataDecoder::new(limits);
    let mut payload = Vec::new();
    let mut start = 0;
    let mut available = next_chunk().min(input.len());
    loop {
        match decoder.decode(&input[start..available])? {
            Decoded::Complete {
                value: DataEvent::Bytes(bytes),
                consumed,
            } => {
                assert!(consumed > 0);
                payload.extend_from_slice(bytes);
                start += consumed;
            }
            Decoded::Complete {
                value: DataEvent::End,
                consumed,
            } => return Ok(Some((payload, start + consumed))),
            Decoded::Incomplete { .. } => {
                if available == input.len() {
                    return Ok(None);
                }
                available = available.saturating_add(next_chunk()).min(input.len());
            }
        }
    }
}

/// Strict DATA read line by line, by the book: every line ends in CRLF (a bare CR or LF is an
/// error), a leading dot is removed, and the line `.` ends the data. The payload and bytes
/// used, `Ok(None)` when the input ends first, `Err(())` on a bare line end.
fn reference_strict(input: &[u8]) -> Result<Option<(Vec<u8>, usize)>, ()> {
    let mut payload = Vec::new();
    let mut line_start = 0;
    loop {
        let mut at = line_start;
        loop {
            match (input.get(at), input.get(at + 1)) {
                (None, _) | (Some(b'\r'), None) => return Ok(None),
                (Some(b'\r'), Some(b'\n')) => break,
                (Some(b'\r' | b'\n'), _) => return Err(()),
                _ => at += 1,
            }
        }
        let line = &input[line_start..at];
        if line == b"." {
            return Ok(Some((payload, at + 2)));
        }
        payload.extend_from_slice(line.strip_prefix(b".").unwrap_or(line));
        payload.extend_from_slice(b"\r\n");
        line_start = at + 2;
    }
}

fuzz_target!(|input: &[u8]| {
    let strict = decode(input, &mut || input.len().max(1), &Limits::default());
    match (strict, reference_strict(input)) {
        (Ok(ours), Ok(reference)) => assert_eq!(ours, reference),
        (Err(_), Err(())) => {}
        (ours, reference) => panic!("strict DATA: {ours:?}, line by line: {reference:?}"),
    }

    let whole_input = input.len().max(1);
    for endings in [LineEndings::Strict, LineEndings::Lenient] {
        let limits = Limits::default().with_line_endings(endings);
        let whole = decode(input, &mut || whole_input, &limits);
        let mut sizes = Chunks::new(input);
        let chunked = decode(input, &mut || sizes.next_size(), &limits);
        match (&whole, &chunked) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(_), Err(_)) => {}
            // A chunk boundary may stop before a later error shows.
            (Err(_), Ok(None)) | (Ok(None), Err(_)) => {}
            other => panic!("chunking changed the outcome: {other:?}"),
        }
        if let Ok(Some((payload, _))) = whole {
            let mut wire = BytesMut::new();
            encode_data(&payload, &mut wire);
            let again =
                decode(&wire, &mut || wire.len(), &limits).expect("re-stuffed payload decodes");
            assert_eq!(again, Some((payload, wire.len())));
        }
    }
});
