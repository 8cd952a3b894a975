//! Directory users: the properties mailfix reads and the few it could write.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// `Member` or `Guest`, as Graph's `userType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserType {
    /// A regular member of the tenant.
    Member,
    /// A B2B guest.
    Guest,
}

impl UserType {
    /// The Graph spelling (`Member` / `Guest`).
    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Member => "Member",
            UserType::Guest => "Guest",
        }
    }
}

/// One entry of a user's `assignedPlans`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignedPlan {
    /// When the plan was assigned.
    pub assigned: DateTime<Utc>,
    /// `Enabled`, `Deleted`, `Suspended`, `Warning`, `LockedOut`.
    pub capability_status: String,
    /// Service name, e.g. `exchange`, `SharePoint`, `MicrosoftOffice`.
    pub service: String,
    /// The service plan id (a GUID), the only reliable way to tell a mailbox plan.
    pub service_plan_id: Uuid,
}

/// One entry of a user's `serviceProvisioningErrors` (`serviceProvisioningXmlError`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvisioningError {
    /// When the error was recorded.
    pub created: DateTime<Utc>,
    /// Whether the error has been resolved.
    pub is_resolved: bool,
    /// The service instance, e.g. `exchange/namprd01-012-01`.
    pub service_instance: String,
    /// The XML error detail as the service reported it.
    pub error_detail: String,
}

/// A directory user as the simulator stores it.
#[derive(Clone, Debug)]
pub struct User {
    /// Object id.
    pub id: Uuid,
    /// `userPrincipalName`.
    pub user_principal_name: String,
    /// `displayName`.
    pub display_name: String,
    /// `givenName`.
    pub given_name: Option<String>,
    /// `surname`.
    pub surname: Option<String>,
    /// `jobTitle`.
    pub job_title: Option<String>,
    /// `mobilePhone` (the directory property, not an authentication method).
    pub mobile_phone: Option<String>,
    /// `mailNickname`.
    pub mail_nickname: String,
    /// `mail`; `None` is the defect mailfix exists for.
    pub mail: Option<String>,
    /// `proxyAddresses` (`SMTP:` primary, `smtp:` secondary).
    pub proxy_addresses: Vec<String>,
    /// `accountEnabled`.
    pub account_enabled: bool,
    /// `userType`.
    pub user_type: UserType,
    /// `onPremisesSyncEnabled`: `Some(true)` synced, `Some(false)` once synced, `None` never.
    pub on_premises_sync_enabled: Option<bool>,
    /// `assignedPlans`, shared between users with the same licences.
    pub assigned_plans: Arc<[AssignedPlan]>,
    /// `serviceProvisioningErrors`.
    pub service_provisioning_errors: Vec<ProvisioningError>,
    /// `createdDateTime`.
    pub created: DateTime<Utc>,
    /// Soft-deleted users disappear from lists and show up as `@removed` in delta.
    pub deleted: bool,
    /// Tenant change sequence of the last change to this user (for `users/delta`).
    pub change_seq: u64,
    /// What advanced (eventually consistent) queries still see until `until`.
    pub stale: Option<StaleView>,
    /// When true, an Exchange write never writes this user back (until the control plane un-sticks it).
    pub stuck: bool,
    /// The label the scenario gave this user (`healthy`, `empty-mail`, `synced`, ...), for tests.
    pub label: String,
}

/// The values an eventually consistent index still returns for a user shortly after a change.
#[derive(Clone, Debug)]
pub struct StaleView {
    /// `mail` before the change.
    pub mail: Option<String>,
    /// `proxyAddresses` before the change.
    pub proxy_addresses: Vec<String>,
    /// Simulated time from which the index has caught up.
    pub until: DateTime<Utc>,
}

impl User {
    /// The primary SMTP address from `proxyAddresses` (the `SMTP:` entry), without the prefix.
    pub fn primary_smtp(&self) -> Option<&str> {
        self.proxy_addresses
            .iter()
            .find_map(|a| a.strip_prefix("SMTP:"))
    }

    /// `mail` and `proxyAddresses` as an eventually consistent index sees them at `now`.
    pub fn consistent_view(&self, now: DateTime<Utc>) -> (Option<&str>, &[String]) {
        match &self.stale {
            Some(stale) if now < stale.until => (stale.mail.as_deref(), &stale.proxy_addresses),
            _ => (self.mail.as_deref(), &self.proxy_addresses),
        }
    }
}
