//! Finding where a command or reply line ends, under the configured line-ending policy.

use memchr::memchr;

use crate::chars;
use crate::limits::{Limit, LineEndings};
use crate::{DecodeError, ErrorKind, Expected};

/// Octets of the CRLF every line is counted with (RFC 5321 §4.5.3.1.4: "including the <CRLF>").
const CRLF_LEN: usize = 2;

/// Where a complete line ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LineEnd {
    /// Length of the line's content, without its terminator.
    pub content: usize,
    /// Length of the line including its terminator.
    pub consumed: usize,
}

/// Finds the end of the line at the start of `input`, scanning from `scan_from` (bytes before
/// it are known to hold no LF). Returns `Ok(None)` when no line end has arrived yet, and an
/// error when the line is longer than `max` octets or ends badly.
///
/// The length counted is that of the line as it is re-sent: its content plus CRLF, whatever
/// terminator it arrived with. A line ended by a bare LF (accepted under
/// [`LineEndings::Lenient`]) therefore carries at most `max - 2` content octets, like one ended
/// by CRLF, so everything that decodes re-encodes within the same limit.
#[inline]
pub(crate) fn find_line(
    input: &[u8],
    scan_from: usize,
    max: usize,
    limit: Limit,
    endings: LineEndings,
) -> Result<Option<LineEnd>, DecodeError> {
    let Some(end) = find_lf(input, scan_from, max, limit)? else {
        return Ok(None);
    };
    if endings == LineEndings::Strict {
        check_bare_lf(end)?;
        // Lines are short: a branch-free pass the compiler vectorises beats a memchr call;
        // the position is looked up only on error.
        let text = input.get(..end.content).unwrap_or_default();
        let has_bare_cr = text.iter().fold(false, |seen, &b| seen | (b == b'\r'));
        if has_bare_cr {
            check_bare_cr(text)?;
        }
    }
    check_length(end, max, limit)?;
    Ok(Some(end))
}

/// The fast path of line finding: the line at the start of `input` when it ends in CRLF
/// within `max` octets and holds no other control character, found in one pass (see
/// [`chars::find_control`]). `None` means "not that simple", not "no line": the caller then
/// takes the exact path, which says what is wrong or that more is needed.
#[inline]
pub(crate) fn clean_crlf_line(input: &[u8], max: usize) -> Option<LineEnd> {
    clean_crlf_text(input, max).map(|(end, _)| end)
}

/// [`clean_crlf_line`], with the line's content as text when it is all ASCII (learnt in the
/// same pass; see [`chars::find_control_ascii`]).
#[inline]
pub(crate) fn clean_crlf_text(input: &[u8], max: usize) -> Option<(LineEnd, Option<&str>)> {
    let window = input.get(..input.len().min(max))?;
    let (cr, text) = chars::find_control_ascii(window)?;
    let clean =
        window.get(cr) == Some(&b'\r') && input.get(cr + 1) == Some(&b'\n') && cr + CRLF_LEN <= max;
    let end = LineEnd {
        content: cr,
        consumed: cr + CRLF_LEN,
    };
    clean.then_some((end, text))
}

/// The first step of [`find_line`]: where the line ends (its LF, and the CR before it when
/// there is one), or `Ok(None)` while none has arrived within `max` octets. A caller that
/// scans the line itself runs the other steps ([`check_bare_lf`], [`check_bare_cr`],
/// [`check_length`]) in that order.
#[inline]
pub(crate) fn find_lf(
    input: &[u8],
    scan_from: usize,
    max: usize,
    limit: Limit,
) -> Result<Option<LineEnd>, DecodeError> {
    let window_end = input.len().min(max);
    let window = input
        .get(scan_from.min(window_end)..window_end)
        .unwrap_or_default();
    let Some(found) = memchr(b'\n', window) else {
        if input.len() >= max {
            return Err(DecodeError::new(max, ErrorKind::LimitExceeded(limit)));
        }
        return Ok(None);
    };
    let lf = scan_from.min(window_end) + found;
    let has_cr = lf > 0 && input.get(lf - 1) == Some(&b'\r');
    Ok(Some(LineEnd {
        content: if has_cr { lf - 1 } else { lf },
        consumed: lf + 1,
    }))
}

