//! `mailfix seed` through the binary against the simulator: a messy HR export row by row (checked
//! by reading the methods back from the simulator), dry run and rerun without writes, `--update`,
//! confirmation, the bad inputs of TESTING.md, interruption and resume.

use std::collections::BTreeMap;
use std::process::Output;

use mailfix_sim::scenario::{MailboxSpec, MethodsSpec, Scenario, UserSpec};
use serde_json::Value;

use crate::support::{TestSim, run, stderr, stdout, write};

/// The HR export of the acceptance test: a BOM, a quoted name with a comma, AU national and AU/US/GB
/// international numbers, an invalid number, an extension, an unknown user, a duplicate user, the
/// same and a different registered mobile, a tenant-domain email, a blank line, an alternate mobile
/// with and without a mobile, a row without values and one without a user.
pub const MESSY: &str = "\u{feff}Employee ID,Name,UPN,Mobile Phone,Alternate Mobile,Personal Email
1001,\"Berg, Anna\",anna@contoso.com,0412 345 678,,anna.berg@gmail.com
1002,Bo Chen,bo@contoso.com,+61 413 222 333,,bo.chen@outlook.com
1003,Cara Diaz,cara@contoso.com,0412 111 222,,cara@contoso.com
1004,Dana Levi,dana@contoso.com,\"+1 (206) 555-0101 ext. 7\",,

1005,\"Evans, Eli\",eli@contoso.com,12345,,eli@yahoo.com
1006,Fay Wong,  fay@contoso.com ,+1 206 555 0102,,fay@gmail.com
1007,Ghost,ghost@contoso.com,0412 999 888,,
1008,\"Berg, Anna\",ANNA@contoso.com,0499 999 999,,anna2@gmail.com
1009,Hal,hal@contoso.com,0498 765 432,+44 7400 123456,
1010,Ivy,ivy@contoso.com,,+44 7400 123457,
1011,Jo,jo@contoso.com,,,
1012,,,0412 000 000,,
";

/// Line → (result, what the reason must mention) for [`MESSY`] without `--update`.
pub fn messy_expected() -> BTreeMap<u64, (&'static str, &'static str)> {
    BTreeMap::from([
        (2, ("done", "")),
        (3, ("done", "")),
        (4, ("conflict", "tenant's own domain")),
        (5, ("done", "")),
        (7, ("partial", "'12345'")),
        (8, ("partial", "fay.old@gmail.com is registered")),
        (9, ("unknown-user", "no user 'ghost@contoso.com'")),
        (10, ("duplicate", "duplicate of line 2")),
        (11, ("done", "")),
        (12, ("invalid", "needs a mobile phone method first")),
        (13, ("empty", "")),
        (14, ("invalid", "no user")),
    ])
}

fn member(local: &str, methods: MethodsSpec) -> UserSpec {
    let upn = format!("{local}@contoso.com");
    UserSpec {
        upn: upn.clone(),
        display_name: local.to_owned(),
        mail: Some(upn),
        mailbox: Some(MailboxSpec::default()),
        methods,
        label: "seed".to_owned(),
        ..UserSpec::default()
    }
}

/// `small`'s tenant and apps with the users of [`MESSY`] and known methods.
pub fn hr_tenant() -> Scenario {
    let mut scenario = mailfix_sim::scenario::small(7);
    let mobile = |n: &str| MethodsSpec {
        mobile: Some(n.to_owned()),
        ..MethodsSpec::default()
    };
    scenario.users = vec![
        member("anna", MethodsSpec::default()),
        member("bo", mobile("+61 413222333")),
        member("cara", mobile("+61 400000000")),
        member("dana", MethodsSpec::default()),
        member("eli", MethodsSpec::default()),
        member(
            "fay",
            MethodsSpec {
                email: Some("fay.old@gmail.com".into()),
                ..MethodsSpec::default()
            },
        ),
        member("hal", MethodsSpec::default()),
        member("ivy", MethodsSpec::default()),
        member("jo", MethodsSpec::default()),
    ];
    scenario.groups.clear();
    scenario.others.clear();
    scenario.audits.clear();
    scenario
}

/// Runs `mailfix seed ARGS`.
pub async fn seed(sim: &TestSim, args: &[&str]) -> Output {
    run(sim.mailfix().arg("seed").args(args)).await
}

/// Runs `mailfix seed FILE --default-region AU --yes EXTRA`.
pub async fn seed_au(sim: &TestSim, file: &std::path::Path, extra: &[&str]) -> Output {
    let mut args = vec![file.to_str().unwrap(), "--default-region", "AU", "--yes"];
    args.extend_from_slice(extra);
    seed(sim, &args).await
}

/// The last request-log sequence number.
pub async fn log_mark(sim: &TestSim) -> u64 {
    let log = sim.control_get("/_sim/requests").await;
    log.as_array()
        .and_then(|l| l.last())
        .and_then(|e| e["seq"].as_u64())
        .unwrap_or(0)
}

/// Graph and Exchange requests after `mark` (sign-in and control plane left out).
pub async fn service_requests(sim: &TestSim, mark: u64) -> Vec<Value> {
    let log = sim
        .control_get(&format!("/_sim/requests?after={mark}"))
        .await;
    log.as_array()
        .unwrap()
        .iter()
        .filter(|e| matches!(e["service"].as_str(), Some("graph" | "exo")))
        .cloned()
        .collect()
}

/// Writes among requests.
pub fn writes(entries: &[Value]) -> Vec<&Value> {
    entries.iter().filter(|e| e["write"] == true).collect()
}

