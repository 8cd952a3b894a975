//! The journal against real files: modes, migrations, refusal of newer schemas, the writer lock,
//! the intent/result protocol and what a crash leaves for resume and cleanup.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use mailfix_engine::UserRef;
use mailfix_engine::events::Command;
use mailfix_engine::journal::{
    EventKind, ItemKind, ItemState, Journal, LockHolder, NewItem, NewRun, Op, OpOutcome, RunStatus,
    SCHEMA_VERSION,
};
use rusqlite::Connection;
use tempfile::TempDir;

const SCHEMA_1: &str = include_str!("../../src/journal/migrations/0001_initial.sql");

fn db_path(dir: &TempDir) -> PathBuf {
    dir.path().join("state").join("mailfix").join("journal.db")
}

fn writer(path: &Path) -> Journal {
    Journal::open_write(path, LockHolder::current("fix")).expect("open journal for writing")
}

/// A clock the test moves by hand.
fn manual_clock(
    start: DateTime<Utc>,
) -> (Arc<Mutex<DateTime<Utc>>>, mailfix_engine::journal::Clock) {
    let now = Arc::new(Mutex::new(start));
    let read = Arc::clone(&now);
    (now, Arc::new(move || *read.lock().unwrap()))
}

fn fix_run() -> NewRun {
    NewRun {
        command: Command::Fix,
        options: serde_json::json!({"alias_template": "{alias}.mailfix-{run}@{domain}", "concurrency": 4}),
        tenant: Some("contoso.onmicrosoft.com".into()),
    }
}

fn alias_item(n: u32) -> NewItem {
    NewItem {
        user: UserRef::new(format!("id-{n}"), format!("user{n}@contoso.com")),
        kind: ItemKind::Alias,
        planned: format!("user{n}.mailfix-r0000{n}@contoso.onmicrosoft.com"),
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn new_journal_is_private_and_at_the_latest_schema() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let journal = writer(&path);
    let run = journal.begin_run(&fix_run()).unwrap();
    journal.add_items(&run.id, &[alias_item(1)]).unwrap();
    assert_eq!(journal.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(mode(&path), 0o600, "database file");
    assert_eq!(mode(path.parent().unwrap()), 0o700, "journal directory");
    let wal = path.with_file_name("journal.db-wal");
    assert!(wal.exists(), "WAL mode is on");
    assert_eq!(mode(&wal), 0o600, "WAL file");
    assert_eq!(
        mode(&mailfix_engine::journal::lock_path(&path)),
        0o600,
        "lock file"
    );
}

#[cfg(unix)]
#[test]
fn existing_world_readable_journal_is_tightened() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("journal.db");
    std::fs::write(&path, b"").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    drop(writer(&path));
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn migrates_a_schema_1_journal_and_keeps_its_data() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(SCHEMA_1).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO runs (id, command, started_at, status) VALUES
                 ('rold01', 'fix', '2024-05-01T10:00:00.000Z', 'finished');
             INSERT INTO items (run_id, user_id, upn, kind, planned, state, created_at, updated_at,
                                added_at, written_back_at) VALUES
                 ('rold01', 'id-1', 'a@contoso.com', 'alias', 'a.mailfix-rold01@c.com', 'written-back',
                  '2024-05-01T10:00:00.000Z', '2024-05-01T10:02:00.000Z',
                  '2024-05-01T10:00:30.000Z', '2024-05-01T10:02:00.500Z');",
        )
        .unwrap();
    }
    let journal = writer(&path);
    assert_eq!(journal.schema_version().unwrap(), SCHEMA_VERSION);
    let runs = journal.list_runs().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].id.as_str(), "rold01");
    let items = journal.items(&runs[0].id).unwrap();
    assert_eq!(
        items[0].latency,
        Some(Duration::from_millis(90_500)),
        "latency backfilled"
    );
}

#[test]
fn a_reader_writes_nothing_into_an_empty_file_and_a_writer_starts_a_journal_there() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("empty.db");
    std::fs::write(&path, b"").unwrap();
    let err = Journal::open_read(&path).unwrap_err();
    assert!(err.is_missing(), "{err}");
    assert!(err.to_string().contains("is empty"), "{err}");
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        0,
        "nothing written"
    );
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); DROP TABLE t;")
        .unwrap();
    assert!(Journal::open_read(&path).unwrap_err().is_missing());
    let journal = writer(&path);
    assert_eq!(journal.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(!journal.has_runs().unwrap());
}

