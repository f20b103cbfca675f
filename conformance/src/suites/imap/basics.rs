//! Greeting, capabilities, STARTTLS, authentication and the state machine.

use std::collections::BTreeSet;
use std::time::Duration;

use groupwire_imap::Encode;
use groupwire_imap::response::status::Status;
use groupwire_imap::response::{Data, Response};

use groupwire_imap::response::code::Code;

use super::session::{ImapSession, Reply, imap_endpoint, literal, quoted, show};
use crate::engine::{CheckContext, CheckResult, Finding};
use crate::target::{Account, Security};

fn starttls_endpoint(cx: &CheckContext) -> Result<(), Finding> {
    if imap_endpoint(cx)?.security == Security::StartTls {
        Ok(())
    } else {
        Err(Finding::skip(
            "the IMAP endpoint is not a cleartext (STARTTLS) endpoint",
        ))
    }
}

/// The greeting is an untagged OK (or PREAUTH).
pub async fn greeting(cx: CheckContext) -> CheckResult {
    let session = ImapSession::connect(&cx).await?;
    let ok = matches!(&session.greeting, Response::Status(s) if s.tag.is_none() && matches!(s.status, Status::Ok | Status::PreAuth));
    let shown = show(&session.greeting);
    session.logout().await;
    if ok {
        Ok(())
    } else {
        Err(Finding::violation("an untagged OK greeting", shown))
    }
}

/// CAPABILITY lists IMAP4rev2 (or IMAP4rev1 for an RFC 3501 server).
pub async fn capability_revision(cx: CheckContext) -> CheckResult {
    let mut session = ImapSession::secure(&cx).await?;
    let reply = session.run("CAPABILITY").await?;
    session.logout().await;
    let caps = reply.capabilities();
    if caps.iter().any(|c| c == "IMAP4REV2" || c == "IMAP4REV1") {
        Ok(())
    } else {
        Err(Finding::violation(
            "IMAP4rev2 (or IMAP4rev1) in CAPABILITY",
            format!("{caps:?}"),
        ))
    }
}

/// The cleartext port advertises STARTTLS.
pub async fn starttls_advertised(cx: CheckContext) -> CheckResult {
    starttls_endpoint(&cx)?;
    let mut session = ImapSession::connect(&cx).await?;
    let reply = session.run("CAPABILITY").await?;
    session.logout().await;
    if reply.capabilities().iter().any(|c| c == "STARTTLS") {
        Ok(())
    } else {
        Err(Finding::violation(
            "STARTTLS in CAPABILITY on the cleartext port",
            format!("{:?}", reply.capabilities()),
        ))
    }
}

/// The cleartext port advertises LOGINDISABLED.
pub async fn logindisabled(cx: CheckContext) -> CheckResult {
    starttls_endpoint(&cx)?;
    let mut session = ImapSession::connect(&cx).await?;
    let reply = session.run("CAPABILITY").await?;
    session.logout().await;
    if reply.capabilities().iter().any(|c| c == "LOGINDISABLED") {
        Ok(())
    } else {
        Err(Finding::violation(
            "LOGINDISABLED before TLS",
            format!("{:?}", reply.capabilities()),
        ))
    }
}

/// Whether a reply to LOGIN or AUTHENTICATE shows the server checked the credentials: it
/// accepted them, or rejected them as wrong (`[AUTHENTICATIONFAILED]`) where it should have
/// refused to look (`[PRIVACYREQUIRED]`, BAD, or a NO that does not judge them).
fn credentials_processed(reply: &Reply) -> bool {
    reply.is_ok()
        || reply
            .tagged
            .text
            .code
            .as_ref()
            .is_some_and(|code| matches!(code, Code::AuthenticationFailed))
}

