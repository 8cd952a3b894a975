//! Audit classification from the portal's two download formats, which must agree.

use std::collections::HashMap;

use mailfix_engine::UserRef;
use mailfix_engine::audit::{
    AuditClass, AuditFileError, AuditFileFormat, AuditResult, classify, contingency,
    read_audit_csv, read_audit_file, read_audit_json,
};

const JSON: &str = include_str!("../fixtures/audit/portal_export.json");
const CSV: &str = include_str!("../fixtures/audit/portal_export.csv");

fn scope() -> Vec<UserRef> {
    ["a001", "b002", "c003", "d004", "e005", "f006"]
        .iter()
        .zip(["anna", "bo", "cy", "dee", "eve", "fay"])
        .map(|(id, name)| {
            UserRef::new(
                format!("0b6f1a10-0000-4000-8000-00000000{id}"),
                format!("{name}@contoso.com"),
            )
        })
        .collect()
}

#[test]
fn json_and_csv_downloads_give_the_same_events() {
    assert_eq!(
        AuditFileFormat::detect(JSON.as_bytes()),
        AuditFileFormat::Json
    );
    assert_eq!(
        AuditFileFormat::detect(CSV.as_bytes()),
        AuditFileFormat::Csv
    );
    let from_json = read_audit_json(JSON.as_bytes()).unwrap().events;
    let from_csv = read_audit_csv(CSV.as_bytes()).unwrap().events;
    assert_eq!(from_json.len(), 10);
    assert_eq!(from_json, from_csv);
    assert_eq!(read_audit_file(CSV.as_bytes()).unwrap().events, from_csv);

    // Self-service registration names the user as the actor (the target is the method); an admin
    // action names the user as the target.
    let anna_phone = &from_json[1];
    assert_eq!(anna_phone.upn.as_deref(), Some("anna@contoso.com"));
    let admin = from_json.last().unwrap();
    assert_eq!(admin.upn.as_deref(), Some("dee@contoso.com"));
    assert_eq!(
        from_csv[2].result,
        AuditResult::Failure,
        "CSV 'Failure' read case-insensitively"
    );
}

#[test]
fn both_formats_classify_identically_and_read_as_the_defect() {
    let scope = scope();
    let json = classify(
        &read_audit_json(JSON.as_bytes()).unwrap().events,
        Some(&scope),
    );
    let csv = classify(
        &read_audit_csv(CSV.as_bytes()).unwrap().events,
        Some(&scope),
    );
    assert_eq!(json, csv);

    let classes: Vec<(&str, AuditClass, u32, u32)> = json
        .iter()
        .map(|u| (u.user.upn.as_str(), u.class, u.failures, u.successes))
        .collect();
    assert_eq!(
        classes,
        [
            ("anna@contoso.com", AuditClass::Failing, 2, 0),
            ("bo@contoso.com", AuditClass::Recovered, 1, 1),
            ("cy@contoso.com", AuditClass::Completed, 0, 1),
            ("eve@contoso.com", AuditClass::Completed, 0, 1),
            ("dee@contoso.com", AuditClass::NoAttempt, 0, 0),
            ("fay@contoso.com", AuditClass::NoAttempt, 0, 0),
        ]
    );
    let anna = &json[0];
    assert_eq!(
        anna.related_events, 2,
        "started + single method; the Core Directory event is not read"
    );
    assert_eq!(
        anna.failure_reasons[0].reason,
        "User canceled security info registration."
    );
    assert_eq!(anna.failure_reasons[0].count, 2);

    let mail_empty: HashMap<&str, bool> = [
        ("anna@contoso.com", true),
        ("bo@contoso.com", false),
        ("cy@contoso.com", false),
        ("dee@contoso.com", true),
        ("eve@contoso.com", false),
    ]
    .into();
    let table = contingency(&json, |u: &UserRef| mail_empty.get(u.upn.as_str()).copied());
    assert_eq!(table.row(AuditClass::Failing).mail_empty, 1);
    assert_eq!(table.row(AuditClass::Completed).mail_set, 2);
    assert_eq!(
        table.row(AuditClass::NoAttempt).mail_unknown,
        1,
        "fay is not in the lookup"
    );
    assert_eq!(
        table.reading,
        "1 of 1 failing user has an empty `mail`; 0 of 2 completed users do"
    );
}

#[test]
fn graph_page_shape_and_bad_files_are_handled() {
    let page = format!("{{\"@odata.context\": \"x\", \"value\": {JSON}}}");
    assert_eq!(read_audit_json(page.as_bytes()).unwrap().events.len(), 10);
    let err =
        read_audit_csv(b"Date (UTC),Service,Activity\n2024-05-01T00:00:00Z,x,y\n").unwrap_err();
    assert!(err.to_string().contains("'Result'"), "{err}");
    let err =
        read_audit_csv(b"Date (UTC),Service,Activity,Result\nyesterday,x,y,success\n").unwrap_err();
    assert!(err.to_string().contains("'yesterday'"), "{err}");
    assert!(read_audit_json(b"{\"value\": 3}").is_err());
}

#[test]
fn malformed_records_are_left_out_and_listed() {
    let header = CSV.lines().next().unwrap();
    let good = CSV.lines().nth(3).unwrap();
    let bad_date = good.replacen("2024-05-02T08:03:41.0000000Z", "not a date", 1);
    let short = r#""2024-05-02T09:00:00Z","x""#;
    let csv = format!("{header}\n{good}\n{bad_date}\n{short}\n");
    let file = read_audit_csv(csv.as_bytes()).unwrap();
    assert_eq!(file.events.len(), 1);
    let problems: Vec<(u64, &str)> = file
        .problems
        .iter()
        .map(|p| (p.record, p.reason.as_str()))
        .collect();
    assert_eq!(
        problems,
        [
            (3, "unreadable date 'not a date'"),
            (4, "too few fields (2; the header has more)")
        ]
    );

    let mut records: Vec<serde_json::Value> = serde_json::from_str(JSON).unwrap();
    records[1] = serde_json::json!(42);
    records[2]["activityDateTime"] = serde_json::json!("soon");
    let file = read_audit_json(serde_json::to_string(&records).unwrap().as_bytes()).unwrap();
    assert_eq!(file.events.len(), 8);
    assert_eq!(
        file.problems.iter().map(|p| p.record).collect::<Vec<_>>(),
        [2, 3]
    );
    assert!(
        file.problems[1].reason.contains("'soon'"),
        "{:?}",
        file.problems
    );
}

#[test]
fn files_in_neither_format_are_refused() {
    for bytes in [
        &b"PK\x03\x04\x14\x00\x06\x00binary spreadsheet"[..],
        b"just some notes\nnothing like a header\n",
        b"",
    ] {
        let err = read_audit_file(bytes).unwrap_err();
        assert!(
            matches!(err, AuditFileError::UnknownFormat(_)),
            "{:?}: {err}",
            String::from_utf8_lossy(bytes)
        );
    }
    assert!(matches!(
        read_audit_file(&b"[{\"id\": 1"[..]).unwrap_err(),
        AuditFileError::Json(_)
    ));
}
