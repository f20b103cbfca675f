//! ENVELOPE, BODYSTRUCTURE and body sections of stored messages for the reference IMAP
//! server, from the MIME tree `mail-parser` builds (no MIME parsing of our own).

use mail_parser::{Address, MessageParser, MessagePart, MimeHeaders, PartType};

/// An IMAP `nstring`: NIL, a quoted string, or a literal when quoting cannot carry it.
pub fn nstring(value: Option<&str>) -> String {
    match value {
        None => "NIL".to_string(),
        Some(text) => string(text),
    }
}

/// An IMAP `string`: quoted when possible, else a literal.
pub fn string(text: &str) -> String {
    let quotable = text
        .bytes()
        .all(|b| b != b'\r' && b != b'\n' && b != 0 && b.is_ascii());
    if quotable {
        let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\"")
    } else {
        format!("{{{}}}\r\n{text}", text.len())
    }
}

fn addresses(address: Option<&Address<'_>>) -> String {
    let Some(address) = address else {
        return "NIL".to_string();
    };
    let mut out = String::from("(");
    for addr in address.iter() {
        let (mailbox, host) = match addr.address.as_deref() {
            Some(a) => match a.rsplit_once('@') {
                Some((local, host)) => (Some(local), Some(host)),
                None => (Some(a), None),
            },
            None => (None, None),
        };
        out.push_str(&format!(
            "({} NIL {} {})",
            nstring(addr.name.as_deref()),
            nstring(mailbox),
            nstring(host)
        ));
    }
    out.push(')');
    if out == "()" { "NIL".to_string() } else { out }
}

/// The ENVELOPE of a raw message (RFC 9051 §7.5.2).
pub fn envelope(raw: &[u8]) -> String {
    let Some(message) = MessageParser::default().parse(raw) else {
        return "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)".to_string();
    };
    let raw_header = |name: &'static str| message.header_raw(name).map(str::trim);
    let from = addresses(message.from());
    let sender = message
        .sender()
        .map_or_else(|| from.clone(), |a| addresses(Some(a)));
    let reply_to = message
        .reply_to()
        .map_or_else(|| from.clone(), |a| addresses(Some(a)));
    format!(
        "({} {} {} {} {} {} {} {} {} {})",
        nstring(raw_header("Date")),
        nstring(message.subject()),
        from,
        sender,
        reply_to,
        addresses(message.to()),
        addresses(message.cc()),
        addresses(message.bcc()),
        nstring(raw_header("In-Reply-To")),
        nstring(raw_header("Message-ID")),
    )
}

fn lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

