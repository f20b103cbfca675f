//! A report built from synthetic outcomes, with hostile server bytes in its evidence, shared
//! by the report tests.

#![allow(dead_code)]

use std::sync::Arc;

use groupwire_conformance::engine::{
    Check, CheckOutcome, Finding, HookOutcome, Level, Masker, Protocol, RfcRef, RunResult, Status,
    Transcript,
};
use groupwire_conformance::profile::Profile;
use groupwire_conformance::report::{Report, Timing};
use groupwire_conformance::target::{Account, Endpoint, Secret, Target};
use groupwire_conformance::waiver::Waivers;

pub const PASSWORD: &str = "hunter2-Very-Secret";

/// Bytes a hostile server sends: markup, a terminal escape, NUL, invalid UTF-8, CDATA end.
pub const HOSTILE: &[u8] = b"* BAD <script>alert('x')</script> & \x1b[2J \x00 \xff ]]> \"q\"\r\n";

const fn check(id: &'static str, protocol: Protocol, level: Level) -> Check {
    Check {
        id,
        protocol,
        title: "A title with <b>markup</b> & ampersand",
        rfc: RfcRef::new(9051, "6.3.2"),
        level,
        scope: groupwire_conformance::engine::Scope::Implementation,
        quote: "The server MUST send <UIDVALIDITY>.",
        profiles: &[],
        needs: &[],
        broken_by: &[],
        accounts: 0,
        run: |_| Box::pin(async { Ok(()) }),
    }
}

pub static PASS: Check = check("imap.fixture.pass", Protocol::Imap, Level::Must);
pub static FAIL: Check = check("imap.fixture.fail", Protocol::Imap, Level::Must);
pub static WARN: Check = check("imap.fixture.warn", Protocol::Imap, Level::Should);
pub static SKIP: Check = check("smtp.fixture.skip", Protocol::Smtp, Level::Must);
pub static ERROR: Check = check("smtp.fixture.error", Protocol::Smtp, Level::Must);

pub fn target() -> Target {
    let mut target = Target::empty("fixture <deployment>");
    target.imap = Some(Endpoint::parse("imaps://alice@mail.example.org").unwrap());
    target.smtp = Some(Endpoint::parse("smtp://alice@mail.example.org").unwrap());
    target.accounts.push(Account {
        user: "alice@example.org".into(),
        address: "alice@example.org".into(),
        password: Secret::new(PASSWORD),
        oauth_token: None,
    });
    target
}

pub fn outcomes() -> Vec<CheckOutcome> {
    let masker = Arc::new(Masker::new([("alice@example.org", PASSWORD)]));
    let transcript = Transcript::new(masker, 1 << 16);
    transcript.note(1, "connecting to mail.example.org:993");
    transcript.received(1, b"* OK ready\r\n");
    transcript.sent(
        1,
        format!("a1 LOGIN alice@example.org {PASSWORD}\r\n").as_bytes(),
    );
    transcript.received(1, HOSTILE);
    let finding = Finding::violation("an OK with [UIDVALIDITY n]", "* BAD <script>");
    vec![
        CheckOutcome::from_result(&PASS, true, Ok(()), Some(&transcript), 12),
        CheckOutcome::from_result(&FAIL, true, Err(finding), Some(&transcript), 34),
        CheckOutcome::from_result(&WARN, false, Err(Finding::violation("x", "y")), None, 1),
        CheckOutcome::from_result(
            &SKIP,
            true,
            Err(Finding::skip("not advertised: PIPELINING")),
            None,
            0,
        ),
        CheckOutcome::from_result(
            &ERROR,
            true,
            Err(Finding::harness("timed out <after> 5s")),
            Some(&transcript),
            5000,
        ),
    ]
}

pub fn report_with(outcomes: Vec<CheckOutcome>, profile: &Profile, waivers: &Waivers) -> Report {
    let started = chrono::DateTime::parse_from_rfc3339("2026-11-22T15:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let finished = started + chrono::Duration::milliseconds(5047);
    Report::build(
        &target(),
        profile,
        waivers,
        RunResult {
            outcomes,
            hooks: vec![
                HookOutcome {
                    protocol: Protocol::Imap,
                    hook: "probe",
                    status: Status::Pass,
                    reason: None,
                    capabilities: vec!["IMAP4rev2".into(), "IDLE".into(), "X-<EVIL>".into()],
                    transcript: Vec::new(),
                },
                HookOutcome {
                    protocol: Protocol::Imap,
                    hook: "cleanup",
                    status: Status::Error,
                    reason: Some("could not delete gw-test-0001-<x>".into()),
                    capabilities: Vec::new(),
                    transcript: Vec::new(),
                },
            ],
            run_prefix: "gw-test-0001".into(),
        },
        Timing { started, finished },
    )
}

pub fn report() -> Report {
    report_with(
        outcomes(),
        &Profile::builtin("mail").unwrap(),
        &Waivers::default(),
    )
}
