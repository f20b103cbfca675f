//! SMTP AUTH (RFC 4954): SASL mechanism names, the client's continuation lines, and the
//! payload framing of the common mechanisms (PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER).
//!
//! The SASL computations themselves (HMAC, SCRAM proofs) belong to a SASL library; this
//! module frames and unframes what travels in the SMTP lines.

use std::borrow::Cow;
use std::io;

use crate::line::find_line;
use crate::{DecodeError, Decoded, ErrorKind, Expected, Limit, Limits};

/// A SASL mechanism name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Mechanism<'a> {
    /// `PLAIN` (RFC 4616).
    Plain,
    /// `LOGIN` (draft-murchison-sasl-login).
    Login,
    /// `CRAM-MD5` (RFC 2195).
    CramMd5,
    /// `SCRAM-SHA-1` (RFC 5802).
    ScramSha1,
    /// `SCRAM-SHA-256` (RFC 7677).
    ScramSha256,
    /// `XOAUTH2` (Google's OAuth 2.0 framing).
    XOAuth2,
    /// `OAUTHBEARER` (RFC 7628).
    OAuthBearer,
    /// Any other mechanism name, as sent.
    Other(Cow<'a, str>),
}

impl<'a> Mechanism<'a> {
    /// Parses a mechanism name (upper-case letters, digits, `-`, `_`, up to 20 characters by
    /// RFC 4422; lower case accepted as mechanism names are case-insensitive in practice).
    pub fn parse(name: &'a str) -> Option<Self> {
        if !Self::is_valid_name(name.as_bytes()) {
            return None;
        }
        Some(Self::known(name.as_bytes()).unwrap_or(Mechanism::Other(Cow::Borrowed(name))))
    }

    /// Whether `name` has the shape of a mechanism name (see [`Mechanism::parse`]).
    #[inline]
    fn is_valid_name(name: &[u8]) -> bool {
        !name.is_empty()
            && name.len() <= 20
            && name
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    /// The named mechanism `name` is, in any case: its length leaves at most two candidates.
    #[inline]
    fn known(name: &[u8]) -> Option<Mechanism<'static>> {
        use crate::chars::same;
        let pick = |hit: bool, mechanism| hit.then_some(mechanism);
        match name.len() {
            5 if same(name, b"PLAIN") => Some(Mechanism::Plain),
            5 => pick(same(name, b"LOGIN"), Mechanism::Login),
            7 => pick(same(name, b"XOAUTH2"), Mechanism::XOAuth2),
            8 => pick(same(name, b"CRAM-MD5"), Mechanism::CramMd5),
            11 if same(name, b"SCRAM-SHA-1") => Some(Mechanism::ScramSha1),
            11 => pick(same(name, b"OAUTHBEARER"), Mechanism::OAuthBearer),
            13 => pick(same(name, b"SCRAM-SHA-256"), Mechanism::ScramSha256),
            _ => None,
        }
    }

    /// The mechanism name.
    pub fn as_str(&self) -> &str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::CramMd5 => "CRAM-MD5",
            Mechanism::ScramSha1 => "SCRAM-SHA-1",
            Mechanism::ScramSha256 => "SCRAM-SHA-256",
            Mechanism::XOAuth2 => "XOAUTH2",
            Mechanism::OAuthBearer => "OAUTHBEARER",
            Mechanism::Other(name) => name,
        }
    }

    /// How many client continuation lines follow AUTH in a successful exchange, when the
    /// mechanism fixes it: `with_initial_response` tells whether AUTH carried one.
    pub fn client_responses(&self, with_initial_response: bool) -> Option<usize> {
        let total = match self {
            Mechanism::Plain | Mechanism::XOAuth2 | Mechanism::OAuthBearer | Mechanism::CramMd5 => {
                1
            }
            Mechanism::Login => 2,
            // client-first, client-final, and the empty reply to the server-final 334.
            Mechanism::ScramSha1 | Mechanism::ScramSha256 => 3,
            Mechanism::Other(_) => return None,
        };
        let sent = usize::from(with_initial_response && !matches!(self, Mechanism::CramMd5));
        Some(total - sent)
    }

    /// A `'static` copy.
    pub fn into_owned(self) -> Mechanism<'static> {
        match self {
            Mechanism::Plain => Mechanism::Plain,
            Mechanism::Login => Mechanism::Login,
            Mechanism::CramMd5 => Mechanism::CramMd5,
            Mechanism::ScramSha1 => Mechanism::ScramSha1,
            Mechanism::ScramSha256 => Mechanism::ScramSha256,
            Mechanism::XOAuth2 => Mechanism::XOAuth2,
            Mechanism::OAuthBearer => Mechanism::OAuthBearer,
            Mechanism::Other(name) => Mechanism::Other(Cow::Owned(name.into_owned())),
        }
    }
}

