//! Credential masking by protocol field: a small lexer over the bytes the harness sends on one
//! connection finds the fields that carry credentials and replaces each with `***`, whatever
//! the credential's value; the server's bytes only tell it when a SASL exchange or a literal
//! ends. Nothing else is touched, so evidence stays intact (a one-character password does not
//! turn `text/plain` into `te***t/plain`).
//!
//! Masked fields:
//! - IMAP `tag LOGIN user password`: the password, whether an atom, a quoted string (with
//!   escapes) or a literal (its `{n}` announcement and its data, also when the data follows in
//!   a later write after the server's `+`);
//! - IMAP `tag AUTHENTICATE mechanism [initial-response]`: the initial response, and every
//!   client line until the server's tagged completion;
//! - SMTP `AUTH mechanism [initial-response]`: the initial response, and every client line
//!   while the server answers `334`;
//! - HTTP `Authorization` and `Proxy-Authorization` header values.
//!
//! IMAP literals are skipped as data (a message appended by a check is never read as
//! commands); a synchronising literal the server refuses (tagged response instead of `+`)
//! is forgotten, so the next command is lexed as a command again.

/// The application protocol spoken on a connection, which decides where credentials are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Wire {
    /// IMAP.
    Imap,
    /// SMTP (submission, LMTP).
    Smtp,
    /// HTTP (discovery, DAV).
    Http,
    /// Not known: every rule above applies.
    #[default]
    Unknown,
}

impl Wire {
    /// The protocol of a URL scheme (`imaps` is IMAP, `submissions` SMTP, `https` HTTP).
    pub fn of_scheme(scheme: &str) -> Wire {
        let scheme = scheme.to_ascii_lowercase();
        if scheme.starts_with("imap") {
            Wire::Imap
        } else if scheme.starts_with("smtp") || scheme.starts_with("submission") {
            Wire::Smtp
        } else if scheme.starts_with("http") {
            Wire::Http
        } else {
            Wire::Unknown
        }
    }

    fn imap(self) -> bool {
        matches!(self, Wire::Imap | Wire::Unknown)
    }

    fn smtp(self) -> bool {
        matches!(self, Wire::Smtp | Wire::Unknown)
    }

    fn http(self) -> bool {
        matches!(self, Wire::Http | Wire::Unknown)
    }
}

/// What replaces a credential.
pub const MASK: &[u8] = b"***";

/// How many bytes of a token are kept to recognise keywords and literal announcements.
const PREFIX: usize = 24;

/// The masking state of one connection.
#[derive(Debug, Clone, Default)]
pub struct FieldMasker {
    wire: Wire,
    // The client line being lexed.
    token_index: usize,
    in_token: bool,
    token: Vec<u8>,
    quoted: bool,
    escaped: bool,
    keywords: Vec<Vec<u8>>,
    mask_token: bool,
    mask_rest: bool,
    /// A `***` was written for the masked run of bytes in progress.
    mask_open: bool,
    /// The last token was a literal announcement: (size, masked, synchronising).
    literal: Option<(u64, bool, bool)>,
    /// Bytes of literal data still to come, and whether they are masked.
    raw_remaining: u64,
    raw_masked: bool,
    /// A synchronising literal was announced and its data not sent yet.
    awaiting_continuation: bool,
    /// The tag of the command line in progress (IMAP), to see a refused literal.
    tag: Vec<u8>,
    /// Inside a SASL exchange: every client line is a credential.
    sasl: bool,
    /// The server line being read (its first bytes).
    server_line: Vec<u8>,
}

impl FieldMasker {
    /// A masker for a connection speaking `wire`.
    pub fn new(wire: Wire) -> FieldMasker {
        FieldMasker {
            wire,
            ..FieldMasker::default()
        }
    }

