//! An SMTP client session for checks, on `groupwire-smtp`: commands are built as codec values
//! and encoded by it, replies decoded by its reply decoder; no check parses reply bytes itself.

use groupwire_smtp::address::{Domain, Mailbox, Path, ReversePath};
use groupwire_smtp::auth::{AuthResponse, Mechanism, plain_message};
use groupwire_smtp::command::Command;
use groupwire_smtp::parameters::Parameters;
use groupwire_smtp::reply::{Reply, decode_reply};
use groupwire_smtp::{Decoded, Encode, Limits, SaslPayload};

use crate::engine::{
    AUTH_PATIENCE, CheckContext, Connection, Finding, Framed, Protocol, show_bytes,
};
use crate::target::{Account, Endpoint, Security};

/// The name the harness gives in EHLO.
pub const CLIENT_NAME: &str = "groupwire.invalid";

/// The check that owns a 220 greeting (the precondition of every session).
pub const OWNER_GREETING: &str = "smtp.greeting.code-220";
/// The check that owns a 250 answer to EHLO.
pub const OWNER_EHLO: &str = "smtp.ehlo.supported";
/// The check that owns STARTTLS being advertised in plaintext.
pub const OWNER_STARTTLS_ADVERTISED: &str = "smtp.starttls.advertised";
/// The check that owns STARTTLS being answered 220 and the handshake after it.
pub const OWNER_STARTTLS: &str = "smtp.starttls.code-220";
/// The check that owns the handshake of an implicit-TLS endpoint.
pub const OWNER_IMPLICIT_TLS: &str = "smtp.implicit-tls.handshake";
/// The check that owns AUTH being advertised over TLS.
pub const OWNER_AUTH_ADVERTISED: &str = "smtp.auth.advertised";
/// The check that owns AUTH PLAIN with the account's credentials being answered 235.
pub const OWNER_AUTH: &str = "smtp.auth.plain-success";

/// The id of the running check, for [`Finding::blocked`].
pub fn current(cx: &CheckContext) -> Option<&'static str> {
    cx.check().map(|check| check.id)
}

/// A failed precondition of an SMTP session: for checks of the SMTP suite, `skip: blocked by
/// <owner>` (the owner's own violation when it is the running check); for checks of other
/// suites, which talk to endpoints they found themselves (discovery), a violation they judge.
pub fn precondition(
    cx: &CheckContext,
    owner: &'static str,
    expected: impl Into<String>,
    actual: impl Into<String>,
) -> Finding {
    if cx.protocol() == Protocol::Smtp {
        Finding::blocked(owner, current(cx), expected, actual)
    } else {
        Finding::violation(expected, actual)
    }
}

/// Whether a harness error text is a failed TLS handshake that is the server's doing (not a
/// certificate the harness does not trust: that is the user's `--ca-file` / `--insecure`).
pub fn is_handshake_failure(reason: &str) -> bool {
    (reason.starts_with("TLS handshake failed") && !reason.contains("certificate"))
        || reason.contains("waiting for the TLS handshake")
}

/// An owned reply.
pub type OwnedReply = Reply<'static>;

/// Decodes one reply from the front of `buffer` for the connection layer.
pub fn frame_reply(buffer: &[u8]) -> Framed<OwnedReply> {
    let limits = Limits::default();
    match decode_reply(buffer, &limits) {
        Ok(Decoded::Complete { value, consumed }) => Framed::Complete {
            value: value.into_owned(),
            consumed,
        },
        Ok(Decoded::Incomplete { .. }) => Framed::Incomplete,
        Err(error) => Framed::Invalid(format!("not an SMTP reply: {error}")),
    }
}

/// Renders a reply for findings.
pub fn show(reply: &OwnedReply) -> String {
    show_bytes(reply.as_bytes(), 300)
}

/// The reply code as a number.
pub fn code(reply: &OwnedReply) -> u16 {
    reply.code().get()
}

/// One SMTP connection of a check.
#[derive(Debug)]
pub struct SmtpSession {
    /// The recorded connection.
    pub conn: Connection,
    /// The greeting.
    pub greeting: OwnedReply,
    /// The last EHLO reply.
    pub ehlo: Option<OwnedReply>,
}

