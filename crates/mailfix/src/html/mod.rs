//! HTML reports (`--html PATH`): one self-contained file per run, with the tables of the text output
//! and pictures a table cannot give (write-back latency, a per-user timeline, the audit heat map).
//!
//! The parts: [`views`] turns the engine's report structs into what a page shows (nothing here
//! reads the network or the journal itself), [`charts`] draws SVG pictures with plotters, [`pages`]
//! fills the askama templates of `templates/` (every value HTML-escaped), and [`ReportFile`]
//! writes the page as a private file. Commands call one `write_*` function of [`reports`] after
//! their text output.
//!
//! `guard --html` writes one report per cycle, or a rolling file, through [`GuardReports`], an
//! observer of its events.

pub mod charts;
mod figure;
mod format;
mod guard_reports;
mod header;
mod pages;
mod portal;
mod report_file;
pub mod reports;
pub mod views;

pub use figure::{ChartError, Figure};
pub use guard_reports::GuardReports;
pub use header::Header;
pub use portal::Portal;
pub use report_file::ReportFile;

#[cfg(test)]
mod tests;
