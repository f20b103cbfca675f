//! Physical lines to logical content lines: line terminators, unfolding (RFC 5545 §3.1,
//! RFC 6350 §3.2) and folding on output, plus the lenient/strict policy for common defects.

use std::borrow::Cow;

use crate::{DecodeError, ErrorKind, Expected, Limit, Limits};

/// Longest physical line, in octets without the line break, that RFC 5545 §3.1 and
/// RFC 6350 §3.2 allow (SHOULD NOT be longer).
pub const MAX_FOLDED_LINE: usize = 75;

/// How a decoder treats the common real-world defects listed in [`Defect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strictness {
    /// Every defect is a [`DecodeError`]: for judging a server.
    Strict,
    /// Defects are accepted and reported as [`Warning`]s: for reading what clients produce.
    #[default]
    Lenient,
}

/// Options for the iCalendar and vCard decoders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecodeOptions {
    /// Strict or lenient treatment of defects.
    pub strictness: Strictness,
    /// Size, depth and length bounds.
    pub limits: Limits,
    /// The input is the whole body (a file, an HTTP body, a `calendar-data` element), not a
    /// prefix of a stream that may still grow.
    ///
    /// With it, a last line without a line break is complete (`…END:VCALENDAR` at the very
    /// end is common), and input that ends before the object's END line is an error
    /// ([`Expected::MatchingEnd`]), or in lenient mode the open components are closed with
    /// a [`Defect::MissingEnd`] warning. Without it, both are
    /// [`Decoded::Incomplete`](crate::Decoded::Incomplete): wait for more bytes. So "need
    /// more" and "never parses" stay apart.
    pub whole_body: bool,
}

impl DecodeOptions {
    /// Strict decoding with default limits.
    pub fn strict() -> Self {
        Self {
            strictness: Strictness::Strict,
            limits: Limits::default(),
            whole_body: false,
        }
    }

    /// Lenient decoding with default limits.
    pub fn lenient() -> Self {
        Self::default()
    }

    /// The same options for input that is the whole body (see [`DecodeOptions::whole_body`]).
    pub const fn whole_body(mut self) -> Self {
        self.whole_body = true;
        self
    }

    /// The same options with `limits`.
    pub const fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

/// A deviation from the RFC grammar that real-world producers commonly make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Defect {
    /// A line ends in LF without CR.
    BareLineFeed,
    /// A physical line is longer than 75 octets (it should have been folded).
    LongLine,
    /// A property or component name is not upper case (names are case-insensitive, so this
    /// is reported but never an error).
    LowercaseName,
    /// The object lacks its VERSION property.
    MissingVersion,
    /// The calendar lacks its PRODID property.
    MissingProdId,
    /// An empty content line.
    BlankLine,
    /// A parameter without `=value` (vCard 2.1 style `TEL;HOME:`).
    ParameterWithoutValue,
    /// Bytes that are not UTF-8 (replaced by U+FFFD).
    InvalidUtf8,
    /// A vCard VERSION other than 3.0 and 4.0 (2.1, say).
    UnsupportedVersion,
    /// A UTF-8 byte order mark before the first line (skipped).
    ByteOrderMark,
    /// White space before a content line's name (removed).
    LeadingWhitespace,
    /// A backslash escape (`\;`, `\,`, `\:`) inside an unquoted parameter value, which
    /// RFC 5545 §3.2 does not have (kept as written, the escaped character does not end the
    /// value).
    EscapedParameterChar,
    /// A blank line between a line and its folded continuation (skipped).
    BlankLineInFold,
    /// A quoted-printable soft line break (`=` at the end of a line, vCard 2.1) joining the
    /// next line (the `=` and the line break are removed).
    SoftLineBreak,
    /// An empty parameter (`TEL;;HOME:`, vCard 2.1 exports), dropped.
    EmptyParameter,
    /// A content line that does not parse (skipped; the warning's offset is its start).
    MalformedLine,
    /// Content after the object's END line in a whole body (skipped).
    TrailingData,
    /// A whole body that ends before the END lines of its open components (closed there).
    MissingEnd,
    /// An END line naming another component than the open one (`END:VCALENDARD`): it
    /// closes the innermost open component it names, or else the open one.
    MismatchedEnd,
    /// A line ending in more than one CR before its LF (`\r\r\n`); the extra CRs are
    /// removed.
    ExtraCarriageReturn,
}

