//! `Depth` (RFC 4918 §10.2).

use http::header::HeaderName;

use super::TypedHeader;
use super::lexer::{err, text};
use crate::decoded::{DecodeError, Expected};

/// The `Depth` header, also the `DAV:depth` element of a lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Depth {
    /// `0`: the resource only.
    Zero,
    /// `1`: the resource and its members.
    One,
    /// `infinity`: the whole tree.
    Infinity,
}

impl Depth {
    /// The header text.
    pub const fn as_str(self) -> &'static str {
        match self {
            Depth::Zero => "0",
            Depth::One => "1",
            Depth::Infinity => "infinity",
        }
    }
}

impl TypedHeader<'_> for Depth {
    fn name() -> HeaderName {
        super::DEPTH
    }

    fn parse(value: &[u8]) -> Result<Self, DecodeError> {
        let t = text(value)?.trim_matches([' ', '\t']);
        match t {
            "0" => Ok(Depth::Zero),
            "1" => Ok(Depth::One),
            t if t.eq_ignore_ascii_case("infinity") => Ok(Depth::Infinity),
            _ => Err(err(0, Expected::DepthValue)),
        }
    }

    fn write(&self, out: &mut String) {
        out.push_str(self.as_str());
    }
}
