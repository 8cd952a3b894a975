//! The journal as async code uses it (`Journal::submit`: off the runtime, concurrent work grouped
//! into shared commits, each caller resuming only once its work is on disk), what `verified`
//! and `withdrawn` promise, and the upgrade of a schema-2 journal that called unfixed items
//! `verified`.

use std::path::Path;

use mailfix_engine::UserRef;
use mailfix_engine::events::Command;
use mailfix_engine::journal::{
    ItemKind, ItemState, Journal, LockHolder, NewItem, NewRun, Op, OpOutcome, RunStatus,
    SCHEMA_VERSION,
};
use rusqlite::Connection;
use tempfile::TempDir;

const SCHEMA_1: &str = include_str!("../../src/journal/migrations/0001_initial.sql");
const SCHEMA_2: &str = include_str!("../../src/journal/migrations/0002_item_latency.sql");

fn writer(path: &Path) -> Journal {
    Journal::open_write(path, LockHolder::current("fix")).expect("open journal for writing")
}

fn items(n: usize) -> Vec<NewItem> {
    (0..n)
        .map(|i| NewItem {
            user: UserRef::new(format!("id-{i}"), format!("user{i}@contoso.com")),
            kind: ItemKind::Alias,
            planned: format!("user{i}.mailfix-r00001@contoso.onmicrosoft.com"),
        })
        .collect()
}

fn fix_run() -> NewRun {
    NewRun {
        command: Command::Fix,
        options: serde_json::json!({}),
        tenant: None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_intents_share_commits_and_are_on_disk_when_their_callers_resume() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("journal.db");
    let journal = writer(&path);
    let (run, ids) = journal
        .submit(|j| {
            let run = j.begin_run(&fix_run())?;
            let ids = j.add_items(&run.id, &items(200))?;
            Ok((run, ids))
        })
        .await
        .unwrap();
    let before = journal.commit_stats();
    let intents = ids.iter().map(|id| {
        let (id, journal) = (*id, &journal);
        async move {
            journal
                .submit(move |j| j.record_intent(id, Op::Add, Some("planned")))
                .await
        }
    });
    for intent in futures::future::join_all(intents).await {
        intent.unwrap();
    }
    let after = journal.commit_stats();
    assert_eq!(after.pieces - before.pieces, 200);
    assert!(
        after.commits - before.commits < 200,
        "200 intents made at once share commits: {before:?} -> {after:?}"
    );
    // Another connection sees every intent: they were committed before their callers resumed.
    let reader = Journal::open_read(&path).unwrap();
    let states: Vec<ItemState> = reader
        .items(&run.id)
        .unwrap()
        .iter()
        .map(|i| i.state)
        .collect();
    assert_eq!(states, vec![ItemState::AddIntent; 200]);
}

#[tokio::test(flavor = "multi_thread")]
async fn work_that_fails_is_rolled_back_alone_and_its_caller_told() {
    let dir = TempDir::new().unwrap();
    let journal = writer(&dir.path().join("journal.db"));
    let ids = journal
        .submit(|j| {
            let run = j.begin_run(&fix_run())?;
            j.add_items(&run.id, &items(2))
        })
        .await
        .unwrap();
    let (a, b) = (ids[0], ids[1]);
    let failing = journal.submit(move |j| {
        j.record_intent(a, Op::Add, None)?;
        // Not allowed: an alias is not verified right after its add intent.
        j.mark(a, ItemState::Verified, None)
    });
    let fine = journal.submit(move |j| j.record_intent(b, Op::Add, None));
    let (failing, fine) = tokio::join!(failing, fine);
    let err = failing.unwrap_err();
    assert!(err.to_string().contains("cannot go from"), "{err}");
    fine.unwrap();
    let a_now = journal.submit(move |j| j.item(a)).await.unwrap();
    assert_eq!(
        a_now.state,
        ItemState::Planned,
        "the failed work's first change was rolled back with it"
    );
    let b_now = journal.submit(move |j| j.item(b)).await.unwrap();
    assert_eq!(b_now.state, ItemState::AddIntent);
}

#[test]
fn verified_needs_a_seen_write_back_and_withdrawn_needs_none() {
    let dir = TempDir::new().unwrap();
    let journal = writer(&dir.path().join("journal.db"));
    let run = journal.begin_run(&fix_run()).unwrap();
    let ids = journal.add_items(&run.id, &items(2)).unwrap();
    let (written, stuck) = (ids[0], ids[1]);
    for id in [written, stuck] {
        journal.record_intent(id, Op::Add, None).unwrap();
        journal
            .record_result(id, Op::Add, &OpOutcome::Succeeded)
            .unwrap();
    }
    journal.mark(written, ItemState::WrittenBack, None).unwrap();
    journal
        .mark(stuck, ItemState::Stuck, Some("no write-back within 20s"))
        .unwrap();
    for id in [written, stuck] {
        journal.record_intent(id, Op::Remove, None).unwrap();
        journal
            .record_result(id, Op::Remove, &OpOutcome::Succeeded)
            .unwrap();
    }
    let refused = journal.mark(stuck, ItemState::Verified, None).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("cannot go from removed to verified")
    );
    assert!(journal.mark(written, ItemState::Withdrawn, None).is_err());

    let proof = "proven gone by Get-Mailbox -Filter on 2 users";
    assert_eq!(
        journal.record_gone(written, proof, None).unwrap(),
        ItemState::Verified
    );
    let why = Some("no write-back within 20s");
    assert_eq!(
        journal.record_gone(stuck, proof, why).unwrap(),
        ItemState::Withdrawn
    );
    let verified = journal.item(written).unwrap();
    assert_eq!(verified.reason.as_deref(), Some(proof));
    let withdrawn = journal.item(stuck).unwrap();
    assert_eq!(
        withdrawn.reason.as_deref(),
        Some(
            "no write-back within 20s; alias removed (proven gone by Get-Mailbox -Filter on 2 users)"
        )
    );
    assert!(!ItemState::Withdrawn.alias_may_be_present());
}

