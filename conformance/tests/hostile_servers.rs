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
        .map(|e| e.bytes.len())
        .sum();
    assert!(stored <= groupwire_conformance::engine::DEFAULT_MAX_TRANSCRIPT_BYTES);

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
