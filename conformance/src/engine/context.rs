//! The context a check procedure receives: the target, its accounts, the run prefix for
//! anything the check creates, the advertised capabilities, and connections that record into
//! the check's transcript.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use super::check::{Check, Protocol};
use super::conn::{ConnSettings, Connection};
use super::finding::Finding;
use super::transcript::{
    DEFAULT_MAX_RUN_TRANSCRIPT_BYTES, DEFAULT_MAX_TRANSCRIPT_BYTES, Masker, Transcript,
    TranscriptBudget,
};
use crate::target::{Account, Endpoint, Security, Target};

/// What all checks of one run share.
#[derive(Debug)]
pub struct RunEnv {
    /// The deployment under test.
    pub target: Target,
    /// Connection limits and TLS trust.
    pub settings: ConnSettings,
    /// Unique per run (`gw-20261122T154700-3f9a`); every mailbox, collection or message a check
    /// creates has a name starting with it, so cleanup finds them and nothing else is touched.
    pub run_prefix: String,
    /// Hides the accounts' passwords in transcripts.
    pub masker: Arc<Masker>,
    /// Per-check transcript limit in bytes (the first and last half are kept).
    pub max_transcript: usize,
    /// What all transcripts of the run may keep together, beyond a small floor per check
    /// ([`super::transcript::MIN_TRANSCRIPT_BYTES`]).
    pub run_transcript: Arc<TranscriptBudget>,
    /// What an IMAP check keeps of the untagged responses that arrive while it waits for
    /// one command's tagged completion; past it the check ends as an error.
    pub max_untagged: UntaggedLimit,
    /// Checks of server-wide state that concurrent checks would disturb take turns on it
    /// (see [`CheckContext::one_at_a_time`]), so their verdicts do not depend on the run's
    /// own scheduling.
    pub turns: Arc<tokio::sync::Mutex<()>>,
}

/// The most untagged responses (and their bytes) one command's reply may bring before the
/// check gives up with `error: server flooded untagged responses`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UntaggedLimit {
    /// Responses.
    pub responses: usize,
    /// Bytes, as received.
    pub bytes: usize,
}

impl Default for UntaggedLimit {
    /// 10,000 responses or 16 MiB.
    fn default() -> Self {
        UntaggedLimit {
            responses: 10_000,
            bytes: 16 * 1024 * 1024,
        }
    }
}

impl RunEnv {
    /// A run environment with a fresh run prefix and a masker for the target's accounts.
    pub fn new(target: Target, settings: ConnSettings) -> RunEnv {
        // Passwords and OAuth bearer tokens alike are searched for and masked.
        let masker = Arc::new(Masker::new(target.accounts.iter().flat_map(|account| {
            std::iter::once((account.user.as_str(), account.password.expose())).chain(
                account
                    .oauth_token
                    .iter()
                    .map(|token| (account.user.as_str(), token.expose())),
            )
        })));
        RunEnv {
            target,
            settings,
            run_prefix: new_run_prefix(),
            masker,
            max_transcript: DEFAULT_MAX_TRANSCRIPT_BYTES,
            run_transcript: TranscriptBudget::new(DEFAULT_MAX_RUN_TRANSCRIPT_BYTES),
            max_untagged: UntaggedLimit::default(),
            turns: Arc::default(),
        }
    }
}

/// `gw-<UTC time>-<4 hex digits>`: unique enough that two runs never share names.
pub fn new_run_prefix() -> String {
    let now = chrono::Utc::now();
    let nanos = now.timestamp_subsec_nanos();
    let mix = (nanos ^ std::process::id().rotate_left(16)) & 0xffff;
    format!("gw-{}-{mix:04x}", now.format("%Y%m%dT%H%M%S"))
}

/// The context of one check (or of a suite's probe or cleanup). Cheap to clone; clones
/// share the transcript.
#[derive(Debug, Clone)]
pub struct CheckContext {
    env: Arc<RunEnv>,
    check: Option<&'static Check>,
    protocol: Protocol,
    transcript: Transcript,
    connections: Arc<AtomicU32>,
    capabilities: Option<Arc<Vec<String>>>,
}

impl CheckContext {
    /// A context for `check` (or for a probe/cleanup of `protocol` when `check` is `None`)
    /// with a new, empty transcript.
    pub fn new(
        env: Arc<RunEnv>,
        protocol: Protocol,
        check: Option<&'static Check>,
        capabilities: Option<Arc<Vec<String>>>,
    ) -> CheckContext {
        let transcript = Transcript::with_budget(
            env.masker.clone(),
            env.max_transcript,
            env.run_transcript.clone(),
        );
        CheckContext {
            env,
            check,
            protocol,
            transcript,
            connections: Arc::new(AtomicU32::new(0)),
            capabilities,
        }
    }

