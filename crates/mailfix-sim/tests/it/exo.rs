//! The Exchange admin API: envelope and annotations against the observed fixture, paging, errors,
//! and authentication.

use std::collections::BTreeSet;

use mailfix_sim::identity::Audience;
use mailfix_sim::identity::tokens::TokenRequest;
use mailfix_sim::scenario::small;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{exo_message, sim};

/// A vendored reference file (`tests/fixtures/`).
pub fn reference(file: &str) -> Value {
    let dir = crate::support::fixtures_dir();
    let text = std::fs::read_to_string(dir.join(file)).expect("reference file");
    serde_json::from_str(&text).expect("reference JSON")
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[tokio::test]
async fn get_mailbox_matches_the_observed_envelope_annotations_and_headers() {
    let fixture = reference("recorded/exo-invokecommand-observed.json");
    let sim = sim(small(1)).await;
    let upn = sim.labelled("healthy")[0].clone();
    let answer = sim.invoke("get-mailbox", json!({"Identity": upn})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let expected = &fixture["response"]["body"];
    for key in expected.as_object().unwrap().keys() {
        assert!(answer.body.get(key).is_some(), "envelope key {key}");
    }
    assert_eq!(
        answer.body["adminapi.warnings@odata.type"],
        expected["adminapi.warnings@odata.type"]
    );
    let context = answer.body["@odata.context"].as_str().unwrap();
    assert_eq!(
        context,
        format!(
            "https://outlook.office.com/adminapi/beta/{}/$metadata#Collection(Exchange.GenericHashTable)",
            sim.domain()
        )
    );
    let ours = answer.body["value"][0].as_object().unwrap();
    for (key, value) in expected["value"][0].as_object().unwrap() {
        let mine = ours
            .get(key)
            .unwrap_or_else(|| panic!("property {key} missing"));
        if key.contains('@') {
            assert_eq!(mine, value, "annotation {key}");
        } else if !value.is_null() && !mine.is_null() {
            assert_eq!(json_type(mine), json_type(value), "type of {key}");
        }
    }
    for (key, _) in ours.iter().filter(|(k, _)| k.contains('@')) {
        let base = key.split('@').next().unwrap();
        assert!(
            ours.contains_key(base),
            "annotation {key} annotates a property"
        );
    }
    assert_eq!(ours["UserPrincipalName"], upn.as_str());
    for header in [
        "Content-Type",
        "Odata-Version",
        "Preference-Applied",
        "Cache-Control",
    ] {
        let want = fixture["response"]["headers"][header].as_str().unwrap();
        assert_eq!(answer.headers[header], want, "header {header}");
    }
    for header in [
        "Rate-Limit-Limit",
        "Rate-Limit-Remaining",
        "Rate-Limit-Reset",
        "Request-Id",
    ] {
        assert!(answer.headers.contains_key(header), "header {header}");
    }
}

#[tokio::test]
async fn get_mailbox_finds_by_every_identity_form() {
    let sim = sim(small(1)).await;
    let upn = sim.labelled("healthy")[0].clone();
    let user = sim.user(&upn).await;
    let mailbox = &user["mailbox"];
    for identity in [
        upn.to_uppercase(),
        mailbox["alias"].as_str().unwrap().to_owned(),
        mailbox["guid"].as_str().unwrap().to_owned(),
        user["id"].as_str().unwrap().to_owned(),
        mailbox["emailAddresses"][1]
            .as_str()
            .unwrap()
            .trim_start_matches("smtp:")
            .to_owned(),
    ] {
        let answer = sim
            .invoke("Get-Mailbox", json!({"Identity": identity}))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{identity}: {}", answer.text);
        assert_eq!(
            answer.body["value"][0]["ExternalDirectoryObjectId"],
            user["id"]
        );
    }
}

#[tokio::test]
async fn paging_follows_next_link_by_reposting_the_same_body() {
    let sim = sim(small(1)).await;
    let token = sim.token("main", Audience::Exchange);
    let params = json!({"ResultSize": "Unlimited"});
    let mut url = sim.url(&format!("/adminapi/beta/{}/InvokeCommand", sim.tenant_id()));
    let mut seen = BTreeSet::new();
    let mut pages = 0;
    loop {
        let answer = sim
            .invoke_at(&url, &token, "Get-Mailbox", params.clone(), Some(50))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        let values = answer.body["value"].as_array().unwrap();
        assert!(values.len() <= 50);
        for v in values {
            assert!(
                seen.insert(v["Guid"].as_str().unwrap().to_owned()),
                "no duplicates"
            );
        }
        pages += 1;
        match answer.body["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    let mailboxes = sim.sim.state.read_tenant().mailboxes.len();
    assert_eq!(seen.len(), mailboxes);
    assert_eq!(pages, mailboxes.div_ceil(50));

    let first = sim
        .invoke_at(
            &sim.url(&format!("/adminapi/beta/{}/InvokeCommand", sim.domain())),
            &token,
            "Get-Mailbox",
            params,
            Some(10),
        )
        .await;
    let next = first.body["@odata.nextLink"].as_str().unwrap();
    let other = sim
        .invoke_at(
            next,
            &token,
            "Get-User",
            json!({"ResultSize": "Unlimited"}),
            Some(10),
        )
        .await;
    assert_eq!(
        other.status,
        StatusCode::BAD_REQUEST,
        "a nextLink is bound to its cmdlet"
    );
}

#[tokio::test]
async fn lists_stop_at_the_default_result_size_with_the_warning() {
    let mut scenario = small(1);
    scenario
        .behaviour
        .limits
        .insert("exo.default_result_size".into(), 100.0);
    let sim = sim(scenario).await;
    let answer = sim.invoke("Get-Mailbox", json!({})).await;
    assert_eq!(answer.body["value"].as_array().unwrap().len(), 100);
    assert!(answer.body.get("@odata.nextLink").is_none());
    let warning = answer.body["@adminapi.warnings"][0].as_str().unwrap();
    assert!(warning.starts_with("By default, only the first 1000 items are returned."));
}

#[tokio::test]
async fn errors_carry_exchange_texts() {
    let sim = sim(small(1)).await;
    let missing = sim
        .invoke("Get-Mailbox", json!({"Identity": "nobody@contoso.com"}))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.body["error"]["code"], "NotFound");
    assert_eq!(missing.body["error"]["message"], "Error executing cmdlet");
    assert!(exo_message(&missing.body).starts_with(
        "The operation couldn't be performed because object 'nobody@contoso.com' couldn't be found on '"
    ));

    let no_mailbox = sim.labelled("no-mailbox")[0].clone();
    let answer = sim.change(&no_mailbox, "Add", "smtp:x1@contoso.com").await;
    assert_eq!(
        answer.status,
        StatusCode::NOT_FOUND,
        "a user without mailbox is not a mailbox"
    );

    let synced = sim.labelled("synced")[0].clone();
    let id = sim.user(&synced).await["id"].as_str().unwrap().to_owned();
    let answer = sim.change(&synced, "Add", "smtp:x2@contoso.com").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        exo_message(&answer.body),
        format!(
            "The operation on mailbox \"{id}\" failed because it's out of the current user's write \
             scope. The action 'Set-Mailbox', 'EmailAddresses', can't be performed on the object \
             '{id}' because the object is being synchronized from your on-premises organization. \
             This action should be performed on the object in your on-premises organization."
        )
    );

    let healthy = sim.labelled("healthy")[0].clone();
    for domain in ["contoso-legacy.com", "gmail.com"] {
        let answer = sim
            .change(&healthy, "add", &format!("smtp:x3@{domain}"))
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            exo_message(&answer.body),
            format!(
                "You can't use the domain {domain} because it's not an accepted domain for your organization."
            )
        );
    }
    let invalid = sim
        .change(&healthy, "Add", "smtp:not an address@contoso.com")
        .await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert!(exo_message(&invalid.body).contains("isn't a valid SMTP address"));

    let unknown = sim
        .invoke("Remove-Mailbox", json!({"Identity": healthy}))
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(exo_message(&unknown.body).starts_with("The term 'Remove-Mailbox' is not recognized"));
}

#[tokio::test]
async fn a_no_op_change_warns_and_lists_accept_strings_or_arrays() {
    let sim = sim(small(1)).await;
    let upn = sim.labelled("healthy")[0].clone();
    let existing = sim.user(&upn).await["mailbox"]["emailAddresses"][1]
        .as_str()
        .unwrap()
        .to_owned();
    let answer = sim.change(&upn, "Add", &existing).await;
    assert_eq!(answer.status, StatusCode::OK);
    let warning = answer.body["@adminapi.warnings"][0].as_str().unwrap();
    assert!(warning.starts_with("The command completed successfully but no settings of '"));

    let table = json!({"@odata.type": "#Exchange.GenericHashTable", "add": ["smtp:l1@contoso.com", "l2@contoso.com"]});
    let answer = sim
        .invoke(
            "Set-Mailbox",
            json!({"identity": upn, "EmailAddresses": table}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.body["@adminapi.warnings"], json!([]));
    let addresses = sim.user(&upn).await["mailbox"]["emailAddresses"].clone();
    assert!(
        addresses
            .as_array()
            .unwrap()
            .contains(&json!("smtp:l2@contoso.com"))
    );
}

#[tokio::test]
async fn get_user_and_get_accepted_domain() {
    let sim = sim(small(1)).await;
    let unlicensed = sim.labelled("no-mailbox")[0].clone();
    let answer = sim
        .invoke("Get-User", json!({"Identity": unlicensed}))
        .await;
    assert_eq!(answer.body["value"][0]["RecipientType"], "User");
    let healthy = sim.labelled("healthy")[0].clone();
    let answer = sim.invoke("Get-User", json!({"Identity": healthy})).await;
    assert_eq!(answer.body["value"][0]["RecipientType"], "UserMailbox");

    let answer = sim.invoke("Get-AcceptedDomain", json!({})).await;
    let names: Vec<&str> = answer.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["DomainName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["contoso.onmicrosoft.com", "contoso.com"]);
}

#[tokio::test]
async fn exchange_checks_the_token_the_permission_and_the_role() {
    let sim = sim(small(1)).await;
    let url = sim.url(&format!("/adminapi/beta/{}/InvokeCommand", sim.domain()));
    let body = json!({"CmdletInput": {"CmdletName": "Get-AcceptedDomain"}});
    let none = sim.http.post(&url).json(&body).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);

    let graph = sim.token("main", Audience::Graph);
    let answer = sim
        .invoke_at(&url, &graph, "Get-AcceptedDomain", json!({}), None)
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(exo_message(&answer.body).contains("Invalid audience"));

    let limited = sim.token("limited", Audience::Exchange);
    let answer = sim
        .invoke_at(&url, &limited, "Get-AcceptedDomain", json!({}), None)
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(exo_message(&answer.body).contains("Exchange.ManageAsApp"));

    let tenant = sim.tenant_id();
    let no_role = sim.sim.state.identity.issue(&TokenRequest {
        tenant_id: &tenant,
        app_id: &sim.client_id("main"),
        audience: Audience::Exchange,
        roles: &["Exchange.ManageAsApp".to_owned()],
        scopes: &[],
        directory_roles: &[],
        upn: None,
        now: sim.sim.state.clock.now(),
        lifetime_s: 600,
    });
    let answer = sim
        .invoke_at(&url, &no_role, "Get-AcceptedDomain", json!({}), None)
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(exo_message(&answer.body).contains("Exchange Administrator"));

    let main = sim.token("main", Audience::Exchange);
    let elsewhere = sim.url("/adminapi/beta/fabrikam.onmicrosoft.com/InvokeCommand");
    let answer = sim
        .invoke_at(&elsewhere, &main, "Get-AcceptedDomain", json!({}), None)
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "unknown tenant");
    let by_id = sim.url(&format!("/adminapi/v1.0/{tenant}/InvokeCommand"));
    let answer = sim
        .invoke_at(&by_id, &main, "Get-AcceptedDomain", json!({}), None)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "tenant by id");
}

