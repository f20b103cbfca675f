//! SCRAM (RFC 5802) with SHA-1 or SHA-256 (RFC 7677), without channel binding (`n,,`): the
//! client side the checks use and the server side the reference servers use.
//!
//! ```text
//! C: n,,n=user,r=<client nonce>                              client-first
//! S: r=<client nonce><server nonce>,s=<salt>,i=<iterations>    server-first
//! C: c=biws,r=<nonce>,p=<ClientProof>                          client-final
//! S: v=<ServerSignature>                                       server-final
//! ```
//!
//! User names are escaped (`,` as `=2C`, `=` as `=3D`) but not SASLprep-normalised: the
//! harness's accounts are ASCII.

use std::fmt;
use std::num::NonZeroU32;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::rand::SecureRandom;

/// The hash function of a SCRAM mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    /// `SCRAM-SHA-1` (RFC 5802).
    Sha1,
    /// `SCRAM-SHA-256` (RFC 7677).
    Sha256,
}

impl Hash {
    /// The SASL mechanism name.
    pub fn mechanism(self) -> &'static str {
        match self {
            Hash::Sha1 => "SCRAM-SHA-1",
            Hash::Sha256 => "SCRAM-SHA-256",
        }
    }

    fn hmac_algorithm(self) -> ring::hmac::Algorithm {
        match self {
            Hash::Sha1 => ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            Hash::Sha256 => ring::hmac::HMAC_SHA256,
        }
    }

    fn pbkdf2_algorithm(self) -> ring::pbkdf2::Algorithm {
        match self {
            Hash::Sha1 => ring::pbkdf2::PBKDF2_HMAC_SHA1,
            Hash::Sha256 => ring::pbkdf2::PBKDF2_HMAC_SHA256,
        }
    }

    fn digest_algorithm(self) -> &'static ring::digest::Algorithm {
        match self {
            Hash::Sha1 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            Hash::Sha256 => &ring::digest::SHA256,
        }
    }

    fn len(self) -> usize {
        match self {
            Hash::Sha1 => 20,
            Hash::Sha256 => 32,
        }
    }

    fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        let key = ring::hmac::Key::new(self.hmac_algorithm(), key);
        ring::hmac::sign(&key, data).as_ref().to_vec()
    }

    fn h(self, data: &[u8]) -> Vec<u8> {
        ring::digest::digest(self.digest_algorithm(), data)
            .as_ref()
            .to_vec()
    }

    /// `Hi(password, salt, i)`: PBKDF2 with this hash's HMAC.
    pub fn salted_password(self, password: &str, salt: &[u8], iterations: NonZeroU32) -> Vec<u8> {
        let mut out = vec![0u8; self.len()];
        ring::pbkdf2::derive(
            self.pbkdf2_algorithm(),
            iterations,
            salt,
            password.as_bytes(),
            &mut out,
        );
        out
    }
}

/// Why a SCRAM exchange cannot go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScramError {
    /// A message is not of the RFC 5802 §7 form; says which and why.
    Malformed(String),
    /// The server's nonce does not start with the client's (RFC 5802 §5.1).
    NonceMismatch,
    /// The server-final message carries `e=` (an error).
    ServerError(String),
    /// The server's `v=` is not the ServerSignature the password gives: the server does not
    /// know the password (or the exchange was tampered with).
    BadServerSignature,
    /// The client's proof does not verify (server side).
    BadProof,
    /// The user is unknown (server side).
    UnknownUser,
}

impl fmt::Display for ScramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScramError::Malformed(why) => write!(f, "malformed SCRAM message: {why}"),
            ScramError::NonceMismatch => {
                f.write_str("the server nonce does not start with the client nonce")
            }
            ScramError::ServerError(error) => write!(f, "the server sent e={error}"),
            ScramError::BadServerSignature => {
                f.write_str("the server signature (v=) does not verify")
            }
            ScramError::BadProof => f.write_str("the client proof does not verify"),
            ScramError::UnknownUser => f.write_str("unknown user"),
        }
    }
}

impl std::error::Error for ScramError {}

