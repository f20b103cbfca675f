//! TLS protocol-version probe: a hand-built ClientHello, a small decoder for the server's
//! first flight, and an async probe over TCP (optionally after IMAP or SMTP STARTTLS).
//!
//! rustls cannot speak SSL 3.0, TLS 1.0 or TLS 1.1, so a harness that must show a server
//! *refuses* them cannot use it to ask. This module builds the ClientHello bytes itself
//! ([`ClientHelloBuilder`]: RFC 8446 §4.1.2, RFC 5246 §7.4.1.2, RFC 4346 §7.4.1.2,
//! RFC 2246 §7.4.1.2, RFC 6101 §5.6.1.2), sends them, and decodes only as much of the answer
//! as a verdict needs ([`decode_first_flight`]: the TLS record header, the ServerHello with
//! its `legacy_version` and, for TLS 1.3, its `supported_versions` extension, or an Alert).
//! No key exchange is ever completed: the probe hangs up after the server's first answer.
//!
//! The result is a [`ProbeOutcome`] (accepted with version and cipher suite, alert, closed,
//! not TLS, timeout, malformed) plus the exact bytes sent and received as evidence
//! ([`ProbeReport`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), groupwire_conformance::tls_probe::ProbeError> {
//! use groupwire_conformance::tls_probe::{probe, ClientHelloBuilder, ProbeOptions, StartTls, TlsVersion};
//! let hello = ClientHelloBuilder::new(TlsVersion::Tls1_0).server_name("localhost").build();
//! let options = ProbeOptions { starttls: StartTls::Imap, ..ProbeOptions::default() };
//! let report = probe("127.0.0.1:143".parse().unwrap(), &hello, &options).await?;
//! println!("{} (sent {}, received {})", report.outcome, report.sent_hex(), report.received_hex());
//! # Ok(()) }
//! ```

pub mod answer;
pub mod ciphers;
pub mod hello;
pub mod probe;
pub mod server;

pub use answer::{
    AlertDescription, AlertLevel, DecodeError, DecodeErrorKind, Decoded, MAX_FIRST_FLIGHT,
    MAX_HANDSHAKE_LENGTH, MAX_RECORD_LENGTH, ServerAnswer, ServerHello, ServerHelloExtension,
    decode_first_flight,
};
pub use hello::{ClientHelloBuilder, cipher_suite_name, default_cipher_suites};
pub use probe::{
    ProbeError, ProbeOptions, ProbeOutcome, ProbeReport, StartTls, probe, probe_stream, to_hex,
};

/// A protocol version as it appears on the wire (`ProtocolVersion` in RFC 5246 §6.2.1 and
/// RFC 8446 §4.1.2): major byte then minor byte. SSL 3.0 is 0x0300, TLS 1.0 0x0301,
/// TLS 1.1 0x0302, TLS 1.2 0x0303, TLS 1.3 0x0304; any other value is kept as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProtocolVersion(pub u16);

impl ProtocolVersion {
    /// The version this wire value names, when it is one of the five the probe knows.
    pub fn known(self) -> Option<TlsVersion> {
        TlsVersion::ALL.into_iter().find(|v| v.wire() == self)
    }
}

impl std::fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.known() {
            Some(version) => write!(f, "{version} (0x{:04x})", self.0),
            None => write!(f, "unknown version 0x{:04x}", self.0),
        }
    }
}

/// The protocol versions the probe can offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlsVersion {
    /// SSL 3.0 (RFC 6101), wire 0x0300.
    Ssl3_0,
    /// TLS 1.0 (RFC 2246), wire 0x0301.
    Tls1_0,
    /// TLS 1.1 (RFC 4346), wire 0x0302.
    Tls1_1,
    /// TLS 1.2 (RFC 5246), wire 0x0303.
    Tls1_2,
    /// TLS 1.3 (RFC 8446), wire 0x0304 (offered in `supported_versions` only).
    Tls1_3,
}

impl TlsVersion {
    /// Every version, oldest first.
    pub const ALL: [TlsVersion; 5] = [
        TlsVersion::Ssl3_0,
        TlsVersion::Tls1_0,
        TlsVersion::Tls1_1,
        TlsVersion::Tls1_2,
        TlsVersion::Tls1_3,
    ];

    /// The wire value.
    pub fn wire(self) -> ProtocolVersion {
        ProtocolVersion(match self {
            TlsVersion::Ssl3_0 => 0x0300,
            TlsVersion::Tls1_0 => 0x0301,
            TlsVersion::Tls1_1 => 0x0302,
            TlsVersion::Tls1_2 => 0x0303,
            TlsVersion::Tls1_3 => 0x0304,
        })
    }

    /// The usual name, e.g. `TLS 1.2`.
    pub fn name(self) -> &'static str {
        match self {
            TlsVersion::Ssl3_0 => "SSL 3.0",
            TlsVersion::Tls1_0 => "TLS 1.0",
            TlsVersion::Tls1_1 => "TLS 1.1",
            TlsVersion::Tls1_2 => "TLS 1.2",
            TlsVersion::Tls1_3 => "TLS 1.3",
        }
    }
}

impl std::fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
