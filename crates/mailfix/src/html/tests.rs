//! The pages built from made-up reports: values are escaped, and a 5,000-user fix report stays
//! small. (Reports produced by the binary against the simulator are checked in
//! `tests/it/html_report.rs`; in a browser by `.ci/report-check`.)

use std::time::Duration;

use chrono::{DateTime, TimeZone as _, Utc};
use mailfix_engine::events::Command;
use mailfix_engine::fix::{FixReport, ReportContext};
use mailfix_engine::journal::{
    ItemId, ItemKind, ItemRecord, ItemState, RunDetail, RunRecord, RunStatus,
};
use mailfix_engine::scan::{ScanReport, Summary};
use mailfix_engine::{Finding, RunId, Severity, UserRef};

use super::views::{GuardCycle, GuardView, RunView, ScanView};
use super::{Header, Portal, pages};
use crate::settings::CloudName;

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 1, 27, 23).unwrap() + chrono::Duration::seconds(seconds)
}

fn header(scope: &str) -> Header {
    Header::at(at(0), Some("contoso.onmicrosoft.com".into()), "scan", scope)
}

/// Parse errors html5ever reports for `page`.
fn parse_errors(page: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(page);
    doc.errors.iter().map(|e| e.to_string()).collect()
}

#[test]
fn a_display_name_with_a_script_tag_is_text() {
    let evil = "<script>alert('pwned')</script>";
    let finding = Finding {
        rule: "MF001".into(),
        name: "empty-mail".into(),
        severity: Severity::Error,
        user: UserRef::new("0b6f1a10-0000-4000-8000-00000000a001", "anna@contoso.com"),
        detail: format!("display name {evil}"),
        fixable: true,
        remedy: "mailfix fix".into(),
    };
    let report = ScanReport {
        scope: format!("group '{evil}'"),
        scanned: 1,
        skipped: [(evil.to_owned(), 1)].into_iter().collect(),
        findings: vec![finding],
        summary: Summary::default(),
        rules_skipped: Vec::new(),
        not_found: Vec::new(),
    };
    let portal = Portal::for_cloud(CloudName::Global);
    let view = ScanView::new(&report, &portal).unwrap();
    let page = pages::scan(&header(&report.scope), &view).unwrap();
    let doc = scraper::Html::parse_document(&page);
    let scripts = scraper::Selector::parse("script").unwrap();
    assert_eq!(
        doc.select(&scripts).count(),
        0,
        "a script element slipped through"
    );
    assert!(!page.contains("<script"), "escaped text");
    let text: String = doc.root_element().text().collect();
    assert!(text.contains(&format!("group '{evil}'")), "shown as text");
    assert_eq!(parse_errors(&page), Vec::<String>::new());
}

/// A finished fix run of `users` users with realistic names and times: all written back within
/// five minutes but 1 %, which Exchange never wrote back.
fn fix_run(users: usize) -> RunDetail {
    let run: RunId = "rhkyz2".parse().unwrap();
    let items = (0..users)
        .map(|i| {
            let upn = format!("firstname.lastname{i:05}@fabrikam.com");
            let added = at((i / 300) as i64);
            let stuck = i % 100 == 99;
            let latency = Duration::from_millis(60_000 + (i as u64 * 7919) % 240_000);
            let written = (!stuck).then(|| added + latency);
            ItemRecord {
                id: ItemId(i as i64 + 1),
                run: run.clone(),
                user: UserRef::new(format!("0b6f1a10-0000-4000-8000-{i:012}"), upn.clone()),
                kind: ItemKind::Alias,
                planned: format!(
                    "firstname.lastname{i:05}.mailfix-rhkyz2@fabrikam.onmicrosoft.com"
                ),
                state: if stuck {
                    ItemState::Stuck
                } else {
                    ItemState::Verified
                },
                reason: stuck.then(|| "no write-back within 30m".to_owned()),
                created_at: added,
                updated_at: added,
                added_at: Some(added),
                written_back_at: written,
                removed_at: written.map(|w| w + chrono::Duration::seconds(31)),
                latency: (!stuck).then_some(latency),
            }
        })
        .collect();
    RunDetail {
        run: RunRecord {
            id: run,
            command: Command::Fix,
            started_at: at(0),
            finished_at: Some(at(1800)),
            status: RunStatus::Incomplete,
            options: serde_json::json!({"scope": "group 'All Staff'", "targets": users}),
            tenant: Some("fabrikam.onmicrosoft.com".into()),
            summary: None,
        },
        items,
    }
}

