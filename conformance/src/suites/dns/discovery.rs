//! CalDAV and CardDAV discovery through DNS (RFC 6764 §3, §4, §6): the `_caldavs._tcp` and
//! `_carddavs._tcp` SRV records are published, lead to the host and port of the target's
//! DAV URL, their TXT records name the context path that URL lives under, and the plaintext
//! labels (`_caldav._tcp`, `_carddav._tcp`) either say "not offered" (target `.`) or lead to a
//! server that really speaks HTTP without TLS.

use std::net::IpAddr;
use std::time::Duration;

use hickory_proto::rr::RecordType;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::domain_and_resolver;
use crate::dns::Dns;
use crate::engine::{Check, CheckContext, CheckResult, Finding, Suite};
use crate::target::Endpoint;

/// The DNS discovery checks (protocol `discovery`; the runner uses the first discovery
/// suite's hooks, and this one has none).
pub static SUITE: Suite = Suite {
    protocol: crate::engine::Protocol::Discovery,
    probe: None,
    cleanup: None,
    checks: CHECKS,
};

const PROFILES: &[&str] = &["groupware"];

/// Which DAV service a check looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// CalDAV.
    CalDav,
    /// CardDAV.
    CardDav,
}

impl Service {
    /// The SRV owner prefix of the TLS service (`_caldavs._tcp`).
    pub fn tls_label(self) -> &'static str {
        match self {
            Service::CalDav => "_caldavs._tcp",
            Service::CardDav => "_carddavs._tcp",
        }
    }

    /// The SRV owner prefix of the plaintext service (`_caldav._tcp`).
    pub fn plain_label(self) -> &'static str {
        match self {
            Service::CalDav => "_caldav._tcp",
            Service::CardDav => "_carddav._tcp",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Service::CalDav => "CalDAV",
            Service::CardDav => "CardDAV",
        }
    }

    fn endpoint(self, cx: &CheckContext) -> Result<Endpoint, Finding> {
        let endpoint = match self {
            Service::CalDav => cx.target().caldav.clone(),
            Service::CardDav => cx.target().carddav.clone(),
        };
        endpoint.ok_or_else(|| {
            Finding::skip(format!(
                "the target names no {} URL to compare with",
                self.label()
            ))
        })
    }
}

static CHECKS: &[Check] = &[
    check!("discovery.srv.caldavs-published", Discovery, "The mail domain publishes a _caldavs._tcp SRV record (CalDAV over TLS)", 6764, "3", May, Deployment,
        "_caldavs:  Identifies a CalDAV server that uses HTTP with TLS [RFC2818].",
        needs [], faults ["dns-srv-missing"], accounts 0, caldavs_published),
    check!("discovery.srv.carddavs-published", Discovery, "The mail domain publishes a _carddavs._tcp SRV record (CardDAV over TLS)", 6764, "6", May, Deployment,
        "An SRV lookup for _caldavs._tcp (for CalDAV) or _carddavs._tcp (for CardDAV) is done with the extracted \"domain\" as the service domain.",
        needs [], faults ["dns-srv-missing"], accounts 0, carddavs_published),
    check!("discovery.srv.caldavs-target", Discovery, "The _caldavs._tcp SRV record leads to the host and port of the target's CalDAV URL", 6764, "6", Must, Deployment,
        "If an SRV record is returned, the client extracts the target FQDN and port number.",
        needs [], faults ["dns-srv-wrong-port"], accounts 0, caldavs_target),
    check!("discovery.srv.carddavs-target", Discovery, "The _carddavs._tcp SRV record leads to the host and port of the target's CardDAV URL", 6764, "6", Must, Deployment,
        "If an SRV record is returned, the client extracts the target FQDN and port number.",
        needs [], faults ["dns-srv-wrong-port"], accounts 0, carddavs_target),
    check!("discovery.srv.caldavs-path", Discovery, "The _caldavs._tcp TXT record names the context path of the target's CalDAV URL (warn when absent)", 6764, "4", Must, Deployment,
        "The value of the key MUST be the actual \"context path\" to the corresponding service on the server.",
        needs [], faults ["dns-srv-txt-missing"], accounts 0, caldavs_path),
    check!("discovery.srv.carddavs-path", Discovery, "The _carddavs._tcp TXT record names the context path of the target's CardDAV URL (warn when absent)", 6764, "4", Must, Deployment,
        "The value of the key MUST be the actual \"context path\" to the corresponding service on the server.",
        needs [], faults ["dns-srv-txt-missing"], accounts 0, carddavs_path),
    check!("discovery.srv.caldav-plaintext", Discovery, "A _caldav._tcp SRV record either says \"not offered\" (.) or leads to a server speaking HTTP without TLS", 6764, "3", Must, Deployment,
        "_caldav:   Identifies a CalDAV server that uses HTTP without Transport Layer Security (TLS) [RFC2818].",
        needs [], faults ["dns-srv-plaintext-offered"], accounts 0, caldav_plaintext),
    check!("discovery.srv.carddav-plaintext", Discovery, "A _carddav._tcp SRV record either says \"not offered\" (.) or leads to a server speaking HTTP without TLS", 6764, "6", Must, Deployment,
        "If no result is found, the client can try _caldav._tcp (for CalDAV) or _carddav._tcp (for CardDAV) provided non-TLS connections are appropriate.",
        needs [], faults ["dns-srv-plaintext-offered"], accounts 0, carddav_plaintext),
];

