//! The CardDAV suite (RFC 6352, with RFC 5397, RFC 5689, RFC 6578, RFC 3744 and RFC 9110
//! where CardDAV relies on them): the address book home, extended MKCOL, vCard 3 and 4 with
//! their preconditions, ETags, addressbook-multiget, addressbook-query (match types,
//! anyof/allof, negate, is-not-defined, param-filter, limit, collations), address-data
//! selection and version conversion, sync-collection, the multi-user checks and the interop
//! group (Thunderbird, DAVx5, Apple Contacts, Evolution).
//!
//! Sessions, discovery ownership, scratch collections and the shared procedures (sync,
//! ACL, interop) are the CalDAV suite's, parameterised by
//! [`Kind::Addressbook`](crate::suites::caldav::fixture::Kind).

pub mod cards;
pub mod data;

use crate::engine::{Check, CheckContext, CheckResult, Suite};
use crate::suites::caldav::fixture::{self, Kind};
use crate::suites::caldav::interop::{self, Client};
use crate::suites::caldav::{acl, resources, sync};

const PROFILES: &[&str] = &[];

/// The CardDAV suite.
pub static SUITE: Suite = Suite {
    protocol: crate::engine::Protocol::Carddav,
    probe: None,
    cleanup: Some(|cx| Box::pin(cleanup(cx))),
    checks: CHECKS,
};

async fn cleanup(cx: CheckContext) -> CheckResult {
    fixture::Session::open(&cx, Kind::Addressbook, 0)?
        .cleanup()
        .await
}

macro_rules! with_kind {
    ($name:ident, $path:path) => {
        async fn $name(cx: CheckContext) -> CheckResult {
            $path(cx, Kind::Addressbook).await
        }
    };
    ($name:ident, $path:path, $client:expr) => {
        async fn $name(cx: CheckContext) -> CheckResult {
            $path(cx, Kind::Addressbook, $client).await
        }
    };
}

with_kind!(etag_on_get, resources::etag_on_get);
with_kind!(etag_changes, resources::etag_changes);
with_kind!(multiget_missing, resources::multiget_missing);
with_kind!(sync_initial, sync::initial_lists_members);
with_kind!(sync_change, sync::reports_change);
with_kind!(sync_removal, sync::reports_removal);
with_kind!(sync_invalid, sync::invalid_token);
with_kind!(sync_property, sync::token_property);
with_kind!(sync_depth_one, sync::depth_one_tolerated);
with_kind!(ctag, sync::ctag_changes);
with_kind!(acl_read, acl::other_cannot_read);
with_kind!(acl_list, acl::other_cannot_list);
with_kind!(acl_write, acl::other_cannot_write);
with_kind!(acl_delete, acl::other_cannot_delete);
with_kind!(acl_privileges, acl::privilege_set_truthful);
with_kind!(
    thunderbird,
    interop::discovery_propfind,
    Client::Thunderbird
);
with_kind!(davx5, interop::discovery_propfind, Client::Davx5);
with_kind!(apple, interop::discovery_propfind, Client::Apple);
with_kind!(evolution, interop::discovery_propfind, Client::Evolution);
with_kind!(if_match, interop::if_match);
with_kind!(if_none_match, interop::if_none_match);
with_kind!(large_multiget, interop::large_multiget);
with_kind!(utf8_names, interop::utf8_names);
with_kind!(non_ascii_uid, interop::non_ascii_uid);

