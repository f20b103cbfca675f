//! Transport security of the mail domain: MTA-STS (RFC 8461: the `_mta-sts` record, the policy
//! served at `https://mta-sts.<domain>/.well-known/mta-sts.txt` or the target's `mta_sts_url`,
//! every MX matched by a policy pattern), TLS-RPT (RFC 8460: the `_smtp._tls` record) and DANE
//! for SMTP (RFC 7672 with RFC 6698: when the MX has TLSA records, the certificate the target's
//! SMTP endpoint serves matches one; whether the answer was DNSSEC-authenticated, the AD bit of
//! the resolver, is reported, never validated here).
//!
//! The texts of RFC 8461, RFC 8460 and RFC 6698 are not in `../shared/rfc`; the passages these
//! checks quote are kept in `conformance/rfc-excerpts/`, where `tests/rfc_quotes.rs` holds the
//! quotes to them.

use hickory_proto::rr::RecordType;

use super::domain_and_resolver;
use crate::dns::mta_sts::{self, Policy, StsRecord};
use crate::dns::{Dns, trim_dot};
use crate::engine::{Check, CheckContext, CheckResult, Finding, Suite};
use crate::suites::security::services::{Kind, Service, fetch_chain};
use crate::target::{Endpoint, Security};

const PROFILES: &[&str] = &["security"];

/// The transport-security checks of the mail domain.
pub static SUITE: Suite = Suite {
    protocol: crate::engine::Protocol::Security,
    probe: None,
    cleanup: None,
    checks: CHECKS,
};

/// The checks of [`SUITE`].
pub static CHECKS: &[Check] = &[
    check!("security.mta-sts.record", Security, "The mail domain publishes one valid MTA-STS record (v=STSv1; id=...) at _mta-sts.<domain> (warn when absent)", 8461, "3.1", Must, Deployment,
        "If the number of resulting records is not one, or if the resulting record is syntactically invalid, senders MUST assume the recipient domain does not have an available MTA-STS Policy and skip the remaining steps of policy discovery.",
        needs [], faults ["dns-mta-sts-bad-id"], accounts 0, mta_sts_record),
    check!("security.mta-sts.policy", Security, "The MTA-STS policy is served over HTTPS and is valid (version STSv1, mode, max_age, mx)", 8461, "3.3", Must, Deployment,
        "If a valid TXT record is found but no policy can be fetched via HTTPS (for any reason), and there is no valid (non-expired) previously cached policy, senders MUST continue with delivery as though the domain has not implemented MTA-STS.",
        needs [], faults ["dns-mta-sts-mode-missing"], accounts 0, mta_sts_policy),
    check!("security.mta-sts.mx-match", Security, "Every MX host of the domain matches an mx pattern of the MTA-STS policy (an enforcing sender refuses an MX the policy does not allow)", 8461, "3.2", Should, Deployment,
        "\"mx\": Allowed MX patterns. One or more patterns matching allowed MX hosts for the Policy Domain.",
        needs [], faults ["dns-mta-sts-mx-mismatch"], accounts 0, mta_sts_mx_match),
    check!("security.tls-rpt.record", Security, "The mail domain publishes one TLS-RPT record (v=TLSRPTv1; rua=...) at _smtp._tls.<domain> (warn when absent)", 8460, "3", Must, Deployment,
        "If the number of resulting records is not one, senders MUST assume the recipient domain does not implement TLSRPT.",
        needs [], faults ["dns-tlsrpt-missing"], accounts 0, tls_rpt_record),
    check!("security.dane.tlsa-match", Security, "When the MX has TLSA records (_25._tcp.<mx>), the certificate the SMTP endpoint serves matches one of them", 6698, "2.1.1", Must, Deployment,
        "3 -- Certificate usage 3 is used to specify a certificate, or the public key of such a certificate, that MUST match the end entity certificate given by the server in TLS.",
        needs [], faults ["dns-tlsa-mismatch"], accounts 0, dane_tlsa_match),
];

