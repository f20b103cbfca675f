//! The sync-collection report (RFC 6578): an initial sync lists every member, an
//! incremental one the members changed (with their properties) and deleted (404) since the
//! token; an unknown token is refused with the `valid-sync-token` precondition. `Depth: 1`,
//! which Thunderbird sends although §3.3 asks for 0, is tolerated.

use groupwire_dav::Name;
use groupwire_dav::body::{Multistatus, Propfind, SyncCollection, SyncLevel};
use groupwire_dav::headers::Depth;
use groupwire_dav::xml::Dav;
use http::StatusCode;

use super::store::encode_href;
use super::xml::{self, Resp};
use super::{Ctx, Req, principals, props};
use crate::faults::Fault;

/// sync-collection (RFC 6578 §3).
pub fn sync_collection(ctx: &Ctx, req: &Req, sync: &SyncCollection<'_>) -> Resp {
    match xml::depth(req) {
        Ok(Some(Depth::One)) if ctx.fault(Fault::DavSyncDepthOneRefused) => {
            return xml::plain(
                StatusCode::BAD_REQUEST,
                "sync-collection requires Depth: 0\n",
            );
        }
        Ok(None | Some(Depth::Zero | Depth::One)) => {}
        Ok(Some(Depth::Infinity)) => {
            return xml::plain(
                StatusCode::BAD_REQUEST,
                "sync-collection requires Depth: 0\n",
            );
        }
        Err(resp) => return resp,
    }
    let tree = ctx.tree();
    let Some(target) = tree.get(&req.path) else {
        return xml::plain(StatusCode::NOT_FOUND, "not found\n");
    };
    if !target.is_collection() {
        return xml::error(StatusCode::FORBIDDEN, Name::Dav(Dav::SupportedReport));
    }
    let token = sync.sync_token.trim();
    let since = if token.is_empty() {
        0
    } else {
        match tree.parse_sync_token(token) {
            Some(since) => since,
            None if ctx.fault(Fault::DavSyncTokenInvalidAccepted) => 0,
            None => {
                return xml::error(StatusCode::FORBIDDEN, Name::Dav(Dav::ValidSyncToken));
            }
        }
    };
    let deep = sync.sync_level == SyncLevel::Infinite;
    let (changed, deleted) = tree.changes_since(&req.path, since, deep);
    let selection = Propfind::Prop(sync.props.iter().cloned().map(|p| p.into_owned()).collect());
    let mut responses = Vec::new();
    for path in changed.iter().filter(|p| principals::visible(ctx, p)) {
        if let Some(node) = tree.get(path) {
            responses.push(props::response(ctx, &tree, path, node, &selection));
        }
    }
    if since > 0 && !ctx.fault(Fault::DavSyncNoDeletions) {
        for path in deleted.iter().filter(|p| principals::visible(ctx, p)) {
            responses.push(xml::status_response(encode_href(path, false), 404));
        }
    }
    if let Some(limit) = sync.limit
        && responses.len() as u64 > limit
    {
        return xml::error(
            StatusCode::INSUFFICIENT_STORAGE,
            Name::Dav(Dav::NumberOfMatchesWithinLimits),
        );
    }
    xml::multistatus(Multistatus {
        responses,
        description: None,
        sync_token: Some(tree.sync_token(&req.path).into()),
    })
}
