//! `users/delta`: a first round in pages ending with a deltaLink, later rounds with only the users
//! changed since (deleted ones as `@removed`), empty rounds, `$select`, `$filter` on ids, and
//! opaque tokens.

use serde_json::{Value, json};

use super::graph_support::{Sim, enc, items, many_users, scenario, start};

/// Follows a delta round from `url` with `Prefer: odata.maxpagesize=2`; gives the pages.
async fn round(sim: &Sim, url: &str) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut next = Some(url.to_owned());
    while let Some(url) = next {
        let r = sim
            .send("GET", &url, &[("Prefer", "odata.maxpagesize=2")], None)
            .await;
        assert_eq!(r.status, 200, "{url}: {}", r.text);
        let body = r.json();
        next = body["@odata.nextLink"].as_str().map(str::to_owned);
        pages.push(body);
    }
    pages
}

fn delta_link(pages: &[Value]) -> String {
    pages.last().unwrap()["@odata.deltaLink"]
        .as_str()
        .expect("a deltaLink")
        .to_owned()
}

#[tokio::test]
async fn rounds_return_everything_then_only_changes() {
    let sim = start(scenario(many_users(5), vec![])).await;
    let first = round(
        &sim,
        &format!("{}/users/delta?$select=displayName,mail", sim.root()),
    )
    .await;
    assert_eq!(first.len(), 3);
    assert!(
        first[..2]
            .iter()
            .all(|p| p.get("@odata.deltaLink").is_none())
    );
    let all = items(&first);
    assert_eq!(all.len(), 5);
    let mut keys: Vec<&str> = all[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["displayName", "id", "mail"], "id always comes along");
    let link = delta_link(&first);
    assert!(link.contains("/users/delta?$deltatoken="), "{link}");

    let r = sim
        .send(
            "PATCH",
            "/users/user00002@contoso.com",
            &[],
            Some(json!({"displayName": "Two"})),
        )
        .await;
    assert_eq!(r.status, 204);
    let gone = sim.user_id("user00004@contoso.com");
    sim.delete_user("user00004@contoso.com");
    let second = round(&sim, &link).await;
    let changes = items(&second);
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert_eq!(changes[0]["displayName"], "Two");
    assert_eq!(
        changes[1],
        json!({"id": gone, "@removed": {"reason": "changed"}})
    );

    let third = round(&sim, &delta_link(&second)).await;
    assert_eq!(third.len(), 1);
    assert_eq!(third[0]["value"], json!([]));
    assert!(third[0]["@odata.deltaLink"].is_string());
}

#[tokio::test]
async fn delta_filters_by_id_and_refuses_bad_tokens() {
    let sim = start(scenario(many_users(4), vec![])).await;
    let one = sim.user_id("user00001@contoso.com");
    let three = sim.user_id("user00003@contoso.com");
    let filter = enc(&format!("id eq '{one}' or id eq '{three}'"));
    let pages = round(
        &sim,
        &format!("{}/users/delta()?$filter={filter}", sim.root()),
    )
    .await;
    let ids: Vec<&str> = pages
        .iter()
        .flat_map(|p| p["value"].as_array().unwrap())
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [one.as_str(), three.as_str()]);
    let r = sim.get("/users/delta?$deltatoken=bogus").await;
    assert_eq!(r.status, 400);
    let r = sim
        .get(&format!("/users/delta?$filter={}", enc("mail eq null")))
        .await;
    assert_eq!(r.status, 400);
    let r = sim.get("/users/delta?$top=5").await;
    assert_eq!(r.status, 400);
    let default = sim.get("/users/delta").await.json();
    assert_eq!(default["value"].as_array().map(Vec::len), Some(4));
    assert!(
        default["value"][0]["businessPhones"].is_array(),
        "the default property set"
    );
}
