//! TLS 1.2 cipher suites by the property a security check asks about (RFC 7525 §4.1 and
//! §4.2; Mozilla's "intermediate" server profile allows only ECDHE/DHE suites with AES-GCM or
//! ChaCha20-Poly1305). Each list is what a probe offers, alone, to learn whether the server
//! accepts that class; [`classify`] names the class of a suite a server chose.

/// NULL encryption (RFC 7525 §4.1: MUST NOT).
pub const NULL: [u16; 5] = [0x0001, 0x0002, 0x003b, 0xc006, 0xc010];
/// Export-grade and single-DES suites, under 112 bits of security (RFC 7525 §4.1: MUST NOT).
pub const EXPORT: [u16; 6] = [0x0003, 0x0006, 0x0008, 0x0009, 0x0014, 0x0015];
/// RC4 (RFC 7525 §4.1: MUST NOT).
pub const RC4: [u16; 4] = [0x0004, 0x0005, 0xc007, 0xc011];
/// Triple DES, 112 bits effective (RFC 7525 §4.1: SHOULD NOT go below 128).
pub const TRIPLE_DES: [u16; 4] = [0x000a, 0x0016, 0xc008, 0xc012];
/// Static RSA key transport, no forward secrecy (RFC 7525 §4.1: SHOULD NOT).
pub const STATIC_RSA: [u16; 6] = [0x002f, 0x0035, 0x003c, 0x003d, 0x009c, 0x009d];
/// ECDHE and DHE with an AEAD cipher: RFC 7525 §4.2's recommended suites and their ECDSA
/// and ChaCha20 siblings (the TLS 1.2 part of Mozilla's "intermediate" profile).
pub const AEAD_FORWARD_SECRET: [u16; 8] = [
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0x009e, 0x009f,
];
/// ECDHE and DHE with AES-CBC: forward secret, but MAC-then-encrypt.
pub const CBC_FORWARD_SECRET: [u16; 10] = [
    0xc009, 0xc00a, 0xc013, 0xc014, 0x0033, 0x0039, 0xc023, 0xc024, 0xc027, 0xc028,
];

/// The class of a TLS 1.2 cipher suite, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CipherClass {
    /// No encryption.
    Null,
    /// Export-grade or single DES.
    Export,
    /// RC4.
    Rc4,
    /// Triple DES.
    TripleDes,
    /// Static RSA key transport.
    StaticRsa,
    /// ECDHE/DHE with AES-GCM or ChaCha20-Poly1305.
    AeadForwardSecret,
    /// ECDHE/DHE with AES-CBC.
    CbcForwardSecret,
    /// A suite none of the lists holds.
    Other,
}

/// The class of `suite`.
pub fn classify(suite: u16) -> CipherClass {
    let lists: [(&[u16], CipherClass); 7] = [
        (&NULL, CipherClass::Null),
        (&EXPORT, CipherClass::Export),
        (&RC4, CipherClass::Rc4),
        (&TRIPLE_DES, CipherClass::TripleDes),
        (&STATIC_RSA, CipherClass::StaticRsa),
        (&AEAD_FORWARD_SECRET, CipherClass::AeadForwardSecret),
        (&CBC_FORWARD_SECRET, CipherClass::CbcForwardSecret),
    ];
    lists
        .iter()
        .find(|(list, _)| list.contains(&suite))
        .map_or(CipherClass::Other, |(_, class)| *class)
}

/// Whether a suite is one a sound TLS 1.2 server never chooses or should not (NULL, export,
/// DES, RC4, 3DES, static RSA).
pub fn is_weak(suite: u16) -> bool {
    !matches!(
        classify(suite),
        CipherClass::AeadForwardSecret | CipherClass::CbcForwardSecret | CipherClass::Other
    )
}

/// Whether a suite uses CBC (MAC-then-encrypt) rather than an AEAD cipher.
pub fn is_cbc(suite: u16) -> bool {
    cipher_suite_name(suite).is_some_and(|name| name.contains("_CBC_"))
}

/// Cipher suites with their IANA names; the ones the default lists use and the usual weak
/// ones a suite scan may ask about.
const CIPHER_SUITE_NAMES: &[(u16, &str)] = &[
    (0x0001, "TLS_RSA_WITH_NULL_MD5"),
    (0x0002, "TLS_RSA_WITH_NULL_SHA"),
    (0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"),
    (0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5"),
    (0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA"),
    (0x0009, "TLS_RSA_WITH_DES_CBC_SHA"),
    (0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA"),
    (0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA"),
    (0x003b, "TLS_RSA_WITH_NULL_SHA256"),
    (0xc006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA"),
    (0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"),
    (0xc008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"),
    (0xc010, "TLS_ECDHE_RSA_WITH_NULL_SHA"),
    (0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"),
    (0x0004, "TLS_RSA_WITH_RC4_128_MD5"),
    (0x0005, "TLS_RSA_WITH_RC4_128_SHA"),
    (0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
    (0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"),
    (0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"),
    (0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"),
    (0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"),
    (0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"),
    (0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256"),
    (0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256"),
    (0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"),
    (0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"),
    (0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"),
    (0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384"),
    (0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"),
    (0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"),
    (0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"),
    (0x1301, "TLS_AES_128_GCM_SHA256"),
    (0x1302, "TLS_AES_256_GCM_SHA384"),
    (0x1303, "TLS_CHACHA20_POLY1305_SHA256"),
    (0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
    (0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"),
    (0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"),
    (0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
    (0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"),
    (0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"),
    (0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"),
    (0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
    (0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"),
    (0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
    (0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
    (0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
    (0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
    (0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
    (0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
];

/// The IANA name of a cipher suite, when the probe knows it.
pub fn cipher_suite_name(suite: u16) -> Option<&'static str> {
    CIPHER_SUITE_NAMES
        .iter()
        .find(|(code, _)| *code == suite)
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_suite_has_a_name_and_one_class() {
        for list in [
            &NULL[..],
            &EXPORT,
            &RC4,
            &TRIPLE_DES,
            &STATIC_RSA,
            &AEAD_FORWARD_SECRET,
            &CBC_FORWARD_SECRET,
        ] {
            for suite in list {
                assert!(cipher_suite_name(*suite).is_some(), "0x{suite:04x}");
                assert_ne!(classify(*suite), CipherClass::Other);
            }
        }
        assert!(is_weak(0x000a) && !is_weak(0xc02f));
        assert!(is_cbc(0xc013) && !is_cbc(0xc02f));
    }
}
