//! ESMTP parameters of MAIL and RCPT (RFC 5321 §4.1.2 `Mail-parameters`, `Rcpt-parameters`).
//!
//! [`Parameters`] keeps the validated wire text and hands out typed [`Parameter`]s on
//! iteration, so decoding a command allocates nothing however many parameters it has.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io;

use crate::chars;
use crate::{DecodeError, ErrorKind, Expected, Limit};

/// The parameters after a MAIL or RCPT path: validated wire text, iterated as typed values.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Parameters<'a> {
    raw: Cow<'a, str>,
}

impl<'a> Parameters<'a> {
    /// No parameters.
    pub const fn none() -> Self {
        Self {
            raw: Cow::Borrowed(""),
        }
    }

    /// Builds the wire form of `params`.
    pub fn from_list<'p>(
        params: impl IntoIterator<Item = &'p Parameter<'p>>,
    ) -> Parameters<'static> {
        let mut raw = String::new();
        for param in params {
            if !raw.is_empty() {
                raw.push(' ');
            }
            param.write_text(&mut raw);
        }
        Parameters {
            raw: Cow::Owned(raw),
        }
    }

    /// Validates `raw` (space-separated `keyword[=value]`), `base` being its offset in the line.
    pub(crate) fn parse(raw: &'a str, base: usize, max_count: usize) -> Result<Self, DecodeError> {
        for (count, (at, token)) in Tokens::new(raw).enumerate() {
            let offset = base + at;
            if count >= max_count {
                return Err(DecodeError::new(
                    offset,
                    ErrorKind::LimitExceeded(Limit::ListLength),
                ));
            }
            match Parameter::parse::<true>(token) {
                // Decoding builds borrowed values only, so there is nothing to free: forgetting
                // the checked value skips a call to its drop glue per parameter.
                Ok(checked) => std::mem::forget(checked),
                Err(at) => {
                    return Err(DecodeError::new(offset + at.0, ErrorKind::Expected(at.1)));
                }
            }
        }
        Ok(Self {
            raw: Cow::Borrowed(raw),
        })
    }

    /// The wire text, without the leading space.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.raw.bytes().all(|b| b == b' ')
    }

    /// The parameters in order.
    pub fn iter(&self) -> impl Iterator<Item = Parameter<'_>> + '_ {
        Typed(Tokens::new(&self.raw))
    }

    /// The first parameter for which `pick` returns a value.
    pub fn find<'s, T>(&'s self, pick: impl Fn(Parameter<'s>) -> Option<T>) -> Option<T> {
        self.iter().find_map(pick)
    }

    /// The `SIZE=` value (RFC 1870).
    pub fn size(&self) -> Option<u64> {
        self.find(|p| match p {
            Parameter::Size(size) => Some(size),
            _ => None,
        })
    }

    /// The `BODY=` value (RFC 6152, RFC 3030).
    pub fn body(&self) -> Option<Body> {
        self.find(|p| match p {
            Parameter::Body(body) => Some(body),
            _ => None,
        })
    }

    /// Whether `SMTPUTF8` is present (RFC 6531).
    pub fn smtputf8(&self) -> bool {
        self.iter().any(|p| p == Parameter::SmtpUtf8)
    }

    /// A `'static` copy.
    pub fn into_owned(self) -> Parameters<'static> {
        Parameters {
            raw: Cow::Owned(self.raw.into_owned()),
        }
    }

    pub(crate) fn write_to<W: io::Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        if !self.raw.is_empty() {
            out.write_all(b" ")?;
            out.write_all(self.raw.as_bytes())?;
        }
        Ok(())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Parameters<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// One ESMTP parameter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Parameter<'a> {
    /// `SIZE=n`, the message size estimate (RFC 1870).
    Size(u64),
    /// `BODY=` (RFC 6152 8BITMIME, RFC 3030 BINARYMIME).
    Body(Body),
    /// `SMTPUTF8` (RFC 6531 §3.4).
    SmtpUtf8,
    /// `RET=FULL|HDRS` (RFC 3461 §4.3).
    Ret(Ret),
    /// `ENVID=xtext` (RFC 3461 §4.4).
    EnvId(Xtext<'a>),
    /// `NOTIFY=` (RFC 3461 §4.1).
    Notify(Notify),
    /// `ORCPT=addr-type;xtext` (RFC 3461 §4.2).
    Orcpt {
        /// The address type, e.g. `rfc822` or `utf-8`.
        addr_type: Cow<'a, str>,
        /// The original recipient, xtext-encoded.
        address: Xtext<'a>,
    },
    /// `REQUIRETLS` (RFC 8689 §4.1).
    RequireTls,
    /// `AUTH=mailbox` or `AUTH=<>`, the authenticated submitter (RFC 4954 §5).
    Auth(Xtext<'a>),
    /// `BY=time;mode[T]` (RFC 2852 §4).
    DeliverBy {
        /// Seconds; negative means already expired (allowed with mode `N`).
        time: i64,
        /// `R` (return if not delivered in time) or `N` (notify).
        mode: ByMode,
        /// The `T` trace flag.
        trace: bool,
    },
    /// `MT-PRIORITY=n`, -9 to 9 (RFC 6710 §3).
    MtPriority(i8),
    /// `HOLDFOR=seconds` (RFC 4865 §4).
    HoldFor(u64),
    /// `HOLDUNTIL=date-time` (RFC 4865 §4), as sent.
    HoldUntil(Cow<'a, str>),
    /// `RRVS=date-time[;C|R]` (RFC 7293 §3).
    Rrvs {
        /// The date-time, as sent.
        time: Cow<'a, str>,
        /// `C` (continue) or `R` (reject) when present.
        action: Option<RrvsAction>,
    },
    /// Any other parameter, kept as sent.
    Other {
        /// The keyword.
        keyword: Cow<'a, str>,
        /// The value after `=`, if any.
        value: Option<Cow<'a, str>>,
    },
}

/// The `BODY=` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Body {
    /// `7BIT`.
    SevenBit,
    /// `8BITMIME`.
    EightBitMime,
    /// `BINARYMIME`.
    BinaryMime,
}

impl Body {
    const fn as_str(self) -> &'static str {
        match self {
            Body::SevenBit => "7BIT",
            Body::EightBitMime => "8BITMIME",
            Body::BinaryMime => "BINARYMIME",
        }
    }
}

