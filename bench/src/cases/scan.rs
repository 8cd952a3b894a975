//! scan-small and scan-enterprise (issue 4): `mailfix scan` against the script's way of scanning
//! (list the population, then one request per member), on the same tenant.

use mailfix_sim::log::Service;
use mailfix_sim::scenario::{self, Scenario};
use serde_json::Value;

use super::run::Ctx;
use super::{CaseResult, Check, Row, SEED};
use crate::sim::{Setup, Sim};

/// Issue 4's memory bound for scanning the enterprise tenant.
const RSS_BOUND_MIB: f64 = 200.0;
/// Graph's largest page of users.
const PAGE: usize = 999;

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
    let mailfix = scan_case(ctx, &mut result, scenario, &["--all-users"]).await?;
    let lists = mailfix.list_requests;
    let bound = users.div_ceil(PAGE);
    result.checks.push(Check::bound(
        format!("user list requests ≤ ceil({users}/{PAGE}) = {bound}, plus retries"),
        format!("{} answered 200, {} in all", lists.0, lists.1),
        lists.0 <= bound as u64,
    ));
    if let Some(row) = result.row("mailfix") {
        let rss = row.measurement.rss_mib();
        result.checks.push(Check::bound(
            format!("mailfix peak RSS < {RSS_BOUND_MIB:.0} MB"),
            format!("{rss:.0} MiB"),
            rss * 1.048_576 < RSS_BOUND_MIB,
        ));
    }
    Ok(result)
}

/// What the mailfix run of a scan case showed beyond its row.
struct MailfixScan {
    /// `GET /v1.0/users` requests: answered 200, and in all.
    list_requests: (u64, u64),
}

async fn scan_case(
    ctx: &Ctx,
    result: &mut CaseResult,
    scenario: Scenario,
    scope: &[&str],
) -> anyhow::Result<MailfixScan> {
    let setup = Setup::new(scenario, SEED);
    let mut args = vec!["scan"];
    args.extend_from_slice(scope);
    args.extend_from_slice(&["-o", "json", "-q", "--fail-on", "never"]);

    let sim = Sim::start(&setup).await?;
    let launch = ctx.mailfix(&sim, &format!("mailfix-{}", result.id), &args);
    let (done, doc) = ctx.run_ok(&launch).await?;
    let list_requests = list_requests(&sim);
    result.rows.push(Row::new(
        "mailfix",
        &launch,
        &done,
        &sim,
        mailfix_outcome(&doc),
    ));
    sim.stop().await;

    let sim = Sim::start(&setup).await?;
    let mut base_args = vec!["scan"];
    base_args.extend_from_slice(scope);
    let launch = ctx.baseline(&sim, &format!("baseline-{}", result.id), &base_args)?;
    let (done, doc) = ctx.run_ok(&launch).await?;
    let outcome = format!(
        "listed {} users and read each one; {} with an empty `mail`",
        doc["listed"], doc["empty_mail"]
    );
    result
        .rows
        .push(Row::new("baseline", &launch, &done, &sim, outcome));
    sim.stop().await;

    result.setup = vec![
        format!(
            "simulator: {}, in the harness's process, HTTPS on loopback, real time, no added latency",
            sim_equivalent(&setup)
        ),
        "mailfix: the release binary, default settings".to_owned(),
        "baseline: lists the same users (default properties, kept in memory), then `GET /users/{id}?$select=` the rules' ten properties, one user after the other".to_owned(),
    ];
    result.reproduce = ctx.reproduce(result.id);
    Ok(MailfixScan { list_requests })
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
