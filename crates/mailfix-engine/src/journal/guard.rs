//! `mailfix guard`'s state in the journal: per scope, the delta link and cycle counters, and the
//! users its remediation has to do with (see `migrations/0004_guard.sql`). A cycle's new delta link
//! and the users it queued are written in one transaction, so a crash either keeps both or
//! neither: the next start reads the same changes again, or finds the queued users.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::db::Journal;
use super::error::JournalError;
use super::rows::time_text;
use crate::finding::UserRef;
use crate::run_id::RunId;

/// Where a guard stands for one scope.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GuardState {
    /// Where the next delta round starts; `None`: read the whole scope.
    pub delta_link: Option<String>,
    /// Cycles that ended.
    pub cycles: u64,
    /// The last full read.
    pub full_at: Option<DateTime<Utc>>,
    /// The last cycle that ended.
    pub cycle_at: Option<DateTime<Utc>>,
}

/// Where a user stands with guard's remediation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GuardUserState {
    /// Found with MF001, waiting for a fix run (`--max-changes-per-cycle`, or a crash).
    Queued,
    /// In the fix run named.
    Fixing,
    /// Exchange did not write it back in time; alerted, not planned again.
    Stuck,
    /// The fix failed; alerted, not planned again.
    Failed,
}

impl GuardUserState {
    /// The spelling in the journal.
    pub fn as_str(self) -> &'static str {
        match self {
            GuardUserState::Queued => "queued",
            GuardUserState::Fixing => "fixing",
            GuardUserState::Stuck => "stuck",
            GuardUserState::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Result<Self, JournalError> {
        Ok(match text {
            "queued" => GuardUserState::Queued,
            "fixing" => GuardUserState::Fixing,
            "stuck" => GuardUserState::Stuck,
            "failed" => GuardUserState::Failed,
            other => {
                return Err(JournalError::corrupt(format!(
                    "unknown guard user state '{other}'"
                )));
            }
        })
    }
}

/// One user of guard's remediation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuardUser {
    /// The user.
    pub user: UserRef,
    /// Where it stands.
    pub state: GuardUserState,
    /// The fix run, once it has one.
    pub run: Option<RunId>,
    /// Why (stuck, failed).
    pub reason: Option<String>,
    /// The cycle that found it.
    pub cycle: u64,
}

/// What a cycle records when it ends its detection.
#[derive(Clone, Debug)]
pub struct CycleRecord<'a> {
    /// The scope's key.
    pub scope: &'a str,
    /// The scope as people read it.
    pub describe: &'a str,
    /// Where the next round starts.
    pub delta_link: &'a str,
    /// Whether the cycle read the whole scope.
    pub full: bool,
    /// MF001 users to queue (ones already known are left as they are).
    pub queued: &'a [UserRef],
}

impl Journal {
    /// The guard state of `scope` (`None` before its first cycle).
    pub fn guard_state(&self, scope: &str) -> Result<Option<GuardState>, JournalError> {
        let conn = self.conn();
        let row = conn
            .query_row(
                "SELECT delta_link, cycles, full_at, cycle_at FROM guard_state WHERE scope = ?1",
                params![scope],
                |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(delta_link, cycles, full_at, cycle_at)| {
            Ok(GuardState {
                delta_link,
                cycles: u64::try_from(cycles).unwrap_or(0),
                full_at: full_at.as_deref().map(parse_time).transpose()?,
                cycle_at: cycle_at.as_deref().map(parse_time).transpose()?,
            })
        })
        .transpose()
    }

