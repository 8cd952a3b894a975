//! Ctrl-C for the commands that write (README "Fix" step 8): the first SIGINT cancels the run's token
//! (no new work starts; calls in flight finish and are journaled); a second one exits at once with
//! 130 (the journal is consistent after every write, so a resume still works).

use std::sync::Arc;

use mailfix_engine::CancellationToken;
use mailfix_engine::events::{Event, Reporter};

/// A cancellation token that Ctrl-C cancels while this guard lives; dropping it stops listening
/// (so that commands run one after another in one process, as in `mailfix demo`, do not leave
/// listeners behind that report a later Ctrl-C to a finished run).
#[derive(Debug)]
pub struct CtrlC {
    token: CancellationToken,
    listener: tokio::task::JoinHandle<()>,
}

impl std::ops::Deref for CtrlC {
    type Target = CancellationToken;

    fn deref(&self) -> &CancellationToken {
        &self.token
    }
}

impl Drop for CtrlC {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

/// A token that the first Ctrl-C cancels, reporting [`Event::Interrupted`]. Install it only once
/// the prompts are over: from then on Ctrl-C no longer kills the process outright.
pub fn cancel_on_ctrl_c(reporter: Arc<dyn Reporter>) -> CtrlC {
    let token = CancellationToken::new();
    let cancel = token.clone();
    let mut interrupts = Interrupts::listen();
    let listener = tokio::spawn(async move {
        if !interrupts.next().await {
            return;
        }
        reporter.report(&Event::Interrupted);
        cancel.cancel();
        if interrupts.next().await {
            std::process::exit(130);
        }
    });
    CtrlC { token, listener }
}

/// SIGINT, listened to from the moment it is created (so that no Ctrl-C between the spawn and the
/// task's first poll falls through to the default handler).
struct Interrupts {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Interrupts {
    fn listen() -> Self {
        #[cfg(unix)]
        {
            let kind = tokio::signal::unix::SignalKind::interrupt();
            Interrupts {
                signal: tokio::signal::unix::signal(kind).ok(),
            }
        }
        #[cfg(not(unix))]
        Interrupts {}
    }

    /// Waits for the next Ctrl-C; `false` when none can be received.
    async fn next(&mut self) -> bool {
        #[cfg(unix)]
        {
            match &mut self.signal {
                Some(signal) => signal.recv().await.is_some(),
                None => false,
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await.is_ok()
        }
    }
}
