//! SMTP decoding: groupwire-smtp against Stalwart's `smtp-proto` on the same corpora, plus
//! allocations per item: the generated ones (`benches/corpora/gen_smtp.py`, groups `smtp/*`)
//! and real traffic recorded against Postfix and Dovecot (`benches/corpora/real/`, written by
//! `scripts/record-fixtures.sh bench`, groups `smtp-real/*`).
//!
//! What each one does: groupwire validates every command fully (paths, every ESMTP
//! parameter) and the typed parameters are iterated here so both sides type them; Stalwart
//! parses into its `Request` with owned-or-borrowed strings. For replies, groupwire validates
//! every line and iterates the lines; Stalwart's `ResponseReceiver` builds a `String`
//! message. For EHLO, both type the reply's capabilities, SIZE and AUTH mechanisms into sets
//! as they decode it (`decode_ehlo`; `groupwire-iterate` decodes the reply, then types every
//! line with the lazy iterator). For DATA, groupwire hands out slices
//! (and, for a like-for-like comparison, also copies them into a `Vec`); Stalwart copies the
//! un-stuffed payload into a `Vec`.
//!
//! The measured functions are `#[inline(never)]`, so `scripts/bench-icount.sh` can count
//! the instructions of each (one call per iteration: no effect on the timings).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use groupwire_benches::{CountingAllocator, corpus, count_allocations};
use groupwire_smtp::{
    Command, DataDecoder, DataEvent, Decoded, Extension, Limits, Mechanism, decode_command,
    decode_ehlo, decode_reply,
};
use stalwart_smtp_proto::request::receiver::DataReceiver;
use stalwart_smtp_proto::response::parser::ResponseReceiver;
use stalwart_smtp_proto::{EhloResponse, Request};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

#[inline(never)]
fn groupwire_commands(input: &[u8], limits: &Limits) -> usize {
    let mut rest = input;
    let mut n = 0;
    while !rest.is_empty() {
        match decode_command(rest, limits) {
            Ok(Decoded::Complete { value, consumed }) => {
                if let Command::Mail { parameters, .. } | Command::Rcpt { parameters, .. } = &value
                {
                    for parameter in parameters.iter() {
                        black_box(&parameter);
                    }
                }
                n += 1;
                black_box(&value);
                rest = &rest[consumed..];
            }
            other => panic!("corpus does not decode: {other:?}"),
        }
    }
    n
}

#[inline(never)]
fn stalwart_commands(input: &[u8]) -> usize {
    let mut iter = input.iter();
    let mut n = 0;
    while iter.len() > 0 {
        match Request::parse(&mut iter) {
            Ok(request) => {
                black_box(&request);
                n += 1;
            }
            Err(error) => panic!("stalwart: {error:?}"),
        }
    }
    n
}

#[inline(never)]
fn groupwire_replies(input: &[u8], limits: &Limits) -> usize {
    let mut rest = input;
    let mut n = 0;
    while !rest.is_empty() {
        match decode_reply(rest, limits) {
            Ok(Decoded::Complete { value, consumed }) => {
                black_box(value.lines().count());
                n += 1;
                rest = &rest[consumed..];
            }
            other => panic!("corpus does not decode: {other:?}"),
        }
    }
    n
}

#[inline(never)]
fn stalwart_replies(input: &[u8]) -> usize {
    let mut iter = input.iter();
    let mut n = 0;
    while iter.len() > 0 {
        match ResponseReceiver::default().parse(&mut iter) {
            Ok(response) => {
                black_box(&response);
                n += 1;
            }
            Err(error) => panic!("stalwart: {error:?}"),
        }
    }
    n
}

#[inline(never)]
fn groupwire_ehlo(input: &[u8], limits: &Limits) -> usize {
    let mut rest = input;
    let mut n = 0;
    while !rest.is_empty() {
        match decode_ehlo(rest, limits) {
            Ok(Decoded::Complete { value, consumed }) => {
                black_box((
                    value.extensions(),
                    value.size(),
                    value.deliver_by(),
                    value.mechanisms(),
                ));
                n += 1;
                rest = &rest[consumed..];
            }
            other => panic!("corpus does not decode: {other:?}"),
        }
    }
    n
}

/// The reply decoded, then each capability typed by the lazy iterator: two walks of the
/// reply, where `groupwire_ehlo` takes one.
#[inline(never)]
fn groupwire_ehlo_iterate(input: &[u8], limits: &Limits) -> usize {
    let mut rest = input;
    let mut n = 0;
    while !rest.is_empty() {
        match decode_reply(rest, limits) {
            Ok(Decoded::Complete { value, consumed }) => {
                let capabilities = value.capabilities().expect("positive reply");
                for capability in capabilities.iter() {
                    black_box(&capability);
                }
                n += 1;
                rest = &rest[consumed..];
            }
            other => panic!("corpus does not decode: {other:?}"),
        }
    }
    n
}