/// The MTA-STS records (TXT strings beginning `v=STSv1`) at `_mta-sts.<domain>`.
async fn sts_records(dns: &Dns, domain: &str) -> Result<Vec<String>, Finding> {
    Ok(dns
        .query(&format!("_mta-sts.{domain}"), RecordType::TXT)
        .await?
        .txt()
        .into_iter()
        .filter(|text| mta_sts::is_sts(text))
        .collect())
}

async fn mta_sts_record(cx: CheckContext) -> CheckResult {
    let (domain, dns) = domain_and_resolver(&cx)?;
    match sts_records(&dns, &domain).await?.as_slice() {
        [] => Err(Finding::quirk(
            format!(
                "an MTA-STS record at _mta-sts.{domain} (senders can be downgraded to plaintext without one)"
            ),
            "none",
        )),
        [text] => StsRecord::parse(text).map(|_| ()).map_err(|error| {
            Finding::violation(
                "v=STSv1; id=<1 to 32 letters and digits>",
                format!("{error} in {text:?}"),
            )
        }),
        more => Err(Finding::violation(
            format!("one MTA-STS record at _mta-sts.{domain}"),
            format!("{}: {more:?}", more.len()),
        )),
    }
}

/// Where the policy is fetched: the target's `mta_sts_url`, else the RFC 8461 §3.2 URL.
fn policy_endpoint(cx: &CheckContext, domain: &str) -> Result<Endpoint, Finding> {
    if let Some(endpoint) = &cx.target().mta_sts_url {
        return Ok(endpoint.clone());
    }
    Endpoint::parse(&format!("https://mta-sts.{domain}/.well-known/mta-sts.txt"))
        .map_err(|error| Finding::harness(error.to_string()))
}

/// Fetches and parses the policy (after the record says there is one).
async fn fetch_policy(cx: &CheckContext) -> Result<Result<Policy, Finding>, Finding> {
    let (domain, dns) = domain_and_resolver(cx)?;
    match sts_records(&dns, &domain).await?.as_slice() {
        [text] if StsRecord::parse(text).is_ok() => {}
        _ => {
            return Err(Finding::skip(format!(
                "no single valid MTA-STS record at _mta-sts.{domain} (security.mta-sts.record)"
            )));
        }
    }
    let endpoint = policy_endpoint(cx, &domain)?;
    if endpoint.security != Security::Implicit {
        return Ok(Err(Finding::violation(
            "the policy over HTTPS",
            format!("{} is not https", endpoint.url),
        )));
    }
    let response = crate::suites::discovery::http::get(cx, &endpoint, &endpoint.path).await?;
    if response.status != 200 {
        return Ok(Err(Finding::violation(
            format!("HTTP 200 with the policy at {}", endpoint.url),
            format!("HTTP {}", response.status),
        )));
    }
    let text = String::from_utf8_lossy(&response.body).into_owned();
    Ok(Policy::parse(&text).map_err(|error| {
        Finding::violation(
            "a policy with version: STSv1, mode, max_age and mx lines",
            format!("{error} in {text:?}"),
        )
    }))
}

async fn mta_sts_policy(cx: CheckContext) -> CheckResult {
    let policy = fetch_policy(&cx).await??;
    cx.note(format!(
        "policy: mode {:?}, max_age {}, mx {:?}",
        policy.mode, policy.max_age, policy.mx
    ));
    Ok(())
}

