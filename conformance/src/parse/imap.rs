//! `groupwire parse imap-client` and `imap-server`, on `groupwire-imap`.

use super::StreamParser;

/// The adapter for bytes an IMAP client sends; `None` until the IMAP codec lands.
pub fn client() -> Option<Box<dyn StreamParser>> {
    None
}

/// The adapter for bytes an IMAP server sends; `None` until the IMAP codec lands.
pub fn server() -> Option<Box<dyn StreamParser>> {
    None
}
