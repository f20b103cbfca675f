//! Framing: where one IMAP message (a line, plus the literals it announces and the lines
//! after them) ends in a byte stream.
//!
//! The [`Framer`] remembers how far it has scanned, so when more bytes arrive only the new
//! ones are examined (`memchr` for LF), and literal data is skipped by length without being
//! looked at. Both roles use it: a client frames responses, a server frames commands and
//! is told about each literal announcement (so it can send `+ ...` for a synchronising one).
//!
//! The buffer passed to [`Framer::poll`] must always start at the start of the message being
//! framed and only grow between calls; after [`FrameStatus::Complete`] the caller drops the
//! message's bytes and the framer starts afresh.

use std::num::NonZeroUsize;

use crate::core::LiteralMode;
use crate::{DecodeError, ErrorKind, Limit, Limits};

/// A literal announced at the end of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiteralAnnouncement {
    /// The announced size in octets.
    pub size: u64,
    /// `{n}` (synchronising) or `{n+}`.
    pub mode: LiteralMode,
    /// Whether it is `~{n}` (literal8).
    pub binary: bool,
    /// Offset (from the message start) of the byte after the announcing line's LF, where
    /// the literal's data begins; everything before it is the announcing line.
    pub data_start: usize,
}

/// What [`Framer::poll`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameStatus {
    /// The message occupies the first `len` bytes.
    Complete {
        /// The message's length, including the final CRLF.
        len: usize,
    },
    /// The message is not complete yet.
    Incomplete {
        /// How many more bytes are needed at least, when known (inside a literal).
        needed: Option<NonZeroUsize>,
    },
    /// A line ending in a literal announcement was just completed. Polling again goes on
    /// framing (the literal data and what follows).
    Literal(LiteralAnnouncement),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Looking for the LF ending the line that starts at `line_start`.
    Line,
    /// Inside literal data ending at this offset.
    LiteralData { end: usize },
}

/// An incremental IMAP message framer. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Framer {
    limits: Limits,
    state: State,
    /// Bytes before this offset have been examined.
    scanned: usize,
    /// Where the current line starts.
    line_start: usize,
    /// Total bytes examined by memchr since creation (for the rescanning bound tests).
    examined: u64,
    /// Report a literal over [`Limits::max_literal_size`] as an announcement (the caller
    /// refuses it) instead of an error; the server role sets this.
    defer_literal_limit: bool,
}

