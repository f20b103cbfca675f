//! The submission action, on `groupwire-smtp`'s client role: commands are parsed and encoded
//! by the codec, every reply is decoded by its [`ReplyDecoder`], data is dot-stuffed by
//! [`encode_data`]. One session per message: connect, (STARTTLS,) EHLO, AUTH PLAIN, MAIL,
//! RCPT, DATA, QUIT.

use bytes::BytesMut;
use groupwire_smtp::command::parse_command_line;
use groupwire_smtp::{Decoded, Encode, Limits, ReplyDecoder, encode_data};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::accounts::User;
use super::conn::{BoxIo, Dialer};
use super::tracker::Tracker;

/// Why a submission failed.
#[derive(Debug)]
pub struct SmtpError {
    /// The kind counted in the report: `smtp.451`, `smtp.535`, `smtp.io`, `smtp.decode`,
    /// `smtp.closed`, `smtp.connect`, `smtp.tls`.
    pub kind: String,
    /// What happened.
    pub detail: String,
}

impl SmtpError {
    /// Whether this is a grammar violation (a reply the codec could not decode).
    pub fn is_grammar(&self) -> bool {
        self.kind == "smtp.decode"
    }
}

/// A message of about `size` octets from `from` to `to` with `message_id`.
pub fn message_text(from: &str, to: &str, message_id: &str, size: usize) -> Vec<u8> {
    let mut text = format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: groupwire load {message_id}\r\nMessage-ID: {message_id}\r\n\
         Date: {}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n",
        chrono::Utc::now().to_rfc2822()
    )
    .into_bytes();
    let line = b"The quick brown fox jumps over the lazy dog. groupwire load filler text.\r\n";
    while text.len() < size {
        text.extend_from_slice(line);
    }
    text
}

struct Conversation<S> {
    io: S,
    input: BytesMut,
    decoder: ReplyDecoder,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conversation<S> {
    /// Reads one reply; returns its code and first line.
    async fn reply(&mut self) -> Result<(u16, String), SmtpError> {
        loop {
            match self.decoder.decode(&self.input) {
                Ok(Decoded::Complete { value, consumed }) => {
                    let code = value.code().get();
                    let text = String::from_utf8_lossy(value.first_line())
                        .trim_end()
                        .to_string();
                    let _ = self.input.split_to(consumed);
                    return Ok((code, text));
                }
                Ok(Decoded::Incomplete { .. }) => {}
                Err(error) => {
                    return Err(SmtpError {
                        kind: "smtp.decode".into(),
                        detail: format!(
                            "{error}: {}",
                            String::from_utf8_lossy(&self.input[..self.input.len().min(200)])
                        ),
                    });
                }
            }
            let read = self.io.read_buf(&mut self.input).await.map_err(io_error)?;
            if read == 0 {
                return Err(SmtpError {
                    kind: "smtp.closed".into(),
                    detail: "the server closed the connection".into(),
                });
            }
        }
    }

    /// Sends `line` (parsed and re-encoded by the codec) and expects a reply of `want`'s class.
    async fn command(&mut self, line: &str, want: u16) -> Result<(u16, String), SmtpError> {
        let limits = Limits::default();
        let command = parse_command_line(line.as_bytes(), &limits).map_err(|error| SmtpError {
            kind: "smtp.harness".into(),
            detail: format!(
                "cannot encode {}: {error}",
                line.split(' ').next().unwrap_or("")
            ),
        })?;
        let mut out = BytesMut::new();
        command.encode(&mut out);
        self.io.write_all(&out).await.map_err(io_error)?;
        self.io.flush().await.map_err(io_error)?;
        self.expect(want).await
    }

    async fn expect(&mut self, want: u16) -> Result<(u16, String), SmtpError> {
        let (code, text) = self.reply().await?;
        if code / 100 != want / 100 {
            return Err(SmtpError {
                kind: format!("smtp.{code}"),
                detail: text,
            });
        }
        Ok((code, text))
    }
}

fn io_error(error: std::io::Error) -> SmtpError {
    SmtpError {
        kind: "smtp.io".into(),
        detail: error.to_string(),
    }
}

/// Submits one message of `size` from `from` to `to`, registered with the tracker: accepted
/// (250 after DATA) means it must be delivered.
pub async fn submit(
    dialer: &Dialer,
    from: &User,
    to: &User,
    size: usize,
    tracker: &Tracker,
) -> Result<(), SmtpError> {
    let dial = |e: super::conn::DialError| SmtpError {
        kind: format!("smtp.{}", e.kind),
        detail: e.detail,
    };
    let tcp = dialer.tcp().await.map_err(dial)?;
    let io: BoxIo = if dialer.implicit_tls() {
        dialer.tls(tcp).await.map_err(dial)?
    } else if dialer.starttls() {
        let mut plain = Conversation {
            io: tcp,
            input: BytesMut::new(),
            decoder: ReplyDecoder::new(Limits::default()),
        };
        plain.expect(220).await?;
        plain.command("EHLO load.groupwire.test", 250).await?;
        plain.command("STARTTLS", 220).await?;
        // Whatever followed the 220 in plaintext is dropped (RFC 3207 §4.2).
        dialer.tls(plain.io).await.map_err(dial)?
    } else {
        Box::new(tcp)
    };
    let mut smtp = Conversation {
        io,
        input: BytesMut::new(),
        decoder: ReplyDecoder::new(Limits::default()),
    };
    if !dialer.starttls() {
        smtp.expect(220).await?;
    }
    smtp.command("EHLO load.groupwire.test", 250).await?;
    let plain = groupwire_smtp::auth::plain_message("", &from.login, from.password.expose());
    let initial = groupwire_smtp::auth::base64_encode(&plain);
    smtp.command(&format!("AUTH PLAIN {initial}"), 235).await?;
    let (seq, message_id) = tracker.new_message(from.index, to.index);
    let result = async {
        smtp.command(&format!("MAIL FROM:<{}>", from.address), 250)
            .await?;
        smtp.command(&format!("RCPT TO:<{}>", to.address), 250)
            .await?;
        smtp.command("DATA", 354).await?;
        let mut data = BytesMut::new();
        encode_data(
            &message_text(&from.address, &to.address, &message_id, size),
            &mut data,
        );
        smtp.io.write_all(&data).await.map_err(io_error)?;
        smtp.io.flush().await.map_err(io_error)?;
        tracker.data_sent(seq);
        smtp.expect(250).await
    }
    .await;
    match result {
        Ok(_) => tracker.accepted(seq),
        Err(error) => {
            tracker.abandoned(seq);
            return Err(error);
        }
    }
    let _ = smtp.command("QUIT", 221).await;
    Ok(())
}
