//! The EHLO (or LHLO) reply typed in the pass that decodes it (RFC 5321 §4.1.1.1).
//!
//! [`decode_ehlo`] validates the reply as [`decode_reply`](crate::decode_reply) does and,
//! as each line is validated, types its keyword into an [`ExtensionSet`], its AUTH
//! mechanisms into a [`MechanismSet`] and its SIZE and DELIVERBY values into numbers, so a
//! client learns what the server offers without reading the reply a second time. Every
//! line stays available, typed, through [`Ehlo::capabilities`], unknown keywords included.

use crate::capability::{Capabilities, ExtensionSet, number};
use crate::reply::{Reply, ReplyScan, VisitedLine, capability_text};
use crate::{DecodeError, Decoded, Extension, Limits, MechanismSet};

/// An EHLO reply with what it offers: the reply itself, and the typed summary of its
/// capability lines (empty when the reply is not positive).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ehlo<'a> {
    reply: Reply<'a>,
    offers: Offers,
}

/// What the capability lines offer, gathered line by line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
struct Offers {
    extensions: ExtensionSet,
    size: Option<u64>,
    deliver_by: Option<u64>,
    mechanisms: MechanismSet,
}

impl Offers {
    /// Adds a capability line as [`Capabilities::iter`] types it: after the greeting,
    /// without the enhanced code when the reply has them, empty texts left out.
    #[inline(always)]
    fn add_line(&mut self, line: VisitedLine<'_>) {
        if line.index == 0 {
            return;
        }
        let text = capability_text(line.text, line.enhanced);
        if !text.is_empty() {
            self.add_text(text);
        }
    }

    /// Adds one capability line's text, typed on its bytes to what
    /// [`Capability::parse_bytes`](crate::Capability) gives (a test holds the two together):
    /// no capability value is built and dropped, and only the text a typed value keeps is
    /// checked for UTF-8.
    #[inline(always)]
    fn add_text(&mut self, text: &[u8]) {
        let (word, parameters) = match crate::chars::find_byte(text, b' ') {
            Some(at) => (
                text.get(..at).unwrap_or_default(),
                Some(text.get(at + 1..).unwrap_or_default()),
            ),
            None => (text, None),
        };
        let Some(extension) = Extension::of_keyword(word) else {
            return;
        };
        let utf8 = |text: &[u8]| text.is_ascii() || std::str::from_utf8(text).is_ok();
        let typed = match (extension, parameters) {
            (
                Extension::Size | Extension::DeliverBy | Extension::MtPriority | Extension::Burl,
                None,
            ) => true,
            (Extension::Auth | Extension::Limits | Extension::FutureRelease, None) => false,
            (_, None) => true,
            (Extension::Size, Some(value)) => match number(value) {
                Some(size) => {
                    self.size = self.size.or(Some(size));
                    true
                }
                None => false,
            },
            (Extension::DeliverBy, Some(value)) => match number(value) {
                Some(time) => {
                    self.deliver_by = self.deliver_by.or(Some(time));
                    true
                }
                None => false,
            },
            (Extension::MtPriority, Some(value)) => {
                !value.is_empty() && !value.contains(&b' ') && utf8(value)
            }
            (Extension::Burl | Extension::Limits, Some(value)) => !value.is_empty() && utf8(value),
            (Extension::Auth, Some(value)) => {
                let typed = !value.is_empty() && utf8(value);
                if typed {
                    for name in value.split(|&b| b == b' ') {
                        self.mechanisms.insert_name(name);
                    }
                }
                typed
            }
            (Extension::FutureRelease, Some(value)) => {
                match value.iter().position(|&b| b == b' ') {
                    Some(at) => {
                        let interval = value.get(..at).unwrap_or_default();
                        let datetime = value.get(at + 1..).unwrap_or_default();
                        number(interval).is_some()
                            && !datetime.is_empty()
                            && !datetime.contains(&b' ')
                            && utf8(datetime)
                    }
                    None => false,
                }
            }
            // Keywords without parameters, sent with some.
            (_, Some(_)) => false,
        };
        if typed {
            self.extensions.insert(extension);
        }
    }
}

