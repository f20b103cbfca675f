//! OPTIONS, PROPFIND and PROPPATCH checks.

use groupwire_dav::body::{DavProperty, PropValue, PropertyUpdateItem, Propfind};
use groupwire_dav::headers::Depth;
use groupwire_dav::xml::{Dav, Name, RawXml};

use super::{
    OWNER_PROPPATCH, dead, in_collection, make_collection, put_file, remove, set_text, update,
    value_text,
};
use crate::engine::http::HttpRequest;
use crate::engine::{CheckResult, Finding, ensure};
use crate::suites::dav::{
    DavReply, DavSession, MultistatusExt, TestCollection, expect_condition, prop_names, props,
};

in_collection! {
    options_class_1 => options_class_1_in;
    depth_0 => depth_0_in;
    depth_1 => depth_1_in;
    depth_infinity => depth_infinity_in;
    no_depth => no_depth_in;
    empty_body => empty_body_in;
    allprop => allprop_in;
    propname => propname_in;
    missing_404 => missing_404_in;
    getcontentlength => getcontentlength_in;
    getcontenttype => getcontenttype_in;
    getetag => getetag_in;
    getlastmodified => getlastmodified_in;
    resourcetype => resourcetype_in;
    malformed => malformed_in;
    href_format => href_format_in;
    collection_slash => collection_slash_in;
    set_dead => set_dead_in;
    xml_value => xml_value_in;
    replace => replace_in;
    remove_dead => remove_dead_in;
    remove_absent => remove_absent_in;
    document_order => document_order_in;
    atomic => atomic_in;
    failed_dependency => failed_dependency_in;
    protected_403 => protected_403_in;
    protected_precondition => protected_precondition_in;
    etag_stable => etag_stable_in;
}

fn dn(name: Dav) -> Name<'static> {
    Name::Dav(name)
}

/// col/a.txt, col/sub/, col/sub/deep.txt.
async fn tree(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    put_file(dav, col, &col.child("a.txt"), "a\n").await?;
    make_collection(dav, &col.child("sub/")).await?;
    put_file(
        dav,
        col,
        &format!("{}deep.txt", col.child("sub/")),
        "deep\n",
    )
    .await?;
    Ok(())
}

/// A file with a dead property `color` = `blue`.
/// The test collection with the dead property `color` = `blue` (collections, not members:
/// servers that store only contacts and calendars keep properties on collections only).
async fn file_with_dead(dav: &mut DavSession, col: &TestCollection) -> Result<String, Finding> {
    let path = col.path.clone();
    let reply = dav
        .proppatch(&path, &update(vec![set_text(dead("color"), "blue")]))
        .await?;
    let stored = reply
        .multistatus()
        .ok()
        .and_then(|ms| ms.prop_status(&path, &dead("color")))
        == Some(200);
    if !stored {
        let current = dav.cx().check().map(|check| check.id);
        return Err(Finding::blocked(
            OWNER_PROPPATCH,
            current,
            "PROPPATCH setting a dead property to answer 207 with 200 for it",
            reply.summary(),
        ));
    }
    Ok(path)
}

async fn options_class_1_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let file = col.child("o.txt");
    put_file(dav, col, &file, "o\n").await?;
    for path in [dav.base().to_owned(), col.path.clone(), file] {
        let reply = dav.options(&path).await?;
        let classes: Vec<String> = reply.http.header_list("dav");
        ensure(
            reply.http.is_success() && classes.iter().any(|c| c == "1"),
            format!("OPTIONS {path} to succeed with a DAV header listing class 1"),
            || match reply.header("dav") {
                Some(value) => format!("{} with DAV: {value}", reply.status()),
                None => format!("{} without a DAV header", reply.status()),
            },
        )?;
    }
    Ok(())
}

async fn depth_0_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    tree(dav, col).await?;
    let reply = dav
        .propfind(&col.path, Depth::Zero, &props(&[dav_name_rt()]))
        .await?;
    let ms = reply.multistatus()?;
    let paths = ms.paths();
    ensure(
        paths.len() == 1 && ms.response_for(&col.path).is_some(),
        format!("one response, for {}", col.path),
        || format!("responses for {paths:?}"),
    )
}

fn dav_name_rt() -> Name<'static> {
    dn(Dav::ResourceType)
}

