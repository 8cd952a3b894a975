//! `/users`: default property set, `$select`, get by id or UPN, `$top` limits, PATCH with Graph's
//! rules (synced users, proxy conflicts, read-only and unknown properties), deleted users hidden.

use serde_json::json;

use super::graph_support::{keys, mailbox_user, scenario, start, user};

const DEFAULT: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "id",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
];

#[tokio::test]
async fn get_by_id_or_upn_returns_the_default_property_set() {
    let sim = start(scenario(vec![mailbox_user("ann", "Ann Lee")], vec![])).await;
    let id = sim.user_id("ann@contoso.com");
    for key in [id.as_str(), "ann@contoso.com", "ANN@contoso.com"] {
        let r = sim.get(&format!("/users/{key}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let body = r.json();
        let mut expected: Vec<String> = DEFAULT.iter().map(|s| (*s).to_owned()).collect();
        expected.push("@odata.context".to_owned());
        expected.sort();
        assert_eq!(keys(&body), expected);
        assert_eq!(body["id"], id.as_str());
        assert_eq!(body["mail"], "ann@contoso.com");
        assert!(
            body["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("/v1.0/$metadata#users/$entity")
        );
    }
}

#[tokio::test]
async fn select_returns_exactly_the_selected_properties() {
    let mut ann = mailbox_user("ann", "Ann Lee");
    ann.synced = Some(true);
    let sim = start(scenario(vec![ann], vec![])).await;
    let r = sim
        .get("/users/ann@contoso.com?$select=mail,proxyAddresses,onPremisesSyncEnabled,assignedPlans,postalCode")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let body = r.json();
    assert_eq!(
        keys(&body),
        [
            "@odata.context",
            "assignedPlans",
            "mail",
            "onPremisesSyncEnabled",
            "postalCode",
            "proxyAddresses"
        ]
    );
    assert!(body["@odata.context"].as_str().unwrap().ends_with(
        "$metadata#users(mail,proxyAddresses,onPremisesSyncEnabled,assignedPlans,postalCode)/$entity"
    ));
    assert_eq!(body["onPremisesSyncEnabled"], true);
    assert_eq!(body["postalCode"], serde_json::Value::Null);
    assert_eq!(body["proxyAddresses"], json!(["SMTP:ann@contoso.com"]));
    let plan = &body["assignedPlans"][0];
    assert_eq!(
        keys(plan),
        [
            "assignedDateTime",
            "capabilityStatus",
            "service",
            "servicePlanId"
        ]
    );
    let r = sim
        .get("/users/ann@contoso.com?$select=mail,shoeSize")
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.error().1,
        "Could not find a property named 'shoeSize' on type 'microsoft.graph.user'."
    );
}

#[tokio::test]
async fn top_is_bounded_by_999() {
    let sim = start(scenario(vec![user("ann", "Ann Lee")], vec![])).await;
    assert_eq!(sim.get("/users?$top=999").await.status, 200);
    for top in ["1000", "0"] {
        let r = sim.get(&format!("/users?$top={top}")).await;
        assert_eq!(r.status, 400);
        assert_eq!(
            r.error().1,
            format!("Invalid page size specified: '{top}'. Must be between 1 and 999 inclusive.")
        );
    }
    let r = sim.get("/users?$skip=5").await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn patch_updates_writable_properties_with_204() {
    let sim = start(scenario(vec![user("ann", "Ann Lee")], vec![])).await;
    let r = sim
        .send(
            "PATCH",
            "/users/ann@contoso.com",
            &[],
            Some(json!({"mobilePhone": "+61 412345678", "officeLocation": "18/2111"})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert!(r.text.is_empty());
    let body = sim.get("/users/ann@contoso.com").await.json();
    assert_eq!(body["mobilePhone"], "+61 412345678");
    let r = sim
        .send(
            "PATCH",
            "/users/ann@contoso.com",
            &[],
            Some(json!({"mail": "ann.lee@contoso.com"})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let body = sim
        .get("/users/ann@contoso.com?$select=mail,proxyAddresses")
        .await
        .json();
    assert_eq!(body["mail"], "ann.lee@contoso.com");
    assert_eq!(body["proxyAddresses"][0], "SMTP:ann.lee@contoso.com");
}

#[tokio::test]
async fn patch_follows_graph_rules() {
    let mut synced = user("sam", "Sam Synced");
    synced.synced = Some(true);
    let sim = start(scenario(
        vec![
            user("ann", "Ann Lee"),
            mailbox_user("bob", "Bob Holt"),
            synced,
        ],
        vec![],
    ))
    .await;
    let patch = |upn: &str, body: serde_json::Value| {
        let path = format!("/users/{upn}");
        let sim = &sim;
        async move { sim.send("PATCH", &path, &[], Some(body)).await }
    };
    let r = patch("sam@contoso.com", json!({"mail": "sam@contoso.com"})).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.error(),
        (
            "Request_BadRequest".to_owned(),
            "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.".to_owned()
        )
    );
    let r = patch("ann@contoso.com", json!({"mail": "BOB@contoso.com"})).await;
    assert_eq!(r.status, 400);
    let body = r.json();
    assert_eq!(
        body["error"]["message"],
        "Another object with the same value for property proxyAddresses already exists."
    );
    assert_eq!(body["error"]["details"][0]["code"], "ObjectConflict");
    assert_eq!(
        body["error"]["details"][1]["target"],
        sim.user_id("bob@contoso.com")
    );
    let r = patch("ann@contoso.com", json!({"mail": null})).await;
    assert_eq!(r.status, 400);
    let r = patch(
        "ann@contoso.com",
        json!({"proxyAddresses": ["smtp:x@contoso.com"]}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.error().1,
        "Property 'proxyAddresses' is read-only and cannot be set."
    );
    let r = patch("ann@contoso.com", json!({"shoeSize": 42})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error().0, "BadRequest");
    let r = patch("nobody@contoso.com", json!({"mobilePhone": null})).await;
    assert_eq!(r.status, 404);
    let unchanged = sim.get("/users/ann@contoso.com?$select=mail").await.json();
    assert_eq!(unchanged["mail"], serde_json::Value::Null);
}

#[tokio::test]
async fn deleted_users_are_gone_from_lists_and_gets() {
    let sim = start(scenario(
        vec![user("ann", "Ann Lee"), user("bob", "Bob Holt")],
        vec![],
    ))
    .await;
    let bob = sim.user_id("bob@contoso.com");
    sim.delete_user("bob@contoso.com");
    let list = sim.get("/users").await.json();
    let upns: Vec<&str> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userPrincipalName"].as_str().unwrap())
        .collect();
    assert_eq!(upns, ["ann@contoso.com"]);
    assert_eq!(sim.get(&format!("/users/{bob}")).await.status, 404);
    let count = sim.get_eventual("/users/$count").await;
    assert_eq!((count.status, count.text.as_str()), (200, "1"));
}
