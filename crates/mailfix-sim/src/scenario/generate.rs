//! Building blocks shared by the built-in scenario generators: licences, apps, the defect kinds and
//! the user each kind produces, and a defect mix turned into an exact, shuffled list of kinds.

use std::collections::BTreeMap;

use rand::RngExt;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use uuid::{Uuid, uuid};

use super::spec::{
    AppSpec, BehaviourSpec, GroupSpec, MailboxSpec, MethodsSpec, OtherSpec, PlanSpec, Scenario,
    TenantSpec, UserSpec,
};

/// EXCHANGE_S_STANDARD (Exchange Online Plan 1), a mailbox plan.
pub const EXCHANGE_S_STANDARD: Uuid = uuid!("9aaf7827-d63c-4b61-89c3-182f06f82e5c");
/// EXCHANGE_S_ENTERPRISE (Exchange Online Plan 2), a mailbox plan.
pub const EXCHANGE_S_ENTERPRISE: Uuid = uuid!("efb87545-963c-4e0d-99df-69c6916d9eb0");
/// EXCHANGE_S_DESKLESS (Exchange Online Kiosk), a mailbox plan.
pub const EXCHANGE_S_DESKLESS: Uuid = uuid!("4a82b400-a79f-41a4-b4e2-e94f5787b113");
/// EXCHANGE_S_FOUNDATION: `service == "exchange"` but no mailbox.
pub const EXCHANGE_S_FOUNDATION: Uuid = uuid!("113feb6c-3fe4-4440-bddc-54d774bf0318");
/// SharePoint Online (Plan 2).
pub const SHAREPOINT_ENTERPRISE: Uuid = uuid!("5dbe027f-2339-4123-9542-606e4d348a72");
/// Microsoft Teams.
pub const TEAMS1: Uuid = uuid!("57ff2da0-773e-42df-b2af-ffb7a2317929");

/// Licence names the generators use (keys of [`licences`]).
pub mod licence {
    /// Office 365 E3: Exchange Plan 2, SharePoint, Teams.
    pub const E3: &str = "ENTERPRISEPACK";
    /// Microsoft 365 Business Basic: Exchange Plan 1, Teams.
    pub const BASIC: &str = "O365_BUSINESS_ESSENTIALS";
    /// Microsoft 365 F3: Exchange Kiosk, Teams.
    pub const F3: &str = "SPE_F1";
    /// Teams only: Exchange Foundation (no mailbox) and Teams.
    pub const TEAMS_ONLY: &str = "TEAMS_EXPLORATORY";
    /// E3 with its Exchange plan removed (capability `Deleted`).
    pub const E3_NO_EXCHANGE: &str = "ENTERPRISEPACK_NO_EXO";
}

fn plan(id: Uuid, service: &str, status: &str) -> PlanSpec {
    PlanSpec {
        service_plan_id: id,
        service: service.to_owned(),
        capability_status: status.to_owned(),
    }
}

/// The licences every built-in scenario defines.
pub fn licences() -> BTreeMap<String, Vec<PlanSpec>> {
    let sharepoint = plan(SHAREPOINT_ENTERPRISE, "SharePoint", "Enabled");
    let teams = plan(TEAMS1, "TeamspaceAPI", "Enabled");
    let exchange = |id, status| plan(id, "exchange", status);
    BTreeMap::from([
        (
            licence::E3.to_owned(),
            vec![
                exchange(EXCHANGE_S_ENTERPRISE, "Enabled"),
                sharepoint.clone(),
                teams.clone(),
            ],
        ),
        (
            licence::BASIC.to_owned(),
            vec![exchange(EXCHANGE_S_STANDARD, "Enabled"), teams.clone()],
        ),
        (
            licence::F3.to_owned(),
            vec![exchange(EXCHANGE_S_DESKLESS, "Enabled"), teams.clone()],
        ),
        (
            licence::TEAMS_ONLY.to_owned(),
            vec![exchange(EXCHANGE_S_FOUNDATION, "Enabled"), teams.clone()],
        ),
        (
            licence::E3_NO_EXCHANGE.to_owned(),
            vec![
                exchange(EXCHANGE_S_ENTERPRISE, "Deleted"),
                sharepoint,
                teams,
            ],
        ),
    ])
}

