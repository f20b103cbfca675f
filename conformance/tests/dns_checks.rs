//! The DNS checks against an authoritative DNS server started on 127.0.0.1 by the test (the
//! reference's `reference::dns` server, with zones written here): a good zone passes every
//! check, a bad zone fails each check for the reason it names, and the resolver layer reports
//! what it asked and got (NXDOMAIN, the AD bit, long answers over TCP).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use groupwire_conformance::dns::Dns;
use groupwire_conformance::engine::{
    Check, CheckContext, ConnSettings, Protocol, RunEnv, RunOptions, Status, TlsTrust,
    client_config, run_checks,
};
use groupwire_conformance::reference::dns::{DKIM_KEY_512, DKIM_KEY_2048, DnsServer, Zone};
use groupwire_conformance::target::{Endpoint, Target};
use hickory_proto::rr::RecordType;

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const DAV_PORT: u16 = 20443;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn settings() -> ConnSettings {
    ConnSettings {
        tls: client_config(&TlsTrust::Insecure).unwrap(),
        max_buffer: 1 << 20,
        io_timeout: Duration::from_secs(3),
    }
}

/// The DNS checks of the catalogue.
fn dns_checks() -> Vec<&'static Check> {
    groupwire_conformance::suites::registry()
        .checks()
        .filter(|check| {
            [
                "discovery.srv.",
                "security.spf.",
                "security.dmarc.",
                "security.dkim.",
            ]
            .iter()
            .any(|prefix| check.id.starts_with(prefix))
        })
        .collect()
}

fn target(domain: &str, dns: Option<SocketAddr>) -> Target {
    let mut target = Target::empty(domain);
    target.domain = Some(domain.to_string());
    target.dns = dns;
    target.dkim_selectors = vec!["s1".to_string()];
    target.caldav =
        Some(Endpoint::parse(&format!("https://127.0.0.1:{DAV_PORT}/dav/calendars/")).unwrap());
    target.carddav =
        Some(Endpoint::parse(&format!("https://127.0.0.1:{DAV_PORT}/dav/addressbooks/")).unwrap());
    target
}

/// A zone that follows every recommendation the checks judge.
fn good_zone(domain: &str) -> Zone {
    let mut zone = Zone::new();
    let dav = format!("dav.{domain}");
    zone.address(&dav, LOCALHOST).unwrap();
    zone.mx(domain, 10, &format!("mx.{domain}")).unwrap();
    zone.txt(domain, &format!("v=spf1 mx include:_spf.{domain} -all"))
        .unwrap();
    zone.txt(&format!("_spf.{domain}"), "v=spf1 ip4:192.0.2.0/24 -all")
        .unwrap();
    zone.txt(
        &format!("_dmarc.{domain}"),
        &format!("v=DMARC1; p=quarantine; rua=mailto:dmarc@{domain}"),
    )
    .unwrap();
    zone.txt(
        &format!("s1._domainkey.{domain}"),
        &format!("v=DKIM1; k=rsa; p={DKIM_KEY_2048}"),
    )
    .unwrap();
    zone.srv(&format!("_caldavs._tcp.{domain}"), DAV_PORT, &dav)
        .unwrap();
    zone.srv(&format!("_carddavs._tcp.{domain}"), DAV_PORT, &dav)
        .unwrap();
    zone.txt(&format!("_caldavs._tcp.{domain}"), "path=/dav/")
        .unwrap();
    zone.txt(
        &format!("_carddavs._tcp.{domain}"),
        "path=/dav/addressbooks",
    )
    .unwrap();
    zone.srv(&format!("_caldav._tcp.{domain}"), 0, ".").unwrap();
    zone
}

