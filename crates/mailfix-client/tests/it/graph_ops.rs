//! A users delta round with removals, and a delta link to another host refused: the simulator's
//! scenarios have no deleted users to report as removed.

use std::collections::HashMap;

use axum::Router;
use axum::extract::Query as Params;
use axum::http::HeaderMap;
use axum::routing::get;
use futures::TryStreamExt as _;
use mailfix_client::{DeltaItem, DeltaStart};
use serde_json::{Value, json};

use crate::support::{self, host, reply};

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