/// The check table. Quotes are verbatim (`tests/rfc_quotes.rs`).
static CHECKS: &[Check] = &[
    check!("carddav.options.addressbook", Carddav,
        "OPTIONS lists addressbook in the DAV header",
        6352, "6.1", Must,
        "A server supporting the features described in this document MUST include \"addressbook\" as a field in the DAV response header from an OPTIONS request on any resource that supports any address book properties, reports, or methods.",
        needs [], faults ["carddav-no-addressbook-class"], accounts 1, cards::options_addressbook),
    check!("carddav.principal.current-user-principal", Carddav,
        "The context path names the user's principal in current-user-principal",
        6352, "3", Should,
        "SHOULD support the DAV:current-user-principal-URL property as defined in [RFC5397] to give clients a fast way to locate user principals.",
        needs [], faults ["dav-no-current-user-principal"], accounts 1, cards::current_user_principal),
    check!("carddav.principal.addressbook-home-set", Carddav,
        "The principal names an address book home in addressbook-home-set",
        6352, "7.1.1", Should,
        "The CARDDAV:addressbook-home-set property is meant to allow users to easily find the address book collections owned by the principal.",
        needs [], faults ["carddav-no-addressbook-home-set"], accounts 1, cards::addressbook_home_set),
    check!("carddav.principal.home-lists-addressbooks", Carddav,
        "A Depth 1 PROPFIND of the address book home lists its address books",
        6352, "7.1.1", Should,
        "This property specifies the URL of collections that are either address book collections or ordinary collections that have child or descendant address book collections owned by the principal.",
        needs [], faults ["dav-propfind-depth-ignored"], accounts 1, cards::home_lists_addressbooks),
    check!("carddav.mkcol.created", Carddav,
        "Extended MKCOL creates an address book",
        6352, "3", Should,
        "SHOULD support the extended MKCOL method [RFC5689] to create address book collections as defined in Section 6.3.1 of this document.",
        needs [], faults ["carddav-mkcol-refused"], accounts 1, cards::mkcol_created),
    check!("carddav.mkcol.resourcetype", Carddav,
        "A new address book's resourcetype has DAV:collection and CARDDAV:addressbook",
        6352, "5.2", Must,
        "An address book collection MUST report the DAV:collection and CARDDAV:addressbook XML elements in the value of the DAV:resourcetype property.",
        needs [], faults ["carddav-mkcol-plain-collection"], accounts 1, cards::mkcol_resourcetype),
    check!("carddav.mkcol.properties", Carddav,
        "Properties set in the extended MKCOL body are applied",
        5689, "3", Must,
        "Failure to set a property value on the collection MUST result in a failure of the overall MKCOL request -- i.e., the collection is not created.",
        needs [], faults ["carddav-mkcol-ignores-properties"], accounts 1, cards::mkcol_properties),
    check!("carddav.put.vcard3", Carddav,
        "A vCard 3.0 is stored with PUT and read back",
        6352, "3", Must,
        "MUST support vCard v3 [RFC2426] as a media type for the address object resource format;",
        needs [], faults ["dav-put-lost"], accounts 1, cards::put_vcard3),
    check!("carddav.put.vcard4", Carddav,
        "A vCard 4.0 is stored with PUT and read back",
        6352, "3", Should,
        "SHOULD support vCard v4 [RFC6350] as a media type for the address object resource format;",
        needs [], faults ["carddav-vcard4-refused"], accounts 1, cards::put_vcard4),
    check!("carddav.put.invalid-data", Carddav,
        "Invalid vCard data is refused with valid-address-data",
        6352, "6.3.2.1", Must,
        "(CARDDAV:valid-address-data): The resource submitted in the PUT request, or targeted by a COPY or MOVE request, MUST be valid data for the media type being specified (i.e., MUST contain valid vCard data).",
        needs [], faults ["dav-invalid-data-accepted", "dav-error-body-missing"], accounts 1, cards::put_invalid),
    check!("carddav.put.uid-conflict", Carddav,
        "A second vCard with a UID in use is refused with no-uid-conflict",
        6352, "6.3.2.1", Must,
        "(CARDDAV:no-uid-conflict): The resource submitted in the PUT request, or targeted by a COPY or MOVE request, MUST NOT specify a vCard UID property value already in use in the targeted address book collection",
        needs [], faults ["dav-uid-conflict-accepted", "dav-error-body-missing"], accounts 1, cards::put_uid_conflict),
    check!("carddav.put.media-type", Carddav,
        "Data of another media type is refused with supported-address-data",
        6352, "6.3.2.1", Must,
        "(CARDDAV:supported-address-data): The resource submitted in the PUT request, or targeted by a COPY or MOVE request, MUST be a supported media type (i.e., vCard) for address object resources.",
        needs [], faults ["dav-invalid-data-accepted", "dav-error-body-missing"], accounts 1, cards::put_unsupported_media),
    check!("carddav.collection.supported-address-data", Carddav,
        "supported-address-data, when present, includes text/vcard 3.0",
        6352, "3", Must,
        "MUST support vCard v3 [RFC2426] as a media type for the address object resource format;",
        needs [], faults ["carddav-supported-address-data-wrong"], accounts 1, cards::supported_address_data),
    check!("carddav.collection.supported-report-set", Carddav,
        "An address book advertises its reports in supported-report-set",
        6352, "8", Must,
        "CardDAV servers MUST advertise support for these reports on all address book collections and address object resources with the DAV:supported-report-set property defined in Section 3.1.5 of [RFC3253].",
        needs [], faults ["carddav-no-supported-report-set"], accounts 1, cards::supported_reports),
    check!("carddav.etag.get", Carddav,
        "GET of a vCard carries a strong ETag equal to getetag",
        6352, "6.3.2.3", Must,
        "A response to a GET request targeted at an address object resource MUST contain an ETag response header field indicating the current value of the strong entity tag of the address object resource.",
        needs [], faults ["dav-no-etag", "dav-weak-etag"], accounts 1, etag_on_get),
    check!("carddav.etag.changes", Carddav,
        "A changed vCard gets a new getetag",
        9110, "8.8.1", Must,
        "A \"strong validator\" is representation metadata that changes value whenever a change occurs to the representation data that would be observable in the content of a 200 (OK) response to GET.",
        needs [], faults ["dav-etag-static"], accounts 1, etag_changes),
    check!("carddav.multiget.data", Carddav,
        "addressbook-multiget returns the data of each vCard",
        6352, "8.7", Must,
        "The response body for a successful CARDDAV:addressbook-multiget REPORT request MUST contain a DAV:response element for each address object resource referenced by the provided set of DAV:href elements.",
        needs [], faults ["dav-multiget-no-data"], accounts 1, cards::multiget_data),
    check!("carddav.multiget.missing", Carddav,
        "addressbook-multiget answers a missing href with its own 404",
        6352, "8.7", Must,
        "In the case of an error accessing any of the provided DAV:href resources, the server MUST return the appropriate error status code in the DAV:status element of the corresponding DAV:response element.",
        needs [], faults ["dav-multiget-drops-missing"], accounts 1, multiget_missing),
    check!("carddav.query.contains", Carddav,
        "text-match is a case-insensitive contains by default",
        6352, "10.5.4", Must,
        "The \"collation\" attribute is used to select the collation that the server MUST use for character string matching. In the absence of this attribute, the server MUST use the \"i;unicode-casemap\" collation.",
        needs [], faults ["dav-text-match-ignored"], accounts 1, cards::query_contains),
    check!("carddav.query.equals", Carddav,
        "match-type equals matches the whole value",
        6352, "8.3", Must,
        "Collations supported by the server MUST support \"equality\" and \"substring\" match operations as per [RFC4790], Section 4.2, including the \"prefix\" and \"suffix\" options for \"substring\" matching.",
        needs [], faults ["carddav-query-match-type-ignored"], accounts 1, cards::query_equals),
    check!("carddav.query.starts-with", Carddav,
        "match-type starts-with matches a prefix",
        6352, "8.3", Must,
        "Collations supported by the server MUST support \"equality\" and \"substring\" match operations as per [RFC4790], Section 4.2, including the \"prefix\" and \"suffix\" options for \"substring\" matching.",
        needs [], faults ["carddav-query-match-type-ignored"], accounts 1, cards::query_starts_with),
    check!("carddav.query.ends-with", Carddav,
        "match-type ends-with matches a suffix",
        6352, "8.3", Must,
        "Collations supported by the server MUST support \"equality\" and \"substring\" match operations as per [RFC4790], Section 4.2, including the \"prefix\" and \"suffix\" options for \"substring\" matching.",
        needs [], faults ["carddav-query-match-type-ignored"], accounts 1, cards::query_ends_with),
    check!("carddav.query.anyof", Carddav,
        "filter test=\"anyof\" is a logical OR",
        6352, "10.5", Must,
        "The \"test\" attribute specifies whether any (logical OR) or all (logical AND) of the prop-filter tests need to match in order for the overall filter to match.",
        needs [], faults ["carddav-query-anyof-as-allof"], accounts 1, cards::query_anyof),
    check!("carddav.query.allof", Carddav,
        "filter test=\"allof\" is a logical AND",
        6352, "10.5", Must,
        "The \"test\" attribute specifies whether any (logical OR) or all (logical AND) of the prop-filter tests need to match in order for the overall filter to match.",
        needs [], faults ["carddav-query-allof-as-anyof"], accounts 1, cards::query_allof),
    check!("carddav.query.negate", Carddav,
        "negate-condition inverts a text-match",
        6352, "10.5.4", Must,
        "The \"negate-condition\" attribute is used to indicate that this test returns a match if the text matches, when the attribute value is set to \"no\", or return a match if the text does not match, if the attribute value is set to \"yes\".",
        needs [], faults ["carddav-query-ignores-negate"], accounts 1, cards::query_negate),
    check!("carddav.query.is-not-defined", Carddav,
        "is-not-defined matches vCards without the property",
        6352, "10.5.3", Must,
        "The CARDDAV:is-not-defined XML element specifies that a match occurs if the enclosing vCard property or parameter value specified in an address book REPORT request does not exist in the address data being tested.",
        needs [], faults ["carddav-query-ignores-is-not-defined"], accounts 1, cards::query_is_not_defined),
    check!("carddav.query.param-filter", Carddav,
        "A param-filter restricts the match to properties with the parameter",
        6352, "8.6", Must,
        "The response body for a successful CARDDAV:addressbook-query REPORT request MUST contain a DAV:response element for each address object that matched the search filter.",
        needs [], faults ["carddav-query-ignores-param-filter"], accounts 1, cards::query_param_filter),
    check!("carddav.query.limit", Carddav,
        "A limit truncates the result and reports 507 on the Request-URI",
        6352, "8.6.2", Must,
        "If the result set is truncated because of such a limit, the response MUST use status code 207 (Multi-Status), return a DAV:multistatus response body, and indicate a status of 507 (Insufficient Storage) for the Request-URI.",
        needs [], faults ["dav-query-limit-ignored"], accounts 1, cards::query_limit),
    check!("carddav.query.unsupported-collation", Carddav,
        "An unsupported collation is refused with supported-collation",
        6352, "8.3", Must,
        "If the client chooses a collation not supported by the server, the server MUST respond with a CARDDAV:supported-collation precondition error response.",
        needs [], faults ["dav-query-any-collation", "dav-error-body-missing"], accounts 1, cards::query_unsupported_collation),
    check!("carddav.address-data.props", Carddav,
        "address-data with prop elements returns only those vCard properties",
        6352, "10.4", Should,
        "When used in an address book REPORT request, the CARDDAV:address-data XML element specifies which parts of address object resources need to be returned in the response.",
        needs [], faults ["dav-address-data-unfiltered"], accounts 1, cards::address_data_props),
    check!("carddav.address-data.version", Carddav,
        "address-data version=\"4.0\" converts, or answers supported-address-data-conversion",
        6352, "5.1.1", Must,
        "In some cases, it might not be possible for a server to convert from one media type to another. When that happens, the server MUST return the CARDDAV:supported-address-data-conversion precondition",
        needs [], faults ["dav-address-data-unfiltered"], accounts 1, cards::address_data_version),
    check!("carddav.sync-collection.initial", Carddav,
        "An initial sync-collection lists every member and returns a token",
        6578, "3.4", Must,
        "When the DAV:sync-collection request contains an empty DAV:sync-token element, the server MUST return all member URLs of the collection",
        needs [], faults ["dav-sync-initial-empty", "dav-sync-no-token"], accounts 1, sync_initial),
    check!("carddav.sync-collection.changed", Carddav,
        "An incremental sync reports a changed member",
        6578, "3.5.1", Must,
        "A member URL MUST be reported as changed if its mapped resource's entity tag value (defined in Section 3.11 of [RFC2616]) has changed since the request sync-token was generated.",
        needs [], faults ["dav-sync-misses-changes"], accounts 1, sync_change),
    check!("carddav.sync-collection.removed", Carddav,
        "An incremental sync reports a removed member with 404",
        6578, "3.5.2", Must,
        "A member MUST be reported as removed if its mapping under the target collection has been removed since the request sync-token was generated, and it has not been remapped since it was removed.",
        needs [], faults ["dav-sync-no-deletions"], accounts 1, sync_removal),
    check!("carddav.sync-collection.invalid-token", Carddav,
        "An unknown sync token is refused with valid-sync-token",
        6578, "3.2", Must,
        "(DAV:valid-sync-token): The DAV:sync-token element value MUST be a valid token previously returned by the server for the collection targeted by the request-URI.",
        needs [], faults ["dav-sync-token-invalid-accepted", "dav-error-body-missing"], accounts 1, sync_invalid),
    check!("carddav.sync-collection.token-property", Carddav,
        "The sync-token property equals the token the report returns",
        6578, "4", Must,
        "The DAV:sync-token property MUST be defined on all resources that support the DAV:sync-collection report. It contains the value of the synchronization token as it would be returned by a DAV:sync-collection report on that resource at the same point in time.",
        needs [], faults ["dav-sync-token-property-stale"], accounts 1, sync_property),
    check!("carddav.acl.other-cannot-read", Carddav,
        "A second account cannot GET the first's vCards",
        6352, "3", Must,
        "MUST support WebDAV ACL [RFC3744];",
        needs [], faults ["dav-no-access-control"], accounts 2, acl_read),
    check!("carddav.acl.other-cannot-list", Carddav,
        "A second account cannot list or multiget the first's address book",
        6352, "3", Must,
        "MUST support WebDAV ACL [RFC3744];",
        needs [], faults ["dav-no-access-control"], accounts 2, acl_list),
    check!("carddav.acl.other-cannot-write", Carddav,
        "A second account cannot PUT into the first's address book",
        6352, "3", Must,
        "MUST support WebDAV ACL [RFC3744];",
        needs [], faults ["dav-no-access-control"], accounts 2, acl_write),
    check!("carddav.acl.other-cannot-delete", Carddav,
        "A second account cannot DELETE the first's vCards",
        6352, "3", Must,
        "MUST support WebDAV ACL [RFC3744];",
        needs [], faults ["dav-no-access-control"], accounts 2, acl_delete),
    check!("carddav.acl.privilege-set", Carddav,
        "current-user-privilege-set tells the owner it may write and the other account nothing more",
        3744, "5.4", Must,
        "DAV:current-user-privilege-set is a protected property containing the exact set of privileges (as computed by the server) granted to the currently authenticated HTTP user.",
        needs [], faults ["dav-privilege-set-wrong"], accounts 2, acl_privileges),
    Check {
        profiles: &["thunderbird"],
        ..check!("carddav.interop.thunderbird-discovery", Carddav,
            "Thunderbird's address book discovery PROPFIND is answered for every property",
            4918, "9.1", Must, "A request to retrieve the value of a property that does not exist is an error and MUST be noted with a 'response' XML element that contains a 404 (Not Found) status value.",
            needs [], faults ["dav-propfind-many-props-400"], accounts 1, thunderbird)
    },
    check!("carddav.interop.davx5-discovery", Carddav,
        "DAVx5's address book discovery PROPFIND is answered for every property",
        4918, "9.1", Must, "A request to retrieve the value of a property that does not exist is an error and MUST be noted with a 'response' XML element that contains a 404 (Not Found) status value.",
        needs [], faults ["dav-propfind-many-props-400"], accounts 1, davx5),
    check!("carddav.interop.apple-discovery", Carddav,
        "Apple Contacts' discovery PROPFIND is answered for every property",
        4918, "9.1", Must, "A request to retrieve the value of a property that does not exist is an error and MUST be noted with a 'response' XML element that contains a 404 (Not Found) status value.",
        needs [], faults ["dav-propfind-many-props-400"], accounts 1, apple),
    check!("carddav.interop.evolution-discovery", Carddav,
        "Evolution's address book discovery PROPFIND is answered for every property",
        4918, "9.1", Must, "A request to retrieve the value of a property that does not exist is an error and MUST be noted with a 'response' XML element that contains a 404 (Not Found) status value.",
        needs [], faults ["dav-propfind-many-props-400"], accounts 1, evolution),
    Check {
        profiles: &["thunderbird"],
        ..check!("carddav.interop.sync-depth-one", Carddav,
            "sync-collection with Depth: 1, as Thunderbird sends it, is answered like Depth: 0",
            6578, "3.2", May,
            "This report is only defined when the Depth header has value \"0\"; other values result in a 400 (Bad Request) error response.",
            needs [], faults ["dav-sync-depth-one-refused"], accounts 1, sync_depth_one)
    },
    check!("carddav.interop.if-match", Carddav,
        "PUT with a stale If-Match is refused with 412 (DAVx5, Thunderbird, Evolution)",
        9110, "13.1.1", Must,
        "An origin server that evaluates an If-Match condition MUST NOT perform the requested method if the condition evaluates to false.",
        needs [], faults ["dav-if-match-ignored"], accounts 1, if_match),
    check!("carddav.interop.if-none-match", Carddav,
        "PUT with If-None-Match: * on an existing vCard is refused with 412 (DAVx5, Apple)",
        9110, "13.1.2", Must,
        "An origin server that evaluates an If-None-Match condition MUST NOT perform the requested method if the condition evaluates to false; instead, the origin server MUST respond with either a) the 304 (Not Modified) status code if the request method is GET or HEAD or b) the 412 (Precondition Failed) status code for all other request methods.",
        needs [], faults ["dav-if-match-ignored"], accounts 1, if_none_match),
    check!("carddav.interop.large-multiget", Carddav,
        "An addressbook-multiget of 60 vCards returns all 60 (Thunderbird, Apple)",
        6352, "8.7", Must,
        "The response body for a successful CARDDAV:addressbook-multiget REPORT request MUST contain a DAV:response element for each address object resource referenced by the provided set of DAV:href elements.",
        needs [], faults ["dav-multiget-truncated"], accounts 1, large_multiget),
    check!("carddav.interop.utf8-names", Carddav,
        "UTF-8 display names and non-ASCII resource names round-trip (every client)",
        4918, "19", Must,
        "requires that XML processors read XML elements encoded, at minimum, using the UTF-8 [RFC3629] and UTF-16 [RFC2781] encodings of the ISO 10646 multilingual plane.",
        needs [], faults ["dav-utf8-mangled"], accounts 1, utf8_names),
    check!("carddav.interop.non-ascii-uid", Carddav,
        "A non-ASCII UID is stored and returned unchanged (DAVx5, Apple)",
        6352, "5.1", Must,
        "vCard components in an address book collection MUST have a UID property value that MUST be unique in the scope of the address book collection in which it is contained.",
        needs [], faults ["dav-uid-mangled"], accounts 1, non_ascii_uid),
    check!("carddav.interop.photo-100k", Carddav,
        "A vCard with a 100 KB PHOTO is stored and returned whole (Apple Contacts, DAVx5)",
        6352, "6.3.2.1", Must,
        "(CARDDAV:valid-address-data): The resource submitted in the PUT request, or targeted by a COPY or MOVE request, MUST be valid data for the media type being specified (i.e., MUST contain valid vCard data).",
        needs [], faults ["carddav-photo-truncated"], accounts 1, cards::large_photo),
    check!("carddav.interop.getctag", Carddav,
        "getctag changes when a member changes (Apple, DAVx5, Thunderbird poll it)",
        6578, "4", May,
        "It contains the value of the synchronization token as it would be returned by a DAV:sync-collection report on that resource at the same point in time.",
        needs [], faults ["dav-ctag-static"], accounts 1, ctag),
];
