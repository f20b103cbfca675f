//! CalDAV and CardDAV service discovery (RFC 6764, with RFC 8615 for well-known URIs): the
//! `/.well-known/caldav` and `/.well-known/carddav` redirects (GET and PROPFIND, as clients
//! send them), the context path they lead to (an authenticated PROPFIND there finds the
//! user's principal and home), forced authentication of that PROPFIND, and the DAV parts of
//! the autoconfig document (`<calendar type="caldav">`, `<addressbook type="carddav">`).
//!
//! These checks belong to the discovery protocol but talk to the CalDAV and CardDAV
//! endpoints (their host and port; the well-known paths are absolute).

use groupwire_dav::body::PropValue;
use groupwire_dav::xml::{CalDav, CardDav, Dav, Name};

use super::AUTOCONFIG_DRAFT;
use crate::engine::http::{HttpClient, HttpRequest, HttpResponse};
use crate::engine::{
    Check, CheckContext, CheckResult, Finding, Level, Protocol, RfcRef, Suite, ensure,
};
use crate::suites::caldav::fixture::{found, multistatus, path_of};
use crate::target::{Endpoint, Security};

/// The DAV discovery checks: a second suite of the discovery protocol (the runner uses the
/// first discovery suite's hooks, and this one has none).
pub static SUITE: Suite = Suite {
    protocol: Protocol::Discovery,
    probe: None,
    cleanup: None,
    checks: CHECKS,
};

/// Which service a discovery check looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    CalDav,
    CardDav,
}

impl Service {
    fn protocol(self) -> Protocol {
        match self {
            Service::CalDav => Protocol::Caldav,
            Service::CardDav => Protocol::Carddav,
        }
    }

    fn well_known(self) -> &'static str {
        match self {
            Service::CalDav => "/.well-known/caldav",
            Service::CardDav => "/.well-known/carddav",
        }
    }

    fn home(self) -> Name<'static> {
        match self {
            Service::CalDav => Name::CalDav(CalDav::CalendarHomeSet),
            Service::CardDav => Name::CardDav(CardDav::AddressbookHomeSet),
        }
    }

    fn element(self) -> (&'static str, &'static str) {
        match self {
            Service::CalDav => ("calendar", "caldav"),
            Service::CardDav => ("addressbook", "carddav"),
        }
    }
}

const PROFILES: &[&str] = &["thunderbird"];

const REDIRECT_QUOTE: &str = "The server MUST redirect HTTP requests for that resource to the actual \"context path\" using one of the available mechanisms provided by HTTP (e.g., using a 301, 303, or 307 response).";
const NOT_AT_WELL_KNOWN: &str = "Servers MUST NOT locate the actual CalDAV or CardDAV service endpoint at the \".well-known\" URI as per Section 1.1 of [RFC5785].";
const FORCE_AUTH: &str = "Servers MUST force authentication for \"PROPFIND\" requests that retrieve the DAV:current-user-principal property to ensure that the value of the DAV:current-user-principal property returned corresponds to the principal-URL of the user making the request.";
const CONTEXT_PATH: &str = "The client does a \"PROPFIND\" [RFC4918] request with the request URI set to the initial \"context path\". The body of the request SHOULD include the DAV:current-user-principal [RFC5397] property as one of the properties to return.";
const AUTOCONFIG_SERVICES: &str = "<incomingServer> and <outgoingServer> are within element <emailProvider>, whereas <calendar>, <addressbook>, <fileShare>, <chatServer> and <videoConference> are within the root element <clientConfig>, i.e. one level higher.";

macro_rules! dav_check {
    ($id:literal, $title:literal, $rfc:expr, $level:ident, $quote:expr, $faults:expr, $accounts:literal, $run:expr) => {
        Check {
            id: $id,
            protocol: Protocol::Discovery,
            title: $title,
            rfc: $rfc,
            level: Level::$level,
            scope: crate::engine::Scope::Implementation,
            quote: $quote,
            profiles: PROFILES,
            needs: &[],
            broken_by: $faults,
            accounts: $accounts,
            run: $run,
        }
    };
}

