//! The small tokenizer the header parsers share: HTTP tokens, quoted strings, Coded-URLs,
//! entity tags and optional whitespace, over a borrowed header value.

use std::borrow::Cow;

use crate::decoded::{DecodeError, ErrorKind, Expected};

/// A position in a header value.
pub(crate) struct Lexer<'a> {
    input: &'a str,
    pos: usize,
}

/// An `Expected` error at `offset`.
pub(crate) fn err(offset: usize, what: Expected) -> DecodeError {
    DecodeError::new(offset, ErrorKind::Expected(what))
}

/// The header value as text (header values this crate parses are ASCII or UTF-8).
pub(crate) fn text(value: &[u8]) -> Result<&str, DecodeError> {
    std::str::from_utf8(value).map_err(|e| err(e.valid_up_to(), Expected::Utf8))
}

/// Whether `b` is an RFC 9110 `tchar`.
pub(crate) fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Whether `s` is a non-empty token.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

impl<'a> Lexer<'a> {
    pub fn new(input: &'a str) -> Self {
        Lexer { input, pos: 0 }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    fn rest(&self) -> &'a str {
        self.input.get(self.pos..).unwrap_or_default()
    }

    pub fn peek(&self) -> Option<u8> {
        self.rest().bytes().next()
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.input.len()
    }

    /// Skips spaces and tabs.
    pub fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// Consumes `b` if it is next.
    pub fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consumes `b` or fails with `what`.
    pub fn expect(&mut self, b: u8, what: Expected) -> Result<(), DecodeError> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(err(self.pos, what))
        }
    }

    /// Consumes `word` (ASCII case-insensitive) if it is next.
    pub fn eat_word(&mut self, word: &str) -> bool {
        let rest = self.rest();
        match rest.get(..word.len()) {
            Some(head) if head.eq_ignore_ascii_case(word) => {
                self.pos += word.len();
                true
            }
            _ => false,
        }
    }

    /// An HTTP token.
    pub fn token(&mut self) -> Result<&'a str, DecodeError> {
        let rest = self.rest();
        let len = rest.bytes().take_while(|&b| is_tchar(b)).count();
        if len == 0 {
            return Err(err(self.pos, Expected::Token));
        }
        self.pos += len;
        Ok(rest.get(..len).unwrap_or_default())
    }

    /// `<...>`: the text between the angle brackets.
    pub fn coded_url(&mut self) -> Result<&'a str, DecodeError> {
        let start = self.pos;
        self.expect(b'<', Expected::CodedUrl)?;
        let rest = self.rest();
        let len = rest.find('>').ok_or(err(start, Expected::CodedUrl))?;
        let inner = rest.get(..len).unwrap_or_default();
        if inner
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control() || b == b'<')
        {
            return Err(err(start, Expected::CodedUrl));
        }
        self.pos += len + 1;
        Ok(inner)
    }

    /// A quoted string, unescaped (borrowed when it has no `\` escapes).
    pub fn quoted(&mut self) -> Result<Cow<'a, str>, DecodeError> {
        let start = self.pos;
        self.expect(b'"', Expected::QuotedString)?;
        let rest = self.rest();
        let mut escaped = false;
        let mut owned: Option<String> = None;
        for (i, c) in rest.char_indices() {
            if escaped {
                escaped = false;
                // quoted-pair = "\\" ( HTAB / SP / VCHAR / obs-text )
                if c.is_ascii_control() && c != '\t' {
                    break;
                }
                if let Some(o) = owned.as_mut() {
                    o.push(c);
                }
                continue;
            }
            match c {
                '\\' => {
                    escaped = true;
                    owned.get_or_insert_with(|| rest.get(..i).unwrap_or_default().to_owned());
                }
                '"' => {
                    self.pos += i + 1;
                    return Ok(match owned {
                        Some(o) => Cow::Owned(o),
                        None => Cow::Borrowed(rest.get(..i).unwrap_or_default()),
                    });
                }
                c if c.is_ascii_control() && c != '\t' => break,
                c => {
                    if let Some(o) = owned.as_mut() {
                        o.push(c);
                    }
                }
            }
        }
        Err(err(start, Expected::QuotedString))
    }

    /// An entity tag: `"..."` or `W/"..."`.
    pub fn entity_tag(&mut self) -> Result<EntityTag<'a>, DecodeError> {
        let start = self.pos;
        let weak = self.eat_word("W/");
        if !self.eat(b'"') {
            return Err(err(start, Expected::EntityTag));
        }
        let rest = self.rest();
        let len = rest.find('"').ok_or(err(start, Expected::EntityTag))?;
        let tag = rest.get(..len).unwrap_or_default();
        if tag.bytes().any(|b| b < b' ' || b == 0x7f) {
            return Err(err(start, Expected::EntityTag));
        }
        self.pos += len + 1;
        Ok(EntityTag {
            weak,
            tag: Cow::Borrowed(tag),
        })
    }

    /// Skips whitespace and a comma; true when one was found.
    pub fn comma(&mut self) -> bool {
        self.ws();
        let found = self.eat(b',');
        self.ws();
        found
    }
}

/// Writes `s` as a token when it is one, else as a quoted string.
pub(crate) fn write_word(out: &mut String, s: &str) {
    if is_token(s) {
        out.push_str(s);
    } else {
        out.push('"');
        for c in s.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    }
}

use super::EntityTag;
