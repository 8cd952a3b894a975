//! Bad input to `fix`, `cleanup` and `runs` (the rows of TESTING.md's "fix / cleanup / runs"
//! section): each is refused with its exit code and a message that says what to do, and none of
//! them changes anything in the tenant.

use mailfix_engine::journal::{Journal, LockHolder};
use mailfix_sim::scenario::small;

use crate::support::{TestSim, run, stderr, stdout};
use crate::tenant::writes;

/// (arguments, exit code, a fragment of stderr).
const REFUSED: &[(&[&str], i32, &str)] = &[
    (&["fix"], 2, "fix needs to know whom to fix"),
    (
        &["fix", "--all-users", "--poll-interval", "soon"],
        2,
        "invalid --poll-interval",
    ),
    (
        &["fix", "--all-users", "--timeout", "0s"],
        2,
        "--timeout must be longer than 0s",
    ),
    (
        &["fix", "--all-users", "--concurrency", "0"],
        2,
        "--concurrency must be between 1 and 50",
    ),
    (
        &["cleanup", "--concurrency", "51"],
        2,
        "--concurrency must be between 1 and 50",
    ),
    (
        &["fix", "--all-users", "--on-timeout", "later"],
        2,
        "invalid value 'later'",
    ),
    (
        &["fix", "--all-users", "--alias-template", "{alias}@{domain}"],
        2,
        "invalid --alias-template",
    ),
    (
        &[
            "fix",
            "--all-users",
            "--alias-template",
            "{alias} x.mailfix-{run}@{domain}",
        ],
        2,
        "alias template '{alias} x.mailfix-{run}@{domain}' holds a space",
    ),
    (
        &["fix", "--all-users", "--dry-run", "--max-changes", "0"],
        2,
        "more than --max-changes 0",
    ),
    (
        &[
            "cleanup",
            "--sweep",
            "--all-users",
            "--dry-run",
            "--max-changes",
            "0",
        ],
        2,
        "more than --max-changes 0",
    ),
    (
        &[
            "fix",
            "--all-users",
            "--dry-run",
            "--alias-domain",
            "contoso-legacy.com",
        ],
        2,
        "'contoso-legacy.com' is not an accepted domain",
    ),
    (
        &["fix", "--group", "No Such Group", "--dry-run"],
        2,
        "no group named or with id 'No Such Group'",
    ),
    (&["fix", "--all-users"], 2, "stdin is not a terminal"),
    (
        &["fix", "--all-users", "--yes", "--max-changes", "2"],
        2,
        "more than --max-changes 2",
    ),
    (&["fix", "--resume"], 2, "no unfinished fix run"),
    (
        &["fix", "--resume", "rzzzzz"],
        2,
        "no run rzzzzz in the journal",
    ),
    (
        &["fix", "--resume", "last-week"],
        2,
        "'last-week' is not a run id",
    ),
    (
        &["fix", "--resume", "--all-users"],
        2,
        "a scope cannot be given with it",
    ),
    (
        &["fix", "--resume", "--dry-run"],
        2,
        "--dry-run cannot be given with it",
    ),
    (&["cleanup", "--sweep"], 2, "--sweep needs a scope"),
    (
        &["cleanup", "--all-users"],
        2,
        "a scope only says where --sweep searches",
    ),
    (
        &["cleanup", "--run", "rzzzzz", "--dry-run"],
        2,
        "no run rzzzzz in the journal",
    ),
    (&["cleanup", "--run", "yesterday"], 2, "invalid --run"),
    (
        &["cleanup", "--sweep", "--all-users"],
        2,
        "stdin is not a terminal",
    ),
    (
        &[
            "cleanup",
            "--sweep",
            "--all-users",
            "--yes",
            "--max-changes",
            "1",
        ],
        2,
        "more than --max-changes 1",
    ),
    (
        &["runs", "show", "rzzzzz"],
        2,
        "no run rzzzzz in the journal",
    ),
    (&["runs", "show", "latest"], 2, "'latest' is not a run id"),
];

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_with_a_clear_message_and_changes_nothing() {
    let sim = TestSim::start(small(61)).await;
    // An empty journal, so that run ids are looked up (and not found) in a real one.
    drop(Journal::open_write(&sim.journal(), LockHolder::current("test")).unwrap());
    for (args, code, message) in REFUSED {
        let out = run(sim.mailfix().args(*args)).await;
        assert_eq!(out.status.code(), Some(*code), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("probe"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(stdout(&out), "", "{args:?}: a refusal prints no data");
    }
    assert_eq!(writes(&sim).len(), 0, "no bad input wrote anything");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_journal_runs_lists_nothing_and_show_says_there_is_none() {
    let sim = TestSim::start(small(62)).await;
    let list = run(sim.mailfix().args(["runs"])).await;
    assert_eq!(list.status.code(), Some(0), "{}", stderr(&list));
    assert_eq!(stdout(&list).trim(), "{\n  \"runs\": []\n}");
    let show = run(sim.mailfix().args(["runs", "show", "rzzzzz"])).await;
    assert_eq!(show.status.code(), Some(2));
    assert!(stderr(&show).contains("no journal at"), "{}", stderr(&show));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_locked_journal_refuses_fix_and_cleanup_but_not_a_dry_run() {
    let sim = TestSim::start(small(63)).await;
    let holder = LockHolder::current("seed");
    let _lock = Journal::open_write(&sim.journal(), holder).unwrap();
    for args in [
        &["fix", "--all-users", "--yes"][..],
        &["cleanup", "--yes"][..],
    ] {
        let out = run(sim.mailfix().args(args)).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let message = stderr(&out);
        assert!(
            message.contains(&format!("in use by pid {} (seed", std::process::id())),
            "{message}"
        );
    }
    let dry = run(sim.mailfix().args(["fix", "--all-users", "--dry-run"])).await;
    assert_eq!(dry.status.code(), Some(0), "{}", stderr(&dry));
    assert_eq!(writes(&sim).len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_poll_interval_has_a_floor_that_scales_with_the_reports_window() {
    // Real time: the reports window is the services' 10 s and the floor their 5 s.
    let sim = TestSim::start(small(64)).await;
    let dry = ["fix", "--all-users", "--dry-run", "--poll-interval"];
    for args in [&dry[..], &["fix", "--resume", "--poll-interval"]] {
        let out = run(sim.mailfix().args(args).arg("1ms")).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let message = stderr(&out);
        assert!(
            message.contains("--poll-interval 1ms is shorter than the floor of 5s"),
            "{message}"
        );
        assert!(
            message.contains("use --poll-interval 5s or more"),
            "{message}"
        );
    }
    assert!(
        crate::tenant::requests(&sim, 0).is_empty(),
        "refused before any request"
    );
    // A clock 100 times faster is told a window of 100 ms: the floor is 50 ms.
    let fast = |interval: &str| {
        let mut cmd = sim.mailfix();
        cmd.env("MAILFIX_REPORTS_WINDOW", "100ms")
            .args(dry)
            .arg(interval);
        cmd
    };
    let out = run(&mut fast("20ms")).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "shorter than the floor of 50ms (5s of the service's time at the reports window of \
             100ms from env)"
        ),
        "{}",
        stderr(&out)
    );
    let out = run(&mut fast("60ms")).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_alias_template_problem_is_found_before_the_scope_is_read() {
    let sim = TestSim::start(small(65)).await;
    let args = [
        "fix",
        "--group",
        "All Staff",
        "--dry-run",
        "--alias-template",
        "{alias}..mailfix-{run}@{domain}",
    ];
    let out = run(sim.mailfix().args(args)).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("two in a row"), "{}", stderr(&out));
    assert!(
        crate::tenant::requests(&sim, 0).is_empty(),
        "no request: the template is checked first"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn durations_take_a_decimal_fraction() {
    let sim = TestSim::start(small(66)).await;
    let args = [
        "fix",
        "--all-users",
        "--dry-run",
        "--timeout",
        "1.5m",
        "--poll-interval",
        "7.5s",
    ];
    let out = run(sim.mailfix().args(args)).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(sim
        .mailfix()
        .args(["fix", "--all-users", "--dry-run", "--timeout", "1.5"]))
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("duration '1.5' has no unit: write e.g. 1.5s, 1.5m"),
        "{}",
        stderr(&out)
    );
}
