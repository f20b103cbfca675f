//! The test accounts the proxy knows, for `accept-any-password`: a wrong password for a
//! known login is swapped for the right one before it goes upstream.

use groupwire_smtp::auth::{base64_decode, base64_encode, parse_plain_message, plain_message};

use crate::target::Secret;

/// Logins and their real passwords.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    accounts: Vec<(String, Secret)>,
}

impl Credentials {
    /// Credentials from `(login, password)` pairs.
    pub fn new(accounts: impl IntoIterator<Item = (String, Secret)>) -> Credentials {
        Credentials {
            accounts: accounts.into_iter().collect(),
        }
    }

    /// The real password of `login` (compared case-insensitively, as servers do).
    pub fn password_of(&self, login: &[u8]) -> Option<&Secret> {
        self.accounts
            .iter()
            .find(|(user, _)| user.as_bytes().eq_ignore_ascii_case(login))
            .map(|(_, password)| password)
    }

    /// The real password when `password` is a wrong one for a known `login`; `None` when the
    /// login is unknown or the password is already right (nothing to rewrite).
    pub fn correction(&self, login: &[u8], password: &[u8]) -> Option<&Secret> {
        self.password_of(login)
            .filter(|good| good.expose().as_bytes() != password)
    }

    /// A base64 SASL PLAIN message with the real password, when `payload` is a PLAIN message
    /// with a wrong password for a known account.
    pub fn correct_plain(&self, payload: &str) -> Option<String> {
        let message = base64_decode(payload.as_bytes())?;
        let (authzid, authcid, password) = parse_plain_message(&message)?;
        let good = self.correction(authcid, password)?;
        let authzid = std::str::from_utf8(authzid).ok()?;
        let authcid = std::str::from_utf8(authcid).ok()?;
        Some(base64_encode(&plain_message(
            authzid,
            authcid,
            good.expose(),
        )))
    }

    /// A base64 password with the real one, when `payload` (base64) is a wrong password for
    /// `login` (SASL LOGIN's second response).
    pub fn correct_login_password(&self, login: &[u8], payload: &str) -> Option<String> {
        let password = base64_decode(payload.as_bytes())?;
        let good = self.correction(login, &password)?;
        Some(base64_encode(good.expose().as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> Credentials {
        Credentials::new([("alice".to_owned(), Secret::new("alice-password"))])
    }

    #[test]
    fn a_wrong_plain_password_is_corrected_and_a_right_one_left_alone() {
        let wrong = base64_encode(&plain_message("", "alice", "nope"));
        let fixed = alice().correct_plain(&wrong).unwrap();
        assert_eq!(
            base64_decode(fixed.as_bytes()).unwrap(),
            plain_message("", "alice", "alice-password")
        );
        let right = base64_encode(&plain_message("", "alice", "alice-password"));
        assert_eq!(alice().correct_plain(&right), None);
        let stranger = base64_encode(&plain_message("", "mallory", "x"));
        assert_eq!(alice().correct_plain(&stranger), None);
        assert_eq!(alice().correct_plain("not base64!"), None);
    }

    #[test]
    fn a_wrong_login_password_is_corrected() {
        let fixed = alice()
            .correct_login_password(b"ALICE", &base64_encode(b"nope"))
            .unwrap();
        assert_eq!(base64_decode(fixed.as_bytes()).unwrap(), b"alice-password");
    }
}
