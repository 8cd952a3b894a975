//! The switches that play real-tenant behaviours (COVERAGE.md, "Real-tenant switches"), each seen
//! over HTTP, on and off.

use std::time::Duration;

use mailfix_sim::SimOptions;
use mailfix_sim::identity::tokens::TokenRequest;
use mailfix_sim::identity::{Audience, SimCloud};
use mailfix_sim::scenario::{Scenario, small};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::graph_support::{self, scenario, user};
use super::support::{Sim, exo_message, sim, sim_with};

fn with(mut scenario: Scenario, limits: &[(&str, f64)]) -> Scenario {
    for (k, v) in limits {
        scenario.behaviour.limits.insert((*k).to_owned(), *v);
    }
    scenario
}

#[tokio::test]
async fn the_front_door_redirects_to_the_tenant_host_when_switched_on() {
    let s = sim(with(small(1), &[("exo.redirect", 1.0)])).await;
    let port = s.sim.base_url.rsplit(':').next().unwrap().to_owned();
    let token = s.token("main", Audience::Exchange);
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .resolve(
            "nam13b.localhost",
            format!("127.0.0.1:{port}").parse().unwrap(),
        )
        .build()
        .unwrap();
    let tid = s.tenant_id();
    let probe = format!("/AdminApi/v1.0/{tid}/EXOModuleFile");
    let front = no_redirects
        .get(s.url(&probe))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(front.status(), StatusCode::FOUND);
    let location = front.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, format!("http://nam13b.localhost:{port}{probe}"));
    let tenant_host = no_redirects
        .get(&location)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(tenant_host.status(), StatusCode::OK);
    // A cmdlet at the front door is redirected too; at the tenant host it runs.
    let invoke = format!("/adminapi/beta/{tid}/InvokeCommand");
    let body = json!({"CmdletInput": {"CmdletName": "Get-AcceptedDomain"}});
    let at_front = no_redirects
        .post(s.url(&invoke))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(at_front.status(), StatusCode::FOUND);
    let at_tenant = no_redirects
        .post(format!("http://nam13b.localhost:{port}{invoke}"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(at_tenant.status(), StatusCode::OK);
    let hosts: Vec<Value> = s
        .requests()
        .await
        .iter()
        .filter(|e| e["service"] == "exo")
        .map(|e| e["host"].clone())
        .collect();
    assert_eq!(
        hosts,
        [
            json!("127.0.0.1"),
            json!("nam13b.localhost"),
            json!("127.0.0.1"),
            json!("nam13b.localhost")
        ]
    );
    // Off (the default), the front door answers the module file.
    let off = sim(small(1)).await;
    let token = off.token("main", Audience::Exchange);
    let probe = format!("/AdminApi/v1.0/{}/EXOModuleFile", off.tenant_id());
    let r = off.graph_get(&token, &probe).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        r.body["value"][0]["ExportedCmdlets"]
            .as_str()
            .unwrap()
            .contains("Set-Mailbox")
    );
}

#[tokio::test]
async fn each_cloud_accepts_its_own_resources_only() {
    for cloud in SimCloud::ALL {
        let mut options = SimOptions::for_test(small(1));
        options.cloud = cloud;
        let s = sim_with(options).await;
        let info = &s.sim.info;
        let ask = |scope: String| {
            let form = [
                ("grant_type", "client_credentials".to_owned()),
                ("client_id", info.client_id.clone()),
                ("client_secret", info.client_secret.clone()),
                ("scope", scope),
            ];
            let url = s.url(&format!("/{}/oauth2/v2.0/token", info.tenant_id));
            let http = s.http.clone();
            async move { http.post(url).form(&form).send().await.unwrap() }
        };
        for audience in [Audience::Graph, Audience::Exchange] {
            let resource = cloud.resource(audience);
            let r = Sim::answer(ask(format!("{resource}/.default")).await).await;
            assert_eq!(r.status, StatusCode::OK, "{cloud} {resource}: {}", r.text);
            let token = r.body["access_token"].as_str().unwrap();
            let claims = mailfix_sim::identity::Identity::peek(token).unwrap();
            assert_eq!(claims["aud"], resource);
            let header = format!("Bearer {token}");
            let now = s.sim.state.clock.now();
            assert!(
                s.sim
                    .state
                    .identity
                    .verify(Some(&header), audience, now)
                    .is_ok()
            );
        }
        let foreign = if cloud == SimCloud::Global {
            SimCloud::UsGovDod
        } else {
            SimCloud::Global
        };
        let r =
            Sim::answer(ask(format!("{}/.default", foreign.resource(Audience::Exchange))).await)
                .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{cloud}");
        assert_eq!(r.body["error"], "invalid_scope");
    }
}

