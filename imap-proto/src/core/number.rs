//! `number`, `number64` and `nz-number` (RFC 9051 §9).

use std::num::NonZeroU32;

use super::cursor::{Cursor, ParseResult};
use crate::Expected;

/// Parses `number64`: 1*DIGIT fitting in 63 bits.
///
/// The common case (1 to 17 digits, which cannot overflow) is inlined where numbers are
/// read, in one pass with one multiply-add per digit; longer numbers, and the error, are one
/// call away.
#[inline(always)]
pub fn number64(c: &mut Cursor<'_>) -> ParseResult<u64> {
    let rest = c.rest();
    let mut value: u64 = 0;
    let mut len = 0;
    while let Some(&b) = rest.get(len) {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 || len == 18 {
            break;
        }
        value = value * 10 + u64::from(digit);
        len += 1;
    }
    if len == 0 || len == 18 {
        return number64_other(c);
    }
    c.skip(len);
    Ok(value)
}

/// [`number64`] for no digit at all (the error) and for 18 digits or more, checked all the
/// way (18 digits fit in 63 bits; a nineteenth may not).
#[inline(never)]
fn number64_other(c: &mut Cursor<'_>) -> ParseResult<u64> {
    let digits = c.rest().iter().take_while(|b| b.is_ascii_digit());
    let mut value: u64 = 0;
    let mut len = 0;
    for &d in digits {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
            .filter(|v| *v <= i64::MAX as u64)
            .ok_or_else(|| c.error(Expected::Number))?;
        len += 1;
    }
    if len == 0 {
        return Err(c.error(Expected::Number));
    }
    c.skip(len);
    Ok(value)
}

/// Parses `number`: 1*DIGIT fitting in 32 bits.
#[inline]
pub fn number(c: &mut Cursor<'_>) -> ParseResult<u32> {
    let start = c.pos();
    let value = number64(c)?;
    u32::try_from(value).map_err(|_| {
        let mut at = c.clone();
        at.reset_to(start);
        at.error(Expected::Number)
    })
}

/// Parses `nz-number`: a non-zero `number`.
#[inline]
pub fn nz_number(c: &mut Cursor<'_>) -> ParseResult<NonZeroU32> {
    let start = c.pos();
    let value = number(c)?;
    NonZeroU32::new(value).ok_or_else(|| {
        let mut at = c.clone();
        at.reset_to(start);
        at.error(Expected::NonZeroNumber)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;

    #[test]
    fn known_answers() {
        let parse = |s: &[u8]| number(&mut Cursor::new(s, Limits::default()));
        assert_eq!(parse(b"0").unwrap(), 0);
        assert_eq!(parse(b"4294967295").unwrap(), u32::MAX);
        assert_eq!(parse(b"4294967296").unwrap_err().offset(), 0);
        assert!(parse(b"x").is_err());
        let p64 = |s: &[u8]| number64(&mut Cursor::new(s, Limits::default()));
        assert_eq!(p64(b"9223372036854775807").unwrap(), i64::MAX as u64);
        // Around the inlined path's 17 digits, with what follows left unread.
        for digits in 1..=18 {
            let text = "9".repeat(digits);
            let input = format!("{text} x");
            let mut c = Cursor::new(input.as_bytes(), Limits::default());
            assert_eq!(number64(&mut c).unwrap(), text.parse::<u64>().unwrap());
            assert_eq!(c.rest(), b" x");
        }
        let mut c = Cursor::new(b"99999999999999999999", Limits::default());
        assert_eq!(number64(&mut c).unwrap_err().offset(), 0);
        assert_eq!(c.pos(), 0);
        assert!(p64(b"9223372036854775808").is_err());
        assert!(nz_number(&mut Cursor::new(b"0", Limits::default())).is_err());
        assert_eq!(
            nz_number(&mut Cursor::new(b"7 ", Limits::default()))
                .unwrap()
                .get(),
            7
        );
    }
}
