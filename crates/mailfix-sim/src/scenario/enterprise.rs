//! The `enterprise` scenario (100k users) and the `scale(n)` generator behind it: the same defects as
//! `small` at lower rates, and groups nested four deep with one cycle:
//!
//! ```text
//! All Staff ─ Division 1..4 ─ Department d.1..5 ─ Team d.p.1..T ─ users (about 1,000 per team)
//!                                                  Team 1.1.1 ─ Division 1   (a cycle)
//! ```
//!
//! Memory matters here (a million users must load in under 2 GiB): users share licences by name,
//! and only users with a defect or a recent onboarding carry registration history.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::generate::{self, Kind, Names};
use super::spec::{GroupSpec, MemberSpec, Scenario, UserSpec};

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

/// A generated tenant of `n` users with the enterprise defect mix and group layout.
pub fn scale(n: usize, seed: u64) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xe17e);
    let names = Names::for_org("fabrikam", "example.org");
    let kinds = generate::kinds(n, MIX, &mut rng);
    let teams_per_department = n.div_ceil(USERS_PER_TEAM * DIVISIONS * DEPARTMENTS).max(1);
    let mut groups = layout(teams_per_department);
    let first_team = 1 + DIVISIONS + DIVISIONS * DEPARTMENTS;
    let teams = groups.len() - first_team;
    let mut users = Vec::with_capacity(n);
    for (i, &kind) in kinds.iter().enumerate() {
        let mut user = generate::user(kind, i + 1, &names, &mut rng);
        history(&mut user, kind, &names, &mut rng);
        groups[first_team + i % teams]
            .members
            .push(MemberSpec::User(user.upn.clone()));
        users.push(user);
    }
    let others = [("device", "LOBBY-KIOSK")];
    generate::scenario(format!("scale-{n}"), &names, users, groups, &others)
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
        _ => (0.6, 0.3, u32::from(rng.random_bool(0.01))),
    };
    user.methods = generate::methods(phone, email, names, rng);
    user.registration_attempts = attempts;
}