/// A mailbox value for `address` (`local@domain`).
pub fn mailbox(address: &str) -> Mailbox<'static> {
    let (local, domain) = address.rsplit_once('@').unwrap_or((address, "invalid"));
    Mailbox::new(local.to_string(), Domain::Name(domain.to_string().into()))
}

/// `MAIL FROM:<address>` with raw ESMTP parameters (`SIZE=10 BODY=8BITMIME`).
pub fn mail_from(address: Option<&str>, parameters: &str) -> Command<'static> {
    let from = match address {
        Some(address) => ReversePath::Path(Path::new(mailbox(address))),
        None => ReversePath::Null,
    };
    Command::Mail {
        from,
        parameters: parse_parameters(parameters),
    }
}

/// `RCPT TO:<address>`.
pub fn rcpt_to(address: &str) -> Command<'static> {
    Command::Rcpt {
        to: Path::new(mailbox(address)),
        parameters: Parameters::none(),
    }
}

fn parse_parameters(text: &str) -> Parameters<'static> {
    if text.is_empty() {
        return Parameters::none();
    }
    // Build the parameters through the codec's own command decoder, so they are validated.
    let line = format!("MAIL FROM:<> {text}\r\n");
    match groupwire_smtp::command::decode_command(line.as_bytes(), &Limits::default()) {
        Ok(Decoded::Complete {
            value: Command::Mail { parameters, .. },
            ..
        }) => parameters.into_owned(),
        _ => Parameters::none(),
    }
}

impl SmtpSession {
    /// Connects to the check's SMTP endpoint and reads the greeting.
    pub async fn connect(cx: &CheckContext) -> Result<SmtpSession, Finding> {
        let endpoint = cx.endpoint()?.clone();
        Self::connect_to(cx, &endpoint).await
    }

    /// Connects to `endpoint` and reads the greeting.
    pub async fn connect_to(
        cx: &CheckContext,
        endpoint: &Endpoint,
    ) -> Result<SmtpSession, Finding> {
        let implicit = endpoint.security == Security::Implicit;
        let blocked = |reason: String| {
            precondition(
                cx,
                OWNER_IMPLICIT_TLS,
                "a TLS handshake as the connection opens, then the greeting over TLS",
                reason,
            )
        };
        let mut conn = match cx.connect_to(endpoint).await {
            Ok(conn) => conn,
            Err(Finding::Harness(reason))
                if implicit && cx.protocol() == Protocol::Smtp && is_handshake_failure(&reason) =>
            {
                return Err(blocked(reason));
            }
            Err(finding) => return Err(finding),
        };
        let greeting = match conn.read_until_decoded(frame_reply).await {
            Ok(greeting) => greeting,
            Err(error) if implicit => {
                return Err(blocked(format!("no greeting over TLS: {error}")));
            }
            Err(error) => return Err(error.into()),
        };
        Ok(SmtpSession {
            conn,
            greeting,
            ehlo: None,
        })
    }

    /// Reads one reply.
    pub async fn read_reply(&mut self) -> Result<OwnedReply, Finding> {
        Ok(self.conn.read_until_decoded(frame_reply).await?)
    }

    /// Sends a command and reads its reply.
    pub async fn command(&mut self, command: &Command<'_>) -> Result<OwnedReply, Finding> {
        self.send(command).await?;
        self.read_reply().await
    }

    /// Sends a command without reading.
    pub async fn send(&mut self, command: &Command<'_>) -> Result<(), Finding> {
        // The codec's encoding ends with CRLF.
        self.conn.send(&command.to_vec()).await?;
        Ok(())
    }

    /// Sends bytes as they are (malformed or adversarial input) and reads one reply.
    pub async fn raw(&mut self, bytes: &[u8]) -> Result<OwnedReply, Finding> {
        self.conn.send(bytes).await?;
        self.read_reply().await
    }

    /// `EHLO`; keeps the reply.
    pub async fn ehlo(&mut self) -> Result<OwnedReply, Finding> {
        let reply = self
            .command(&Command::Ehlo {
                domain: CLIENT_NAME.into(),
            })
            .await?;
        self.ehlo = Some(reply.clone());
        Ok(reply)
    }

