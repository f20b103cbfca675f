//! The reply decoder judges each line in one pass; this holds its verdicts (complete,
//! incomplete, or which error at which offset) to a plain line-by-line statement of the rules,
//! checked in their documented order, for every input of up to 7 octets over an alphabet that
//! reaches every rule, with a short line limit so the length rule meets the others.

use groupwire_smtp::{Decoded, ErrorKind, Expected, Limit, Limits, LineEndings, decode_reply};

/// What a decoder said: bytes consumed by a complete reply, incomplete, or an error.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Complete(usize),
    Incomplete,
    Error(usize, ErrorKind),
}

fn control(b: u8) -> bool {
    (b < 32 && b != b'\t') || b == 127
}

/// The rules, one line at a time, in order: the line's end within the limit, CRLF (strict),
/// no CR inside (strict), the length counted with CRLF, the code, the same code as the first
/// line, the separator, printable text.
fn oracle(input: &[u8], limits: &Limits) -> Verdict {
    let max = limits.max_line_length;
    let strict = limits.line_endings == LineEndings::Strict;
    let mut start = 0;
    let mut first_code: Option<&[u8]> = None;
    loop {
        let rest = &input[start..];
        let window = &rest[..rest.len().min(max)];
        let Some(lf) = window.iter().position(|&b| b == b'\n') else {
            if rest.len() >= max {
                return Verdict::Error(start + max, ErrorKind::LimitExceeded(Limit::LineLength));
            }
            return Verdict::Incomplete;
        };
        let has_cr = lf > 0 && rest[lf - 1] == b'\r';
        let content = if has_cr { lf - 1 } else { lf };
        let line = &rest[..content];
        if strict && !has_cr {
            return Verdict::Error(start + lf, ErrorKind::Expected(Expected::CrlfNotBareLf));
        }
        if strict && let Some(cr) = line.iter().position(|&b| b == b'\r') {
            return Verdict::Error(start + cr, ErrorKind::Expected(Expected::CrlfNotBareCr));
        }
        if content + 2 > max {
            return Verdict::Error(start + lf, ErrorKind::LimitExceeded(Limit::LineLength));
        }
        let code = match line.get(..3) {
            Some(code)
                if (b'2'..=b'5').contains(&code[0]) && code[1..].iter().all(u8::is_ascii_digit) =>
            {
                code
            }
            _ => return Verdict::Error(start, ErrorKind::Expected(Expected::ReplyCode)),
        };
        if first_code.is_some_and(|first| first != code) {
            return Verdict::Error(start, ErrorKind::Expected(Expected::SameReplyCode));
        }
        first_code = Some(code);
        let last = match line.get(3) {
            None | Some(b' ') => true,
            Some(b'-') => false,
            Some(_) => {
                return Verdict::Error(start + 3, ErrorKind::Expected(Expected::ReplySeparator));
            }
        };
        let text = line.get(4..).unwrap_or_default();
        if let Some(at) = text.iter().position(|&b| control(b)) {
            return Verdict::Error(start + 4 + at, ErrorKind::Expected(Expected::PrintableText));
        }
        start += lf + 1;
        if last {
            return Verdict::Complete(start);
        }
    }
}

fn decoder(input: &[u8], limits: &Limits) -> Verdict {
    match decode_reply(input, limits) {
        Ok(Decoded::Complete { consumed, .. }) => Verdict::Complete(consumed),
        Ok(Decoded::Incomplete { .. }) => Verdict::Incomplete,
        Err(error) => Verdict::Error(error.offset(), error.kind()),
    }
}

#[test]
fn the_one_pass_reply_scan_gives_the_verdicts_of_the_rules_in_order() {
    const ALPHABET: &[u8] = b"25 -\r\n\x01";
    let mut compared = 0u64;
    for endings in [LineEndings::Strict, LineEndings::Lenient] {
        let limits = Limits::default()
            .with_max_line_length(6)
            .with_line_endings(endings);
        let mut input = Vec::new();
        for len in 0..=7u32 {
            let count = ALPHABET.len().pow(len);
            for mut index in 0..count {
                input.clear();
                for _ in 0..len {
                    input.push(ALPHABET[index % ALPHABET.len()]);
                    index /= ALPHABET.len();
                }
                // Replies begin with a code: put one in front of most inputs so the later
                // rules are reached, and keep the bare inputs too.
                for prefix in [&b""[..], b"250", b"25"] {
                    let mut whole = prefix.to_vec();
                    whole.extend_from_slice(&input);
                    assert_eq!(
                        decoder(&whole, &limits),
                        oracle(&whole, &limits),
                        "{:?} ({endings:?})",
                        String::from_utf8_lossy(&whole)
                    );
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 1_000_000, "{compared}");
}
