//! The EHLO reply as a typed capability set (RFC 5321 §4.1.1.1 and the extension RFCs).

use std::borrow::Cow;

use crate::DecodeError;
use crate::auth::Mechanism;
use crate::chars::same;
use crate::reply::{Reply, ReplyCode};

/// One EHLO keyword with its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Capability<'a> {
    /// `SIZE [limit]` (RFC 1870); no limit or 0 means none announced.
    Size(Option<u64>),
    /// `8BITMIME` (RFC 6152).
    EightBitMime,
    /// `PIPELINING` (RFC 2920).
    Pipelining,
    /// `CHUNKING` (RFC 3030).
    Chunking,
    /// `BINARYMIME` (RFC 3030).
    BinaryMime,
    /// `DSN` (RFC 3461).
    Dsn,
    /// `ENHANCEDSTATUSCODES` (RFC 2034).
    EnhancedStatusCodes,
    /// `SMTPUTF8` (RFC 6531).
    SmtpUtf8,
    /// `STARTTLS` (RFC 3207).
    StartTls,
    /// `REQUIRETLS` (RFC 8689).
    RequireTls,
    /// `AUTH mech...` (RFC 4954): the mechanisms, space-separated as sent.
    Auth(MechanismList<'a>),
    /// `DELIVERBY [min-by-time]` (RFC 2852).
    DeliverBy(Option<u64>),
    /// `MT-PRIORITY [policy]` (RFC 6710).
    MtPriority(Option<Cow<'a, str>>),
    /// `FUTURERELEASE max-future-release-interval max-future-release-date-time` (RFC 4865).
    FutureRelease {
        /// Longest HOLDFOR accepted, in seconds.
        max_interval: u64,
        /// Latest HOLDUNTIL accepted, as sent.
        max_datetime: Cow<'a, str>,
    },
    /// `LIMITS name=value...` (RFC 9422), as sent; see [`Capability::limits`].
    Limits(Cow<'a, str>),
    /// `ETRN` (RFC 1985).
    Etrn,
    /// `ATRN` (RFC 2645).
    Atrn,
    /// `BURL [imap]` (RFC 4468): the URL schemes, as sent.
    Burl(Option<Cow<'a, str>>),
    /// `RRVS` (RFC 7293).
    Rrvs,
    /// Any other keyword, with its parameters as sent.
    Other {
        /// The keyword.
        keyword: Cow<'a, str>,
        /// Everything after the first space.
        parameters: Option<Cow<'a, str>>,
    },
}

/// A space-separated list of SASL mechanisms, as sent after `AUTH`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MechanismList<'a>(pub Cow<'a, str>);

impl MechanismList<'_> {
    /// The mechanisms in order (names that are not valid mechanism names are skipped).
    pub fn iter(&self) -> impl Iterator<Item = Mechanism<'_>> + '_ {
        self.0.split(' ').filter_map(Mechanism::parse)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for MechanismList<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(|m| m.as_str().to_owned()))
    }
}

/// An SMTP service extension this crate types (RFC 5321 §2.2.1): the keyword of every
/// [`Capability`] variant but [`Capability::Other`]. Keywords are matched without regard to
/// case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Extension {
    /// `SIZE` (RFC 1870).
    Size,
    /// `8BITMIME` (RFC 6152).
    EightBitMime,
    /// `PIPELINING` (RFC 2920).
    Pipelining,
    /// `CHUNKING` (RFC 3030).
    Chunking,
    /// `BINARYMIME` (RFC 3030).
    BinaryMime,
    /// `DSN` (RFC 3461).
    Dsn,
    /// `ENHANCEDSTATUSCODES` (RFC 2034).
    EnhancedStatusCodes,
    /// `SMTPUTF8` (RFC 6531).
    SmtpUtf8,
    /// `STARTTLS` (RFC 3207).
    StartTls,
    /// `REQUIRETLS` (RFC 8689).
    RequireTls,
    /// `AUTH` (RFC 4954).
    Auth,
    /// `DELIVERBY` (RFC 2852).
    DeliverBy,
    /// `MT-PRIORITY` (RFC 6710).
    MtPriority,
    /// `FUTURERELEASE` (RFC 4865).
    FutureRelease,
    /// `LIMITS` (RFC 9422).
    Limits,
    /// `ETRN` (RFC 1985).
    Etrn,
    /// `ATRN` (RFC 2645).
    Atrn,
    /// `BURL` (RFC 4468).
    Burl,
    /// `RRVS` (RFC 7293).
    Rrvs,
}