/// A zone with something wrong for every check.
fn bad_zone(domain: &str) -> Zone {
    let mut zone = Zone::new();
    let dav = format!("dav.{domain}");
    zone.address(&dav, LOCALHOST).unwrap();
    // Two SPF records, one of them +all and with a syntax error.
    zone.txt(domain, "v=spf1 ip4:10.0.0.256 +all").unwrap();
    zone.txt(domain, "v=spf1 -all").unwrap();
    // p=none and no rua.
    zone.txt(&format!("_dmarc.{domain}"), "v=DMARC1; p=none")
        .unwrap();
    zone.txt(
        &format!("s1._domainkey.{domain}"),
        &format!("v=DKIM1; k=rsa; p={DKIM_KEY_512}"),
    )
    .unwrap();
    zone.srv(&format!("_caldavs._tcp.{domain}"), DAV_PORT + 1, &dav)
        .unwrap();
    zone.txt(&format!("_caldavs._tcp.{domain}"), "path=/elsewhere/")
        .unwrap();
    // A plaintext CalDAV label pointing at a port where nothing speaks HTTP.
    zone.srv(&format!("_caldav._tcp.{domain}"), 9, &dav)
        .unwrap();
    zone
}

fn statuses(outcomes: &[groupwire_conformance::engine::CheckOutcome]) -> HashMap<String, Status> {
    outcomes
        .iter()
        .map(|outcome| (outcome.id.clone(), outcome.status))
        .collect()
}

#[test]
fn a_good_zone_passes_every_dns_check() {
    let runtime = runtime();
    runtime.block_on(async {
        let server = DnsServer::start(SocketAddr::new(LOCALHOST, 0), good_zone("good.test"))
            .await
            .unwrap();
        let registry = groupwire_conformance::suites::registry();
        let outcomes = run_checks(
            &registry,
            &dns_checks(),
            target("good.test", Some(server.address)),
            settings(),
            RunOptions::default(),
        )
        .await;
        assert_eq!(outcomes.len(), 17);
        for outcome in &outcomes {
            assert_eq!(
                outcome.status,
                Status::Pass,
                "{}: {:?}",
                outcome.id,
                outcome.reason
            );
        }
        server.stop().await;
    });
}

#[test]
fn a_bad_zone_fails_each_check_for_its_reason() {
    let runtime = runtime();
    runtime.block_on(async {
        let mut zone = bad_zone("bad.test");
        // The included record of a 12-lookup SPF chain is checked in its own domain below.
        zone.txt("many.bad.test", "v=spf1 a mx include:more.bad.test -all")
            .unwrap();
        let terms: Vec<String> = (0..10).map(|n| format!("a:h{n}.bad.test")).collect();
        zone.txt("more.bad.test", &format!("v=spf1 {} -all", terms.join(" ")))
            .unwrap();
        zone.txt("soft.bad.test", "v=spf1 mx ~all").unwrap();
        let server = DnsServer::start(SocketAddr::new(LOCALHOST, 0), zone)
            .await
            .unwrap();
        let registry = groupwire_conformance::suites::registry();
        let outcomes = run_checks(
            &registry,
            &dns_checks(),
            target("bad.test", Some(server.address)),
            settings(),
            RunOptions::default(),
        )
        .await;
        let got = statuses(&outcomes);
        let expected = [
            ("security.spf.valid", Status::Warn),
            ("security.spf.single-record", Status::Fail),
            ("security.dmarc.record", Status::Pass),
            ("security.dmarc.policy", Status::Warn),
            ("security.dmarc.rua", Status::Warn),
            ("security.dkim.key-record", Status::Pass),
            ("security.dkim.key-length", Status::Fail),
            ("discovery.srv.caldavs-published", Status::Pass),
            ("discovery.srv.carddavs-published", Status::Warn),
            ("discovery.srv.caldavs-target", Status::Fail),
            ("discovery.srv.carddavs-target", Status::Skip),
            ("discovery.srv.caldavs-path", Status::Fail),
            ("discovery.srv.carddavs-path", Status::Warn),
            ("discovery.srv.caldav-plaintext", Status::Fail),
            ("discovery.srv.carddav-plaintext", Status::Pass),
        ];
        for (id, status) in expected {
            assert_eq!(got.get(id), Some(&status), "{id}: {outcomes:#?}");
        }

        // The lookup count follows includes; +all fails and ~all warns.
        let spf_only: Vec<&'static Check> = dns_checks()
            .into_iter()
            .filter(|c| c.id == "security.spf.lookup-limit" || c.id == "security.spf.ends-with-all")
            .collect();
        for (domain, lookups, all) in [
            ("many.bad.test", Status::Fail, Status::Pass),
            ("soft.bad.test", Status::Pass, Status::Warn),
        ] {
            let outcomes = run_checks(
                &registry,
                &spf_only,
                target(domain, Some(server.address)),
                settings(),
                RunOptions::default(),
            )
            .await;
            let got = statuses(&outcomes);
            assert_eq!(
                got.get("security.spf.lookup-limit"),
                Some(&lookups),
                "{domain}: {outcomes:#?}"
            );
            assert_eq!(
                got.get("security.spf.ends-with-all"),
                Some(&all),
                "{domain}: {outcomes:#?}"
            );
        }
        let plus_all = {
            let mut zone = Zone::new();
            zone.txt("open.test", "v=spf1 +all").unwrap();
            DnsServer::start(SocketAddr::new(LOCALHOST, 0), zone)
                .await
                .unwrap()
        };
        let outcomes = run_checks(
            &registry,
            &spf_only,
            target("open.test", Some(plus_all.address)),
            settings(),
            RunOptions::default(),
        )
        .await;
        let failed = outcomes
            .iter()
            .find(|o| o.id == "security.spf.ends-with-all")
            .unwrap();
        assert_eq!(failed.status, Status::Fail);
        assert!(
            failed
                .evidence
                .actual
                .as_deref()
                .unwrap_or("")
                .contains("+all")
        );
        plus_all.stop().await;
        server.stop().await;
    });
}

