//! A CalDAV multistatus of 1,000 responses with calendar-data (benches/corpora/
//! dav-multistatus.xml, from gen_dav_multistatus.py), decoded by groupwire-dav, parsed into a
//! roxmltree DOM, and scanned with quick-xml's namespace-resolving reader (the floor: every
//! event resolved, nothing built).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use groupwire_dav::{DavResponse, Decoded, Limits};
use quick_xml::NsReader;
use quick_xml::events::Event;

#[global_allocator]
static ALLOC: groupwire_benches::CountingAllocator = groupwire_benches::CountingAllocator;

const RESPONSES: u64 = 1_000;

fn groupwire(input: &[u8]) -> usize {
    match DavResponse::decode(input, &Limits::default()) {
        Ok(Decoded::Complete {
            value: DavResponse::Multistatus(ms),
            ..
        }) => ms.responses.len(),
        other => panic!("groupwire: {:?}", other.map(|d| d.is_complete())),
    }
}

fn roxmltree_dom(text: &str) -> usize {
    let doc = roxmltree::Document::parse(text).expect("roxmltree parses");
    doc.root_element()
        .children()
        .filter(|n| n.has_tag_name(("DAV:", "response")))
        .count()
}

fn quick_xml_scan(text: &str) -> usize {
    let mut reader = NsReader::from_str(text);
    let mut elements = 0;
    loop {
        match reader.read_resolved_event().expect("quick-xml scans") {
            (_, Event::Start(_) | Event::Empty(_)) => elements += 1,
            (_, Event::Eof) => return elements,
            _ => {}
        }
    }
}

fn bench(c: &mut Criterion) {
    let input = groupwire_benches::corpus("dav-multistatus.xml");
    let text = std::str::from_utf8(&input).expect("UTF-8 corpus");
    assert_eq!(groupwire(&input), RESPONSES as usize);
    assert_eq!(roxmltree_dom(text), RESPONSES as usize);

    let (_, allocations) = groupwire_benches::count_allocations(|| groupwire(&input));
    let (_, dom_allocations) = groupwire_benches::count_allocations(|| roxmltree_dom(text));
    let (_, scan_allocations) = groupwire_benches::count_allocations(|| quick_xml_scan(text));
    println!(
        "allocations per response: groupwire-dav {:.2}, roxmltree {:.2}, quick-xml scan {:.2}",
        allocations as f64 / RESPONSES as f64,
        dom_allocations as f64 / RESPONSES as f64,
        scan_allocations as f64 / RESPONSES as f64,
    );

    let mut group = c.benchmark_group("dav_multistatus");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function("groupwire-dav", |b| b.iter(|| groupwire(&input)));
    group.bench_function("roxmltree DOM", |b| b.iter(|| roxmltree_dom(text)));
    group.bench_function("quick-xml NsReader scan", |b| {
        b.iter(|| quick_xml_scan(text))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
