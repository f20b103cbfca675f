//! DNS for the checks: a resolver (hickory-resolver) pointed at the target's nameserver
//! (`dns = "IP:PORT"` in a target file, `--dns-server`) or at the system's, that records every
//! question and answer into the check's transcript as evidence, and the parsers of the records
//! the mail-domain checks judge, one module per record family:
//!
//! - [`spf`]: SPF records (RFC 7208), terms and the DNS-lookup count.
//! - [`dmarc`]: DMARC policy records (RFC 7489).
//! - [`dkim`]: DKIM key records (RFC 6376 §3.6.1) and their key length.
//! - [`mta_sts`]: the MTA-STS TXT record and policy file (RFC 8461), MX pattern matching.
//! - [`tlsa`]: TLSA certificate associations (RFC 6698, RFC 7672) matched against a chain.
//!
//! The parsers borrow from the record text and never panic; each returns a typed error.

pub mod dkim;
pub mod dmarc;
pub mod mta_sts;
pub mod spf;
pub use groupwire_reference::dns::tlsa;

use std::net::SocketAddr;
use std::time::Duration;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{RData, Record, RecordType};
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::{Resolver as HickoryResolver, TokioResolver};

use crate::engine::{CheckContext, Finding};

/// What one DNS question got.
#[derive(Debug, Clone)]
pub struct DnsAnswer {
    /// The name asked for (as asked, without the trailing dot).
    pub name: String,
    /// The record type asked for.
    pub record_type: RecordType,
    /// The answer records of that type (CNAMEs followed by the resolver).
    pub records: Vec<Record>,
    /// Whether the answer carried the AD (authenticated data) bit: the resolver that answered
    /// says it validated the answer with DNSSEC. The harness validates nothing itself.
    pub authenticated: bool,
    /// `NXDOMAIN` (the name does not exist) rather than an empty answer.
    pub nxdomain: bool,
}

impl DnsAnswer {
    /// The TXT strings of each record, each record's strings joined as RFC 7208 §3.3 and
    /// RFC 6376 §3.6.2.2 say (no separator).
    pub fn txt(&self) -> Vec<String> {
        self.records
            .iter()
            .filter_map(|record| match &record.data {
                RData::TXT(txt) => Some(
                    txt.txt_data
                        .iter()
                        .map(|part| String::from_utf8_lossy(part).into_owned())
                        .collect::<String>(),
                ),
                _ => None,
            })
            .collect()
    }

    /// The SRV records as (priority, weight, port, target without the trailing dot).
    pub fn srv(&self) -> Vec<(u16, u16, u16, String)> {
        self.records
            .iter()
            .filter_map(|record| match &record.data {
                RData::SRV(srv) => Some((
                    srv.priority,
                    srv.weight,
                    srv.port,
                    trim_dot(&srv.target.to_ascii()),
                )),
                _ => None,
            })
            .collect()
    }

    /// The MX records as (preference, exchange without the trailing dot), lowest first.
    pub fn mx(&self) -> Vec<(u16, String)> {
        let mut out: Vec<(u16, String)> = self
            .records
            .iter()
            .filter_map(|record| match &record.data {
                RData::MX(mx) => Some((mx.preference, trim_dot(&mx.exchange.to_ascii()))),
                _ => None,
            })
            .collect();
        out.sort();
        out
    }

    /// The TLSA records as associations.
    pub fn tlsa(&self) -> Vec<tlsa::Association> {
        self.records
            .iter()
            .filter_map(|record| match &record.data {
                RData::TLSA(rr) => Some(tlsa::Association {
                    usage: u8::from(rr.cert_usage),
                    selector: u8::from(rr.selector),
                    matching: u8::from(rr.matching),
                    data: rr.cert_data.clone(),
                }),
                _ => None,
            })
            .collect()
    }

    /// The IP addresses of A and AAAA records.
    pub fn addresses(&self) -> Vec<std::net::IpAddr> {
        self.records
            .iter()
            .filter_map(|record| match &record.data {
                RData::A(a) => Some(std::net::IpAddr::V4(a.0)),
                RData::AAAA(aaaa) => Some(std::net::IpAddr::V6(aaaa.0)),
                _ => None,
            })
            .collect()
    }
}

