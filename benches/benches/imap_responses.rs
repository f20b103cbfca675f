//! IMAP response decoding: groupwire-imap against `imap-codec` and `imap-proto` (djc) on the
//! same corpora (`benches/corpora/gen_imap.py`), whole buffer and in 4 KiB / 16 KiB chunks,
//! plus allocations per response.
//!
//! Every decoder builds its full typed value for each response. Chunked decoding models a
//! socket: bytes are appended to a buffer chunk by chunk and the decoder is asked for a
//! response after each chunk; groupwire's `ResponseDecoder` keeps its scan position, the
//! peers restart from the start of the buffered response each time (their API has no state).
//!
//! The measured functions are `#[inline(never)]`, so `scripts/bench-icount.sh` can count
//! the instructions of each (one call per iteration: no effect on the timings).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use groupwire_benches::{CountingAllocator, chunks, corpus, count_allocations};
use groupwire_imap::response::{Code, Data, Response};
use groupwire_imap::stream::client::ResponseDecoder;
use groupwire_imap::{Decoded, Limits};
use imap_codec::ResponseCodec;
use imap_codec::decode::{Decoder as _, ResponseDecodeError};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

/// The 1 MB SEARCH line is longer than the default line limit (64 KiB) and holds more than
/// the default list length (100,000 numbers), so the benches raise both; the rest is default.
fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_line_length = 4 << 20;
    limits.max_list_length = 1 << 20;
    limits
}

#[inline(never)]
fn groupwire_whole(input: &[u8]) -> usize {
    let mut decoder = ResponseDecoder::new(limits());
    let mut rest = input;
    let mut n = 0;
    while !rest.is_empty() {
        match decoder.decode(rest) {
            Ok(Decoded::Complete { value, consumed }) => {
                black_box(&value);
                n += 1;
                rest = &rest[consumed..];
            }
            other => panic!("groupwire: {other:?}"),
        }
    }
    n
}

#[inline(never)]
fn groupwire_chunked(input: &[u8], size: usize, buffer: &mut Vec<u8>) -> usize {
    let mut decoder = ResponseDecoder::new(limits());
    buffer.clear();
    let mut start = 0;
    let mut n = 0;
    for chunk in chunks(input, size) {
        buffer.extend_from_slice(chunk);
        loop {
            match decoder.decode(&buffer[start..]) {
                Ok(Decoded::Complete { value, consumed }) => {
                    black_box(&value);
                    n += 1;
                    start += consumed;
                }
                Ok(Decoded::Incomplete { .. }) => break,
                Err(e) => panic!("groupwire: {e}"),
            }
        }
    }
    n
}

#[inline(never)]
fn codec_whole(input: &[u8]) -> usize {
    let codec = ResponseCodec::default();
    let mut rest = input;
    let mut n = 0;
    while !rest.is_empty() {
        match codec.decode(rest) {
            Ok((remaining, value)) => {
                black_box(&value);
                n += 1;
                rest = remaining;
            }
            Err(e) => panic!("imap-codec: {e:?}"),
        }
    }
    n
}

#[inline(never)]
fn codec_chunked(input: &[u8], size: usize, buffer: &mut Vec<u8>) -> usize {
    let codec = ResponseCodec::default();
    buffer.clear();
    let mut start = 0;
    let mut n = 0;
    for chunk in chunks(input, size) {
        buffer.extend_from_slice(chunk);
        loop {
            match codec.decode(&buffer[start..]) {
                Ok((remaining, value)) => {
                    black_box(&value);
                    n += 1;
                    start = buffer.len() - remaining.len();
                }
                Err(ResponseDecodeError::Incomplete | ResponseDecodeError::LiteralFound { .. }) => {
                    break;
                }
                Err(e) => panic!("imap-codec: {e:?}"),
            }
        }
    }
    n
}

#[inline(never)]
fn djc_whole(input: &[u8]) -> usize {
    let mut rest = input;
    let mut n = 0;
    while !rest.is_empty() {
        match imap_proto_djc::parser::parse_response(rest) {
            Ok((remaining, value)) => {
                black_box(&value);
                n += 1;
                rest = remaining;
            }
            Err(e) => panic!("imap-proto: {e:?}"),
        }
    }
    n
}

#[inline(never)]
fn djc_chunked(input: &[u8], size: usize, buffer: &mut Vec<u8>) -> usize {
    buffer.clear();
    let mut start = 0;
    let mut n = 0;
    for chunk in chunks(input, size) {
        buffer.extend_from_slice(chunk);
        loop {
            match imap_proto_djc::parser::parse_response(&buffer[start..]) {
                Ok((remaining, value)) => {
                    black_box(&value);
                    n += 1;
                    start = buffer.len() - remaining.len();
                }
                Err(e) if e.is_incomplete() => break,
                Err(e) => panic!("imap-proto: {e:?}"),
            }
        }
    }
    n
}

const CORPORA: [&str; 5] = [
    "imap-fetch.txt",
    "imap-mixed.txt",
    "imap-literals.txt",
    "imap-search.txt",
    // Real traffic: what Dovecot sent to a Thunderbird-like session (list, status, header
    // and body downloads, flags, searches; `scripts/record-fixtures.sh bench`).
    "real/imap-dovecot.server",
];