/// A set of SASL mechanisms: each one this crate names (every [`Mechanism`] but
/// [`Mechanism::Other`]) by one bit, and whether any other name was added. What an EHLO
/// reply's AUTH lines offer, as [`Ehlo::mechanisms`](crate::Ehlo::mechanisms) gives it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MechanismSet {
    named: u8,
    other: bool,
}

impl MechanismSet {
    /// No mechanism.
    pub const EMPTY: MechanismSet = MechanismSet {
        named: 0,
        other: false,
    };

    /// The named mechanisms, in the order of their bits.
    const NAMED: [Mechanism<'static>; 7] = [
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::CramMd5,
        Mechanism::ScramSha1,
        Mechanism::ScramSha256,
        Mechanism::XOAuth2,
        Mechanism::OAuthBearer,
    ];

    fn bit(mechanism: &Mechanism<'_>) -> Option<u8> {
        let index = match mechanism {
            Mechanism::Plain => 0,
            Mechanism::Login => 1,
            Mechanism::CramMd5 => 2,
            Mechanism::ScramSha1 => 3,
            Mechanism::ScramSha256 => 4,
            Mechanism::XOAuth2 => 5,
            Mechanism::OAuthBearer => 6,
            Mechanism::Other(_) => return None,
        };
        Some(1 << index)
    }

    /// Adds `mechanism`; an [`Mechanism::Other`] only sets [`MechanismSet::has_other`].
    pub fn insert(&mut self, mechanism: &Mechanism<'_>) {
        match Self::bit(mechanism) {
            Some(bit) => self.named |= bit,
            None => self.other = true,
        }
    }

    /// Adds the mechanism `name` as [`Mechanism::parse`] reads it, without building a
    /// [`Mechanism`]: an invalid name is skipped.
    #[inline]
    pub(crate) fn insert_name(&mut self, name: &[u8]) {
        if !Mechanism::is_valid_name(name) {
            return;
        }
        match Mechanism::known(name) {
            Some(named) => self.insert(&named),
            None => self.other = true,
        }
    }

    /// Whether the named `mechanism` is in the set. Always false for [`Mechanism::Other`],
    /// whose names the set does not keep (see [`MechanismSet::has_other`]).
    pub fn contains(&self, mechanism: &Mechanism<'_>) -> bool {
        Self::bit(mechanism).is_some_and(|bit| self.named & bit != 0)
    }

    /// Whether a mechanism this crate does not name was added.
    pub const fn has_other(&self) -> bool {
        self.other
    }

    /// Whether nothing was added.
    pub const fn is_empty(&self) -> bool {
        self.named == 0 && !self.other
    }

    /// The named mechanisms in the set, in declaration order of [`Mechanism`].
    pub fn iter(&self) -> impl Iterator<Item = Mechanism<'static>> + '_ {
        Self::NAMED
            .into_iter()
            .filter(|mechanism| self.contains(mechanism))
    }
}

impl<'m> FromIterator<Mechanism<'m>> for MechanismSet {
    fn from_iter<I: IntoIterator<Item = Mechanism<'m>>>(iter: I) -> Self {
        let mut set = MechanismSet::EMPTY;
        for mechanism in iter {
            set.insert(&mechanism);
        }
        set
    }
}

impl std::fmt::Debug for MechanismSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut set = f.debug_set();
        set.entries(self.iter().map(|mechanism| mechanism.as_str().to_owned()));
        if self.other {
            set.entry(&"(other)");
        }
        set.finish()
    }
}

/// A base64 SASL payload as sent: AUTH's initial response, a client continuation line or the
/// text of a 334 challenge. `=` stands for an empty payload (RFC 4954 §4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SaslPayload<'a>(pub Cow<'a, str>);

impl SaslPayload<'_> {
    /// Encodes `octets` (`=` when empty).
    pub fn encode(octets: &[u8]) -> SaslPayload<'static> {
        if octets.is_empty() {
            return SaslPayload(Cow::Borrowed("="));
        }
        SaslPayload(Cow::Owned(base64_encode(octets)))
    }

    /// The payload's octets, or `None` when it is not valid base64.
    pub fn decode(&self) -> Option<Vec<u8>> {
        if self.0 == "=" {
            return Some(Vec::new());
        }
        base64_decode(self.0.as_bytes())
    }

    /// Whether the text is `=` or well-formed base64.
    pub fn is_valid(&self) -> bool {
        self.0 == "=" || is_base64(self.0.as_bytes())
    }

    /// A `'static` copy.
    pub fn into_owned(self) -> SaslPayload<'static> {
        SaslPayload(Cow::Owned(self.0.into_owned()))
    }
}

