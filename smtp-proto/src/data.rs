//! Message data after DATA: dot-stuffing on the way out, un-stuffing and the `CRLF.CRLF`
//! terminator on the way in (RFC 5321 §4.1.4, §4.5.2).
//!
//! [`DataDecoder`] hands out slices of its input: the payload between two stuffed dots is
//! contiguous on the wire, so nothing is copied. Each byte is looked at once, whatever the
//! chunking. The terminator is recognised only as `CRLF . CRLF` (the leading CRLF being the
//! end of the last payload line, or the 354 reply when the message is empty); under
//! [`LineEndings::Strict`] a bare CR or LF anywhere is an error, which is what defeats SMTP
//! smuggling (CVE-2023-51764): `LF.LF`, `CR.CR`, `LF.CRLF`, `CRLF.LF` never end the data.

use std::sync::LazyLock;

use bytes::BytesMut;
use memchr::{memchr, memchr2_iter, memmem};

use crate::limits::{Limit, LineEndings};
use crate::{DecodeError, Decoded, ErrorKind, Expected, Limits};

/// What [`DataDecoder::decode`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataEvent<'a> {
    /// Payload bytes, un-stuffed, borrowed from the input.
    Bytes(&'a [u8]),
    /// The terminating `.` line; the decoder is ready for the next message.
    End,
}

/// Streaming decoder of one DATA payload. Feed it the bytes after the 354 reply.
#[derive(Debug, Clone, Copy)]
pub struct DataDecoder {
    line_endings: LineEndings,
    max_size: u64,
    at_line_start: bool,
    size: u64,
}

impl DataDecoder {
    /// A decoder for one message under `limits` (line-ending policy, message size).
    pub const fn new(limits: &Limits) -> Self {
        Self {
            line_endings: limits.line_endings,
            max_size: limits.max_message_size,
            at_line_start: true,
            size: 0,
        }
    }

    /// Payload octets handed out so far for the current message.
    pub const fn size(&self) -> u64 {
        self.size
    }

    /// A decoder that goes on from where this one stands but only looks for the terminator:
    /// bare CR and LF are payload and the size is unbounded (for discarding a refused
    /// payload up to its `CRLF.CRLF`, which is still the only end).
    pub(crate) const fn for_discarding(&self) -> Self {
        Self {
            line_endings: LineEndings::Lenient,
            max_size: u64::MAX,
            at_line_start: self.at_line_start,
            size: self.size,
        }
    }

    /// Decodes from the start of `input`: payload bytes, the end of the message, or
    /// [`Decoded::Incomplete`] when nothing can be handed out yet (at most `CRLF.` or a
    /// trailing CR is held back until the next bytes tell what it is).
    pub fn decode<'a>(&mut self, input: &'a [u8]) -> Result<Decoded<DataEvent<'a>>, DecodeError> {
        let strict = self.line_endings == LineEndings::Strict;
        let mut skip = 0;
        if self.at_line_start && input.first() == Some(&b'.') {
            match (input.get(1), input.get(2)) {
                (None, _) | (Some(b'\r'), None) => return Ok(Decoded::Incomplete { needed: None }),
                (Some(b'\r'), Some(b'\n')) => {
                    self.at_line_start = true;
                    self.size = 0;
                    return Ok(Decoded::Complete {
                        value: DataEvent::End,
                        consumed: 3,
                    });
                }
                (Some(b'\r'), Some(_)) if strict => {
                    return Err(DecodeError::new(
                        1,
                        ErrorKind::Expected(Expected::CrlfNotBareCr),
                    ));
                }
                (Some(b'\n'), _) if strict => {
                    return Err(DecodeError::new(
                        1,
                        ErrorKind::Expected(Expected::CrlfNotBareLf),
                    ));
                }
                // A stuffed dot (or, leniently, a dot before a bare line end): drop it.
                _ => skip = 1,
            }
        }
        let hay = input.get(skip..).unwrap_or_default();
        let (len, at_line_start) = if strict {
            match scan_strict(hay) {
                Ok(found) => found,
                // The payload before the bare line end already goes over the size: that came
                // first in the stream (as it would, fed in pieces), so it is the error.
                Err(error) if self.size + error.offset() as u64 > self.max_size => {
                    return Err(DecodeError::new(
                        skip + error.offset(),
                        ErrorKind::LimitExceeded(Limit::MessageSize),
                    ));
                }
                Err(error) => return Err(error.shifted(skip)),
            }
        } else {
            scan_lenient(hay)
        };
        let bytes = hay.get(..len).unwrap_or_default();
        if len == 0 && skip == 0 {
            return Ok(Decoded::Incomplete { needed: None });
        }
        self.size += len as u64;
        if self.size > self.max_size {
            return Err(DecodeError::new(
                skip + len,
                ErrorKind::LimitExceeded(Limit::MessageSize),
            ));
        }
        self.at_line_start = if len == 0 { false } else { at_line_start };
        Ok(Decoded::Complete {
            value: DataEvent::Bytes(bytes),
            consumed: skip + len,
        })
    }
}

