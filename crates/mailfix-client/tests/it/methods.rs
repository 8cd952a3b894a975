//! Authentication methods on the wire: list typed by `@odata.type`, create/update/delete paths and
//! bodies, the permission named when writes are denied.

use axum::Router;
use axum::routing::get;
use mailfix_client::UserRef;
use mailfix_client::models::{AuthenticationMethod, PhoneType};
use serde_json::json;

use crate::support::{self, reply};

fn router() -> Router {
    let phone = "/v1.0/users/{user}/authentication/phoneMethods";
    Router::new()
        .route(
            "/v1.0/users/{user}/authentication/methods",
            get(|| async {
                reply(200, &[], json!({"value": [
                    {"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "28c10230-6103-485e-b985-444c60001490"},
                    {"@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": "3179e48a-750b-4051-897c-87b9720928f7", "phoneNumber": "+61 412345678", "phoneType": "mobile", "smsSignInState": "ready"},
                    {"@odata.type": "#microsoft.graph.emailAuthenticationMethod", "id": "3ddfcfc8-9383-446f-83cc-3ab9be4be18f", "emailAddress": "kim@fabrikam.com"}]}))
            }),
        )
        .route(
            phone,
            get(|| async { reply(200, &[], json!({"value": []})) }).post(|| async {
                reply(201, &[], json!({"id": "3179e48a-750b-4051-897c-87b9720928f7", "phoneNumber": "+61 412345678", "phoneType": "mobile", "smsSignInState": "ready"}))
            }),
        )
        .route(
            &format!("{phone}/{{id}}"),
            axum::routing::patch(|| async { axum::http::StatusCode::NO_CONTENT })
                .delete(|| async { axum::http::StatusCode::NO_CONTENT }),
        )
        .route(
            "/v1.0/users/{user}/authentication/emailMethods",
            axum::routing::post(|| async {
                reply(403, &[], json!({"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation."}}))
            }),
        )
}

#[tokio::test]
async fn methods_are_listed_typed_and_phones_written_at_their_fixed_ids() {
    let server = support::serve(router().merge(support::token_endpoint(3599))).await;
    let client = support::client(&server.url);
    let graph = client.graph();
    let user = UserRef::parse("kim@contoso.com");
    let methods = graph.auth_methods(&user).await.unwrap();
    assert!(matches!(methods[0], AuthenticationMethod::Other));
    assert!(
        matches!(&methods[1], AuthenticationMethod::Phone(p) if p.phone_type == PhoneType::Mobile)
    );
    assert!(
        matches!(&methods[2], AuthenticationMethod::Email(e) if e.email_address == "kim@fabrikam.com")
    );
    assert!(graph.phone_methods(&user).await.unwrap().is_empty());

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
        .delete_phone_method(&user, PhoneType::Mobile)
        .await
        .unwrap();
    let hits = server.log.matching("/phoneMethods");
    let calls: Vec<(String, String)> = hits
        .iter()
        .map(|h| (h.method.clone(), h.path.clone()))
        .collect();
    let base = "/v1.0/users/kim@contoso.com/authentication/phoneMethods";
    let mobile = format!("{base}/3179e48a-750b-4051-897c-87b9720928f7");
    assert_eq!(calls[1], ("POST".to_owned(), base.to_owned()));
    assert_eq!(calls[2], ("PATCH".to_owned(), mobile.clone()));
    assert_eq!(calls[3], ("DELETE".to_owned(), mobile));
    assert_eq!(
        hits[1].json(),
        json!({"phoneNumber": "+61 412345678", "phoneType": "mobile"})
    );
    assert_eq!(
        hits[2].json(),
        json!({"phoneNumber": "+61 498765432", "phoneType": "mobile"})
    );
}

#[tokio::test]
async fn a_denied_write_names_the_read_write_permission() {
    let server = support::serve(router().merge(support::token_endpoint(3599))).await;
    let client = support::client(&server.url);
    let err = client
        .graph()
        .add_email_method(&UserRef::parse("kim@contoso.com"), "kim@fabrikam.com")
        .await
        .unwrap_err();
    assert!(err.is_forbidden());
    assert!(
        err.hint()
            .unwrap()
            .contains("UserAuthenticationMethod.ReadWrite.All")
    );
}
