//! Commands a client sends (RFC 5321 §4.1, LMTP RFC 2033, and the ESMTP extensions).
//!
//! Unknown verbs decode as [`Command::Unknown`] rather than failing, so a server can answer
//! 500 (unrecognised) or 502 (not implemented) precisely; a known verb with bad arguments is
//! a [`DecodeError`] (a server answers 501).

use std::borrow::Cow;
use std::io;

use crate::address::{Path, ReversePath, domain_len, path_at, scan_path};
use crate::auth::{Mechanism, SaslPayload};
use crate::chars;
use crate::line::{clean_crlf_text, find_line};
use crate::parameters::Parameters;
use crate::{DecodeError, Decoded, Encode, ErrorKind, Expected, Limit, Limits};

/// One command line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(
    feature = "serde",
    serde(tag = "command", rename_all = "SCREAMING-KEBAB-CASE")
)]
pub enum Command<'a> {
    /// `HELO domain`.
    Helo {
        /// The client's domain, as sent.
        domain: Cow<'a, str>,
    },
    /// `EHLO domain-or-address-literal`.
    Ehlo {
        /// The client's domain or address literal, as sent.
        domain: Cow<'a, str>,
    },
    /// `LHLO domain` (LMTP, RFC 2033 §4.1).
    Lhlo {
        /// The client's domain, as sent.
        domain: Cow<'a, str>,
    },
    /// `MAIL FROM:<reverse-path> [parameters]`.
    Mail {
        /// The return path.
        from: ReversePath<'a>,
        /// ESMTP parameters.
        parameters: Parameters<'a>,
    },
    /// `RCPT TO:<forward-path> [parameters]`.
    Rcpt {
        /// The recipient.
        to: Path<'a>,
        /// ESMTP parameters.
        parameters: Parameters<'a>,
    },
    /// `DATA`: message data follows after a 354 reply.
    Data,
    /// `BDAT size [LAST]` (RFC 3030): exactly `size` octets follow.
    Bdat {
        /// The chunk size in octets.
        size: u64,
        /// Whether this is the last chunk.
        last: bool,
    },
    /// `RSET`.
    Rset,
    /// `VRFY string`.
    Vrfy {
        /// What to verify.
        argument: Cow<'a, str>,
    },
    /// `EXPN string`.
    Expn {
        /// The list to expand.
        argument: Cow<'a, str>,
    },
    /// `HELP [string]`.
    Help {
        /// The topic.
        topic: Option<Cow<'a, str>>,
    },
    /// `NOOP [string]`.
    Noop {
        /// The ignored argument.
        argument: Option<Cow<'a, str>>,
    },
    /// `QUIT`.
    Quit,
    /// `STARTTLS` (RFC 3207).
    StartTls,
    /// `AUTH mechanism [initial-response]` (RFC 4954).
    Auth {
        /// The SASL mechanism.
        mechanism: Mechanism<'a>,
        /// The initial response (`=` for an empty one).
        initial_response: Option<SaslPayload<'a>>,
    },
    /// `ETRN node` (RFC 1985): `domain`, `@domain` or `#queue`.
    Etrn {
        /// The node, as sent.
        node: Cow<'a, str>,
    },
    /// `ATRN [domain,...]` (RFC 2645).
    Atrn {
        /// The comma-separated domains, as sent.
        domains: Option<Cow<'a, str>>,
    },
    /// `BURL url [LAST]` (RFC 4468).
    Burl {
        /// The IMAP URL.
        url: Cow<'a, str>,
        /// Whether this ends the message.
        last: bool,
    },
    /// A verb this crate does not know, with its arguments as sent.
    Unknown {
        /// The verb (the line up to the first space).
        #[cfg_attr(feature = "serde", serde(serialize_with = "crate::serde_bytes::lossy"))]
        verb: Cow<'a, [u8]>,
        /// The rest of the line after that space.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::serde_bytes::lossy_option")
        )]
        arguments: Option<Cow<'a, [u8]>>,
    },
}

fn own(text: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(text.into_owned())
}

