//! # groupwire-reference
//!
//! Mail and calendar servers to start inside a test: IMAP (STARTTLS and implicit TLS),
//! SMTP submission (STARTTLS and implicit TLS) and an MX listener, WebDAV, CalDAV and CardDAV
//! over HTTPS, an autoconfig endpoint and an authoritative DNS server, all in-process on the
//! test's tokio runtime, on loopback ports the OS chooses, with an in-memory multi-user
//! [`store`]. They are built on the groupwire codecs (`groupwire-imap`, `groupwire-smtp`,
//! `groupwire-dav`) and are the reference deployment of the `groupwire` conformance harness,
//! which proves every check against them, clean and with each of the [`faults`] that make
//! them deviate on purpose.
//!
//! ## Example
//!
//! A deployment with one account, a seeded message and calendar, then an IMAP greeting read
//! over plain TCP (a real client would go on with `STARTTLS`, trusting
//! [`Reference::ca_certificate_pem`]):
//!
//! ```
//! use groupwire_reference::Reference;
//! use tokio::io::{AsyncBufReadExt, BufReader};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = Reference::builder()
//!     .account("ada@example.test", "correct horse")
//!     .mailbox("ada@example.test", "Projects")
//!     .message(
//!         "ada@example.test",
//!         "INBOX",
//!         "From: bob@example.test\r\nSubject: hello\r\n\r\nHi Ada\r\n",
//!     )
//!     .calendar("ada@example.test", "work")
//!     .start()
//!     .await?;
//!
//! assert!(server.imap_url().starts_with("imap://127.0.0.1:"));
//! assert!(server.calendar_url("ada@example.test", "work").ends_with("/calendars/ada/work/"));
//! assert!(server.ca_certificate_pem().starts_with("-----BEGIN CERTIFICATE-----"));
//!
//! let stream = tokio::net::TcpStream::connect(server.imap).await?;
//! let mut greeting = String::new();
//! BufReader::new(stream).read_line(&mut greeting).await?;
//! assert!(greeting.starts_with("* OK"));
//!
//! server.stop().await;
//! # Ok(())
//! # }
//! ```
//!
//! ## What a deployment offers
//!
//! | service | address | URL |
//! | --- | --- | --- |
//! | IMAP, STARTTLS | [`Reference::imap`] | [`Reference::imap_url`] |
//! | IMAP, implicit TLS | [`Reference::imaps`] | [`Reference::imaps_url`] |
//! | submission, STARTTLS + AUTH | [`Reference::submission`] | [`Reference::submission_url`] |
//! | submission, implicit TLS | [`Reference::submissions`] | [`Reference::smtps_url`] |
//! | MX (local domain, no AUTH) | [`Reference::mx`] | [`Reference::mx_url`] |
//! | CalDAV, CardDAV, WebDAV (HTTPS) | [`Reference::dav`] | [`Reference::caldav_url`], [`Reference::carddav_url`], [`Reference::webdav_url`], [`Reference::calendar_url`], [`Reference::address_book_url`] |
//! | autoconfig (HTTPS) | [`Reference::autoconfig`] | |
//! | DNS (UDP and TCP) | [`Reference::dns`] | |
//!
//! The mail domain is [`DOMAIN`]; SASL PLAIN, LOGIN, SCRAM-SHA-256 and OAUTHBEARER
//! ([`sasl::oauth_token`]) are offered after TLS. [`ReferenceOptions`] and
//! [`Reference::start`] are the lower-level entry the harness uses.
//!
//! ## Modules
//!
//! The servers ([`imap`], [`smtp`], [`dav`], [`autoconfig`], [`dns`]), their state
//! ([`store`], [`dav::store`]), TLS ([`tls`], [`security`] for the TLS faults, [`tls_wire`]
//! for the record-level pieces those need), the SASL mechanisms ([`sasl`]) and the faults
//! ([`faults`]) are public so that the harness, which drives and inspects them, can use them;
//! a test normally needs only [`Reference::builder`].

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod autoconfig;
pub mod builder;
pub mod dav;
pub mod dns;
pub mod faults;
pub mod imap;
pub mod message_keys;
pub mod mime;
pub mod sasl;
pub mod security;
pub mod smtp;
pub mod store;
pub mod tls;
pub mod tls_wire;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