#[tokio::test]
async fn other_exchange_paths_answer_an_exchange_shaped_404() {
    let sim = sim(small(1)).await;
    let url = sim.url(&format!("/adminapi/beta/{}/$batch", sim.tenant_id()));
    let response = sim
        .http
        .post(url)
        .json(&json!({"requests": []}))
        .send()
        .await
        .unwrap();
    let answer = crate::support::Sim::answer(response).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(exo_message(&answer.body).contains("does not emulate '/adminapi/beta/"));
    let unknown = sim.control(reqwest::Method::GET, "/_sim/nope", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        unknown.body["error"]
            .as_str()
            .unwrap()
            .contains("/_sim/nope")
    );
}

#[tokio::test]
async fn get_mailbox_filtered_on_object_ids_returns_those_mailboxes_only() {
    let sim = sim(small(1)).await;
    let (ids, without_mailbox) = {
        let tenant = sim.sim.state.read_tenant();
        let with: Vec<String> = tenant
            .mailboxes
            .keys()
            .take(3)
            .map(|idx| tenant.users[*idx as usize].id.to_string())
            .collect();
        let without = tenant
            .users
            .iter()
            .enumerate()
            .find(|(i, _)| !tenant.mailboxes.contains_key(&(*i as u32)))
            .map(|(_, u)| u.id.to_string())
            .expect("a user without a mailbox");
        (with, without)
    };
    let mut terms: Vec<String> = ids
        .iter()
        .map(|id| format!("(ExternalDirectoryObjectId -eq '{}')", id.to_uppercase()))
        .collect();
    terms.push(format!(
        "(ExternalDirectoryObjectId -eq '{without_mailbox}')"
    ));
    let filter = terms.join(" -or ");
    let answer = sim
        .invoke(
            "Get-Mailbox",
            json!({"Filter": filter, "ResultSize": "Unlimited"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let got: BTreeSet<String> = answer.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["ExternalDirectoryObjectId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, ids.iter().cloned().collect::<BTreeSet<_>>());

    let other = sim
        .invoke(
            "Get-Mailbox",
            json!({"Filter": "EmailAddresses -like 'smtp:a*'"}),
        )
        .await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST);
    assert!(
        exo_message(&other.body).contains("emulates only filters"),
        "{}",
        other.text
    );
}
