//! Every XML example of RFC 4918, 3744, 4791, 6352, 6578, 5397, 5689 and 6638 (extracted into
//! tests/fixtures/rfc/) decodes, re-encodes and decodes to the same value; representative
//! ones are checked value by value.

use std::path::{Path, PathBuf};

use groupwire_dav::body::*;
use groupwire_dav::xml::{CalDav, CardDav, Dav, Name};
use groupwire_dav::{DavRequest, DavResponse, Decoded, Limits};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rfc")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn request(bytes: &[u8]) -> DavRequest<'_> {
    match DavRequest::decode(bytes, &Limits::default()).expect("decodes") {
        Decoded::Complete { value, consumed } => {
            assert_eq!(consumed, bytes.len());
            value
        }
        Decoded::Incomplete { .. } => panic!("incomplete"),
    }
}

fn response(bytes: &[u8]) -> DavResponse<'_> {
    match DavResponse::decode(bytes, &Limits::default()).expect("decodes") {
        Decoded::Complete { value, consumed } => {
            assert_eq!(consumed, bytes.len());
            value
        }
        Decoded::Incomplete { .. } => panic!("incomplete"),
    }
}

fn xml_fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture_dir())
        .expect("fixtures/rfc exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    files
}

fn check_request(bytes: &[u8]) -> Result<bool, String> {
    let value = match DavRequest::decode(bytes, &Limits::default()) {
        Ok(Decoded::Complete { value, .. }) => value,
        other => return Err(format!("request decode: {other:?}")),
    };
    let again = value.to_vec();
    match DavRequest::decode(&again, &Limits::default()) {
        Ok(Decoded::Complete { value: back, .. }) if back == value => {
            Ok(!matches!(value, DavRequest::Other { .. }))
        }
        other => Err(format!(
            "request round trip: {other:?}\n{}",
            String::from_utf8_lossy(&again)
        )),
    }
}

fn check_response(bytes: &[u8]) -> Result<bool, String> {
    let value = match DavResponse::decode(bytes, &Limits::default()) {
        Ok(Decoded::Complete { value, .. }) => value,
        other => return Err(format!("response decode: {other:?}")),
    };
    let again = value.to_vec();
    match DavResponse::decode(&again, &Limits::default()) {
        Ok(Decoded::Complete { value: back, .. }) if back == value => {
            Ok(!matches!(value, DavResponse::Other { .. }))
        }
        other => Err(format!(
            "response round trip: {other:?}\n{}",
            String::from_utf8_lossy(&again)
        )),
    }
}

