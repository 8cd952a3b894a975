//! `mailfix demo` run as a new user runs it: no configuration, no environment. The story's
//! headings come in order, its numbers are the ones the scenario definition implies (never taken
//! from mailfix's own output), and `--keep` leaves a simulator that the printed lines reach.

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::Duration;

use mailfix_sim::scenario::{all_users, small};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::expected::{directory_rules, kept};
use crate::support::{stderr, stdout};

/// A debug build on a loaded machine: generous, and no timing is asserted.
const LIMIT: Duration = Duration::from_secs(600);

/// `mailfix demo ARGS` with an empty environment and a private home.
fn demo(home: &std::path::Path, args: &[&str]) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_mailfix"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .arg("demo")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// What the story must show, from the scenario the demo names in its introduction.
struct Expected {
    /// Users whose registration attempts all failed (each attempt fails while `mail` is empty).
    failing: BTreeSet<String>,
    /// Users scan must find with MF001 (enabled members with a mailbox and no `mail`).
    mf001: BTreeSet<String>,
    /// Users whose write-back the scenario holds back.
    stuck: usize,
}

fn expected(seed: u64) -> Expected {
    let scenario = small(seed);
    let mut out = Expected {
        failing: BTreeSet::new(),
        mf001: BTreeSet::new(),
        stuck: 0,
    };
    for user in all_users(&scenario) {
        let upn = user.upn.to_ascii_lowercase();
        let mail_empty = user.mail.as_deref().is_none_or(str::is_empty);
        if user.registration_attempts > 0 && mail_empty {
            out.failing.insert(upn.clone());
        }
        if kept(&user, false, false) && directory_rules(&user).contains(&"MF001") {
            out.stuck += usize::from(user.label == "stuck");
            out.mf001.insert(upn);
        }
    }
    out
}

/// The seed from "(scenario small, seed N)".
fn seed_of(text: &str) -> u64 {
    let at = text
        .find("(scenario small, seed ")
        .expect("the intro names the seed");
    let rest = &text[at + "(scenario small, seed ".len()..];
    let end = rest.find(')').unwrap();
    rest[..end].parse().unwrap()
}