/// A fresh printable nonce (base64 of 18 random octets; no `,`).
pub fn nonce() -> String {
    let mut bytes = [0u8; 18];
    // SystemRandom fails only without an OS random source; a time-based fallback keeps the
    // exchange going (the nonce only needs to be fresh, not secret, for the checks).
    if ring::rand::SystemRandom::new().fill(&mut bytes).is_err() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        for (slot, byte) in bytes.iter_mut().zip(now.to_le_bytes()) {
            *slot = byte;
        }
    }
    STANDARD.encode(bytes)
}

/// `saslname` escaping (RFC 5802 §5.1).
fn escape(name: &str) -> String {
    name.replace('=', "=3D").replace(',', "=2C")
}

fn unescape(name: &str) -> Result<String, ScramError> {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(at) = rest.find('=') {
        out.push_str(rest.get(..at).unwrap_or_default());
        let escape = rest.get(at..at + 3).unwrap_or_default();
        match escape {
            "=2C" => out.push(','),
            "=3D" => out.push('='),
            _ => {
                return Err(ScramError::Malformed(format!(
                    "bad saslname escape in {name:?}"
                )));
            }
        }
        rest = rest.get(at + 3..).unwrap_or_default();
    }
    out.push_str(rest);
    Ok(out)
}

/// The `key=value` attributes of a message, in order.
fn attributes(message: &str) -> Vec<(char, &str)> {
    message
        .split(',')
        .filter_map(|part| {
            let mut chars = part.chars();
            let key = chars.next()?;
            let rest = chars.as_str();
            rest.strip_prefix('=').map(|value| (key, value))
        })
        .collect()
}

fn attribute<'m>(attributes: &[(char, &'m str)], key: char) -> Option<&'m str> {
    attributes
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, value)| *value)
}

/// Equality without an early exit on the first differing octet.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn xor(a: &[u8], b: &[u8]) -> Vec<u8> {
    a.iter().zip(b).map(|(x, y)| x ^ y).collect()
}

/// Keys derived from a salted password.
struct Keys {
    client_key: Vec<u8>,
    stored_key: Vec<u8>,
    server_key: Vec<u8>,
}

fn keys(hash: Hash, salted_password: &[u8]) -> Keys {
    let client_key = hash.hmac(salted_password, b"Client Key");
    let stored_key = hash.h(&client_key);
    let server_key = hash.hmac(salted_password, b"Server Key");
    Keys {
        client_key,
        stored_key,
        server_key,
    }
}

/// What the server's first message said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerFirst {
    /// The combined nonce.
    pub nonce: String,
    /// The salt (decoded).
    pub salt: Vec<u8>,
    /// The iteration count.
    pub iterations: u32,
}

/// The client side of one SCRAM exchange.
#[derive(Debug, Clone)]
pub struct ScramClient {
    hash: Hash,
    password: String,
    client_first_bare: String,
    client_nonce: String,
    expected_server_signature: Option<Vec<u8>>,
    server_first: Option<ServerFirst>,
}

impl ScramClient {
    /// A client for `user` with `password` and a fresh nonce.
    pub fn new(hash: Hash, user: &str, password: &str) -> ScramClient {
        ScramClient::with_nonce(hash, user, password, &nonce())
    }

    /// A client with a given nonce (the RFCs' examples).
    pub fn with_nonce(hash: Hash, user: &str, password: &str, nonce: &str) -> ScramClient {
        ScramClient {
            hash,
            password: password.to_string(),
            client_first_bare: format!("n={},r={nonce}", escape(user)),
            client_nonce: nonce.to_string(),
            expected_server_signature: None,
            server_first: None,
        }
    }

