//! Turns a [`Scenario`] into a [`Tenant`]: ids from the seed, mailboxes, methods, group memberships and
//! the audit history of registration attempts.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use super::enterprise::all_users;
use super::groups;
use super::plans::PlanCache;
pub use super::registration::{AUTH_METHODS_SERVICE, REGISTRATION_ACTIVITY, record_attempt};
use super::registration::{Activity, audit_event, record_attempts};
use super::spec::{MemberSpec, Scenario, UserSpec};
use crate::model::methods::{EmailMethod, PhoneMethod, PhoneType, UserMethods};
use crate::model::tenant::Domain;
use crate::model::{
    AppRegistration, AssignedPlan, Mailbox, ObjectKind, OtherObject, ProvisioningError, Tenant,
    User, UserType,
};

/// Salt of the random stream that decides which users are stuck, kept apart from the id stream so
/// that changing `stuck_share` does not change any id.
const STUCK_STREAM: u64 = 0x57c4_5eed;

/// Why a scenario could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A group member names nothing in the scenario.
    #[error("group '{group}' names member {member:?}, which is not in the scenario")]
    UnknownMember {
        /// The group.
        group: String,
        /// The member reference.
        member: MemberSpec,
    },
    /// An audit event names an unknown user.
    #[error("an audit event names user '{0}', which is not in the scenario")]
    UnknownAuditUser(String),
    /// Unknown `kind` of another object.
    #[error("unknown object kind '{0}' (expected device, orgContact or servicePrincipal)")]
    UnknownKind(String),
    /// A user names a licence that `licences` does not define.
    #[error("user '{user}' has licence '{licence}', which `licences` does not define")]
    UnknownLicence {
        /// The user's UPN.
        user: String,
        /// The licence name.
        licence: String,
    },
    /// Two users share a UPN.
    #[error("two users have the user principal name '{0}'")]
    DuplicateUpn(String),
    /// The tenant has no initial domain.
    #[error("`tenant.initial_domain` is empty")]
    NoInitialDomain,
}

/// Builds the tenant a scenario describes, as of simulated time `now`. Ids missing from the scenario
/// are drawn from `seed`, so the same scenario and seed always give the same tenant. Users with a
/// mailbox are stuck with probability `behaviour.stuck_share` (drawn from the seed too), on top of
/// those the scenario marks `stuck`.
pub fn build_tenant(
    scenario: &Scenario,
    seed: u64,
    now: DateTime<Utc>,
) -> Result<Tenant, BuildError> {
    if scenario.tenant.initial_domain.trim().is_empty() {
        return Err(BuildError::NoInitialDomain);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let tenant_id = scenario.tenant.id.unwrap_or_else(|| uuid_from(&mut rng));
    let mut tenant = Tenant::new(tenant_id, &scenario.tenant.initial_domain);
    add_domains(&mut tenant, scenario);
    add_apps(&mut tenant, scenario, &mut rng);
    add_users(&mut tenant, scenario, seed, &mut rng, now)?;
    for other in &scenario.others {
        let kind = match other.kind.as_str() {
            "device" => ObjectKind::Device,
            "orgContact" => ObjectKind::OrgContact,
            "servicePrincipal" => ObjectKind::ServicePrincipal,
            unknown => return Err(BuildError::UnknownKind(unknown.to_owned())),
        };
        let id = uuid_from(&mut rng);
        tenant.add_other(OtherObject {
            id,
            kind,
            display_name: other.display_name.clone(),
        });
    }
    groups::add_groups(&mut tenant, &scenario.groups, &mut rng, now)?;
    groups::add_generated_members(&mut tenant, scenario)?;
    for audit in &scenario.audits {
        let user = tenant
            .user_by_upn(&audit.user)
            .ok_or_else(|| BuildError::UnknownAuditUser(audit.user.clone()))?;
        let at = now - Duration::milliseconds((audit.hours_ago * 3_600_000.0) as i64);
        let activity = Activity {
            service: &audit.service,
            name: &audit.activity,
            result: &audit.result,
            reason: &audit.reason,
        };
        let event = audit_event(&tenant, user, at, activity, &mut rng);
        tenant.audits.push(event);
    }
    tenant.audits.sort_by_key(|e| e.activity_date_time);
    Ok(tenant)
}

fn add_domains(tenant: &mut Tenant, scenario: &Scenario) {
    for name in &scenario.tenant.domains {
        let accepted = !scenario
            .tenant
            .not_accepted
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name));
        tenant.domains.push(Domain {
            name: name.to_ascii_lowercase(),
            is_initial: false,
            is_default: false,
            accepted,
        });
    }
    if let Some(first) = tenant.domains.get(1).map(|d| d.name.clone()) {
        // The first custom domain is the default one, as in a tenant that finished its setup.
        for domain in &mut tenant.domains {
            domain.is_default = domain.name == first;
        }
    }
}

