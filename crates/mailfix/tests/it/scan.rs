//! `mailfix scan` acceptance: on the `small` scenario every defective user is found under the right
//! rule and no healthy one is reported (expected findings derived from the scenario definition),
//! faults change nothing, and the whole `enterprise` tenant takes one list request per 999 users.

use std::collections::BTreeSet;

use mailfix_sim::scenario::{self, all_users};
use serde_json::{Value, json};

use crate::expected::{self, Findings};
use crate::support::{TestSim, run, stderr, stdout};

const SEED: u64 = 21;

/// Runs `scan ARGS -o json` and returns the exit code and the document.
async fn scan_json(sim: &TestSim, args: &[&str]) -> (i32, Value) {
    let out = run(sim.mailfix().arg("scan").args(args).args(["-o", "json"])).await;
    let doc = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("JSON on stdout ({e}); stderr: {}", stderr(&out)));
    (out.status.code().unwrap_or(-1), doc)
}

/// Graph requests in the simulator's log.
async fn graph_log(sim: &TestSim) -> Vec<Value> {
    let log = sim.control_get("/_sim/requests").await;
    log.as_array()
        .expect("log entries")
        .iter()
        .filter(|e| e["service"] == "graph")
        .cloned()
        .collect()
}

#[tokio::test]
async fn group_scan_finds_every_defective_member_and_no_healthy_one() {
    let scenario = scenario::small(SEED);
    let members = expected::group_members(&scenario, "All Staff");
    let want = expected::findings(
        &scenario,
        |u| members.contains(&u.upn.to_ascii_lowercase()) && expected::kept(u, false, false),
        false,
        false,
    );
    let defective: usize = all_users(&scenario)
        .filter(|u| members.contains(&u.upn.to_ascii_lowercase()) && u.label != "healthy")
        .count();
    assert!(
        defective > 30 && want.len() > 30,
        "the scenario has defects"
    );
    let kept_members = all_users(&scenario)
        .filter(|u| {
            members.contains(&u.upn.to_ascii_lowercase()) && expected::kept(u, false, false)
        })
        .count();
    let skipped_users = members.len() - kept_members;
    let sim = TestSim::start(scenario).await;
    let (code, doc) = scan_json(&sim, &["--group", "All Staff"]).await;
    assert_eq!(expected::from_json(&doc), want);
    assert_eq!(code, 3, "error findings exit 3");
    assert_eq!(doc["scanned"], kept_members);
    let skipped = &doc["skipped"];
    let by = |k: &str| skipped[k].as_u64().unwrap_or(0) as usize;
    assert_eq!(by("disabled") + by("guest"), skipped_users);
    // All Staff nests Sales, Sales EMEA (a cycle back to Sales), Engineering, Platform Team and
    // Operations; its devices, contact and service principal are counted, not scanned.
    assert_eq!(
        (
            by("group"),
            by("device"),
            by("contact"),
            by("servicePrincipal")
        ),
        (5, 2, 1, 1)
    );
}

#[tokio::test]
async fn all_users_with_methods_registration_and_excluded_accounts() {
    let scenario = scenario::small(SEED);
    let want = expected::findings(&scenario, |u| expected::kept(u, true, true), true, true);
    let rules: BTreeSet<&str> = want.iter().map(|(_, r)| r.as_str()).collect();
    assert_eq!(rules.len(), 8, "every rule has a case: {rules:?}");
    let users = all_users(&scenario).count();
    let sim = TestSim::start(scenario).await;
    let args = [
        "--all-users",
        "--include-disabled",
        "--include-guests",
        "--methods",
        "--registration",
    ];
    let (_, doc) = scan_json(&sim, &args).await;
    assert_eq!(expected::from_json(&doc), want);
    assert_eq!(doc["scanned"], users);
}

/// 20% of Graph requests and of `$batch` items fail with 429, 500, 503, 504 or a reset connection
/// (the simulator rolls for every Graph request but `$batch` itself, and for each item): the
/// findings are the same as without faults. A group of about 80 users keeps the retries' waits
/// short (the simulator tells throttled batch items to wait 5 real seconds).
#[tokio::test]
async fn injected_faults_do_not_change_the_findings() {
    let sim = TestSim::start_with(scenario::small(SEED), |o| o.time_scale = 20.0).await;
    let args = ["--group", "Engineering", "--methods", "--registration"];
    let (_, clean) = scan_json(&sim, &args).await;
    let kinds = json!([429, 500, 503, 504, "reset"]);
    sim.control_post(
        "/_sim/faults",
        json!({"rules": [{"service": "graph", "rate": 0.2, "kinds": kinds}]}),
    )
    .await;
    let before = graph_log(&sim).await.len();
    let (code, faulty) = scan_json(&sim, &args).await;
    assert_eq!(code, 3);
    let log = graph_log(&sim).await;
    let requests = log[before..]
        .iter()
        .filter(|e| e["fault"].is_string())
        .count();
    let items = log[before..]
        .iter()
        .flat_map(|e| e["batch_items"].as_array().cloned().unwrap_or_default())
        .filter(|i| i["status"].as_u64().is_some_and(|s| s >= 429))
        .count();
    assert!(
        requests + items > 5,
        "faults were injected: {requests} + {items}"
    );
    assert!(clean["findings"].as_array().is_some_and(|f| f.len() > 20));
    assert_eq!(faulty["findings"], clean["findings"]);
    assert_eq!(faulty["scanned"], clean["scanned"]);
    assert_eq!(faulty["skipped"], clean["skipped"]);
}

/// The whole `enterprise` tenant (100,000 users) with `--all-users`: at most ceil(100000/999) list
/// requests plus the retries the log shows, each selecting only what the rules read.
#[tokio::test]
async fn enterprise_all_users_takes_one_list_request_per_999_users() {
    let scenario = scenario::enterprise(1);
    let users = all_users(&scenario).count();
    assert_eq!(users, 100_000);
    let sim = TestSim::start(scenario).await;
    let (_, doc) = scan_json(
        &sim,
        &["--all-users", "--include-disabled", "--include-guests"],
    )
    .await;
    assert_eq!(doc["scanned"], users);
    let log = graph_log(&sim).await;
    let lists: Vec<&Value> = log.iter().filter(|e| e["path"] == "/v1.0/users").collect();
    let retries = lists.iter().filter(|e| e["status"] != 200).count();
    assert!(
        lists.len() <= users.div_ceil(999) + retries,
        "{} list requests",
        lists.len()
    );
    assert_eq!(log.len(), lists.len(), "nothing but the user list is read");
    let query = lists[0]["query"].as_str().unwrap_or_default();
    let query = query.replace("%24", "$").replace("%2C", ",");
    assert!(query.contains("$top=999"), "{query}");
    assert!(
        !query.contains("displayName"),
        "only what the rules read: {query}"
    );
}

/// The expected findings are all (upn, rule) pairs; a finding counted twice would hide in a set.
#[tokio::test]
async fn each_finding_is_reported_once_in_a_stable_order() {
    let sim = TestSim::start(scenario::small(SEED)).await;
    let (_, doc) = scan_json(&sim, &["--group", "All Staff", "--group", "Sales"]).await;
    let pairs: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let upn = f["user"]["upn"].as_str().unwrap().to_ascii_lowercase();
            (upn, f["rule"].as_str().unwrap().to_owned())
        })
        .collect();
    let mut sorted = pairs.clone();
    sorted.sort();
    assert_eq!(pairs, sorted, "ordered by UPN, then rule");
    let unique: Findings = pairs.iter().cloned().collect();
    assert_eq!(
        unique.len(),
        pairs.len(),
        "users in both groups are scanned once"
    );
}
