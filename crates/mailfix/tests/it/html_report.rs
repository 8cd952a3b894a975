//! `--html PATH` through the binary against the simulator: each report kind is written as a
//! private file that html5ever parses without error, loads nothing, has table headers and SVG
//! titles (`support::html::check`), and shows what the scenario and the run imply. Values are
//! escaped; a path that cannot be written is refused before anything is sent.

use std::collections::BTreeSet;

use mailfix_sim::scenario::{GroupSpec, MemberSpec, small};
use serde_json::Value;

use crate::support::html::{USER_PAGE, check, text};
use crate::support::{TestSim, run, stderr, write};
use crate::tenant::{compressed, group_users, json_out, labelled, upns, user_id};

const GROUP: &str = "All Staff";

/// Seconds as the reports write them under a minute.
fn secs(value: &Value) -> String {
    format!("{:.1}s", value.as_f64().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn fix_and_runs_show_draw_the_latency_and_every_user_on_the_timeline() {
    let scenario = small(9);
    let sim = compressed(&scenario, 120.0, (60.0, 300.0)).await;
    let members = group_users(&scenario, GROUP);
    let stuck = labelled(&scenario, &["stuck"], &members);
    let html = sim.path("run.html");
    let args = [
        "fix",
        "--group",
        GROUP,
        "--yes",
        "--poll-interval",
        "500ms",
        "--timeout",
        "8s",
    ];

    let out = run(sim.mailfix().args(args).args([
        "--on-timeout",
        "keep",
        "--html",
        html.to_str().unwrap(),
    ]))
    .await;

    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("HTML report: "), "{}", stderr(&out));
    let json = json_out(&out);
    let run_id = json["run"].as_str().unwrap();
    let fixed = upns(&json, "fixed");
    assert_eq!(upns(&json, "stuck"), stuck);
    let report = check(&html, "fix", Some(run_id));

    let latency = &json["latency"];
    let histogram = report.figure(&format!("Write-back latency of {} users", fixed.len()));
    let title = text(&histogram);
    for (name, key) in [
        ("median", "p50_s"),
        ("90th percentile", "p90_s"),
        ("maximum", "max_s"),
    ] {
        assert!(
            title.contains(&format!("{name} {}", secs(&latency[key]))),
            "{title}"
        );
    }
    let timeline = report.figure(&format!("Timeline of {} users", fixed.len() + stuck.len()));
    let labels = text(&timeline).to_ascii_lowercase();
    for upn in &fixed {
        assert!(
            labels.contains(&format!("{upn} · ")),
            "{upn} on the timeline"
        );
    }
    for upn in &stuck {
        assert!(
            labels.contains(&format!("{upn} · no write-back")),
            "{upn} open-ended"
        );
    }
    let not_fixed = report.table("Users the run did not fix");
    let listed: BTreeSet<String> = not_fixed
        .iter()
        .filter(|row| row[1] == "stuck")
        .map(|row| row[0].to_ascii_lowercase())
        .collect();
    assert_eq!(listed, stuck);
    let items = report.table("Every item of the run");
    let journaled: usize = ["fixed", "stuck", "failed", "pending", "skipped"]
        .iter()
        .map(|list| json[list].as_array().unwrap().len())
        .sum();
    assert_eq!(items.len(), journaled, "one row per journal item");
    let links: BTreeSet<String> = report.links("Every item of the run").into_iter().collect();
    for upn in fixed.iter().chain(&stuck) {
        let link = format!("{USER_PAGE}{}", user_id(&sim, upn));
        assert!(
            links.contains(&link),
            "{upn} links to its admin center page"
        );
    }

    let shown = sim.path("shown.html");
    let out = run(sim
        .mailfix()
        .args(["runs", "show", run_id, "--html", shown.to_str().unwrap()]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let again = check(&shown, "runs show", Some(run_id));
    again.figure(&format!("Write-back latency of {} users", fixed.len()));
    again.figure(&format!("Timeline of {} users", fixed.len() + stuck.len()));
    assert_eq!(again.table("Users the run did not fix"), not_fixed);
    assert_eq!(again.table("Every item of the run").len(), items.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn scan_counts_findings_by_rule_and_members_by_reason() {
    let sim = TestSim::start(small(3)).await;
    let html = sim.path("scan.html");

    let out = run(sim
        .mailfix()
        .args(["scan", "--all-users", "--fail-on", "never", "-o", "json"])
        .args(["--html", html.to_str().unwrap()]))
    .await;

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json = json_out(&out);
    let report = check(&html, "scan", None);
    let per_rule: Vec<(String, String)> = report
        .table("Findings per rule")
        .into_iter()
        .map(|row| (row[0].clone(), row[3].clone()))
        .collect();
    let expected: Vec<(String, String)> = json["summary"]["by_rule"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(rule, n)| (rule.clone(), n.to_string()))
        .collect();
    assert_eq!(per_rule, expected);
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(report.table("Findings by user").len(), findings.len());
    report.figure("Findings by rule, coloured by severity");
    let coverage = text(&report.figure(&format!("{} users scanned", json["scanned"])));
    for (reason, n) in json["skipped"].as_object().unwrap() {
        assert!(coverage.contains(&format!("{reason} {n}")), "{coverage}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_draws_the_table_as_a_heat_map_and_attempts_per_day() {
    let sim = TestSim::start(small(11)).await;
    let html = sim.path("audit.html");

    let out = run(sim.mailfix().args([
        "audit",
        "--since",
        "15d",
        "-o",
        "json",
        "--html",
        html.to_str().unwrap(),
    ]))
    .await;

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json = json_out(&out);
    let report = check(&html, "audit", None);
    let reading = json["reading"].as_str().unwrap();
    assert!(text(&report.figure("Users by class and mail")).contains(reading));
    let table: Vec<Vec<String>> = json["table"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].to_string();
            vec![
                r["class"].as_str().unwrap().to_owned(),
                n("mail_empty"),
                n("mail_set"),
            ]
        })
        .collect();
    assert_eq!(report.table("Users by class"), table);
    let (failed, succeeded) = json["days"]
        .as_array()
        .unwrap()
        .iter()
        .fold((0, 0), |(f, s), d| {
            (
                f + d["failures"].as_u64().unwrap(),
                s + d["successes"].as_u64().unwrap(),
            )
        });
    assert!(failed > 0 && succeeded > 0, "{}", json["days"]);
    let days = text(&report.figure("Registration attempts per day"));
    assert!(
        days.contains(&format!("{failed} failed, {succeeded} succeeded")),
        "{days}"
    );
    let failing = json["users"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["class"] == "failing");
    assert_eq!(report.table("Users who failed").len(), failing.count());
}

#[tokio::test(flavor = "multi_thread")]
async fn seed_lists_the_rows_that_need_action() {
    let sim = TestSim::start(crate::seed::hr_tenant()).await;
    let file = sim.path("hr.csv");
    write(&file, crate::seed::MESSY);
    let html = sim.path("seed.html");

    let out = crate::seed::seed_au(&sim, &file, &["--html", html.to_str().unwrap()]).await;

    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let report = check(&html, "seed", None);
    let done = ["done", "unchanged", "planned", "empty"];
    let expected: Vec<(String, String)> = crate::seed::messy_expected()
        .into_iter()
        .filter(|(_, (result, _))| !done.contains(result))
        .map(|(line, (result, _))| (line.to_string(), result.to_owned()))
        .collect();
    let listed: Vec<(String, String)> = report
        .table("HR rows not done")
        .into_iter()
        .map(|row| (row[0].clone(), row[2].clone()))
        .collect();
    assert_eq!(listed, expected);
    assert_eq!(
        report.table("Every HR row").len(),
        crate::seed::messy_expected().len()
    );
    report.figure("Outcome of 12 HR rows");
}

#[tokio::test(flavor = "multi_thread")]
async fn cleanup_lists_every_alias_it_removed() {
    let scenario = small(42);
    let sim = TestSim::start(scenario.clone()).await;
    let everyone: std::collections::HashSet<String> = scenario
        .users
        .iter()
        .map(|u| u.upn.to_ascii_lowercase())
        .collect();
    let leftovers = labelled(&scenario, &["leftover-alias"], &everyone);
    let html = sim.path("cleanup.html");

    let out = run(sim.mailfix().args([
        "cleanup",
        "--sweep",
        "--all-users",
        "--yes",
        "--html",
        html.to_str().unwrap(),
    ]))
    .await;

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json = json_out(&out);
    let report = check(&html, "cleanup", json["run"].as_str());
    let removed: BTreeSet<String> = report
        .table("Temporary aliases of the cleanup")
        .into_iter()
        .filter(|row| row[1] == "removed")
        .map(|row| row[0].to_ascii_lowercase())
        .collect();
    assert_eq!(removed, leftovers);
    report.figure(&format!("{} temporary aliases by outcome", leftovers.len()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_group_named_like_a_script_is_shown_as_text() {
    let evil = "<script>alert('pwned')</script> & <b>bold</b>";
    let mut scenario = small(5);
    let member = scenario
        .users
        .iter()
        .find(|u| u.label == "empty-mail")
        .unwrap()
        .upn
        .clone();
    scenario.groups.push(GroupSpec {
        id: None,
        display_name: evil.to_owned(),
        mail: None,
        members: vec![MemberSpec::User(member.clone())],
    });
    let sim = TestSim::start(scenario).await;
    let html = sim.path("scan.html");

    let out = run(sim
        .mailfix()
        .args(["scan", "--group", evil, "--html", html.to_str().unwrap()]))
    .await;

    assert_eq!(
        out.status.code(),
        Some(3),
        "an MF001 finding: {}",
        stderr(&out)
    );
    let report = check(&html, "scan", None);
    assert!(
        report.select("b").is_empty(),
        "markup in a name is not markup"
    );
    assert_eq!(report.fact("Scope"), format!("group '{evil}'"));
    assert!(
        !report.page.contains("<script") && !report.page.contains("<b>"),
        "escaped"
    );
    assert_eq!(report.table("Findings by user")[0][0], member);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_html_path_that_cannot_be_written_is_refused_before_any_request() {
    let sim = TestSim::start(small(1)).await;
    let plain = sim.path("plain-file");
    write(&plain, "not a directory");
    let under_a_file = plain.join("report.html");
    let path = under_a_file.to_str().unwrap();
    let plan = sim.path("plan.html");
    let cases: [&[&str]; 5] = [
        &["scan", "--all-users", "--html", path],
        &["guard", "--all-users", "--once", "--html", path],
        &["fix", "--all-users", "--yes", "--html", path],
        &["audit", "--html", path],
        &[
            "fix",
            "--all-users",
            "--dry-run",
            "--html",
            plan.to_str().unwrap(),
        ],
    ];
    for args in cases {
        let out = run(sim.mailfix().args(args)).await;
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("--html"), "{args:?}: {err}");
        assert!(err.contains("hint:"), "{args:?}: {err}");
    }
    assert!(sim.sim.state.log.since(0).is_empty(), "nothing was sent");
    assert!(!plan.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn guard_writes_a_report_per_cycle_with_its_findings_and_its_fix_run() {
    let sim = compressed(&small(7), 600.0, (60.0, 120.0)).await;
    sim.control_post("/_sim/unstick", serde_json::json!({}))
        .await;
    let html = sim.path("guard-{cycle}.html");
    let args = [
        "guard",
        "--group",
        GROUP,
        "--once",
        "--mode",
        "remediate",
        "--yes",
    ];

    let out = run(sim
        .mailfix()
        .args(args)
        .args([
            "--poll-interval",
            "100ms",
            "--fix-timeout",
            "1m",
            "-o",
            "ndjson",
        ])
        .args(["--html", html.to_str().unwrap()]))
    .await;

    assert!(matches!(out.status.code(), Some(0 | 3)), "{}", stderr(&out));
    let events = crate::support::guard::events(&crate::support::stdout(&out));
    let findings = crate::support::guard::of_kind(&events, "finding");
    let fix = crate::support::guard::of_kind(&events, "fix-finished");
    assert_eq!(fix.len(), 1, "one fix run: {events:?}");
    let run_id = fix[0]["run"].as_str().unwrap();
    let fixed = fix[0]["fixed"].as_array().unwrap().len();
    assert!(fixed > 0);
    let report = check(&sim.path("guard-1.html"), "guard", Some(run_id));
    assert_eq!(report.table("Findings by user").len(), findings.len());
    report.figure(&format!("Timeline of {fixed} users"));
    report.figure(&format!("Write-back latency of {fixed} users"));
    assert!(
        !sim.path("guard-{cycle}.html").exists(),
        "{{cycle}} is the cycle's number"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn guard_without_cycle_in_the_path_replaces_one_rolling_report() {
    let sim = TestSim::start(small(3)).await;
    let html = sim.path("guard.html");
    let cycle_of = |report: &crate::support::html::Report| {
        report
            .select(".tile")
            .into_iter()
            .find(|tile| text(tile).trim().ends_with("cycle"))
            .map(|tile| {
                text(&tile)
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_owned()
            })
    };

    for cycle in ["1", "2"] {
        // New starters with the defect: each cycle has findings to tell.
        let hire = serde_json::json!({"count": 2, "defects": {"empty-mail": 1.0}});
        sim.control_post("/_sim/users/hire", hire).await;
        let out = run(sim
            .mailfix()
            .args(["guard", "--group", GROUP, "--once", "--fail-on", "never"])
            .args(["--html", html.to_str().unwrap()]))
        .await;
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let report = check(&html, "guard", None);
        assert_eq!(
            cycle_of(&report).as_deref(),
            Some(cycle),
            "the last cycle's"
        );
        assert!(!report.table("Findings by user").is_empty());
    }
    let names: Vec<_> = std::fs::read_dir(html.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".html"))
        .collect();
    assert_eq!(names, vec!["guard.html".to_owned()], "one file");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rule_the_scan_could_not_apply_is_listed_with_its_reason() {
    let mut scenario = small(8);
    crate::realtenant_exchange::switch(&mut scenario, &[("graph.entra_premium", 0.0)]);
    let sim = TestSim::start(scenario).await;
    let html = sim.path("scan.html");

    let out = run(sim
        .mailfix()
        .env("MAILFIX_REPORTS_WINDOW", "100ms")
        .args([
            "scan",
            "--all-users",
            "--registration",
            "--fail-on",
            "never",
        ])
        .args(["-o", "json", "--html", html.to_str().unwrap()]))
    .await;

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json = json_out(&out);
    let reason = json["rules_skipped"][0]["reason"].as_str().unwrap();
    let report = check(&html, "scan", None);
    assert_eq!(
        report.table("Rules not applied"),
        vec![vec!["MF007".to_owned(), reason.to_owned()]]
    );
}
