//! The `cleanup` row of the crash matrix: `mailfix cleanup --sweep --all-users` is killed with
//! SIGKILL at random moments — after a random number of removals, or after a random share of the
//! time an uninterrupted run takes on this machine — and the same cleanup is run again. The
//! tenant holds the temporary aliases of `small` plus the original script's
//! `.forcemailwriteback@` alias on 30 more mailboxes (every third with an old mailfix alias
//! too, so that some items remove two addresses). Every trial must end with no temporary alias
//! on any mailbox and every other address exactly as before (read from the simulator).
//!
//! And nothing is written twice. A cleanup writes with `Set-Mailbox -EmailAddresses
//! @{Remove=a}`, one address per request. Written twice means: in one trial (the killed process
//! and the re-run together), two `Set-Mailbox` requests that the simulator answered 200 removed
//! the same address from the same mailbox. A re-run that re-sent a removal whose outcome it did
//! not know, instead of reading the mailbox first, shows up here even though Exchange accepts the
//! repeat.

use mailfix_engine::aliases::temp_alias_kind;
use mailfix_sim::scenario::{Scenario, small};
use serde_json::json;

use crate::cleanup::without_temporary_aliases;
use crate::support::crash::{
    KillPoints, Tally, assert_written_once, mailbox_changes, runs_left_running, start_and_kill,
    uninterrupted_run_time,
};
use crate::support::{TestSim, run, stderr};
use crate::tenant::{assert_mailboxes_unchanged, mailboxes, requests, set_mailbox_ok};

const TRIALS: usize = 20;
/// Healthy mailboxes given the original script's leftover alias.
const MORE_LEFTOVERS: usize = 30;

/// `small` with more leftover aliases.
fn scenario() -> Scenario {
    let mut scenario = small(43);
    let initial = "contoso.onmicrosoft.com";
    let healthy = scenario
        .users
        .iter_mut()
        .filter(|u| u.label == "healthy" && u.mailbox.is_some());
    for (n, user) in healthy.take(MORE_LEFTOVERS).enumerate() {
        let local = user.upn.split('@').next().unwrap().to_ascii_lowercase();
        let mailbox = user.mailbox.as_mut().unwrap();
        let script = format!("smtp:{local}.forcemailwriteback@{initial}");
        mailbox.extra_addresses.push(script);
        if n % 3 == 0 {
            let old = format!("smtp:{local}.mailfix-old{:03}@{initial}", n);
            mailbox.extra_addresses.push(old);
        }
    }
    scenario
}

#[tokio::test(flavor = "multi_thread")]
async fn cleanup_killed_at_random_moments_is_finished_by_running_it_again() {
    let sim = TestSim::start_with(scenario(), |o| o.exo_latency_ms = Some(30)).await;
    let args: Vec<String> = ["cleanup", "--sweep", "--all-users", "--yes"]
        .map(String::from)
        .into();
    let temporary = mailboxes(&sim)
        .values()
        .flatten()
        .filter(|a| temp_alias_kind(a).is_some())
        .count();
    assert!(temporary > MORE_LEFTOVERS, "{temporary} temporary aliases");
    let run_time = uninterrupted_run_time(&sim, &args, &[0]).await;
    let mut kills = KillPoints::seeded(0xc1ea);
    let mut tally = Tally::default();
    for trial in 0..TRIALS {
        let kill = kills.draw(temporary, run_time);
        sim.control_post("/_sim/reset", json!({})).await;
        let before = mailboxes(&sim);
        let (journal, open) = start_and_kill(&sim, trial, &args, kill, set_mailbox_ok).await;
        tally.record(runs_left_running(&journal) > 0, open);

        let again = run(sim.mailfix().env("MAILFIX_JOURNAL", &journal).args(&args)).await;

        assert_eq!(
            again.status.code(),
            Some(0),
            "trial {trial}: {}",
            stderr(&again)
        );
        assert_mailboxes_unchanged(&sim, &without_temporary_aliases(&before));
        assert_written_once(&requests(&sim, 0), mailbox_changes, temporary, trial);
    }
    tally.assert_meaningful();
}
