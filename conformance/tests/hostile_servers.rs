//! A hostile or broken server never hangs or crashes the harness: garbage, a stalled or
//! trickling connection, an endless flood of lines, an endless line, an endless literal, a TLS
//! handshake that never completes, a refused connection, a check that never ends and one that
//! panics each give an `error` outcome with evidence within the timeouts, memory stays
//! bounded, and the other checks of the run still pass.

use std::sync::Arc;
use std::time::{Duration, Instant};

use groupwire_conformance::engine::{
    Check, CheckContext, CheckOutcome, ConnSettings, Direction, Finding, Framed, Level, NoProgress,
    Protocol, Registry, RfcRef, RunEnv, RunOptions, Selected, Status, Suite, TlsTrust,
    client_config, run,
};
use groupwire_conformance::target::{Endpoint, Target};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const MAX_BUFFER: usize = 64 * 1024;

/// The fake IMAP server: the client's first line picks the misbehaviour.
async fn serve(mut socket: TcpStream) {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while socket.read(&mut byte).await.unwrap_or(0) == 1 {
        line.push(byte[0]);
        if byte[0] == b'\n' {
            break;
        }
    }
    match String::from_utf8_lossy(&line).trim() {
        "MODE good" => {
            let _ = socket.write_all(b"* OK ready\r\n").await;
        }
        "MODE garbage" => {
            let _ = socket
                .write_all(b"\x00\xff\xfe\x1b[31mHELLO\x07 <script>\r\n")
                .await;
        }
        "MODE trickle" => {
            // One byte every 100 ms: each read succeeds, the line never ends.
            while socket.write_all(b"*").await.is_ok() {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        "MODE flood" => {
            // Valid lines forever, never the tagged completion the client waits for.
            let lines = b"* 1 EXISTS\r\n".repeat(1024);
            while socket.write_all(&lines).await.is_ok() {}
        }
        "MODE stall" => {
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
        "MODE endless-line" | "MODE endless-literal" => {
            if line.starts_with(b"MODE endless-literal") {
                let _ = socket
                    .write_all(b"* 1 FETCH (BODY[] {4000000000}\r\n")
                    .await;
            }
            let chunk = vec![b'A'; 16 * 1024];
            // Stops when the harness hangs up.
            while socket.write_all(&chunk).await.is_ok() {}
        }
        _ => {}
    }
    let _ = socket.read(&mut byte).await;
}

async fn fake_imap() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(serve(socket));
        }
    });
    port
}

/// Accepts TCP, reads the ClientHello, never answers.
async fn silent_tls() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while socket.read(&mut buf).await.unwrap_or(0) > 0 {}
            });
        }
    });
    port
}

async fn greet(cx: CheckContext, mode: &str) -> Result<Vec<u8>, Finding> {
    let mut conn = cx.connect().await?;
    conn.send(format!("MODE {mode}\r\n").as_bytes()).await?;
    Ok(conn.read_line().await?)
}

/// A tiny decoder that understands `{N}` literals, as codec decoders do.
fn literal_aware(buf: &[u8]) -> Framed<Vec<u8>> {
    let Some(eol) = buf.windows(2).position(|w| w == b"\r\n") else {
        return Framed::Incomplete;
    };
    let line = &buf[..eol];
    if let Some(open) = line.iter().rposition(|&b| b == b'{') {
        let size: usize = std::str::from_utf8(&line[open + 1..line.len() - 1])
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let end = eol + 2 + size;
        if buf.len() < end {
            return Framed::Incomplete;
        }
        return Framed::Complete {
            value: buf[..end].to_vec(),
            consumed: end,
        };
    }
    if !line.starts_with(b"*") {
        return Framed::Invalid(format!(
            "a response starts with * or a tag, not {:?}",
            line.first()
        ));
    }
    Framed::Complete {
        value: buf[..eol + 2].to_vec(),
        consumed: eol + 2,
    }
}

