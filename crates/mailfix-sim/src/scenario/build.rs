//! Turns a [`Scenario`] into a [`Tenant`]: ids from the seed, mailboxes, methods, group memberships and
//! the audit history of registration attempts.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use super::spec::{GroupSpec, MemberSpec, Scenario, UserSpec};
use crate::model::methods::{EmailMethod, PhoneMethod, PhoneType, UserMethods};
use crate::model::tenant::Domain;
use crate::model::{
    AppRegistration, AssignedPlan, AuditEvent, Group, Mailbox, ObjectKind, ObjectRef, OtherObject,
    ProvisioningError, Tenant, User, UserType,
};

/// The activity that ends a combined security-info registration (PROTOCOL.md §4.3).
pub const REGISTRATION_ACTIVITY: &str = "User registered all required security info";
/// The service that logs combined registration events.
pub const AUTH_METHODS_SERVICE: &str = "Authentication Methods";

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
}

/// Builds the tenant a scenario describes, as of simulated time `now`. Ids missing from the scenario
/// are drawn from `seed`, so the same scenario and seed always give the same tenant.
pub fn build_tenant(
    scenario: &Scenario,
    seed: u64,
    now: DateTime<Utc>,
) -> Result<Tenant, BuildError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let tenant_id = scenario.tenant.id.unwrap_or_else(|| uuid_from(&mut rng));
    let mut tenant = Tenant::new(tenant_id, &scenario.tenant.initial_domain);
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
    for app in &scenario.apps {
        tenant.apps.push(AppRegistration {
            client_id: app
                .client_id
                .clone()
                .unwrap_or_else(|| uuid_from(&mut rng).to_string()),
            display_name: app.display_name.clone(),
            secrets: app_secret(app.secret.as_deref(), app.secret_credential, &mut rng),
            certificates: Vec::new(),
            graph_roles: app.graph_roles.clone(),
            exchange_roles: app.exchange_roles.clone(),
            directory_roles: app.directory_roles.clone(),
            public_client: app.public_client,
        });
    }
    let mut plan_cache: HashMap<Vec<(Uuid, String)>, Arc<[AssignedPlan]>> = HashMap::new();
    for spec in &scenario.users {
        let idx = add_user(&mut tenant, spec, &mut rng, &mut plan_cache, now);
        add_methods(&mut tenant, idx, spec);
        record_attempts(&mut tenant, idx, spec.registration_attempts, &mut rng, now);
    }
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
    add_groups(&mut tenant, &scenario.groups, &mut rng, now)?;
    for audit in &scenario.audits {
        let user = tenant
            .user_by_upn(&audit.user)
            .ok_or_else(|| BuildError::UnknownAuditUser(audit.user.clone()))?;
        let at = now - Duration::milliseconds((audit.hours_ago * 3_600_000.0) as i64);
        let event = audit_event(
            &tenant,
            user,
            at,
            &audit.service,
            &audit.activity,
            &audit.result,
            &audit.reason,
            &mut rng,
        );
        tenant.audits.push(event);
    }
    tenant.audits.sort_by_key(|e| e.activity_date_time);
    Ok(tenant)
}

