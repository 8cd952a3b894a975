//! Directory objects other than users and groups (devices, contacts, service principals) and the
//! typed references that group memberships hold.

use uuid::Uuid;

use super::{GroupIdx, UserIdx};

/// The kind of a non-user, non-group directory object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    /// `#microsoft.graph.device`.
    Device,
    /// `#microsoft.graph.orgContact`.
    OrgContact,
    /// `#microsoft.graph.servicePrincipal`.
    ServicePrincipal,
}

impl ObjectKind {
    /// The `@odata.type` value Graph uses for this kind.
    pub fn odata_type(self) -> &'static str {
        match self {
            ObjectKind::Device => "#microsoft.graph.device",
            ObjectKind::OrgContact => "#microsoft.graph.orgContact",
            ObjectKind::ServicePrincipal => "#microsoft.graph.servicePrincipal",
        }
    }
}

/// A device, contact or service principal that can be a group member.
#[derive(Clone, Debug)]
pub struct OtherObject {
    /// Object id.
    pub id: Uuid,
    /// What it is.
    pub kind: ObjectKind,
    /// `displayName`.
    pub display_name: String,
}

/// A member of a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectRef {
    /// A user, by index.
    User(UserIdx),
    /// A group, by index.
    Group(GroupIdx),
    /// A device, contact or service principal, by index into [`super::Tenant::others`].
    Other(u32),
}