/// The four apps of every built-in scenario: `main`, `cert`, `limited` and a public client.
pub fn apps() -> Vec<AppSpec> {
    let all_graph = [
        "User.Read.All",
        "GroupMember.Read.All",
        "UserAuthenticationMethod.ReadWrite.All",
        "AuditLog.Read.All",
        "Directory.Read.All",
    ];
    let strings = |xs: &[&str]| xs.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let full = |role: &str, name: &str, secret: bool, cert: bool| AppSpec {
        role: role.to_owned(),
        display_name: name.to_owned(),
        secret_credential: secret,
        certificate_credential: cert,
        graph_roles: strings(&all_graph),
        exchange_roles: strings(&["Exchange.ManageAsApp"]),
        directory_roles: strings(&["Exchange Administrator"]),
        ..AppSpec::default()
    };
    vec![
        full("main", "mailfix", true, false),
        full("cert", "mailfix (certificate)", false, true),
        AppSpec {
            role: "limited".to_owned(),
            display_name: "mailfix (limited)".to_owned(),
            secret_credential: true,
            graph_roles: strings(&["User.Read.All"]),
            ..AppSpec::default()
        },
        AppSpec {
            role: "device".to_owned(),
            display_name: "mailfix (device code)".to_owned(),
            public_client: true,
            ..AppSpec::default()
        },
    ]
}

/// What a generated user is like: each kind is one label of the scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Licensed, mailbox, `mail` set.
    Healthy,
    /// Licensed cloud-only user with a mailbox whose `mail` is empty (MF001).
    EmptyMail,
    /// Like [`Kind::EmptyMail`], but Exchange never writes it back (until un-stuck).
    Stuck,
    /// Synchronised from on-premises with an empty `mail` (MF003).
    Synced,
    /// No mailbox plan and no mailbox, `mail` empty (MF002).
    NoMailbox,
    /// Healthy, but holding a temporary alias of an earlier run (MF005).
    LeftoverAlias,
    /// Healthy, with an unresolved Exchange provisioning error (MF008).
    ProvisioningError,
    /// `mail` differs from the primary SMTP address (MF004).
    MailNotPrimary,
    /// `accountEnabled` false.
    Disabled,
    /// A B2B guest.
    Guest,
}

impl Kind {
    /// The label the scenario gives users of this kind.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Healthy => "healthy",
            Kind::EmptyMail => "empty-mail",
            Kind::Stuck => "stuck",
            Kind::Synced => "synced",
            Kind::NoMailbox => "no-mailbox",
            Kind::LeftoverAlias => "leftover-alias",
            Kind::ProvisioningError => "provisioning-error",
            Kind::MailNotPrimary => "mail-not-primary",
            Kind::Disabled => "disabled",
            Kind::Guest => "guest",
        }
    }
}

impl Kind {
    /// Every kind, healthy first.
    pub const ALL: [Kind; 10] = [
        Kind::Healthy,
        Kind::EmptyMail,
        Kind::Stuck,
        Kind::Synced,
        Kind::NoMailbox,
        Kind::LeftoverAlias,
        Kind::ProvisioningError,
        Kind::MailNotPrimary,
        Kind::Disabled,
        Kind::Guest,
    ];

    /// The kind with this label.
    pub fn from_label(label: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.label() == label)
    }
}

/// Exactly `round(share * n)` users of each kind (healthy fill the rest), in a seeded random order.
pub fn kinds(n: usize, mix: &[(Kind, f64)], rng: &mut ChaCha8Rng) -> Vec<Kind> {
    let mut kinds = Vec::with_capacity(n);
    for &(kind, share) in mix {
        let count = (share * n as f64).round() as usize;
        kinds.extend(std::iter::repeat_n(kind, count.min(n - kinds.len())));
    }
    kinds.resize(n, Kind::Healthy);
    kinds.shuffle(rng);
    kinds
}