pub use self::builder::ReferenceBuilder;

use self::autoconfig::AutoconfigDocument;
use self::faults::Faults;
use self::store::Store;
use self::tls::{ReferenceTls, TlsSetupError};

/// The mail domain of the reference deployment.
pub const DOMAIN: &str = "example.test";

/// One test account: address (also the login name) and password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestAccount {
    /// Mail address and login name.
    pub address: String,
    /// Password.
    pub password: String,
}

/// How to start a reference deployment.
#[derive(Debug, Clone)]
pub struct ReferenceOptions {
    /// The deviations to run with; empty for the clean reference.
    pub faults: Faults,
    /// The address every listener binds (port 0: the OS chooses).
    pub bind: IpAddr,
    /// TLS material to reuse; generated when `None` (reusing saves time in `selftest`).
    pub tls: Option<ReferenceTls>,
    /// Timeouts, connection cap and buffer bounds against hostile clients.
    pub limits: ServerLimits,
    /// The accounts; [`default_accounts`] (two of them) unless set.
    pub accounts: Vec<TestAccount>,
}

/// The two accounts a deployment has unless told otherwise: `alice@example.test` and
/// `bob@example.test`.
pub fn default_accounts() -> Vec<TestAccount> {
    vec![
        TestAccount {
            address: format!("alice@{DOMAIN}"),
            password: "alice-secret-1".to_string(),
        },
        TestAccount {
            address: format!("bob@{DOMAIN}"),
            password: "bob-secret-2".to_string(),
        },
    ]
}

impl Default for ReferenceOptions {
    fn default() -> Self {
        Self {
            faults: Faults::none(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            tls: None,
            limits: ServerLimits::default(),
            accounts: default_accounts(),
        }
    }
}

/// What the reference servers grant one client, so a hostile or broken client costs bounded
/// time, memory and file descriptors (the reference is also a library for other people's
/// tests and a load-test target). `groupwire serve` sets each from a flag; see README,
/// "Reliability".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerLimits {
    /// Connections served at once over all listeners; one more is answered `* BYE` (IMAP) or
    /// `421` (submission) and closed.
    pub max_connections: usize,
    /// IMAP: how long a connection may stay unauthenticated (RFC 9051 §5.4 allows a short
    /// pre-authentication timer); submission: how long before AUTH succeeds. Counted from the
    /// connect, not reset by traffic, so a slowloris client is cut too.
    pub preauth_timeout: Duration,
    /// IMAP autologout after authentication: how long without a complete command (IDLE
    /// included) before `* BYE`; RFC 9051 §5.4 requires at least 30 minutes.
    pub autologout: Duration,
    /// Submission: how long the server waits for the next command (or DATA bytes) before
    /// `421`; RFC 5321 §4.5.3.2.7 asks for at least 5 minutes.
    pub smtp_command_timeout: Duration,
    /// IMAP: the largest literal accepted before authentication (a synchronising one over it
    /// gets `NO [TOOBIG]`, a non-synchronising one `* BYE`, RFC 7888 §4).
    pub preauth_literal: u64,
    /// The most input bytes one connection buffers before authentication.
    pub preauth_buffer: usize,
    /// The most input bytes one authenticated connection buffers (above the 2 MiB
    /// APPENDLIMIT and SIZE, with room for a command line).
    pub session_buffer: usize,
    /// The most input bytes all connections together buffer.
    pub total_buffer: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            preauth_timeout: Duration::from_secs(60),
            autologout: Duration::from_secs(30 * 60),
            smtp_command_timeout: Duration::from_secs(5 * 60),
            preauth_literal: 8 * 1024,
            preauth_buffer: 128 * 1024,
            session_buffer: 10 * 1024 * 1024,
            total_buffer: 512 * 1024 * 1024,
        }
    }
}

/// The live accounting of one deployment against its [`ServerLimits`]: connections open and
/// input bytes buffered, shared by every listener and session.
#[derive(Debug)]
pub struct Guard {
    /// The limits.
    pub limits: ServerLimits,
    connections: AtomicUsize,
    buffered: AtomicUsize,
    peak_buffered: AtomicUsize,
    refused: AtomicUsize,
    fd_warned: AtomicBool,
}

