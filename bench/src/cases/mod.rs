//! The cases `bench run` measures, their sizes, and what each one yields (rows of measured
//! programs, each run several times, and checks against the bounds the issues set). The cases
//! live one per file.

mod audit;
mod fix_bulk;
mod fix_small;
mod fixing;
mod guard;
mod result;
mod run;
mod scale;
mod scan;
mod seed;
mod seed_memory;
mod tenant;

pub use result::{CaseResult, Check, Row, Run, SEED, format_ratio};
pub use run::{RunArgs, run};