/// LOGIN before TLS is refused, whatever is advertised: tried with a wrong password (the real
/// one never travels in plaintext), and judged by whether the server checked it.
pub async fn login_refused_in_cleartext(cx: CheckContext) -> CheckResult {
    starttls_endpoint(&cx)?;
    let account = cx.account(0)?.with_wrong_password();
    let mut session = ImapSession::connect(&cx).await?;
    let reply = session.login(&account).await?;
    session.logout().await;
    if credentials_processed(&reply) {
        Err(Finding::violation(
            "LOGIN refused before STARTTLS without checking the credentials (NO [PRIVACYREQUIRED] or BAD)",
            format!(
                "the credentials were checked in plaintext: {}",
                reply.show_tagged()
            ),
        ))
    } else {
        Ok(())
    }
}

/// A server that advertises LOGINDISABLED answers LOGIN with NO without checking the
/// credentials.
pub async fn logindisabled_honoured(cx: CheckContext) -> CheckResult {
    starttls_endpoint(&cx)?;
    let account = cx.account(0)?.with_wrong_password();
    let mut session = ImapSession::connect(&cx).await?;
    let caps = session.run("CAPABILITY").await?.capabilities();
    if !caps.iter().any(|c| c == "LOGINDISABLED") {
        session.logout().await;
        return Err(Finding::skip(
            "LOGINDISABLED is not advertised before STARTTLS",
        ));
    }
    let reply = session.login(&account).await?;
    session.logout().await;
    if reply.status() == Status::No && !credentials_processed(&reply) {
        Ok(())
    } else {
        Err(Finding::violation(
            "NO to LOGIN without checking the credentials, as LOGINDISABLED announces",
            reply.show_tagged(),
        ))
    }
}

/// AUTHENTICATE PLAIN before TLS is refused, whatever is advertised: tried with a wrong
/// password, judged by whether the server checked it.
pub async fn authenticate_refused_in_cleartext(cx: CheckContext) -> CheckResult {
    starttls_endpoint(&cx)?;
    let account = cx.account(0)?.with_wrong_password();
    let mut session = ImapSession::connect(&cx).await?;
    let reply = session.authenticate_plain(&account).await?;
    session.logout().await;
    if credentials_processed(&reply) {
        Err(Finding::violation(
            "AUTHENTICATE PLAIN refused before STARTTLS without checking the credentials",
            format!(
                "the credentials were checked in plaintext: {}",
                reply.show_tagged()
            ),
        ))
    } else {
        Ok(())
    }
}

/// STARTTLS is answered OK and TLS comes up.
pub async fn starttls(cx: CheckContext) -> CheckResult {
    starttls_endpoint(&cx)?;
    let mut session = ImapSession::connect(&cx).await?;
    session.starttls().await?;
    let reply = session.run("NOOP").await?;
    session.logout().await;
    if reply.is_ok() {
        Ok(())
    } else {
        Err(Finding::violation(
            "OK to NOOP over TLS",
            reply.show_tagged(),
        ))
    }
}

/// A command pipelined in cleartext behind STARTTLS is not executed.
pub async fn starttls_injection(cx: CheckContext) -> CheckResult {
    starttls_endpoint(&cx)?;
    let mut session = ImapSession::connect(&cx).await?;
    session.conn.send(b"gs1 STARTTLS\r\ngs2 NOOP\r\n").await?;
    loop {
        match session.read().await? {
            Response::Status(s) if s.tag.as_ref().is_some_and(|t| t.as_str() == "gs1") => {
                if s.status != Status::Ok {
                    let shown = show(&Response::Status(s));
                    session.logout().await;
                    return Err(super::session::starttls_blocked(
                        &cx,
                        Finding::violation("OK to STARTTLS", shown),
                    ));
                }
                break;
            }
            _ => {}
        }
    }
    if let Err(error) = session.conn.start_tls().await {
        session
            .conn
            .note(format!("handshake refused after injected bytes: {error}"));
        return Ok(());
    }
    let unsolicited = session.read_within(Duration::from_millis(700)).await?;
    session.logout().await;
    match unsolicited {
        Some(Response::Status(s)) if s.tag.as_ref().is_some_and(|t| t.as_str() == "gs2") => {
            Err(Finding::violation(
                "the cleartext NOOP discarded",
                "it was executed over TLS (tagged gs2 response)",
            ))
        }
        _ => Ok(()),
    }
}