impl Command<'_> {
    /// A `'static` copy.
    pub fn into_owned(self) -> Command<'static> {
        match self {
            Command::Helo { domain } => Command::Helo {
                domain: own(domain),
            },
            Command::Ehlo { domain } => Command::Ehlo {
                domain: own(domain),
            },
            Command::Lhlo { domain } => Command::Lhlo {
                domain: own(domain),
            },
            Command::Mail { from, parameters } => Command::Mail {
                from: from.into_owned(),
                parameters: parameters.into_owned(),
            },
            Command::Rcpt { to, parameters } => Command::Rcpt {
                to: to.into_owned(),
                parameters: parameters.into_owned(),
            },
            Command::Data => Command::Data,
            Command::Bdat { size, last } => Command::Bdat { size, last },
            Command::Rset => Command::Rset,
            Command::Vrfy { argument } => Command::Vrfy {
                argument: own(argument),
            },
            Command::Expn { argument } => Command::Expn {
                argument: own(argument),
            },
            Command::Help { topic } => Command::Help {
                topic: topic.map(own),
            },
            Command::Noop { argument } => Command::Noop {
                argument: argument.map(own),
            },
            Command::Quit => Command::Quit,
            Command::StartTls => Command::StartTls,
            Command::Auth {
                mechanism,
                initial_response,
            } => Command::Auth {
                mechanism: mechanism.into_owned(),
                initial_response: initial_response.map(SaslPayload::into_owned),
            },
            Command::Etrn { node } => Command::Etrn { node: own(node) },
            Command::Atrn { domains } => Command::Atrn {
                domains: domains.map(own),
            },
            Command::Burl { url, last } => Command::Burl {
                url: own(url),
                last,
            },
            Command::Unknown { verb, arguments } => Command::Unknown {
                verb: Cow::Owned(verb.into_owned()),
                arguments: arguments.map(|a| Cow::Owned(a.into_owned())),
            },
        }
    }

    /// The verb as it is written on the wire (upper case), or the raw verb of an unknown
    /// command.
    pub fn verb(&self) -> Cow<'_, str> {
        let known = match self {
            Command::Helo { .. } => "HELO",
            Command::Ehlo { .. } => "EHLO",
            Command::Lhlo { .. } => "LHLO",
            Command::Mail { .. } => "MAIL",
            Command::Rcpt { .. } => "RCPT",
            Command::Data => "DATA",
            Command::Bdat { .. } => "BDAT",
            Command::Rset => "RSET",
            Command::Vrfy { .. } => "VRFY",
            Command::Expn { .. } => "EXPN",
            Command::Help { .. } => "HELP",
            Command::Noop { .. } => "NOOP",
            Command::Quit => "QUIT",
            Command::StartTls => "STARTTLS",
            Command::Auth { .. } => "AUTH",
            Command::Etrn { .. } => "ETRN",
            Command::Atrn { .. } => "ATRN",
            Command::Burl { .. } => "BURL",
            Command::Unknown { verb, .. } => return String::from_utf8_lossy(verb),
        };
        Cow::Borrowed(known)
    }
}

impl Encode for Command<'_> {
    fn write_to<W: io::Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        match self {
            Command::Helo { domain } => write!(out, "HELO {domain}")?,
            Command::Ehlo { domain } => write!(out, "EHLO {domain}")?,
            Command::Lhlo { domain } => write!(out, "LHLO {domain}")?,
            Command::Mail { from, parameters } => {
                out.write_all(b"MAIL FROM:")?;
                from.write_to(out)?;
                parameters.write_to(out)?;
            }
            Command::Rcpt { to, parameters } => {
                out.write_all(b"RCPT TO:")?;
                to.write_to(out)?;
                parameters.write_to(out)?;
            }
            Command::Data => out.write_all(b"DATA")?,
            Command::Bdat { size, last } => {
                write!(out, "BDAT {size}")?;
                if *last {
                    out.write_all(b" LAST")?;
                }
            }
            Command::Rset => out.write_all(b"RSET")?,
            Command::Vrfy { argument } => write!(out, "VRFY {argument}")?,
            Command::Expn { argument } => write!(out, "EXPN {argument}")?,
            Command::Help { topic } => match topic {
                Some(topic) => write!(out, "HELP {topic}")?,
                None => out.write_all(b"HELP")?,
            },
            Command::Noop { argument } => match argument {
                Some(argument) => write!(out, "NOOP {argument}")?,
                None => out.write_all(b"NOOP")?,
            },
            Command::Quit => out.write_all(b"QUIT")?,
            Command::StartTls => out.write_all(b"STARTTLS")?,
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                write!(out, "AUTH {}", mechanism.as_str())?;
                if let Some(response) = initial_response {
                    write!(out, " {}", response.0)?;
                }
            }
            Command::Etrn { node } => write!(out, "ETRN {node}")?,
            Command::Atrn { domains } => match domains {
                Some(domains) => write!(out, "ATRN {domains}")?,
                None => out.write_all(b"ATRN")?,
            },
            Command::Burl { url, last } => {
                write!(out, "BURL {url}")?;
                if *last {
                    out.write_all(b" LAST")?;
                }
            }
            Command::Unknown { verb, arguments } => {
                out.write_all(verb)?;
                if let Some(arguments) = arguments {
                    out.write_all(b" ")?;
                    out.write_all(arguments)?;
                }
            }
        }
        out.write_all(b"\r\n")
    }
}

