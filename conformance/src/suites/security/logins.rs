//! Repeated failed logins (RFC 9051 §11.7: "A server SHOULD have mechanisms in place to limit
//! or delay failed AUTHENTICATE/LOGIN attempts."). Up to 10 LOGINs with a wrong password on one
//! IMAP connection (after TLS); the server passes as soon as it slows down (an answer taking
//! a second or more), refuses (BYE, a closed connection, anything but a plain NO), and warns
//! when all 10 were answered at once.

use std::time::{Duration, Instant};

use crate::engine::{CheckContext, CheckResult, Finding};
use crate::suites::imap::session::{ImapSession, starttls_blocked};
use crate::target::Security;

/// How many failures are tried.
pub const ATTEMPTS: u32 = 10;
/// An answer this slow counts as a delay.
pub const DELAY: Duration = Duration::from_secs(1);

/// `security.imap.failed-logins-limited`.
pub async fn imap_failed_logins_limited(cx: CheckContext) -> CheckResult {
    let endpoint = cx
        .target()
        .imap
        .clone()
        .ok_or_else(|| Finding::not_run("the target has no IMAP endpoint"))?;
    let wrong = cx.account(0)?.with_wrong_password();
    let mut session = ImapSession::connect_to(&cx, &endpoint).await?;
    if endpoint.security == Security::StartTls {
        session
            .starttls()
            .await
            .map_err(|finding| starttls_blocked(&cx, finding))?;
    }
    let mut timings = Vec::new();
    for attempt in 1..=ATTEMPTS {
        let started = Instant::now();
        let reply = match session.login(&wrong).await {
            Ok(reply) => reply,
            Err(finding) => {
                cx.note(format!(
                    "attempt {attempt}: the server ended the exchange ({}): refused",
                    finding.reason()
                ));
                return Ok(());
            }
        };
        let took = started.elapsed();
        timings.push(format!("{:.2}s", took.as_secs_f64()));
        cx.note(format!(
            "attempt {attempt}: {} after {:.2}s",
            reply.show_tagged(),
            took.as_secs_f64()
        ));
        if reply.is_ok() {
            return Err(Finding::violation(
                "a wrong password refused",
                format!("attempt {attempt}: {}", reply.show_tagged()),
            ));
        }
        if took >= DELAY || reply.status() != groupwire_imap::response::status::Status::No {
            return Ok(());
        }
    }
    session.logout().await;
    Err(Finding::violation(
        format!("failed logins slowed down or refused within {ATTEMPTS} attempts"),
        format!(
            "{ATTEMPTS} wrong passwords each answered NO at once ({})",
            timings.join(", ")
        ),
    ))
}

/// `security.smtp.failed-logins-limited`: up to 10 `AUTH PLAIN` with a wrong password on one
/// submission connection (after TLS). Passes as soon as the server slows down (an answer
/// taking [`DELAY`] or more), refuses in another way than a plain 535 (421, 454, a closed
/// connection); warns when all 10 were answered 535 at once. A drop before the third failure
/// is noted (RFC 4954 §9: not before 3 attempts).
pub async fn smtp_failed_logins_limited(cx: CheckContext) -> CheckResult {
    use crate::suites::smtp::session::{SmtpSession, code, show};
    let endpoint = cx
        .target()
        .smtp
        .clone()
        .ok_or_else(|| Finding::not_run("the target has no submission endpoint"))?;
    let wrong = cx.account(0)?.with_wrong_password();
    let mut session = SmtpSession::secure_to(&cx, &endpoint).await?;
    let mut timings = Vec::new();
    for attempt in 1..=ATTEMPTS {
        let started = Instant::now();
        let reply = match session
            .auth_plain(&wrong.user, wrong.password.expose())
            .await
        {
            Ok(reply) => reply,
            Err(finding) => {
                cx.note(format!(
                    "attempt {attempt}: the server ended the connection after {:.2}s ({}): refused",
                    started.elapsed().as_secs_f64(),
                    finding.reason()
                ));
                if attempt < 3 {
                    cx.note("RFC 4954 §9: servers SHOULD NOT drop the connection before 3 failed attempts");
                }
                return Ok(());
            }
        };
        let took = started.elapsed();
        timings.push(format!("{:.2}s", took.as_secs_f64()));
        cx.note(format!(
            "attempt {attempt}: {} after {:.2}s",
            show(&reply),
            took.as_secs_f64()
        ));
        if code(&reply) / 100 == 2 {
            return Err(Finding::violation(
                "a wrong password refused",
                format!("attempt {attempt}: {}", show(&reply)),
            ));
        }
        if took >= DELAY || code(&reply) != 535 {
            session.quit().await;
            return Ok(());
        }
    }
    session.quit().await;
    Err(Finding::violation(
        format!("failed AUTH attempts slowed down or refused within {ATTEMPTS} attempts"),
        format!(
            "{ATTEMPTS} wrong passwords each answered 535 at once ({})",
            timings.join(", ")
        ),
    ))
}
