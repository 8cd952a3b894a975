//! The Graph `group` resource, limited to what mailfix needs to find a group.

use serde::{Deserialize, Serialize};

/// A Graph group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// Object id.
    pub id: String,
    /// `displayName`.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `mail`.
    #[serde(default)]
    pub mail: Option<String>,
    /// `description`.
    #[serde(default)]
    pub description: Option<String>,
}
