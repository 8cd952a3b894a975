//! The built-in scenarios' invariants (derived from the definitions, not from mailfix) and the
//! scenario file format with its errors.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;

use chrono::Utc;
use mailfix_sim::model::{ObjectRef, Tenant};
use mailfix_sim::scenario::build::{BuildError, build_tenant};
use mailfix_sim::scenario::generate::{
    EXCHANGE_S_DESKLESS, EXCHANGE_S_ENTERPRISE, EXCHANGE_S_FOUNDATION, EXCHANGE_S_STANDARD,
};
use mailfix_sim::scenario::{LoadError, all_users, enterprise, load, scale, small};
use mailfix_sim::{SimOptions, StartError, start};

fn has_mailbox_plan(tenant: &Tenant, idx: usize) -> bool {
    let plans = [
        EXCHANGE_S_STANDARD,
        EXCHANGE_S_ENTERPRISE,
        EXCHANGE_S_DESKLESS,
    ];
    tenant.users[idx]
        .assigned_plans
        .iter()
        .any(|p| plans.contains(&p.service_plan_id) && p.capability_status == "Enabled")
}

/// Users reachable from `group` through nested groups, with a visited set (cycles tolerated).
fn transitive_users(tenant: &Tenant, group: u32) -> BTreeSet<u32> {
    let mut users = BTreeSet::new();
    let mut seen = BTreeSet::from([group]);
    let mut queue = VecDeque::from([group]);
    while let Some(g) = queue.pop_front() {
        for member in &tenant.groups[g as usize].members {
            match *member {
                ObjectRef::User(u) => {
                    users.insert(u);
                }
                ObjectRef::Group(n) if seen.insert(n) => queue.push_back(n),
                _ => {}
            }
        }
    }
    users
}

#[test]
fn small_has_the_documented_mix_and_labels_match_the_state() {
    let tenant = build_tenant(&small(1), 1, Utc::now()).unwrap();
    assert_eq!(tenant.users.len(), 300);
    let mut labels: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, u) in tenant.users.iter().enumerate() {
        *labels.entry(u.label.as_str()).or_default() += 1;
        let mailbox = tenant.mailboxes.get(&(i as u32));
        let cloud = u.on_premises_sync_enabled != Some(true);
        assert_eq!(
            !u.account_enabled,
            u.label == "disabled",
            "only `disabled` users are disabled"
        );
        match u.label.as_str() {
            "empty-mail" | "stuck" => {
                assert!(
                    u.mail.is_none() && cloud && mailbox.is_some() && has_mailbox_plan(&tenant, i)
                );
                assert!(u.proxy_addresses.is_empty());
                assert_eq!(u.stuck, u.label == "stuck");
            }
            "synced" => assert!(u.mail.is_none() && !cloud && mailbox.is_some()),
            "no-mailbox" => {
                assert!(u.mail.is_none() && mailbox.is_none() && !has_mailbox_plan(&tenant, i))
            }
            "leftover-alias" => assert!(
                u.proxy_addresses
                    .iter()
                    .any(|a| a.contains(".mailfix-") || a.contains(".forcemailwriteback@"))
            ),
            "provisioning-error" => {
                assert!(u.service_provisioning_errors.iter().any(|e| !e.is_resolved))
            }
            "mail-not-primary" => assert_ne!(u.mail.as_deref(), u.primary_smtp()),
            "disabled" => assert!(!u.account_enabled),
            "guest" => assert!(u.user_type.as_str() == "Guest" && mailbox.is_none()),
            "healthy" => assert!(
                u.mail.is_some() && u.mail.as_deref() == u.primary_smtp() && mailbox.is_some()
            ),
            other => panic!("unexpected label {other}"),
        }
    }
    let defect = labels["empty-mail"] + labels["stuck"];
    assert_eq!(defect, 36, "12% of 300");
    for label in [
        "synced",
        "no-mailbox",
        "leftover-alias",
        "provisioning-error",
        "mail-not-primary",
        "disabled",
        "guest",
    ] {
        assert!(
            labels.get(label).copied().unwrap_or(0) >= 3,
            "{label}: {labels:?}"
        );
    }
    let foundation_only = tenant.users.iter().enumerate().filter(|(i, u)| {
        u.assigned_plans
            .iter()
            .any(|p| p.service_plan_id == EXCHANGE_S_FOUNDATION)
            && !has_mailbox_plan(&tenant, *i)
    });
    assert!(
        foundation_only.count() >= 1,
        "service == exchange without a mailbox"
    );
    let leftovers: Vec<&String> = tenant
        .users
        .iter()
        .flat_map(|u| &u.proxy_addresses)
        .collect();
    assert!(leftovers.iter().any(|a| a.contains(".forcemailwriteback@")));
    assert!(leftovers.iter().any(|a| a.contains(".mailfix-")));
    let with_methods = tenant
        .methods
        .values()
        .filter(|m| !m.phones.is_empty())
        .count();
    assert!(
        with_methods > 50 && with_methods < 280,
        "some with and some without methods"
    );
}

