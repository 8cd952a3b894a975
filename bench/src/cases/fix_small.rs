//! fix-small (issue 5): `mailfix fix` on `small` with realistic latencies (Graph 100 ms, Exchange
//! 500 ms) and write-backs of 1–5 minutes on a compressed clock, against the original script.
//! Issue 5's bound: wall time within 1.2× of the slowest user's write-back delay plus one poll
//! interval.
//!
//! Latencies are real time and do not shrink with the clock, so a strong compression makes the
//! fixed cost of the Exchange calls (about 36 × 500 ms ÷ 3 in flight) large next to the
//! compressed delays; the default of 8× keeps the bound meaningful while the case takes minutes.

use mailfix_sim::scenario;

use super::fixing::{self, Fixer, MAILFIX_POLL_S, SCRIPT_POLL_S};
use super::run::Ctx;
use super::{CaseResult, Check, SEED};
use crate::sim::Setup;

const GRAPH_LATENCY_MS: u64 = 100;
const EXO_LATENCY_MS: u64 = 500;
const WRITEBACK_S: (f64, f64) = (60.0, 300.0);

/// Runs the case.
pub async fn run(ctx: &Ctx) -> anyhow::Result<CaseResult> {
    let scale = ctx.sizes.fix_time_scale;
    let setup = Setup {
        scenario: scenario::small(SEED),
        seed: SEED,
        time_scale: scale,
        graph_latency_ms: GRAPH_LATENCY_MS,
        exo_latency_ms: EXO_LATENCY_MS,
        writeback_s: Some(WRITEBACK_S),
    };
    let mut result = CaseResult::new(
        "fix-small",
        format!("Fix of `small` with realistic latencies, clock compressed {scale}×"),
        "issue 5",
    );
    let mailfix = fixing::measure(ctx, &setup, Fixer::Mailfix, result.id).await?;
    let script = fixing::measure(ctx, &setup, Fixer::Script, result.id).await?;

    let slowest = mailfix.delays.max_s() / scale;
    let poll = MAILFIX_POLL_S / scale;
    let bound = 1.2 * (slowest + poll);
    let wall = mailfix.row.measurement.wall_s;
    result.checks.push(Check::bound(
        format!(
            "mailfix wall time ≤ 1.2 × (slowest write-back {slowest:.1} s + one poll interval {poll:.2} s) = {bound:.1} s"
        ),
        format!("{wall:.1} s ({:.2}× the slowest write-back + poll)", wall / (slowest + poll)),
        wall <= bound,
    ));
    result.setup = vec![
        format!(
            "simulator: `mailfix sim --scenario small {}` equivalent, in the harness's process, HTTPS on loopback; stuck users un-stuck (`POST /_sim/unstick`) before each run",
            setup.sim_flags()
        ),
        format!(
            "write-backs drawn uniformly from {}–{} simulated s ({:.1}–{:.1} s real); latencies are real time",
            WRITEBACK_S.0,
            WRITEBACK_S.1,
            WRITEBACK_S.0 / scale,
            WRITEBACK_S.1 / scale
        ),
        format!(
            "mailfix: `fix --group \"All Staff\"` (transitive members), default concurrency 3, poll interval {MAILFIX_POLL_S} simulated s ({poll:.2} s real)"
        ),
        format!(
            "baseline: the script on the group's direct members, sequential, re-listing the group every {SCRIPT_POLL_S} simulated s ({:.2} s real)",
            SCRIPT_POLL_S / scale
        ),
    ];
    result.notes.push(format!(
        "Slowest write-back delay drawn: {:.0} simulated s in the mailfix run ({} users), {:.0} in the baseline's ({} users), read from the simulator's pending write-backs.",
        mailfix.delays.max_s(),
        mailfix.delays.len(),
        script.delays.max_s(),
        script.delays.len()
    ));
    result.notes.push(format!(
        "The baseline fixes only the group's direct members ({} users) where mailfix fixes its transitive members ({} users): the ratios compare each program doing its whole job on the same group.",
        script.targets, mailfix.targets
    ));
    result.rows = vec![mailfix.row, script.row];
    result.reproduce = ctx.reproduce(result.id);
    Ok(result)
}
