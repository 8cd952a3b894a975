//! Registration attempts through the control plane: they fail while `mail` is empty, succeed once it
//! is filled, and leave the audit events of docs/protocol.md §4.3.

use mailfix_sim::SimOptions;
use mailfix_sim::scenario::build::REGISTRATION_ACTIVITY;
use mailfix_sim::scenario::small;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{Sim, sim, sim_with};

fn last_outcome(sim: &Sim, upn: &str) -> (String, String) {
    let tenant = sim.sim.state.read_tenant();
    let event = tenant
        .audits
        .iter()
        .rev()
        .find(|e| {
            e.activity_display_name == REGISTRATION_ACTIVITY
                && e.target.as_ref().is_some_and(|t| t.1 == upn)
        })
        .expect("a registration event");
    assert_eq!(event.logged_by_service, "Authentication Methods");
    (event.result.clone(), event.result_reason.clone())
}

/// Posts attempts; returns (failed, succeeded).
async fn attempt(sim: &Sim, body: serde_json::Value) -> (u64, u64) {
    let answer = sim
        .control(Method::POST, "/_sim/registration/attempts", Some(body))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    (
        answer.body["failed"].as_u64().unwrap(),
        answer.body["succeeded"].as_u64().unwrap(),
    )
}

#[tokio::test]
async fn attempts_fail_while_mail_is_empty_and_succeed_after_the_fix() {
    let mut options = SimOptions::for_test(small(5));
    options.writeback_delay_s = Some((10.0, 10.0));
    let sim = sim_with(options).await;
    let broken = sim.labelled("empty-mail")[0].clone();
    let fine = sim.labelled("healthy")[0].clone();
    let events_before = sim.sim.state.read_tenant().audits.len();

    assert_eq!(
        attempt(&sim, json!({"users": [broken, fine]})).await,
        (1, 1)
    );
    assert_eq!(
        sim.sim.state.read_tenant().audits.len(),
        events_before + 4,
        "start + end each"
    );
    assert_eq!(
        last_outcome(&sim, &broken),
        (
            "failure".to_owned(),
            "User canceled security info registration.".to_owned()
        )
    );
    assert_eq!(last_outcome(&sim, &fine).0, "success");
    assert!(sim.user(&fine).await["methods"]["registered"].is_string());

    let alias = sim.user(&broken).await["mailbox"]["alias"]
        .as_str()
        .unwrap()
        .to_owned();
    let address = format!("smtp:{alias}.mailfix-rg@{}", sim.domain());
    assert_eq!(
        sim.change(&broken, "Add", &address).await.status,
        StatusCode::OK
    );
    sim.advance(11.0).await;
    let again = json!({"users": [broken]});
    let answer = sim
        .control(Method::POST, "/_sim/registration/attempts", Some(again))
        .await;
    assert_eq!(answer.body["succeeded"], 1);
    assert_eq!(last_outcome(&sim, &broken).0, "success");
}

#[tokio::test]
async fn random_attempts_succeed_exactly_for_users_with_mail() {
    let sim = sim(small(5)).await;
    let body = json!({"users": null, "count": 40});
    let answer = sim
        .control(Method::POST, "/_sim/registration/attempts", Some(body))
        .await;
    let attempts = answer.body["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 40, "{}", answer.text);
    for attempt in attempts {
        let upn = attempt["upn"].as_str().unwrap();
        let has_mail = sim.user(upn).await["mail"].is_string();
        assert_eq!(attempt["success"].as_bool(), Some(has_mail), "{upn}");
    }
    let unknown = json!({"users": ["nobody@contoso.com"]});
    let answer = sim
        .control(Method::POST, "/_sim/registration/attempts", Some(unknown))
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_scenario_history_has_failures_for_the_defect_only() {
    let sim = sim(small(5)).await;
    let tenant = sim.sim.state.read_tenant();
    let mut failures = 0;
    for event in tenant
        .audits
        .iter()
        .filter(|e| e.activity_display_name == REGISTRATION_ACTIVITY)
    {
        let upn = &event.target.as_ref().unwrap().1;
        let idx = tenant.user_by_upn(upn).unwrap();
        let mail_empty = tenant.users[idx as usize].mail.is_none();
        assert_eq!(event.result == "failure", mail_empty, "{upn}");
        failures += usize::from(mail_empty);
    }
    assert!(
        failures >= 48,
        "every user with the defect tried at least once: {failures}"
    );
    assert!(
        tenant
            .audits
            .windows(2)
            .all(|w| w[0].activity_date_time <= w[1].activity_date_time)
    );
}

#[tokio::test]
async fn spread_attempts_fill_a_past_period_in_time_order() {
    let sim = sim(small(5)).await;
    let broken = sim.labelled("empty-mail")[0].clone();
    let fine = sim.labelled("healthy")[0].clone();
    let (old_ids, now) = {
        let tenant = sim.sim.state.read_tenant();
        let ids: std::collections::HashSet<String> =
            tenant.audits.iter().map(|e| e.id.clone()).collect();
        (ids, sim.sim.state.clock.now())
    };
    let day = 86_400.0;
    let body = json!({"users": [broken, fine], "count": 300, "spread_s": 3.0 * day});
    assert_eq!(
        attempt(&sim, body).await,
        (300, 300),
        "the broken user always fails, the healthy one always succeeds"
    );
    {
        let tenant = sim.sim.state.read_tenant();
        assert_eq!(
            tenant.audits.len(),
            old_ids.len() + 1200,
            "start + end per attempt"
        );
        assert!(
            tenant
                .audits
                .windows(2)
                .all(|w| w[0].activity_date_time <= w[1].activity_date_time),
            "the log stays in time order"
        );
        let ends: Vec<_> = tenant
            .audits
            .iter()
            .filter(|e| {
                !old_ids.contains(&e.id)
                    && e.activity_display_name == REGISTRATION_ACTIVITY
                    && e.target.as_ref().is_some_and(|t| t.1 == broken)
            })
            .map(|e| e.activity_date_time)
            .collect();
        let oldest = *ends.iter().min().unwrap();
        let newest = *ends.iter().max().unwrap();
        assert!(oldest >= now - chrono::Duration::days(3), "{oldest}");
        assert!(
            newest - oldest > chrono::Duration::days(2),
            "spread over the period, not bunched: {oldest} .. {newest}"
        );
    }

    let bad = json!({"users": [broken], "spread_s": 0});
    let answer = sim
        .control(Method::POST, "/_sim/registration/attempts", Some(bad))
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
}