fn add_user(
    tenant: &mut Tenant,
    spec: &UserSpec,
    rng: &mut ChaCha8Rng,
    plan_cache: &mut HashMap<Vec<(Uuid, String)>, Arc<[AssignedPlan]>>,
    now: DateTime<Utc>,
) -> u32 {
    let id = spec.id.unwrap_or_else(|| uuid_from(rng));
    let nickname = spec
        .mail_nickname
        .clone()
        .unwrap_or_else(|| spec.upn.split('@').next().unwrap_or(&spec.upn).to_owned());
    let created = now - Duration::days(30);
    let mailbox_addresses = spec.mailbox.as_ref().map(|mb| {
        let primary = mb.primary_smtp.clone().unwrap_or_else(|| spec.upn.clone());
        let mut addresses = vec![format!("SMTP:{primary}")];
        addresses.extend(mb.extra_addresses.iter().cloned());
        addresses
    });
    // Directory proxyAddresses mirror the mailbox's SMTP addresses once Exchange has written the
    // object back; a user with the empty-mail defect was never written back, so it has none.
    let proxy_addresses =
        spec.proxy_addresses
            .clone()
            .unwrap_or_else(|| match (&spec.mail, &mailbox_addresses) {
                (Some(_), Some(addresses)) => addresses
                    .iter()
                    .filter(|a| a.to_ascii_lowercase().starts_with("smtp:"))
                    .cloned()
                    .collect(),
                (Some(mail), None) => vec![format!("SMTP:{mail}")],
                (None, _) => Vec::new(),
            });
    let key: Vec<(Uuid, String)> = spec
        .plans
        .iter()
        .map(|p| {
            (
                p.service_plan_id,
                format!("{}/{}", p.service, p.capability_status),
            )
        })
        .collect();
    let plans = plan_cache
        .entry(key)
        .or_insert_with(|| {
            spec.plans
                .iter()
                .map(|p| AssignedPlan {
                    assigned: created,
                    capability_status: p.capability_status.clone(),
                    service: p.service.clone(),
                    service_plan_id: p.service_plan_id,
                })
                .collect()
        })
        .clone();
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
        service_provisioning_errors: spec
            .provisioning_error
            .iter()
            .map(|detail| ProvisioningError {
                created,
                is_resolved: false,
                service_instance: "exchange/namprd01-012-01".to_owned(),
                error_detail: detail.clone(),
            })
            .collect(),
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

/// Records `attempts` past combined-registration attempts for a user, spread over the last 14 days.
/// An attempt fails while the user's `mail` is empty (the defect) and succeeds otherwise.
pub fn record_attempts(
    tenant: &mut Tenant,
    user: u32,
    attempts: u32,
    rng: &mut ChaCha8Rng,
    now: DateTime<Utc>,
) {
    for _ in 0..attempts {
        let at = now - Duration::seconds(rng.random_range(3_600..14 * 86_400));
        record_attempt(tenant, user, at, rng);
    }
    tenant.audits.sort_by_key(|e| e.activity_date_time);
}

/// Records one combined-registration attempt at `at`, with the outcome the user's current state gives.
pub fn record_attempt(
    tenant: &mut Tenant,
    user: u32,
    at: DateTime<Utc>,
    rng: &mut ChaCha8Rng,
) -> bool {
    let success = tenant.users[user as usize]
        .mail
        .as_deref()
        .is_some_and(|m| !m.is_empty());
    let started = audit_event(
        tenant,
        user,
        at,
        AUTH_METHODS_SERVICE,
        "User started security info registration",
        "success",
        "User started the registration for security info.",
        rng,
    );
    tenant.audits.push(started);
    let (result, reason) = if success {
        ("success", "User registered all required security info.")
    } else {
        ("failure", "User canceled security info registration.")
    };
    let end = at + Duration::seconds(rng.random_range(30..240));
    let finished = audit_event(
        tenant,
        user,
        end,
        AUTH_METHODS_SERVICE,
        REGISTRATION_ACTIVITY,
        result,
        reason,
        rng,
    );
    tenant.audits.push(finished);
    if success {
        let methods = tenant.methods.entry(user).or_default();
        methods.registered = Some(end);
    }
    success
}

#[allow(clippy::too_many_arguments)]
fn audit_event(
    tenant: &Tenant,
    user: u32,
    at: DateTime<Utc>,
    service: &str,
    activity: &str,
    result: &str,
    reason: &str,
    rng: &mut ChaCha8Rng,
) -> AuditEvent {
    let u = &tenant.users[user as usize];
    let who = (u.id, u.user_principal_name.clone(), u.display_name.clone());
    AuditEvent {
        id: format!("{}_{}", "Directory", uuid_from(rng).simple()),
        category: "UserManagement".to_owned(),
        correlation_id: uuid_from(rng),
        activity_display_name: activity.to_owned(),
        activity_date_time: at,
        logged_by_service: service.to_owned(),
        operation_type: "Update".to_owned(),
        result: result.to_owned(),
        result_reason: reason.to_owned(),
        initiated_by: Some(who.clone()),
        target: Some(who),
    }
}

fn add_groups(
    tenant: &mut Tenant,
    groups: &[GroupSpec],
    rng: &mut ChaCha8Rng,
    now: DateTime<Utc>,
) -> Result<(), BuildError> {
    // Two passes: create every group first so that members may reference groups defined later (and
    // groups may form cycles).
    let first = tenant.groups.len();
    for spec in groups {
        let nickname: String = spec
            .display_name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        tenant.add_group(Group {
            id: spec.id.unwrap_or_else(|| uuid_from(rng)),
            display_name: spec.display_name.clone(),
            description: None,
            mail_nickname: nickname,
            mail: spec.mail.clone(),
            mail_enabled: spec.mail.is_some(),
            security_enabled: true,
            group_types: Vec::new(),
            created: now - Duration::days(60),
            members: Vec::new(),
        });
    }
    for (offset, spec) in groups.iter().enumerate() {
        let mut members = Vec::with_capacity(spec.members.len());
        for member in &spec.members {
            let found = match member {
                MemberSpec::User(upn) => tenant.user_by_upn(upn).map(ObjectRef::User),
                MemberSpec::Group(name) => tenant
                    .groups_named(name)
                    .first()
                    .map(|&g| ObjectRef::Group(g)),
                MemberSpec::Other(name) => tenant
                    .others
                    .iter()
                    .position(|o| &o.display_name == name)
                    .map(|i| ObjectRef::Other(i as u32)),
            };
            members.push(found.ok_or_else(|| BuildError::UnknownMember {
                group: spec.display_name.clone(),
                member: member.clone(),
            })?);
        }
        tenant.groups[first + offset].members = members;
    }
    Ok(())
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
