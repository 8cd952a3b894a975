//! `seed` end to end, with memory flat however long the HR file is. [`check_file`] reads the file
//! through once for every file-level problem (so they are refused before any request) and its
//! SHA-256; [`plan_seed`] plans it a chunk at a time (users resolved and methods read in
//! `$batch`es), keeps counts and a preview, and puts the planned rows on disk (a dry run's rows go
//! to the sink instead, as they are planned); [`execute`] applies the rows a chunk at a time under
//! a new or resumed journal run and hands each row's report to the sink.

use std::io::Read;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use mailfix_client::Client;
use sha2::{Digest, Sha256};

use super::apply::{Applier, ApplyOptions};
use super::chunks::{CHUNK_ROWS, ChunkPlanner, csv_error};
use super::csv::HrReader;
use super::error::SeedError;
use super::outcome::{MethodOutcome, RowReport, SeedReport, SeedSummary};
use super::plan::{PlanCounts, PlannedWrite, RowPlan, SeedInput, SeedPlan};
use super::resume::{ResumeTarget, StoredOptions};
use super::sink::RowSink;
use super::spool::{Spool, SpoolWriter};
use crate::events::{Command, Event, Phase, Reporter};
use crate::journal::{Journal, NewRun, RunStatus};
use crate::run_id::RunId;

/// Writes shown before the confirmation.
const PREVIEW: usize = 20;

/// Reads the whole file once: any file-level problem (not UTF-8, malformed, no user column) is
/// found before a request is sent. Returns the file's SHA-256 (hex).
pub fn check_file(input: &SeedInput) -> Result<String, SeedError> {
    let file = std::fs::File::open(&input.file).map_err(|source| SeedError::File {
        path: input.file.clone(),
        source,
    })?;
    let mut hashing = Hashing {
        inner: file,
        hasher: Sha256::new(),
    };
    let mut reader = HrReader::new(&mut hashing, &input.csv).map_err(|e| csv_error(input, e))?;
    while reader
        .next_record()
        .map_err(|e| csv_error(input, e))?
        .is_some()
    {}
    drop(reader);
    Ok(hex(&hashing.hasher.finalize()))
}

/// Plans the file chunk by chunk (only reads): the counts, the first writes, and the rows kept for
/// [`execute`]; for a dry run (`sink`) every row's report as planned instead.
pub async fn plan_seed(
    client: &Client,
    input: SeedInput,
    reporter: &dyn Reporter,
    mut sink: Option<&mut dyn RowSink>,
) -> Result<(SeedPlan, SeedSummary), SeedError> {
    let sha256 = check_file(&input)?;
    reporter.report(&Event::Phase {
        phase: Phase::Scope,
    });
    let mut counts = PlanCounts::default();
    let mut preview = Vec::new();
    let mut planned = SeedSummary::new();
    if let Some(sink) = sink.as_deref_mut() {
        sink.begin(None).map_err(SeedError::Report)?;
    }
    let mut spool = match sink {
        Some(_) => None,
        None => Some(SpoolWriter::new().map_err(SeedError::Spool)?),
    };
    let mut planner = ChunkPlanner::open(client, &input, reporter)?;
    while let Some(rows) = planner.next_chunk().await? {
        for row in &rows {
            counts.add(row);
            add_preview(&mut preview, row);
            let report = planned_report(row);
            planned.add(&report);
            if let Some(sink) = sink.as_deref_mut() {
                sink.row(&report).map_err(SeedError::Report)?;
            }
            if let Some(spool) = &mut spool {
                spool.push(row).map_err(SeedError::Spool)?;
            }
        }
        reporter.report(&Event::Scanned {
            read: counts.rows as u64,
            skipped: 0,
        });
    }
    reporter.report(&Event::Phase { phase: Phase::Plan });
    drop(planner);
    let rows = spool
        .map(SpoolWriter::finish)
        .transpose()
        .map_err(SeedError::Spool)?;
    let plan = SeedPlan {
        input,
        sha256,
        counts,
        preview,
        rows,
    };
    Ok((plan, planned))
}

