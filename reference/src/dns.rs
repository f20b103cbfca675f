//! The reference deployment's authoritative DNS server: a small zone served over UDP and TCP
//! on one loopback port, built on hickory-proto's message types (decode the question, answer
//! from the zone, encode). It serves the mail domain's records the DNS checks read: SPF,
//! DMARC, the DKIM key, MTA-STS and TLS-RPT TXT records, MX, the TLSA record of the MX, and
//! the CalDAV/CardDAV SRV and TXT records pointing at the reference DAV server
//! ([`reference_zone`], with the `dns-*` faults).
//!
//! It answers authoritatively (AA), never recursively; names it has no record for at all are
//! NXDOMAIN, other types of a known name an empty NOERROR. It signs nothing: the AD bit is set
//! only when a test asks for it ([`Zone::authenticated`]), to see it reported.

pub mod tlsa;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, MX, SRV, TLSA, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::task::JoinSet;

use super::faults::{Fault, Faults};

/// The records a [`DnsServer`] answers from.
#[derive(Debug, Clone, Default)]
pub struct Zone {
    records: Vec<Record>,
    /// Set the AD bit in every answer (tests of how the harness reports it).
    pub authenticated: bool,
}

/// A name the zone cannot hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadName(pub String);

impl std::fmt::Display for BadName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not a DNS name: {:?}", self.0)
    }
}

impl std::error::Error for BadName {}

fn name(text: &str) -> Result<Name, BadName> {
    let fqdn = format!("{}.", text.trim_end_matches('.'));
    Name::from_ascii(&fqdn).map_err(|_| BadName(text.to_string()))
}

impl Zone {
    /// An empty zone.
    pub fn new() -> Zone {
        Zone::default()
    }

    /// Adds a record of any type.
    pub fn add(&mut self, owner: &str, data: RData) -> Result<&mut Zone, BadName> {
        self.records
            .push(Record::from_rdata(name(owner)?, 300, data));
        Ok(self)
    }

    /// Adds a TXT record, split into strings of at most 255 bytes.
    pub fn txt(&mut self, owner: &str, text: &str) -> Result<&mut Zone, BadName> {
        let parts: Vec<&[u8]> = text.as_bytes().chunks(255).collect();
        self.add(owner, RData::TXT(TXT::from_bytes(parts)))
    }

    /// Adds an A or AAAA record.
    pub fn address(&mut self, owner: &str, ip: IpAddr) -> Result<&mut Zone, BadName> {
        let data = match ip {
            IpAddr::V4(v4) => RData::A(A(v4)),
            IpAddr::V6(v6) => RData::AAAA(AAAA(v6)),
        };
        self.add(owner, data)
    }

    /// Adds an MX record.
    pub fn mx(&mut self, owner: &str, preference: u16, host: &str) -> Result<&mut Zone, BadName> {
        let host = name(host)?;
        self.add(owner, RData::MX(MX::new(preference, host)))
    }

    /// Adds an SRV record (`target` `.` for "not offered").
    pub fn srv(&mut self, owner: &str, port: u16, target: &str) -> Result<&mut Zone, BadName> {
        let target = if target == "." {
            Name::root()
        } else {
            name(target)?
        };
        self.add(owner, RData::SRV(SRV::new(0, 1, port, target)))
    }

    /// Adds a TLSA record.
    pub fn tlsa(
        &mut self,
        owner: &str,
        association: &crate::dns::tlsa::Association,
    ) -> Result<&mut Zone, BadName> {
        self.add(
            owner,
            RData::TLSA(TLSA::new(
                association.usage.into(),
                association.selector.into(),
                association.matching.into(),
                association.data.clone(),
            )),
        )
    }

