//! ENVELOPE, BODYSTRUCTURE and body sections of stored messages for the reference IMAP
//! server, from the MIME tree `mail-parser` builds (no MIME parsing of our own). ENVELOPE
//! and BODYSTRUCTURE are `groupwire-imap` values, encoded by the codec.

use groupwire_imap::core::string::{Literal, Quoted};
use groupwire_imap::core::{ByteStr, IString, LazyList};
use groupwire_imap::response::bodystructure::{
    BodyFields, BodyParams, ExtensionTail, LanguageTail, LocationTail, MultipartExtension,
    SinglePart, SinglePartExtension, SinglePartKind,
};
use groupwire_imap::response::envelope::{Address, Envelope};
use groupwire_imap::response::{BodyStructure, bodystructure::Multipart};
use mail_parser::{MessageParser, MessagePart, MimeHeaders, PartType};

/// An IMAP `nstring`: NIL, or [`string`].
pub fn nstring(value: Option<&str>) -> Option<IString<'static>> {
    value.map(string)
}

/// An IMAP `string`: quoted when it is 7-bit text without CR, LF or NUL (what IMAP4rev1's
/// quoted strings carry), else a literal.
pub fn string(text: &str) -> IString<'static> {
    match Quoted::new(text.as_bytes()).filter(|_| text.is_ascii()) {
        Some(quoted) => IString::Quoted(quoted),
        None => IString::Literal(Literal::new(ByteStr::from(text.as_bytes().to_vec()))),
    }
}

/// One lexical token of an RFC 5322 address header.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// An atom, a dot-atom piece or a domain literal, as written.
    Word(String),
    /// A quoted string, unescaped.
    Quoted(String),
    /// A comment's text (nested comments flattened).
    Comment(String),
    /// One of `< > @ : ; , .`.
    Special(char),
}

/// Splits an address header value into tokens (RFC 5322 §3.2, §3.4), folding removed.
fn tokens(value: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\r' | '\n' => {}
            '"' => {
                let mut text = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => text.extend(chars.next()),
                        '"' => break,
                        '\r' | '\n' => {}
                        other => text.push(other),
                    }
                }
                out.push(Token::Quoted(text));
            }
            '(' => {
                let mut depth = 1usize;
                let mut text = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => text.extend(chars.next()),
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        '\r' | '\n' => {}
                        other => text.push(other),
                    }
                }
                out.push(Token::Comment(text.trim().to_string()));
            }
            '[' => {
                let mut text = String::from("[");
                for c in chars.by_ref() {
                    text.push(c);
                    if c == ']' {
                        break;
                    }
                }
                out.push(Token::Word(text));
            }
            '<' | '>' | '@' | ':' | ';' | ',' | '.' => out.push(Token::Special(c)),
            other => {
                let mut text = String::from(other);
                while let Some(&next) = chars.peek() {
                    if next.is_whitespace() || "\"()<>@:;,.[]".contains(next) {
                        break;
                    }
                    text.push(next);
                    chars.next();
                }
                out.push(Token::Word(text));
            }
        }
    }
    out
}

/// One ENVELOPE address: (name, adl, mailbox, host).
type EnvelopeAddress = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The text of the words and dots in `tokens` (a local part, a domain or a route), comments
/// dropped.
fn dotted(tokens: &[Token]) -> String {
    let mut text = String::new();
    for token in tokens {
        match token {
            Token::Word(w) => text.push_str(w),
            Token::Quoted(q) => {
                text.push('"');
                text.push_str(&q.replace('\\', "\\\\").replace('"', "\\\""));
                text.push('"');
            }
            Token::Special(c) if *c != '<' && *c != '>' => text.push(*c),
            _ => {}
        }
    }
    text
}

/// A phrase (display name or group name): its words joined with one space.
fn phrase(tokens: &[Token]) -> Option<String> {
    let mut text = String::new();
    for token in tokens {
        match token {
            Token::Word(w) | Token::Quoted(w) => {
                if !text.is_empty() && !text.ends_with('.') {
                    text.push(' ');
                }
                text.push_str(w);
            }
            Token::Special('.') => text.push('.'),
            _ => {}
        }
    }
    (!text.is_empty()).then_some(text)
}

