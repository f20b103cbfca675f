//! The security-posture suite (issue 12): what every TLS service of the target offers, judged
//! against RFC 7525 (BCP 195, TLS recommendations) and RFC 8314 (TLS for mail submission and
//! access), the way internet.nl judges a mail domain, but for the client-facing services:
//! IMAP (STARTTLS and 993), submission (STARTTLS and 465) and HTTPS (autoconfig, DAV).
//!
//! - [`versions`]: SSL 3.0, TLS 1.0 and TLS 1.1 refused, TLS 1.2 or newer spoken. rustls cannot
//!   offer the old versions, so each is probed with a hand-built ClientHello
//!   ([`crate::tls_probe`]), after the protocol's STARTTLS where there is one; the evidence is
//!   the hello sent and the server's answer, in hex.
//! - [`ciphers`]: TLS 1.2 suites offered one class at a time (NULL, export, RC4, 3DES, static
//!   RSA refused; forward-secret and AEAD suites accepted). The accepted set is what Mozilla's
//!   "intermediate" server profile allows.
//! - [`certificates`]: the chain each service presents (trusted, names the host, in its
//!   validity period and not about to leave it, key size, signature hash).
//! - [`implicit`]: implicit TLS (RFC 8314) offered for IMAP and submission.
//!
//! STARTTLS safety (plaintext injection, STARTTLS offered, no login before TLS) is judged by the
//! IMAP and SMTP suites (`imap.starttls.*`, `smtp.starttls.*`, `imap.login.refused-before-tls`,
//! `smtp.auth.not-before-tls`, ...); the `security` profile includes them.

pub mod certificates;
pub mod ciphers;
pub mod implicit;
pub mod services;
pub mod versions;

use crate::engine::Suite;

const PROFILES: &[&str] = &["security"];

/// The security-posture suite.
pub static SUITE: Suite = Suite {
    protocol: crate::engine::Protocol::Security,
    probe: None,
    cleanup: None,
    checks: CHECKS,
};

