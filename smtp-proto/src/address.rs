//! Paths and mailboxes in MAIL FROM and RCPT TO (RFC 5321 §4.1.2, RFC 6531 §3.3).

use std::borrow::Cow;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::chars;
use crate::{DecodeError, ErrorKind, Expected};

/// The reverse-path of `MAIL FROM`: a mailbox, or the null path `<>` used for bounces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ReversePath<'a> {
    /// `<>`: no return address (delivery status notifications, RFC 5321 §4.5.5).
    Null,
    /// A return address.
    Path(Path<'a>),
}

impl ReversePath<'_> {
    /// A `'static` copy.
    pub fn into_owned(self) -> ReversePath<'static> {
        match self {
            ReversePath::Null => ReversePath::Null,
            ReversePath::Path(path) => ReversePath::Path(path.into_owned()),
        }
    }

    pub(crate) fn write_to<W: io::Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        match self {
            ReversePath::Null => out.write_all(b"<>"),
            ReversePath::Path(path) => path.write_to(out),
        }
    }
}

/// `<[source-route:]mailbox>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Path<'a> {
    /// The obsolete source route, `@relay1,@relay2` without the trailing `:` (RFC 5321
    /// §4.1.2 "A-d-l"; receivers must accept and ignore it).
    pub source_route: Option<Cow<'a, str>>,
    /// The mailbox.
    pub mailbox: Mailbox<'a>,
}

impl<'a> Path<'a> {
    /// A path to `mailbox` without a source route.
    pub const fn new(mailbox: Mailbox<'a>) -> Self {
        Self {
            source_route: None,
            mailbox,
        }
    }

    /// A `'static` copy.
    pub fn into_owned(self) -> Path<'static> {
        Path {
            source_route: self
                .source_route
                .map(|route| Cow::Owned(route.into_owned())),
            mailbox: self.mailbox.into_owned(),
        }
    }

    /// Whether this is `<postmaster>` (any case, no domain), which RCPT must always accept.
    pub fn is_postmaster(&self) -> bool {
        self.mailbox.domain.is_none() && self.mailbox.local_part.eq_ignore_ascii_case("postmaster")
    }

    pub(crate) fn write_to<W: io::Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        out.write_all(b"<")?;
        if let Some(route) = &self.source_route {
            out.write_all(route.as_bytes())?;
            out.write_all(b":")?;
        }
        self.mailbox.write_to(out)?;
        out.write_all(b">")
    }
}

/// `local-part@domain`. The domain is absent only in `<postmaster>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Mailbox<'a> {
    /// The local part as it appears on the wire: a dot-string, or a quoted string with its
    /// quotes and backslash escapes. May hold UTF-8 (RFC 6531).
    pub local_part: Cow<'a, str>,
    /// The domain; `None` only for `postmaster`.
    pub domain: Option<Domain<'a>>,
}

impl<'a> Mailbox<'a> {
    /// `local_part@domain`.
    pub fn new(local_part: impl Into<Cow<'a, str>>, domain: Domain<'a>) -> Self {
        Self {
            local_part: local_part.into(),
            domain: Some(domain),
        }
    }

    /// A `'static` copy.
    pub fn into_owned(self) -> Mailbox<'static> {
        Mailbox {
            local_part: Cow::Owned(self.local_part.into_owned()),
            domain: self.domain.map(Domain::into_owned),
        }
    }

    /// Whether the local part is a quoted string.
    pub fn is_quoted(&self) -> bool {
        self.local_part.starts_with('"')
    }

    /// The local part with quoting removed (`"a b"` gives `a b`, `"a\"b"` gives `a"b`).
    pub fn unquoted_local_part(&self) -> Cow<'_, str> {
        let Some(inner) = self
            .local_part
            .strip_prefix('"')
            .and_then(|rest| rest.strip_suffix('"'))
        else {
            return Cow::Borrowed(&self.local_part);
        };
        if !inner.contains('\\') {
            return Cow::Borrowed(inner);
        }
        let mut out = String::with_capacity(inner.len());
        let mut escaped = false;
        for c in inner.chars() {
            if c == '\\' && !escaped {
                escaped = true;
            } else {
                out.push(c);
                escaped = false;
            }
        }
        Cow::Owned(out)
    }

    pub(crate) fn write_to<W: io::Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        out.write_all(self.local_part.as_bytes())?;
        if let Some(domain) = &self.domain {
            out.write_all(b"@")?;
            domain.write_to(out)?;
        }
        Ok(())
    }
}