#[test]
fn another_programs_database_is_refused_by_readers_and_writers() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("other.db");
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE unrelated (x);")
        .unwrap();
    let read = Journal::open_read(&path).unwrap_err();
    assert!(read.to_string().contains("not a mailfix journal"), "{read}");
    let write = Journal::open_write(&path, LockHolder::current("fix")).unwrap_err();
    assert!(
        write.to_string().contains("not a mailfix journal"),
        "{write}"
    );
    let conn = Connection::open(&path).unwrap();
    let tables: u32 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1, "no schema written into it");
}

#[test]
fn a_damaged_file_is_named_and_left_as_it_was() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("journal.db");
    let garbage = b"this is not an SQLite database, only some text of a few lines\n".repeat(100);
    std::fs::write(&path, &garbage).unwrap();
    let read = Journal::open_read(&path).unwrap_err();
    assert!(read.is_damaged(), "{read}");
    let message = read.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("file is not a database"), "{message}");
    let write = Journal::open_write(&path, LockHolder::current("fix")).unwrap_err();
    assert!(write.is_damaged(), "{write}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        garbage,
        "the file is untouched"
    );
}

#[test]
fn a_directory_is_not_a_journal_and_is_left_as_it_was() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("journal.db");
    std::fs::create_dir(&path).unwrap();
    let before = std::fs::metadata(&path).unwrap().permissions();
    for err in [
        Journal::open_read(&path).unwrap_err(),
        Journal::open_write(&path, LockHolder::current("fix")).unwrap_err(),
    ] {
        assert!(
            err.to_string().contains("is a directory, not a file"),
            "{err}"
        );
    }
    assert_eq!(std::fs::metadata(&path).unwrap().permissions(), before);
}

#[test]
fn refuses_a_journal_from_a_newer_mailfix() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("future.db");
    drop(writer(&path));
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let read = Journal::open_read(&path).unwrap_err();
    assert!(read.is_too_new(), "{read}");
    let write = Journal::open_write(&path, LockHolder::current("fix")).unwrap_err();
    assert!(write.is_too_new(), "{write}");
    let message = write.to_string();
    assert!(message.contains("newer than this mailfix"), "{message}");
    assert!(
        message.contains(&(SCHEMA_VERSION + 1).to_string()),
        "{message}"
    );
}

#[test]
fn reading_a_missing_journal_says_so() {
    let dir = TempDir::new().unwrap();
    let err = Journal::open_read(&dir.path().join("none.db")).unwrap_err();
    assert!(err.is_missing(), "{err}");
    assert!(
        !dir.path().join("none.db").exists(),
        "reading creates nothing"
    );
}

#[test]
fn second_writer_fails_at_once_naming_the_first() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let first = writer(&path);
    let run = first.begin_run(&fix_run()).unwrap();

    let started = Instant::now();
    let err = Journal::open_write(&path, LockHolder::current("cleanup")).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "no waiting for the lock"
    );
    assert!(err.is_locked(), "{err}");
    let holder = err.lock_holder().expect("the first writer recorded itself");
    assert_eq!(holder.pid, std::process::id());
    assert_eq!(holder.command, "fix");
    assert_eq!(holder.run.as_deref(), Some(run.id.as_str()));
    let message = err.to_string();
    assert!(
        message.contains(&format!("pid {}", std::process::id())),
        "{message}"
    );
    assert!(message.contains(run.id.as_str()), "{message}");

    // Readers are not blocked by the writer.
    let reader = Journal::open_read(&path).unwrap();
    assert_eq!(reader.list_runs().unwrap().len(), 1);
    assert!(
        reader.begin_run(&fix_run()).is_err(),
        "a read handle cannot write"
    );

    drop(first);
    let second = Journal::open_write(&path, LockHolder::current("cleanup")).unwrap();
    assert!(second.is_writer());
}