impl Framer {
    /// A framer enforcing `limits` (line length, literal size).
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            state: State::Line,
            scanned: 0,
            line_start: 0,
            examined: 0,
            defer_literal_limit: false,
        }
    }

    /// A framer that reports a literal over the size limit (or too large to represent) as a
    /// [`FrameStatus::Literal`] whose `size` exceeds [`Limits::max_literal_size`] (`u64::MAX`
    /// when unrepresentable), without entering its data: the caller must refuse it and
    /// [`reset`](Self::reset) before polling again.
    pub(crate) fn deferring_literal_limit(mut self) -> Self {
        self.defer_literal_limit = true;
        self
    }

    /// Where the line being framed starts (from the message start).
    pub(crate) fn line_start(&self) -> usize {
        self.line_start
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Forgets the message in progress (after the caller dropped or rejected it).
    pub fn reset(&mut self) {
        self.state = State::Line;
        self.scanned = 0;
        self.line_start = 0;
    }

    /// How many bytes the framer has examined in total: stays within a small constant of
    /// the bytes fed however they are chunked (literal data is skipped, never examined).
    pub fn bytes_examined(&self) -> u64 {
        self.examined
    }

    /// Frames the message at the start of `buf`, skipping literal announcements.
    pub fn frame(&mut self, buf: &[u8]) -> Result<FrameStatus, DecodeError> {
        loop {
            match self.poll(buf)? {
                FrameStatus::Literal(_) => continue,
                other => return Ok(other),
            }
        }
    }

    /// Advances over `buf` (the message so far) and says whether the message is complete,
    /// needs more bytes, or just announced a literal.
    pub fn poll(&mut self, buf: &[u8]) -> Result<FrameStatus, DecodeError> {
        loop {
            match self.state {
                State::LiteralData { end } => {
                    if buf.len() < end {
                        return Ok(FrameStatus::Incomplete {
                            needed: NonZeroUsize::new(end - buf.len()),
                        });
                    }
                    self.scanned = end;
                    self.line_start = end;
                    self.state = State::Line;
                }
                State::Line => {
                    let unscanned = buf.get(self.scanned..).unwrap_or_default();
                    let Some(found) = memchr::memchr(b'\n', unscanned) else {
                        self.examined += unscanned.len() as u64;
                        self.scanned = buf.len();
                        if buf.len() - self.line_start > self.limits.max_line_length {
                            return Err(self.line_too_long());
                        }
                        return Ok(FrameStatus::Incomplete { needed: None });
                    };
                    self.examined += found as u64 + 1;
                    let lf = self.scanned + found;
                    let line_end = lf + 1;
                    if line_end - self.line_start > self.limits.max_line_length {
                        return Err(self.line_too_long());
                    }
                    let line = buf.get(self.line_start..lf).unwrap_or_default();
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    let announced = match announced_literal(line) {
                        Err(_) if self.defer_literal_limit => {
                            let (mode, binary) = announcement_mode(line);
                            Some((u64::MAX, mode, binary))
                        }
                        other => other.map_err(|at| self.literal_error(at))?,
                    };
                    match announced {
                        Some((size, mode, binary))
                            if self.defer_literal_limit
                                && (size > self.limits.max_literal_size
                                    || usize::try_from(size)
                                        .ok()
                                        .and_then(|s| line_end.checked_add(s))
                                        .is_none()) =>
                        {
                            self.scanned = line_end;
                            self.line_start = line_end;
                            return Ok(FrameStatus::Literal(LiteralAnnouncement {
                                size,
                                mode,
                                binary,
                                data_start: line_end,
                            }));
                        }
                        Some((size, mode, binary)) => {
                            if size > self.limits.max_literal_size {
                                let at = line.len() - announcement_len(line);
                                return Err(self.literal_error(at));
                            }
                            let size = usize::try_from(size)
                                .map_err(|_| self.literal_error(line.len()))?;
                            let end = line_end
                                .checked_add(size)
                                .ok_or_else(|| self.literal_error(line.len()))?;
                            self.state = State::LiteralData { end };
                            self.scanned = line_end;
                            return Ok(FrameStatus::Literal(LiteralAnnouncement {
                                size: size as u64,
                                mode,
                                binary,
                                data_start: line_end,
                            }));
                        }
                        None => {
                            self.reset();
                            return Ok(FrameStatus::Complete { len: line_end });
                        }
                    }
                }
            }
        }
    }

    fn line_too_long(&self) -> DecodeError {
        DecodeError::new(
            self.line_start + self.limits.max_line_length,
            ErrorKind::LimitExceeded(Limit::LineLength),
        )
    }

    fn literal_error(&self, offset_in_line: usize) -> DecodeError {
        DecodeError::new(
            self.line_start + offset_in_line,
            ErrorKind::LimitExceeded(Limit::LiteralSize),
        )
    }
}

/// The length of the `~{n+}` announcement at the end of `line` (0 if none).
fn announcement_len(line: &[u8]) -> usize {
    let Some(open) = memchr::memrchr(b'{', line) else {
        return 0;
    };
    let start = if open > 0 && line.get(open - 1) == Some(&b'~') {
        open - 1
    } else {
        open
    };
    line.len() - start
}

/// The mode and literal8 flag of the announcement ending `line` (whose size overflowed).
fn announcement_mode(line: &[u8]) -> (LiteralMode, bool) {
    let mode = if line.ends_with(b"+}") {
        LiteralMode::NonSync
    } else {
        LiteralMode::Sync
    };
    let open = memchr::memrchr(b'{', line).unwrap_or(0);
    let binary = open > 0 && line.get(open - 1) == Some(&b'~');
    (mode, binary)
}

