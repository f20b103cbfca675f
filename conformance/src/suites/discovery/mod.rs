//! Mail client configuration discovery: the Thunderbird autoconfig document, fetched from
//! `https://autoconfig.<domain>/mail/config-v1.1.xml` and from
//! `/.well-known/autoconfig/mail/config-v1.1.xml`, parsed, and cross-checked against the
//! servers actually reachable: every hostname, port and socket type it names must accept the
//! test account.

pub mod dav;
pub mod document;
pub mod http;

use crate::engine::{
    Check, CheckContext, CheckResult, Finding, Level, Protocol, RfcRef, Suite, ensure, show_bytes,
};
use crate::target::{Endpoint, Security};

use self::document::AutoconfigDocument;

/// The document that specifies autoconfig: an Internet-Draft of the IETF MAILMAINT working
/// group describing what Thunderbird does, not an RFC (reports say "no RFC").
pub const AUTOCONFIG_DRAFT: &str = "draft-ietf-mailmaint-autoconfig";

/// The path of the autoconfig document on the `autoconfig.` host.
pub const AUTOCONFIG_PATH: &str = "/mail/config-v1.1.xml";
/// The well-known path of the autoconfig document.
pub const WELL_KNOWN_PATH: &str = "/.well-known/autoconfig/mail/config-v1.1.xml";

/// The discovery suite.
pub static SUITE: Suite = Suite {
    protocol: Protocol::Discovery,
    probe: None,
    cleanup: None,
    checks: CHECKS,
};

const PROFILES: &[&str] = &["thunderbird"];

