//! The starters' two configurations and their test CA do what the interoperability matrix
//! says they do: hardened Dovecot (HARDENED=1, on 127.0.0.2) advertises LOGINDISABLED and
//! refuses LOGIN before TLS where the default one accepts it; hardened Postfix hides AUTH and
//! refuses MAIL until STARTTLS on submission; every server certificate chains to the one CERT.
//! Skips (with a message) when the servers are not installed.

#[path = "support/servers.rs"]
mod servers;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use servers::RealServer;

fn connect(host: &str, port: u16) -> (TcpStream, BufReader<TcpStream>) {
    let stream = TcpStream::connect((host, port)).unwrap_or_else(|e| panic!("{host}:{port}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let reader = BufReader::new(stream.try_clone().unwrap());
    (stream, reader)
}

fn line(reader: &mut BufReader<TcpStream>) -> String {
    let mut line = String::new();
    reader.read_line(&mut line).expect("read");
    line
}

/// The IMAP greeting, and the tagged reply (with untagged lines before it) to a plaintext LOGIN.
fn greeting_and_login(server: &RealServer) -> (String, String) {
    let host = server.get("HOST").unwrap().to_owned();
    let (mut writer, mut reader) = connect(&host, server.port("IMAP_PORT").unwrap());
    let greeting = line(&mut reader);
    writer
        .write_all(b"a1 LOGIN alice alice-password\r\n")
        .unwrap();
    let mut reply = String::new();
    loop {
        let next = line(&mut reader);
        reply.push_str(&next);
        if next.starts_with("a1 ") || next.is_empty() {
            break;
        }
    }
    let _ = writer.write_all(b"a2 LOGOUT\r\n");
    (greeting, reply)
}

/// `openssl verify -CAfile ca cert` succeeds.
fn chains_to(cert: &str, ca: &str) -> bool {
    Command::new("openssl")
        .args(["verify", "-CAfile", ca, cert])
        .output()
        .is_ok_and(|output| output.status.success())
}

#[test]
fn hardened_dovecot_refuses_plaintext_login_where_the_default_accepts_it() {
    let Some(default) = RealServer::start_with("dovecot", &[("HARDENED", "0")]) else {
        return;
    };
    let Some(hardened) = RealServer::start_with("dovecot", &[("HARDENED", "1")]) else {
        return;
    };
    assert_eq!(default.get("HOST"), Some("127.0.0.1"));
    assert_eq!(hardened.get("HOST"), Some("127.0.0.2"));
    assert_eq!(hardened.get("HARDENED"), Some("1"));

    let (greeting, login) = greeting_and_login(&default);
    assert!(!greeting.contains("LOGINDISABLED"), "{greeting:?}");
    assert!(login.contains("a1 OK"), "default accepts LOGIN: {login:?}");

    let (greeting, login) = greeting_and_login(&hardened);
    assert!(greeting.contains("LOGINDISABLED"), "{greeting:?}");
    assert!(
        login.contains("a1 NO [PRIVACYREQUIRED]"),
        "hardened refuses LOGIN before TLS: {login:?}"
    );

    for server in [&default, &hardened] {
        let (ca, cert) = (
            server.get("CERT").unwrap(),
            server.get("SERVER_CERT").unwrap(),
        );
        assert_ne!(ca, cert);
        assert!(chains_to(cert, ca), "{cert} does not chain to {ca}");
        let text = Command::new("openssl")
            .args(["x509", "-noout", "-text", "-in", cert])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains("CA:FALSE"), "{text}");
        assert!(
            text.contains("IP Address:127.0.0.1") && text.contains("IP Address:127.0.0.2"),
            "{text}"
        );
    }
    // Two servers, two CAs: neither trusts the other's certificate.
    assert!(!chains_to(
        hardened.get("SERVER_CERT").unwrap(),
        default.get("CERT").unwrap()
    ));
}

/// Reads one SMTP reply (all its lines).
fn reply(reader: &mut BufReader<TcpStream>) -> String {
    let mut reply = String::new();
    loop {
        let next = line(reader);
        reply.push_str(&next);
        if next.as_bytes().get(3) != Some(&b'-') || next.is_empty() {
            return reply;
        }
    }
}

fn submission_before_tls(server: &RealServer) -> (String, String) {
    let (mut writer, mut reader) = connect("127.0.0.1", server.port("SUBMISSION_PORT").unwrap());
    let greeting = reply(&mut reader);
    assert!(greeting.starts_with("220 "), "{greeting:?}");
    writer.write_all(b"EHLO client.example.test\r\n").unwrap();
    let ehlo = reply(&mut reader);
    writer
        .write_all(b"MAIL FROM:<alice@example.test>\r\n")
        .unwrap();
    let mail = reply(&mut reader);
    let _ = writer.write_all(b"QUIT\r\n");
    (ehlo, mail)
}

/// One function for every Postfix start: Postfix is one system-wide instance.
#[test]
fn hardened_postfix_requires_tls_before_auth_and_mail_and_shares_dovecots_ca() {
    for hardened in ["0", "1"] {
        let Some(server) = RealServer::start_with("postfix", &[("HARDENED", hardened)]) else {
            return;
        };
        let (ehlo, mail) = submission_before_tls(&server);
        assert!(ehlo.contains("STARTTLS"), "{ehlo:?}");
        if hardened == "1" {
            assert!(!ehlo.contains("AUTH"), "AUTH hidden before TLS: {ehlo:?}");
            assert!(!ehlo.contains("VRFY"), "{ehlo:?}");
            assert!(mail.starts_with("530 "), "STARTTLS first: {mail:?}");
            assert_eq!(server.get("IMAP_HOST"), Some("127.0.0.2"));
        } else {
            assert!(ehlo.contains("AUTH PLAIN"), "{ehlo:?}");
            assert!(mail.starts_with("250 "), "{mail:?}");
            assert_eq!(server.get("IMAP_HOST"), Some("127.0.0.1"));
        }
        // Postfix and its Dovecot: one trust anchor for the deployment.
        let ca = server.get("CERT").unwrap();
        let dovecot_cert = format!("{}/tls/cert.pem", server.get("DOVECOT_DIR").unwrap());
        assert!(chains_to(server.get("SERVER_CERT").unwrap(), ca));
        assert!(chains_to(&dovecot_cert, ca), "{dovecot_cert} vs {ca}");
    }
}
