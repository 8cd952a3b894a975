//! Server-driven paging: `$top=999` over a few thousand users gives `ceil(N/999)` pages with every
//! user exactly once, `@odata.count` only on the first page, nextLinks carrying the query, and
//! `$skiptoken`s refused when replayed with another query.

use std::collections::HashSet;

use super::graph_support::{enc, items, many_users, scenario, start};

#[tokio::test]
async fn top_999_pages_through_every_user_once() {
    const N: usize = 2_500;
    let sim = start(scenario(many_users(N), vec![])).await;
    let pages = sim.pages("/users?$top=999&$select=id,mail", &[]).await;
    assert_eq!(pages.len(), N.div_ceil(999));
    assert_eq!(pages[0]["value"].as_array().unwrap().len(), 999);
    let all = items(&pages);
    assert_eq!(all.len(), N);
    let ids: HashSet<&str> = all.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), N);
    let link = pages[0]["@odata.nextLink"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{}/users?", sim.root())),
        "{link}"
    );
    assert!(
        link.contains("$top=999") && link.contains("$skiptoken="),
        "{link}"
    );
    assert!(pages.last().unwrap().get("@odata.nextLink").is_none());
}

#[tokio::test]
async fn count_comes_on_the_first_page_only_and_filters_page_too() {
    const N: usize = 1_200;
    let sim = start(scenario(many_users(N), vec![])).await;
    let eventual = [("ConsistencyLevel", "eventual")];
    let filter = enc("startswith(userPrincipalName,'user00')");
    let pages = sim
        .pages(
            &format!("/users?$count=true&$top=250&$filter={filter}"),
            &eventual,
        )
        .await;
    // user00001 .. user00999 start with "user00".
    assert_eq!(pages[0]["@odata.count"], 999);
    assert!(pages[1..].iter().all(|p| p.get("@odata.count").is_none()));
    assert_eq!(items(&pages).len(), 999);
    assert_eq!(pages.len(), 4);
    let without_header = sim.get("/users?$count=true&$top=5").await.json();
    assert!(
        without_header.get("@odata.count").is_none(),
        "$count=true alone is ignored"
    );
}

#[tokio::test]
async fn skiptokens_are_bound_to_their_query() {
    let sim = start(scenario(many_users(30), vec![])).await;
    let first = sim.get("/users?$top=10&$select=id").await.json();
    let link = first["@odata.nextLink"].as_str().unwrap().to_owned();
    let token = link.split("$skiptoken=").nth(1).unwrap().to_owned();
    assert_eq!(
        sim.get(&format!("/users?$top=10&$select=id&$skiptoken={token}"))
            .await
            .status,
        200
    );
    for other in [
        format!("/users?$top=11&$select=id&$skiptoken={token}"),
        format!("/users?$top=10&$select=mail&$skiptoken={token}"),
        format!("/groups?$top=10&$select=id&$skiptoken={token}"),
        "/users?$top=10&$select=id&$skiptoken=forged".to_owned(),
    ] {
        let r = sim.get(&other).await;
        assert_eq!(r.status, 400, "{other}");
        assert_eq!(r.error().0, "Request_BadRequest");
    }
}

#[tokio::test]
async fn a_page_sequence_is_stable_while_users_are_added() {
    let sim = start(scenario(many_users(20), vec![])).await;
    let first = sim
        .get("/users?$top=10&$select=userPrincipalName")
        .await
        .json();
    {
        let mut tenant = sim.sim.state.write_tenant();
        let mut extra = tenant.users[0].clone();
        extra.id = uuid::Uuid::new_v4();
        extra.user_principal_name = "late@contoso.com".to_owned();
        tenant.add_user(extra);
    }
    let rest = sim
        .pages_from(first["@odata.nextLink"].as_str().unwrap())
        .await;
    let upns: Vec<String> = items(&rest)
        .iter()
        .map(|u| u["userPrincipalName"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(upns.len(), 11);
    assert_eq!(
        upns.first().map(String::as_str),
        Some("user00011@contoso.com")
    );
    assert_eq!(upns.last().map(String::as_str), Some("late@contoso.com"));
}
