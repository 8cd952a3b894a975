//! fix-bulk (issues 8 and 13): fix of 5,000 affected users under the simulator's throttling
//! limits, by mailfix at its default Exchange concurrency and at `--concurrency 10`, against the
//! script, and against the throttle-bound minimum time (Exchange requests needed ÷ allowed rate)
//! and the slowest write-back.
//!
//! Which limit binds: Exchange's rate budget (30,000 per 60 s) starts full and is never spent by
//! two requests per user, and Graph's resource units are not approached; the limit that binds is
//! the number of Exchange requests in flight. With a per-request latency `L`, `C` in flight allow
//! `C / L` requests per second, so the case adds a small real Exchange latency (10 ms by default;
//! the realistic 500 ms would make the script's run last hours). How many requests in flight
//! Exchange accepts is not documented; this case lets the simulator accept 10 (`exo.concurrency`),
//! so that `--concurrency 10` is served and the default 3 is the client's own choice. The clock is
//! compressed (10× by default) so that write-backs of 1–5 minutes take 6–30 s.

use mailfix_sim::scenario::generate::{self, Kind, Names};
use mailfix_sim::scenario::{GroupSpec, MemberSpec, Scenario};
use mailfix_sim::throttle::Limits;
use rand::SeedableRng as _;
use rand_chacha::ChaCha8Rng;

use super::fixing::{self, Fixer, GROUP, MAILFIX_POLL_S, SCRIPT_POLL_S};
use super::run::Ctx;
use super::{CaseResult, Check, SEED};
use crate::sim::Setup;

/// Exchange requests in flight the simulator accepts in this case.
const EXO_CONCURRENCY: f64 = 10.0;
/// The concurrency the goal row runs at.
const GOAL_CONCURRENCY: usize = 10;
/// Issue 13's goal for fix-bulk.
const GOAL: f64 = 1.2;

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
        format!("Fix of {users} affected users under the throttling limits"),
        "issues 8 and 13",
    );
    let fixers = [
        Fixer::Mailfix(None),
        Fixer::Mailfix(Some(GOAL_CONCURRENCY)),
        Fixer::Script,
    ];
    let mut slowest_s: f64 = 0.0;
    let mut fixed = Vec::new();
    for run in 1..=ctx.runs {
        for fixer in fixers {
            let measured = fixing::measure(ctx, &setup, fixer, result.id, run).await?;
            slowest_s = slowest_s.max(measured.slowest_s);
            fixed.push((fixer.program(), measured.fixed.len()));
            result.push(measured.row, measured.run);
        }
    }
    let budget = Budget {
        users,
        latency_s: latency_ms.max(1) as f64 / 1000.0,
        quota_per_s: limits.get("exo.rate_quota") / (limits.get("exo.rate_window_s") / scale),
        writeback_s: slowest_s / scale + MAILFIX_POLL_S / scale,
    };
    for (fixer, concurrency) in [(fixers[0], 3), (fixers[1], GOAL_CONCURRENCY)] {
        check_row(&mut result, &budget, fixer, concurrency);
    }
    result.setup = vec![
        format!(
            "simulator: {users} cloud-only licensed users with a mailbox and an empty `mail` (MF001), all direct members of \"{GROUP}\" (built in the harness from the simulator's own generator), `{}`, in the harness's process, HTTPS on loopback",
            setup.sim_flags()
        ),
        format!(
            "limits: Exchange accepts {EXO_CONCURRENCY:.0} requests in flight (`exo.concurrency`; the real number is not documented, the simulator's default is 3) and {} per {} simulated s; with {latency_ms} ms per Exchange request, C requests in flight allow C ÷ {:.3} s requests per real second (the rate budget would allow {:.0})",
            limits.get("exo.rate_quota"),
            limits.get("exo.rate_window_s"),
            budget.latency_s,
            budget.quota_per_s
        ),
        format!(
            "write-backs 60–300 simulated s ({:.0}–{:.0} s real), each user's a function of the seed and the user; the slowest among the users fixed: {:.1} s real; mailfix polls every {MAILFIX_POLL_S:.0} simulated s (its default), the script every {SCRIPT_POLL_S:.0}",
            60.0 / scale,
            300.0 / scale,
            slowest_s / scale
        ),
    ];
    fixed.dedup();
    result.notes.push(format!(
        "Users fixed per program (every run): {}.",
        fixed
            .iter()
            .map(|(p, n)| format!("{p} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    result.reproduce = ctx.reproduce(result.id);
    Ok(result)
}

/// What bounds a fix of the case's users.
struct Budget {
    users: usize,
    latency_s: f64,
    quota_per_s: f64,
    /// The slowest write-back among the users plus one poll interval, real seconds.
    writeback_s: f64,
}

impl Budget {
    /// Exchange requests per second `concurrency` in flight allow.
    fn rate(&self, concurrency: usize) -> f64 {
        (concurrency as f64 / self.latency_s).min(self.quota_per_s)
    }
}

/// The goal against the throttle-bound minimum at `concurrency` and the slowest write-back.
fn check_row(result: &mut CaseResult, budget: &Budget, fixer: Fixer, concurrency: usize) {
    let Some(row) = result.row(&fixer.program()) else {
        return;
    };
    let wall = row.wall();
    let exchange = row
        .typical()
        .and_then(|r| r.requests)
        .map_or(0, |c| c.exchange);
    let rate = budget.rate(concurrency);
    let needed = 2 * budget.users as u64;
    let minimum = needed as f64 / rate;
    let bound = minimum.max(budget.writeback_s);
    let r = wall.median / bound;
    let what = format!(
        "{}: wall ≤ {GOAL} × max(throttle-bound minimum at {concurrency} in flight: {needed} Exchange requests (add and remove per user) ÷ {rate:.0} per s = {minimum:.1} s, slowest write-back + one poll = {:.1} s) = {:.1} s",
        fixer.program(),
        budget.writeback_s,
        GOAL * bound
    );
    let figure = format!(
        "median {} s = {r:.2}× (its {exchange} Exchange requests ÷ {rate:.0} per s = {:.1} s)",
        wall.show(1),
        exchange as f64 / rate
    );
    let check = if concurrency == GOAL_CONCURRENCY {
        Check::bound(what, figure, r <= GOAL)
    } else {
        let adds = budget.users as f64 / rate;
        Check::compare(
            what,
            format!(
                "{figure}; at {concurrency} in flight the adds alone take {adds:.1} s, and a user added last still waits its own write-back, so no order that does not know the delays in advance ends near the bound"
            ),
        )
    };
    result.checks.push(check);
}

/// `users` users, every one with the defect, all direct members of [`GROUP`]; Exchange accepts
/// [`EXO_CONCURRENCY`] requests in flight.
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
    let mut scenario = generate::scenario(format!("bulk-{users}"), &names, specs, vec![group], &[]);
    scenario
        .behaviour
        .limits
        .insert("exo.concurrency".to_owned(), EXO_CONCURRENCY);
    scenario
}
