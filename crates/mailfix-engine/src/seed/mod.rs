//! The input side of `seed` (SPEC §7), pure: reading the HR export, normalising phone numbers and
//! emails, finding duplicate rows, and deciding create / skip / update / conflict per method.

pub mod columns;
pub mod csv;
pub mod decide;
pub mod email;
pub mod input;
pub mod phone;

pub use columns::{ColumnMap, ColumnMapError, Field};
pub use csv::{CsvOptions, HrCsvError, HrFile, HrRow, RowProblem, read_hr_csv};
pub use decide::{Decision, PhoneDecision, decide_email, decide_phones};
pub use email::{EmailError, validate_alternate_email};
pub use input::{SeedEntry, SeedOptions, mark_duplicates, prepare};
pub use phone::{PhoneError, Region, normalize_phone};
