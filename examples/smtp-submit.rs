//! Submits one message over SMTP submission, printing every reply: port 587 with STARTTLS
//! (RFC 3207) or 465 with implicit TLS (RFC 8314), then AUTH PLAIN (RFC 4954), MAIL, RCPT,
//! DATA (or BDAT when the server offers CHUNKING and `--bdat` is given) and QUIT.
//!
//! ```sh
//! SMTP_PASSWORD=secret cargo run -p groupwire-examples --example smtp-submit -- \
//!     --host 127.0.0.1 --port 587 --ca cert.pem --user alice \
//!     --from alice@example.test --to bob@example.test [--tls] [--bdat] [--file message.eml]
//! ```
//!
//! `--tls` means implicit TLS (port 465); otherwise STARTTLS is required before AUTH. The
//! password comes from `$SMTP_PASSWORD`, never from the command line.
//!
//! Tried against Postfix 3.7 started by `scripts/servers/postfix.sh` (submission with
//! STARTTLS + DATA, submissions with implicit TLS + `--bdat`, and an 11 MB message refused
//! before MAIL for the server's SIZE limit of 10 MB), with a CA-signed leaf
//! certificate for `localhost` (`--server-name localhost --ca ca.pem`): rustls refuses a
//! self-signed certificate that is also a CA (`CaUsedAsEndEntity`) as the server's own.

use std::borrow::Cow;
use std::io;
use std::path::PathBuf;

use bytes::BytesMut;
use groupwire_examples::{secret_from_env, tls_connector};
use groupwire_smtp::auth::plain_message;
use groupwire_smtp::{
    ClientCodec, Command, Domain, Ehlo, Extension, Mailbox, Parameter, Parameters, Path, Reply,
    ReversePath, SaslPayload, encode_data,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_util::codec::{Decoder, Encoder};

struct Options {
    host: String,
    port: u16,
    implicit_tls: bool,
    server_name: Option<String>,
    ca: Option<PathBuf>,
    user: Option<String>,
    from: String,
    to: Vec<String>,
    file: Option<PathBuf>,
    bdat: bool,
}

fn usage() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "usage: smtp-submit --host H [--port 587] [--tls] [--server-name N] [--ca PEM] [--user U] \
         --from ADDR --to ADDR [--to ADDR...] [--file MESSAGE] [--bdat]   (password in $SMTP_PASSWORD)",
    )
}

fn parse_options() -> io::Result<Options> {
    let mut options = Options {
        host: String::new(),
        port: 587,
        implicit_tls: false,
        server_name: None,
        ca: None,
        user: None,
        from: String::new(),
        to: Vec::new(),
        file: None,
        bdat: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(usage);
        match arg.as_str() {
            "--host" => options.host = value()?,
            "--port" => options.port = value()?.parse().map_err(|_| usage())?,
            "--tls" => options.implicit_tls = true,
            "--server-name" => options.server_name = Some(value()?),
            "--ca" => options.ca = Some(value()?.into()),
            "--user" => options.user = Some(value()?),
            "--from" => options.from = value()?,
            "--to" => options.to.push(value()?),
            "--file" => options.file = Some(value()?.into()),
            "--bdat" => options.bdat = true,
            _ => return Err(usage()),
        }
    }
    if options.host.is_empty() || options.from.is_empty() || options.to.is_empty() {
        return Err(usage());
    }
    Ok(options)
}

/// One side of the conversation: the stream, the read buffer and the codec.
struct Client<S> {
    stream: S,
    buffer: BytesMut,
    codec: ClientCodec,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Client<S> {
    fn new(stream: S) -> Self {
        Self {
            stream,
            buffer: BytesMut::with_capacity(4096),
            codec: ClientCodec::default(),
        }
    }

    /// Reads one reply, printing it.
    async fn reply(&mut self) -> io::Result<Reply<'static>> {
        loop {
            if let Some(reply) = self
                .codec
                .decode(&mut self.buffer)
                .map_err(io::Error::other)?
            {
                print!(
                    "S: {}",
                    String::from_utf8_lossy(reply.as_bytes())
                        .replace("\r\n", "\r\nS: ")
                        .trim_end_matches("S: ")
                );
                return Ok(reply);
            }
            if self.stream.read_buf(&mut self.buffer).await? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "server closed the connection",
                ));
            }
        }
    }

    /// Sends a command (printed, with AUTH data masked) and reads the reply.
    async fn command(&mut self, command: Command<'_>) -> io::Result<Reply<'static>> {
        let mut out = BytesMut::new();
        match &command {
            Command::Auth { mechanism, .. } => println!("C: AUTH {} ****", mechanism.as_str()),
            other => print!(
                "C: {}",
                String::from_utf8_lossy(&groupwire_smtp::Encode::to_vec(other))
            ),
        }
        self.codec
            .encode(command, &mut out)
            .map_err(io::Error::other)?;
        self.stream.write_all(&out).await?;
        self.reply().await
    }

    /// Sends raw bytes (message data), printing how many.
    async fn send(&mut self, bytes: &[u8], what: &str) -> io::Result<()> {
        println!("C: <{what}: {} octets>", bytes.len());
        self.stream.write_all(bytes).await
    }
}

