//! jCard (RFC 7095): vCard as JSON, both ways: `["vcard", [properties]]`, each property
//! mapped as in jCal ([`crate::jcal`]), with a vCard group in the `group` parameter
//! (RFC 7095 §3.3.1.2).

use serde_json::{Value as Json, json};

use crate::jcal::{property_from_json_in, property_to_json_in};
use crate::vcard::VCard;
use crate::{DecodeError, ErrorKind, Expected};

fn shape() -> DecodeError {
    DecodeError::new(0, ErrorKind::Expected(Expected::JsonShape))
}

/// The jCard array of a vCard.
pub fn to_json(card: &VCard<'_>) -> Result<Json, DecodeError> {
    let props = card
        .properties
        .iter()
        .map(|p| property_to_json_in(p, true))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!(["vcard", props]))
}

/// The vCard a jCard array describes.
pub fn from_json(j: &Json) -> Result<VCard<'static>, DecodeError> {
    let [name, props] = j.as_array().map(Vec::as_slice).ok_or_else(shape)? else {
        return Err(shape());
    };
    if !name
        .as_str()
        .is_some_and(|n| n.eq_ignore_ascii_case("vcard"))
    {
        return Err(shape());
    }
    let properties = props
        .as_array()
        .ok_or_else(shape)?
        .iter()
        .map(|p| property_from_json_in(p, true))
        .collect::<Result<_, _>>()?;
    Ok(VCard { properties })
}