async fn depth_1_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    tree(dav, col).await?;
    let reply = dav
        .propfind(&col.path, Depth::One, &props(&[dav_name_rt()]))
        .await?;
    let ms = reply.multistatus()?;
    let paths = ms.paths();
    let deep = format!("{}deep.txt", col.child("sub/"));
    ensure(
        ms.response_for(&col.path).is_some()
            && ms.response_for(&col.child("a.txt")).is_some()
            && ms.response_for(&col.child("sub/")).is_some()
            && ms.response_for(&deep).is_none(),
        "responses for the collection, a.txt and sub/, and none for sub/deep.txt",
        || format!("responses for {paths:?}"),
    )
}

/// Depth infinity (or no Depth): the whole tree, or 403 with propfind-finite-depth.
async fn infinite(dav: &mut DavSession, col: &TestCollection, depth: Option<Depth>) -> CheckResult {
    tree(dav, col).await?;
    let mut request =
        DavSession::propfind_request(&col.path, Depth::Zero, &props(&[dav_name_rt()]));
    request
        .headers
        .retain(|(name, _)| !name.eq_ignore_ascii_case("depth"));
    if let Some(depth) = depth {
        request = request.header("Depth", depth.as_str());
    }
    let reply = dav.send(request).await?;
    if reply.status() == 403 {
        return expect_condition(&reply, &[403], &dn(Dav::PropfindFiniteDepth));
    }
    let ms = reply.multistatus()?;
    let deep = format!("{}deep.txt", col.child("sub/"));
    ensure(
        ms.response_for(&deep).is_some() && ms.response_for(&col.child("a.txt")).is_some(),
        "207 listing the whole tree (including sub/deep.txt), or 403 with propfind-finite-depth",
        || format!("207 with responses for {:?}", ms.paths()),
    )
}

async fn depth_infinity_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    infinite(dav, col, Some(Depth::Infinity)).await
}

async fn no_depth_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    infinite(dav, col, None).await
}

async fn empty_body_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let path = file_with_dead(dav, col).await?;
    let reply = dav
        .send(HttpRequest::new("PROPFIND", &path).header("Depth", "0"))
        .await?;
    let ms = reply.multistatus()?;
    let names = prop_names(ms, &path);
    ensure(
        ms.prop_status(&path, &dead("color")) == Some(200)
            && ms.prop_status(&path, &dn(Dav::ResourceType)) == Some(200),
        "the allprop answer: the dead property color and DAV:resourcetype with 200",
        || format!("properties {}", show_names(&names)),
    )
}

fn show_names(names: &[Name<'_>]) -> String {
    let shown: Vec<String> = names.iter().map(ToString::to_string).collect();
    format!("[{}]", shown.join(", "))
}

async fn allprop_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let path = file_with_dead(dav, col).await?;
    let reply = dav
        .propfind(
            &path,
            Depth::Zero,
            &Propfind::AllProp {
                include: Vec::new(),
            },
        )
        .await?;
    let ms = reply.multistatus()?;
    let value = ms
        .prop(&path, &dead("color"))
        .filter(|p| p.status == 200)
        .map(|p| value_text(&p.property.value));
    let names = prop_names(ms, &path);
    ensure(
        value.as_deref() == Some("blue")
            && ms.prop_status(&path, &dn(Dav::ResourceType)) == Some(200),
        "the dead property color=blue and DAV:resourcetype with 200",
        || format!("color={value:?}, properties {}", show_names(&names)),
    )
}

async fn propname_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let path = file_with_dead(dav, col).await?;
    let reply = dav
        .propfind(&path, Depth::Zero, &Propfind::PropName)
        .await?;
    let ms = reply.multistatus()?;
    let response = ms.response_for(&path).ok_or_else(|| {
        Finding::violation(
            format!("a response for {path}"),
            format!("{:?}", ms.paths()),
        )
    })?;
    let all: Vec<&DavProperty<'static>> = response
        .propstats
        .iter()
        .flat_map(|ps| ps.props.iter())
        .collect();
    let with_values: Vec<String> = all
        .iter()
        .filter(|p| !super::vacant(&p.value))
        .map(|p| p.name.to_string())
        .collect();
    let listed = |name: &Name<'_>| all.iter().any(|p| &p.name == name);
    ensure(
        listed(&dead("color")) && listed(&dn(Dav::ResourceType)) && with_values.is_empty(),
        "the names color and DAV:resourcetype, every one without a value",
        || {
            format!(
                "names {}, with values: {with_values:?}",
                show_names(&all.iter().map(|p| p.name.clone()).collect::<Vec<_>>())
            )
        },
    )
}

