//! Journal operations on runs: begin, resume, finish, list, show.

use rusqlite::{OptionalExtension, params};

use super::db::Journal;
use super::error::{ErrorKind, JournalError};
use super::records::{NewRun, RunDetail, RunRecord, RunStatus};
use super::rows::{ITEM_COLUMNS, RUN_COLUMNS, item_from_row, run_from_row, time_text};
use crate::events::Command;
use crate::run_id::RunId;

/// Key fragments of option names whose values are never stored (defence in depth: callers should
/// not pass credentials at all).
const SECRET_KEYS: &[&str] = &[
    "secret",
    "password",
    "passwd",
    "token",
    "private",
    "assertion",
    "credential",
];

/// Replaces the values of secret-looking keys, at any depth, with `"(redacted)"`.
fn redact_secrets(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let key = key.to_ascii_lowercase();
                if SECRET_KEYS.iter().any(|s| key.contains(s)) {
                    *v = serde_json::Value::String("(redacted)".to_owned());
                } else {
                    redact_secrets(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_secrets),
        _ => {}
    }
}

/// Attempts at drawing an unused run id before giving up (60 million ids; a clash is rare).
const ID_ATTEMPTS: usize = 16;

impl Journal {
    /// Records a new run (status `running`) with a fresh id unused in this journal; later events
    /// are attributed to it.
    pub fn begin_run(&self, new: &NewRun) -> Result<RunRecord, JournalError> {
        self.require_writer()?;
        let mut last = None;
        for _ in 0..ID_ATTEMPTS {
            let id = RunId::random();
            if let Some(run) = self.insert_run(&id, new)? {
                return Ok(run);
            }
            last = Some(id);
        }
        Err(JournalError::corrupt(format!(
            "no free run id after {ID_ATTEMPTS} draws (last {last:?})"
        )))
    }

    /// Records a new run under an id chosen beforehand (`fix` shows a plan whose aliases carry the
    /// run id before anything is journaled). Fails with [`ErrorKind::RunExists`] when the id is
    /// taken; [`Journal::unused_run_id`] draws one that is not.
    pub fn begin_run_as(&self, id: &RunId, new: &NewRun) -> Result<RunRecord, JournalError> {
        self.require_writer()?;
        self.insert_run(id, new)?
            .ok_or_else(|| ErrorKind::RunExists(id.to_string()).into())
    }

    /// A random run id no run of this journal uses yet.
    pub fn unused_run_id(&self) -> Result<RunId, JournalError> {
        for _ in 0..ID_ATTEMPTS {
            let id = RunId::random();
            if self.run(&id)?.is_none() {
                return Ok(id);
            }
        }
        Err(JournalError::corrupt(format!(
            "no free run id after {ID_ATTEMPTS} draws"
        )))
    }

    /// Inserts the run unless the id is taken; `None` when it is.
    fn insert_run(&self, id: &RunId, new: &NewRun) -> Result<Option<RunRecord>, JournalError> {
        let mut options = new.options.clone();
        redact_secrets(&mut options);
        let inserted = self.conn().execute(
            "INSERT OR IGNORE INTO runs (id, command, started_at, status, options, tenant)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id.as_str(),
                new.command.as_str(),
                time_text(self.now()),
                RunStatus::Running.as_str(),
                options.to_string(),
                new.tenant
            ],
        )?;
        if inserted == 0 {
            return Ok(None);
        }
        self.set_acting_run(id)?;
        self.require_run(id).map(Some)
    }

    /// Takes up an earlier run again (`fix --resume`): status back to `running`.
    pub fn resume_run(&self, run: &RunId) -> Result<RunRecord, JournalError> {
        self.require_writer()?;
        self.update_run(run, RunStatus::Running, None, None)?;
        self.set_acting_run(run)?;
        self.require_run(run)
    }

    /// Ends a run with its status and summary.
    pub fn finish_run(
        &self,
        run: &RunId,
        status: RunStatus,
        summary: &serde_json::Value,
    ) -> Result<(), JournalError> {
        self.require_writer()?;
        let finished = (status != RunStatus::Running).then(|| time_text(self.now()));
        self.update_run(run, status, finished, Some(summary.to_string()))
    }

    /// Gives a run that ended a new status, its end time and summary kept: `cleanup` settles a
    /// fix run it left nothing to resume in.
    pub fn set_run_status(&self, run: &RunId, status: RunStatus) -> Result<(), JournalError> {
        self.require_writer()?;
        let changed = self.conn().execute(
            "UPDATE runs SET status = ?2 WHERE id = ?1",
            params![run.as_str(), status.as_str()],
        )?;
        if changed == 0 {
            return Err(ErrorKind::UnknownRun(run.to_string()).into());
        }
        Ok(())
    }

    fn update_run(
        &self,
        run: &RunId,
        status: RunStatus,
        finished_at: Option<String>,
        summary: Option<String>,
    ) -> Result<(), JournalError> {
        let changed = self.conn().execute(
            "UPDATE runs SET status = ?2, finished_at = ?3, summary = COALESCE(?4, summary)
             WHERE id = ?1",
            params![run.as_str(), status.as_str(), finished_at, summary],
        )?;
        if changed == 0 {
            return Err(ErrorKind::UnknownRun(run.to_string()).into());
        }
        Ok(())
    }

    /// Every run, newest first.
    pub fn list_runs(&self) -> Result<Vec<RunRecord>, JournalError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {RUN_COLUMNS} FROM runs ORDER BY started_at DESC, id"
        ))?;
        let rows = stmt.query_and_then([], run_from_row)?;
        rows.collect()
    }

    /// One run, if the journal has it.
    pub fn run(&self, run: &RunId) -> Result<Option<RunRecord>, JournalError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1"))?;
        stmt.query_and_then([run.as_str()], run_from_row)?
            .next()
            .transpose()
    }

    /// One run; [`ErrorKind::UnknownRun`] when the journal does not have it.
    pub fn require_run(&self, run: &RunId) -> Result<RunRecord, JournalError> {
        self.run(run)?
            .ok_or_else(|| ErrorKind::UnknownRun(run.to_string()).into())
    }

    /// A run with its items (`runs show ID`).
    pub fn show_run(&self, run: &RunId) -> Result<RunDetail, JournalError> {
        let record = self.require_run(run)?;
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {ITEM_COLUMNS} FROM items WHERE run_id = ?1 ORDER BY id"
        ))?;
        let items = stmt
            .query_and_then([run.as_str()], item_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(RunDetail { run: record, items })
    }

    /// The newest run that did not finish (crashed, killed, interrupted, failed, incomplete),
    /// optionally of one command: what `fix --resume` takes up by default. A `partial` run has
    /// nothing left to resume.
    pub fn latest_unfinished_run(
        &self,
        command: Option<Command>,
    ) -> Result<Option<RunRecord>, JournalError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {RUN_COLUMNS} FROM runs
             WHERE status NOT IN ('finished', 'partial') AND (?1 IS NULL OR command = ?1)
             ORDER BY started_at DESC, rowid DESC LIMIT 1"
        ))?;
        stmt.query_and_then([command.map(Command::as_str)], run_from_row)?
            .next()
            .transpose()
    }

    /// Whether any run was recorded.
    pub fn has_runs(&self) -> Result<bool, JournalError> {
        let one: Option<i64> = self
            .conn()
            .query_row("SELECT 1 FROM runs LIMIT 1", [], |r| r.get(0))
            .optional()?;
        Ok(one.is_some())
    }
}
