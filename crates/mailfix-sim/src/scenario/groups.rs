//! Groups of a scenario and their members: listed members by UPN or display name, and generated
//! users spread over `generated.member_of`.

use chrono::{DateTime, Duration, Utc};
use rand_chacha::ChaCha8Rng;

use super::build::{BuildError, uuid_from};
use super::spec::{GroupSpec, MemberSpec, Scenario};
use crate::model::{Group, ObjectRef, Tenant};

/// Adds the scenario's groups, then resolves their members (so members may name groups defined
/// later, and groups may form cycles).
pub fn add_groups(
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

/// Generated users follow the listed ones; user `i` of them joins `member_of[i % len]`.
pub fn add_generated_members(tenant: &mut Tenant, scenario: &Scenario) -> Result<(), BuildError> {
    let Some(generated) = &scenario.generated else {
        return Ok(());
    };
    let targets =
        generated
            .member_of
            .iter()
            .map(|name| {
                tenant.groups_named(name).first().copied().ok_or_else(|| {
                    BuildError::UnknownMember {
                        group: name.clone(),
                        member: MemberSpec::Group(name.clone()),
                    }
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
    if targets.is_empty() {
        return Ok(());
    }
    let first = scenario.users.len();
    for i in 0..generated.users {
        let group = targets[i % targets.len()] as usize;
        let user = u32::try_from(first + i).unwrap_or(u32::MAX);
        tenant.groups[group].members.push(ObjectRef::User(user));
    }
    Ok(())
}
