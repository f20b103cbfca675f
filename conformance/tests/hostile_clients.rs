//! The reference servers against hostile clients: `groupwire serve` runs as a process of its
//! own (so its peak RSS, VmHWM from /proc, and its CPU time are its alone) with short timers
//! where a test needs them, and each attack asserts a bound on time and memory and that a
//! normal client is served meanwhile.
//!
//! Attacks: file-descriptor exhaustion under `ulimit -n 64`, 1,000 slowloris connections,
//! literals before authentication, APPEND literals over APPENDLIMIT (synchronising and
//! LITERAL+), 100,000 pipelined commands, the connection cap, the pre-authentication,
//! autologout and SMTP command timers, per-connection buffer accounting, a non-base64
//! AUTHENTICATE answer, and SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use groupwire_conformance::engine::{TlsTrust, client_config};

/// A `groupwire serve` process; killed when dropped.
struct Serve {
    child: Child,
    pid: u32,
    imap: SocketAddr,
    imaps: SocketAddr,
    smtp: SocketAddr,
    ca: PathBuf,
    stderr: PathBuf,
    // Kept open so the server's last lines never meet a closed pipe.
    _stdout: BufReader<ChildStdout>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.stderr);
        let _ = std::fs::remove_file(&self.ca);
    }
}

fn address(line: &str) -> SocketAddr {
    let url = line.split_whitespace().nth(1).unwrap();
    url.split_once("://").unwrap().1.parse().unwrap()
}

/// Starts `groupwire serve ARGS`, under `ulimit -n` when given.
fn serve(args: &[&str], nofile: Option<u32>) -> Serve {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let stderr = std::env::temp_dir().join(format!(
        "gw-hostile-clients-{}-{}.err",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let binary = env!("CARGO_BIN_EXE_groupwire");
    let mut command = match nofile {
        Some(limit) => {
            let mut command = Command::new("sh");
            command
                .arg("-c")
                .arg(format!("ulimit -n {limit} && exec \"$0\" serve \"$@\""))
                .arg(binary);
            command
        }
        None => {
            let mut command = Command::new(binary);
            command.arg("serve");
            command
        }
    };
    let mut child = command
        .args(args)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let (mut imap, mut imaps, mut smtp, mut ca) = (None, None, None, None);
    let mut line = String::new();
    while stdout.read_line(&mut line).unwrap() > 0 {
        let trimmed = line.trim();
        if trimmed.starts_with("IMAP:") {
            imap = Some(address(trimmed));
        } else if trimmed.starts_with("IMAPS:") {
            imaps = Some(address(trimmed));
        } else if trimmed.starts_with("Submission:") {
            smtp = Some(address(trimmed));
        } else if let Some(path) = trimmed.strip_prefix("CA file:") {
            ca = Some(PathBuf::from(path.trim()));
        } else if trimmed.starts_with("try:") {
            break;
        }
        line.clear();
    }
    Serve {
        child,
        pid,
        imap: imap.expect("IMAP address"),
        imaps: imaps.unwrap(),
        smtp: smtp.unwrap(),
        ca: ca.unwrap(),
        stderr,
        _stdout: stdout,
    }
}

impl Serve {
    /// Peak resident set size so far, in KiB.
    fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    /// User plus system CPU time so far.
    fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).unwrap();
        let after = stat.rsplit_once(')').unwrap().1;
        let fields: Vec<&str> = after.split_whitespace().collect();
        // After the command name: state is field 3, utime 14 and stime 15 (1-based).
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        // USER_HZ is 100 on Linux.
        Duration::from_millis(ticks * 10)
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// A TLS connection to the IMAPS port, greeting read.
    fn imaps_client(&self) -> Client {
        let config = client_config(&TlsTrust::CaFile {
            path: self.ca.clone(),
        })
        .unwrap();
        let mut client = Client::tls(self.imaps, config);
        client.expect("* OK", Duration::from_secs(5));
        client
    }

    /// A TLS connection to the IMAPS port, logged in as alice.
    fn logged_in(&self) -> Client {
        let mut client = self.imaps_client();
        client.send(b"l LOGIN alice@example.test alice-secret-1\r\n");
        client.expect("l OK", Duration::from_secs(5));
        client
    }
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

/// A blocking test client that reads until it sees what it expects.
struct Client {
    stream: Stream,
    seen: Vec<u8>,
}

impl Client {
    fn plain(address: SocketAddr) -> Client {
        let tcp = TcpStream::connect(address).unwrap();
        tcp.set_nodelay(true).unwrap();
        Client {
            stream: Stream::Plain(tcp),
            seen: Vec::new(),
        }
    }

    fn tls(address: SocketAddr, config: Arc<rustls::ClientConfig>) -> Client {
        let tcp = TcpStream::connect(address).unwrap();
        tcp.set_nodelay(true).unwrap();
        let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
        let connection = rustls::ClientConnection::new(config, name).unwrap();
        Client {
            stream: Stream::Tls(Box::new(rustls::StreamOwned::new(connection, tcp))),
            seen: Vec::new(),
        }
    }

    fn tcp(&self) -> &TcpStream {
        match &self.stream {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(tls) => tls.get_ref(),
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        let result = match &mut self.stream {
            Stream::Plain(tcp) => tcp.write_all(bytes),
            Stream::Tls(tls) => tls.write_all(bytes).and_then(|()| tls.flush()),
        };
        result.unwrap();
    }

    /// Sends, tolerating a server that already closed (it may, after refusing).
    fn try_send(&mut self, bytes: &[u8]) -> bool {
        let result = match &mut self.stream {
            Stream::Plain(tcp) => tcp.write_all(bytes),
            Stream::Tls(tls) => tls.write_all(bytes).and_then(|()| tls.flush()),
        };
        result.is_ok()
    }

    /// Reads once (bounded by `within`); 0 at end of stream or on error.
    fn read_some(&mut self, within: Duration) -> usize {
        self.tcp()
            .set_read_timeout(Some(within.max(Duration::from_millis(1))))
            .unwrap();
        let mut buf = [0u8; 64 * 1024];
        let read = match &mut self.stream {
            Stream::Plain(tcp) => tcp.read(&mut buf),
            Stream::Tls(tls) => tls.read(&mut buf),
        };
        match read {
            Ok(count) => {
                self.seen.extend_from_slice(&buf[..count]);
                count
            }
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                usize::MAX
            }
            Err(_) => 0,
        }
    }

    /// Reads until `needle` appears (panics after `within`); returns everything seen.
    fn expect(&mut self, needle: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            if String::from_utf8_lossy(&self.seen).contains(needle) {
                return String::from_utf8_lossy(&self.seen).into_owned();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no {needle:?} within {within:?}; seen {:?}",
                String::from_utf8_lossy(&self.seen)
            );
            if self.read_some(left) == 0 {
                panic!(
                    "closed before {needle:?}; seen {:?}",
                    String::from_utf8_lossy(&self.seen)
                );
            }
        }
    }

    /// Waits up to `within` for the server to close; true if it did.
    fn closed_within(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            if self.read_some(left) == 0 {
                return true;
            }
        }
    }

    /// Forgets what was seen so far (the next `expect` looks at new bytes only).
    fn fresh(&mut self) {
        self.seen.clear();
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.seen).into_owned()
    }
}

