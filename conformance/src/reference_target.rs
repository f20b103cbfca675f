//! The embedded reference deployment (`groupwire-reference`) as a harness [`Target`].

use groupwire_reference::{DOMAIN, Reference, dns, sasl};

use crate::engine::TlsTrust;
use crate::target::{Account, Endpoint, Secret, Target};

/// The deployment as a harness target: IMAP and submission with STARTTLS, their
/// implicit-TLS ports as companions (for the implicit-TLS checks), the autoconfig
/// endpoint, the DAV services, its DNS server, both accounts. `trust` is what the report
/// states; connections should use the reference's `ReferenceTls::client` (it trusts exactly
/// the generated certificate).
pub fn reference_target(reference: &Reference, trust: TlsTrust) -> Target {
    let endpoint = |url: String| Endpoint::parse(&url).ok();
    let mut target = Target::empty("groupwire reference");
    target.domain = Some(DOMAIN.to_string());
    target.imap = endpoint(format!("imap://{}", reference.imap));
    target.smtp = endpoint(format!("smtp://{}", reference.submission));
    target.imaps = endpoint(format!("imaps://{}", reference.imaps));
    target.smtps = endpoint(format!("smtps://{}", reference.submissions));
    target.mx = endpoint(format!("smtp://{}", reference.mx));
    target.autoconfig = endpoint(format!("https://{}/", reference.autoconfig));
    target.caldav = endpoint(reference.caldav_url());
    target.carddav = endpoint(reference.carddav_url());
    target.webdav = endpoint(reference.webdav_url());
    target.accounts = reference
        .accounts
        .iter()
        .map(|account| {
            Account::new(
                account.address.clone(),
                Secret::new(account.password.clone()),
                None,
                None,
            )
            .with_oauth_token(Secret::new(sasl::oauth_token(&account.address)))
        })
        .collect();
    target.tls = trust;
    target.dns = Some(reference.dns);
    target.dkim_selectors = vec![dns::DKIM_SELECTOR.to_string()];
    target.mta_sts_url = endpoint(format!(
        "https://{}{}",
        reference.autoconfig,
        dns::MTA_STS_PATH
    ));
    target
}