#[test]
fn intent_and_result_round_trip_with_timings() {
    let dir = TempDir::new().unwrap();
    let start = Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap();
    let (now, clock) = manual_clock(start);
    let journal = writer(&db_path(&dir)).with_clock(clock);
    let run = journal.begin_run(&fix_run()).unwrap();
    assert_eq!(run.status, RunStatus::Running);
    let ids = journal
        .add_items(&run.id, &[alias_item(1), alias_item(2)])
        .unwrap();
    let (a, b) = (ids[0], ids[1]);

    journal.record_intent(a, Op::Add, None).unwrap();
    assert_eq!(journal.item(a).unwrap().state, ItemState::AddIntent);
    *now.lock().unwrap() = start + chrono::Duration::seconds(1);
    journal
        .record_result(a, Op::Add, &OpOutcome::Succeeded)
        .unwrap();
    *now.lock().unwrap() = start + chrono::Duration::seconds(95);
    journal.mark(a, ItemState::WrittenBack, None).unwrap();
    journal.record_intent(a, Op::Remove, None).unwrap();
    journal
        .record_result(a, Op::Remove, &OpOutcome::Succeeded)
        .unwrap();
    journal.mark(a, ItemState::Verified, None).unwrap();

    journal.record_intent(b, Op::Add, None).unwrap();
    journal
        .record_result(b, Op::Add, &OpOutcome::Failed("mailbox not found".into()))
        .unwrap();

    let item_a = journal.item(a).unwrap();
    assert_eq!(item_a.state, ItemState::Verified);
    assert_eq!(item_a.added_at, Some(start + chrono::Duration::seconds(1)));
    assert_eq!(item_a.latency, Some(Duration::from_secs(94)));
    assert!(item_a.removed_at.is_some());
    let item_b = journal.item(b).unwrap();
    assert_eq!(item_b.state, ItemState::AddFailed);
    assert_eq!(item_b.reason.as_deref(), Some("mailbox not found"));

    let kinds: Vec<(EventKind, Option<Op>, ItemState)> = journal
        .item_events(a)
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.op, e.state))
        .collect();
    use EventKind::*;
    use ItemState::*;
    assert_eq!(
        kinds,
        [
            (State, None, Planned),
            (Intent, Some(Op::Add), AddIntent),
            (Result, Some(Op::Add), Added),
            (State, None, WrittenBack),
            (Intent, Some(Op::Remove), RemoveIntent),
            (Result, Some(Op::Remove), Removed),
            (State, None, Verified),
        ]
    );

    journal
        .finish_run(
            &run.id,
            RunStatus::Finished,
            &serde_json::json!({"fixed": 1, "failed": 1}),
        )
        .unwrap();
    let detail = journal.show_run(&run.id).unwrap();
    assert_eq!(detail.run.status, RunStatus::Finished);
    assert_eq!(
        detail.run.summary,
        Some(serde_json::json!({"fixed": 1, "failed": 1}))
    );
    assert_eq!(detail.run.options["concurrency"], 4);
    assert_eq!(detail.items.len(), 2);
    assert!(journal.latest_unfinished_run(None).unwrap().is_none());
}

#[test]
fn state_machine_violations_are_refused_and_change_nothing() {
    let dir = TempDir::new().unwrap();
    let journal = writer(&db_path(&dir));
    let run = journal.begin_run(&fix_run()).unwrap();
    let id = journal.add_items(&run.id, &[alias_item(1)]).unwrap()[0];
    let err = journal
        .record_result(id, Op::Add, &OpOutcome::Succeeded)
        .unwrap_err();
    assert!(
        err.to_string().contains("cannot go from planned to added"),
        "{err}"
    );
    assert_eq!(journal.item(id).unwrap().state, ItemState::Planned);
    assert_eq!(journal.item_events(id).unwrap().len(), 1);
}

#[test]
fn replan_gives_a_new_address_after_address_in_use() {
    let dir = TempDir::new().unwrap();
    let journal = writer(&db_path(&dir));
    let run = journal.begin_run(&fix_run()).unwrap();
    let id = journal.add_items(&run.id, &[alias_item(1)]).unwrap()[0];
    journal.record_intent(id, Op::Add, None).unwrap();
    journal
        .record_result(
            id,
            Op::Add,
            &OpOutcome::Failed("proxy address in use".into()),
        )
        .unwrap();
    journal
        .replan(
            id,
            "user1.mailfix-r00001-abc@contoso.onmicrosoft.com",
            "address in use",
        )
        .unwrap();
    let item = journal.item(id).unwrap();
    assert_eq!(item.state, ItemState::Planned);
    assert_eq!(
        item.planned,
        "user1.mailfix-r00001-abc@contoso.onmicrosoft.com"
    );
    journal.record_intent(id, Op::Add, None).unwrap();
}

