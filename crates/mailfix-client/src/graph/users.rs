//! Users: list (`$select`/`$filter`/`$top`/`$count` with `ConsistencyLevel`), get by id or UPN,
//! and many by id through `$batch`.

use super::Graph;
use crate::batch::BatchRequest;
use crate::error::Error;
use crate::ids::{UserId, UserKey};
use crate::models::User;
use crate::page::Items;
use crate::permission::Permission;
use crate::query::Query;

impl Graph {
    /// Lists users (`GET /users`). Without `$top` the page size is [`crate::Limits::graph_page_size`].
    pub fn list_users(&self, query: &Query) -> Items<User> {
        let query = self.with_page_size(query);
        self.list(self.get("/users", &query, "users.list", Permission::UserReadAll))
    }

    /// One user by object id or UPN, with `$select`.
    pub async fn get_user(&self, user: &UserKey, select: &[&str]) -> Result<User, Error> {
        let query = Query::new().select(select.iter().copied());
        let req = self.get(&user.path(), &query, "users.get", Permission::UserReadAll)?;
        self.send_json(req).await
    }

    /// Many users by object id (`GET /users/{id}?$select=...` in `$batch`es of 20); one result per
    /// id, in order. A missing user is an `Err` with [`crate::ErrorKind::NotFound`].
    pub async fn get_users(
        &self,
        ids: &[UserId],
        select: &[&str],
    ) -> Result<Vec<(UserId, Result<User, Error>)>, Error> {
        let query = Query::new().select(select.iter().copied());
        let requests: Vec<BatchRequest> = ids
            .iter()
            .map(|id| BatchRequest::get(query.apply(&UserKey::from(id).path())))
            .collect();
        let answers = self.batch_with(&requests, Permission::UserReadAll).await?;
        Ok(ids
            .iter()
            .cloned()
            .zip(answers)
            .map(|(id, answer)| (id, answer.and_then(|a| a.into_result("users.get"))))
            .collect())
    }

    /// `query` with the default page size when it sets none.
    pub(crate) fn with_page_size(&self, query: &Query) -> Query {
        match query.page_size() {
            Some(_) => query.clone(),
            None => query
                .clone()
                .top(self.client.inner.transport.limits.graph_page_size),
        }
    }
}
