//! Targets: the deployment under test, from a TOML file or from URLs on the command line.
//!
//! ```toml
//! name = "example.org production"      # optional, shown in reports
//! domain = "example.org"               # the mail domain (discovery, addresses)
//! imap = "imap://mail.example.org:143"    # STARTTLS, or imaps://host:993 (implicit TLS)
//! imaps = "imaps://mail.example.org:993"   # optional: the implicit-TLS port beside a STARTTLS one
//! smtp = "smtp://mail.example.org:587"     # or smtps://host:465 (implicit TLS)
//! smtps = "smtps://mail.example.org:465"   # optional, as imaps
//! mx = "smtp://mx.example.org:25"          # optional: the MX (port 25), for the relay probe
//! caldav = "https://dav.example.org/dav/calendars/"
//! carddav = "https://dav.example.org/dav/addressbooks/"
//! webdav = "https://dav.example.org/dav/files/"
//! autoconfig = "https://autoconfig.example.org/mail/config-v1.1.xml"  # or the base URL
//! dns = "192.0.2.53:53"                # optional: the nameserver for the DNS checks (default:
//!                                      # the system resolver)
//! dkim_selectors = ["2026a"]           # optional: DKIM selectors whose keys are checked
//! mta_sts_url = "https://mta-sts.example.org/.well-known/mta-sts.txt"  # optional override
//!
//! [tls]
//! trust = "system"                     # or "ca-file" (with ca_file = "ca.pem") or "insecure"
//!
//! [[account]]
//! user = "alice@example.org"           # the login
//! password_env = "ALICE_PASSWORD"      # or password_file = "alice.secret"
//! # address = "alice@example.org"      # the mail address, when the login is not one
//! # oauth_token_env = "ALICE_TOKEN"    # optional OAuth 2.0 bearer token (OAUTHBEARER checks),
//! #                                    # or oauth_token_file = "alice.token"
//!
//! [[account]]
//! user = "bob@example.org"
//! password_file = "bob.secret"
//! ```
//!
//! Passwords never come from the command line or the TOML itself. URL schemes: `imap://`
//! (STARTTLS, port 143), `imaps://` (993), `smtp://` (STARTTLS, 587), `smtps://` (465),
//! `http://` (80), `https://` (443); `imap+plain://` and `smtp+plain://` use no TLS at all
//! (test servers only). Relative `ca_file` / `password_file` paths are relative to the TOML.
//!
//! A deployment usually offers both ports of a protocol (143 and 993, 587 and 465). The
//! STARTTLS one is the protocol's endpoint; the implicit-TLS one, given as `imaps`/`smtps` in a
//! target file or as a second URL of the same protocol, is where the implicit-TLS checks run
//! ([`Target::implicit_endpoint`]). Without it those checks run only when the protocol's
//! endpoint is itself implicit TLS.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::{Protocol, TlsTrust};

/// Environment variable with the password of the user named in command-line URLs.
pub const PASSWORD_ENV: &str = "GROUPWIRE_PASSWORD";
/// Environment variable naming the second account for command-line URLs.
pub const USER2_ENV: &str = "GROUPWIRE_USER2";
/// Environment variable with the second account's password for command-line URLs.
pub const PASSWORD2_ENV: &str = "GROUPWIRE_PASSWORD2";

/// How an endpoint gets TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Security {
    /// TLS from the first byte (`imaps`, `smtps`, `https`).
    Implicit,
    /// Plain text, upgraded by the protocol's STARTTLS (`imap`, `smtp`).
    StartTls,
    /// No TLS at all (`http`, `imap+plain`, `smtp+plain`).
    Plain,
}

/// One network endpoint of the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// The URL as given.
    pub url: String,
    /// The scheme (`imaps`).
    pub scheme: String,
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    /// TCP port (the scheme's default when the URL has none).
    pub port: u16,
    /// How TLS is obtained.
    pub security: Security,
    /// The path, `/` when absent (DAV base URLs).
    pub path: String,
    /// The user named in the URL, if any.
    pub user: Option<String>,
}

/// A target could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetError(pub String);

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TargetError {}

