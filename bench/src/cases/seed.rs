//! seed (issue 6): `mailfix seed` of 5,000 HR rows, against the fewest requests batching allows
//! (users resolved 20 per `$batch`, their methods read 20 per `$batch`, one request per method
//! created, one Exchange read of the accepted domains) and against the time Graph's write limit
//! allows. The original script did not seed: there is no baseline.

use std::fmt::Write as _;

use mailfix_sim::scenario::{self, Scenario, all_users};
use mailfix_sim::throttle::Limits;

use super::run::Ctx;
use super::{CaseResult, Check, Row, SEED};
use crate::sim::{Setup, Sim};

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

    let sim = Sim::start(&setup).await?;
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
    let launch = ctx.mailfix(&sim, "mailfix-seed", &args);
    let (done, doc) = ctx.run_ok(&launch).await?;
    let counts = sim.counts();
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
    result
        .rows
        .push(Row::new("mailfix", &launch, &done, &sim, outcome));
    sim.stop().await;

    let batches = rows.div_ceil(20) as u64;
    let minimum = 2 * batches + creates + 1;
    let total = counts.service_requests();
    result.checks.push(Check::bound(
        format!(
            "requests close to the minimum batching allows: {batches} lookup `$batch`es + {batches} methods `$batch`es + {creates} creates + 1 Exchange read = {minimum} (within 2%)"
        ),
        format!("{total} Graph + Exchange requests = {:.3}× the minimum", total as f64 / minimum as f64),
        total >= minimum && total as f64 <= minimum as f64 * 1.02,
    ));
    let quota = limits.get("graph.write_quota");
    let window_real = limits.get("graph.write_window_s") / scale;
    let bound = (creates as f64 - quota).max(0.0) / (quota / window_real);
    let wall = done.measurement.wall_s;
    result.checks.push(Check::compare(
        format!(
            "write-limit-bound minimum: ({creates} creates − {quota:.0} in the full bucket) ÷ {quota:.0} writes per {window_real:.0} s real = {bound:.1} s"
        ),
        format!("mailfix {wall:.1} s ({} throttled answers)", counts.throttled),
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
