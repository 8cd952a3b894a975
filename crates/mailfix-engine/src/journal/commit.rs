//! Group commit: how async code uses the journal without blocking its runtime. Work handed to
//! [`Journal::submit`] runs on the journal's own thread; the work that arrives while a transaction
//! is being written waits and then shares the next one, so that many intents (or results) become
//! durable with one commit (`synchronous=FULL`: one fsync) instead of one each. A caller resumes
//! only once its work is on disk: "durable intent before the call" holds for every intent.
//!
//! Each piece of work runs in a savepoint of the shared transaction: a piece that fails is rolled
//! back alone and its caller gets the error; the others commit. If the commit itself fails, every
//! caller of the batch gets that failure. While a batch is open, other threads that use the journal
//! directly wait for it to end (see `db.rs`), so nothing they write can slip into it.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, MutexGuard, Weak};
use std::thread::ThreadId;

use rusqlite::Connection;

use super::db::{Inner, Journal};
use super::error::{ErrorKind, JournalError};

/// The most pieces of work one transaction takes.
const MOST_PER_COMMIT: usize = 512;

/// How much submitted work the journal's thread committed, and in how many commits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CommitStats {
    /// Transactions committed.
    pub commits: u64,
    /// Pieces of work they held.
    pub pieces: u64,
}

/// One piece of submitted work and the caller waiting for it.
pub(super) trait Job: Send {
    /// Runs the work inside the batch's transaction; whether it succeeded (kept) or not (rolled
    /// back to its savepoint).
    fn run(&mut self, journal: &Journal) -> bool;
    /// Tells the caller how it ended, once the batch is committed (or its commit failed).
    fn reply(self: Box<Self>, commit: Result<(), String>);
}

struct Call<T, F> {
    work: Option<F>,
    result: Option<Result<T, JournalError>>,
    reply: Option<tokio::sync::oneshot::Sender<Result<T, JournalError>>>,
}

impl<T, F> Job for Call<T, F>
where
    T: Send,
    F: FnOnce(&Journal) -> Result<T, JournalError> + Send,
{
    fn run(&mut self, journal: &Journal) -> bool {
        let Some(work) = self.work.take() else {
            return false;
        };
        let result = work(journal);
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn reply(mut self: Box<Self>, commit: Result<(), String>) {
        let result = match (commit, self.result.take()) {
            (Ok(()), Some(result)) => result,
            // The work's own failure says more than the batch's (e.g. that the file is damaged,
            // where rolling back to the savepoint fails too).
            (Err(_), Some(Err(failed))) => Err(failed),
            (Err(reason), _) => Err(ErrorKind::CommitFailed(reason).into()),
            (Ok(()), None) => Err(ErrorKind::CommitFailed("the work did not run".into()).into()),
        };
        if let Some(reply) = self.reply.take() {
            // The caller may have stopped waiting (its task was cancelled); the work is done.
            let _ = reply.send(result);
        }
    }
}

/// The sending end of the journal's thread, started at the first [`Journal::submit`].
pub(super) type Queue = Sender<Box<dyn Job>>;

/// The connection, and the thread whose batch holds it open, if one does.
pub(super) struct Slot {
    conn: Connection,
    batch: Option<ThreadId>,
}

impl Slot {
    pub(super) fn new(conn: Connection) -> Self {
        Self { conn, batch: None }
    }
}

/// The connection, locked for one statement or transaction.
pub(super) struct ConnGuard<'a>(MutexGuard<'a, Slot>);

impl<'a> ConnGuard<'a> {
    /// Locks the connection once no other thread's batch is open.
    pub(super) fn wait(inner: &'a Inner) -> Self {
        let me = std::thread::current().id();
        let mut slot = inner
            .slot
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while slot.batch.is_some_and(|owner| owner != me) {
            slot = inner
                .batch_ended
                .wait(slot)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        Self(slot)
    }
}

impl Deref for ConnGuard<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.0.conn
    }
}

impl DerefMut for ConnGuard<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.0.conn
    }
}