/// A normal client's round trip: it is served.
fn noop(client: &mut Client, tag: &str) -> Duration {
    let started = Instant::now();
    client.send(format!("{tag} NOOP\r\n").as_bytes());
    client.expect(&format!("{tag} OK"), Duration::from_secs(5));
    started.elapsed()
}

#[test]
fn out_of_file_descriptors_the_accept_loop_backs_off_and_serves_its_connections() {
    let server = serve(&[], Some(64));
    let mut normal = server.logged_in();
    // Far more connections than descriptors: the rest wait in the backlog.
    let mut hostile: Vec<TcpStream> = (0..150)
        .filter_map(|_| TcpStream::connect(server.imap).ok())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let cpu_before = server.cpu();
    let started = Instant::now();
    std::thread::sleep(Duration::from_millis(2000));
    let cpu = server.cpu() - cpu_before;
    let wall = started.elapsed();
    eprintln!("EMFILE: {cpu:?} CPU in {wall:?}");
    // Spinning on EMFILE costs a whole core; backing off costs next to nothing.
    assert!(cpu < Duration::from_millis(300), "{cpu:?} CPU in {wall:?}");
    let round_trip = noop(&mut normal, "n1");
    assert!(round_trip < Duration::from_secs(1), "{round_trip:?}");
    let stderr = server.stderr();
    assert_eq!(
        stderr.matches("out of file descriptors").count(),
        1,
        "{stderr}"
    );
    // Descriptors back: new clients are served again.
    hostile.clear();
    let started = Instant::now();
    let mut fresh = server.imaps_client();
    noop(&mut fresh, "f1");
    assert!(started.elapsed() < Duration::from_secs(5));
    let rss = server.peak_rss_kib();
    eprintln!("EMFILE: peak RSS {rss} KiB");
    assert!(rss < 80 * 1024, "{rss} KiB");
}

