//! MKCOL, PUT, GET, DELETE, entity tags and conditional requests, resource names.

use groupwire_dav::body::PropValue;
use groupwire_dav::headers::Depth;
use groupwire_dav::xml::{Dav, Name};

use super::{in_collection, make_collection, put_file, status_of};
use crate::engine::http::HttpRequest;
use crate::engine::{CheckResult, Finding, ensure};
use crate::suites::dav::{
    CollectionKind, DavSession, MultistatusExt, TestCollection, href_path, props,
};

in_collection! {
    mkcol_creates => mkcol_creates_in;
    mkcol_existing => mkcol_existing_in;
    mkcol_missing_parent => mkcol_missing_parent_in;
    mkcol_body => mkcol_body_in;
    put_creates => put_creates_in;
    put_round_trip => put_round_trip_in;
    put_missing_parent => put_missing_parent_in;
    etag_changes => etag_changes_in;
    if_match_stale => if_match_stale_in;
    if_match_current => if_match_current_in;
    if_none_match_star => if_none_match_star_in;
    get_not_modified => get_not_modified_in;
    delete_resource => delete_resource_in;
    delete_collection => delete_collection_in;
    name_space => name_space_in;
    name_non_ascii => name_non_ascii_in;
    name_percent => name_percent_in;
}

async fn mkcol_creates_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let path = col.child("new/");
    let reply = dav.mkcol(&path).await?;
    ensure(reply.status() == 201, "201 Created", || reply.summary())?;
    let reply = dav
        .propfind(&path, Depth::Zero, &props(&[Name::Dav(Dav::ResourceType)]))
        .await?;
    let ms = reply.multistatus()?;
    let value = ms
        .prop(&path, &Name::Dav(Dav::ResourceType))
        .map(|p| p.property.value.clone());
    ensure(
        matches!(&value, Some(PropValue::Markers(m)) if m.contains(&Name::Dav(Dav::Collection))),
        "the new resource's resourcetype to contain DAV:collection",
        || format!("{value:?}"),
    )
}

async fn mkcol_existing_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let path = col.child("twice/");
    make_collection(dav, &path).await?;
    let reply = dav.mkcol(&path).await?;
    ensure(reply.status() == 405, "405 Method Not Allowed", || {
        reply.summary()
    })
}

async fn mkcol_missing_parent_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let parent = col.child("missing/");
    let reply = dav.mkcol(&format!("{parent}child/")).await?;
    ensure(reply.status() == 409, "409 Conflict", || reply.summary())?;
    let parent_status = status_of(dav, &parent).await?;
    ensure(
        parent_status == 404,
        "the missing parent still missing (404)",
        || format!("GET {parent} answered {parent_status}"),
    )
}

async fn mkcol_body_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let path = col.child("body/");
    let reply = dav
        .send(HttpRequest::new("MKCOL", &path).body(
            "application/x-groupwire-unknown",
            b"\x00\x01 not a body type any server knows".to_vec(),
        ))
        .await?;
    ensure(reply.status() == 415, "415 Unsupported Media Type", || {
        reply.summary()
    })
}

async fn put_creates_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let path = col.child("new.txt");
    let reply = dav.send(col.put_request(&path, "new\n")).await?;
    ensure(reply.status() == 201, "201 Created", || reply.summary())
}

async fn put_round_trip_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let path = col.child("bytes.bin");
    let (content_type, body) = match col.kind {
        CollectionKind::Plain => (
            "application/octet-stream",
            (0..=255u8).cycle().take(70_000).collect::<Vec<u8>>(),
        ),
        CollectionKind::Addressbook => col.content(&path, &"0123456789".repeat(7)),
    };
    let reply = dav.put(&path, content_type, body.clone()).await?;
    if !reply.http.is_success() {
        return Err(Finding::blocked(
            super::OWNER_PUT,
            dav.cx().check().map(|c| c.id),
            "PUT to succeed",
            reply.summary(),
        ));
    }
    let get = dav.get(&path).await?;
    ensure(
        get.status() == 200 && get.http.body == body,
        format!("200 with the {} bytes PUT stored", body.len()),
        || format!("{} with {} bytes", get.status(), get.http.body.len()),
    )
}

async fn put_missing_parent_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let parent = col.child("absent/");
    let reply = dav
        .send(col.put_request(&format!("{parent}f.txt"), "x\n"))
        .await?;
    ensure(reply.status() == 409, "409 Conflict", || reply.summary())
}

/// PUTs a file and returns its ETag (skip when the server sends none).
async fn etagged(
    dav: &mut DavSession,
    col: &TestCollection,
    name: &str,
) -> Result<(String, String), Finding> {
    let path = col.child(name);
    put_file(dav, col, &path, "version 1\n").await?;
    let etag = strong_etag(dav, &path).await?;
    Ok((path, etag))
}

/// The ETag GET sends for `path`. Some servers (Apache) send a weak ETag while the file's
/// modification time is within the current second, and If-Match compares strongly (RFC 9110
/// §13.1.1), so a weak one is asked again after 1.1 s, twice; a server that stays weak skips
/// the check.
async fn strong_etag(dav: &mut DavSession, path: &str) -> Result<String, Finding> {
    let mut etag = None;
    for attempt in 0..3 {
        if attempt > 0 {
            dav.cx().note("the ETag is weak; asking again after 1.1 s");
            tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        }
        let get = dav.get(path).await?;
        etag = get.etag().map(str::to_owned);
        match &etag {
            None => return Err(Finding::skip("GET sent no ETag")),
            Some(tag) if !tag.starts_with("W/") => return Ok(tag.clone()),
            Some(_) => {}
        }
    }
    Err(Finding::skip(format!(
        "the server sends only the weak ETag {}",
        etag.unwrap_or_default()
    )))
}