static CHECKS: &[Check] = &[
    dav_check!(
        "discovery.caldav.well-known-redirect",
        "GET /.well-known/caldav redirects to the CalDAV context path",
        RfcRef::new(6764, "5"),
        Must,
        REDIRECT_QUOTE,
        &["dav-well-known-missing", "dav-well-known-served"],
        1,
        |cx| Box::pin(redirect_get(cx, Service::CalDav))
    ),
    dav_check!(
        "discovery.carddav.well-known-redirect",
        "GET /.well-known/carddav redirects to the CardDAV context path",
        RfcRef::new(6764, "5"),
        Must,
        REDIRECT_QUOTE,
        &["dav-well-known-missing", "dav-well-known-served"],
        1,
        |cx| Box::pin(redirect_get(cx, Service::CardDav))
    ),
    dav_check!(
        "discovery.caldav.well-known-propfind",
        "PROPFIND /.well-known/caldav (as Apple and DAVx5 send it) is redirected, not answered there",
        RfcRef::new(6764, "5"),
        Must,
        NOT_AT_WELL_KNOWN,
        &["dav-well-known-served"],
        1,
        |cx| Box::pin(redirect_propfind(cx, Service::CalDav))
    ),
    dav_check!(
        "discovery.carddav.well-known-propfind",
        "PROPFIND /.well-known/carddav (as Apple and DAVx5 send it) is redirected, not answered there",
        RfcRef::new(6764, "5"),
        Must,
        NOT_AT_WELL_KNOWN,
        &["dav-well-known-served"],
        1,
        |cx| Box::pin(redirect_propfind(cx, Service::CardDav))
    ),
    dav_check!(
        "discovery.caldav.context-path",
        "The well-known redirect leads to a context path whose PROPFIND finds the principal and its calendar home",
        RfcRef::new(6764, "6"),
        Should,
        CONTEXT_PATH,
        &[
            "dav-well-known-wrong-target",
            "dav-no-current-user-principal"
        ],
        1,
        |cx| Box::pin(context_path(cx, Service::CalDav))
    ),
    dav_check!(
        "discovery.carddav.context-path",
        "The well-known redirect leads to a context path whose PROPFIND finds the principal and its address book home",
        RfcRef::new(6764, "6"),
        Should,
        CONTEXT_PATH,
        &[
            "dav-well-known-wrong-target",
            "dav-no-current-user-principal"
        ],
        1,
        |cx| Box::pin(context_path(cx, Service::CardDav))
    ),
    dav_check!(
        "discovery.caldav.force-authentication",
        "An anonymous PROPFIND for current-user-principal on the CalDAV context path is challenged (401)",
        RfcRef::new(6764, "7"),
        Must,
        FORCE_AUTH,
        &["dav-anonymous-principal"],
        1,
        |cx| Box::pin(force_auth(cx, Service::CalDav))
    ),
    dav_check!(
        "discovery.carddav.force-authentication",
        "An anonymous PROPFIND for current-user-principal on the CardDAV context path is challenged (401)",
        RfcRef::new(6764, "7"),
        Must,
        FORCE_AUTH,
        &["dav-anonymous-principal"],
        1,
        |cx| Box::pin(force_auth(cx, Service::CardDav))
    ),
    dav_check!(
        "discovery.autoconfig.caldav",
        "The autoconfig document names a CalDAV server that accepts the account",
        RfcRef::other(AUTOCONFIG_DRAFT, "3.4"),
        Should,
        AUTOCONFIG_SERVICES,
        &["autoconfig-no-dav", "autoconfig-missing"],
        1,
        |cx| Box::pin(autoconfig(cx, Service::CalDav))
    ),
    dav_check!(
        "discovery.autoconfig.carddav",
        "The autoconfig document names a CardDAV server that accepts the account",
        RfcRef::other(AUTOCONFIG_DRAFT, "3.4"),
        Should,
        AUTOCONFIG_SERVICES,
        &["autoconfig-no-dav", "autoconfig-missing"],
        1,
        |cx| Box::pin(autoconfig(cx, Service::CardDav))
    ),
];

