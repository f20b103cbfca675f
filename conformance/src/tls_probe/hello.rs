//! The ClientHello builder: the bytes of one TLS plaintext record carrying one ClientHello
//! handshake message, for a chosen highest version.
//!
//! Layout (RFC 5246 §7.4.1.2; the same in RFC 2246 §7.4.1.2 and RFC 4346 §7.4.1.2, and as
//! `legacy_*` fields in RFC 8446 §4.1.2): `client_version`, 32 random bytes, `session_id`,
//! `cipher_suites`, `compression_methods` (null only) and, from TLS 1.0 on, extensions
//! (RFC 5246 §7.4.1.4). SSL 3.0 (RFC 6101 §5.6.1.2) predates extensions, so its hello has none.
//! For TLS 1.3 `client_version` stays 0x0303 and the version is offered only in the
//! `supported_versions` extension (RFC 8446 §4.2.1), with a `key_share` (§4.2.8) so a
//! willing server answers with a ServerHello instead of a HelloRetryRequest.

use super::{ProtocolVersion, TlsVersion};
pub use groupwire_reference::tls_wire::cipher_suite_name;

/// Record content type `handshake` (RFC 5246 §6.2.1).
const CONTENT_HANDSHAKE: u8 = 22;
/// Handshake type `client_hello` (RFC 5246 §7.4).
const HANDSHAKE_CLIENT_HELLO: u8 = 1;

const EXT_SERVER_NAME: u16 = 0;
const EXT_SUPPORTED_GROUPS: u16 = 10;
const EXT_EC_POINT_FORMATS: u16 = 11;
const EXT_SIGNATURE_ALGORITHMS: u16 = 13;
const EXT_SUPPORTED_VERSIONS: u16 = 43;
const EXT_KEY_SHARE: u16 = 51;
const EXT_RENEGOTIATION_INFO: u16 = 0xff01;

/// Group x25519 (RFC 8422 §5.1.1, RFC 8446 §4.2.7).
const GROUP_X25519: u16 = 0x001d;
/// Groups offered: x25519, secp256r1, secp384r1, secp521r1.
const SUPPORTED_GROUPS: [u16; 4] = [GROUP_X25519, 0x0017, 0x0018, 0x0019];

/// Signature schemes offered from TLS 1.2 on (RFC 5246 §7.4.1.4.1, RFC 8446 §4.2.3): modern
/// ECDSA, RSA-PSS, Ed25519 and PKCS#1 first, SHA-1 variants last so old servers still answer.
const SIGNATURE_SCHEMES: [u16; 12] = [
    0x0403, // ecdsa_secp256r1_sha256
    0x0503, // ecdsa_secp384r1_sha384
    0x0603, // ecdsa_secp521r1_sha512
    0x0807, // ed25519
    0x0804, // rsa_pss_rsae_sha256
    0x0805, // rsa_pss_rsae_sha384
    0x0806, // rsa_pss_rsae_sha512
    0x0401, // rsa_pkcs1_sha256
    0x0501, // rsa_pkcs1_sha384
    0x0601, // rsa_pkcs1_sha512
    0x0201, // rsa_pkcs1_sha1
    0x0203, // ecdsa_sha1
];

/// Suites an SSL 3.0 to TLS 1.1 server is likely to accept: the CBC-SHA suites (ECDHE from
/// RFC 8422, DHE and plain RSA), 3DES as a last resort.
const LEGACY_SUITES: [u16; 10] = [
    0xc013, 0xc014, 0xc009, 0xc00a, // ECDHE-RSA/ECDSA with AES-CBC-SHA
    0x0033, 0x0039, // DHE-RSA with AES-CBC-SHA
    0x002f, 0x0035, // RSA with AES-CBC-SHA (TLS_RSA_WITH_AES_128_CBC_SHA: RFC 5246 §9)
    0xc012, 0x000a, // 3DES-EDE-CBC-SHA
];

