//! # groupwire-conformance
//!
//! The library behind the `groupwire` command: the conformance harness that drives real
//! groupware servers over the network and certifies their interoperability, and the tools
//! around it (`groupwire parse` decodes captured protocol bytes with the groupwire codecs).
//!
//! Data flows one way: bytes from the network are framed and decoded by the protocol crates
//! (`groupwire-imap`, `groupwire-smtp`, `groupwire-dav`) into typed values; checks judge those
//! values against RFC requirements; verdicts are gathered into reports.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cli;
pub mod demo;
pub mod dns;
pub mod engine;
pub mod exit;
pub mod load;
pub mod manual;
pub mod matrix;
pub mod parse;
pub mod preflight;
pub mod profile;
pub mod proxy;
/// The embedded reference servers: the `groupwire-reference` crate.
pub use groupwire_reference as reference;
pub mod reference_target;
pub mod report;
pub mod run;
pub mod sasl;
pub mod selftest;
pub mod shutdown;
pub mod suites;
pub mod target;
pub mod tls_probe;
pub mod waiver;