    /// The answer to one query message (`None` for bytes that are not a query). Over UDP
    /// (`udp`) an answer longer than the client's EDNS payload size (512 without EDNS, at
    /// most 1232) is sent truncated (TC) without records; over TCP it is sent whole.
    pub fn answer(&self, query: &[u8], udp: bool) -> Option<Vec<u8>> {
        let request = Message::from_vec(query).ok()?;
        if request.metadata.message_type != MessageType::Query {
            return None;
        }
        let mut response = Message::response(request.metadata.id, OpCode::Query);
        response.metadata.authoritative = true;
        response.metadata.recursion_desired = request.metadata.recursion_desired;
        response.metadata.authentic_data = self.authenticated;
        let limit = match &request.edns {
            Some(edns) => {
                let mut edns_out = Edns::new();
                edns_out.set_max_payload(1232);
                response.set_edns(edns_out);
                usize::from(edns.max_payload().clamp(512, 1232))
            }
            None => 512,
        };
        let limit = if udp { limit } else { usize::from(u16::MAX) };
        let Some(question) = request.queries.first() else {
            response.metadata.response_code = ResponseCode::FormErr;
            return response.to_vec().ok();
        };
        response.add_query(question.clone());
        let wanted = question.name();
        let known = self.records.iter().any(|record| record.name == *wanted);
        let answers: Vec<Record> = self
            .records
            .iter()
            .filter(|record| record.name == *wanted)
            .filter(|record| {
                question.query_type() == RecordType::ANY
                    || record.record_type() == question.query_type()
            })
            .cloned()
            .collect();
        response.metadata.response_code = if known || self.has_descendant(wanted) {
            ResponseCode::NoError
        } else {
            ResponseCode::NXDomain
        };
        response.add_answers(answers);
        let bytes = response.to_vec().ok()?;
        if bytes.len() <= limit {
            return Some(bytes);
        }
        // Too long for this transport: truncated, the client retries over TCP.
        response.answers.clear();
        response.metadata.truncation = true;
        response.to_vec().ok()
    }

    /// Whether some record lives below `wanted` (an empty non-terminal is not NXDOMAIN).
    fn has_descendant(&self, wanted: &Name) -> bool {
        self.records
            .iter()
            .any(|record| wanted.zone_of(&record.name) && record.name != *wanted)
    }
}

/// A running DNS server; it stops when dropped or [`DnsServer::stop`]ped.
#[derive(Debug)]
pub struct DnsServer {
    /// The UDP and TCP address (the same port on both).
    pub address: SocketAddr,
    tasks: JoinSet<()>,
}

impl DnsServer {
    /// Serves `zone` on `bind` (port 0: the OS chooses one free for both UDP and TCP).
    pub async fn start(bind: SocketAddr, zone: Zone) -> std::io::Result<DnsServer> {
        let mut last_error = None;
        for _ in 0..20 {
            let udp = UdpSocket::bind(bind).await?;
            let address = udp.local_addr()?;
            match TcpListener::bind(address).await {
                Ok(tcp) => {
                    let zone = Arc::new(zone);
                    let mut tasks = JoinSet::new();
                    tasks.spawn(serve_udp(udp, Arc::clone(&zone)));
                    tasks.spawn(serve_tcp(tcp, zone));
                    return Ok(DnsServer { address, tasks });
                }
                // The UDP port's TCP twin is taken: try another port.
                Err(error) if bind.port() == 0 => last_error = Some(error),
                Err(error) => return Err(error),
            }
        }
        Err(last_error.unwrap_or_else(|| std::io::Error::other("no free port")))
    }

    /// Stops serving.
    pub async fn stop(mut self) {
        self.tasks.shutdown().await;
    }
}

async fn serve_udp(socket: UdpSocket, zone: Arc<Zone>) {
    let mut buffer = vec![0u8; 4096];
    loop {
        let Ok((read, peer)) = socket.recv_from(&mut buffer).await else {
            continue;
        };
        if let Some(reply) = zone.answer(buffer.get(..read).unwrap_or_default(), true) {
            let _ = socket.send_to(&reply, peer).await;
        }
    }
}

async fn serve_tcp(listener: TcpListener, zone: Arc<Zone>) {
    let mut connections = JoinSet::new();
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let zone = Arc::clone(&zone);
        connections.spawn(async move {
            let exchange = async {
                // Each message is preceded by its two-byte length (RFC 1035 §4.2.2).
                loop {
                    let length = usize::from(stream.read_u16().await?);
                    let mut query = vec![0u8; length];
                    stream.read_exact(&mut query).await?;
                    let Some(reply) = zone.answer(&query, false) else {
                        return Ok::<_, std::io::Error>(());
                    };
                    let size = u16::try_from(reply.len()).unwrap_or(u16::MAX);
                    stream.write_u16(size).await?;
                    stream.write_all(&reply).await?;
                }
            };
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), exchange).await;
        });
        while connections.try_join_next().is_some() {}
    }
}

