//! Crash trials shared by the crash-matrix tests (`fix_crash`, `seed_crash`, `cleanup_crash`):
//! start a write command, kill it with SIGKILL at a random moment — after a random number of
//! writes the simulator has processed, or after a random delay — and then look at what it left:
//! journal items in an intent, runs journaled, and writes the simulator processed twice. Kill
//! points come from a seeded generator and are printed per trial, so a failing trial can be
//! replayed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use mailfix_engine::journal::Journal;
use mailfix_sim::log::LogEntry;
use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng as _};
use serde_json::Value;

use crate::support::{TestSim, run};

/// When a trial kills the command.
#[derive(Clone, Copy, Debug)]
pub enum KillPoint {
    /// Once the simulator has processed this many of the command's writes.
    Writes(usize),
    /// After this long.
    Delay(Duration),
}

/// The seeded kill points of a crash matrix.
pub struct KillPoints(StdRng);

impl KillPoints {
    /// Kill points drawn from `seed`.
    pub fn seeded(seed: u64) -> Self {
        Self(StdRng::seed_from_u64(seed))
    }

    /// Half the trials after 1 to `max_writes` writes, half after 0 to `max_delay`.
    pub fn draw(&mut self, max_writes: usize, max_delay: Duration) -> KillPoint {
        let rng = &mut self.0;
        if rng.random_bool(0.5) {
            KillPoint::Writes(rng.random_range(1..=max_writes))
        } else {
            let ms = u64::try_from(max_delay.as_millis()).unwrap();
            KillPoint::Delay(Duration::from_millis(rng.random_range(0..ms)))
        }
    }
}

/// How long an uninterrupted run of `args` takes here, ending with one of the exit codes `ok`
/// (the window random delays are drawn from: machines differ in speed and load).
pub async fn uninterrupted_run_time(sim: &TestSim, args: &[String], ok: &[i32]) -> Duration {
    let started = std::time::Instant::now();
    let journal = sim.path("uninterrupted.db");
    let out = run(sim.mailfix().env("MAILFIX_JOURNAL", journal).args(args)).await;
    let code = out.status.code().unwrap_or(-1);
    assert!(
        ok.contains(&code),
        "{code}: {}",
        crate::support::stderr(&out)
    );
    started.elapsed()
}

/// Starts trial `trial`: runs `mailfix ARGS` with the trial's own journal and kills it at `kill`
/// (`writes` counts the command's writes in the request log). Returns the journal and how many
/// of its items the kill left in an intent.
#[allow(
    clippy::print_stderr,
    reason = "the kill point printed with the test's output lets a failed trial be replayed"
)]
pub async fn start_and_kill(
    sim: &TestSim,
    trial: usize,
    args: &[String],
    kill: KillPoint,
    writes: fn(&[LogEntry]) -> usize,
) -> (PathBuf, usize) {
    eprintln!("trial {trial}: kill {kill:?}");
    let journal = sim.path(&format!("trial-{trial}.db"));
    let mut cmd = sim.mailfix();
    cmd.env("MAILFIX_JOURNAL", &journal).args(args);
    kill_at(sim, &mut cmd, kill, writes).await;
    let open = items_in_intent(&journal);
    eprintln!("trial {trial}: {open} items left in an intent");
    (journal, open)
}

/// What the trials of a crash matrix saw, to check that they tested something.
#[derive(Debug, Default)]
pub struct Tally {
    trials: usize,
    interrupted: usize,
    intents: usize,
}

impl Tally {
    /// Records a trial: whether its kill interrupted a run, and how many items it left in an
    /// intent.
    pub fn record(&mut self, interrupted: bool, intents: usize) {
        self.trials += 1;
        self.interrupted += usize::from(interrupted);
        self.intents += intents;
    }

    /// Asserts that most kills interrupted a run and some came in the middle of a write.
    pub fn assert_meaningful(&self) {
        assert!(
            self.interrupted >= self.trials / 2,
            "most kills interrupt a run: {self:?}"
        );
        assert!(
            self.intents > 0,
            "some kills leave writes of unknown outcome: {self:?}"
        );
    }
}

