//! What the write-command tests compare: the tenant as Exchange and the directory hold it (read from
//! the simulator's state, never from mailfix's output), the targets the scenario definition
//! implies, and the simulator's request log; and how they start the simulator and read output.

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};

use mailfix_sim::log::LogEntry;
use mailfix_sim::scenario::{MemberSpec, Scenario};
use serde_json::Value;

use crate::support::{TestSim, stderr, stdout};

/// A simulator of `scenario` whose clock runs `scale` times faster, with write-backs after
/// `writeback` (simulated seconds, min and max).
pub async fn compressed(scenario: &Scenario, scale: f64, writeback: (f64, f64)) -> TestSim {
    TestSim::start_with(scenario.clone(), |o| {
        o.time_scale = scale;
        o.writeback_delay_s = Some(writeback);
    })
    .await
}

/// Takes the Exchange mailbox of the scenario's first `empty-mail` user away (it stays licensed,
/// so MF001, but Exchange has no mailbox for it) and returns that user's UPN.
pub fn without_a_mailbox(scenario: &mut Scenario) -> String {
    let lost = scenario
        .users
        .iter_mut()
        .find(|u| u.label == "empty-mail")
        .expect("the scenario has an empty-mail user");
    lost.mailbox = None;
    lost.upn.clone()
}

/// stdout parsed as one JSON document.
pub fn json_out(output: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(output)).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {}\n{}",
            stdout(output),
            stderr(output)
        )
    })
}

/// Every mailbox's `EmailAddresses` (sorted), by user object id.
pub type Mailboxes = BTreeMap<String, Vec<String>>;

/// Exchange's view of every mailbox now.
pub fn mailboxes(sim: &TestSim) -> Mailboxes {
    let tenant = sim.sim.state.read_tenant();
    tenant
        .mailboxes
        .iter()
        .map(|(idx, mailbox)| {
            let mut addresses = mailbox.email_addresses.clone();
            addresses.sort();
            (tenant.users[*idx as usize].id.to_string(), addresses)
        })
        .collect()
}

/// A user's directory `mail` and mailbox primary address, by UPN.
pub fn mail_and_primary(sim: &TestSim, upn: &str) -> (Option<String>, Option<String>) {
    let tenant = sim.sim.state.read_tenant();
    let idx = tenant.user_by_upn(upn).expect("user exists");
    let primary = tenant
        .mailboxes
        .get(&idx)
        .and_then(|m| m.primary_smtp().map(str::to_owned));
    (tenant.users[idx as usize].mail.clone(), primary)
}

/// The object id of a user.
pub fn user_id(sim: &TestSim, upn: &str) -> String {
    let tenant = sim.sim.state.read_tenant();
    let idx = tenant.user_by_upn(upn).expect("user exists");
    tenant.users[idx as usize].id.to_string()
}

/// Asserts the fix invariants: every target's `mail` is its primary SMTP address, and every
/// mailbox of the tenant holds exactly the addresses it held before (so no temporary alias is
/// left and nothing else changed).
pub fn assert_fixed_and_untouched(sim: &TestSim, before: &Mailboxes, targets: &BTreeSet<String>) {
    for upn in targets {
        let (mail, primary) = mail_and_primary(sim, upn);
        assert!(primary.is_some(), "{upn} has a mailbox");
        assert_eq!(mail, primary, "{upn}: mail is the primary SMTP address");
    }
    assert_mailboxes_unchanged(sim, before);
}

/// Asserts that every mailbox holds exactly the addresses it held before.
pub fn assert_mailboxes_unchanged(sim: &TestSim, before: &Mailboxes) {
    let after = mailboxes(sim);
    assert_eq!(before.len(), after.len(), "same mailboxes");
    for (id, addresses) in before {
        assert_eq!(
            after.get(id),
            Some(addresses),
            "mailbox of {id} holds exactly its old addresses"
        );
    }
}

/// UPNs of the users among a group's transitive members, from the scenario definition.
pub fn group_users(scenario: &Scenario, group: &str) -> HashSet<String> {
    let mut users = HashSet::new();
    let mut seen = HashSet::new();
    let mut queue = VecDeque::from([group.to_owned()]);
    while let Some(name) = queue.pop_front() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let Some(spec) = scenario.groups.iter().find(|g| g.display_name == name) else {
            continue;
        };
        for member in &spec.members {
            match member {
                MemberSpec::User(upn) => {
                    users.insert(upn.to_ascii_lowercase());
                }
                MemberSpec::Group(g) => queue.push_back(g.clone()),
                MemberSpec::Other(_) => {}
            }
        }
    }
    users
}

/// UPNs of the scenario's users with one of `labels`, among `among`.
pub fn labelled(scenario: &Scenario, labels: &[&str], among: &HashSet<String>) -> BTreeSet<String> {
    scenario
        .users
        .iter()
        .filter(|u| labels.contains(&u.label.as_str()))
        .map(|u| u.upn.to_ascii_lowercase())
        .filter(|upn| among.contains(upn))
        .collect()
}

/// The UPN of the scenario's first user labelled `label`.
pub fn first_labelled(scenario: &Scenario, label: &str) -> String {
    scenario
        .users
        .iter()
        .find(|u| u.label == label)
        .unwrap_or_else(|| panic!("the scenario has a {label} user"))
        .upn
        .clone()
}

/// The request log after `seq`.
pub fn requests(sim: &TestSim, seq: u64) -> Vec<LogEntry> {
    sim.sim.state.log.since(seq)
}

/// Requests that changed state.
pub fn writes(sim: &TestSim) -> Vec<LogEntry> {
    requests(sim, 0).into_iter().filter(|e| e.write).collect()
}

/// UPNs (or ids) of a JSON report list, sorted.
pub fn upns(report: &Value, list: &str) -> BTreeSet<String> {
    report[list]
        .as_array()
        .unwrap_or_else(|| panic!("report has a {list} list: {report}"))
        .iter()
        .map(|i| i["upn"].as_str().unwrap().to_ascii_lowercase())
        .collect()
}

/// Waits (without asserting on time) until `done` holds for the request log, or panics after a
/// generous bound so that a hang fails the test instead of blocking the suite.
pub async fn wait_for_log(sim: &TestSim, what: &str, done: impl Fn(&[LogEntry]) -> bool) {
    for _ in 0..1200 {
        if done(&requests(sim, 0)) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("gave up waiting for {what}");
}

/// Number of `Set-Mailbox` requests answered 200 in `entries`.
pub fn set_mailbox_ok(entries: &[LogEntry]) -> usize {
    entries
        .iter()
        .filter(|e| e.operation.as_deref() == Some("Set-Mailbox") && e.status == 200)
        .count()
}
