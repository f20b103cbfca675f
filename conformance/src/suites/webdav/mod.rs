//! The WebDAV suite (RFC 4918, with RFC 9110 for the HTTP preconditions it relies on):
//! OPTIONS and the DAV header, PROPFIND at every depth with prop/allprop/propname, PROPPATCH
//! of dead properties with its atomicity, MKCOL, PUT/GET/DELETE with entity tags and
//! conditional requests, COPY and MOVE, locking (when class 2 is advertised) with the If
//! header, and resource names with spaces, non-ASCII and percent signs. Every error body is
//! decoded through `groupwire-dav` and its precondition element checked.
//!
//! Each check works in a collection of its own under the target URL, named with the run
//! prefix ([`TestCollection`]); the suite's cleanup removes leftovers.

mod locks;
mod props;
mod resources;
mod transfer;

use groupwire_dav::body::{DavProperty, PropValue, PropertyUpdate, PropertyUpdateItem};
use groupwire_dav::xml::Name;

use super::dav::{DavReply, DavSession, TestCollection, cleanup_under, dav_classes};
use crate::engine::{CheckContext, CheckResult, Finding, Suite};

const PROFILES: &[&str] = &["groupware"];

/// The check that owns the precondition "MKCOL makes the test collection".
pub(crate) const OWNER_MKCOL: &str = "webdav.mkcol.creates";
/// The check that owns the precondition "PUT stores a file".
pub(crate) const OWNER_PUT: &str = "webdav.put.creates";
/// The check that owns the precondition "PROPPATCH sets a dead property".
pub(crate) const OWNER_PROPPATCH: &str = "webdav.proppatch.set-dead";
/// The check that owns the precondition "LOCK grants an exclusive write lock".
pub(crate) const OWNER_LOCK: &str = "webdav.lock.exclusive";

/// The namespace of the dead properties the checks set.
pub(crate) const TEST_NS: &str = "urn:groupwire:test";

/// The WebDAV suite.
pub static SUITE: Suite = Suite {
    protocol: crate::engine::Protocol::Webdav,
    probe: Some(|cx| Box::pin(probe(cx))),
    cleanup: Some(|cx| Box::pin(cleanup(cx))),
    checks: CHECKS,
};

async fn probe(cx: CheckContext) -> Result<Vec<String>, Finding> {
    let mut dav = DavSession::open(&cx)?;
    let classes = dav_classes(&mut dav).await;
    dav.close().await;
    classes
}

async fn cleanup(cx: CheckContext) -> CheckResult {
    let mut dav = DavSession::open(&cx)?;
    let base = dav.base().to_owned();
    let result = cleanup_under(&mut dav, &base).await;
    dav.close().await;
    result
}

/// A dead property name in [`TEST_NS`].
pub(crate) fn dead(local: &str) -> Name<'static> {
    Name::new(TEST_NS.to_owned(), local.to_owned())
}

