//! The registration report (`reports/authenticationMethods/userRegistrationDetails`) and the
//! directory audit log (`auditLogs/directoryAudits`): shapes, filters, order and paging.

use chrono::{Duration, SecondsFormat};
use mailfix_sim::model::AuditEvent;
use mailfix_sim::scenario::AuditSpec;
use serde_json::Value;

use super::graph_support::{Sim, enc, items, mailbox_user, scenario, start, user};

async fn tenant() -> Sim {
    let mut ann = mailbox_user("ann", "Ann Lee");
    ann.methods.mobile = Some("+61 412345678".into());
    ann.registration_attempts = 1;
    let mut bob = mailbox_user("bob", "Bob Holt");
    bob.mail = None;
    bob.methods.mobile = Some("+61 412345679".into());
    bob.methods.email = Some("bob@fabrikam.com".into());
    bob.registration_attempts = 0;
    let cat = mailbox_user("cat", "Cat Ng");
    let mut gus = user("gus", "Gus Guest");
    gus.guest = true;
    let mut s = scenario(vec![ann, bob, cat, gus], vec![]);
    let audit =
        |who: &str, hours_ago: f64, service: &str, activity: &str, result: &str| AuditSpec {
            user: format!("{who}@contoso.com"),
            hours_ago,
            service: service.into(),
            activity: activity.into(),
            result: result.into(),
            reason: String::new(),
        };
    let methods = "Authentication Methods";
    let done = "User registered all required security info";
    s.audits = vec![
        audit("bob", 30.0, methods, done, "failure"),
        audit(
            "bob",
            10.0,
            "Self-service Password Management",
            "Reset password (self-service)",
            "failure",
        ),
        audit(
            "cat",
            5.0,
            methods,
            "User started security info registration",
            "success",
        ),
        audit("cat", 1.0, "Core Directory", "Update user", "success"),
    ];
    start(s).await
}

