//! The IMAP suite (RFC 9051, with RFC 3501 servers accepted where the two agree): greeting and
//! capabilities, STARTTLS and its plaintext-injection class, authentication and every state
//! transition, the core commands and their required responses (SELECT/EXAMINE data, FETCH of
//! every attribute including BODYSTRUCTURE of a multipart message the check appends, STORE,
//! SEARCH, COPY/MOVE, EXPUNGE, APPEND with literals, LIST/LSUB/NAMESPACE, STATUS,
//! CLOSE/UNSELECT, LOGOUT), UID stability and two-session behaviour (EXISTS, IDLE), and the
//! extensions of the profile.
//!
//! Every check talks through [`session::ImapSession`]: commands are parsed and encoded by
//! `groupwire-imap`, responses decoded by it.

pub mod basics;
pub mod consistency;
pub mod extensions;
pub mod fixture;
pub mod implicit_tls;
pub mod mailbox;
pub mod messages;
pub mod search;
pub mod session;
pub mod sessions;
pub mod sort;

use crate::engine::{CheckContext, CheckResult, Finding, Suite};

use self::session::{ImapSession, quoted};

const PROFILES: &[&str] = &["thunderbird"];

/// The IMAP suite.
pub static SUITE: Suite = Suite {
    protocol: crate::engine::Protocol::Imap,
    probe: Some(|cx| Box::pin(probe(cx))),
    cleanup: Some(|cx| Box::pin(cleanup(cx))),
    checks: CHECKS,
};

/// CAPABILITY after TLS and login (where extensions are advertised), plus STARTTLS and
/// LOGINDISABLED as seen on a cleartext port.
async fn probe(cx: CheckContext) -> Result<Vec<String>, Finding> {
    let endpoint = session::imap_endpoint(&cx)?;
    let mut session = match ImapSession::connect(&cx).await {
        Ok(session) => session,
        Err(finding) => {
            // An implicit-TLS port that talks plaintext: nothing is advertised over TLS, and
            // imap.implicit-tls.handshake reports it (the others fail to connect on their own).
            if endpoint.security == crate::target::Security::Implicit
                && implicit_tls::plaintext_first(&cx, &endpoint)
                    .await
                    .is_ok_and(|spoke| spoke.is_some())
            {
                return Ok(Vec::new());
            }
            return Err(finding);
        }
    };
    let mut names = session.run("CAPABILITY").await?.capabilities();
    // The real password travels only over TLS, or where the target asked for no TLS at all.
    let mut secure = endpoint.security != crate::target::Security::StartTls;
    if endpoint.security == crate::target::Security::StartTls
        && names.iter().any(|c| c == "STARTTLS")
    {
        if session.starttls().await.is_err() {
            return Ok(with_base_names(names));
        }
        names = session.run("CAPABILITY").await?.capabilities();
        names.push("STARTTLS".to_string());
        secure = true;
    }
    if secure && let Ok(account) = cx.account(0) {
        let account = account.clone();
        if session.login(&account).await.is_ok_and(|r| r.is_ok()) {
            names.extend(session.run("CAPABILITY").await?.capabilities());
        }
    }
    session.logout().await;
    Ok(with_base_names(names))
}