/// How much of `hay` can be handed out, and whether a line starts right after it: up to the
/// first CRLF followed by `.` (or by the end of the input), else everything but a trailing
/// CR; a bare CR or LF is an error.
///
/// One pass: [`clean_prefix`] runs over the payload in blocks with the widest vectors the CPU
/// has, [`locate`] finds the stop or fault in the block it stopped at, and the exact scan
/// reports a fault and reads the last few bytes.
fn scan_strict(hay: &[u8]) -> Result<(usize, bool), DecodeError> {
    // A leading LF has no pair before it to give it away: the exact scan reports it.
    let clean = if hay.first() == Some(&b'\n') {
        0
    } else {
        match locate_wide(hay) {
            Located::Stop(at) => return Ok((at, true)),
            Located::Clean(clean) => clean,
        }
    };
    // All pairs before `clean` are clean, so a CR just before it has its LF at `clean`: the
    // exact scan starts at that CR, never between the two. (An LF just before it is followed
    // by neither an LF nor a dot, or it would have been found.)
    let from = clean - usize::from(clean > 0 && hay.get(clean - 1) == Some(&b'\r'));
    let rest = hay.get(from..).unwrap_or_default();
    match scan_strict_exact(rest) {
        Ok((len, at_line_start)) => Ok((from + len, at_line_start)),
        Err(error) => Err(error.shifted(from)),
    }
}

/// The bytes [`clean_prefix`] checks per step where [`locate`] finds the stop in the block it
/// stopped at, and so the most [`locate`] reads. Longer steps measured faster on the real
/// payload and slower on the generated one, where a stuffed line comes every few hundred
/// bytes.
const BLOCK: usize = 64;

/// The bytes [`clean_prefix`] checks per step where [`locate_by_masks`] finds the stop. Against
/// 64 (quick runs one after the other, both with masks, load 0.85 then 0.77) the real payload
/// took 10 % less time (74.6 -> 67.2 µs) and the generated one 30 % more (1,166 -> 1,510 µs):
/// 1.78x and 1.70x the peer instead of 1.58x and 2.40x, the lower of the two ratios higher.
#[cfg(feature = "simd")]
const MASKED_BLOCK: usize = 128;

/// What [`locate`] or [`locate_by_masks`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Located {
    /// A `CRLF.` whose dot is at this offset, after clean pairs only: the payload stops there.
    Stop(usize),
    /// Every pair before this offset is clean; the exact scan goes on from here.
    Clean(usize),
}

impl Located {
    /// What the first marked pair says, given marks of bare pairs and of pairs that start
    /// `CRLF.` (at least one set). Each pair takes `width` bits and is marked by its top one:
    /// 8 in a word of bytes, 1 in a 64-byte compare mask; bit 0 is the pair at `at`. A bare
    /// pair is left to the exact scan, which reports it.
    #[inline(always)]
    fn first_mark(at: usize, bare: u64, stop: u64, width: u32) -> Located {
        let bit = (bare | stop).trailing_zeros();
        let pair = at + (bit / width) as usize;
        if bare >> bit & 1 == 0 {
            Located::Stop(pair + 2)
        } else {
            Located::Clean(pair)
        }
    }
}