    /// The bytes the client sent, with credential fields replaced by `***`.
    pub fn client(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len());
        for &byte in bytes {
            self.client_byte(byte, &mut out);
        }
        out
    }

    fn emit_mask(&mut self, out: &mut Vec<u8>) {
        if !self.mask_open {
            out.extend_from_slice(MASK);
            self.mask_open = true;
        }
    }

    fn emit(&mut self, byte: u8, out: &mut Vec<u8>) {
        out.push(byte);
        self.mask_open = false;
    }

    fn client_byte(&mut self, byte: u8, out: &mut Vec<u8>) {
        if self.raw_remaining > 0 {
            self.raw_remaining -= 1;
            self.awaiting_continuation = false;
            if self.raw_masked {
                self.emit_mask(out);
            } else {
                self.emit(byte, out);
            }
            return;
        }
        if self.sasl {
            match byte {
                b'\r' | b'\n' => self.emit(byte, out),
                _ => self.emit_mask(out),
            }
            return;
        }
        match byte {
            b'\n' => {
                self.end_token();
                self.emit(byte, out);
                if let Some((size, masked, sync)) = self.literal.take() {
                    // The line goes on after the literal's data.
                    self.raw_remaining = size;
                    self.raw_masked = masked;
                    self.awaiting_continuation = sync && size > 0;
                    return;
                }
                let imap_sasl = self.wire.imap() && self.keyword(1) == Some(b"AUTHENTICATE");
                let smtp_sasl = self.wire.smtp() && self.keyword(0) == Some(b"AUTH");
                if imap_sasl || smtp_sasl {
                    self.sasl = true;
                }
                self.reset_line();
            }
            b'\r' if !self.quoted => {
                self.end_token();
                self.emit(byte, out);
            }
            _ if self.mask_rest => self.emit_mask(out),
            b' ' if !self.quoted => {
                self.end_token();
                self.emit(byte, out);
            }
            _ => {
                if self.in_token {
                    if self.quoted {
                        if self.escaped {
                            self.escaped = false;
                        } else if byte == b'\\' {
                            self.escaped = true;
                        } else if byte == b'"' {
                            self.quoted = false;
                        }
                    }
                } else {
                    self.start_token(byte);
                }
                if self.token.len() < PREFIX {
                    self.token.push(byte);
                }
                if self.mask_token {
                    self.emit_mask(out);
                } else {
                    self.emit(byte, out);
                }
            }
        }
    }

    fn keyword(&self, index: usize) -> Option<&[u8]> {
        self.keywords.get(index).map(Vec::as_slice)
    }

    fn start_token(&mut self, first: u8) {
        self.in_token = true;
        self.token.clear();
        self.literal = None;
        self.quoted = first == b'"';
        self.escaped = false;
        let index = self.token_index;
        let login_password = self.wire.imap() && index == 3 && self.keyword(1) == Some(b"LOGIN");
        let imap_initial =
            self.wire.imap() && index >= 3 && self.keyword(1) == Some(b"AUTHENTICATE");
        let smtp_initial = self.wire.smtp() && index >= 2 && self.keyword(0) == Some(b"AUTH");
        let authorization = self.wire.http()
            && index >= 1
            && matches!(
                self.keyword(0),
                Some(b"AUTHORIZATION:" | b"PROXY-AUTHORIZATION:")
            );
        self.mask_token = login_password || imap_initial || smtp_initial || authorization;
        // A SASL initial response or a header value runs to the end of the line.
        self.mask_rest = smtp_initial || authorization;
    }

    fn end_token(&mut self) {
        if !self.in_token {
            return;
        }
        self.in_token = false;
        self.quoted = false;
        if self.token_index < 2 {
            self.keywords.push(self.token.to_ascii_uppercase());
        }
        if self.token_index == 0 {
            self.tag.clone_from(&self.token);
        }
        if self.wire.imap() {
            self.literal =
                literal_announcement(&self.token).map(|(size, sync)| (size, self.mask_token, sync));
        }
        self.token_index += 1;
    }

    fn reset_line(&mut self) {
        self.token_index = 0;
        self.in_token = false;
        self.token.clear();
        self.quoted = false;
        self.escaped = false;
        self.keywords.clear();
        self.mask_token = false;
        self.mask_rest = false;
        self.mask_open = false;
        self.literal = None;
    }

    /// Observes bytes the server sent: a SASL exchange ends with the server's final answer,
    /// and a refused synchronising literal will not be sent.
    pub fn server(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if byte != b'\n' {
                if self.server_line.len() < PREFIX {
                    self.server_line.push(byte);
                }
                continue;
            }
            let line = std::mem::take(&mut self.server_line);
            if self.sasl && !self.continues_sasl(&line) {
                self.sasl = false;
            }
            if self.awaiting_continuation && !line.starts_with(b"+") && !line.starts_with(b"*") {
                // A tagged answer instead of `+`: the literal's data will not come.
                self.awaiting_continuation = false;
                self.raw_remaining = 0;
                self.reset_line();
            }
        }
    }

    fn continues_sasl(&self, line: &[u8]) -> bool {
        (self.wire.imap() && (line.starts_with(b"+") || line.starts_with(b"*")))
            || (self.wire.smtp() && line.starts_with(b"334"))
    }
}

