//! `$filter` on users: the operators mailfix uses, the advanced-query rules with Graph's error
//! texts, `$search`, and the lag of the eventually consistent index behind writes.

use std::time::Duration;

use serde_json::{Value, json};

use super::graph_support::{EXO_PLAN_1, Sim, enc, mailbox_user, scenario, start, user};

async fn tenant() -> Sim {
    let mut empty = mailbox_user("eve", "Eve Empty");
    empty.mail = None;
    let mut synced = mailbox_user("sam", "Sam Synced");
    synced.synced = Some(true);
    let mut guest = user("gil_fabrikam.com#EXT#", "Gil Guest");
    guest.guest = true;
    guest.mail = Some("gil@fabrikam.com".to_owned());
    let mut off = user("otto", "Otto Off");
    off.enabled = false;
    let mut alias = mailbox_user("ali", "Ali Alias");
    alias.mailbox.as_mut().unwrap().extra_addresses =
        vec!["smtp:ali.forcemailwriteback@contoso.onmicrosoft.com".to_owned()];
    sim_with(vec![
        mailbox_user("ann", "Ann Lee"),
        empty,
        synced,
        guest,
        off,
        alias,
    ])
    .await
}

async fn sim_with(users: Vec<mailfix_sim::scenario::UserSpec>) -> Sim {
    start(scenario(users, vec![])).await
}