/// Decodes the command line at the start of `input`.
///
/// Lines are limited to [`Limits::max_line_length`], except AUTH lines, which may reach
/// [`Limits::max_auth_line_length`] (RFC 4954 §4).
// Inlined down to the path and domain parsers: a command is 128 bytes, and each call level
// that returned it through memory was read back in wider loads than it was written with (a
// store-forwarding stall on every command, about a third of the time profiled).
#[inline]
pub fn decode_command<'a>(
    input: &'a [u8],
    limits: &Limits,
) -> Result<Decoded<Command<'a>>, DecodeError> {
    decode_command_from(input, 0, limits)
}

#[inline(always)]
pub(crate) fn decode_command_from<'a>(
    input: &'a [u8],
    scan_from: usize,
    limits: &Limits,
) -> Result<Decoded<Command<'a>>, DecodeError> {
    let max = if input.len() >= 5
        && input
            .get(..5)
            .is_some_and(|v| v.eq_ignore_ascii_case(b"AUTH "))
    {
        limits.max_auth_line_length.max(limits.max_line_length)
    } else {
        limits.max_line_length
    };
    let limit = if max == limits.max_line_length {
        Limit::LineLength
    } else {
        Limit::AuthLineLength
    };
    // A line not yet scanned in part that ends in CRLF with no other control character in
    // it (nearly every line) is found in one pass, which also clears its text of controls.
    if scan_from == 0
        && let Some((end, text)) = clean_crlf_text(input, max)
    {
        let line = input.get(..end.content).unwrap_or_default();
        let scanned = text.map_or(Scanned::NoControls, Scanned::Ascii);
        let consumed = end.consumed;
        return parse_line(line, limits, scanned, |value| Decoded::Complete {
            value,
            consumed,
        });
    }
    let Some(end) = find_line(input, scan_from, max, limit, limits.line_endings)? else {
        return Ok(Decoded::Incomplete { needed: None });
    };
    let line = input.get(..end.content).unwrap_or_default();
    Ok(Decoded::Complete {
        value: parse_command_line(line, limits)?,
        consumed: end.consumed,
    })
}

/// What the pass that found a line's end learnt of its content.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scanned<'a> {
    /// Nothing: the line is checked here.
    Nothing,
    /// It holds no control character.
    NoControls,
    /// It holds no control character and is all ASCII: the whole line, as text.
    Ascii(&'a str),
}

fn error(offset: usize, what: Expected) -> DecodeError {
    DecodeError::new(offset, ErrorKind::Expected(what))
}

/// Parses one command line without its terminator.
// Not inlined: the exact path of `decode_command_from` calls it, the fast path inlines `parse_line`.
#[inline(never)]
pub fn parse_command_line<'a>(line: &'a [u8], limits: &Limits) -> Result<Command<'a>, DecodeError> {
    parse_line(line, limits, Scanned::Nothing, |command| command)
}

