//! `groupwire-reference` as a test library: a deployment built for this test (an account, a
//! seeded message, a seeded calendar with one event), then real clients on the codecs' public
//! APIs against it: IMAP LOGIN/SELECT/FETCH of the seeded message, SMTP submission of a second
//! one found again by IMAP SEARCH, and a CalDAV calendar-query REPORT finding the seeded event.
//! Everything is in-process; nothing to install.

use std::error::Error;

use base64::Engine as _;
use bytes::BytesMut;
use groupwire_dav::body::{CalendarQuery, DavRequest, DavResponse};
use groupwire_dav::ical::UtcRange;
use groupwire_dav::xml::CalDav;
use groupwire_dav::{Decoded, Limits};
use groupwire_imap::command::CommandBody;
use groupwire_imap::command::fetch::FetchAttributeName;
use groupwire_imap::stream::async_client::AsyncClient;
use groupwire_reference::Reference;
use groupwire_smtp::auth::plain_message;
use groupwire_smtp::{
    ClientCodec, Command, Domain, Mailbox, Parameters, Path, Reply, ReversePath, SaslPayload,
    encode_data,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_util::codec::{Decoder, Encoder};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

const ADA: &str = "ada@example.test";
const PASSWORD: &str = "correct horse battery";

const SEEDED: &str = "From: Bob <bob@example.test>\r\nTo: Ada <ada@example.test>\r\n\
Subject: seeded by the builder\r\nMessage-ID: <seeded@example.test>\r\n\r\nHello Ada.\r\n";

const KICKOFF: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//groupwire//reference test//EN\r\n\
BEGIN:VEVENT\r\nUID:kickoff@example.test\r\nDTSTAMP:20260101T000000Z\r\n\
DTSTART:20260324T090000Z\r\nDTEND:20260324T100000Z\r\nSUMMARY:Kickoff\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

async fn deployment() -> Reference {
    Reference::builder()
        .account(ADA, PASSWORD)
        .message_with_flags(ADA, "INBOX", SEEDED, &["\\Flagged"])
        .calendar(ADA, "work")
        .calendar_object(ADA, "work", "kickoff.ics", KICKOFF)
        .start()
        .await
        .expect("the reference starts")
}

/// A TLS connection to `address`, trusting only the deployment's generated CA.
async fn tls(server: &Reference, address: std::net::SocketAddr) -> Result<TlsStream<TcpStream>> {
    let connector = TlsConnector::from(server.client_tls_config());
    let tcp = TcpStream::connect(address).await?;
    Ok(connector
        .connect(ServerName::try_from("localhost")?, tcp)
        .await?)
}

/// IMAP over implicit TLS: LOGIN, SELECT INBOX, `FETCH 1:* (FLAGS BODY.PEEK[HEADER])`;
/// returns the FETCH responses as text.
async fn fetch_inbox(server: &Reference) -> Result<Vec<String>> {
    let (mut client, _greeting) = AsyncClient::connect(tls(server, server.imaps).await?).await?;
    client
        .execute(CommandBody::login(ADA, PASSWORD))
        .await?
        .ok()?;
    client.execute(CommandBody::select("INBOX")).await?.ok()?;
    let attributes = vec![FetchAttributeName::Flags, FetchAttributeName::Envelope];
    let fetched = client
        .execute(CommandBody::fetch("1:*".parse()?, attributes))
        .await?
        .ok()?;
    client.execute(CommandBody::Logout).await?;
    Ok(fetched
        .data
        .iter()
        .map(|frame| String::from_utf8_lossy(frame.as_bytes()).into_owned())
        .collect())
}

/// Reads one SMTP reply through the client codec.
async fn reply<S: AsyncRead + Unpin>(
    stream: &mut S,
    codec: &mut ClientCodec,
    buffer: &mut BytesMut,
) -> Result<Reply<'static>> {
    loop {
        if let Some(reply) = codec.decode(buffer)? {
            return Ok(reply);
        }
        if stream.read_buf(buffer).await? == 0 {
            return Err("the server closed the connection".into());
        }
    }
}

/// Sends one command and reads its reply, which must have `code`.
async fn command<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    codec: &mut ClientCodec,
    buffer: &mut BytesMut,
    command: Command<'_>,
    code: u16,
) -> Result<Reply<'static>> {
    let mut out = BytesMut::new();
    codec.encode(command, &mut out)?;
    stream.write_all(&out).await?;
    let answer = reply(stream, codec, buffer).await?;
    if answer.code().get() != code {
        return Err(format!("expected {code}, got {}", answer.code()).into());
    }
    Ok(answer)
}

fn path(local: &str) -> Path<'_> {
    Path::new(Mailbox::new(local, Domain::Name("example.test".into())))
}

