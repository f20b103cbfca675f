//! DKIM key records (RFC 6376 §3.6.1) at `<selector>._domainkey.<domain>`: a tag list with
//! an optional `v=DKIM1` first, the key type `k` (`rsa` by default, `ed25519` from RFC 8463)
//! and the base64 public key `p` (empty: revoked). For RSA the key is a DER
//! SubjectPublicKeyInfo (what `openssl rsa -pubout` prints; RFC 6376 §3.6.1 shows one) or,
//! as some signers publish it, a bare RSAPublicKey; its length is the modulus length.
//!
//! ```
//! use groupwire_conformance::dns::dkim::DkimKey;
//! let key = DkimKey::parse("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=").unwrap();
//! assert_eq!(key.bits, 256);
//! ```

use std::fmt;

use base64::Engine;

/// Why a key record does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DkimError {
    /// `v` is present but not `DKIM1`, or not the first tag.
    BadVersion(String),
    /// A tag without `=`.
    BadTag(String),
    /// No `p` tag.
    NoKey,
    /// `p` is empty: the key was revoked.
    Revoked,
    /// `p` is not base64.
    BadBase64,
    /// A key type other than `rsa` and `ed25519`.
    UnknownKeyType(String),
    /// The key bytes are not an RSA public key (or an Ed25519 key is not 32 bytes).
    BadKey(String),
}

impl fmt::Display for DkimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DkimError::BadVersion(v) => write!(f, "v={v} (must be DKIM1, first)"),
            DkimError::BadTag(tag) => write!(f, "malformed tag {tag:?}"),
            DkimError::NoKey => f.write_str("no p= tag"),
            DkimError::Revoked => f.write_str("p= is empty (key revoked)"),
            DkimError::BadBase64 => f.write_str("p= is not base64"),
            DkimError::UnknownKeyType(k) => write!(f, "unknown key type k={k}"),
            DkimError::BadKey(why) => write!(f, "p= is not a public key: {why}"),
        }
    }
}

impl std::error::Error for DkimError {}

/// A parsed DKIM key record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DkimKey<'a> {
    /// The key type, lowercased (`rsa`, `ed25519`).
    pub key_type: String,
    /// The key length in bits (RSA modulus length; 256 for Ed25519).
    pub bits: usize,
    /// Every tag as (name, value), trimmed.
    pub tags: Vec<(&'a str, &'a str)>,
}