/// A 2048-bit RSA public key (SubjectPublicKeyInfo, base64): the reference's DKIM key record.
/// The reference signs nothing, so only the public half exists.
pub const DKIM_KEY_2048: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAl2zkJSAMZJ9ne7muEAHH7nnhNfaZj2aL/LV1Yewtpf36zggDjUPBZZRwsXLXirYJhYhYeBOLBxRwXoUZZ67sVuIY/71qOj/ytZ8ncL+2gwa/v90RTf81mtYu8Yat4HGduimpW3dN9ynkpTpnboSATaWPg9stMSpRkAjYqDQNQD69xvHfO/kri1nsm3p9Dhv4kwIMtsGMGXWwTDWRSqa/gOx/ubEXG56Ff2FTf3ERRw6r92AOGuPeJE67/22MAVcvgnjr7HbhwVseU+d/3Ti6yY/pKNpnZZk0rvaTnwFaHJAABzqxMMipuZrjrXN2AXS2m7g2ietWQa7DpxK1WZnaFQIDAQAB";
/// A 512-bit RSA public key for the `dns-dkim-short-key` fault.
pub const DKIM_KEY_512: &str = "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKmExTlkKRF+BNhT8zA1Cp10yaJjZzJZWp+yhe2U/IuuFA9fF4QuaBFXSKkRAh+xRr2xX1dc7YY9sgHxh7l8hhECAwEAAQ==";

/// The DKIM selector of the reference domain.
pub const DKIM_SELECTOR: &str = "gw2026";

/// The path the MTA-STS policy is served at (RFC 8461 §3.2).
pub const MTA_STS_PATH: &str = "/.well-known/mta-sts.txt";

/// The reference domain's MTA-STS policy (served by the autoconfig HTTPS server), with the
/// deviations the `dns-mta-sts-*` faults ask for.
pub fn mta_sts_policy(domain: &str, faults: &Faults) -> String {
    let mut policy = String::from("version: STSv1\r\n");
    if !faults.has(Fault::DnsMtaStsModeMissing) {
        policy.push_str("mode: enforce\r\n");
    }
    if faults.has(Fault::DnsMtaStsMxMismatch) {
        policy.push_str("mx: *.mail.example.net\r\n");
    } else {
        policy.push_str(&format!("mx: mail.{domain}\r\n"));
    }
    policy.push_str("max_age: 604800\r\n");
    policy
}

/// What the reference zone points at.
#[derive(Debug, Clone)]
pub struct ZoneTargets {
    /// The mail domain.
    pub domain: String,
    /// The address every host name of the zone resolves to.
    pub ip: IpAddr,
    /// The DAV server (host and port of the SRV records).
    pub dav: SocketAddr,
    /// The context paths the TXT records name: CalDAV, CardDAV.
    pub dav_paths: (String, String),
    /// The certificate the SMTP server presents (DER), for the TLSA record.
    pub smtp_certificate: Vec<u8>,
}