fn part_structure(
    message: &mail_parser::Message<'_>,
    part: &MessagePart<'_>,
    raw: &[u8],
) -> String {
    let content_type = part.content_type();
    let (ctype, subtype) = match content_type {
        Some(ct) => (
            ct.c_type.to_ascii_uppercase(),
            ct.c_subtype
                .as_deref()
                .unwrap_or("PLAIN")
                .to_ascii_uppercase(),
        ),
        None => ("TEXT".to_string(), "PLAIN".to_string()),
    };
    let params = |skip_boundary: bool| -> String {
        let attributes: Vec<String> = content_type
            .and_then(|ct| ct.attributes.as_ref())
            .map(|attrs| {
                attrs
                    .iter()
                    .filter(|a| !skip_boundary || !a.name.eq_ignore_ascii_case("boundary"))
                    .map(|a| {
                        format!(
                            "{} {}",
                            string(&a.name.to_ascii_uppercase()),
                            string(&a.value)
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        if attributes.is_empty() {
            "NIL".to_string()
        } else {
            format!("({})", attributes.join(" "))
        }
    };
    if let PartType::Multipart(children) = &part.body {
        let mut out = String::from("(");
        for child in children {
            if let Some(child) = message.part(*child) {
                out.push_str(&part_structure(message, child, raw));
            }
        }
        let boundary = content_type
            .and_then(|ct| ct.attributes.as_ref())
            .and_then(|a| a.iter().find(|a| a.name.eq_ignore_ascii_case("boundary")))
            .map(|a| format!("(\"BOUNDARY\" {})", string(&a.value)))
            .unwrap_or_else(|| "NIL".to_string());
        out.push_str(&format!(" {} {boundary} NIL NIL NIL)", string(&subtype)));
        return out;
    }
    let start = part.offset_body as usize;
    let end = (part.offset_end as usize).min(raw.len());
    let body = raw.get(start.min(end)..end).unwrap_or_default();
    let encoding = part
        .content_transfer_encoding()
        .map(str::to_ascii_uppercase)
        .unwrap_or_else(|| "7BIT".to_string());
    let mut out = format!(
        "({} {} {} {} {} {} {}",
        string(&ctype),
        string(&subtype),
        params(false),
        nstring(part.content_id()),
        nstring(part.content_description()),
        string(&encoding),
        body.len()
    );
    if ctype == "TEXT" {
        out.push_str(&format!(" {}", lines(body)));
    } else if ctype == "MESSAGE" && subtype == "RFC822" {
        out.push_str(&format!(
            " {} {} {}",
            envelope(body),
            bodystructure(body),
            lines(body)
        ));
    }
    // body-ext-1part: md5, disposition, language, location.
    out.push_str(" NIL NIL NIL NIL)");
    out
}

/// The BODYSTRUCTURE of a raw message (RFC 9051 §7.5.2), with extension data.
pub fn bodystructure(raw: &[u8]) -> String {
    let Some(message) = MessageParser::default().parse(raw) else {
        return format!(
            "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" {} {} NIL NIL NIL NIL)",
            raw.len(),
            lines(raw)
        );
    };
    part_structure(&message, message.root_part(), raw)
}

/// Where the header ends: the offset after the blank line (or the end).
pub fn header_end(raw: &[u8]) -> usize {
    raw.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| at + 4)
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|at| at + 2))
        .unwrap_or(raw.len())
}

/// The bytes of a section: `part` numbers (empty for the whole message) and `text`
/// (`HEADER`, `TEXT`, `MIME` or none).
pub fn section(raw: &[u8], part: &[u32], text: Option<&str>) -> Vec<u8> {
    let (scope_start, scope_end, header_start) = if part.is_empty() {
        (0, raw.len(), 0)
    } else {
        let Some(message) = MessageParser::default().parse(raw) else {
            return Vec::new();
        };
        let mut current = message.root_part();
        for &number in part {
            match &current.body {
                PartType::Multipart(children) => {
                    let Some(child) = children
                        .get((number as usize).saturating_sub(1))
                        .and_then(|id| message.part(*id))
                    else {
                        return Vec::new();
                    };
                    current = child;
                }
                _ if number == 1 => {}
                _ => return Vec::new(),
            }
        }
        (
            current.offset_body as usize,
            (current.offset_end as usize).min(raw.len()),
            current.offset_header as usize,
        )
    };
    let scope = raw
        .get(scope_start.min(scope_end)..scope_end)
        .unwrap_or_default();
    match text {
        None => scope.to_vec(),
        Some("HEADER") if part.is_empty() => {
            scope.get(..header_end(scope)).unwrap_or_default().to_vec()
        }
        Some("TEXT") if part.is_empty() => {
            scope.get(header_end(scope)..).unwrap_or_default().to_vec()
        }
        Some("MIME") | Some("HEADER") => raw
            .get(header_start.min(scope_start)..scope_start)
            .unwrap_or_default()
            .to_vec(),
        _ => scope.to_vec(),
    }
}

/// The header fields of `raw` whose names are in `names` (or not in them, with `not`).
pub fn header_fields(raw: &[u8], names: &[String], not: bool) -> Vec<u8> {
    let header = raw.get(..header_end(raw)).unwrap_or_default();
    let mut out = Vec::new();
    let mut keep = false;
    for line in header.split_inclusive(|&b| b == b'\n') {
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        if !line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            let name = line.split(|&b| b == b':').next().unwrap_or_default();
            let listed = names
                .iter()
                .any(|n| n.as_bytes().eq_ignore_ascii_case(name.trim_ascii()));
            keep = listed != not;
        }
        if keep {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MULTIPART: &[u8] = b"From: Alice <alice@example.test>\r\nTo: bob@example.test\r\nSubject: hi\r\n\
Message-ID: <m1@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n\
--XX\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nhello\r\nworld\r\n--XX\r\n\
Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--XX--\r\n";

    #[test]
    fn multipart_bodystructure_lists_both_parts_and_the_subtype() {
        let structure = bodystructure(MULTIPART);
        assert!(
            structure.starts_with("((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\")"),
            "{structure}"
        );
        assert!(
            structure.contains("(\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"BASE64\""),
            "{structure}"
        );
        assert!(
            structure.contains(" \"MIXED\" (\"BOUNDARY\" \"XX\")"),
            "{structure}"
        );
    }

    #[test]
    fn envelope_has_subject_and_addresses() {
        let envelope = envelope(MULTIPART);
        assert!(envelope.contains("\"hi\""), "{envelope}");
        assert!(
            envelope.contains("((\"Alice\" NIL \"alice\" \"example.test\"))"),
            "{envelope}"
        );
        assert!(envelope.ends_with("\"<m1@example.test>\")"), "{envelope}");
    }

    #[test]
    fn sections_cut_where_they_should() {
        assert!(section(MULTIPART, &[], Some("HEADER")).ends_with(b"\r\n\r\n"));
        assert_eq!(section(MULTIPART, &[1], None), b"hello\r\nworld");
        let fields = header_fields(MULTIPART, &["subject".to_string()], false);
        assert_eq!(fields, b"Subject: hi\r\n\r\n");
    }
}