async fn missing_404_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let path = col.child("m.txt");
    put_file(dav, col, &path, "m\n").await?;
    let reply = dav
        .propfind(
            &path,
            Depth::Zero,
            &props(&[dead("never-set"), dn(Dav::GetEtag)]),
        )
        .await?;
    let ms = reply.multistatus()?;
    let status = ms.prop_status(&path, &dead("never-set"));
    ensure(
        status == Some(404),
        "the unset property in a propstat with 404",
        || format!("{status:?}"),
    )
}

async fn prop_after_get(
    dav: &mut DavSession,
    col: &TestCollection,
    header: &str,
    name: Dav,
) -> Result<(String, Option<String>, Option<PropValue<'static>>, u16), Finding> {
    let path = col.child("g.txt");
    put_file(dav, col, &path, "0123456789\n").await?;
    let get = dav.get(&path).await?;
    let header_value = get.header(header).map(str::to_owned);
    let reply = dav
        .propfind(&path, Depth::Zero, &props(&[dn(name)]))
        .await?;
    let ms = reply.multistatus()?;
    let found = ms.prop(&path, &dn(name));
    let status = found.as_ref().map_or(0, |p| p.status);
    let value = found.map(|p| p.property.value.clone());
    Ok((path, header_value, value, status))
}

async fn getcontentlength_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (_, header, value, status) =
        prop_after_get(dav, col, "content-length", Dav::GetContentLength).await?;
    let Some(header) = header else {
        return Err(Finding::skip("GET sent no Content-Length"));
    };
    let value = value.as_ref().map(value_text);
    ensure(
        status == 200 && value.as_deref() == Some(header.as_str()),
        format!("getcontentlength {header} with 200 (as Content-Length)"),
        || format!("status {status}, value {value:?}"),
    )
}

async fn getcontenttype_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (_, header, value, status) =
        prop_after_get(dav, col, "content-type", Dav::GetContentType).await?;
    let Some(header) = header else {
        return Err(Finding::skip("GET sent no Content-Type"));
    };
    let value = value.as_ref().map(value_text);
    ensure(
        status == 200 && value.as_deref().is_some_and(|v| !v.is_empty()),
        format!("getcontenttype with 200 (GET said {header})"),
        || format!("status {status}, value {value:?}"),
    )
}

async fn getetag_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (_, header, value, status) = prop_after_get(dav, col, "etag", Dav::GetEtag).await?;
    let Some(header) = header else {
        return Err(Finding::skip("GET sent no ETag"));
    };
    let value = value.as_ref().map(value_text);
    ensure(
        status == 200 && value.as_deref() == Some(header.as_str()),
        format!("getetag {header} with 200 (the ETag header)"),
        || format!("status {status}, value {value:?}"),
    )
}

async fn getlastmodified_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (_, header, value, status) =
        prop_after_get(dav, col, "last-modified", Dav::GetLastModified).await?;
    let Some(header) = header else {
        return Err(Finding::skip("GET sent no Last-Modified"));
    };
    let value = value.as_ref().map(value_text);
    ensure(
        status == 200 && value.as_deref().is_some_and(|v| !v.is_empty()),
        format!("getlastmodified with 200 (GET said {header})"),
        || format!("status {status}, value {value:?}"),
    )
}

fn is_collection(value: Option<&PropValue<'_>>) -> bool {
    matches!(value, Some(PropValue::Markers(markers)) if markers.contains(&Name::Dav(Dav::Collection)))
}

async fn resourcetype_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let file = col.child("r.txt");
    put_file(dav, col, &file, "r\n").await?;
    let reply = dav
        .propfind(&col.path, Depth::One, &props(&[dav_name_rt()]))
        .await?;
    let ms = reply.multistatus()?;
    let of = |path: &str| {
        ms.prop(path, &dav_name_rt())
            .filter(|p| p.status == 200)
            .map(|p| p.property.value.clone())
    };
    let collection = of(&col.path);
    let member = of(&file);
    ensure(
        is_collection(collection.as_ref()) && member.is_some() && !is_collection(member.as_ref()),
        "DAV:collection in the collection's resourcetype, not in the file's (both 200)",
        || format!("collection: {collection:?}, file: {member:?}"),
    )
}

async fn malformed_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let reply = dav
        .send(
            HttpRequest::new("PROPFIND", &col.path)
                .header("Depth", "0")
                .xml(b"<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\"><D:prop><D:getetag></D:prop>".to_vec()),
        )
        .await?;
    ensure(reply.status() == 400, "400 Bad Request", || reply.summary())
}

