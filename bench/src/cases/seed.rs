//! seed (issue 6): `mailfix seed` of 5,000 HR rows, against the fewest requests batching allows
//! (users resolved 20 per `$batch`, their methods read 20 per `$batch`, one request per method
//! created, one Exchange read of the accepted domains) and against the time Graph's write limit
//! allows. The original script did not seed: there is no baseline.

use std::fmt::Write as _;

use mailfix_sim::scenario::{self, Scenario, all_users};
use mailfix_sim::throttle::Limits;

use super::run::Ctx;
use super::{CaseResult, Check, Row, Run, SEED};
use crate::counts::SimLogCounts;
use crate::machine::LoadAvg;
use crate::sim::Setup;
use crate::stats::Spread;

/// Runs the case.
pub async fn run(ctx: &Ctx) -> anyhow::Result<CaseResult> {
    let rows = ctx.sizes.seed_rows;
    let scale = ctx.sizes.seed_time_scale;
    let scenario = scenario::scale(rows, SEED);
    let limits = Limits::from_map(&scenario.behaviour.limits)?;
    let (csv, creates) = hr_file(&scenario);
    let file = ctx.dir().join("hr.csv");
    std::fs::write(&file, csv)?;
    let mut setup = Setup::new(scenario, SEED);
    setup.time_scale = scale;
    let mut result = CaseResult::new("seed", format!("Seed of {rows} HR rows"), "issue 6");

    let path = file.to_string_lossy().into_owned();
    let args = [
        "seed",
        &path,
        "--default-region",
        "AU",
        "--yes",
        "-o",
        "json",
        "-q",
    ];
    let mut totals = Vec::new();
    for run in 1..=ctx.runs {
        let sim = ctx.sim(&setup).await?;
        let launch = ctx.mailfix(&sim, &format!("mailfix-seed-{run}"), &args);
        let load = LoadAvg::now().0[0];
        let (done, doc) = ctx.run_ok(&launch).await?;
        let landed = sim
            .state()
            .log
            .since(0)
            .iter()
            .filter(|e| e.write && e.status < 300)
            .count();
        let outcome = format!(
            "created {} methods ({} expected; {} writes landed in the log), not done {}",
            doc["summary"]["created"], creates, landed, doc["summary"]["not_done"]
        );
        let run = Run::new(&done, &sim, outcome, load);
        totals.push(sim.counts());
        result.push(Row::new("mailfix", "", &launch), run);
        sim.stop().await;
    }

    let batches = rows.div_ceil(20) as u64;
    let minimum = 2 * batches + creates + 1;
    let most = totals
        .iter()
        .map(SimLogCounts::service_requests)
        .max()
        .unwrap_or(0);
    let least = totals
        .iter()
        .map(SimLogCounts::service_requests)
        .min()
        .unwrap_or(0);
    result.checks.push(Check::bound(
        format!(
            "requests close to the minimum batching allows: {batches} lookup `$batch`es + {batches} methods `$batch`es + {creates} creates + 1 Exchange read = {minimum} (within 2%, every run)"
        ),
        format!(
            "{least}–{most} Graph + Exchange requests = up to {:.3}× the minimum",
            most as f64 / minimum as f64
        ),
        least >= minimum && most as f64 <= minimum as f64 * 1.02,
    ));
    let quota = limits.get("graph.write_quota");
    let window_real = limits.get("graph.write_window_s") / scale;
    let bound = (creates as f64 - quota).max(0.0) / (quota / window_real);
    let wall = result.row("mailfix").map(|r| r.wall()).unwrap_or_default();
    let throttled = Spread::of(totals.iter().map(|c| c.throttled as f64));
    result.checks.push(Check::compare(
        format!(
            "write-limit-bound minimum: ({creates} creates − {quota:.0} in the full bucket) ÷ {quota:.0} writes per {window_real:.0} s real = {bound:.1} s"
        ),
        format!(
            "mailfix median {} s ({} throttled answers)",
            wall.show(1),
            throttled.show(0)
        ),
    ));
    result.setup = vec![
        format!(
            "simulator: `scale({rows}, {SEED})` (the enterprise generator at {rows} users), `{}`, in the harness's process, HTTPS on loopback",
            setup.sim_flags()
        ),
        format!(
            "HR file: one row per user; a new mobile (`0412 nnnnnn`, region AU) for users without one, a new personal email for users without one, and the registered email again for users with one (to be skipped): {creates} methods to create"
        ),
        format!(
            "Graph's write limit: {quota:.0} writes per {:.0} simulated s per app ({window_real:.0} s real at {scale}×)",
            limits.get("graph.write_window_s")
        ),
    ];
    result.reproduce = ctx.reproduce(result.id);
    Ok(result)
}

/// The HR export for `scenario`'s users, and how many methods it creates.
fn hr_file(scenario: &Scenario) -> (String, u64) {
    let mut text = String::from("UPN,Mobile,Personal Email\n");
    let mut creates = 0;
    for (i, user) in all_users(scenario).enumerate() {
        let mobile = match &user.methods.mobile {
            // A registered mobile is left out: the generator's numbers are not all valid.
            Some(_) => String::new(),
            None => {
                creates += 1;
                format!("0412 {i:06}")
            }
        };
        let email = match &user.methods.email {
            Some(e) => e.clone(),
            None => {
                creates += 1;
                format!("new{i}@example.org")
            }
        };
        let _ = writeln!(text, "\"{}\",{mobile},{email}", user.upn);
    }
    (text, creates)
}