static CHECKS: &[Check] = &[
    Check {
        id: "discovery.autoconfig.served",
        protocol: Protocol::Discovery,
        title: "The autoconfig document is served over HTTPS",
        rfc: RfcRef::other(AUTOCONFIG_DRAFT, "4.1"),
        level: Level::Should,
        scope: crate::engine::Scope::Implementation,
        quote: "The first step is to directly ask the mail provider and allow it to return the configuration. … 1.1. https://autoconfig.%EMAILDOMAIN%/mail/config- v1.1.xml?emailaddress=%EMAILADDRESS% (Required. emailaddress is Optional)",
        profiles: PROFILES,
        needs: &[],
        broken_by: &["autoconfig-missing"],
        accounts: 0,
        run: |cx| Box::pin(served(cx)),
    },
    Check {
        id: "discovery.autoconfig.well-known",
        protocol: Protocol::Discovery,
        title: "The autoconfig document is also served at its well-known URI",
        rfc: RfcRef::new(8615, "3"),
        level: Level::Should,
        scope: crate::engine::Scope::Implementation,
        quote: "A well-known URI is a URI [RFC3986] whose path component begins with the characters \"/.well-known/\", provided that the scheme is explicitly defined to support well-known URIs.",
        profiles: PROFILES,
        needs: &[],
        broken_by: &["autoconfig-well-known-missing", "autoconfig-missing"],
        accounts: 0,
        run: |cx| Box::pin(well_known(cx)),
    },
    Check {
        id: "discovery.autoconfig.well-formed",
        protocol: Protocol::Discovery,
        title: "The autoconfig document is well-formed XML with a clientConfig root",
        rfc: RfcRef::other(AUTOCONFIG_DRAFT, "3"),
        level: Level::Must,
        scope: crate::engine::Scope::Implementation,
        quote: "Whether the ISP or a common central database returns the configuration, the resulting document MUST have the following data format and qualities. The format is in [XML]. … The root element of the XML file is <clientConfig version=\"1.2\">.",
        profiles: PROFILES,
        needs: &[],
        broken_by: &["autoconfig-malformed", "autoconfig-missing"],
        accounts: 0,
        run: |cx| Box::pin(well_formed(cx)),
    },
    Check {
        id: "discovery.autoconfig.content-type",
        protocol: Protocol::Discovery,
        title: "The autoconfig document is served with an XML media type",
        rfc: RfcRef::other(AUTOCONFIG_DRAFT, "3"),
        level: Level::Should,
        scope: crate::engine::Scope::Implementation,
        quote: "The format is in [XML]. The MIME type is text/xml.",
        profiles: PROFILES,
        needs: &[],
        broken_by: &["autoconfig-wrong-content-type", "autoconfig-missing"],
        accounts: 0,
        run: |cx| Box::pin(content_type(cx)),
    },
    Check {
        id: "discovery.autoconfig.domain",
        protocol: Protocol::Discovery,
        title: "The autoconfig document lists the mail domain it was fetched for",
        rfc: RfcRef::other(AUTOCONFIG_DRAFT, "3.2.3"),
        level: Level::Should,
        scope: crate::engine::Scope::Implementation,
        quote: "The content of the <domain> element defines which email addresses this config is valid for.",
        profiles: PROFILES,
        needs: &[],
        broken_by: &["autoconfig-wrong-domain", "autoconfig-missing"],
        accounts: 0,
        run: |cx| Box::pin(domain(cx)),
    },
    Check {
        id: "discovery.autoconfig.imap-login",
        protocol: Protocol::Discovery,
        title: "Every IMAP server the autoconfig document names accepts the test account",
        rfc: RfcRef::new(9051, "6.2.3"),
        level: Level::Must,
        scope: crate::engine::Scope::Implementation,
        quote: "OK -  login completed, now in authenticated state",
        profiles: PROFILES,
        needs: &[],
        broken_by: &["autoconfig-wrong-port", "autoconfig-wrong-username"],
        accounts: 1,
        run: |cx| Box::pin(imap_login(cx)),
    },
    Check {
        id: "discovery.autoconfig.smtp-login",
        protocol: Protocol::Discovery,
        title: "Every submission server the autoconfig document names accepts the test account",
        rfc: RfcRef::new(4954, "4"),
        level: Level::Must,
        scope: crate::engine::Scope::Implementation,
        quote: "Should the client successfully complete the exchange, the SMTP server issues a 235 reply.",
        profiles: PROFILES,
        needs: &[],
        broken_by: &[
            "autoconfig-no-smtp",
            "autoconfig-wrong-port",
            "smtp-no-implicit-tls",
        ],
        accounts: 1,
        run: |cx| Box::pin(smtp_login(cx)),
    },
];

/// Where the autoconfig document is fetched from: the target's autoconfig URL, or
/// `https://autoconfig.<domain>/`.
pub fn autoconfig_endpoint(cx: &CheckContext) -> Result<Endpoint, Finding> {
    if let Some(endpoint) = &cx.target().autoconfig {
        return Ok(endpoint.clone());
    }
    let domain = cx.target().domain.as_deref().ok_or_else(|| {
        Finding::not_run("the target names neither an autoconfig URL nor a domain")
    })?;
    Endpoint::parse(&format!("https://autoconfig.{domain}/"))
        .map_err(|error| Finding::harness(error.to_string()))
}

/// Where the well-known document is fetched from: the target's autoconfig URL, or
/// `https://<domain>/`.
pub fn well_known_endpoint(cx: &CheckContext) -> Result<Endpoint, Finding> {
    if let Some(endpoint) = &cx.target().autoconfig {
        return Ok(endpoint.clone());
    }
    let domain = cx.target().domain.as_deref().ok_or_else(|| {
        Finding::not_run("the target names neither an autoconfig URL nor a domain")
    })?;
    Endpoint::parse(&format!("https://{domain}/"))
        .map_err(|error| Finding::harness(error.to_string()))
}