    /// The check being run (`None` in probes and cleanups).
    pub fn check(&self) -> Option<&'static Check> {
        self.check
    }

    /// The protocol whose endpoint [`CheckContext::connect`] uses.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The deployment under test.
    pub fn target(&self) -> &Target {
        &self.env.target
    }

    /// Waits for this run's turn on server-wide state and holds it until the guard drops:
    /// checks that call it run one at a time, the others as before.
    pub async fn one_at_a_time(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.env.turns.clone().lock_owned().await
    }

    /// The run's environment.
    pub fn env(&self) -> &Arc<RunEnv> {
        &self.env
    }

    /// The endpoint of this check's protocol, or [`Finding::NotRun`] when the target has none.
    pub fn endpoint(&self) -> Result<&Endpoint, Finding> {
        self.env.target.endpoint(self.protocol).ok_or_else(|| {
            Finding::not_run(format!(
                "the target has no {} endpoint",
                self.protocol.label()
            ))
        })
    }

    /// Account `index` (0 for the first), or [`Finding::NotRun`] when the target has too few.
    pub fn account(&self, index: usize) -> Result<&Account, Finding> {
        self.env.target.accounts.get(index).ok_or_else(|| {
            Finding::not_run(format!(
                "the target lists fewer than {} account(s)",
                index + 1
            ))
        })
    }

    /// The unique prefix of this run.
    pub fn run_prefix(&self) -> &str {
        &self.env.run_prefix
    }

    /// A name for something this check creates: `<run prefix>-<check id with dots as
    /// dashes>-<suffix>`, e.g. `gw-20261122T154700-3f9a-imap-select-uidvalidity-a`.
    pub fn scratch_name(&self, suffix: &str) -> String {
        let id = self
            .check
            .map_or("suite", |check| check.id)
            .replace('.', "-");
        format!("{}-{id}-{suffix}", self.env.run_prefix)
    }

    /// Capabilities from the suite's probe (`None` when no probe ran).
    pub fn capabilities(&self) -> Option<&[String]> {
        self.capabilities.as_deref().map(Vec::as_slice)
    }

    /// Whether the probe saw this capability (ASCII case-insensitive); `false` without probe.
    pub fn advertises(&self, capability: &str) -> bool {
        self.capabilities()
            .is_some_and(|caps| caps.iter().any(|c| c.eq_ignore_ascii_case(capability)))
    }

    /// The I/O timeout connections start with.
    pub fn io_timeout(&self) -> Duration {
        self.env.settings.io_timeout
    }

    /// The check's transcript.
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// Adds a remark to the transcript (connection 0: the check itself).
    pub fn note(&self, text: impl AsRef<str>) {
        self.transcript.note(0, text);
    }

    /// The same check with other connection settings (a TLS configuration of its own) and
    /// `protocol` as the protocol of its connections; it shares this context's transcript, so
    /// what it sends and receives is the check's evidence.
    pub fn with_settings(&self, settings: ConnSettings, protocol: Protocol) -> CheckContext {
        let env = RunEnv {
            target: self.env.target.clone(),
            settings,
            run_prefix: self.env.run_prefix.clone(),
            masker: self.env.masker.clone(),
            max_transcript: self.env.max_transcript,
            run_transcript: self.env.run_transcript.clone(),
            max_untagged: self.env.max_untagged,
            turns: self.env.turns.clone(),
        };
        CheckContext {
            env: Arc::new(env),
            check: self.check,
            protocol,
            transcript: self.transcript.clone(),
            connections: self.connections.clone(),
            capabilities: None,
        }
    }

    /// Connects to this check's endpoint: TLS from the start for implicit-TLS endpoints; for
    /// STARTTLS endpoints the connection is plain and the suite runs STARTTLS, then
    /// [`Connection::start_tls`].
    pub async fn connect(&self) -> Result<Connection, Finding> {
        let endpoint = self.endpoint()?.clone();
        self.connect_to(&endpoint).await
    }

    /// Connects to any endpoint, recorded in this check's transcript.
    pub async fn connect_to(&self, endpoint: &Endpoint) -> Result<Connection, Finding> {
        let id = self.connections.fetch_add(1, Ordering::Relaxed) + 1;
        self.transcript
            .set_wire(id, super::mask::Wire::of_scheme(&endpoint.scheme));
        Connection::connect(
            &endpoint.host,
            endpoint.port,
            endpoint.security == Security::Implicit,
            &self.env.settings,
            self.transcript.clone(),
            id,
        )
        .await
        .map_err(Finding::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ConnSettings {
        ConnSettings {
            tls: super::super::tls::client_config(&super::super::tls::TlsTrust::System)
                .expect("system roots"),
            max_buffer: super::super::conn::DEFAULT_MAX_BUFFER,
            io_timeout: Duration::from_secs(5),
        }
    }

    /// Contexts of one run (and their `with_settings` copies) share one turn; another run's
    /// contexts do not wait for it.
    #[tokio::test]
    async fn one_at_a_time_is_per_run() {
        let env = Arc::new(RunEnv::new(Target::empty("t"), settings()));
        let first = CheckContext::new(env.clone(), Protocol::Webdav, None, None);
        let second = CheckContext::new(env, Protocol::Webdav, None, None)
            .with_settings(settings(), Protocol::Webdav);
        let held = first.one_at_a_time().await;
        let waiting = tokio::time::timeout(Duration::from_millis(50), second.one_at_a_time());
        assert!(waiting.await.is_err(), "the second check waits its turn");
        let other_run = Arc::new(RunEnv::new(Target::empty("t"), settings()));
        let other = CheckContext::new(other_run, Protocol::Webdav, None, None);
        let _other_turn = tokio::time::timeout(Duration::from_millis(50), other.one_at_a_time())
            .await
            .expect("another run does not wait");
        drop(held);
        let _turn = tokio::time::timeout(Duration::from_secs(5), second.one_at_a_time())
            .await
            .expect("the turn passes on when the first check is done");
    }
}