/// The first pair at or after `clean` (where all pairs before are clean) that is bare or
/// starts `CRLF.`, in plain 64-bit words of eight pairs. Each byte class is marked exactly
/// ([`chars::bytes_equal`](crate::chars::bytes_equal)): a spurious mark could make a false
/// stop. Over the whole block [`clean_prefix`] stopped at, the eight words are marked without
/// a branch (64-bit lanes the compiler puts side by side in one vector) and the first marked
/// one is picked from a bit mask; over the last bytes, as far as whole words go, word by word.
#[inline(always)]
fn locate(hay: &[u8], clean: usize) -> Located {
    /// The marks of the word `this` (given the words one and two bytes on): bare pairs, and
    /// pairs that start `CRLF.`.
    #[inline(always)]
    fn marks(this: u64, next: u64, after: u64) -> (u64, u64) {
        use crate::chars::bytes_equal as equal;
        let cr = equal(this, b'\r');
        (cr ^ equal(next, b'\n'), cr & equal(after, b'.'))
    }
    let word_in = |bytes: &[u8], at: usize| {
        bytes
            .get(at..)
            .and_then(<[u8]>::first_chunk::<8>)
            .map(|bytes| u64::from_le_bytes(*bytes))
    };
    if let Some(block) = hay
        .get(clean..)
        .and_then(<[u8]>::first_chunk::<{ BLOCK + 2 }>)
    {
        let word = |at: usize| word_in(block, at).unwrap_or(0);
        // Two arrays, not one of pairs: so the compiler vectorises the loop.
        let mut bare = [0u64; BLOCK / 8];
        let mut stop = [0u64; BLOCK / 8];
        for (index, (bare, stop)) in bare.iter_mut().zip(&mut stop).enumerate() {
            let at = index * 8;
            (*bare, *stop) = marks(word(at), word(at + 1), word(at + 2));
        }
        let mut marked = 0u32;
        for (index, (bare, stop)) in bare.iter().zip(&stop).enumerate() {
            marked |= u32::from(bare | stop != 0) << index;
        }
        let index = marked.trailing_zeros() as usize;
        // No marked word: the block was clean after all (`clean_prefix` only stops at one
        // that is not, so this is not reached).
        return match (bare.get(index), stop.get(index)) {
            (Some(&bare), Some(&stop)) => Located::first_mark(clean + index * 8, bare, stop, 8),
            _ => Located::Clean(clean + BLOCK),
        };
    }
    let mut at = clean;
    while at < clean + BLOCK {
        let (Some(this), Some(next), Some(after)) =
            (word_in(hay, at), word_in(hay, at + 1), word_in(hay, at + 2))
        else {
            break;
        };
        let (bare, stop) = marks(this, next, after);
        if bare | stop != 0 {
            return Located::first_mark(at, bare, stop, 8);
        }
        at += 8;
    }
    Located::Clean(at)
}

/// [`clean_prefix`] compiled for, and run with, the widest vector instructions this CPU has
/// (on x86-64: AVX-512 or AVX2), chosen once at run time by `pulp`, which holds the `unsafe`
/// of calling such code; this crate has none. Safe code alone gets the compiler's baseline,
/// SSE2 on x86-64, where this check cost as much again as smtp-proto's whole pass.
#[cfg(feature = "simd")]
fn locate_wide(hay: &[u8]) -> Located {
    /// [`clean_prefix`] and [`locate`] as `pulp` runs them: a trait method marked
    /// `inline(always)`, so that they are compiled into pulp's function for each instruction
    /// set. (A closure is not always inlined there, and then runs at the baseline width.)
    struct Locate<'a>(&'a [u8]);
    impl pulp::WithSimd for Locate<'_> {
        type Output = Located;
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, simd: S) -> Located {
            locate_by_masks(simd, self.0)
                .unwrap_or_else(|| locate(self.0, clean_prefix::<BLOCK>(self.0)))
        }
    }
    static ARCH: LazyLock<pulp::Arch> = LazyLock::new(pulp::Arch::new);
    ARCH.dispatch(Locate(hay))
}