async fn href_format_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    tree(dav, col).await?;
    let reply = dav
        .propfind(&col.path, Depth::One, &props(&[dav_name_rt()]))
        .await?;
    let ms = reply.multistatus()?;
    let hrefs: Vec<&str> = ms
        .responses
        .iter()
        .flat_map(|r| r.hrefs.iter().map(|h| h.as_str()))
        .collect();
    let absolute = hrefs.iter().filter(|h| h.contains("://")).count();
    ensure(
        hrefs.len() >= 2 && (absolute == 0 || absolute == hrefs.len()),
        "every href a full URI, or every href an absolute path",
        || format!("hrefs {hrefs:?}"),
    )
}

async fn collection_slash_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    tree(dav, col).await?;
    let reply = dav
        .propfind(&col.path, Depth::One, &props(&[dav_name_rt()]))
        .await?;
    let ms = reply.multistatus()?;
    let mut wrong = Vec::new();
    for response in &ms.responses {
        let collection = response.propstats.iter().any(|ps| {
            ps.props
                .iter()
                .any(|p| p.name == dav_name_rt() && is_collection(Some(&p.value)))
        });
        for href in &response.hrefs {
            if collection && !href.as_str().ends_with('/') {
                wrong.push(href.as_str().to_owned());
            }
        }
    }
    ensure(
        wrong.is_empty() && ms.responses.len() >= 3,
        "every collection's href ending in /",
        || format!("collection hrefs without /: {wrong:?}"),
    )
}

async fn set_dead_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let path = col.path.clone();
    let reply = dav
        .proppatch(&path, &update(vec![set_text(dead("color"), "blue")]))
        .await?;
    let ms = reply.multistatus()?;
    let status = ms.prop_status(&path, &dead("color"));
    ensure(
        status == Some(200),
        "207 with 200 for the dead property",
        || format!("{status:?}"),
    )?;
    let value = read_dead(dav, &path, "color").await?;
    ensure(
        value.as_deref() == Some("blue"),
        "PROPFIND to return color=blue",
        || format!("{value:?}"),
    )
}

/// The value of dead property `local` of `path` (None when not 200).
pub(super) async fn read_dead(
    dav: &mut DavSession,
    path: &str,
    local: &str,
) -> Result<Option<String>, Finding> {
    let reply = dav
        .propfind(path, Depth::Zero, &props(&[dead(local)]))
        .await?;
    let ms = reply.multistatus()?;
    Ok(ms
        .prop(path, &dead(local))
        .filter(|p| p.status == 200)
        .map(|p| value_text(&p.property.value)))
}

async fn xml_value_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let path = col.path.clone();
    let raw = RawXml::new(
        "<I:author xmlns:I=\"urn:groupwire:inner\" xml:lang=\"de\">J\u{fc}rgen <I:b>B</I:b></I:author>",
    );
    let set = PropertyUpdateItem::Set(vec![DavProperty::new(dead("authors"), PropValue::Raw(raw))]);
    let reply = dav.proppatch(&path, &update(vec![set])).await?;
    let ms = reply.multistatus()?;
    if ms.prop_status(&path, &dead("authors")) != Some(200) {
        return Err(Finding::blocked(
            OWNER_PROPPATCH,
            dav.cx().check().map(|c| c.id),
            "207 with 200 for the dead property",
            reply.summary(),
        ));
    }
    let reply = dav
        .propfind(&path, Depth::Zero, &props(&[dead("authors")]))
        .await?;
    let ms = reply.multistatus()?;
    let value = ms
        .prop(&path, &dead("authors"))
        .map(|p| p.property.value.clone());
    let ok = match &value {
        Some(PropValue::Raw(raw)) => {
            let namespaces = raw
                .namespaces
                .iter()
                .any(|(_, ns)| ns == "urn:groupwire:inner")
                || raw.content.contains("urn:groupwire:inner");
            namespaces
                && raw.content.contains("author")
                && raw.content.contains(":b")
                && raw.content.contains("J\u{fc}rgen")
                && raw.content.contains("xml:lang=\"de\"")
        }
        _ => false,
    };
    ensure(
        ok,
        "the value back with its urn:groupwire:inner elements author and b, the text and xml:lang=\"de\"",
        || format!("{value:?}"),
    )
}

async fn replace_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let path = file_with_dead(dav, col).await?;
    let reply = dav
        .proppatch(&path, &update(vec![set_text(dead("color"), "green")]))
        .await?;
    reply.multistatus()?;
    let value = read_dead(dav, &path, "color").await?;
    ensure(value.as_deref() == Some("green"), "color=green", || {
        format!("{value:?}")
    })
}