/// The responses of `input` every decoder here decodes, each on its own, concatenated; and a
/// note of what was left out. Real traffic holds responses a peer cannot decode (an error
/// would end its run), so the three are compared on the part all of them read, and the rest
/// is reported.
fn common_subset(name: &str, input: &[u8]) -> Vec<u8> {
    let mut decoder = ResponseDecoder::new(limits());
    let codec = ResponseCodec::default();
    let (mut kept, mut total) = (Vec::with_capacity(input.len()), 0);
    let (mut codec_failed, mut djc_failed) = (Vec::new(), Vec::new());
    let mut rest = input;
    while !rest.is_empty() {
        let consumed = match decoder.decode(rest) {
            Ok(Decoded::Complete { consumed, .. }) => consumed,
            other => panic!("groupwire on {name}: {other:?}"),
        };
        let response = &rest[..consumed];
        rest = &rest[consumed..];
        total += 1;
        let codec_ok = matches!(codec.decode(response), Ok((remaining, _)) if remaining.is_empty());
        let djc_ok = matches!(imap_proto_djc::parser::parse_response(response),
            Ok((remaining, _)) if remaining.is_empty());
        let first_line = || {
            let end = response
                .iter()
                .position(|&b| b == b'\n')
                .unwrap_or(response.len());
            String::from_utf8_lossy(&response[..end.min(90)])
                .trim_end()
                .to_string()
        };
        if !codec_ok {
            codec_failed.push(first_line());
        }
        if !djc_ok {
            djc_failed.push(first_line());
        }
        if codec_ok && djc_ok {
            kept.extend_from_slice(response);
        }
    }
    eprintln!(
        "{name}: {total} responses; imap-codec cannot decode {}, imap-proto {}; compared on the {} bytes all decode (of {})",
        codec_failed.len(),
        djc_failed.len(),
        kept.len(),
        input.len()
    );
    for (peer, failed) in [("imap-codec", &codec_failed), ("imap-proto", &djc_failed)] {
        for line in failed.iter().take(3) {
            eprintln!("  {peer} fails on: {line}");
        }
    }
    kept
}

/// Whether a response holds a list (`Vec`) by design: capability, flag, mailbox-attribute,
/// status-item, FETCH-attribute and similar lists, and the response codes holding one. The
/// rest (status responses with any other code, continuations, EXISTS, RECENT, EXPUNGE,
/// SEARCH and SORT, whose numbers are lazy, VANISHED, MYRIGHTS, unknown data) must not
/// allocate at all.
fn holds_list(response: &Response<'_>) -> bool {
    match response {
        Response::Status(status) => matches!(
            status.text.code,
            Some(
                Code::Capability(_)
                    | Code::PermanentFlags(_)
                    | Code::BadCharset(_)
                    | Code::BadEvent(_)
            )
        ),
        Response::Continuation(_) => false,
        Response::Data(data) => !matches!(
            data,
            Data::Exists(_)
                | Data::Recent(_)
                | Data::Expunge(_)
                | Data::Search(_)
                | Data::Sort(_)
                | Data::Vanished { .. }
                | Data::MyRights(_)
                | Data::Other { .. }
        ),
    }
}

/// Allocations made decoding the responses of `input` that hold no list, and how many
/// such responses there are (each decoded, then dropped, on its own).
fn non_list_allocations(input: &[u8]) -> (u64, usize) {
    let mut decoder = ResponseDecoder::new(limits());
    let (mut allocations, mut responses) = (0, 0);
    let mut rest = input;
    while !rest.is_empty() {
        let ((consumed, non_list), made) = count_allocations(|| match decoder.decode(rest) {
            Ok(Decoded::Complete { value, consumed }) => (consumed, !holds_list(&value)),
            other => panic!("groupwire: {other:?}"),
        });
        if non_list {
            allocations += made;
            responses += 1;
        }
        rest = &rest[consumed..];
    }
    (allocations, responses)
}

fn report_allocations(name: &str, work: impl FnOnce() -> usize) {
    let (items, allocations) = count_allocations(work);
    eprintln!(
        "allocations {name}: {allocations} for {items} responses ({:.3} per response)",
        allocations as f64 / items.max(1) as f64
    );
}

fn bench(c: &mut Criterion) {
    for name in CORPORA {
        let mut input = corpus(name);
        if name.starts_with("real/") {
            input = common_subset(name, &input);
        }
        let expected = groupwire_whole(&input);
        assert_eq!(codec_whole(&input), expected, "imap-codec count on {name}");
        assert_eq!(djc_whole(&input), expected, "imap-proto count on {name}");
        let mut buffer = Vec::with_capacity(input.len());
        assert_eq!(groupwire_chunked(&input, 4096, &mut buffer), expected);
        report_allocations(&format!("{name}/groupwire"), || groupwire_whole(&input));
        report_allocations(&format!("{name}/imap-codec"), || codec_whole(&input));
        report_allocations(&format!("{name}/imap-proto"), || djc_whole(&input));
        let (allocations, responses) = non_list_allocations(&input);
        eprintln!(
            "allocations {name}/groupwire, responses without a list: {allocations} for {responses} responses"
        );

        let mut group = c.benchmark_group(format!("imap-responses/{name}"));
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.sample_size(10);
        group.bench_function("groupwire/whole", |b| b.iter(|| groupwire_whole(&input)));
        group.bench_function("imap-codec/whole", |b| b.iter(|| codec_whole(&input)));
        group.bench_function("imap-proto/whole", |b| b.iter(|| djc_whole(&input)));
        for size in [4096usize, 16384] {
            group.bench_with_input(
                BenchmarkId::new("groupwire/chunked", size),
                &size,
                |b, &size| b.iter(|| groupwire_chunked(&input, size, &mut buffer)),
            );
            group.bench_with_input(
                BenchmarkId::new("imap-codec/chunked", size),
                &size,
                |b, &size| b.iter(|| codec_chunked(&input, size, &mut buffer)),
            );
            group.bench_with_input(
                BenchmarkId::new("imap-proto/chunked", size),
                &size,
                |b, &size| b.iter(|| djc_chunked(&input, size, &mut buffer)),
            );
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
