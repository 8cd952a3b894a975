//! `mailfix sim` as a process: stopped by SIGTERM it cleans up like Ctrl-C (its CA and private
//! keys live in a temporary directory), and it refuses an address other machines can reach unless
//! told to serve them.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, BufReader};

use crate::support::{run, stderr};

fn sim_command(home: &std::path::Path) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_mailfix"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .arg("sim")
        .kill_on_drop(true);
    cmd
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_stops_the_simulator_and_removes_its_keys() {
    let home = tempfile::tempdir().unwrap();
    let info_file = home.path().join("info.json");
    let mut cmd = sim_command(home.path());
    cmd.args(["--listen", "127.0.0.1:0", "--info-file"])
        .arg(&info_file)
        .stdout(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let banner = tokio::time::timeout(Duration::from_secs(60), async {
        let mut text = String::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            text.push_str(&line);
            text.push('\n');
            if line.starts_with("Control plane:") {
                break;
            }
        }
        text
    })
    .await
    .expect("the banner in time");
    assert!(
        banner.contains("export MAILFIX_REPORTS_WINDOW="),
        "{banner}"
    );
    let info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&info_file).unwrap()).unwrap();
    let key = PathBuf::from(info["key_pem"].as_str().unwrap());
    let dir = key.parent().unwrap().to_owned();
    assert!(key.exists() && dir.exists());

    let pid = child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .expect("it stops")
        .unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(!dir.exists(), "{} is left behind", dir.display());
}

#[tokio::test]
async fn an_address_other_machines_reach_needs_allow_remote() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = sim_command(home.path());
    cmd.args(["--listen", "0.0.0.0:0"]);
    let out = run(&mut cmd).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("invalid --listen '0.0.0.0:0'"), "{err}");
    assert!(err.contains("no authentication"), "{err}");
    assert!(err.contains("hint: listen on 127.0.0.1"), "{err}");
    assert!(err.contains("--allow-remote"), "{err}");
}