fn add_apps(tenant: &mut Tenant, scenario: &Scenario, rng: &mut ChaCha8Rng) {
    for app in &scenario.apps {
        tenant.apps.push(AppRegistration {
            client_id: app
                .client_id
                .clone()
                .unwrap_or_else(|| uuid_from(rng).to_string()),
            role: app.role.clone(),
            display_name: app.display_name.clone(),
            secrets: app_secret(app.secret.as_deref(), app.secret_credential, rng),
            certificates: Vec::new(),
            graph_roles: app.graph_roles.clone(),
            exchange_roles: app.exchange_roles.clone(),
            directory_roles: app.directory_roles.clone(),
            public_client: app.public_client,
        });
    }
}

fn add_users(
    tenant: &mut Tenant,
    scenario: &Scenario,
    seed: u64,
    rng: &mut ChaCha8Rng,
    now: DateTime<Utc>,
) -> Result<(), BuildError> {
    let mut plans = PlanCache::new(scenario, now - Duration::days(30));
    let stuck_share = scenario.behaviour.stuck_share.clamp(0.0, 1.0);
    let mut stuck_rng = ChaCha8Rng::seed_from_u64(seed ^ STUCK_STREAM);
    let generated = scenario.generated.as_ref().map_or(0, |g| g.users);
    tenant.reserve_users(scenario.users.len() + generated);
    for spec in all_users(scenario) {
        let spec = spec.as_ref();
        if tenant.user_by_upn(&spec.upn).is_some() {
            return Err(BuildError::DuplicateUpn(spec.upn.clone()));
        }
        let assigned = plans.get(spec)?;
        let idx = add_user(tenant, spec, rng, assigned, now);
        if stuck_share > 0.0 && spec.mailbox.is_some() && stuck_rng.random_bool(stuck_share) {
            tenant.users[idx as usize].stuck = true;
        }
        add_methods(tenant, idx, spec);
        record_attempts(tenant, idx, spec.registration_attempts, rng, now);
    }
    Ok(())
}

/// Adds the user `spec` describes, with its mailbox; returns its index.
pub(crate) fn add_user(
    tenant: &mut Tenant,
    spec: &UserSpec,
    rng: &mut ChaCha8Rng,
    plans: Arc<[AssignedPlan]>,
    now: DateTime<Utc>,
) -> u32 {
    let id = spec.id.unwrap_or_else(|| uuid_from(rng));
    let nickname = spec
        .mail_nickname
        .clone()
        .unwrap_or_else(|| spec.upn.split('@').next().unwrap_or(&spec.upn).to_owned());
    let created = now - Duration::days(30);
    let mailbox_addresses = mailbox_addresses(spec);
    let proxy_addresses = proxy_addresses(spec, mailbox_addresses.as_deref());
    let user = User {
        id,
        user_principal_name: spec.upn.clone(),
        display_name: spec.display_name.clone(),
        given_name: spec.display_name.split(' ').next().map(str::to_owned),
        surname: spec.display_name.split(' ').nth(1).map(str::to_owned),
        job_title: None,
        mobile_phone: None,
        mail_nickname: nickname.clone(),
        mail: spec.mail.clone(),
        proxy_addresses,
        account_enabled: spec.enabled,
        user_type: if spec.guest {
            UserType::Guest
        } else {
            UserType::Member
        },
        on_premises_sync_enabled: spec.synced,
        assigned_plans: plans,
        service_provisioning_errors: provisioning_errors(spec, created),
        created,
        deleted: false,
        change_seq: 0,
        stale: None,
        stuck: spec.stuck,
        label: spec.label.clone(),
    };
    let idx = tenant.add_user(user);
    if let Some(email_addresses) = mailbox_addresses {
        tenant.add_mailbox(Mailbox {
            user: idx,
            guid: uuid_from(rng),
            exchange_object_id: uuid_from(rng),
            alias: nickname,
            display_name: spec.display_name.clone(),
            email_addresses,
            recipient_type_details: "UserMailbox".to_owned(),
            when_changed: created,
            when_created: created,
        });
    }
    idx
}

