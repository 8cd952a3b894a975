//! `seed` (SPEC §7): pre-seeding SSPR methods from an HR export. The input side is pure (reading
//! the HR export, normalising phone numbers and emails, finding duplicate rows, deciding per
//! method); `run` ties it to the directory (batched lookups and reads), the journal and the writes.

pub mod apply;
pub mod columns;
pub mod csv;
pub mod decide;
pub mod email;
pub mod error;
pub mod input;
pub mod methods;
pub mod outcome;
pub mod phone;
pub mod plan;
pub mod resolve;
pub mod resume;
pub mod run;

pub use apply::{ApplyOptions, apply_plan};
pub use columns::{ColumnMap, ColumnMapError, Field};
pub use csv::{CsvOptions, HrCsvError, HrFile, HrRow, RowProblem, read_hr_csv};
pub use decide::{Decision, PhoneDecision, decide_email, decide_phones};
pub use email::{EmailError, validate_alternate_email};
pub use error::SeedError;
pub use input::{SeedEntry, SeedOptions, mark_duplicates, prepare};
pub use methods::{MethodKind, UserMethods, read_methods};
pub use outcome::{MethodOutcome, MethodReport, RowReport, RowResult, SeedReport, SeedSummary};
pub use phone::{PhoneError, Region, RegionError, normalize_phone};
pub use plan::{MethodPlan, RowPlan, RowStatus, SeedInput, SeedPlan};
pub use resolve::{Lookup, Resolved, resolve_users};
pub use resume::{ResumeTarget, StoredOptions, resume_target};
pub use run::{RunStart, dry_run, execute, plan_seed, without_writes};
