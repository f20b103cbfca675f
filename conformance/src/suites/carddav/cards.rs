//! Address books and address object resources: OPTIONS, the principal and the address book
//! home, extended MKCOL, PUT of vCard 3 and 4 with their preconditions, ETags,
//! addressbook-multiget, addressbook-query (text-match types, anyof/allof, negate,
//! is-not-defined, param-filter, limit, collations), address-data selection and version
//! conversion, 100 KB photos.

use std::collections::BTreeSet;

use groupwire_dav::DavRequest;
use groupwire_dav::body::{
    AddressDataRequest, AddressbookQuery, CardFilter, CardParamFilter, CardPropFilter,
    CardTextMatch, FilterTest, PropSelect, PropValue, Propfind, RequestedProp, Selection,
};
use groupwire_dav::xml::{CardDav, Dav, Name};

use super::data::{self, ANNA, BERND, CARLA};
use crate::engine::http::HttpRequest;
use crate::engine::{CheckContext, CheckResult, Finding, ensure};
use crate::suites::caldav::fixture::{
    self, Kind, Session, found, matched_names, multistatus, object_data, refused_with, response_for,
};

fn session(cx: &CheckContext) -> Result<Session, Finding> {
    Session::open(cx, Kind::Addressbook, 0)
}

async fn addressbook(cx: &CheckContext) -> Result<(Session, String), Finding> {
    let mut dav = session(cx)?;
    let path = dav.scratch("book", Some("groupwire scratch"), &[]).await?;
    Ok((dav, path))
}

async fn people(cx: &CheckContext) -> Result<(Session, String), Finding> {
    let (mut dav, path) = addressbook(cx).await?;
    for (name, card) in data::people(&cx.scratch_name("p")) {
        dav.store(&path, name, &card).await?;
    }
    Ok((dav, path))
}

/// RFC 6352 §6.1: OPTIONS lists `addressbook` in the DAV header.
pub async fn options_addressbook(cx: CheckContext) -> CheckResult {
    let mut dav = session(&cx)?;
    let home = dav.home().await?;
    let response = dav.send(HttpRequest::new("OPTIONS", home.clone())).await?;
    let classes = response.header_list("dav");
    ensure(
        classes
            .iter()
            .any(|c| c.eq_ignore_ascii_case("addressbook")),
        format!("addressbook in the DAV header of OPTIONS {home}"),
        || format!("DAV: {}", classes.join(", ")),
    )
}

/// RFC 6352 §3 with RFC 5397: the context path names the user's principal.
pub async fn current_user_principal(cx: CheckContext) -> CheckResult {
    let mut dav = session(&cx)?;
    dav.principal().await.map(|_| ())
}

/// RFC 6352 §7.1.1: the principal names an address book home that answers PROPFIND.
pub async fn addressbook_home_set(cx: CheckContext) -> CheckResult {
    let mut dav = session(&cx)?;
    let home = dav.home().await?;
    let response = dav
        .propfind(&home, "0", &[Name::Dav(Dav::ResourceType)])
        .await?;
    multistatus(&response).map(|_| ())
}

/// RFC 6352 §7.1.1: a Depth 1 PROPFIND of the home lists the address books in it.
pub async fn home_lists_addressbooks(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = addressbook(&cx).await?;
    let home = dav.home().await?;
    let response = dav
        .propfind(&home, "1", &[Name::Dav(Dav::ResourceType)])
        .await?;
    let ms = multistatus(&response)?;
    let listed = response_for(&ms, &path)
        .and_then(|r| found(r, &Name::Dav(Dav::ResourceType)))
        .is_some_and(|v| matches!(v, PropValue::Markers(m) if m.contains(&Name::CardDav(CardDav::Addressbook))));
    ensure(
        listed,
        format!("{path} listed with CARDDAV:addressbook in its resourcetype"),
        || format!("{} responses without it", ms.responses.len()),
    )
}

/// RFC 6352 §6.3.1: extended MKCOL creates an address book.
pub async fn mkcol_created(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = addressbook(&cx).await?;
    let response = dav
        .propfind(&path, "0", &[Name::Dav(Dav::ResourceType)])
        .await?;
    multistatus(&response).map(|_| ())
}

/// RFC 6352 §5.2: the new collection's resourcetype has collection and addressbook.
pub async fn mkcol_resourcetype(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = addressbook(&cx).await?;
    let value = dav.property(&path, Name::Dav(Dav::ResourceType)).await?;
    ensure(
        matches!(&value, Some(PropValue::Markers(m))
            if m.contains(&Name::Dav(Dav::Collection)) && m.contains(&Name::CardDav(CardDav::Addressbook))),
        "DAV:resourcetype with DAV:collection and CARDDAV:addressbook",
        || format!("{value:?}"),
    )
}

