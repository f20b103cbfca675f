//! The reference servers' security-posture faults (issue 12): every TLS listener (IMAP
//! STARTTLS and 993, submission STARTTLS and 465, HTTPS autoconfig) accepts through
//! [`accept`], and its certificate comes from [`server_config`].
//!
//! - Version and cipher faults act at the ClientHello: rustls speaks neither SSL 3.0 to
//!   TLS 1.1 nor NULL/export/RC4/3DES/static-RSA suites, so the listener reads the client's
//!   first record itself (without consuming it: `peek`), and when a fault applies answers
//!   with a hand-built ServerHello of the old version or weak suite (or an alert) and hangs
//!   up; otherwise rustls gets the untouched connection.
//! - Certificate faults swap the served certificate (expired, expiring, wrong name,
//!   untrusted, weak key) at start.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use super::faults::{Fault, Faults};
use super::tls::{ReferenceTls, TlsSetupError, provider};
use crate::tls_wire::server::{
    ClientHelloSummary, decode_client_hello, encode_alert, encode_server_hello, first_record_length,
};
use crate::tls_wire::{AlertDescription, TlsVersion, ciphers};

/// A 1024-bit RSA certificate signed with SHA-1 for localhost, 127.0.0.1 and ::1 (made once
/// with `openssl req -x509 -newkey rsa:1024 -sha1`); served under
/// [`Fault::TlsCertificateWeakKey`]. Its private key is not kept: ring cannot sign with
/// 1024-bit RSA, so the handshake signature is made with another key and fails at the client
/// after the certificate was seen, which is all the key and signature checks need.
const WEAK_CERTIFICATE_PEM: &str = include_str!("weak-rsa1024-sha1.pem");

/// The faults that act at the ClientHello.
const HELLO_FAULTS: [Fault; 7] = [
    Fault::TlsAcceptsSsl3,
    Fault::TlsAcceptsTls10,
    Fault::TlsAcceptsTls11,
    Fault::TlsLegacyOnly,
    Fault::TlsWeakCiphers,
    Fault::TlsCbcOnly,
    Fault::TlsStaticRsaOnly,
];

/// Alert `protocol_version` (RFC 5246 §7.2.2).
const ALERT_PROTOCOL_VERSION: u8 = 70;
/// Alert `handshake_failure` (RFC 5246 §7.2.2).
const ALERT_HANDSHAKE_FAILURE: u8 = 40;

/// The server configuration for a reference with `faults`: the shared one, or one serving the
/// faulty certificate a certificate fault asks for.
pub fn server_config(
    tls: &ReferenceTls,
    faults: &Faults,
    names: &[String],
) -> Result<Arc<rustls::ServerConfig>, TlsSetupError> {
    let generated = |params: rcgen::CertificateParams| -> Result<_, TlsSetupError> {
        let key = rcgen::KeyPair::generate().map_err(TlsSetupError::Certificate)?;
        let cert = params
            .self_signed(&key)
            .map_err(TlsSetupError::Certificate)?;
        Ok((cert.der().clone(), key.serialize_der()))
    };
    let params = |names: Vec<String>| {
        rcgen::CertificateParams::new(names).map_err(TlsSetupError::Certificate)
    };
    let (chain, key) = if faults.has(Fault::TlsCertificateExpired) {
        let mut p = params(names.to_vec())?;
        p.not_before = rcgen::date_time_ymd(2020, 1, 1);
        p.not_after = rcgen::date_time_ymd(2021, 1, 1);
        generated(p)?
    } else if faults.has(Fault::TlsCertificateExpiring) {
        let mut p = params(names.to_vec())?;
        let soon = chrono::Utc::now() + chrono::Duration::days(10);
        use chrono::Datelike;
        p.not_before = rcgen::date_time_ymd(2020, 1, 1);
        p.not_after = rcgen::date_time_ymd(soon.year(), soon.month() as u8, soon.day() as u8);
        generated(p)?
    } else if faults.has(Fault::TlsCertificateWrongName) {
        generated(params(vec!["wrong-name.example.net".to_string()])?)?
    } else if faults.has(Fault::TlsCertificateUntrusted) {
        generated(params(names.to_vec())?)?
    } else if faults.has(Fault::TlsCertificateWeakKey) {
        return weak_key_config();
    } else {
        return Ok(Arc::clone(&tls.server));
    };
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key));
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(TlsSetupError::Rustls)?
        .with_no_client_auth()
        .with_single_cert(vec![chain], key)
        .map_err(TlsSetupError::Rustls)?;
    Ok(Arc::new(config))
}

/// Serves [`WEAK_CERTIFICATE_PEM`] with a signing key that is not its own (see there).
fn weak_key_config() -> Result<Arc<rustls::ServerConfig>, TlsSetupError> {
    use rustls::pki_types::pem::PemObject;
    let certificate = CertificateDer::from_pem_slice(WEAK_CERTIFICATE_PEM.as_bytes())
        .map_err(|e| TlsSetupError::Rustls(rustls::Error::General(e.to_string())))?;
    let key = rcgen::KeyPair::generate().map_err(TlsSetupError::Certificate)?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let signing_key = provider()
        .key_provider
        .load_private_key(key)
        .map_err(TlsSetupError::Rustls)?;
    let certified = rustls::sign::CertifiedKey::new(vec![certificate], signing_key);
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(TlsSetupError::Rustls)?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(rustls::sign::SingleCertAndKey::from(certified)));
    Ok(Arc::new(config))
}