/// A domain name or an address literal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Domain<'a> {
    /// A domain name (LDH labels, or U-labels under SMTPUTF8), as sent.
    Name(Cow<'a, str>),
    /// `[...]`.
    Literal(AddressLiteral<'a>),
}

impl Domain<'_> {
    /// A `'static` copy.
    pub fn into_owned(self) -> Domain<'static> {
        match self {
            Domain::Name(name) => Domain::Name(Cow::Owned(name.into_owned())),
            Domain::Literal(literal) => Domain::Literal(literal.into_owned()),
        }
    }

    pub(crate) fn write_to<W: io::Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        match self {
            Domain::Name(name) => out.write_all(name.as_bytes()),
            Domain::Literal(literal) => literal.write_to(out),
        }
    }
}

/// An address literal (RFC 5321 §4.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum AddressLiteral<'a> {
    /// `[192.0.2.1]`.
    Ipv4(Ipv4Addr),
    /// `[IPv6:2001:db8::1]`.
    Ipv6(Ipv6Addr),
    /// `[tag:content]`, a standardized tag other than IPv6.
    General {
        /// The tag, before the colon.
        tag: Cow<'a, str>,
        /// The content, after the colon.
        content: Cow<'a, str>,
    },
}

impl AddressLiteral<'_> {
    /// A `'static` copy.
    pub fn into_owned(self) -> AddressLiteral<'static> {
        match self {
            AddressLiteral::Ipv4(ip) => AddressLiteral::Ipv4(ip),
            AddressLiteral::Ipv6(ip) => AddressLiteral::Ipv6(ip),
            AddressLiteral::General { tag, content } => AddressLiteral::General {
                tag: Cow::Owned(tag.into_owned()),
                content: Cow::Owned(content.into_owned()),
            },
        }
    }

    pub(crate) fn write_to<W: io::Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        match self {
            AddressLiteral::Ipv4(ip) => write!(out, "[{ip}]"),
            AddressLiteral::Ipv6(ip) => write!(out, "[IPv6:{ip}]"),
            AddressLiteral::General { tag, content } => write!(out, "[{tag}:{content}]"),
        }
    }
}

fn error(offset: usize, what: Expected) -> DecodeError {
    DecodeError::new(offset, ErrorKind::Expected(what))
}

/// Length of the domain name at the start of `input` (labels of letters, digits, hyphens,
/// and UTF-8; underscores accepted as found in the wild), or `None` when there is none.
#[inline]
pub(crate) fn domain_name_len(input: &[u8]) -> Option<usize> {
    use chars::{DOT, HYPHEN, LABEL, NAME_END, class, forbidden_after_byte};
    // One run over label bytes and dots, the labels' edges checked as it goes without a
    // branch: each byte says what may not follow it (see `chars::forbidden_after`). The scan
    // label by label it replaces was 13 % of the command bench's samples in perf, more than
    // half of them on the branch that ends a label.
    // The name's start acts as a dot: it cannot be empty or start with `.` or `-`.
    let mut forbidden = DOT | HYPHEN | NAME_END;
    let mut broken = 0;
    let mut len = input.len();
    for (index, &b) in input.iter().enumerate() {
        let class = class(b);
        if class & (LABEL | DOT) == 0 {
            len = index;
            break;
        }
        broken |= class & forbidden;
        forbidden = forbidden_after_byte(b);
    }
    broken |= forbidden & NAME_END;
    (broken == 0).then_some(len)
}

