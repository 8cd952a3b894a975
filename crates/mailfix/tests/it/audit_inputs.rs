//! `mailfix audit` on bad input (the rows of TESTING.md's "audit" section): each is refused with a
//! clear message and the right exit code before the audit log is read, or, for malformed records
//! of a download, left out with a warning while the others are used.

use std::process::Output;

use mailfix_sim::scenario::small;
use serde_json::Value;

use crate::support::{TestSim, run, stderr, write};

async fn audit(sim: &TestSim, args: &[&str]) -> Output {
    run(sim.mailfix().arg("audit").args(args).args(["-o", "json"])).await
}

/// Requests the simulator served other than sign-in.
fn service_requests(sim: &TestSim) -> usize {
    sim.sim
        .state
        .log
        .since(0)
        .iter()
        .filter(|e| e.path.starts_with("/v1.0"))
        .count()
}

fn assert_usage(out: &Output, message: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    assert!(
        stderr(out).contains(message),
        "wanted '{message}' in:\n{}",
        stderr(out)
    );
    assert!(out.stdout.is_empty(), "no data on a usage error");
}

#[tokio::test]
async fn bad_periods_are_usage_errors_before_any_request() {
    let sim = TestSim::start(small(3)).await;
    let cases: [(&[&str], &str); 5] = [
        (&["--since", "2 weeks"], "--since '2 weeks' is invalid"),
        (&["--since", "14"], "has no unit"),
        (&["--from", "last tuesday"], "'last tuesday' is not a time"),
        (
            &["--from", "2024-05-10", "--to", "2024-05-01"],
            "is after --to",
        ),
        (&["--since", "1d", "--to", "2000-01-01"], "is after --to"),
    ];
    for (args, message) in cases {
        assert_usage(&audit(&sim, args).await, message);
    }
    let out = audit(&sim, &["--since", "1d", "--from", "2024-05-01"]).await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap refuses --since with --from"
    );
    assert_eq!(service_requests(&sim), 0);
}

#[tokio::test]
async fn unreadable_and_foreign_files_are_refused_before_any_request() {
    let sim = TestSim::start(small(3)).await;
    let missing = sim.path("missing.json");
    let out = audit(&sim, &["--from-file", missing.to_str().unwrap()]).await;
    assert_usage(&out, "cannot use the audit file");
    assert!(
        stderr(&out).contains("cannot read the audit file"),
        "{}",
        stderr(&out)
    );

    let notes = sim.path("notes.txt");
    write(&notes, "Audit notes from Monday\nnothing to see\n");
    let out = audit(&sim, &["--from-file", notes.to_str().unwrap()]).await;
    assert_usage(&out, "not an audit log download");
    assert!(
        stderr(&out).contains("hint: download the log"),
        "{}",
        stderr(&out)
    );

    let sheet = sim.path("audit.xlsx");
    std::fs::write(&sheet, b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00").unwrap();
    assert_usage(
        &audit(&sim, &["--from-file", sheet.to_str().unwrap()]).await,
        "binary content",
    );

    let broken = sim.path("broken.json");
    write(&broken, "[{\"id\": \"a\", ");
    assert_usage(
        &audit(&sim, &["--from-file", broken.to_str().unwrap()]).await,
        "not an audit log JSON download",
    );
    assert_eq!(service_requests(&sim), 0);
}

const HEADER: &str = "Date (UTC),Service,Activity,Result,ResultReason,ActorType,ActorObjectId,ActorUserPrincipalName,Target1Type,Target1ObjectId,Target1UserPrincipalName";

#[tokio::test]
async fn malformed_rows_are_left_out_with_a_warning_and_the_rest_is_used() {
    let sim = TestSim::start(small(3)).await;
    let upn = {
        let tenant = sim.sim.state.read_tenant();
        tenant.users[0].user_principal_name.clone()
    };
    let row = |date: &str, result: &str| {
        format!(
            "{date},Authentication Methods,User registered all required security info,{result},,User,,{upn},User,,{upn}"
        )
    };
    let csv = format!(
        "{HEADER}\n{}\n{}\n2024-05-03T09:00:00Z,Authentication Methods\n{}\n",
        row("2024-05-01T08:00:00Z", "Failure"),
        row("the day before", "Failure"),
        row("2024-05-04T08:00:00Z", "Success"),
    );
    let file = sim.path("export.csv");
    write(&file, &csv);
    let out = audit(&sim, &["--from-file", file.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("record 3 left out: unreadable date 'the day before'"),
        "{err}"
    );
    assert!(err.contains("record 4 left out: too few fields"), "{err}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["problems"].as_array().map(Vec::len), Some(2));
    assert_eq!(report["events"], 2);
    assert_eq!(report["users"][0]["class"], "recovered", "{report}");

    write(&file, &format!("{HEADER}\n{}\n", row("soon", "Failure")));
    assert_usage(
        &audit(&sim, &["--from-file", file.to_str().unwrap()]).await,
        "none of the 1 records of the audit file could be read",
    );
}

#[tokio::test]
async fn an_unknown_group_fails_before_the_audit_log_is_read() {
    let sim = TestSim::start(small(3)).await;
    let out = audit(&sim, &["--group", "No Such Team"]).await;
    assert_usage(&out, "no group named or with id 'No Such Team'");
    let audit_reads = sim
        .sim
        .state
        .log
        .since(0)
        .iter()
        .filter(|e| e.path.contains("/auditLogs/"))
        .count();
    assert_eq!(audit_reads, 0, "the scope is resolved first");
}

#[tokio::test]
async fn a_failing_users_file_that_cannot_be_written_fails_before_any_request() {
    let sim = TestSim::start(small(3)).await;
    let path = sim.path("no/such/dir/failing.txt");
    let out = audit(
        &sim,
        &[
            "--since",
            "15d",
            "--failing-users-file",
            path.to_str().unwrap(),
        ],
    )
    .await;
    assert_usage(&out, "cannot write");
    assert_eq!(service_requests(&sim), 0);
}

#[tokio::test]
async fn a_reports_window_of_zero_is_a_usage_error() {
    let sim = TestSim::start(small(3)).await;
    let out = run(sim
        .mailfix()
        .env("MAILFIX_REPORTS_WINDOW", "0s")
        .args(["audit", "-o", "json"]))
    .await;
    assert_usage(&out, "must be above zero");
}
