//! IDLE (RFC 2177): changes reported while the client waits, until DONE.

use std::time::Duration;

use groupwire_imap::core::Tag;
use groupwire_imap::response::Status;
use groupwire_imap::stream::server::{ClientMessage, ServerState, ServerStep};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};

use super::Session;
use crate::faults::Fault;

impl Session {
    pub(super) async fn idle<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        tag: &Tag<'_>,
        stream: &mut S,
    ) -> std::io::Result<()> {
        let mut changes = self.service.store.subscribe();
        changes.borrow_and_update();
        self.continuation("idling");
        self.updates();
        self.flush(stream).await?;
        self.decoder.set_state(ServerState::Idle);
        self.deadline = tokio::time::Instant::now() + self.slot.limits().autologout;
        // `imap-idle-delayed`: when the changes seen meanwhile are reported.
        let mut delayed: Option<tokio::time::Instant> = None;
        loop {
            match self.decoder.decode(&self.buffer) {
                Ok(ServerStep::Complete { value, consumed }) => {
                    let done = matches!(value, ClientMessage::IdleDone);
                    self.buffer.drain(..consumed);
                    self.decoder.set_state(ServerState::Command);
                    if done && !self.fault(Fault::ImapIdleDoneIgnored) {
                        self.tagged(tag, Status::Ok, "IDLE terminated");
                    } else if !done {
                        self.tagged(tag, Status::Bad, "expected DONE");
                    }
                    return self.flush(stream).await;
                }
                Ok(ServerStep::Invalid { consumed, .. }) => {
                    self.buffer.drain(..consumed.min(self.buffer.len()));
                    self.decoder.set_state(ServerState::Command);
                    self.tagged(tag, Status::Bad, "expected DONE");
                    return self.flush(stream).await;
                }
                Err(_) => {
                    self.decoder.set_state(ServerState::Command);
                    self.tagged(tag, Status::Bad, "expected DONE");
                    return self.flush(stream).await;
                }
                _ => {}
            }
            let mut chunk = [0u8; 4096];
            tokio::select! {
                read = stream.read(&mut chunk) => {
                    let read = read?;
                    if read == 0 {
                        return Ok(());
                    }
                    self.buffer.extend_from_slice(chunk.get(..read).unwrap_or_default());
                    self.account()?;
                    if self.ending.is_some() {
                        return Ok(());
                    }
                }
                () = tokio::time::sleep_until(self.deadline) => {
                    self.ending = Some(self.timer_expired());
                    return Ok(());
                }
                changed = changes.changed() => {
                    if changed.is_err() {
                        return Ok(());
                    }
                    if self.fault(Fault::ImapIdleDelayed) {
                        delayed.get_or_insert(tokio::time::Instant::now() + Duration::from_secs(5));
                    } else if !self.fault(Fault::ImapIdleNeverWakes) {
                        self.updates();
                        self.flush(stream).await?;
                    }
                }
                () = tokio::time::sleep_until(delayed.unwrap_or(self.deadline)), if delayed.is_some() => {
                    delayed = None;
                    self.updates();
                    self.flush(stream).await?;
                }
            }
        }
    }
}
