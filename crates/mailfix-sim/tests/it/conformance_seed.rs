//! The tenant the conformance test replays Microsoft's examples against: objects comparable to the
//! ones the docs show (Adele Vance with her documented id, the HR Taskforce group with nested
//! groups, guests, registered methods, audit events), plus enough users that the first pages of
//! `/users` and `users/delta` have a nextLink as the examples do.

use mailfix_sim::model::{EmailMethod, PhoneMethod, PhoneType, UserMethods};
use mailfix_sim::scenario::{AuditSpec, GroupSpec, MemberSpec, Scenario, UserSpec};

use super::graph_support::{Sim, mailbox_user, scenario, start, user};

/// Adele Vance's id in the docs.
pub const ADELE_ID: &str = "87d349ed-44d7-43e1-9a83-5f2406dee5bd";
/// Adele Vance's UPN.
pub const ADELE: &str = "AdeleV@contoso.com";
/// The HR Taskforce group's id in the docs.
pub const HR_ID: &str = "02bd9fd6-8f93-4758-87c3-1fb73740a315";

fn named(upn_local: &str, display: &str) -> UserSpec {
    mailbox_user(upn_local, display)
}

fn users() -> Vec<UserSpec> {
    let mut adele = named("AdeleV", "Adele Vance");
    adele.id = Some(ADELE_ID.parse().expect("a GUID"));
    adele.registration_attempts = 1;
    let mut alex = named("AlexW", "Alex Wilber");
    alex.registration_attempts = 1;
    alex.methods.mobile = Some("+1 4255550100".into());
    let mut allan = user("AllanD", "Allan Deyoung");
    allan.guest = true;
    let mut guest = user("AdeleV_adatum.com#EXT#", "Adele Vance (Adatum)");
    guest.guest = true;
    guest.mail = Some("AdeleV@adatum.com".into());
    let mut users = vec![
        adele,
        alex,
        allan,
        guest,
        named("GradyA", "Grady Archie"),
        named("oscarward", "Oscar Ward"),
        named("JosephT", "Joseph Tierney"),
        named("PrestonM", "Preston Morales"),
        named("kim", "Kim Akers"),
        named("BiancaP", "Bianca Pisani"),
    ];
    users.extend((1..=110).map(|i| named(&format!("filler{i:03}"), &format!("Filler {i:03}"))));
    users
}

fn members(upns: &[&str], groups: &[&str]) -> Vec<MemberSpec> {
    let users = upns
        .iter()
        .map(|u| MemberSpec::User(format!("{u}@contoso.com")));
    users
        .chain(groups.iter().map(|g| MemberSpec::Group((*g).to_owned())))
        .collect()
}

fn groups() -> Vec<GroupSpec> {
    let with_mail = |name: &str, mail: &str, members: Vec<MemberSpec>| GroupSpec {
        display_name: name.to_owned(),
        mail: Some(format!("{mail}@contoso.com")),
        members,
        ..GroupSpec::default()
    };
    vec![
        GroupSpec {
            id: Some(HR_ID.parse().expect("a GUID")),
            ..with_mail(
                "HR Taskforce",
                "HRTaskforce",
                members(
                    &["AdeleV", "AlexW", "JosephT", "PrestonM"],
                    &["Executives", "Project Falcon"],
                ),
            )
        },
        with_mail(
            "Executives",
            "Executives",
            members(&["GradyA", "oscarward", "AllanD"], &[]),
        ),
        with_mail(
            "Project Falcon",
            "Falcon",
            members(&["oscarward", "kim"], &[]),
        ),
        with_mail("All Company", "allcompany", members(&["AdeleV"], &[])),
        with_mail("Video Production", "videoprod", vec![]),
    ]
}

fn audits() -> Vec<AuditSpec> {
    vec![AuditSpec {
        user: ADELE.to_owned(),
        hours_ago: 3.0,
        service: "Core Directory".to_owned(),
        activity: "Add member to group".to_owned(),
        result: "success".to_owned(),
        reason: "Successfully added member to group".to_owned(),
    }]
}

/// The seeded scenario.
pub fn seeded() -> Scenario {
    let mut s = scenario(users(), groups());
    s.audits = audits();
    s
}

/// Starts the simulator and sets what the scenario format does not carry.
pub async fn start_seeded() -> Sim {
    let sim = start(seeded()).await;
    {
        let mut tenant = sim.sim.state.write_tenant();
        let adele = tenant.user_by_upn(ADELE).expect("Adele");
        let u = &mut tenant.users[adele as usize];
        u.job_title = Some("Retail Manager".into());
        u.mobile_phone = Some("+1 425 555 0109".into());
        for group in &mut tenant.groups {
            if ["HR Taskforce", "All Company"].contains(&group.display_name.as_str()) {
                group.group_types = vec!["Unified".into()];
            }
            group.description = Some(format!("{} (description)", group.display_name));
        }
    }
    sim
}

/// Gives `upn` all three phones and an email method (`full`) or none.
pub fn set_methods(sim: &Sim, upn: &str, full: bool) {
    let mut tenant = sim.sim.state.write_tenant();
    let idx = tenant.user_by_upn(upn).expect("the user exists");
    let registered = tenant.methods.get(&idx).and_then(|m| m.registered);
    let phone = |phone_type, number: &str| PhoneMethod {
        phone_type,
        phone_number: number.to_owned(),
        sms_sign_in_state: "notSupported".to_owned(),
    };
    let methods = if full {
        UserMethods {
            phones: vec![
                phone(PhoneType::Mobile, "+1 2065555555"),
                phone(PhoneType::AlternateMobile, "+1 2065555556"),
                phone(PhoneType::Office, "+1 2065555557"),
            ],
            email: Some(EmailMethod {
                email_address: format!("{}@fabrikam.com", upn.split('@').next().unwrap_or("x")),
            }),
            registered,
        }
    } else {
        UserMethods {
            registered,
            ..UserMethods::default()
        }
    };
    tenant.methods.insert(idx, methods);
}