/// RFC 5689 §3: properties set in the extended MKCOL are applied.
pub async fn mkcol_properties(cx: CheckContext) -> CheckResult {
    let mut dav = session(&cx)?;
    let name = "groupwire MKCOL displayname";
    let path = dav.scratch("named", Some(name), &[]).await?;
    let value = dav.property(&path, Name::Dav(Dav::DisplayName)).await?;
    ensure(
        matches!(&value, Some(PropValue::Text(t)) if t == name),
        format!("DAV:displayname {name:?} as set by MKCOL"),
        || format!("{value:?}"),
    )
}

async fn read_back(dav: &mut Session, target: &str, uid: &str) -> CheckResult {
    let response = dav.get(target).await?;
    ensure(
        response.status == 200,
        format!("200 to GET {target}"),
        || response.summary(),
    )?;
    let card = fixture::parse_vcard(&response.text())?;
    let got = card.property("UID").map(|p| p.text().into_owned());
    ensure(
        got.as_deref() == Some(uid),
        format!("the stored vCard with UID {uid}"),
        || format!("UID {got:?}"),
    )
}

/// RFC 6352 §3: a vCard 3.0 is stored and read back.
pub async fn put_vcard3(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = addressbook(&cx).await?;
    let uid = cx.scratch_name("v3");
    let target = format!("{path}v3.vcf");
    let response = dav
        .put(&target, &data::card3(&uid, "Version Three", "Three"), &[])
        .await?;
    ensure(
        matches!(response.status, 201 | 204),
        format!("201 to PUT {target}"),
        || response.summary(),
    )?;
    read_back(&mut dav, &target, &uid).await
}

/// RFC 6352 §3: a vCard 4.0 is stored and read back (SHOULD).
pub async fn put_vcard4(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = addressbook(&cx).await?;
    let uid = cx.scratch_name("v4");
    let target = format!("{path}v4.vcf");
    let response = dav
        .put(&target, &data::card4(&uid, "Version Four", "Four"), &[])
        .await?;
    ensure(
        matches!(response.status, 201 | 204),
        format!("201 to PUT {target} (vCard 4.0)"),
        || response.summary(),
    )?;
    read_back(&mut dav, &target, &uid).await
}

/// RFC 6352 §6.3.2.1: invalid vCard data is refused with valid-address-data.
pub async fn put_invalid(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = addressbook(&cx).await?;
    let response = dav
        .put(&format!("{path}invalid.vcf"), data::INVALID, &[])
        .await?;
    refused_with(&response, Name::CardDav(CardDav::ValidAddressData))
}

/// RFC 6352 §6.3.2.1: a second vCard with a UID in use is refused with no-uid-conflict.
pub async fn put_uid_conflict(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = addressbook(&cx).await?;
    let uid = cx.scratch_name("dup");
    dav.store(&path, "first", &data::card3(&uid, "First", "One"))
        .await?;
    let response = dav
        .put(
            &format!("{path}second.vcf"),
            &data::card3(&uid, "Second", "Two"),
            &[],
        )
        .await?;
    refused_with(&response, Name::CardDav(CardDav::NoUidConflict))
}

/// RFC 6352 §6.3.2.1: data of another media type is refused with supported-address-data.
pub async fn put_unsupported_media(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = addressbook(&cx).await?;
    let calendar = crate::suites::caldav::data::event(
        &cx.scratch_name("ev"),
        "20270104T100000Z",
        "20270104T110000Z",
        "Not a card",
    );
    let response = dav
        .send(
            HttpRequest::new("PUT", format!("{path}event.vcf"))
                .body("text/calendar", calendar.into_bytes()),
        )
        .await?;
    refused_with(&response, Name::CardDav(CardDav::SupportedAddressData))
}

/// RFC 6352 §6.2.2: supported-address-data, when present, includes text/vcard 3.0.
pub async fn supported_address_data(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = addressbook(&cx).await?;
    let value = dav
        .property(&path, Name::CardDav(CardDav::SupportedAddressData))
        .await?;
    match &value {
        None => Ok(()),
        Some(PropValue::DataTypes(types)) => ensure(
            types.iter().any(|t| {
                t.content_type
                    .as_deref()
                    .is_none_or(|c| c.eq_ignore_ascii_case("text/vcard"))
                    && t.version.as_deref().is_none_or(|v| v == "3.0")
            }),
            "text/vcard version 3.0 in supported-address-data",
            || format!("{types:?}"),
        ),
        Some(other) => Err(Finding::violation(
            "address-data-type elements in supported-address-data",
            format!("{other:?}"),
        )),
    }
}

