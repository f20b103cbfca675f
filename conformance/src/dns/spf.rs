//! SPF records (RFC 7208 §4.5, §5, §6, §12): `v=spf1` followed by directives (an optional
//! qualifier and a mechanism) and modifiers (`redirect=`, `exp=`, unknown ones).
//!
//! ```
//! use groupwire_conformance::dns::spf::{Qualifier, SpfRecord};
//! let record = SpfRecord::parse("v=spf1 +mx a:colo.example.com/28 -all").unwrap();
//! assert_eq!(record.all(), Some(Qualifier::Fail));
//! assert_eq!(record.lookup_terms(), 2);
//! ```

use std::fmt;

/// The result a directive gives when its mechanism matches (RFC 7208 §4.6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    /// `+` (the default): pass.
    Pass,
    /// `-`: fail.
    Fail,
    /// `~`: softfail.
    SoftFail,
    /// `?`: neutral.
    Neutral,
}

impl Qualifier {
    /// `+`, `-`, `~` or `?`.
    pub fn symbol(self) -> char {
        match self {
            Qualifier::Pass => '+',
            Qualifier::Fail => '-',
            Qualifier::SoftFail => '~',
            Qualifier::Neutral => '?',
        }
    }
}

/// A mechanism (RFC 7208 §5), borrowing its argument from the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism<'a> {
    /// `all`.
    All,
    /// `include:<domain-spec>`.
    Include(&'a str),
    /// `a[:<domain-spec>][/cidr]`.
    A(Option<&'a str>),
    /// `mx[:<domain-spec>][/cidr]`.
    Mx(Option<&'a str>),
    /// `ptr[:<domain-spec>]`.
    Ptr(Option<&'a str>),
    /// `ip4:<address>[/len]`.
    Ip4(&'a str),
    /// `ip6:<address>[/len]`.
    Ip6(&'a str),
    /// `exists:<domain-spec>`.
    Exists(&'a str),
}

/// One term of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term<'a> {
    /// A qualifier and a mechanism.
    Directive(Qualifier, Mechanism<'a>),
    /// `name=value` (`redirect`, `exp` or an unknown modifier).
    Modifier(&'a str, &'a str),
}

impl Term<'_> {
    /// Whether evaluating the term queries DNS (RFC 7208 §4.6.4: `include`, `a`, `mx`,
    /// `ptr`, `exists` and `redirect`).
    pub fn queries_dns(&self) -> bool {
        match self {
            Term::Directive(_, mechanism) => matches!(
                mechanism,
                Mechanism::Include(_)
                    | Mechanism::A(_)
                    | Mechanism::Mx(_)
                    | Mechanism::Ptr(_)
                    | Mechanism::Exists(_)
            ),
            Term::Modifier(name, _) => name.eq_ignore_ascii_case("redirect"),
        }
    }
}

/// Why a TXT record is not a valid SPF record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpfError {
    /// It does not begin with `v=spf1` (followed by a space or the end).
    NotSpf,
    /// A term that is neither a known mechanism nor a modifier.
    UnknownTerm(String),
    /// A mechanism that needs an argument (`include`, `ip4`, `ip6`, `exists`) has none, or
    /// one that takes none has one (`all`).
    BadArgument(String),
    /// An `ip4`/`ip6` address or a CIDR length that does not parse.
    BadAddress(String),
    /// `redirect` or `exp` given twice (RFC 7208 §6).
    DuplicateModifier(String),
}

impl fmt::Display for SpfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpfError::NotSpf => f.write_str("not an SPF record (no leading v=spf1)"),
            SpfError::UnknownTerm(term) => write!(f, "unknown term {term:?}"),
            SpfError::BadArgument(term) => write!(f, "bad mechanism argument in {term:?}"),
            SpfError::BadAddress(term) => write!(f, "bad address or prefix length in {term:?}"),
            SpfError::DuplicateModifier(name) => write!(f, "modifier {name} given twice"),
        }
    }
}

impl std::error::Error for SpfError {}

/// A parsed SPF record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpfRecord<'a> {
    /// The terms in order.
    pub terms: Vec<Term<'a>>,
}

/// Whether a TXT string is an SPF record at all (RFC 7208 §4.5: `v=spf1` then a space or
/// the end, case-insensitively): records that are not are discarded before parsing.
pub fn is_spf(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes
        .get(..6)
        .is_some_and(|version| version.eq_ignore_ascii_case(b"v=spf1"))
        && bytes.get(6).is_none_or(|&next| next == b' ')
}