fn upns(items: &[Value], field: &str) -> Vec<String> {
    let mut v: Vec<String> = items
        .iter()
        .map(|i| {
            i[field]
                .as_str()
                .unwrap()
                .split('@')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    v.sort();
    v
}

const URD: &str = "/reports/authenticationMethods/userRegistrationDetails";

#[tokio::test]
async fn the_registration_report_reflects_methods_and_registration() {
    let sim = tenant().await;
    let body = sim.get(URD).await.json();
    let all = body["value"].as_array().unwrap();
    assert_eq!(all.len(), 4);
    let ann = all
        .iter()
        .find(|r| r["userPrincipalName"] == "ann@contoso.com")
        .unwrap();
    assert_eq!(ann["isSsprRegistered"], true);
    assert_eq!(ann["isMfaRegistered"], true);
    assert_eq!(ann["methodsRegistered"], serde_json::json!(["mobilePhone"]));
    assert_eq!(ann["userType"], "member");
    let bob = all
        .iter()
        .find(|r| r["userPrincipalName"] == "bob@contoso.com")
        .unwrap();
    assert_eq!(bob["isSsprRegistered"], false);
    assert_eq!(
        bob["methodsRegistered"],
        serde_json::json!(["mobilePhone", "email"])
    );
    let cases: &[(&str, &[&str])] = &[
        ("isSsprRegistered eq false", &["bob", "cat", "gus"]),
        (
            "methodsRegistered/any(m:m eq 'mobilePhone')",
            &["ann", "bob"],
        ),
        ("userPrincipalName eq 'ann@contoso.com'", &["ann"]),
        (
            "userType eq 'guest' or isMfaRegistered eq true",
            &["ann", "gus"],
        ),
        (
            "isSsprRegistered eq false and methodsRegistered/any(m:m eq 'email')",
            &["bob"],
        ),
        (
            &format!("id eq '{}'", sim.user_id("cat@contoso.com")),
            &["cat"],
        ),
    ];
    for (filter, expected) in cases {
        let r = sim.get(&format!("{URD}?$filter={}", enc(filter))).await;
        assert_eq!(r.status, 200, "{filter}: {}", r.text);
        assert_eq!(
            upns(r.json()["value"].as_array().unwrap(), "userPrincipalName"),
            *expected,
            "{filter}"
        );
    }
    let pages = sim.pages(&format!("{URD}?$top=3"), &[]).await;
    assert_eq!(pages.len(), 2);
    assert_eq!(items(&pages).len(), 4);
    let r = sim
        .get(&format!("{URD}?$filter={}", enc("faxNumber eq 'x'")))
        .await;
    assert_eq!(r.status, 400);
    let limited = format!("Bearer {}", sim.token_with(&["User.Read.All"]));
    let r = sim
        .raw(
            "GET",
            &format!("{}{URD}", sim.root()),
            &[("Authorization", &limited)],
            None,
        )
        .await;
    assert_eq!(r.status, 403);
}

const AUDIT: &str = "/auditLogs/directoryAudits";

async fn audit_ids(sim: &Sim, filter: &str) -> Vec<String> {
    let r = sim.get(&format!("{AUDIT}?$filter={}", enc(filter))).await;
    assert_eq!(r.status, 200, "{filter}: {}", r.text);
    let value = r.json()["value"].as_array().unwrap().clone();
    value
        .iter()
        .map(|e| e["activityDisplayName"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn directory_audits_filter_order_and_page() {
    let sim = tenant().await;
    let body = sim.get(AUDIT).await.json();
    let all = body["value"].as_array().unwrap();
    // 4 scenario events + 2 from ann's registration attempt (started, completed).
    assert_eq!(all.len(), 6);
    let times: Vec<&str> = all
        .iter()
        .map(|e| e["activityDateTime"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first by default");
    let bob = sim.user_id("bob@contoso.com");
    let ann = sim.user_id("ann@contoso.com");
    let cut = sim.sim.state.clock.now() - Duration::hours(20);
    let since = cut.to_rfc3339_opts(SecondsFormat::Secs, true);
    // Registration attempts get random times from the seed; count the expectation from the model.
    let (newer, older_methods) = {
        let tenant = sim.sim.state.read_tenant();
        let cut = chrono::DateTime::parse_from_rfc3339(&since).unwrap();
        let newer = tenant
            .audits
            .iter()
            .filter(|e| e.activity_date_time >= cut)
            .count();
        let older = tenant
            .audits
            .iter()
            .filter(|e| {
                e.activity_date_time <= cut && e.logged_by_service == "Authentication Methods"
            })
            .count();
        (newer, older)
    };
    assert!(newer >= 3 && older_methods >= 1);
    let cases: Vec<(String, usize)> = vec![
        ("loggedByService eq 'Authentication Methods'".into(), 4),
        (
            "startswith(activityDisplayName,'User registered')".into(),
            2,
        ),
        ("activityDisplayName eq 'Update user'".into(), 1),
        ("result eq 'failure'".into(), 2),
        (
            "initiatedBy/user/userPrincipalName eq 'bob@contoso.com'".into(),
            2,
        ),
        (format!("initiatedBy/user/id eq '{bob}'"), 2),
        (format!("targetResources/any(t:t/id eq '{ann}')"), 2),
        (format!("activityDateTime ge {since}"), newer),
        (
            format!("activityDateTime le {since} and loggedByService eq 'Authentication Methods'"),
            older_methods,
        ),
        (
            "loggedByService eq 'Authentication Methods' and result eq 'failure'".into(),
            1,
        ),
    ];
    for (filter, n) in &cases {
        let found = audit_ids(&sim, filter).await;
        let bob_only = filter.contains("bob");
        assert_eq!(found.len(), *n, "{filter}: {found:?}");
        if bob_only {
            assert!(found.contains(&"Reset password (self-service)".to_owned()));
        }
    }
    let asc = sim
        .get(&format!("{AUDIT}?$orderby=activityDateTime asc"))
        .await
        .json();
    let asc_times: Vec<&str> = asc["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["activityDateTime"].as_str().unwrap())
        .collect();
    let mut up = asc_times.clone();
    up.sort();
    assert_eq!(asc_times, up);
    assert_eq!(
        sim.get(&format!("{AUDIT}?$filter={}", enc("category ne 'x'")))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn directory_audits_select_properties() {
    let sim = tenant().await;
    let body = sim
        .get(&format!(
            "{AUDIT}?$select=activityDateTime,activityDisplayName"
        ))
        .await
        .json();
    assert!(body.get("@microsoft.graph.tips").is_none());
    assert!(
        body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("#auditLogs/directoryAudits(activityDateTime,activityDisplayName)")
    );
    let item = &body["value"][0];
    assert_eq!(
        super::graph_support::keys(item),
        ["activityDateTime", "activityDisplayName"]
    );
    let all = sim.get(AUDIT).await.json();
    assert!(all["@microsoft.graph.tips"].is_string());
}

#[tokio::test]
async fn audit_pages_do_not_shift_when_events_arrive() {
    let sim = tenant().await;
    let first = sim.get(&format!("{AUDIT}?$top=2")).await.json();
    assert_eq!(first["value"].as_array().map(Vec::len), Some(2));
    {
        let mut tenant = sim.sim.state.write_tenant();
        let mut newest: AuditEvent = tenant.audits[0].clone();
        newest.id = "Directory_new".into();
        newest.activity_date_time = sim.sim.state.clock.now();
        tenant.audits.push(newest);
    }
    let rest = sim
        .pages_from(first["@odata.nextLink"].as_str().unwrap())
        .await;
    let mut seen: Vec<String> = first["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    seen.extend(
        items(&rest)
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned()),
    );
    assert_eq!(seen.len(), 6, "the six events that existed, each once");
    assert!(!seen.contains(&"Directory_new".to_owned()));
    assert_eq!(sim.get(&format!("{AUDIT}?$top=1001")).await.status, 400);
}
