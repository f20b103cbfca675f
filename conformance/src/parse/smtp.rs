//! `groupwire parse smtp-client` and `smtp-server`, on `groupwire-smtp`.

use super::StreamParser;

/// The adapter for bytes an SMTP client sends; `None` until the SMTP codec lands.
pub fn client() -> Option<Box<dyn StreamParser>> {
    None
}

/// The adapter for bytes an SMTP server sends; `None` until the SMTP codec lands.
pub fn server() -> Option<Box<dyn StreamParser>> {
    None
}