/// The `RET=` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Ret {
    /// `FULL`: return the whole message in a DSN.
    Full,
    /// `HDRS`: return only the headers.
    Headers,
}

/// The `NOTIFY=` value: `NEVER`, or any of SUCCESS, FAILURE, DELAY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Notify {
    /// `SUCCESS`.
    pub success: bool,
    /// `FAILURE`.
    pub failure: bool,
    /// `DELAY`.
    pub delay: bool,
}

impl Notify {
    /// `NEVER`.
    pub const NEVER: Notify = Notify {
        success: false,
        failure: false,
        delay: false,
    };

    /// Whether this is `NEVER`.
    pub const fn is_never(self) -> bool {
        !self.success && !self.failure && !self.delay
    }
}

/// The `BY=` modes (RFC 2852).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ByMode {
    /// `R`: return the message if it cannot be delivered in time.
    Return,
    /// `N`: send a delay notification.
    Notify,
}

/// The `RRVS=` actions (RFC 7293).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum RrvsAction {
    /// `C`: continue delivery even if the check fails.
    Continue,
    /// `R`: reject.
    Reject,
}

/// xtext (RFC 3461 §4): printable ASCII except `+` and `=`, other octets as `+XX`. Kept in
/// wire form; [`Xtext::decode`] gives the octets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Xtext<'a>(pub Cow<'a, str>);

impl Xtext<'_> {
    /// Encodes `octets` as xtext.
    pub fn encode(octets: &[u8]) -> Xtext<'static> {
        let mut out = String::with_capacity(octets.len());
        for &b in octets {
            if (33..=126).contains(&b) && b != b'+' && b != b'=' {
                out.push(char::from(b));
            } else {
                let _ = write!(out, "+{b:02X}");
            }
        }
        Xtext(Cow::Owned(out))
    }

    /// The octets this xtext stands for.
    pub fn decode(&self) -> Cow<'_, [u8]> {
        if !self.0.contains('+') {
            return Cow::Borrowed(self.0.as_bytes());
        }
        let bytes = self.0.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut index = 0;
        while let Some(&b) = bytes.get(index) {
            if b == b'+' {
                let high = bytes.get(index + 1).copied().and_then(hex_value);
                let low = bytes.get(index + 2).copied().and_then(hex_value);
                if let (Some(high), Some(low)) = (high, low) {
                    out.push(high << 4 | low);
                    index += 3;
                    continue;
                }
            }
            out.push(b);
            index += 1;
        }
        Cow::Owned(out)
    }

    /// A `'static` copy.
    pub fn into_owned(self) -> Xtext<'static> {
        Xtext(Cow::Owned(self.0.into_owned()))
    }
}

