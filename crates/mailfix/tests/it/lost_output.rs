//! Output that cannot be written is an error (exit 1, with a message), never a silent success;
//! only a closed pipe (`mailfix scan | head`) ends quietly.

use std::process::{Output, Stdio};

use mailfix_sim::scenario;

use crate::support::{RUN_LIMIT, TestSim, stderr, write};

/// Runs a prepared command with its stdout as set, stderr captured; killed after [`RUN_LIMIT`].
async fn finish(cmd: &mut tokio::process::Command) -> Output {
    let child = cmd.stderr(Stdio::piped()).spawn().unwrap();
    tokio::time::timeout(RUN_LIMIT, child.wait_with_output())
        .await
        .expect("the command ends")
        .unwrap()
}

/// The commands that print data.
fn commands(sim: &TestSim) -> Vec<Vec<String>> {
    let hr = sim.path("hr.csv");
    let first = scenario::small(3).users[0].upn.clone();
    write(&hr, &format!("upn,mobile\n{first},+61 412 345 678\n"));
    let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    vec![
        args(&["runs", "-o", "json"]),
        args(&["scan", "--all-users", "-o", "json"]),
        args(&["audit", "-o", "json"]),
        args(&["fix", "--group", "All Staff", "--dry-run", "-o", "json"]),
        args(&["seed", hr.to_str().unwrap(), "--dry-run", "-o", "json"]),
    ]
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_full_disk_on_stdout_is_an_error_for_every_command() {
    let sim = TestSim::start(scenario::small(3)).await;
    for args in commands(&sim) {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let mut cmd = sim.mailfix();
        cmd.args(&args).stdout(Stdio::from(full));
        let out = finish(&mut cmd).await;
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("error: cannot write the output to stdout"),
            "{args:?}: {err}"
        );
        assert!(err.contains("No space left on device"), "{args:?}: {err}");
        assert!(err.contains("hint: "), "{args:?}: {err}");
    }
}

#[tokio::test]
async fn a_closed_pipe_ends_quietly_with_the_commands_own_exit_code() {
    let sim = TestSim::start(scenario::small(3)).await;
    for args in commands(&sim) {
        let read = finish(sim.mailfix().args(&args).stdout(Stdio::piped())).await;
        assert!(!read.stdout.is_empty(), "{args:?} prints data");
        let mut cmd = sim.mailfix();
        cmd.args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        // The reader goes away before anything is written (as `| head -0` would).
        drop(child.stdout.take());
        let out = tokio::time::timeout(RUN_LIMIT, child.wait_with_output())
            .await
            .expect("the command ends")
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), read.status.code(), "{args:?}: {err}");
        assert!(!err.contains("error:"), "{args:?}: {err}");
    }
}
