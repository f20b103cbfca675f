//! Submission policy (RFC 6409, RFC 5321 §7.3): no relaying for a client that has not logged
//! in, no address harvesting through VRFY or EXPN, and no XCLIENT/XFORWARD (client attributes
//! a client sets itself) for a client that has not logged in. All run on every submission endpoint the
//! target names (587 and 465), after TLS, without logging in. The relay probe stops at RCPT:
//! no message is ever sent.

use super::services::{Kind, Verdicts, services_of};
use crate::engine::{CheckContext, CheckResult, Finding, Protocol};
use crate::suites::smtp::session::{SmtpSession, code, mail_from, rcpt_to, show};

/// An address outside any domain the server can be responsible for (RFC 2606 `.invalid`).
const OUTSIDE_SENDER: &str = "relay-probe@groupwire-outside.invalid";
/// A recipient outside the target's domains.
const OUTSIDE_RECIPIENT: &str = "relay-victim@groupwire-elsewhere.invalid";

/// Runs `probe` on a fresh session (after TLS, not logged in) to every submission endpoint;
/// `Some(what)` from a probe is a bad finding on that endpoint. The verdicts, or
/// [`Finding::NotRun`] when the target names no submission endpoint.
async fn on_each_submission<F, Fut>(cx: &CheckContext, probe: F) -> Result<Verdicts, Finding>
where
    F: Fn(SmtpSession) -> Fut,
    Fut: Future<Output = Result<Option<String>, Finding>>,
{
    let mut verdicts = Verdicts::default();
    let mut any = false;
    for service in services_of(cx)?
        .into_iter()
        .filter(|s| s.kind == Kind::Smtp)
    {
        any = true;
        let result = match SmtpSession::secure_to(cx, &service.endpoint).await {
            Ok(session) => probe(session).await,
            Err(finding) => Err(finding),
        };
        match result {
            Ok(Some(what)) => verdicts.bad(&service, what),
            Ok(None) => {}
            Err(finding) => verdicts.error(finding),
        }
    }
    if !any {
        return Err(Finding::not_run("the target names no submission endpoint"));
    }
    Ok(verdicts)
}

/// `security.smtp.open-relay-refused`: unauthenticated `MAIL FROM` an outside address and
/// `RCPT TO` an outside address must not both be accepted.
pub async fn open_relay_refused(cx: CheckContext) -> CheckResult {
    let verdicts = on_each_submission(&cx, |mut session| async move {
        let mail = session
            .command(&mail_from(Some(OUTSIDE_SENDER), ""))
            .await?;
        if code(&mail) >= 400 {
            session.quit().await;
            return Ok(None);
        }
        let rcpt = session.command(&rcpt_to(OUTSIDE_RECIPIENT)).await?;
        let relayed = code(&rcpt) < 400;
        let _ = session.raw(b"RSET\r\n").await;
        session.quit().await;
        Ok(relayed.then(|| format!("open relay: MAIL {} then RCPT {}", show(&mail), show(&rcpt))))
    })
    .await?;
    verdicts.finish(&format!(
        "MAIL FROM:<{OUTSIDE_SENDER}> or RCPT TO:<{OUTSIDE_RECIPIENT}> refused without authentication"
    ))
}

/// `security.smtp.vrfy-not-open`: `VRFY` of the first account's local part and of a name no
/// account has, unauthenticated: a confirmation (250/251) of the first, or different reply
/// codes for the two (Postfix: 252 for a user, 550 for a stranger), tells an anonymous client
/// which accounts exist. The same answer for both (252 "cannot verify", 502, 530) passes.
pub async fn vrfy_not_open(cx: CheckContext) -> CheckResult {
    address_probe_not_open(cx, "VRFY").await
}

/// `security.smtp.expn-not-open`: `EXPN` judged as `VRFY` is: an expansion (250/251) of the
/// first account's local part, or a different answer for it than for a stranger, tells an
/// anonymous client which names exist (and, for a list, who is on it).
pub async fn expn_not_open(cx: CheckContext) -> CheckResult {
    address_probe_not_open(cx, "EXPN").await
}