/// One mailbox (`name-addr` or `addr-spec`, RFC 5322 §3.4) from its tokens; `None` when
/// the tokens hold nothing but comments.
fn mailbox(tokens: &[Token]) -> Option<EnvelopeAddress> {
    if tokens.iter().all(|t| matches!(t, Token::Comment(_))) {
        return None;
    }
    let comment = tokens.iter().rev().find_map(|t| match t {
        Token::Comment(c) if !c.is_empty() => Some(c.clone()),
        _ => None,
    });
    let (name, spec) = match tokens.iter().position(|t| *t == Token::Special('<')) {
        Some(open) => {
            let close = tokens
                .iter()
                .position(|t| *t == Token::Special('>'))
                .unwrap_or(tokens.len())
                .max(open + 1);
            (
                phrase(tokens.get(..open).unwrap_or_default()),
                tokens.get(open + 1..close).unwrap_or_default(),
            )
        }
        None => (None, tokens),
    };
    // An obsolete source route (`@a,@b:`) before the addr-spec (RFC 5322 §4.4).
    let colon = spec.iter().position(|t| *t == Token::Special(':'));
    let (route, spec) = match (spec.first(), colon) {
        (Some(Token::Special('@')), Some(colon)) => (
            Some(dotted(spec.get(..colon).unwrap_or_default())),
            spec.get(colon + 1..).unwrap_or_default(),
        ),
        _ => (None, spec),
    };
    let (local, host) = match spec.iter().rposition(|t| *t == Token::Special('@')) {
        Some(at) => (
            dotted(spec.get(..at).unwrap_or_default()),
            dotted(spec.get(at + 1..).unwrap_or_default()),
        ),
        None => (dotted(spec), String::new()),
    };
    // A NIL host marks group syntax: an address without a domain gets a placeholder.
    let host = if host.is_empty() {
        "MISSING_DOMAIN".to_string()
    } else {
        host
    };
    Some((name.or(comment), route, Some(local), Some(host)))
}

/// The ENVELOPE addresses of one header value, with group syntax marked the way RFC 9051
/// §7.5.2 says (a NIL host starts a group, a NIL mailbox ends it).
fn envelope_addresses(value: &str) -> Vec<EnvelopeAddress> {
    let mut out = Vec::new();
    let mut current: Vec<Token> = Vec::new();
    let mut in_group = false;
    let mut in_angle = false;
    for token in tokens(value) {
        match token {
            Token::Special('<') => {
                in_angle = true;
                current.push(token);
            }
            Token::Special('>') => {
                in_angle = false;
                current.push(token);
            }
            Token::Special(':') if !in_angle && !in_group => {
                out.push((None, None, phrase(&current), None));
                current.clear();
                in_group = true;
            }
            Token::Special(',') if !in_angle => {
                out.extend(mailbox(&current));
                current.clear();
            }
            Token::Special(';') if !in_angle => {
                out.extend(mailbox(&current));
                current.clear();
                if in_group {
                    out.push((None, None, None, None));
                    in_group = false;
                }
            }
            other => current.push(other),
        }
    }
    out.extend(mailbox(&current));
    if in_group {
        out.push((None, None, None, None));
    }
    out
}

/// The old, flat reading of an address header (fault `imap-envelope-flat-addresses`): group
/// markers dropped, comments and routes kept in the mailbox.
fn flat_addresses(value: &str) -> Vec<EnvelopeAddress> {
    let mut out = Vec::new();
    for piece in value.split([',', ';']) {
        let piece = piece.rsplit_once('<').map_or(piece, |(_, rest)| rest);
        let piece = piece.trim().trim_end_matches('>').trim();
        let piece = match piece.split_once(':') {
            Some((_, rest)) if !piece.starts_with('@') => rest.trim(),
            _ => piece,
        };
        if piece.is_empty() {
            continue;
        }
        let (local, host) = piece.rsplit_once('@').unwrap_or((piece, ""));
        out.push((None, None, Some(local.to_string()), Some(host.to_string())));
    }
    out
}

/// The unfolded raw value of the first header field `name` in `header`.
fn raw_field(header: &[u8], name: &str) -> Option<String> {
    let fields = header_fields(header, &[name.to_string()], false);
    let text = String::from_utf8_lossy(&fields).into_owned();
    let (_, value) = text.split_once(':')?;
    Some(value.replace(['\r', '\n'], "").trim().to_string())
}

