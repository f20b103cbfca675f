//! `groupwire proxy` on the command line: the fault list, usage errors, and a running proxy
//! that prints its URL and relays a greeting.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};

use groupwire_conformance::proxy::FAULTS;

fn groupwire() -> Command {
    Command::new(env!("CARGO_BIN_EXE_groupwire"))
}

#[test]
fn list_faults_names_every_fault() {
    let output = groupwire()
        .args(["proxy", "--list-faults"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for (name, _) in FAULTS {
        assert!(
            text.lines().any(|line| line.starts_with(name)),
            "{name} missing from:\n{text}"
        );
    }
}

#[test]
fn an_unknown_fault_or_upstream_is_a_usage_error() {
    for args in [
        [
            "proxy",
            "--fault",
            "accept-everything",
            "imap://127.0.0.1:1",
        ],
        ["proxy", "--fault", "none", "http://127.0.0.1:1"],
        [
            "proxy",
            "--fault",
            "strip-response-code",
            "imap://127.0.0.1:1",
        ],
    ] {
        let output = groupwire().args(args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(groupwire_conformance::exit::USAGE as i32),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn a_running_proxy_prints_its_url_writes_its_ca_and_relays() {
    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = upstream.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = upstream.accept().unwrap();
        stream.write_all(b"* OK hello from upstream\r\n").unwrap();
        let mut line = [0u8; 64];
        let n = stream.read(&mut line).unwrap();
        stream.write_all(b"* BYE\r\na1 OK bye\r\n").unwrap();
        line[..n].to_vec()
    });
    let dir = std::env::temp_dir().join(format!("groupwire-proxy-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    let mut child = groupwire()
        .args([
            "proxy",
            "--fault",
            "none",
            "--upstream-insecure",
            "--ca-out",
        ])
        .arg(&ca)
        .arg(format!("imap://127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first.trim().strip_prefix("PROXY_URL=").unwrap().to_owned();
    let address = url.strip_prefix("imap://").unwrap();
    let mut client = std::net::TcpStream::connect(address).unwrap();
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut greeting = String::new();
    reader.read_line(&mut greeting).unwrap();
    client.write_all(b"a1 LOGOUT\r\n").unwrap();
    let received = server.join().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(greeting, "* OK hello from upstream\r\n");
    assert_eq!(received, b"a1 LOGOUT\r\n");
    let pem = std::fs::read_to_string(&ca).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    let _ = std::fs::remove_dir_all(&dir);
}
