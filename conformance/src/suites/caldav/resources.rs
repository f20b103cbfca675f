//! Object resources, the same on calendars and address books (parameterised by [`Kind`]):
//! the entity tag GET carries and its change on update (RFC 4791 §5.3.4, RFC 6352 §6.3.2.3,
//! RFC 9110 §8.8.1), and the 404 a multiget gives an href that does not exist (RFC 4791 §7.9,
//! RFC 6352 §8.7).

use super::fixture::{Kind, Session, multistatus, response_for};
use super::sync::object;
use crate::engine::{CheckContext, CheckResult, Finding, ensure};

/// A fresh collection of `kind` for the check.
async fn collection(cx: &CheckContext, kind: Kind) -> Result<(Session, String), Finding> {
    let mut dav = Session::open(cx, kind, 0)?;
    let path = dav.scratch("obj", Some("groupwire scratch"), &[]).await?;
    Ok((dav, path))
}

/// GET of an object carries a strong ETag, equal to its DAV:getetag.
pub async fn etag_on_get(cx: CheckContext, kind: Kind) -> CheckResult {
    let (mut dav, path) = collection(&cx, kind).await?;
    let target = dav
        .store(&path, "e", &object(&cx, kind, "e", "Etag"))
        .await?;
    let response = dav.get(&target).await?;
    let Some(etag) = response.header("etag").map(str::to_owned) else {
        return Err(Finding::violation(
            format!("an ETag header on GET {target}"),
            response.summary(),
        ));
    };
    ensure(!etag.starts_with("W/"), "a strong entity tag", || {
        format!("ETag: {etag}")
    })?;
    let property = dav.etag(&target).await?;
    ensure(
        property.as_deref() == Some(etag.as_str()),
        format!("DAV:getetag equal to the ETag header {etag}"),
        || format!("{property:?}"),
    )
}

/// An update of an object (same UID, other content) gives it a new DAV:getetag.
pub async fn etag_changes(cx: CheckContext, kind: Kind) -> CheckResult {
    let (mut dav, path) = collection(&cx, kind).await?;
    let target = dav
        .store(&path, "e", &object(&cx, kind, "e", "Before"))
        .await?;
    let before = dav.etag(&target).await?;
    dav.store(&path, "e", &object(&cx, kind, "e", "After"))
        .await?;
    let after = dav.etag(&target).await?;
    ensure(
        before.is_some() && after.is_some() && before != after,
        "a new DAV:getetag after the object changed",
        || format!("{before:?} before, {after:?} after"),
    )
}

/// A multiget naming an object and an href that does not exist answers the latter with its
/// own 404.
pub async fn multiget_missing(cx: CheckContext, kind: Kind) -> CheckResult {
    let (mut dav, path) = collection(&cx, kind).await?;
    let present = dav
        .store(&path, "a", &object(&cx, kind, "a", "Here"))
        .await?;
    let extension = match kind {
        Kind::Calendar => "ics",
        Kind::Addressbook => "vcf",
    };
    let missing = format!("{path}missing.{extension}");
    let response = dav.multiget(&path, &[present, missing.clone()]).await?;
    let ms = multistatus(&response)?;
    let status = response_for(&ms, &missing).map(|r| {
        r.status
            .as_ref()
            .and_then(|s| s.code())
            .or_else(|| r.propstats.first().and_then(|ps| ps.status.code()))
    });
    ensure(
        status == Some(Some(404)),
        format!("a DAV:response for {missing} with status 404"),
        || format!("{status:?}"),
    )
}
