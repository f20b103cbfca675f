//! Character classes of the SMTP grammars, as one 256-entry table: a scanner reads a byte's
//! class with a single load instead of a chain of range comparisons.

/// `atext` (RFC 5322 §3.2.3), plus UTF-8 octets (RFC 6531 `atext =/ UTF8-non-ascii`).
pub(crate) const ATEXT: u8 = 1;
/// A byte of a domain label other than the dot: letter, digit, `-`, `_` (found in the wild),
/// or a UTF-8 octet (U-labels under SMTPUTF8).
pub(crate) const LABEL: u8 = 1 << 1;
/// `xchar` (RFC 3461 §4: `!` to `~` except `+` and `=`), plus UTF-8 octets (RFC 6533).
pub(crate) const XCHAR: u8 = 1 << 2;
/// A letter, digit or `-`: the bytes of an `esmtp-keyword` after its first.
pub(crate) const KEYWORD: u8 = 1 << 3;
/// `.`, which joins atoms of a dot-string and labels of a domain.
pub(crate) const DOT: u8 = 1 << 4;
/// `-`, which may not start or end a domain label.
pub(crate) const HYPHEN: u8 = 1 << 5;
/// Not a class: the end of a domain name, for [`FORBIDDEN_AFTER`].
pub(crate) const NAME_END: u8 = 1 << 7;

const fn class_of(b: u8) -> u8 {
    let alnum = b.is_ascii_alphanumeric();
    let utf8 = b >= 0x80;
    let mut class = 0;
    if alnum
        || utf8
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'/'
                | b'='
                | b'?'
                | b'^'
                | b'_'
                | b'`'
                | b'{'
                | b'|'
                | b'}'
                | b'~'
        )
    {
        class |= ATEXT;
    }
    if alnum || utf8 || b == b'-' || b == b'_' {
        class |= LABEL;
    }
    if (utf8 || (b >= 33 && b <= 126)) && b != b'+' && b != b'=' {
        class |= XCHAR;
    }
    if alnum || b == b'-' {
        class |= KEYWORD;
    }
    if b == b'.' {
        class |= DOT;
    }
    if b == b'-' {
        class |= HYPHEN;
    }
    class
}

/// What may not follow each byte in a domain name: after a dot, neither a dot, a hyphen nor
/// the name's end (an empty label, or one starting with `-`); after a hyphen, neither a dot
/// nor the end (a label ending with `-`).
const fn forbidden_after(b: u8) -> u8 {
    match b {
        b'.' => DOT | HYPHEN | NAME_END,
        b'-' => DOT | NAME_END,
        _ => 0,
    }
}

/// Which of the two tables [`table`] builds (a `const fn` cannot take the function itself).
#[derive(Clone, Copy)]
enum Table {
    Classes,
    ForbiddenAfter,
}

// Evaluated at compile time only, where an out-of-bounds index is a build error.
#[allow(clippy::indexing_slicing)]
const fn table(which: Table) -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match which {
            Table::Classes => class_of(b as u8),
            Table::ForbiddenAfter => forbidden_after(b as u8),
        };
        b += 1;
    }
    table
}

static CLASSES: [u8; 256] = table(Table::Classes);

static FORBIDDEN_AFTER: [u8; 256] = table(Table::ForbiddenAfter);

/// The byte's classes.
#[inline(always)]
pub(crate) fn class(b: u8) -> u8 {
    CLASSES.get(usize::from(b)).copied().unwrap_or(0)
}

/// The classes (and [`NAME_END`]) that may not follow `b` in a domain name.
#[inline(always)]
pub(crate) fn forbidden_after_byte(b: u8) -> u8 {
    FORBIDDEN_AFTER.get(usize::from(b)).copied().unwrap_or(0)
}

/// Whether `b` is in any of the classes `mask`.
#[inline(always)]
pub(crate) fn is(b: u8, mask: u8) -> bool {
    CLASSES.get(usize::from(b)).copied().unwrap_or(0) & mask != 0
}

/// Length of the run of bytes at the start of `bytes` that are in `mask`.
#[inline]
pub(crate) fn run_len(bytes: &[u8], mask: u8) -> usize {
    bytes
        .iter()
        .position(|&b| !is(b, mask))
        .unwrap_or(bytes.len())
}

