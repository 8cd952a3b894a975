//! The fix engine against the simulator, through its API: the one re-plan after "address in use",
//! per-user failures with their reasons, and resume settling writes of unknown outcome from what
//! Exchange holds. Outcomes are checked in the journal and in the simulator's state.

use std::time::Duration;

use mailfix_client::Client;
use mailfix_engine::CancellationToken;
use mailfix_engine::aliases::REPLAN_NOTE;
use mailfix_engine::aliases::{AddOutcome, AliasItem, AliasTemplate, Writer};
use mailfix_engine::events::{CollectingReporter, Event, NoopReporter};
use mailfix_engine::fix::{self, FixContext, FixOptions, RunOptions, WatchOptions};
use mailfix_engine::journal::{
    EventKind, ItemId, ItemKind, ItemState, Journal, LockHolder, NewItem, NewRun, Op, OpOutcome,
    RunStatus,
};
use mailfix_engine::scope::{Scope, ScopeSpec};
use mailfix_engine::{RunId, UserRef, events::Command};
use mailfix_sim::scenario::{Scenario, small};
use mailfix_sim::{RunningSim, SimOptions};

use crate::support::sim_client;

pub struct Setup {
    pub sim: RunningSim,
    pub client: Client,
    pub journal: Journal,
    _dir: tempfile::TempDir,
}

pub async fn setup(scenario: Scenario) -> Setup {
    let mut options = SimOptions::for_test(scenario);

    options.time_scale = 600.0;
    options.writeback_delay_s = Some((60.0, 120.0));
    let sim = mailfix_sim::start(options).await.unwrap();
    let client = sim_client(&sim);
    let dir = tempfile::tempdir().unwrap();
    let journal =
        Journal::open_write(&dir.path().join("j.db"), LockHolder::current("test")).unwrap();
    Setup {
        sim,
        client,
        journal,
        _dir: dir,
    }
}

pub fn watch() -> WatchOptions {
    WatchOptions {
        poll_interval: Duration::from_millis(100),
        timeout: Duration::from_secs(60),
        ..WatchOptions::default()
    }
}

/// `(id, upn)` of the scenario's users with `label`.
pub fn users(s: &Setup, label: &str) -> Vec<UserRef> {
    let tenant = s.sim.state.read_tenant();
    tenant
        .users
        .iter()
        .filter(|u| u.label == label)
        .map(|u| UserRef::new(u.id.to_string(), u.user_principal_name.clone()))
        .collect()
}

fn addresses(s: &Setup, user: &UserRef) -> Vec<String> {
    let tenant = s.sim.state.read_tenant();
    let idx = tenant.user_by_upn(&user.upn).unwrap();
    tenant.mailboxes[&idx].email_addresses.clone()
}

pub fn has(s: &Setup, user: &UserRef, address: &str) -> bool {
    addresses(s, user)
        .iter()
        .any(|a| a.eq_ignore_ascii_case(&format!("smtp:{address}")))
}

