//! The check catalogue: one suite per protocol.
//!
//! - [`smtp`]: SMTP submission (RFC 5321, RFC 6409 and the ESMTP extensions a client uses).
//! - [`imap`]: IMAP4rev2/IMAP4rev1 (RFC 9051, RFC 3501) and the extensions of the profile.
//! - [`discovery`]: the Thunderbird autoconfig document, cross-checked against the servers.
//! - [`dav`]: the session layer every DAV suite shares (not a suite itself).
//! - [`caldav`]: CalDAV (RFC 4791, RFC 6578 sync, RFC 3744 access for two accounts, client interop).
//! - [`carddav`]: CardDAV (RFC 6352, with the same sync, access and interop groups).
//! - [`discovery::dav`]: CalDAV/CardDAV service discovery (RFC 6764 well-known redirects,
//!   context path, the DAV parts of autoconfig).
//! - [`dns`]: what the mail domain's DNS says: CalDAV/CardDAV SRV and TXT records (discovery),
//!   SPF, DMARC and DKIM keys (security).

/// Declares a [`Check`](crate::engine::Check) in one line per field:
/// `check!(id, Protocol, "title", RFC, "section", Level, "quote", needs [..], faults [..], accounts N, procedure)`.
macro_rules! check {
    ($id:literal, $protocol:ident, $title:literal, $rfc:literal, $section:literal, $level:ident,
     $quote:literal, needs [$($need:literal),*], faults [$($fault:literal),+], accounts $accounts:literal,
     $run:path) => {
        check!($id, $protocol, $title, $rfc, $section, $level, Implementation, $quote,
            needs [$($need),*], faults [$($fault),+], accounts $accounts, $run)
    };
    ($id:literal, $protocol:ident, $title:literal, $rfc:literal, $section:literal, $level:ident,
     $scope:ident, $quote:literal, needs [$($need:literal),*], faults [$($fault:literal),+],
     accounts $accounts:literal, $run:path) => {
        $crate::engine::Check {
            id: $id,
            protocol: $crate::engine::Protocol::$protocol,
            title: $title,
            rfc: $crate::engine::RfcRef::new($rfc, $section),
            level: $crate::engine::Level::$level,
            scope: $crate::engine::Scope::$scope,
            quote: $quote,
            profiles: PROFILES,
            needs: &[$($need),*],
            broken_by: &[$($fault),+],
            accounts: $accounts,
            run: |cx| Box::pin($run(cx)),
        }
    };
}

pub mod caldav;
pub mod carddav;
pub mod dav;
pub mod discovery;
pub mod dns;
pub mod imap;
pub mod security;
pub mod smtp;
pub mod webdav;

use crate::engine::Registry;

/// Every suite the harness ships.
pub fn registry() -> Registry {
    Registry::new()
        .with(imap::SUITE)
        .with(smtp::SUITE)
        .with(discovery::SUITE)
        .with(webdav::SUITE)
        .with(discovery::dav::SUITE)
        .with(caldav::SUITE)
        .with(carddav::SUITE)
        .with(security::SUITE)
        .with(dns::discovery::SUITE)
        .with(dns::mail::SUITE)
        .with(dns::transport::SUITE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_ids_are_unique_and_every_check_is_traceable() {
        let registry = registry();
        registry.validate().unwrap();
        for check in registry.checks() {
            assert!(check.id.starts_with(check.protocol.name()), "{}", check.id);
            assert!(!check.quote.is_empty(), "{} has no quote", check.id);
            assert!(!check.broken_by.is_empty(), "{} names no fault", check.id);
            for fault in check.broken_by {
                assert!(
                    crate::reference::faults::Fault::from_name(fault).is_some(),
                    "{} names unknown fault {fault}",
                    check.id
                );
            }
        }
    }
}