/// The reference domain's zone, with the deviations the `dns-*` faults ask for.
pub fn reference_zone(targets: &ZoneTargets, faults: &Faults) -> Result<Zone, BadName> {
    let domain = targets.domain.as_str();
    let mx = format!("mail.{domain}");
    let dav = format!("dav.{domain}");
    let mut zone = Zone::new();
    zone.address(&mx, targets.ip)?;
    zone.address(&dav, targets.ip)?;
    zone.address(&format!("mta-sts.{domain}"), targets.ip)?;
    zone.mx(domain, 10, &mx)?;

    // SPF: the domain's own record and an included one (3 DNS-querying terms in all).
    let spf = if faults.has(Fault::DnsSpfPlusAll) {
        "v=spf1 mx +all".to_string()
    } else if faults.has(Fault::DnsSpfTooManyLookups) {
        // 2 terms here, 10 in the include: 12 in all.
        format!("v=spf1 mx include:_spf.{domain} -all")
    } else if faults.has(Fault::DnsSpfSyntax) {
        format!("v=spf1 mx ip4:192.0.2.300 include:_spf.{domain} -all")
    } else {
        format!("v=spf1 mx a:{mx} include:_spf.{domain} -all")
    };
    zone.txt(domain, &spf)?;
    if faults.has(Fault::DnsSpfTwoRecords) {
        zone.txt(domain, "v=spf1 ip4:192.0.2.1 -all")?;
    }
    zone.txt(domain, "groupwire-site-verification=reference")?;
    let included = if faults.has(Fault::DnsSpfTooManyLookups) {
        let terms: Vec<String> = (1..=10).map(|n| format!("a:host{n}.{domain}")).collect();
        format!("v=spf1 {} -all", terms.join(" "))
    } else {
        format!("v=spf1 ip4:{} -all", targets.ip)
    };
    zone.txt(&format!("_spf.{domain}"), &included)?;

    // DMARC.
    if !faults.has(Fault::DnsDmarcMissing) {
        let policy = if faults.has(Fault::DnsDmarcNone) {
            "none"
        } else {
            "reject"
        };
        let rua = if faults.has(Fault::DnsDmarcNoRua) {
            String::new()
        } else {
            format!("; rua=mailto:dmarc-reports@{domain}")
        };
        zone.txt(
            &format!("_dmarc.{domain}"),
            &format!("v=DMARC1; p={policy}{rua}; adkim=s; aspf=s"),
        )?;
    }

    // DKIM.
    let key = if faults.has(Fault::DnsDkimShortKey) {
        DKIM_KEY_512
    } else {
        DKIM_KEY_2048
    };
    let key_record = if faults.has(Fault::DnsDkimMalformed) {
        "v=DKIM1; k=rsa; p=not base64!".to_string()
    } else {
        format!("v=DKIM1; k=rsa; p={key}")
    };
    zone.txt(&format!("{DKIM_SELECTOR}._domainkey.{domain}"), &key_record)?;

    // MTA-STS and TLS-RPT.
    let id = if faults.has(Fault::DnsMtaStsBadId) {
        "2026-12-06"
    } else {
        "20261206T000000"
    };
    zone.txt(&format!("_mta-sts.{domain}"), &format!("v=STSv1; id={id};"))?;
    if !faults.has(Fault::DnsTlsRptMissing) {
        zone.txt(
            &format!("_smtp._tls.{domain}"),
            &format!("v=TLSRPTv1; rua=mailto:tls-reports@{domain}"),
        )?;
    }

    // DANE: the MX's TLSA record (3 1 1: the SMTP certificate's key, SHA-256).
    if let Some(mut data) = crate::dns::tlsa::association_data(&targets.smtp_certificate, 1, 1) {
        if faults.has(Fault::DnsTlsaMismatch)
            && let Some(first) = data.first_mut()
        {
            *first ^= 0xff;
        }
        zone.tlsa(
            &format!("_25._tcp.{mx}"),
            &crate::dns::tlsa::Association {
                usage: 3,
                selector: 1,
                matching: 1,
                data,
            },
        )?;
    }

    // CalDAV/CardDAV discovery (RFC 6764): TLS services at the DAV server, no plaintext ones.
    if !faults.has(Fault::DnsSrvMissing) {
        let port = if faults.has(Fault::DnsSrvWrongPort) {
            targets.dav.port().wrapping_add(1)
        } else {
            targets.dav.port()
        };
        zone.srv(&format!("_caldavs._tcp.{domain}"), port, &dav)?;
        zone.srv(&format!("_carddavs._tcp.{domain}"), port, &dav)?;
    }
    if !faults.has(Fault::DnsSrvTxtMissing) {
        zone.txt(
            &format!("_caldavs._tcp.{domain}"),
            &format!("path={}", targets.dav_paths.0),
        )?;
        zone.txt(
            &format!("_carddavs._tcp.{domain}"),
            &format!("path={}", targets.dav_paths.1),
        )?;
    }
    if faults.has(Fault::DnsSrvPlaintextOffered) {
        zone.srv(&format!("_caldav._tcp.{domain}"), targets.dav.port(), &dav)?;
        zone.srv(&format!("_carddav._tcp.{domain}"), targets.dav.port(), &dav)?;
    } else {
        zone.srv(&format!("_caldav._tcp.{domain}"), 0, ".")?;
        zone.srv(&format!("_carddav._tcp.{domain}"), 0, ".")?;
    }
    Ok(zone)
}