/// [`clean_prefix`] in steps of [`MASKED_BLOCK`], then the stop in the block it stopped at,
/// where the CPU compares 64 bytes into a 64-bit mask (AVX-512): each 64 bytes are compared
/// with CR, with LF one byte on and with a dot two bytes on, and the first pair marked is a
/// bit scan away. `None` on other CPUs, which take [`locate`]'s words instead.
///
/// The generated payload, a stuffed line every few hundred bytes, spends its time here. With
/// 64-byte steps the masks took it to 1,166 µs in a quick run (load 0.85); the word search had
/// measured 1,447 µs in the eighth figures, another session, so that gain is not an A/B. A
/// whole-payload scan by masks alone (one read of each 64 bytes, pairs met by shifting the
/// masks) took 83.2 µs on the real payload (load 0.16) against 74.6 µs for the block loop
/// with masks (load 0.85), and unrolled twice no faster.
#[cfg(feature = "simd")]
#[inline(always)]
fn locate_by_masks<S: pulp::Simd>(simd: S, hay: &[u8]) -> Option<Located> {
    if size_of::<S::u8s>() != 64 || size_of::<S::m8s>() != 8 {
        return None;
    }
    let clean = clean_prefix::<MASKED_BLOCK>(hay);
    let bits = |mask: S::m8s| {
        pulp::bytemuck::bytes_of(&mask)
            .first_chunk::<8>()
            .map_or(0, |bytes| u64::from_le_bytes(*bytes))
    };
    let chunk = |at: usize| {
        hay.get(at..)
            .map(S::as_simd_u8s)
            .and_then(|(chunks, _)| chunks.first().copied())
    };
    let mut at = clean;
    while at < clean + MASKED_BLOCK {
        let (Some(this), Some(next), Some(after)) = (chunk(at), chunk(at + 1), chunk(at + 2))
        else {
            // The last bytes: fewer than 66 from `at`.
            return Some(locate(hay, at));
        };
        let crs = bits(simd.equal_u8s(this, simd.splat_u8s(b'\r')));
        let bare = crs ^ bits(simd.equal_u8s(next, simd.splat_u8s(b'\n')));
        let stop = crs & bits(simd.equal_u8s(after, simd.splat_u8s(b'.')));
        if bare | stop != 0 {
            return Some(Located::first_mark(at, bare, stop, 1));
        }
        at += 64;
    }
    Some(Located::Clean(at))
}

/// Without the `simd` feature: [`clean_prefix`] and [`locate`] at the compiler's baseline
/// width.
#[cfg(not(feature = "simd"))]
fn locate_wide(hay: &[u8]) -> Located {
    locate(hay, clean_prefix::<BLOCK>(hay))
}

/// How many leading bytes of `hay` are clean, in whole blocks of `BLOCK` bytes ([`BLOCK`] or
/// [`MASKED_BLOCK`]): every pair of bytes among them has a CR exactly before each LF and an LF
/// exactly after each CR, and no CR has a dot two bytes on (with clean pairs, `CRLF.`: a
/// stuffed dot or the terminator). The first block holding anything else, and the last
/// bytes, are left to [`locate`] or [`locate_by_masks`].
///
/// Each block is one branch-free fold over its bytes and the same shifted by one and by two,
/// which the compiler vectorises: three compares per vector. Two byte views, with an LF then
/// dot compare, make four, and measured slower; bit masks of each byte class, shifted, are
/// not vectorised at all from portable code, so the position in the block is left to
/// [`locate`] (or to [`locate_by_masks`], which has the CPU's masks).
#[inline(always)]
fn clean_prefix<const BLOCK: usize>(hay: &[u8]) -> usize {
    let mut start = 0;
    while let Some(block) = hay.get(start..start + BLOCK + 2) {
        let (Some(this), Some(next), Some(after)) = (
            block.first_chunk::<BLOCK>(),
            block.get(1..).and_then(<[u8]>::first_chunk::<BLOCK>),
            block.last_chunk::<BLOCK>(),
        ) else {
            break;
        };
        let stop =
            this.iter()
                .zip(next)
                .zip(after)
                .fold(false, |stop, ((&this, &next), &after)| {
                    let cr = this == b'\r';
                    stop | (cr != (next == b'\n')) | (cr & (after == b'.'))
                });
        if stop {
            break;
        }
        start += BLOCK;
    }
    start
}

