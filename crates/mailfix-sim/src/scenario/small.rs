//! The `small` scenario: about 300 users of a first onboarding wave, with every defect mailfix knows
//! about in realistic proportions (12% with the empty-`mail` defect), nested groups with a cycle,
//! devices and contacts among the members, and a registration history in the audit log.
//!
//! Group layout (`All Staff` reaches everybody except the two `Contractors` groups):
//!
//! ```text
//! All Staff ─┬─ (direct users) ─ device KIOSK-01
//!            ├─ Sales ─── Sales EMEA ─── Sales        (a cycle)
//!            ├─ Engineering ─── Platform Team ─ device BUILD-AGENT-07
//!            └─ Operations ─ contact Facilities Vendor, service principal HR Sync
//! Contractors (twice, same display name)
//! ```

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::generate::{self, Kind, Names};
use super::spec::{GroupSpec, MemberSpec, Scenario, UserSpec};

/// Number of users in `small`.
pub const SMALL_USERS: usize = 300;

/// The defect mix of `small`: 32 empty-mail + 4 stuck = 12% with the defect.
const MIX: &[(Kind, f64)] = &[
    (Kind::EmptyMail, 32.0 / 300.0),
    (Kind::Stuck, 4.0 / 300.0),
    (Kind::Synced, 0.04),
    (Kind::NoMailbox, 0.04),
    (Kind::LeftoverAlias, 0.03),
    (Kind::ProvisioningError, 0.02),
    (Kind::MailNotPrimary, 0.02),
    (Kind::Disabled, 0.03),
    (Kind::Guest, 0.03),
];

/// Groups users are placed in (index into [`GROUPS`]) with their weights.
const HOMES: &[(usize, u32)] = &[
    (0, 35),
    (1, 14),
    (2, 10),
    (3, 15),
    (4, 10),
    (5, 13),
    (6, 2),
    (7, 1),
];
const GROUPS: &[&str] = &[
    "All Staff",
    "Sales",
    "Sales EMEA",
    "Engineering",
    "Platform Team",
    "Operations",
    "Contractors",
    "Contractors",
];

/// The `small` scenario for `seed`.
pub fn small(seed: u64) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5a11);
    let names = Names::for_org("contoso", "example.net");
    let kinds = generate::kinds(SMALL_USERS, MIX, &mut rng);
    let mut groups: Vec<GroupSpec> = GROUPS
        .iter()
        .map(|name| GroupSpec {
            display_name: (*name).to_owned(),
            ..GroupSpec::default()
        })
        .collect();
    let mut users = Vec::with_capacity(SMALL_USERS);
    for (i, &kind) in kinds.iter().enumerate() {
        let mut user = generate::user(kind, i + 1, &names, &mut rng);
        history(&mut user, kind, &names, &mut rng);
        let home = pick_home(&mut rng);
        groups[home]
            .members
            .push(MemberSpec::User(user.upn.clone()));
        if home != 0 && home < 6 && rng.random_bool(0.05) {
            // Some users are also direct members: transitive lists must not repeat them.
            groups[0].members.push(MemberSpec::User(user.upn.clone()));
        }
        users.push(user);
    }
    nest(&mut groups);
    generate::scenario("small".to_owned(), &names, users, groups, OTHERS)
}

fn pick_home(rng: &mut ChaCha8Rng) -> usize {
    let total: u32 = HOMES.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total);
    for &(group, weight) in HOMES {
        if roll < weight {
            return group;
        }
        roll -= weight;
    }
    0
}

/// Methods and past registration attempts: users with the defect tried and failed (each attempt
/// fails while `mail` is empty), most healthy users registered once.
fn history(user: &mut UserSpec, kind: Kind, names: &Names, rng: &mut ChaCha8Rng) {
    let (phone, email, attempts) = match kind {
        Kind::EmptyMail | Kind::Stuck | Kind::Synced => (0.4, 0.3, rng.random_range(1..=3)),
        Kind::Disabled | Kind::Guest => (0.1, 0.1, 0),
        Kind::NoMailbox => (0.3, 0.2, rng.random_range(0..=1)),
        _ => (0.75, 0.5, u32::from(rng.random_bool(0.7))),
    };
    user.methods = generate::methods(phone, email, names, rng);
    user.registration_attempts = attempts;
}

fn nest(groups: &mut [GroupSpec]) {
    let group = |name: &str| MemberSpec::Group(name.to_owned());
    let other = |name: &str| MemberSpec::Other(name.to_owned());
    groups[0].members.extend([
        group("Sales"),
        group("Engineering"),
        group("Operations"),
        other("KIOSK-01"),
    ]);
    groups[1].members.push(group("Sales EMEA"));
    groups[2].members.push(group("Sales"));
    groups[3].members.push(group("Platform Team"));
    groups[4].members.push(other("BUILD-AGENT-07"));
    groups[5]
        .members
        .extend([other("Facilities Vendor"), other("HR Sync")]);
}

const OTHERS: &[(&str, &str)] = &[
    ("device", "KIOSK-01"),
    ("device", "BUILD-AGENT-07"),
    ("orgContact", "Facilities Vendor"),
    ("servicePrincipal", "HR Sync"),
];