#[test]
fn without_a_nameserver_a_special_use_domain_is_skipped_and_no_domain_too() {
    let runtime = runtime();
    runtime.block_on(async {
        let registry = groupwire_conformance::suites::registry();
        let mut no_domain = target("x", None);
        no_domain.domain = None;
        for target in [target("example.test", None), no_domain] {
            let outcomes = run_checks(
                &registry,
                &dns_checks(),
                target,
                settings(),
                RunOptions::default(),
            )
            .await;
            for outcome in outcomes {
                assert_eq!(
                    outcome.status,
                    Status::Skip,
                    "{}: {:?}",
                    outcome.id,
                    outcome.reason
                );
            }
        }
    });
}

#[test]
fn the_resolver_records_questions_answers_nxdomain_and_the_ad_bit_and_uses_tcp_for_long_answers() {
    let runtime = runtime();
    runtime.block_on(async {
        let mut zone = Zone::new();
        zone.authenticated = true;
        // 1600 bytes of TXT: longer than any UDP answer the server gives (1232), so the
        // answer comes truncated over UDP and whole over TCP.
        let long = "x".repeat(1600);
        zone.txt("long.signed.test", &long).unwrap();
        zone.txt("a.b.signed.test", "deep").unwrap();
        let server = DnsServer::start(SocketAddr::new(LOCALHOST, 0), zone)
            .await
            .unwrap();
        let env = std::sync::Arc::new(RunEnv::new(
            target("signed.test", Some(server.address)),
            settings(),
        ));
        let cx = CheckContext::new(env, Protocol::Security, None, None);
        let dns = Dns::new(&cx).unwrap();

        let answer = dns
            .query("long.signed.test", RecordType::TXT)
            .await
            .unwrap();
        assert_eq!(answer.txt(), vec![long]);
        assert!(answer.authenticated);
        let missing = dns
            .query("missing.signed.test", RecordType::TXT)
            .await
            .unwrap();
        assert!(missing.nxdomain && missing.records.is_empty());
        // An empty non-terminal exists: no records, but not NXDOMAIN.
        let between = dns.query("b.signed.test", RecordType::TXT).await.unwrap();
        assert!(!between.nxdomain && between.records.is_empty());

        let transcript: Vec<String> = cx
            .transcript()
            .entries()
            .into_iter()
            .map(|entry| String::from_utf8_lossy(&entry.bytes).into_owned())
            .collect();
        let text = transcript.join("\n");
        assert!(text.contains("DNS TXT long.signed.test?"), "{text}");
        assert!(text.contains("NOERROR AD=1"), "{text}");
        assert!(
            text.contains("DNS TXT missing.signed.test?") && text.contains("NXDOMAIN"),
            "{text}"
        );
        server.stop().await;

        // A nameserver that does not answer is an unreachable error, not an empty answer.
        let silent = tokio::net::UdpSocket::bind((LOCALHOST, 0)).await.unwrap();
        let env = std::sync::Arc::new(RunEnv::new(
            target("signed.test", Some(silent.local_addr().unwrap())),
            settings(),
        ));
        let cx = CheckContext::new(env, Protocol::Security, None, None);
        let result = Dns::new(&cx)
            .unwrap()
            .query("signed.test", RecordType::TXT)
            .await;
        assert!(
            matches!(
                result,
                Err(groupwire_conformance::engine::Finding::Unreachable(_))
            ),
            "{result:?}"
        );
    });
}

