//! An audit as a report: the contingency table as a heat map with its reading, attempts per day,
//! the failing users with their likely cause and remedy, and every user.

use mailfix_engine::audit::{AuditClass, AuditReport, AuditUser, SourceKind};

use super::common::{Tile, UserCell};
use crate::html::charts::{self, DayCount, HeatCell};
use crate::html::format::{TimeColumn, count, iso};
use crate::html::{ChartError, Figure, Portal};

/// One row of the contingency table.
#[derive(Clone, Debug)]
pub struct ClassRow {
    /// The class.
    pub class: &'static str,
    /// Users with an empty `mail`.
    pub mail_empty: u64,
    /// Users with `mail` set.
    pub mail_set: u64,
    /// Users no longer in the directory.
    pub mail_unknown: u64,
}

/// One user.
#[derive(Clone, Debug)]
pub struct AuditUserRow {
    /// The user.
    pub user: UserCell,
    /// Class.
    pub class: &'static str,
    /// `empty`, `set` or `not in the directory`.
    pub mail: &'static str,
    /// Attempts.
    pub attempts: u32,
    /// Failed attempts.
    pub failures: u32,
    /// Successful attempts.
    pub successes: u32,
    /// Failure reasons with counts.
    pub reasons: String,
    /// First event.
    pub first: String,
    /// Last event.
    pub last: String,
    /// Likely cause (failing users).
    pub cause: String,
    /// What to do (failing users).
    pub remedy: String,
}

/// An audit.
#[derive(Clone, Debug)]
pub struct AuditView {
    /// Headline numbers.
    pub tiles: Vec<Tile>,
    /// `2026-11-11T01:27:23Z .. now`.
    pub period: String,
    /// Where the events came from.
    pub source: String,
    /// The table's reading.
    pub reading: String,
    /// The contingency table.
    pub table: Vec<ClassRow>,
    /// Whether any user is no longer in the directory (a third column).
    pub unknown_column: bool,
    /// The table as a heat map.
    pub heatmap: Figure,
    /// Attempts per day.
    pub days_chart: Option<Figure>,
    /// Failing users.
    pub failing: Vec<AuditUserRow>,
    /// Every user.
    pub users: Vec<AuditUserRow>,
    /// Time note of the user tables.
    pub time_note: String,
    /// Records of a file that could not be read.
    pub problems: Vec<String>,
}

impl AuditView {
    /// The view of `report`.
    pub fn new(report: &AuditReport, portal: &Portal) -> Result<Self, ChartError> {
        let table: Vec<ClassRow> = report
            .table
            .iter()
            .map(|r| ClassRow {
                class: r.class.as_str(),
                mail_empty: r.mail_empty,
                mail_set: r.mail_set,
                mail_unknown: r.mail_unknown,
            })
            .collect();
        let unknown_column = table.iter().any(|r| r.mail_unknown > 0);
        let column = TimeColumn::for_times(
            report
                .users
                .iter()
                .flat_map(|u| [u.first, u.last])
                .flatten(),
        );
        let row = |u: &AuditUser| user_row(u, column, portal);
        let class_count = |class| report.users.iter().filter(|u| u.class == class).count() as u64;
        let failing = class_count(AuditClass::Failing);
        let period = format!(
            "{} .. {}",
            report
                .since
                .map(iso)
                .unwrap_or_else(|| "the file's first record".to_owned()),
            report.until.map(iso).unwrap_or_else(|| "now".to_owned())
        );
        Ok(AuditView {
            tiles: vec![
                Tile::new("events", report.events, "", false),
                Tile::new("users", report.users.len(), "", false),
                Tile::new("failing", failing, "bad", failing > 0),
                Tile::new(
                    "recovered",
                    class_count(AuditClass::Recovered),
                    "good",
                    false,
                ),
                Tile::new("completed", class_count(AuditClass::Completed), "", false),
                Tile::new("no attempt", class_count(AuditClass::NoAttempt), "", false),
            ],
            heatmap: heatmap(&table, unknown_column, &report.reading)?,
            days_chart: days_chart(report)?,
            period,
            source: source(report.source).to_owned(),
            reading: report.reading.clone(),
            table,
            unknown_column,
            failing: report.failing().map(row).collect(),
            users: report.users.iter().map(row).collect(),
            time_note: column.note(),
            problems: report
                .problems
                .iter()
                .map(|p| format!("record {}: {}", p.record, p.reason))
                .collect(),
        })
    }
}

fn source(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Graph => "the directory audit log (Microsoft Graph)",
        SourceKind::Json => "a download of the audit log (JSON)",
        SourceKind::Csv => "a download of the audit log (CSV)",
    }
}

fn user_row(u: &AuditUser, column: TimeColumn, portal: &Portal) -> AuditUserRow {
    AuditUserRow {
        user: UserCell::new(portal, &u.id, &u.upn),
        class: u.class.as_str(),
        mail: match u.mail_empty {
            Some(true) => "empty",
            Some(false) => "set",
            None => "not in the directory",
        },
        attempts: u.attempts,
        failures: u.failures,
        successes: u.successes,
        reasons: u
            .reasons
            .iter()
            .map(|r| format!("{} ({})", r.reason, r.count))
            .collect::<Vec<_>>()
            .join("; "),
        first: column.cell(u.first),
        last: column.cell(u.last),
        cause: u.cause.clone().unwrap_or_default(),
        remedy: u.remedy.clone().unwrap_or_default(),
    }
}

fn heatmap(table: &[ClassRow], unknown: bool, reading: &str) -> Result<Figure, ChartError> {
    let rows: Vec<String> = table.iter().map(|r| r.class.to_owned()).collect();
    let mut columns = vec!["mail empty".to_owned(), "mail set".to_owned()];
    if unknown {
        columns.push("not in the directory".to_owned());
    }
    let cells: Vec<HeatCell> = table
        .iter()
        .enumerate()
        .flat_map(|(row, r)| {
            [r.mail_empty, r.mail_set, r.mail_unknown]
                .into_iter()
                .take(if unknown { 3 } else { 2 })
                .enumerate()
                .map(move |(column, count)| HeatCell { row, column, count })
        })
        .collect();
    let title = format!("Users by class and mail (darker: a larger share of the class). {reading}");
    charts::heatmap(&title, &rows, &columns, &cells)
}

fn days_chart(report: &AuditReport) -> Result<Option<Figure>, ChartError> {
    if report.days.is_empty() {
        return Ok(None);
    }
    let days: Vec<DayCount> = report
        .days
        .iter()
        .map(|d| DayCount {
            day: d.day.format("%Y-%m-%d").to_string(),
            failures: d.failures,
            successes: d.successes,
        })
        .collect();
    let (failures, successes) = days
        .iter()
        .fold((0, 0), |(f, s), d| (f + d.failures, s + d.successes));
    let title = format!(
        "Registration attempts per day over {}: {} failed, {} succeeded",
        count(days.len() as u64, "day", "days"),
        failures,
        successes
    );
    charts::days(&title, &days).map(Some)
}
