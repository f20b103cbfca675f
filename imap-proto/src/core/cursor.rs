//! [`Cursor`]: the byte reader every parser in the crate works with.

use crate::{DecodeError, ErrorKind, Expected, Limit, Limits};

/// The result type of the grammar functions.
pub type ParseResult<T> = Result<T, DecodeError>;

/// A position in one complete message, with the [`Limits`] that apply and the current list
/// nesting depth.
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    input: &'a [u8],
    pos: usize,
    depth: usize,
    limits: Limits,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `input`.
    pub fn new(input: &'a [u8], limits: Limits) -> Self {
        Self {
            input,
            pos: 0,
            depth: 0,
            limits,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The offset from the start of the input.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// The whole input.
    pub fn input(&self) -> &'a [u8] {
        self.input
    }

    /// What is left.
    pub fn rest(&self) -> &'a [u8] {
        self.input.get(self.pos..).unwrap_or_default()
    }

    /// The input between `start` and the current position.
    pub fn since(&self, start: usize) -> &'a [u8] {
        self.input.get(start..self.pos).unwrap_or_default()
    }

    /// Whether all input has been read.
    pub fn is_at_end(&self) -> bool {
        self.pos >= self.input.len()
    }

    /// The next byte, if any.
    pub fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    /// The byte `n` positions ahead, if any.
    pub fn peek_at(&self, n: usize) -> Option<u8> {
        self.input.get(self.pos.saturating_add(n)).copied()
    }

    /// Skips `n` bytes (at most to the end).
    pub fn advance(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n).min(self.input.len());
    }

    /// Skips `n` bytes the caller has just read from [`rest`](Self::rest), so
    /// `n <= rest().len()`: [`advance`](Self::advance) without its clamp, for the scanners
    /// that consume what they measured.
    #[inline]
    pub(crate) fn skip(&mut self, n: usize) {
        debug_assert!(n <= self.rest().len());
        self.pos += n;
    }

    /// Moves back to an earlier position (for backtracking over alternatives).
    pub fn reset_to(&mut self, pos: usize) {
        self.pos = pos.min(self.input.len());
    }

    /// An error of kind `expected` at the current position.
    pub fn error(&self, expected: Expected) -> DecodeError {
        DecodeError::new(self.pos, ErrorKind::Expected(expected))
    }

    /// A limit error at the current position.
    pub fn limit_error(&self, limit: Limit) -> DecodeError {
        DecodeError::new(self.pos, ErrorKind::LimitExceeded(limit))
    }

    /// Consumes `byte` if it is next.
    pub fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consumes `byte`, or fails with `expected`.
    pub fn expect(&mut self, byte: u8, expected: Expected) -> ParseResult<()> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    /// Consumes one space.
    pub fn sp(&mut self) -> ParseResult<()> {
        self.expect(b' ', Expected::Space)
    }

    /// Consumes CRLF.
    pub fn crlf(&mut self) -> ParseResult<()> {
        if self.rest().starts_with(b"\r\n") {
            self.pos += 2;
            Ok(())
        } else {
            Err(self.error(Expected::Crlf))
        }
    }

    /// Whether the input continues with `word`, ignoring ASCII case.
    #[inline]
    pub fn starts_with_ci(&self, word: &[u8]) -> bool {
        self.rest()
            .get(..word.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(word))
    }

    /// Consumes `word` (ASCII case-insensitive) if it is next.
    #[inline]
    pub fn eat_ci(&mut self, word: &[u8]) -> bool {
        if self.starts_with_ci(word) {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    /// Consumes `word` (ASCII case-insensitive), or fails with `expected`.
    pub fn expect_ci(&mut self, word: &[u8], expected: Expected) -> ParseResult<()> {
        if self.eat_ci(word) {
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    /// Consumes the longest run of bytes matching `accept`.
    pub fn take_while(&mut self, accept: impl Fn(u8) -> bool) -> &'a [u8] {
        let start = self.pos;
        let len = self.rest().iter().take_while(|&&b| accept(b)).count();
        self.pos += len;
        self.input.get(start..self.pos).unwrap_or_default()
    }

    /// Like [`take_while`](Self::take_while) but at least one byte, or fails with `expected`.
    pub fn take_while1(
        &mut self,
        accept: impl Fn(u8) -> bool,
        expected: Expected,
    ) -> ParseResult<&'a [u8]> {
        let taken = self.take_while(accept);
        if taken.is_empty() {
            Err(self.error(expected))
        } else {
            Ok(taken)
        }
    }

    /// Consumes exactly `n` bytes, or fails with `expected`.
    pub fn take(&mut self, n: usize, expected: Expected) -> ParseResult<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or_else(|| self.error(expected))?;
        let taken = self
            .input
            .get(self.pos..end)
            .ok_or_else(|| self.error(expected))?;
        self.pos = end;
        Ok(taken)
    }

    /// Enters one level of parenthesised nesting, failing when that exceeds
    /// [`Limits::max_nesting_depth`].
    pub fn enter(&mut self) -> ParseResult<()> {
        if self.depth >= self.limits.max_nesting_depth {
            return Err(self.limit_error(Limit::NestingDepth));
        }
        self.depth += 1;
        Ok(())
    }

    /// Leaves one level of nesting.
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Checks a list about to get its `count`-th element against [`Limits::max_list_length`].
    pub fn check_list_length(&self, count: usize) -> ParseResult<()> {
        if count > self.limits.max_list_length {
            Err(self.limit_error(Limit::ListLength))
        } else {
            Ok(())
        }
    }

    /// Fails unless all input was consumed.
    pub fn finish(&self) -> ParseResult<()> {
        if self.is_at_end() {
            Ok(())
        } else {
            Err(self.error(Expected::EndOfInput))
        }
    }
}

/// Parses a parenthesised, space-separated list: `"(" [item *(SP item)] ")"`, with depth and
/// length limits. `allow_empty` admits `()`.
pub fn paren_list<'a, T>(
    c: &mut Cursor<'a>,
    allow_empty: bool,
    item: impl FnMut(&mut Cursor<'a>) -> ParseResult<T>,
) -> ParseResult<Vec<T>> {
    paren_list_sized(c, allow_empty, 0, item)
}

/// [`paren_list`] whose `Vec` is allocated for `typical` items (at least four) when the
/// first arrives (an empty list allocates nothing), so the common lengths never reallocate.
pub fn paren_list_sized<'a, T>(
    c: &mut Cursor<'a>,
    allow_empty: bool,
    typical: usize,
    mut item: impl FnMut(&mut Cursor<'a>) -> ParseResult<T>,
) -> ParseResult<Vec<T>> {
    c.expect(b'(', Expected::OpenParen)?;
    c.enter()?;
    let mut items = Vec::new();
    if !(allow_empty && c.peek() == Some(b')')) {
        c.check_list_length(1)?;
        let first = item(c)?;
        // Allocated once, directly (not through push's growth path); four as push would.
        items = Vec::with_capacity(typical.max(4));
        items.push(first);
        while c.eat(b' ') {
            c.check_list_length(items.len() + 1)?;
            items.push(item(c)?);
        }
    }
    c.expect(b')', Expected::CloseParen)?;
    c.leave();
    Ok(items)
}
