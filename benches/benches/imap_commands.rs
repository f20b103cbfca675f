//! IMAP command decoding (the server role): groupwire-imap's `CommandDecoder` against
//! `imap-codec`'s `CommandCodec` on the same command stream (`benches/corpora/
//! gen_imap_commands.py`), whole buffer and in 4 KiB chunks, plus allocations per command.
//!
//! Both build the full typed command. A synchronising literal is taken as granted at once
//! (a server would send `+` there): groupwire reports it and goes on without rescanning;
//! imap-codec reports `LiteralFound` and restarts from the command's start once more bytes
//! are buffered (its API has no state).
//!
//! The measured functions are `#[inline(never)]`, so `scripts/bench-icount.sh` can count
//! the instructions of each (one call per iteration: no effect on the timings).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use groupwire_benches::{CountingAllocator, chunks, corpus, count_allocations};
use groupwire_imap::Limits;
use groupwire_imap::stream::server::{CommandDecoder, ServerStep};
use imap_codec::CommandCodec;
use imap_codec::decode::{CommandDecodeError, Decoder as _};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

#[inline(never)]
fn groupwire_chunked(input: &[u8], size: usize, buffer: &mut Vec<u8>) -> usize {
    let mut decoder = CommandDecoder::new(Limits::default());
    buffer.clear();
    let mut start = 0;
    let mut n = 0;
    for chunk in chunks(input, size) {
        buffer.extend_from_slice(chunk);
        loop {
            match decoder.decode(&buffer[start..]) {
                Ok(ServerStep::Complete { value, consumed }) => {
                    black_box(&value);
                    n += 1;
                    start += consumed;
                }
                Ok(ServerStep::NeedsContinuation { .. }) => continue,
                Ok(ServerStep::Incomplete { .. }) => break,
                other => panic!("groupwire: {other:?}"),
            }
        }
    }
    n
}

#[inline(never)]
fn codec_chunked(input: &[u8], size: usize, buffer: &mut Vec<u8>) -> usize {
    let codec = CommandCodec::default();
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
                Err(CommandDecodeError::Incomplete | CommandDecodeError::LiteralFound { .. }) => {
                    break;
                }
                Err(e) => panic!("imap-codec: {e:?}"),
            }
        }
    }
    n
}

fn bench(c: &mut Criterion) {
    // Generated (`gen_imap_commands.py`), then real traffic: what a Thunderbird-like session
    // (python imaplib) sent to Dovecot (`scripts/record-fixtures.sh bench`).
    for (group_name, file) in [
        ("imap-commands", "imap-commands.txt"),
        ("imap-commands-real", "real/imap-dovecot.client"),
    ] {
        let mut input = corpus(file);
        if file.starts_with("real/") {
            input = common_subset(file, &input);
        }
        run(c, group_name, &input);
    }
}

/// The commands of `input` imap-codec decodes, each on its own, concatenated; the rest is
/// reported (real clients send commands a peer does not know, and an error would end its run).
fn common_subset(name: &str, input: &[u8]) -> Vec<u8> {
    let mut decoder = CommandDecoder::new(Limits::default());
    let codec = CommandCodec::default();
    let (mut kept, mut total, mut failed) = (Vec::with_capacity(input.len()), 0, Vec::new());
    let mut start = 0;
    let mut command_start = 0;
    while start < input.len() {
        match decoder.decode(&input[start..]) {
            Ok(ServerStep::Complete { consumed, .. }) => {
                start += consumed;
                let command = &input[command_start..start];
                command_start = start;
                total += 1;
                if matches!(codec.decode(command), Ok((remaining, _)) if remaining.is_empty()) {
                    kept.extend_from_slice(command);
                } else {
                    failed.push(String::from_utf8_lossy(command).trim_end().to_string());
                }
            }
            Ok(ServerStep::NeedsContinuation { .. }) => continue,
            other => panic!("groupwire on {name}: {other:?}"),
        }
    }
    eprintln!(
        "{name}: {total} commands; imap-codec cannot decode {}; compared on the {} bytes it decodes (of {})",
        failed.len(),
        kept.len(),
        input.len()
    );
    for line in failed.iter().take(5) {
        eprintln!("  imap-codec fails on: {}", &line[..line.len().min(120)]);
    }
    kept
}

fn run(c: &mut Criterion, group_name: &str, input: &[u8]) {
    let mut buffer = Vec::with_capacity(input.len());
    let whole = input.len();
    let expected = groupwire_chunked(input, whole, &mut buffer);
    assert_eq!(
        codec_chunked(input, whole, &mut buffer),
        expected,
        "command counts differ on {group_name}"
    );
    for (name, size) in [("whole", whole), ("4KiB", 4096)] {
        let (n, allocs) = count_allocations(|| groupwire_chunked(input, size, &mut buffer));
        eprintln!(
            "{group_name}/{name}: groupwire {n} commands, {:.2} allocations/command",
            allocs as f64 / n as f64
        );
        let (n, allocs) = count_allocations(|| codec_chunked(input, size, &mut buffer));
        eprintln!(
            "{group_name}/{name}: imap-codec {n} commands, {:.2} allocations/command",
            allocs as f64 / n as f64
        );
    }
    let mut group = c.benchmark_group(group_name);
    group.throughput(Throughput::Bytes(input.len() as u64));
    for (name, size) in [("whole", whole), ("4KiB", 4096)] {
        group.bench_with_input(BenchmarkId::new("groupwire", name), &size, |b, &size| {
            b.iter(|| groupwire_chunked(input, size, &mut buffer))
        });
        group.bench_with_input(BenchmarkId::new("imap-codec", name), &size, |b, &size| {
            b.iter(|| codec_chunked(input, size, &mut buffer))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