/// After STARTTLS, CAPABILITY no longer lists STARTTLS or LOGINDISABLED.
pub async fn capability_after_tls(cx: CheckContext) -> CheckResult {
    starttls_endpoint(&cx)?;
    let mut session = ImapSession::secure(&cx).await?;
    let reply = session.run("CAPABILITY").await?;
    session.logout().await;
    let caps = reply.capabilities();
    if caps.iter().any(|c| c == "STARTTLS" || c == "LOGINDISABLED") {
        Err(Finding::violation(
            "neither STARTTLS nor LOGINDISABLED after TLS",
            format!("{caps:?}"),
        ))
    } else {
        Ok(())
    }
}

/// LOGIN with good credentials over TLS is OK.
pub async fn login(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut session = ImapSession::secure(&cx).await?;
    let reply = session.login(&account).await?;
    session.logout().await;
    if reply.is_ok() {
        Ok(())
    } else {
        Err(Finding::violation("OK to LOGIN", reply.show_tagged()))
    }
}

/// LOGIN with a wrong password is NO: accepting it is an authentication bypass.
pub async fn login_bad_password(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.with_wrong_password();
    let mut session = ImapSession::secure(&cx).await?;
    let reply = session.login(&account).await?;
    session.logout().await;
    if reply.status() == Status::No {
        Ok(())
    } else {
        Err(Finding::violation(
            "NO to LOGIN with a wrong password",
            bypass(&reply),
        ))
    }
}

/// AUTHENTICATE PLAIN with a wrong password is NO.
pub async fn authenticate_bad_password(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.with_wrong_password();
    let mut session = ImapSession::secure(&cx).await?;
    let reply = session.authenticate_plain(&account).await?;
    session.logout().await;
    if reply.status() == Status::No {
        Ok(())
    } else {
        Err(Finding::violation(
            "NO to AUTHENTICATE PLAIN with a wrong password",
            bypass(&reply),
        ))
    }
}

fn bypass(reply: &Reply) -> String {
    if reply.is_ok() {
        format!(
            "the wrong password was accepted (authentication bypass): {}",
            reply.show_tagged()
        )
    } else {
        reply.show_tagged()
    }
}

/// `finding`, unless AUTHENTICATE rejected the credentials themselves and LOGIN rejects them
/// too: then the target's credentials are wrong, which imap.login.ok reports once.
async fn credentials_or(
    cx: &CheckContext,
    account: &Account,
    reply: &Reply,
    finding: Finding,
) -> Finding {
    if !credentials_processed(reply) {
        return finding;
    }
    let login = async {
        let mut session = ImapSession::secure(cx).await?;
        let login = session.login(account).await?;
        session.logout().await;
        Ok::<_, Finding>(login)
    };
    match login.await {
        Ok(login) if !login.is_ok() => Finding::blocked(
            super::session::LOGIN_OWNER,
            cx.check().map(|c| c.id),
            format!("OK to LOGIN as {}", account.user),
            login.show_tagged(),
        ),
        _ => finding,
    }
}

fn plain(account: &crate::target::Account) -> String {
    let message = groupwire_smtp::auth::plain_message("", &account.user, account.password.expose());
    groupwire_smtp::auth::base64_encode(&message)
}

/// AUTHENTICATE PLAIN with a continuation succeeds.
pub async fn authenticate_plain(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut session = ImapSession::secure(&cx).await?;
    let reply = session.authenticate_plain(&account).await?;
    session.logout().await;
    if reply.continuations == 0 {
        Err(Finding::violation(
            "a `+` continuation request",
            reply.show_all(),
        ))
    } else if !reply.is_ok() {
        Err(credentials_or(
            &cx,
            &account,
            &reply,
            Finding::violation("OK to AUTHENTICATE PLAIN", reply.show_tagged()),
        )
        .await)
    } else {
        Ok(())
    }
}

