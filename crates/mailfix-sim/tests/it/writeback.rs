//! Write-back, stuck users, address uniqueness and reservations, driven by the simulated clock.

use mailfix_sim::SimOptions;
use mailfix_sim::scenario::small;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::{Sim, exo_message, sim, sim_with};

async fn sim_with_delay(min: f64, max: f64) -> Sim {
    let mut options = SimOptions::for_test(small(3));
    options.writeback_delay_s = Some((min, max));
    sim_with(options).await
}

fn temp(user: &Value, run: &str, domain: &str) -> String {
    let alias = user["mailbox"]["alias"].as_str().expect("alias");
    format!("smtp:{alias}.mailfix-{run}@{domain}")
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_str().expect("string").to_owned())
        .collect()
}

#[tokio::test]
async fn an_added_address_fills_mail_after_the_delay_and_a_removal_keeps_it() {
    let sim = sim_with_delay(120.0, 120.0).await;
    let upn = sim.labelled("empty-mail")[0].clone();
    let before = sim.user(&upn).await;
    assert!(before["mail"].is_null() && before["proxyAddresses"] == serde_json::json!([]));
    let address = temp(&before, "t1", &sim.domain());

    let answer = sim.change(&upn, "Add", &address).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.body["value"], serde_json::json!([]));
    let pending = sim.user(&upn).await;
    assert!(
        pending["mail"].is_null(),
        "mail must wait for the write-back"
    );
    assert!(strings(&pending["mailbox"]["emailAddresses"]).contains(&address));

    sim.advance(119.0).await;
    assert!(
        sim.user(&upn).await["mail"].is_null(),
        "not yet due at 119 s"
    );
    sim.advance(2.0).await;
    let landed = sim.user(&upn).await;
    let primary = before["mailbox"]["primarySmtpAddress"].as_str().unwrap();
    assert_eq!(landed["mail"], primary);
    let proxies = strings(&landed["proxyAddresses"]);
    assert!(proxies.contains(&format!("SMTP:{primary}")) && proxies.contains(&address));
    assert!(
        landed["stale"]["mail"].is_null(),
        "advanced queries still see the old mail"
    );

    let answer = sim.change(&upn, "Remove", &address).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    sim.advance(121.0).await;
    let removed = sim.user(&upn).await;
    assert_eq!(removed["mail"], primary, "a removal never clears mail");
    assert!(!strings(&removed["proxyAddresses"]).contains(&address));
}

