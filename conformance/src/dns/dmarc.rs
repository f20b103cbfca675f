//! DMARC policy records (RFC 7489 §6.3, §6.4): a tag list at `_dmarc.<domain>` whose first
//! tag is `v=DMARC1` and which names a policy `p=none|quarantine|reject`.
//!
//! ```
//! use groupwire_conformance::dns::dmarc::{DmarcRecord, Policy};
//! let record = DmarcRecord::parse("v=DMARC1; p=reject; rua=mailto:d@example.com").unwrap();
//! assert_eq!(record.policy, Policy::Reject);
//! assert_eq!(record.rua(), Some("mailto:d@example.com"));
//! ```

use std::fmt;

/// The requested handling of failing mail (RFC 7489 §6.3 `p`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// `none`: monitoring only.
    None,
    /// `quarantine`: treat as suspicious.
    Quarantine,
    /// `reject`: refuse.
    Reject,
}

impl Policy {
    fn parse(value: &str) -> Option<Policy> {
        match value.to_ascii_lowercase().as_str() {
            "none" => Some(Policy::None),
            "quarantine" => Some(Policy::Quarantine),
            "reject" => Some(Policy::Reject),
            _ => None,
        }
    }
}

/// Why a TXT record is not a valid DMARC record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DmarcError {
    /// The first tag is not `v=DMARC1`: the record is not a DMARC record.
    NotDmarc,
    /// A tag without `=`, or with an empty name.
    BadTag(String),
    /// No `p` tag.
    NoPolicy,
    /// A `p` (or `sp`) value that is none of none, quarantine, reject.
    BadPolicy(String),
}

impl fmt::Display for DmarcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DmarcError::NotDmarc => f.write_str("the first tag is not v=DMARC1"),
            DmarcError::BadTag(tag) => write!(f, "malformed tag {tag:?}"),
            DmarcError::NoPolicy => f.write_str("no p= tag"),
            DmarcError::BadPolicy(value) => write!(f, "unknown policy {value:?}"),
        }
    }
}

impl std::error::Error for DmarcError {}

/// Whether a TXT string is a DMARC record candidate (RFC 7489 §6.6.3: records not beginning
/// with `v=DMARC1` are discarded).
pub fn is_dmarc(text: &str) -> bool {
    text.trim_start()
        .split(';')
        .next()
        .and_then(|tag| tag.split_once('='))
        .is_some_and(|(name, value)| name.trim() == "v" && value.trim() == "DMARC1")
}

/// A parsed DMARC record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DmarcRecord<'a> {
    /// The domain policy (`p`).
    pub policy: Policy,
    /// Every tag as (name, value), trimmed, in order.
    pub tags: Vec<(&'a str, &'a str)>,
}

impl<'a> DmarcRecord<'a> {
    /// Parses a record's text.
    pub fn parse(text: &'a str) -> Result<DmarcRecord<'a>, DmarcError> {
        if !is_dmarc(text) {
            return Err(DmarcError::NotDmarc);
        }
        let mut tags = Vec::new();
        for tag in text.split(';') {
            let tag = tag.trim();
            if tag.is_empty() {
                continue;
            }
            let (name, value) = tag
                .split_once('=')
                .ok_or_else(|| DmarcError::BadTag(tag.to_string()))?;
            let name = name.trim();
            if name.is_empty() {
                return Err(DmarcError::BadTag(tag.to_string()));
            }
            tags.push((name, value.trim()));
        }
        let value = |wanted: &str| {
            tags.iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
                .map(|(_, value)| *value)
        };
        let policy = value("p").ok_or(DmarcError::NoPolicy)?;
        let policy = Policy::parse(policy).ok_or_else(|| DmarcError::BadPolicy(policy.into()))?;
        if let Some(sp) = value("sp")
            && Policy::parse(sp).is_none()
        {
            return Err(DmarcError::BadPolicy(sp.into()));
        }
        Ok(DmarcRecord { policy, tags })
    }

    /// The value of a tag (ASCII case-insensitive name).
    pub fn tag(&self, wanted: &str) -> Option<&'a str> {
        self.tags
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
            .map(|(_, value)| *value)
    }

    /// The aggregate report addresses (`rua`), when given and not empty.
    pub fn rua(&self) -> Option<&'a str> {
        self.tag("rua").filter(|value| !value.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The records of RFC 7489 Appendix B.2.
    #[test]
    fn rfc_7489_examples_parse() {
        let record =
            DmarcRecord::parse("v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com").unwrap();
        assert_eq!(record.policy, Policy::None);
        assert_eq!(record.rua(), Some("mailto:dmarc-feedback@example.com"));
        let record = DmarcRecord::parse(
            "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; ruf=mailto:auth-reports@thirdparty.example.net",
        )
        .unwrap();
        assert_eq!(
            record.tag("ruf"),
            Some("mailto:auth-reports@thirdparty.example.net")
        );
        let record = DmarcRecord::parse(
            "v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com; pct=25",
        )
        .unwrap();
        assert_eq!(record.policy, Policy::Quarantine);
        assert_eq!(record.tag("pct"), Some("25"));
        let record = DmarcRecord::parse("v=DMARC1; p=reject").unwrap();
        assert_eq!(record.policy, Policy::Reject);
        assert_eq!(record.rua(), None);
    }

    #[test]
    fn malformed_records_are_refused() {
        assert_eq!(
            DmarcRecord::parse("p=reject; v=DMARC1"),
            Err(DmarcError::NotDmarc)
        );
        assert_eq!(
            DmarcRecord::parse("v=DMARC2; p=reject"),
            Err(DmarcError::NotDmarc)
        );
        assert_eq!(
            DmarcRecord::parse("v=DMARC1; rua=mailto:a@b.example"),
            Err(DmarcError::NoPolicy)
        );
        assert_eq!(
            DmarcRecord::parse("v=DMARC1; p=block"),
            Err(DmarcError::BadPolicy("block".into()))
        );
        assert!(matches!(
            DmarcRecord::parse("v=DMARC1; p=none; junk"),
            Err(DmarcError::BadTag(_))
        ));
        assert!(!is_dmarc("v=spf1 -all"));
    }
}