impl<'a> SpfRecord<'a> {
    /// Parses a record's text.
    pub fn parse(text: &'a str) -> Result<SpfRecord<'a>, SpfError> {
        if !is_spf(text) {
            return Err(SpfError::NotSpf);
        }
        let mut terms = Vec::new();
        let mut seen_redirect = false;
        let mut seen_exp = false;
        for word in text.get(6..).unwrap_or_default().split(' ') {
            if word.is_empty() {
                continue;
            }
            let term = parse_term(word)?;
            if let Term::Modifier(name, _) = term {
                let seen = if name.eq_ignore_ascii_case("redirect") {
                    &mut seen_redirect
                } else if name.eq_ignore_ascii_case("exp") {
                    &mut seen_exp
                } else {
                    &mut false
                };
                if *seen {
                    return Err(SpfError::DuplicateModifier(name.to_ascii_lowercase()));
                }
                *seen = true;
            }
            terms.push(term);
        }
        Ok(SpfRecord { terms })
    }

    /// How many terms of this record itself query DNS (RFC 7208 §4.6.4); `include` and
    /// `redirect` targets are counted by whoever follows them.
    pub fn lookup_terms(&self) -> usize {
        self.terms.iter().filter(|term| term.queries_dns()).count()
    }

    /// The qualifier of the first `all` mechanism: what a message matching nothing else gets.
    pub fn all(&self) -> Option<Qualifier> {
        self.terms.iter().find_map(|term| match term {
            Term::Directive(qualifier, Mechanism::All) => Some(*qualifier),
            _ => None,
        })
    }

    /// The domains of the `include` mechanisms, in order.
    pub fn includes(&self) -> Vec<&'a str> {
        self.terms
            .iter()
            .filter_map(|term| match term {
                Term::Directive(_, Mechanism::Include(domain)) => Some(*domain),
                _ => None,
            })
            .collect()
    }

    /// The `redirect` modifier's domain; RFC 7208 §6.1 ignores it when the record has `all`.
    pub fn redirect(&self) -> Option<&'a str> {
        if self.all().is_some() {
            return None;
        }
        self.terms.iter().find_map(|term| match term {
            Term::Modifier(name, value) if name.eq_ignore_ascii_case("redirect") => Some(*value),
            _ => None,
        })
    }
}

fn parse_term(word: &str) -> Result<Term<'_>, SpfError> {
    // A modifier: name "=" macro-string, name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ).
    if let Some((name, value)) = word.split_once('=') {
        let valid_name = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if valid_name && !name.contains(':') {
            if (name.eq_ignore_ascii_case("redirect") || name.eq_ignore_ascii_case("exp"))
                && value.is_empty()
            {
                return Err(SpfError::BadArgument(word.to_string()));
            }
            return Ok(Term::Modifier(name, value));
        }
    }
    let (qualifier, rest) = match word.as_bytes().first() {
        Some(b'+') => (Qualifier::Pass, word.get(1..).unwrap_or_default()),
        Some(b'-') => (Qualifier::Fail, word.get(1..).unwrap_or_default()),
        Some(b'~') => (Qualifier::SoftFail, word.get(1..).unwrap_or_default()),
        Some(b'?') => (Qualifier::Neutral, word.get(1..).unwrap_or_default()),
        _ => (Qualifier::Pass, word),
    };
    // name, then ":" argument and/or "/" cidr.
    let end = rest.find([':', '/']).unwrap_or(rest.len());
    let name = rest.get(..end).unwrap_or_default().to_ascii_lowercase();
    let tail = rest.get(end..).unwrap_or_default();
    let argument = tail.strip_prefix(':');
    let bad = || SpfError::BadArgument(word.to_string());
    let domain_only = |argument: Option<&'_ str>| -> Result<(), SpfError> {
        // a, mx: an optional domain, then an optional dual-cidr-length.
        let cidr = match argument {
            Some(arg) => arg.find('/').map(|at| arg.get(at..).unwrap_or_default()),
            None => (!tail.is_empty()).then_some(tail),
        };
        if let Some(cidr) = cidr {
            check_dual_cidr(cidr).map_err(|_| SpfError::BadAddress(word.to_string()))?;
        }
        Ok(())
    };
    let mechanism = match name.as_str() {
        "all" if tail.is_empty() => Mechanism::All,
        "include" => Mechanism::Include(argument.filter(|a| !a.is_empty()).ok_or_else(bad)?),
        "exists" => Mechanism::Exists(argument.filter(|a| !a.is_empty()).ok_or_else(bad)?),
        "a" => {
            domain_only(argument)?;
            Mechanism::A(domain_of(argument).filter(|d| !d.is_empty()))
        }
        "mx" => {
            domain_only(argument)?;
            Mechanism::Mx(domain_of(argument).filter(|d| !d.is_empty()))
        }
        "ptr" if !tail.contains('/') => Mechanism::Ptr(argument.filter(|a| !a.is_empty())),
        "ip4" => {
            let value = argument.ok_or_else(bad)?;
            check_address(value, false).map_err(|_| SpfError::BadAddress(word.to_string()))?;
            Mechanism::Ip4(value)
        }
        "ip6" => {
            let value = argument.ok_or_else(bad)?;
            check_address(value, true).map_err(|_| SpfError::BadAddress(word.to_string()))?;
            Mechanism::Ip6(value)
        }
        "all" | "ptr" => return Err(bad()),
        _ => return Err(SpfError::UnknownTerm(word.to_string())),
    };
    Ok(Term::Directive(qualifier, mechanism))
}

fn domain_of(argument: Option<&str>) -> Option<&str> {
    argument.map(|arg| arg.split('/').next().unwrap_or(arg))
}