/// Both sides type the same offers from every reply of `input`: STARTTLS, PIPELINING,
/// CHUNKING, SIZE and the PLAIN and LOGIN mechanisms.
fn assert_ehlo_agreement(input: &[u8], limits: &Limits) {
    use stalwart_smtp_proto::{
        AUTH_LOGIN, AUTH_PLAIN, EXT_CHUNKING, EXT_PIPELINING, EXT_START_TLS,
    };
    let mut rest = input;
    let mut iter = input.iter();
    while !rest.is_empty() {
        let (ours, consumed) = decode_ehlo(rest, limits)
            .expect("decodes")
            .complete()
            .expect("complete");
        rest = &rest[consumed..];
        let theirs = EhloResponse::parse(&mut iter).expect("stalwart decodes");
        for (extension, flag) in [
            (Extension::StartTls, EXT_START_TLS),
            (Extension::Pipelining, EXT_PIPELINING),
            (Extension::Chunking, EXT_CHUNKING),
        ] {
            assert_eq!(ours.offers(extension), theirs.capabilities & flag != 0);
        }
        assert_eq!(ours.size().unwrap_or(0), theirs.size as u64);
        for (mechanism, flag) in [
            (Mechanism::Plain, AUTH_PLAIN),
            (Mechanism::Login, AUTH_LOGIN),
        ] {
            assert_eq!(
                ours.mechanisms().contains(&mechanism),
                theirs.auth_mechanisms & flag != 0
            );
        }
    }
}

#[inline(never)]
fn stalwart_ehlo(input: &[u8]) -> usize {
    let mut iter = input.iter();
    let mut n = 0;
    while iter.len() > 0 {
        match EhloResponse::parse(&mut iter) {
            Ok(response) => {
                black_box(&response);
                n += 1;
            }
            Err(error) => panic!("stalwart: {error:?}"),
        }
    }
    n
}

#[inline(never)]
fn groupwire_data_slices(input: &[u8], limits: &Limits) -> usize {
    let mut decoder = DataDecoder::new(limits);
    let mut rest = input;
    let mut total = 0;
    loop {
        match decoder.decode(rest) {
            Ok(Decoded::Complete {
                value: DataEvent::Bytes(bytes),
                consumed,
            }) => {
                total += black_box(bytes).len();
                rest = &rest[consumed..];
            }
            Ok(Decoded::Complete {
                value: DataEvent::End,
                ..
            }) => return total,
            other => panic!("corpus does not decode: {other:?}"),
        }
    }
}

#[inline(never)]
fn groupwire_data_copy(input: &[u8], limits: &Limits, out: &mut Vec<u8>) -> usize {
    let mut decoder = DataDecoder::new(limits);
    let mut rest = input;
    loop {
        match decoder.decode(rest) {
            Ok(Decoded::Complete {
                value: DataEvent::Bytes(bytes),
                consumed,
            }) => {
                out.extend_from_slice(bytes);
                rest = &rest[consumed..];
            }
            Ok(Decoded::Complete {
                value: DataEvent::End,
                ..
            }) => return out.len(),
            other => panic!("corpus does not decode: {other:?}"),
        }
    }
}

#[inline(never)]
fn stalwart_data(input: &[u8], out: &mut Vec<u8>) -> usize {
    let mut receiver = DataReceiver::new();
    let mut iter = input.iter();
    assert!(receiver.ingest(&mut iter, out), "stalwart: no end of data");
    out.len()
}

fn report_allocations(name: &str, items: usize, work: impl FnOnce() -> usize) {
    let (done, allocations) = count_allocations(work);
    assert_eq!(done, items);
    eprintln!(
        "allocations {name}: {allocations} for {items} items ({:.3} per item)",
        allocations as f64 / items as f64
    );
}

/// One set of corpora: commands, replies, EHLO replies and one DATA payload.
struct Corpora {
    commands: Vec<u8>,
    replies: Vec<u8>,
    ehlo: Vec<u8>,
    data: Vec<u8>,
}

impl Corpora {
    /// The generated corpora (`benches/corpora/gen_smtp.py`).
    fn generated() -> Self {
        Self {
            commands: corpus("smtp-commands.txt"),
            replies: corpus("smtp-replies.txt"),
            ehlo: corpus("smtp-ehlo.txt"),
            data: corpus("smtp-data.txt"),
        }
    }

    /// Real traffic (`scripts/record-fixtures.sh bench`): python smtplib submitting to Postfix,
    /// and the EHLO/LHLO replies of Postfix and Dovecot, repeated to about 1,000 replies.
    fn real() -> Self {
        let ehlo = corpus("real/smtp-real-ehlo.txt");
        let replies_in_ehlo = ehlo
            .windows(5)
            .filter(|w| w.starts_with(b"\r\n250 "))
            .count();
        Self {
            commands: corpus("real/smtp-postfix-commands.txt"),
            replies: corpus("real/smtp-postfix-replies.txt"),
            ehlo: ehlo.repeat(1000 / replies_in_ehlo.max(1)),
            data: corpus("real/smtp-postfix-data.txt"),
        }
    }
}

