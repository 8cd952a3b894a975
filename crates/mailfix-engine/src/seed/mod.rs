//! `seed`: pre-seeding SSPR methods from an HR export. The input side is pure (reading the HR
//! export, normalising phone numbers and emails, finding duplicate rows, deciding per method);
//! `chunks` plans the file a chunk at a time against the directory (batched lookups and reads) and
//! `run` ties it to the journal and the writes, streaming each row's report to a sink.

pub mod apply;
pub mod chunks;
pub mod columns;
pub mod csv;
pub mod decide;
pub mod email;
pub mod error;
pub mod input;
mod lines;
pub mod methods;
pub mod outcome;
pub mod phone;
pub mod plan;
pub mod resolve;
pub mod resume;
pub mod run;
pub mod sink;
mod spool;

pub use apply::{Applier, ApplyOptions};
pub use chunks::{CHUNK_ROWS, ChunkPlanner};
pub use columns::{ColumnMap, ColumnMapError, Field};
pub use csv::{CsvOptions, HrCsvError, HrFile, HrReader, HrRecord, HrRow, RowProblem, read_hr_csv};
pub use decide::{Decision, PhoneDecision, decide_email, decide_phones};
pub use email::{EmailError, validate_alternate_email};
pub use error::SeedError;
pub use input::{SeedEntry, SeedOptions, mark_duplicates, prepare};
pub use methods::{MethodKind, UserMethods, read_methods};
pub use outcome::{MethodOutcome, MethodReport, RowReport, RowResult, SeedReport, SeedSummary};
pub use phone::{PhoneError, Region, RegionError, normalize_phone};
pub use plan::{MethodPlan, PlanCounts, PlannedWrite, RowPlan, RowStatus, SeedInput, SeedPlan};
pub use resolve::{Lookup, Resolved, accepted_domains, resolve_users};
pub use resume::{ResumeTarget, StoredOptions, resume_target};
pub use run::{RunStart, check_file, dry_run, execute, plan_seed};
pub use sink::{CollectRows, RowSink};