/// Decodes the EHLO (or LHLO) reply at the start of `input`, typing its capabilities in the
/// same pass. Errors, limits and `Incomplete` are those of
/// [`decode_reply`](crate::decode_reply).
///
/// ```
/// use groupwire_smtp::{Extension, Limits, Mechanism, decode_ehlo};
///
/// let wire = b"250-mail.example.org\r\n250-SIZE 10485760\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n";
/// let (ehlo, _) = decode_ehlo(wire, &Limits::default())?.complete().unwrap();
/// assert_eq!(ehlo.domain(), b"mail.example.org");
/// assert!(ehlo.offers(Extension::StartTls) && !ehlo.offers(Extension::Chunking));
/// assert_eq!(ehlo.size_limit(), Some(10_485_760));
/// assert!(ehlo.mechanisms().contains(&Mechanism::Plain));
/// # Ok::<(), groupwire_smtp::DecodeError>(())
/// ```
#[inline]
pub fn decode_ehlo<'a>(input: &'a [u8], limits: &Limits) -> Result<Decoded<Ehlo<'a>>, DecodeError> {
    let mut offers = Offers::default();
    let decoded =
        ReplyScan::default().decode_visiting(input, limits, |line| offers.add_line(line))?;
    Ok(match decoded {
        Decoded::Complete { value, consumed } => {
            let offers = if value.code().is_positive() {
                offers
            } else {
                Offers::default()
            };
            Decoded::Complete {
                value: Ehlo {
                    reply: value,
                    offers,
                },
                consumed,
            }
        }
        Decoded::Incomplete { needed } => Decoded::Incomplete { needed },
    })
}

impl<'a> From<Reply<'a>> for Ehlo<'a> {
    /// Types the capabilities of a reply decoded by other means ([`decode_reply`],
    /// [`ReplyDecoder`](crate::ReplyDecoder), [`ClientCodec`](crate::ClientCodec)): the same
    /// summary as [`decode_ehlo`], read in a second walk of the reply.
    ///
    /// [`decode_reply`]: crate::decode_reply
    fn from(reply: Reply<'a>) -> Self {
        let mut offers = Offers::default();
        if reply.code().is_positive() {
            for line in reply.capability_lines() {
                offers.add_text(line);
            }
        }
        Ehlo { reply, offers }
    }
}

