//! `read_until_decoded` with a real codec decoder: a multi-line SMTP reply that arrives in
//! small, delayed chunks is framed once complete; a malformed reply is an `Invalid` error that
//! carries the codec's message and the offending bytes.

use std::sync::Arc;
use std::time::Duration;

use groupwire_conformance::engine::{
    ConnError, ConnSettings, Connection, Masker, TlsTrust, Transcript, client_config, codec,
};
use groupwire_smtp::{Limits, decode_reply};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

async fn server(chunks: &'static [&'static [u8]]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        for chunk in chunks {
            socket.write_all(chunk).await.unwrap();
            socket.flush().await.unwrap();
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    });
    port
}

async fn connect(port: u16) -> Connection {
    let settings = ConnSettings {
        tls: client_config(&TlsTrust::System).unwrap(),
        max_buffer: 4096,
        io_timeout: Duration::from_secs(2),
    };
    let transcript = Transcript::new(Arc::new(Masker::default()), 4096);
    Connection::connect("127.0.0.1", port, false, &settings, transcript, 1)
        .await
        .unwrap()
}

#[tokio::test]
async fn chunked_multiline_reply_is_framed_by_the_smtp_codec() {
    static CHUNKS: [&[u8]; 5] = [
        b"250-mail.exa",
        b"mple.org\r\n250-PIPELI",
        b"NING\r\n250 STAR",
        b"TTLS\r\n",
        b"221 bye\r\n",
    ];
    let mut conn = connect(server(&CHUNKS).await).await;
    let limits = Limits::default();
    let reply = conn
        .read_until_decoded(|buf| codec::smtp(decode_reply(buf, &limits), |r| r.into_owned()))
        .await
        .unwrap();
    assert_eq!(reply.line_count(), 3);
    assert_eq!(reply.first_line(), b"mail.example.org");
    let next = conn
        .read_until_decoded(|buf| codec::smtp(decode_reply(buf, &limits), |r| r.into_owned()))
        .await
        .unwrap();
    assert_eq!(next.first_line(), b"bye");
}

#[tokio::test]
async fn malformed_reply_is_invalid_with_the_codec_message() {
    static CHUNKS: [&[u8]; 1] = [b"hello \x01 world\r\n"];
    let mut conn = connect(server(&CHUNKS).await).await;
    let limits = Limits::default();
    let error = conn
        .read_until_decoded(|buf| codec::smtp(decode_reply(buf, &limits), |r| r.into_owned()))
        .await
        .unwrap_err();
    let ConnError::Invalid(message) = error else {
        panic!("expected Invalid, got {error:?}");
    };
    assert!(message.contains("at offset 0"), "{message}");
    assert!(message.contains("hello \\x01 world\\r\\n"), "{message}");
}

#[tokio::test]
async fn read_line_across_chunks_and_many_lines_in_one_read() {
    static CHUNKS: [&[u8]; 3] = [b"a\r\nbb", b"b\r\nccc\r\n", b"1\n2\n3\nrest"];
    let mut conn = connect(server(&CHUNKS).await).await;
    let mut lines = Vec::new();
    for _ in 0..6 {
        lines.push(conn.read_line().await.unwrap());
    }
    let expected: [&[u8]; 6] = [b"a\r\n", b"bbb\r\n", b"ccc\r\n", b"1\n", b"2\n", b"3\n"];
    assert_eq!(lines, expected);
    assert_eq!(conn.buffered(), b"rest");
    conn.consume(2);
    assert_eq!(conn.buffered(), b"st");
}
