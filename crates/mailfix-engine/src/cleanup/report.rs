//! A cleanup's summary: what was removed, found absent, failed or left pending, read back from the
//! journal.

use std::time::Instant;

use serde::Serialize;

use crate::fix::{ReportItem, RequestCounts};
use crate::journal::{ItemRecord, ItemState, RunStatus};
use crate::run_id::RunId;

/// The summary of a cleanup.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CleanupReport {
    /// The cleanup's own run (`null` when there was nothing to do).
    pub run: Option<RunId>,
    /// How it ended.
    pub status: Option<RunStatus>,
    /// Aliases removed (proven gone: `verified` or `withdrawn`; or `removed` when the check could
    /// not be made).
    pub removed: Vec<ReportItem>,
    /// Aliases found not to be there (never added).
    pub absent: Vec<ReportItem>,
    /// Removals that failed, with why.
    pub failed: Vec<ReportItem>,
    /// Removals not started because the cleanup was interrupted.
    pub pending: Vec<ReportItem>,
    /// Requests made.
    pub requests: RequestCounts,
    /// Wall time.
    pub elapsed_s: f64,
    /// What to run to finish, if anything is left.
    pub next: Option<String>,
}

impl CleanupReport {
    /// Whether everything planned is gone (exit 0).
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty() && self.pending.is_empty()
    }
}

/// How a cleanup ended.
#[derive(Debug)]
pub struct CleanupOutcome {
    /// The summary.
    pub report: CleanupReport,
    /// A failure every call would have hit, which stopped the cleanup.
    pub stopped_by: Option<mailfix_client::Error>,
}

pub(super) fn report(
    client: &mailfix_client::Client,
    run: &RunId,
    status: RunStatus,
    items: &[ItemRecord],
    started: Instant,
) -> CleanupReport {
    let mut report = CleanupReport {
        run: Some(run.clone()),
        status: Some(status),
        elapsed_s: started.elapsed().as_secs_f64(),
        ..nothing_to_do(client)
    };
    for item in items {
        let line = ReportItem::of(item, item.reason.clone());
        match item.state {
            ItemState::Verified | ItemState::Withdrawn | ItemState::Removed => {
                report.removed.push(line)
            }
            ItemState::Skipped => report.absent.push(line),
            ItemState::RemoveFailed | ItemState::RemoveIntent => report.failed.push(line),
            _ => report.pending.push(line),
        }
    }
    if !report.is_complete() {
        report.next = Some("mailfix cleanup".to_owned());
    }
    report
}

/// An empty report, for a cleanup with nothing to do.
pub fn nothing_to_do(client: &mailfix_client::Client) -> CleanupReport {
    CleanupReport {
        run: None,
        status: None,
        removed: Vec::new(),
        absent: Vec::new(),
        failed: Vec::new(),
        pending: Vec::new(),
        requests: RequestCounts::from(&client.counters()),
        elapsed_s: 0.0,
        next: None,
    }
}
