//! The runner turns findings into outcomes (MUST → fail, SHOULD → warn, quirk → warn, skip,
//! error), skips checks whose capability is not advertised, whose endpoint or accounts are
//! missing, and masks credentials in every transcript.

use std::sync::Arc;
use std::time::Duration;

use groupwire_conformance::engine::{
    Check, CheckContext, CheckOutcome, CheckResult, ConnSettings, Finding, Level, NoProgress,
    Protocol, Registry, RfcRef, RunEnv, RunOptions, Selected, Status, Suite, TlsTrust,
    client_config, run,
};
use groupwire_conformance::target::{Account, Endpoint, Secret, Target};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const PASSWORD: &str = "s3cr3t-Pa55";

/// A line server: greets, then answers each line by a fixed rule.
async fn line_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"* OK fake IMAP4rev2 ready\r\n").await;
                while let Ok(Some(line)) = lines.next_line().await {
                    let reply = if line.contains("AUTHENTICATE") {
                        "+ \r\n".to_owned()
                    } else if line.starts_with("AUTH LOGIN") {
                        "334 VXNlcm5hbWU6\r\n".to_owned()
                    } else if line.starts_with("a1 ") || line.starts_with("a2 ") {
                        format!("{} OK done\r\n", &line[..2])
                    } else if line.contains(PASSWORD) {
                        // Echoes the password back, as a broken server might.
                        format!("* BAD you sent {line}\r\n")
                    } else {
                        "a3 OK authenticated\r\n".to_owned()
                    };
                    if write.write_all(reply.as_bytes()).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    port
}

fn check(
    id: &'static str,
    level: Level,
    needs: &'static [&'static str],
    accounts: u8,
    run: fn(CheckContext) -> groupwire_conformance::engine::BoxFuture<CheckResult>,
) -> Check {
    Check {
        id,
        protocol: Protocol::Imap,
        title: "title",
        rfc: RfcRef::new(9051, "6.3.2"),
        level,
        scope: groupwire_conformance::engine::Scope::Implementation,
        quote: "The server MUST do it.",
        profiles: &[],
        needs,
        broken_by: &[],
        accounts,
        run,
    }
}

async fn login(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut conn = cx.connect().await?;
    conn.read_line().await?;
    let user = &account.user;
    let password = account.password.expose();
    conn.send(format!("a1 LOGIN {user} {password}\r\n").as_bytes())
        .await?;
    conn.read_line().await?;
    use base64::Engine as _;
    let blob = base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{password}"));
    conn.send(format!("a2 AUTHENTICATE PLAIN {blob}\r\n").as_bytes())
        .await?;
    conn.read_line().await?;
    conn.send(b"a3 AUTHENTICATE PLAIN\r\n").await?;
    conn.read_line().await?;
    conn.send(format!("{blob}\r\n").as_bytes()).await?;
    conn.read_line().await?;
    // A stray line with the password: the server echoes it in a BAD.
    conn.send(format!("x {password}\r\n").as_bytes()).await?;
    conn.read_line().await?;
    // SMTP's AUTH LOGIN, on a connection the transcript knows speaks SMTP.
    let port = cx.target().imap.as_ref().map_or(0, |e| e.port);
    let smtp = Endpoint::parse(&format!("smtp+plain://127.0.0.1:{port}")).unwrap();
    let mut conn = cx.connect_to(&smtp).await?;
    conn.read_line().await?;
    conn.send(b"AUTH LOGIN\r\n").await?;
    conn.read_line().await?;
    let user64 = base64::engine::general_purpose::STANDARD.encode(user);
    conn.send(format!("{user64}\r\n").as_bytes()).await?;
    conn.read_line().await?;
    conn.send_secret(b"opaque\r\n").await?;
    Ok(())
}

