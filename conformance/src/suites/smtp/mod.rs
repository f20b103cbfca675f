//! The SMTP submission suite: greeting, EHLO, STARTTLS (including the CVE-2011-0411 class of
//! plaintext injection), AUTH, the mail transaction and its reply classes, ESMTP extensions
//! (SIZE, 8BITMIME, SMTPUTF8, PIPELINING, CHUNKING, ENHANCEDSTATUSCODES), error handling,
//! SMTP smuggling (every look-alike of the DATA terminator, bare CR/LF, BDAT), implicit TLS
//! (port 465), and end-to-end delivery checked over IMAP. A broken precondition (greeting,
//! EHLO, STARTTLS, implicit-TLS handshake, AUTH) is reported once, by the check that owns it;
//! the others say `skip: blocked by <id>` (see [`session`]).
//!
//! Checks talk through [`session::SmtpSession`], which builds commands and decodes replies
//! with `groupwire-smtp`.

pub mod auth;
pub mod basics;
pub mod delivery;
pub mod extensions;
pub mod implicit;
pub mod session;
pub mod smuggling;
pub mod starttls;

use crate::engine::{CheckContext, Finding, Suite};

use self::session::SmtpSession;

const PROFILES: &[&str] = &["thunderbird", "submission"];

/// Deployment-policy checks are not Thunderbird requirements: a member rule would make them
/// required in that profile, which reports policy without requiring it.
const POLICY_PROFILES: &[&str] = &["submission"];

/// The SMTP submission suite.
pub static SUITE: Suite = Suite {
    protocol: crate::engine::Protocol::Smtp,
    probe: Some(|cx| Box::pin(probe(cx))),
    cleanup: None,
    checks: CHECKS,
};

/// The EHLO keywords after TLS (and before it, for an endpoint without STARTTLS).
///
/// When TLS cannot be set up (STARTTLS refused or its handshake failed, or the implicit-TLS
/// handshake failed), the keywords over TLS are unknown. The probe then lets every check run
/// (it returns every keyword some check needs): each finds the broken precondition in its own
/// session and says `skip: blocked by <owner>`, instead of a misleading "not advertised".
async fn probe(cx: CheckContext) -> Result<Vec<String>, Finding> {
    let mut session = match SmtpSession::connect(&cx).await {
        Ok(session) => session,
        Err(Finding::Blocked { by, reason }) => {
            cx.note(format!(
                "probe blocked by {by}: {reason}; every check runs and reports what blocks it"
            ));
            return Ok(every_needed_keyword());
        }
        Err(finding) => return Err(finding),
    };
    session.ehlo().await?;
    let mut keywords = session.keywords();
    if cx.endpoint()?.security == crate::target::Security::StartTls
        && session.advertises("STARTTLS")
    {
        match session.starttls(&cx).await {
            Ok(()) => {
                if session.ehlo().await.is_ok() {
                    keywords = session.keywords();
                }
            }
            Err(finding) => {
                cx.note(format!(
                    "STARTTLS failed ({finding}); every check runs and reports what blocks it"
                ));
                keywords = every_needed_keyword();
            }
        }
        // STARTTLS was seen before TLS; checks needing it must not be skipped.
        keywords.push("STARTTLS".to_string());
    }
    session.quit().await;
    Ok(keywords)
}

/// Every keyword some SMTP check needs.
fn every_needed_keyword() -> Vec<String> {
    let mut keywords: Vec<String> = CHECKS
        .iter()
        .flat_map(|check| check.needs.iter().map(|need| need.to_string()))
        .collect();
    keywords.sort();
    keywords.dedup();
    keywords
}