    /// The mechanism name.
    pub fn mechanism(&self) -> &'static str {
        self.hash.mechanism()
    }

    /// The client-first message (`n,,n=user,r=nonce`).
    pub fn client_first(&self) -> String {
        format!("n,,{}", self.client_first_bare)
    }

    /// What the server-first message said, once [`ScramClient::client_final`] has read it.
    pub fn server_first(&self) -> Option<&ServerFirst> {
        self.server_first.as_ref()
    }

    /// The client-final message answering `server_first`; with `spoil_proof`, the proof has
    /// every bit of its first octet flipped (a client that does not know the password).
    pub fn client_final(
        &mut self,
        server_first: &[u8],
        spoil_proof: bool,
    ) -> Result<String, ScramError> {
        let text = std::str::from_utf8(server_first)
            .map_err(|_| ScramError::Malformed("server-first is not UTF-8".into()))?;
        let attrs = attributes(text);
        if let Some(error) = attribute(&attrs, 'e') {
            return Err(ScramError::ServerError(error.to_string()));
        }
        let nonce = attribute(&attrs, 'r')
            .ok_or_else(|| ScramError::Malformed(format!("no r= in server-first {text:?}")))?;
        if !nonce.starts_with(&self.client_nonce) || nonce.len() == self.client_nonce.len() {
            return Err(ScramError::NonceMismatch);
        }
        let salt = attribute(&attrs, 's')
            .and_then(|salt| STANDARD.decode(salt).ok())
            .ok_or_else(|| ScramError::Malformed(format!("no base64 s= in {text:?}")))?;
        let iterations = attribute(&attrs, 'i')
            .and_then(|i| i.parse::<u32>().ok())
            .and_then(NonZeroU32::new)
            .ok_or_else(|| ScramError::Malformed(format!("no positive i= in {text:?}")))?;
        // c= is base64 of the GS2 header `n,,`.
        let without_proof = format!("c=biws,r={nonce}");
        let auth_message = format!("{},{text},{without_proof}", self.client_first_bare);
        let salted = self.hash.salted_password(&self.password, &salt, iterations);
        let keys = keys(self.hash, &salted);
        let client_signature = self.hash.hmac(&keys.stored_key, auth_message.as_bytes());
        let mut proof = xor(&keys.client_key, &client_signature);
        if spoil_proof && let Some(first) = proof.first_mut() {
            *first ^= 0xff;
        }
        self.expected_server_signature =
            Some(self.hash.hmac(&keys.server_key, auth_message.as_bytes()));
        self.server_first = Some(ServerFirst {
            nonce: nonce.to_string(),
            salt,
            iterations: iterations.get(),
        });
        Ok(format!("{without_proof},p={}", STANDARD.encode(proof)))
    }

    /// Verifies the server-final message (`v=`): `Ok` when the server proved it knows the
    /// password's ServerKey (RFC 5802 §3).
    pub fn verify_server_final(&self, server_final: &[u8]) -> Result<(), ScramError> {
        let text = std::str::from_utf8(server_final)
            .map_err(|_| ScramError::Malformed("server-final is not UTF-8".into()))?;
        let attrs = attributes(text);
        if let Some(error) = attribute(&attrs, 'e') {
            return Err(ScramError::ServerError(error.to_string()));
        }
        let signature = attribute(&attrs, 'v')
            .and_then(|v| STANDARD.decode(v).ok())
            .ok_or_else(|| ScramError::Malformed(format!("no base64 v= in {text:?}")))?;
        let expected = self
            .expected_server_signature
            .as_ref()
            .ok_or_else(|| ScramError::Malformed("server-final before server-first".into()))?;
        if same(expected, &signature) {
            Ok(())
        } else {
            Err(ScramError::BadServerSignature)
        }
    }
}

/// The server side of one SCRAM exchange, after the client-first message.
#[derive(Debug, Clone)]
pub struct ScramServer {
    hash: Hash,
    user: String,
    stored_key: Vec<u8>,
    server_key: Vec<u8>,
    auth_message_head: String,
    nonce: String,
}