async fn remove_dead_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let path = file_with_dead(dav, col).await?;
    let reply = dav
        .proppatch(&path, &update(vec![remove(dead("color"))]))
        .await?;
    let ms = reply.multistatus()?;
    let status = ms.prop_status(&path, &dead("color"));
    ensure(status == Some(200), "207 with 200 for the removal", || {
        format!("{status:?}")
    })?;
    let value = read_dead(dav, &path, "color").await?;
    ensure(value.is_none(), "the property gone (404)", || {
        format!("still {value:?}")
    })
}

async fn remove_absent_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let path = col.path.clone();
    let reply = dav
        .proppatch(&path, &update(vec![remove(dead("never-set"))]))
        .await?;
    let ok = match reply.status() {
        200 | 204 => true,
        207 => reply
            .multistatus()
            .ok()
            .and_then(|ms| ms.prop_status(&path, &dead("never-set")))
            .is_none_or(|status| status == 200),
        _ => false,
    };
    ensure(ok, "success (207 with 200 for the property)", || {
        reply.summary()
    })
}

async fn document_order_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let path = col.path.clone();
    let reply = dav
        .proppatch(
            &path,
            &update(vec![set_text(dead("order"), "set"), remove(dead("order"))]),
        )
        .await?;
    reply.multistatus()?;
    let value = read_dead(dav, &path, "order").await?;
    ensure(
        value.is_none(),
        "set-then-remove to leave the property absent",
        || format!("the property present: {value:?}"),
    )
}

/// PROPPATCH setting a dead property and the protected DAV:getetag.
async fn mixed_patch(
    dav: &mut DavSession,
    col: &TestCollection,
) -> Result<(String, DavReply), Finding> {
    let path = col.path.clone();
    let reply = dav
        .proppatch(
            &path,
            &update(vec![
                set_text(dead("color"), "red"),
                set_text(dn(Dav::GetEtag), "\"forged\""),
            ]),
        )
        .await?;
    Ok((path, reply))
}

async fn atomic_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (path, reply) = mixed_patch(dav, col).await?;
    let value = read_dead(dav, &path, "color").await?;
    ensure(
        value.is_none(),
        "the dead property not set when the getetag instruction fails",
        || format!("color={value:?} after {}", reply.summary()),
    )
}

async fn failed_dependency_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (path, reply) = mixed_patch(dav, col).await?;
    let ms = reply.multistatus()?;
    let status = ms.prop_status(&path, &dead("color"));
    ensure(status == Some(424), "424 for the dead property", || {
        format!("{status:?}")
    })
}

async fn protected_403_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (path, reply) = mixed_patch(dav, col).await?;
    let ms = reply.multistatus()?;
    let status = ms.prop_status(&path, &dn(Dav::GetEtag));
    ensure(status == Some(403), "403 for DAV:getetag", || {
        format!("{status:?}")
    })
}

async fn protected_precondition_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (path, reply) = mixed_patch(dav, col).await?;
    let ms = reply.multistatus()?;
    let condition = Name::Dav(Dav::CannotModifyProtectedProperty);
    let found = ms.response_for(&path).is_some_and(|response| {
        let in_error = |error: &Option<groupwire_dav::body::ErrorBody<'static>>| {
            error
                .as_ref()
                .is_some_and(|e| e.conditions.iter().any(|c| c.name == condition))
        };
        in_error(&response.error) || response.propstats.iter().any(|ps| in_error(&ps.error))
    });
    ensure(
        found,
        "a DAV:error with cannot-modify-protected-property in the getetag propstat or response",
        || {
            ms.prop(&path, &dn(Dav::GetEtag)).map_or_else(
                || "no propstat for getetag".to_owned(),
                |p| format!("propstat {} with error {:?}", p.status, p.propstat.error),
            )
        },
    )
}

async fn etag_stable_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let path = col.child("e.txt");
    put_file(dav, col, &path, "e\n").await?;
    let before = dav.get(&path).await?;
    let Some(before) = before.etag().map(str::to_owned) else {
        return Err(Finding::skip("GET sent no ETag"));
    };
    let reply = dav
        .proppatch(&path, &update(vec![set_text(dead("color"), "blue")]))
        .await?;
    if reply.status() != 207 {
        return Err(Finding::blocked(
            OWNER_PROPPATCH,
            dav.cx().check().map(|c| c.id),
            "PROPPATCH of a dead property on a member to answer 207",
            reply.summary(),
        ));
    }
    let after = dav.get(&path).await?;
    let after = after.etag().map(str::to_owned);
    ensure(
        after.as_deref() == Some(before.as_str()),
        format!("the ETag still {before}"),
        || format!("{after:?}"),
    )
}
