//! The imap-idle example's logic against a real Dovecot (scripts/servers/dovecot.sh): over
//! implicit TLS and over STARTTLS, a message appended, flagged and expunged by a second client
//! (python3 imaplib) must reach the idling session as EXISTS, FETCH FLAGS and EXPUNGE; IDLE is
//! re-issued on schedule; shutdown ends with DONE and LOGOUT. Skipped, with a printed reason,
//! when dovecot, openssl or python3 is not installed.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

mod support;

use groupwire_examples::imap_idle::{IdleEvent, IdleOptions, ServerUrl, watch_mailbox};
use support::dovecot::Dovecot;
use tokio::sync::{mpsc, oneshot};

const EVENT_TIMEOUT: Duration = Duration::from_secs(20);

/// Runs `python3 -c` with an imaplib session logged in as alice on plaintext IMAP, `m`.
fn second_client(dovecot: &Dovecot, statements: &str) {
    let script = format!(
        "import imaplib\nm = imaplib.IMAP4('127.0.0.1', {})\nm.login('{}', '{}')\n{statements}\nm.logout()\n",
        dovecot.get("IMAP_PORT"),
        dovecot.get("USER1"),
        dovecot.get("PASS1"),
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(&script)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "second client failed:\n{script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Waits for the next event matching `wanted`, returning the events skipped on the way.
async fn expect_event(
    events: &mut mpsc::UnboundedReceiver<IdleEvent>,
    what: &str,
    wanted: impl Fn(&IdleEvent) -> bool,
) -> Vec<IdleEvent> {
    let mut skipped = Vec::new();
    let found = tokio::time::timeout(EVENT_TIMEOUT, async {
        while let Some(event) = events.recv().await {
            if wanted(&event) {
                return true;
            }
            skipped.push(event);
        }
        false
    })
    .await;
    assert!(
        found == Ok(true),
        "no {what} event within {EVENT_TIMEOUT:?} (session ended or timed out); saw {skipped:?}"
    );
    skipped
}

async fn watch_and_deliver(dovecot: &Dovecot, url: String) {
    let options = IdleOptions {
        url: ServerUrl::parse(&url).expect("url"),
        ca_file: Some(PathBuf::from(dovecot.get("CERT"))),
        user: dovecot.get("USER1").to_string(),
        password: dovecot.get("PASS1").to_string(),
        mailbox: "INBOX".to_string(),
        reidle_after: Duration::from_secs(2),
    };
    let (event_tx, mut events) = mpsc::unbounded_channel();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let session = tokio::spawn(async move {
        watch_mailbox(
            &options,
            move |event| {
                let _ = event_tx.send(event.clone());
            },
            async move {
                let _ = stop_rx.await;
            },
        )
        .await
    });

    let before = expect_event(&mut events, "Selected", |e| {
        matches!(e, IdleEvent::Selected { .. })
    })
    .await;
    assert!(before.is_empty(), "{url}: events before SELECT: {before:?}");
    expect_event(&mut events, "Idling", |e| *e == IdleEvent::Idling).await;

    second_client(
        dovecot,
        "m.append('INBOX', None, None, b'Subject: idle test\\r\\n\\r\\nhello\\r\\n')",
    );
    expect_event(&mut events, "EXISTS 1", |e| *e == IdleEvent::Exists(1)).await;

    second_client(
        dovecot,
        "m.select('INBOX')\nm.store('1', '+FLAGS', '\\\\Seen')",
    );
    expect_event(
        &mut events,
        "FETCH FLAGS with \\Seen",
        |e| matches!(e, IdleEvent::Flags { seq: 1, flags } if flags.iter().any(|f| f == "\\Seen")),
    )
    .await;

    second_client(
        dovecot,
        "m.select('INBOX')\nm.store('1', '+FLAGS', '\\\\Deleted')\nm.expunge()",
    );
    expect_event(&mut events, "EXPUNGE 1", |e| *e == IdleEvent::Expunge(1)).await;

    // reidle_after is 2 s: DONE and a new IDLE must follow.
    expect_event(&mut events, "Idling again (re-IDLE)", |e| {
        *e == IdleEvent::Idling
    })
    .await;

    stop_tx.send(()).expect("session still running");
    let result = tokio::time::timeout(EVENT_TIMEOUT, session)
        .await
        .unwrap_or_else(|_| panic!("{url}: no clean DONE + LOGOUT within {EVENT_TIMEOUT:?}"))
        .expect("session task");
    assert!(result.is_ok(), "{url}: session ended with {result:?}");
}

#[tokio::test]
async fn idle_reports_new_flagged_and_expunged_messages() {
    let Some(dovecot) = Dovecot::start() else {
        return;
    };
    let implicit = format!("imaps://127.0.0.1:{}", dovecot.get("IMAPS_PORT"));
    watch_and_deliver(&dovecot, implicit).await;
    let starttls = format!("imap://127.0.0.1:{}", dovecot.get("IMAP_PORT"));
    watch_and_deliver(&dovecot, starttls).await;
}

#[test]
fn server_urls_parse() {
    let url = ServerUrl::parse("imaps://mail.example.org").expect("imaps");
    assert_eq!(
        (url.host.as_str(), url.port, url.implicit_tls),
        ("mail.example.org", 993, true)
    );
    let url = ServerUrl::parse("imap://[::1]:1143/").expect("imap v6");
    assert_eq!(
        (url.host.as_str(), url.port, url.implicit_tls),
        ("::1", 1143, false)
    );
    assert!(ServerUrl::parse("http://example.org").is_err());
    assert!(ServerUrl::parse("imap://example.org:99999").is_err());
    assert!(ServerUrl::parse("imap://user@example.org").is_err());
}