async fn caldavs_published(cx: CheckContext) -> CheckResult {
    published(cx, Service::CalDav).await
}
async fn carddavs_published(cx: CheckContext) -> CheckResult {
    published(cx, Service::CardDav).await
}
async fn caldavs_target(cx: CheckContext) -> CheckResult {
    target(cx, Service::CalDav).await
}
async fn carddavs_target(cx: CheckContext) -> CheckResult {
    target(cx, Service::CardDav).await
}
async fn caldavs_path(cx: CheckContext) -> CheckResult {
    path(cx, Service::CalDav).await
}
async fn carddavs_path(cx: CheckContext) -> CheckResult {
    path(cx, Service::CardDav).await
}
async fn caldav_plaintext(cx: CheckContext) -> CheckResult {
    plaintext(cx, Service::CalDav).await
}
async fn carddav_plaintext(cx: CheckContext) -> CheckResult {
    plaintext(cx, Service::CardDav).await
}

async fn published(cx: CheckContext, service: Service) -> CheckResult {
    let (domain, dns) = domain_and_resolver(&cx)?;
    let owner = format!("{}.{domain}", service.tls_label());
    let answer = dns.query(&owner, RecordType::SRV).await?;
    let usable: Vec<_> = answer
        .srv()
        .into_iter()
        .filter(|srv| !srv.3.is_empty())
        .collect();
    if usable.is_empty() {
        return Err(Finding::violation(
            format!(
                "an SRV record at {owner} naming the {} server",
                service.label()
            ),
            if answer.records.is_empty() {
                "no SRV record".to_string()
            } else {
                "only a \"not offered\" (.) record".to_string()
            },
        ));
    }
    Ok(())
}

/// The addresses a host name or IP literal stands for, through `dns`.
async fn addresses(dns: &Dns, host: &str) -> Result<Vec<IpAddr>, Finding> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    let mut out = dns.query(host, RecordType::A).await?.addresses();
    out.extend(dns.query(host, RecordType::AAAA).await?.addresses());
    Ok(out)
}

async fn target(cx: CheckContext, service: Service) -> CheckResult {
    let (domain, dns) = domain_and_resolver(&cx)?;
    let endpoint = service.endpoint(&cx)?;
    let owner = format!("{}.{domain}", service.tls_label());
    let records = dns.query(&owner, RecordType::SRV).await?.srv();
    let usable: Vec<_> = records
        .into_iter()
        .filter(|srv| !srv.3.is_empty())
        .collect();
    if usable.is_empty() {
        return Err(Finding::skip(format!("no SRV record at {owner}")));
    }
    let wanted_host = crate::dns::trim_dot(&endpoint.host);
    let wanted = addresses(&dns, &wanted_host).await?;
    for (_, _, port, host) in &usable {
        let same_host = *host == wanted_host || {
            let got = addresses(&dns, host).await?;
            got.iter().any(|ip| wanted.contains(ip))
        };
        if !same_host || *port != endpoint.port {
            return Err(Finding::violation(
                format!(
                    "SRV records at {owner} naming {}:{} (the {} URL {})",
                    endpoint.host,
                    endpoint.port,
                    service.label(),
                    endpoint.url
                ),
                format!("{host}:{port}"),
            ));
        }
    }
    Ok(())
}