/// Submission over implicit TLS: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT.
async fn submit(server: &Reference, message: &[u8]) -> Result<()> {
    let mut stream = tls(server, server.submissions).await?;
    let (mut codec, mut buffer) = (ClientCodec::default(), BytesMut::new());
    let greeting = reply(&mut stream, &mut codec, &mut buffer).await?;
    assert_eq!(greeting.code().get(), 220);
    let (s, c, b) = (&mut stream, &mut codec, &mut buffer);
    let ehlo = Command::Ehlo {
        domain: "client.example.test".into(),
    };
    command(s, c, b, ehlo, 250).await?;
    let auth = Command::Auth {
        mechanism: groupwire_smtp::Mechanism::Plain,
        initial_response: Some(SaslPayload::encode(&plain_message("", ADA, PASSWORD))),
    };
    command(s, c, b, auth, 235).await?;
    let mail = Command::Mail {
        from: ReversePath::Path(path("ada")),
        parameters: Parameters::none(),
    };
    command(s, c, b, mail, 250).await?;
    let rcpt = Command::Rcpt {
        to: path("ada"),
        parameters: Parameters::none(),
    };
    command(s, c, b, rcpt, 250).await?;
    command(s, c, b, Command::Data, 354).await?;
    let mut data = BytesMut::new();
    encode_data(message, &mut data);
    s.write_all(&data).await?;
    let accepted = reply(s, c, b).await?;
    assert_eq!(accepted.code().get(), 250, "end of DATA");
    command(s, c, b, Command::Quit, 221).await?;
    Ok(())
}

/// One HTTP/1.1 request over TLS with Basic authentication; the status and the body.
async fn http(
    server: &Reference,
    method: &str,
    url: &str,
    depth: &str,
    body: &[u8],
) -> Result<(u16, Vec<u8>)> {
    let path = url.split_once("://").map_or(url, |(_, rest)| {
        rest.find('/').map_or("/", |slash| &rest[slash..])
    });
    let credentials = base64::engine::general_purpose::STANDARD.encode(format!("{ADA}:{PASSWORD}"));
    let mut stream = tls(server, server.dav).await?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic {credentials}\r\n\
         Depth: {depth}\r\nContent-Type: application/xml; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    let mut response = Vec::new();
    // The server closes after answering; a missing close_notify after a complete answer is
    // not this test's concern.
    let _ = stream.read_to_end(&mut response).await;
    let text = String::from_utf8_lossy(&response);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or("no status line")?;
    let start = response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .ok_or("no end of header")?
        + 4;
    Ok((status, response[start..].to_vec()))
}

#[tokio::test]
async fn imap_fetches_the_seeded_message() {
    let server = deployment().await;
    let fetched = fetch_inbox(&server).await.unwrap();
    assert_eq!(fetched.len(), 1, "{fetched:?}");
    assert!(fetched[0].contains("\\Flagged"), "{}", fetched[0]);
    assert!(
        fetched[0].contains("seeded by the builder"),
        "{}",
        fetched[0]
    );
    server.stop().await;
}

#[tokio::test]
async fn a_submitted_message_arrives_in_the_inbox() {
    let server = deployment().await;
    let message = b"From: <ada@example.test>\r\nTo: <ada@example.test>\r\n\
Subject: sent over submission\r\nMessage-ID: <submitted@example.test>\r\n\r\n\
.A line starting with a dot travels dot-stuffed.\r\n";
    submit(&server, message).await.unwrap();
    let fetched = fetch_inbox(&server).await.unwrap();
    assert_eq!(fetched.len(), 2, "{fetched:?}");
    assert!(
        fetched[1].contains("sent over submission"),
        "{}",
        fetched[1]
    );
    server.stop().await;
}

#[tokio::test]
async fn caldav_finds_the_seeded_event() {
    let server = deployment().await;
    let calendar = server.calendar_url(ADA, "work");
    let week = UtcRange::parse("20260323T000000Z", "20260330T000000Z").unwrap();
    let query = DavRequest::CalendarQuery(CalendarQuery::in_range("VEVENT", week)).to_vec();
    let (status, body) = http(&server, "REPORT", &calendar, "1", &query)
        .await
        .unwrap();
    assert_eq!(status, 207, "{}", String::from_utf8_lossy(&body));
    let Ok(Decoded::Complete {
        value: DavResponse::Multistatus(multistatus),
        ..
    }) = DavResponse::decode(&body, &Limits::default())
    else {
        panic!("not a multistatus: {}", String::from_utf8_lossy(&body));
    };
    assert_eq!(multistatus.responses.len(), 1);
    let data = multistatus.responses[0]
        .prop(CalDav::CalendarData)
        .and_then(|prop| prop.value.as_data())
        .expect("calendar-data");
    assert!(String::from_utf8_lossy(data.data.as_bytes()).contains("SUMMARY:Kickoff"));
    // Outside the week: nothing.
    let april = UtcRange::parse("20260401T000000Z", "20260408T000000Z").unwrap();
    let query = DavRequest::CalendarQuery(CalendarQuery::in_range("VEVENT", april)).to_vec();
    let (status, body) = http(&server, "REPORT", &calendar, "1", &query)
        .await
        .unwrap();
    assert_eq!(status, 207);
    assert!(!String::from_utf8_lossy(&body).contains("Kickoff"));
    server.stop().await;
}

#[tokio::test]
async fn an_unknown_fault_or_a_bad_event_fails_the_start() {
    let unknown = Reference::builder().fault("no-such-fault").start().await;
    assert!(unknown.is_err());
    let bad = Reference::builder()
        .account(ADA, PASSWORD)
        .calendar_object(
            ADA,
            "default",
            "bad.ics",
            "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        )
        .start()
        .await;
    assert!(bad.is_err());
    let faulty = Reference::builder()
        .fault("imap-starttls-refused")
        .start()
        .await;
    assert!(faulty.is_ok());
}