/// `(phones by type, email)` as the simulator holds them.
pub async fn methods_of(sim: &TestSim, upn: &str) -> (BTreeMap<String, String>, Option<String>) {
    let key = upn.replace('#', "%23");
    let user = sim.control_get(&format!("/_sim/users/{key}")).await;
    let methods = &user["methods"];
    let phones = methods["phones"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["phoneType"].as_str().unwrap().to_owned(),
                p["phoneNumber"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (phones, methods["email"].as_str().map(str::to_owned))
}

pub fn phones(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(t, n)| ((*t).to_owned(), (*n).to_owned()))
        .collect()
}

/// The `--report` CSV as (line → (user, action, result, reason)).
pub fn read_report(path: &std::path::Path) -> BTreeMap<u64, [String; 4]> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["line", "user", "action", "result", "reason"]
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let field = |i: usize| r.get(i).unwrap().to_owned();
            (
                field(0).parse().unwrap(),
                [field(1), field(2), field(3), field(4)],
            )
        })
        .collect()
}

#[tokio::test]
async fn messy_hr_export_gives_every_row_its_outcome_in_the_tenant_and_the_report() {
    let sim = TestSim::start(hr_tenant()).await;
    let file = sim.path("hr.csv");
    write(&file, MESSY);
    let report = sim.path("out.csv");
    let args = [
        file.to_str().unwrap(),
        "--default-region",
        "AU",
        "--yes",
        "--report",
        report.to_str().unwrap(),
    ];
    let out = seed(&sim, &args).await;
    assert_eq!(
        out.status.code(),
        Some(4),
        "rows not done: {}",
        stderr(&out)
    );

    let rows = read_report(&report);
    let expected = messy_expected();
    assert_eq!(
        rows.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "one report line per input row"
    );
    for (line, (result, reason)) in &expected {
        let [_, _, got_result, got_reason] = &rows[line];
        assert_eq!(
            got_result.as_str(),
            *result,
            "line {line}: {:?}",
            rows[line]
        );
        assert!(got_reason.contains(reason), "line {line}: {:?}", rows[line]);
    }
    assert_eq!(rows[&2][1], "mobile:create; email:create");
    assert_eq!(rows[&3][1], "mobile:skip; email:create");
    assert_eq!(rows[&8][0], "fay@contoso.com", "whitespace trimmed");

    // What the tenant holds now.
    let au = |n| phones(&[("mobile", n)]);
    assert_eq!(
        methods_of(&sim, "anna@contoso.com").await,
        (au("+61 412345678"), Some("anna.berg@gmail.com".into()))
    );
    assert_eq!(
        methods_of(&sim, "bo@contoso.com").await,
        (au("+61 413222333"), Some("bo.chen@outlook.com".into()))
    );
    assert_eq!(
        methods_of(&sim, "cara@contoso.com").await,
        (au("+61 400000000"), None),
        "a conflict changes nothing"
    );
    assert_eq!(
        methods_of(&sim, "dana@contoso.com").await,
        (phones(&[("mobile", "+1 2065550101x7")]), None)
    );
    assert_eq!(
        methods_of(&sim, "eli@contoso.com").await,
        (phones(&[]), Some("eli@yahoo.com".into()))
    );
    assert_eq!(
        methods_of(&sim, "fay@contoso.com").await,
        (
            phones(&[("mobile", "+1 2065550102")]),
            Some("fay.old@gmail.com".into())
        )
    );
    assert_eq!(
        methods_of(&sim, "hal@contoso.com").await,
        (
            phones(&[
                ("alternateMobile", "+44 7400123456"),
                ("mobile", "+61 498765432")
            ]),
            None
        )
    );
    for untouched in ["ivy@contoso.com", "jo@contoso.com"] {
        assert_eq!(methods_of(&sim, untouched).await, (phones(&[]), None));
    }
}

#[tokio::test]
async fn dry_run_writes_nothing_and_a_rerun_after_success_writes_nothing() {
    let sim = TestSim::start(hr_tenant()).await;
    let file = sim.path("hr.csv");
    write(&file, MESSY);
    let path = file.to_str().unwrap();

    let mark = log_mark(&sim).await;
    let out = seed(
        &sim,
        &[path, "--default-region", "AU", "--dry-run", "-o", "json"],
    )
    .await;
    assert_eq!(out.status.code(), Some(4), "rows that would not be done");
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["dry_run"], true);
    assert_eq!(doc["run"], Value::Null);
    let requests = service_requests(&sim, mark).await;
    assert!(
        writes(&requests).is_empty(),
        "dry run wrote: {:?}",
        writes(&requests)
    );
    let anna = &doc["rows"][0];
    assert_eq!(anna["result"], "planned");
    assert_eq!(anna["methods"][0]["outcome"], "would-create");
    assert_eq!(anna["methods"][0]["value"], "+61 412345678");
    assert_eq!(
        methods_of(&sim, "anna@contoso.com").await,
        (phones(&[]), None)
    );

    let first = seed(&sim, &[path, "--default-region", "AU", "--yes"]).await;
    assert_eq!(first.status.code(), Some(4), "{}", stderr(&first));
    let mark = log_mark(&sim).await;
    let again = seed(
        &sim,
        &[path, "--default-region", "AU", "--yes", "-o", "json"],
    )
    .await;
    assert_eq!(
        again.status.code(),
        Some(4),
        "the same rows are still not done"
    );
    let requests = service_requests(&sim, mark).await;
    assert!(
        writes(&requests).is_empty(),
        "rerun wrote: {:?}",
        writes(&requests)
    );
    let doc: Value = serde_json::from_str(&stdout(&again)).unwrap();
    assert_eq!(
        doc["run"],
        Value::Null,
        "no run is journaled without writes"
    );
    assert_eq!(doc["summary"]["created"], 0);
    assert_eq!(doc["rows"][0]["result"], "unchanged");
}