/// `name.` without its trailing dot, lowercased.
pub fn trim_dot(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// A resolver for one check, recording into its transcript.
#[derive(Debug)]
pub struct Dns {
    resolver: TokioResolver,
    server: String,
    cx: CheckContext,
}

impl Dns {
    /// A resolver for the check's target: its `dns` nameserver (UDP, then TCP for long
    /// answers), or the system's resolver configuration.
    pub fn new(cx: &CheckContext) -> Result<Dns, Finding> {
        Dns::for_server(cx, cx.target().dns)
    }

    /// A resolver asking `server`, or the system's resolver configuration when `None`.
    pub fn for_server(cx: &CheckContext, server: Option<SocketAddr>) -> Result<Dns, Finding> {
        let mut options = ResolverOpts::default();
        options.timeout = Duration::from_secs(3);
        options.attempts = 1;
        options.edns0 = true;
        options.cache_size = 0;
        let (builder, shown) = match server {
            Some(address) => {
                let mut udp = ConnectionConfig::udp();
                udp.port = address.port();
                let mut tcp = ConnectionConfig::tcp();
                tcp.port = address.port();
                let config = ResolverConfig::from_name_servers(vec![NameServerConfig::new(
                    address.ip(),
                    true,
                    vec![udp, tcp],
                )]);
                (
                    HickoryResolver::builder_with_config(config, TokioRuntimeProvider::default()),
                    address.to_string(),
                )
            }
            None => (
                HickoryResolver::builder_tokio().map_err(|error| {
                    Finding::harness(format!(
                        "cannot read the system resolver configuration: {error}"
                    ))
                })?,
                "the system resolver".to_string(),
            ),
        };
        let resolver = builder
            .with_options(options)
            .build()
            .map_err(|error| Finding::harness(format!("cannot build a DNS resolver: {error}")))?;
        Ok(Dns {
            resolver,
            server: shown,
            cx: cx.clone(),
        })
    }

    /// Asks for `record_type` records of `name` (taken as fully qualified) and records the
    /// question and answer in the transcript. No records (NODATA or NXDOMAIN) is an empty
    /// answer; a failure to get any answer (timeout, SERVFAIL, REFUSED) is
    /// [`Finding::Unreachable`].
    pub async fn query(&self, name: &str, record_type: RecordType) -> Result<DnsAnswer, Finding> {
        let name = trim_dot(name);
        let fqdn = format!("{name}.");
        let result = self.resolver.lookup(fqdn.as_str(), record_type).await;
        let answer = match result {
            Ok(lookup) => DnsAnswer {
                name: name.clone(),
                record_type,
                records: lookup
                    .answers()
                    .iter()
                    .filter(|record| record.record_type() == record_type)
                    .cloned()
                    .collect(),
                authenticated: lookup.message().metadata.authentic_data,
                nxdomain: false,
            },
            Err(error) if error.is_no_records_found() => {
                let nxdomain = matches!(
                    &error,
                    hickory_resolver::net::NetError::Dns(
                        hickory_resolver::net::DnsError::NoRecordsFound(no)
                    ) if no.response_code == ResponseCode::NXDomain
                );
                DnsAnswer {
                    name: name.clone(),
                    record_type,
                    records: Vec::new(),
                    authenticated: false,
                    nxdomain,
                }
            }
            Err(error) => {
                self.cx.note(format!(
                    "DNS {record_type} {name}? (via {}) -> no answer: {error}",
                    self.server
                ));
                return Err(Finding::Unreachable(format!(
                    "DNS {record_type} {name}: {error}"
                )));
            }
        };
        self.cx.note(describe(&answer, &self.server));
        Ok(answer)
    }
}

/// One transcript line for an answer: `DNS TXT _dmarc.example.org? (via 127.0.0.1:5353) ->
/// NOERROR AD=0: "v=DMARC1; p=reject"`.
pub fn describe(answer: &DnsAnswer, server: &str) -> String {
    let status = if answer.nxdomain {
        "NXDOMAIN"
    } else {
        "NOERROR"
    };
    let ad = u8::from(answer.authenticated);
    let mut line = format!(
        "DNS {} {}? (via {server}) -> {status} AD={ad}",
        answer.record_type, answer.name
    );
    if answer.records.is_empty() {
        line.push_str(", no records");
    }
    for record in &answer.records {
        line.push_str("\n  ");
        match &record.data {
            RData::TXT(_) => {
                let text: String = match &record.data {
                    RData::TXT(txt) => txt
                        .txt_data
                        .iter()
                        .map(|part| String::from_utf8_lossy(part).into_owned())
                        .collect(),
                    _ => String::new(),
                };
                line.push_str(&format!("TXT {text:?}"));
            }
            other => line.push_str(&format!("{} {other}", record.record_type())),
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::Name;
    use hickory_proto::rr::rdata::TXT;

    #[test]
    fn txt_strings_of_one_record_are_joined_without_separator() {
        let record = Record::from_rdata(
            Name::from_ascii("example.org.").unwrap(),
            300,
            RData::TXT(TXT::new(vec![
                "v=spf1 ip4:192.0.2.0/24 ".into(),
                "-all".into(),
            ])),
        );
        let answer = DnsAnswer {
            name: "example.org".into(),
            record_type: RecordType::TXT,
            records: vec![record],
            authenticated: true,
            nxdomain: false,
        };
        assert_eq!(answer.txt(), vec!["v=spf1 ip4:192.0.2.0/24 -all"]);
        let shown = describe(&answer, "127.0.0.1:5353");
        assert!(shown.contains("NOERROR AD=1"), "{shown}");
        assert!(shown.contains("-all"), "{shown}");
    }
}
