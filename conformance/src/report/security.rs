//! The "Security posture" section of the HTML report: for a reader who is not a TLS expert,
//! every security-relevant check in one table with a plain-language name, and for each one that
//! did not pass, what is wrong (the evidence in one line), why it matters, and how to fix it in
//! Dovecot, Postfix and Apache terms. The checks are the `security` suite's and the IMAP/SMTP
//! checks the `security` profile takes from the other suites (STARTTLS safety, no password
//! before TLS).

use std::fmt::Write as _;

use super::Report;
use super::html::escape;
use crate::engine::{CheckOutcome, Protocol, Status};

/// Plain-language advice for one check.
#[derive(Debug, Clone, Copy)]
pub struct Advice {
    /// The check id, or an id prefix ending in `.` (for a family such as `imap.starttls.`).
    pub id: &'static str,
    /// What the check looks at, in a few words.
    pub topic: &'static str,
    /// Why a failure matters.
    pub why: &'static str,
    /// How to fix it, per server software.
    pub fix: &'static str,
}

/// The advice table.
pub const ADVICE: &[Advice] = &[
    Advice {
        id: "security.tls.ssl3-refused",
        topic: "SSL 3.0 switched off",
        why: "SSL 3.0 is broken (POODLE): an attacker on the network can decrypt parts of the traffic, such as passwords.",
        fix: "Dovecot: ssl_min_protocol = TLSv1.2. Postfix: smtpd_tls_protocols = >=TLSv1.2 and smtpd_tls_mandatory_protocols = >=TLSv1.2. Apache: SSLProtocol -all +TLSv1.2 +TLSv1.3.",
    },
    Advice {
        id: "security.tls.tls10-refused",
        topic: "TLS 1.0 switched off",
        why: "TLS 1.0 is from 1999 and has known weaknesses (BEAST, no modern ciphers); RFC 8996 forbids it and public-sector guidelines require TLS 1.2 or newer. Clients from the last ten years do not need it.",
        fix: "Dovecot: ssl_min_protocol = TLSv1.2 (and no @SECLEVEL=0 in ssl_cipher_list). Postfix: smtpd_tls_protocols = >=TLSv1.2 and smtpd_tls_mandatory_protocols = >=TLSv1.2. Apache: SSLProtocol -all +TLSv1.2 +TLSv1.3.",
    },
    Advice {
        id: "security.tls.tls11-refused",
        topic: "TLS 1.1 switched off",
        why: "TLS 1.1 lacks the modern cipher suites and is deprecated by RFC 8996; keeping it only helps attackers force a weaker connection.",
        fix: "Dovecot: ssl_min_protocol = TLSv1.2. Postfix: smtpd_tls_protocols = >=TLSv1.2 and smtpd_tls_mandatory_protocols = >=TLSv1.2. Apache: SSLProtocol -all +TLSv1.2 +TLSv1.3.",
    },
    Advice {
        id: "security.tls.tls12-supported",
        topic: "TLS 1.2 or 1.3 spoken",
        why: "Without TLS 1.2 or 1.3 no current client can connect securely; mail clients will refuse or fall back to weak encryption.",
        fix: "Update the TLS library (OpenSSL) and the server; Dovecot: ssl_min_protocol = TLSv1.2; Postfix: smtpd_tls_protocols = >=TLSv1.2; Apache: SSLProtocol -all +TLSv1.2 +TLSv1.3.",
    },
    Advice {
        id: "security.tls.cipher-",
        topic: "Strong cipher suites only",
        why: "NULL ciphers do not encrypt at all; export, DES and RC4 ciphers can be broken; 3DES is slow and weak (Sweet32); static RSA loses forward secrecy, so a stolen server key decrypts every recorded session. Mozilla's \"intermediate\" profile lists the suites to keep.",
        fix: "Use Mozilla's intermediate cipher list (ssl-config.mozilla.org). Dovecot: ssl_cipher_list = the intermediate list (the Debian default already excludes weak and static-RSA suites). Postfix: smtpd_tls_mandatory_ciphers = high, smtpd_tls_exclude_ciphers = aNULL, eNULL, EXPORT, DES, RC4, 3DES, MD5, kRSA. Apache: SSLCipherSuite = the intermediate list, SSLHonorCipherOrder off.",
    },
    Advice {
        id: "security.tls.certificate-trusted",
        topic: "Certificate from a trusted authority",
        why: "A certificate no client trusts trains users to click through warnings, which is exactly what an attacker impersonating the server needs.",
        fix: "Use a certificate from a public CA (e.g. Let's Encrypt via certbot) with the full chain. Dovecot: ssl_cert = </etc/letsencrypt/live/HOST/fullchain.pem. Postfix: smtpd_tls_chain_files = privkey.pem, fullchain.pem. Apache: SSLCertificateFile fullchain.pem.",
    },
    Advice {
        id: "security.tls.certificate-name",
        topic: "Certificate names the server",
        why: "A certificate for another name cannot prove the client reached the right server; clients show a warning or refuse.",
        fix: "Request the certificate for every name clients use (mail.example.org, imap.example.org, autoconfig.example.org), e.g. certbot -d each name; or point clients at a name the certificate has.",
    },
    Advice {
        id: "security.tls.certificate-not-expired",
        topic: "Certificate not expired",
        why: "An expired certificate makes clients refuse the connection or warn; mail stops or users learn to ignore warnings.",
        fix: "Renew the certificate and reload the servers (doveadm reload, postfix reload, apachectl graceful); automate renewal (certbot renew with a deploy hook).",
    },
    Advice {
        id: "security.tls.certificate-not-expiring",
        topic: "Certificate renewed in time",
        why: "Less than 30 days are left: if renewal is not automated, the service will break soon.",
        fix: "Renew now and automate it (certbot's timer with a deploy hook that reloads Dovecot, Postfix and Apache).",
    },
    Advice {
        id: "security.tls.certificate-key",
        topic: "Certificate key long enough",
        why: "RSA keys under 2048 bits can be factored with enough computing power; the server could then be impersonated.",
        fix: "Issue a new certificate with an RSA 2048/3072-bit or ECDSA P-256 key (certbot --key-type ecdsa).",
    },
    Advice {
        id: "security.tls.certificate-signature",
        topic: "Certificate signed with SHA-256 or better",
        why: "SHA-1 and MD5 signatures can be forged (collision attacks); browsers and mail clients reject them.",
        fix: "Reissue the certificate; every public CA signs with SHA-256 today.",
    },
    Advice {
        id: "security.implicit-tls.",
        topic: "Implicit TLS (993, 465) offered",
        why: "RFC 8314 recommends TLS from the first byte: nothing travels in plaintext, and no STARTTLS stripping attack is possible.",
        fix: "Dovecot: an imaps inet_listener on 993 with ssl = yes. Postfix: the submissions service on 465 in master.cf with -o smtpd_tls_wrappermode=yes. Publish them in autoconfig and SRV records (_imaps._tcp, _submissions._tcp).",
    },
    Advice {
        id: "security.smtp.open-relay-refused",
        topic: "No open relay",
        why: "A server that forwards mail for anyone is abused for spam within hours and lands on block lists, so your own users' mail stops being delivered.",
        fix: "Postfix: smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination, and on submission -o smtpd_client_restrictions=permit_sasl_authenticated,reject.",
    },
    Advice {
        id: "security.smtp.sender-authorised",
        topic: "Users cannot send as each other",
        why: "Any user (or anyone with one stolen password) can send mail that looks like it comes from the director or the helpdesk.",
        fix: "Postfix: smtpd_sender_login_maps (e.g. the Dovecot user list) and reject_sender_login_mismatch in smtpd_sender_restrictions on submission.",
    },
    Advice {
        id: "security.smtp.vrfy-not-open",
        topic: "No address harvesting through VRFY",
        why: "VRFY answering 250 tells spammers and password guessers which accounts exist.",
        fix: "Postfix: disable_vrfy_command = yes.",
    },
    Advice {
        id: "security.smtp.expn-not-open",
        topic: "No list harvesting through EXPN",
        why: "EXPN answering 250 shows who exists and who is on each mailing list, to anyone who connects.",
        fix: "Postfix does not implement EXPN; other MTAs: disable EXPN, or allow it only after AUTH (Exim: acl_smtp_expn; Sendmail: PrivacyOptions=noexpn).",
    },
    Advice {
        id: "security.smtp.xclient-not-offered",
        topic: "No client impersonation through XCLIENT",
        why: "XCLIENT lets the connecting client claim any IP address and host name; offered to everyone, a client can claim to be inside mynetworks and relay without a password.",
        fix: "Postfix: leave smtpd_authorized_xclient_hosts empty (the default), or list only the proxies that need it (for example a webmail or a load balancer on a private address).",
    },
    Advice {
        id: "security.smtp.xforward-not-offered",
        topic: "No forged client attributes through XFORWARD",
        why: "XFORWARD lets the client set the address and name that content filters and logs record; offered to everyone, logs and filter decisions can be forged.",
        fix: "Postfix: leave smtpd_authorized_xforward_hosts empty (the default), or list only the content filter that re-injects mail.",
    },
    Advice {
        id: "security.imap.failed-logins-limited",
        topic: "Password guessing slowed down",
        why: "Without a delay or lockout an attacker can try thousands of passwords per minute against every account.",
        fix: "Dovecot: auth_failure_delay = 2 secs (the default; do not set it to 0), and fail2ban or Dovecot's auth_policy for repeated failures; Postfix relies on Dovecot's SASL, so the same delay applies.",
    },
    Advice {
        id: "security.smtp.failed-logins-limited",
        topic: "Password guessing over SMTP slowed down",
        why: "The submission port checks the same passwords as IMAP: without a delay or lockout there, an attacker guesses passwords through SMTP AUTH instead.",
        fix: "Postfix with Dovecot SASL: Dovecot's auth_failure_delay (default 2 secs) applies to SMTP AUTH too; add fail2ban (postfix-sasl jail) or Postfix's smtpd_client_auth_rate_limit (anvil).",
    },
    Advice {
        id: "security.smtp.mx-open-relay-refused",
        topic: "No open relay on the MX (port 25)",
        why: "Port 25 takes mail from the whole Internet without a login: if it also forwards mail to other domains, spammers use it within hours and your domain lands on block lists.",
        fix: "Postfix: smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination (or reject_unauth_destination), with mynetworks limited to your own hosts.",
    },
    Advice {
        id: "security.sasl.scram-sha-256",
        topic: "SCRAM-SHA-256 login works and proves the server",
        why: "SCRAM never sends the password and lets the client check that the server knows it; a server that advertises SCRAM but fails it, or sends a wrong signature, makes clients fall back to sending passwords or refuse to connect.",
        fix: "Dovecot: auth_mechanisms = plain login scram-sha-256, with passwords stored in plain text or as {SCRAM-SHA-256} (doveadm pw -s SCRAM-SHA-256); otherwise do not list scram-sha-256.",
    },
    Advice {
        id: "security.sasl.scram-bad-proof-refused",
        topic: "SCRAM checks the client's proof",
        why: "A server that accepts a wrong SCRAM proof lets anyone log in as anyone without a password.",
        fix: "Update the server software at once; until then remove scram-sha-256 from Dovecot's auth_mechanisms.",
    },
    Advice {
        id: "security.sasl.oauthbearer-bad-token-refused",
        topic: "Made-up OAuth tokens refused",
        why: "A server that accepts any bearer token lets anyone log in as anyone; without the JSON error result, clients cannot tell an expired token from a broken server and refresh it.",
        fix: "Dovecot: passdb { driver = oauth2 } with introspection_url or local token validation (oauth2 local_validation) configured; update the server if it accepts unknown tokens.",
    },
    Advice {
        id: "security.sasl.oauthbearer",
        topic: "OAuth login (OAUTHBEARER) works",
        why: "Clients that use OAuth (modern Thunderbird, Outlook, phones) cannot log in if the server advertises OAUTHBEARER but refuses valid tokens.",
        fix: "Dovecot: auth_mechanisms = ... oauthbearer xoauth2 with passdb { driver = oauth2 } pointing at your identity provider; or do not advertise OAUTHBEARER.",
    },
    Advice {
        id: "security.sasl.mechanisms",
        topic: "No OAuth token offered in plain text",
        why: "An OAuth bearer token works for whoever holds it: offered before TLS, it can be read off the network and replayed.",
        fix: "Dovecot: disable_plaintext_auth = yes (auth_allow_cleartext = no in 2.4) also hides OAUTHBEARER before STARTTLS; Postfix: smtpd_tls_auth_only = yes.",
    },
    Advice {
        id: "imap.starttls.",
        topic: "IMAP STARTTLS done safely",
        why: "A server that executes commands sent before the TLS handshake lets an attacker inject commands into the user's session (the CVE-2011-0411 class).",
        fix: "Update Dovecot (fixed long ago); make sure no proxy in front of it buffers across STARTTLS.",
    },
    Advice {
        id: "smtp.starttls.",
        topic: "SMTP STARTTLS done safely",
        why: "A server that keeps commands pipelined before the TLS handshake lets an attacker inject commands (CVE-2011-0411), or strip STARTTLS.",
        fix: "Update Postfix (fixed since 2.8.0); on submission require TLS: smtpd_tls_security_level = encrypt in master.cf for port 587.",
    },
    Advice {
        id: "imap.implicit-tls.",
        topic: "IMAP on 993 speaks TLS",
        why: "Clients configured for 993 expect TLS at once; anything else fails or leaks data.",
        fix: "Dovecot: inet_listener imaps { port = 993, ssl = yes }.",
    },
    Advice {
        id: "smtp.implicit-tls.",
        topic: "Submission on 465 speaks TLS",
        why: "Clients configured for 465 expect TLS at once; anything else fails or leaks data.",
        fix: "Postfix master.cf: submissions inet n - y - - smtpd -o smtpd_tls_wrappermode=yes.",
    },
    Advice {
        id: "imap.capability.starttls",
        topic: "IMAP offers STARTTLS on 143",
        why: "Without STARTTLS, clients on port 143 send passwords and mail in plaintext.",
        fix: "Dovecot: ssl = yes (or ssl = required) with a certificate.",
    },
    Advice {
        id: "imap.login.refused-before-tls",
        topic: "No IMAP password before TLS",
        why: "Accepting a password before TLS lets anyone on the network read it.",
        fix: "Dovecot: disable_plaintext_auth = yes (2.3) / auth_allow_cleartext = no (2.4), or ssl = required.",
    },
    Advice {
        id: "imap.authenticate.refused-before-tls",
        topic: "No IMAP password before TLS",
        why: "Accepting a password before TLS lets anyone on the network read it.",
        fix: "Dovecot: disable_plaintext_auth = yes (2.3) / auth_allow_cleartext = no (2.4), or ssl = required.",
    },
    Advice {
        id: "smtp.auth.not-before-tls",
        topic: "No SMTP password before TLS",
        why: "Accepting AUTH before STARTTLS lets anyone on the network read the password.",
        fix: "Postfix: smtpd_tls_auth_only = yes (and smtpd_tls_security_level = encrypt on submission).",
    },
    Advice {
        id: "smtp.auth.required",
        topic: "Submission needs a login",
        why: "A submission port that accepts mail without login can be abused to send spam or forged mail in your name.",
        fix: "Postfix master.cf, submission: -o smtpd_sasl_auth_enable=yes -o smtpd_client_restrictions=permit_sasl_authenticated,reject.",
    },
    Advice {
        id: "imap.login.bad-password",
        topic: "Wrong IMAP password refused",
        why: "A server that accepts a wrong password lets anyone in.",
        fix: "Check Dovecot's passdb (no nopassword=y, no allow_nets wide open).",
    },
    Advice {
        id: "imap.authenticate.bad-password",
        topic: "Wrong IMAP password refused",
        why: "A server that accepts a wrong password lets anyone in.",
        fix: "Check Dovecot's passdb (no nopassword=y, no allow_nets wide open).",
    },
    Advice {
        id: "smtp.auth.",
        topic: "Wrong SMTP password refused",
        why: "A server that accepts a wrong password lets anyone send mail as your users.",
        fix: "Check Postfix's SASL backend (smtpd_sasl_type = dovecot, smtpd_sasl_path) and Dovecot's passdb.",
    },
    Advice {
        id: "security.spf.",
        topic: "SPF record of the mail domain",
        why: "SPF lists the servers allowed to send mail as the domain. Without a single valid record that ends in -all, receivers cannot refuse forged mail in the domain's name, and a record needing more than 10 DNS lookups is an error for every receiver (permerror), as if there were none.",
        fix: "Publish one TXT record at the domain, e.g. \"v=spf1 mx include:<provider> -all\": list the sending servers (mx, ip4:, include:), end with -all (not ~all, never +all or ?all), keep includes and a/mx terms to 10 lookups in all (flatten provider includes into ip4:/ip6: if needed), and remove any second v=spf1 record.",
    },
    Advice {
        id: "security.dmarc.",
        topic: "DMARC policy of the mail domain",
        why: "DMARC tells receivers what to do with mail that fails SPF and DKIM for the domain. Without a record, or with p=none, forged mail in the domain's name is delivered; without rua nobody sees the reports of who sends as the domain.",
        fix: "Publish a TXT record at _dmarc.<domain>: \"v=DMARC1; p=reject; rua=mailto:dmarc-reports@<domain>\" (start with p=quarantine while reading the reports if unsure). v=DMARC1 must come first, then p.",
    },
    Advice {
        id: "security.dkim.",
        topic: "DKIM signing keys",
        why: "DKIM signatures prove a message comes from the domain and was not changed. A missing or broken key record makes every signature fail; RSA keys under 1024 bits can be factored and are refused, and 2048 bits is the current recommendation (RFC 8301).",
        fix: "Generate a 2048-bit key (opendkim-genkey -b 2048 -s <selector> -d <domain>, or rspamd dkim_signing), publish the TXT record it prints at <selector>._domainkey.<domain>, configure the signer (OpenDKIM with Postfix's smtpd_milters, or rspamd) and retire the old selector after the switch.",
    },
    Advice {
        id: "security.mta-sts.",
        topic: "MTA-STS (TLS required for incoming mail)",
        why: "Without MTA-STS an attacker on the network can strip STARTTLS and read mail sent to the domain; with a policy in enforce mode other mail servers refuse to deliver without a valid TLS certificate.",
        fix: "Publish \"v=STSv1; id=<date>\" at _mta-sts.<domain>, serve https://mta-sts.<domain>/.well-known/mta-sts.txt (version: STSv1, mode: enforce, one mx: line per MX host, max_age: 604800) from a web server with a valid certificate, and change the id whenever the policy changes.",
    },
    Advice {
        id: "security.tls-rpt.",
        topic: "TLS-RPT (reports of TLS failures)",
        why: "With TLS-RPT other mail servers report when they could not deliver securely, so a broken certificate or an attack is noticed.",
        fix: "Publish a TXT record at _smtp._tls.<domain>: \"v=TLSRPTv1; rua=mailto:tls-reports@<domain>\".",
    },
    Advice {
        id: "security.dane.",
        topic: "DANE (TLSA records of the MX)",
        why: "DANE pins the mail server's certificate in DNSSEC-signed DNS; a TLSA record that does not match the served certificate makes DANE-aware senders (Postfix, Exim, many providers) refuse to deliver at all.",
        fix: "Publish TLSA 3 1 1 <SHA-256 of the certificate's public key> at _25._tcp.<mx> in a DNSSEC-signed zone, and publish the new key's record before every key change (Postfix: keep the key with smtpd_tls_key_file across renewals, or use certbot --reuse-key).",
    },
];

