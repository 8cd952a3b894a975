//! One `guard` cycle as a report: what the cycle read and checked, its findings (as a scan shows
//! them) and, when it fixed users, their run (as `fix` shows it).

use chrono::{DateTime, Utc};
use mailfix_engine::Finding;
use mailfix_engine::journal::RunDetail;
use mailfix_engine::scope::SkipCounts;

use super::common::Tile;
use super::run::RunView;
use super::scan::ScanView;
use crate::html::{ChartError, Portal};

/// What one guard cycle hands to its report.
#[derive(Clone, Copy, Debug)]
pub struct GuardCycle<'a> {
    /// The cycle's number.
    pub cycle: u64,
    /// Whether it read the whole scope (the first cycle, or a resync) rather than a delta round.
    pub full: bool,
    /// Changes the delta round returned (users listed, for a full read).
    pub changes: u64,
    /// Users in scope the rules were applied to.
    pub checked: u64,
    /// The findings the cycle told.
    pub findings: &'a [Finding],
    /// The fix runs the cycle finished (remediate mode; a restart may resume one besides the new
    /// one), as the journal holds them.
    pub fix_runs: &'a [RunDetail],
}

/// A guard cycle.
#[derive(Clone, Debug)]
pub struct GuardView {
    /// The cycle's own numbers.
    pub tiles: Vec<Tile>,
    /// Its findings.
    pub scan: ScanView,
    /// Its fix runs.
    pub runs: Vec<RunView>,
}

impl GuardView {
    /// The view of `cycle`.
    pub fn new(
        cycle: &GuardCycle<'_>,
        portal: &Portal,
        now: DateTime<Utc>,
    ) -> Result<Self, ChartError> {
        let runs = (cycle.fix_runs.iter())
            .map(|detail| RunView::new(detail, None, false, portal, now))
            .collect::<Result<_, _>>()?;
        Ok(GuardView {
            tiles: vec![
                Tile::new("cycle", cycle.cycle, "", false),
                Tile::new(
                    "read",
                    if cycle.full {
                        "whole scope"
                    } else {
                        "changes only"
                    },
                    "",
                    false,
                ),
                Tile::new("changes", cycle.changes, "", false),
                Tile::new("users checked", cycle.checked, "", false),
            ],
            scan: ScanView::of(cycle.checked, &SkipCounts::new(), cycle.findings, portal)?,
            runs,
        })
    }
}
