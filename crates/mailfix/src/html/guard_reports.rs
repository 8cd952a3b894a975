//! `guard --html PATH`: an observer of the guard's events that writes one report when each cycle
//! ends: the cycle's numbers, the findings it told, and the fix runs it finished (read back from the
//! journal, read-only). `{cycle}` in the path gives one file per cycle; without it the one file is
//! replaced every cycle (a rolling report; replaced atomically, so a reader never sees half a page).
//! A report that cannot be written is said on stderr and never stops the guard.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::Utc;
use mailfix_engine::guard::{CycleSummary, GuardEvent, GuardObserver};
use mailfix_engine::journal::{Journal, RunDetail};
use mailfix_engine::{Finding, RunId};

use super::reports::chart_error;
use super::views::{GuardCycle, GuardView};
use super::{Header, Portal, ReportFile, pages};
use crate::connect::Context;
use crate::error::CliError;
use crate::printer::Printer;

/// What a cycle told so far.
#[derive(Debug, Default)]
struct Told {
    findings: Vec<Finding>,
    runs: Vec<RunId>,
}

/// Writes a report per guard cycle.
#[derive(Debug)]
pub struct GuardReports {
    printer: Arc<Printer>,
    file: ReportFile,
    journal: PathBuf,
    tenant: Option<String>,
    portal: Portal,
    scope: String,
    told: Mutex<Told>,
}

impl GuardReports {
    /// Reports of the guard watching `scope` (described) into `file`.
    pub fn new(ctx: &Context, file: ReportFile, scope: String) -> Self {
        GuardReports {
            printer: ctx.printer.clone(),
            file,
            journal: ctx.settings.journal.value.clone(),
            tenant: ctx.settings.tenant.as_ref().map(|t| t.value.clone()),
            portal: Portal::for_cloud(ctx.settings.cloud.value),
            scope,
            told: Mutex::new(Told::default()),
        }
    }

    fn write(&self, summary: &CycleSummary, told: &Told) -> Result<PathBuf, CliError> {
        let runs: Vec<RunDetail> = match told.runs.is_empty() {
            true => Vec::new(),
            false => {
                let journal = Journal::open_read(&self.journal)?;
                let details = told.runs.iter().map(|run| journal.show_run(run));
                details.collect::<Result<_, _>>()?
            }
        };
        let cycle = GuardCycle {
            cycle: summary.cycle,
            full: summary.full,
            changes: summary.changes,
            checked: summary.checked,
            findings: &told.findings,
            fix_runs: &runs,
        };
        let now = Utc::now();
        let run_ids: Vec<String> = told.runs.iter().map(ToString::to_string).collect();
        let header = Header::at(now, self.tenant.clone(), "guard", self.scope.clone())
            .with_run((!run_ids.is_empty()).then(|| run_ids.join(", ")));
        let view = GuardView::new(&cycle, &self.portal, now).map_err(chart_error)?;
        let page = pages::guard(&header, &view.tiles, &view.scan, &view.runs)?;
        let file = self.file.for_cycle(summary.cycle);
        file.write(&page)?;
        Ok(file.path().to_owned())
    }
}

impl GuardObserver for GuardReports {
    fn event(&self, event: &GuardEvent) {
        let mut told = self.told.lock().unwrap_or_else(PoisonError::into_inner);
        match event {
            GuardEvent::CycleStarted { .. } => *told = Told::default(),
            GuardEvent::Finding { finding } => told.findings.push(finding.clone()),
            GuardEvent::FixFinished { run, .. } => told.runs.push(run.clone()),
            GuardEvent::CycleFinished { summary } => {
                let done = std::mem::take(&mut *told);
                drop(told);
                match self.write(summary, &done) {
                    Ok(path) => self
                        .printer
                        .status(&format!("HTML report: {}", path.display())),
                    Err(e) => self.printer.notice(&format!(
                        "the HTML report of cycle {} was not written: {}",
                        summary.cycle, e.headline
                    )),
                }
            }
            _ => {}
        }
    }
}
