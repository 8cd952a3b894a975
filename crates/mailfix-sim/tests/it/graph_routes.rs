//! The Graph surface as a whole: unknown routes and wrong methods answer Graph-shaped errors,
//! every answer carries `request-id` / `client-request-id` and Graph's content type, URL spellings
//! Graph accepts are accepted, and `/me` needs a delegated token.

use mailfix_sim::identity::Audience;

use super::graph_support::{scenario, start, user};

#[tokio::test]
async fn unknown_segments_answer_graph_errors_never_200() {
    let sim = start(scenario(vec![user("ann", "Ann Lee")], vec![])).await;
    for (path, segment) in [
        ("/contacts", "contacts"),
        ("/users/ann@contoso.com/manager", "manager"),
        (
            "/users/ann@contoso.com/authentication/fido2Methods",
            "fido2Methods",
        ),
        (
            "/groups/0e226165-c685-41ce-8bfc-df8360ab325d/owners",
            "owners",
        ),
    ] {
        let r = sim.get(path).await;
        assert_eq!(r.status, 400, "{path}");
        assert_eq!(
            r.error(),
            (
                "BadRequest".to_owned(),
                format!("Resource not found for the segment '{segment}'.")
            ),
            "{path}"
        );
    }
    let r = sim.get("/users/nobody@contoso.com").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.error().0, "Request_ResourceNotFound");
    let beta = sim
        .raw(
            "GET",
            &format!("{}/beta/users", sim.sim.base_url),
            &[],
            None,
        )
        .await;
    assert_eq!(beta.status, 400);
    assert_eq!(beta.error().0, "BadRequest");
}

#[tokio::test]
async fn wrong_methods_answer_405_in_graph_shape() {
    let sim = start(scenario(vec![user("ann", "Ann Lee")], vec![])).await;
    for (method, path) in [
        ("DELETE", "/users/ann@contoso.com"),
        ("POST", "/users"),
        ("GET", "/$batch"),
    ] {
        let r = sim.send(method, path, &[], None).await;
        assert_eq!(r.status, 405, "{method} {path}");
        assert_eq!(
            r.error(),
            (
                "Request_BadRequest".to_owned(),
                "Specified HTTP method is not allowed for the request target.".to_owned()
            )
        );
    }
}

#[tokio::test]
async fn every_answer_carries_request_ids_and_the_odata_content_type() {
    let sim = start(scenario(vec![user("ann", "Ann Lee")], vec![])).await;
    let r = sim.get("/users").await;
    assert_eq!(r.status, 200);
    let request_id = r.header("request-id").expect("request-id").to_owned();
    assert_eq!(r.header("client-request-id"), Some(request_id.as_str()));
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json;odata.metadata=minimal")
    );
    let mine = "8ed1b0a4-5b8f-4c11-9a42-000000000001";
    let r = sim
        .send(
            "GET",
            "/users/nobody@contoso.com",
            &[("client-request-id", mine)],
            None,
        )
        .await;
    assert_eq!(r.header("client-request-id"), Some(mine));
    let body = r.json();
    assert_eq!(body["error"]["innerError"]["client-request-id"], mine);
    assert_eq!(
        body["error"]["innerError"]["request-id"].as_str(),
        r.header("request-id")
    );
    assert_ne!(r.header("request-id"), Some(request_id.as_str()));
}

#[tokio::test]
async fn graph_url_spellings_are_accepted() {
    let sim = start(scenario(vec![user("ann", "Ann Lee")], vec![])).await;
    for path in [
        "/users('ann@contoso.com')",
        "/Users/ann@contoso.com",
        "/USERS/ANN@CONTOSO.COM/",
        "/users/ann%40contoso.com",
    ] {
        let r = sim.get(path).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        assert_eq!(r.json()["displayName"], "Ann Lee", "{path}");
    }
    assert_eq!(sim.get("/users/delta()").await.status, 200);
    assert_eq!(sim.get("/users/microsoft.graph.delta()").await.status, 200);
}

#[tokio::test]
async fn me_needs_a_delegated_token() {
    let sim = start(scenario(vec![user("ann", "Ann Lee")], vec![])).await;
    let r = sim.get("/me").await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.error().1,
        "/me request is only valid with delegated authentication flow."
    );
    let delegated = sim.token_for(&["User.Read.All"], Some("ann@contoso.com"), Audience::Graph);
    let auth = format!("Bearer {delegated}");
    let r = sim
        .raw(
            "GET",
            &format!("{}/me", sim.root()),
            &[("Authorization", &auth)],
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["userPrincipalName"], "ann@contoso.com");
}