/// The ENVELOPE addresses of one header value (`None`, NIL, when absent or empty).
fn address_list(value: Option<String>, flat: bool) -> Option<Vec<Address<'static>>> {
    let value = value?;
    let list = if flat {
        flat_addresses(&value)
    } else {
        envelope_addresses(&value)
    };
    let addresses: Vec<Address<'static>> = list
        .into_iter()
        .map(|(name, route, mailbox, host)| Address {
            name: nstring(name.as_deref()),
            adl: nstring(route.as_deref()),
            mailbox: nstring(mailbox.as_deref()),
            host: nstring(host.as_deref()),
        })
        .collect();
    (!addresses.is_empty()).then_some(addresses)
}

/// The ENVELOPE of a raw message (RFC 9051 §7.5.2), every field from the raw header
/// (unfolded, encoded words left as they are).
pub fn envelope(raw: &[u8]) -> Envelope<'static> {
    envelope_with(raw, false)
}

/// [`envelope`], or with `flat` the fault's reading of the address fields.
pub fn envelope_with(raw: &[u8], flat: bool) -> Envelope<'static> {
    let header = raw.get(..header_end(raw)).unwrap_or_default();
    let present = |name: &str| raw_field(header, name).filter(|v| !v.is_empty());
    let from = address_list(present("From"), flat);
    let sender = present("Sender").map_or_else(|| from.clone(), |v| address_list(Some(v), flat));
    let reply_to =
        present("Reply-To").map_or_else(|| from.clone(), |v| address_list(Some(v), flat));
    // Date, Subject, In-Reply-To and Message-ID: NIL when absent, "" when empty.
    let field = |name: &str| nstring(raw_field(header, name).as_deref());
    Envelope {
        date: field("Date"),
        subject: field("Subject"),
        from: from.map(Into::into),
        sender: sender.map(Into::into),
        reply_to: reply_to.map(Into::into),
        to: address_list(present("To"), flat).map(Into::into),
        cc: address_list(present("Cc"), flat).map(Into::into),
        bcc: address_list(present("Bcc"), flat).map(Into::into),
        in_reply_to: field("In-Reply-To"),
        message_id: field("Message-ID"),
    }
}

/// The extension data the reference sends after a part's own fields: disposition,
/// language and location, all NIL (RFC 9051 §7.5.2 `body-ext-1part`, `body-ext-mpart`).
fn nil_extension_tail() -> Option<ExtensionTail<'static>> {
    Some(ExtensionTail {
        disposition: None,
        language: Some(LanguageTail {
            languages: LazyList::new(),
            location: Some(LocationTail {
                location: None,
                extensions: LazyList::new(),
            }),
        }),
    })
}

/// A TEXT/PLAIN 7BIT part of `size` octets and `lines` lines, with (`extended`) NIL extension
/// data: what a message that cannot be parsed is described as.
pub fn text_plain(size: usize, lines: usize, extended: bool) -> BodyStructure<'static> {
    BodyStructure::Single(SinglePart {
        media_type: string("TEXT"),
        subtype: string("PLAIN"),
        fields: BodyFields {
            params: LazyList::new(),
            id: None,
            description: None,
            encoding: string("7BIT"),
            octets: u32::try_from(size).unwrap_or(u32::MAX),
        },
        kind: SinglePartKind::Text {
            lines: lines as u64,
        },
        extension: extended.then(|| SinglePartExtension {
            md5: None,
            tail: nil_extension_tail(),
        }),
    })
}

fn lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