impl ScramServer {
    /// Reads the client-first message; `password` gives the user's password (the reference
    /// stores passwords in plain text and derives the keys per exchange). Returns the server
    /// and its server-first message.
    pub fn start(
        hash: Hash,
        client_first: &[u8],
        password: impl Fn(&str) -> Option<String>,
        salt: &[u8],
        iterations: NonZeroU32,
        server_nonce: &str,
    ) -> Result<(ScramServer, String), ScramError> {
        let text = std::str::from_utf8(client_first)
            .map_err(|_| ScramError::Malformed("client-first is not UTF-8".into()))?;
        // GS2 header: `n,` (or `y,`; `p=` asks for channel binding, not offered) and an
        // optional authzid, then the bare message.
        let mut parts = text.splitn(3, ',');
        let flag = parts.next().unwrap_or_default();
        let _authzid = parts.next().unwrap_or_default();
        let bare = parts
            .next()
            .ok_or_else(|| ScramError::Malformed(format!("no GS2 header in {text:?}")))?;
        if flag != "n" && flag != "y" {
            return Err(ScramError::Malformed(format!(
                "unsupported channel-binding flag {flag:?}"
            )));
        }
        let attrs = attributes(bare);
        let user = attribute(&attrs, 'n')
            .ok_or_else(|| ScramError::Malformed(format!("no n= in {bare:?}")))?;
        let user = unescape(user)?;
        let client_nonce = attribute(&attrs, 'r')
            .ok_or_else(|| ScramError::Malformed(format!("no r= in {bare:?}")))?;
        let password = password(&user).ok_or(ScramError::UnknownUser)?;
        let salted = hash.salted_password(&password, salt, iterations);
        let keys = keys(hash, &salted);
        let nonce = format!("{client_nonce}{server_nonce}");
        let server_first = format!("r={nonce},s={},i={}", STANDARD.encode(salt), iterations);
        Ok((
            ScramServer {
                hash,
                user,
                stored_key: keys.stored_key,
                server_key: keys.server_key,
                auth_message_head: format!("{bare},{server_first}"),
                nonce,
            },
            server_first,
        ))
    }

    /// The user the client names.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Verifies the client-final message; returns the server-final message (`v=...`).
    pub fn finish(&self, client_final: &[u8]) -> Result<String, ScramError> {
        let text = std::str::from_utf8(client_final)
            .map_err(|_| ScramError::Malformed("client-final is not UTF-8".into()))?;
        let (without_proof, proof) = text
            .rsplit_once(",p=")
            .ok_or_else(|| ScramError::Malformed(format!("no p= in {text:?}")))?;
        let attrs = attributes(without_proof);
        if attribute(&attrs, 'r') != Some(self.nonce.as_str()) {
            return Err(ScramError::NonceMismatch);
        }
        if attribute(&attrs, 'c').is_none() {
            return Err(ScramError::Malformed(format!("no c= in {text:?}")));
        }
        let proof = STANDARD
            .decode(proof)
            .map_err(|_| ScramError::Malformed("p= is not base64".into()))?;
        let auth_message = format!("{},{without_proof}", self.auth_message_head);
        let client_signature = self.hash.hmac(&self.stored_key, auth_message.as_bytes());
        let client_key = xor(&proof, &client_signature);
        if proof.len() != client_signature.len()
            || !same(&self.hash.h(&client_key), &self.stored_key)
        {
            return Err(ScramError::BadProof);
        }
        Ok(self.server_final(false, auth_message.as_bytes()))
    }

    /// The server-final message for `auth_message`; `spoiled` flips the signature's first
    /// octet (the reference's `scram-bad-server-signature` fault).
    fn server_final(&self, spoiled: bool, auth_message: &[u8]) -> String {
        let mut signature = self.hash.hmac(&self.server_key, auth_message);
        if spoiled && let Some(first) = signature.first_mut() {
            *first ^= 0xff;
        }
        format!("v={}", STANDARD.encode(signature))
    }

