//! Authentication: the capabilities offered in each state, LOGIN, AUTHENTICATE (PLAIN,
//! SCRAM-SHA-256, OAUTHBEARER) and the throttling of failed attempts.

use std::sync::Arc;

use groupwire_imap::command::auth::{Authenticate, SaslResponse};
use groupwire_imap::core::{Atom, IString, Tag};
use groupwire_imap::response::{Capability, Code, Status};
use groupwire_imap::stream::server::{ClientMessage, ServerState, ServerStep};
use tokio::io::{AsyncRead, AsyncWrite};

use super::{APPEND_LIMIT, Session};
use crate::faults::Fault;

impl Session {
    /// The capabilities of the session's state (RFC 9051 §7.2.2), faults applied.
    pub(super) fn capabilities(&self) -> Vec<Capability<'static>> {
        let auth = |mechanism: &'static str| Atom::new(mechanism).map(Capability::Auth);
        let mut caps = vec![Capability::Imap4rev1, Capability::Imap4rev2];
        if self.fault(Fault::ImapCapabilityNoRev) {
            caps.clear();
        }
        let plaintext = !self.tls;
        if plaintext && !self.fault(Fault::ImapNoStarttls) {
            caps.push(Capability::StartTls);
        }
        if (self.tls && self.fault(Fault::ImapStarttlsStaleCapability))
            || (self.implicit && self.fault(Fault::ImapImplicitTlsStarttlsAdvertised))
        {
            caps.push(Capability::StartTls);
        }
        let login_disabled = plaintext && !self.fault(Fault::ImapLoginInPlaintext);
        if login_disabled || (self.tls && self.fault(Fault::ImapStarttlsStaleCapability)) {
            caps.push(Capability::LoginDisabled);
        }
        if !login_disabled && self.user.is_none() {
            caps.extend(auth("PLAIN"));
            if self.tls {
                caps.extend(auth("SCRAM-SHA-256"));
                caps.extend(auth("OAUTHBEARER"));
            }
            caps.push(Capability::SaslIr);
        }
        if plaintext && self.user.is_none() && self.fault(Fault::OauthBeforeTls) {
            caps.extend(auth("OAUTHBEARER"));
        }
        caps.extend([
            Capability::LiteralPlus,
            Capability::Id,
            Capability::Enable,
            Capability::Idle,
            Capability::Namespace,
            Capability::Unselect,
            Capability::UidPlus,
            Capability::Move,
            Capability::CondStore,
            Capability::QResync,
            Capability::SpecialUse,
            Capability::ListExtended,
            Capability::ObjectId,
            Capability::ESearch,
            Capability::Sort,
        ]);
        caps.extend(Atom::new("ORDEREDSUBJECT").map(Capability::Thread));
        caps.push(Capability::AppendLimit(Some(APPEND_LIMIT)));
        caps
    }

    /// Checks the credentials of LOGIN (`authenticate` false) or AUTHENTICATE PLAIN.
    pub(super) fn login(&mut self, tag: &Tag<'_>, user: &str, password: &str, authenticate: bool) {
        let store = &self.service.store;
        // Logins need not be addresses (Dovecot's `%n`, Cyrus): `alice` is alice@DOMAIN.
        let full = format!("{user}@{}", crate::DOMAIN);
        let user = if !user.contains('@') && store.has_account(&full) {
            full.as_str()
        } else {
            user
        };
        let any_password = if authenticate {
            self.fault(Fault::ImapAuthenticateAcceptsAnyPassword)
        } else {
            self.fault(Fault::ImapLoginAcceptsAnyPassword)
        };
        let accepted =
            store.authenticate(user, password) || (any_password && store.has_account(user));
        if accepted {
            self.accept(tag, user);
        } else {
            self.refuse_credentials(tag, "invalid credentials");
        }
    }

    /// Completes `tag` with `NO [AUTHENTICATIONFAILED] text` and counts the failure for the
    /// login throttle.
    fn refuse_credentials(&mut self, tag: &Tag<'_>, text: &str) {
        self.failed_logins += 1;
        self.tagged_code(tag, Status::No, Code::AuthenticationFailed, text);
    }

    /// Logs `user` in and completes `tag` with the new capabilities.
    pub(super) fn accept(&mut self, tag: &Tag<'_>, user: &str) {
        {
            let before = self.capabilities();
            self.user = Some(user.to_string());
            let caps = if self.fault(Fault::ImapLoginCapabilityStale) {
                before
            } else {
                self.capabilities()
            };
            self.tagged_code(tag, Status::Ok, Code::Capability(caps.into()), "logged in");
        }
    }

    /// Sends a `+ base64` challenge and reads the client's answer, decoded; `None` when the
    /// client cancels (or sends what is not base64).
    pub(super) async fn sasl_round<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
        challenge: &[u8],
    ) -> std::io::Result<Option<Vec<u8>>> {
        use base64::Engine;
        let engine = base64::engine::general_purpose::STANDARD;
        self.challenge(challenge);
        self.flush(stream).await?;
        self.decoder.set_state(ServerState::Authenticate);
        let response = self.read_sasl(stream).await?;
        self.decoder.finish_authentication();
        self.sasl_invalid = false;
        Ok(response.and_then(|data| engine.decode(data.trim_ascii()).ok()))
    }

    /// AUTHENTICATE SCRAM-SHA-256 and OAUTHBEARER (over TLS), with `initial` the SASL-IR
    /// initial response (base64) if any.
    pub(super) async fn authenticate_sasl<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        tag: &Tag<'_>,
        mechanism: &str,
        initial: Option<Vec<u8>>,
        stream: &mut S,
    ) -> std::io::Result<()> {
        use base64::Engine;
        let engine = base64::engine::general_purpose::STANDARD;
        let first = match initial {
            Some(data) => engine.decode(data.trim_ascii()).ok(),
            None => self.sasl_round(stream, b"").await?,
        };
        let Some(first) = first else {
            self.tagged(tag, Status::Bad, "authentication cancelled");
            return Ok(());
        };
        let store = Arc::clone(&self.service.store);
        let faults = self.service.faults.clone();
        if mechanism == "OAUTHBEARER" {
            match crate::sasl::oauth_user(&store, &first, &faults) {
                Some(user) => self.accept(tag, &user),
                None => {
                    if !faults.has(Fault::OauthNoErrorResult) {
                        // RFC 7628 §3.2.2: the error result, then failure whatever the client
                        // answers (%x01 or `*`).
                        let _ = self
                            .sasl_round(stream, &crate::sasl::oauthbearer::error_result())
                            .await?;
                    }
                    self.refuse_credentials(tag, "invalid token");
                }
            }
            return Ok(());
        }
        let (server, server_first) = match crate::sasl::scram_start(&store, &first) {
            Ok(started) => started,
            Err(_) => {
                self.refuse_credentials(tag, "invalid credentials");
                return Ok(());
            }
        };
        let Some(client_final) = self.sasl_round(stream, server_first.as_bytes()).await? else {
            self.tagged(tag, Status::Bad, "authentication cancelled");
            return Ok(());
        };
        match crate::sasl::scram_finish(&server, &client_final, &faults) {
            Ok(server_final) => {
                // The client answers the server-final message with an empty line, or `*`
                // when the signature does not verify.
                match self.sasl_round(stream, server_final.as_bytes()).await? {
                    Some(_) => {
                        let user = crate::sasl::resolve_user(&store, server.user());
                        self.accept(tag, &user);
                    }
                    None => self.tagged(tag, Status::Bad, "authentication cancelled"),
                }
            }
            Err(_) => {
                self.refuse_credentials(tag, "invalid credentials");
            }
        }
        Ok(())
    }

    /// RFC 9051 §11.7: failed logins are delayed from the third on this connection.
    pub(super) async fn throttle_failed_logins(&self) {
        if self.failed_logins >= 3 && !self.fault(Fault::ImapNoLoginThrottle) {
            tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
        }
    }

    pub(super) async fn read_sasl<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> std::io::Result<Option<Vec<u8>>> {
        loop {
            match self.decoder.decode(&self.buffer) {
                Ok(ServerStep::Complete { value, consumed }) => {
                    let result = match value {
                        ClientMessage::SaslResponse(SaslResponse::Data(data)) => {
                            Some(data.as_bytes().to_vec())
                        }
                        _ => None,
                    };
                    self.buffer.drain(..consumed);
                    return Ok(result);
                }
                Ok(ServerStep::Incomplete { .. }) => {
                    if !self.fill(stream).await? {
                        return Ok(None);
                    }
                }
                Ok(ServerStep::Invalid { consumed, .. }) => {
                    self.buffer.drain(..consumed.min(self.buffer.len()));
                    self.sasl_invalid = true;
                    return Ok(None);
                }
                _ => return Ok(None),
            }
        }
    }

    /// LOGIN (RFC 9051 §6.2.3): refused before TLS (LOGINDISABLED), failures throttled.
    pub(super) async fn login_command(
        &mut self,
        tag: &Tag<'_>,
        username: IString<'static>,
        password: IString<'static>,
        authenticated: bool,
    ) {
        let user = username.to_str_lossy();
        let password = password.to_str_lossy();
        if !self.tls
            && !self.fault(Fault::ImapLoginInPlaintext)
            && !self.fault(Fault::ImapLogindisabledIgnored)
        {
            self.tagged_code(
                tag,
                Status::No,
                Code::PrivacyRequired,
                "LOGIN is disabled before STARTTLS",
            );
        } else if authenticated {
            self.tagged(tag, Status::Bad, "already authenticated");
        } else if self.fault(Fault::ImapLoginBroken) {
            self.tagged_code(tag, Status::No, Code::Unavailable, "login service down");
        } else {
            self.login(tag, &user, &password, false);
            self.throttle_failed_logins().await;
        }
    }

    /// AUTHENTICATE (RFC 9051 §6.2.2): PLAIN, and SCRAM-SHA-256 and OAUTHBEARER over TLS.
    pub(super) async fn authenticate<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        tag: &Tag<'_>,
        auth: Authenticate<'static>,
        authenticated: bool,
        stream: &mut S,
    ) -> std::io::Result<()> {
        // The decoder enters its AUTHENTICATE state on the command; whatever happens
        // here (initial response, refusal, completed exchange) ends it.
        self.decoder.finish_authentication();
        let mechanism = auth.mechanism.as_str().to_ascii_uppercase();
        let hidden_oauth = mechanism == "OAUTHBEARER" && self.fault(Fault::OauthHiddenBeforeTls);
        if !self.tls
            && !self.fault(Fault::ImapLoginInPlaintext)
            && !self.fault(Fault::ImapAuthenticateInPlaintext)
            && !hidden_oauth
        {
            self.tagged_code(
                tag,
                Status::No,
                Code::PrivacyRequired,
                "authentication is disabled before STARTTLS",
            );
        } else if authenticated {
            self.tagged(tag, Status::Bad, "already authenticated");
        } else if crate::sasl::MECHANISMS.contains(&mechanism.as_str())
            && (self.tls || hidden_oauth)
        {
            let initial = auth.initial_response.map(|data| match data {
                groupwire_imap::command::auth::SaslData::Empty => Vec::new(),
                groupwire_imap::command::auth::SaslData::Base64(text) => text.as_bytes().to_vec(),
            });
            self.authenticate_sasl(tag, &mechanism, initial, stream)
                .await?;
            self.throttle_failed_logins().await;
        } else if mechanism != "PLAIN" || self.fault(Fault::ImapAuthenticateBroken) {
            self.tagged(tag, Status::No, "unsupported mechanism");
        } else {
            let initial = auth
                .initial_response
                .filter(|_| !self.fault(Fault::ImapSaslIrIgnored))
                .map(|data| match data {
                    groupwire_imap::command::auth::SaslData::Empty => Vec::new(),
                    groupwire_imap::command::auth::SaslData::Base64(text) => {
                        text.as_bytes().to_vec()
                    }
                });
            let data = match initial {
                Some(data) => Some(data),
                None => {
                    self.challenge(b"");
                    self.flush(stream).await?;
                    self.decoder.set_state(ServerState::Authenticate);
                    let response = self.read_sasl(stream).await?;
                    self.decoder.finish_authentication();
                    response
                }
            };
            match data {
                None if std::mem::take(&mut self.sasl_invalid) => self.tagged(
                    tag,
                    Status::Bad,
                    "the AUTHENTICATE response is not base64 (RFC 9051 §6.2.2)",
                ),
                None => self.tagged(tag, Status::Bad, "authentication cancelled"),
                Some(base64) => {
                    let decoded = groupwire_smtp::SaslPayload(
                        String::from_utf8_lossy(&base64).into_owned().into(),
                    )
                    .decode();
                    let parsed = decoded
                        .as_deref()
                        .and_then(groupwire_smtp::auth::parse_plain_message);
                    match parsed {
                        Some((_, user, password)) => {
                            let user = String::from_utf8_lossy(user).into_owned();
                            let password = String::from_utf8_lossy(password).into_owned();
                            self.login(tag, &user, &password, true);
                            self.throttle_failed_logins().await;
                        }
                        None => self.tagged(tag, Status::Bad, "invalid SASL PLAIN message"),
                    }
                }
            }
        }
        Ok(())
    }
}
