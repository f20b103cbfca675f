//! One connection's command loop: reading, decoding, literals, timers and buffer limits.

use std::sync::Arc;

use groupwire_imap::core::Tag;
use groupwire_imap::response::{Code, Greeting, ResponseText, Status, StatusResponse};
use groupwire_imap::stream::server::{ClientMessage, CommandDecoder, ServerState, ServerStep};
use groupwire_imap::{Encode, Limits};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::encode::{response_text, tag_of};
use super::{APPEND_LIMIT, ImapService, Next, Session};
use crate::faults::Fault;

impl Session {
    pub(super) fn new(service: Arc<ImapService>, slot: crate::Slot) -> Session {
        let limits = slot.limits();
        let decoder = CommandDecoder::new(Limits::default())
            .with_max_non_sync_literal(Some(limits.preauth_literal));
        let deadline = tokio::time::Instant::now() + limits.preauth_timeout;
        Session {
            service,
            slot,
            deadline,
            ending: None,
            sasl_invalid: false,
            buffer: Vec::with_capacity(4096),
            decoder,
            tls: false,
            implicit: false,
            failed_logins: 0,
            user: None,
            selected: None,
            condstore: false,
            qresync: false,
            out: Vec::new(),
        }
    }

    pub(super) fn fault(&self, fault: Fault) -> bool {
        self.service.faults.has(fault)
    }

    /// Whether `uid` is `\Recent` in this session's selected mailbox.
    pub(super) fn is_recent(&self, uid: u32) -> bool {
        self.selected
            .as_ref()
            .is_some_and(|s| s.recent.contains(&uid))
    }

    pub(super) async fn greet<S: AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> std::io::Result<()> {
        if self.fault(Fault::ImapGreetingBad) {
            // A greeting may not be BAD (RFC 9051 §7.1): the codec's Greeting cannot say it,
            // an untagged status response can.
            self.status(None, Status::Bad, None, "groupwire reference not ready");
        } else {
            let capabilities = Code::Capability(self.capabilities().into());
            self.send(&Greeting {
                status: Status::Ok,
                text: response_text(Some(capabilities), "groupwire reference IMAP ready"),
            });
        }
        self.flush(stream).await
    }

    /// Reads more input; `false` at end of stream, when the session's timer ran out or its
    /// buffer would exceed its limit (`ending` then says why).
    pub(super) async fn fill<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> std::io::Result<bool> {
        if self.ending.is_some() {
            return Ok(false);
        }
        let mut chunk = [0u8; 16 * 1024];
        let read = match tokio::time::timeout_at(self.deadline, stream.read(&mut chunk)).await {
            Ok(read) => read?,
            Err(_) => {
                self.ending = Some(self.timer_expired());
                return Ok(false);
            }
        };
        self.buffer
            .extend_from_slice(chunk.get(..read).unwrap_or_default());
        self.account()?;
        Ok(read > 0 && self.ending.is_none())
    }

    /// Accounts the input buffer; over its limit, the session ends.
    pub(super) fn account(&mut self) -> std::io::Result<()> {
        if let Err(over) = self.slot.account(self.buffer.len(), self.user.is_some()) {
            self.ending = Some(response_text(Some(Code::Alert), &over.to_string()));
            self.buffer.clear();
        }
        Ok(())
    }

