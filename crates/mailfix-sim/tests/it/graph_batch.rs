//! `$batch`: limits and validation of the whole batch, per-item status/headers/body correlated by
//! id (not by position), per-item headers, `dependsOn` with 424, writes, and what the request log
//! records of a batch.

use serde_json::{Value, json};

use super::graph_support::{Sim, many_users, scenario, start};

async fn batch(sim: &Sim, requests: Value) -> super::graph_support::Resp {
    sim.send(
        "POST",
        "/$batch",
        &[],
        Some(json!({ "requests": requests })),
    )
    .await
}

fn get(id: &str, url: &str) -> Value {
    json!({ "id": id, "method": "GET", "url": url })
}

fn by_id(body: &Value, id: &str) -> Value {
    body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no response for {id}: {body}"))
}

#[tokio::test]
async fn whole_batch_errors() {
    let sim = start(scenario(many_users(3), vec![])).await;
    let twenty_one: Vec<Value> = (1..=21).map(|i| get(&i.to_string(), "/users")).collect();
    let cases = [
        (
            json!(twenty_one),
            "Number of batch request steps exceeds the maximum of 20.",
        ),
        (
            json!([get("a", "/users"), get("A", "/users")]),
            "is not unique",
        ),
        (
            json!([{"id": "1", "method": "PATCH", "url": "/users/user00001@contoso.com", "body": {"jobTitle": "x"}}]),
            "Write request id : 1 does not contain Content-Type header or body.",
        ),
        (
            json!([{"id": "1", "method": "GET", "url": "/users", "dependsOn": ["9"]}]),
            "not in the batch",
        ),
        (
            json!([
                {"id": "1", "method": "GET", "url": "/users", "dependsOn": ["2"]},
                {"id": "2", "method": "GET", "url": "/users", "dependsOn": ["1"]}
            ]),
            "cycle",
        ),
        (json!([]), "no requests"),
    ];
    for (requests, message) in cases {
        let r = batch(&sim, requests).await;
        assert_eq!(r.status, 400, "{message}");
        assert!(r.error().1.contains(message), "{message}: {}", r.text);
    }
    let r = sim
        .send(
            "POST",
            "/$batch",
            &[("Content-Type", "application/json")],
            None,
        )
        .await;
    assert_eq!(r.status, 400);
    let r = sim
        .raw(
            "POST",
            &format!("{}/$batch", sim.root()),
            &[],
            Some(json!({"requests": []})),
        )
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn twenty_items_answer_by_id_in_another_order() {
    let sim = start(scenario(many_users(20), vec![])).await;
    let requests: Vec<Value> = (1..=20)
        .map(|i| {
            get(
                &format!("u{i}"),
                &format!("/users/user{i:05}@contoso.com?$select=userPrincipalName"),
            )
        })
        .collect();
    let r = batch(&sim, json!(requests)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let body = r.json();
    let responses = body["responses"].as_array().unwrap();
    assert_eq!(responses.len(), 20);
    for i in 1..=20 {
        let item = by_id(&body, &format!("u{i}"));
        assert_eq!(item["status"], 200);
        assert_eq!(
            item["body"]["userPrincipalName"],
            format!("user{i:05}@contoso.com")
        );
        assert!(
            item["headers"]["Content-Type"]
                .as_str()
                .unwrap()
                .starts_with("application/json")
        );
    }
    let order: Vec<&str> = responses
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let sent: Vec<String> = (1..=20).map(|i| format!("u{i}")).collect();
    assert_ne!(order, sent, "responses do not come back in request order");
}

#[tokio::test]
async fn items_carry_their_own_headers_and_errors() {
    let sim = start(scenario(many_users(3), vec![])).await;
    let advanced = "users?$select=id&$filter=mail eq null&$count=true";
    let r = batch(
        &sim,
        json!([
            {"id": "1", "method": "GET", "url": advanced, "headers": {"ConsistencyLevel": "eventual"}},
            {"id": "2", "method": "GET", "url": advanced},
            {"id": "3", "method": "GET", "url": "/users/nobody@contoso.com"},
            {"id": "4", "method": "GET", "url": "/$batch"},
            {"id": "5", "method": "GET", "url": "/users/$count", "headers": {"ConsistencyLevel": "eventual"}}
        ]),
    )
    .await;
    assert_eq!(r.status, 200);
    let body = r.json();
    assert_eq!(by_id(&body, "1")["status"], 200);
    assert_eq!(by_id(&body, "1")["body"]["@odata.count"], 0);
    assert_eq!(by_id(&body, "2")["status"], 400);
    assert_eq!(
        by_id(&body, "2")["body"]["error"]["code"],
        "Request_UnsupportedQuery"
    );
    assert_eq!(by_id(&body, "3")["status"], 404);
    assert_eq!(
        by_id(&body, "3")["body"]["error"]["code"],
        "Request_ResourceNotFound"
    );
    assert_eq!(by_id(&body, "4")["status"], 400);
    assert_eq!(by_id(&body, "5")["body"], "3");
}

#[tokio::test]
async fn depends_on_orders_items_and_fails_dependents_with_424() {
    let sim = start(scenario(many_users(2), vec![])).await;
    let r = batch(
        &sim,
        json!([
            {"id": "3", "method": "GET", "url": "/users/user00002@contoso.com", "dependsOn": ["2"]},
            {"id": "1", "method": "PATCH", "url": "/users/user00001@contoso.com",
             "headers": {"Content-Type": "application/json"}, "body": {"jobTitle": "Pilot"}},
            {"id": "2", "method": "GET", "url": "/users/user00001@contoso.com?$select=jobTitle", "dependsOn": ["1"]},
            {"id": "4", "method": "GET", "url": "/users/nobody@contoso.com"},
            {"id": "5", "method": "GET", "url": "/users", "dependsOn": ["4"]}
        ]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let body = r.json();
    assert_eq!(by_id(&body, "1")["status"], 204);
    assert_eq!(
        by_id(&body, "2")["body"]["jobTitle"],
        "Pilot",
        "2 ran after 1"
    );
    assert_eq!(by_id(&body, "3")["status"], 200);
    assert_eq!(by_id(&body, "4")["status"], 404);
    assert_eq!(by_id(&body, "5")["status"], 424);
    let order: Vec<&str> = body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let at = |id: &str| order.iter().position(|x| *x == id).unwrap();
    assert!(
        at("1") < at("2") && at("2") < at("3") && at("4") < at("5"),
        "{order:?}"
    );
}

#[tokio::test]
async fn the_request_log_lists_batch_items_and_marks_writes() {
    let sim = start(scenario(many_users(2), vec![])).await;
    let resp = batch(
        &sim,
        json!([
            {"id": "r", "method": "GET", "url": "/users/user00001@contoso.com"},
            {"id": "w", "method": "POST", "url": "/users/user00002@contoso.com/authentication/phoneMethods",
             "headers": {"Content-Type": "application/json"},
             "body": {"phoneNumber": "+1 2065555555", "phoneType": "mobile"}}
        ]),
    )
    .await;
    assert_eq!(resp.status, 200);
    let log = sim.sim.state.log.since(0);
    let entry = log
        .iter()
        .find(|e| e.path == "/v1.0/$batch")
        .expect("the batch is in the request log");
    assert!(entry.write);
    assert_eq!(entry.operation.as_deref(), Some("batch"));
    let mut items: Vec<(String, String, u16)> = entry
        .batch_items
        .iter()
        .map(|i| (i.id.clone(), i.method.clone(), i.status))
        .collect();
    items.sort();
    assert_eq!(
        items,
        [
            ("r".into(), "GET".into(), 200),
            ("w".into(), "POST".into(), 201)
        ]
    );
    assert!(entry.batch_items.iter().all(|i| !i.throttled && !i.early));
}
