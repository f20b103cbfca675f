//! Issue 13's yardstick: an async IMAP client on `groupwire_imap::stream::async_client`, using
//! only public APIs, against the embedded reference server and a real Dovecot, over implicit
//! TLS and STARTTLS. The client itself is [`inbox_then_one_update`]: about 30 lines, where the
//! same program took 144 before the client session existed (async-imap needs about 40).

mod support;

use std::error::Error;
use std::net::SocketAddr;
use std::sync::Arc;

use groupwire_imap::command::CommandBody;
use groupwire_imap::command::append::{Append, AppendData, AppendMessage};
use groupwire_imap::command::fetch::FetchAttributeName;
use groupwire_imap::core::{ByteStr, Literal, Mailbox};
use groupwire_imap::stream::async_client::AsyncClient;
use groupwire_reference::{Reference, ReferenceOptions};
use support::dovecot::Dovecot;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// Connects (implicit TLS or STARTTLS), logs in, opens INBOX, fetches every message's flags,
/// waits in IDLE for one update (announcing `idling` once the server accepted IDLE), logs out.
/// Returns how many FETCH responses came and the update.
async fn inbox_then_one_update(
    server: SocketAddr,
    implicit_tls: bool,
    tls: TlsConnector,
    login: (&str, &str),
    idling: oneshot::Sender<()>,
) -> Result<(usize, String)> {
    let tcp = TcpStream::connect(server).await?;
    let name = ServerName::try_from("localhost")?;
    let mut client = if implicit_tls {
        AsyncClient::connect(tls.connect(name, tcp).await?).await?.0
    } else {
        let (mut plain, _greeting) = AsyncClient::connect(tcp).await?;
        plain.execute(CommandBody::StartTls).await?.ok()?;
        let (tcp, session) = plain.into_parts_for_tls();
        AsyncClient::resume(tls.connect(name, tcp).await?, session)
    };
    client
        .execute(CommandBody::login(login.0, login.1))
        .await?
        .ok()?;
    client.execute(CommandBody::select("INBOX")).await?.ok()?;
    let flags = vec![FetchAttributeName::Flags];
    let fetched = client
        .execute(CommandBody::fetch("1:*".parse()?, flags))
        .await?
        .ok()?;
    let mut idle = client.idle().await?;
    let _ = idling.send(());
    let update = idle.next_update().await?;
    idle.done().await?.ok()?;
    client.execute(CommandBody::Logout).await?;
    Ok((
        fetched.data.len(),
        String::from_utf8_lossy(update.as_bytes()).into(),
    ))
}

/// A second session that appends one message to INBOX (over implicit TLS).
async fn append_one(server: SocketAddr, tls: TlsConnector, login: (&str, &str)) -> Result<()> {
    let tcp = TcpStream::connect(server).await?;
    let stream = tls.connect(ServerName::try_from("localhost")?, tcp).await?;
    let (mut client, _) = AsyncClient::connect(stream).await?;
    client
        .execute(CommandBody::login(login.0, login.1))
        .await?
        .ok()?;
    let message = b"From: bob@example.org\r\nSubject: ping\r\n\r\nhello\r\n".to_vec();
    let append = Append {
        mailbox: Mailbox::from("INBOX"),
        messages: vec![AppendMessage {
            flags: None,
            date: None,
            data: AppendData::Literal(Literal::new(ByteStr::from(message))),
        }],
    };
    client.execute(CommandBody::Append(append)).await?.ok()?;
    client.execute(CommandBody::Logout).await?;
    Ok(())
}

/// One message first (so INBOX is not empty), then the watcher, then a second message while it
/// idles: the watcher must see the FETCH answers and an EXISTS update.
async fn round_trip(
    watch: SocketAddr,
    implicit_tls: bool,
    append_to: SocketAddr,
    tls: TlsConnector,
    login: (&str, &str),
) {
    append_one(append_to, tls.clone(), login).await.unwrap();
    let (idling, idle_started) = oneshot::channel();
    let watcher = {
        let (tls, user, pass) = (tls.clone(), login.0.to_string(), login.1.to_string());
        tokio::spawn(async move {
            inbox_then_one_update(watch, implicit_tls, tls, (&user, &pass), idling).await
        })
    };
    idle_started.await.expect("the watcher reached IDLE");
    append_one(append_to, tls, login).await.unwrap();
    let result = tokio::time::timeout(std::time::Duration::from_secs(20), watcher)
        .await
        .expect("the IDLE update arrived in time")
        .unwrap();
    let (fetched, update) = result.unwrap();
    assert!(fetched >= 1, "FETCH 1:* FLAGS answered for every message");
    assert!(update.ends_with("EXISTS\r\n"), "{update}");
}

#[tokio::test]
async fn against_the_reference_server() {
    let reference = Reference::start(ReferenceOptions::default()).await.unwrap();
    let tls = TlsConnector::from(reference.tls.client.clone());
    let account = &reference.accounts[0];
    let login = (account.address.as_str(), account.password.as_str());
    round_trip(reference.imaps, true, reference.imaps, tls.clone(), login).await;
    round_trip(reference.imap, false, reference.imaps, tls, login).await;
    reference.stop().await;
}

#[tokio::test]
async fn against_a_real_dovecot() {
    let Some(dovecot) = Dovecot::start() else {
        return;
    };
    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    let pem = std::fs::read(dovecot.get("CERT")).unwrap();
    for cert in rustls_pemfile_certs(&pem) {
        roots.add(cert).unwrap();
    }
    let config = tokio_rustls::rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tls = TlsConnector::from(Arc::new(config));
    let address = |key: &str| -> SocketAddr {
        format!("{}:{}", dovecot.get("HOST"), dovecot.get(key))
            .parse()
            .unwrap()
    };
    let login = (dovecot.get("USER1"), dovecot.get("PASS1"));
    round_trip(
        address("IMAPS_PORT"),
        true,
        address("IMAPS_PORT"),
        tls.clone(),
        login,
    )
    .await;
    round_trip(
        address("IMAP_PORT"),
        false,
        address("IMAPS_PORT"),
        tls,
        login,
    )
    .await;
}

/// The certificates of a PEM file.
fn rustls_pemfile_certs(
    pem: &[u8],
) -> Vec<tokio_rustls::rustls::pki_types::CertificateDer<'static>> {
    use tokio_rustls::rustls::pki_types::CertificateDer;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .unwrap()
}