impl Guard {
    /// A guard enforcing `limits`, nothing in use.
    pub fn new(limits: ServerLimits) -> Guard {
        Guard {
            limits,
            connections: AtomicUsize::new(0),
            buffered: AtomicUsize::new(0),
            peak_buffered: AtomicUsize::new(0),
            refused: AtomicUsize::new(0),
            fd_warned: AtomicBool::new(false),
        }
    }

    /// Connections being served now.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    /// Connections refused at the cap so far.
    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::Relaxed)
    }

    /// Input bytes all sessions hold now.
    pub fn buffered(&self) -> usize {
        self.buffered.load(Ordering::Relaxed)
    }

    /// The most input bytes all sessions held at once.
    pub fn peak_buffered(&self) -> usize {
        self.peak_buffered.load(Ordering::Relaxed)
    }

    /// A connection slot, or `None` at the cap.
    fn admit(self: &Arc<Guard>) -> Option<Slot> {
        let max = self.limits.max_connections;
        let taken = self
            .connections
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            });
        if taken.is_ok() {
            Some(Slot {
                guard: Arc::clone(self),
                held: 0,
            })
        } else {
            self.refused.fetch_add(1, Ordering::Relaxed);
            None
        }
    }
}

/// One admitted connection: frees its place and its buffered bytes when dropped.
#[derive(Debug)]
pub struct Slot {
    guard: Arc<Guard>,
    held: usize,
}

/// A session would buffer more than its limit allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverBudget {
    /// This connection's own limit.
    Connection(usize),
    /// All connections' limit together.
    Total(usize),
}

impl std::fmt::Display for OverBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OverBudget::Connection(max) => {
                write!(f, "more than {max} bytes buffered for this connection")
            }
            OverBudget::Total(max) => {
                write!(f, "server input buffers full ({max} bytes in all)")
            }
        }
    }
}

impl Slot {
    /// The limits of the deployment.
    pub fn limits(&self) -> &ServerLimits {
        &self.guard.limits
    }

    /// Accounts this connection's input buffer at `bytes` (the session calls it after each
    /// read, with the authentication state choosing the per-connection limit).
    pub fn account(&mut self, bytes: usize, authenticated: bool) -> Result<(), OverBudget> {
        let limits = &self.guard.limits;
        let own = if authenticated {
            limits.session_buffer
        } else {
            limits.preauth_buffer
        };
        if bytes > own {
            // The session ends and drops its buffer: it holds nothing from now on.
            self.release();
            return Err(OverBudget::Connection(own));
        }
        if bytes > self.held {
            let more = bytes - self.held;
            let total = self.guard.buffered.fetch_add(more, Ordering::AcqRel) + more;
            self.held = bytes;
            let max = limits.total_buffer;
            if total > max {
                self.release();
                return Err(OverBudget::Total(max));
            }
            self.guard.peak_buffered.fetch_max(total, Ordering::Relaxed);
        } else {
            self.guard
                .buffered
                .fetch_sub(self.held - bytes, Ordering::AcqRel);
            self.held = bytes;
        }
        Ok(())
    }
}

impl Slot {
    fn release(&mut self) {
        self.guard.buffered.fetch_sub(self.held, Ordering::AcqRel);
        self.held = 0;
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.guard.buffered.fetch_sub(self.held, Ordering::AcqRel);
        self.guard.connections.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Why the reference could not start.
#[derive(Debug)]
pub enum StartError {
    /// TLS setup failed.
    Tls(TlsSetupError),
    /// A listener could not bind.
    Bind(std::io::Error),
    /// What a [`ReferenceBuilder`] was told to hold could not be stored (an unknown account
    /// or fault, a calendar object the CalDAV validation refuses, ...).
    Seed(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Tls(e) => write!(f, "{e}"),
            StartError::Bind(e) => write!(f, "cannot bind a reference listener: {e}"),
            StartError::Seed(e) => write!(f, "cannot seed the reference: {e}"),
        }
    }
}

impl std::error::Error for StartError {}

/// The hostnames the reference certificate is valid for.
pub fn certificate_names() -> Vec<String> {
    vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
        format!("autoconfig.{DOMAIN}"),
        format!("mail.{DOMAIN}"),
    ]
}

