//! Device-code sign-in (docs/protocol.md §5.3): pending until the control plane approves, then tokens for
//! the user; declined, expired (by the simulated clock), spent and unconsented sign-ins fail with
//! their errors; refresh tokens work for either resource and rotate.

use std::time::Duration;

use mailfix_sim::identity::Audience;
use serde_json::{Value, json};

use crate::login_support::{DISABLED, Sim, assert_aadsts, claims, sorted_keys, upn};

const GRAPH_READ: &str = "https://graph.microsoft.com/User.Read.All offline_access openid profile";

async fn start(sim: &Sim, client_id: &str, scope: &str) -> Value {
    let url = sim.url(&format!(
        "/{}/oauth2/v2.0/devicecode",
        sim.sim.info.tenant_id
    ));
    let (status, _, body) = sim
        .post_form(&url, &[("client_id", client_id), ("scope", scope)])
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn poll(sim: &Sim, client_id: &str, device_code: &str) -> (u16, Value) {
    let (status, _, body) = sim
        .token(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", client_id),
            ("device_code", device_code),
            ("client_info", "1"),
        ])
        .await;
    (status, body)
}

async fn approve(sim: &Sim, body: Value) -> (u16, Value) {
    let response = sim
        .http
        .post(sim.url("/_sim/devicecode/approve"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn pending_then_approved_then_refreshed_for_exchange() {
    let sim = Sim::start().await;
    let client_id = sim.client_id("device");
    let flow = start(&sim, &client_id, GRAPH_READ).await;
    let keys = sorted_keys(&flow);
    let expected = [
        "device_code",
        "expires_in",
        "interval",
        "message",
        "user_code",
        "verification_uri",
    ];
    assert_eq!(keys, expected);
    assert_eq!(
        (flow["expires_in"].as_u64(), flow["interval"].as_u64()),
        (Some(900), Some(5))
    );
    let user_code = flow["user_code"].as_str().unwrap();
    assert!(flow["message"].as_str().unwrap().contains(user_code));
    let device_code = flow["device_code"].as_str().unwrap();

    let (status, body) = poll(&sim, &client_id, device_code).await;
    assert_aadsts(status, &body, 400, "authorization_pending", 70016);
    let roles = json!(["Exchange Administrator"]);
    let decision = json!({ "user_code": user_code, "upn": upn(1), "directory_roles": roles });
    assert_eq!(approve(&sim, decision).await.0, 200);

    let (status, body) = poll(&sim, &client_id, device_code).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "User.Read.All openid profile");
    let caller = sim.verify(body["access_token"].as_str().unwrap(), Audience::Graph);
    assert_eq!(caller.scopes, ["User.Read.All"]);
    assert!(caller.roles.is_empty());
    assert_eq!(caller.upn.as_deref(), Some(upn(1).as_str()));
    assert_eq!(caller.directory_roles, ["Exchange Administrator"]);
    let id = claims(body["id_token"].as_str().unwrap());
    assert_eq!(id["aud"], client_id.as_str());
    assert_eq!(id["preferred_username"], upn(1).as_str());
    assert!(body["client_info"].is_string());

    // The device code is spent.
    let (status, again) = poll(&sim, &client_id, device_code).await;
    assert_aadsts(status, &again, 400, "bad_verification_code", 70018);

    let refresh = body["refresh_token"].as_str().unwrap();
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", client_id.as_str()),
        ("refresh_token", refresh),
        (
            "scope",
            "https://outlook.office365.com/.default offline_access",
        ),
    ];
    let (status, _, exo) = sim.token(&form).await;
    assert_eq!(status, 200, "{exo}");
    let exo_claims = claims(exo["access_token"].as_str().unwrap());
    assert_eq!(exo_claims["aud"], "https://outlook.office365.com");
    assert_eq!(exo_claims["scp"], "Exchange.Manage");
    assert_ne!(
        exo["refresh_token"].as_str().unwrap(),
        refresh,
        "refresh tokens rotate"
    );
    let (status, _, reused) = sim.token(&form).await;
    assert_aadsts(status, &reused, 400, "invalid_grant", 9002313);
}

#[tokio::test]
async fn declined_and_expired_sign_ins_stop_polling() {
    let sim = Sim::start().await;
    let client_id = sim.client_id("device");
    let declined = start(&sim, &client_id, GRAPH_READ).await;
    let decision = json!({ "user_code": declined["user_code"], "decline": true });
    assert_eq!(approve(&sim, decision).await.0, 200);
    let (status, body) = poll(&sim, &client_id, declined["device_code"].as_str().unwrap()).await;
    assert_aadsts(status, &body, 400, "authorization_declined", 65004);

    let expired = start(&sim, &client_id, GRAPH_READ).await;
    sim.sim.state.clock.advance(Duration::from_secs(901));
    let (status, body) = poll(&sim, &client_id, expired["device_code"].as_str().unwrap()).await;
    assert_aadsts(status, &body, 400, "expired_token", 70019);
    let late = json!({ "user_code": expired["user_code"], "upn": upn(1) });
    assert_eq!(approve(&sim, late).await.0, 409);
}

#[tokio::test]
async fn approval_needs_a_known_code_and_an_enabled_user() {
    let sim = Sim::start().await;
    let client_id = sim.client_id("device");
    let flow = start(&sim, &client_id, GRAPH_READ).await;
    let unknown = json!({ "user_code": "NOSUCHCODE", "upn": upn(1) });
    assert_eq!(approve(&sim, unknown).await.0, 404);
    let disabled = json!({ "user_code": flow["user_code"], "upn": upn(DISABLED) });
    assert_eq!(approve(&sim, disabled).await.0, 400);
    let nobody = json!({ "user_code": flow["user_code"], "upn": "ghost@contoso.example" });
    assert_eq!(approve(&sim, nobody).await.0, 404);
}

#[tokio::test]
async fn a_confidential_app_must_present_its_credential_to_redeem() {
    let sim = Sim::start().await;
    let client_id = sim.client_id("main");
    let flow = start(&sim, &client_id, GRAPH_READ).await;
    let decision = json!({ "user_code": flow["user_code"], "upn": upn(2) });
    assert_eq!(approve(&sim, decision).await.0, 200);
    let (status, body) = poll(&sim, &client_id, flow["device_code"].as_str().unwrap()).await;
    assert_aadsts(status, &body, 401, "invalid_client", 7000218);
}

#[tokio::test]
async fn permissions_the_app_was_not_granted_need_consent() {
    let sim = Sim::start().await;
    let client_id = sim.client_id("device");
    let flow = start(
        &sim,
        &client_id,
        "https://graph.microsoft.com/Mail.Send openid",
    )
    .await;
    let decision = json!({ "user_code": flow["user_code"], "upn": upn(3) });
    assert_eq!(approve(&sim, decision).await.0, 200);
    let (status, body) = poll(&sim, &client_id, flow["device_code"].as_str().unwrap()).await;
    assert_aadsts(status, &body, 400, "invalid_grant", 65001);
}

#[tokio::test]
async fn device_code_needs_a_known_app_and_valid_scopes() {
    let sim = Sim::start().await;
    let url = sim.url(&format!(
        "/{}/oauth2/v2.0/devicecode",
        sim.sim.info.tenant_id
    ));
    let unknown = [
        ("client_id", "00000000-0000-0000-0000-00000000abcd"),
        ("scope", "openid"),
    ];
    let (status, _, body) = sim.post_form(&url, &unknown).await;
    assert_aadsts(status, &body, 400, "unauthorized_client", 700016);
    let client_id = sim.client_id("device");
    let bad = [
        ("client_id", client_id.as_str()),
        ("scope", "https://nowhere.example/x"),
    ];
    let (status, _, body) = sim.post_form(&url, &bad).await;
    assert_aadsts(status, &body, 400, "invalid_scope", 70011);
}
