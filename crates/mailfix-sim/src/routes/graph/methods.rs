//! Authentication methods of a user (`/users/{id|upn}/authentication/...`): `methods` (all, each
//! with `@odata.type`, the password method included), `phoneMethods` and `emailMethods` (list,
//! create, get, update, delete) with the fixed method ids and the rules of `model::method_rules`.
//! A delegated Authentication Administrator's view and reach are in `methods_scope.rs`; with
//! `graph.unknown_enum_values` on, listings also carry a phone method of a type added later
//! (`unknownFutureValue`, which the v1.0 enum lists).

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::{Authorized, MethodsRead, MethodsWrite};
use super::listing::Page;
use super::methods_scope;
use super::respond::{self, Collection, context, graph_time, parse_body, service_root};
use crate::error::GraphError;
use crate::model::method_rules::MethodError;
use crate::model::methods::{EMAIL_METHOD_ID, PASSWORD_METHOD_ID};
use crate::model::{PhoneMethod, PhoneType, Tenant, UserIdx};
use crate::odata::QueryOptions;
use crate::state::AppState;

fn user(tenant: &Tenant, key: &str) -> Result<UserIdx, GraphError> {
    tenant
        .user_by_key(key)
        .ok_or_else(|| GraphError::not_found(key))
}

fn method_error(error: MethodError) -> GraphError {
    match error {
        MethodError::NotFound(id) => GraphError::not_found(&id),
        other => bad(other.to_string()),
    }
}

fn bad(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "badRequest", message)
}

fn phone_json(p: &PhoneMethod, typed: bool) -> Value {
    let mut v = json!({
        "phoneNumber": p.phone_number,
        "phoneType": p.phone_type.as_str(),
        "smsSignInState": p.sms_sign_in_state,
        "id": p.phone_type.method_id(),
    });
    if typed {
        v["@odata.type"] = json!("#microsoft.graph.phoneAuthenticationMethod");
    }
    v
}

fn email_json(address: &str, typed: bool) -> Value {
    let mut v = json!({ "id": EMAIL_METHOD_ID, "emailAddress": address });
    if typed {
        v["@odata.type"] = json!("#microsoft.graph.emailAuthenticationMethod");
    }
    v
}

fn context_for(state: &AppState, tenant: &Tenant, idx: UserIdx, tail: &str) -> String {
    let id = tenant.users[idx as usize].id;
    context(state, &format!("users('{id}')/authentication/{tail}"))
}

/// Every method of the user, typed: password, phones, email.
fn all_methods(tenant: &Tenant, idx: UserIdx) -> Vec<Value> {
    let created = graph_time(&tenant.users[idx as usize].created);
    let mut all = vec![json!({
        "@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
        "id": PASSWORD_METHOD_ID,
        "password": null,
        "createdDateTime": created,
    })];
    if let Some(m) = tenant.methods.get(&idx) {
        all.extend(m.phones.iter().map(|p| phone_json(p, true)));
        all.extend(m.email.iter().map(|e| email_json(&e.email_address, true)));
    }
    all
}

fn phones(tenant: &Tenant, idx: UserIdx) -> Vec<Value> {
    tenant
        .methods
        .get(&idx)
        .map(|m| m.phones.iter().map(|p| phone_json(p, false)).collect())
        .unwrap_or_default()
}

fn emails(tenant: &Tenant, idx: UserIdx) -> Vec<Value> {
    tenant
        .methods
        .get(&idx)
        .and_then(|m| m.email.as_ref())
        .map(|e| vec![email_json(&e.email_address, false)])
        .unwrap_or_default()
}

/// `{"@odata.context": ".../{tail}/$entity", ...method}`.
fn entity(state: &AppState, tenant: &Tenant, idx: UserIdx, tail: &str, method: Value) -> Value {
    let mut body =
        json!({ "@odata.context": context_for(state, tenant, idx, &format!("{tail}/$entity")) });
    if let (Value::Object(into), Value::Object(from)) = (&mut body, method) {
        into.extend(from);
    }
    body
}

/// What the caller sees of one user's methods `pick`: refused for a user out of a delegated
/// Authentication Administrator's reach, numbers masked for that role, and with
/// `graph.unknown_enum_values` a listing (`listing`) of phones carries a later enum value.
fn view(
    auth: &Authorized<MethodsRead>,
    tenant: &Tenant,
    idx: UserIdx,
    tail: &str,
    listing: bool,
    pick: fn(&Tenant, UserIdx) -> Vec<Value>,
) -> Result<Vec<Value>, GraphError> {
    methods_scope::check_target(&auth.state, tenant, &auth.caller, idx)?;
    let mut found = pick(tenant, idx);
    if methods_scope::masks_phones(&auth.state, &auth.caller) {
        for method in &mut found {
            if let Some(number) = method["phoneNumber"].as_str() {
                method["phoneNumber"] = json!(methods_scope::mask(number));
            }
        }
    }
    if listing && tail != "emailMethods" && !found.is_empty() && future_values(&auth.state) {
        found.push(json!({
            "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
            "id": "e1f2a3b4-0000-4000-8000-00000000f00d",
            "phoneNumber": "+1 5550100",
            "phoneType": "unknownFutureValue",
            "smsSignInState": "unknownFutureValue",
        }));
    }
    Ok(found)
}

