//! Group members and transitive members: nested groups with a cycle, non-user members, the user
//! cast in its spellings, `$count`, advanced-query rules, and the cached closure at scale.

use std::collections::BTreeSet;
use std::sync::Arc;

use mailfix_sim::model::ObjectRef;
use mailfix_sim::scenario::{MemberSpec, OtherSpec};
use serde_json::Value;

use super::graph_support::{Sim, enc, group, items, many_users, scenario, start, user};

fn u(local: &str) -> MemberSpec {
    MemberSpec::User(format!("{local}@contoso.com"))
}

async fn nested() -> Sim {
    let users = ["ann", "bob", "cat", "dan", "eli"]
        .map(|n| user(n, &n.to_uppercase()))
        .to_vec();
    let mut s = scenario(
        users,
        vec![
            group(
                "All Staff",
                vec![
                    u("ann"),
                    MemberSpec::Group("Sales".into()),
                    MemberSpec::Group("Ops".into()),
                    MemberSpec::Other("Laptop 1".into()),
                ],
            ),
            group(
                "Sales",
                vec![u("bob"), u("cat"), MemberSpec::Group("Ops".into())],
            ),
            group(
                "Ops",
                vec![
                    u("cat"),
                    u("dan"),
                    u("eli"),
                    MemberSpec::Group("All Staff".into()),
                    MemberSpec::Other("Vendor".into()),
                ],
            ),
        ],
    );
    s.others = vec![
        OtherSpec {
            kind: "device".into(),
            display_name: "Laptop 1".into(),
        },
        OtherSpec {
            kind: "orgContact".into(),
            display_name: "Vendor".into(),
        },
    ];
    let sim = start(s).await;
    sim.delete_user("eli@contoso.com");
    sim
}

fn typed(items: &[Value]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|i| {
            let t = i["@odata.type"].as_str().unwrap_or("(none)").to_owned();
            let name = i["displayName"].as_str().unwrap_or_default().to_owned();
            (t, name)
        })
        .collect()
}

fn set(pairs: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    pairs
        .iter()
        .map(|(t, n)| (format!("#microsoft.graph.{t}"), (*n).to_owned()))
        .collect()
}

#[tokio::test]
async fn members_are_direct_and_typed() {
    let sim = nested().await;
    let id = sim.group_id("All Staff");
    let body = sim.get(&format!("/groups/{id}/members")).await.json();
    assert!(
        body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#directoryObjects")
    );
    let value = body["value"].as_array().unwrap();
    assert_eq!(
        typed(value),
        set(&[
            ("user", "ANN"),
            ("group", "Sales"),
            ("group", "Ops"),
            ("device", "Laptop 1")
        ])
    );
    let r = sim
        .get_eventual(&format!("/groups/{id}/members/$count"))
        .await;
    assert_eq!((r.status, r.text.as_str()), (200, "4"));
    let users = sim
        .get(&format!("/groups/{id}/members/microsoft.graph.user"))
        .await
        .json();
    assert_eq!(users["value"].as_array().unwrap().len(), 1);
    assert!(users["value"][0].get("@odata.type").is_none());
}

