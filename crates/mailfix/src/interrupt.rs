//! Ctrl-C for the commands that write (SPEC §4 step 8): the first SIGINT cancels the run's token
//! (no new work starts; calls in flight finish and are journaled); a second one exits at once with
//! 130 (the journal is consistent after every write, so a resume still works).

use std::sync::Arc;

use mailfix_engine::CancellationToken;
use mailfix_engine::events::{Event, Reporter};

/// A token that the first Ctrl-C cancels, reporting [`Event::Interrupted`]. Install it only once
/// the prompts are over: from then on Ctrl-C no longer kills the process outright.
pub fn cancel_on_ctrl_c(reporter: Arc<dyn Reporter>) -> CancellationToken {
    let token = CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        reporter.report(&Event::Interrupted);
        cancel.cancel();
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    });
    token
}