    /// The server-final message for the exchange `client_final` ends, whatever its proof;
    /// `spoiled` flips the signature's first octet (the reference's
    /// `scram-bad-server-signature` fault).
    pub fn server_final_for(&self, client_final: &[u8], spoiled: bool) -> String {
        let text = String::from_utf8_lossy(client_final);
        let without_proof = text.rsplit_once(",p=").map_or(&*text, |(head, _)| head);
        let auth_message = format!("{},{without_proof}", self.auth_message_head);
        self.server_final(spoiled, auth_message.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iterations() -> NonZeroU32 {
        NonZeroU32::new(4096).unwrap_or(NonZeroU32::MIN)
    }

    /// RFC 7677 §3: the SCRAM-SHA-256 example exchange (user `user`, password `pencil`).
    #[test]
    fn rfc7677_example_exchange_client() {
        let mut client =
            ScramClient::with_nonce(Hash::Sha256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        assert_eq!(client.client_first(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        let server_first = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
        let client_final = client.client_final(server_first.as_bytes(), false).unwrap();
        assert_eq!(
            client_final,
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
        assert_eq!(
            client.verify_server_final(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
            Ok(())
        );
        assert_eq!(
            client.verify_server_final(b"v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
            Err(ScramError::BadServerSignature)
        );
        assert_eq!(
            client.verify_server_final(b"e=invalid-proof"),
            Err(ScramError::ServerError("invalid-proof".into()))
        );
        assert_eq!(client.server_first().map(|s| s.iterations), Some(4096));
    }

    /// RFC 5802 §5: the SCRAM-SHA-1 example exchange.
    #[test]
    fn rfc5802_example_exchange_client() {
        let mut client =
            ScramClient::with_nonce(Hash::Sha1, "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL");
        assert_eq!(
            client.client_first(),
            "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"
        );
        let client_final = client
            .client_final(
                b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
                false,
            )
            .unwrap();
        assert_eq!(
            client_final,
            "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
        );
        assert_eq!(
            client.verify_server_final(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ="),
            Ok(())
        );
    }

    /// The server side reproduces the RFC 7677 exchange from the same salt and nonce, and
    /// refuses a spoiled proof.
    #[test]
    fn rfc7677_example_exchange_server() {
        let salt = STANDARD.decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
        let password = |user: &str| (user == "user").then(|| "pencil".to_string());
        let (server, server_first) = ScramServer::start(
            Hash::Sha256,
            b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
            password,
            &salt,
            iterations(),
            "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
        )
        .unwrap();
        assert_eq!(
            server_first,
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
        );
        let client_final = b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
        assert_eq!(
            server.finish(client_final).as_deref(),
            Ok("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        );
        assert_eq!(
            server.server_final_for(client_final, false),
            "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
        );
        assert_ne!(
            server.server_final_for(client_final, true),
            "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
        );
        let mut client =
            ScramClient::with_nonce(Hash::Sha256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        let spoiled = client.client_final(server_first.as_bytes(), true).unwrap();
        assert_eq!(server.finish(spoiled.as_bytes()), Err(ScramError::BadProof));
        assert!(matches!(
            ScramServer::start(
                Hash::Sha256,
                b"n,,n=nobody,r=abc",
                password,
                &salt,
                iterations(),
                "x"
            ),
            Err(ScramError::UnknownUser)
        ));
    }

    #[test]
    fn round_trip_with_escaped_names_and_fresh_nonces() {
        let user = "we,ird=name";
        let mut client = ScramClient::new(Hash::Sha256, user, "secret");
        assert!(client.client_first().contains("n=we=2Cird=3Dname,"));
        let (server, first) = ScramServer::start(
            Hash::Sha256,
            client.client_first().as_bytes(),
            |name| (name == user).then(|| "secret".to_string()),
            b"salt-salt",
            iterations(),
            &nonce(),
        )
        .unwrap();
        assert_eq!(server.user(), user);
        let last = client.client_final(first.as_bytes(), false).unwrap();
        let server_final = server.finish(last.as_bytes()).unwrap();
        assert_eq!(client.verify_server_final(server_final.as_bytes()), Ok(()));
    }

    #[test]
    fn a_server_that_does_not_extend_the_nonce_is_refused() {
        let mut client = ScramClient::with_nonce(Hash::Sha256, "user", "pencil", "abc");
        assert_eq!(
            client.client_final(b"r=abc,s=c2FsdA==,i=4096", false),
            Err(ScramError::NonceMismatch)
        );
        assert_eq!(
            client.client_final(b"r=xyzabc,s=c2FsdA==,i=4096", false),
            Err(ScramError::NonceMismatch)
        );
        assert!(matches!(
            client.client_final(b"r=abcd,s=!!,i=4096", false),
            Err(ScramError::Malformed(_))
        ));
        assert!(matches!(
            client.client_final(b"r=abcd,s=c2FsdA==,i=0", false),
            Err(ScramError::Malformed(_))
        ));
    }
}
