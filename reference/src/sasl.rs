//! SCRAM-SHA-256 and OAUTHBEARER for the reference IMAP and submission servers (issue 12),
//! shared by both: the per-user salt, the bearer tokens the reference deployment hands out,
//! and the verdict on a client's messages with the faults applied.

pub mod oauthbearer;
pub mod scram;

use std::num::NonZeroU32;

use super::faults::{Fault, Faults};
use super::store::Store;
use crate::sasl::scram::{Hash, ScramError, ScramServer};

/// The SCRAM iteration count the reference announces (RFC 7677 §3: at least 4096).
pub const SCRAM_ITERATIONS: u32 = 4096;

/// The SASL mechanisms the reference offers over TLS, after PLAIN (and LOGIN for SMTP).
pub const MECHANISMS: [&str; 2] = ["SCRAM-SHA-256", "OAUTHBEARER"];

/// The OAuth 2.0 bearer token the reference accepts for `address` (the reference target
/// gives it to the harness as the account's `oauth_token`).
pub fn oauth_token(address: &str) -> String {
    let local = address.split('@').next().unwrap_or(address);
    format!("gw-reference-token-{local}")
}

/// A login name as an account address: `alice` is `alice@DOMAIN` (as for LOGIN).
pub fn resolve_user(store: &Store, user: &str) -> String {
    let full = format!("{user}@{}", super::DOMAIN);
    if !user.contains('@') && store.has_account(&full) {
        full
    } else {
        user.to_string()
    }
}

/// Reads a SCRAM-SHA-256 client-first message: the server state and its server-first
/// message.
pub fn scram_start(
    store: &Store,
    client_first: &[u8],
) -> Result<(ScramServer, String), ScramError> {
    let iterations = NonZeroU32::new(SCRAM_ITERATIONS).unwrap_or(NonZeroU32::MIN);
    ScramServer::start(
        Hash::Sha256,
        client_first,
        |user| store.password(&resolve_user(store, user)),
        b"groupwire-reference-salt",
        iterations,
        &crate::sasl::scram::nonce(),
    )
}

/// Verifies a SCRAM-SHA-256 client-final message under `faults`: `Ok(server-final)` when the
/// client is let in (its proof verified, or `scram-accepts-bad-proof`), the server-final
/// carrying a wrong signature under `scram-bad-server-signature`.
pub fn scram_finish(
    server: &ScramServer,
    client_final: &[u8],
    faults: &Faults,
) -> Result<String, ScramError> {
    match server.finish(client_final) {
        Ok(_) => {}
        Err(ScramError::BadProof) if faults.has(Fault::ScramAcceptsBadProof) => {}
        Err(error) => return Err(error),
    }
    Ok(server.server_final_for(client_final, faults.has(Fault::ScramBadServerSignature)))
}

/// The account an OAUTHBEARER initial response logs in, under `faults`; `None` when the
/// token is refused.
pub fn oauth_user(store: &Store, message: &[u8], faults: &Faults) -> Option<String> {
    if faults.has(Fault::OauthBroken) {
        return None;
    }
    let response = oauthbearer::parse_initial_response(message)?;
    let user = resolve_user(store, response.authzid.as_deref()?);
    if !store.has_account(&user) {
        return None;
    }
    let token = response.token.unwrap_or_default();
    (token == oauth_token(&user) || faults.has(Fault::OauthAcceptsBadToken)).then_some(user)
}
