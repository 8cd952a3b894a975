//! The summary of a fix run (README "Fix" step 7), built from the journal so that a resumed run reports
//! all its items: fixed / stuck / failed / skipped (and, after an interruption, pending), the
//! write-back latency, the requests made, the elapsed time and the command to run next. Its JSON
//! field names are part of mailfix's output contract.

use std::time::Duration;

use mailfix_client::{ConcurrencyReport, CountersSnapshot, Service};
use serde::Serialize;

use crate::aliases::LatencyStats;
use crate::journal::{ItemKind, ItemRecord, ItemState, RunDetail, RunStatus};
use crate::run_id::RunId;
use crate::scope::SkipCounts;

/// One user in a report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportItem {
    /// Object id.
    pub id: String,
    /// UPN.
    pub upn: String,
    /// The temporary alias, when one was planned.
    pub alias: Option<String>,
    /// Why it is in this list, when it is not the plain outcome.
    pub reason: Option<String>,
    /// Write-back latency in seconds (fixed users).
    pub latency_s: Option<f64>,
}

impl ReportItem {
    /// The report line of a journal item.
    pub fn of(item: &ItemRecord, reason: Option<String>) -> Self {
        ReportItem {
            id: item.user.id.clone(),
            upn: item.user.upn.clone(),
            alias: Some(item.planned.clone()).filter(|a| !a.is_empty()),
            reason,
            latency_s: item.latency.map(|l| l.as_secs_f64()),
        }
    }
}

/// Write-back latency; every field `null` when no user was written back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct LatencySummary {
    /// Median, seconds.
    pub p50_s: Option<f64>,
    /// 90th percentile, seconds.
    pub p90_s: Option<f64>,
    /// Maximum, seconds.
    pub max_s: Option<f64>,
}

impl From<Option<LatencyStats>> for LatencySummary {
    fn from(stats: Option<LatencyStats>) -> Self {
        let secs = |d: Duration| Some(d.as_secs_f64());
        stats.map_or_else(LatencySummary::default, |s| LatencySummary {
            p50_s: secs(s.p50),
            p90_s: secs(s.p90),
            max_s: secs(s.max),
        })
    }
}

/// Requests this invocation made (the client's counters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RequestCounts {
    /// Graph requests (a `$batch` counts once).
    pub graph: u64,
    /// Exchange requests.
    pub exchange: u64,
    /// Throttled answers.
    pub throttled: u64,
    /// Retried sends.
    pub retried: u64,
    /// Exchange requests sent at once: as configured (`--concurrency`), the fewest the client
    /// lowered it to, and how often Exchange pushed back (429, or its concurrency message).
    pub exchange_concurrency: ConcurrencyReport,
}

impl From<&CountersSnapshot> for RequestCounts {
    fn from(c: &CountersSnapshot) -> Self {
        RequestCounts {
            graph: c.requests_to(Service::Graph),
            exchange: c.requests_to(Service::Exchange),
            throttled: c.throttled,
            retried: c.retries,
            exchange_concurrency: c.exchange_concurrency,
        }
    }
}

/// The summary of a fix run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FixReport {
    /// The run (`null` when there was nothing to do).
    pub run: Option<RunId>,
    /// How the run ended.
    pub status: Option<RunStatus>,
    /// Number of targets (MF001 users).
    pub targets: usize,
    /// `mail` written back; alias removed (or kept with `--keep-aliases`).
    pub fixed: Vec<ReportItem>,
    /// No write-back before the timeout.
    pub stuck: Vec<ReportItem>,
    /// Failed, with why.
    pub failed: Vec<ReportItem>,
    /// Not attempted, with why.
    pub skipped: Vec<ReportItem>,
    /// Not finished because the run stopped early (`fix --resume` continues them).
    pub pending: Vec<ReportItem>,
    /// Write-back latency of the fixed users.
    pub latency: LatencySummary,
    /// Requests made by this invocation.
    pub requests: RequestCounts,
    /// Wall time of this invocation.
    pub elapsed_s: f64,
    /// Members the scope left out, by reason.
    pub skipped_members: SkipCounts,
    /// The command that resumes or cleans up what is left, if anything is.
    pub next: Option<String>,
}

