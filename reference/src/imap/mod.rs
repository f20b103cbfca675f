//! The reference IMAP server (RFC 9051 with IMAP4rev1 compatibility), on `groupwire-imap`:
//! every client message is decoded by its server-role `CommandDecoder` (synchronising
//! literals answered with `+`, AUTHENTICATE lines, IDLE's DONE). Responses are written as
//! `groupwire-imap` response values (`Response`, `Data`, `StatusResponse`, `Fetch`, ...) encoded
//! by the codec, never hand-written text; the harness's checks decode every one of them with
//! the codec's client-role decoder, so a malformed response fails the suite.
//!
//! Listens in two modes: STARTTLS (the role of port 143, LOGINDISABLED before TLS) and
//! implicit TLS (993). Every [`Fault`] starting with `imap-` is a deviation implemented here.
//!
//! This file holds the listener and the state of one session; the rest is one module per
//! concern, each adding methods to the session:
//!
//! | module | what it answers |
//! | --- | --- |
//! | `session` | the command loop: reading, decoding, literals, timers, buffer limits |
//! | `commands` | dispatch of each decoded command, by session state |
//! | `auth` | capabilities, LOGIN, AUTHENTICATE (PLAIN, SCRAM-SHA-256, OAUTHBEARER) |
//! | `mailboxes` | CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, STATUS, APPEND |
//! | `list` | LIST and LSUB |
//! | `select` | SELECT and EXAMINE; keyword and CONDSTORE announcements |
//! | `fetch` | FETCH |
//! | `messages` | STORE, COPY, MOVE, EXPUNGE; sequence sets resolved |
//! | `search` | SEARCH, ESEARCH, SORT, THREAD |
//! | `updates`, `idle` | unsolicited updates; IDLE |
//! | `encode` | store values as codec values, and the methods that queue responses |

mod auth;
mod commands;
mod encode;
mod fetch;
mod idle;
mod list;
mod mailboxes;
mod messages;
mod search;
mod select;
mod session;
mod updates;

pub use list::matches_pattern;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use groupwire_imap::Encode;
use groupwire_imap::response::{Code, ResponseText, Status, StatusResponse};
use groupwire_imap::stream::server::CommandDecoder;
use tokio::net::{TcpListener, TcpStream};

use crate::faults::{Fault, Faults};
use crate::store::Store;

/// The APPENDLIMIT the reference advertises and enforces (RFC 7889).
pub const APPEND_LIMIT: u64 = 2 * 1024 * 1024;

/// What every session of one IMAP listener shares.
#[derive(Debug)]
pub struct ImapService {
    /// The mail store.
    pub store: Arc<Store>,
    /// TLS for STARTTLS and implicit TLS.
    pub tls: Arc<rustls::ServerConfig>,
    /// Deviations to perform.
    pub faults: Faults,
    /// Connection cap, timeouts and buffer accounting shared with the other listeners.
    pub guard: Arc<crate::Guard>,
}

/// Serves IMAP on `listener` until the task is aborted; `implicit_tls` for the 993 role.
pub async fn serve(listener: TcpListener, service: Arc<ImapService>, implicit_tls: bool) {
    let guard = Arc::clone(&service.guard);
    crate::serve_connections(listener, guard, move |socket, slot| {
        let service = Arc::clone(&service);
        async move {
            match slot {
                Some(slot) => {
                    let _ = handle(socket, service, implicit_tls, slot).await;
                }
                None => refuse(socket, &service, implicit_tls).await,
            }
        }
    })
    .await
}

/// The answer past the connection cap: `* BYE` (over TLS on the implicit-TLS port, the
/// handshake bounded by a few seconds), then close.
async fn refuse(socket: TcpStream, service: &ImapService, implicit_tls: bool) {
    let bye = StatusResponse {
        tag: None,
        status: Status::Bye,
        text: encode::response_text(
            Some(Code::Unavailable),
            "too many connections, try again later",
        ),
    }
    .to_bytes();
    crate::security::refuse_connection(socket, &service.tls, implicit_tls, &bye).await;
}

async fn handle(
    socket: TcpStream,
    service: Arc<ImapService>,
    implicit_tls: bool,
    slot: crate::Slot,
) -> std::io::Result<()> {
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(&service.tls));
    let mut session = Session::new(service, slot);
    session.implicit = implicit_tls;
    if implicit_tls && session.fault(Fault::ImapImplicitTlsPlaintext) {
        let mut socket = socket;
        session.greet(&mut socket).await?;
        session.run(&mut socket).await?;
        return session.goodbye(&mut socket).await;
    }
    if implicit_tls {
        let Some(mut stream) = crate::security::accept_by(
            session.deadline,
            &acceptor,
            socket,
            &session.service.faults,
        )
        .await?
        else {
            return Ok(());
        };
        session.tls = true;
        session.greet(&mut stream).await?;
        session.run(&mut stream).await?;
        return session.goodbye(&mut stream).await;
    }
    let mut socket = socket;
    session.greet(&mut socket).await?;
    if session.run(&mut socket).await? == Next::StartTls {
        if !session.fault(Fault::ImapStarttlsKeepsBuffer) {
            session.buffer.clear();
        }
        let Some(mut stream) = crate::security::accept_by(
            session.deadline,
            &acceptor,
            socket,
            &session.service.faults,
        )
        .await?
        else {
            return Ok(());
        };
        session.tls = true;
        session.run(&mut stream).await?;
        return session.goodbye(&mut stream).await;
    }
    session.goodbye(&mut socket).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Close,
    StartTls,
}

struct Selected {
    name: String,
    read_only: bool,
    /// UIDs in sequence order, as this session knows them.
    uids: Vec<u32>,
    /// Flags and modseq of each UID as last reported.
    known: HashMap<u32, (BTreeSet<String>, u64)>,
    /// The UIDs that are `\Recent` in this session (RFC 3501 §2.3.2).
    recent: BTreeSet<u32>,
    /// The keywords the last FLAGS response announced.
    keywords: BTreeSet<String>,
}

struct Session {
    service: Arc<ImapService>,
    /// This connection's place under the connection cap and its buffer accounting.
    slot: crate::Slot,
    /// When the session ends unless a command completes first: the pre-authentication timer
    /// (from the connect), then the autologout timer (from the last command).
    deadline: tokio::time::Instant,
    /// Why the server is ending the session (sent as `* BYE` when the stream allows).
    ending: Option<ResponseText<'static>>,
    /// The last SASL response line was not base64 (not a `*` cancel).
    sasl_invalid: bool,
    buffer: Vec<u8>,
    decoder: CommandDecoder,
    tls: bool,
    /// Whether this is the implicit-TLS listener (the role of port 993).
    implicit: bool,
    /// Failed LOGIN/AUTHENTICATE attempts on this connection (issue 12: from the third on,
    /// each failure is answered after a delay, unless `imap-no-login-throttle`).
    failed_logins: u32,
    user: Option<String>,
    selected: Option<Selected>,
    condstore: bool,
    qresync: bool,
    out: Vec<u8>,
}