fn bench(c: &mut Criterion) {
    run(c, "smtp", &Corpora::generated());
    run(c, "smtp-real", &Corpora::real());
}

/// Benches every corpus of `corpora` under `prefix/commands`, `prefix/replies`, ...
fn run(c: &mut Criterion, prefix: &str, corpora: &Corpora) {
    let limits = Limits::default();
    let Corpora {
        commands,
        replies,
        ehlo,
        data,
    } = corpora;

    let command_count = groupwire_commands(commands, &limits);
    assert_eq!(command_count, stalwart_commands(commands));
    let reply_count = groupwire_replies(replies, &limits);
    assert_eq!(reply_count, stalwart_replies(replies));
    let ehlo_count = groupwire_ehlo(ehlo, &limits);
    assert_eq!(ehlo_count, stalwart_ehlo(ehlo));
    assert_eq!(ehlo_count, groupwire_ehlo_iterate(ehlo, &limits));
    assert_ehlo_agreement(ehlo, &limits);
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    groupwire_data_copy(data, &limits, &mut ours);
    stalwart_data(data, &mut theirs);
    assert_eq!(ours, theirs, "both un-stuff to the same payload");
    let payload_len = ours.len();

    report_allocations(
        &format!("{prefix}/commands/groupwire"),
        command_count,
        || groupwire_commands(commands, &limits),
    );
    report_allocations(
        &format!("{prefix}/commands/stalwart"),
        command_count,
        || stalwart_commands(commands),
    );
    report_allocations(&format!("{prefix}/replies/groupwire"), reply_count, || {
        groupwire_replies(replies, &limits)
    });
    report_allocations(&format!("{prefix}/replies/stalwart"), reply_count, || {
        stalwart_replies(replies)
    });
    report_allocations(&format!("{prefix}/ehlo/groupwire"), ehlo_count, || {
        groupwire_ehlo(ehlo, &limits)
    });
    report_allocations(
        &format!("{prefix}/ehlo/groupwire-iterate"),
        ehlo_count,
        || groupwire_ehlo_iterate(ehlo, &limits),
    );
    report_allocations(&format!("{prefix}/ehlo/stalwart"), ehlo_count, || {
        stalwart_ehlo(ehlo)
    });
    report_allocations(
        &format!("{prefix}/data/groupwire-slices"),
        payload_len,
        || groupwire_data_slices(data, &limits),
    );

    let mut group = c.benchmark_group(format!("{prefix}/commands"));
    group.throughput(Throughput::Bytes(commands.len() as u64));
    group.bench_function("groupwire", |b| {
        b.iter(|| groupwire_commands(black_box(commands), &limits))
    });
    group.bench_function("stalwart-smtp-proto", |b| {
        b.iter(|| stalwart_commands(black_box(commands)))
    });
    group.finish();

    let mut group = c.benchmark_group(format!("{prefix}/replies"));
    group.throughput(Throughput::Bytes(replies.len() as u64));
    group.bench_function("groupwire", |b| {
        b.iter(|| groupwire_replies(black_box(replies), &limits))
    });
    group.bench_function("stalwart-smtp-proto", |b| {
        b.iter(|| stalwart_replies(black_box(replies)))
    });
    group.finish();

    let mut group = c.benchmark_group(format!("{prefix}/ehlo"));
    group.throughput(Throughput::Bytes(ehlo.len() as u64));
    group.bench_function("groupwire", |b| {
        b.iter(|| groupwire_ehlo(black_box(ehlo), &limits))
    });
    group.bench_function("groupwire-iterate", |b| {
        b.iter(|| groupwire_ehlo_iterate(black_box(ehlo), &limits))
    });
    group.bench_function("stalwart-smtp-proto", |b| {
        b.iter(|| stalwart_ehlo(black_box(ehlo)))
    });
    group.finish();

    let mut group = c.benchmark_group(format!("{prefix}/data"));
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(20);
    group.bench_function("groupwire-slices", |b| {
        b.iter(|| groupwire_data_slices(black_box(data), &limits))
    });
    let mut buffer = Vec::with_capacity(data.len());
    group.bench_function("groupwire-copy", |b| {
        b.iter(|| {
            buffer.clear();
            groupwire_data_copy(black_box(data), &limits, &mut buffer)
        })
    });
    group.bench_function("stalwart-smtp-proto", |b| {
        b.iter(|| {
            buffer.clear();
            stalwart_data(black_box(data), &mut buffer)
        })
    });
    // Not a peer: the time to read the payload once, at the width memchr picks at run time
    // (a search for a byte the payload does not hold). A scan that reads every byte, as strict
    // DATA must, cannot go below it.
    assert_eq!(memchr::memchr(0, data), None, "the payload holds a NUL");
    group.bench_function("floor-one-read", |b| {
        b.iter(|| memchr::memchr(0, black_box(data)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
