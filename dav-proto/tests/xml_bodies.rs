//! Body decoding behaviour: namespaces resolved by URI (never by prefix), CR LF in
//! calendar-data, prefixes of a body are incomplete, hostile input refused without panics.

use std::borrow::Cow;

use groupwire_dav::body::*;
use groupwire_dav::xml::{CalDav, Dav, Name};
use groupwire_dav::{
    DavRequest, DavResponse, DecodeError, Decoded, ErrorKind, Expected, Limit, Limits,
};

fn req(bytes: &[u8]) -> Result<Decoded<DavRequest<'_>>, DecodeError> {
    DavRequest::decode(bytes, &Limits::default())
}

fn resp(bytes: &[u8]) -> Result<Decoded<DavResponse<'_>>, DecodeError> {
    DavResponse::decode(bytes, &Limits::default())
}

fn complete<T>(d: Result<Decoded<T>, DecodeError>) -> T {
    match d {
        Ok(Decoded::Complete { value, .. }) => value,
        other => panic!("not complete: {:?}", other.map(|d| d.is_complete())),
    }
}

#[test]
fn names_match_on_namespace_not_prefix() {
    let forms: [&[u8]; 4] = [
        b"<D:propfind xmlns:D=\"DAV:\"><D:prop><D:getetag/></D:prop></D:propfind>",
        b"<propfind xmlns=\"DAV:\"><prop><getetag/></prop></propfind>",
        b"<x:propfind xmlns:x=\"DAV:\"><y:prop xmlns:y=\"DAV:\"><getetag xmlns=\"DAV:\"/></y:prop></x:propfind>",
        b"<D:propfind xmlns:D=\"DAV:\"><D:prop xmlns:D=\"DAV:\"><D:getetag/></D:prop></D:propfind>",
    ];
    for form in forms {
        let value = complete(req(form));
        assert_eq!(
            value,
            DavRequest::Propfind(PropfindRequest {
                selection: Propfind::Prop(vec![RequestedProp::Name(Name::Dav(Dav::GetEtag))])
            }),
            "{}",
            String::from_utf8_lossy(form)
        );
    }
}

#[test]
fn same_prefix_bound_elsewhere_is_not_dav() {
    // D is bound to another namespace: this is not a DAV propfind.
    let value = complete(req(
        b"<D:propfind xmlns:D=\"urn:other\"><D:prop/></D:propfind>",
    ));
    assert!(
        matches!(&value, DavRequest::Other { name, .. } if name.namespace() == "urn:other"),
        "{value:?}"
    );
}

#[test]
fn empty_default_namespace_means_no_namespace() {
    let body = b"<propfind xmlns=\"DAV:\"><prop><getetag/><x xmlns=\"\"/></prop></propfind>";
    let DavRequest::Propfind(p) = complete(req(body)) else {
        panic!()
    };
    assert_eq!(
        p.selection,
        Propfind::Prop(vec![
            RequestedProp::Name(Name::Dav(Dav::GetEtag)),
            RequestedProp::Name(Name::new("", "x")),
        ])
    );
}

#[test]
fn undeclared_prefix_is_an_error() {
    let err = req(b"<D:propfind><D:prop/></D:propfind>").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Expected(Expected::DeclaredNamespace));
}

#[test]
fn unknown_property_round_trips_with_its_namespaces_and_mixed_content() {
    let body = "<D:propertyupdate xmlns:D=\"DAV:\" xmlns:Z=\"urn:z\" xmlns=\"urn:default\">\
        <D:set><D:prop><Z:note xml:lang=\"en\">Some <b>bold</b> &amp; <Z:i a=\"1\">mixed</Z:i> text<!-- kept --></Z:note></D:prop></D:set>\
        </D:propertyupdate>";
    let DavRequest::PropertyUpdate(update) = complete(req(body.as_bytes())) else {
        panic!()
    };
    let PropertyUpdateItem::Set(props) = &update.items[0] else {
        panic!()
    };
    let PropValue::Raw(raw) = &props[0].value else {
        panic!()
    };
    assert_eq!(
        raw.content,
        "Some <b>bold</b> &amp; <Z:i a=\"1\">mixed</Z:i> text<!-- kept -->"
    );
    assert!(
        matches!(raw.content, Cow::Borrowed(_)),
        "raw content borrows"
    );
    assert_eq!(
        raw.namespaces,
        vec![
            (Cow::Borrowed(""), Cow::Borrowed("urn:default")),
            (Cow::Borrowed("Z"), Cow::Borrowed("urn:z")),
        ]
    );
    let encoded = DavRequest::PropertyUpdate(update.clone()).to_vec();
    let again = complete(req(&encoded));
    assert_eq!(again, DavRequest::PropertyUpdate(update));
}

