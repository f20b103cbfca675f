//! MTA-STS (RFC 8461): the `_mta-sts.<domain>` TXT record (`v=STSv1; id=...;`, §3.1), the
//! policy file served at `https://mta-sts.<domain>/.well-known/mta-sts.txt` (`key: value`
//! lines, §3.2) and how a policy's `mx` patterns match an MX host (§4.1). Also the TLS-RPT
//! record at `_smtp._tls.<domain>` (RFC 8460 §3: `v=TLSRPTv1; rua=...`).
//!
//! ```
//! use groupwire_conformance::dns::mta_sts::{Mode, Policy};
//! let policy = Policy::parse("version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 86400\n").unwrap();
//! assert_eq!(policy.mode, Mode::Enforce);
//! assert!(policy.matches_mx("backupmx.example.net"));
//! ```

use std::fmt;

/// Why an MTA-STS record or policy does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StsError {
    /// The TXT record does not begin with `v=STSv1`.
    NotSts,
    /// The TXT record has no `id`, or an id that is not 1 to 32 letters and digits.
    BadId(String),
    /// A policy line without `:`.
    BadLine(String),
    /// The policy's `version` is missing or not `STSv1`.
    BadVersion,
    /// The policy's `mode` is missing or not enforce, testing or none.
    BadMode(Option<String>),
    /// The policy's `max_age` is missing or not a number up to 31557600.
    BadMaxAge(Option<String>),
    /// A policy in enforce or testing mode names no `mx`.
    NoMx,
}

impl fmt::Display for StsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StsError::NotSts => f.write_str("the record does not begin with v=STSv1"),
            StsError::BadId(id) => write!(f, "id {id:?} is not 1 to 32 letters and digits"),
            StsError::BadLine(line) => write!(f, "policy line {line:?} has no ':'"),
            StsError::BadVersion => f.write_str("the policy's version is not STSv1"),
            StsError::BadMode(None) => f.write_str("the policy has no mode"),
            StsError::BadMode(Some(mode)) => write!(f, "unknown mode {mode:?}"),
            StsError::BadMaxAge(None) => f.write_str("the policy has no max_age"),
            StsError::BadMaxAge(Some(age)) => write!(f, "max_age {age:?} is not 0 to 31557600"),
            StsError::NoMx => f.write_str("the policy names no mx"),
        }
    }
}

impl std::error::Error for StsError {}

/// The `_mta-sts` TXT record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsRecord<'a> {
    /// The policy id.
    pub id: &'a str,
}

/// Whether a TXT string is an MTA-STS record candidate (it begins with `v=STSv1`).
pub fn is_sts(text: &str) -> bool {
    text.split(';')
        .next()
        .is_some_and(|tag| tag.trim() == "v=STSv1")
}

impl<'a> StsRecord<'a> {
    /// Parses `v=STSv1; id=20160831085700Z;`.
    pub fn parse(text: &'a str) -> Result<StsRecord<'a>, StsError> {
        if !is_sts(text) {
            return Err(StsError::NotSts);
        }
        let id = text
            .split(';')
            .filter_map(|field| field.trim().split_once('='))
            .find(|(name, _)| name.trim() == "id")
            .map(|(_, value)| value.trim())
            .ok_or_else(|| StsError::BadId(String::new()))?;
        if id.is_empty() || id.len() > 32 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(StsError::BadId(id.to_string()));
        }
        Ok(StsRecord { id })
    }
}

/// A policy's mode (RFC 8461 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `enforce`: senders must not deliver to an MX that fails validation.
    Enforce,
    /// `testing`: report failures, deliver anyway.
    Testing,
    /// `none`: no policy.
    None,
}

/// A parsed policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The mode.
    pub mode: Mode,
    /// How long senders may cache the policy, in seconds.
    pub max_age: u32,
    /// The MX patterns (`mail.example.com`, `*.example.net`), lowercased.
    pub mx: Vec<String>,
}

