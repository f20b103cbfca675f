//! Proves the DAV fixtures themselves: every XML body is well-formed (quick-xml, end names
//! checked), every iCalendar / vCard file uses CRLF line ends with balanced BEGIN/END, and
//! every JSON (jCal / jCard) file parses.

use std::path::{Path, PathBuf};

fn files(sub: &str, extension: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(sub);
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| path.extension().is_some_and(|ext| ext == extension))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// Counts elements; errors on malformed XML.
fn check_xml(bytes: &[u8]) -> Result<usize, String> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut elements = 0;
    let mut depth = 0usize;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Start(_)) => {
                elements += 1;
                depth += 1;
            }
            Ok(quick_xml::events::Event::Empty(_)) => elements += 1,
            Ok(quick_xml::events::Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("at {}: {e}", reader.buffer_position())),
        }
        buf.clear();
    }
    if depth != 0 || elements == 0 {
        return Err(format!("{depth} unclosed elements, {elements} elements"));
    }
    Ok(elements)
}

/// CRLF everywhere and BEGIN/END pairs nested; returns the number of components.
fn check_text_object(bytes: &[u8]) -> Result<usize, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    if !text.ends_with("\r\n") || text.replace("\r\n", "").contains('\n') {
        return Err("line ends are not all CRLF".to_string());
    }
    let mut stack: Vec<String> = Vec::new();
    let mut components = 0;
    for line in text.split_terminator("\r\n") {
        let upper = line.to_ascii_uppercase();
        if let Some(name) = upper.strip_prefix("BEGIN:") {
            stack.push(name.to_string());
            components += 1;
        } else if let Some(name) = upper.strip_prefix("END:") {
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("END:{name} closes {other:?}")),
            }
        } else if stack.is_empty() {
            return Err(format!("line outside any component: {line:?}"));
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed {stack:?}"));
    }
    Ok(components)
}

#[test]
fn every_rfc_xml_body_is_well_formed() {
    let xml = files("rfc", "xml");
    assert!(
        xml.len() > 150,
        "expected the RFC XML fixtures, found {}",
        xml.len()
    );
    let failures: Vec<String> = xml
        .iter()
        .filter_map(|path| {
            let bytes = std::fs::read(path).ok()?;
            check_xml(&bytes)
                .err()
                .map(|e| format!("{}: {e}", path.display()))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let requests = xml
        .iter()
        .filter(|p| p.to_string_lossy().ends_with("-request.xml"))
        .count();
    let responses = xml
        .iter()
        .filter(|p| p.to_string_lossy().ends_with("-response.xml"))
        .count();
    assert!(
        requests > 40 && responses > 40,
        "{requests} requests, {responses} responses"
    );
}

#[test]
fn every_rfc_calendar_and_card_is_balanced() {
    let objects: Vec<PathBuf> = files("rfc", "ics")
        .into_iter()
        .chain(files("rfc", "vcf"))
        .collect();
    assert!(objects.len() > 60, "found {}", objects.len());
    let failures: Vec<String> = objects
        .iter()
        .filter_map(|path| {
            let bytes = std::fs::read(path).ok()?;
            check_text_object(&bytes)
                .err()
                .map(|e| format!("{}: {e}", path.display()))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_json_fixture_parses() {
    let json = files("rfc", "json");
    assert!(json.len() >= 2);
    for path in json {
        let bytes = std::fs::read(&path).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let kind = value.get(0).and_then(|v| v.as_str()).unwrap_or_default();
        assert!(
            matches!(kind, "vcard" | "vcalendar"),
            "{}: {kind}",
            path.display()
        );
    }
}

#[test]
fn every_recorded_xml_body_is_well_formed() {
    let recorded: Vec<PathBuf> = files("real/radicale", "xml")
        .into_iter()
        .chain(files("real/apache", "xml"))
        .collect();
    assert!(
        recorded.len() >= 10,
        "expected recorded XML bodies, found {}",
        recorded.len()
    );
    for path in recorded {
        let bytes = std::fs::read(&path).unwrap();
        check_xml(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn checkers_reject_broken_input() {
    assert!(check_xml(b"<a><b></a>").is_err());
    assert!(check_xml(b"<D:a xmlns:D=\"DAV:\"><D:b/></D:a>").is_ok());
    assert!(
        check_text_object(b"BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
            .is_err()
    );
    assert!(check_text_object(b"BEGIN:VCARD\nEND:VCARD\n").is_err());
    assert_eq!(
        check_text_object(b"BEGIN:VCARD\r\nFN:x\r\nEND:VCARD\r\n"),
        Ok(1)
    );
}