fn part_structure(
    message: &mail_parser::Message<'_>,
    part: &MessagePart<'_>,
    raw: &[u8],
    extended: bool,
) -> BodyStructure<'static> {
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
    let params = |skip_boundary: bool| -> BodyParams<'static> {
        content_type
            .and_then(|ct| ct.attributes.as_ref())
            .map(|attrs| {
                attrs
                    .iter()
                    .filter(|a| !skip_boundary || !a.name.eq_ignore_ascii_case("boundary"))
                    .map(|a| (string(&a.name.to_ascii_uppercase()), string(&a.value)))
                    .collect()
            })
            .unwrap_or_default()
    };
    if let PartType::Multipart(children) = &part.body {
        let parts = children
            .iter()
            .filter_map(|child| message.part(*child))
            .map(|child| part_structure(message, child, raw, extended))
            .collect();
        let boundary: BodyParams<'static> = content_type
            .and_then(|ct| ct.attributes.as_ref())
            .and_then(|a| a.iter().find(|a| a.name.eq_ignore_ascii_case("boundary")))
            .map(|a| vec![(string("BOUNDARY"), string(&a.value))].into())
            .unwrap_or_default();
        return BodyStructure::Multi(Multipart {
            parts,
            subtype: string(&subtype),
            extension: extended.then(|| MultipartExtension {
                params: boundary,
                tail: nil_extension_tail(),
            }),
        });
    }
    let start = part.offset_body as usize;
    let end = (part.offset_end as usize).min(raw.len());
    let body = raw.get(start.min(end)..end).unwrap_or_default();
    let encoding = part
        .content_transfer_encoding()
        .map(str::to_ascii_uppercase)
        .unwrap_or_else(|| "7BIT".to_string());
    let kind = if ctype == "TEXT" {
        SinglePartKind::Text {
            lines: lines(body) as u64,
        }
    } else if ctype == "MESSAGE" && subtype == "RFC822" {
        SinglePartKind::Message {
            envelope: Box::new(envelope(body)),
            body: Box::new(structure(body, extended)),
            lines: lines(body) as u64,
        }
    } else {
        SinglePartKind::Basic
    };
    BodyStructure::Single(SinglePart {
        media_type: string(&ctype),
        subtype: string(&subtype),
        fields: BodyFields {
            params: params(false),
            id: nstring(part.content_id()),
            description: nstring(part.content_description()),
            encoding: string(&encoding),
            octets: u32::try_from(body.len()).unwrap_or(u32::MAX),
        },
        kind,
        // body-ext-1part: md5, disposition, language, location.
        extension: extended.then(|| SinglePartExtension {
            md5: None,
            tail: nil_extension_tail(),
        }),
    })
}

/// The BODYSTRUCTURE of a raw message (RFC 9051 §7.5.2), with extension data.
pub fn bodystructure(raw: &[u8]) -> BodyStructure<'static> {
    structure(raw, true)
}

/// The FETCH BODY structure of a raw message: BODYSTRUCTURE without extension data
/// (RFC 9051 §7.5.2: "BODY A form of BODYSTRUCTURE without extension data").
pub fn body(raw: &[u8]) -> BodyStructure<'static> {
    structure(raw, false)
}

/// The body structure, with (`extended`) or without extension data.
pub fn structure(raw: &[u8], extended: bool) -> BodyStructure<'static> {
    let Some(message) = MessageParser::default().parse(raw) else {
        return text_plain(raw.len(), lines(raw), extended);
    };
    part_structure(&message, message.root_part(), raw, extended)
}

/// Where the header ends: the offset after the blank line (or the end).
pub fn header_end(raw: &[u8]) -> usize {
    raw.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| at + 4)
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|at| at + 2))
        .unwrap_or(raw.len())
}

/// Where a part lies in the bytes of the message that holds it.
#[derive(Debug, Clone, Copy)]
struct Located<'r> {
    /// The bytes of the (possibly encapsulated) message that holds the part.
    holder: &'r [u8],
    /// Offsets of the part's MIME header, body and end in `holder`.
    header: usize,
    body: usize,
    end: usize,
    /// Whether the part is a MESSAGE/RFC822 (or MESSAGE/GLOBAL): its body is a message.
    message: bool,
}

impl<'r> Located<'r> {
    fn body(&self) -> &'r [u8] {
        self.holder
            .get(self.body.min(self.end)..self.end)
            .unwrap_or_default()
    }

    fn mime_header(&self) -> &'r [u8] {
        self.holder
            .get(self.header.min(self.body)..self.body)
            .unwrap_or_default()
    }
}