impl Policy {
    /// Parses a policy file (LF or CRLF line ends).
    pub fn parse(text: &str) -> Result<Policy, StsError> {
        let mut version = None;
        let mut mode = None;
        let mut max_age = None;
        let mut mx = Vec::new();
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                continue;
            }
            let (key, value) = line
                .split_once(':')
                .ok_or_else(|| StsError::BadLine(line.to_string()))?;
            let value = value.trim();
            match key.trim() {
                "version" => version = version.or(Some(value)),
                "mode" => mode = mode.or(Some(value)),
                "max_age" => max_age = max_age.or(Some(value)),
                "mx" => mx.push(value.to_ascii_lowercase()),
                _ => {}
            }
        }
        if version != Some("STSv1") {
            return Err(StsError::BadVersion);
        }
        let mode = match mode {
            Some("enforce") => Mode::Enforce,
            Some("testing") => Mode::Testing,
            Some("none") => Mode::None,
            other => return Err(StsError::BadMode(other.map(str::to_string))),
        };
        let max_age = match max_age {
            Some(age)
                if !age.is_empty()
                    && age.len() <= 10
                    && age.chars().all(|c| c.is_ascii_digit()) =>
            {
                match age.parse::<u32>() {
                    Ok(value) if value <= 31_557_600 => value,
                    _ => return Err(StsError::BadMaxAge(Some(age.to_string()))),
                }
            }
            other => return Err(StsError::BadMaxAge(other.map(str::to_string))),
        };
        if mx.is_empty() && mode != Mode::None {
            return Err(StsError::NoMx);
        }
        Ok(Policy { mode, max_age, mx })
    }

    /// Whether an MX host name matches one of the patterns: exactly, or `*.` standing for
    /// exactly one leftmost label (RFC 8461 §4.1).
    pub fn matches_mx(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.mx
            .iter()
            .any(|pattern| match pattern.strip_prefix("*.") {
                Some(suffix) => host
                    .split_once('.')
                    .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
                None => *pattern == host,
            })
    }
}

/// Whether a TXT string is a TLS-RPT record (`v=TLSRPTv1` first, then a non-empty `rua`;
/// RFC 8460 §3).
pub fn is_tls_rpt(text: &str) -> bool {
    let mut fields = text.split(';').map(str::trim);
    fields.next() == Some("v=TLSRPTv1")
        && fields.any(|field| {
            field
                .split_once('=')
                .is_some_and(|(name, value)| name.trim() == "rua" && !value.trim().is_empty())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The examples of RFC 8461 §3.1 and §3.2.
    #[test]
    fn rfc_8461_examples_parse() {
        let record = StsRecord::parse("v=STSv1; id=20160831085700Z;").unwrap();
        assert_eq!(record.id, "20160831085700Z");
        let policy = Policy::parse(
            "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n",
        )
        .unwrap();
        assert_eq!(policy.mode, Mode::Enforce);
        assert_eq!(policy.max_age, 604_800);
        assert!(policy.matches_mx("mail.example.com"));
        assert!(policy.matches_mx("Backupmx.Example.com."));
        assert!(policy.matches_mx("mx1.example.net"));
        // The wildcard covers exactly one label.
        assert!(!policy.matches_mx("example.net"));
        assert!(!policy.matches_mx("a.b.example.net"));
        assert!(!policy.matches_mx("mail.example.org"));
    }

    #[test]
    fn bad_records_and_policies_are_refused() {
        assert_eq!(StsRecord::parse("v=STSv2; id=1"), Err(StsError::NotSts));
        assert!(matches!(
            StsRecord::parse("v=STSv1;"),
            Err(StsError::BadId(_))
        ));
        assert!(matches!(
            StsRecord::parse("v=STSv1; id=a-b"),
            Err(StsError::BadId(_))
        ));
        assert_eq!(
            Policy::parse("version: STSv1\nmx: a.example\nmax_age: 86400\n"),
            Err(StsError::BadMode(None))
        );
        assert_eq!(
            Policy::parse("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 99999999999\n"),
            Err(StsError::BadMaxAge(Some("99999999999".into())))
        );
        assert_eq!(
            Policy::parse("version: STSv1\nmode: enforce\nmax_age: 86400\n"),
            Err(StsError::NoMx)
        );
        assert_eq!(Policy::parse("mode: enforce\n"), Err(StsError::BadVersion));
        assert!(Policy::parse("version: STSv1\nmode: none\nmax_age: 86400\n").is_ok());
    }

    /// The example of RFC 8460 §3.
    #[test]
    fn tls_rpt_records() {
        assert!(is_tls_rpt("v=TLSRPTv1; rua=mailto:reports@example.com"));
        assert!(is_tls_rpt(
            "v=TLSRPTv1;rua=https://reporting.example.com/v1/tlsrpt"
        ));
        assert!(!is_tls_rpt("v=TLSRPTv1;"));
        assert!(!is_tls_rpt("v=spf1 -all"));
    }
}