/// `text.split_once(byte)` for an ASCII `byte`, as a plain byte loop: the texts split here are
/// short, and the generic `char` searcher costs more than the search.
#[inline(always)]
pub(crate) fn split_once_byte(text: &str, byte: u8) -> Option<(&str, &str)> {
    let at = chars::find_byte(text.as_bytes(), byte)?;
    // `byte` is ASCII, so both sides are on character boundaries.
    Some((text.get(..at)?, text.get(at + 1..)?))
}

/// The iterator of [`Parameters::iter`]: a plain loop over [`Tokens`] with the typing inlined
/// in it, not an adapter chain, whose closure was left out of line and handed each parameter
/// back through memory (a copy that stalled on its own stores: 4 % of the command bench's
/// samples in perf).
struct Typed<'p>(Tokens<'p>);

impl<'p> Iterator for Typed<'p> {
    type Item = Parameter<'p>;

    #[inline]
    fn next(&mut self) -> Option<Parameter<'p>> {
        // Validated when decoded or built, so an invalid token cannot be here.
        for (_, token) in &mut self.0 {
            if let Ok(parameter) = Parameter::parse::<false>(token) {
                return Some(parameter);
            }
        }
        None
    }
}

/// The non-empty space-separated tokens of `raw` with their offsets. A plain byte loop:
/// tokens are a few bytes long, shorter than a memchr call takes to set up.
struct Tokens<'p> {
    raw: &'p str,
    start: usize,
}

impl<'p> Tokens<'p> {
    fn new(raw: &'p str) -> Self {
        Tokens { raw, start: 0 }
    }
}

impl<'p> Iterator for Tokens<'p> {
    type Item = (usize, &'p str);

    #[inline]
    fn next(&mut self) -> Option<(usize, &'p str)> {
        loop {
            let rest = self.raw.as_bytes().get(self.start..)?;
            if rest.is_empty() {
                return None;
            }
            let len = chars::find_byte(rest, b' ').unwrap_or(rest.len());
            let at = self.start;
            self.start += len + 1;
            // Split at ASCII spaces, so always on a character boundary.
            if len > 0 {
                return self.raw.get(at..at + len).map(|token| (at, token));
            }
        }
    }
}

const fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Whether `text` is xtext: `xchar` (33-126 except `+`, `=`) or `+` and two upper-case hex
/// digits. UTF-8 is accepted as well, as RFC 6533 utf-8-addr-xtext allows it.
fn is_xtext(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut index = 0;
    loop {
        let rest = bytes.get(index..).unwrap_or_default();
        index += chars::find_not_xchar(rest).unwrap_or(rest.len());
        match bytes.get(index) {
            None => return true,
            Some(b'+') => {
                let hex = bytes.get(index + 1).copied().and_then(hex_value).is_some()
                    && bytes.get(index + 2).copied().and_then(hex_value).is_some();
                if !hex {
                    return false;
                }
                index += 3;
            }
            Some(_) => return false,
        }
    }
}

fn is_keyword(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && chars::run_len(bytes, chars::KEYWORD) == bytes.len()
}

/// The parameter keywords [`Parameter`] types.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeywordName {
    Size,
    Body,
    SmtpUtf8,
    Ret,
    EnvId,
    Notify,
    Orcpt,
    RequireTls,
    Auth,
    By,
    MtPriority,
    HoldFor,
    HoldUntil,
    Rrvs,
}

