//! Every report format: credentials masked by protocol field (a one-character password does not
//! damage evidence, LOGIN literals and AUTH PLAIN are hidden), deployment-scope checks shown as
//! policy, and a requirement from a document that is not an RFC shown as such.

use std::sync::Arc;

use groupwire_conformance::engine::{
    Check, CheckOutcome, Finding, Level, Masker, Protocol, RfcRef, RunResult, Scope, Transcript,
    Wire,
};
use groupwire_conformance::profile::Profile;
use groupwire_conformance::report::{self, Format, Report, Timing};
use groupwire_conformance::target::{Account, Endpoint, Secret, Target};
use groupwire_conformance::waiver::Waivers;

const fn check(id: &'static str, rfc: RfcRef, scope: Scope) -> Check {
    Check {
        id,
        protocol: Protocol::Imap,
        title: "title",
        rfc,
        level: Level::Must,
        scope,
        quote: "quote",
        profiles: &[],
        needs: &[],
        broken_by: &[],
        accounts: 0,
        run: |_| Box::pin(async { Ok(()) }),
    }
}

static POLICY: Check = check(
    "imap.t.policy",
    RfcRef::new(9051, "6.2.3"),
    Scope::Deployment,
);
static DRAFT: Check = check(
    "imap.t.draft",
    RfcRef::other("draft-ietf-mailmaint-autoconfig", "3"),
    Scope::Implementation,
);
static VENDOR: Check = check(
    "imap.t.vendor",
    RfcRef::other("vendor-notes", "2"),
    Scope::Implementation,
);

fn report(password: &str, outcomes: Vec<CheckOutcome>) -> Report {
    let mut target = Target::empty("t");
    target.imap = Some(Endpoint::parse("imaps://h").unwrap());
    target.accounts.push(Account {
        user: "bob".into(),
        address: "bob@example.org".into(),
        password: Secret::new(password),
        oauth_token: None,
    });
    let now = chrono::Utc::now();
    Report::build(
        &target,
        &Profile::builtin("mail").unwrap(),
        &Waivers::default(),
        RunResult {
            outcomes,
            hooks: Vec::new(),
            run_prefix: "gw-x".into(),
        },
        Timing {
            started: now,
            finished: now,
        },
    )
}

fn every_format(report: &Report) -> Vec<(Format, String)> {
    [Format::Text, Format::Json, Format::Junit, Format::Html]
        .into_iter()
        .map(|format| (format, report::render(report, format, false)))
        .collect()
}

#[test]
fn credentials_are_masked_by_field_in_every_format() {
    // A one-character password, sent as a LOGIN literal on one connection and as AUTH PLAIN
    // on another; the evidence says text/plain.
    let password = "x";
    let transcript = Transcript::new(Arc::new(Masker::new([("bob", password)])), 1 << 16);
    transcript.set_wire(1, Wire::Imap);
    transcript.set_wire(2, Wire::Smtp);
    transcript.sent(1, b"a1 LOGIN \"bob\" {1}\r\n");
    transcript.received(1, b"+ go on\r\n");
    transcript.sent(1, b"x\r\n");
    transcript.received(1, b"a1 OK [CAPABILITY IMAP4rev2] logged in\r\n");
    transcript.sent(1, b"a2 LOGIN bob \"x\"\r\n");
    transcript.received(
        1,
        b"* 1 FETCH (BODY[1.MIME] {24}\r\nContent-Type: text/plain)\r\n",
    );
    // base64("\0bob\0x")
    transcript.sent_secret(2, b"AUTH PLAIN AGJvYgB4\r\n");
    transcript.received(2, b"235 2.7.0 ok\r\n");
    let outcome = CheckOutcome::from_result(
        &POLICY,
        true,
        Err(Finding::violation("a", "b")),
        Some(&transcript),
        1,
    );
    let report = report(password, vec![outcome]);
    for (format, rendered) in every_format(&report) {
        assert!(
            rendered.contains("text/plain"),
            "{format:?} damaged evidence: {rendered}"
        );
        assert!(
            !rendered.contains("AGJvYgB4"),
            "{format:?} leaks AUTH PLAIN"
        );
        assert!(
            !rendered.contains("a2 LOGIN bob \\\"x\\\"")
                && !rendered.contains("a2 LOGIN bob \"x\""),
            "{format:?} leaks the quoted password"
        );
        assert!(rendered.contains("AUTH PLAIN ***"), "{format:?}");
    }
    let json = report::render(&report, Format::Json, false);
    assert!(json.contains(r#"a1 LOGIN \"bob\" ***\r\n"#), "{json}");
    assert!(
        json.contains(r#""bytes": "***\r\n""#),
        "the literal's data: {json}"
    );
}

#[test]
fn deployment_scope_and_non_rfc_documents_are_reported_as_such() {
    let outcomes = vec![
        CheckOutcome::from_result(&POLICY, false, Err(Finding::violation("a", "b")), None, 1),
        CheckOutcome::from_result(&DRAFT, true, Err(Finding::violation("c", "d")), None, 1),
        CheckOutcome::from_result(&VENDOR, true, Err(Finding::violation("e", "f")), None, 1),
    ];
    let report = report("irrelevant-password", outcomes);
    let text = report::render(&report, Format::Text, false);
    assert!(
        text.contains("imap.t.policy  RFC 9051 §6.2.3 MUST deployment (optional)"),
        "{text}"
    );
    assert!(text.contains("scope: deployment policy"), "{text}");
    assert!(
        text.contains("draft-ietf-mailmaint-autoconfig §3 (no RFC) MUST implementation"),
        "{text}"
    );
    let html = report::render(&report, Format::Html, false);
    assert!(html.contains(">deployment policy</span>"), "{html}");
    assert!(html.contains(
        "<a href=\"https://datatracker.ietf.org/doc/html/draft-ietf-mailmaint-autoconfig#section-3\">draft-ietf-mailmaint-autoconfig §3 (no RFC)</a>"
    ));
    // A document with no address gets no empty link.
    assert!(html.contains("vendor-notes §2 (no RFC) MUST"), "{html}");
    assert!(!html.contains("href=\"\""), "{html}");
    let json = report::render(&report, Format::Json, false);
    assert!(
        json.contains("\"scope\": \"deployment\"") || json.contains("\"scope\":\"deployment\"")
    );
    assert!(report::render(&report, Format::Junit, false).contains("scope: deployment policy"));
}
