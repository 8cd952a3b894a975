//! `mailfix seed` on bad input (TESTING.md, section "seed"): each refused with exit 2 and a message
//! that names the problem, before any request when the file or the flags are at fault.

use crate::seed::{hr_tenant, log_mark, read_report, seed, seed_au, service_requests, writes};
use crate::support::{TestSim, stderr, write};

const GOOD: &str = "upn,mobile\nanna@contoso.com,0412 345 678\n";

/// A case: the file's bytes (none: no file), the flags, and what stderr must say.
struct Case {
    name: &'static str,
    file: Option<&'static [u8]>,
    args: &'static [&'static str],
    says: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "missing file",
        file: None,
        args: &[],
        says: &["cannot read the HR file", "No such file"],
    },
    Case {
        name: "not UTF-8 (a Latin-1 export)",
        file: Some(b"upn,mobile\nj\xf6rg@contoso.com,0412 345 678\n"),
        args: &[],
        says: &["not UTF-8", "CSV UTF-8"],
    },
    Case {
        name: "empty file",
        file: Some(b""),
        args: &[],
        says: &["empty; it needs a header row"],
    },
    Case {
        name: "no user column",
        file: Some(b"name,mobile\nAnna,0412 345 678\n"),
        args: &[],
        says: &["no user column", "--map upn=COLUMN"],
    },
    Case {
        name: "a pipe-delimited file",
        file: Some(b"UPN|Mobile|PersonalEmail\nanna@contoso.com|0412 345 678|a@b.com\n"),
        args: &[],
        says: &[
            "none of the headers (UPN|Mobile|PersonalEmail)",
            "--delimiter '|'",
        ],
    },
    Case {
        name: "nothing to seed",
        file: Some(b"upn,name\nanna@contoso.com,Anna\n"),
        args: &[],
        says: &["nothing to seed"],
    },
    Case {
        name: "--map without FIELD=COLUMN",
        file: Some(GOOD.as_bytes()),
        args: &["--map", "upn"],
        says: &["--map 'upn'", "FIELD=COLUMN"],
    },
    Case {
        name: "--map with an unknown field",
        file: Some(GOOD.as_bytes()),
        args: &["--map", "phone=Mobile"],
        says: &["FIELD one of upn, mobile, alternate_mobile, email"],
    },
    Case {
        name: "--map naming a column the file lacks",
        file: Some(GOOD.as_bytes()),
        args: &["--map", "mobile=Cell"],
        says: &["--map mobile=Cell: no such column", "upn, mobile"],
    },
    Case {
        name: "unknown --default-region",
        file: Some(GOOD.as_bytes()),
        args: &["--default-region", "XX"],
        says: &["unknown region 'XX'"],
    },
    Case {
        name: "--delimiter of two characters",
        file: Some(GOOD.as_bytes()),
        args: &["--delimiter", ";;"],
        says: &["--delimiter ';;'"],
    },
    Case {
        name: "--concurrency 0",
        file: Some(GOOD.as_bytes()),
        args: &["--concurrency", "0"],
        says: &["--concurrency must be at least 1"],
    },
    Case {
        name: "--resume with flags that the run recorded",
        file: Some(GOOD.as_bytes()),
        args: &["--resume", "--update"],
        says: &["cannot be used with"],
    },
    Case {
        name: "--resume with a malformed run id",
        file: Some(GOOD.as_bytes()),
        args: &["--resume", "run-1"],
        says: &["not a run id"],
    },
];

#[tokio::test]
async fn bad_files_and_flags_are_refused_before_any_request() {
    let sim = TestSim::start(hr_tenant()).await;
    for case in CASES {
        let file = sim.path("case.csv");
        let _ = std::fs::remove_file(&file);
        if let Some(bytes) = case.file {
            std::fs::write(&file, bytes).unwrap();
        }
        let mut args = vec![file.to_str().unwrap(), "--yes"];
        args.extend_from_slice(case.args);
        let mark = log_mark(&sim).await;
        let out = seed(&sim, &args).await;
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{}: {err}", case.name);
        for text in case.says {
            assert!(
                err.contains(text),
                "{}: wanted {text:?} in {err}",
                case.name
            );
        }
        assert!(
            service_requests(&sim, mark).await.is_empty(),
            "{}: requests were made",
            case.name
        );
    }
}

#[tokio::test]
async fn no_file_without_resume_and_nothing_to_resume_are_usage_errors() {
    let sim = TestSim::start(hr_tenant()).await;
    let out = seed(&sim, &["--yes"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("<FILE>"), "{}", stderr(&out));
    let out = seed(&sim, &["--resume", "--yes"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no unfinished seed run in the journal"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn a_plan_larger_than_max_changes_is_refused_without_writing() {
    let sim = TestSim::start(hr_tenant()).await;
    let file = sim.path("hr.csv");
    write(&file, crate::seed::MESSY);
    let mark = log_mark(&sim).await;
    for dry_run in [&[][..], &["--dry-run"]] {
        let out = seed_au(
            &sim,
            &file,
            &[&["--max-changes", "3"][..], dry_run].concat(),
        )
        .await;
        assert_eq!(out.status.code(), Some(2), "{dry_run:?}");
        let err = stderr(&out);
        assert!(err.contains("more than --max-changes 3"), "{err}");
        assert!(
            crate::support::stdout(&out).is_empty(),
            "{dry_run:?}: a refused plan prints no report"
        );
    }
    assert!(writes(&service_requests(&sim, mark).await).is_empty());
}

#[tokio::test]
async fn invalid_rows_are_reported_per_line_and_the_others_applied() {
    let sim = TestSim::start(hr_tenant()).await;
    let file = sim.path("hr.csv");
    write(
        &file,
        "upn,mobile,personal_email\nanna@contoso.com,0412 345 678,anna@gmail.com\nbo@contoso.com,,not-an-address\n",
    );
    let report = sim.path("report.csv");
    let out = seed(
        &sim,
        &[
            file.to_str().unwrap(),
            "--yes",
            "--report",
            report.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "plan: 2 rows; 1 method to create, 0 to update, 0 already registered; 2 rows cannot \
             be applied in full (2 invalid or blocked values, 0 conflicts)"
        ),
        "{}",
        stderr(&out)
    );
    let rows = read_report(&report);
    assert_eq!(rows[&2][2], "partial", "a national number needs a region");
    assert!(rows[&2][3].contains("--default-region"), "{:?}", rows[&2]);
    assert_eq!(rows[&3][2], "invalid");
    assert!(
        rows[&3][3].contains("'not-an-address' is not a valid email address"),
        "{:?}",
        rows[&3]
    );
    let (_, email) = crate::seed::methods_of(&sim, "anna@contoso.com").await;
    assert_eq!(
        email.as_deref(),
        Some("anna@gmail.com"),
        "the good value is applied"
    );
}

#[tokio::test]
async fn an_app_without_the_methods_permission_fails_with_a_hint() {
    let sim = TestSim::start(hr_tenant()).await;
    let info = &sim.sim.info;
    let file = sim.path("hr.csv");
    write(&file, GOOD);
    let mut cmd = sim.mailfix_as(
        info.limited_client_id.as_deref().unwrap(),
        info.limited_client_secret.as_deref().unwrap(),
    );
    let out = crate::support::run(cmd.args([
        "seed",
        file.to_str().unwrap(),
        "--default-region",
        "AU",
        "--yes",
    ]))
    .await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("403"), "{err}");
    assert!(
        err.contains("hint: the app needs the Microsoft Graph application permission UserAuthenticationMethod.ReadWrite.All"),
        "seed writes methods: the hint names the write permission: {err}"
    );
}