fn outcomes_of(results: &[CheckOutcome], id: &str) -> CheckOutcome {
    results.iter().find(|o| o.id == id).cloned().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_become_outcomes_and_credentials_are_masked() {
    static CHECKS: std::sync::OnceLock<Vec<Check>> = std::sync::OnceLock::new();
    let checks = CHECKS.get_or_init(|| {
        vec![
            check("imap.t.pass", Level::Must, &[], 0, |cx| {
                Box::pin(async move {
                    let mut conn = cx.connect().await?;
                    let line = conn.read_line().await?;
                    groupwire_conformance::engine::ensure(line.starts_with(b"* OK"), "OK", || {
                        "x".into()
                    })
                })
            }),
            check("imap.t.must", Level::Must, &[], 0, |_| {
                Box::pin(async { Err(Finding::violation("a UIDVALIDITY response code", "none")) })
            }),
            check("imap.t.should", Level::Should, &[], 0, |_| {
                Box::pin(async { Err(Finding::violation("x", "y")) })
            }),
            check("imap.t.quirk", Level::Must, &[], 0, |_| {
                Box::pin(async { Err(Finding::quirk("x", "y")) })
            }),
            check("imap.t.skip", Level::Must, &[], 0, |_| {
                Box::pin(async { Err(Finding::skip("no such mailbox")) })
            }),
            check("imap.t.idle", Level::Must, &["IDLE"], 0, |_| {
                Box::pin(async { Ok(()) })
            }),
            check("imap.t.caps", Level::Must, &["imap4rev2"], 0, |_| {
                Box::pin(async { Ok(()) })
            }),
            check("imap.t.two-accounts", Level::Must, &[], 2, |_| {
                Box::pin(async { Ok(()) })
            }),
            check("imap.t.login", Level::Must, &[], 1, |cx| {
                Box::pin(login(cx))
            }),
            check("imap.t.prefix", Level::Must, &[], 0, |cx| {
                Box::pin(async move {
                    let name = cx.scratch_name("a");
                    let expected = format!("{}-imap-t-prefix-a", cx.run_prefix());
                    groupwire_conformance::engine::ensure(name == expected, expected, || {
                        name.clone()
                    })
                })
            }),
        ]
    });
    let checks: &'static [Check] = checks.as_slice();
    static SMTP: [Check; 0] = [];
    let registry = Registry::new()
        .with(Suite {
            protocol: Protocol::Imap,
            probe: Some(|_| {
                Box::pin(async { Ok(vec!["IMAP4rev2".to_owned(), "LITERAL+".to_owned()]) })
            }),
            cleanup: None,
            checks,
        })
        .with(Suite {
            protocol: Protocol::Smtp,
            probe: None,
            cleanup: None,
            checks: &SMTP,
        });
    registry.validate().unwrap();

    let port = line_server().await;
    let mut target = Target::empty("fake");
    target.imap = Some(Endpoint::parse(&format!("imap+plain://127.0.0.1:{port}")).unwrap());
    target.accounts.push(Account {
        user: "alice@example.org".into(),
        address: "alice@example.org".into(),
        password: Secret::new(PASSWORD),
        oauth_token: None,
    });
    let settings = ConnSettings {
        tls: client_config(&TlsTrust::System).unwrap(),
        max_buffer: 1 << 20,
        io_timeout: Duration::from_secs(2),
    };
    let env = Arc::new(RunEnv::new(target, settings));
    let selected: Vec<Selected> = registry
        .checks()
        .map(|check| Selected {
            check,
            required: true,
        })
        .collect();
    let result = run(
        &registry,
        &selected,
        env,
        RunOptions::default(),
        Arc::new(NoProgress),
    )
    .await;
    let r = &result.outcomes;
    // Catalogue order is kept.
    let ids: Vec<&str> = r.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, checks.iter().map(|c| c.id).collect::<Vec<_>>());

    assert_eq!(outcomes_of(r, "imap.t.pass").status, Status::Pass);
    let must = outcomes_of(r, "imap.t.must");
    assert_eq!(must.status, Status::Fail);
    assert_eq!(
        must.evidence.expected.as_deref(),
        Some("a UIDVALIDITY response code")
    );
    assert_eq!(must.evidence.actual.as_deref(), Some("none"));
    assert_eq!(must.rfc, "RFC 9051 §6.3.2");
    assert_eq!(outcomes_of(r, "imap.t.should").status, Status::Warn);
    assert_eq!(outcomes_of(r, "imap.t.quirk").status, Status::Warn);
    let skip = outcomes_of(r, "imap.t.skip");
    assert_eq!(
        (skip.status, skip.reason.as_deref()),
        (Status::Skip, Some("no such mailbox"))
    );
    let idle = outcomes_of(r, "imap.t.idle");
    assert_eq!(
        (idle.status, idle.reason.as_deref()),
        (Status::Skip, Some("not advertised: IDLE"))
    );
    assert_eq!(
        outcomes_of(r, "imap.t.caps").status,
        Status::Pass,
        "capabilities are case-insensitive"
    );
    let two = outcomes_of(r, "imap.t.two-accounts");
    assert_eq!(two.status, Status::Skip);
    assert!(two.reason.unwrap().contains("needs 2 account(s)"));
    assert_eq!(outcomes_of(r, "imap.t.prefix").status, Status::Pass);
    assert_eq!(result.hooks.len(), 1);
    assert_eq!(result.hooks[0].capabilities, vec!["IMAP4rev2", "LITERAL+"]);

    let login = outcomes_of(r, "imap.t.login");
    assert_eq!(login.status, Status::Pass, "{:?}", login.reason);
    let json = serde_json::to_string(&login).unwrap();
    assert!(!json.contains(PASSWORD), "password leaked: {json}");
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    for secret in [
        b64.encode(PASSWORD),
        b64.encode(format!("\0alice@example.org\0{PASSWORD}")),
    ] {
        assert!(!json.contains(&secret), "{secret} leaked: {json}");
    }
    assert!(!json.contains("opaque"));
    assert!(
        json.contains("a1 LOGIN alice@example.org ***\\r\\n"),
        "{json}"
    );
    assert!(json.contains("a2 AUTHENTICATE PLAIN ***\\r\\n"), "{json}");
    assert!(json.contains("* BAD you sent x ***"), "{json}");
    // The SASL exchange of AUTH LOGIN hides the user name line too.
    assert!(!json.contains(&b64.encode("alice@example.org")), "{json}");
}

