//! The scan report in each output format (SPEC §3): a table of findings and a summary, one JSON
//! document, one JSON finding per line, or CSV. Field names and column headers are stable.

use mailfix_engine::Finding;
use mailfix_engine::scan::ScanReport;
use mailfix_engine::scope::SkipCounts;

use crate::cli::OutputFormat;
use crate::error::CliError;
use crate::output;

/// Column headers of the CSV output.
const CSV_HEADER: [&str; 8] = [
    "upn", "user_id", "rule", "name", "severity", "detail", "fixable", "remedy",
];

/// The report as `format` prints it.
pub fn render(report: &ScanReport, format: OutputFormat) -> Result<String, CliError> {
    match format {
        OutputFormat::Table => Ok(table(report)),
        OutputFormat::Json => output::json(report),
        OutputFormat::Ndjson => output::ndjson(&report.findings),
        OutputFormat::Csv => output::csv(&CSV_HEADER, report.findings.iter().map(csv_row)),
    }
}

fn csv_row(f: &Finding) -> Vec<String> {
    vec![
        f.user.upn.clone(),
        f.user.id.clone(),
        f.rule.clone(),
        f.name.clone(),
        f.severity.to_string(),
        f.detail.clone(),
        f.fixable.to_string(),
        f.remedy.clone(),
    ]
}

/// One row per finding, then the summary.
fn table(report: &ScanReport) -> String {
    let mut out = String::new();
    if !report.findings.is_empty() {
        let rows = report.findings.iter().map(|f| {
            vec![
                f.user.upn.clone(),
                format!("{} {}", f.rule, f.name),
                f.severity.to_string(),
                f.detail.clone(),
                f.remedy.clone(),
            ]
        });
        out.push_str(&output::table(
            &["user", "rule", "severity", "detail", "remedy"],
            rows,
        ));
        out.push('\n');
    }
    out.push_str(&summary(report));
    out
}

fn summary(report: &ScanReport) -> String {
    let mut out = format!("Scope: {}\n", report.scope);
    out.push_str(&format!(
        "Scanned: {} users{}\n",
        report.scanned,
        skipped(&report.skipped)
    ));
    let s = &report.summary;
    if report.findings.is_empty() {
        out.push_str("Findings: none\n");
        return out;
    }
    out.push_str(&format!(
        "Findings: {} on {} users\n",
        report.findings.len(),
        s.users_with_findings
    ));
    for (rule, count) in &s.by_rule {
        let first = report.findings.iter().find(|f| &f.rule == rule);
        let (name, severity) = first
            .map(|f| (f.name.as_str(), f.severity.as_str()))
            .unwrap_or_default();
        out.push_str(&format!("  {rule} {name:<28} {severity:<8} {count:>6}\n"));
    }
    out
}

/// `; skipped 12 (disabled 9, guest 3)`, or nothing.
fn skipped(counts: &SkipCounts) -> String {
    let total: u64 = counts.values().sum();
    if total == 0 {
        return String::new();
    }
    let parts: Vec<String> = counts.iter().map(|(r, n)| format!("{r} {n}")).collect();
    format!("; skipped {total} ({})", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use mailfix_engine::scan::Summary;
    use mailfix_engine::{Severity, UserRef};

    use super::*;

    fn finding(upn: &str, rule: &str, severity: Severity) -> Finding {
        Finding {
            rule: rule.to_owned(),
            name: "empty-mail".to_owned(),
            severity,
            user: UserRef::new(format!("id-{upn}"), upn),
            detail: "`mail` is empty, with \"quotes\", and commas".to_owned(),
            fixable: true,
            remedy: "mailfix fix".to_owned(),
        }
    }

    fn report(findings: Vec<Finding>) -> ScanReport {
        let mut by_rule = BTreeMap::new();
        for f in &findings {
            *by_rule.entry(f.rule.clone()).or_default() += 1;
        }
        ScanReport {
            scope: "group 'All Staff'".to_owned(),
            scanned: 3,
            skipped: BTreeMap::from([("device".to_owned(), 1), ("guest".to_owned(), 2)]),
            summary: Summary {
                by_rule,
                by_severity: BTreeMap::from([(Severity::Error, findings.len() as u64)]),
                users_with_findings: findings.len() as u64,
            },
            findings,
            rules_skipped: Vec::new(),
        }
    }

    #[test]
    fn csv_has_one_quoted_row_per_finding() {
        let r = report(vec![finding("a@contoso.com", "MF001", Severity::Error)]);
        let csv = render(&r, OutputFormat::Csv).unwrap();
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("upn,user_id,rule,name,severity,detail,fixable,remedy")
        );
        assert_eq!(
            lines.next(),
            Some(
                "a@contoso.com,id-a@contoso.com,MF001,empty-mail,error,\"`mail` is empty, with \"\"quotes\"\", and commas\",true,mailfix fix"
            )
        );
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn table_without_findings_is_only_the_summary() {
        let text = render(&report(Vec::new()), OutputFormat::Table).unwrap();
        assert_eq!(
            text,
            "Scope: group 'All Staff'\nScanned: 3 users; skipped 3 (device 1, guest 2)\nFindings: none\n"
        );
    }
}