/// The path to GET for the document: an autoconfig URL may be a base
/// (`https://host/`, the document's path is appended) or the document itself
/// (`https://host/mail/config-v1.1.xml`, as the target docs show, used as is).
pub fn document_path(endpoint_path: &str, well_known: bool) -> String {
    let wanted = if well_known {
        WELL_KNOWN_PATH
    } else {
        AUTOCONFIG_PATH
    };
    // A URL naming a document (either one, or any XML file) has its base before it.
    let base = if let Some(base) = endpoint_path.strip_suffix(WELL_KNOWN_PATH) {
        base
    } else if let Some(base) = endpoint_path.strip_suffix(AUTOCONFIG_PATH) {
        base
    } else if endpoint_path.ends_with(".xml") {
        endpoint_path
            .rsplit_once('/')
            .map_or("", |(directory, _)| directory)
    } else {
        endpoint_path
    };
    format!("{}{wanted}", base.trim_end_matches('/'))
}

async fn fetch(cx: &CheckContext, well_known: bool) -> Result<http::HttpResponse, Finding> {
    let endpoint = if well_known {
        well_known_endpoint(cx)?
    } else {
        autoconfig_endpoint(cx)?
    };
    if endpoint.security != Security::Implicit {
        cx.note("the autoconfig URL is not HTTPS");
    }
    http::get(cx, &endpoint, &document_path(&endpoint.path, well_known)).await
}

/// Fetches the document (autoconfig host first, then well-known) and parses it.
pub async fn fetch_document(cx: &CheckContext) -> Result<AutoconfigDocument, Finding> {
    let mut response = fetch(cx, false).await?;
    if response.status != 200 {
        response = fetch(cx, true).await?;
    }
    if response.status != 200 {
        return Err(Finding::violation(
            "an autoconfig document (HTTP 200)",
            format!("HTTP {}", response.status),
        ));
    }
    let text = String::from_utf8(response.body)
        .map_err(|_| Finding::violation("a UTF-8 XML document", "bytes that are not UTF-8"))?;
    document::parse(&text).map_err(|error| {
        Finding::violation("a well-formed <clientConfig> document", error.to_string())
    })
}

async fn served(cx: CheckContext) -> CheckResult {
    let response = fetch(&cx, false).await?;
    ensure(response.status == 200, "HTTP 200 with the document", || {
        format!("HTTP {}", response.status)
    })
}

async fn well_known(cx: CheckContext) -> CheckResult {
    let response = fetch(&cx, true).await?;
    ensure(response.status == 200, "HTTP 200 with the document", || {
        format!("HTTP {}", response.status)
    })
}

async fn well_formed(cx: CheckContext) -> CheckResult {
    let response = fetch(&cx, false).await?;
    if response.status != 200 {
        return Err(Finding::violation(
            "HTTP 200",
            format!("HTTP {}", response.status),
        ));
    }
    let text = String::from_utf8_lossy(&response.body);
    match document::parse(&text) {
        Ok(document) if document.incoming.is_empty() => {
            Err(Finding::violation("at least one <incomingServer>", "none"))
        }
        Ok(_) => Ok(()),
        Err(error) => Err(Finding::violation(
            "a well-formed <clientConfig> document",
            format!("{error} in \"{}\"", show_bytes(&response.body, 200)),
        )),
    }
}

