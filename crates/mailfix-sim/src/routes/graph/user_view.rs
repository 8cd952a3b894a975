//! The Graph wire form of a user: the default property set (user-get-1-by-id.json), any `$select`ed
//! property of `microsoft.graph.user` (unmodelled ones as `null` or `[]`), and the property access a
//! `$filter` / `$search` evaluates. Advanced queries read the eventually consistent view of `mail`
//! and `proxyAddresses`.

use chrono::{DateTime, Utc};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::respond::ser_time;
use crate::model::{AssignedPlan, ProvisioningError, Tenant, User};
use crate::odata::eval::{Fields, Val};
use crate::odata::schemas::USER_COLLECTIONS;

/// Properties returned when there is no `$select`.
pub const USER_DEFAULT: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// A user as one request sees it.
#[derive(Clone, Copy)]
pub struct UserRow<'a> {
    /// The stored user.
    pub user: &'a User,
    /// `mail` as this request sees it.
    pub mail: Option<&'a str>,
    /// `proxyAddresses` as this request sees it.
    pub proxies: &'a [String],
    /// The tenant's initial domain (the `identities` issuer).
    pub domain: &'a str,
}

impl<'a> UserRow<'a> {
    /// The user as a request sees it; `eventual_at` is the time of an advanced (eventually
    /// consistent) query, `None` for a normal one.
    pub fn new(tenant: &'a Tenant, user: &'a User, eventual_at: Option<DateTime<Utc>>) -> Self {
        let (mail, proxies) = match eventual_at {
            Some(now) => user.consistent_view(now),
            None => (user.mail.as_deref(), user.proxy_addresses.as_slice()),
        };
        Self {
            user,
            mail,
            proxies,
            domain: &tenant.initial_domain,
        }
    }

    /// This user rendered with `props` (and `@odata.type` when `typed`).
    pub fn out(self, props: &'a [&'static str], typed: bool) -> UserOut<'a> {
        UserOut {
            row: self,
            props,
            typed,
        }
    }
}

/// A user ready to serialize.
pub struct UserOut<'a> {
    row: UserRow<'a>,
    props: &'a [&'static str],
    typed: bool,
}

impl Serialize for UserOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        if self.typed {
            map.serialize_entry("@odata.type", "#microsoft.graph.user")?;
        }
        for name in self.props {
            map.serialize_entry(name, &Prop(self.row, name))?;
        }
        map.end()
    }
}

struct Prop<'a>(UserRow<'a>, &'a str);

impl Serialize for Prop<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Prop(row, name) = self;
        let u = row.user;
        match *name {
            "id" => s.collect_str(&u.id),
            "displayName" => s.serialize_str(&u.display_name),
            "givenName" => u.given_name.serialize(s),
            "surname" => u.surname.serialize(s),
            "jobTitle" => u.job_title.serialize(s),
            "mobilePhone" => u.mobile_phone.serialize(s),
            "mail" => row.mail.serialize(s),
            "userPrincipalName" => s.serialize_str(&u.user_principal_name),
            "mailNickname" => s.serialize_str(&u.mail_nickname),
            "proxyAddresses" => row.proxies.serialize(s),
            "accountEnabled" => s.serialize_bool(u.account_enabled),
            "userType" => s.serialize_str(u.user_type.as_str()),
            "onPremisesSyncEnabled" => u.on_premises_sync_enabled.serialize(s),
            "createdDateTime" => ser_time(&u.created, s),
            "assignedPlans" => Plans(&u.assigned_plans).serialize(s),
            "serviceProvisioningErrors" => Errors(&u.service_provisioning_errors).serialize(s),
            "identities" => {
                let mut seq = s.serialize_seq(Some(1))?;
                seq.serialize_element(&serde_json::json!({
                    "signInType": "userPrincipalName",
                    "issuer": row.domain,
                    "issuerAssignedId": u.user_principal_name,
                }))?;
                seq.end()
            }
            other if USER_COLLECTIONS.contains(&other) => s.serialize_seq(Some(0))?.end(),
            _ => s.serialize_none(),
        }
    }
}