impl Defect {
    /// What a strict decoder reports instead, or `None` when the defect is only ever a
    /// warning.
    pub const fn as_expected(self) -> Option<Expected> {
        match self {
            Defect::BareLineFeed => Some(Expected::Crlf),
            Defect::LongLine => Some(Expected::FoldedLine),
            Defect::LowercaseName => None,
            Defect::MissingVersion => Some(Expected::VersionProperty),
            Defect::MissingProdId => Some(Expected::ProdIdProperty),
            Defect::BlankLine => Some(Expected::ContentLine),
            Defect::ParameterWithoutValue => Some(Expected::ParameterEquals),
            Defect::InvalidUtf8 => Some(Expected::Utf8),
            Defect::UnsupportedVersion => Some(Expected::VcardVersion),
            Defect::ByteOrderMark | Defect::TrailingData => Some(Expected::Begin),
            Defect::LeadingWhitespace | Defect::MalformedLine => Some(Expected::PropertyName),
            Defect::EscapedParameterChar | Defect::EmptyParameter => Some(Expected::ParameterName),
            Defect::BlankLineInFold => Some(Expected::ContentLine),
            Defect::SoftLineBreak => Some(Expected::Colon),
            Defect::MissingEnd | Defect::MismatchedEnd => Some(Expected::MatchingEnd),
            Defect::ExtraCarriageReturn => Some(Expected::Crlf),
        }
    }
}

/// A defect accepted by a lenient decoder, and where it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Warning {
    /// Byte offset from the start of the decoded input.
    pub offset: usize,
    /// What was wrong.
    pub defect: Defect,
}

/// A decoded value together with the defects a lenient decoder accepted on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    /// The value.
    pub value: T,
    /// Defects accepted (always empty in strict mode, except [`Defect::LowercaseName`]).
    pub warnings: Vec<Warning>,
}

/// Collects warnings, or turns defects into errors in strict mode.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) strictness: Strictness,
    pub(crate) warnings: Vec<Warning>,
}

impl Report {
    pub(crate) fn lenient(&self) -> bool {
        self.strictness == Strictness::Lenient
    }

    pub(crate) fn new(strictness: Strictness) -> Self {
        Self {
            strictness,
            warnings: Vec::new(),
        }
    }

    /// Records `defect` at `offset`: an error in strict mode, a warning otherwise.
    pub(crate) fn defect(&mut self, offset: usize, defect: Defect) -> Result<(), DecodeError> {
        match (self.strictness, defect.as_expected()) {
            (Strictness::Strict, Some(expected)) => {
                Err(DecodeError::new(offset, ErrorKind::Expected(expected)))
            }
            _ => {
                self.warnings.push(Warning { offset, defect });
                Ok(())
            }
        }
    }
}

/// One logical (unfolded) content line.
#[derive(Debug)]
pub(crate) struct LogicalLine<'a> {
    /// The unfolded text.
    pub(crate) text: LineText<'a>,
    /// Offset of the first byte of the line.
    pub(crate) start: usize,
    /// Offset just past the line's final terminator.
    pub(crate) end: usize,
}