static CHECKS: &[crate::engine::Check] = &[
    check!("smtp.greeting.code-220", Smtp, "The server greets with a 220 reply", 5321, "4.3.2", Must,
        "CONNECTION ESTABLISHMENT S: 220 E: 554",
        needs [], faults ["smtp-greeting-wrong-code"], accounts 0, basics::greeting),
    check!("smtp.ehlo.supported", Smtp, "EHLO is answered 250", 5321, "2.2.1", Must,
        "For instance, servers MUST support the EHLO command even if they do not implement any specific extensions",
        needs [], faults ["smtp-ehlo-rejected"], accounts 0, basics::ehlo),
    check!("smtp.helo.supported", Smtp, "HELO is still answered 250", 5321, "2.2.1", Must,
        "(However, for compatibility with older conforming implementations, SMTP clients and servers MUST support the original HELO mechanisms as a fallback.)",
        needs [], faults ["smtp-helo-rejected"], accounts 0, basics::helo),
    check!("smtp.noop.code-250", Smtp, "NOOP is answered 250", 5321, "4.1.1.9", Must,
        "This command does not affect any parameters or previously entered commands.  It specifies no action other than that the receiver send a \"250 OK\" reply.",
        needs [], faults ["smtp-noop-error"], accounts 0, basics::noop),
    check!("smtp.quit.code-221", Smtp, "QUIT is answered 221 before the connection closes", 5321, "4.1.1.10", Must,
        "This command specifies that the receiver MUST send a \"221 OK\" reply, and then close the transmission channel.",
        needs [], faults ["smtp-quit-no-221"], accounts 0, basics::quit),
    check!("smtp.unknown-command.code-500", Smtp, "An unknown command is answered 500", 5321, "4.2.4", Should,
        "If the command is not recognized, code 500 SHOULD be returned.",
        needs [], faults ["smtp-unknown-command-accepted"], accounts 0, basics::unknown_command),
    check!("smtp.sequence.rcpt-before-mail", Smtp, "RCPT before MAIL is answered 503", 5321, "3.3", Must,
        "If a RCPT command appears without a previous MAIL command, the server MUST return a 503 \"Bad sequence of commands\" response.",
        needs [], faults ["smtp-no-sequence-check"], accounts 1, basics::rcpt_before_mail),
    check!("smtp.sequence.data-before-rcpt", Smtp, "DATA without a recipient is refused (503 or 554)", 5321, "3.3", May,
        "If there was no MAIL, or no RCPT, command, or all such commands were rejected, the server MAY return a \"command out of sequence\" (503) or \"no valid recipients\" (554) reply in response to the DATA command.",
        needs [], faults ["smtp-no-sequence-check"], accounts 1, basics::data_before_rcpt),
    check!("smtp.rset.clears-transaction", Smtp, "RSET is answered 250 and discards sender and recipients", 5321, "4.1.1.5", Must,
        "Any stored sender, recipients, and mail data MUST be discarded, and all buffers and state tables cleared.  The receiver MUST send a \"250 OK\" reply to a RSET command with no arguments.",
        needs [], faults ["smtp-rset-keeps-transaction"], accounts 1, basics::rset),
    check!("smtp.ehlo.resets-transaction", Smtp, "A second EHLO resets the transaction like RSET", 5321, "4.1.4", Must,
        "If it is issued after the session begins and the EHLO command is acceptable to the SMTP server, the SMTP server MUST clear all buffers and reset the state exactly as if a RSET command had been issued.",
        needs [], faults ["smtp-ehlo-keeps-transaction"], accounts 1, basics::ehlo_resets),
    check!("smtp.limits.line-too-long", Smtp, "A command line over 512 octets is answered once (executed or refused) and the session stays in step", 5321, "2.3.8", Must,
        "Conforming implementations MUST NOT recognize or generate any other character or character sequence as a line terminator.",
        needs [], faults ["smtp-long-line-split"], accounts 0, basics::line_too_long),
    check!("smtp.mail.code-250", Smtp, "MAIL FROM the account's address is answered 250", 5321, "3.3", Must,
        "If accepted, the SMTP server returns a \"250 OK\" reply.",
        needs [], faults ["smtp-mail-rejected"], accounts 1, basics::mail_accepted),
    check!("smtp.rcpt.code-250", Smtp, "RCPT TO a local account is answered 250", 5321, "3.3", Must,
        "If accepted, the SMTP server returns a \"250 OK\" reply and stores the forward-path.",
        needs [], faults ["smtp-rcpt-rejected"], accounts 1, basics::rcpt_accepted),
    check!("smtp.rcpt.unknown-user", Smtp, "RCPT TO an unknown local user is answered 550", 5321, "3.3", Should,
        "If the recipient is known not to be a deliverable address, the SMTP server returns a 550 reply, typically with a string such as \"no such user - \" and the mailbox name (other circumstances and reply codes are possible).",
        needs [], faults ["smtp-accepts-unknown-recipients"], accounts 1, basics::rcpt_unknown),
    check!("smtp.data.code-354", Smtp, "DATA after a recipient is answered 354", 5321, "3.3", Must,
        "If accepted, the SMTP server returns a 354 Intermediate reply and considers all succeeding lines up to but not including the end of mail data indicator to be the message text.",
        needs [], faults ["smtp-data-no-354"], accounts 1, basics::data_354),
    check!("smtp.data.code-250", Smtp, "The end of message data is answered 250", 5321, "3.3", Must,
        "When the end of text is successfully received and stored, the SMTP-receiver sends a \"250 OK\" reply.",
        needs [], faults ["smtp-data-tempfail", "smtp-data-no-354"], accounts 1, basics::data_250),
    check!("smtp.starttls.advertised", Smtp, "STARTTLS is advertised on a STARTTLS submission endpoint", 3207, "3", Must,
        "The STARTTLS keyword is used to tell the SMTP client that the SMTP server is currently able to negotiate the use of TLS.",
        needs [], faults ["smtp-no-starttls"], accounts 0, starttls::advertised),
    check!("smtp.starttls.code-220", Smtp, "STARTTLS is answered 220 and the TLS handshake succeeds", 3207, "4", Must,
        "After the client gives the STARTTLS command, the server responds with one of the following reply codes: 220 Ready to start TLS",
        needs ["STARTTLS"], faults ["smtp-starttls-refused"], accounts 0, starttls::handshake),
    check!("smtp.starttls.discards-plaintext", Smtp, "Commands pipelined in plaintext after STARTTLS are not executed (CVE-2011-0411)", 3207, "4.2", Must,
        "Upon completion of the TLS handshake, the SMTP protocol is reset to the initial state (the state in SMTP after a server issues a 220 service ready greeting).",
        needs ["STARTTLS"], faults ["smtp-starttls-keeps-buffer"], accounts 0, starttls::discards_plaintext),
    check!("smtp.starttls.forgets-ehlo", Smtp, "After STARTTLS, an EHLO sent before it makes no difference (the session is as after a fresh greeting)", 3207, "4.2", Must,
        "Upon completion of the TLS handshake, the SMTP protocol is reset to the initial state (the state in SMTP after a server issues a 220 service ready greeting).  The server MUST discard any knowledge obtained from the client, such as the argument to the EHLO command, which was not obtained from the TLS negotiation itself.",
        needs ["STARTTLS"], faults ["smtp-starttls-keeps-state"], accounts 1, starttls::forgets_ehlo),
    check!("smtp.starttls.not-readvertised", Smtp, "STARTTLS is not advertised after the TLS handshake", 3207, "4.2", Must,
        "A server MUST NOT return the STARTTLS extension in response to an EHLO command received after a TLS handshake has completed.",
        needs ["STARTTLS"], faults ["smtp-starttls-readvertised"], accounts 0, starttls::not_readvertised),
    check!("smtp.implicit-tls.handshake", Smtp, "On an implicit-TLS endpoint (465) TLS starts with the connection and the greeting comes over it", 8314, "3.3", Must,
        "When a TCP connection is established for the \"submissions\" service (default port 465), a TLS handshake begins immediately. … Once the TLS session is established, Message Submission protocol data [RFC6409] is exchanged as TLS application data for the remainder of the TCP connection.",
        needs [], faults ["smtp-no-implicit-tls"], accounts 0, implicit::handshake),
    check!("smtp.implicit-tls.no-starttls", Smtp, "STARTTLS is not advertised on an implicit-TLS endpoint", 3207, "4.2", Must,
        "A server MUST NOT return the STARTTLS extension in response to an EHLO command received after a TLS handshake has completed.",
        needs [], faults ["smtp-implicit-tls-offers-starttls"], accounts 0, implicit::no_starttls),
    crate::engine::Check {
        profiles: POLICY_PROFILES,
        ..check!("smtp.auth.not-before-tls", Smtp, "No plaintext password mechanism is offered or accepted before STARTTLS", 4954, "4", Must, Deployment,
            "Note: A server implementation MUST implement a configuration in which it does NOT permit any plaintext password mechanisms, unless either the STARTTLS [SMTP-TLS] command has been negotiated or some other mechanism that protects the session from password snooping has been provided.  Server sites SHOULD NOT use any configuration which permits a plaintext password mechanism without such a protection mechanism against password snooping.",
            needs ["STARTTLS"], faults ["smtp-auth-before-tls", "smtp-auth-hidden-before-tls"], accounts 0, auth::not_before_tls)
    },
    crate::engine::Check {
        profiles: POLICY_PROFILES,
        ..check!("smtp.auth.advertised", Smtp, "AUTH with PLAIN is advertised once TLS is active", 4954, "4", Must, Deployment,
            "To ensure interoperability, client and server implementations of this extension MUST implement the [PLAIN] SASL mechanism running over TLS [TLS] [SMTP-TLS].",
            needs [], faults ["smtp-no-auth"], accounts 0, auth::advertised)
    },
    check!("smtp.auth.plain-success", Smtp, "AUTH PLAIN with good credentials is answered 235", 4954, "4", Must,
        "Should the client successfully complete the exchange, the SMTP server issues a 235 reply.",
        needs ["AUTH"], faults ["smtp-auth-success-code"], accounts 1, auth::plain_success),
    check!("smtp.auth.plain-wrong-password", Smtp, "AUTH PLAIN with a wrong password is not accepted (no authentication bypass)", 4616, "2", Must,
        "Upon receipt of the message, the server will verify the presented (in the message) authentication identity (authcid) and password (passwd) with the system authentication database, and it will verify that the authentication credentials permit the client to act as the (presented or derived) authorization identity (authzid).  If both steps succeed, the user is authenticated.",
        needs ["AUTH"], faults ["smtp-auth-accepts-any-password"], accounts 1, auth::plain_wrong_password),
    check!("smtp.auth.plain-failure", Smtp, "AUTH PLAIN with a wrong password is answered 535", 4954, "4", Should,
        "If the server is unable to authenticate the client, it SHOULD reject the AUTH command with a 535 reply unless a more specific error code is appropriate.",
        needs ["AUTH"], faults ["smtp-auth-failure-454"], accounts 1, auth::plain_failure),
    check!("smtp.auth.login-success", Smtp, "AUTH LOGIN with good credentials is answered 235", 4954, "4", Must,
        "Should the client successfully complete the exchange, the SMTP server issues a 235 reply.",
        needs ["AUTH"], faults ["smtp-auth-login-broken"], accounts 1, auth::login_success),
    crate::engine::Check {
        rfc: crate::engine::RfcRef::other("draft-murchison-sasl-login-00", "2.2"),
        ..check!("smtp.auth.login-wrong-password", Smtp, "AUTH LOGIN with a wrong password is not accepted (no authentication bypass)", 0, "2.2", Must,
            "The server must verify that the authorization authenticator permits login as the authorization identity.",
            needs ["AUTH"], faults ["smtp-auth-login-accepts-any-password", "smtp-auth-accepts-any-password"], accounts 1, auth::login_wrong_password)
    },
    check!("smtp.auth.cancel", Smtp, "A `*` answer cancels AUTH with 501", 4954, "4", Must,
        "If the client wishes to cancel the authentication exchange, it issues a line with a single \"*\".  If the server receives such a response, it MUST reject the AUTH command by sending a 501 reply.",
        needs ["AUTH"], faults ["smtp-auth-cancel-ignored"], accounts 0, auth::cancel),
    check!("smtp.auth.second-auth", Smtp, "A second AUTH after success is answered 503", 4954, "4", Must,
        "After a successful AUTH command completes, a server MUST reject any further AUTH commands with a 503 reply.",
        needs ["AUTH"], faults ["smtp-auth-twice-accepted"], accounts 1, auth::second_auth),
    check!("smtp.auth.unknown-mechanism", Smtp, "AUTH with an unsupported mechanism is answered 504", 4954, "4", Must,
        "If the requested authentication mechanism is invalid (e.g., is not supported or requires an encryption layer), the server rejects the AUTH command with a 504 reply.",
        needs ["AUTH"], faults ["smtp-auth-unknown-mechanism-535"], accounts 0, auth::unknown_mechanism),
    check!("smtp.auth.required", Smtp, "A transaction without authentication is refused with 530 (at MAIL or RCPT)", 4954, "6", Should,
        "This response SHOULD be returned by any command other than AUTH, EHLO, HELO, NOOP, RSET, or QUIT when server policy requires authentication in order to perform the requested action and authentication is not currently in force.",
        needs [], faults ["smtp-no-auth-required"], accounts 0, auth::required),
    check!("smtp.enhancedstatuscodes.present", Smtp, "With ENHANCEDSTATUSCODES, replies carry enhanced codes", 2034, "4", Must,
        "Servers supporting this extension must attach enhanced status codes to their responses regardless of whether or not EHLO is employed by the client.",
        needs ["ENHANCEDSTATUSCODES"], faults ["smtp-no-enhanced-codes"], accounts 1, extensions::enhanced_codes),
    check!("smtp.size.mail-parameter", Smtp, "MAIL FROM with SIZE above the limit is refused with 552", 1870, "6.1", Must,
        "(2) If the indicated size is larger than the server's fixed maximum message size, the server responds with code \"552 message size exceeds fixed maximium message size\".",
        needs ["SIZE"], faults ["smtp-size-not-enforced"], accounts 1, extensions::size_declared),
    check!("smtp.size.data", Smtp, "Message data above the SIZE limit is refused with 552", 1870, "4", Must,
        "Any attempt by a client to transfer a message which is larger than this limit will be rejected with a permanent failure (552) reply code.",
        needs ["SIZE"], faults ["smtp-size-data-unchecked"], accounts 1, extensions::size_data),
    check!("smtp.8bitmime.accepted", Smtp, "With 8BITMIME, BODY=8BITMIME and 8-bit data are accepted", 1652, "3", Must,
        "If the server SMTP responds with code 250 to the EHLO command, and the response includes the EHLO keyword value 8BITMIME, then the server SMTP is indicating that it supports the extended MAIL command and will accept MIME messages containing arbitrary octet- aligned material.",
        needs ["8BITMIME"], faults ["smtp-8bitmime-rejected"], accounts 1, extensions::eight_bit_mime),
    check!("smtp.smtputf8.address", Smtp, "With SMTPUTF8, a UTF-8 mailbox is accepted", 6531, "3.2", Must,
        "An SMTP server that announces the SMTPUTF8 extension MUST be prepared to accept a UTF-8 string [RFC3629] in any position in which RFC 5321 specifies that a <mailbox> can appear.",
        needs ["SMTPUTF8"], faults ["smtp-smtputf8-rejected"], accounts 1, extensions::smtputf8),
    check!("smtp.pipelining.order", Smtp, "Pipelined commands are all answered, in order", 2920, "3.2", Must,
        "(1) MUST respond to commands in the order they are received from the client.",
        needs ["PIPELINING"], faults ["smtp-pipelining-drops-commands"], accounts 1, extensions::pipelining),
    check!("smtp.chunking.bdat-last", Smtp, "BDAT LAST is answered 250", 3030, "2", Must,
        "A 250 response MUST be sent to each successful BDAT data block within a mail transaction.",
        needs ["CHUNKING"], faults ["smtp-bdat-broken"], accounts 1, extensions::bdat_last),
    check!("smtp.data.smuggling-lf-dot-lf", Smtp, "`<LF>.<LF>` does not end message data", 5321, "4.1.1.4", Must,
        "In particular, the sequence \"<LF>.<LF>\" (bare line feeds, without carriage returns) MUST NOT be treated as equivalent to <CRLF>.<CRLF> as the end of mail data indication.",
        needs [], faults ["smtp-bare-lf-dot"], accounts 1, smuggling::lf_dot_lf),
    check!("smtp.data.smuggling-lf-dot-crlf", Smtp, "`<LF>.<CR><LF>` does not end message data", 5321, "2.3.8", Must,
        "Conforming implementations MUST NOT recognize or generate any other character or character sequence as a line terminator.",
        needs [], faults ["smtp-lf-dot-crlf"], accounts 1, smuggling::lf_dot_crlf),
    check!("smtp.data.smuggling-crlf-dot-lf", Smtp, "`<CR><LF>.<LF>` does not end message data", 5321, "2.3.8", Must,
        "Conforming implementations MUST NOT recognize or generate any other character or character sequence as a line terminator.",
        needs [], faults ["smtp-crlf-dot-lf"], accounts 1, smuggling::crlf_dot_lf),
    check!("smtp.data.smuggling-cr-dot-crlf", Smtp, "`<CR>.<CR><LF>` does not end message data", 5321, "2.3.8", Must,
        "Conforming implementations MUST NOT recognize or generate any other character or character sequence as a line terminator.",
        needs [], faults ["smtp-cr-dot-crlf"], accounts 1, smuggling::cr_dot_crlf),
    check!("smtp.data.smuggling-crlf-dot-cr", Smtp, "`<CR><LF>.<CR>` does not end message data", 5321, "2.3.8", Must,
        "Conforming implementations MUST NOT recognize or generate any other character or character sequence as a line terminator.",
        needs [], faults ["smtp-crlf-dot-cr"], accounts 1, smuggling::crlf_dot_cr),
    check!("smtp.data.smuggling-cr-dot-cr", Smtp, "`<CR>.<CR>` does not end message data", 5321, "2.3.8", Must,
        "Conforming implementations MUST NOT recognize or generate any other character or character sequence as a line terminator.",
        needs [], faults ["smtp-bare-cr-dot"], accounts 1, smuggling::cr_dot_cr),
    check!("smtp.data.bare-lf-not-line-end", Smtp, "A bare LF inside message data is not a line end (a dot after it is kept)", 5321, "4.1.1.4", Must,
        "The custom of accepting lines ending only in <LF>, as a concession to non-conforming behavior on the part of some UNIX systems, has proven to cause more interoperability problems than it solves, and SMTP server systems MUST NOT do this, even in the name of improved robustness.",
        needs [], faults ["smtp-bare-lf-line-end"], accounts 1, smuggling::bare_lf),
    check!("smtp.data.bare-cr-not-line-end", Smtp, "A bare CR inside message data is not a line end (a dot after it is kept)", 5321, "2.3.8", Must,
        "Conforming implementations MUST NOT recognize or generate any other character or character sequence as a line terminator.",
        needs [], faults ["smtp-bare-cr-line-end"], accounts 1, smuggling::bare_cr),
    check!("smtp.chunking.smuggling-dot-in-chunk", Smtp, "`<CRLF>.<CRLF>` inside a BDAT chunk neither ends it nor runs what follows as commands", 3030, "2", Must,
        "The message data is sent immediately after the trailing <CR> <LF> of the BDAT command line.  Once the receiver-SMTP receives the specified number of octets, it will return a 250 reply code.",
        needs ["CHUNKING"], faults ["smtp-bdat-dot-ends"], accounts 1, smuggling::bdat_dot_in_chunk),
    check!("smtp.delivery.end-to-end", Smtp, "Mail submitted for a second account arrives in its INBOX with headers intact", 5321, "4.2.5", Must,
        "When an SMTP server returns a positive completion status (2yz code) after the DATA command is completed with <CRLF>.<CRLF>, it accepts responsibility for: o delivering the message (if the recipient mailbox exists)",
        needs [], faults ["smtp-drops-delivery", "smtp-mangled-headers"], accounts 2, delivery::end_to_end),
    check!("smtp.data.transparency", Smtp, "Dot-stuffed lines are delivered with the extra dot removed", 5321, "4.5.2", Must,
        "If the first character is a period and there are other characters on the line, the first character is deleted.",
        needs [], faults ["smtp-no-dot-unstuffing"], accounts 1, delivery::transparency),
    check!("smtp.chunking.bdat-chunks", Smtp, "A message sent in several BDAT chunks is delivered whole", 3030, "2", Must,
        "A 250 response MUST be sent to each successful BDAT data block within a mail transaction.",
        needs ["CHUNKING"], faults ["smtp-bdat-loses-chunks"], accounts 1, delivery::bdat_chunks),
];
