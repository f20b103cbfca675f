//! Modified UTF-7 for IMAP4rev1 mailbox names (RFC 3501 §5.1.3).

use crate::{DecodeError, ErrorKind, Expected};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

fn sextet(b: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == b).map(|p| p as u32)
}

/// Encodes `text` in modified UTF-7: printable ASCII stays, `&` becomes `&-`, anything else
/// is UTF-16 in modified base64 between `&` and `-`.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending: Vec<u16> = Vec::new();
    let flush = |pending: &mut Vec<u16>, out: &mut String| {
        if pending.is_empty() {
            return;
        }
        out.push('&');
        let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk.first().copied().unwrap_or(0),
                chunk.get(1).copied().unwrap_or(0),
                chunk.get(2).copied().unwrap_or(0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            let chars = chunk.len() + 1;
            for i in 0..chars {
                let index = ((n >> (18 - 6 * i)) & 63) as usize;
                out.push(char::from(ALPHABET.get(index).copied().unwrap_or(b'A')));
            }
        }
        out.push('-');
        pending.clear();
    };
    for ch in text.chars() {
        if (' '..='~').contains(&ch) {
            flush(&mut pending, &mut out);
            out.push(ch);
            if ch == '&' {
                out.push('-');
            }
        } else {
            let mut units = [0u16; 2];
            pending.extend_from_slice(ch.encode_utf16(&mut units));
        }
    }
    flush(&mut pending, &mut out);
    out
}

/// Decodes a modified UTF-7 name; the error's offset points at the bad byte.
pub fn decode(name: &[u8]) -> Result<String, DecodeError> {
    let error = |at: usize| DecodeError::new(at, ErrorKind::Expected(Expected::Utf7));
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    while let Some(&b) = name.get(i) {
        if b == b'&' {
            let start = i + 1;
            let end = name
                .get(start..)
                .and_then(|rest| rest.iter().position(|&x| x == b'-'))
                .map(|p| start + p)
                .ok_or_else(|| error(i))?;
            if end == start {
                out.push('&');
            } else {
                let mut bits = 0u32;
                let mut nbits = 0u32;
                let mut units = Vec::new();
                for (k, &c) in name.get(start..end).unwrap_or_default().iter().enumerate() {
                    let v = sextet(c).ok_or_else(|| error(start + k))?;
                    bits = (bits << 6) | v;
                    nbits += 6;
                    if nbits >= 16 {
                        nbits -= 16;
                        units.push(((bits >> nbits) & 0xffff) as u16);
                    }
                }
                if nbits >= 6 || bits & ((1 << nbits) - 1) != 0 {
                    return Err(error(end));
                }
                for ch in char::decode_utf16(units) {
                    out.push(ch.map_err(|_| error(start))?);
                }
            }
            i = end + 1;
        } else if (0x20..=0x7e).contains(&b) {
            out.push(char::from(b));
            i += 1;
        } else {
            return Err(error(i));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3501_examples() {
        assert_eq!(
            encode("~peter/mail/台北/日本語"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
        );
        assert_eq!(
            decode(b"~peter/mail/&U,BTFw-/&ZeVnLIqe-").unwrap(),
            "~peter/mail/台北/日本語"
        );
        assert_eq!(encode("a&b"), "a&-b");
        assert_eq!(decode(b"a&-b").unwrap(), "a&b");
        assert_eq!(decode(b"Entw&APw-rfe").unwrap(), "Entwürfe");
        assert!(decode(b"&Jjo!").is_err());
        assert!(decode(b"&U,BTF").is_err());
        assert!(decode(b"\xff").is_err());
    }

    #[test]
    fn roundtrip_emoji() {
        let name = "Mail 😀 ünï";
        assert_eq!(decode(encode(name).as_bytes()).unwrap(), name);
    }
}
