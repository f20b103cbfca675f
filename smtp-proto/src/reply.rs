//! Replies a server sends (RFC 5321 §4.2), with enhanced status codes (RFC 3463, RFC 2034).
//!
//! A [`Reply`] keeps its validated wire bytes and reads lines from them on demand, so
//! decoding one allocates nothing however many lines it has.

use std::borrow::Cow;
use std::fmt;
use std::io;

use crate::limits::LineEndings;
use crate::line::{check_bare_cr, check_bare_lf, check_length, clean_crlf_line, find_lf};
use crate::{DecodeError, Decoded, Encode, ErrorKind, Expected, Limit, Limits};

/// A three-digit reply code: first digit 2-5, second 0-5, third 0-9 (RFC 5321 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReplyCode(u16);

impl ReplyCode {
    /// 220 Service ready.
    pub const SERVICE_READY: ReplyCode = ReplyCode(220);
    /// 221 Closing.
    pub const CLOSING: ReplyCode = ReplyCode(221);
    /// 235 Authentication succeeded.
    pub const AUTH_SUCCEEDED: ReplyCode = ReplyCode(235);
    /// 250 OK.
    pub const OK: ReplyCode = ReplyCode(250);
    /// 334 AUTH continuation.
    pub const AUTH_CONTINUE: ReplyCode = ReplyCode(334);
    /// 354 Start mail input.
    pub const START_MAIL_INPUT: ReplyCode = ReplyCode(354);
    /// 500 Syntax error, command unrecognised.
    pub const UNRECOGNISED: ReplyCode = ReplyCode(500);
    /// 501 Syntax error in parameters.
    pub const SYNTAX_ERROR_IN_PARAMETERS: ReplyCode = ReplyCode(501);
    /// 502 Command not implemented.
    pub const NOT_IMPLEMENTED: ReplyCode = ReplyCode(502);

    /// The code, if `value` is a valid reply code.
    pub const fn new(value: u16) -> Option<Self> {
        let (first, second) = (value / 100, value / 10 % 10);
        if first >= 2 && first <= 5 && second <= 5 {
            Some(Self(value))
        } else {
            None
        }
    }

    /// The numeric value.
    pub const fn get(self) -> u16 {
        self.0
    }

    /// 2yz: positive completion.
    pub const fn is_positive(self) -> bool {
        self.0 / 100 == 2
    }

    /// 3yz: positive intermediate (354, 334).
    pub const fn is_intermediate(self) -> bool {
        self.0 / 100 == 3
    }

    /// 4yz: transient failure.
    pub const fn is_transient_failure(self) -> bool {
        self.0 / 100 == 4
    }

    /// 5yz: permanent failure.
    pub const fn is_permanent_failure(self) -> bool {
        self.0 / 100 == 5
    }

