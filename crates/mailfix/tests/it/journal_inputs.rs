//! Journals mailfix cannot use: a damaged file is named with the way out, a directory gets a
//! hint, and the read-only commands (`runs`, `runs show`) and a resume with nothing to resume
//! never create or write a journal.

use mailfix_sim::scenario::small;

use crate::seed::{hr_tenant, seed_au};
use crate::support::{TestSim, run, stderr, stdout, write};

/// The writes the simulator logged (anything that changed the tenant).
async fn writes(sim: &TestSim) -> usize {
    let log = sim.control_get("/_sim/requests").await;
    log.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["write"] == true)
        .count()
}

fn assert_damaged(out: &std::process::Output, path: &std::path::Path, cause: &str) {
    let err = stderr(out);
    let shown = path.display().to_string();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("error: journal {shown} is damaged: {cause}")),
        "{err}"
    );
    assert!(
        err.contains(&format!("`mv {shown} {shown}.damaged`")),
        "{err}"
    );
    assert!(err.contains("mailfix cleanup --sweep --all-users"), "{err}");
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_named_with_the_way_out_and_left_alone() {
    let sim = TestSim::start(small(71)).await;
    let journal = sim.journal();
    let garbage = "# notes, not a journal\n".repeat(200);
    write(&journal, &garbage);
    for args in [
        &["runs"][..],
        &["runs", "show", "rabcde"][..],
        &["fix", "--all-users", "--yes"][..],
        &["cleanup", "--yes"][..],
    ] {
        let out = run(sim.mailfix().args(args)).await;
        assert_damaged(&out, &journal, "file is not a database");
    }
    assert_eq!(std::fs::read_to_string(&journal).unwrap(), garbage);
    assert_eq!(writes(&sim).await, 0);
}

#[tokio::test]
async fn a_journal_with_damaged_pages_is_named_with_the_way_out() {
    let sim = TestSim::start(hr_tenant()).await;
    let hr = sim.path("hr.csv");
    write(&hr, "upn,mobile\nanna@contoso.com,0412 345 678\n");
    let seeded = seed_au(&sim, &hr, &["-o", "json"]).await;
    assert_eq!(seeded.status.code(), Some(0), "{}", stderr(&seeded));
    let journal = sim.journal();
    let mut bytes = std::fs::read(&journal).unwrap();
    assert!(bytes.len() > 8192, "a journal of several pages");
    for b in &mut bytes[4096..] {
        *b = 0x5a;
    }
    std::fs::write(&journal, &bytes).unwrap();
    let out = run(sim.mailfix().args(["runs"])).await;
    assert_damaged(&out, &journal, "database disk image is malformed");
}

#[tokio::test]
async fn read_only_commands_write_nothing_into_an_empty_file() {
    let sim = TestSim::start(small(72)).await;
    let journal = sim.journal();
    write(&journal, "");
    let list = run(sim.mailfix().args(["runs", "-o", "json"])).await;
    assert_eq!(list.status.code(), Some(0), "{}", stderr(&list));
    assert_eq!(stdout(&list).trim(), "{\n  \"runs\": []\n}");
    let show = run(sim.mailfix().args(["runs", "show", "rabcde"])).await;
    assert_eq!(show.status.code(), Some(2));
    assert!(
        stderr(&show).contains("is empty (no runs recorded yet)"),
        "{}",
        stderr(&show)
    );
    assert_eq!(
        std::fs::metadata(&journal).unwrap().len(),
        0,
        "nothing written"
    );
}

#[tokio::test]
async fn a_resume_with_nothing_to_resume_creates_no_journal() {
    let sim = TestSim::start(hr_tenant()).await;
    let journal = sim.journal();
    let cases = [
        (
            &["fix", "--resume"][..],
            "no unfinished fix run in the journal",
        ),
        (
            &["fix", "--resume", "rzzzzz"][..],
            "no run rzzzzz in the journal",
        ),
        (
            &["seed", "--resume", "--yes"][..],
            "no unfinished seed run in the journal",
        ),
    ];
    for (args, message) in cases {
        let out = run(sim.mailfix().args(args)).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        assert!(!journal.exists(), "{args:?} created a journal");
    }
}

#[tokio::test]
async fn a_journal_path_that_is_a_directory_gets_a_hint() {
    let sim = TestSim::start(small(73)).await;
    let journal = sim.journal();
    std::fs::create_dir(&journal).unwrap();
    for args in [&["runs"][..], &["fix", "--all-users", "--yes"][..]] {
        let out = run(sim.mailfix().args(args)).await;
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(&format!(
                "journal {} is a directory, not a file",
                journal.display()
            )),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "hint: the journal setting (from env: --journal, MAILFIX_JOURNAL or journal in the config profile) names a directory; name a file in it, e.g. {}",
                journal.join("journal.db").display()
            )),
            "{err}"
        );
    }
    assert_eq!(writes(&sim).await, 0);
}