impl KeywordName {
    /// The keyword `word` names, in any case: its length and first letter pick the one
    /// candidate, then one fixed-size comparison settles it.
    #[inline(always)]
    fn of(word: &str) -> Option<Self> {
        use chars::same;
        let word = word.as_bytes();
        let first = word.first()? | 0x20;
        let pick = |hit: bool, keyword| hit.then_some(keyword);
        match (word.len(), first) {
            (4, b's') => pick(same(word, b"SIZE"), Self::Size),
            (4, b'b') => pick(same(word, b"BODY"), Self::Body),
            (4, b'a') => pick(same(word, b"AUTH"), Self::Auth),
            (4, b'r') => pick(same(word, b"RRVS"), Self::Rrvs),
            (8, b's') => pick(same(word, b"SMTPUTF8"), Self::SmtpUtf8),
            (3, b'r') => pick(same(word, b"RET"), Self::Ret),
            (5, b'e') => pick(same(word, b"ENVID"), Self::EnvId),
            (5, b'o') => pick(same(word, b"ORCPT"), Self::Orcpt),
            (6, b'n') => pick(same(word, b"NOTIFY"), Self::Notify),
            (10, b'r') => pick(same(word, b"REQUIRETLS"), Self::RequireTls),
            (2, b'b') => pick(same(word, b"BY"), Self::By),
            (11, b'm') => pick(same(word, b"MT-PRIORITY"), Self::MtPriority),
            (7, b'h') => pick(same(word, b"HOLDFOR"), Self::HoldFor),
            (9, b'h') => pick(same(word, b"HOLDUNTIL"), Self::HoldUntil),
            _ => None,
        }
    }
}