/// The exact strict scan: one pass over every CR and LF, stopping at the first bare one. It
/// reads what the fast scans leave (a fault's block, the last bytes), and the tests hold the
/// fast path to it.
fn scan_strict_exact(hay: &[u8]) -> Result<(usize, bool), DecodeError> {
    let mut hits = memchr2_iter(b'\r', b'\n', hay);
    while let Some(at) = hits.next() {
        if hay.get(at) == Some(&b'\n') {
            // Every CR takes its LF below, so an LF seen here has no CR before it.
            return Err(DecodeError::new(
                at,
                ErrorKind::Expected(Expected::CrlfNotBareLf),
            ));
        }
        match hay.get(at + 1) {
            Some(b'\n') => {
                hits.next();
                if matches!(hay.get(at + 2), Some(b'.') | None) {
                    return Ok((at + 2, true));
                }
            }
            None => return Ok((at, false)),
            Some(_) => {
                return Err(DecodeError::new(
                    at,
                    ErrorKind::Expected(Expected::CrlfNotBareCr),
                ));
            }
        }
    }
    Ok((hay.len(), false))
}

/// [`scan_strict`] without the checks: bare CR and LF are payload, only CRLF starts a line.
fn scan_lenient(hay: &[u8]) -> (usize, bool) {
    // Built once: building a searcher per call costs about as much as searching one line.
    static LINE_THEN_DOT: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new(b"\r\n."));
    match LINE_THEN_DOT.find(hay) {
        Some(at) => (at + 2, true),
        None if hay.ends_with(b"\r\n") => (hay.len(), true),
        None if hay.ends_with(b"\r") => (hay.len() - 1, false),
        None => (hay.len(), false),
    }
}

/// Streaming dot-stuffer: writes a payload as DATA wants it, in pieces of any size.
#[derive(Debug, Clone, Copy)]
pub struct DotStuffer {
    at_line_start: bool,
    after_cr: bool,
    ends_with_crlf: bool,
}

impl Default for DotStuffer {
    fn default() -> Self {
        Self {
            at_line_start: true,
            after_cr: false,
            ends_with_crlf: true,
        }
    }
}

impl DotStuffer {
    /// A stuffer at the start of a message.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `payload` to `out`, doubling every `.` that starts a line (a line starts at
    /// the beginning and after each CRLF, as [`DataDecoder`] sees it).
    pub fn stuff(&mut self, payload: &[u8], out: &mut BytesMut) {
        let mut rest = payload;
        while !rest.is_empty() {
            if self.at_line_start && rest.first() == Some(&b'.') {
                out.extend_from_slice(b".");
            }
            self.at_line_start = false;
            // Copy up to and including the next LF; a line starts after it if CR preceded it.
            let (piece, tail) = match memchr(b'\n', rest) {
                Some(lf) => rest.split_at(lf + 1),
                None => (rest, &[][..]),
            };
            out.extend_from_slice(piece);
            let prev_cr = if piece.len() >= 2 {
                piece.get(piece.len() - 2) == Some(&b'\r')
            } else {
                self.after_cr
            };
            if piece.last() == Some(&b'\n') {
                self.at_line_start = prev_cr;
                self.ends_with_crlf = prev_cr;
            } else {
                self.ends_with_crlf = false;
            }
            self.after_cr = piece.last() == Some(&b'\r');
            rest = tail;
        }
    }

    /// Ends the message: a CRLF if the payload did not end with one, then `.CRLF`.
    pub fn finish(self, out: &mut BytesMut) {
        if !self.ends_with_crlf {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b".\r\n");
    }
}

/// Dot-stuffs a whole payload and appends the terminator.
pub fn encode_data(payload: &[u8], out: &mut BytesMut) {
    let mut stuffer = DotStuffer::new();
    stuffer.stuff(payload, out);
    stuffer.finish(out);
}