/// The mailbox's `EmailAddresses`: `SMTP:` primary (the UPN unless given), then the extra ones.
fn mailbox_addresses(spec: &UserSpec) -> Option<Vec<String>> {
    spec.mailbox.as_ref().map(|mb| {
        let primary = mb.primary_smtp.as_deref().unwrap_or(&spec.upn);
        let mut addresses = vec![format!("SMTP:{primary}")];
        addresses.extend(mb.extra_addresses.iter().cloned());
        addresses
    })
}

/// Directory proxyAddresses mirror the mailbox's SMTP addresses once Exchange has written the
/// object back; a user with the empty-mail defect was never written back, so it has none.
fn proxy_addresses(spec: &UserSpec, mailbox: Option<&[String]>) -> Vec<String> {
    if let Some(given) = &spec.proxy_addresses {
        return given.clone();
    }
    match (&spec.mail, mailbox) {
        (Some(_), Some(addresses)) => addresses
            .iter()
            .filter(|a| a.to_ascii_lowercase().starts_with("smtp:"))
            .cloned()
            .collect(),
        (Some(mail), None) => vec![format!("SMTP:{mail}")],
        (None, _) => Vec::new(),
    }
}

fn provisioning_errors(spec: &UserSpec, created: DateTime<Utc>) -> Vec<ProvisioningError> {
    spec.provisioning_error
        .iter()
        .map(|detail| ProvisioningError {
            created,
            is_resolved: false,
            service_instance: "exchange/namprd01-012-01".to_owned(),
            error_detail: detail.clone(),
        })
        .collect()
}

fn add_methods(tenant: &mut Tenant, idx: u32, spec: &UserSpec) {
    let m = &spec.methods;
    let mut phones = Vec::new();
    for (phone_type, number) in [
        (PhoneType::Mobile, &m.mobile),
        (PhoneType::AlternateMobile, &m.alternate_mobile),
        (PhoneType::Office, &m.office),
    ] {
        if let Some(number) = number {
            phones.push(PhoneMethod {
                phone_type,
                phone_number: number.clone(),
                sms_sign_in_state: "notAllowedByPolicy".to_owned(),
            });
        }
    }
    let email = m
        .email
        .clone()
        .map(|email_address| EmailMethod { email_address });
    if !phones.is_empty() || email.is_some() {
        tenant.methods.insert(
            idx,
            UserMethods {
                phones,
                email,
                registered: None,
            },
        );
    }
}

fn app_secret(given: Option<&str>, wanted: bool, rng: &mut ChaCha8Rng) -> Vec<String> {
    match given {
        Some(secret) => vec![secret.to_owned()],
        None if wanted => {
            const ALPHABET: &[u8] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-";
            let secret: String = (0..40)
                .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
                .collect();
            vec![secret]
        }
        None => Vec::new(),
    }
}

/// A v4-shaped UUID drawn from the scenario's random stream.
pub fn uuid_from(rng: &mut ChaCha8Rng) -> Uuid {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}
