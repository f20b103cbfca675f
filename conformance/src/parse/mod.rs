//! `groupwire parse`: decode a captured byte stream with the groupwire codecs and print each
//! message as one line of JSON.
//!
//! Output contract (stable; tests and users rely on it):
//! - one `{"offset":N,"len":N,"kind":"...","value":{...}}` line per decoded message;
//! - a bad message the decoder can step over (one that does not parse, an over-long line, a
//!   refused literal or payload) prints `{"error":"...","offset":N,"len":N}` (`len`: the
//!   bytes skipped) and decoding goes on; the run then exits 1;
//! - on a failure the decoder cannot step over, one `{"error":"...","offset":N}` line, and
//!   exit status 1;
//! - input that ends inside a message fails with `incomplete at offset N`;
//! - with `--roundtrip`, every message is re-encoded and re-decoded, and a different value
//!   is a failure;
//! - with `--peer FILE` (for `imap-client` and `smtp-client`) the other direction of the same
//!   session frames the stream as the server did: a synchronising literal the server refused
//!   (a tagged answer instead of `+`) ends its command (`refused-command`), and a DATA the
//!   server did not answer with 354 is followed by commands, not message data;
//!
//! Each protocol plugs in through [`StreamParser`]; the per-protocol adapters live in
//! [`imap`], [`smtp`] and [`dav`].

pub mod dav;
pub mod imap;
pub mod smtp;

use std::io::{self, Write};

use serde::Serialize;

use crate::exit;

/// The byte streams `groupwire parse` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Protocol {
    /// IMAP bytes a client sends (commands, literals, AUTHENTICATE data, IDLE's DONE).
    ImapClient,
    /// IMAP bytes a server sends (greeting, responses, continuation requests).
    ImapServer,
    /// SMTP bytes a client sends (commands and message data).
    SmtpClient,
    /// SMTP bytes a server sends (replies).
    SmtpServer,
    /// One WebDAV/CalDAV/CardDAV XML request body.
    DavRequest,
    /// One WebDAV/CalDAV/CardDAV XML response body.
    DavResponse,
    /// An iCalendar stream (RFC 5545).
    Ical,
    /// A vCard stream (RFC 6350 or RFC 2426).
    Vcard,
}

impl Protocol {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::ImapClient => "imap-client",
            Protocol::ImapServer => "imap-server",
            Protocol::SmtpClient => "smtp-client",
            Protocol::SmtpServer => "smtp-server",
            Protocol::DavRequest => "dav-request",
            Protocol::DavResponse => "dav-response",
            Protocol::Ical => "ical",
            Protocol::Vcard => "vcard",
        }
    }
}

/// One decoded message, ready to print.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// How many input bytes the message occupied.
    pub len: usize,
    /// What kind of message it is (`command`, `response`, `literal-data`, ...).
    pub kind: &'static str,
    /// The decoded value, as JSON.
    pub value: serde_json::Value,
}

/// What a [`StreamParser`] made of the input at the current position.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A message was decoded from the start of the input.
    Message(Message),
    /// The input ends inside a message.
    Incomplete,
    /// The input does not decode (or, with round-tripping, does not round-trip).
    Invalid {
        /// Why, in words.
        reason: String,
        /// Where, counted from the start of the input given to this step.
        offset: usize,
    },
    /// A bad message the decoder stepped over: it is reported, its `len` bytes are skipped
    /// and decoding goes on (the run still fails).
    Skip {
        /// Why, in words.
        reason: String,
        /// Where it went wrong, counted from the start of the input given to this step.
        offset: usize,
        /// How many bytes to skip (more than zero).
        len: usize,
    },
}

/// A protocol adapter for `groupwire parse`: decodes one message at a time, keeping whatever
/// protocol state later messages depend on (an IMAP server role after AUTHENTICATE, an SMTP
/// server after DATA, ...).
pub trait StreamParser {
    /// Decodes the message at the start of `input`, which is the rest of the stream. With
    /// `roundtrip`, also re-encodes the message, decodes that, and returns
    /// [`Step::Invalid`] when the value differs.
    fn next_message(&mut self, input: &[u8], roundtrip: bool) -> Step;

