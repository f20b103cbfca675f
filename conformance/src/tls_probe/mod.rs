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
pub mod hello;
pub mod probe;

pub use answer::{
    AlertLevel, DecodeError, DecodeErrorKind, Decoded, MAX_FIRST_FLIGHT, MAX_HANDSHAKE_LENGTH,
    MAX_RECORD_LENGTH, ServerAnswer, ServerHello, ServerHelloExtension, decode_first_flight,
};
pub use hello::{ClientHelloBuilder, default_cipher_suites};
pub use probe::{
    ProbeError, ProbeOptions, ProbeOutcome, ProbeReport, StartTls, probe, probe_stream, to_hex,
};

// The pieces the reference servers' TLS faults share with the probe live in the reference
// crate (it must not depend on the harness); the probe uses them from there.
pub use groupwire_reference::tls_wire::{
    AlertDescription, ProtocolVersion, TlsVersion, cipher_suite_name, ciphers, server,
};

#[cfg(test)]
mod server_tests;
