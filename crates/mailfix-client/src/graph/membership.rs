//! Transitive group membership of given users: `POST /users/{id}/checkMemberGroups` with up to 20
//! group ids per call, sent in `$batch`es of 20 users (so 50 users against one scope group are three
//! requests). Graph answers with the ids of the groups the user belongs to, directly or through
//! nested groups.

use http::Method;
use serde::Deserialize;
use serde_json::json;

use super::Graph;
use crate::batch::BatchRequest;
use crate::error::Error;
use crate::ids::{GroupId, UserId, UserKey};
use crate::permission::Permission;

/// Group ids one `checkMemberGroups` call may carry.
pub const MAX_GROUPS_PER_CHECK: usize = 20;

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    value: Vec<String>,
}

impl Graph {
    /// For each user, the groups among `groups` it is a transitive member of (one result per
    /// user, in order; a missing user is an `Err` with [`crate::ErrorKind::NotFound`]).
    pub async fn member_groups(
        &self,
        users: &[UserId],
        groups: &[GroupId],
    ) -> Result<Vec<(UserId, Result<Vec<GroupId>, Error>)>, Error> {
        let chunks: Vec<&[GroupId]> = groups.chunks(MAX_GROUPS_PER_CHECK).collect();
        let requests: Vec<BatchRequest> = users
            .iter()
            .flat_map(|user| chunks.iter().map(move |chunk| check(user, chunk)))
            .collect();
        let mut answers = self
            .batch_with(&requests, Permission::GroupMemberReadAll)
            .await?
            .into_iter();
        let mut out = Vec::with_capacity(users.len());
        for user in users {
            let mut found: Result<Vec<GroupId>, Error> = Ok(Vec::new());
            for answer in answers.by_ref().take(chunks.len()) {
                let ids = answer
                    .and_then(|a| a.into_result::<Answer>("users.checkMemberGroups"))
                    .map(|a| a.value.into_iter().map(GroupId));
                match (&mut found, ids) {
                    (Ok(all), Ok(ids)) => all.extend(ids),
                    (Ok(_), Err(e)) => found = Err(e),
                    (Err(_), _) => {}
                }
            }
            out.push((user.clone(), found));
        }
        Ok(out)
    }
}

fn check(user: &UserId, groups: &[GroupId]) -> BatchRequest {
    let ids: Vec<&str> = groups.iter().map(|g| g.0.as_str()).collect();
    BatchRequest {
        method: Method::POST,
        url: format!("{}/checkMemberGroups", UserKey::from(user).path()),
        headers: Default::default(),
        body: Some(json!({ "groupIds": ids })),
    }
}