static CHECKS: &[crate::engine::Check] = &[
    check!("security.tls.ssl3-refused", Security, "Every TLS service refuses SSL 3.0", 7525, "3.1.1", Must, Deployment,
        "Implementations MUST NOT negotiate SSL version 3.",
        needs [], faults ["tls-accepts-ssl3", "tls-legacy-only"], accounts 0, versions::ssl3_refused),
    check!("security.tls.tls10-refused", Security, "Every TLS service refuses TLS 1.0 (RFC 8996 has since forbidden it outright)", 8314, "4.1", Should, Deployment,
        "As soon as practicable, MSPs currently supporting Secure Sockets Layer (SSL) 2.x, SSL 3.0, or TLS 1.0 SHOULD transition their users to TLS 1.1 or later and discontinue support for those earlier versions of SSL and TLS.",
        needs [], faults ["tls-accepts-tls10", "tls-legacy-only"], accounts 0, versions::tls10_refused),
    check!("security.tls.tls11-refused", Security, "Every TLS service refuses TLS 1.1 (RFC 8996 has since forbidden it outright)", 7525, "3.1.1", Should, Deployment,
        "Implementations SHOULD NOT negotiate TLS version 1.1 [RFC4346];",
        needs [], faults ["tls-accepts-tls11", "tls-legacy-only"], accounts 0, versions::tls11_refused),
    check!("security.tls.tls12-supported", Security, "Every TLS service speaks TLS 1.2 or TLS 1.3", 8314, "4.1", Must, Deployment,
        "Mail Access Servers and Mail Submission Servers MUST support TLS 1.2 or later.",
        needs [], faults ["tls-legacy-only"], accounts 0, versions::modern_supported),
    check!("security.tls.cipher-null-refused", Security, "No TLS service accepts a NULL-encryption cipher suite", 7525, "4.1", Must, Deployment,
        "Implementations MUST NOT negotiate the cipher suites with NULL encryption.",
        needs [], faults ["tls-weak-ciphers"], accounts 0, ciphers::null_refused),
    check!("security.tls.cipher-export-refused", Security, "No TLS service accepts an export-grade or DES cipher suite", 7525, "4.1", Must, Deployment,
        "Implementations MUST NOT negotiate cipher suites offering less than 112 bits of security, including so-called \"export-level\" encryption (which provide 40 or 56 bits of security).",
        needs [], faults ["tls-weak-ciphers"], accounts 0, ciphers::export_refused),
    check!("security.tls.cipher-rc4-refused", Security, "No TLS service accepts an RC4 cipher suite", 7525, "4.1", Must, Deployment,
        "Implementations MUST NOT negotiate RC4 cipher suites.",
        needs [], faults ["tls-weak-ciphers"], accounts 0, ciphers::rc4_refused),
    check!("security.tls.cipher-3des-refused", Security, "No TLS service accepts a 3DES cipher suite (112-bit security)", 7525, "4.1", Should, Deployment,
        "Implementations SHOULD NOT negotiate cipher suites that use algorithms offering less than 128 bits of security.",
        needs [], faults ["tls-weak-ciphers"], accounts 0, ciphers::triple_des_refused),
    check!("security.tls.cipher-static-rsa-refused", Security, "No TLS service accepts a static-RSA (no forward secrecy) cipher suite", 7525, "4.1", Should, Deployment,
        "Implementations SHOULD NOT negotiate cipher suites based on RSA key transport, a.k.a. \"static RSA\".",
        needs [], faults ["tls-weak-ciphers"], accounts 0, ciphers::static_rsa_refused),
    check!("security.tls.cipher-forward-secrecy", Security, "Every TLS service accepts a client offering only forward-secret (ECDHE/DHE) suites", 7525, "4.1", Must, Deployment,
        "Implementations MUST support and prefer to negotiate cipher suites offering forward secrecy, such as those in the Ephemeral Diffie-Hellman and Elliptic Curve Ephemeral Diffie-Hellman (\"DHE\" and \"ECDHE\") families.",
        needs [], faults ["tls-static-rsa-only"], accounts 0, ciphers::forward_secrecy),
    check!("security.tls.cipher-aead", Security, "Every TLS service accepts a client offering only AEAD suites (AES-GCM, ChaCha20-Poly1305 with ECDHE/DHE: Mozilla \"intermediate\")", 7525, "4.2", Should, Deployment,
        "Given the foregoing considerations, implementation and deployment of the following cipher suites is RECOMMENDED:",
        needs [], faults ["tls-cbc-only"], accounts 0, ciphers::aead),
    check!("security.tls.certificate-trusted", Security, "Every TLS service presents a certificate chaining to a trusted root (system roots or the target's CA file)", 8314, "4.4", Must, Deployment,
        "MSPs MUST maintain valid server certificates for all servers.",
        needs [], faults ["tls-certificate-untrusted"], accounts 0, certificates::trusted),
    check!("security.tls.certificate-name", Security, "Every TLS service's certificate names the host the client connects to", 8314, "4.4", Must, Deployment,
        "MSPs MUST maintain valid server certificates for all servers.",
        needs [], faults ["tls-certificate-wrong-name"], accounts 0, certificates::name),
    check!("security.tls.certificate-not-expired", Security, "Every TLS service's certificate is within its validity period", 8314, "4.4", Must, Deployment,
        "MSPs MUST maintain valid server certificates for all servers.",
        needs [], faults ["tls-certificate-expired"], accounts 0, certificates::not_expired),
    check!("security.tls.certificate-not-expiring", Security, "No TLS service's certificate expires within 30 days (warn)", 8314, "4.4", Must, Deployment,
        "MSPs MUST maintain valid server certificates for all servers.",
        needs [], faults ["tls-certificate-expiring"], accounts 0, certificates::not_expiring),
    check!("security.tls.certificate-key", Security, "Every TLS service's certificate key is strong enough (RSA at least 2048 bits, elliptic curves at least 256 bits)", 7525, "4.3", Should, Deployment,
        "When using RSA, servers SHOULD authenticate using certificates with at least a 2048-bit modulus for the public key.",
        needs [], faults ["tls-certificate-weak-key"], accounts 0, certificates::key),
    check!("security.tls.certificate-signature", Security, "Every TLS service's certificate is signed with SHA-256 or stronger (no MD5, no SHA-1)", 7525, "4.3", Should, Deployment,
        "In addition, the use of the SHA-256 hash algorithm is RECOMMENDED",
        needs [], faults ["tls-certificate-weak-key"], accounts 0, certificates::signature),
    check!("security.implicit-tls.offered", Security, "IMAP and submission are also offered with implicit TLS (993, 465), and a TLS handshake works there", 8314, "4.1", Should, Deployment,
        "MSPs that support POP, IMAP, and/or Message Submission SHOULD provide and support instances of those services that use Implicit TLS.",
        needs [], faults ["imap-implicit-tls-plaintext", "smtp-no-implicit-tls"], accounts 0, implicit::offered),
];
