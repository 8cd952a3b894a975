//! Stopping a service cleanly: SIGTERM (systemd, Kubernetes, Task Scheduler's end) or Ctrl-C
//! cancels the guard's token, so no new cycle or write starts and the calls in flight finish and
//! are journaled; a second signal exits at once with 130 (the journal is consistent after every
//! write, so the next start resumes).

use mailfix_engine::CancellationToken;

/// A token that the first SIGTERM or Ctrl-C cancels; stops listening when dropped.
#[derive(Debug)]
pub struct OnSignal {
    token: CancellationToken,
    listener: tokio::task::JoinHandle<()>,
}

impl OnSignal {
    /// Starts listening now.
    pub fn listen() -> Self {
        let token = CancellationToken::new();
        let cancel = token.clone();
        let mut signals = Signals::new();
        let listener = tokio::spawn(async move {
            if !signals.next().await {
                return;
            }
            cancel.cancel();
            if signals.next().await {
                std::process::exit(130);
            }
        });
        OnSignal { token, listener }
    }

    /// The token.
    pub fn token(&self) -> &CancellationToken {
        &self.token
    }
}

impl Drop for OnSignal {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Signals {
                term: signal(SignalKind::terminate()).ok(),
                int: signal(SignalKind::interrupt()).ok(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    /// The next SIGTERM or SIGINT (Ctrl-C on Windows); `false` when none can come.
    async fn next(&mut self) -> bool {
        #[cfg(unix)]
        {
            async fn recv(signal: &mut Option<tokio::signal::unix::Signal>) -> bool {
                match signal {
                    Some(s) => s.recv().await.is_some(),
                    None => std::future::pending().await,
                }
            }
            if self.term.is_none() && self.int.is_none() {
                return false;
            }
            tokio::select! {
                got = recv(&mut self.term) => got,
                got = recv(&mut self.int) => got,
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await.is_ok()
        }
    }
}
