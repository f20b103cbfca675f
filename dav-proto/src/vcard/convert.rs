//! vCard 3.0 <-> 4.0 conversion (RFC 6350 Appendix A lists the differences).
//!
//! What maps: VERSION; `TYPE=pref` <-> `PREF=1`; TYPE values upper case in 3.0, lower case in
//! 4.0; inline binary (`ENCODING=b;TYPE=JPEG`) <-> `data:` URIs for PHOTO, LOGO, SOUND and
//! KEY; GEO `lat;lon` <-> `geo:lat,lon`; BDAY/ANNIVERSARY `YYYY-MM-DD` <-> `YYYYMMDD`;
//! KIND/MEMBER <-> Apple's `X-ADDRESSBOOKSERVER-KIND`/`-MEMBER`. Dropped because the target
//! has no equivalent: 3.0's NAME, MAILER, LABEL, CLASS, PROFILE, SORT-STRING, AGENT and the
//! CHARSET parameter going to 4.0; 4.0's PID and SORT-AS parameters and CLIENTPIDMAP going
//! to 3.0. Everything else is copied unchanged.

use std::borrow::Cow;

use super::{VCard, Version};
use crate::ical::ParamValues;
use crate::ical::property::{Parameter, Property};

const DROPPED_IN_V4: [&str; 7] = [
    "NAME",
    "MAILER",
    "LABEL",
    "CLASS",
    "PROFILE",
    "SORT-STRING",
    "AGENT",
];
const DROPPED_IN_V3: [&str; 1] = ["CLIENTPIDMAP"];
const BINARY_PROPS: [&str; 4] = ["PHOTO", "LOGO", "SOUND", "KEY"];

fn owned(s: &str) -> Cow<'static, str> {
    Cow::Owned(s.to_owned())
}

pub(super) fn convert(card: &VCard<'_>, target: Version) -> VCard<'static> {
    let mut properties = Vec::with_capacity(card.properties.len());
    for p in &card.properties {
        let p = p.clone().into_owned();
        let converted = match target {
            Version::V4 => to_v4(p),
            Version::V3 => to_v3(p),
        };
        properties.extend(converted);
    }
    if !properties.iter().any(|p| p.is("VERSION")) {
        properties.insert(0, Property::new("VERSION", target.as_str()));
    }
    VCard { properties }
}

fn is_any(p: &Property<'_>, names: &[&str]) -> bool {
    names.iter().any(|n| p.is(n))
}

fn to_v4(mut p: Property<'static>) -> Option<Property<'static>> {
    if is_any(&p, &DROPPED_IN_V4) {
        return None;
    }
    if p.is("VERSION") {
        p.value = owned("4.0");
        return Some(p);
    }
    if p.is("X-ADDRESSBOOKSERVER-KIND") {
        p.name = owned("KIND");
    } else if p.is("X-ADDRESSBOOKSERVER-MEMBER") {
        p.name = owned("MEMBER");
    }
    p.params.retain(|x| !x.name.eq_ignore_ascii_case("CHARSET"));
    let mut pref = false;
    for param in p
        .params
        .iter_mut()
        .filter(|x| x.name.eq_ignore_ascii_case("TYPE"))
    {
        param.values.retain(|v| {
            let is_pref = v.eq_ignore_ascii_case("PREF");
            pref |= is_pref;
            !is_pref
        });
        for v in &mut param.values {
            *v = Cow::Owned(v.to_ascii_lowercase());
        }
    }
    if is_any(&p, &BINARY_PROPS)
        && p.param_value("ENCODING")
            .is_some_and(|e| e.eq_ignore_ascii_case("b"))
    {
        let media = p
            .param_value("TYPE")
            .map(|t| {
                if t.contains('/') {
                    t.to_owned()
                } else {
                    format!("image/{}", t.to_ascii_lowercase())
                }
            })
            .unwrap_or_else(|| "application/octet-stream".to_owned());
        p.params.retain(|x| {
            !x.name.eq_ignore_ascii_case("ENCODING") && !x.name.eq_ignore_ascii_case("TYPE")
        });
        p.value = Cow::Owned(format!("data:{media};base64,{}", p.value));
    }
    p.params
        .retain(|x| !(x.name.eq_ignore_ascii_case("TYPE") && x.values.is_empty()));
    if pref {
        p.params.push(Parameter {
            name: owned("PREF"),
            values: ParamValues::one(owned("1")),
        });
    }
    if p.is("GEO")
        && !p.value.starts_with("geo:")
        && let Some((lat, lon)) = p.value.split_once(';')
    {
        p.value = Cow::Owned(format!("geo:{lat},{lon}"));
    }
    if (p.is("BDAY") || p.is("ANNIVERSARY")) && is_extended_date(&p.value) {
        p.value = Cow::Owned(p.value.replace('-', ""));
    }
    Some(p)
}

fn to_v3(mut p: Property<'static>) -> Option<Property<'static>> {
    if is_any(&p, &DROPPED_IN_V3) {
        return None;
    }
    if p.is("VERSION") {
        p.value = owned("3.0");
        return Some(p);
    }
    if p.is("KIND") {
        p.name = owned("X-ADDRESSBOOKSERVER-KIND");
    } else if p.is("MEMBER") {
        p.name = owned("X-ADDRESSBOOKSERVER-MEMBER");
    }
    let pref = p.param_value("PREF").is_some();
    p.params.retain(|x| {
        !["PREF", "PID", "SORT-AS"]
            .iter()
            .any(|n| x.name.eq_ignore_ascii_case(n))
    });
    for param in p
        .params
        .iter_mut()
        .filter(|x| x.name.eq_ignore_ascii_case("TYPE"))
    {
        for v in &mut param.values {
            *v = Cow::Owned(v.to_ascii_uppercase());
        }
    }
    if pref {
        match p
            .params
            .iter_mut()
            .find(|x| x.name.eq_ignore_ascii_case("TYPE"))
        {
            Some(t) => t.values.push(owned("PREF")),
            None => p.params.push(Parameter {
                name: owned("TYPE"),
                values: ParamValues::one(owned("PREF")),
            }),
        }
    }
    if is_any(&p, &BINARY_PROPS)
        && let Some((media, data)) = p
            .value
            .strip_prefix("data:")
            .and_then(|rest| rest.split_once(";base64,"))
    {
        let subtype = media
            .rsplit('/')
            .next()
            .unwrap_or(media)
            .to_ascii_uppercase();
        let data = data.to_owned();
        p.params.retain(|x| !x.name.eq_ignore_ascii_case("VALUE"));
        p.params.push(Parameter {
            name: owned("ENCODING"),
            values: ParamValues::one(owned("b")),
        });
        p.params.push(Parameter {
            name: owned("TYPE"),
            values: ParamValues::one(Cow::Owned(subtype)),
        });
        p.value = Cow::Owned(data);
    }
    if p.is("GEO")
        && let Some((lat, lon)) = p.value.strip_prefix("geo:").and_then(|g| g.split_once(','))
    {
        p.value = Cow::Owned(format!("{lat};{lon}"));
    }
    if p.is("BDAY") || p.is("ANNIVERSARY") {
        let v = p.value.as_bytes();
        if v.len() == 8 && v.iter().all(u8::is_ascii_digit) {
            let (y, rest) = p.value.split_at(4);
            let (m, d) = rest.split_at(2);
            p.value = Cow::Owned(format!("{y}-{m}-{d}"));
        }
        if p.is("ANNIVERSARY") {
            p.name = owned("X-ANNIVERSARY");
        }
    }
    Some(p)
}

/// `YYYY-MM-DD`.
fn is_extended_date(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 10
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}
