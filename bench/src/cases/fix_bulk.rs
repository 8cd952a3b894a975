//! fix-bulk (issue 8): fix of 5,000 affected users under the simulator's documented throttling
//! limits, against the script and against the throttle-bound minimum time (requests needed ÷
//! allowed rate).
//!
//! Which limit binds: Exchange's rate budget (30,000 per 60 s) starts full and is never spent by
//! two requests per user, and Graph's resource units are not approached; the limit that binds is
//! Exchange's concurrency limit (3 requests in flight per app). With a per-request latency `L`
//! that allows `3 / L` requests per second, so the case adds a small real Exchange latency (10 ms
//! by default; the realistic 500 ms would make the script's run last hours). The clock is
//! compressed (10× by default) so that write-backs of 1–5 minutes take 6–30 s; every limit keeps
//! its documented value in simulated time.

use mailfix_sim::scenario::generate::{self, Kind, Names};
use mailfix_sim::scenario::{GroupSpec, MemberSpec, Scenario};
use mailfix_sim::throttle::Limits;
use rand::SeedableRng as _;
use rand_chacha::ChaCha8Rng;

use super::fixing::{self, Fixer, GROUP, MAILFIX_POLL_S, SCRIPT_POLL_S};
use super::run::Ctx;
use super::{CaseResult, Check, SEED};
use crate::sim::Setup;

/// Runs the case.
pub async fn run(ctx: &Ctx) -> anyhow::Result<CaseResult> {
    let users = ctx.sizes.bulk_users;
    let scale = ctx.sizes.bulk_time_scale;
    let latency_ms = ctx.sizes.bulk_exo_latency_ms;
    let scenario = bulk_scenario(users);
    let limits = Limits::from_map(&scenario.behaviour.limits)?;
    let setup = Setup {
        scenario,
        seed: SEED,
        time_scale: scale,
        graph_latency_ms: 0,
        exo_latency_ms: latency_ms,
        writeback_s: None,
    };
    let mut result = CaseResult::new(
        "fix-bulk",
        format!("Fix of {users} affected users under the documented throttling limits"),
        "issue 8",
    );
    let mailfix = fixing::measure(ctx, &setup, Fixer::Mailfix, result.id).await?;
    let script = fixing::measure(ctx, &setup, Fixer::Script, result.id).await?;

    let concurrency = limits.get("exo.concurrency");
    let quota = limits.get("exo.rate_quota");
    let window_real = limits.get("exo.rate_window_s") / scale;
    let by_concurrency = concurrency / (latency_ms.max(1) as f64 / 1000.0);
    let rate = by_concurrency.min(quota / window_real);
    let needed = 2 * users as u64;
    let minimum = needed as f64 / rate;
    let slowest = mailfix.delays.max_s() / scale;
    let wall = mailfix.row.measurement.wall_s;
    result.checks.push(Check::compare(
        format!(
            "throttle-bound minimum: {needed} Exchange requests needed (add and remove per user) ÷ {rate:.0} allowed per s = {minimum:.1} s"
        ),
        format!("mailfix {wall:.1} s = {:.2}× the minimum", wall / minimum),
    ));
    let own = mailfix.row.requests.map_or(0, |c| c.exchange);
    result.checks.push(Check::compare(
        format!(
            "mailfix's own Exchange requests ÷ allowed rate: {own} (add, remove and a `Get-Mailbox` checking the removal, per user) ÷ {rate:.0} per s = {:.1} s",
            own as f64 / rate
        ),
        format!("mailfix {wall:.1} s = {:.2}× that", wall * rate / own.max(1) as f64),
    ));
    result.checks.push(Check::compare(
        format!(
            "lower bound with the write-backs: max(throttle-bound {minimum:.1} s, slowest write-back {slowest:.1} s) = {:.1} s",
            minimum.max(slowest)
        ),
        format!("mailfix {wall:.1} s = {:.2}× the bound", wall / minimum.max(slowest)),
    ));
    result.setup = vec![
        format!(
            "simulator: {users} cloud-only licensed users with a mailbox and an empty `mail` (MF001), all direct members of \"{GROUP}\" (built in the harness from the simulator's own generator), `{}`, in the harness's process, HTTPS on loopback",
            setup.sim_flags()
        ),
        format!(
            "limits (simulator defaults): Exchange {concurrency} requests in flight and {quota} per {} simulated s; with {latency_ms} ms per Exchange request that allows {rate:.0} requests per real second (the rate budget would allow {:.0})",
            limits.get("exo.rate_window_s"),
            quota / window_real
        ),
        format!(
            "write-backs 60–300 simulated s ({:.0}–{:.0} s real); mailfix polls every {MAILFIX_POLL_S} simulated s, the script every {SCRIPT_POLL_S}",
            60.0 / scale,
            300.0 / scale
        ),
    ];
    result.notes.push(format!(
        "Both programs work on the same {} users (fixed: mailfix {}, script {}).",
        users, mailfix.targets, script.targets
    ));
    result.rows = vec![mailfix.row, script.row];
    result.reproduce = ctx.reproduce(result.id);
    Ok(result)
}

/// `users` users, every one with the defect, all direct members of [`GROUP`].
fn bulk_scenario(users: usize) -> Scenario {
    let names = Names::for_org("northwind", "example.org");
    let mut rng = ChaCha8Rng::seed_from_u64(SEED ^ 0xb01c);
    let specs: Vec<_> = (1..=users)
        .map(|i| generate::user(Kind::EmptyMail, i, &names, &mut rng))
        .collect();
    let group = GroupSpec {
        display_name: GROUP.to_owned(),
        members: specs
            .iter()
            .map(|u| MemberSpec::User(u.upn.clone()))
            .collect(),
        ..GroupSpec::default()
    };
    generate::scenario(format!("bulk-{users}"), &names, specs, vec![group], &[])
}
