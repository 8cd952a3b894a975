//! The script's way of scanning: list the population (default properties, everything kept in
//! memory), then one request per member for what the checks need, one after the other.

use futures::TryStreamExt as _;
use mailfix_client::models::User;
use mailfix_client::{Client, Membership, Query, UserKey};
use mailfix_engine::collect::USER_FIELDS;
use serde_json::{Value, json};

/// Scans the transitive members of `group`, or every user when `group` is `None`.
pub async fn run(client: &Client, group: Option<&str>) -> anyhow::Result<Value> {
    let listed: Vec<User> = match group {
        Some(name) => {
            let id = super::members::group_id(client, name).await?;
            super::members::user_members(client, &id, Membership::Transitive).await?
        }
        None => {
            client
                .graph()
                .list_users(&Query::new())
                .try_collect()
                .await?
        }
    };
    let mut empty_mail = 0u64;
    for member in &listed {
        let user = client
            .graph()
            .get_user(&UserKey::parse(&member.id), &USER_FIELDS)
            .await?;
        empty_mail += u64::from(user.mail_is_empty());
    }
    Ok(json!({
        "listed": listed.len(),
        "read": listed.len(),
        "empty_mail": empty_mail,
    }))
}