    #[inline]
    fn parse(digits: &[u8]) -> Option<Self> {
        let [a, b, c] = *digits else { return None };
        // The digits' ranges are checked as digits: `new` would divide the value back apart.
        let (first, second, third) = (
            a.wrapping_sub(b'0'),
            b.wrapping_sub(b'0'),
            c.wrapping_sub(b'0'),
        );
        if !((2..=5).contains(&first) && second <= 5 && third <= 9) {
            return None;
        }
        Some(Self(
            u16::from(first) * 100 + u16::from(second) * 10 + u16::from(third),
        ))
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An enhanced status code `class.subject.detail` (RFC 3463 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct EnhancedCode {
    /// 2 (success), 4 (persistent transient failure) or 5 (permanent failure).
    pub class: u8,
    /// The subject, 0-999.
    pub subject: u16,
    /// The detail, 0-999.
    pub detail: u16,
}

impl EnhancedCode {
    /// `class.subject.detail`, if `class` is 2, 4 or 5 and the others are below 1000.
    pub const fn new(class: u8, subject: u16, detail: u16) -> Option<Self> {
        if matches!(class, 2 | 4 | 5) && subject < 1000 && detail < 1000 {
            Some(Self {
                class,
                subject,
                detail,
            })
        } else {
            None
        }
    }

    /// Parses `c.s.d` followed by a space or the end of `text`; returns it and its length.
    // Inlined: it runs on every line of a reply with codes, and as a call it spent more on
    // saving registers for the bytewise path than on the common pattern.
    #[inline]
    fn parse_prefix(text: &[u8]) -> Option<(Self, usize)> {
        // Nearly every code has one-digit parts (`2.1.0`): read as one pattern first.
        if let [class, b'.', subject, b'.', detail, ref rest @ ..] = *text
            && matches!(rest.first(), None | Some(b' '))
            && class.is_ascii_digit()
            && subject.is_ascii_digit()
            && detail.is_ascii_digit()
        {
            let (subject, detail) = (u16::from(subject - b'0'), u16::from(detail - b'0'));
            return Self::new(class - b'0', subject, detail).map(|code| (code, 5));
        }
        // Most lines without a code (EHLO keywords, greetings) fail at their first byte.
        if !text.first().is_some_and(u8::is_ascii_digit) {
            return None;
        }
        Self::parse_prefix_bytewise(text)
    }

    /// [`EnhancedCode::parse_prefix`] for every shape of code.
    #[inline(never)]
    fn parse_prefix_bytewise(text: &[u8]) -> Option<(Self, usize)> {
        // Byte by byte: the code is a handful of octets, read on every line of a reply.
        let (&class, _) = text.split_first()?;
        if !class.is_ascii_digit() || text.get(1) != Some(&b'.') {
            return None;
        }
        let (subject, subject_len) = short_number(text.get(2..)?)?;
        let dot = 2 + subject_len;
        if text.get(dot) != Some(&b'.') {
            return None;
        }
        let (detail, detail_len) = short_number(text.get(dot + 1..)?)?;
        let pos = dot + 1 + detail_len;
        if !matches!(text.get(pos), None | Some(b' ')) {
            return None;
        }
        Self::new(class - b'0', subject, detail).map(|code| (code, pos))
    }
}

/// The 1 to 3 digits at the start of `text` (`1*3digit` of RFC 3463), as a value and a length;
/// `None` when there are none or more than three.
#[inline]
fn short_number(text: &[u8]) -> Option<(u16, usize)> {
    let mut value = 0u16;
    let mut len = 0;
    for &b in text.iter().take(4) {
        if !b.is_ascii_digit() {
            break;
        }
        value = value * 10 + u16::from(b - b'0');
        len += 1;
    }
    (1..=3).contains(&len).then_some((value, len))
}

impl fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// One reply: a code, an optional enhanced status code, and one or more lines of text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reply<'a> {
    code: ReplyCode,
    enhanced: Option<EnhancedCode>,
    wire: Cow<'a, [u8]>,
}

impl<'a> Reply<'a> {
    /// Builds a reply with `code`, `enhanced` written at the start of every line, and one
    /// line per element of `lines` (at least one line is written, even if `lines` is empty).
    /// Fails when a line holds CR, LF or another control character, or is too long for the
    /// default [`Limits`].
    pub fn new<T: AsRef<[u8]>>(
        code: ReplyCode,
        enhanced: Option<EnhancedCode>,
        lines: &[T],
    ) -> Result<Reply<'static>, DecodeError> {
        let mut wire = Vec::new();
        let count = lines.len().max(1);
        for index in 0..count {
            let text = lines.get(index).map(AsRef::as_ref).unwrap_or_default();
            let separator = if index + 1 == count { ' ' } else { '-' };
            let _ = write!(wire, "{code}");
            if enhanced.is_some() || !text.is_empty() || separator == '-' {
                wire.push(separator as u8);
            }
            if let Some(enhanced) = enhanced {
                let _ = write!(wire, "{enhanced}");
                if !text.is_empty() {
                    wire.push(b' ');
                }
            }
            wire.extend_from_slice(text);
            wire.extend_from_slice(b"\r\n");
        }
        let limits = Limits {
            max_reply_lines: count,
            ..Limits::default()
        };
        let reply = match decode_reply(&wire, &limits)? {
            Decoded::Complete { value, consumed } if consumed == wire.len() => Reply {
                code: value.code,
                enhanced: value.enhanced,
                wire: Cow::Owned(Vec::new()),
            },
            _ => {
                return Err(DecodeError::new(
                    0,
                    ErrorKind::Expected(Expected::PrintableText),
                ));
            }
        };
        if reply.code != code || reply.enhanced != enhanced {
            return Err(DecodeError::new(
                4,
                ErrorKind::Expected(Expected::PrintableText),
            ));
        }
        Ok(Reply {
            wire: Cow::Owned(wire),
            ..reply
        })
    }

    /// The reply code.
    pub const fn code(&self) -> ReplyCode {
        self.code
    }

    /// The enhanced status code of the first line, when present.
    pub const fn enhanced_code(&self) -> Option<EnhancedCode> {
        self.enhanced
    }

    /// The reply exactly as on the wire, CRLFs included.
    pub fn as_bytes(&self) -> &[u8] {
        &self.wire
    }

    /// The text of each line, without the code, the separator, the enhanced status code
    /// (when the reply has one) and the line terminator.
    pub fn lines(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let enhanced = self.enhanced.is_some();
        WireLines { rest: &self.wire }.map(move |line| {
            let text = text_of(line);
            if enhanced {
                return after_enhanced_code(text);
            }
            text
        })
    }

    /// The non-empty [`Reply::lines`] after the first (an EHLO reply's greeting), for the
    /// capability parser.
    pub(crate) fn capability_lines(&self) -> CapabilityLines<'_> {
        let (_greeting, after_greeting) = split_line(&self.wire);
        CapabilityLines {
            rest: after_greeting,
            enhanced: self.enhanced.is_some(),
        }
    }

