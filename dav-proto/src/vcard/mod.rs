//! vCard 3.0 (RFC 2426 on RFC 2425) and 4.0 (RFC 6350): decoding, encoding, structured
//! values, and conversion between the two versions for the properties that map.
//!
//! vCard shares the content-line grammar with iCalendar, so the [`Property`] type and the
//! lenient/strict policy are the ones from [`crate::ical`]; groups (`item1.TEL`) are kept in
//! [`Property::group`].

mod convert;

use std::borrow::Cow;

use crate::ical::component::decode_object;
use crate::ical::contentline::{DecodeOptions, Defect, Parsed, Report};
use crate::ical::property::Property;
use crate::ical::value::{split_unescaped, unescape_text};
use crate::{DecodeError, Decoded, ErrorKind, Expected};

/// The vCard versions this module understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Version {
    /// 3.0 (RFC 2426).
    V3,
    /// 4.0 (RFC 6350).
    V4,
}

impl Version {
    /// The VERSION property value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Version::V3 => "3.0",
            Version::V4 => "4.0",
        }
    }
}

/// One vCard: its properties in order (BEGIN/END excluded).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct VCard<'a> {
    /// Properties in input order, VERSION included.
    pub properties: Vec<Property<'a>>,
}

impl<'a> VCard<'a> {
    /// A `'static` copy.
    pub fn into_owned(self) -> VCard<'static> {
        VCard {
            properties: self
                .properties
                .into_iter()
                .map(Property::into_owned)
                .collect(),
        }
    }

    /// The version named by the VERSION property, if it is 3.0 or 4.0.
    pub fn version(&self) -> Option<Version> {
        match self.property("VERSION")?.value.trim() {
            "3.0" => Some(Version::V3),
            "4.0" => Some(Version::V4),
            _ => None,
        }
    }

    /// The first property called `name` (case-insensitive).
    pub fn property(&self, name: &str) -> Option<&Property<'a>> {
        self.properties.iter().find(|p| p.is(name))
    }

    /// Every property called `name`.
    pub fn properties_named<'s>(
        &'s self,
        name: &'s str,
    ) -> impl Iterator<Item = &'s Property<'a>> + 's {
        self.properties.iter().filter(move |p| p.is(name))
    }

    /// The formatted name (FN), unescaped.
    pub fn formatted_name(&self) -> Option<Cow<'_, str>> {
        self.property("FN").map(Property::text)
    }

    /// Appends `BEGIN:VCARD`, the properties and `END:VCARD` as folded lines.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        Property::new("BEGIN", "VCARD").encode_into(out);
        for p in &self.properties {
            p.encode_into(out);
        }
        Property::new("END", "VCARD").encode_into(out);
    }

    /// The encoded bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// Encodes into a `BytesMut`.
    pub fn encode(&self, out: &mut bytes::BytesMut) {
        out.extend_from_slice(&self.to_bytes());
    }

    /// Encodes into any writer.
    pub fn write_to(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        w.write_all(&self.to_bytes())
    }

    /// The card converted to `target` (see [`convert`](self) for what maps).
    pub fn convert(&self, target: Version) -> VCard<'static> {
        convert::convert(self, target)
    }
}

/// Splits a structured value (N, ADR, ORG, GENDER) at unescaped `;` into components, each
/// split at unescaped `,` into unescaped values (RFC 6350 §3.3, RFC 2426 §4).
pub fn structured(value: &str) -> Vec<Vec<Cow<'_, str>>> {
    split_unescaped(value, b';')
        .map(|(_, comp)| {
            split_unescaped(comp, b',')
                .map(|(_, v)| unescape_text(v))
                .collect()
        })
        .collect()
}

/// Decodes one vCard (`BEGIN:VCARD` … `END:VCARD`) from the start of `input`; input that
/// ends before `END:VCARD` is [`Decoded::Incomplete`]. A missing VERSION, or one other than
/// 3.0 and 4.0, is a defect.
pub fn decode_vcard<'a>(
    input: &'a [u8],
    options: &DecodeOptions,
) -> Result<Decoded<Parsed<VCard<'a>>>, DecodeError> {
    let (parsed, consumed) = match decode_object(input, Some("VCARD"), options)? {
        Decoded::Complete { value, consumed } => (value, consumed),
        Decoded::Incomplete { needed } => return Ok(Decoded::Incomplete { needed }),
    };
    if !parsed.value.components.is_empty() {
        return Err(DecodeError::new(
            0,
            ErrorKind::Expected(Expected::MatchingEnd),
        ));
    }
    let mut report = Report::new(options.strictness);
    report.warnings = parsed.warnings;
    let card = VCard {
        properties: parsed.value.properties,
    };
    match card.property("VERSION") {
        None => report.defect(0, Defect::MissingVersion)?,
        Some(_) if card.version().is_none() => report.defect(0, Defect::UnsupportedVersion)?,
        Some(_) => {}
    }
    Ok(Decoded::Complete {
        value: Parsed {
            value: card,
            warnings: report.warnings,
        },
        consumed,
    })
}
