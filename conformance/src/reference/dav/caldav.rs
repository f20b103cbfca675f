//! CalDAV (RFC 4791): MKCALENDAR, calendar object validation on PUT, the calendar-query,
//! calendar-multiget and free-busy-query reports, and `calendar-data` selection with
//! recurrence expansion from groupwire-dav.

use bytes::Bytes;
use groupwire_dav::body::{CalendarDataRequest, CalendarQuery, FreeBusyQuery, Multiget, PropValue};
use http::StatusCode;

use super::store::{Content, Node, Tree};
use super::xml::{self, Resp};
use super::{Ctx, Req};

/// MKCALENDAR.
pub fn mkcalendar(_ctx: &Ctx, _req: &Req) -> Resp {
    xml::plain(StatusCode::NOT_IMPLEMENTED, "not yet\n")
}

/// Validates a calendar object PUT into a calendar.
pub fn validate_object(
    _ctx: &Ctx,
    _tree: &Tree,
    _path: &str,
    _components: &[String],
    content_type: &str,
    body: &Bytes,
) -> Result<Content, Resp> {
    Ok(Content::Resource {
        body: body.to_vec(),
        content_type: content_type.to_string(),
        uid: None,
    })
}

/// calendar-query.
pub fn calendar_query(_ctx: &Ctx, _req: &Req, _query: &CalendarQuery<'_>) -> Resp {
    xml::plain(StatusCode::NOT_IMPLEMENTED, "not yet\n")
}

/// calendar-multiget.
pub fn calendar_multiget(_ctx: &Ctx, _req: &Req, _query: &Multiget<'_>) -> Resp {
    xml::plain(StatusCode::NOT_IMPLEMENTED, "not yet\n")
}

/// free-busy-query.
pub fn free_busy(_ctx: &Ctx, _req: &Req, _query: &FreeBusyQuery<'_>) -> Resp {
    xml::plain(StatusCode::NOT_IMPLEMENTED, "not yet\n")
}

/// calendar-data.
pub fn calendar_data(
    _ctx: &Ctx,
    node: &Node,
    _request: &CalendarDataRequest<'_>,
) -> Result<Option<PropValue<'static>>, xml::Unsupported> {
    let _ = node;
    Ok(None)
}
