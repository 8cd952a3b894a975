//! Groups: by exact display name (every match, so callers can report ambiguity) or by id.

use super::Graph;
use crate::error::Error;
use crate::ids::{GroupId, encode_segment};
use crate::models::Group;
use crate::permission::Permission;
use crate::query::{Filter, Query};

const GROUP_FIELDS: [&str; 4] = ["id", "displayName", "mail", "description"];

impl Graph {
    /// Every group whose `displayName` equals `name` (`$filter=displayName eq '...'`, quotes
    /// escaped). Zero, one or several; the caller decides what ambiguity means.
    pub async fn find_groups(&self, name: &str) -> Result<Vec<Group>, Error> {
        use futures::TryStreamExt as _;
        let query = Query::new()
            .select(GROUP_FIELDS)
            .filter(Filter::eq("displayName", name))
            .top(self.client.inner.transport.limits.graph_page_size);
        let req = self.get(
            "/groups",
            &query,
            "groups.find",
            Permission::GroupMemberReadAll,
        )?;
        self.items::<Group>(req).try_collect().await
    }

    /// One group by object id.
    pub async fn get_group(&self, id: &GroupId) -> Result<Group, Error> {
        let query = Query::new().select(GROUP_FIELDS);
        let path = format!("/groups/{}", encode_segment(id.as_str()));
        let req = self.get(&path, &query, "groups.get", Permission::GroupMemberReadAll)?;
        self.send_json(req).await
    }
}