/// The service's endpoint (its host and port; the path is the context path).
fn endpoint(cx: &CheckContext, service: Service) -> Result<Endpoint, Finding> {
    cx.target()
        .endpoint(service.protocol())
        .cloned()
        .ok_or_else(|| {
            Finding::not_run(format!(
                "the target has no {} endpoint",
                service.protocol().label()
            ))
        })
}

fn client(cx: &CheckContext, endpoint: &Endpoint) -> Result<HttpClient, Finding> {
    let account = cx.account(0)?.clone();
    Ok(HttpClient::for_account(cx, endpoint, &account))
}

fn propfind_principal(target: &str) -> HttpRequest {
    let body = groupwire_dav::DavRequest::Propfind(groupwire_dav::body::PropfindRequest {
        selection: groupwire_dav::body::Propfind::Prop(vec![
            groupwire_dav::body::RequestedProp::Name(Name::Dav(Dav::CurrentUserPrincipal)),
        ]),
    });
    HttpRequest::new("PROPFIND", target)
        .header("Depth", "0")
        .xml(body.to_vec())
}

fn is_redirect(response: &HttpResponse) -> bool {
    matches!(response.status, 301 | 302 | 303 | 307 | 308) && response.header("location").is_some()
}

/// RFC 6764 §5: GET of the well-known URI is a redirect with a Location.
async fn redirect_get(cx: CheckContext, service: Service) -> CheckResult {
    let endpoint = endpoint(&cx, service)?;
    let mut http = client(&cx, &endpoint)?;
    let response = http.send(HttpRequest::get(service.well_known())).await?;
    ensure(
        is_redirect(&response),
        format!(
            "a 301, 303 or 307 redirect with Location for GET {}",
            service.well_known()
        ),
        || response.summary(),
    )
}

/// RFC 6764 §5: PROPFIND of the well-known URI is redirected, never answered there.
async fn redirect_propfind(cx: CheckContext, service: Service) -> CheckResult {
    let endpoint = endpoint(&cx, service)?;
    let mut http = client(&cx, &endpoint)?;
    let response = http.send(propfind_principal(service.well_known())).await?;
    if response.status == 207 {
        return Err(Finding::violation(
            format!("a redirect for PROPFIND {}", service.well_known()),
            "207: the service answers at the well-known URI",
        ));
    }
    ensure(
        is_redirect(&response),
        format!(
            "a redirect with Location for PROPFIND {}",
            service.well_known()
        ),
        || response.summary(),
    )
}

/// Where a Location points: an endpoint (same one for a relative reference) and a path.
fn follow(endpoint: &Endpoint, location: &str) -> Result<(Endpoint, String), Finding> {
    if location.contains("://") {
        let target = Endpoint::parse(location)
            .map_err(|error| Finding::violation("a usable Location URL", error.to_string()))?;
        let path = target.path.clone();
        Ok((target, path))
    } else if location.starts_with('/') {
        Ok((endpoint.clone(), location.to_owned()))
    } else {
        Ok((endpoint.clone(), format!("/{location}")))
    }
}

/// RFC 6764 §6: the redirect target answers the authenticated PROPFIND with the user's
/// principal, and the principal names the service's home.
async fn context_path(cx: CheckContext, service: Service) -> CheckResult {
    let endpoint = endpoint(&cx, service)?;
    let mut http = client(&cx, &endpoint)?;
    let mut target = (endpoint.clone(), service.well_known().to_owned());
    // Follow up to five redirects, as clients do.
    let mut response = http.send(propfind_principal(&target.1)).await?;
    for _ in 0..5 {
        if !is_redirect(&response) {
            break;
        }
        let location = response.header("location").unwrap_or("/").to_owned();
        target = follow(&target.0, &location)?;
        if target.0.host != endpoint.host || target.0.port != endpoint.port {
            http = client(&cx, &target.0)?;
        }
        response = http.send(propfind_principal(&target.1)).await?;
    }
    let ms = multistatus(&response)?;
    let principal =
        ms.responses
            .iter()
            .find_map(|r| match found(r, &Name::Dav(Dav::CurrentUserPrincipal)) {
                Some(PropValue::Principal(groupwire_dav::body::Principal::Href(h)))
                | Some(PropValue::Href(h)) => Some(path_of(h.as_str())),
                _ => None,
            });
    let Some(principal) = principal else {
        return Err(Finding::violation(
            format!(
                "DAV:current-user-principal with an href at the context path {}",
                target.1
            ),
            response.summary(),
        ));
    };
    let body = groupwire_dav::DavRequest::Propfind(groupwire_dav::body::PropfindRequest {
        selection: groupwire_dav::body::Propfind::Prop(vec![
            groupwire_dav::body::RequestedProp::Name(service.home()),
        ]),
    });
    let response = http
        .send(
            HttpRequest::new("PROPFIND", principal.clone())
                .header("Depth", "0")
                .xml(body.to_vec()),
        )
        .await?;
    let ms = multistatus(&response)?;
    let home = ms
        .responses
        .iter()
        .find_map(|r| found(r, &service.home()).cloned());
    ensure(
        matches!(&home, Some(PropValue::Hrefs(h)) if !h.is_empty())
            || matches!(&home, Some(PropValue::Href(_))),
        format!("{} on the principal {principal}", service.home()),
        || format!("{home:?}"),
    )
}

