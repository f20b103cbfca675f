//! The TLS probe against a real Dovecot (scripts/servers/dovecot.sh), over implicit TLS (the
//! 993 role) and after IMAP STARTTLS (the 143 role): first with its default configuration,
//! which refuses TLS 1.0 and 1.1, then with a copy configured to accept them
//! (`ssl_min_protocol = TLSv1`, `ssl_cipher_list = DEFAULT:@SECLEVEL=0`). `openssl s_client`
//! cross-checks each verdict when it is installed.
//!
//! Skips with a message when Dovecot is not installed; fails instead under `CI=true`.

#[path = "support/servers.rs"]
mod servers;

use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use groupwire_conformance::tls_probe::{
    ClientHelloBuilder, ProbeOptions, ProbeOutcome, ProbeReport, ProtocolVersion, ServerAnswer,
    StartTls, TlsVersion, probe,
};
use servers::RealServer;

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true")
}

fn start_dovecot() -> Option<RealServer> {
    let server = RealServer::start("dovecot");
    if server.is_none() {
        assert!(!in_ci(), "CI=true: dovecot must be installed for this test");
        eprintln!("skip: dovecot is not installed; TLS probe not run against a real server");
    }
    server
}

/// The two ways into TLS on Dovecot, by port role.
fn endpoints(server: &RealServer) -> [(&'static str, SocketAddr, StartTls); 2] {
    let port = |key| {
        server
            .port(key)
            .unwrap_or_else(|| panic!("{key} not printed"))
    };
    [
        (
            "imaps",
            SocketAddr::from(([127, 0, 0, 1], port("IMAPS_PORT"))),
            StartTls::None,
        ),
        (
            "imap+STARTTLS",
            SocketAddr::from(([127, 0, 0, 1], port("IMAP_PORT"))),
            StartTls::Imap,
        ),
    ]
}

fn run_probe(address: SocketAddr, starttls: &StartTls, version: TlsVersion) -> ProbeReport {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let hello = ClientHelloBuilder::new(version)
        .server_name("localhost")
        .build();
    let options = ProbeOptions {
        starttls: starttls.clone(),
        timeout: Duration::from_secs(10),
    };
    let report = runtime
        .block_on(probe(address, &hello, &options))
        .unwrap_or_else(|error| panic!("probe of {address} with {version}: {error}"));
    let received = report.received_hex();
    eprintln!(
        "  {version}: {} | plaintext {:?} | received {} bytes: {}",
        report.outcome,
        report.plaintext,
        report.received.len(),
        &received[..received.len().min(120)]
    );
    report
}

/// Dovecot speaks TLS 1.3, so below it the ServerHello carries the RFC 8446 §4.1.3
/// downgrade sentinel: `DOWNGRD` 0x01 for TLS 1.2, 0x00 for TLS 1.1 and 1.0.
fn assert_accepts(report: &ProbeReport, version: TlsVersion) {
    assert_eq!(
        report.outcome.accepted_version(),
        Some(version.wire()),
        "{version} must be accepted: {}",
        report.outcome
    );
    let Some(ServerAnswer::ServerHello(hello)) = &report.answer else {
        panic!("no ServerHello kept");
    };
    let sentinel = match version {
        TlsVersion::Tls1_3 => None,
        TlsVersion::Tls1_2 => Some(1),
        _ => Some(0),
    };
    assert_eq!(hello.downgrade_sentinel(), sentinel, "{version}");
}

/// A refusal is an alert or a close, never a ServerHello, and never silence.
fn assert_refuses(report: &ProbeReport, version: TlsVersion) {
    assert!(
        matches!(
            report.outcome,
            ProbeOutcome::Alert { .. } | ProbeOutcome::Closed { .. }
        ),
        "{version} must be refused: {}",
        report.outcome
    );
}

/// What `openssl s_client` negotiates for `flag` (e.g. `-tls1`): `Some("TLSv1")` or `None`
/// when the handshake failed. `None` overall when openssl is missing.
fn openssl_protocol(
    address: SocketAddr,
    starttls: &StartTls,
    flag: &str,
) -> Option<Option<String>> {
    let mut command = Command::new("openssl");
    command
        .args([
            "s_client",
            flag,
            "-cipher",
            "DEFAULT:@SECLEVEL=0",
            "-connect",
        ])
        .arg(address.to_string());
    if *starttls == StartTls::Imap {
        command.args(["-starttls", "imap"]);
    }
    let output = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let negotiated = !text.contains("Cipher is (NONE)") && text.contains("Cipher is ");
    let protocol = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("Protocol  :"))
        .map(|p| p.trim().to_string());
    Some(if negotiated { protocol } else { None })
}