/// Spawns `cmd` (output discarded) and kills it with SIGKILL at `kill`, unless it ended before;
/// `writes` counts the command's writes in the simulator's request log.
pub async fn kill_at(
    sim: &TestSim,
    cmd: &mut tokio::process::Command,
    kill: KillPoint,
    writes: impl Fn(&[LogEntry]) -> usize,
) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    match kill {
        KillPoint::Delay(delay) => tokio::time::sleep(delay).await,
        KillPoint::Writes(n) => {
            for _ in 0..3000 {
                if writes(&sim.sim.state.log.since(0)) >= n || child.try_wait().unwrap().is_some() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
    }
    let _ = child.start_kill();
    child.wait().await.unwrap();
}

/// Items of the journal's runs whose last state is an intent (the kill came mid-write).
pub fn items_in_intent(journal: &Path) -> usize {
    let Ok(journal) = Journal::open_read(journal) else {
        return 0;
    };
    let runs = journal.list_runs().unwrap();
    runs.iter()
        .map(|run| journal.items_in_intent(&run.id).unwrap().len())
        .sum()
}

/// Runs of the journal that a kill left running (neither finished nor stopped cleanly).
pub fn runs_left_running(journal: &Path) -> usize {
    let Ok(journal) = Journal::open_read(journal) else {
        return 0;
    };
    let runs = journal.list_runs().unwrap();
    runs.iter()
        .filter(|run| run.status == mailfix_engine::journal::RunStatus::Running)
        .count()
}

/// Whether `mailfix runs` lists any run in `journal`.
pub async fn any_run_journaled(sim: &TestSim, journal: &Path) -> bool {
    let runs = run(sim.mailfix().env("MAILFIX_JOURNAL", journal).args(["runs"])).await;
    let runs: Value = serde_json::from_slice(&runs.stdout).unwrap();
    runs["runs"].as_array().is_some_and(|r| !r.is_empty())
}

/// Whether the service processed the request: neither the throttle nor an injected fault
/// answered in its place (a reset or a truncated answer comes after the route ran).
pub fn processed(entry: &LogEntry) -> bool {
    !entry.throttled
        && entry
            .fault
            .as_deref()
            .is_none_or(|f| f == "reset" || f == "truncated")
}

/// The address changes of a `Set-Mailbox` request that succeeded (answered 200), as
/// `add smtp:…` / `remove smtp:…` (lowercase); nothing for any other request.
pub fn mailbox_changes(entry: &LogEntry) -> Vec<String> {
    if entry.operation.as_deref() != Some("Set-Mailbox") || entry.status != 200 {
        return Vec::new();
    }
    let body: Value = serde_json::from_str(entry.body.as_deref().unwrap_or("{}")).unwrap();
    let table = &body["CmdletInput"]["Parameters"]["EmailAddresses"];
    let mut changes = Vec::new();
    for (key, verb) in [("Add", "add"), ("Remove", "remove")] {
        let values = match &table[key] {
            Value::String(one) => vec![one.clone()],
            Value::Array(many) => many
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        changes.extend(
            values
                .into_iter()
                .map(|v| format!("{verb} {}", v.to_ascii_lowercase())),
        );
    }
    changes
}

/// The authentication method a processed create request asked for, as `{path} {type}` (the path
/// names the user; the type is the `phoneType`, or `email`); nothing for any other request.
pub fn method_create(entry: &LogEntry) -> Vec<String> {
    let path = entry.path.to_ascii_lowercase();
    if entry.method != "POST" || !processed(entry) {
        return Vec::new();
    }
    let body: Value =
        serde_json::from_str(entry.body.as_deref().unwrap_or("{}")).unwrap_or_default();
    if path.ends_with("/authentication/phonemethods") {
        let kind = body["phoneType"]
            .as_str()
            .unwrap_or("?")
            .to_ascii_lowercase();
        vec![format!("{path} {kind}")]
    } else if path.ends_with("/authentication/emailmethods") {
        vec![format!("{path} email")]
    } else {
        Vec::new()
    }
}

/// Asserts that none of the changes `of` finds in `entries` was asked for by two requests, and
/// that it finds at least `at_least` distinct ones (so that the check cannot pass by reading
/// nothing).
pub fn assert_written_once(
    entries: &[LogEntry],
    of: impl Fn(&LogEntry) -> Vec<String>,
    at_least: usize,
    trial: usize,
) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for change in entries.iter().flat_map(of) {
        *counts.entry(change).or_default() += 1;
    }
    assert!(
        counts.len() >= at_least,
        "trial {trial}: at least {at_least} writes expected: {counts:?}"
    );
    counts.retain(|_, n| *n > 1);
    assert!(
        counts.is_empty(),
        "trial {trial}: written twice: {counts:?}"
    );
}

/// How a trial's work was finished after the kill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finished {
    /// The resume took the killed run up.
    Resumed,
    /// The run had ended before the kill.
    AlreadyDone,
    /// The kill came before the run was journaled; a new run did the work.
    Fresh,
}

/// How a killed trial is finished: the resume, or a new run when the kill came before any run was
/// journaled (then nothing may have been written).
pub struct Finish<'a> {
    /// The resume's arguments (`fix --resume …`).
    pub resume: &'a [&'a str],
    /// What the resume says (exit 2) when the journal holds nothing to resume.
    pub nothing_to_resume: &'a str,
    /// A new run's arguments.
    pub fresh: &'a [String],
    /// The exit codes a finished run may end with.
    pub ok: &'a [i32],
    /// Counts the command's writes in the simulator's request log.
    pub writes: fn(&[LogEntry]) -> usize,
}

impl Finish<'_> {
    /// Finishes trial `trial` whose journal is `journal`.
    pub async fn run(&self, sim: &TestSim, journal: &Path, trial: usize) -> Finished {
        let with_journal = || {
            let mut cmd = sim.mailfix();
            cmd.env("MAILFIX_JOURNAL", journal);
            cmd
        };
        let out = run(with_journal().args(self.resume)).await;
        let err = crate::support::stderr(&out);
        match out.status.code() {
            Some(code) if self.ok.contains(&code) => return Finished::Resumed,
            Some(2) if err.contains(self.nothing_to_resume) => {}
            code => panic!("trial {trial}: resume ended with {code:?}: {err}"),
        }
        if any_run_journaled(sim, journal).await {
            return Finished::AlreadyDone;
        }
        let written = (self.writes)(&sim.sim.state.log.since(0));
        assert_eq!(
            written, 0,
            "trial {trial}: no run was journaled, so nothing may have been written"
        );
        let fresh = run(with_journal().args(self.fresh)).await;
        let code = fresh.status.code().unwrap_or(-1);
        assert!(
            self.ok.contains(&code),
            "trial {trial}: {code}: {}",
            crate::support::stderr(&fresh)
        );
        Finished::Fresh
    }
}