fn is_message_part(part: &MessagePart<'_>) -> bool {
    matches!(part.body, PartType::Message(_))
        || part.content_type().is_some_and(|ct| {
            ct.c_type.eq_ignore_ascii_case("message")
                && ct.c_subtype.as_deref().is_some_and(|s| {
                    s.eq_ignore_ascii_case("rfc822") || s.eq_ignore_ascii_case("global")
                })
        })
}

fn locate_part<'r>(holder: &'r [u8], part: &MessagePart<'_>) -> Located<'r> {
    let end = (part.offset_end as usize).min(holder.len());
    Located {
        holder,
        header: part.offset_header as usize,
        body: (part.offset_body as usize).min(end),
        end,
        message: is_message_part(part),
    }
}

/// Finds part `numbers` (RFC 9051 §6.4.5: a multipart's parts are numbered from 1; the
/// parts of an encapsulated MESSAGE/RFC822 are numbered inside it, its single body being
/// part 1 when it is not multipart) of the message `raw`; `None` when there is no such part.
fn locate<'r>(raw: &'r [u8], numbers: &[u32]) -> Option<Located<'r>> {
    let holder = raw;
    let message = MessageParser::default().parse(holder)?;
    // The next number addresses the message itself (its root) while `current_id` is
    // `None`, else the part `current_id`.
    let mut current_id: Option<u32> = None;
    for (index, &number) in numbers.iter().enumerate() {
        let number = number as usize;
        let part = match current_id {
            None => message.root_part(),
            Some(id) => message.part(id)?,
        };
        let in_message = current_id.is_none();
        if let PartType::Multipart(children) = &part.body {
            current_id = Some(*children.get(number.checked_sub(1)?)?);
            continue;
        }
        if in_message {
            // A message that is not multipart has only a part 1: its body.
            if number != 1 {
                return None;
            }
            current_id = Some(0);
            continue;
        }
        if is_message_part(part) {
            // The rest addresses the encapsulated message.
            let located = locate_part(holder, part);
            return locate(located.body(), numbers.get(index..)?);
        }
        return None;
    }
    let part = message.part(current_id?)?;
    Some(locate_part(holder, part))
}

/// The bytes of a section: `part` numbers (empty for the whole message) and `text`
/// (`HEADER`, `TEXT`, `MIME` or none). HEADER and TEXT of a part number are those of the
/// MESSAGE/RFC822 part's encapsulated message; MIME is the part's own MIME header.
pub fn section(raw: &[u8], part: &[u32], text: Option<&str>) -> Vec<u8> {
    if part.is_empty() {
        return match text {
            Some("HEADER") => raw.get(..header_end(raw)).unwrap_or_default().to_vec(),
            Some("TEXT") => raw.get(header_end(raw)..).unwrap_or_default().to_vec(),
            _ => raw.to_vec(),
        };
    }
    let Some(located) = locate(raw, part) else {
        return Vec::new();
    };
    match text {
        None => located.body().to_vec(),
        Some("MIME") => located.mime_header().to_vec(),
        Some("HEADER") | Some("TEXT") if !located.message => Vec::new(),
        Some(other) => section(located.body(), &[], Some(other)),
    }
}

/// The bytes the header fields of section `part` are taken from: the message itself, or the
/// encapsulated message of a MESSAGE/RFC822 part (empty when the part is none).
pub fn section_message(raw: &[u8], part: &[u32]) -> Vec<u8> {
    if part.is_empty() {
        return raw.to_vec();
    }
    match locate(raw, part) {
        Some(located) if located.message => located.body().to_vec(),
        _ => Vec::new(),
    }
}

