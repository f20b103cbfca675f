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

/// Reads one SMTP reply (all its lines).
fn read_reply(reader: &mut BufReader<TcpStream>) -> String {
    let mut reply = String::new();
    loop {
        let line = read_line(reader);
        let last = line.as_bytes().get(3) != Some(&b'-');
        reply.push_str(&line);
        if last || line.is_empty() {
            return reply;
        }
    }
}

#[test]
fn postfix_starts_and_offers_auth_and_starttls_on_submission() {
    let Some(server) = servers::RealServer::start("postfix") else {
        return;
    };
    for key in [
        "SMTP_PORT",
        "SUBMISSION_PORT",
        "SUBMISSIONS_PORT",
        "IMAP_PORT",
    ] {
        assert!(server.port(key).is_some(), "{key} printed");
    }
    let port = server.port("SUBMISSION_PORT").unwrap();
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to postfix");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let greeting = read_reply(&mut reader);
    assert!(greeting.starts_with("220 "), "greeting: {greeting:?}");
    writer.write_all(b"EHLO client.example.test\r\n").unwrap();
    let ehlo = read_reply(&mut reader);
    assert!(ehlo.starts_with("250-"), "{ehlo:?}");
    assert!(
        ehlo.contains("STARTTLS") && ehlo.contains("AUTH PLAIN"),
        "{ehlo:?}"
    );
    assert!(
        ehlo.contains("CHUNKING") && ehlo.contains("PIPELINING"),
        "{ehlo:?}"
    );
    writer.write_all(b"QUIT\r\n").unwrap();
    assert!(read_reply(&mut reader).starts_with("221"));
}

/// Sends one HTTP/1.1 request and returns the response head.
fn http_head(port: u16, request: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let line = read_line(&mut reader);
        if line == "\r\n" || line.is_empty() {
            return head;
        }
        head.push_str(&line);
    }
}

#[test]
fn radicale_starts_and_requires_authentication() {
    let Some(server) = servers::RealServer::start("radicale") else {
        return;
    };
    let port = server.port("HTTP_PORT").expect("HTTP_PORT printed");
    let head = http_head(
        port,
        "PROPFIND /alice/ HTTP/1.1\r\nHost: 127.0.0.1\r\nDepth: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert!(head.starts_with("HTTP/1."), "{head:?}");
    assert!(
        head.contains(" 401 "),
        "unauthenticated PROPFIND must be refused: {head:?}"
    );
}

#[test]
fn apache_starts_and_announces_dav_class_2() {
    let Some(server) = servers::RealServer::start("apache") else {
        return;
    };
    let port = server.port("HTTP_PORT").expect("HTTP_PORT printed");
    // alice:alice-password, the starter's test account
    let head = http_head(
        port,
        "OPTIONS /dav/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ=\r\nConnection: close\r\n\r\n",
    );
    assert!(head.starts_with("HTTP/1.1 200"), "{head:?}");
    let dav = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("dav:"))
        .unwrap_or_default();
    assert!(
        dav.contains('1') && dav.contains('2'),
        "DAV header: {dav:?}"
    );
}