/// Whether `word` is `name` (upper-case ASCII) in any case. The name's length is a constant,
/// so the exact comparison that settles upper-case input is a few inline loads (no `memcmp`
/// call, no loop); other input is then compared byte-wise.
#[inline(always)]
pub(crate) fn same<const N: usize>(word: &[u8], name: &[u8; N]) -> bool {
    match <&[u8; N]>::try_from(word) {
        Ok(word) => word == name || word.eq_ignore_ascii_case(name),
        Err(_) => false,
    }
}

/// The index of the first control character (below 32, or 127) in `bytes`: the scan of
/// [`find_control_ascii`], whose text is not asked for here and so is compiled away.
#[inline]
pub(crate) fn find_control(bytes: &[u8]) -> Option<usize> {
    find_control_ascii(bytes).map(|(at, _)| at)
}

/// The top bit of each byte of `x` below 32 or DEL (the lowest mark exact). Command and reply
/// lines are too short for a vector loop to start, so they are read eight bytes at a time as
/// one `u64`: a byte below 32 borrows in `x - 0x2020..20` while its top bit is clear, and a DEL
/// becomes zero under `x ^ 0x7f7f..7f` and borrows in turn.
#[inline(always)]
fn control_marks(x: u64) -> u64 {
    let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
    below_space | zero_bytes(x ^ (ONES * 0x7f))
}

/// The first control byte of `bytes` (see [`control_marks`]), and the bytes before it as
/// text when they are all ASCII, learnt in the same pass by OR-ing the words it reads: nearly
/// every command line is ASCII, and this spares it the UTF-8 validation that would read it
/// again. Other text is left to the caller to validate.
#[inline]
pub(crate) fn find_control_ascii(bytes: &[u8]) -> Option<(usize, Option<&str>)> {
    let mut offset = 0;
    let mut seen = 0u64;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let x = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
        let marks = control_marks(x);
        if marks != 0 {
            let within = marks.trailing_zeros() / 8;
            // Only the bytes before the control: the rest of the word is not the text's.
            seen |= x & ((1u64 << (within * 8)) - 1);
            let at = offset + within as usize;
            return Some((at, ascii_text(bytes, at, seen)));
        }
        seen |= x;
        offset += 8;
    }
    for (index, &b) in words.remainder().iter().enumerate() {
        if b < 32 || b == 127 {
            let at = offset + index;
            return Some((at, ascii_text(bytes, at, seen)));
        }
        seen |= u64::from(b);
    }
    None
}

/// `bytes[..len]` as text when `seen`, the OR of every one of those bytes (each at any byte
/// position of the word), has no top bit set. The crate's one `unsafe`.
#[inline(always)]
#[allow(unsafe_code)]
fn ascii_text(bytes: &[u8], len: usize, seen: u64) -> Option<&str> {
    let text = bytes.get(..len)?;
    if seen & HIGHS != 0 {
        return None;
    }
    debug_assert!(text.is_ascii());
    // SAFETY: `seen` is the OR of every byte of `text` (`find_control_ascii`, the only caller,
    // ORs in each byte it passes and masks off those at and after `len`), and none of them has
    // its top bit set, so `text` is ASCII and therefore UTF-8.
    Some(unsafe { std::str::from_utf8_unchecked(text) })
}

/// The index of the first `byte` in `bytes`, eight bytes at a time (`byte` becomes zero
/// under `x ^ byte..byte` and borrows): reply lines and the words and parameters of command
/// and EHLO lines are shorter than a memchr call takes to set up.
#[inline(always)]
pub(crate) fn find_byte(bytes: &[u8], byte: u8) -> Option<usize> {
    first_flagged(
        bytes,
        |x| zero_bytes(x ^ (ONES * u64::from(byte))),
        |b| b == byte,
    )
}