/// A line the client sends after a 334 challenge.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum AuthResponse<'a> {
    /// Base64 data.
    Data(SaslPayload<'a>),
    /// `*`: the client cancels the exchange (the server answers 501).
    Cancel,
}

impl AuthResponse<'_> {
    /// A `'static` copy.
    pub fn into_owned(self) -> AuthResponse<'static> {
        match self {
            AuthResponse::Data(data) => AuthResponse::Data(data.into_owned()),
            AuthResponse::Cancel => AuthResponse::Cancel,
        }
    }
}

impl crate::Encode for AuthResponse<'_> {
    fn write_to<W: io::Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        match self {
            AuthResponse::Data(data) => out.write_all(data.0.as_bytes())?,
            AuthResponse::Cancel => out.write_all(b"*")?,
        }
        out.write_all(b"\r\n")
    }
}

/// Decodes one AUTH continuation line (base64 or `*`, RFC 4954 §4).
pub fn decode_auth_response<'a>(
    input: &'a [u8],
    limits: &Limits,
) -> Result<Decoded<AuthResponse<'a>>, DecodeError> {
    decode_auth_response_from(input, 0, limits)
}

pub(crate) fn decode_auth_response_from<'a>(
    input: &'a [u8],
    scan_from: usize,
    limits: &Limits,
) -> Result<Decoded<AuthResponse<'a>>, DecodeError> {
    let Some(end) = find_line(
        input,
        scan_from,
        limits.max_auth_line_length,
        Limit::AuthLineLength,
        limits.line_endings,
    )?
    else {
        return Ok(Decoded::Incomplete { needed: None });
    };
    let line = input.get(..end.content).unwrap_or_default();
    Ok(Decoded::Complete {
        value: parse_auth_response(line)?,
        consumed: end.consumed,
    })
}

pub(crate) fn parse_auth_response(line: &[u8]) -> Result<AuthResponse<'_>, DecodeError> {
    if line == b"*" {
        return Ok(AuthResponse::Cancel);
    }
    // An empty line is what clients send for an empty response in practice (RFC 4954 asks
    // for `=` in the initial response only).
    if !line.is_empty() && line != b"=" && !is_base64(line) {
        let at = line
            .iter()
            .position(|&b| !is_base64_char(b) && b != b'=')
            .unwrap_or(0);
        return Err(DecodeError::new(at, ErrorKind::Expected(Expected::Base64)));
    }
    let text = std::str::from_utf8(line)
        .map_err(|_| DecodeError::new(0, ErrorKind::Expected(Expected::Base64)))?;
    Ok(AuthResponse::Data(SaslPayload(Cow::Borrowed(text))))
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const fn is_base64_char(b: u8) -> bool {
    // Non-short-circuit operators: every test is a compare, none a branch.
    let letter = (b | 0x20).wrapping_sub(b'a') < 26;
    let digit = b.wrapping_sub(b'0') < 10;
    letter | digit | (b == b'+') | (b == b'/')
}

/// Whether `text` is padded base64 (length a multiple of 4, `=` only at the end).
pub(crate) fn is_base64(text: &[u8]) -> bool {
    if text.is_empty() || !text.len().is_multiple_of(4) {
        return false;
    }
    let body = text
        .strip_suffix(b"==")
        .or_else(|| text.strip_suffix(b"="))
        .unwrap_or(text);
    // Branch-free, so the compiler vectorises it: SASL payloads run to kilobytes.
    body.iter().fold(true, |ok, &b| ok & is_base64_char(b))
}

