//! Onboarding over time: `POST /_sim/users/hire` (exact defect counts, groups joined, delta sees
//! the hires), the hire rate on the simulated clock, leavers as `@removed`, delta tokens that
//! expire (by age, by the control plane, or reset with a `Location`), `$deltatoken=latest`,
//! `checkMemberGroups` (transitive, in `$batch`), and the webhook receiver.

use mailfix_sim::scenario::small;
use serde_json::{Value, json};

use super::graph_support::{ALL, Sim, items};

async fn small_sim() -> Sim {
    super::graph_support::start(small(3)).await
}

async fn control(sim: &Sim, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let url = format!("{}{path}", sim.sim.base_url);
    let r = sim.raw(method, &url, &[], body).await;
    let value = serde_json::from_str(&r.text).unwrap_or(Value::Null);
    (r.status, value)
}

/// `GET` the latest deltaLink (sync from now) with the rules' properties.
async fn latest_link(sim: &Sim) -> String {
    let r = sim
        .get("/users/delta?$select=id,mail,userPrincipalName&$deltatoken=latest")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let body = r.json();
    assert_eq!(body["value"], json!([]), "sync from now lists nobody");
    body["@odata.deltaLink"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn hires_have_the_asked_defects_join_groups_and_appear_in_the_next_delta_round() {
    let sim = small_sim().await;
    let link = latest_link(&sim).await;
    let (status, body) = control(
        &sim,
        "POST",
        "/_sim/users/hire",
        Some(json!({"count": 10, "defects": {"empty-mail": 0.5, "synced": 0.2}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let hired = body["hired"].as_array().unwrap();
    let count = |label: &str| hired.iter().filter(|h| h["label"] == label).count();
    assert_eq!(
        (count("empty-mail"), count("synced"), count("healthy")),
        (5, 2, 3)
    );
    assert!(hired.iter().all(|h| h["groups"] == json!(["All Staff"])));
    let all_staff = sim.group_id("All Staff");
    let members = sim
        .pages(
            &format!(
                "/groups/{all_staff}/transitiveMembers/microsoft.graph.user?$select=id&$count=true"
            ),
            &[("ConsistencyLevel", "eventual")],
        )
        .await;
    let member_ids: Vec<Value> = items(&members).iter().map(|m| m["id"].clone()).collect();
    assert!(hired.iter().all(|h| member_ids.contains(&h["id"])));

    let changes = items(&sim.pages_from(&link).await);
    assert_eq!(changes.len(), 10, "{changes:?}");
    for (change, hire) in changes.iter().zip(hired) {
        assert_eq!(change["id"], hire["id"]);
        let empty = change["mail"].is_null();
        assert_eq!(empty, hire["label"] != "healthy", "{change}");
    }
}

#[tokio::test]
async fn bad_hire_requests_are_refused_with_the_reason() {
    let sim = small_sim().await;
    for (body, says) in [
        (json!({"count": 0}), "count must be between"),
        (
            json!({"count": 3, "defects": {"purple": 0.5}}),
            "unknown defect 'purple'",
        ),
        (
            json!({"count": 3, "defects": {"empty-mail": 0.9, "synced": 0.2}}),
            "add up to at most 1",
        ),
        (
            json!({"count": 3, "groups": ["Nobody"]}),
            "no group named 'Nobody'",
        ),
    ] {
        let (status, answer) = control(&sim, "POST", "/_sim/users/hire", Some(body)).await;
        assert_eq!(status, 400);
        assert!(answer["error"].as_str().unwrap().contains(says), "{answer}");
    }
}

#[tokio::test]
async fn the_hire_rate_hires_on_the_simulated_clock_and_leavers_are_removed() {
    let mut sim = small_sim().await;
    let before = sim.sim.state.read_tenant().users.len();
    let (status, _) = control(
        &sim,
        "POST",
        "/_sim/users/hire-rate",
        Some(json!({"per_hour": 6})),
    )
    .await;
    assert_eq!(status, 200);
    let link = latest_link(&sim).await;
    control(
        &sim,
        "POST",
        "/_sim/clock/advance",
        Some(json!({"seconds": 3600})),
    )
    .await;
    // The hiring task looks at the clock every 200 ms of real time.
    let mut hired = 0;
    for _ in 0..100 {
        hired = sim.sim.state.read_tenant().users.len() - before;
        if hired >= 6 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(hired, 6, "six hires in one simulated hour");
    sim.token = sim.token_with(ALL);
    let (_, rate) = control(&sim, "GET", "/_sim/users/hire-rate", None).await;
    assert_eq!(rate["per_hour"], 6.0);

    let leaver = sim.sim.state.read_tenant().users[before].id.to_string();
    let (status, _) = control(&sim, "DELETE", &format!("/_sim/users/{leaver}"), None).await;
    assert_eq!(status, 204);
    let changes = items(&sim.pages_from(&link).await);
    assert_eq!(changes.len(), 6);
    let removed: Vec<&Value> = changes
        .iter()
        .filter(|c| c.get("@removed").is_some())
        .collect();
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0]["id"], leaver.as_str());
    assert_eq!(removed[0]["@removed"]["reason"], "changed");
}

#[tokio::test]
async fn delta_links_expire_by_age_and_when_told_and_a_reset_says_where_to_start() {
    let mut sim = small_sim().await;
    let link = latest_link(&sim).await;
    assert_eq!(sim.get(&link).await.status, 200);

    let (status, _) = control(&sim, "POST", "/_sim/delta/expire", Some(json!({}))).await;
    assert_eq!(status, 200);
    let gone = sim.get(&link).await;
    assert_eq!(gone.status, 410, "{}", gone.text);
    assert_eq!(gone.error().0, "syncStateNotFound");

    let link = latest_link(&sim).await;
    control(
        &sim,
        "POST",
        "/_sim/delta/expire",
        Some(json!({"answer": "reset"})),
    )
    .await;
    let reset = sim.get(&link).await;
    assert_eq!(reset.status, 410);
    assert_eq!(reset.error().0, "resyncRequired");
    let location = reset.header("location").unwrap();
    assert!(location.ends_with("/v1.0/users/delta"), "{location}");

    let link = latest_link(&sim).await;
    let week = 7.0 * 24.0 * 3600.0;
    control(
        &sim,
        "POST",
        "/_sim/clock/advance",
        Some(json!({"seconds": week + 1.0})),
    )
    .await;
    sim.token = sim.token_with(ALL);
    let old = sim.get(&link).await;
    assert_eq!(old.status, 410, "a deltaLink lives seven days");
    assert_eq!(old.error().0, "syncStateNotFound");
}

#[tokio::test]
async fn check_member_groups_is_transitive_and_works_in_batch() {
    let sim = small_sim().await;
    let (_, body) = control(
        &sim,
        "POST",
        "/_sim/users/hire",
        Some(json!({"count": 2, "groups": ["Platform Team"]})),
    )
    .await;
    let inside = body["hired"][0]["id"].as_str().unwrap().to_owned();
    let (_, body) = control(
        &sim,
        "POST",
        "/_sim/users/hire",
        Some(json!({"count": 1, "groups": ["Contractors"]})),
    )
    .await;
    let outside = body["hired"][0]["id"].as_str().unwrap().to_owned();
    let all_staff = sim.group_id("All Staff");
    let ask = json!({"groupIds": [all_staff]});
    let batch = json!({"requests": [
        {"id": "1", "method": "POST", "url": format!("/users/{inside}/checkMemberGroups"),
         "headers": {"Content-Type": "application/json"}, "body": ask},
        {"id": "2", "method": "POST", "url": format!("/users/{outside}/checkMemberGroups"),
         "headers": {"Content-Type": "application/json"}, "body": ask},
    ]});
    let r = sim.send("POST", "/$batch", &[], Some(batch)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut answers = r.json()["responses"].as_array().unwrap().clone();
    answers.sort_by_key(|a| a["id"].as_str().unwrap().to_owned());
    assert_eq!(answers[0]["status"], 200, "{answers:?}");
    assert_eq!(
        answers[0]["body"]["value"],
        json!([all_staff]),
        "Platform Team is inside All Staff"
    );
    assert_eq!(answers[1]["body"]["value"], json!([]));

    let too_many: Vec<String> = (0..21).map(|_| all_staff.clone()).collect();
    let r = sim
        .send(
            "POST",
            &format!("/users/{inside}/checkMemberGroups"),
            &[],
            Some(json!({"groupIds": too_many})),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = sim
        .send(
            "POST",
            &format!("/users/{inside}/checkMemberGroups"),
            &[],
            Some(json!({"groupIds": [all_staff]})),
        )
        .await;
    assert_eq!(r.status, 200);
    let users_only = sim.token_with(&["User.Read.All"]);
    let r = sim
        .raw(
            "POST",
            &format!("{}/users/{inside}/checkMemberGroups", sim.root()),
            &[("Authorization", &format!("Bearer {users_only}"))],
            Some(json!({"groupIds": [all_staff]})),
        )
        .await;
    assert_eq!(r.status, 403, "GroupMember.Read.All is needed too");
}

#[tokio::test]
async fn the_webhook_receiver_records_deliveries_and_fails_when_told() {
    let sim = small_sim().await;
    let (status, _) = control(
        &sim,
        "POST",
        "/_sim/webhooks/teams/fail",
        Some(json!({"count": 1, "status": 503})),
    )
    .await;
    assert_eq!(status, 204);
    let card = json!({"type": "message"});
    let (first, _) = control(&sim, "POST", "/_sim/webhooks/teams", Some(card.clone())).await;
    let (second, _) = control(&sim, "POST", "/_sim/webhooks/teams", Some(card.clone())).await;
    assert_eq!((first, second), (503, 202), "a Teams workflow answers 202");
    let url = format!("{}/_sim/webhooks/slack", sim.sim.base_url);
    let slack = sim
        .raw("POST", &url, &[], Some(json!({"text": "hi"})))
        .await;
    assert_eq!((slack.status, slack.text.as_str()), (200, "ok"));
    let (_, kept) = control(&sim, "GET", "/_sim/webhooks/teams", None).await;
    let kept = kept.as_array().unwrap();
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[1]["json"], card);
    assert_eq!(kept[1]["status"], 202);
    let (status, _) = control(&sim, "DELETE", "/_sim/webhooks", None).await;
    assert_eq!(status, 204);
    let (_, kept) = control(&sim, "GET", "/_sim/webhooks/teams", None).await;
    assert_eq!(kept, json!([]));
}

#[tokio::test]
async fn a_hire_rate_given_at_start_hires_as_the_clock_passes() {
    let mut options = mailfix_sim::SimOptions::for_test(small(4));
    options.hire_rate = Some(60.0);
    let sim = mailfix_sim::start(options).await.unwrap();
    let before = sim.state.read_tenant().users.len();
    sim.state
        .clock
        .advance(std::time::Duration::from_secs(3600));
    let mut hired = 0;
    for _ in 0..100 {
        hired = sim.state.read_tenant().users.len() - before;
        if hired >= 60 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(hired, 60, "60 an hour");
}