/// The index of the first byte of `bytes` that is not [`XCHAR`], eight bytes at a time: a
/// byte below 33 (control or space) borrows in `x - 0x2121..21` while its top bit is clear,
/// and DEL, `+` and `=` become zero under their own XOR. Each term's lowest mark is exact and
/// its spurious marks lie above it, so the lowest mark of all is exact.
#[inline]
pub(crate) fn find_not_xchar(bytes: &[u8]) -> Option<usize> {
    first_flagged(
        bytes,
        |x| {
            let below_33 = x.wrapping_sub(ONES * 0x21) & !x & HIGHS;
            below_33
                | zero_bytes(x ^ (ONES * 0x7f))
                | zero_bytes(x ^ (ONES * u64::from(b'+')))
                | zero_bytes(x ^ (ONES * u64::from(b'=')))
        },
        |b| !is(b, XCHAR),
    )
}

const ONES: u64 = u64::from_le_bytes([1; 8]);
const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);

/// The top bit of each byte of `x` that is zero. Bits above the lowest may be spurious (the
/// borrow runs on); the lowest never is.
#[inline(always)]
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The top bit of each byte of the little-endian word `x` that is `byte`, every mark exact
/// (the carry-free test: no borrow runs from one byte into the next), for callers that
/// combine the marks of several words bit by bit.
#[inline(always)]
pub(crate) fn bytes_equal(x: u64, byte: u8) -> u64 {
    const LOW: u64 = !HIGHS;
    let diff = x ^ (ONES * u64::from(byte));
    !(((diff & LOW) + LOW) | diff | LOW)
}