/// The two-pass original of [`domain_name_len`], kept as the reference for its test.
#[cfg(test)]
fn domain_name_len_reference(input: &[u8]) -> Option<usize> {
    let len = input
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_') || b >= 0x80))
        .unwrap_or(input.len());
    let name = input.get(..len)?;
    let valid = !name.is_empty()
        && name.split(|&b| b == b'.').all(|label| {
            !label.is_empty() && label.first() != Some(&b'-') && label.last() != Some(&b'-')
        });
    valid.then_some(len)
}

/// The length of the domain or address literal at the start of `text`, checked.
#[inline(always)]
pub(crate) fn domain_len(text: &str, base: usize) -> Result<usize, DecodeError> {
    if text.starts_with('[') {
        let close = text
            .find(']')
            .ok_or_else(|| error(base + text.len(), Expected::AddressLiteral))?;
        let inner = text.get(1..close).unwrap_or_default();
        if parse_address_literal(inner).is_none() {
            return Err(error(base + 1, Expected::AddressLiteral));
        }
        return Ok(close + 1);
    }
    let len = domain_name_len(text.as_bytes()).ok_or_else(|| error(base, Expected::Domain))?;
    // The name ends at an ASCII byte, so on a character boundary; checked all the same.
    match text.get(..len) {
        Some(_) => Ok(len),
        None => Err(error(base, Expected::Domain)),
    }
}

/// The domain `text` is, already checked by [`domain_len`].
#[inline(always)]
fn domain_at(text: &str) -> Domain<'_> {
    if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']'))
        && let Some(literal) = parse_address_literal(inner)
    {
        return Domain::Literal(literal);
    }
    Domain::Name(Cow::Borrowed(text))
}

fn parse_address_literal(inner: &str) -> Option<AddressLiteral<'_>> {
    if let Some((tag, content)) = inner.split_once(':') {
        if tag.eq_ignore_ascii_case("IPv6") {
            return content.parse().ok().map(AddressLiteral::Ipv6);
        }
        let tag_ok = !tag.is_empty()
            && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && tag.as_bytes().last() != Some(&b'-');
        // dcontent: printable US-ASCII except `[`, `\`, `]`.
        let content_ok = !content.is_empty()
            && content
                .bytes()
                .all(|b| (33..=126).contains(&b) && !matches!(b, b'[' | b'\\' | b']'));
        return (tag_ok && content_ok).then_some(AddressLiteral::General {
            tag: Cow::Borrowed(tag),
            content: Cow::Borrowed(content),
        });
    }
    inner.parse().ok().map(AddressLiteral::Ipv4)
}

/// Where the parts of a `<...>` path lie in the text it starts: found by [`scan_path`], then
/// built by [`path_at`] straight into the command that holds it. (Building the path as it was
/// scanned and handing it up through each `Result` copied it three times, and the copies,
/// read back wider than they were written, stalled on their own stores: about 5 % of the
/// command bench's samples in perf.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PathSpan {
    /// Where the local part starts: 1, or just past the source route's `:`.
    local_start: usize,
    /// Where the local part ends: at its `@`, or at the `>` of `<postmaster>` and of `<>`.
    local_end: usize,
    /// Where the domain ends, at the closing `>` (`local_end` when there is no domain).
    domain_end: usize,
}

impl PathSpan {
    /// The octets the path occupies, `<` to `>`.
    pub(crate) const fn len(self) -> usize {
        self.domain_end + 1
    }

    /// Whether the path is `<>`.
    pub(crate) const fn is_null(self) -> bool {
        self.local_end == self.local_start
    }
}

