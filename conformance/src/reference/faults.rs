//! Fault injection: named, deliberate deviations of the reference servers from the RFCs.
//!
//! Every check names at least one fault that breaks it (`Check::broken_by`); `groupwire
//! selftest` starts the reference with each fault in turn and requires the check to fail, so
//! a check that cannot tell a broken server from a good one is found at once.
//! `groupwire serve --fault NAME` starts the reference with a fault for manual testing.

use std::collections::BTreeSet;
use std::fmt;

macro_rules! faults {
    ($($variant:ident => $name:literal, $description:literal;)*) => {
        /// One deliberate deviation of the reference servers.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Fault {
            $(
                #[doc = $description]
                $variant,
            )*
        }

        impl Fault {
            /// Every fault, in declaration order.
            pub const ALL: &'static [Fault] = &[$(Fault::$variant,)*];

            /// The stable name used by `--fault` and `Check::broken_by`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Fault::$variant => $name,)*
                }
            }

            /// What the server does wrong, in one sentence.
            pub fn description(self) -> &'static str {
                match self {
                    $(Fault::$variant => $description,)*
                }
            }
        }
    };
}

faults! {
    // SMTP submission.
    SmtpGreetingWrongCode => "smtp-greeting-wrong-code", "The SMTP greeting uses reply code 200 instead of 220.";
    SmtpEhloRejected => "smtp-ehlo-rejected", "EHLO is answered 502 (only HELO works).";
    SmtpHeloRejected => "smtp-helo-rejected", "HELO is answered 502 (only EHLO works).";
    SmtpNoStarttls => "smtp-no-starttls", "STARTTLS is neither advertised nor accepted on the submission port.";
    SmtpStarttlsRefused => "smtp-starttls-refused", "STARTTLS is advertised but answered 454.";
    SmtpStarttlsKeepsBuffer => "smtp-starttls-keeps-buffer", "Commands pipelined after STARTTLS in plaintext are executed after the handshake (CVE-2011-0411).";
    SmtpStarttlsKeepsState => "smtp-starttls-keeps-state", "The EHLO given before STARTTLS is remembered after the handshake.";
    SmtpStarttlsReadvertised => "smtp-starttls-readvertised", "STARTTLS is still advertised in EHLO after the TLS handshake.";
    SmtpAuthBeforeTls => "smtp-auth-before-tls", "AUTH is advertised and accepted in plaintext before STARTTLS.";
    SmtpNoAuth => "smtp-no-auth", "AUTH is not advertised after STARTTLS.";
    SmtpAuthSuccessCode => "smtp-auth-success-code", "A successful AUTH is answered 250 instead of 235.";
    SmtpAuthAcceptsAnyPassword => "smtp-auth-accepts-any-password", "AUTH succeeds whatever the password.";
    SmtpAuthLoginBroken => "smtp-auth-login-broken", "AUTH LOGIN is advertised but answered 504.";
    SmtpAuthCancelIgnored => "smtp-auth-cancel-ignored", "A `*` cancelling AUTH is taken as credentials (535) instead of answered 501.";
    SmtpNoAuthRequired => "smtp-no-auth-required", "Mail is accepted on the submission port without authentication.";
    SmtpAuthTwiceAccepted => "smtp-auth-twice-accepted", "A second AUTH after success is accepted again.";
    SmtpAuthUnknownMechanism535 => "smtp-auth-unknown-mechanism-535", "AUTH with an unknown mechanism is answered 535 instead of 504.";
    SmtpEhloKeepsTransaction => "smtp-ehlo-keeps-transaction", "A second EHLO keeps the sender and recipients.";
    SmtpMailRejected => "smtp-mail-rejected", "Every MAIL FROM is answered 451.";
    SmtpRcptRejected => "smtp-rcpt-rejected", "Every RCPT TO is answered 550.";
    SmtpAcceptsUnknownRecipients => "smtp-accepts-unknown-recipients", "RCPT TO unknown local users is answered 250.";
    SmtpDataTempfail => "smtp-data-tempfail", "The end of message data is answered 451.";
    SmtpNullSenderRejected => "smtp-null-sender-rejected", "MAIL FROM:<> is rejected.";
    SmtpDataNo354 => "smtp-data-no-354", "DATA is answered 250 instead of 354.";
    SmtpNoEnhancedCodes => "smtp-no-enhanced-codes", "ENHANCEDSTATUSCODES is advertised but replies carry no enhanced code.";
    SmtpSizeNotEnforced => "smtp-size-not-enforced", "A MAIL FROM SIZE= above the advertised limit is accepted.";
    SmtpSizeDataUnchecked => "smtp-size-data-unchecked", "Message data above the advertised SIZE limit is accepted.";
    Smtp8bitmimeRejected => "smtp-8bitmime-rejected", "8BITMIME is advertised but BODY=8BITMIME is rejected.";
    SmtpUtf8Rejected => "smtp-smtputf8-rejected", "SMTPUTF8 is advertised but a UTF-8 address is rejected.";
    SmtpPipeliningDropsCommands => "smtp-pipelining-drops-commands", "PIPELINING is advertised but only the first command of a batch is answered.";
    SmtpBdatBroken => "smtp-bdat-broken", "CHUNKING is advertised but BDAT is answered 500.";
    SmtpBdatLosesChunks => "smtp-bdat-loses-chunks", "Only the last BDAT chunk of a message is kept.";
    SmtpRsetKeepsTransaction => "smtp-rset-keeps-transaction", "RSET answers 250 but keeps the sender and recipients.";
    SmtpNoopError => "smtp-noop-error", "NOOP is answered 502.";
    SmtpUnknownCommandAccepted => "smtp-unknown-command-accepted", "Unknown commands are answered 250.";
    SmtpNoSequenceCheck => "smtp-no-sequence-check", "RCPT before MAIL and DATA before RCPT are answered 250.";
    SmtpLongLinesAccepted => "smtp-long-lines-accepted", "Command lines longer than 512 octets are executed (conforming, RFC 5321 §4.5.3.1 encourages it: no check may fail it).";
    SmtpBareLfDot => "smtp-bare-lf-dot", "`\\n.\\n` ends message data (SMTP smuggling).";
    SmtpBareCrDot => "smtp-bare-cr-dot", "`\\r.\\r` ends message data (SMTP smuggling).";
    SmtpCrlfDotLf => "smtp-crlf-dot-lf", "`\\r\\n.\\n` ends message data (SMTP smuggling).";
    SmtpNoDotUnstuffing => "smtp-no-dot-unstuffing", "Leading dots of data lines are kept (transparency broken).";
    SmtpDropsDelivery => "smtp-drops-delivery", "Accepted mail for local users is never delivered.";
    SmtpMangledHeaders => "smtp-mangled-headers", "Delivered mail loses its Subject header.";
    SmtpQuitNo221 => "smtp-quit-no-221", "QUIT closes the connection without a 221 reply.";
    SmtpNoImplicitTls => "smtp-no-implicit-tls", "The implicit-TLS submission port speaks plaintext.";
    SmtpAuthLoginAcceptsAnyPassword => "smtp-auth-login-accepts-any-password", "AUTH LOGIN succeeds whatever the password (AUTH PLAIN checks it).";
    SmtpAuthFailure454 => "smtp-auth-failure-454", "AUTH with a wrong password is answered 454 (temporary failure) instead of 535.";
    SmtpAuthHiddenBeforeTls => "smtp-auth-hidden-before-tls", "AUTH is not advertised before STARTTLS but accepted there all the same.";
    SmtpLfDotCrlf => "smtp-lf-dot-crlf", "`\\n.\\r\\n` ends message data (SMTP smuggling).";
    SmtpCrDotCrlf => "smtp-cr-dot-crlf", "`\\r.\\r\\n` ends message data (SMTP smuggling).";
    SmtpCrlfDotCr => "smtp-crlf-dot-cr", "`\\r\\n.\\r` ends message data (SMTP smuggling).";
    SmtpBareLfLineEnd => "smtp-bare-lf-line-end", "A bare LF in message data is taken as a line end (a dot after it is removed as dot-stuffing).";
    SmtpBareCrLineEnd => "smtp-bare-cr-line-end", "A bare CR in message data is taken as a line end (a dot after it is removed as dot-stuffing).";
    SmtpBdatDotEnds => "smtp-bdat-dot-ends", "`\\r\\n.\\r\\n` inside a BDAT chunk ends the chunk; the octets after it are read as commands.";
    SmtpImplicitTlsOffersStarttls => "smtp-implicit-tls-offers-starttls", "STARTTLS is advertised in EHLO on the implicit-TLS submission port.";
    SmtpLongLineSplit => "smtp-long-line-split", "A command line longer than 512 octets is cut there and the rest executed as another command.";
    // IMAP.
    ImapAppendDropsFlags => "imap-append-drops-flags", "Flags given with APPEND are not stored.";
    ImapAppendLost => "imap-append-lost", "APPEND answers OK but stores nothing.";
    ImapAppendNoContinuation => "imap-append-no-continuation", "A synchronising literal gets no `+` continuation request.";
    ImapAppendlimitIgnored => "imap-appendlimit-ignored", "APPENDLIMIT is advertised but larger messages are accepted.";
    ImapAuthenticateBroken => "imap-authenticate-broken", "AUTHENTICATE PLAIN is advertised but answered NO.";
    ImapBodyNoSeen => "imap-body-no-seen", "FETCH `BODY[]` does not set \\Seen.";
    ImapBodystructureFlat => "imap-bodystructure-flat", "BODYSTRUCTURE describes every message as one text/plain part.";
    ImapCapabilityNoRev => "imap-capability-no-rev", "CAPABILITY lists neither IMAP4rev1 nor IMAP4rev2.";
    ImapCloseNoExpunge => "imap-close-no-expunge", "CLOSE does not expunge \\Deleted messages.";
    ImapCopyLost => "imap-copy-lost", "COPY answers OK but copies nothing.";
    ImapCreateIgnored => "imap-create-ignored", "CREATE answers OK but creates nothing.";
    ImapEnableSilent => "imap-enable-silent", "ENABLE sends no untagged ENABLED response.";
    ImapEnvelopeWrong => "imap-envelope-wrong", "ENVELOPE is all NIL.";
    ImapEsearchPlain => "imap-esearch-plain", "SEARCH RETURN (...) is answered with a plain SEARCH response.";
    ImapExamineReadWrite => "imap-examine-read-write", "EXAMINE answers `[READ-WRITE]`.";
    ImapExpungeIgnored => "imap-expunge-ignored", "EXPUNGE removes nothing.";
    ImapFetchBodyTruncated => "imap-fetch-body-truncated", "`BODY[]` returns only the first half of the message.";
    ImapFetchHeaderFieldsAll => "imap-fetch-header-fields-all", "`BODY[HEADER.FIELDS (...)]` returns the whole header.";
    ImapFetchHeaderWrong => "imap-fetch-header-wrong", "`BODY[HEADER]` returns a made-up header.";
    ImapFetchNoFlags => "imap-fetch-no-flags", "FETCH FLAGS returns nothing for FLAGS.";
    ImapFetchNoInternaldate => "imap-fetch-no-internaldate", "FETCH INTERNALDATE returns nothing for it.";
    ImapFetchPartWrong => "imap-fetch-part-wrong", "`BODY[1]` returns the whole message.";
    ImapFetchTextWrong => "imap-fetch-text-wrong", "`BODY[TEXT]` returns the whole message.";
    ImapFetchWrongSize => "imap-fetch-wrong-size", "RFC822.SIZE is 7 octets too large.";
    ImapFetchWrongUid => "imap-fetch-wrong-uid", "FETCH UID returns UID+1000.";
    ImapGreetingBad => "imap-greeting-bad", "The greeting is `* BAD`.";
    ImapIdNoResponse => "imap-id-no-response", "ID sends no untagged ID response.";
    ImapIdleDoneIgnored => "imap-idle-done-ignored", "DONE does not end IDLE with a tagged OK.";
    ImapIdleNeverWakes => "imap-idle-never-wakes", "IDLE never reports new messages.";
    ImapKeywordsDropped => "imap-keywords-dropped", "STORE drops keywords, keeping only system flags.";
    ImapListNoDelimiterRoot => "imap-list-no-delimiter-root", "LIST with an empty pattern gives a NIL hierarchy delimiter.";
    ImapListNoInbox => "imap-list-no-inbox", "LIST never shows INBOX.";
    ImapLoginAcceptsAnyPassword => "imap-login-accepts-any-password", "LOGIN succeeds whatever the password.";
    ImapLoginBroken => "imap-login-broken", "LOGIN with good credentials is answered NO.";
    ImapLoginInPlaintext => "imap-login-in-plaintext", "LOGIN is allowed before STARTTLS and LOGINDISABLED is not advertised.";
    ImapLogoutNoBye => "imap-logout-no-bye", "LOGOUT sends no untagged BYE.";
    ImapModseqStatic => "imap-modseq-static", "STORE does not raise the message's MODSEQ.";
    ImapMoveKeepsSource => "imap-move-keeps-source", "MOVE copies but leaves the source message.";
    ImapNamespaceEmpty => "imap-namespace-empty", "NAMESPACE returns no personal namespace.";
    ImapNoAppenduid => "imap-no-appenduid", "APPEND sends no APPENDUID code.";
    ImapNoAuthCheck => "imap-no-auth-check", "Commands of the authenticated state are accepted before login.";
    ImapNoCopyuid => "imap-no-copyuid", "COPY and MOVE send no COPYUID code.";
    ImapNoExistsUpdates => "imap-no-exists-updates", "A session is never told about changes made by another.";
    ImapNoHighestmodseq => "imap-no-highestmodseq", "SELECT with CONDSTORE sends no HIGHESTMODSEQ.";
    ImapNoObjectid => "imap-no-objectid", "OBJECTID is advertised but EMAILID and MAILBOXID are missing.";
    ImapNoSelectedCheck => "imap-no-selected-check", "Selected-state commands answer OK with no mailbox selected.";
    ImapNoStarttls => "imap-no-starttls", "STARTTLS is neither advertised nor accepted.";
    ImapNoopBad => "imap-noop-bad", "NOOP is answered BAD.";
    ImapPeekSetsSeen => "imap-peek-sets-seen", "`BODY.PEEK[]` sets \\Seen.";
    ImapQresyncNoVanished => "imap-qresync-no-vanished", "SELECT (QRESYNC ...) does not report VANISHED (EARLIER).";
    ImapRenameIgnored => "imap-rename-ignored", "RENAME answers OK but renames nothing.";
    ImapSaslIrIgnored => "imap-sasl-ir-ignored", "SASL-IR is advertised but an initial response is ignored.";
    ImapSearchEmpty => "imap-search-empty", "SEARCH never finds anything.";
    ImapSearchIgnoresFlags => "imap-search-ignores-flags", "SEARCH ignores flag criteria.";
    ImapSearchIgnoresHeaders => "imap-search-ignores-headers", "SEARCH ignores header criteria.";
    ImapSelectCreates => "imap-select-creates", "SELECT of a missing mailbox creates it.";
    ImapSelectNoExists => "imap-select-no-exists", "SELECT sends no EXISTS.";
    ImapSelectNoFlags => "imap-select-no-flags", "SELECT sends no FLAGS.";
    ImapSelectNoPermanentflags => "imap-select-no-permanentflags", "SELECT sends no PERMANENTFLAGS.";
    ImapSelectNoReadWrite => "imap-select-no-read-write", "SELECT answers `[READ-ONLY]`.";
    ImapSelectNoUidnext => "imap-select-no-uidnext", "SELECT sends no UIDNEXT.";
    ImapSelectNoUidvalidity => "imap-select-no-uidvalidity", "SELECT sends no UIDVALIDITY.";
    ImapSortUnsorted => "imap-sort-unsorted", "SORT returns messages in reverse arrival order whatever the criteria.";
    ImapStarttlsKeepsBuffer => "imap-starttls-keeps-buffer", "Commands pipelined after STARTTLS in plaintext are executed after the handshake.";
    ImapStarttlsRefused => "imap-starttls-refused", "STARTTLS is advertised but answered NO.";
    ImapStarttlsStaleCapability => "imap-starttls-stale-capability", "CAPABILITY after TLS still lists STARTTLS and LOGINDISABLED.";
    ImapStatusWrongCount => "imap-status-wrong-count", "STATUS MESSAGES is one too many.";
    ImapStoreIgnored => "imap-store-ignored", "STORE changes nothing.";
    ImapStoreRemoveIgnored => "imap-store-remove-ignored", "STORE -FLAGS changes nothing.";
    ImapStoreSilentNoisy => "imap-store-silent-noisy", "STORE .SILENT still sends FETCH responses.";
    ImapSubscribeIgnored => "imap-subscribe-ignored", "SUBSCRIBE answers OK but subscribes nothing.";
    ImapThreadFlat => "imap-thread-flat", "THREAD puts every message in its own thread.";
    ImapUidExpungeAll => "imap-uid-expunge-all", "UID EXPUNGE expunges every \\Deleted message, not only the given UIDs.";
    ImapUidSearchReturnsSeq => "imap-uid-search-returns-seq", "UID SEARCH returns sequence numbers.";
    ImapUidvalidityChanges => "imap-uidvalidity-changes", "UIDVALIDITY changes between sessions.";
    ImapUnknownCommandOk => "imap-unknown-command-ok", "Unknown commands are answered OK.";
    ImapUnselectExpunges => "imap-unselect-expunges", "UNSELECT expunges \\Deleted messages.";
    ImapLiteralPlusRejected => "imap-literal-plus-rejected", "LITERAL+ is advertised but APPEND with a {n+} literal is answered NO.";
    ImapAuthenticateAcceptsAnyPassword => "imap-authenticate-accepts-any-password", "AUTHENTICATE PLAIN succeeds whatever the password (LOGIN still checks it).";
    ImapLogindisabledIgnored => "imap-logindisabled-ignored", "LOGINDISABLED is advertised before STARTTLS, but LOGIN checks the credentials anyway.";
    ImapAuthenticateInPlaintext => "imap-authenticate-in-plaintext", "LOGINDISABLED is advertised and AUTH=PLAIN is not before STARTTLS, but AUTHENTICATE PLAIN checks the credentials anyway.";
    ImapImplicitTlsPlaintext => "imap-implicit-tls-plaintext", "The implicit-TLS port speaks plaintext IMAP instead of TLS.";
    ImapImplicitTlsStarttlsAdvertised => "imap-implicit-tls-starttls-advertised", "CAPABILITY on the implicit-TLS port lists STARTTLS.";
    ImapImplicitTlsStarttlsOk => "imap-implicit-tls-starttls-ok", "STARTTLS on the implicit-TLS port is answered OK instead of BAD.";
    ImapSpecialUseReturnIgnored => "imap-special-use-return-ignored", "LIST ... RETURN (SPECIAL-USE) shows no special-use attributes (a plain LIST still does).";
    ImapLoginCapabilityStale => "imap-login-capability-stale", "The CAPABILITY code in the tagged OK of LOGIN and AUTHENTICATE lists the capabilities of before the login.";
    // Discovery.
    AutoconfigMissing => "autoconfig-missing", "The autoconfig endpoint answers 404.";
    AutoconfigWrongPort => "autoconfig-wrong-port", "The autoconfig document names wrong ports.";
    AutoconfigMalformed => "autoconfig-malformed", "The autoconfig document is not well-formed XML.";
    AutoconfigNoSmtp => "autoconfig-no-smtp", "The autoconfig document names no outgoing server.";
    AutoconfigWrongUsername => "autoconfig-wrong-username", "The autoconfig document names a username placeholder that does not log in.";
    AutoconfigWellKnownMissing => "autoconfig-well-known-missing", "The .well-known autoconfig path answers 404.";
    AutoconfigWrongDomain => "autoconfig-wrong-domain", "The autoconfig document lists another mail domain.";
    AutoconfigWrongContentType => "autoconfig-wrong-content-type", "The autoconfig document is served as text/html.";
    // Security posture (issue 12): TLS versions, cipher suites and certificates of every TLS
    // listener. rustls speaks neither TLS 1.1 and older nor weak suites, so the version and
    // cipher faults answer the ClientHello themselves (`reference::security`).
    TlsAcceptsSsl3 => "tls-accepts-ssl3", "A ClientHello offering at most SSL 3.0 is answered with an SSL 3.0 ServerHello.";
    TlsAcceptsTls10 => "tls-accepts-tls10", "A ClientHello offering at most TLS 1.0 is answered with a TLS 1.0 ServerHello.";
    TlsAcceptsTls11 => "tls-accepts-tls11", "A ClientHello offering at most TLS 1.1 is answered with a TLS 1.1 ServerHello.";
    TlsLegacyOnly => "tls-legacy-only", "Only SSL 3.0 to TLS 1.1 are spoken: a ClientHello offering TLS 1.2 or 1.3 gets a protocol_version alert.";
    TlsWeakCiphers => "tls-weak-ciphers", "A TLS 1.2 ClientHello offering only NULL, export, DES, RC4, 3DES or static-RSA suites is answered with a ServerHello choosing the first.";
    TlsCbcOnly => "tls-cbc-only", "Only CBC suites are spoken: a ClientHello offering none (AEAD-only TLS 1.2, or TLS 1.3) gets a handshake_failure alert.";
    TlsStaticRsaOnly => "tls-static-rsa-only", "Only static-RSA suites are spoken: a ClientHello offering none (forward-secret TLS 1.2 suites only, or TLS 1.3) gets a handshake_failure alert.";
    TlsCertificateExpired => "tls-certificate-expired", "The certificate expired on 2021-01-01.";
    TlsCertificateExpiring => "tls-certificate-expiring", "The certificate expires in 10 days.";
    TlsCertificateWrongName => "tls-certificate-wrong-name", "The certificate names only wrong-name.example.net.";
    TlsCertificateUntrusted => "tls-certificate-untrusted", "The certificate is a fresh self-signed one that no trust anchor of the run vouches for.";
    TlsCertificateWeakKey => "tls-certificate-weak-key", "The certificate has a 1024-bit RSA key and a SHA-1 signature.";
    ImapNoLoginThrottle => "imap-no-login-throttle", "Failed LOGIN attempts are answered at once however many there were (the clean reference delays them from the third on).";
    SmtpSenderNotChecked => "smtp-sender-not-checked", "An authenticated user may submit with another user's address in MAIL FROM (the clean reference answers 550 5.7.1).";
    SmtpVrfyConfirms => "smtp-vrfy-confirms", "VRFY of a local user is answered 250 with the address, without authentication.";
}

impl Fault {
    /// The fault with this name.
    pub fn from_name(name: &str) -> Option<Fault> {
        Fault::ALL
            .iter()
            .copied()
            .find(|fault| fault.name() == name)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The faults a reference deployment runs with; empty for the clean reference.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults(BTreeSet<Fault>);

impl Faults {
    /// No fault: the clean reference.
    pub fn none() -> Faults {
        Faults::default()
    }

    /// Exactly one fault.
    pub fn one(fault: Fault) -> Faults {
        Faults(BTreeSet::from([fault]))
    }

    /// Adds a fault.
    pub fn insert(&mut self, fault: Fault) {
        self.0.insert(fault);
    }

    /// Whether `fault` is active.
    pub fn has(&self, fault: Fault) -> bool {
        self.0.contains(&fault)
    }

    /// The active faults.
    pub fn iter(&self) -> impl Iterator<Item = Fault> + '_ {
        self.0.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut seen = BTreeSet::new();
        for fault in Fault::ALL {
            assert!(seen.insert(fault.name()), "duplicate {}", fault.name());
            assert_eq!(Fault::from_name(fault.name()), Some(*fault));
        }
        assert_eq!(Fault::from_name("no-such-fault"), None);
    }
}
