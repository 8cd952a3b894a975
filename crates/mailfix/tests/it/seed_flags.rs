//! `mailfix seed` flags against the simulator: `--update`, `--delimiter` with national numbers of
//! a second region, and the confirmation that writing needs.

use serde_json::Value;

use crate::seed::{MESSY, hr_tenant, log_mark, methods_of, phones, seed, service_requests, writes};
use crate::support::{TestSim, stderr, stdout, write};

#[tokio::test]
async fn update_replaces_values_that_differ() {
    let sim = TestSim::start(hr_tenant()).await;
    let file = sim.path("hr.csv");
    write(
        &file,
        "upn,mobile,personal_email\ncara@contoso.com,0412 111 222,cara@gmail.com\nfay@contoso.com,,fay@gmail.com\n",
    );
    let mark = log_mark(&sim).await;
    let path = file.to_str().unwrap();
    let out = seed(
        &sim,
        &[
            path,
            "--default-region",
            "AU",
            "--update",
            "--yes",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["rows"][0]["action"], "mobile:update; email:create");
    assert_eq!(doc["rows"][1]["methods"][0]["outcome"], "updated");
    assert_eq!(doc["summary"]["updated"], 2);
    assert_eq!(
        methods_of(&sim, "cara@contoso.com").await,
        (
            phones(&[("mobile", "+61 412111222")]),
            Some("cara@gmail.com".into())
        )
    );
    assert_eq!(
        methods_of(&sim, "fay@contoso.com").await,
        (phones(&[]), Some("fay@gmail.com".into()))
    );
    let methods: Vec<String> = writes(&service_requests(&sim, mark).await)
        .iter()
        .map(|w| w["method"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        methods.iter().filter(|m| *m == "PATCH").count(),
        2,
        "{methods:?}"
    );
}

#[tokio::test]
async fn semicolons_crlf_and_national_numbers_of_a_second_region() {
    let sim = TestSim::start(hr_tenant()).await;
    let file = sim.path("hr.csv");
    write(
        &file,
        "userPrincipalName;mobile;alternate_email\r\nanna@contoso.com;(206) 555-0199;anna@example.org\r\n;;\r\ndana@contoso.com;206-555-0198 x12;\r\n",
    );
    let path = file.to_str().unwrap();
    let out = seed(
        &sim,
        &[path, "--delimiter", ";", "--default-region", "US", "--yes"],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        methods_of(&sim, "anna@contoso.com").await,
        (
            phones(&[("mobile", "+1 2065550199")]),
            Some("anna@example.org".into())
        )
    );
    assert_eq!(
        methods_of(&sim, "dana@contoso.com").await,
        (phones(&[("mobile", "+1 2065550198x12")]), None)
    );
}

#[tokio::test]
async fn without_a_terminal_writing_needs_yes() {
    let sim = TestSim::start(hr_tenant()).await;
    let file = sim.path("hr.csv");
    write(&file, MESSY);
    let mark = log_mark(&sim).await;
    let out = seed(&sim, &[file.to_str().unwrap(), "--default-region", "AU"]).await;
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("without confirmation") && err.contains("--yes"),
        "{err}"
    );
    assert!(writes(&service_requests(&sim, mark).await).is_empty());
}

#[tokio::test]
async fn every_output_format_lists_the_rows() {
    let sim = TestSim::start(hr_tenant()).await;
    let file = sim.path("hr.csv");
    write(&file, MESSY);
    let report = sim.path("report.csv");
    let dry = |format: &'static str| {
        let mut args = vec![
            file.to_str().unwrap(),
            "--default-region",
            "AU",
            "--dry-run",
            "-o",
            format,
        ];
        args.extend(["--report", report.to_str().unwrap()]);
        args
    };
    let csv = seed(&sim, &dry("csv")).await;
    assert_eq!(
        stdout(&csv),
        std::fs::read_to_string(&report).unwrap(),
        "-o csv is the report"
    );
    assert_eq!(
        stdout(&csv).lines().count(),
        1 + 12,
        "a header and one line per row"
    );
    let ndjson = seed(&sim, &dry("ndjson")).await;
    let lines: Vec<Value> = stdout(&ndjson)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 12);
    assert_eq!(lines[1]["line"], 3);
    assert_eq!(lines[1]["methods"][0]["outcome"], "unchanged");
    let table = seed(&sim, &dry("table")).await;
    insta::assert_snapshot!(stdout(&table), @r"
dry run: nothing was written
┌──────┬───────────────────┬──────────────┬───────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┐
│ line ┆ user              ┆ result       ┆ reason                                                                                                                                                                                │
╞══════╪═══════════════════╪══════════════╪═══════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════╡
│ 4    ┆ cara@contoso.com  ┆ conflict     ┆ mobile: +61 400000000 is registered (pass --update to replace it); email: 'cara@contoso.com' is in the tenant's own domain contoso.com; an alternate email must be outside the tenant │
│ 7    ┆ eli@contoso.com   ┆ partial      ┆ mobile: '12345' is not a valid number for +61                                                                                                                                         │
│ 8    ┆ fay@contoso.com   ┆ partial      ┆ email: fay.old@gmail.com is registered (pass --update to replace it)                                                                                                                  │
│ 9    ┆ ghost@contoso.com ┆ unknown-user ┆ no user 'ghost@contoso.com' in the directory                                                                                                                                          │
│ 10   ┆ ANNA@contoso.com  ┆ duplicate    ┆ duplicate of line 2; not applied                                                                                                                                                      │
│ 12   ┆ ivy@contoso.com   ┆ invalid      ┆ alternate-mobile: an alternate mobile needs a mobile phone method first                                                                                                               │
│ 14   ┆                   ┆ invalid      ┆ no user: the user column is empty                                                                                                                                                     │
└──────┴───────────────────┴──────────────┴───────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘
┌──────────────┬──────┐
│ result       ┆ rows │
╞══════════════╪══════╡
│ conflict     ┆ 1    │
│ duplicate    ┆ 1    │
│ empty        ┆ 1    │
│ invalid      ┆ 2    │
│ partial      ┆ 2    │
│ planned      ┆ 4    │
│ unknown-user ┆ 1    │
└──────────────┴──────┘
12 rows; methods: 0 created, 0 updated, 1 already registered, 0 failed
    ");
}

#[tokio::test]
async fn without_exchange_the_users_own_domains_still_refuse_tenant_emails() {
    let mut scenario = hr_tenant();
    scenario.apps.push(mailfix_sim::scenario::AppSpec {
        role: "seeder".into(),
        client_id: Some("5eed5eed-0000-4000-8000-000000000001".into()),
        display_name: "HR seeding".into(),
        secret: Some("seeder-secret".into()),
        secret_credential: true,
        graph_roles: vec![
            "User.Read.All".into(),
            "UserAuthenticationMethod.ReadWrite.All".into(),
        ],
        ..Default::default()
    });
    let sim = TestSim::start(scenario).await;
    let file = sim.path("hr.csv");
    write(
        &file,
        "upn,personal_email\nanna@contoso.com,anna@mail.contoso.com\nbo@contoso.com,bo@example.org\n",
    );
    let mut cmd = sim.mailfix_as("5eed5eed-0000-4000-8000-000000000001", "seeder-secret");
    let out =
        crate::support::run(cmd.args(["seed", file.to_str().unwrap(), "--yes", "-o", "json"]))
            .await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: cannot read the accepted domains from Exchange"),
        "{err}"
    );
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["rows"][0]["result"], "invalid");
    assert_eq!(doc["rows"][1]["result"], "done");
    assert_eq!(methods_of(&sim, "anna@contoso.com").await.1, None);
}
