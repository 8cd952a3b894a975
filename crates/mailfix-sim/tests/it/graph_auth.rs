//! Authentication and authorization on every Graph route: 401 `InvalidAuthenticationToken` with the
//! verifier's text, 403 `Authorization_RequestDenied` without the permission an operation needs.

use std::time::Duration;

use mailfix_sim::identity::Audience;
use serde_json::{Value, json};

use super::graph_support::{Sim, group, mailbox_user, scenario, start};

async fn sim() -> Sim {
    let members = vec![mailfix_sim::scenario::MemberSpec::User(
        "ann@contoso.com".into(),
    )];
    start(scenario(
        vec![mailbox_user("ann", "Ann Lee")],
        vec![group("Staff", members)],
    ))
    .await
}

async fn call(
    sim: &Sim,
    token: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> super::graph_support::Resp {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("ConsistencyLevel", "eventual")];
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth.as_str()));
    }
    sim.raw(method, &format!("{}{path}", sim.root()), &headers, body)
        .await
}

#[tokio::test]
async fn tokens_are_verified_with_graph_texts() {
    let sim = sim().await;
    let cases = [
        (None, "Access token is empty."),
        (
            Some("not-a-jwt".to_owned()),
            "Access token validation failure.",
        ),
        (
            Some(sim.token_for(&["User.Read.All"], None, Audience::Exchange)),
            "Access token validation failure. Invalid audience.",
        ),
    ];
    for (token, message) in cases {
        for path in ["/users", "/groups", "/nonsense", "/$batch"] {
            let method = if path == "/$batch" { "POST" } else { "GET" };
            let r = call(
                &sim,
                token.as_deref(),
                method,
                path,
                Some(json!({"requests": []})),
            )
            .await;
            assert_eq!(r.status, 401, "{path}");
            assert_eq!(
                r.error(),
                ("InvalidAuthenticationToken".to_owned(), message.to_owned()),
                "{path}"
            );
        }
    }
    let token = sim.token_with(&["User.Read.All"]);
    assert_eq!(
        call(&sim, Some(&token), "GET", "/users", None).await.status,
        200
    );
    sim.sim.state.clock.advance(Duration::from_secs(3601));
    let r = call(&sim, Some(&token), "GET", "/users", None).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.error().1, "Access token has expired or is not yet valid.");
}

/// Method, path, body, permissions that allow it, permissions that do not.
type Case<'a> = (&'a str, String, Option<Value>, &'a [&'a str], &'a [&'a str]);

#[tokio::test]
async fn each_operation_needs_its_permission() {
    let sim = sim().await;
    let ann = sim.user_id("ann@contoso.com");
    let staff = sim.group_id("Staff");
    let phone = json!({"phoneNumber": "+1 2065555555", "phoneType": "mobile"});
    let routes: Vec<Case<'_>> = vec![
        (
            "GET",
            "/users".into(),
            None,
            &["User.Read.All", "Directory.Read.All", "User.ReadWrite.All"],
            &["GroupMember.Read.All", "AuditLog.Read.All"],
        ),
        (
            "GET",
            "/users/$count".into(),
            None,
            &["User.Read.All"],
            &["Group.Read.All"],
        ),
        (
            "GET",
            format!("/users/{ann}"),
            None,
            &["User.ReadBasic.All"],
            &["UserAuthenticationMethod.Read.All"],
        ),
        (
            "GET",
            "/users/delta".into(),
            None,
            &["User.Read.All"],
            &["GroupMember.Read.All"],
        ),
        (
            "PATCH",
            format!("/users/{ann}"),
            Some(json!({"jobTitle": "x"})),
            &["User.ReadWrite.All", "Directory.ReadWrite.All"],
            &["User.Read.All", "Directory.Read.All"],
        ),
        (
            "GET",
            "/groups".into(),
            None,
            &[
                "GroupMember.Read.All",
                "Group.Read.All",
                "Directory.Read.All",
            ],
            &["User.Read.All"],
        ),
        (
            "GET",
            format!("/groups/{staff}"),
            None,
            &["GroupMember.Read.All"],
            &["User.Read.All"],
        ),
        (
            "GET",
            format!("/groups/{staff}/members"),
            None,
            &["GroupMember.Read.All"],
            &["User.Read.All"],
        ),
        (
            "GET",
            format!("/groups/{staff}/transitiveMembers/microsoft.graph.user?$count=true"),
            None,
            &["Group.Read.All"],
            &["User.Read.All"],
        ),
        (
            "GET",
            format!("/users/{ann}/authentication/methods"),
            None,
            &["UserAuthenticationMethod.Read.All"],
            &["User.ReadWrite.All"],
        ),
        (
            "POST",
            format!("/users/{ann}/authentication/phoneMethods"),
            Some(phone),
            &["UserAuthenticationMethod.ReadWrite.All"],
            &["UserAuthenticationMethod.Read.All"],
        ),
        (
            "GET",
            "/reports/authenticationMethods/userRegistrationDetails".into(),
            None,
            &["AuditLog.Read.All"],
            &["Directory.Read.All"],
        ),
        // Needs both permissions at once (`realtenant::directory_audits_need_both_permissions`).
        (
            "GET",
            "/auditLogs/directoryAudits".into(),
            None,
            &[],
            &["Directory.Read.All", "AuditLog.Read.All"],
        ),
    ];
    for (method, path, body, allowed, denied) in routes {
        for role in denied {
            let r = call(
                &sim,
                Some(&sim.token_with(&[role])),
                method,
                &path,
                body.clone(),
            )
            .await;
            assert_eq!(r.status, 403, "{method} {path} with {role}");
            assert_eq!(
                r.error(),
                (
                    "Authorization_RequestDenied".to_owned(),
                    "Insufficient privileges to complete the operation.".to_owned()
                )
            );
        }
        for role in allowed {
            let r = call(
                &sim,
                Some(&sim.token_with(&[role])),
                method,
                &path,
                body.clone(),
            )
            .await;
            assert!(
                r.status < 300,
                "{method} {path} with {role}: {} {}",
                r.status,
                r.text
            );
            if method == "POST" {
                // Undo the write so the next allowed role can create again.
                let url = format!(
                    "/users/{ann}/authentication/phoneMethods/3179e48a-750b-4051-897c-87b9720928f7"
                );
                assert_eq!(sim.send("DELETE", &url, &[], None).await.status, 204);
            }
        }
    }
}

#[tokio::test]
async fn batch_items_are_authorized_one_by_one() {
    let sim = sim().await;
    let token = sim.token_with(&["User.Read.All"]);
    let body = json!({"requests": [
        {"id": "1", "method": "GET", "url": "/users"},
        {"id": "2", "method": "GET", "url": "/auditLogs/directoryAudits"}
    ]});
    let r = call(&sim, Some(&token), "POST", "/$batch", Some(body)).await;
    assert_eq!(r.status, 200);
    let responses = r.json()["responses"].as_array().unwrap().clone();
    let status = |id: &str| responses.iter().find(|x| x["id"] == id).unwrap()["status"].clone();
    assert_eq!((status("1"), status("2")), (json!(200), json!(403)));
}