fn fix_page(users: usize) -> String {
    let detail = fix_run(users);
    let context = ReportContext {
        targets: users,
        keep_aliases: false,
        ..ReportContext::default()
    };
    let report = FixReport::from_run(&detail, RunStatus::Incomplete, &context);
    let portal = Portal::for_cloud(CloudName::Global);
    let view = RunView::new(&detail, Some(&report), true, &portal, at(1800)).unwrap();
    let header = Header::at(
        at(1800),
        detail.run.tenant.clone(),
        "fix",
        "group 'All Staff'",
    );
    pages::run(&header.with_run(Some(&detail.run.id)), &view).unwrap()
}

#[test]
fn a_five_thousand_user_fix_report_stays_under_two_megabytes() {
    let page = fix_page(5000);
    assert!(page.len() < 2_000_000, "{} bytes", page.len());
    assert_eq!(parse_errors(&page), Vec::<String>::new());
    // Every user is in the table, linked to the admin center.
    let links = page
        .matches("href=\"https://entra.microsoft.com/#view/")
        .count();
    assert!(links >= 5000, "{links} links");
}

#[test]
fn a_small_fix_report_labels_every_user_in_its_timeline() {
    let page = fix_page(30);
    let doc = scraper::Html::parse_document(&page);
    let texts = scraper::Selector::parse("svg text").unwrap();
    let labels: String = doc.select(&texts).flat_map(|t| t.text()).collect();
    for i in 0..30 {
        assert!(
            labels.contains(&format!("firstname.lastname{i:05}@fabrikam.com")),
            "row {i}"
        );
    }
    assert!(labels.contains("no write-back"), "the stuck user is marked");
}

#[test]
fn a_guard_cycle_report_shows_its_findings_and_its_fix_run() {
    let detail = fix_run(12);
    let finding = Finding {
        rule: "MF003".into(),
        name: "empty-mail-synced".into(),
        severity: Severity::Error,
        user: UserRef::new("0b6f1a10-0000-4000-8000-00000000b001", "sam@contoso.com"),
        detail: "`mail` is empty on a user synchronised from on-premises AD".into(),
        fixable: false,
        remedy: "set mail in on-premises AD and sync".into(),
    };
    let cycle = GuardCycle {
        cycle: 7,
        full: false,
        changes: 13,
        checked: 13,
        findings: std::slice::from_ref(&finding),
        fix_runs: std::slice::from_ref(&detail),
    };
    let portal = Portal::for_cloud(CloudName::UsGovHigh);
    let view = GuardView::new(&cycle, &portal, at(1800)).unwrap();
    let header = Header::at(at(1800), None, "guard", "group 'New starters'");
    let page = pages::guard(&header, &view.tiles, &view.scan, &view.runs).unwrap();
    assert_eq!(parse_errors(&page), Vec::<String>::new());
    let doc = scraper::Html::parse_document(&page);
    let titles = scraper::Selector::parse("svg > title").unwrap();
    let titles: Vec<String> = doc.select(&titles).map(|t| t.text().collect()).collect();
    assert!(
        titles.iter().any(|t| t.starts_with("Findings by rule")),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t.starts_with("Timeline of 12 users")),
        "{titles:?}"
    );
    assert!(
        page.contains("https://entra.microsoft.us/#view/"),
        "the cloud's admin center"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = super::ReportFile::check(&dir.path().join("guard-{cycle}.html")).unwrap();
    assert_eq!(file.for_cycle(7).path(), dir.path().join("guard-7.html"));
}