async fn etag_changes_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (path, first) = etagged(dav, col, "v.txt").await?;
    put_file(dav, col, &path, "version 2, longer\n").await?;
    let second = strong_etag(dav, &path).await?;
    ensure(
        second != first,
        format!("an ETag other than {first} after the body changed"),
        || format!("{second:?}"),
    )
}

async fn if_match_stale_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (path, _) = etagged(dav, col, "m.txt").await?;
    let reply = dav
        .send(
            col.put_request(&path, "lost update\n")
                .header("If-Match", "\"groupwire-stale-etag\""),
        )
        .await?;
    ensure(reply.status() == 412, "412 Precondition Failed", || {
        reply.summary()
    })?;
    let get = dav.get(&path).await?;
    ensure(
        get.http.body == col.body(&path, "version 1\n"),
        "the body unchanged",
        || crate::engine::show_bytes(&get.http.body, 100),
    )
}

async fn if_match_current_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (path, etag) = etagged(dav, col, "c.txt").await?;
    let reply = dav
        .send(
            col.put_request(&path, "version 2\n")
                .header("If-Match", etag.as_str()),
        )
        .await?;
    ensure(
        reply.http.is_success(),
        format!("success with If-Match: {etag}"),
        || reply.summary(),
    )
}

async fn if_none_match_star_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let path = col.child("n.txt");
    put_file(dav, col, &path, "version 1\n").await?;
    let reply = dav
        .send(
            col.put_request(&path, "overwritten\n")
                .header("If-None-Match", "*"),
        )
        .await?;
    ensure(reply.status() == 412, "412 Precondition Failed", || {
        reply.summary()
    })
}

async fn get_not_modified_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (path, etag) = etagged(dav, col, "nm.txt").await?;
    let reply = dav
        .send(HttpRequest::get(&path).header("If-None-Match", etag.as_str()))
        .await?;
    ensure(
        reply.status() == 304,
        format!("304 Not Modified for If-None-Match: {etag}"),
        || reply.summary(),
    )
}

async fn delete_resource_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let path = col.child("del.txt");
    put_file(dav, col, &path, "d\n").await?;
    let reply = dav.delete(&path).await?;
    ensure(reply.http.is_success(), "DELETE to succeed", || {
        reply.summary()
    })?;
    let status = status_of(dav, &path).await?;
    ensure(status == 404, "GET afterwards to answer 404", || {
        status.to_string()
    })
}

async fn delete_collection_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let sub = col.child("tree/");
    make_collection(dav, &sub).await?;
    let member = format!("{sub}m.txt");
    put_file(dav, col, &member, "m\n").await?;
    let reply = dav.delete(&sub).await?;
    ensure(reply.http.is_success(), "DELETE to succeed", || {
        reply.summary()
    })?;
    let status = status_of(dav, &member).await?;
    ensure(status == 404, "the member gone too (GET 404)", || {
        format!("GET {member} answered {status}")
    })
}

/// PUT under `name`, find it in a Depth 1 PROPFIND by its decoded href, check the href is a
/// valid URI reference and GET through it.
async fn name_round_trip(dav: &mut DavSession, col: &TestCollection, name: &str) -> CheckResult {
    let path = col.child(name);
    let body = format!("named {name}\n");
    put_file(dav, col, &path, &body).await?;
    let reply = dav
        .propfind(&col.path, Depth::One, &props(&[Name::Dav(Dav::GetEtag)]))
        .await?;
    let ms = reply.multistatus()?;
    let wanted = format!("{}{name}", href_path(&col.path));
    let Some(href) = ms
        .responses
        .iter()
        .flat_map(|r| r.hrefs.iter())
        .find(|h| href_path(h.as_str()) == wanted)
        .map(|h| h.as_str().to_owned())
    else {
        return Err(Finding::violation(
            format!("a response whose href decodes to {wanted}"),
            format!("hrefs decoding to {:?}", ms.paths()),
        ));
    };
    let valid = href.is_ascii()
        && !href
            .bytes()
            .any(|b| b <= b' ' || b"\"<>\\^`{|}".contains(&b))
        && !has_bad_escape(&href);
    ensure(
        valid,
        "the href percent-encoded (a URI reference: ASCII, no spaces, valid %XX)",
        || format!("href {href:?}"),
    )?;
    let href_path_only = match href.find("://") {
        Some(at) => {
            let rest = href.get(at + 3..).unwrap_or_default();
            rest.find('/')
                .and_then(|slash| rest.get(slash..))
                .unwrap_or("/")
                .to_owned()
        }
        None => href.clone(),
    };
    let get = dav.get(&href_path_only).await?;
    ensure(
        get.status() == 200 && get.http.body == body.as_bytes(),
        format!("GET {href_path_only} (the href) to return the body"),
        || get.summary(),
    )
}

fn has_bad_escape(href: &str) -> bool {
    let bytes = href.as_bytes();
    bytes.iter().enumerate().any(|(index, &byte)| {
        byte == b'%'
            && !(bytes.get(index + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(index + 2).is_some_and(u8::is_ascii_hexdigit))
    })
}

async fn name_space_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    name_round_trip(dav, col, "with space.txt").await
}

async fn name_non_ascii_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    name_round_trip(dav, col, "gr\u{fc}\u{df}e-\u{65e5}\u{672c}.txt").await
}

async fn name_percent_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    name_round_trip(dav, col, "100%25 sure.txt").await
}
