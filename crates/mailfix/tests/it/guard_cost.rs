//! What guard costs at 100,000 users (`enterprise`), from the simulator's request log: an idle
//! cycle is one Graph request (two with the group's resolution at process start), and a cycle after
//! 50 hires takes ceil(changes / 999) delta pages, ceil(changes / 20) membership `$batch`es, and the
//! fixes' own requests; the new MF001 starters are fixed by that one cycle.

use mailfix_sim::log::LogEntry;
use mailfix_sim::scenario;
use serde_json::json;

use crate::support::guard::{events, graph_requests, hire, of_kind, with_label};
use crate::support::{TestSim, run, stderr, stdout};
use crate::tenant::{mail_and_primary, requests};

fn guard(sim: &TestSim, extra: &[&str]) -> tokio::process::Command {
    let mut cmd = sim.mailfix();
    cmd.args(["guard", "--group", "All Staff", "--once", "-o", "ndjson"])
        .args(extra);
    cmd
}

fn is_delta(e: &LogEntry) -> bool {
    e.operation.as_deref() == Some("users.delta")
}

fn is_membership_check(e: &LogEntry) -> bool {
    !e.batch_items.is_empty()
        && e.batch_items
            .iter()
            .all(|i| i.url.contains("checkMemberGroups"))
}

#[tokio::test(flavor = "multi_thread")]
async fn at_100k_users_an_idle_cycle_costs_one_request_and_50_hires_cost_what_changed() {
    let sim = TestSim::start_with(scenario::enterprise(1), |o| {
        o.time_scale = 600.0;
        o.writeback_delay_s = Some((60.0, 300.0));
    })
    .await;
    let full = run(&mut guard(&sim, &["--mode", "report"])).await;
    assert_eq!(full.status.code(), Some(3), "{}", stderr(&full));

    let seq = sim.sim.state.log.len() as u64;
    let idle = run(&mut guard(&sim, &["--mode", "report"])).await;
    assert_eq!(idle.status.code(), Some(0), "{}", stderr(&idle));
    let log = requests(&sim, seq);
    let graph = graph_requests(&log);
    assert!(graph.len() <= 2, "idle process: {graph:#?}");
    let cycle = of_kind(&events(&stdout(&idle)), "cycle-finished")[0].clone();
    assert_eq!(cycle["graph_requests"], 1, "an idle cycle: {cycle}");
    eprintln!(
        "idle cycle: {} Graph request(s); the process: {}",
        cycle["graph_requests"],
        graph.len()
    );

    let hired = hire(&sim, json!({"count": 50})).await;
    let seq = sim.sim.state.log.len() as u64;
    let busy = run(&mut guard(
        &sim,
        &["--mode", "remediate", "--yes", "--poll-interval", "100ms"],
    ))
    .await;
    assert!(
        matches!(busy.status.code(), Some(0 | 3)),
        "{}",
        stderr(&busy)
    );
    let seen = events(&stdout(&busy));
    let cycle = of_kind(&seen, "cycle-finished")[0].clone();
    let changes = cycle["changes"].as_u64().unwrap() as usize;
    assert_eq!(changes, 50, "{cycle}");
    let log = requests(&sim, seq);
    let graph = graph_requests(&log);
    let delta = graph.iter().filter(|e| is_delta(e)).count();
    let checks = graph.iter().filter(|e| is_membership_check(e)).count();
    let fixes = graph.len() - delta - checks - 1; // and the group's resolution
    assert!(delta <= changes.div_ceil(999), "{delta} delta pages");
    assert!(
        checks <= changes.div_ceil(20),
        "{checks} membership batches"
    );
    let targets = with_label(&hired, &["empty-mail"]);
    assert_eq!(targets.len(), 15);
    for target in &targets {
        let (mail, primary) = mail_and_primary(&sim, target["upn"].as_str().unwrap());
        assert_eq!(mail, primary, "fixed within the cycle that saw the hire");
    }
    let fixed = of_kind(&seen, "fix-finished")[0]["fixed"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(fixed, 15);
    eprintln!(
        "50 hires: {} Graph requests = {delta} delta + {checks} membership + 1 group resolution + {fixes} by the fixes; {} Exchange",
        graph.len(),
        cycle["exchange_requests"]
    );
}