    /// Why the session ends when its timer runs out.
    pub(super) fn timer_expired(&self) -> ResponseText<'static> {
        if self.user.is_some() {
            response_text(None, "autologout: idle for too long")
        } else {
            response_text(Some(Code::Unavailable), "not authenticated in time")
        }
    }

    /// After the command loop: the `* BYE` saying why the server ends the session, if it does.
    pub(super) async fn goodbye<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> std::io::Result<()> {
        if let Some(text) = self.ending.take() {
            let bye = StatusResponse {
                tag: None,
                status: Status::Bye,
                text,
            };
            crate::say_goodbye(stream, &bye.to_bytes()).await;
        }
        Ok(())
    }

    /// After a command: an authenticated session's autologout timer restarts (RFC 9051 §5.4)
    /// and its literals may be as large as APPENDLIMIT.
    pub(super) fn command_done(&mut self) {
        if self.user.is_some() {
            let limits = self.slot.limits();
            self.deadline = tokio::time::Instant::now() + limits.autologout;
            let bound = (!self.fault(Fault::ImapAppendlimitIgnored)).then_some(APPEND_LIMIT);
            if self.decoder.max_non_sync_literal() != bound {
                self.decoder = self.decoder.clone().with_max_non_sync_literal(bound);
            }
        }
    }

    /// A literal over the bounds was announced (the decoder read none of its data): before
    /// authentication a `{n+}` literal ends the session (`* BYE`, RFC 7888 §4 choice 2);
    /// otherwise the command gets `NO [TOOBIG]` at once and the decoder discards a `{n+}`
    /// literal's bytes as they arrive, never buffering them (choice 1). `false` when the
    /// session ends.
    pub(super) fn refuse_literal(
        &mut self,
        tag: Option<&Tag<'_>>,
        size: u64,
        synchronizing: bool,
    ) -> bool {
        let preauth = self.slot.limits().preauth_literal;
        if self.user.is_none() && !synchronizing {
            self.ending = Some(response_text(
                Some(Code::TooBig),
                &format!("a literal of {size} octets before authentication (at most {preauth})"),
            ));
            return false;
        }
        let drop = self.decoder.reject_literal();
        self.buffer.drain(..drop.min(self.buffer.len()));
        let text = if self.user.is_none() {
            format!("literal too large before authentication (at most {preauth} octets)")
        } else {
            "message exceeds APPENDLIMIT".to_string()
        };
        self.status(tag, Status::No, Some(Code::TooBig), &text);
        true
    }

    pub(super) async fn flush<S: AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> std::io::Result<()> {
        if !self.out.is_empty() {
            stream.write_all(&self.out).await?;
            self.out.clear();
        }
        stream.flush().await
    }

    pub(super) async fn run<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> std::io::Result<Next> {
        loop {
            let step = self.decoder.decode(&self.buffer);
            let message = match step {
                Ok(ServerStep::Complete { value, consumed }) => {
                    let value = value.into_owned();
                    self.buffer.drain(..consumed);
                    value
                }
                Ok(ServerStep::Incomplete { .. }) => {
                    if !self.fill(stream).await? {
                        return Ok(Next::Close);
                    }
                    continue;
                }
                Ok(ServerStep::NeedsContinuation { size, command, .. }) => {
                    let tag = tag_of(command.tag.as_ref());
                    let preauth = self.user.is_none() && size > self.slot.limits().preauth_literal;
                    let over_appendlimit =
                        size > APPEND_LIMIT && !self.fault(Fault::ImapAppendlimitIgnored);
                    if preauth || over_appendlimit {
                        self.refuse_literal(tag.as_ref(), size, true);
                        self.flush(stream).await?;
                        continue;
                    }
                    if !self.fault(Fault::ImapAppendNoContinuation) {
                        self.continuation("Ready for literal data");
                        self.flush(stream).await?;
                    }
                    if !self.fill(stream).await? {
                        return Ok(Next::Close);
                    }
                    continue;
                }
                Ok(ServerStep::LiteralTooLarge {
                    size,
                    synchronizing,
                    command,
                    ..
                }) => {
                    let tag = tag_of(command.tag.as_ref());
                    if !self.refuse_literal(tag.as_ref(), size, synchronizing) {
                        return Ok(Next::Close);
                    }
                    self.flush(stream).await?;
                    continue;
                }
                Ok(ServerStep::Skipped { consumed }) => {
                    self.buffer.drain(..consumed.min(self.buffer.len()));
                    continue;
                }
                Ok(ServerStep::Invalid {
                    tag,
                    consumed,
                    error,
                }) => {
                    let tag = tag_of(tag.as_ref());
                    self.buffer.drain(..consumed.min(self.buffer.len()));
                    let text = format!(
                        "syntax error: {}",
                        error.kind().to_string().replace(['\r', '\n'], " ")
                    );
                    self.status(tag.as_ref(), Status::Bad, None, &text);
                    self.flush(stream).await?;
                    continue;
                }
                Err(error) => {
                    let text = format!("unrecoverable input: {error}").replace(['\r', '\n'], " ");
                    self.status(None, Status::Bye, None, &text);
                    self.flush(stream).await?;
                    return Ok(Next::Close);
                }
            };
            match message {
                ClientMessage::Command(command) => {
                    let next = self.execute(command, stream).await?;
                    self.command_done();
                    self.flush(stream).await?;
                    if let Some(next) = next {
                        return Ok(next);
                    }
                }
                ClientMessage::SaslResponse(_) | ClientMessage::IdleDone => {
                    self.decoder.set_state(ServerState::Command);
                    self.status(None, Status::Bad, None, "unexpected continuation data");
                    self.flush(stream).await?;
                }
            }
        }
    }

    pub(super) fn with_account<T>(
        &self,
        f: impl FnOnce(&mut crate::store::AccountView<'_>) -> T,
    ) -> Result<T, crate::store::StoreError> {
        let user = self.user.clone().unwrap_or_default();
        self.service.store.with_account(&user, f)
    }
}