/// The names plus the base of each `NAME=value` (`THREAD` for `THREAD=REFS`), AUTH= aside.
fn with_base_names(mut names: Vec<String>) -> Vec<String> {
    for name in names.clone() {
        if let Some((base, _)) = name.split_once('=')
            && !base.starts_with("AUTH")
        {
            names.push(base.to_string());
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Deletes every mailbox named with the run prefix.
async fn cleanup(cx: CheckContext) -> CheckResult {
    let mut session = ImapSession::ready(&cx, 0).await?;
    let reply = session
        .run(&format!(
            "LIST \"\" {}",
            quoted(&format!("{}*", cx.run_prefix()))
        ))
        .await?;
    let names: Vec<String> = reply
        .data()
        .filter_map(|d| match d {
            groupwire_imap::response::Data::List(list) => list.mailbox.decode_utf7().ok(),
            _ => None,
        })
        .collect();
    for name in names {
        let _ = session.run(&format!("DELETE {}", quoted(&name))).await;
    }
    session.logout().await;
    Ok(())
}

static CHECKS: &[crate::engine::Check] = &[
    check!("imap.greeting.ok", Imap, "The server greets with an untagged OK", 9051, "7.1.1", Must,
        "The OK response indicates an information message from the server.  When tagged, it indicates successful completion of the associated command. … The untagged form indicates an information-only message; the nature of the information MAY be indicated by a response code.",
        needs [], faults ["imap-greeting-bad"], accounts 0, basics::greeting),
    check!("imap.capability.revision", Imap, "CAPABILITY lists IMAP4rev2 (or IMAP4rev1)", 9051, "6.1.1", Must,
        "The server MUST send a single untagged CAPABILITY response with \"IMAP4rev2\" as one of the listed capabilities before the (tagged) OK response.",
        needs [], faults ["imap-capability-no-rev"], accounts 0, basics::capability_revision),
    check!("imap.capability.starttls", Imap, "A cleartext port advertises STARTTLS", 9051, "6.1.1", Must,
        "Client and server implementations MUST implement the STARTTLS (Section 6.2.1) and LOGINDISABLED capabilities on cleartext ports.",
        needs [], faults ["imap-no-starttls"], accounts 0, basics::starttls_advertised),
    check!("imap.capability.logindisabled", Imap, "A cleartext port advertises LOGINDISABLED before TLS", 9051, "6.1.1", Must, Deployment,
        "Client and server implementations MUST implement the STARTTLS (Section 6.2.1) and LOGINDISABLED capabilities on cleartext ports.",
        needs [], faults ["imap-login-in-plaintext"], accounts 0, basics::logindisabled),
    check!("imap.login.refused-before-tls", Imap, "LOGIN before STARTTLS is refused without checking the credentials", 9051, "6.2.3", Must, Deployment,
        "Unless the client is accessing IMAP service on an Implicit TLS port [RFC8314], the STARTTLS command has been negotiated, or some other mechanism that protects the session from password snooping has been provided, a server implementation MUST implement a configuration in which it advertises the LOGINDISABLED capability and does NOT permit the LOGIN command.",
        needs [], faults ["imap-login-in-plaintext", "imap-logindisabled-ignored"], accounts 1, basics::login_refused_in_cleartext),
    check!("imap.login.logindisabled-honoured", Imap, "With LOGINDISABLED advertised, LOGIN is NO without checking the credentials", 9051, "7.2.2", Must,
        "The LOGINDISABLED capability indicates that the LOGIN command is disabled, and that the server will respond with a tagged NO response to any attempt to use the LOGIN command even if the user name and password are valid (their validity will not be checked).",
        needs [], faults ["imap-logindisabled-ignored"], accounts 1, basics::logindisabled_honoured),
    check!("imap.authenticate.refused-before-tls", Imap, "AUTHENTICATE PLAIN before STARTTLS is refused without checking the credentials", 9051, "6.2.2", Must, Deployment,
        "Note: a server implementation MUST implement a configuration in which it does NOT permit any plaintext password mechanisms, unless the STARTTLS command has been negotiated, TLS has been negotiated on an Implicit TLS port, or some other mechanism that protects the session from password snooping has been provided.",
        needs [], faults ["imap-login-in-plaintext", "imap-authenticate-in-plaintext"], accounts 1, basics::authenticate_refused_in_cleartext),
    check!("imap.starttls.ok", Imap, "STARTTLS is answered OK and TLS comes up", 9051, "6.2.1", Must,
        "A TLS [TLS-1.3] negotiation begins immediately after the CRLF at the end of the tagged OK response from the server.",
        needs ["STARTTLS"], faults ["imap-starttls-refused"], accounts 0, basics::starttls),
    check!("imap.starttls.discards-plaintext", Imap, "A command pipelined in cleartext behind STARTTLS is not executed", 9051, "6.2.1", Must,
        "In order to avoid this vulnerability, server implementations MUST do one of the following if any data is received in the same TCP buffer after the CRLF that starts the STARTTLS command: 1. Extra data from the TCP buffer is interpreted as the beginning of the TLS handshake. … 2. Extra data from the TCP buffer is thrown away.",
        needs ["STARTTLS"], faults ["imap-starttls-keeps-buffer"], accounts 0, basics::starttls_injection),
    check!("imap.starttls.capability-refreshed", Imap, "After STARTTLS, STARTTLS and LOGINDISABLED are no longer advertised", 9051, "6.2.1", Should,
        "The server MAY advertise different capabilities and, in particular, SHOULD NOT advertise the STARTTLS capability, after a successful STARTTLS command.",
        needs ["STARTTLS"], faults ["imap-starttls-stale-capability"], accounts 0, basics::capability_after_tls),
    check!("imap.implicit-tls.handshake", Imap, "The implicit-TLS port starts with the TLS handshake and greets over TLS", 8314, "3.2", Must,
        "When a TCP connection is established for the \"imaps\" service (default port 993), a TLS handshake begins immediately. … Once the TLS session is established, IMAP [RFC3501] protocol messages are exchanged as TLS application data for the remainder of the TCP connection.",
        needs [], faults ["imap-implicit-tls-plaintext"], accounts 0, implicit_tls::handshake),
    check!("imap.implicit-tls.starttls-not-advertised", Imap, "CAPABILITY on the implicit-TLS port does not list STARTTLS", 8314, "4", Should,
        "However, servers SHOULD NOT advertise STARTTLS if the use of the STARTTLS command by a client is likely to fail (for example, if the server has no server certificate configured).",
        needs [], faults ["imap-implicit-tls-starttls-advertised"], accounts 0, implicit_tls::starttls_not_advertised),
    check!("imap.implicit-tls.starttls-bad", Imap, "STARTTLS on the implicit-TLS port is answered BAD", 9051, "6.2.1", Must,
        "The server MUST always respond with a tagged BAD response when the STARTTLS command is received on an Implicit TLS port.",
        needs [], faults ["imap-implicit-tls-starttls-ok"], accounts 0, implicit_tls::starttls_bad),
    check!("imap.login.ok", Imap, "LOGIN with good credentials over TLS is OK", 9051, "6.2.3", Must,
        "OK -  login completed, now in authenticated state",
        needs [], faults ["imap-login-broken"], accounts 1, basics::login),
    check!("imap.login.bad-password", Imap, "LOGIN with a wrong password is NO", 9051, "6.2.3", Must,
        "NO -  login failure: user name or password rejected",
        needs [], faults ["imap-login-accepts-any-password"], accounts 1, basics::login_bad_password),
    check!("imap.login.capability-code", Imap, "The CAPABILITY code in the tagged OK of LOGIN/AUTHENTICATE matches a CAPABILITY command after it", 9051, "7.1", Must,
        "CAPABILITY Followed by a list of capabilities. … It can also appear in tagged responses to LOGIN or AUTHENTICATE commands.  This makes it unnecessary for a client to send a separate CAPABILITY command if it recognizes this response code and there was no change to the TLS and/or authentication state since it was received.",
        needs [], faults ["imap-login-capability-stale"], accounts 1, basics::capability_code_after_login),
    check!("imap.authenticate.bad-password", Imap, "AUTHENTICATE PLAIN with a wrong password is NO", 9051, "6.2.2", Must,
        "NO -  authenticate failure: unsupported authentication mechanism, credentials rejected",
        needs [], faults ["imap-authenticate-accepts-any-password"], accounts 1, basics::authenticate_bad_password),
    check!("imap.append.continuation", Imap, "A synchronising literal gets a `+` continuation request", 9051, "7.5", Must,
        "The command continuation request response is indicated by a \"+\" token instead of a tag.  This form of response indicates that the server is ready to accept the continuation of a command from the client.",
        needs [], faults ["imap-append-no-continuation"], accounts 1, basics::literal_continuation),
    check!("imap.authenticate.plain", Imap, "AUTHENTICATE PLAIN with a continuation succeeds", 9051, "6.2.2", Must,
        "Client and server implementations MUST also implement AUTH=PLAIN (described in [PLAIN]) capability on both cleartext and Implicit TLS ports.",
        needs ["AUTH=PLAIN"], faults ["imap-authenticate-broken"], accounts 1, basics::authenticate_plain),
    check!("imap.sasl-ir.initial-response", Imap, "AUTHENTICATE PLAIN with an initial response needs no continuation", 4959, "3", Must,
        "If this second argument is present, it represents the contents of the \"initial client response\" defined in Section 5.1 of [RFC4422].",
        needs ["SASL-IR"], faults ["imap-sasl-ir-ignored"], accounts 1, basics::sasl_ir),
    check!("imap.state.command-before-login", Imap, "NAMESPACE in the not-authenticated state is refused", 9051, "3.1", Must,
        "In the not authenticated state, the client MUST supply authentication credentials before most commands will be permitted.",
        needs [], faults ["imap-no-auth-check"], accounts 0, basics::command_before_login),
    check!("imap.state.fetch-without-select", Imap, "FETCH with no mailbox selected is refused", 9051, "3.3", Must,
        "In a selected state, a mailbox has been selected to access.",
        needs [], faults ["imap-no-selected-check"], accounts 1, basics::fetch_without_select),
    check!("imap.logout.bye", Imap, "LOGOUT sends an untagged BYE before the tagged OK", 9051, "6.1.3", Must,
        "The server MUST send a BYE untagged response before the (tagged) OK response, and then close the network connection.",
        needs [], faults ["imap-logout-no-bye"], accounts 1, basics::logout),
    check!("imap.noop.ok", Imap, "NOOP is OK", 9051, "6.1.2", Must,
        "The NOOP command always succeeds.  It does nothing.",
        needs [], faults ["imap-noop-bad"], accounts 1, basics::noop),
    check!("imap.unknown-command.bad", Imap, "An unknown command is BAD", 9051, "7.1.5", Must,
        "The BAD response indicates an error message from the server.  When tagged, it reports a protocol-level error in the client's command; the tag indicates the command that caused the error.",
        needs [], faults ["imap-unknown-command-ok"], accounts 1, basics::unknown_command),
    check!("imap.select.flags", Imap, "SELECT sends FLAGS", 9051, "6.3.2", Must,
        "Before returning an OK to the client, the server MUST send the following untagged data to the client. … FLAGS Defined flags in the mailbox.",
        needs [], faults ["imap-select-no-flags"], accounts 1, mailbox::select_flags),
    check!("imap.select.exists", Imap, "SELECT sends EXISTS", 9051, "6.3.2", Must,
        "Before returning an OK to the client, the server MUST send the following untagged data to the client. … <n> EXISTS The number of messages in the mailbox.",
        needs [], faults ["imap-select-no-exists"], accounts 1, mailbox::select_exists),
    check!("imap.select.uidvalidity", Imap, "SELECT sends UIDVALIDITY", 9051, "6.3.2", Must,
        "Before returning an OK to the client, the server MUST send the following untagged data to the client. … OK [UIDVALIDITY <n>] The unique identifier validity value.",
        needs [], faults ["imap-select-no-uidvalidity"], accounts 1, mailbox::select_uidvalidity),
    check!("imap.select.uidnext", Imap, "SELECT sends UIDNEXT", 9051, "6.3.2", Must,
        "Before returning an OK to the client, the server MUST send the following untagged data to the client. … OK [UIDNEXT <n>] The next unique identifier value.",
        needs [], faults ["imap-select-no-uidnext"], accounts 1, mailbox::select_uidnext),
    check!("imap.select.permanentflags", Imap, "SELECT sends PERMANENTFLAGS", 9051, "6.3.2", Must,
        "Before returning an OK to the client, the server MUST send the following untagged data to the client. … OK [PERMANENTFLAGS (<list of flags>)] A list of message flags that the client can change permanently.",
        needs [], faults ["imap-select-no-permanentflags"], accounts 1, mailbox::select_permanentflags),
    check!("imap.select.read-write", Imap, "SELECT of a writable mailbox completes with [READ-WRITE]", 9051, "6.3.2", Should,
        "If the client is permitted to modify the mailbox, the server SHOULD prefix the text of the tagged OK response with the \"[READ-WRITE]\" response code.",
        needs [], faults ["imap-select-no-read-write"], accounts 1, mailbox::select_read_write),
    check!("imap.examine.read-only", Imap, "EXAMINE completes with [READ-ONLY]", 9051, "6.3.3", Must,
        "The text of the tagged OK response to the EXAMINE command MUST begin with the \"[READ-ONLY]\" response code.",
        needs [], faults ["imap-examine-read-write"], accounts 1, mailbox::examine_read_only),
    check!("imap.select.missing-mailbox", Imap, "SELECT of a missing mailbox is NO", 9051, "6.3.2", Must,
        "NO -  select failure, now in authenticated state: no such mailbox, can't access mailbox",
        needs [], faults ["imap-select-creates"], accounts 1, mailbox::select_missing),
    check!("imap.list.inbox", Imap, "LIST \"\" \"*\" includes INBOX", 9051, "6.3.9", Must,
        "The special name INBOX is included in the output from LIST, if INBOX is supported by this server for this user and if the uppercase string \"INBOX\" matches the interpreted reference and mailbox name arguments with wildcards as described above.",
        needs [], faults ["imap-list-no-inbox"], accounts 1, mailbox::list_inbox),
    check!("imap.list.delimiter", Imap, "LIST \"\" \"\" returns the hierarchy delimiter", 9051, "6.3.9", Must,
        "In the basic syntax only, an empty (\"\" string) mailbox name argument is a special request to return the hierarchy delimiter and the root name of the name given in the reference.",
        needs [], faults ["imap-list-no-delimiter-root"], accounts 1, mailbox::list_delimiter),
    check!("imap.special-use.attributes", Imap, "LIST RETURN (SPECIAL-USE) shows the special-use attributes", 6154, "2", Must,
        "If the client specifies the \"SPECIAL-USE\" return option, the LIST command MUST return the new special-use attributes on those mailboxes that have them set.",
        needs ["SPECIAL-USE"], faults ["imap-special-use-return-ignored"], accounts 1, mailbox::special_use),
    check!("imap.create-delete", Imap, "CREATE makes a mailbox and DELETE removes it", 9051, "6.3.4", Must,
        "The CREATE command creates a mailbox with the given name.  An OK response is returned only if a new mailbox with that name has been created.",
        needs [], faults ["imap-create-ignored"], accounts 1, mailbox::create_delete),
    check!("imap.rename", Imap, "RENAME gives a mailbox its new name", 9051, "6.3.6", Must,
        "The RENAME command changes the name of a mailbox.  A tagged OK response is returned only if the mailbox has been renamed.",
        needs [], faults ["imap-rename-ignored"], accounts 1, mailbox::rename),
    check!("imap.subscribe.lsub", Imap, "SUBSCRIBE makes LSUB list the mailbox", 3501, "6.3.9", Must,
        "The LSUB command returns a subset of names from the set of names that the user has declared as being \"active\" or \"subscribed\".",
        needs [], faults ["imap-subscribe-ignored"], accounts 1, mailbox::subscribe_lsub),
    check!("imap.namespace.personal", Imap, "NAMESPACE returns a personal namespace", 9051, "6.3.10", Must,
        "Responses:    REQUIRED untagged responses:  NAMESPACE",
        needs [], faults ["imap-namespace-empty"], accounts 1, mailbox::namespace),
    check!("imap.status.counts", Imap, "STATUS reports MESSAGES and UIDNEXT matching the mailbox", 9051, "6.3.11", Must,
        "Responses:    REQUIRED untagged responses:  STATUS",
        needs [], faults ["imap-status-wrong-count"], accounts 1, mailbox::status),
    check!("imap.append.stored", Imap, "APPEND with a synchronising literal stores the message", 9051, "6.3.12", Must,
        "The APPEND command appends the literal argument as a new message to the end of the specified destination mailbox.",
        needs [], faults ["imap-append-lost"], accounts 1, messages::append_stored),
    check!("imap.append.flags", Imap, "APPEND with a flag list stores the flags", 9051, "6.3.12", Should,
        "If a flag parenthesized list is specified, the flags SHOULD be set in the resulting message; otherwise, the flag list of the resulting message is set to \"empty\" by default.",
        needs [], faults ["imap-append-drops-flags"], accounts 1, messages::append_flags),
    check!("imap.fetch.flags", Imap, "FETCH FLAGS returns the flags", 9051, "6.4.5", Must,
        "FLAGS The flags that are set for this message.",
        needs [], faults ["imap-fetch-no-flags"], accounts 1, messages::fetch_flags_check),
    check!("imap.fetch.uid", Imap, "FETCH UID returns the UID APPENDUID announced, below UIDNEXT", 9051, "2.3.1.1", Must,
        "The unique identifier of a message MUST NOT change during the session and SHOULD NOT change between sessions.",
        needs [], faults ["imap-fetch-wrong-uid"], accounts 1, messages::fetch_uid_check),
    check!("imap.fetch.internaldate", Imap, "FETCH INTERNALDATE returns a date-time", 9051, "6.4.5", Must,
        "INTERNALDATE The internal date of the message.",
        needs [], faults ["imap-fetch-no-internaldate"], accounts 1, messages::fetch_internaldate),
    check!("imap.fetch.rfc822-size", Imap, "RFC822.SIZE equals the appended octets", 9051, "2.3.4", Must,
        "RFC822.SIZE is the number of octets in the message when the message is expressed in [RFC5322] format.",
        needs [], faults ["imap-fetch-wrong-size"], accounts 1, messages::fetch_size),
    check!("imap.fetch.body", Imap, "BODY.PEEK[] returns exactly the appended message", 9051, "6.4.5", Must,
        "BODY[<section>]<<partial>> The text of a particular body section.",
        needs [], faults ["imap-fetch-body-truncated"], accounts 1, messages::fetch_body),
    check!("imap.fetch.header", Imap, "BODY.PEEK[HEADER] returns the header", 9051, "6.4.5", Must,
        "The HEADER, HEADER.FIELDS, and HEADER.FIELDS.NOT part specifiers refer to the [RFC5322] header of the message or of an encapsulated [MIME-IMT] MESSAGE/RFC822 or MESSAGE/GLOBAL message.",
        needs [], faults ["imap-fetch-header-wrong"], accounts 1, messages::fetch_header),
    check!("imap.fetch.text", Imap, "BODY.PEEK[TEXT] returns the body without the header", 9051, "6.4.5", Must,
        "The TEXT part specifier refers to the text body of the message, omitting the [RFC5322] header.",
        needs [], faults ["imap-fetch-text-wrong"], accounts 1, messages::fetch_text),
    check!("imap.fetch.header-fields", Imap, "BODY.PEEK[HEADER.FIELDS (SUBJECT)] returns only that field", 9051, "6.4.5", Must,
        "HEADER.FIELDS and HEADER.FIELDS.NOT are followed by a list of field-names (as defined in [RFC5322]) and return a subset of the header.",
        needs [], faults ["imap-fetch-header-fields-all"], accounts 1, messages::fetch_header_fields),
    check!("imap.fetch.envelope", Imap, "ENVELOPE carries the subject and From address", 9051, "7.5.2", Must,
        "ENVELOPE A parenthesized list that describes the envelope structure of a message.",
        needs [], faults ["imap-envelope-wrong"], accounts 1, messages::fetch_envelope),
    check!("imap.fetch.bodystructure-multipart", Imap, "BODYSTRUCTURE of a multipart/mixed message lists its parts", 9051, "7.5.2", Must,
        "Multiple parts are indicated by parenthesis nesting.  Instead of a body type as the first element of the parenthesized list, there is a sequence of one or more nested body structures.  The second element of the parenthesized list is the multipart subtype (mixed, digest, parallel, alternative, etc.).",
        needs [], faults ["imap-bodystructure-flat"], accounts 1, messages::fetch_bodystructure),
    check!("imap.fetch.body-part", Imap, "BODY.PEEK[1] returns the first MIME part", 9051, "6.4.5.1", Must,
        "Every message has at least one part number.  Messages that do not use MIME, and MIME messages that are not multipart and have no encapsulated message within them, only have a part 1.",
        needs [], faults ["imap-fetch-part-wrong"], accounts 1, messages::fetch_part),
    check!("imap.fetch.peek-keeps-unseen", Imap, "BODY.PEEK[] does not set \\Seen", 9051, "6.4.5", Must,
        "BODY.PEEK[<section>]<<partial>> An alternate form of BODY[<section>] that does not implicitly set the \\Seen flag.",
        needs [], faults ["imap-peek-sets-seen"], accounts 1, messages::peek_keeps_unseen),
    check!("imap.fetch.body-sets-seen", Imap, "BODY[] sets \\Seen", 9051, "6.4.5", Must,
        "The \\Seen flag is implicitly set; if this causes the flags to change, they SHOULD be included as part of the FETCH responses.",
        needs [], faults ["imap-body-no-seen"], accounts 1, messages::body_sets_seen),
    check!("imap.store.add", Imap, "STORE +FLAGS adds a flag", 9051, "6.4.6", Must,
        "+FLAGS <flag list> Add the argument to the flags for the message.",
        needs [], faults ["imap-store-ignored"], accounts 1, messages::store_add),
    check!("imap.store.remove", Imap, "STORE -FLAGS removes a flag", 9051, "6.4.6", Must,
        "-FLAGS <flag list> Remove the argument from the flags for the message.",
        needs [], faults ["imap-store-remove-ignored"], accounts 1, messages::store_remove),
    check!("imap.store.silent", Imap, "STORE .SILENT sends no FETCH", 9051, "6.4.6", Should,
        "A suffix of \".SILENT\" in the data item name prevents the untagged FETCH, and the server SHOULD assume that the client has determined the updated value itself or does not care about the updated value.",
        needs [], faults ["imap-store-silent-noisy"], accounts 1, messages::store_silent),
    check!("imap.store.keyword", Imap, "A keyword STORE sets is kept when PERMANENTFLAGS allows it", 9051, "7.1", Must,
        "The PERMANENTFLAGS list can also include the special flag \\*, which indicates that it is possible to create new keywords by attempting to store those keywords in the mailbox.",
        needs [], faults ["imap-keywords-dropped"], accounts 1, messages::store_keyword),
    check!("imap.search.all", Imap, "SEARCH ALL finds every message", 9051, "6.4.4", Must,
        "ALL All messages in the mailbox; the default initial key for ANDing.",
        needs [], faults ["imap-search-empty"], accounts 1, messages::search_all),
    check!("imap.search.flags", Imap, "SEARCH SEEN and UNSEEN follow the flags", 9051, "6.4.4", Must,
        "SEEN Messages that have the \\Seen flag set.",
        needs [], faults ["imap-search-ignores-flags"], accounts 1, messages::search_flags),
    check!("imap.search.subject", Imap, "SEARCH SUBJECT matches a header substring", 9051, "6.4.4", Must,
        "SUBJECT <string> Messages that contain the specified string in the envelope structure's SUBJECT field.",
        needs [], faults ["imap-search-ignores-headers"], accounts 1, messages::search_subject),
    check!("imap.search.uid", Imap, "UID SEARCH returns UIDs", 3501, "6.4.8", Must,
        "The interpretation of the arguments is the same as with SEARCH; however, the numbers returned in a SEARCH response for a UID SEARCH command are unique identifiers instead of message sequence numbers.",
        needs [], faults ["imap-uid-search-returns-seq"], accounts 1, messages::uid_search),
    check!("imap.copy.copies", Imap, "COPY puts a copy in the target mailbox", 9051, "6.4.7", Must,
        "The COPY command copies the specified message(s) to the end of the specified destination mailbox.",
        needs [], faults ["imap-copy-lost"], accounts 1, messages::copy),
    check!("imap.uidplus.copyuid", Imap, "COPY answers with COPYUID", 4315, "3", Should,
        "With limited exceptions, discussed below, server implementations that advertise the UIDPLUS extension SHOULD return these response codes.",
        needs ["UIDPLUS"], faults ["imap-no-copyuid"], accounts 1, messages::copyuid),
    check!("imap.uidplus.appenduid", Imap, "APPEND answers with APPENDUID", 4315, "3", Should,
        "With limited exceptions, discussed below, server implementations that advertise the UIDPLUS extension SHOULD return these response codes.",
        needs ["UIDPLUS"], faults ["imap-no-appenduid"], accounts 1, messages::appenduid),
    check!("imap.copy.copyuid", Imap, "COPY answers with COPYUID (IMAP4rev2)", 9051, "6.4.7", Must,
        "On successful completion of a COPY, the server returns a COPYUID response code (see Section 7.1).  Two exceptions to this requirement are listed below.",
        needs ["IMAP4rev2"], faults ["imap-no-copyuid"], accounts 1, messages::copyuid_rev2),
    check!("imap.append.appenduid", Imap, "APPEND answers with APPENDUID (IMAP4rev2)", 9051, "6.3.12", Must,
        "On successful completion of an APPEND, the server returns an APPENDUID response code (see Section 7.1), unless otherwise specified below.",
        needs ["IMAP4rev2"], faults ["imap-no-appenduid"], accounts 1, messages::appenduid_rev2),
    check!("imap.uidplus.uid-expunge", Imap, "UID EXPUNGE removes only the given \\Deleted messages", 4315, "2.1", Must,
        "If a message either does not have the \\Deleted flag set or has a UID that is not included in the specified sequence set, it is not affected.",
        needs ["UIDPLUS"], faults ["imap-uid-expunge-all"], accounts 1, messages::uid_expunge),
    check!("imap.move.moves", Imap, "MOVE adds the message to the target and expunges it from the source", 6851, "3.3", Must,
        "Each message included in the set is moved, rather than copied, from the selected (source) mailbox to the named (target) mailbox.  This means that a new message is created in the target mailbox with a new UID, the original message is removed from the source mailbox, and it appears to the client as a single action.",
        needs ["MOVE"], faults ["imap-move-keeps-source"], accounts 1, messages::move_message),
    check!("imap.expunge.deleted", Imap, "EXPUNGE removes \\Deleted messages with an EXPUNGE each", 9051, "6.4.3", Must,
        "Before returning an OK to the client, an untagged EXPUNGE response is sent for each message that is removed.",
        needs [], faults ["imap-expunge-ignored"], accounts 1, messages::expunge),
    check!("imap.close.expunges", Imap, "CLOSE removes \\Deleted messages silently", 9051, "6.4.1", Must,
        "The CLOSE command permanently removes all messages that have the \\Deleted flag set from the currently selected mailbox, and it returns to the authenticated state from the selected state.  No untagged EXPUNGE responses are sent.",
        needs [], faults ["imap-close-no-expunge"], accounts 1, messages::close),
    check!("imap.unselect.keeps-deleted", Imap, "UNSELECT leaves \\Deleted messages in place", 9051, "6.4.2", Must,
        "This command performs the same actions as CLOSE, except that no messages are permanently removed from the currently selected mailbox.",
        needs [], faults ["imap-unselect-expunges"], accounts 1, messages::unselect),
    check!("imap.uid.stable-across-sessions", Imap, "UIDs and UIDVALIDITY are the same in a second session", 9051, "2.3.1.1", Should,
        "The unique identifier of a message MUST NOT change during the session and SHOULD NOT change between sessions.  Any change of unique identifiers between sessions MUST be detectable using the UIDVALIDITY mechanism discussed below.",
        needs [], faults ["imap-uidvalidity-changes"], accounts 1, sessions::uid_stability),
    check!("imap.session.exists-from-other", Imap, "A message appended in another session shows as EXISTS on NOOP", 9051, "5.2", Must,
        "A server MUST send mailbox size updates automatically if a mailbox size change is observed during the processing of a command.",
        needs [], faults ["imap-no-exists-updates"], accounts 1, sessions::exists_from_other_session),
    check!("imap.idle.wakes", Imap, "IDLE reports a message appended by another session", 2177, "3", Must,
        "The IDLE command remains active until the client responds to the continuation, and as long as an IDLE command is active, the server is now free to send untagged EXISTS, EXPUNGE, and other messages at any time.",
        needs ["IDLE"], faults ["imap-idle-never-wakes"], accounts 1, sessions::idle_wakes),
    check!("imap.idle.done", Imap, "DONE ends IDLE with the tagged OK", 9051, "6.3.13", Must,
        "At that point, the server MAY send any remaining queued untagged responses and then MUST immediately send the tagged response to the IDLE command and prepare to process other commands.",
        needs ["IDLE"], faults ["imap-idle-done-ignored"], accounts 1, sessions::idle_done),
    check!("imap.enable.enabled", Imap, "ENABLE CONDSTORE answers ENABLED", 5161, "3.1", Must,
        "If the ENABLE command is successful, the server MUST send an untagged ENABLED response (see Section 3.2).",
        needs ["ENABLE", "CONDSTORE"], faults ["imap-enable-silent"], accounts 1, extensions::enable),
    check!("imap.condstore.highestmodseq", Imap, "SELECT (CONDSTORE) reports HIGHESTMODSEQ", 7162, "3.1.2", Must,
        "If the mailbox supports the persistent storage of mod-sequences and the mailbox open operation succeeds, the server MUST send an OK untagged response, including the HIGHESTMODSEQ response code.",
        needs ["CONDSTORE"], faults ["imap-no-highestmodseq"], accounts 1, extensions::highestmodseq),
    check!("imap.condstore.modseq-increases", Imap, "STORE raises the message's MODSEQ", 7162, "3.1", Must,
        "This is an opaque value updated by the server whenever a metadata item is modified.",
        needs ["CONDSTORE"], faults ["imap-modseq-static"], accounts 1, extensions::modseq_increases),
    check!("imap.qresync.vanished-earlier", Imap, "SELECT (QRESYNC ...) reports expunged UIDs as VANISHED (EARLIER)", 7162, "3.2.10.1", Must,
        "The VANISHED (EARLIER) response is caused by a UID FETCH (VANISHED) or a SELECT/EXAMINE (QRESYNC) command.",
        needs ["QRESYNC"], faults ["imap-qresync-no-vanished"], accounts 1, extensions::qresync_vanished),
    check!("imap.id.response", Imap, "ID answers with an ID response", 2971, "3.2", Must,
        "A server MUST send a tagged ID response to an ID command.  However, a server MAY send NIL in place of the list.",
        needs ["ID"], faults ["imap-id-no-response"], accounts 1, extensions::id),
    check!("imap.objectid.emailid", Imap, "FETCH EMAILID returns an object id", 8474, "5.1", Must,
        "The server MUST return the same EMAILID for the same triple; hence, EMAILID is immutable.",
        needs ["OBJECTID"], faults ["imap-no-objectid"], accounts 1, extensions::objectid),
    check!("imap.esearch.return", Imap, "SEARCH RETURN (MIN MAX COUNT) answers with ESEARCH", 4731, "3.1", Must,
        "If one or more result options described above are specified, the extended SEARCH command MUST return a single ESEARCH response [IMAPABNF], instead of the SEARCH response.",
        needs ["ESEARCH"], faults ["imap-esearch-plain"], accounts 1, extensions::esearch),
    check!("imap.sort.subject", Imap, "SORT (SUBJECT) and (REVERSE SUBJECT) order the messages", 5256, "3", Must,
        "The SORT command is a variant of SEARCH with sorting semantics for the results.",
        needs ["SORT"], faults ["imap-sort-unsorted"], accounts 1, extensions::sort),
    check!("imap.thread.orderedsubject", Imap, "THREAD ORDEREDSUBJECT groups a reply with its original", 5256, "3", Must,
        "The THREAD command is a variant of SEARCH with threading semantics for the results.",
        needs ["THREAD=ORDEREDSUBJECT"], faults ["imap-thread-flat"], accounts 1, extensions::thread),
    check!("imap.appendlimit.enforced", Imap, "APPEND above APPENDLIMIT is refused before the data", 7889, "2", Must,
        "(a) APPENDLIMIT=<number> This indicates that the IMAP server has the same upload limit for all mailboxes.",
        needs ["APPENDLIMIT"], faults ["imap-appendlimit-ignored"], accounts 1, extensions::appendlimit),
    check!("imap.literal-plus.append", Imap, "APPEND with a non-synchronising literal is accepted without `+`", 7888, "3", Must,
        "This sequence (if found by the receiver) is the octet count of a non-synchronizing literal, and the server MUST treat the specified number of following octets and the following line (as defined in [RFC3501]) as part of the same command.",
        needs ["LITERAL+"], faults ["imap-literal-plus-rejected"], accounts 1, extensions::literal_plus),
    // IMAP depth, issue 10 items 9-16, and the multi-session consistency group.
    check!("imap.esearch.empty-return-is-all", Imap, "SEARCH RETURN () answers ESEARCH ALL", 4731, "3.1", Must,
        "If the list of result options is empty, that requests the server to return an ESEARCH response instead of the SEARCH response.  This is equivalent to \"(ALL)\".",
        needs ["ESEARCH"], faults ["imap-esearch-empty-return-not-all"], accounts 1, search::esearch_empty_return),
    check!("imap.condstore.fetch-modseq-highestmodseq", Imap, "A first FETCH (MODSEQ) with a mailbox selected reports HIGHESTMODSEQ", 7162, "3.1", Must,
        "A first CONDSTORE enabling command executed in the session with a mailbox selected MUST cause the server to return HIGHESTMODSEQ (Section 3.1.2.1) for the mailbox (if any is selected), unless the server has sent a NOMODSEQ (Section 3.1.2.2) response code when the currently selected mailbox was selected.",
        needs ["CONDSTORE"], faults ["imap-condstore-not-enabled-by-fetch"], accounts 1, search::fetch_modseq_highestmodseq),
    check!("imap.condstore.fetch-modseq-enables", Imap, "After FETCH (MODSEQ), the FETCH responses of a STORE carry MODSEQ", 7162, "3.1", Must,
        "Once a client issues a CONDSTORE enabling command, it has announced itself as a \"CONDSTORE-aware client\".  The server MUST then include mod-sequence data in all subsequent untagged FETCH responses (until the connection is closed), whether they were caused by a regular STORE, a STORE with an UNCHANGEDSINCE modifier, or an external agent.",
        needs ["CONDSTORE"], faults ["imap-condstore-not-enabled-by-fetch"], accounts 1, search::fetch_modseq_later_fetches),
    check!("imap.condstore.search-modseq-enables", Imap, "SEARCH MODSEQ enables CONDSTORE (HIGHESTMODSEQ, then MODSEQ in FETCH)", 7162, "3.1", Must,
        "o  a FETCH or SEARCH command that includes the MODSEQ message data item,",
        needs ["CONDSTORE"], faults ["imap-condstore-not-enabled-by-fetch"], accounts 1, search::search_modseq_enables),
    check!("imap.condstore.search-modseq-result", Imap, "A non-empty SEARCH MODSEQ result ends with (MODSEQ n)", 7162, "3.1.5", Must,
        "If the client specifies a MODSEQ criterion in a SEARCH (or UID SEARCH) command and the server returns a non-empty SEARCH result, the server MUST also append (to the end of the untagged SEARCH response) the highest mod-sequence for all messages being returned.",
        needs ["CONDSTORE"], faults ["imap-search-modseq-no-modseq"], accounts 1, search::search_modseq_result),
    check!("imap.esearch.modseq", Imap, "SEARCH RETURN (ALL) MODSEQ answers ESEARCH with the MODSEQ result", 4731, "3.2", Must,
        "When the server supports both the ESEARCH and the CONDSTORE [CONDSTORE] extension, and the client requests one or more result option described in section 3.1 together with the MODSEQ search criterion in the same SEARCH/UID SEARCH command, then the server MUST return the ESEARCH response containing the MODSEQ result option (described in the following paragraph) instead of the extended SEARCH response described in section 3.5 of [CONDSTORE].",
        needs ["ESEARCH", "CONDSTORE"], faults ["imap-search-modseq-no-modseq"], accounts 1, search::esearch_modseq),
    check!("imap.append.internaldate", Imap, "The date-time given with APPEND becomes the INTERNALDATE", 9051, "6.3.12", Should,
        "If a date-time is specified, the internal date SHOULD be set in the resulting message; otherwise, the internal date of the resulting message is set to the current date and time by default.",
        needs [], faults ["imap-append-date-ignored"], accounts 1, search::append_internaldate),
    check!("imap.search.internal-dates", Imap, "BEFORE, ON and SINCE compare the day of the internal date", 9051, "6.4.4", Must,
        "BEFORE <date> Messages whose internal date (disregarding time and timezone) is earlier than the specified date.",
        needs [], faults ["imap-search-dates-ignored", "imap-append-date-ignored"], accounts 1, search::search_internal_dates),
    check!("imap.search.sent-dates", Imap, "SENTBEFORE, SENTON and SENTSINCE compare the Date header's own day, time zone disregarded", 9051, "6.4.4", Must,
        "SENTON <date> Messages whose [RFC5322] Date: header field (disregarding time and timezone) is within the specified date.",
        needs [], faults ["imap-search-dates-ignored", "imap-search-sentdate-utc"], accounts 1, search::search_sent_dates),
    check!("imap.search.header-empty", Imap, "SEARCH HEADER field \"\" matches the messages that have the field, only those", 9051, "6.4.4", Must,
        "If the string to search is zero-length, this matches all messages that have a header field with the specified field-name regardless of the contents.",
        needs [], faults ["imap-search-header-empty-all"], accounts 1, search::search_header_empty),
    check!("imap.search.from-comment", Imap, "SEARCH FROM finds an address written with comments inside it", 9051, "6.4.4", Must,
        "FROM <string> Messages that contain the specified string in the envelope structure's FROM field.",
        needs [], faults ["imap-search-address-raw"], accounts 1, search::search_from_comment),
    check!("imap.sort.date", Imap, "SORT (DATE) orders by the sent date in UTC, INTERNALDATE when there is no Date", 5256, "2.2", Must,
        "As used in this document, the term \"sent date\" refers to the date and time from the Date: header, adjusted by time zone to normalize to UTC. … If the sent date cannot be determined (a Date: header is missing or cannot be parsed), the INTERNALDATE for that message is used as the sent date.",
        needs ["SORT"], faults ["imap-sort-date-arrival", "imap-sort-date-ignores-zone"], accounts 1, sort::sort_date),
    check!("imap.sort.arrival", Imap, "SORT (ARRIVAL) orders by INTERNALDATE", 5256, "3", Must,
        "ARRIVAL Internal date and time of the message.",
        needs ["SORT"], faults ["imap-sort-arrival-uid", "imap-append-date-ignored"], accounts 1, sort::sort_arrival),
    check!("imap.sort.reverse-tiebreak", Imap, "REVERSE leaves equal keys in ascending sequence order", 5256, "3", Must,
        "Note: REVERSE only reverses a single criterion, and does not affect the implicit \"sequence number\" sort criterion if all other criteria are identical.",
        needs ["SORT"], faults ["imap-sort-reverse-tiebreak"], accounts 1, sort::sort_reverse_tiebreak),
    check!("imap.sort.from", Imap, "SORT (FROM) compares the first From address's mailbox", 5256, "3", Must,
        "FROM [IMAP] addr-mailbox of the first \"From\" address.",
        needs ["SORT"], faults ["imap-sort-from-whole-address"], accounts 1, sort::sort_from),
    check!("imap.sort.to", Imap, "SORT (TO) compares the first To address's mailbox", 5256, "3", Must,
        "TO [IMAP] addr-mailbox of the first \"To\" address.",
        needs ["SORT"], faults ["imap-sort-to-cc-ignored"], accounts 1, sort::sort_to),
    check!("imap.sort.cc", Imap, "SORT (CC) compares the first Cc address's mailbox", 5256, "3", Must,
        "CC [IMAP] addr-mailbox of the first \"cc\" address.",
        needs ["SORT"], faults ["imap-sort-to-cc-ignored"], accounts 1, sort::sort_cc),
    check!("imap.sort.base-subject", Imap, "SORT (SUBJECT) orders by the base subject (encoded words, Re:, Fwd:, [tag], (fwd), [fwd: ...])", 5256, "2.1", Must,
        "All servers and disconnected (as described in [IMAP-MODELS]) clients MUST use exactly this algorithm to determine the \"base subject\".",
        needs ["SORT"], faults ["imap-base-subject-simple"], accounts 1, sort::sort_base_subject),
    check!("imap.thread.orderedsubject-shape", Imap, "THREAD ORDEREDSUBJECT groups by base subject, sorts by sent date, the first message the parent of the rest", 5256, "3", Must,
        "The searched messages are sorted by base subject and then by the sent date.  The messages are then split into separate threads, with each thread containing messages with the same base subject text.  Finally, the threads are sorted by the sent date of the first message in the thread.",
        needs ["THREAD=ORDEREDSUBJECT"], faults ["imap-thread-flat", "imap-base-subject-simple"], accounts 1, sort::thread_orderedsubject),
    check!("imap.select.flags-keywords", Imap, "FLAGS on SELECT lists the keywords in use", 9051, "6.3.2", Must,
        "Before returning an OK to the client, the server MUST send the following untagged data to the client. … FLAGS Defined flags in the mailbox.",
        needs [], faults ["imap-keywords-not-in-flags"], accounts 1, consistency::select_flags_keywords),
    check!("imap.flags.new-keyword", Imap, "A keyword new to the mailbox is announced with FLAGS before a FETCH shows it", 9051, "7.3.5", Should,
        "The flag parenthesized list identifies the flags (at a minimum, the system-defined flags) that are applicable for this mailbox.",
        needs [], faults ["imap-new-keyword-no-flags", "imap-keywords-not-in-flags"], accounts 1, consistency::new_keyword_flags),
    check!("imap.consistency.flags-from-other", Imap, "A flag another session stores is reported on NOOP", 9051, "5.2", Should,
        "A server SHOULD send message flag updates automatically, without requiring the client to request such updates explicitly.",
        needs [], faults ["imap-other-session-flags-unseen"], accounts 1, consistency::flags_from_other),
    check!("imap.consistency.keyword-from-other", Imap, "A keyword another session uses first is announced with FLAGS", 9051, "7.3.5", Should,
        "The flag parenthesized list identifies the flags (at a minimum, the system-defined flags) that are applicable for this mailbox.",
        needs [], faults ["imap-new-keyword-no-flags"], accounts 1, consistency::keyword_from_other),
    check!("imap.consistency.expunge-seen-by-all", Imap, "An expunge is reported to two other sessions, which then agree on the UIDs", 9051, "5.2", Must,
        "A server MUST send mailbox size updates automatically if a mailbox size change is observed during the processing of a command.",
        needs [], faults ["imap-other-session-expunge-unseen"], accounts 1, consistency::expunge_seen_by_all),
    check!("imap.consistency.modseq-from-other", Imap, "Another session's flag change reaches a CONDSTORE session with its MODSEQ", 7162, "3.1", Must,
        "Once a client issues a CONDSTORE enabling command, it has announced itself as a \"CONDSTORE-aware client\".  The server MUST then include mod-sequence data in all subsequent untagged FETCH responses (until the connection is closed), whether they were caused by a regular STORE, a STORE with an UNCHANGEDSINCE modifier, or an external agent.",
        needs ["CONDSTORE"], faults ["imap-unsolicited-fetch-no-modseq", "imap-other-session-flags-unseen"], accounts 1, consistency::modseq_from_other),
];
