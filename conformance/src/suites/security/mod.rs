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
//! - [`submission`]: no open relay without login (RFC 6409 §4.3), VRFY not confirming
//!   addresses to anonymous clients (RFC 5321 §7.3).
//! - [`logins`]: repeated failed IMAP logins slowed down or refused (RFC 9051 §11.7), and
//!   the same for SMTP AUTH (RFC 4954 §9).
//! - [`sasl`]: SCRAM-SHA-256 (RFC 7677) and OAUTHBEARER (RFC 7628) work where advertised, a
//!   wrong SCRAM proof and a made-up bearer token are refused (tried where not advertised
//!   too), and which mechanisms IMAP and submission offer before and after TLS.
//! - [`submission`] also probes the MX (port 25) endpoint, when the target names one, for an
//!   open relay (RFC 5321 §3.6.2).
//!
//! STARTTLS safety (plaintext injection, STARTTLS offered, no login before TLS) is judged by the
//! IMAP and SMTP suites (`imap.starttls.*`, `smtp.starttls.*`, `imap.login.refused-before-tls`,
//! `smtp.auth.not-before-tls`, ...); the `security` profile includes them.

pub mod certificates;
pub mod ciphers;
pub mod implicit;
pub mod logins;
pub mod sasl;
pub mod services;
pub mod submission;
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
        "Implementations MUST support and prefer to negotiate cipher suites offering forward secrecy, such as those in the Ephemeral Diffie-…Hellman and Elliptic Curve Ephemeral Diffie-Hellman (\"DHE\" and \"ECDHE\") families.",
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
    check!("security.smtp.open-relay-refused", Security, "Submission (587, 465) does not relay for a client that has not logged in (MAIL from and RCPT to outside addresses; no message is sent)", 6409, "4.3", Must, Deployment,
        "The MSA MUST, by default, issue an error response to the MAIL command if the session has not been authenticated using [SMTP-AUTH], unless it has already independently established authentication or authorization (such as being within a protected subnetwork).",
        needs [], faults ["smtp-no-auth-required"], accounts 0, submission::open_relay_refused),
    check!("security.smtp.vrfy-not-open", Security, "VRFY does not tell a client that has not logged in which addresses exist (warn)", 5321, "7.3", May, Deployment,
        "Sites implementing SMTP authentication may choose to make VRFY and EXPN available only to authenticated requestors.",
        needs [], faults ["smtp-vrfy-confirms"], accounts 1, submission::vrfy_not_open),
    check!("security.smtp.expn-not-open", Security, "EXPN does not tell a client that has not logged in which names or lists exist (warn)", 5321, "7.3", May, Deployment,
        "Sites implementing SMTP authentication may choose to make VRFY and EXPN available only to authenticated requestors.",
        needs [], faults ["smtp-expn-expands"], accounts 1, submission::expn_not_open),
    check!("security.smtp.xclient-not-offered", Security, "XCLIENT (a client claiming another client's address, and its relay rights) is neither advertised nor accepted for a client that has not logged in (warn)", 6409, "3.3", May, Deployment,
        "IP address restrictions are very widely implemented, but they do not allow for travelers and similar situations, and they can be easily spoofed unless all transport paths between the MUA and MSA are trustworthy.",
        needs [], faults ["smtp-xclient-offered"], accounts 0, submission::xclient_not_offered),
    check!("security.smtp.xforward-not-offered", Security, "XFORWARD (a client setting the client attributes filters and logs see) is neither advertised nor accepted for a client that has not logged in (warn)", 6409, "3.3", May, Deployment,
        "IP address restrictions are very widely implemented, but they do not allow for travelers and similar situations, and they can be easily spoofed unless all transport paths between the MUA and MSA are trustworthy.",
        needs [], faults ["smtp-xforward-offered"], accounts 0, submission::xforward_not_offered),
    check!("security.imap.failed-logins-limited", Security, "Repeated failed IMAP logins are slowed down or refused within 10 attempts", 9051, "11.7", Should, Deployment,
        "A server SHOULD have mechanisms in place to limit or delay failed AUTHENTICATE/LOGIN attempts.",
        needs [], faults ["imap-no-login-throttle"], accounts 1, logins::imap_failed_logins_limited),
    check!("security.smtp.sender-authorised", Security, "A logged-in user cannot submit with another user's address (MAIL FROM and From:) without notice (warn)", 6409, "6.1", May, Deployment,
        "The MSA MAY issue an error response to a MAIL command if the address in MAIL FROM appears to have insufficient submission rights or is not authorized with the authentication used (if the session has been authenticated).",
        needs [], faults ["smtp-sender-not-checked"], accounts 2, submission::sender_authorised),
    check!("security.sasl.scram-sha-256", Security, "Where SCRAM-SHA-256 is advertised (IMAP, submission), the account logs in with it and the server signature verifies", 5802, "5", Must,
        "The client then authenticates the server by computing the ServerSignature and comparing it to the value sent by the server.  If the two are different, the client MUST consider the authentication exchange to be unsuccessful, and it might have to drop the connection.",
        needs [], faults ["scram-bad-server-signature"], accounts 1, sasl::scram_sha256),
    check!("security.sasl.scram-bad-proof-refused", Security, "A wrong SCRAM-SHA-256 client proof is refused (tried where SCRAM is not advertised too)", 5802, "3", Must,
        "The server authenticates the client by computing the ClientSignature, exclusive-ORing that with the ClientProof to recover the ClientKey and verifying the correctness of the ClientKey by applying the hash function and comparing the result to the StoredKey.",
        needs [], faults ["scram-accepts-bad-proof"], accounts 1, sasl::scram_bad_proof_refused),
    check!("security.sasl.oauthbearer", Security, "Where OAUTHBEARER is advertised and the target gives the account's oauth_token, the login works", 7628, "3.2", Must,
        "The server responds to a successfully verified client message by completing the SASL negotiation.",
        needs [], faults ["oauth-broken"], accounts 1, sasl::oauthbearer_login),
    check!("security.sasl.oauthbearer-bad-token-refused", Security, "A made-up bearer token gets the RFC 7628 error result (JSON with status) and then fails (tried where OAUTHBEARER is not advertised too)", 7628, "3.2.2", Must,
        "For a failed authentication, the server returns an error result in JSON [RFC7159] format and fails the authentication.",
        needs [], faults ["oauth-accepts-bad-token", "oauth-no-error-result"], accounts 1, sasl::oauthbearer_bad_token_refused),
    check!("security.sasl.mechanisms", Security, "The SASL mechanisms of IMAP and submission before and after TLS (reported); no bearer-token mechanism before TLS", 7628, "3", Must, Deployment,
        "Additionally, for the two mechanisms specified in this document, TLS MUST be used for OAUTHBEARER to protect the bearer token;",
        needs [], faults ["oauth-before-tls", "oauth-hidden-before-tls"], accounts 0, sasl::mechanisms),
    check!("security.smtp.failed-logins-limited", Security, "Repeated failed SMTP AUTH attempts are slowed down or refused within 10 attempts (warn)", 4954, "9", May, Deployment,
        "Servers MAY implement a policy whereby the connection is dropped after a number of failed authentication attempts.",
        needs [], faults ["smtp-no-login-throttle"], accounts 1, logins::smtp_failed_logins_limited),
    check!("security.smtp.mx-open-relay-refused", Security, "The MX (port 25) endpoint, when named, does not relay for a client that has not logged in (MAIL from and RCPT to outside addresses; no message is sent)", 5321, "3.6.2", Should, Deployment,
        "The relay server may accept or reject the task of relaying the mail in the same way it accepts or rejects mail for a local user. … If it declines to relay mail to a particular address for policy reasons, a 550 response SHOULD be returned.",
        needs [], faults ["mx-open-relay"], accounts 0, submission::mx_open_relay_refused),
];