#[test]
fn crlf_in_calendar_data_survives_decode_and_encode() {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n";
    // Literal CR LF in the body is kept as-is (not normalised to LF) ...
    let body = format!(
        "<D:multistatus xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:response>\
         <D:href>/a.ics</D:href><D:propstat><D:prop><C:calendar-data>{ics}</C:calendar-data>\
         </D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"
    );
    let DavResponse::Multistatus(ms) = complete(resp(body.as_bytes())) else {
        panic!()
    };
    let data = &ms.responses[0].propstats[0].props[0];
    assert_eq!(data.name, Name::CalDav(CalDav::CalendarData));
    let PropValue::Data(d) = &data.value else {
        panic!()
    };
    assert_eq!(d.data, ics);
    assert!(matches!(d.data, Cow::Borrowed(_)));
    // ... and the encoder writes CR as a character reference, which any XML parser keeps.
    let encoded = DavResponse::Multistatus(ms.clone()).to_vec();
    let text = String::from_utf8(encoded.clone()).unwrap();
    assert!(
        text.contains("BEGIN:VCALENDAR&#13;\nVERSION:2.0&#13;\n"),
        "{text}"
    );
    assert!(!text.contains('\r'));
    assert_eq!(complete(resp(&encoded)), DavResponse::Multistatus(ms));
    // Character references for CR decode to CR.
    let body = body.replace("\r\n", "&#13;&#10;");
    let DavResponse::Multistatus(ms) = complete(resp(body.as_bytes())) else {
        panic!()
    };
    assert_eq!(
        ms.responses[0].propstats[0].props[0].value,
        PropValue::Data(DataValue {
            content_type: None,
            version: None,
            data: ics.into()
        })
    );
}

#[test]
fn entities_and_cdata_in_text() {
    let body =
        b"<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>/a%20b?x=1&amp;y=&#50;</D:href>\
        <D:status>HTTP/1.1 200 OK</D:status></D:response>\
        <D:responsedescription><![CDATA[<raw> & stuff]]></D:responsedescription></D:multistatus>";
    let DavResponse::Multistatus(ms) = complete(resp(body)) else {
        panic!()
    };
    assert_eq!(ms.responses[0].hrefs[0].as_str(), "/a%20b?x=1&y=2");
    assert_eq!(ms.description.as_deref(), Some("<raw> & stuff"));
}

#[test]
fn every_prefix_of_a_body_is_incomplete() {
    let body = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/rfc/rfc4791-7.8.1-1-response.xml"),
    )
    .unwrap();
    let end = body.trim_ascii_end().len();
    for cut in 0..end {
        match resp(&body[..cut]) {
            Ok(Decoded::Incomplete { .. }) => {}
            other => panic!(
                "prefix of {cut} bytes: {other:?}\n{}",
                String::from_utf8_lossy(&body[..cut])
            ),
        }
    }
    for cut in end..=body.len() {
        match resp(&body[..cut]) {
            Ok(Decoded::Complete { consumed, .. }) => assert_eq!(consumed, cut),
            other => panic!("{cut}: {other:?}"),
        }
    }
}

#[test]
fn every_prefix_of_every_request_fixture_is_incomplete_or_complete() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rfc");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with("-request.xml") {
            continue;
        }
        let body = std::fs::read(&path).unwrap();
        let end = body.trim_ascii_end().len();
        for cut in 0..end {
            assert!(
                matches!(req(&body[..cut]), Ok(Decoded::Incomplete { .. })),
                "{name} cut at {cut}: {:?}",
                req(&body[..cut]).map(|d| d.is_complete())
            );
        }
    }
}

#[test]
fn billion_laughs_is_refused() {
    let body = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&lol3;</D:displayname></D:prop></D:propfind>"#;
    let err = req(body).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Expected(Expected::NoDoctype));
}

#[test]
fn external_entity_is_refused() {
    let body = br#"<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>&xxe;</D:displayname></D:prop></D:set></D:propertyupdate>"#;
    let err = req(body).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Expected(Expected::NoDoctype));
    // Without the DOCTYPE the entity is simply unknown.
    let body = br#"<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>&xxe;</D:displayname></D:prop></D:set></D:propertyupdate>"#;
    let err = req(body).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Expected(Expected::KnownEntity));
}

