//! The checks that read the mail domain's DNS (issues 11 and 12), through the harness's
//! resolver ([`crate::dns`]: the target's `dns` nameserver or the system's; every question
//! and answer, with its AD bit, is the check's evidence):
//!
//! - [`discovery`] (protocol `discovery`): the CalDAV/CardDAV SRV and TXT records of
//!   RFC 6764 (`_caldavs._tcp`, `_carddavs._tcp` and their plaintext twins), cross-checked
//!   against the target's DAV URLs.
//! - [`mail`] (protocol `security`): SPF (RFC 7208), DMARC (RFC 7489) and DKIM key records
//!   (RFC 6376) of the mail domain.
//! - [`transport`] (protocol `security`): MTA-STS (RFC 8461), TLS-RPT (RFC 8460) and DANE
//!   (RFC 7672, TLSA records of RFC 6698).
//!
//! Every check skips when the target names no domain, and when the domain is a special-use
//! name (`.test`, `.example`, `.invalid`, `.localhost`, RFC 6761) that the system resolver
//! cannot know, unless the target names its own nameserver.

pub mod discovery;
pub mod mail;
pub mod transport;

use crate::dns::Dns;
use crate::engine::{CheckContext, Finding};

/// The special-use top-level names of RFC 6761 (§6.2 to §6.5) no public DNS answers for.
const SPECIAL_USE: [&str; 4] = ["test", "example", "invalid", "localhost"];

/// The target's mail domain and a resolver for it, or why the DNS checks do not apply.
pub fn domain_and_resolver(cx: &CheckContext) -> Result<(String, Dns), Finding> {
    let domain = cx
        .target()
        .domain
        .clone()
        .ok_or_else(|| Finding::skip("the target names no mail domain"))?;
    let domain = crate::dns::trim_dot(&domain);
    let tld = domain.rsplit('.').next().unwrap_or_default();
    if cx.target().dns.is_none() && SPECIAL_USE.contains(&tld) {
        return Err(Finding::skip(format!(
            "{domain} is a special-use name (RFC 6761) and the target names no nameserver (dns)"
        )));
    }
    Ok((domain, Dns::new(cx)?))
}
