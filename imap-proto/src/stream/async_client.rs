//! [`AsyncClient`]: the [`ClientSession`] over any tokio stream (TCP, TLS), one command at a
//! time with its untagged responses collected, plus AUTHENTICATE, IDLE and STARTTLS helpers.
//!
//! ```no_run
//! # async fn run() -> Result<(), groupwire_imap::stream::async_client::ClientError> {
//! use groupwire_imap::command::CommandBody;
//! use groupwire_imap::stream::async_client::AsyncClient;
//!
//! let tcp = tokio::net::TcpStream::connect("127.0.0.1:143").await?;
//! let (mut client, _greeting) = AsyncClient::connect(tcp).await?;
//! client.execute(CommandBody::login("alice", "secret")).await?.ok()?;
//! let select = client.execute(CommandBody::select("INBOX")).await?.ok()?;
//! println!("{} untagged responses to SELECT", select.data.len());
//! let mut idle = client.idle().await?;
//! let update = idle.next_update().await?; // e.g. `* 4 EXISTS`
//! println!("{}", String::from_utf8_lossy(update.as_bytes()));
//! idle.done().await?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::client::ResponseFrame;
use super::session::{ClientSession, Completion, Event, SessionError};
use crate::DecodeError;
use crate::command::CommandBody;
use crate::command::auth::Authenticate;
use crate::core::Tag;

/// Why an [`AsyncClient`] call failed.
#[derive(Debug)]
pub enum ClientError {
    /// Reading or writing the stream failed.
    Io(io::Error),
    /// The server sent something that is not IMAP (or exceeds the limits); close the stream.
    Decode(DecodeError),
    /// The server closed the connection.
    Closed,
    /// A call out of turn (DONE without IDLE, an answer without a challenge).
    Session(SessionError),
    /// The server answered the greeting with `* BYE`.
    Rejected(ResponseFrame),
    /// The server refused a command ([`Reply::ok`]) or IDLE (answered `NO`/`BAD`).
    Refused(Completion),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Io(error) => write!(f, "i/o error: {error}"),
            ClientError::Decode(error) => write!(f, "undecodable response: {error}"),
            ClientError::Closed => f.write_str("the server closed the connection"),
            ClientError::Session(error) => error.fmt(f),
            ClientError::Rejected(frame) => write!(
                f,
                "the server refused the connection: {}",
                String::from_utf8_lossy(frame.as_bytes()).trim_end()
            ),
            ClientError::Refused(completion) => write!(
                f,
                "the server refused the command: {}",
                String::from_utf8_lossy(completion.frame().as_bytes()).trim_end()
            ),
        }
    }
}

impl std::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClientError::Io(error) => Some(error),
            ClientError::Decode(error) => Some(error),
            ClientError::Session(error) => Some(error),
            ClientError::Closed | ClientError::Rejected(_) | ClientError::Refused(_) => None,
        }
    }
}

impl From<io::Error> for ClientError {
    fn from(error: io::Error) -> Self {
        ClientError::Io(error)
    }
}

impl From<DecodeError> for ClientError {
    fn from(error: DecodeError) -> Self {
        ClientError::Decode(error)
    }
}

impl From<SessionError> for ClientError {
    fn from(error: SessionError) -> Self {
        ClientError::Session(error)
    }
}

/// What a command got back: the untagged responses that arrived while it ran, and its
/// tagged completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Untagged responses, in arrival order (parse each with [`ResponseFrame::response`]).
    pub data: Vec<ResponseFrame>,
    /// The tagged `OK`, `NO` or `BAD`.
    pub completion: Completion,
}

impl Reply {
    /// The reply if the command succeeded (`OK`), else [`ClientError::Refused`], so a
    /// session reads `client.execute(...).await?.ok()?`.
    pub fn ok(self) -> Result<Reply, ClientError> {
        if self.completion.is_ok() {
            Ok(self)
        } else {
            Err(ClientError::Refused(self.completion))
        }
    }
}

