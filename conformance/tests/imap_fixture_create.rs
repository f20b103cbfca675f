//! The scratch-mailbox CREATE of the IMAP checks copes with Dovecot 2.3's maildir race: under
//! concurrent sessions it answers `NO [ALREADYEXISTS]` to a CREATE of a name never used
//! before although it created the mailbox (seen against Dovecot 2.3.19.1; 2 to 7 checks of
//! every run errored before). A scripted server replays both shapes of it.

use std::sync::Arc;

use groupwire_conformance::engine::{
    CheckContext, ConnSettings, Direction, Finding, Protocol, RunEnv, TlsTrust,
};
use groupwire_conformance::suites::imap::fixture::create;
use groupwire_conformance::suites::imap::session::ImapSession;
use groupwire_conformance::target::{Endpoint, Target};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A server that greets, answers the first CREATE with `NO [ALREADYEXISTS]`, LIST with the
/// mailbox when `listed`, and a second CREATE with OK.
async fn scripted(listed: bool) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read);
        write.write_all(b"* OK scripted\r\n").await.unwrap();
        let mut creates = 0;
        let mut line = String::new();
        while lines.read_line(&mut line).await.unwrap_or(0) > 0 {
            let mut words = line.split_whitespace();
            let tag = words.next().unwrap_or("*").to_string();
            let answer = match words.next().unwrap_or("") {
                "CREATE" if creates == 0 => {
                    creates += 1;
                    format!("{tag} NO [ALREADYEXISTS] Mailbox already exists\r\n")
                }
                "CREATE" => format!("{tag} OK created\r\n"),
                "LIST" if listed => {
                    format!("* LIST (\\HasNoChildren) \"/\" gw-box\r\n{tag} OK listed\r\n")
                }
                _ => format!("{tag} OK done\r\n"),
            };
            write.write_all(answer.as_bytes()).await.unwrap();
            line.clear();
        }
    });
    port
}

async fn context(port: u16) -> CheckContext {
    let mut target = Target::empty("scripted");
    target.imap = Some(Endpoint::parse(&format!("imap+plain://127.0.0.1:{port}")).unwrap());
    let tls = groupwire_conformance::engine::client_config(&TlsTrust::Insecure).unwrap();
    let settings = ConnSettings {
        tls,
        max_buffer: groupwire_conformance::engine::DEFAULT_MAX_BUFFER,
        io_timeout: std::time::Duration::from_secs(5),
    };
    CheckContext::new(
        Arc::new(RunEnv::new(target, settings)),
        Protocol::Imap,
        None,
        None,
    )
}

fn notes(cx: &CheckContext) -> String {
    cx.transcript()
        .entries()
        .iter()
        .filter(|e| e.direction == Direction::Note)
        .map(|e| String::from_utf8_lossy(&e.bytes).into_owned())
        .collect()
}

#[tokio::test]
async fn alreadyexists_for_a_mailbox_list_shows_means_created() {
    let cx = context(scripted(true).await).await;
    let mut session = ImapSession::connect(&cx).await.unwrap();
    let reply = create(&mut session, "gw-box").await;
    assert!(reply.is_ok(), "{reply:?}");
    assert!(
        notes(&cx).contains("LIST shows the mailbox"),
        "{}",
        notes(&cx)
    );
}

#[tokio::test]
async fn alreadyexists_for_a_mailbox_list_does_not_show_is_retried_once() {
    let cx = context(scripted(false).await).await;
    let mut session = ImapSession::connect(&cx).await.unwrap();
    let reply = create(&mut session, "gw-box").await.unwrap();
    assert!(reply.is_ok());
    assert!(notes(&cx).contains("tried once more"), "{}", notes(&cx));
}

#[tokio::test]
async fn any_other_refusal_is_a_harness_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        socket.write_all(b"* OK scripted\r\n").await.unwrap();
        let mut buffer = [0u8; 256];
        let read = tokio::io::AsyncReadExt::read(&mut socket, &mut buffer)
            .await
            .unwrap();
        let tag = String::from_utf8_lossy(&buffer[..read])
            .split(' ')
            .next()
            .unwrap_or("*")
            .to_string();
        socket
            .write_all(format!("{tag} NO [OVERQUOTA] full\r\n").as_bytes())
            .await
            .unwrap();
        let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut buffer).await;
    });
    let cx = context(port).await;
    let mut session = ImapSession::connect(&cx).await.unwrap();
    match create(&mut session, "gw-box").await {
        Err(Finding::Harness(reason)) => assert!(reason.contains("OVERQUOTA"), "{reason}"),
        other => panic!("expected a harness error, got {other:?}"),
    }
}