/// Reads the logical line starting at `start`. `Ok(None)` means the input ends before the
/// line's terminator (or, with `eof`, that no line starts at `start`). With `eof` the end of
/// the input terminates the last line.
///
/// `whole` checks the input as UTF-8 a stretch at a time, so a line needs no check of its
/// own; the parts of a folded line that lie within one physical line are borrowed from the
/// input too (see [`LineText::sub`]).
pub(crate) fn next_line<'a>(
    input: &'a [u8],
    whole: &mut Utf8Window<'a>,
    start: usize,
    limits: &Limits,
    eof: bool,
    report: &mut Report,
) -> Result<Option<LogicalLine<'a>>, DecodeError> {
    // The physical lines so far; a folded line's bytes are joined only at its end, so
    // unfolded lines cost no allocation.
    let mut segments = Segments::default();
    let mut seg_start = start;
    let mut total = 0usize;
    // Soft line breaks apply only before any fold, so an encoded value that ends in `=`
    // (see `write_folded`) reads back the same.
    let mut folded = false;
    loop {
        let Some(rest) = input.get(seg_start..) else {
            return Ok(None);
        };
        let (seg_end, next) = match memchr::memchr(b'\n', rest) {
            Some(lf) => {
                let lf_at = seg_start + lf;
                if lf > 0 && input.get(lf_at - 1) == Some(&b'\r') {
                    (lf_at - 1, lf_at + 1)
                } else {
                    report.defect(lf_at, Defect::BareLineFeed)?;
                    (lf_at, lf_at + 1)
                }
            }
            None => {
                if total + rest.len() > limits.max_line_length {
                    return Err(DecodeError::new(
                        start,
                        ErrorKind::LimitExceeded(Limit::LineLength),
                    ));
                }
                if !eof || (segments.is_empty() && rest.is_empty()) {
                    return Ok(None);
                }
                let end = input.len() - usize::from(rest.last() == Some(&b'\r'));
                (end, input.len())
            }
        };
        let mut seg_end = seg_end;
        if report.lenient()
            && seg_end > seg_start
            && input.get(seg_end - 1) == Some(&b'\r')
            && input.get(seg_end) == Some(&b'\r')
        {
            report.defect(seg_end, Defect::ExtraCarriageReturn)?;
            while seg_end > seg_start && input.get(seg_end - 1) == Some(&b'\r') {
                seg_end -= 1;
            }
        }
        let physical_start = if segments.is_empty() {
            seg_start
        } else {
            seg_start - 1
        };
        if seg_end - physical_start > MAX_FOLDED_LINE {
            report.defect(physical_start, Defect::LongLine)?;
        }
        total += seg_end - seg_start;
        if total > limits.max_line_length {
            return Err(DecodeError::new(
                start,
                ErrorKind::LimitExceeded(Limit::LineLength),
            ));
        }
        let mut segment = input.get(seg_start..seg_end).unwrap_or_default();
        // vCard 2.1 quoted-printable: `=` at the end of the line continues the value on the
        // next line, which does not start with white space.
        let soft_break = report.lenient()
            && !folded
            && segment.last() == Some(&b'=')
            && quoted_printable(
                segments
                    .first()
                    .map_or(segment, |(s, e)| input.get(s..e).unwrap_or_default()),
            )
            && input.get(next).is_some_and(|b| !matches!(b, b' ' | b'\t'));
        if soft_break {
            report.defect(seg_end - 1, Defect::SoftLineBreak)?;
            seg_end -= 1;
            segment = segment.get(..segment.len() - 1).unwrap_or_default();
        }
        // The physical lines are joined once, when the logical line is complete.
        segments.push(seg_start, seg_end);
        if soft_break {
            seg_start = next;
            continue;
        }
        match input.get(next) {
            Some(b' ' | b'\t') => {
                folded = true;
                seg_start = next + 1;
            }
            Some(b'\r' | b'\n') if report.lenient() => {
                // A blank line inside a fold: skip it when a continuation follows.
                let after = next
                    + if input.get(next) == Some(&b'\r') {
                        2
                    } else {
                        1
                    };
                match input.get(after) {
                    Some(b' ' | b'\t') => {
                        report.defect(next, Defect::BlankLineInFold)?;
                        folded = true;
                        seg_start = after + 1;
                    }
                    _ => {
                        return finish(input, whole, start, next, segments, report).map(Some);
                    }
                }
            }
            _ => {
                return finish(input, whole, start, next, segments, report).map(Some);
            }
        }
    }
}

