//! The check engine: how checks are declared, run and judged.
//!
//! # Declaring a check
//!
//! A check is a `static` [`Check`] descriptor (id, protocol, RFC reference and level, the
//! quoted sentence, profiles, needed capabilities, the faults that break it) plus an async
//! procedure that takes a [`CheckContext`] and returns a [`CheckResult`]:
//!
//! ```
//! use groupwire_conformance::engine::{
//!     Check, CheckContext, CheckResult, Finding, Level, Protocol, RfcRef, Scope, ensure,
//!     show_bytes,
//! };
//!
//! pub static GREETING: Check = Check {
//!     id: "imap.greeting.untagged",
//!     protocol: Protocol::Imap,
//!     title: "The server greets with an untagged OK, PREAUTH or BYE",
//!     rfc: RfcRef::new(9051, "7.1"),
//!     level: Level::Must,
//!     scope: Scope::Implementation,
//!     quote: "The initial response from the server MUST be ...",
//!     profiles: &["mail", "thunderbird"],
//!     needs: &[],
//!     broken_by: &["imap.bad-greeting"],
//!     accounts: 0,
//!     run: |cx| Box::pin(greeting(cx)),
//! };
//!
//! async fn greeting(cx: CheckContext) -> CheckResult {
//!     let mut conn = cx.connect().await?; // error outcome if unreachable
//!     let line = conn.read_line().await?; // bounded, timed, recorded
//!     ensure(line.starts_with(b"* OK") || line.starts_with(b"* PREAUTH"),
//!            "an untagged OK or PREAUTH greeting",
//!            || show_bytes(&line, 200))?;
//!     conn.close().await;
//!     Ok(())
//! }
//! ```
//!
//! The procedure returns `Ok(())` for a pass, or a [`Finding`]:
//! [`Finding::violation`] (fail for a MUST, warn for a SHOULD/MAY), [`Finding::quirk`]
//! (warn), [`Finding::skip`] (skip with the reason) or a harness problem (error); `?` on a
//! [`ConnError`] gives the right error. The runner adds the evidence: the transcript of the
//! check's connections (credentials masked at record time), expected/actual, the RFC
//! sentence. A check whose [`Check::needs`] the suite's probe did not see is
//! `skip: not advertised: X` without running (the server's own choice: a legitimate skip); one
//! needing more accounts than the target has, or talking to a protocol the target has no
//! endpoint for, is skipped as *not run* ([`Finding::NotRun`], like [`CheckContext::account`]
//! and [`CheckContext::endpoint`] and a [`Finding::Blocked`] check): a required check that did
//! not run makes the run `incomplete`, never `pass`. Before the suites, the preflight
//! (`crate::preflight`) reaches every endpoint, verifies its certificate and logs in once per
//! account, so an untrusted certificate or a wrong password is reported once, not per check.
//!
//! # Suites and the registry
//!
//! Checks of one protocol form a [`Suite`] with an optional [`Probe`] (learns the advertised
//! capabilities once per run) and [`Cleanup`] (deletes everything named with the run prefix).
//! A [`Registry`] holds all suites; `crate::suites` builds the real one, tests build their own.
//!
//! # Reading from the server
//!
//! [`CheckContext::connect`] gives a [`Connection`] to the check's endpoint (implicit TLS for
//! `imaps`/`smtps`/`https`, plain for STARTTLS endpoints until the suite calls
//! [`Connection::start_tls`]). Reads are [`Connection::read_line`] and
//! [`Connection::read_until_decoded`], which hands the buffered bytes to a codec decoder and
//! maps its answer through [`Framed`] ([`codec`] adapts the codecs' `Decoded` results). Every read waits at most the I/O timeout and buffers at
//! most [`ConnSettings::max_buffer`] bytes; the runner bounds the whole check by
//! [`RunOptions::check_timeout`], so a stalled, endless or garbage-spewing server yields an
//! `error` with the evidence, never a hang.
//!
//! # Destructive checks
//!
//! Checks that create or delete data do so only under names from
//! [`CheckContext::scratch_name`] (prefixed with [`CheckContext::run_prefix`], unique per run);
//! the suite's cleanup removes them.

mod check;
pub mod codec;
mod conn;
mod context;
mod finding;
pub mod http;
mod mask;
mod outcome;
mod runner;
mod tls;
mod transcript;

pub use check::{
    BoxFuture, Check, Cleanup, Document, DuplicateId, Level, Probe, Procedure, Protocol, Registry,
    RfcRef, Scope, Suite,
};
pub use conn::{
    AUTH_PATIENCE, ConnError, ConnSettings, Connection, DEFAULT_MAX_BUFFER, Framed, RecordedIo,
};
pub use context::{CheckContext, RunEnv, UntaggedLimit, new_run_prefix};
pub use finding::{CheckResult, Finding, ensure, show_bytes};
pub use mask::{FieldMasker, Wire};
pub use outcome::{CheckOutcome, Evidence, Status};
pub use runner::{
    HookOutcome, NoProgress, Progress, RunOptions, RunResult, Selected, run, run_checks,
};
pub use tls::{
    AcceptAnyCertificate, CertificateInfo, PinnedCertificate, RejectedCertificate, SharedChain,
    TlsSetupError, TlsTrust, TrustLog, client_config, client_config_with_log, server_name,
};
pub use transcript::{
    DEFAULT_MAX_RUN_TRANSCRIPT_BYTES, DEFAULT_MAX_TRANSCRIPT_BYTES, Direction, Entry,
    MIN_SEARCHED_SECRET, MIN_TRANSCRIPT_BYTES, Masker, Transcript, TranscriptBudget, render_text,
};
