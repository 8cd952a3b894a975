//! `mailfix audit` through the binary against the simulator: the table equals what the scenario
//! produced, a 50,000-event log is read within the reports limit in exactly the pages it needs,
//! the portal's JSON and CSV downloads give the same result, and bad input is refused early.

use std::collections::BTreeMap;

use mailfix_sim::log::LogEntry;
use mailfix_sim::scenario::{Scenario, small};
use serde_json::{Value, json};

use crate::support::{TestSim, run, stderr, stdout, write};

const SEED: u64 = 11;
/// Covers the scenario's history (attempts up to 14 days and a few minutes back).
const SINCE: &str = "15d";

/// Per class, (users with `mail` empty, users with `mail` set), derived from the scenario: every
/// attempt of a user fails while `mail` is empty and succeeds otherwise, so users who tried are
/// `failing` exactly when their `mail` is empty, and `completed` otherwise.
fn expected_table(scenario: &Scenario) -> BTreeMap<&'static str, (u64, u64)> {
    let mut table: BTreeMap<&'static str, (u64, u64)> =
        ["failing", "recovered", "completed", "no-attempt"]
            .into_iter()
            .map(|c| (c, (0, 0)))
            .collect();
    for user in scenario
        .users
        .iter()
        .filter(|u| u.registration_attempts > 0)
    {
        let empty = user.mail.as_deref().is_none_or(str::is_empty);
        let row = table
            .get_mut(if empty { "failing" } else { "completed" })
            .unwrap();
        if empty {
            row.0 += 1;
        } else {
            row.1 += 1;
        }
    }
    table
}

fn table_of(report: &Value) -> BTreeMap<&'static str, (u64, u64)> {
    ["failing", "recovered", "completed", "no-attempt"]
        .into_iter()
        .map(|class| {
            let row = report["table"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["class"] == class)
                .unwrap_or_else(|| panic!("no row {class}: {report}"));
            (
                class,
                (
                    row["mail_empty"].as_u64().unwrap(),
                    row["mail_set"].as_u64().unwrap(),
                ),
            )
        })
        .collect()
}

async fn audit_json(sim: &TestSim, args: &[&str]) -> Value {
    let out = run(sim.mailfix().arg("audit").args(args).args(["-o", "json"])).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)))
}

fn audit_requests(sim: &TestSim) -> Vec<LogEntry> {
    sim.sim
        .state
        .log
        .since(0)
        .into_iter()
        .filter(|e| e.path.contains("/auditLogs/"))
        .collect()
}

#[tokio::test]
async fn the_table_is_what_the_scenario_produced_and_every_failing_user_is_listed() {
    let scenario = small(SEED);
    let expected = expected_table(&scenario);
    let sim = TestSim::start(scenario.clone()).await;
    let failing_file = sim.path("failing.txt");
    let report = audit_json(
        &sim,
        &[
            "--since",
            SINCE,
            "--failing-users-file",
            failing_file.to_str().unwrap(),
        ],
    )
    .await;

    assert_eq!(table_of(&report), expected);
    let broken: Vec<&str> = scenario
        .users
        .iter()
        .filter(|u| u.registration_attempts > 0 && u.mail.is_none())
        .map(|u| u.upn.as_str())
        .collect();
    let (failing, other): (Vec<&Value>, Vec<&Value>) = report["users"]
        .as_array()
        .unwrap()
        .iter()
        .partition(|u| u["class"] == "failing");
    let mut listed: Vec<&str> = failing.iter().map(|u| u["upn"].as_str().unwrap()).collect();
    listed.sort_unstable();
    let mut wanted = broken.clone();
    wanted.sort_unstable();
    assert_eq!(
        listed, wanted,
        "every failing user with an empty `mail`, and no one else"
    );
    for user in &failing {
        assert_eq!(user["mail_empty"], true);
        assert!(user["failures"].as_u64().unwrap() >= 1);
        assert_eq!(user["successes"], 0);
        assert!(
            user["cause"].is_string() && user["remedy"].is_string(),
            "{user}"
        );
    }
    assert!(other.iter().all(|u| u["cause"].is_null()));
    let fixable = failing
        .iter()
        .find(|u| u["cause"].as_str().unwrap().contains("(MF001)"))
        .expect("a cloud-only user with a mailbox");
    assert_eq!(
        fixable["remedy"],
        format!("mailfix fix --user {}", fixable["upn"].as_str().unwrap())
    );

    let file = std::fs::read_to_string(&failing_file).unwrap();
    let mut in_file: Vec<&str> = file.lines().collect();
    in_file.sort_unstable();
    assert_eq!(in_file, wanted, "one UPN per line, for fix --users-file");
    let events: usize = sim.sim.state.read_tenant().audits.len();
    assert_eq!(report["events"], events as u64);
}

