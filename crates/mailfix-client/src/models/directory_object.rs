//! Directory objects as returned by `members` / `transitiveMembers`, typed by `@odata.type`.

use serde::{Deserialize, Serialize};

use super::{Group, User};

/// A member of a group, discriminated by its `@odata.type`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "@odata.type")]
pub enum DirectoryObject {
    /// `#microsoft.graph.user`.
    #[serde(rename = "#microsoft.graph.user")]
    User(User),
    /// `#microsoft.graph.group`.
    #[serde(rename = "#microsoft.graph.group")]
    Group(Group),
    /// `#microsoft.graph.device`.
    #[serde(rename = "#microsoft.graph.device")]
    Device(OtherObject),
    /// `#microsoft.graph.orgContact`.
    #[serde(rename = "#microsoft.graph.orgContact")]
    OrgContact(OtherObject),
    /// `#microsoft.graph.servicePrincipal`.
    #[serde(rename = "#microsoft.graph.servicePrincipal")]
    ServicePrincipal(OtherObject),
    /// Any other type.
    #[serde(other)]
    Unknown,
}

/// A non-user, non-group member: only its id and name matter to mailfix.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtherObject {
    /// Object id.
    pub id: String,
    /// `displayName`.
    #[serde(default)]
    pub display_name: Option<String>,
}

impl DirectoryObject {
    /// A short name for the kind of object, used when counting skipped members.
    pub fn kind(&self) -> &'static str {
        match self {
            DirectoryObject::User(_) => "user",
            DirectoryObject::Group(_) => "group",
            DirectoryObject::Device(_) => "device",
            DirectoryObject::OrgContact(_) => "contact",
            DirectoryObject::ServicePrincipal(_) => "servicePrincipal",
            DirectoryObject::Unknown => "other",
        }
    }
}
