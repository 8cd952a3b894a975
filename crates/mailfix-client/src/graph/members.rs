//! Group membership: `members` or `transitiveMembers` as directory objects typed by
//! `@odata.type`, or only the users through the `microsoft.graph.user` cast (an advanced query:
//! `ConsistencyLevel: eventual` and `$count=true`, docs/protocol.md §2.1).

use super::Graph;
use crate::ids::{GroupId, encode_segment};
use crate::models::{DirectoryObject, User};
use crate::page::Items;
use crate::permission::Permission;
use crate::query::Query;

/// Direct or nested membership.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Membership {
    /// `members`: direct members only.
    Direct,
    /// `transitiveMembers`: members of nested groups too, each once.
    #[default]
    Transitive,
}

impl Membership {
    /// The path of a group's membership, with an optional cast; and the operation name.
    fn path(self, group: &GroupId, cast: Option<&str>) -> (String, &'static str) {
        let (segment, op, op_cast) = match self {
            Membership::Direct => ("members", "groups.members", "groups.members.user"),
            Membership::Transitive => (
                "transitiveMembers",
                "groups.transitiveMembers",
                "groups.transitiveMembers.user",
            ),
        };
        let base = format!("/groups/{}/{segment}", encode_segment(group.as_str()));
        match cast {
            Some(c) => (format!("{base}/{c}"), op_cast),
            None => (base, op),
        }
    }
}

impl Graph {
    /// Every member (users, groups, devices, contacts, ...). `$select` applies to all types;
    /// without `$top` the page size is the maximum (999), so N members take ceil(N/999) requests.
    pub fn members(
        &self,
        group: &GroupId,
        membership: Membership,
        query: &Query,
    ) -> Items<DirectoryObject> {
        let (path, op) = membership.path(group, None);
        let query = self.with_page_size(query);
        self.list(self.get(&path, &query, op, Permission::GroupMemberReadAll))
    }

    /// Only the user members, through the OData cast (always an advanced query).
    pub fn user_members(
        &self,
        group: &GroupId,
        membership: Membership,
        query: &Query,
    ) -> Items<User> {
        let (path, op) = membership.path(group, Some("microsoft.graph.user"));
        let query = self.with_page_size(query).advanced();
        self.list(self.get(&path, &query, op, Permission::GroupMemberReadAll))
    }
}