    /// Records a cycle's detection: the next delta link, the counters, and the users it queued,
    /// in one transaction. Returns the cycle's number.
    pub fn record_cycle(&self, record: &CycleRecord<'_>) -> Result<u64, JournalError> {
        self.require_writer()?;
        let now = time_text(self.now());
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO guard_state (scope, describe, cycles) VALUES (?1, ?2, 0)
             ON CONFLICT(scope) DO NOTHING",
            params![record.scope, record.describe],
        )?;
        tx.execute(
            "UPDATE guard_state SET delta_link = ?2, cycles = cycles + 1, describe = ?3,
                 full_at = CASE WHEN ?4 THEN ?5 ELSE full_at END
             WHERE scope = ?1",
            params![
                record.scope,
                record.delta_link,
                record.describe,
                record.full,
                now
            ],
        )?;
        let cycle: i64 = tx.query_row(
            "SELECT cycles FROM guard_state WHERE scope = ?1",
            params![record.scope],
            |r| r.get(0),
        )?;
        for user in record.queued {
            tx.execute(
                "INSERT INTO guard_users (scope, user_id, upn, state, since, cycle)
                 VALUES (?1, ?2, ?3, 'queued', ?4, ?5)
                 ON CONFLICT(scope, user_id) DO NOTHING",
                params![record.scope, user.id, user.upn, now, cycle],
            )?;
        }
        tx.commit()?;
        Ok(u64::try_from(cycle).unwrap_or(0))
    }

    /// Marks the end of a cycle (the health endpoint's "last successful cycle").
    pub fn record_cycle_end(&self, scope: &str) -> Result<(), JournalError> {
        self.require_writer()?;
        let now = time_text(self.now());
        self.conn().execute(
            "UPDATE guard_state SET cycle_at = ?2 WHERE scope = ?1",
            params![scope, now],
        )?;
        Ok(())
    }

    /// The users of `scope`'s remediation, oldest first.
    pub fn guard_users(&self, scope: &str) -> Result<Vec<GuardUser>, JournalError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT user_id, upn, state, run_id, reason, cycle FROM guard_users
             WHERE scope = ?1 ORDER BY cycle, since, upn",
        )?;
        let rows = stmt.query_map(params![scope], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
        let mut users = Vec::new();
        for row in rows {
            let (id, upn, state, run, reason, cycle) = row?;
            users.push(GuardUser {
                user: UserRef::new(id, upn),
                state: GuardUserState::parse(&state)?,
                run: run
                    .map(|r| r.parse())
                    .transpose()
                    .map_err(|e| JournalError::corrupt(format!("guard user run id: {e}")))?,
                reason,
                cycle: u64::try_from(cycle).unwrap_or(0),
            });
        }
        Ok(users)
    }

    /// Puts queued users into fix run `run` (before the run starts, so that a crash in between
    /// is recognised: a run the journal does not know means the users go back to the queue).
    pub fn assign_guard_run(
        &self,
        scope: &str,
        users: &[UserRef],
        run: &RunId,
    ) -> Result<(), JournalError> {
        self.set_guard_users(scope, users, GuardUserState::Fixing, Some(run), None)
    }

    /// Sets users' state (and reason); `run` `None` keeps the run they had.
    pub fn set_guard_users(
        &self,
        scope: &str,
        users: &[UserRef],
        state: GuardUserState,
        run: Option<&RunId>,
        reason: Option<&str>,
    ) -> Result<(), JournalError> {
        self.require_writer()?;
        let now = time_text(self.now());
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for user in users {
            tx.execute(
                "UPDATE guard_users SET state = ?3, run_id = COALESCE(?4, run_id), reason = ?5,
                     since = ?6
                 WHERE scope = ?1 AND user_id = ?2",
                params![
                    scope,
                    user.id,
                    state.as_str(),
                    run.map(RunId::as_str),
                    reason,
                    now
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Forgets users (fixed, or no longer needing a fix).
    pub fn drop_guard_users(&self, scope: &str, users: &[UserRef]) -> Result<(), JournalError> {
        self.require_writer()?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for user in users {
            tx.execute(
                "DELETE FROM guard_users WHERE scope = ?1 AND user_id = ?2",
                params![scope, user.id],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, JournalError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| JournalError::corrupt(format!("guard time '{text}': {e}")))
}
