//! The server side of the probe's codec, for the reference servers' security faults: a
//! decoder for a client's first record (the ClientHello: RFC 5246 §7.4.1.2, RFC 8446 §4.1.2,
//! with its `supported_versions` extension, RFC 8446 §4.2.1) and encoders for the two answers
//! a fault gives without completing a handshake: a ServerHello (RFC 5246 §7.4.1.3) of a
//! chosen version and cipher suite, or an Alert (RFC 5246 §7.2).
//!
//! rustls cannot speak TLS 1.1 and older nor the weak TLS 1.2 cipher suites, so a reference
//! server that must *accept* them (to prove that the version and cipher checks notice) answers
//! the ClientHello itself with these bytes.

use super::{AlertDescription, ProtocolVersion, TlsVersion};

const CONTENT_HANDSHAKE: u8 = 22;
const CONTENT_ALERT: u8 = 21;
const HANDSHAKE_CLIENT_HELLO: u8 = 1;
const HANDSHAKE_SERVER_HELLO: u8 = 2;
const EXT_SUPPORTED_VERSIONS: u16 = 43;
/// Alert level `fatal` (RFC 5246 §7.2).
const FATAL: u8 = 2;
/// The largest ClientHello accepted (one record; RFC 5246 §6.2.1 limits a record to 2^14).
const MAX_CLIENT_HELLO: usize = 1 << 14;

/// What a server needs from a ClientHello to pick an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHelloSummary {
    /// `client_version` / `legacy_version`.
    pub legacy_version: ProtocolVersion,
    /// The versions of the `supported_versions` extension, when present.
    pub supported_versions: Option<Vec<ProtocolVersion>>,
    /// The offered cipher suites, in order.
    pub cipher_suites: Vec<u16>,
}

impl ClientHelloSummary {
    /// The highest version the client offers: the highest of `supported_versions` when
    /// present (RFC 8446 §4.2.1), else `legacy_version`.
    pub fn highest_version(&self) -> ProtocolVersion {
        self.supported_versions
            .as_ref()
            .and_then(|versions| versions.iter().copied().max())
            .unwrap_or(self.legacy_version)
    }

    /// Whether the client offers TLS 1.2 or newer.
    pub fn offers_modern(&self) -> bool {
        self.highest_version() >= TlsVersion::Tls1_2.wire()
    }
}

/// Why the first bytes are not a ClientHello.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientHelloError {
    /// The first record is not a handshake record of TLS (content type 22, major 3).
    NotHandshake,
    /// The handshake message is not a ClientHello, or it does not fit one record.
    NotClientHello,
    /// A field runs past its end.
    Truncated(&'static str),
}

impl std::fmt::Display for ClientHelloError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientHelloError::NotHandshake => f.write_str("not a TLS handshake record"),
            ClientHelloError::NotClientHello => f.write_str("not a ClientHello in one record"),
            ClientHelloError::Truncated(field) => write!(f, "ClientHello field {field} truncated"),
        }
    }
}

impl std::error::Error for ClientHelloError {}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize, field: &'static str) -> Result<&'a [u8], ClientHelloError> {
        let slice = self
            .bytes
            .get(self.pos..self.pos.saturating_add(count))
            .ok_or(ClientHelloError::Truncated(field))?;
        self.pos += count;
        Ok(slice)
    }

    fn u8(&mut self, field: &'static str) -> Result<u8, ClientHelloError> {
        Ok(self.take(1, field)?[0])
    }

    fn u16(&mut self, field: &'static str) -> Result<u16, ClientHelloError> {
        let bytes = self.take(2, field)?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }
}

/// How many bytes the first record needs in all, once its 5-byte header has arrived
/// (`None` before that); lets a server wait for exactly one record.
pub fn first_record_length(input: &[u8]) -> Option<usize> {
    let header = input.get(..5)?;
    Some(5 + usize::from(u16::from_be_bytes([header[3], header[4]])))
}