macro_rules! hostile_check {
    ($name:ident, $id:literal, $body:expr) => {
        static $name: Check = Check {
            id: $id,
            protocol: Protocol::Imap,
            title: "test",
            rfc: RfcRef::new(9051, "7.1"),
            level: Level::Must,
            scope: groupwire_conformance::engine::Scope::Implementation,
            quote: "The server MUST behave.",
            profiles: &[],
            needs: &[],
            broken_by: &[],
            accounts: 0,
            run: $body,
        };
    };
}

hostile_check!(GOOD, "imap.hostile.good", |cx| Box::pin(async move {
    let line = greet(cx, "good").await?;
    groupwire_conformance::engine::ensure(line.starts_with(b"* OK"), "* OK", || {
        String::from_utf8_lossy(&line).into_owned()
    })
}));
hostile_check!(GARBAGE, "imap.hostile.garbage", |cx| Box::pin(async move {
    let mut conn = cx.connect().await?;
    conn.send(b"MODE garbage\r\n").await?;
    conn.read_until_decoded(literal_aware).await?;
    Ok(())
}));
hostile_check!(STALL, "imap.hostile.stall", |cx| Box::pin(async move {
    greet(cx, "stall").await.map(|_| ())
}));
hostile_check!(ENDLESS_LINE, "imap.hostile.endless-line", |cx| Box::pin(
    async move { greet(cx, "endless-line").await.map(|_| ()) }
));
hostile_check!(ENDLESS_LITERAL, "imap.hostile.endless-literal", |cx| {
    Box::pin(async move {
        let mut conn = cx.connect().await?;
        conn.send(b"MODE endless-literal\r\n").await?;
        conn.read_until_decoded(literal_aware).await?;
        Ok(())
    })
});
hostile_check!(NEVER_ENDS, "imap.hostile.never-ends", |_cx| Box::pin(
    async move {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Ok(())
    }
));
hostile_check!(PANICS, "imap.hostile.panics", |_cx| Box::pin(async move {
    let empty: Vec<u8> = Vec::new();
    #[allow(clippy::indexing_slicing)]
    let _ = empty[1];
    Ok(())
}));
hostile_check!(TLS_SILENT, "imap.hostile.tls-silent", |cx| Box::pin(
    async move {
        let endpoint = Endpoint::parse(&cx.target().domain.clone().unwrap_or_default())?;
        cx.connect_to(&endpoint).await?;
        Ok(())
    }
));
hostile_check!(REFUSED, "imap.hostile.refused", |cx| Box::pin(async move {
    let endpoint = Endpoint::parse(&format!(
        "imap+plain://127.0.0.1:{}",
        cx.target().accounts.len() + refused_port()
    ))?;
    cx.connect_to(&endpoint).await?;
    Ok(())
}));

fn refused_port() -> usize {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    usize::from(port)
}

hostile_check!(TRICKLE, "imap.hostile.trickle", |cx| Box::pin(async move {
    greet(cx, "trickle").await.map(|_| ())
}));
hostile_check!(FLOOD, "imap.hostile.flood", |cx| Box::pin(async move {
    let mut conn = cx.connect().await?;
    conn.send(b"MODE flood\r\n").await?;
    loop {
        if conn.read_line().await?.starts_with(b"a1 OK") {
            return Ok(());
        }
    }
}));

static CHECKS: [Check; 11] = [
    TRICKLE,
    FLOOD,
    GOOD,
    GARBAGE,
    STALL,
    ENDLESS_LINE,
    ENDLESS_LITERAL,
    NEVER_ENDS,
    PANICS,
    TLS_SILENT,
    REFUSED,
];

fn find<'a>(outcomes: &'a [CheckOutcome], id: &str) -> &'a CheckOutcome {
    outcomes.iter().find(|o| o.id == id).unwrap()
}