struct Plans<'a>(&'a [AssignedPlan]);

impl Serialize for Plans<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Plan<'a> {
            #[serde(serialize_with = "ser_time")]
            assigned_date_time: &'a DateTime<Utc>,
            capability_status: &'a str,
            service: &'a str,
            service_plan_id: &'a uuid::Uuid,
        }
        s.collect_seq(self.0.iter().map(|p| Plan {
            assigned_date_time: &p.assigned,
            capability_status: &p.capability_status,
            service: &p.service,
            service_plan_id: &p.service_plan_id,
        }))
    }
}

struct Errors<'a>(&'a [ProvisioningError]);

impl Serialize for Errors<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct XmlError<'a> {
            #[serde(rename = "@odata.type")]
            odata_type: &'static str,
            #[serde(serialize_with = "ser_time")]
            created_date_time: &'a DateTime<Utc>,
            is_resolved: bool,
            service_instance: &'a str,
            error_detail: &'a str,
        }
        s.collect_seq(self.0.iter().map(|e| XmlError {
            odata_type: "#microsoft.graph.serviceProvisioningXmlError",
            created_date_time: &e.created,
            is_resolved: e.is_resolved,
            service_instance: &e.service_instance,
            error_detail: &e.error_detail,
        }))
    }
}

struct PlanFields<'a>(&'a AssignedPlan, String);

impl Fields for PlanFields<'_> {
    fn field(&self, path: &[String]) -> Val<'_> {
        match path[0].as_str() {
            "servicePlanId" => Val::str(&self.1),
            "capabilityStatus" => Val::str(&self.0.capability_status),
            "service" => Val::str(&self.0.service),
            _ => Val::Null,
        }
    }
}

struct IdentityFields<'a>(&'a str, &'a str);

impl Fields for IdentityFields<'_> {
    fn field(&self, path: &[String]) -> Val<'_> {
        match path[0].as_str() {
            "issuerAssignedId" => Val::str(self.0),
            "issuer" => Val::str(self.1),
            "signInType" => Val::str("userPrincipalName"),
            _ => Val::Null,
        }
    }
}

impl Fields for UserRow<'_> {
    fn field(&self, path: &[String]) -> Val<'_> {
        let u = self.user;
        match path[0].as_str() {
            "id" => Val::Str(u.id.to_string().into()),
            "displayName" => Val::str(&u.display_name),
            "givenName" => Val::opt_str(u.given_name.as_deref()),
            "surname" => Val::opt_str(u.surname.as_deref()),
            "jobTitle" => Val::opt_str(u.job_title.as_deref()),
            "mobilePhone" => Val::opt_str(u.mobile_phone.as_deref()),
            "mail" => Val::opt_str(self.mail),
            "userPrincipalName" => Val::str(&u.user_principal_name),
            "mailNickname" => Val::str(&u.mail_nickname),
            "accountEnabled" => Val::Bool(u.account_enabled),
            "userType" => Val::str(u.user_type.as_str()),
            "onPremisesSyncEnabled" => u.on_premises_sync_enabled.map_or(Val::Null, Val::Bool),
            "createdDateTime" => Val::Time(u.created),
            "proxyAddresses" => Val::strs(self.proxies),
            "assignedPlans" => Val::List(
                u.assigned_plans
                    .iter()
                    .map(|p| Val::Obj(Box::new(PlanFields(p, p.service_plan_id.to_string()))))
                    .collect(),
            ),
            "identities" => Val::List(vec![Val::Obj(Box::new(IdentityFields(
                &u.user_principal_name,
                self.domain,
            )))]),
            name if USER_COLLECTIONS.contains(&name) => Val::List(Vec::new()),
            _ => Val::Null,
        }
    }
}