/// Parses a command line without its terminator into `wrap(command)`. `wrap` puts the command
/// in what the caller returns, so it is built in place there; returning it to be wrapped moved
/// all of it once more (6 % of the command bench's samples in perf).
#[inline(always)]
fn parse_line<'a, T>(
    line: &'a [u8],
    limits: &Limits,
    scanned: Scanned<'a>,
    wrap: impl Fn(Command<'a>) -> T + Copy,
) -> Result<T, DecodeError> {
    // Verbs are four letters but STARTTLS, so the space is nearly always at index 4.
    let space = match *line {
        [a, b, c, d, b' ', ..] if ![a, b, c, d].contains(&b' ') => Some(4),
        _ => line.iter().position(|&b| b == b' '),
    };
    let (verb, rest) = match space {
        Some(space) => (
            line.get(..space).unwrap_or_default(),
            Some(line.get(space + 1..).unwrap_or_default()),
        ),
        None => (line, None),
    };
    let unknown = || Command::Unknown {
        verb: Cow::Borrowed(verb),
        arguments: rest.map(Cow::Borrowed),
    };
    let Some(kind) = Verb::parse(verb) else {
        return Ok(wrap(unknown()));
    };
    let base = verb.len() + 1;
    let text = match rest {
        None => None,
        Some(rest) => Some(text_of(rest, base, scanned)?),
    };
    let no_argument = |command: Command<'a>| match text {
        None => Ok(wrap(command)),
        // Trailing spaces are tolerated; RFC 5321 §4.1.1 notes some clients send them.
        Some(text) if text.bytes().all(|b| b == b' ') => Ok(wrap(command)),
        Some(_) => Err(error(base - 1, Expected::EndOfLine)),
    };
    let required = || {
        text.filter(|t| !t.is_empty())
            .ok_or_else(|| error(base.min(line.len()), Expected::Argument))
    };
    match kind {
        Verb::Helo | Verb::Ehlo | Verb::Lhlo => {
            let domain = required()?;
            let len = domain_len(domain, base)?;
            if len != domain.len() {
                return Err(error(base + len, Expected::EndOfLine));
            }
            let domain = Cow::Borrowed(domain);
            Ok(wrap(match kind {
                Verb::Helo => Command::Helo { domain },
                Verb::Ehlo => Command::Ehlo { domain },
                _ => Command::Lhlo { domain },
            }))
        }
        Verb::Mail | Verb::Rcpt => {
            let text = text.ok_or_else(|| error(line.len(), Expected::Space))?;
            let keyword = if kind == Verb::Mail { "FROM:" } else { "TO:" };
            let expected = if kind == Verb::Mail {
                Expected::FromKeyword
            } else {
                Expected::ToKeyword
            };
            let head = text.as_bytes();
            let keyword_found = if kind == Verb::Mail {
                chars::same(head.get(..5).unwrap_or_default(), b"FROM:")
            } else {
                chars::same(head.get(..3).unwrap_or_default(), b"TO:")
            };
            if !keyword_found {
                return Err(error(base, expected));
            }
            let after = text.get(keyword.len()..).unwrap_or_default();
            // Some clients put a space after the colon; RFC 5321 §3.3 has none, Postfix and
            // most servers accept it.
            let spaces = after.bytes().take_while(|&b| b == b' ').count();
            let path_text = after.get(spaces..).unwrap_or_default();
            let path_base = base + keyword.len() + (after.len() - path_text.len());
            let span = scan_path(path_text, path_base)?;
            let len = span.len();
            let after_path = path_text.get(len..).unwrap_or_default();
            let parameters = match after_path.strip_prefix(' ') {
                Some(params) => {
                    Parameters::parse(params, path_base + len + 1, limits.max_list_length)?
                }
                None if after_path.is_empty() => Parameters::none(),
                None => return Err(error(path_base + len, Expected::Space)),
            };
            // The path is built here, in the command, from where its parts lie.
            if kind == Verb::Mail {
                return Ok(wrap(Command::Mail {
                    from: if span.is_null() {
                        ReversePath::Null
                    } else {
                        ReversePath::Path(path_at(path_text, span))
                    },
                    parameters,
                }));
            }
            if span.is_null() {
                return Err(error(path_base + 1, Expected::LocalPart));
            }
            Ok(wrap(Command::Rcpt {
                to: path_at(path_text, span),
                parameters,
            }))
        }
        Verb::Data => no_argument(Command::Data),
        Verb::Rset => no_argument(Command::Rset),
        Verb::Quit => no_argument(Command::Quit),
        Verb::StartTls => no_argument(Command::StartTls),
        Verb::Bdat => {
            let text = required()?;
            let (size, last) = split_last(text);
            let digits_ok =
                !size.is_empty() && size.len() <= 20 && size.bytes().all(|b| b.is_ascii_digit());
            let size: u64 = digits_ok
                .then(|| size.parse().ok())
                .flatten()
                .ok_or_else(|| error(base, Expected::Number))?;
            let last = last.map_err(|at| error(base + at, Expected::LastKeyword))?;
            Ok(wrap(Command::Bdat { size, last }))
        }
        Verb::Burl => {
            let text = required()?;
            let (url, last) = split_last(text);
            if url.is_empty() || url.contains(' ') {
                return Err(error(base, Expected::Argument));
            }
            let last = last.map_err(|at| error(base + at, Expected::LastKeyword))?;
            Ok(wrap(Command::Burl {
                url: Cow::Borrowed(url),
                last,
            }))
        }
        Verb::Vrfy => Ok(wrap(Command::Vrfy {
            argument: Cow::Borrowed(required()?),
        })),
        Verb::Expn => Ok(wrap(Command::Expn {
            argument: Cow::Borrowed(required()?),
        })),
        Verb::Help => Ok(wrap(Command::Help {
            topic: text.filter(|t| !t.is_empty()).map(Cow::Borrowed),
        })),
        Verb::Noop => Ok(wrap(Command::Noop {
            argument: text.filter(|t| !t.is_empty()).map(Cow::Borrowed),
        })),
        Verb::Etrn => {
            let node = required()?;
            if node.contains(' ') {
                return Err(error(base, Expected::Argument));
            }
            Ok(wrap(Command::Etrn {
                node: Cow::Borrowed(node),
            }))
        }
        Verb::Atrn => {
            let domains = text.filter(|t| !t.is_empty());
            if let Some(domains) = domains {
                let mut at = base;
                for domain in domains.split(',') {
                    let len = domain_len(domain, at)?;
                    if len != domain.len() {
                        return Err(error(at + len, Expected::Domain));
                    }
                    at += domain.len() + 1;
                }
            }
            Ok(wrap(Command::Atrn {
                domains: domains.map(Cow::Borrowed),
            }))
        }
        Verb::Auth => {
            let text = required()?;
            let (name, response) = match crate::parameters::split_once_byte(text, b' ') {
                Some((name, response)) => (name, Some(response)),
                None => (text, None),
            };
            let mechanism =
                Mechanism::parse(name).ok_or_else(|| error(base, Expected::Mechanism))?;
            let initial_response = match response {
                None => None,
                Some(response) => {
                    let payload = SaslPayload(Cow::Borrowed(response));
                    if !payload.is_valid() {
                        return Err(error(base + name.len() + 1, Expected::Base64));
                    }
                    Some(payload)
                }
            };
            Ok(wrap(Command::Auth {
                mechanism,
                initial_response,
            }))
        }
    }
}