/// A PROPPATCH body of these items.
pub(crate) fn update(items: Vec<PropertyUpdateItem<'static>>) -> PropertyUpdate<'static> {
    PropertyUpdate { items }
}

/// `DAV:set` of one text-valued property.
pub(crate) fn set_text(name: Name<'static>, value: &str) -> PropertyUpdateItem<'static> {
    PropertyUpdateItem::Set(vec![DavProperty::new(
        name,
        PropValue::Text(value.to_owned().into()),
    )])
}

/// `DAV:remove` of one property.
pub(crate) fn remove(name: Name<'static>) -> PropertyUpdateItem<'static> {
    PropertyUpdateItem::Remove(vec![DavProperty::empty(name)])
}

/// The text of a property value (the escaped content of a raw value).
pub(crate) fn value_text(value: &PropValue<'_>) -> String {
    match value {
        PropValue::Text(text) => text.to_string(),
        PropValue::Raw(raw) => raw.content.trim().to_owned(),
        PropValue::Href(href) => href.as_str().to_owned(),
        PropValue::Number(number) => number.to_string(),
        _ => String::new(),
    }
}

/// Whether a value has no content (a name-only listing).
pub(crate) fn vacant(value: &PropValue<'_>) -> bool {
    match value {
        PropValue::Empty => true,
        PropValue::Text(text) => text.trim().is_empty(),
        PropValue::Raw(raw) => raw.content.trim().is_empty(),
        PropValue::Markers(list) | PropValue::Privileges(list) | PropValue::Reports(list) => {
            list.is_empty()
        }
        PropValue::Hrefs(list) => list.is_empty(),
        PropValue::LockDiscovery(list) => list.is_empty(),
        PropValue::SupportedLock(list) => list.is_empty(),
        _ => false,
    }
}

/// Opens a session and makes the check's collection (blocked by [`OWNER_MKCOL`] when MKCOL
/// fails).
pub(crate) async fn setup(cx: &CheckContext) -> Result<(DavSession, TestCollection), Finding> {
    let mut dav = DavSession::open(cx)?;
    let col = TestCollection::create_flexible(&mut dav, OWNER_MKCOL, "c").await?;
    Ok((dav, col))
}

/// PUTs a member holding `body` ([`TestCollection::content`]); anything but 2xx is blocked by [`OWNER_PUT`].
pub(crate) async fn put_file(
    dav: &mut DavSession,
    col: &TestCollection,
    path: &str,
    body: &str,
) -> Result<DavReply, Finding> {
    let reply = dav.send(col.put_request(path, body)).await?;
    if !reply.http.is_success() {
        let current = dav.cx().check().map(|check| check.id);
        return Err(Finding::blocked(
            OWNER_PUT,
            current,
            format!("PUT {path} to succeed"),
            reply.summary(),
        ));
    }
    Ok(reply)
}

/// MKCOLs a member collection; anything but 201 is blocked by [`OWNER_MKCOL`].
pub(crate) async fn make_collection(dav: &mut DavSession, path: &str) -> CheckResult {
    let reply = dav.mkcol(path).await?;
    if reply.status() != 201 {
        let current = dav.cx().check().map(|check| check.id);
        return Err(Finding::blocked(
            OWNER_MKCOL,
            current,
            format!("MKCOL {path} to answer 201"),
            reply.summary(),
        ));
    }
    Ok(())
}

/// The status of a GET of `path`.
pub(crate) async fn status_of(dav: &mut DavSession, path: &str) -> Result<u16, Finding> {
    Ok(dav.get(path).await?.status())
}

/// Declares `async fn $name(cx)` running `$body(&mut dav, &col)` in a fresh test collection,
/// removed afterwards.
macro_rules! in_collection {
    ($($name:ident => $body:path;)*) => {
        $(
            pub(super) async fn $name(cx: crate::engine::CheckContext) -> crate::engine::CheckResult {
                let (mut dav, col) = super::setup(&cx).await?;
                let result = $body(&mut dav, &col).await;
                col.remove(&mut dav).await;
                dav.close().await;
                result
            }
        )*
    };
}
pub(crate) use in_collection;

use locks as l;
use props as p;
use resources as r;
use transfer as t;

static CHECKS: &[crate::engine::Check] = &[
    // OPTIONS and compliance classes.
    check!("webdav.options.dav-class-1", Webdav, "Every OPTIONS response carries a DAV header with compliance class 1", 4918, "10.1", Must,
        "All DAV-compliant resources MUST return the DAV header with compliance-class \"1\" on all OPTIONS responses.",
        needs [], faults ["webdav-no-dav-header"], accounts 1, p::options_class_1),
    check!("webdav.options.class-2-lock", Webdav, "A class 2 server supports LOCK and the supportedlock and lockdiscovery properties", 4918, "18.2", Must,
        "A class 2 compliant resource MUST meet all class 1 requirements and support the LOCK method, the DAV:supportedlock property, the DAV:lockdiscovery property",
        needs ["2"], faults ["webdav-no-supportedlock", "webdav-lock-refused"], accounts 1, l::class_2),
    // PROPFIND.
    check!("webdav.propfind.depth-0", Webdav, "PROPFIND Depth 0 on a collection answers for the collection alone", 4918, "9.1", Must,
        "Servers MUST support \"0\" and \"1\" depth requests on WebDAV-compliant resources",
        needs [], faults ["webdav-propfind-depth0-lists-members"], accounts 1, p::depth_0),
    check!("webdav.propfind.depth-1", Webdav, "PROPFIND Depth 1 lists the collection and its members, not deeper", 4918, "9.1", Must,
        "Servers MUST support \"0\" and \"1\" depth requests on WebDAV-compliant resources",
        needs [], faults ["webdav-propfind-depth1-no-members", "webdav-propfind-depth1-recurses"], accounts 1, p::depth_1),
    check!("webdav.propfind.depth-infinity", Webdav, "PROPFIND Depth infinity lists the whole tree or is refused with propfind-finite-depth", 4918, "9.1", Should,
        "SHOULD support \"infinity\" requests. … Name: propfind-finite-depth Use with: 403 Forbidden Purpose: (precondition) -- This server does not allow infinite-depth PROPFIND requests on collections.",
        needs [], faults ["webdav-propfind-infinity-bare-403", "webdav-propfind-infinity-shallow"], accounts 1, p::depth_infinity),
    check!("webdav.propfind.no-depth", Webdav, "PROPFIND without Depth is treated as Depth infinity", 4918, "9.1", Should,
        "Servers SHOULD treat a request without a Depth header as if a \"Depth: infinity\" header was included.",
        needs [], faults ["webdav-propfind-no-depth-as-0"], accounts 1, p::no_depth),
    check!("webdav.propfind.empty-body", Webdav, "PROPFIND without a body is answered like allprop", 4918, "9.1", Must,
        "An empty PROPFIND request body MUST be treated as if it were an 'allprop' request.",
        needs [], faults ["webdav-propfind-empty-body-rejected"], accounts 1, p::empty_body),
    check!("webdav.propfind.allprop", Webdav, "allprop returns the dead properties and the RFC 4918 live properties", 4918, "14.2", Must,
        "Specifies that all names and values of dead properties and the live properties defined by this document existing on the resource are to be returned.",
        needs [], faults ["webdav-allprop-omits-dead"], accounts 1, p::allprop),
    check!("webdav.propfind.propname", Webdav, "propname lists property names without values", 4918, "14.21", Must,
        "Specifies that only a list of property names on the resource is to be returned.",
        needs [], faults ["webdav-propname-values"], accounts 1, p::propname),
    check!("webdav.propfind.missing-property-404", Webdav, "A property that does not exist is reported with 404 in its propstat", 4918, "9.1", Must,
        "A request to retrieve the value of a property that does not exist is an error and MUST be noted with a 'response' XML element that contains a 404 (Not Found) status value.",
        needs [], faults ["webdav-missing-prop-200"], accounts 1, p::missing_404),
    check!("webdav.propfind.getcontentlength", Webdav, "getcontentlength is defined and matches the GET body", 4918, "15.4", Must,
        "The DAV:getcontentlength property MUST be defined on any DAV-compliant resource that returns the Content-Length header in response to a GET.",
        needs [], faults ["webdav-wrong-getcontentlength"], accounts 1, p::getcontentlength),
    check!("webdav.propfind.getcontenttype", Webdav, "getcontenttype is defined on a resource GET serves with a Content-Type", 4918, "15.5", Must,
        "This property MUST be defined on any DAV-compliant resource that returns the Content-Type header in response to a GET.",
        needs [], faults ["webdav-no-getcontenttype"], accounts 1, p::getcontenttype),
    check!("webdav.propfind.getetag", Webdav, "getetag is defined and equals the ETag header", 4918, "15.6", Must,
        "The getetag property MUST be defined on any DAV-compliant resource that returns the Etag header.",
        needs [], faults ["webdav-getetag-mismatch"], accounts 1, p::getetag),
    check!("webdav.propfind.getlastmodified", Webdav, "getlastmodified is defined on a resource GET serves with Last-Modified", 4918, "15.7", Must,
        "The DAV:getlastmodified property MUST be defined on any DAV-compliant resource that returns the Last-Modified header in response to a GET.",
        needs [], faults ["webdav-no-getlastmodified"], accounts 1, p::getlastmodified),
    check!("webdav.propfind.resourcetype", Webdav, "A collection's resourcetype contains DAV:collection, a file's does not", 4918, "14.3", Must,
        "The DAV:resourcetype property of a collection resource MUST contain this element.",
        needs [], faults ["webdav-resourcetype-empty"], accounts 1, p::resourcetype),
    check!("webdav.propfind.malformed-400", Webdav, "A PROPFIND body that is not well-formed XML is refused with 400", 4918, "8.2", Must,
        "If a server receives XML that is not well-formed, then the server MUST reject the entire request with a 400 (Bad Request).",
        needs [], faults ["webdav-accepts-malformed-xml"], accounts 1, p::malformed),
    check!("webdav.propfind.href-format", Webdav, "Every href of a multistatus uses the same format", 4918, "8.3", Must,
        "A server MUST ensure that every 'href' value within a Multi-Status response uses the same format.",
        needs [], faults ["webdav-href-mixed-format"], accounts 1, p::href_format),
    check!("webdav.propfind.collection-slash", Webdav, "Collection hrefs end in a slash", 4918, "8.3", Should,
        "Identifiers for collections SHOULD end in a '/' character.",
        needs [], faults ["webdav-collection-href-no-slash"], accounts 1, p::collection_slash),
    // PROPPATCH.
    check!("webdav.proppatch.set-dead", Webdav, "PROPPATCH sets a dead property in an arbitrary namespace", 4918, "9.2", Should,
        "DAV-compliant resources SHOULD support the setting of arbitrary dead properties.",
        needs [], faults ["webdav-proppatch-dead-refused"], accounts 1, p::set_dead),
    check!("webdav.proppatch.xml-value", Webdav, "A dead property's XML value keeps its elements, namespaces and xml:lang", 4918, "4.3", Must,
        "Servers MUST preserve the following XML Information Items (using the terminology from [REC-XML-INFOSET]) in storage and transmission of dead properties",
        needs [], faults ["webdav-dead-value-flattened"], accounts 1, p::xml_value),
    check!("webdav.proppatch.replace", Webdav, "Setting an existing property replaces its value", 4918, "9.2", Must,
        "If a property already exists, then its value is replaced.",
        needs [], faults ["webdav-proppatch-keeps-old-value"], accounts 1, p::replace),
    check!("webdav.proppatch.remove", Webdav, "PROPPATCH remove deletes a dead property", 4918, "14.23", Must,
        "Lists the properties to be removed from a resource.",
        needs [], faults ["webdav-proppatch-remove-ignored"], accounts 1, p::remove_dead),
    check!("webdav.proppatch.remove-absent", Webdav, "Removing a property that does not exist succeeds", 4918, "9.2", Must,
        "Specifying the removal of a property that does not exist is not an error.",
        needs [], faults ["webdav-proppatch-remove-absent-404"], accounts 1, p::remove_absent),
    check!("webdav.proppatch.document-order", Webdav, "PROPPATCH instructions apply in document order", 4918, "9.2", Must,
        "Servers MUST process PROPPATCH instructions in document order (an exception to the normal rule that ordering is irrelevant).",
        needs [], faults ["webdav-proppatch-removes-first"], accounts 1, p::document_order),
    check!("webdav.proppatch.atomic", Webdav, "A PROPPATCH with one failing instruction changes nothing", 4918, "9.2", Must,
        "Instructions MUST either all be executed or none executed.",
        needs [], faults ["dav-proppatch-not-atomic"], accounts 1, p::atomic),
    check!("webdav.proppatch.failed-dependency", Webdav, "The other properties of a failed PROPPATCH get 424 Failed Dependency", 4918, "9.2.1", Must,
        "424 (Failed Dependency) - The property change could not be made because of another property change that failed.",
        needs [], faults ["webdav-proppatch-no-424", "dav-proppatch-not-atomic"], accounts 1, p::failed_dependency),
    check!("webdav.proppatch.protected-403", Webdav, "Setting a protected property (getetag) is refused with 403", 4918, "9.2.1", Must,
        "403 (Forbidden): The client has attempted to set a protected property, such as DAV:getetag.",
        needs [], faults ["dav-protected-writable"], accounts 1, p::protected_403),
    check!("webdav.proppatch.protected-precondition", Webdav, "The 403 for a protected property names cannot-modify-protected-property", 4918, "9.2.1", Should,
        "If returning this error, the server SHOULD use the precondition code 'cannot-modify-protected-property' inside the response body.",
        needs [], faults ["webdav-protected-no-precondition", "dav-protected-writable"], accounts 1, p::protected_precondition),
    check!("webdav.proppatch.etag-stable", Webdav, "Changing a dead property does not change the ETag", 4918, "8.6", Should,
        "a WebDAV server SHOULD NOT change the ETag (or the Last-Modified time) for a resource that has an unchanged body and location.",
        needs [], faults ["webdav-proppatch-changes-etag"], accounts 1, p::etag_stable),
    // MKCOL.
    check!("webdav.mkcol.creates", Webdav, "MKCOL creates a collection (201, resourcetype collection)", 4918, "9.3", Must,
        "MKCOL creates a new collection resource at the location specified by the Request-URI.",
        needs [], faults ["webdav-mkcol-plain-resource", "webdav-mkcol-refused"], accounts 1, r::mkcol_creates),
    check!("webdav.mkcol.existing-405", Webdav, "MKCOL on an existing resource is refused with 405", 4918, "9.3.1", Must,
        "405 (Method Not Allowed) - MKCOL can only be executed on an unmapped URL.",
        needs [], faults ["webdav-mkcol-existing-201"], accounts 1, r::mkcol_existing),
    check!("webdav.mkcol.missing-parent-409", Webdav, "MKCOL below a missing collection is refused with 409", 4918, "9.3.1", Must,
        "A collection cannot be made at the Request-URI until one or more intermediate collections have been created. The server MUST NOT create those intermediate collections automatically.",
        needs [], faults ["webdav-mkcol-creates-parents"], accounts 1, r::mkcol_missing_parent),
    check!("webdav.mkcol.body-415", Webdav, "MKCOL with a body type the server does not understand is refused with 415", 4918, "9.3", Must,
        "If the server receives a MKCOL request entity type it does not support or understand, it MUST respond with a 415 (Unsupported Media Type) status code.",
        needs [], faults ["webdav-mkcol-ignores-body"], accounts 1, r::mkcol_body),
    // PUT, GET, DELETE, entity tags.
    check!("webdav.put.creates", Webdav, "PUT of a new resource answers 201 Created", 9110, "9.3.4", Must,
        "If the target resource does not have a current representation and the PUT successfully creates one, then the origin server MUST inform the user agent by sending a 201 (Created) response.",
        needs [], faults ["webdav-put-200-on-create"], accounts 1, r::put_creates),
    check!("webdav.put.round-trip", Webdav, "GET returns the bytes PUT stored", 9110, "9.3.4", Should,
        "A successful PUT of a given representation would suggest that a subsequent GET on that same target resource will result in an equivalent representation being sent in a 200 (OK) response.",
        needs [], faults ["webdav-put-truncates"], accounts 1, r::put_round_trip),
    check!("webdav.put.missing-parent-409", Webdav, "PUT below a missing collection is refused with 409", 4918, "9.7.1", Must,
        "A PUT that would result in the creation of a resource without an appropriately scoped parent collection MUST fail with a 409 (Conflict).",
        needs [], faults ["webdav-put-creates-parents"], accounts 1, r::put_missing_parent),
    check!("webdav.put.etag-changes", Webdav, "A changed body gets a new strong ETag", 9110, "8.8.3", Must,
        "A strong validator is unique across all versions of all representations associated with a particular resource over time.",
        needs [], faults ["webdav-etag-never-changes"], accounts 1, r::etag_changes),
    check!("webdav.put.if-match-stale-412", Webdav, "PUT with a stale If-Match is refused with 412 and changes nothing", 9110, "13.1.1", Must,
        "An origin server that evaluates an If-Match condition MUST NOT perform the requested method if the condition evaluates to false.",
        needs [], faults ["dav-if-match-ignored"], accounts 1, r::if_match_stale),
    check!("webdav.put.if-match-current", Webdav, "PUT with the current ETag in If-Match succeeds", 9110, "13.1.1", Must,
        "An origin server that evaluates an If-Match condition MUST NOT perform the requested method if the condition evaluates to false.",
        needs [], faults ["webdav-if-match-always-fails"], accounts 1, r::if_match_current),
    check!("webdav.put.if-none-match-star-412", Webdav, "PUT with If-None-Match: * on an existing resource is refused with 412", 9110, "13.1.2", Must,
        "An origin server that evaluates an If-None-Match condition MUST NOT perform the requested method if the condition evaluates to false; instead, the origin server MUST respond with either a) the 304 (Not Modified) status code if the request method is GET or HEAD or b) the 412 (Precondition Failed) status code for all other request methods.",
        needs [], faults ["dav-if-match-ignored"], accounts 1, r::if_none_match_star),
    check!("webdav.get.if-none-match-304", Webdav, "GET with the current ETag in If-None-Match answers 304", 9110, "13.1.2", Must,
        "the origin server MUST respond with either a) the 304 (Not Modified) status code if the request method is GET or HEAD",
        needs [], faults ["webdav-ignores-if-none-match"], accounts 1, r::get_not_modified),
    check!("webdav.delete.resource", Webdav, "After DELETE the resource answers 404", 4918, "9.6", Must,
        "Thus, after a successful DELETE operation (and in the absence of other actions), a subsequent GET/HEAD/PROPFIND request to the target Request-URI MUST return 404 (Not Found).",
        needs [], faults ["webdav-delete-keeps"], accounts 1, r::delete_resource),
    check!("webdav.delete.collection", Webdav, "DELETE of a collection removes its members", 4918, "9.6.1", Must,
        "The DELETE method on a collection MUST act as if a \"Depth: infinity\" header was used on it.",
        needs [], faults ["webdav-delete-collection-keeps-members"], accounts 1, r::delete_collection),
    // Names.
    check!("webdav.names.space", Webdav, "A name with a space round-trips through PUT, PROPFIND and GET", 4918, "14.7", Must,
        "MUST contain a URI or a relative reference.",
        needs [], faults ["webdav-href-unescaped"], accounts 1, r::name_space),
    check!("webdav.names.non-ascii", Webdav, "A non-ASCII name round-trips through PUT, PROPFIND and GET", 4918, "14.7", Must,
        "MUST contain a URI or a relative reference.",
        needs [], faults ["webdav-href-unescaped"], accounts 1, r::name_non_ascii),
    check!("webdav.names.percent", Webdav, "A name with a percent sign round-trips through PUT, PROPFIND and GET", 4918, "14.7", Must,
        "MUST contain a URI or a relative reference.",
        needs [], faults ["webdav-href-double-decoded"], accounts 1, r::name_percent),
    // COPY and MOVE.
    check!("webdav.copy.creates", Webdav, "COPY to a new URL answers 201 and duplicates the body", 4918, "9.8.5", Must,
        "201 (Created) - The source resource was successfully copied. The COPY operation resulted in the creation of a new resource.",
        needs [], faults ["webdav-copy-204-on-create"], accounts 1, t::copy_creates),
    check!("webdav.copy.overwrite-204", Webdav, "COPY over an existing resource answers 204", 4918, "9.8.5", Must,
        "204 (No Content) - The source resource was successfully copied to a preexisting destination resource.",
        needs [], faults ["webdav-copy-overwrite-201"], accounts 1, t::copy_overwrite),
    check!("webdav.copy.overwrite-f-412", Webdav, "COPY with Overwrite: F onto an existing resource is refused with 412", 4918, "10.6", Must,
        "If a COPY or MOVE is not performed due to the value of the Overwrite header, the method MUST fail with a 412 (Precondition Failed) status code.",
        needs [], faults ["dav-overwrite-ignored"], accounts 1, t::copy_overwrite_f),
    check!("webdav.copy.missing-parent-409", Webdav, "COPY to a Destination below a missing collection is refused with 409", 4918, "9.8.5", Must,
        "409 (Conflict) - A resource cannot be created at the destination until one or more intermediate collections have been created. The server MUST NOT create those intermediate collections automatically.",
        needs [], faults ["webdav-copy-creates-parents"], accounts 1, t::copy_missing_parent),
    check!("webdav.copy.depth-0", Webdav, "COPY Depth 0 of a collection copies the collection without its members", 4918, "9.8.3", Must,
        "A COPY of \"Depth: 0\" only instructs that the collection and its properties, but not resources identified by its internal member URLs, are to be copied.",
        needs [], faults ["webdav-copy-depth0-copies-members"], accounts 1, t::copy_depth_0),
    check!("webdav.copy.depth-infinity", Webdav, "COPY of a collection without Depth copies the whole tree", 4918, "9.8.3", Must,
        "The COPY method on a collection without a Depth header MUST act as if a Depth header with value \"infinity\" was included.",
        needs [], faults ["webdav-copy-shallow"], accounts 1, t::copy_infinity),
    check!("webdav.copy.dead-properties", Webdav, "COPY duplicates the dead properties", 4918, "9.8.2", Should,
        "After a successful COPY invocation, all dead properties on the source resource SHOULD be duplicated on the destination resource.",
        needs [], faults ["webdav-copy-drops-dead-props"], accounts 1, t::copy_dead_properties),
    check!("webdav.move.resource", Webdav, "MOVE puts the resource at the destination and removes the source", 4918, "9.9", Must,
        "The MOVE operation on a non-collection resource is the logical equivalent of a copy (COPY), followed by consistency maintenance processing, followed by a delete of the source, where all three actions are performed in a single operation.",
        needs [], faults ["webdav-move-keeps-source"], accounts 1, t::move_resource),
    check!("webdav.move.overwrite-204", Webdav, "MOVE onto an existing resource answers 204", 4918, "9.9.4", Must,
        "204 (No Content) - The source resource was successfully moved to a URL that was already mapped.",
        needs [], faults ["webdav-move-overwrite-201"], accounts 1, t::move_overwrite),
    check!("webdav.move.overwrite-f-412", Webdav, "MOVE with Overwrite: F onto an existing resource is refused with 412", 4918, "9.9.4", Must,
        "Specific to MOVE, this could mean that the Overwrite header is \"F\" and the destination URL is already mapped to a resource.",
        needs [], faults ["dav-overwrite-ignored"], accounts 1, t::move_overwrite_f),
    check!("webdav.move.missing-parent-409", Webdav, "MOVE to a Destination below a missing collection is refused with 409", 4918, "9.9.4", Must,
        "The server MUST NOT create those intermediate collections automatically.",
        needs [], faults ["webdav-move-creates-parents"], accounts 1, t::move_missing_parent),
    check!("webdav.move.collection", Webdav, "MOVE of a collection moves its members", 4918, "9.9.2", Must,
        "The MOVE method on a collection MUST act as if a \"Depth: infinity\" header was used on it.",
        needs [], faults ["webdav-move-collection-drops-members"], accounts 1, t::move_collection),
    check!("webdav.move.dead-properties", Webdav, "MOVE keeps the dead properties", 4918, "9.9.1", Must,
        "The MOVE operation on a non-collection resource is the logical equivalent of a copy (COPY), followed by consistency maintenance processing, followed by a delete of the source",
        needs [], faults ["webdav-move-drops-dead-props"], accounts 1, t::move_dead_properties),
    // Locking.
    check!("webdav.lock.exclusive", Webdav, "LOCK grants an exclusive write lock with a Lock-Token header", 4918, "9.10.1", Must,
        "MUST include the Lock-Token response header with the token associated with the new lock.",
        needs ["2"], faults ["webdav-lock-no-token-header", "webdav-lock-refused"], accounts 1, l::exclusive),
    check!("webdav.lock.response-body", Webdav, "The LOCK response body is a prop with the lockdiscovery naming the new lock", 4918, "9.10.1", Must,
        "MUST contain a body with the value of the DAV:lockdiscovery property in a prop XML element.",
        needs ["2"], faults ["webdav-lock-no-body"], accounts 1, l::response_body),
    check!("webdav.lock.lockdiscovery", Webdav, "PROPFIND lockdiscovery shows the active lock", 4918, "15.8", Must,
        "Any DAV-compliant resource that supports the LOCK method MUST support the DAV:lockdiscovery property.",
        needs ["2"], faults ["webdav-lockdiscovery-empty"], accounts 1, l::lockdiscovery),
    check!("webdav.lock.put-without-token-423", Webdav, "PUT to a locked resource without its token is refused with 423", 4918, "7", Must,
        "In order to prevent these collisions, a lock token MUST be submitted by an authorized principal for all locked resources that a method may change or the method MUST fail.",
        needs ["2"], faults ["dav-lock-ignored"], accounts 1, l::put_without_token),
    check!("webdav.lock.lock-token-submitted", Webdav, "The 423 for a missing lock token names lock-token-submitted", 4918, "16", Should,
        "This response SHOULD contain an appropriate precondition or postcondition code, such as 'lock-token-submitted' or 'no-conflicting-lock'.",
        needs ["2"], faults ["webdav-lock-423-no-precondition", "dav-lock-ignored"], accounts 1, l::lock_token_submitted),
    check!("webdav.lock.delete-without-token-423", Webdav, "DELETE of a locked resource without its token is refused with 423", 4918, "7", Must,
        "Of the methods defined in HTTP and WebDAV, PUT, POST, PROPPATCH, LOCK, UNLOCK, MOVE, COPY (for the destination resource), DELETE, and MKCOL are affected by write locks.",
        needs ["2"], faults ["dav-lock-ignored"], accounts 1, l::delete_without_token),
    check!("webdav.lock.put-with-token", Webdav, "PUT to a locked resource with its token in the If header succeeds", 4918, "7.5", Must,
        "Clients MUST submit a lock-token they are authorized to use in any request that modifies a write-locked resource.",
        needs ["2"], faults ["webdav-lock-rejects-token"], accounts 1, l::put_with_token),
    check!("webdav.lock.exclusive-conflict", Webdav, "A second exclusive LOCK on a locked resource is refused with 423", 4918, "9.10.6", Must,
        "423 (Locked), potentially with 'no-conflicting-lock' precondition code - There is already a lock on the resource that is not compatible with the requested lock",
        needs ["2"], faults ["dav-lock-ignored"], accounts 1, l::exclusive_conflict),
    check!("webdav.lock.shared", Webdav, "Two shared locks coexist with distinct tokens", 4918, "6.2", Must,
        "A successful request for a new shared lock MUST result in the generation of a unique lock associated with the requesting principal.",
        needs ["2"], faults ["webdav-lock-shared-refused", "webdav-lock-same-token"], accounts 1, l::shared),
    check!("webdav.lock.shared-blocks-exclusive", Webdav, "An exclusive LOCK on a shared-locked resource is refused", 4918, "7.1", Must,
        "For example, if a shared lock is held on a resource, and an exclusive lock is requested, the table entry is \"false\", indicating that the lock must not be granted.",
        needs ["2"], faults ["dav-lock-ignored"], accounts 1, l::shared_blocks_exclusive),
    check!("webdav.lock.refresh", Webdav, "A LOCK without body and with the token in If refreshes the lock", 4918, "9.10.2", Must,
        "The Lock-Token header is not returned in the response for a successful refresh LOCK request, but the LOCK response body MUST contain the new value for the DAV:lockdiscovery property.",
        needs ["2"], faults ["webdav-lock-refresh-fails"], accounts 1, l::refresh),
    check!("webdav.lock.unlock", Webdav, "UNLOCK answers 204 and the resource is writable without token again", 4918, "9.11", Must,
        "The UNLOCK method removes the lock identified by the lock token in the Lock-Token request header.",
        needs ["2"], faults ["webdav-unlock-keeps-lock"], accounts 1, l::unlock),
    check!("webdav.lock.unlock-wrong-token", Webdav, "UNLOCK with a token of another resource's lock is refused with 409 lock-token-matches-request-uri", 4918, "16", Should,
        "However, if the Request-URI does not fall within the scope of the lock identified by the token, the server SHOULD use this error.",
        needs ["2"], faults ["webdav-unlock-any-token"], accounts 1, l::unlock_wrong_token),
    check!("webdav.lock.unmapped-url", Webdav, "LOCK on an unmapped URL creates an empty locked resource", 4918, "7.3", Must,
        "A successful lock request to an unmapped URL MUST result in the creation of a locked (non-collection) resource with empty content.",
        needs ["2"], faults ["webdav-lock-unmapped-no-resource"], accounts 1, l::unmapped),
    check!("webdav.if.unknown-token-412", Webdav, "An If header naming an unknown lock token fails the request with 412", 4918, "10.4.1", Must,
        "If this header is evaluated and all state lists fail, then the request MUST fail with a 412 (Precondition Failed) status.",
        needs ["2"], faults ["webdav-if-header-ignored"], accounts 1, l::if_unknown_token),
    check!("webdav.if.etag", Webdav, "An If header with the lock token and a wrong ETag fails with 412; with the right ETag it succeeds", 4918, "10.4.1", Must,
        "If this header is evaluated and all state lists fail, then the request MUST fail with a 412 (Precondition Failed) status.",
        needs ["2"], faults ["webdav-if-etag-ignored"], accounts 1, l::if_etag),
];