    /// Whether the last EHLO listed `keyword`.
    pub fn advertises(&self, keyword: &str) -> bool {
        self.ehlo
            .as_ref()
            .and_then(|reply| reply.capabilities().map(|caps| caps.has(keyword)))
            .unwrap_or(false)
    }

    /// The keywords of the last EHLO, upper-cased (`SIZE`, `AUTH`, ...).
    pub fn keywords(&self) -> Vec<String> {
        self.ehlo
            .as_ref()
            .and_then(|reply| {
                reply.capabilities().map(|caps| {
                    caps.iter()
                        .map(|capability| {
                            let text = capability.to_text();
                            text.split(' ')
                                .next()
                                .unwrap_or_default()
                                .to_ascii_uppercase()
                        })
                        .collect()
                })
            })
            .unwrap_or_default()
    }

    /// The AUTH mechanisms of the last EHLO.
    pub fn auth_mechanisms(&self) -> Vec<String> {
        self.ehlo
            .as_ref()
            .and_then(|reply| {
                reply.capabilities().map(|caps| {
                    caps.auth_mechanisms()
                        .iter()
                        .map(|m| m.as_str().to_ascii_uppercase())
                        .collect()
                })
            })
            .unwrap_or_default()
    }

    /// The SIZE limit of the last EHLO.
    pub fn size_limit(&self) -> Option<u64> {
        self.ehlo
            .as_ref()
            .and_then(|reply| reply.capabilities().and_then(|caps| caps.size_limit()))
    }

    /// `STARTTLS`, expecting 220, then the handshake; a failure is reported by
    /// `smtp.starttls.code-220` and blocks the calling check.
    pub async fn starttls(&mut self, cx: &CheckContext) -> Result<(), Finding> {
        let reply = self.command(&Command::StartTls).await?;
        if code(&reply) != 220 {
            return Err(precondition(
                cx,
                OWNER_STARTTLS,
                "220 to STARTTLS",
                show(&reply),
            ));
        }
        if let Err(error) = self.conn.start_tls().await {
            return Err(precondition(
                cx,
                OWNER_STARTTLS,
                "a TLS handshake after 220 to STARTTLS",
                error.to_string(),
            ));
        }
        Ok(())
    }

    /// Connects, EHLO, and (for a STARTTLS endpoint) STARTTLS and EHLO again.
    pub async fn secure(cx: &CheckContext) -> Result<SmtpSession, Finding> {
        let endpoint = cx.endpoint()?.clone();
        Self::secure_to(cx, &endpoint).await
    }

    /// [`SmtpSession::secure`] for any endpoint.
    pub async fn secure_to(cx: &CheckContext, endpoint: &Endpoint) -> Result<SmtpSession, Finding> {
        let mut session = Self::connect_to(cx, endpoint).await?;
        if code(&session.greeting) != 220 {
            return Err(precondition(
                cx,
                OWNER_GREETING,
                "a 220 greeting",
                show(&session.greeting),
            ));
        }
        let reply = session.ehlo().await?;
        if code(&reply) != 250 {
            return Err(precondition(cx, OWNER_EHLO, "250 to EHLO", show(&reply)));
        }
        if endpoint.security == Security::StartTls {
            if !session.advertises("STARTTLS") {
                return Err(precondition(
                    cx,
                    OWNER_STARTTLS_ADVERTISED,
                    "STARTTLS in the EHLO reply",
                    "not listed",
                ));
            }
            session.starttls(cx).await?;
            let reply = session.ehlo().await?;
            if code(&reply) != 250 {
                return Err(precondition(
                    cx,
                    OWNER_STARTTLS,
                    "250 to EHLO over TLS",
                    show(&reply),
                ));
            }
        }
        Ok(session)
    }

    /// `AUTH PLAIN` with an initial response; returns the final reply.
    pub async fn auth_plain(&mut self, user: &str, password: &str) -> Result<OwnedReply, Finding> {
        let message = plain_message("", user, password);
        let command = Command::Auth {
            mechanism: Mechanism::Plain,
            initial_response: Some(SaslPayload::encode(&message)),
        };
        self.conn.send_secret(&command.to_vec()).await?;
        let saved = self.conn.read_timeout();
        self.conn.set_read_timeout(saved.max(AUTH_PATIENCE));
        let reply = self.read_reply().await;
        self.conn.set_read_timeout(saved);
        reply
    }