#[test]
fn crash_leaves_intents_for_resume_and_aliases_for_cleanup() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let run = {
        let journal = writer(&path);
        let run = journal.begin_run(&fix_run()).unwrap();
        let ids = journal
            .add_items(
                &run.id,
                &[alias_item(1), alias_item(2), alias_item(3), alias_item(4)],
            )
            .unwrap();
        journal.record_intent(ids[0], Op::Add, None).unwrap(); // the process dies during this call
        journal.record_intent(ids[1], Op::Add, None).unwrap();
        journal
            .record_result(ids[1], Op::Add, &OpOutcome::Succeeded)
            .unwrap();
        journal.record_intent(ids[2], Op::Add, None).unwrap();
        journal
            .record_result(ids[2], Op::Add, &OpOutcome::Succeeded)
            .unwrap();
        journal.mark(ids[2], ItemState::WrittenBack, None).unwrap();
        journal.record_intent(ids[2], Op::Remove, None).unwrap(); // and during this one
        run.id
        // dropped without finish_run: what a crash leaves (every call above is committed)
    };

    let journal = writer(&path);
    let unfinished = journal
        .latest_unfinished_run(Some(Command::Fix))
        .unwrap()
        .unwrap();
    assert_eq!(unfinished.id, run);
    assert_eq!(unfinished.status, RunStatus::Running);
    assert!(
        journal
            .latest_unfinished_run(Some(Command::Seed))
            .unwrap()
            .is_none()
    );

    let upns = |items: Vec<mailfix_engine::journal::ItemRecord>| -> Vec<String> {
        items.into_iter().map(|i| i.user.upn).collect()
    };
    assert_eq!(
        upns(journal.items_in_intent(&run).unwrap()),
        ["user1@contoso.com", "user3@contoso.com"]
    );
    assert_eq!(
        upns(journal.items_to_clean(None).unwrap()),
        [
            "user1@contoso.com",
            "user2@contoso.com",
            "user3@contoso.com"
        ],
        "an add of unknown outcome may have landed; the planned item 4 never was sent"
    );
    let resumed = journal.resume_run(&run).unwrap();
    assert_eq!(resumed.status, RunStatus::Running);
}

#[test]
fn cleanup_run_acts_on_an_older_runs_items() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let (fix, id) = {
        let journal = writer(&path);
        let run = journal.begin_run(&fix_run()).unwrap();
        let id = journal.add_items(&run.id, &[alias_item(1)]).unwrap()[0];
        journal.record_intent(id, Op::Add, None).unwrap();
        journal
            .record_result(id, Op::Add, &OpOutcome::Succeeded)
            .unwrap();
        journal.mark(id, ItemState::Stuck, Some("timeout")).unwrap();
        journal
            .finish_run(&run.id, RunStatus::Finished, &serde_json::json!({}))
            .unwrap();
        (run.id, id)
    };
    let journal = Journal::open_write(&path, LockHolder::current("cleanup")).unwrap();
    let cleanup = journal
        .begin_run(&NewRun {
            command: Command::Cleanup,
            options: serde_json::json!({}),
            tenant: None,
        })
        .unwrap();
    assert_eq!(journal.items_to_clean(Some(&fix)).unwrap().len(), 1);
    journal.record_intent(id, Op::Remove, None).unwrap();
    journal
        .record_result(id, Op::Remove, &OpOutcome::Succeeded)
        .unwrap();
    assert!(journal.items_to_clean(None).unwrap().is_empty());
    let events = journal.item_events(id).unwrap();
    assert_eq!(
        events.last().unwrap().run,
        cleanup.id,
        "the acting run is recorded"
    );
    assert_eq!(events[0].run, fix);
    assert_eq!(journal.list_runs().unwrap().len(), 2);
}

#[test]
fn events_are_append_only() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let journal = writer(&path);
    let run = journal.begin_run(&fix_run()).unwrap();
    journal.add_items(&run.id, &[alias_item(1)]).unwrap();
    let conn = Connection::open(&path).unwrap();
    let update = conn
        .execute("UPDATE events SET detail = 'x'", [])
        .unwrap_err();
    assert!(update.to_string().contains("append-only"), "{update}");
    assert!(conn.execute("DELETE FROM events", []).is_err());
}