/// Answers a read of one user's methods: the collection `tail` (`phoneMethods`, ...) or, with
/// `id`, the entity with that id.
fn read(
    auth: &Authorized<MethodsRead>,
    key: &str,
    tail: &str,
    id: Option<&str>,
    pick: fn(&Tenant, UserIdx) -> Vec<Value>,
) -> Result<Response, GraphError> {
    let tenant = auth.state.read_tenant();
    let idx = user(&tenant, key)?;
    let found = view(auth, &tenant, idx, tail, id.is_none(), pick)?;
    let Some(id) = id else {
        let body = Collection::new(context_for(&auth.state, &tenant, idx, tail), found);
        let operation = format!("{tail}.list");
        return Ok(respond::json(
            StatusCode::OK,
            &body,
            respond::op(&operation),
        ));
    };
    let method = found
        .into_iter()
        .find(|m| m["id"].as_str().is_some_and(|m| m.eq_ignore_ascii_case(id)))
        .ok_or_else(|| GraphError::not_found(id))?;
    let body = entity(&auth.state, &tenant, idx, tail, method);
    Ok(respond::json(
        StatusCode::OK,
        &body,
        respond::op(&format!("{tail}.get")),
    ))
}

fn future_values(state: &AppState) -> bool {
    state.throttle.limits().get("graph.unknown_enum_values") > 0.0
}

