//! Exchange `InvokeCommand` where the simulator cannot show it: the headers and body on the wire,
//! next links that name another host (`outlook.office.com`, docs/protocol.md §1.4), and an address
//! change whose outcome is recognised by re-reading the mailbox (a duplicate reported for the
//! mailbox's own address, a removal of an address already gone).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::Query as Params;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use futures::TryStreamExt as _;
use mailfix_client::{AddressOutcome, Service};
use serde_json::{Value, json};

use crate::support::{self, reply};

const SYSTEM_ANCHOR: &str =
    "UPN:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@contoso.onmicrosoft.com";

#[derive(Clone)]
struct Org {
    mailboxes: Arc<Mutex<Vec<Value>>>,
}

fn mailbox(upn: &str, name: &str) -> Value {
    json!({"Identity": name, "Name": name, "UserPrincipalName": upn, "PrimarySmtpAddress": upn,
        "EmailAddresses@odata.type": "#Collection(String)",
        "EmailAddresses": [format!("SMTP:{upn}")], "IsDirSynced": false,
        "ExternalDirectoryObjectId": format!("id-{name}"), "RecipientTypeDetails": "UserMailbox"})
}

fn not_found(identity: &str) -> Response {
    let detail = json!({"Message": format!("The operation couldn't be performed because object '{identity}' couldn't be found."),
        "TypeName": "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException", "InnerError": null});
    reply(
        404,
        &[],
        json!({"error": {"code": "NotFound", "message": "Error executing cmdlet",
        "details": [{"code": "Client", "message": detail.to_string()}]}}),
    )
}

fn bad_request_b(type_name: &str, message: &str) -> Response {
    reply(
        400,
        &[],
        json!({"error": {"code": "BadRequest", "message": "Error executing cmdlet",
        "details": [{"message": format!("Ex1|{type_name}|{message}")}]}}),
    )
}

impl Org {
    fn new(extra: usize) -> Self {
        let mut boxes = vec![
            mailbox("adele@contoso.com", "Adele"),
            mailbox("bob@contoso.com", "Bob"),
        ];
        boxes[1]["EmailAddresses"]
            .as_array_mut()
            .unwrap()
            .push(json!("smtp:taken@contoso.com"));
        boxes.extend((0..extra).map(|i| mailbox(&format!("m{i}@contoso.com"), &format!("M{i}"))));
        Self {
            mailboxes: Arc::new(Mutex::new(boxes)),
        }
    }

    fn find(&self, identity: &str) -> Option<usize> {
        self.mailboxes
            .lock()
            .unwrap()
            .iter()
            .position(|m| m["UserPrincipalName"] == identity || m["Identity"] == identity)
    }

    fn get(&self, params: &Value, headers: &HeaderMap, q: &HashMap<String, String>) -> Response {
        if let Some(identity) = params["Identity"].as_str() {
            return match self.find(identity) {
                Some(i) => reply(
                    200,
                    &[],
                    json!({"value": [self.mailboxes.lock().unwrap()[i]]}),
                ),
                None => not_found(identity),
            };
        }
        let size: usize = headers["prefer"]
            .to_str()
            .unwrap()
            .trim_start_matches("odata.maxpagesize=")
            .parse()
            .unwrap();
        let start: usize = q
            .get("$skiptoken")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let all = self.mailboxes.lock().unwrap();
        let end = (start + size).min(all.len());
        let mut page = json!({"@adminapi.warnings": [], "value": all[start..end]});
        if end < all.len() {
            // Exchange names itself outlook.office.com in links (docs/protocol.md §1.4).
            page["@odata.nextLink"] = json!(format!(
                "https://outlook.office.com/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand?$skiptoken={end}"
            ));
        }
        reply(200, &[], page)
    }

    fn set(&self, params: &Value) -> Response {
        let identity = params["Identity"].as_str().unwrap();
        let Some(i) = self.find(identity) else {
            return not_found(identity);
        };
        let change = &params["EmailAddresses"];
        assert_eq!(change["@odata.type"], "#Exchange.GenericHashTable");
        let mut boxes = self.mailboxes.lock().unwrap();
        if let Some(add) = change["Add"].as_str() {
            let addr = add.trim_start_matches("smtp:").to_ascii_lowercase();
            let owner = boxes.iter().find(|m| {
                m["EmailAddresses"].as_array().unwrap().iter().any(|a| {
                    a.as_str()
                        .unwrap()
                        .to_ascii_lowercase()
                        .ends_with(&format!(":{addr}"))
                })
            });
            if let Some(owner) = owner {
                return bad_request_b(
                    "Microsoft.Exchange.Data.Directory.ADProxyAddressExistsException",
                    &format!(
                        "The proxy address \"{add}\" is already being used by the proxy addresses or LegacyExchangeDN of \"{}\". Please choose another proxy address.",
                        owner["Name"].as_str().unwrap()
                    ),
                );
            }
            boxes[i]["EmailAddresses"]
                .as_array_mut()
                .unwrap()
                .push(json!(add));
            return reply(200, &[], json!({"@adminapi.warnings": [], "value": []}));
        }
        let remove = change["Remove"].as_str().unwrap();
        let list = boxes[i]["EmailAddresses"].as_array_mut().unwrap();
        let before = list.len();
        list.retain(|a| a != remove);
        let warnings = if list.len() == before {
            vec![format!(
                "The command completed successfully but no settings of '{identity}' have been modified."
            )]
        } else {
            vec![]
        };
        reply(
            200,
            &[],
            json!({"@adminapi.warnings": warnings, "value": []}),
        )
    }

