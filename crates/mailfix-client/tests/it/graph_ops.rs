//! Graph operations on the wire: groups by name, the user cast of members, a token expiring in the
//! middle of a paging run, the registration report, users delta.

use std::collections::HashMap;

use axum::Router;
use axum::extract::Query as Params;
use axum::http::HeaderMap;
use axum::routing::get;
use futures::TryStreamExt as _;
use mailfix_client::{DeltaItem, DeltaStart, Filter, GroupId, Membership, Query};
use serde_json::{Value, json};

use crate::support::{self, bearer, claims_of, host, reply};

#[tokio::test]
async fn groups_by_name_escape_quotes_and_return_every_match() {
    let router = Router::new().route(
        "/v1.0/groups",
        get(|Params(q): Params<HashMap<String, String>>| async move {
            let filter = q.get("$filter").cloned().unwrap_or_default();
            let groups = if filter == "displayName eq 'O''Brien''s Staff'" {
                json!([{"id": "g1", "displayName": "O'Brien's Staff"}, {"id": "g2", "displayName": "O'Brien's Staff"}])
            } else {
                json!([])
            };
            reply(200, &[], json!({"value": groups}))
        }),
    );
    let server = support::serve(router.merge(support::token_endpoint(3599))).await;
    let client = support::client(&server.url);
    let found = client.graph().find_groups("O'Brien's Staff").await.unwrap();
    let ids: Vec<&str> = found.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["g1", "g2"]);
    assert!(
        client
            .graph()
            .find_groups("Nobody")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_user_cast_is_an_advanced_query() {
    let router = Router::new().route(
        "/v1.0/groups/{id}/transitiveMembers/microsoft.graph.user",
        get(|| async {
            reply(
                200,
                &[],
                json!({"@odata.count": 1, "value": [{"id": "u1", "mail": null}]}),
            )
        }),
    );
    let server = support::serve(router.merge(support::token_endpoint(3599))).await;
    let client = support::client(&server.url);
    let users: Vec<_> = client
        .graph()
        .user_members(
            &GroupId::from("g1"),
            Membership::Transitive,
            &Query::new().select(["id", "mail"]),
        )
        .try_collect()
        .await
        .unwrap();
    assert!(users[0].mail_is_empty());
    let hit = &server.log.matching("/microsoft.graph.user")[0];
    assert_eq!(hit.query, "$select=id,mail&$top=999&$count=true");
    assert_eq!(hit.header("consistencylevel"), Some("eventual"));
}

#[tokio::test]
async fn a_token_expiring_in_the_middle_of_a_paging_run_is_replaced() {
    // Pages after the second refuse the first token, as when it expires mid-run.
    let router = Router::new().route(
        "/v1.0/groups/{id}/members",
        get(|headers: HeaderMap, Params(q): Params<HashMap<String, String>>| async move {
            let page: u32 = q.get("$skiptoken").and_then(|s| s.parse().ok()).unwrap_or(0);
            if page >= 2 && claims_of(&bearer(&headers))["n"] == 1 {
                return reply(401, &[], json!({"error": {"code": "InvalidAuthenticationToken", "message": "Access token has expired or is not yet valid."}}));
            }
            let mut body = json!({"value": [{"@odata.type": "#microsoft.graph.user", "id": format!("u{page}")}]});
            if page < 4 {
                body["@odata.nextLink"] = json!(format!("{}/v1.0/groups/g/members?$skiptoken={}", host(&headers), page + 1));
            }
            reply(200, &[], body)
        }),
    );
    let server = support::serve(router.merge(support::token_endpoint(3599))).await;
    let client = support::client(&server.url);
    let members: Vec<_> = client
        .graph()
        .members(&GroupId::from("g"), Membership::Direct, &Query::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(members.len(), 5);
    assert_eq!(server.log.matching("/token").len(), 2);
    assert_eq!(
        server.log.matching("/members").len(),
        6,
        "five pages and one refused"
    );
}

#[tokio::test]
async fn the_registration_report_is_filtered_and_typed() {
    let router = Router::new().route(
        "/v1.0/reports/authenticationMethods/userRegistrationDetails",
        get(|| async {
            reply(200, &[], json!({"value": [{"id": "u1", "userPrincipalName": "a@contoso.com",
                "isSsprRegistered": false, "isMfaRegistered": true, "methodsRegistered": ["mobilePhone"]}]}))
        }),
    );
    let server = support::serve(router.merge(support::token_endpoint(3599))).await;
    let client = support::client(&server.url);
    let rows: Vec<_> = client
        .graph()
        .registration_details(Some(Filter::eq_bool("isSsprRegistered", false)))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows[0].methods_registered, ["mobilePhone"]);
    assert!(!rows[0].is_sspr_registered && rows[0].is_mfa_registered);
    let hit = &server.log.matching("/userRegistrationDetails")[0];
    assert_eq!(hit.query, "$filter=isSsprRegistered%20eq%20false");
}

fn delta_router() -> Router {
    Router::new().route(
        "/v1.0/users/delta",
        get(|headers: HeaderMap, Params(q): Params<HashMap<String, String>>| async move {
            let base = format!("{}/v1.0/users/delta", host(&headers));
            let body: Value = match (q.get("$skiptoken"), q.get("$deltatoken")) {
                (None, None) => json!({"value": [{"id": "u1", "mail": null}], "@odata.nextLink": format!("{base}?$skiptoken=s1")}),
                (Some(_), _) => json!({"value": [{"id": "u2", "@removed": {"reason": "deleted"}}], "@odata.deltaLink": format!("{base}?$deltatoken=d1")}),
                (None, Some(_)) => json!({"value": [{"id": "u1", "mail": "u1@contoso.com"}], "@odata.deltaLink": format!("{base}?$deltatoken=d2")}),
            };
            reply(200, &[], body)
        }),
    )
}

#[tokio::test]
async fn a_delta_round_yields_changes_removals_and_the_next_link() {
    let server = support::serve(delta_router().merge(support::token_endpoint(3599))).await;
    let client = support::client(&server.url);
    let start = DeltaStart::Initial {
        select: vec!["id".into(), "mail".into()],
    };
    let round: Vec<DeltaItem> = client
        .graph()
        .users_delta(start)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(round.len(), 3);
    assert!(matches!(&round[0], DeltaItem::Changed(u) if u.id == "u1" && u.mail_is_empty()));
    assert_eq!(
        round[1],
        DeltaItem::Removed {
            id: "u2".into(),
            reason: "deleted".into()
        }
    );
    let DeltaItem::DeltaLink(link) = &round[2] else {
        panic!("{round:?}")
    };
    assert_eq!(server.log.matching("/delta")[0].query, "$select=id,mail");

    let next: Vec<DeltaItem> = client
        .graph()
        .users_delta(DeltaStart::Link(link.clone()))
        .try_collect()
        .await
        .unwrap();
    assert!(
        matches!(&next[0], DeltaItem::Changed(u) if u.mail.as_deref() == Some("u1@contoso.com"))
    );
    assert_eq!(server.log.matching("/delta")[2].query, "$deltatoken=d1");
    let foreign = client.graph().users_delta(DeltaStart::Link(
        "https://evil.example/v1.0/users/delta".into(),
    ));
    assert!(foreign.try_collect::<Vec<_>>().await.is_err());
}
