//! Request-level tests of the DAV server, through [`respond`](super::respond) without a
//! network: the reports, the preconditions, sync-collection, multi-user access and the
//! faults.

use std::sync::Arc;

use base64::Engine as _;
use bytes::Bytes;
use groupwire_dav::body::{Multistatus, PropValue};
use groupwire_dav::{DavResponse, Decoded, Limits};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use http_body_util::BodyExt;

use super::{DavService, respond};
use crate::TestAccount;
use crate::faults::{Fault, Faults};
use crate::store::Store;

struct Server {
    service: DavService,
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn multistatus(&self) -> Multistatus<'static> {
        match DavResponse::decode(&self.body, &Limits::default()) {
            Ok(Decoded::Complete {
                value: DavResponse::Multistatus(m),
                ..
            }) => m.into_owned(),
            other => panic!("not a multistatus ({}): {other:?}", self.text()),
        }
    }

    fn hrefs(&self) -> Vec<String> {
        self.multistatus()
            .responses
            .iter()
            .flat_map(|r| r.hrefs.iter().map(|h| h.as_str().to_string()))
            .collect()
    }
}

impl Server {
    fn new(faults: Faults) -> Server {
        let store = Arc::new(Store::new());
        let accounts = vec![
            TestAccount {
                address: "alice@example.test".into(),
                password: "a".into(),
            },
            TestAccount {
                address: "bob@example.test".into(),
                password: "b".into(),
            },
        ];
        for a in &accounts {
            store.add_account(&a.address, &a.password);
        }
        Server {
            service: DavService::new(store, &accounts, faults),
        }
    }

