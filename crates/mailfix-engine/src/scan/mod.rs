//! `scan`: the users of a scope, the facts the rules read, and the findings.
//! [`scan()`] is the entry point.

mod run;

pub use run::{MF007_NO_LICENCE, ScanError, ScanOptions, ScanReport, SkippedRule, Summary, scan};