/// RFC 6764 §8: an anonymous PROPFIND for current-user-principal is challenged.
async fn force_auth(cx: CheckContext, service: Service) -> CheckResult {
    let endpoint = endpoint(&cx, service)?;
    let mut http = HttpClient::new(&cx, &endpoint);
    let response = http
        .send(propfind_principal(&endpoint.path).anonymous())
        .await?;
    ensure(
        response.status == 401,
        format!(
            "401 to an anonymous PROPFIND of current-user-principal on {}",
            endpoint.path
        ),
        || response.summary(),
    )
}

/// Autoconfig draft §3.4: the document names the service, and its URL accepts the account.
async fn autoconfig(cx: CheckContext, service: Service) -> CheckResult {
    // A mail-only deployment (no DAV endpoint in the target) has nothing to describe.
    if cx.target().endpoint(service.protocol()).is_none() {
        return Err(Finding::skip(format!(
            "the target names no {} endpoint, so its autoconfig document need not describe one",
            service.protocol().label()
        )));
    }
    let document = super::fetch_document(&cx).await?;
    let (element, kind) = service.element();
    let Some(entry) = document
        .services
        .iter()
        .find(|s| s.element == element && s.kind.eq_ignore_ascii_case(kind))
    else {
        return Err(Finding::violation(
            format!("a <{element} type=\"{kind}\"> in the autoconfig document"),
            format!(
                "services {:?}",
                document
                    .services
                    .iter()
                    .map(|s| format!("{} {}", s.element, s.kind))
                    .collect::<Vec<_>>()
            ),
        ));
    };
    let endpoint = Endpoint::parse(&entry.url).map_err(|error| {
        Finding::violation(format!("a usable <url> for {element}"), error.to_string())
    })?;
    if endpoint.security != Security::Implicit {
        cx.note(format!("the {element} URL {} is not HTTPS", entry.url));
    }
    let account = cx.account(0)?.clone();
    let (local, domain) = account
        .address
        .rsplit_once('@')
        .unwrap_or((&account.address, ""));
    let user = if entry.username.is_empty() {
        account.user.clone()
    } else {
        entry
            .username
            .replace("%EMAILADDRESS%", &account.address)
            .replace("%EMAILLOCALPART%", local)
            .replace("%EMAILDOMAIN%", domain)
    };
    let mut http =
        HttpClient::new(&cx, &endpoint).with_credentials(&user, account.password.expose());
    let mut response = http.send(propfind_principal(&endpoint.path)).await?;
    if is_redirect(&response) {
        let location = response.header("location").unwrap_or("/").to_owned();
        let (target, path) = follow(&endpoint, &location)?;
        if target.host != endpoint.host || target.port != endpoint.port {
            http = HttpClient::new(&cx, &target).with_credentials(&user, account.password.expose());
        }
        response = http.send(propfind_principal(&path)).await?;
    }
    ensure(
        response.status == 207,
        format!("207 to {user}'s PROPFIND of {}", entry.url),
        || response.summary(),
    )
}