/// Splits an optional trailing ` LAST`; the error is the offset of a bad second word.
fn split_last(text: &str) -> (&str, Result<bool, usize>) {
    match crate::parameters::split_once_byte(text, b' ') {
        None => (text, Ok(false)),
        Some((head, tail)) if tail.eq_ignore_ascii_case("LAST") => (head, Ok(true)),
        Some((head, _)) => (head, Err(head.len() + 1)),
    }
}

/// Checks the argument text `rest`, which starts at `base` in the line: UTF-8 without control
/// characters.
#[inline(always)]
fn text_of<'a>(rest: &'a [u8], base: usize, scanned: Scanned<'a>) -> Result<&'a str, DecodeError> {
    match scanned {
        Scanned::Ascii(line) => return line.get(base..).ok_or_else(|| error(base, Expected::Utf8)),
        Scanned::NoControls => {}
        Scanned::Nothing => {
            if let Some(at) = chars::find_control(rest) {
                return Err(error(base + at, Expected::PrintableText));
            }
        }
    }
    std::str::from_utf8(rest).map_err(|e| error(base + e.valid_up_to(), Expected::Utf8))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Helo,
    Ehlo,
    Lhlo,
    Mail,
    Rcpt,
    Data,
    Bdat,
    Rset,
    Vrfy,
    Expn,
    Help,
    Noop,
    Quit,
    StartTls,
    Auth,
    Etrn,
    Atrn,
    Burl,
}

