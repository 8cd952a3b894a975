//! What sign-in tells the caller, against the simulator: `auth check` (token claims and
//! `Permission::granted_by`) on real tokens of the main and limited apps, typed AADSTS errors
//! that are not retried, a token endpoint outage that is, the simulator's CA required for HTTPS,
//! and the national-cloud presets.

use mailfix_client::{
    Client, Cloud, Credential, Endpoints, ErrorKind, Permission, Resource, Secret, SignInKind,
    UserKey,
};
use mailfix_sim::identity::SimCloud;
use mailfix_sim::scenario::small;
use serde_json::json;

use crate::sim_support::Sim;

#[tokio::test]
async fn auth_check_reads_what_the_main_and_limited_apps_were_granted() {
    let sim = Sim::start(small(1)).await;
    let main = sim.client();
    let graph = main.token_claims(Resource::Graph).await.unwrap();
    let exo = main.token_claims(Resource::Exchange).await.unwrap();
    for p in Permission::ALL {
        let claims = if p == Permission::ExchangeManageAsApp {
            &exo
        } else {
            &graph
        };
        assert!(p.granted_by(claims), "main lacks {p}: {claims:?}");
    }
    let (id, secret) = sim.app("limited");
    let limited = Client::new(sim.config(Credential::Secret {
        client_id: id,
        secret: Secret::new(secret.unwrap()),
    }))
    .unwrap();
    let graph = limited.token_claims(Resource::Graph).await.unwrap();
    let exo = limited.token_claims(Resource::Exchange).await.unwrap();
    assert!(Permission::UserReadAll.granted_by(&graph));
    for p in [
        Permission::GroupMemberReadAll,
        Permission::AuthMethodReadWriteAll,
        Permission::AuditLogReadAll,
    ] {
        assert!(!p.granted_by(&graph), "limited has {p}");
    }
    assert!(!Permission::ExchangeManageAsApp.granted_by(&exo));
    // What `auth check` predicts is what the services answer, with the permission named.
    let denied = limited.graph().find_groups("All Staff").await.unwrap_err();
    assert!(denied.is_forbidden(), "{denied:?}");
    assert!(denied.hint().unwrap().contains("GroupMember.Read.All"));
    let denied = limited.exo().accepted_domains().await.unwrap_err();
    assert!(denied.is_forbidden(), "{denied:?}");
    assert!(denied.hint().unwrap().contains("Exchange.ManageAsApp"));
}

#[tokio::test]
async fn sign_in_errors_are_typed_with_hints_and_sent_once() {
    let sim = Sim::start(small(1)).await;
    let info = sim.info().clone();
    let wrong = "not-the-secret-0123456789";
    let secret = |client_id: &str, secret: &str| Credential::Secret {
        client_id: client_id.to_owned(),
        secret: Secret::new(secret),
    };
    let unknown_app = "5b1d3a0e-0000-4000-8000-000000000001";
    let mut unknown_tenant = sim.config(sim.secret());
    unknown_tenant.tenant = "nosuch.onmicrosoft.com".into();
    let mut bad_resource = sim.config(sim.secret());
    bad_resource.endpoints.graph_resource = "https://graph.example.com".into();
    let cases = [
        (
            "wrong secret",
            sim.config(secret(&info.client_id, wrong)),
            SignInKind::InvalidSecret,
            7000215,
            401,
        ),
        (
            "unknown app",
            sim.config(secret(unknown_app, wrong)),
            SignInKind::UnknownApp,
            700016,
            400,
        ),
        (
            "unknown tenant",
            unknown_tenant,
            SignInKind::UnknownTenant,
            90002,
            400,
        ),
        (
            "bad resource",
            bad_resource,
            SignInKind::InvalidScope,
            70011,
            400,
        ),
    ];
    for (what, config, kind, code, status) in cases {
        let mark = sim.last_seq().await;
        let client = Client::new(config).unwrap();
        let err = client.graph().find_groups("All Staff").await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::SignIn(kind), "{what}: {err:?}");
        assert_eq!(err.code(), Some(format!("AADSTS{code}").as_str()), "{what}");
        assert!(err.hint().is_some(), "{what}");
        let shown = format!("{err} {err:?}");
        assert!(
            !shown.contains(wrong) && !shown.contains("Trace ID"),
            "{what}: {shown}"
        );
        let log = sim.requests(mark).await;
        assert_eq!(
            log.len(),
            1,
            "{what}: not retried, and no Graph request: {log:?}"
        );
        assert!(
            log[0].is_token() && log[0].status == status,
            "{what}: {log:?}"
        );
    }
}

