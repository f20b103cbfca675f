//! jCal (RFC 7265): iCalendar as JSON, both ways. The property mapping is shared with jCard
//! ([`crate::jcard`], RFC 7095), which has the same shape.
//!
//! A component is `[name, [properties], [components]]`; a property is
//! `[name, {params}, type, value, ...]` with lower-case names (RFC 7265 §3.3–3.4).

use std::borrow::Cow;

use serde_json::{Map, Value as Json, json};

use crate::ical::ParamValues;
use crate::ical::component::Component;
use crate::ical::property::{Parameter, Property};
use crate::ical::recur::Recur;
use crate::ical::value::{
    self, Date, DateTime, Time, UtcOffset, ValueType, escape_text, split_unescaped,
};
use crate::{DecodeError, ErrorKind, Expected};

fn shape() -> DecodeError {
    DecodeError::new(0, ErrorKind::Expected(Expected::JsonShape))
}

/// Properties whose TEXT value is structured (`;`-separated components, RFC 7095 §3.3.1.3,
/// RFC 7265 §3.4.1.3).
const STRUCTURED: [&str; 5] = ["N", "ADR", "ORG", "GENDER", "REQUEST-STATUS"];

/// The jCal array of a component and its children.
pub fn component_to_json(c: &Component<'_>) -> Result<Json, DecodeError> {
    let props = c
        .properties
        .iter()
        .map(property_to_json)
        .collect::<Result<Vec<_>, _>>()?;
    let subs = c
        .components
        .iter()
        .map(component_to_json)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!([c.name.to_ascii_lowercase(), props, subs]))
}

/// The component a jCal array describes.
pub fn component_from_json(j: &Json) -> Result<Component<'static>, DecodeError> {
    let [name, props, subs] = j.as_array().map(Vec::as_slice).ok_or_else(shape)? else {
        return Err(shape());
    };
    let name = name.as_str().ok_or_else(shape)?.to_ascii_uppercase();
    let properties = props
        .as_array()
        .ok_or_else(shape)?
        .iter()
        .map(property_from_json)
        .collect::<Result<_, _>>()?;
    let components = subs
        .as_array()
        .ok_or_else(shape)?
        .iter()
        .map(component_from_json)
        .collect::<Result<_, _>>()?;
    Ok(Component {
        name: Cow::Owned(name),
        properties,
        components,
    })
}

/// The jCal array of one property. The `VALUE` parameter becomes the type.
pub fn property_to_json(p: &Property<'_>) -> Result<Json, DecodeError> {
    property_to_json_in(p, false)
}

/// The type of `p`: its VALUE parameter, else the iCalendar or vCard default.
fn type_of(p: &Property<'_>, vcard: bool) -> ValueType {
    match (p.param_value("VALUE"), vcard) {
        (Some(v), _) => ValueType::from_name(v),
        (None, false) => ValueType::default_for(&p.name),
        (None, true) => ValueType::default_for_vcard(&p.name),
    }
}