#[tokio::test]
async fn the_table_output_reads_the_table_and_names_the_remedy() {
    let scenario = small(SEED);
    let expected = expected_table(&scenario);
    let sim = TestSim::start(scenario).await;
    let out = run(sim
        .mailfix()
        .args(["audit", "--since", SINCE, "-o", "table"]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let (failing, completed) = (expected["failing"].0, expected["completed"].1);
    assert!(
        text.contains(&format!(
            "{failing} of {failing} failing users have an empty `mail`; 0 of {completed} completed users do"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("Failing users ({failing})")),
        "{text}"
    );
    assert!(text.contains("mailfix fix --user "), "{text}");

    let out = run(sim.mailfix().args(["audit", "--since", SINCE, "-o", "csv"])).await;
    let csv = stdout(&out);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "id,upn,class,mail_empty,synced,mailbox_plan,attempts,failures,successes,first,last,reasons,cause,remedy"
        )
    );
    let users = expected.values().map(|(e, s)| e + s).sum::<u64>();
    assert_eq!(lines.count() as u64, users);
}

#[tokio::test]
async fn a_50000_event_log_takes_exactly_its_pages_and_is_never_throttled() {
    // Simulated time runs 100 times faster; the client's reports window is scaled to match
    // (10 s / 100), so the 5-per-10-s limit is the simulator's, in its own time.
    let scale = 100.0;
    let scenario = small(SEED);
    let sim = TestSim::start_with(scenario.clone(), |o| o.time_scale = scale).await;
    let users: Vec<&str> = scenario
        .users
        .iter()
        .filter(|u| u.enabled && !u.guest)
        .map(|u| u.upn.as_str())
        .collect();
    let per_user = 25_000usize.div_ceil(users.len());
    let body = json!({"users": users, "count": per_user, "spread_s": 10 * 86_400});
    let answer = sim.control_post("/_sim/registration/attempts", body).await;
    assert_eq!(
        answer["attempts"].as_array().map(Vec::len),
        Some(per_user * users.len())
    );

    let per_service: Vec<u64> = {
        let tenant = sim.sim.state.read_tenant();
        ["Authentication Methods", "Self-service Password Management"]
            .iter()
            .map(|s| {
                tenant
                    .audits
                    .iter()
                    .filter(|e| e.logged_by_service == *s)
                    .count() as u64
            })
            .collect()
    };
    let total: u64 = per_service.iter().sum();
    assert!(total >= 50_000, "{total} events");

    let out = run(sim
        .mailfix()
        .env("MAILFIX_REPORTS_WINDOW", "100ms")
        .args(["audit", "--since", SINCE, "-o", "json", "-q"]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["events"], total);

    let requests = audit_requests(&sim);
    let page = u64::from(mailfix_engine::audit::AUDIT_PAGE_SIZE);
    let pages: u64 = per_service.iter().map(|n| n.div_ceil(page).max(1)).sum();
    assert_eq!(
        requests.len() as u64,
        pages,
        "one request per page per service"
    );
    let refused: Vec<&LogEntry> = requests
        .iter()
        .filter(|r| r.status == 429 || r.early)
        .collect();
    assert!(refused.is_empty(), "throttled: {refused:?}");
    // Within the limit in the service's own (simulated) time: any 6 requests span over 10 s.
    for six in requests.windows(6) {
        let span = six[5].time - six[0].time;
        assert!(span > chrono::Duration::seconds(10), "6 requests in {span}");
    }
}

/// `2024-05-02T08:03:41.1234567Z`, as Graph and the portal write times.
fn seven_digits(t: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::Timelike as _;
    format!(
        "{}.{:07}Z",
        t.format("%Y-%m-%dT%H:%M:%S"),
        t.nanosecond() / 100
    )
}

/// `initiatedBy.user` / a target, from the simulator's (id, UPN, display name).
fn who<I: std::fmt::Display>(w: &Option<(I, String, String)>) -> Option<Value> {
    w.as_ref().map(|(id, upn, name)| {
        json!({"id": id.to_string(), "displayName": name, "userPrincipalName": upn,
               "ipAddress": "198.51.100.7"})
    })
}

/// (display name, id, UPN) as CSV fields.
fn parts<I: std::fmt::Display>(w: &Option<(I, String, String)>) -> [String; 3] {
    w.as_ref().map_or(
        [String::new(), String::new(), String::new()],
        |(id, upn, name)| [name.clone(), id.to_string(), upn.clone()],
    )
}

/// A portal JSON download of the simulator's audit events (Graph's record shape).
fn portal_json(sim: &TestSim) -> String {
    let tenant = sim.sim.state.read_tenant();
    let records: Vec<Value> = tenant
        .audits
        .iter()
        .map(|e| {
            json!({
                "id": e.id, "category": e.category, "correlationId": e.correlation_id,
                "result": e.result, "resultReason": e.result_reason,
                "activityDisplayName": e.activity_display_name,
                "activityDateTime": seven_digits(e.activity_date_time),
                "loggedByService": e.logged_by_service, "operationType": e.operation_type,
                "initiatedBy": {"app": null, "user": who(&e.initiated_by)},
                "targetResources": [who(&e.target).map(|mut t| { t["type"] = json!("User"); t })],
                "additionalDetails": [],
            })
        })
        .collect();
    serde_json::to_string_pretty(&records).unwrap()
}

/// A portal CSV download of the same events: BOM, the portal's leading columns, `Success`.
fn portal_csv(sim: &TestSim) -> String {
    let tenant = sim.sim.state.read_tenant();
    let mut w = csv::Writer::from_writer(b"\xef\xbb\xbf".to_vec());
    w.write_record([
        "Date (UTC)",
        "CorrelationId",
        "Service",
        "Category",
        "Activity",
        "Result",
        "ResultReason",
        "ActorType",
        "ActorDisplayName",
        "ActorObjectId",
        "ActorUserPrincipalName",
        "IPAddress",
        "Target1Type",
        "Target1DisplayName",
        "Target1ObjectId",
        "Target1UserPrincipalName",
        "AdditionalDetail1Key",
        "AdditionalDetail1Value",
    ])
    .unwrap();
    for e in &tenant.audits {
        let [actor_name, actor_id, actor_upn] = parts(&e.initiated_by);
        let [target_name, target_id, target_upn] = parts(&e.target);
        let mut result = e.result.clone();
        result[..1].make_ascii_uppercase();
        w.write_record([
            seven_digits(e.activity_date_time),
            e.correlation_id.to_string(),
            e.logged_by_service.clone(),
            e.category.clone(),
            e.activity_display_name.clone(),
            result,
            e.result_reason.clone(),
            "User".into(),
            actor_name,
            actor_id,
            actor_upn,
            "198.51.100.7".into(),
            "User".into(),
            target_name,
            target_id,
            target_upn,
            "UserType".into(),
            "Member".into(),
        ])
        .unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// The parts of a report that must not depend on where the events came from.
fn result_of(report: &Value) -> Value {
    json!({"events": report["events"], "table": report["table"], "reading": report["reading"],
           "users": report["users"]})
}

#[tokio::test]
async fn json_and_csv_downloads_of_the_same_events_give_the_same_result() {
    let sim = TestSim::start(small(SEED)).await;
    let online = audit_json(&sim, &["--since", SINCE]).await;
    let (json_file, csv_file) = (sim.path("audit.json"), sim.path("audit.csv"));
    write(&json_file, &portal_json(&sim));
    write(&csv_file, &portal_csv(&sim));

    let from_json = audit_json(&sim, &["--from-file", json_file.to_str().unwrap()]).await;
    let from_csv = audit_json(&sim, &["--from-file", csv_file.to_str().unwrap()]).await;
    assert_eq!(
        (from_json["source"].as_str(), from_csv["source"].as_str()),
        (Some("json"), Some("csv"))
    );
    assert!(from_json["since"].is_null() && online["since"].is_string());
    assert_eq!(result_of(&from_json), result_of(&from_csv));
    assert_eq!(result_of(&from_json), result_of(&online));
    assert!(online["users"].as_array().unwrap().len() > 200);
}