/// RFC 6352 §8: supported-report-set lists the two address book reports.
pub async fn supported_reports(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = addressbook(&cx).await?;
    let value = dav
        .property(&path, Name::Dav(Dav::SupportedReportSet))
        .await?;
    let reports = match &value {
        Some(PropValue::Reports(reports)) => reports.clone(),
        _ => Vec::new(),
    };
    ensure(
        reports.contains(&Name::CardDav(CardDav::AddressbookQuery))
            && reports.contains(&Name::CardDav(CardDav::AddressbookMultiget)),
        "addressbook-query and addressbook-multiget in DAV:supported-report-set",
        || format!("{value:?}"),
    )
}

/// RFC 6352 §8.7: addressbook-multiget returns the data of each vCard asked for.
pub async fn multiget_data(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = people(&cx).await?;
    let targets = [format!("{path}{ANNA}.vcf"), format!("{path}{BERND}.vcf")];
    let response = dav.multiget(&path, &targets).await?;
    let ms = multistatus(&response)?;
    for target in &targets {
        let data = response_for(&ms, target).and_then(object_data);
        ensure(
            data.as_deref().is_some_and(|d| d.contains("BEGIN:VCARD")),
            format!("address-data for {target}"),
            || format!("{data:?}"),
        )?;
    }
    Ok(())
}

fn text(text: &str, match_type: Option<&str>, negate: bool) -> CardTextMatch<'static> {
    CardTextMatch {
        collation: None,
        negate,
        match_type: match_type.map(|m| m.to_owned().into()),
        text: text.to_owned().into(),
    }
}