/// Where generated users live: the tenant's domains and a tag for temporary aliases.
#[derive(Clone, Debug)]
pub struct Names {
    /// The initial `*.onmicrosoft.com` domain.
    pub initial: String,
    /// The verified domain users sign in with.
    pub domain: String,
    /// The domain of guests' home tenants and users' private addresses.
    pub external: String,
    /// A verified domain that Exchange does not accept.
    pub legacy: String,
    /// Whether mailboxes get the usual `alias@{initial}` secondary address (left out at scale, where
    /// it alone costs about 250 MB per million users).
    pub initial_alias: bool,
}

impl Names {
    /// The domains of organisation `org`: `{org}.onmicrosoft.com`, `{org}.com`, `{org}-legacy.com`
    /// (not accepted by Exchange), and `external` for guests and private addresses.
    pub fn for_org(org: &str, external: &str) -> Self {
        Self {
            initial: format!("{org}.onmicrosoft.com"),
            domain: format!("{org}.com"),
            external: external.to_owned(),
            legacy: format!("{org}-legacy.com"),
            initial_alias: true,
        }
    }
}

/// A built-in scenario around generated users and groups: the names' domains, the standard apps and
/// licences, and default behaviour.
pub fn scenario(
    name: String,
    names: &Names,
    users: Vec<UserSpec>,
    groups: Vec<GroupSpec>,
    others: &[(&str, &str)],
) -> Scenario {
    Scenario {
        name,
        tenant: TenantSpec {
            id: None,
            initial_domain: names.initial.clone(),
            domains: vec![names.domain.clone(), names.legacy.clone()],
            not_accepted: vec![names.legacy.clone()],
        },
        apps: apps(),
        licences: licences(),
        users,
        generated: None,
        groups,
        others: others
            .iter()
            .map(|(kind, name)| OtherSpec {
                kind: (*kind).to_owned(),
                display_name: (*name).to_owned(),
            })
            .collect(),
        audits: Vec::new(),
        behaviour: BehaviourSpec::default(),
    }
}

const FIRST: &[&str] = &[
    "Ava", "Liam", "Mia", "Noah", "Zoe", "Ethan", "Isla", "Lucas", "Chloe", "Mason", "Ruby", "Leo",
    "Grace", "Jack", "Amelia", "Oscar", "Harper", "Henry", "Ella", "Samuel", "Aria", "Thomas",
    "Lily", "Oliver", "Sofia", "Hugo", "Nora", "Felix", "Ivy", "Arjun", "Mei", "Kenji", "Priya",
    "Tariq", "Ana", "Mateo", "Freya", "Omar", "Yuki", "Elena",
];
const LAST: &[&str] = &[
    "Smith", "Nguyen", "Patel", "Jones", "Brown", "Williams", "Taylor", "Wilson", "Martin", "Lee",
    "Walker", "Harris", "Clarke", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams",
    "Chen", "Kowalski", "Rossi", "Silva", "Murphy", "Kelly", "Dubois", "Schmidt", "Haddad",
    "Tanaka", "Okafor", "Novak", "Larsen", "Fischer", "Moreau", "Costa", "Ali", "Khan", "Reyes",
    "Evans",
];

/// The user of kind `kind` with index `i` (which makes the local part unique).
pub fn user(kind: Kind, i: usize, names: &Names, rng: &mut ChaCha8Rng) -> UserSpec {
    let first = FIRST[rng.random_range(0..FIRST.len())];
    let last = LAST[rng.random_range(0..LAST.len())];
    let alias = format!(
        "{}.{}{i}",
        first.to_ascii_lowercase(),
        last.to_ascii_lowercase()
    );
    let upn = format!("{alias}@{}", names.domain);
    let mut spec = UserSpec {
        upn: upn.clone(),
        display_name: format!("{first} {last}"),
        licence: Some(licence_for(i).to_owned()),
        mail: Some(upn.clone()),
        mailbox: Some(MailboxSpec {
            primary_smtp: None,
            extra_addresses: if names.initial_alias {
                vec![format!("smtp:{alias}@{}", names.initial)]
            } else {
                Vec::new()
            },
        }),
        label: kind.label().to_owned(),
        ..UserSpec::default()
    };
    shape(&mut spec, kind, &alias, names, rng);
    spec
}

