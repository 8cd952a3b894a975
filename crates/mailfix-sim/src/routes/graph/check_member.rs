//! `POST /users/{id | userPrincipalName}/checkMemberGroups` `{"groupIds": [...]}`: which of up to
//! 20 groups the user belongs to, transitively (directoryobject-checkmembergroups.md: "This function
//! is transitive", "up to 20 groups"). The application permissions are `User.Read.All` and
//! `GroupMember.Read.All` together (or `Directory.Read.All`).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::auth::{Authorized, MembersRead};
use super::respond::{self, context};
use crate::error::GraphError;
use crate::model::ObjectRef;

/// The most groups one call may check.
const MAX_GROUPS: usize = 20;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    group_ids: Vec<String>,
}

#[derive(Serialize)]
struct Answer {
    #[serde(rename = "@odata.context")]
    context: String,
    value: Vec<String>,
}

/// `POST /users/{key}/checkMemberGroups`.
pub async fn check_member_groups(
    auth: Authorized<MembersRead>,
    Path(key): Path<String>,
    body: Bytes,
) -> Result<Response, GraphError> {
    if !(auth.caller.has("User.Read.All") || auth.caller.has("User.ReadBasic.All")) {
        return Err(GraphError::forbidden());
    }
    let Body { group_ids } = serde_json::from_slice(&body).map_err(|e| {
        GraphError::bad_request(format!(
            "The request body must be {{\"groupIds\": [...]}}: {e}"
        ))
    })?;
    if group_ids.len() > MAX_GROUPS {
        return Err(GraphError::bad_request(format!(
            "At most {MAX_GROUPS} group ids may be checked in one request; got {}.",
            group_ids.len()
        )));
    }
    let ids = group_ids
        .iter()
        .map(|g| {
            Uuid::parse_str(g)
                .map_err(|_| GraphError::bad_request(format!("Invalid object identifier '{g}'.")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let state = auth.state;
    let tenant = state.read_tenant();
    let user = tenant
        .user_by_key(&key)
        .ok_or_else(|| GraphError::not_found(&key))?;
    let member = ObjectRef::User(user);
    let value = ids
        .iter()
        .zip(&group_ids)
        .filter(|(id, _)| {
            tenant
                .group_by_id(**id)
                .is_some_and(|g| tenant.transitive_members(g).members.contains(&member))
        })
        .map(|(_, text)| text.clone())
        .collect();
    let answer = Answer {
        context: context(&state, "Collection(Edm.String)"),
        value,
    };
    Ok(respond::json(
        StatusCode::OK,
        &answer,
        respond::op("users.checkMemberGroups"),
    ))
}
