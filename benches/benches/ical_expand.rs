//! Recurrence expansion over calendars of 10,000, 30,000 and 90,000 events (issue 14: time
//! grew with the square of the number of events, 1.3 s / 12.4 s / 115 s for plain events).
//!
//! Two shapes, generated in memory: `plain` (one-off events, as in the report) and `mixed`
//! (a quarter each: one-off, weekly with an EXDATE and an override, orphan override, TZID
//! without VTIMEZONE). The calendar is parsed once; each iteration expands it over 2024.
//! Linear means the time per event stays flat from 10k to 90k.
//!
//! `cargo bench -p groupwire-benches --bench ical_expand -- --warm-up-time 1 --measurement-time 3`
//! on 2026-12-06, 2 shared cores, load average 1.9 to 2.3 (`uptime` before and after):
//!
//! | events | plain | mixed |
//! |---|---|---|
//! | 10,000 | 2.67 ms | 22.5 ms |
//! | 30,000 | 13.8 ms | 73.2 ms |
//! | 90,000 | 47.2 ms | 380 ms (321 ms in a second run) |
//!
//! The previous expansion on the same plain calendars, same machine and hour: 0.80 s for
//! 10,000 and 14.2 s for 30,000 (90,000 not run: about two minutes). The growth per event
//! that remains (0.27 to 0.52 µs plain) is the sort by UID, whose comparisons read the
//! strings scattered over a calendar far larger than the caches; the work counted by
//! `Expansion::work` is exactly linear (`dav-proto/tests/ical_expand_bounds.rs`).

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use groupwire_dav::Limits;
use groupwire_dav::ical::expand::{UtcRange, expand_calendar};
use groupwire_dav::ical::{DecodeOptions, decode_calendar};

const SIZES: [usize; 3] = [10_000, 30_000, 90_000];
/// 2024-01-01T00:00:00Z and 2025-01-01T00:00:00Z.
const YEAR_2024: UtcRange = UtcRange::from_unix_seconds(1_704_067_200, 1_735_689_600);

fn plain(n: usize) -> String {
    let mut text = String::from("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:bench\n");
    for i in 0..n {
        let (month, day, hour) = (1 + i % 12, 1 + i % 28, i % 24);
        write!(
            text,
            "BEGIN:VEVENT\nUID:plain-{i}@bench\nDTSTAMP:20240101T000000Z\n\
             DTSTART:2024{month:02}{day:02}T{hour:02}0000Z\nDURATION:PT1H\nSUMMARY:Event {i}\n\
             END:VEVENT\n"
        )
        .unwrap();
    }
    text.push_str("END:VCALENDAR\n");
    text
}

fn mixed(n: usize) -> String {
    let mut text = String::from("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:bench\n");
    for i in 0..n {
        let (month, day) = (1 + i % 12, 1 + i % 21);
        let week_after = day + 7;
        match i % 4 {
            0 => write!(
                text,
                "BEGIN:VEVENT\nUID:e-{i}\nDTSTART:2024{month:02}{day:02}T100000Z\nDURATION:PT1H\n\
                 END:VEVENT\n"
            ),
            1 => write!(
                text,
                "BEGIN:VEVENT\nUID:e-{i}\nDTSTART:2024{month:02}{day:02}T120000Z\nDURATION:PT1H\n\
                 RRULE:FREQ=WEEKLY;COUNT=10\nEXDATE:2024{month:02}{week_after:02}T120000Z\n\
                 END:VEVENT\nBEGIN:VEVENT\nUID:e-{i}\nRECURRENCE-ID:2024{month:02}{day:02}T120000Z\n\
                 DTSTART:2024{month:02}{day:02}T150000Z\nDURATION:PT1H\nEND:VEVENT\n"
            ),
            2 => write!(
                text,
                "BEGIN:VEVENT\nUID:orphan-{i}\nRECURRENCE-ID:2024{month:02}{day:02}T080000Z\n\
                 DTSTART:2024{month:02}{day:02}T080000Z\nEND:VEVENT\n"
            ),
            _ => write!(
                text,
                "BEGIN:VEVENT\nUID:e-{i}\nDTSTART;TZID=Nowhere/Zone-{i}:2024{month:02}{day:02}T070000\n\
                 END:VEVENT\n"
            ),
        }
        .unwrap();
    }
    text.push_str("END:VCALENDAR\n");
    text
}

fn expansion(c: &mut Criterion) {
    let mut options = DecodeOptions::lenient();
    options.limits.max_list_length = 1_000_000;
    options.limits.max_body_size = 64 * 1024 * 1024;
    let mut limits = Limits::default();
    limits.max_instances = 10_000_000;
    for (shape, make) in [("plain", plain as fn(usize) -> String), ("mixed", mixed)] {
        let mut group = c.benchmark_group(format!("ical_expand/{shape}"));
        group.sample_size(10);
        for n in SIZES {
            let text = make(n);
            let calendar = decode_calendar(text.as_bytes(), &options)
                .expect("generated calendar decodes")
                .complete()
                .expect("generated calendar is complete")
                .0
                .value;
            group.throughput(Throughput::Elements(n as u64));
            group.bench_with_input(BenchmarkId::from_parameter(n), &calendar, |b, calendar| {
                b.iter(|| {
                    expand_calendar(black_box(calendar), YEAR_2024, &limits)
                        .expect("within limits")
                        .len()
                });
            });
        }
        group.finish();
    }
}

criterion_group!(benches, expansion);
criterion_main!(benches);