/// [`property_to_json`] for iCalendar (`vcard == false`) or jCard, where a group becomes
/// the `group` parameter and `TYPE="a,b"` two values.
pub(crate) fn property_to_json_in(p: &Property<'_>, vcard: bool) -> Result<Json, DecodeError> {
    let mut params = Map::new();
    if let Some(g) = &p.group {
        params.insert("group".into(), Json::String(g.to_ascii_lowercase()));
    }
    for param in p
        .params
        .iter()
        .filter(|x| !x.name.eq_ignore_ascii_case("VALUE"))
    {
        let split_type = vcard && param.name.eq_ignore_ascii_case("TYPE");
        let values: Vec<String> = param
            .values
            .iter()
            .flat_map(|v| {
                if split_type {
                    v.split(',').map(str::to_owned).collect()
                } else {
                    vec![v.to_string()]
                }
            })
            .collect();
        let v = match <[String; 1]>::try_from(values) {
            Ok([one]) => Json::String(one),
            Err(many) => Json::Array(many.into_iter().map(Json::String).collect()),
        };
        params.insert(param.name.to_ascii_lowercase(), v);
    }
    let ty = type_of(p, vcard);
    let type_name = match (ty, p.param_value("VALUE")) {
        (ValueType::Unknown, Some(v)) => v.to_ascii_lowercase(),
        _ => ty.name().to_ascii_lowercase(),
    };
    let mut out = vec![
        Json::String(p.name.to_ascii_lowercase()),
        Json::Object(params),
        Json::String(type_name),
    ];
    if ty == ValueType::Text && STRUCTURED.iter().any(|n| p.is(n)) {
        let parts: Vec<Json> = split_unescaped(&p.value, b';')
            .map(|(_, comp)| {
                let vals: Vec<Json> = split_unescaped(comp, b',')
                    .map(|(_, v)| Json::String(value::unescape_text(v).into_owned()))
                    .collect();
                match <[Json; 1]>::try_from(vals) {
                    Ok([one]) => one,
                    Err(many) => Json::Array(many),
                }
            })
            .collect();
        // A single component is written as a plain value (RFC 7095 §3.3.1.3).
        out.push(match <[Json; 1]>::try_from(parts) {
            Ok([one]) => one,
            Err(many) => Json::Array(many),
        });
    } else if matches!(ty, ValueType::DateAndOrTime | ValueType::Timestamp) {
        for (_, v) in split_unescaped(&p.value, b',') {
            out.push(Json::String(extended_date_time(v)));
        }
    } else if p.is("GEO") && ty == ValueType::Float {
        let nums: Vec<Json> = p
            .value
            .split(';')
            .map(|x| {
                x.parse::<f64>()
                    .ok()
                    .map(Json::from)
                    .ok_or_else(|| DecodeError::new(0, ErrorKind::Expected(Expected::Float)))
            })
            .collect::<Result<_, _>>()?;
        out.push(Json::Array(nums));
    } else {
        let list = ty.is_list()
            || ["CATEGORIES", "RESOURCES", "NICKNAME"]
                .iter()
                .any(|n| p.is(n));
        for v in value::parse_values(&p.value, ty, list)? {
            out.push(value_to_json(&v));
        }
    }
    Ok(Json::Array(out))
}

fn value_to_json(v: &value::Value<'_>) -> Json {
    use value::Value as V;
    match v {
        V::Binary(s) | V::CalAddress(s) | V::Uri(s) | V::Unknown(s) => {
            Json::String((*s).to_owned())
        }
        V::Boolean(b) => Json::Bool(*b),
        V::Date(d) => Json::String(date_json(d)),
        V::DateTime(dt) => Json::String(date_time_json(dt)),
        V::Duration(d) => Json::String(d.to_string()),
        V::Float(f) => Json::from(*f),
        V::Integer(i) => Json::from(*i),
        V::Period(p) => {
            let end = match &p.end {
                value::PeriodEnd::End(e) => date_time_json(e),
                value::PeriodEnd::Duration(d) => d.to_string(),
            };
            json!([date_time_json(&p.start), end])
        }
        V::Recur(r) => recur_json(r),
        V::Text(t) => Json::String(t.to_string()),
        V::Time(t) => Json::String(time_json(t)),
        V::UtcOffset(o) => {
            let text = o.to_string();
            let (h, m) = text.split_at(3);
            let (m, s) = m.split_at(2);
            Json::String(if s.is_empty() {
                format!("{h}:{m}")
            } else {
                format!("{h}:{m}:{s}")
            })
        }
    }
}