/// The `path=` value of a TXT string (RFC 6763 §6 key=value; the key is case-insensitive).
fn path_value(text: &str) -> Option<&str> {
    let (key, value) = text.split_once('=')?;
    key.eq_ignore_ascii_case("path").then_some(value)
}

async fn path(cx: CheckContext, service: Service) -> CheckResult {
    let (domain, dns) = domain_and_resolver(&cx)?;
    let endpoint = service.endpoint(&cx)?;
    let owner = format!("{}.{domain}", service.tls_label());
    let texts = dns.query(&owner, RecordType::TXT).await?.txt();
    let paths: Vec<&str> = texts.iter().filter_map(|text| path_value(text)).collect();
    let Some(path) = paths.first() else {
        return Err(Finding::quirk(
            format!(
                "a TXT record at {owner} with path=<context path> (clients fall back to /.well-known)"
            ),
            "no path= TXT record",
        ));
    };
    let normal = |p: &str| format!("{}/", p.trim_end_matches('/'));
    let context = normal(path);
    let url_path = normal(&endpoint.path);
    if !path.starts_with('/') || !url_path.starts_with(&context) {
        return Err(Finding::violation(
            format!(
                "path= a context path that the {} URL {} lives under",
                service.label(),
                endpoint.url
            ),
            format!("path={path}"),
        ));
    }
    Ok(())
}

async fn plaintext(cx: CheckContext, service: Service) -> CheckResult {
    let (domain, dns) = domain_and_resolver(&cx)?;
    let owner = format!("{}.{domain}", service.plain_label());
    let records = dns.query(&owner, RecordType::SRV).await?.srv();
    let offered: Vec<_> = records
        .into_iter()
        .filter(|srv| !srv.3.is_empty())
        .collect();
    if offered.is_empty() {
        // No record, or "." (RFC 2782: the service is decidedly not available).
        return Ok(());
    }
    for (_, _, port, host) in offered {
        let ips = addresses(&dns, &host).await?;
        let Some(ip) = ips.first() else {
            return Err(Finding::violation(
                format!("an address for {host}, the target of {owner}"),
                "none",
            ));
        };
        let answer = plain_http_answer(&cx, *ip, port, &host).await;
        match answer {
            Ok(head) if head.starts_with(b"HTTP/1.") => {}
            Ok(head) => {
                return Err(Finding::violation(
                    format!("plaintext HTTP at {host}:{port} (the target of {owner})"),
                    if head.is_empty() {
                        "the connection closed without an answer".to_string()
                    } else {
                        format!(
                            "bytes that are not HTTP: {}",
                            crate::engine::show_bytes(&head, 16)
                        )
                    },
                ));
            }
            Err(error) => {
                return Err(Finding::violation(
                    format!("plaintext HTTP at {host}:{port} (the target of {owner})"),
                    error,
                ));
            }
        }
    }
    Ok(())
}

/// Sends `OPTIONS /` in plaintext and returns the first bytes of the answer.
async fn plain_http_answer(
    cx: &CheckContext,
    ip: IpAddr,
    port: u16,
    host: &str,
) -> Result<Vec<u8>, String> {
    let within = Duration::from_secs(5);
    let mut stream = tokio::time::timeout(within, tokio::net::TcpStream::connect((ip, port)))
        .await
        .map_err(|_| "connect timed out".to_string())?
        .map_err(|error| format!("connect failed: {error}"))?;
    let request = format!("OPTIONS / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    cx.note(format!("plaintext to {ip}:{port}: {request:?}"));
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|error| format!("write failed: {error}"))?;
    let mut head = vec![0u8; 64];
    let read = tokio::time::timeout(within, stream.read(&mut head))
        .await
        .map_err(|_| "no answer within 5 s".to_string())?
        .unwrap_or(0);
    head.truncate(read);
    cx.note(format!(
        "plaintext from {ip}:{port}: {}",
        crate::engine::show_bytes(&head, 64)
    ));
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6764 §4's example: `_caldavs._tcp TXT path=/caldav`.
    #[test]
    fn path_values_are_read_from_txt_strings() {
        assert_eq!(path_value("path=/caldav"), Some("/caldav"));
        assert_eq!(path_value("PATH=/x"), Some("/x"));
        assert_eq!(path_value("txtvers=1"), None);
    }
}
