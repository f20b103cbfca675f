//! Issue 13's SMTP yardstick: a tokio receiver on `groupwire_smtp`'s public API
//! ([`ServerCodec`] with [`Capabilities::reply`]), fed by Python's `smtplib` as a real client.
//! The receiver is [`receive`]: it answers EHLO, MAIL, RCPT, DATA (un-stuffing the payload) and
//! QUIT, and carries on after bad input: 500 to an over-long line, 554 to a payload with a bare
//! LF (the strict default, which defeats SMTP smuggling).

use std::error::Error;
use std::process::Command as Process;

use bytes::BytesMut;
use groupwire_smtp::{
    Capabilities, Capability, Command, Encode, EnhancedCode, Limits, Reply, ReplyCode, ServerCodec,
    ServerEvent,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::Decoder;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// A one-line reply; `(0, 0, 0)` for none (354 has no enhanced code, RFC 3463 §2).
fn reply(code: u16, enhanced: (u8, u16, u16), text: &str) -> Result<Reply<'static>> {
    let code = ReplyCode::new(code).ok_or("reply code")?;
    let enhanced = EnhancedCode::new(enhanced.0, enhanced.1, enhanced.2);
    Ok(Reply::new(code, enhanced, &[text])?)
}

/// Serves one SMTP session on `stream`; returns the messages received (payload un-stuffed).
async fn receive(mut stream: TcpStream) -> Result<Vec<Vec<u8>>> {
    let mut codec = ServerCodec::new(Limits::default());
    let (mut input, mut output) = (BytesMut::new(), BytesMut::new());
    let (mut messages, mut message) = (Vec::new(), Vec::new());
    reply(220, (2, 0, 0), "receiver.example ready")?.encode(&mut output);
    loop {
        stream.write_all(&output.split()).await?;
        let Some(event) = codec.decode(&mut input)? else {
            if stream.read_buf(&mut input).await? == 0 {
                return Ok(messages);
            }
            continue;
        };
        let answer = match event {
            ServerEvent::Command(Command::Ehlo { .. }) => Capabilities::reply(
                "receiver.example",
                None,
                &[Capability::Pipelining, Capability::EnhancedStatusCodes],
            )?,
            ServerEvent::Command(Command::Data) => {
                codec.expect_data();
                reply(354, (0, 0, 0), "end with <CRLF>.<CRLF>")?
            }
            ServerEvent::MessageData(bytes) => {
                message.extend_from_slice(&bytes);
                continue;
            }
            ServerEvent::MessageEnd => {
                messages.push(std::mem::take(&mut message));
                reply(250, (2, 0, 0), "queued")?
            }
            ServerEvent::Command(Command::Quit) => {
                reply(221, (2, 0, 0), "bye")?.encode(&mut output);
                stream.write_all(&output.split()).await?;
                return Ok(messages);
            }
            ServerEvent::LineTooLong { .. } => reply(500, (5, 5, 6), "line too long")?,
            ServerEvent::MessageRejected { .. } => reply(554, (5, 6, 0), "refused")?,
            ServerEvent::Malformed { .. } => reply(501, (5, 5, 4), "syntax error")?,
            _ => reply(250, (2, 0, 0), "ok")?,
        };
        answer.encode(&mut output);
    }
}

/// The client: Python's smtplib, as people send mail from scripts.
const CLIENT: &str = r#"
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]))
s.ehlo("client.example")
code, _ = s.docmd("NOOP", "x" * 1200)
assert code == 500, code
# Bytes go out as they are: the bare LF is refused (after the whole payload), and the session
# goes on.
try:
    s.sendmail("alice@example.org", ["bob@example.org"], b"Subject: bare\r\n\r\nbare\nLF\r\n")
    raise SystemExit("a bare LF was accepted")
except smtplib.SMTPDataError as error:
    assert error.smtp_code == 554, error
s.rset()
# Text has its line ends fixed by smtplib, and a leading dot is stuffed.
s.sendmail("alice@example.org", ["bob@example.org"], "Subject: hi\n\n.a dot line\nbody\n")
s.quit()
"#;

#[tokio::test]
async fn smtplib_delivers_to_a_receiver_on_the_public_api() -> Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await?;
        receive(stream).await
    });
    let client = tokio::task::spawn_blocking(move || {
        Process::new("python3")
            .args(["-c", CLIENT, &port.to_string()])
            .output()
    })
    .await??;
    let messages = server.await?;
    assert!(
        client.status.success(),
        "smtplib: {}\nreceiver: {messages:?}",
        String::from_utf8_lossy(&client.stderr)
    );
    let messages = messages?;
    // smtplib dot-stuffed the leading dot; the receiver un-stuffed it.
    assert_eq!(
        messages,
        [b"Subject: hi\r\n\r\n.a dot line\r\nbody\r\n".to_vec()]
    );
    Ok(())
}