/// `verb` (VRFY or EXPN) of a user and of a stranger on every submission endpoint.
async fn address_probe_not_open(cx: CheckContext, verb: &str) -> CheckResult {
    let account = cx.account(0)?.clone();
    let local = account
        .address
        .split('@')
        .next()
        .unwrap_or(&account.address)
        .to_string();
    let stranger = format!("{}-nobody", cx.run_prefix());
    let verdicts = on_each_submission(&cx, |mut session| {
        let (local, stranger) = (local.clone(), stranger.clone());
        async move {
            let known = session
                .raw(format!("{verb} {local}\r\n").as_bytes())
                .await?;
            let unknown = session
                .raw(format!("{verb} {stranger}\r\n").as_bytes())
                .await?;
            session.quit().await;
            let leaks = matches!(code(&known), 250 | 251) || code(&known) != code(&unknown);
            Ok(leaks.then(|| {
                format!(
                    "{verb} {local}: {}; {verb} {stranger}: {}",
                    show(&known),
                    show(&unknown)
                )
            }))
        }
    })
    .await?;
    verdicts.finish_as_quirk(&format!(
        "{verb} to answer a client that has not logged in the same for users and strangers"
    ))
}

/// `security.smtp.xclient-not-offered`: Postfix's XCLIENT lets a client claim another
/// client's address and name (and so a trusted network's relay rights). Offered to any
/// client, it undoes IP-based authorisation; it is judged by what the server does, not only
/// by its EHLO: `XCLIENT NAME=...` answered 220 (a new greeting) was executed.
pub async fn xclient_not_offered(cx: CheckContext) -> CheckResult {
    attribute_override_not_offered(cx, "XCLIENT", 220).await
}

/// `security.smtp.xforward-not-offered`: Postfix's XFORWARD lets a client set the client
/// attributes that content filters and logs see; `XFORWARD NAME=...` answered 250 was
/// accepted.
pub async fn xforward_not_offered(cx: CheckContext) -> CheckResult {
    attribute_override_not_offered(cx, "XFORWARD", 250).await
}

/// `verb` (XCLIENT or XFORWARD) advertised in EHLO, or `verb NAME=...` answered `accepted`,
/// on any submission endpoint to a client that has not logged in.
async fn attribute_override_not_offered(
    cx: CheckContext,
    verb: &str,
    accepted: u16,
) -> CheckResult {
    let verdicts = on_each_submission(&cx, |mut session| async move {
        let advertised = session.advertises(verb);
        let answer = session
            .raw(format!("{verb} NAME=spoofed.groupwire.invalid\r\n").as_bytes())
            .await?;
        session.quit().await;
        let executed = code(&answer) == accepted;
        Ok((advertised || executed).then(|| {
            format!(
                "EHLO {} {verb}; {verb} NAME=spoofed.groupwire.invalid: {}",
                if advertised {
                    "advertises"
                } else {
                    "does not advertise"
                },
                show(&answer)
            )
        }))
    })
    .await?;
    verdicts.finish_as_quirk(&format!(
        "{verb} neither advertised nor accepted for a client that has not logged in"
    ))
}

