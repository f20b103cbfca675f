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
    // IMAP depth, issue 10 items 9-16 (ESEARCH, CONDSTORE enabling, dates, SORT, base
    // subject, HEADER/FROM search, keywords in FLAGS) and the multi-session consistency group.
    ImapEsearchEmptyReturnNotAll => "imap-esearch-empty-return-not-all", "SEARCH RETURN () answers MIN MAX COUNT instead of ALL.";
    ImapCondstoreNotEnabledByFetch => "imap-condstore-not-enabled-by-fetch", "FETCH MODSEQ and SEARCH MODSEQ do not enable CONDSTORE: no `OK [HIGHESTMODSEQ]`, later FETCH responses carry no MODSEQ.";
    ImapSearchModseqNoModseq => "imap-search-modseq-no-modseq", "SEARCH with a MODSEQ criterion answers without (MODSEQ n) or the ESEARCH MODSEQ result.";
    ImapAppendDateIgnored => "imap-append-date-ignored", "The date-time given with APPEND is ignored: INTERNALDATE is the time of the APPEND.";
    ImapSearchDatesIgnored => "imap-search-dates-ignored", "BEFORE, ON, SINCE, SENTBEFORE, SENTON and SENTSINCE match every message.";
    ImapSearchSentdateUtc => "imap-search-sentdate-utc", "SENTBEFORE, SENTON and SENTSINCE compare the Date header's day in UTC instead of its own time zone.";
    ImapSortDateArrival => "imap-sort-date-arrival", "SORT DATE orders by INTERNALDATE, ignoring the Date header.";
    ImapSortDateIgnoresZone => "imap-sort-date-ignores-zone", "SORT DATE compares the Date header's wall-clock time, ignoring its time zone.";
    ImapSortArrivalUid => "imap-sort-arrival-uid", "SORT ARRIVAL orders by UID (the order of APPEND) instead of INTERNALDATE.";
    ImapSortReverseTiebreak => "imap-sort-reverse-tiebreak", "SORT REVERSE also reverses the message-number tie-break of equal keys.";
    ImapSortFromWholeAddress => "imap-sort-from-whole-address", "SORT FROM compares the whole From field (display name first) instead of the first address's mailbox.";
    ImapSortToCcIgnored => "imap-sort-to-cc-ignored", "SORT TO and SORT CC leave the messages in sequence order.";
    ImapBaseSubjectSimple => "imap-base-subject-simple", "The SORT/THREAD base subject only loses leading Re:/Fwd: (encoded words, `[tags]`, `(fwd)` and `[fwd: ...]` stay).";
    ImapSearchHeaderEmptyAll => "imap-search-header-empty-all", "`SEARCH HEADER field \"\"` matches messages without that field.";
    ImapSearchAddressRaw => "imap-search-address-raw", "SEARCH FROM/TO/CC/BCC match the raw field only, missing an address with a comment inside it.";
    ImapKeywordsNotInFlags => "imap-keywords-not-in-flags", "FLAGS on SELECT lists only the system flags, never the mailbox's keywords.";
    ImapPermanentflagsNoKeywords => "imap-permanentflags-no-keywords", "PERMANENTFLAGS lists only the system flags (no keywords, no \\*) although keywords are stored permanently.";
    ImapNewKeywordNoFlags => "imap-new-keyword-no-flags", "No untagged FLAGS is sent when a keyword is first used in the mailbox.";
    ImapOtherSessionFlagsUnseen => "imap-other-session-flags-unseen", "A session is never told of flag changes another session makes (EXISTS and EXPUNGE still are).";
    ImapOtherSessionExpungeUnseen => "imap-other-session-expunge-unseen", "A session is never told of messages another session expunges and keeps its old sequence numbers.";
    ImapUnsolicitedFetchNoModseq => "imap-unsolicited-fetch-no-modseq", "Unsolicited FETCH responses for another session's flag changes carry no MODSEQ after CONDSTORE is enabled.";
    // Discovery.
    AutoconfigMissing => "autoconfig-missing", "The autoconfig endpoint answers 404.";
    AutoconfigWrongPort => "autoconfig-wrong-port", "The autoconfig document names wrong ports.";
    AutoconfigMalformed => "autoconfig-malformed", "The autoconfig document is not well-formed XML.";
    AutoconfigNoSmtp => "autoconfig-no-smtp", "The autoconfig document names no outgoing server.";
    AutoconfigWrongUsername => "autoconfig-wrong-username", "The autoconfig document names a username placeholder that does not log in.";
    AutoconfigWellKnownMissing => "autoconfig-well-known-missing", "The .well-known autoconfig path answers 404.";
    AutoconfigWrongDomain => "autoconfig-wrong-domain", "The autoconfig document lists another mail domain.";
    AutoconfigWrongContentType => "autoconfig-wrong-content-type", "The autoconfig document is served as text/html.";
    // IMAP depth, issue 10 items 1-8 (\Recent, message/rfc822 part numbers, BODY without
    // extension data, ENVELOPE addresses, CREATE with a trailing separator, LSUB's \Noselect
    // parents, modified UTF-7 names, LIST-EXTENDED).
    ImapRecentNever => "imap-recent-never", "No message is ever \\Recent: SELECT, EXAMINE and STATUS report 0 RECENT, FETCH FLAGS never shows \\Recent, SEARCH RECENT and NEW find nothing.";
    ImapRfc822PartsFlat => "imap-rfc822-parts-flat", "Part numbers do not descend into an encapsulated message/rfc822: BODY[1.1] is the whole message again, BODY[1.HEADER] the part's MIME header.";
    ImapBodyExtensionData => "imap-body-extension-data", "FETCH BODY carries the extension data that belongs only to BODYSTRUCTURE.";
    ImapEnvelopeFlatAddresses => "imap-envelope-flat-addresses", "ENVELOPE address lists lose group markers and display names, and keep a source route in the mailbox field.";
    ImapCreateKeepsSeparator => "imap-create-keeps-separator", "CREATE \"x/\" creates a mailbox named \"x/\" instead of \"x\".";
    ImapLsubNoParent => "imap-lsub-no-parent", "LSUB with % omits an unsubscribed parent of a subscribed mailbox instead of listing it \\Noselect.";
    ImapMailboxNamesUtf8 => "imap-mailbox-names-utf8", "Mailbox names go out as raw UTF-8 instead of modified UTF-7, and a LIST pattern in modified UTF-7 matches nothing.";
    ImapListSelectionLenient => "imap-list-selection-lenient", "LIST with an unknown selection option, or RECURSIVEMATCH alone, is answered OK instead of BAD.";
    ImapDeleteUnsubscribes => "imap-delete-unsubscribes", "DELETE also drops the subscription, so a subscribed deleted mailbox never shows \\NonExistent.";
    ImapListNoChildinfo => "imap-list-no-childinfo", "LIST (SUBSCRIBED RECURSIVEMATCH) never lists a parent for its subscribed children with CHILDINFO.";
    ImapListReturnSubscribedIgnored => "imap-list-return-subscribed-ignored", "LIST ... RETURN (SUBSCRIBED) shows no \\Subscribed attributes.";
    // WebDAV checks (dav-webdav): faults of the reference DAV server the webdav.* checks need.
    WebdavAcceptsMalformedXml => "webdav-accepts-malformed-xml", "A PROPFIND body that is not well-formed XML is answered like allprop instead of 400.";
    WebdavAllpropOmitsDead => "webdav-allprop-omits-dead", "allprop returns the live properties only, no dead properties.";
    WebdavCollectionHrefNoSlash => "webdav-collection-href-no-slash", "Collection hrefs in a multistatus lack the trailing slash.";
    WebdavCopy204OnCreate => "webdav-copy-204-on-create", "COPY to a new URL answers 204 instead of 201.";
    WebdavCopyCreatesParents => "webdav-copy-creates-parents", "COPY to a Destination below a missing collection creates the missing collections.";
    WebdavCopyDepth0CopiesMembers => "webdav-copy-depth0-copies-members", "COPY Depth 0 of a collection copies its members too.";
    WebdavCopyDropsDeadProps => "webdav-copy-drops-dead-props", "COPY does not copy dead properties.";
    WebdavCopyOverwrite201 => "webdav-copy-overwrite-201", "COPY over an existing resource answers 201 instead of 204.";
    WebdavCopyShallow => "webdav-copy-shallow", "COPY of a collection without Depth copies the collection without its members.";
    WebdavDeadValueFlattened => "webdav-dead-value-flattened", "Dead property values are stored as their text only (child elements and xml:lang lost).";
    WebdavDeleteCollectionKeepsMembers => "webdav-delete-collection-keeps-members", "DELETE of a collection leaves its members reachable.";
    WebdavDeleteKeeps => "webdav-delete-keeps", "DELETE answers 204 but the resource stays.";
    WebdavEtagNeverChanges => "webdav-etag-never-changes", "Every version of a resource has the same ETag.";
    WebdavGetetagMismatch => "webdav-getetag-mismatch", "DAV:getetag differs from the ETag header.";
    WebdavHrefDoubleDecoded => "webdav-href-double-decoded", "Names are percent-decoded twice on PUT (%25 becomes %, then the escape).";
    WebdavHrefMixedFormat => "webdav-href-mixed-format", "The first href of a multistatus is a full URL, the others absolute paths.";
    WebdavHrefUnescaped => "webdav-href-unescaped", "Hrefs in a multistatus are not percent-encoded (raw spaces and UTF-8).";
    WebdavIfEtagIgnored => "webdav-if-etag-ignored", "The If header's entity tags are ignored (only lock tokens are compared).";
    WebdavIfHeaderIgnored => "webdav-if-header-ignored", "An If header naming unknown lock tokens is ignored on unlocked resources.";
    WebdavIfMatchAlwaysFails => "webdav-if-match-always-fails", "If-Match fails even with the current ETag.";
    WebdavIgnoresIfNoneMatch => "webdav-ignores-if-none-match", "If-None-Match is ignored on GET (never 304).";
    WebdavLock423NoPrecondition => "webdav-lock-423-no-precondition", "The 423 for a missing lock token has no DAV:error body.";
    WebdavLockNoBody => "webdav-lock-no-body", "The LOCK response has no body.";
    WebdavLockNoTokenHeader => "webdav-lock-no-token-header", "The LOCK response has no Lock-Token header.";
    WebdavLockRefreshFails => "webdav-lock-refresh-fails", "A lock refresh (LOCK without body) is answered 400.";
    WebdavLockRefused => "webdav-lock-refused", "LOCK is answered 405 although class 2 is advertised.";
    WebdavLockRejectsToken => "webdav-lock-rejects-token", "A request with the right lock token in its If header is still answered 423.";
    WebdavLockSameToken => "webdav-lock-same-token", "Every shared lock on a resource gets the same token.";
    WebdavLockSharedRefused => "webdav-lock-shared-refused", "A second shared lock is refused with 423.";
    WebdavLockUnmappedNoResource => "webdav-lock-unmapped-no-resource", "LOCK on an unmapped URL answers 200 and creates no resource.";
    WebdavLockdiscoveryEmpty => "webdav-lockdiscovery-empty", "DAV:lockdiscovery is always empty.";
    WebdavMissingProp200 => "webdav-missing-prop-200", "Properties that do not exist are reported with 200 and an empty value.";
    WebdavMkcolCreatesParents => "webdav-mkcol-creates-parents", "MKCOL below a missing collection creates the missing collections.";
    WebdavMkcolExisting201 => "webdav-mkcol-existing-201", "MKCOL on an existing collection answers 201.";
    WebdavMkcolIgnoresBody => "webdav-mkcol-ignores-body", "MKCOL with a body of an unknown type ignores the body and answers 201.";
    WebdavMkcolPlainResource => "webdav-mkcol-plain-resource", "MKCOL creates an empty non-collection resource.";
    WebdavMkcolRefused => "webdav-mkcol-refused", "MKCOL is answered 403.";
    WebdavMoveCollectionDropsMembers => "webdav-move-collection-drops-members", "MOVE of a collection leaves its members behind.";
    WebdavMoveCreatesParents => "webdav-move-creates-parents", "MOVE to a Destination below a missing collection creates the missing collections.";
    WebdavMoveDropsDeadProps => "webdav-move-drops-dead-props", "MOVE drops the dead properties.";
    WebdavMoveKeepsSource => "webdav-move-keeps-source", "MOVE copies and keeps the source.";
    WebdavMoveOverwrite201 => "webdav-move-overwrite-201", "MOVE onto an existing resource answers 201 instead of 204.";
    WebdavNoDavHeader => "webdav-no-dav-header", "OPTIONS answers without a DAV header.";
    WebdavNoGetcontenttype => "webdav-no-getcontenttype", "DAV:getcontenttype is never defined.";
    WebdavNoGetlastmodified => "webdav-no-getlastmodified", "DAV:getlastmodified is never defined.";
    WebdavNoSupportedlock => "webdav-no-supportedlock", "DAV:supportedlock is not defined although class 2 is advertised.";
    WebdavPropfindDepth0ListsMembers => "webdav-propfind-depth0-lists-members", "PROPFIND Depth 0 on a collection lists its members too.";
    WebdavPropfindDepth1NoMembers => "webdav-propfind-depth1-no-members", "PROPFIND Depth 1 lists the collection only.";
    WebdavPropfindDepth1Recurses => "webdav-propfind-depth1-recurses", "PROPFIND Depth 1 lists the whole tree.";
    WebdavPropfindEmptyBodyRejected => "webdav-propfind-empty-body-rejected", "PROPFIND without a body is answered 400.";
    WebdavPropfindInfinityBare403 => "webdav-propfind-infinity-bare-403", "PROPFIND Depth infinity is refused with a 403 without precondition element.";
    WebdavPropfindInfinityShallow => "webdav-propfind-infinity-shallow", "PROPFIND Depth infinity is answered like Depth 1.";
    WebdavPropfindNoDepthAs0 => "webdav-propfind-no-depth-as-0", "PROPFIND without Depth is answered like Depth 0.";
    WebdavPropnameValues => "webdav-propname-values", "propname returns the values too.";
    WebdavProppatchChangesEtag => "webdav-proppatch-changes-etag", "A PROPPATCH changes the resource's ETag.";
    WebdavProppatchDeadRefused => "webdav-proppatch-dead-refused", "PROPPATCH refuses dead properties with 403.";
    WebdavProppatchKeepsOldValue => "webdav-proppatch-keeps-old-value", "Setting an existing dead property keeps the old value.";
    WebdavProppatchNo424 => "webdav-proppatch-no-424", "The other properties of a failed PROPPATCH get 409 instead of 424.";
    WebdavProppatchRemoveAbsent404 => "webdav-proppatch-remove-absent-404", "Removing a property that does not exist is answered 404.";
    WebdavProppatchRemoveIgnored => "webdav-proppatch-remove-ignored", "PROPPATCH remove answers 200 but keeps the property.";
    WebdavProppatchRemovesFirst => "webdav-proppatch-removes-first", "PROPPATCH applies all removals before all sets.";
    WebdavProtectedNoPrecondition => "webdav-protected-no-precondition", "The 403 for a protected property has no cannot-modify-protected-property element.";
    WebdavPut200OnCreate => "webdav-put-200-on-create", "PUT of a new resource answers 200 instead of 201.";
    WebdavPutCreatesParents => "webdav-put-creates-parents", "PUT below a missing collection creates the missing collections.";
    WebdavPutTruncates => "webdav-put-truncates", "PUT stores only the first 64 KiB of the body.";
    WebdavResourcetypeEmpty => "webdav-resourcetype-empty", "DAV:resourcetype of collections is empty.";
    WebdavUnlockAnyToken => "webdav-unlock-any-token", "UNLOCK accepts a token of another resource's lock (and removes that lock).";
    WebdavUnlockKeepsLock => "webdav-unlock-keeps-lock", "UNLOCK answers 204 but keeps the lock.";
    WebdavWrongGetcontentlength => "webdav-wrong-getcontentlength", "DAV:getcontentlength is one more than the body length.";
    // DAV reference server (reference/src/dav/; see its module docs for how to add one).
    DavNoEtag => "dav-no-etag", "PUT and GET send no ETag header and PROPFIND reports no getetag.";
    DavPropfindDepthIgnored => "dav-propfind-depth-ignored", "PROPFIND ignores the Depth header and answers every request as Depth: 0.";
    DavLockIgnored => "dav-lock-ignored", "LOCK hands out tokens but nothing is ever refused for lack of one (no 423).";
    DavNoClass2 => "dav-no-class-2", "The DAV header of OPTIONS does not list class 2 although LOCK works.";
    DavNoAccessControl => "dav-no-access-control", "Every account may read and write every other account's collections.";
    DavWellKnownMissing => "dav-well-known-missing", "/.well-known/caldav and /.well-known/carddav answer 404.";
    DavIfMatchIgnored => "dav-if-match-ignored", "If-Match and If-None-Match are ignored on writes.";
    DavProtectedWritable => "dav-protected-writable", "PROPPATCH of a protected live property answers 200 (and changes nothing).";
    DavProppatchNotAtomic => "dav-proppatch-not-atomic", "A PROPPATCH with a refused property still applies the others.";
    DavOverwriteIgnored => "dav-overwrite-ignored", "COPY and MOVE with Overwrite: F replace an existing destination.";
    DavInvalidDataAccepted => "dav-invalid-data-accepted", "PUT of malformed iCalendar or vCard data (or of the wrong media type) into a calendar or address book is stored.";
    DavComponentSetIgnored => "dav-component-set-ignored", "A calendar accepts components outside its supported-calendar-component-set.";
    DavUidConflictAccepted => "dav-uid-conflict-accepted", "A second resource with a UID already used in the collection is accepted.";
    DavTimeRangeIgnored => "dav-time-range-ignored", "calendar-query ignores time-range filters (everything matches).";
    DavExpandIgnored => "dav-expand-ignored", "calendar-data with CALDAV:expand returns the unexpanded recurrence set.";
    DavSyncTokenInvalidAccepted => "dav-sync-token-invalid-accepted", "sync-collection with an unknown token answers as for an initial sync instead of refusing it.";
    DavSyncNoDeletions => "dav-sync-no-deletions", "sync-collection never reports deleted members.";
    DavSyncDepthOneRefused => "dav-sync-depth-one-refused", "sync-collection with Depth: 1 (as Thunderbird sends it) is answered 400.";
    DavTextMatchIgnored => "dav-text-match-ignored", "calendar-query and addressbook-query ignore text-match (everything matches).";
    DavAddressDataUnfiltered => "dav-address-data-unfiltered", "address-data ignores the property selection and version conversion and returns the stored vCard.";
    DavQueryLimitIgnored => "dav-query-limit-ignored", "addressbook-query ignores the client's result limit.";
    // CalDAV/CardDAV checks (helper dav-caldav): faults of the reference DAV server.
    AutoconfigNoDav => "autoconfig-no-dav", "The autoconfig document names no calendar, address book or file service.";
    CaldavCalendarDataUnfiltered => "caldav-calendar-data-unfiltered", "calendar-data with a comp/prop selection returns the whole object.";
    CaldavFreeBusyEmpty => "caldav-free-busy-empty", "free-busy-query returns a VFREEBUSY without FREEBUSY periods.";
    CaldavLimitRecurrenceSetIgnored => "caldav-limit-recurrence-set-ignored", "limit-recurrence-set returns every overridden instance.";
    CaldavMkcalendarIgnoresProperties => "caldav-mkcalendar-ignores-properties", "MKCALENDAR creates the calendar but drops the properties of its body.";
    CaldavMkcalendarOverwrites => "caldav-mkcalendar-overwrites", "MKCALENDAR on an existing collection answers 201 and empties it.";
    CaldavMkcalendarPlainCollection => "caldav-mkcalendar-plain-collection", "MKCALENDAR creates a plain collection (no CALDAV:calendar in its resourcetype).";
    CaldavMkcalendarRefused => "caldav-mkcalendar-refused", "MKCALENDAR is answered 403.";
    CaldavMultiUidAccepted => "caldav-multi-uid-accepted", "PUT of a calendar object with components of two UIDs is answered 201 (and not stored).";
    CaldavNoCalendarAccess => "caldav-no-calendar-access", "OPTIONS does not list calendar-access in the DAV header.";
    CaldavNoCalendarUserAddressSet => "caldav-no-calendar-user-address-set", "Principals have no calendar-user-address-set although scheduling is advertised.";
    CaldavNoScheduleTag => "caldav-no-schedule-tag", "PUT and GET of a scheduling object resource send no Schedule-Tag header.";
    CaldavScheduleInboxUntyped => "caldav-schedule-inbox-untyped", "The scheduling Inbox's resourcetype lacks CALDAV:schedule-inbox.";
    CaldavScheduleNotDelivered => "caldav-schedule-not-delivered", "An organizer's PUT is stored but never delivered to the attendees.";
    CaldavScheduleOutboxUntyped => "caldav-schedule-outbox-untyped", "The scheduling Outbox's resourcetype lacks CALDAV:schedule-outbox.";
    CaldavNoCalendarHomeSet => "caldav-no-calendar-home-set", "The principal has no calendar-home-set.";
    CaldavNoReadFreeBusy => "caldav-no-read-free-busy", "supported-privilege-set of calendars lacks read-free-busy.";
    CaldavNoSupportedReportSet => "caldav-no-supported-report-set", "Calendars advertise no calendaring report in supported-report-set.";
    CaldavQueryAllDayInstant => "caldav-query-all-day-instant", "An all-day (DATE) event is stored as an instant at midnight UTC.";
    CaldavQueryIgnoresComponent => "caldav-query-ignores-component", "calendar-query drops the comp-filters below VCALENDAR (every object matches).";
    CaldavQueryIgnoresExdate => "caldav-query-ignores-exdate", "EXDATE is dropped when a calendar object is stored, so time ranges match the excluded instances.";
    CaldavQueryIgnoresIsNotDefined => "caldav-query-ignores-is-not-defined", "CalDAV is-not-defined is ignored (every object matches).";
    CaldavQueryIgnoresNegate => "caldav-query-ignores-negate", "CalDAV negate-condition is ignored.";
    CaldavQueryIgnoresOverrides => "caldav-query-ignores-overrides", "Overridden instances (RECURRENCE-ID) are dropped when a calendar object is stored.";
    CaldavQueryIgnoresTimezone => "caldav-query-ignores-timezone", "calendar-query reads floating times in UTC whatever CALDAV:timezone says.";
    CaldavQueryNoRecurrence => "caldav-query-no-recurrence", "RRULE, RDATE, EXDATE and overridden instances are dropped when a calendar object is stored: only the first instance exists.";
    CaldavQueryTzidAsUtc => "caldav-query-tzid-as-utc", "DTSTART/DTEND with a TZID are stored as UTC (the TZID dropped).";
    CaldavTodoRefused => "caldav-todo-refused", "PUT of a VTODO is answered 403.";
    CarddavMkcolIgnoresProperties => "carddav-mkcol-ignores-properties", "Extended MKCOL creates the address book but drops the properties of its body.";
    CarddavMkcolPlainCollection => "carddav-mkcol-plain-collection", "Extended MKCOL creates a plain collection (no CARDDAV:addressbook in its resourcetype).";
    CarddavMkcolRefused => "carddav-mkcol-refused", "Extended MKCOL of an address book is answered 403.";
    CarddavNoAddressbookClass => "carddav-no-addressbook-class", "OPTIONS does not list addressbook in the DAV header.";
    CarddavNoAddressbookHomeSet => "carddav-no-addressbook-home-set", "The principal has no addressbook-home-set.";
    CarddavNoSupportedReportSet => "carddav-no-supported-report-set", "Address books advertise no address book report in supported-report-set.";
    CarddavPhotoTruncated => "carddav-photo-truncated", "A vCard PHOTO is cut to 64 KiB when stored.";
    CarddavQueryAllofAsAnyof => "carddav-query-allof-as-anyof", "addressbook-query treats test=\"allof\" as anyof.";
    CarddavQueryAnyofAsAllof => "carddav-query-anyof-as-allof", "addressbook-query treats test=\"anyof\" as allof.";
    CarddavQueryIgnoresIsNotDefined => "carddav-query-ignores-is-not-defined", "CardDAV is-not-defined is ignored.";
    CarddavQueryIgnoresNegate => "carddav-query-ignores-negate", "CardDAV negate-condition is ignored.";
    CarddavQueryIgnoresParamFilter => "carddav-query-ignores-param-filter", "addressbook-query ignores param-filter.";
    CarddavQueryMatchTypeIgnored => "carddav-query-match-type-ignored", "addressbook-query treats every match-type as contains.";
    CarddavSupportedAddressDataWrong => "carddav-supported-address-data-wrong", "supported-address-data lists only text/x-vcard 2.1.";
    CarddavVcard4Refused => "carddav-vcard4-refused", "PUT of a vCard 4.0 is answered 415.";
    DavAnonymousPrincipal => "dav-anonymous-principal", "An anonymous PROPFIND for current-user-principal is answered 207 with DAV:unauthenticated.";
    DavCtagStatic => "dav-ctag-static", "getctag never changes.";
    DavErrorBodyMissing => "dav-error-body-missing", "CalDAV/CardDAV/sync preconditions are reported with a bare status, no DAV:error body.";
    DavEtagStatic => "dav-etag-static", "ETags (header and getetag) are always \"static\".";
    DavMultigetDropsMissing => "dav-multiget-drops-missing", "calendar- and addressbook-multiget leave out hrefs that do not exist.";
    DavMultigetNoData => "dav-multiget-no-data", "calendar- and addressbook-multiget return getetag but no object data.";
    DavMultigetTruncated => "dav-multiget-truncated", "calendar- and addressbook-multiget answer only the first 50 hrefs.";
    DavNoCurrentUserPrincipal => "dav-no-current-user-principal", "current-user-principal is not defined (404 propstat).";
    DavPrivilegeSetWrong => "dav-privilege-set-wrong", "current-user-privilege-set grants the owner read only.";
    DavPropfindManyPropsHttp400 => "dav-propfind-many-props-400", "A PROPFIND naming more than 5 properties is answered 400.";
    DavPutLost => "dav-put-lost", "PUT of a calendar object or vCard answers 201 but stores nothing.";
    DavQueryAnyCollation => "dav-query-any-collation", "An unknown collation in a text-match is accepted (as i;ascii-casemap).";
    DavSyncInitialEmpty => "dav-sync-initial-empty", "An initial sync-collection lists no member.";
    DavSyncMissesChanges => "dav-sync-misses-changes", "An incremental sync-collection omits changed members.";
    DavSyncNoToken => "dav-sync-no-token", "sync-collection responses carry no DAV:sync-token.";
    DavSyncTokenPropertyStale => "dav-sync-token-property-stale", "The DAV:sync-token property is a constant no report returns.";
    DavUidMangled => "dav-uid-mangled", "Non-ASCII characters of UIDs are replaced by ? when stored.";
    DavUtf8Mangled => "dav-utf8-mangled", "Non-ASCII characters of display names are replaced by ? in PROPFIND answers.";
    DavWeakEtag => "dav-weak-etag", "ETag headers are weak (W/).";
    DavWellKnownServed => "dav-well-known-served", "/.well-known/caldav and /carddav answer every request themselves with 207 instead of redirecting.";
    DavWellKnownWrongTarget => "dav-well-known-wrong-target", "The well-known redirects point to a path that is not a DAV resource (404).";
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
    // Mail domain DNS (issues 11 and 12): the reference zone (`reference::dns`) and the
    // MTA-STS policy the autoconfig HTTPS server serves.
    DnsSpfPlusAll => "dns-spf-plus-all", "The SPF record ends with +all: every host may send as the domain.";
    DnsSpfTooManyLookups => "dns-spf-too-many-lookups", "The SPF record and its include need 12 DNS lookups (the limit is 10).";
    DnsSpfSyntax => "dns-spf-syntax", "The SPF record has an ip4 mechanism with an invalid address (192.0.2.300).";
    DnsSpfTwoRecords => "dns-spf-two-records", "The domain publishes two SPF records.";
    DnsDmarcMissing => "dns-dmarc-missing", "The domain publishes no DMARC record.";
    DnsDmarcNone => "dns-dmarc-none", "The DMARC record asks for no action (p=none).";
    DnsDmarcNoRua => "dns-dmarc-no-rua", "The DMARC record names no aggregate report address (rua).";
    DnsDkimShortKey => "dns-dkim-short-key", "The DKIM key record holds a 512-bit RSA key.";
    DnsDkimMalformed => "dns-dkim-malformed", "The DKIM key record's p= is not base64.";
    DnsSrvMissing => "dns-srv-missing", "No _caldavs._tcp and _carddavs._tcp SRV records.";
    DnsSrvWrongPort => "dns-srv-wrong-port", "The _caldavs._tcp and _carddavs._tcp SRV records name a port the DAV server does not listen on.";
    DnsSrvTxtMissing => "dns-srv-txt-missing", "No TXT records with the context path beside the _caldavs._tcp and _carddavs._tcp SRV records.";
    DnsSrvPlaintextOffered => "dns-srv-plaintext-offered", "_caldav._tcp and _carddav._tcp SRV records point plaintext clients at the TLS-only DAV server.";
    DnsMtaStsBadId => "dns-mta-sts-bad-id", "The _mta-sts record's id has a character other than letters and digits.";
    DnsMtaStsModeMissing => "dns-mta-sts-mode-missing", "The MTA-STS policy has no mode line.";
    DnsMtaStsMxMismatch => "dns-mta-sts-mx-mismatch", "The MTA-STS policy's mx pattern matches none of the domain's MX hosts.";
    DnsTlsRptMissing => "dns-tlsrpt-missing", "No TLS-RPT record at _smtp._tls.";
    DnsTlsaMismatch => "dns-tlsa-mismatch", "The MX's TLSA record names a key the SMTP server does not have.";
    ImapNoLoginThrottle => "imap-no-login-throttle", "Failed LOGIN attempts are answered at once however many there were (the clean reference delays them from the third on).";
    SmtpSenderNotChecked => "smtp-sender-not-checked", "An authenticated user may submit with another user's address in MAIL FROM (the clean reference answers 550 5.7.1).";
    SmtpVrfyConfirms => "smtp-vrfy-confirms", "VRFY of a local user is answered 250 with the address, without authentication.";
    SmtpExpnExpands => "smtp-expn-expands", "EXPN of a local user is answered 250 with the address, without authentication (the clean reference answers 502 to every EXPN).";
    SmtpXclientOffered => "smtp-xclient-offered", "EHLO advertises XCLIENT and `XCLIENT NAME=...` is answered with a new 220 greeting, for any client.";
    SmtpXforwardOffered => "smtp-xforward-offered", "EHLO advertises XFORWARD and `XFORWARD NAME=...` is answered 250, for any client.";
    SmtpDropsOneIn1000 => "smtp-drops-one-in-1000", "One accepted message in 1,000 (the first, the 1,001st, ... of the process) is answered 250 but never delivered (caught by `groupwire load`, not by a check).";
    ImapIdleDelayed => "imap-idle-delayed", "IDLE reports a change 5 s after it happened (caught by `groupwire load`'s delivery latency, not by a check).";
    // SASL beyond PLAIN and the MX listener (issue 12), in IMAP and submission alike.
    ScramBadServerSignature => "scram-bad-server-signature", "The SCRAM-SHA-256 server-final message carries a wrong ServerSignature (v=).";
    ScramAcceptsBadProof => "scram-accepts-bad-proof", "SCRAM-SHA-256 accepts a client-final message whose proof does not verify.";
    OauthBroken => "oauth-broken", "OAUTHBEARER is advertised but refuses every token, the account's own too.";
    OauthAcceptsBadToken => "oauth-accepts-bad-token", "OAUTHBEARER accepts any bearer token for an existing user.";
    OauthNoErrorResult => "oauth-no-error-result", "A refused bearer token fails at once, without the RFC 7628 JSON error result.";
    OauthBeforeTls => "oauth-before-tls", "OAUTHBEARER is advertised before STARTTLS (a bearer token in the clear).";
    OauthHiddenBeforeTls => "oauth-hidden-before-tls", "OAUTHBEARER is not advertised before STARTTLS but runs there all the same (a bearer token read in the clear).";
    SmtpNoLoginThrottle => "smtp-no-login-throttle", "Failed AUTH attempts are answered 535 at once however many there were (the clean reference delays them from the third on).";
    MxOpenRelay => "mx-open-relay", "The MX (port 25) listener accepts RCPT for outside domains without authentication (an open relay).";
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