/// The index of the first byte of `bytes` that `hit` accepts, eight bytes at a time: `flags`
/// marks such bytes of a little-endian word by their top bit (the lowest mark exact), and
/// `hit` tests the bytes of the short tail.
#[inline(always)]
fn first_flagged(
    bytes: &[u8],
    flags: impl Fn(u64) -> u64,
    hit: impl Fn(u8) -> bool,
) -> Option<usize> {
    let mut offset = 0;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let marks = flags(u64::from_le_bytes(word.try_into().unwrap_or([0; 8])));
        if marks != 0 {
            return Some(offset + (marks.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    let tail = words.remainder().iter().position(|&b| hit(b));
    tail.map(|at| offset + at)
}

/// The byte changes the fast-path tests try: each control byte class, a UTF-8 lead byte and a
/// space.
#[cfg(test)]
pub(crate) const PROBE_BYTES: [u8; 8] = [0, 9, 10, 13, 31, 127, 0xc3, b' '];

/// Every copy of each sample with one byte replaced by one of [`PROBE_BYTES`], for tests
/// that compare a fast path with the exact one on inputs good and bad.
#[cfg(test)]
pub(crate) fn single_byte_changes<'s>(samples: &'s [&[u8]]) -> impl Iterator<Item = Vec<u8>> + 's {
    samples.iter().flat_map(|sample| {
        (0..sample.len()).flat_map(move |at| {
            PROBE_BYTES.iter().map(move |&byte| {
                let mut input = sample.to_vec();
                if let Some(slot) = input.get_mut(at) {
                    *slot = byte;
                }
                input
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_control_agrees_with_a_plain_search() {
        // A control at every position of lines around the word size, among bytes that sit
        // next to the boundaries of the borrow tricks (31/32, 126/127/128, 255, tab).
        let fillers = [b' ', b'a', 0x7e, 0x80, 0xff, 0xa0, 0x9f];
        let controls = [0u8, 9, 10, 13, 31, 127];
        for len in 0..40 {
            for &filler in &fillers {
                let plain = vec![filler; len];
                assert_eq!(find_control(&plain), None);
                for at in 0..len {
                    for &control in &controls {
                        let mut line = plain.clone();
                        line[at] = control;
                        // A second control further on must not move the answer.
                        if let Some(later) = line.get_mut(at + 3) {
                            *later = 1;
                        }
                        let expected = line.iter().position(|&b| b < 32 || b == 127);
                        assert_eq!(find_control(&line), expected, "{line:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn find_byte_agrees_with_a_plain_search() {
        for byte in [b'\n', b' ', b'=', b',', 0, 0xff] {
            for len in 0..40 {
                for filler in [0u8, 0x1f, 0x21, 0xa0, 0xfe, b'a'] {
                    let plain = vec![filler; len];
                    assert_eq!(
                        find_byte(&plain, byte),
                        plain.iter().position(|&b| b == byte)
                    );
                    for at in 0..len {
                        let mut line = plain.clone();
                        line[at] = byte;
                        if let Some(later) = line.get_mut(at + 1) {
                            *later = byte;
                        }
                        let expected = line.iter().position(|&b| b == byte);
                        assert_eq!(find_byte(&line, byte), expected, "{line:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn find_not_xchar_agrees_with_the_class_table() {
        // Every byte value at every position of lines around the word size, in fillers that
        // sit at the edges of the class (33, 126, 128, 255) and next to `+` and `=`.
        for len in 1..20 {
            for filler in [b'!', b'~', 0x80, 0xff, b',', b'>', b'<', b'a'] {
                let plain = vec![filler; len];
                assert_eq!(find_not_xchar(&plain), None);
                for at in 0..len {
                    for byte in 0..=255u8 {
                        let mut line = plain.clone();
                        line[at] = byte;
                        let expected = line.iter().position(|&b| !is(b, XCHAR));
                        assert_eq!(find_not_xchar(&line), expected, "{line:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn classes_match_their_grammar() {
        for b in 0..=255u8 {
            let atext =
                b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b) || b >= 0x80;
            assert_eq!(is(b, ATEXT), atext, "atext {b}");
            let label = b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b >= 0x80;
            assert_eq!(is(b, LABEL), label, "label {b}");
            let xchar = ((33..=126).contains(&b) || b >= 0x80) && b != b'+' && b != b'=';
            assert_eq!(is(b, XCHAR), xchar, "xchar {b}");
            assert_eq!(
                is(b, KEYWORD),
                b.is_ascii_alphanumeric() || b == b'-',
                "keyword {b}"
            );
            assert_eq!(is(b, DOT), b == b'.', "dot {b}");
            assert_eq!(is(b, HYPHEN), b == b'-', "hyphen {b}");
            let forbidden = forbidden_after_byte(b);
            assert_eq!(forbidden & DOT != 0, b == b'.' || b == b'-', "after {b}");
            assert_eq!(forbidden & HYPHEN != 0, b == b'.', "after {b}");
            assert_eq!(
                forbidden & NAME_END != 0,
                b == b'.' || b == b'-',
                "after {b}"
            );
        }
        assert_eq!(run_len(b"ab-c.d", LABEL), 4);
        assert_eq!(run_len(b"", LABEL), 0);
        assert!(same(b"Size", b"SIZE") && same(b"SIZE", b"SIZE") && same(b"size", b"SIZE"));
        assert!(!same(b"SIZE\0", b"SIZE") && !same(b"SIZ", b"SIZE") && !same(b"SIZF", b"SIZE"));
        assert!(same(b"8bitmime", b"8BITMIME") && !same(b"\x18BITMIME", b"8BITMIME"));
    }

    #[test]
    fn find_control_ascii_finds_the_control_and_ascii_text_exactly() {
        // A control at every position, among ASCII fillers, with a high byte placed before
        // it, just before it, or after it (after must not spoil the text, before must).
        for len in 1..40usize {
            for at in 0..len {
                for filler in [b'a', b' ', 0x7e] {
                    for high in [None, Some(0usize), Some(at.saturating_sub(1)), Some(at + 1)] {
                        let mut line = vec![filler; len];
                        if let Some(h) = high.filter(|&h| h < len && h != at) {
                            line[h] = 0xc3;
                        }
                        line[at] = b'\r';
                        let found = find_control_ascii(&line);
                        let expected_at = line.iter().position(|&b| b < 32 || b == 127);
                        assert_eq!(found.map(|(a, _)| a), expected_at, "{line:?}");
                        let expected_text = line
                            .get(..at)
                            .filter(|t| t.is_ascii())
                            .and_then(|t| std::str::from_utf8(t).ok());
                        assert_eq!(found.and_then(|(_, t)| t), expected_text, "{line:?}");
                    }
                }
            }
        }
        assert_eq!(find_control_ascii(b"no control"), None);
        assert_eq!(
            find_control_ascii(b"\xc3\xa9t\xc3\xa9\r\n"),
            Some((5, None))
        );
    }
}
