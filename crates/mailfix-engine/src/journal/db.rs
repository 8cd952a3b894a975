//! Opening the journal: where it lives, file modes, PRAGMAs, migrations, the writer lock; and the
//! `Journal` handle the run and item operations hang off.

use std::fmt;
use std::io::ErrorKind as IoErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags};

use super::commit::{ConnGuard, Queue, Slot};
use super::error::{ErrorKind, JournalError};
use super::lock::{LockHolder, WriterLock};
use super::migrate;
use crate::run_id::RunId;

/// The time source for journal timestamps (replaceable in tests).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// How long a statement waits for another connection's transaction before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open journal. Opened for writing it holds the single-writer lock until dropped.
///
/// `Send + Sync`: the connection sits behind a mutex, so concurrent tasks of one run can journal
/// through a shared reference. Called directly, each method is one short transaction, committed
/// (and, with `synchronous=FULL`, on disk) before it returns; async code goes through
/// [`Journal::submit`], which runs the work on the journal's thread and commits what arrives at
/// the same time together.
pub struct Journal {
    pub(super) inner: Arc<Inner>,
}

/// What a [`Journal`] shares with its thread (which holds it weakly, so that dropping the
/// journal closes it).
pub(super) struct Inner {
    pub(super) slot: Mutex<Slot>,
    /// Signalled when a batch of the journal's thread ends.
    pub(super) batch_ended: Condvar,
    pub(super) path: PathBuf,
    pub(super) writer: Option<Mutex<WriterLock>>,
    pub(super) acting_run: Mutex<Option<RunId>>,
    pub(super) clock: RwLock<Clock>,
    pub(super) queue: Mutex<Option<Queue>>,
    pub(super) commits: AtomicU64,
    pub(super) pieces: AtomicU64,
}

impl fmt::Debug for Journal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.inner.path)
            .field("writer", &self.inner.writer.is_some())
            .finish_non_exhaustive()
    }
}

impl Journal {
    /// Opens an existing journal for reading (`mailfix runs`), without writing to it: fails with
    /// [`ErrorKind::Missing`] when there is none and [`ErrorKind::Empty`] when it holds no schema
    /// (an empty file is left as it is), [`ErrorKind::TooNew`] when a newer mailfix wrote it,
    /// [`ErrorKind::Foreign`] for another program's database. A journal of an older mailfix is
    /// upgraded (the one write a reader makes, to a file that is already a journal).
    pub fn open_read(path: &Path) -> Result<Journal, JournalError> {
        let meta = match std::fs::metadata(path) {
            Err(e) if e.kind() == IoErrorKind::NotFound => {
                return Err(ErrorKind::Missing(path.to_owned()).into());
            }
            Err(e) => return Err(JournalError::io(path, e)),
            Ok(meta) => meta,
        };
        if !meta.is_file() {
            return Err(ErrorKind::NotAFile(path.to_owned()).into());
        }
        if meta.len() == 0 {
            return Err(ErrorKind::Empty(path.to_owned()).into());
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| JournalError::from(e).at(path))?;
        match migrate::inspect(&conn, path).map_err(|e| e.at(path))? {
            migrate::Found::Blank => Err(ErrorKind::Empty(path.to_owned()).into()),
            migrate::Found::Current => Self::with_connection(conn, path, None),
            migrate::Found::Older => {
                drop(conn);
                let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                Self::connect(path, flags, None)
            }
        }
    }

    /// Opens (creating if needed) a journal for a write session, taking the single-writer lock
    /// first: a second writer fails at once with [`ErrorKind::Locked`] naming the holder. The
    /// directory is created `0700` and the database `0600`.
    pub fn open_write(path: &Path, holder: LockHolder) -> Result<Journal, JournalError> {
        if path.is_dir() {
            return Err(ErrorKind::NotAFile(path.to_owned()).into());
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir)?;
        }
        let lock = WriterLock::acquire(path, holder)?;
        create_private_file(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Self::connect(path, flags, Some(lock))
    }