fn licence_for(i: usize) -> &'static str {
    match i % 10 {
        0 => licence::BASIC,
        1 => licence::F3,
        _ => licence::E3,
    }
}

fn shape(spec: &mut UserSpec, kind: Kind, alias: &str, names: &Names, rng: &mut ChaCha8Rng) {
    match kind {
        Kind::Healthy => {}
        Kind::EmptyMail => spec.mail = None,
        Kind::Stuck => {
            spec.mail = None;
            spec.stuck = true;
        }
        Kind::Synced => {
            spec.mail = None;
            spec.synced = Some(true);
        }
        Kind::NoMailbox => {
            spec.mail = None;
            spec.mailbox = None;
            spec.licence = match rng.random_range(0..4) {
                0 => Some(licence::TEAMS_ONLY.to_owned()),
                1 => Some(licence::E3_NO_EXCHANGE.to_owned()),
                _ => None,
            };
        }
        Kind::LeftoverAlias => {
            let leftover = if rng.random_bool(0.5) {
                format!("smtp:{alias}.forcemailwriteback@{}", names.initial)
            } else {
                format!("smtp:{alias}.mailfix-{}@{}", run_id(rng), names.initial)
            };
            push_address(spec, leftover);
        }
        Kind::ProvisioningError => {
            spec.provisioning_error = Some(provisioning_error(&spec.upn));
        }
        Kind::MailNotPrimary => {
            let old = format!("{alias}.old@{}", names.domain);
            push_address(spec, format!("smtp:{old}"));
            spec.mail = Some(old);
        }
        Kind::Disabled => {
            spec.enabled = false;
            if rng.random_bool(0.5) {
                spec.mail = None;
            }
        }
        Kind::Guest => {
            let external = format!("{alias}@{}", names.external);
            spec.upn = format!("{}#EXT#@{}", external.replace('@', "_"), names.initial);
            spec.mail = Some(external);
            spec.mailbox = None;
            spec.licence = None;
            spec.guest = true;
        }
    }
}

fn push_address(spec: &mut UserSpec, address: String) {
    if let Some(mailbox) = &mut spec.mailbox {
        mailbox.extra_addresses.push(address);
    }
}

/// A short run id like mailfix's own (`[a-z0-9]{6}`).
fn run_id(rng: &mut ChaCha8Rng) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..6)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

fn provisioning_error(upn: &str) -> String {
    format!(
        "<ServiceInstance Name=\"exchange/namprd01-012-01\"><ObjectErrors><ErrorRecord \
         HResult=\"-2146233087\" ErrorType=\"Permanent\"><ErrorDescription>The value \
         \"SMTP:{upn}\" of property \"EmailAddresses\" is used by another recipient object. \
         Please specify a unique value.</ErrorDescription></ErrorRecord></ObjectErrors>\
         </ServiceInstance>"
    )
}

/// Authentication methods: a mobile phone with probability `phone`, an email with `email`.
pub fn methods(phone: f64, email: f64, names: &Names, rng: &mut ChaCha8Rng) -> MethodsSpec {
    let mobile = rng
        .random_bool(phone)
        .then(|| format!("+61 4{:08}", rng.random_range(0..100_000_000u32)));
    let email = rng.random_bool(email).then(|| {
        format!(
            "private{}@{}",
            rng.random_range(0..1_000_000u32),
            names.external
        )
    });
    MethodsSpec {
        mobile,
        email,
        ..MethodsSpec::default()
    }
}