/// What the report needs besides the journal.
#[derive(Clone, Debug, Default)]
pub struct ReportContext {
    /// Targets of the run.
    pub targets: usize,
    /// Whether aliases are kept after the write-back.
    pub keep_aliases: bool,
    /// Members the scope left out.
    pub skipped_members: SkipCounts,
    /// The client's counters.
    pub counters: CountersSnapshot,
    /// Wall time.
    pub elapsed: Duration,
}

impl FixReport {
    /// The report of a run from its journal items.
    pub fn from_run(detail: &RunDetail, status: RunStatus, ctx: &ReportContext) -> Self {
        let mut report = FixReport::empty(ctx);
        report.run = Some(detail.run.id.clone());
        report.status = Some(status);
        let aliases = detail.items.iter().filter(|i| i.kind == ItemKind::Alias);
        for item in aliases {
            report.place(item, ctx.keep_aliases);
        }
        report.latency = detail.latency().into();
        report.next = next_command(detail, status, ctx.keep_aliases);
        report
    }

    /// A report of a run that had nothing to do.
    pub fn empty(ctx: &ReportContext) -> Self {
        FixReport {
            run: None,
            status: None,
            targets: ctx.targets,
            fixed: Vec::new(),
            stuck: Vec::new(),
            failed: Vec::new(),
            skipped: Vec::new(),
            pending: Vec::new(),
            latency: LatencySummary::default(),
            requests: RequestCounts::from(&ctx.counters),
            elapsed_s: ctx.elapsed.as_secs_f64(),
            skipped_members: ctx.skipped_members.clone(),
            next: None,
        }
    }

    fn place(&mut self, item: &ItemRecord, keep_aliases: bool) {
        use ItemState::*;
        let reason = item.reason.clone();
        let written = item.written_back_at.is_some();
        let (list, reason) = match item.state {
            Skipped => (&mut self.skipped, reason),
            Verified | Removed if written => (&mut self.fixed, None),
            WrittenBack if keep_aliases => (&mut self.fixed, Some("alias kept".to_owned())),
            WrittenBack => (&mut self.pending, Some("alias not removed yet".to_owned())),
            RemoveIntent | RemoveFailed if written => (
                &mut self.failed,
                Some(format!(
                    "mail was written back, but the temporary alias was not removed: {}",
                    reason.unwrap_or_else(|| "outcome unknown".to_owned())
                )),
            ),
            Stuck => (&mut self.stuck, reason.map(|r| format!("{r}; alias kept"))),
            Withdrawn => (&mut self.stuck, reason),
            Verified | Removed => (&mut self.stuck, stuck_reason(reason, "alias removed")),
            RemoveIntent | RemoveFailed => (
                &mut self.stuck,
                stuck_reason(reason, "removing the alias did not finish"),
            ),
            AddFailed => (&mut self.failed, reason),
            AddIntent => (
                &mut self.failed,
                Some("whether the alias was added is unknown".to_owned()),
            ),
            Planned | Added => (&mut self.pending, None),
        };
        list.push(ReportItem::of(item, reason));
    }

    /// Whether every target was fixed and nothing is left to do (exit 0).
    pub fn is_complete(&self) -> bool {
        self.fixed.len() == self.targets
            && self.stuck.is_empty()
            && self.failed.is_empty()
            && self.pending.is_empty()
            && matches!(self.status, None | Some(RunStatus::Finished))
    }
}

fn stuck_reason(reason: Option<String>, what: &str) -> Option<String> {
    Some(match reason {
        Some(r) if !r.starts_with("no write-back") => {
            format!("no write-back before the timeout; {what}: {r}")
        }
        Some(r) => format!("{r}; {what}"),
        None => format!("no write-back before the timeout; {what}"),
    })
}

/// Whether a later `fix --resume` has work on this item.
pub fn needs_resume(item: &ItemRecord, keep_aliases: bool) -> bool {
    use ItemState::*;
    item.kind == ItemKind::Alias
        && match item.state {
            Planned | AddIntent | RemoveIntent | Added | Stuck => true,
            WrittenBack => !keep_aliases,
            _ => false,
        }
}

fn next_command(detail: &RunDetail, status: RunStatus, keep_aliases: bool) -> Option<String> {
    let run = &detail.run.id;
    if status != RunStatus::Finished && detail.items.iter().any(|i| needs_resume(i, keep_aliases)) {
        return Some(format!("mailfix fix --resume {run}"));
    }
    detail
        .items
        .iter()
        .any(|i| i.kind == ItemKind::Alias && i.state.alias_may_be_present())
        .then(|| format!("mailfix cleanup --run {run}"))
}
