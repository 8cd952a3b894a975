//! The journal's error type: a boxed, non-exhaustive kind with predicates.

use std::io;
use std::path::PathBuf;

use super::lock::LockHolder;
use super::records::{ItemId, ItemState};

/// An error opening, reading or writing the journal.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct JournalError(Box<ErrorKind>);

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No `--journal` was given and the platform has no state directory.
    #[error("cannot find a state directory for the journal; pass --journal PATH")]
    NoStateDir,
    /// A read of a journal that does not exist.
    #[error("no journal at {0} (no runs recorded yet)")]
    Missing(PathBuf),
    /// A read of a journal file that is empty (or an SQLite file without tables).
    #[error("journal {0} is empty (no runs recorded yet)")]
    Empty(PathBuf),
    /// The journal path names a directory (or something else that is not a file).
    #[error("journal {0} is a directory, not a file")]
    NotAFile(PathBuf),
    /// An SQLite database that holds other tables than a journal's.
    #[error("journal {0} is an SQLite database, but not a mailfix journal (it holds other tables)")]
    Foreign(PathBuf),
    /// The file is not a database, or its pages are damaged.
    #[error("{}", damaged_message(path.as_deref(), source))]
    Damaged {
        /// The journal, when known where the damage was found.
        path: Option<PathBuf>,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The database was written by a newer mailfix.
    #[error(
        "journal {path} has schema version {found}, newer than this mailfix understands ({known}); \
         upgrade mailfix or pass another --journal"
    )]
    TooNew {
        /// The database.
        path: PathBuf,
        /// Its schema version.
        found: u32,
        /// The newest this binary knows.
        known: u32,
    },
    /// Another process holds the writer lock.
    #[error("{}", locked_message(path, holder.as_ref()))]
    Locked {
        /// The journal.
        path: PathBuf,
        /// Who holds it, when it said.
        holder: Option<LockHolder>,
    },
    /// A file-system error on the journal, its directory or its lock file.
    #[error("journal {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// An SQLite error.
    #[error("journal database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A run id the journal does not know.
    #[error("no run {0} in the journal")]
    UnknownRun(String),
    /// A new run was given an id an earlier run already has.
    #[error("the journal already has a run {0}")]
    RunExists(String),
    /// An item id the journal does not know.
    #[error("no item {0} in the journal")]
    UnknownItem(ItemId),
    /// A state change the item's state machine does not allow (a bug in the caller).
    #[error("journal item {item}: cannot go from {from} to {to}")]
    InvalidTransition {
        /// The item.
        item: ItemId,
        /// Its current state.
        from: ItemState,
        /// The refused state.
        to: ItemState,
    },
    /// A write through a journal opened for reading.
    #[error("the journal was opened read-only")]
    ReadOnly,
    /// A stored value this binary cannot read back.
    #[error("journal holds an unreadable value: {0}")]
    Corrupt(String),
    /// Work submitted to the journal's thread was not committed.
    #[error("the journal could not commit: {0}")]
    CommitFailed(String),
}

fn damaged_message(path: Option<&std::path::Path>, source: &rusqlite::Error) -> String {
    match path {
        Some(path) => format!("journal {} is damaged: {source}", path.display()),
        None => format!("the journal is damaged: {source}"),
    }
}

fn locked_message(path: &std::path::Path, holder: Option<&LockHolder>) -> String {
    let who = match holder {
        Some(h) => {
            let run = h
                .run
                .as_deref()
                .map(|r| format!(", run {r}"))
                .unwrap_or_default();
            format!(
                "pid {} ({}{run}, since {})",
                h.pid,
                h.command,
                h.since.format("%Y-%m-%dT%H:%M:%SZ")
            )
        }
        None => "another mailfix process".to_owned(),
    };
    format!(
        "journal {} is in use by {who}; only one fix, cleanup or seed may write at a time. \
         Wait for it to finish, or pass another --journal",
        path.display()
    )
}

impl JournalError {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// Another process holds the writer lock.
    pub fn is_locked(&self) -> bool {
        matches!(*self.0, ErrorKind::Locked { .. })
    }

    /// The database is newer than this binary.
    pub fn is_too_new(&self) -> bool {
        matches!(*self.0, ErrorKind::TooNew { .. })
    }

    /// There is no journal to read: no file, or an empty one (no runs recorded yet).
    pub fn is_missing(&self) -> bool {
        matches!(*self.0, ErrorKind::Missing(_) | ErrorKind::Empty(_))
    }

    /// The file is not a database, or its pages are damaged.
    pub fn is_damaged(&self) -> bool {
        matches!(*self.0, ErrorKind::Damaged { .. })
    }

    /// The same error, naming `path` as the damaged journal when it named none.
    pub fn at(self, path: &std::path::Path) -> Self {
        match *self.0 {
            ErrorKind::Damaged { path: None, source } => ErrorKind::Damaged {
                path: Some(path.to_owned()),
                source,
            }
            .into(),
            kind => kind.into(),
        }
    }

    /// The process holding the lock, when this is a lock error and it recorded itself.
    pub fn lock_holder(&self) -> Option<&LockHolder> {
        match &*self.0 {
            ErrorKind::Locked { holder, .. } => holder.as_ref(),
            _ => None,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        ErrorKind::Io {
            path: path.into(),
            source,
        }
        .into()
    }

    pub(crate) fn corrupt(what: impl Into<String>) -> Self {
        ErrorKind::Corrupt(what.into()).into()
    }
}

impl From<ErrorKind> for JournalError {
    fn from(kind: ErrorKind) -> Self {
        JournalError(Box::new(kind))
    }
}

impl From<rusqlite::Error> for JournalError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
        match e.sqlite_error_code() {
            Some(NotADatabase | DatabaseCorrupt) => ErrorKind::Damaged {
                path: None,
                source: e,
            }
            .into(),
            _ => ErrorKind::Sqlite(e).into(),
        }
    }
}
