//! `scan` through the engine API against the simulator: request counts from the simulator's log
//! (list requests per 999 users, one `$batch` per 20 users for methods, the registration report
//! read in bulk), and the streamed scope's skip counts.

use std::collections::BTreeSet;

use mailfix_engine::events::{CollectingReporter, Event, NoopReporter};
use mailfix_engine::fix::find_targets;
use mailfix_engine::rules::mf001_empty_mail::EMPTY_MAIL;
use mailfix_engine::scan::{ScanOptions, scan};
use mailfix_engine::scope::{Scope, ScopeSpec};
use mailfix_sim::log::LogEntry;
use mailfix_sim::scenario::{self, Scenario};
use mailfix_sim::{RunningSim, SimOptions};

use crate::support::sim_client;

async fn start(scenario: Scenario) -> RunningSim {
    mailfix_sim::start(SimOptions::for_test(scenario))
        .await
        .expect("simulator starts")
}

fn all_users() -> ScopeSpec {
    ScopeSpec {
        all_users: true,
        ..ScopeSpec::default()
    }
}

/// Graph requests other than sign-in, from the simulator's log.
fn graph_requests(sim: &RunningSim) -> Vec<LogEntry> {
    sim.state
        .log
        .since(0)
        .into_iter()
        .filter(|e| e.path.starts_with("/v1.0/"))
        .collect()
}

/// The `enterprise` scenario (100,000 users) scanned with `--all-users`: ceil(100000/999) = 101
/// list requests (the simulator injects no faults here, so there are no retries to add), each with
/// `$top=999` and a `$select` of only what the rules read, and nothing else read.
#[tokio::test]
async fn enterprise_all_users_take_one_list_request_per_999_users() {
    const USERS: usize = scenario::enterprise::ENTERPRISE_USERS;
    let sim = start(scenario::enterprise(3)).await;
    let client = sim_client(&sim);
    let scope = Scope::resolve(&client, all_users()).await.unwrap();
    let reporter = CollectingReporter::new();
    let report = scan(&client, &scope, &ScanOptions::default(), &reporter)
        .await
        .unwrap();
    let total = scenario::all_users(&scenario::enterprise(3)).count();
    assert_eq!(total, USERS);
    let skipped: u64 = report.skipped.values().sum();
    assert_eq!(report.scanned + skipped, USERS as u64);
    let lists: Vec<LogEntry> = graph_requests(&sim)
        .into_iter()
        .filter(|e| e.path == "/v1.0/users")
        .collect();
    assert_eq!(lists.len(), USERS.div_ceil(999), "one request per page");
    assert_eq!(graph_requests(&sim).len(), lists.len(), "nothing else read");
    let first = lists[0].query.clone().unwrap_or_default();
    assert!(
        first.contains("%24top=999") || first.contains("$top=999"),
        "{first}"
    );
    for absent in ["displayName", "signInActivity", "givenName"] {
        assert!(!first.contains(absent), "{absent} selected: {first}");
    }
    let progress = reporter
        .events()
        .iter()
        .filter(|e| matches!(e, Event::Scanned { .. }))
        .count();
    assert!(
        progress >= USERS / 250,
        "progress every 250 members: {progress}"
    );
}

/// `--methods` reads methods in `$batch`es of 20 users, and `--registration` reads the report in
/// bulk, filtered server-side, instead of once per user.
#[tokio::test]
async fn methods_are_batched_and_registration_is_read_in_bulk() {
    let sim = start(scenario::small(11)).await;
    let client = sim_client(&sim);
    let scope = Scope::resolve(&client, all_users()).await.unwrap();
    let options = ScanOptions {
        methods: true,
        registration: true,
        ..ScanOptions::default()
    };
    let report = scan(&client, &scope, &options, &NoopReporter)
        .await
        .unwrap();
    let requests = graph_requests(&sim);
    let batches: Vec<&LogEntry> = requests
        .iter()
        .filter(|e| e.path == "/v1.0/$batch")
        .collect();
    let items: usize = batches.iter().map(|b| b.batch_items.len()).sum();
    assert_eq!(
        items as u64, report.scanned,
        "one methods read per scanned user"
    );
    assert!(batches.iter().all(|b| b.batch_items.len() <= 20));
    assert_eq!(batches.len(), (report.scanned as usize).div_ceil(20));
    let reports: Vec<&LogEntry> = requests
        .iter()
        .filter(|e| e.path.contains("userRegistrationDetails"))
        .collect();
    assert_eq!(reports.len(), 1, "one filtered read of the report");
    assert!(
        reports
            .iter()
            .all(|r| r.query.as_deref().is_some_and(|q| q.contains("filter"))),
        "filtered server-side"
    );
    let rules: BTreeSet<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(
        rules.contains("MF006") && rules.contains("MF007"),
        "{rules:?}"
    );
}

/// A group scope skips non-user members by kind and disabled accounts and guests by reason, and
/// counts each user once although the groups nest in a cycle.
#[tokio::test]
async fn group_scope_counts_skipped_members_by_reason() {
    let sim = start(scenario::small(5)).await;
    let client = sim_client(&sim);
    let spec = ScopeSpec {
        groups: vec!["All Staff".to_owned()],
        ..ScopeSpec::default()
    };
    let scope = Scope::resolve(&client, spec).await.unwrap();
    let report = scan(&client, &scope, &ScanOptions::default(), &NoopReporter)
        .await
        .unwrap();
    let in_group = sim.info.group_user_counts["All Staff"] as u64;
    let users_skipped = report.skipped.get("disabled").copied().unwrap_or(0)
        + report.skipped.get("guest").copied().unwrap_or(0);
    assert_eq!(report.scanned + users_skipped, in_group);
    for kind in ["group", "device", "contact", "servicePrincipal"] {
        assert!(
            report.skipped.get(kind).is_some_and(|&n| n > 0),
            "{kind}: {:?}",
            report.skipped
        );
    }
    assert_eq!(report.scope, "group 'All Staff'");
}

/// `fix::find_targets` gives `fix` the MF001 users with their facts, nothing else.
#[tokio::test]
async fn targets_are_the_users_a_rule_finds() {
    let scenario = scenario::small(9);
    let expected: BTreeSet<String> = scenario::all_users(&scenario)
        .filter(|u| u.enabled && !u.guest && matches!(u.label.as_str(), "empty-mail" | "stuck"))
        .map(|u| u.upn.to_ascii_lowercase())
        .collect();
    let sim = start(scenario).await;
    let client = sim_client(&sim);
    let scope = Scope::resolve(&client, all_users()).await.unwrap();
    let plans = mailfix_engine::facts::MailboxPlans::default();
    let found = find_targets(&client, &scope, &plans, &NoopReporter)
        .await
        .unwrap();
    let upns: BTreeSet<String> = found
        .users
        .iter()
        .map(|facts| facts.user.upn.to_ascii_lowercase())
        .collect();
    assert_eq!(upns, expected);
    assert!(
        found.users.iter().all(|facts| facts.mail_is_empty()
            && EMPTY_MAIL.check(facts).is_some_and(|f| f.rule == "MF001"))
    );
}