fn date_json(d: &Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

fn time_json(t: &Time) -> String {
    format!(
        "{:02}:{:02}:{:02}{}",
        t.hour,
        t.minute,
        t.second,
        if t.utc { "Z" } else { "" }
    )
}

fn date_time_json(d: &DateTime) -> String {
    format!("{}T{}", date_json(&d.date), time_json(&d.time))
}

fn recur_json(r: &Recur) -> Json {
    let mut m = Map::new();
    for part in r.to_string().split(';') {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        let key = k.to_ascii_lowercase();
        let numeric = !matches!(key.as_str(), "freq" | "until" | "byday" | "wkst");
        let conv = |x: &str| -> Json {
            if key == "until" {
                match value::DateOrDateTime::parse(x) {
                    Ok(value::DateOrDateTime::Date(d)) => Json::String(date_json(&d)),
                    Ok(value::DateOrDateTime::DateTime(dt)) => Json::String(date_time_json(&dt)),
                    Err(_) => Json::String(x.to_owned()),
                }
            } else if numeric {
                x.parse::<i64>()
                    .map_or_else(|_| Json::String(x.to_owned()), Json::from)
            } else {
                Json::String(x.to_owned())
            }
        };
        let items: Vec<Json> = v.split(',').map(conv).collect();
        let value = match <[Json; 1]>::try_from(items) {
            Ok([one]) => one,
            Err(many) => Json::Array(many),
        };
        m.insert(key, value);
    }
    Json::Object(m)
}

/// The property a jCal property array describes.
pub fn property_from_json(j: &Json) -> Result<Property<'static>, DecodeError> {
    property_from_json_in(j, false)
}

/// [`property_from_json`] for iCalendar or (`vcard`) jCard.
pub(crate) fn property_from_json_in(
    j: &Json,
    vcard: bool,
) -> Result<Property<'static>, DecodeError> {
    let arr = j.as_array().ok_or_else(shape)?;
    let [name, params, ty, values @ ..] = arr.as_slice() else {
        return Err(shape());
    };
    let name = name.as_str().ok_or_else(shape)?.to_ascii_uppercase();
    let type_name = ty.as_str().ok_or_else(shape)?;
    let mut group = None;
    let mut out_params = Vec::new();
    for (k, v) in params.as_object().ok_or_else(shape)? {
        let vals: Vec<Cow<'static, str>> = match v {
            Json::String(s) => vec![Cow::Owned(s.clone())],
            Json::Array(a) => a
                .iter()
                .map(|x| {
                    x.as_str()
                        .map(|s| Cow::Owned(s.to_owned()))
                        .ok_or_else(shape)
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(shape()),
        };
        if k == "group" {
            group = vals.into_iter().next();
            continue;
        }
        out_params.push(Parameter {
            name: Cow::Owned(k.to_ascii_uppercase()),
            values: vals.into(),
        });
    }
    let ty = ValueType::from_name(type_name);
    let default = if vcard {
        ValueType::default_for_vcard(&name)
    } else {
        ValueType::default_for(&name)
    };
    if ty != default && !type_name.eq_ignore_ascii_case("unknown") {
        out_params.push(Parameter {
            name: Cow::Borrowed("VALUE"),
            values: ParamValues::one(Cow::Owned(type_name.to_ascii_uppercase())),
        });
    }
    let structured = STRUCTURED.iter().any(|n| name.eq_ignore_ascii_case(n));
    let mut texts = Vec::with_capacity(values.len());
    for v in values {
        texts.push(value_from_json(v, ty, structured, &name)?);
    }
    Ok(Property {
        group,
        name: Cow::Owned(name),
        params: out_params,
        value: Cow::Owned(texts.join(",")),
    })
}

