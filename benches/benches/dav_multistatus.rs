//! Multistatus bodies decoded by groupwire-dav, parsed into a roxmltree DOM, deserialised into
//! plain structs with quick-xml's serde support (what a serde-based DAV client does: the
//! response, href, propstat, status and the usual properties as strings), and scanned with
//! quick-xml's namespace-resolving reader (the floor: every event resolved, nothing built).
//!
//! Corpora: a generated CalDAV multistatus of 1,000 responses with calendar-data
//! (`benches/corpora/dav-multistatus.xml`, from gen_dav_multistatus.py; group
//! `dav_multistatus`), and the real bodies Radicale and Apache sent to a sync client
//! (`benches/corpora/real/dav-*.xml`, `scripts/record-fixtures.sh bench`: PROPFIND Depth 1,
//! calendar-query, calendar-multiget, addressbook-query, sync-collection; group
//! `dav_multistatus_real`, every body decoded once per iteration).
//!
//! Every contender starts from the same input, the body's bytes as they come off the wire:
//! groupwire-dav validates them as UTF-8 while it decodes, roxmltree and serde take a `&str`,
//! so their measured functions include `std::str::from_utf8`, and the bare scan reads the bytes
//! with `NsReader::from_reader` (no up-front check, names and text left undecoded).
//!
//! The measured functions are `#[inline(never)]`, so `scripts/bench-icount.sh` can count
//! the instructions of each (one call per iteration: no effect on the timings).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use groupwire_dav::{DavResponse, Decoded, Limits};
use quick_xml::NsReader;
use quick_xml::events::Event;
use serde::Deserialize;

#[global_allocator]
static ALLOC: groupwire_benches::CountingAllocator = groupwire_benches::CountingAllocator;

const RESPONSES: u64 = 1_000;

/// The serde peer's view of a multistatus (RFC 4918 §14.16), as a serde-based client declares
/// it. quick-xml's deserialiser matches element names as written, so each name lists the
/// prefixes the corpora use (the generated one and Apache write `D:`, Radicale the default
/// namespace, Apache its live properties as `lp1:`).
#[derive(Deserialize)]
struct Multistatus {
    #[serde(rename = "response", alias = "D:response", default)]
    responses: Vec<Response>,
}