#[tokio::test]
async fn a_token_endpoint_outage_is_retried_within_the_bound() {
    let sim = Sim::start(small(1)).await;
    sim.post(
        "/_sim/faults",
        json!({"rules": [{"service": "login", "rate": 1.0, "kinds": [503]}], "retry_after_s": 0.05}),
    )
    .await;
    let client = sim.client_with(|c| c.retry.max_attempts = 3);
    let err = client.token_claims(Resource::Graph).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Transient, "{err:?}");
    assert!(err.is_transient());
    let log = sim.requests(0).await;
    assert_eq!(log.len(), 3, "{log:?}");
    assert!(
        log.iter()
            .all(|e| e.is_token() && e.status == 503 && !e.early)
    );
    sim.post("/_sim/faults", json!({"rules": []})).await;
    client.token_claims(Resource::Graph).await.unwrap();
}

#[tokio::test]
async fn https_needs_the_simulators_ca_and_says_so() {
    let sim = Sim::start(small(1)).await;
    let client = sim.client_with(|c| c.extra_ca = None);
    let err = client.token_claims(Resource::Graph).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Network, "{err:?}");
    assert!(err.message().contains("not trusted"), "{}", err.message());
    assert!(err.hint().unwrap().contains("--ca-file"));
    assert!(
        sim.requests(0).await.is_empty(),
        "nothing reached the simulator"
    );
}

/// The simulator playing `cloud` (its resources as token audiences), with the preset's hosts
/// pointed at it.
async fn cloud_sim(cloud: SimCloud) -> Sim {
    Sim::start_with(small(1), |o| o.cloud = cloud).await
}

#[tokio::test]
async fn national_cloud_presets_name_their_hosts_and_sign_in_with_their_resources() {
    let cases = [
        (
            Cloud::Global,
            SimCloud::Global,
            "login.microsoftonline.com",
            "graph.microsoft.com",
            "outlook.office365.com",
        ),
        (
            Cloud::UsGovHigh,
            SimCloud::UsGovHigh,
            "login.microsoftonline.us",
            "graph.microsoft.us",
            "outlook.office365.us",
        ),
        (
            Cloud::UsGovDod,
            SimCloud::UsGovDod,
            "login.microsoftonline.us",
            "dod-graph.microsoft.us",
            "outlook-dod.office365.us",
        ),
        (
            Cloud::China,
            SimCloud::China,
            "login.chinacloudapi.cn",
            "microsoftgraph.chinacloudapi.cn",
            "partner.outlook.cn",
        ),
    ];
    for (cloud, sim_cloud, login, graph, exchange) in cases {
        let preset = Endpoints::for_cloud(cloud);
        assert_eq!(
            (
                preset.login.as_str(),
                preset.graph.as_str(),
                preset.exchange.as_str()
            ),
            (
                &*format!("https://{login}"),
                &*format!("https://{graph}"),
                &*format!("https://{exchange}")
            ),
            "{cloud}"
        );
        // The simulator plays the cloud: the hosts point at it, the resources stay the preset's.
        let sim = cloud_sim(sim_cloud).await;
        let base = &sim.sim.base_url;
        let client = sim.client_with(|c| {
            c.endpoints = preset.with_login(base).with_graph(base).with_exchange(base);
        });
        for (resource, host) in [(Resource::Graph, graph), (Resource::Exchange, exchange)] {
            let claims = client.token_claims(resource).await.unwrap();
            assert_eq!(claims.aud, format!("https://{host}"), "{cloud}");
        }
        // Graph and Exchange accept the preset's tokens.
        let nobody = UserKey::parse("nobody@contoso.com");
        let missing = client.graph().get_user(&nobody, &["id"]).await.unwrap_err();
        assert!(missing.is_not_found(), "{missing:?}");
        assert!(!client.exo().accepted_domains().await.unwrap().is_empty());
        // Another cloud's preset asks for resources this cloud does not know.
        let other = if cloud == Cloud::Global {
            Cloud::UsGovDod
        } else {
            Cloud::Global
        };
        let wrong = sim.client_with(|c| {
            c.endpoints = Endpoints::for_cloud(other)
                .with_login(base)
                .with_graph(base)
                .with_exchange(base);
        });
        let e = wrong.token_claims(Resource::Exchange).await.unwrap_err();
        assert_eq!(
            e.kind(),
            &ErrorKind::SignIn(SignInKind::InvalidScope),
            "{e:?}"
        );
        assert!(e.hint().unwrap().contains("--cloud"));
    }
}