#[test]
fn deep_nesting_hits_the_depth_limit() {
    let depth = 10_000;
    let mut body =
        String::from("<D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop><x:p xmlns:x=\"urn:x\">");
    body.push_str(&"<a>".repeat(depth));
    body.push_str(&"</a>".repeat(depth));
    body.push_str("</x:p></D:prop></D:set></D:propertyupdate>");
    let err = req(body.as_bytes()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded(Limit::NestingDepth));
    // Raising the limit accepts it.
    let mut limits = Limits::default();
    limits.max_nesting_depth = depth + 10;
    assert!(
        DavRequest::decode(body.as_bytes(), &limits)
            .unwrap()
            .is_complete()
    );
}

#[test]
fn huge_body_and_long_lists_hit_their_limits() {
    let mut body = String::from("<D:multistatus xmlns:D=\"DAV:\">");
    for i in 0..50 {
        body.push_str(&format!(
            "<D:response><D:href>/{i}</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>"
        ));
    }
    body.push_str("</D:multistatus>");
    let mut small = Limits::default();
    small.max_body_size = 100;
    let err = DavResponse::decode(body.as_bytes(), &small).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded(Limit::BodySize));
    let mut short = Limits::default();
    short.max_list_length = 10;
    let err = DavResponse::decode(body.as_bytes(), &short).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded(Limit::ListLength));
    assert!(resp(body.as_bytes()).unwrap().is_complete());
}

#[test]
fn invalid_utf8_is_an_error_with_its_offset() {
    let mut body =
        b"<D:propfind xmlns:D=\"DAV:\"><D:prop><D:displayname/></D:prop></D:propfind>".to_vec();
    body[30] = 0xff;
    let err = req(&body).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Expected(Expected::Utf8));
    assert_eq!(err.offset(), 30);
    // A multi-byte character cut by the end of input is just incomplete.
    let body = "<D:displayname xmlns:D=\"DAV:\">é".as_bytes();
    assert!(matches!(
        req(&body[..body.len() - 1]),
        Ok(Decoded::Incomplete { .. })
    ));
}

#[test]
fn malformed_xml_is_an_error_not_a_panic() {
    let cases: [&[u8]; 7] = [
        b"<D:propfind xmlns:D=\"DAV:\"></D:prop>",
        b"<D:propfind xmlns:D=\"DAV:\"/>trailing",
        b"text before",
        b"<D:multistatus xmlns:D=\"DAV:\"><D:response></D:response></D:multistatus>",
        b"<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope/></D:lockinfo>",
        b"<D:sync-collection xmlns:D=\"DAV:\"><D:sync-token/><D:sync-level>2</D:sync-level></D:sync-collection>",
        b"<C:calendar-query xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><C:filter><C:comp-filter/></C:filter></C:calendar-query>",
    ];
    for case in cases {
        let r = req(case);
        let s = resp(case);
        assert!(
            r.is_err() || s.is_err(),
            "{}: {r:?} {s:?}",
            String::from_utf8_lossy(case)
        );
    }
}

#[test]
fn into_owned_outlives_the_buffer() {
    let owned = {
        let body =
            b"<D:propfind xmlns:D=\"DAV:\"><D:prop><x:y xmlns:x=\"urn:x\"/></D:prop></D:propfind>"
                .to_vec();
        complete(req(&body)).into_owned()
    };
    let DavRequest::Propfind(p) = owned else {
        panic!()
    };
    assert_eq!(
        p.selection,
        Propfind::Prop(vec![RequestedProp::Name(Name::new("urn:x", "y"))])
    );
}

#[test]
fn raw_content_prefix_declared_by_a_sibling_still_needs_the_outer_binding() {
    let body = b"<D:propertyupdate xmlns:D=\"DAV:\" xmlns:a=\"urn:1\"><D:set><D:prop>\
        <a:p><b xmlns:a=\"urn:2\"><a:in/></b><a:x/></a:p></D:prop></D:set></D:propertyupdate>";
    let DavRequest::PropertyUpdate(update) = complete(req(body)) else {
        panic!()
    };
    let PropertyUpdateItem::Set(props) = &update.items[0] else {
        panic!()
    };
    let PropValue::Raw(raw) = &props[0].value else {
        panic!()
    };
    assert_eq!(
        raw.namespaces,
        vec![(Cow::Borrowed("a"), Cow::Borrowed("urn:1"))]
    );
    let again = DavRequest::PropertyUpdate(update.clone()).to_vec();
    assert_eq!(complete(req(&again)), DavRequest::PropertyUpdate(update));
}