    /// Whether the whole input is one message (an XML body), so empty input is incomplete
    /// rather than an empty stream.
    fn single_message(&self) -> bool {
        false
    }
}

/// The adapter for `protocol`.
pub fn parser_for(protocol: Protocol) -> Box<dyn StreamParser> {
    match protocol {
        Protocol::ImapClient => imap::client(),
        Protocol::ImapServer => imap::server(),
        Protocol::SmtpClient => smtp::client(),
        Protocol::SmtpServer => smtp::server(),
        Protocol::DavRequest => dav::request(),
        Protocol::DavResponse => dav::response(),
        Protocol::Ical => dav::ical(),
        Protocol::Vcard => dav::vcard(),
    }
}

/// The adapter for `protocol`, framing its stream by `peer`, the other direction of the same
/// session (see the module docs); `Err` names a protocol that takes no peer.
pub fn parser_with_peer(
    protocol: Protocol,
    peer: &[u8],
) -> Result<Box<dyn StreamParser>, &'static str> {
    match protocol {
        Protocol::ImapClient => Ok(imap::client_with_peer(peer)),
        Protocol::SmtpClient => Ok(smtp::client_with_peer(peer)),
        _ => Err("--peer applies to imap-client and smtp-client (the server's stream as peer)"),
    }
}

/// How a `parse` run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The whole input decoded (and round-tripped when asked).
    Decoded {
        /// How many messages were printed.
        messages: usize,
    },
    /// Decoding stopped at a failure, or stepped over bad messages; each was printed.
    Failed,
}

impl Outcome {
    /// The process exit code for this outcome.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Decoded { .. } => exit::SUCCESS,
            Outcome::Failed => exit::FAILURE,
        }
    }
}

/// Decodes `input` as `protocol`, printing the JSON lines to `out`.
pub fn run(
    protocol: Protocol,
    input: &[u8],
    roundtrip: bool,
    out: &mut impl Write,
) -> io::Result<Outcome> {
    decode_all(parser_for(protocol).as_mut(), input, roundtrip, out)
}

#[derive(Serialize)]
struct MessageLine<'a> {
    offset: usize,
    len: usize,
    kind: &'a str,
    value: &'a serde_json::Value,
}

#[derive(Serialize)]
struct ErrorLine<'a> {
    error: &'a str,
    offset: usize,
}

#[derive(Serialize)]
struct SkipLine<'a> {
    error: &'a str,
    offset: usize,
    len: usize,
}

/// Drives `parser` over the whole of `input`.
pub fn decode_all(
    parser: &mut dyn StreamParser,
    input: &[u8],
    roundtrip: bool,
    out: &mut impl Write,
) -> io::Result<Outcome> {
    let mut offset = 0;
    let mut messages = 0;
    let mut skipped = false;
    while offset < input.len() || (parser.single_message() && messages == 0 && !skipped) {
        let rest = input.get(offset..).unwrap_or_default();
        match parser.next_message(rest, roundtrip) {
            Step::Message(message) if message.len > 0 || rest.is_empty() => {
                let line = MessageLine {
                    offset,
                    len: message.len,
                    kind: message.kind,
                    value: &message.value,
                };
                print_line(out, &line)?;
                messages += 1;
                offset += message.len;
                if message.len == 0 {
                    break;
                }
            }
            Step::Message(_) => {
                let error = "decoder made no progress";
                print_line(out, &ErrorLine { error, offset })?;
                return Ok(Outcome::Failed);
            }
            Step::Incomplete => {
                let error = format!("incomplete at offset {offset}");
                print_line(
                    out,
                    &ErrorLine {
                        error: &error,
                        offset,
                    },
                )?;
                return Ok(Outcome::Failed);
            }
            Step::Invalid { reason, offset: at } => {
                let line = ErrorLine {
                    error: &reason,
                    offset: offset + at,
                };
                print_line(out, &line)?;
                return Ok(Outcome::Failed);
            }
            Step::Skip {
                reason,
                offset: at,
                len,
            } => {
                let line = SkipLine {
                    error: &reason,
                    offset: offset + at,
                    len,
                };
                print_line(out, &line)?;
                skipped = true;
                if len == 0 {
                    return Ok(Outcome::Failed);
                }
                offset += len;
            }
        }
    }
    if skipped {
        return Ok(Outcome::Failed);
    }
    Ok(Outcome::Decoded { messages })
}