impl Journal {
    /// Runs `work` on the journal's thread, in a transaction shared with the work other tasks
    /// submit at about the same time, and resolves once that transaction is committed. Use it
    /// from async code for every journal read or write.
    pub async fn submit<T, F>(&self, work: F) -> Result<T, JournalError>
    where
        T: Send + 'static,
        F: FnOnce(&Journal) -> Result<T, JournalError> + Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let call: Box<dyn Job> = Box::new(Call {
            work: Some(work),
            result: None,
            reply: Some(reply),
        });
        self.queue()?.send(call).map_err(|_| {
            JournalError::from(ErrorKind::CommitFailed(
                "the journal's thread stopped".into(),
            ))
        })?;
        answer.await.map_err(|_| {
            JournalError::from(ErrorKind::CommitFailed(
                "the journal's thread stopped before answering".into(),
            ))
        })?
    }

    /// How much submitted work was committed so far, in how many commits.
    pub fn commit_stats(&self) -> CommitStats {
        CommitStats {
            commits: self.inner.commits.load(Ordering::Relaxed),
            pieces: self.inner.pieces.load(Ordering::Relaxed),
        }
    }

    /// The queue of the journal's thread, starting it if needed.
    fn queue(&self) -> Result<Queue, JournalError> {
        let mut slot = self
            .inner
            .queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(queue) = slot.as_ref() {
            return Ok(queue.clone());
        }
        let (queue, jobs) = std::sync::mpsc::channel();
        let inner = Arc::downgrade(&self.inner);
        std::thread::Builder::new()
            .name("mailfix-journal".to_owned())
            .spawn(move || serve(&inner, &jobs))
            .map_err(|e| JournalError::io(&self.inner.path, e))?;
        *slot = Some(queue.clone());
        Ok(queue)
    }
}

/// The journal's thread: takes what is queued, runs it in one transaction, commits, answers.
/// Ends when the journal is dropped (its queue closes).
fn serve(inner: &Weak<Inner>, jobs: &Receiver<Box<dyn Job>>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MOST_PER_COMMIT {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let commit = match inner.upgrade() {
            Some(inner) => {
                let journal = Journal { inner };
                let commit = journal.run_batch(&mut batch);
                // Dropped before answering, so that a caller that drops the journal next
                // finds it closed (and its writer lock released).
                drop(journal);
                commit
            }
            None => Err("the journal was closed".to_owned()),
        };
        for job in batch {
            job.reply(commit.clone());
        }
    }
}

impl Journal {
    /// One transaction over `batch`: each piece in a savepoint, kept or rolled back alone.
    fn run_batch(&self, batch: &mut [Box<dyn Job>]) -> Result<(), String> {
        self.begin_batch().map_err(|e| e.to_string())?;
        let mut outcome = Ok(());
        for job in batch.iter_mut() {
            if let Err(e) = self.in_savepoint(|journal| job.run(journal)) {
                outcome = Err(e.to_string());
                break;
            }
        }
        self.end_batch(outcome.is_ok()).map_err(|e| e.to_string())?;
        if outcome.is_ok() {
            self.inner.commits.fetch_add(1, Ordering::Relaxed);
            self.inner
                .pieces
                .fetch_add(batch.len() as u64, Ordering::Relaxed);
        }
        outcome
    }

    /// Opens the batch's transaction and marks the connection as this thread's until it ends.
    fn begin_batch(&self) -> Result<(), JournalError> {
        let mut conn = self.conn();
        conn.execute_batch("BEGIN")?;
        conn.0.batch = Some(std::thread::current().id());
        Ok(())
    }

    /// Commits (or rolls back) the batch's transaction and lets other threads in again.
    fn end_batch(&self, commit: bool) -> Result<(), JournalError> {
        let mut conn = self.conn();
        let ended = if commit {
            conn.execute_batch("COMMIT")
        } else {
            conn.execute_batch("ROLLBACK")
        };
        if ended.is_err() && !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        conn.0.batch = None;
        drop(conn);
        self.inner.batch_ended.notify_all();
        Ok(ended?)
    }

    fn in_savepoint(&self, run: impl FnOnce(&Journal) -> bool) -> Result<(), JournalError> {
        self.conn().execute_batch("SAVEPOINT submitted")?;
        let keep = run(self);
        let end = if keep {
            "RELEASE submitted"
        } else {
            "ROLLBACK TO submitted; RELEASE submitted"
        };
        self.conn().execute_batch(end)?;
        Ok(())
    }
}