    fn router(self) -> Router {
        Router::new().route(
            "/adminapi/beta/{tenant}/InvokeCommand",
            post(move |headers: HeaderMap, Params(q): Params<HashMap<String, String>>, Json(body): Json<Value>| {
                let org = self.clone();
                async move {
                    let input = &body["CmdletInput"];
                    let params = &input["Parameters"];
                    match input["CmdletName"].as_str().unwrap() {
                        "Get-Mailbox" => org.get(params, &headers, &q),
                        "Set-Mailbox" => org.set(params),
                        other => reply(400, &[], json!({"error": {"code": "BadRequest", "message": format!("unknown cmdlet {other}")}})),
                    }
                }
            }),
        )
    }
}

async fn start(extra: usize) -> (mailfix_client::Client, support::Server) {
    let server = support::serve(
        Org::new(extra)
            .router()
            .merge(support::token_endpoint(3599)),
    )
    .await;
    (support::client(&server.url), server)
}

#[tokio::test]
async fn get_mailbox_sends_the_documented_request() {
    let (client, server) = start(0).await;
    let m = client.exo().get_mailbox("adele@contoso.com").await.unwrap();
    assert_eq!(m.external_directory_object_id.as_deref(), Some("id-Adele"));
    assert_eq!(m.email_addresses, ["SMTP:adele@contoso.com"]);
    let hit = &server.log.matching("/InvokeCommand")[0];
    assert_eq!(
        hit.path,
        "/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand"
    );
    assert!(
        hit.query.starts_with("$select=Identity,Alias,"),
        "{}",
        hit.query
    );
    assert_eq!(
        hit.json(),
        json!({"CmdletInput": {"CmdletName": "Get-Mailbox", "Parameters": {"Identity": "adele@contoso.com"}}})
    );
    assert_eq!(hit.header("x-anchormailbox"), Some(SYSTEM_ANCHOR));
    assert_eq!(hit.header("prefer"), Some("odata.maxpagesize=1000"));
    assert_eq!(hit.header("x-cmdletname"), Some("Get-Mailbox"));
    assert_eq!(hit.header("content-type"), Some("application/json"));
    assert!(uuid::Uuid::parse_str(hit.header("client-request-id").unwrap()).is_ok());
    assert_eq!(hit.header("x-clientapplication"), Some("mailfix"));
}

#[tokio::test]
async fn all_mailboxes_are_listed_by_reposting_the_same_body_to_the_next_link_on_our_host() {
    let (client, server) = start(2498).await;
    let all: Vec<_> = client.exo().list_mailboxes().try_collect().await.unwrap();
    assert_eq!(all.len(), 2500);
    let hits = server.log.matching("/InvokeCommand");
    assert_eq!(hits.len(), 3);
    assert_eq!(
        client
            .counters()
            .requests_for(Service::Exchange, "Get-Mailbox"),
        3
    );
    for h in &hits {
        assert_eq!(h.method, "POST");
        assert_eq!(h.body, hits[0].body, "same body on every page");
        assert_eq!(h.header("x-anchormailbox"), Some(SYSTEM_ANCHOR));
    }
    assert_eq!(hits[1].query, "$skiptoken=1000");
    assert_eq!(hits[2].query, "$skiptoken=2000");
    let conn: Vec<_> = hits
        .iter()
        .map(|h| h.header("connection-id").unwrap().to_owned())
        .collect();
    assert!(
        conn.windows(2).all(|w| w[0] == w[1]),
        "one connection id per client"
    );
}

#[tokio::test]
async fn add_and_remove_a_secondary_address() {
    let (client, server) = start(0).await;
    let exo = client.exo();
    let added = exo
        .add_address("adele@contoso.com", "adele.mailfix-r1@contoso.com")
        .await
        .unwrap();
    assert_eq!(added.outcome, AddressOutcome::Applied);
    let set = &server.log.matching("/InvokeCommand")[0].json();
    assert_eq!(
        set["CmdletInput"]["Parameters"],
        json!({"Identity": "adele@contoso.com", "EmailAddresses": {"@odata.type": "#Exchange.GenericHashTable", "Add": "smtp:adele.mailfix-r1@contoso.com"}})
    );
    // Adding it again (as after a lost answer) is recognised by re-reading the mailbox.
    let again = exo
        .add_address("adele@contoso.com", "adele.mailfix-r1@contoso.com")
        .await
        .unwrap();
    assert_eq!(again.outcome, AddressOutcome::AlreadyPresent);
    let removed = exo
        .remove_address("adele@contoso.com", "smtp:adele.mailfix-r1@contoso.com")
        .await
        .unwrap();
    assert_eq!(removed.outcome, AddressOutcome::Applied);
    assert!(removed.warnings.is_empty());
    let noop = exo
        .remove_address("adele@contoso.com", "adele.mailfix-r1@contoso.com")
        .await
        .unwrap();
    assert_eq!(noop.warnings.len(), 1, "warnings are surfaced");
    assert!(
        exo.add_address("adele@contoso.com", "SMTP:x@contoso.com")
            .await
            .is_err()
    );
}