/// Decodes the ClientHello in the first record of `input` (which must hold the whole record:
/// see [`first_record_length`]).
pub fn decode_client_hello(input: &[u8]) -> Result<ClientHelloSummary, ClientHelloError> {
    let mut record = Reader {
        bytes: input,
        pos: 0,
    };
    if record.u8("content_type")? != CONTENT_HANDSHAKE {
        return Err(ClientHelloError::NotHandshake);
    }
    if record.u8("record version")? != 3 {
        return Err(ClientHelloError::NotHandshake);
    }
    record.u8("record version")?;
    let length = usize::from(record.u16("record length")?);
    if length > MAX_CLIENT_HELLO {
        return Err(ClientHelloError::NotClientHello);
    }
    let payload = record.take(length, "record payload")?;
    let mut message = Reader {
        bytes: payload,
        pos: 0,
    };
    if message.u8("handshake type")? != HANDSHAKE_CLIENT_HELLO {
        return Err(ClientHelloError::NotClientHello);
    }
    let high = usize::from(message.u8("handshake length")?);
    let mid = usize::from(message.u8("handshake length")?);
    let low = usize::from(message.u8("handshake length")?);
    let body = message.take(high << 16 | mid << 8 | low, "handshake body")?;
    let mut hello = Reader {
        bytes: body,
        pos: 0,
    };
    let legacy_version = ProtocolVersion(hello.u16("client_version")?);
    hello.take(32, "random")?;
    let session_id_length = usize::from(hello.u8("session_id length")?);
    hello.take(session_id_length, "session_id")?;
    let suites_length = usize::from(hello.u16("cipher_suites length")?);
    let suites = hello.take(suites_length, "cipher_suites")?;
    let cipher_suites = suites
        .chunks_exact(2)
        .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
        .collect();
    let compression_length = usize::from(hello.u8("compression_methods length")?);
    hello.take(compression_length, "compression_methods")?;
    let mut supported_versions = None;
    if hello.pos < body.len() {
        let extensions_length = usize::from(hello.u16("extensions length")?);
        let extensions = hello.take(extensions_length, "extensions")?;
        let mut reader = Reader {
            bytes: extensions,
            pos: 0,
        };
        while reader.pos < extensions.len() {
            let extension_type = reader.u16("extension_type")?;
            let data_length = usize::from(reader.u16("extension length")?);
            let data = reader.take(data_length, "extension_data")?;
            if extension_type == EXT_SUPPORTED_VERSIONS {
                let list = data.get(1..).unwrap_or_default();
                supported_versions = Some(
                    list.chunks_exact(2)
                        .map(|pair| ProtocolVersion(u16::from_be_bytes([pair[0], pair[1]])))
                        .collect(),
                );
            }
        }
    }
    Ok(ClientHelloSummary {
        legacy_version,
        supported_versions,
        cipher_suites,
    })
}

/// A ServerHello record choosing `version` (SSL 3.0 to TLS 1.2; `legacy_version` is the
/// version itself) and `cipher_suite`, with no extensions and an empty session id.
pub fn encode_server_hello(version: ProtocolVersion, cipher_suite: u16) -> Vec<u8> {
    let mut body = Vec::with_capacity(40);
    body.extend_from_slice(&version.0.to_be_bytes());
    // A fixed random: the hello is never followed by a key exchange.
    body.extend_from_slice(&[0x5a; 32]);
    body.push(0); // session_id
    body.extend_from_slice(&cipher_suite.to_be_bytes());
    body.push(0); // compression: null
    let mut record = Vec::with_capacity(body.len() + 9);
    record.push(CONTENT_HANDSHAKE);
    record.extend_from_slice(&version.0.to_be_bytes());
    record.extend_from_slice(&((body.len() + 4) as u16).to_be_bytes());
    record.push(HANDSHAKE_SERVER_HELLO);
    record.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    record.extend_from_slice(&body);
    record
}

/// A fatal Alert record with `description` (`protocol_version`, `handshake_failure`, ...),
/// in a record of `version`.
pub fn encode_alert(version: ProtocolVersion, description: AlertDescription) -> Vec<u8> {
    let mut record = vec![CONTENT_ALERT];
    record.extend_from_slice(&version.0.to_be_bytes());
    record.extend_from_slice(&[0, 2, FATAL, description.code()]);
    record
}
