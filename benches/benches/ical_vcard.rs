//! iCalendar and vCard decoding: groupwire-dav against `calcard`, `icalendar` and `ical` on
//! the same corpora (`benches/corpora/gen_ical_vcard.py`), plus allocations per item.
//!
//! What each one does differs: groupwire unfolds and splits every content line into name,
//! parameters and value, borrowing where it can; `calcard` also types every value;
//! `icalendar` unfolds into a new string first and then parses with nom; `ical` reads lines
//! from a `BufRead` into owned strings. All are asked for the whole object tree.

use std::hint::black_box;
use std::io::BufReader;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use groupwire_benches::{CountingAllocator, corpus, count_allocations};
use groupwire_dav::Decoded;
use groupwire_dav::ical::{DecodeOptions, decode_calendar};
use groupwire_dav::vcard::decode_vcard;

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

fn groupwire_ical(input: &[u8]) -> usize {
    match decode_calendar(input, &DecodeOptions::lenient()) {
        Ok(Decoded::Complete { value, .. }) => value.value.components.len(),
        _ => panic!("corpus does not decode"),
    }
}

fn groupwire_vcards(input: &[u8]) -> usize {
    let mut rest = input;
    let mut n = 0;
    while !rest.is_empty() {
        match decode_vcard(rest, &DecodeOptions::lenient()) {
            Ok(Decoded::Complete { value, consumed }) => {
                n += black_box(value.value.properties.len()).min(1);
                rest = &rest[consumed..];
            }
            _ => panic!("corpus does not decode"),
        }
    }
    n
}

fn calcard_all(text: &str) -> usize {
    let mut parser = calcard::Parser::new(text);
    let mut n = 0;
    loop {
        match parser.entry() {
            calcard::Entry::ICalendar(c) => n += black_box(c.components.len()),
            calcard::Entry::VCard(c) => n += black_box(c.entries.len()).min(1),
            calcard::Entry::Eof => return n,
            other => panic!("calcard: {other:?}"),
        }
    }
}

fn icalendar_ical(text: &str) -> usize {
    let unfolded = icalendar::parser::unfold(text);
    let components = icalendar::parser::read_calendar(&unfolded).expect("icalendar parses");
    black_box(components.components.len())
}

fn ical_ical(input: &[u8]) -> usize {
    ical::IcalParser::new(BufReader::new(input))
        .map(|c| c.expect("ical parses").events.len())
        .sum()
}

fn ical_vcards(input: &[u8]) -> usize {
    ical::VcardParser::new(BufReader::new(input))
        .map(|c| c.expect("ical parses").properties.len().min(1))
        .sum()
}

fn report_allocations(name: &str, items: usize, work: impl FnOnce() -> usize) {
    let (n, allocs) = count_allocations(work);
    eprintln!(
        "{name}: {n} items, {allocs} allocations, {:.1} per item",
        allocs as f64 / items.max(1) as f64
    );
}

fn bench(c: &mut Criterion) {
    let cal = corpus("calendar-5mib.ics");
    let cal_text = std::str::from_utf8(&cal).expect("UTF-8 corpus");
    let cards = corpus("contacts-2mib.vcf");
    let cards_text = std::str::from_utf8(&cards).expect("UTF-8 corpus");

    let events = groupwire_ical(&cal);
    report_allocations("ical/groupwire", events, || groupwire_ical(&cal));
    report_allocations("ical/calcard", events, || calcard_all(cal_text));
    report_allocations("ical/icalendar", events, || icalendar_ical(cal_text));
    report_allocations("ical/ical", events, || ical_ical(&cal));
    let n_cards = groupwire_vcards(&cards);
    report_allocations("vcard/groupwire", n_cards, || groupwire_vcards(&cards));
    report_allocations("vcard/calcard", n_cards, || calcard_all(cards_text));
    report_allocations("vcard/ical", n_cards, || ical_vcards(&cards));

    let mut g = c.benchmark_group("ical_5mib");
    g.throughput(Throughput::Bytes(cal.len() as u64));
    g.sample_size(10);
    g.bench_function("groupwire", |b| b.iter(|| groupwire_ical(black_box(&cal))));
    g.bench_function("calcard", |b| b.iter(|| calcard_all(black_box(cal_text))));
    g.bench_function("icalendar", |b| {
        b.iter(|| icalendar_ical(black_box(cal_text)))
    });
    g.bench_function("ical", |b| b.iter(|| ical_ical(black_box(&cal))));
    g.finish();

    let mut g = c.benchmark_group("vcard_2mib");
    g.throughput(Throughput::Bytes(cards.len() as u64));
    g.sample_size(10);
    g.bench_function("groupwire", |b| {
        b.iter(|| groupwire_vcards(black_box(&cards)))
    });
    g.bench_function("calcard", |b| b.iter(|| calcard_all(black_box(cards_text))));
    g.bench_function("ical", |b| b.iter(|| ical_vcards(black_box(&cards))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