#[test]
fn namespace_uris_are_unescaped() {
    let body = b"<x:a xmlns:x=\"urn:a&amp;b&#10;\"><x:b/></x:a>";
    let DavRequest::Other { name, content } = complete(req(body)) else {
        panic!()
    };
    assert_eq!(name.namespace(), "urn:a&b\n");
    assert_eq!(content.namespaces[0].1, "urn:a&b\n");
    let value = DavRequest::Other { name, content };
    assert_eq!(complete(req(&value.to_vec())), value);
}

#[test]
fn element_names_must_be_xml_names() {
    // Found by fuzzing: quick-xml reads `< :x/>` as an element with an empty name.
    for body in [
        &b"<D:prop xmlns:D=\"DAV:\">< :Ccalendar-data/></D:prop>"[..],
        b"<D:prop xmlns:D=\"DAV:\"><1a/></D:prop>",
    ] {
        let err = resp(body).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Expected(Expected::WellFormedXml));
    }
}

#[test]
fn byte_order_mark_and_fuzz_finds() {
    // Found by fuzzing: a UTF-8 BOM shifted every position by three bytes, so raw content
    // was cut in the wrong place.
    let body = "\u{feff}<?xml version=\"1.0\"?><x:q xmlns:x=\"urn:x\"><x:a>t</x:a></x:q>";
    let DavRequest::Other { content, .. } = complete(req(body.as_bytes())) else {
        panic!()
    };
    assert_eq!(content.content, "<x:a>t</x:a>");
    let body = "\u{feff}<D:propfind xmlns:D=\"DAV:\"><D:propname/></D:propfind>";
    assert_eq!(
        complete(req(body.as_bytes())),
        DavRequest::Propfind(PropfindRequest {
            selection: Propfind::PropName
        })
    );
    for crash in ["crash-bom-request.xml", "crash-bom-response.xml"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/fuzz")
            .join(crash);
        let bytes = std::fs::read(&path).unwrap();
        for value in [
            req(&bytes)
                .ok()
                .and_then(|d| d.complete())
                .map(|(v, _)| v.to_vec()),
            resp(&bytes)
                .ok()
                .and_then(|d| d.complete())
                .map(|(v, _)| v.to_vec()),
        ]
        .into_iter()
        .flatten()
        {
            assert!(req(&value).is_ok() || resp(&value).is_ok(), "{crash}");
        }
        if let Ok(Decoded::Complete { value, .. }) = req(&bytes) {
            assert_eq!(complete(req(&value.to_vec())), value, "{crash}");
        }
        if let Ok(Decoded::Complete { value, .. }) = resp(&bytes) {
            assert_eq!(complete(resp(&value.to_vec())), value, "{crash}");
        }
    }
}

/// Character references are resolved from their digits (decimal and lower-case `x` hex, as
/// XML 1.0 §4.1 writes them); anything else, a sign, NUL or a surrogate, is refused as an
/// unknown entity, like a named entity XML does not predefine.
#[test]
fn character_references_resolve_or_are_refused() {
    let calendar_data = |content: &str| {
        let body = format!(
            "<D:multistatus xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:response>\
             <D:href>/a.ics</D:href><D:propstat><D:prop><C:calendar-data>{content}</C:calendar-data>\
             </D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"
        );
        resp(body.as_bytes()).map(|decoded| {
            let DavResponse::Multistatus(ms) = decoded.complete().unwrap().0 else {
                panic!("not a multistatus")
            };
            let PropValue::Data(data) = &ms.responses[0].propstats[0].props[0].value else {
                panic!("not calendar data")
            };
            data.data.to_string()
        })
    };
    assert_eq!(
        calendar_data("a&#13;&#10;b&#x41;&#x1F600;&lt;&amp;&gt;&apos;&quot;&#0065;").unwrap(),
        "a\r\nbA\u{1F600}<&>'\"A"
    );
    for bad in [
        "&#0;",
        "&#+13;",
        "&#X41;",
        "&#xD800;",
        "&#;",
        "&#x;",
        "&#1114112;",
        "&nbsp;",
    ] {
        let err = calendar_data(bad).unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::Expected(Expected::KnownEntity),
            "{bad}"
        );
    }
}