/// Generates the reference TLS material (a fresh self-signed certificate).
pub fn generate_tls() -> Result<ReferenceTls, TlsSetupError> {
    ReferenceTls::generate(&certificate_names())
}

/// A running reference deployment; its servers stop when it is dropped.
#[derive(Debug)]
pub struct Reference {
    /// IMAP with STARTTLS (the role of port 143).
    pub imap: SocketAddr,
    /// IMAP with implicit TLS (the role of port 993).
    pub imaps: SocketAddr,
    /// Submission with STARTTLS (the role of port 587).
    pub submission: SocketAddr,
    /// Submission with implicit TLS (the role of port 465).
    pub submissions: SocketAddr,
    /// The MX listener (the role of port 25: mail for the local domain without AUTH, no
    /// relaying).
    pub mx: SocketAddr,
    /// The HTTPS autoconfig endpoint (the role of `autoconfig.DOMAIN:443`).
    pub autoconfig: SocketAddr,
    /// The HTTPS DAV server (WebDAV, CalDAV, CardDAV; see [`dav`] for the URL layout).
    pub dav: SocketAddr,
    /// The DAV server's state (its tree, for tests that look inside).
    pub dav_service: Arc<dav::DavService>,
    /// The authoritative DNS server of the reference domain (UDP and TCP, one port).
    pub dns: SocketAddr,
    /// The accounts (by default two of them, see [`default_accounts`]).
    pub accounts: Vec<TestAccount>,
    /// The TLS material; its certificate is what clients must trust.
    pub tls: ReferenceTls,
    /// The shared mail store.
    pub store: Arc<Store>,
    /// The faults it runs with.
    pub faults: Faults,
    /// Connections and buffered bytes against the [`ServerLimits`].
    pub guard: Arc<Guard>,
    tasks: JoinSet<()>,
    dns_server: dns::DnsServer,
}

