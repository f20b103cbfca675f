//! Waiting for the signal that stops a long-running command (`serve`, `load reference`):
//! Ctrl-C (SIGINT) or SIGTERM, how service managers and `kill` stop a process.
//!
//! The handlers are installed when a [`StopSignal`] is made, which a command does *before* it
//! says it is ready: a SIGTERM sent the moment the URLs are printed then stops it cleanly
//! (and it removes what it wrote) instead of killing it.

/// Installed stop handlers; [`StopSignal::wait`] returns at the first signal.
pub struct StopSignal {
    #[cfg(unix)]
    handlers: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl StopSignal {
    /// Installs the handlers (inside a tokio runtime).
    pub fn install() -> StopSignal {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let handlers = signal(SignalKind::interrupt())
                .and_then(|interrupt| Ok((interrupt, signal(SignalKind::terminate())?)))
                .ok();
            StopSignal { handlers }
        }
        #[cfg(not(unix))]
        StopSignal {}
    }

    /// Waits for Ctrl-C or SIGTERM.
    pub async fn wait(self) {
        #[cfg(unix)]
        if let Some((mut interrupt, mut terminate)) = self.handlers {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
