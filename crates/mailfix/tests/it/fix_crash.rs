//! Crash safety (README "Runs and the journal"), the `fix` row of the crash matrix: `mailfix fix` is killed with SIGKILL
//! at random moments — after a random number of mailbox writes, or after a random delay — and
//! `fix --resume` then finishes the run. Every trial must end with the fix invariants: each
//! target's `mail` is its primary address and every mailbox holds exactly the addresses it held
//! before (so no temporary alias is left).
//!
//! And nothing is written twice. A fix writes with `Set-Mailbox -EmailAddresses @{Add=a}` and
//! `@{Remove=a}`, one address per request; the address carries the run id, so it names one
//! mailbox and one run. Written twice means: in one trial (the killed process and its resume
//! together), two `Set-Mailbox` requests that the simulator answered 200 added the same address,
//! or removed the same address. A resume that re-sent a write whose outcome it did not know,
//! instead of re-reading the mailbox first, shows up here even though Exchange would accept the
//! repeat.

use std::collections::BTreeSet;
use std::time::Duration;

use mailfix_sim::scenario::small;

use crate::support::TestSim;
use crate::support::crash::{
    Finish, Finished, KillPoints, Tally, assert_written_once, mailbox_changes, start_and_kill,
};
use crate::tenant::{assert_fixed_and_untouched, mailboxes, requests, set_mailbox_ok};

const TRIALS: usize = 20;
const TARGETS: usize = 6;

#[tokio::test(flavor = "multi_thread")]
async fn fix_killed_at_random_moments_is_finished_by_resume() {
    let scenario = small(31);
    let sim = TestSim::start_with(scenario.clone(), |o| {
        o.time_scale = 600.0;
        o.writeback_delay_s = Some((60.0, 300.0));
        o.exo_latency_ms = Some(30);
    })
    .await;
    let targets: BTreeSet<String> = scenario
        .users
        .iter()
        .filter(|u| u.label == "empty-mail")
        .take(TARGETS)
        .map(|u| u.upn.to_ascii_lowercase())
        .collect();
    let healthy = scenario
        .users
        .iter()
        .filter(|u| u.label == "healthy")
        .take(2);
    let mut scope: Vec<String> = Vec::new();
    for upn in targets
        .iter()
        .cloned()
        .chain(healthy.map(|u| u.upn.clone()))
    {
        scope.extend(["--user".to_owned(), upn]);
    }
    let mut fix: Vec<String> = vec!["fix".into()];
    fix.extend(scope);
    fix.extend(FIX_ARGS.map(String::from));
    let finish = Finish {
        resume: &[
            "fix",
            "--resume",
            "--poll-interval",
            "100ms",
            "--timeout",
            "60s",
        ],
        nothing_to_resume: "no unfinished fix run",
        fresh: &fix,
        ok: &[0],
        writes: set_mailbox_ok,
    };
    let mut kills = KillPoints::seeded(0x5eed);
    let mut tally = Tally::default();
    for trial in 0..TRIALS {
        let kill = kills.draw(2 * TARGETS, Duration::from_secs(1));
        sim.control_post("/_sim/reset", serde_json::json!({})).await;
        let before = mailboxes(&sim);
        let (journal, open) = start_and_kill(&sim, trial, &fix, kill, set_mailbox_ok).await;
        let how = finish.run(&sim, &journal, trial).await;
        eprintln!("trial {trial}: {how:?}");
        tally.record(how == Finished::Resumed, open);
        assert_fixed_and_untouched(&sim, &before, &targets);
        // Each target's alias added once and removed once.
        assert_written_once(&requests(&sim, 0), mailbox_changes, 2 * TARGETS, trial);
    }
    tally.assert_meaningful();
}

/// How every `fix` of the trials runs, after its scope.
const FIX_ARGS: [&str; 5] = ["--yes", "--poll-interval", "100ms", "--timeout", "60s"];