    /// The number of lines.
    pub fn line_count(&self) -> usize {
        memchr::memchr_iter(b'\n', &self.wire).count()
    }

    /// The text of the first line.
    pub fn first_line(&self) -> &[u8] {
        self.lines().next().unwrap_or_default()
    }

    /// For a 334 reply, the server's challenge (base64 text).
    pub fn challenge(&self) -> Option<crate::SaslPayload<'_>> {
        if self.code != ReplyCode::AUTH_CONTINUE {
            return None;
        }
        let text = std::str::from_utf8(self.first_line()).ok()?;
        Some(crate::SaslPayload(Cow::Borrowed(text)))
    }

    /// The EHLO capabilities, for a positive reply (the first line is the greeting).
    pub fn capabilities(&self) -> Option<crate::Capabilities<'_>> {
        self.code
            .is_positive()
            .then(|| crate::Capabilities::from_reply(self))
    }

    /// A `'static` copy.
    pub fn into_owned(self) -> Reply<'static> {
        Reply {
            code: self.code,
            enhanced: self.enhanced,
            wire: Cow::Owned(self.wire.into_owned()),
        }
    }
}

/// `text` without the enhanced status code at its start (and the space after it), if any.
/// A line's text after its code and separator, without its line terminator.
#[inline]
fn text_of(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    line.get(4..).unwrap_or_default()
}

#[inline]
fn after_enhanced_code(text: &[u8]) -> &[u8] {
    match EnhancedCode::parse_prefix(text) {
        Some((_, len)) => text.get(len + 1..).unwrap_or_default(),
        None => text,
    }
}

#[inline(never)]
fn after_enhanced_code_call(text: &[u8]) -> &[u8] {
    after_enhanced_code(text)
}

use std::io::Write as _;

impl Encode for Reply<'_> {
    fn write_to<W: io::Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        out.write_all(&self.wire)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Reply<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut state = serializer.serialize_struct("Reply", 3)?;
        state.serialize_field("code", &self.code)?;
        state.serialize_field("enhanced_code", &self.enhanced.map(|code| code.to_string()))?;
        let lines: Vec<Cow<'_, str>> = self.lines().map(String::from_utf8_lossy).collect();
        state.serialize_field("lines", &lines)?;
        state.end()
    }
}

/// The lines [`Reply::capability_lines`] gives, found by one loop rather than a chain of
/// iterator adapters (which cost the EHLO parser a tenth of its instructions). Enhanced codes,
/// which EHLO lines seldom carry, are removed by a call, so the loop stays small enough to
/// inline.
pub(crate) struct CapabilityLines<'w> {
    rest: &'w [u8],
    enhanced: bool,
}

impl<'w> Iterator for CapabilityLines<'w> {
    type Item = &'w [u8];

    #[inline]
    fn next(&mut self) -> Option<&'w [u8]> {
        while !self.rest.is_empty() {
            let (line, rest) = split_line(self.rest);
            self.rest = rest;
            let text = capability_text(text_of(line), self.enhanced);
            if !text.is_empty() {
                return Some(text);
            }
        }
        None
    }
}