    /// Opens for writing, brings the schema up to date.
    fn connect(
        path: &Path,
        flags: OpenFlags,
        lock: Option<WriterLock>,
    ) -> Result<Journal, JournalError> {
        let opened = || -> Result<Connection, JournalError> {
            let mut conn = Connection::open_with_flags(path, flags)?;
            conn.busy_timeout(BUSY_TIMEOUT)?;
            conn.pragma_update(None, "foreign_keys", true)?;
            migrate::inspect(&conn, path)?;
            let mode: String =
                conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                tracing::warn!(mode, "journal is not in WAL mode");
            }
            conn.pragma_update(None, "synchronous", "FULL")?;
            migrate::migrate(&mut conn, path)?;
            Ok(conn)
        };
        let conn = opened().map_err(|e| e.at(path))?;
        Self::with_connection(conn, path, lock)
    }

    /// The handle over an open connection (settings that change no file).
    fn with_connection(
        conn: Connection,
        path: &Path,
        lock: Option<WriterLock>,
    ) -> Result<Journal, JournalError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        Ok(Journal {
            inner: Arc::new(Inner {
                slot: Mutex::new(Slot::new(conn)),
                batch_ended: Condvar::new(),
                path: path.to_owned(),
                writer: lock.map(Mutex::new),
                acting_run: Mutex::new(None),
                clock: RwLock::new(Arc::new(Utc::now)),
                queue: Mutex::new(None),
                commits: AtomicU64::new(0),
                pieces: AtomicU64::new(0),
            }),
        })
    }

    /// Replaces the clock (tests drive time explicitly).
    pub fn with_clock(self, clock: Clock) -> Journal {
        *self
            .inner
            .clock
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = clock;
        self
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Whether this handle holds the writer lock.
    pub fn is_writer(&self) -> bool {
        self.inner.writer.is_some()
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32, JournalError> {
        migrate::schema_version(&self.conn())
    }

    /// The connection, once no batch of the journal's thread is open (on that thread, at once).
    pub(super) fn conn(&self) -> ConnGuard<'_> {
        ConnGuard::wait(&self.inner)
    }

    pub(super) fn now(&self) -> DateTime<Utc> {
        let clock = self
            .inner
            .clock
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        clock()
    }

    pub(super) fn require_writer(&self) -> Result<(), JournalError> {
        if self.inner.writer.is_some() {
            Ok(())
        } else {
            Err(ErrorKind::ReadOnly.into())
        }
    }

    /// Makes `run` the run that later events are attributed to, and names it in the lock file.
    pub(super) fn set_acting_run(&self, run: &RunId) -> Result<(), JournalError> {
        *self
            .inner
            .acting_run
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(run.clone());
        if let Some(writer) = &self.inner.writer {
            writer
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .set_run(run.as_str())?;
        }
        Ok(())
    }

    pub(super) fn acting_run(&self) -> Option<RunId> {
        self.inner
            .acting_run
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

fn create_private_dir(dir: &Path) -> Result<(), JournalError> {
    mailfix_client::private_file::create_dir(dir).map_err(|e| JournalError::io(dir, e))
}

/// Creates the database file as a private file before SQLite does (SQLite would use the umask);
/// SQLite gives its `-wal` and `-shm` files the database file's mode. An existing file is
/// tightened to `0600`.
fn create_private_file(path: &Path) -> Result<(), JournalError> {
    match mailfix_client::private_file::create_new(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == IoErrorKind::AlreadyExists => tighten(path),
        Err(e) => Err(JournalError::io(path, e)),
    }
}

#[cfg(unix)]
fn tighten(path: &Path) -> Result<(), JournalError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|e| JournalError::io(path, e))?;
    if meta.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| JournalError::io(path, e))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn tighten(_path: &Path) -> Result<(), JournalError> {
    Ok(())
}
