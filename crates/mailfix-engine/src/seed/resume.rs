//! Taking a seed run up again (`seed --resume [RUN]`): which run, what it was made from (the run's
//! options name the file, its SHA-256 and how it was read), and how each journaled item is settled
//! against a fresh read of the users' methods. An item whose last state is an intent may or may not
//! have landed: the fresh read decides (the value is there → it landed; otherwise send it again).

use std::collections::HashMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::csv::CsvOptions;
use super::decide::Decision;
use super::error::SeedError;
use super::outcome::MethodOutcome;
use super::plan::{MethodPlan, SeedInput, SeedPlan};
use crate::events::Command;
use crate::journal::{
    EventKind, ItemId, ItemKind, ItemRecord, ItemState, Journal, JournalError, Op, OpOutcome,
    RunStatus,
};
use crate::run_id::RunId;

/// What a seed run records as its options: enough to read the same file the same way again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredOptions {
    /// The HR file (absolute when it could be made so).
    pub file: PathBuf,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// The delimiter, when one was given.
    pub delimiter: Option<String>,
    /// `--map`, when given.
    pub map: Option<String>,
    /// `--default-region`, when given.
    pub default_region: Option<String>,
    /// `--update`.
    pub update: bool,
}

impl StoredOptions {
    /// The options of a plan.
    pub fn of(plan: &SeedPlan) -> StoredOptions {
        let input = &plan.input;
        StoredOptions {
            file: std::path::absolute(&input.file).unwrap_or_else(|_| input.file.clone()),
            sha256: plan.sha256.clone(),
            delimiter: input.csv.delimiter.map(|d| char::from(d).to_string()),
            map: (!input.csv.map.is_empty()).then(|| input.csv.map.to_string()),
            default_region: input.default_region.map(|r| r.to_string()),
            update: input.update,
        }
    }

    fn into_input(self, run: &RunId) -> Result<SeedInput, SeedError> {
        let bad = |what: &str| SeedError::Resume(format!("run {run} has an unreadable {what}"));
        let map = match &self.map {
            Some(m) => m.parse().map_err(|_| bad("--map"))?,
            None => Default::default(),
        };
        let default_region = match &self.default_region {
            Some(r) => Some(r.parse().map_err(|_| bad("--default-region"))?),
            None => None,
        };
        let delimiter = match self.delimiter.as_deref().map(str::as_bytes) {
            Some([d]) => Some(*d),
            Some(_) => return Err(bad("--delimiter")),
            None => None,
        };
        Ok(SeedInput {
            file: self.file,
            csv: CsvOptions { delimiter, map },
            default_region,
            update: self.update,
        })
    }
}

/// The run to resume and its input.
#[derive(Clone, Debug)]
pub struct ResumeTarget {
    /// The run.
    pub run: RunId,
    /// Its input (the file replaced when one was given again).
    pub input: SeedInput,
    /// The file's SHA-256 when the run started.
    pub sha256: String,
}

/// Finds the run to resume: `run`, or the latest unfinished seed run. `file` replaces the recorded
/// path (a moved file); its content must still match.
pub fn resume_target(
    journal: &Journal,
    run: Option<&RunId>,
    file: Option<PathBuf>,
) -> Result<ResumeTarget, SeedError> {
    let record = match run {
        Some(id) => journal
            .run(id)?
            .ok_or_else(|| SeedError::Resume(format!("no run {id} in the journal")))?,
        None => journal
            .latest_unfinished_run(Some(Command::Seed))?
            .ok_or_else(|| SeedError::Resume("no unfinished seed run in the journal".into()))?,
    };
    if record.command != Command::Seed {
        return Err(SeedError::Resume(format!(
            "run {} is a {} run, not a seed run",
            record.id, record.command
        )));
    }
    if record.status == RunStatus::Finished {
        return Err(SeedError::Resume(format!(
            "run {} finished; nothing to resume",
            record.id
        )));
    }
    let stored: StoredOptions = serde_json::from_value(record.options.clone())
        .map_err(|e| SeedError::Resume(format!("run {} has unreadable options: {e}", record.id)))?;
    let sha256 = stored.sha256.clone();
    let mut input = stored.into_input(&record.id)?;
    if let Some(file) = file {
        input.file = file;
    }
    Ok(ResumeTarget {
        run: record.id,
        input,
        sha256,
    })
}

/// The items of a run by user id and kind.
#[derive(Debug, Default)]
pub(crate) struct RunItems(HashMap<(String, ItemKind), ItemRecord>);

impl RunItems {
    pub(crate) fn load(journal: &Journal, run: &RunId) -> Result<RunItems, JournalError> {
        Ok(RunItems(
            journal
                .items(run)?
                .into_iter()
                .map(|i| ((i.user.id.clone(), i.kind), i))
                .collect(),
        ))
    }

    pub(crate) fn get(&self, user_id: &str, kind: ItemKind) -> Option<&ItemRecord> {
        self.0.get(&(user_id.to_owned(), kind))
    }
}

/// What to do with a journaled item of a resumed run.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Send the write, journaled on this item.
    Write(ItemId),
    /// Nothing to send: it ended so.
    Settled(MethodOutcome),
}

/// Settles `item` against a fresh plan of its method (made from a fresh read).
pub(crate) fn reconcile(
    journal: &Journal,
    item: &ItemRecord,
    plan: &MethodPlan,
) -> Result<Next, JournalError> {
    use ItemState as S;
    let done = || done_outcome(journal, item.id);
    Ok(match (item.state, &plan.decision) {
        (S::Added, Decision::Skip) => Next::Settled(done()?),
        (S::Added, d) if d.is_write() => Next::Settled(MethodOutcome::Failed {
            reason: "added earlier in this run but no longer registered; start a new run".into(),
        }),
        (S::AddIntent, Decision::Skip) => {
            journal.record_result(item.id, Op::Add, &OpOutcome::Succeeded)?;
            Next::Settled(done()?)
        }
        (S::Planned | S::AddIntent | S::AddFailed, d) if d.is_write() => Next::Write(item.id),
        (S::Planned | S::AddIntent | S::AddFailed, d) => {
            let outcome = MethodOutcome::planned(d);
            let reason = match d {
                Decision::Skip => "already registered".to_owned(),
                _ => format!("not written: {}", d.verb()),
            };
            journal.mark(item.id, S::Skipped, Some(&reason))?;
            Next::Settled(outcome)
        }
        (_, d) if d.is_write() => Next::Settled(MethodOutcome::Failed {
            reason: format!(
                "the journal closed this item earlier ({}); start a new run to write it",
                item.state
            ),
        }),
        (_, d) => Next::Settled(MethodOutcome::planned(d)),
    })
}

/// Created or updated, from the item's intent.
fn done_outcome(journal: &Journal, item: ItemId) -> Result<MethodOutcome, JournalError> {
    let updated = journal.item_events(item)?.iter().any(|e| {
        e.kind == EventKind::Intent && e.detail.as_deref().is_some_and(|d| d.starts_with("update"))
    });
    Ok(if updated {
        MethodOutcome::Updated
    } else {
        MethodOutcome::Created
    })
}
