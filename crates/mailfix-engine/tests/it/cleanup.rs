//! The cleanup engine against the simulator, through its API: removals a crash left of unknown
//! outcome are settled by reading the mailbox first, so that none is sent twice.

use mailfix_engine::cleanup;
use mailfix_engine::events::CollectingReporter;
use mailfix_engine::journal::{ItemState, NewRun, Op, OpOutcome};
use mailfix_engine::{CancellationToken, RunId, UserRef, events::Command};
use mailfix_sim::scenario::small;

use crate::fix::{alias_of, begin_alias_run, ctx, has, setup, users};

#[tokio::test(flavor = "multi_thread")]
async fn removals_of_unknown_outcome_are_read_back_before_being_sent_again() {
    let s = setup(small(84)).await;
    let [landed, lost]: [UserRef; 2] = users(&s, "empty-mail")[..2].to_vec().try_into().unwrap();
    let run: RunId = s.journal.unused_run_id().unwrap();
    let new_run = NewRun {
        command: Command::Fix,
        options: serde_json::json!({}),
        tenant: None,
    };
    let ids = begin_alias_run(&s, &run, &new_run, &[&landed, &lost]);
    let address = |u: &UserRef| alias_of(&run, u);
    let exo = s.client.exo();
    for (id, user) in ids.iter().zip([&landed, &lost]) {
        s.journal.record_intent(*id, Op::Add, None).unwrap();
        exo.add_address(&user.id, &address(user)).await.unwrap();
        s.journal
            .record_result(*id, Op::Add, &OpOutcome::Succeeded)
            .unwrap();
        s.journal.record_intent(*id, Op::Remove, None).unwrap();
    }
    // Killed after the first removal landed, before its result was journaled; the second was
    // never sent.
    exo.remove_address(&landed.id, &address(&landed))
        .await
        .unwrap();
    let mark = s.sim.state.log.len() as u64;

    let reporter = CollectingReporter::new();
    let cancel = CancellationToken::new();
    let plan = cleanup::plan(&s.client, Some(&s.journal), Some(&run), None, &reporter)
        .await
        .unwrap();
    assert_eq!(plan.journaled.len(), 2, "both removals may still be needed");
    let outcome = cleanup::execute(ctx(&s, &reporter, &cancel), plan, 2)
        .await
        .unwrap();

    assert!(outcome.report.is_complete(), "{:?}", outcome.report);
    assert_eq!(outcome.report.removed.len(), 2);
    let settled = s.journal.item(ids[0]).unwrap();
    // Proven gone, but its write-back was never seen: withdrawn, not verified.
    assert_eq!(settled.state, ItemState::Withdrawn);
    assert!(settled.reason.unwrap().contains("re-read"));
    let removals: Vec<String> = s
        .sim
        .state
        .log
        .since(mark)
        .iter()
        .filter(|e| e.operation.as_deref() == Some("Set-Mailbox"))
        .map(|e| e.body.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        removals.len(),
        1,
        "only the lost removal is sent: {removals:?}"
    );
    assert!(removals[0].contains(&address(&lost)), "{removals:?}");
    for user in [&landed, &lost] {
        assert!(
            !has(&s, user, &address(user)),
            "no alias is left on {}",
            user.upn
        );
    }
}
