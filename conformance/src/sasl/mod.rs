//! SASL mechanisms the harness speaks beyond PLAIN and LOGIN, for the security suite's
//! checks and for the reference servers (issue 12): SCRAM (RFC 5802, with SHA-256 as RFC 7677
//! defines it) and OAUTHBEARER (RFC 7628).
//!
//! Both are sans-IO: they take the server's (or client's) messages as bytes and give the next
//! message, so the same code runs over IMAP `AUTHENTICATE` and SMTP `AUTH` and in unit tests
//! against the RFCs' example exchanges. The cryptography (PBKDF2, HMAC, SHA-1/SHA-256,
//! randomness) is `ring`'s, already in the tree through rustls.

//!
//! They live in the reference crate (its servers answer with them) and are used from there.

pub use groupwire_reference::sasl::{oauthbearer, scram};
