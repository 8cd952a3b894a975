//! A small hand-written scenario for the example server and the sign-in tests (which include this
//! file with `#[path]`): four apps listed out of role order, 30 users (one disabled, one guest, every
//! fifth with the empty-mail defect), and "All Staff" reaching most of them through nested groups
//! with a cycle (Engineering → Platform → Engineering), a duplicate member and a device.

use mailfix_sim::scenario::{
    AppSpec, GroupSpec, MailboxSpec, MemberSpec, OtherSpec, Scenario, TenantSpec, UserSpec,
};

/// The tenant's initial domain.
pub const DOMAIN: &str = "contoso-sim.onmicrosoft.com";
/// A further verified domain.
pub const OTHER_DOMAIN: &str = "contoso.example";
/// The index of the disabled user.
pub const DISABLED: usize = 29;

const ALL_PERMISSIONS: [&str; 5] = [
    "User.Read.All",
    "GroupMember.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
    "AuditLog.Read.All",
    "Directory.Read.All",
];

/// The UPN of user `i`.
pub fn upn(i: usize) -> String {
    format!("user{i:02}@{DOMAIN}")
}

fn app(role: &str, name: &str, graph: &[&str], exchange: &[&str]) -> AppSpec {
    AppSpec {
        role: role.to_owned(),
        display_name: name.to_owned(),
        secret_credential: role != "cert",
        certificate_credential: role == "cert",
        public_client: role == "device",
        graph_roles: graph.iter().map(|s| s.to_string()).collect(),
        exchange_roles: exchange.iter().map(|s| s.to_string()).collect(),
        directory_roles: if exchange.is_empty() {
            Vec::new()
        } else {
            vec!["Exchange Administrator".to_owned()]
        },
        ..AppSpec::default()
    }
}

fn user(i: usize) -> UserSpec {
    let defect = i.is_multiple_of(5);
    UserSpec {
        upn: upn(i),
        display_name: format!("User {i:02}"),
        mail: (!defect).then(|| upn(i)),
        enabled: i != DISABLED,
        guest: i == 27,
        mailbox: Some(MailboxSpec::default()),
        label: if defect { "empty-mail" } else { "healthy" }.to_owned(),
        ..UserSpec::default()
    }
}

fn group(name: &str, users: std::ops::Range<usize>, nested: &[&str]) -> GroupSpec {
    let mut members: Vec<MemberSpec> = users.map(|i| MemberSpec::User(upn(i))).collect();
    members.extend(nested.iter().map(|g| MemberSpec::Group(g.to_string())));
    GroupSpec {
        display_name: name.to_owned(),
        members,
        ..GroupSpec::default()
    }
}

/// The scenario.
pub fn scenario() -> Scenario {
    let mut all_staff = group("All Staff", 0..10, &["Engineering", "Sales"]);
    all_staff
        .members
        .push(MemberSpec::Other("LAPTOP-0001".to_owned()));
    let mut platform = group("Platform", 18..22, &["Engineering"]);
    platform.members.push(MemberSpec::User(upn(0)));
    Scenario {
        name: "conformance".to_owned(),
        tenant: TenantSpec {
            initial_domain: DOMAIN.to_owned(),
            domains: vec![OTHER_DOMAIN.to_owned()],
            ..TenantSpec::default()
        },
        apps: vec![
            app("limited", "mailfix (limited)", &["User.Read.All"], &[]),
            app(
                "main",
                "mailfix",
                &ALL_PERMISSIONS,
                &["Exchange.ManageAsApp"],
            ),
            app(
                "cert",
                "mailfix (certificate)",
                &ALL_PERMISSIONS,
                &["Exchange.ManageAsApp"],
            ),
            app(
                "device",
                "mailfix (device code)",
                &ALL_PERMISSIONS,
                &["Exchange.Manage"],
            ),
        ],
        users: (0..30).map(user).collect(),
        groups: vec![
            all_staff,
            group("Engineering", 10..18, &["Platform"]),
            platform,
            group("Sales", 22..25, &[]),
        ],
        others: vec![OtherSpec {
            kind: "device".to_owned(),
            display_name: "LAPTOP-0001".to_owned(),
        }],
        ..Scenario::default()
    }
}
