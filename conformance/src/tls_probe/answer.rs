//! The decoder for a server's first flight in answer to a ClientHello: TLS record headers
//! (RFC 5246 §6.2.1, RFC 8446 §5.1), the ServerHello (RFC 5246 §7.4.1.3, RFC 8446 §4.1.3)
//! with its `supported_versions` extension (RFC 8446 §4.2.1), or an Alert (RFC 5246 §7.2,
//! RFC 8446 §6).
//!
//! Hostile bytes are expected: every read is bounds-checked, record and handshake lengths
//! are limited before anything is buffered, and errors say what was wrong and at which byte
//! offset of the input. A prefix of a valid answer is [`Decoded::NeedMore`], never an error.

use super::ProtocolVersion;
pub use groupwire_reference::tls_wire::AlertDescription;

/// The largest record accepted: 2^14 + 2048 bytes, the TLSCiphertext limit of RFC 5246
/// §6.2.3 (a plaintext ServerHello record is at most 2^14, RFC 8446 §5.1; be lenient).
pub const MAX_RECORD_LENGTH: usize = (1 << 14) + 2048;
/// The largest first handshake message accepted. A ServerHello is a few hundred bytes; the
/// 24-bit length field would otherwise let a server make the probe buffer 16 MiB.
pub const MAX_HANDSHAKE_LENGTH: usize = 1 << 16;

/// The most input bytes the decoder waits through for the first handshake message. A
/// ServerHello fits in one record; this bounds a server that trickles one-byte fragments.
pub const MAX_FIRST_FLIGHT: usize = MAX_HANDSHAKE_LENGTH + 2 * MAX_RECORD_LENGTH;

const CONTENT_CHANGE_CIPHER_SPEC: u8 = 20;
const CONTENT_ALERT: u8 = 21;
const CONTENT_HANDSHAKE: u8 = 22;
const CONTENT_HEARTBEAT: u8 = 24;
const HANDSHAKE_SERVER_HELLO: u8 = 2;
const EXT_SUPPORTED_VERSIONS: u16 = 43;

/// The ServerHello.random that marks a HelloRetryRequest: SHA-256("HelloRetryRequest")
/// (RFC 8446 §4.1.3).
pub const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// What decoding the bytes received so far gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// The bytes are a valid prefix of an answer; read more.
    NeedMore,
    /// A complete answer.
    Complete {
        /// The answer.
        answer: ServerAnswer,
        /// How many input bytes it took (0 for [`ServerAnswer::NotTls`]).
        consumed: usize,
    },
}

/// The server's first answer to a ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerAnswer {
    /// A ServerHello: the server accepted a version and a cipher suite.
    ServerHello(ServerHello),
    /// An Alert record before any handshake message.
    Alert {
        /// Warning or fatal.
        level: AlertLevel,
        /// Why.
        description: AlertDescription,
    },
    /// The bytes do not start a TLS record (e.g. a plaintext banner such as `* OK` or
    /// `220 `, or an SSL 2.0 reply).
    NotTls,
}

/// The fields of a ServerHello a probe reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHello {
    /// `server_version` / `legacy_version`: the negotiated version up to TLS 1.2; 0x0303
    /// when TLS 1.3 is negotiated through `supported_versions`.
    pub legacy_version: ProtocolVersion,
    /// `random`.
    pub random: [u8; 32],
    /// `session_id` (at most 32 bytes).
    pub session_id: Vec<u8>,
    /// The chosen cipher suite.
    pub cipher_suite: u16,
    /// The chosen compression method (0 = null).
    pub compression_method: u8,
    /// The extensions, in order.
    pub extensions: Vec<ServerHelloExtension>,
    /// The `supported_versions` extension's `selected_version` (TLS 1.3), when present.
    pub selected_version: Option<ProtocolVersion>,
}

impl ServerHello {
    /// The version the server chose: `selected_version` when present (RFC 8446 §4.2.1),
    /// else `legacy_version`.
    pub fn negotiated_version(&self) -> ProtocolVersion {
        self.selected_version.unwrap_or(self.legacy_version)
    }

