//! `groupwire selftest` as a test: every check passes against the clean reference and fails
//! against the reference with each fault it names (100% kill rate).

use groupwire_conformance::selftest::{self, SelftestOptions};

#[test]
fn every_check_passes_clean_and_fails_under_its_faults() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let registry = groupwire_conformance::suites::registry();
    let report = runtime
        .block_on(selftest::run(&registry, SelftestOptions::default()))
        .unwrap();
    let rendered = report.render();
    println!("{rendered}");
    assert_eq!(report.clean.len(), registry.checks().count(), "{rendered}");
    assert!(report.clean_failures().is_empty(), "{rendered}");
    assert!(report.survivors().is_empty(), "{rendered}");
    let checks_with_faults = registry
        .checks()
        .filter(|c| !c.broken_by.is_empty())
        .count();
    assert_eq!(checks_with_faults, registry.checks().count());
    assert!(
        report.mutants.len() >= registry.checks().count(),
        "{rendered}"
    );
    assert_eq!(report.kill_rate(), 100.0, "{rendered}");
    assert!(rendered.contains("kill rate: 100.0%"), "{rendered}");
}