/// Checks the `<...>` path at the start of `text` (`base` is its offset in the line, for
/// errors) and says where its parts are.
#[inline(always)]
pub(crate) fn scan_path(text: &str, base: usize) -> Result<PathSpan, DecodeError> {
    let bytes = text.as_bytes();
    if bytes.first() != Some(&b'<') {
        return Err(error(base, Expected::OpenAngle));
    }
    if bytes.get(1) == Some(&b'>') {
        return Ok(PathSpan {
            local_start: 1,
            local_end: 1,
            domain_end: 1,
        });
    }
    let mut pos = 1;
    if bytes.get(1) == Some(&b'@') {
        let colon = text
            .find(':')
            .ok_or_else(|| error(base + 1, Expected::SourceRoute))?;
        let route = text.get(1..colon).unwrap_or_default();
        let mut at = 1;
        for hop in route.split(',') {
            let domain = hop
                .strip_prefix('@')
                .ok_or_else(|| error(base + at, Expected::SourceRoute))?;
            let len = domain_len(domain, base + at + 1)?;
            if len != domain.len() {
                return Err(error(base + at + 1 + len, Expected::SourceRoute));
            }
            at += hop.len() + 1;
        }
        pos = colon + 1;
    }
    let local_start = pos;
    let rest = bytes.get(pos..).unwrap_or_default();
    let local_len = local_part_len(rest).ok_or_else(|| error(base + pos, Expected::LocalPart))?;
    pos += local_len;
    let local_end = pos;
    match bytes.get(pos) {
        Some(b'@') => {
            pos += 1;
            pos += domain_len(text.get(pos..).unwrap_or_default(), base + pos)?;
        }
        Some(b'>')
            if local_start == 1
                && text
                    .get(1..local_end)
                    .is_some_and(|local| local.eq_ignore_ascii_case("postmaster")) => {}
        _ => return Err(error(base + pos, Expected::At)),
    }
    if bytes.get(pos) != Some(&b'>') {
        return Err(error(base + pos, Expected::CloseAngle));
    }
    Ok(PathSpan {
        local_start,
        local_end,
        domain_end: pos,
    })
}

/// The path `span` (not `<>`) found in `text` by [`scan_path`].
#[inline(always)]
pub(crate) fn path_at(text: &str, span: PathSpan) -> Path<'_> {
    // Plain branches, not `bool::then` closures: a closure may be left out of line, and its
    // result handed back through memory is what this layout exists to avoid.
    let source_route = if span.local_start > 1 {
        Some(Cow::Borrowed(
            text.get(1..span.local_start - 1).unwrap_or_default(),
        ))
    } else {
        None
    };
    let domain = if span.domain_end > span.local_end {
        Some(domain_at(
            text.get(span.local_end + 1..span.domain_end)
                .unwrap_or_default(),
        ))
    } else {
        None
    };
    Path {
        source_route,
        mailbox: Mailbox {
            local_part: Cow::Borrowed(
                text.get(span.local_start..span.local_end)
                    .unwrap_or_default(),
            ),
            domain,
        },
    }
}

/// Parses `<...>` at the start of `text` (`base` is its offset in the line, for errors).
/// Returns the path (`None` for `<>`) and the length it occupied.
#[cfg(test)]
pub(crate) fn parse_path(
    text: &str,
    base: usize,
) -> Result<(Option<Path<'_>>, usize), DecodeError> {
    let span = scan_path(text, base)?;
    let path = (!span.is_null()).then(|| path_at(text, span));
    Ok((path, span.len()))
}

