//! The mail domain's authentication records, judged the way internet.nl judges them: SPF
//! (RFC 7208: one valid record, at most 10 DNS-querying terms with includes and redirects
//! followed, ending in `-all`), DMARC (RFC 7489: a valid record, a policy that acts, aggregate
//! reports asked for) and the DKIM keys of the selectors the target names (RFC 6376: a valid
//! key record, RSA keys of at least 1024 bits, 2048 recommended).

use hickory_proto::rr::RecordType;

use super::domain_and_resolver;
use crate::dns::dkim::DkimKey;
use crate::dns::dmarc::{self, DmarcRecord, Policy};
use crate::dns::spf::{self, Qualifier, SpfRecord};
use crate::dns::{Dns, trim_dot};
use crate::engine::{Check, CheckContext, CheckResult, Finding};

const PROFILES: &[&str] = &["security"];

/// The mail-domain DNS checks: a second suite of the security protocol (the runner uses the
/// first security suite's hooks, and this one has none).
pub static SUITE: crate::engine::Suite = crate::engine::Suite {
    protocol: crate::engine::Protocol::Security,
    probe: None,
    cleanup: None,
    checks: CHECKS,
};

/// The SPF, DMARC and DKIM checks (protocol `security`).
pub static CHECKS: &[Check] = &[
    check!("security.spf.valid", Security, "The mail domain publishes a valid SPF record", 7208, "2.1", Should, Deployment,
        "An SPF-compliant domain publishes valid SPF records as described in Section 3.",
        needs [], faults ["dns-spf-syntax"], accounts 0, spf_valid),
    check!("security.spf.single-record", Security, "The mail domain publishes exactly one SPF record", 7208, "3.2", Must, Deployment,
        "A domain name MUST NOT have multiple records that would cause an authorization check to select more than one record.",
        needs [], faults ["dns-spf-two-records"], accounts 0, spf_single),
    check!("security.spf.lookup-limit", Security, "Evaluating the SPF record takes at most 10 DNS-querying terms (includes and redirects followed)", 7208, "4.6.4", Must, Deployment,
        "SPF implementations MUST limit the total number of those terms to 10 during SPF evaluation, to avoid unreasonable load on the DNS. If this limit is exceeded, the implementation MUST return \"permerror\".",
        needs [], faults ["dns-spf-too-many-lookups"], accounts 0, spf_lookup_limit),
    check!("security.spf.ends-with-all", Security, "The SPF record ends in -all (warn on ~all, fail on +all, ?all or no all)", 7208, "2.1", Must, Deployment,
        "If ADMDs choose to publish SPF records and want to support receivers making negative authorization determinations, it is necessary for them to publish records that end in \"-all\", or redirect to other records that do; otherwise, no definitive determination of authorization can be made.",
        needs [], faults ["dns-spf-plus-all"], accounts 0, spf_ends_with_all),
    check!("security.dmarc.record", Security, "The mail domain publishes one valid DMARC record at _dmarc.<domain>", 7489, "6.3", Must, Deployment,
        "A DMARC policy record MUST comply with the formal specification found in Section 6.4 in that the \"v\" and \"p\" tags MUST be present and MUST appear in that order.",
        needs [], faults ["dns-dmarc-missing"], accounts 0, dmarc_record),
    check!("security.dmarc.policy", Security, "The DMARC policy acts on failing mail (p=quarantine or p=reject; warn on p=none)", 7489, "6.3", Should, Deployment,
        "none:  The Domain Owner requests no specific action be taken regarding delivery of messages.",
        needs [], faults ["dns-dmarc-none"], accounts 0, dmarc_policy),
    check!("security.dmarc.rua", Security, "The DMARC record asks for aggregate reports (rua; warn when absent)", 7489, "6.3", May, Deployment,
        "rua:  Addresses to which aggregate feedback is to be sent (comma- separated plain-text list of DMARC URIs; OPTIONAL). … If not provided, Mail Receivers MUST NOT generate aggregate feedback reports.",
        needs [], faults ["dns-dmarc-no-rua"], accounts 0, dmarc_rua),
    check!("security.dkim.key-record", Security, "Every DKIM selector the target names has a valid key record (v=DKIM1, a usable p=)", 6376, "3.6.1", Must, Deployment,
        "p= Public-key data (base64; REQUIRED). An empty value means that this public key has been revoked.",
        needs [], faults ["dns-dkim-malformed"], accounts 0, dkim_key_record),
    check!("security.dkim.key-length", Security, "Every DKIM RSA key has at least 1024 bits (warn under 2048)", 6376, "3.3.3", Must, Deployment,
        "Since short RSA keys more easily succumb to off-line attacks, Signers MUST use RSA keys of at least 1024 bits for long-lived keys.",
        needs [], faults ["dns-dkim-short-key"], accounts 0, dkim_key_length),
];

/// The SPF records (TXT strings beginning `v=spf1`) of a domain.
async fn spf_records(dns: &Dns, domain: &str) -> Result<Vec<String>, Finding> {
    Ok(dns
        .query(domain, RecordType::TXT)
        .await?
        .txt()
        .into_iter()
        .filter(|text| spf::is_spf(text))
        .collect())
}