/// `GET /users/{key}/authentication/methods`: all in one page, or `graph.methods_page_size` per
/// page with the rest behind `@odata.nextLink` (`$skiptoken`).
pub async fn list_all(
    auth: Authorized<MethodsRead>,
    Path(key): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, GraphError> {
    let size = auth.state.throttle.limits().get("graph.methods_page_size");
    if size < 1.0 {
        return read(&auth, &key, "methods", None, all_methods);
    }
    let q = QueryOptions::parse(uri.query(), &headers)?;
    let path = format!("/users/{key}/authentication/methods");
    let page = Page::new(&auth.state, &path, q, size as usize, size as usize)?;
    let tenant = auth.state.read_tenant();
    let idx = user(&tenant, &key)?;
    let all = view(&auth, &tenant, idx, "methods", true, all_methods)?;
    let end = (page.start + page.size).min(all.len());
    let next = (end < all.len()).then_some(end);
    let items = all.get(page.start..end).unwrap_or_default().to_vec();
    let context = context_for(&auth.state, &tenant, idx, "methods");
    let body = page.collection(context, items, next, || all.len());
    Ok(respond::json(
        StatusCode::OK,
        &body,
        respond::op("methods.list"),
    ))
}

/// `GET /users/{key}/authentication/methods/{id}`.
pub async fn get_any(
    auth: Authorized<MethodsRead>,
    Path((key, id)): Path<(String, String)>,
) -> Result<Response, GraphError> {
    read(&auth, &key, "methods", Some(&id), all_methods)
}

/// `GET /users/{key}/authentication/phoneMethods`.
pub async fn list_phones(
    auth: Authorized<MethodsRead>,
    Path(key): Path<String>,
) -> Result<Response, GraphError> {
    read(&auth, &key, "phoneMethods", None, phones)
}

/// `GET /users/{key}/authentication/phoneMethods/{id}`.
pub async fn get_phone(
    auth: Authorized<MethodsRead>,
    Path((key, id)): Path<(String, String)>,
) -> Result<Response, GraphError> {
    read(&auth, &key, "phoneMethods", Some(&id), phones)
}

/// `GET /users/{key}/authentication/emailMethods`.
pub async fn list_emails(
    auth: Authorized<MethodsRead>,
    Path(key): Path<String>,
) -> Result<Response, GraphError> {
    read(&auth, &key, "emailMethods", None, emails)
}

/// `GET /users/{key}/authentication/emailMethods/{id}`.
pub async fn get_email(
    auth: Authorized<MethodsRead>,
    Path((key, id)): Path<(String, String)>,
) -> Result<Response, GraphError> {
    read(&auth, &key, "emailMethods", Some(&id), emails)
}

/// A change to one user's methods. `create` names the collection a new method was added to; its
/// answer is 201 with the method, else 204.
fn write(
    auth: &Authorized<MethodsWrite>,
    key: &str,
    operation: &str,
    create: Option<&str>,
    apply: impl FnOnce(&mut Tenant, UserIdx) -> Result<Value, MethodError>,
) -> Result<Response, GraphError> {
    let mut tenant = auth.state.write_tenant();
    let idx = user(&tenant, key)?;
    methods_scope::check_target(&auth.state, &tenant, &auth.caller, idx)?;
    let method = apply(&mut tenant, idx).map_err(method_error)?;
    let Some(tail) = create else {
        return Ok(respond::no_content(respond::write_op(operation)));
    };
    let location = format!(
        "{}/users/{}/authentication/{tail}/{}",
        service_root(&auth.state),
        tenant.users[idx as usize].id,
        method["id"].as_str().unwrap_or_default()
    );
    let body = entity(&auth.state, &tenant, idx, tail, method);
    let mut response = respond::json(StatusCode::CREATED, &body, respond::write_op(operation));
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhoneBody {
    phone_number: Option<String>,
    phone_type: Option<String>,
}

impl PhoneBody {
    fn number(&self) -> Result<String, GraphError> {
        self.phone_number
            .clone()
            .ok_or_else(|| bad("phoneNumber is required."))
    }
}

/// `POST /users/{key}/authentication/phoneMethods`: 201 with the new method.
pub async fn add_phone(
    auth: Authorized<MethodsWrite>,
    Path(key): Path<String>,
    body: Bytes,
) -> Result<Response, GraphError> {
    let request: PhoneBody = parse_body(&body)?;
    let number = request.number()?;
    let type_text = request.phone_type.unwrap_or_default();
    let phone_type = PhoneType::parse(&type_text)
        .ok_or_else(|| method_error(MethodError::BadPhoneType(type_text)))?;
    write(
        &auth,
        &key,
        "phoneMethods.create",
        Some("phoneMethods"),
        |t, u| Ok(phone_json(&t.add_phone(u, phone_type, &number)?, false)),
    )
}

/// `PATCH /users/{key}/authentication/phoneMethods/{id}`: 204.
pub async fn update_phone(
    auth: Authorized<MethodsWrite>,
    Path((key, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, GraphError> {
    let request: PhoneBody = parse_body(&body)?;
    let phone_type = PhoneType::from_method_id(&id).ok_or_else(|| GraphError::not_found(&id))?;
    let other_type = request.phone_type.as_deref().map(PhoneType::parse);
    if other_type.is_some_and(|t| t != Some(phone_type)) {
        return Err(method_error(MethodError::TypeChange));
    }
    let number = request.number()?;
    write(&auth, &key, "phoneMethods.update", None, |t, u| {
        t.update_phone(u, phone_type, &number).map(|()| Value::Null)
    })
}

/// `DELETE /users/{key}/authentication/phoneMethods/{id}`: 204.
pub async fn delete_phone(
    auth: Authorized<MethodsWrite>,
    Path((key, id)): Path<(String, String)>,
) -> Result<Response, GraphError> {
    let phone_type = PhoneType::from_method_id(&id).ok_or_else(|| GraphError::not_found(&id))?;
    write(&auth, &key, "phoneMethods.delete", None, |t, u| {
        t.delete_phone(u, phone_type).map(|()| Value::Null)
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmailBody {
    email_address: Option<String>,
}

fn email_address(body: &Bytes) -> Result<String, GraphError> {
    let request: EmailBody = parse_body(body)?;
    request
        .email_address
        .ok_or_else(|| bad("emailAddress is required."))
}

fn email_id(id: &str) -> Result<(), GraphError> {
    if id.eq_ignore_ascii_case(EMAIL_METHOD_ID) {
        Ok(())
    } else {
        Err(GraphError::not_found(id))
    }
}

/// `POST /users/{key}/authentication/emailMethods`: 201 with the new method.
pub async fn add_email(
    auth: Authorized<MethodsWrite>,
    Path(key): Path<String>,
    body: Bytes,
) -> Result<Response, GraphError> {
    let address = email_address(&body)?;
    write(
        &auth,
        &key,
        "emailMethods.create",
        Some("emailMethods"),
        |t, u| Ok(email_json(&t.add_email(u, &address)?.email_address, false)),
    )
}

/// `PATCH /users/{key}/authentication/emailMethods/{id}`: 204.
pub async fn update_email(
    auth: Authorized<MethodsWrite>,
    Path((key, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, GraphError> {
    let address = email_address(&body)?;
    email_id(&id)?;
    write(&auth, &key, "emailMethods.update", None, |t, u| {
        t.update_email(u, &address).map(|()| Value::Null)
    })
}

/// `DELETE /users/{key}/authentication/emailMethods/{id}`: 204.
pub async fn delete_email(
    auth: Authorized<MethodsWrite>,
    Path((key, id)): Path<(String, String)>,
) -> Result<Response, GraphError> {
    email_id(&id)?;
    write(&auth, &key, "emailMethods.delete", None, |t, u| {
        t.delete_email(u).map(|()| Value::Null)
    })
}