#[tokio::test]
async fn directory_audits_need_both_permissions() {
    let s = graph_support::start(scenario(vec![user("kim", "Kim Akers")], vec![])).await;
    let path = "/auditLogs/directoryAudits";
    let audit_only = s.token_with(&["AuditLog.Read.All"]);
    let both = s.token_with(&["AuditLog.Read.All", "Directory.Read.All"]);
    assert_eq!(s.send_as(&audit_only, "GET", path).await.status, 403);
    assert_eq!(s.send_as(&both, "GET", path).await.status, 200);
    let mut off = scenario(vec![user("kim", "Kim Akers")], vec![]);
    off.behaviour
        .limits
        .insert("graph.audit_needs_directory_read".to_owned(), 0.0);
    let s = graph_support::start(off).await;
    let audit_only = s.token_with(&["AuditLog.Read.All"]);
    assert_eq!(s.send_as(&audit_only, "GET", path).await.status, 200);
}

#[tokio::test]
async fn a_tenant_without_premium_refuses_the_registration_report() {
    let mut spec = scenario(vec![user("kim", "Kim Akers")], vec![]);
    spec.behaviour
        .limits
        .insert("graph.entra_premium".to_owned(), 0.0);
    let s = graph_support::start(spec).await;
    let r = s
        .get("/reports/authenticationMethods/userRegistrationDetails")
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.error(),
        (
            "Authentication_RequestFromNonPremiumTenantOrB2CTenant".to_owned(),
            "Neither tenant is B2C or tenant doesn't have premium license".to_owned()
        )
    );
    assert_eq!(s.get("/auditLogs/directoryAudits").await.status, 200);
}

fn delegated(s: &graph_support::Sim, roles: &[&str]) -> String {
    let state = &s.sim.state;
    let tenant_id = state.read_tenant().id.to_string();
    let roles: Vec<String> = roles.iter().map(|r| (*r).to_owned()).collect();
    state.identity.issue(&TokenRequest {
        tenant_id: &tenant_id,
        app_id: "22222222-2222-2222-2222-222222222222",
        audience: Audience::Graph,
        roles: &[],
        scopes: &["UserAuthenticationMethod.ReadWrite.All".to_owned()],
        directory_roles: &roles,
        upn: Some("helpdesk@contoso.com"),
        now: state.clock.now(),
        lifetime_s: 3600,
    })
}

#[tokio::test]
async fn an_authentication_administrator_sees_masked_numbers_and_not_admins_methods() {
    let s = graph_support::start(scenario(
        vec![user("kim", "Kim Akers"), user("root", "Global Admin")],
        vec![],
    ))
    .await;
    for upn in ["kim@contoso.com", "root@contoso.com"] {
        let path = format!("/users/{upn}/authentication/phoneMethods");
        let body = json!({"phoneNumber": "+61 412345678", "phoneType": "mobile"});
        assert_eq!(s.send("POST", &path, &[], Some(body)).await.status, 201);
    }
    let roles = json!({"directory_roles": ["Global Administrator"]});
    let set = reqwest::Client::new()
        .post(s.sim.base_url.clone() + "/_sim/users/root@contoso.com/roles")
        .json(&roles)
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::OK);
    let admin = delegated(&s, &["Authentication Administrator"]);
    let kim = s
        .send_as(
            &admin,
            "GET",
            "/users/kim@contoso.com/authentication/methods",
        )
        .await;
    assert_eq!(kim.status, 200);
    assert!(kim.text.contains("+61 XXXXXXX78"), "{}", kim.text);
    let root = s
        .send_as(
            &admin,
            "GET",
            "/users/root@contoso.com/authentication/methods",
        )
        .await;
    assert_eq!(root.status, 403);
    // A Privileged Authentication Administrator sees everything.
    let privileged = delegated(&s, &["Privileged Authentication Administrator"]);
    let full = s
        .send_as(
            &privileged,
            "GET",
            "/users/root@contoso.com/authentication/methods",
        )
        .await;
    assert!(full.text.contains("+61 412345678"), "{}", full.text);
}

