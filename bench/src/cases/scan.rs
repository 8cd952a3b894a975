//! scan-small and scan-enterprise (issue 4): `mailfix scan` against the script's way of scanning
//! (list the population in pages of 100 and keep the users whose `mail` is empty), on the same
//! tenant, each run several times in turn.

use mailfix_sim::log::Service;
use mailfix_sim::scenario::{self, Scenario};
use serde_json::Value;

use super::run::Ctx;
use super::{CaseResult, Check, Row, Run, SEED};
use crate::baseline::PAGE;
use crate::machine::LoadAvg;
use crate::sim::{Setup, Sim};
use crate::stats::Spread;

/// Issue 4's memory bound for scanning the enterprise tenant.
const RSS_BOUND_MIB: f64 = 200.0;
/// Graph's largest page of users.
const MAX_PAGE: usize = 999;

/// scan-small: `--group "All Staff"` on `small`.
pub async fn small(ctx: &Ctx) -> anyhow::Result<CaseResult> {
    let scope = ["--group", "All Staff"];
    let mut result = CaseResult::new(
        "scan-small",
        "Scan of `small` (300 users), group \"All Staff\"".to_owned(),
        "issue 4",
    );
    scan_case(ctx, &mut result, scenario::small(SEED), &scope).await?;
    Ok(result)
}

/// scan-enterprise: `--all-users` on `enterprise` (100,000 users unless resized).
pub async fn enterprise(ctx: &Ctx) -> anyhow::Result<CaseResult> {
    let users = ctx.sizes.enterprise_users;
    let scenario = if users == scenario::enterprise::ENTERPRISE_USERS {
        scenario::enterprise(SEED)
    } else {
        scenario::scale(users, SEED)
    };
    let mut result = CaseResult::new(
        "scan-enterprise",
        format!("Scan of `enterprise` ({users} users), all users"),
        "issue 4",
    );
    let lists = scan_case(ctx, &mut result, scenario, &["--all-users"]).await?;
    let bound = users.div_ceil(MAX_PAGE);
    let most = lists.iter().map(|l| l.0).max().unwrap_or(0);
    result.checks.push(Check::bound(
        format!("user list requests ≤ ceil({users}/{MAX_PAGE}) = {bound}, plus retries"),
        format!(
            "{most} answered 200 in the run with the most, {} in all",
            lists.iter().map(|l| l.1).max().unwrap_or(0)
        ),
        most <= bound as u64,
    ));
    if let Some(row) = result.row("mailfix") {
        let rss = row.spread(|r| r.measurement.rss_mib());
        result.checks.push(Check::bound(
            format!("mailfix peak RSS < {RSS_BOUND_MIB:.0} MB (the largest of the runs)"),
            format!("{} MiB", rss.show(0)),
            rss.max * 1.048_576 < RSS_BOUND_MIB,
        ));
    }
    Ok(result)
}

/// Runs both programs `ctx.runs` times in turn; the `GET /users` requests of each mailfix run
/// (answered 200, in all).
async fn scan_case(
    ctx: &Ctx,
    result: &mut CaseResult,
    scenario: Scenario,
    scope: &[&str],
) -> anyhow::Result<Vec<(u64, u64)>> {
    let setup = Setup::new(scenario, SEED);
    let mut args = vec!["scan"];
    args.extend_from_slice(scope);
    args.extend_from_slice(&["-o", "json", "-q", "--fail-on", "never"]);
    let mut base_args = vec!["scan"];
    base_args.extend_from_slice(scope);
    let mut lists = Vec::new();
    for run in 1..=ctx.runs {
        let sim = ctx.sim(&setup).await?;
        let launch = ctx.mailfix(&sim, &format!("mailfix-{}-{run}", result.id), &args);
        let load = LoadAvg::now().0[0];
        let (done, doc) = ctx.run_ok(&launch).await?;
        lists.push(list_requests(&sim));
        result.push(
            Row::new("mailfix", "", &launch),
            Run::new(&done, &sim, mailfix_outcome(&doc), load),
        );
        sim.stop().await;

        let sim = ctx.sim(&setup).await?;
        let launch = ctx.baseline(&sim, &format!("baseline-{}-{run}", result.id), &base_args)?;
        let load = LoadAvg::now().0[0];
        let (done, doc) = ctx.run_ok(&launch).await?;
        let outcome = format!(
            "listed {} users in pages of {PAGE}; {} with an empty `mail`",
            doc["listed"], doc["empty_mail"]
        );
        result.push(
            Row::new("baseline", "", &launch),
            Run::new(&done, &sim, outcome, load),
        );
        sim.stop().await;
    }
    result.setup = vec![
        format!(
            "simulator: {}, in the harness's process, HTTPS on loopback, real time, no added latency",
            sim_equivalent(&setup)
        ),
        "mailfix: the release binary, default settings".to_owned(),
        format!(
            "baseline: the script's scan: lists the same users (the group's transitive members, as mailfix reads them; the script's module read direct members) in pages of {PAGE} with the default properties, kept in memory, and keeps those whose `mail` is empty; no per-user reads (an earlier version of this harness read every user once more, which the script never did)"
        ),
    ];
    let spread = Spread::of(lists.iter().map(|l| l.0 as f64));
    result.notes.push(format!(
        "mailfix's `GET /users` requests per run: {}.",
        spread.show(0)
    ));
    result.reproduce = ctx.reproduce(result.id);
    Ok(lists)
}

/// `mailfix sim --scenario NAME FLAGS` for the built-in scenarios, the generator otherwise.
fn sim_equivalent(setup: &Setup) -> String {
    match setup.scenario.name.as_str() {
        name @ ("small" | "enterprise") => {
            format!(
                "`mailfix sim --scenario {name} {}` equivalent",
                setup.sim_flags()
            )
        }
        name => format!(
            "`{name}` (the enterprise generator at another size), `{}`",
            setup.sim_flags()
        ),
    }
}

fn mailfix_outcome(doc: &Value) -> String {
    let skipped: u64 = doc["skipped"]
        .as_object()
        .map(|m| m.values().filter_map(Value::as_u64).sum())
        .unwrap_or(0);
    let by_rule = doc["summary"]["by_rule"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(rule, n)| format!("{rule} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    format!(
        "scanned {} users ({skipped} members skipped); findings: {by_rule}",
        doc["scanned"]
    )
}

/// `GET /v1.0/users` requests in the log: answered 200, and in all.
fn list_requests(sim: &Sim) -> (u64, u64) {
    let log = sim.state().log.since(0);
    let lists: Vec<_> = log
        .iter()
        .filter(|e| e.service == Service::Graph && e.method == "GET" && e.path == "/v1.0/users")
        .collect();
    let ok = lists.iter().filter(|e| e.status == 200).count();
    (ok as u64, lists.len() as u64)
}
