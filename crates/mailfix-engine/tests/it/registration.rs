//! The registration report against a service that refuses `or` in its `$filter` (only `eq` is
//! documented): the engine falls back to one read per filter and still finds every row once.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::routing::{get, post};
use mailfix_client::{Client, ClientConfig, Cloud, Credential, Endpoints, Secret};
use mailfix_engine::collect::registrations;
use serde_json::{Value, json};

fn row(id: &str, sspr: bool, mfa: bool) -> Value {
    json!({"id": id, "isSsprRegistered": sspr, "isMfaRegistered": mfa, "methodsRegistered": []})
}

/// A token endpoint and a report that answers 400 to `or` and filters `eq false` itself.
fn service(queries: Arc<Mutex<Vec<String>>>) -> Router {
    let token = || async {
        Json(json!({"access_token": "e30.e30.sig", "token_type": "Bearer", "expires_in": 3600}))
    };
    let report = move |RawQuery(query): RawQuery| {
        let queries = queries.clone();
        async move {
            let query = query
                .unwrap_or_default()
                .replace("%20", " ")
                .replace('+', " ");
            queries.lock().unwrap().push(query.clone());
            if query.contains(" or ") {
                let error = json!({"error": {"code": "Request_UnsupportedQuery", "message": "Unsupported filter."}});
                return (StatusCode::BAD_REQUEST, Json(error));
            }
            let rows = [
                row("a", false, false),
                row("b", true, false),
                row("c", true, true),
            ];
            let property = if query.contains("isSsprRegistered") {
                "isSsprRegistered"
            } else {
                "isMfaRegistered"
            };
            let value: Vec<Value> = rows.into_iter().filter(|r| r[property] == false).collect();
            (StatusCode::OK, Json(json!({"value": value})))
        }
    };
    Router::new()
        .route("/contoso.onmicrosoft.com/oauth2/v2.0/token", post(token))
        .route(
            "/v1.0/reports/authenticationMethods/userRegistrationDetails",
            get(report),
        )
}

#[tokio::test]
async fn a_refused_or_filter_falls_back_to_one_read_per_filter() {
    let queries = Arc::new(Mutex::new(Vec::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = service(queries.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let credential = Credential::Secret {
        client_id: "app".into(),
        secret: Secret::new("s"),
    };
    let mut config = ClientConfig::new("contoso.onmicrosoft.com", credential);
    config.endpoints = Endpoints::for_cloud(Cloud::Global)
        .with_login(&url)
        .with_graph(&url)
        .with_exchange(&url);
    let client = Client::new(config).unwrap();
    let found = registrations(&client).await.unwrap();
    assert_eq!(found.len(), 2, "a (both), b (MFA only); c is registered");
    assert_eq!(
        found
            .get("a")
            .map(|r| (r.sspr_registered, r.mfa_registered)),
        Some((false, false))
    );
    assert_eq!(
        found
            .get("b")
            .map(|r| (r.sspr_registered, r.mfa_registered)),
        Some((true, false))
    );
    assert!(found.get("c").is_none());
    let queries = queries.lock().unwrap().clone();
    assert_eq!(queries.len(), 3, "{queries:?}");
    assert!(queries[0].contains(" or "));
}