fn cross_check(address: SocketAddr, starttls: &StartTls, flag: &str, expected: Option<&str>) {
    match openssl_protocol(address, starttls, flag) {
        None => eprintln!("  (openssl not available: no cross-check)"),
        Some(got) => {
            eprintln!("  openssl s_client {flag}: {got:?}");
            assert_eq!(got.as_deref(), expected, "openssl {flag} on {address}");
        }
    }
}

/// Stops the script's Dovecot, lets the same configuration accept TLS 1.0/1.1, and starts it
/// again under `setsid`, recording the new pid in DIR/env so the guard's `stop` ends it.
fn restart_accepting_old_tls(server: &RealServer) {
    let dir = server.dir();
    let script = servers::repo_root().join("scripts/servers/dovecot.sh");
    let stopped = Command::new("bash")
        .arg(&script)
        .arg("stop")
        .arg(dir)
        .output()
        .expect("stop");
    assert!(
        stopped.status.success(),
        "stop: {}",
        String::from_utf8_lossy(&stopped.stderr)
    );
    let config = dir.join("dovecot.conf");
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str("\n# tls_probe_dovecot: accept TLS 1.0/1.1 through Dovecot's own settings\n");
    text.push_str("ssl_min_protocol = TLSv1\nssl_cipher_list = DEFAULT:@SECLEVEL=0\n");
    std::fs::write(&config, text).expect("write config");
    let log = std::fs::File::options()
        .create(true)
        .append(true)
        .open(dir.join("dovecot.out"))
        .expect("log");
    let mut child = Command::new("setsid")
        .arg("dovecot")
        .arg("-F")
        .arg("-c")
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("start dovecot");
    let mut env = std::fs::File::options()
        .append(true)
        .open(dir.join("env"))
        .expect("env");
    std::io::Write::write_all(&mut env, format!("PID={}\n", child.id()).as_bytes()).expect("pid");
    // The guard's `stop` ends it; this thread only reaps it then.
    std::thread::spawn(move || child.wait());
    for (_, address, _) in endpoints(server) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(address).is_err() {
            assert!(
                Instant::now() < deadline,
                "dovecot did not come back on {address}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

#[test]
fn dovecot_default_refuses_old_tls_and_the_permissive_copy_accepts_it() {
    let Some(server) = start_dovecot() else {
        return;
    };

    eprintln!("Dovecot, default configuration:");
    for (role, address, starttls) in endpoints(&server) {
        eprintln!(" {role} {address}");
        assert_accepts(
            &run_probe(address, &starttls, TlsVersion::Tls1_3),
            TlsVersion::Tls1_3,
        );
        assert_accepts(
            &run_probe(address, &starttls, TlsVersion::Tls1_2),
            TlsVersion::Tls1_2,
        );
        for version in [TlsVersion::Tls1_1, TlsVersion::Tls1_0, TlsVersion::Ssl3_0] {
            assert_refuses(&run_probe(address, &starttls, version), version);
        }
        cross_check(address, &starttls, "-tls1", None);
        cross_check(address, &starttls, "-tls1_2", Some("TLSv1.2"));
    }

    restart_accepting_old_tls(&server);
    eprintln!("Dovecot with ssl_min_protocol = TLSv1 and SECLEVEL=0:");
    for (role, address, starttls) in endpoints(&server) {
        eprintln!(" {role} {address}");
        for version in [TlsVersion::Tls1_0, TlsVersion::Tls1_1, TlsVersion::Tls1_2] {
            let report = run_probe(address, &starttls, version);
            assert_accepts(&report, version);
            if version < TlsVersion::Tls1_2 {
                // The legacy offer is all CBC-SHA (and 3DES); the server picked one of them.
                match report.outcome {
                    ProbeOutcome::Accepted { cipher_suite, .. } => assert!(
                        ClientHelloBuilder::new(version)
                            .build()
                            .windows(2)
                            .any(|w| w == cipher_suite.to_be_bytes()),
                        "suite {cipher_suite:04x} was offered"
                    ),
                    _ => unreachable!("accepted above"),
                }
            }
        }
        // Debian's OpenSSL 3 is built without SSL 3.0: no configuration brings it back.
        assert_refuses(
            &run_probe(address, &starttls, TlsVersion::Ssl3_0),
            TlsVersion::Ssl3_0,
        );
        cross_check(address, &starttls, "-tls1", Some("TLSv1"));
        cross_check(address, &starttls, "-tls1_1", Some("TLSv1.1"));
    }
    assert_eq!(TlsVersion::Tls1_0.wire(), ProtocolVersion(0x0301));
}