async fn mta_sts_mx_match(cx: CheckContext) -> CheckResult {
    let policy = fetch_policy(&cx).await?.map_err(|finding| {
        Finding::skip(format!(
            "no valid MTA-STS policy (security.mta-sts.policy): {}",
            finding.reason()
        ))
    })?;
    let (domain, dns) = domain_and_resolver(&cx)?;
    let mx = dns.query(&domain, RecordType::MX).await?.mx();
    if mx.is_empty() {
        return Err(Finding::skip(format!("{domain} has no MX record")));
    }
    let unmatched: Vec<&str> = mx
        .iter()
        .map(|(_, host)| host.as_str())
        .filter(|host| !policy.matches_mx(host))
        .collect();
    if unmatched.is_empty() {
        Ok(())
    } else {
        Err(Finding::violation(
            format!("every MX matched by one of {:?}", policy.mx),
            format!("unmatched: {}", unmatched.join(", ")),
        ))
    }
}

async fn tls_rpt_record(cx: CheckContext) -> CheckResult {
    let (domain, dns) = domain_and_resolver(&cx)?;
    let owner = format!("_smtp._tls.{domain}");
    let records: Vec<String> = dns
        .query(&owner, RecordType::TXT)
        .await?
        .txt()
        .into_iter()
        .filter(|text| text.starts_with("v=TLSRPTv1"))
        .collect();
    match records.as_slice() {
        [] => Err(Finding::quirk(
            format!("a TLS-RPT record at {owner} (senders report TLS failures there)"),
            "none",
        )),
        [text] if mta_sts::is_tls_rpt(text) => Ok(()),
        [text] => Err(Finding::violation(
            "v=TLSRPTv1; rua=<URI>",
            format!("{text:?}"),
        )),
        more => Err(Finding::violation(
            format!("one TLS-RPT record at {owner}"),
            format!("{}: {more:?}", more.len()),
        )),
    }
}

async fn dane_tlsa_match(cx: CheckContext) -> CheckResult {
    let (domain, dns) = domain_and_resolver(&cx)?;
    let endpoint = cx.target().smtp.clone().ok_or_else(|| {
        Finding::skip("the target names no SMTP endpoint to read a certificate from")
    })?;
    let mx = dns.query(&domain, RecordType::MX).await?.mx();
    let mut associations = Vec::new();
    for (_, host) in &mx {
        let answer = dns
            .query(&format!("_25._tcp.{}", trim_dot(host)), RecordType::TLSA)
            .await?;
        cx.note(format!(
            "TLSA for {host}: {} record(s), {}",
            answer.records.len(),
            if answer.authenticated {
                "DNSSEC-authenticated (AD=1)"
            } else {
                "not authenticated (AD=0): without DNSSEC senders ignore these records"
            }
        ));
        associations.extend(answer.tlsa());
    }
    if associations.is_empty() {
        return Err(Finding::skip(format!(
            "no TLSA record for the MX hosts of {domain}"
        )));
    }
    let service = Service {
        endpoint,
        kind: Kind::Smtp,
    };
    let chain: Vec<Vec<u8>> = fetch_chain(&cx, &service)
        .await?
        .iter()
        .map(|der| der.as_ref().to_vec())
        .collect();
    if associations
        .iter()
        .any(|association| association.matches(&chain))
    {
        return Ok(());
    }
    let published: Vec<String> = associations.iter().map(ToString::to_string).collect();
    let served = chain
        .first()
        .and_then(|leaf| crate::dns::tlsa::association_data(leaf, 1, 1))
        .map(|data| {
            data.iter()
                .map(|byte| format!("{byte:02x}"))
                .collect::<String>()
        })
        .unwrap_or_default();
    Err(Finding::violation(
        format!("a certificate matching one of {published:?}"),
        format!("a certificate whose SubjectPublicKeyInfo SHA-256 is {served} (3 1 1)"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_checks_are_traceable_and_explained() {
        for check in CHECKS {
            assert!(check.id.starts_with("security."), "{}", check.id);
            assert!(
                crate::report::security::advice(check.id).is_some(),
                "{} has no advice",
                check.id
            );
            for fault in check.broken_by {
                assert!(
                    crate::reference::faults::Fault::from_name(fault).is_some(),
                    "{fault}"
                );
            }
        }
        crate::suites::registry().validate().unwrap();
    }
}