impl Verb {
    #[inline(always)]
    fn parse(verb: &[u8]) -> Option<Self> {
        const fn word(name: &[u8; 4]) -> u32 {
            u32::from_be_bytes(*name)
        }
        const HELO: u32 = word(b"helo");
        const EHLO: u32 = word(b"ehlo");
        const LHLO: u32 = word(b"lhlo");
        const MAIL: u32 = word(b"mail");
        const RCPT: u32 = word(b"rcpt");
        const DATA: u32 = word(b"data");
        const BDAT: u32 = word(b"bdat");
        const RSET: u32 = word(b"rset");
        const VRFY: u32 = word(b"vrfy");
        const EXPN: u32 = word(b"expn");
        const HELP: u32 = word(b"help");
        const NOOP: u32 = word(b"noop");
        const QUIT: u32 = word(b"quit");
        const AUTH: u32 = word(b"auth");
        const ETRN: u32 = word(b"etrn");
        const ATRN: u32 = word(b"atrn");
        const BURL: u32 = word(b"burl");
        // Four-letter verbs dominate: one u32 with the case bit set, matched as an integer.
        // Setting 0x20 maps only a letter's two cases onto a lower-case letter, and every
        // name here is letters, so a match is exact.
        if let [a, b, c, d] = *verb {
            return Some(match u32::from_be_bytes([a, b, c, d]) | 0x2020_2020 {
                HELO => Verb::Helo,
                EHLO => Verb::Ehlo,
                LHLO => Verb::Lhlo,
                MAIL => Verb::Mail,
                RCPT => Verb::Rcpt,
                DATA => Verb::Data,
                BDAT => Verb::Bdat,
                RSET => Verb::Rset,
                VRFY => Verb::Vrfy,
                EXPN => Verb::Expn,
                HELP => Verb::Help,
                NOOP => Verb::Noop,
                QUIT => Verb::Quit,
                AUTH => Verb::Auth,
                ETRN => Verb::Etrn,
                ATRN => Verb::Atrn,
                BURL => Verb::Burl,
                _ => return None,
            });
        }
        verb.eq_ignore_ascii_case(b"STARTTLS")
            .then_some(Verb::StartTls)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::{Domain, Mailbox};
    use crate::limits::LineEndings;
    use crate::parameters::{Body, Parameter};

    fn parse(line: &str) -> Command<'_> {
        parse_command_line(line.as_bytes(), &Limits::default()).unwrap()
    }

