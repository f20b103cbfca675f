//! The SASL and login-policy checks of issue 12 against the reference servers: clean (all
//! pass, with the evidence showing what was exchanged) and with each fault they must catch,
//! over STARTTLS and implicit TLS. The RFC example exchanges are unit tests of
//! `groupwire_conformance::sasl`.

use groupwire_conformance::engine::{Check, CheckOutcome, Status};
use groupwire_conformance::reference::faults::{Fault, Faults};
use groupwire_conformance::selftest::{Endpoints, SelftestOptions, run_against};

const IDS: [&str; 7] = [
    "security.sasl.scram-sha-256",
    "security.sasl.scram-bad-proof-refused",
    "security.sasl.oauthbearer",
    "security.sasl.oauthbearer-bad-token-refused",
    "security.sasl.mechanisms",
    "security.smtp.failed-logins-limited",
    "security.smtp.mx-open-relay-refused",
];

fn check(id: &str) -> &'static Check {
    groupwire_conformance::suites::registry()
        .checks()
        .find(|check| check.id == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

fn run(ids: &[&str], fault: Option<&str>, endpoints: Endpoints) -> Vec<CheckOutcome> {
    let registry = groupwire_conformance::suites::registry();
    let checks: Vec<&'static Check> = ids.iter().map(|id| check(id)).collect();
    let faults = match fault {
        Some(name) => Faults::one(Fault::from_name(name).expect("fault exists")),
        None => Faults::none(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let tls = groupwire_conformance::reference::generate_tls().unwrap();
        run_against(
            &registry,
            &checks,
            faults,
            &tls,
            &SelftestOptions::default(),
            endpoints,
        )
        .await
        .unwrap()
    })
}

fn outcome<'a>(outcomes: &'a [CheckOutcome], id: &str) -> &'a CheckOutcome {
    outcomes.iter().find(|o| o.id == id).unwrap()
}

fn transcript(outcome: &CheckOutcome) -> String {
    outcome
        .evidence
        .transcript
        .iter()
        .map(|entry| String::from_utf8_lossy(&entry.bytes).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_status(outcomes: &[CheckOutcome], id: &str, status: Status) -> String {
    let found = outcome(outcomes, id);
    let text = transcript(found);
    assert_eq!(
        found.status, status,
        "{id}: {:?} ({:?} / {:?})\n{text}",
        found.status, found.reason, found.evidence.actual
    );
    text
}

#[test]
fn clean_reference_passes_every_sasl_check_with_evidence() {
    for endpoints in [Endpoints::StartTls, Endpoints::Implicit] {
        let outcomes = run(&IDS, None, endpoints);
        for id in IDS {
            assert_status(&outcomes, id, Status::Pass);
        }
        let scram = transcript(outcome(&outcomes, "security.sasl.scram-sha-256"));
        assert!(scram.contains("AUTHENTICATE SCRAM-SHA-256"), "{scram}");
        assert!(scram.contains("AUTH SCRAM-SHA-256") || scram.contains("AUTH ***"));
        assert!(scram.contains("verified server signature"), "{scram}");
        let mechanisms = transcript(outcome(&outcomes, "security.sasl.mechanisms"));
        assert!(
            mechanisms.contains("after TLS: PLAIN SCRAM-SHA-256 OAUTHBEARER")
                || mechanisms.contains("implicit TLS: PLAIN SCRAM-SHA-256 OAUTHBEARER"),
            "{mechanisms}"
        );
        assert!(mechanisms.contains("PLAIN LOGIN SCRAM-SHA-256 OAUTHBEARER"));
        let bad_token = transcript(outcome(
            &outcomes,
            "security.sasl.oauthbearer-bad-token-refused",
        ));
        assert!(bad_token.contains("invalid_token"), "{bad_token}");
        let relay = transcript(outcome(&outcomes, "security.smtp.mx-open-relay-refused"));
        assert!(relay.contains("relaying refused: RCPT 550"), "{relay}");
        assert!(
            relay.contains("recipient ok"),
            "local mail still taken: {relay}"
        );
    }
}

#[test]
fn each_fault_fails_exactly_its_check() {
    let cases = [
        (
            "scram-bad-server-signature",
            "security.sasl.scram-sha-256",
            Status::Fail,
        ),
        (
            "scram-accepts-bad-proof",
            "security.sasl.scram-bad-proof-refused",
            Status::Fail,
        ),
        ("oauth-broken", "security.sasl.oauthbearer", Status::Fail),
        (
            "oauth-accepts-bad-token",
            "security.sasl.oauthbearer-bad-token-refused",
            Status::Fail,
        ),
        (
            "oauth-no-error-result",
            "security.sasl.oauthbearer-bad-token-refused",
            Status::Fail,
        ),
        ("oauth-before-tls", "security.sasl.mechanisms", Status::Fail),
        // Not advertised before TLS, but tried there all the same.
        (
            "oauth-hidden-before-tls",
            "security.sasl.mechanisms",
            Status::Fail,
        ),
        // RFC 4954 §9 is a MAY and RFC 5321 §3.6.2 a SHOULD: warn.
        (
            "smtp-no-login-throttle",
            "security.smtp.failed-logins-limited",
            Status::Warn,
        ),
        (
            "mx-open-relay",
            "security.smtp.mx-open-relay-refused",
            Status::Warn,
        ),
    ];
    for (fault, id, status) in cases {
        let outcomes = run(&IDS, Some(fault), Endpoints::StartTls);
        let text = assert_status(&outcomes, id, status);
        for other in IDS.iter().filter(|other| **other != id) {
            let found = outcome(&outcomes, other);
            assert!(
                matches!(found.status, Status::Pass | Status::Skip),
                "{fault} also broke {other}: {:?} {:?}",
                found.status,
                found.evidence.actual
            );
        }
        match fault {
            "scram-bad-server-signature" => {
                let actual = outcome(&outcomes, id)
                    .evidence
                    .actual
                    .clone()
                    .unwrap_or_default();
                assert!(actual.contains("does not verify"), "{actual}");
                // The client gave up on the exchange (`*`, masked in the transcript like
                // every client line of a SASL exchange) and the server says so.
                assert!(text.contains("authentication cancelled"), "{text}");
            }
            "oauth-hidden-before-tls" => {
                let actual = outcome(&outcomes, id)
                    .evidence
                    .actual
                    .clone()
                    .unwrap_or_default();
                assert!(
                    actual.contains("a bearer token read before TLS"),
                    "{actual}"
                );
                assert!(
                    actual.contains("before TLS: none"),
                    "not advertised: {actual}"
                );
            }
            "smtp-no-login-throttle" => {
                assert!(text.contains("attempt 10: 535"), "{text}");
            }
            "mx-open-relay" => {
                let actual = outcome(&outcomes, id)
                    .evidence
                    .actual
                    .clone()
                    .unwrap_or_default();
                assert!(actual.contains("open relay"), "{actual}");
            }
            _ => {}
        }
    }
}

#[test]
fn failed_logins_are_measured_until_the_reference_slows_down() {
    let outcomes = run(
        &["security.smtp.failed-logins-limited"],
        None,
        Endpoints::StartTls,
    );
    let text = assert_status(
        &outcomes,
        "security.smtp.failed-logins-limited",
        Status::Pass,
    );
    // Two quick 535s, then the third is delayed (1.2 s on the reference).
    assert!(text.contains("attempt 1: 535"), "{text}");
    assert!(text.contains("attempt 3: 535"), "{text}");
    assert!(!text.contains("attempt 4:"), "{text}");
}
