//! Authentication methods: the typed list with the password method, phone rules (one per type,
//! mobile before alternateMobile, format, fixed ids), the single email method, and write access.

use serde_json::json;

use super::graph_support::{Sim, keys, scenario, start, user};

const MOBILE: &str = "3179e48a-750b-4051-897c-87b9720928f7";
const ALTERNATE: &str = "b6332ec1-7057-4abe-9331-3d72feddfe41";
const EMAIL: &str = "3ddfcfc8-9383-446f-83cc-3ab9be4be18f";

async fn sim() -> Sim {
    start(scenario(vec![user("kim", "Kim Akers")], vec![])).await
}

const BASE: &str = "/users/kim@contoso.com/authentication";

async fn post(sim: &Sim, tail: &str, body: serde_json::Value) -> super::graph_support::Resp {
    sim.send("POST", &format!("{BASE}/{tail}"), &[], Some(body))
        .await
}

#[tokio::test]
async fn phone_methods_follow_graph_rules() {
    let sim = sim().await;
    let r = post(
        &sim,
        "phoneMethods",
        json!({"phoneNumber": "+1 2065555556", "phoneType": "alternateMobile"}),
    )
    .await;
    assert_eq!(r.status, 400, "alternateMobile needs a mobile first");
    for bad in [
        "2065555555",
        "+1 206-555-5555",
        "+1 206 555 5555",
        "+12065555555",
    ] {
        let r = post(
            &sim,
            "phoneMethods",
            json!({"phoneNumber": bad, "phoneType": "mobile"}),
        )
        .await;
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.error().0, "badRequest");
    }
    let r = post(
        &sim,
        "phoneMethods",
        json!({"phoneNumber": "+1 2065555555", "phoneType": "pager"}),
    )
    .await;
    assert_eq!(r.status, 400);
    let r = post(
        &sim,
        "phoneMethods",
        json!({"phoneNumber": "+1 2065555555", "phoneType": "mobile"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let body = r.json();
    assert_eq!(body["id"], MOBILE);
    assert_eq!(body["phoneType"], "mobile");
    assert_eq!(body["smsSignInState"], "ready");
    assert!(
        r.header("location")
            .unwrap()
            .ends_with(&format!("/authentication/phoneMethods/{MOBILE}"))
    );
    let r = post(
        &sim,
        "phoneMethods",
        json!({"phoneNumber": "+1 2065550000", "phoneType": "mobile"}),
    )
    .await;
    assert_eq!(r.status, 400, "one phone per type");
    let r = post(
        &sim,
        "phoneMethods",
        json!({"phoneNumber": "+1 2065555556x12", "phoneType": "alternateMobile"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["id"], ALTERNATE);

    let list = sim.get(&format!("{BASE}/phoneMethods")).await.json();
    let ids: Vec<&str> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [MOBILE, ALTERNATE]);
    assert_eq!(
        keys(&list["value"][0]),
        ["id", "phoneNumber", "phoneType", "smsSignInState"]
    );

    let path = format!("{BASE}/phoneMethods/{MOBILE}");
    let r = sim
        .send(
            "PATCH",
            &path,
            &[],
            Some(json!({"phoneNumber": "+61 412345678"})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(sim.get(&path).await.json()["phoneNumber"], "+61 412345678");
    let r = sim
        .send(
            "PATCH",
            &path,
            &[],
            Some(json!({"phoneNumber": "+61 412345678", "phoneType": "office"})),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(sim.send("DELETE", &path, &[], None).await.status, 204);
    assert_eq!(sim.get(&path).await.status, 404);
    assert_eq!(sim.send("DELETE", &path, &[], None).await.status, 404);
}

#[tokio::test]
async fn one_email_method_per_user() {
    let sim = sim().await;
    let r = post(
        &sim,
        "emailMethods",
        json!({"emailAddress": "kim@fabrikam.com"}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let body = r.json();
    assert_eq!(
        (body["id"].as_str(), body["emailAddress"].as_str()),
        (Some(EMAIL), Some("kim@fabrikam.com"))
    );
    let r = post(
        &sim,
        "emailMethods",
        json!({"emailAddress": "kim2@fabrikam.com"}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        post(
            &sim,
            "emailMethods",
            json!({"emailAddress": "not an address"})
        )
        .await
        .status,
        400
    );
    let path = format!("{BASE}/emailMethods/{EMAIL}");
    let r = sim
        .send(
            "PATCH",
            &path,
            &[],
            Some(json!({"emailAddress": "kim@tailspin.com"})),
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        sim.get(&path).await.json()["emailAddress"],
        "kim@tailspin.com"
    );
    let list = sim.get(&format!("{BASE}/emailMethods")).await.json();
    assert_eq!(list["value"].as_array().map(Vec::len), Some(1));
    assert_eq!(sim.send("DELETE", &path, &[], None).await.status, 204);
    assert_eq!(
        sim.get(&format!("{BASE}/emailMethods")).await.json()["value"],
        json!([])
    );
}

#[tokio::test]
async fn the_methods_list_is_typed_and_includes_the_password() {
    let sim = sim().await;
    post(
        &sim,
        "phoneMethods",
        json!({"phoneNumber": "+1 2065555555", "phoneType": "mobile"}),
    )
    .await;
    post(
        &sim,
        "emailMethods",
        json!({"emailAddress": "kim@fabrikam.com"}),
    )
    .await;
    let body = sim.get(&format!("{BASE}/methods")).await.json();
    let types: Vec<&str> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["@odata.type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "#microsoft.graph.passwordAuthenticationMethod",
            "#microsoft.graph.phoneAuthenticationMethod",
            "#microsoft.graph.emailAuthenticationMethod"
        ]
    );
    assert_eq!(
        body["value"][0]["id"],
        "28c10230-6103-485e-b985-444c60001490"
    );
    let one = sim.get(&format!("{BASE}/methods/{MOBILE}")).await.json();
    assert_eq!(
        one["@odata.type"],
        "#microsoft.graph.phoneAuthenticationMethod"
    );
}

#[tokio::test]
async fn reading_and_writing_need_their_permissions() {
    let sim = sim().await;
    let read_only = format!(
        "Bearer {}",
        sim.token_with(&["UserAuthenticationMethod.Read.All"])
    );
    let url = format!("{}{BASE}/phoneMethods", sim.root());
    let headers = [("Authorization", read_only.as_str())];
    assert_eq!(sim.raw("GET", &url, &headers, None).await.status, 200);
    let body = json!({"phoneNumber": "+1 2065555555", "phoneType": "mobile"});
    let r = sim.raw("POST", &url, &headers, Some(body)).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.error().0, "Authorization_RequestDenied");
    let none = format!("Bearer {}", sim.token_with(&["User.Read.All"]));
    assert_eq!(
        sim.raw("GET", &url, &[("Authorization", none.as_str())], None)
            .await
            .status,
        403
    );
    assert_eq!(
        sim.get("/users/nobody@contoso.com/authentication/methods")
            .await
            .status,
        404
    );
}
