//! A scan as a report: findings by rule and severity, users scanned and skipped by reason, and
//! every finding with its remedy.

use std::collections::BTreeMap;

use mailfix_engine::scan::{ScanReport, SkippedRule};
use mailfix_engine::scope::SkipCounts;
use mailfix_engine::{Finding, Severity};

use super::common::{Count, Tile, UserCell};
use crate::html::charts::{self, Bar, Tone};
use crate::html::format::count;
use crate::html::{ChartError, Figure, Portal};

/// One rule's findings.
#[derive(Clone, Debug)]
pub struct RuleRow {
    /// `MF001`.
    pub rule: String,
    /// `empty-mail`.
    pub name: String,
    /// Its severity.
    pub severity: String,
    /// Findings.
    pub findings: u64,
}

/// One finding.
#[derive(Clone, Debug)]
pub struct FindingRow {
    /// The user.
    pub user: UserCell,
    /// Rule id.
    pub rule: String,
    /// Rule name.
    pub name: String,
    /// Severity.
    pub severity: String,
    /// What is wrong.
    pub detail: String,
    /// What to do.
    pub remedy: String,
}

/// A scan.
#[derive(Clone, Debug)]
pub struct ScanView {
    /// Headline numbers.
    pub tiles: Vec<Tile>,
    /// Findings per rule.
    pub rules: Vec<RuleRow>,
    /// Members left out, by reason.
    pub skipped: Vec<Count>,
    /// Findings by rule and severity.
    pub findings_chart: Option<Figure>,
    /// Users scanned and skipped by reason.
    pub coverage_chart: Figure,
    /// Every finding.
    pub findings: Vec<FindingRow>,
    /// Rules the scan could not apply, and why (e.g. MF007 without Entra ID P1/P2).
    pub rules_skipped: Vec<SkippedRule>,
}

fn tone(severity: Severity) -> Tone {
    match severity {
        Severity::Error => Tone::Bad,
        Severity::Warning => Tone::Warning,
        Severity::Info => Tone::Neutral,
    }
}

impl ScanView {
    /// The view of `report`.
    pub fn new(report: &ScanReport, portal: &Portal) -> Result<Self, ChartError> {
        let view = ScanView::of(report.scanned, &report.skipped, &report.findings, portal)?;
        Ok(ScanView {
            rules_skipped: report.rules_skipped.clone(),
            ..view
        })
    }

    /// The view of `findings` on `scanned` users, `skipped` left out (a scan, or a guard cycle).
    pub fn of(
        scanned: u64,
        skipped: &SkipCounts,
        findings: &[Finding],
        portal: &Portal,
    ) -> Result<Self, ChartError> {
        let mut rules: BTreeMap<&str, (RuleRow, Severity)> = BTreeMap::new();
        let mut severities: BTreeMap<Severity, u64> = BTreeMap::new();
        let mut users = std::collections::BTreeSet::new();
        for f in findings {
            *severities.entry(f.severity).or_default() += 1;
            users.insert(f.user.id.as_str());
            let entry = rules.entry(&f.rule).or_insert_with(|| {
                let row = RuleRow {
                    rule: f.rule.clone(),
                    name: f.name.clone(),
                    severity: f.severity.to_string(),
                    findings: 0,
                };
                (row, f.severity)
            });
            entry.0.findings += 1;
        }
        let skipped: Vec<Count> = skipped
            .iter()
            .map(|(reason, n)| Count {
                name: reason.clone(),
                n: *n,
            })
            .collect();
        let severities = |sev: Severity| severities.get(&sev).copied().unwrap_or(0);
        let with_findings = users.len() as u64;
        let tiles = vec![
            Tile::new("users scanned", scanned, "", false),
            Tile::new(
                "skipped",
                skipped.iter().map(|c| c.n).sum::<u64>(),
                "",
                false,
            ),
            Tile::new(
                "users with findings",
                with_findings,
                "warn",
                with_findings > 0,
            ),
            Tile::new(
                "errors",
                severities(Severity::Error),
                "bad",
                severities(Severity::Error) > 0,
            ),
            Tile::new(
                "warnings",
                severities(Severity::Warning),
                "warn",
                severities(Severity::Warning) > 0,
            ),
            Tile::new("info", severities(Severity::Info), "", false),
        ];
        let findings_chart = findings_chart(&rules)?;
        let coverage_chart = coverage_chart(scanned, &skipped)?;
        Ok(ScanView {
            rules_skipped: Vec::new(),
            tiles,
            rules: rules.into_values().map(|(row, _)| row).collect(),
            skipped,
            findings_chart,
            coverage_chart,
            findings: findings
                .iter()
                .map(|f| FindingRow {
                    user: UserCell::new(portal, &f.user.id, &f.user.upn),
                    rule: f.rule.clone(),
                    name: f.name.clone(),
                    severity: f.severity.to_string(),
                    detail: f.detail.clone(),
                    remedy: f.remedy.clone(),
                })
                .collect(),
        })
    }
}

fn findings_chart(
    rules: &BTreeMap<&str, (RuleRow, Severity)>,
) -> Result<Option<Figure>, ChartError> {
    if rules.is_empty() {
        return Ok(None);
    }
    let bars: Vec<Bar> = rules
        .values()
        .map(|(row, severity)| Bar {
            label: format!("{} {} ({})", row.rule, row.name, row.severity),
            value: row.findings,
            tone: tone(*severity),
        })
        .collect();
    let title = format!(
        "Findings by rule, coloured by severity (red error, orange warning, blue info): {}",
        bars.iter()
            .map(|b| format!("{} {}", b.label, b.value))
            .collect::<Vec<_>>()
            .join("; ")
    );
    charts::bars(&title, &bars, "findings").map(Some)
}

fn coverage_chart(scanned: u64, skipped: &[Count]) -> Result<Figure, ChartError> {
    let mut bars = vec![Bar {
        label: "scanned".to_owned(),
        value: scanned,
        tone: Tone::Good,
    }];
    bars.extend(skipped.iter().map(|c| Bar {
        label: format!("skipped: {}", c.name),
        value: c.n,
        tone: Tone::Quiet,
    }));
    let title = format!(
        "{} scanned; skipped by reason: {}",
        count(scanned, "user", "users"),
        match skipped.is_empty() {
            true => "none".to_owned(),
            false => skipped
                .iter()
                .map(|c| format!("{} {}", c.name, c.n))
                .collect::<Vec<_>>()
                .join(", "),
        }
    );
    charts::bars(&title, &bars, "members")
}
