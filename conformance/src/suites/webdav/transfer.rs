//! COPY and MOVE.

use groupwire_dav::headers::Depth;

use super::props::read_dead;
use super::{
    OWNER_PROPPATCH, dead, in_collection, make_collection, put_file, set_text, status_of, update,
};
use crate::engine::{CheckResult, Finding, ensure};
use crate::suites::dav::{DavSession, MultistatusExt, TestCollection};

in_collection! {
    copy_creates => copy_creates_in;
    copy_overwrite => copy_overwrite_in;
    copy_overwrite_f => copy_overwrite_f_in;
    copy_missing_parent => copy_missing_parent_in;
    copy_depth_0 => copy_depth_0_in;
    copy_infinity => copy_infinity_in;
    copy_dead_properties => copy_dead_properties_in;
    move_resource => move_resource_in;
    move_overwrite => move_overwrite_in;
    move_overwrite_f => move_overwrite_f_in;
    move_missing_parent => move_missing_parent_in;
    move_collection => move_collection_in;
    move_dead_properties => move_dead_properties_in;
}

async fn body_of(dav: &mut DavSession, path: &str) -> Result<(u16, Vec<u8>), Finding> {
    let reply = dav.get(path).await?;
    Ok((reply.status(), reply.http.body))
}

async fn copy_creates_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (from, to) = (col.child("src.txt"), col.child("dst.txt"));
    put_file(dav, col, &from, "source\n").await?;
    let reply = dav.copy(&from, &to, None, None).await?;
    ensure(reply.status() == 201, "201 Created", || reply.summary())?;
    let (status, body) = body_of(dav, &to).await?;
    ensure(
        status == 200 && body == col.body(&from, "source\n"),
        "the destination to hold the source's body",
        || {
            format!(
                "GET {to}: {status}, {}",
                crate::engine::show_bytes(&body, 80)
            )
        },
    )
}

async fn two_files(
    dav: &mut DavSession,
    col: &TestCollection,
) -> Result<(String, String), Finding> {
    let (from, to) = (col.child("src.txt"), col.child("dst.txt"));
    put_file(dav, col, &from, "source\n").await?;
    put_file(dav, col, &to, "destination\n").await?;
    Ok((from, to))
}

async fn copy_overwrite_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (from, to) = two_files(dav, col).await?;
    let reply = dav.copy(&from, &to, Some(true), None).await?;
    ensure(reply.status() == 204, "204 No Content", || reply.summary())?;
    let (_, body) = body_of(dav, &to).await?;
    ensure(
        body == col.body(&from, "source\n"),
        "the destination overwritten",
        || crate::engine::show_bytes(&body, 80),
    )
}

async fn copy_overwrite_f_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (from, to) = two_files(dav, col).await?;
    let reply = dav.copy(&from, &to, Some(false), None).await?;
    ensure(reply.status() == 412, "412 Precondition Failed", || {
        reply.summary()
    })?;
    let (_, body) = body_of(dav, &to).await?;
    ensure(
        body == col.body(&to, "destination\n"),
        "the destination untouched",
        || crate::engine::show_bytes(&body, 80),
    )
}

async fn copy_missing_parent_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let from = col.child("src.txt");
    put_file(dav, col, &from, "source\n").await?;
    let to = format!("{}dst.txt", col.child("nowhere/"));
    let reply = dav.copy(&from, &to, None, None).await?;
    ensure(reply.status() == 409, "409 Conflict", || reply.summary())
}

/// col/tree/ with tree/m.txt.
async fn tree(dav: &mut DavSession, col: &TestCollection) -> Result<(String, String), Finding> {
    let sub = col.child("tree/");
    make_collection(dav, &sub).await?;
    let member = format!("{sub}m.txt");
    put_file(dav, col, &member, "member\n").await?;
    Ok((sub, member))
}

async fn copy_depth_0_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (sub, _) = tree(dav, col).await?;
    let to = col.child("copy0/");
    let reply = dav.copy(&sub, &to, None, Some(Depth::Zero)).await?;
    ensure(reply.status() == 201, "201 Created", || reply.summary())?;
    let copied = dav
        .propfind(
            &to,
            Depth::One,
            &crate::suites::dav::props(&[groupwire_dav::xml::Name::Dav(
                groupwire_dav::xml::Dav::ResourceType,
            )]),
        )
        .await?;
    let ms = copied.multistatus()?;
    let member = format!("{to}m.txt");
    ensure(
        ms.response_for(&to).is_some() && ms.response_for(&member).is_none(),
        "the collection copied without its member",
        || format!("the copy lists {:?}", ms.paths()),
    )
}

