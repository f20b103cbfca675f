//! Text, JSON and JUnit renderings of a report: structure, counts, the closing line, escaping
//! of hostile server bytes, and no password anywhere.

mod report_fixture;

use groupwire_conformance::report::{self, Format, SCHEMA_VERSION, Verdict};
use report_fixture::{PASSWORD, report};

#[test]
fn text_ends_with_the_plain_closing_line_and_shows_evidence() {
    let text = report::render(&report(), Format::Text, false);
    let last = text.lines().last().unwrap();
    // pass + warn passed; fail + error failed; skip skipped.
    assert_eq!(last, "2 passed, 2 failed, 1 skipped");
    assert!(
        !text.contains('\x1b'),
        "no colour and no raw escape from the server"
    );
    assert!(
        text.contains("\\x1b[2J"),
        "the server's escape is shown escaped"
    );
    assert!(
        text.contains("imap.fixture.fail  RFC 9051 §6.3.2 MUST implementation (required)"),
        "{text}"
    );
    assert!(text.contains("expected: an OK with [UIDVALIDITY n]"));
    assert!(text.contains("C1: a1 LOGIN alice@example.org ***"));
    assert!(text.contains("smtp.fixture.skip: not advertised: PIPELINING"));
    assert!(text.contains("verdict: FAIL"));
    assert!(
        text.contains("  IMAP advertises: IMAP4rev2 IDLE X-<EVIL>\n"),
        "{text}"
    );
    assert!(text.contains("IMAP cleanup error"), "{text}");
    assert!(!text.contains(PASSWORD));
    let coloured = report::render(&report(), Format::Text, true);
    assert!(coloured.contains("\x1b[1;31m"));
    assert_eq!(
        coloured.lines().last().unwrap(),
        last,
        "the closing line stays plain"
    );
}

#[test]
fn json_follows_the_documented_schema() {
    let report = report();
    assert_eq!(report.verdict, Verdict::Fail);
    assert_eq!(report.exit_code(), 1);
    let json = report::render(&report, Format::Json, false);
    assert!(!json.contains(PASSWORD));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["schema"], "groupwire-report");
    assert_eq!(value["schema_version"], SCHEMA_VERSION);
    assert_eq!(value["tool"]["name"], "groupwire");
    assert_eq!(value["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(value["target"]["name"], "fixture <deployment>");
    assert_eq!(value["target"]["endpoints"][0]["protocol"], "imap");
    assert_eq!(value["target"]["endpoints"][0]["security"], "implicit");
    assert_eq!(value["target"]["endpoints"][1]["security"], "start-tls");
    assert_eq!(value["target"]["tls_trust"], "system");
    assert_eq!(value["profile"]["name"], "mail");
    assert_eq!(value["started_at"], "2026-11-22T15:00:00.000Z");
    assert_eq!(value["duration_ms"], 5047);
    assert_eq!(value["verdict"], "fail");
    assert_eq!(value["summary"]["fail"], 1);
    assert_eq!(value["summary"]["required_failures"], 2);
    let fail = &value["checks"][1];
    assert_eq!(fail["id"], "imap.fixture.fail");
    assert_eq!(fail["status"], "fail");
    assert_eq!(fail["level"], "MUST");
    assert_eq!(fail["rfc"], "RFC 9051 §6.3.2");
    assert_eq!(
        fail["rfc_url"],
        "https://www.rfc-editor.org/rfc/rfc9051#section-6.3.2"
    );
    assert_eq!(fail["duration_ms"], 34);
    assert_eq!(fail["evidence"]["expected"], "an OK with [UIDVALIDITY n]");
    let transcript = fail["evidence"]["transcript"].as_array().unwrap();
    assert_eq!(transcript[0]["direction"], "note");
    assert_eq!(transcript[2]["direction"], "sent");
    assert_eq!(transcript[2]["connection"], 1);
    assert_eq!(transcript[2]["bytes"], "a1 LOGIN alice@example.org ***\r\n");
    assert!(
        transcript[3]["bytes"]
            .as_str()
            .unwrap()
            .contains("\\x00 \\xff")
    );
    assert_eq!(value["checks"][3]["reason"], "not advertised: PIPELINING");
    assert_eq!(value["checks"][4]["status"], "error");
}

#[test]
fn junit_is_well_formed_and_maps_statuses() {
    let xml = report::render(&report(), Format::Junit, false);
    assert!(!xml.contains(PASSWORD));
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut counts = std::collections::BTreeMap::new();
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                *counts.entry(name).or_insert(0) += 1;
            }
            Ok(_) => {}
            Err(error) => panic!(
                "malformed XML at {}: {error}\n{xml}",
                reader.error_position()
            ),
        }
    }
    assert_eq!(counts["testsuites"], 1);
    assert_eq!(counts["testsuite"], 2);
    assert_eq!(counts["testcase"], 5);
    assert_eq!(counts["failure"], 1);
    assert_eq!(counts["error"], 1);
    assert_eq!(counts["skipped"], 1);
    assert_eq!(counts["system-out"], 5);
    assert!(xml.contains("tests=\"5\" failures=\"1\" errors=\"1\" skipped=\"1\""));
    assert!(xml.contains("&lt;script&gt;"));
    assert!(!xml.contains('\u{0}'));
}