    fn call(
        &self,
        user: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Answer {
        let mut map = HeaderMap::new();
        let password = if user == "alice" { "a" } else { "b" };
        let credentials = base64::engine::general_purpose::STANDARD
            .encode(format!("{user}@example.test:{password}"));
        map.insert(
            http::header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {credentials}")).unwrap(),
        );
        for (name, value) in headers {
            map.insert(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        let resp = respond(
            &self.service,
            Method::from_bytes(method.as_bytes()).unwrap(),
            path.parse().unwrap(),
            map,
            Bytes::from(body.to_string()),
        );
        let (parts, body) = resp.into_parts();
        let body = futures_block(body);
        Answer {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    fn alice(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
        self.call("alice", method, path, headers, body)
    }
}

/// Reads a `Full` body (always ready) without a runtime.
fn futures_block(body: http_body_util::Full<Bytes>) -> Vec<u8> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime
        .block_on(body.collect())
        .map(|c| c.to_bytes().to_vec())
        .unwrap_or_default()
}

const CAL: &str = "/dav/calendars/alice/default";
const BOOK: &str = "/dav/addressbooks/alice/default";

fn event(uid: &str, extra: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn put_event(server: &Server, name: &str, body: &str) -> Answer {
    server.alice(
        "PUT",
        &format!("{CAL}/{name}"),
        &[("content-type", "text/calendar")],
        body,
    )
}

fn query(range: (&str, &str)) -> String {
    format!(
        r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="{}" end="{}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#,
        range.0, range.1
    )
}

fn names(hrefs: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = hrefs
        .into_iter()
        .map(|h| h.rsplit('/').next().unwrap_or("").to_string())
        .collect();
    out.sort();
    out
}

fn seeded() -> Server {
    let server = Server::new(Faults::none());
    let single = event(
        "single",
        "DTSTART:20260301T100000Z\r\nDTEND:20260301T110000Z\r\nSUMMARY:Budget review\r\n",
    );
    assert_eq!(
        put_event(&server, "single.ics", &single).status,
        StatusCode::CREATED
    );
    let weekly = event(
        "weekly",
        "DTSTART:20260302T090000Z\r\nDTEND:20260302T093000Z\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nEXDATE:20260309T090000Z\r\nSUMMARY:Stand-up\r\n",
    );
    assert_eq!(
        put_event(&server, "weekly.ics", &weekly).status,
        StatusCode::CREATED
    );
    let allday = event(
        "allday",
        "DTSTART;VALUE=DATE:20260401\r\nDTEND;VALUE=DATE:20260402\r\nSUMMARY:Holiday\r\n",
    );
    assert_eq!(
        put_event(&server, "allday.ics", &allday).status,
        StatusCode::CREATED
    );
    let zoned = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:zoned\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20260701T090000\r\nDTEND;TZID=Europe/Berlin:20260701T100000\r\nSUMMARY:Berlin morning\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert_eq!(
        put_event(&server, "zoned.ics", zoned).status,
        StatusCode::CREATED
    );
    server
}

#[test]
fn calendar_query_time_ranges_follow_recurrence_exdate_all_day_and_zones() {
    let server = seeded();
    let run = |start: &str, end: &str| {
        let answer = server.alice("REPORT", CAL, &[("depth", "1")], &query((start, end)));
        assert_eq!(answer.status, StatusCode::MULTI_STATUS, "{}", answer.text());
        names(answer.hrefs())
    };
    assert_eq!(run("20260301T000000Z", "20260302T000000Z"), ["single.ics"]);
    assert_eq!(run("20260316T000000Z", "20260317T000000Z"), ["weekly.ics"]);
    assert!(
        run("20260309T000000Z", "20260310T000000Z").is_empty(),
        "EXDATE"
    );
    assert!(
        run("20260330T000000Z", "20260331T000000Z").is_empty(),
        "after COUNT"
    );
    assert_eq!(run("20260401T120000Z", "20260401T130000Z"), ["allday.ics"]);
    // 09:00 in Berlin in July is 07:00 UTC.
    assert_eq!(run("20260701T070000Z", "20260701T073000Z"), ["zoned.ics"]);
    assert!(run("20260701T090000Z", "20260701T093000Z").is_empty());
    assert!(run("20270101T000000Z", "20270102T000000Z").is_empty());
}

#[test]
fn text_match_and_time_range_faults_change_the_answer() {
    let body = r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match>budget</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#;
    let server = seeded();
    let answer = server.alice("REPORT", CAL, &[("depth", "1")], body);
    assert_eq!(names(answer.hrefs()), ["single.ics"]);
    let negated = body.replace("<C:text-match>", r#"<C:text-match negate-condition="yes">"#);
    let answer = server.alice("REPORT", CAL, &[("depth", "1")], &negated);
    assert_eq!(
        names(answer.hrefs()),
        ["allday.ics", "weekly.ics", "zoned.ics"]
    );
    let bad = body.replace("<C:text-match>", r#"<C:text-match collation="i;klingon">"#);
    let answer = server.alice("REPORT", CAL, &[("depth", "1")], &bad);
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.text().contains("supported-collation"));
}

#[test]
fn expand_and_free_busy_report_the_occurrences() {
    let server = seeded();
    let body = r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data><C:expand start="20260301T000000Z" end="20260401T000000Z"/></C:calendar-data></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="UID"><C:text-match collation="i;octet">weekly</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#;
    let answer = server.alice("REPORT", CAL, &[("depth", "1")], body);
    let text = answer.text();
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 3, "{text}");
    assert!(text.contains("RECURRENCE-ID:20260316T090000Z"));
    assert!(!text.contains("RRULE"));
    let fb = r#"<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20260301T000000Z" end="20260308T000000Z"/></C:free-busy-query>"#;
    let answer = server.alice("REPORT", CAL, &[("depth", "1")], fb);
    assert_eq!(answer.status, StatusCode::OK);
    let text = answer.text();
    assert!(
        text.contains("FREEBUSY;FBTYPE=BUSY:20260301T100000Z/20260301T110000Z"),
        "{text}"
    );
    assert!(text.contains("20260302T090000Z/20260302T093000Z"), "{text}");
}

#[test]
fn calendar_put_preconditions() {
    let server = seeded();
    let duplicate = event("single", "DTSTART:20260305T100000Z\r\n");
    let answer = put_event(&server, "other.ics", &duplicate);
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(
        answer.text().contains("no-uid-conflict"),
        "{}",
        answer.text()
    );
    assert!(answer.text().contains("/single.ics"));
    let answer = put_event(&server, "broken.ics", "BEGIN:VCALENDAR\r\nnot ical\r\n");
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.text().contains("valid-calendar-data"));
    // A task calendar refuses events.
    let mk = r#"<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>Tasks</D:displayname><C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>"#;
    let answer = server.alice("MKCALENDAR", "/dav/calendars/alice/tasks/", &[], mk);
    assert_eq!(answer.status, StatusCode::CREATED);
    let answer = server.alice(
        "PUT",
        "/dav/calendars/alice/tasks/e.ics",
        &[("content-type", "text/calendar")],
        &event("e", "DTSTART:20260305T100000Z\r\n"),
    );
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.text().contains("supported-calendar-component"));
    let answer = server.alice("MKCALENDAR", "/dav/calendars/alice/tasks/", &[], "");
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    // With the fault the duplicate is stored.
    let faulty = Server::new(Faults::one(Fault::DavUidConflictAccepted));
    put_event(
        &faulty,
        "a.ics",
        &event("same", "DTSTART:20260305T100000Z\r\n"),
    );
    let answer = put_event(
        &faulty,
        "b.ics",
        &event("same", "DTSTART:20260305T100000Z\r\n"),
    );
    assert_eq!(answer.status, StatusCode::CREATED);
}

#[test]
fn etags_and_conditional_requests() {
    let server = seeded();
    let path = format!("{CAL}/single.ics");
    let get = server.alice("GET", &path, &[], "");
    let etag = get
        .headers
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let stale = server.alice(
        "PUT",
        &path,
        &[("content-type", "text/calendar"), ("if-match", "\"nope\"")],
        &event("single", "DTSTART:20260301T100000Z\r\n"),
    );
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let fresh = server.alice(
        "PUT",
        &path,
        &[("content-type", "text/calendar"), ("if-match", &etag)],
        &event("single", "DTSTART:20260301T100000Z\r\n"),
    );
    assert_eq!(fresh.status, StatusCode::NO_CONTENT);
    let new_etag = fresh.headers.get("etag").unwrap().to_str().unwrap();
    assert_ne!(new_etag, etag);
    let create_only = server.alice(
        "PUT",
        &path,
        &[("content-type", "text/calendar"), ("if-none-match", "*")],
        &event("single", "DTSTART:20260301T100000Z\r\n"),
    );
    assert_eq!(create_only.status, StatusCode::PRECONDITION_FAILED);
    let faulty = Server::new(Faults::one(Fault::DavNoEtag));
    let answer = put_event(
        &faulty,
        "x.ics",
        &event("x", "DTSTART:20260301T100000Z\r\n"),
    );
    assert!(answer.headers.get("etag").is_none());
}

#[test]
fn sync_collection_initial_incremental_and_invalid_token() {
    let server = seeded();
    let body = |token: &str| {
        format!(
            r#"<D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"#
        )
    };
    let initial = server.alice("REPORT", CAL, &[("depth", "1")], &body(""));
    assert_eq!(initial.status, StatusCode::MULTI_STATUS);
    let ms = initial.multistatus();
    assert_eq!(ms.responses.len(), 4);
    let token = ms.sync_token.clone().unwrap().into_owned();
    let again = server.alice("REPORT", CAL, &[], &body(&token));
    assert!(again.multistatus().responses.is_empty());
    server.alice("DELETE", &format!("{CAL}/single.ics"), &[], "");
    put_event(
        &server,
        "new.ics",
        &event("new", "DTSTART:20260301T100000Z\r\n"),
    );
    let incremental = server
        .alice("REPORT", CAL, &[], &body(&token))
        .multistatus();
    let mut statuses: Vec<(String, Option<u16>)> = incremental
        .responses
        .iter()
        .map(|r| {
            (
                r.hrefs[0].as_str().rsplit('/').next().unwrap().to_string(),
                r.status.as_ref().and_then(|s| s.code()),
            )
        })
        .collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [
            ("new.ics".to_string(), None),
            ("single.ics".to_string(), Some(404))
        ]
    );
    assert_ne!(incremental.sync_token.as_deref(), Some(token.as_str()));
    let invalid = server.alice("REPORT", CAL, &[], &body("https://elsewhere.invalid/1"));
    assert_eq!(invalid.status, StatusCode::FORBIDDEN);
    assert!(invalid.text().contains("valid-sync-token"));
    let faulty = Server::new(Faults::one(Fault::DavSyncTokenInvalidAccepted));
    let answer = faulty.alice("REPORT", CAL, &[], &body("bogus"));
    assert_eq!(answer.status, StatusCode::MULTI_STATUS);
}

#[test]
fn carddav_put_query_and_address_data() {
    let server = Server::new(Faults::none());
    let card = |uid: &str, name: &str, email: &str, version: &str| {
        format!(
            "BEGIN:VCARD\r\nVERSION:{version}\r\nUID:{uid}\r\nFN:{name}\r\nN:{name};;;;\r\nEMAIL;TYPE=work:{email}\r\nEND:VCARD\r\n"
        )
    };
    let put = |name: &str, body: &str, ct: &str| {
        server.alice(
            "PUT",
            &format!("{BOOK}/{name}"),
            &[("content-type", ct)],
            body,
        )
    };
    assert_eq!(
        put(
            "a.vcf",
            &card("a", "Ada Lovelace", "ada@example.test", "3.0"),
            "text/vcard"
        )
        .status,
        StatusCode::CREATED
    );
    assert_eq!(
        put(
            "b.vcf",
            &card("b", "Bob Builder", "bob@example.test", "4.0"),
            "text/vcard"
        )
        .status,
        StatusCode::CREATED
    );
    let dup = put(
        "c.vcf",
        &card("a", "Other", "o@example.test", "4.0"),
        "text/vcard",
    );
    assert_eq!(dup.status, StatusCode::FORBIDDEN);
    assert!(dup.text().contains("no-uid-conflict"));
    let bad = put("d.vcf", "BEGIN:VCARD\r\nFN:x\r\n", "text/vcard");
    assert!(bad.text().contains("valid-address-data"), "{}", bad.text());
    let wrong_type = put(
        "e.vcf",
        &card("e", "E", "e@example.test", "4.0"),
        "text/plain",
    );
    assert!(wrong_type.text().contains("supported-address-data"));
    let query = |filter: &str, extra: &str| {
        format!(
            r#"<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/><C:address-data{extra}/></D:prop>{filter}</C:addressbook-query>"#
        )
    };
    let run = |body: String| {
        names(
            server
                .alice("REPORT", BOOK, &[("depth", "1")], &body)
                .hrefs(),
        )
    };
    let fn_match = |m: &str, t: &str| {
        format!(
            r#"<C:filter><C:prop-filter name="FN"><C:text-match match-type="{m}">{t}</C:text-match></C:prop-filter></C:filter>"#
        )
    };
    assert_eq!(run(query(&fn_match("contains", "love"), "")), ["a.vcf"]);
    assert_eq!(run(query(&fn_match("starts-with", "bob"), "")), ["b.vcf"]);
    assert!(run(query(&fn_match("equals", "bob"), "")).is_empty());
    let anyof = r#"<C:filter test="anyof"><C:prop-filter name="FN"><C:text-match>ada</C:text-match></C:prop-filter><C:prop-filter name="EMAIL"><C:text-match>bob@</C:text-match></C:prop-filter></C:filter>"#;
    assert_eq!(run(query(anyof, "")), ["a.vcf", "b.vcf"]);
    let allof = anyof.replace("anyof", "allof");
    assert!(run(query(&allof, "")).is_empty());
    let limited = r#"<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop><C:filter/><C:limit><C:nresults>1</C:nresults></C:limit></C:addressbook-query>"#;
    let answer = server
        .alice("REPORT", BOOK, &[("depth", "1")], limited)
        .multistatus();
    assert_eq!(answer.responses.len(), 2);
    assert!(
        answer
            .responses
            .iter()
            .any(|r| r.status.as_ref().and_then(|s| s.code()) == Some(507))
    );
    // Property selection and conversion to 4.0.
    let selective = format!(
        r#"<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><C:address-data version="4.0"><C:prop name="FN"/></C:address-data></D:prop>{}</C:addressbook-query>"#,
        fn_match("contains", "ada")
    );
    let answer = server.alice("REPORT", BOOK, &[("depth", "1")], &selective);
    let text = answer.text();
    assert!(text.contains("VERSION:4.0"), "{text}");
    assert!(text.contains("FN:Ada Lovelace"), "{text}");
    assert!(!text.contains("EMAIL"), "{text}");
}

#[test]
fn another_account_cannot_touch_alices_collections() {
    let server = seeded();
    for (method, path) in [
        ("PROPFIND", CAL),
        ("GET", "/dav/calendars/alice/default/single.ics"),
        ("PUT", "/dav/calendars/alice/default/bob.ics"),
        ("DELETE", "/dav/calendars/alice/default/single.ics"),
        ("REPORT", CAL),
        ("MKCOL", "/dav/files/alice/bobs"),
    ] {
        let answer = server.call("bob", method, path, &[("depth", "0")], "");
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "bob {method} {path}");
    }
    // Bob's own listing of the calendar homes does not show Alice's.
    let answer = server.call("bob", "PROPFIND", "/dav/calendars/", &[("depth", "1")], "");
    let hrefs = answer.hrefs();
    assert!(hrefs.iter().any(|h| h.contains("/bob/")));
    assert!(!hrefs.iter().any(|h| h.contains("/alice/")), "{hrefs:?}");
    let open = Server::new(Faults::one(Fault::DavNoAccessControl));
    let answer = open.call("bob", "PROPFIND", CAL, &[("depth", "0")], "");
    assert_eq!(answer.status, StatusCode::MULTI_STATUS);
}

#[test]
fn discovery_properties_lead_from_the_principal_to_the_homes() {
    let server = Server::new(Faults::none());
    let body = r#"<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:R="urn:ietf:params:xml:ns:carddav"><D:prop><D:current-user-principal/><C:calendar-home-set/><R:addressbook-home-set/></D:prop></D:propfind>"#;
    let root = server
        .alice("PROPFIND", "/dav/", &[("depth", "0")], body)
        .multistatus();
    let props = &root.responses[0].propstats[0].props;
    assert!(
        matches!(&props[0].value, PropValue::Principal(_)),
        "{props:?}"
    );
    let principal = server
        .alice(
            "PROPFIND",
            "/dav/principals/alice/",
            &[("depth", "0")],
            body,
        )
        .text();
    assert!(
        principal.contains("<D:href>/dav/calendars/alice/</D:href>"),
        "{principal}"
    );
    assert!(
        principal.contains("<D:href>/dav/addressbooks/alice/</D:href>"),
        "{principal}"
    );
    let well_known = server.alice("GET", "/.well-known/caldav", &[("host", "h:1")], "");
    assert_eq!(well_known.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        well_known.headers.get("location").unwrap(),
        "https://h:1/dav/"
    );
    let infinity = server.alice("PROPFIND", "/dav/", &[("depth", "infinity")], body);
    assert_eq!(infinity.status, StatusCode::FORBIDDEN);
    assert!(infinity.text().contains("propfind-finite-depth"));
}

#[test]
fn proppatch_is_atomic_and_protects_live_properties() {
    let server = Server::new(Faults::none());
    let body = r#"<D:propertyupdate xmlns:D="DAV:" xmlns:X="urn:x"><D:set><D:prop><X:color>red</X:color><D:getetag>"x"</D:getetag></D:prop></D:set></D:propertyupdate>"#;
    let answer = server.alice("PROPPATCH", CAL, &[], body);
    let text = answer.text();
    assert!(text.contains("424"), "{text}");
    assert!(text.contains("cannot-modify-protected-property"), "{text}");
    let get =
        r#"<D:propfind xmlns:D="DAV:" xmlns:X="urn:x"><D:prop><X:color/></D:prop></D:propfind>"#;
    let after = server.alice("PROPFIND", CAL, &[("depth", "0")], get).text();
    assert!(after.contains("404"), "{after}");
    let faulty = Server::new(Faults::one(Fault::DavProppatchNotAtomic));
    faulty.alice("PROPPATCH", CAL, &[], body);
    let after = faulty.alice("PROPFIND", CAL, &[("depth", "0")], get).text();
    assert!(after.contains(">red<"), "{after}");
}

#[test]
fn hostile_bodies_are_refused_without_panicking() {
    let server = Server::new(Faults::none());
    let deep = format!(
        "<D:propfind xmlns:D=\"DAV:\">{}{}</D:propfind>",
        "<D:prop>".repeat(200),
        "</D:prop>".repeat(200)
    );
    let answer = server.alice("PROPFIND", CAL, &[("depth", "0")], &deep);
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    for body in ["<", "<D:propfind xmlns:D=\"DAV:\">", "\u{0}\u{1}", "<a:b/>"] {
        let answer = server.alice("PROPFIND", CAL, &[("depth", "0")], body);
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body:?}");
        let answer = server.alice("REPORT", CAL, &[("depth", "0")], body);
        assert!(answer.status.is_client_error(), "{body:?}");
    }
    let answer = server.alice("GET", "/dav/%ZZ", &[], "");
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let unauthenticated = respond(
        &server.service,
        Method::GET,
        "/dav/".parse().unwrap(),
        HeaderMap::new(),
        Bytes::new(),
    );
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
}
