//! Where the rows of a seed report go as they are done, in file order (the binary writes them to
//! stdout and the `--report` file): a seed never holds every row.

use super::outcome::RowReport;
use crate::run_id::RunId;

/// Receives the report's rows as they are done, in file order.
pub trait RowSink {
    /// Called once, before the first row, with the run the rows belong to (none for a dry run or
    /// a plan without writes).
    fn begin(&mut self, run: Option<&RunId>) -> std::io::Result<()>;
    /// One row.
    fn row(&mut self, row: &RowReport) -> std::io::Result<()>;
}

/// A sink that keeps every row (for small files and tests).
#[derive(Clone, Debug, Default)]
pub struct CollectRows {
    /// The run given to `begin`.
    pub run: Option<RunId>,
    /// The rows, in file order.
    pub rows: Vec<RowReport>,
}

impl RowSink for CollectRows {
    fn begin(&mut self, run: Option<&RunId>) -> std::io::Result<()> {
        self.run = run.cloned();
        Ok(())
    }

    fn row(&mut self, row: &RowReport) -> std::io::Result<()> {
        self.rows.push(row.clone());
        Ok(())
    }
}