fn value_from_json(
    v: &Json,
    ty: ValueType,
    structured: bool,
    name: &str,
) -> Result<String, DecodeError> {
    Ok(match (v, ty) {
        (Json::Array(parts), ValueType::Text) if structured => parts
            .iter()
            .map(|p| match p {
                Json::Array(vals) => vals
                    .iter()
                    .map(|x| {
                        x.as_str()
                            .map(|s| escape_text(s).into_owned())
                            .ok_or_else(shape)
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(|v| v.join(",")),
                Json::String(s) => Ok(escape_text(s).into_owned()),
                _ => Err(shape()),
            })
            .collect::<Result<Vec<_>, _>>()?
            .join(";"),
        (Json::Array(nums), _) if name.eq_ignore_ascii_case("GEO") => nums
            .iter()
            .map(|n| n.as_f64().map(|f| f.to_string()).ok_or_else(shape))
            .collect::<Result<Vec<_>, _>>()?
            .join(";"),
        (Json::Array(pair), ValueType::Period) => match pair.as_slice() {
            [Json::String(s), Json::String(e)] => {
                let end = if e.starts_with(['P', '+', '-']) {
                    e.clone()
                } else {
                    compact(e)
                };
                format!("{}/{}", compact(s), end)
            }
            _ => return Err(shape()),
        },
        (Json::Object(m), ValueType::Recur) => {
            let mut parts = Vec::new();
            for (k, v) in m {
                let items: Vec<String> = match v {
                    Json::Array(a) => a.iter().map(scalar).collect::<Result<_, _>>()?,
                    other => vec![scalar(other)?],
                };
                let joined = items.join(",");
                let joined = if k == "until" {
                    compact(&joined)
                } else {
                    joined
                };
                parts.push((k.to_ascii_uppercase(), joined));
            }
            // FREQ first, as RFC 5545 recommends; the rest in RFC order via Recur.
            let text = parts
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(";");
            Recur::parse(&text)?.to_string()
        }
        (Json::String(s), ValueType::Date | ValueType::DateTime | ValueType::Time) => compact(s),
        (Json::String(s), ValueType::DateAndOrTime | ValueType::Timestamp) => basic_date_time(s),
        (Json::String(s), ValueType::UtcOffset) => {
            let c = s.replace(':', "");
            UtcOffset::parse(&c)?;
            c
        }
        (Json::String(s), ValueType::Text) => escape_text(s).into_owned(),
        (Json::String(s), _) => s.clone(),
        (Json::Bool(b), _) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        (Json::Number(n), _) => n.to_string(),
        _ => return Err(shape()),
    })
}

fn scalar(v: &Json) -> Result<String, DecodeError> {
    match v {
        Json::String(s) => Ok(s.clone()),
        Json::Number(n) => Ok(n.to_string()),
        _ => Err(shape()),
    }
}

/// `2006-01-02T15:04:05Z` -> `20060102T150405Z` (also dates and times alone).
fn compact(s: &str) -> String {
    s.chars().filter(|c| *c != '-' && *c != ':').collect()
}

/// vCard basic-format date/time (`--0203`, `20090808T1430-0500`) to the extended format
/// jCard uses (`--02-03`, `2009-08-08T14:30-05:00`, RFC 7095 §3.5.3–3.5.6).
fn extended_date_time(v: &str) -> String {
    let (date, time) = match v.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (v, None),
    };
    let mut out = String::new();
    let dashes = date.len() - date.trim_start_matches('-').len();
    let digits = date.trim_start_matches('-');
    out.push_str(date.get(..dashes).unwrap_or_default());
    // Only all-digit forms are reshaped; anything else (lenient input) passes through, and
    // the digit check also keeps the splits on character boundaries.
    let all_digits = digits.bytes().all(|b| b.is_ascii_digit());
    match (dashes, digits.len(), all_digits) {
        (0, 8, true) => {
            let (y, md) = digits.split_at(4);
            let (m, d) = md.split_at(2);
            out.push_str(&format!("{y}-{m}-{d}"));
        }
        (2, 4, true) => {
            let (m, d) = digits.split_at(2);
            out.push_str(&format!("{m}-{d}"));
        }
        _ => out.push_str(digits),
    }
    if let Some(t) = time {
        out.push('T');
        let zone_at = t.find(['Z', 'z', '+', '-']).unwrap_or(t.len());
        let (clock, zone) = t.split_at(zone_at);
        let pairs: Vec<&str> = (0..clock.len() / 2)
            .filter_map(|i| clock.get(i * 2..i * 2 + 2))
            .collect();
        out.push_str(&pairs.join(":"));
        match zone.split_at_checked(3) {
            Some((h, m)) if zone.len() == 5 => out.push_str(&format!("{h}:{m}")),
            _ => out.push_str(zone),
        }
    }
    out
}

/// The inverse of [`extended_date_time`].
fn basic_date_time(v: &str) -> String {
    let (date, time) = match v.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (v, None),
    };
    let dashes = date.len() - date.trim_start_matches('-').len();
    let mut out = date.get(..dashes).unwrap_or_default().to_owned();
    out.extend(date.trim_start_matches('-').chars().filter(|c| *c != '-'));
    if let Some(t) = time {
        out.push('T');
        out.extend(t.chars().filter(|c| *c != ':'));
    }
    out
}
