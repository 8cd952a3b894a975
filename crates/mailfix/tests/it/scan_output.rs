//! `mailfix scan` output formats as snapshots (one user of each scenario label, plus one that does
//! not exist), and the exit codes of `--fail-on`.

use mailfix_sim::scenario::{self, Scenario, all_users};

use crate::support::{TestSim, run, stderr, stdout, write};

/// Object ids and the scratch directory are generated; everything else in the output is stable
/// for a seed.
fn snapshot(name: &str, text: &str) {
    insta::with_settings!({
        filters => vec![
            (r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "[ID]"),
            (r#""source": "[^"]*users\.txt""#, r#""source": "[USERS]""#),
        ],
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

/// The first user of each label, in the scenario's order.
fn one_of_each(scenario: &Scenario) -> Vec<String> {
    let mut labels = Vec::new();
    let mut upns = Vec::new();
    for user in all_users(scenario) {
        if !labels.contains(&user.label) {
            labels.push(user.label.clone());
            upns.push(user.upn.clone());
        }
    }
    assert_eq!(labels.len(), 10, "{labels:?}");
    upns
}

fn first_with(scenario: &Scenario, label: &str) -> String {
    all_users(scenario)
        .find(|u| u.label == label)
        .unwrap()
        .upn
        .clone()
}

#[tokio::test]
async fn every_format_of_one_user_per_label() {
    let scenario = scenario::small(4);
    let mut lines = one_of_each(&scenario);
    lines.push("nobody@contoso.com".to_owned());
    let sim = TestSim::start(scenario).await;
    let file = sim.path("users.txt");
    write(&file, &format!("# one per label\n{}\n", lines.join("\n")));
    for format in ["table", "json", "ndjson", "csv"] {
        let mut cmd = sim.mailfix();
        cmd.arg("scan")
            .arg("--users-file")
            .arg(&file)
            .args(["-o", format]);
        let out = run(&mut cmd).await;
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        assert_eq!(
            stderr(&out),
            "warning: 'nobody@contoso.com' (USERS line 12): no such user in the directory\n\
             warning: 1 named user was not found: they were not scanned\n"
                .replace("USERS", &file.display().to_string()),
            "off a terminal nothing but data, and the user that does not exist"
        );
        snapshot(&format!("scan_{format}"), &stdout(&out));
    }
}

#[tokio::test]
async fn fail_on_sets_the_threshold_of_exit_3() {
    let scenario = scenario::small(4);
    let warning_only = first_with(&scenario, "mail-not-primary");
    let healthy = first_with(&scenario, "healthy");
    let error = first_with(&scenario, "empty-mail");
    let sim = TestSim::start(scenario).await;
    let cases = [
        (&warning_only, "error", 0),
        (&warning_only, "warning", 3),
        (&error, "error", 3),
        (&error, "never", 0),
        (&healthy, "warning", 0),
    ];
    for (user, fail_on, code) in cases {
        let mut cmd = sim.mailfix();
        cmd.args(["scan", "--user", user, "--fail-on", fail_on, "-o", "json"]);
        let out = run(&mut cmd).await;
        assert_eq!(out.status.code(), Some(code), "{user} --fail-on {fail_on}");
    }
}
