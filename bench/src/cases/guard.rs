//! guard-enterprise (issue 14): what `mailfix guard` costs on `enterprise` (100,000 users, group
//! "All Staff"): the first cycle (a full read), an idle cycle, and a cycle after 50 hires with
//! remediation, each counted from the simulator's request log. Each of the `--runs` runs starts a
//! fresh simulator and journal; the checks hold for every run.

use mailfix_sim::log::{LogEntry, Service};
use mailfix_sim::scenario;
use serde_json::{Value, json};

use super::run::Ctx;
use super::{CaseResult, Check, Row, Run, SEED};
use crate::counts::SimLogCounts;
use crate::machine::LoadAvg;
use crate::sim::{Setup, Sim};

/// Hires of the busy cycle.
const HIRES: usize = 50;
/// The delta page size mailfix asks for (`Prefer: odata.maxpagesize`).
const PAGE: usize = 999;
/// Users per membership `$batch`.
const BATCH: usize = 20;

/// guard-enterprise.
pub async fn run(ctx: &Ctx) -> anyhow::Result<CaseResult> {
    let users = ctx.sizes.enterprise_users;
    let mut result = CaseResult::new(
        "guard-enterprise",
        format!("guard on `enterprise` ({users} users), group \"All Staff\""),
        "issue 14",
    );
    let scenario = match users == scenario::enterprise::ENTERPRISE_USERS {
        true => scenario::enterprise(SEED),
        false => scenario::scale(users, SEED),
    };
    let mut setup = Setup::new(scenario, SEED);
    setup.time_scale = 600.0;
    setup.writeback_s = Some((60.0, 300.0));
    result
        .setup
        .push(format!("simulator: mailfix sim {}", setup.sim_flags()));
    result.setup.push(format!(
        "three runs of `mailfix guard --group \"All Staff\" --once` on one journal: the first \
         cycle (a full read), an idle one, and one after {HIRES} hires (`POST /_sim/users/hire`, \
         the default mix) with `--mode remediate --yes --poll-interval 1s`"
    ));
    result.reproduce = ctx.reproduce("guard-enterprise");
    for run in 1..=ctx.runs {
        one_run(ctx, &setup, &mut result, run).await?;
    }
    Ok(result)
}

/// One run: a fresh simulator and journal, three cycles, their rows and checks.
async fn one_run(
    ctx: &Ctx,
    setup: &Setup,
    result: &mut CaseResult,
    run: usize,
) -> anyhow::Result<()> {
    let sim = ctx.sim(setup).await?;
    let base = ["guard", "--group", "All Staff", "--once", "-o", "ndjson"];
    let (first, _) = phase(ctx, &sim, result, "first cycle", &base, &[]).await?;
    let (idle, idle_log) = phase(ctx, &sim, result, "idle cycle", &base, &[]).await?;
    let hired = sim
        .control_post("/_sim/users/hire", json!({ "count": HIRES }))
        .await?;
    let defective = hired["hired"].as_array().map_or(0, |h| {
        h.iter().filter(|u| u["label"] == "empty-mail").count()
    });
    let remediate = ["--mode", "remediate", "--yes", "--poll-interval", "1s"];
    let (busy, busy_log) = phase(ctx, &sim, result, "after 50 hires", &base, &remediate).await?;
    sim.stop().await;
    let cycles = Cycles {
        first: &first,
        idle: &idle,
        idle_log: &idle_log,
        busy: &busy,
        busy_log: &busy_log,
    };
    checks(result, run, &cycles, defective);
    Ok(())
}

/// The three cycles of a run: their `cycle-finished` events and request logs.
struct Cycles<'a> {
    first: &'a Value,
    idle: &'a Value,
    idle_log: &'a [LogEntry],
    busy: &'a Value,
    busy_log: &'a [LogEntry],
}