#[tokio::test]
async fn transitive_members_flatten_nesting_tolerate_the_cycle_and_dedupe() {
    let sim = nested().await;
    let id = sim.group_id("All Staff");
    let body = sim
        .get(&format!("/groups/{id}/transitiveMembers"))
        .await
        .json();
    let value = body["value"].as_array().unwrap();
    assert_eq!(
        typed(value),
        set(&[
            ("user", "ANN"),
            ("user", "BOB"),
            ("user", "CAT"),
            ("user", "DAN"),
            ("group", "Sales"),
            ("group", "Ops"),
            ("device", "Laptop 1"),
            ("orgContact", "Vendor"),
        ])
    );
    assert_eq!(
        value.len(),
        8,
        "each member once, the deleted user and the group itself left out"
    );
    let eventual = [("ConsistencyLevel", "eventual")];
    for cast in ["microsoft.graph.user", "graph.user", "Microsoft.Graph.User"] {
        for segment in ["transitiveMembers", "transitivemembers"] {
            let path =
                format!("/groups/{id}/{segment}/{cast}?$count=true&$select=displayName,mail");
            let r = sim.send("GET", &path, &eventual, None).await;
            assert_eq!(r.status, 200, "{path}: {}", r.text);
            let body = r.json();
            assert_eq!(body["@odata.count"], 4, "{path}");
            assert!(
                body["@odata.context"]
                    .as_str()
                    .unwrap()
                    .ends_with("$metadata#users(displayName,mail)")
            );
            let names: BTreeSet<&str> = body["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["displayName"].as_str().unwrap())
                .collect();
            assert_eq!(names, BTreeSet::from(["ANN", "BOB", "CAT", "DAN"]));
        }
    }
    let r = sim
        .get_eventual(&format!(
            "/groups/{id}/transitiveMembers/microsoft.graph.user/$count"
        ))
        .await;
    assert_eq!(r.text, "4");
    let r = sim
        .get_eventual(&format!("/groups/{id}/transitiveMembers/$count"))
        .await;
    assert_eq!(r.text, "8");
    let groups = sim
        .get_eventual(&format!(
            "/groups/{id}/transitiveMembers/microsoft.graph.group?$count=true"
        ))
        .await
        .json();
    assert_eq!(groups["@odata.count"], 2);
}

#[tokio::test]
async fn casts_and_filters_on_transitive_members_need_advanced_parameters() {
    let sim = nested().await;
    let id = sim.group_id("All Staff");
    let filter = enc("startswith(displayName,'a')");
    for path in [
        format!("/groups/{id}/transitiveMembers/microsoft.graph.user"),
        format!("/groups/{id}/transitiveMembers?$filter={filter}"),
        format!("/groups/{id}/transitiveMembers/microsoft.graph.user?$count=true"),
    ] {
        let r = sim.get(&path).await;
        assert_eq!(r.status, 400, "{path}");
        assert_eq!(r.error().0, "Request_UnsupportedQuery");
    }
    let ok = sim
        .get_eventual(&format!(
            "/groups/{id}/transitiveMembers/microsoft.graph.user?$count=true&$filter={filter}"
        ))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json()["value"][0]["displayName"], "ANN");
    assert_eq!(
        sim.get("/groups/0e226165-c685-41ce-8bfc-df8360ab325d/members")
            .await
            .status,
        404
    );
    assert_eq!(
        sim.get(&format!("/groups/{id}/members/microsoft.graph.unicorn"))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn groups_filter_by_display_name_and_get_by_id() {
    let sim = nested().await;
    let body = sim
        .get(&format!(
            "/groups?$filter={}",
            enc("displayName eq 'sales'")
        ))
        .await
        .json();
    assert_eq!(body["value"].as_array().unwrap().len(), 1);
    let id = body["value"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(id, sim.group_id("Sales"));
    let starts = sim
        .get(&format!(
            "/groups?$filter={}&$select=displayName",
            enc("startswith(displayName,'o')")
        ))
        .await
        .json();
    assert_eq!(
        starts["value"],
        serde_json::json!([{"id": sim.group_id("Ops"), "displayName": "Ops"}])
    );
    let one = sim.get(&format!("/groups/{id}")).await.json();
    assert_eq!(one["displayName"], "Sales");
    assert_eq!(sim.get_eventual("/groups/$count").await.text, "3");
    assert_eq!(sim.get("/groups/not-a-guid").await.status, 404);
}

#[tokio::test]
async fn transitive_members_page_at_scale_from_a_cached_closure() {
    const N: usize = 20_000;
    let mut s = scenario(many_users(N), vec![]);
    let half: Vec<MemberSpec> = (1..=N / 2).map(|i| u(&format!("user{i:05}"))).collect();
    let rest: Vec<MemberSpec> = (N / 2 + 1..=N).map(|i| u(&format!("user{i:05}"))).collect();
    let mut top = half;
    top.push(MemberSpec::Group("Inner".into()));
    s.groups = vec![group("Everyone", top), group("Inner", rest)];
    let sim = start(s).await;
    let id = sim.group_id("Everyone");
    let eventual = [("ConsistencyLevel", "eventual")];
    let pages = sim
        .pages(&format!("/groups/{id}/transitiveMembers/microsoft.graph.user?$count=true&$top=999&$select=id"), &eventual)
        .await;
    assert_eq!(pages.len(), N.div_ceil(999));
    assert_eq!(pages[0]["@odata.count"], N);
    assert_eq!(items(&pages).len(), N);
    let state = &sim.sim.state;
    let (g, first) = {
        let tenant = state.read_tenant();
        let g = tenant.groups_named("Everyone")[0];
        (g, tenant.transitive_members(g))
    };
    assert!(
        Arc::ptr_eq(&first, &state.read_tenant().transitive_members(g)),
        "the closure is cached"
    );
    let mut tenant = state.write_tenant();
    let mut copy = tenant.users[0].clone();
    copy.id = uuid::Uuid::new_v4();
    copy.user_principal_name = "copy@contoso.com".to_owned();
    let extra = tenant.add_user(copy);
    let inner = tenant.groups_named("Inner")[0];
    assert!(tenant.add_group_member(inner, ObjectRef::User(extra)));
    let after = tenant.transitive_members(g);
    assert!(
        !Arc::ptr_eq(&first, &after),
        "a membership change drops the cache"
    );
    assert_eq!(after.user_positions.len(), N + 1);
}
