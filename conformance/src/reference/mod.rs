//! The embedded reference deployment: in-process IMAP and submission servers built on
//! `groupwire-imap` and `groupwire-smtp`, an in-memory multi-user [`store`], TLS with a
//! certificate generated at start ([`tls`]), an HTTPS [`autoconfig`] endpoint, and the
//! [`faults`] that make it deviate on purpose.
//!
//! `groupwire demo` runs every suite against a clean reference; `groupwire selftest` runs each
//! check against the reference with the check's faults and requires it to fail;
//! `groupwire serve` keeps one running for real clients.

pub mod autoconfig;
pub mod faults;
pub mod imap;
pub mod mime;
pub mod security;
pub mod smtp;
pub mod store;
pub mod tls;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

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
}

impl Default for ReferenceOptions {
    fn default() -> Self {
        Self {
            faults: Faults::none(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            tls: None,
        }
    }
}

/// Why the reference could not start.
#[derive(Debug)]
pub enum StartError {
    /// TLS setup failed.
    Tls(TlsSetupError),
    /// A listener could not bind.
    Bind(std::io::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Tls(e) => write!(f, "{e}"),
            StartError::Bind(e) => write!(f, "cannot bind a reference listener: {e}"),
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
    /// The HTTPS autoconfig endpoint (the role of `autoconfig.DOMAIN:443`).
    pub autoconfig: SocketAddr,
    /// The test accounts, two of them.
    pub accounts: Vec<TestAccount>,
    /// The TLS material; its certificate is what clients must trust.
    pub tls: ReferenceTls,
    /// The shared mail store.
    pub store: Arc<Store>,
    /// The faults it runs with.
    pub faults: Faults,
    tasks: JoinSet<()>,
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
        let autoconfig_listener = bind(options.bind).await?;
        let local = |listener: &TcpListener| listener.local_addr().map_err(StartError::Bind);
        let imap = local(&imap_listener)?;
        let imaps = local(&imaps_listener)?;
        let submission = local(&submission_listener)?;
        let submissions = local(&submissions_listener)?;
        let autoconfig = local(&autoconfig_listener)?;

        let store = Arc::new(Store::new());
        let accounts = vec![
            TestAccount {
                address: format!("alice@{DOMAIN}"),
                password: "alice-secret-1".to_string(),
            },
            TestAccount {
                address: format!("bob@{DOMAIN}"),
                password: "bob-secret-2".to_string(),
            },
        ];
        for account in &accounts {
            store.add_account(&account.address, &account.password);
        }

        let faults = options.faults;
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
        });
        tasks.spawn(smtp::serve(
            submission_listener,
            Arc::clone(&smtp_service),
            false,
        ));
        tasks.spawn(smtp::serve(submissions_listener, smtp_service, true));
        let imap_service = Arc::new(imap::ImapService {
            store: Arc::clone(&store),
            tls: Arc::clone(&server_tls),
            faults: faults.clone(),
        });
        tasks.spawn(imap::serve(imap_listener, Arc::clone(&imap_service), false));
        tasks.spawn(imap::serve(imaps_listener, imap_service, true));

        Ok(Reference {
            imap,
            imaps,
            submission,
            submissions,
            autoconfig,
            accounts,
            tls,
            store,
            faults,
            tasks,
        })
    }

    /// The deployment as a harness target: IMAP and submission with STARTTLS, their
    /// implicit-TLS ports as companions (for the implicit-TLS checks), the autoconfig
    /// endpoint, both accounts. `trust` is what the report states; connections
    /// should use [`ReferenceTls::client`] (it trusts exactly the generated certificate).
    pub fn target(&self, trust: crate::engine::TlsTrust) -> crate::target::Target {
        let endpoint = |url: String| crate::target::Endpoint::parse(&url).ok();
        let mut target = crate::target::Target::empty("groupwire reference");
        target.domain = Some(DOMAIN.to_string());
        target.imap = endpoint(format!("imap://{}", self.imap));
        target.smtp = endpoint(format!("smtp://{}", self.submission));
        target.imaps = endpoint(format!("imaps://{}", self.imaps));
        target.smtps = endpoint(format!("smtps://{}", self.submissions));
        target.autoconfig = endpoint(format!("https://{}/", self.autoconfig));
        target.accounts = self
            .accounts
            .iter()
            .map(|account| {
                crate::target::Account::new(
                    account.address.clone(),
                    crate::target::Secret::new(account.password.clone()),
                    None,
                    None,
                )
            })
            .collect();
        target.tls = trust;
        target
    }

    /// Stops every server.
    pub async fn stop(mut self) {
        self.tasks.shutdown().await;
    }
}

/// Accepts connections on `listener` until the task is aborted, running `session` for each in
/// a task of its own and reaping finished ones as it goes. The IMAP and submission listeners
/// share it; what a session does is theirs.
async fn serve_connections<F, Fut>(listener: TcpListener, session: F)
where
    F: Fn(TcpStream) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut sessions = JoinSet::new();
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        let _ = socket.set_nodelay(true);
        sessions.spawn(session(socket));
        while sessions.try_join_next().is_some() {}
    }
}
