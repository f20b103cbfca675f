//! Two accounts: the second (B) must neither read nor write the first's (A's) calendars and
//! address books (403 or 404, never a 2xx), and the ACL properties must say so truthfully.
//! Shared by the CalDAV and CardDAV suites through [`Kind`].

use groupwire_dav::body::PropValue;
use groupwire_dav::xml::{Dav, Name};

use super::fixture::{Kind, Session, multistatus, object_data};
use super::sync::object;
use crate::engine::http::HttpResponse;
use crate::engine::{CheckContext, CheckResult, Finding, ensure};

/// A's collection with one object, and B's session.
async fn setup(
    cx: &CheckContext,
    kind: Kind,
) -> Result<(Session, Session, String, String), Finding> {
    let mut a = Session::open(cx, kind, 0)?;
    let b = Session::open(cx, kind, 1)?;
    let path = a.scratch("private", Some("groupwire private"), &[]).await?;
    let object_path = a
        .store(&path, "secret", &object(cx, kind, "secret", "Private"))
        .await?;
    Ok((a, b, path, object_path))
}

fn denied(response: &HttpResponse, what: &str) -> CheckResult {
    ensure(
        matches!(response.status, 403 | 404),
        format!("{what} refused with 403 or 404"),
        || response.summary(),
    )
}

/// B's GET of A's object is refused.
pub async fn other_cannot_read(cx: CheckContext, kind: Kind) -> CheckResult {
    let (_, mut b, _, object_path) = setup(&cx, kind).await?;
    let response = b.get(&object_path).await?;
    denied(
        &response,
        &format!("the second account's GET {object_path}"),
    )
}

/// B's Depth 1 PROPFIND or REPORT of A's collection shows no member.
pub async fn other_cannot_list(cx: CheckContext, kind: Kind) -> CheckResult {
    let (_, mut b, path, object_path) = setup(&cx, kind).await?;
    let response = b.propfind(&path, "1", &[Name::Dav(Dav::GetEtag)]).await?;
    if response.status == 207 {
        let ms = multistatus(&response)?;
        let shown = super::fixture::response_for(&ms, &object_path)
            .is_some_and(|r| r.propstats.iter().any(|ps| ps.status.code() == Some(200)));
        return ensure(
            !shown,
            format!("the second account's PROPFIND of {path} refused (403 or 404)"),
            || format!("207 listing {object_path} with its properties"),
        );
    }
    denied(&response, &format!("the second account's PROPFIND {path}"))?;
    let response = b
        .multiget(&path, std::slice::from_ref(&object_path))
        .await?;
    if response.status == 207 {
        let ms = multistatus(&response)?;
        let leaked = ms.responses.iter().find_map(object_data);
        return ensure(
            leaked.is_none(),
            format!("no data of {object_path} to the second account's multiget"),
            || "the object's data".to_owned(),
        );
    }
    denied(&response, &format!("the second account's REPORT on {path}"))
}

/// B's PUT into A's collection is refused and creates nothing.
pub async fn other_cannot_write(cx: CheckContext, kind: Kind) -> CheckResult {
    let (mut a, mut b, path, _) = setup(&cx, kind).await?;
    let target = format!("{path}intruder.{}", kind.extension());
    let response = b
        .put(&target, &object(&cx, kind, "intruder", "Intruder"), &[])
        .await?;
    denied(&response, &format!("the second account's PUT {target}"))?;
    let check = a.get(&target).await?;
    ensure(
        check.status == 404,
        format!("{target} still absent for its owner"),
        || check.summary(),
    )
}

/// B's DELETE of A's object is refused and the object survives.
pub async fn other_cannot_delete(cx: CheckContext, kind: Kind) -> CheckResult {
    let (mut a, mut b, _, object_path) = setup(&cx, kind).await?;
    let response = b.delete(&object_path).await?;
    denied(
        &response,
        &format!("the second account's DELETE {object_path}"),
    )?;
    let check = a.get(&object_path).await?;
    ensure(
        check.status == 200,
        format!("{object_path} still there for its owner"),
        || check.summary(),
    )
}

fn privileges(value: &Option<PropValue<'static>>) -> Vec<Name<'static>> {
    match value {
        Some(PropValue::Privileges(p)) => p.clone(),
        _ => Vec::new(),
    }
}

/// RFC 3744 §5.4: current-user-privilege-set tells A it may write its own collection, and
/// does not tell B it may read it.
pub async fn privilege_set_truthful(cx: CheckContext, kind: Kind) -> CheckResult {
    let (mut a, mut b, path, _) = setup(&cx, kind).await?;
    let name = Name::Dav(Dav::CurrentUserPrivilegeSet);
    let own = a.property(&path, name.clone()).await?;
    let own = privileges(&own);
    let writes = [Dav::All, Dav::Write, Dav::WriteContent, Dav::Bind]
        .iter()
        .any(|p| own.contains(&Name::Dav(*p)));
    ensure(
        writes,
        format!("the owner's current-user-privilege-set on {path} to grant write or all"),
        || format!("{own:?}"),
    )?;
    let response = b.propfind(&path, "0", std::slice::from_ref(&name)).await?;
    if response.status != 207 {
        return Ok(());
    }
    let ms = multistatus(&response)?;
    let theirs: Vec<Name<'static>> = ms
        .responses
        .iter()
        .find_map(|r| super::fixture::found(r, &name).cloned())
        .map(|v| privileges(&Some(v)))
        .unwrap_or_default();
    let claims = [Dav::All, Dav::Read, Dav::Write, Dav::WriteContent]
        .iter()
        .any(|p| theirs.contains(&Name::Dav(*p)));
    if claims {
        return Err(Finding::violation(
            format!(
                "the second account's current-user-privilege-set on {path} without read or write"
            ),
            format!("{theirs:?}"),
        ));
    }
    Ok(())
}
