//! The CalDAV suite (RFC 4791, with RFC 5397, RFC 6578, RFC 3744 and RFC 9110 where CalDAV
//! relies on them): principal discovery (current-user-principal, calendar-home-set, the
//! calendars in the home), MKCALENDAR, PUT with its preconditions, ETags, calendar-multiget,
//! calendar-query with time ranges on single and recurring events (EXDATE, overridden
//! instances, all-day, floating, time zones), text-match, is-not-defined, collations, partial
//! calendar-data, free-busy-query, expand and limit-recurrence-set, sync-collection; the
//! multi-user checks (a second account can neither read nor write the first's calendars);
//! the interop group, modelled on what Thunderbird, DAVx5, Apple Calendar and Evolution
//! send; and scheduling (RFC 6638) where `calendar-auto-schedule` is advertised.
//!
//! Every check works in a calendar of its own, created under the calendar home with a name
//! starting with the run prefix ([`fixture::Session::scratch`]); the suite's cleanup deletes them.
//! Discovery steps are owned: when the principal, the home or MKCALENDAR fails, the owning
//! check fails and the others are `skip: blocked by` it.

pub mod acl;
pub mod data;
pub mod fixture;
pub mod interop;
pub mod objects;
pub mod query;
pub mod resources;
pub mod scheduling;
pub mod sync;

use crate::engine::{Check, CheckContext, CheckResult, Suite};

use self::fixture::Kind;
use self::interop::Client;

const PROFILES: &[&str] = &[];

/// The CalDAV suite.
pub static SUITE: Suite = Suite {
    protocol: crate::engine::Protocol::Caldav,
    probe: None,
    cleanup: Some(|cx| Box::pin(cleanup(cx))),
    checks: CHECKS,
};

async fn cleanup(cx: CheckContext) -> CheckResult {
    fixture::Session::open(&cx, Kind::Calendar, 0)?
        .cleanup()
        .await
}

macro_rules! with_kind {
    ($name:ident, $path:path, $kind:expr) => {
        async fn $name(cx: CheckContext) -> CheckResult {
            $path(cx, $kind).await
        }
    };
    ($name:ident, $path:path, $kind:expr, $client:expr) => {
        async fn $name(cx: CheckContext) -> CheckResult {
            $path(cx, $kind, $client).await
        }
    };
}

with_kind!(etag_on_get, resources::etag_on_get, Kind::Calendar);
with_kind!(etag_changes, resources::etag_changes, Kind::Calendar);
with_kind!(
    multiget_missing,
    resources::multiget_missing,
    Kind::Calendar
);
with_kind!(sync_initial, sync::initial_lists_members, Kind::Calendar);
with_kind!(sync_change, sync::reports_change, Kind::Calendar);
with_kind!(sync_removal, sync::reports_removal, Kind::Calendar);
with_kind!(sync_invalid, sync::invalid_token, Kind::Calendar);
with_kind!(sync_property, sync::token_property, Kind::Calendar);
with_kind!(sync_depth_one, sync::depth_one_tolerated, Kind::Calendar);
with_kind!(ctag, sync::ctag_changes, Kind::Calendar);
with_kind!(acl_read, acl::other_cannot_read, Kind::Calendar);
with_kind!(acl_list, acl::other_cannot_list, Kind::Calendar);
with_kind!(acl_write, acl::other_cannot_write, Kind::Calendar);
with_kind!(acl_delete, acl::other_cannot_delete, Kind::Calendar);
with_kind!(acl_privileges, acl::privilege_set_truthful, Kind::Calendar);
with_kind!(
    thunderbird,
    interop::discovery_propfind,
    Kind::Calendar,
    Client::Thunderbird
);
with_kind!(
    davx5,
    interop::discovery_propfind,
    Kind::Calendar,
    Client::Davx5
);
with_kind!(
    apple,
    interop::discovery_propfind,
    Kind::Calendar,
    Client::Apple
);
with_kind!(
    evolution,
    interop::discovery_propfind,
    Kind::Calendar,
    Client::Evolution
);
with_kind!(if_match, interop::if_match, Kind::Calendar);
with_kind!(if_none_match, interop::if_none_match, Kind::Calendar);
with_kind!(large_multiget, interop::large_multiget, Kind::Calendar);
with_kind!(utf8_names, interop::utf8_names, Kind::Calendar);
with_kind!(non_ascii_uid, interop::non_ascii_uid, Kind::Calendar);