/// A decimal number of 1 to 20 digits that fits a `u64`, in one pass: up to 19 digits cannot
/// overflow, so only a 20-digit number is computed with checks.
fn parse_u64(text: &str) -> Option<u64> {
    let digits = text.as_bytes();
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    if digits.len() < 20 {
        let mut n = 0u64;
        for &b in digits {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                return None;
            }
            n = n * 10 + u64::from(digit);
        }
        return Some(n);
    }
    digits.iter().try_fold(0u64, |n, &b| {
        let digit = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

type ParamError = (usize, Expected);

impl<'a> Parameter<'a> {
    /// Parses one `keyword[=value]` token. With `CHECK` false the token is known to be valid
    /// (it was checked when its [`Parameters`] were decoded), so only what typing needs is
    /// read: numbers and enumerations, not the character classes of free text.
    #[inline(always)]
    fn parse<const CHECK: bool>(token: &'a str) -> Result<Self, ParamError> {
        let (keyword, value) = match split_once_byte(token, b'=') {
            Some((keyword, value)) => (keyword, Some(value)),
            None => (token, None),
        };
        let at = keyword.len() + 1;
        let bad = (at, Expected::ParameterValue);
        let xtext = |value: &'a str| {
            if CHECK && (value.is_empty() || !is_xtext(value)) {
                return Err(bad);
            }
            Ok(Xtext(Cow::Borrowed(value)))
        };
        let parsed = match (KeywordName::of(keyword), value) {
            (Some(KeywordName::SmtpUtf8), None) => Parameter::SmtpUtf8,
            (Some(KeywordName::RequireTls), None) => Parameter::RequireTls,
            (Some(KeywordName::SmtpUtf8 | KeywordName::RequireTls), Some(_)) => return Err(bad),
            // Every other known keyword takes a value.
            (Some(_), None) => return Err(bad),
            (Some(KeywordName::Size), Some(value)) => Parameter::Size(parse_u64(value).ok_or(bad)?),
            (Some(KeywordName::Body), Some(value)) => {
                let value = value.as_bytes();
                Parameter::Body(if chars::same(value, b"8BITMIME") {
                    Body::EightBitMime
                } else if chars::same(value, b"7BIT") {
                    Body::SevenBit
                } else if chars::same(value, b"BINARYMIME") {
                    Body::BinaryMime
                } else {
                    return Err(bad);
                })
            }
            (Some(KeywordName::Ret), Some(value)) => Parameter::Ret(match value {
                v if v.eq_ignore_ascii_case("FULL") => Ret::Full,
                v if v.eq_ignore_ascii_case("HDRS") => Ret::Headers,
                _ => return Err(bad),
            }),
            (Some(KeywordName::EnvId), Some(value)) => Parameter::EnvId(xtext(value)?),
            (Some(KeywordName::Notify), Some(value)) => {
                Parameter::Notify(parse_notify(value).ok_or(bad)?)
            }
            (Some(KeywordName::Orcpt), Some(value)) => {
                let (addr_type, address) = split_once_byte(value, b';').ok_or(bad)?;
                if CHECK && !is_keyword(addr_type) {
                    return Err(bad);
                }
                Parameter::Orcpt {
                    addr_type: Cow::Borrowed(addr_type),
                    address: xtext(address)?,
                }
            }
            (Some(KeywordName::Auth), Some("<>")) => Parameter::Auth(Xtext(Cow::Borrowed("<>"))),
            (Some(KeywordName::Auth), Some(value)) => Parameter::Auth(xtext(value)?),
            (Some(KeywordName::By), Some(value)) => parse_by(value).ok_or(bad)?,
            (Some(KeywordName::MtPriority), Some(value)) => {
                let priority: i8 = value.parse().map_err(|_| bad)?;
                if !(-9..=9).contains(&priority) || value.starts_with('+') && value.len() != 2 {
                    return Err(bad);
                }
                Parameter::MtPriority(priority)
            }
            (Some(KeywordName::HoldFor), Some(value)) => {
                Parameter::HoldFor(parse_u64(value).ok_or(bad)?)
            }
            (Some(KeywordName::HoldUntil), Some(value)) => {
                if CHECK && !is_datetime_text(value) {
                    return Err(bad);
                }
                Parameter::HoldUntil(Cow::Borrowed(value))
            }
            (Some(KeywordName::Rrvs), Some(value)) => {
                let (time, action) = match split_once_byte(value, b';') {
                    Some((time, "C")) => (time, Some(RrvsAction::Continue)),
                    Some((time, "R")) => (time, Some(RrvsAction::Reject)),
                    Some(_) => return Err(bad),
                    None => (value, None),
                };
                if CHECK && !is_datetime_text(time) {
                    return Err(bad);
                }
                Parameter::Rrvs {
                    time: Cow::Borrowed(time),
                    action,
                }
            }
            (None, value) => {
                if CHECK && !is_keyword(keyword) {
                    return Err((0, Expected::Parameter));
                }
                // esmtp-value: any CHAR excluding "=", SP, and control characters (plus UTF-8).
                if CHECK
                    && let Some(value) = value
                    && (value.is_empty() || value.bytes().any(|b| b == b'=' || b < 33 || b == 127))
                {
                    return Err(bad);
                }
                Parameter::Other {
                    keyword: Cow::Borrowed(keyword),
                    value: value.map(Cow::Borrowed),
                }
            }
        };
        Ok(parsed)
    }

    /// A `'static` copy.
    pub fn into_owned(self) -> Parameter<'static> {
        let own = |text: Cow<'_, str>| Cow::Owned(text.into_owned());
        match self {
            Parameter::Size(n) => Parameter::Size(n),
            Parameter::Body(body) => Parameter::Body(body),
            Parameter::SmtpUtf8 => Parameter::SmtpUtf8,
            Parameter::Ret(ret) => Parameter::Ret(ret),
            Parameter::EnvId(id) => Parameter::EnvId(id.into_owned()),
            Parameter::Notify(notify) => Parameter::Notify(notify),
            Parameter::Orcpt { addr_type, address } => Parameter::Orcpt {
                addr_type: own(addr_type),
                address: address.into_owned(),
            },
            Parameter::RequireTls => Parameter::RequireTls,
            Parameter::Auth(mailbox) => Parameter::Auth(mailbox.into_owned()),
            Parameter::DeliverBy { time, mode, trace } => {
                Parameter::DeliverBy { time, mode, trace }
            }
            Parameter::MtPriority(priority) => Parameter::MtPriority(priority),
            Parameter::HoldFor(seconds) => Parameter::HoldFor(seconds),
            Parameter::HoldUntil(time) => Parameter::HoldUntil(own(time)),
            Parameter::Rrvs { time, action } => Parameter::Rrvs {
                time: own(time),
                action,
            },
            Parameter::Other { keyword, value } => Parameter::Other {
                keyword: own(keyword),
                value: value.map(own),
            },
        }
    }

    fn write_text(&self, out: &mut String) {
        let _ = match self {
            Parameter::Size(n) => write!(out, "SIZE={n}"),
            Parameter::Body(body) => write!(out, "BODY={}", body.as_str()),
            Parameter::SmtpUtf8 => write!(out, "SMTPUTF8"),
            Parameter::Ret(Ret::Full) => write!(out, "RET=FULL"),
            Parameter::Ret(Ret::Headers) => write!(out, "RET=HDRS"),
            Parameter::EnvId(id) => write!(out, "ENVID={}", id.0),
            Parameter::Notify(notify) => {
                out.push_str("NOTIFY=");
                if notify.is_never() {
                    out.push_str("NEVER");
                } else {
                    let names = [
                        (notify.success, "SUCCESS"),
                        (notify.failure, "FAILURE"),
                        (notify.delay, "DELAY"),
                    ];
                    let mut first = true;
                    for (_, name) in names.iter().filter(|(on, _)| *on) {
                        if !first {
                            out.push(',');
                        }
                        out.push_str(name);
                        first = false;
                    }
                }
                Ok(())
            }
            Parameter::Orcpt { addr_type, address } => {
                write!(out, "ORCPT={addr_type};{}", address.0)
            }
            Parameter::RequireTls => write!(out, "REQUIRETLS"),
            Parameter::Auth(mailbox) => write!(out, "AUTH={}", mailbox.0),
            Parameter::DeliverBy { time, mode, trace } => {
                let mode = match mode {
                    ByMode::Return => 'R',
                    ByMode::Notify => 'N',
                };
                let trace = if *trace { "T" } else { "" };
                write!(out, "BY={time};{mode}{trace}")
            }
            Parameter::MtPriority(priority) => write!(out, "MT-PRIORITY={priority}"),
            Parameter::HoldFor(seconds) => write!(out, "HOLDFOR={seconds}"),
            Parameter::HoldUntil(time) => write!(out, "HOLDUNTIL={time}"),
            Parameter::Rrvs { time, action } => {
                let action = match action {
                    Some(RrvsAction::Continue) => ";C",
                    Some(RrvsAction::Reject) => ";R",
                    None => "",
                };
                write!(out, "RRVS={time}{action}")
            }
            Parameter::Other { keyword, value } => match value {
                Some(value) => write!(out, "{keyword}={value}"),
                None => write!(out, "{keyword}"),
            },
        };
    }
}