fn print_line(out: &mut impl Write, line: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, line)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `<digits>\n` lines; round-tripping fails on a line starting with `0`.
    struct Lines;

    impl StreamParser for Lines {
        fn next_message(&mut self, input: &[u8], roundtrip: bool) -> Step {
            let Some(end) = input.iter().position(|&b| b == b'\n') else {
                return Step::Incomplete;
            };
            let text = &input[..end];
            if text.first() == Some(&b'!') {
                return Step::Skip {
                    reason: "a bang line".into(),
                    offset: 0,
                    len: end + 1,
                };
            }
            if let Some(bad) = text.iter().position(|b| !b.is_ascii_digit()) {
                return Step::Invalid {
                    reason: "expected a digit".into(),
                    offset: bad,
                };
            }
            if roundtrip && text.first() == Some(&b'0') {
                return Step::Invalid {
                    reason: "round-trip mismatch".into(),
                    offset: 0,
                };
            }
            let value = serde_json::json!(String::from_utf8_lossy(text));
            Step::Message(Message {
                len: end + 1,
                kind: "line",
                value,
            })
        }
    }

    fn decode(input: &[u8], roundtrip: bool) -> (Outcome, String) {
        let mut out = Vec::new();
        let outcome = decode_all(&mut Lines, input, roundtrip, &mut out).unwrap();
        (outcome, String::from_utf8(out).unwrap())
    }

    #[test]
    fn prints_one_line_per_message_with_offsets() {
        let (outcome, out) = decode(b"12\n345\n", false);
        assert_eq!(outcome, Outcome::Decoded { messages: 2 });
        assert_eq!(
            out,
            "{\"offset\":0,\"len\":3,\"kind\":\"line\",\"value\":\"12\"}\n\
             {\"offset\":3,\"len\":4,\"kind\":\"line\",\"value\":\"345\"}\n"
        );
    }

    #[test]
    fn truncated_input_is_incomplete_at_the_message_start() {
        let (outcome, out) = decode(b"12\n34", false);
        assert_eq!(outcome, Outcome::Failed);
        assert!(
            out.ends_with("{\"error\":\"incomplete at offset 3\",\"offset\":3}\n"),
            "{out}"
        );
        assert_eq!(outcome.exit_code(), exit::FAILURE);
    }

    #[test]
    fn errors_carry_absolute_offsets() {
        let (outcome, out) = decode(b"12\n3x4\n", false);
        assert_eq!(outcome, Outcome::Failed);
        assert!(
            out.ends_with("{\"error\":\"expected a digit\",\"offset\":4}\n"),
            "{out}"
        );
    }

    #[test]
    fn a_skippable_message_is_reported_and_decoding_goes_on() {
        let (outcome, out) = decode(b"12\n!!\n34\n", false);
        assert_eq!(outcome, Outcome::Failed);
        assert_eq!(
            out,
            "{\"offset\":0,\"len\":3,\"kind\":\"line\",\"value\":\"12\"}\n\
             {\"error\":\"a bang line\",\"offset\":3,\"len\":3}\n\
             {\"offset\":6,\"len\":3,\"kind\":\"line\",\"value\":\"34\"}\n"
        );
        assert_eq!(outcome.exit_code(), exit::FAILURE);
    }

    #[test]
    fn roundtrip_mismatch_fails_only_when_asked() {
        assert_eq!(decode(b"01\n", false).0, Outcome::Decoded { messages: 1 });
        assert_eq!(decode(b"01\n", true).0, Outcome::Failed);
    }

    #[test]
    fn empty_stream_decodes_to_nothing() {
        assert_eq!(
            decode(b"", false),
            (Outcome::Decoded { messages: 0 }, String::new())
        );
    }
}