impl Extension {
    /// Every extension, in declaration order.
    pub const ALL: [Extension; 19] = [
        Extension::Size,
        Extension::EightBitMime,
        Extension::Pipelining,
        Extension::Chunking,
        Extension::BinaryMime,
        Extension::Dsn,
        Extension::EnhancedStatusCodes,
        Extension::SmtpUtf8,
        Extension::StartTls,
        Extension::RequireTls,
        Extension::Auth,
        Extension::DeliverBy,
        Extension::MtPriority,
        Extension::FutureRelease,
        Extension::Limits,
        Extension::Etrn,
        Extension::Atrn,
        Extension::Burl,
        Extension::Rrvs,
    ];

    /// The EHLO keyword, upper case.
    pub const fn keyword(self) -> &'static str {
        match self {
            Extension::Size => "SIZE",
            Extension::EightBitMime => "8BITMIME",
            Extension::Pipelining => "PIPELINING",
            Extension::Chunking => "CHUNKING",
            Extension::BinaryMime => "BINARYMIME",
            Extension::Dsn => "DSN",
            Extension::EnhancedStatusCodes => "ENHANCEDSTATUSCODES",
            Extension::SmtpUtf8 => "SMTPUTF8",
            Extension::StartTls => "STARTTLS",
            Extension::RequireTls => "REQUIRETLS",
            Extension::Auth => "AUTH",
            Extension::DeliverBy => "DELIVERBY",
            Extension::MtPriority => "MT-PRIORITY",
            Extension::FutureRelease => "FUTURERELEASE",
            Extension::Limits => "LIMITS",
            Extension::Etrn => "ETRN",
            Extension::Atrn => "ATRN",
            Extension::Burl => "BURL",
            Extension::Rrvs => "RRVS",
        }
    }

    /// The extension whose keyword is `word`, in any case.
    pub fn from_keyword(word: &str) -> Option<Extension> {
        Self::of_keyword(word.as_bytes())
    }

    /// The keyword `word` names, if typed: dispatched on its length and first letter, so a
    /// keyword is compared with at most two names.
    #[inline(always)]
    pub(crate) fn of_keyword(word: &[u8]) -> Option<Extension> {
        let first = word.first()?.to_ascii_uppercase();
        let pick = |hit: bool, keyword| hit.then_some(keyword);
        // (length, first letter) leaves at most two candidates.
        match (word.len(), first) {
            (3, b'D') => pick(same(word, b"DSN"), Extension::Dsn),
            (4, b'S') => pick(same(word, b"SIZE"), Extension::Size),
            (4, b'E') => pick(same(word, b"ETRN"), Extension::Etrn),
            (4, b'R') => pick(same(word, b"RRVS"), Extension::Rrvs),
            (4, b'B') => pick(same(word, b"BURL"), Extension::Burl),
            (4, b'A') if same(word, b"AUTH") => Some(Extension::Auth),
            (4, b'A') => pick(same(word, b"ATRN"), Extension::Atrn),
            (6, b'L') => pick(same(word, b"LIMITS"), Extension::Limits),
            (8, b'8') => pick(same(word, b"8BITMIME"), Extension::EightBitMime),
            (8, b'C') => pick(same(word, b"CHUNKING"), Extension::Chunking),
            (8, b'S') if same(word, b"STARTTLS") => Some(Extension::StartTls),
            (8, b'S') => pick(same(word, b"SMTPUTF8"), Extension::SmtpUtf8),
            (9, b'D') => pick(same(word, b"DELIVERBY"), Extension::DeliverBy),
            (10, b'P') => pick(same(word, b"PIPELINING"), Extension::Pipelining),
            (10, b'B') => pick(same(word, b"BINARYMIME"), Extension::BinaryMime),
            (10, b'R') => pick(same(word, b"REQUIRETLS"), Extension::RequireTls),
            (11, b'M') => pick(same(word, b"MT-PRIORITY"), Extension::MtPriority),
            (13, b'F') => pick(same(word, b"FUTURERELEASE"), Extension::FutureRelease),
            (19, b'E') => pick(
                same(word, b"ENHANCEDSTATUSCODES"),
                Extension::EnhancedStatusCodes,
            ),
            _ => None,
        }
    }
}

