//! The Graph wire form of groups and other directory objects (devices, contacts, service
//! principals), and of the mixed items of member lists, each carrying `@odata.type`.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::respond::ser_time;
use super::user_view::{USER_DEFAULT, UserRow};
use crate::model::{Group, ObjectRef, OtherObject, Tenant};
use crate::odata::eval::{Fields, Val};
use crate::odata::schemas::GROUP_COLLECTIONS;

/// Properties of a group returned when there is no `$select` (group-get-1-default.json plus
/// `serviceProvisioningErrors`, which the newer docs-derived mock shows).
pub const GROUP_DEFAULT: &[&str] = &[
    "id",
    "deletedDateTime",
    "classification",
    "createdDateTime",
    "description",
    "displayName",
    "expirationDateTime",
    "groupTypes",
    "isAssignableToRole",
    "mail",
    "mailEnabled",
    "mailNickname",
    "membershipRule",
    "membershipRuleProcessingState",
    "onPremisesDomainName",
    "onPremisesLastSyncDateTime",
    "onPremisesNetBiosName",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "preferredDataLocation",
    "preferredLanguage",
    "proxyAddresses",
    "renewedDateTime",
    "resourceBehaviorOptions",
    "resourceProvisioningOptions",
    "securityEnabled",
    "securityIdentifier",
    "serviceProvisioningErrors",
    "theme",
    "visibility",
    "onPremisesProvisioningErrors",
];

/// Properties of devices, contacts and service principals in member lists.
pub const OTHER_DEFAULT: &[&str] = &["id", "deletedDateTime", "displayName"];

/// A group as one request sees it.
#[derive(Clone, Copy)]
pub struct GroupRow<'a> {
    /// The stored group.
    pub group: &'a Group,
    /// The tenant id (`organizationId`).
    pub tenant: &'a Tenant,
}

impl<'a> GroupRow<'a> {
    /// This group rendered with `props` (and `@odata.type` when `typed`). With a `$select`, `id`
    /// comes along as in group-get-2-select.json.
    pub fn out(self, props: &'a [&'static str], typed: bool, selected: bool) -> GroupOut<'a> {
        GroupOut {
            row: self,
            props,
            typed,
            with_id: selected && !props.contains(&"id"),
        }
    }

    fn unified(&self) -> bool {
        self.group
            .group_types
            .iter()
            .any(|t| t.eq_ignore_ascii_case("Unified"))
    }

    fn proxies(&self) -> Vec<String> {
        self.group
            .mail
            .iter()
            .map(|m| format!("SMTP:{m}"))
            .collect()
    }

    fn security_identifier(&self) -> String {
        let b = self.group.id.as_bytes();
        let part = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        format!("S-1-12-1-{}-{}-{}-{}", part(0), part(4), part(8), part(12))
    }
}

/// A group ready to serialize.
pub struct GroupOut<'a> {
    row: GroupRow<'a>,
    props: &'a [&'static str],
    typed: bool,
    with_id: bool,
}

impl Serialize for GroupOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        if self.typed {
            map.serialize_entry("@odata.type", "#microsoft.graph.group")?;
        }
        if self.with_id {
            map.serialize_entry("id", &self.row.group.id)?;
        }
        for name in self.props {
            map.serialize_entry(name, &GroupProp(self.row, name))?;
        }
        map.end()
    }
}

struct GroupProp<'a>(GroupRow<'a>, &'a str);

impl Serialize for GroupProp<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let GroupProp(row, name) = self;
        let g = row.group;
        let unified = row.unified();
        match *name {
            "id" => s.collect_str(&g.id),
            "displayName" => s.serialize_str(&g.display_name),
            "description" => g.description.serialize(s),
            "mail" => g.mail.serialize(s),
            "mailEnabled" => s.serialize_bool(g.mail_enabled),
            "mailNickname" => s.serialize_str(&g.mail_nickname),
            "securityEnabled" => s.serialize_bool(g.security_enabled),
            "groupTypes" => g.group_types.serialize(s),
            "createdDateTime" | "renewedDateTime" => ser_time(&g.created, s),
            "proxyAddresses" => row.proxies().serialize(s),
            "securityIdentifier" => s.serialize_str(&row.security_identifier()),
            "organizationId" => s.collect_str(&row.tenant.id),
            "visibility" if unified => s.serialize_str("Private"),
            "allowExternalSenders" | "autoSubscribeNewMembers" | "isSubscribedByMail"
                if unified =>
            {
                s.serialize_bool(false)
            }
            "unseenCount" if unified => s.serialize_u32(0),
            "hasMembersWithLicenseErrors" => s.serialize_bool(false),
            other if GROUP_COLLECTIONS.contains(&other) => s.collect_seq(std::iter::empty::<()>()),
            _ => s.serialize_none(),
        }
    }
}