/// The one SPF record of the domain, parsed check by check.
async fn the_spf_record(dns: &Dns, domain: &str) -> Result<String, Finding> {
    match spf_records(dns, domain).await?.as_slice() {
        [] => Err(Finding::violation(
            format!("a TXT record beginning v=spf1 at {domain}"),
            "none",
        )),
        [text] => Ok(text.clone()),
        more => Err(Finding::skip(format!(
            "{domain} has {} SPF records (security.spf.single-record)",
            more.len()
        ))),
    }
}

async fn spf_valid(cx: CheckContext) -> CheckResult {
    let (domain, dns) = domain_and_resolver(&cx)?;
    let records = spf_records(&dns, &domain).await?;
    if records.is_empty() {
        return Err(Finding::violation(
            format!("a TXT record beginning v=spf1 at {domain}"),
            "none",
        ));
    }
    for text in &records {
        SpfRecord::parse(text).map_err(|error| {
            Finding::violation(
                "an SPF record without syntax errors",
                format!("{error} in {text:?}"),
            )
        })?;
    }
    Ok(())
}

async fn spf_single(cx: CheckContext) -> CheckResult {
    let (domain, dns) = domain_and_resolver(&cx)?;
    let records = spf_records(&dns, &domain).await?;
    match records.len() {
        0 => Err(Finding::skip(format!(
            "{domain} has no SPF record (security.spf.valid)"
        ))),
        1 => Ok(()),
        n => Err(Finding::violation(
            format!("one SPF record at {domain}"),
            format!("{n}: {records:?}"),
        )),
    }
}

/// Counts the DNS-querying terms of `domain`'s SPF record and of every record it includes
/// or redirects to, as a receiver evaluating it would (stopping past `limit`).
async fn count_lookups(
    dns: &Dns,
    domain: &str,
    limit: usize,
) -> Result<(usize, Vec<String>), Finding> {
    let mut count = 0usize;
    let mut trail = Vec::new();
    let mut pending = vec![trim_dot(domain)];
    let mut visited = 0usize;
    while let Some(current) = pending.pop() {
        visited += 1;
        if count > limit || visited > 40 {
            break;
        }
        let text = the_spf_record(dns, &current)
            .await
            .map_err(|finding| match finding {
                Finding::Violation { actual, .. } if current != trim_dot(domain) => {
                    Finding::violation(
                        format!("an SPF record at {current} (included or redirected to)"),
                        actual,
                    )
                }
                other => other,
            })?;
        let record = SpfRecord::parse(&text).map_err(|error| {
            Finding::skip(format!(
                "the SPF record at {current} does not parse ({error}): security.spf.valid"
            ))
        })?;
        count += record.lookup_terms();
        trail.push(format!("{current}: {} term(s)", record.lookup_terms()));
        let mut next: Vec<String> = record.includes().into_iter().map(trim_dot).collect();
        next.extend(record.redirect().map(trim_dot));
        // Macro-expanded domains (%{...}) depend on the message: counted, not followed.
        next.retain(|name| !name.contains('%'));
        next.reverse();
        pending.extend(next);
    }
    Ok((count, trail))
}

async fn spf_lookup_limit(cx: CheckContext) -> CheckResult {
    let (domain, dns) = domain_and_resolver(&cx)?;
    let (count, trail) = count_lookups(&dns, &domain, 10).await?;
    cx.note(format!(
        "DNS-querying terms: {count} ({})",
        trail.join(", ")
    ));
    if count > 10 {
        return Err(Finding::violation(
            "at most 10 DNS-querying terms (include, a, mx, ptr, exists, redirect)",
            format!("{count}: {}", trail.join(", ")),
        ));
    }
    Ok(())
}

async fn spf_ends_with_all(cx: CheckContext) -> CheckResult {
    let (domain, dns) = domain_and_resolver(&cx)?;
    let mut current = domain.clone();
    // Follow redirects (at most 10, the lookup limit) to the record that ends evaluation.
    for _ in 0..10 {
        let text = the_spf_record(&dns, &current).await?;
        let record = SpfRecord::parse(&text).map_err(|error| {
            Finding::skip(format!(
                "the SPF record at {current} does not parse ({error}): security.spf.valid"
            ))
        })?;
        if let Some(target) = record.redirect() {
            current = trim_dot(target);
            continue;
        }
        return match record.all() {
            Some(Qualifier::Fail) => Ok(()),
            Some(Qualifier::SoftFail) => Err(Finding::quirk(
                "-all (mail from unlisted hosts fails)",
                format!("~all at {current} (softfail: receivers only mark such mail)"),
            )),
            Some(qualifier) => Err(Finding::violation(
                "-all (or ~all)",
                format!(
                    "{}all at {current}: every host {} send as {domain}",
                    qualifier.symbol(),
                    if qualifier == Qualifier::Pass {
                        "may"
                    } else {
                        "may (neutral)"
                    }
                ),
            )),
            None => Err(Finding::violation(
                "-all (or ~all)",
                format!("no all mechanism at {current}: the default result is neutral"),
            )),
        };
    }
    Err(Finding::violation(
        "a redirect chain that ends",
        "more than 10 redirects",
    ))
}