/// The check table. Quotes are verbatim (`tests/rfc_quotes.rs`).
static CHECKS: &[Check] = &[
    // Discovery of the principal and its calendars.
    check!("caldav.options.calendar-access", Caldav,
        "OPTIONS lists calendar-access in the DAV header",
        4791, "5.1", Must,
        "A server supporting the features described in this document MUST include \"calendar-access\" as a field in the DAV response header from an OPTIONS request on any resource that supports any calendar properties, reports, method, or privilege.",
        needs [], faults ["caldav-no-calendar-access"], accounts 1, objects::options_calendar_access),
    check!("caldav.principal.current-user-principal", Caldav,
        "The context path names the user's principal in current-user-principal",
        5397, "3", Must,
        "The DAV:href element contains a URL to a principal resource corresponding to the currently authenticated user. That URL MUST be one of the URLs in the DAV:principal-URL or DAV:alternate-URI-set properties defined on the principal resource and MUST be an http(s) scheme URL.",
        needs [], faults ["dav-no-current-user-principal"], accounts 1, objects::current_user_principal),
    check!("caldav.principal.calendar-home-set", Caldav,
        "The principal names a calendar home in calendar-home-set",
        4791, "6.2.1", Should,
        "This property SHOULD be defined on a principal resource.",
        needs [], faults ["caldav-no-calendar-home-set"], accounts 1, objects::calendar_home_set),
    check!("caldav.principal.home-lists-calendars", Caldav,
        "A Depth 1 PROPFIND of the calendar home lists its calendars",
        4791, "6.2.1", Should,
        "This property SHOULD be defined on a principal resource. … This property specifies the URL of collections that are either calendar collections or ordinary collections that have child or descendant calendar collections owned by the principal.",
        needs [], faults ["dav-propfind-depth-ignored"], accounts 1, objects::home_lists_calendars),
    // MKCALENDAR.
    check!("caldav.mkcalendar.created", Caldav,
        "MKCALENDAR creates a calendar collection",
        4791, "2", Should,
        "SHOULD support the MKCALENDAR method defined in Section 5.3.1 of this document.",
        needs [], faults ["caldav-mkcalendar-refused"], accounts 1, objects::mkcalendar_created),
    check!("caldav.mkcalendar.resourcetype", Caldav,
        "A new calendar's resourcetype has DAV:collection and CALDAV:calendar",
        4791, "5.3.1", Must,
        "(CALDAV:initialize-calendar-collection): A new calendar collection exists at the Request-URI. The DAV:resourcetype of the calendar collection MUST contain both DAV:collection and CALDAV:calendar XML elements.",
        needs [], faults ["caldav-mkcalendar-plain-collection"], accounts 1, objects::mkcalendar_resourcetype),
    check!("caldav.mkcalendar.properties", Caldav,
        "Properties set in the MKCALENDAR body are applied",
        4791, "5.3.1", Must,
        "If a request body is included, it MUST be a CALDAV:mkcalendar XML element. Instruction processing MUST occur in the order instructions are received (i.e., from top to bottom). Instructions MUST either all be executed or none executed.",
        needs [], faults ["caldav-mkcalendar-ignores-properties"], accounts 1, objects::mkcalendar_properties),
    check!("caldav.mkcalendar.existing", Caldav,
        "MKCALENDAR on an existing resource is refused",
        4791, "5.3.1", Must,
        "(DAV:resource-must-be-null): A resource MUST NOT exist at the Request-URI;",
        needs [], faults ["caldav-mkcalendar-overwrites"], accounts 1, objects::mkcalendar_existing),
    check!("caldav.collection.component-set-honoured", Caldav,
        "A component outside supported-calendar-component-set is refused with supported-calendar-component",
        4791, "5.2.3", Must,
        "Any attempt by the client to store calendar object resources with component types not listed in this property, if it exists, MUST result in an error, with the CALDAV:supported-calendar-component precondition (Section 5.3.2.1) being violated.",
        needs [], faults ["dav-component-set-ignored", "dav-error-body-missing"], accounts 1, objects::component_set_honoured),
    check!("caldav.collection.supported-report-set", Caldav,
        "A calendar advertises the calendaring reports in supported-report-set",
        4791, "7", Must,
        "CalDAV servers MUST advertise support for these reports on all calendar collections and calendar object resources with the DAV: supported-report-set property, defined in Section 3.1.5 of [RFC3253].",
        needs [], faults ["caldav-no-supported-report-set"], accounts 1, objects::supported_reports),
    check!("caldav.collection.read-free-busy", Caldav,
        "Calendars support the read-free-busy privilege",
        4791, "6.1.1", Must,
        "Servers MUST support this privilege on all calendar collections, regular collections, and calendar object resources.",
        needs [], faults ["caldav-no-read-free-busy"], accounts 1, objects::read_free_busy_privilege),
    // PUT.
    check!("caldav.put.event", Caldav,
        "A VEVENT is stored with PUT and read back",
        4791, "5.3.2", Must,
        "New calendar object resources MUST be created with a PUT request targeted at an unmapped URI.",
        needs [], faults ["dav-put-lost"], accounts 1, objects::put_event),
    check!("caldav.put.task", Caldav,
        "A VTODO is stored in a calendar without component restrictions",
        4791, "5.2.3", Must,
        "In the absence of this property, the server MUST accept all component types, and the client can assume that all component types are accepted.",
        needs [], faults ["caldav-todo-refused"], accounts 1, objects::put_task),
    check!("caldav.put.invalid-data", Caldav,
        "Invalid iCalendar is refused with valid-calendar-data",
        4791, "5.3.2.1", Must,
        "(CALDAV:valid-calendar-data): The resource submitted in the PUT request, or targeted by a COPY or MOVE request, MUST be valid data for the media type being specified (i.e., MUST contain valid iCalendar data);",
        needs [], faults ["dav-invalid-data-accepted", "dav-error-body-missing"], accounts 1, objects::put_invalid),
    check!("caldav.put.uid-conflict", Caldav,
        "A second object with a UID in use is refused with no-uid-conflict",
        4791, "5.3.2.1", Must,
        "(CALDAV:no-uid-conflict): The resource submitted in the PUT request, or targeted by a COPY or MOVE request, MUST NOT specify an iCalendar UID property value already in use in the targeted calendar collection",
        needs [], faults ["dav-uid-conflict-accepted", "dav-error-body-missing"], accounts 1, objects::put_uid_conflict),
    check!("caldav.put.one-uid", Caldav,
        "An object with components of two UIDs is refused with valid-calendar-object-resource",
        4791, "4.1", Must,
        "Calendar components in a calendar collection that have different UID property values MUST be stored in separate calendar object resources.",
        needs [], faults ["caldav-multi-uid-accepted", "dav-error-body-missing"], accounts 1, objects::put_two_uids),
    check!("caldav.put.media-type", Caldav,
        "Data of another media type is refused with supported-calendar-data",
        4791, "5.3.2.1", Must,
        "(CALDAV:supported-calendar-data): The resource submitted in the PUT request, or targeted by a COPY or MOVE request, MUST be a supported media type (i.e., iCalendar) for calendar object resources;",
        needs [], faults ["dav-invalid-data-accepted", "dav-error-body-missing"], accounts 1, objects::put_unsupported_media),
    // ETags.
    check!("caldav.etag.get", Caldav,
        "GET of a calendar object carries a strong ETag equal to getetag",
        4791, "5.3.4", Must,
        "A response to a GET request targeted at a calendar object resource MUST contain an ETag response header field indicating the current value of the strong entity tag of the calendar object resource.",
        needs [], faults ["dav-no-etag", "dav-weak-etag"], accounts 1, etag_on_get),
    check!("caldav.etag.changes", Caldav,
        "A changed calendar object gets a new getetag",
        9110, "8.8.1", Must,
        "A \"strong validator\" is representation metadata that changes value whenever a change occurs to the representation data that would be observable in the content of a 200 (OK) response to GET.",
        needs [], faults ["dav-etag-static"], accounts 1, etag_changes),
    // calendar-multiget.
    check!("caldav.multiget.data", Caldav,
        "calendar-multiget returns the data and ETag of each object",
        4791, "7.9", Must,
        "The response body for a successful CALDAV:calendar-multiget REPORT request MUST contain a DAV:response element for each calendar object resource referenced by the provided set of DAV:href elements.",
        needs [], faults ["dav-multiget-no-data"], accounts 1, objects::multiget_data),
    check!("caldav.multiget.missing", Caldav,
        "calendar-multiget answers a missing href with its own 404",
        4791, "7.9", Must,
        "In the case of an error accessing any of the provided DAV:href resources, the server MUST return the appropriate error status code in the DAV:status element of the corresponding DAV:response element.",
        needs [], faults ["dav-multiget-drops-missing"], accounts 1, multiget_missing),
    // calendar-query.
    check!("caldav.query.time-range", Caldav,
        "A single event matches the time ranges it overlaps, and only those",
        4791, "7.4", Must,
        "The rules defined in [RFC2445] for determining the actual start and end times of calendar components MUST be used, and these are fully enumerated in Section 9.9 of this document.",
        needs [], faults ["dav-time-range-ignored"], accounts 1, query::time_range_single),
    check!("caldav.query.recurring", Caldav,
        "A recurring event matches a range only a later instance overlaps",
        4791, "7.4", Must,
        "The server MUST expand recurring components to determine whether any recurrence instances overlap the specified time range.",
        needs [], faults ["caldav-query-no-recurrence"], accounts 1, query::time_range_recurring),
    check!("caldav.query.exdate", Caldav,
        "An instance removed by EXDATE does not match",
        4791, "9.9", Must,
        "Time range tests MUST consider every recurrence instance when testing the time range condition; if any one instance matches, then the test returns true. Testing recurrence instances requires the server to infer an effective value for DTSTART, DTEND, DURATION, and DUE properties for an instance based on the recurrence patterns and any overrides.",
        needs [], faults ["caldav-query-ignores-exdate"], accounts 1, query::time_range_exdate),
    check!("caldav.query.override", Caldav,
        "An overridden instance matches where it was moved to, not where it was",
        4791, "9.9", Must,
        "Testing recurrence instances requires the server to infer an effective value for DTSTART, DTEND, DURATION, and DUE properties for an instance based on the recurrence patterns and any overrides.",
        needs [], faults ["caldav-query-ignores-overrides"], accounts 1, query::time_range_override),
    check!("caldav.query.all-day", Caldav,
        "An all-day (DATE) event covers its whole day",
        4791, "9.9", Must,
        "The duration of a VEVENT component with no DTEND and DURATION properties is 1 day (+P1D) when the DTSTART is a DATE value, and 0 seconds when the DTSTART is a DATE-TIME value. … | Y | N | N | * | (start < DTEND AND end > DTSTART) |",
        needs [], faults ["caldav-query-all-day-instant"], accounts 1, query::time_range_all_day),
    check!("caldav.query.floating", Caldav,
        "Floating times are read in the query's CALDAV:timezone",
        4791, "7.3", Must,
        "For the CALDAV:calendar-query REPORT, CalDAV servers MUST rely on the value of the CALDAV:timezone XML element, if specified as part of the request body, to perform the proper conversion of \"floating date\" and \"floating time\" values to date with UTC time values.",
        needs [], faults ["caldav-query-ignores-timezone"], accounts 1, query::time_range_floating),
    check!("caldav.query.timezone", Caldav,
        "A time with a TZID is compared in UTC",
        4791, "7.4", Must,
        "To determine whether a calendar object resource matches the time range filter element, the start and end times for the targeted component or property are determined and then compared to the requested time range. … The rules defined in [RFC2445] for determining the actual start and end times of calendar components MUST be used",
        needs [], faults ["caldav-query-tzid-as-utc"], accounts 1, query::time_range_timezone),
    check!("caldav.query.component", Caldav,
        "A VTODO comp-filter returns tasks only",
        4791, "7.8", Must,
        "The response body for a successful CALDAV:calendar-query REPORT request MUST contain a DAV:response element for each iCalendar object that matched the search filter.",
        needs [], faults ["caldav-query-ignores-component"], accounts 1, query::component_filter),
    check!("caldav.query.text-match", Caldav,
        "text-match is a case-insensitive substring match by default",
        4791, "9.7.5", Must,
        "The \"collation\" attribute is used to select the collation that the server MUST use for character string matching. In the absence of this attribute, the server MUST use the \"i;ascii-casemap\" collation.",
        needs [], faults ["dav-text-match-ignored"], accounts 1, query::text_match),
    check!("caldav.query.negate", Caldav,
        "negate-condition inverts a text-match",
        4791, "9.7.5", Must,
        "The \"negate-condition\" attribute is used to indicate that this test returns a match if the text matches when the attribute value is set to \"no\", or return a match if the text does not match, if the attribute value is set to \"yes\".",
        needs [], faults ["caldav-query-ignores-negate"], accounts 1, query::text_match_negate),
    check!("caldav.query.is-not-defined", Caldav,
        "is-not-defined matches objects without the property",
        4791, "9.7.4", Must,
        "The CALDAV:is-not-defined XML element specifies that a match occurs if the enclosing component, property, or parameter value specified in a calendaring REPORT request does not exist in the calendar data being tested.",
        needs [], faults ["caldav-query-ignores-is-not-defined"], accounts 1, query::is_not_defined),
    check!("caldav.query.unsupported-collation", Caldav,
        "An unsupported collation is refused with supported-collation",
        4791, "7.5", Must,
        "If the client chooses a collation not supported by the server, the server MUST respond with a CALDAV:supported-collation precondition error response.",
        needs [], faults ["dav-query-any-collation", "dav-error-body-missing"], accounts 1, query::unsupported_collation),
    check!("caldav.query.partial-data", Caldav,
        "calendar-data with a comp/prop selection returns only the selected properties",
        4791, "7.8", Should,
        "In the case of the CALDAV: calendar-data XML element, one can explicitly specify the calendar components and properties that should be returned in the calendar object resource data that matches the filter. … the response should follow the same behavior as PROPFIND",
        needs [], faults ["caldav-calendar-data-unfiltered"], accounts 1, query::partial_calendar_data),
    check!("caldav.query.free-busy", Caldav,
        "free-busy-query reports the busy periods of the events in the range",
        4791, "7.10", Must,
        "The response body for a successful request MUST be an iCalendar object that contains exactly one VFREEBUSY component that describes the busy time intervals for the calendar object resources containing VEVENT, or VFREEBUSY components that satisfy the Depth value",
        needs [], faults ["caldav-free-busy-empty"], accounts 1, query::free_busy),
    check!("caldav.query.expand", Caldav,
        "expand returns one component per instance, without recurrence properties",
        4791, "9.6.5", Must,
        "the server MUST expand the recurrence set into calendar components that define exactly one recurrence instance, and MUST return only those whose scheduled time intersect a specified time range.",
        needs [], faults ["dav-expand-ignored"], accounts 1, query::expand),
    check!("caldav.query.limit-recurrence-set", Caldav,
        "limit-recurrence-set returns the master and only the overrides that touch the range",
        4791, "9.6.6", Must,
        "the server MUST return, in addition to the \"master component\", only the \"overridden components\" that impact a specified time range.",
        needs [], faults ["caldav-limit-recurrence-set-ignored"], accounts 1, query::limit_recurrence_set),
    // sync-collection (RFC 6578).
    check!("caldav.sync-collection.initial", Caldav,
        "An initial sync-collection lists every member and returns a token",
        6578, "3.4", Must,
        "When the DAV:sync-collection request contains an empty DAV:sync-token element, the server MUST return all member URLs of the collection",
        needs [], faults ["dav-sync-initial-empty", "dav-sync-no-token"], accounts 1, sync_initial),
    check!("caldav.sync-collection.changed", Caldav,
        "An incremental sync reports a changed member",
        6578, "3.5.1", Must,
        "A member URL MUST be reported as changed if its mapped resource's entity tag value (defined in Section 3.11 of [RFC2616]) has changed since the request sync-token was generated.",
        needs [], faults ["dav-sync-misses-changes"], accounts 1, sync_change),
    check!("caldav.sync-collection.removed", Caldav,
        "An incremental sync reports a removed member with 404",
        6578, "3.5.2", Must,
        "A member MUST be reported as removed if its mapping under the target collection has been removed since the request sync-token was generated, and it has not been remapped since it was removed.",
        needs [], faults ["dav-sync-no-deletions"], accounts 1, sync_removal),
    check!("caldav.sync-collection.invalid-token", Caldav,
        "An unknown sync token is refused with valid-sync-token",
        6578, "3.2", Must,
        "(DAV:valid-sync-token): The DAV:sync-token element value MUST be a valid token previously returned by the server for the collection targeted by the request-URI.",
        needs [], faults ["dav-sync-token-invalid-accepted", "dav-error-body-missing"], accounts 1, sync_invalid),
    check!("caldav.sync-collection.token-property", Caldav,
        "The sync-token property equals the token the report returns",
        6578, "4", Must,
        "The DAV:sync-token property MUST be defined on all resources that support the DAV:sync-collection report. It contains the value of the synchronization token as it would be returned by a DAV:sync-collection report on that resource at the same point in time.",
        needs [], faults ["dav-sync-token-property-stale"], accounts 1, sync_property),
    // Two accounts.
    check!("caldav.acl.other-cannot-read", Caldav,
        "A second account cannot GET the first's calendar objects",
        4791, "6", Must,
        "CalDAV servers MUST support and adhere to the requirements of WebDAV ACL [RFC3744].",
        needs [], faults ["dav-no-access-control"], accounts 2, acl_read),
    check!("caldav.acl.other-cannot-list", Caldav,
        "A second account cannot list or multiget the first's calendar",
        4791, "6", Must,
        "CalDAV servers MUST support and adhere to the requirements of WebDAV ACL [RFC3744].",
        needs [], faults ["dav-no-access-control"], accounts 2, acl_list),
    check!("caldav.acl.other-cannot-write", Caldav,
        "A second account cannot PUT into the first's calendar",
        4791, "6", Must,
        "CalDAV servers MUST support and adhere to the requirements of WebDAV ACL [RFC3744].",
        needs [], faults ["dav-no-access-control"], accounts 2, acl_write),
    check!("caldav.acl.other-cannot-delete", Caldav,
        "A second account cannot DELETE the first's calendar objects",
        4791, "6", Must,
        "CalDAV servers MUST support and adhere to the requirements of WebDAV ACL [RFC3744].",
        needs [], faults ["dav-no-access-control"], accounts 2, acl_delete),
    check!("caldav.acl.privilege-set", Caldav,
        "current-user-privilege-set tells the owner it may write and the other account nothing more",
        3744, "5.4", Must,
        "DAV:current-user-privilege-set is a protected property containing the exact set of privileges (as computed by the server) granted to the currently authenticated HTTP user.",
        needs [], faults ["dav-privilege-set-wrong"], accounts 2, acl_privileges),
    // Interop: what real clients send.
    Check {
        profiles: &["thunderbird"],
        ..check!("caldav.interop.thunderbird-discovery", Caldav,
            "Thunderbird's calendar discovery PROPFIND is answered for every property",
            4918, "9.1", Must,
            "A request to retrieve the value of a property that does not exist is an error and MUST be noted with a 'response' XML element that contains a 404 (Not Found) status value.",
            needs [], faults ["dav-propfind-many-props-400"], accounts 1, thunderbird)
    },
    check!("caldav.interop.davx5-discovery", Caldav,
        "DAVx5's calendar discovery PROPFIND is answered for every property",
        4918, "9.1", Must,
        "A request to retrieve the value of a property that does not exist is an error and MUST be noted with a 'response' XML element that contains a 404 (Not Found) status value.",
        needs [], faults ["dav-propfind-many-props-400"], accounts 1, davx5),
    check!("caldav.interop.apple-discovery", Caldav,
        "Apple Calendar's discovery PROPFIND is answered for every property",
        4918, "9.1", Must,
        "A request to retrieve the value of a property that does not exist is an error and MUST be noted with a 'response' XML element that contains a 404 (Not Found) status value.",
        needs [], faults ["dav-propfind-many-props-400"], accounts 1, apple),
    check!("caldav.interop.evolution-discovery", Caldav,
        "Evolution's calendar discovery PROPFIND is answered for every property",
        4918, "9.1", Must,
        "A request to retrieve the value of a property that does not exist is an error and MUST be noted with a 'response' XML element that contains a 404 (Not Found) status value.",
        needs [], faults ["dav-propfind-many-props-400"], accounts 1, evolution),
    Check {
        profiles: &["thunderbird"],
        ..check!("caldav.interop.sync-depth-one", Caldav,
            "sync-collection with Depth: 1, as Thunderbird sends it, is answered like Depth: 0",
            6578, "3.2", May,
            "This report is only defined when the Depth header has value \"0\"; other values result in a 400 (Bad Request) error response.",
            needs [], faults ["dav-sync-depth-one-refused"], accounts 1, sync_depth_one)
    },
    check!("caldav.interop.if-match", Caldav,
        "PUT with a stale If-Match is refused with 412 (DAVx5, Thunderbird, Evolution)",
        9110, "13.1.1", Must,
        "An origin server that evaluates an If-Match condition MUST NOT perform the requested method if the condition evaluates to false.",
        needs [], faults ["dav-if-match-ignored"], accounts 1, if_match),
    check!("caldav.interop.if-none-match", Caldav,
        "PUT with If-None-Match: * on an existing object is refused with 412 (DAVx5, Apple)",
        9110, "13.1.2", Must,
        "An origin server that evaluates an If-None-Match condition MUST NOT perform the requested method if the condition evaluates to false; instead, the origin server MUST respond with either a) the 304 (Not Modified) status code if the request method is GET or HEAD or b) the 412 (Precondition Failed) status code for all other request methods.",
        needs [], faults ["dav-if-match-ignored"], accounts 1, if_none_match),
    check!("caldav.interop.large-multiget", Caldav,
        "A calendar-multiget of 60 objects returns all 60 (Thunderbird, Apple)",
        4791, "7.9", Must,
        "The response body for a successful CALDAV:calendar-multiget REPORT request MUST contain a DAV:response element for each calendar object resource referenced by the provided set of DAV:href elements.",
        needs [], faults ["dav-multiget-truncated"], accounts 1, large_multiget),
    check!("caldav.interop.utf8-names", Caldav,
        "UTF-8 display names and non-ASCII resource names round-trip (every client)",
        4918, "19", Must,
        "requires that XML processors read XML elements encoded, at minimum, using the UTF-8 [RFC3629] and UTF-16 [RFC2781] encodings of the ISO 10646 multilingual plane.",
        needs [], faults ["dav-utf8-mangled"], accounts 1, utf8_names),
    check!("caldav.interop.non-ascii-uid", Caldav,
        "A non-ASCII UID is stored and returned unchanged (DAVx5, Apple)",
        5545, "3.8.4.7", Must,
        "Implementations MUST be able to receive and persist values of at least 255 octets for this property, but they MUST NOT truncate values in the middle of a UTF-8 multi-octet sequence.",
        needs [], faults ["dav-uid-mangled"], accounts 1, non_ascii_uid),
    check!("caldav.interop.getctag", Caldav,
        "getctag changes when a member changes (Apple, DAVx5, Thunderbird poll it)",
        6578, "4", May,
        "It contains the value of the synchronization token as it would be returned by a DAV:sync-collection report on that resource at the same point in time.",
        needs [], faults ["dav-ctag-static"], accounts 1, ctag),
    // Scheduling (RFC 6638), when calendar-auto-schedule is advertised.
    check!("caldav.scheduling.inbox", Caldav,
        "The principal's schedule-inbox-URL names a scheduling Inbox collection",
        6638, "2.2", Must,
        "A scheduling Inbox collection MUST report the DAV:collection and CALDAV:schedule-inbox XML elements in the value of the DAV: resourcetype property.",
        needs [], faults ["caldav-schedule-inbox-untyped"], accounts 1, scheduling::inbox),
    check!("caldav.scheduling.outbox", Caldav,
        "The principal's schedule-outbox-URL names a scheduling Outbox collection",
        6638, "2.1", Must,
        "A scheduling Outbox collection MUST report the DAV:collection and CALDAV:schedule-outbox XML elements in the value of the DAV: resourcetype property.",
        needs [], faults ["caldav-schedule-outbox-untyped"], accounts 1, scheduling::outbox),
    check!("caldav.scheduling.user-address-set", Caldav,
        "The principal has a calendar-user-address-set",
        6638, "2.4.1", Must,
        "Support for this property is REQUIRED.",
        needs [], faults ["caldav-no-calendar-user-address-set"], accounts 1, scheduling::user_address_set),
    check!("caldav.scheduling.schedule-tag", Caldav,
        "PUT and GET of an organizer's event carry a Schedule-Tag header",
        6638, "3.2.10", Must,
        "A response to any successful GET or PUT request targeting a scheduling object resource MUST include a Schedule-Tag response header with the value set to the same value as the CALDAV:schedule-…tag WebDAV property of the resource.",
        needs [], faults ["caldav-no-schedule-tag"], accounts 2, scheduling::schedule_tag),
    check!("caldav.scheduling.delivered", Caldav,
        "An organizer's invitation reaches the second account's calendar",
        6638, "4", Must,
        "Servers MUST automatically process incoming scheduling messages using the rules defined by [RFC5546], by creating or updating the corresponding scheduling object resources on calendars owned by the owner of the scheduling Inbox collection.",
        needs [], faults ["caldav-schedule-not-delivered"], accounts 2, scheduling::delivered_to_attendee),
];
