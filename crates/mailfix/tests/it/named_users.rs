//! Users named with `--user` or `--users-file` that the directory does not have are named back:
//! a warning each on stderr (with the users file's line), a `not_found` list in JSON, and `fix` and
//! `cleanup` end with exit 4. Text that cannot name a user is never sent. `--users-file -` reads
//! standard input.

use std::collections::HashSet;
use std::process::Stdio;

use mailfix_sim::scenario::{Scenario, small};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt as _;

use crate::support::{TestSim, run, stderr, stdout, write};
use crate::tenant::{json_out, labelled, requests, writes};

const NOBODY: &str = "nobody@contoso.com";

/// The scenario's users with `label`, lowercase UPNs.
fn with_label(scenario: &Scenario, label: &str) -> Vec<String> {
    let everyone: HashSet<String> = scenario
        .users
        .iter()
        .map(|u| u.upn.to_ascii_lowercase())
        .collect();
    labelled(scenario, &[label], &everyone)
        .into_iter()
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mistyped_user_is_named_and_fix_and_cleanup_end_with_4() {
    let sim = TestSim::start(small(71)).await;
    let expected = json!([{"user": NOBODY, "source": "--user", "reason": "no-such-user"}]);
    let warning = format!("warning: '{NOBODY}' (--user): no such user in the directory");

    let scan = run(sim.mailfix().args(["scan", "--user", NOBODY, "-o", "json"])).await;
    assert_eq!(scan.status.code(), Some(0), "{}", stderr(&scan));
    assert_eq!(json_out(&scan)["not_found"], expected);
    assert!(stderr(&scan).contains(&warning), "{}", stderr(&scan));

    for args in [
        &["fix", "--user", NOBODY, "--yes"][..],
        &["fix", "--user", NOBODY, "--dry-run"],
        &["cleanup", "--sweep", "--user", NOBODY, "--yes"],
        &["cleanup", "--sweep", "--user", NOBODY, "--dry-run"],
    ] {
        let out = run(sim.mailfix().args(args).args(["-o", "json"])).await;
        assert_eq!(out.status.code(), Some(4), "{args:?}: {}", stderr(&out));
        assert_eq!(json_out(&out)["not_found"], expected, "{args:?}");
        let message = stderr(&out);
        assert!(message.contains(&warning), "{args:?}: {message}");
        assert!(message.contains("ends with exit 4"), "{args:?}: {message}");
    }
    assert!(writes(&sim).is_empty(), "nothing was written");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_users_file_names_each_missing_line_and_never_sends_what_is_no_user() {
    let scenario = small(72);
    let sim = TestSim::start(scenario.clone()).await;
    let known = with_label(&scenario, "healthy");
    let file = sim.path("users.txt");
    write(
        &file,
        &format!(
            "# new starters\n{}\n\n{NOBODY}\nnot a user\n{}\nghost\n",
            known[0],
            known[1].to_uppercase()
        ),
    );
    let out = run(sim
        .mailfix()
        .arg("scan")
        .arg("--users-file")
        .arg(&file)
        .args(["-o", "json"]))
    .await;

    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_out(&out);
    assert_eq!(report["scanned"], 2);
    let path = file.display().to_string();
    assert_eq!(
        report["not_found"],
        json!([
            {"user": NOBODY, "source": path, "line": 4, "reason": "no-such-user"},
            {"user": "not a user", "source": path, "line": 5, "reason": "not-a-upn-or-id"},
            {"user": "ghost", "source": path, "line": 7, "reason": "not-a-upn-or-id"},
        ])
    );
    let message = stderr(&out);
    for line in [
        format!("'{NOBODY}' ({path} line 4): no such user in the directory"),
        format!("'not a user' ({path} line 5): not a UPN or object id"),
        format!("'ghost' ({path} line 7): not a UPN or object id"),
        "3 named users were not found".to_owned(),
    ] {
        assert!(message.contains(&line), "{line}\n{message}");
    }
    let asked: Vec<String> = requests(&sim, 0)
        .iter()
        .flat_map(|e| {
            std::iter::once(e.path.clone()).chain(e.batch_items.iter().map(|b| b.url.clone()))
        })
        .collect();
    for never in ["not%20a%20user", "not a user", "/ghost"] {
        assert!(
            !asked.iter().any(|p| p.contains(never)),
            "{never} was sent: {asked:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn users_file_dash_reads_standard_input() {
    let scenario = small(73);
    let sim = TestSim::start(scenario.clone()).await;
    let targets = with_label(&scenario, "empty-mail");
    let list = format!("{}\n{}\n{NOBODY}\n", targets[0], targets[1]);
    let mut child = sim
        .mailfix()
        .args(["fix", "--users-file", "-", "--dry-run", "-o", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(list.as_bytes()).await.unwrap();
    drop(stdin);
    let out = tokio::time::timeout(crate::support::RUN_LIMIT, child.wait_with_output())
        .await
        .expect("fix --users-file - ends")
        .unwrap();

    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let plan: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let planned: Vec<&str> = plan["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["upn"].as_str().unwrap())
        .collect();
    assert_eq!(planned.len(), 2, "{plan}");
    assert_eq!(
        plan["not_found"],
        json!([{"user": NOBODY, "source": "stdin", "line": 3, "reason": "no-such-user"}])
    );
}
