//! Crash safety (SPEC §6): `mailfix fix` is killed with SIGKILL at random moments — after a random
//! number of mailbox writes, or after a random delay — and `fix --resume` then finishes the run.
//! Every trial must end with the fix invariants: each target's `mail` is its primary address and
//! every mailbox holds exactly the addresses it held before. The kill points come from a seeded
//! generator (printed per trial), so a failing trial can be replayed.

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::Duration;

use mailfix_engine::journal::Journal;
use mailfix_sim::scenario::small;
use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng as _};
use serde_json::json;

use crate::support::{TestSim, run, stderr};
use crate::tenant::{assert_fixed_and_untouched, mailboxes, requests, set_mailbox_ok};

const TRIALS: usize = 20;
const TARGETS: usize = 6;

#[derive(Debug)]
enum KillPoint {
    /// After this many successful `Set-Mailbox` calls (adds and removals).
    Writes(usize),
    /// After this long.
    Delay(Duration),
}

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
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let (mut resumed, mut intents) = (0, 0);
    for trial in 0..TRIALS {
        let kill = match rng.random_bool(0.5) {
            true => KillPoint::Writes(rng.random_range(1..=2 * TARGETS)),
            false => KillPoint::Delay(Duration::from_millis(rng.random_range(0..1000))),
        };
        eprintln!("trial {trial}: kill {kill:?}");
        sim.control_post("/_sim/reset", json!({})).await;
        let journal = sim.path(&format!("trial-{trial}.db"));
        let before = mailboxes(&sim);
        kill_fix(&sim, &scope, &journal, &kill).await;
        let open = items_in_intent(&journal);
        eprintln!("trial {trial}: {open} items left in an intent");
        intents += open;
        let how = finish(&sim, &scope, &journal, trial).await;
        eprintln!("trial {trial}: {how:?}");
        resumed += usize::from(how == Finished::Resumed);
        assert_fixed_and_untouched(&sim, &before, &targets);
    }
    assert!(
        resumed >= TRIALS / 2,
        "most kills interrupt a run: {resumed} of {TRIALS}"
    );
    assert!(
        intents > 0,
        "some kills leave writes of unknown outcome to re-read"
    );
}

/// Items of the journal's runs whose last state is an intent (the kill came mid-write).
fn items_in_intent(journal: &std::path::Path) -> usize {
    let Ok(journal) = Journal::open_read(journal) else {
        return 0;
    };
    let runs = journal.list_runs().unwrap();
    runs.iter()
        .map(|run| journal.items_in_intent(&run.id).unwrap().len())
        .sum()
}

/// How a trial's run was finished after the kill.
#[derive(Debug, PartialEq, Eq)]
enum Finished {
    /// `fix --resume` took the killed run up.
    Resumed,
    /// The run had ended before the kill.
    AlreadyDone,
    /// The kill came before the run was journaled; a new `fix` did the work.
    Fresh,
}

/// Starts `fix` and kills it with SIGKILL at `kill` (unless it ended before).
async fn kill_fix(sim: &TestSim, scope: &[String], journal: &std::path::Path, kill: &KillPoint) {
    let mut child = sim
        .mailfix()
        .env("MAILFIX_JOURNAL", journal)
        .arg("fix")
        .args(scope)
        .args(["--yes", "--poll-interval", "100ms", "--timeout", "60s"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    match kill {
        KillPoint::Delay(delay) => tokio::time::sleep(*delay).await,
        KillPoint::Writes(n) => {
            for _ in 0..600 {
                if set_mailbox_ok(&requests(sim, 0)) >= *n || child.try_wait().unwrap().is_some() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    }
    let _ = child.start_kill();
    child.wait().await.unwrap();
}

/// `fix --resume`; when the kill came before the run was journaled (so nothing was written), a
/// new `fix` instead.
async fn finish(
    sim: &TestSim,
    scope: &[String],
    journal: &std::path::Path,
    trial: usize,
) -> Finished {
    let resume = [
        "fix",
        "--resume",
        "--poll-interval",
        "100ms",
        "--timeout",
        "60s",
    ];
    let out = run(sim.mailfix().env("MAILFIX_JOURNAL", journal).args(resume)).await;
    match out.status.code() {
        Some(0) => return Finished::Resumed,
        Some(2) if stderr(&out).contains("no unfinished fix run") => {}
        code => panic!(
            "trial {trial}: resume ended with {code:?}: {}",
            stderr(&out)
        ),
    }
    let runs = run(sim.mailfix().env("MAILFIX_JOURNAL", journal).args(["runs"])).await;
    let runs: serde_json::Value = serde_json::from_slice(&runs.stdout).unwrap();
    let ran = runs["runs"].as_array().is_some_and(|r| !r.is_empty());
    if ran {
        return Finished::AlreadyDone;
    }
    assert_eq!(
        set_mailbox_ok(&requests(sim, 0)),
        0,
        "trial {trial}: no run was journaled, so nothing may have been written"
    );
    let fresh = sim
        .mailfix()
        .env("MAILFIX_JOURNAL", journal)
        .arg("fix")
        .args(scope)
        .args(["--yes", "--poll-interval", "100ms", "--timeout", "60s"])
        .output()
        .await
        .unwrap();
    assert_eq!(
        fresh.status.code(),
        Some(0),
        "trial {trial}: {}",
        stderr(&fresh)
    );
    Finished::Fresh
}
