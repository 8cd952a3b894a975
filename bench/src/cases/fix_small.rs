//! fix-small (issues 5 and 13): `mailfix fix` on `small` with realistic latencies (Graph 100 ms,
//! Exchange 500 ms) and write-backs of 1–5 minutes on a compressed clock, against the original
//! script doing the same job: the group's transitive members, each user's write-back delay the
//! same in both programs' simulators. Issue 13's goal: wall time within 1.1× of the slowest
//! user's write-back delay plus one poll interval.
//!
//! Latencies are real time and do not shrink with the clock: at the default concurrency (3) the
//! 35 adds take about 35 × 500 ms ÷ 3 = 6 s, and the user whose write-back is slowest may be among
//! the last added, so a run ends up to about 6 s + a removal and its check (1 s) after its slowest
//! write-back plus one poll. The goal's 10 % must hold that: the default compression of 4× makes
//! the slowest write-back about 75 s real (10 % of it plus a poll: 8 s), where 8× (37 s, 4 s)
//! would leave it to chance which user is added last.

use std::collections::BTreeSet;

use mailfix_sim::scenario;

use super::fixing::{self, FixRun, Fixer, MAILFIX_POLL_S, SCRIPT_POLL_S};
use super::run::Ctx;
use super::{CaseResult, Check, SEED};
use crate::sim::Setup;

const GRAPH_LATENCY_MS: u64 = 100;
const EXO_LATENCY_MS: u64 = 500;
const WRITEBACK_S: (f64, f64) = (60.0, 300.0);
/// Issue 13's goal for fix-small.
const GOAL: f64 = 1.1;

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
        "issues 5 and 13",
    );
    let mut mailfix: Vec<FixRun> = Vec::new();
    let mut script: Vec<FixRun> = Vec::new();
    for run in 1..=ctx.runs {
        let m = fixing::measure(ctx, &setup, Fixer::Mailfix(None), result.id, run).await?;
        result.push(m.row.clone(), m.run.clone());
        mailfix.push(m);
        let s = fixing::measure(ctx, &setup, Fixer::Script, result.id, run).await?;
        result.push(s.row.clone(), s.run.clone());
        script.push(s);
    }
    let slowest = mailfix.iter().map(|m| m.slowest_s).fold(0.0, f64::max) / scale;
    let poll = MAILFIX_POLL_S / scale;
    let reference = slowest + poll;
    let wall = result
        .row("mailfix")
        .map(|row| row.wall())
        .unwrap_or_default();
    let r = wall.median / reference;
    result.checks.push(Check::bound(
        format!(
            "mailfix wall time ≤ {GOAL} × (slowest write-back {slowest:.1} s + one poll interval {poll:.2} s) = {:.1} s",
            GOAL * reference
        ),
        format!("median {} s = {r:.2}× the slowest write-back + poll", wall.show(1)),
        r <= GOAL,
    ));
    result.setup = setup_lines(&setup, scale, &mailfix, &script);
    result.notes.push(same_users(&mailfix, &script));
    result.reproduce = ctx.reproduce(result.id);
    Ok(result)
}

fn setup_lines(setup: &Setup, scale: f64, mailfix: &[FixRun], script: &[FixRun]) -> Vec<String> {
    let slowest = |runs: &[FixRun]| runs.iter().map(|r| r.slowest_s).fold(0.0, f64::max);
    vec![
        format!(
            "simulator: `mailfix sim --scenario small {}` equivalent, in the harness's process, HTTPS on loopback; stuck users un-stuck (`POST /_sim/unstick`) before each run",
            setup.sim_flags()
        ),
        format!(
            "write-backs: each user's delay is drawn from {}–{} simulated s ({:.1}–{:.1} s real) as a function of the seed and the user, so both programs' simulators give a user the same delay; the slowest among the users fixed: {:.0} simulated s (mailfix), {:.0} (baseline); latencies are real time",
            WRITEBACK_S.0,
            WRITEBACK_S.1,
            WRITEBACK_S.0 / scale,
            WRITEBACK_S.1 / scale,
            slowest(mailfix),
            slowest(script)
        ),
        format!(
            "mailfix: `fix --group \"All Staff\"` (transitive members), default concurrency 3, its default poll interval {MAILFIX_POLL_S:.0} simulated s ({:.2} s real)",
            MAILFIX_POLL_S / scale
        ),
        format!(
            "baseline: the script on the same users (the group's enabled, non-guest transitive members, as mailfix's scope reads them; the script itself read direct members only), sequential, re-listing the group every {SCRIPT_POLL_S:.0} simulated s ({:.2} s real), its own interval",
            SCRIPT_POLL_S / scale
        ),
    ]
}

/// Whether both programs fixed the same users (by their own account).
fn same_users(mailfix: &[FixRun], script: &[FixRun]) -> String {
    let set = |runs: &[FixRun]| -> BTreeSet<String> {
        runs.first()
            .map(|r| r.fixed.iter().cloned().collect())
            .unwrap_or_default()
    };
    let (m, s) = (set(mailfix), set(script));
    let common = m.intersection(&s).count();
    if m == s {
        format!("Both programs fixed the same {common} users.")
    } else {
        format!(
            "The programs fixed different users: mailfix {}, baseline {}, {common} in common (first runs).",
            m.len(),
            s.len()
        )
    }
}