/// A decimal number of 1 to 20 digits that fits a `u64`, in one pass.
pub(crate) fn number(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 20 {
        return None;
    }
    text.iter().try_fold(0u64, |n, &b| {
        let digit = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

impl<'a> Capability<'a> {
    /// Parses one EHLO line's text (`keyword [params]`).
    pub fn parse(text: &'a str) -> Capability<'a> {
        Self::parse_bytes(text.as_bytes())
    }

    /// Parses one EHLO line's text as received. The keyword is matched as bytes and only the
    /// text kept as `str` (parameters, an unknown keyword) is checked for UTF-8; a line that
    /// is not UTF-8 comes back as [`Capability::Other`] with lossy text and no parameters.
    // Inlined into the iterator: returned through memory, each capability was read back in
    // wider loads than it was written with (a store-forwarding stall per EHLO line).
    #[inline]
    pub(crate) fn parse_bytes(line: &'a [u8]) -> Capability<'a> {
        let (word, parameters) = match line.iter().position(|&b| b == b' ') {
            Some(at) => (
                line.get(..at).unwrap_or_default(),
                Some(line.get(at + 1..).unwrap_or_default()),
            ),
            None => (line, None),
        };
        let lossy = || Capability::Other {
            keyword: Cow::Owned(String::from_utf8_lossy(line).into_owned()),
            parameters: None,
        };
        let other = || {
            let keyword = std::str::from_utf8(word);
            let parameters = parameters.map(std::str::from_utf8).transpose();
            match (keyword, parameters) {
                (Ok(keyword), Ok(parameters)) => Capability::Other {
                    keyword: Cow::Borrowed(keyword),
                    parameters: parameters.map(Cow::Borrowed),
                },
                _ => lossy(),
            }
        };
        // Parameters kept as text: UTF-8, or the whole line is lossy `Other`.
        let text = |params: &'a [u8], typed: fn(&'a str) -> Capability<'a>| {
            std::str::from_utf8(params).map_or_else(|_| lossy(), typed)
        };
        let Some(keyword) = Extension::of_keyword(word) else {
            return other();
        };
        match (keyword, parameters) {
            (Extension::EightBitMime, None) => Capability::EightBitMime,
            (Extension::Pipelining, None) => Capability::Pipelining,
            (Extension::Chunking, None) => Capability::Chunking,
            (Extension::BinaryMime, None) => Capability::BinaryMime,
            (Extension::Dsn, None) => Capability::Dsn,
            (Extension::EnhancedStatusCodes, None) => Capability::EnhancedStatusCodes,
            (Extension::SmtpUtf8, None) => Capability::SmtpUtf8,
            (Extension::StartTls, None) => Capability::StartTls,
            (Extension::RequireTls, None) => Capability::RequireTls,
            (Extension::Etrn, None) => Capability::Etrn,
            (Extension::Atrn, None) => Capability::Atrn,
            (Extension::Rrvs, None) => Capability::Rrvs,
            (Extension::Size, None) => Capability::Size(None),
            (Extension::DeliverBy, None) => Capability::DeliverBy(None),
            (Extension::MtPriority, None) => Capability::MtPriority(None),
            (Extension::Burl, None) => Capability::Burl(None),
            (Extension::Size, Some(params)) => {
                number(params).map_or_else(other, |n| Capability::Size(Some(n)))
            }
            (Extension::DeliverBy, Some(params)) => {
                number(params).map_or_else(other, |n| Capability::DeliverBy(Some(n)))
            }
            (Extension::MtPriority, Some(params))
                if !params.is_empty() && !params.contains(&b' ') =>
            {
                text(params, |t| Capability::MtPriority(Some(Cow::Borrowed(t))))
            }
            (Extension::Burl, Some(params)) if !params.is_empty() => {
                text(params, |t| Capability::Burl(Some(Cow::Borrowed(t))))
            }
            (Extension::Auth, Some(params)) if !params.is_empty() => text(params, |t| {
                Capability::Auth(MechanismList(Cow::Borrowed(t)))
            }),
            (Extension::Limits, Some(params)) if !params.is_empty() => {
                text(params, |t| Capability::Limits(Cow::Borrowed(t)))
            }
            (Extension::FutureRelease, Some(params)) => {
                let Some(at) = params.iter().position(|&b| b == b' ') else {
                    return other();
                };
                let (interval, datetime) = (
                    params.get(..at).unwrap_or_default(),
                    params.get(at + 1..).unwrap_or_default(),
                );
                match number(interval) {
                    Some(max_interval) if !datetime.is_empty() && !datetime.contains(&b' ') => {
                        match std::str::from_utf8(datetime) {
                            Ok(datetime) => Capability::FutureRelease {
                                max_interval,
                                max_datetime: Cow::Borrowed(datetime),
                            },
                            Err(_) => lossy(),
                        }
                    }
                    _ => other(),
                }
            }
            _ => other(),
        }
    }

    /// The extension this capability is, or `None` for [`Capability::Other`].
    pub const fn extension(&self) -> Option<Extension> {
        Some(match self {
            Capability::Size(_) => Extension::Size,
            Capability::EightBitMime => Extension::EightBitMime,
            Capability::Pipelining => Extension::Pipelining,
            Capability::Chunking => Extension::Chunking,
            Capability::BinaryMime => Extension::BinaryMime,
            Capability::Dsn => Extension::Dsn,
            Capability::EnhancedStatusCodes => Extension::EnhancedStatusCodes,
            Capability::SmtpUtf8 => Extension::SmtpUtf8,
            Capability::StartTls => Extension::StartTls,
            Capability::RequireTls => Extension::RequireTls,
            Capability::Auth(_) => Extension::Auth,
            Capability::DeliverBy(_) => Extension::DeliverBy,
            Capability::MtPriority(_) => Extension::MtPriority,
            Capability::FutureRelease { .. } => Extension::FutureRelease,
            Capability::Limits(_) => Extension::Limits,
            Capability::Etrn => Extension::Etrn,
            Capability::Atrn => Extension::Atrn,
            Capability::Burl(_) => Extension::Burl,
            Capability::Rrvs => Extension::Rrvs,
            Capability::Other { .. } => return None,
        })
    }

    /// The `name=value` pairs of a `LIMITS` capability (RFC 9422 §3), e.g. `RCPTMAX=100`.
    pub fn limits(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        let text = match self {
            Capability::Limits(text) => text.as_ref(),
            _ => "",
        };
        text.split(' ').filter_map(|pair| pair.split_once('='))
    }

    /// The EHLO line text.
    pub fn to_text(&self) -> String {
        let with = |keyword: &str, value: &dyn std::fmt::Display| format!("{keyword} {value}");
        match self {
            Capability::Size(None) => "SIZE".into(),
            Capability::Size(Some(n)) => with("SIZE", n),
            Capability::EightBitMime => "8BITMIME".into(),
            Capability::Pipelining => "PIPELINING".into(),
            Capability::Chunking => "CHUNKING".into(),
            Capability::BinaryMime => "BINARYMIME".into(),
            Capability::Dsn => "DSN".into(),
            Capability::EnhancedStatusCodes => "ENHANCEDSTATUSCODES".into(),
            Capability::SmtpUtf8 => "SMTPUTF8".into(),
            Capability::StartTls => "STARTTLS".into(),
            Capability::RequireTls => "REQUIRETLS".into(),
            Capability::Auth(list) => with("AUTH", &list.0),
            Capability::DeliverBy(None) => "DELIVERBY".into(),
            Capability::DeliverBy(Some(n)) => with("DELIVERBY", n),
            Capability::MtPriority(None) => "MT-PRIORITY".into(),
            Capability::MtPriority(Some(policy)) => with("MT-PRIORITY", policy),
            Capability::FutureRelease {
                max_interval,
                max_datetime,
            } => format!("FUTURERELEASE {max_interval} {max_datetime}"),
            Capability::Limits(text) => with("LIMITS", text),
            Capability::Etrn => "ETRN".into(),
            Capability::Atrn => "ATRN".into(),
            Capability::Burl(None) => "BURL".into(),
            Capability::Burl(Some(schemes)) => with("BURL", schemes),
            Capability::Rrvs => "RRVS".into(),
            Capability::Other {
                keyword,
                parameters: Some(parameters),
            } => with(keyword, parameters),
            Capability::Other {
                keyword,
                parameters: None,
            } => keyword.to_string(),
        }
    }
}

/// A set of [`Extension`]s, one bit each: what an EHLO reply offers, as
/// [`Ehlo::extensions`](crate::Ehlo::extensions) gives it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ExtensionSet(u32);

impl ExtensionSet {
    /// No extension.
    pub const EMPTY: ExtensionSet = ExtensionSet(0);

    const fn bit(extension: Extension) -> u32 {
        1 << extension as u32
    }

    /// Whether `extension` is in the set.
    pub const fn contains(self, extension: Extension) -> bool {
        self.0 & Self::bit(extension) != 0
    }

    /// Adds `extension`.
    pub const fn insert(&mut self, extension: Extension) {
        self.0 |= Self::bit(extension);
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many extensions the set holds.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The extensions in the set, in [`Extension::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Extension> {
        Extension::ALL
            .into_iter()
            .filter(move |&extension| self.contains(extension))
    }
}

impl FromIterator<Extension> for ExtensionSet {
    fn from_iter<I: IntoIterator<Item = Extension>>(iter: I) -> Self {
        let mut set = ExtensionSet::EMPTY;
        for extension in iter {
            set.insert(extension);
        }
        set
    }
}

impl std::fmt::Debug for ExtensionSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// The capabilities of an EHLO (or LHLO) reply: the greeting line, then one keyword per line.
#[derive(Debug, Clone, Copy)]
pub struct Capabilities<'a> {
    reply: &'a Reply<'a>,
}

impl<'a> Capabilities<'a> {
    /// Reads the capabilities of `reply` (its first line is the greeting, not a keyword).
    pub const fn from_reply(reply: &'a Reply<'a>) -> Self {
        Self { reply }
    }

    /// Builds an EHLO reply: `250-domain greeting` and one line per capability.
    pub fn reply(
        domain: &str,
        greeting: Option<&str>,
        capabilities: &[Capability<'_>],
    ) -> Result<Reply<'static>, DecodeError> {
        let first = match greeting {
            Some(greeting) => format!("{domain} {greeting}"),
            None => domain.to_owned(),
        };
        let mut lines = vec![first];
        lines.extend(capabilities.iter().map(Capability::to_text));
        Reply::new(ReplyCode::OK, None, &lines)
    }

    /// The server's domain (first word of the first line).
    pub fn domain(&self) -> &'a [u8] {
        let first = self.reply.first_line();
        first.split(|&b| b == b' ').next().unwrap_or_default()
    }

    /// Each capability in order; lines that are not UTF-8 come back as [`Capability::Other`]
    /// with lossy text.
    pub fn iter(&self) -> impl Iterator<Item = Capability<'a>> + 'a {
        self.reply.capability_lines().map(Capability::parse_bytes)
    }

    /// Whether the keyword `name` was announced (any case).
    pub fn has(&self, name: &str) -> bool {
        self.reply.capability_lines().any(|line| {
            let keyword = line.split(|&b| b == b' ').next().unwrap_or_default();
            keyword.eq_ignore_ascii_case(name.as_bytes())
        })
    }

    /// The SIZE limit, when announced with a non-zero value.
    pub fn size_limit(&self) -> Option<u64> {
        self.iter().find_map(|c| match c {
            Capability::Size(Some(n)) if n > 0 => Some(n),
            _ => None,
        })
    }

    /// The AUTH mechanisms, in order (empty when AUTH is not announced).
    pub fn auth_mechanisms(&self) -> Vec<Mechanism<'static>> {
        self.iter()
            .filter_map(|c| match c {
                Capability::Auth(list) => {
                    Some(list.iter().map(Mechanism::into_owned).collect::<Vec<_>>())
                }
                _ => None,
            })
            .flatten()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Limits, decode_reply};

    #[test]
    fn keywords_are_matched_in_any_case_and_lines_that_are_not_utf8_stay_lossy() {
        fn typed(line: &[u8]) -> Capability<'_> {
            Capability::parse_bytes(line)
        }
        assert_eq!(typed(b"8bitmime"), Capability::EightBitMime);
        assert_eq!(typed(b"StartTLS"), Capability::StartTls);
        assert_eq!(typed(b"SMTPUTF8"), Capability::SmtpUtf8);
        assert_eq!(typed(b"atrn"), Capability::Atrn);
        assert_eq!(
            typed(b"auth PLAIN LOGIN"),
            Capability::Auth(MechanismList("PLAIN LOGIN".into()))
        );
        assert_eq!(
            typed(b"SIZE 18446744073709551615"),
            Capability::Size(Some(u64::MAX))
        );
        // One more than u64::MAX, and not a number: kept as sent.
        for line in [&b"SIZE 18446744073709551616"[..], b"SIZE 12x", b"SIZE "] {
            let text = std::str::from_utf8(line).unwrap();
            let (keyword, parameters) = text.split_once(' ').unwrap();
            assert_eq!(
                typed(line),
                Capability::Other {
                    keyword: keyword.into(),
                    parameters: Some(parameters.into())
                }
            );
        }
        for line in [
            &b"SIZE \xff"[..],
            b"AUTH PLAIN \xff",
            b"X-\xff",
            b"MT-PRIORITY \xff",
        ] {
            assert_eq!(
                typed(line),
                Capability::Other {
                    keyword: String::from_utf8_lossy(line).into_owned().into(),
                    parameters: None
                },
                "{line:?}"
            );
        }
        // Same length and first letter as a known keyword, but another word.
        assert_eq!(
            typed(b"SMTPUTF9"),
            Capability::Other {
                keyword: "SMTPUTF9".into(),
                parameters: None
            }
        );
        assert_eq!(Capability::parse("CHUNKING"), Capability::Chunking);
    }

    /// `ALL` is in declaration order (the set's bits and its iteration rest on that), and
    /// every keyword names its extension back, in any case.
    #[test]
    fn every_extension_is_listed_once_in_order_and_named_by_its_keyword() {
        for (index, extension) in Extension::ALL.into_iter().enumerate() {
            assert_eq!(extension as usize, index);
            let keyword = extension.keyword();
            assert_eq!(Extension::from_keyword(keyword), Some(extension));
            assert_eq!(
                Extension::from_keyword(&keyword.to_ascii_lowercase()),
                Some(extension)
            );
        }
        let all: ExtensionSet = Extension::ALL.into_iter().collect();
        assert_eq!(all.len(), Extension::ALL.len());
        assert!(all.iter().eq(Extension::ALL));
    }

    #[test]
    fn types_an_ehlo_reply() {
        let wire = b"250-mail.example.org Hello\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n250-AUTH PLAIN LOGIN XOAUTH2\r\n250-LIMITS RCPTMAX=100 MAILMAX=5\r\n250-FUTURERELEASE 604800 2026-12-01T00:00:00Z\r\n250-X-CUSTOM a b\r\n250 CHUNKING\r\n";
        let (reply, _) = decode_reply(wire, &Limits::default())
            .unwrap()
            .complete()
            .unwrap();
        let caps = reply.capabilities().unwrap();
        assert_eq!(caps.domain(), b"mail.example.org");
        let all: Vec<_> = caps.iter().collect();
        assert_eq!(all.len(), 7);
        assert_eq!(all.first(), Some(&Capability::Size(Some(35_882_577))));
        assert_eq!(
            caps.auth_mechanisms(),
            vec![Mechanism::Plain, Mechanism::Login, Mechanism::XOAuth2]
        );
        let limits = all.get(3).unwrap();
        assert_eq!(
            limits.limits().collect::<Vec<_>>(),
            vec![("RCPTMAX", "100"), ("MAILMAX", "5")]
        );
        assert_eq!(
            all.get(4),
            Some(&Capability::FutureRelease {
                max_interval: 604_800,
                max_datetime: "2026-12-01T00:00:00Z".into()
            })
        );
        assert_eq!(
            all.get(5),
            Some(&Capability::Other {
                keyword: "X-CUSTOM".into(),
                parameters: Some("a b".into())
            })
        );
        assert!(caps.has("chunking") && !caps.has("STARTTLS"));
    }

    /// The capability iterator's own line loop gives what the general line iterator gives
    /// after the greeting, empty texts left out: with and without enhanced codes, a bare
    /// last line, a single-line reply, and bare-LF line ends under the lenient policy.
    #[test]
    fn capability_lines_agree_with_the_reply_lines() {
        let replies: [&[u8]; 6] = [
            b"250-mail.example.org\r\n250-SIZE 10\r\n250-\r\n250 DSN\r\n",
            b"250-mail.example.org\r\n250-2.0.0 PIPELINING\r\n250 2.0.0 8BITMIME\r\n",
            b"250-host\r\n250-2.0.0\r\n250 2.0.0 X\r\n",
            b"250 mail.example.org\r\n",
            b"250-a\n250-STARTTLS\n250\n",
            b"250-a b c\r\n250-AUTH  PLAIN\r\n250 SMTPUTF8\r\n",
        ];
        let lenient = Limits::default().with_line_endings(crate::limits::LineEndings::Lenient);
        for wire in replies {
            let (reply, _) = decode_reply(wire, &lenient).unwrap().complete().unwrap();
            let expected: Vec<&[u8]> = reply.lines().skip(1).filter(|l| !l.is_empty()).collect();
            let got: Vec<&[u8]> = reply.capability_lines().collect();
            assert_eq!(got, expected, "{:?}", String::from_utf8_lossy(wire));
            let typed: Vec<_> = expected.into_iter().map(Capability::parse_bytes).collect();
            assert_eq!(
                reply.capabilities().unwrap().iter().collect::<Vec<_>>(),
                typed
            );
        }
    }
}
