//! `Prefer` and `Preference-Applied` (RFC 7240), with the WebDAV preferences of RFC 8144
//! (`return=minimal`, `depth-noroot`).

use std::borrow::Cow;

use http::header::HeaderName;

use super::TypedHeader;
use super::lexer::{Lexer, err, text, write_word};
use crate::decoded::{DecodeError, Expected};

/// One preference: `token [= word] *(; param [= word])`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Preference<'a> {
    /// The preference name (lower case is conventional; compared case-insensitively).
    pub name: Cow<'a, str>,
    /// Its value, unquoted.
    pub value: Option<Cow<'a, str>>,
    /// Parameters.
    pub params: Vec<(Cow<'a, str>, Option<Cow<'a, str>>)>,
}

/// The `Prefer` (or `Preference-Applied`) header: preferences in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Preferences<'a>(pub Vec<Preference<'a>>);

impl Preferences<'_> {
    /// Whether `return=minimal` is asked for (RFC 8144 §3).
    pub fn return_minimal(&self) -> bool {
        self.0.iter().any(|p| {
            p.name.eq_ignore_ascii_case("return")
                && p.value
                    .as_deref()
                    .is_some_and(|v| v.eq_ignore_ascii_case("minimal"))
        })
    }

    /// Whether `depth-noroot` is asked for (RFC 8144 §4).
    pub fn depth_noroot(&self) -> bool {
        self.0
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case("depth-noroot"))
    }

    /// A `'static` copy.
    pub fn into_owned(self) -> Preferences<'static> {
        let own = |c: Cow<'_, str>| -> Cow<'static, str> { Cow::Owned(c.into_owned()) };
        Preferences(
            self.0
                .into_iter()
                .map(|p| Preference {
                    name: own(p.name),
                    value: p.value.map(own),
                    params: p
                        .params
                        .into_iter()
                        .map(|(k, v)| (own(k), v.map(own)))
                        .collect(),
                })
                .collect(),
        )
    }
}

fn word<'a>(lx: &mut Lexer<'a>) -> Result<Cow<'a, str>, DecodeError> {
    if lx.peek() == Some(b'"') {
        lx.quoted()
    } else {
        lx.token().map(Cow::Borrowed)
    }
}

fn name_value<'a>(lx: &mut Lexer<'a>) -> Result<(Cow<'a, str>, Option<Cow<'a, str>>), DecodeError> {
    let name = Cow::Borrowed(lx.token()?);
    lx.ws();
    let value = if lx.eat(b'=') {
        lx.ws();
        Some(word(lx)?)
    } else {
        None
    };
    Ok((name, value))
}

impl<'a> TypedHeader<'a> for Preferences<'a> {
    fn name() -> HeaderName {
        super::PREFER
    }

    fn parse(value: &'a [u8]) -> Result<Self, DecodeError> {
        let mut lx = Lexer::new(text(value)?);
        let mut out = Vec::new();
        loop {
            while lx.comma() {}
            if lx.at_end() {
                break;
            }
            let (name, value) = name_value(&mut lx)?;
            let mut params = Vec::new();
            loop {
                lx.ws();
                if !lx.eat(b';') {
                    break;
                }
                lx.ws();
                if lx.at_end() || matches!(lx.peek(), Some(b',' | b';')) {
                    continue;
                }
                params.push(name_value(&mut lx)?);
            }
            out.push(Preference {
                name,
                value,
                params,
            });
            lx.ws();
            if !lx.at_end() && lx.peek() != Some(b',') {
                return Err(err(lx.pos(), Expected::Token));
            }
        }
        if out.is_empty() {
            return Err(err(0, Expected::Token));
        }
        Ok(Preferences(out))
    }

    fn write(&self, out: &mut String) {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&p.name);
            if let Some(v) = &p.value {
                out.push('=');
                write_word(out, v);
            }
            for (k, v) in &p.params {
                out.push_str("; ");
                out.push_str(k);
                if let Some(v) = v {
                    out.push('=');
                    write_word(out, v);
                }
            }
        }
    }
}
