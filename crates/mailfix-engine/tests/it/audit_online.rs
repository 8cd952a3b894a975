//! `audit` against the simulator through the engine API: one request per page per service within
//! the reports limit, the period applied by the service, each user read once, scopes.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use chrono::Utc;
use mailfix_client::Client;
use mailfix_engine::audit::{
    AuditClass, AuditInput, AuditOptions, AuditWindow, SERVICES, read_online, run_audit,
};
use mailfix_engine::events::NoopReporter;
use mailfix_engine::scope::ScopeSpec;
use mailfix_sim::log::LogEntry;
use mailfix_sim::scenario::spec::AuditSpec;
use mailfix_sim::scenario::{Scenario, small};
use mailfix_sim::{RunningSim, SimOptions};

use crate::support::sim_config;

/// Simulated time runs this much faster than the wall clock; the client's reports window is
/// scaled to match, as `MAILFIX_REPORTS_WINDOW` does for the binary.
const SCALE: f64 = 20.0;

async fn start(scenario: Scenario) -> (RunningSim, Client) {
    let mut options = SimOptions::for_test(scenario);
    options.time_scale = SCALE;
    let sim = mailfix_sim::start(options).await.unwrap();
    let mut config = sim_config(&sim);

    config.limits.reports_window = Duration::from_secs_f64(10.0 / SCALE);
    let client = Client::new(config).unwrap();
    (sim, client)
}

/// `small` with a few SSPR events, so that both services have events.
fn scenario() -> Scenario {
    let mut scenario = small(7);
    let upns: Vec<String> = scenario
        .users
        .iter()
        .take(3)
        .map(|u| u.upn.clone())
        .collect();
    for (i, upn) in upns.iter().enumerate() {
        scenario.audits.push(AuditSpec {
            user: upn.clone(),
            hours_ago: 20.0 + i as f64,
            service: "Self-service Password Management".into(),
            activity: "User registered for self-service password reset".into(),
            result: if i == 0 { "failure" } else { "success" }.into(),
            reason: String::new(),
        });
    }
    scenario
}

fn audit_requests(sim: &RunningSim) -> Vec<LogEntry> {
    sim.state
        .log
        .since(0)
        .into_iter()
        .filter(|e| e.path.contains("/auditLogs/"))
        .collect()
}

/// Events per service in the simulator's log within `window`.
fn expected_per_service(sim: &RunningSim, window: &AuditWindow) -> Vec<usize> {
    let tenant = sim.state.read_tenant();
    SERVICES
        .iter()
        .map(|service| {
            tenant
                .audits
                .iter()
                .filter(|e| {
                    e.logged_by_service == *service && window.contains(e.activity_date_time)
                })
                .count()
        })
        .collect()
}

#[tokio::test]
async fn reads_each_service_in_exactly_as_many_requests_as_pages() {
    let (sim, client) = start(scenario()).await;
    let window = AuditWindow::since(Duration::from_secs(15 * 86_400), Utc::now()).unwrap();
    let read = read_online(&client, &window, 100, &NoopReporter)
        .await
        .unwrap();

    let expected = expected_per_service(&sim, &window);
    assert!(expected[0] > 500 && expected[1] == 3, "{expected:?}");
    assert_eq!(read.events.len(), expected.iter().sum::<usize>());
    let pages: Vec<u64> = expected
        .iter()
        .map(|&n| (n as u64).div_ceil(100).max(1))
        .collect();
    assert_eq!(read.pages, pages);
    let requests = audit_requests(&sim);
    assert_eq!(requests.len() as u64, pages.iter().sum::<u64>());
    assert!(
        requests.iter().all(|r| r.status == 200 && !r.throttled),
        "no request was throttled"
    );
    let first = requests[0].query.as_deref().unwrap_or_default();
    assert!(first.contains("activityDateTime%20ge%20"), "{first}");
    assert!(first.contains("$select=id,activityDateTime"), "{first}");
}

#[tokio::test]
async fn the_service_applies_both_ends_of_the_period() {
    let (sim, client) = start(scenario()).await;
    let now = Utc::now();
    let window = AuditWindow::between(
        Some(now - chrono::Duration::days(9)),
        Some(now - chrono::Duration::days(3)),
    )
    .unwrap();
    let read = read_online(&client, &window, 1000, &NoopReporter)
        .await
        .unwrap();
    let expected = expected_per_service(&sim, &window);
    assert!(expected[0] > 100, "{expected:?}");
    assert_eq!(read.events.len(), expected.iter().sum::<usize>());
    assert!(read.events.iter().all(|e| window.contains(e.time)));
    assert_eq!(read.pages, [1, 1]);
}

#[tokio::test]
async fn every_user_is_read_once_with_just_the_joined_properties() {
    let (sim, client) = start(scenario()).await;
    let options = AuditOptions {
        input: AuditInput::default(),
        window: AuditWindow::since(Duration::from_secs(15 * 86_400), Utc::now()).unwrap(),
    };
    let report = run_audit(&client, &options, None, &NoopReporter)
        .await
        .unwrap();

    let items: Vec<String> = sim
        .state
        .log
        .since(0)
        .into_iter()
        .flat_map(|e| e.batch_items)
        .map(|i| i.url)
        .collect();
    let distinct: HashSet<&str> = items.iter().map(|u| u.split('?').next().unwrap()).collect();
    assert_eq!(items.len(), report.users.len(), "one read per user");
    assert_eq!(distinct.len(), items.len());
    assert!(
        items[0].ends_with("$select=id,userPrincipalName,mail,onPremisesSyncEnabled,assignedPlans"),
        "{}",
        items[0]
    );
    let ids: HashSet<&str> = report.users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(
        ids.len(),
        report.users.len(),
        "each user once in the report"
    );
    assert!(
        report
            .users
            .iter()
            .all(|u| u.class != AuditClass::NoAttempt)
    );
}

#[tokio::test]
async fn a_group_scope_reads_its_members_once_and_adds_those_without_attempts() {
    let (sim, client) = start(scenario()).await;
    let spec = ScopeSpec {
        groups: vec!["Sales".into()],
        ..ScopeSpec::default()
    };
    let options = AuditOptions {
        input: AuditInput::default(),
        window: AuditWindow::since(Duration::from_secs(15 * 86_400), Utc::now()).unwrap(),
    };
    let report = run_audit(&client, &options, Some(spec), &NoopReporter)
        .await
        .unwrap();
    let skipped: u64 = ["disabled", "guest"]
        .iter()
        .filter_map(|k| report.skipped.get(*k))
        .sum();
    assert_eq!(
        report.users.len() as u64 + skipped,
        sim.info.group_user_counts["Sales"] as u64
    );
    let by_class: BTreeMap<AuditClass, usize> =
        report.users.iter().fold(BTreeMap::new(), |mut m, u| {
            *m.entry(u.class).or_default() += 1;
            m
        });
    assert!(
        by_class.get(&AuditClass::NoAttempt).copied().unwrap_or(0) > 0,
        "{by_class:?}"
    );
    assert!(
        sim.state
            .log
            .since(0)
            .iter()
            .all(|e| e.path != "/v1.0/$batch"),
        "the scope's own reads carry the joined properties"
    );
    assert_eq!(report.scope.as_deref(), Some("group 'Sales'"));
}