#[tokio::test]
async fn delays_are_drawn_from_the_configured_range() {
    let sim = sim_with_delay(60.0, 300.0).await;
    let users: Vec<String> = sim.labelled("empty-mail").into_iter().take(8).collect();
    for (i, upn) in users.iter().enumerate() {
        let user = sim.user(upn).await;
        let answer = sim
            .change(upn, "Add", &temp(&user, &format!("r{i}"), &sim.domain()))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    }
    let mut dues = Vec::new();
    for upn in &users {
        dues.push(
            sim.user(upn).await["pendingWriteback"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    dues.sort();
    dues.dedup();
    assert!(dues.len() > 1, "delays are drawn, not fixed");
    sim.advance(59.0).await;
    for upn in &users {
        assert!(
            sim.user(upn).await["mail"].is_null(),
            "nothing lands before the minimum"
        );
    }
    sim.advance(242.0).await;
    for upn in &users {
        assert!(
            sim.user(upn).await["mail"].is_string(),
            "everything lands by the maximum"
        );
    }
}

#[tokio::test]
async fn stuck_users_never_write_back_until_unstuck() {
    let sim = sim_with_delay(60.0, 60.0).await;
    let upn = sim.labelled("stuck")[0].clone();
    let user = sim.user(&upn).await;
    assert_eq!(user["stuck"], true);
    let answer = sim
        .change(&upn, "Add", &temp(&user, "s1", &sim.domain()))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(sim.user(&upn).await["heldWriteback"], true);
    sim.advance(86_400.0).await;
    assert!(sim.user(&upn).await["mail"].is_null(), "stuck for a day");

    let answer = sim.control(Method::POST, "/_sim/unstick", None).await;
    assert!(answer.body["unstuck"].as_u64().unwrap() >= 1);
    assert_eq!(answer.body["scheduled"], 1);
    sim.advance(61.0).await;
    let fixed = sim.user(&upn).await;
    assert_eq!(fixed["stuck"], false);
    assert!(fixed["mail"].is_string());
}

#[tokio::test]
async fn stuck_share_from_the_options_sticks_mailbox_users() {
    let mut options = SimOptions::for_test(small(3));
    options.stuck_share = Some(1.0);
    let sim = sim_with(options).await;
    let tenant = sim.sim.state.read_tenant();
    let with_mailbox = tenant.mailboxes.len();
    let stuck = tenant.users.iter().filter(|u| u.stuck).count();
    assert_eq!(stuck, with_mailbox);
}

#[tokio::test]
async fn a_removed_address_stays_reserved_for_its_former_owner() {
    let mut scenario = small(3);
    scenario.behaviour.address_reservation_s = 600.0;
    let sim = sim(scenario).await;
    let healthy = sim.labelled("healthy");
    let (a, b) = (&healthy[0], &healthy[1]);
    let owner = sim.user(a).await;
    let address = temp(&owner, "rv", &sim.domain());
    assert_eq!(sim.change(a, "Add", &address).await.status, StatusCode::OK);
    assert_eq!(
        sim.change(a, "Remove", &address).await.status,
        StatusCode::OK
    );

    let refused = sim.change(b, "Add", &address).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let bare = address.trim_start_matches("smtp:");
    let alias = owner["mailbox"]["alias"].as_str().unwrap();
    assert_eq!(
        exo_message(&refused.body),
        format!(
            "The proxy address \"smtp:{bare}\" is already being used by the proxy addresses or \
             LegacyExchangeDN of \"{alias}\". Please choose another proxy address."
        )
    );
    let state = sim.control(Method::GET, "/_sim/state", None).await;
    assert_eq!(state.body["reserved_addresses"], 1);

    sim.advance(601.0).await;
    let later = sim.change(b, "Add", &address).await;
    assert_eq!(later.status, StatusCode::OK, "{}", later.text);
}

#[tokio::test]
async fn the_former_owner_may_take_a_reserved_address_back() {
    let sim = sim(small(3)).await;
    let a = sim.labelled("healthy")[0].clone();
    let address = temp(&sim.user(&a).await, "bk", &sim.domain());
    assert_eq!(sim.change(&a, "Add", &address).await.status, StatusCode::OK);
    assert_eq!(
        sim.change(&a, "Remove", &address).await.status,
        StatusCode::OK
    );
    let again = sim.change(&a, "Add", &address).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
}

#[tokio::test]
async fn addresses_are_unique_across_the_tenant() {
    let sim = sim(small(3)).await;
    let healthy = sim.labelled("healthy");
    let taken = sim.user(&healthy[0]).await["mailbox"]["primarySmtpAddress"]
        .as_str()
        .unwrap()
        .to_owned();
    let answer = sim
        .change(
            &healthy[1],
            "Add",
            &format!("smtp:{}", taken.to_uppercase()),
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(exo_message(&answer.body).contains("is already being used by the proxy addresses"));
}

#[tokio::test]
async fn an_uppercase_smtp_makes_the_address_primary_and_mail_follows() {
    let sim = sim_with_delay(30.0, 30.0).await;
    let upn = sim.labelled("healthy")[0].clone();
    let user = sim.user(&upn).await;
    let old = user["mailbox"]["primarySmtpAddress"]
        .as_str()
        .unwrap()
        .to_owned();
    let alias = user["mailbox"]["alias"].as_str().expect("alias");
    let new = format!("{alias}.new@{}", sim.domain());
    let answer = sim.change(&upn, "Add", &format!("SMTP:{new}")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let changed = sim.user(&upn).await;
    let addresses = strings(&changed["mailbox"]["emailAddresses"]);
    assert!(
        addresses.contains(&format!("SMTP:{new}")) && addresses.contains(&format!("smtp:{old}"))
    );
    sim.advance(31.0).await;
    assert_eq!(sim.user(&upn).await["mail"], new);
}

/// The delay each user's write-back got (due time minus the clock just before the change),
/// simulated seconds, changing `users` in the order given.
async fn delays_in_order(users: &[String]) -> Vec<(String, f64)> {
    let sim = sim_with_delay(60.0, 300.0).await;
    let mut delays = Vec::new();
    for upn in users {
        let user = sim.user(upn).await;
        let before = sim.sim.state.clock.now();
        let answer = sim
            .change(upn, "Add", &temp(&user, "d1", &sim.domain()))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        let tenant = sim.sim.state.read_tenant();
        let idx = tenant.user_by_upn(upn).expect("user");
        let due = tenant.pending_writeback(idx).expect("pending");
        delays.push((
            upn.clone(),
            (due - before).num_milliseconds() as f64 / 1000.0,
        ));
    }
    delays.sort_by(|a, b| a.0.cmp(&b.0));
    delays
}

#[tokio::test]
async fn a_users_delay_depends_on_the_seed_and_the_user_not_on_the_order_of_changes() {
    let users: Vec<String> = small(3)
        .users
        .iter()
        .filter(|u| u.label == "empty-mail")
        .take(6)
        .map(|u| u.upn.clone())
        .collect();
    let forward = delays_in_order(&users).await;
    let reversed: Vec<String> = users.iter().rev().cloned().collect();
    let backward = delays_in_order(&reversed).await;
    for ((upn, a), (_, b)) in forward.iter().zip(&backward) {
        assert!((a - b).abs() < 1.0, "{upn}: {a} s and {b} s");
    }
    let mut distinct: Vec<i64> = forward.iter().map(|(_, d)| *d as i64).collect();
    distinct.sort_unstable();
    distinct.dedup();
    assert!(
        distinct.len() > 1,
        "users draw different delays: {forward:?}"
    );
}
