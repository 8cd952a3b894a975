//! A cleanup as a report: the temporary aliases removed, found absent, failed or left pending.

use mailfix_engine::cleanup::CleanupReport;
use mailfix_engine::fix::ReportItem;

use super::common::{Tile, UserCell};
use super::run::OutcomeRow;
use crate::html::charts::{self, Bar, Tone};
use crate::html::format::{count, seconds};
use crate::html::{ChartError, Figure, Portal};

/// A cleanup.
#[derive(Clone, Debug)]
pub struct CleanupView {
    /// Headline numbers.
    pub tiles: Vec<Tile>,
    /// Aliases by outcome (none when there was nothing to remove).
    pub outcome_chart: Option<Figure>,
    /// Every alias, failures first.
    pub rows: Vec<OutcomeRow>,
    /// What to run to finish.
    pub next: Option<String>,
}

impl CleanupView {
    /// The view of `report`.
    pub fn new(report: &CleanupReport, portal: &Portal) -> Result<Self, ChartError> {
        let lists: [(&'static str, &[ReportItem], Tone); 4] = [
            ("failed", &report.failed, Tone::Bad),
            ("pending", &report.pending, Tone::Warning),
            ("removed", &report.removed, Tone::Good),
            ("absent", &report.absent, Tone::Quiet),
        ];
        let bars: Vec<Bar> = lists
            .iter()
            .map(|(name, items, tone)| Bar {
                label: (*name).to_owned(),
                value: items.len() as u64,
                tone: *tone,
            })
            .collect();
        let total: u64 = bars.iter().map(|b| b.value).sum();
        let outcome_chart = match total {
            0 => None,
            _ => {
                let title = format!(
                    "{} by outcome: {}",
                    count(total, "temporary alias", "temporary aliases"),
                    bars.iter()
                        .map(|b| format!("{} {}", b.value, b.label))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                Some(charts::bars(&title, &bars, "aliases")?)
            }
        };
        let r = &report.requests;
        Ok(CleanupView {
            tiles: vec![
                Tile::new(
                    "removed",
                    report.removed.len(),
                    "good",
                    !report.removed.is_empty(),
                ),
                Tile::new("absent", report.absent.len(), "", false),
                Tile::new(
                    "failed",
                    report.failed.len(),
                    "bad",
                    !report.failed.is_empty(),
                ),
                Tile::new(
                    "pending",
                    report.pending.len(),
                    "warn",
                    !report.pending.is_empty(),
                ),
                Tile::new("Exchange requests", r.exchange, "", false),
                Tile::new("elapsed", seconds(report.elapsed_s), "", false),
            ],
            outcome_chart,
            rows: lists
                .iter()
                .flat_map(|(outcome, items, _)| {
                    items.iter().map(|i| OutcomeRow {
                        outcome,
                        user: UserCell::new(portal, &i.id, &i.upn),
                        alias: i.alias.clone().unwrap_or_default(),
                        reason: i.reason.clone().unwrap_or_default(),
                    })
                })
                .collect(),
            next: report.next.clone(),
        })
    }
}