#[test]
fn secret_looking_options_are_never_stored() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let journal = writer(&path);
    let run = journal
        .begin_run(&NewRun {
            command: Command::Fix,
            options: serde_json::json!({
                "client_id": "app-1",
                "auth": {"client_secret": "s3cr3t-value", "certificate_password": "pw-value"},
                "concurrency": 4
            }),
            tenant: None,
        })
        .unwrap();
    let stored = journal.run(&run.id).unwrap().unwrap().options;
    assert_eq!(stored["client_id"], "app-1");
    assert_eq!(stored["auth"]["client_secret"], "(redacted)");
    drop(journal);
    let bytes = std::fs::read(&path).unwrap();
    let wal = std::fs::read(path.with_file_name("journal.db-wal")).unwrap_or_default();
    for secret in ["s3cr3t-value", "pw-value"] {
        let found = |hay: &[u8]| hay.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(
            !found(&bytes) && !found(&wal),
            "{secret} reached the journal files"
        );
    }
}

#[test]
fn run_detail_has_latency_statistics_and_state_counts() {
    let dir = TempDir::new().unwrap();
    let start = Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap();
    let (now, clock) = manual_clock(start);
    let journal = writer(&db_path(&dir)).with_clock(clock);
    let run = journal.begin_run(&fix_run()).unwrap();
    let ids = journal
        .add_items(&run.id, &[alias_item(1), alias_item(2), alias_item(3)])
        .unwrap();
    for (n, id) in ids.iter().take(2).enumerate() {
        *now.lock().unwrap() = start;
        journal.record_intent(*id, Op::Add, None).unwrap();
        journal
            .record_result(*id, Op::Add, &OpOutcome::Succeeded)
            .unwrap();
        *now.lock().unwrap() = start + chrono::Duration::seconds(60 * (n as i64 + 1));
        journal.mark(*id, ItemState::WrittenBack, None).unwrap();
    }
    let detail = journal.show_run(&run.id).unwrap();
    let latency = detail.latency().unwrap();
    assert_eq!(
        (latency.p50, latency.max),
        (Duration::from_secs(60), Duration::from_secs(120))
    );
    assert_eq!(detail.counts()[&ItemState::WrittenBack], 2);
    assert_eq!(detail.counts()[&ItemState::Planned], 1);
}

#[test]
fn a_run_can_be_begun_under_an_id_drawn_beforehand_once() {
    let dir = TempDir::new().unwrap();
    let journal = writer(&db_path(&dir));
    let id = journal.unused_run_id().unwrap();
    let run = journal.begin_run_as(&id, &fix_run()).unwrap();
    assert_eq!(run.id, id);
    assert_eq!(run.status, RunStatus::Running);
    let again = journal.begin_run_as(&id, &fix_run()).unwrap_err();
    assert!(
        again
            .to_string()
            .contains(&format!("already has a run {id}")),
        "{again}"
    );
    assert_ne!(journal.unused_run_id().unwrap(), id);
}

#[test]
fn incomplete_runs_are_resumable_and_found_items_are_cleaned() {
    let dir = TempDir::new().unwrap();
    let journal = writer(&db_path(&dir));
    let fix = journal.begin_run(&fix_run()).unwrap();
    journal
        .finish_run(&fix.id, RunStatus::Incomplete, &serde_json::json!({}))
        .unwrap();
    let latest = journal.latest_unfinished_run(Some(Command::Fix)).unwrap();
    assert_eq!(
        latest.map(|r| (r.id, r.status)),
        Some((fix.id.clone(), RunStatus::Incomplete))
    );

    let cleanup = NewRun {
        command: Command::Cleanup,
        options: serde_json::json!({"sweep": true}),
        tenant: None,
    };
    let sweep = journal.begin_run(&cleanup).unwrap();
    let ids = journal
        .add_found_items(
            &sweep.id,
            &[alias_item(1), alias_item(2)],
            "found by cleanup --sweep",
        )
        .unwrap();
    let found = journal.item(ids[0]).unwrap();
    assert_eq!(found.state, ItemState::Added);
    assert_eq!(found.reason.as_deref(), Some("found by cleanup --sweep"));
    let to_clean: Vec<_> = journal
        .items_to_clean(Some(&sweep.id))
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(
        to_clean, ids,
        "an interrupted sweep is finished by the next cleanup"
    );
    journal.record_intent(ids[0], Op::Remove, None).unwrap();
    journal
        .record_result(ids[0], Op::Remove, &OpOutcome::Succeeded)
        .unwrap();
}