fn default_port(scheme: &str) -> Option<(u16, Security)> {
    Some(match scheme {
        "imap" => (143, Security::StartTls),
        "imaps" => (993, Security::Implicit),
        "imap+plain" => (143, Security::Plain),
        "smtp" | "submission" => (587, Security::StartTls),
        "smtps" | "submissions" => (465, Security::Implicit),
        "smtp+plain" => (587, Security::Plain),
        "http" => (80, Security::Plain),
        "https" => (443, Security::Implicit),
        _ => return None,
    })
}

impl Endpoint {
    /// Parses `scheme://[user@]host[:port][/path]`.
    pub fn parse(url: &str) -> Result<Endpoint, TargetError> {
        // The URL may hold a password (refused below): never echo it, and when it looks like
        // one (`user:...@`) say so, whatever else fails to parse (a `/` in a password ends
        // the authority early and makes the rest look like a port and a path).
        let shown = redact_urls(url);
        let password_hint = shown != url;
        let bad = |why: &str| {
            let why = if password_hint {
                "passwords do not belong in URLs; use the GROUPWIRE_PASSWORD environment variable"
            } else {
                why
            };
            TargetError(format!("invalid URL {shown:?}: {why}"))
        };
        let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("no scheme"))?;
        let scheme = scheme.to_ascii_lowercase();
        let (default, security) = default_port(&scheme).ok_or_else(|| bad("unknown scheme"))?;
        let (authority, path) = match rest.find('/') {
            Some(at) => (
                rest.get(..at).unwrap_or_default(),
                rest.get(at..).unwrap_or("/"),
            ),
            None => (rest, "/"),
        };
        let (user, hostport) = match authority.rsplit_once('@') {
            Some((user, hostport)) => (Some(percent_decode(user)), hostport),
            None => (None, authority),
        };
        let password_like = user.as_deref().is_some_and(|user| user.contains(':'))
            // `imap://bob:pa/ss@host`: a password with `/` makes the rest look like a path.
            || (!matches!(scheme.as_str(), "http" | "https") && path.contains('@'));
        if password_like {
            return Err(bad(
                "passwords do not belong in URLs; use the GROUPWIRE_PASSWORD environment variable",
            ));
        }
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (host, after) = v6.split_once(']').ok_or_else(|| bad("unclosed ["))?;
            let port = match after.strip_prefix(':') {
                Some(port) => port.parse().map_err(|_| bad("bad port"))?,
                None if after.is_empty() => default,
                None => return Err(bad("junk after ]")),
            };
            (host.to_owned(), port)
        } else {
            match hostport.rsplit_once(':') {
                Some((host, port)) => (host.to_owned(), port.parse().map_err(|_| bad("bad port"))?),
                None => (hostport.to_owned(), default),
            }
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        Ok(Endpoint {
            url: url.to_owned(),
            scheme,
            host,
            port,
            security,
            path: path.to_owned(),
            user,
        })
    }

    /// Which protocol a URL scheme serves, for command-line URLs (`http(s)` has none).
    pub fn protocol(&self) -> Option<Protocol> {
        match self.scheme.as_str() {
            "imap" | "imaps" | "imap+plain" => Some(Protocol::Imap),
            "smtp" | "smtps" | "smtp+plain" | "submission" | "submissions" => Some(Protocol::Smtp),
            _ => None,
        }
    }
}

