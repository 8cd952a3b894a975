//! What a guard works with: the client, the journal (open for writing for as long as the guard
//! runs), where fix-run events, guard events and notices go, and the shutdown token.

use mailfix_client::Client;
use tokio_util::sync::CancellationToken;

use super::events::GuardObserver;
use super::notify::Notifier;
use crate::events::Reporter;
use crate::fix::FixContext;
use crate::journal::Journal;

/// A guard's surroundings.
#[derive(Clone, Copy)]
pub struct GuardContext<'a> {
    /// The client.
    pub client: &'a Client,
    /// The journal, opened for writing.
    pub journal: &'a Journal,
    /// Where the events of remediation's fix runs go.
    pub reporter: &'a dyn Reporter,
    /// Where guard events go.
    pub observer: &'a dyn GuardObserver,
    /// Where notices go (`None`: nowhere, as in `--mode report`).
    pub notifier: Option<&'a dyn Notifier>,
    /// SIGTERM or Ctrl-C: no new cycle or write starts; calls in flight finish.
    pub shutdown: &'a CancellationToken,
}

impl<'a> GuardContext<'a> {
    /// The context of a fix run started by remediation.
    pub fn fix(&self) -> FixContext<'a> {
        FixContext {
            client: self.client,
            journal: self.journal,
            reporter: self.reporter,
            cancel: self.shutdown,
        }
    }
}