/// Length of the local part (dot-string or quoted string) at the start of `input`.
fn local_part_len(input: &[u8]) -> Option<usize> {
    if input.first() == Some(&b'"') {
        let mut escaped = false;
        for (index, &byte) in input.iter().enumerate().skip(1) {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => return Some(index + 1),
                // qtextSMTP and quoted-pairSMTP: printable ASCII, space, UTF-8.
                32..=126 | 0x80.. => {}
                _ => return None,
            }
        }
        return None;
    }
    // Dot-string; consecutive or edge dots are accepted because real mailers send them.
    let len = chars::run_len(input, chars::ATEXT | chars::DOT);
    (len > 0).then_some(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pass_domain_scan_agrees_with_the_reference() {
        // Every byte value at every position of longer names, followed by what follows them.
        for name in [
            &b"ab.cd-e.fgh9.example.com"[..],
            b"x",
            b"a-b.c_d.\xc3\xa9.e1234567.f",
        ] {
            for at in 0..name.len() {
                for b in 0..=255u8 {
                    let mut input = name.to_vec();
                    input[at] = b;
                    for tail in [&b""[..], b">", b" SIZE=1"] {
                        let mut line = input.clone();
                        line.extend_from_slice(tail);
                        assert_eq!(
                            domain_name_len(&line),
                            domain_name_len_reference(&line),
                            "{line:?}"
                        );
                    }
                }
            }
        }
        let alphabet = [b'a', b'-', b'.', b'_', b' ', 0xC3];
        for len in 0..=6u32 {
            for mut code in 0..6usize.pow(len) {
                let mut input = Vec::new();
                for _ in 0..len {
                    input.push(alphabet[code % 6]);
                    code /= 6;
                }
                assert_eq!(
                    domain_name_len(&input),
                    domain_name_len_reference(&input),
                    "{input:?}"
                );
            }
        }
    }

    #[test]
    fn parses_plain_quoted_and_literal_mailboxes() {
        let (path, len) = parse_path("<Smith@bar.com> SIZE=1", 0).unwrap();
        assert_eq!(len, 15);
        let path = path.unwrap();
        assert_eq!(path.mailbox.local_part, "Smith");
        assert_eq!(path.mailbox.domain, Some(Domain::Name("bar.com".into())));

        let (path, _) = parse_path("<\"a b\\\"c\"@[192.0.2.1]>", 0).unwrap();
        let path = path.unwrap();
        assert_eq!(path.mailbox.unquoted_local_part(), "a b\"c");
        assert_eq!(
            path.mailbox.domain,
            Some(Domain::Literal(AddressLiteral::Ipv4(Ipv4Addr::new(
                192, 0, 2, 1
            ))))
        );

        let (path, _) = parse_path("<x@[IPv6:2001:db8::1]>", 0).unwrap();
        assert_eq!(
            path.unwrap().mailbox.domain,
            Some(Domain::Literal(AddressLiteral::Ipv6(
                "2001:db8::1".parse().unwrap()
            )))
        );
    }

    #[test]
    fn parses_source_routes_null_and_postmaster() {
        let (path, _) = parse_path("<@hosta.int,@jkl.org:userc@d.bar.org>", 0).unwrap();
        let path = path.unwrap();
        assert_eq!(path.source_route.as_deref(), Some("@hosta.int,@jkl.org"));
        assert_eq!(path.mailbox.local_part, "userc");
        assert_eq!(parse_path("<>", 0).unwrap(), (None, 2));
        let (path, _) = parse_path("<Postmaster>", 0).unwrap();
        assert!(path.unwrap().is_postmaster());
        assert_eq!(parse_path("<bob>", 7).unwrap_err().offset(), 11);
    }

    #[test]
    fn accepts_utf8_addresses() {
        let (path, _) = parse_path("<用户@例子.广告>", 0).unwrap();
        let path = path.unwrap();
        assert_eq!(path.mailbox.local_part, "用户");
        assert_eq!(path.mailbox.domain, Some(Domain::Name("例子.广告".into())));
    }

    #[test]
    fn rejects_malformed_paths() {
        for bad in [
            "x@y",
            "<x@y",
            "<x@>",
            "<@a:>",
            "<x@-a.com>",
            "<x@[1.2.3]>",
            "<\"x@y>",
        ] {
            assert!(parse_path(bad, 0).is_err(), "{bad}");
        }
    }
}