impl Reference {
    /// Binds every listener and starts serving on the current tokio runtime.
    pub async fn start(options: ReferenceOptions) -> Result<Reference, StartError> {
        let tls = match options.tls {
            Some(tls) => tls,
            None => generate_tls().map_err(StartError::Tls)?,
        };
        let bind = |ip: IpAddr| async move {
            TcpListener::bind(SocketAddr::new(ip, 0))
                .await
                .map_err(StartError::Bind)
        };
        let imap_listener = bind(options.bind).await?;
        let imaps_listener = bind(options.bind).await?;
        let submission_listener = bind(options.bind).await?;
        let submissions_listener = bind(options.bind).await?;
        let mx_listener = bind(options.bind).await?;
        let autoconfig_listener = bind(options.bind).await?;
        let dav_listener = bind(options.bind).await?;
        let local = |listener: &TcpListener| listener.local_addr().map_err(StartError::Bind);
        let imap = local(&imap_listener)?;
        let imaps = local(&imaps_listener)?;
        let submission = local(&submission_listener)?;
        let submissions = local(&submissions_listener)?;
        let mx = local(&mx_listener)?;
        let autoconfig = local(&autoconfig_listener)?;
        let dav = local(&dav_listener)?;

        let store = Arc::new(Store::new());
        let accounts = options.accounts;
        for account in &accounts {
            store.add_account(&account.address, &account.password);
        }

        let faults = options.faults;
        let guard = Arc::new(Guard::new(options.limits));
        // The certificate a security fault asks for, else the shared one.
        let server_tls = security::server_config(&tls, &faults, &certificate_names())
            .map_err(StartError::Tls)?;
        let mut tasks = JoinSet::new();
        let document = AutoconfigDocument {
            domain: DOMAIN.to_string(),
            hostname: options.bind.to_string(),
            imaps_port: imaps.port(),
            imap_port: imap.port(),
            submissions_port: submissions.port(),
            submission_port: submission.port(),
            dav: Some(autoconfig::DavServices {
                caldav: dav_url(dav, dav::principals::CALENDARS),
                carddav: dav_url(dav, dav::principals::ADDRESSBOOKS),
                webdav: dav_url(dav, dav::principals::FILES),
            }),
        };
        tasks.spawn(autoconfig::serve(
            autoconfig_listener,
            Arc::clone(&server_tls),
            document,
            faults.clone(),
        ));
        let smtp_service = Arc::new(smtp::SmtpService {
            store: Arc::clone(&store),
            tls: Arc::clone(&server_tls),
            faults: faults.clone(),
            domain: DOMAIN.to_string(),
            guard: Arc::clone(&guard),
        });
        tasks.spawn(smtp::serve(
            submission_listener,
            Arc::clone(&smtp_service),
            false,
        ));
        tasks.spawn(smtp::serve_mx(mx_listener, Arc::clone(&smtp_service)));
        tasks.spawn(smtp::serve(submissions_listener, smtp_service, true));
        let imap_service = Arc::new(imap::ImapService {
            store: Arc::clone(&store),
            tls: Arc::clone(&server_tls),
            faults: faults.clone(),
            guard: Arc::clone(&guard),
        });
        tasks.spawn(imap::serve(imap_listener, Arc::clone(&imap_service), false));
        tasks.spawn(imap::serve(imaps_listener, imap_service, true));
        let dav_service = Arc::new(dav::DavService::new(
            Arc::clone(&store),
            &accounts,
            faults.clone(),
        ));
        tasks.spawn(dav::serve(
            dav_listener,
            Arc::clone(&tls.server),
            Arc::clone(&dav_service),
        ));
        let zone = dns::reference_zone(
            &dns::ZoneTargets {
                domain: DOMAIN.to_string(),
                ip: options.bind,
                dav,
                dav_paths: (
                    dav::store::encode_href(dav::principals::CALENDARS, true),
                    dav::store::encode_href(dav::principals::ADDRESSBOOKS, true),
                ),
                smtp_certificate: tls.certificate.to_vec(),
            },
            &faults,
        )
        .map_err(|error| StartError::Bind(std::io::Error::other(error.to_string())))?;
        let dns_server = dns::DnsServer::start(SocketAddr::new(options.bind, 0), zone)
            .await
            .map_err(StartError::Bind)?;

        Ok(Reference {
            imap,
            imaps,
            submission,
            submissions,
            mx,
            autoconfig,
            dav,
            dav_service,
            dns: dns_server.address,
            accounts,
            tls,
            store,
            faults,
            guard,
            tasks,
            dns_server,
        })
    }

    /// `imap://ADDR` (IMAP with STARTTLS).
    pub fn imap_url(&self) -> String {
        format!("imap://{}", self.imap)
    }

    /// `imaps://ADDR` (IMAP over implicit TLS).
    pub fn imaps_url(&self) -> String {
        format!("imaps://{}", self.imaps)
    }

    /// `smtp://ADDR` (submission with STARTTLS and AUTH).
    pub fn submission_url(&self) -> String {
        format!("smtp://{}", self.submission)
    }

    /// `smtps://ADDR` (submission over implicit TLS).
    pub fn smtps_url(&self) -> String {
        format!("smtps://{}", self.submissions)
    }

    /// `smtp://ADDR` of the MX listener (mail for the local domain, no AUTH).
    pub fn mx_url(&self) -> String {
        format!("smtp://{}", self.mx)
    }

    /// The URL of a calendar collection of the account `address` (see
    /// [`ReferenceBuilder::calendar`]; every account has one named `default`).
    pub fn calendar_url(&self, address: &str, name: &str) -> String {
        let home = dav::principals::calendar_home(dav::principals::user_of(address));
        dav_url(self.dav, &format!("{home}/{name}"))
    }

    /// The URL of an address book collection of the account `address` (see
    /// [`ReferenceBuilder::address_book`]; every account has one named `default`).
    pub fn address_book_url(&self, address: &str, name: &str) -> String {
        let home = dav::principals::addressbook_home(dav::principals::user_of(address));
        dav_url(self.dav, &format!("{home}/{name}"))
    }

    /// The certificate a client must trust, PEM (the generated CA when the deployment was
    /// built with [`Reference::builder`], else the self-signed server certificate).
    pub fn ca_certificate_pem(&self) -> &str {
        &self.tls.ca_certificate_pem
    }