/// The old, flat part addressing (fault `imap-rfc822-parts-flat`): numbers below a
/// non-multipart part stay on it, and HEADER of a part is its MIME header.
pub fn section_flat(raw: &[u8], part: &[u32], text: Option<&str>) -> Vec<u8> {
    let Some(message) = MessageParser::default().parse(raw) else {
        return Vec::new();
    };
    let mut current = message.root_part();
    for &number in part {
        if let PartType::Multipart(children) = &current.body {
            let Some(child) = children
                .get((number as usize).saturating_sub(1))
                .and_then(|id| message.part(*id))
            else {
                return Vec::new();
            };
            current = child;
        }
    }
    let located = locate_part(raw, current);
    match text {
        Some("MIME") | Some("HEADER") => located.mime_header().to_vec(),
        _ => located.body().to_vec(),
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

    use groupwire_imap::Encode;

    fn text(value: &impl Encode) -> String {
        String::from_utf8(value.to_bytes()).unwrap_or_default()
    }

    #[test]
    fn multipart_bodystructure_lists_both_parts_and_the_subtype() {
        let structure = text(&bodystructure(MULTIPART));
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
        let envelope = text(&envelope(MULTIPART));
        assert!(envelope.contains("\"hi\""), "{envelope}");
        assert!(
            envelope.contains("((\"Alice\" NIL \"alice\" \"example.test\"))"),
            "{envelope}"
        );
        assert!(envelope.ends_with("\"<m1@example.test>\")"), "{envelope}");
    }

    const EMBEDDED: &[u8] = b"From: user@domain.org\r\nMime-Version: 1.0\r\n\
Content-Type: message/rfc822\r\n\r\nFrom: sub@domain.org\r\nSubject: submsg\r\n\r\nHello world\r\n";

    #[test]
    fn part_numbers_descend_into_an_encapsulated_message() {
        assert_eq!(
            section(EMBEDDED, &[1], None),
            b"From: sub@domain.org\r\nSubject: submsg\r\n\r\nHello world\r\n"
        );
        assert_eq!(section(EMBEDDED, &[1, 1], None), b"Hello world\r\n");
        assert_eq!(
            section(EMBEDDED, &[1], Some("HEADER")),
            b"From: sub@domain.org\r\nSubject: submsg\r\n\r\n"
        );
        assert_eq!(section(EMBEDDED, &[1], Some("TEXT")), b"Hello world\r\n");
        assert_eq!(
            header_fields(
                &section_message(EMBEDDED, &[1]),
                &["SUBJECT".to_string()],
                false
            ),
            b"Subject: submsg\r\n\r\n"
        );
        assert!(section(EMBEDDED, &[1, 2], None).is_empty());
        assert!(section(MULTIPART, &[1], Some("HEADER")).is_empty());
    }

    #[test]
    fn body_has_no_extension_data_and_bodystructure_has() {
        assert_eq!(
            text(&body(b"Subject: x\r\n\r\nhi\r\n")),
            "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 4 1)"
        );
        assert_eq!(
            text(&bodystructure(b"Subject: x\r\n\r\nhi\r\n")),
            "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 4 1 NIL NIL NIL NIL)"
        );
        assert!(
            text(&body(MULTIPART)).ends_with(" \"MIXED\")"),
            "{}",
            text(&body(MULTIPART))
        );
        assert!(text(&bodystructure(MULTIPART)).contains("(\"BOUNDARY\" \"XX\") NIL NIL NIL)"));
    }

    #[test]
    fn envelope_marks_groups_routes_and_comments() {
        let list = envelope_addresses("team: a@x.test, B <b@x.test>;, empty:;, c: (note) ;");
        let text: Vec<String> = list.iter().map(|q| format!("{q:?}")).collect();
        assert_eq!(list.len(), 8, "{text:?}");
        assert_eq!(list[0], (None, None, Some("team".into()), None));
        assert_eq!(list[2].0.as_deref(), Some("B"));
        assert_eq!(list[3], (None, None, None, None));
        assert_eq!(list[4], (None, None, Some("empty".into()), None));
        assert_eq!(list[7], (None, None, None, None));
        assert_eq!(
            envelope_addresses("<@r1.test,@r2.test:u@h.test>"),
            vec![(
                None,
                Some("@r1.test,@r2.test".into()),
                Some("u".into()),
                Some("h.test".into())
            )]
        );
        assert_eq!(
            envelope_addresses("u@h.test (Real Name)"),
            vec![(
                Some("Real Name".into()),
                None,
                Some("u".into()),
                Some("h.test".into())
            )]
        );
    }

    #[test]
    fn sections_cut_where_they_should() {
        assert!(section(MULTIPART, &[], Some("HEADER")).ends_with(b"\r\n\r\n"));
        assert_eq!(section(MULTIPART, &[1], None), b"hello\r\nworld");
        let fields = header_fields(MULTIPART, &["subject".to_string()], false);
        assert_eq!(fields, b"Subject: hi\r\n\r\n");
    }
}