#[test]
fn small_all_staff_reaches_users_through_nested_groups_with_a_cycle() {
    let tenant = build_tenant(&small(1), 1, Utc::now()).unwrap();
    let all_staff = tenant.groups_named("All Staff")[0];
    let direct = tenant.groups[all_staff as usize]
        .members
        .iter()
        .filter(|m| matches!(m, ObjectRef::User(_)))
        .count();
    let reachable = transitive_users(&tenant, all_staff);
    assert!(
        reachable.len() > direct * 2,
        "most come through nested groups"
    );
    assert!(
        reachable.len() >= 280 && reachable.len() < 300,
        "contractors are outside"
    );
    let sales = tenant.groups_named("Sales")[0];
    let emea = tenant.groups_named("Sales EMEA")[0];
    assert!(
        tenant.groups[sales as usize]
            .members
            .contains(&ObjectRef::Group(emea))
    );
    assert!(
        tenant.groups[emea as usize]
            .members
            .contains(&ObjectRef::Group(sales)),
        "a cycle"
    );
    let others = tenant
        .groups
        .iter()
        .flat_map(|g| &g.members)
        .filter(|m| matches!(m, ObjectRef::Other(_)));
    assert!(others.count() >= 3, "devices and contacts among members");
    assert_eq!(
        tenant.groups_named("Contractors").len(),
        2,
        "an ambiguous name"
    );
    let roles: Vec<&str> = tenant.apps.iter().map(|a| a.role.as_str()).collect();
    assert_eq!(roles, ["main", "cert", "limited", "device"]);
    let limited = &tenant.apps[2];
    assert!(
        !limited
            .graph_roles
            .contains(&"GroupMember.Read.All".to_owned())
            && limited.exchange_roles.is_empty()
    );
}

#[test]
fn scenarios_are_reproducible_by_seed() {
    let json = |seed| serde_json::to_string(&small(seed)).unwrap();
    assert_eq!(json(7), json(7));
    assert_ne!(json(7), json(8));
    let now = Utc::now();
    let a = build_tenant(&small(7), 7, now).unwrap();
    let b = build_tenant(&small(7), 7, now).unwrap();
    let ids = |t: &Tenant| t.users.iter().map(|u| u.id).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));
    assert_eq!(a.id, b.id);
}