/// Standard padded base64.
pub fn base64_encode(octets: &[u8]) -> String {
    let mut out = String::with_capacity(octets.len().div_ceil(3) * 4);
    for chunk in octets.chunks(3) {
        let b0 = chunk.first().copied().unwrap_or(0);
        let b1 = chunk.get(1).copied().unwrap_or(0);
        let b2 = chunk.get(2).copied().unwrap_or(0);
        let n = u32::from(b0) << 16 | u32::from(b1) << 8 | u32::from(b2);
        let sextets = [n >> 18, n >> 12, n >> 6, n];
        for (index, sextet) in sextets.into_iter().enumerate() {
            if index <= chunk.len() {
                let c = ALPHABET
                    .get((sextet & 63) as usize)
                    .copied()
                    .unwrap_or(b'A');
                out.push(char::from(c));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard padded base64; `None` when malformed.
pub fn base64_decode(text: &[u8]) -> Option<Vec<u8>> {
    if !is_base64(text) {
        return None;
    }
    let value = |b: u8| -> u32 {
        match b {
            b'A'..=b'Z' => u32::from(b - b'A'),
            b'a'..=b'z' => u32::from(b - b'a') + 26,
            b'0'..=b'9' => u32::from(b - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => 0,
        }
    };
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    for quad in text.chunks(4) {
        let pad = quad.iter().filter(|&&b| b == b'=').count();
        let n = quad.iter().fold(0u32, |n, &b| n << 6 | value(b));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend(bytes.iter().take(3 - pad));
    }
    Some(out)
}

/// SASL PLAIN (RFC 4616): `authzid NUL authcid NUL passwd`.
pub fn plain_message(authzid: &str, authcid: &str, password: &str) -> Vec<u8> {
    [
        authzid.as_bytes(),
        b"\0",
        authcid.as_bytes(),
        b"\0",
        password.as_bytes(),
    ]
    .concat()
}

/// Splits a SASL PLAIN message into `(authzid, authcid, passwd)`.
pub fn parse_plain_message(message: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let mut parts = message.splitn(3, |&b| b == 0);
    let authzid = parts.next()?;
    let authcid = parts.next()?;
    let password = parts.next()?;
    (!authcid.is_empty() && !password.contains(&0)).then_some((authzid, authcid, password))
}

/// XOAUTH2: `user=USER ^A auth=Bearer TOKEN ^A ^A`.
pub fn xoauth2_message(user: &str, token: &str) -> Vec<u8> {
    format!("user={user}\x01auth=Bearer {token}\x01\x01").into_bytes()
}

/// OAUTHBEARER (RFC 7628 §3.1): `n,a=USER, ^A auth=Bearer TOKEN ^A ^A` (GS2 header without
/// channel binding).
pub fn oauthbearer_message(user: &str, token: &str) -> Vec<u8> {
    format!("n,a={user},\x01auth=Bearer {token}\x01\x01").into_bytes()
}

/// CRAM-MD5 response (RFC 2195): `user SP hex-digest`, the digest computed by the caller.
pub fn cram_md5_response(user: &str, hex_digest: &str) -> Vec<u8> {
    format!("{user} {hex_digest}").into_bytes()
}

/// Splits a CRAM-MD5 response into user and hex digest.
pub fn parse_cram_md5_response(response: &[u8]) -> Option<(&[u8], &[u8])> {
    let space = response.iter().rposition(|&b| b == b' ')?;
    let user = response.get(..space)?;
    let digest = response.get(space + 1..)?;
    (!user.is_empty() && digest.len() == 32 && digest.iter().all(u8::is_ascii_hexdigit))
        .then_some((user, digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_alphabet_is_exactly_rfc_4648() {
        for b in 0..=255u8 {
            let expected = b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
            assert_eq!(is_base64_char(b), expected, "{b}");
        }
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_encode(plain.as_bytes()), encoded);
            if !encoded.is_empty() {
                assert_eq!(base64_decode(encoded.as_bytes()).unwrap(), plain.as_bytes());
            }
        }
        assert_eq!(base64_decode(b"Zm9=v"), None);
    }

    #[test]
    fn plain_message_from_rfc4954_example() {
        // RFC 4954 §9: "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=" is "test\0test\01234".
        let payload = SaslPayload("dGVzdAB0ZXN0ADEyMzQ=".into());
        let message = payload.decode().unwrap();
        assert_eq!(
            parse_plain_message(&message),
            Some((&b"test"[..], &b"test"[..], &b"1234"[..]))
        );
        assert_eq!(
            SaslPayload::encode(&plain_message("test", "test", "1234")),
            payload
        );
    }

    #[test]
    fn continuation_lines() {
        let limits = Limits::default();
        let (value, used) = decode_auth_response(b"*\r\n", &limits)
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!((value, used), (AuthResponse::Cancel, 3));
        assert!(decode_auth_response(b"no way\r\n", &limits).is_err());
        assert!(
            !decode_auth_response(b"dGVz", &limits)
                .unwrap()
                .is_complete()
        );
    }

    #[test]
    fn mechanism_names() {
        assert_eq!(Mechanism::parse("cram-md5"), Some(Mechanism::CramMd5));
        assert_eq!(
            Mechanism::parse("GSSAPI"),
            Some(Mechanism::Other("GSSAPI".into()))
        );
        assert_eq!(Mechanism::parse("BAD NAME"), None);
        assert_eq!(Mechanism::Login.client_responses(false), Some(2));
        assert_eq!(Mechanism::Plain.client_responses(true), Some(0));
    }
}