impl<'a> DkimKey<'a> {
    /// Parses a key record's text (TXT strings already joined).
    pub fn parse(text: &'a str) -> Result<DkimKey<'a>, DkimError> {
        let mut tags = Vec::new();
        for tag in text.split(';') {
            let tag = tag.trim();
            if tag.is_empty() {
                continue;
            }
            let (name, value) = tag
                .split_once('=')
                .ok_or_else(|| DkimError::BadTag(tag.to_string()))?;
            tags.push((name.trim(), value.trim()));
        }
        for (index, (name, value)) in tags.iter().enumerate() {
            if *name == "v" && (index != 0 || *value != "DKIM1") {
                return Err(DkimError::BadVersion((*value).to_string()));
            }
        }
        let value = |wanted: &str| {
            tags.iter()
                .find(|(name, _)| *name == wanted)
                .map(|(_, value)| *value)
        };
        let key_type = value("k").unwrap_or("rsa").to_ascii_lowercase();
        let p = value("p").ok_or(DkimError::NoKey)?;
        // Folding whitespace may appear inside the base64 (RFC 6376 §3.6.1 base64string).
        let compact: String = p.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        if compact.is_empty() {
            return Err(DkimError::Revoked);
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            .map_err(|_| DkimError::BadBase64)?;
        let bits = match key_type.as_str() {
            "rsa" => rsa_bits(&bytes)?,
            "ed25519" if bytes.len() == 32 => 256,
            "ed25519" => {
                return Err(DkimError::BadKey(format!(
                    "an Ed25519 key is 32 bytes, not {}",
                    bytes.len()
                )));
            }
            other => return Err(DkimError::UnknownKeyType(other.to_string())),
        };
        Ok(DkimKey {
            key_type,
            bits,
            tags,
        })
    }
}

/// The modulus length of an RSA public key: a SubjectPublicKeyInfo, else a bare
/// RSAPublicKey (`SEQUENCE { INTEGER n, INTEGER e }`).
pub fn rsa_bits(der: &[u8]) -> Result<usize, DkimError> {
    use x509_parser::prelude::FromDer;
    use x509_parser::public_key::PublicKey;
    use x509_parser::x509::SubjectPublicKeyInfo;
    if let Ok((_, spki)) = SubjectPublicKeyInfo::from_der(der) {
        return match spki.parsed() {
            Ok(PublicKey::RSA(rsa)) => Ok(rsa.key_size()),
            Ok(_) => Err(DkimError::BadKey("not an RSA key".into())),
            Err(error) => Err(DkimError::BadKey(error.to_string())),
        };
    }
    bare_rsa_bits(der)
        .ok_or_else(|| DkimError::BadKey("neither SubjectPublicKeyInfo nor RSAPublicKey".into()))
}

/// One DER element: (tag, content, rest).
fn der_element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *input.first()?;
    let first = *input.get(1)?;
    let (length, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let mut length = 0usize;
        for byte in input.get(2..2 + count)? {
            length = (length << 8) | usize::from(*byte);
        }
        (length, 2 + count)
    };
    let content = input.get(header..header.checked_add(length)?)?;
    let rest = input.get(header + length..)?;
    Some((tag, content, rest))
}

fn bare_rsa_bits(der: &[u8]) -> Option<usize> {
    let (tag, sequence, _) = der_element(der)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, modulus, rest) = der_element(sequence)?;
    let (exponent_tag, _, _) = der_element(rest)?;
    if tag != 0x02 || exponent_tag != 0x02 {
        return None;
    }
    let start = modulus.iter().position(|&byte| byte != 0)?;
    let significant = modulus.get(start..)?;
    let top = *significant.first()?;
    Some((significant.len() - 1) * 8 + (8 - top.leading_zeros() as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RSA key of RFC 6376 Appendix C (a 1024-bit SubjectPublicKeyInfo).
    const RFC6376_KEY: &str = "v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB";

    #[test]
    fn rfc_6376_example_key_is_1024_bits() {
        let key = DkimKey::parse(RFC6376_KEY).unwrap();
        assert_eq!(key.key_type, "rsa");
        assert_eq!(key.bits, 1024);
    }

    /// The Ed25519 key of RFC 8463 Appendix A.2.
    #[test]
    fn rfc_8463_ed25519_key_parses() {
        let key =
            DkimKey::parse("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
                .unwrap();
        assert_eq!((key.key_type.as_str(), key.bits), ("ed25519", 256));
    }

    #[test]
    fn a_bare_rsa_public_key_is_measured_too() {
        // SEQUENCE { INTEGER (a 17-bit modulus 0x01_00_01), INTEGER 3 }.
        assert_eq!(
            bare_rsa_bits(&[0x30, 0x08, 0x02, 0x03, 0x01, 0x00, 0x01, 0x02, 0x01, 0x03]),
            Some(17)
        );
        assert_eq!(bare_rsa_bits(&[0x30, 0x08, 0x02]), None);
    }

    #[test]
    fn bad_records_are_refused() {
        assert_eq!(DkimKey::parse("v=DKIM1; p="), Err(DkimError::Revoked));
        assert_eq!(DkimKey::parse("v=DKIM1; k=rsa"), Err(DkimError::NoKey));
        assert_eq!(
            DkimKey::parse("k=rsa; v=DKIM1; p=AAAA"),
            Err(DkimError::BadVersion("DKIM1".into()))
        );
        assert_eq!(DkimKey::parse("v=DKIM1; p=!!!"), Err(DkimError::BadBase64));
        assert!(matches!(
            DkimKey::parse("v=DKIM1; p=AAAA"),
            Err(DkimError::BadKey(_))
        ));
        assert!(matches!(
            DkimKey::parse("v=DKIM1; k=dsa; p=AAAA"),
            Err(DkimError::UnknownKeyType(_))
        ));
    }
}