fn expect(reply: &Reply<'_>, code: u16, step: &str) -> io::Result<()> {
    if reply.code().get() == code {
        return Ok(());
    }
    Err(io::Error::other(format!(
        "{step}: expected {code}, got {}",
        reply.code()
    )))
}

fn path(address: &str) -> io::Result<Path<'_>> {
    let (local, domain) = address.rsplit_once('@').ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not an address: {address}"),
        )
    })?;
    Ok(Path::new(Mailbox::new(
        local,
        Domain::Name(Cow::Borrowed(domain)),
    )))
}

/// EHLO, AUTH, the transaction and QUIT, on an encrypted connection.
async fn submit<S: AsyncRead + AsyncWrite + Unpin>(
    client: &mut Client<S>,
    options: &Options,
    message: &[u8],
) -> io::Result<()> {
    let ehlo = client
        .command(Command::Ehlo {
            domain: "client.invalid".into(),
        })
        .await?;
    expect(&ehlo, 250, "EHLO")?;
    // What the server offers, typed once: extensions, SIZE, AUTH mechanisms.
    let ehlo = Ehlo::from(ehlo);
    if let Some(limit) = ehlo.size_limit()
        && message.len() as u64 > limit
    {
        return Err(io::Error::other(format!(
            "the message ({} octets) is over the server's SIZE limit ({limit})",
            message.len()
        )));
    }
    if let Some(user) = &options.user {
        let password = secret_from_env("SMTP_PASSWORD")?;
        let initial_response = SaslPayload::encode(&plain_message("", user, &password));
        let auth = client
            .command(Command::Auth {
                mechanism: groupwire_smtp::Mechanism::Plain,
                initial_response: Some(initial_response),
            })
            .await?;
        expect(&auth, 235, "AUTH PLAIN")?;
    }
    let size = Parameter::Size(message.len() as u64);
    let parameters = if ehlo.offers(Extension::Size) {
        Parameters::from_list([&size])
    } else {
        Parameters::none()
    };
    let from = ReversePath::Path(path(&options.from)?);
    expect(
        &client.command(Command::Mail { from, parameters }).await?,
        250,
        "MAIL",
    )?;
    for to in &options.to {
        expect(
            &client
                .command(Command::Rcpt {
                    to: path(to)?,
                    parameters: Parameters::none(),
                })
                .await?,
            250,
            "RCPT",
        )?;
    }
    if options.bdat && ehlo.offers(Extension::Chunking) {
        let mut out = BytesMut::new();
        groupwire_smtp::Encode::encode(
            &Command::Bdat {
                size: message.len() as u64,
                last: true,
            },
            &mut out,
        );
        print!("C: {}", String::from_utf8_lossy(&out));
        println!("C: <chunk: {} octets>", message.len());
        // One write: the command line and its chunk.
        out.extend_from_slice(message);
        client.stream.write_all(&out).await?;
        expect(&client.reply().await?, 250, "BDAT")?;
    } else {
        expect(&client.command(Command::Data).await?, 354, "DATA")?;
        let mut out = BytesMut::new();
        encode_data(message, &mut out);
        client.send(&out, "dot-stuffed message and .").await?;
        expect(&client.reply().await?, 250, "end of DATA")?;
    }
    expect(&client.command(Command::Quit).await?, 221, "QUIT")
}

fn default_message(options: &Options) -> Vec<u8> {
    format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: groupwire smtp-submit\r\nMessage-ID: <{id}.smtp-submit@groupwire.invalid>\r\n\r\nHello from groupwire-smtp.\r\n.This line starts with a dot, so it travels dot-stuffed.\r\n",
        from = options.from,
        to = options.to.join(">, <"),
        id = std::process::id(),
    )
    .into_bytes()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> io::Result<()> {
    let options = parse_options()?;
    let message = match &options.file {
        Some(file) => std::fs::read(file)?,
        None => default_message(&options),
    };
    let connector = tls_connector(options.ca.as_deref())?;
    let name = options
        .server_name
        .clone()
        .unwrap_or_else(|| options.host.clone());
    let server_name =
        ServerName::try_from(name).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let tcp = TcpStream::connect((options.host.as_str(), options.port)).await?;
    if options.implicit_tls {
        let tls = connector.connect(server_name, tcp).await?;
        let mut client = Client::new(tls);
        expect(&client.reply().await?, 220, "greeting")?;
        return submit(&mut client, &options, &message).await;
    }
    let mut plain = Client::new(tcp);
    expect(&plain.reply().await?, 220, "greeting")?;
    let ehlo = plain
        .command(Command::Ehlo {
            domain: "client.invalid".into(),
        })
        .await?;
    expect(&ehlo, 250, "EHLO")?;
    if !Ehlo::from(ehlo).offers(Extension::StartTls) {
        return Err(io::Error::other(
            "the server does not offer STARTTLS; refusing to send the password in clear",
        ));
    }
    expect(&plain.command(Command::StartTls).await?, 220, "STARTTLS")?;
    if !plain.buffer.is_empty() {
        // Bytes sent before the handshake would be a STARTTLS injection (CVE-2011-0411 class).
        return Err(io::Error::other("server sent data after 220 to STARTTLS"));
    }
    let tls = connector.connect(server_name, plain.stream).await?;
    println!("-- TLS established --");
    let mut client = Client::new(tls);
    submit(&mut client, &options, &message).await
}