fn prop(name: &str, matches: Vec<CardTextMatch<'static>>) -> CardPropFilter<'static> {
    CardPropFilter {
        name: name.to_owned().into(),
        test: None,
        is_not_defined: false,
        text_matches: matches,
        param_filters: Vec::new(),
    }
}

fn query(test: Option<FilterTest>, props: Vec<CardPropFilter<'static>>) -> DavRequest<'static> {
    DavRequest::AddressbookQuery(AddressbookQuery {
        selection: Some(Propfind::Prop(vec![RequestedProp::Name(Name::Dav(
            Dav::GetEtag,
        ))])),
        filter: CardFilter {
            test,
            prop_filters: props,
        },
        limit: None,
    })
}

async fn names(
    dav: &mut Session,
    path: &str,
    body: &DavRequest<'static>,
) -> Result<BTreeSet<String>, Finding> {
    let response = dav.report(path, Some("1"), body).await?;
    let ms = multistatus(&response)?;
    Ok(matched_names(&ms, path))
}

fn judge(what: &str, got: &BTreeSet<String>, want: &[&str], not: &[&str]) -> CheckResult {
    let missing: Vec<&str> = want.iter().copied().filter(|n| !got.contains(*n)).collect();
    let extra: Vec<&str> = not.iter().copied().filter(|n| got.contains(*n)).collect();
    ensure(
        missing.is_empty() && extra.is_empty(),
        format!("{what}: {want:?} matched, {not:?} not"),
        || format!("matched {got:?}"),
    )
}

/// RFC 6352 §10.5.4: text-match defaults to a case-insensitive "contains".
pub async fn query_contains(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = people(&cx).await?;
    let got = names(
        &mut dav,
        &path,
        &query(None, vec![prop("FN", vec![text("SCHMIDT", None, false)])]),
    )
    .await?;
    judge("FN contains \"SCHMIDT\"", &got, &[ANNA, CARLA], &[BERND])
}

/// RFC 6352 §10.5.4: match-type equals.
pub async fn query_equals(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = people(&cx).await?;
    let whole = names(
        &mut dav,
        &path,
        &query(
            None,
            vec![prop(
                "FN",
                vec![text("anna schmidt", Some("equals"), false)],
            )],
        ),
    )
    .await?;
    judge(
        "FN equals \"anna schmidt\"",
        &whole,
        &[ANNA],
        &[BERND, CARLA],
    )?;
    let part = names(
        &mut dav,
        &path,
        &query(
            None,
            vec![prop("FN", vec![text("schmidt", Some("equals"), false)])],
        ),
    )
    .await?;
    judge(
        "FN equals \"schmidt\" (a part of two names, the whole of none)",
        &part,
        &[],
        &[ANNA, CARLA],
    )
}

/// RFC 6352 §10.5.4: match-type starts-with.
pub async fn query_starts_with(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = people(&cx).await?;
    let got = names(
        &mut dav,
        &path,
        &query(
            None,
            vec![prop("FN", vec![text("c", Some("starts-with"), false)])],
        ),
    )
    .await?;
    judge(
        "FN starts with \"c\" (Anna Schmidt has one inside)",
        &got,
        &[CARLA],
        &[ANNA, BERND],
    )
}

/// RFC 6352 §10.5.4: match-type ends-with.
pub async fn query_ends_with(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = people(&cx).await?;
    let got = names(
        &mut dav,
        &path,
        &query(
            None,
            vec![prop("FN", vec![text("schmidt", Some("ends-with"), false)])],
        ),
    )
    .await?;
    judge("FN ends with \"schmidt\"", &got, &[ANNA], &[BERND, CARLA])
}

/// RFC 6352 §10.5: test="anyof" is a logical OR of the prop-filters.
pub async fn query_anyof(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = people(&cx).await?;
    let got = names(
        &mut dav,
        &path,
        &query(
            Some(FilterTest::AnyOf),
            vec![
                prop("NICKNAME", vec![text("Carli", None, false)]),
                prop("TEL", vec![text("2222", None, false)]),
            ],
        ),
    )
    .await?;
    judge(
        "NICKNAME contains Carli OR TEL contains 2222",
        &got,
        &[BERND, CARLA],
        &[ANNA],
    )
}

/// RFC 6352 §10.5: test="allof" is a logical AND of the prop-filters.
pub async fn query_allof(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = people(&cx).await?;
    let got = names(
        &mut dav,
        &path,
        &query(
            Some(FilterTest::AllOf),
            vec![
                prop("FN", vec![text("Schmidt", None, false)]),
                prop("EMAIL", vec![text("example.org", None, false)]),
            ],
        ),
    )
    .await?;
    judge(
        "FN contains Schmidt AND EMAIL contains example.org",
        &got,
        &[ANNA],
        &[BERND, CARLA],
    )
}

/// RFC 6352 §10.5.4: negate-condition inverts a text-match.
pub async fn query_negate(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = people(&cx).await?;
    let got = names(
        &mut dav,
        &path,
        &query(None, vec![prop("FN", vec![text("schmidt", None, true)])]),
    )
    .await?;
    judge(
        "FN not containing \"schmidt\"",
        &got,
        &[BERND],
        &[ANNA, CARLA],
    )
}

/// RFC 6352 §10.5.3: is-not-defined matches vCards without the property.
pub async fn query_is_not_defined(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = people(&cx).await?;
    let mut filter = prop("EMAIL", Vec::new());
    filter.is_not_defined = true;
    let got = names(&mut dav, &path, &query(None, vec![filter])).await?;
    judge("no EMAIL", &got, &[BERND], &[ANNA, CARLA])
}

/// RFC 6352 §10.5.2: a param-filter restricts the match to properties with the parameter.
pub async fn query_param_filter(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = people(&cx).await?;
    let mut filter = prop("TEL", Vec::new());
    filter.param_filters.push(CardParamFilter {
        name: "TYPE".into(),
        is_not_defined: false,
        text_match: Some(text("work", Some("equals"), false)),
    });
    let got = names(&mut dav, &path, &query(None, vec![filter])).await?;
    judge("TEL with TYPE=work", &got, &[BERND], &[ANNA, CARLA])
}

/// RFC 6352 §8.6.2: a limit truncates the result and says so with 507 on the Request-URI.
pub async fn query_limit(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = people(&cx).await?;
    let body = DavRequest::AddressbookQuery(AddressbookQuery {
        selection: Some(Propfind::Prop(vec![RequestedProp::Name(Name::Dav(
            Dav::GetEtag,
        ))])),
        filter: CardFilter {
            test: None,
            prop_filters: vec![prop("FN", vec![text("m", None, false)])],
        },
        limit: Some(1),
    });
    let response = dav.report(&path, Some("1"), &body).await?;
    let ms = multistatus(&response)?;
    let got = matched_names(&ms, &path);
    ensure(
        got.len() <= 1,
        "at most 1 matching vCard with <C:limit><C:nresults>1</C:nresults></C:limit>",
        || format!("{} of them: {got:?}", got.len()),
    )?;
    let truncated = response_for(&ms, &path).and_then(|r| r.status.as_ref().and_then(|s| s.code()));
    ensure(
        truncated == Some(507),
        format!("a DAV:response for {path} with status 507 (three vCards match)"),
        || format!("{truncated:?}"),
    )
}

/// RFC 6352 §8.3: an unsupported collation is refused with supported-collation.
pub async fn query_unsupported_collation(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = people(&cx).await?;
    let mut matcher = text("anna", None, false);
    matcher.collation = Some("x-groupwire;no-such-collation".into());
    let response = dav
        .report(
            &path,
            Some("1"),
            &query(None, vec![prop("FN", vec![matcher])]),
        )
        .await?;
    refused_with(&response, Name::CardDav(CardDav::SupportedCollation))
}

fn address_data(version: Option<&str>, props: &[&str]) -> AddressDataRequest<'static> {
    AddressDataRequest {
        content_type: version.map(|_| "text/vcard".into()),
        version: version.map(|v| v.to_owned().into()),
        props: Selection::Listed(
            props
                .iter()
                .map(|p| PropSelect {
                    name: (*p).to_owned().into(),
                    novalue: false,
                })
                .collect(),
        ),
    }
}

async fn anna_data(
    dav: &mut Session,
    path: &str,
    request: AddressDataRequest<'static>,
) -> Result<crate::engine::http::HttpResponse, Finding> {
    let body = DavRequest::AddressbookMultiget(groupwire_dav::body::Multiget {
        selection: Some(Propfind::Prop(vec![RequestedProp::AddressData(request)])),
        hrefs: vec![groupwire_dav::body::Href::new(format!("{path}{ANNA}.vcf"))],
    });
    dav.report(path, Some("0"), &body).await
}

/// RFC 6352 §10.4.2: address-data with prop elements returns only those properties.
pub async fn address_data_props(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = people(&cx).await?;
    let response = anna_data(&mut dav, &path, address_data(None, &["FN", "UID"])).await?;
    let ms = multistatus(&response)?;
    let data = ms
        .responses
        .iter()
        .find_map(object_data)
        .ok_or_else(|| Finding::violation("address-data for Anna", "none"))?;
    let card = fixture::parse_vcard(&data)?;
    let extra: Vec<String> = card
        .properties
        .iter()
        .map(|p| p.name.to_ascii_uppercase())
        .filter(|n| !matches!(n.as_str(), "FN" | "UID" | "VERSION"))
        .collect();
    ensure(
        extra.is_empty() && card.property("FN").is_some(),
        "a vCard with FN and UID only (and VERSION)",
        || format!("also {extra:?}"),
    )
}

/// RFC 6352 §5.1.1: address-data version="4.0" returns vCard 4.0, or says it cannot convert.
pub async fn address_data_version(cx: CheckContext) -> CheckResult {
    let (mut dav, path) = people(&cx).await?;
    let response = anna_data(&mut dav, &path, address_data(Some("4.0"), &[])).await?;
    if matches!(response.status, 403 | 409 | 415) {
        // Either precondition: 4.0 not supported at all, or not convertible to.
        return refused_with(
            &response,
            Name::CardDav(CardDav::SupportedAddressDataConversion),
        )
        .or_else(|_| refused_with(&response, Name::CardDav(CardDav::SupportedAddressData)));
    }
    let ms = multistatus(&response)?;
    if let Some(entry) = ms.responses.first()
        && entry.error.as_ref().is_some_and(|e| {
            e.conditions
                .iter()
                .any(|c| c.name == Name::CardDav(CardDav::SupportedAddressDataConversion))
        })
    {
        return Ok(());
    }
    let data = ms
        .responses
        .iter()
        .find_map(object_data)
        .ok_or_else(|| Finding::violation("address-data for Anna", "none"))?;
    let card = fixture::parse_vcard(&data)?;
    let version = card.property("VERSION").map(|p| p.text().into_owned());
    ensure(
        version.as_deref() == Some("4.0"),
        "VERSION:4.0 data, or the supported-address-data(-conversion) precondition",
        || format!("VERSION {version:?}"),
    )
}

/// Apple Contacts and DAVx5 store contact photos inline: a vCard with a 100 KB PHOTO is
/// stored and returned whole.
pub async fn large_photo(cx: CheckContext) -> CheckResult {
    const SIZE: usize = 100 * 1024;
    let (mut dav, path) = addressbook(&cx).await?;
    let card = data::with_photo(&cx.scratch_name("photo"), SIZE);
    let target = dav.store(&path, "photo", &card).await?;
    let response = dav.get(&target).await?;
    ensure(
        response.status == 200,
        format!("200 to GET {target}"),
        || response.summary(),
    )?;
    let stored = fixture::parse_vcard(&response.text())?;
    let length = stored
        .property("PHOTO")
        .map(|p| p.text().trim().len())
        .unwrap_or(0);
    ensure(
        length == SIZE,
        format!("the PHOTO with all {SIZE} octets of its base64 data"),
        || format!("{length} octets"),
    )
}