fn check_address(value: &str, v6: bool) -> Result<(), ()> {
    let (address, length) = match value.split_once('/') {
        Some((address, length)) => (address, Some(length)),
        None => (value, None),
    };
    let max = if v6 {
        address.parse::<std::net::Ipv6Addr>().map_err(|_| ())?;
        128
    } else {
        address.parse::<std::net::Ipv4Addr>().map_err(|_| ())?;
        32
    };
    match length {
        Some(length) => check_length(length, max),
        None => Ok(()),
    }
}

fn check_length(length: &str, max: u8) -> Result<(), ()> {
    // ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT): no leading zeros.
    if length.is_empty() || (length.len() > 1 && length.starts_with('0')) {
        return Err(());
    }
    match length.parse::<u8>() {
        Ok(value) if value <= max => Ok(()),
        _ => Err(()),
    }
}

/// `/N`, `//M` or `/N//M`.
fn check_dual_cidr(cidr: &str) -> Result<(), ()> {
    let cidr = cidr.strip_prefix('/').ok_or(())?;
    if let Some(v6) = cidr.strip_prefix('/') {
        return check_length(v6, 128);
    }
    match cidr.split_once("//") {
        Some((v4, v6)) => {
            check_length(v4, 32)?;
            check_length(v6, 128)
        }
        None => check_length(cidr, 32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The records of RFC 7208 Appendix A and §10.1.
    #[test]
    fn rfc_7208_examples_parse() {
        for (text, lookups, all) in [
            ("v=spf1 +all", 0, Some(Qualifier::Pass)),
            ("v=spf1 a -all", 1, Some(Qualifier::Fail)),
            ("v=spf1 a:example.org -all", 1, Some(Qualifier::Fail)),
            ("v=spf1 mx -all", 1, Some(Qualifier::Fail)),
            ("v=spf1 mx:example.org -all", 1, Some(Qualifier::Fail)),
            ("v=spf1 mx mx:example.org -all", 2, Some(Qualifier::Fail)),
            ("v=spf1 mx/30 -all", 1, Some(Qualifier::Fail)),
            (
                "v=spf1 mx/30 mx:example.org/30 -all",
                2,
                Some(Qualifier::Fail),
            ),
            ("v=spf1 ptr -all", 1, Some(Qualifier::Fail)),
            ("v=spf1 ip4:192.0.2.128/28 -all", 0, Some(Qualifier::Fail)),
            (
                "v=spf1 include:example.com include:example.net -all",
                2,
                Some(Qualifier::Fail),
            ),
            ("v=spf1 redirect=_spf.example.com", 1, None),
            ("v=spf1 mx:example.com -all", 1, Some(Qualifier::Fail)),
            ("v=spf1 -ip4:192.0.2.1 +all", 0, Some(Qualifier::Pass)),
            ("v=spf1 ~all", 0, Some(Qualifier::SoftFail)),
            ("v=spf1 ip6:2001:db8::/32 ?all", 0, Some(Qualifier::Neutral)),
            (
                "v=spf1 a//64 exists:%{ir}.sbl.example.org -all",
                2,
                Some(Qualifier::Fail),
            ),
        ] {
            let record = SpfRecord::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(record.lookup_terms(), lookups, "{text}");
            assert_eq!(record.all(), all, "{text}");
        }
    }

    #[test]
    fn includes_and_redirect_are_found() {
        let record =
            SpfRecord::parse("v=spf1 include:_spf.example.com include:x.example -all").unwrap();
        assert_eq!(record.includes(), vec!["_spf.example.com", "x.example"]);
        assert_eq!(record.redirect(), None);
        let record = SpfRecord::parse("v=spf1 mx redirect=_spf.example.com").unwrap();
        assert_eq!(record.redirect(), Some("_spf.example.com"));
        assert_eq!(record.lookup_terms(), 2);
    }

    #[test]
    fn malformed_records_are_refused_with_a_reason() {
        assert!(!is_spf("v=spf10 -all"));
        assert!(is_spf("V=SPF1"));
        assert_eq!(SpfRecord::parse("spf1 -all"), Err(SpfError::NotSpf));
        assert!(matches!(
            SpfRecord::parse("v=spf1 frobnicate -all"),
            Err(SpfError::UnknownTerm(_))
        ));
        assert!(matches!(
            SpfRecord::parse("v=spf1 ip4:192.0.2.300 -all"),
            Err(SpfError::BadAddress(_))
        ));
        assert!(matches!(
            SpfRecord::parse("v=spf1 ip4:192.0.2.0/33 -all"),
            Err(SpfError::BadAddress(_))
        ));
        assert!(matches!(
            SpfRecord::parse("v=spf1 include: -all"),
            Err(SpfError::BadArgument(_))
        ));
        assert!(matches!(
            SpfRecord::parse("v=spf1 redirect=a.example redirect=b.example"),
            Err(SpfError::DuplicateModifier(_))
        ));
        // An unknown modifier is allowed (RFC 7208 §6).
        assert!(SpfRecord::parse("v=spf1 moo.cow-far_out=man:dog/cat -all").is_ok());
    }
}
