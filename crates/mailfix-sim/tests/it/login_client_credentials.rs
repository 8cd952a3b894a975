//! Client credentials with a secret: form and HTTP Basic, Graph and Exchange, tenant by id or domain,
//! the response's keys and headers as recorded, and tokens the resources accept.

use base64::Engine as _;
use mailfix_sim::identity::Audience;

use crate::login_support::{EXCHANGE_SCOPE, GRAPH_SCOPE, OTHER_DOMAIN, Sim, claims, sorted_keys};

#[tokio::test]
async fn secret_in_the_form_gets_a_graph_token_with_the_apps_roles() {
    let sim = Sim::start().await;
    let (status, headers, body) = sim.secret_token(GRAPH_SCOPE).await;
    assert_eq!(status, 200, "{body}");
    // Keys and order of the recorded response (tests/fixtures/recorded/entra-recorded-client-credentials.json).
    let keys = sorted_keys(&body);
    assert_eq!(
        keys,
        ["access_token", "expires_in", "ext_expires_in", "token_type"]
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(headers["cache-control"], "no-store, no-cache");
    assert_eq!(headers["pragma"], "no-cache");
    assert_eq!(headers["expires"], "-1");
    assert_eq!(headers["content-type"], "application/json; charset=utf-8");

    let token = body["access_token"].as_str().unwrap();
    let caller = sim.verify(token, Audience::Graph);
    assert_eq!(caller.app_id, sim.sim.info.client_id);
    assert_eq!(caller.tenant_id, sim.sim.info.tenant_id);
    let main = crate::example_scenario::scenario()
        .apps
        .into_iter()
        .find(|a| a.role == "main")
        .unwrap();
    assert_eq!(caller.roles, main.graph_roles);
    assert_eq!(caller.directory_roles, ["Exchange Administrator"]);
    let header = format!("Bearer {token}");
    let now = sim.sim.state.clock.now();
    assert!(
        sim.sim
            .state
            .identity
            .verify(Some(&header), Audience::Exchange, now)
            .is_err()
    );
}

#[tokio::test]
async fn http_basic_client_authentication_works_for_exchange() {
    let sim = Sim::start().await;
    let info = &sim.sim.info;
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", info.client_id, info.client_secret));
    let response = sim
        .http
        .post(sim.token_url())
        .header("authorization", format!("Basic {basic}"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", EXCHANGE_SCOPE),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    let claims = claims(body["access_token"].as_str().unwrap());
    assert_eq!(claims["aud"], "https://outlook.office365.com");
    assert_eq!(claims["roles"], serde_json::json!(["Exchange.ManageAsApp"]));
    assert_eq!(claims["appid"], info.client_id.as_str());
}

#[tokio::test]
async fn the_tenant_may_be_named_by_any_of_its_domains() {
    let sim = Sim::start().await;
    let info = &sim.sim.info;
    let shouting = OTHER_DOMAIN.to_ascii_uppercase();
    for tenant in [info.tenant_domain.as_str(), &shouting] {
        let url = sim.url(&format!("/{tenant}/oauth2/v2.0/token"));
        let (status, _, body) = sim.post_form(&url, &sim.secret_form(GRAPH_SCOPE)).await;
        assert_eq!(status, 200, "{tenant}: {body}");
        assert_eq!(
            claims(body["access_token"].as_str().unwrap())["tid"],
            info.tenant_id.as_str()
        );
    }
}

#[tokio::test]
async fn expires_in_is_the_lifetime_in_wall_clock_seconds() {
    // At 60x, the default 3599 simulated seconds pass in just under a minute.
    let sim = Sim::with(|o| o.time_scale = 60.0).await;
    let (status, _, body) = sim.secret_token(GRAPH_SCOPE).await;
    assert_eq!(status, 200);
    assert_eq!(body["expires_in"], 59);
    assert_eq!(body["ext_expires_in"], 59);
    let claims = claims(body["access_token"].as_str().unwrap());
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 3599, "exp is in simulated time");
}

#[tokio::test]
async fn limited_app_gets_only_its_own_roles() {
    let sim = Sim::start().await;
    let info = &sim.sim.info;
    let limited = info.limited_client_id.clone().unwrap();
    assert_eq!(limited, sim.client_id("limited"));
    let (status, _, body) = sim
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &limited),
            (
                "client_secret",
                info.limited_client_secret.as_deref().unwrap(),
            ),
            ("scope", GRAPH_SCOPE),
        ])
        .await;
    assert_eq!(status, 200);
    let caller = sim.verify(body["access_token"].as_str().unwrap(), Audience::Graph);
    assert!(caller.has("User.Read.All"));
    assert!(!caller.has("GroupMember.Read.All"));
}

#[tokio::test]
async fn issued_tokens_verify_against_the_published_jwks() {
    let sim = Sim::start().await;
    let (_, _, body) = sim.secret_token(GRAPH_SCOPE).await;
    let token = body["access_token"].as_str().unwrap();
    let tenant = &sim.sim.info.tenant_id;
    let (status, headers, jwks) = sim
        .get_json(&format!("/{tenant}/discovery/v2.0/keys"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(headers["cache-control"], "max-age=86400, private");
    let kid = jsonwebtoken::decode_header(token).unwrap().kid.unwrap();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .expect("the token's kid is published");
    let decoding = jsonwebtoken::DecodingKey::from_rsa_components(
        key["n"].as_str().unwrap(),
        key["e"].as_str().unwrap(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&["https://graph.microsoft.com"]);
    let data = jsonwebtoken::decode::<serde_json::Value>(token, &decoding, &validation).unwrap();
    assert_eq!(data.claims["tid"], tenant.as_str());
}