fn parse_notify(value: &str) -> Option<Notify> {
    if value.eq_ignore_ascii_case("NEVER") {
        return Some(Notify::NEVER);
    }
    // Item by item at fixed widths (SUCCESS and FAILURE are 7 octets, DELAY 5), so no pass
    // looks for the commas; the first letter picks the one name to compare.
    let mut notify = Notify::default();
    let mut rest = value.as_bytes();
    loop {
        let item = |name: &[u8; 7]| chars::same(rest.get(..7).unwrap_or_default(), name);
        let (flag, len) = match rest.first().map(|b| b | 0x20) {
            Some(b's') if item(b"SUCCESS") => (&mut notify.success, 7),
            Some(b'f') if item(b"FAILURE") => (&mut notify.failure, 7),
            Some(b'd') if chars::same(rest.get(..5).unwrap_or_default(), b"DELAY") => {
                (&mut notify.delay, 5)
            }
            _ => return None,
        };
        if *flag {
            return None;
        }
        *flag = true;
        match rest.get(len..).unwrap_or_default() {
            [] => return Some(notify),
            [b',', tail @ ..] => rest = tail,
            _ => return None,
        }
    }
}

fn parse_by(value: &str) -> Option<Parameter<'static>> {
    let (time, mode) = split_once_byte(value, b';')?;
    let digits = time.strip_prefix(['-', '+']).unwrap_or(time);
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let time: i64 = time.parse().ok()?;
    let (mode, trace) = match mode.to_ascii_uppercase().as_str() {
        "R" => (ByMode::Return, false),
        "N" => (ByMode::Notify, false),
        "RT" => (ByMode::Return, true),
        "NT" => (ByMode::Notify, true),
        _ => return None,
    };
    Some(Parameter::DeliverBy { time, mode, trace })
}