/// `{12}` or `{12+}` (LITERAL+), with an optional `~` (literal8): the size and whether the
/// client must wait for `+`.
fn literal_announcement(token: &[u8]) -> Option<(u64, bool)> {
    let token = token.strip_prefix(b"~").unwrap_or(token);
    let inner = token.strip_prefix(b"{")?.strip_suffix(b"}")?;
    let (digits, sync) = match inner.strip_suffix(b"+") {
        Some(digits) => (digits, false),
        None => (inner, true),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let size = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some((size, sync))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(wire: Wire, chunks: &[&[u8]]) -> String {
        let mut masker = FieldMasker::new(wire);
        let mut out = Vec::new();
        for chunk in chunks {
            out.extend(masker.client(chunk));
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn login_password_forms() {
        assert_eq!(
            client(Wire::Imap, &[b"a LOGIN bob secret\r\n"]),
            "a LOGIN bob ***\r\n"
        );
        assert_eq!(
            client(Wire::Imap, &[b"a LOGIN \"b\\\"o b\" \"pass word\\\\\"\r\n"]),
            "a LOGIN \"b\\\"o b\" ***\r\n"
        );
        assert_eq!(
            client(Wire::Imap, &[b"a LOGIN bob {6}\r\n", b"secret\r\n"]),
            "a LOGIN bob ***\r\n***\r\n"
        );
        assert_eq!(
            client(Wire::Imap, &[b"a LOGIN {3}\r\n", b"bob {6+}\r\nsecret\r\n"]),
            "a LOGIN {3}\r\nbob ***\r\n***\r\n"
        );
        // A line cut anywhere still masks the same.
        assert_eq!(
            client(Wire::Imap, &[b"a LOG", b"IN bob se", b"cret\r", b"\n"]),
            "a LOGIN bob ***\r\n"
        );
    }

    #[test]
    fn literal_data_is_not_lexed_and_a_refused_literal_is_forgotten() {
        let mut masker = FieldMasker::new(Wire::Imap);
        let sent = masker.client(b"a APPEND INBOX {20}\r\n");
        assert_eq!(sent, b"a APPEND INBOX {20}\r\n");
        masker.server(b"a NO [TOOBIG] no\r\n");
        assert_eq!(
            masker.client(b"b LOGIN bob secret\r\n"),
            b"b LOGIN bob ***\r\n"
        );
        let mut masker = FieldMasker::new(Wire::Imap);
        masker.client(b"a APPEND INBOX {20}\r\n");
        masker.server(b"+ go\r\n");
        assert_eq!(
            masker.client(b"x LOGIN bob secret\r\n\r\n"),
            b"x LOGIN bob secret\r\n\r\n"
        );
    }
}
