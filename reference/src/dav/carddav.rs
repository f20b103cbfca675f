//! CardDAV (RFC 6352): vCard validation on PUT (§6.3.2.1), the addressbook-query (§8.6,
//! filters of §10.5 with `anyof`/`allof`, match types and `limit`) and addressbook-multiget
//! (§8.7) reports, and `address-data` with property selection and version conversion
//! (§10.4).

use bytes::Bytes;
use groupwire_dav::body::{
    AddressDataRequest, AddressbookQuery, CardFilter, CardParamFilter, CardPropFilter,
    CardTextMatch, DataValue, FilterTest, Multiget, PropValue, Selection,
};
use groupwire_dav::ical;
use groupwire_dav::vcard::{self, VCard, Version};
use groupwire_dav::xml::{CardDav, Dav};
use groupwire_dav::{Limits, Name};
use http::StatusCode;

use super::store::{Content, Node, Tree, encode_href};
use super::xml::{self, Resp};
use super::{Ctx, Req, caldav, props};
use crate::faults::Fault;

/// Decodes a whole vCard (trailing white space allowed).
pub fn parse_card<'a>(body: &'a [u8], limits: &Limits) -> Option<VCard<'a>> {
    caldav::whole_object(body, limits, vcard::decode_vcard)
}

/// Validates a vCard PUT into an address book (RFC 6352 §6.3.2.1 preconditions); the
/// resource to store, or the 403 naming the precondition.
pub fn validate_card(
    ctx: &Ctx,
    tree: &Tree,
    path: &str,
    content_type: &str,
    body: &Bytes,
) -> Result<Content, Resp> {
    let forbidden = |name: CardDav| xml::error(StatusCode::FORBIDDEN, Name::CardDav(name));
    let lenient = ctx.fault(Fault::DavInvalidDataAccepted);
    let stored = |uid: Option<String>| Content::Resource {
        body: body.to_vec(),
        content_type: "text/vcard; charset=utf-8".to_string(),
        uid,
    };
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("text/vcard")
        && !media.eq_ignore_ascii_case("text/x-vcard")
        && !lenient
    {
        return Err(forbidden(CardDav::SupportedAddressData));
    }
    let Some(card) = parse_card(body, &ctx.limits) else {
        return if lenient {
            Ok(stored(None))
        } else {
            Err(forbidden(CardDav::ValidAddressData))
        };
    };
    if card.version().is_none() && !lenient {
        return Err(forbidden(CardDav::SupportedAddressData));
    }
    let uid = card.property("UID").map(|p| p.text().into_owned());
    if uid.is_none() && !lenient {
        return Err(forbidden(CardDav::ValidAddressData));
    }
    if let Some(conflict) = caldav::uid_conflict(tree, path, uid.as_deref())
        && !ctx.fault(Fault::DavUidConflictAccepted)
    {
        return Err(xml::error_hrefs(
            StatusCode::FORBIDDEN,
            Name::CardDav(CardDav::NoUidConflict),
            vec![encode_href(&conflict, false)],
        ));
    }
    Ok(stored(uid))
}

/// A `CARDDAV:text-match` (RFC 6352 §10.5.4): `i;unicode-casemap` (default),
/// `i;ascii-casemap` or `i;octet`, with its match type.
fn text_matches(value: &str, tm: &CardTextMatch<'_>) -> bool {
    let (value, text) = match tm.collation.as_deref() {
        Some("i;octet") => (value.to_string(), tm.text.to_string()),
        Some("i;ascii-casemap") => (value.to_ascii_lowercase(), tm.text.to_ascii_lowercase()),
        _ => (value.to_lowercase(), tm.text.to_lowercase()),
    };
    let found = match tm.match_type.as_deref() {
        Some("equals") => value == text,
        Some("starts-with") => value.starts_with(&text),
        Some("ends-with") => value.ends_with(&text),
        _ => value.contains(&text),
    };
    found != tm.negate
}

fn combine(test: Option<FilterTest>, mut results: impl Iterator<Item = bool>) -> bool {
    match test {
        Some(FilterTest::AllOf) => results.all(|r| r),
        _ => {
            let mut any = false;
            let mut empty = true;
            for r in results {
                empty = false;
                any |= r;
            }
            empty || any
        }
    }
}

struct CardMatcher {
    ignore_text: bool,
}

impl CardMatcher {
    fn text(&self, value: &str, tm: &CardTextMatch<'_>) -> bool {
        self.ignore_text || text_matches(value, tm)
    }

    fn param(&self, p: &ical::Property<'_>, filter: &CardParamFilter<'_>) -> bool {
        match p.param(&filter.name) {
            None => filter.is_not_defined,
            Some(_) if filter.is_not_defined => false,
            Some(param) => filter
                .text_match
                .as_ref()
                .is_none_or(|tm| param.values.iter().any(|v| self.text(v, tm))),
        }
    }

    fn prop(&self, card: &VCard<'_>, filter: &CardPropFilter<'_>) -> bool {
        let props: Vec<&ical::Property<'_>> = card.properties_named(&filter.name).collect();
        if filter.is_not_defined {
            return props.is_empty();
        }
        props.iter().any(|p| {
            let value = p.text();
            combine(
                filter.test,
                filter
                    .text_matches
                    .iter()
                    .map(|tm| self.text(&value, tm))
                    .chain(filter.param_filters.iter().map(|pf| self.param(p, pf))),
            )
        })
    }