    /// The TLS 1.3 downgrade sentinel (RFC 8446 §4.1.3): a server that supports TLS 1.3 but
    /// negotiates an older version ends its random with `DOWNGRD` and 0x01 (TLS 1.2) or 0x00
    /// (TLS 1.1 or below). Returns that last byte when the sentinel is there. Evidence that
    /// the server would have spoken TLS 1.3.
    pub fn downgrade_sentinel(&self) -> Option<u8> {
        match self.random[24..] {
            [b'D', b'O', b'W', b'N', b'G', b'R', b'D', last @ (0 | 1)] => Some(last),
            _ => None,
        }
    }

    /// Whether this is a HelloRetryRequest (RFC 8446 §4.1.3): the server accepts TLS 1.3 but
    /// wants another key share.
    pub fn is_hello_retry_request(&self) -> bool {
        self.random == HELLO_RETRY_REQUEST_RANDOM
    }
}

/// One ServerHello extension, undecoded apart from `supported_versions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHelloExtension {
    /// `extension_type`.
    pub extension_type: u16,
    /// `extension_data`.
    pub data: Vec<u8>,
}

/// Alert level (RFC 5246 §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertLevel {
    /// 1.
    Warning,
    /// 2.
    Fatal,
    /// Any other value, as received.
    Unknown(u8),
}

impl AlertLevel {
    /// From the wire byte.
    pub fn from_u8(value: u8) -> Self {
        match value {
            1 => AlertLevel::Warning,
            2 => AlertLevel::Fatal,
            other => AlertLevel::Unknown(other),
        }
    }
}

impl std::fmt::Display for AlertLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AlertLevel::Warning => f.write_str("warning"),
            AlertLevel::Fatal => f.write_str("fatal"),
            AlertLevel::Unknown(value) => write!(f, "level {value}"),
        }
    }
}

/// Why the bytes are not a well-formed first flight, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset into the input where the problem is.
    pub offset: usize,
    /// What is wrong.
    pub kind: DecodeErrorKind,
}