/// The UPNs (local parts) a filter returns, as an advanced query.
async fn upns(sim: &Sim, filter: &str) -> Vec<String> {
    let r = sim
        .get_eventual(&format!(
            "/users?$count=true&$select=userPrincipalName&$filter={}",
            enc(filter)
        ))
        .await;
    assert_eq!(r.status, 200, "{filter}: {}", r.text);
    let mut out: Vec<String> = r.json()["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            u["userPrincipalName"]
                .as_str()
                .unwrap()
                .split('@')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn filters_select_the_right_users() {
    let sim = tenant().await;
    let cases: &[(&str, &[&str])] = &[
        ("mail eq null", &["eve", "otto"]),
        (
            "mail ne null and accountEnabled eq true",
            &["ali", "ann", "gil_fabrikam.com#EXT#", "sam"],
        ),
        ("accountEnabled eq false", &["otto"]),
        ("userType eq 'Guest'", &["gil_fabrikam.com#EXT#"]),
        (
            "userType ne 'Guest' and onPremisesSyncEnabled eq true",
            &["sam"],
        ),
        (
            "userPrincipalName in ('ANN@contoso.com', 'otto@contoso.com')",
            &["ann", "otto"],
        ),
        ("startswith(displayName,'a')", &["ali", "ann"]),
        ("endswith(mail,'@fabrikam.com')", &["gil_fabrikam.com#EXT#"]),
        (
            "endswith(userPrincipalName,'#EXT#@contoso.com')",
            &["gil_fabrikam.com#EXT#"],
        ),
        (
            "not(startswith(displayName,'a')) and mail ne null",
            &["gil_fabrikam.com#EXT#", "sam"],
        ),
        (
            "proxyAddresses/any(p:startswith(p,'smtp:ali.forcemailwriteback@'))",
            &["ali"],
        ),
        (
            "proxyAddresses/any(p:endswith(p,'.onmicrosoft.com'))",
            &["ali"],
        ),
        (
            &format!("assignedPlans/any(a:a/servicePlanId eq {EXO_PLAN_1}) and mail eq null"),
            &["eve"],
        ),
        (
            "mailNickname eq 'otto' or displayName eq 'sam synced'",
            &["otto", "sam"],
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(upns(&sim, filter).await, *expected, "{filter}");
    }
}

#[tokio::test]
async fn advanced_operators_need_consistency_level_and_count() {
    let sim = tenant().await;
    let template = |op: &str| {
        format!(
            "Operator '{op}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information"
        )
    };
    let cases = [
        (
            "mail ne null",
            "Filter operator 'NotEqualsMatch' is not supported.".to_owned(),
        ),
        ("endswith(mail,'@contoso.com')", template("endsWith")),
        ("not(accountEnabled eq true)", template("not")),
        ("mail eq null", template("eq null")),
    ];
    for (filter, message) in &cases {
        for (headers, count) in [
            (&[][..], "&$count=true"),
            (&[("ConsistencyLevel", "eventual")][..], ""),
        ] {
            let path = format!("/users?$filter={}{count}", enc(filter));
            let r = sim.send("GET", &path, headers, None).await;
            assert_eq!(r.status, 400, "{filter} {headers:?}");
            assert_eq!(
                r.error(),
                ("Request_UnsupportedQuery".to_owned(), message.clone()),
                "{filter}"
            );
        }
    }
    let r = sim.get("/users/$count").await;
    assert_eq!(
        (r.status, r.error()),
        (
            400,
            (
                "Request_BadRequest".to_owned(),
                "$count is not currently supported.".to_owned()
            )
        )
    );
    let r = sim
        .get(&format!("/users?$search={}", enc("\"displayName:ann\"")))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.error().1,
        "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"
    );
    let r = sim
        .get(&format!(
            "/users?$filter={}&$orderby=displayName",
            enc("accountEnabled eq true")
        ))
        .await;
    assert_eq!(r.error().1, "Sorting not supported for current query.");
    let r = sim
        .get(&format!("/users?$filter={}", enc("faxNumber eq '1'")))
        .await;
    assert_eq!(
        r.error(),
        (
            "Request_UnsupportedQuery".to_owned(),
            "Unsupported or invalid query filter clause specified for property 'faxNumber' of resource 'User'.".to_owned()
        )
    );
}

#[tokio::test]
async fn search_and_orderby_work_in_advanced_queries() {
    let sim = tenant().await;
    let path = format!(
        "/users?$search={}&$orderby=displayName desc&$count=true&$select=displayName",
        enc("\"displayName:a\" OR \"displayName:sam\"")
    );
    let body = sim.get_eventual(&path).await.json();
    let names: Vec<&str> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Sam Synced", "Ann Lee", "Ali Alias"]);
    assert_eq!(body["@odata.count"], 3);
}

#[tokio::test]
async fn advanced_queries_lag_behind_writes_until_the_index_catches_up() {
    let sim = tenant().await;
    let lag = sim.sim.state.behaviour().consistency_lag_s;
    assert!(lag > 0.0);
    let r = sim
        .send(
            "PATCH",
            "/users/eve@contoso.com",
            &[],
            Some(json!({"mail": "eve@contoso.com"})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    // A direct read sees the write at once; the eventually consistent index does not yet.
    assert_eq!(
        sim.get("/users/eve@contoso.com").await.json()["mail"],
        "eve@contoso.com"
    );
    assert_eq!(upns(&sim, "mail eq null").await, ["eve", "otto"]);
    let plain = sim
        .get(&format!(
            "/users?$filter={}",
            enc("mail eq 'eve@contoso.com'")
        ))
        .await
        .json();
    assert_eq!(plain["value"].as_array().unwrap().len(), 1);
    sim.sim
        .state
        .clock
        .advance(Duration::from_secs_f64(lag + 1.0));
    assert_eq!(upns(&sim, "mail eq null").await, ["otto"]);
}

#[tokio::test]
async fn a_knob_lets_mail_eq_null_work_without_advanced_parameters() {
    let sim = tenant().await;
    let path = format!("/users?$filter={}", enc("mail eq null"));
    assert_eq!(sim.get(&path).await.status, 400);
    sim.sim
        .state
        .behaviour
        .write()
        .unwrap()
        .limits
        .insert("graph_mail_eq_null_without_advanced".to_owned(), 1.0);
    let r = sim.get(&path).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["value"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        sim.get(&format!("/users?$filter={}", enc("mail ne null")))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn malformed_filters_are_400() {
    let sim = tenant().await;
    for bad in [
        "mail eq",
        "mail eq 'x",
        "contains(mail,'x')",
        "accountEnabled eq 'yes'",
    ] {
        let r = sim.get(&format!("/users?$filter={}", enc(bad))).await;
        assert_eq!(r.status, 400, "{bad}");
        let v: Value = r.json();
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
}
