//! The check model: a static descriptor ([`Check`]) plus an async procedure, grouped per
//! protocol into [`Suite`]s, gathered in a [`Registry`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};

use super::context::CheckContext;
use super::finding::CheckResult;

/// A boxed, sendable future, the return type of every [`Procedure`] and [`Probe`].
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// The procedure of a check: takes the check's context (cheap to clone, owns its connections'
/// shared transcript) and judges the server. Write it as `|cx| Box::pin(my_async_fn(cx))`.
pub type Procedure = fn(CheckContext) -> BoxFuture<CheckResult>;

/// Asks a server which capabilities it advertises (IMAP `CAPABILITY`, SMTP `EHLO` keywords,
/// DAV `DAV:` header classes), once per run and protocol. Names are compared ASCII
/// case-insensitively with [`Check::needs`].
pub type Probe = fn(CheckContext) -> BoxFuture<Result<Vec<String>, super::finding::Finding>>;

/// Removes what a suite's checks created under the run prefix; runs once after the suite.
pub type Cleanup = fn(CheckContext) -> BoxFuture<CheckResult>;

/// The protocol (and so the endpoint of the target) a check talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// IMAP4rev1/IMAP4rev2 (RFC 3501, RFC 9051) and extensions.
    Imap,
    /// SMTP message submission (RFC 6409, RFC 5321).
    Smtp,
    /// Client configuration discovery: autoconfig, SRV records, well-known URIs.
    Discovery,
    /// WebDAV (RFC 4918) and extensions.
    Webdav,
    /// CalDAV (RFC 4791).
    Caldav,
    /// CardDAV (RFC 6352).
    Carddav,
    /// Security posture across every TLS service of the target (TLS versions, cipher suites,
    /// certificates, implicit TLS): no endpoint of its own.
    Security,
}

impl Protocol {
    /// Every protocol, in report order.
    pub const ALL: [Protocol; 7] = [
        Protocol::Imap,
        Protocol::Smtp,
        Protocol::Discovery,
        Protocol::Webdav,
        Protocol::Caldav,
        Protocol::Carddav,
        Protocol::Security,
    ];

    /// The lowercase name used in check ids, profiles and reports (`imap`, `smtp`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Imap => "imap",
            Protocol::Smtp => "smtp",
            Protocol::Discovery => "discovery",
            Protocol::Webdav => "webdav",
            Protocol::Caldav => "caldav",
            Protocol::Carddav => "carddav",
            Protocol::Security => "security",
        }
    }

    /// The display name used in human reports (`IMAP`, `SMTP`, ...).
    pub fn label(self) -> &'static str {
        match self {
            Protocol::Imap => "IMAP",
            Protocol::Smtp => "SMTP",
            Protocol::Discovery => "Discovery",
            Protocol::Webdav => "WebDAV",
            Protocol::Caldav => "CalDAV",
            Protocol::Carddav => "CardDAV",
            Protocol::Security => "Security",
        }
    }

    /// Parses a [`Protocol::name`], ASCII case-insensitively.
    pub fn from_name(name: &str) -> Option<Protocol> {
        Protocol::ALL
            .into_iter()
            .find(|protocol| protocol.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The requirement level of the RFC sentence a check tests (RFC 2119 keywords).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    /// An absolute requirement: breaking it is a `fail`.
    Must,
    /// A recommendation: breaking it is a `warn`.
    Should,
    /// Truly optional behaviour: breaking it is a `warn`.
    May,
}

impl Level {
    /// Every level, strongest first.
    pub const ALL: [Level; 3] = [Level::Must, Level::Should, Level::May];

    /// `MUST`, `SHOULD` or `MAY`.
    pub fn name(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        }
    }

    /// Parses a [`Level::name`], ASCII case-insensitively.
    pub fn from_name(name: &str) -> Option<Level> {
        Level::ALL
            .into_iter()
            .find(|level| level.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whom a requirement binds: the software, or how a deployment is configured.
///
/// RFC 9051 §6.2.3 says an implementation "MUST implement a configuration in which it does not
/// permit the LOGIN command, unless TLS is active": every server must be *able* to refuse
/// plaintext LOGIN, but a deployment whose administrator allowed it (on loopback, say) is not
/// broken. Such checks are [`Scope::Deployment`]: they report what the deployment does, and only
/// profiles that set a policy (`security`, `strict`) require them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// What every conforming implementation does, whatever its configuration.
    Implementation,
    /// A configuration the RFC requires implementations to support (or recommends); whether
    /// this deployment uses it is policy.
    Deployment,
}

impl Scope {
    /// `implementation` or `deployment`.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Implementation => "implementation",
            Scope::Deployment => "deployment",
        }
    }

    /// Parses a [`Scope::name`], ASCII case-insensitively.
    pub fn from_name(name: &str) -> Option<Scope> {
        [Scope::Implementation, Scope::Deployment]
            .into_iter()
            .find(|scope| scope.name().eq_ignore_ascii_case(name))
    }
}

/// The document a requirement is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Document {
    /// An RFC, by number.
    Rfc(u16),
    /// A document that is not an RFC (an Internet-Draft, a vendor specification), by its name
    /// as published (`draft-ietf-mailmaint-autoconfig`).
    Other(&'static str),
}

/// Where a requirement is written: `RFC 9051 §6.3.2`, or a section of a document that is not
/// an RFC (reported as such, never dressed up as one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct RfcRef {
    /// The document.
    pub document: Document,
    /// The section, without the `§` (`"6.3.2"`).
    pub section: &'static str,
}

