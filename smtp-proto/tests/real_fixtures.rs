//! Traffic recorded from Postfix and real clients (swaks, curl, python smtplib) in
//! `tests/fixtures/real/` decodes end to end in both directions.

use std::path::PathBuf;

use groupwire_smtp::command::parse_command_line;
use groupwire_smtp::{
    AuthResponse, ClientItem, Command, Decoded, Encode, Limits, Mechanism, ReplyDecoder,
    ServerDecoder, decode_command,
};

fn sessions() -> Vec<PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| path.extension().is_some_and(|ext| ext == "client"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The reply codes of a server stream.
fn reply_codes(stream: &[u8]) -> Vec<u16> {
    let mut decoder = ReplyDecoder::new(Limits::default());
    let mut rest = stream;
    let mut codes = Vec::new();
    while !rest.is_empty() {
        let (reply, used) = decoder
            .decode(rest)
            .unwrap()
            .complete()
            .unwrap_or_else(|| panic!("incomplete reply: {:?}", String::from_utf8_lossy(rest)));
        codes.push(reply.code().get());
        rest = &rest[used..];
    }
    codes
}

/// Decodes a client stream as the server did (DATA accepted as often as it answered 354),
/// returning (commands, auth lines, messages, chunks).
fn client_counts(stream: &[u8], mut accepted_data: usize) -> (usize, usize, usize, usize) {
    let limits = Limits::default();
    let mut decoder = ServerDecoder::new(limits);
    let mut rest = stream;
    let (mut commands, mut auth, mut messages, mut chunks) = (0, 0, 0, 0);
    let mut in_auth = false;
    while !rest.is_empty() {
        if in_auth {
            let line = rest.split(|&b| b == b'\n').next().unwrap_or_default();
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            match parse_command_line(line, &limits) {
                Ok(Command::Unknown { .. }) | Err(_) => decoder.expect_auth_response(),
                Ok(_) => in_auth = false,
            }
        }
        let (item, used) = match decoder.decode(rest) {
            Ok(Decoded::Complete { value, consumed }) => (value, consumed),
            other => panic!(
                "stuck at {:?}: {other:?}",
                String::from_utf8_lossy(&rest[..rest.len().min(80)])
            ),
        };
        rest = &rest[used..];
        match item {
            ClientItem::Command(command) => {
                commands += 1;
                let wire = command.to_vec();
                let (again, _) = decode_command(&wire, &limits).unwrap().complete().unwrap();
                assert_eq!(again, command);
                match command {
                    Command::Data if accepted_data > 0 => {
                        accepted_data -= 1;
                        decoder.expect_data();
                    }
                    Command::Auth {
                        mechanism: Mechanism::Plain,
                        initial_response: Some(_),
                    } => {}
                    Command::Auth { .. } => in_auth = true,
                    _ => in_auth = false,
                }
            }
            ClientItem::AuthResponse(response) => {
                auth += 1;
                in_auth = response != AuthResponse::Cancel;
            }
            ClientItem::MessageEnd => messages += 1,
            ClientItem::ChunkData {
                chunk_complete: true,
                ..
            } => chunks += 1,
            ClientItem::MessageData(_) | ClientItem::ChunkData { .. } => {}
            ClientItem::Malformed { line, error } => {
                panic!("malformed {:?}: {error}", String::from_utf8_lossy(line))
            }
            other => panic!("refused: {other:?}"),
        }
    }
    (commands, auth, messages, chunks)
}

#[test]
fn every_recorded_session_decodes() {
    let files = sessions();
    assert!(files.len() >= 10, "only {} recorded sessions", files.len());
    for client_file in files {
        let name = client_file
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let client = std::fs::read(&client_file).unwrap();
        let server = std::fs::read(client_file.with_extension("server")).unwrap();
        let codes = reply_codes(&server);
        assert_eq!(codes.first(), Some(&220), "{name}: greeting");
        let accepted = codes.iter().filter(|&&code| code == 354).count();
        let (commands, auth, messages, chunks) = client_counts(&client, accepted);
        assert!(commands >= 2, "{name}");
        assert_eq!(messages, accepted, "{name}: every accepted DATA ends");
        if name.contains("auth-login") {
            assert_eq!(auth, 2, "{name}: user and password lines");
        }
        if name.contains("bdat") {
            assert!(chunks >= 1, "{name}");
        }
    }
}
