//! The pure parts of `audit` (SPEC §8): registration events from Graph or a portal download,
//! per-user classification, the contingency table with its reading, and each failing user's
//! likely cause.

pub mod cause;
pub mod classify;
pub mod events;
pub mod offline;
pub mod table;

pub use cause::{Cause, likely_cause};
pub use classify::{AuditClass, ReasonCount, UserHistory, attempt_outcome, classify};
pub use events::{AuditResult, RegistrationEvent, parse_audit_time};
pub use offline::{
    AuditFileError, AuditFileFormat, read_audit_csv, read_audit_file, read_audit_json,
};
pub use table::{Contingency, TableRow, contingency};