async fn copy_infinity_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (sub, _) = tree(dav, col).await?;
    let to = col.child("copyall/");
    let reply = dav.copy(&sub, &to, None, None).await?;
    ensure(reply.status() == 201, "201 Created", || reply.summary())?;
    let (status, body) = body_of(dav, &format!("{to}m.txt")).await?;
    ensure(
        status == 200 && body == col.body("m.txt", "member\n"),
        "the member copied along (GET 200 with its body)",
        || format!("GET {to}m.txt answered {status}"),
    )
}

/// A file with the dead property color=blue.
async fn file_with_dead(dav: &mut DavSession, col: &TestCollection, path: &str) -> CheckResult {
    put_file(dav, col, path, "source\n").await?;
    let reply = dav
        .proppatch(path, &update(vec![set_text(dead("color"), "blue")]))
        .await?;
    let ok = reply
        .multistatus()
        .ok()
        .and_then(|ms| ms.prop_status(path, &dead("color")))
        == Some(200);
    if ok {
        Ok(())
    } else {
        Err(Finding::blocked(
            OWNER_PROPPATCH,
            dav.cx().check().map(|c| c.id),
            "PROPPATCH setting a dead property to answer 207 with 200",
            reply.summary(),
        ))
    }
}

async fn copy_dead_properties_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (from, to) = (col.child("src.txt"), col.child("dst.txt"));
    file_with_dead(dav, col, &from).await?;
    let reply = dav.copy(&from, &to, None, None).await?;
    ensure(reply.http.is_success(), "COPY to succeed", || {
        reply.summary()
    })?;
    let value = read_dead(dav, &to, "color").await?;
    ensure(
        value.as_deref() == Some("blue"),
        "the copy to have color=blue",
        || format!("{value:?}"),
    )
}

async fn move_resource_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (from, to) = (col.child("src.txt"), col.child("moved.txt"));
    put_file(dav, col, &from, "source\n").await?;
    let reply = dav.move_to(&from, &to, None).await?;
    ensure(reply.status() == 201, "201 Created", || reply.summary())?;
    let source = status_of(dav, &from).await?;
    let (status, body) = body_of(dav, &to).await?;
    ensure(
        source == 404 && status == 200 && body == col.body(&from, "source\n"),
        "the source gone (404) and the destination holding its body",
        || format!("GET source: {source}, GET destination: {status}"),
    )
}

async fn move_overwrite_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (from, to) = two_files(dav, col).await?;
    let reply = dav.move_to(&from, &to, Some(true)).await?;
    ensure(reply.status() == 204, "204 No Content", || reply.summary())?;
    let (_, body) = body_of(dav, &to).await?;
    ensure(
        body == col.body(&from, "source\n"),
        "the destination replaced",
        || crate::engine::show_bytes(&body, 80),
    )
}

async fn move_overwrite_f_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (from, to) = two_files(dav, col).await?;
    let reply = dav.move_to(&from, &to, Some(false)).await?;
    ensure(reply.status() == 412, "412 Precondition Failed", || {
        reply.summary()
    })?;
    let source = status_of(dav, &from).await?;
    let (_, body) = body_of(dav, &to).await?;
    ensure(
        source == 200 && body == col.body(&to, "destination\n"),
        "source and destination untouched",
        || {
            format!(
                "GET source: {source}, destination body {}",
                crate::engine::show_bytes(&body, 80)
            )
        },
    )
}

async fn move_missing_parent_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let from = col.child("src.txt");
    put_file(dav, col, &from, "source\n").await?;
    let to = format!("{}dst.txt", col.child("nowhere/"));
    let reply = dav.move_to(&from, &to, None).await?;
    ensure(reply.status() == 409, "409 Conflict", || reply.summary())?;
    let source = status_of(dav, &from).await?;
    ensure(source == 200, "the source still there", || {
        format!("GET source answered {source}")
    })
}

async fn move_collection_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (sub, member) = tree(dav, col).await?;
    let to = col.child("moved/");
    let reply = dav.move_to(&sub, &to, None).await?;
    ensure(reply.status() == 201, "201 Created", || reply.summary())?;
    let (status, body) = body_of(dav, &format!("{to}m.txt")).await?;
    let old = status_of(dav, &member).await?;
    ensure(
        status == 200 && body == col.body("m.txt", "member\n") && old == 404,
        "the member at the new place (200) and gone from the old (404)",
        || format!("new: {status}, old: {old}"),
    )
}

async fn move_dead_properties_in(dav: &mut DavSession, col: &TestCollection) -> CheckResult {
    let (from, to) = (col.child("src.txt"), col.child("moved.txt"));
    file_with_dead(dav, col, &from).await?;
    let reply = dav.move_to(&from, &to, None).await?;
    ensure(reply.http.is_success(), "MOVE to succeed", || {
        reply.summary()
    })?;
    let value = read_dead(dav, &to, "color").await?;
    ensure(
        value.as_deref() == Some("blue"),
        "the moved resource to have color=blue",
        || format!("{value:?}"),
    )
}
