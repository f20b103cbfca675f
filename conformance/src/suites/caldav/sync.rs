//! WebDAV collection synchronisation (RFC 6578) on calendars and address books: the same
//! procedures serve both suites, parameterised by [`Kind`].

use groupwire_dav::body::{Multistatus, PropValue};
use groupwire_dav::xml::{CalendarServer, Dav, Name};

use super::fixture::{Kind, Session, multistatus, refused_with, response_for};
use crate::engine::{CheckContext, CheckResult, Finding, ensure};

/// A scratch collection of `kind` with two objects; returns the session, the collection and
/// the two object paths.
pub async fn with_two(
    cx: &CheckContext,
    kind: Kind,
) -> Result<(Session, String, String, String), Finding> {
    let mut dav = Session::open(cx, kind, 0)?;
    let path = dav.scratch("sync", Some("groupwire sync"), &[]).await?;
    let a = dav.store(&path, "a", &object(cx, kind, "a", "One")).await?;
    let b = dav.store(&path, "b", &object(cx, kind, "b", "Two")).await?;
    Ok((dav, path, a, b))
}

/// An object of `kind` with a UID unique to the check.
pub fn object(cx: &CheckContext, kind: Kind, suffix: &str, text: &str) -> String {
    let uid = cx.scratch_name(suffix);
    match kind {
        Kind::Calendar => super::data::event(&uid, "20270104T100000Z", "20270104T110000Z", text),
        Kind::Addressbook => crate::suites::carddav::data::card3(&uid, text, "Sync"),
    }
}

/// The token of a sync-collection answer: a violation when the multistatus has none.
fn token(ms: &Multistatus<'static>) -> Result<String, Finding> {
    ms.sync_token
        .as_ref()
        .map(|t| t.clone().into_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Finding::violation("a DAV:sync-token in the multistatus", "none"))
}

/// An initial sync: the multistatus and its token.
async fn initial(dav: &mut Session, path: &str) -> Result<(Multistatus<'static>, String), Finding> {
    let response = dav.sync(path, "", None).await?;
    let ms = multistatus(&response)?;
    let token = token(&ms)?;
    Ok((ms, token))
}

fn has_propstat(ms: &Multistatus<'static>, path: &str) -> bool {
    response_for(ms, path).is_some_and(|r| !r.propstats.is_empty() && r.status.is_none())
}

/// RFC 6578 §3.4: an initial sync lists every member and returns a token.
pub async fn initial_lists_members(cx: CheckContext, kind: Kind) -> CheckResult {
    let (mut dav, path, a, b) = with_two(&cx, kind).await?;
    let (ms, _) = initial(&mut dav, &path).await?;
    ensure(
        has_propstat(&ms, &a) && has_propstat(&ms, &b),
        format!("DAV:response elements with propstat for {a} and {b}"),
        || {
            format!(
                "hrefs {:?}",
                ms.responses
                    .iter()
                    .flat_map(|r| r.hrefs.iter().map(|h| h.as_str().to_owned()))
                    .collect::<Vec<_>>()
            )
        },
    )
}

/// RFC 6578 §3.5.1: a member changed since the token is reported, with a propstat.
pub async fn reports_change(cx: CheckContext, kind: Kind) -> CheckResult {
    let (mut dav, path, a, b) = with_two(&cx, kind).await?;
    let (_, token) = initial(&mut dav, &path).await?;
    dav.store(&path, "a", &object(&cx, kind, "a", "One, changed"))
        .await?;
    let response = dav.sync(&path, &token, None).await?;
    let ms = multistatus(&response)?;
    ensure(
        has_propstat(&ms, &a),
        format!("the changed member {a} reported with a propstat"),
        || format!("{} responses", ms.responses.len()),
    )?;
    ensure(
        response_for(&ms, &b).is_none(),
        format!("the unchanged member {b} not reported"),
        || "it was reported".to_owned(),
    )
}

