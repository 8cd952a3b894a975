//! The `seed` row of the crash matrix: `mailfix seed` is killed with SIGKILL at random moments —
//! after a random number of method creations, or after a random share of the time an
//! uninterrupted run takes on this machine — and `seed --resume`
//! then finishes the run (a new `seed` when the kill came before the run was journaled). Every
//! trial must end with each user of the file holding the file's mobile and email where it had
//! none, and its own where it had one (read from the simulator).
//!
//! And nothing is written twice. A seed writes with `POST /users/{id}/authentication/phoneMethods`
//! (one `phoneType` per request) and `POST …/emailMethods`; a user holds at most one method of each
//! type. Written twice means: in one trial (the killed process and its resume together), two
//! create requests for the same user and the same method type reached the service (were neither
//! throttled nor answered by an injected fault), whatever it answered — a repeat would be refused
//! as a conflict, so its status cannot be the test. A resume that re-sent a create whose outcome
//! it did not know, instead of reading the user's methods first, shows up here.

use mailfix_sim::log::LogEntry;
use serde_json::json;

use crate::seed_resume::{assert_seeded_from_the_file, hr_file_of, missing_methods};
use crate::support::crash::{
    Finish, Finished, KillPoints, Tally, assert_written_once, method_create, start_and_kill,
    uninterrupted_run_time,
};
use crate::support::{TestSim, write};

const TRIALS: usize = 20;
/// Users in the HR file (the first of `small`).
const USERS: usize = 40;

fn creates(log: &[LogEntry]) -> usize {
    log.iter().filter(|e| !method_create(e).is_empty()).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn seed_killed_at_random_moments_is_finished_by_resume_without_sending_twice() {
    let scenario = mailfix_sim::scenario::small(5);
    let users = &scenario.users[..USERS];
    let expected = missing_methods(users);
    let sim = TestSim::start_with(scenario.clone(), |o| o.graph_latency_ms = Some(60)).await;
    let file = sim.path("hr.csv");
    write(&file, &hr_file_of(users));
    let mut fresh = vec!["seed".to_owned(), file.to_str().unwrap().to_owned()];
    fresh.extend(["--default-region", "AU", "--yes"].map(String::from));
    let finish = Finish {
        resume: &["seed", "--resume", "--yes"],
        nothing_to_resume: "no unfinished seed run",
        fresh: &fresh,
        ok: &[0, 4],
        writes: creates,
    };
    let run_time = uninterrupted_run_time(&sim, &fresh, &[4]).await;
    let mut kills = KillPoints::seeded(0x5eed_5eed);
    let mut tally = Tally::default();
    for trial in 0..TRIALS {
        let kill = kills.draw(expected, run_time);
        sim.control_post("/_sim/reset", json!({})).await;
        let (journal, open) = start_and_kill(&sim, trial, &fresh, kill, creates).await;
        let how = finish.run(&sim, &journal, trial).await;
        eprintln!("trial {trial}: {how:?}");
        tally.record(how == Finished::Resumed, open);
        assert_seeded_from_the_file(&sim, users).await;
        let log = sim.sim.state.log.since(0);
        assert_written_once(&log, method_create, expected, trial);
    }
    tally.assert_meaningful();
}