/// The default offer for a probe of `version`: what a broad client of that era would send,
/// so that a refusal means "not this version", not "none of these suites". Includes
/// `TLS_EMPTY_RENEGOTIATION_INFO_SCSV` (RFC 5746 §3.3) for SSL 3.0, which has no extensions.
pub fn default_cipher_suites(version: TlsVersion) -> Vec<u16> {
    match version {
        TlsVersion::Ssl3_0 => {
            // No ECC in SSL 3.0; add RC4-SHA, which SSL 3.0-era servers commonly preferred.
            let mut suites: Vec<u16> = vec![0x0033, 0x0039, 0x002f, 0x0035, 0x000a, 0x0005];
            suites.push(0x00ff);
            suites
        }
        TlsVersion::Tls1_0 | TlsVersion::Tls1_1 => LEGACY_SUITES.to_vec(),
        TlsVersion::Tls1_2 => {
            let mut suites = vec![
                0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, // ECDHE AEAD
                0x009e, 0x009f, // DHE-RSA AES-GCM
                0xc023, 0xc027, 0xc024, 0xc028, // ECDHE CBC-SHA256/384
                0x009c, 0x009d, 0x003c, 0x003d, // RSA key exchange
            ];
            suites.extend_from_slice(&LEGACY_SUITES);
            suites
        }
        TlsVersion::Tls1_3 => vec![0x1301, 0x1302, 0x1303],
    }
}

/// Builds a ClientHello record offering at most one version.
///
/// ```
/// use groupwire_conformance::tls_probe::{ClientHelloBuilder, TlsVersion};
/// let bytes = ClientHelloBuilder::new(TlsVersion::Tls1_1).server_name("mail.example").build();
/// assert_eq!(bytes[0], 22); // handshake record
/// assert_eq!(&bytes[9..11], &[0x03, 0x02]); // client_version TLS 1.1
/// ```
#[derive(Debug, Clone)]
pub struct ClientHelloBuilder {
    version: TlsVersion,
    cipher_suites: Vec<u16>,
    server_name: Option<String>,
    random: [u8; 32],
    key_share: [u8; 32],
    signature_algorithms_always: bool,
}

impl ClientHelloBuilder {
    /// A hello offering `version` as the highest (and, for TLS 1.3, only) version, with
    /// [`default_cipher_suites`] and fresh random bytes.
    pub fn new(version: TlsVersion) -> Self {
        Self {
            version,
            cipher_suites: default_cipher_suites(version),
            server_name: None,
            random: fresh_random(),
            key_share: fresh_random(),
            signature_algorithms_always: false,
        }
    }

    /// Offers exactly `suites`, in this order (e.g. one suite at a time, to learn which
    /// TLS 1.2 suites a server accepts).
    pub fn cipher_suites(mut self, suites: &[u16]) -> Self {
        self.cipher_suites = suites.to_vec();
        self
    }

    /// Sends `name` in the `server_name` extension (RFC 6066 §3). Ignored for SSL 3.0 and for
    /// IP address literals, which SNI must not carry.
    pub fn server_name(mut self, name: &str) -> Self {
        self.server_name = Some(name.to_string());
        self
    }

    /// Fixes the ClientHello random (tests; the default is fresh random bytes).
    pub fn random(mut self, random: [u8; 32]) -> Self {
        self.random = random;
        self
    }

    /// Sends `signature_algorithms` even below TLS 1.2, where clients of that era did not
    /// (the extension is defined by RFC 5246 §7.4.1.4.1). Some servers, rustls among them,
    /// refuse a hello without it before looking at the version, with `handshake_failure`;
    /// with it they reach the version check and answer `protocol_version`.
    pub fn with_signature_algorithms_below_tls12(mut self) -> Self {
        self.signature_algorithms_always = true;
        self
    }

    /// The version this hello offers.
    pub fn version(&self) -> TlsVersion {
        self.version
    }

