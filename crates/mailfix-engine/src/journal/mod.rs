//! The journal (README "Runs and the journal"): a SQLite database recording every run, its items, and an intent before
//! and a result after every remote write, so that any crash can be resumed or cleaned up.
//!
//! Built like cargo's `util/sqlite.rs`: PRAGMAs on open (WAL, `synchronous=FULL`, foreign keys,
//! busy timeout), append-only migrations by `user_version`, a newer schema refused. One writer at a
//! time (a lock file beside the database); the file is `0600` in a `0700` directory. It never
//! stores a secret: options are whatever the caller passes, and callers pass resolved settings
//! without credentials.

mod commit;
mod db;
mod error;
mod guard;
mod items;
mod lock;
mod migrate;
mod records;
mod rows;
mod runs;

pub use commit::CommitStats;
pub use db::{Clock, Journal};
pub use error::{ErrorKind, JournalError};
pub use guard::{CycleRecord, GuardState, GuardUser, GuardUserState};
pub use lock::{LockHolder, lock_path};
pub use migrate::SCHEMA_VERSION;
pub use records::{
    EventKind, EventRecord, ItemId, ItemKind, ItemRecord, ItemState, NewItem, NewRun, Op,
    OpOutcome, RunDetail, RunRecord, RunStatus,
};