impl SeedPlan {
    /// Refuses a plan with more writes than `max` (`--max-changes`).
    pub fn check_max_changes(&self, max: Option<usize>) -> Result<(), SeedError> {
        match max {
            Some(max) if self.writes() > max => Err(SeedError::TooManyChanges {
                planned: self.writes(),
                max,
            }),
            _ => Ok(()),
        }
    }
}

fn add_preview(preview: &mut Vec<PlannedWrite>, row: &RowPlan) {
    let user = row
        .user
        .as_ref()
        .map_or(row.upn.as_str(), |u| u.upn.as_str());
    for m in row.writes() {
        if preview.len() < PREVIEW {
            preview.push(PlannedWrite {
                line: row.line,
                user: user.to_owned(),
                kind: m.kind,
                verb: m.decision.verb(),
                value: m.value.clone(),
            });
        }
    }
}

fn planned_report(row: &RowPlan) -> RowReport {
    let outcomes = row
        .methods
        .iter()
        .map(|m| MethodOutcome::planned(&m.decision))
        .collect();
    RowReport::new(row, outcomes)
}

/// The report of a dry run, from the summary [`plan_seed`] counted (its rows went to the sink).
pub fn dry_run(planned: SeedSummary) -> SeedReport {
    SeedReport {
        run: None,
        dry_run: true,
        interrupted: false,
        notes: SeedReport::notes_for(&planned),
        summary: planned,
    }
}

/// Which journal run the writes belong to.
#[derive(Clone, Debug)]
pub enum RunStart {
    /// A new run (only begun when the plan has writes).
    New {
        /// The tenant, recorded with the run.
        tenant: Option<String>,
    },
    /// Take an earlier run up again ([`super::resume::resume_target`]).
    Resume(ResumeTarget),
}

/// Applies `plan` (as planned and confirmed: its rows are not planned again) and reports every row
/// to `sink`. Without writes (and not resuming) no run is journaled (`journal` may be `None`) and
/// the rows are reported as planned. `stop` (Ctrl-C) stops new writes; the writes not reached are
/// reported `pending` and the run can be resumed.
#[allow(clippy::too_many_arguments, reason = "the run's parts, each needed")]
pub async fn execute(
    client: &Client,
    journal: Option<&Journal>,
    plan: &SeedPlan,
    start: RunStart,
    options: &ApplyOptions,
    reporter: &dyn Reporter,
    stop: &AtomicBool,
    sink: &mut dyn RowSink,
) -> Result<SeedReport, SeedError> {
    let spool = plan.rows.as_ref().ok_or_else(|| {
        SeedError::Spool(std::io::Error::other(
            "a dry run's plan has no rows to apply",
        ))
    })?;
    let journal = match (journal, &start) {
        (_, RunStart::New { .. }) if plan.writes() == 0 => return report_planned(spool, sink),
        (Some(journal), _) => journal,
        (None, _) => {
            return Err(SeedError::Resume(
                "no journal to record the writes in".into(),
            ));
        }
    };
    let run = begin(journal, plan, start, reporter)?;
    reporter.report(&Event::RunStarted {
        command: Command::Seed,
        run: Some(run.clone()),
        targets: Some(plan.writes() as u64),
    });
    sink.begin(Some(&run)).map_err(SeedError::Report)?;
    let started = Instant::now();
    let applier = Applier::new(
        client,
        journal,
        &run,
        options,
        reporter,
        stop,
        plan.writes(),
    )
    .await?;
    let (summary, interrupted) = match apply_chunks(spool, &applier, sink).await {
        Ok(done) => done,
        Err(e) => {
            let summary = serde_json::json!({"error": e.to_string()});
            journal.finish_run(&run, RunStatus::Failed, &summary)?;
            return Err(e);
        }
    };
    let status = match interrupted {
        true => RunStatus::Interrupted,
        false => RunStatus::Finished,
    };
    journal.finish_run(
        &run,
        status,
        &serde_json::to_value(&summary).unwrap_or_default(),
    )?;
    reporter.report(&Event::RunFinished {
        run: Some(run.clone()),
        elapsed: started.elapsed(),
        done: summary.rows - summary.not_done,
        not_done: summary.not_done,
    });
    Ok(SeedReport {
        run: Some(run),
        dry_run: false,
        interrupted,
        notes: SeedReport::notes_for(&summary),
        summary,
    })
}