/// The DMARC records at `_dmarc.<domain>`.
async fn dmarc_records(dns: &Dns, domain: &str) -> Result<Vec<String>, Finding> {
    Ok(dns
        .query(&format!("_dmarc.{domain}"), RecordType::TXT)
        .await?
        .txt()
        .into_iter()
        .filter(|text| dmarc::is_dmarc(text))
        .collect())
}

async fn dmarc_record(cx: CheckContext) -> CheckResult {
    let (domain, dns) = domain_and_resolver(&cx)?;
    let records = dmarc_records(&dns, &domain).await?;
    match records.as_slice() {
        [] => Err(Finding::violation(
            format!("a TXT record beginning v=DMARC1 at _dmarc.{domain}"),
            "none",
        )),
        [text] => DmarcRecord::parse(text).map(|_| ()).map_err(|error| {
            Finding::violation(
                "a DMARC record with v= and p=",
                format!("{error} in {text:?}"),
            )
        }),
        // RFC 7489 §6.6.3: several records, no DMARC processing at all.
        more => Err(Finding::violation(
            format!("one DMARC record at _dmarc.{domain}"),
            format!("{}: {more:?}", more.len()),
        )),
    }
}

/// The one parsable DMARC record, or a skip naming `security.dmarc.record`.
async fn the_dmarc_record(cx: &CheckContext) -> Result<String, Finding> {
    let (domain, dns) = domain_and_resolver(cx)?;
    match dmarc_records(&dns, &domain).await?.as_slice() {
        [text] if DmarcRecord::parse(text).is_ok() => Ok(text.clone()),
        _ => Err(Finding::skip(format!(
            "no single valid DMARC record at _dmarc.{domain} (security.dmarc.record)"
        ))),
    }
}

async fn dmarc_policy(cx: CheckContext) -> CheckResult {
    let text = the_dmarc_record(&cx).await?;
    let record = DmarcRecord::parse(&text).map_err(|error| Finding::harness(error.to_string()))?;
    match record.policy {
        Policy::Quarantine | Policy::Reject => Ok(()),
        Policy::None => Err(Finding::violation(
            "p=quarantine or p=reject",
            "p=none (failing mail is delivered as usual)",
        )),
    }
}

async fn dmarc_rua(cx: CheckContext) -> CheckResult {
    let text = the_dmarc_record(&cx).await?;
    let record = DmarcRecord::parse(&text).map_err(|error| Finding::harness(error.to_string()))?;
    match record.rua() {
        Some(_) => Ok(()),
        None => Err(Finding::violation(
            "rua=mailto:... (aggregate reports show who sends as the domain)",
            "no rua tag",
        )),
    }
}

/// `(selector, key record text)` for each selector the target names.
async fn dkim_records(cx: &CheckContext) -> Result<Vec<(String, Option<String>)>, Finding> {
    let (domain, dns) = domain_and_resolver(cx)?;
    let selectors = cx.target().dkim_selectors.clone();
    if selectors.is_empty() {
        return Err(Finding::skip(
            "the target names no DKIM selector (dkim_selectors)",
        ));
    }
    let mut out = Vec::new();
    for selector in selectors {
        let owner = format!("{selector}._domainkey.{domain}");
        let texts = dns.query(&owner, RecordType::TXT).await?.txt();
        out.push((owner, texts.into_iter().next()));
    }
    Ok(out)
}

async fn dkim_key_record(cx: CheckContext) -> CheckResult {
    for (owner, text) in dkim_records(&cx).await? {
        let Some(text) = text else {
            return Err(Finding::violation(
                format!("a DKIM key record at {owner}"),
                "none",
            ));
        };
        DkimKey::parse(&text).map_err(|error| {
            Finding::violation(
                format!("a valid DKIM key record at {owner}"),
                format!("{error} in {text:?}"),
            )
        })?;
    }
    Ok(())
}

async fn dkim_key_length(cx: CheckContext) -> CheckResult {
    let mut short = Vec::new();
    for (owner, text) in dkim_records(&cx).await? {
        let Some(key) = text.as_deref().and_then(|text| DkimKey::parse(text).ok()) else {
            return Err(Finding::skip(format!(
                "no valid key record at {owner} (security.dkim.key-record)"
            )));
        };
        cx.note(format!("{owner}: {} key, {} bits", key.key_type, key.bits));
        if key.key_type == "rsa" && key.bits < 1024 {
            return Err(Finding::violation(
                format!("an RSA key of at least 1024 bits at {owner}"),
                format!("{} bits", key.bits),
            ));
        }
        if key.key_type == "rsa" && key.bits < 2048 {
            short.push(format!("{owner}: {} bits", key.bits));
        }
    }
    if !short.is_empty() {
        return Err(Finding::quirk(
            "RSA keys of 2048 bits (RFC 8301 §3.2 recommends at least 2048)",
            short.join(", "),
        ));
    }
    Ok(())
}