#[test]
fn every_rfc_xml_example_decodes_and_round_trips() {
    let files = xml_fixtures();
    assert!(files.len() > 80, "only {} fixtures", files.len());
    let mut typed = 0;
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(path).unwrap();
        let is_request = name.ends_with("-request.xml");
        let is_response = name.ends_with("-response.xml");
        if !is_response {
            match check_request(&bytes) {
                Ok(t) => typed += usize::from(t),
                Err(e) => failures.push(format!("{name}: {e}")),
            }
        }
        if !is_request {
            match check_response(&bytes) {
                Ok(t) => typed += usize::from(t),
                Err(e) => failures.push(format!("{name}: {e}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(typed > 80, "only {typed} typed bodies");
}

#[test]
fn rfc4918_propfind_by_name() {
    let bytes = fixture("rfc4918-9.1.3-1-request.xml");
    let DavRequest::Propfind(p) = request(&bytes) else {
        panic!("not a propfind")
    };
    let Propfind::Prop(props) = p.selection else {
        panic!("not prop")
    };
    let names: Vec<String> = props.iter().map(|p| p.name().to_string()).collect();
    assert_eq!(
        names,
        [
            "{http://ns.example.com/boxschema/}bigbox",
            "{http://ns.example.com/boxschema/}author",
            "{http://ns.example.com/boxschema/}DingALing",
            "{http://ns.example.com/boxschema/}Random"
        ]
    );
}

#[test]
fn rfc4918_proppatch_keeps_dead_property_raw_and_order() {
    let bytes = fixture("rfc4918-9.2.2-1-request.xml");
    let DavRequest::PropertyUpdate(update) = request(&bytes) else {
        panic!("not a propertyupdate")
    };
    assert_eq!(update.items.len(), 2);
    let PropertyUpdateItem::Set(set) = &update.items[0] else {
        panic!("set first")
    };
    let authors = &set[0];
    assert_eq!(
        authors.name,
        Name::new("http://ns.example.com/standards/z39.50/", "Authors")
    );
    let PropValue::Raw(raw) = &authors.value else {
        panic!("dead property must stay raw")
    };
    assert!(raw.content.contains("<Z:Author>Jim Whitehead</Z:Author>"));
    assert_eq!(raw.namespaces.len(), 1);
    assert_eq!(raw.namespaces[0].0, "Z");
    assert_eq!(
        raw.namespaces[0].1,
        "http://ns.example.com/standards/z39.50/"
    );
    let PropertyUpdateItem::Remove(removed) = &update.items[1] else {
        panic!("remove second")
    };
    assert_eq!(removed[0].value, PropValue::Empty);
    assert_eq!(removed[0].name.local_name(), "Copyright-Owner");
}

#[test]
fn rfc4918_lock_response_lockdiscovery() {
    let bytes = fixture("rfc4918-9.10.7-1-response.xml");
    let DavResponse::Prop(props) = response(&bytes) else {
        panic!("not a prop")
    };
    let PropValue::LockDiscovery(locks) = &props[0].value else {
        panic!("not lockdiscovery: {:?}", props[0])
    };
    let lock = &locks[0];
    assert_eq!(lock.scope, LockScope::Exclusive);
    assert_eq!(lock.kind, Name::Dav(Dav::Write));
    assert_eq!(lock.depth, groupwire_dav::headers::Depth::Infinity);
    assert_eq!(lock.timeout.as_deref(), Some("Second-604800"));
    assert_eq!(
        lock.lock_token.as_ref().map(Href::as_str),
        Some("urn:uuid:e71d4fae-5dec-22d6-fea5-00a0c91e6be4")
    );
    assert_eq!(
        lock.lock_root.as_ref().map(Href::as_str),
        Some("http://example.com/workspace/webdav/proposal.doc")
    );
    assert!(
        lock.owner
            .as_ref()
            .unwrap()
            .content
            .contains("http://example.org/~ejw/contact.html")
    );
}

#[test]
fn rfc4791_calendar_query_with_comp_selection_and_time_range() {
    let bytes = fixture("rfc4791-7.8.1-1-request.xml");
    let DavRequest::CalendarQuery(q) = request(&bytes) else {
        panic!("not a calendar-query")
    };
    let Some(Propfind::Prop(props)) = &q.selection else {
        panic!("no prop")
    };
    assert_eq!(props[0], RequestedProp::Name(Name::Dav(Dav::GetEtag)));
    let RequestedProp::CalendarData(data) = &props[1] else {
        panic!("no calendar-data")
    };
    let comp = data.comp.as_ref().unwrap();
    assert_eq!(comp.name, "VCALENDAR");
    let Selection::Listed(props) = &comp.props else {
        panic!()
    };
    assert_eq!(props[0].name, "VERSION");
    let Selection::Listed(comps) = &comp.comps else {
        panic!()
    };
    assert_eq!(comps.len(), 2);
    assert_eq!(comps[0].name, "VEVENT");
    let Selection::Listed(event_props) = &comps[0].props else {
        panic!()
    };
    assert_eq!(event_props.len(), 10);
    assert_eq!(event_props[9].name, "RECURRENCE-ID");
    assert_eq!(q.filter.name, "VCALENDAR");
    let event = &q.filter.comp_filters[0];
    assert_eq!(event.name, "VEVENT");
    let range = event.time_range.as_ref().unwrap();
    assert_eq!(range.start.as_deref(), Some("20060104T000000Z"));
    assert_eq!(range.end.as_deref(), Some("20060105T000000Z"));
}

#[test]
fn rfc4791_calendar_data_matches_the_extracted_icalendar() {
    let mut checked = 0;
    for path in xml_fixtures() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with("-response.xml") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let DavResponse::Multistatus(ms) = response(&bytes) else {
            continue;
        };
        let data: Vec<&DataValue<'_>> = ms
            .responses
            .iter()
            .flat_map(|r| r.propstats.iter())
            .flat_map(|p| p.props.iter())
            .filter_map(|p| match &p.value {
                PropValue::Data(d) => Some(d),
                _ => None,
            })
            .collect();
        for (k, d) in data.iter().enumerate() {
            let stem = name.trim_end_matches(".xml");
            let ics = fixture_dir().join(format!("{stem}-caldata-{}.ics", k + 1));
            let vcf = fixture_dir().join(format!("{stem}-carddata-{}.vcf", k + 1));
            let Ok(expected) =
                std::fs::read_to_string(&ics).or_else(|_| std::fs::read_to_string(&vcf))
            else {
                continue;
            };
            // The RFC text has LF line ends; the extracted object has CRLF.
            assert_eq!(
                d.data.trim().replace("\r\n", "\n"),
                expected.trim().replace("\r\n", "\n"),
                "{name} #{k}"
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 15,
        "only {checked} calendar/address data values checked"
    );
}

#[test]
fn rfc6352_addressbook_query_filter() {
    let bytes = fixture("rfc6352-8.6.4-1-request.xml");
    let DavRequest::AddressbookQuery(q) = request(&bytes) else {
        panic!("not an addressbook-query")
    };
    assert_eq!(q.filter.test, Some(FilterTest::AnyOf));
    assert_eq!(q.filter.prop_filters.len(), 2);
    let fn_filter = &q.filter.prop_filters[0];
    assert_eq!(fn_filter.name, "FN");
    let m = &fn_filter.text_matches[0];
    assert_eq!(m.collation.as_deref(), Some("i;unicode-casemap"));
    assert_eq!(m.match_type.as_deref(), Some("contains"));
    assert_eq!(m.text, "daboo");
    assert!(!m.negate);
    let Some(Propfind::Prop(props)) = &q.selection else {
        panic!()
    };
    let RequestedProp::AddressData(ad) = &props[1] else {
        panic!()
    };
    let Selection::Listed(sel) = &ad.props else {
        panic!()
    };
    let names: Vec<&str> = sel.iter().map(|p| &*p.name).collect();
    assert_eq!(names, ["VERSION", "UID", "NICKNAME", "EMAIL", "FN"]);
}

#[test]
fn rfc6578_initial_sync_and_507_truncation() {
    let bytes = fixture("rfc6578-3.10-1-request.xml");
    let DavRequest::SyncCollection(s) = request(&bytes) else {
        panic!()
    };
    assert_eq!(s.sync_token, "");
    assert_eq!(s.sync_level, SyncLevel::One);
    assert_eq!(s.props, [RequestedProp::Name(Name::Dav(Dav::GetEtag))]);
    let bytes = fixture("rfc6578-3.10-1-response.xml");
    let DavResponse::Multistatus(ms) = response(&bytes) else {
        panic!()
    };
    assert_eq!(
        ms.sync_token.as_deref(),
        Some("http://example.com/ns/sync/1233")
    );
    assert_eq!(ms.responses.len(), 3);
    let truncated = &ms.responses[2];
    assert_eq!(truncated.status.as_ref().and_then(Status::code), Some(507));
    assert_eq!(
        truncated.error.as_ref().unwrap().conditions[0].name,
        Name::Dav(Dav::NumberOfMatchesWithinLimits)
    );
    let etag = &ms.responses[0].propstats[0].props[0];
    assert_eq!(etag.value, PropValue::Text("\"00001-abcd1\"".into()));
    assert_eq!(ms.responses[0].propstats[0].status.code(), Some(200));
}

#[test]
fn typed_property_values_across_rfcs() {
    // Collect every typed property of every response fixture and check some known ones.
    let mut seen = std::collections::BTreeMap::new();
    for path in xml_fixtures() {
        let bytes = std::fs::read(&path).unwrap();
        if let Ok(Decoded::Complete {
            value: DavResponse::Multistatus(ms),
            ..
        }) = DavResponse::decode(&bytes, &Limits::default())
        {
            for p in ms
                .responses
                .into_iter()
                .flat_map(|r| r.propstats)
                .flat_map(|p| p.props)
            {
                seen.entry(p.name.to_string())
                    .or_insert_with(Vec::new)
                    .push(p.value.into_owned());
            }
        }
    }
    let has = |name: &str, pred: &dyn Fn(&PropValue<'static>) -> bool| {
        let values = seen
            .get(name)
            .unwrap_or_else(|| panic!("{name} never seen"));
        assert!(values.iter().any(pred), "{name}: {values:?}");
    };
    has(
        "{DAV:}resourcetype",
        &|v| matches!(v, PropValue::Markers(m) if m.contains(&Name::Dav(Dav::Collection))),
    );
    has(
        "{DAV:}current-user-privilege-set",
        &|v| matches!(v, PropValue::Privileges(p) if p.contains(&Name::Dav(Dav::Read))),
    );
    has(
        "{DAV:}acl",
        &|v| matches!(v, PropValue::Acl(aces) if aces.iter().any(|a| a.principal == Principal::All)),
    );
    has(
        "{DAV:}supported-privilege-set",
        &|v| matches!(v, PropValue::SupportedPrivileges(s) if !s.is_empty() && !s[0].children.is_empty()),
    );
    has(
        "{DAV:}supportedlock",
        &|v| matches!(v, PropValue::SupportedLock(s) if s.iter().any(|e| e.scope == LockScope::Shared)),
    );
    has("{DAV:}getcontentlength", &|v| {
        matches!(v, PropValue::Number(_))
    });
    has(
        "{DAV:}owner",
        &|v| matches!(v, PropValue::Href(h) if h.as_str() == "http://www.example.com/acl/users/gstein"),
    );
    has(
        "{urn:ietf:params:xml:ns:caldav}calendar-data",
        &|v| matches!(v, PropValue::Data(d) if d.data.contains("BEGIN:VCALENDAR")),
    );
    has(
        "{urn:ietf:params:xml:ns:carddav}address-data",
        &|v| matches!(v, PropValue::Data(d) if d.data.contains("BEGIN:VCARD")),
    );
    let _ = (CalDav::CalendarData, CardDav::AddressData);
}

#[test]
fn rfc4791_mkcalendar_keeps_xml_lang_and_cdata_timezone() {
    let bytes = fixture("rfc4791-5.3.1.2-1-request.xml");
    let DavRequest::Mkcalendar(m) = request(&bytes) else {
        panic!("not mkcalendar")
    };
    assert_eq!(m.set[0].value, PropValue::Text("Lisa's Events".into()));
    let description = &m.set[1];
    assert_eq!(description.name, Name::CalDav(CalDav::CalendarDescription));
    assert_eq!(description.lang.as_deref(), Some("en"));
    assert_eq!(
        description.value,
        PropValue::Text("Calendar restricted to events.".into())
    );
    assert_eq!(m.set[2].value, PropValue::Components(vec!["VEVENT".into()]));
    let PropValue::Text(tz) = &m.set[3].value else {
        panic!()
    };
    assert!(tz.starts_with("BEGIN:VCALENDAR") && tz.contains("TZID:US-Eastern"));
}
