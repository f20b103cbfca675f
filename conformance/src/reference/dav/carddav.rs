//! CardDAV (RFC 6352).

use bytes::Bytes;
use groupwire_dav::body::{AddressDataRequest, AddressbookQuery, Multiget, PropValue};
use http::StatusCode;

use super::store::{Content, Node, Tree};
use super::xml::{self, Resp};
use super::{Ctx, Req};

/// Validates a vCard PUT.
pub fn validate_card(
    _ctx: &Ctx,
    _tree: &Tree,
    _path: &str,
    content_type: &str,
    body: &Bytes,
) -> Result<Content, Resp> {
    Ok(Content::Resource {
        body: body.to_vec(),
        content_type: content_type.to_string(),
        uid: None,
    })
}

/// addressbook-query.
pub fn addressbook_query(_ctx: &Ctx, _req: &Req, _query: &AddressbookQuery<'_>) -> Resp {
    xml::plain(StatusCode::NOT_IMPLEMENTED, "not yet\n")
}

/// addressbook-multiget.
pub fn addressbook_multiget(_ctx: &Ctx, _req: &Req, _query: &Multiget<'_>) -> Resp {
    xml::plain(StatusCode::NOT_IMPLEMENTED, "not yet\n")
}

/// address-data.
pub fn address_data(
    _ctx: &Ctx,
    _node: &Node,
    _request: &AddressDataRequest<'_>,
) -> Result<Option<PropValue<'static>>, xml::Unsupported> {
    Ok(None)
}