/// Narration is wrapped at 100 columns: compare with line breaks as spaces.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_tells_the_whole_story_and_ends_as_expected() {
    let home = tempfile::tempdir().unwrap();
    let out = tokio::time::timeout(LIMIT, demo(home.path(), &[]).output())
        .await
        .expect("the demo ends")
        .unwrap();
    let (text, err) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{text}\n{err}");

    let want = expected(seed_of(&text));
    assert!(
        want.stuck > 0,
        "the scenario holds write-backs back: step 4 is told"
    );
    let headings = [
        "mailfix demo",
        "── 1. Who cannot finish registering for SSPR and MFA?",
        "── 2. Which accounts have the defect?",
        "── 3. Repair them",
        "── 4. Finish the late ones",
        "── 5. Check: scan again",
        "── 6. What was done",
        "── 7. The users try again",
        "── 8. New starters keep arriving",
        "Done in ",
    ];
    let mut from = 0;
    for heading in headings {
        let at = text[from..]
            .find(heading)
            .unwrap_or_else(|| panic!("'{heading}' after byte {from}:\n{text}"));
        from += at + heading.len();
    }

    let (failing, fixed) = (want.failing.len(), want.mf001.len());
    let recovered = want.failing.intersection(&want.mf001).count();
    let flat = flat(&text);
    for fact in [
        // audit's own reading of its contingency table, and the story's
        format!("{failing} of {failing} failing users have an empty `mail`"),
        format!("{failing} users keep failing, and all {failing} have an empty `mail`"),
        // scan's summary and the story
        format!("{fixed} users have MF001"),
        // fix --resume's summary: every target fixed
        format!("finished: {fixed} of {fixed} targets fixed"),
        "No MF001 finding is left".to_owned(),
        format!("{recovered} users recovered"),
        format!("{} still failing", failing - recovered),
        format!("scan found {fixed} with MF001; fix repaired all of them"),
        // five new starters, 60 % of them with the defect (the demo's hire request)
        "guard fixed 3 new starters with the defect in one cycle".to_owned(),
    ] {
        assert!(flat.contains(&fact), "'{fact}' in:\n{text}");
    }
    let mf001_summary = text
        .lines()
        .find(|l| l.trim_start().starts_with("MF001 empty-mail"))
        .expect("the first scan's summary counts MF001");
    assert!(
        mf001_summary.ends_with(&format!(" {fixed}")),
        "{mf001_summary}"
    );
    assert_eq!(
        text.lines()
            .filter(|l| l.trim_start().starts_with("MF001 empty-mail"))
            .count(),
        1,
        "the second scan has no MF001 line"
    );
    // Every MF001 user is in the journal's run, verified.
    for upn in &want.mf001 {
        let row = text
            .lines()
            .filter(|l| l.contains(&format!(" {upn} ")))
            .find(|l| l.contains(".mailfix-") && l.contains("verified"));
        assert!(row.is_some(), "runs show lists {upn} as verified");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_keep_serves_the_simulator_until_ctrl_c() {
    let home = tempfile::tempdir().unwrap();
    // stderr to a file: nobody reads it while the simulator serves, and a pipe could fill up.
    let err_file = std::fs::File::create(home.path().join("stderr")).unwrap();
    let mut child = demo(home.path(), &["--keep"])
        .stderr(err_file)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut exports = Vec::new();
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(pair) = line.strip_prefix("export ") {
                let (name, value) = pair.split_once('=').unwrap();
                exports.push((name.to_owned(), value.trim_matches('\'').to_owned()));
            }
            if line.contains("Press Ctrl-C to stop.") {
                return;
            }
        }
        panic!("stdout ended before the connection info");
    };
    tokio::time::timeout(LIMIT, read)
        .await
        .expect("the connection info");
    let names: Vec<&str> = exports.iter().map(|(n, _)| n.as_str()).collect();
    for name in [
        "MAILFIX_TENANT",
        "MAILFIX_CLIENT_ID",
        "MAILFIX_CLIENT_SECRET",
        "MAILFIX_LOGIN_URL",
        "MAILFIX_GRAPH_URL",
        "MAILFIX_EXO_URL",
        "MAILFIX_CA_FILE",
        "MAILFIX_REPORTS_WINDOW",
        "MAILFIX_JOURNAL",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }

    // A new user's next step: the printed lines, then mailfix commands.
    let mailfix = |args: &[&str]| {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_mailfix"));
        cmd.env_clear()
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .envs(exports.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .args(args);
        cmd
    };
    let runs = mailfix(&["-o", "json", "runs"]).output().await.unwrap();
    assert_eq!(runs.status.code(), Some(0), "{}", stderr(&runs));
    let runs: serde_json::Value = serde_json::from_slice(&runs.stdout).unwrap();
    assert_eq!(runs["runs"][0]["command"], "fix", "{runs}");
    assert_eq!(runs["runs"][0]["status"], "finished", "{runs}");
    let scan = mailfix(&["-o", "json", "scan", "--all-users", "--fail-on", "never"])
        .output()
        .await
        .unwrap();
    assert_eq!(scan.status.code(), Some(0), "{}", stderr(&scan));
    let scan: serde_json::Value = serde_json::from_slice(&scan.stdout).unwrap();
    assert!(scan["scanned"].as_u64().unwrap() > 0, "{scan}");
    assert_eq!(scan["summary"]["by_rule"].get("MF001"), None, "{scan}");

    crate::support::interrupt(&child);
    let status = tokio::time::timeout(LIMIT, child.wait())
        .await
        .expect("Ctrl-C stops it")
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let journal = exports
        .iter()
        .find(|(n, _)| n == "MAILFIX_JOURNAL")
        .unwrap();
    assert!(
        !std::path::Path::new(&journal.1).exists(),
        "the temporary journal is gone"
    );
}
