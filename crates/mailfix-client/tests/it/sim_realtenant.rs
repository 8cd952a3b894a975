//! The client against the simulator's real-tenant switches: the Exchange endpoint discovered
//! through the front door's redirect (and the tenant id taken from the token when a domain is
//! configured), the UPN tried once when Exchange does not resolve an object id, and answers with
//! `null` lists and enum values added later.

use mailfix_client::{MailboxIdentity, Resource, UserKey};
use mailfix_sim::scenario::{Scenario, small};

use crate::sim_support::Sim;

fn with(mut scenario: Scenario, limits: &[(&str, f64)]) -> Scenario {
    for (k, v) in limits {
        scenario.behaviour.limits.insert((*k).to_owned(), *v);
    }
    scenario
}

#[tokio::test]
async fn cmdlets_go_to_the_tenant_host_the_front_door_redirects_to() {
    let sim = Sim::start(with(
        small(1),
        &[("exo.redirect", 1.0), ("exo.check_anchor", 1.0)],
    ))
    .await;
    let info = sim.info().clone();
    let port = info.exo_url.rsplit(':').next().unwrap().to_owned();
    let client = sim.client_with(|c| {
        // A domain as the tenant, and the front door by name (an IP address takes no prefix).
        c.tenant = info.tenant_domain.clone();
        c.endpoints = c
            .endpoints
            .clone()
            .with_exchange(&format!("https://localhost:{port}"));
    });
    let mark = sim.last_seq().await;
    let domains = client.exo().accepted_domains().await.unwrap();
    assert!(!domains.is_empty());
    let endpoint = client.exo().endpoint().await.unwrap();
    assert_eq!(endpoint.redirected_to.as_deref(), Some("nam13b"));
    assert_eq!(endpoint.tenant, info.tenant_id);
    let exo: Vec<_> = sim
        .requests(mark)
        .await
        .into_iter()
        .filter(|e| e.service == "exo")
        .collect();
    let seen: Vec<(&str, &str, u16)> = exo
        .iter()
        .map(|e| (e.host.as_deref().unwrap_or(""), e.path.as_str(), e.status))
        .collect();
    let tid = &info.tenant_id;
    assert_eq!(
        seen,
        [
            (
                "localhost",
                &*format!("/AdminApi/v1.0/{tid}/EXOModuleFile"),
                302
            ),
            (
                "nam13b.localhost",
                &*format!("/adminapi/beta/{tid}/InvokeCommand"),
                200
            ),
        ]
    );
    // Discovery happens once per client.
    client.exo().accepted_domains().await.unwrap();
    let again = sim.requests(mark).await;
    assert_eq!(
        again
            .iter()
            .filter(|e| e.path.ends_with("/EXOModuleFile"))
            .count(),
        1
    );
}

#[tokio::test]
async fn without_the_redirect_the_front_door_serves_cmdlets() {
    let sim = Sim::start(small(1)).await;
    let client = sim.client();
    client.exo().accepted_domains().await.unwrap();
    let endpoint = client.exo().endpoint().await.unwrap();
    assert_eq!(endpoint.redirected_to, None);
    assert_eq!(endpoint.base, sim.info().exo_url);
}

#[tokio::test]
async fn the_upn_is_tried_once_when_exchange_does_not_resolve_the_object_id() {
    let sim = Sim::start(with(small(1), &[("exo.resolve_object_ids", 0.0)])).await;
    let client = sim.client();
    let upn = sim.labelled("healthy")[0].clone();
    let user = client
        .graph()
        .get_user(&UserKey::parse(&upn), &["id", "userPrincipalName"])
        .await
        .unwrap();
    let mark = sim.last_seq().await;
    let who = MailboxIdentity::object_id(&user.id, Some(&upn));
    let mailbox = client.exo().get_mailbox(who.clone()).await.unwrap();
    assert_eq!(mailbox.user_principal_name.as_deref(), Some(upn.as_str()));
    let local = upn.split('@').next().unwrap();
    let alias = format!("{local}.t1@{}", sim.info().tenant_domain);
    client.exo().add_address(who, &alias).await.unwrap();
    let cmdlets: Vec<(u16, String)> = sim
        .requests(mark)
        .await
        .into_iter()
        .filter(|e| e.path.ends_with("/InvokeCommand"))
        .map(|e| (e.status, e.operation.unwrap_or_default()))
        .collect();
    let expected = [
        (404, "Get-Mailbox"),
        (200, "Get-Mailbox"),
        (404, "Set-Mailbox"),
        (200, "Set-Mailbox"),
    ]
    .map(|(s, o)| (s, o.to_owned()));
    assert_eq!(cmdlets, expected);
    // Without a UPN to fall back on, the object id's "not found" stands.
    let alone = client
        .exo()
        .get_mailbox(user.id.as_str())
        .await
        .unwrap_err();
    assert!(alone.is_not_found());
}

#[tokio::test]
async fn null_lists_and_later_enum_values_never_fail_a_page() {
    let sim = Sim::start(with(
        small(1),
        &[
            ("exo.warnings_null", 1.0),
            ("graph.unknown_enum_values", 1.0),
        ],
    ))
    .await;
    let client = sim.client();
    assert!(!client.exo().accepted_domains().await.unwrap().is_empty());
    let upn = sim.labelled("healthy")[0].clone();
    let methods = client
        .graph()
        .auth_methods(&UserKey::parse(&upn))
        .await
        .unwrap();
    assert!(!methods.is_empty());
    let claims = client.token_claims(Resource::Graph).await.unwrap();
    assert!(claims.tid.is_some());
}