impl Fields for GroupRow<'_> {
    fn field(&self, path: &[String]) -> Val<'_> {
        let g = self.group;
        match path[0].as_str() {
            "id" => Val::Str(g.id.to_string().into()),
            "displayName" => Val::str(&g.display_name),
            "description" => Val::opt_str(g.description.as_deref()),
            "mail" => Val::opt_str(g.mail.as_deref()),
            "mailNickname" => Val::str(&g.mail_nickname),
            "mailEnabled" => Val::Bool(g.mail_enabled),
            "securityEnabled" => Val::Bool(g.security_enabled),
            "hasMembersWithLicenseErrors" => Val::Bool(false),
            "groupTypes" => Val::strs(&g.group_types),
            "proxyAddresses" => Val::List(
                self.proxies()
                    .into_iter()
                    .map(|p| Val::Str(p.into()))
                    .collect(),
            ),
            name if GROUP_COLLECTIONS.contains(&name) => Val::List(Vec::new()),
            _ => Val::Null,
        }
    }
}

impl Fields for OtherObject {
    fn field(&self, path: &[String]) -> Val<'_> {
        match path[0].as_str() {
            "id" => Val::Str(self.id.to_string().into()),
            "displayName" => Val::str(&self.display_name),
            _ => Val::Null,
        }
    }
}

/// One item of a member list.
pub enum MemberRow<'a> {
    /// A user.
    User(UserRow<'a>),
    /// A nested group.
    Group(GroupRow<'a>),
    /// A device, contact or service principal.
    Other(&'a OtherObject),
}

impl<'a> MemberRow<'a> {
    /// The item for a member reference (`None` for a deleted user).
    pub fn new(
        tenant: &'a Tenant,
        member: ObjectRef,
        eventual_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Option<Self> {
        match member {
            ObjectRef::User(u) => {
                let user = tenant.users.get(u as usize).filter(|u| !u.deleted)?;
                Some(MemberRow::User(UserRow::new(tenant, user, eventual_at)))
            }
            ObjectRef::Group(g) => tenant
                .groups
                .get(g as usize)
                .map(|group| MemberRow::Group(GroupRow { group, tenant })),
            ObjectRef::Other(o) => tenant.others.get(o as usize).map(MemberRow::Other),
        }
    }

    /// The item rendered with the selected properties each type has, or each type's default set;
    /// with `@odata.type` when `typed` (lists without a cast).
    pub fn out_as<'s>(&'s self, select: Option<&'s [&'static str]>, typed: bool) -> MemberOut<'s> {
        MemberOut {
            row: self,
            select,
            typed,
        }
    }
}

impl Fields for MemberRow<'_> {
    fn field(&self, path: &[String]) -> Val<'_> {
        match self {
            MemberRow::User(u) => u.field(path),
            MemberRow::Group(g) => g.field(path),
            MemberRow::Other(o) => o.field(path),
        }
    }
}

/// A member list item ready to serialize.
pub struct MemberOut<'a> {
    row: &'a MemberRow<'a>,
    select: Option<&'a [&'static str]>,
    typed: bool,
}

impl Serialize for MemberOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.row {
            MemberRow::User(u) => u
                .out(self.select.unwrap_or(USER_DEFAULT), self.typed)
                .serialize(s),
            MemberRow::Group(g) => {
                let props = self.select.unwrap_or(GROUP_DEFAULT);
                g.out(props, self.typed, false).serialize(s)
            }
            MemberRow::Other(o) => {
                let mut map = s.serialize_map(None)?;
                if self.typed {
                    map.serialize_entry("@odata.type", o.kind.odata_type())?;
                }
                for name in self.select.unwrap_or(OTHER_DEFAULT) {
                    match *name {
                        "id" => map.serialize_entry("id", &o.id)?,
                        "displayName" => map.serialize_entry("displayName", &o.display_name)?,
                        "deletedDateTime" => map.serialize_entry("deletedDateTime", &())?,
                        _ => {}
                    }
                }
                map.end()
            }
        }
    }
}