/// Strict line endings: the line must end in CRLF, not a bare LF.
#[inline]
pub(crate) fn check_bare_lf(end: LineEnd) -> Result<(), DecodeError> {
    if end.consumed - end.content == CRLF_LEN {
        Ok(())
    } else {
        Err(DecodeError::new(
            end.content,
            ErrorKind::Expected(Expected::CrlfNotBareLf),
        ))
    }
}

/// Strict line endings: no CR inside the line's content (`content`, without its CRLF).
#[inline]
pub(crate) fn check_bare_cr(content: &[u8]) -> Result<(), DecodeError> {
    match memchr(b'\r', content) {
        Some(cr) => Err(DecodeError::new(
            cr,
            ErrorKind::Expected(Expected::CrlfNotBareCr),
        )),
        None => Ok(()),
    }
}

/// The line, counted with CRLF, within `max` octets.
#[inline]
pub(crate) fn check_length(end: LineEnd, max: usize, limit: Limit) -> Result<(), DecodeError> {
    if end.content.saturating_add(CRLF_LEN) > max {
        return Err(DecodeError::new(
            end.consumed - 1,
            ErrorKind::LimitExceeded(limit),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict(input: &[u8]) -> Result<Option<LineEnd>, DecodeError> {
        find_line(input, 0, 10, Limit::LineLength, LineEndings::Strict)
    }

    #[test]
    fn finds_crlf_and_reports_sizes() {
        assert_eq!(
            strict(b"NOOP\r\nx").unwrap(),
            Some(LineEnd {
                content: 4,
                consumed: 6
            })
        );
        assert_eq!(strict(b"NOOP\r").unwrap(), None);
    }

    #[test]
    fn limit_counts_the_terminator() {
        assert!(strict(b"12345678\r\n").unwrap().is_some());
        let err = strict(b"123456789\r\n").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LimitExceeded(Limit::LineLength));
        assert_eq!(err.offset(), 10);
    }

    #[test]
    fn bare_line_ends_depend_on_policy() {
        let err = strict(b"a\nb").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Expected(Expected::CrlfNotBareLf));
        let err = strict(b"a\rb\r\n").unwrap_err();
        assert_eq!(
            (err.offset(), err.kind()),
            (1, ErrorKind::Expected(Expected::CrlfNotBareCr))
        );
        let lenient = find_line(b"ab\nc", 0, 10, Limit::LineLength, LineEndings::Lenient);
        assert_eq!(
            lenient.unwrap(),
            Some(LineEnd {
                content: 2,
                consumed: 3
            })
        );
    }

    /// Issue 9 regression: a bare-LF line that fits only because its terminator is one octet
    /// would re-encode (with CRLF) one octet past the limit.
    #[test]
    fn bare_lf_line_is_counted_as_if_it_ended_in_crlf() {
        let lenient =
            |input: &[u8]| find_line(input, 0, 10, Limit::LineLength, LineEndings::Lenient);
        assert_eq!(
            lenient(b"12345678\n").unwrap(),
            Some(LineEnd {
                content: 8,
                consumed: 9
            })
        );
        let err = lenient(b"123456789\n").unwrap_err();
        assert_eq!(
            (err.offset(), err.kind()),
            (9, ErrorKind::LimitExceeded(Limit::LineLength))
        );
        // CRLF lines are unchanged: 8 content octets + CRLF is the most that fits in 10.
        assert!(lenient(b"12345678\r\n").unwrap().is_some());
        assert!(lenient(b"123456789\r\n").is_err());
        // Degenerate limits never underflow: nothing fits in fewer than two octets.
        let tiny = find_line(b"\n", 0, 1, Limit::LineLength, LineEndings::Lenient);
        assert!(tiny.is_err());
    }
}
