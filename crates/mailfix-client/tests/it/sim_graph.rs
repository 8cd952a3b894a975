//! Graph operations against the simulator: groups by name (quotes escaped, every match),
//! authentication methods typed and written at their fixed ids, the registration report filtered,
//! and a users delta round that sees Exchange's write-back.

use futures::TryStreamExt as _;
use mailfix_client::models::{AuthenticationMethod, PhoneType};
use mailfix_client::{Credential, DeltaItem, DeltaStart, Filter, Secret, UserKey};
use mailfix_sim::scenario::{GroupSpec, MemberSpec, small};
use serde_json::json;

use crate::sim_support::{Sim, user_where};

#[tokio::test]
async fn groups_are_found_by_exact_name_with_quotes_escaped_and_every_match() {
    let mut scenario = small(1);
    let member = scenario.users[0].upn.clone();
    for _ in 0..2 {
        scenario.groups.push(GroupSpec {
            display_name: "O'Brien's Staff".to_owned(),
            members: vec![MemberSpec::User(member.clone())],
            ..GroupSpec::default()
        });
    }
    let sim = Sim::start(scenario).await;
    let graph = sim.client().graph();
    let found = graph.find_groups("O'Brien's Staff").await.unwrap();
    assert_eq!(found.len(), 2);
    assert_ne!(found[0].id, found[1].id);
    assert!(
        found
            .iter()
            .all(|g| g.display_name.as_deref() == Some("O'Brien's Staff"))
    );
    assert_eq!(graph.find_groups("Contractors").await.unwrap().len(), 2);
    assert!(
        graph.find_groups("O'Brien").await.unwrap().is_empty(),
        "exact names only"
    );
    let queries: Vec<String> = sim
        .requests(0)
        .await
        .into_iter()
        .filter(|e| e.path == "/v1.0/groups")
        .filter_map(|e| e.query)
        .collect();
    assert!(
        queries[0].contains("eq%20%27O%27%27Brien%27%27s%20Staff%27"),
        "{}",
        queries[0]
    );
}

#[tokio::test]
async fn methods_are_typed_and_phones_written_at_their_fixed_ids() {
    let scenario = small(1);
    let upn = user_where(&scenario, |u| {
        u.label == "empty-mail" && u.methods.mobile.is_none() && u.methods.email.is_none()
    });
    let sim = Sim::start(scenario).await;
    let client = sim.client();
    let graph = client.graph();
    let user = UserKey::parse(&upn);
    let before = graph.auth_methods(&user).await.unwrap();
    assert!(
        before
            .iter()
            .all(|m| matches!(m, AuthenticationMethod::Other)),
        "{before:?}"
    );

    let created = graph
        .add_phone_method(&user, "+61 412345678", PhoneType::Mobile)
        .await
        .unwrap();
    assert_eq!(created.sms_sign_in_state.as_deref(), Some("ready"));
    graph
        .update_phone_method(&user, PhoneType::Mobile, "+61 498765432")
        .await
        .unwrap();
    graph
        .add_email_method(&user, "kim.private@example.org")
        .await
        .unwrap();
    let methods = graph.auth_methods(&user).await.unwrap();
    assert!(methods.iter().any(|m| matches!(m,
        AuthenticationMethod::Phone(p) if p.phone_type == PhoneType::Mobile && p.phone_number == "+61 498765432")));
    assert!(methods.iter().any(|m| matches!(m,
        AuthenticationMethod::Email(e) if e.email_address == "kim.private@example.org")));
    graph
        .delete_phone_method(&user, PhoneType::Mobile)
        .await
        .unwrap();
    assert!(graph.phone_methods(&user).await.unwrap().is_empty());

    let writes: Vec<(String, String, u16)> = sim
        .requests(0)
        .await
        .into_iter()
        .filter(|e| e.path.contains("/phoneMethods") && e.method != "GET")
        .map(|e| {
            (
                e.method,
                e.path.rsplit('/').next().unwrap().to_owned(),
                e.status,
            )
        })
        .collect();
    let mobile = PhoneType::Mobile.method_id();
    assert_eq!(
        writes,
        [
            ("POST".to_owned(), "phoneMethods".to_owned(), 201),
            ("PATCH".to_owned(), mobile.to_owned(), 204),
            ("DELETE".to_owned(), mobile.to_owned(), 204),
        ]
    );

    let (id, secret) = sim.app("limited");
    let limited = sim.client_with(|c| {
        c.credential = Credential::Secret {
            client_id: id,
            secret: Secret::new(secret.unwrap()),
        }
    });
    let denied = limited
        .graph()
        .add_email_method(&user, "other@example.org")
        .await
        .unwrap_err();
    assert!(denied.is_forbidden());
    assert!(
        denied
            .hint()
            .unwrap()
            .contains("UserAuthenticationMethod.ReadWrite.All")
    );
}

#[tokio::test]
async fn the_registration_report_is_filtered_and_typed() {
    let sim = Sim::start(small(1)).await;
    let users = sim.get("/_sim/state").await["users"].as_u64().unwrap() as usize;
    let rows: Vec<_> = sim
        .client()
        .graph()
        .registration_details(Some(Filter::eq_bool("isSsprRegistered", false)))
        .try_collect()
        .await
        .unwrap();
    assert!(!rows.is_empty() && rows.len() < users, "{}", rows.len());
    assert!(rows.iter().all(|r| !r.is_sspr_registered));
    assert!(rows.iter().any(|r| !r.methods_registered.is_empty()));
    let log = sim.requests(0).await;
    let report = log
        .iter()
        .find(|e| e.path.ends_with("/userRegistrationDetails"))
        .unwrap();
    assert_eq!(
        report.query.as_deref(),
        Some("$filter=isSsprRegistered%20eq%20false")
    );
}

#[tokio::test]
async fn a_delta_round_sees_the_write_back_of_an_address_change() {
    let scenario = small(1);
    let defect = user_where(&scenario, |u| u.label == "empty-mail");
    let sim = Sim::start(scenario).await;
    let users = sim.get("/_sim/state").await["users"].as_u64().unwrap() as usize;
    let client = sim.client();
    let start = DeltaStart::Initial {
        select: vec!["id".into(), "userPrincipalName".into(), "mail".into()],
    };
    let first: Vec<DeltaItem> = client
        .graph()
        .users_delta(start)
        .try_collect()
        .await
        .unwrap();
    let changed = first
        .iter()
        .filter(|i| matches!(i, DeltaItem::Changed(_)))
        .count();
    assert_eq!(changed, users);
    let Some(DeltaItem::DeltaLink(link)) = first.last() else {
        panic!("the round ends with a delta link")
    };

    let alias = format!(
        "{}.mailfix-t1@contoso.onmicrosoft.com",
        defect.split('@').next().unwrap()
    );
    client.exo().add_address(&defect, &alias).await.unwrap();
    sim.post("/_sim/clock/advance", json!({"seconds": 301}))
        .await;
    let next: Vec<DeltaItem> = client
        .graph()
        .users_delta(DeltaStart::Link(link.clone()))
        .try_collect()
        .await
        .unwrap();
    let written: Vec<_> = next
        .iter()
        .filter_map(|i| match i {
            DeltaItem::Changed(u) => Some(u),
            _ => None,
        })
        .collect();
    assert_eq!(written.len(), 1, "{next:?}");
    assert_eq!(
        written[0].user_principal_name.as_deref(),
        Some(defect.as_str())
    );
    assert!(!written[0].mail_is_empty(), "Exchange wrote mail back");
}
