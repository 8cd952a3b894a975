//! The seed input pipeline on messy HR exports: read, normalise, de-duplicate, decide.

use mailfix_client::models::{EmailMethod, PhoneMethod, PhoneType};
use mailfix_engine::seed::{
    CsvOptions, Decision, SeedEntry, SeedOptions, decide_email, decide_phones, prepare, read_hr_csv,
};

fn entries(fixture: &str, region: &str) -> (Vec<SeedEntry>, Vec<(u64, String)>) {
    let file = read_hr_csv(fixture.as_bytes(), &CsvOptions::default()).expect("readable HR file");
    let options = SeedOptions {
        default_region: Some(region.parse().unwrap()),
        tenant_domains: vec!["contoso.com".into(), "contoso.onmicrosoft.com".into()],
    };
    let problems = file
        .problems
        .iter()
        .map(|p| (p.line, p.reason.clone()))
        .collect();
    (prepare(&file.rows, &options), problems)
}

fn by_line(entries: &[SeedEntry], line: u64) -> &SeedEntry {
    entries
        .iter()
        .find(|e| e.line == line)
        .unwrap_or_else(|| panic!("no row at line {line}"))
}

#[test]
fn messy_hr_export_gives_each_row_the_right_outcome() {
    let (entries, problems) = entries(include_str!("../fixtures/seed/hr_messy.csv"), "AU");
    let lines: Vec<u64> = entries.iter().map(|e| e.line).collect();
    assert_eq!(
        lines,
        [2, 3, 4, 6, 8, 9, 10],
        "blank line skipped, quoted newline spans 6-7"
    );
    assert_eq!(
        problems,
        [(11, "no user: the user column is empty".to_owned())]
    );

    let anna = by_line(&entries, 2);
    assert_eq!(
        anna.valid_mobile(),
        Some("+61 412345678"),
        "AU national number"
    );
    assert_eq!(anna.valid_email(), Some("anna.berg@gmail.com"));
    assert!(anna.problems().is_empty());

    assert_eq!(
        by_line(&entries, 3).valid_mobile(),
        Some("+61 413222333"),
        "AU international"
    );

    let dana = by_line(&entries, 4);
    assert_eq!(
        dana.valid_mobile(),
        Some("+1 2065550101x7"),
        "US number with extension"
    );
    assert_eq!(dana.valid_email(), None);
    assert!(
        dana.problems()[0].contains("tenant's own domain contoso.com"),
        "{:?}",
        dana.problems()
    );

    let eli = by_line(&entries, 6);
    assert_eq!(eli.valid_mobile(), None);
    assert!(
        eli.problems()[0].starts_with("mobile: "),
        "{:?}",
        eli.problems()
    );
    assert!(eli.problems()[0].contains("12345"), "{:?}", eli.problems());
    assert_eq!(
        eli.valid_email(),
        Some("eli@yahoo.com"),
        "a bad value does not stop the good one"
    );

    let fay = by_line(&entries, 8);
    assert_eq!(fay.upn, "fay@contoso.com", "whitespace trimmed");
    assert_eq!(fay.valid_mobile(), Some("+1 2065550102"));
    assert!(
        fay.problems()[0].contains("tenant's own domain"),
        "subdomain of a tenant domain"
    );

    let again = by_line(&entries, 9);
    assert_eq!(again.duplicate_of, Some(2));
    assert_eq!(
        again.valid_mobile(),
        None,
        "the later duplicate is not applied"
    );
    assert_eq!(again.problems()[0], "duplicate of line 2; not applied");

    let gus = by_line(&entries, 10);
    assert_eq!(gus.mobile, None);
    assert!(
        gus.problems()[0].starts_with("email: "),
        "{:?}",
        gus.problems()
    );
}

#[test]
fn semicolon_export_with_crlf_and_us_national_numbers() {
    let (entries, problems) = entries(include_str!("../fixtures/seed/hr_semicolon_us.csv"), "US");
    assert!(problems.is_empty());
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].valid_mobile(), Some("+1 2065550199"));
    assert_eq!(entries[0].valid_email(), Some("kim@example.org"));
    assert_eq!(entries[1].line, 4);
    assert_eq!(entries[1].valid_mobile(), Some("+1 2065550198x12"));
    assert_eq!(entries[1].email, None);
}

#[test]
fn decisions_against_existing_methods() {
    let (entries, _) = entries(include_str!("../fixtures/seed/hr_messy.csv"), "AU");
    let mobile = |number: &str| PhoneMethod {
        id: Some("3179e48a-750b-4051-897c-87b9720928f7".into()),
        phone_number: number.into(),
        phone_type: PhoneType::Mobile,
        sms_sign_in_state: Some("ready".into()),
    };
    // Anna already has the same mobile, written differently.
    let anna = by_line(&entries, 2);
    let same = decide_phones(&[mobile("+61412345678")], anna.valid_mobile(), None, false);
    assert_eq!(same[0].decision, Decision::Skip);
    // Bo has a different mobile: a conflict, or an update with --update.
    let bo = by_line(&entries, 3);
    let existing = [mobile("+61 400000000")];
    let conflict = decide_phones(&existing, bo.valid_mobile(), None, false);
    assert_eq!(
        conflict[0].decision,
        Decision::Conflict {
            existing: "+61 400000000".into()
        }
    );
    let update = decide_phones(&existing, bo.valid_mobile(), None, true);
    assert!(
        matches!(&update[0].decision, Decision::Update { method_id: Some(_), from } if from == "+61 400000000")
    );
    // Eli has no email method yet.
    let eli = by_line(&entries, 6);
    assert_eq!(
        decide_email(&[], eli.valid_email().unwrap(), false),
        Decision::Create
    );
    let same_email = [EmailMethod {
        id: None,
        email_address: "ELI@yahoo.com".into(),
    }];
    assert_eq!(
        decide_email(&same_email, eli.valid_email().unwrap(), false),
        Decision::Skip
    );
}
