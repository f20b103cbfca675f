//! Proves the SMTP transcript fixtures themselves: every file loads and names its RFC, every
//! direction ends with CRLF, every server line is a reply line (`NNN`, `NNN-text`,
//! `NNN text`) and multi-line replies end with a last line of the same code, every DATA
//! section ends with the `.` line, and every `BDAT n` is followed by exactly n octets before
//! the next command.

// One loader for the transcript format both crates' fixtures use.
#[path = "support/transcript.rs"]
mod transcript;

use transcript::{fixture_files, load_transcript};

/// Walks the client stream command by command, skipping DATA and BDAT payloads.
/// Returns the number of commands seen.
/// `accepted_data` is how many DATA commands the server answered with 354: later DATA
/// commands (rejected, e.g. no valid recipients) carry no message.
fn check_client(stream: &[u8], accepted_data: usize) -> Result<usize, String> {
    let mut accepted_data = accepted_data;
    let mut pos = 0;
    let mut commands = 0;
    let mut in_data = false;
    while pos < stream.len() {
        let rest = &stream[pos..];
        let Some(len) = rest.windows(2).position(|w| w == b"\r\n") else {
            return Err(format!("no CRLF after offset {pos}"));
        };
        let line = &rest[..len];
        pos += len + 2;
        if in_data {
            if line == b"." {
                in_data = false;
            }
            continue;
        }
        commands += 1;
        let upper = line.to_ascii_uppercase();
        if upper == b"DATA" {
            if accepted_data > 0 {
                accepted_data -= 1;
                in_data = true;
            }
        } else if let Some(args) = upper.strip_prefix(b"BDAT ") {
            let size_text = args.split(|b| *b == b' ').next().unwrap_or_default();
            let size: usize = std::str::from_utf8(size_text)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| format!("bad BDAT size in {:?}", String::from_utf8_lossy(line)))?;
            if pos + size > stream.len() {
                return Err(format!("BDAT {size} runs past the end of the stream"));
            }
            pos += size;
            if pos < stream.len() && !starts_with_verb(&stream[pos..]) {
                return Err(format!("BDAT {size} chunk is not followed by a command"));
            }
        }
    }
    if in_data {
        return Err("DATA without the terminating \".\" line".to_string());
    }
    Ok(commands)
}

/// Whether `bytes` starts with an SMTP command verb and its separator.
fn starts_with_verb(bytes: &[u8]) -> bool {
    const VERBS: [&[u8]; 15] = [
        b"EHLO",
        b"HELO",
        b"LHLO",
        b"MAIL",
        b"RCPT",
        b"DATA",
        b"BDAT",
        b"QUIT",
        b"RSET",
        b"NOOP",
        b"VRFY",
        b"EXPN",
        b"HELP",
        b"AUTH",
        b"STARTTLS",
    ];
    VERBS.iter().any(|verb| {
        bytes.len() > verb.len()
            && bytes[..verb.len()].eq_ignore_ascii_case(verb)
            && matches!(bytes[verb.len()], b' ' | b'\r')
    })
}

/// Every server line is a reply line; a `NNN-` line is continued by the same code.
fn check_server(stream: &[u8]) -> Result<usize, String> {
    let text = std::str::from_utf8(stream).map_err(|e| e.to_string())?;
    let mut replies = 0;
    let mut open: Option<&str> = None;
    for line in text.split_terminator("\r\n") {
        let code = line
            .get(..3)
            .filter(|c| c.bytes().all(|b| b.is_ascii_digit()));
        let Some(code) = code else {
            return Err(format!("not a reply line: {line:?}"));
        };
        if let Some(expected) = open
            && expected != code
        {
            return Err(format!("reply {expected} continued by {code}"));
        }
        match line.as_bytes().get(3) {
            Some(b'-') => open = Some(code),
            None | Some(b' ') => {
                open = None;
                replies += 1;
            }
            Some(_) => return Err(format!("bad separator after code: {line:?}")),
        }
    }
    match open {
        Some(code) => Err(format!("multi-line {code} reply has no last line")),
        None => Ok(replies),
    }
}

#[test]
fn every_rfc_fixture_is_well_formed() {
    let files = fixture_files("rfc");
    assert!(
        files.len() >= 25,
        "expected the RFC fixtures, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    let (mut commands, mut replies) = (0, 0);
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let transcript = match load_transcript(path) {
            Ok(t) => t,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        let rfc = name.split('-').next().unwrap().trim_start_matches("rfc");
        if !transcript.title.starts_with(&format!("RFC {rfc} §")) {
            failures.push(format!(
                "{name}: title {:?} does not name RFC {rfc}",
                transcript.title
            ));
        }
        let (client, server) = (transcript.client(), transcript.server());
        for (label, stream) in [("client", &client), ("server", &server)] {
            if !stream.is_empty() && !stream.ends_with(b"\r\n") {
                failures.push(format!("{name}: {label} stream does not end with CRLF"));
            }
        }
        let accepted = server
            .split(|b| *b == b'\n')
            .filter(|line| line.starts_with(b"354"))
            .count();
        match check_client(&client, accepted) {
            Ok(n) => commands += n,
            Err(e) => failures.push(format!("{name}: client: {e}")),
        }
        match check_server(&server) {
            Ok(n) => replies += n,
            Err(e) => failures.push(format!("{name}: server: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} bad fixtures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        commands > 100 && replies > 100,
        "{commands} commands, {replies} replies"
    );
}

#[test]
fn checkers_reject_broken_streams() {
    assert_eq!(check_client(b"BDAT 5 LAST\r\nhelloQUIT\r\n", 0), Ok(2));
    assert!(check_client(b"BDAT 6 LAST\r\nhelloQUIT\r\n", 0).is_err());
    assert!(check_client(b"BDAT 4 LAST\r\nhelloQUIT\r\n", 0).is_err());
    assert!(check_client(b"DATA\r\nbody\r\n", 1).is_err());
    assert_eq!(check_client(b"DATA\r\nbody\r\n.\r\nQUIT\r\n", 1), Ok(2));
    assert_eq!(check_client(b"DATA\r\nQUIT\r\n", 0), Ok(2));
    assert_eq!(check_server(b"250-a\r\n250 b\r\n334\r\n"), Ok(2));
    assert!(check_server(b"250-a\r\n251 b\r\n").is_err());
    assert!(check_server(b"TLS go ahead\r\n").is_err());
    assert!(check_server(b"250-a\r\n").is_err());
}

#[test]
fn every_recorded_session_is_complete() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| {
                    e.file_name()
                        .to_str()?
                        .strip_suffix(".client")
                        .map(String::from)
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    assert!(
        names.len() >= 5,
        "expected recorded sessions, found {}",
        names.len()
    );
    for name in names {
        let client = std::fs::read(dir.join(format!("{name}.client"))).unwrap();
        let server = std::fs::read(dir.join(format!("{name}.server"))).unwrap();
        assert!(server.starts_with(b"220 "), "{name}: no 220 greeting");
        let accepted = server
            .split(|b| *b == b'\n')
            .filter(|line| line.starts_with(b"354"))
            .count();
        let commands = check_client(&client, accepted).unwrap_or_else(|e| panic!("{name}: {e}"));
        let replies = check_server(&server).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            commands >= 2 && replies > commands / 2,
            "{name}: {commands} / {replies}"
        );
    }
}
