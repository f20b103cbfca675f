//! `AsyncClient` against a scripted server on an in-memory stream: greeting, LOGIN, a
//! synchronising literal, AUTHENTICATE, IDLE and the STARTTLS buffer discard.

use groupwire_imap::command::CommandBody;
use groupwire_imap::command::append::{Append, AppendData, AppendMessage};
use groupwire_imap::command::auth::Authenticate;
use groupwire_imap::core::{Atom, ByteStr, IString, Literal, Mailbox};
use groupwire_imap::response::Status;
use groupwire_imap::stream::async_client::{AsyncClient, ClientError};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};

/// Reads one CRLF line the client sent.
async fn line(server: &mut BufReader<DuplexStream>) -> String {
    let mut line = String::new();
    server.read_line(&mut line).await.unwrap();
    line
}

async fn say(server: &mut BufReader<DuplexStream>, text: &str) {
    server.get_mut().write_all(text.as_bytes()).await.unwrap();
}

#[tokio::test]
async fn login_append_idle_and_logout() {
    let (client_io, server_io) = tokio::io::duplex(4096);
    let server = tokio::spawn(async move {
        let mut s = BufReader::new(server_io);
        say(&mut s, "* OK [CAPABILITY IMAP4rev1 IDLE] hello\r\n").await;
        assert_eq!(line(&mut s).await, "A1 LOGIN alice secret\r\n");
        say(&mut s, "* CAPABILITY IMAP4rev1 IDLE\r\nA1 OK logged in\r\n").await;
        assert_eq!(line(&mut s).await, "A2 APPEND INBOX {4}\r\n");
        say(&mut s, "+ ready\r\n").await;
        let mut data = [0u8; 6];
        s.read_exact(&mut data).await.unwrap();
        assert_eq!(&data, b"hi\r\n\r\n");
        say(&mut s, "A2 OK [APPENDUID 1 7] done\r\n").await;
        assert_eq!(line(&mut s).await, "A3 IDLE\r\n");
        say(&mut s, "+ idling\r\n* 8 EXISTS\r\n").await;
        assert_eq!(line(&mut s).await, "DONE\r\n");
        say(&mut s, "A3 OK IDLE done\r\n").await;
        assert_eq!(line(&mut s).await, "A4 LOGOUT\r\n");
        say(&mut s, "* BYE bye\r\nA4 OK\r\n").await;
    });

    let (mut client, greeting) = AsyncClient::connect(client_io).await.unwrap();
    assert!(greeting.as_bytes().starts_with(b"* OK"));
    let login = client
        .execute(CommandBody::Login {
            username: IString::from("alice"),
            password: IString::from("secret"),
        })
        .await
        .unwrap();
    assert!(login.completion.is_ok());
    assert_eq!(login.data.len(), 1, "the CAPABILITY update is collected");

    let append = client
        .execute(CommandBody::Append(Append {
            mailbox: Mailbox::from_name(IString::from("INBOX")),
            messages: vec![AppendMessage {
                flags: None,
                date: None,
                data: AppendData::Literal(Literal::new(ByteStr::from(b"hi\r\n".to_vec()))),
            }],
        }))
        .await
        .unwrap();
    assert!(append.completion.is_ok());

    let mut idle = client.idle().await.unwrap();
    let update = idle.next_update().await.unwrap();
    assert_eq!(update.as_bytes(), b"* 8 EXISTS\r\n");
    let done = idle.done().await.unwrap();
    assert_eq!(done.completion.status(), Status::Ok);

    let logout = client.execute(CommandBody::Logout).await.unwrap();
    assert!(logout.completion.is_ok());
    assert_eq!(logout.data.len(), 1, "the BYE is data of LOGOUT");
    server.await.unwrap();
}

#[tokio::test]
async fn authenticate_answers_each_challenge() {
    let (client_io, server_io) = tokio::io::duplex(4096);
    let server = tokio::spawn(async move {
        let mut s = BufReader::new(server_io);
        say(&mut s, "* OK hello\r\n").await;
        assert_eq!(line(&mut s).await, "A1 AUTHENTICATE PLAIN\r\n");
        say(&mut s, "+ \r\n").await;
        assert_eq!(line(&mut s).await, "AGFsaWNlAHNlY3JldA==\r\n");
        say(&mut s, "A1 OK authenticated\r\n").await;
    });
    let (mut client, _) = AsyncClient::connect(client_io).await.unwrap();
    let mut challenges = 0;
    let reply = client
        .authenticate(
            Authenticate {
                mechanism: Atom::new("PLAIN").unwrap(),
                initial_response: None,
            },
            |challenge| {
                challenges += 1;
                assert!(challenge.is_empty());
                Some(b"\0alice\0secret".to_vec())
            },
        )
        .await
        .unwrap();
    assert!(reply.completion.is_ok());
    assert_eq!(challenges, 1);
    server.await.unwrap();
}

#[tokio::test]
async fn starttls_discards_what_the_server_injected_in_plaintext() {
    let (client_io, server_io) = tokio::io::duplex(4096);
    let server = tokio::spawn(async move {
        let mut s = BufReader::new(server_io);
        say(&mut s, "* OK hello\r\n").await;
        assert_eq!(line(&mut s).await, "A1 STARTTLS\r\n");
        // A man in the middle appends a forged response after the OK, in one segment.
        say(
            &mut s,
            "A1 OK begin TLS\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n",
        )
        .await;
        s
    });
    let (mut client, _) = AsyncClient::connect(client_io).await.unwrap();
    let reply = client.execute(CommandBody::StartTls).await.unwrap();
    assert!(reply.completion.is_ok());
    let (io, session) = client.into_parts_for_tls();
    // (A real client wraps `io` in TLS here.) Nothing read in plaintext survives.
    let mut client = AsyncClient::resume(io, session);
    let server = server.await.unwrap();
    drop(server);
    match client.execute(CommandBody::Noop).await {
        Err(ClientError::Closed) | Err(ClientError::Io(_)) => {}
        other => panic!("the injected CAPABILITY must not be read: {other:?}"),
    }
}

#[tokio::test]
async fn a_bye_greeting_is_an_error() {
    let (client_io, mut server_io) = tokio::io::duplex(4096);
    server_io
        .write_all(b"* BYE too many connections\r\n")
        .await
        .unwrap();
    match AsyncClient::connect(client_io).await {
        Err(ClientError::Rejected(frame)) => assert!(frame.as_bytes().starts_with(b"* BYE")),
        other => panic!("{other:?}"),
    }
}