impl<'a> Ehlo<'a> {
    /// The reply as decoded.
    pub const fn reply(&self) -> &Reply<'a> {
        &self.reply
    }

    /// The reply, giving up the summary.
    pub fn into_reply(self) -> Reply<'a> {
        self.reply
    }

    /// Whether the server accepted EHLO (a 2yz reply); a refused EHLO offers nothing.
    pub const fn is_positive(&self) -> bool {
        self.reply.code().is_positive()
    }

    /// The server's domain: the first word of the greeting line.
    pub fn domain(&self) -> &[u8] {
        Capabilities::from_reply(&self.reply).domain()
    }

    /// The extensions offered: each keyword that [`Ehlo::capabilities`] types as something
    /// other than [`Capability::Other`](crate::Capability::Other).
    pub const fn extensions(&self) -> ExtensionSet {
        self.offers.extensions
    }

    /// Whether `extension` is offered.
    pub const fn offers(&self, extension: Extension) -> bool {
        self.offers.extensions.contains(extension)
    }

    /// The value of the first `SIZE` line that carries one (RFC 1870: 0 means no limit).
    pub const fn size(&self) -> Option<u64> {
        self.offers.size
    }

    /// The message size limit: [`Ehlo::size`] when it is not 0.
    pub fn size_limit(&self) -> Option<u64> {
        self.offers.size.filter(|&size| size > 0)
    }

    /// The value of the first `DELIVERBY` line that carries one (RFC 2852 min-by-time).
    pub const fn deliver_by(&self) -> Option<u64> {
        self.offers.deliver_by
    }

    /// The SASL mechanisms of every `AUTH` line.
    pub const fn mechanisms(&self) -> MechanismSet {
        self.offers.mechanisms
    }

    /// Every capability line, typed, unknown keywords included (`None` when the reply is
    /// not positive).
    pub fn capabilities(&self) -> Option<Capabilities<'_>> {
        self.reply.capabilities()
    }

    /// A `'static` copy.
    pub fn into_owned(self) -> Ehlo<'static> {
        Ehlo {
            reply: self.reply.into_owned(),
            offers: self.offers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Capability, LineEndings, Mechanism, decode_reply};

    /// The summary decoding builds line by line, built again from the lazy capability
    /// iterator of the same reply.
    fn offers_of_iterator(reply: &Reply<'_>) -> Offers {
        let mut offers = Offers::default();
        if let Some(capabilities) = reply.capabilities() {
            for capability in capabilities.iter() {
                if let Some(extension) = capability.extension() {
                    offers.extensions.insert(extension);
                }
                match capability {
                    Capability::Size(Some(size)) => offers.size = offers.size.or(Some(size)),
                    Capability::DeliverBy(Some(time)) => {
                        offers.deliver_by = offers.deliver_by.or(Some(time));
                    }
                    Capability::Auth(list) => {
                        for mechanism in list.iter() {
                            offers.mechanisms.insert(&mechanism);
                        }
                    }
                    _ => {}
                }
            }
        }
        offers
    }

    fn decode_both(wire: &[u8], limits: &Limits) -> (Ehlo<'static>, Offers) {
        let (ehlo, consumed) = decode_ehlo(wire, limits).unwrap().complete().unwrap();
        let (reply, reply_consumed) = decode_reply(wire, limits).unwrap().complete().unwrap();
        assert_eq!(consumed, reply_consumed);
        assert_eq!(ehlo.reply(), &reply);
        let offers = offers_of_iterator(&reply);
        assert_eq!(Ehlo::from(reply), ehlo);
        (ehlo.into_owned(), offers)
    }

    #[test]
    fn types_a_postfix_ehlo_reply() {
        // Recorded from Postfix 3.7 (benches/corpora/real/smtp-real-ehlo.txt).
        let wire = b"250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN SCRAM-SHA-256\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n";
        let (ehlo, _) = decode_both(wire, &Limits::default());
        assert_eq!(ehlo.domain(), b"mail.example.test");
        assert_eq!(
            ehlo.extensions().iter().collect::<Vec<_>>(),
            vec![
                Extension::Size,
                Extension::EightBitMime,
                Extension::Pipelining,
                Extension::Chunking,
                Extension::Dsn,
                Extension::EnhancedStatusCodes,
                Extension::SmtpUtf8,
                Extension::StartTls,
                Extension::Auth,
                Extension::Etrn,
            ]
        );
        // VRFY is not an extension this crate types; it is still a capability line.
        assert!(ehlo.capabilities().unwrap().iter().any(|c| c
            == Capability::Other {
                keyword: "VRFY".into(),
                parameters: None
            }));
        assert_eq!(
            (ehlo.size(), ehlo.size_limit()),
            (Some(10_485_760), Some(10_485_760))
        );
        assert_eq!(
            ehlo.mechanisms().iter().collect::<Vec<_>>(),
            vec![Mechanism::Plain, Mechanism::Login, Mechanism::ScramSha256]
        );
        assert!(!ehlo.mechanisms().has_other());
    }

    #[test]
    fn first_values_win_and_auth_lines_add_up() {
        let wire = b"250-mx Hello\r\n250-SIZE 0\r\n250-SIZE 100\r\n250-DELIVERBY 240\r\n250-AUTH plain X-CUSTOM\r\n250-AUTH=LOGIN\r\n250 AUTH xoauth2\r\n";
        let (ehlo, _) = decode_both(wire, &Limits::default());
        assert_eq!((ehlo.size(), ehlo.size_limit()), (Some(0), None));
        assert_eq!(ehlo.deliver_by(), Some(240));
        let mechanisms = ehlo.mechanisms();
        assert!(mechanisms.contains(&Mechanism::Plain) && mechanisms.contains(&Mechanism::XOAuth2));
        // `AUTH=LOGIN` is the pre-standard form: a keyword of its own, not AUTH.
        assert!(!mechanisms.contains(&Mechanism::Login));
        assert!(mechanisms.has_other());
    }

    #[test]
    fn a_refused_ehlo_offers_nothing() {
        let (ehlo, _) = decode_both(
            b"502-5.5.1 no\r\n502 5.5.1 STARTTLS\r\n",
            &Limits::default(),
        );
        assert!(!ehlo.is_positive());
        assert!(ehlo.extensions().is_empty() && ehlo.mechanisms().is_empty());
        assert_eq!(ehlo.capabilities().map(|c| c.iter().count()), None);
    }

    #[test]
    fn errors_and_incomplete_input_are_those_of_decode_reply() {
        let limits = Limits::default();
        for wire in [
            &b"250-a\r\n251 b\r\n"[..],
            b"250-a\r\n250-SIZE 1\r",
            b"250_a\r\n",
            b"250-a\r\n250-b\rc\r\n250 d\r\n",
        ] {
            let ehlo = decode_ehlo(wire, &limits).map(|d| d.map(|e| e.into_reply()));
            assert_eq!(ehlo, decode_reply(wire, &limits), "{wire:?}");
        }
    }

    /// The one-pass summary equals the one the capability iterator gives, for replies with
    /// enhanced codes, empty lines, bare LFs (lenient), keywords in every case and every
    /// typed keyword with good and bad parameters, and for each of them with one byte
    /// changed at every position.
    #[test]
    fn one_pass_summary_agrees_with_the_capability_iterator() {
        let replies: [&[u8]; 5] = [
            b"250-mx.example.org Hi\r\n250-SIZE 35882577\r\n250-8bitmime\r\n250-AUTH PLAIN LOGIN XOAUTH2 bad!name\r\n250-LIMITS RCPTMAX=100\r\n250-FUTURERELEASE 604800 2026-12-01T00:00:00Z\r\n250 CHUNKING\r\n",
            b"250-mx\r\n250-2.0.0 PIPELINING\r\n250-2.0.0\r\n250 2.0.0 DSN\r\n",
            b"250-mx\n250-SIZE x\n250-DELIVERBY 12\n250-MT-PRIORITY MIXER\n250 BURL imap\n",
            b"250-mx\r\n250-ATRN\r\n250-ETRN\r\n250-RRVS\r\n250-REQUIRETLS\r\n250-BINARYMIME\r\n250-SMTPUTF8\r\n250 STARTTLS\r\n",
            b"250 mx.example.org\r\n",
        ];
        let lenient = Limits::default().with_line_endings(LineEndings::Lenient);
        let mut compared = 0;
        for wire in replies
            .iter()
            .map(|r| r.to_vec())
            .chain(crate::chars::single_byte_changes(&replies))
        {
            let Ok(Decoded::Complete { value: reply, .. }) = decode_reply(&wire, &lenient) else {
                continue;
            };
            let (ehlo, _) = decode_ehlo(&wire, &lenient).unwrap().complete().unwrap();
            let text = String::from_utf8_lossy(&wire);
            assert_eq!(ehlo.offers, offers_of_iterator(&reply), "{text:?}");
            assert_eq!(Ehlo::from(reply).offers, ehlo.offers, "{text:?}");
            compared += 1;
        }
        assert!(compared > 1000, "{compared}");
    }
}