fn received(outcome: &CheckOutcome) -> Vec<u8> {
    outcome
        .evidence
        .transcript
        .iter()
        .filter(|e| e.direction == Direction::Received)
        .flat_map(|e| e.bytes.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_servers_give_errors_with_evidence_and_the_run_goes_on() {
    let imap_port = fake_imap().await;
    let tls_port = silent_tls().await;
    let mut target = Target::empty("hostile");
    target.imap = Some(Endpoint::parse(&format!("imap+plain://127.0.0.1:{imap_port}")).unwrap());
    // The silent TLS endpoint travels in `domain` so the check can find it.
    target.domain = Some(format!("imaps://127.0.0.1:{tls_port}"));
    let settings = ConnSettings {
        tls: client_config(&TlsTrust::Insecure).unwrap(),
        max_buffer: MAX_BUFFER,
        io_timeout: Duration::from_millis(700),
    };
    let env = Arc::new(RunEnv::new(target, settings));
    let registry = Registry::new().with(Suite {
        protocol: Protocol::Imap,
        probe: None,
        cleanup: None,
        checks: &CHECKS,
    });
    let selected: Vec<Selected> = registry
        .checks()
        .map(|check| Selected {
            check,
            required: true,
        })
        .collect();
    let options = RunOptions {
        concurrency: 4,
        check_timeout: Duration::from_secs(3),
        io_timeout: Duration::from_millis(700),
    };
    let started = Instant::now();
    let result = run(&registry, &selected, env, options, Arc::new(NoProgress)).await;
    let elapsed = started.elapsed();
    // 11 checks, 4 at a time, none longer than the 3 s check timeout.
    assert!(elapsed < Duration::from_secs(12), "run took {elapsed:?}");
    let outcomes = &result.outcomes;
    assert_eq!(outcomes.len(), 11);

    // A server that trickles bytes or floods lines is stopped by the check timeout; the
    // flood's transcript stops growing at its limit.
    for id in ["imap.hostile.trickle", "imap.hostile.flood"] {
        let outcome = find(outcomes, id);
        assert_eq!(outcome.status, Status::Error, "{id}");
        assert!(
            outcome
                .reason
                .as_deref()
                .unwrap()
                .contains("did not finish within 3.0s"),
            "{id}"
        );
        assert!(
            outcome.duration_ms < 3500,
            "{id}: {} ms",
            outcome.duration_ms
        );
    }
    let flood = find(outcomes, "imap.hostile.flood");
    assert!(flood.evidence.transcript_dropped_bytes > 0);
    let stored: usize = flood
        .evidence
        .transcript
        .iter()
        .filter(|e| e.direction != Direction::Note)
        .map(|e| e.bytes.len())
        .sum();
    assert!(stored <= groupwire_conformance::engine::DEFAULT_MAX_TRANSCRIPT_BYTES);
    // The head and the tail are kept, a note between them says what was cut.
    let marker = format!(
        "[{} bytes cut here",
        flood.evidence.transcript_dropped_bytes
    );
    assert!(
        flood
            .evidence
            .transcript
            .iter()
            .any(|e| e.direction == Direction::Note && e.bytes.starts_with(marker.as_bytes())),
        "no cut marker"
    );
    let cut = flood
        .evidence
        .transcript
        .iter()
        .position(|e| e.bytes.starts_with(marker.as_bytes()))
        .unwrap();
    assert!(
        flood.evidence.transcript[cut + 1..]
            .iter()
            .any(|e| e.direction == Direction::Received
                && e.bytes.windows(9).any(|w| w == b"1 EXISTS\r")),
        "the tail keeps the latest lines"
    );

    assert_eq!(find(outcomes, "imap.hostile.good").status, Status::Pass);

    let garbage = find(outcomes, "imap.hostile.garbage");
    assert_eq!(garbage.status, Status::Error);
    let reason = garbage.reason.as_deref().unwrap();
    assert!(reason.contains("do not decode"), "{reason}");
    assert!(reason.contains("\\x00\\xff"), "{reason}");
    assert!(received(garbage).starts_with(b"\x00\xff\xfe"));

    let stall = find(outcomes, "imap.hostile.stall");
    assert_eq!(stall.status, Status::Error);
    assert!(
        stall.reason.as_deref().unwrap().contains("timed out"),
        "{:?}",
        stall.reason
    );
    assert!(
        stall.duration_ms < 2500,
        "stall took {} ms",
        stall.duration_ms
    );

    for id in ["imap.hostile.endless-line", "imap.hostile.endless-literal"] {
        let endless = find(outcomes, id);
        assert_eq!(endless.status, Status::Error, "{id}");
        let reason = endless.reason.as_deref().unwrap();
        assert!(
            reason.contains(&format!("more than {MAX_BUFFER} bytes")),
            "{id}: {reason}"
        );
        // Memory stayed bounded: at most one buffer's worth was ever read.
        assert!(received(endless).len() <= MAX_BUFFER + 64, "{id}");
    }

    let never = find(outcomes, "imap.hostile.never-ends");
    assert_eq!(never.status, Status::Error);
    assert!(
        never
            .reason
            .as_deref()
            .unwrap()
            .contains("did not finish within 3.0s")
    );

    let panics = find(outcomes, "imap.hostile.panics");
    assert_eq!(panics.status, Status::Error);
    assert!(panics.reason.as_deref().unwrap().contains("harness bug"));

    let tls = find(outcomes, "imap.hostile.tls-silent");
    assert_eq!(tls.status, Status::Error);
    let reason = tls.reason.as_deref().unwrap();
    assert!(reason.contains("TLS handshake"), "{reason}");
    assert!(tls.duration_ms < 2500);

    let refused = find(outcomes, "imap.hostile.refused");
    assert_eq!(refused.status, Status::Error);
    assert!(refused.unreachable);
    assert!(
        refused
            .reason
            .as_deref()
            .unwrap()
            .contains("cannot connect")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_transcripts_of_a_run_stay_within_the_run_budget() {
    let imap_port = fake_imap().await;
    let mut target = Target::empty("hostile");
    target.imap = Some(Endpoint::parse(&format!("imap+plain://127.0.0.1:{imap_port}")).unwrap());
    let settings = ConnSettings {
        tls: client_config(&TlsTrust::Insecure).unwrap(),
        max_buffer: MAX_BUFFER,
        io_timeout: Duration::from_millis(700),
    };
    let mut env = RunEnv::new(target, settings);
    let budget = 96 * 1024;
    env.run_transcript = groupwire_conformance::engine::TranscriptBudget::new(budget);
    let env = Arc::new(env);
    // Three checks that each receive far more than the budget.
    static FLOODS: [Check; 3] = [FLOOD, ENDLESS_LINE, ENDLESS_LITERAL];
    let registry = Registry::new().with(Suite {
        protocol: Protocol::Imap,
        probe: None,
        cleanup: None,
        checks: &FLOODS,
    });
    let selected: Vec<Selected> = registry
        .checks()
        .map(|check| Selected {
            check,
            required: true,
        })
        .collect();
    let options = RunOptions {
        concurrency: 4,
        check_timeout: Duration::from_secs(2),
        io_timeout: Duration::from_millis(700),
    };
    let result = run(&registry, &selected, env, options, Arc::new(NoProgress)).await;
    let kept: usize = result
        .outcomes
        .iter()
        .flat_map(|o| o.evidence.transcript.iter())
        .filter(|e| e.direction != Direction::Note)
        .map(|e| e.bytes.len())
        .sum();
    let floor = groupwire_conformance::engine::MIN_TRANSCRIPT_BYTES * result.outcomes.len();
    assert!(kept <= budget + floor, "{kept} bytes kept");
    // Every check still shows evidence (at least its floor), and something was cut.
    for outcome in &result.outcomes {
        assert!(received(outcome).len() >= 1024, "{}", outcome.id);
    }
    assert!(
        result
            .outcomes
            .iter()
            .any(|o| o.evidence.transcript_dropped_bytes > 0)
    );
}

// ---------------------------------------------------------------------------------------
// The same attacks against the `groupwire check` binary and its real IMAP suite: each run
// ends within a time bound, its peak RSS (VmHWM from /proc) stays bounded, and the report
// names what the server did.

/// How a fake server misbehaves towards `groupwire check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hostile {
    /// A greeting line that never ends.
    EndlessLine,
    /// A 60 MB literal (under the codec's 64 MiB literal limit) that never finishes.
    EndlessLiteral,
    /// Untagged `* OK` responses forever after each command, never the tagged completion.
    Flood,
    /// One byte every 100 ms, never a whole line.
    Trickle,
    /// Implicit TLS: reads the ClientHello, never answers.
    TlsStall,
    /// Answers STARTTLS OK, then plaintext where the TLS handshake should be.
    StartTlsPlaintext,
    /// Closes in the middle of the greeting.
    CloseMidFrame,
}

async fn read_client_line(socket: &mut TcpStream) -> Option<Vec<u8>> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match socket.read(&mut byte).await {
            Ok(1) => {
                line.push(byte[0]);
                if byte[0] == b'\n' {
                    return Some(line);
                }
                if line.len() > 64 * 1024 {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

async fn hostile(mut socket: TcpStream, mode: Hostile) {
    const GREETING: &[u8] = b"* OK [CAPABILITY IMAP4rev2 IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n";
    match mode {
        Hostile::EndlessLine => {
            let _ = socket.write_all(b"* OK ").await;
            let chunk = vec![b'A'; 64 * 1024];
            while socket.write_all(&chunk).await.is_ok() {}
        }
        Hostile::Trickle => {
            let _ = socket.write_all(b"* OK ").await;
            while socket.write_all(b"x").await.is_ok() {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        Hostile::TlsStall => {
            let mut buf = [0u8; 4096];
            while socket.read(&mut buf).await.unwrap_or(0) > 0 {}
        }
        Hostile::CloseMidFrame => {
            let _ = socket.write_all(b"* OK [CAPABILITY IMAP4rev2 STAR").await;
            let _ = socket.shutdown().await;
        }
        Hostile::EndlessLiteral | Hostile::Flood | Hostile::StartTlsPlaintext => {
            let _ = socket.write_all(GREETING).await;
            while let Some(line) = read_client_line(&mut socket).await {
                let original = String::from_utf8_lossy(&line).into_owned();
                let tag = original.split(' ').next().unwrap_or("*").to_owned();
                let text = original.to_ascii_uppercase();
                if text.contains(" LOGOUT") {
                    let _ = socket
                        .write_all(format!("* BYE\r\n{tag} OK bye\r\n").as_bytes())
                        .await;
                    return;
                }
                match mode {
                    Hostile::EndlessLiteral => {
                        let _ = socket.write_all(b"* 1 FETCH (BODY[] {60000000}\r\n").await;
                        let chunk = vec![b'L'; 64 * 1024];
                        while socket.write_all(&chunk).await.is_ok() {}
                        return;
                    }
                    Hostile::Flood => {
                        let lines = b"* OK flood\r\n".repeat(4096);
                        while socket.write_all(&lines).await.is_ok() {}
                        return;
                    }
                    _ if text.contains(" STARTTLS") => {
                        let _ = socket
                            .write_all(format!("{tag} OK begin TLS now\r\n").as_bytes())
                            .await;
                        // Wait for the ClientHello, answer in plaintext.
                        let mut hello = [0u8; 4096];
                        let _ = socket.read(&mut hello).await;
                        let _ = socket.write_all(b"* OK still plaintext\r\n").await;
                        let _ = socket.read(&mut hello).await;
                        return;
                    }
                    _ => {
                        let _ = socket
                            .write_all(
                                format!(
                                    "* CAPABILITY IMAP4rev2 IMAP4rev1 STARTTLS LOGINDISABLED\r\n\
                                     {tag} OK done\r\n"
                                )
                                .as_bytes(),
                            )
                            .await;
                    }
                }
            }
        }
    }
}

async fn hostile_server(mode: Hostile) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(hostile(socket, mode));
        }
    });
    port
}

/// What one `groupwire` run cost.
#[derive(Debug)]
struct Measured {
    code: Option<i32>,
    output: String,
    elapsed: Duration,
    peak_rss_kib: u64,
}

/// The peak resident set size of process `pid` so far (VmHWM), in KiB.
fn vm_hwm(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Runs `groupwire ARGS`, sampling its peak RSS until it exits (killed after `limit`).
fn measure(args: &[String], limit: Duration) -> Measured {
    let dir = std::env::temp_dir().join(format!(
        "gw-hostile-{}-{}",
        std::process::id(),
        args.join("").len() ^ rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let out_path = dir.join("out");
    let err_path = dir.join("err");
    let started = Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_groupwire"))
        .args(args)
        .env("GROUPWIRE_PASSWORD", "irrelevant")
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut peak = 0;
    let status = loop {
        if let Some(hwm) = vm_hwm(pid) {
            peak = peak.max(hwm);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = started.elapsed();
    let output = format!(
        "{}\n{}",
        std::fs::read_to_string(&out_path).unwrap_or_default(),
        std::fs::read_to_string(&err_path).unwrap_or_default()
    );
    let _ = std::fs::remove_dir_all(&dir);
    Measured {
        code: status.code(),
        output,
        elapsed,
        peak_rss_kib: peak,
    }
}

fn rand_suffix() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed) << 16
}

/// Runs a few IMAP checks of `groupwire check` against a fake server misbehaving as `mode`.
async fn check_against(mode: Hostile) -> Measured {
    let port = hostile_server(mode).await;
    let scheme = match mode {
        Hostile::TlsStall => "imaps",
        Hostile::StartTlsPlaintext => "imap",
        _ => "imap+plain",
    };
    let args: Vec<String> = [
        "check",
        &format!("{scheme}://127.0.0.1:{port}"),
        "--insecure",
        "--format",
        "json",
        "--timeout",
        "3",
        "--io-timeout",
        "1",
        "--only",
        "imap.greeting.ok",
        "--only",
        "imap.capability.revision",
        "--only",
        "imap.starttls.ok",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let measured = tokio::task::spawn_blocking(move || measure(&args, Duration::from_secs(30)))
        .await
        .unwrap();
    eprintln!(
        "{mode:?}: exit {:?} in {:?}, peak RSS {} KiB",
        measured.code, measured.elapsed, measured.peak_rss_kib
    );
    // Bounded: no hang, no crash, no memory growth with what the server sends.
    assert!(
        matches!(measured.code, Some(0..=5)),
        "{mode:?}: exit {:?}\n{}",
        measured.code,
        measured.output
    );
    assert!(
        measured.elapsed < Duration::from_secs(15),
        "{mode:?} took {:?}",
        measured.elapsed
    );
    assert!(
        measured.peak_rss_kib < 96 * 1024,
        "{mode:?}: peak RSS {} KiB",
        measured.peak_rss_kib
    );
    // The report (transcripts included) stays small whatever the server sent.
    assert!(
        measured.output.len() < 2 * 1024 * 1024,
        "{mode:?}: {} bytes of report",
        measured.output.len()
    );
    measured
}

fn says(measured: &Measured, text: &str) {
    assert!(
        measured.output.contains(text),
        "expected {text:?} in:\n{}",
        measured.output
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_survives_an_endless_line() {
    let measured = check_against(Hostile::EndlessLine).await;
    says(&measured, "limit max_line_length exceeded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_survives_an_endless_literal() {
    let measured = check_against(Hostile::EndlessLiteral).await;
    says(&measured, "without completing a frame");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_ends_a_flood_of_untagged_responses() {
    let measured = check_against(Hostile::Flood).await;
    says(&measured, "server flooded untagged responses");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_survives_a_trickle() {
    let measured = check_against(Hostile::Trickle).await;
    says(&measured, "did not finish within");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_survives_a_tls_stall() {
    let measured = check_against(Hostile::TlsStall).await;
    says(&measured, "TLS handshake");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_survives_plaintext_after_starttls() {
    let measured = check_against(Hostile::StartTlsPlaintext).await;
    says(&measured, "TLS handshake failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_survives_a_close_mid_frame() {
    let measured = check_against(Hostile::CloseMidFrame).await;
    says(&measured, "in the middle of a frame");
}