/// Decodes a whole DATA payload from `input` (which must hold the terminator) into a vector:
/// the payload and how many input bytes it took.
pub fn decode_data_to_vec(input: &[u8], limits: &Limits) -> Result<Decoded<Vec<u8>>, DecodeError> {
    let mut decoder = DataDecoder::new(limits);
    let mut payload = Vec::new();
    let mut offset = 0;
    loop {
        let rest = input.get(offset..).unwrap_or_default();
        match decoder.decode(rest).map_err(|e| e.shifted(offset))? {
            Decoded::Complete {
                value: DataEvent::Bytes(bytes),
                consumed,
            } => {
                payload.extend_from_slice(bytes);
                offset += consumed;
            }
            Decoded::Complete {
                value: DataEvent::End,
                consumed,
            } => {
                return Ok(Decoded::Complete {
                    value: payload,
                    consumed: offset + consumed,
                });
            }
            Decoded::Incomplete { needed } => return Ok(Decoded::Incomplete { needed }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> Limits {
        Limits::default()
    }

    fn lenient() -> Limits {
        Limits::default().with_line_endings(LineEndings::Lenient)
    }

    fn whole(input: &[u8], limits: &Limits) -> Result<Option<(Vec<u8>, usize)>, DecodeError> {
        decode_data_to_vec(input, limits).map(Decoded::complete)
    }

    #[test]
    fn unstuffs_and_stops_at_the_terminator() {
        let input = b"Hi\r\n..dot\r\n.\r\nQUIT\r\n";
        assert_eq!(
            whole(input, &strict()).unwrap(),
            Some((b"Hi\r\n.dot\r\n".to_vec(), 14))
        );
        assert_eq!(whole(b".\r\n", &strict()).unwrap(), Some((Vec::new(), 3)));
    }

    #[test]
    fn hands_out_slices_without_copying() {
        let mut decoder = DataDecoder::new(&strict());
        let input = b"line one\r\nline two\r\n..x\r\n.\r\n";
        let Decoded::Complete {
            value: DataEvent::Bytes(first),
            consumed,
        } = decoder.decode(input).unwrap()
        else {
            panic!()
        };
        assert_eq!(first, b"line one\r\nline two\r\n");
        assert_eq!(first.as_ptr(), input.as_ptr());
        assert_eq!(consumed, 20);
    }

    #[test]
    fn smuggling_terminators_never_end_data() {
        for payload in [
            &b"a\n.\nMAIL FROM:<x@y>\r\n"[..],
            b"a\r.\rMAIL",
            b"a\n.\r\nMAIL",
            b"a\r\n.\nMAIL",
            b"a\r\n.\rMAIL",
            b"a\r.\r\nMAIL",
        ] {
            let mut input = payload.to_vec();
            input.extend_from_slice(b"\r\n.\r\n");
            assert!(
                whole(&input, &strict()).is_err(),
                "strict accepted {payload:?}"
            );
            let (decoded, used) = whole(&input, &lenient()).unwrap().unwrap();
            assert_eq!(used, input.len(), "lenient ended early on {payload:?}");
            assert!(decoded.starts_with(b"a"));
        }
    }

    #[test]
    fn chunked_input_gives_the_same_payload() {
        let input = b"a\r\n..b\r\n.c\r\n\r\n.\r\n";
        for split in 1..input.len() {
            let mut decoder = DataDecoder::new(&strict());
            let mut payload = Vec::new();
            let mut buffer = Vec::new();
            let mut fed = 0;
            let mut done = false;
            while !done {
                let feed = (fed + split).min(input.len());
                buffer.extend_from_slice(&input[fed..feed]);
                fed = feed;
                loop {
                    match decoder.decode(&buffer).unwrap() {
                        Decoded::Complete {
                            value: DataEvent::Bytes(b),
                            consumed,
                        } => {
                            payload.extend_from_slice(b);
                            buffer.drain(..consumed);
                        }
                        Decoded::Complete {
                            value: DataEvent::End,
                            ..
                        } => {
                            done = true;
                            break;
                        }
                        Decoded::Incomplete { .. } => break,
                    }
                }
            }
            assert_eq!(payload, b"a\r\n.b\r\nc\r\n\r\n", "split {split}");
        }
    }

    /// The blocked scan agrees with the exact one on CRLF-ended text up to three blocks and a
    /// half long (of [`MASKED_BLOCK`], seven of [`BLOCK`]), with a CR, an LF, a dot or a
    /// letter put at every position (inside a block, across a block or mask boundary, in the
    /// tail). Lines of every length from 2 to 20 put a CRLF across each boundary in some text.
    #[test]
    fn blocked_strict_scan_agrees_with_the_exact_scan_at_every_position() {
        for line in 2..=20 {
            let text: Vec<u8> = std::iter::repeat_n(b'a', line - 2)
                .chain(*b"\r\n")
                .cycle()
                .take(450)
                .collect();
            for len in [
                0, 1, 2, 63, 64, 65, 66, 127, 128, 129, 130, 191, 192, 193, 230, 255, 256, 257,
                258, 319, 320, 321, 322, 383, 384, 385, 386, 450,
            ] {
                let base = text.get(..len).unwrap();
                assert_eq!(scan_strict(base), scan_strict_exact(base), "len {len}");
                for at in 0..len {
                    for byte in [b'\r', b'\n', b'.', b'y'] {
                        let mut hay = base.to_vec();
                        hay[at] = byte;
                        assert_eq!(
                            scan_strict(&hay),
                            scan_strict_exact(&hay),
                            "line {line} len {len} at {at} {byte}"
                        );
                    }
                }
            }
        }
    }

    proptest::proptest! {
        /// The blocked scan agrees with the exact one on payloads of lines of letters and dots,
        /// mostly ended by CRLF, now and then by a bare CR, a bare LF or nothing, long enough
        /// to span several blocks.
        #[test]
        fn blocked_strict_scan_agrees_with_the_exact_scan_on_random_lines(
            lines in proptest::collection::vec(
                (
                    proptest::collection::vec(
                        proptest::prop_oneof![9 => b'a'..=b'z', 1 => proptest::strategy::Just(b'.')],
                        0..90,
                    ),
                    proptest::prop_oneof![
                        40 => proptest::strategy::Just(&b"\r\n"[..]),
                        1 => proptest::strategy::Just(&b"\r"[..]),
                        1 => proptest::strategy::Just(&b"\n"[..]),
                        1 => proptest::strategy::Just(&b""[..]),
                    ],
                ),
                0..30,
            )
        ) {
            let hay: Vec<u8> = lines
                .iter()
                .flat_map(|(text, end)| text.iter().chain(end.iter()))
                .copied()
                .collect();
            proptest::prop_assert_eq!(scan_strict(&hay), scan_strict_exact(&hay));
        }
    }

    /// Every input of up to 8 bytes over `a`, CR, LF and `.`, alone and between clean lines
    /// (`ab CRLF` before, `cd CRLF ef` after). Alone it is too short for the word scan; in
    /// the 18-byte context the word scan reads it, across its word boundary at byte 8.
    #[test]
    fn fast_strict_scan_agrees_with_the_exact_scan_on_every_short_input() {
        let alphabet = [b'a', b'\r', b'\n', b'.'];
        for len in 0..=8u32 {
            for mut code in 0..4usize.pow(len) {
                let mut hay = Vec::new();
                for _ in 0..len {
                    hay.push(alphabet[code % 4]);
                    code /= 4;
                }
                assert_eq!(scan_strict(&hay), scan_strict_exact(&hay), "{hay:?}");
                let inside = [&b"ab\r\n"[..], &hay, b"cd\r\nef"].concat();
                assert_eq!(
                    scan_strict(&inside),
                    scan_strict_exact(&inside),
                    "{inside:?}"
                );
            }
        }
    }

    #[test]
    fn message_size_limit() {
        let limits = Limits::default().with_max_message_size(4);
        let err = whole(b"12345\r\n.\r\n", &limits).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LimitExceeded(Limit::MessageSize));
    }

    #[test]
    fn stuffer_doubles_leading_dots_and_terminates() {
        let mut out = BytesMut::new();
        encode_data(b".a\r\nb\r\n.\r\nc", &mut out);
        assert_eq!(&out[..], b"..a\r\nb\r\n..\r\nc\r\n.\r\n");
        let mut out = BytesMut::new();
        let mut stuffer = DotStuffer::new();
        stuffer.stuff(b"x\r", &mut out);
        stuffer.stuff(b"\n.y\r\n", &mut out);
        stuffer.finish(&mut out);
        assert_eq!(&out[..], b"x\r\n..y\r\n.\r\n");
    }
}
