//! Proves the transcript fixtures themselves: every file loads, is titled with its RFC
//! section, every direction ends with CRLF, and every IMAP literal `{n}` announces exactly
//! the bytes that follow it (the literal ends where IMAP syntax can continue).

#[path = "support/transcript.rs"]
mod transcript;

use transcript::{fixture_files, load_transcript};

/// Checks each `{n}` / `{n+}` / `{n-}` / `~{n}` literal at a line end in `stream`.
fn check_literals(stream: &[u8]) -> Result<usize, String> {
    let mut count = 0;
    let mut pos = 0;
    while pos < stream.len() {
        let rest = &stream[pos..];
        let Some(line_len) = rest.windows(2).position(|w| w == b"\r\n") else {
            return Err(format!("no CRLF after offset {pos}"));
        };
        let line = &rest[..line_len];
        pos += line_len + 2;
        let Some(size) = literal_size(line) else {
            continue;
        };
        count += 1;
        if pos + size > stream.len() {
            return Err(format!(
                "literal {{{size}}} at offset {pos} runs past the end ({} bytes left)",
                stream.len() - pos
            ));
        }
        pos += size;
        match stream.get(pos) {
            Some(b' ') | Some(b'\r') | Some(b')') => {
                // the literal may end inside a line: resume scanning the rest of it
                let tail = &stream[pos..];
                let end = tail
                    .windows(2)
                    .position(|w| w == b"\r\n")
                    .unwrap_or(tail.len());
                if literal_size(&tail[..end]).is_none() {
                    pos += (end + 2).min(tail.len());
                }
            }
            other => {
                return Err(format!(
                    "literal {{{size}}} ends at offset {pos} before {:?}, not SP, CRLF or ')'",
                    other.map(|b| *b as char)
                ));
            }
        }
    }
    Ok(count)
}

/// Every logical line (a line with its literals) closes each `(` and `[` it opens; quoted
/// strings and literal contents are skipped. Catches RFC examples with a lost bracket.
fn check_brackets(stream: &[u8]) -> Result<(), String> {
    let (mut parens, mut brackets, mut in_quote, mut escaped) = (0i32, 0i32, false, false);
    let mut line_start = 0;
    let mut pos = 0;
    while pos < stream.len() {
        let byte = stream[pos];
        if in_quote {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_quote = false,
                _ => {}
            }
            pos += 1;
            continue;
        }
        match byte {
            b'"' => in_quote = true,
            b'(' => parens += 1,
            b')' => parens -= 1,
            b'[' => brackets += 1,
            b']' => brackets -= 1,
            b'\n' if pos > 0 && stream[pos - 1] == b'\r' => {
                let line = &stream[line_start..pos - 1];
                if let Some(size) = literal_size(line) {
                    pos += 1 + size;
                    line_start = pos;
                    continue;
                }
                if parens != 0 || brackets != 0 {
                    return Err(format!(
                        "unbalanced ({parens} parens, {brackets} brackets) before offset {pos}: {:?}",
                        String::from_utf8_lossy(line)
                    ));
                }
                line_start = pos + 1;
            }
            _ => {}
        }
        pos += 1;
    }
    Ok(())
}

