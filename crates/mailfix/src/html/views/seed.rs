//! A seed run as a report: the outcome of every HR row, and first the rows that need action.

use std::collections::BTreeMap;

use mailfix_engine::seed::{RowReport, RowResult, SeedReport};

use super::common::{Tile, UserCell};
use crate::html::charts::{self, Bar, Tone};
use crate::html::format::count;
use crate::html::{ChartError, Figure, Portal};

/// One HR row.
#[derive(Clone, Debug)]
pub struct RowView {
    /// Line of the file.
    pub line: u64,
    /// The user (linked once resolved).
    pub user: UserCell,
    /// `done`, `conflict`, ...
    pub result: String,
    /// Per method: `mobile:create; email:skip`.
    pub action: String,
    /// Why the row is not done.
    pub reason: String,
}

/// A seed run.
#[derive(Clone, Debug)]
pub struct SeedView {
    /// Headline numbers.
    pub tiles: Vec<Tile>,
    /// `dry run`, `interrupted`, or empty.
    pub note: String,
    /// Rows by outcome.
    pub outcome_chart: Figure,
    /// The rows that need action.
    pub action: Vec<RowView>,
    /// Every row.
    pub rows: Vec<RowView>,
}

fn row_view(row: &RowReport, portal: &Portal) -> RowView {
    let user = match &row.user {
        Some(user) => UserCell::new(portal, &user.id, &user.upn),
        None => UserCell {
            upn: row.upn.clone(),
            url: None,
        },
    };
    RowView {
        line: row.line,
        user,
        result: row.result.as_str().to_owned(),
        action: row.action.clone(),
        reason: row.reason.clone().unwrap_or_default(),
    }
}

impl SeedView {
    /// The view of `report`, whose rows are `rows`.
    pub fn new(
        report: &SeedReport,
        rows: &[RowReport],
        portal: &Portal,
    ) -> Result<Self, ChartError> {
        let mut by_result: BTreeMap<RowResult, u64> = BTreeMap::new();
        for row in rows {
            *by_result.entry(row.result).or_default() += 1;
        }
        let bars: Vec<Bar> = by_result
            .iter()
            .map(|(result, n)| Bar {
                label: result.as_str().to_owned(),
                value: *n,
                tone: match (result.is_done(), result) {
                    (true, _) => Tone::Good,
                    (false, RowResult::Pending) => Tone::Warning,
                    (false, _) => Tone::Bad,
                },
            })
            .collect();
        let s = &report.summary;
        let title = format!(
            "Outcome of {}: {}; {} need action",
            count(s.rows, "HR row", "HR rows"),
            bars.iter()
                .map(|b| format!("{} {}", b.value, b.label))
                .collect::<Vec<_>>()
                .join(", "),
            s.not_done
        );
        let note = match (report.dry_run, report.interrupted) {
            (true, _) => "dry run: nothing was written; the outcomes say what would be done",
            (false, true) => {
                "interrupted: rows not reached are pending; seed --resume finishes them"
            }
            (false, false) => "",
        };
        Ok(SeedView {
            tiles: vec![
                Tile::new("rows", s.rows, "", false),
                Tile::new("methods created", s.created, "good", s.created > 0),
                Tile::new("methods updated", s.updated, "good", s.updated > 0),
                Tile::new("already in place", s.unchanged, "", false),
                Tile::new("failed writes", s.failed_writes, "bad", s.failed_writes > 0),
                Tile::new("rows needing action", s.not_done, "warn", s.not_done > 0),
            ],
            note: note.to_owned(),
            outcome_chart: charts::bars(&title, &bars, "rows")?,
            action: (rows.iter())
                .filter(|r| !r.result.is_done())
                .map(|r| row_view(r, portal))
                .collect(),
            rows: rows.iter().map(|r| row_view(r, portal)).collect(),
        })
    }
}