#[test]
fn a_schema_2_journal_that_called_unfixed_items_verified_is_relabelled() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(SCHEMA_1).unwrap();
        conn.execute_batch(SCHEMA_2).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO runs (id, command, started_at, status, summary) VALUES
                 ('rold01', 'fix', '2024-05-01T10:00:00.000Z', 'finished', '{\"status\":\"finished\"}'),
                 ('rold02', 'fix', '2024-05-02T10:00:00.000Z', 'finished', NULL);
             INSERT INTO items (id, run_id, user_id, upn, kind, planned, state, reason, created_at,
                                updated_at, added_at, written_back_at, removed_at) VALUES
                 (1, 'rold01', 'id-1', 'a@c.com', 'alias', 'a.mailfix-rold01@c.com', 'verified',
                  NULL, '2024-05-01T10:00:00.000Z', '2024-05-01T10:30:00.000Z',
                  '2024-05-01T10:00:01.000Z', NULL, '2024-05-01T10:30:00.000Z'),
                 (2, 'rold01', 'id-2', 'b@c.com', 'alias', 'b.mailfix-rold01@c.com', 'verified',
                  NULL, '2024-05-01T10:00:00.000Z', '2024-05-01T10:03:00.000Z',
                  '2024-05-01T10:00:01.000Z', '2024-05-01T10:02:00.000Z', '2024-05-01T10:03:00.000Z'),
                 (3, 'rold02', 'id-3', 'c@c.com', 'alias', 'c.mailfix-rold02@c.com', 'verified',
                  NULL, '2024-05-02T10:00:00.000Z', '2024-05-02T10:03:00.000Z',
                  '2024-05-02T10:00:01.000Z', '2024-05-02T10:02:00.000Z', '2024-05-02T10:03:00.000Z');",
        )
        .unwrap();
    }
    let journal = Journal::open_read(&path).unwrap();
    assert_eq!(journal.schema_version().unwrap(), SCHEMA_VERSION);
    let old = journal.show_run(&"rold01".parse().unwrap()).unwrap();
    assert_eq!(old.run.status, RunStatus::Partial, "a target was not fixed");
    assert_eq!(old.run.summary.unwrap()["status"], "partial");
    let states: Vec<ItemState> = old.items.iter().map(|i| i.state).collect();
    assert_eq!(states, [ItemState::Withdrawn, ItemState::Verified]);
    assert!(
        old.items[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("no write-back seen")
    );
    let events = journal.item_events(old.items[0].id).unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.state, ItemState::Withdrawn);
    assert!(
        last.detail
            .as_deref()
            .unwrap()
            .contains("relabelled by schema 3")
    );
    let fine = journal.show_run(&"rold02".parse().unwrap()).unwrap();
    assert_eq!(
        fine.run.status,
        RunStatus::Finished,
        "every target was fixed"
    );
}