#[test]
fn a_thousand_slowloris_connections_are_cut_at_the_preauth_timeout() {
    let server = serve(
        &["--preauth-timeout", "2", "--max-connections", "2000"],
        None,
    );
    let mut normal = server.logged_in();
    let started = Instant::now();
    let mut slow: Vec<TcpStream> = (0..1000)
        .map(|_| TcpStream::connect(server.imap).unwrap())
        .collect();
    let connected = started.elapsed();
    // One byte at a time, never a whole line.
    let mut served = Vec::new();
    for round in 0..4 {
        for socket in &mut slow {
            let _ = socket.write_all(b"a");
        }
        served.push(noop(&mut normal, &format!("s{round}")));
        std::thread::sleep(Duration::from_millis(300));
    }
    eprintln!(
        "slowloris: connected in {connected:?}, trickled until {:?}, normal client round trips {served:?}",
        started.elapsed()
    );
    assert!(served.iter().all(|d| *d < Duration::from_secs(2)));
    // All cut once their pre-authentication time is up, each with a BYE.
    let mut closed = 0;
    let mut byes = 0;
    let mut first_close = None;
    for socket in &mut slow {
        let left = (started + Duration::from_secs(12)).saturating_duration_since(Instant::now());
        socket
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        let mut seen = Vec::new();
        // End of stream, or a reset (the server closed with our last byte unread).
        let ended = match socket.read_to_end(&mut seen) {
            Ok(_) => true,
            Err(error) => !matches!(
                error.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
        };
        if ended {
            closed += 1;
            first_close.get_or_insert_with(|| started.elapsed());
        }
        if String::from_utf8_lossy(&seen).contains("* BYE [UNAVAILABLE] not authenticated in time")
        {
            byes += 1;
        }
    }
    let elapsed = started.elapsed();
    let rss = server.peak_rss_kib();
    eprintln!(
        "slowloris: {closed} closed, {byes} BYE, first after {first_close:?}, all in {elapsed:?}, \
         peak RSS {rss} KiB"
    );
    assert_eq!(closed, 1000);
    assert_eq!(byes, 1000);
    assert!(elapsed < Duration::from_secs(12), "{elapsed:?}");
    assert!(rss < 120 * 1024, "{rss} KiB");
    noop(&mut normal, "after");
}

#[test]
fn literals_before_authentication_are_refused_without_buffering() {
    let server = serve(&[], None);
    let mut normal = server.logged_in();
    let before = server.peak_rss_kib();
    let started = Instant::now();
    // Synchronising: NO [TOOBIG] instead of `+`, the connection goes on.
    let mut sync: Vec<Client> = (0..8).map(|_| Client::plain(server.imap)).collect();
    for (index, client) in sync.iter_mut().enumerate() {
        client.expect("* OK", Duration::from_secs(5));
        client.send(format!("s{index} LOGIN {{67108864}}\r\n").as_bytes());
        let seen = client.expect(&format!("s{index} NO [TOOBIG]"), Duration::from_secs(5));
        assert!(!seen.contains("\r\n+ "), "{seen}");
        noop(client, &format!("t{index}"));
    }
    // LITERAL+: the data comes anyway; the server says BYE and closes rather than buffer it.
    let mut non_sync: Vec<Client> = (0..8).map(|_| Client::plain(server.imap)).collect();
    let chunk = vec![b'x'; 256 * 1024];
    for (index, client) in non_sync.iter_mut().enumerate() {
        client.expect("* OK", Duration::from_secs(5));
        client.send(format!("n{index} LOGIN {{67108864+}}\r\n").as_bytes());
        for _ in 0..16 {
            if !client.try_send(&chunk) {
                break;
            }
        }
        assert!(client.closed_within(Duration::from_secs(5)));
        assert!(
            client
                .text()
                .contains("* BYE [TOOBIG] a literal of 67108864 octets before authentication"),
            "{}",
            client.text()
        );
    }
    noop(&mut normal, "n");
    let elapsed = started.elapsed();
    let after = server.peak_rss_kib();
    eprintln!("pre-auth literals: {elapsed:?}, peak RSS {before} -> {after} KiB");
    // 16 connections announcing 64 MiB each (1 GiB) cost a few MiB at most.
    assert!(after - before < 16 * 1024, "{before} -> {after} KiB");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

#[test]
fn append_literals_over_appendlimit_are_refused_before_their_bytes() {
    let server = serve(&[], None);
    let mut client = server.logged_in();
    let before = server.peak_rss_kib();
    let started = Instant::now();
    // 16 MB, eight times the 2 MiB APPENDLIMIT.
    let size = 16 * 1024 * 1024;
    client.fresh();
    client.send(format!("a APPEND INBOX {{{size}}}\r\n").as_bytes());
    let seen = client.expect("a NO [TOOBIG]", Duration::from_secs(5));
    assert!(!seen.contains("\r\n+ "), "{seen}");
    // LITERAL+: NO [TOOBIG] before the data is through, the bytes discarded as they come.
    client.send(format!("b APPEND INBOX {{{size}+}}\r\n").as_bytes());
    let chunk = vec![b'x'; 256 * 1024];
    for _ in 0..size / chunk.len() {
        client.send(&chunk);
    }
    client.send(b"\r\n");
    noop(&mut client, "c");
    let text = client.text();
    assert!(text.contains("b NO [TOOBIG]"), "{text}");
    assert!(
        text.find("b NO [TOOBIG]").unwrap() < text.find("c OK").unwrap(),
        "{text}"
    );
    let elapsed = started.elapsed();
    let after = server.peak_rss_kib();
    eprintln!("oversized APPEND: {elapsed:?}, peak RSS {before} -> {after} KiB");
    assert!(after - before < 8 * 1024, "{before} -> {after} KiB");
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
    // Nothing was stored.
    client.send(b"e STATUS INBOX (MESSAGES)\r\n");
    let text = client.expect("e OK", Duration::from_secs(5));
    assert!(text.contains("(MESSAGES 0)"), "{text}");
}

#[test]
fn a_hundred_thousand_pipelined_commands_are_answered_in_bounded_memory() {
    let server = serve(&[], None);
    let mut normal = server.logged_in();
    let mut writer = TcpStream::connect(server.imap).unwrap();
    let reader = writer.try_clone().unwrap();
    let started = Instant::now();
    const COUNT: usize = 100_000;
    let sender = std::thread::spawn(move || {
        let mut batch = Vec::new();
        for index in 0..COUNT {
            batch.extend_from_slice(format!("p{index} NOOP\r\n").as_bytes());
            if batch.len() > 64 * 1024 {
                writer.write_all(&batch).unwrap();
                batch.clear();
            }
        }
        writer.write_all(&batch).unwrap();
        writer
    });
    reader
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut lines = BufReader::new(reader);
    let mut answered = 0;
    let mut line = String::new();
    let mut round_trip = Duration::ZERO;
    while answered < COUNT {
        line.clear();
        if lines.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if line.starts_with('p') && line.contains(" OK") {
            answered += 1;
            if answered == COUNT / 2 {
                round_trip = noop(&mut normal, "mid");
            }
        }
    }
    let _writer = sender.join().unwrap();
    let elapsed = started.elapsed();
    let rss = server.peak_rss_kib();
    eprintln!(
        "pipelining: {answered} answers in {elapsed:?}, normal client {round_trip:?}, peak RSS {rss} KiB"
    );
    assert_eq!(answered, COUNT);
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
    assert!(round_trip < Duration::from_secs(2), "{round_trip:?}");
    assert!(rss < 80 * 1024, "{rss} KiB");
}

#[test]
fn past_the_connection_cap_clients_get_bye_and_421() {
    let server = serve(&["--max-connections", "4"], None);
    let mut held: Vec<Client> = (0..4).map(|_| Client::plain(server.imap)).collect();
    for client in &mut held {
        client.expect("* OK", Duration::from_secs(5));
    }
    let mut imap = Client::plain(server.imap);
    imap.expect(
        "* BYE [UNAVAILABLE] too many connections",
        Duration::from_secs(5),
    );
    assert!(imap.closed_within(Duration::from_secs(5)));
    let mut smtp = Client::plain(server.smtp);
    smtp.expect("421 4.7.0", Duration::from_secs(5));
    assert!(smtp.closed_within(Duration::from_secs(5)));
    // A place frees up when a client leaves.
    held.pop();
    let started = Instant::now();
    loop {
        let mut next = Client::plain(server.imap);
        next.read_some(Duration::from_secs(2));
        if next.text().starts_with("* OK") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{}",
            next.text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn idle_connections_meet_the_preauth_autologout_and_smtp_timers() {
    let server = serve(
        &[
            "--preauth-timeout",
            "1",
            "--autologout",
            "1.5",
            "--smtp-timeout",
            "1",
        ],
        None,
    );
    let started = Instant::now();
    let mut unauthenticated = Client::plain(server.imap);
    let mut authenticated = server.logged_in();
    let mut idling = server.logged_in();
    idling.fresh();
    idling.send(b"i IDLE\r\n");
    idling.expect("+ ", Duration::from_secs(5));
    let mut smtp = Client::plain(server.smtp);
    unauthenticated.expect(
        "* BYE [UNAVAILABLE] not authenticated in time",
        Duration::from_secs(4),
    );
    assert!(unauthenticated.closed_within(Duration::from_secs(2)));
    smtp.expect("421 4.4.2", Duration::from_secs(4));
    assert!(smtp.closed_within(Duration::from_secs(2)));
    for client in [&mut authenticated, &mut idling] {
        client.expect("* BYE autologout", Duration::from_secs(5));
        assert!(client.closed_within(Duration::from_secs(2)));
    }
    let elapsed = started.elapsed();
    eprintln!("timers: all ended in {elapsed:?}");
    assert!(elapsed < Duration::from_secs(6), "{elapsed:?}");
}

#[test]
fn a_connection_buffering_past_its_limit_is_ended() {
    let server = serve(&["--session-buffer", "1000000"], None);
    let mut client = server.logged_in();
    // Under APPENDLIMIT but over this connection's buffer.
    client.fresh();
    client.send(b"a APPEND INBOX {1500000}\r\n");
    client.expect("+ ", Duration::from_secs(5));
    let chunk = vec![b'x'; 100_000];
    for _ in 0..15 {
        if !client.try_send(&chunk) {
            break;
        }
    }
    client.expect(
        "* BYE [ALERT] more than 1000000 bytes buffered for this connection",
        Duration::from_secs(5),
    );
    assert!(client.closed_within(Duration::from_secs(5)));
    let mut other = server.logged_in();
    noop(&mut other, "o");
}

#[test]
fn all_connections_together_buffer_within_the_total() {
    let server = serve(&["--total-buffer", "1500000"], None);
    let chunk = vec![b'x'; 100_000];
    let mut first = server.logged_in();
    first.fresh();
    first.send(b"a APPEND INBOX {1000000}\r\n");
    first.expect("+ ", Duration::from_secs(5));
    for _ in 0..9 {
        first.send(&chunk);
    }
    // Let the server read (and account) the first 900 KB.
    std::thread::sleep(Duration::from_millis(300));
    let mut second = server.logged_in();
    second.fresh();
    second.send(b"b APPEND INBOX {1000000}\r\n");
    second.expect("+ ", Duration::from_secs(5));
    for _ in 0..9 {
        if !second.try_send(&chunk) {
            break;
        }
    }
    second.expect(
        "* BYE [ALERT] server input buffers full (1500000 bytes in all)",
        Duration::from_secs(5),
    );
    assert!(second.closed_within(Duration::from_secs(5)));
    // The first finishes its message; the total freed by the second is its room.
    first.send(&chunk);
    first.send(b"\r\n");
    first.expect("a OK", Duration::from_secs(5));
}

#[test]
fn a_non_base64_authenticate_answer_is_not_called_a_cancel() {
    let server = serve(&[], None);
    let mut client = server.imaps_client();
    client.fresh();
    client.send(b"a AUTHENTICATE PLAIN\r\n");
    client.expect("+ ", Duration::from_secs(5));
    client.send(b"%%% not base64 %%%\r\n");
    let text = client.expect("a BAD", Duration::from_secs(5));
    assert!(
        text.contains("a BAD the AUTHENTICATE response is not base64"),
        "{text}"
    );
    // A `*` is a cancel, and is called one.
    client.fresh();
    client.send(b"b AUTHENTICATE PLAIN\r\n");
    client.expect("+ ", Duration::from_secs(5));
    client.send(b"*\r\n");
    let text = client.expect("b BAD", Duration::from_secs(5));
    assert!(text.contains("b BAD authentication cancelled"), "{text}");
}

#[test]
fn sigterm_stops_serve_and_removes_its_certificate() {
    let mut server = serve(&[], None);
    assert!(server.ca.exists());
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(server.pid.to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            break exit;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "still running");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
    assert!(!server.ca.exists(), "{} left behind", server.ca.display());
}
