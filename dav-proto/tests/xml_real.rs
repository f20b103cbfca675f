//! Bodies recorded from real servers (tests/fixtures/real/radicale, real/apache): every XML
//! request and response decodes and round-trips.

use std::path::{Path, PathBuf};

use groupwire_dav::body::{PropValue, Propfind};
use groupwire_dav::xml::{Dav, Name};
use groupwire_dav::{DavRequest, DavResponse, Decoded, Limits};

fn xml_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
    let mut out = Vec::new();
    for server in ["radicale", "apache"] {
        if let Ok(entries) = std::fs::read_dir(root.join(server)) {
            out.extend(
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "xml")),
            );
        }
    }
    out.sort();
    out
}

#[test]
fn every_recorded_body_decodes_and_round_trips() {
    let files = xml_files();
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(path).unwrap();
        let limits = Limits::default();
        let ok = if name.contains("-request") {
            match DavRequest::decode(&bytes, &limits) {
                Ok(Decoded::Complete { value, consumed }) if consumed == bytes.len() => {
                    let again = value.to_vec();
                    matches!(DavRequest::decode(&again, &limits),
                        Ok(Decoded::Complete { value: back, .. }) if back == value)
                }
                _ => false,
            }
        } else {
            match DavResponse::decode(&bytes, &limits) {
                Ok(Decoded::Complete { value, consumed }) if consumed == bytes.len() => {
                    let again = value.to_vec();
                    matches!(DavResponse::decode(&again, &limits),
                        Ok(Decoded::Complete { value: back, .. }) if back == value)
                }
                _ => false,
            }
        };
        if !ok {
            failures.push(name);
        }
    }
    assert!(failures.is_empty(), "failed: {failures:?}");
    eprintln!("{} recorded XML bodies decoded", files.len());
}

#[test]
fn apache_lock_and_propfind_values() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real/apache");
    let Ok(lock) = std::fs::read(dir.join("apache-curl-lock-01-response.xml")) else {
        return; // not recorded on this checkout
    };
    let Ok(Decoded::Complete {
        value: DavResponse::Prop(props),
        ..
    }) = DavResponse::decode(&lock, &Limits::default())
    else {
        panic!("LOCK response is a DAV:prop")
    };
    let PropValue::LockDiscovery(locks) = &props[0].value else {
        panic!("{props:?}")
    };
    assert!(
        locks[0]
            .lock_token
            .as_ref()
            .is_some_and(|t| t.as_str().starts_with("opaquelocktoken:")),
        "{locks:?}"
    );
    if let Ok(req) = std::fs::read(dir.join("apache-curl-propfind-prop-01-request.xml")) {
        let Ok(Decoded::Complete {
            value: DavRequest::Propfind(p),
            ..
        }) = DavRequest::decode(&req, &Limits::default())
        else {
            panic!("propfind")
        };
        assert!(matches!(p.selection, Propfind::Prop(_)));
    }
    if let Ok(resp) = std::fs::read(dir.join("apache-curl-propfind-allprop-01-response.xml")) {
        let Ok(Decoded::Complete {
            value: DavResponse::Multistatus(ms),
            ..
        }) = DavResponse::decode(&resp, &Limits::default())
        else {
            panic!("multistatus")
        };
        let props: Vec<_> = ms
            .responses
            .iter()
            .flat_map(|r| &r.propstats)
            .flat_map(|p| &p.props)
            .collect();
        assert!(props.iter().any(|p| p.name == Name::Dav(Dav::SupportedLock)
            && matches!(p.value, PropValue::SupportedLock(ref e) if !e.is_empty())));
        assert!(props.iter().any(|p| p.name == Name::Dav(Dav::ResourceType)));
    }
}

#[test]
fn radicale_sync_token_and_crlf_calendar_data() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real/radicale");
    if let Ok(bytes) =
        std::fs::read(dir.join("radicale-curl-report-sync-collection-01-response.xml"))
    {
        let Ok(Decoded::Complete {
            value: DavResponse::Multistatus(ms),
            ..
        }) = DavResponse::decode(&bytes, &Limits::default())
        else {
            panic!("multistatus")
        };
        assert!(
            ms.sync_token
                .as_deref()
                .is_some_and(|t| t.starts_with("http://radicale.org/ns/sync/"))
        );
        assert!(!ms.responses.is_empty());
    }
    if let Ok(bytes) =
        std::fs::read(dir.join("radicale-curl-report-calendar-query-01-response.xml"))
    {
        let Ok(Decoded::Complete {
            value: DavResponse::Multistatus(ms),
            ..
        }) = DavResponse::decode(&bytes, &Limits::default())
        else {
            panic!("multistatus")
        };
        let data = ms
            .responses
            .iter()
            .flat_map(|r| &r.propstats)
            .flat_map(|p| &p.props)
            .find_map(|p| match &p.value {
                PropValue::Data(d) => Some(d),
                _ => None,
            })
            .expect("calendar-data");
        // Radicale sends literal CR LF inside the XML; it reaches the caller unchanged.
        assert!(data.data.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(matches!(data.data, std::borrow::Cow::Borrowed(_)));
    }
}

/// Streaming: every prefix of every recorded body, cut at any byte before its last non-blank
/// one, is "need more", never an error; the whole body is complete.
#[test]
fn every_prefix_of_every_recorded_body_is_incomplete() {
    let limits = Limits::default();
    for path in xml_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let request = name.contains("-request");
        let outcome = |input: &[u8]| {
            if request {
                DavRequest::decode(input, &limits).map(|d| d.is_complete())
            } else {
                DavResponse::decode(input, &limits).map(|d| d.is_complete())
            }
        };
        let end = bytes.trim_ascii_end().len();
        for cut in 0..end {
            assert_eq!(
                outcome(&bytes[..cut]),
                Ok(false),
                "{name} cut at {cut} of {}",
                bytes.len()
            );
        }
        assert_eq!(outcome(&bytes), Ok(true), "{name}");
    }
}