/// `security.smtp.sender-authorised`: logged in as the first account, `MAIL FROM` the second
/// account's address (and a `From:` header with it). A refusal at MAIL, RCPT or the end of
/// data passes; acceptance of the whole message is reported as a warning (RFC 6409 §6.1
/// makes the refusal a MAY). The message, when accepted, goes to the first account.
pub async fn sender_authorised(cx: CheckContext) -> CheckResult {
    let account = cx.account(0)?.clone();
    let other = cx.account(1)?.clone();
    if account.address.eq_ignore_ascii_case(&other.address) {
        return Err(Finding::not_run("the two accounts share one address"));
    }
    // The submission endpoint of the target, as the SMTP suite's sessions find it.
    let smtp_cx = cx.with_settings(cx.env().settings.clone(), Protocol::Smtp);
    let mut session = SmtpSession::ready(&smtp_cx, &account).await?;
    let mail = session
        .command(&mail_from(Some(&other.address), ""))
        .await?;
    if code(&mail) >= 400 {
        cx.note(format!("refused at MAIL: {}", show(&mail)));
        session.quit().await;
        return Ok(());
    }
    let rcpt = session.command(&rcpt_to(&account.address)).await?;
    if code(&rcpt) >= 400 {
        cx.note(format!("refused at RCPT: {}", show(&rcpt)));
        session.quit().await;
        return Ok(());
    }
    let marker = cx.scratch_name("spoof");
    let message = format!(
        "From: <{}>\r\nTo: <{}>\r\nSubject: {marker}\r\nMessage-ID: <{marker}@groupwire.invalid>\r\n\
         Date: {}\r\nX-Groupwire-Check: sender-authorisation\r\n\r\nSent by {} as {}.\r\n",
        other.address,
        account.address,
        chrono::Utc::now().to_rfc2822(),
        account.user,
        other.address,
    );
    let end = match session.data(message.as_bytes()).await {
        Ok(reply) => reply,
        Err(Finding::Violation { actual, .. }) => {
            cx.note(format!("refused at DATA: {actual}"));
            return Ok(());
        }
        Err(finding) => return Err(finding),
    };
    session.quit().await;
    if code(&end) >= 400 {
        cx.note(format!("refused at the end of data: {}", show(&end)));
        return Ok(());
    }
    Err(Finding::quirk(
        format!(
            "{} not allowed to send as {} (550 5.7.1 at MAIL, RCPT or the end of data)",
            account.user, other.address
        ),
        format!(
            "accepted silently: MAIL {}, RCPT {}, end of data {}",
            show(&mail),
            show(&rcpt),
            show(&end)
        ),
    ))
}

/// `security.smtp.mx-open-relay-refused`: on the target's MX (port 25) endpoint, when it
/// names one, `MAIL FROM` an outside address and `RCPT TO` an outside address without
/// authentication must not both be accepted. STARTTLS is used when offered (port 25 TLS is
/// opportunistic); a local recipient is then tried to show the endpoint takes mail at all.
pub async fn mx_open_relay_refused(cx: CheckContext) -> CheckResult {
    let Some(endpoint) = cx.target().mx.clone() else {
        return Err(Finding::skip(
            "the target names no MX (port 25) endpoint (`mx` in the target file)",
        ));
    };
    let mut session = SmtpSession::connect_to(&cx, &endpoint).await?;
    if code(&session.greeting) != 220 {
        return Err(Finding::harness(format!(
            "no 220 greeting from the MX endpoint: {}",
            show(&session.greeting)
        )));
    }
    session.ehlo().await?;
    if endpoint.security == crate::target::Security::StartTls && session.advertises("STARTTLS") {
        session.starttls(&cx).await?;
        session.ehlo().await?;
    } else {
        cx.note("no STARTTLS on the MX endpoint: probed in plaintext");
    }
    let mail = session
        .command(&mail_from(Some(OUTSIDE_SENDER), ""))
        .await?;
    if code(&mail) >= 400 {
        cx.note(format!("MAIL from outside refused: {}", show(&mail)));
        session.quit().await;
        return Ok(());
    }
    let rcpt = session.command(&rcpt_to(OUTSIDE_RECIPIENT)).await?;
    let _ = session.raw(b"RSET\r\n").await;
    if code(&rcpt) < 400 {
        session.quit().await;
        return Err(Finding::violation(
            format!("RCPT TO:<{OUTSIDE_RECIPIENT}> refused without authentication (550)"),
            format!("open relay: MAIL {} then RCPT {}", show(&mail), show(&rcpt)),
        ));
    }
    cx.note(format!("relaying refused: RCPT {}", show(&rcpt)));
    if code(&rcpt) != 550 {
        cx.note("RFC 5321 §3.6.2: a refusal to relay SHOULD be answered 550");
    }
    if let Ok(account) = cx.account(0) {
        let local = account.address.clone();
        let mail = session
            .command(&mail_from(Some(OUTSIDE_SENDER), ""))
            .await?;
        let rcpt = session.command(&rcpt_to(&local)).await?;
        cx.note(format!(
            "mail for the local account {local}: MAIL {}, RCPT {}",
            show(&mail),
            show(&rcpt)
        ));
        let _ = session.raw(b"RSET\r\n").await;
    }
    session.quit().await;
    Ok(())
}
