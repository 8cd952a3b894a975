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
