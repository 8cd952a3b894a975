//! Token endpoint errors: status, OAuth error, AADSTS code and the JSON keys of docs/protocol.md §5.1, and
//! no secret in any answer.

use crate::login_support::{GRAPH_SCOPE, Sim, assert_aadsts};

#[tokio::test]
async fn a_wrong_secret_is_7000215_invalid_client_401_without_echoing_it() {
    let sim = Sim::start().await;
    let client_id = sim.sim.info.client_id.clone();
    let (status, headers, body) = sim
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", "wrong-secret-value"),
            ("scope", GRAPH_SCOPE),
        ])
        .await;
    assert_aadsts(status, &body, 401, "invalid_client", 7000215);
    assert_eq!(headers["cache-control"], "no-store, no-cache");
    assert!(!body.to_string().contains("wrong-secret-value"));
    assert!(!body.to_string().contains(&sim.sim.info.client_secret));
    assert_eq!(
        body["error_uri"],
        "https://login.microsoftonline.com/error?code=7000215"
    );
}

#[tokio::test]
async fn an_unknown_app_is_700016_unauthorized_client() {
    let sim = Sim::start().await;
    let (status, _, body) = sim
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", "11111111-2222-3333-4444-555555555555"),
            ("client_secret", "whatever"),
            ("scope", GRAPH_SCOPE),
        ])
        .await;
    assert_aadsts(status, &body, 400, "unauthorized_client", 700016);
    let description = body["error_description"].as_str().unwrap();
    assert!(description.contains("'11111111-2222-3333-4444-555555555555' was not found"));
}

#[tokio::test]
async fn an_unknown_tenant_is_90002_invalid_request() {
    let sim = Sim::start().await;
    let info = &sim.sim.info;
    let url = sim.url("/nosuchtenant.onmicrosoft.com/oauth2/v2.0/token");
    let form = sim.secret_form(GRAPH_SCOPE);
    let (status, _, body) = sim.post_form(&url, &form).await;
    assert_aadsts(status, &body, 400, "invalid_request", 90002);
    assert!(!body.to_string().contains(&info.client_secret));
}

#[tokio::test]
async fn bad_scopes_are_70011_invalid_scope() {
    let sim = Sim::start().await;
    for scope in [
        "https://foo.microsoft.com/.default",
        "https://graph.microsoft.com/User.Read.All",
        "https://graph.microsoft.com/.default https://outlook.office365.com/.default",
    ] {
        let (status, _, body) = sim.secret_token(scope).await;
        assert_aadsts(status, &body, 400, "invalid_scope", 70011);
        let description = body["error_description"].as_str().unwrap();
        assert!(
            description.contains(&format!("The scope {scope} is not valid.")),
            "{description}"
        );
    }
}

#[tokio::test]
async fn protocol_errors_name_what_is_wrong() {
    let sim = Sim::start().await;
    let client_id = sim.sim.info.client_id.clone();
    type Form<'a> = &'a [(&'a str, &'a str)];
    let cases: [(Form, u16, &str, u64); 4] = [
        (&[("client_id", &client_id)], 400, "invalid_request", 900144),
        (
            &[("grant_type", "password"), ("client_id", &client_id)],
            400,
            "unsupported_grant_type",
            70003,
        ),
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client_id),
                ("scope", GRAPH_SCOPE),
            ],
            401,
            "invalid_client",
            7000218,
        ),
        (
            &[("grant_type", "client_credentials"), ("scope", GRAPH_SCOPE)],
            400,
            "invalid_request",
            900144,
        ),
    ];
    for (form, status_wanted, error, code) in cases {
        let (status, _, body) = sim.token(form).await;
        assert_aadsts(status, &body, status_wanted, error, code);
    }
}

#[tokio::test]
async fn client_credentials_need_a_tenant_and_a_post() {
    let sim = Sim::start().await;
    let form = sim.secret_form(GRAPH_SCOPE);
    let (status, _, body) = sim
        .post_form(&sim.url("/common/oauth2/v2.0/token"), &form)
        .await;
    assert_aadsts(status, &body, 400, "invalid_request", 9001023);
    let response = sim.http.get(sim.token_url()).send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.json().await.unwrap();
    assert_aadsts(status, &body, 400, "invalid_request", 900561);
}

#[tokio::test]
async fn the_clients_correlation_id_comes_back() {
    let sim = Sim::start().await;
    let correlation = "0d6c1f9e-3c5b-4b8e-9d0a-6f1e2a3b4c5d";
    let response = sim
        .http
        .post(sim.token_url())
        .header("client-request-id", correlation)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["correlation_id"], correlation);
}

#[tokio::test]
async fn secrets_stay_out_of_debug_output() {
    let sim = Sim::start().await;
    let info = &sim.sim.info;
    let secret = info.client_secret.clone();
    let limited = info.limited_client_secret.clone().unwrap();
    let shown = format!("{info:?} {:?}", sim.sim.state.read_tenant().apps);
    assert!(
        !shown.contains(&secret) && !shown.contains(&limited),
        "{shown}"
    );
    let form = mailfix_sim::identity::grants::TokenForm {
        client_secret: Some(secret.clone()),
        refresh_token: Some("1.refresh-token-value".into()),
        ..Default::default()
    };
    let shown = format!("{form:?} {:?}", sim.sim.state.identity);
    assert!(
        !shown.contains(&secret) && !shown.contains("refresh-token-value"),
        "{shown}"
    );
}