/// RFC 3339 date-time characters; the calendar itself is the application's to check.
fn is_datetime_text(text: &str) -> bool {
    text.len() >= 10
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b':' | b'.' | b'+'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The comma-splitting original of [`parse_notify`], kept as its reference.
    fn parse_notify_reference(value: &str) -> Option<Notify> {
        if value.eq_ignore_ascii_case("NEVER") {
            return Some(Notify::NEVER);
        }
        let mut notify = Notify::default();
        for item in value.split(',') {
            let flag = match item.to_ascii_uppercase().as_str() {
                "SUCCESS" => &mut notify.success,
                "FAILURE" => &mut notify.failure,
                "DELAY" => &mut notify.delay,
                _ => return None,
            };
            if *flag {
                return None;
            }
            *flag = true;
        }
        Some(notify)
    }

    #[test]
    fn fixed_width_notify_parse_agrees_with_splitting() {
        let items = [
            "SUCCESS", "failure", "Delay", "NEVER", "SUCCES", "DELAYS", "", "X,",
        ];
        let mut values = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = values
                .iter()
                .flat_map(|v| items.iter().map(move |i| format!("{v},{i}")))
                .collect();
            values.extend(longer);
        }
        for value in &values {
            for value in [value.as_str(), value.strip_prefix(',').unwrap_or(value)] {
                assert_eq!(
                    parse_notify(value),
                    parse_notify_reference(value),
                    "{value:?}"
                );
            }
        }
    }

    fn parse(raw: &str) -> Vec<Parameter<'static>> {
        Parameters::parse(raw, 0, 100)
            .unwrap()
            .iter()
            .map(Parameter::into_owned)
            .collect()
    }

    #[test]
    fn types_every_known_parameter() {
        assert_eq!(
            parse("SIZE=1000 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ314159 REQUIRETLS"),
            vec![
                Parameter::Size(1000),
                Parameter::Body(Body::EightBitMime),
                Parameter::SmtpUtf8,
                Parameter::Ret(Ret::Headers),
                Parameter::EnvId(Xtext("QQ314159".into())),
                Parameter::RequireTls,
            ]
        );
        assert_eq!(
            parse("NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Carol@Ivory.EDU AUTH=<>"),
            vec![
                Parameter::Notify(Notify {
                    success: true,
                    failure: true,
                    delay: false
                }),
                Parameter::Orcpt {
                    addr_type: "rfc822".into(),
                    address: Xtext("Carol@Ivory.EDU".into())
                },
                Parameter::Auth(Xtext("<>".into())),
            ]
        );
        assert_eq!(
            parse(
                "BY=-60;NT MT-PRIORITY=-3 HOLDFOR=30 RRVS=2014-04-03T23:01:00Z;C X-FOO=bar X-BAZ"
            ),
            vec![
                Parameter::DeliverBy {
                    time: -60,
                    mode: ByMode::Notify,
                    trace: true
                },
                Parameter::MtPriority(-3),
                Parameter::HoldFor(30),
                Parameter::Rrvs {
                    time: "2014-04-03T23:01:00Z".into(),
                    action: Some(RrvsAction::Continue)
                },
                Parameter::Other {
                    keyword: "X-FOO".into(),
                    value: Some("bar".into())
                },
                Parameter::Other {
                    keyword: "X-BAZ".into(),
                    value: None
                },
            ]
        );
    }

    #[test]
    fn rejects_bad_values_with_offsets() {
        let err = Parameters::parse("SIZE=10 BODY=9BIT", 20, 100).unwrap_err();
        assert_eq!(err.offset(), 20 + 8 + 5);
        assert_eq!(err.kind(), ErrorKind::Expected(Expected::ParameterValue));
        for bad in [
            "SIZE=x",
            "NOTIFY=NEVER,SUCCESS",
            "MT-PRIORITY=10",
            "ENVID=a+zz",
            "=x",
            "SMTPUTF8=1",
        ] {
            assert!(Parameters::parse(bad, 0, 100).is_err(), "{bad}");
        }
        let err = Parameters::parse("A B C", 0, 2).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LimitExceeded(Limit::ListLength));
    }

    #[test]
    fn xtext_round_trips() {
        let text = Xtext::encode(b"a+b=c d\xff");
        assert_eq!(text.0, "a+2Bb+3Dc+20d+FF");
        assert_eq!(text.decode().as_ref(), b"a+b=c d\xff");
    }
}
