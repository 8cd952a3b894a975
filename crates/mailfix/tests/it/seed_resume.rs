//! Ctrl-C during `mailfix seed`: exit 130 with the resume command, and `--resume` finishes the run
//! without sending any method twice. Expectations come from the scenario, not from mailfix.

use std::collections::BTreeMap;
use std::time::Duration;

use mailfix_sim::scenario::{Scenario, UserSpec};
use serde_json::{Value, json};

use crate::seed::{methods_of, seed, service_requests, writes};
use crate::support::{TestSim, stderr, stdout, write};

/// `small`'s users, each given a new mobile and a new personal email.
pub fn hr_file(scenario: &Scenario) -> String {
    hr_file_of(&scenario.users)
}

/// `users`, each given a new mobile and a new personal email (numbered by position).
pub fn hr_file_of(users: &[UserSpec]) -> String {
    let mut text = String::from("upn,mobile,personal_email\n");
    for (i, user) in users.iter().enumerate() {
        text.push_str(&format!(
            "\"{}\",0412 {:03} {:03},p{i}@example.org\n",
            user.upn,
            i / 1000,
            i % 1000
        ));
    }
    text
}

/// Waits (by polling the simulator's request log) until it has seen `n` writes.
async fn wait_for_writes(sim: &TestSim, n: usize) {
    for _ in 0..600 {
        if writes(&service_requests(sim, 0).await).len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the run never reached {n} writes");
}

#[tokio::test]
async fn ctrl_c_stops_with_130_and_resume_finishes_without_sending_twice() {
    let scenario = mailfix_sim::scenario::small(5);
    let sim = TestSim::start(scenario.clone()).await;
    let file = sim.path("hr.csv");
    write(&file, &hr_file(&scenario));
    sim.control_post("/_sim/faults", json!({"graph_latency_ms": 40}))
        .await;
    let path = file.to_str().unwrap();
    let args = [
        "seed",
        path,
        "--default-region",
        "AU",
        "--yes",
        "--concurrency",
        "2",
        "-o",
        "json",
    ];
    let child = sim
        .mailfix()
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_writes(&sim, 10).await;
    crate::support::interrupt(&child);
    let out = child.wait_with_output().await.unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["interrupted"], true);
    let run = doc["run"].as_str().unwrap().to_owned();
    assert!(
        stderr(&out).contains(&format!("resume with: mailfix seed --resume {run}")),
        "{}",
        stderr(&out)
    );
    let pending = doc["summary"]["results"]["pending"].as_u64().unwrap();
    assert!(pending > 0, "interrupted before the end");

    sim.control_post("/_sim/faults", json!({"graph_latency_ms": 0}))
        .await;
    // The resume command as printed, off a terminal and without --yes: the run was confirmed when
    // it started.
    let out = seed(&sim, &["--resume", &run, "-o", "json"]).await;
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["run"].as_str(), Some(run.as_str()), "the same run");
    assert_eq!(doc["summary"]["results"]["pending"], 0);
    assert_eq!(
        out.status.code(),
        Some(4),
        "conflicts remain: {}",
        stderr(&out)
    );

    assert_seeded_from_the_file(&sim, &scenario.users).await;
    let mut posts: BTreeMap<String, usize> = BTreeMap::new();
    for w in writes(&service_requests(&sim, 0).await) {
        *posts
            .entry(w["path"].as_str().unwrap().to_owned())
            .or_default() += 1;
        assert!(w["status"].as_u64().unwrap() < 300, "a write failed: {w}");
    }
    assert_eq!(
        posts.len(),
        missing_methods(&scenario.users),
        "one POST per missing method"
    );
    assert!(posts.values().all(|n| *n == 1), "{posts:?}");
}

/// Asserts that every user of [`hr_file_of`]`(users)` without a method of a kind got the file's
/// value, and kept the one it had otherwise (as the simulator holds them).
pub async fn assert_seeded_from_the_file(sim: &TestSim, users: &[UserSpec]) {
    for (i, user) in users.iter().enumerate() {
        let (phones, email) = methods_of(sim, &user.upn).await;
        let want_mobile = user
            .methods
            .mobile
            .clone()
            .unwrap_or_else(|| format!("+61 412{:03}{:03}", i / 1000, i % 1000));
        assert_eq!(phones.get("mobile"), Some(&want_mobile), "{}", user.upn);
        let want_email = user
            .methods
            .email
            .clone()
            .unwrap_or(format!("p{i}@example.org"));
        assert_eq!(email.as_ref(), Some(&want_email), "{}", user.upn);
    }
}

/// How many methods [`hr_file_of`]`(users)` creates: a mobile and an email for each user
/// without one.
pub fn missing_methods(users: &[UserSpec]) -> usize {
    users
        .iter()
        .map(|u| usize::from(u.methods.mobile.is_none()) + usize::from(u.methods.email.is_none()))
        .sum()
}