    /// The bytes to send: one TLSPlaintext record (RFC 5246 §6.2.1) with the ClientHello.
    /// The record's version is 0x0300 for SSL 3.0 and 0x0301 otherwise, as RFC 5246 Appendix
    /// E.1 allows and RFC 8446 §5.1 asks for an initial ClientHello.
    pub fn build(&self) -> Vec<u8> {
        let client_version = match self.version {
            TlsVersion::Tls1_3 => TlsVersion::Tls1_2.wire(),
            other => other.wire(),
        };
        let mut body = Vec::with_capacity(512);
        put_u16(&mut body, client_version.0);
        body.extend_from_slice(&self.random);
        if self.version == TlsVersion::Tls1_3 {
            // Middlebox compatibility mode (RFC 8446 Appendix D.4): a non-empty session id.
            body.push(32);
            body.extend_from_slice(&self.key_share);
        } else {
            body.push(0);
        }
        // At most 4096 suites, so the record stays far below 2^14 bytes (RFC 5246 §6.2.1).
        let suites_len = self.cipher_suites.len().min(4096) * 2;
        put_u16(&mut body, suites_len as u16);
        for suite in self.cipher_suites.iter().take(suites_len / 2) {
            put_u16(&mut body, *suite);
        }
        body.extend_from_slice(&[1, 0]); // compression_methods: null only
        if self.version != TlsVersion::Ssl3_0 {
            let extensions = self.extensions();
            put_u16(&mut body, extensions.len() as u16);
            body.extend_from_slice(&extensions);
        }

        let mut handshake = Vec::with_capacity(body.len() + 4);
        handshake.push(HANDSHAKE_CLIENT_HELLO);
        put_u24(&mut handshake, body.len());
        handshake.extend_from_slice(&body);

        let record_version = match self.version {
            TlsVersion::Ssl3_0 => TlsVersion::Ssl3_0.wire(),
            _ => TlsVersion::Tls1_0.wire(),
        };
        let mut record = Vec::with_capacity(handshake.len() + 5);
        record.push(CONTENT_HANDSHAKE);
        put_u16(&mut record, record_version.0);
        put_u16(&mut record, handshake.len() as u16);
        record.extend_from_slice(&handshake);
        record
    }

    fn extensions(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if let Some(name) = self
            .server_name
            .as_deref()
            .filter(|name| name.parse::<std::net::IpAddr>().is_err() && !name.is_empty())
        {
            let name = &name.as_bytes()[..name.len().min(255)];
            let mut data = Vec::new();
            put_u16(&mut data, (name.len() + 3) as u16); // server_name_list
            data.push(0); // host_name
            put_u16(&mut data, name.len() as u16);
            data.extend_from_slice(name);
            put_extension(&mut out, EXT_SERVER_NAME, &data);
        }
        // Renegotiation indication (RFC 5746 §3.2), empty on an initial handshake.
        put_extension(&mut out, EXT_RENEGOTIATION_INFO, &[0]);
        let mut groups = Vec::new();
        put_u16(&mut groups, (SUPPORTED_GROUPS.len() * 2) as u16);
        for group in SUPPORTED_GROUPS {
            put_u16(&mut groups, group);
        }
        put_extension(&mut out, EXT_SUPPORTED_GROUPS, &groups);
        if self.version != TlsVersion::Tls1_3 {
            // ec_point_formats: uncompressed only (RFC 8422 §5.1.2).
            put_extension(&mut out, EXT_EC_POINT_FORMATS, &[1, 0]);
        }
        if self.version >= TlsVersion::Tls1_2 || self.signature_algorithms_always {
            let mut schemes = Vec::new();
            put_u16(&mut schemes, (SIGNATURE_SCHEMES.len() * 2) as u16);
            for scheme in SIGNATURE_SCHEMES {
                put_u16(&mut schemes, scheme);
            }
            put_extension(&mut out, EXT_SIGNATURE_ALGORITHMS, &schemes);
        }
        if self.version == TlsVersion::Tls1_3 {
            let version: ProtocolVersion = TlsVersion::Tls1_3.wire();
            let mut versions = vec![2];
            put_u16(&mut versions, version.0);
            put_extension(&mut out, EXT_SUPPORTED_VERSIONS, &versions);
            // One x25519 share: any 32 bytes are a valid X25519 public value (RFC 7748 §5).
            let mut share = Vec::new();
            put_u16(&mut share, 2 + 2 + 32);
            put_u16(&mut share, GROUP_X25519);
            put_u16(&mut share, 32);
            share.extend_from_slice(&self.key_share);
            put_extension(&mut out, EXT_KEY_SHARE, &share);
        }
        out
    }
}

fn put_u16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_be_bytes());
}

fn put_u24(out: &mut Vec<u8>, value: usize) {
    let value = value.min(0x00ff_ffff) as u32;
    out.extend_from_slice(&value.to_be_bytes()[1..]);
}

fn put_extension(out: &mut Vec<u8>, extension_type: u16, data: &[u8]) {
    put_u16(out, extension_type);
    put_u16(out, data.len() as u16);
    out.extend_from_slice(data);
}

/// 32 bytes from the harness's crypto provider; falls back to clock-derived bytes, which is
/// enough for a probe that never completes a handshake.
fn fresh_random() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    let provider = rustls::crypto::ring::default_provider();
    if provider.secure_random.fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = (nanos >> ((i % 16) * 8)) as u8 ^ (i as u8);
        }
    }
    bytes
}