// Inlined so the line is built in `next_line`'s return slot: returned from a call, its 168
// bytes were copied there by a `memcpy` call per line, read back wider than they were written
// (7 % of the vCard bench's samples in perf).
#[inline(always)]
fn finish<'a>(
    input: &'a [u8],
    whole: &mut Utf8Window<'a>,
    start: usize,
    next: usize,
    segments: Segments,
    report: &mut Report,
) -> Result<LogicalLine<'a>, DecodeError> {
    let (s, e) = segments.first().unwrap_or((start, start));
    let last_end = segments.last().map_or(e, |(_, end)| end);
    // The physical lines as text, when the window vouches for them.
    let source = whole.get(s, last_end);
    let text = match source {
        Some(source) if segments.len() <= 1 => {
            Cow::Borrowed(source.get(..e - s).unwrap_or_default())
        }
        // Folds sit between characters of valid text, so the pieces join without a check.
        Some(source) => {
            let mut text = String::with_capacity(last_end - s);
            for (from, to) in segments.iter() {
                text.push_str(source.get(from - s..to - s).unwrap_or_default());
            }
            Cow::Owned(text)
        }
        None if segments.len() <= 1 => unfold(input, s, e, None, report)?,
        None => {
            let mut bytes = Vec::with_capacity(last_end - s);
            for (from, to) in segments.iter() {
                bytes.extend_from_slice(input.get(from..to).unwrap_or_default());
            }
            unfold(input, s, e, Some(bytes), report)?
        }
    };
    Ok(LogicalLine {
        text: LineText {
            text,
            skip: 0,
            source: source.map(|source| (s, source)),
            segments,
        },
        start,
        end: next,
    })
}

/// The input checked as UTF-8 a stretch at a time, ahead of the lines that are read: one
/// vectorised check per stretch instead of one per line. Stretches start at 1 KiB and double
/// up to 1 MiB, so decoding one small object out of a large buffer checks little beyond it.
#[derive(Debug)]
pub(crate) struct Utf8Window<'a> {
    input: &'a [u8],
    /// Where the current stretch starts, and its text.
    stretch: (usize, &'a str),
    next_size: usize,
    /// Set once a stretch is not UTF-8: from then on every line is checked alone (as rare
    /// as such input is, it must not cost a stretch per line).
    off: bool,
}

impl<'a> Utf8Window<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Self {
            input,
            stretch: (0, ""),
            next_size: 1 << 10,
            off: false,
        }
    }

    /// `start..end` of the input as text, or `None` when it is not UTF-8 (the caller then
    /// checks the line itself, which says where).
    pub(crate) fn get(&mut self, start: usize, end: usize) -> Option<&'a str> {
        let (at, text) = self.stretch;
        if start < at || end > at + text.len() {
            if self.off {
                return None;
            }
            self.stretch = self.check_from(start, end);
            if end > self.stretch.0 + self.stretch.1.len() {
                self.off = true;
                return None;
            }
        }
        let (at, text) = self.stretch;
        text.get(start - at..end - at)
    }

    /// The stretch from `start`, covering `end` unless the input is not UTF-8 before it:
    /// then only the part before the first bad byte.
    fn check_from(&mut self, start: usize, end: usize) -> (usize, &'a str) {
        let mut stop = self
            .input
            .len()
            .min(start.saturating_add(self.next_size))
            .max(end);
        self.next_size = (self.next_size * 2).min(1 << 20);
        // End on a character boundary: back over continuation bytes (at most three).
        while stop > end && self.input.get(stop).is_some_and(|&b| b & 0xc0 == 0x80) {
            stop -= 1;
        }
        let bytes = self.input.get(start..stop).unwrap_or_default();
        if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
            return (start, text);
        }
        let valid = match std::str::from_utf8(bytes) {
            Ok(text) => text.len(),
            Err(e) => e.valid_up_to(),
        };
        let prefix = bytes.get(..valid).unwrap_or_default();
        (start, std::str::from_utf8(prefix).unwrap_or_default())
    }
}

/// Where the physical lines of a logical line lie in the input: the first four inline, any
/// more in a list (allocated only for such lines).
#[derive(Debug, Clone, Default)]
pub(crate) struct Segments {
    spans: [(usize, usize); 4],
    len: usize,
    more: Vec<(usize, usize)>,
}

impl Segments {
    fn push(&mut self, start: usize, end: usize) {
        match self.spans.get_mut(self.len) {
            Some(slot) => *slot = (start, end),
            None => self.more.push((start, end)),
        }
        self.len += 1;
    }