#[test]
fn scale_nests_groups_four_deep_with_a_cycle() {
    let scenario = scale(5_000, 1);
    let tenant = build_tenant(&scenario, 1, Utc::now()).unwrap();
    assert_eq!(tenant.users.len(), 5_000);
    let all_staff = tenant.groups_named("All Staff")[0];
    assert_eq!(transitive_users(&tenant, all_staff).len(), 5_000);
    let team = tenant.groups_named("Team 1.1.1")[0];
    let division = tenant.groups_named("Division 1")[0];
    assert!(
        tenant.groups[team as usize]
            .members
            .contains(&ObjectRef::Group(division))
    );
    let defect = tenant
        .users
        .iter()
        .filter(|u| u.label == "empty-mail")
        .count();
    assert_eq!(defect, 150, "3% of 5,000");
    let listed: Vec<String> = all_users(&scenario).map(|u| u.upn.clone()).collect();
    let built: Vec<String> = tenant
        .users
        .iter()
        .map(|u| u.user_principal_name.clone())
        .collect();
    assert_eq!(listed, built, "all_users lists what the build generates");
    let leftover = |u: &&mailfix_sim::model::User| {
        u.proxy_addresses
            .iter()
            .any(|a| a.contains(".forcemailwriteback@"))
    };
    assert!(tenant.users.iter().any(|u| leftover(&u)));
}

#[test]
fn enterprise_has_100k_users_with_the_defect_at_lower_rates() {
    let tenant = build_tenant(&enterprise(1), 1, Utc::now()).unwrap();
    assert_eq!(tenant.users.len(), 100_000);
    let count = |label: &str| tenant.users.iter().filter(|u| u.label == label).count();
    assert_eq!(count("empty-mail"), 3_000);
    assert_eq!(count("stuck"), 200);
    assert!(count("guest") > 0 && count("synced") > 0 && count("leftover-alias") > 0);
    let all_staff = tenant.groups_named("All Staff")[0];
    assert_eq!(transitive_users(&tenant, all_staff).len(), 100_000);
}

fn example_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.json")
}

#[tokio::test]
async fn the_example_file_loads_and_serves() {
    let scenario = load(example_path()).unwrap();
    assert_eq!(scenario.users.len(), 4);
    let sim = start(SimOptions::for_test(scenario)).await.unwrap();
    assert_eq!(sim.info.tenant_domain, "northwind.onmicrosoft.com");
    assert_eq!(sim.info.client_id, "11111111-2222-3333-4444-555555555555");
    assert_eq!(sim.info.groups.len(), 2);
    let tenant = sim.state.read_tenant();
    assert_eq!(
        tenant.audits.len(),
        1 + 2 * 3,
        "one given event and three attempts"
    );
}

#[test]
fn file_errors_name_the_file_the_place_and_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.json");
    let err = load(&missing).unwrap_err();
    assert!(matches!(err, LoadError::Read { .. }));
    assert!(err.to_string().contains("missing.json"));

    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let err = load(write(
        "bad.json",
        "{\n  \"name\": \"x\",\n  \"tenant\": {\"initial_domain\": 3}\n}",
    ))
    .unwrap_err();
    match &err {
        LoadError::Parse { line, message, .. } => {
            assert_eq!(*line, 3);
            assert!(message.contains("invalid type"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let err = load(write(
        "field.json",
        r#"{"name":"x","tenant":{"initial_domain":"a.b"},"userz":[]}"#,
    ))
    .unwrap_err();
    assert!(err.to_string().contains("unknown field `userz`"), "{err}");
    let err = load(write("member.json", r#"{"name":"x","tenant":{"initial_domain":"a.b"},"groups":[{"display_name":"G","members":[{"user":"ghost@a.b"}]}]}"#)).unwrap_err();
    assert!(
        matches!(
            err,
            LoadError::Inconsistent {
                source: BuildError::UnknownMember { .. },
                ..
            }
        ),
        "{err}"
    );
    let err = load(write(
        "limits.json",
        r#"{"name":"x","tenant":{"initial_domain":"a.b"},"behaviour":{"limits":{"graph.nope":1}}}"#,
    ))
    .unwrap_err();
    assert!(err.to_string().contains("graph.nope"), "{err}");
}

#[tokio::test]
async fn start_refuses_unknown_limits() {
    let mut scenario = small(1);
    scenario
        .behaviour
        .limits
        .insert("exo.concurency".into(), 1.0);
    let err = start(SimOptions::for_test(scenario)).await.unwrap_err();
    assert!(matches!(err, StartError::Limits(_)), "{err}");
}