/// A capability line's text after its code and separator, without the enhanced code when
/// the reply has them: what [`Capability::parse_bytes`](crate::Capability) reads, for the
/// capability iterator and the one-pass EHLO decoder alike. Empty texts are not capabilities.
#[inline(always)]
pub(crate) fn capability_text(text: &[u8], enhanced: bool) -> &[u8] {
    if enhanced {
        after_enhanced_code_call(text)
    } else {
        text
    }
}

/// The first LF-terminated piece of `wire` (without its LF) and what follows it; all of
/// `wire` and nothing when it holds no LF. The LF is found eight bytes at a time.
#[inline(always)]
fn split_line(wire: &[u8]) -> (&[u8], &[u8]) {
    match crate::chars::find_byte(wire, b'\n') {
        Some(lf) => (
            wire.get(..lf).unwrap_or_default(),
            wire.get(lf + 1..).unwrap_or_default(),
        ),
        None => (wire, &[]),
    }
}

/// The non-empty LF-terminated pieces of a reply's wire form (a last piece without LF
/// included).
struct WireLines<'w> {
    rest: &'w [u8],
}

impl<'w> Iterator for WireLines<'w> {
    type Item = &'w [u8];

    fn next(&mut self) -> Option<&'w [u8]> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let (line, rest) = split_line(self.rest);
            self.rest = rest;
            if !line.is_empty() {
                return Some(line);
            }
        }
    }
}

/// Decodes the (single- or multi-line) reply at the start of `input`.
pub fn decode_reply<'a>(
    input: &'a [u8],
    limits: &Limits,
) -> Result<Decoded<Reply<'a>>, DecodeError> {
    let mut state = ReplyScan::default();
    state.decode(input, limits)
}

/// One validated line of a reply, as [`ReplyScan::decode_visiting`] hands it on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VisitedLine<'a> {
    /// The line's position in the reply, the first being 0.
    pub index: usize,
    /// The text after the code and separator, without the line terminator (enhanced code
    /// included, when the reply has one).
    pub text: &'a [u8],
    /// Whether the reply carries enhanced codes (known from its first line).
    pub enhanced: bool,
}

/// Scan state of a reply being received, so lines already seen are not rescanned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ReplyScan {
    /// Where the next unseen line starts.
    line_start: usize,
    /// How far the current line has been searched for LF.
    scanned: usize,
    lines: usize,
    code: Option<ReplyCode>,
    /// The first line's code as sent, once `code` is set.
    digits: [u8; 3],
    enhanced: Option<EnhancedCode>,
}

/// A control character other than HTAB, which reply text may not hold.
const fn is_control(b: u8) -> bool {
    (b < 32 && b != b'\t') || b == 127
}

fn error(offset: usize, what: Expected) -> DecodeError {
    DecodeError::new(offset, ErrorKind::Expected(what))
}

