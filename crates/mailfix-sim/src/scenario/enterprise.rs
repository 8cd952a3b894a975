//! The `enterprise` scenario (100k users) and the `scale(n)` generator behind it: the same defects as
//! `small` at lower rates, and groups nested four deep with one cycle:
//!
//! ```text
//! All Staff ─ Division 1..4 ─ Department d.1..5 ─ Team d.p.1..T ─ users (about 1,000 per team)
//!                                                  Team 1.1.1 ─ Division 1   (a cycle)
//! ```
//!
//! Memory matters here (a million users must load in under 2 GiB): the users are generated while the
//! tenant is built instead of being listed in the scenario, they share licences by name, and only
//! users with a defect or a recent onboarding carry registration history.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::generate::{self, Kind, Names};
use std::borrow::Cow;

use super::spec::{GeneratedSpec, GroupSpec, MemberSpec, Scenario, TenantSpec, UserSpec};

/// Number of users in `enterprise`.
pub const ENTERPRISE_USERS: usize = 100_000;
const DIVISIONS: usize = 4;
const DEPARTMENTS: usize = 5;
const USERS_PER_TEAM: usize = 1_000;

const MIX: &[(Kind, f64)] = &[
    (Kind::EmptyMail, 0.03),
    (Kind::Stuck, 0.002),
    (Kind::Synced, 0.005),
    (Kind::NoMailbox, 0.02),
    (Kind::LeftoverAlias, 0.005),
    (Kind::ProvisioningError, 0.003),
    (Kind::MailNotPrimary, 0.005),
    (Kind::Disabled, 0.02),
    (Kind::Guest, 0.01),
];

/// The `enterprise` scenario for `seed`: [`scale`] with 100,000 users.
pub fn enterprise(seed: u64) -> Scenario {
    let mut scenario = scale(ENTERPRISE_USERS, seed);
    scenario.name = "enterprise".to_owned();
    scenario
}

/// A generated tenant of `n` users with the enterprise defect mix and group layout. The users are
/// not listed: [`Scenario::generated`] describes them and the build generates them
/// ([`all_users`] lists them for tests).
pub fn scale(n: usize, seed: u64) -> Scenario {
    let names = Names::for_org("fabrikam", EXTERNAL);
    let teams_per_department = n.div_ceil(USERS_PER_TEAM * DIVISIONS * DEPARTMENTS).max(1);
    let groups = layout(teams_per_department);
    let first_team = 1 + DIVISIONS + DIVISIONS * DEPARTMENTS;
    let member_of = groups[first_team..]
        .iter()
        .map(|g| g.display_name.clone())
        .collect();
    let others = [("device", "LOBBY-KIOSK")];
    let mut scenario =
        generate::scenario(format!("scale-{n}"), &names, Vec::new(), groups, &others);
    scenario.generated = Some(GeneratedSpec {
        users: n,
        seed,
        member_of,
    });
    scenario
}

/// The domain of guests and private addresses of generated users.
const EXTERNAL: &str = "example.org";

/// The users a [`GeneratedSpec`] describes, in order, named in the tenant's domains.
pub fn population(spec: &GeneratedSpec, tenant: &TenantSpec) -> impl Iterator<Item = UserSpec> {
    let domain = tenant.domains.first().unwrap_or(&tenant.initial_domain);
    let names = Names {
        initial: tenant.initial_domain.clone(),
        domain: domain.clone(),
        external: EXTERNAL.to_owned(),
        legacy: String::new(),
        initial_alias: false,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed ^ 0xe17e);
    let kinds = generate::kinds(spec.users, MIX, &mut rng);
    kinds.into_iter().enumerate().map(move |(i, kind)| {
        let mut user = generate::user(kind, i + 1, &names, &mut rng);
        history(&mut user, kind, &names, &mut rng);
        user
    })
}

/// Every user of a scenario: the listed ones, then the generated ones.
pub fn all_users(scenario: &Scenario) -> impl Iterator<Item = Cow<'_, UserSpec>> {
    let generated = scenario
        .generated
        .iter()
        .flat_map(|spec| population(spec, &scenario.tenant))
        .map(Cow::Owned);
    scenario.users.iter().map(Cow::Borrowed).chain(generated)
}

/// All Staff, then divisions, then departments, then teams (in that order in the returned list).
fn layout(teams_per_department: usize) -> Vec<GroupSpec> {
    let named = |name: String, members: Vec<MemberSpec>| GroupSpec {
        display_name: name,
        members,
        ..GroupSpec::default()
    };
    let division = |d: usize| format!("Division {d}");
    let department = |d: usize, p: usize| format!("Department {d}.{p}");
    let team = |d: usize, p: usize, t: usize| format!("Team {d}.{p}.{t}");
    let mut groups = vec![named(
        "All Staff".to_owned(),
        (1..=DIVISIONS)
            .map(|d| MemberSpec::Group(division(d)))
            .chain([MemberSpec::Other("LOBBY-KIOSK".to_owned())])
            .collect(),
    )];
    for d in 1..=DIVISIONS {
        let members = (1..=DEPARTMENTS)
            .map(|p| MemberSpec::Group(department(d, p)))
            .collect();
        groups.push(named(division(d), members));
    }
    for d in 1..=DIVISIONS {
        for p in 1..=DEPARTMENTS {
            let members = (1..=teams_per_department)
                .map(|t| MemberSpec::Group(team(d, p, t)))
                .collect();
            groups.push(named(department(d, p), members));
        }
    }
    for d in 1..=DIVISIONS {
        for p in 1..=DEPARTMENTS {
            for t in 1..=teams_per_department {
                let mut members = Vec::with_capacity(USERS_PER_TEAM + 1);
                if (d, p, t) == (1, 1, 1) {
                    members.push(MemberSpec::Group(division(1)));
                }
                groups.push(named(team(d, p, t), members));
            }
        }
    }
    groups
}

/// Sparse history: users with the defect tried once and failed; 1% of the others registered.
fn history(user: &mut UserSpec, kind: Kind, names: &Names, rng: &mut ChaCha8Rng) {
    let (phone, email, attempts) = match kind {
        Kind::EmptyMail | Kind::Stuck | Kind::Synced => (0.4, 0.2, 1),
        Kind::Disabled | Kind::Guest | Kind::NoMailbox => (0.05, 0.0, 0),
        _ => (0.4, 0.2, u32::from(rng.random_bool(0.01))),
    };
    user.methods = generate::methods(phone, email, names, rng);
    user.registration_attempts = attempts;
}
