//! Watch efficiency, from the request log: after planning nothing lists the group or the users
//! again; each poll is `$batch`es of at most 20 `GET /users/{id}?$select=id,mail,proxyAddresses`;
//! every target is read, and each poll reads exactly the users whose `mail` the previous poll found
//! still empty, and those it had not read yet (added meanwhile).
//!
//! The simulator runs in real time with write-backs far away, and the test moves its clock forward
//! after each poll, so which write-backs have landed at each poll is known from the simulated time
//! stamped on the log entries, not from wall-clock timing.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::process::Stdio;

use chrono::{DateTime, Utc};
use mailfix_sim::log::LogEntry;
use mailfix_sim::scenario::small;
use serde_json::json;

use crate::support::{TestSim, stderr};
use crate::tenant::{
    assert_fixed_and_untouched, group_users, labelled, mailboxes, requests, set_mailbox_ok,
    wait_for_log,
};

/// One poll: the users it read, each with the simulated time its batch item ran (what the item
/// saw is the tenant as of then; the batch's own arrival time may precede a clock move).
/// A poll's reads: for each, the simulated instants between which it read the state, and its users.
type Poll = Vec<((DateTime<Utc>, DateTime<Utc>), Vec<String>)>;

/// The user ids a poll batch reads; panics on anything but the expected reads.
fn batch_users(entry: &LogEntry) -> Vec<String> {
    assert!(entry.batch_items.len() <= 20, "at most 20 per $batch");
    entry
        .batch_items
        .iter()
        .map(|item| {
            assert_eq!(item.method, "GET");
            let (path, query) = item.url.split_once('?').expect("a query");
            assert_eq!(query, "$select=id,mail,proxyAddresses", "{}", item.url);
            path.trim_start_matches('/')
                .strip_prefix("users/")
                .expect("a user read")
                .to_owned()
        })
        .collect()
}

/// Groups the poll batches: a batch belongs to a new poll when it reads a user the current poll
/// already read (each poll reads each pending user once, and reads only users of the last poll).
fn polls(batches: &[&LogEntry]) -> Vec<Poll> {
    let mut polls: Vec<Poll> = Vec::new();
    let mut current: HashSet<String> = HashSet::new();
    for entry in batches {
        let users = batch_users(entry);
        if polls.is_empty() || users.iter().any(|u| current.contains(u)) {
            polls.push(Vec::new());
            current.clear();
        }
        current.extend(users.iter().cloned());
        let poll = polls.last_mut().unwrap();
        for (item, user) in entry.batch_items.iter().zip(users) {
            let start = item.time.unwrap_or(entry.time);
            poll.push(((start, item.finished.unwrap_or(start)), vec![user]));
        }
    }
    polls
}

fn ids(poll: &Poll) -> BTreeSet<String> {
    poll.iter()
        .flat_map(|(_, users)| users.iter().cloned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_poll_reads_only_the_pending_users_twenty_per_batch() {
    let scenario = small(21);
    let sim = crate::tenant::compressed(&scenario, 1.0, (100.0, 1000.0)).await;
    sim.control_post("/_sim/unstick", json!({})).await;
    let upns = labelled(
        &scenario,
        &["empty-mail", "stuck"],
        &group_users(&scenario, "All Staff"),
    );
    assert!(upns.len() > 20, "more targets than one batch holds");
    let targets: BTreeSet<String> = upns
        .iter()
        .map(|u| crate::tenant::user_id(&sim, u))
        .collect();
    let before = mailboxes(&sim);
    let args = [
        "fix",
        "--group",
        "All Staff",
        "--yes",
        "--poll-interval",
        "300ms",
    ];
    // The test moves the clock itself, 150 s per poll: tell mailfix its time runs fast, so that
    // the poll floor (5 s of the service's time) allows 300 ms.
    let mut child = sim
        .mailfix()
        .env("MAILFIX_REPORTS_WINDOW", "100ms")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_log(&sim, "every add", |log| {
        set_mailbox_ok(log) >= targets.len()
    })
    .await;
    let due = due_times(&sim, &upns);

    // Move the clock 150 s after each poll until the run ends.
    let mut seen_batches = 0;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        let batches = requests(&sim, 0)
            .iter()
            .filter(|e| e.operation.as_deref() == Some("batch"))
            .count();
        if batches > seen_batches {
            seen_batches = batches;
            sim.control_post("/_sim/clock/advance", json!({"seconds": 150}))
                .await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let err = child.wait_with_output().await.unwrap();
    assert_eq!(status.code(), Some(0), "{}", stderr(&err));

    let log = requests(&sim, 0);
    let first_write = log.iter().position(|e| e.write).expect("writes were made");
    for entry in &log[first_write..] {
        assert!(
            !entry.path.contains("/groups"),
            "no group read after planning: {}",
            entry.path
        );
        assert!(
            !entry.path.ends_with("/users"),
            "no user listing after planning: {}",
            entry.path
        );
    }
    let batches: Vec<&LogEntry> = log[first_write..]
        .iter()
        .filter(|e| e.operation.as_deref() == Some("batch"))
        .collect();
    let polls = polls(&batches);
    assert!(
        polls.len() >= 3,
        "write-backs spread over several polls: {}",
        polls.len()
    );
    let read: BTreeSet<String> = polls.iter().flat_map(ids).collect();
    assert_eq!(read, targets, "every target is read");
    let mut read_before = BTreeSet::new();
    for pair in polls.windows(2) {
        read_before.extend(ids(&pair[0]));
        check_next_poll(&pair[0], &ids(&pair[1]), &due, &read_before);
    }
    let last = polls.last().unwrap();
    for ((_, read_by), users) in last {
        for user in users {
            assert!(
                due[user] <= *read_by + chrono::Duration::seconds(1),
                "the last poll saw {user} written back"
            );
        }
    }
    assert_fixed_and_untouched(&sim, &before, &upns);
}

/// Every user of `poll` is in the next poll exactly when its write-back had not landed when the
/// poll read it (users due within a second of the span in which the read ran are left out); the
/// next poll reads no one else but users not read before.
fn check_next_poll(
    poll: &Poll,
    next: &BTreeSet<String>,
    due: &BTreeMap<String, DateTime<Utc>>,
    read_before: &BTreeSet<String>,
) {
    let margin = chrono::Duration::seconds(1);
    for ((read_from, read_by), users) in poll {
        for user in users {
            let due = due[user];
            if due > *read_by + margin {
                assert!(
                    next.contains(user),
                    "{user} was still pending, so it is read again"
                );
            } else if due < *read_from - margin {
                assert!(
                    !next.contains(user),
                    "{user} was written back, so it is not read again"
                );
            }
        }
    }
    assert!(
        next.iter()
            .all(|u| poll.iter().any(|(_, users)| users.contains(u)) || !read_before.contains(u))
    );
}

/// When each target's write-back lands (simulated time), by user id.
fn due_times(sim: &TestSim, upns: &BTreeSet<String>) -> BTreeMap<String, DateTime<Utc>> {
    let tenant = sim.sim.state.read_tenant();
    upns.iter()
        .map(|upn| {
            let idx = tenant.user_by_upn(upn).unwrap();
            let due = tenant
                .pending_writeback(idx)
                .expect("a write-back is pending");
            (tenant.users[idx as usize].id.to_string(), due)
        })
        .collect()
}
