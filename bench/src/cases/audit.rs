//! audit (issue 7): `mailfix audit` of a 50,000-event directory audit log: requests against the
//! page count (1,000 events per page, per service), no 429, and wall time against the reports
//! limit (5 requests per 10 s per app). The original script had no audit: there is no baseline.

use mailfix_sim::scenario;
use mailfix_sim::throttle::Limits;
use serde_json::json;

use super::run::Ctx;
use super::{CaseResult, Check, Row, Run, SEED};
use crate::machine::LoadAvg;
use crate::sim::{Setup, Sim};

/// The services `mailfix audit` reads.
const SERVICES: [&str; 2] = ["Authentication Methods", "Self-service Password Management"];
/// Events per page of `auditLogs/directoryAudits` (the simulator's choice; Graph's is undocumented).
const PAGE: usize = 1000;
/// Each registration attempt records two events.
const EVENTS_PER_ATTEMPT: usize = 2;

/// Runs the case.
pub async fn run(ctx: &Ctx) -> anyhow::Result<CaseResult> {
    let events = ctx.sizes.audit_events;
    let scale = ctx.sizes.audit_time_scale;
    let scenario = scenario::small(SEED);
    let limits = Limits::from_map(&scenario.behaviour.limits)?;
    let upns: Vec<String> = scenario
        .users
        .iter()
        .filter(|u| u.enabled && !u.guest)
        .map(|u| u.upn.clone())
        .collect();
    let per_user = (events / EVENTS_PER_ATTEMPT).div_ceil(upns.len().max(1));
    let mut setup = Setup::new(scenario, SEED);
    setup.time_scale = scale;
    let mut result = CaseResult::new("audit", format!("Audit of a {events}-event log"), "issue 7");

    let quota = limits.get("graph.reports_quota");
    let window_real = limits.get("graph.reports_window_s") / scale;
    let window = format!("{:.0}ms", window_real * 1000.0);
    let mut per_run = Vec::new();
    let mut per_service = Vec::new();
    let mut total_events = 0;
    for run in 1..=ctx.runs {
        let sim = ctx.sim(&setup).await?;
        let body = json!({"users": upns, "count": per_user, "spread_s": 10 * 86_400});
        sim.control_post("/_sim/registration/attempts", body)
            .await?;
        per_service = events_per_service(&sim);
        total_events = per_service.iter().sum();
        let launch = ctx
            .mailfix(
                &sim,
                &format!("mailfix-audit-{run}"),
                &["audit", "--since", "15d", "-o", "json", "-q"],
            )
            .envs([("MAILFIX_REPORTS_WINDOW", window.as_str())]);
        let load = LoadAvg::now().0[0];
        let (done, doc) = ctx.run_ok(&launch).await?;
        let log = sim.state().log.since(0);
        let audit: Vec<_> = log
            .iter()
            .filter(|e| e.path.contains("/auditLogs/"))
            .collect();
        let refused = audit.iter().filter(|e| e.status == 429 || e.early).count();
        per_run.push((audit.len(), refused));
        let outcome = format!(
            "read {} events ({total_events} in the log); {} audit requests",
            doc["events"],
            audit.len()
        );
        result.push(
            Row::new("mailfix", "", &launch),
            Run::new(&done, &sim, outcome, load),
        );
        sim.stop().await;
    }

    // An empty service still costs one request: its one, empty, page.
    let pages: usize = per_service.iter().map(|n| n.div_ceil(PAGE).max(1)).sum();
    let requests: Vec<usize> = per_run.iter().map(|r| r.0).collect();
    result.checks.push(Check::bound(
        format!(
            "audit requests = page count: {} = {pages} pages (every run)",
            per_service
                .iter()
                .zip(SERVICES)
                .map(|(n, s)| format!("max(1, ceil({n}/{PAGE})) ({s})"))
                .collect::<Vec<_>>()
                .join(" + ")
        ),
        format!("{requests:?} requests"),
        requests.iter().all(|n| *n == pages),
    ));
    let refused: usize = per_run.iter().map(|r| r.1).sum();
    result.checks.push(Check::bound(
        "no 429 (and no request before a Retry-After) on the audit log",
        format!("{refused} refused in {} runs", per_run.len()),
        refused == 0,
    ));
    let bound = (pages as f64 - quota).max(0.0) / quota * window_real;
    let wall = result.row("mailfix").map(|r| r.wall()).unwrap_or_default();
    result.checks.push(Check::compare(
        format!(
            "reports-limit-bound minimum: ({pages} pages − {quota:.0} at once) ÷ {quota:.0} per {window_real:.1} s = {bound:.1} s"
        ),
        format!(
            "mailfix median {} s = {:.2}× the minimum",
            wall.show(1),
            wall.median / bound.max(f64::MIN_POSITIVE)
        ),
    ));
    result.setup = vec![
        format!(
            "simulator: `mailfix sim --scenario small {}` equivalent, in the harness's process, HTTPS on loopback",
            setup.sim_flags()
        ),
        format!(
            "log: `POST /_sim/registration/attempts` with each of the {} enabled members trying {per_user} times over the last 10 days ({total_events} events with the scenario's own history)",
            upns.len()
        ),
        format!(
            "limit: {quota:.0} requests per {:.0} simulated s to reports and audit logs; mailfix told the window with `MAILFIX_REPORTS_WINDOW={window}` (the same window in real time)",
            limits.get("graph.reports_window_s")
        ),
    ];
    result.reproduce = ctx.reproduce(result.id);
    Ok(result)
}

fn events_per_service(sim: &Sim) -> Vec<usize> {
    let tenant = sim.state().read_tenant();
    SERVICES
        .iter()
        .map(|s| {
            tenant
                .audits
                .iter()
                .filter(|e| e.logged_by_service == *s)
                .count()
        })
        .collect()
}