#[derive(Deserialize)]
#[allow(dead_code)] // read by serde only: the fields are what the peer builds
struct Response {
    #[serde(rename = "href", alias = "D:href", default)]
    hrefs: Vec<String>,
    #[serde(rename = "propstat", alias = "D:propstat", default)]
    propstats: Vec<PropStat>,
    #[serde(alias = "D:status", default)]
    status: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct PropStat {
    #[serde(alias = "D:prop")]
    prop: Prop,
    #[serde(alias = "D:status")]
    status: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Prop {
    #[serde(alias = "D:getetag", alias = "lp1:getetag", default)]
    getetag: Option<String>,
    #[serde(rename = "calendar-data", alias = "C:calendar-data", default)]
    calendar_data: Option<String>,
    #[serde(rename = "address-data", alias = "CR:address-data", default)]
    address_data: Option<String>,
    #[serde(alias = "D:displayname", default)]
    displayname: Option<String>,
    #[serde(alias = "D:getcontenttype", alias = "lp1:getcontenttype", default)]
    getcontenttype: Option<String>,
    #[serde(alias = "D:getlastmodified", alias = "lp1:getlastmodified", default)]
    getlastmodified: Option<String>,
    #[serde(rename = "sync-token", alias = "D:sync-token", default)]
    sync_token: Option<String>,
}

#[inline(never)]
fn serde_structs(input: &[u8]) -> usize {
    let text = std::str::from_utf8(input).expect("UTF-8 body");
    let multistatus: Multistatus = quick_xml::de::from_str(text).expect("serde deserialises");
    multistatus.responses.len()
}

#[inline(never)]
fn groupwire(input: &[u8]) -> usize {
    match DavResponse::decode(input, &Limits::default()) {
        Ok(Decoded::Complete {
            value: DavResponse::Multistatus(ms),
            ..
        }) => ms.responses.len(),
        other => panic!("groupwire: {:?}", other.map(|d| d.is_complete())),
    }
}

#[inline(never)]
fn roxmltree_dom(input: &[u8]) -> usize {
    let text = std::str::from_utf8(input).expect("UTF-8 body");
    let doc = roxmltree::Document::parse(text).expect("roxmltree parses");
    doc.root_element()
        .children()
        .filter(|n| n.has_tag_name(("DAV:", "response")))
        .count()
}

#[inline(never)]
fn quick_xml_scan(input: &[u8]) -> usize {
    let mut reader = NsReader::from_reader(input);
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
    assert_eq!(groupwire(&input), RESPONSES as usize);
    assert_eq!(roxmltree_dom(&input), RESPONSES as usize);
    assert_eq!(serde_structs(&input), RESPONSES as usize);

    let (_, allocations) = groupwire_benches::count_allocations(|| groupwire(&input));
    let (_, dom_allocations) = groupwire_benches::count_allocations(|| roxmltree_dom(&input));
    let (_, serde_allocations) = groupwire_benches::count_allocations(|| serde_structs(&input));
    let (_, scan_allocations) = groupwire_benches::count_allocations(|| quick_xml_scan(&input));
    println!(
        "allocations per response: groupwire-dav {:.2}, roxmltree {:.2}, serde {:.2}, quick-xml scan {:.2}",
        allocations as f64 / RESPONSES as f64,
        dom_allocations as f64 / RESPONSES as f64,
        serde_allocations as f64 / RESPONSES as f64,
        scan_allocations as f64 / RESPONSES as f64,
    );

    let mut group = c.benchmark_group("dav_multistatus");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function("groupwire-dav", |b| b.iter(|| groupwire(&input)));
    group.bench_function("roxmltree DOM", |b| b.iter(|| roxmltree_dom(&input)));
    group.bench_function("quick-xml serde", |b| b.iter(|| serde_structs(&input)));
    group.bench_function("quick-xml NsReader scan", |b| {
        b.iter(|| quick_xml_scan(&input))
    });
    group.finish();

    let real = real_bodies();
    let bytes: usize = real.iter().map(|(_, body)| body.len()).sum();
    let responses: usize = real.iter().map(|(_, body)| groupwire(body)).sum();
    for (name, body) in &real {
        let expected = groupwire(body);
        assert_eq!(roxmltree_dom(body), expected, "roxmltree on {name}");
        assert_eq!(serde_structs(body), expected, "serde on {name}");
    }
    let all = |f: &dyn Fn(&[u8]) -> usize| real.iter().map(|(_, body)| f(body)).sum::<usize>();
    let (_, allocations) = groupwire_benches::count_allocations(|| all(&groupwire));
    let (_, dom_allocations) = groupwire_benches::count_allocations(|| all(&roxmltree_dom));
    let (_, serde_allocations) = groupwire_benches::count_allocations(|| all(&serde_structs));
    println!(
        "real bodies: {} files, {bytes} bytes, {responses} responses; allocations per response: \
         groupwire-dav {:.2}, roxmltree {:.2}, serde {:.2}",
        real.len(),
        allocations as f64 / responses as f64,
        dom_allocations as f64 / responses as f64,
        serde_allocations as f64 / responses as f64,
    );
    let mut group = c.benchmark_group("dav_multistatus_real");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("groupwire-dav", |b| b.iter(|| all(&groupwire)));
    group.bench_function("roxmltree DOM", |b| b.iter(|| all(&roxmltree_dom)));
    group.bench_function("quick-xml serde", |b| b.iter(|| all(&serde_structs)));
    group.bench_function("quick-xml NsReader scan", |b| {
        b.iter(|| all(&quick_xml_scan))
    });
    group.finish();
}

/// The recorded multistatus bodies of `benches/corpora/real/` (file name, bytes).
fn real_bodies() -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/real");
    let mut bodies: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("benches/corpora/real")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().to_string_lossy().into_owned();
            (name.starts_with("dav-") && name.ends_with(".xml")).then_some(name)
        })
        .map(|name| {
            let body = std::fs::read(dir.join(&name)).expect("a real DAV body");
            (name, body)
        })
        .collect();
    bodies.sort();
    assert!(
        !bodies.is_empty(),
        "no real DAV bodies in {}",
        dir.display()
    );
    bodies
}

criterion_group!(benches, bench);
criterion_main!(benches);