/// `{n}`, `{n+}`, `{n-}` or `~{n}` at the end of a line.
fn literal_size(line: &[u8]) -> Option<usize> {
    let body = line.strip_suffix(b"}")?;
    let open = body.iter().rposition(|b| *b == b'{')?;
    let digits = &body[open + 1..];
    let digits = digits
        .strip_suffix(b"+")
        .or_else(|| digits.strip_suffix(b"-"))
        .unwrap_or(digits);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[test]
fn every_rfc_fixture_is_well_formed() {
    let files = fixture_files("rfc");
    assert!(
        files.len() > 400,
        "expected the extracted RFC fixtures, found {}",
        files.len()
    );
    let mut literals = 0;
    let mut failures = Vec::new();
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
        for (label, stream) in [
            ("client", transcript.client()),
            ("server", transcript.server()),
        ] {
            if !stream.is_empty() && !stream.ends_with(b"\r\n") {
                failures.push(format!("{name}: {label} stream does not end with CRLF"));
            }
            match check_literals(&stream) {
                Ok(n) => literals += n,
                Err(e) => failures.push(format!("{name}: {label}: {e}")),
            }
            if let Err(e) = check_brackets(&stream) {
                failures.push(format!("{name}: {label}: {e}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} bad fixtures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        literals >= 10,
        "expected literal-carrying fixtures, found {literals} literals"
    );
}

#[test]
fn literal_checker_rejects_a_wrong_size() {
    assert!(check_literals(b"a APPEND x {5}\r\nhello\r\n").is_ok());
    assert!(check_literals(b"a APPEND x {4}\r\nhello\r\n").is_err());
    assert!(check_literals(b"a APPEND x {9}\r\nhello\r\n").is_err());
    assert!(check_literals(b"a LOGIN {3}\r\nbob {3}\r\npwd\r\n").is_ok());
    assert_eq!(check_literals(b"a LOGIN {3}\r\nbob {3}\r\npwd\r\n"), Ok(2));
}

#[test]
fn bracket_checker_finds_a_lost_parenthesis() {
    assert!(check_brackets(b"* 1 FETCH (FLAGS (\\Seen))\r\n").is_ok());
    assert!(check_brackets(b"* 1 FETCH (FLAGS (\\Seen)\r\n").is_err());
    assert!(check_brackets(b"* OK [PERMANENTFLAGS (a b ]\r\n").is_err());
    assert!(check_brackets(b"* LIST () \"(\" x\r\n").is_ok());
    assert!(check_brackets(b"* 1 FETCH (BODY[] {3}\r\n((()\r\n").is_ok());
}

#[test]
fn loader_splits_directions_in_order() {
    let t =
        transcript::parse("# RFC 9051 §6.1.2: NOOP\nC: a NOOP\nS: * 1 EXISTS\nS: a OK\n").unwrap();
    assert_eq!(t.title, "RFC 9051 §6.1.2: NOOP");
    assert_eq!(t.client(), b"a NOOP\r\n");
    assert_eq!(t.server(), b"* 1 EXISTS\r\na OK\r\n");
    assert_eq!(t.steps.len(), 2);
    let literal = transcript::parse("# x\nC: a {5}\nhello\nC:\n").unwrap();
    assert_eq!(literal.client(), b"a {5}\r\nhello\r\n\r\n");
    assert!(transcript::parse("no title\nC: a\n").is_err());
}

/// `(name, client, server)` for every recorded session in `tests/fixtures/real`.
fn recorded_sessions() -> Vec<(String, Vec<u8>, Vec<u8>)> {
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
    names
        .into_iter()
        .map(|name| {
            let client = std::fs::read(dir.join(format!("{name}.client"))).unwrap();
            let server = std::fs::read(dir.join(format!("{name}.server"))).unwrap();
            (name, client, server)
        })
        .collect()
}

#[test]
fn every_recorded_session_is_complete() {
    let sessions = recorded_sessions();
    assert!(
        sessions.len() >= 5,
        "expected recorded sessions, found {}",
        sessions.len()
    );
    let mut literals = 0;
    for (name, client, server) in &sessions {
        assert!(server.starts_with(b"* OK "), "{name}: no greeting");
        for (label, stream) in [("client", client), ("server", server)] {
            assert!(
                stream.ends_with(b"\r\n"),
                "{name}: {label} does not end with CRLF"
            );
            literals += check_literals(stream).unwrap_or_else(|e| panic!("{name}: {label}: {e}"));
            check_brackets(stream).unwrap_or_else(|e| panic!("{name}: {label}: {e}"));
        }
    }
    assert!(
        literals > 0,
        "recorded sessions should carry FETCH/APPEND literals"
    );
}
