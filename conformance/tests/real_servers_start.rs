//! The real-server helper works: Dovecot starts on loopback, greets over 127.0.0.1, logs a
//! test user in, and is gone after the guard drops. Skips (with a message) when Dovecot is
//! not installed; CI installs it.

#[path = "support/servers.rs"]
mod servers;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

fn read_line(reader: &mut BufReader<TcpStream>) -> String {
    let mut line = String::new();
    reader.read_line(&mut line).expect("read from dovecot");
    line
}

#[test]
fn dovecot_starts_greets_and_stops() {
    let Some(server) = servers::RealServer::start("dovecot") else {
        return;
    };
    let port = server.port("IMAP_PORT").expect("IMAP_PORT printed");
    assert!(server.port("IMAPS_PORT").is_some());
    assert!(std::path::Path::new(server.get("CERT").unwrap()).exists());
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to dovecot");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let greeting = read_line(&mut reader);
    assert!(greeting.starts_with("* OK "), "greeting: {greeting:?}");
    assert!(
        greeting.contains("IMAP4rev1") && greeting.ends_with("\r\n"),
        "{greeting:?}"
    );

    let user = server.get("USER1").unwrap();
    let pass = server.get("PASS1").unwrap();
    writer
        .write_all(format!("a1 LOGIN {user} {pass}\r\n").as_bytes())
        .unwrap();
    let mut reply = read_line(&mut reader);
    while reply.starts_with('*') {
        reply = read_line(&mut reader);
    }
    assert!(reply.starts_with("a1 OK"), "login reply: {reply:?}");
    writer.write_all(b"a2 LOGOUT\r\n").unwrap();

    let pid: i32 = server.get("PID").unwrap().parse().unwrap();
    drop(server);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat.rsplit(") ").next().and_then(|s| s.chars().next());
    assert!(
        matches!(state, None | Some('Z') | Some('X')),
        "dovecot {pid} still running: {stat}"
    );
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "port {port} still open"
    );
}

#[test]
fn env_lines_are_parsed() {
    let env = servers::parse_env("PID=12\nIMAP_PORT=1430\nnoise\nlower=x\nCERT=/a=b\n");
    assert_eq!(env.get("PID").map(String::as_str), Some("12"));
    assert_eq!(env.get("IMAP_PORT").map(String::as_str), Some("1430"));
    assert_eq!(env.get("CERT").map(String::as_str), Some("/a=b"));
    assert!(!env.contains_key("lower"));
    assert_eq!(env.len(), 3);
}
