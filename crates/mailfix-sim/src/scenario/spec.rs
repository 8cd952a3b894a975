//! The scenario definition: plain data, (de)serialised as the custom scenario file format.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A whole simulated tenant: directory, mailboxes, methods, audit history, apps and behaviour.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Scenario name (`small`, `enterprise`, or the file's own).
    pub name: String,
    /// Tenant id and domains.
    pub tenant: TenantSpec,
    /// App registrations.
    #[serde(default)]
    pub apps: Vec<AppSpec>,
    /// Named sets of service plans (licences) that users reference by name with `licence`.
    #[serde(default)]
    pub licences: BTreeMap<String, Vec<PlanSpec>>,
    /// Users.
    #[serde(default)]
    pub users: Vec<UserSpec>,
    /// Users generated when the tenant is built, after the listed ones (`enterprise`, `scale`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<GeneratedSpec>,
    /// Groups (members reference users, groups and others by key).
    #[serde(default)]
    pub groups: Vec<GroupSpec>,
    /// Devices, contacts and service principals.
    #[serde(default)]
    pub others: Vec<OtherSpec>,
    /// Audit events recorded before the simulator starts (beyond the ones registration attempts make).
    #[serde(default)]
    pub audits: Vec<AuditSpec>,
    /// Timings, limits and faults.
    #[serde(default)]
    pub behaviour: BehaviourSpec,
}

/// Users generated at build time rather than listed: `users` users with the enterprise defect mix
/// (3% empty `mail`, ...), named `first.lastN@{first domain}`, drawn from `seed`. User `i` joins
/// group `member_of[i % len]`. Generating while building keeps a million users within memory.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratedSpec {
    /// How many users.
    pub users: usize,
    /// Seed of the generator.
    #[serde(default)]
    pub seed: u64,
    /// Groups (by display name) the generated users are spread over.
    #[serde(default)]
    pub member_of: Vec<String>,
}

/// The tenant's identity.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantSpec {
    /// Tenant id; generated from the seed when absent.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The initial domain, e.g. `contoso.onmicrosoft.com`.
    pub initial_domain: String,
    /// Further verified domains (accepted by Exchange unless listed in `not_accepted`).
    #[serde(default)]
    pub domains: Vec<String>,
    /// Verified domains that Exchange does not accept.
    #[serde(default)]
    pub not_accepted: Vec<String>,
}

/// An app registration.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSpec {
    /// Which role the app plays in the simulator's connection info: `main`, `cert`, `limited`, or any
    /// other name.
    pub role: String,
    /// Client id; generated from the seed when absent.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Display name.
    pub display_name: String,
    /// A client secret; generated when absent and `secret_credential` is true.
    #[serde(default)]
    pub secret: Option<String>,
    /// Whether the app has a client secret.
    #[serde(default)]
    pub secret_credential: bool,
    /// Whether the simulator generates a certificate credential (its PEM files are written at start).
    #[serde(default)]
    pub certificate_credential: bool,
    /// Graph application permissions.
    #[serde(default)]
    pub graph_roles: Vec<String>,
    /// Exchange application permissions.
    #[serde(default)]
    pub exchange_roles: Vec<String>,
    /// Directory roles of the service principal.
    #[serde(default)]
    pub directory_roles: Vec<String>,
    /// Whether device-code sign-in is allowed.
    #[serde(default)]
    pub public_client: bool,
}

/// A user and everything attached to it. `UserSpec::default()` is an enabled member without mail.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    /// Object id; generated from the seed when absent.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// User principal name.
    pub upn: String,
    /// Display name.
    pub display_name: String,
    /// `mailNickname`; the UPN's local part when absent.
    #[serde(default)]
    pub mail_nickname: Option<String>,
    /// `mail`; empty for the defect.
    #[serde(default)]
    pub mail: Option<String>,
    /// `proxyAddresses` in the directory; derived from the mailbox when absent.
    #[serde(default)]
    pub proxy_addresses: Option<Vec<String>>,
    /// `accountEnabled` (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// `Guest` users when true.
    #[serde(default)]
    pub guest: bool,
    /// `onPremisesSyncEnabled`.
    #[serde(default)]
    pub synced: Option<bool>,
    /// Name of a licence in [`Scenario::licences`] whose plans the user has.
    #[serde(default)]
    pub licence: Option<String>,
    /// Assigned service plans (on top of the licence's).
    #[serde(default)]
    pub plans: Vec<PlanSpec>,
    /// The Exchange mailbox, if one exists.
    #[serde(default)]
    pub mailbox: Option<MailboxSpec>,
    /// Unresolved Exchange provisioning error detail, if any.
    #[serde(default)]
    pub provisioning_error: Option<String>,
    /// Never written back by Exchange (until un-stuck through the control plane).
    #[serde(default)]
    pub stuck: bool,
    /// Registered authentication methods.
    #[serde(default)]
    pub methods: MethodsSpec,
    /// How many combined-registration attempts the user made before the simulator starts. Each one
    /// fails while `mail` is empty and succeeds otherwise (recorded as audit events).
    #[serde(default)]
    pub registration_attempts: u32,
    /// Free-form label for tests: `healthy`, `empty-mail`, `synced`, `no-mailbox`, `leftover-alias`,
    /// `provisioning-error`, `disabled`, `guest`, ...
    #[serde(default)]
    pub label: String,
}

