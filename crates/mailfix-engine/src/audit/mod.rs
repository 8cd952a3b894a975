//! `audit` (README "Audit"): registration events from Graph or a portal download, per-user
//! classification, the join with the directory, the contingency table with its reading, and each
//! failing user's likely cause. [`run_audit`] is the entry point.

pub mod cause;
pub mod classify;
pub mod days;
pub mod events;
pub mod join;
pub mod offline;
pub mod online;
pub mod report;
pub mod run;
pub mod table;
pub mod window;

pub use cause::{Cause, likely_cause};
pub use classify::{AuditClass, ReasonCount, UserHistory, attempt_outcome, classify};
pub use days::{DayAttempts, attempts_per_day};
pub use events::{AuditResult, RegistrationEvent, parse_audit_time};
pub use join::{Directory, JOIN_SELECT, read_directory, read_scope};
pub use offline::{
    AuditFile, AuditFileError, AuditFileFormat, RecordProblem, read_audit_csv, read_audit_file,
    read_audit_json,
};
pub use online::{
    AUDIT_PAGE_SIZE, AUDIT_SELECT, OnlineRead, SERVICES, read_online, service_filter,
};
pub use report::{AuditReport, AuditUser, SourceKind, build_users};
pub use run::{AuditError, AuditInput, AuditOptions, run_audit};
pub use table::{Contingency, TableRow, contingency};
pub use window::{AuditWindow, DEFAULT_SINCE, WindowError, parse_time};