    fn len(&self) -> usize {
        self.len
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn first(&self) -> Option<(usize, usize)> {
        self.iter().next()
    }

    fn iter(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let inline = self.spans.get(..self.len.min(4)).unwrap_or_default();
        inline.iter().chain(&self.more).copied()
    }

    fn last(&self) -> Option<(usize, usize)> {
        self.iter().last()
    }

    /// The input range holding unfolded `from..to`, when it lies within one physical line.
    fn locate(&self, from: usize, to: usize) -> Option<(usize, usize)> {
        let mut unfolded = 0;
        for (start, end) in self.iter() {
            let len = end - start;
            if from < unfolded + len || (from == to && from == unfolded + len) {
                return (to <= unfolded + len)
                    .then_some((start + (from - unfolded), start + (to - unfolded)));
            }
            unfolded += len;
        }
        None
    }
}

/// The text of a logical line, and how to borrow its parts from the input.
#[derive(Debug, Clone)]
pub(crate) struct LineText<'a> {
    /// The unfolded line: borrowed from the input when it was not folded.
    text: Cow<'a, str>,
    /// Bytes at the start of `text` that are not part of the line any more.
    skip: usize,
    /// Where the physical lines start in the input, and their text (all of it UTF-8), for
    /// borrowing the parts of a folded line.
    source: Option<(usize, &'a str)>,
    segments: Segments,
}

impl<'a> LineText<'a> {
    /// The line's text.
    pub(crate) fn as_str(&self) -> &str {
        self.text.get(self.skip..).unwrap_or_default()
    }

    /// Drops the first `n` bytes.
    pub(crate) fn skip(&mut self, n: usize) {
        self.skip = (self.skip + n).min(self.text.len());
    }

    /// `from..to` of the line, borrowed from the input when the line was not folded or the
    /// part lies within one of its physical lines; copied otherwise.
    pub(crate) fn sub(&self, from: usize, to: usize) -> Cow<'a, str> {
        let (from, to) = (self.skip + from, self.skip + to);
        match &self.text {
            Cow::Borrowed(s) => Cow::Borrowed(s.get(from..to).unwrap_or_default()),
            Cow::Owned(s) => {
                let borrowed = self.source.and_then(|(at, source)| {
                    let (start, end) = self.segments.locate(from, to)?;
                    source.get(start - at..end - at)
                });
                match borrowed {
                    Some(part) => Cow::Borrowed(part),
                    None => Cow::Owned(s.get(from..to).unwrap_or_default().to_owned()),
                }
            }
        }
    }
}

/// Whether the line's parameters (before the first `:`) name the quoted-printable encoding.
fn quoted_printable(line: &[u8]) -> bool {
    let head = memchr::memchr(b':', line).map_or(line, |c| line.get(..c).unwrap_or_default());
    head.windows(16)
        .any(|w| w.eq_ignore_ascii_case(b"QUOTED-PRINTABLE"))
}

fn unfold<'a>(
    input: &'a [u8],
    first_start: usize,
    first_end: usize,
    joined: Option<Vec<u8>>,
    report: &mut Report,
) -> Result<Cow<'a, str>, DecodeError> {
    let bytes: Cow<'a, [u8]> = match joined {
        None => Cow::Borrowed(input.get(first_start..first_end).unwrap_or_default()),
        Some(b) => Cow::Owned(b),
    };
    match bytes {
        Cow::Borrowed(b) => match std::str::from_utf8(b) {
            Ok(s) => Ok(Cow::Borrowed(s)),
            Err(e) => {
                report.defect(first_start + e.valid_up_to(), Defect::InvalidUtf8)?;
                Ok(Cow::Owned(String::from_utf8_lossy(b).into_owned()))
            }
        },
        Cow::Owned(b) => match String::from_utf8(b) {
            Ok(s) => Ok(Cow::Owned(s)),
            Err(e) => {
                report.defect(first_start, Defect::InvalidUtf8)?;
                Ok(Cow::Owned(
                    String::from_utf8_lossy(e.as_bytes()).into_owned(),
                ))
            }
        },
    }
}

