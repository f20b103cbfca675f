//! The EHLO reply as a typed capability set (RFC 5321 §4.1.1.1 and the extension RFCs).

use std::borrow::Cow;

use crate::DecodeError;
use crate::auth::Mechanism;
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

impl<'a> Capability<'a> {
    /// Parses one EHLO line's text (`keyword [params]`).
    pub fn parse(text: &'a str) -> Capability<'a> {
        let (keyword, parameters) = match crate::parameters::split_once_byte(text, b' ') {
            Some((keyword, parameters)) => (keyword, Some(parameters)),
            None => (text, None),
        };
        // Upper-cased once into a stack buffer, so each comparison below is a plain compare.
        let mut folded = [0u8; 24];
        let key: &[u8] = match folded.get_mut(..keyword.len()) {
            Some(slot) => {
                slot.copy_from_slice(keyword.as_bytes());
                slot.make_ascii_uppercase();
                slot
            }
            None => b"",
        };
        let is = |name: &str| key == name.as_bytes();
        let number = |text: Option<&str>| {
            text.filter(|t| !t.is_empty() && t.len() <= 20 && t.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|t| t.parse::<u64>().ok())
        };
        let other = || Capability::Other {
            keyword: Cow::Borrowed(keyword),
            parameters: parameters.map(Cow::Borrowed),
        };
        match parameters {
            None if is("8BITMIME") => Capability::EightBitMime,
            None if is("PIPELINING") => Capability::Pipelining,
            None if is("CHUNKING") => Capability::Chunking,
            None if is("BINARYMIME") => Capability::BinaryMime,
            None if is("DSN") => Capability::Dsn,
            None if is("ENHANCEDSTATUSCODES") => Capability::EnhancedStatusCodes,
            None if is("SMTPUTF8") => Capability::SmtpUtf8,
            None if is("STARTTLS") => Capability::StartTls,
            None if is("REQUIRETLS") => Capability::RequireTls,
            None if is("ETRN") => Capability::Etrn,
            None if is("ATRN") => Capability::Atrn,
            None if is("RRVS") => Capability::Rrvs,
            None if is("SIZE") => Capability::Size(None),
            None if is("DELIVERBY") => Capability::DeliverBy(None),
            None if is("MT-PRIORITY") => Capability::MtPriority(None),
            None if is("BURL") => Capability::Burl(None),
            Some(params) if is("SIZE") => {
                number(Some(params)).map_or_else(other, |n| Capability::Size(Some(n)))
            }
            Some(params) if is("DELIVERBY") => {
                number(Some(params)).map_or_else(other, |n| Capability::DeliverBy(Some(n)))
            }
            Some(params) if is("MT-PRIORITY") && !params.is_empty() && !params.contains(' ') => {
                Capability::MtPriority(Some(Cow::Borrowed(params)))
            }
            Some(params) if is("BURL") && !params.is_empty() => {
                Capability::Burl(Some(Cow::Borrowed(params)))
            }
            Some(params) if is("AUTH") && !params.is_empty() => {
                Capability::Auth(MechanismList(Cow::Borrowed(params)))
            }
            Some(params) if is("LIMITS") && !params.is_empty() => {
                Capability::Limits(Cow::Borrowed(params))
            }
            Some(params) if is("FUTURERELEASE") => {
                match crate::parameters::split_once_byte(params, b' ') {
                    Some((interval, datetime))
                        if !datetime.is_empty() && !datetime.contains(' ') =>
                    {
                        match number(Some(interval)) {
                            Some(max_interval) => Capability::FutureRelease {
                                max_interval,
                                max_datetime: Cow::Borrowed(datetime),
                            },
                            None => other(),
                        }
                    }
                    _ => other(),
                }
            }
            _ => other(),
        }
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
        self.reply
            .lines()
            .skip(1)
            .filter(|line| !line.is_empty())
            .map(|line| match std::str::from_utf8(line) {
                Ok(text) => Capability::parse(text),
                Err(_) => Capability::Other {
                    keyword: Cow::Owned(String::from_utf8_lossy(line).into_owned()),
                    parameters: None,
                },
            })
    }

    /// Whether the keyword `name` was announced (any case).
    pub fn has(&self, name: &str) -> bool {
        self.reply.lines().skip(1).any(|line| {
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
}
