//! sync-collection (RFC 6578).

use groupwire_dav::body::SyncCollection;
use http::StatusCode;

use super::xml::{self, Resp};
use super::{Ctx, Req};

/// sync-collection.
pub fn sync_collection(_ctx: &Ctx, _req: &Req, _sync: &SyncCollection<'_>) -> Resp {
    xml::plain(StatusCode::NOT_IMPLEMENTED, "not yet\n")
}