/// Writes `line` (without terminator) folded at 75 octets, never inside a UTF-8 sequence,
/// followed by CRLF.
///
/// A quoted-printable line (vCard 2.1) that ends in `=` is folded before that `=`, so that a
/// lenient decoder does not take it for a soft line break.
pub fn write_folded(line: &str, out: &mut Vec<u8>) {
    let mut width = 0usize;
    // Octets before the content on the current physical line: the space of a continuation.
    let mut lead = 0usize;
    let fold_last = line.ends_with('=') && quoted_printable(line.as_bytes());
    let last = line.len().saturating_sub(1);
    for (at, ch) in line.char_indices() {
        let len = ch.len_utf8();
        if width + len > MAX_FOLDED_LINE || (fold_last && at == last && width > 0) {
            // Never fold right after a CR: `CR CRLF SPACE` reads as a CR CR LF line end, which
            // lenient decoding repairs by dropping the CR. The CRs that end the line move to
            // the next one; a line of nothing but CRs stays long (no fold can be placed in it).
            let crs = out.iter().rev().take_while(|&&b| b == b'\r').count();
            if crs == 0 {
                out.extend_from_slice(b"\r\n ");
                width = 1;
                lead = 1;
            } else if crs < width - lead {
                out.truncate(out.len() - crs);
                out.extend_from_slice(b"\r\n ");
                out.extend(std::iter::repeat_n(b'\r', crs));
                width = 1 + crs;
                lead = 1;
            }
        }
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
        width += len;
    }
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use crate::Decoded;
    use crate::ical::{DecodeOptions, Property, decode_component};

    fn decode_one(line: &[u8]) -> Property<'_> {
        let wrapped = [b"BEGIN:VEVENT\r\n", line, b"\r\nEND:VEVENT\r\n"].concat();
        // Leak: the decoded value borrows the input, and the test compares owned copies.
        let input: &'static [u8] = Box::leak(wrapped.into_boxed_slice());
        match decode_component(input, &DecodeOptions::lenient()) {
            Ok(Decoded::Complete { value, .. }) => value
                .value
                .properties
                .into_iter()
                .next()
                .expect("one property"),
            other => panic!("{other:?}"),
        }
    }

    /// Lines read in order through the window come back exactly as a check of their own
    /// gives them, across stretch boundaries that fall inside multi-byte characters; after
    /// bytes that are not UTF-8 the window declines (the caller checks such lines alone).
    #[test]
    fn utf8_window_agrees_with_a_check_per_line() {
        use super::Utf8Window;
        let line = "DESCRIPTION:h\u{e9}llo w\u{f6}rld \u{65e5}\u{672c} \u{1f600}\r\n";
        for bad_at in [None, Some(5_000)] {
            let mut input = line.repeat(400).into_bytes();
            if let Some(at) = bad_at {
                input[at] = 0xff;
            }
            let mut window = Utf8Window::new(&input);
            let mut start = 0;
            let mut declined = false;
            while start < input.len() {
                let end = start + line.len() - 2;
                let got = window.get(start, end);
                let alone = std::str::from_utf8(&input[start..end]).ok();
                match got {
                    Some(text) => assert_eq!(Some(text), alone, "line at {start}"),
                    None => {
                        assert!(bad_at.is_some_and(|bad| bad < end), "declined at {start}");
                        declined = true;
                    }
                }
                start = end + 2;
            }
            assert_eq!(declined, bad_at.is_some());
        }
    }

    /// A line folded at every position decodes to the same property as unfolded, and every
    /// part that lies within one physical line is borrowed from the input, not copied.
    #[test]
    fn folded_lines_decode_the_same_and_borrow_what_they_can() {
        let line = "ATTENDEE;CN=\"Doe, Jane\";ROLE=REQ-PARTICIPANT;X-A=b,c:mailto:jane@example.org";
        let plain = decode_one(line.as_bytes());
        for fold in 1..line.len() {
            for second in [None, Some(fold + 7)] {
                let mut folded = line.as_bytes().to_vec();
                if let Some(second) = second.filter(|&at| at < line.len()) {
                    folded.splice(second..second, *b"\r\n\t");
                }
                folded.splice(fold..fold, *b"\r\n ");
                let property = decode_one(&folded);
                assert_eq!(property, plain, "folded at {fold}, {second:?}");
                let parts = std::iter::once(&property.name)
                    .chain(property.params.iter().map(|p| &p.name))
                    .chain(property.params.iter().flat_map(|p| p.values.iter()))
                    .chain(std::iter::once(&property.value));
                for part in parts {
                    let owned = matches!(part, Cow::Owned(_));
                    let unbroken = folded
                        .windows(part.len())
                        .any(|window| window == part.as_bytes());
                    assert_eq!(owned, !unbroken, "{part:?} folded at {fold}, {second:?}");
                }
            }
        }
    }
}
