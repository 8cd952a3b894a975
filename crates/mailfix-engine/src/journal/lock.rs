//! The single-writer lock: an exclusive advisory lock on `journal.db.lock` beside the database,
//! held for as long as a write session's `Journal` lives. The lock file also says who holds it
//! (pid, command, run), so that a second writer fails at once with a message naming the first.
//!
//! Uses the standard library's `File::try_lock` (flock on Unix, LockFileEx on Windows): the lock
//! lives exactly as long as the open file, with no guard borrowing from it, and the OS releases it
//! when a crashed process's descriptors close.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::{ErrorKind, JournalError};

/// Who holds (or wants) the writer lock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockHolder {
    /// Process id.
    pub pid: u32,
    /// The mailfix command, e.g. `fix`.
    pub command: String,
    /// The run being written, once known.
    pub run: Option<String>,
    /// When the lock was taken.
    pub since: DateTime<Utc>,
}

impl LockHolder {
    /// This process, running `command`.
    pub fn current(command: &str) -> Self {
        LockHolder {
            pid: std::process::id(),
            command: command.to_owned(),
            run: None,
            since: Utc::now(),
        }
    }
}

/// A held writer lock; released when dropped.
#[derive(Debug)]
pub struct WriterLock {
    file: File,
    path: PathBuf,
    holder: LockHolder,
}

/// The lock file beside a journal database.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".lock");
    db.with_file_name(name)
}

impl WriterLock {
    /// Takes the lock at once or fails with [`ErrorKind::Locked`] naming the holder.
    pub fn acquire(db: &Path, holder: LockHolder) -> Result<WriterLock, JournalError> {
        let path = lock_path(db);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(&path)
            .map_err(|e| JournalError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(ErrorKind::Locked {
                    path: db.to_owned(),
                    holder: read_holder(&mut file),
                }
                .into());
            }
            Err(TryLockError::Error(e)) => return Err(JournalError::io(&path, e)),
        }
        let mut lock = WriterLock { file, path, holder };
        lock.write_holder()?;
        Ok(lock)
    }

    /// Records the run being written, for the message a second writer gets.
    pub fn set_run(&mut self, run: &str) -> Result<(), JournalError> {
        self.holder.run = Some(run.to_owned());
        self.write_holder()
    }

    fn write_holder(&mut self) -> Result<(), JournalError> {
        let json = serde_json::to_vec(&self.holder)
            .map_err(|e| JournalError::corrupt(format!("lock holder: {e}")))?;
        let io = |e| JournalError::io(&self.path, e);
        self.file.set_len(0).map_err(io)?;
        self.file.seek(SeekFrom::Start(0)).map_err(io)?;
        self.file.write_all(&json).map_err(io)?;
        self.file.flush().map_err(io)
    }
}

fn read_holder(file: &mut File) -> Option<LockHolder> {
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}