/// AUTHENTICATE PLAIN with an initial response (SASL-IR) succeeds without a continuation.
pub async fn sasl_ir(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut session = ImapSession::secure(&cx).await?;
    let text = format!("AUTHENTICATE PLAIN {}", plain(&account));
    let reply = session
        .run_with(
            text.as_bytes(),
            groupwire_imap::command::LiteralPolicy::Synchronizing,
            true,
        )
        .await;
    let reply = match reply {
        Ok(reply) => reply,
        Err(Finding::Harness(reason)) => {
            return Err(Finding::violation(
                "OK without a continuation request",
                format!("no completion: {reason}"),
            ));
        }
        Err(other) => return Err(other),
    };
    let after = session.run("NOOP").await;
    session.logout().await;
    if !(reply.is_ok() && reply.continuations == 0) {
        return Err(credentials_or(
            &cx,
            &account,
            &reply,
            Finding::violation(
                "OK to AUTHENTICATE PLAIN <initial response>",
                reply.show_all(),
            ),
        )
        .await);
    }
    match after {
        Ok(noop) if noop.is_ok() => Ok(()),
        Ok(noop) => Err(Finding::violation(
            "the session to go on (OK to NOOP after AUTHENTICATE)",
            noop.show_all(),
        )),
        Err(error) => Err(Finding::violation(
            "the session to go on (OK to NOOP after AUTHENTICATE)",
            error.to_string(),
        )),
    }
}

/// NAMESPACE (an authenticated-state command) before login is refused.
pub async fn command_before_login(cx: CheckContext) -> CheckResult {
    let mut session = ImapSession::secure(&cx).await?;
    let reply = session.run("NAMESPACE").await?;
    session.logout().await;
    if reply.is_ok() {
        Err(Finding::violation(
            "BAD or NO to NAMESPACE in the not-authenticated state",
            reply.show_tagged(),
        ))
    } else {
        Ok(())
    }
}

/// FETCH with no mailbox selected is refused.
pub async fn fetch_without_select(cx: CheckContext) -> CheckResult {
    let mut session = ImapSession::ready(&cx, 0).await?;
    let reply = session.run("FETCH 1 (FLAGS)").await?;
    session.logout().await;
    if reply.is_ok() {
        Err(Finding::violation(
            "BAD or NO to FETCH in the authenticated state",
            reply.show_tagged(),
        ))
    } else {
        Ok(())
    }
}

/// LOGOUT sends an untagged BYE then the tagged OK.
pub async fn logout(cx: CheckContext) -> CheckResult {
    let mut session = ImapSession::ready(&cx, 0).await?;
    let reply = session.run("LOGOUT").await?;
    session.conn.close().await;
    let bye = reply
        .untagged
        .iter()
        .any(|r| matches!(r, Response::Status(s) if s.status == Status::Bye));
    if bye && reply.is_ok() {
        Ok(())
    } else {
        Err(Finding::violation(
            "* BYE then OK to LOGOUT",
            reply.show_all(),
        ))
    }
}

/// NOOP is OK in every state.
pub async fn noop(cx: CheckContext) -> CheckResult {
    let mut session = ImapSession::ready(&cx, 0).await?;
    let reply = session.run("NOOP").await?;
    session.logout().await;
    if reply.is_ok() {
        Ok(())
    } else {
        Err(Finding::violation("OK to NOOP", reply.show_tagged()))
    }
}

/// An unknown command is BAD.
pub async fn unknown_command(cx: CheckContext) -> CheckResult {
    let mut session = ImapSession::ready(&cx, 0).await?;
    let reply = session.run("XGROUPWIREUNKNOWN").await?;
    session.logout().await;
    if reply.status() == Status::Bad {
        Ok(())
    } else {
        Err(Finding::violation(
            "BAD to an unknown command",
            reply.show_tagged(),
        ))
    }
}