pub fn ctx<'a>(
    s: &'a Setup,
    reporter: &'a CollectingReporter,
    cancel: &'a CancellationToken,
) -> FixContext<'a> {
    FixContext {
        client: &s.client,
        journal: &s.journal,
        reporter,
        cancel,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_address_in_use_gets_one_new_suffix_and_the_holder_keeps_it() {
    let s = setup(small(81)).await;
    let targets: Vec<UserRef> = users(&s, "empty-mail").into_iter().take(2).collect();
    let holder = users(&s, "healthy").remove(0);
    let spec = ScopeSpec {
        users: targets.iter().map(|u| u.upn.clone()).collect(),
        ..ScopeSpec::default()
    };
    let scope = Scope::resolve(&s.client, spec).await.unwrap();
    let options = FixOptions {
        watch: watch(),
        ..FixOptions::default()
    };
    let prepared = fix::prepare(&s.client, Some(&s.journal), &scope, options, &NoopReporter)
        .await
        .unwrap();
    let taken = prepared.plan.items[0].clone();
    // Another recipient takes the planned address before the run adds it.
    s.client
        .exo()
        .add_address(&holder.id, &taken.address)
        .await
        .unwrap();

    let reporter = CollectingReporter::new();
    let cancel = CancellationToken::new();
    let outcome = fix::execute(ctx(&s, &reporter, &cancel), prepared)
        .await
        .unwrap();

    assert!(outcome.report.is_complete(), "{:?}", outcome.report);
    let fixed = outcome
        .report
        .fixed
        .iter()
        .find(|i| i.id == taken.user.id)
        .unwrap();
    let alias = fixed.alias.as_deref().unwrap();
    let run = outcome.report.run.clone().unwrap();
    assert!(
        alias.starts_with(&format!("{}-", taken.address.split('@').next().unwrap())),
        "{alias}"
    );
    assert!(alias.contains(&format!(".mailfix-{run}-")), "{alias}");
    assert!(
        has(&s, &holder, &taken.address),
        "the holder's address is untouched"
    );
    assert!(
        !has(&s, &taken.user, alias),
        "the new alias was removed after the write-back"
    );
    let item = s
        .journal
        .items(&run)
        .unwrap()
        .into_iter()
        .find(|i| i.user.id == taken.user.id)
        .unwrap();
    let replans = s
        .journal
        .item_events(item.id)
        .unwrap()
        .into_iter()
        .filter(|e| {
            e.kind == EventKind::State
                && e.detail
                    .as_deref()
                    .is_some_and(|d| d.starts_with(REPLAN_NOTE))
        });
    assert_eq!(replans.count(), 1, "one re-plan, journaled");
    assert!(
        reporter
            .events()
            .iter()
            .any(|e| matches!(e, Event::ItemRetrying { user, .. } if user.id == taken.user.id))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn permanent_add_failures_are_journaled_with_their_reason() {
    let s = setup(small(82)).await;
    let run: RunId = s.journal.unused_run_id().unwrap();
    let new_run = NewRun {
        command: Command::Fix,
        options: serde_json::json!({}),
        tenant: None,
    };
    s.journal.begin_run_as(&run, &new_run).unwrap();
    let synced = users(&s, "synced").remove(0);
    let empty = users(&s, "empty-mail").remove(0);
    let ghost = UserRef::new("00000000-0000-4000-8000-000000000001", "ghost@contoso.com");
    let cases = [
        (
            synced,
            "synced.mailfix-r00000@contoso.onmicrosoft.com",
            "synchronized from on-premises",
        ),
        (
            ghost,
            "ghost.mailfix-r00000@contoso.onmicrosoft.com",
            "no Exchange mailbox found",
        ),
        (
            empty,
            "e.mailfix-r00000@contoso-legacy.com",
            "not an accepted domain",
        ),
    ];
    let reporter = CollectingReporter::new();
    let writer = Writer::new(
        &s.client,
        &s.journal,
        &reporter,
        3,
        CancellationToken::new(),
    );
    for (user, address, reason) in cases {
        let new = NewItem {
            user: user.clone(),
            kind: ItemKind::Alias,
            planned: address.to_owned(),
        };
        let id = s.journal.add_items(&run, &[new]).unwrap()[0];
        let item = AliasItem {
            id,
            user,
            address: address.to_owned(),
        };
        let outcome = writer.add(&item).await.unwrap();
        assert!(
            matches!(&outcome, AddOutcome::Failed(r) if r.contains(reason)),
            "{outcome:?}"
        );
        let record = s.journal.item(id).unwrap();
        assert_eq!(record.state, ItemState::AddFailed);
        assert!(record.reason.unwrap().contains(reason));
    }
    assert!(
        writer.stopped_by().is_none(),
        "per-user failures do not stop the run"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn resume_settles_intents_from_what_exchange_holds_and_finishes() {
    let s = setup(small(83)).await;
    let [landed, lost, removing]: [UserRef; 3] =
        users(&s, "empty-mail")[..3].to_vec().try_into().unwrap();
    let run: RunId = s.journal.unused_run_id().unwrap();
    let domain = "contoso.onmicrosoft.com";
    let options = RunOptions {
        scope: "3 listed users".into(),
        targets: 3,
        domain: domain.into(),
        template: AliasTemplate::default().to_string(),
        concurrency: 3,
        watch: watch(),
    };
    let new_run = NewRun {
        command: Command::Fix,
        options: serde_json::to_value(&options).unwrap(),
        tenant: None,
    };
    let ids = begin_alias_run(&s, &run, &new_run, &[&landed, &lost, &removing]);
    let address = |u: &UserRef| alias_of(&run, u);
    let exo = s.client.exo();
    // Killed after the add landed, before its result was journaled.
    s.journal.record_intent(ids[0], Op::Add, None).unwrap();
    exo.add_address(&landed.id, &address(&landed))
        .await
        .unwrap();
    // Killed after the intent, before the add was sent.
    s.journal.record_intent(ids[1], Op::Add, None).unwrap();
    // Written back; killed after the removal landed, before its result was journaled.
    s.journal.record_intent(ids[2], Op::Add, None).unwrap();
    exo.add_address(&removing.id, &address(&removing))
        .await
        .unwrap();
    s.journal
        .record_result(ids[2], Op::Add, &OpOutcome::Succeeded)
        .unwrap();
    s.journal
        .mark(ids[2], ItemState::WrittenBack, None)
        .unwrap();
    s.journal.record_intent(ids[2], Op::Remove, None).unwrap();
    exo.remove_address(&removing.id, &address(&removing))
        .await
        .unwrap();

    let record = fix::run_to_resume(&s.journal, None).await.unwrap();
    assert_eq!(record.id, run);
    let reporter = CollectingReporter::new();
    let cancel = CancellationToken::new();
    let outcome = fix::resume(ctx(&s, &reporter, &cancel), &record, &Default::default())
        .await
        .unwrap();

    assert_eq!(outcome.report.status, Some(RunStatus::Finished));
    assert!(outcome.report.is_complete(), "{:?}", outcome.report);
    let intents = |id| {
        s.journal
            .item_events(id)
            .unwrap()
            .iter()
            .filter(|e| e.kind == EventKind::Intent && e.op == Some(Op::Add))
            .count()
    };
    assert_eq!(intents(ids[0]), 1, "the landed add is not sent again");
    assert_eq!(intents(ids[1]), 2, "the lost add is sent again");
    let removed = s.journal.item(ids[2]).unwrap();
    assert_eq!(removed.state, ItemState::Verified);
    assert!(removed.reason.unwrap().contains("re-read"));
    for user in [&landed, &lost, &removing] {
        assert!(
            !has(&s, user, &address(user)),
            "no alias is left on {}",
            user.upn
        );
    }
}

/// The alias a run `run` plans for `user` on the initial domain.
pub fn alias_of(run: &RunId, user: &UserRef) -> String {
    let local = user.upn.split('@').next().unwrap();
    format!("{local}.mailfix-{run}@contoso.onmicrosoft.com")
}

/// Journals `run` with one planned alias item per user ([`alias_of`]); their ids in order.
pub fn begin_alias_run(
    s: &Setup,
    run: &RunId,
    new_run: &NewRun,
    users: &[&UserRef],
) -> Vec<ItemId> {
    s.journal.begin_run_as(run, new_run).unwrap();
    let items: Vec<NewItem> = users
        .iter()
        .map(|u| NewItem {
            user: (*u).clone(),
            kind: ItemKind::Alias,
            planned: alias_of(run, u),
        })
        .collect();
    s.journal.add_items(run, &items).unwrap()
}