/// `text` with the password part of every URL in it (`scheme://user:password@...`) replaced
/// by `***`, for messages: from the first `:` after `://` to the last `@` of the URL (a `/`
/// in a password included). It may hide more than the password, never less.
pub fn redact_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let end = after
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
            .unwrap_or(after.len());
        let (url, tail) = after.split_at(end);
        match (url.find(':'), url.rfind('@')) {
            (Some(colon), Some(at)) if colon < at => {
                out.push_str(url.get(..=colon).unwrap_or_default());
                out.push_str("***");
                out.push_str(url.get(at..).unwrap_or_default());
            }
            _ => out.push_str(url),
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if byte == b'%'
            && let Some(hex) = text.get(index + 1..index + 3)
            && let Ok(value) = u8::from_str_radix(hex, 16)
        {
            out.push(value);
            index += 3;
        } else {
            out.push(byte);
            index += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A password that never shows in `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a password.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The password itself, for sending to the server.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// One account on the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// The login name (`alice@example.org`, or `alice` on servers whose logins are not
    /// addresses).
    pub user: String,
    /// The account's mail address, used for MAIL FROM, RCPT TO and headers: the target file's
    /// `address`, else the login when it is an address, else `login@domain`
    /// ([`Account::new`]).
    pub address: String,
    /// The password (never serialised).
    #[serde(skip)]
    pub password: Secret,
    /// An OAuth 2.0 bearer token for OAUTHBEARER (RFC 7628), when the target gives one
    /// (never serialised).
    #[serde(skip)]
    pub oauth_token: Option<Secret>,
}

impl Account {
    /// An account whose address is `address`, or derived from the login: the login itself
    /// when it contains `@`, else `login@domain` when the domain is known.
    pub fn new(
        user: impl Into<String>,
        password: Secret,
        address: Option<String>,
        domain: Option<&str>,
    ) -> Account {
        let user = user.into();
        let address = address.unwrap_or_else(|| match domain {
            Some(domain) if !user.contains('@') => format!("{user}@{domain}"),
            _ => user.clone(),
        });
        Account {
            user,
            address,
            password,
            oauth_token: None,
        }
    }

    /// The account with an OAuth 2.0 bearer token.
    pub fn with_oauth_token(mut self, token: Secret) -> Account {
        self.oauth_token = Some(token);
        self
    }

    /// The account with [`WRONG_PASSWORD`] (one more `x` should that be the real one): the
    /// only wrong password any check sends.
    pub fn with_wrong_password(&self) -> Account {
        let mut password = WRONG_PASSWORD.to_string();
        if password == self.password.expose() {
            password.push('x');
        }
        Account {
            password: Secret::new(password),
            ..self.clone()
        }
    }
}

/// The one wrong password of every deliberately failed login. One, because servers that slow
/// down failed logins by client address count a wrong password they have already seen once:
/// Dovecot's auth penalty (behind Postfix too) grows by one for each new user and password
/// pair, delays every login from that address by 4, 8, then 15 s, and Postfix answers 454
/// when its auth server takes over 10 s. With one pair, all the harness's wrong passwords
/// together cost the logins of the checks beside them one step (4 s); a wrong SCRAM proof,
/// which Dovecot cannot compare, is followed by a correct login instead. It shares nothing
/// with a real password, so sending it before TLS gives nothing away.
pub const WRONG_PASSWORD: &str = "groupwire-deliberately-wrong-password";

/// The deployment under test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// A name for reports.
    pub name: String,
    /// The mail domain.
    pub domain: Option<String>,
    /// IMAP endpoint.
    pub imap: Option<Endpoint>,
    /// The implicit-TLS IMAP endpoint (993) beside a STARTTLS `imap` endpoint, if given.
    pub imaps: Option<Endpoint>,
    /// Submission endpoint.
    pub smtp: Option<Endpoint>,
    /// The implicit-TLS submission endpoint (465) beside a STARTTLS `smtp` endpoint, if given.
    pub smtps: Option<Endpoint>,
    /// The MX endpoint (SMTP on port 25, STARTTLS when offered), if given: the open-relay
    /// probe runs there too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mx: Option<Endpoint>,
    /// WebDAV base URL.
    pub webdav: Option<Endpoint>,
    /// CalDAV base URL.
    pub caldav: Option<Endpoint>,
    /// CardDAV base URL.
    pub carddav: Option<Endpoint>,
    /// Autoconfig URL (discovery checks): the document's URL or its base URL (the document's
    /// path is then appended); when absent, discovery checks derive it from the domain.
    pub autoconfig: Option<Endpoint>,
    /// Accounts, in order (checks use the first one or two).
    pub accounts: Vec<Account>,
    /// Which certificates are trusted.
    pub tls: TlsTrust,
    /// The nameserver the DNS checks ask (`127.0.0.1:5353`); `None` for the system resolver.
    pub dns: Option<std::net::SocketAddr>,
    /// DKIM selectors whose key records the DKIM checks look up (`<selector>._domainkey.<domain>`).
    pub dkim_selectors: Vec<String>,
    /// Where the MTA-STS policy is fetched instead of
    /// `https://mta-sts.<domain>/.well-known/mta-sts.txt` (a test deployment on loopback).
    pub mta_sts_url: Option<Endpoint>,
}

impl Target {
    /// The endpoint a protocol's checks talk to.
    pub fn endpoint(&self, protocol: Protocol) -> Option<&Endpoint> {
        match protocol {
            Protocol::Imap => self.imap.as_ref(),
            Protocol::Smtp => self.smtp.as_ref(),
            Protocol::Discovery => self.autoconfig.as_ref(),
            Protocol::Webdav => self.webdav.as_ref(),
            Protocol::Caldav => self.caldav.as_ref(),
            Protocol::Carddav => self.carddav.as_ref(),
            // The security checks visit every TLS service (`Target::tls_services`).
            Protocol::Security => None,
        }
    }

    /// Where a protocol's implicit-TLS checks run: its endpoint when that is implicit TLS,
    /// else the implicit-TLS companion (`imaps`, `smtps`) when the target names one.
    pub fn implicit_endpoint(&self, protocol: Protocol) -> Option<&Endpoint> {
        let main = self.endpoint(protocol);
        if let Some(endpoint) = main.filter(|e| e.security == Security::Implicit) {
            return Some(endpoint);
        }
        match protocol {
            Protocol::Imap => self.imaps.as_ref(),
            Protocol::Smtp => self.smtps.as_ref(),
            _ => None,
        }
    }

    /// A target with no endpoint and no account, to fill in field by field (tests, `demo`).
    pub fn empty(name: impl Into<String>) -> Target {
        Target {
            name: name.into(),
            domain: None,
            imap: None,
            imaps: None,
            smtp: None,
            smtps: None,
            mx: None,
            webdav: None,
            caldav: None,
            carddav: None,
            autoconfig: None,
            accounts: Vec::new(),
            tls: TlsTrust::System,
            dns: None,
            dkim_selectors: Vec::new(),
            mta_sts_url: None,
        }
    }

    /// A target from command-line URLs; passwords come from `env` (normally
    /// `std::env::var`): [`PASSWORD_ENV`] for the URL user, [`USER2_ENV`] and
    /// [`PASSWORD2_ENV`] for a second account.
    pub fn from_urls(
        urls: &[String],
        tls: TlsTrust,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Target, TargetError> {
        let mut target = Target::empty(urls.join(" "));
        target.tls = tls;
        let mut user: Option<(String, String)> = None;
        for url in urls {
            let endpoint = Endpoint::parse(url)?;
            if let Some(name) = &endpoint.user {
                match &user {
                    None => user = Some((name.clone(), url.clone())),
                    // One password variable cannot serve two users, and guessing which one
                    // is the second account would run the checks as someone unexpected.
                    Some((first, first_url)) if first != name => {
                        return Err(TargetError(format!(
                            "{first_url} and {url} name different users ({first} and {name}); \
                             URLs name one account, whose password is in {PASSWORD_ENV}: give \
                             every URL the same user, name a second account with {USER2_ENV} \
                             and {PASSWORD2_ENV}, or describe the accounts in a target file"
                        )));
                    }
                    Some(_) => {}
                }
            }
            let (slot, companion) = match endpoint.protocol() {
                Some(Protocol::Imap) => (&mut target.imap, Some(&mut target.imaps)),
                Some(Protocol::Smtp) => (&mut target.smtp, Some(&mut target.smtps)),
                _ => (&mut target.caldav, None),
            };
            match (slot.take(), companion) {
                (None, _) => *slot = Some(endpoint),
                // Both ports of a protocol: STARTTLS stays the endpoint, implicit TLS becomes
                // the companion the implicit-TLS checks use.
                (Some(first), Some(companion))
                    if companion.is_none()
                        && (first.security == Security::Implicit)
                            != (endpoint.security == Security::Implicit) =>
                {
                    let (main, implicit) = if first.security == Security::Implicit {
                        (endpoint, first)
                    } else {
                        (first, endpoint)
                    };
                    *slot = Some(main);
                    *companion = Some(implicit);
                }
                (Some(_), _) => {
                    return Err(TargetError(format!(
                        "{url}: two URLs for the same protocol (one STARTTLS and one implicit-TLS \
                         URL of a protocol are allowed)"
                    )));
                }
            }
        }
        if let Some((user, _)) = user {
            target.domain = user.rsplit_once('@').map(|(_, domain)| domain.to_owned());
            let password = env(PASSWORD_ENV).ok_or_else(|| {
                TargetError(format!("set {PASSWORD_ENV} to the password of {user}"))
            })?;
            target.accounts.push(Account::new(
                user,
                Secret::new(password),
                None,
                target.domain.as_deref(),
            ));
            if let Some(user2) = env(USER2_ENV) {
                let password = env(PASSWORD2_ENV).ok_or_else(|| {
                    TargetError(format!("set {PASSWORD2_ENV} to the password of {user2}"))
                })?;
                target.accounts.push(Account::new(
                    user2,
                    Secret::new(password),
                    None,
                    target.domain.as_deref(),
                ));
            }
        }
        Ok(target)
    }

    /// Reads a target TOML file.
    pub fn from_file(
        path: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Target, TargetError> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| TargetError(format!("cannot read {}: {error}", path.display())))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Target::from_toml(&text, base, env)
            .map_err(|error| TargetError(format!("{}: {}", path.display(), error.0)))
    }

    /// Parses target TOML; relative file paths are taken from `base`.
    pub fn from_toml(
        text: &str,
        base: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Target, TargetError> {
        // toml's own message quotes the offending line, which may be `password = "..."`: say
        // where and what, never the text.
        let file: TargetFile = toml::from_str(text).map_err(|error| {
            let line = error.span().map(|span| {
                text.get(..span.start)
                    .unwrap_or_default()
                    .lines()
                    .count()
                    .max(1)
            });
            TargetError(match line {
                Some(line) => format!("line {line}: {}", redact_urls(error.message())),
                None => redact_urls(error.message()),
            })
        })?;
        let endpoint = |url: &Option<String>| url.as_deref().map(Endpoint::parse).transpose();
        let tls = match file
            .tls
            .as_ref()
            .map(|tls| (tls.trust.as_str(), &tls.ca_file))
        {
            None | Some(("system", _)) => TlsTrust::System,
            Some(("insecure", _)) => TlsTrust::Insecure,
            Some(("ca-file", Some(path))) => TlsTrust::CaFile {
                path: base.join(path),
            },
            Some(("ca-file", None)) => {
                return Err(TargetError(
                    "tls.trust = \"ca-file\" needs tls.ca_file".into(),
                ));
            }
            Some((other, _)) => {
                return Err(TargetError(format!(
                    "tls.trust must be system, ca-file or insecure, not {other:?}"
                )));
            }
        };
        let mut accounts = Vec::new();
        for account in &file.account {
            let password = match (&account.password_env, &account.password_file) {
                (Some(name), None) => env(name).ok_or_else(|| {
                    TargetError(format!(
                        "environment variable {name} (password of {}) is not set",
                        account.user
                    ))
                })?,
                (None, Some(file)) => {
                    let path = base.join(file);
                    let text = std::fs::read_to_string(&path).map_err(|error| {
                        TargetError(format!("cannot read {}: {error}", path.display()))
                    })?;
                    text.trim_end_matches(['\r', '\n']).to_owned()
                }
                _ => {
                    return Err(TargetError(format!(
                        "account {}: give exactly one of password_env and password_file",
                        account.user
                    )));
                }
            };
            let mut entry = Account::new(
                account.user.clone(),
                Secret::new(password),
                account.address.clone(),
                file.domain.as_deref(),
            );
            match (&account.oauth_token_env, &account.oauth_token_file) {
                (None, None) => {}
                (Some(name), None) => {
                    let token = env(name).ok_or_else(|| {
                        TargetError(format!(
                            "environment variable {name} (OAuth token of {}) is not set",
                            account.user
                        ))
                    })?;
                    entry = entry.with_oauth_token(Secret::new(token));
                }
                (None, Some(file)) => {
                    let path = base.join(file);
                    let text = std::fs::read_to_string(&path).map_err(|error| {
                        TargetError(format!("cannot read {}: {error}", path.display()))
                    })?;
                    entry =
                        entry.with_oauth_token(Secret::new(text.trim_end_matches(['\r', '\n'])));
                }
                (Some(_), Some(_)) => {
                    return Err(TargetError(format!(
                        "account {}: give at most one of oauth_token_env and oauth_token_file",
                        account.user
                    )));
                }
            }
            accounts.push(entry);
        }
        Ok(Target {
            name: file
                .name
                .clone()
                .or_else(|| file.domain.clone())
                .unwrap_or_else(|| "target".to_owned()),
            domain: file.domain.clone(),
            imap: endpoint(&file.imap)?,
            imaps: implicit_companion(&file.imaps, "imaps")?,
            smtp: endpoint(&file.smtp)?,
            smtps: implicit_companion(&file.smtps, "smtps")?,
            mx: endpoint(&file.mx)?,
            webdav: endpoint(&file.webdav)?,
            caldav: endpoint(&file.caldav)?,
            carddav: endpoint(&file.carddav)?,
            autoconfig: endpoint(&file.autoconfig)?,
            accounts,
            tls,
            dns: file.dns.as_deref().map(parse_dns_server).transpose()?,
            dkim_selectors: file.dkim_selectors.clone(),
            mta_sts_url: endpoint(&file.mta_sts_url)?,
        })
    }
}

/// A nameserver address: `IP:PORT`, or an IP alone (port 53).
pub fn parse_dns_server(text: &str) -> Result<std::net::SocketAddr, TargetError> {
    if let Ok(address) = text.parse::<std::net::SocketAddr>() {
        return Ok(address);
    }
    text.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .map(|ip| std::net::SocketAddr::new(ip, 53))
        .map_err(|_| {
            TargetError(format!(
                "dns = {text:?}: expected IP:PORT or an IP address of a nameserver"
            ))
        })
}

/// An `imaps`/`smtps` key of a target file: an implicit-TLS URL, or absent.
fn implicit_companion(url: &Option<String>, key: &str) -> Result<Option<Endpoint>, TargetError> {
    let Some(url) = url else {
        return Ok(None);
    };
    let endpoint = Endpoint::parse(url)?;
    if endpoint.security != Security::Implicit {
        return Err(TargetError(format!(
            "{key} = {url:?}: must be an implicit-TLS URL ({key}://host:port)"
        )));
    }
    Ok(Some(endpoint))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetFile {
    name: Option<String>,
    domain: Option<String>,
    imap: Option<String>,
    imaps: Option<String>,
    smtp: Option<String>,
    smtps: Option<String>,
    mx: Option<String>,
    webdav: Option<String>,
    caldav: Option<String>,
    carddav: Option<String>,
    autoconfig: Option<String>,
    dns: Option<String>,
    #[serde(default)]
    dkim_selectors: Vec<String>,
    mta_sts_url: Option<String>,
    tls: Option<TlsFile>,
    #[serde(default)]
    account: Vec<AccountFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TlsFile {
    trust: String,
    ca_file: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountFile {
    user: String,
    address: Option<String>,
    password_env: Option<String>,
    password_file: Option<PathBuf>,
    oauth_token_env: Option<String>,
    oauth_token_file: Option<PathBuf>,
}

impl From<TargetError> for crate::engine::Finding {
    fn from(error: TargetError) -> crate::engine::Finding {
        crate::engine::Finding::harness(error.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wrong password is the same for every account, and never the account's own (it
    /// may travel before TLS).
    #[test]
    fn the_wrong_password_is_shared_and_never_the_real_one() {
        let alice = Account::new("alice", Secret::new("alice-password"), None, None);
        let bob = Account::new("bob", Secret::new("bob-password"), None, None);
        let wrong = alice.with_wrong_password();
        assert_eq!(wrong.password.expose(), WRONG_PASSWORD);
        assert_eq!(bob.with_wrong_password().password.expose(), WRONG_PASSWORD);
        assert_eq!(
            (wrong.user.as_str(), wrong.address.as_str()),
            ("alice", "alice")
        );
        let unlucky = Account::new("carol", Secret::new(WRONG_PASSWORD), None, None);
        assert_ne!(
            unlucky.with_wrong_password().password.expose(),
            unlucky.password.expose()
        );
    }
}