async fn content_type(cx: CheckContext) -> CheckResult {
    let response = fetch(&cx, false).await?;
    if response.status != 200 {
        return Err(Finding::violation(
            "HTTP 200",
            format!("HTTP {}", response.status),
        ));
    }
    let value = response
        .header("content-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    let media = value.split(';').next().unwrap_or("").trim().to_string();
    ensure(
        media == "text/xml" || media == "application/xml",
        "Content-Type text/xml or application/xml",
        || format!("Content-Type {value:?}"),
    )
}

async fn domain(cx: CheckContext) -> CheckResult {
    let document = fetch_document(&cx).await?;
    let Some(domain) = cx.target().domain.clone() else {
        return Err(Finding::not_run("the target names no mail domain"));
    };
    ensure(
        document
            .domains
            .iter()
            .any(|d| d.eq_ignore_ascii_case(&domain)),
        format!("<domain>{domain}</domain>"),
        || format!("domains {:?}", document.domains),
    )
}

fn server_endpoint(
    entry: &document::ServerEntry,
    implicit: &str,
    starttls: &str,
) -> Result<Endpoint, Finding> {
    let scheme = if entry.implicit_tls() {
        implicit
    } else if entry.starttls() {
        starttls
    } else {
        return Err(Finding::violation(
            "socketType SSL or STARTTLS",
            format!("socketType {:?} for {}", entry.socket_type, entry.hostname),
        ));
    };
    let port = entry.port.ok_or_else(|| {
        Finding::violation("a numeric <port>", format!("none for {}", entry.hostname))
    })?;
    let host = if entry.hostname.contains(':') {
        format!("[{}]", entry.hostname)
    } else {
        entry.hostname.clone()
    };
    Endpoint::parse(&format!("{scheme}://{host}:{port}"))
        .map_err(|error| Finding::violation("a usable hostname", error.to_string()))
}

async fn imap_login(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let document = fetch_document(&cx).await?;
    let servers: Vec<_> = document
        .incoming
        .iter()
        .filter(|s| s.kind.eq_ignore_ascii_case("imap"))
        .collect();
    if servers.is_empty() {
        return Err(Finding::skip("the document names no IMAP server"));
    }
    for entry in servers {
        let endpoint = server_endpoint(entry, "imaps", "imap")?;
        let user = entry.username_for(&account.user);
        let login = crate::target::Account {
            user: user.clone(),
            address: account.address.clone(),
            password: account.password.clone(),
            oauth_token: None,
        };
        let attempt = async {
            let mut session =
                crate::suites::imap::session::ImapSession::connect_to(&cx, &endpoint).await?;
            if entry.starttls() {
                session.starttls().await?;
            }
            let reply = session.login(&login).await?;
            session.logout().await;
            Ok::<_, Finding>(reply.is_ok())
        };
        match attempt.await {
            Ok(true) => {}
            Ok(false) => {
                return Err(Finding::violation(
                    format!("LOGIN as {user} on {}", endpoint.url),
                    "NO",
                ));
            }
            Err(Finding::Harness(reason) | Finding::Unreachable(reason)) => {
                return Err(Finding::violation(
                    format!("a working IMAP server at {}", endpoint.url),
                    reason,
                ));
            }
            Err(other) => return Err(other),
        }
    }
    Ok(())
}

async fn smtp_login(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let document = fetch_document(&cx).await?;
    let servers: Vec<_> = document
        .outgoing
        .iter()
        .filter(|s| s.kind.eq_ignore_ascii_case("smtp"))
        .collect();
    if servers.is_empty() {
        return Err(Finding::violation(
            "at least one <outgoingServer type=\"smtp\">",
            "none",
        ));
    }
    for entry in servers {
        let endpoint = server_endpoint(entry, "smtps", "smtp")?;
        let user = entry.username_for(&account.user);
        let attempt = async {
            let mut session =
                crate::suites::smtp::session::SmtpSession::secure_to(&cx, &endpoint).await?;
            let reply = session.auth_plain(&user, account.password.expose()).await?;
            session.quit().await;
            Ok::<_, Finding>(crate::suites::smtp::session::code(&reply))
        };
        match attempt.await {
            Ok(235) => {}
            Ok(code) => {
                return Err(Finding::violation(
                    format!("235 to AUTH as {user} on {}", endpoint.url),
                    format!("{code}"),
                ));
            }
            Err(
                Finding::Harness(reason)
                | Finding::Unreachable(reason)
                | Finding::Violation { actual: reason, .. },
            ) => {
                return Err(Finding::violation(
                    format!("a working submission server at {}", endpoint.url),
                    reason,
                ));
            }
            Err(other) => return Err(other),
        }
    }
    Ok(())
}