impl RfcRef {
    /// `RfcRef::new(9051, "6.3.2")`.
    pub const fn new(rfc: u16, section: &'static str) -> RfcRef {
        RfcRef {
            document: Document::Rfc(rfc),
            section,
        }
    }

    /// A section of a document that is not an RFC:
    /// `RfcRef::other("draft-ietf-mailmaint-autoconfig", "4.1")`.
    pub const fn other(name: &'static str, section: &'static str) -> RfcRef {
        RfcRef {
            document: Document::Other(name),
            section,
        }
    }

    /// The RFC number, or `None` for a document that is not an RFC.
    pub const fn rfc(&self) -> Option<u16> {
        match self.document {
            Document::Rfc(number) => Some(number),
            Document::Other(_) => None,
        }
    }

    /// The section's address (rfc-editor.org for RFCs, the IETF datatracker for drafts), for
    /// HTML reports.
    pub fn url(&self) -> String {
        match self.document {
            Document::Rfc(number) => format!(
                "https://www.rfc-editor.org/rfc/rfc{number}#section-{}",
                self.section
            ),
            Document::Other(name) if name.starts_with("draft-") => format!(
                "https://datatracker.ietf.org/doc/html/{name}#section-{}",
                self.section
            ),
            Document::Other(_) => String::new(),
        }
    }
}

impl fmt::Display for RfcRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.document {
            Document::Rfc(number) => write!(f, "RFC {number} §{}", self.section),
            Document::Other(name) => write!(f, "{name} §{} (no RFC)", self.section),
        }
    }
}

/// One conformance check: the data that describes it and the procedure that runs it.
///
/// Declared as a `static` (see the [module documentation](super) for an example); all fields are
/// `'static` so the catalogue costs nothing to build and can be listed without a server.
#[derive(Clone, Copy)]
pub struct Check {
    /// Stable dotted id, `protocol.area.property` (`imap.select.uidvalidity`). Never reused.
    pub id: &'static str,
    /// The protocol (and so the endpoint) it talks to.
    pub protocol: Protocol,
    /// One line saying what the server must do, for reports.
    pub title: &'static str,
    /// Where the requirement is written.
    pub rfc: RfcRef,
    /// The RFC 2119 level of that requirement.
    pub level: Level,
    /// Whether the requirement binds the implementation or the deployment's configuration.
    pub scope: Scope,
    /// The RFC sentence, quoted verbatim.
    pub quote: &'static str,
    /// Names of the profiles that list this check by membership (`"thunderbird"`).
    pub profiles: &'static [&'static str],
    /// Capabilities the server must advertise for the check to apply (`"IDLE"`, `"STARTTLS"`).
    /// When the probe shows one missing, the check is `skip: not advertised: IDLE`.
    pub needs: &'static [&'static str],
    /// Names of the reference-server faults that make this check fail (for `selftest`).
    pub broken_by: &'static [&'static str],
    /// How many accounts of the target it uses (0, 1 or 2); missing ones make it `skip`.
    pub accounts: u8,
    /// The procedure.
    pub run: Procedure,
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Check")
            .field("id", &self.id)
            .field("protocol", &self.protocol)
            .field("rfc", &self.rfc)
            .field("level", &self.level)
            .finish_non_exhaustive()
    }
}

/// The checks of one protocol, with the hooks run once around them.
#[derive(Debug, Clone, Copy)]
pub struct Suite {
    /// The protocol all its checks share.
    pub protocol: Protocol,
    /// Learns the advertised capabilities before the checks run; `None` means checks with
    /// `needs` are never skipped for that reason.
    pub probe: Option<Probe>,
    /// Removes what the checks created under the run prefix.
    pub cleanup: Option<Cleanup>,
    /// The checks.
    pub checks: &'static [Check],
}

/// Every suite the harness knows. Suites add themselves (see `crate::suites::registry`); tests
/// build their own.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    suites: Vec<Suite>,
}

/// A registry with two checks sharing one id is a programming error reported by
/// [`Registry::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateId(pub &'static str);

impl fmt::Display for DuplicateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "check id {} is declared twice", self.0)
    }
}

impl std::error::Error for DuplicateId {}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Adds a suite (builder style).
    pub fn with(mut self, suite: Suite) -> Registry {
        self.suites.push(suite);
        self
    }

    /// Adds a suite.
    pub fn add(&mut self, suite: Suite) {
        self.suites.push(suite);
    }

    /// The suites, in the order they were added.
    pub fn suites(&self) -> &[Suite] {
        &self.suites
    }

    /// Every check, suite by suite.
    pub fn checks(&self) -> impl Iterator<Item = &'static Check> + '_ {
        self.suites.iter().flat_map(|suite| suite.checks.iter())
    }

    /// The check with this id.
    pub fn find(&self, id: &str) -> Option<&'static Check> {
        self.checks().find(|check| check.id == id)
    }

    /// The suite of a protocol, if one is registered.
    pub fn suite(&self, protocol: Protocol) -> Option<&Suite> {
        self.suites.iter().find(|suite| suite.protocol == protocol)
    }

    /// Fails on the first id declared twice.
    pub fn validate(&self) -> Result<(), DuplicateId> {
        let mut seen = std::collections::HashSet::new();
        for check in self.checks() {
            if !seen.insert(check.id) {
                return Err(DuplicateId(check.id));
            }
        }
        Ok(())
    }
}