/// An IMAP client over a tokio stream. See the [module docs](self).
#[derive(Debug)]
pub struct AsyncClient<S> {
    io: S,
    session: ClientSession,
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncClient<S> {
    /// Reads the greeting with a default [`ClientSession`]; `* BYE` is an error.
    pub async fn connect(io: S) -> Result<(Self, ResponseFrame), ClientError> {
        Self::connect_with(io, ClientSession::default()).await
    }

    /// Reads the greeting with the given session (its limits, tags, literal policy).
    pub async fn connect_with(
        io: S,
        session: ClientSession,
    ) -> Result<(Self, ResponseFrame), ClientError> {
        let mut client = Self { io, session };
        match client.next_event().await? {
            Event::Greeting(frame) if frame.as_bytes().starts_with(b"* BYE") => {
                Err(ClientError::Rejected(frame))
            }
            Event::Greeting(frame) => Ok((client, frame)),
            // The session's first event is always the greeting.
            _ => Err(ClientError::Closed),
        }
    }

    /// Continues a session on a new stream: after STARTTLS, the TLS stream wrapping the
    /// socket returned by [`AsyncClient::into_parts_for_tls`].
    pub fn resume(io: S, session: ClientSession) -> Self {
        Self { io, session }
    }

    /// Splits the client for a TLS upgrade after a successful `STARTTLS`. Anything the server
    /// sent after its `OK` in plaintext is discarded, never read as if it came over TLS
    /// (RFC 9051 §11.1: the STARTTLS command injection defence).
    pub fn into_parts_for_tls(mut self) -> (S, ClientSession) {
        self.session.input_buffer().clear();
        (self.io, self.session)
    }

    /// The session, for its settings (literal policy after CAPABILITY) and state.
    pub fn session_mut(&mut self) -> &mut ClientSession {
        &mut self.session
    }

    /// Runs one command to its completion, collecting the untagged responses meanwhile.
    pub async fn execute(&mut self, body: CommandBody<'_>) -> Result<Reply, ClientError> {
        let tag = self.session.send(body);
        self.finish(&tag).await
    }

    /// Runs AUTHENTICATE: `answer` gets each decoded challenge and returns the response
    /// (raw bytes, base64-encoded for it), or `None` to cancel the exchange.
    pub async fn authenticate(
        &mut self,
        authenticate: Authenticate<'_>,
        mut answer: impl FnMut(&[u8]) -> Option<Vec<u8>>,
    ) -> Result<Reply, ClientError> {
        let tag = self.session.send(CommandBody::Authenticate(authenticate));
        let mut data = Vec::new();
        loop {
            match self.next_event().await? {
                Event::Challenge {
                    data: challenge, ..
                } => match answer(&challenge) {
                    Some(response) => self.session.authenticate_respond(&response)?,
                    None => self.session.authenticate_cancel()?,
                },
                Event::Completed {
                    tag: done,
                    response,
                } if done == tag => {
                    return Ok(Reply {
                        data,
                        completion: response,
                    });
                }
                Event::Data(frame) => data.push(frame),
                _ => {}
            }
        }
    }

    /// Starts IDLE and waits for the server to accept it (its `+`). A tagged `NO`/`BAD`
    /// instead is [`ClientError::Refused`].
    pub async fn idle(&mut self) -> Result<Idle<'_, S>, ClientError> {
        let tag = self.session.send(CommandBody::Idle);
        let mut early = Vec::new();
        loop {
            match self.next_event().await? {
                Event::Idling { .. } => {
                    return Ok(Idle {
                        client: self,
                        tag,
                        early,
                    });
                }
                Event::Completed {
                    tag: done,
                    response,
                } if done == tag => return Err(ClientError::Refused(response)),
                Event::Data(frame) => early.push(frame),
                _ => {}
            }
        }
    }

    /// Waits for `tag`'s completion, collecting untagged responses.
    async fn finish(&mut self, tag: &Tag<'static>) -> Result<Reply, ClientError> {
        let mut data = Vec::new();
        loop {
            match self.next_event().await? {
                Event::Completed {
                    tag: done,
                    response,
                } if &done == tag => {
                    return Ok(Reply {
                        data,
                        completion: response,
                    });
                }
                Event::Data(frame) => data.push(frame),
                // Other commands' completions and stray continuations are not ours.
                _ => {}
            }
        }
    }

    /// Writes what is due, then reads until the session has an event.
    async fn next_event(&mut self) -> Result<Event, ClientError> {
        loop {
            let event = self.session.next_event()?;
            // Write what is due, including a literal a `+` just released, before waiting.
            self.flush().await?;
            if let Some(event) = event {
                return Ok(event);
            }
            let read = self.io.read_buf(self.session.input_buffer()).await?;
            if read == 0 {
                return Err(ClientError::Closed);
            }
        }
    }

    async fn flush(&mut self) -> Result<(), ClientError> {
        if self.session.has_output() {
            let bytes = self.session.output();
            self.io.write_all(&bytes).await?;
            self.io.flush().await?;
        }
        Ok(())
    }
}

/// An accepted IDLE: read updates with [`Idle::next_update`], end it with [`Idle::done`].
#[derive(Debug)]
pub struct Idle<'c, S> {
    client: &'c mut AsyncClient<S>,
    tag: Tag<'static>,
    /// Untagged responses that arrived before the server's `+`.
    early: Vec<ResponseFrame>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Idle<'_, S> {
    /// The next untagged response the server pushes (EXISTS, EXPUNGE, FETCH, BYE, ...).
    pub async fn next_update(&mut self) -> Result<ResponseFrame, ClientError> {
        if !self.early.is_empty() {
            return Ok(self.early.remove(0));
        }
        loop {
            match self.client.next_event().await? {
                Event::Data(frame) => return Ok(frame),
                // The server ended IDLE itself (rare): no further updates will come.
                Event::Completed { tag, .. } if tag == self.tag => {
                    return Err(ClientError::Session(SessionError::NotIdling));
                }
                _ => {}
            }
        }
    }

    /// Writes `DONE` and waits for IDLE's completion.
    pub async fn done(self) -> Result<Reply, ClientError> {
        self.client.session.idle_done()?;
        let mut reply = self.client.finish(&self.tag).await?;
        let mut data = self.early;
        data.append(&mut reply.data);
        reply.data = data;
        Ok(reply)
    }
}