/// What is wrong with a first flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// A later record's version major byte is not 3.
    BadRecordVersion {
        /// The record's version.
        version: u16,
    },
    /// A record longer than [`MAX_RECORD_LENGTH`].
    RecordTooLong {
        /// The declared length.
        length: usize,
    },
    /// A zero-length record (RFC 8446 §5.1 forbids zero-length handshake fragments; an
    /// alert cannot be empty).
    EmptyRecord,
    /// A record type that cannot come first (change_cipher_spec, application_data,
    /// heartbeat, or an unassigned type after the first record).
    UnexpectedContentType {
        /// The content type.
        content_type: u8,
    },
    /// The first handshake message is not a ServerHello.
    UnexpectedHandshakeType {
        /// The handshake type.
        handshake_type: u8,
    },
    /// A handshake message longer than [`MAX_HANDSHAKE_LENGTH`].
    HandshakeTooLong {
        /// The declared length.
        length: usize,
    },
    /// More than [`MAX_FIRST_FLIGHT`] bytes without a complete first handshake message.
    FlightTooLong,
    /// An alert record shorter than its two bytes.
    AlertTooShort,
    /// A field runs past the end of the ServerHello.
    Truncated {
        /// The field.
        field: &'static str,
    },
    /// A length field with an impossible value.
    InvalidLength {
        /// The field.
        field: &'static str,
    },
    /// Bytes left over inside the ServerHello after its last field.
    TrailingBytes {
        /// The field they follow.
        field: &'static str,
    },
    /// Two extensions of the same type (RFC 5246 §7.4.1.4: "MUST NOT").
    DuplicateExtension {
        /// The extension type.
        extension_type: u16,
    },
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = self.offset;
        match &self.kind {
            DecodeErrorKind::BadRecordVersion { version } => {
                write!(f, "record version 0x{version:04x} at byte {at}")
            }
            DecodeErrorKind::RecordTooLong { length } => write!(
                f,
                "record length {length} over the limit {MAX_RECORD_LENGTH} at byte {at}"
            ),
            DecodeErrorKind::EmptyRecord => write!(f, "empty record at byte {at}"),
            DecodeErrorKind::UnexpectedContentType { content_type } => {
                write!(f, "unexpected record type {content_type} at byte {at}")
            }
            DecodeErrorKind::UnexpectedHandshakeType { handshake_type } => write!(
                f,
                "first handshake message has type {handshake_type}, not server_hello (2), at byte {at}"
            ),
            DecodeErrorKind::HandshakeTooLong { length } => write!(
                f,
                "handshake length {length} over the limit {MAX_HANDSHAKE_LENGTH} at byte {at}"
            ),
            DecodeErrorKind::FlightTooLong => write!(
                f,
                "no complete handshake message within {MAX_FIRST_FLIGHT} bytes (at byte {at})"
            ),
            DecodeErrorKind::AlertTooShort => write!(f, "alert record too short at byte {at}"),
            DecodeErrorKind::Truncated { field } => {
                write!(f, "ServerHello field {field} truncated at byte {at}")
            }
            DecodeErrorKind::InvalidLength { field } => {
                write!(f, "invalid length of {field} at byte {at}")
            }
            DecodeErrorKind::TrailingBytes { field } => {
                write!(f, "trailing bytes after {field} at byte {at}")
            }
            DecodeErrorKind::DuplicateExtension { extension_type } => {
                write!(f, "duplicate extension {extension_type} at byte {at}")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decodes the server's first answer from the bytes received so far.
///
/// The first byte decides whether the peer speaks TLS at all: a record starts with a content
/// type 20 to 24 and version major 3; anything else is [`ServerAnswer::NotTls`]. Handshake
/// records are joined (a ServerHello may be fragmented over records, RFC 5246 §6.2.1) until
/// the first handshake message is complete; an Alert before that is the answer.
pub fn decode_first_flight(input: &[u8]) -> Result<Decoded, DecodeError> {
    let Some(&first) = input.first() else {
        return Ok(Decoded::NeedMore);
    };
    let not_tls = Decoded::Complete {
        answer: ServerAnswer::NotTls,
        consumed: 0,
    };
    if !(CONTENT_CHANGE_CIPHER_SPEC..=CONTENT_HEARTBEAT).contains(&first) {
        return Ok(not_tls);
    }
    if input.get(1).is_some_and(|&major| major != 3) {
        return Ok(not_tls);
    }

    // Handshake bytes joined from records, with where each piece came from in the input.
    let mut handshake = Vec::new();
    let mut pieces = Pieces::default();
    let mut pos = 0;
    loop {
        if pos > MAX_FIRST_FLIGHT {
            return Err(error(pos, DecodeErrorKind::FlightTooLong));
        }
        let Some(header) = input.get(pos..pos + 5) else {
            return Ok(Decoded::NeedMore);
        };
        let content_type = header[0];
        let version = u16::from_be_bytes([header[1], header[2]]);
        let length = usize::from(u16::from_be_bytes([header[3], header[4]]));
        if header[1] != 3 {
            return Err(error(
                pos + 1,
                DecodeErrorKind::BadRecordVersion { version },
            ));
        }
        if !(CONTENT_ALERT..=CONTENT_HANDSHAKE).contains(&content_type) {
            return Err(error(
                pos,
                DecodeErrorKind::UnexpectedContentType { content_type },
            ));
        }
        if length > MAX_RECORD_LENGTH {
            return Err(error(pos + 3, DecodeErrorKind::RecordTooLong { length }));
        }
        if length == 0 {
            return Err(error(pos + 3, DecodeErrorKind::EmptyRecord));
        }
        let payload_start = pos + 5;
        let Some(payload) = input.get(payload_start..payload_start + length) else {
            return Ok(Decoded::NeedMore);
        };
        pos = payload_start + length;
        if content_type == CONTENT_ALERT {
            let [level, description, ..] = payload else {
                return Err(error(payload_start, DecodeErrorKind::AlertTooShort));
            };
            return Ok(Decoded::Complete {
                answer: ServerAnswer::Alert {
                    level: AlertLevel::from_u8(*level),
                    description: AlertDescription::from_u8(*description),
                },
                consumed: pos,
            });
        }

        pieces.push(handshake.len(), payload_start);
        handshake.extend_from_slice(payload);
        if handshake[0] != HANDSHAKE_SERVER_HELLO {
            return Err(error(
                pieces.input_offset(0),
                DecodeErrorKind::UnexpectedHandshakeType {
                    handshake_type: handshake[0],
                },
            ));
        }
        let Some(length_bytes) = handshake.get(1..4) else {
            continue;
        };
        let message_length = usize::from(length_bytes[0]) << 16
            | usize::from(length_bytes[1]) << 8
            | usize::from(length_bytes[2]);
        if message_length > MAX_HANDSHAKE_LENGTH {
            return Err(error(
                pieces.input_offset(1),
                DecodeErrorKind::HandshakeTooLong {
                    length: message_length,
                },
            ));
        }
        let Some(body) = handshake.get(4..4 + message_length) else {
            continue;
        };
        let hello = parse_server_hello(body)
            .map_err(|(index, kind)| error(pieces.input_offset(4 + index), kind))?;
        return Ok(Decoded::Complete {
            answer: ServerAnswer::ServerHello(hello),
            consumed: pos,
        });
    }
}

fn error(offset: usize, kind: DecodeErrorKind) -> DecodeError {
    DecodeError { offset, kind }
}

/// Maps an index into the joined handshake bytes back to an input offset.
#[derive(Default)]
struct Pieces {
    /// (index in the joined bytes, offset in the input) where each record's payload starts.
    starts: Vec<(usize, usize)>,
}

impl Pieces {
    fn push(&mut self, joined_index: usize, input_offset: usize) {
        self.starts.push((joined_index, input_offset));
    }

    fn input_offset(&self, joined_index: usize) -> usize {
        self.starts
            .iter()
            .rev()
            .find(|(start, _)| *start <= joined_index)
            .map(|(start, offset)| offset + (joined_index - start))
            .unwrap_or(joined_index)
    }
}

/// A bounds-checked reader; errors carry the index where the failing field starts.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

type FieldError = (usize, DecodeErrorKind);

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize, field: &'static str) -> Result<&'a [u8], FieldError> {
        let slice = self
            .bytes
            .get(self.pos..self.pos.saturating_add(count))
            .ok_or((self.pos, DecodeErrorKind::Truncated { field }))?;
        self.pos += count;
        Ok(slice)
    }

    fn u8(&mut self, field: &'static str) -> Result<u8, FieldError> {
        Ok(self.take(1, field)?[0])
    }

    fn u16(&mut self, field: &'static str) -> Result<u16, FieldError> {
        let bytes = self.take(2, field)?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }
}

fn parse_server_hello(body: &[u8]) -> Result<ServerHello, FieldError> {
    let mut reader = Reader {
        bytes: body,
        pos: 0,
    };
    let legacy_version = ProtocolVersion(reader.u16("server_version")?);
    let mut random = [0u8; 32];
    random.copy_from_slice(reader.take(32, "random")?);
    let session_id_at = reader.pos;
    let session_id_length = usize::from(reader.u8("session_id length")?);
    if session_id_length > 32 {
        return Err((
            session_id_at,
            DecodeErrorKind::InvalidLength {
                field: "session_id",
            },
        ));
    }
    let session_id = reader.take(session_id_length, "session_id")?.to_vec();
    let cipher_suite = reader.u16("cipher_suite")?;
    let compression_method = reader.u8("compression_method")?;
    let mut extensions: Vec<ServerHelloExtension> = Vec::new();
    let mut selected_version = None;
    // SSL 3.0 and extension-less TLS servers end here (RFC 5246 §7.4.1.3).
    if reader.remaining() > 0 {
        let list_at = reader.pos;
        let list_length = usize::from(reader.u16("extensions length")?);
        if list_length != reader.remaining() {
            return Err((
                list_at,
                if list_length > reader.remaining() {
                    DecodeErrorKind::Truncated {
                        field: "extensions",
                    }
                } else {
                    DecodeErrorKind::TrailingBytes {
                        field: "extensions",
                    }
                },
            ));
        }
        while reader.remaining() > 0 {
            let extension_at = reader.pos;
            let extension_type = reader.u16("extension_type")?;
            let length = usize::from(reader.u16("extension_data length")?);
            let data_at = reader.pos;
            let data = reader.take(length, "extension_data")?;
            if extensions
                .iter()
                .any(|e| e.extension_type == extension_type)
            {
                return Err((
                    extension_at,
                    DecodeErrorKind::DuplicateExtension { extension_type },
                ));
            }
            if extension_type == EXT_SUPPORTED_VERSIONS {
                let [major, minor] = data else {
                    return Err((
                        data_at,
                        DecodeErrorKind::InvalidLength {
                            field: "supported_versions",
                        },
                    ));
                };
                selected_version = Some(ProtocolVersion(u16::from_be_bytes([*major, *minor])));
            }
            extensions.push(ServerHelloExtension {
                extension_type,
                data: data.to_vec(),
            });
        }
    }
    Ok(ServerHello {
        legacy_version,
        random,
        session_id,
        cipher_suite,
        compression_method,
        extensions,
        selected_version,
    })
}