/// The run the writes go to: a new one, or the resumed one (whose file must be the same).
fn begin(
    journal: &Journal,
    plan: &SeedPlan,
    start: RunStart,
    reporter: &dyn Reporter,
) -> Result<RunId, SeedError> {
    match start {
        RunStart::New { tenant } => {
            let options = serde_json::to_value(StoredOptions::of(plan))
                .map_err(|e| SeedError::Resume(format!("cannot record the options: {e}")))?;
            let new = NewRun {
                command: Command::Seed,
                options,
                tenant,
            };
            Ok(journal.begin_run(&new)?.id)
        }
        RunStart::Resume(target) => {
            if target.sha256 != plan.sha256 {
                return Err(SeedError::Resume(format!(
                    "{} changed since run {} started; start a new run with it instead",
                    plan.input.file.display(),
                    target.run
                )));
            }
            reporter.report(&Event::Phase {
                phase: Phase::Resume,
            });
            Ok(journal.resume_run(&target.run)?.id)
        }
    }
}

/// Applies each chunk of rows in turn; after Ctrl-C the writes left are reported as not reached.
async fn apply_chunks(
    spool: &Spool,
    applier: &Applier<'_>,
    sink: &mut dyn RowSink,
) -> Result<(SeedSummary, bool), SeedError> {
    let mut summary = SeedSummary::new();
    let mut chunks = spool.chunks(CHUNK_ROWS).map_err(SeedError::Spool)?;
    let mut report = |row: RowReport, summary: &mut SeedSummary| {
        summary.add(&row);
        sink.row(&row).map_err(SeedError::Report)
    };
    while let Some(rows) = chunks.next_chunk().map_err(SeedError::Spool)? {
        if applier.stopped() {
            for row in &rows {
                report(not_reached(row), &mut summary)?;
            }
            continue;
        }
        let outcomes = applier.apply(&rows).await?;
        for (row, outcomes) in rows.iter().zip(outcomes) {
            report(RowReport::new(row, outcomes), &mut summary)?;
        }
    }
    Ok((summary, applier.stopped()))
}

/// A row whose writes a stopped run did not reach: those are pending, the rest as planned.
fn not_reached(row: &RowPlan) -> RowReport {
    let outcomes = row
        .methods
        .iter()
        .map(|m| match m.decision.is_write() {
            true => MethodOutcome::Pending,
            false => MethodOutcome::planned(&m.decision),
        })
        .collect();
    RowReport::new(row, outcomes)
}

/// A plan without writes, reported row by row as planned; no run is journaled.
fn report_planned(spool: &Spool, sink: &mut dyn RowSink) -> Result<SeedReport, SeedError> {
    sink.begin(None).map_err(SeedError::Report)?;
    let mut summary = SeedSummary::new();
    let mut chunks = spool.chunks(CHUNK_ROWS).map_err(SeedError::Spool)?;
    while let Some(rows) = chunks.next_chunk().map_err(SeedError::Spool)? {
        for row in &rows {
            let report = planned_report(row);
            summary.add(&report);
            sink.row(&report).map_err(SeedError::Report)?;
        }
    }
    Ok(SeedReport {
        run: None,
        dry_run: false,
        interrupted: false,
        notes: SeedReport::notes_for(&summary),
        summary,
    })
}

/// A reader that hashes what it reads.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