/// APPEND's synchronising literal gets exactly one `+` continuation request.
pub async fn literal_continuation(cx: CheckContext) -> CheckResult {
    let mut scratch = super::fixture::Scratch::new(&cx, 0, false, false).await?;
    let mut text = format!("APPEND {} ", quoted(&scratch.mailbox)).into_bytes();
    text.extend_from_slice(&literal(&super::fixture::plain_message(&cx, 0)));
    scratch
        .session
        .conn
        .set_read_timeout(Duration::from_secs(2));
    let reply = scratch
        .session
        .run_with(
            &text,
            groupwire_imap::command::LiteralPolicy::Synchronizing,
            false,
        )
        .await;
    let result = match reply {
        Ok(reply) if reply.is_ok() && reply.continuations == 1 => Ok(()),
        Ok(reply) => Err(Finding::violation(
            "one `+` for the literal, then OK",
            reply.show_all(),
        )),
        Err(Finding::Harness(reason)) => Err(Finding::violation(
            "a `+` continuation request for the literal",
            reason,
        )),
        Err(other) => Err(other),
    };
    scratch.finish(result).await
}

/// The capability names of a CAPABILITY code in the tagged completion, upper-cased; `None`
/// without one.
fn tagged_capability_code(reply: &Reply) -> Option<BTreeSet<String>> {
    match reply.tagged.text.code.as_ref()? {
        Code::Capability(caps) => Some(
            caps.iter()
                .map(|c| String::from_utf8_lossy(&c.to_bytes()).to_ascii_uppercase())
                .collect(),
        ),
        _ => None,
    }
}

/// The CAPABILITY code in the tagged OK of LOGIN and of AUTHENTICATE lists what a CAPABILITY
/// command right after it lists.
pub async fn capability_code_after_login(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let mut compared = Vec::new();
    let mut differences = Vec::new();
    for command in ["LOGIN", "AUTHENTICATE"] {
        let mut session = ImapSession::secure(&cx).await?;
        let reply = if command == "LOGIN" {
            session.login(&account).await?
        } else {
            session.authenticate_plain(&account).await?
        };
        if !reply.is_ok() {
            session.logout().await;
            if command == "LOGIN" {
                return Err(Finding::blocked(
                    super::session::LOGIN_OWNER,
                    cx.check().map(|c| c.id),
                    format!("OK to LOGIN as {}", account.user),
                    reply.show_tagged(),
                ));
            }
            // AUTHENTICATE PLAIN is imap.authenticate.plain's to judge.
            continue;
        }
        let Some(code) = tagged_capability_code(&reply) else {
            session.logout().await;
            continue;
        };
        let listed: BTreeSet<String> = session
            .run("CAPABILITY")
            .await?
            .data()
            .filter_map(|d| match d {
                Data::Capability(caps) => Some(caps),
                _ => None,
            })
            .flatten()
            .map(|c| String::from_utf8_lossy(&c.to_bytes()).to_ascii_uppercase())
            .collect();
        session.logout().await;
        compared.push(command);
        if code != listed {
            let only_code: Vec<&String> = code.difference(&listed).collect();
            let only_command: Vec<&String> = listed.difference(&code).collect();
            differences.push(format!(
                "{command}: only in the code {only_code:?}, only in CAPABILITY {only_command:?}"
            ));
        }
    }
    if compared.is_empty() {
        return Err(Finding::skip(
            "neither LOGIN nor AUTHENTICATE completed with a CAPABILITY code (it is optional)",
        ));
    }
    if differences.is_empty() {
        Ok(())
    } else {
        Err(Finding::violation(
            "the CAPABILITY code of the tagged OK to list what CAPABILITY lists right after",
            differences.join("; "),
        ))
    }
}