/// The answer past a listener's connection cap: `refusal` (an IMAP `* BYE`, an SMTP `421`)
/// written as the greeting, over TLS on an implicit-TLS port, each step bounded by a few
/// seconds, then the connection closed.
pub async fn refuse_connection(
    socket: TcpStream,
    tls: &Arc<rustls::ServerConfig>,
    implicit_tls: bool,
    refusal: &[u8],
) {
    let within = Duration::from_secs(3);
    if implicit_tls {
        let acceptor = TlsAcceptor::from(Arc::clone(tls));
        if let Ok(Ok(mut stream)) = tokio::time::timeout(within, acceptor.accept(socket)).await {
            let _ = tokio::time::timeout(within, async {
                stream.write_all(refusal).await?;
                stream.shutdown().await
            })
            .await;
        }
    } else {
        let mut socket = socket;
        let _ = tokio::time::timeout(within, socket.write_all(refusal)).await;
    }
}

/// [`accept`], given up at `deadline` (the session's timer): `Ok(None)` when it passed first.
pub async fn accept_by(
    deadline: tokio::time::Instant,
    acceptor: &TlsAcceptor,
    socket: TcpStream,
    faults: &Faults,
) -> std::io::Result<Option<TlsStream<TcpStream>>> {
    match tokio::time::timeout_at(deadline, accept(acceptor, socket, faults)).await {
        Ok(accepted) => accepted.map(Some),
        Err(_) => Ok(None),
    }
}

/// Accepts TLS on `socket`: straight to rustls, unless a ClientHello-level fault is active
/// and applies to the client's hello, in which case the fault's answer is sent, the
/// connection closed, and an error returned (the session ends there).
pub async fn accept(
    acceptor: &TlsAcceptor,
    socket: TcpStream,
    faults: &Faults,
) -> std::io::Result<TlsStream<TcpStream>> {
    if HELLO_FAULTS.iter().any(|fault| faults.has(*fault))
        && let Some(hello) = peek_client_hello(&socket).await
        && let Some(answer) = faulty_answer(&hello, faults)
    {
        let mut socket = socket;
        socket.write_all(&answer).await?;
        socket.flush().await?;
        let _ = socket.shutdown().await;
        return Err(std::io::Error::other("answered by a TLS fault"));
    }
    acceptor.accept(socket).await
}

/// The client's first record, decoded, once it has arrived whole (bounded in time and size);
/// `None` when it is not a ClientHello.
async fn peek_client_hello(socket: &TcpStream) -> Option<ClientHelloSummary> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut buffer = vec![0u8; 1 << 15];
    loop {
        let remaining = deadline.checked_duration_since(Instant::now())?;
        let read = tokio::time::timeout(remaining, socket.peek(&mut buffer))
            .await
            .ok()?
            .ok()?;
        let peeked = buffer.get(..read)?;
        match first_record_length(peeked) {
            Some(needed) if read >= needed => return decode_client_hello(peeked).ok(),
            Some(needed) if needed > buffer.len() => return None,
            _ if read == 0 => return None,
            _ => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    }
}

/// What a fault answers to `hello`, or `None` to let rustls handle it.
fn faulty_answer(hello: &ClientHelloSummary, faults: &Faults) -> Option<Vec<u8>> {
    let highest = hello.highest_version();
    let first = hello.cipher_suites.first().copied().unwrap_or(0x002f);
    if hello.offers_modern() {
        let alert = |code| Some(encode_alert(highest, AlertDescription::from_u8(code)));
        let suites = &hello.cipher_suites;
        if faults.has(Fault::TlsLegacyOnly) {
            return alert(ALERT_PROTOCOL_VERSION);
        }
        if faults.has(Fault::TlsCbcOnly) && !suites.iter().any(|s| ciphers::is_cbc(*s)) {
            return alert(ALERT_HANDSHAKE_FAILURE);
        }
        if faults.has(Fault::TlsStaticRsaOnly)
            && !suites.iter().any(|s| ciphers::STATIC_RSA.contains(s))
        {
            return alert(ALERT_HANDSHAKE_FAILURE);
        }
        let offers_tls13 = highest >= TlsVersion::Tls1_3.wire();
        if !offers_tls13
            && faults.has(Fault::TlsWeakCiphers)
            && suites.iter().all(|s| ciphers::is_weak(*s))
        {
            return Some(encode_server_hello(TlsVersion::Tls1_2.wire(), first));
        }
        return None;
    }
    let accepts = match highest.known() {
        Some(TlsVersion::Ssl3_0) => faults.has(Fault::TlsAcceptsSsl3),
        Some(TlsVersion::Tls1_0) => faults.has(Fault::TlsAcceptsTls10),
        Some(TlsVersion::Tls1_1) => faults.has(Fault::TlsAcceptsTls11),
        _ => false,
    } || faults.has(Fault::TlsLegacyOnly);
    accepts.then(|| encode_server_hello(highest, first))
}