    /// The integer match of four-letter verbs names the verb a case-insensitive comparison
    /// names, for every verb with any one byte set to any value.
    #[test]
    fn verb_words_match_like_a_case_insensitive_comparison() {
        let names: [(&[u8], Verb); 18] = [
            (b"HELO", Verb::Helo),
            (b"EHLO", Verb::Ehlo),
            (b"LHLO", Verb::Lhlo),
            (b"MAIL", Verb::Mail),
            (b"RCPT", Verb::Rcpt),
            (b"DATA", Verb::Data),
            (b"BDAT", Verb::Bdat),
            (b"RSET", Verb::Rset),
            (b"VRFY", Verb::Vrfy),
            (b"EXPN", Verb::Expn),
            (b"HELP", Verb::Help),
            (b"NOOP", Verb::Noop),
            (b"QUIT", Verb::Quit),
            (b"AUTH", Verb::Auth),
            (b"ETRN", Verb::Etrn),
            (b"ATRN", Verb::Atrn),
            (b"BURL", Verb::Burl),
            (b"STARTTLS", Verb::StartTls),
        ];
        let reference = |verb: &[u8]| {
            names
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(verb))
                .map(|&(_, kind)| kind)
        };
        for (name, _) in names {
            for at in 0..name.len() {
                for byte in 0..=255u8 {
                    let mut verb = name.to_vec();
                    verb[at] = byte;
                    assert_eq!(Verb::parse(&verb), reference(&verb), "{verb:?}");
                }
            }
        }
    }

    /// The one-pass path for clean CRLF lines (taken when nothing was scanned before) and
    /// the exact path (taken when part of the line was) agree on every line, good or bad,
    /// errors and offsets included: lines with each control byte, a high byte or a bare line
    /// end put at every position, under both line-ending policies and a tight limit.
    #[test]
    fn clean_line_fast_path_agrees_with_the_exact_path() {
        let lines: [&[u8]; 5] = [
            b"MAIL FROM:<a@example.org> SIZE=10 BODY=8BITMIME\r\n",
            b"RCPT TO:<b@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.org\r\n",
            b"EHLO client.example.org\r\nQUIT\r\n",
            b"AUTH PLAIN AGEAYg==\r\n",
            b"NOOP\r\n",
        ];
        let policies = [
            Limits::default(),
            Limits::default().with_line_endings(LineEndings::Lenient),
            Limits::default().with_max_line_length(24),
        ];
        for input in chars::single_byte_changes(&lines) {
            for limits in &policies {
                let fast = decode_command_from(&input, 0, limits);
                if input.first() == Some(&b'\n') {
                    continue;
                }
                let exact = decode_command_from(&input, 1, limits);
                assert_eq!(fast, exact, "{:?}", String::from_utf8_lossy(&input));
            }
        }
    }

    #[test]
    fn decodes_mail_with_parameters() {
        let command = parse("MAIL FROM:<Smith@bar.com> SIZE=500 BODY=8BITMIME");
        let Command::Mail { from, parameters } = &command else {
            panic!("{command:?}")
        };
        assert_eq!(
            from,
            &ReversePath::Path(Path::new(Mailbox::new(
                "Smith",
                Domain::Name("bar.com".into())
            )))
        );
        assert_eq!(
            parameters.iter().collect::<Vec<_>>(),
            vec![Parameter::Size(500), Parameter::Body(Body::EightBitMime)]
        );
        assert_eq!(
            command.to_vec(),
            b"MAIL FROM:<Smith@bar.com> SIZE=500 BODY=8BITMIME\r\n"
        );
    }

    #[test]
    fn verbs_are_case_insensitive_and_unknown_is_a_value() {
        assert_eq!(parse("quit"), Command::Quit);
        assert_eq!(parse("StartTLS"), Command::StartTls);
        assert_eq!(
            parse("XCLIENT ADDR=1.2.3.4"),
            Command::Unknown {
                verb: Cow::Borrowed(b"XCLIENT"),
                arguments: Some(Cow::Borrowed(b"ADDR=1.2.3.4"))
            }
        );
        assert_eq!(
            parse("Q\u{1}IT"),
            Command::Unknown {
                verb: Cow::Borrowed(b"Q\x01IT"),
                arguments: None
            }
        );
    }

    #[test]
    fn bdat_auth_and_errors() {
        assert_eq!(
            parse("BDAT 86 LAST"),
            Command::Bdat {
                size: 86,
                last: true
            }
        );
        assert_eq!(
            parse("AUTH PLAIN ="),
            Command::Auth {
                mechanism: Mechanism::Plain,
                initial_response: Some(SaslPayload("=".into()))
            }
        );
        let limits = Limits::default();
        let err = parse_command_line(b"BDAT 86 FIRST", &limits).unwrap_err();
        assert_eq!(
            (err.offset(), err.kind()),
            (8, ErrorKind::Expected(Expected::LastKeyword))
        );
        let err = parse_command_line(b"DATA now", &limits).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Expected(Expected::EndOfLine));
        let err = parse_command_line(b"MAIL TO:<a@b>", &limits).unwrap_err();
        assert_eq!(
            (err.offset(), err.kind()),
            (5, ErrorKind::Expected(Expected::FromKeyword))
        );
        let err = parse_command_line(b"RCPT TO:<>", &limits).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Expected(Expected::LocalPart));
        let err = parse_command_line(b"NOOP a\0b", &limits).unwrap_err();
        assert_eq!(
            (err.offset(), err.kind()),
            (6, ErrorKind::Expected(Expected::PrintableText))
        );
    }

    #[test]
    fn streaming_needs_the_whole_line() {
        let limits = Limits::default();
        assert!(!decode_command(b"RSET\r", &limits).unwrap().is_complete());
        assert_eq!(
            decode_command(b"RSET\r\nQUIT\r\n", &limits).unwrap(),
            Decoded::Complete {
                value: Command::Rset,
                consumed: 6
            }
        );
    }
}