    fn card(&self, card: &VCard<'_>, filter: &CardFilter<'_>) -> bool {
        combine(
            filter.test,
            filter.prop_filters.iter().map(|pf| self.prop(card, pf)),
        )
    }
}

fn collations_supported(filter: &CardFilter<'_>) -> bool {
    let ok = |tm: &CardTextMatch<'_>| {
        matches!(
            tm.collation.as_deref(),
            None | Some("i;unicode-casemap") | Some("i;ascii-casemap") | Some("i;octet")
        ) && matches!(
            tm.match_type.as_deref(),
            None | Some("equals") | Some("contains") | Some("starts-with") | Some("ends-with")
        )
    };
    filter.prop_filters.iter().all(|pf| {
        pf.text_matches.iter().all(ok)
            && pf
                .param_filters
                .iter()
                .all(|p| p.text_match.as_ref().is_none_or(ok))
    })
}

/// addressbook-query (RFC 6352 §8.6).
pub fn addressbook_query(ctx: &Ctx, req: &Req, query: &AddressbookQuery<'_>) -> Resp {
    if !collations_supported(&query.filter) {
        return xml::error(
            StatusCode::FORBIDDEN,
            Name::CardDav(CardDav::SupportedCollation),
        );
    }
    let depth = match xml::depth(req) {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let tree = ctx.tree();
    let Some(target) = tree.get(&req.path) else {
        return xml::plain(StatusCode::NOT_FOUND, "not found\n");
    };
    let members: Vec<(&String, &Node)> = if target.is_collection() {
        if depth == Some(groupwire_dav::headers::Depth::Zero) {
            Vec::new()
        } else {
            tree.children(&req.path)
                .into_iter()
                .filter(|(_, n)| !n.is_collection())
                .collect()
        }
    } else {
        tree.get_key_value(&req.path).into_iter().collect()
    };
    let matcher = CardMatcher {
        ignore_text: ctx.fault(Fault::DavTextMatchIgnored),
    };
    let selection = caldav::selection_or_all(query.selection.as_ref());
    let limit = query
        .limit
        .filter(|_| !ctx.fault(Fault::DavQueryLimitIgnored))
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    let mut responses = Vec::new();
    let mut truncated = false;
    for (path, node) in members {
        let Some(card) = parse_card(node.body(), &ctx.limits) else {
            continue;
        };
        if matcher.card(&card, &query.filter) {
            if limit.is_some_and(|n| responses.len() >= n) {
                truncated = true;
                break;
            }
            responses.push(props::response(ctx, &tree, path, node, &selection));
        }
    }
    if truncated {
        let mut over = xml::status_response(encode_href(&req.path, target.is_collection()), 507);
        over.error = Some(xml::error_body(Name::Dav(Dav::NumberOfMatchesWithinLimits)));
        responses.push(over);
    }
    xml::multistatus(groupwire_dav::body::Multistatus {
        responses,
        description: None,
        sync_token: None,
    })
}

/// addressbook-multiget (RFC 6352 §8.7).
pub fn addressbook_multiget(ctx: &Ctx, req: &Req, query: &Multiget<'_>) -> Resp {
    caldav::multiget(ctx, req, query)
}

/// The `address-data` value of `node` as `request` asks for it; `Ok(None)` when the node
/// is not a vCard.
pub fn address_data(
    ctx: &Ctx,
    node: &Node,
    request: &AddressDataRequest<'_>,
) -> Result<Option<PropValue<'static>>, xml::Unsupported> {
    let Content::Resource { content_type, .. } = &node.content else {
        return Ok(None);
    };
    if !content_type.starts_with("text/vcard") {
        return Ok(None);
    }
    let value = |data: String| {
        Ok(Some(PropValue::Data(DataValue {
            content_type: None,
            version: None,
            data: data.into(),
        })))
    };
    if ctx.fault(Fault::DavAddressDataUnfiltered) {
        return value(String::from_utf8_lossy(node.body()).into_owned());
    }
    if request
        .content_type
        .as_deref()
        .is_some_and(|t| !t.eq_ignore_ascii_case("text/vcard"))
    {
        return Err(xml::Unsupported);
    }
    let target = match request.version.as_deref() {
        None => None,
        Some("3.0") => Some(Version::V3),
        Some("4.0") => Some(Version::V4),
        Some(_) => return Err(xml::Unsupported),
    };
    // No CARDDAV:prop element means the whole vCard (RFC 6352 §10.4), like allprop.
    let whole = matches!(&request.props, Selection::Listed(wanted) if wanted.is_empty());
    let plain = target.is_none() && (request.props == Selection::All || whole);
    let card = parse_card(node.body(), &ctx.limits);
    let Some(card) = card.filter(|_| !plain) else {
        return value(String::from_utf8_lossy(node.body()).into_owned());
    };
    let mut card = match target {
        Some(v) if card.version() != Some(v) => card.convert(v),
        _ => card.into_owned(),
    };
    if let Selection::Listed(wanted) = &request.props
        && !whole
    {
        card.properties
            .retain(|p| p.is("VERSION") || wanted.iter().any(|w| p.is(&w.name)));
        for p in &mut card.properties {
            if wanted.iter().any(|w| w.novalue && p.is(&w.name)) {
                p.value = "".into();
            }
        }
    }
    value(String::from_utf8_lossy(&card.to_bytes()).into_owned())
}