    /// A rustls client configuration trusting exactly [`ca_certificate_pem`](Self::ca_certificate_pem).
    pub fn client_tls_config(&self) -> Arc<rustls::ClientConfig> {
        Arc::clone(&self.tls.client)
    }

    /// The CalDAV base URL (the calendar homes' parent; discovery goes from there through
    /// `current-user-principal`).
    pub fn caldav_url(&self) -> String {
        dav_url(self.dav, dav::principals::CALENDARS)
    }

    /// The CardDAV base URL (the address book homes' parent).
    pub fn carddav_url(&self) -> String {
        dav_url(self.dav, dav::principals::ADDRESSBOOKS)
    }

    /// The WebDAV base URL: the first account's file home, where WebDAV checks may create
    /// and delete freely.
    pub fn webdav_url(&self) -> String {
        let user = self
            .accounts
            .first()
            .map_or("alice", |a| dav::principals::user_of(&a.address));
        dav_url(self.dav, &dav::principals::files_home(user))
    }

    /// Stops every server.
    pub async fn stop(mut self) {
        self.dns_server.stop().await;
        self.tasks.shutdown().await;
    }
}

/// `https://ADDR/PATH/` for a DAV collection path.
fn dav_url(address: SocketAddr, path: &str) -> String {
    format!("https://{address}{}", dav::store::encode_href(path, true))
}

/// Ends a session the server chose to end: writes `line` (`* BYE ...`, `421 ...`), closes the
/// sending side, then reads and discards what the client is still sending until it pauses
/// for 100 ms (at most 1 s and 1 MiB), so that a client caught mid-upload reads the goodbye
/// before the close turns into a reset that would discard it (a lingering close).
async fn say_goodbye<S>(stream: &mut S, line: &[u8])
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let within = Duration::from_secs(3);
    let _ = tokio::time::timeout(within, async {
        stream.write_all(line).await?;
        stream.flush().await?;
        stream.shutdown().await
    })
    .await;
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let mut sink = [0u8; 16 * 1024];
        let mut total = 0;
        while total < 1024 * 1024 {
            match tokio::time::timeout(Duration::from_millis(100), stream.read(&mut sink)).await {
                Ok(Ok(read)) if read > 0 => total += read,
                _ => break,
            }
        }
    })
    .await;
}

/// Accepts connections on `listener` until the task is aborted, running `session` for each in
/// a task of its own (with its [`Slot`], or `None` when the connection cap is reached: the
/// session then only says goodbye) and reaping finished ones as it goes. The IMAP and
/// submission listeners share it; what a session does is theirs.
///
/// Out of file descriptors (`EMFILE`, `ENFILE`), `accept` fails at once and would fail again
/// at once: the loop pauses (10 ms doubling to 1 s) instead of spinning, the sessions it has
/// go on being served, and the condition is logged once per deployment.
async fn serve_connections<F, Fut>(listener: TcpListener, guard: Arc<Guard>, session: F)
where
    F: Fn(TcpStream, Option<Slot>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut sessions = JoinSet::new();
    let mut pause = Duration::ZERO;
    loop {
        let socket = match listener.accept().await {
            Ok((socket, _)) => {
                pause = Duration::ZERO;
                socket
            }
            Err(error) => {
                let out_of_descriptors = matches!(error.raw_os_error(), Some(23 | 24));
                if out_of_descriptors && !guard.fd_warned.swap(true, Ordering::Relaxed) {
                    eprintln!(
                        "groupwire reference: out of file descriptors ({error}); pausing accept \
                         and serving the open connections (logged once)"
                    );
                }
                pause = if out_of_descriptors {
                    (pause * 2).clamp(Duration::from_millis(10), Duration::from_secs(1))
                } else {
                    Duration::from_millis(1)
                };
                while sessions.try_join_next().is_some() {}
                tokio::time::sleep(pause).await;
                continue;
            }
        };
        let _ = socket.set_nodelay(true);
        sessions.spawn(session(socket, guard.admit()));
        while sessions.try_join_next().is_some() {}
    }
}