/// Recognises `{n}`, `{n+}` or `~{n}` at the end of a line (without CRLF). `Err` holds the
/// offset of a size too large to represent.
pub(crate) fn announced_literal(line: &[u8]) -> Result<Option<(u64, LiteralMode, bool)>, usize> {
    let Some(before_close) = line.strip_suffix(b"}") else {
        return Ok(None);
    };
    let (mode, digits_end) = match before_close.strip_suffix(b"+") {
        Some(rest) => (LiteralMode::NonSync, rest),
        None => (LiteralMode::Sync, before_close),
    };
    let digit_count = digits_end
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digit_count == 0 {
        return Ok(None);
    }
    let open = digits_end.len() - digit_count;
    if open == 0 || digits_end.get(open - 1) != Some(&b'{') {
        return Ok(None);
    }
    let binary = open >= 2 && digits_end.get(open - 2) == Some(&b'~');
    let mut size: u64 = 0;
    for &d in digits_end.get(open..).unwrap_or_default() {
        size = size
            .checked_mul(10)
            .and_then(|s| s.checked_add(u64::from(d - b'0')))
            .ok_or(open - 1)?;
    }
    Ok(Some((size, mode, binary)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame_all(input: &[u8]) -> Result<FrameStatus, DecodeError> {
        Framer::new(Limits::default()).frame(input)
    }

    #[test]
    fn single_lines() {
        assert_eq!(
            frame_all(b"* OK hi\r\nnext").unwrap(),
            FrameStatus::Complete { len: 9 }
        );
        assert_eq!(
            frame_all(b"* OK hi\r").unwrap(),
            FrameStatus::Incomplete { needed: None }
        );
    }

    #[test]
    fn literals_are_skipped_by_length() {
        let input = b"* 1 FETCH (BODY[] {5}\r\n\r\n\r\n\n)\r\nA1 OK\r\n";
        assert_eq!(frame_all(input).unwrap(), FrameStatus::Complete { len: 31 });
        let mut f = Framer::new(Limits::default());
        let status = f.poll(b"* 1 FETCH (BODY[] {5}\r\nab").unwrap();
        assert_eq!(
            status,
            FrameStatus::Literal(LiteralAnnouncement {
                size: 5,
                mode: LiteralMode::Sync,
                binary: false,
                data_start: 23
            })
        );
        assert_eq!(
            f.poll(b"* 1 FETCH (BODY[] {5}\r\nab").unwrap(),
            FrameStatus::Incomplete {
                needed: NonZeroUsize::new(3)
            }
        );
        let mut f = Framer::new(Limits::default());
        match f.poll(b"A APPEND x ~{3+}\r\n").unwrap() {
            FrameStatus::Literal(l) => {
                assert!(l.binary);
                assert_eq!(l.mode, LiteralMode::NonSync);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn chunked_input_is_scanned_once() {
        let mut message = b"* 1 FETCH (BODY[] {1048576}\r\n".to_vec();
        message.extend(std::iter::repeat_n(b'x', 1 << 20));
        message.extend_from_slice(b" UID 4)\r\n");
        let mut f = Framer::new(Limits::default());
        let mut result = None;
        for end in (4096..message.len() + 4096).step_by(4096) {
            let end = end.min(message.len());
            match f.frame(&message[..end]).unwrap() {
                FrameStatus::Complete { len } => {
                    result = Some(len);
                    break;
                }
                FrameStatus::Incomplete { .. } => {}
                FrameStatus::Literal(_) => unreachable!(),
            }
        }
        assert_eq!(result, Some(message.len()));
        assert!(f.bytes_examined() < 100, "{}", f.bytes_examined());
    }

    #[test]
    fn limits() {
        let limits = Limits {
            max_line_length: 10,
            max_literal_size: 4,
            ..Limits::default()
        };
        let err = Framer::new(limits).frame(b"* OK this is long").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LimitExceeded(Limit::LineLength));
        assert_eq!(err.offset(), 10);
        let err = Framer::new(limits).frame(b"* X {5}\r\n").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LimitExceeded(Limit::LiteralSize));
        assert_eq!(err.offset(), 4);
        let err = Framer::new(Limits::default())
            .frame(b"* X {99999999999999999999999}\r\n")
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LimitExceeded(Limit::LiteralSize));
    }
}