/// The advice for a check id: an exact entry first, else the longest prefix entry.
pub fn advice(id: &str) -> Option<&'static Advice> {
    ADVICE.iter().find(|a| a.id == id).or_else(|| {
        ADVICE
            .iter()
            .filter(|a| a.id.ends_with('.') || a.id.ends_with('-'))
            .filter(|a| id.starts_with(a.id))
            .max_by_key(|a| a.id.len())
    })
}

/// Whether an outcome belongs in the section.
fn relevant(outcome: &CheckOutcome) -> bool {
    outcome.protocol == Protocol::Security || advice(&outcome.id).is_some()
}

/// The section, or an empty string when the report has no security-relevant check.
pub fn render_section(report: &Report) -> String {
    let outcomes: Vec<&CheckOutcome> = report.checks.iter().filter(|o| relevant(o)).collect();
    if !outcomes.iter().any(|o| o.protocol == Protocol::Security) {
        return String::new();
    }
    let mut out = String::new();
    out.push_str("<h2 id=\"security-posture\">Security posture, in plain words</h2>\n");
    out.push_str("<p>What an attacker on the network could do, service by service: TLS versions and cipher suites (probed with hand-built handshakes, the evidence is in each check's transcript), certificates, implicit TLS, STARTTLS safety and passwords before TLS. References: RFC 8314 (TLS for mail), RFC 7525 (BCP 195), Mozilla's \"intermediate\" TLS profile.</p>\n");
    out.push_str("<table><thead><tr><th>Topic</th><th>Status</th><th>What is wrong</th><th>Why it matters</th><th>How to fix it</th></tr></thead><tbody>\n");
    for outcome in outcomes {
        let advice = advice(&outcome.id);
        // An exact entry names the topic; a family entry (a prefix) leaves the check's title.
        let topic = match advice {
            Some(a) if a.id == outcome.id => a.topic,
            _ => outcome.title.as_str(),
        };
        let status = outcome.status;
        let (wrong, why, fix) = if matches!(status, Status::Pass) {
            ("fine".to_string(), "", "")
        } else {
            (
                outcome.reason.clone().unwrap_or_default(),
                advice.map_or("", |a| a.why),
                advice.map_or("", |a| a.fix),
            )
        };
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#{id}\">{topic}</a></td><td class=\"{status}\">{status}</td><td>{wrong}</td><td>{why}</td><td>{fix}</td></tr>",
            id = escape(&outcome.id),
            topic = escape(topic),
            status = status.name(),
            wrong = escape(&wrong),
            why = escape(why),
            fix = escape(fix),
        );
    }
    out.push_str("</tbody></table>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_security_check_has_advice() {
        for check in crate::suites::registry().checks() {
            if check.protocol == Protocol::Security {
                assert!(advice(check.id).is_some(), "{} has no advice", check.id);
            }
        }
        assert_eq!(
            advice("smtp.starttls.discards-plaintext").map(|a| a.id),
            Some("smtp.starttls.")
        );
        assert!(advice("imap.fetch.body").is_none());
    }
}
