//! The seed operation through the engine API against the simulator: writes of unknown outcome are
//! settled by reading back (never sent twice), and a resumed run re-reads items left in intent.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use mailfix_client::models::PhoneType;
use mailfix_client::{Client, UserId, UserKey};
use mailfix_engine::events::{Event, NoopReporter, Reporter};
use mailfix_engine::journal::{ItemKind, ItemState, Journal, LockHolder, Op};
use mailfix_engine::seed::{
    ApplyOptions, CollectRows, MethodOutcome, RowResult, RunStart, SeedInput, SeedPlan, execute,
    plan_seed, resume_target,
};
use mailfix_sim::faults::{Fault, FaultConfig, FaultRule, FaultService};
use mailfix_sim::scenario::{Scenario, UserSpec};
use mailfix_sim::{RunningSim, SimOptions};

use crate::support::sim_client;

const USERS: [&str; 4] = ["una", "vic", "wes", "xia"];

fn scenario() -> Scenario {
    let mut scenario = mailfix_sim::scenario::small(3);
    scenario.users = USERS
        .iter()
        .map(|u| UserSpec {
            upn: format!("{u}@contoso.com"),
            display_name: (*u).to_owned(),
            ..UserSpec::default()
        })
        .collect();

    scenario.groups.clear();
    scenario.others.clear();
    scenario.audits.clear();
    scenario
}

struct Setup {
    sim: RunningSim,
    client: Client,
    dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let sim = mailfix_sim::start(SimOptions::for_test(scenario()))
        .await
        .unwrap();
    let client = sim_client(&sim);
    let dir = tempfile::tempdir().unwrap();
    let csv: String = USERS
        .iter()
        .enumerate()
        .map(|(i, u)| format!("{u}@contoso.com,0412 000 00{i},{u}@example.org\n"))
        .collect();
    std::fs::write(
        dir.path().join("hr.csv"),
        format!("upn,mobile,personal_email\n{csv}"),
    )
    .unwrap();
    Setup { sim, client, dir }
}

impl Setup {
    fn input(&self) -> SeedInput {
        SeedInput {
            file: self.file(),
            default_region: Some("AU".parse().unwrap()),
            ..SeedInput::default()
        }
    }

    fn file(&self) -> PathBuf {
        self.dir.path().join("hr.csv")
    }

    fn journal(&self) -> Journal {
        Journal::open_write(&self.dir.path().join("j.db"), LockHolder::current("seed")).unwrap()
    }

    async fn plan(&self) -> SeedPlan {
        plan_seed(&self.client, self.input(), &NoopReporter, None)
            .await
            .unwrap()
            .0
    }

    fn user_id(&self, local: &str) -> String {
        let tenant = self.sim.state.read_tenant();
        let idx = tenant.user_by_key(&format!("{local}@contoso.com")).unwrap();
        tenant.users[idx as usize].id.to_string()
    }

