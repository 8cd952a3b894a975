//! The scope reads the script made: a group by name, and its user members with every default
//! property, all in memory.

use anyhow::Context as _;
use futures::TryStreamExt as _;
use mailfix_client::models::{DirectoryObject, User};
use mailfix_client::{Client, GroupId, Membership, Query};

/// The id of the group named `name` (the first one, as the script's `-Filter` would give).
pub(super) async fn group_id(client: &Client, name: &str) -> anyhow::Result<GroupId> {
    let groups = client.graph().find_groups(name).await?;
    let group = groups
        .into_iter()
        .next()
        .with_context(|| format!("no group named '{name}'"))?;
    Ok(GroupId(group.id))
}

/// The user members of a group with the default properties (no `$select`), all of them in memory
/// like the script's `Get-AzureADGroupMember -All $true`, in pages as `query` says.
pub(super) async fn user_members(
    client: &Client,
    group: &GroupId,
    membership: Membership,
    query: &Query,
) -> anyhow::Result<Vec<User>> {
    let members: Vec<DirectoryObject> = client
        .graph()
        .members(group, membership, query)
        .try_collect()
        .await?;
    Ok(members
        .into_iter()
        .filter_map(|m| match m {
            DirectoryObject::User(user) => Some(user),
            _ => None,
        })
        .collect())
}