impl ReplyScan {
    #[inline]
    pub(crate) fn decode<'a>(
        &mut self,
        input: &'a [u8],
        limits: &Limits,
    ) -> Result<Decoded<Reply<'a>>, DecodeError> {
        self.decode_visiting(input, limits, |_| {})
    }

    /// [`ReplyScan::decode`], handing each line to `visit` once it is validated, so a caller
    /// can read the lines in the same pass (the EHLO decoder types its keywords there).
    /// Every line is visited once however the input arrives: a line is visited when it is
    /// complete and the scan never returns to it.
    #[inline(always)]
    pub(crate) fn decode_visiting<'a>(
        &mut self,
        input: &'a [u8],
        limits: &Limits,
        mut visit: impl FnMut(VisitedLine<'a>),
    ) -> Result<Decoded<Reply<'a>>, DecodeError> {
        loop {
            let start = self.line_start;
            let rest = input.get(start..).unwrap_or_default();
            // Nearly every line ends in CRLF and holds no other control character: one pass
            // finds its end and clears it, when no part of it was scanned before.
            let clean = (self.scanned == start)
                .then(|| clean_crlf_line(rest, limits.max_line_length))
                .flatten();
            let (end, controls) = match clean {
                Some(end) => (end, false),
                // Otherwise the LF is found, then the line is judged here so each byte is
                // read once more, not twice: one branch-free pass (the compiler vectorises it)
                // looks for any control character, which covers strict mode's bare CR;
                // positions are looked up only on error, in the order find_line reports them.
                None => {
                    let Some(end) = find_lf(
                        rest,
                        self.scanned - start,
                        limits.max_line_length,
                        Limit::LineLength,
                    )
                    .map_err(|e| e.shifted(start))?
                    else {
                        self.scanned = input.len().max(start);
                        return Ok(Decoded::Incomplete { needed: None });
                    };
                    let strict = limits.line_endings == LineEndings::Strict;
                    if strict {
                        check_bare_lf(end).map_err(|e| e.shifted(start))?;
                    }
                    let line = rest.get(..end.content).unwrap_or_default();
                    let controls = line.iter().fold(false, |seen, &b| seen | is_control(b));
                    if controls && strict {
                        check_bare_cr(line).map_err(|e| e.shifted(start))?;
                    }
                    check_length(end, limits.max_line_length, Limit::LineLength)
                        .map_err(|e| e.shifted(start))?;
                    (end, controls)
                }
            };
            let line = rest.get(..end.content).unwrap_or_default();
            let digits = line.get(..3).unwrap_or_default();
            // A line after the first repeats its code: comparing the digits settles it.
            let code = match self.code {
                Some(first) if digits == self.digits => first,
                _ => {
                    let code = ReplyCode::parse(digits)
                        .ok_or_else(|| error(start, Expected::ReplyCode))?;
                    if self.code.is_some() {
                        return Err(error(start, Expected::SameReplyCode));
                    }
                    code
                }
            };
            let last = match line.get(3) {
                None | Some(b' ') => true,
                Some(b'-') => false,
                Some(_) => return Err(error(start + 3, Expected::ReplySeparator)),
            };
            let text = line.get(4..).unwrap_or_default();
            if controls && let Some(at) = text.iter().position(|&b| is_control(b)) {
                return Err(error(start + 4 + at, Expected::PrintableText));
            }
            if self.code.is_none() {
                self.code = Some(code);
                // Three digits, or the code would not have parsed.
                self.digits = digits.try_into().unwrap_or_default();
                self.enhanced = line
                    .get(4..)
                    .and_then(EnhancedCode::parse_prefix)
                    .map(|(enhanced, _)| enhanced)
                    .filter(|enhanced| u16::from(enhanced.class) == code.get() / 100);
            }
            visit(VisitedLine {
                index: self.lines,
                text,
                enhanced: self.enhanced.is_some(),
            });
            self.lines += 1;
            self.line_start = start + end.consumed;
            self.scanned = self.line_start;
            if last {
                let value = Reply {
                    code,
                    enhanced: self.enhanced,
                    wire: Cow::Borrowed(input.get(..self.line_start).unwrap_or_default()),
                };
                let consumed = self.line_start;
                *self = ReplyScan::default();
                return Ok(Decoded::Complete { value, consumed });
            }
            if self.lines >= limits.max_reply_lines {
                return Err(DecodeError::new(
                    self.line_start,
                    ErrorKind::LimitExceeded(Limit::ReplyLines),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whole-buffer decoding takes the one-pass path for clean CRLF lines; fed a byte at a
    /// time, every line is judged by the exact path. Both give the same reply or the same
    /// error, for lines with each control byte, a high byte or a bare line end at every
    /// position.
    #[test]
    fn clean_line_fast_path_agrees_with_the_exact_path() {
        let replies: [&[u8]; 4] = [
            b"250-mail.example.org\r\n250-SIZE 100\r\n250 2.0.0 PIPELINING\r\n",
            // Its CR is the 16th octet: one past the tight limit once the LF is counted.
            b"250 0123456789a\r\n",
            b"550 5.7.1 \xc3\xa9 refused\r\n",
            b"220 ready\r\n",
        ];
        let policies = [
            Limits::default(),
            Limits::default().with_line_endings(LineEndings::Lenient),
            Limits::default().with_max_line_length(16),
        ];
        for input in crate::chars::single_byte_changes(&replies) {
            for limits in &policies {
                let whole = decode_reply(&input, limits);
                let mut scan = ReplyScan::default();
                let mut streamed = Ok(Decoded::Incomplete { needed: None });
                for end in 1..=input.len() {
                    streamed = scan.decode(&input[..end], limits);
                    if !matches!(streamed, Ok(Decoded::Incomplete { .. })) {
                        break;
                    }
                }
                assert_eq!(whole, streamed, "{:?}", String::from_utf8_lossy(&input));
            }
        }
    }

    #[test]
    fn reply_code_digits_are_checked_like_the_value() {
        let alphabet = b"0123456789/:a ";
        for &a in alphabet {
            for &b in alphabet {
                for &c in alphabet {
                    let digits = [a, b, c];
                    let expected = std::str::from_utf8(&digits)
                        .ok()
                        .filter(|t| t.bytes().all(|d| d.is_ascii_digit()))
                        .and_then(|t| t.parse().ok())
                        .and_then(ReplyCode::new);
                    assert_eq!(ReplyCode::parse(&digits), expected, "{digits:?}");
                }
            }
        }
        assert_eq!(ReplyCode::parse(b"25"), None);
    }

    #[test]
    fn enhanced_code_fast_path_agrees_with_the_bytewise_parse() {
        let alphabet = b"0259. x";
        for len in 0..=7u32 {
            for mut index in 0..alphabet.len().pow(len) {
                let mut text = Vec::new();
                for _ in 0..len {
                    text.push(alphabet[index % alphabet.len()]);
                    index /= alphabet.len();
                }
                assert_eq!(
                    EnhancedCode::parse_prefix(&text),
                    EnhancedCode::parse_prefix_bytewise(&text),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn decodes_multiline_reply_with_enhanced_codes() {
        let wire = b"250-2.1.0 first\r\n250 2.1.0 second\r\nnext";
        let (reply, consumed) = decode_reply(wire, &Limits::default())
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!(consumed, wire.len() - 4);
        assert_eq!(reply.code(), ReplyCode::OK);
        assert_eq!(reply.enhanced_code(), EnhancedCode::new(2, 1, 0));
        assert_eq!(
            reply.lines().collect::<Vec<_>>(),
            vec![&b"first"[..], b"second"]
        );
    }

    #[test]
    fn code_only_and_mismatched_lines() {
        let (reply, _) = decode_reply(b"250\r\n", &Limits::default())
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!(reply.lines().collect::<Vec<_>>(), vec![&b""[..]]);
        let err = decode_reply(b"250-a\r\n251 b\r\n", &Limits::default()).unwrap_err();
        assert_eq!(
            (err.offset(), err.kind()),
            (7, ErrorKind::Expected(Expected::SameReplyCode))
        );
        let err = decode_reply(b"250_a\r\n", &Limits::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Expected(Expected::ReplySeparator));
        let err = decode_reply(b"650 a\r\n", &Limits::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Expected(Expected::ReplyCode));
    }

    #[test]
    fn enhanced_class_must_match_the_code() {
        let (reply, _) = decode_reply(b"550 2.0.0 odd\r\n", &Limits::default())
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!(reply.enhanced_code(), None);
        assert_eq!(reply.first_line(), b"2.0.0 odd");
    }

    #[test]
    fn incremental_scan_resumes() {
        let mut scan = ReplyScan::default();
        let limits = Limits::default();
        assert!(!scan.decode(b"250-a\r\n250", &limits).unwrap().is_complete());
        let (reply, used) = scan
            .decode(b"250-a\r\n250 b\r\n", &limits)
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!((reply.line_count(), used), (2, 14));
    }

    #[test]
    fn endless_continuations_hit_the_limit() {
        let limits = Limits::default();
        let wire = b"250-x\r\n".repeat(limits.max_reply_lines + 1);
        let err = decode_reply(&wire, &limits).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LimitExceeded(Limit::ReplyLines));
    }

    #[test]
    fn builder_round_trips() {
        let reply = Reply::new(ReplyCode::OK, EnhancedCode::new(2, 0, 0), &["one", "two"]).unwrap();
        assert_eq!(reply.as_bytes(), b"250-2.0.0 one\r\n250 2.0.0 two\r\n");
        assert!(Reply::new(ReplyCode::OK, None, &["bad\r\nline"]).is_err());
        let reply = Reply::new::<&str>(ReplyCode::OK, None, &[]).unwrap();
        assert_eq!(reply.as_bytes(), b"250\r\n");
    }
}
