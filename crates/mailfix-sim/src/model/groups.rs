//! Groups and their direct members.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::ObjectRef;

/// A directory group.
#[derive(Clone, Debug)]
pub struct Group {
    /// Object id.
    pub id: Uuid,
    /// `displayName` (not unique: two groups may share a name).
    pub display_name: String,
    /// `description`.
    pub description: Option<String>,
    /// `mailNickname`.
    pub mail_nickname: String,
    /// `mail`, for mail-enabled groups.
    pub mail: Option<String>,
    /// `mailEnabled`.
    pub mail_enabled: bool,
    /// `securityEnabled`.
    pub security_enabled: bool,
    /// `groupTypes` (e.g. `Unified`).
    pub group_types: Vec<String>,
    /// `createdDateTime`.
    pub created: DateTime<Utc>,
    /// Direct members, in the order they were added.
    pub members: Vec<ObjectRef>,
}