    /// `AUTH LOGIN` step by step; returns the final reply.
    pub async fn auth_login(&mut self, user: &str, password: &str) -> Result<OwnedReply, Finding> {
        let saved = self.conn.read_timeout();
        self.conn.set_read_timeout(saved.max(AUTH_PATIENCE));
        let reply = self.auth_login_exchange(user, password).await;
        self.conn.set_read_timeout(saved);
        reply
    }

    async fn auth_login_exchange(
        &mut self,
        user: &str,
        password: &str,
    ) -> Result<OwnedReply, Finding> {
        let reply = self
            .command(&Command::Auth {
                mechanism: Mechanism::Login,
                initial_response: None,
            })
            .await?;
        if code(&reply) != 334 {
            return Ok(reply);
        }
        for secret in [user, password] {
            let response = AuthResponse::Data(SaslPayload::encode(secret.as_bytes()));
            self.conn.send_secret(&response.to_vec()).await?;
            let reply = self.read_reply().await?;
            if code(&reply) != 334 {
                return Ok(reply);
            }
        }
        self.read_reply().await
    }

    /// A secure, authenticated session as `account` (235 required).
    pub async fn ready(cx: &CheckContext, account: &Account) -> Result<SmtpSession, Finding> {
        let mut session = Self::secure(cx).await?;
        if !session.advertises("AUTH") {
            return Err(precondition(
                cx,
                OWNER_AUTH_ADVERTISED,
                "AUTH in the EHLO reply over TLS",
                "not listed",
            ));
        }
        let mut reply = session
            .auth_plain(&account.user, account.password.expose())
            .await?;
        if code(&reply) / 100 == 4 {
            // A temporary failure (RFC 4954 §6: 454 "Temporary authentication failure"), seen
            // from Postfix when its Dovecot auth connection drops: a client tries again
            // later, so once, after a pause, on a new connection.
            session.conn.note(format!(
                "AUTH PLAIN answered {}: a temporary failure; trying again once in 2 s",
                show(&reply)
            ));
            session.quit().await;
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            session = Self::secure(cx).await?;
            reply = session
                .auth_plain(&account.user, account.password.expose())
                .await?;
        }
        if code(&reply) != 235 {
            return Err(precondition(
                cx,
                OWNER_AUTH,
                format!("235 to AUTH PLAIN as {}", account.user),
                show(&reply),
            ));
        }
        Ok(session)
    }

    /// Sends a message with DATA (dot-stuffed by the codec) and returns the final reply;
    /// the 354 must come first.
    pub async fn data(&mut self, message: &[u8]) -> Result<OwnedReply, Finding> {
        let reply = self.command(&Command::Data).await?;
        if code(&reply) != 354 {
            return Err(Finding::violation("354 to DATA", show(&reply)));
        }
        let mut stuffed = bytes::BytesMut::new();
        let mut stuffer = groupwire_smtp::data::DotStuffer::new();
        stuffer.stuff(message, &mut stuffed);
        stuffer.finish(&mut stuffed);
        self.conn.send(&stuffed).await?;
        self.read_reply().await
    }

    /// `QUIT` and close.
    pub async fn quit(mut self) {
        if self.send(&Command::Quit).await.is_ok() {
            let _ = self.read_reply().await;
        }
        self.conn.close().await;
    }
}

/// `Ok` when the reply has `expected` code, else a violation.
pub fn expect_code(reply: &OwnedReply, expected: u16, what: &str) -> Result<(), Finding> {
    if code(reply) == expected {
        Ok(())
    } else {
        Err(Finding::violation(what, show(reply)))
    }
}

/// `Ok` when the reply's first digit is `class`.
pub fn expect_class(reply: &OwnedReply, class: u16, what: &str) -> Result<(), Finding> {
    if code(reply) / 100 == class {
        Ok(())
    } else {
        Err(Finding::violation(what, show(reply)))
    }
}