impl Default for UserSpec {
    fn default() -> Self {
        Self {
            id: None,
            upn: String::new(),
            display_name: String::new(),
            mail_nickname: None,
            mail: None,
            proxy_addresses: None,
            enabled: true,
            guest: false,
            synced: None,
            licence: None,
            plans: Vec::new(),
            mailbox: None,
            provisioning_error: None,
            stuck: false,
            methods: MethodsSpec::default(),
            registration_attempts: 0,
            label: String::new(),
        }
    }
}

/// One assigned service plan.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSpec {
    /// Service plan id.
    pub service_plan_id: Uuid,
    /// Service name (`exchange`, `SharePoint`, ...).
    pub service: String,
    /// `Enabled` unless said otherwise.
    #[serde(default = "enabled")]
    pub capability_status: String,
}

/// An Exchange mailbox.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxSpec {
    /// Primary SMTP address; the UPN when absent.
    #[serde(default)]
    pub primary_smtp: Option<String>,
    /// Further addresses with their type prefix (`smtp:`, `SIP:`, ...).
    #[serde(default)]
    pub extra_addresses: Vec<String>,
}

/// Registered authentication methods.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodsSpec {
    /// Mobile phone in Graph's format.
    #[serde(default)]
    pub mobile: Option<String>,
    /// Alternate mobile phone.
    #[serde(default)]
    pub alternate_mobile: Option<String>,
    /// Office phone.
    #[serde(default)]
    pub office: Option<String>,
    /// Alternate email.
    #[serde(default)]
    pub email: Option<String>,
}

/// A group.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// Object id; generated from the seed when absent.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// Display name.
    pub display_name: String,
    /// Mail address for mail-enabled groups.
    #[serde(default)]
    pub mail: Option<String>,
    /// Direct members.
    #[serde(default)]
    pub members: Vec<MemberSpec>,
}

/// A reference to a group member by UPN (users) or display name (groups and others).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberSpec {
    /// A user by UPN.
    User(String),
    /// A group by display name (first match).
    Group(String),
    /// A device, contact or service principal by display name.
    Other(String),
}

/// A device, contact or service principal.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtherSpec {
    /// `device`, `orgContact` or `servicePrincipal`.
    pub kind: String,
    /// Display name.
    pub display_name: String,
}

/// An audit event recorded before start.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSpec {
    /// UPN of the user the event is about.
    pub user: String,
    /// Hours before the simulator's start.
    pub hours_ago: f64,
    /// `loggedByService`.
    pub service: String,
    /// `activityDisplayName`.
    pub activity: String,
    /// `success` or `failure`.
    pub result: String,
    /// `resultReason`.
    #[serde(default)]
    pub reason: String,
}

/// Timings, limits and faults. Durations are in simulated seconds.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BehaviourSpec {
    /// Smallest delay between an Exchange address change and the directory write-back.
    pub writeback_min_s: f64,
    /// Largest such delay (drawn uniformly between min and max).
    pub writeback_max_s: f64,
    /// Share of write-back candidates that stay stuck (0..1), drawn from the seed at build time, on top
    /// of users marked `stuck`.
    pub stuck_share: f64,
    /// How long a removed proxy address stays reserved.
    pub address_reservation_s: f64,
    /// Lag of the eventually consistent index behind writes (advanced queries see older values).
    pub consistency_lag_s: f64,
    /// Access token lifetime.
    pub token_lifetime_s: f64,
    /// Latency added to every Graph response, in real milliseconds.
    pub graph_latency_ms: u64,
    /// Latency added to every Exchange response, in real milliseconds.
    pub exo_latency_ms: u64,
    /// Share of Graph and Exchange requests answered with a random fault (429, 503, 504, reset).
    pub fault_rate: f64,
    /// Throttling limits; absent keys take the documented defaults.
    pub limits: BTreeMap<String, f64>,
    /// How long a `users/delta` deltaLink stays usable (seven days for directory objects).
    pub delta_token_lifetime_s: f64,
}

impl Default for BehaviourSpec {
    fn default() -> Self {
        Self {
            writeback_min_s: 60.0,
            writeback_max_s: 300.0,
            stuck_share: 0.0,
            address_reservation_s: 30.0 * 24.0 * 3600.0,
            consistency_lag_s: 5.0,
            token_lifetime_s: 3599.0,
            graph_latency_ms: 0,
            exo_latency_ms: 0,
            fault_rate: 0.0,
            limits: BTreeMap::new(),
            delta_token_lifetime_s: 7.0 * 24.0 * 3600.0,
        }
    }
}

fn yes() -> bool {
    true
}

fn enabled() -> String {
    "Enabled".to_owned()
}