#[tokio::test]
async fn exchange_switches_change_what_invoke_command_answers() {
    let spec = small(1);
    let limits = [
        ("exo.check_anchor", 1.0),
        ("exo.resolve_object_ids", 0.0),
        ("exo.dual_write_conflict_s", 120.0),
        ("exo.warnings_null", 1.0),
    ];
    let s = sim(with(spec, &limits)).await;
    let token = s.token("main", Audience::Exchange);
    let url = s.url(&format!("/adminapi/beta/{}/InvokeCommand", s.tenant_id()));
    let call = |anchor: String, cmdlet: &'static str, params: Value| {
        let (http, url, token) = (s.http.clone(), url.clone(), token.clone());
        async move {
            let r = http
                .post(url)
                .bearer_auth(token)
                .header("X-AnchorMailbox", anchor)
                .json(&json!({"CmdletInput": {"CmdletName": cmdlet, "Parameters": params}}))
                .send()
                .await
                .unwrap();
            Sim::answer(r).await
        }
    };
    let good = format!(
        "APP:SystemMailbox{{bb558c35-97f1-4cb9-8ff7-d53741dc928c}}@{}",
        s.tenant_id()
    );
    let bad = "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@contoso.com".to_owned();
    let r = call(bad, "Get-AcceptedDomain", json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        exo_message(&r.body).contains("anchor mailbox"),
        "{}",
        r.text
    );
    let r = call(good.clone(), "Get-AcceptedDomain", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["@adminapi.warnings"], Value::Null);
    let upn = s.labelled("healthy")[0].clone();
    let id = s.user(&upn).await["id"].as_str().unwrap().to_owned();
    let r = call(good.clone(), "Get-Mailbox", json!({"Identity": id})).await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "object ids are not resolved"
    );
    let r = call(good.clone(), "Get-Mailbox", json!({"Identity": upn})).await;
    assert_eq!(r.status, StatusCode::OK);
    let local = upn.split('@').next().unwrap().to_owned();
    let add = |address: &str| {
        json!({"Identity": upn, "EmailAddresses":
            {"@odata.type": "#Exchange.GenericHashTable", "Add": format!("smtp:{address}")}})
    };
    let r = call(
        good.clone(),
        "Set-Mailbox",
        add(&format!("{local}.a@contoso.onmicrosoft.com")),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        exo_message(&r.body).contains("ObjectConflict"),
        "{}",
        r.text
    );
    s.advance(119.0).await;
    let r = call(
        good.clone(),
        "Set-Mailbox",
        add(&format!("{local}.a@contoso.onmicrosoft.com")),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "still within the window");
    s.advance(2.0).await;
    let r = call(
        good.clone(),
        "Set-Mailbox",
        add(&format!("{local}.a@contoso.onmicrosoft.com")),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = call(
        good,
        "Set-Mailbox",
        add(&format!("{local}.b@contoso.onmicrosoft.com")),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "only the first address conflicts");
}

#[tokio::test]
async fn unknown_enum_values_and_the_audit_page_limit() {
    let mut spec = scenario(vec![user("kim", "Kim Akers")], vec![]);
    spec.behaviour
        .limits
        .insert("graph.unknown_enum_values".to_owned(), 1.0);
    spec.behaviour
        .limits
        .insert("graph.audit_max_top".to_owned(), 999.0);
    let s = graph_support::start(spec).await;
    let body = json!({"phoneNumber": "+1 2065555555", "phoneType": "mobile"});
    let path = "/users/kim@contoso.com/authentication/phoneMethods";
    assert_eq!(s.send("POST", path, &[], Some(body)).await.status, 201);
    let all = s.get("/users/kim@contoso.com/authentication/methods").await;
    assert!(
        all.text.contains("\"phoneType\":\"unknownFutureValue\""),
        "{}",
        all.text
    );
    let report = s
        .get("/reports/authenticationMethods/userRegistrationDetails")
        .await;
    assert!(
        report.text.contains("unknownFutureValue"),
        "{}",
        report.text
    );
    assert_eq!(
        s.get("/auditLogs/directoryAudits?$top=1000").await.status,
        400
    );
    assert_eq!(
        s.get("/auditLogs/directoryAudits?$top=999").await.status,
        200
    );
}

#[tokio::test]
async fn methods_routes_can_draw_from_the_reports_bucket() {
    let mut spec = scenario(vec![user("kim", "Kim Akers")], vec![]);
    spec.behaviour
        .limits
        .insert("graph.methods_reports_limit".to_owned(), 1.0);
    spec.behaviour
        .limits
        .insert("graph.reports_quota".to_owned(), 5.0);
    let s = graph_support::start(spec).await;
    let path = "/users/kim@contoso.com/authentication/methods";
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(s.get(path).await.status);
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429]);
    s.sim.state.clock.advance(Duration::from_secs(10));
    assert_eq!(s.get(path).await.status, 200);
}
