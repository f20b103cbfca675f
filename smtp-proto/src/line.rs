//! Finding where a command or reply line ends, under the configured line-ending policy.

use memchr::memchr;

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
pub(crate) fn find_line(
    input: &[u8],
    scan_from: usize,
    max: usize,
    limit: Limit,
    endings: LineEndings,
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
    let content = if has_cr { lf - 1 } else { lf };
    if endings == LineEndings::Strict {
        if !has_cr {
            return Err(DecodeError::new(
                lf,
                ErrorKind::Expected(Expected::CrlfNotBareLf),
            ));
        }
        // Lines are short: a branch-free pass the compiler vectorises beats a memchr call;
        // the position is looked up only on error.
        let text = input.get(..content).unwrap_or_default();
        let has_bare_cr = text.iter().fold(false, |seen, &b| seen | (b == b'\r'));
        if has_bare_cr && let Some(cr) = memchr(b'\r', text) {
            return Err(DecodeError::new(
                cr,
                ErrorKind::Expected(Expected::CrlfNotBareCr),
            ));
        }
    }
    if content.saturating_add(CRLF_LEN) > max {
        return Err(DecodeError::new(lf, ErrorKind::LimitExceeded(limit)));
    }
    Ok(Some(LineEnd {
        content,
        consumed: lf + 1,
    }))
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
