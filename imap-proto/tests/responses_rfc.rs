//! Every server (`S:`) stream of the RFC example fixtures decodes end to end, re-encodes to
//! a value-equal stream, and every truncation of it is incomplete, never a wrong value.

#[path = "support/transcript.rs"]
mod transcript;

use groupwire_imap::response::Response;
use groupwire_imap::stream::client::ResponseDecoder;
use groupwire_imap::{Decoded, Encode, Limits};
use transcript::{fixture_files, load_transcript};

/// Decodes a whole stream; returns the responses' (offset, len) or the first failure.
fn decode_stream(stream: &[u8]) -> Result<Vec<(usize, usize)>, String> {
    let mut decoder = ResponseDecoder::new(Limits::default());
    let mut offset = 0;
    let mut spans = Vec::new();
    while offset < stream.len() {
        match decoder.decode(&stream[offset..]) {
            Ok(Decoded::Complete { consumed, value }) => {
                let encoded = value.to_bytes();
                let again = Response::decode(&encoded, &Limits::default()).map_err(|e| {
                    format!("re-decoding {:?}: {e}", String::from_utf8_lossy(&encoded))
                })?;
                match again {
                    Decoded::Complete {
                        value: v2,
                        consumed: c2,
                    } if v2 == value && c2 == encoded.len() => {}
                    other => return Err(format!("round trip differs: {value:?} vs {other:?}")),
                }
                spans.push((offset, consumed));
                offset += consumed;
            }
            Ok(Decoded::Incomplete { .. }) => return Err(format!("incomplete at {offset}")),
            Err(e) => {
                let line_end = stream[offset..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(stream.len(), |p| offset + p);
                return Err(format!(
                    "{e} (message at {offset}: {:?})",
                    String::from_utf8_lossy(&stream[offset..line_end])
                ));
            }
        }
    }
    Ok(spans)
}

/// Fixtures whose server side is not IMAP responses as this crate decodes them, with why.
/// Each was checked by hand against the RFC text.
const NOT_RESPONSES: &[(&str, &str)] = &[
    (
        "rfc2193-4.1-6",
        "RFC error: PERMANENTFLAGS list without backslashes or closing paren",
    ),
    (
        "rfc2683-3.4.2-1",
        "shows a server sending an empty delimiter \"\" (invalid; NIL is flat)",
    ),
    (
        "rfc2683-3.4.9-1",
        "prose annotation `<=== should do this` inside the example",
    ),
    (
        "rfc5465-7-1",
        "RFC error: ESEARCH return data in parentheses",
    ),
    (
        "rfc6237-3-2",
        "RFC error: ESEARCH ALL without a sequence set",
    ),
    (
        "rfc6237-3-3",
        "RFC error: ESEARCH ALL without a sequence set",
    ),
    (
        "rfc7377-3-2",
        "RFC error: ESEARCH ALL without a sequence set",
    ),
    (
        "rfc7377-3-3",
        "RFC error: ESEARCH ALL without a sequence set",
    ),
    (
        "rfc6851-3.3-1",
        "prose `(more expunges)` inside the example",
    ),
    (
        "rfc9051-6.3.2-3",
        "RFC error: UIDVALIDITY 9877410381 exceeds the 32-bit nz-number",
    ),
];

#[test]
fn excluded_fixtures_really_fail() {
    // The exclusions must stay honest: each one still fails to decode.
    for (name, why) in NOT_RESPONSES {
        let path = fixture_files("rfc")
            .into_iter()
            .find(|p| p.file_stem().unwrap() == *name);
        let path = path.unwrap_or_else(|| panic!("{name} missing"));
        let server = load_transcript(&path).unwrap().server();
        assert!(
            decode_stream(&server).is_err(),
            "{name} decodes now ({why}); remove the exclusion"
        );
    }
}

#[test]
fn every_rfc_server_stream_decodes_and_round_trips() {
    let files = fixture_files("rfc");
    assert!(files.len() > 500, "fixtures missing: {}", files.len());
    let mut failures = Vec::new();
    let mut decoded = 0;
    for path in &files {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if NOT_RESPONSES.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let transcript = load_transcript(path).unwrap();
        let server = transcript.server();
        match decode_stream(&server) {
            Ok(spans) => decoded += spans.len(),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(decoded > 1000, "only {decoded} responses decoded");
}

#[test]
fn truncation_at_every_offset_is_incomplete() {
    for path in fixture_files("rfc") {
        let server = load_transcript(&path).unwrap().server();
        let Ok(spans) = decode_stream(&server) else {
            continue;
        };
        for (offset, len) in spans {
            let message = &server[offset..offset + len];
            for cut in 0..len {
                match Response::decode(&message[..cut], &Limits::default()) {
                    Ok(Decoded::Incomplete { .. }) => {}
                    other => panic!(
                        "{}: cut at {cut} of {:?}: {other:?}",
                        path.display(),
                        String::from_utf8_lossy(message)
                    ),
                }
            }
        }
    }
}