/// Runs one guard cycle and adds its row; its `cycle-finished` event and its request log.
async fn phase(
    ctx: &Ctx,
    sim: &Sim,
    result: &mut CaseResult,
    name: &str,
    base: &[&str],
    extra: &[&str],
) -> anyhow::Result<(Value, Vec<LogEntry>)> {
    let mut args = base.to_vec();
    args.extend_from_slice(extra);
    let seq = sim.state().log.len() as u64;
    let load = LoadAvg::now().0[0];
    let launch = ctx.mailfix(sim, &format!("guard-{}", name.replace(' ', "-")), &args);
    let done = ctx.run(&launch).await?;
    anyhow::ensure!(
        done.exited_with(0) || done.exited_with(3),
        "`{}` exited with {:?}:\n{}",
        launch.display(),
        done.measurement.exit_code,
        crate::child::tail(&done.stderr)
    );
    let events: Vec<Value> = done
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let cycle = events
        .iter()
        .find(|e| e["event"] == "cycle-finished")
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("{name}: no cycle-finished event"))?;
    let fixed = events
        .iter()
        .filter(|e| e["event"] == "fix-finished")
        .map(|e| e["fixed"].as_array().map_or(0, Vec::len))
        .sum::<usize>();
    let log = sim.state().log.since(seq);
    let run = Run {
        measurement: done.measurement.clone(),
        requests: Some(SimLogCounts::of(&log)),
        outcome: format!(
            "{} changes, {} users checked, {} Graph requests in the cycle, {fixed} fixed",
            cycle["changes"], cycle["checked"], cycle["graph_requests"]
        ),
        load,
    };
    result.push(Row::new(&format!("guard, {name}"), "", &launch), run);
    Ok((cycle, log))
}

fn graph(log: &[LogEntry]) -> Vec<&LogEntry> {
    log.iter().filter(|e| e.service == Service::Graph).collect()
}

fn checks(result: &mut CaseResult, run: usize, cycles: &Cycles<'_>, defective: usize) {
    let Cycles {
        first,
        idle,
        idle_log,
        busy,
        busy_log,
    } = cycles;
    let idle_graph = graph(idle_log).len();
    result.checks.push(Check::bound(
        format!("run {run}: an idle cycle costs ≤ 2 Graph requests"),
        format!(
            "{} in the cycle ({idle_graph} for the whole run, with the group's resolution)",
            idle["graph_requests"]
        ),
        idle["graph_requests"].as_u64().unwrap_or(u64::MAX) <= 2,
    ));
    let changes = busy["changes"].as_u64().unwrap_or(0) as usize;
    let all = graph(busy_log);
    let delta = all
        .iter()
        .filter(|e| e.operation.as_deref() == Some("users.delta"))
        .count();
    let checks = all
        .iter()
        .filter(|e| {
            !e.batch_items.is_empty()
                && e.batch_items
                    .iter()
                    .all(|i| i.url.contains("checkMemberGroups"))
        })
        .count();
    let fixes = all.len().saturating_sub(delta + checks + 1);
    let (pages, batches) = (changes.div_ceil(PAGE), changes.div_ceil(BATCH));
    result.checks.push(Check::bound(
        format!(
            "run {run}, after {HIRES} hires: delta pages ≤ ceil({changes}/{PAGE}) = {pages}, membership \
             batches ≤ ceil({changes}/{BATCH}) = {batches}, the rest the fixes' own"
        ),
        format!(
            "{} Graph requests: {delta} delta + {checks} membership + 1 group resolution + \
             {fixes} by the fixes; {} Exchange",
            all.len(),
            busy["exchange_requests"]
        ),
        delta <= pages && checks <= batches,
    ));
    result.checks.push(Check::bound(
        format!("run {run}: the {defective} new MF001 users are fixed by the cycle that sees them"),
        format!("{} fixed", busy["fixed"]),
        busy["fixed"].as_u64() == Some(defective as u64),
    ));
    result.notes.push(format!(
        "Run {run}: the first cycle read the whole scope: {} members listed, {} Graph requests.",
        first["changes"], first["graph_requests"]
    ));
}
