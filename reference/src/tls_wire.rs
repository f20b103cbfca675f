//! The TLS record-level pieces the reference servers' security faults need (the harness's
//! probe, `groupwire_conformance::tls_probe`, uses the same ones): protocol versions, alert
//! descriptions, cipher suite classes ([`ciphers`]) and a ClientHello-level shim ([`server`])
//! that answers versions and suites rustls cannot speak with hand-built ServerHellos.

pub mod ciphers;
pub mod server;

pub use ciphers::cipher_suite_name;

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

macro_rules! alert_descriptions {
    ($($variant:ident = $code:literal, $name:literal, $doc:literal;)*) => {
        /// Alert description (RFC 5246 §7.2, RFC 8446 §6, RFC 7507 §2 for
        /// `inappropriate_fallback`), named as in the RFCs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AlertDescription {
            $(#[doc = $doc] $variant,)*
            /// A value not named here, as received.
            Unknown(u8),
        }

        impl AlertDescription {
            /// From the wire byte.
            pub fn from_u8(value: u8) -> Self {
                match value {
                    $($code => AlertDescription::$variant,)*
                    other => AlertDescription::Unknown(other),
                }
            }

            /// The wire byte.
            pub fn code(self) -> u8 {
                match self {
                    $(AlertDescription::$variant => $code,)*
                    AlertDescription::Unknown(other) => other,
                }
            }

            /// The RFC's name, e.g. `protocol_version`; `None` for unknown values.
            pub fn name(self) -> Option<&'static str> {
                match self {
                    $(AlertDescription::$variant => Some($name),)*
                    AlertDescription::Unknown(_) => None,
                }
            }
        }
    };
}

alert_descriptions! {
    CloseNotify = 0, "close_notify", "close_notify (0).";
    UnexpectedMessage = 10, "unexpected_message", "unexpected_message (10).";
    BadRecordMac = 20, "bad_record_mac", "bad_record_mac (20).";
    DecryptionFailed = 21, "decryption_failed", "decryption_failed (21, reserved since TLS 1.1).";
    RecordOverflow = 22, "record_overflow", "record_overflow (22).";
    DecompressionFailure = 30, "decompression_failure", "decompression_failure (30).";
    HandshakeFailure = 40, "handshake_failure", "handshake_failure (40): no acceptable parameters, e.g. no common cipher suite.";
    NoCertificate = 41, "no_certificate", "no_certificate (41, SSL 3.0 only).";
    BadCertificate = 42, "bad_certificate", "bad_certificate (42).";
    UnsupportedCertificate = 43, "unsupported_certificate", "unsupported_certificate (43).";
    CertificateRevoked = 44, "certificate_revoked", "certificate_revoked (44).";
    CertificateExpired = 45, "certificate_expired", "certificate_expired (45).";
    CertificateUnknown = 46, "certificate_unknown", "certificate_unknown (46).";
    IllegalParameter = 47, "illegal_parameter", "illegal_parameter (47).";
    UnknownCa = 48, "unknown_ca", "unknown_ca (48).";
    AccessDenied = 49, "access_denied", "access_denied (49).";
    DecodeError = 50, "decode_error", "decode_error (50).";
    DecryptError = 51, "decrypt_error", "decrypt_error (51).";
    ExportRestriction = 60, "export_restriction", "export_restriction (60, reserved).";
    ProtocolVersion = 70, "protocol_version", "protocol_version (70): the offered version is recognised but not supported.";
    InsufficientSecurity = 71, "insufficient_security", "insufficient_security (71): the server requires more secure parameters than offered.";
    InternalError = 80, "internal_error", "internal_error (80).";
    InappropriateFallback = 86, "inappropriate_fallback", "inappropriate_fallback (86, RFC 7507).";
    UserCanceled = 90, "user_canceled", "user_canceled (90).";
    NoRenegotiation = 100, "no_renegotiation", "no_renegotiation (100).";
    MissingExtension = 109, "missing_extension", "missing_extension (109).";
    UnsupportedExtension = 110, "unsupported_extension", "unsupported_extension (110).";
    UnrecognizedName = 112, "unrecognized_name", "unrecognized_name (112).";
    BadCertificateStatusResponse = 113, "bad_certificate_status_response", "bad_certificate_status_response (113).";
    UnknownPskIdentity = 115, "unknown_psk_identity", "unknown_psk_identity (115).";
    CertificateRequired = 116, "certificate_required", "certificate_required (116).";
    NoApplicationProtocol = 120, "no_application_protocol", "no_application_protocol (120).";
}

impl std::fmt::Display for AlertDescription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} ({})", self.code()),
            None => write!(f, "unknown alert {}", self.code()),
        }
    }
}