#[tokio::test]
async fn missing_endpoint_skips_and_unreachable_probe_errors_every_check() {
    static CHECKS: [Check; 1] = [Check {
        id: "smtp.t.one",
        protocol: Protocol::Smtp,
        title: "t",
        rfc: RfcRef::new(5321, "4.2"),
        level: Level::Must,
        scope: groupwire_conformance::engine::Scope::Implementation,
        quote: "q",
        profiles: &[],
        needs: &[],
        broken_by: &[],
        accounts: 0,
        run: |_| Box::pin(async { Ok(()) }),
    }];
    let registry = Registry::new().with(Suite {
        protocol: Protocol::Smtp,
        probe: Some(|cx| {
            Box::pin(async move {
                cx.connect().await?;
                Ok(Vec::new())
            })
        }),
        cleanup: None,
        checks: &CHECKS,
    });
    let selected = vec![Selected {
        check: &CHECKS[0],
        required: true,
    }];
    let settings = ConnSettings {
        tls: client_config(&TlsTrust::System).unwrap(),
        max_buffer: 1024,
        io_timeout: Duration::from_secs(2),
    };
    let env = Arc::new(RunEnv::new(Target::empty("none"), settings.clone()));
    let result = run(
        &registry,
        &selected,
        env,
        RunOptions::default(),
        Arc::new(NoProgress),
    )
    .await;
    assert_eq!(result.outcomes[0].status, Status::Skip);
    assert_eq!(
        result.outcomes[0].reason.as_deref(),
        Some("the target has no SMTP endpoint")
    );

    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let mut target = Target::empty("refused");
    target.smtp = Some(Endpoint::parse(&format!("smtp+plain://127.0.0.1:{port}")).unwrap());
    let env = Arc::new(RunEnv::new(target, settings));
    let result = run(
        &registry,
        &selected,
        env,
        RunOptions::default(),
        Arc::new(NoProgress),
    )
    .await;
    let outcome = &result.outcomes[0];
    assert_eq!(outcome.status, Status::Error);
    assert!(outcome.unreachable);
    assert!(
        outcome
            .reason
            .as_deref()
            .unwrap()
            .contains("cannot connect to 127.0.0.1")
    );
    assert!(
        !outcome.evidence.transcript.is_empty(),
        "the probe's transcript is the evidence"
    );
}

static RUNNING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static PEAK: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static DONE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static CLEANUP_SAW: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(usize::MAX);

async fn busy(_cx: CheckContext) -> CheckResult {
    use std::sync::atomic::Ordering::SeqCst;
    let now = RUNNING.fetch_add(1, SeqCst) + 1;
    PEAK.fetch_max(now, SeqCst);
    tokio::time::sleep(Duration::from_millis(200)).await;
    RUNNING.fetch_sub(1, SeqCst);
    DONE.fetch_add(1, SeqCst);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checks_run_concurrently_within_the_bound_and_cleanup_runs_last() {
    use std::sync::atomic::Ordering::SeqCst;
    static CHECKS: std::sync::OnceLock<Vec<Check>> = std::sync::OnceLock::new();
    const IDS: [&str; 8] = [
        "imap.c.1", "imap.c.2", "imap.c.3", "imap.c.4", "imap.c.5", "imap.c.6", "imap.c.7",
        "imap.c.8",
    ];
    let checks = CHECKS.get_or_init(|| {
        IDS.iter()
            .map(|id| check(id, Level::Must, &[], 0, |cx| Box::pin(busy(cx))))
            .collect()
    });
    let registry = Registry::new().with(Suite {
        protocol: Protocol::Imap,
        probe: None,
        cleanup: Some(|_| {
            Box::pin(async {
                CLEANUP_SAW.store(DONE.load(SeqCst), SeqCst);
                Ok(())
            })
        }),
        checks: checks.as_slice(),
    });
    let mut target = Target::empty("concurrency");
    target.imap = Some(Endpoint::parse("imap+plain://127.0.0.1:9").unwrap());
    let settings = ConnSettings {
        tls: client_config(&TlsTrust::System).unwrap(),
        max_buffer: 1024,
        io_timeout: Duration::from_secs(1),
    };
    let env = Arc::new(RunEnv::new(target, settings));
    let selected: Vec<Selected> = registry
        .checks()
        .map(|check| Selected {
            check,
            required: true,
        })
        .collect();
    let options = RunOptions {
        concurrency: 4,
        ..RunOptions::default()
    };
    let started = std::time::Instant::now();
    let result = run(&registry, &selected, env, options, Arc::new(NoProgress)).await;
    let elapsed = started.elapsed();
    assert!(result.outcomes.iter().all(|o| o.status == Status::Pass));
    assert_eq!(
        PEAK.load(SeqCst),
        4,
        "at most 4 at once, and 4 did run together"
    );
    // Two waves of 200 ms, not eight.
    assert!(elapsed < Duration::from_millis(1200), "{elapsed:?}");
    assert_eq!(CLEANUP_SAW.load(SeqCst), 8, "cleanup ran after every check");
    assert_eq!(result.hooks.len(), 1);
    assert_eq!(result.hooks[0].hook, "cleanup");
}
