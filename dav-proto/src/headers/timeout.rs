//! `Timeout` (RFC 4918 §10.7): a list of `Second-N` or `Infinite`, in preference order.

use http::header::HeaderName;

use super::TypedHeader;
use super::lexer::{Lexer, err, text};
use crate::decoded::{DecodeError, Expected};

/// One timeout choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum TimeoutValue {
    /// `Infinite`.
    Infinite,
    /// `Second-N`.
    Seconds(u32),
}

/// The `Timeout` header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Timeout(pub Vec<TimeoutValue>);

impl TypedHeader<'_> for Timeout {
    fn name() -> HeaderName {
        super::TIMEOUT
    }

    fn parse(value: &[u8]) -> Result<Self, DecodeError> {
        let mut lx = Lexer::new(text(value)?);
        let mut out = Vec::new();
        loop {
            while lx.comma() {}
            if lx.at_end() {
                break;
            }
            let at = lx.pos();
            if lx.eat_word("Infinite") {
                out.push(TimeoutValue::Infinite);
            } else if lx.eat_word("Second-") {
                let digits = lx.token()?;
                // RFC 4918: values above 2^32-1 may be clamped; we refuse instead of guessing.
                let n = if digits.bytes().all(|b| b.is_ascii_digit()) {
                    digits.parse().ok()
                } else {
                    None
                };
                out.push(TimeoutValue::Seconds(
                    n.ok_or(err(at, Expected::TimeoutValue))?,
                ));
            } else {
                return Err(err(at, Expected::TimeoutValue));
            }
            lx.ws();
            if !lx.at_end() && lx.peek() != Some(b',') {
                return Err(err(lx.pos(), Expected::TimeoutValue));
            }
        }
        if out.is_empty() {
            return Err(err(0, Expected::TimeoutValue));
        }
        Ok(Timeout(out))
    }

    fn write(&self, out: &mut String) {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            match v {
                TimeoutValue::Infinite => out.push_str("Infinite"),
                TimeoutValue::Seconds(n) => {
                    out.push_str("Second-");
                    out.push_str(&n.to_string());
                }
            }
        }
    }
}