/// RFC 6578 §3.5.2: a member removed since the token is reported with 404 and no propstat.
pub async fn reports_removal(cx: CheckContext, kind: Kind) -> CheckResult {
    let (mut dav, path, a, _) = with_two(&cx, kind).await?;
    let (_, token) = initial(&mut dav, &path).await?;
    let deleted = dav.delete(&a).await?;
    ensure(
        matches!(deleted.status, 200 | 204),
        format!("204 to DELETE {a}"),
        || deleted.summary(),
    )?;
    let response = dav.sync(&path, &token, None).await?;
    let ms = multistatus(&response)?;
    let entry = response_for(&ms, &a);
    ensure(
        entry.is_some_and(|r| {
            r.status.as_ref().and_then(|s| s.code()) == Some(404) && r.propstats.is_empty()
        }),
        format!("a DAV:response for {a} with status 404 and no propstat"),
        || format!("{entry:?}"),
    )
}

/// RFC 6578 §3.2: an unknown token is refused with valid-sync-token.
pub async fn invalid_token(cx: CheckContext, kind: Kind) -> CheckResult {
    let (mut dav, path, _, _) = with_two(&cx, kind).await?;
    let response = dav
        .sync(
            &path,
            "http://groupwire.invalid/sync/never-issued-0000",
            None,
        )
        .await?;
    refused_with(&response, Name::Dav(Dav::ValidSyncToken))
}

/// RFC 6578 §4: the DAV:sync-token property equals the token the report returns.
pub async fn token_property(cx: CheckContext, kind: Kind) -> CheckResult {
    let (mut dav, path, _, _) = with_two(&cx, kind).await?;
    let (_, reported) = initial(&mut dav, &path).await?;
    let value = dav.property(&path, Name::Dav(Dav::SyncToken)).await?;
    ensure(
        matches!(&value, Some(PropValue::Text(t)) if *t == reported),
        format!("DAV:sync-token {reported:?}, as the report returned"),
        || format!("{value:?}"),
    )
}

/// Thunderbird sends `Depth: 1` with sync-collection: a server that answers it as it
/// answers `Depth: 0` keeps Thunderbird syncing (RFC 6578 §3.2 allows a 400).
pub async fn depth_one_tolerated(cx: CheckContext, kind: Kind) -> CheckResult {
    let (mut dav, path, a, _) = with_two(&cx, kind).await?;
    let response = dav.sync(&path, "", Some("1")).await?;
    if response.status != 207 {
        return Err(Finding::quirk(
            "207 to sync-collection with Depth: 1 (Thunderbird sends it)",
            response.summary(),
        ));
    }
    let ms = multistatus(&response)?;
    ensure(
        has_propstat(&ms, &a) && ms.sync_token.is_some(),
        format!("the members (such as {a}) and a sync-token"),
        || {
            format!(
                "{} responses, token {:?}",
                ms.responses.len(),
                ms.sync_token
            )
        },
    )
    .map_err(|f| match f {
        Finding::Violation { expected, actual } => Finding::quirk(expected, actual),
        other => other,
    })
}

/// Apple, DAVx5 and Thunderbird poll `getctag` before syncing: it must change with the
/// collection's content.
pub async fn ctag_changes(cx: CheckContext, kind: Kind) -> CheckResult {
    let (mut dav, path, _, _) = with_two(&cx, kind).await?;
    let before = dav.ctag(&path).await?;
    let Some(before) = before else {
        return Err(Finding::quirk(
            format!(
                "{} on the collection (Apple, DAVx5, Thunderbird poll it)",
                Name::CalendarServer(CalendarServer::GetCtag)
            ),
            "none",
        ));
    };
    dav.store(&path, "c", &object(&cx, kind, "c", "Three"))
        .await?;
    let after = dav.ctag(&path).await?;
    ensure(
        after.as_ref().is_some_and(|a| *a != before),
        "a new getctag after a member was added",
        || format!("{before:?} before, {after:?} after"),
    )
}
