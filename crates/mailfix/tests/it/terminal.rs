//! `mailfix` on a terminal, run under a pseudo-terminal of a chosen size (util-linux `script`):
//! tables fit the width (`COLUMNS`, else the terminal's, else 100 for a 0×0 terminal such as
//! `docker exec -t` gives) and never split a UPN or a command; a "no" at the confirmation prompt
//! exits 2 and writes nothing.
#![cfg(target_os = "linux")]

use std::collections::HashSet;
use std::process::{Output, Stdio};

use mailfix_sim::scenario::small;
use serde_json::json;
use tokio::io::AsyncWriteExt as _;

use crate::support::{RUN_LIMIT, TestSim, run, stderr, stdout, write};
use crate::tenant::{first_labelled, json_out, writes};

/// `cmd` (a prepared `mailfix` command) run under `script` on a `cols`×`rows` terminal, with
/// `input` typed into it; stdout and stderr both arrive on stdout, as on a terminal.
async fn on_terminal(cmd: &tokio::process::Command, size: (u16, u16), input: &str) -> Output {
    let std = cmd.as_std();
    let mut line = format!("stty cols {} rows {}; exec", size.0, size.1);
    for word in std::iter::once(std.get_program()).chain(std.get_args()) {
        let word = word.to_string_lossy().replace('\'', r"'\''");
        line.push_str(&format!(" '{word}'"));
    }
    let mut script = tokio::process::Command::new("script");
    script.env_clear();
    for (key, value) in std.get_envs() {
        if let Some(value) = value {
            script.env(key, value);
        }
    }
    script
        .args(["--quiet", "--return", "--command", &line, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = script.spawn().expect("util-linux script is installed");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).await.unwrap();
    let out = tokio::time::timeout(RUN_LIMIT, child.wait_with_output())
        .await
        .expect("the command ends on the terminal")
        .unwrap();
    drop(stdin);
    out
}

/// The lines of a table drawn on the terminal (they hold its borders).
fn table_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| l.contains('│') || l.contains('┆') || l.starts_with('┌') || l.starts_with('└'))
        .collect()
}

fn widest(lines: &[&str]) -> usize {
    lines.iter().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// The UPNs a command's JSON output names under `list` (`findings` / `users`, key `upn` or
/// `user.upn`); of audit's users only the failing ones (its table lists those).
async fn upns_of(sim: &TestSim, args: &[&str], list: &str) -> HashSet<String> {
    let out = run(sim.mailfix().args(args).args(["-o", "json"])).await;
    json_out(&out)[list]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i.get("class").is_none_or(|c| c == "failing"))
        .filter_map(|i| i["upn"].as_str().or(i["user"]["upn"].as_str()))
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn tables_fit_the_terminal_and_never_split_a_upn_or_a_command() {
    let scenario = small(81);
    let sim = TestSim::start_with(scenario.clone(), |o| o.time_scale = 100.0).await;
    let everyone: HashSet<String> = scenario.users.iter().map(|u| u.upn.clone()).collect();
    let scanned = upns_of(&sim, &["scan", "--all-users"], "findings").await;
    let failing = upns_of(&sim, &["audit"], "users").await;
    assert!(!scanned.is_empty() && !failing.is_empty());

    for (size, columns, width) in [
        ((0, 0), None, 100),
        ((80, 24), None, 80),
        ((0, 0), Some("140"), 140),
    ] {
        for (args, shown) in [
            (&["scan", "--all-users"][..], &scanned),
            (&["audit"], &failing),
        ] {
            let mut cmd = sim.mailfix();
            cmd.args(args);
            if let Some(columns) = columns {
                cmd.env("COLUMNS", columns);
            }
            let out = on_terminal(&cmd, size, "").await;
            let text = stdout(&out);
            let lines = table_lines(&text);
            let case = format!("{args:?} on {size:?}, COLUMNS={columns:?}");
            assert!(
                !text.contains("ended after"),
                "{case}: no run line for scan and audit\n{text}"
            );
            // A table, or (when it cannot fit without splitting a word) one block per row.
            let records = text.lines().any(|l| l.starts_with("user:"));
            assert!(
                lines.len() > 5 || records,
                "{case}: a table is drawn\n{text}"
            );
            assert!(
                widest(&lines) <= width,
                "{case}: wider than {width}\n{text}"
            );
            if width >= 100 {
                assert!(
                    widest(&lines) > width * 3 / 4,
                    "{case}: uses the width\n{text}"
                );
            }
            for upn in shown {
                assert!(
                    text.contains(upn.as_str()),
                    "{case}: {upn} is split or missing\n{text}"
                );
            }
            for line in text.lines().filter(|l| l.contains("mailfix fix --user ")) {
                let command = &line[line.find("mailfix fix --user ").unwrap()..];
                let upn = command.split_whitespace().nth(3).unwrap_or_default();
                assert!(
                    everyone.contains(upn),
                    "{case}: a command is split: {line}\n{text}"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_at_the_prompt_exits_2_and_writes_nothing() {
    let scenario = small(82);
    let sim = TestSim::start(scenario.clone()).await;
    sim.control_post("/_sim/unstick", json!({})).await;
    let hr = sim.path("hr.csv");
    let upn = first_labelled(&scenario, "healthy");
    write(&hr, &format!("upn,mobile\n{upn},+61 412 345 678\n"));
    let seed = {
        let mut cmd = sim.mailfix();
        cmd.arg("seed").arg(&hr).arg("--update");
        cmd
    };
    let mut fix = sim.mailfix();
    fix.args(["fix", "--group", "All Staff"]);
    let mut cleanup = sim.mailfix();
    cleanup.args(["cleanup", "--sweep", "--all-users"]);
    for (cmd, question) in [
        (fix, "temporary aliases on"),
        (cleanup, "Remove the temporary aliases of"),
        (seed, "Write 1 authentication method?"),
    ] {
        let out = on_terminal(&cmd, (120, 40), "n\n").await;
        let text = stdout(&out);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{question}\n{text}{}",
            stderr(&out)
        );
        assert!(text.contains(question) && text.contains("[y/N]"), "{text}");
        assert!(
            text.contains("error: declined: nothing was changed"),
            "{text}"
        );
    }
    assert!(writes(&sim).is_empty(), "a declined command wrote nothing");
}
