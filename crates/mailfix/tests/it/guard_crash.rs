//! Crash safety of `mailfix guard --mode remediate`: new starters are hired, guard is killed with
//! SIGKILL at a random moment (after a random number of mailbox writes, or after a random delay),
//! and started again. The oracle compares the hires with what the tenant and guard's output show:
//! every MF001 starter is fixed (`mail` is its primary address), every starter with another defect
//! was reported (a `finding` event of one of the runs), no address was added or removed twice
//! (request log), and no mailbox holds a temporary alias (each holds exactly what it held after
//! the hire).

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::Duration;

use mailfix_sim::scenario::small;
use serde_json::{Value, json};

use crate::support::crash::{
    KillPoint, KillPoints, Tally, assert_written_once, items_in_intent, mailbox_changes,
};
use crate::support::guard::{events, hire, of_kind, with_label};
use crate::support::{TestSim, run, stderr};
use crate::tenant::{assert_fixed_and_untouched, compressed, mailboxes, set_mailbox_ok};

const TRIALS: usize = 20;
const HIRES: usize = 8;

fn guard_args() -> Vec<&'static str> {
    vec![
        "guard",
        "--group",
        "All Staff",
        "--once",
        "--mode",
        "remediate",
        "--yes",
        "--poll-interval",
        "100ms",
        "--fix-timeout",
        "60s",
        "-o",
        "ndjson",
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn guard_killed_at_random_moments_fixes_every_starter_once_and_misses_none() {
    let sim = compressed(&small(41), 600.0, (60.0, 300.0)).await;
    let mut kills = KillPoints::seeded(0x6a4d);
    let mut tally = Tally::default();
    for trial in 0..TRIALS {
        sim.control_post("/_sim/reset", json!({})).await;
        sim.control_post("/_sim/unstick", json!({})).await;
        let journal = sim.path(&format!("guard-trial-{trial}.db"));
        let with_journal = || {
            let mut cmd = sim.mailfix();
            cmd.env("MAILFIX_JOURNAL", &journal);
            cmd
        };
        // The first cycle reads the tenant as it is (report: nothing is fixed).
        let first = run(with_journal().args(["guard", "--group", "All Staff", "--once"])).await;
        assert_eq!(first.status.code(), Some(3), "{}", stderr(&first));
        let hired = hire(
            &sim,
            json!({"count": HIRES, "defects": {"empty-mail": 0.5, "synced": 0.125, "no-mailbox": 0.125}}),
        )
        .await;
        let before = mailboxes(&sim);
        let seq = sim.sim.state.log.len() as u64;
        let kill = kills.draw(2 * 4, Duration::from_millis(1500));
        eprintln!("trial {trial}: kill {kill:?}");
        let killed_out = sim.path(&format!("guard-trial-{trial}.killed.ndjson"));
        let ended = kill_at(
            &sim,
            with_journal().args(guard_args()),
            &killed_out,
            kill,
            seq,
        )
        .await;
        let open = items_in_intent(&journal);
        eprintln!("trial {trial}: ended by itself {ended}, {open} items left in an intent");
        tally.record(!ended, open);
        let again = run(with_journal().args(guard_args())).await;
        assert!(
            matches!(again.status.code(), Some(0 | 3)),
            "trial {trial}: {}",
            stderr(&again)
        );
        let mut seen = events(&std::fs::read_to_string(&killed_out).unwrap_or_default());
        seen.extend(events(&String::from_utf8_lossy(&again.stdout)));
        check(&sim, trial, &hired, &before, &seen, seq);
    }
    tally.assert_meaningful();
}

/// Spawns guard with stdout to `out` and kills it at `kill`; whether it ended by itself first.
async fn kill_at(
    sim: &TestSim,
    cmd: &mut tokio::process::Command,
    out: &std::path::Path,
    kill: KillPoint,
    seq: u64,
) -> bool {
    let file = std::fs::File::create(out).unwrap();
    let mut child = cmd
        .stdout(Stdio::from(file))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    match kill {
        KillPoint::Delay(delay) => tokio::time::sleep(delay).await,
        KillPoint::Writes(n) => {
            for _ in 0..3000 {
                let writes = set_mailbox_ok(&sim.sim.state.log.since(seq));
                if writes >= n || child.try_wait().unwrap().is_some() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
    }
    let ended = child.try_wait().unwrap().is_some();
    let _ = child.start_kill();
    child.wait().await.unwrap();
    ended
}

fn check(
    sim: &TestSim,
    trial: usize,
    hired: &[Value],
    before: &crate::tenant::Mailboxes,
    seen: &[Value],
    seq: u64,
) {
    let upns = |labels: &[&str]| -> BTreeSet<String> {
        with_label(hired, labels)
            .iter()
            .map(|h| h["upn"].as_str().unwrap().to_ascii_lowercase())
            .collect()
    };
    let targets = upns(&["empty-mail"]);
    assert!(!targets.is_empty());
    // Every MF001 starter fixed, and every mailbox as it was after the hire (no alias left).
    assert_fixed_and_untouched(sim, before, &targets);
    // Nothing written twice; each target's alias added and removed.
    let log = sim.sim.state.log.since(seq);
    assert_written_once(&log, mailbox_changes, 2 * targets.len(), trial);
    // No change missed: every starter with a defect was reported by one of the runs.
    let reported: BTreeSet<String> = of_kind(seen, "finding")
        .iter()
        .map(|f| f["user"]["upn"].as_str().unwrap().to_ascii_lowercase())
        .collect();
    let defects = upns(&["empty-mail", "synced", "no-mailbox"]);
    let missed: Vec<&String> = defects.difference(&reported).collect();
    assert!(missed.is_empty(), "trial {trial}: not reported: {missed:?}");
}