    /// POSTs to a user's phone or email methods since log entry `after`.
    fn posts(&self, after: u64, local: &str, collection: &str) -> usize {
        let path = format!(
            "/v1.0/users/{}/authentication/{collection}",
            self.user_id(local)
        );
        self.sim
            .state
            .log
            .since(after)
            .iter()
            .filter(|e| e.method == "POST" && e.path == path)
            .count()
    }
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_settled_by_reading_back_not_sent_again() {
    let setup = setup().await;
    let plan = setup.plan().await;
    assert_eq!(plan.writes(), 8);
    // Every phone POST lands, then the connection breaks before the answer.
    setup.sim.state.faults.set_config(FaultConfig {
        rules: USERS
            .iter()
            .map(|u| FaultRule {
                service: FaultService::Graph,
                path_prefix: Some(format!(
                    "/v1.0/users/{}/authentication/phoneMethods",
                    setup.user_id(u)
                )),
                rate: 1.0,
                kinds: vec![Fault::Reset],
            })
            .collect(),
        ..FaultConfig::default()
    });
    let journal = setup.journal();
    let stop = AtomicBool::new(false);
    let start = RunStart::New { tenant: None };
    let mut rows = CollectRows::default();
    let report = execute(
        &setup.client,
        Some(&journal),
        &plan,
        start,
        &ApplyOptions::default(),
        &NoopReporter,
        &stop,
        &mut rows,
    )
    .await
    .unwrap();
    for row in &rows.rows {
        assert_eq!(row.result, RowResult::Done, "{row:?}");
        assert_eq!(row.methods[0].outcome, MethodOutcome::Created);
    }
    for u in USERS {
        assert_eq!(
            setup.posts(0, u, "phoneMethods"),
            1,
            "{u}: one POST, settled by a read"
        );
    }
    let items = journal.items(report.run.as_ref().unwrap()).unwrap();
    assert!(
        items.iter().all(|i| i.state == ItemState::Added),
        "{items:?}"
    );
}

/// Stops the run after the first write.
struct StopAfterFirst(Arc<AtomicBool>);

impl Reporter for StopAfterFirst {
    fn report(&self, event: &Event) {
        if matches!(event, Event::ItemDone { .. }) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
}

#[tokio::test]
async fn resume_re_reads_items_left_in_intent_and_sends_only_what_did_not_land() {
    let setup = setup().await;
    let journal = setup.journal();
    let stop = Arc::new(AtomicBool::new(false));
    let plan = setup.plan().await;
    let one_at_a_time = ApplyOptions { concurrency: 1 };
    let mut first_rows = CollectRows::default();
    let first = execute(
        &setup.client,
        Some(&journal),
        &plan,
        RunStart::New { tenant: None },
        &one_at_a_time,
        &StopAfterFirst(stop.clone()),
        &stop,
        &mut first_rows,
    )
    .await
    .unwrap();
    assert!(first.interrupted);
    let run = first.run.clone().unwrap();
    let pending = first_rows
        .rows
        .iter()
        .filter(|r| r.result == RowResult::Pending)
        .count();
    assert_eq!(
        pending, 4,
        "the first user's email and three users were not reached"
    );

    // A crash after journaling two intents: vic's mobile landed, wes's did not.
    let item = |local: &str| {
        let id = setup.user_id(local);
        journal
            .items(&run)
            .unwrap()
            .into_iter()
            .find(|i| i.user.id == id && i.kind == ItemKind::Mobile)
            .unwrap()
    };
    let (vic, wes) = (item("vic"), item("wes"));
    journal
        .record_intent(vic.id, Op::Add, Some("create"))
        .unwrap();
    journal
        .record_intent(wes.id, Op::Add, Some("create"))
        .unwrap();
    let vic_ref = UserKey::Id(UserId(vic.user.id.clone()));
    setup
        .client
        .graph()
        .add_phone_method(&vic_ref, &vic.planned, PhoneType::Mobile)
        .await
        .unwrap();
    assert_eq!(journal.items_in_intent(&run).unwrap().len(), 2);

    let mark = setup.sim.state.log.len() as u64;
    let target = resume_target(&journal, None, None).unwrap();
    assert_eq!(target.run, run, "the latest unfinished seed run");
    let plan = plan_seed(&setup.client, target.input.clone(), &NoopReporter, None)
        .await
        .unwrap()
        .0;
    let stop = AtomicBool::new(false);
    let mut rows = CollectRows::default();
    let report = execute(
        &setup.client,
        Some(&journal),
        &plan,
        RunStart::Resume(target),
        &one_at_a_time,
        &NoopReporter,
        &stop,
        &mut rows,
    )
    .await
    .unwrap();
    assert!(!report.interrupted);
    assert_eq!(report.run.as_ref(), Some(&run));
    assert!(
        rows.rows.iter().all(|r| r.result == RowResult::Done),
        "{:?}",
        rows.rows
    );
    assert_eq!(
        setup.posts(mark, "una", "phoneMethods"),
        0,
        "added before the interruption"
    );
    assert_eq!(
        setup.posts(mark, "vic", "phoneMethods"),
        0,
        "landed: settled by the read"
    );
    assert_eq!(
        setup.posts(mark, "wes", "phoneMethods"),
        1,
        "did not land: sent"
    );
    for u in USERS {
        assert_eq!(
            setup.posts(mark, u, "emailMethods"),
            1,
            "{u}: none was sent before"
        );
    }
    let items = journal.items(&run).unwrap();
    assert!(
        items.iter().all(|i| i.state == ItemState::Added),
        "{items:?}"
    );
    assert_eq!(
        journal.run(&run).unwrap().unwrap().status.as_str(),
        "finished"
    );
}

#[tokio::test]
async fn resume_refuses_a_changed_file_and_finished_runs() {
    let setup = setup().await;
    let journal = setup.journal();
    let plan = setup.plan().await;
    let stop = AtomicBool::new(true);
    let report = execute(
        &setup.client,
        Some(&journal),
        &plan,
        RunStart::New { tenant: None },
        &ApplyOptions::default(),
        &NoopReporter,
        &stop,
        &mut CollectRows::default(),
    )
    .await
    .unwrap();
    assert!(report.interrupted, "stopped before any write");
    std::fs::write(setup.file(), "upn,mobile\nuna@contoso.com,0412 999 999\n").unwrap();
    let target = resume_target(&journal, None, None).unwrap();
    let changed = plan_seed(&setup.client, target.input.clone(), &NoopReporter, None)
        .await
        .unwrap()
        .0;
    let err = execute(
        &setup.client,
        Some(&journal),
        &changed,
        RunStart::Resume(target),
        &ApplyOptions::default(),
        &NoopReporter,
        &AtomicBool::new(false),
        &mut CollectRows::default(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("changed since run"), "{err}");
    assert!(err.is_usage());
    let run = report.run.unwrap();
    journal
        .finish_run(
            &run,
            mailfix_engine::journal::RunStatus::Finished,
            &serde_json::json!({}),
        )
        .unwrap();
    let err = resume_target(&journal, Some(&run), None).unwrap_err();
    assert!(err.to_string().contains("nothing to resume"), "{err}");
}

#[tokio::test]
async fn duplicates_are_found_across_chunks_and_every_row_is_reported_in_order() {
    let setup = setup().await;
    let una = setup.user_id("una");
    let fillers = mailfix_engine::seed::CHUNK_ROWS + 200;
    let mut csv = String::from("upn,mobile\nuna@contoso.com,0412 000 001\n");
    for i in 0..fillers {
        csv.push_str(&format!("nobody{i}@contoso.com,0412 {i:06}\n"));
    }
    csv.push_str("UNA@contoso.com,0412 000 002\n");
    csv.push_str(&format!("{una},0412 000 003\n"));
    std::fs::write(setup.file(), csv).unwrap();
    let mut rows = CollectRows::default();
    let (plan, planned) = plan_seed(&setup.client, setup.input(), &NoopReporter, Some(&mut rows))
        .await
        .unwrap();
    let total = fillers + 3;
    assert_eq!(plan.counts.rows, total);
    assert_eq!(planned.rows as usize, total);
    let lines: Vec<u64> = rows.rows.iter().map(|r| r.line).collect();
    assert_eq!(
        lines,
        (2..2 + total as u64).collect::<Vec<_>>(),
        "file order"
    );
    for row in &rows.rows[total - 2..] {
        assert_eq!(row.result, RowResult::Duplicate, "{row:?}");
        assert_eq!(
            row.reason.as_deref(),
            Some("duplicate of line 2; not applied"),
            "line {} is una again, {} rows further down",
            row.line,
            fillers
        );
    }
    assert!(
        plan.rows.is_none(),
        "a dry run's rows went to the sink, not to disk"
    );
}
