//! The `groupwire` binary's command-line contract, run as a user would.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn groupwire(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_groupwire"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("groupwire starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("stdin written");
    child.wait_with_output().expect("groupwire ends")
}

#[test]
fn version_names_the_package_version() {
    let out = groupwire(&["--version"], b"");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.trim(),
        format!("groupwire {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_lists_parse_and_exit_codes() {
    let out = groupwire(&["--help"], b"");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("parse"), "{text}");
    assert!(text.contains("Exit codes:"), "{text}");
}

#[test]
fn parse_rejects_an_unknown_protocol_as_usage_error() {
    let out = groupwire(&["parse", "gopher"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn parse_help_names_every_protocol() {
    let out = groupwire(&["parse", "--help"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    for protocol in [
        "imap-client",
        "imap-server",
        "smtp-client",
        "smtp-server",
        "dav-request",
        "dav-response",
        "ical",
        "vcard",
    ] {
        assert!(text.contains(protocol), "{protocol} missing from:\n{text}");
    }
}

#[test]
fn parse_of_a_missing_file_is_a_usage_error() {
    let out = groupwire(&["parse", "imap-server", "/nonexistent/capture"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read input"));
}

#[test]
fn parse_of_empty_input_is_an_empty_stream_or_an_incomplete_body() {
    for protocol in [
        "imap-client",
        "imap-server",
        "smtp-client",
        "smtp-server",
        "ical",
        "vcard",
    ] {
        let out = groupwire(&["parse", protocol], b"");
        // An empty stream holds no message: success with no output.
        assert_eq!(out.status.code(), Some(0), "{protocol}");
        assert!(out.stdout.is_empty(), "{protocol}");
    }
    for protocol in ["dav-request", "dav-response"] {
        let out = groupwire(&["parse", protocol], b"");
        let stdout = String::from_utf8_lossy(&out.stdout);
        // A body is one message: empty input is incomplete.
        assert_eq!(out.status.code(), Some(1), "{protocol}");
        assert!(
            stdout.contains("incomplete at offset 0"),
            "{protocol}: {stdout}"
        );
    }
}

#[test]
fn parse_imap_client_follows_literals_authenticate_and_idle() {
    let session = b"a1 LOGIN {4}\r\nfred secret\r\na2 AUTHENTICATE PLAIN\r\nAGZyZWQAc2VjcmV0\r\n\
a3 SELECT INBOX (CONDSTORE)\r\na4 IDLE\r\nDONE\r\na5 APPEND INBOX {5+}\r\nhello\r\n";
    let out = groupwire(&["parse", "imap-client", "--roundtrip"], session);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON line"))
        .collect();
    let kinds: Vec<_> = lines.iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "command",
            "command",
            "sasl-response",
            "command",
            "command",
            "idle-done",
            "command"
        ]
    );
    let offsets: Vec<_> = lines
        .iter()
        .map(|l| l["offset"].as_u64().unwrap())
        .collect();
    assert_eq!(offsets, [0, 27, 50, 68, 97, 106, 112]);
    assert_eq!(lines[0]["value"]["body"]["Login"]["username"], "fred");
    assert_eq!(lines[2]["value"]["Data"], "AGZyZWQAc2VjcmV0");

    // A command cut short is incomplete at its start; a bad one fails where it goes wrong.
    let out = groupwire(&["parse", "imap-client"], b"a NOOP\r\nb LOGIN {10}\r\nab");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("incomplete at offset 8"));
    let out = groupwire(&["parse", "imap-client"], b"a NOOP\r\nb FETCH 1 \"OGUS\r\n");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\"offset\":18"), "{stdout}");
}

#[test]
fn parse_dav_bodies_round_trip_and_report_errors() {
    let propfind = b"<propfind xmlns=\"DAV:\"><prop><getetag/></prop></propfind>\n";
    let out = groupwire(&["parse", "dav-request", "--roundtrip"], propfind);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.starts_with("{\"offset\":0,\"len\":58,\"kind\":\"propfind\""),
        "{stdout}"
    );
    assert!(stdout.contains("{DAV:}getetag"), "{stdout}");
    let multistatus = b"<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>/a</D:href>\
        <D:status>HTTP/1.1 404 Not Found</D:status></D:response></D:multistatus>";
    let out = groupwire(&["parse", "dav-response", "--roundtrip"], multistatus);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"kind\":\"multistatus\""));
    // A truncated body is incomplete; a DTD is refused with its offset.
    let out = groupwire(&["parse", "dav-response"], &multistatus[..40]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("incomplete at offset 0"));
    let out = groupwire(
        &["parse", "dav-request"],
        b"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("DTDs are refused"));
}

#[test]
fn parse_smtp_client_and_server_streams() {
    let client = b"EHLO bar.com\r\nMAIL FROM:<Smith@bar.com> SIZE=500\r\nRCPT TO:<Jones@foo.com>\r\nDATA\r\nBlah\r\n..dot\r\n.\r\nQUIT\r\n";
    let out = groupwire(&["parse", "smtp-client", "--roundtrip"], client);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 6, "{text}");
    assert!(
        text.contains(r#""kind":"message-data""#) && text.contains(r#"Blah\r\n.dot\r\n"#),
        "{text}"
    );

    let server = b"220 foo.com ready\r\n250-foo.com\r\n250 8BITMIME\r\n550 5.1.1 No such user\r\n";
    let out = groupwire(&["parse", "smtp-server", "--roundtrip"], server);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(r#""enhanced_code":"5.1.1""#), "{text}");

    // SMTP smuggling: a bare-LF terminator is an error, exit 1.
    let out = groupwire(&["parse", "smtp-client"], b"DATA\r\nx\n.\nQUIT\r\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("bare LF"));
}

#[test]
fn parse_ical_and_vcard_streams() {
    let two = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:a\\, b\r\nEND:VEVENT\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:y\r\nEND:VCALENDAR";
    let out = groupwire(&["parse", "ical", "--roundtrip"], two);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[0]["kind"], "vcalendar");
    assert_eq!(lines[0]["offset"], 0);
    assert_eq!(lines[1]["offset"], lines[0]["len"]);
    let event = &lines[0]["value"]["component"]["components"][0];
    assert_eq!(event["properties"][1]["value"], "a\\, b");

    // A file that is only a VTODO (common in test suites and CalDAV bodies).
    let todo = groupwire(
        &["parse", "ical", "--roundtrip"],
        b"BEGIN:VTODO\r\nUID:t\r\nSUMMARY:File the report\r\nEND:VTODO",
    );
    assert_eq!(
        todo.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&todo.stdout)
    );
    let line: serde_json::Value =
        serde_json::from_slice(todo.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(line["kind"], "component");
    assert_eq!(line["value"]["component"]["name"], "VTODO");

    let truncated = groupwire(&["parse", "ical"], b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
    assert_eq!(truncated.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&truncated.stdout).contains("incomplete at offset 0"));

    let card = groupwire(
        &["parse", "vcard", "--roundtrip"],
        b"BEGIN:VCARD\nVERSION:3.0\nFN:X\nitem1.TEL:1\nEND:VCARD\n",
    );
    assert_eq!(card.status.code(), Some(0));
    let line: serde_json::Value =
        serde_json::from_slice(card.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(line["kind"], "vcard");
    assert_eq!(line["value"]["vcard"]["properties"][2]["group"], "item1");
    assert_eq!(line["value"]["warnings"][0]["defect"], "BareLineFeed");
}