/// The MTA-STS, TLS-RPT and DANE checks: they pass against the clean reference (its zone, its MTA-STS policy, its
/// SMTP certificate) and each fails under each of its faults, as `selftest` would require.
#[test]
fn transport_checks_pass_on_the_reference_and_fail_under_their_faults() {
    use groupwire_conformance::engine::Registry;
    use groupwire_conformance::reference::faults::{Fault, Faults};
    use groupwire_conformance::selftest::{Endpoints, SelftestOptions, run_against};
    use groupwire_conformance::suites::dns::transport::{CHECKS, SUITE};

    let runtime = runtime();
    runtime.block_on(async {
        let registry = Registry::new().with(SUITE);
        let tls = groupwire_conformance::reference::generate_tls().unwrap();
        let options = SelftestOptions::default();
        let checks: Vec<&'static Check> = CHECKS.iter().collect();
        let clean = run_against(
            &registry,
            &checks,
            Faults::none(),
            &tls,
            &options,
            Endpoints::StartTls,
        )
        .await
        .unwrap();
        assert_eq!(clean.len(), 5);
        for outcome in &clean {
            assert_eq!(
                outcome.status,
                Status::Pass,
                "{}: {:?} {:?}",
                outcome.id,
                outcome.reason,
                outcome
                    .evidence
                    .transcript
                    .iter()
                    .map(|e| String::from_utf8_lossy(&e.bytes).into_owned())
                    .collect::<Vec<_>>()
            );
        }
        let dane = clean
            .iter()
            .find(|o| o.id == "security.dane.tlsa-match")
            .unwrap();
        let evidence: String = dane
            .evidence
            .transcript
            .iter()
            .map(|e| String::from_utf8_lossy(&e.bytes).into_owned())
            .collect();
        assert!(evidence.contains("not authenticated (AD=0)"), "{evidence}");
        for check in CHECKS {
            for name in check.broken_by {
                let fault = Fault::from_name(name).unwrap();
                let outcomes = run_against(
                    &registry,
                    &[check],
                    Faults::one(fault),
                    &tls,
                    &options,
                    Endpoints::StartTls,
                )
                .await
                .unwrap();
                let outcome = &outcomes[0];
                assert!(
                    matches!(outcome.status, Status::Fail | Status::Warn),
                    "{} under {name}: {:?} {:?}",
                    check.id,
                    outcome.status,
                    outcome.reason
                );
            }
        }
    });
}

#[test]
fn a_target_file_names_the_nameserver_the_dkim_selectors_and_the_mta_sts_url() {
    let text = r#"
domain = "example.org"
dns = "127.0.0.1:20053"
dkim_selectors = ["2026a", "2026b"]
mta_sts_url = "https://127.0.0.1:20443/.well-known/mta-sts.txt"
"#;
    let target = Target::from_toml(text, std::path::Path::new("."), |_| None).unwrap();
    assert_eq!(target.dns, Some("127.0.0.1:20053".parse().unwrap()));
    assert_eq!(target.dkim_selectors, vec!["2026a", "2026b"]);
    assert_eq!(
        target.mta_sts_url.map(|e| e.path),
        Some("/.well-known/mta-sts.txt".to_string())
    );
    // An address alone means port 53; anything else is refused with the key named.
    let alone = Target::from_toml("dns = \"::1\"", std::path::Path::new("."), |_| None).unwrap();
    assert_eq!(alone.dns, Some("[::1]:53".parse().unwrap()));
    let error = Target::from_toml(
        "dns = \"ns.example.org\"",
        std::path::Path::new("."),
        |_| None,
    )
    .unwrap_err();
    assert!(error.to_string().contains("dns"), "{error}");
    assert_eq!(Target::empty("x").dns, None);
}
